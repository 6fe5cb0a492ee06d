// SPDX-License-Identifier: GPL-2.0
/*
 * carp: the Common Address Redundancy Protocol of FreeBSD and OpenBSD as a
 * Linux link type.  Module init and exit only; see the other files for the
 * parts, in the order they are brought up here.
 */

#include <linux/module.h>
#include <net/rtnetlink.h>

#include "carp.h"

static int __init carp_init(void)
{
	int err;

	err = carp_netns_init();
	if (err)
		return err;
	err = carp_port_notifier_init();
	if (err)
		goto err_port;
	err = carp_addr_notifier_init();
	if (err)
		goto err_addr;
	err = rtnl_link_register(&carp_link_ops);
	if (err)
		goto err_link;
	err = carp_input_init();
	if (err)
		goto err_input;
	pr_info("Common Address Redundancy Protocol, version 2\n");
	return 0;

err_input:
	rtnl_link_unregister(&carp_link_ops);
err_link:
	carp_addr_notifier_exit();
err_addr:
	carp_port_notifier_exit();
err_port:
	carp_netns_exit();
	return err;
}

static void __exit carp_exit(void)
{
	carp_input_exit();
	rtnl_link_unregister(&carp_link_ops);	/* deletes every carp device */
	carp_addr_notifier_exit();
	carp_port_notifier_exit();
	carp_netns_exit();
}

module_init(carp_init);
module_exit(carp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Common Address Redundancy Protocol (CARP) devices");
MODULE_AUTHOR("The carp for Linux developers");
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
