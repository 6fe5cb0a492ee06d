#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the carp selftests (all of them, or those named on the command line,
# e.g. selftests/carp_netlink.sh) through the kernel's kselftest runner,
# from the installed kselftest tree in $KSFT_INSTALL that
# "tools/kselftest.sh install DIR" made on the host.  Without KSFT_INSTALL,
# such a tree is installed into /tmp first.  The runner's output is passed
# through; the last line is
#   selftests: N passed, N failed, N skipped
# counting test cases; a script that dies without reporting a failing case
# counts as one failure itself (see tools/kselftest.sh).
#
# This is the entry point of the VM run of tools/check.sh; it belongs to
# the repository, not to the kselftest target.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)

# The carp.ko under test is the one tools/vm/run.sh -m put in updates/.
export CARP_MODULE_PATH=${CARP_MODULE_PATH-*/updates/*}

if [ -z "${KSFT_INSTALL:-}" ]; then
	KSFT_INSTALL=$(mktemp -d /tmp/carp-ksft.XXXXXX) &&
	bash "$top/tools/kselftest.sh" install "$KSFT_INSTALL" || {
		echo "not ok - tools/kselftest.sh install failed"
		echo "selftests: 0 passed, 1 failed, 0 skipped"
		exit 1
	}
fi
exec bash "$top/tools/kselftest.sh" run "$KSFT_INSTALL" "$@"
