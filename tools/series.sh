#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/series.sh [--checkpatch] [OUTDIR]	(make series)
#
# Writes carp as a "git format-patch" series, with a cover letter, against
# Debian's linux-source-6.12 into OUTDIR (default build/series):
#
#   1 the uapi header
#   2 the driver with its KUnit suite, drivers/net Kconfig and Makefile hooks
#   3 Documentation/networking/carp.rst and its index entry
#   4 the selftests as the kselftest target drivers/net/carp
#
# MAINTAINERS grows with every patch that adds files (checkpatch asks for
# that, which is also why the KUnit suite comes with the driver).  The files
# come from this checkout unchanged; the kernel files the series edits are
# taken from the tarball (unpacked once into a cache).
#
# --checkpatch: then run scripts/checkpatch.pl --strict on every patch (in
# the generator's git tree, so that its SPDX check works too) and fail on
# any message.
#
# Author and Signed-off-by: this repository's git user.  Dates are fixed,
# so an unchanged checkout gives byte-identical patches.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --checkpatch ]; then
	check=1
	shift
fi
out=$(realpath -m "${1:-$top/build/series}")
cache=${CARP_SERIES_CACHE:-/var/cache/carp-series}
tarball=$(ls -1 /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1 || true)
[ -n "$tarball" ] || { echo "series: no /usr/src/linux-source-6.12.tar.*; run: make setup" >&2; exit 1; }

edited=(MAINTAINERS drivers/net/Kconfig drivers/net/Makefile
	Documentation/networking/index.rst tools/testing/selftests/Makefile)
# checkpatch.pl and what it reads; spdxcheck.py wants a git tree with LICENSES.
# It also insists on the top of a kernel tree (the directories are made empty).
checker=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	 scripts/spdxcheck.py scripts/spdxexclude LICENSES COPYING CREDITS Kbuild Makefile README)

# The pristine kernel files the series changes.
base=$cache/base.$(stat -c %Y-%s "$tarball")
if [ ! -d "$base" ]; then
	mkdir -p "$cache"
	rm -rf "$cache"/base.* "$cache"/tmp.*
	t=$(mktemp -d "$cache/tmp.XXXXXX")
	tar -C "$t" -xf "$tarball" "${edited[@]/#/linux-source-6.12/}" \
		"${checker[@]/#/linux-source-6.12/}"
	mv "$t/linux-source-6.12" "$base"
	rmdir "$t"
fi

name=$(git -C "$top" config user.name || echo "carp developers")
email=$(git -C "$top" config user.email || echo "carp@localhost")
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email
export GIT_AUTHOR_DATE="2026-11-28T12:00:00Z" GIT_COMMITTER_DATE="2026-11-28T12:00:00Z"

work=$(mktemp -d)
trap '[ -n "${CARP_SERIES_KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$work"
git init -q -b carp .
git config core.autocrlf false
for f in "${edited[@]}" "${checker[@]}"; do
	mkdir -p "$(dirname "$f")"
	cp -R "$base/$f" "$f"
done
mkdir -p arch fs init ipc kernel lib
git add -A
git commit -q -m "linux-source-6.12 (the files this series edits)"
git tag base

# commit SUBJECT BODY: commit everything, with a Signed-off-by.
commit()
{
	git add -A
	printf '%s\n\n%s\n\nSigned-off-by: %s <%s>\n' "$1" "$2" "$name" "$email" |
		git commit -q -F -
}

# maintainers F-LINE...: the carp entry with these file patterns, placed
# alphabetically (after CARL9170) and rewritten on every call.
maintainers()
{
	python3 - "$name" "$email" "$@" <<'EOF'
import sys
name, email, files = sys.argv[1], sys.argv[2], sorted(sys.argv[3:])
title = "CARP (COMMON ADDRESS REDUNDANCY PROTOCOL) DRIVER"
text = open("MAINTAINERS").read()
blocks = text.split("\n\n")
blocks = [b for b in blocks if not b.startswith(title)]
entry = "\n".join([title, f"M:\t{name} <{email}>", "L:\tnetdev@vger.kernel.org",
                   "S:\tMaintained"] + [f"F:\t{f}" for f in files])
at = next(i for i, b in enumerate(blocks) if b.startswith("CARL9170 "))
blocks.insert(at + 1, entry)
open("MAINTAINERS", "w").write("\n\n".join(blocks))
EOF
}

# insert_after FILE ANCHOR TEXT: the line TEXT right after the first line
# ANCHOR of FILE, which must have one.
insert_after()
{
	python3 - "$@" <<'EOF'
import sys
p, anchor, text = sys.argv[1], sys.argv[2] + "\n", sys.argv[3] + "\n"
s = open(p).read()
assert anchor in s, f"{p}: no line {anchor!r}"
open(p, "w").write(s.replace(anchor, anchor + text, 1))
EOF
}

# --- 1: uapi -------------------------------------------------------------
mkdir -p include/uapi/linux
cp "$top/include/uapi/linux/if_carp.h" include/uapi/linux/
maintainers include/uapi/linux/if_carp.h
commit "net: carp: add the uapi header for CARP devices" \
"CARP, the Common Address Redundancy Protocol of FreeBSD and OpenBSD, lets
several hosts on a LAN share IP addresses: one host, the MASTER, answers
for them, the others take over when its advertisements stop.

This header defines the rtnetlink attributes of the \"carp\" link type
(IFLA_CARP_*): the virtual host id, advertisement base and skew, the
password, and a state to force.  The driver follows."

# --- 2: the driver -------------------------------------------------------
mkdir -p drivers/net/carp
(cd "$top/drivers/net/carp" && git ls-files .) |
	while read -r f; do
		mkdir -p "drivers/net/carp/$(dirname "$f")"
		cp "$top/drivers/net/carp/$f" "drivers/net/carp/$f"
	done
python3 - <<'EOF'
p = "drivers/net/Kconfig"
s = open(p).read()
anchor = "\nconfig VXLAN\n"
assert anchor in s
s = s.replace(anchor, '\nsource "drivers/net/carp/Kconfig"\n' + anchor, 1)
open(p, "w").write(s)
EOF
insert_after drivers/net/Makefile 'obj-$(CONFIG_IPVTAP) += ipvlan/' 'obj-$(CONFIG_CARP) += carp/'
maintainers drivers/net/carp/ include/uapi/linux/if_carp.h
commit "net: carp: add the Common Address Redundancy Protocol driver" \
"A carp device is a virtual Ethernet device stacked on a parent, with the
virtual MAC 00:00:5e:00:01:<vhid>.  The addresses put on it are shared by
every host that runs the same vhid.  The driver speaks CARP version 2 as
the BSD carp(4) driver and ucarp do, so Linux, BSD and ucarp hosts can
back each other up:

  ip link add link eth0 name carp0 type carp vhid 1 advskew 100 pass s
  ip addr add 192.168.1.50/24 dev carp0
  ip link set carp0 up

- an IPPROTO_CARP (112) handler, receive path under RCU with an O(1)
  vhid lookup per parent; advertisements are checked (TTL 255, length,
  version, checksum, SHA1 HMAC) and counted per reason;
- the INIT/BACKUP/MASTER state machine with the advertisement and
  master-down timers, preemption, bow-out (advskew 255) when a MASTER
  goes down, and the demotion of every vhid of a host when one of its
  parents loses its link (net.carp.suppress_preempt);
- ARP ownership: only the MASTER answers for a shared address, with the
  virtual MAC, and sends gratuitous ARP on taking over; arpbalance
  spreads clients over several vhids by their source address;
- rtnetlink ops with extack errors, per-namespace net.carp sysctls,
  module parameters for the initial namespace, /proc/net/carp_stats,
  per-device sysfs attributes, RTM_NEWLINK and a uevent on every state
  change.

The pure protocol logic (wire format, checksum, HMAC, election rules)
is kept apart from the device code, in proto.c, hmac.c and election.c,
and tested by KUnit against reference vectors (CONFIG_CARP_KUNIT_TEST,
a module, carp_kunit; the functions under test are exported to it with
EXPORT_SYMBOL_IF_KUNIT):

  ./tools/testing/kunit/kunit.py run --kunitconfig=drivers/net/carp

IPv6 addresses are not shared yet."

# --- 3: documentation ------------------------------------------------------
cp "$top/Documentation/networking/carp.rst" Documentation/networking/
insert_after Documentation/networking/index.rst '   caif/index' '   carp'
maintainers Documentation/networking/carp.rst drivers/net/carp/ \
	include/uapi/linux/if_carp.h
commit "docs: networking: add carp" \
"How to set up and run carp devices: configuration, states and timers,
preemption and demotion, ARP ownership and arpbalance, counters and
events, what CARP does not protect against, and interoperability with
the BSDs and ucarp."

# --- 4: selftests ----------------------------------------------------------
ksft=tools/testing/selftests/drivers/net/carp
mkdir -p "$ksft"
(cd "$top/selftests" && git ls-files . | grep -v -x -e run.sh) |
	while read -r f; do
		mkdir -p "$ksft/$(dirname "$f")"
		cp -p "$top/selftests/$f" "$ksft/$f"
	done
insert_after tools/testing/selftests/Makefile 'TARGETS += drivers/net/bonding' \
	'TARGETS += drivers/net/carp'
maintainers Documentation/networking/carp.rst drivers/net/carp/ \
	include/uapi/linux/if_carp.h "$ksft/"
commit "selftests: drivers: net: add carp tests" \
"Network namespace tests of carp devices: elections and failover between
hosts joined by a bridge, preemption, bow-out, forced states, the
netlink interface and its errors, sysctls and counters, ARP ownership
and arpbalance, parents that flap, change MTU or disappear, devices and
namespaces deleted in every order, unprivileged user namespaces, crafted
and malformed packets, and interoperability with ucarp and tshark's
dissector where those are installed.

The tests configure carp devices with ip(8); iproute2 support for
\"type carp\" is a separate patch, until then the link_carp.so plugin is
found through IP_LIB_DIR."

# --- the series ----------------------------------------------------------
# Only ever replace a series (or nothing).
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$out/0000-cover-letter.patch" ]; then
	echo "series: $out is not empty and holds no series; not touching it" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"
git format-patch -q --cover-letter --no-signature -o "$out" base..HEAD
python3 - "$out"/0000-cover-letter.patch <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("*** SUBJECT HERE ***",
              "net: carp: Common Address Redundancy Protocol devices")
s = s.replace("*** BLURB HERE ***", """\
This series adds CARP, the Common Address Redundancy Protocol of FreeBSD
and OpenBSD, as an rtnetlink link type.  Hosts on a LAN share addresses;
the MASTER answers for them with the virtual MAC 00:00:5e:00:01:<vhid>,
the BACKUPs take over when its advertisements stop.  Users who run
keepalived or ucarp today, or a BSD firewall pair, get redundancy as a
plain network device that speaks the real CARP wire protocol, so Linux
hosts can back up BSD and ucarp hosts and be backed up by them.

  ip link add link eth0 name carp0 type carp vhid 1 advskew 100 pass s
  ip addr add 192.168.1.50/24 dev carp0
  ip link set carp0 up

Patch 1 adds the uapi header, patch 2 the driver with its KUnit tests,
patch 3 the documentation and patch 4 the selftests.  iproute2
support for "type carp" is sent separately.

Tested in QEMU on this tree (Debian's 6.12) with KASAN, lockdep,
kmemleak, DEBUG_OBJECTS, DEBUG_NET and the netdev/netns refcount
trackers: the KUnit suite as a module, and the selftests through the
kselftest runner; and out of tree on Debian's 6.1 and 6.12 kernels.

IPv6, unicast peers and the net.carp.demotion knob of FreeBSD are not
part of this series.""")
open(p, "w").write(s)
EOF
ls "$out"
[ "$check" -eq 1 ] || exit 0

# Debian's python3 has ply and GitPython for spdxcheck.py.
rc=0
for p in "$out"/0*.patch; do
	case $p in */0000-cover-letter.patch) continue ;; esac
	# --terse prints nothing at all for a clean patch.
	st=0
	PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --terse \
		--show-types "$p" > "$work/cp.log" 2>&1 || st=$?
	if [ "$st" -ne 0 ] || grep -qv '^total: 0 errors, 0 warnings, 0 checks' "$work/cp.log"; then
		echo "checkpatch: ${p##*/}:"
		sed 's/^/  /' "$work/cp.log"
		rc=1
	fi
done
[ "$rc" -ne 0 ] || echo "checkpatch: the series is clean (--strict)"
exit "$rc"
