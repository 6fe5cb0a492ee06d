/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The private header of the carp driver: the structures its files share and
 * the functions they call across files.  The protocol logic that KUnit
 * tests on its own (proto.h, hmac.h, election.h) has headers of its own and
 * knows nothing of net_devices.
 */
#ifndef _CARP_H
#define _CARP_H

#include <linux/if_carp.h>
#include <linux/netdevice.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/rtnetlink.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <crypto/hash.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "hmac.h"
#include "proto.h"

struct carp_port;

/*
 * device.c: the carp net_device and its private state.
 *
 * Locking:
 *  - RTNL serialises configuration: creation, deletion, changelink, binding
 *    to a parent, address list updates and run-state evaluation.
 *  - @lock (taken with _bh) protects the state machine: @state, @counter,
 *    the timers, @tfm, the send error counts, the event queue and the
 *    timing configuration as the softirq paths read it.  Configuration
 *    writers hold both RTNL and @lock; lockless readers (sysfs, netlink
 *    dumps, the rx handler) use READ_ONCE() and writers WRITE_ONCE().
 *  - @addrs, @port and the parent port's vhid table are RCU-protected for
 *    the receive and send paths.
 */

/* State changes queued for their uevent; more than this in a row merge. */
#define CARP_EVENTS	8

/*
 * Snapshot of a carp device's addresses, normalized for the HMAC: @n IPv4
 * ones in @addr, then @n6 IPv6 ones at @addr6, in the same allocation;
 * @vips describes both to the HMAC.
 */
struct carp_addrs {
	struct rcu_head rcu;
	struct carp_vips vips;
	unsigned int n, n6;
	struct in6_addr *addr6;
	__be32 addr[];
};

struct carp_dev {
	struct net_device *dev;
	struct net_device *parent;		/* RTNL; NULL while unbound */
	netdevice_tracker parent_tracker;
	struct carp_port __rcu *port;		/* RTNL; RCU for readers */
	struct list_head port_node;		/* RTNL; RCU readers; port->carps */
	bool uc_added;				/* RTNL: vMAC in parent filter */
	bool mc_joined;				/* RTNL: parent in 224.0.0.18 */
	struct in6_addr *mc6;			/* RTNL: groups joined on parent */
	unsigned int nmc6;			/* RTNL: how many */

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
	int send_demotion;			/* @lock: what send_suppressing added */
	int link_demotion;			/* RTNL: what link_suppressing added */
	struct crypto_shash *tfm;
	struct timer_list ad_timer;		/* MASTER: next advertisement */
	struct timer_list md_timer;		/* BACKUP: master down */

	struct work_struct event_work;		/* uevents after state changes */
	struct work_struct addr6_work;		/* IPv6 address changes, RTNL */
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

/* ff02::12, where IPv6 advertisements go. */
#define CARP_GROUP6_INIT { { { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12 } } }
extern const struct in6_addr carp_group6;

/* The metric of the prefix routes of IPv6 addresses on carp devices: the worst. */
#define CARP_ADDR6_METRIC	U32_MAX

/* Never more than the parent carries (macvlan's rule).  Under RTNL. */
static inline bool carp_mtu_fits(const struct carp_dev *carp, int mtu)
{
	return !carp->parent || mtu <= carp->parent->mtu;
}

static inline struct carp_addrs *carp_addrs_rtnl(struct carp_dev *carp)
{
	return rtnl_dereference(carp->addrs);
}

void carp_setup(struct net_device *dev);
void carp_ipv6_conf(struct net_device *dev);
int carp_dev_init_priv(struct carp_dev *carp, u8 vhid);
void carp_dev_stat_inc(struct carp_dev *carp, enum carp_stat stat);
void carp_event_queue(struct carp_dev *carp, enum carp_state state);

/*
 * port.c: a carp port is what carp attaches to a parent device.  One per
 * parent, shared by every carp device stacked on it, holding the receive
 * hook and the vhid table that makes the lookup of an advertisement's vhid
 * O(1).
 */

struct carp_port {
	struct net_device *dev;			/* the parent */
	struct list_head carps;			/* RTNL; RCU readers; port_node */
	struct carp_dev __rcu *vhids[256];	/* RCU; indexed by vhid */
	struct rcu_head rcu;
};

rx_handler_result_t carp_handle_frame(struct sk_buff **pskb);

/* 00:00:5e:00:01:xx, the IANA block for VRRP/CARP IPv4 virtual routers. */
static inline bool carp_is_vmac(const unsigned char *addr)
{
	static const unsigned char prefix[5] = { 0x00, 0x00, 0x5e, 0x00, 0x01 };

	return !memcmp(addr, prefix, sizeof(prefix));
}

static inline bool carp_port_exists(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == carp_handle_frame;
}

/* Only valid when carp_port_exists(); caller in an RCU read section. */
static inline struct carp_port *carp_port_get_rcu(const struct net_device *dev)
{
	return rcu_dereference(dev->rx_handler_data);
}

static inline struct carp_port *carp_port_get_rtnl(const struct net_device *dev)
{
	return rtnl_dereference(dev->rx_handler_data);
}

int carp_port_attach(struct carp_dev *carp, struct net_device *parent,
		     struct netlink_ext_ack *extack);
void carp_port_detach(struct carp_dev *carp);
void carp_lower_open(struct carp_dev *carp);
void carp_lower_close(struct carp_dev *carp);
void carp_mc6_sync(struct carp_dev *carp);
int carp_parent_check(struct net_device *parent, u8 vhid,
		      struct netlink_ext_ack *extack);
int carp_port_notifier_init(void);
void carp_port_notifier_exit(void);

/*
 * netns.c: per network namespace state, the net.carp sysctls and the
 * statistics.  Every namespace is a host of its own.
 */

struct carp_net {
	/* sysctls; plain ints read with READ_ONCE() */
	int allow;
	int preempt;
	int log;
	int arpbalance;
	int ifdown_factor;	/* net.carp.ifdown_demotion_factor */
	int senderr_factor;	/* net.carp.senderr_demotion_factor */
	/*
	 * suppress_preempt: how many reasons (a parent down, repeated send
	 * errors) there are to suppress preemption; each adds its factor to
	 * the demotion.  Changed from softirq, hence atomic; the read-only
	 * sysctl shows its counter.
	 */
	atomic_t suppress;
	/*
	 * net.carp.demotion, added to every device's advskew on the wire and
	 * in elections (carp_demoted_skew()): what the administrator wrote,
	 * @demotion_admin (within +-CARP_DEMOTION_MAX, under
	 * @demotion_lock), plus the factor each reason to suppress preemption
	 * added when it began (it gives back the same).  64 bits: no sum of
	 * factors overflows it.
	 */
	atomic64_t demotion;
	spinlock_t demotion_lock;		/* @demotion_admin, sysctl writers */
	int demotion_admin;
	/* This namespace's own budget for log lines: no neighbour can use it up. */
	struct ratelimit_state log_rs;
	struct work_struct demote_work;		/* advertise now, all MASTERs */
	struct net *net;
	struct ctl_table_header *sysctl_hdr;
	atomic_long_t stats[CARP_STAT_NUM];
};

extern unsigned int carp_net_id;

static inline struct carp_net *carp_net(const struct net *net)
{
	return net_generic(net, carp_net_id);
}

#define CARP_LOG_DEBUG	7	/* net.carp.log at which everything is logged */

void carp_net_stat_inc(struct net *net, enum carp_stat stat);
bool carp_log_ok(struct net *net, int level);

#define CARP_DEMOTION_MAX	1000000	/* net.carp.demotion and the factors */
#define CARP_DEMOTION_FACTOR	240	/* the factors' default: CARP_MAXSKEW */

enum carp_suppress_reason {
	CARP_SUPPRESS_IFDOWN,	/* the parent is down or has no carrier */
	CARP_SUPPRESS_SENDERR,	/* three rounds of sends failed */
};

int carp_suppress_begin(const struct net_device *dev, enum carp_suppress_reason why);
void carp_suppress_end(const struct net_device *dev, int demotion, const char *why);
int carp_netns_init(void);
void carp_netns_exit(void);

/*
 * state.c: the INIT/BACKUP/MASTER state machine of one carp device and its two
 * timers.  Transitions happen in softirq (timers, received advertisements)
 * and under RTNL (configuration, link events); all under carp_dev.lock.
 */

void carp_state_init(struct carp_dev *carp);
void carp_state_shutdown(struct carp_dev *carp);
void carp_state_stop(struct carp_dev *carp, const char *why);
void carp_update(struct carp_dev *carp);
enum carp_stat carp_state_input(struct carp_dev *carp, const struct carp_advert *adv);
int carp_force_state(struct carp_dev *carp, enum carp_state state);
void carp_advertise_now(struct carp_dev *carp);
u8 carp_effective_skew(const struct carp_dev *carp);
const char *carp_state_name(enum carp_state state);

/* addr.c: following the addresses configured on carp devices. */

int carp_addrs_refresh(struct carp_dev *carp);
void carp_addrs_free(struct carp_dev *carp);
bool carp_has_addrs6(struct net_device *dev);
void carp_addr6_work(struct work_struct *work);
int carp_addr_notifier_init(void);
void carp_addr_notifier_exit(void);

/* arp.c: ARP ownership of the virtual addresses; nd.c: the same for IPv6. */

rx_handler_result_t carp_arp_rx(struct carp_port *port, struct sk_buff *skb);
bool carp_arp_is_reply(struct sk_buff *skb);
bool carp_arp_shared(const struct carp_dev *carp, __be32 addr);
int carp_arp_net_init(struct net *net);
void carp_arp_net_exit(struct net *net);
rx_handler_result_t carp_nd_rx(struct carp_port *port, struct sk_buff *skb);
bool carp_nd_is_reply(struct carp_dev *carp, struct sk_buff *skb);
bool carp_has_addr6(const struct carp_dev *carp, const struct in6_addr *addr);

/* output.c: advertisements, gratuitous ARP and unsolicited NA, on the parent. */

int carp_send_advert(struct carp_dev *carp, u8 advbase, u8 advskew);
void carp_send_garp(struct carp_dev *carp);
void carp_send_reset(struct carp_dev *carp);
__be32 carp_parent_addr(struct net_device *parent, __be32 dst);

/* input.c: the IPv4 and IPv6 protocol 112 handlers. */

int carp_input_init(void);
void carp_input_exit(void);

/* sysfs.c: /sys/class/net/<carp>/carp/, configuration, state and counters. */

extern const struct attribute_group carp_attr_group;

#endif /* _CARP_H */
