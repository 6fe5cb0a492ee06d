#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compat/prepare.sh SRCTREE TOP KERNELRELEASE
#
# Called by the root Kbuild of an out-of-tree build.  drivers/net/carp is
# written for Linux 6.12, exactly as the kernel patch series adds it; for
# an older kernel, the patches in compat/patches whose API its headers
# lack are applied to a copy of the directory in TOP/.compat/KERNELRELEASE.
#
# A patch says when it is needed with a line
#	Compat-If-Missing: <header under include/> <fixed string>
# and is applied (in file name order) when the string is not in the header.
#
# Prints what Kbuild needs: the directory to build (relative to TOP, with
# a trailing slash), then extra compiler flags; or "compat-error" and the
# reason on stderr.  Files of the copy are only replaced when their content
# changes, so that an incremental build stays incremental.
set -u

srctree=$1 top=$2 krel=$3
inc=$srctree/include

needed=
for p in "$top"/compat/patches/*.patch; do
	[ -e "$p" ] || continue
	rule=$(sed -n 's/^Compat-If-Missing: //p' "$p")
	hdr=${rule%% *}
	str=${rule#* }
	if [ -z "$rule" ] || [ ! -f "$inc/$hdr" ]; then
		echo "compat: $p: bad Compat-If-Missing line or no $inc/$hdr" >&2
		echo compat-error
		exit 0
	fi
	grep -q -F -- "$str" "$inc/$hdr" || needed="$needed $p"
done

flags=
[ -f "$inc/kunit/visibility.h" ] || flags="-I$top/compat/include"

if [ -z "$needed" ]; then
	echo "drivers/net/carp/ $flags"
	exit 0
fi

out=.compat/$krel/drivers/net/carp
new=$(mktemp -d "${TMPDIR:-/tmp}/carp-compat.XXXXXX") || {
	echo compat-error
	exit 0
}
trap 'rm -rf "$new"' EXIT
# Sources only: objects of an in-place build of drivers/net/carp (for
# another kernel) must not reach the copy.  Kbuild reads this Kbuild again
# for modpost, after compiling, so this runs twice per build.
if ! (cd "$top" && find drivers/net/carp -type f \( -name '*.[ch]' -o \
	-name Makefile -o -name Kconfig -o -name .kunitconfig \) |
	while read -r f; do
		mkdir -p "$new/$(dirname "$f")" && cp "$f" "$new/$f" || exit 1
	done); then
	echo "compat: cannot copy drivers/net/carp" >&2
	echo compat-error
	exit 0
fi
for p in $needed; do
	if ! patch -s -p1 -F0 -N -d "$new" --no-backup-if-mismatch \
		-r - < "$p" >&2; then
		echo "compat: ${p##*/} does not apply" >&2
		echo compat-error
		exit 0
	fi
done

# Copy what changed; drop what is gone (objects of the build stay).
(cd "$new/drivers/net/carp" && find . -type f) | while read -r f; do
	mkdir -p "$(dirname "$top/$out/$f")"
	cmp -s "$new/drivers/net/carp/$f" "$top/$out/$f" ||
		cp "$new/drivers/net/carp/$f" "$top/$out/$f" || exit 1
done || { echo "compat: cannot update $out" >&2; echo compat-error; exit 0; }
(cd "$top/$out" && find . -type f \( -name '*.[ch]' -o -name 'Makefile' \
	-o -name 'Kconfig' \)) | while read -r f; do
	[ -e "$new/drivers/net/carp/$f" ] || rm -f "$top/$out/$f"
done
echo "$out/ $flags"
