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

	out=$(ip netns exec "$c" python3 "$SELFTEST_DIR/carp_capture.py" eth0 3 $PCAP \
		wirepass $VIP 10)
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

require_carp
setup || exit $ksft_fail
trap 'rm -f $PCAP; cleanup_all_ns' EXIT
ktap_plan 2
run_test "advertisement fields, checksum and HMAC as captured" test_fields_and_hmac
run_test "tshark decodes them with a correct checksum" test_tshark
ktap_finish
