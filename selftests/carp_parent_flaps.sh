#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The parent misbehaves under a running group: its MTU, its addresses and
# its link flap.  Two hosts share 10.0.0.100 with vhid 1 (and vhid 2 for the
# cases with two devices on one parent):
#
#    a (10.0.0.1, advskew 0)   b (10.0.0.2, advskew 100)
#            eth0                      eth0
#              \_________ br0 (ns sw) ______/
#
# After every flap the group must settle to one MASTER and stay there, the
# parent must still be a member of 224.0.0.18, and no suppression of
# preemption may be left behind.
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100

setup()
{
	lan_create || return 1
	setup_ns a b || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24
}

# carp_up NS DEV VHID ADVSKEW [PARENT]
carp_up()
{
	ip -n "$1" link add link "${5:-eth0}" name "$2" type carp vhid "$3" \
		advskew "$4" pass secret || return 1
	ip -n "$1" addr add $VIP/32 dev "$2"
	ip -n "$1" link set "$2" up
}

reset()
{
	local ns

	for ns in "$a" "$b"; do
		ip -n "$ns" link del carp0 2>/dev/null
		ip -n "$ns" link del carp1 2>/dev/null
		ip -n "$ns" link del vl5 2>/dev/null
		ip -n "$ns" link set eth0 mtu 1500 up
	done
	ip -n "$a" addr replace 10.0.0.1/24 dev eth0
	ip -n "$b" addr replace 10.0.0.2/24 dev eth0
}

converge()
{
	reset
	carp_up "$a" carp0 1 0 && carp_up "$b" carp0 1 100 || return 1
	wait_state "$b" carp0 BACKUP 5 && wait_state "$a" carp0 MASTER 10
}

# A VLAN parent, vl5 (VID 5) on eth0 with 10.0.5.x/24: unlike veth, a VLAN
# device takes an MTU below IPv4's 68 bytes, which removes IPv4 from it.
converge_vlan()
{
	reset
	ip -n "$a" link add link eth0 name vl5 type vlan id 5 &&
	ip -n "$b" link add link eth0 name vl5 type vlan id 5 || return 1
	ip -n "$a" addr add 10.0.5.1/24 dev vl5
	ip -n "$b" addr add 10.0.5.2/24 dev vl5
	ip -n "$a" link set vl5 up
	ip -n "$b" link set vl5 up
	carp_up "$a" carp0 1 0 vl5 && carp_up "$b" carp0 1 100 vl5 || return 1
	wait_state "$b" carp0 BACKUP 5 && wait_state "$a" carp0 MASTER 10
}

# in_group NS [DEV]: is NS's DEV (eth0) a member of 224.0.0.18?
in_group()
{
	ip -n "$1" maddr show dev "${2:-eth0}" | grep -q '224\.0\.0\.18'
}

suppress() { ip netns exec "$1" sysctl -n net.carp.suppress_preempt; }

test_mtu_flap_backup()
{
	converge_vlan || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	# Below 68 bytes IPv4 leaves the parent (and with it every multicast
	# membership); back at 1500 it returns with a new in_device.
	ip -n "$b" link set vl5 mtu 60 || fail "VLAN device refused MTU 60" || return 1
	ip -n "$b" link set vl5 mtu 1500
	ip -n "$b" addr replace 10.0.5.2/24 dev vl5
	in_group "$b" vl5 || fail "b's vl5 left 224.0.0.18 after the MTU flap" || return 1
	# Longer than b's master-down interval (3.4 s): b must keep hearing a.
	hold_state 6 "$b:carp0=BACKUP" || return 1
	masters_watch_stop
}

test_mtu_flap_two_devices()
{
	converge_vlan || return 1
	carp_up "$a" carp1 2 0 vl5 && carp_up "$b" carp1 2 100 vl5 || return 1
	wait_state "$b" carp1 BACKUP 5 && wait_state "$a" carp1 MASTER 10 || return 1
	ip -n "$b" link set vl5 mtu 60
	ip -n "$b" link set vl5 mtu 1500
	ip -n "$b" addr replace 10.0.5.2/24 dev vl5
	# A plain MTU change, which keeps the in_device, must not unbalance
	# the membership count either.
	ip -n "$b" link set vl5 mtu 1400
	# One device leaves: the other still needs the group.
	ip -n "$b" link del carp1
	in_group "$b" vl5 || fail "b's vl5 left 224.0.0.18 with carp0 still up" || return 1
	hold_state 5 "$b:carp0=BACKUP" || return 1
	# The last one leaves: so does the parent.
	ip -n "$b" link set carp0 down
	! in_group "$b" vl5 || fail "b's vl5 still in 224.0.0.18 with no carp device up"
}

carp0_mtu()
{
	ip -n "$a" -j link show carp0 |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])'
}

test_mtu_clamp()
{
	local mtu

	reset
	ip -n "$a" link set eth0 mtu 1280
	carp_up "$a" carp0 1 0 || return 1
	mtu=$(carp0_mtu)
	check_eq "$mtu" 1280 "carp0 MTU on a 1280-byte parent" || return 1
	ip -n "$a" link set eth0 mtu 1500
	ip -n "$a" link set eth0 mtu 1400
	mtu=$(carp0_mtu)
	check_eq "$mtu" 1280 "carp0 MTU after the parent went to 1400" || return 1
	ip -n "$a" link set eth0 mtu 1200
	mtu=$(carp0_mtu)
	check_eq "$mtu" 1200 "carp0 MTU after the parent went to 1200" || return 1
	if ip -n "$a" link set carp0 mtu 1300 2>/dev/null; then
		fail "carp0 accepted an MTU above its parent's"
		return 1
	fi
	ip -n "$a" link set carp0 mtu 1000 || fail "carp0 refused a smaller MTU"
}

test_address_flap()
{
	local i

	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	for i in 1 2 3; do
		ip -n "$a" addr del 10.0.0.1/24 dev eth0
		sleep 0.3
		ip -n "$a" addr add 10.0.0.1/24 dev eth0
		ip -n "$b" addr del 10.0.0.2/24 dev eth0
		sleep 0.3
		ip -n "$b" addr add 10.0.0.2/24 dev eth0
	done
	in_group "$a" && in_group "$b" || fail "a parent left 224.0.0.18" || return 1
	hold_state 4 "$b:carp0=BACKUP" || return 1
	check_eq "$(carp_state "$a" carp0)" MASTER "a after the address flaps" || return 1
	masters_watch_stop
}

test_link_flap_storm()
{
	local i

	converge || return 1
	ip netns exec "$a" sysctl -qw net.carp.preempt=1
	for i in $(seq 1 10); do
		ip -n "$a" link set eth0 down
		sleep 0.2
		ip -n "$a" link set eth0 up
		sleep 0.2
	done
	# a comes back BACKUP, then preempts the slower b.
	wait_state "$a" carp0 MASTER 15 && wait_state "$b" carp0 BACKUP 5 || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	check_eq "$(suppress "$a")/$(suppress "$b")" 0/0 "suppress_preempt a/b" || return 1
	hold_state 4 "$a:carp0=MASTER" || return 1
	ip netns exec "$a" sysctl -qw net.carp.preempt=0
	masters_watch_stop
}

require_carp
setup || exit $ksft_fail
ktap_plan 5
run_test "parent MTU below 68 and back: the BACKUP keeps hearing the MASTER" test_mtu_flap_backup
run_test "MTU flaps, two carp devices: 224.0.0.18 membership stays counted" \
	test_mtu_flap_two_devices
run_test "a carp device never has a larger MTU than its parent" test_mtu_clamp
run_test "parent addresses flapping: one MASTER throughout" test_address_flap
run_test "ten parent link flaps: one MASTER after, no suppression left" test_link_flap_storm
ktap_finish
