// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding and decoding of CARP advertisements (version 2, type 1), the
 * header checksum and the timing rules.  Pure functions over byte buffers.
 */

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <net/checksum.h>
#include <kunit/visibility.h>

#include "proto.h"

const char *const carp_stat_names[CARP_STAT_NUM] = {
	[CARP_STAT_IPACKETS]	= "ipackets",
	[CARP_STAT_BADIF]	= "badif",
	[CARP_STAT_BADTTL]	= "badttl",
	[CARP_STAT_HDROPS]	= "hdrops",
	[CARP_STAT_BADSUM]	= "badsum",
	[CARP_STAT_BADVER]	= "badver",
	[CARP_STAT_BADLEN]	= "badlen",
	[CARP_STAT_BADAUTH]	= "badauth",
	[CARP_STAT_BADVHID]	= "badvhid",
	[CARP_STAT_DISALLOWED]	= "disallowed",
	[CARP_STAT_OPACKETS]	= "opackets",
	[CARP_STAT_OERRORS]	= "oerrors",
	[CARP_STAT_PREEMPT]	= "preempt",
	[CARP_STAT_IPACKETS6]	= "ipackets6",
	[CARP_STAT_OPACKETS6]	= "opackets6",
};
EXPORT_SYMBOL_IF_KUNIT(carp_stat_names);

/**
 * carp_hdr_encode - write an advertisement into a CARP header
 * @hdr: 36 bytes of output
 * @adv: what to advertise, including the HMAC already computed
 *
 * The checksum is computed last, over the finished header.
 */
void carp_hdr_encode(struct carp_hdr *hdr, const struct carp_advert *adv)
{
	hdr->ver_type = CARP_VERSION << 4 | CARP_TYPE_ADVERTISEMENT;
	hdr->vhid = adv->vhid;
	hdr->advskew = adv->advskew;
	hdr->authlen = CARP_AUTHLEN;
	hdr->demote = adv->demote;
	hdr->advbase = adv->advbase;
	hdr->counter[0] = htonl(upper_32_bits(adv->counter));
	hdr->counter[1] = htonl(lower_32_bits(adv->counter));
	memcpy(hdr->md, adv->md, sizeof(hdr->md));
	hdr->csum = 0;
	hdr->csum = ip_compute_csum(hdr, sizeof(*hdr));
}
EXPORT_SYMBOL_IF_KUNIT(carp_hdr_encode);

/**
 * carp_advert_decode - validate and decode a received advertisement
 * @buf: the IP payload
 * @len: its length
 * @ttl: the IP TTL it arrived with
 * @adv: decoded fields, valid when CARP_ACCEPT is returned
 *
 * The checks run in the order of the protocol reference (length, version,
 * TTL, checksum); the first failing one names the drop reason.  Only the
 * first 36 bytes are checksummed, as every BSD does for IPv4 before 15.x.
 *
 * Return: CARP_ACCEPT or the statistic of the reason to drop.
 */
enum carp_stat carp_advert_decode(const void *buf, unsigned int len, u8 ttl,
				  struct carp_advert *adv)
{
	const struct carp_hdr *hdr = buf;

	if (len < sizeof(*hdr))
		return CARP_STAT_BADLEN;
	if (hdr->ver_type != (CARP_VERSION << 4 | CARP_TYPE_ADVERTISEMENT))
		return CARP_STAT_BADVER;
	if (ttl != CARP_TTL)
		return CARP_STAT_BADTTL;
	if (ip_compute_csum(hdr, sizeof(*hdr)))
		return CARP_STAT_BADSUM;

	adv->vhid = hdr->vhid;
	adv->advbase = hdr->advbase;
	adv->advskew = hdr->advskew;
	adv->demote = hdr->demote;
	adv->counter = (u64)ntohl(hdr->counter[0]) << 32 | ntohl(hdr->counter[1]);
	memcpy(adv->md, hdr->md, sizeof(adv->md));
	return CARP_ACCEPT;
}
EXPORT_SYMBOL_IF_KUNIT(carp_advert_decode);

/* Advertisement interval of a MASTER: advbase + advskew/256 seconds. */
u64 carp_adv_interval_us(u8 advbase, u8 advskew)
{
	return (u64)advbase * USEC_PER_SEC + (u64)advskew * USEC_PER_SEC / 256;
}
EXPORT_SYMBOL_IF_KUNIT(carp_adv_interval_us);

/*
 * How long a BACKUP waits for the MASTER: three of its own advertisement
 * bases plus its own skew, so that the least skewed BACKUP wins the race.
 */
u64 carp_master_down_us(u8 advbase, u8 advskew)
{
	return (u64)CARP_DEAD_RATIO * advbase * USEC_PER_SEC +
	       (u64)advskew * USEC_PER_SEC / 256;
}
EXPORT_SYMBOL_IF_KUNIT(carp_master_down_us);
