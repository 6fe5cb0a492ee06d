// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the CARP HMAC: the protocol reference's vectors (IPv4,
 * IPv6, both, with OpenBSD's NOV6LL variant), the advertisements of a real
 * ucarp (password "testpass"), address normalization, and the BADAUTH
 * verdict for anything tampered with.
 */

#include <kunit/test.h>

#include "../hmac.h"
#include "../proto.h"
#include "carp_kunit.h"

/* Computed with Python's hmac and hashlib (and the reference's V3). */
#define MD_V3_ORIG	{ 0x48, 0x71, 0x80, 0xd9, 0x65, 0x53, 0x27, 0x35, 0xa1, 0xf8, \
			  0x97, 0x8a, 0x2d, 0xb7, 0x20, 0x6f, 0x44, 0x18, 0x17, 0x00 }
#define MD_V3_NOV6LL	{ 0xb6, 0xbc, 0xc5, 0xd4, 0x65, 0x7c, 0x9f, 0x3b, 0xa7, 0x76, \
			  0x52, 0x49, 0x09, 0x9c, 0xf8, 0xa4, 0x55, 0x68, 0x5f, 0x02 }
#define MD_V6_ONLY	{ 0x9e, 0xe2, 0x41, 0x79, 0xc5, 0x5c, 0xa8, 0xf0, 0x34, 0x3c, \
			  0xdf, 0x14, 0x8a, 0xa4, 0x3e, 0x43, 0xba, 0xf8, 0xe5, 0x27 }

struct carp_hmac_case {
	const char *pass;
	u8 vhid;
	u64 counter;
	unsigned int n4, n6;
	__be32 v4[4];
	struct in6_addr v6[4];
	u8 md[SHA1_DIGEST_SIZE];
	u8 nov6ll[SHA1_DIGEST_SIZE];	/* all zero: the same as md */
};

static const struct carp_hmac_case carp_hmac_vectors[] = {
	{	/* V1: one address, the universally interoperable case */
		"mekmitasdigoat", 1, 0x0123456789abcdefULL, 1, 0,
		{ IP4(192, 168, 1, 10) }, {},
		{ 0x4a, 0x56, 0xe2, 0x5f, 0xb9, 0xb7, 0x9c, 0x99, 0x40, 0x54,
		  0x2d, 0x9b, 0x83, 0xe2, 0x1d, 0x4e, 0xaf, 0x46, 0xae, 0x9a },
	},
	{	/* V2: next counter */
		"mekmitasdigoat", 1, 0x0123456789abcdf0ULL, 1, 0,
		{ IP4(192, 168, 1, 10) }, {},
		{ 0x00, 0xa5, 0xf8, 0xd1, 0x59, 0xfd, 0x92, 0xfe, 0xdf, 0xa6,
		  0xc9, 0xcf, 0x60, 0x64, 0x55, 0x94, 0xd3, 0x05, 0xd8, 0x23 },
	},
	{	/* V4: no password, an all-zero key */
		"", 1, 0x0123456789abcdefULL, 1, 0,
		{ IP4(192, 168, 1, 10) }, {},
		{ 0x06, 0xc4, 0xc2, 0x83, 0xf4, 0xa0, 0xbd, 0x93, 0x1d, 0x91,
		  0xd0, 0x2b, 0x51, 0x34, 0x92, 0x52, 0x00, 0xaa, 0x58, 0xe5 },
	},
	{	/* V3 without IPv6: three addresses, given unsorted, one twice */
		"mekmitasdigoat", 42, 0x0123456789abcdefULL, 4, 0,
		{ IP4(10, 0, 0, 20), IP4(10, 0, 0, 3), IP4(192, 168, 1, 10),
		  IP4(10, 0, 0, 3) }, {},
		{ 0xa0, 0x72, 0xe7, 0x6f, 0x67, 0x8c, 0x60, 0x14, 0xea, 0x4b,
		  0x46, 0x43, 0x57, 0x3d, 0x30, 0x22, 0x59, 0xf1, 0x01, 0x25 },
	},
	{	/* ucarp 1.5.2, frame 6 of ucarp-vhid7-testpass.pcapng */
		"testpass", 7, 0xd054e22d8e6ed9fdULL, 1, 0, { IP4(10, 0, 0, 100) }, {},
		{ 0x2c, 0x65, 0xe4, 0x16, 0x45, 0x7f, 0x1f, 0xf0, 0x47, 0xd9,
		  0x09, 0x11, 0x16, 0x64, 0x72, 0xb0, 0x7b, 0x3e, 0x90, 0x74 },
	},
	{	/* ucarp, frame 7 */
		"testpass", 7, 0x919452138d26a140ULL, 1, 0, { IP4(10, 0, 0, 100) }, {},
		{ 0x23, 0xe6, 0x3e, 0xe6, 0xaf, 0x1e, 0x6b, 0xbf, 0x1a, 0x4f,
		  0x28, 0x87, 0x8e, 0xdf, 0xb2, 0xe0, 0x01, 0x16, 0x64, 0x0b },
	},
	{	/* ucarp, frame 8 */
		"testpass", 7, 0xb73a93cf0ecdc8bfULL, 1, 0, { IP4(10, 0, 0, 100) }, {},
		{ 0xc8, 0x82, 0x11, 0x1f, 0x7f, 0x7f, 0xe5, 0x50, 0xf0, 0x70,
		  0xab, 0xc6, 0xd0, 0x4b, 0x5f, 0xb9, 0x16, 0x79, 0x2e, 0x96 },
	},
	{	/*
		 * V3: both families, unsorted, a link-local address among
		 * them: HMAC_ORIG (FreeBSD, and what we send) and OpenBSD's
		 * HMAC_NOV6LL without fe80::1.
		 */
		"mekmitasdigoat", 42, 0x0123456789abcdefULL, 3, 3,
		{ IP4(10, 0, 0, 20), IP4(10, 0, 0, 3), IP4(192, 168, 1, 10) },
		{ IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20), IP6(0xfe80, 0, 0, 0, 0, 0, 0, 1),
		  IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3) },
		MD_V3_ORIG, MD_V3_NOV6LL,
	},
	{	/* V3 with a BSD scope word in the link-local address: cleared */
		"mekmitasdigoat", 42, 0x0123456789abcdefULL, 3, 3,
		{ IP4(10, 0, 0, 20), IP4(10, 0, 0, 3), IP4(192, 168, 1, 10) },
		{ IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20), IP6(0xfe80, 7, 0, 0, 0, 0, 0, 1),
		  IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3) },
		MD_V3_ORIG, MD_V3_NOV6LL,
	},
	{	/* IPv6 only: 2001:db8::3 */
		"mekmitasdigoat", 42, 0x0123456789abcdefULL, 0, 1, {},
		{ IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3) },
		MD_V6_ONLY,
	},
	{	/* IPv6 only, twice, and fe80::1: NOV6LL is the one above */
		"mekmitasdigoat", 42, 0x0123456789abcdefULL, 0, 3, {},
		{ IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3), IP6(0xfe80, 0, 0, 0, 0, 0, 0, 1),
		  IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3) },
		{ 0xb3, 0x4b, 0x66, 0x89, 0x8a, 0xf7, 0xa7, 0x25, 0x55, 0x68,
		  0xcf, 0xb5, 0x75, 0x32, 0x40, 0x98, 0x48, 0xf0, 0x41, 0x44 },
		MD_V6_ONLY,
	},
};

/* Normalize a vector's addresses into v4 and v6. */
static void carp_case_vips(const struct carp_hmac_case *c, __be32 *v4,
			   struct in6_addr *v6, struct carp_vips *vips)
{
	memcpy(v4, c->v4, sizeof(c->v4));
	memcpy(v6, c->v6, sizeof(c->v6));
	vips->v4 = v4;
	vips->n4 = carp_addrs_normalize(v4, c->n4);
	vips->v6 = v6;
	vips->n6 = carp_addrs6_normalize(v6, c->n6);
}

static void carp_hmac_vectors_match(struct kunit *test)
{
	static const u8 zero[SHA1_DIGEST_SIZE];
	const struct carp_hmac_case *c;
	struct in6_addr v6[4];
	u8 md[SHA1_DIGEST_SIZE];
	struct carp_vips vips;
	__be32 v4[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(carp_hmac_vectors); i++) {
		const u8 *nov6ll;
		struct crypto_shash *tfm;

		c = &carp_hmac_vectors[i];
		nov6ll = memcmp(c->nov6ll, zero, sizeof(zero)) ? c->nov6ll : c->md;
		tfm = carp_test_tfm(test, c->pass);
		carp_case_vips(c, v4, v6, &vips);
		KUNIT_EXPECT_EQ(test, carp_hmac_digest(tfm, c->vhid, &vips, CARP_HMAC_ORIG,
						       c->counter, md), 0);
		KUNIT_EXPECT_MEMEQ_MSG(test, md, c->md, sizeof(md), "vector %u", i);
		KUNIT_EXPECT_EQ(test, carp_hmac_digest(tfm, c->vhid, &vips, CARP_HMAC_NOV6LL,
						       c->counter, md), 0);
		KUNIT_EXPECT_MEMEQ_MSG(test, md, nov6ll, sizeof(md), "vector %u NOV6LL", i);
		/* Both are accepted. */
		KUNIT_EXPECT_TRUE_MSG(test, carp_hmac_verify(tfm, c->vhid, &vips,
							     c->counter, c->md),
				      "vector %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, carp_hmac_verify(tfm, c->vhid, &vips,
							     c->counter, nov6ll),
				      "vector %u NOV6LL", i);
	}
}

static void carp_normalize_sorts_and_dedups(struct kunit *test)
{
	/* 0.0.0.0 and 255.255.255.255: never hashed, as on the BSDs. */
	__be32 addrs[] = { IP4(192, 168, 1, 10), IP4(10, 0, 0, 20), IP4(0, 0, 0, 0),
			   IP4(10, 0, 0, 3), IP4(10, 0, 0, 20), IP4(9, 255, 255, 255),
			   IP4(255, 255, 255, 255) };
	const __be32 want[] = { IP4(9, 255, 255, 255), IP4(10, 0, 0, 3),
				IP4(10, 0, 0, 20), IP4(192, 168, 1, 10) };
	unsigned int n = carp_addrs_normalize(addrs, ARRAY_SIZE(addrs));

	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(want));
	KUNIT_EXPECT_MEMEQ(test, addrs, want, sizeof(want));
}

static void carp_normalize6_sorts_clears_and_dedups(struct kunit *test)
{
	struct in6_addr addrs[] = {
		IP6(0xfe80, 0, 0, 0, 0, 0, 0, 1), IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20),
		IP6(0xfe80, 0x1234, 0, 0, 0, 0, 0, 1), IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3),
		IP6(0xfec0, 1, 0, 0, 0, 0, 0, 1), IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20),
		IP6(0, 0, 0, 0, 0, 0, 0, 0),
		IP6(0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff),
	};
	const struct in6_addr want[] = {
		IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 3), IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x20),
		IP6(0xfe80, 0, 0, 0, 0, 0, 0, 1), IP6(0xfec0, 1, 0, 0, 0, 0, 0, 1),
	};
	unsigned int n = carp_addrs6_normalize(addrs, ARRAY_SIZE(addrs));

	/*
	 * fe80:1234::1 is fe80::1 with a BSD scope word; fec0:1:: is not
	 * scoped; :: and ffff:...:ffff are never hashed.
	 */
	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(want));
	KUNIT_EXPECT_MEMEQ(test, addrs, want, sizeof(want));
}

static void carp_ip6_scoped_is_bsd_scope_embed(struct kunit *test)
{
	static const struct {
		struct in6_addr addr;
		bool scoped;
	} cases[] = {
		{ IP6(0xfe80, 0, 0, 0, 0, 0, 0, 1), true },
		{ IP6(0xfebf, 0xffff, 0, 0, 0, 0, 0, 1), true },
		{ IP6(0xfec0, 0, 0, 0, 0, 0, 0, 1), false },	/* site-local */
		{ IP6(0xfe7f, 0, 0, 0, 0, 0, 0, 1), false },
		{ IP6(0xff01, 0, 0, 0, 0, 0, 0, 1), true },	/* interface-local */
		{ IP6(0xff02, 0, 0, 0, 0, 0, 0, 0x12), true },	/* link-local */
		{ IP6(0xff12, 0, 0, 0, 0, 0, 0, 0x12), true },	/* flags, link scope */
		{ IP6(0xff05, 0, 0, 0, 0, 0, 0, 1), false },	/* site multicast */
		{ IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), false },
		{ IP6(0, 0, 0, 0, 0, 0, 0, 1), false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, carp_ip6_scoped(&cases[i].addr), cases[i].scoped,
				    "case %u", i);
}

/* An advertisement built from the ucarp vector, for the tampering tests. */
static void carp_ucarp_advert(struct carp_advert *adv)
{
	const struct carp_hmac_case *c = &carp_hmac_vectors[4];

	adv->vhid = c->vhid;
	adv->advbase = 1;
	adv->advskew = 10;
	adv->counter = c->counter;
	memcpy(adv->md, c->md, sizeof(adv->md));
}

static void carp_authenticate_verdicts(struct kunit *test)
{
	struct crypto_shash *good = carp_test_tfm(test, "testpass");
	struct crypto_shash *bad = carp_test_tfm(test, "testpasS");
	__be32 vip = IP4(10, 0, 0, 100), other = IP4(10, 0, 0, 101);
	const struct in6_addr v6 = IP6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 100);
	const struct carp_vips vips = { .v4 = &vip, .n4 = 1 };
	const struct carp_vips wrong = { .v4 = &other, .n4 = 1 };
	const struct carp_vips none = {};
	const struct carp_vips more = { .v4 = &vip, .n4 = 1, .v6 = &v6, .n6 = 1 };
	struct carp_advert adv;

	carp_ucarp_advert(&adv);
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vips, &adv), CARP_ACCEPT);
	/* Wrong password, wrong address, no address, one address more. */
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(bad, &vips, &adv), CARP_STAT_BADAUTH);
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &wrong, &adv), CARP_STAT_BADAUTH);
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &none, &adv), CARP_STAT_BADAUTH);
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &more, &adv), CARP_STAT_BADAUTH);
	/* Tampered counter, vhid, digest. */
	adv.counter++;
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vips, &adv), CARP_STAT_BADAUTH);
	carp_ucarp_advert(&adv);
	adv.vhid = 8;
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vips, &adv), CARP_STAT_BADAUTH);
	carp_ucarp_advert(&adv);
	adv.md[19] ^= 0x80;
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vips, &adv), CARP_STAT_BADAUTH);
}

/*
 * NOV6LL leaves out the scoped addresses only: an advertisement hashed
 * without a global IPv6 address of the set is refused, in either context.
 */
static void carp_nov6ll_skips_only_scoped(struct kunit *test)
{
	const struct carp_hmac_case *v3 = &carp_hmac_vectors[7];
	struct crypto_shash *tfm = carp_test_tfm(test, v3->pass);
	struct carp_vips vips, fewer;
	u8 md[SHA1_DIGEST_SIZE];
	struct in6_addr v6[4];
	__be32 v4[4];

	carp_case_vips(v3, v4, v6, &vips);
	KUNIT_ASSERT_EQ(test, vips.n6, 3U);
	/* Our set without 2001:db8::3 (the first after sorting). */
	fewer = vips;
	fewer.v6 = &v6[1];
	fewer.n6 = 2;
	KUNIT_ASSERT_EQ(test, carp_hmac_digest(tfm, v3->vhid, &fewer, CARP_HMAC_ORIG,
					       v3->counter, md), 0);
	KUNIT_EXPECT_FALSE(test, carp_hmac_verify(tfm, v3->vhid, &vips, v3->counter, md));
	KUNIT_ASSERT_EQ(test, carp_hmac_digest(tfm, v3->vhid, &fewer, CARP_HMAC_NOV6LL,
					       v3->counter, md), 0);
	KUNIT_EXPECT_FALSE(test, carp_hmac_verify(tfm, v3->vhid, &vips, v3->counter, md));
	/* Without its scoped address, a set does not accept V3's ORIG. */
	fewer.v6 = v6;
	KUNIT_EXPECT_FALSE(test, carp_hmac_verify(tfm, v3->vhid, &fewer, v3->counter,
						  v3->md));
	KUNIT_EXPECT_TRUE(test, carp_hmac_verify(tfm, v3->vhid, &fewer, v3->counter,
						 v3->nov6ll));
}

static struct kunit_case carp_hmac_cases[] = {
	KUNIT_CASE(carp_hmac_vectors_match),
	KUNIT_CASE(carp_normalize_sorts_and_dedups),
	KUNIT_CASE(carp_normalize6_sorts_clears_and_dedups),
	KUNIT_CASE(carp_ip6_scoped_is_bsd_scope_embed),
	KUNIT_CASE(carp_authenticate_verdicts),
	KUNIT_CASE(carp_nov6ll_skips_only_scoped),
	{}
};

static struct kunit_suite carp_hmac_suite = {
	.name = "carp_hmac",
	.test_cases = carp_hmac_cases,
};

kunit_test_suite(carp_hmac_suite);
