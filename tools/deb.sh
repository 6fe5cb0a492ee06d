#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages, with Debian's own tools and no network.
#
#   carp-dkms    the module source under /usr/src/carp-VERSION with its
#                dkms.conf: DKMS builds carp.ko for every installed kernel
#                that has headers, and again for kernels installed later
#   carp-tools   link_carp.so for ip(8), carp(7), an example udev rule
#
# The source package is staged in build/deb/carp-VERSION from this checkout
# (what the packages need, and tools/debian as debian/); the .deb files,
# the .changes and lintian's report (build/deb/lintian.txt) end up in
# build/deb.  Exit status non-zero if the build fails or lintian reports
# an error or a warning.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
for tool in dpkg-parsechangelog dpkg-buildpackage dh dh_dkms lintian; do
	command -v "$tool" > /dev/null || {
		echo "deb.sh: $tool not found; apt install dpkg-dev debhelper dh-dkms lintian" >&2
		exit 2
	}
done
version=$(dpkg-parsechangelog -l "$top/tools/debian/changelog" -S Version)
stage=$out/carp-$version

rm -rf "$out"
mkdir -p "$stage/tools"
cp -a "$top/Kbuild" "$top/drivers" "$top/include" "$top/compat" "$stage/"
cp -a "$top/tools/debian/dkms-build.sh" "$stage/"
mkdir -p "$stage/tools/iproute2" "$stage/tools/man"
cp -a "$top/tools/iproute2/Makefile" "$top/tools/iproute2/link_carp.c" \
	"$stage/tools/iproute2/"
cp -a "$top/tools/man/carp.7" "$stage/tools/man/"
cp -a "$top/tools/debian" "$stage/debian"
rm -f "$stage/debian/dkms-build.sh"
# Not the objects of an in-place build.
find "$stage/drivers" -type f ! \( -name '*.[ch]' -o -name Makefile \
	-o -name Kconfig -o -name .kunitconfig \) -delete

(cd "$stage" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log"
	echo "deb.sh: dpkg-buildpackage failed (build/deb/build.log)" >&2
	exit 1
}
changes=$out/carp_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).changes
[ -f "$changes" ] || { echo "deb.sh: no $changes" >&2; exit 1; }
rc=0
lintian --info --display-info "$changes" > "$out/lintian.txt" 2>&1 || rc=$?
# 0: clean, 1: tags at the fail-on level; anything else: lintian failed.
[ $rc -le 1 ] || { tail -n 20 "$out/lintian.txt"; echo "deb.sh: lintian failed" >&2; exit 1; }
ls "$out"/*.deb
if grep -E '^[EW]: ' "$out/lintian.txt"; then
	echo "deb.sh: lintian errors or warnings (build/deb/lintian.txt)" >&2
	exit 1
fi
echo "deb.sh: lintian: $(grep -cE '^I: ' "$out/lintian.txt") info tags, no error or warning"
