// SPDX-License-Identifier: GPL-2.0
/*
 * State machine and timers of a carp device.
 *
 * Timers (both under carp_dev.lock, both only armed while the device runs):
 *
 *  ad_timer   MASTER: send the next advertisement, every
 *             advbase + skew/256 seconds, and re-arm.
 *  md_timer   BACKUP: the master is presumed dead when no advertisement
 *             arrived for 3 * advbase + advskew/256 seconds; become MASTER.
 *
 * INIT -> BACKUP when the device is up, bound to a running parent with
 * carrier and has an IPv4 address; any of these going away means INIT.  A
 * MASTER that leaves while its parent can still send bows out: one last
 * advertisement with advbase 255 and advskew 255, which every BACKUP reads
 * as "master will time out" and takes over at once.
 */

#include <linux/jiffies.h>
#include <linux/rtnetlink.h>

#include "election.h"
#include "hmac.h"
#include "netns.h"
#include "output.h"
#include "state.h"

static const char *const carp_state_names[] = {
	[CARP_STATE_INIT]	= "INIT",
	[CARP_STATE_BACKUP]	= "BACKUP",
	[CARP_STATE_MASTER]	= "MASTER",
};

const char *carp_state_name(enum carp_state state)
{
	return state <= CARP_STATE_MAX ? carp_state_names[state] : "UNKNOWN";
}

static struct carp_net *carp_dev_net(const struct carp_dev *sc)
{
	return carp_net(dev_net(sc->dev));
}

/*
 * While preemption is suppressed on this host (a parent is down, sends
 * fail), every device advertises with skew 240 so that peers running with
 * preempt take all of its addresses over together.
 */
u8 carp_effective_skew(const struct carp_dev *sc)
{
	u8 skew = READ_ONCE(sc->advskew);

	if (atomic_read(&carp_dev_net(sc)->suppress) > 0 &&
	    skew < CARP_SUPPRESS_SKEW)
		return CARP_SUPPRESS_SKEW;
	return skew;
}

static void carp_arm(struct timer_list *timer, u64 usecs)
{
	mod_timer(timer, jiffies + usecs_to_jiffies(usecs));
}

static void carp_arm_master_down(struct carp_dev *sc)
{
	carp_arm(&sc->md_timer, carp_master_down_us(sc->advbase, sc->advskew));
}

static void carp_arm_advert(struct carp_dev *sc)
{
	carp_arm(&sc->ad_timer,
		 carp_adv_interval_us(sc->advbase, carp_effective_skew(sc)));
}

static void carp_set_state(struct carp_dev *sc, enum carp_state state,
			   const char *reason)
{
	enum carp_state old = sc->state;

	lockdep_assert_held(&sc->lock);
	if (old == state)
		return;
	WRITE_ONCE(sc->state, state);

	/* Operstate tells the state at a glance: only a MASTER is UP. */
	if (state == CARP_STATE_MASTER)
		netif_dormant_off(sc->dev);
	else
		netif_dormant_on(sc->dev);

	if (state == CARP_STATE_MASTER) {
		carp_dev_stat_inc(sc, CARP_STAT_PREEMPT);
		carp_net_stat_inc(dev_net(sc->dev), CARP_STAT_PREEMPT);
	}
	if (READ_ONCE(carp_dev_net(sc)->log) >= 2)
		net_info_ratelimited("%s: vhid %u: %s -> %s (%s)\n",
				     sc->dev->name, sc->vhid,
				     carp_state_name(old),
				     carp_state_name(state), reason);
	/* uevent and RTM_NEWLINK need process context. */
	schedule_work(&sc->event_work);
}

static void carp_send(struct carp_dev *sc)
{
	carp_send_advert(sc, sc->advbase, carp_effective_skew(sc));
}

static void carp_become_master(struct carp_dev *sc, const char *reason)
{
	lockdep_assert_held(&sc->lock);
	del_timer(&sc->md_timer);
	carp_set_state(sc, CARP_STATE_MASTER, reason);
	/* Advertise first so BACKUPs stay quiet, then claim the addresses. */
	carp_send(sc);
	carp_send_garp(sc);
	/* A second round two intervals later, for slow L3 switches. */
	sc->delayed_garp = 2;
	carp_arm_advert(sc);
}

static void carp_become_backup(struct carp_dev *sc, const char *reason)
{
	lockdep_assert_held(&sc->lock);
	del_timer(&sc->ad_timer);
	carp_set_state(sc, CARP_STATE_BACKUP, reason);
	carp_arm_master_down(sc);
}

static void carp_become_init(struct carp_dev *sc, const char *reason,
			     bool can_send)
{
	lockdep_assert_held(&sc->lock);
	del_timer(&sc->ad_timer);
	del_timer(&sc->md_timer);
	if (sc->state == CARP_STATE_MASTER && can_send)
		carp_send_advert(sc, CARP_BOW_OUT, CARP_BOW_OUT);
	carp_set_state(sc, CARP_STATE_INIT, reason);
}

static void carp_ad_timer_fn(struct timer_list *t)
{
	struct carp_dev *sc = timer_container_of(sc, t, ad_timer);

	spin_lock_bh(&sc->lock);
	if (sc->state == CARP_STATE_MASTER) {
		carp_send(sc);
		if (sc->delayed_garp && !--sc->delayed_garp)
			carp_send_garp(sc);
		carp_arm_advert(sc);
	}
	spin_unlock_bh(&sc->lock);
}

static void carp_md_timer_fn(struct timer_list *t)
{
	struct carp_dev *sc = timer_container_of(sc, t, md_timer);

	spin_lock_bh(&sc->lock);
	if (sc->state == CARP_STATE_BACKUP)
		carp_become_master(sc, "master timed out");
	spin_unlock_bh(&sc->lock);
}

void carp_state_init(struct carp_dev *sc)
{
	spin_lock_init(&sc->lock);
	sc->state = CARP_STATE_INIT;
	timer_setup(&sc->ad_timer, carp_ad_timer_fn, 0);
	timer_setup(&sc->md_timer, carp_md_timer_fn, 0);
}

/* Device teardown: the timers must neither run nor be re-armed after this. */
void carp_state_shutdown(struct carp_dev *sc)
{
	timer_shutdown_sync(&sc->ad_timer);
	timer_shutdown_sync(&sc->md_timer);
}

static bool carp_lower_ok(const struct carp_dev *sc)
{
	return sc->parent && netif_running(sc->parent) &&
	       netif_carrier_ok(sc->parent);
}

/*
 * A parent that is down suppresses preemption on the whole host, once per
 * carp device, until it is back: the group failover of the BSDs.
 */
static void carp_update_link_suppress(struct carp_dev *sc, bool lower_ok)
{
	bool want = sc->parent && !lower_ok;

	if (want == sc->link_suppressing)
		return;
	sc->link_suppressing = want;
	carp_suppress_adjust(dev_net(sc->dev), want ? 1 : -1);
}

/**
 * carp_update - re-evaluate whether a carp device runs
 * @sc: the device
 *
 * Called under RTNL whenever something it depends on changed: the device
 * or its parent went up or down, the parent's carrier changed, addresses
 * were added or removed, the device was bound or unbound.
 */
void carp_update(struct carp_dev *sc)
{
	struct carp_addrs *addrs = carp_addrs_rtnl(sc);
	bool lower_ok = carp_lower_ok(sc);
	bool run = lower_ok && netif_running(sc->dev) && addrs && addrs->n;
	const char *why;

	ASSERT_RTNL();
	if (lower_ok)
		netif_carrier_on(sc->dev);
	else
		netif_carrier_off(sc->dev);
	carp_update_link_suppress(sc, lower_ok && netif_running(sc->dev));

	spin_lock_bh(&sc->lock);
	if (run && sc->state == CARP_STATE_INIT) {
		carp_become_backup(sc, "initialization complete");
	} else if (!run && sc->state != CARP_STATE_INIT) {
		if (!sc->parent)
			why = "no parent";
		else if (!lower_ok)
			why = "hardware interface down";
		else if (!netif_running(sc->dev))
			why = "interface down";
		else
			why = "no address";
		carp_become_init(sc, why, lower_ok);
	}
	spin_unlock_bh(&sc->lock);
}

/**
 * carp_state_input - act on an advertisement for this device's vhid
 * @sc: the device, found by vhid on the parent the packet arrived on
 * @adv: the decoded, checksummed advertisement
 * @saddr: its IP source, for logging only
 *
 * Runs in softirq under rcu_read_lock().  The HMAC is checked here, under
 * the lock that also serialises key changes.
 *
 * Return: CARP_ACCEPT or the drop reason.
 */
enum carp_stat carp_state_input(struct carp_dev *sc, const struct carp_advert *adv,
				__be32 saddr)
{
	struct carp_addrs *addrs = rcu_dereference(sc->addrs);
	enum carp_stat verdict;
	struct carp_self self;

	spin_lock(&sc->lock);
	verdict = addrs ? carp_advert_authenticate(sc->tfm, addrs->addr, addrs->n, adv) :
			  CARP_STAT_BADAUTH;
	if (verdict != CARP_ACCEPT)
		goto out;
	/* Our own advertisement, looped back to us: not a peer. */
	if (sc->state == CARP_STATE_MASTER && adv->counter == sc->counter)
		goto out;

	self.advbase = sc->advbase;
	self.advskew = carp_effective_skew(sc);
	self.preempt = READ_ONCE(carp_dev_net(sc)->preempt);

	switch (carp_elect(sc->state, &self, adv->advbase, adv->advskew)) {
	case CARP_YIELD:
		carp_become_backup(sc, carp_verdict_reason(CARP_YIELD));
		break;
	case CARP_PREEMPT:
		carp_become_master(sc, carp_verdict_reason(CARP_PREEMPT));
		break;
	case CARP_TAKEOVER:
		carp_become_master(sc, carp_verdict_reason(CARP_TAKEOVER));
		break;
	case CARP_WAIT:
		carp_arm_master_down(sc);
		break;
	case CARP_IGNORE:
		break;
	}
out:
	spin_unlock(&sc->lock);
	return verdict;
}

/**
 * carp_force_state - the administrator's "state master" / "state backup"
 * @sc: the device
 * @state: CARP_STATE_MASTER or CARP_STATE_BACKUP
 *
 * As on the BSDs, ignored while the device is in INIT.
 */
void carp_force_state(struct carp_dev *sc, enum carp_state state)
{
	spin_lock_bh(&sc->lock);
	if (sc->state != CARP_STATE_INIT && sc->state != state) {
		if (state == CARP_STATE_MASTER)
			carp_become_master(sc, "user requested");
		else
			carp_become_backup(sc, "user requested");
	}
	spin_unlock_bh(&sc->lock);
}

/* Advertise at once if MASTER: our skew changed and peers should know. */
void carp_advertise_now(struct carp_dev *sc)
{
	spin_lock_bh(&sc->lock);
	if (sc->state == CARP_STATE_MASTER) {
		carp_send(sc);
		carp_arm_advert(sc);
	}
	spin_unlock_bh(&sc->lock);
}
