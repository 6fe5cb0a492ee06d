// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device sysfs attributes, in /sys/class/net/<carp>/carp/:
 *
 *   vhid advbase advskew   read-only; configure with "ip link"
 *   state                  INIT, BACKUP or MASTER; writing MASTER or BACKUP
 *                          forces that state, like "ifconfig carp0 state
 *                          master" on the BSDs (ENETDOWN in INIT)
 *   ipackets badttl ...    this device's counters, as in /proc/net/carp_stats
 */

#include <linux/capability.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/string.h>

#include "carp.h"

static struct carp_dev *carp_from_device(struct device *d)
{
	return netdev_priv(to_net_dev(d));
}

static ssize_t vhid_show(struct device *d, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", carp_from_device(d)->vhid);
}
static DEVICE_ATTR_RO(vhid);

static ssize_t advbase_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(carp_from_device(d)->advbase));
}
static DEVICE_ATTR_RO(advbase);

static ssize_t advskew_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(carp_from_device(d)->advskew));
}
static DEVICE_ATTR_RO(advskew);

static ssize_t state_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  carp_state_name(READ_ONCE(carp_from_device(d)->state)));
}

static ssize_t state_store(struct device *d, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct net_device *dev = to_net_dev(d);
	enum carp_state state;
	int err = 0;

	/* What net-sysfs asks of every write, and "ip link set" of this one. */
	if (!ns_capable(dev_net(dev)->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (sysfs_streq(buf, "MASTER") || sysfs_streq(buf, "master"))
		state = CARP_STATE_MASTER;
	else if (sysfs_streq(buf, "BACKUP") || sysfs_streq(buf, "backup"))
		state = CARP_STATE_BACKUP;
	else
		return -EINVAL;

	/*
	 * Unregistration removes this file under RTNL: trylock, or we could
	 * wait for RTNL held by someone waiting for us.
	 */
	if (!rtnl_trylock())
		return restart_syscall();
	if (dev->reg_state == NETREG_REGISTERED)
		err = carp_force_state(netdev_priv(dev), state);
	rtnl_unlock();
	if (err)
		return err;
	return count;
}
static DEVICE_ATTR_RW(state);

struct carp_stat_attr {
	struct device_attribute attr;
	enum carp_stat stat;
};

static ssize_t carp_stat_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	const struct carp_stat_attr *sa =
		container_of(attr, struct carp_stat_attr, attr);

	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&carp_from_device(d)->stats[sa->stat]));
}

#define CARP_STAT_ATTR(_name, _stat)					\
	static struct carp_stat_attr carp_stat_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, carp_stat_show, NULL),	\
		.stat = _stat,						\
	}

CARP_STAT_ATTR(ipackets, CARP_STAT_IPACKETS);
CARP_STAT_ATTR(badttl, CARP_STAT_BADTTL);
CARP_STAT_ATTR(badsum, CARP_STAT_BADSUM);
CARP_STAT_ATTR(badver, CARP_STAT_BADVER);
CARP_STAT_ATTR(badauth, CARP_STAT_BADAUTH);
CARP_STAT_ATTR(opackets, CARP_STAT_OPACKETS);
CARP_STAT_ATTR(oerrors, CARP_STAT_OERRORS);
CARP_STAT_ATTR(preempt, CARP_STAT_PREEMPT);
CARP_STAT_ATTR(ipackets6, CARP_STAT_IPACKETS6);
CARP_STAT_ATTR(opackets6, CARP_STAT_OPACKETS6);

static struct attribute *carp_attrs[] = {
	&dev_attr_vhid.attr,
	&dev_attr_advbase.attr,
	&dev_attr_advskew.attr,
	&dev_attr_state.attr,
	&carp_stat_attr_ipackets.attr.attr,
	&carp_stat_attr_badttl.attr.attr,
	&carp_stat_attr_badsum.attr.attr,
	&carp_stat_attr_badver.attr.attr,
	&carp_stat_attr_badauth.attr.attr,
	&carp_stat_attr_opackets.attr.attr,
	&carp_stat_attr_oerrors.attr.attr,
	&carp_stat_attr_preempt.attr.attr,
	&carp_stat_attr_ipackets6.attr.attr,
	&carp_stat_attr_opackets6.attr.attr,
	NULL,
};

const struct attribute_group carp_attr_group = {
	.name = "carp",
	.attrs = carp_attrs,
};
