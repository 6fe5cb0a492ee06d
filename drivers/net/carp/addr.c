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
#include <linux/rtnetlink.h>

#include "carp.h"
#include "hmac.h"

/**
 * carp_addrs_refresh - take a new snapshot of a carp device's addresses
 * @carp: the device
 *
 * Return: 0 or -ENOMEM (the old snapshot then stays).
 */
int carp_addrs_refresh(struct carp_dev *carp)
{
	struct in_device *in_dev = __in_dev_get_rtnl(carp->dev);
	struct carp_addrs *addrs, *old;
	const struct in_ifaddr *ifa;
	unsigned int n = 0;

	ASSERT_RTNL();
	if (in_dev)
		in_dev_for_each_ifa_rtnl(ifa, in_dev)
			n++;
	addrs = kzalloc(struct_size(addrs, addr, n), GFP_KERNEL_ACCOUNT);
	if (!addrs)
		return -ENOMEM;
	if (in_dev)
		in_dev_for_each_ifa_rtnl(ifa, in_dev)
			addrs->addr[addrs->n++] = ifa->ifa_local;
	addrs->n = carp_addrs_normalize(addrs->addr, addrs->n);
	addrs->vips.v4 = addrs->addr;
	addrs->vips.n4 = addrs->n;

	/* Readers hash under carp->lock; keep key and addresses consistent. */
	spin_lock_bh(&carp->lock);
	old = rcu_replace_pointer(carp->addrs, addrs, lockdep_rtnl_is_held());
	spin_unlock_bh(&carp->lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

void carp_addrs_free(struct carp_dev *carp)
{
	kfree(rcu_dereference_protected(carp->addrs, true));
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

int carp_addr_notifier_init(void)
{
	return register_inetaddr_notifier(&carp_inetaddr_notifier);
}

void carp_addr_notifier_exit(void)
{
	unregister_inetaddr_notifier(&carp_inetaddr_notifier);
}
