#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Creating, configuring and deleting carp devices through "ip link", every
# value ip and the kernel must refuse, with the message "ip" prints, and
# random netlink requests (carp_nlfuzz.py).
#
#   ns h: eth0 (veth, peer in the same namespace), d0 (dummy), tun0 (tun)
source "$(dirname "$0")/lib.sh"

setup()
{
	setup_ns h || return 1
	ip -n "$h" link add eth0 type veth peer name eth0p
	ip -n "$h" link set eth0 up
	ip -n "$h" link set eth0p up
	ip -n "$h" link add d0 type dummy
	ip -n "$h" tuntap add dev tun0 mode tun
}

# expect_reject MESSAGE ARGS...: "ip ARGS" fails and prints MESSAGE.
expect_reject()
{
	local msg=$1 out
	shift
	if out=$(ip -n "$h" "$@" 2>&1); then
		ip -n "$h" link del carpx 2>/dev/null
		fail "accepted: ip $*"
		return 1
	fi
	grep -qF -- "$msg" <<<"$out" || fail "ip $*: printed '$out', expected '$msg'"
}

test_create_defaults()
{
	local json text

	ip -n "$h" link add link eth0 name carp0 type carp vhid 7 || return 1
	json=$(ip -n "$h" -j -d link show carp0)
	text=$(ip -n "$h" -d link show carp0)
	ip -n "$h" link del carp0
	check_eq "$(jq -r '.[0].address' <<<"$json")" "00:00:5e:00:01:07" "MAC" &&
	check_eq "$(jq -r '.[0].linkinfo.info_kind' <<<"$json")" "carp" "kind" &&
	check_eq "$(jq -c '.[0].linkinfo.info_data' <<<"$json")" \
		'{"vhid":7,"advbase":1,"advskew":0,"state":"INIT"}' "info_data" &&
	check_eq "$(jq -r '.[0].link' <<<"$json")" "eth0" "parent" || return 1
	grep -q "carp vhid 7 advbase 1 advskew 0 state INIT" <<<"$text" ||
		fail "ip -d link show does not print the carp line"
}

test_create_all_options()
{
	ip -n "$h" link add link eth0 name carp1 type carp vhid 255 advbase 3 \
		advskew 254 pass 01234567890123456789 || return 1
	check_eq "$(ip -n "$h" -j -d link show carp1 | jq -c '.[0].linkinfo.info_data')" \
		'{"vhid":255,"advbase":3,"advskew":254,"state":"INIT"}' "info_data" || return 1
	# The password is never dumped back.
	if ip -n "$h" -d link show carp1 | grep -q 0123456789; then
		fail "password dumped"; return 1
	fi
	ip -n "$h" link del carp1
}

test_change_live()
{
	ip -n "$h" link add link eth0 name carp0 type carp vhid 1 pass old || return 1
	ip -n "$h" link set carp0 type carp advskew 50 pass other advbase 2 || return 1
	check_eq "$(ip -n "$h" -j -d link show carp0 | jq -c '.[0].linkinfo.info_data')" \
		'{"vhid":1,"advbase":2,"advskew":50,"state":"INIT"}' "info_data" || return 1
	expect_reject "vhid of a carp device cannot be changed" \
		link set carp0 type carp vhid 2 || return 1
	ip -n "$h" link del carp0
}

test_reject_values()
{
	# The ip plugin names the option; the kernel's policy (carp_nlfuzz.py
	# sends raw requests) has the same ranges.
	expect_reject "vhid must be between 1 and 255" \
		link add link eth0 name carpx type carp vhid 0 &&
	expect_reject "vhid must be between 1 and 255" \
		link add link eth0 name carpx type carp vhid 256 &&
	expect_reject "advskew must be between 0 and 254" \
		link add link eth0 name carpx type carp vhid 1 advskew 255 &&
	expect_reject "advbase must be between 1 and 255" \
		link add link eth0 name carpx type carp vhid 1 advbase 0 &&
	expect_reject "pass must be at most 20 bytes" \
		link add link eth0 name carpx type carp vhid 1 pass 012345678901234567890 &&
	expect_reject "needs a vhid" \
		link add link eth0 name carpx type carp
}

test_reject_parents()
{
	expect_reject "must be an Ethernet device" \
		link add link tun0 name carpx type carp vhid 1 &&
	expect_reject "must be an Ethernet device" \
		link add link lo name carpx type carp vhid 1 &&
	ip -n "$h" link add link eth0 name carp0 type carp vhid 9 &&
	expect_reject "vhid is already used on the parent" \
		link add link eth0 name carpx type carp vhid 9 &&
	expect_reject "cannot be the parent" \
		link add link carp0 name carpx type carp vhid 1 || return 1
	# A parent in another namespace (link-netnsid): refused up front, not
	# created there and then failing to move.
	ip -n "$h" netns set "$h" 5 &&
	expect_reject "created in its parent's namespace" \
		link add link eth0 link-netnsid 5 name carpx type carp vhid 1 || return 1
	# The same vhid on another parent is fine.
	ip -n "$h" link add link d0 name carp1 type carp vhid 9 || fail "vhid 9 on d0" ||
		return 1
	ip -n "$h" link del carp1
	ip -n "$h" link del carp0
}

# nlreq ARGS...: one raw RTM_NEWLINK in $h through carp_nlreq.py (see
# there), for what ip cannot send; prints the answer, fails if refused.
nlreq()
{
	ip netns exec "$h" python3 "$SELFTEST_DIR/carp_nlreq.py" "$@"
}

# info_data DEV: the carp attributes of DEV, as "ip -j -d link" gives them.
info_data()
{
	ip -n "$h" -j -d link show "$1" | jq -c '.[0].linkinfo.info_data'
}

# carp0_backup: carp0 on eth0, up with an address: BACKUP, and with advbase
# 255 it stays BACKUP (its master-down interval is 13 minutes) unless a
# request forces it to MASTER.
CARP0_BACKUP='{"vhid":1,"advbase":255,"advskew":100,"state":"BACKUP"}'
carp0_backup()
{
	ip -n "$h" link add link eth0 name carp0 type carp vhid 1 advbase 255 advskew 100 \
		pass secret || return 1
	ip -n "$h" addr add 10.9.9.1/32 dev carp0
	ip -n "$h" link set carp0 up
	wait_state "$h" carp0 BACKUP 5
}

# refused_unchanged MESSAGE CMD...: on a new carp0 (carp0_backup), CMD fails
# and prints MESSAGE, and carp0 is as before: no setting changed, no state
# forced.
refused_unchanged()
{
	local msg=$1 out rc=0
	shift

	carp0_backup || { ip -n "$h" link del carp0 2>/dev/null; return 1; }
	if out=$("$@" 2>&1); then
		fail "accepted: $*"
		rc=1
	elif ! grep -qF -- "$msg" <<<"$out"; then
		fail "$*: printed '$out', expected '$msg'"
		rc=1
	fi
	check_eq "$(info_data carp0)" "$CARP0_BACKUP" "carp0 after: $*" || rc=1
	ip -n "$h" link del carp0
	return $rc
}

# rtnetlink applies the carp attributes of "ip link set" (->changelink)
# before the generic ones (do_setlink): what do_setlink is bound to refuse
# must be refused before anything changed, or a refused request would have
# forced a state (a gratuitous ARP, an advertisement), changed advskew or
# rekeyed.
test_refused_set_changes_nothing()
{
	local rc=0

	ip -n "$h" netns set "$h" 5 2>/dev/null	# also done by an earlier case
	# A carp device never moves: netns by name (IFLA_NET_NS_FD), by PID
	# (IFLA_NET_NS_PID), by id (IFLA_TARGET_NETNSID, 46; not in ip).
	refused_unchanged "never leaves its parent's namespace" \
		ip -n "$h" link set carp0 netns "$h" type carp state master advskew 5 || rc=1
	refused_unchanged "never leaves its parent's namespace" \
		ip -n "$h" link set carp0 netns 1 type carp state master || rc=1
	refused_unchanged "never leaves its parent's namespace" \
		nlreq carp0 ifla:46=05000000 5=02 3=05 || rc=1
	# An MTU that the device's range or its parent's MTU (1500) refuses.
	refused_unchanged "cannot exceed its parent's MTU" \
		ip -n "$h" link set carp0 mtu 9000 type carp advskew 5 pass other state master ||
		rc=1
	refused_unchanged "mtu less than device minimum" \
		ip -n "$h" link set carp0 mtu 60 type carp advskew 5 || rc=1
	refused_unchanged "mtu greater than device maximum" \
		nlreq carp0 ifla:4=00000100 3=05 || rc=1
	# What do_setlink() refuses for any carp device, or may refuse: the
	# carrier and protodown (no driver support), a rename (taken names,
	# and before Linux 6.2 any rename of an up device).
	refused_unchanged "Send this generic change apart" \
		ip -n "$h" link set carp0 carrier on type carp state master advskew 5 || rc=1
	refused_unchanged "Send this generic change apart" \
		ip -n "$h" link set carp0 protodown on type carp state master || rc=1
	refused_unchanged "Send this generic change apart" \
		ip -n "$h" link set carp0 name carp9 type carp advskew 5 pass other || rc=1
	# Slave data (IFLA_INFO_SLAVE_DATA, 5) of a device without a master.
	refused_unchanged "Send this generic change apart" nlreq carp0 info:5= 5=02 3=05 || rc=1
	# An MTU on a port, which its master may veto (a team does).
	if carp0_backup && ip -n "$h" link add br9 type bridge &&
	   ip -n "$h" link set carp0 master br9; then
		ip -n "$h" link set carp0 mtu 1400 type carp advskew 5 state master 2>/dev/null &&
			fail "mtu and advskew accepted together on a bridge port" && rc=1
		check_eq "$(info_data carp0)" "$CARP0_BACKUP" "carp0 on br9 after mtu" || rc=1
	else
		fail "carp0 on a bridge br9"
		rc=1
	fi
	ip -n "$h" link del br9
	ip -n "$h" link del carp0
	# Within the parent's MTU, or unchanged, and group and alias: applied
	# together.
	carp0_backup || return 1
	ip -n "$h" link set carp0 group 7 alias "the vip" type carp advskew 70 ||
		fail "group and alias with advskew refused" || rc=1
	check_eq "$(ip -n "$h" -j link show carp0 | jq -c '[.[0].group, .[0].ifalias]')" \
		'["7","the vip"]' "carp0's group and alias" || rc=1
	check_eq "$(info_data carp0 | jq '.advskew')" 70 "carp0's advskew" || rc=1
	ip -n "$h" link set carp0 mtu 1500 type carp advskew 90 &&
	ip -n "$h" link set carp0 mtu 1400 type carp advskew 80 ||
		fail "mtu 1500 or 1400 with advskew refused" || rc=1
	check_eq "$(ip -n "$h" -j link show carp0 | jq '.[0].mtu')" 1400 "carp0's MTU" || rc=1
	check_eq "$(info_data carp0 | jq '.advskew')" 80 "carp0's advskew" || rc=1
	ip -n "$h" link del carp0
	return $rc
}

# Attribute types carp does not know, type 0 included, are refused, on
# creation and on a change.
test_unknown_attrs()
{
	local a out rc=0

	for a in 0= 6=00 7=0102 100= 16383=00000000; do
		out=$(nlreq --create eth0 carpx 1=05 "$a")
		if ip -n "$h" link show carpx >/dev/null 2>&1; then
			fail "created with unknown attribute $a"
			ip -n "$h" link del carpx
			rc=1
		elif ! grep -qx "msg Unknown attribute type" <<<"$out"; then
			fail "unknown attribute $a on creation: $(tr '\n' ' ' <<<"$out")"
			rc=1
		fi
	done
	refused_unchanged "Unknown attribute type" nlreq carp0 3=05 6=00 || rc=1
	refused_unchanged "Unknown attribute type" nlreq carp0 0= 5=02 || rc=1
	return $rc
}

# Forcing a state on a device in INIT (down, parent down or no address)
# fails with ENETDOWN and changes nothing else of the request.
test_state_in_init()
{
	local out rc=0

	ip -n "$h" link add link eth0 name carp0 type carp vhid 1 advskew 100 || return 1
	out=$(nlreq carp0 3=05 5=02)
	grep -qx "errno 100" <<<"$out" || fail "state master in INIT: $(tr '\n' ' ' <<<"$out")" ||
		rc=1
	expect_reject "is in INIT" link set carp0 type carp state backup advskew 5 || rc=1
	check_eq "$(info_data carp0)" '{"vhid":1,"advbase":1,"advskew":100,"state":"INIT"}' \
		"carp0 after forcing a state in INIT" || rc=1
	# The same through sysfs.
	if ip netns exec "$h" sh -c 'echo master > /sys/class/net/carp0/carp/state' 2>/dev/null
	then
		fail "sysfs state write in INIT accepted"
		rc=1
	fi
	# Up, with an address, on a parent that is down (d0): INIT too.
	ip -n "$h" link add link d0 name carp1 type carp vhid 1 || rc=1
	ip -n "$h" addr add 10.9.8.1/32 dev carp1
	ip -n "$h" link set carp1 up
	check_eq "$(carp_state "$h" carp1)" INIT "carp1 on a parent that is down" || rc=1
	expect_reject "is in INIT" link set carp1 type carp state master || rc=1
	check_eq "$(carp_state "$h" carp1)" INIT "carp1 after forcing a state" || rc=1
	ip -n "$h" link del carp1
	# Running: forcing works.
	ip -n "$h" addr add 10.9.9.1/32 dev carp0
	ip -n "$h" link set carp0 up
	wait_state "$h" carp0 BACKUP 5 || rc=1
	ip -n "$h" link set carp0 type carp state master || fail "state master refused" || rc=1
	check_eq "$(carp_state "$h" carp0)" MASTER "carp0 forced to MASTER" || rc=1
	ip -n "$h" link del carp0
	return $rc
}

# The extended ack of a refused creation points at what is wrong: the
# missing vhid (NLMSGERR_ATTR_MISS_TYPE, in IFLA_INFO_DATA, or IFLA_INFO_DATA
# itself in IFLA_LINKINFO), a state given on creation (NLMSGERR_ATTR_OFFS).
test_extack_points()
{
	local out rc=0

	out=$(nlreq --create eth0 carpx 3=05)
	grep -qx "miss_type 1" <<<"$out" && grep -q "^miss_nest " <<<"$out" ||
		fail "no vhid: $(tr '\n' ' ' <<<"$out")" || rc=1
	out=$(nlreq --create eth0 --no-data carpx)
	grep -qx "miss_type 2" <<<"$out" && grep -q "^miss_nest " <<<"$out" ||
		fail "no IFLA_INFO_DATA: $(tr '\n' ' ' <<<"$out")" || rc=1
	out=$(nlreq --create eth0 carpx 1=05 5=02)
	grep -q "^offset " <<<"$out" || fail "state on creation: $(tr '\n' ' ' <<<"$out")" ||
		rc=1
	ip -n "$h" link del carpx 2>/dev/null
	return $rc
}

test_parent_delete()
{
	ip -n "$h" link add dp type dummy
	ip -n "$h" link add link dp name carp2 type carp vhid 2 || return 1
	ip -n "$h" link add link dp name carp3 type carp vhid 3 || return 1
	ip -n "$h" link del dp
	if ip -n "$h" link show carp2 2>/dev/null || ip -n "$h" link show carp3 2>/dev/null; then
		fail "a carp device survived its parent"; return 1
	fi
}

test_create_delete_loop()
{
	local i

	for i in $(seq 1 50); do
		ip -n "$h" link add link eth0 name carp0 type carp vhid $((i % 255 + 1)) ||
			return 1
		ip -n "$h" addr add 10.9.9.1/32 dev carp0
		ip -n "$h" link set carp0 up
		ip -n "$h" link del carp0 || return 1
	done
}

# carp_nlfuzz.py: random attributes for create and change, checked against
# a model of the policy; any disagreement, a rejection without an extack
# message or a half-applied change fails.  A new seed every run (printed;
# CARP_NLFUZZ_SEED repeats one).
NLFUZZ_SEED=${CARP_NLFUZZ_SEED:-$RANDOM}
test_nlfuzz()
{
	local out

	out=$(ip netns exec "$h" python3 "$SELFTEST_DIR/carp_nlfuzz.py" eth0 \
		"${CARP_NLFUZZ_COUNT:-3000}" "$NLFUZZ_SEED" 2>&1)
	echo "$out" | sed 's/^/# /'
	grep -q ', 0 problems$' <<<"$out" || fail "carp_nlfuzz.py found problems"
}

# The same as an unprivileged user: root only in its own user namespace.
test_nlfuzz_userns()
{
	local out

	out=$(unshare -Urn bash -c 'ip link add d1 type dummy && ip link set d1 up &&
		exec python3 "$1/carp_nlfuzz.py" d1 "$2" "$3"' - "$SELFTEST_DIR" \
		"${CARP_NLFUZZ_COUNT:-3000}" $((NLFUZZ_SEED + 1)) 2>&1)
	echo "$out" | sed 's/^/# /'
	grep -q ', 0 problems$' <<<"$out" || fail "carp_nlfuzz.py found problems"
}

require_carp
command -v jq >/dev/null || { echo "1..0 # SKIP jq missing"; exit $ksft_skip; }
setup || exit $ksft_fail
ktap_plan 13

run_test "create with defaults: MAC, kind, info_data" test_create_defaults
run_test "create with every option; password not dumped" test_create_all_options
run_test "ip link set changes settings live" test_change_live
run_test "out-of-range values rejected with a message" test_reject_values
run_test "unusable parents and duplicate vhids rejected" test_reject_parents
run_test "a refused ip link set changes no carp setting" test_refused_set_changes_nothing
run_test "unknown carp attributes refused" test_unknown_attrs
run_test "forcing a state in INIT fails with ENETDOWN" test_state_in_init
run_test "extack names the missing or refused attribute" test_extack_points
run_test "deleting the parent deletes its carp devices" test_parent_delete
run_test "create and delete 50 times" test_create_delete_loop
run_test "random IFLA_INFO_DATA: model, extack, nothing half-applied" test_nlfuzz
run_test "random IFLA_INFO_DATA from an unprivileged user namespace" test_nlfuzz_userns
ktap_finish
