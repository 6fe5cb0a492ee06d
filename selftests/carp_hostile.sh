#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile and careless uses of carp: what an unprivileged user (root of a
# user namespace of its own) or a root without CAP_NET_ADMIN can do, odd
# ways of tearing devices down, and host-wide side effects of one device.
#
#    a (10.0.0.1)   b (10.0.0.2)        vhid 1, 10.0.0.100, advbase 1
#         \______ br0 (ns sw) ______/
#
# The teardown cases run last: on a driver that queues a carp device for
# unregistration twice they hit a BUG_ON in net/core/dev.c, which kills the
# test machine, and the crash is their failure.  Scenarios marked "userns"
# run as user nobody in "unshare -Urn": a network namespace of their own,
# with CAP_NET_ADMIN over that namespace only.
#
# Usage: carp_hostile.sh [CASE...]   (CASE: a test_* function name, to run
# only those cases)
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100

setup()
{
	lan_create || return 1
	setup_ns a b || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24
}

carp_sysctl() { ip netns exec "$1" sysctl -n "net.carp.$2"; }
sysfs() { ip netns exec "$1" cat "/sys/class/net/$2/carp/$3"; }

# carp_up NS ADVSKEW [ADVBASE]: carp0 vhid 1 on eth0 with the VIP, up.
carp_up()
{
	ip -n "$1" link add link eth0 name carp0 type carp vhid 1 advskew "$2" \
		advbase "${3:-1}" pass secret || return 1
	ip -n "$1" addr add $VIP/32 dev carp0 &&
	ip -n "$1" link set carp0 up
}

reset()
{
	local ns

	for ns in "$a" "$b"; do
		ip -n "$ns" link del carp0 2>/dev/null
		ip -n "$ns" link del carp1 2>/dev/null
		ip netns exec "$ns" tc qdisc del dev eth0 root 2>/dev/null
		ip netns exec "$ns" sysctl -qw net.carp.preempt=0
		ip -n "$ns" link set eth0 up
	done
}

# converge ADVSKEW_B [ADVBASE_B]: a (advskew 0) MASTER, b BACKUP.
converge()
{
	reset
	carp_up "$a" 0 && carp_up "$b" "$1" "${2:-1}" || return 1
	wait_state "$a" carp0 MASTER 10 && wait_state "$b" carp0 BACKUP 5
}

# wait_sysctl NS NAME VALUE TIMEOUT_S: in NS, read net.carp.NAME every
# 50 ms until it reads VALUE.  One process does it all.
wait_sysctl()
{
	ip netns exec "$1" bash -c '
		fifo=$(mktemp -u) && mkfifo "$fifo" && exec 9<> "$fifo" && rm -f "$fifo"
		end=$((SECONDS + $3))
		while [ $SECONDS -le $end ]; do
			read -r v < "/proc/sys/net/carp/$1"
			[ "$v" != "$2" ] || exit 0
			read -r -t 0.05 -u 9
		done
		exit 1' bash "$2" "$3" "$4" ||
		fail "$1: net.carp.$2 not $3 within $4 s"
}

# hold SECONDS STATE_A STATE_B SUPPRESS_A: these hold all along.
hold()
{
	local end=$(( $(now_ms) + $1 * 1000 ))

	while [ "$(now_ms)" -lt $end ]; do
		check_eq "$(carp_state "$a" carp0)/$(carp_state "$b" carp0)" "$2/$3" \
			"a/b carp0" || return 1
		check_eq "$(carp_sysctl "$a" suppress_preempt)" "$4" \
			"a's suppress_preempt" || return 1
		sleep 0.2
	done
}

# watched BODY: BODY under a masters watch of vhid 1 on a and b.
watched()
{
	local rc=0

	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	"$@" || rc=1
	masters_watch_stop || rc=1
	return $rc
}

# --- host-wide side effects ------------------------------------------------

new_device_body()
{
	# Left down, without an address: it has nothing to do with vhid 1.
	ip -n "$a" link add link eth0 name carp1 type carp vhid 2 pass secret || return 1
	check_eq "$(carp_sysctl "$a" suppress_preempt)" 0 \
		"a's suppress_preempt right after adding carp1" || return 1
	hold 5 MASTER BACKUP 0 || return 1
	# Up without an address (INIT), then gone: still nothing.
	ip -n "$a" link set carp1 up
	hold 1 MASTER BACKUP 0 || return 1
	ip -n "$a" link del carp1
	hold 1 MASTER BACKUP 0
}

test_new_device_keeps_master()
{
	reset
	# b would take over at once from a demoted a.
	ip netns exec "$b" sysctl -qw net.carp.preempt=1
	converge 100 || return 1
	check_eq "$(carp_sysctl "$a" suppress_preempt)" 0 "a's suppress_preempt" || return 1
	watched new_device_body
}

senderr_repair_body()
{
	ip netns exec "$a" tc qdisc del dev eth0 root || return 1
	# a, BACKUP now, sends nothing; its send errors are history.
	wait_sysctl "$a" suppress_preempt 0 15 || return 1
	# Without preempt a stays BACKUP.
	hold 3 BACKUP MASTER 0
}

test_senderr_suppress_ends_after_takeover()
{
	local before after

	converge 200 || return 1
	# b's master-down (3 + 200/256 s) would come only 0.78 s after a's
	# third failed send, and end the suppression: too short a window to
	# see under emulation.  b stays away until a suppresses.
	ip -n "$b" link set carp0 down || return 1
	before=$(sysfs "$a" carp0 oerrors)
	ip netns exec "$a" tc qdisc add dev eth0 root pfifo limit 0 || return 1
	wait_sysctl "$a" suppress_preempt 1 8 || return 1
	after=$(sysfs "$a" carp0 oerrors)
	[ "$after" -gt "$before" ] || fail "oerrors did not count: $before -> $after" ||
		return 1
	# b takes over; a, advertising skew 240 to itself, yields to b's 200.
	ip -n "$b" link set carp0 up || return 1
	wait_state "$b" carp0 MASTER 10 && wait_state "$a" carp0 BACKUP 5 || return 1
	watched senderr_repair_body
}

senderr_delete_body()
{
	# Deleted while suppressing, as MASTER: b stays away meanwhile.
	ip -n "$b" link set carp0 down || return 1
	ip netns exec "$a" tc qdisc add dev eth0 root pfifo limit 0 || return 1
	wait_sysctl "$a" suppress_preempt 1 8 || return 1
	check_eq "$(carp_state "$a" carp0)" MASTER "a while suppressing" || return 1
	ip -n "$a" link del carp0 || return 1
	wait_sysctl "$a" suppress_preempt 0 10 || return 1
	ip netns exec "$a" tc qdisc del dev eth0 root
	ip -n "$b" link set carp0 up || return 1
	wait_state "$b" carp0 MASTER 10
}

test_senderr_suppress_ends_on_delete()
{
	converge 200 || return 1
	watched senderr_delete_body
}

bow_out_body()
{
	local before t0 t1 rc

	before=$(sysfs "$b" carp0 badauth)
	t0=$(now_ms)
	ip -n "$a" addr del $VIP/32 dev carp0 || return 1
	wait_state "$b" carp0 MASTER 5 || return 1
	t1=$(now_ms)
	log "last address removed -> b MASTER in $((t1 - t0)) ms"
	# Both, to tell a rejected bow-out from a missing one.
	check_eq "$(sysfs "$b" carp0 badauth)" "$before" "b's badauth counter"
	rc=$?
	[ $((t1 - t0)) -lt 4500 ] ||
		fail "takeover took $((t1 - t0)) ms: no bow-out (master-down is 9.4 s)" ||
		return 1
	[ $rc = 0 ] && check_eq "$(carp_state "$a" carp0)" INIT "a without an address"
}

test_bow_out_last_address()
{
	# A master-down of 9.4 s for b: a takeover within 4.5 s is the
	# bow-out, also on a slow guest.
	converge 100 3 || return 1
	watched bow_out_body
}

# --- privilege checks ------------------------------------------------------

# no_admin NS COMMAND: COMMAND (sh -c) in NS as root without CAP_NET_ADMIN.
no_admin()
{
	ip netns exec "$1" capsh --drop=cap_net_admin -- -c "$2"
}

# refused NS WHAT COMMAND: COMMAND, without CAP_NET_ADMIN, fails with EPERM.
refused()
{
	local err

	if err=$(no_admin "$1" "$3" 2>&1); then
		fail "$2 accepted without CAP_NET_ADMIN"
		return 1
	fi
	[[ $err == *"not permitted"* ]] || fail "$2 without CAP_NET_ADMIN: $err, not EPERM"
}

test_state_write_needs_net_admin()
{
	local eff rc=0

	reset
	# b alone, BACKUP for the 30 s of its master-down interval.
	carp_up "$b" 100 10 || return 1
	wait_state "$b" carp0 BACKUP 5 || return 1
	eff=$(no_admin "$b" 'sed -n "s/^CapEff:\t*//p" /proc/self/status')
	(( (0x$eff & (1 << 12)) == 0 )) || fail "capsh kept CAP_NET_ADMIN ($eff)" || return 1

	refused "$b" "sysfs state write" 'echo master > /sys/class/net/carp0/carp/state' ||
		rc=1
	check_eq "$(carp_state "$b" carp0)" BACKUP "b after the sysfs write" || return 1
	refused "$b" "ip link set state master" 'ip link set carp0 type carp state master' ||
		rc=1
	check_eq "$(carp_state "$b" carp0)" BACKUP "b after ip link set state" || return 1
	refused "$b" "ip link set advskew" 'ip link set carp0 type carp advskew 5' || rc=1
	check_eq "$(sysfs "$b" carp0 advskew)" 100 "b's advskew" || return 1
	# With it, the same write works: the file is writable, the caller was not.
	ip netns exec "$b" sh -c 'echo master > /sys/class/net/carp0/carp/state' ||
		fail "sysfs state write with CAP_NET_ADMIN" || return 1
	check_eq "$(carp_state "$b" carp0)" MASTER "b after a privileged write" || return 1
	return $rc
}

test_sysctl_write_needs_net_admin()
{
	local kv k before rc=0

	reset
	for kv in preempt=1 allow=0 log=3 arpbalance=1 demotion=5 \
		  ifdown_demotion_factor=1 senderr_demotion_factor=1; do
		k=${kv%=*}
		before=$(carp_sysctl "$b" "$k")
		if no_admin "$b" "sysctl -qw net.carp.$kv" 2>/dev/null; then
			fail "net.carp.$kv accepted without CAP_NET_ADMIN"
			rc=1
		fi
		check_eq "$(carp_sysctl "$b" "$k")" "$before" "net.carp.$k" || rc=1
		# A write of demotion adds: nothing to put back.
		[ "$k" = demotion ] || ip netns exec "$b" sysctl -qw "net.carp.$k=$before"
	done
	return $rc
}

# --- module parameters -----------------------------------------------------

PARAMS=/sys/module/carp/parameters
KNOBS="allow preempt log arpbalance ifdown_demotion_factor senderr_demotion_factor"

params_body()
{
	local k kv v rc=0

	# The initial namespace's sysctls show through the parameters...
	for kv in preempt=1 allow=0 log=3 arpbalance=1 ifdown_demotion_factor=17 \
		  senderr_demotion_factor=1000000; do
		sysctl -qw "net.carp.$kv" || return 1
		check_eq "$(cat $PARAMS/${kv%=*})" "${kv#*=}" \
			"parameter ${kv%=*} after sysctl net.carp.$kv" || return 1
	done
	# ...and writing a parameter sets the sysctl.
	for kv in preempt=0 allow=1 log=5 arpbalance=0 ifdown_demotion_factor=0 \
		  senderr_demotion_factor=240; do
		echo "${kv#*=}" > "$PARAMS/${kv%=*}" || fail "writing parameter $kv" || return 1
		check_eq "$(sysctl -n "net.carp.${kv%=*}")" "${kv#*=}" \
			"net.carp.${kv%=*} after parameter $kv" || return 1
	done
	# Out of range: refused, nothing changes.
	for kv in preempt=7 allow=2 log=99 arpbalance=-1 ifdown_demotion_factor=1000001 \
		  senderr_demotion_factor=-1; do
		k=${kv%=*}
		v=$(cat "$PARAMS/$k")
		if (echo "${kv#*=}" > "$PARAMS/$k") 2>/dev/null; then
			fail "parameter $kv accepted"
			rc=1
		fi
		check_eq "$(cat "$PARAMS/$k")" "$v" "parameter $k after writing ${kv#*=}" ||
			return 1
		check_eq "$(sysctl -n "net.carp.$k")" "$v" "net.carp.$k after writing ${kv#*=}" ||
			return 1
	done
	return $rc
}

test_module_parameters_are_init_ns()
{
	local k rc=0
	local -A sys par

	for k in $KNOBS; do
		sys[$k]=$(sysctl -n "net.carp.$k") par[$k]=$(cat "$PARAMS/$k")
	done
	params_body || rc=1
	for k in $KNOBS; do
		echo "${par[$k]}" > "$PARAMS/$k"
		sysctl -qw "net.carp.$k=${sys[$k]}"
	done
	return $rc
}

# --- teardown: scenarios run in a namespace, as root or in a userns -------
#
# sc_* functions run inside a namespace with plain "ip" commands; they are
# handed to the shell there with "declare -f".

sc_fail() { echo "# FAIL: $*"; return 1; }
sc_log() { echo "# $*"; }

sc_state() { link_state "$(ip -d -o link show dev "$1" 2>/dev/null)"; }

sc_wait_state()
{
	local i

	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(sc_state "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	sc_fail "$1 is $(sc_state "$1"), not $2 after $3 s"
}

# sc_running DEV: DEV, up, has left INIT (BACKUP, or MASTER already: on a
# slow kernel the commands after "up" can outlast its master-down).
sc_running()
{
	local i s

	for ((i = 0; i < 50; i++)); do
		s=$(sc_state "$1")
		[ "$s" = BACKUP ] || [ "$s" = MASTER ] && return 0
		sleep 0.1
	done
	sc_fail "$1 is ${s:-gone}, not BACKUP or MASTER after 5 s"
}

# sc_master DEV: DEV, up, MASTER now rather than after its master-down.
sc_master()
{
	sc_running "$1" || return 1
	[ "$(sc_state "$1")" = MASTER ] && return 0
	ip link set "$1" type carp state master || return 1
	sc_wait_state "$1" MASTER 2
}

sc_gone()
{
	local d

	for d in "$@"; do
		if ip link show dev "$d" > /dev/null 2>&1; then
			sc_fail "$d still exists"
			return 1
		fi
	done
}

# The namespace still works: carp devices come and go.
sc_usable()
{
	ip link add sc-d9 type dummy && ip link add link sc-d9 name sc-c9 type carp vhid 9 &&
	ip link del sc-d9 && sc_gone sc-d9 sc-c9 || sc_fail "namespace unusable" || return 1
	[ "$(sysctl -n net.carp.suppress_preempt)" = 0 ] ||
		sc_fail "suppress_preempt left at $(sysctl -n net.carp.suppress_preempt)"
}

# sc_parent DEV N [GROUP]: a dummy DEV, up, with 10.9.N.1/24.
sc_parent()
{
	ip link add "$1" ${3:+group $3} type dummy && ip addr add "10.9.$2.1/24" dev "$1" &&
	ip link set "$1" up
}

# sc_carp DEV PARENT N VHID [GROUP [up]]: DEV on PARENT, with 10.9.N.VHID+100.
sc_carp()
{
	ip link add link "$2" name "$1" ${5:+group $5} type carp vhid "$4" pass x &&
	ip addr add "10.9.$3.$(($4 + 100))/24" dev "$1" || return 1
	[ "$6" != up ] || ip link set "$1" up
}

sc_group_down()
{
	sc_log "one carp device, down"
	ip link add dummy0 group 5 type dummy &&
	ip link add link dummy0 name carp0 group 5 type carp vhid 1 || return 1
	ip link del group 5 || sc_fail "ip link del group 5" || return 1
	sc_gone dummy0 carp0 || return 1
	sc_log "several, down; carp4 is not in the group but goes with its parent"
	sc_parent dummy0 1 5 && sc_carp carp1 dummy0 1 1 5 && sc_carp carp2 dummy0 1 2 5 &&
	sc_carp carp3 dummy0 1 3 5 && sc_carp carp4 dummy0 1 4 || return 1
	ip link del group 5 || sc_fail "ip link del group 5 (several)" || return 1
	sc_gone dummy0 carp1 carp2 carp3 carp4 && sc_usable
}

sc_group_up()
{
	sc_log "one carp device, up and MASTER"
	sc_parent dummy0 1 5 && sc_carp carp0 dummy0 1 1 5 up || return 1
	sc_master carp0 || return 1
	ip link del group 5 || sc_fail "ip link del group 5" || return 1
	sc_gone dummy0 carp0 || return 1
	sc_log "several, up; carp4 is not in the group"
	sc_parent dummy0 2 5 && sc_carp carp1 dummy0 2 1 5 up && sc_carp carp2 dummy0 2 2 5 up &&
	sc_carp carp3 dummy0 2 3 5 up && sc_carp carp4 dummy0 2 4 "" up || return 1
	sc_master carp1 || return 1
	ip link del group 5 || sc_fail "ip link del group 5 (several)" || return 1
	sc_gone dummy0 carp1 carp2 carp3 carp4 && sc_usable
}

# sc_batch_set DEV N [GROUP]: DEV with DEVc1 (up) and DEVc2 (down).
sc_batch_set()
{
	sc_parent "$1" "$2" $3 && sc_carp "${1}c1" "$1" "$2" 1 "$3" up &&
	sc_carp "${1}c2" "$1" "$2" 2 "$3"
}

sc_batch()
{
	sc_log "the parent first: the carp devices go with it, their lines fail"
	sc_batch_set d1 1 && sc_master d1c1 || return 1
	printf 'link del d1\nlink del d1c1\nlink del d1c2\n' | ip -force -batch - 2>/dev/null
	sc_gone d1 d1c1 d1c2 || return 1
	sc_log "the carp devices first: every line works"
	sc_batch_set d2 2 && sc_master d2c1 || return 1
	printf 'link del d2c1\nlink del d2c2\nlink del d2\n' | ip -force -batch - ||
		sc_fail "batch deleting d2c1, d2c2, d2" || return 1
	sc_gone d2 d2c1 d2c2 || return 1
	sc_log "a group delete (parent and carp devices) in the middle of a batch"
	sc_batch_set d3 3 7 && sc_batch_set d4 4 && sc_master d3c1 || return 1
	printf 'link del d4c1\nlink del group 7\nlink del d3c1\nlink del d4\n' |
		ip -force -batch - 2>/dev/null
	sc_gone d3 d3c1 d3c2 d4 d4c1 d4c2 && sc_usable
}

# sc_doomed DIR: fill a namespace that is about to go away.  carp0 exists
# before eth0, which root moves in once DIR/pid names our process, and
# autobinds to it; carp1 is bound to eth0 with "link"; carp2 to a dummy.
# On the way out, eth0 is unregistered before carp0.
sc_doomed()
{
	local i

	ip link add name carp0 type carp vhid 1 pass x && ip link set carp0 up || return 1
	echo $$ > "$1/pid.tmp" && mv "$1/pid.tmp" "$1/pid"
	for ((i = 0; i < 100; i++)); do
		ip link show eth0 > /dev/null 2>&1 && break
		sleep 0.1
	done
	ip addr add 10.8.0.1/24 dev eth0 && ip link set eth0 up &&
	ip addr add 10.8.0.100/24 dev carp0 || return 1
	ip -d link show carp0 | grep -q 'carp0@eth0' || sc_fail "carp0 did not bind to eth0" ||
		return 1
	ip link add link eth0 name carp1 type carp vhid 2 pass x &&
	ip addr add 10.8.0.101/24 dev carp1 && ip link set carp1 up &&
	sc_parent dummy0 1 && sc_carp carp2 dummy0 1 3 "" up || return 1
	sc_running carp0
}

# sc_moved [NETNS]: move a parent to NETNS (a path; a fresh namespace of
# ours if none): its carp devices are deleted, the parent arrives clean.
sc_moved()
{
	local t=$1 x= i

	if [ -z "$t" ]; then
		unshare -n sleep 600 &
		x=$!
		for ((i = 0; i < 100; i++)); do
			[ "$(readlink /proc/$x/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
				break
			sleep 0.1
		done
		t=/proc/$x/ns/net
	fi
	sc_moved_body "$t"
	i=$?
	[ -z "$x" ] || kill "$x"
	return $i
}

sc_moved_body()
{
	local t=$1 home=/proc/$$/ns/net

	# carp2, unbound, autobinds to dummy0 created after it.
	ip link add name carp2 type carp vhid 3 pass x && ip link set carp2 up &&
	sc_parent dummy0 1 && sc_carp carp0 dummy0 1 1 "" up && sc_carp carp1 dummy0 1 2 &&
	ip addr add 10.9.1.200/24 dev carp2 || return 1
	ip -d link show carp2 | grep -q 'carp2@dummy0' || sc_fail "carp2 did not bind" ||
		return 1
	sc_master carp0 || return 1
	sc_log "dummy0 with carp0 (MASTER), carp1 (down), carp2 (autobound) moves"
	ip link set dummy0 netns "$t" || sc_fail "ip link set dummy0 netns" || return 1
	sc_gone dummy0 carp0 carp1 carp2 || return 1
	nsenter --net="$t" ip link show dummy0 > /dev/null || sc_fail "dummy0 not moved" ||
		return 1
	if nsenter --net="$t" ip -d link show | grep -q 'carp vhid'; then
		sc_fail "a carp device came along"
		return 1
	fi
	# Nothing of the old devices is left on it: a new one can use it.
	nsenter --net="$t" ip link add link dummy0 name carp0 type carp vhid 1 ||
		sc_fail "no carp device on dummy0 after the move" || return 1
	# And back: that one goes, dummy0 returns clean.
	nsenter --net="$t" ip link set dummy0 netns "$home" ||
		sc_fail "moving dummy0 back" || return 1
	ip link show dummy0 > /dev/null || sc_fail "dummy0 did not come back" || return 1
	if nsenter --net="$t" ip link show carp0 > /dev/null 2>&1; then
		sc_fail "carp0 survived its parent's move"
		return 1
	fi
	[ "$(nsenter --net="$t" sysctl -n net.carp.suppress_preempt)" = 0 ] ||
		sc_fail "suppress_preempt left in the other namespace" || return 1
	ip link del dummy0 && sc_usable
}

# sc_traffic: hosts A and B (namespaces of ours) on a bridge in S; A is
# MASTER, B BACKUP; A's parent is deleted, alone and then in a group with
# A's carp device, and B takes over each time.
sc_traffic()
{
	local pa pb ps i rc

	unshare -n sleep 600 & pa=$!
	unshare -n sleep 600 & pb=$!
	unshare -n sleep 600 & ps=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(readlink /proc/$pa/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(readlink /proc/$pb/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(readlink /proc/$ps/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.1
	done
	sc_traffic_body "$pa" "$pb" "$ps"
	rc=$?
	kill "$pa" "$pb" "$ps"
	return $rc
}

sc_traffic_body()
{
	local pa=$1 pb=$2 ps=$3

	# on PID COMMAND...: a program or one of our functions in PID's namespace.
	on()
	{
		local p=$1
		shift
		nsenter --net=/proc/$p/ns/net bash -c "$(declare -f)"'
			builtin_sleep
			"$@"' bash "$@"
	}
	A() { on "$pa" "$@"; }
	B() { on "$pb" "$@"; }
	S() { on "$ps" "$@"; }
	# port HOST_PID NAME N: NAME in HOST, 10.6.0.N, on the bridge.
	port()
	{
		ip link add "$2" netns "$1" type veth peer name "s$2" netns "$ps" &&
		S ip link set "s$2" master br0 up &&
		nsenter --net=/proc/$1/ns/net ip addr add "10.6.0.$3/24" dev "$2" &&
		nsenter --net=/proc/$1/ns/net ip link set "$2" up
	}
	# vip HOST ADVSKEW PARENT
	vip()
	{
		$1 ip link add link "$3" name carp0 group 7 type carp vhid 1 advskew "$2" pass x &&
		$1 ip addr add 10.6.0.100/32 dev carp0 && $1 ip link set carp0 up
	}

	A ip link set lo up; B ip link set lo up; S ip link set lo up
	S ip link add br0 type bridge forward_delay 0 stp_state 0 && S ip link set br0 up &&
	port "$pa" a0 1 && port "$pb" b0 2 && vip A 0 a0 && vip B 100 b0 || return 1
	A sc_wait_state carp0 MASTER 10 && B sc_wait_state carp0 BACKUP 5 || return 1
	sc_log "A's parent deleted"
	A ip link del a0 || return 1
	A sc_gone carp0 && B sc_wait_state carp0 MASTER 6 || return 1
	# Back, with preempt: A is MASTER again.
	port "$pa" a0 1 && A ip link set a0 group 7 && A sysctl -qw net.carp.preempt=1 &&
	vip A 0 a0 || return 1
	A sc_wait_state carp0 MASTER 10 && B sc_wait_state carp0 BACKUP 5 || return 1
	sc_log "A's parent and carp0 deleted in one group delete"
	A ip link del group 7 || sc_fail "ip link del group 7" || return 1
	A sc_gone a0 carp0 && B sc_wait_state carp0 MASTER 6 || return 1
	A sc_usable && B sc_usable
}

SC_FUNCS="$(compgen -A function sc_ | tr '\n' ' ') link_state builtin_sleep"

# as_root NS FN ARGS...: FN in namespace NS, as root.
as_root()
{
	local ns=$1
	shift
	ip netns exec "$ns" bash -c "$(declare -f $SC_FUNCS)"'
		builtin_sleep
		"$@"' bash "$@"
}

# as_user FN ARGS...: FN as user nobody, root of a new user namespace, in a
# new network namespace.
as_user()
{
	# nobody may not read the checkout (a CI clone in a 0700 mktemp
	# directory): it gets the ip plugin from a copy of its own.  Without
	# IP_LIB_DIR, ip(8) knows "type carp" by itself or finds the plugin
	# in its default directory.
	if [ -n "${IP_LIB_DIR:-}" ] && [ -z "${USER_IP_LIB_DIR:-}" ]; then
		USER_IP_LIB_DIR=$(mktemp -d /tmp/carp-iplib.XXXXXX) || return 1
		cp "$IP_LIB_DIR"/link_carp.so "$USER_IP_LIB_DIR"/ || return 1
		chmod 755 "$USER_IP_LIB_DIR"
		chmod 644 "$USER_IP_LIB_DIR"/link_carp.so
	fi
	(cd / && env ${USER_IP_LIB_DIR:+IP_LIB_DIR="$USER_IP_LIB_DIR"} \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -Urn bash -c "$(declare -f $SC_FUNCS)"'
		builtin_sleep
		ip link set lo up
		"$@"' bash "$@")
}

# The machine still works: RTNL is free, in another namespace.
rtnl_alive()
{
	local ns=alive-$$

	ip netns add $ns || return 1
	timeout 10 ip -n $ns link show > /dev/null || fail "ip link show hangs: RTNL held?"
	local rc=$?
	ip netns del $ns
	return $rc
}

# scratch_ns VAR...: namespaces for one case; drop_ns removes them again.
scratch_ns()
{
	local var

	for var in "$@"; do
		ip netns del "$var-$$" 2>/dev/null
	done
	setup_ns "$@"
}

drop_ns()
{
	local ns

	for ns in "$@"; do
		ip netns del "$ns"
	done
}

# as_root_scratch FN ARGS...: FN as root in a namespace of its own.
as_root_scratch()
{
	local s rc

	scratch_ns s || return 1
	as_root "$s" "$@"
	rc=$?
	drop_ns "$s"
	return $rc
}

test_group_delete_down() { as_root_scratch sc_group_down && rtnl_alive; }
test_group_delete_up() { as_root_scratch sc_group_up && rtnl_alive; }
test_group_delete_down_userns() { as_user sc_group_down && rtnl_alive; }
test_group_delete_up_userns() { as_user sc_group_up && rtnl_alive; }
test_batch() { as_root_scratch sc_batch && rtnl_alive; }
test_batch_userns() { as_user sc_batch && rtnl_alive; }

# gone_within NS DEV TIMEOUT_S: DEV disappears from NS.
gone_within()
{
	local i

	for ((i = 0; i < $3 * 5; i++)); do
		ip -n "$1" link show "$2" > /dev/null 2>&1 || return 0
		sleep 0.2
	done
	fail "$2 is still in $1 after $3 s: the namespace was not dismantled"
}

# doomed MODE: a namespace with carp devices (sc_doomed) goes away, as root
# with "ip netns del" or as the user's last process exits.  Its eth0's peer,
# w0 in namespace w, disappears only once it is really dismantled.
doomed()
{
	local mode=$1 d=doomed-$$ dir pid i rc=0

	scratch_ns w || return 1
	ip -n "$w" link add w0 type veth peer name eth0 || return 1
	dir=$(mktemp -d) && chmod 777 "$dir" || return 1
	if [ "$mode" = root ]; then
		ip netns add $d || return 1
		NS_LIST+=("$d")
		ip -n $d link set lo up
		as_root $d sc_doomed "$dir" &
	else
		as_user sc_doomed "$dir" &
	fi
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ -e "$dir/pid" ] && break
		sleep 0.1
	done
	# Into the namespace after carp0: later in its list of devices.
	ip -n "$w" link set eth0 netns "$(cat "$dir/pid")" || fail "moving eth0 in" || rc=1
	ip -n "$w" link set w0 up
	wait "$pid" || fail "filling the namespace failed" || rc=1
	rm -rf "$dir"
	[ "$mode" != root ] || ip netns del $d
	if [ $rc != 0 ]; then
		drop_ns "$w"
		return 1
	fi
	gone_within "$w" w0 30 && rtnl_alive && as_root "$w" sc_usable
	rc=$?
	drop_ns "$w"
	return $rc
}

test_netns_delete() { doomed root; }
test_netns_exit_userns() { doomed user; }

test_parent_moved()
{
	local rc

	scratch_ns m x || return 1
	as_root "$m" sc_moved "/run/netns/$x" && rtnl_alive
	rc=$?
	drop_ns "$m" "$x"
	return $rc
}

test_parent_moved_userns()
{
	as_user sc_moved && rtnl_alive
}

traffic_body()
{
	log "a's parent deleted: a's carp0 goes, b takes over"
	ip -n "$a" link del eth0 || return 1
	wait_state "$b" carp0 MASTER 6 || return 1
	as_root "$a" sc_gone carp0 || return 1
	# Back, MASTER again (preempt), parent and carp0 in group 7...
	lan_attach "$a" 10.0.0.1/24 && ip -n "$a" link set eth0 group 7 &&
	ip netns exec "$a" sysctl -qw net.carp.preempt=1 && carp_up "$a" 0 &&
	ip -n "$a" link set carp0 group 7 || return 1
	wait_state "$a" carp0 MASTER 10 && wait_state "$b" carp0 BACKUP 5 || return 1
	log "a's parent and carp0 deleted in one group delete"
	ip -n "$a" link del group 7 || fail "ip link del group 7" || return 1
	wait_state "$b" carp0 MASTER 6 || return 1
	as_root "$a" sc_gone eth0 carp0 && as_root "$a" sc_usable && rtnl_alive
}

test_parent_deleted_in_traffic()
{
	local rc=0

	converge 100 || return 1
	watched traffic_body || rc=1
	# a as it was.
	ip -n "$a" link show eth0 > /dev/null 2>&1 || lan_attach "$a" 10.0.0.1/24
	reset
	return $rc
}

test_parent_deleted_in_traffic_userns()
{
	as_user sc_traffic && rtnl_alive
}

CASES=(
	"adding a carp device does not demote the host|test_new_device_keeps_master"
	"send errors: suppression ends at the takeover|test_senderr_suppress_ends_after_takeover"
	"send errors: suppression ends on delete|test_senderr_suppress_ends_on_delete"
	"bow-out when the last address goes: fast, and authenticated|test_bow_out_last_address"
	"sysfs state and ip link set need CAP_NET_ADMIN|test_state_write_needs_net_admin"
	"net.carp sysctls need CAP_NET_ADMIN|test_sysctl_write_needs_net_admin"
	"module parameters are init_net's net.carp|test_module_parameters_are_init_ns"
	"group delete of a parent and its carp devices, down|test_group_delete_down"
	"group delete of a parent and its carp devices, up|test_group_delete_up"
	"userns: group delete, down|test_group_delete_down_userns"
	"userns: group delete, up|test_group_delete_up_userns"
	"ip -batch deletes parents and carp devices in any order|test_batch"
	"userns: ip -batch deletes in any order|test_batch_userns"
	"ip netns del with bound and autobound carp devices|test_netns_delete"
	"userns: the namespace dies with autobound and bound carp devices|test_netns_exit_userns"
	"the parent moves to another namespace: its carp devices go|test_parent_moved"
	"userns: the parent moves to another namespace|test_parent_moved_userns"
	"the MASTER's parent deleted, alone and in a group|test_parent_deleted_in_traffic"
	"userns: the MASTER's parent deleted|test_parent_deleted_in_traffic_userns"
)

selected=()
for c in "${CASES[@]}"; do
	if [ $# -eq 0 ] || [[ " $* " == *" ${c#*|} "* ]]; then
		selected+=("$c")
	fi
done

trap 'cleanup_all_ns; rm -rf "${USER_IP_LIB_DIR:-/nonexistent}"' EXIT
require_carp
setup || exit $ksft_fail
ktap_plan ${#selected[@]}
for c in "${selected[@]}"; do
	t0=$(now_ms)
	run_test "${c%%|*}" "${c#*|}"
	log "$((($(now_ms) - t0) / 1000)) s"
done
ktap_finish
