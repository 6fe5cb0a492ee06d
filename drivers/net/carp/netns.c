// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace controls and statistics.
 *
 *   net.carp.allow            1: act on received advertisements
 *   net.carp.preempt          1: a BACKUP takes over from a slower MASTER
 *   net.carp.log              0 nothing, 1 bad packets, 2+ also state changes
 *   net.carp.arpbalance       1: share an address between vhids by ARP
 *   net.carp.suppress_preempt read-only: reasons to suppress preemption
 *   net.carp.demotion         added to every advskew (carp_demoted_skew());
 *                             reading gives it, writing adds to it
 *   net.carp.ifdown_demotion_factor   what a parent down adds, per device
 *   net.carp.senderr_demotion_factor  what failing sends add, per device
 *
 * The module parameters of the same names (/sys/module/carp/parameters/),
 * all but demotion and suppress_preempt, are the initial namespace's
 * values: reading shows them, writing sets them with the sysctl's range
 * check, and a value given at load time is where the initial namespace
 * starts.  Every new namespace starts from the initial namespace's values
 * of the moment.  The statistics are in /proc/net/carp_stats, one
 * "name value" per line.
 */

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>

#include "carp.h"

unsigned int carp_net_id __read_mostly;

static int carp_log_max = CARP_LOG_DEBUG;

/* One writable net.carp value, as a module parameter. */
struct carp_param {
	size_t offset;		/* in struct carp_net */
	int max;		/* range is 0..max */
	int boot;		/* until the initial namespace has its own */
};

/* Under kernel_param_lock(THIS_MODULE): is init_net's carp_net there? */
static bool carp_params_live;

static int *carp_param_field(struct net *net, const struct carp_param *cp)
{
	return (int *)((char *)carp_net(net) + cp->offset);
}

static int carp_param_set(const char *val, const struct kernel_param *kp)
{
	struct carp_param *cp = kp->arg;
	int v, err;

	err = kstrtoint(val, 0, &v);
	if (err)
		return err;
	if (v < 0 || v > cp->max)
		return -EINVAL;
	if (carp_params_live)
		WRITE_ONCE(*carp_param_field(&init_net, cp), v);
	else
		cp->boot = v;
	return 0;
}

static int carp_param_get(char *buf, const struct kernel_param *kp)
{
	const struct carp_param *cp = kp->arg;
	int v = carp_params_live ? READ_ONCE(*carp_param_field(&init_net, cp)) :
				   cp->boot;

	return sysfs_emit(buf, "%d\n", v);
}

static const struct kernel_param_ops carp_param_ops = {
	.set	= carp_param_set,
	.get	= carp_param_get,
};

static struct carp_param carp_param_allow = {
	.offset = offsetof(struct carp_net, allow), .max = 1, .boot = 1,
};
module_param_cb(allow, &carp_param_ops, &carp_param_allow, 0644);
MODULE_PARM_DESC(allow, "net.carp.allow of the initial namespace (0-1, default 1)");

static struct carp_param carp_param_preempt = {
	.offset = offsetof(struct carp_net, preempt), .max = 1, .boot = 0,
};
module_param_cb(preempt, &carp_param_ops, &carp_param_preempt, 0644);
MODULE_PARM_DESC(preempt, "net.carp.preempt of the initial namespace (0-1, default 0)");

static struct carp_param carp_param_log = {
	.offset = offsetof(struct carp_net, log), .max = CARP_LOG_DEBUG, .boot = 1,
};
module_param_cb(log, &carp_param_ops, &carp_param_log, 0644);
MODULE_PARM_DESC(log, "net.carp.log of the initial namespace (0-7, default 1)");

static struct carp_param carp_param_arpbalance = {
	.offset = offsetof(struct carp_net, arpbalance), .max = 1, .boot = 0,
};
module_param_cb(arpbalance, &carp_param_ops, &carp_param_arpbalance, 0644);
MODULE_PARM_DESC(arpbalance, "net.carp.arpbalance of the initial namespace (0-1, default 0)");

static struct carp_param carp_param_ifdown_factor = {
	.offset = offsetof(struct carp_net, ifdown_factor),
	.max = CARP_DEMOTION_MAX, .boot = CARP_DEMOTION_FACTOR,
};
module_param_cb(ifdown_demotion_factor, &carp_param_ops, &carp_param_ifdown_factor, 0644);
MODULE_PARM_DESC(ifdown_demotion_factor,
		 "net.carp.ifdown_demotion_factor of the initial namespace (0-1000000, default 240)");

static struct carp_param carp_param_senderr_factor = {
	.offset = offsetof(struct carp_net, senderr_factor),
	.max = CARP_DEMOTION_MAX, .boot = CARP_DEMOTION_FACTOR,
};
module_param_cb(senderr_demotion_factor, &carp_param_ops, &carp_param_senderr_factor, 0644);
MODULE_PARM_DESC(senderr_demotion_factor,
		 "net.carp.senderr_demotion_factor of the initial namespace (0-1000000, default 240)");

static int carp_demotion_max = CARP_DEMOTION_MAX;
static int carp_demotion_min = -CARP_DEMOTION_MAX;

/*
 * proc_dointvec_minmax() for a net.carp value, and writing needs
 * CAP_NET_ADMIN in the namespace's user namespace: the sysctl core lets
 * the namespace's root uid write without it.  extra1 is the namespace's
 * carp_net (set at registration), extra2 the maximum; the minimum is 0.
 */
static int carp_sysctl_minmax(const struct ctl_table *table, int write, void *buffer,
			      size_t *lenp, loff_t *ppos)
{
	const struct carp_net *cn = table->extra1;
	struct ctl_table tmp = *table;

	if (write && !ns_capable(cn->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	tmp.extra1 = SYSCTL_ZERO;
	return proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
}

/*
 * Add @delta to the demotion of @cn; every MASTER advertises its new skew
 * at once, so that a preempting peer takes over within one packet.  Any
 * context.
 */
static void carp_demote(struct carp_net *cn, s64 delta, const struct net_device *dev,
			const char *why)
{
	s64 now;

	if (!delta)
		return;
	now = atomic64_add_return(delta, &cn->demotion);
	if (carp_log_ok(cn->net, 2)) {
		if (dev)
			pr_info("%s: demoted by %lld to %lld (%s)\n",
				dev->name, delta, now, why);
		else
			pr_info("netns %u: demoted by %lld to %lld (%s)\n",
				cn->net->ns.inum, delta, now, why);
	}
	schedule_work(&cn->demote_work);
}

/*
 * net.carp.demotion, FreeBSD's: reading gives the namespace's demotion,
 * writing adds the value written (-1000000..1000000) to it, and needs
 * CAP_NET_ADMIN.  What the administrator added in all must stay within
 * that range too, so that no sum overflows.
 */
static int carp_sysctl_demotion(const struct ctl_table *table, int write, void *buffer,
				size_t *lenp, loff_t *ppos)
{
	struct carp_net *cn = table->extra1;
	struct ctl_table tmp = *table;
	int v = 0, err;

	tmp.data = &v;
	tmp.maxlen = sizeof(v);
	if (!write) {
		v = clamp_t(s64, atomic64_read(&cn->demotion), INT_MIN, INT_MAX);
		return proc_dointvec(&tmp, write, buffer, lenp, ppos);
	}
	if (!ns_capable(cn->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	tmp.extra1 = &carp_demotion_min;
	tmp.extra2 = &carp_demotion_max;
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (err || !v)
		return err;
	spin_lock(&cn->demotion_lock);
	if (abs(cn->demotion_admin + v) > CARP_DEMOTION_MAX)
		err = -EINVAL;
	else
		cn->demotion_admin += v;
	spin_unlock(&cn->demotion_lock);
	if (!err)
		carp_demote(cn, v, NULL, "net.carp.demotion");
	return err;
}

/* The entries of carp_sysctl_template, in order. */
enum {
	CARP_SYSCTL_ALLOW,
	CARP_SYSCTL_PREEMPT,
	CARP_SYSCTL_LOG,
	CARP_SYSCTL_ARPBALANCE,
	CARP_SYSCTL_SUPPRESS_PREEMPT,
	CARP_SYSCTL_DEMOTION,
	CARP_SYSCTL_IFDOWN_FACTOR,
	CARP_SYSCTL_SENDERR_FACTOR,
	CARP_SYSCTL_NUM
};

static const struct ctl_table carp_sysctl_template[] = {
	{
		.procname	= "allow",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= carp_sysctl_minmax,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "preempt",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= carp_sysctl_minmax,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "log",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= carp_sysctl_minmax,
		.extra2		= &carp_log_max,
	},
	{
		.procname	= "arpbalance",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= carp_sysctl_minmax,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "suppress_preempt",
		.maxlen		= sizeof(int),
		.mode		= 0444,
		.proc_handler	= proc_dointvec,
	},
	{
		.procname	= "demotion",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= carp_sysctl_demotion,
	},
	{
		.procname	= "ifdown_demotion_factor",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= carp_sysctl_minmax,
		.extra2		= &carp_demotion_max,
	},
	{
		.procname	= "senderr_demotion_factor",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= carp_sysctl_minmax,
		.extra2		= &carp_demotion_max,
	},
};

void carp_net_stat_inc(struct net *net, enum carp_stat stat)
{
	atomic_long_inc(&carp_net(net)->stats[stat]);
}

/**
 * carp_log_ok - may a message of @level be logged in @net now?
 * @net: the namespace the message is about
 * @level: 1 for bad packets, 2 for state changes, CARP_LOG_DEBUG for chatter
 *
 * net.carp.log must be at least @level, and the namespace's own rate limit
 * must allow it: a namespace flooding itself with bad packets at log 7
 * cannot silence the log of another.  All namespaces but the initial one
 * also share a budget of five times that, so that many namespaces cannot
 * flood the host's log either; the initial namespace never waits for them.
 *
 * Return: true to log.
 */
bool carp_log_ok(struct net *net, int level)
{
	/* What all other namespaces together may write: the host's log. */
	static struct ratelimit_state others_rs =
		RATELIMIT_STATE_INIT_FLAGS(others_rs, DEFAULT_RATELIMIT_INTERVAL,
					   5 * DEFAULT_RATELIMIT_BURST,
					   RATELIMIT_MSG_ON_RELEASE);
	struct carp_net *cn = carp_net(net);

	if (READ_ONCE(cn->log) < level || !__ratelimit(&cn->log_rs))
		return false;
	return net_eq(net, &init_net) || __ratelimit(&others_rs);
}

/* Every MASTER in the namespace advertises its new skew at once. */
static void carp_demote_work(struct work_struct *work)
{
	struct carp_net *cn = container_of(work, struct carp_net, demote_work);
	struct net_device *dev;

	rtnl_lock();
	for_each_netdev(cn->net, dev)
		if (netif_is_carp(dev))
			carp_advertise_now(netdev_priv(dev));
	rtnl_unlock();
}

/**
 * carp_suppress_begin - a carp device has a reason to suppress preemption
 * @dev: the carp device
 * @why: its parent is down, or its sends fail
 *
 * Counts the reason in net.carp.suppress_preempt and demotes the namespace
 * by the factor of the moment for @why.
 *
 * Return: the demotion added, for carp_suppress_end().
 */
int carp_suppress_begin(const struct net_device *dev, enum carp_suppress_reason why)
{
	struct carp_net *cn = carp_net(dev_net(dev));
	bool ifdown = why == CARP_SUPPRESS_IFDOWN;
	int demotion = ifdown ? READ_ONCE(cn->ifdown_factor) :
				READ_ONCE(cn->senderr_factor);

	atomic_inc(&cn->suppress);
	carp_demote(cn, demotion, dev, ifdown ? "interface down" : "send error");
	return demotion;
}

/**
 * carp_suppress_end - the reason is gone
 * @dev: the carp device
 * @demotion: what carp_suppress_begin() added
 * @why: for the log
 */
void carp_suppress_end(const struct net_device *dev, int demotion, const char *why)
{
	struct carp_net *cn = carp_net(dev_net(dev));

	atomic_dec(&cn->suppress);
	carp_demote(cn, -(s64)demotion, dev, why);
}

static int carp_stats_show(struct seq_file *seq, void *v)
{
	struct carp_net *cn = carp_net(seq_file_single_net(seq));
	int i;

	for (i = 0; i < CARP_STAT_NUM; i++)
		seq_printf(seq, "%s %ld\n", carp_stat_names[i],
			   atomic_long_read(&cn->stats[i]));
	return 0;
}

static int carp_sysctl_register(struct net *net, struct carp_net *cn)
{
	size_t n = ARRAY_SIZE(carp_sysctl_template);
	struct ctl_table *tbl;
	int i;

	/* One table per namespace, also for init_net: the module can unload. */
	tbl = kcalloc(n, sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	memcpy(tbl, carp_sysctl_template, sizeof(carp_sysctl_template));
	BUILD_BUG_ON(ARRAY_SIZE(carp_sysctl_template) != CARP_SYSCTL_NUM);
	tbl[CARP_SYSCTL_ALLOW].data = &cn->allow;
	tbl[CARP_SYSCTL_PREEMPT].data = &cn->preempt;
	tbl[CARP_SYSCTL_LOG].data = &cn->log;
	tbl[CARP_SYSCTL_ARPBALANCE].data = &cn->arpbalance;
	tbl[CARP_SYSCTL_SUPPRESS_PREEMPT].data = &cn->suppress.counter;
	/* CARP_SYSCTL_DEMOTION: computed by its handler */
	tbl[CARP_SYSCTL_IFDOWN_FACTOR].data = &cn->ifdown_factor;
	tbl[CARP_SYSCTL_SENDERR_FACTOR].data = &cn->senderr_factor;
	for (i = 0; i < n; i++)
		tbl[i].extra1 = cn;

	cn->sysctl_hdr = register_net_sysctl_sz(net, "net/carp", tbl, n);
	if (!cn->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	return 0;
}

static void carp_sysctl_unregister(struct carp_net *cn)
{
	const struct ctl_table *tbl = cn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(cn->sysctl_hdr);
	kfree(tbl);
}

static int __net_init carp_net_init(struct net *net)
{
	struct carp_net *cn = carp_net(net);
	int err;

	cn->net = net;
	if (net_eq(net, &init_net)) {
		cn->allow = carp_param_allow.boot;
		cn->preempt = carp_param_preempt.boot;
		cn->log = carp_param_log.boot;
		cn->arpbalance = carp_param_arpbalance.boot;
		cn->ifdown_factor = carp_param_ifdown_factor.boot;
		cn->senderr_factor = carp_param_senderr_factor.boot;
	} else {
		/* init_net's carp_net is set up first: it heads the list. */
		const struct carp_net *init = carp_net(&init_net);

		cn->allow = READ_ONCE(init->allow);
		cn->preempt = READ_ONCE(init->preempt);
		cn->log = READ_ONCE(init->log);
		cn->arpbalance = READ_ONCE(init->arpbalance);
		cn->ifdown_factor = READ_ONCE(init->ifdown_factor);
		cn->senderr_factor = READ_ONCE(init->senderr_factor);
	}
	spin_lock_init(&cn->demotion_lock);
	ratelimit_state_init(&cn->log_rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	/* No "callbacks suppressed" lines: they would bypass the limits. */
	ratelimit_set_flags(&cn->log_rs, RATELIMIT_MSG_ON_RELEASE);
	INIT_WORK(&cn->demote_work, carp_demote_work);

	err = carp_sysctl_register(net, cn);
	if (err)
		return err;
	err = -ENOMEM;
	if (!proc_create_net_single("carp_stats", 0444, net->proc_net,
				    carp_stats_show, NULL))
		goto err_proc;
	err = carp_arp_net_init(net);
	if (err)
		goto err_arp;
	return 0;

err_arp:
	remove_proc_entry("carp_stats", net->proc_net);
err_proc:
	carp_sysctl_unregister(cn);
	/* A write of net.carp.demotion may have queued it meanwhile. */
	cancel_work_sync(&cn->demote_work);
	return err;
}

static void __net_exit carp_net_exit(struct net *net)
{
	struct carp_net *cn = carp_net(net);

	carp_arp_net_exit(net);
	remove_proc_entry("carp_stats", net->proc_net);
	carp_sysctl_unregister(cn);
	cancel_work_sync(&cn->demote_work);
}

static struct pernet_operations carp_net_ops = {
	.init	= carp_net_init,
	.exit	= carp_net_exit,
	.id	= &carp_net_id,
	.size	= sizeof(struct carp_net),
};

int carp_netns_init(void)
{
	int err;

	/* No parameter write between reading .boot and going live. */
	kernel_param_lock(THIS_MODULE);
	err = register_pernet_subsys(&carp_net_ops);
	carp_params_live = !err;
	kernel_param_unlock(THIS_MODULE);
	return err;
}

void carp_netns_exit(void)
{
	kernel_param_lock(THIS_MODULE);
	carp_params_live = false;
	kernel_param_unlock(THIS_MODULE);
	unregister_pernet_subsys(&carp_net_ops);
}
