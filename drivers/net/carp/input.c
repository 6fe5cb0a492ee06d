// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving advertisements: the IPv4 and IPv6 protocol 112 handlers.
 *
 * Advertisements reach us through the parent's IP stack (the parent joined
 * 224.0.0.18 and ff02::12), with skb->dev the parent.  Every packet is
 * counted; every drop is counted by reason and never changes any state.  Raw sockets on
 * protocol 112 (keepalived, ucarp, tcpdump) still see everything: the IP
 * layer hands them clones before calling us.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <net/ipv6.h>
#include <net/protocol.h>

#include "carp.h"

/*
 * What the handlers need of the IP header, for either family: copied,
 * since pulling the CARP header may move the packet's head.
 */
struct carp_input_ip {
	u8 ttl;				/* TTL or hop limit */
	bool v6;
	union {				/* the source, for the log */
		__be32 saddr;
		struct in6_addr saddr6;
	};
};

static void carp_input_drop(struct sk_buff *skb, struct carp_dev *carp,
			    enum carp_stat reason, u8 vhid,
			    const struct carp_input_ip *ip)
{
	struct net *net = dev_net(skb->dev);
	bool quiet;

	carp_net_stat_inc(net, reason);
	if (carp)
		carp_dev_stat_inc(carp, reason);
	/*
	 * Advertisements of vhids this host does not run, or arriving on an
	 * interface without carp, are normal on a shared LAN: counted, and
	 * logged only when debugging, as on the BSDs.
	 */
	if (reason == CARP_STAT_DISALLOWED)
		return;
	quiet = reason == CARP_STAT_BADVHID || reason == CARP_STAT_BADIF;
	if (!carp_log_ok(net, quiet ? CARP_LOG_DEBUG : 1))
		return;
	if (ip->v6)
		pr_info("%s: vhid %u: dropped advertisement from %pI6c: %s\n",
			skb->dev->name, vhid, &ip->saddr6, carp_stat_names[reason]);
	else
		pr_info("%s: vhid %u: dropped advertisement from %pI4: %s\n",
			skb->dev->name, vhid, &ip->saddr, carp_stat_names[reason]);
}

/* Find the running carp device of this vhid on the parent, or NULL. */
static struct carp_dev *carp_input_lookup(struct net_device *parent, u8 vhid)
{
	struct carp_dev *carp;

	if (!carp_port_exists(parent))
		return NULL;
	carp = rcu_dereference(carp_port_get_rcu(parent)->vhids[vhid]);
	if (!carp || !netif_running(carp->dev))
		return NULL;
	return carp;
}

static enum carp_stat carp_input(struct sk_buff *skb, struct carp_dev **scp,
				 struct carp_advert *adv, u8 ttl)
{
	enum carp_stat verdict;

	if (!READ_ONCE(carp_net(dev_net(skb->dev))->allow))
		return CARP_STAT_DISALLOWED;
	if (!carp_port_exists(skb->dev))
		return CARP_STAT_BADIF;
	if (skb->len < sizeof(struct carp_hdr))
		return CARP_STAT_BADLEN;
	if (!pskb_may_pull(skb, sizeof(struct carp_hdr)))
		return CARP_STAT_HDROPS;
	/* Found first only to count a malformed packet on its device too. */
	adv->vhid = ((const struct carp_hdr *)skb->data)->vhid;
	*scp = carp_input_lookup(skb->dev, adv->vhid);
	verdict = carp_advert_decode(skb->data, skb->len, ttl, adv);
	if (verdict != CARP_ACCEPT)
		return verdict;
	if (!*scp)
		return CARP_STAT_BADVHID;
	return carp_state_input(*scp, adv);
}

/*
 * Both families' advertisements end here, with skb->data at the CARP
 * header.  Counted in ipackets or ipackets6, as on the BSDs; the drop
 * reasons are shared.
 */
static int carp_rcv_common(struct sk_buff *skb, const struct carp_input_ip *ip)
{
	enum carp_stat in = ip->v6 ? CARP_STAT_IPACKETS6 : CARP_STAT_IPACKETS;
	struct carp_advert adv = {};
	struct carp_dev *carp = NULL;
	enum carp_stat verdict;

	carp_net_stat_inc(dev_net(skb->dev), in);
	verdict = carp_input(skb, &carp, &adv, ip->ttl);
	if (carp)
		carp_dev_stat_inc(carp, in);
	if (verdict != CARP_ACCEPT) {
		carp_input_drop(skb, carp, verdict, adv.vhid, ip);
		kfree_skb(skb);
		return 0;
	}
	consume_skb(skb);
	return 0;
}

static int carp_rcv(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct carp_input_ip ip = {
		.ttl = iph->ttl,
		.saddr = iph->saddr,
	};

	return carp_rcv_common(skb, &ip);
}

static const struct net_protocol carp_protocol = {
	.handler	= carp_rcv,
	.no_policy	= 1,
};

#if IS_ENABLED(CONFIG_IPV6)
static int carp6_rcv(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct carp_input_ip ip = {
		.ttl = ip6h->hop_limit,
		.v6 = true,
		.saddr6 = ip6h->saddr,
	};

	return carp_rcv_common(skb, &ip);
}

static const struct inet6_protocol carp6_protocol = {
	.handler	= carp6_rcv,
	.flags		= INET6_PROTO_NOPOLICY | INET6_PROTO_FINAL,
};

static int carp6_input_init(void)
{
	if (inet6_add_protocol(&carp6_protocol, IPPROTO_CARP) < 0) {
		pr_err("IPv6 next header %u is already taken\n", IPPROTO_CARP);
		return -EBUSY;
	}
	return 0;
}

static void carp6_input_exit(void)
{
	inet6_del_protocol(&carp6_protocol, IPPROTO_CARP);
}
#else
static int carp6_input_init(void)
{
	return 0;
}

static void carp6_input_exit(void)
{
}
#endif

int carp_input_init(void)
{
	int err;

	if (inet_add_protocol(&carp_protocol, IPPROTO_CARP) < 0) {
		pr_err("IP protocol %u is already taken\n", IPPROTO_CARP);
		return -EBUSY;
	}
	err = carp6_input_init();
	if (err) {
		inet_del_protocol(&carp_protocol, IPPROTO_CARP);
		synchronize_net();
	}
	return err;
}

void carp_input_exit(void)
{
	carp6_input_exit();
	inet_del_protocol(&carp_protocol, IPPROTO_CARP);
	/* No CPU may still be inside carp_rcv() when the module goes away. */
	synchronize_net();
}
