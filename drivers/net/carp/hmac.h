/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CARP HMAC: HMAC-SHA1 keyed with the 20-byte password buffer over
 * version, type, vhid, the sorted IPv4 addresses and the 64-bit counter.
 */
#ifndef _CARP_HMAC_H
#define _CARP_HMAC_H

#include <linux/types.h>
#include <linux/if_carp.h>
#include <crypto/hash.h>

#include "proto.h"

struct crypto_shash *carp_hmac_alloc(const u8 key[CARP_KEY_LEN]);
int carp_hmac_digest(struct crypto_shash *tfm, u8 vhid, const __be32 *addrs,
		     unsigned int naddrs, u64 counter, u8 *md);

enum carp_stat carp_advert_authenticate(struct crypto_shash *tfm,
					const __be32 *addrs, unsigned int naddrs,
					const struct carp_advert *adv);
unsigned int carp_addrs_normalize(__be32 *addrs, unsigned int naddrs);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internal to hmac.c; visible to its KUnit tests. */
bool carp_hmac_verify(struct crypto_shash *tfm, u8 vhid, const __be32 *addrs,
		      unsigned int naddrs, u64 counter, const u8 *md);
#endif

#endif /* _CARP_HMAC_H */
