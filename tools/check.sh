#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything CI runs, in order.
#
#   setup       the Debian packages (quick when present)
#   build       carp.ko for every installed Debian kernel, W=1, warnings
#               are errors (6.1 through compat/); the iproute2 plugin
#   series      make series: the kernel patch series, checkpatch --strict
#               on every patch
#   sparse      on our kernel sources, for every Debian kernel
#   debug       the debug kernel (tools/debug-kernel.sh): linux-source-6.12
#               with the series applied (each patch must build, W=1) and
#               KASAN, lockdep, kmemleak, debugobjects, refcount trackers
#   kunit       the KUnit suites as the module carp_kunit, on the debug kernel
#   selftests   the selftests through the kernel's kselftest runner in
#               QEMU guests: all of them on the debug kernel, then a
#               kmemleak scan (CHECK_DEBUG_SELFTESTS="selftests/x.sh ..."
#               for a subset there), and on every kernel of CHECK_KERNELS
#               (default: the oldest Debian kernel, 6.1; "all" for every
#               installed one; "none").  Two guests at a time, see below;
#               the KUnit guest runs beside the debug selftests.
#   kunit-uml   (not by default) the KUnit suites on UML, kunit.py
#
# Each result is printed as it comes (those of the guests when all are
# done); the last line is
# "N passed, N failed, N skipped" and the exit status is non-zero on any
# failure.  CHECK_ONLY="build kunit" runs a subset of the steps,
# SELFTESTS="selftests/carp_netlink.sh" a subset of the selftests.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
only=${CHECK_ONLY:-setup build series sparse debug kunit selftests}
passed=0 failed=0 skipped=0
failures=()
start=$(date +%s)

result()	# result pass|fail|skip NAME
{
	case $1 in
	pass) passed=$((passed + 1)) ;;
	fail) failed=$((failed + 1)); failures+=("$2") ;;
	skip) skipped=$((skipped + 1)) ;;
	esac
	printf '[%4ss] %-4s %s\n' $(($(date +%s) - start)) "$1" "$2"
}

# add_summary LABEL LINE: fold "x: N passed, N failed, N skipped" in.
add_summary()
{
	local p f s

	read -r p f s < <(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1 \2 \3/p' <<<"$2")
	if [ -z "${p:-}" ]; then
		result fail "$1: no summary"
		return
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	[ "$f" -eq 0 ] || failures+=("$1 ($f)")
	printf '[%4ss] %s %s\n' $(($(date +%s) - start)) "$1" "$2"
}

want() { [[ " $only " == *" $1 "* ]]; }

kernels()
{
	local d

	for d in /lib/modules/*/build; do
		[ -e "$d/Makefile" ] && basename "$(dirname "$d")"
	done | sort -V
}

# show_guest_log LOG: what run.sh said about the guest's kernel (a splat
# from its first line, a leak report), else how LOG ends.
show_guest_log()
{
	if grep -aq -- '--- guest kernel log' "$1"; then
		grep -a '^run.sh: \|^tools/vm/run.sh: ' "$1" | grep -v -- '---' | head -n 5
		sed -n '/--- guest kernel log/,/--- end of guest kernel log ---/p' "$1" | head -n 80
	else
		tail -n 40 "$1"
	fi
}

# vm LOG RUN.SH-ARGS...: one guest (tools/vm/run.sh), in the foreground,
# its output in LOG and its exit status in LOG.rc.  A TERM to this shell
# (or to the slot running it) stops the guest too: run.sh kills its QEMU
# on SIGTERM.
VM_PID=
vm()
{
	local log=$1 rc=0
	shift

	rm -f "$log.rc"
	trap '[ -z "$VM_PID" ] || kill "$VM_PID" 2>/dev/null; exit 143' TERM
	tools/vm/run.sh "$@" > "$log" 2>&1 &
	VM_PID=$!
	wait "$VM_PID" || rc=$?
	VM_PID=
	echo $rc > "$log.rc"
}

# guest LOG SCRIPTS RUN.SH-ARGS...: a selftests guest.
guest()
{
	local log=$1 scripts=$2
	shift 2

	# shellcheck disable=SC2086 # a list of scripts
	vm "$log" "$@" -e IP_LIB_DIR="$top/tools/iproute2" -e KSFT_INSTALL="$ksft" \
		-- bash selftests/run.sh $scripts
}

# log_rc LOG: the exit status in LOG.rc; 1 if there is none.
log_rc()
{
	local rc

	rc=$(cat "$1.rc" 2>/dev/null)
	[[ $rc =~ ^[0-9]+$ ]] && echo "$rc" || echo 1
}

# judge_selftests LABEL LOG: what the guest of LOG reported.
judge_selftests()
{
	local label=$1 log=$2 rc line

	rc=$(log_rc "$log")
	# The failing cases are named again at the very end (CI shows the tail).
	mapfile -t -O "${#notok[@]}" notok < <(grep -aE '^(# )*(not ok|ok .*# SKIP)' "$log" |
		sed "s/^/  $label: /")
	[ ${#notok[@]} -eq 0 ] || printf '%s\n' "${notok[@]}" | grep -aF "  $label: "
	line=$(grep -a '^selftests: ' "$log" | tail -n1)
	add_summary "selftests on $label" "${line:-selftests: 0 passed, 1 failed, 0 skipped}"
	# No test may pass by skipping: setup.sh installs everything they use.
	if [ -n "$line" ] && ! grep -q ' 0 skipped' <<<"$line"; then
		result fail "selftests on $label skipped cases (see ${log#"$top"/})"
	fi
	if [ "$rc" -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' <<<"$line"; then
		result fail "selftests VM on $label exited $rc (see ${log#"$top"/})"
	fi
	[ "$rc" -eq 0 ] || show_guest_log "$log"
}

# The guests' slots (background shells) still running when we stop (^C,
# a kill) go with us.
SLOT_PIDS=()
notok=()
queue=
stop_guests()
{
	[ ${#SLOT_PIDS[@]} -eq 0 ] || kill "${SLOT_PIDS[@]}" 2>/dev/null
	[ -z "$queue" ] || rm -rf "$queue"
}
trap stop_guests EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# debug_order "SCRIPTS": the selftest scripts (all when SCRIPTS is empty),
# longest first: the debug guests take them from a queue in this order, so
# that the last ones to start are short.  The weights are seconds on the
# debug kernel under TCG with one vCPU, measured; a script not listed
# counts 150.
debug_order()
{
	local -A secs=([carp_hostile.sh]=460 [carp_lossy.sh]=350 [carp_netlink.sh]=210
		[carp_arp_hostile.sh]=190 [carp_ipv6.sh]=190 [carp_churn.sh]=175
		[carp_failover.sh]=155 [carp_arpbalance.sh]=150 [carp_wirefuzz.sh]=145
		[carp_sysctl.sh]=140 [carp_handbook.sh]=140 [carp_parent_flaps.sh]=120
		[carp_ucarp.sh]=105 [carp_parents.sh]=70 [carp_wireshark.sh]=50
		[carp_module.sh]=30 [carp_demotion.sh]=200)
	local scripts=$1 s

	if [ -z "$scripts" ]; then
		scripts=$(sed -n '/^TEST_PROGS/,/^$/s/^\t\(carp_[a-z_0-9]*\.sh\).*/selftests\/\1/p' \
			selftests/Makefile)
	fi
	for s in $scripts; do echo "${secs[${s##*/}]:-150} $s"; done | sort -rn |
		while read -r _ s; do echo "$s"; done | paste -sd' '
}

logdir=$top/build/logs
mkdir -p "$logdir"

if want setup; then
	if bash tools/setup.sh > "$logdir/setup.log" 2>&1; then
		result pass "setup"
	else
		result fail "setup (see build/logs/setup.log)"
		tail -n 20 "$logdir/setup.log"
	fi
fi

mapfile -t KVERS < <(kernels)
[ ${#KVERS[@]} -gt 0 ] || result fail "no kernel headers installed"

if want build; then
	for k in "${KVERS[@]}"; do
		if make --no-print-directory module KVER="$k" \
			KBUILD_EXTRA="W=1 KCFLAGS=-Werror" > "$logdir/build-$k.log" 2>&1 &&
			! grep -q 'warning:' "$logdir/build-$k.log"; then
			result pass "build carp.ko for $k (W=1)"
		else
			result fail "build carp.ko for $k"
			grep -E 'error|warning' "$logdir/build-$k.log" | head -n 20
		fi
	done
	if make --no-print-directory plugin > "$logdir/plugin.log" 2>&1; then
		result pass "build tools/iproute2/link_carp.so"
	else
		result fail "build tools/iproute2/link_carp.so"
		tail -n 20 "$logdir/plugin.log"
	fi
fi

if want series; then
	if bash tools/series.sh --checkpatch "$top/build/series" \
		> "$logdir/series.log" 2>&1; then
		result pass "make series: $(ls build/series | grep -vc cover) patches, checkpatch --strict clean"
	else
		result fail "make series / checkpatch (see build/logs/series.log)"
		tail -n 30 "$logdir/series.log"
	fi
fi

if want series; then
	# Debian's python3, which has python3-docutils (tools/setup.sh).
	if out=$(/usr/bin/python3 tools/rstcheck.py Documentation/networking/carp.rst 2>&1); then
		result pass "carp.rst parses without a docutils warning"
	else
		result fail "carp.rst: docutils warnings"
		printf '%s\n' "$out" | head -n 20
	fi
fi

if want series; then
	# The man page: groff with every warning on, nothing to say.
	if out=$(LC_ALL=C.UTF-8 groff -ww -z -t -man tools/man/carp.7 2>&1) && [ -z "$out" ]; then
		result pass "tools/man/carp.7 renders without a groff warning"
	else
		result fail "tools/man/carp.7: groff warnings"
		printf '%s\n' "$out" | head -n 20
	fi
fi

if want sparse; then
	for k in "${KVERS[@]}"; do
		if make --no-print-directory module KVER="$k" \
			KBUILD_EXTRA="C=2 CHECK=sparse" > "$logdir/sparse-$k.log" 2>&1 &&
			! grep -E '^/.*/drivers/net/carp/.*: (warning|error):' "$logdir/sparse-$k.log"; then
			result pass "sparse on $k"
		else
			result fail "sparse on $k"
		fi
	done
fi

# The debug kernel: built from the series (make series first).
dbg_out=${CARP_DEBUG_CACHE:-/var/cache/carp-debug}/out
dbg_rel=
if want debug || want kunit || want selftests; then
	# Always from this checkout (10 s): an old series would test old code.
	if ! want series && ! bash tools/series.sh "$top/build/series" \
		> "$logdir/series.log" 2>&1; then
		result fail "make series (see build/logs/series.log)"
	fi
	if bash tools/debug-kernel.sh build/series \
		> "$logdir/debug-kernel.log" 2>&1; then
		dbg_rel=$(tail -n 1 "$logdir/debug-kernel.log")
		want debug && result pass "debug kernel $dbg_rel: the series applies to linux-source-6.12, every patch builds (W=1)"
	else
		result fail "debug kernel (see build/logs/debug-kernel.log)"
		tail -n 30 "$logdir/debug-kernel.log"
	fi
fi
dbg_mod=$dbg_out/lib/modules/$dbg_rel/kernel/drivers/net/carp

# run_kunit: the KUnit suites as modules on the debug kernel; -L: the
# modules are unloaded, then a kmemleak scan.  The exit status goes to
# kunit.log.rc.
run_kunit()
{
	[ -n "$dbg_rel" ] || return 0
	vm "$logdir/kunit.log" -K "$dbg_out" -c 1 -t 600 -L -- bash tools/kunit-module.sh
}

judge_kunit()
{
	local rc line

	if [ -z "$dbg_rel" ]; then
		result fail "kunit: no debug kernel"
		return
	fi
	rc=$(log_rc "$logdir/kunit.log")
	grep -aE '^ *not ok ' "$logdir/kunit.log" 2>/dev/null | sed 's/^/  kunit: /'
	line=$(grep -a '^kunit: [0-9]* passed' "$logdir/kunit.log" 2>/dev/null | tail -n1)
	add_summary "kunit (module, debug kernel)" "${line:-kunit: 0 passed, 1 failed, 0 skipped}"
	if [ -n "$line" ] && ! grep -q ' 0 skipped' <<<"$line"; then
		result fail "kunit skipped cases (see build/logs/kunit.log)"
	fi
	if [ "$rc" -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' <<<"$line"; then
		result fail "kunit VM exited $rc (see build/logs/kunit.log)"
	fi
	[ "$rc" -eq 0 ] || show_guest_log "$logdir/kunit.log"
}

# Two slots, one per core, each running guests with one vCPU.  Slot A:
# a debug guest.  Slot B: the Debian kernels' guests (CHECK_KERNELS), one
# after the other, then the KUnit guest, then a second debug guest.  The
# debug guests take their scripts from one queue, longest first
# (tools/kselftest.sh run: each script runs once, in the first guest to
# claim it), so the slots finish close together.  One vCPU per guest:
# two debug guests with two vCPUs each slowed each other 1.7 to 2.5 times
# on two cores (a vCPU spinning on a lock whose holder's thread is not
# running); with one vCPU each, carp_netlink took 247 s beside
# carp_hostile, against 210 s alone with two vCPUs (see the notes of
# issue 10).
# CHECK_DEBUG_GUESTS=1: no second debug guest.
sel=()
ksft=$top/build/kselftest
if want selftests; then
	# Without the build step, the modules and the plugin are still made
	# from this checkout (incrementally): never test a stale carp.ko.
	if ! want build; then
		for k in "${KVERS[@]}"; do
			make --no-print-directory module KVER="$k" > "$logdir/build-$k.log" 2>&1 ||
				result fail "build carp.ko for $k (see build/logs/build-$k.log)"
		done
		make --no-print-directory plugin > "$logdir/plugin.log" 2>&1 ||
			result fail "build tools/iproute2/link_carp.so (see build/logs/plugin.log)"
	fi
	rm -rf "$ksft"
	if ! bash tools/kselftest.sh install "$ksft" > "$logdir/kselftest-install.log" 2>&1; then
		result fail "kselftest install (see build/logs/kselftest-install.log)"
		tail -n 20 "$logdir/kselftest-install.log"
	fi
	case ${CHECK_KERNELS:-oldest} in
	all) sel=("${KVERS[@]}") ;;
	oldest) sel=("${KVERS[0]}") ;;
	none) sel=() ;;
	*) read -r -a sel <<<"$CHECK_KERNELS" ;;
	esac
	debian=()
	for k in "${sel[@]}"; do
		if [ -e "$top/build/$k/carp.ko" ]; then
			debian+=("$k")
		else
			result fail "selftests on $k: no carp.ko"
		fi
	done
	# CHECK_DEBUG_SELFTESTS="selftests/x.sh ..." runs only those on the
	# debug kernel.
	rm -f "$logdir"/selftests-*.log "$logdir"/selftests-*.log.rc \
		"$logdir/kunit.log" "$logdir/kunit.log.rc"
	debug_list=
	if [ -n "$dbg_rel" ]; then
		debug_list=$(debug_order "${SELFTESTS:-${CHECK_DEBUG_SELFTESTS:-}}")
		# Never a pass by running nothing.
		[ -n "$debug_list" ] ||
			result fail "selftests on the debug kernel: no scripts to run"
	fi
	queue=$(mktemp -d "${TMPDIR:-/tmp}/carp-queue.XXXXXX")
	# -L: a kmemleak scan after the tests; any leak fails the run.
	debug_args=(-K "$dbg_out" -m "$dbg_mod/carp.ko" -c 1 -L -t 4500
		    -Q "$queue" -e CARP_QUEUE=/run/carp-queue)
	(
		for k in "${debian[@]}"; do
			guest "$logdir/selftests-$k.log" "${SELFTESTS:-}" \
				-k "$k" -m "$top/build/$k/carp.ko" -c 1 -t 3000
		done
		! want kunit || run_kunit
		# The first debug guest has scripts left to start: the
		# second one shares them.
		if [ "${CHECK_DEBUG_GUESTS:-2}" -ge 2 ] && [ -n "$debug_list" ] &&
		   [ "$(ls "$queue" | wc -l)" -lt "$(wc -w <<<"$debug_list")" ]; then
			guest "$logdir/selftests-$dbg_rel-2.log" "$debug_list" "${debug_args[@]}"
		fi
	) &
	SLOT_PIDS+=($!)
fi

# The KUnit guest: in the background slot when the selftests run too (it
# is not on the longest path, the debug kernel's selftests are), else here.
if want kunit && ! want selftests; then
	rm -f "$logdir/kunit.log" "$logdir/kunit.log.rc"
	run_kunit
	judge_kunit
fi

if want kunit-uml; then
	bash tools/kunit.sh > "$logdir/kunit-uml.log" 2>&1
	add_summary "kunit (UML)" "$(grep -a '^kunit: ' "$logdir/kunit-uml.log" | tail -n1)"
fi

if want selftests; then
	if [ -z "$dbg_rel" ]; then
		result fail "selftests on the debug kernel: no debug kernel"
	elif [ -n "$debug_list" ]; then
		guest "$logdir/selftests-$dbg_rel-1.log" "$debug_list" "${debug_args[@]}" &
		SLOT_PIDS+=($!)
	fi
	wait "${SLOT_PIDS[@]}"
	SLOT_PIDS=()
	# Every guest planned is judged: one that never ran fails.  The
	# second debug guest is judged if it started.
	if [ -n "$dbg_rel" ] && [ -n "$debug_list" ]; then
		judge_selftests "$dbg_rel (1)" "$logdir/selftests-$dbg_rel-1.log"
		[ ! -e "$logdir/selftests-$dbg_rel-2.log" ] ||
			judge_selftests "$dbg_rel (2)" "$logdir/selftests-$dbg_rel-2.log"
		# And every debug script reported in one of them.
		for s in $debug_list; do
			grep -aqE "^(not )?ok [0-9]+ selftests: drivers/net/carp: ${s##*/}( |$)" \
				"$logdir/selftests-$dbg_rel"-[12].log 2>/dev/null ||
				result fail "selftests on $dbg_rel: ${s##*/} ran in no guest"
		done
	fi
	rm -rf "$queue"
	! want kunit || judge_kunit
	for k in "${debian[@]}"; do
		judge_selftests "$k" "$logdir/selftests-$k.log"
	done
fi

[ ${#notok[@]} -eq 0 ] || printf '%s\n' "${notok[@]}"
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
