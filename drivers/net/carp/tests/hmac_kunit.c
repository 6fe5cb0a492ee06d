// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the CARP HMAC: the protocol reference's vectors, the
 * advertisements of a real ucarp (password "testpass"), address
 * normalization, and the BADAUTH verdict for anything tampered with.
 */

#include <kunit/test.h>

#include "../hmac.h"
#include "../proto.h"
#include "carp_kunit.h"

struct carp_hmac_case {
	const char *pass;
	u8 vhid;
	u64 counter;
	unsigned int naddrs;
	__be32 addrs[4];
	u8 md[SHA1_DIGEST_SIZE];
};

static const struct carp_hmac_case carp_hmac_vectors[] = {
	{	/* V1: one address, the universally interoperable case */
		"mekmitasdigoat", 1, 0x0123456789abcdefULL, 1,
		{ IP4(192, 168, 1, 10) },
		{ 0x4a, 0x56, 0xe2, 0x5f, 0xb9, 0xb7, 0x9c, 0x99, 0x40, 0x54,
		  0x2d, 0x9b, 0x83, 0xe2, 0x1d, 0x4e, 0xaf, 0x46, 0xae, 0x9a },
	},
	{	/* V2: next counter */
		"mekmitasdigoat", 1, 0x0123456789abcdf0ULL, 1,
		{ IP4(192, 168, 1, 10) },
		{ 0x00, 0xa5, 0xf8, 0xd1, 0x59, 0xfd, 0x92, 0xfe, 0xdf, 0xa6,
		  0xc9, 0xcf, 0x60, 0x64, 0x55, 0x94, 0xd3, 0x05, 0xd8, 0x23 },
	},
	{	/* V4: no password, an all-zero key */
		"", 1, 0x0123456789abcdefULL, 1,
		{ IP4(192, 168, 1, 10) },
		{ 0x06, 0xc4, 0xc2, 0x83, 0xf4, 0xa0, 0xbd, 0x93, 0x1d, 0x91,
		  0xd0, 0x2b, 0x51, 0x34, 0x92, 0x52, 0x00, 0xaa, 0x58, 0xe5 },
	},
	{	/* V3 without IPv6: three addresses, given unsorted, one twice */
		"mekmitasdigoat", 42, 0x0123456789abcdefULL, 4,
		{ IP4(10, 0, 0, 20), IP4(10, 0, 0, 3), IP4(192, 168, 1, 10),
		  IP4(10, 0, 0, 3) },
		{ 0xa0, 0x72, 0xe7, 0x6f, 0x67, 0x8c, 0x60, 0x14, 0xea, 0x4b,
		  0x46, 0x43, 0x57, 0x3d, 0x30, 0x22, 0x59, 0xf1, 0x01, 0x25 },
	},
	{	/* ucarp 1.5.2, frame 6 of ucarp-vhid7-testpass.pcapng */
		"testpass", 7, 0xd054e22d8e6ed9fdULL, 1, { IP4(10, 0, 0, 100) },
		{ 0x2c, 0x65, 0xe4, 0x16, 0x45, 0x7f, 0x1f, 0xf0, 0x47, 0xd9,
		  0x09, 0x11, 0x16, 0x64, 0x72, 0xb0, 0x7b, 0x3e, 0x90, 0x74 },
	},
	{	/* ucarp, frame 7 */
		"testpass", 7, 0x919452138d26a140ULL, 1, { IP4(10, 0, 0, 100) },
		{ 0x23, 0xe6, 0x3e, 0xe6, 0xaf, 0x1e, 0x6b, 0xbf, 0x1a, 0x4f,
		  0x28, 0x87, 0x8e, 0xdf, 0xb2, 0xe0, 0x01, 0x16, 0x64, 0x0b },
	},
	{	/* ucarp, frame 8 */
		"testpass", 7, 0xb73a93cf0ecdc8bfULL, 1, { IP4(10, 0, 0, 100) },
		{ 0xc8, 0x82, 0x11, 0x1f, 0x7f, 0x7f, 0xe5, 0x50, 0xf0, 0x70,
		  0xab, 0xc6, 0xd0, 0x4b, 0x5f, 0xb9, 0x16, 0x79, 0x2e, 0x96 },
	},
};

static void carp_hmac_vectors_match(struct kunit *test)
{
	const struct carp_hmac_case *c;
	u8 md[SHA1_DIGEST_SIZE];
	__be32 addrs[4];
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(carp_hmac_vectors); i++) {
		struct crypto_shash *tfm;

		c = &carp_hmac_vectors[i];
		tfm = carp_test_tfm(test, c->pass);
		memcpy(addrs, c->addrs, sizeof(addrs));
		n = carp_addrs_normalize(addrs, c->naddrs);
		KUNIT_EXPECT_EQ(test, carp_hmac_digest(tfm, c->vhid, addrs, n,
						       c->counter, md), 0);
		KUNIT_EXPECT_MEMEQ_MSG(test, md, c->md, sizeof(md), "vector %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, carp_hmac_verify(tfm, c->vhid, addrs, n,
							     c->counter, c->md),
				      "vector %u", i);
	}
}

static void carp_normalize_sorts_and_dedups(struct kunit *test)
{
	__be32 addrs[] = { IP4(192, 168, 1, 10), IP4(10, 0, 0, 20),
			   IP4(10, 0, 0, 3), IP4(10, 0, 0, 20), IP4(9, 255, 255, 255) };
	const __be32 want[] = { IP4(9, 255, 255, 255), IP4(10, 0, 0, 3),
				IP4(10, 0, 0, 20), IP4(192, 168, 1, 10) };
	unsigned int n = carp_addrs_normalize(addrs, ARRAY_SIZE(addrs));

	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(want));
	KUNIT_EXPECT_MEMEQ(test, addrs, want, sizeof(want));
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
	struct carp_advert adv;

	carp_ucarp_advert(&adv);
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vip, 1, &adv),
			CARP_ACCEPT);
	/* Wrong password, wrong address, no address. */
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(bad, &vip, 1, &adv),
			CARP_STAT_BADAUTH);
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &other, 1, &adv),
			CARP_STAT_BADAUTH);
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vip, 0, &adv),
			CARP_STAT_BADAUTH);
	/* Tampered counter, vhid, digest. */
	adv.counter++;
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vip, 1, &adv),
			CARP_STAT_BADAUTH);
	carp_ucarp_advert(&adv);
	adv.vhid = 8;
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vip, 1, &adv),
			CARP_STAT_BADAUTH);
	carp_ucarp_advert(&adv);
	adv.md[19] ^= 0x80;
	KUNIT_EXPECT_EQ(test, carp_advert_authenticate(good, &vip, 1, &adv),
			CARP_STAT_BADAUTH);
}

static struct kunit_case carp_hmac_cases[] = {
	KUNIT_CASE(carp_hmac_vectors_match),
	KUNIT_CASE(carp_normalize_sorts_and_dedups),
	KUNIT_CASE(carp_authenticate_verdicts),
	{}
};

static struct kunit_suite carp_hmac_suite = {
	.name = "carp_hmac",
	.test_cases = carp_hmac_cases,
};

kunit_test_suite(carp_hmac_suite);
