#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two hosts share 10.0.0.100 with vhid 1; a client watches.
#
#    a (10.0.0.1, advskew 0)   b (10.0.0.2, advskew 100)   c (10.0.0.10)
#            eth0                      eth0                    eth0
#              \________________ br0 (ns sw) __________________/
#
# Master election, failover on link loss, the bow-out, preemption,
# authentication, and who answers ARP for the address.
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100
VMAC=00:00:5e:00:01:01

setup()
{
	lan_create || return 1
	setup_ns a b c || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24 &&
	lan_attach "$c" 10.0.0.10/24 || return 1
}

# carp_up NS ADVSKEW [PASS]: carp0 on eth0 with the VIP, up.
carp_up()
{
	ip -n "$1" link add link eth0 name carp0 type carp vhid 1 advskew "$2" \
		pass "${3:-secret}" || return 1
	ip -n "$1" addr add $VIP/24 dev carp0
	ip -n "$1" link set carp0 up
}

carp_down_all()
{
	ip -n "$a" link del carp0 2>/dev/null
	ip -n "$b" link del carp0 2>/dev/null
	ip netns exec "$a" sysctl -qw net.carp.preempt=0
	ip netns exec "$b" sysctl -qw net.carp.preempt=0
	ip -n "$a" link set eth0 up
	ip -n "$b" link set eth0 up
	ip -n "$c" neigh flush dev eth0
}

# Both up, a wins: advskew 0 advertises more often than 100.
converge()
{
	carp_up "$a" 0 && carp_up "$b" 100 || return 1
	wait_state "$b" carp0 BACKUP 5 && wait_state "$a" carp0 MASTER 10
}

test_election()
{
	local i sa sb

	converge || return 1
	# Never two masters afterwards.
	for i in $(seq 1 30); do
		sa=$(carp_state "$a" carp0) sb=$(carp_state "$b" carp0)
		[ "$sa" = MASTER ] && [ "$sb" = MASTER ] && { fail "two masters"; return 1; }
		[ "$sa" = MASTER ] || { fail "a lost MASTER: $sa"; return 1; }
		sleep 0.1
	done
	ip -n "$a" link show carp0 | grep -q "state UP" || fail "MASTER is not UP"
	ip -n "$b" link show carp0 | grep -q "state DORMANT" || fail "BACKUP is not DORMANT"
}

test_link_down_failover()
{
	local t0 t1

	t0=$(now_ms)
	ip -n "$a" link set eth0 down
	# b's master-down is 3 + 100/256 s; allow one second more.
	wait_state "$b" carp0 MASTER 5 || return 1
	t1=$(now_ms)
	log "link down -> takeover in $((t1 - t0)) ms"
	[ $((t1 - t0)) -le 4400 ] || fail "took $((t1 - t0)) ms"
	check_eq "$(carp_state "$a" carp0)" INIT "a with parent down" || return 1
	ip -n "$a" link show carp0 | grep -q LOWERLAYERDOWN || fail "INIT is not LOWERLAYERDOWN"
	# Parent back: a returns as BACKUP (no preemption by default).
	ip -n "$a" link set eth0 up
	wait_state "$a" carp0 BACKUP 5 || return 1
	sleep 4
	check_eq "$(carp_state "$a" carp0)" BACKUP "a without preempt" &&
	check_eq "$(carp_state "$b" carp0)" MASTER "b stays MASTER"
}

test_bow_out()
{
	local t0 t1

	wait_state "$a" carp0 MASTER 1 || return 1
	t0=$(now_ms)
	ip -n "$a" link set carp0 down
	wait_state "$b" carp0 MASTER 2 || return 1
	t1=$(now_ms)
	log "bow-out -> takeover in $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt 500 ] || fail "bow-out takeover took $((t1 - t0)) ms"
}

test_preempt()
{
	# b is MASTER (a was down).  Without preempt a stays BACKUP...
	ip -n "$a" link set carp0 up
	wait_state "$a" carp0 BACKUP 3 || return 1
	sleep 4
	check_eq "$(carp_state "$a" carp0)" BACKUP "a, preempt 0" || return 1
	# ...with it, a takes over from the slower b at its next advertisement.
	ip netns exec "$a" sysctl -qw net.carp.preempt=1
	wait_state "$a" carp0 MASTER 3 || return 1
	wait_state "$b" carp0 BACKUP 3
}

test_bad_password()
{
	local before after

	carp_down_all
	before=$(carp_stat "$b" badauth)
	carp_up "$a" 0 one && carp_up "$b" 100 two || return 1
	wait_state "$a" carp0 MASTER 10 && wait_state "$b" carp0 MASTER 10 || return 1
	sleep 2
	check_eq "$(carp_state "$a" carp0)/$(carp_state "$b" carp0)" MASTER/MASTER \
		"both keep MASTER" || return 1
	after=$(carp_stat "$b" badauth)
	[ "$after" -gt "$before" ] || fail "badauth did not move: $before -> $after"
}

# All ARP replies for the VIP, as "sender-hw ethernet-src" lines.
arp_replies()
{
	ip netns exec "$c" python3 "$SELFTEST_DIR/arp_probe.py" eth0 10.0.0.10 $VIP 1
}

test_arp_ownership()
{
	local replies

	carp_down_all
	converge || return 1
	replies=$(arp_replies)
	check_eq "$replies" "$VMAC $VMAC" "ARP replies (MASTER only, virtual MAC)" || return 1
	# With only the BACKUP holding the address, nobody answers.
	ip -n "$a" link set eth0 down
	sleep 0.2
	replies=$(arp_replies)
	check_eq "$replies" "" "ARP replies while the only holder is BACKUP" || return 1
	wait_state "$b" carp0 MASTER 5 || return 1
	replies=$(arp_replies)
	check_eq "$replies" "$VMAC $VMAC" "ARP replies after failover" || return 1
	ip -n "$a" link set eth0 up
	wait_state "$a" carp0 BACKUP 5 || return 1
	replies=$(arp_replies)
	check_eq "$replies" "$VMAC $VMAC" "ARP replies with a back as BACKUP"
}

test_backup_silent()
{
	local replies

	carp_down_all
	# Only b, and b held in BACKUP: it answers nothing, its parent neither.
	carp_up "$b" 100 || return 1
	wait_state "$b" carp0 BACKUP 5 || return 1
	replies=$(arp_replies)
	check_eq "$replies" "" "ARP replies from a lone BACKUP" || return 1
	ip netns exec "$b" sysctl -qw net.ipv4.conf.all.arp_ignore=0
	replies=$(arp_replies)
	check_eq "$replies" "" "ARP replies with arp_ignore=0"
}

test_client_across_failover()
{
	local lost=0 i

	carp_down_all
	converge || return 1
	ip netns exec "$c" ping -c 2 -W 1 $VIP > /dev/null || { fail "ping"; return 1; }
	check_eq "$(ip -n "$c" neigh show $VIP | awk '{print $3}')" $VMAC "client neigh" ||
		return 1
	ip -n "$a" link set eth0 down
	for i in $(seq 1 60); do
		ip netns exec "$c" ping -c 1 -W 0.2 $VIP > /dev/null || lost=$((lost + 1))
		[ "$(carp_state "$b" carp0)" = MASTER ] && [ $i -gt 45 ] && break
		sleep 0.1
	done
	wait_state "$b" carp0 MASTER 1 || return 1
	ip netns exec "$c" ping -c 3 -W 1 $VIP > /dev/null || { fail "no ping after failover"; return 1; }
	log "pings lost during failover: $lost"
	check_eq "$(ip -n "$c" neigh show $VIP | awk '{print $3}')" $VMAC "client neigh after failover"
	ip -n "$a" link set eth0 up
}

require_carp
setup || exit $ksft_fail
ktap_plan 8
run_test "one MASTER, one BACKUP, never two masters" test_election
run_test "parent link down: BACKUP takes over within master-down + 1 s" test_link_down_failover
run_test "bow-out: takeover in under 0.5 s" test_bow_out
run_test "preempt off keeps, preempt on takes back" test_preempt
run_test "different passwords: both MASTER, badauth counted" test_bad_password
run_test "only the MASTER answers ARP, with the virtual MAC" test_arp_ownership
run_test "a BACKUP and its parent never answer ARP for the address" test_backup_silent
run_test "a client reaches the address across a failover" test_client_across_failover
ktap_finish
