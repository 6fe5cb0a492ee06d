#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Our advertisements as a third party sees them: the fields of the
# protocol (TTL 255, TOS 0x10, 56 bytes, virtual MAC as source, authlen 7),
# an HMAC that recomputes from password, vhid, address and counter, and
# tshark decoding them as CARP (or, as tshark 4.0 labels it, VRRP version 2)
# with a correct checksum.
#
#    a (10.0.0.1, carp0 vhid 3)   c (10.0.0.10, captures)
#            \____________ br0 (ns sw) ____________/
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.100
PCAP=/tmp/carp-wireshark-$$.pcap

setup()
{
	lan_create && setup_ns a c || return 1
	lan_attach "$a" 10.0.0.1/24 && lan_attach "$c" 10.0.0.10/24 || return 1
	ip -n "$a" link add link eth0 name carp0 type carp vhid 3 advskew 20 pass wirepass &&
	ip -n "$a" addr add $VIP/24 dev carp0 && ip -n "$a" link set carp0 up &&
	wait_state "$a" carp0 MASTER 10
}

test_fields_and_hmac()
{
	local out want

	# Without the arrival times.
	out=$(ip netns exec "$c" python3 "$SELFTEST_DIR/carp_capture.py" eth0 3 $PCAP \
		wirepass $VIP 10 3 | sed 's/ at=[0-9.]*$//')
	log "$out"
	check_eq "$(wc -l <<<"$out")" 3 "advertisements captured" || return 1
	# Every one identical (the counter is not printed) and as specified.
	want="src=00:00:5e:00:01:03 ttl=255 tos=0x10 len=56 ver=2 type=1 vhid=3"
	want+=" advbase=1 advskew=20 authlen=7 cksum=ok hmac=ok"
	check_eq "$(sort -u <<<"$out")" "$want" \
		"advertisements"
}

test_tshark()
{
	local text

	command -v tshark > /dev/null || return $ksft_skip
	[ -s $PCAP ] || { fail "no capture"; return 1; }
	text=$(HOME=/tmp tshark -r $PCAP -V 2>/dev/null)
	grep -qE 'Common Address Redundancy Protocol|Virtual Router Redundancy Protocol' \
		<<<"$text" ||
		fail "tshark does not decode CARP or VRRP" || return 1
	check_eq "$(grep -c 'Checksum Status: Good' <<<"$text")" 3 "tshark checksum status" ||
		return 1
	grep -qE '(Virtual Rtr ID|VHID): 3' <<<"$text" || fail "tshark shows no vhid 3"
}

# A dual-stack vhid: one IPv4 and one IPv6 advertisement per interval, both
# hashing both addresses; the IPv6 one from a's link-local address to
# ff02::12, hop limit 255.  tshark decodes both.
test_ipv6()
{
	local out want text i

	ip -n "$a" -6 addr add 2001:db8::1/64 dev eth0 nodad || return 1
	for ((i = 0; i < 50; i++)); do
		ip -n "$a" -6 addr show dev eth0 scope link | grep -q "inet6 fe80" &&
			! ip -n "$a" -6 addr show dev eth0 | grep -q tentative && break
		sleep 0.1
	done
	ip -n "$a" link add link eth0 name carp1 type carp vhid 4 advskew 20 pass wirepass &&
	ip -n "$a" link set carp1 up &&
	ip -n "$a" addr add 10.0.0.101/24 dev carp1 &&
	ip -n "$a" -6 addr add 2001:db8::101/64 dev carp1 &&
	wait_state "$a" carp1 MASTER 10 || return 1
	out=$(ip netns exec "$c" python3 "$SELFTEST_DIR/carp_capture.py" eth0 4 $PCAP6 \
		wirepass 10.0.0.101,2001:db8::101 10 4 | sed 's/ at=[0-9.]*$//')
	log "$out"
	want="src=00:00:5e:00:01:04 ip6 hlim=255 dst=ff02::12 ip6src=link-local plen=36"
	want+=" ver=2 type=1 vhid=4 advbase=1 advskew=20 authlen=7 cksum=ok hmac=ok"
	want+=$'\n'"src=00:00:5e:00:01:04 ttl=255 tos=0x10 len=56 ver=2 type=1 vhid=4"
	want+=" advbase=1 advskew=20 authlen=7 cksum=ok hmac=ok"
	check_eq "$(sort -u <<<"$out")" "$want" "dual-stack advertisements" || return 1
	check_eq "$(grep -c ip6 <<<"$out")" 2 "IPv6 advertisements among 4" || return 1
	text=$(HOME=/tmp tshark -r $PCAP6 -V 2>/dev/null)
	check_eq "$(grep -c 'Checksum Status: Good' <<<"$text")" 4 \
		"tshark checksum status, both families" || return 1
	grep -q "Internet Protocol Version 6" <<<"$text" || fail "tshark saw no IPv6"
}

require_carp
PCAP6=/tmp/carp-wireshark6-$$.pcap
setup || exit $ksft_fail
trap 'rm -f $PCAP $PCAP6; cleanup_all_ns' EXIT
ktap_plan 3
run_test "advertisement fields, checksum and HMAC as captured" test_fields_and_hmac
run_test "tshark decodes them with a correct checksum" test_tshark
run_test "dual-stack: IPv6 advertisements to ff02::12, HMAC over both" test_ipv6
ktap_finish
