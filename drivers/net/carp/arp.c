// SPDX-License-Identifier: GPL-2.0
/*
 * Who answers ARP for a virtual address.
 *
 * Linux is a weak-host stack: left alone, the parent would answer ARP for
 * an address on carp0 with its own MAC, on the MASTER and on every BACKUP
 * alike, whatever carp0's state.  So every ARP request for a virtual address
 * that arrives on a carp parent is taken here and never reaches the
 * parent's ARP code: the MASTER of the address answers with the virtual
 * MAC, everybody else stays silent.
 *
 * The other direction matters too: when the parent resolves a neighbour
 * for a packet sent from a virtual address (a reply to a client), Linux
 * puts that address in the request as sender, and the neighbour then
 * files the virtual address under the parent's MAC.  A netfilter hook on
 * ARP output sends such requests from the parent's own address instead,
 * which is what arp_announce=2 does for every address.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <net/arp.h>

#include "carp.h"

struct carp_arp_req {
	const unsigned char *sha;
	__be32 sip;
	__be32 tip;
};

/* An Ethernet/IPv4 ARP request; the caller made the header linear. */
static bool carp_arp_parse_hdr(const struct arphdr *arp, struct carp_arp_req *req)
{
	const unsigned char *p;

	/* arp_process() takes IEEE 802 hardware type on Ethernet too. */
	if ((arp->ar_hrd != htons(ARPHRD_ETHER) &&
	     arp->ar_hrd != htons(ARPHRD_IEEE802)) ||
	    arp->ar_pro != htons(ETH_P_IP) || arp->ar_hln != ETH_ALEN ||
	    arp->ar_pln != 4 || arp->ar_op != htons(ARPOP_REQUEST))
		return false;
	p = (const unsigned char *)(arp + 1);
	req->sha = p;
	memcpy(&req->sip, p + ETH_ALEN, 4);
	memcpy(&req->tip, p + 2 * ETH_ALEN + 4, 4);
	return true;
}

static bool carp_arp_parse(struct sk_buff *skb, struct carp_arp_req *req)
{
	if (!pskb_may_pull(skb, sizeof(struct arphdr) + 2 * (ETH_ALEN + 4)))
		return false;
	return carp_arp_parse_hdr(arp_hdr(skb), req);
}

static bool carp_has_addr(const struct carp_dev *carp, __be32 addr)
{
	const struct carp_addrs *addrs = rcu_dereference(carp->addrs);
	unsigned int i;

	for (i = 0; addrs && i < addrs->n; i++)
		if (addrs->addr[i] == addr)
			return true;
	return false;
}

static bool carp_is_master(const struct carp_dev *carp)
{
	return READ_ONCE(carp->state) == CARP_STATE_MASTER &&
	       netif_running(carp->dev);
}

static bool carp_is_running(const struct carp_dev *carp)
{
	return netif_running(carp->dev) && READ_ONCE(carp->state) != CARP_STATE_INIT;
}

/*
 * The vhid that answers for @tip: among the running carp devices of the
 * port holding it, in vhid order, the first one; with net.carp.arpbalance
 * the one at index ntohl(sender) mod their number, so that clients spread
 * over the vhids and thus over the hosts that are MASTER of them.
 *
 * Return: the chosen device, or NULL if @tip is no virtual address here.
 * *@ours tells whether some carp device of the port holds @tip at all.
 */
static struct carp_dev *carp_arp_choose(struct carp_port *port, __be32 tip,
					__be32 sip, bool *ours)
{
	bool balance = READ_ONCE(carp_net(dev_net(port->dev))->arpbalance);
	struct carp_dev *carp, *first = NULL;
	unsigned int vhid, count = 0, index;

	*ours = false;
	for (vhid = CARP_VHID_MIN; vhid <= CARP_VHID_MAX; vhid++) {
		carp = rcu_dereference(port->vhids[vhid]);
		if (!carp || !carp_has_addr(carp, tip))
			continue;
		*ours = true;
		if (!carp_is_running(carp))
			continue;
		if (!first)
			first = carp;
		if (!balance)
			return first;
		count++;
	}
	if (!count)
		return NULL;
	index = ntohl(sip) % count;
	for (vhid = CARP_VHID_MIN; vhid <= CARP_VHID_MAX; vhid++) {
		carp = rcu_dereference(port->vhids[vhid]);
		if (carp && carp_has_addr(carp, tip) && carp_is_running(carp) && !index--)
			return carp;
	}
	return NULL;
}

/*
 * The checks arp_process() makes before it answers (through
 * ip_route_input_noref()'s martian source test): no reply to a broadcast,
 * multicast or zero sender hardware address, nor to a multicast, broadcast,
 * loopback or zeronet sender IP (0.0.0.0 alone is allowed: RFC 5227 probes).
 */
static bool carp_arp_sane(const struct carp_arp_req *req)
{
	if (!is_valid_ether_addr(req->sha))
		return false;
	if (!req->sip)
		return true;
	return !ipv4_is_multicast(req->sip) && !ipv4_is_lbcast(req->sip) &&
	       !ipv4_is_loopback(req->sip) && !ipv4_is_zeronet(req->sip);
}

/*
 * After the parent's NF_ARP_IN hooks (arptables INPUT with -i PARENT) let
 * the request pass: the MASTER of the chosen vhid answers with its virtual
 * MAC as Ethernet source and sender hardware address.  The choice is made
 * again here because a queued request may come back much later.
 */
static int carp_arp_answer(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	struct net_device *parent = skb->dev;
	struct carp_arp_req req;
	struct carp_dev *owner;
	bool ours;

	rcu_read_lock();
	if (carp_port_exists(parent) && carp_arp_parse_hdr(arp_hdr(skb), &req)) {
		owner = carp_arp_choose(carp_port_get_rcu(parent), req.tip,
					req.sip, &ours);
		if (owner && carp_is_master(owner))
			arp_send(ARPOP_REPLY, ETH_P_ARP, req.sip, parent, req.tip,
				 req.sha, owner->dev->dev_addr, req.sha);
	}
	rcu_read_unlock();
	consume_skb(skb);
	return 0;
}

/*
 * Is a frame with this Ethernet destination meant for this host at all?
 * Broadcast, or unicast to the parent or to a virtual MAC of a carp device
 * of this port.  A promiscuous parent also sees requests sent to other
 * hosts, which nobody here may answer.
 */
static bool carp_arp_for_us(struct carp_port *port, const struct sk_buff *skb)
{
	const unsigned char *dest = eth_hdr(skb)->h_dest;

	if (skb->pkt_type != PACKET_OTHERHOST)
		return true;
	return carp_is_vmac(dest) &&
	       rcu_access_pointer(port->vhids[dest[ETH_ALEN - 1]]);
}

/**
 * carp_arp_rx - handle an ARP frame received on a carp parent
 * @port: the parent's carp port
 * @skb: the frame (not shared), network header at the ARP header
 *
 * Called from the parent's rx handler under rcu_read_lock(), for broadcast
 * requests and for unicast ones to a virtual MAC alike (a client's NUD
 * probe), so that no request about a virtual address ever reaches the
 * parent's ARP code, which would answer with the parent's own MAC.
 *
 * Return: RX_HANDLER_CONSUMED for requests about a virtual address,
 * RX_HANDLER_PASS for everything else.
 */
rx_handler_result_t carp_arp_rx(struct carp_port *port, struct sk_buff *skb)
{
	struct carp_arp_req req;
	struct carp_dev *owner;
	bool ours;

	if (!carp_arp_parse(skb, &req) || !carp_arp_for_us(port, skb))
		return RX_HANDLER_PASS;
	owner = carp_arp_choose(port, req.tip, req.sip, &ours);
	if (!ours)
		return RX_HANDLER_PASS;

	/*
	 * Only the MASTER of the chosen vhid answers, and only a sane
	 * question: sip == tip is an announcement.
	 */
	if (!owner || !carp_is_master(owner) || req.sip == req.tip ||
	    !carp_arp_sane(&req)) {
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	NF_HOOK(NFPROTO_ARP, NF_ARP_IN, dev_net(port->dev), NULL, skb,
		port->dev, NULL, carp_arp_answer);
	return RX_HANDLER_CONSUMED;
}

/**
 * carp_arp_is_reply - is this ARP frame a reply (to be delivered on carp0)?
 * @skb: an ARP frame, not shared
 *
 * Return: true for an Ethernet/IPv4 ARP reply.
 */
bool carp_arp_is_reply(struct sk_buff *skb)
{
	const struct arphdr *arp;

	if (!pskb_may_pull(skb, sizeof(*arp)))
		return false;
	arp = arp_hdr(skb);
	return arp->ar_hrd == htons(ARPHRD_ETHER) &&
	       arp->ar_pro == htons(ETH_P_IP) && arp->ar_op == htons(ARPOP_REPLY);
}

/**
 * carp_arp_shared - is @addr also held by another running vhid on the port?
 * @carp: a carp device
 * @addr: one of its addresses
 *
 * With arpbalance, a new MASTER must not announce such an address: the
 * gratuitous ARP would pull every client to its vhid's MAC and undo the
 * balance.  Clients of the vhid it took over keep that vhid's MAC, which
 * now reaches the new MASTER anyway.  Caller holds rcu_read_lock().
 */
bool carp_arp_shared(const struct carp_dev *carp, __be32 addr)
{
	struct carp_port *port = rcu_dereference(carp->port);
	struct carp_dev *other;

	if (!port || !READ_ONCE(carp_net(dev_net(carp->dev))->arpbalance))
		return false;
	list_for_each_entry_rcu(other, &port->carps, port_node)
		if (other != carp && carp_has_addr(other, addr) &&
		    carp_is_running(other))
			return true;
	return false;
}

#if IS_ENABLED(CONFIG_NETFILTER_FAMILY_ARP)
static bool carp_port_has_addr(struct carp_port *port, __be32 addr)
{
	struct carp_dev *carp;

	list_for_each_entry_rcu(carp, &port->carps, port_node)
		if (carp_has_addr(carp, addr))
			return true;
	return false;
}

/* Runs under rcu_read_lock(), for every ARP frame leaving any device. */
static unsigned int carp_arp_out(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	unsigned int len = skb_network_offset(skb) + sizeof(struct arphdr) +
			   2 * (ETH_ALEN + 4);
	struct net_device *dev = state->out;
	struct carp_arp_req req;
	unsigned char *sip;
	__be32 own;

	if (!dev || !carp_port_exists(dev) || !pskb_may_pull(skb, len))
		return NF_ACCEPT;
	/*
	 * Only the parent's own requests: our gratuitous ARPs carry the
	 * virtual MAC and must keep the virtual address as sender.
	 */
	if (!carp_arp_parse_hdr(arp_hdr(skb), &req) || !req.sip ||
	    !ether_addr_equal(req.sha, dev->dev_addr) ||
	    !carp_port_has_addr(carp_port_get_rcu(dev), req.sip))
		return NF_ACCEPT;
	/* 0.0.0.0 if the parent has no address: a probe poisons nobody. */
	own = carp_parent_addr(dev, req.tip);
	if (own == req.sip)
		return NF_ACCEPT;
	if (skb_ensure_writable(skb, len))
		return NF_ACCEPT;
	sip = (unsigned char *)(arp_hdr(skb) + 1) + ETH_ALEN;
	memcpy(sip, &own, sizeof(own));
	return NF_ACCEPT;
}

/*
 * Runs under rcu_read_lock(), for every ARP frame arriving on any device of
 * the namespace, after the rx handlers.  A virtual address is a local
 * address of the whole host (weak host model), so any interface, not only
 * a carp parent, would answer for it with its own MAC: a second NIC on the
 * same LAN, a parent whose carp devices hold other addresses, every NIC
 * while a carp device is still unbound, a VLAN device on the parent, or the
 * parent itself in the moment between an address leaving our snapshot and
 * its local route leaving the FIB.  Requests about a virtual address are
 * answered by carp alone: on a carp parent holding it, our rx handler
 * passes them through these hooks itself (carp_arp_rx()); anywhere else
 * they are dropped here.
 */
static unsigned int carp_arp_in(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	unsigned int len = sizeof(struct arphdr) + 2 * (ETH_ALEN + 4);
	struct net_device *holder, *in = state->in;
	struct carp_arp_req req;

	if (!in || !pskb_may_pull(skb, len) ||
	    !carp_arp_parse_hdr(arp_hdr(skb), &req))
		return NF_ACCEPT;
	holder = __ip_dev_find(state->net, req.tip, false);
	if (!holder || !netif_is_carp(holder))
		return NF_ACCEPT;
	if (carp_port_exists(in) &&
	    carp_port_has_addr(carp_port_get_rcu(in), req.tip))
		return NF_ACCEPT;	/* carp_arp_rx() on its way to answer */
	return NF_DROP;
}

static const struct nf_hook_ops carp_arp_ops[] = {
	{
		.hook		= carp_arp_out,
		.pf		= NFPROTO_ARP,
		.hooknum	= NF_ARP_OUT,
		.priority	= 0,
	},
	{
		.hook		= carp_arp_in,
		.pf		= NFPROTO_ARP,
		.hooknum	= NF_ARP_IN,
		.priority	= 0,
	},
};

int carp_arp_net_init(struct net *net)
{
	return nf_register_net_hooks(net, carp_arp_ops, ARRAY_SIZE(carp_arp_ops));
}

void carp_arp_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, carp_arp_ops, ARRAY_SIZE(carp_arp_ops));
}
#else
int carp_arp_net_init(struct net *net)
{
	return 0;
}

void carp_arp_net_exit(struct net *net)
{
}
#endif
