#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Demotion (FreeBSD's net.inet.carp.demotion): planned maintenance moves
# every address of a host in one step.  Eight vhids on two hosts, a
# preferred; a client on the LAN.
#
#    a (10.0.0.1, advskew 0)   b (10.0.0.2, advskew 100)   c (10.0.0.9)
#            eth0 [eth1]               eth0                    eth0
#              \________________ br0 (ns sw) __________________/
#
# net.carp.demotion reads the namespace's demotion and adds what is
# written; every device advertises and compares advskew + demotion,
# clamped to 0..240 (a configured skew above 240 is never lowered by a
# positive demotion).  A parent down adds ifdown_demotion_factor per carp
# device on it, three failed rounds of sends senderr_demotion_factor, and
# each gives back exactly what it added.
source "$(dirname "$0")/lib.sh"

NVHID=8
CAP_PID=

setup()
{
	lan_create || return 1
	setup_ns a b c || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24 &&
	lan_attach "$c" 10.0.0.9/24
}

dsysctl() { ip netns exec "$1" sysctl -n "net.carp.$2"; }

# demote NS VALUE: write VALUE to NS's net.carp.demotion.
demote() { ip netns exec "$1" sh -c "echo $2 > /proc/sys/net/carp/demotion"; }

# vhids_up NS ADVSKEW: carp1..carp8, vhids 1..8, 10.0.0.101..108, up.
vhids_up()
{
	local i

	for ((i = 1; i <= NVHID; i++)); do
		ip -n "$1" link add link eth0 name carp$i type carp vhid $i \
			advskew "$2" pass secret$i || return 1
		ip -n "$1" addr add 10.0.0.$((100 + i))/24 dev carp$i
		ip -n "$1" link set carp$i up
	done
}

# all_state NS STATE TIMEOUT_S: every carpN of NS in STATE.
all_state()
{
	local i

	for ((i = 1; i <= NVHID; i++)); do
		wait_state "$1" carp$i "$2" "$3" || return 1
	done
}

reset()
{
	local ns i v

	watch_stop_all
	for ns in "$a" "$b"; do
		for ((i = 1; i <= NVHID; i++)); do
			ip -n "$ns" link del carp$i 2>/dev/null
		done
		ip -n "$ns" link del eth1 2>/dev/null
		ip netns exec "$ns" sysctl -qw net.carp.preempt=0 \
			net.carp.ifdown_demotion_factor=240 \
			net.carp.senderr_demotion_factor=240
		v=$(dsysctl "$ns" demotion)
		[ "$v" = 0 ] || demote "$ns" $((-v))
	done
}

# converge: eight vhids on a and b, preempt on both, a MASTER of all.
converge()
{
	reset
	ip netns exec "$a" sysctl -qw net.carp.preempt=1
	ip netns exec "$b" sysctl -qw net.carp.preempt=1
	vhids_up "$a" 0 && vhids_up "$b" 100 || return 1
	all_state "$b" BACKUP 10 && all_state "$a" MASTER 15
}

# last_master NS: when the last carpN of NS became MASTER (watch log),
# in ms of CLOCK_BOOTTIME; empty if one of them never did.
last_master()
{
	awk -v ns="$1" -v n=$NVHID '
		$2 == ns && $5 == "MASTER" { t[$3] = $1 }
		END {
			for (d in t) { c++; if (t[d] > m) m = t[d] }
			if (c == n) printf "%d\n", m * 1000
		}' "$TMPD/watch"
}

test_sysctls()
{
	local v rc=0 fresh=fresh-$$

	# The defaults, in a namespace nothing wrote to.
	ip netns add $fresh || return 1
	for v in demotion=0 ifdown_demotion_factor=240 senderr_demotion_factor=240; do
		check_eq "$(dsysctl $fresh "${v%=*}")" "${v#*=}" "default net.carp.${v%=*}" ||
			rc=1
	done
	ip netns del $fresh
	[ $rc -eq 0 ] || return 1
	reset
	# A write adds, negative values lower it.
	demote "$a" 50 && check_eq "$(dsysctl "$a" demotion)" 50 "after +50" &&
	demote "$a" -20 && check_eq "$(dsysctl "$a" demotion)" 30 "after -20" &&
	demote "$a" -40 && check_eq "$(dsysctl "$a" demotion)" -10 "after -40" &&
	check_eq "$(dsysctl "$b" demotion)" 0 "b's demotion (per namespace)" &&
	demote "$a" 10 && check_eq "$(dsysctl "$a" demotion)" 0 "after +10" || return 1
	# Out of range: refused with EINVAL, nothing changes.
	for v in demotion=1000001 demotion=-1000001 demotion=abc \
		 ifdown_demotion_factor=-1 ifdown_demotion_factor=1000001 \
		 senderr_demotion_factor=-1 senderr_demotion_factor=1000001; do
		if ip netns exec "$a" sh -c "echo ${v#*=} > /proc/sys/net/carp/${v%=*}" \
			2>/dev/null; then
			fail "net.carp.$v accepted"
			rc=1
		fi
	done
	demote "$a" 1000000 || { fail "demotion +1000000 refused"; return 1; }
	if demote "$a" 1 2>/dev/null; then
		fail "a demotion above 1000000 accepted"
		rc=1
	fi
	demote "$a" -1000000
	check_eq "$(dsysctl "$a" demotion)/$(dsysctl "$a" ifdown_demotion_factor)" 0/240 \
		"demotion/ifdown_demotion_factor after refused writes" || rc=1
	return $rc
}

# capture_start COUNT: carp_capture.py in c, in the background, for COUNT
# advertisements of vhid 1; returns once it listens.
capture_start()
{
	local i

	rm -f "$TMPD/cap" "$TMPD/cap.err"
	ip netns exec "$c" python3 "$SELFTEST_DIR/carp_capture.py" eth0 "$1" "$TMPD/d.pcap" \
		secret1 10.0.0.101 20 1 > "$TMPD/cap" 2> "$TMPD/cap.err" &
	CAP_PID=$!
	for ((i = 0; i < 600; i++)); do
		grep -q listening "$TMPD/cap.err" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "carp_capture.py did not start"
}

# capture_end: wait for it (in this shell, not in a subshell: only the
# shell that started it can wait); its lines are in $TMPD/cap.
capture_end()
{
	wait "$CAP_PID"
	CAP_PID=
}

# demote_at NS VALUE: write VALUE to NS's net.carp.demotion; print the
# moment just before, on the clock of /proc/uptime.
demote_at()
{
	ip netns exec "$1" sh -c \
		'read -r up _ < /proc/uptime; echo "$1" > /proc/sys/net/carp/demotion && echo $up' \
		sh "$2"
}

# expect_advert T0 SKEW: the advertisement captured, with SKEW, came less
# than 2 s after T0 (seconds): a's next periodic one is 30 s away.
expect_advert()
{
	local out at

	capture_end
	out=$(cat "$TMPD/cap")
	log "$out"
	grep -q "advskew=$2 " <<<"$out" || fail "not advskew $2: $out" || return 1
	at=$(sed -n 's/.* at=\([0-9.]*\)$/\1/p' <<<"$out")
	[ -n "$at" ] || fail "no advertisement within 20 s" || return 1
	awk -v t0="$1" -v at="$at" 'BEGIN { exit !(at - t0 < 2) }' ||
		fail "the advertisement came $at, the demotion changed at $1"
}

# On the wire: a MASTER advertises advskew + demotion within 0..240, at
# once when the demotion changes (advbase 30: no periodic advertisement
# in between).
test_wire_skew()
{
	local t0

	reset
	ip -n "$a" link add link eth0 name carp1 type carp vhid 1 advbase 30 advskew 30 \
		pass secret1 &&
	ip -n "$a" addr add 10.0.0.101/24 dev carp1 && ip -n "$a" link set carp1 up ||
		return 1
	# The advertisement of the new MASTER; the next is 30 s later.
	capture_start 1 || return 1
	ip -n "$a" link set carp1 type carp state master || return 1
	capture_end
	sed 's/^/# /' "$TMPD/cap"
	capture_start 1 || return 1
	t0=$(demote_at "$a" 100) && expect_advert "$t0" 130 || return 1
	capture_start 1 || return 1
	t0=$(demote_at "$a" 500) && expect_advert "$t0" 240 || return 1
	capture_start 1 || return 1
	t0=$(demote_at "$a" -700) && expect_advert "$t0" 0 || return 1
	# A configured skew above 240 stays as it is under a positive demotion.
	ip -n "$a" link set carp1 type carp advskew 250 || return 1
	capture_start 1 || return 1
	t0=$(demote_at "$a" 100) && expect_advert "$t0" 250
}

demote_all_body()
{
	local t0 t1

	sleep 1
	t0=$(demote_at "$a" 240) || return 1
	all_state "$b" MASTER 10 && all_state "$a" BACKUP 5 || return 1
	t1=$(last_master "$b")
	[ -n "$t1" ] || fail "the watch did not see b take every vhid" || return 1
	# /proc/uptime has 10 ms steps.
	t0=$((${t0%.*} * 1000 + 10#${t0#*.} * 10))
	log "demotion -> b MASTER of all $NVHID vhids: $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt 5000 ] || fail "b took $((t1 - t0)) ms" || return 1
	check_eq "$(dsysctl "$a" demotion)" 240 "a's demotion" || return 1
	hold_state 2 "$a:carp1=BACKUP" "$b:carp1=MASTER" || return 1
	# Back: a advertises nothing while BACKUP, it preempts b's next one.
	demote "$a" -240
	all_state "$a" MASTER 10 && all_state "$b" BACKUP 5
}

# Demoting a hands every vhid to b at once; undemoting, with preempt,
# brings them back.  A client pings 10.0.0.101 every 10 ms meanwhile.
test_demote_all()
{
	local ping rc=0 got

	converge || return 1
	watch_start "$TMPD/watch" "$a" "$b" || return 1
	masters_watch_start demote "$a:carp1" "$b:carp1" || return 1
	ip netns exec "$c" ping -q -i 0.01 -w 60 10.0.0.101 > "$TMPD/ping" 2>&1 &
	ping=$!
	demote_all_body || rc=1
	masters_watch_stop || rc=1
	kill -INT $ping 2>/dev/null
	wait $ping
	grep -E 'packets|rtt' "$TMPD/ping" | sed 's/^/# /'
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMPD/ping")
	[ "${got:-0}" -gt 0 ] || fail "the client got no reply at all" || rc=1
	return $rc
}

# A parent down demotes the host by ifdown_demotion_factor per carp device
# on it, and gives back exactly that, even after the factor changed.
test_ifdown_factor()
{
	reset
	ip link add eth1 netns "$a" type veth peer name eth1p netns "$a" || return 1
	ip -n "$a" link set eth1p up && ip -n "$a" link set eth1 up
	ip -n "$a" link add link eth1 name carp1 type carp vhid 1 pass x &&
	ip -n "$a" link add link eth1 name carp2 type carp vhid 2 pass x || return 1
	ip netns exec "$a" sysctl -qw net.carp.ifdown_demotion_factor=30
	ip -n "$a" link set eth1 down
	check_eq "$(dsysctl "$a" demotion)/$(dsysctl "$a" suppress_preempt)" 60/2 \
		"demotion/suppress_preempt with eth1 down" || return 1
	ip netns exec "$a" sysctl -qw net.carp.ifdown_demotion_factor=100
	ip -n "$a" link del carp2
	check_eq "$(dsysctl "$a" demotion)/$(dsysctl "$a" suppress_preempt)" 30/1 \
		"after deleting one device" || return 1
	ip -n "$a" link set eth1 up
	check_eq "$(dsysctl "$a" demotion)/$(dsysctl "$a" suppress_preempt)" 0/0 \
		"with eth1 up" || return 1
	# Factor 0: the reason still counts, the demotion does not move.
	ip netns exec "$a" sysctl -qw net.carp.ifdown_demotion_factor=0
	ip -n "$a" link set eth1 down
	check_eq "$(dsysctl "$a" demotion)/$(dsysctl "$a" suppress_preempt)" 0/1 \
		"factor 0" || return 1
	ip -n "$a" link del eth1
	check_eq "$(dsysctl "$a" demotion)/$(dsysctl "$a" suppress_preempt)" 0/0 \
		"after deleting the parent"
}

# Send errors: senderr_demotion_factor, given back on recovery.
test_senderr_factor()
{
	reset
	ip netns exec "$a" sysctl -qw net.carp.senderr_demotion_factor=7
	ip -n "$a" link add link eth0 name carp1 type carp vhid 1 pass x &&
	ip -n "$a" addr add 10.0.0.101/24 dev carp1 && ip -n "$a" link set carp1 up ||
		return 1
	ip -n "$a" link set carp1 type carp state master || return 1
	# Every send fails while eth0's queue takes nothing.
	tc -n "$a" qdisc add dev eth0 root pfifo limit 0 || return 1
	local i d s
	for ((i = 0; i < 100; i++)); do
		d=$(dsysctl "$a" demotion)
		[ "$d" = 7 ] && break
		sleep 0.1
	done
	s=$(dsysctl "$a" suppress_preempt)
	tc -n "$a" qdisc del dev eth0 root
	check_eq "$d/$s" 7/1 \
		"demotion/suppress_preempt while sends failed" || return 1
	for ((i = 0; i < 100; i++)); do
		[ "$(dsysctl "$a" demotion)" = 0 ] && return 0
		sleep 0.1
	done
	fail "demotion $(dsysctl "$a" demotion) after sends work again"
}

TMPD=$(mktemp -d)
trap 'watch_stop_all; [ -z "$CAP_PID" ] || kill "$CAP_PID" 2>/dev/null;
      masters_watch_end; cleanup_all_ns; rm -rf "$TMPD"' EXIT
require_carp
setup || exit $ksft_fail
ktap_plan 5
run_test "net.carp.demotion adds what is written; factor defaults and ranges" test_sysctls
run_test "advertised skew: advskew + demotion within 0..240, sent at once" test_wire_skew
run_test "demote a: b MASTER of all $NVHID vhids; undemote: all back" test_demote_all
run_test "ifdown_demotion_factor per device, given back exactly" test_ifdown_factor
run_test "senderr_demotion_factor while sends fail, given back" test_senderr_factor
ktap_finish
