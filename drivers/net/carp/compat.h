/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels carp builds against (Debian
 * 6.1 and 6.12 up to mainline).  Every CARP_HAVE_* macro is set by the
 * Makefile from a grep of the headers in use, because distribution kernels
 * backport interfaces inside a stable series and version numbers lie.
 * This header is force-included into every carp source file.
 */
#ifndef _CARP_COMPAT_H
#define _CARP_COMPAT_H

#include <linux/netdevice.h>
#include <linux/timer.h>
#include <net/net_namespace.h>

#ifndef CARP_HAVE_TIMER_CONTAINER_OF
#define timer_container_of(var, timer, field) from_timer(var, timer, field)
#endif

#ifndef CARP_HAVE_TIMER_SHUTDOWN
#define timer_shutdown_sync(t) del_timer_sync(t)
#endif

/* Tell the core that this device does its own (lockless) transmit. */
static inline void carp_compat_set_lltx(struct net_device *dev)
{
#ifdef CARP_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* A carp device lives in its parent's namespace and cannot leave it. */
static inline void carp_compat_set_netns_immutable(struct net_device *dev)
{
#if defined(CARP_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(CARP_HAVE_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * No IPv6 autoconfiguration on carp devices, also when addrconf makes a
 * new inet6_dev by itself (an MTU back above 1280).  Older kernels only
 * have the addr_gen_mode that ndo_open sets.
 */
static inline void carp_compat_set_no_addrconf(struct net_device *dev)
{
#ifdef CARP_HAVE_NO_ADDRCONF
	dev->priv_flags |= IFF_NO_ADDRCONF;
#endif
}

/*
 * Since 6.5 the sysctl core takes the table size instead of walking to an
 * empty sentinel entry (and 6.12 rejects a sentinel).  Tables are kept
 * without sentinel; old kernels get one spare zeroed slot from the caller.
 */
#ifdef CARP_HAVE_SYSCTL_SZ
#define CARP_SYSCTL_SENTINEL 0
#define carp_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define CARP_SYSCTL_SENTINEL 1
#define carp_register_net_sysctl(net, path, table, n) \
	({ (void)(n); register_net_sysctl(net, path, table); })
#endif

/* Since 6.11 proc handlers take a const table. */
#ifdef CARP_HAVE_CONST_CTL_TABLE
#define carp_ctl_table const struct ctl_table
#else
#define carp_ctl_table struct ctl_table
#endif

#endif /* _CARP_COMPAT_H */
