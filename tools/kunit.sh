#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run carp's KUnit suites on UML, in Debian's linux-source-6.12.
#
# The kernel source is unpacked once into a cache outside the repository;
# drivers/net/carp and the uapi header are symlinked into it, so the tree
# tests exactly the files of this checkout.  The UML build directory is
# cached too: a run with no changes takes seconds.
#
# Exit status: kunit.py's.  The last line is "kunit: N passed, N failed,
# N skipped" for tools/check.sh to add up.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${CARP_KUNIT_CACHE:-/var/cache/carp-kunit}
tarball=$(ls -1 /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1 || true)

if [ -z "$tarball" ]; then
	echo "kunit: /usr/src/linux-source-6.12.tar.* missing; run: make setup" >&2
	exit 1
fi

src=$cache/linux-source-6.12
stamp=$cache/unpacked.$(stat -c %Y-%s "$tarball")
mkdir -p "$cache"
if [ ! -e "$stamp" ]; then
	echo "kunit: unpacking $tarball into $cache"
	rm -rf "$src" "$cache"/unpacked.*
	tar -C "$cache" -xf "$tarball"
	touch "$stamp"
fi

# Drop carp into the tree, as a patch series would.
ln -sfn "$top/drivers/net/carp" "$src/drivers/net/carp"
ln -sfn "$top/include/uapi/linux/if_carp.h" "$src/include/uapi/linux/if_carp.h"
grep -q 'carp/' "$src/drivers/net/Makefile" ||
	echo 'obj-$(CONFIG_CARP) += carp/' >> "$src/drivers/net/Makefile"
grep -q 'drivers/net/carp/Kconfig' "$src/drivers/net/Kconfig" ||
	sed -i 's|^endif # NETDEVICES|source "drivers/net/carp/Kconfig"\n\nendif # NETDEVICES|' \
		"$src/drivers/net/Kconfig"
grep -q 'drivers/net/carp/Kconfig' "$src/drivers/net/Kconfig"
[ "${1:-}" = "--unpack-only" ] && exit 0

log=$(mktemp)
trap 'rm -f "$log"' EXIT
cd "$src"
rc=0
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/net/carp/.kunitconfig \
	--build_dir="$cache/build" --jobs="$(nproc)" 2>&1 | tee "$log" || rc=$?
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=${PIPESTATUS[0]}

# "Testing complete. Ran 30 tests: passed: 29, failed: 1"
summary=$(grep -a 'Testing complete' "$log" | tail -n1 || true)
passed=$(sed -n 's/.*passed: \([0-9]*\).*/\1/p' <<<"$summary")
failed=$(sed -n 's/.*failed: \([0-9]*\).*/\1/p' <<<"$summary")
skipped=$(sed -n 's/.*skipped: \([0-9]*\).*/\1/p' <<<"$summary")
if [ -z "$summary" ]; then
	failed=1	# the build or the run broke: that is a failure
fi
if [ "$rc" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
	failed=1
fi
echo "kunit: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$rc"
