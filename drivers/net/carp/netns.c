// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace controls and statistics.
 *
 *   net.carp.allow            1: act on received advertisements
 *   net.carp.preempt          1: a BACKUP takes over from a slower MASTER
 *   net.carp.log              0 nothing, 1 bad packets, 2+ also state changes
 *   net.carp.arpbalance       1: share an address between vhids by ARP
 *   net.carp.suppress_preempt read-only: reasons to advertise with skew 240
 *
 * New namespaces start from the module parameters of the same names.  The
 * statistics are in /proc/net/carp_stats, one "name value" per line.
 */

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>

#include "arp.h"
#include "device.h"
#include "netns.h"
#include "state.h"

int carp_default_allow = 1;
int carp_default_preempt;
int carp_default_log = 1;
int carp_default_arpbalance;

module_param_named(allow, carp_default_allow, int, 0644);
MODULE_PARM_DESC(allow, "net.carp.allow of new namespaces (default 1)");
module_param_named(preempt, carp_default_preempt, int, 0644);
MODULE_PARM_DESC(preempt, "net.carp.preempt of new namespaces (default 0)");
module_param_named(log, carp_default_log, int, 0644);
MODULE_PARM_DESC(log, "net.carp.log of new namespaces (default 1)");
module_param_named(arpbalance, carp_default_arpbalance, int, 0644);
MODULE_PARM_DESC(arpbalance, "net.carp.arpbalance of new namespaces (default 0)");

unsigned int carp_net_id __read_mostly;

static int carp_log_max = 7;

static const struct ctl_table carp_sysctl_template[] = {
	{
		.procname	= "allow",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "preempt",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "log",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &carp_log_max,
	},
	{
		.procname	= "arpbalance",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "suppress_preempt",
		.maxlen		= sizeof(int),
		.mode		= 0444,
		.proc_handler	= proc_dointvec,
	},
};

void carp_net_stat_inc(struct net *net, enum carp_stat stat)
{
	atomic_long_inc(&carp_net(net)->stats[stat]);
}

/* Every MASTER in the namespace advertises its new skew at once. */
static void carp_suppress_work(struct work_struct *work)
{
	struct carp_net *cn = container_of(work, struct carp_net, suppress_work);
	struct net_device *dev;

	rtnl_lock();
	for_each_netdev(cn->net, dev)
		if (netif_is_carp(dev))
			carp_advertise_now(netdev_priv(dev));
	rtnl_unlock();
}

/**
 * carp_suppress_adjust - add a reason to suppress preemption, or drop one
 * @net: the namespace (the host)
 * @delta: +1 or -1
 */
void carp_suppress_adjust(struct net *net, int delta)
{
	struct carp_net *cn = carp_net(net);
	int now = atomic_add_return(delta, &cn->suppress);

	if ((delta > 0 && now == 1) || (delta < 0 && now == 0))
		schedule_work(&cn->suppress_work);
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

	/* One table per namespace, also for init_net: the module can unload. */
	tbl = kcalloc(n + CARP_SYSCTL_SENTINEL, sizeof(*tbl), GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	memcpy(tbl, carp_sysctl_template, sizeof(carp_sysctl_template));
	tbl[0].data = &cn->allow;
	tbl[1].data = &cn->preempt;
	tbl[2].data = &cn->log;
	tbl[3].data = &cn->arpbalance;
	tbl[4].data = &cn->suppress.counter;

	cn->sysctl_hdr = carp_register_net_sysctl(net, "net/carp", tbl, n);
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

static int carp_default(int value, int max)
{
	return clamp(value, 0, max);
}

static int __net_init carp_net_init(struct net *net)
{
	struct carp_net *cn = carp_net(net);
	int err;

	cn->net = net;
	cn->allow = carp_default(READ_ONCE(carp_default_allow), 1);
	cn->preempt = carp_default(READ_ONCE(carp_default_preempt), 1);
	cn->log = carp_default(READ_ONCE(carp_default_log), carp_log_max);
	cn->arpbalance = carp_default(READ_ONCE(carp_default_arpbalance), 1);
	INIT_WORK(&cn->suppress_work, carp_suppress_work);

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
	return err;
}

static void __net_exit carp_net_exit(struct net *net)
{
	struct carp_net *cn = carp_net(net);

	carp_arp_net_exit(net);
	remove_proc_entry("carp_stats", net->proc_net);
	carp_sysctl_unregister(cn);
	cancel_work_sync(&cn->suppress_work);
}

static struct pernet_operations carp_net_ops = {
	.init	= carp_net_init,
	.exit	= carp_net_exit,
	.id	= &carp_net_id,
	.size	= sizeof(struct carp_net),
};

int carp_netns_init(void)
{
	return register_pernet_subsys(&carp_net_ops);
}

void carp_netns_exit(void)
{
	unregister_pernet_subsys(&carp_net_ops);
}
