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
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/ndisc.h>
#include <net/ip6_checksum.h>

#include "carp.h"
#include "hmac.h"

const struct in6_addr carp_group6 = CARP_GROUP6_INIT;

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

#if IS_ENABLED(CONFIG_IPV6)
/**
 * carp_parent_addr6 - the parent's own IPv6 address to advertise from
 * @parent: a carp parent
 * @saddr: the address, if there is one
 *
 * Its first usable link-local address, as the BSDs send from, else its
 * first usable global one; never an address of another device.
 *
 * Return: whether the parent has one.
 */
static bool carp_parent_addr6(struct net_device *parent, struct in6_addr *saddr)
{
	const struct inet6_ifaddr *ifp;
	struct inet6_dev *idev;
	bool found = false;

	idev = __in6_dev_get(parent);
	if (!idev)
		return false;
	read_lock_bh(&idev->lock);
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		if (ifp->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED) ||
		    ifp->state == INET6_IFADDR_STATE_DEAD)
			continue;
		if (ipv6_addr_type(&ifp->addr) & IPV6_ADDR_LINKLOCAL) {
			*saddr = ifp->addr;
			found = true;
			break;
		}
		if (!found) {
			*saddr = ifp->addr;
			found = true;
		}
	}
	read_unlock_bh(&idev->lock);
	return found;
}

static void carp_fill_ip6hdr(struct sk_buff *skb, const struct in6_addr *saddr,
			     const struct in6_addr *daddr, u8 nexthdr,
			     unsigned int len)
{
	struct ipv6hdr *ip6h;

	skb_reset_network_header(skb);
	ip6h = skb_put(skb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(len);
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = CARP_TTL;
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
}
#endif

static int carp_fill_carphdr(struct carp_dev *carp, struct sk_buff *skb,
			     const struct carp_addrs *addrs, u8 advbase, u8 advskew)
{
	struct carp_advert adv = {
		.vhid = carp->vhid,
		.advbase = advbase,
		.advskew = advskew,
		.counter = carp->counter,
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

/* An skb for @len bytes of IP packet on the parent, or NULL. */
static struct sk_buff *carp_alloc_skb(struct net_device *parent, __be16 proto,
				      unsigned int len)
{
	struct sk_buff *skb;

	skb = alloc_skb(LL_RESERVED_SPACE(parent) + len + parent->needed_tailroom,
			GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_RESERVED_SPACE(parent));
	skb->dev = parent;
	skb->protocol = proto;
	skb->priority = TC_PRIO_CONTROL;
	return skb;
}

static struct sk_buff *carp_build_advert(struct carp_dev *carp, bool v6,
					 u8 advbase, u8 advskew)
{
	const struct carp_addrs *addrs = rcu_dereference(carp->addrs);
	struct net_device *parent = carp->parent;
	unsigned int len = sizeof(struct carp_hdr);
	__be16 proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	unsigned char dmac[ETH_ALEN];
	struct sk_buff *skb;

	len += v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	skb = carp_alloc_skb(parent, proto, len);
	if (!skb)
		return NULL;
	if (!v6) {
		carp_fill_iphdr(skb, parent, addrs && addrs->n ? addrs->addr[0] : 0);
		ip_eth_mc_map(CARP_GROUP, dmac);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		struct in6_addr saddr;

		/*
		 * A parent without a usable IPv6 address of its own (IPv6
		 * off, its link-local one failed DAD): from the first shared
		 * address, which only a MASTER sends, rather than not at all.
		 */
		if (!carp_parent_addr6(parent, &saddr)) {
			if (!addrs || !addrs->n6)
				goto drop;
			saddr = addrs->addr6[0];
		}
		carp_fill_ip6hdr(skb, &saddr, &carp_group6, IPPROTO_CARP,
				 sizeof(struct carp_hdr));
		ipv6_eth_mc_map(&carp_group6, dmac);
#else
		goto drop;
#endif
	}
	if (carp_fill_carphdr(carp, skb, addrs, advbase, advskew))
		goto drop;
	if (dev_hard_header(skb, parent, ntohs(proto), dmac, carp->dev->dev_addr,
			    skb->len) < 0)
		goto drop;
	return skb;
drop:
	kfree_skb(skb);
	return NULL;
}

/*
 * Three failed rounds of advertisements in a row suppress preemption
 * host-wide (a demotion by net.carp.senderr_demotion_factor), three good
 * ones lift it again (FreeBSD's CARP_SENDAD_MAX_ERRORS/MIN_SUCCESS).  A
 * round fails if any of its packets (one per address family) could not be
 * sent.
 */
static void carp_account_round(struct carp_dev *carp, bool ok)
{
	if (ok) {
		carp->send_errors = 0;
		if (carp->send_suppressing && ++carp->send_ok >= 3) {
			carp->send_suppressing = false;
			carp_suppress_end(carp->dev, carp->send_demotion, "send ok");
			carp->send_demotion = 0;
		}
	} else {
		carp->send_ok = 0;
		if (!carp->send_suppressing && ++carp->send_errors >= 3) {
			carp->send_suppressing = true;
			carp->send_demotion = carp_suppress_begin(carp->dev,
								  CARP_SUPPRESS_SENDERR);
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
		carp_suppress_end(carp->dev, carp->send_demotion, "no longer sending");
		carp->send_demotion = 0;
	}
}

/* Queue @skb on the parent: 0, or a negative errno. */
static int carp_xmit(struct sk_buff *skb)
{
	/* net_xmit_eval() evaluates its argument twice. */
	int rc = dev_queue_xmit(skb);

	/* Congestion (NET_XMIT_CN) still sent the packet. */
	rc = net_xmit_eval(rc);
	return rc > 0 ? -ENOBUFS : rc;
}

static int carp_send_one(struct carp_dev *carp, bool v6, u8 advbase, u8 advskew)
{
	enum carp_stat stat = CARP_STAT_OERRORS;
	struct sk_buff *skb;
	int err = -ENOBUFS;

	rcu_read_lock();
	skb = carp_build_advert(carp, v6, advbase, advskew);
	rcu_read_unlock();
	if (skb)
		err = carp_xmit(skb);
	if (!err)
		stat = v6 ? CARP_STAT_OPACKETS6 : CARP_STAT_OPACKETS;
	carp_dev_stat_inc(carp, stat);
	carp_net_stat_inc(dev_net(carp->dev), stat);
	return err;
}

/**
 * carp_send_advert - send one advertisement per address family on the parent
 * @carp: the device, with its lock held
 * @advbase: the advbase to put in the packet (255 to bow out)
 * @advskew: the advskew to put in the packet
 *
 * An IPv4 advertisement if the device has IPv4 addresses (or none at all),
 * an IPv6 one if it has IPv6 addresses, in that order, as the BSDs send
 * them.  Both carry the same counter, as OpenBSD's do (FreeBSD counts per
 * packet; nobody checks): a looped advertisement of ours is recognised by
 * it whichever family it came in.
 *
 * Return: 0 or the first negative errno; failures are also counted.
 */
int carp_send_advert(struct carp_dev *carp, u8 advbase, u8 advskew)
{
	const struct carp_addrs *addrs;
	bool v4, v6;
	int err = 0;

	lockdep_assert_held(&carp->lock);
	if (!carp->parent)
		return -ENODEV;
	rcu_read_lock();
	addrs = rcu_dereference(carp->addrs);
	v6 = IS_ENABLED(CONFIG_IPV6) && addrs && addrs->n6;
	v4 = !v6 || addrs->n;
	rcu_read_unlock();
	carp->counter++;
	if (v4)
		err = carp_send_one(carp, false, advbase, advskew);
	if (v6) {
		int err6 = carp_send_one(carp, true, advbase, advskew);

		err = err ?: err6;
	}
	carp_account_round(carp, !err);
	return err;
}

#if IS_ENABLED(CONFIG_IPV6)
/*
 * An unsolicited Neighbor Advertisement for @addr to all nodes: override
 * flag, the virtual MAC as target link-layer address and Ethernet source.
 * Built here because ndisc_send_na() is not exported.
 */
static void carp_send_na(struct carp_dev *carp, const struct in6_addr *addr)
{
	struct net_device *parent = carp->parent;
	unsigned int len = sizeof(struct nd_msg) + ndisc_opt_addr_space(parent,
							NDISC_NEIGHBOUR_ADVERTISEMENT);
	unsigned char dmac[ETH_ALEN];
	struct inet6_dev *idev;
	struct sk_buff *skb;
	struct nd_msg *msg;
	u8 *opt;

	skb = carp_alloc_skb(parent, htons(ETH_P_IPV6), sizeof(struct ipv6hdr) + len);
	if (!skb)
		return;
	carp_fill_ip6hdr(skb, addr, &in6addr_linklocal_allnodes, IPPROTO_ICMPV6, len);
	skb_set_transport_header(skb, skb->len);
	msg = skb_put_zero(skb, len);
	msg->icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	msg->icmph.icmp6_override = 1;
	idev = __in6_dev_get(carp->dev);
	msg->icmph.icmp6_router = idev && READ_ONCE(idev->cnf.forwarding);
	msg->target = *addr;
	opt = (u8 *)(msg + 1);
	opt[0] = ND_OPT_TARGET_LL_ADDR;
	opt[1] = (len - sizeof(*msg)) >> 3;
	memcpy(opt + 2, carp->dev->dev_addr, ETH_ALEN);
	msg->icmph.icmp6_cksum = csum_ipv6_magic(addr, &in6addr_linklocal_allnodes,
						 len, IPPROTO_ICMPV6,
						 csum_partial(msg, len, 0));
	ipv6_eth_mc_map(&in6addr_linklocal_allnodes, dmac);
	if (dev_hard_header(skb, parent, ETH_P_IPV6, dmac, carp->dev->dev_addr,
			    skb->len) < 0) {
		kfree_skb(skb);
		return;
	}
	carp_xmit(skb);
}
#endif

/**
 * carp_send_garp - announce every address of a new MASTER
 * @carp: the device, with its lock held
 *
 * ARP requests with sender and target both the address and the virtual
 * MAC as sender hardware address and Ethernet source, so neighbours and
 * switches move the address to us; for IPv6 addresses, unsolicited
 * Neighbor Advertisements that override what neighbours had.
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
#if IS_ENABLED(CONFIG_IPV6)
	for (i = 0; addrs && i < addrs->n6; i++)
		carp_send_na(carp, &addrs->addr6[i]);
#endif
	rcu_read_unlock();
}
