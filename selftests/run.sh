#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the carp selftests (every selftests/carp_*.sh, or those named on the
# command line) one after the other, like kselftest's runner: each under a
# timeout, its KTAP output passed through.  Ends with
#   selftests: N passed, N failed, N skipped
# counting test cases; a script that dies without reporting a failing case
# counts as one failure itself.
set -u

dir=$(cd "$(dirname "$0")" && pwd)
timeout=${SELFTEST_TIMEOUT:-600}
passed=0 failed=0 skipped=0

# Load the module up front: the tests read net.carp sysctls before their
# first "ip link add ... type carp" would autoload it.
modprobe carp 2>/dev/null || true

if [ $# -eq 0 ]; then
	set -- "$dir"/carp_*.sh
fi

for t in "$@"; do
	name=$(basename "$t")
	echo "# ===== $name"
	out=$(mktemp)
	rc=0
	timeout --foreground "$timeout" bash "$t" 2>&1 | tee "$out" || true
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok [0-9]+ ' "$out" | head -n1)
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out")
	f=$(grep -cE '^not ok [0-9]+ ' "$out")
	p=$((p - s))
	if [ "$rc" -eq 4 ] && [ $((p + s + f)) -eq 0 ]; then
		s=1	# the whole script skipped
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with $rc"
	fi
	echo "# $name: exit $rc, $p passed, $f failed, $s skipped"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	rm -f "$out"
done

echo "selftests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
