#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the carp selftests, in the spirit of
# tools/testing/selftests/net/lib.sh (which Linux 6.1 does not have).
#
# A test script sources this file, calls require_carp, declares its cases
# with ktap_plan, runs each case function through run_test and ends with
# ktap_finish.  The output is KTAP, as kselftest/ktap_helpers.sh prints it:
# "TAP version 13", the plan "1..N", "ok N name", "ok N name # SKIP" or
# "not ok N name" per case, diagnostics as "# ..." lines, and the totals
# "# Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:0".  The exit
# status is 0 (all passed), 1 (something failed) or 4 (everything skipped).
#
# Hosts are network namespaces named "<role>-<pid>" joined by veth pairs to
# a bridge in a "switch" namespace; cleanup_all_ns runs on exit.
#
# The scripts only use files of their own directory (SELFTEST_DIR), so they
# run the same from tools/testing/selftests/drivers/net/carp/ and from an
# installed kselftest tree.  An ip(8) that does not know "type carp" yet
# finds the carp plugin (link_carp.so) through IP_LIB_DIR in the
# environment, which the caller sets.

# Under emulation, on a debug kernel, starting a process costs 0.1-0.3 s of
# CPU: sleep, which every polling loop runs, is a bash builtin where the
# bash-builtins package is installed (a "sleep 0.05" then sleeps 50 ms, not
# 350).  Without it the external sleep works the same, only slower.
builtin_sleep() { enable -f sleep -- sleep 2>/dev/null; }
builtin_sleep

ksft_pass=0
ksft_fail=1
ksft_skip=4

TESTS_TOTAL=0
TESTS_RUN=0
TESTS_FAILED=0
TESTS_SKIPPED=0
NS_LIST=()

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

KTAP_HEADER_DONE=

ktap_header()
{
	[ -n "$KTAP_HEADER_DONE" ] && return
	KTAP_HEADER_DONE=1
	echo "TAP version 13"
}

ktap_plan()
{
	TESTS_TOTAL=$1
	ktap_header
	echo "1..$TESTS_TOTAL"
}

# run_test NAME FUNCTION: the function returns 0 pass, 4 skip, else fail.
run_test()
{
	local name=$1 fn=$2 rc=0 start=$SECONDS

	TESTS_RUN=$((TESTS_RUN + 1))
	echo "# --- $name"
	"$fn" || rc=$?
	echo "# ($((SECONDS - start)) s)"
	case $rc in
	0) echo "ok $TESTS_RUN $name" ;;
	4) echo "ok $TESTS_RUN $name # SKIP"; TESTS_SKIPPED=$((TESTS_SKIPPED + 1)) ;;
	*) echo "not ok $TESTS_RUN $name"; TESTS_FAILED=$((TESTS_FAILED + 1)) ;;
	esac
	return 0
}

ktap_print_totals()
{
	local passed=$((TESTS_RUN - TESTS_FAILED - TESTS_SKIPPED))

	echo "# Totals: pass:$passed fail:$TESTS_FAILED xfail:0 xpass:0 skip:$TESTS_SKIPPED error:0"
}

# ktap_finish: the totals, then exit 0, 1 (a case failed or did not run)
# or 4 (every case skipped).
ktap_finish()
{
	ktap_print_totals
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

# ktap_bail_out MESSAGE: the test cannot run at all; "Bail out!", exit 1.
ktap_bail_out()
{
	ktap_header
	echo "Bail out! $*"
	ktap_print_totals
	exit $ksft_fail
}

# require_carp: the carp link type works, or the script fails at once with
# the reason.  Loads the module first: scripts read the net.carp sysctls
# before their first "ip link add ... type carp" would autoload it.
require_carp()
{
	local ns="probe-$$" err

	modprobe -q carp 2>/dev/null
	ip netns add "$ns" || ktap_bail_out "cannot create a network namespace"
	if ! err=$(ip -n "$ns" link add d0 type dummy 2>&1); then
		ip netns del "$ns"
		ktap_header
		log "ip link add ... type dummy: $err"
		ktap_bail_out "cannot create a dummy device (CONFIG_DUMMY)"
	fi
	if ! err=$(ip -n "$ns" link add link d0 name c0 type carp vhid 1 2>&1); then
		ip netns del "$ns"
		ktap_header
		log "ip link add ... type carp: $err"
		if [ ! -d /sys/module/carp ]; then
			log "the carp module is not loaded and \"modprobe carp\" failed"
		fi
		log "IP_LIB_DIR=${IP_LIB_DIR:-(unset)}: ip(8) needs it to find" \
		    "link_carp.so unless it knows \"type carp\""
		ktap_bail_out "\"ip link add ... type carp\" does not work" \
			"(carp.ko loaded? IP_LIB_DIR set to the directory of link_carp.so?)"
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
# One process, no pipe: polling loops call this many times.
carp_state() { link_state "$(ip -n "$1" -d -o link show dev "$2" 2>/dev/null)"; }

# link_state "$(ip -d -o link show dev DEV)": the carp state in it.  One
# process per poll: a regex instead of grep or sed.
link_state()
{
	[[ $1 =~ carp\ vhid\ .*\ state\ ([A-Z]+) ]] && echo "${BASH_REMATCH[1]}"
}

# hold_state SECONDS NS:DEV=STATE...: each DEV stays in its STATE for
# SECONDS, by the clock, checked as often as the guest manages (a check
# costs 0.3 s on a debug kernel under emulation).
hold_state()
{
	local end=$(( $(now_ms) + $1 * 1000 )) spec ns dev s
	shift

	while [ "$(now_ms)" -lt $end ]; do
		for spec; do
			ns=${spec%%:*} dev=${spec#*:} dev=${dev%%=*}
			s=$(carp_state "$ns" "$dev")
			[ "$s" = "${spec#*=}" ] ||
				fail "$ns $dev became $s, not staying ${spec#*=}" || return 1
		done
		sleep 0.1
	done
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

# --- never two masters ----------------------------------------------------
#
# masters_watch_start NAME NS:DEV...: watch, in the background, that at most
# one of the listed carp devices (one vhid on several hosts) is MASTER.  Two
# or more MASTERs for longer than MASTERS_WATCH_GRACE_MS (default 1500) in a
# row count as a violation; a shorter overlap is normal while a preempting
# BACKUP's first advertisement is on its way.  masters_watch_stop ends every
# running watch and fails (with a message per violation) if one was seen.
#
# The watcher is one python process that reads IFLA_CARP_STATE, what
# carp_state reads through "ip -d link", over rtnetlink every 50 ms: a shell
# loop of carp_state calls would take the whole CPU of an emulated guest and
# sample far less often.  A namespace is entered afresh for every sample, so
# the watch keeps no namespace alive.  Several watches (one per vhid) may
# run at once; a start in a new case (run_test) first drops the watches an
# earlier case left running when it failed before masters_watch_stop.

MASTERS_WATCH_GRACE_MS=${MASTERS_WATCH_GRACE_MS:-1500}
MASTERS_WATCH_PIDS=()
MASTERS_WATCH_FILES=()
MASTERS_WATCH_CASE=

masters_watch_py()
{
	cat <<'PY'
import ctypes, os, socket, struct, sys, time

CLONE_NEWNET = 0x40000000
RTM_NEWLINK, RTM_GETLINK, NLM_F_REQUEST = 16, 18, 1
IFLA_IFNAME, IFLA_LINKINFO = 3, 18
IFLA_INFO_DATA, IFLA_CARP_STATE, CARP_STATE_MASTER = 2, 5, 2

libc = ctypes.CDLL(None, use_errno=True)
out, grace, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
byns = {}
for spec in sys.argv[4:]:
    ns, dev = spec.split(":", 1)
    byns.setdefault(ns, []).append(dev)
parent = os.getppid()


def attrs(buf):
    i = 0
    while i + 4 <= len(buf):
        alen, atype = struct.unpack_from("HH", buf, i)
        if alen < 4:
            return
        yield atype & 0x3fff, buf[i + 4:i + alen]
        i += (alen + 3) & ~3


def rtnl_in(ns):
    """A NETLINK_ROUTE socket in namespace NS, or None if it is gone."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        target = os.open("/run/netns/" + ns, os.O_RDONLY)
    except OSError:
        os.close(own)
        return None
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            return None
        return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    finally:
        libc.setns(own, CLONE_NEWNET)
        os.close(own)
        os.close(target)


def state(sock, dev):
    """IFLA_CARP_STATE of DEV, None if it does not exist."""
    ifname = dev.encode() + b"\0"
    attr = struct.pack("HH", 4 + len(ifname), IFLA_IFNAME) + ifname
    attr += b"\0" * (-len(attr) % 4)
    body = struct.pack("BxHiII", 0, 0, 0, 0, 0) + attr
    sock.send(struct.pack("IHHII", 16 + len(body), RTM_GETLINK,
                          NLM_F_REQUEST, 1, 0) + body)
    data = sock.recv(65536)
    mlen, mtype = struct.unpack_from("IH", data, 0)
    if mtype != RTM_NEWLINK:
        return None
    for t, v in attrs(data[32:mlen]):
        if t == IFLA_LINKINFO:
            for t2, v2 in attrs(v):
                if t2 == IFLA_INFO_DATA:
                    for t3, v3 in attrs(v2):
                        if t3 == IFLA_CARP_STATE:
                            return v3[0]
    return None


def masters():
    found = []
    for ns, devs in byns.items():
        sock = rtnl_in(ns)
        if sock is None:
            continue
        with sock:
            for dev in devs:
                try:
                    if state(sock, dev) == CARP_STATE_MASTER:
                        found.append(ns + ":" + dev)
                except OSError:
                    pass
    return found


open(out + ".ready", "w").close()
since, worst = None, 0
while not os.path.exists(out + ".stop") and os.getppid() == parent:
    now = time.monotonic()
    both = masters()
    if len(both) >= 2:
        if since is None:
            since = now
        ms = int((now - since) * 1000)
        if ms > grace and ms > worst:
            worst = ms
            with open(out, "w") as f:
                f.write("%s: %s MASTER together for %d ms or more\n"
                        % (name, " and ".join(both), ms))
    else:
        since = None
    # 5 Hz: a fine enough grain against a grace of a second or more, and
    # each round costs the guest 10 ms of CPU under emulation.
    time.sleep(0.2)
PY
}

masters_watch_start()
{
	local name=$1 f i
	shift

	# Watches of an earlier case that failed before its masters_watch_stop
	# are still running: drop them.
	if [ "$MASTERS_WATCH_CASE" != "$TESTS_RUN" ] && [ ${#MASTERS_WATCH_PIDS[@]} -gt 0 ]; then
		masters_watch_stop > /dev/null 2>&1
	fi
	MASTERS_WATCH_CASE=$TESTS_RUN
	f=$(mktemp /tmp/carp-masters.XXXXXX) || return 1
	: > "$f"
	python3 -S -c "$(masters_watch_py)" "$f" "$MASTERS_WATCH_GRACE_MS" "$name" "$@" \
		> /dev/null 2>&1 &
	MASTERS_WATCH_PIDS+=($!)
	MASTERS_WATCH_FILES+=("$f")
	# Python starts slowly under emulation: the watch covers what follows.
	for ((i = 0; i < 200; i++)); do
		[ -e "$f.ready" ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.05
	done
	fail "masters_watch $name did not start"
}

masters_watch_stop()
{
	local i f rc=0

	for i in "${!MASTERS_WATCH_PIDS[@]}"; do
		f=${MASTERS_WATCH_FILES[i]}
		: > "$f.stop"
		wait "${MASTERS_WATCH_PIDS[i]}" 2>/dev/null
		if [ -s "$f" ]; then
			fail "two masters: $(cat "$f")"
			rc=1
		fi
		rm -f "$f" "$f.ready" "$f.stop"
	done
	MASTERS_WATCH_PIDS=()
	MASTERS_WATCH_FILES=()
	return $rc
}

# masters_watch_end [RC]: masters_watch_stop, then RC if it is not 0; the
# last command of a case: "last_check; masters_watch_end $?".
masters_watch_end()
{
	masters_watch_stop || return 1
	return "${1:-0}"
}

# --- state changes on one clock (carp_watch.py) ---------------------------

WATCH_PIDS=()

# watch_start LOG NS...: carp_watch.py on NS..., until watch_stop_all.
watch_start()
{
	local log=$1 i

	shift
	: > "$log"
	python3 "$SELFTEST_DIR/carp_watch.py" watch "$@" > "$log" &
	WATCH_PIDS+=($!)
	for ((i = 0; i < 600; i++)); do
		grep -q START "$log" && return 0
		sleep 0.1
	done
	fail "carp_watch.py did not start"
}

watch_stop_all()
{
	[ ${#WATCH_PIDS[@]} -gt 0 ] || return 0
	kill "${WATCH_PIDS[@]}" 2>/dev/null
	wait "${WATCH_PIDS[@]}" 2>/dev/null
	WATCH_PIDS=()
}
