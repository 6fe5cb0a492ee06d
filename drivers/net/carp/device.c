// SPDX-License-Identifier: GPL-2.0
/*
 * The carp net_device: an Ethernet device with the virtual MAC
 * 00:00:5e:00:01:<vhid>, stacked on a parent, that carries the virtual
 * addresses.  It sends only while MASTER (through the parent); a BACKUP
 * must never emit a frame from the virtual MAC, or switches would move the
 * MAC to it.
 */

#include <linux/etherdevice.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>

#include "carp.h"
#include "hmac.h"

void carp_dev_stat_inc(struct carp_dev *carp, enum carp_stat stat)
{
	atomic_long_inc(&carp->stats[stat]);
}

/**
 * carp_ipv6_conf - IPv6 settings of a carp device
 * @dev: the carp device
 *
 * IPv6 on a carp device carries the shared addresses the administrator
 * puts there, and nothing else: no link-local address from the virtual
 * MAC (every host of the group would configure the same one), no router
 * advertisements, no SLAAC.  And the addresses stay while the device is
 * down, as IPv4 ones do: a dual-stack group that lost its IPv6 addresses
 * would no longer authenticate.  Applied on every open, before addrconf
 * sees NETDEV_UP, and to every inet6_dev addrconf makes anew (MTU back at
 * 1280 or more); the administrator may change them in between.
 */
void carp_ipv6_conf(struct net_device *dev)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct inet6_ifaddr *ifp;

	if (!idev)
		return;
	WRITE_ONCE(idev->cnf.addr_gen_mode, IN6_ADDR_GEN_MODE_NONE);
	WRITE_ONCE(idev->cnf.accept_ra, 0);
	WRITE_ONCE(idev->cnf.autoconf, 0);
	WRITE_ONCE(idev->cnf.keep_addr_on_down, 1);
	/* "ip addr replace" clears nodad, and the notifier does not see it. */
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		spin_lock(&ifp->lock);
		ifp->flags |= IFA_F_NODAD;
		spin_unlock(&ifp->lock);
	}
	read_unlock_bh(&idev->lock);
#endif
}

static int carp_open(struct net_device *dev)
{
	struct carp_dev *carp = netdev_priv(dev);

	carp_ipv6_conf(dev);
	if (carp->parent)
		carp_lower_open(carp);
	carp_update(carp);
	return 0;
}

static int carp_stop(struct net_device *dev)
{
	struct carp_dev *carp = netdev_priv(dev);

	/* Not running any more: INIT, with a bow-out if we were MASTER. */
	carp_update(carp);
	if (carp->parent)
		carp_lower_close(carp);
	return 0;
}

static netdev_tx_t carp_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct carp_dev *carp = netdev_priv(dev);
	struct net_device *parent = READ_ONCE(carp->parent);
	unsigned int len = skb->len;
	int rc;

	if (READ_ONCE(carp->state) != CARP_STATE_MASTER || !parent) {
		DEV_STATS_INC(dev, tx_dropped);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	skb->dev = parent;
	/*
	 * Congestion (NET_XMIT_CN) still sent the frame.  net_xmit_eval()
	 * evaluates its argument twice: never pass it the transmit itself.
	 */
	rc = dev_queue_xmit(skb);
	if (!net_xmit_eval(rc))
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		DEV_STATS_INC(dev, tx_dropped);
	return NETDEV_TX_OK;
}

/* carp_changelink() refuses what this refuses, before it changes anything. */
static int carp_change_mtu(struct net_device *dev, int new_mtu)
{
	struct carp_dev *carp = netdev_priv(dev);

	if (!carp_mtu_fits(carp, new_mtu))
		return -EINVAL;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static int carp_get_iflink(const struct net_device *dev)
{
	const struct carp_dev *carp = netdev_priv(dev);
	const struct net_device *parent = READ_ONCE(carp->parent);

	return parent ? parent->ifindex : dev->ifindex;
}

static int carp_dev_init(struct net_device *dev)
{
	struct carp_dev *carp = netdev_priv(dev);

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	/* Only the keyed transform keeps the password from here on. */
	carp->tfm = carp_hmac_alloc(carp->key);
	memzero_explicit(carp->key, sizeof(carp->key));
	if (IS_ERR(carp->tfm)) {
		int err = PTR_ERR(carp->tfm);

		carp->tfm = NULL;
		free_percpu(dev->tstats);
		dev->tstats = NULL;
		return err;
	}
	return 0;
}

/* Unregistration, under RTNL: stop everything that could reach us. */
static void carp_dev_uninit(struct net_device *dev)
{
	struct carp_dev *carp = netdev_priv(dev);

	carp_port_detach(carp);
	carp_state_shutdown(carp);
}

/* After the last reference is gone, without RTNL. */
static void carp_destruct(struct net_device *dev)
{
	struct carp_dev *carp = netdev_priv(dev);

	cancel_work_sync(&carp->event_work);
	cancel_work_sync(&carp->addr6_work);
	kvfree(carp->mc6);
	if (carp->tfm)
		crypto_free_shash(carp->tfm);
	carp_addrs_free(carp);
	free_percpu(dev->tstats);
	pr_debug("%s: interface destroyed\n", dev->name);
}

static const struct net_device_ops carp_netdev_ops = {
	.ndo_init		= carp_dev_init,
	.ndo_uninit		= carp_dev_uninit,
	.ndo_open		= carp_open,
	.ndo_stop		= carp_stop,
	.ndo_start_xmit		= carp_start_xmit,
	.ndo_change_mtu		= carp_change_mtu,
	.ndo_get_iflink		= carp_get_iflink,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_validate_addr	= eth_validate_addr,
};

/**
 * carp_event_queue - announce a state change, in order, from any context
 * @carp: the device, with its lock held
 * @state: the state just entered
 *
 * A MASTER interval shorter than the work's latency is still announced.
 * If more changes pile up than the queue holds, the newest overwrites the
 * last slot, so the final state is always announced.
 */
void carp_event_queue(struct carp_dev *carp, enum carp_state state)
{
	lockdep_assert_held(&carp->lock);
	if (carp->nevents == CARP_EVENTS)
		carp->events[CARP_EVENTS - 1] = state;
	else
		carp->events[carp->nevents++] = state;
	schedule_work(&carp->event_work);
}

static bool carp_event_pop(struct carp_dev *carp, enum carp_state *state)
{
	bool any;

	spin_lock_bh(&carp->lock);
	any = carp->nevents > 0;
	if (any) {
		*state = carp->events[0];
		carp->nevents--;
		memmove(carp->events, carp->events + 1, carp->nevents);
	}
	spin_unlock_bh(&carp->lock);
	return any;
}

/*
 * Announce state changes to userspace: RTM_NEWLINK (which carries the
 * current state in IFLA_CARP_STATE) and a uevent with CARP_STATE and
 * CARP_VHID per change, so a udev rule can act on MASTER or BACKUP.
 */
static void carp_event_work(struct work_struct *work)
{
	struct carp_dev *carp = container_of(work, struct carp_dev, event_work);
	char state_env[32], vhid_env[32];
	char *envp[3] = { state_env, vhid_env, NULL };
	enum carp_state state;

	snprintf(vhid_env, sizeof(vhid_env), "CARP_VHID=%u", carp->vhid);
	/* All that is queued, under one RTNL. */
	rtnl_lock();
	while (carp_event_pop(carp, &state)) {
		/*
		 * A device being deleted is announced by its RTM_DELLINK
		 * and "remove" uevent instead.
		 */
		if (carp->dev->reg_state != NETREG_REGISTERED)
			continue;
		snprintf(state_env, sizeof(state_env), "CARP_STATE=%s",
			 carp_state_name(state));
		netdev_state_change(carp->dev);
		kobject_uevent_env(&carp->dev->dev.kobj, KOBJ_CHANGE, envp);
	}
	rtnl_unlock();
}

void carp_setup(struct net_device *dev)
{
	struct carp_dev *carp = netdev_priv(dev);

	ether_setup(dev);
	dev->netdev_ops = &carp_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = carp_destruct;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	/* Lockless transmit: carp_start_xmit() only hands to the parent. */
	dev->lltx = true;
	/* A carp device lives in its parent's namespace. */
	dev->netns_immutable = true;
	/* Up to what the parent carries: carp_change_mtu() checks. */
	dev->max_mtu = ETH_MAX_MTU;
	dev->sysfs_groups[0] = &carp_attr_group;
	/* The virtual MAC belongs to the vhid; it cannot be changed. */
	dev->addr_assign_type = NET_ADDR_SET;

	carp->dev = dev;
	INIT_LIST_HEAD(&carp->port_node);
	INIT_WORK(&carp->event_work, carp_event_work);
	INIT_WORK(&carp->addr6_work, carp_addr6_work);
	carp_state_init(carp);
	/* No carrier until bound to a parent that has one. */
	netif_carrier_off(dev);
}

/**
 * carp_dev_init_priv - configuration defaults of a new device
 * @carp: its private data
 * @vhid: its vhid, which also gives its MAC
 *
 * Return: 0.
 */
int carp_dev_init_priv(struct carp_dev *carp, u8 vhid)
{
	u8 mac[ETH_ALEN] = { 0x00, 0x00, 0x5e, 0x00, 0x01, vhid };

	carp->vhid = vhid;
	carp->advbase = 1;
	carp->advskew = 0;
	memset(carp->key, 0, sizeof(carp->key));
	/* Random start, then +1 per advertisement, as FreeBSD and ucarp. */
	carp->counter = get_random_u64();
	eth_hw_addr_set(carp->dev, mac);
	return 0;
}
