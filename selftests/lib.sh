#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the carp selftests, in the spirit of
# tools/testing/selftests/net/lib.sh (which Linux 6.1 does not have).
#
# A test script sources this file, declares its cases with ktap_plan, runs
# each case function through run_test and ends with ktap_finish, which
# exits 0 (all passed), 1 (something failed) or 4 (everything skipped).
#
# Hosts are network namespaces named "<role>-<pid>" joined by veth pairs to
# a bridge in a "switch" namespace; cleanup_all_ns runs on exit.

ksft_pass=0
ksft_fail=1
ksft_skip=4

TESTS_TOTAL=0
TESTS_RUN=0
TESTS_FAILED=0
TESTS_SKIPPED=0
NS_LIST=()

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$SELFTEST_DIR/.." && pwd)
# The iproute2 plugin of this checkout, unless the caller chose one.
export IP_LIB_DIR=${IP_LIB_DIR:-$TOP_DIR/tools/iproute2}

ktap_plan()
{
	TESTS_TOTAL=$1
	echo "TAP version 13"
	echo "1..$TESTS_TOTAL"
}

# run_test NAME FUNCTION: the function returns 0 pass, 4 skip, else fail.
run_test()
{
	local name=$1 fn=$2 rc=0

	TESTS_RUN=$((TESTS_RUN + 1))
	echo "# --- $name"
	"$fn" || rc=$?
	case $rc in
	0) echo "ok $TESTS_RUN $name" ;;
	4) echo "ok $TESTS_RUN $name # SKIP"; TESTS_SKIPPED=$((TESTS_SKIPPED + 1)) ;;
	*) echo "not ok $TESTS_RUN $name"; TESTS_FAILED=$((TESTS_FAILED + 1)) ;;
	esac
	return 0
}

ktap_finish()
{
	local passed=$((TESTS_RUN - TESTS_FAILED - TESTS_SKIPPED))

	echo "# Totals: pass:$passed fail:$TESTS_FAILED skip:$TESTS_SKIPPED"
	if [ "$TESTS_FAILED" -gt 0 ] || [ "$TESTS_RUN" -ne "$TESTS_TOTAL" ]; then
		exit $ksft_fail
	fi
	if [ "$TESTS_SKIPPED" -eq "$TESTS_RUN" ]; then
		exit $ksft_skip
	fi
	exit $ksft_pass
}

log() { echo "# $*"; }

# fail MESSAGE: report why a case fails; use as "cond || fail msg".
fail() { echo "# FAIL: $*"; return 1; }

cleanup_all_ns()
{
	local ns

	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}
trap cleanup_all_ns EXIT

# setup_ns VAR...: make a namespace per name, store its name in VAR.
setup_ns()
{
	local var ns

	for var in "$@"; do
		ns="$var-$$"
		ip netns del "$ns" 2>/dev/null
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		NS_LIST+=("$ns")
		eval "$var=$ns"
	done
}

# require_carp: skip the whole script (exit 4) without the carp link type.
require_carp()
{
	local ns="probe-$$"

	ip netns add "$ns" || exit $ksft_skip
	ip -n "$ns" link add d0 type dummy 2>/dev/null
	if ! ip -n "$ns" link add link d0 name c0 type carp vhid 1 2>/dev/null; then
		ip netns del "$ns"
		echo "1..0 # SKIP no carp link type (modprobe carp; IP_LIB_DIR)"
		exit $ksft_skip
	fi
	ip netns del "$ns"
}

# lan_create: the "sw" namespace with bridge br0 (no STP, no delay).
lan_create()
{
	setup_ns sw || return 1
	ip -n "$sw" link add br0 type bridge forward_delay 0 stp_state 0
	ip -n "$sw" link set br0 up
}

# lan_attach NS ADDR/LEN: give NS an eth0 on the LAN with that address.
lan_attach()
{
	local ns=$1 addr=$2 port="p-$1"

	port=${port:0:15}
	ip link add eth0 netns "$ns" type veth peer name "$port" netns "$sw" || return 1
	ip -n "$sw" link set "$port" master br0 up
	ip -n "$ns" addr add "$addr" dev eth0
	ip -n "$ns" link set eth0 up
}

# carp_state NS DEV: INIT, BACKUP or MASTER, as "ip -d link" reports it.
carp_state()
{
	ip -n "$1" -d link show dev "$2" 2>/dev/null |
		sed -n 's/.*carp vhid .* state \([A-Z]*\).*/\1/p'
}

# wait_state NS DEV STATE [TIMEOUT_S]: poll every 50 ms.
wait_state()
{
	local ns=$1 dev=$2 want=$3 timeout=${4:-10} i

	for ((i = 0; i < timeout * 20; i++)); do
		[ "$(carp_state "$ns" "$dev")" = "$want" ] && return 0
		sleep 0.05
	done
	fail "$ns $dev is $(carp_state "$ns" "$dev"), not $want after ${timeout}s"
}

# carp_stat NS NAME: a counter of /proc/net/carp_stats in NS.
carp_stat()
{
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/carp_stats
}

# now_ms: monotonic milliseconds.
now_ms()
{
	local up

	read -r up _ < /proc/uptime
	echo $(( ${up%.*} * 1000 + 10#${up#*.} * 10 ))
}

# neigh_mac NS ADDR: the MAC NS has for ADDR, if any.
neigh_mac()
{
	ip -n "$1" neigh show "$2" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'
}

check_eq()
{
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}
