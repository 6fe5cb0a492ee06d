#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-wide controls and observability: the net.carp sysctls (each in
# effect, not only present), module parameter defaults, forced states via
# sysfs and netlink, counters for every kind of bad packet, log levels,
# uevents and netlink events, and the group failover of suppress_preempt.
#
#    a (10.0.0.1)   b (10.0.0.2)   x (10.0.0.9, crafts packets)
#         \______________ br0 (ns sw) ______________/
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100

setup()
{
	lan_create || return 1
	setup_ns a b x || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24 &&
	lan_attach "$x" 10.0.0.9/24
}

# carp_up NS ADVSKEW [ADVBASE [PASS]]
carp_up()
{
	ip -n "$1" link add link eth0 name carp0 type carp vhid 1 advskew "$2" \
		advbase "${3:-1}" pass "${4:-secret}" || return 1
	ip -n "$1" addr add $VIP/24 dev carp0
	ip -n "$1" link set carp0 up
}

reset()
{
	local ns

	for ns in "$a" "$b"; do
		ip -n "$ns" link del carp0 2>/dev/null
		ip -n "$ns" link del carp1 2>/dev/null
		ip -n "$ns" link del eth9 2>/dev/null
		ip netns exec "$ns" sysctl -qw net.carp.allow=1 net.carp.preempt=0 net.carp.log=1
	done
}

sysfs() { ip netns exec "$1" cat "/sys/class/net/$2/carp/$3"; }

test_defaults_and_ranges()
{
	local v

	for v in allow=1 preempt=0 log=1 arpbalance=0 suppress_preempt=0; do
		check_eq "$(ip netns exec "$a" sysctl -n "net.carp.${v%=*}")" "${v#*=}" \
			"default net.carp.${v%=*}" || return 1
	done
	if ip netns exec "$a" sh -c 'echo 2 > /proc/sys/net/carp/allow' 2>/dev/null; then
		fail "allow=2 accepted"; return 1
	fi
	if ip netns exec "$a" sh -c 'echo -1 > /proc/sys/net/carp/preempt' 2>/dev/null; then
		fail "preempt=-1 accepted"; return 1
	fi
	ip netns exec "$a" sh -c 'echo 5 > /proc/sys/net/carp/suppress_preempt' 2>/dev/null
	check_eq "$(ip netns exec "$a" sysctl -n net.carp.suppress_preempt)" 0 \
		"suppress_preempt after a write" || return 1
	check_eq "$(ip netns exec "$a" sysctl -n net.carp.allow)" 1 "allow after bad writes" ||
		return 1
	# Independent per namespace.
	ip netns exec "$a" sysctl -qw net.carp.preempt=1
	check_eq "$(ip netns exec "$b" sysctl -n net.carp.preempt)" 0 "b's preempt" || return 1
	ip netns exec "$a" sysctl -qw net.carp.preempt=0
}

test_module_parameter_defaults()
{
	local ns=param-$$

	echo 1 > /sys/module/carp/parameters/preempt
	echo 2 > /sys/module/carp/parameters/log
	ip netns add $ns
	check_eq "$(ip netns exec $ns sysctl -n net.carp.preempt)/$(
		ip netns exec $ns sysctl -n net.carp.log)" 1/2 "new namespace's preempt/log"
	local rc=$?
	echo 0 > /sys/module/carp/parameters/preempt
	echo 1 > /sys/module/carp/parameters/log
	ip netns del $ns
	return $rc
}

test_allow()
{
	local before after

	reset
	carp_up "$a" 0 && carp_up "$b" 100 || return 1
	wait_state "$a" carp0 MASTER 10 && wait_state "$b" carp0 BACKUP 1 || return 1
	before=$(carp_stat "$b" disallowed)
	# b stops listening: the master's advertisements no longer hold it.
	ip netns exec "$b" sysctl -qw net.carp.allow=0
	wait_state "$b" carp0 MASTER 6 || return 1
	after=$(carp_stat "$b" disallowed)
	[ "$after" -gt "$before" ] || fail "disallowed did not count" || return 1
	ip netns exec "$b" sysctl -qw net.carp.allow=1
	wait_state "$b" carp0 BACKUP 4
}

test_forced_state()
{
	reset
	# b alone, BACKUP for its 30 s master-down interval.
	carp_up "$b" 100 10 || return 1
	wait_state "$b" carp0 BACKUP 5 || return 1
	ip netns exec "$b" sh -c 'echo MASTER > /sys/class/net/carp0/carp/state' ||
		return 1
	check_eq "$(sysfs "$b" carp0 state)" MASTER "sysfs state after forcing" || return 1
	ip -n "$b" link set carp0 type carp state backup || return 1
	check_eq "$(carp_state "$b" carp0)" BACKUP "state after ip link set state backup" ||
		return 1
	ip -n "$b" link set carp0 type carp state master || return 1
	check_eq "$(carp_state "$b" carp0)" MASTER "state after ip link set state master" ||
		return 1
	if ip netns exec "$b" sh -c 'echo bogus > /sys/class/net/carp0/carp/state' 2>/dev/null; then
		fail "bogus state accepted"; return 1
	fi
	# Refused in INIT (ENETDOWN).
	ip -n "$b" link set carp0 down
	if ip netns exec "$b" sh -c 'echo MASTER > /sys/class/net/carp0/carp/state' 2>/dev/null
	then
		fail "sysfs state write in INIT accepted"; return 1
	fi
	check_eq "$(sysfs "$b" carp0 state)" INIT "forcing in INIT" || return 1
	check_eq "$(sysfs "$b" carp0 vhid)/$(sysfs "$b" carp0 advbase)/$(
		sysfs "$b" carp0 advskew)" 1/10/100 "sysfs vhid/advbase/advskew"
}

# poll_ge SECONDS MIN CMD...: wait until CMD prints a number >= MIN.
poll_ge()
{
	local end=$((SECONDS + $1)) min=$2 v

	shift 2
	while :; do
		v=$("$@" 2>/dev/null)
		[[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge "$min" ] && return 0
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}

# send_bad NAME ARGS...: NAME counts up by ARGS' packets in b, per host and
# per device; b stays BACKUP.
send_bad()
{
	local name=$1 host dev
	shift
	host=$(carp_stat "$b" "$name")
	dev=$(sysfs "$b" carp0 "$name" 2>/dev/null || echo -)
	ip netns exec "$x" python3 "$SELFTEST_DIR/carp_send.py" eth0 10.0.0.9 "$@" \
		advbase=255 advskew=255 count=3 || return 1
	# Delivery through veth is asynchronous: poll, do not guess a delay.
	poll_ge 5 $((host + 3)) carp_stat "$b" "$name" ||
		fail "$name: host counter $host -> $(carp_stat "$b" "$name")" || return 1
	if [ "$dev" != - ]; then
		poll_ge 5 $((dev + 3)) sysfs "$b" carp0 "$name" ||
			fail "$name: device counter $dev -> $(sysfs "$b" carp0 "$name")" ||
			return 1
	fi
	check_eq "$(carp_state "$b" carp0)" BACKUP "b after $name packets"
}

test_bad_packet_counters()
{
	reset
	# b alone, BACKUP for 3 x 60 s: any packet that got through would be a
	# bow-out (255/255) and make it MASTER at once.  The window is wide
	# because the fourteen sends and forty counter reads below take half a
	# minute on a debug kernel under TCG.
	carp_up "$b" 0 60 || return 1
	wait_state "$b" carp0 BACKUP 5 || return 1
	send_bad badttl 1 secret $VIP ttl=64 &&
	send_bad badlen 1 secret $VIP length=20 &&
	send_bad badver 1 secret $VIP version=3 &&
	send_bad badsum 1 secret $VIP badsum=1 &&
	send_bad badvhid 2 secret $VIP &&
	send_bad badauth 1 wrong $VIP &&
	send_bad badauth 1 secret 10.0.0.101 || return 1
	# And a good one is taken: the bow-out makes b MASTER.
	ip netns exec "$x" python3 "$SELFTEST_DIR/carp_send.py" eth0 10.0.0.9 1 secret \
		$VIP advbase=255 advskew=255
	wait_state "$b" carp0 MASTER 1
}

test_log_levels()
{
	local mark

	reset
	mark="carp-selftest-$$-$RANDOM"
	echo "$mark" > /dev/kmsg
	ip netns exec "$b" sysctl -qw net.carp.log=0
	carp_up "$b" 0 10 || return 1
	ip netns exec "$x" python3 "$SELFTEST_DIR/carp_send.py" eth0 10.0.0.9 1 wrong $VIP
	ip netns exec "$b" sysctl -qw net.carp.log=1
	ip -n "$b" link set carp0 type carp state master
	ip netns exec "$b" sysctl -qw net.carp.log=2
	ip -n "$b" link set carp0 type carp state backup
	ip netns exec "$x" python3 "$SELFTEST_DIR/carp_send.py" eth0 10.0.0.9 1 wrong2 $VIP
	sleep 0.3
	dmesg | sed -n "/$mark/,\$p" > /tmp/carp-log-$$
	# log=0: nothing; log=1: bad packets but not the state change;
	# log=2: both.
	check_eq "$(grep -c 'carp0: vhid 1: MASTER -> BACKUP (user requested)' \
		/tmp/carp-log-$$)" 1 \
		"state change logged at log=2" &&
	check_eq "$(grep -c 'BACKUP -> MASTER (user requested)' /tmp/carp-log-$$)" 0 \
		"state change not logged at log=1" &&
	check_eq "$(grep -c 'dropped advertisement from 10.0.0.9: badauth' /tmp/carp-log-$$)" 1 \
		"bad packets logged at log 2, not at log 0"
	local rc=$?
	rm -f /tmp/carp-log-$$
	return $rc
}

# events_start: run carp_events.py in $b until events_stop; returns once
# it listens (python starts slowly on a debug kernel, a fixed sleep raced).
events_start()
{
	rm -f /tmp/carp-ev-$$ /tmp/carp-ev-$$.err
	ip netns exec "$b" python3 "$SELFTEST_DIR/carp_events.py" \
		> /tmp/carp-ev-$$ 2> /tmp/carp-ev-$$.err &
	EVENTS_PID=$!
	local end=$((SECONDS + 60))
	until grep -q listening /tmp/carp-ev-$$.err 2>/dev/null; do
		[ $SECONDS -lt $end ] || { fail "carp_events.py did not start"; return 1; }
		sleep 0.05
	done
}

# events_stop COUNT PATTERN...: wait up to 10 s until each PATTERN matches
# COUNT lines, stop the listener and print what it saw.
events_stop()
{
	local count=$1 end=$((SECONDS + 10)) pat
	shift

	for pat in "$@"; do
		while [ "$(grep -c -- "$pat" /tmp/carp-ev-$$)" -lt "$count" ] &&
		      [ $SECONDS -lt $end ]; do
			sleep 0.05
		done
	done
	kill "$EVENTS_PID" 2>/dev/null
	wait "$EVENTS_PID" 2>/dev/null
	cat /tmp/carp-ev-$$
	rm -f /tmp/carp-ev-$$ /tmp/carp-ev-$$.err
}

test_events()
{
	local ev

	reset
	carp_up "$b" 0 10 || return 1
	wait_state "$b" carp0 BACKUP 5 || return 1
	events_start || return 1
	ip -n "$b" link set carp0 type carp state master
	ev=$(events_stop 1 'uevent CARP_STATE=MASTER' 'link carp0 MASTER')
	log "events: $ev"
	grep -q 'uevent CARP_STATE=MASTER CARP_VHID=1' <<<"$ev" || fail "no uevent" || return 1
	grep -q 'link carp0 MASTER' <<<"$ev" || fail "no RTM_NEWLINK with state MASTER"
}

# Two forced changes in a row, faster than the event work runs: each gets
# its uevent, in order (the work used to report only the state it found).
test_events_in_order()
{
	local ev seq

	reset
	carp_up "$b" 0 10 || return 1
	wait_state "$b" carp0 BACKUP 5 || return 1
	events_start || return 1
	printf 'link set carp0 type carp state master\nlink set carp0 type carp state backup\n' |
		ip -n "$b" -batch -
	ev=$(events_stop 2 '^uevent')
	seq=$(sed -n 's/^uevent CARP_STATE=\([A-Z]*\) .*/\1/p' <<<"$ev" | tr '\n' ' ')
	log "uevents: $seq"
	check_eq "$seq" "MASTER BACKUP " "uevents of state master; state backup"
}

test_group_failover()
{
	reset
	# a: two carp devices on two parents; b backs both up, with preempt.
	ip link add eth9 netns "$a" type veth peer name p-a9 netns "$sw"
	ip -n "$sw" link set p-a9 master br0 up
	ip -n "$a" addr add 10.0.0.11/24 dev eth9
	ip -n "$a" link set eth9 up
	ip -n "$a" link add link eth0 name carp0 type carp vhid 1 pass secret &&
	ip -n "$a" link add link eth9 name carp1 type carp vhid 2 pass secret || return 1
	ip -n "$b" link add link eth0 name carp0 type carp vhid 1 advskew 100 pass secret &&
	ip -n "$b" link add link eth0 name carp1 type carp vhid 2 advskew 100 pass secret ||
		return 1
	for ns in "$a" "$b"; do
		ip -n "$ns" addr add $VIP/24 dev carp0
		ip -n "$ns" addr add 10.0.0.101/24 dev carp1
		ip -n "$ns" link set carp0 up
		ip -n "$ns" link set carp1 up
	done
	ip netns exec "$b" sysctl -qw net.carp.preempt=1
	wait_state "$a" carp0 MASTER 10 && wait_state "$a" carp1 MASTER 5 || return 1
	wait_state "$b" carp0 BACKUP 1 && wait_state "$b" carp1 BACKUP 1 || return 1
	# a's second parent fails: carp1 goes INIT, and carp0, whose parent is
	# fine, advertises with skew 240 at once, so b takes over both.
	ip -n "$a" link set eth9 down
	wait_state "$b" carp0 MASTER 3 && wait_state "$b" carp1 MASTER 5 || return 1
	check_eq "$(ip netns exec "$a" sysctl -n net.carp.suppress_preempt)" 1 \
		"a's suppress_preempt" || return 1
	check_eq "$(carp_state "$a" carp0)" BACKUP "a's carp0" || return 1
	# Repaired: the count falls back to 0.
	ip -n "$a" link set eth9 up
	wait_state "$a" carp1 BACKUP 5 || return 1
	check_eq "$(ip netns exec "$a" sysctl -n net.carp.suppress_preempt)" 0 \
		"a's suppress_preempt after repair"
}

require_carp
setup || exit $ksft_fail
ktap_plan 9
run_test "sysctl defaults, ranges, one set per namespace" test_defaults_and_ranges
run_test "module parameters are the defaults of new namespaces" test_module_parameter_defaults
run_test "allow=0 stops reacting to a peer" test_allow
run_test "forced state through sysfs and netlink" test_forced_state
run_test "every kind of bad packet is counted and changes nothing" test_bad_packet_counters
run_test "log levels 0, 1 and 2" test_log_levels
run_test "state change: uevent and RTM_NEWLINK" test_events
run_test "two quick state changes: two uevents, in order" test_events_in_order
run_test "suppress_preempt: a parent down hands every vhid over" test_group_failover

ktap_finish
