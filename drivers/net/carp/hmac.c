// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC of CARP advertisements.
 *
 * The BSDs keep the password in a 20-byte buffer, zero padded, and use it as
 * the HMAC key; since HMAC pads short keys with zeros itself, this is plain
 * RFC 2104 HMAC-SHA1.  The message is
 *
 *	version (2) | type (1) | vhid | IPv4 addresses | counter (8 bytes)
 *
 * with the addresses in ascending numeric order and each one only once, so
 * that two hosts that configured the same set in a different order agree.
 */

#include <linux/export.h>
#include <linux/sort.h>
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
 * @addrs: the addresses, already normalized by carp_addrs_normalize()
 * @naddrs: how many
 * @counter: the replay counter carried by this advertisement
 * @md: SHA1_DIGEST_SIZE bytes of output
 *
 * Safe in softirq context.  The caller serialises use of @tfm against a
 * key change.
 *
 * Return: 0 or a negative errno from the crypto API.
 */
int carp_hmac_digest(struct crypto_shash *tfm, u8 vhid, const __be32 *addrs,
		     unsigned int naddrs, u64 counter, u8 *md)
{
	const u8 prefix[] = { CARP_VERSION, CARP_TYPE_ADVERTISEMENT, vhid };
	const __be32 ctr[2] = {
		htonl(upper_32_bits(counter)), htonl(lower_32_bits(counter)),
	};
	SHASH_DESC_ON_STACK(desc, tfm);
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, prefix, sizeof(prefix));
	if (!err && naddrs)
		err = crypto_shash_update(desc, (const u8 *)addrs,
					  naddrs * sizeof(*addrs));
	if (!err)
		err = crypto_shash_update(desc, (const u8 *)ctr, sizeof(ctr));
	if (!err)
		err = crypto_shash_final(desc, md);
	shash_desc_zero(desc);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(carp_hmac_digest);

/**
 * carp_hmac_verify - check the HMAC of a received advertisement
 * @tfm: keyed transform
 * @vhid: virtual host id
 * @addrs: our addresses for @vhid, normalized
 * @naddrs: how many
 * @counter: the counter from the packet
 * @md: the HMAC from the packet
 *
 * Return: true if @md is what we would have sent.
 */
VISIBLE_IF_KUNIT
bool carp_hmac_verify(struct crypto_shash *tfm, u8 vhid, const __be32 *addrs,
		      unsigned int naddrs, u64 counter, const u8 *md)
{
	u8 expect[SHA1_DIGEST_SIZE];
	bool ok;

	if (carp_hmac_digest(tfm, vhid, addrs, naddrs, counter, expect))
		return false;
	/* Constant time, so the comparison leaks nothing about the key. */
	ok = !crypto_memneq(expect, md, sizeof(expect));
	memzero_explicit(expect, sizeof(expect));
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(carp_hmac_verify);

/**
 * carp_advert_authenticate - the HMAC check of the receive path
 * @tfm: keyed transform of the device the advertisement's vhid names
 * @addrs: that device's addresses, normalized
 * @naddrs: how many
 * @adv: the decoded advertisement
 *
 * Return: CARP_ACCEPT or CARP_STAT_BADAUTH, the statistic to count.
 */
enum carp_stat carp_advert_authenticate(struct crypto_shash *tfm,
					const __be32 *addrs, unsigned int naddrs,
					const struct carp_advert *adv)
{
	if (!carp_hmac_verify(tfm, adv->vhid, addrs, naddrs, adv->counter, adv->md))
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
 * Ascending numeric order, each address once.
 *
 * Return: the number of addresses kept.
 */
unsigned int carp_addrs_normalize(__be32 *addrs, unsigned int naddrs)
{
	unsigned int i, n = 0;

	sort(addrs, naddrs, sizeof(*addrs), carp_addr_cmp, NULL);
	for (i = 0; i < naddrs; i++)
		if (!n || addrs[n - 1] != addrs[i])
			addrs[n++] = addrs[i];
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(carp_addrs_normalize);
