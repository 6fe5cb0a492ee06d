#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: everything CI runs, in order.
#
#   setup       the Debian packages (quick when present)
#   build       carp.ko for every installed Debian kernel, W=1, warnings
#               are errors; the iproute2 plugin
#   checkpatch  checkpatch.pl --strict on our kernel sources
#   sparse      on our kernel sources, for every kernel
#   kunit       the KUnit suites on UML
#   selftests   selftests/run.sh in a QEMU VM on every kernel
#
# Each result is printed as it comes; the last line is
# "N passed, N failed, N skipped" and the exit status is non-zero on any
# failure.  CHECK_ONLY="build kunit" runs a subset of the steps,
# SELFTESTS="selftests/carp_netlink.sh" a subset of the selftests.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
only=${CHECK_ONLY:-setup build checkpatch sparse kunit selftests}
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

checkpatch=${CARP_KUNIT_CACHE:-/var/cache/carp-kunit}/linux-source-6.12/scripts/checkpatch.pl
if want checkpatch; then
	if [ ! -x "$checkpatch" ]; then
		# The kernel source arrives with the KUnit cache.
		bash tools/kunit.sh --unpack-only > /dev/null 2>&1 || true
	fi
	if [ -x "$checkpatch" ] &&
		"$checkpatch" --strict --no-tree --terse --show-types \
			--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES \
			-f drivers/net/carp/*.[ch] drivers/net/carp/tests/*.c \
			include/uapi/linux/if_carp.h > "$logdir/checkpatch.log" 2>&1; then
		result pass "checkpatch.pl --strict"
	else
		result fail "checkpatch.pl --strict"
		head -n 30 "$logdir/checkpatch.log"
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

if want kunit; then
	bash tools/kunit.sh > "$logdir/kunit.log" 2>&1
	grep -E '^\[[0-9:]+\] +(\[(PASSED|FAILED|SKIPPED)\]|# )' "$logdir/kunit.log" | grep -E 'FAILED|Totals' || true
	add_summary "kunit" "$(grep -a '^kunit: ' "$logdir/kunit.log" | tail -n1)"
fi

if want selftests; then
	for k in "${KVERS[@]}"; do
		ko=$top/build/$k/carp.ko
		if [ ! -e "$ko" ]; then
			result fail "selftests on $k: no carp.ko"
			continue
		fi
		tools/vm/run.sh -k "$k" -m "$ko" -t 1500 \
			-e IP_LIB_DIR="$top/tools/iproute2" \
			-- bash selftests/run.sh ${SELFTESTS:-} > "$logdir/selftests-$k.log" 2>&1
		rc=$?
		grep -E '^(not ok|ok .*# SKIP)' "$logdir/selftests-$k.log" | sed "s/^/  $k: /"
		line=$(grep -a '^selftests: ' "$logdir/selftests-$k.log" | tail -n1)
		add_summary "selftests on $k" "${line:-selftests: 0 passed, 1 failed, 0 skipped}"
		if [ "$rc" -ne 0 ] && ! grep -q ' [1-9][0-9]* failed' <<<"$line"; then
			result fail "selftests VM on $k exited $rc (see build/logs/selftests-$k.log)"
			tail -n 30 "$logdir/selftests-$k.log"
		fi
	done
fi

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
