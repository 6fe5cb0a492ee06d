// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the election rules: one case per row of the protocol
 * reference's table (section 4.4), for MASTER, BACKUP and INIT.
 */

#include <kunit/test.h>

#include "../election.h"

struct carp_election_case {
	const char *what;
	enum carp_state state;
	struct carp_self self;
	u8 rx_advbase;
	u8 rx_advskew;
	enum carp_verdict want;
};

static const struct carp_election_case carp_election_cases_table[] = {
	{ "master hears a more frequent master",
	  CARP_STATE_MASTER, { 1, 100, false }, 1, 0, CARP_YIELD },
	{ "master hears an equally frequent master: both step down",
	  CARP_STATE_MASTER, { 1, 100, false }, 1, 100, CARP_YIELD },
	{ "master hears a slower master",
	  CARP_STATE_MASTER, { 1, 0, false }, 1, 100, CARP_IGNORE },
	{ "master ignores preempt: a slower peer never makes it yield",
	  CARP_STATE_MASTER, { 1, 0, true }, 2, 0, CARP_IGNORE },
	{ "master hears a bow-out",
	  CARP_STATE_MASTER, { 1, 0, false }, 255, 255, CARP_IGNORE },
	{ "backup, preempt on, slower master: preempt",
	  CARP_STATE_BACKUP, { 1, 0, true }, 1, 100, CARP_PREEMPT },
	{ "backup, preempt off, slower master: wait",
	  CARP_STATE_BACKUP, { 1, 0, false }, 1, 100, CARP_WAIT },
	{ "backup, preempt on, equal master: wait",
	  CARP_STATE_BACKUP, { 1, 100, true }, 1, 100, CARP_WAIT },
	{ "backup, preempt on, faster master: wait",
	  CARP_STATE_BACKUP, { 1, 100, true }, 1, 0, CARP_WAIT },
	{ "backup hears a bow-out: take over",
	  CARP_STATE_BACKUP, { 1, 100, false }, 255, 255, CARP_TAKEOVER },
	{ "backup, master slower than our master-down: take over",
	  CARP_STATE_BACKUP, { 1, 0, false }, 4, 0, CARP_TAKEOVER },
	{ "backup, master exactly at our master-down: wait",
	  CARP_STATE_BACKUP, { 1, 0, false }, 3, 0, CARP_WAIT },
	{ "backup, master one skew step past our master-down: take over",
	  CARP_STATE_BACKUP, { 1, 0, false }, 3, 1, CARP_TAKEOVER },
	{ "suppressed backup (skew 240) does not preempt a skew 100 master",
	  CARP_STATE_BACKUP, { 1, 240, true }, 1, 100, CARP_WAIT },
	{ "init ignores advertisements",
	  CARP_STATE_INIT, { 1, 0, true }, 255, 255, CARP_IGNORE },
};

static void carp_election_desc(const struct carp_election_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(carp_election, carp_election_cases_table, carp_election_desc);

/* One parameterized case per row, so a failure names its rule. */
static void carp_election_rule(struct kunit *test)
{
	const struct carp_election_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, carp_elect(c->state, &c->self, c->rx_advbase,
					 c->rx_advskew), c->want);
}

static void carp_election_reasons(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, carp_verdict_reason(CARP_YIELD),
			   "more frequent advertisement received");
	KUNIT_EXPECT_STREQ(test, carp_verdict_reason(CARP_PREEMPT),
			   "preempting a slower master");
}

/*
 * The skew a demoted device advertises and compares: FreeBSD's
 * DEMOTE_ADVSKEW, advskew + demotion within 0..240, except that a
 * configured skew above 240 is never lowered by a positive demotion.
 */
static void carp_demotion_skew(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(100, 0), 100);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(0, 0), 0);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(254, 0), 254);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(30, 100), 130);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(100, 140), 240);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(100, 141), 240);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(0, 240), 240);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(0, 1000000), 240);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(250, 240), 250);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(250, -20), 230);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(100, -20), 80);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(100, -100), 0);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(100, -1000000), 0);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(0, S64_MAX), 240);
	KUNIT_EXPECT_EQ(test, carp_demoted_skew(254, S64_MIN), 0);
}

static struct kunit_case carp_election_cases[] = {
	KUNIT_CASE_PARAM(carp_election_rule, carp_election_gen_params),
	KUNIT_CASE(carp_election_reasons),
	KUNIT_CASE(carp_demotion_skew),
	{}
};

static struct kunit_suite carp_election_suite = {
	.name = "carp_election",
	.test_cases = carp_election_cases,
};

kunit_test_suite(carp_election_suite);
