/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A carp port: what carp attaches to a parent device.  One per parent,
 * shared by every carp device stacked on it, holding the receive hook and
 * the vhid table that makes the lookup of an advertisement's vhid O(1).
 */
#ifndef _CARP_PORT_H
#define _CARP_PORT_H

#include <linux/netdevice.h>
#include <linux/rcupdate.h>

struct carp_dev;

struct carp_port {
	struct net_device *dev;			/* the parent */
	struct list_head carps;			/* RTNL; carp_dev.port_node */
	struct carp_dev __rcu *vhids[256];	/* RCU; indexed by vhid */
	struct rcu_head rcu;
};

rx_handler_result_t carp_handle_frame(struct sk_buff **pskb);

/* 00:00:5e:00:01:xx, the IANA block for VRRP/CARP IPv4 virtual routers. */
static inline bool carp_is_vmac(const unsigned char *addr)
{
	static const unsigned char prefix[5] = { 0x00, 0x00, 0x5e, 0x00, 0x01 };

	return !memcmp(addr, prefix, sizeof(prefix));
}

static inline bool carp_port_exists(const struct net_device *dev)
{
	return rcu_access_pointer(dev->rx_handler) == carp_handle_frame;
}

/* Only valid when carp_port_exists(); caller in an RCU read section. */
static inline struct carp_port *carp_port_get_rcu(const struct net_device *dev)
{
	return rcu_dereference(dev->rx_handler_data);
}

static inline struct carp_port *carp_port_get_rtnl(const struct net_device *dev)
{
	return rtnl_dereference(dev->rx_handler_data);
}

int carp_port_attach(struct carp_dev *carp, struct net_device *parent,
		     struct netlink_ext_ack *extack);
void carp_port_detach(struct carp_dev *carp);
void carp_lower_open(struct carp_dev *carp);
void carp_lower_close(struct carp_dev *carp);
int carp_parent_check(struct net_device *parent, u8 vhid,
		      struct netlink_ext_ack *extack);
int carp_port_notifier_init(void);
void carp_port_notifier_exit(void);

#endif /* _CARP_PORT_H */
