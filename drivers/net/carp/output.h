/* SPDX-License-Identifier: GPL-2.0 */
/* Sending advertisements and gratuitous ARP through the parent. */
#ifndef _CARP_OUTPUT_H
#define _CARP_OUTPUT_H

#include "device.h"

int carp_send_advert(struct carp_dev *carp, u8 advbase, u8 advskew);
void carp_send_garp(struct carp_dev *carp);
void carp_send_reset(struct carp_dev *carp);
__be32 carp_parent_addr(struct net_device *parent, __be32 dst);

#endif /* _CARP_OUTPUT_H */
