// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing the receive path's pure logic: carp_advert_decode() and then
 * carp_advert_judge() (HMAC, then election), as input.c and state.c call
 * them, with over a million inputs per run:
 *
 *  - random bytes of every length from 0 to 96;
 *  - mutations of the reference vectors, the captured ucarp advertisements
 *    and the captured keepalived VRRPv3 packets (protocol 112 as well): bit
 *    flips, byte stores, truncations, extensions, swapped fields; half of
 *    them get their checksum fixed so that they reach the HMAC;
 *  - random advertisements encoded and decoded again.
 *
 * Every input is copied to a buffer allocated with exactly its length, so
 * that KASAN catches any read past it.  Properties checked on every input:
 * the verdict is the one of an independent model of the checks (length,
 * version and type, TTL, checksum computed byte by byte); bytes past the
 * 36-byte header change nothing; what fails the HMAC never reaches the
 * election; a mutation passes the HMAC exactly when it kept every field
 * the HMAC covers (vhid, counter, digest); what passes gets the verdict of
 * carp_elect(); decode(encode(x)) == x.
 *
 * The generator is seeded with a fixed value, so a failure is reproducible;
 * the failing input is printed.
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/sched.h>

#include "../election.h"
#include "../hmac.h"
#include "../proto.h"
#include "carp_kunit.h"

#define FUZZ_MAXLEN	96
#define FUZZ_RANDOM	300000
#define FUZZ_MUTATIONS	600000
#define FUZZ_ROUNDTRIPS	100000

/* The seeds of the mutations: every test packet, CARP ones first. */
#define fuzz_seeds	carp_test_packets
#define FUZZ_NR_SEEDS	CARP_TEST_NR_PACKETS

struct fuzz_ctx {
	struct kunit *test;
	u64 rng;
	u8 *buf[FUZZ_MAXLEN + 1];	/* buf[n]: exactly n bytes */
	struct crypto_shash *tfm[CARP_TEST_NR_CARP];
	struct carp_advert orig[CARP_TEST_NR_CARP];	/* the CARP seeds, decoded */
	unsigned long inputs, accepted, authenticated, elected, looped;
};

/* xorshift64*: fast, and the same sequence on every machine. */
static u64 fuzz_next(struct fuzz_ctx *ctx)
{
	ctx->rng ^= ctx->rng >> 12;
	ctx->rng ^= ctx->rng << 25;
	ctx->rng ^= ctx->rng >> 27;
	return ctx->rng * 0x2545f4914f6cdd1dULL;
}

static u32 fuzz_below(struct fuzz_ctx *ctx, u32 n)
{
	return (u32)((fuzz_next(ctx) >> 32) * n >> 32);
}

/* One's complement sum of the 36-byte header, byte by byte, folded. */
static u16 fuzz_sum(const u8 *b)
{
	u32 sum = 0;
	int i;

	for (i = 0; i < 36; i += 2)
		sum += b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The checks of carp_advert_decode(), written out independently. */
static enum carp_stat fuzz_model(const u8 *b, unsigned int len, u8 ttl)
{
	if (len < 36)
		return CARP_STAT_BADLEN;
	if (b[0] != 0x21)
		return CARP_STAT_BADVER;
	if (ttl != 255)
		return CARP_STAT_BADTTL;
	return fuzz_sum(b) == 0xffff ? CARP_ACCEPT : CARP_STAT_BADSUM;
}

static void fuzz_fix_csum(u8 *b)
{
	u16 sum;

	b[6] = 0;
	b[7] = 0;
	sum = ~fuzz_sum(b);
	b[6] = sum >> 8;
	b[7] = sum & 0xff;
}

static bool fuzz_advert_eq(const struct carp_advert *a, const struct carp_advert *b)
{
	return a->vhid == b->vhid && a->advbase == b->advbase &&
	       a->advskew == b->advskew && a->demote == b->demote &&
	       a->counter == b->counter && !memcmp(a->md, b->md, sizeof(a->md));
}

static void fuzz_report(struct fuzz_ctx *ctx, const char *what, const u8 *in,
			unsigned int len, u8 ttl)
{
	kunit_err(ctx->test, "%s: len %u ttl %u: %*ph%s\n", what, len, ttl,
		  min(len, 48U), in, len > 48 ? " ..." : "");
}

/*
 * Run one input through decode and judge.  @seed: the input it was mutated
 * from (for the HMAC property), or NULL.  Return false on a violated
 * property; the test then stops.
 */
static bool fuzz_one(struct fuzz_ctx *ctx, const u8 *in, unsigned int len, u8 ttl,
		     int seed)
{
	const struct carp_test_packet *s = seed >= 0 ? &fuzz_seeds[seed] : NULL;
	struct carp_advert adv, adv36;
	const struct carp_advert *orig;
	enum carp_stat got, want, got36;
	enum carp_verdict verdict, elect;
	struct carp_vips vips = {};
	struct carp_self self;
	enum carp_state state;
	u8 *b = ctx->buf[len];

	ctx->inputs++;
	if (len)
		memcpy(b, in, len);
	memset(&adv, 0x5a, sizeof(adv));
	got = carp_advert_decode(b, len, ttl, &adv);
	want = fuzz_model(in, len, ttl);
	if (got != want) {
		fuzz_report(ctx, "decode verdict differs from the model", in, len, ttl);
		kunit_err(ctx->test, "decode %s, model %s\n", carp_stat_names[got],
			  carp_stat_names[want]);
		return false;
	}
	if (len > 36) {
		memset(&adv36, 0x5a, sizeof(adv36));
		memcpy(ctx->buf[36], in, 36);
		got36 = carp_advert_decode(ctx->buf[36], 36, ttl, &adv36);
		if (got36 != got || (got == CARP_ACCEPT && !fuzz_advert_eq(&adv, &adv36))) {
			fuzz_report(ctx, "bytes past the header changed the verdict",
				    in, len, ttl);
			return false;
		}
	}
	if (got != CARP_ACCEPT)
		return true;
	ctx->accepted++;

	/* The HMAC, then the election, as carp_state_input() does it. */
	state = fuzz_below(ctx, 3);
	self.advbase = 1 + fuzz_below(ctx, 3);
	self.advskew = fuzz_below(ctx, 256);
	self.preempt = fuzz_below(ctx, 2);
	/* Sometimes the counter we sent last: our own advert looped back. */
	self.counter = fuzz_below(ctx, 4) ? fuzz_next(ctx) : adv.counter;
	if (!s || !s->pass) {
		/* Random bytes: no key could have made this digest. */
		vips.v4 = fuzz_seeds[0].addrs;
		vips.n4 = 1;
		got = carp_advert_judge(ctx->tfm[0], &vips, &adv, state, &self, &verdict);
		if (got != CARP_STAT_BADAUTH || verdict != CARP_IGNORE) {
			fuzz_report(ctx, "random bytes passed the HMAC", in, len, ttl);
			return false;
		}
		return true;
	}
	vips.v4 = s->addrs;
	vips.n4 = s->naddrs;
	got = carp_advert_judge(ctx->tfm[seed], &vips, &adv, state, &self, &verdict);
	orig = &ctx->orig[seed];
	want = adv.vhid == orig->vhid && adv.counter == orig->counter &&
	       !memcmp(adv.md, orig->md, sizeof(adv.md)) ? CARP_ACCEPT : CARP_STAT_BADAUTH;
	if (got != want) {
		fuzz_report(ctx, want == CARP_ACCEPT ? "HMAC rejected intact fields" :
			    "HMAC accepted a changed vhid, counter or digest", in, len, ttl);
		return false;
	}
	if (got != CARP_ACCEPT) {
		if (verdict != CARP_IGNORE) {
			fuzz_report(ctx, "a bad HMAC reached the election", in, len, ttl);
			return false;
		}
		return true;
	}
	ctx->authenticated++;
	elect = state == CARP_STATE_MASTER && adv.counter == self.counter ? CARP_IGNORE :
		carp_elect(state, &self, adv.advbase, adv.advskew);
	if (verdict != elect) {
		fuzz_report(ctx, "judge and carp_elect() disagree", in, len, ttl);
		return false;
	}
	if (state == CARP_STATE_MASTER && adv.counter == self.counter)
		ctx->looped++;
	if (verdict != CARP_IGNORE)
		ctx->elected++;
	return true;
}

static u8 fuzz_ttl(struct fuzz_ctx *ctx)
{
	/* Mostly 255, which every later check needs. */
	return fuzz_below(ctx, 8) ? 255 : fuzz_below(ctx, 256);
}

/* One mutation of @in (length *len, room for FUZZ_MAXLEN bytes). */
static void fuzz_mutate(struct fuzz_ctx *ctx, u8 *in, unsigned int *len)
{
	static const u8 interesting[] = { 0x00, 0x01, 0x07, 0x20, 0x21, 0x22, 0x31,
					  0x7f, 0x80, 0xf0, 0xfe, 0xff };
	unsigned int i, j, n, k;
	u8 t[8];

	switch (fuzz_below(ctx, 7)) {
	case 0:		/* flip 1 to 4 bits */
		for (n = 1 + fuzz_below(ctx, 4); n && *len; n--) {
			i = fuzz_below(ctx, *len * 8);
			in[i / 8] ^= 1 << (i % 8);
		}
		break;
	case 1:		/* store an interesting byte */
		if (*len)
			in[fuzz_below(ctx, *len)] =
				interesting[fuzz_below(ctx, ARRAY_SIZE(interesting))];
		break;
	case 2:		/* store a random byte */
		if (*len)
			in[fuzz_below(ctx, *len)] = fuzz_next(ctx);
		break;
	case 3:		/* truncate */
		*len = fuzz_below(ctx, *len + 1);
		break;
	case 4:		/* extend with random bytes */
		n = 1 + fuzz_below(ctx, FUZZ_MAXLEN - *len + 1);
		n = min(n, FUZZ_MAXLEN - *len);
		for (i = 0; i < n; i++)
			in[*len + i] = fuzz_next(ctx);
		*len += n;
		break;
	case 5:		/* swap two fields of 1, 2, 4 or 8 bytes */
		k = 1 << fuzz_below(ctx, 4);
		if (*len < 2 * k)
			break;
		i = fuzz_below(ctx, *len - k + 1);
		j = fuzz_below(ctx, *len - k + 1);
		memcpy(t, in + i, k);
		memmove(in + i, in + j, k);
		memcpy(in + j, t, k);
		break;
	default:	/* the header's own fields: vhid/advskew/advbase */
		if (*len >= 6) {
			i = 1 + fuzz_below(ctx, 5);
			in[i] = fuzz_below(ctx, 2) ? 255 : fuzz_next(ctx);
		}
		break;
	}
}

static struct fuzz_ctx *fuzz_setup(struct kunit *test, u64 seed)
{
	struct fuzz_ctx *ctx;
	unsigned int i;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->test = test;
	ctx->rng = seed;
	/* kmalloc(0) is ZERO_SIZE_PTR: reading it at all faults. */
	for (i = 0; i <= FUZZ_MAXLEN; i++) {
		ctx->buf[i] = kunit_kmalloc(test, i, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ctx->buf[i]);
	}
	for (i = 0; i < CARP_TEST_NR_CARP; i++) {
		ctx->tfm[i] = carp_test_tfm(ctx->test, fuzz_seeds[i].pass);
		KUNIT_ASSERT_EQ(test, carp_advert_decode(fuzz_seeds[i].data, fuzz_seeds[i].len,
							 255, &ctx->orig[i]), CARP_ACCEPT);
	}
	return ctx;
}

static void fuzz_summary(struct fuzz_ctx *ctx, const char *what)
{
	kunit_info(ctx->test,
		   "%s: %lu inputs, %lu decoded, %lu passed the HMAC, %lu changed a state or timer, %lu looped back\n",
		   what, ctx->inputs, ctx->accepted, ctx->authenticated, ctx->elected,
		   ctx->looped);
}

static void carp_fuzz_random(struct kunit *test)
{
	struct fuzz_ctx *ctx = fuzz_setup(test, 0x6361727066757a31ULL);
	u8 in[FUZZ_MAXLEN];
	unsigned int i, j, len;
	bool ok = true;

	for (i = 0; ok && i < FUZZ_RANDOM; i++) {
		len = fuzz_below(ctx, FUZZ_MAXLEN + 1);
		for (j = 0; j < len; j++)
			in[j] = fuzz_next(ctx);
		/* Most random first bytes stop at the version: help some on. */
		if (len && fuzz_below(ctx, 2))
			in[0] = 0x21;
		if (len >= 36 && fuzz_below(ctx, 2))
			fuzz_fix_csum(in);
		ok = fuzz_one(ctx, in, len, fuzz_ttl(ctx), -1);
		if (!(i & 1023))
			cond_resched();
	}
	fuzz_summary(ctx, "random");
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_GT(test, ctx->accepted, 0);
}

static void carp_fuzz_mutations(struct kunit *test)
{
	struct fuzz_ctx *ctx = fuzz_setup(test, 0x6361727066757a32ULL);
	unsigned int i, n, len, seed;
	u8 in[FUZZ_MAXLEN];
	bool ok = true;

	/* The seeds themselves: each CARP one decodes and passes the HMAC. */
	for (seed = 0; ok && seed < FUZZ_NR_SEEDS; seed++)
		ok = fuzz_one(ctx, fuzz_seeds[seed].data, fuzz_seeds[seed].len, 255, seed);
	KUNIT_EXPECT_EQ(test, ctx->authenticated, CARP_TEST_NR_CARP);

	for (i = 0; ok && i < FUZZ_MUTATIONS; i++) {
		seed = fuzz_below(ctx, FUZZ_NR_SEEDS);
		len = fuzz_seeds[seed].len;
		memcpy(in, fuzz_seeds[seed].data, len);
		for (n = 1 + fuzz_below(ctx, 3); n; n--)
			fuzz_mutate(ctx, in, &len);
		if (len >= 36 && fuzz_below(ctx, 2))
			fuzz_fix_csum(in);
		ok = fuzz_one(ctx, in, len, fuzz_ttl(ctx), seed);
		if (!(i & 1023))
			cond_resched();
	}
	fuzz_summary(ctx, "mutations");
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_GT(test, ctx->authenticated, 1000);
	KUNIT_EXPECT_GT(test, ctx->elected, 0);
	KUNIT_EXPECT_GT(test, ctx->looped, 0);
}

static void carp_fuzz_roundtrip(struct kunit *test)
{
	struct fuzz_ctx *ctx = fuzz_setup(test, 0x6361727066757a33ULL);
	struct carp_advert adv, back;
	struct carp_hdr hdr;
	unsigned int i, j;
	bool ok = true;

	for (i = 0; ok && i < FUZZ_ROUNDTRIPS; i++) {
		memset(&adv, 0, sizeof(adv));
		adv.vhid = fuzz_next(ctx);
		adv.advbase = fuzz_next(ctx);
		adv.advskew = fuzz_next(ctx);
		adv.demote = fuzz_next(ctx);
		adv.counter = fuzz_next(ctx);
		for (j = 0; j < sizeof(adv.md); j++)
			adv.md[j] = fuzz_next(ctx);
		carp_hdr_encode(&hdr, &adv);
		memcpy(ctx->buf[36], &hdr, 36);
		ctx->inputs++;
		ok = carp_advert_decode(ctx->buf[36], 36, 255, &back) == CARP_ACCEPT &&
		     fuzz_advert_eq(&adv, &back);
		if (ok)
			ctx->accepted++;
		else
			fuzz_report(ctx, "decode(encode(x)) != x", (u8 *)&hdr, 36, 255);
		if (!(i & 1023))
			cond_resched();
	}
	fuzz_summary(ctx, "round trips");
	KUNIT_EXPECT_TRUE(test, ok);
}

static struct kunit_case carp_fuzz_cases[] = {
	KUNIT_CASE_SLOW(carp_fuzz_random),
	KUNIT_CASE_SLOW(carp_fuzz_mutations),
	KUNIT_CASE_SLOW(carp_fuzz_roundtrip),
	{}
};

static struct kunit_suite carp_fuzz_suite = {
	.name = "carp_fuzz",
	.test_cases = carp_fuzz_cases,
};

kunit_test_suite(carp_fuzz_suite);
