#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two hosts share 2001:db8::100 with vhid 1; a client watches.
#
#    a (2001:db8::1, advskew 0)  b (2001:db8::2, advskew 100)  c (2001:db8::10)
#            eth0                      eth0                       eth0
#              \________________ br0 (ns sw) ___________________/
#
# IPv6 advertisements, election and failover of an IPv6-only group, who
# answers Neighbor Solicitations for the address, unsolicited Neighbor
# Advertisements on takeover, no Duplicate Address Detection failure, the
# multicast groups on the parent, and a dual-stack group.
source "$(dirname "$0")/lib.sh"

VIP6=2001:db8::100
VIP4=10.0.0.100
VMAC=00:00:5e:00:01:01

setup()
{
	local ns

	lan_create || return 1
	setup_ns a b c || return 1
	# The hosts' own addresses skip DAD (they are unique); carp devices
	# made later get the default, DAD on: their addresses must not fail it.
	for ns in "$a" "$b" "$c"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 || return 1
	done
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$b" 10.0.0.2/24 &&
	lan_attach "$c" 10.0.0.10/24 || return 1
	ip -n "$a" -6 addr add 2001:db8::1/64 dev eth0 &&
	ip -n "$b" -6 addr add 2001:db8::2/64 dev eth0 &&
	ip -n "$c" -6 addr add 2001:db8::10/64 dev eth0 || return 1
	for ns in "$a" "$b" "$c"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=1 \
			net.ipv6.conf.all.accept_dad=1 || return 1
	done
	A_MAC=$(ip -n "$a" -br link show dev eth0 | awk '{ print $3 }')
	B_MAC=$(ip -n "$b" -br link show dev eth0 | awk '{ print $3 }')
	# The parents' link-local addresses, which advertisements come from.
	wait_ll "$a" && wait_ll "$b"
}

# wait_ll NS: eth0 has a usable link-local address.
wait_ll()
{
	local i

	for ((i = 0; i < 50; i++)); do
		ip -n "$1" -6 addr show dev eth0 scope link | grep -q "inet6 fe80" &&
			! ip -n "$1" -6 addr show dev eth0 | grep -q tentative && return 0
		sleep 0.1
	done
	fail "$1: no link-local address on eth0"
}

# carp_up NS ADVSKEW [FAMILIES]: carp0 on eth0, up, with the IPv6 address
# ("6", the default), the IPv4 one ("4") or both ("46").
carp_up()
{
	ip -n "$1" link add link eth0 name carp0 type carp vhid 1 advskew "$2" \
		pass secret || return 1
	ip -n "$1" link set carp0 up
	case ${3:-6} in *6*) ip -n "$1" -6 addr add $VIP6/64 dev carp0 || return 1 ;; esac
	case ${3:-6} in *4*) ip -n "$1" addr add $VIP4/24 dev carp0 || return 1 ;; esac
}

carp_down_all()
{
	ip -n "$a" link del carp0 2>/dev/null
	ip -n "$b" link del carp0 2>/dev/null
	ip netns exec "$a" sysctl -qw net.carp.preempt=0
	ip netns exec "$b" sysctl -qw net.carp.preempt=0
	ip -n "$a" link set eth0 up
	ip -n "$b" link set eth0 up
	# A parent that went down lost its IPv6 addresses.
	ip -n "$a" -6 addr replace 2001:db8::1/64 dev eth0 nodad &&
	ip -n "$b" -6 addr replace 2001:db8::2/64 dev eth0 nodad || return 1
	wait_ll "$a" && wait_ll "$b"
	ip -n "$c" neigh flush dev eth0
}

# converge [FAMILIES]: a fresh pair, a MASTER.
converge()
{
	carp_down_all || return 1
	carp_up "$a" 0 "$1" && carp_up "$b" 100 "$1" || return 1
	wait_state "$b" carp0 BACKUP 5 && wait_state "$a" carp0 MASTER 10
}

# settle: a new MASTER announces its address twice, the second time two
# advertisements later; probes must not take that for an answer.
settle() { sleep 2.5; }

# dev_stat NS NAME: a counter of carp0's sysfs directory.
dev_stat() { ip netns exec "$1" cat "/sys/class/net/carp0/carp/$2"; }

test_election()
{
	local o4 o6 i6

	converge || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	hold_state 3 "$a:carp0=MASTER" "$b:carp0=BACKUP" || return 1
	o4=$(dev_stat "$a" opackets) o6=$(dev_stat "$a" opackets6)
	i6=$(dev_stat "$b" ipackets6)
	log "MASTER sent $o4 IPv4 and $o6 IPv6 advertisements, BACKUP took in $i6"
	check_eq "$o4" 0 "IPv4 advertisements of an IPv6-only group" || return 1
	[ "$o6" -ge 3 ] && [ "$i6" -ge 3 ] || fail "too few IPv6 advertisements" || return 1
	check_eq "$(dev_stat "$b" badauth)" 0 "BACKUP's badauth" || return 1
	masters_watch_end $?
}

# The address is usable at once on every host: never tentative, never
# dadfailed, marked nodad; carp0 has no link-local address of its own.
test_no_dad()
{
	local ns out rc=0

	converge || return 1
	for ns in "$a" "$b"; do
		out=$(ip -n "$ns" -6 addr show dev carp0)
		grep -q "inet6 $VIP6/64 .*nodad" <<<"$out" ||
			fail "$ns: $VIP6 is not nodad: $out" || rc=1
		grep -Eq "tentative|dadfailed" <<<"$out" &&
			{ fail "$ns: $out" || rc=1; }
		grep -q "inet6 fe80" <<<"$out" &&
			{ fail "$ns: carp0 has a link-local address: $out" || rc=1; }
	done
	[ $rc = 0 ] || return 1
	# A link-local address is refused, with the reason.
	if out=$(ip -n "$a" -6 addr add fe80::1/64 dev carp0 2>&1); then
		fail "fe80::1 accepted on carp0" || return 1
	fi
	grep -q "link-local" <<<"$out" || fail "refused without the reason: $out" || return 1
	# "ip addr replace" clears nodad: down and up make it nodad again.
	ip -n "$b" -6 addr replace $VIP6/64 dev carp0 || return 1
	ip -n "$b" link set carp0 down && ip -n "$b" link set carp0 up || return 1
	out=$(ip -n "$b" -6 addr show dev carp0)
	grep -q "inet6 $VIP6/64 .*nodad" <<<"$out" && ! grep -Eq "tentative|dadfailed" <<<"$out" ||
		fail "after replace, down and up: $out" || return 1
	# Below 1280 and back, the MASTER's carp0 gets a new inet6_dev, and
	# addrconf would give it a link-local address from the virtual MAC.
	ip -n "$a" link set carp0 mtu 1200 && ip -n "$a" link set carp0 mtu 1500 || return 1
	sleep 1
	out=$(ip -n "$a" -6 addr show dev carp0)
	! grep -q "inet6 fe80" <<<"$out" || fail "link-local address after the MTU cycle: $out"
}

test_groups_on_parent()
{
	local out

	converge || return 1
	out=$(ip -n "$b" -6 maddr show dev eth0)
	grep -q "ff02::12" <<<"$out" || fail "BACKUP's eth0 is not in ff02::12" || return 1
	grep -q "ff02::1:ff00:100" <<<"$out" ||
		fail "BACKUP's eth0 is not in the solicited-node group" || return 1
	ip -n "$b" link del carp0
	out=$(ip -n "$b" -6 maddr show dev eth0)
	! grep -Eq "ff02::12|ff02::1:ff00:100" <<<"$out" ||
		fail "eth0 stays in the groups after carp0 is gone: $out"
}

# probe ARGS...: nd_probe.py from the client.
probe() { ip netns exec "$c" python3 "$SELFTEST_DIR/nd_probe.py" eth0 "$@"; }

test_ns_ownership()
{
	local out

	converge && settle || return 1
	out=$(probe 2001:db8::10 $VIP6 1)
	log "multicast NS answered by: ${out:-nobody}"
	check_eq "$out" "$VMAC $VMAC SO" "answers to a multicast NS" || return 1
	out=$(probe 2001:db8::10 $VIP6 1 $VMAC)
	log "unicast NS to the virtual MAC answered by: ${out:-nobody}"
	check_eq "$out" "$VMAC - S" "answers to a unicast NS" || return 1
	# To a parent's own MAC: not an address of the parent.
	out=$(probe 2001:db8::10 $VIP6 1 "$B_MAC")
	check_eq "$out" "" "answers to an NS sent to the BACKUP's eth0" || return 1
	out=$(probe 2001:db8::10 $VIP6 1 "$A_MAC")
	check_eq "$out" "" "answers to an NS sent to the MASTER's eth0"
}

# tx_dropped NS: carp0's transmit drops.
tx_dropped() { ip netns exec "$1" cat /sys/class/net/carp0/statistics/tx_dropped; }

# A BACKUP's carp0 never tries to answer (it could not send anyway), its
# eth0 never answers; a probe for the address (DAD) is answered by the
# MASTER alone, which defends it.
test_backup_silent()
{
	local out d0

	converge && settle || return 1
	d0=$(tx_dropped "$b")
	out=$(probe 2001:db8::10 $VIP6 1)
	check_eq "$out" "$VMAC $VMAC SO" "answers to a multicast NS" || return 1
	out=$(probe 2001:db8::10 $VIP6 1 $VMAC)
	check_eq "$out" "$VMAC - S" "answers to a unicast NS" || return 1
	out=$(probe :: $VIP6 1)
	log "DAD probe answered by: ${out:-nobody}"
	check_eq "$out" "$VMAC $VMAC O" "answers to a DAD probe" || return 1
	check_eq "$(tx_dropped "$b")" "$d0" "BACKUP carp0 tx_dropped after the probes"
}

test_failover()
{
	local out t0 t1 pid na=$TMPDIR/carp-na.$$ rc=0

	converge || return 1
	ip netns exec "$c" ping -6 -c 1 -W 2 $VIP6 >/dev/null ||
		fail "client cannot reach $VIP6 before failover" || return 1
	check_eq "$(neigh_mac "$c" $VIP6)" $VMAC "client's neighbour entry" || return 1
	# A stale entry elsewhere: the takeover's NA must override it.
	ip -n "$c" neigh replace $VIP6 lladdr 02:00:00:00:00:99 dev eth0 nud stale
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	probe listen $VIP6 7 >"$na" &
	pid=$!
	sleep 0.3
	t0=$(now_ms)
	ip -n "$a" link set eth0 down
	wait_state "$b" carp0 MASTER 6 || rc=1
	t1=$(now_ms)
	wait $pid
	out=$(sort -u "$na")
	rm -f "$na"
	[ $rc = 0 ] || return 1
	log "parent down -> b MASTER in $((t1 - t0)) ms; unsolicited NA: ${out:-none}"
	[ $((t1 - t0)) -le 4900 ] || fail "takeover took $((t1 - t0)) ms" || return 1
	grep -q "^$VMAC $VMAC O$" <<<"$out" ||
		fail "no unsolicited NA with the virtual MAC and override flag" || return 1
	check_eq "$(neigh_mac "$c" $VIP6)" $VMAC "client's entry, overridden by the NA" ||
		return 1
	ip netns exec "$c" ping -6 -c 1 -W 2 $VIP6 >/dev/null ||
		fail "client cannot reach $VIP6 after failover"
	masters_watch_end $?
}

test_bow_out_and_preempt()
{
	local t0 t1

	converge || return 1
	t0=$(now_ms)
	ip -n "$a" link set carp0 down
	wait_state "$b" carp0 MASTER 3 || return 1
	t1=$(now_ms)
	log "bow-out -> b MASTER in $((t1 - t0)) ms"
	[ $((t1 - t0)) -le 1500 ] || fail "bow-out took $((t1 - t0)) ms" || return 1
	# The address stays while carp0 is down; preempt brings a back.
	ip -n "$a" -6 addr show dev carp0 | grep -q "inet6 $VIP6/64" ||
		fail "a's carp0 lost $VIP6 going down" || return 1
	ip netns exec "$a" sysctl -qw net.carp.preempt=1
	ip -n "$a" link set carp0 up
	wait_state "$a" carp0 MASTER 6 && wait_state "$b" carp0 BACKUP 3 || return 1
	check_eq "$(dev_stat "$b" badauth)" 0 "b's badauth" || return 1
	ip netns exec "$c" ping -6 -c 1 -W 2 $VIP6 >/dev/null || fail "no reply after preempt"
}

# The last address goes: INIT with a bow-out, the peer takes over.
test_last_address()
{
	converge || return 1
	ip -n "$a" -6 addr del $VIP6/64 dev carp0
	wait_state "$a" carp0 INIT 3 && wait_state "$b" carp0 MASTER 3
}

test_dual_stack()
{
	local o4 o6 rc=0

	converge 46 || return 1
	masters_watch_start vhid1 "$a:carp0" "$b:carp0" || return 1
	hold_state 3 "$a:carp0=MASTER" "$b:carp0=BACKUP" || return 1
	o4=$(dev_stat "$a" opackets) o6=$(dev_stat "$a" opackets6)
	log "MASTER sent $o4 IPv4 and $o6 IPv6 advertisements"
	[ "$o4" -ge 3 ] && [ "$o6" -ge 3 ] || fail "one of the families is missing" || rc=1
	check_eq "$(dev_stat "$b" badauth)" 0 "BACKUP's badauth" || rc=1
	ip netns exec "$c" ping -6 -c 1 -W 2 $VIP6 >/dev/null || fail "no IPv6 reply" || rc=1
	# Traffic through carp0 itself: carp0 resolves c, the answer reaches
	# carp0.  (The echo reply arrives on the parent: not asked here.)
	ip netns exec "$a" ping -6 -c 1 -W 1 -I carp0 2001:db8::10 >/dev/null 2>&1
	check_eq "$(ip -n "$a" -6 neigh show 2001:db8::10 dev carp0 |
		sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')" \
		"$(ip -n "$c" -br link show dev eth0 | awk '{ print $3 }')" \
		"carp0's neighbour entry for the client" || rc=1
	ip netns exec "$c" ping -c 1 -W 2 $VIP4 >/dev/null || fail "no IPv4 reply" || rc=1
	check_eq "$(neigh_mac "$c" $VIP6)" $VMAC "client's IPv6 neighbour" || rc=1
	check_eq "$(neigh_mac "$c" $VIP4)" $VMAC "client's IPv4 neighbour" || rc=1
	ip -n "$a" link set eth0 down
	wait_state "$b" carp0 MASTER 6 || rc=1
	ip netns exec "$c" ping -6 -c 1 -W 2 $VIP6 >/dev/null ||
		fail "no IPv6 reply after failover" || rc=1
	masters_watch_end $rc
}

require_carp
TMPDIR=${TMPDIR:-/tmp}
setup || exit $ksft_fail
ktap_plan 9
run_test "IPv6-only group: one MASTER, IPv6 advertisements only" test_election
run_test "shared addresses are nodad, never tentative or dadfailed" test_no_dad
run_test "the parent joins ff02::12 and the solicited-node group" test_groups_on_parent
run_test "only the MASTER answers NS, with the virtual MAC" test_ns_ownership
run_test "a BACKUP never answers NS; the MASTER defends against DAD" test_backup_silent
run_test "failover: client reaches the address, unsolicited NA" test_failover
run_test "bow-out and preempt" test_bow_out_and_preempt
run_test "the last address goes: the peer takes over" test_last_address
run_test "dual-stack group: both families advertised and reachable" test_dual_stack
ktap_finish
