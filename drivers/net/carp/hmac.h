/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CARP HMAC: HMAC-SHA1 keyed with the 20-byte password buffer over
 * version, type, vhid, the sorted IPv4 addresses, the sorted IPv6
 * addresses and the 64-bit counter.
 */
#ifndef _CARP_HMAC_H
#define _CARP_HMAC_H

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/if_carp.h>
#include <crypto/hash.h>

#include "proto.h"

/**
 * struct carp_vips - the addresses of a virtual host, as the HMAC covers them
 * @v4: IPv4 addresses, normalized by carp_addrs_normalize()
 * @v6: IPv6 addresses, normalized by carp_addrs6_normalize()
 * @n4: how many in @v4
 * @n6: how many in @v6
 */
struct carp_vips {
	const __be32 *v4;
	const struct in6_addr *v6;
	unsigned int n4, n6;
};

/*
 * The two messages OpenBSD hashes: every address (ORIG, what FreeBSD and
 * we send), or every address but the scoped IPv6 ones (NOV6LL, what
 * OpenBSD sends, since its carp interfaces get a link-local address of
 * their own that its peers do not have).
 */
enum carp_hmac_ctx {
	CARP_HMAC_ORIG,
	CARP_HMAC_NOV6LL,
};

struct crypto_shash *carp_hmac_alloc(const u8 key[CARP_KEY_LEN]);
int carp_hmac_digest(struct crypto_shash *tfm, u8 vhid, const struct carp_vips *vips,
		     enum carp_hmac_ctx ctx, u64 counter, u8 *md);

enum carp_stat carp_advert_authenticate(struct crypto_shash *tfm,
					const struct carp_vips *vips,
					const struct carp_advert *adv);
unsigned int carp_addrs_normalize(__be32 *addrs, unsigned int naddrs);
unsigned int carp_addrs6_normalize(struct in6_addr *addrs, unsigned int naddrs);
int carp_addr6_cmp(const void *a, const void *b);
bool carp_ip6_scoped(const struct in6_addr *addr);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internal to hmac.c; visible to its KUnit tests. */
bool carp_hmac_verify(struct crypto_shash *tfm, u8 vhid, const struct carp_vips *vips,
		      u64 counter, const u8 *md);
#endif

#endif /* _CARP_HMAC_H */
