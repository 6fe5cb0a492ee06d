/* SPDX-License-Identifier: GPL-2.0 */
/* /sys/class/net/<carp>/carp/: configuration, state and counters. */
#ifndef _CARP_SYSFS_H
#define _CARP_SYSFS_H

#include <linux/sysfs.h>

extern const struct attribute_group carp_attr_group;

#endif /* _CARP_SYSFS_H */
