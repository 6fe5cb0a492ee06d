#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak.sh start|report	(inside a guest of the debug kernel)
#
# start:  scan once and forget what boot left behind ("clear"), so that a
#         report shows only what was allocated after it.
# report: scan twice (kmemleak reports an object only when it is older than
#         5 s and was unreferenced in two scans), print every unreferenced
#         object, and end with
#           kmemleak: N unreferenced objects, M involving carp
#         Exit status 1 if any involves carp (its backtrace names a carp
#         function or the carp module), else 0; 2 if kmemleak is missing.
set -u

k=/sys/kernel/debug/kmemleak
[ -e "$k" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ ! -w "$k" ]; then
	echo "kmemleak: $k missing (kernel without CONFIG_DEBUG_KMEMLEAK?)"
	exit 2
fi

case ${1:-} in
start)
	echo scan > "$k"
	echo clear > "$k"
	;;
report)
	# Objects freed by RCU callbacks and work items that are still
	# queued are not leaks: let them run first.
	sleep 6
	echo scan > "$k"
	sleep 6
	echo scan > "$k"
	out=$(cat "$k")
	total=$(grep -c '^unreferenced object' <<<"$out")
	# One report per object, separated by the "unreferenced object" line.
	ours=$(awk '/^unreferenced object/ { if (blk ~ /carp/) n++; blk = "" }
		    { blk = blk "\n" $0 }
		    END { if (blk ~ /carp/) n++; print n + 0 }' <<<"$out")
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# kmemleak: /'
	echo "kmemleak: $total unreferenced objects, $ours involving carp"
	[ "$ours" -eq 0 ]
	;;
*)
	echo "usage: $0 start|report" >&2
	exit 2
	;;
esac
