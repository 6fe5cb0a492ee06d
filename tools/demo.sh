#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the FreeBSD Handbook's CARP example, narrated, in a QEMU guest
# running the newest installed Debian kernel with the freshly built module.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash tools/setup.sh > /dev/null
kver=$(for d in /lib/modules/*/build; do [ -e "$d/Makefile" ] &&
	basename "$(dirname "$d")"; done | sort -V | tail -n1)
make --no-print-directory -s module KVER="$kver" > /dev/null
make --no-print-directory -s plugin > /dev/null

cat <<EOF
carp demo: three hosts and a client share a LAN (network namespaces on a
bridge, in a VM running Linux $kver).

  hosta     192.168.1.3   MASTER of 192.168.1.50 (vhid 1)
  hostb     192.168.1.4   MASTER of 192.168.1.51 (vhid 2)
  provider  192.168.1.5   BACKUP of both (advskew 100)
  client    192.168.1.10  fetches http://192.168.1.50/ and http://192.168.1.51/;
                          each server's page names its host

EOF
tools/vm/run.sh -k "$kver" -m "build/$kver/carp.ko" -e DEMO=1 \
	-e IP_LIB_DIR="$top/tools/iproute2" -- bash selftests/carp_handbook.sh |
	grep -v -e '^# ' -e '^TAP version' -e '^1\.\.' |
	sed -e 's/^ok [0-9]* handbook: /  [ok] /' -e 's/^not ok [0-9]* handbook: /  [FAILED] /'
