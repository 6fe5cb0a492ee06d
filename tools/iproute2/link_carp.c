// SPDX-License-Identifier: GPL-2.0
/*
 * link_carp.c - iproute2 plugin for the "carp" link type
 *
 * Teaches an unmodified ip(8) to create, change and show carp devices
 * (Common Address Redundancy Protocol virtual hosts):
 *
 *   ip link add link eth0 name carp0 type carp vhid 1 advskew 100 pass secret
 *   ip link set carp0 type carp state backup
 *   ip -d link show carp0
 *
 * ip has no built-in knowledge of "carp".  When it meets an unknown kind it
 * dlopen()s "link_<kind>.so" from $IP_LIB_DIR (default: the distribution's
 * lib dir, /usr/lib/x86_64-linux-gnu/ip on Debian amd64) and looks up the
 * symbol "<kind>_link_util".  The helpers called below (addattr_l,
 * print_color_uint, ...) are not linked in here: they are exported by the ip
 * binary itself and bound when ip loads us.
 *
 * The kernel's netlink policy enforces every range; its extack for a bad
 * value can only say "integer out of range", so the same limits, from the
 * uapi header, are checked here too and the message names the option.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <linux/if_carp.h>

/* Size of the payload area of ip's link request ("char buf[1024]"). */
#define CARP_REQ_MAXLEN	1024

/*
 * iproute2 installs no development headers, so carry private copies of
 * the pieces of its plugin ABI that we use.  Field order and enum values
 * must match the ip binary (iproute2 6.1); only append-safe members are
 * relied upon.
 */
struct link_util {
	struct link_util *next;
	const char *id;
	int maxattr;
	int (*parse_opt)(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n);
	void (*print_opt)(struct link_util *lu, FILE *f, struct rtattr *tb[]);
	void (*print_xstats)(struct link_util *lu, FILE *f,
			     struct rtattr *xstats);
	void (*print_help)(struct link_util *lu, int argc, char **argv,
			   FILE *f);
	int (*parse_ifla_xstats)(struct link_util *lu, int argc, char **argv);
	int (*print_ifla_xstats)(struct nlmsghdr *n, void *arg);
};

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 4,
};

/* Only COLOR_NONE is used; its value is the 7th entry of ip's enum. */
enum color_attr {
	COLOR_NONE = 6,
};

/* Exported by the ip binary, resolved at dlopen() time. */
int addattr8(struct nlmsghdr *n, int maxlen, int type, __u8 data);
int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data,
	      int alen);
void invarg(const char *msg, const char *arg) __attribute__((noreturn));
void incomplete_command(void) __attribute__((noreturn));
int print_color_string(enum output_type t, enum color_attr color,
		       const char *key, const char *fmt, const char *value);
int print_color_uint(enum output_type t, enum color_attr color,
		     const char *key, const char *fmt, unsigned int value);

static void carp_print_help(struct link_util *lu, int argc, char **argv,
			    FILE *f)
{
	(void)lu;
	(void)argc;
	(void)argv;

	fprintf(f,
		"Usage: ... carp vhid VHID [ advbase SECONDS ]"
		" [ advskew SKEW ]\n"
		"\t\t [ pass PASSWORD ] [ state { master | backup } ]\n"
		"\n"
		"Where: VHID     := 1-255\n"
		"       SECONDS  := 1-255\n"
		"       SKEW     := 0-254\n"
		"       PASSWORD := at most %d bytes\n"
		"\n"
		"vhid is required by \"ip link add\" only.\n",
		CARP_KEY_LEN);
}

static void carp_usage(void)
{
	carp_print_help(NULL, 0, NULL, stderr);
}

/*
 * Parse one u8 option value and add it.  The kernel's netlink policy is
 * what enforces the range; checking it here too gives a message that names
 * the option, where the kernel can only say "integer out of range".
 */
static void carp_add_u8(struct nlmsghdr *n, int type, const char *what,
			unsigned int min, unsigned int max, const char *arg)
{
	unsigned long val;
	char msg[64];
	char *end;

	snprintf(msg, sizeof(msg), "%s must be between %u and %u", what, min, max);
	errno = 0;
	val = strtoul(arg, &end, 10);
	/* Digits only: strtoul would also take " 5", "+5" and "-0". */
	if (!isdigit((unsigned char)*arg) || *end || errno || val < min || val > max)
		invarg(msg, arg);
	addattr8(n, CARP_REQ_MAXLEN, type, val);
}

static void carp_add_state(struct nlmsghdr *n, const char *arg)
{
	__u8 state;

	if (!strcasecmp(arg, "master"))
		state = CARP_STATE_MASTER;
	else if (!strcasecmp(arg, "backup"))
		state = CARP_STATE_BACKUP;
	else
		invarg("invalid state, expected \"master\" or \"backup\"", arg);
	addattr8(n, CARP_REQ_MAXLEN, IFLA_CARP_STATE, state);
}

/*
 * The key goes out verbatim, without its NUL and never truncated: an
 * over-long password fails loudly rather than being cut to CARP_KEY_LEN.
 * "" sends an empty key (no password).
 */
static void carp_add_key(struct nlmsghdr *n, const char *arg)
{
	char msg[48];

	if (strlen(arg) > CARP_KEY_LEN) {
		snprintf(msg, sizeof(msg), "pass must be at most %d bytes", CARP_KEY_LEN);
		invarg(msg, "(not shown)");
	}
	addattr_l(n, CARP_REQ_MAXLEN, IFLA_CARP_KEY, arg, strlen(arg));
}

static int carp_parse_opt(struct link_util *lu, int argc, char **argv,
			  struct nlmsghdr *n)
{
	(void)lu;

	for (; argc > 0; argc--, argv++) {
		const char *opt = *argv;

		if (!strcmp(opt, "help")) {
			carp_usage();
			return -1;
		}

		/* Every other keyword takes exactly one value. */
		if (strcmp(opt, "vhid") && strcmp(opt, "advbase") &&
		    strcmp(opt, "advskew") && strcmp(opt, "pass") &&
		    strcmp(opt, "state")) {
			fprintf(stderr, "carp: unknown option \"%s\"?\n", opt);
			carp_usage();
			return -1;
		}
		if (argc < 2)
			incomplete_command();
		argc--;
		argv++;

		if (!strcmp(opt, "vhid"))
			carp_add_u8(n, IFLA_CARP_VHID, "vhid", CARP_VHID_MIN,
				    CARP_VHID_MAX, *argv);
		else if (!strcmp(opt, "advbase"))
			carp_add_u8(n, IFLA_CARP_ADVBASE, "advbase",
				    CARP_ADVBASE_MIN, CARP_ADVBASE_MAX, *argv);
		else if (!strcmp(opt, "advskew"))
			carp_add_u8(n, IFLA_CARP_ADVSKEW, "advskew", 0,
				    CARP_ADVSKEW_MAX, *argv);
		else if (!strcmp(opt, "pass"))
			carp_add_key(n, *argv);
		else
			carp_add_state(n, *argv);
	}

	return 0;
}

/*
 * ip does not check attribute lengths for us, so a short attribute (old or
 * broken kernel) is treated as absent rather than read past its end.
 */
static int carp_get_u8(struct rtattr *tb[], int type, __u8 *val)
{
	struct rtattr *rta = tb[type];

	if (!rta || RTA_PAYLOAD(rta) < sizeof(__u8))
		return -1;
	*val = *(__u8 *)RTA_DATA(rta);
	return 0;
}

static const char *carp_state_name(__u8 state)
{
	switch (state) {
	case CARP_STATE_INIT:
		return "INIT";
	case CARP_STATE_BACKUP:
		return "BACKUP";
	case CARP_STATE_MASTER:
		return "MASTER";
	default:
		return "UNKNOWN";
	}
}

static void carp_print_u8(struct rtattr *tb[], int type, const char *key,
			  const char *fmt)
{
	__u8 val;

	if (!carp_get_u8(tb, type, &val))
		print_color_uint(PRINT_ANY, COLOR_NONE, key, fmt, val);
}

/* IFLA_CARP_KEY is a secret and deliberately never shown. */
static void carp_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	__u8 state;

	(void)lu;
	(void)f;

	if (!tb)
		return;

	carp_print_u8(tb, IFLA_CARP_VHID, "vhid", "vhid %u ");
	carp_print_u8(tb, IFLA_CARP_ADVBASE, "advbase", "advbase %u ");
	carp_print_u8(tb, IFLA_CARP_ADVSKEW, "advskew", "advskew %u ");

	if (!carp_get_u8(tb, IFLA_CARP_STATE, &state))
		print_color_string(PRINT_ANY, COLOR_NONE, "state", "state %s ",
				   carp_state_name(state));
}

/* Looked up by name ("<kind>_link_util") with dlsym(), hence not static. */
struct link_util carp_link_util = {
	.id		= "carp",
	.maxattr	= IFLA_CARP_MAX,
	.parse_opt	= carp_parse_opt,
	.print_opt	= carp_print_opt,
	.print_help	= carp_print_help,
};
