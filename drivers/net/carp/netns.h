/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state: the net.carp sysctls and the statistics.
 * Every namespace is a host of its own.
 */
#ifndef _CARP_NETNS_H
#define _CARP_NETNS_H

#include <linux/ratelimit.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "proto.h"

struct carp_net {
	/* sysctls; plain ints read with READ_ONCE() */
	int allow;
	int preempt;
	int log;
	int arpbalance;
	/*
	 * suppress_preempt: how many reasons (a parent down, repeated send
	 * errors) there are to advertise with skew 240 everywhere.  Changed
	 * from softirq, hence atomic; the read-only sysctl shows its counter.
	 */
	atomic_t suppress;
	/* This namespace's own budget for log lines: no neighbour can use it up. */
	struct ratelimit_state log_rs;
	struct work_struct suppress_work;	/* advertise now, all MASTERs */
	struct net *net;
	struct ctl_table_header *sysctl_hdr;
	atomic_long_t stats[CARP_STAT_NUM];
};

extern unsigned int carp_net_id;

static inline struct carp_net *carp_net(const struct net *net)
{
	return net_generic(net, carp_net_id);
}

#define CARP_LOG_DEBUG	7	/* net.carp.log at which everything is logged */

void carp_net_stat_inc(struct net *net, enum carp_stat stat);
bool carp_log_ok(struct net *net, int level);
void carp_suppress_adjust(struct net *net, int delta);
int carp_netns_init(void);
void carp_netns_exit(void);

#endif /* _CARP_NETNS_H */
