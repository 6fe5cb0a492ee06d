#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-module.sh - run carp's KUnit suites as the module carp_kunit on the
# running kernel (a guest booting a kernel with CONFIG_KUNIT=y, CARP=m and
# CARP_KUNIT_TEST=m), and report the results.
#
# Usage (as root):
#   tools/kunit-module.sh [--keep] [carp_kunit.ko]
#       modprobe carp_kunit (which pulls in carp), or insmod the file given
#       (carp is then modprobed first unless it is loaded; CARP_KO=carp.ko
#       insmods that instead).  --keep leaves carp_kunit loaded afterwards.
#   tools/kunit-module.sh --results-dir DIR
#       load nothing; read DIR/<suite>/results, as saved from
#       /sys/kernel/debug/kunit.
#   tools/kunit-module.sh --ktap FILE
#       load nothing; read a KTAP log (a dmesg, kunit.py's test.log; "-" is
#       standard input).
#
# KUnit runs the suites of a module while the module is being loaded, so
# they have finished when modprobe returns.  Each suite's KTAP results are
# then read from /sys/kernel/debug/kunit/<suite>/results (debugfs is
# mounted if needed), or, without CONFIG_KUNIT_DEBUGFS, from the kernel log
# written since a marker this script puts there before loading.
#
# The KTAP is printed, then one line per suite, and last
# "kunit: N passed, N failed, N skipped", counting test cases (each
# parameter of a parameterized case counts as one), as kunit.py does.
# A suite that did not run or did not finish counts as one failure.
#
# Exit status: 0 if every suite ran and nothing failed, 1 otherwise, 2 on
# bad usage.
set -uo pipefail

PROG=${0##*/}
MODULE=carp_kunit
# Only for testing this script: where debugfs and the kernel log are.
DEBUGFS=${CARP_KUNIT_DEBUGFS:-/sys/kernel/debug}
KMSG=${CARP_KUNIT_KMSG:-/dev/kmsg}
top=$(cd "$(dirname "$0")/.." && pwd)

usage()
{
	cat >&2 <<EOF
usage: $PROG [--keep] [carp_kunit.ko]
       $PROG --results-dir DIR   (DIR/<suite>/results, as in $DEBUGFS/kunit)
       $PROG --ktap FILE|-       (a KTAP log: dmesg, kunit.py's test.log)
EOF
	exit 2
}

# The suites carp_kunit must run: the ".name" of every kunit_suite in
# tests/*_kunit.c when the source is at hand, else the list as of this
# writing.
# CARP_KUNIT_SUITES="a b" overrides both.
expected_suites()
{
	local s

	if [ -n "${CARP_KUNIT_SUITES:-}" ]; then
		echo "$CARP_KUNIT_SUITES"
		return
	fi
	s=$(cat "$top"/drivers/net/carp/tests/*_kunit.c 2>/dev/null |
		awk '/^static struct kunit_suite /{ in_suite = 1 }
		     in_suite && /\.name *= *"/ {
			sub(/^[^"]*"/, ""); sub(/".*/, ""); print; in_suite = 0
		     }')
	echo "${s:-carp_proto carp_hmac carp_election}"
}

# parse_ktap < KTAP: one line per suite found,
#	"SUITE name passed failed skipped result planned cases"
# with result ok, not_ok, skip or none (no result line: the suite did not
# finish).  A test result line without subtests before it is a test case
# (or one parameter of a parameterized case) and counted; the suite is the
# "# Subtest:" at the first indentation level (4 spaces).  Kernel log
# prefixes ("[   12.345678] ", "[  T123]") are stripped.  A suite seen
# twice (two runs in one log) counts as its last run.
parse_ktap()
{
	awk '
	function flush(s) {
		if (s == "")
			return
		printf "SUITE %s %d %d %d %s %d %d\n", s, pass[s], fail[s],
			skip[s], res[s], plan[s], ncase[s]
	}
	{
		line = $0
		sub(/\r$/, "", line)
		while (match(line, /^\[[^]]*\] ?/))
			line = substr(line, RLENGTH + 1)
		match(line, /^ */)
		depth = int(RLENGTH / 4)
		body = substr(line, RLENGTH + 1)
	}
	depth == 1 && body ~ /^# Subtest: / {
		s = substr(body, 12)
		sub(/[ \t]+$/, "", s)
		if (!(s in res))
			order[n++] = s
		pass[s] = fail[s] = skip[s] = plan[s] = ncase[s] = 0
		res[s] = "none"
		cur = s
		for (d in kids)
			kids[d] = 0
		next
	}
	depth == 1 && body ~ /^1\.\.[0-9]+/ && cur != "" && res[cur] == "none" {
		plan[cur] = substr(body, 4) + 0
		next
	}
	body !~ /^(not )?ok [0-9]+/ || cur == "" {
		next
	}
	{
		st = body ~ /#[ \t]*[Ss][Kk][Ii][Pp]/ ? "skip" : \
		     body ~ /^not ok/ ? "not_ok" : "ok"
		name = body
		sub(/^(not )?ok [0-9]+ (- )?/, "", name)
		sub(/[ \t]*#.*$/, "", name)
	}
	depth == 0 {
		if (name == cur && res[cur] == "none")
			res[cur] = st
		next
	}
	{
		if (depth == 1)
			ncase[cur]++
		leaf = !kids[depth]
		kids[depth] = 0
		for (d = 1; d < depth; d++)
			kids[d] = 1
		if (!leaf)
			next
		if (st == "skip")
			skip[cur]++
		else if (st == "not_ok")
			fail[cur]++
		else
			pass[cur]++
	}
	END {
		for (i = 0; i < n; i++)
			flush(order[i])
	}'
}

# debugfs_results DIR SUITE...: print DIR/SUITE/results of each suite;
# fails if one of them is missing.
debugfs_results()
{
	local dir=$1 s rc=0

	shift
	for s in "$@"; do
		if [ -r "$dir/$s/results" ]; then
			cat "$dir/$s/results"
		else
			rc=1
		fi
	done
	return $rc
}

mode=load keep=0 src='' ko=''
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--results-dir) [ $# -ge 2 ] || usage; mode=dir src=$2; shift ;;
	--ktap) [ $# -ge 2 ] || usage; mode=ktap src=$2; shift ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) [ -z "$ko" ] || usage; ko=$1 ;;
	esac
	shift
done
[ "$mode" = load ] || [ -z "$ko" ] || usage

read -r -a suites <<<"$(expected_suites | tr '\n' ' ')"
ktap=$(mktemp)
trap 'rm -f "$ktap"' EXIT

case $mode in
ktap)
	if [ "$src" = - ]; then
		cat > "$ktap"
	elif ! cat -- "$src" > "$ktap"; then
		exit 2
	fi
	;;
dir)
	[ -d "$src" ] || { echo "$PROG: $src: no such directory" >&2; exit 2; }
	# A missing suite is reported below.
	debugfs_results "$src" "${suites[@]}" > "$ktap"
	;;
load)
	if [ "$(id -u)" -ne 0 ]; then
		echo "$PROG: loading modules needs root" >&2
		exit 2
	fi
	# A loaded carp_kunit has run already: unload it to run again.
	if [ -e /sys/module/$MODULE ]; then
		rmmod $MODULE || echo "$PROG: cannot unload $MODULE" >&2
	fi
	if ! mountpoint -q "$DEBUGFS" 2>/dev/null && [ -d "$DEBUGFS" ]; then
		mount -t debugfs debugfs "$DEBUGFS" 2>/dev/null ||
			echo "$PROG: cannot mount debugfs; using the kernel log" >&2
	fi

	# Everything KUnit logs after this line belongs to this run.
	marker="$PROG: loading $MODULE ($$ $(date +%s%N))"
	echo "$marker" 2>/dev/null > "$KMSG" || marker=''

	loaded=0
	if [ -z "$ko" ]; then
		modprobe $MODULE && loaded=1
	else
		if [ ! -e /sys/module/carp ]; then
			if [ -n "${CARP_KO:-}" ]; then
				insmod "$CARP_KO"
			else
				modprobe carp
			fi || echo "$PROG: carp is not loaded; trying $ko anyway" >&2
		fi
		insmod "$ko" && loaded=1
	fi
	[ "$loaded" -eq 1 ] || echo "$PROG: loading $MODULE failed" >&2

	if ! debugfs_results "$DEBUGFS/kunit" "${suites[@]}" > "$ktap"; then
		# No CONFIG_KUNIT_DEBUGFS (or debugfs): take the kernel log.
		if [ -n "$marker" ]; then
			dmesg | awk -v m="$marker" 'index($0, m) { n = NR } { l[NR] = $0 }
				END { for (i = n + 1; i <= NR; i++) print l[i] }' > "$ktap"
		else
			dmesg > "$ktap"
		fi
	fi
	if [ "$loaded" -eq 1 ] && [ "$keep" -eq 0 ]; then
		rmmod $MODULE || echo "$PROG: cannot unload $MODULE" >&2
	fi
	;;
esac

cat "$ktap"
echo

passed=0 failed=0 skipped=0 rc=0
results=$(parse_ktap < "$ktap")
for s in "${suites[@]}"; do
	# shellcheck disable=SC2034	# tag is the literal "SUITE"
	read -r tag name p f k res plan cases < <(grep "^SUITE $s " <<<"$results") || true
	if [ -z "${name:-}" ]; then
		echo "kunit: suite $s did not run"
		failed=$((failed + 1)) rc=1
		continue
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
	note=
	if [ "$res" = none ]; then
		note="did not finish"
	elif [ "$plan" -ne "$cases" ]; then
		note="ran $cases of $plan test cases"
	elif [ "$res" = not_ok ] && [ "$f" -eq 0 ]; then
		note="failed outside its test cases"
	elif [ "$res" = skip ] && [ "$((p + f + k))" -eq 0 ]; then
		skipped=$((skipped + 1))	# skipped as a whole
	fi
	if [ -n "$note" ]; then
		failed=$((failed + 1))
		res="not_ok, $note"
	fi
	[ "$res" = ok ] || [ "$res" = skip ] || rc=1
	[ "$f" -eq 0 ] || rc=1
	echo "kunit: suite $s: $p passed, $f failed, $k skipped ($res)"
	unset name
done

echo "kunit: $passed passed, $failed failed, $skipped skipped"
exit $rc
