// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink configuration of carp devices:
 *
 *   ip link add [link PARENT] name carp0 type carp vhid N [advbase B]
 *           [advskew S] [pass STRING]
 *   ip link set carp0 type carp [advbase B] [advskew S] [pass STRING]
 *           [state {master|backup}]
 *
 * The policy checks types, lengths and ranges.  The password is
 * write-only.
 */

#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <net/rtnetlink.h>

#include "carp.h"
#include "hmac.h"

/*
 * Every known attribute is validated strictly (exact lengths, no
 * NLA_F_NESTED on a u8) and its range is part of the policy, so a bad value
 * is rejected with the attribute and the allowed range in the extended ack
 * (and the policy dump shows the range).  rtnetlink parses IFLA_INFO_DATA
 * with the deprecated, lenient parser, which skips unknown types;
 * carp_validate() validates it again, strictly, and refuses them.
 */
static const struct nla_policy carp_policy[IFLA_CARP_MAX + 1] = {
	[IFLA_CARP_UNSPEC]	= { .strict_start_type = IFLA_CARP_VHID },
	[IFLA_CARP_VHID]	= NLA_POLICY_MIN(NLA_U8, CARP_VHID_MIN),
	[IFLA_CARP_ADVBASE]	= NLA_POLICY_MIN(NLA_U8, CARP_ADVBASE_MIN),
	[IFLA_CARP_ADVSKEW]	= NLA_POLICY_MAX(NLA_U8, CARP_ADVSKEW_MAX),
	[IFLA_CARP_KEY]		= NLA_POLICY_RANGE(NLA_BINARY, 0, CARP_KEY_LEN),
	[IFLA_CARP_STATE]	= NLA_POLICY_RANGE(NLA_U8, CARP_STATE_BACKUP,
						   CARP_STATE_MASTER),
};

/*
 * The IFLA_INFO_DATA that rtnetlink parsed into data[]: of several, the
 * last, as the parser keeps the last of a repeated attribute.
 */
static const struct nlattr *carp_info_data(struct nlattr *tb[])
{
	const struct nlattr *a, *last = NULL;
	int rem;

	if (!tb[IFLA_LINKINFO])
		return NULL;
	nla_for_each_nested(a, tb[IFLA_LINKINFO], rem)
		if (nla_type(a) == IFLA_INFO_DATA)
			last = a;
	return last;
}

/*
 * rtnetlink calls this for a new device and for a change of an existing
 * one alike, before ->newlink or ->changelink.
 */
static int carp_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	const struct nlattr *info_data = carp_info_data(tb);
	int err;

	/* Unknown types, type 0 too, fail with "Unknown attribute type". */
	if (info_data) {
		err = nla_validate_nested(info_data, IFLA_CARP_MAX, carp_policy, extack);
		if (err)
			return err;
	}
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "The MAC of a carp device is given by its vhid");
		return -EINVAL;
	}
	/*
	 * rtnetlink would create the device in the link namespace and then
	 * fail to move it, without a word: a carp device never changes
	 * namespace.
	 */
	if (tb[IFLA_LINK_NETNSID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK_NETNSID],
				    "A carp device is created in its parent's namespace, without link-netns");
		return -EINVAL;
	}
	return 0;
}

static void carp_key_from_attr(u8 key[CARP_KEY_LEN], const struct nlattr *a)
{
	memset(key, 0, CARP_KEY_LEN);
	nla_memcpy(key, a, CARP_KEY_LEN);
}

/* Timing changes apply from the next timer; a MASTER tells peers now. */
static void carp_apply_timing(struct carp_dev *carp, struct nlattr *data[])
{
	spin_lock_bh(&carp->lock);
	if (data[IFLA_CARP_ADVBASE])
		WRITE_ONCE(carp->advbase, nla_get_u8(data[IFLA_CARP_ADVBASE]));
	if (data[IFLA_CARP_ADVSKEW])
		WRITE_ONCE(carp->advskew, nla_get_u8(data[IFLA_CARP_ADVSKEW]));
	spin_unlock_bh(&carp->lock);
}

static int carp_apply_key(struct carp_dev *carp, const struct nlattr *a)
{
	struct crypto_shash *tfm, *old;
	u8 key[CARP_KEY_LEN];

	carp_key_from_attr(key, a);
	tfm = carp_hmac_alloc(key);
	if (IS_ERR(tfm)) {
		memzero_explicit(key, sizeof(key));
		return PTR_ERR(tfm);
	}
	spin_lock_bh(&carp->lock);
	old = carp->tfm;
	carp->tfm = tfm;
	spin_unlock_bh(&carp->lock);
	memzero_explicit(key, sizeof(key));
	crypto_free_shash(old);
	return 0;
}

static int carp_newlink(struct net *link_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct carp_dev *carp = netdev_priv(dev);
	struct net_device *parent = NULL;
	int err;

	if (!data || !data[IFLA_CARP_VHID]) {
		NL_SET_ERR_MSG(extack, "A carp device needs a vhid (1-255)");
		/* Missing from IFLA_INFO_DATA, or IFLA_INFO_DATA from IFLA_LINKINFO. */
		if (data)
			NL_SET_ERR_ATTR_MISS(extack, carp_info_data(tb), IFLA_CARP_VHID);
		else
			NL_SET_ERR_ATTR_MISS(extack, tb[IFLA_LINKINFO], IFLA_INFO_DATA);
		return -EINVAL;
	}
	carp_dev_init_priv(carp, nla_get_u8(data[IFLA_CARP_VHID]));
	if (data[IFLA_CARP_STATE]) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_CARP_STATE],
				    "A new carp device starts in INIT; set its state later");
		return -EINVAL;
	}
	if (tb[IFLA_LINK]) {
		parent = __dev_get_by_index(link_net, nla_get_u32(tb[IFLA_LINK]));
		if (!parent) {
			NL_SET_ERR_MSG(extack, "Parent device not found");
			return -ENODEV;
		}
		if (!net_eq(dev_net(dev), dev_net(parent))) {
			NL_SET_ERR_MSG(extack, "A carp device must be in its parent's namespace");
			return -EINVAL;
		}
		err = carp_parent_check(parent, carp->vhid, extack);
		if (err)
			return err;
	}
	carp_apply_timing(carp, data);
	if (data[IFLA_CARP_KEY])
		carp_key_from_attr(carp->key, data[IFLA_CARP_KEY]);

	err = register_netdevice(dev);	/* ndo_init keys the HMAC */
	if (err) {
		memzero_explicit(carp->key, sizeof(carp->key));
		return err;
	}
	/*
	 * Dormant until MASTER: "ip link" shows a BACKUP as DORMANT.  Only
	 * now, because it queues a link event, which an unregistered device
	 * freed on an error path must not leave behind.
	 */
	netif_dormant_on(dev);
	if (parent) {
		err = carp_port_attach(carp, parent, extack);
		if (err) {
			unregister_netdevice(dev);
			return err;
		}
	}
	pr_debug("%s: interface created\n", dev->name);
	return 0;
}

/*
 * rtnetlink calls ->changelink before do_setlink() applies the generic
 * attributes of the same request (and before the slave data of a port): a
 * request refused after it would have changed carp settings, or even
 * forced a state (a gratuitous ARP, an advertisement).  So a carp change
 * comes with no generic attribute but those that cannot be refused later:
 * the name that finds the device (a rename may fail), the MTU, checked
 * here as dev_set_mtu_ext() checks it, unless a master (a team) may veto
 * it, and the group, alias, operstate and link mode.  Carrier, protodown,
 * XDP, a move to another namespace, slave data and the rest go in a
 * request of their own.
 */
static int carp_check_generic(struct net_device *dev, struct nlattr *tb[],
			      struct netlink_ext_ack *extack)
{
	struct carp_dev *carp = netdev_priv(dev);
	const struct nlattr *nla;
	int i, mtu, rem;

	/* Present: the carp attributes came in it. */
	nla_for_each_nested(nla, tb[IFLA_LINKINFO], rem) {
		if (nla_type(nla) == IFLA_INFO_SLAVE_DATA) {
			NL_SET_ERR_MSG_ATTR(extack, nla,
					    "Send this generic change apart from the carp change");
			return -EINVAL;
		}
	}
	for (i = 1; i <= IFLA_MAX; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case IFLA_IFNAME:
			if (!nla_strcmp(tb[i], dev->name))
				continue;
			break;
		case IFLA_ALT_IFNAME:
		case IFLA_LINKINFO:
		case IFLA_MTU:
		case IFLA_GROUP:
		case IFLA_IFALIAS:
		case IFLA_OPERSTATE:
		case IFLA_LINKMODE:
			continue;
		}
		if (i == IFLA_NET_NS_PID || i == IFLA_NET_NS_FD || i == IFLA_TARGET_NETNSID)
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "A carp device never leaves its parent's namespace");
		else
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "Send this generic change apart from the carp change");
		return -EINVAL;
	}
	if (!tb[IFLA_MTU])
		return 0;
	mtu = nla_get_u32(tb[IFLA_MTU]);
	if (mtu == dev->mtu)
		return 0;
	if (mtu < 0 || mtu < dev->min_mtu) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU], "mtu less than device minimum");
		return -EINVAL;
	}
	if (dev->max_mtu > 0 && mtu > dev->max_mtu) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU], "mtu greater than device maximum");
		return -EINVAL;
	}
	if (!carp_mtu_fits(carp, mtu)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "A carp device's MTU cannot exceed its parent's MTU");
		return -EINVAL;
	}
	if (netdev_master_upper_dev_get(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "Send this generic change apart from the carp change");
		return -EINVAL;
	}
	return 0;
}

/* An IFLA_INFO_DATA without a carp attribute changes nothing. */
static bool carp_data_empty(struct nlattr *data[])
{
	int i;

	for (i = 1; i <= IFLA_CARP_MAX; i++)
		if (data[i])
			return false;
	return true;
}

static int carp_changelink(struct net_device *dev, struct nlattr *tb[],
			   struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct carp_dev *carp = netdev_priv(dev);
	int err;

	if (!data || carp_data_empty(data))
		return 0;
	/*
	 * A device in INIT has no state to force.  INIT is entered and left
	 * only under RTNL, which we hold: the device is still INIT, or still
	 * running, when carp_force_state() runs below.
	 */
	if (data[IFLA_CARP_STATE] && READ_ONCE(carp->state) == CARP_STATE_INIT) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_CARP_STATE],
				    "The device is in INIT (not running): no state to force");
		return -ENETDOWN;
	}
	if (data[IFLA_CARP_VHID] && nla_get_u8(data[IFLA_CARP_VHID]) != carp->vhid) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_CARP_VHID],
				    "The vhid of a carp device cannot be changed");
		return -EOPNOTSUPP;
	}
	err = carp_check_generic(dev, tb, extack);
	if (err)
		return err;
	/* Nothing has changed so far; the password is the first change. */
	if (data[IFLA_CARP_KEY]) {
		err = carp_apply_key(carp, data[IFLA_CARP_KEY]);
		if (err) {
			NL_SET_ERR_MSG(extack, "Cannot key the HMAC with the password");
			return err;
		}
	}
	if (data[IFLA_CARP_ADVBASE] || data[IFLA_CARP_ADVSKEW]) {
		carp_apply_timing(carp, data);
		carp_advertise_now(carp);
	}
	/* Checked above: not in INIT, which changes only under RTNL. */
	if (data[IFLA_CARP_STATE])
		WARN_ON_ONCE(carp_force_state(carp, nla_get_u8(data[IFLA_CARP_STATE])));
	return 0;
}

/*
 * Off the parent at once, as macvlan and ipvlan do: a parent deleted in the
 * same batch (a group delete, a namespace going away) must not find this
 * device on its port and queue it a second time.
 */
static void carp_dellink(struct net_device *dev, struct list_head *head)
{
	carp_port_detach(netdev_priv(dev));
	unregister_netdevice_queue(dev, head);
}

static size_t carp_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u8)) +	/* IFLA_CARP_VHID */
	       nla_total_size(sizeof(u8)) +	/* IFLA_CARP_ADVBASE */
	       nla_total_size(sizeof(u8)) +	/* IFLA_CARP_ADVSKEW */
	       nla_total_size(sizeof(u8));	/* IFLA_CARP_STATE */
}

static int carp_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct carp_dev *carp = netdev_priv(dev);

	if (nla_put_u8(skb, IFLA_CARP_VHID, carp->vhid) ||
	    nla_put_u8(skb, IFLA_CARP_ADVBASE, READ_ONCE(carp->advbase)) ||
	    nla_put_u8(skb, IFLA_CARP_ADVSKEW, READ_ONCE(carp->advskew)) ||
	    nla_put_u8(skb, IFLA_CARP_STATE, READ_ONCE(carp->state)))
		return -EMSGSIZE;
	return 0;
}

static struct net *carp_get_link_net(const struct net_device *dev)
{
	const struct carp_dev *carp = netdev_priv(dev);
	const struct net_device *parent = READ_ONCE(carp->parent);

	return dev_net(parent ? parent : dev);
}

struct rtnl_link_ops carp_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct carp_dev),
	.setup		= carp_setup,
	.maxtype	= IFLA_CARP_MAX,
	.policy		= carp_policy,
	.validate	= carp_validate,
	.newlink	= carp_newlink,
	.changelink	= carp_changelink,
	.dellink	= carp_dellink,
	.get_size	= carp_get_size,
	.fill_info	= carp_fill_info,
	.get_link_net	= carp_get_link_net,
};
