/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Common Address Redundancy Protocol (CARP) link type: netlink attributes.
 *
 * A carp device is created with
 *   ip link add link eth0 name carp0 type carp vhid 1 advskew 100 pass secret
 * and carries the attributes below inside IFLA_INFO_DATA.  The numbering is
 * ABI: attributes are only ever appended.
 */
#ifndef _UAPI_LINUX_IF_CARP_H
#define _UAPI_LINUX_IF_CARP_H

#include <linux/types.h>

#define CARP_KEY_LEN		20	/* bytes of HMAC key, zero padded */
#define CARP_VHID_MIN		1
#define CARP_VHID_MAX		255
#define CARP_ADVBASE_MIN	1
#define CARP_ADVBASE_MAX	255
#define CARP_ADVSKEW_MAX	254

enum carp_state {
	CARP_STATE_INIT,	/* not running: no parent, parent or carp down */
	CARP_STATE_BACKUP,	/* listening, ready to take over */
	CARP_STATE_MASTER,	/* owns the addresses and advertises */
	__CARP_STATE_MAX,
};

#define CARP_STATE_MAX (__CARP_STATE_MAX - 1)

enum {
	IFLA_CARP_UNSPEC,
	IFLA_CARP_VHID,		/* u8, 1..255, required on creation */
	IFLA_CARP_ADVBASE,	/* u8, seconds, 1..255, default 1 */
	IFLA_CARP_ADVSKEW,	/* u8, 1/256 s, 0..254, default 0 */
	IFLA_CARP_KEY,		/* binary, at most CARP_KEY_LEN bytes; never dumped */
	IFLA_CARP_STATE,	/* u8, enum carp_state; set: force BACKUP or MASTER */
	__IFLA_CARP_MAX,
};

#define IFLA_CARP_MAX (__IFLA_CARP_MAX - 1)

#endif /* _UAPI_LINUX_IF_CARP_H */
