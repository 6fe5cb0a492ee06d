// SPDX-License-Identifier: GPL-2.0
/*
 * Election rules of CARP, as FreeBSD, OpenBSD and ucarp apply them after an
 * advertisement has passed every check.  "More frequent" means a smaller
 * advbase + advskew/256.
 *
 *  MASTER  yields to a peer that advertises more often or exactly as often
 *          (so two masters with equal timing both step down, and the first
 *          master-down timer to expire decides).
 *  BACKUP  takes over at once from a slower master when preemption is on;
 *          takes over at once when the master advertises less often than
 *          our own master-down interval, because it is bound to time out
 *          (this is what makes the 255/255 bow-out packet work);
 *          otherwise restarts its master-down timer.
 *  INIT    ignores advertisements.
 */

#include <linux/export.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <kunit/visibility.h>

#include "election.h"
#include "hmac.h"
#include "proto.h"

enum carp_verdict carp_elect(enum carp_state state, const struct carp_self *self,
			     u8 rx_advbase, u8 rx_advskew)
{
	u32 own = carp_timing(self->advbase, self->advskew);
	u32 rx = carp_timing(rx_advbase, rx_advskew);

	switch (state) {
	case CARP_STATE_MASTER:
		return rx <= own ? CARP_YIELD : CARP_IGNORE;
	case CARP_STATE_BACKUP:
		if (self->preempt && own < rx)
			return CARP_PREEMPT;
		if (carp_timing(CARP_DEAD_RATIO * self->advbase, self->advskew) < rx)
			return CARP_TAKEOVER;
		return CARP_WAIT;
	default:
		return CARP_IGNORE;
	}
}
EXPORT_SYMBOL_IF_KUNIT(carp_elect);

/**
 * carp_demoted_skew - the skew a device advertises and compares
 * @advskew: its configured skew
 * @demotion: its namespace's demotion (net.carp.demotion)
 *
 * FreeBSD's DEMOTE_ADVSKEW: advskew + demotion, no less than 0 and no
 * more than 240, so that peers configured below 240 with preemption on
 * take over from a demoted host.  A configured skew above 240, which FreeBSD before 10 kept
 * while it suppressed preemption, is never lowered by a positive demotion.
 *
 * Return: the skew, 0..254.
 */
u8 carp_demoted_skew(u8 advskew, s64 demotion)
{
	int skew = advskew + (int)clamp_t(s64, demotion, -U8_MAX, U8_MAX);

	return clamp(skew, 0, max_t(int, advskew, CARP_MAXSKEW));
}
EXPORT_SYMBOL_IF_KUNIT(carp_demoted_skew);

/**
 * carp_advert_judge - what a device does with a decoded advertisement
 * @tfm: the device's keyed HMAC transform
 * @vips: its addresses, normalized; NULL if it has no address list yet
 * @adv: the advertisement, decoded and checksummed
 * @state: the device's state
 * @self: its timing values, preempt switch and last counter sent
 * @verdict: what the election decided; CARP_IGNORE unless CARP_ACCEPT
 *
 * The HMAC comes first: an advertisement that fails it never reaches the
 * election.  A MASTER's own advertisement looped back (same counter) is
 * accepted and ignored.
 *
 * Return: CARP_ACCEPT or CARP_STAT_BADAUTH, the statistic to count.
 */
enum carp_stat carp_advert_judge(struct crypto_shash *tfm, const struct carp_vips *vips,
				 const struct carp_advert *adv,
				 enum carp_state state, const struct carp_self *self,
				 enum carp_verdict *verdict)
{
	*verdict = CARP_IGNORE;
	if (!vips || carp_advert_authenticate(tfm, vips, adv) != CARP_ACCEPT)
		return CARP_STAT_BADAUTH;
	if (state == CARP_STATE_MASTER && adv->counter == self->counter)
		return CARP_ACCEPT;
	*verdict = carp_elect(state, self, adv->advbase, adv->advskew);
	return CARP_ACCEPT;
}
EXPORT_SYMBOL_IF_KUNIT(carp_advert_judge);

/* The words the BSDs log for each transition. */
const char *carp_verdict_reason(enum carp_verdict verdict)
{
	switch (verdict) {
	case CARP_YIELD:
		return "more frequent advertisement received";
	case CARP_PREEMPT:
		return "preempting a slower master";
	case CARP_TAKEOVER:
		return "master will time out";
	default:
		return "no change";
	}
}
EXPORT_SYMBOL_IF_KUNIT(carp_verdict_reason);
