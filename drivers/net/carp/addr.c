// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual addresses: whatever IPv4 addresses the administrator puts on
 * a carp device with "ip addr".  An inetaddr notifier keeps an RCU snapshot
 * of them, sorted for the HMAC, for the softirq paths (advertisements, ARP).
 *
 * Two more duties fall to the notifier:
 *
 *  - Addresses on a carp device get no prefix route.  The subnet is reached
 *    through the parent, whose route would otherwise compete with one via
 *    carp0, and carp0 drops what it is asked to send while BACKUP.  The
 *    address is marked noprefixroute before the FIB notifier (priority 0)
 *    sees it, so "ip addr" shows what happened.
 *  - A carp device created without "link" binds to the interface that has
 *    an IPv4 address in the subnet of its first address, as a BSD carp
 *    interface does.
 */

#include <linux/inetdevice.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <linux/rtnetlink.h>

#include "carp.h"
#include "hmac.h"

/*
 * The device's live IPv6 addresses into @addrs (room for @max), counted.
 * addrconf_ifdown() notifies an address's removal while it is still
 * listed, already DEAD.
 */
static unsigned int carp_addrs6_collect(struct net_device *dev, struct in6_addr *addrs,
					unsigned int max)
{
	unsigned int n = 0;
#if IS_ENABLED(CONFIG_IPV6)
	struct inet6_dev *idev = __in6_dev_get(dev);
	const struct inet6_ifaddr *ifp;

	if (!idev)
		return 0;
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		if (ifp->state == INET6_IFADDR_STATE_DEAD)
			continue;
		if (addrs && n < max)
			addrs[n] = ifp->addr;
		n++;
	}
	read_unlock_bh(&idev->lock);
#endif
	return addrs ? min(n, max) : n;
}

/* Does the device hold an IPv6 address?  Under RTNL. */
bool carp_has_addrs6(struct net_device *dev)
{
	return carp_addrs6_collect(dev, NULL, 0) > 0;
}

/**
 * carp_addrs_refresh - take a new snapshot of a carp device's addresses
 * @carp: the device
 *
 * Under RTNL: every IPv4 address, then every live IPv6 address.
 *
 * Return: 0 or -ENOMEM (the old snapshot then stays).
 */
int carp_addrs_refresh(struct carp_dev *carp)
{
	struct in_device *in_dev = __in_dev_get_rtnl(carp->dev);
	unsigned int n = 0, n6;
	struct carp_addrs *addrs, *old;
	const struct in_ifaddr *ifa;

	ASSERT_RTNL();
	if (in_dev)
		in_dev_for_each_ifa_rtnl(ifa, in_dev)
			n++;
	n6 = carp_addrs6_collect(carp->dev, NULL, 0);
	addrs = kvzalloc(struct_size(addrs, addr, n) + n6 * sizeof(struct in6_addr),
			 GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!addrs)
		return -ENOMEM;
	if (in_dev)
		in_dev_for_each_ifa_rtnl(ifa, in_dev)
			addrs->addr[addrs->n++] = ifa->ifa_local;
	addrs->n = carp_addrs_normalize(addrs->addr, addrs->n);
	addrs->addr6 = (struct in6_addr *)&addrs->addr[n];
	addrs->n6 = carp_addrs6_collect(carp->dev, addrs->addr6, n6);
	addrs->n6 = carp_addrs6_normalize(addrs->addr6, addrs->n6);
	addrs->vips.v4 = addrs->addr;
	addrs->vips.n4 = addrs->n;
	addrs->vips.v6 = addrs->addr6;
	addrs->vips.n6 = addrs->n6;

	/* Readers hash under carp->lock; keep key and addresses consistent. */
	spin_lock_bh(&carp->lock);
	old = rcu_replace_pointer(carp->addrs, addrs, lockdep_rtnl_is_held());
	spin_unlock_bh(&carp->lock);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

void carp_addrs_free(struct carp_dev *carp)
{
	kvfree(rcu_dereference_protected(carp->addrs, true));
	RCU_INIT_POINTER(carp->addrs, NULL);
}

/* The non-carp device holding an address in @ifa's subnet, if any. */
static struct net_device *carp_find_parent(struct net *net,
					   const struct in_ifaddr *ifa)
{
	const struct in_ifaddr *other;
	struct net_device *dev;

	for_each_netdev(net, dev) {
		struct in_device *in_dev = __in_dev_get_rtnl(dev);

		if (netif_is_carp(dev) || !in_dev)
			continue;
		in_dev_for_each_ifa_rtnl(other, in_dev)
			if (!((other->ifa_local ^ ifa->ifa_local) & ifa->ifa_mask))
				return dev;
	}
	return NULL;
}

static void carp_autobind(struct carp_dev *carp, const struct in_ifaddr *ifa)
{
	struct net_device *parent = carp_find_parent(dev_net(carp->dev), ifa);
	int err;

	struct net *net = dev_net(carp->dev);

	/* Any user namespace can loop on this: the log is rate limited. */
	if (!parent) {
		if (carp_log_ok(net, 1))
			netdev_info(carp->dev, "no interface in the subnet of %pI4/%u, staying unbound\n",
				    &ifa->ifa_local, ifa->ifa_prefixlen);
		return;
	}
	err = carp_port_attach(carp, parent, NULL);
	if (err && carp_log_ok(net, 1))
		netdev_warn(carp->dev, "cannot bind to %s: %d\n", parent->name, err);
	else if (!err && carp_log_ok(net, 2))
		netdev_info(carp->dev, "bound to %s\n", parent->name);
}

static int carp_inetaddr_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct in_ifaddr *ifa = ptr;
	struct net_device *dev = ifa->ifa_dev->dev;
	struct carp_dev *carp;

	if (!netif_is_carp(dev))
		return NOTIFY_DONE;
	carp = netdev_priv(dev);

	switch (event) {
	case NETDEV_UP:
		ifa->ifa_flags |= IFA_F_NOPREFIXROUTE;
		carp_addrs_refresh(carp);
		if (!carp->parent)
			carp_autobind(carp, ifa);
		carp_update(carp);
		break;
	case NETDEV_DOWN:
		/*
		 * State first: a MASTER losing its last address bows out
		 * with an HMAC over the addresses its peers still hold.
		 */
		carp_update(carp);
		carp_addrs_refresh(carp);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block carp_inetaddr_notifier = {
	.notifier_call = carp_inetaddr_event,
	.priority = 1,		/* before the FIB adds a prefix route */
};

/*
 * IPv6 addresses are shared like IPv4 ones.  Every host of the group holds
 * them, so Duplicate Address Detection would fail them all but one: they
 * are marked nodad as they are added (before addrconf starts DAD).  Their
 * prefix route via the carp device, which addrconf adds from the request
 * and not from the address, gets the worst metric, so that the parent's
 * route to the subnet wins.
 *
 * The inet6addr chain is atomic, and RA autoconfiguration calls it from
 * softirq without RTNL (carp devices have it off, but the administrator
 * may turn it on): the rest, which needs RTNL, runs from a work item.
 */
static int carp_inet6addr_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	struct inet6_ifaddr *ifp = ptr;
	struct net_device *dev = ifp->idev->dev;

	if (!netif_is_carp(dev) || (event != NETDEV_UP && event != NETDEV_DOWN))
		return NOTIFY_DONE;
	if (event == NETDEV_UP) {
		spin_lock_bh(&ifp->lock);
		ifp->flags |= IFA_F_NODAD;
		if (!ifp->rt_priority)
			WRITE_ONCE(ifp->rt_priority, CARP_ADDR6_METRIC);
		spin_unlock_bh(&ifp->lock);
	}
	schedule_work(&((struct carp_dev *)netdev_priv(dev))->addr6_work);
	return NOTIFY_DONE;
}

/**
 * carp_addr6_work - act on IPv6 address changes of a carp device
 * @work: carp_dev.addr6_work
 *
 * Cancelled only by the destructor, which runs without RTNL after
 * unregistration: a device found unregistered here is left alone.
 */
void carp_addr6_work(struct work_struct *work)
{
	struct carp_dev *carp = container_of(work, struct carp_dev, addr6_work);

	rtnl_lock();
	if (carp->dev->reg_state == NETREG_REGISTERED) {
		/*
		 * As for IPv4: a MASTER losing its last address bows out
		 * with an HMAC over the addresses its peers still hold.
		 */
		if (!carp_has_addrs6(carp->dev))
			carp_update(carp);
		carp_addrs_refresh(carp);
		carp_mc6_sync(carp);
		carp_update(carp);
	}
	rtnl_unlock();
}

static struct notifier_block carp_inet6addr_notifier = {
	.notifier_call = carp_inet6addr_event,
};

/*
 * No link-local address on a carp device: every host of the group would
 * hold it, addrconf would derive one from the virtual MAC if it ever
 * configured the device (an inet6_dev made anew after an MTU below 1280,
 * a stable_secret written to "default"), and OpenBSD hashes such
 * addresses differently.  Refused here, with the reason, before addrconf
 * adds it; the BSDs' shared IPv6 addresses are global ones.
 */
static int carp_inet6addr_validate(struct notifier_block *nb, unsigned long event,
				   void *ptr)
{
	struct in6_validator_info *i6vi = ptr;

	if (event != NETDEV_UP || !netif_is_carp(i6vi->i6vi_dev->dev) ||
	    !(ipv6_addr_type(&i6vi->i6vi_addr) & IPV6_ADDR_LINKLOCAL))
		return NOTIFY_DONE;
	NL_SET_ERR_MSG(i6vi->extack,
		       "A carp device cannot share a link-local address: every host would have it");
	return notifier_from_errno(-EADDRNOTAVAIL);
}

static struct notifier_block carp_inet6addr_validator = {
	.notifier_call = carp_inet6addr_validate,
};

int carp_addr_notifier_init(void)
{
	int err = register_inetaddr_notifier(&carp_inetaddr_notifier);

	if (err)
		return err;
	err = register_inet6addr_notifier(&carp_inet6addr_notifier);
	if (err)
		goto err_v4;
	err = register_inet6addr_validator_notifier(&carp_inet6addr_validator);
	if (err)
		goto err_v6;
	return 0;
err_v6:
	unregister_inet6addr_notifier(&carp_inet6addr_notifier);
err_v4:
	unregister_inetaddr_notifier(&carp_inetaddr_notifier);
	return err;
}

void carp_addr_notifier_exit(void)
{
	unregister_inet6addr_validator_notifier(&carp_inet6addr_validator);
	unregister_inet6addr_notifier(&carp_inet6addr_notifier);
	unregister_inetaddr_notifier(&carp_inetaddr_notifier);
}
