/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the carp KUnit suites share: the reference vectors and captured
 * packets as IP payloads, and a keyed HMAC transform freed with the test.
 */
#ifndef _CARP_KUNIT_H
#define _CARP_KUNIT_H

#include <linux/types.h>

#define IP4(a, b, c, d) htonl((a) << 24 | (b) << 16 | (c) << 8 | (d))
#define IP6(a, b, c, d, e, f, g, h) { .in6_u.u6_addr16 = {			\
	cpu_to_be16(a), cpu_to_be16(b), cpu_to_be16(c), cpu_to_be16(d),	\
	cpu_to_be16(e), cpu_to_be16(f), cpu_to_be16(g), cpu_to_be16(h) } }

struct kunit;
struct crypto_shash;

/* One test packet: the IP payload and, for CARP, how to authenticate it. */
struct carp_test_packet {
	const char *what;
	const u8 *data;
	unsigned int len;
	const char *pass;		/* NULL: not a CARP advertisement */
	unsigned int naddrs;
	__be32 addrs[4];
};

/*
 * carp_test_packets[]: the reference's V1 and V2, ucarp 1.5.2 frames 6, 7
 * and 8, then two keepalived VRRPv3 packets.  The CARP ones come first.
 */
enum {
	CARP_TEST_V1,
	CARP_TEST_V2,
	CARP_TEST_UCARP6,
	CARP_TEST_UCARP7,
	CARP_TEST_UCARP8,
	CARP_TEST_NR_CARP,
	CARP_TEST_VRRP = CARP_TEST_NR_CARP,
	CARP_TEST_VRRP_PRIO0,
	CARP_TEST_NR_PACKETS,
};

extern const struct carp_test_packet carp_test_packets[CARP_TEST_NR_PACKETS];

struct crypto_shash *carp_test_tfm(struct kunit *test, const char *pass);

#endif /* _CARP_KUNIT_H */
