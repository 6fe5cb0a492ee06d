#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ARP load balancing (net.carp.arpbalance=1): several vhids share one
# address, each host is MASTER of some; an ARP request is answered by the
# vhid at index ntohl(sender) mod (number of running vhids), in vhid order.
#
#   h1..hN (10.0.0.1..N): carpV = vhid V, advskew 0 on the host preferred
#   for it, 100 elsewhere, all holding 10.0.0.100
#   clients 10.0.0.21.. on the same bridge
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100
HOSTS=()
CLIENTS=()

vmac() { printf '00:00:5e:00:01:%02x' "$1"; }

# build NHOSTS NVHIDS NCLIENTS BALANCE
build()
{
	local nh=$1 nv=$2 nc=$3 bal=$4 h v i ns

	cleanup_all_ns
	HOSTS=() CLIENTS=()
	lan_create || return 1
	for ((h = 1; h <= nh; h++)); do
		setup_ns "host$h" || return 1
		ns=host$h-$$
		HOSTS+=("$ns")
		lan_attach "$ns" 10.0.0.$h/24 || return 1
		ip netns exec "$ns" sysctl -qw net.carp.arpbalance="$bal" net.carp.preempt=1
		for ((v = 1; v <= nv; v++)); do
			# Host h is preferred for vhids v with (v - 1) % nh == h - 1.
			local skew=100
			[ $(((v - 1) % nh)) -eq $((h - 1)) ] && skew=0
			ip -n "$ns" link add link eth0 name carp$v type carp vhid $v \
				advskew $skew pass bal || return 1
			ip -n "$ns" addr add $VIP/24 dev carp$v
			ip -n "$ns" link set carp$v up
		done
	done
	for ((i = 0; i < nc; i++)); do
		setup_ns "client$i" || return 1
		ns=client$i-$$
		CLIENTS+=("$ns")
		lan_attach "$ns" 10.0.0.$((21 + i))/24 || return 1
	done
	# Every vhid gets its MASTER: the preferred host.
	for ((v = 1; v <= nv; v++)); do
		wait_state "${HOSTS[$(((v - 1) % nh))]}" carp$v MASTER 10 || return 1
	done
}

# check_clients NVHIDS: each client's entry is the predicted vMAC and the
# address answers.
check_clients()
{
	local nv=$1 i want got

	for i in "${!CLIENTS[@]}"; do
		ip netns exec "${CLIENTS[$i]}" ping -c 1 -W 2 $VIP > /dev/null ||
			fail "client 10.0.0.$((21 + i)) cannot reach $VIP" || return 1
		# index = ntohl(sender) mod count, in vhid order
		want=$(vmac $((((10 << 24) + 21 + i) % nv + 1)))
		got=$(neigh_mac "${CLIENTS[$i]}" $VIP)
		check_eq "$got" "$want" "client 10.0.0.$((21 + i))" || return 1
	done
}

test_two_hosts()
{
	local i

	build 2 2 8 1 || return 1
	check_clients 2 || return 1
	# Both hosts serve: host1 is MASTER of vhid 1, host2 of vhid 2.
	check_eq "$(carp_state "${HOSTS[0]}" carp1)/$(carp_state "${HOSTS[1]}" carp2)" \
		MASTER/MASTER "each host MASTER of its vhid" || return 1
	# host1 fails: host2 takes vhid 1 over; every client still reaches
	# the address, through the MAC it already has.
	ip -n "${HOSTS[0]}" link set eth0 down
	wait_state "${HOSTS[1]}" carp1 MASTER 6 || return 1
	for i in "${!CLIENTS[@]}"; do
		ip netns exec "${CLIENTS[$i]}" ping -c 1 -W 2 $VIP > /dev/null ||
			fail "client $i lost the address after failover" || return 1
	done
}

test_no_balance()
{
	local replies

	build 2 2 1 0 || return 1
	replies=$(ip netns exec "${CLIENTS[0]}" python3 "$SELFTEST_DIR/arp_probe.py" \
		eth0 10.0.0.21 $VIP 1)
	check_eq "$replies" "$(vmac 1) $(vmac 1)" "replies with arpbalance 0"
}

test_one_host()
{
	build 1 2 4 1 || return 1
	check_clients 2
}

test_three_hosts()
{
	build 3 3 6 1 || return 1
	check_clients 3
}

require_carp
ktap_plan 4
run_test "two hosts, eight clients: the hash decides, failover keeps them" test_two_hosts
run_test "arpbalance 0: only one vhid answers" test_no_balance
run_test "one host with two vhids" test_one_host
run_test "three hosts, three vhids" test_three_hosts
ktap_finish
