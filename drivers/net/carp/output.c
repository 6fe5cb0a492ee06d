// SPDX-License-Identifier: GPL-2.0
/*
 * Advertisements and gratuitous ARP.
 *
 * Advertisements are built whole and queued on the parent, the way bonding
 * sends its ARP probes: no route or neighbour lookup is involved, the
 * Ethernet source is the virtual MAC (which keeps switch FDBs pointing at
 * the MASTER, as FreeBSD does) and the destination the 224.0.0.18 group MAC.
 * Exactly 36 bytes of payload: some receivers checksum the whole payload.
 */

#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/if_arp.h>
#include <net/arp.h>
#include <net/ip.h>

#include "carp.h"
#include "hmac.h"

/**
 * carp_parent_addr - the parent's own IPv4 address to speak to @dst from
 * @parent: a carp parent
 * @dst: a virtual address, or a neighbour the parent resolves
 *
 * The parent's primary address in @dst's subnet if it has one, else its
 * first primary address of link or global scope; never an address of
 * another device (which inet_select_addr() falls back to, and which could
 * be a virtual address).  The source of advertisements: no BSD checks it,
 * but ucarp breaks ties with it, so it must be real and on the LAN.
 *
 * Return: the address, or 0 if the parent has none.
 */
__be32 carp_parent_addr(struct net_device *parent, __be32 dst)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	__be32 addr = 0;

	rcu_read_lock();
	in_dev = __in_dev_get_rcu(parent);
	if (in_dev) {
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			if ((ifa->ifa_flags & IFA_F_SECONDARY) ||
			    ifa->ifa_scope > RT_SCOPE_LINK)
				continue;
			if (!((ifa->ifa_local ^ dst) & ifa->ifa_mask)) {
				addr = ifa->ifa_local;
				break;
			}
			if (!addr)
				addr = ifa->ifa_local;
		}
	}
	rcu_read_unlock();
	return addr;
}

static void carp_fill_iphdr(struct sk_buff *skb, struct net_device *parent,
			    __be32 vip)
{
	struct iphdr *iph;

	skb_reset_network_header(skb);
	iph = skb_put(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = CARP_TOS;
	iph->tot_len = htons(sizeof(*iph) + sizeof(struct carp_hdr));
	iph->frag_off = htons(IP_DF);
	iph->ttl = CARP_TTL;
	iph->protocol = IPPROTO_CARP;
	iph->saddr = carp_parent_addr(parent, vip);
	iph->daddr = CARP_GROUP;
	ip_select_ident(dev_net(parent), skb, NULL);
	ip_send_check(iph);
}

static int carp_fill_carphdr(struct carp_dev *carp, struct sk_buff *skb,
			     const struct carp_addrs *addrs, u8 advbase, u8 advskew)
{
	struct carp_advert adv = {
		.vhid = carp->vhid,
		.advbase = advbase,
		.advskew = advskew,
		.counter = ++carp->counter,
	};
	int err;

	skb_set_transport_header(skb, skb->len);
	err = carp_hmac_digest(carp->tfm, carp->vhid, addrs ? &addrs->vips : NULL,
			       CARP_HMAC_ORIG, adv.counter, adv.md);
	if (err)
		return err;
	carp_hdr_encode(skb_put(skb, sizeof(struct carp_hdr)), &adv);
	return 0;
}

static struct sk_buff *carp_build_advert(struct carp_dev *carp, u8 advbase,
					 u8 advskew)
{
	const struct carp_addrs *addrs = rcu_dereference(carp->addrs);
	struct net_device *parent = carp->parent;
	unsigned char dmac[ETH_ALEN];
	struct sk_buff *skb;

	skb = alloc_skb(LL_RESERVED_SPACE(parent) + sizeof(struct iphdr) +
			sizeof(struct carp_hdr) + parent->needed_tailroom,
			GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_RESERVED_SPACE(parent));
	skb->dev = parent;
	skb->protocol = htons(ETH_P_IP);
	skb->priority = TC_PRIO_CONTROL;

	carp_fill_iphdr(skb, parent, addrs && addrs->n ? addrs->addr[0] : 0);
	if (carp_fill_carphdr(carp, skb, addrs, advbase, advskew))
		goto drop;
	ip_eth_mc_map(CARP_GROUP, dmac);
	if (dev_hard_header(skb, parent, ETH_P_IP, dmac, carp->dev->dev_addr,
			    skb->len) < 0)
		goto drop;
	return skb;
drop:
	kfree_skb(skb);
	return NULL;
}

/*
 * Three failed sends in a row suppress preemption host-wide, three good
 * ones lift it again (FreeBSD's CARP_SENDAD_MAX_ERRORS/MIN_SUCCESS).
 */
static void carp_account_send(struct carp_dev *carp, bool ok)
{
	struct net *net = dev_net(carp->dev);

	carp_dev_stat_inc(carp, ok ? CARP_STAT_OPACKETS : CARP_STAT_OERRORS);
	carp_net_stat_inc(net, ok ? CARP_STAT_OPACKETS : CARP_STAT_OERRORS);
	if (ok) {
		carp->send_errors = 0;
		if (carp->send_suppressing && ++carp->send_ok >= 3) {
			carp->send_suppressing = false;
			carp_suppress_adjust(net, -1);
		}
	} else {
		carp->send_ok = 0;
		if (!carp->send_suppressing && ++carp->send_errors >= 3) {
			carp->send_suppressing = true;
			carp_suppress_adjust(net, 1);
		}
	}
}

/**
 * carp_send_reset - forget the send errors of a device that stops sending
 * @carp: the device, with its lock held
 *
 * A BACKUP never sends, so the three good sends that would lift a
 * suppression of preemption would never come: leaving MASTER gives it back.
 */
void carp_send_reset(struct carp_dev *carp)
{
	lockdep_assert_held(&carp->lock);
	carp->send_errors = 0;
	carp->send_ok = 0;
	if (carp->send_suppressing) {
		carp->send_suppressing = false;
		carp_suppress_adjust(dev_net(carp->dev), -1);
	}
}

/**
 * carp_send_advert - send one advertisement on the parent
 * @carp: the device, with its lock held
 * @advbase: the advbase to put in the packet (255 to bow out)
 * @advskew: the advskew to put in the packet
 *
 * Return: 0 or a negative errno; failures are also counted.
 */
int carp_send_advert(struct carp_dev *carp, u8 advbase, u8 advskew)
{
	struct sk_buff *skb;
	int err = -ENOBUFS;

	lockdep_assert_held(&carp->lock);
	if (!carp->parent)
		return -ENODEV;
	rcu_read_lock();
	skb = carp_build_advert(carp, advbase, advskew);
	rcu_read_unlock();
	if (skb) {
		/* net_xmit_eval() evaluates its argument twice. */
		int rc = dev_queue_xmit(skb);

		/* Congestion (NET_XMIT_CN) still sent the packet. */
		err = net_xmit_eval(rc);
	}
	carp_account_send(carp, !err);
	return err > 0 ? -ENOBUFS : err;
}

/**
 * carp_send_garp - announce every address of a new MASTER
 * @carp: the device, with its lock held
 *
 * ARP requests with sender and target both the address and the virtual
 * MAC as sender hardware address and Ethernet source, so neighbours and
 * switches move the address to us.
 */
void carp_send_garp(struct carp_dev *carp)
{
	struct carp_addrs *addrs;
	unsigned int i;

	lockdep_assert_held(&carp->lock);
	if (!carp->parent)
		return;
	rcu_read_lock();
	addrs = rcu_dereference(carp->addrs);
	for (i = 0; addrs && i < addrs->n; i++)
		if (!carp_arp_shared(carp, addrs->addr[i]))
			arp_send(ARPOP_REQUEST, ETH_P_ARP, addrs->addr[i], carp->parent,
				 addrs->addr[i], NULL, carp->dev->dev_addr, NULL);
	rcu_read_unlock();
}
