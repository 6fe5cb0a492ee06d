#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms-build.sh KERNEL_SOURCE_DIR [MAKE_ARGS...]: DKMS's build step.  Builds
# carp.ko out of tree against the given kernel (Kbuild; compat/ for kernels
# before 6.12), passing MAKE_ARGS on (KERNELRELEASE, and CC/LD that dkms
# adds for clang-built kernels), and leaves it at the top of the build
# directory, where dkms.conf says.
set -e
kdir=$1
shift
rm -f carp.ko
make -j"$(nproc)" -C "$kdir" M="$(pwd)" "$@" modules
ko=$(find drivers .compat -name carp.ko 2>/dev/null | head -n 1)
[ -n "$ko" ] || { echo "dkms-build.sh: no carp.ko was built" >&2; exit 1; }
cp "$ko" carp.ko
