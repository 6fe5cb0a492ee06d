// SPDX-License-Identifier: GPL-2.0
/*
 * Stacking carp devices on a parent.
 *
 * The first carp device on a parent creates its carp_port and registers
 * the parent's rx handler; the last one removes both.  The rx handler sees
 * every frame the parent receives and applies the ownership rules of the
 * virtual MACs and addresses:
 *
 *  - ARP requests for a virtual address, broadcast or unicast to a virtual
 *    MAC, are answered by arp.c alone, with the virtual MAC;
 *  - Neighbor Solicitations for a virtual IPv6 address go to the MASTER's
 *    carp device, whose neighbour discovery answers (nd.c);
 *  - frames to a virtual MAC are accepted only by that vhid's MASTER and
 *    dropped everywhere else, counted as otherhost drops of the carp
 *    device; see carp_rx_on_carp() for which device they are received on;
 *  - everything else, advertisements included, passes to the parent.
 *
 * A netdevice notifier follows the parent: link changes re-evaluate every
 * carp device on it, unregistering it deletes them.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/rtnetlink.h>
#include <linux/sort.h>
#include <net/addrconf.h>
#include <net/arp.h>
#include <net/rtnetlink.h>

#include "carp.h"

/*
 * Frames a MASTER takes in on carp0 rather than on the parent: ARP replies
 * and Neighbor Advertisements (carp0 resolving a neighbour for traffic
 * sent through it) and IPv4 from a host carp0 itself talks to, i.e. one it
 * has a neighbour entry for (sockets bound to carp0, routes via carp0).
 * Everything else sent to the virtual MAC, above all clients' traffic to the virtual addresses, is
 * received on the parent: reverse path filtering then sees the interface
 * that routes back to the client, and replies route as usual.
 */
static bool carp_rx_on_carp(struct carp_dev *carp, struct sk_buff *skb)
{
	const struct iphdr *iph;

	switch (skb->protocol) {
	case htons(ETH_P_ARP):
		return carp_arp_is_reply(skb);
	case htons(ETH_P_IP):
		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		return __ipv4_neigh_lookup_noref(carp->dev,
						 (__force u32)iph->saddr);
	case htons(ETH_P_IPV6):
		return carp_nd_is_reply(carp, skb);
	default:
		return false;
	}
}

static rx_handler_result_t carp_vmac_rx(struct carp_port *port,
					struct sk_buff *skb, u8 vhid)
{
	struct carp_dev *carp = rcu_dereference(port->vhids[vhid]);

	if (!carp)
		return RX_HANDLER_PASS;		/* not ours: another host's */
	if (READ_ONCE(carp->state) != CARP_STATE_MASTER ||
	    !netif_running(carp->dev)) {
		/*
		 * For the MASTER, on another host.  Counted on the device the
		 * frame is addressed to, as the core counts a VLAN's frame for
		 * another MAC on the VLAN device (ip_rcv_core(): skb->dev).
		 */
		dev_core_stats_rx_otherhost_dropped_inc(carp->dev);
		kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		return RX_HANDLER_CONSUMED;
	}
	skb->pkt_type = PACKET_HOST;
	dev_sw_netstats_rx_add(carp->dev, skb->len);
	if (carp_rx_on_carp(carp, skb)) {
		skb->dev = carp->dev;
		return RX_HANDLER_ANOTHER;
	}
	return RX_HANDLER_PASS;
}

rx_handler_result_t carp_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct carp_port *port = carp_port_get_rcu(skb->dev);
	const unsigned char *dest;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	/*
	 * Tagged for a VLAN that has no device here: not for us, and the
	 * core drops it after us.  (Priority tags, VID 0, are untagged.)
	 */
	if (skb_vlan_tag_present(skb) && skb_vlan_tag_get_id(skb))
		return RX_HANDLER_PASS;
	/* We may pull headers and change skb->dev and pkt_type. */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;

	if (skb->protocol == htons(ETH_P_ARP) &&
	    carp_arp_rx(port, skb) == RX_HANDLER_CONSUMED)
		return RX_HANDLER_CONSUMED;
	if (skb->protocol == htons(ETH_P_IPV6)) {
		rx_handler_result_t res = carp_nd_rx(port, skb);

		if (res != RX_HANDLER_PASS)
			return res;
	}
	dest = eth_hdr(skb)->h_dest;
	if (carp_is_vmac(dest))
		return carp_vmac_rx(port, skb, dest[ETH_ALEN - 1]);
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

	port = kzalloc(sizeof(*port), GFP_KERNEL_ACCOUNT);
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
	WRITE_ONCE(carp->parent, parent);
	rcu_assign_pointer(carp->port, port);
	list_add_tail_rcu(&carp->port_node, &port->carps);
	rcu_assign_pointer(port->vhids[carp->vhid], carp);
	if (carp->dev->mtu > parent->mtu)
		dev_set_mtu(carp->dev, parent->mtu);
	/* Room for whatever the parent puts in front (VLAN tags, ...). */
	carp->dev->needed_headroom = parent->hard_header_len +
				     parent->needed_headroom - ETH_HLEN;
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
	struct carp_port *port = rtnl_dereference(carp->port);
	struct net_device *parent = carp->parent;

	ASSERT_RTNL();
	if (!port)
		return;
	/* A MASTER bows out while it still has a parent to send on. */
	carp_state_stop(carp, "no parent");
	if (netif_running(carp->dev))
		carp_lower_close(carp);
	RCU_INIT_POINTER(port->vhids[carp->vhid], NULL);
	list_del_rcu(&carp->port_node);
	netdev_upper_dev_unlink(parent, carp->dev);
	if (list_empty(&port->carps))
		carp_port_destroy(port);	/* freed after a grace period */
	RCU_INIT_POINTER(carp->port, NULL);
	/* Not pointing at the parent any more when our reference goes. */
	WRITE_ONCE(carp->parent, NULL);
	netdev_put(parent, &carp->parent_tracker);
	carp_update(carp);
}

#if IS_ENABLED(CONFIG_IPV6)
/*
 * The IPv6 groups on the parent: ff02::12 for advertisements and the
 * solicited-node group of every shared address, so that MLD snooping
 * switches forward both.  Joined while @join and the device has IPv6
 * addresses.  What was joined is kept sorted in carp->mc6, duplicates
 * included (memberships are counted, and other users of the same groups
 * keep theirs), so that a change joins and leaves only the difference, in
 * one pass: new groups are joined before old ones are left.
 */
static void carp_mc6_set(struct carp_dev *carp, bool join)
{
	const struct carp_addrs *addrs = carp_addrs_rtnl(carp);
	struct in6_addr *want = NULL, *old = carp->mc6;
	unsigned int n = 0, nold = carp->nmc6, i, j, k;
	struct net_device *parent = carp->parent;
	int c;

	ASSERT_RTNL();
	/* Joined only with a parent, left before it goes: nothing to do. */
	if (!parent)
		return;
	if (join && __in6_dev_get(parent) && addrs && addrs->n6) {
		want = kvmalloc_array(addrs->n6 + 1, sizeof(*want),
				      GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!want)
			return;		/* keep what we have */
		want[n++] = carp_group6;
		for (i = 0; i < addrs->n6; i++)
			addrconf_addr_solict_mult(&addrs->addr6[i], &want[n++]);
		sort(want, n, sizeof(*want), carp_addr6_cmp, NULL);
	}
	for (i = 0, j = 0; i < n || j < nold;) {
		if (i == n)
			c = 1;
		else if (j == nold)
			c = -1;
		else
			c = carp_addr6_cmp(&want[i], &old[j]);
		if (c > 0) {
			ipv6_dev_mc_dec(parent, &old[j++]);
			continue;
		}
		/* A group we could not join is not ours to leave later. */
		if (c < 0 && ipv6_dev_mc_inc(parent, &want[i]))
			want[i] = in6addr_any;
		i++;
		j += !c;
	}
	for (i = 0, k = 0; i < n; i++)
		if (!ipv6_addr_any(&want[i]))
			want[k++] = want[i];
	kvfree(carp->mc6);
	carp->mc6 = k ? want : NULL;
	carp->nmc6 = k;
	if (!k)
		kvfree(want);
}

/* The parent lost its inet6_dev, and our memberships with it. */
static void carp_mc6_forget(struct carp_dev *carp)
{
	kvfree(carp->mc6);
	carp->mc6 = NULL;
	carp->nmc6 = 0;
}
#else
static void carp_mc6_set(struct carp_dev *carp, bool join)
{
}

static void carp_mc6_forget(struct carp_dev *carp)
{
}
#endif

/**
 * carp_mc6_sync - follow a change of a carp device's IPv6 addresses
 * @carp: the device, under RTNL
 */
void carp_mc6_sync(struct carp_dev *carp)
{
	carp_mc6_set(carp, carp->parent && netif_running(carp->dev));
}

/**
 * carp_lower_open - make the parent receive what an up carp device needs
 * @carp: the carp device, bound and going up
 *
 * The virtual MAC in the parent's unicast filter (or promiscuous mode,
 * which the core falls back to), and membership of 224.0.0.18 (and of the
 * IPv6 groups, see carp_mc6_set()) so that the IP layer delivers
 * advertisements to us and snooping switches forward them.
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
	carp_mc6_set(carp, true);
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
	carp_mc6_set(carp, false);
}

/*
 * The parent goes away: delete every carp device on it.  ->dellink takes
 * each off the port (the last one frees it), so @port must not be touched
 * after the last call.
 */
static void carp_port_delete_all(struct carp_port *port)
{
	struct carp_dev *carp;
	LIST_HEAD(kill);
	bool last;

	if (WARN_ON_ONCE(list_empty(&port->carps)))
		return;
	do {
		carp = list_first_entry(&port->carps, struct carp_dev, port_node);
		last = list_is_singular(&port->carps);
		carp_link_ops.dellink(carp->dev, &kill);
	} while (!last);
	unregister_netdevice_many(&kill);
}

/*
 * The parent's MTU changed.  A carp device may not exceed it.  And below
 * 68 bytes the parent loses its in_device, with our 224.0.0.18
 * memberships (below 1280 its inet6_dev, with the IPv6 ones); back above,
 * inetdev's notifier (registered before ours, so it has run) makes a new
 * one without them.  Each change reaches us, so memberships are
 * forgotten when the in_device is gone and made again when it is back; a
 * plain MTU change touches nothing else.  (A carp device that had to go
 * below 1280 itself lost its IPv6 addresses; its MTU is not raised again.)
 */
static void carp_port_mtu_changed(struct carp_port *port)
{
	struct in_device *in_dev = __in_dev_get_rtnl(port->dev);
	struct carp_dev *carp;

	list_for_each_entry(carp, &port->carps, port_node) {
		if (carp->dev->mtu > port->dev->mtu)
			dev_set_mtu(carp->dev, port->dev->mtu);
		if (!in_dev) {
			carp->mc_joined = false;
		} else if (netif_running(carp->dev) && !carp->mc_joined) {
			ip_mc_inc_group(in_dev, CARP_GROUP);
			carp->mc_joined = true;
		}
		/* Below 1280 bytes IPv6 goes the same way. */
		if (!__in6_dev_get(port->dev))
			carp_mc6_forget(carp);
		else if (!carp->nmc6)
			carp_mc6_sync(carp);
	}
}

static int carp_parent_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct carp_port *port;
	struct carp_dev *carp;

	/* A carp device's own inet6_dev, made anew: see carp_ipv6_conf(). */
	if (netif_is_carp(dev) && event == NETDEV_CHANGEMTU)
		carp_ipv6_conf(dev);
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
	case NETDEV_CHANGEMTU:
		carp_port_mtu_changed(port);
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
