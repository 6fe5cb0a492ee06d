// SPDX-License-Identifier: GPL-2.0
/*
 * Stacking carp devices on a parent.
 *
 * The first carp device on a parent creates its carp_port and registers
 * the parent's rx handler; the last one removes both.  The rx handler sees
 * every frame the parent receives and applies the ownership rules of the
 * virtual MACs and addresses:
 *
 *  - frames to a virtual MAC are accepted only by that vhid's MASTER (as
 *    frames for this host, on the parent) and dropped everywhere else;
 *  - ARP requests for a virtual address are answered by arp.c alone;
 *  - everything else, advertisements included, passes to the parent.
 *
 * A netdevice notifier follows the parent: link changes re-evaluate every
 * carp device on it, unregistering it deletes them.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <net/rtnetlink.h>

#include "arp.h"
#include "device.h"
#include "port.h"
#include "state.h"

/* 00:00:5e:00:01:xx, the IANA block for VRRP/CARP IPv4 virtual routers. */
static bool carp_is_vmac(const unsigned char *addr)
{
	static const unsigned char prefix[5] = { 0x00, 0x00, 0x5e, 0x00, 0x01 };

	return !memcmp(addr, prefix, sizeof(prefix));
}

static rx_handler_result_t carp_vmac_rx(struct carp_port *port,
					struct sk_buff *skb, u8 vhid)
{
	struct carp_dev *carp = rcu_dereference(port->vhids[vhid]);

	if (!carp)
		return RX_HANDLER_PASS;		/* not ours: another host's */
	if (READ_ONCE(carp->state) != CARP_STATE_MASTER ||
	    !netif_running(carp->dev)) {
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	/*
	 * Delivered on the parent, not on carp0: reverse path filtering then
	 * sees the real ingress device, and replies route as usual.
	 */
	skb->pkt_type = PACKET_HOST;
	dev_sw_netstats_rx_add(carp->dev, skb->len);
	return RX_HANDLER_PASS;
}

rx_handler_result_t carp_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct carp_port *port = carp_port_get_rcu(skb->dev);
	const struct ethhdr *eth = eth_hdr(skb);

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	if (carp_is_vmac(eth->h_dest))
		return carp_vmac_rx(port, skb, eth->h_dest[ETH_ALEN - 1]);
	if (skb->protocol == htons(ETH_P_ARP))
		return carp_arp_rx(port, skb);
	return RX_HANDLER_PASS;
}

/**
 * carp_parent_check - may a carp device with @vhid stack on @parent?
 * @parent: the would-be parent
 * @vhid: the carp device's vhid
 * @extack: for the reason why not
 *
 * Return: 0 or a negative errno with an extack message.
 */
int carp_parent_check(struct net_device *parent, u8 vhid,
		      struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (netif_is_carp(parent)) {
		NL_SET_ERR_MSG(extack, "A carp device cannot be the parent of another");
		return -EINVAL;
	}
	if (parent->type != ARPHRD_ETHER || parent->addr_len != ETH_ALEN ||
	    (parent->flags & IFF_LOOPBACK)) {
		NL_SET_ERR_MSG(extack, "The parent of a carp device must be an Ethernet device");
		return -EINVAL;
	}
	if (carp_port_exists(parent)) {
		if (rtnl_dereference(carp_port_get_rtnl(parent)->vhids[vhid])) {
			NL_SET_ERR_MSG(extack, "This vhid is already used on the parent");
			return -EEXIST;
		}
		return 0;
	}
	if (netdev_is_rx_handler_busy(parent)) {
		NL_SET_ERR_MSG(extack, "The parent is used by another driver (bridge port?)");
		return -EBUSY;
	}
	return 0;
}

static struct carp_port *carp_port_create(struct net_device *parent)
{
	struct carp_port *port;
	int err;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);
	port->dev = parent;
	INIT_LIST_HEAD(&port->carps);
	err = netdev_rx_handler_register(parent, carp_handle_frame, port);
	if (err) {
		kfree(port);
		return ERR_PTR(err);
	}
	return port;
}

static void carp_port_destroy(struct carp_port *port)
{
	/* Waits for readers of rx_handler_data; kfree_rcu covers the rest. */
	netdev_rx_handler_unregister(port->dev);
	kfree_rcu(port, rcu);
}

/**
 * carp_port_attach - bind a registered carp device to its parent
 * @carp: the carp device, not yet bound
 * @parent: checked with carp_parent_check()
 * @extack: for errors
 *
 * Return: 0 or a negative errno.
 */
int carp_port_attach(struct carp_dev *carp, struct net_device *parent,
		     struct netlink_ext_ack *extack)
{
	struct carp_port *port;
	int err;

	ASSERT_RTNL();
	err = carp_parent_check(parent, carp->vhid, extack);
	if (err)
		return err;
	port = carp_port_exists(parent) ? carp_port_get_rtnl(parent) :
					  carp_port_create(parent);
	if (IS_ERR(port))
		return PTR_ERR(port);

	err = netdev_upper_dev_link(parent, carp->dev, extack);
	if (err) {
		if (list_empty(&port->carps))
			carp_port_destroy(port);
		return err;
	}
	netdev_hold(parent, &carp->parent_tracker, GFP_KERNEL);
	carp->parent = parent;
	carp->port = port;
	list_add_tail_rcu(&carp->port_node, &port->carps);
	rcu_assign_pointer(port->vhids[carp->vhid], carp);
	if (netif_running(carp->dev))
		carp_lower_open(carp);
	carp_update(carp);
	return 0;
}

/**
 * carp_port_detach - unbind a carp device from its parent, if bound
 * @carp: the carp device
 */
void carp_port_detach(struct carp_dev *carp)
{
	struct carp_port *port = carp->port;

	ASSERT_RTNL();
	if (!port)
		return;
	if (netif_running(carp->dev))
		carp_lower_close(carp);
	RCU_INIT_POINTER(port->vhids[carp->vhid], NULL);
	list_del_rcu(&carp->port_node);
	netdev_upper_dev_unlink(carp->parent, carp->dev);
	if (list_empty(&port->carps))
		carp_port_destroy(port);
	netdev_put(carp->parent, &carp->parent_tracker);
	carp->parent = NULL;
	carp->port = NULL;
	carp_update(carp);
}

/**
 * carp_lower_open - make the parent receive what an up carp device needs
 * @carp: the carp device, bound and going up
 *
 * The virtual MAC in the parent's unicast filter (or promiscuous mode,
 * which the core falls back to), and membership of 224.0.0.18 so that the
 * IP layer delivers advertisements to us and snooping switches forward them.
 */
void carp_lower_open(struct carp_dev *carp)
{
	struct in_device *in_dev = __in_dev_get_rtnl(carp->parent);

	ASSERT_RTNL();
	if (!dev_uc_add(carp->parent, carp->dev->dev_addr))
		carp->uc_added = true;
	if (in_dev) {
		ip_mc_inc_group(in_dev, CARP_GROUP);
		carp->mc_joined = true;
	}
}

void carp_lower_close(struct carp_dev *carp)
{
	struct in_device *in_dev = __in_dev_get_rtnl(carp->parent);

	ASSERT_RTNL();
	if (carp->uc_added)
		dev_uc_del(carp->parent, carp->dev->dev_addr);
	carp->uc_added = false;
	if (carp->mc_joined && in_dev)
		ip_mc_dec_group(in_dev, CARP_GROUP);
	carp->mc_joined = false;
}

static void carp_port_delete_all(struct carp_port *port)
{
	struct carp_dev *carp, *tmp;
	LIST_HEAD(kill);

	list_for_each_entry_safe(carp, tmp, &port->carps, port_node)
		carp_link_ops.dellink(carp->dev, &kill);
	unregister_netdevice_many(&kill);
}

static int carp_parent_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct carp_port *port;
	struct carp_dev *carp;

	if (!carp_port_exists(dev))
		return NOTIFY_DONE;
	port = carp_port_get_rtnl(dev);

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		list_for_each_entry(carp, &port->carps, port_node)
			carp_update(carp);
		break;
	case NETDEV_UNREGISTER:
		/* Also when the parent leaves for another namespace. */
		carp_port_delete_all(port);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* Our parents stay Ethernet. */
		return NOTIFY_BAD;
	}
	return NOTIFY_DONE;
}

static struct notifier_block carp_parent_notifier = {
	.notifier_call = carp_parent_event,
};

int carp_port_notifier_init(void)
{
	return register_netdevice_notifier(&carp_parent_notifier);
}

void carp_port_notifier_exit(void)
{
	unregister_netdevice_notifier(&carp_parent_notifier);
}
