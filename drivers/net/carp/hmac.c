// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC of CARP advertisements.
 *
 * The BSDs keep the password in a 20-byte buffer, zero padded, and use it as
 * the HMAC key; since HMAC pads short keys with zeros itself, this is plain
 * RFC 2104 HMAC-SHA1.  The message is
 *
 *	version (2) | type (1) | vhid | IPv4 addresses | IPv6 addresses |
 *	counter (8 bytes)
 *
 * with the addresses of each family in ascending order (numeric for IPv4,
 * byte by byte for IPv6) and each one only once, so that two hosts that
 * configured the same set in a different order agree.  The BSDs embed the
 * interface index in bytes 2 and 3 of scoped IPv6 addresses (link-local
 * unicast, interface- and link-local multicast) and clear it for the
 * HMAC; we clear the same bytes, so that an fe80:1::1 hashes as fe80::1
 * there and here.
 */

#include <linux/export.h>
#include <linux/sort.h>
#include <net/ipv6.h>
#include <crypto/algapi.h>
#include <kunit/visibility.h>

#include "hmac.h"
#include "proto.h"

/**
 * carp_hmac_alloc - allocate an HMAC-SHA1 transform keyed with a CARP key
 * @key: the zero-padded password
 *
 * Process context only: the crypto API may load a module.
 *
 * Return: the transform or an ERR_PTR().
 */
struct crypto_shash *carp_hmac_alloc(const u8 key[CARP_KEY_LEN])
{
	struct crypto_shash *tfm;
	int err;

	tfm = crypto_alloc_shash("hmac(sha1)", 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_shash_setkey(tfm, key, CARP_KEY_LEN);
	if (err) {
		crypto_free_shash(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}
EXPORT_SYMBOL_IF_KUNIT(carp_hmac_alloc);

/**
 * carp_hmac_digest - compute the HMAC of one advertisement
 * @tfm: keyed transform from carp_hmac_alloc()
 * @vhid: virtual host id
 * @vips: the addresses, normalized; NULL for none
 * @ctx: CARP_HMAC_ORIG for all of them, CARP_HMAC_NOV6LL to leave out the
 *	scoped IPv6 ones
 * @counter: the replay counter carried by this advertisement
 * @md: SHA1_DIGEST_SIZE bytes of output
 *
 * Safe in softirq context.  The caller serialises use of @tfm against a
 * key change.
 *
 * Return: 0 or a negative errno from the crypto API.
 */
int carp_hmac_digest(struct crypto_shash *tfm, u8 vhid, const struct carp_vips *vips,
		     enum carp_hmac_ctx ctx, u64 counter, u8 *md)
{
	const u8 prefix[] = { CARP_VERSION, CARP_TYPE_ADVERTISEMENT, vhid };
	const __be32 ctr[2] = {
		htonl(upper_32_bits(counter)), htonl(lower_32_bits(counter)),
	};
	SHASH_DESC_ON_STACK(desc, tfm);
	unsigned int i;
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, prefix, sizeof(prefix));
	if (!err && vips && vips->n4)
		err = crypto_shash_update(desc, (const u8 *)vips->v4,
					  vips->n4 * sizeof(*vips->v4));
	for (i = 0; !err && vips && i < vips->n6; i++)
		if (ctx == CARP_HMAC_ORIG || !carp_ip6_scoped(&vips->v6[i]))
			err = crypto_shash_update(desc, vips->v6[i].s6_addr,
						  sizeof(vips->v6[i]));
	if (!err)
		err = crypto_shash_update(desc, (const u8 *)ctr, sizeof(ctr));
	if (!err)
		err = crypto_shash_final(desc, md);
	shash_desc_zero(desc);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(carp_hmac_digest);

static bool carp_hmac_matches(struct crypto_shash *tfm, u8 vhid,
			      const struct carp_vips *vips, enum carp_hmac_ctx ctx,
			      u64 counter, const u8 *md)
{
	u8 expect[SHA1_DIGEST_SIZE];
	bool ok;

	if (carp_hmac_digest(tfm, vhid, vips, ctx, counter, expect))
		return false;
	/* Constant time, so the comparison leaks nothing about the key. */
	ok = !crypto_memneq(expect, md, sizeof(expect));
	memzero_explicit(expect, sizeof(expect));
	return ok;
}

static bool carp_vips_scoped(const struct carp_vips *vips)
{
	unsigned int i;

	for (i = 0; vips && i < vips->n6; i++)
		if (carp_ip6_scoped(&vips->v6[i]))
			return true;
	return false;
}

/**
 * carp_hmac_verify - check the HMAC of a received advertisement
 * @tfm: keyed transform
 * @vhid: virtual host id
 * @vips: our addresses for @vhid, normalized; NULL for none
 * @counter: the counter from the packet
 * @md: the HMAC from the packet
 *
 * Either message OpenBSD accepts: over all addresses, or, when some of
 * them are scoped IPv6 addresses, over all but those (what an OpenBSD peer
 * sends for the same set).
 *
 * Return: true if @md is one we could have sent.
 */
VISIBLE_IF_KUNIT
bool carp_hmac_verify(struct crypto_shash *tfm, u8 vhid, const struct carp_vips *vips,
		      u64 counter, const u8 *md)
{
	if (carp_hmac_matches(tfm, vhid, vips, CARP_HMAC_ORIG, counter, md))
		return true;
	return carp_vips_scoped(vips) &&
	       carp_hmac_matches(tfm, vhid, vips, CARP_HMAC_NOV6LL, counter, md);
}
EXPORT_SYMBOL_IF_KUNIT(carp_hmac_verify);

/**
 * carp_advert_authenticate - the HMAC check of the receive path
 * @tfm: keyed transform of the device the advertisement's vhid names
 * @vips: that device's addresses, normalized
 * @adv: the decoded advertisement
 *
 * Return: CARP_ACCEPT or CARP_STAT_BADAUTH, the statistic to count.
 */
enum carp_stat carp_advert_authenticate(struct crypto_shash *tfm,
					const struct carp_vips *vips,
					const struct carp_advert *adv)
{
	if (!carp_hmac_verify(tfm, adv->vhid, vips, adv->counter, adv->md))
		return CARP_STAT_BADAUTH;
	return CARP_ACCEPT;
}
EXPORT_SYMBOL_IF_KUNIT(carp_advert_authenticate);

static int carp_addr_cmp(const void *a, const void *b)
{
	u32 x = ntohl(*(const __be32 *)a), y = ntohl(*(const __be32 *)b);

	return x < y ? -1 : x > y;
}

/**
 * carp_addrs_normalize - sort addresses as the HMAC wants them
 * @addrs: array of IPv4 addresses, sorted in place
 * @naddrs: its length
 *
 * Ascending numeric order, each address once, without 0.0.0.0 and
 * 255.255.255.255, which the BSDs' selection loop never emits.
 *
 * Return: the number of addresses kept.
 */
unsigned int carp_addrs_normalize(__be32 *addrs, unsigned int naddrs)
{
	unsigned int i, n = 0;

	sort(addrs, naddrs, sizeof(*addrs), carp_addr_cmp, NULL);
	for (i = 0; i < naddrs; i++)
		if (addrs[i] != htonl(INADDR_ANY) && addrs[i] != htonl(INADDR_BROADCAST) &&
		    (!n || addrs[n - 1] != addrs[i]))
			addrs[n++] = addrs[i];
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(carp_addrs_normalize);

/**
 * carp_ip6_scoped - whether the BSDs embed a scope in an IPv6 address
 * @addr: the address
 *
 * Link-local unicast (fe80::/10) and interface- or link-local multicast:
 * BSD's IN6_IS_SCOPE_EMBED().
 *
 * Return: true for those.
 */
bool carp_ip6_scoped(const struct in6_addr *addr)
{
	const u8 *a = addr->s6_addr;

	if (a[0] == 0xfe)
		return (a[1] & 0xc0) == 0x80;
	return a[0] == 0xff && ((a[1] & 0x0f) == 0x01 || (a[1] & 0x0f) == 0x02);
}
EXPORT_SYMBOL_IF_KUNIT(carp_ip6_scoped);

/* The order of carp_addrs6_normalize(): bytewise, for sort() and bsearch(). */
int carp_addr6_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct in6_addr));
}

/**
 * carp_addrs6_normalize - IPv6 addresses as the HMAC wants them
 * @addrs: array of IPv6 addresses, changed in place
 * @naddrs: its length
 *
 * Bytes 2 and 3 of the scoped addresses cleared, then ascending byte
 * order, each address once, without :: and ffff:...:ffff, which the BSDs'
 * selection loop never emits.
 *
 * Return: the number of addresses kept.
 */
unsigned int carp_addrs6_normalize(struct in6_addr *addrs, unsigned int naddrs)
{
	static const struct in6_addr ones = {
		.s6_addr = { [0 ... 15] = 0xff },
	};
	unsigned int i, n = 0;

	for (i = 0; i < naddrs; i++)
		if (carp_ip6_scoped(&addrs[i]))
			addrs[i].s6_addr16[1] = 0;
	sort(addrs, naddrs, sizeof(*addrs), carp_addr6_cmp, NULL);
	for (i = 0; i < naddrs; i++)
		if (!ipv6_addr_any(&addrs[i]) && !ipv6_addr_equal(&addrs[i], &ones) &&
		    (!n || !ipv6_addr_equal(&addrs[n - 1], &addrs[i])))
			addrs[n++] = addrs[i];
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(carp_addrs6_normalize);
