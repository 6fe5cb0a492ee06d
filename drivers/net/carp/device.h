/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The carp net_device and its private state.
 *
 * Locking:
 *  - RTNL serialises configuration: creation, deletion, changelink, binding
 *    to a parent, address list updates and run-state evaluation.
 *  - @lock (taken with _bh) protects the state machine: @state, @counter,
 *    the timers, @tfm, the send error counts, the event queue and the
 *    timing configuration as the softirq paths read it.  Configuration
 *    writers hold both RTNL and @lock; lockless readers (sysfs, netlink
 *    dumps, the rx handler) use READ_ONCE() and writers WRITE_ONCE().
 *  - @addrs and the parent port's vhid table are RCU-protected for the
 *    receive path.
 */
#ifndef _CARP_DEVICE_H
#define _CARP_DEVICE_H

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/if_carp.h>
#include <linux/workqueue.h>
#include <crypto/hash.h>

#include "proto.h"

struct carp_port;

/* State changes queued for their uevent; more than this in a row merge. */
#define CARP_EVENTS	8

/* Snapshot of a carp device's IPv4 addresses, normalized for the HMAC. */
struct carp_addrs {
	struct rcu_head rcu;
	unsigned int n;
	__be32 addr[];
};

struct carp_dev {
	struct net_device *dev;
	struct net_device *parent;		/* RTNL; NULL while unbound */
	netdevice_tracker parent_tracker;
	struct carp_port *port;			/* RTNL */
	struct list_head port_node;		/* RTNL; on port->carps */
	bool uc_added;				/* RTNL: vMAC in parent filter */
	bool mc_joined;				/* RTNL: parent in 224.0.0.18 */

	u8 vhid;				/* fixed after creation */
	u8 advbase;				/* RTNL + @lock */
	u8 advskew;				/* RTNL + @lock */
	u8 key[CARP_KEY_LEN];			/* newlink until ndo_init, then 0 */

	spinlock_t lock;			/* state machine, see above */
	enum carp_state state;
	u64 counter;				/* last counter sent */
	unsigned int delayed_garp;		/* adverts until second GARP */
	unsigned int send_errors;		/* consecutive failures */
	unsigned int send_ok;			/* consecutive successes */
	bool send_suppressing;			/* holds a suppress_preempt */
	bool link_suppressing;			/* holds a suppress_preempt */
	struct crypto_shash *tfm;
	struct timer_list ad_timer;		/* MASTER: next advertisement */
	struct timer_list md_timer;		/* BACKUP: master down */

	struct work_struct event_work;		/* uevents after state changes */
	u8 events[CARP_EVENTS];			/* @lock: states to announce */
	unsigned int nevents;			/* @lock: oldest first */

	struct carp_addrs __rcu *addrs;
	atomic_long_t stats[CARP_STAT_NUM];
};

extern struct rtnl_link_ops carp_link_ops;

static inline bool netif_is_carp(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &carp_link_ops;
}

static inline struct carp_addrs *carp_addrs_rtnl(struct carp_dev *carp)
{
	return rtnl_dereference(carp->addrs);
}

void carp_setup(struct net_device *dev);
int carp_dev_init_priv(struct carp_dev *carp, u8 vhid);
void carp_dev_stat_inc(struct carp_dev *carp, enum carp_stat stat);
void carp_event_queue(struct carp_dev *carp, enum carp_state state);

#endif /* _CARP_DEVICE_H */
