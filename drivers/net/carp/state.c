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
 * carrier and has an address; any of these going away means INIT.  A
 * MASTER that leaves while its parent can still send bows out: one last
 * advertisement with advbase 255 and advskew 255, which every BACKUP reads
 * as "master will time out" and takes over at once.
 */

#include <linux/inetdevice.h>
#include <linux/jiffies.h>
#include <linux/rtnetlink.h>

#include "carp.h"
#include "election.h"
#include "hmac.h"

static const char *const carp_state_names[] = {
	[CARP_STATE_INIT]	= "INIT",
	[CARP_STATE_BACKUP]	= "BACKUP",
	[CARP_STATE_MASTER]	= "MASTER",
};

const char *carp_state_name(enum carp_state state)
{
	return state <= CARP_STATE_MAX ? carp_state_names[state] : "UNKNOWN";
}

static struct carp_net *carp_dev_net(const struct carp_dev *carp)
{
	return carp_net(dev_net(carp->dev));
}

/*
 * The skew a device advertises and compares: its own plus the namespace's
 * demotion (carp_demoted_skew()).  A demoted host (an administrator's
 * net.carp.demotion, a parent down, failing sends) thus hands all of its
 * addresses over together to peers running with preempt.
 */
u8 carp_effective_skew(const struct carp_dev *carp)
{
	return carp_demoted_skew(READ_ONCE(carp->advskew),
				 atomic64_read(&carp_dev_net(carp)->demotion));
}

static void carp_arm(struct timer_list *timer, u64 usecs)
{
	mod_timer(timer, jiffies + usecs_to_jiffies(usecs));
}

static void carp_arm_master_down(struct carp_dev *carp)
{
	carp_arm(&carp->md_timer,
		 carp_master_down_us(carp->advbase, carp->advskew));
}

static void carp_arm_advert(struct carp_dev *carp)
{
	carp_arm(&carp->ad_timer,
		 carp_adv_interval_us(carp->advbase, carp_effective_skew(carp)));
}

static void carp_set_state(struct carp_dev *carp, enum carp_state state,
			   const char *reason)
{
	enum carp_state old = carp->state;

	lockdep_assert_held(&carp->lock);
	if (old == state)
		return;
	WRITE_ONCE(carp->state, state);

	/* Operstate tells the state at a glance: only a MASTER is UP. */
	if (state == CARP_STATE_MASTER)
		netif_dormant_off(carp->dev);
	else
		netif_dormant_on(carp->dev);

	if (state == CARP_STATE_MASTER) {
		carp_dev_stat_inc(carp, CARP_STAT_PREEMPT);
		carp_net_stat_inc(dev_net(carp->dev), CARP_STAT_PREEMPT);
	}
	if (carp_log_ok(dev_net(carp->dev), 2))
		pr_info("%s: vhid %u: %s -> %s (%s)\n", carp->dev->name,
			carp->vhid, carp_state_name(old),
			carp_state_name(state), reason);
	carp_event_queue(carp, state);
}

static void carp_send(struct carp_dev *carp)
{
	carp_send_advert(carp, carp->advbase, carp_effective_skew(carp));
}

static void carp_become_master(struct carp_dev *carp, const char *reason)
{
	lockdep_assert_held(&carp->lock);
	del_timer(&carp->md_timer);
	carp_set_state(carp, CARP_STATE_MASTER, reason);
	/* Advertise first so BACKUPs stay quiet, then claim the addresses. */
	carp_send(carp);
	carp_send_garp(carp);
	/* A second round two intervals later, for slow L3 switches. */
	carp->delayed_garp = 2;
	carp_arm_advert(carp);
}

static void carp_become_backup(struct carp_dev *carp, const char *reason)
{
	lockdep_assert_held(&carp->lock);
	del_timer(&carp->ad_timer);
	/* A BACKUP does not send: its send errors are history. */
	carp_send_reset(carp);
	carp_set_state(carp, CARP_STATE_BACKUP, reason);
	carp_arm_master_down(carp);
}

static void carp_become_init(struct carp_dev *carp, const char *reason,
			     bool can_send)
{
	lockdep_assert_held(&carp->lock);
	del_timer(&carp->ad_timer);
	del_timer(&carp->md_timer);
	if (carp->state == CARP_STATE_MASTER && can_send)
		carp_send_advert(carp, CARP_BOW_OUT, CARP_BOW_OUT);
	carp_send_reset(carp);
	carp_set_state(carp, CARP_STATE_INIT, reason);
}

static void carp_ad_timer_fn(struct timer_list *t)
{
	struct carp_dev *carp = from_timer(carp, t, ad_timer);

	spin_lock_bh(&carp->lock);
	if (carp->state == CARP_STATE_MASTER) {
		carp_send(carp);
		if (carp->delayed_garp && !--carp->delayed_garp)
			carp_send_garp(carp);
		carp_arm_advert(carp);
	}
	spin_unlock_bh(&carp->lock);
}

static void carp_md_timer_fn(struct timer_list *t)
{
	struct carp_dev *carp = from_timer(carp, t, md_timer);

	spin_lock_bh(&carp->lock);
	if (carp->state == CARP_STATE_BACKUP)
		carp_become_master(carp, "master timed out");
	spin_unlock_bh(&carp->lock);
}

void carp_state_init(struct carp_dev *carp)
{
	spin_lock_init(&carp->lock);
	carp->state = CARP_STATE_INIT;
	timer_setup(&carp->ad_timer, carp_ad_timer_fn, 0);
	timer_setup(&carp->md_timer, carp_md_timer_fn, 0);
}

static bool carp_lower_ok(const struct carp_dev *carp)
{
	return carp->parent && netif_running(carp->parent) &&
	       netif_carrier_ok(carp->parent);
}

/*
 * A parent that is down or without carrier suppresses preemption on the
 * whole host, once per carp device bound to it, until it is back: the
 * group failover of the BSDs (FreeBSD's carp_carpdev_state()), a demotion
 * by net.carp.ifdown_demotion_factor.  The carp device's own
 * administrative state plays no part: a new device, which starts down,
 * must not demote the host.
 */
static void carp_update_link_suppress(struct carp_dev *carp, bool want,
				      const char *why)
{
	ASSERT_RTNL();
	if (want == carp->link_suppressing)
		return;
	carp->link_suppressing = want;
	if (want) {
		carp->link_demotion = carp_suppress_begin(carp->dev, CARP_SUPPRESS_IFDOWN);
	} else {
		carp_suppress_end(carp->dev, carp->link_demotion, why);
		carp->link_demotion = 0;
	}
}

/**
 * carp_state_shutdown - device teardown, under RTNL
 * @carp: the device, unbound and down
 *
 * The timers neither run nor are re-armed after this, and the device gives
 * back every suppression of preemption it held.
 */
void carp_state_shutdown(struct carp_dev *carp)
{
	timer_shutdown_sync(&carp->ad_timer);
	timer_shutdown_sync(&carp->md_timer);
	spin_lock_bh(&carp->lock);
	carp_send_reset(carp);
	spin_unlock_bh(&carp->lock);
	carp_update_link_suppress(carp, false, "device deleted");
}

/**
 * carp_state_stop - leave for INIT now
 * @carp: the device
 * @why: for the log
 *
 * Under RTNL, before the device loses its parent: a MASTER bows out while
 * the parent can still send it.
 */
void carp_state_stop(struct carp_dev *carp, const char *why)
{
	bool can_send = carp_lower_ok(carp);

	ASSERT_RTNL();
	spin_lock_bh(&carp->lock);
	if (carp->state != CARP_STATE_INIT)
		carp_become_init(carp, why, can_send);
	spin_unlock_bh(&carp->lock);
}

/*
 * Does the device hold an address?  Asked of the device, not the HMAC
 * snapshot, which can fail to follow (out of memory) and lags IPv6.
 */
static bool carp_has_addrs(const struct carp_dev *carp)
{
	const struct in_device *in_dev = __in_dev_get_rtnl(carp->dev);

	return (in_dev && rtnl_dereference(in_dev->ifa_list)) ||
	       carp_has_addrs6(carp->dev);
}

/**
 * carp_update - re-evaluate whether a carp device runs
 * @carp: the device
 *
 * Called under RTNL whenever something it depends on changed: the device
 * or its parent went up or down, the parent's carrier changed, addresses
 * were added or removed, the device was bound or unbound.
 */
void carp_update(struct carp_dev *carp)
{
	bool lower_ok = carp_lower_ok(carp);
	bool run = lower_ok && netif_running(carp->dev) && carp_has_addrs(carp);
	const char *why;

	ASSERT_RTNL();
	if (lower_ok)
		netif_carrier_on(carp->dev);
	else
		netif_carrier_off(carp->dev);
	carp_update_link_suppress(carp, carp->parent && !lower_ok,
				  carp->parent ? "interface up" : "unbound");

	spin_lock_bh(&carp->lock);
	if (run && carp->state == CARP_STATE_INIT) {
		carp_become_backup(carp, "initialization complete");
	} else if (!run && carp->state != CARP_STATE_INIT) {
		if (!carp->parent)
			why = "no parent";
		else if (!lower_ok)
			why = "hardware interface down";
		else if (!netif_running(carp->dev))
			why = "interface down";
		else
			why = "no address";
		carp_become_init(carp, why, lower_ok);
	}
	spin_unlock_bh(&carp->lock);
}

/**
 * carp_state_input - act on an advertisement for this device's vhid
 * @carp: the device, found by vhid on the parent the packet arrived on
 * @adv: the decoded, checksummed advertisement
 *
 * Runs in softirq under rcu_read_lock().  The HMAC is checked here, under
 * the lock that also serialises key changes.
 *
 * Return: CARP_ACCEPT or the drop reason.
 */
enum carp_stat carp_state_input(struct carp_dev *carp, const struct carp_advert *adv)
{
	struct carp_addrs *addrs = rcu_dereference(carp->addrs);
	enum carp_verdict verdict;
	struct carp_self self;
	enum carp_stat stat;

	spin_lock(&carp->lock);
	self.advbase = carp->advbase;
	self.advskew = carp_effective_skew(carp);
	self.preempt = READ_ONCE(carp_dev_net(carp)->preempt);
	self.counter = carp->counter;
	stat = carp_advert_judge(carp->tfm, addrs ? &addrs->vips : NULL, adv,
				 carp->state, &self, &verdict);

	switch (verdict) {
	case CARP_YIELD:
		carp_become_backup(carp, carp_verdict_reason(CARP_YIELD));
		break;
	case CARP_PREEMPT:
		carp_become_master(carp, carp_verdict_reason(CARP_PREEMPT));
		break;
	case CARP_TAKEOVER:
		carp_become_master(carp, carp_verdict_reason(CARP_TAKEOVER));
		break;
	case CARP_WAIT:
		carp_arm_master_down(carp);
		break;
	case CARP_IGNORE:
		break;
	}
	spin_unlock(&carp->lock);
	return stat;
}

/**
 * carp_force_state - the administrator's "state master" / "state backup"
 * @carp: the device
 * @state: CARP_STATE_MASTER or CARP_STATE_BACKUP
 *
 * Under RTNL, the only context in which INIT is entered or left: a caller
 * that found the device running knows this cannot fail.
 *
 * Return: 0, or -ENETDOWN if the device is in INIT (nothing to force).
 */
int carp_force_state(struct carp_dev *carp, enum carp_state state)
{
	int err = 0;

	ASSERT_RTNL();
	spin_lock_bh(&carp->lock);
	if (carp->state == CARP_STATE_INIT)
		err = -ENETDOWN;
	else if (carp->state != state && state == CARP_STATE_MASTER)
		carp_become_master(carp, "user requested");
	else if (carp->state != state)
		carp_become_backup(carp, "user requested");
	spin_unlock_bh(&carp->lock);
	return err;
}

/* Advertise at once if MASTER: our skew changed and peers should know. */
void carp_advertise_now(struct carp_dev *carp)
{
	spin_lock_bh(&carp->lock);
	if (carp->state == CARP_STATE_MASTER) {
		carp_send(carp);
		carp_arm_advert(carp);
	}
	spin_unlock_bh(&carp->lock);
}
