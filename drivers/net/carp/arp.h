/* SPDX-License-Identifier: GPL-2.0 */
/* ARP ownership of the virtual addresses. */
#ifndef _CARP_ARP_H
#define _CARP_ARP_H

#include <linux/netdevice.h>

struct carp_dev;
struct carp_port;

rx_handler_result_t carp_arp_rx(struct carp_port *port, struct sk_buff *skb);
bool carp_arp_is_reply(struct sk_buff *skb);
bool carp_arp_shared(const struct carp_dev *carp, __be32 addr);
int carp_arp_net_init(struct net *net);
void carp_arp_net_exit(struct net *net);

#endif /* _CARP_ARP_H */
