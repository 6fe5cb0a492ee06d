#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# carp on each kind of parent: a veth, a bridge, a bond and a VLAN device.
# Host h reaches the LAN through that parent; a client c pings the address
# and must see it at the virtual MAC; only then is h's carp device MASTER
# for real (advertising, answering ARP, accepting the virtual MAC).
#
#    h: PARENT (over eth0)   c: eth0 (or eth0.10 for the VLAN case)
#          \_________ br0 (ns sw) _________/
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100
VMAC=00:00:5e:00:01:01

# topology KIND: h with the parent of that kind, named "par0", and c.
topology()
{
	cleanup_all_ns
	lan_create && setup_ns h c || return 1
	lan_attach "$c" 10.0.0.10/24 || return 1
	ip link add eth0 netns "$h" type veth peer name p-h netns "$sw" || return 1
	ip -n "$sw" link set p-h master br0 up
	ip -n "$h" link set eth0 up
	case $1 in
	veth)
		ip -n "$h" link set eth0 down &&
		ip -n "$h" link set eth0 name par0 ;;
	bridge)
		ip -n "$h" link add par0 type bridge forward_delay 0 stp_state 0 &&
		ip -n "$h" link set eth0 master par0 ;;
	bond)
		ip -n "$h" link add par0 type bond mode active-backup miimon 100 &&
		ip -n "$h" link set eth0 down &&
		ip -n "$h" link set eth0 master par0 ;;
	vlan)
		ip -n "$h" link add link eth0 name par0 type vlan id 10 &&
		ip -n "$c" addr flush dev eth0 &&
		ip -n "$c" link add link eth0 name eth0.10 type vlan id 10 &&
		ip -n "$c" addr add 10.0.0.10/24 dev eth0.10 &&
		ip -n "$c" link set eth0.10 up ;;
	esac || return 1
	ip -n "$h" addr add 10.0.0.1/24 dev par0
	ip -n "$h" link set dev par0 up
}

# parent_case KIND
parent_case()
{
	topology "$1" || return 1
	ip -n "$h" link add link par0 name carp0 type carp vhid 1 pass p || return 1
	ip -n "$h" addr add $VIP/24 dev carp0
	ip -n "$h" link set carp0 up
	wait_state "$h" carp0 MASTER 10 || return 1
	ip netns exec "$c" ping -c 1 -W 2 $VIP > /dev/null ||
		ip netns exec "$c" ping -c 2 -W 2 $VIP > /dev/null ||
		fail "client cannot reach $VIP over a $1" || return 1
	check_eq "$(neigh_mac "$c" $VIP)" $VMAC "client's entry over a $1" || return 1
	[ "$(carp_stat "$h" opackets)" -gt 0 ] || fail "no advertisement sent"
}

test_veth() { parent_case veth; }
test_bridge() { parent_case bridge; }
test_bond() { parent_case bond; }
test_vlan() { parent_case vlan; }

require_carp
ktap_plan 4
run_test "parent: veth" test_veth
run_test "parent: bridge" test_bridge
run_test "parent: bond" test_bond
run_test "parent: VLAN" test_vlan
ktap_finish
