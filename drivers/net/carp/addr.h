/* SPDX-License-Identifier: GPL-2.0 */
/* Following the IPv4 addresses configured on carp devices. */
#ifndef _CARP_ADDR_H
#define _CARP_ADDR_H

struct carp_dev;

int carp_addrs_refresh(struct carp_dev *carp);
void carp_addrs_free(struct carp_dev *carp);
int carp_addr_notifier_init(void);
void carp_addr_notifier_exit(void);

#endif /* _CARP_ADDR_H */
