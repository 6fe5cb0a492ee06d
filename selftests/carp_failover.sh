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
# authentication, who answers ARP for the address, and what a BACKUP does
# with frames sent to the virtual MAC.
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

# A fresh pair, a wins: advskew 0 advertises more often than 100.
converge()
{
	carp_down_all
	carp_up "$a" 0 && carp_up "$b" 100 || return 1
	wait_state "$b" carp0 BACKUP 5 && wait_state "$a" carp0 MASTER 10
}

test_election()
{
	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	# Never two masters afterwards.
	hold_state 3 "$a:carp0=MASTER" "$b:carp0=BACKUP" || return 1
	ip -n "$a" link show carp0 | grep -q "state UP" || fail "MASTER is not UP" || return 1
	ip -n "$b" link show carp0 | grep -q "state DORMANT" || fail "BACKUP is not DORMANT"
	masters_watch_end $?
}

test_link_down_failover()
{
	local ms

	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	# b's master-down is 3 + 100/256 s after a's last advertisement.
	ms=$(ip netns exec "$a" python3 "$SELFTEST_DIR/carp_timer.py" "$a" eth0 "$b" carp0 8)
	log "link down -> takeover in $ms ms"
	[ "$ms" != timeout ] && [ "$ms" -le 4400 ] || fail "takeover: $ms ms" || return 1
	check_eq "$(carp_state "$a" carp0)" INIT "a with parent down" || return 1
	ip -n "$a" link show carp0 | grep -q LOWERLAYERDOWN ||
		fail "INIT is not LOWERLAYERDOWN" || return 1
	# Parent back: a returns as BACKUP (no preemption by default).
	ip -n "$a" link set eth0 up
	wait_state "$a" carp0 BACKUP 5 || return 1
	sleep 4
	check_eq "$(carp_state "$a" carp0)/$(carp_state "$b" carp0)" BACKUP/MASTER \
		"a/b without preempt"
	masters_watch_end $?
}

test_bow_out()
{
	local ms

	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	ms=$(ip netns exec "$a" python3 "$SELFTEST_DIR/carp_timer.py" "$a" carp0 "$b" carp0 5)
	log "bow-out -> takeover in $ms ms"
	[ "$ms" != timeout ] && [ "$ms" -lt 500 ] || fail "bow-out takeover: $ms ms"
	masters_watch_end $?
}

test_preempt()
{
	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	# a leaves, b takes over, a returns...
	ip -n "$a" link set carp0 down
	wait_state "$b" carp0 MASTER 2 || return 1
	ip -n "$a" link set carp0 up
	wait_state "$a" carp0 BACKUP 3 || return 1
	# ...without preempt it stays BACKUP beyond a master-down interval,
	sleep 4
	check_eq "$(carp_state "$a" carp0)" BACKUP "a, preempt 0" || return 1
	# with it, a takes over from the slower b at its next advertisement.
	ip netns exec "$a" sysctl -qw net.carp.preempt=1
	wait_state "$a" carp0 MASTER 3 && wait_state "$b" carp0 BACKUP 3
	masters_watch_end $?
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
	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	check_eq "$(arp_replies)" "$VMAC $VMAC" "replies from a MASTER/BACKUP pair" ||
		return 1
	# a gone: b is BACKUP until its master-down timer fires; nobody answers.
	# advbase 3 makes that 9.4 s from a's last advertisement (the next one
	# re-arms b's timer), far longer than a probe under emulation takes.
	ip -n "$b" link set carp0 type carp advbase 3 || return 1
	sleep 1.5
	ip -n "$a" link set eth0 down
	check_eq "$(arp_replies)" "" "replies while the only holder is BACKUP" || return 1
	wait_state "$b" carp0 MASTER 12 || return 1
	# Back to a's interval: a returning as BACKUP times out after 3 s.
	ip -n "$b" link set carp0 type carp advbase 1 || return 1
	check_eq "$(arp_replies)" "$VMAC $VMAC" "replies after failover" || return 1
	ip -n "$a" link set eth0 up
	wait_state "$a" carp0 BACKUP 5 || return 1
	check_eq "$(arp_replies)" "$VMAC $VMAC" "replies with a back as BACKUP"
	masters_watch_end $?
}

test_backup_silent()
{
	carp_down_all
	# Only b, BACKUP for the 30 s of its master-down interval: it stays
	# silent, and so does its parent, whatever arp_ignore says.
	ip -n "$b" link add link eth0 name carp0 type carp vhid 1 advbase 10 \
		pass secret || return 1
	ip -n "$b" addr add $VIP/24 dev carp0
	ip -n "$b" link set carp0 up
	wait_state "$b" carp0 BACKUP 5 || return 1
	ip netns exec "$b" sysctl -qw net.ipv4.conf.all.arp_ignore=0
	ip netns exec "$b" sysctl -qw net.ipv4.conf.eth0.arp_ignore=0
	check_eq "$(arp_replies)" "" "replies from a lone BACKUP" || return 1
	check_eq "$(carp_state "$b" carp0)" BACKUP "b during the probe"
}

test_client_across_failover()
{
	local lost=0 i

	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	ip netns exec "$c" ping -c 2 -W 1 $VIP > /dev/null || fail "ping" || return 1
	check_eq "$(neigh_mac "$c" $VIP)" $VMAC "client's neighbour entry" || return 1
	ip -n "$a" link set eth0 down
	for i in $(seq 1 40); do
		ip netns exec "$c" ping -c 1 -W 0.2 $VIP > /dev/null || lost=$((lost + 1))
		[ "$(carp_state "$b" carp0)" = MASTER ] && break
	done
	wait_state "$b" carp0 MASTER 2 || return 1
	ip netns exec "$c" ping -c 3 -W 1 $VIP > /dev/null || fail "no ping after failover" ||
		return 1
	log "pings lost during failover: $lost"
	check_eq "$(neigh_mac "$c" $VIP)" $VMAC "client's neighbour entry after failover"
	masters_watch_end $?
}

# rx_stats NS: "IFNAME RX_PACKETS RX_OTHERHOST_DROPPED" per device of NS,
# from IFLA_STATS64 as "ip -j -s -s" shows it ("otherhost", left out while
# it is 0).
rx_stats()
{
	ip -n "$1" -j -s -s link show |
		jq -r '.[] | "\(.ifname) \(.stats64.rx.packets) \(.stats64.rx.otherhost // 0)"'
}

# rx_delta BEFORE AFTER IFNAME COLUMN: how much a counter of rx_stats grew.
rx_delta()
{
	local b a

	b=$(awk -v d="$3" -v c="$4" '$1 == d { print $c }' <<<"$1")
	a=$(awk -v d="$3" -v c="$4" '$1 == d { print $c }' <<<"$2")
	echo $((a - b))
}

test_backup_counts_vmac_drops()
{
	local pa=p-$a n=100 a0 b0 a1 b1 rc=0 out

	pa=${pa:0:15}
	converge || return 1
	# A switch that floods the virtual MAC (it never learns it from a's
	# advertisements), as a hub or a full forwarding table would: the
	# BACKUP gets every frame for the MASTER.  c sends to the virtual MAC
	# without ARP.
	ip -n "$sw" link set "$pa" type bridge_slave learning off fdb_flush &&
	ip -n "$c" neigh replace $VIP lladdr $VMAC dev eth0 nud permanent || return 1
	a0=$(rx_stats "$a") b0=$(rx_stats "$b")
	ip netns exec "$c" bash -c 'for ((i = 0; i < $1; i++)); do
		echo x > /dev/udp/$2/9; done' bash $n $VIP
	sleep 0.5
	a1=$(rx_stats "$a") b1=$(rx_stats "$b")
	check_eq "$(rx_delta "$a0" "$a1" carp0 2)" $n "MASTER's carp0 rx_packets" || rc=1
	check_eq "$(rx_delta "$b0" "$b1" carp0 3)" $n "BACKUP's carp0 rx_otherhost_dropped" ||
		rc=1
	check_eq "$(rx_delta "$b0" "$b1" eth0 3)" 0 "BACKUP's eth0 rx_otherhost_dropped" || rc=1
	check_eq "$(rx_delta "$a0" "$a1" carp0 3)" 0 "MASTER's carp0 rx_otherhost_dropped" ||
		rc=1
	# ip -s -s shows it in the "RX errors" lines, as "otherhost".
	out=$(ip -n "$b" -s -s link show dev carp0)
	grep -A1 "RX errors:" <<<"$out" | sed 's/^/# /'
	grep -q "RX errors:.* otherhost" <<<"$out" ||
		fail "ip -s -s link show carp0 on the BACKUP has no otherhost column" || rc=1
	ip -n "$c" neigh del $VIP dev eth0
	ip -n "$sw" link set "$pa" type bridge_slave learning on
	return $rc
}

require_carp
setup || exit $ksft_fail
ktap_plan 9
run_test "one MASTER, one BACKUP, never two masters" test_election
run_test "parent link down: BACKUP takes over within master-down + 1 s" test_link_down_failover
run_test "bow-out: takeover in under 0.5 s" test_bow_out
run_test "preempt off keeps, preempt on takes back" test_preempt
run_test "different passwords: both MASTER, badauth counted" test_bad_password
run_test "only the MASTER answers ARP, with the virtual MAC" test_arp_ownership
run_test "a BACKUP and its parent never answer ARP for the address" test_backup_silent
run_test "a client reaches the address across a failover" test_client_across_failover
run_test "a BACKUP counts frames for the virtual MAC as otherhost drops" \
	test_backup_counts_vmac_drops
ktap_finish
