/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BSD election rules: what a carp device does with a valid
 * advertisement from another host.  Pure, so KUnit checks every rule.
 */
#ifndef _CARP_ELECTION_H
#define _CARP_ELECTION_H

#include <linux/types.h>
#include <linux/if_carp.h>

enum carp_verdict {
	CARP_IGNORE,		/* INIT, or a MASTER hearing a slower master */
	CARP_YIELD,		/* MASTER -> BACKUP: peer as or more frequent */
	CARP_PREEMPT,		/* BACKUP -> MASTER: preempting a slower master */
	CARP_TAKEOVER,		/* BACKUP -> MASTER: master will time out */
	CARP_WAIT,		/* BACKUP: master alive, restart master-down */
};

/* Our side of the comparison: own timing values and the preempt switch. */
struct carp_self {
	u8 advbase;
	u8 advskew;		/* effective skew: carp_demoted_skew() */
	bool preempt;
	u64 counter;		/* of our last advertisement, while MASTER */
};

enum carp_verdict carp_elect(enum carp_state state, const struct carp_self *self,
			     u8 rx_advbase, u8 rx_advskew);
const char *carp_verdict_reason(enum carp_verdict verdict);
u8 carp_demoted_skew(u8 advskew, s64 demotion);

struct crypto_shash;
struct carp_advert;
struct carp_vips;
enum carp_stat carp_advert_judge(struct crypto_shash *tfm, const struct carp_vips *vips,
				 const struct carp_advert *adv,
				 enum carp_state state, const struct carp_self *self,
				 enum carp_verdict *verdict);

#endif /* _CARP_ELECTION_H */
