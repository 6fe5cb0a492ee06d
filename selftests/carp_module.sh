#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module itself: the freshly built carp.ko is the one modprobe loads,
# "ip link add ... type carp" autoloads it, and unloading it, or deleting a
# namespace, with carp devices configured leaves nothing behind (a leak or
# a kernel warning fails the VM run).
source "$(dirname "$0")/lib.sh"

# A namespace with a carp device that is up and MASTER-bound.
populate()
{
	ip -n "$1" link add eth0 type veth peer name eth1
	ip -n "$1" addr add 10.1.0.1/24 dev eth0
	ip -n "$1" link set eth0 up
	ip -n "$1" link set eth1 up
	ip -n "$1" link add link eth0 name carp0 type carp vhid 5 pass x &&
	ip -n "$1" addr add 10.1.0.100/24 dev carp0 &&
	ip -n "$1" link set carp0 up
}

test_fresh_module()
{
	local path

	path=$(modinfo -n carp 2>/dev/null)
	log "modprobe finds $path"
	[ -n "$path" ] || fail "modinfo finds no carp module" || return 1
	# CARP_MODULE_PATH: a pattern the module's path must match, e.g.
	# "*/updates/*" for a carp.ko installed as an out-of-tree module that
	# must win over an older one of the kernel's own.
	if [ -n "${CARP_MODULE_PATH:-}" ]; then
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $path == $CARP_MODULE_PATH ]] ||
			fail "modprobe would load $path, not $CARP_MODULE_PATH" || return 1
	fi
	modprobe carp || return 1
	lsmod | grep -q '^carp ' || fail "lsmod does not show carp"
}

test_rmmod_with_devices()
{
	setup_ns m1 || return 1
	populate "$m1" || return 1
	wait_state "$m1" carp0 BACKUP 5 || return 1
	rmmod carp || fail "rmmod carp" || return 1
	if lsmod | grep -q '^carp '; then
		fail "carp still loaded"; return 1
	fi
	if ip -n "$m1" link show carp0 2>/dev/null; then
		fail "carp0 survived rmmod"; return 1
	fi
}

test_autoload()
{
	lsmod | grep -q '^carp ' && { rmmod carp || return 1; }
	setup_ns m2 || return 1
	populate "$m2" || fail "ip link add did not load the module" || return 1
	lsmod | grep -q '^carp ' || fail "carp not loaded"
}

test_netns_delete()
{
	local i ns

	for i in 1 2 3; do
		ns=mdel$i-$$
		ip netns add $ns
		populate $ns || return 1
		ip netns del $ns
	done
	# The module is still usable afterwards.
	setup_ns m3 && populate "$m3"
}

require_carp
ktap_plan 4
run_test "modprobe loads the freshly built carp.ko" test_fresh_module
run_test "rmmod with carp devices configured" test_rmmod_with_devices
run_test "ip link add ... type carp autoloads the module" test_autoload
run_test "deleting namespaces with carp devices" test_netns_delete
ktap_finish
