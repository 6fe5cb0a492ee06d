// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the CARP header: encoding against the protocol
 * reference's vectors and captured ucarp packets, decoding, and the
 * verdict for each kind of malformed input.
 */

#include <kunit/test.h>
#include <linux/time64.h>

#include "../proto.h"
#include "carp_kunit.h"

/* Vectors V1 (advskew 0), V2 (next counter, advskew 100) and ucarp frame 6. */
#define v1_hdr		(carp_test_packets[CARP_TEST_V1].data)
#define v2_hdr		(carp_test_packets[CARP_TEST_V2].data)
#define ucarp_hdr	(carp_test_packets[CARP_TEST_UCARP6].data)

static void carp_advert_from_hdr(struct carp_advert *adv, const u8 *hdr)
{
	int i;

	adv->vhid = hdr[1];
	adv->advskew = hdr[2];
	adv->demote = hdr[4];
	adv->advbase = hdr[5];
	adv->counter = 0;
	for (i = 8; i < 16; i++)
		adv->counter = adv->counter << 8 | hdr[i];
	memcpy(adv->md, hdr + 16, SHA1_DIGEST_SIZE);
}

static void carp_encode_matches_reference(struct kunit *test)
{
	struct carp_advert adv;
	struct carp_hdr hdr;

	carp_advert_from_hdr(&adv, v1_hdr);
	carp_hdr_encode(&hdr, &adv);
	KUNIT_EXPECT_MEMEQ(test, &hdr, v1_hdr, 36);

	carp_advert_from_hdr(&adv, v2_hdr);
	carp_hdr_encode(&hdr, &adv);
	KUNIT_EXPECT_MEMEQ(test, &hdr, v2_hdr, 36);
}

static void carp_encode_matches_ucarp(struct kunit *test)
{
	struct carp_advert adv;
	struct carp_hdr hdr;

	carp_advert_from_hdr(&adv, ucarp_hdr);
	carp_hdr_encode(&hdr, &adv);
	KUNIT_EXPECT_MEMEQ(test, &hdr, ucarp_hdr, 36);
}

static void carp_decode_valid(struct kunit *test)
{
	struct carp_advert adv;

	KUNIT_ASSERT_EQ(test, carp_advert_decode(ucarp_hdr, 36, 255, &adv),
			CARP_ACCEPT);
	KUNIT_EXPECT_EQ(test, adv.vhid, 7);
	KUNIT_EXPECT_EQ(test, adv.advbase, 1);
	KUNIT_EXPECT_EQ(test, adv.advskew, 10);
	KUNIT_EXPECT_EQ(test, adv.counter, 0xd054e22d8e6ed9fdULL);
	KUNIT_EXPECT_MEMEQ(test, adv.md, ucarp_hdr + 16, SHA1_DIGEST_SIZE);
}

static void carp_decode_ignores_trailer(struct kunit *test)
{
	u8 buf[40] = {};
	struct carp_advert adv;

	memcpy(buf, v1_hdr, 36);
	KUNIT_EXPECT_EQ(test, carp_advert_decode(buf, sizeof(buf), 255, &adv),
			CARP_ACCEPT);
}

static void carp_decode_short(struct kunit *test)
{
	struct carp_advert adv;

	KUNIT_EXPECT_EQ(test, carp_advert_decode(v1_hdr, 35, 255, &adv),
			CARP_STAT_BADLEN);
	KUNIT_EXPECT_EQ(test, carp_advert_decode(v1_hdr, 0, 255, &adv),
			CARP_STAT_BADLEN);
}

static void carp_decode_bad_version(struct kunit *test)
{
	struct carp_advert adv;
	u8 buf[36];

	memcpy(buf, v1_hdr, sizeof(buf));
	buf[0] = 0x31;			/* VRRPv3 */
	KUNIT_EXPECT_EQ(test, carp_advert_decode(buf, 36, 255, &adv),
			CARP_STAT_BADVER);
	buf[0] = 0x22;			/* version 2, unknown type */
	KUNIT_EXPECT_EQ(test, carp_advert_decode(buf, 36, 255, &adv),
			CARP_STAT_BADVER);
}

static void carp_decode_bad_ttl(struct kunit *test)
{
	struct carp_advert adv;

	KUNIT_EXPECT_EQ(test, carp_advert_decode(v1_hdr, 36, 254, &adv),
			CARP_STAT_BADTTL);
	KUNIT_EXPECT_EQ(test, carp_advert_decode(v1_hdr, 36, 1, &adv),
			CARP_STAT_BADTTL);
}

static void carp_decode_bad_checksum(struct kunit *test)
{
	struct carp_advert adv;
	u8 buf[36];

	memcpy(buf, v1_hdr, sizeof(buf));
	buf[20] ^= 0x01;		/* one bit of the HMAC */
	KUNIT_EXPECT_EQ(test, carp_advert_decode(buf, 36, 255, &adv),
			CARP_STAT_BADSUM);
}

static void carp_timing_rules(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, carp_adv_interval_us(1, 0), USEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, carp_adv_interval_us(1, 128), 1500000ULL);
	KUNIT_EXPECT_EQ(test, carp_adv_interval_us(2, 100), 2390625ULL);
	KUNIT_EXPECT_EQ(test, carp_master_down_us(1, 0), 3000000ULL);
	KUNIT_EXPECT_EQ(test, carp_master_down_us(1, 100), 3390625ULL);
	KUNIT_EXPECT_EQ(test, carp_master_down_us(255, 255), 765996093ULL);
	KUNIT_EXPECT_LT(test, carp_timing(1, 255), carp_timing(2, 0));
}

static struct kunit_case carp_proto_cases[] = {
	KUNIT_CASE(carp_encode_matches_reference),
	KUNIT_CASE(carp_encode_matches_ucarp),
	KUNIT_CASE(carp_decode_valid),
	KUNIT_CASE(carp_decode_ignores_trailer),
	KUNIT_CASE(carp_decode_short),
	KUNIT_CASE(carp_decode_bad_version),
	KUNIT_CASE(carp_decode_bad_ttl),
	KUNIT_CASE(carp_decode_bad_checksum),
	KUNIT_CASE(carp_timing_rules),
	{}
};

static struct kunit_suite carp_proto_suite = {
	.name = "carp_proto",
	.test_cases = carp_proto_cases,
};

kunit_test_suite(carp_proto_suite);
