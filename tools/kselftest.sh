#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The carp selftests as a kselftest target, drivers/net/carp, run by the
# kernel's own kselftest runner.
#
#   tools/kselftest.sh install OUTDIR
#
#	On the host: an installed kselftest tree in OUTDIR holding only our
#	target, made the way "make -C tools/testing/selftests
#	TARGETS=drivers/net/carp install" makes it in a kernel tree: the
#	runner files of Linux 6.12 (run_kselftest.sh, kselftest/) plus
#	selftests/* of this checkout installed by their Makefile as
#	OUTDIR/drivers/net/carp, and OUTDIR/kselftest-list.txt.
#
#   tools/kselftest.sh run OUTDIR [TEST...]
#
#	In the guest (or on any machine with the carp module): runs
#	OUTDIR/run_kselftest.sh, for the whole collection or for the named
#	tests only (carp_netlink.sh, or selftests/carp_netlink.sh), passes
#	its output through and ends with
#	    selftests: N passed, N failed, N skipped
#	counting test cases, the KTAP lines the scripts print (the runner
#	prefixes them with "# ").  A script that fails without reporting a
#	failing case (it died, timed out or bailed out) counts as one failure;
#	one skipped as a whole (exit 4) without cases, as one skip.  After
#	each script comes a line "# carp_x.sh: P passed, F failed, S skipped,
#	T s" with its wall time.  The per-script timeout is the "timeout=" of
#	selftests/settings; SELFTEST_TIMEOUT=S overrides it (run_kselftest.sh
#	-o S).  Exit status 0 when nothing failed.
#
# The kernel's runner files come from $KSFT_SRC, a Linux source tree, if
# set; otherwise the few of them needed are unpacked once from
# /usr/src/linux-source-6.12.tar.xz (Debian's linux-source-6.12, ~15 s)
# into ${CARP_KSFT_CACHE:-/var/cache/carp-kselftest} (or
# ~/.cache/carp-kselftest when that is not writable).
#
# Tests run as root and need what selftests/config lists; the iproute2
# plugin is found through IP_LIB_DIR in the environment, e.g.
#   IP_LIB_DIR=$PWD/tools/iproute2 tools/kselftest.sh run /tmp/ksft
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
collection=drivers/net/carp
tarball=${KSFT_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
srcname=linux-source-6.12

# What "make install" of tools/testing/selftests needs from a kernel tree,
# relative to its top: the selftests Makefile includes subarch.include.
ksft_files=(
	scripts/subarch.include
	tools/testing/selftests/Makefile
	tools/testing/selftests/lib.mk
	tools/testing/selftests/run_kselftest.sh
	tools/testing/selftests/kselftest/ksft.py
	tools/testing/selftests/kselftest/ktap_helpers.sh
	tools/testing/selftests/kselftest/module.sh
	tools/testing/selftests/kselftest/prefix.pl
	tools/testing/selftests/kselftest/runner.sh
)

die() { echo "kselftest.sh: $*" >&2; exit 2; }

usage()
{
	sed -n '3,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

# kernel_src: print a directory that holds ksft_files, unpacking them from
# the tarball into the cache if needed.
kernel_src()
{
	local cache dir stamp f tmp

	if [ -n "${KSFT_SRC:-}" ]; then
		for f in "${ksft_files[@]}"; do
			[ -e "$KSFT_SRC/$f" ] || die "KSFT_SRC=$KSFT_SRC has no $f"
		done
		echo "$KSFT_SRC"
		return
	fi
	[ -r "$tarball" ] || die "no $tarball (apt-get install $srcname) and no KSFT_SRC"
	stamp=$(stat -c '%s %Y' "$tarball")
	for cache in "${CARP_KSFT_CACHE:-/var/cache/carp-kselftest}" \
		     "${HOME:-/tmp}/.cache/carp-kselftest"; do
		dir=$cache/$srcname
		# A complete earlier unpack, even in a read-only cache.
		if [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
			echo "$dir"
			return
		fi
		mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || continue
		(
			flock 9
			[ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ] && exit 0
			echo "kselftest.sh: unpacking the kselftest runner from $tarball" >&2
			tmp=$(mktemp -d "$cache/.unpack.XXXXXX") || exit 1
			# --occurrence: stop reading once every file was found.
			tar -xJf "$tarball" -C "$tmp" --occurrence=1 \
				"${ksft_files[@]/#/$srcname/}" || { rm -rf "$tmp"; exit 1; }
			echo "$stamp" > "$tmp/$srcname/.stamp"
			rm -rf "$dir"
			mv "$tmp/$srcname" "$dir"
			rm -rf "$tmp"
		) 9> "$cache/.lock" || die "cannot unpack $tarball into $cache"
		echo "$dir"
		return
	done
	die "no writable cache directory for the kselftest runner"
}

cmd_install()
{
	local out=${1:-} src sel f missing=0

	[ -n "$out" ] || usage
	command -v rsync > /dev/null || die "rsync is missing (lib.mk installs with it)"
	command -v make > /dev/null || die "make is missing"
	src=$(kernel_src) || exit 2
	# Start from an empty OUTDIR, but delete only an earlier installed tree.
	if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
		[ -e "$out/run_kselftest.sh" ] ||
			die "$out is neither empty nor an installed kselftest tree"
		rm -rf "$out"
	fi
	mkdir -p "$out" || die "cannot create $out"
	out=$(cd "$out" && pwd)

	# A skeleton kernel tree: the runner files, and our selftests where
	# the upstream series puts them.
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/carp-ksft-src.XXXXXX") || exit 2
	trap 'rm -rf "${tmp:-}"' EXIT
	for f in "${ksft_files[@]}"; do
		mkdir -p "$tmp/$(dirname "$f")"
		cp -p "$src/$f" "$tmp/$f" || exit 2
	done
	sel=$tmp/tools/testing/selftests/$collection
	mkdir -p "$sel"
	cp -p "$top"/selftests/* "$sel"/ || exit 2

	make -s --no-print-directory -C "$tmp/tools/testing/selftests" \
		TARGETS="$collection" KSFT_INSTALL_PATH="$out" install > "$tmp/make.log" 2>&1 ||
		{ cat "$tmp/make.log" >&2; die "make install failed"; }

	# Every test script and helper of selftests/ must be installed: catch
	# one missing from TEST_PROGS or TEST_FILES of selftests/Makefile.
	for f in "$top"/selftests/carp_*.sh "$top"/selftests/*.py "$top"/selftests/lib.sh \
		 "$top"/selftests/settings "$top"/selftests/config; do
		if [ ! -e "$out/$collection/$(basename "$f")" ]; then
			echo "kselftest.sh: $(basename "$f") is not installed (selftests/Makefile)" >&2
			missing=1
		fi
	done
	# And every carp_*.sh must be run: listed in TEST_PROGS, not TEST_FILES.
	for f in "$top"/selftests/carp_*.sh; do
		if ! grep -qx "$collection:$(basename "$f")" "$out/kselftest-list.txt"; then
			echo "kselftest.sh: $(basename "$f") is not in TEST_PROGS (selftests/Makefile)" >&2
			missing=1
		fi
	done
	[ "$missing" -eq 0 ] || exit 1
	grep -q "^$collection:" "$out/kselftest-list.txt" || die "no tests in kselftest-list.txt"
	echo "kselftest.sh: installed $(grep -c "^$collection:" "$out/kselftest-list.txt") tests of $collection in $out"
}

# summarize: pass the runner's output through, count the cases of each
# script, add a line per script and the final summary.  The last line of
# the input is "@runner-exit RC", the runner's exit status.
summarize()
{
	local line name='' start=0 p=0 f=0 s=0 rc=0 plan=-1
	local passed=0 failed=0 skipped=0 scripts=0
	local hdr="# selftests: $collection: "
	local res="^(not )?ok [0-9]+ selftests: $collection: "

	while IFS= read -r line; do
		if [[ $line =~ ^@runner-exit\ ([0-9]+)$ ]]; then
			[ "${BASH_REMATCH[1]}" -eq 0 ] || rc=${BASH_REMATCH[1]}
			continue
		fi
		printf '%s\n' "$line"
		if [[ $line == "$hdr"* ]]; then
			name=${line#"$hdr"} start=${EPOCHREALTIME/./} p=0 f=0 s=0 plan=-1
		elif [[ $line =~ ^#\ 1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		elif [[ $line =~ ^#\ ok\ [0-9]+\ .*#\ SKIP ]]; then
			s=$((s + 1))
		elif [[ $line =~ ^#\ ok\ [0-9]+ ]]; then
			p=$((p + 1))
		elif [[ $line =~ ^#\ not\ ok\ [0-9]+ ]]; then
			f=$((f + 1))
		elif [[ $line =~ $res ]]; then
			if [[ $line == "not ok"* ]] && [ "$f" -eq 0 ]; then
				f=1	# died, timed out or bailed out
			elif [[ $line == *"# SKIP" ]]; then
				s=$((s + 1))	# skipped, as a whole or after some cases
			fi
			# Cases the plan announced and that never reported ran
			# nowhere: an early exit.  They count as failed.
			if [ "$plan" -gt $((p + f + s)) ]; then
				echo "# ${name:-?}: planned $plan cases, $((p + f + s)) reported"
				f=$((f + plan - p - f - s))
			fi
			echo "# ${name:-?}: $p passed, $f failed, $s skipped," \
				"$(( (${EPOCHREALTIME/./} - start) / 1000000 )) s"
			passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
			scripts=$((scripts + 1)) name='' p=0 f=0 s=0
		fi
	done
	# The runner failed (no such test, ...) and no script did.
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		echo "not ok - run_kselftest.sh exited with $rc after $scripts scripts"
		failed=1
	fi
	echo "selftests: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}

cmd_run()
{
	local dir=${1:-} args=() t

	[ -n "$dir" ] || usage
	shift
	if [ ! -x "$dir/run_kselftest.sh" ]; then
		echo "kselftest.sh: no installed kselftest tree in $dir (tools/kselftest.sh install)"
		echo "selftests: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	[ $# -gt 0 ] || args=(-c "$collection")
	for t in "$@"; do
		args+=(-t "$collection:$(basename "$t")")
	done
	[ -n "${SELFTEST_TIMEOUT:-}" ] && args+=(-o "$SELFTEST_TIMEOUT")

	# Load the module up front, as a system with carp.ko installed does on
	# the first "ip link add ... type carp" (the scripts load it too).
	modprobe carp 2>/dev/null || true

	if [ -z "${CARP_QUEUE:-}" ]; then
		{ "$dir/run_kselftest.sh" "${args[@]}" 2>&1; echo "@runner-exit $?"; } |
			summarize
		return
	fi
	# Guests sharing the queue directory CARP_QUEUE run the scripts
	# between them, each script once: in the order given, a guest runs
	# those it is the first to claim (mkdir is atomic on the host).
	[ $# -gt 0 ] || set -- $(sed -n "s/^$collection://p" "$dir/kselftest-list.txt")
	if [ ! -d "$CARP_QUEUE" ] || [ ! -w "$CARP_QUEUE" ]; then
		echo "not ok - the queue $CARP_QUEUE is not a writable directory"
		echo "selftests: 0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	{
		for t in "$@"; do
			# Claimed by the other guest, or nothing runs anywhere.
			if ! mkdir "$CARP_QUEUE/$(basename "$t")" 2>/dev/null; then
				[ -d "$CARP_QUEUE/$(basename "$t")" ] && continue
				echo "not ok - cannot claim $(basename "$t") in $CARP_QUEUE"
				echo "@runner-exit 1"
				continue
			fi
			args=(-t "$collection:$(basename "$t")")
			[ -n "${SELFTEST_TIMEOUT:-}" ] && args+=(-o "$SELFTEST_TIMEOUT")
			"$dir/run_kselftest.sh" "${args[@]}" 2>&1
			echo "@runner-exit $?"
		done
	} | summarize
}

case ${1:-} in
install)	shift; cmd_install "$@" ;;
run)		shift; cmd_run "$@" ;;
*)		usage ;;
esac
