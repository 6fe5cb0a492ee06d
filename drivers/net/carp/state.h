/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The INIT/BACKUP/MASTER state machine of one carp device and its two
 * timers.  Transitions happen in softirq (timers, received advertisements)
 * and under RTNL (configuration, link events); all under carp_dev.lock.
 */
#ifndef _CARP_STATE_H
#define _CARP_STATE_H

#include "device.h"
#include "proto.h"

void carp_state_init(struct carp_dev *carp);
void carp_state_shutdown(struct carp_dev *carp);
void carp_state_stop(struct carp_dev *carp, const char *why);
void carp_update(struct carp_dev *carp);
enum carp_stat carp_state_input(struct carp_dev *carp, const struct carp_advert *adv,
				__be32 saddr);
bool carp_force_state(struct carp_dev *carp, enum carp_state state);
void carp_advertise_now(struct carp_dev *carp);
u8 carp_effective_skew(const struct carp_dev *carp);
const char *carp_state_name(enum carp_state state);

#endif /* _CARP_STATE_H */
