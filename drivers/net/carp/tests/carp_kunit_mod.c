// SPDX-License-Identifier: GPL-2.0
/*
 * carp_kunit: the module of the carp KUnit suites (carp_proto, carp_hmac,
 * carp_election, carp_fuzz).  Each suite registers itself; KUnit runs them
 * when the module is loaded, or at boot when it is built in.
 */

#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for the CARP driver");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
