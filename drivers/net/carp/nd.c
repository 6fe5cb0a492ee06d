// SPDX-License-Identifier: GPL-2.0
/*
 * Who answers Neighbor Solicitations for a shared IPv6 address.
 *
 * Neighbour discovery looks a solicitation's target up on the receiving
 * device alone, so a parent never answers for an address of a carp device
 * stacked on it.  The MASTER's carp device must: every solicitation for a
 * shared address that arrives on a carp parent, to the solicited-node group
 * or unicast to the virtual MAC (reachability confirmation), is handed to
 * the carp device holding the address while it is MASTER, and its
 * neighbour discovery answers from the virtual MAC (with the override flag
 * and the virtual MAC as target link-layer address when the solicitation
 * was multicast).  On every other host the solicitation is dropped.
 *
 * Duplicate Address Detection is the same case: the MASTER defends the
 * address against a host that probes for it, a BACKUP stays silent, and
 * the carp devices' own addresses are never probed (addr.c marks them
 * nodad).
 */

#include <linux/bsearch.h>
#include <linux/etherdevice.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "carp.h"

/*
 * Is @addr one of the device's IPv6 addresses?  Under rcu_read_lock().
 * The snapshot is sorted (carp_addrs6_normalize()); no link-local
 * address, whose scope bytes it clears, is ever among them.
 */
bool carp_has_addr6(const struct carp_dev *carp, const struct in6_addr *addr)
{
	const struct carp_addrs *addrs = rcu_dereference(carp->addrs);

	return addrs && addrs->n6 &&
	       bsearch(addr, addrs->addr6, addrs->n6, sizeof(*addr), carp_addr6_cmp);
}

/*
 * A neighbour discovery message of @type, as ndisc_rcv() would take it:
 * ICMPv6 right after the IPv6 header, hop limit 255, code 0.  Sets @target.
 */
static bool carp_nd_parse(struct sk_buff *skb, u8 type, struct in6_addr *target)
{
	const struct ipv6hdr *ip6h;
	const struct nd_msg *msg;
	struct ipv6hdr ip6buf;
	const u8 *icmp_type;
	u8 typebuf;

	/* A look first: most IPv6 frames are not for us, and stay unpulled. */
	ip6h = skb_header_pointer(skb, 0, sizeof(ip6buf), &ip6buf);
	if (!ip6h || ip6h->nexthdr != IPPROTO_ICMPV6)
		return false;
	icmp_type = skb_header_pointer(skb, sizeof(*ip6h), 1, &typebuf);
	if (!icmp_type || *icmp_type != type)
		return false;
	if (!pskb_may_pull(skb, sizeof(*ip6h) + sizeof(*msg)))
		return false;
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6 || ip6h->nexthdr != IPPROTO_ICMPV6 ||
	    ip6h->hop_limit != 255 || ntohs(ip6h->payload_len) < sizeof(*msg))
		return false;
	msg = (const struct nd_msg *)(ip6h + 1);
	if (msg->icmph.icmp6_type != type || msg->icmph.icmp6_code)
		return false;
	*target = msg->target;
	return true;
}

/*
 * The device that answers for @target: the first carp device of the port
 * in vhid order that holds it and is MASTER.  *@ours tells whether any
 * carp device of the port holds @target.
 */
static struct carp_dev *carp_nd_owner(struct carp_port *port,
				      const struct in6_addr *target, bool *ours)
{
	struct carp_dev *carp;
	unsigned int vhid;

	*ours = false;
	for (vhid = CARP_VHID_MIN; vhid <= CARP_VHID_MAX; vhid++) {
		carp = rcu_dereference(port->vhids[vhid]);
		if (!carp || !carp_has_addr6(carp, target))
			continue;
		*ours = true;
		if (READ_ONCE(carp->state) == CARP_STATE_MASTER &&
		    netif_running(carp->dev))
			return carp;
	}
	return NULL;
}

/**
 * carp_nd_rx - take Neighbor Solicitations for shared addresses
 * @port: the port of the parent the frame arrived on
 * @skb: an IPv6 frame, not shared
 *
 * Called from the rx handler, under RCU.
 *
 * Return: RX_HANDLER_ANOTHER with @skb now on the MASTER's carp device,
 * RX_HANDLER_CONSUMED if it was dropped, RX_HANDLER_PASS if it is none of
 * carp's business.
 */
rx_handler_result_t carp_nd_rx(struct carp_port *port, struct sk_buff *skb)
{
	const unsigned char *dest;
	struct in6_addr target;
	struct carp_dev *carp;
	bool ours;

	if (!carp_nd_parse(skb, NDISC_NEIGHBOUR_SOLICITATION, &target))
		return RX_HANDLER_PASS;
	/* After the pull, which may have moved the head. */
	dest = eth_hdr(skb)->h_dest;
	carp = carp_nd_owner(port, &target, &ours);
	if (!ours)
		return RX_HANDLER_PASS;
	if (!carp) {
		/*
		 * The MASTER, on another host, answers.  Sent to a virtual
		 * MAC, the frame was for it: counted as carp_vmac_rx() counts.
		 */
		if (carp_is_vmac(dest)) {
			carp = rcu_dereference(port->vhids[dest[ETH_ALEN - 1]]);
			if (carp)
				dev_core_stats_rx_otherhost_dropped_inc(carp->dev);
			kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		} else {
			consume_skb(skb);
		}
		return RX_HANDLER_CONSUMED;
	}
	/* A unicast solicitation for another MAC is not ours. */
	if (!is_multicast_ether_addr(dest) &&
	    !ether_addr_equal(dest, carp->dev->dev_addr))
		return RX_HANDLER_PASS;
	if (!is_multicast_ether_addr(dest))
		skb->pkt_type = PACKET_HOST;
	dev_sw_netstats_rx_add(carp->dev, skb->len);
	skb->dev = carp->dev;
	return RX_HANDLER_ANOTHER;
}

/**
 * carp_nd_is_reply - is this an answer to carp0's own solicitation?
 * @carp: a MASTER that received @skb on its virtual MAC
 * @skb: an IPv6 frame
 *
 * A Neighbor Advertisement for a target carp0 has a neighbour entry for:
 * carp0 itself resolves neighbours when traffic is sent through it, and
 * must see the answers.
 */
bool carp_nd_is_reply(struct carp_dev *carp, struct sk_buff *skb)
{
	struct in6_addr target;

	return carp_nd_parse(skb, NDISC_NEIGHBOUR_ADVERTISEMENT, &target) &&
	       __ipv6_neigh_lookup_noref(carp->dev, &target);
}
