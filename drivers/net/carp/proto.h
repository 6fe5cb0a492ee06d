/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CARP wire format and the pure protocol logic that works on it: header
 * encoding and decoding, the checksum and the advertisement timing.  Nothing
 * here touches a net_device, so KUnit tests it directly.
 */
#ifndef _CARP_PROTO_H
#define _CARP_PROTO_H

#include <linux/types.h>
#include <linux/build_bug.h>
#include <crypto/sha1.h>

#define IPPROTO_CARP		112
#define CARP_VERSION		2
#define CARP_TYPE_ADVERTISEMENT	1
#define CARP_AUTHLEN		7	/* counter + HMAC, in 32-bit words */
#define CARP_TTL		255	/* sent and required on receive */
#define CARP_TOS		0x10	/* IPTOS_LOWDELAY, as the BSDs send */
#define CARP_GROUP		htonl(0xe0000012)	/* 224.0.0.18 */
#define CARP_BOW_OUT		255	/* advbase and advskew of a bow-out */
#define CARP_MAXSKEW		240	/* the most a demotion raises advskew to */
#define CARP_DEAD_RATIO		3	/* master-down = 3 advertisement bases */

/* The 36-byte CARP header; multi-byte fields are big-endian on the wire. */
struct carp_hdr {
	u8 ver_type;		/* version << 4 | type */
	u8 vhid;
	u8 advskew;
	u8 authlen;
	u8 demote;		/* pad on FreeBSD and ucarp, demotion on OpenBSD */
	u8 advbase;
	__sum16 csum;		/* over this header only, no pseudo-header */
	__be32 counter[2];	/* high word first */
	u8 md[SHA1_DIGEST_SIZE];
} __packed;

static_assert(sizeof(struct carp_hdr) == 36);

/* A decoded advertisement. */
struct carp_advert {
	u8 vhid;
	u8 advbase;
	u8 advskew;
	u8 demote;
	u64 counter;
	u8 md[SHA1_DIGEST_SIZE];
};

/*
 * Statistics, named after FreeBSD's struct carpstats.  The drop reasons
 * double as the verdicts of carp_advert_decode().
 */
enum carp_stat {
	CARP_STAT_IPACKETS,	/* IPv4 CARP packets received */
	CARP_STAT_BADIF,	/* received on a device without carp */
	CARP_STAT_BADTTL,	/* TTL other than 255 */
	CARP_STAT_HDROPS,	/* could not read the header */
	CARP_STAT_BADSUM,	/* bad checksum */
	CARP_STAT_BADVER,	/* bad version or type */
	CARP_STAT_BADLEN,	/* shorter than a CARP header */
	CARP_STAT_BADAUTH,	/* HMAC mismatch */
	CARP_STAT_BADVHID,	/* no running carp device with this vhid */
	CARP_STAT_DISALLOWED,	/* dropped because net.carp.allow is 0 */
	CARP_STAT_OPACKETS,	/* IPv4 advertisements sent */
	CARP_STAT_OERRORS,	/* advertisements that could not be sent */
	CARP_STAT_PREEMPT,	/* transitions to MASTER */
	CARP_STAT_IPACKETS6,	/* IPv6 CARP packets received */
	CARP_STAT_OPACKETS6,	/* IPv6 advertisements sent */
	CARP_STAT_NUM,
};

extern const char *const carp_stat_names[CARP_STAT_NUM];

/* CARP_STAT_IPACKETS means "accept": no drop reason. */
#define CARP_ACCEPT CARP_STAT_IPACKETS

void carp_hdr_encode(struct carp_hdr *hdr, const struct carp_advert *adv);
enum carp_stat carp_advert_decode(const void *buf, unsigned int len, u8 ttl,
				  struct carp_advert *adv);

/*
 * An (advbase, advskew) pair as one number: advertising every advbase +
 * advskew/256 seconds.  Comparing these is exactly the BSD timeval compare.
 */
static inline u32 carp_timing(u32 advbase, u32 advskew)
{
	return advbase * 256 + advskew;
}

u64 carp_adv_interval_us(u8 advbase, u8 advskew);
u64 carp_master_down_us(u8 advbase, u8 advskew);

#endif /* _CARP_PROTO_H */
