#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, from Debian packages, everything carp's build, tests and demo
# need.  Idempotent and quick when nothing is missing: packages are only
# installed when dpkg does not know them yet.
set -euo pipefail

packages=(
	build-essential bc bison flex libelf-dev libssl-dev kmod cpio xz-utils
	python3 jq rsync
	# checkpatch.pl's SPDX check (spdxcheck.py) on the series
	python3-ply python3-git
	# tools/rstcheck.py on carp.rst; groff on the man page
	python3-docutils groff-base
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	qemu-system-x86 busybox-static
	sparse
	iproute2 iputils-ping procps psmisc
	# sleep as a bash builtin in the selftests' polling loops
	bash-builtins
	ucarp keepalived tshark
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#packages[@]} packages present"
	exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the default (no) is fine.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
