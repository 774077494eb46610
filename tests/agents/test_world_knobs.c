/*
 * test_world_knobs.c: the white paper's protocol knobs as scenario
 * parameters of the world model (chain.* in models/agents/world_params.c):
 *  - by default each equals the paper's value, read back through the
 *    world's W->cfg.cp and the chain's own parameters;
 *  - values outside a parameter's range, and forwarding shares adding up
 *    to more than 1, are refused with a message naming the parameter;
 *  - each reaches the rule it sets, in the direction the rule says:
 *    R-SUP-1 a smaller supply lowers the block reward; R-FWD-1 a lower
 *    origin share lowers what creators earn per sale in a content world;
 *    R-LOCK-1 a longer cliff delays the team's first unlock and a higher
 *    monthly rate unlocks more; R-GOV-1 the threshold is the chain's
 *    fraction; R-FEE-1 every transaction the world signs carries
 *    chain.tx_fee_dnet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "dn_market.h"
#include "dn_net.h"
#include "results.h"
#include "world.h"
#include "world_fixture.h"

/* ---- helpers ---- */

/* A small world (built, not run) with extra chain.* settings. */
#define SMALL_HEAD                                                                  \
	"sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n" \
	"world: {agents: 200, candidates: 5}\n"

static dn_world *small_world(dn_registry *reg, const char *chain, dn_scenario **s)
{
	char y[1024];
	snprintf(y, sizeof y, SMALL_HEAD "chain: {signatures: keyed%s%s}\n", *chain ? ", " : "", chain);
	return new_world(reg, y, 1, s);
}

/* Refused when the scenario is read (the table's range). */
static void expect_load_refused(dn_registry *reg, const char *chain, const char *needle)
{
	char y[1024], err[512];
	dn_scenario *s = NULL;
	snprintf(y, sizeof y, SMALL_HEAD "chain: {signatures: keyed, %s}\n", chain);
	err[0] = 0;
	dn_rc rc = dn_scenario_load_string(reg, "bad", y, NULL, 0, &s, err, sizeof err);
	if (rc == DN_OK) {
		/* or, at the latest, by the world */
		dn_world *w = (dn_world *)1;
		rc = dn_world_new(&dn_model_world, s, 1, &w, err, sizeof err);
		if (rc == DN_OK)
			dn_world_free(w);
		dn_scenario_free(s);
		if (rc == DN_OK)
			fail_msg("'%s' was accepted", chain);
	}
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
}

/* Accepted by the scenario, refused by the world (a cross-parameter check). */
static void expect_world_refused(dn_registry *reg, const char *chain, const char *needle)
{
	char y[1024], err[512];
	dn_scenario *s = NULL;
	snprintf(y, sizeof y, SMALL_HEAD "chain: {signatures: keyed, %s}\n", chain);
	if (dn_scenario_load_string(reg, "bad", y, NULL, 0, &s, err, sizeof err))
		fail_msg("scenario: %s", err);
	dn_world *w = (dn_world *)1;
	err[0] = 0;
	dn_rc rc = dn_world_new(&dn_model_world, s, 1, &w, err, sizeof err);
	assert_int_not_equal(rc, DN_OK);
	assert_null(w);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	dn_scenario_free(s);
}

/* ---- defaults ---- */

/* Every new knob defaults to the paper's value, in the world's
 * configuration and in the chain it built. */
static void test_defaults_are_the_papers(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = small_world(reg, "", &s);
	const world *W = dn_world_model(w);
	const dnc_params *p = &W->cfg.cp;
	assert_int_equal(p->supply_base, INT64_C(7500000000) * DNC_UNITS_PER_DNET); /* R-SUP-1 */
	assert_int_equal(p->fwd_origin_ppm, 150000);                                /* R-FWD-1 */
	assert_int_equal(p->fwd_seller_ppm, 600000);
	assert_int_equal(p->fwd_pool_ppm, 200000);
	assert_int_equal(p->fwd_first_ppm, 500000); /* R-FWD-2 */
	assert_int_equal(p->fwd_decay_ppm, 500000);
	assert_int_equal(p->fwd_min_reward_base, 10);
	assert_int_equal(p->fwd_order, DNC_FWD_FROM_ORIGIN);
	assert_int_equal(p->lock_cliff_months, 6); /* R-LOCK-1 */
	assert_int_equal(p->lock_monthly_ppm, 20000);
	assert_int_equal(p->gov_num, 2); /* R-GOV-1: more than 2/3 */
	assert_int_equal(p->gov_den, 3);
	/* the same as the library's own defaults, and what the chain runs on */
	dnc_params d;
	dnc_params_default(&d);
	const dnc_params *c = dnc_chain_params(W->ch.chain);
	const dnc_params *both[2] = {&d, c};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(both[i]->supply_base, p->supply_base);
		assert_int_equal(both[i]->fwd_origin_ppm, p->fwd_origin_ppm);
		assert_int_equal(both[i]->fwd_seller_ppm, p->fwd_seller_ppm);
		assert_int_equal(both[i]->fwd_pool_ppm, p->fwd_pool_ppm);
		assert_int_equal(both[i]->fwd_first_ppm, p->fwd_first_ppm);
		assert_int_equal(both[i]->fwd_decay_ppm, p->fwd_decay_ppm);
		assert_int_equal(both[i]->fwd_min_reward_base, p->fwd_min_reward_base);
		assert_int_equal(both[i]->fwd_order, p->fwd_order);
		assert_int_equal(both[i]->lock_cliff_months, p->lock_cliff_months);
		assert_int_equal(both[i]->lock_monthly_ppm, p->lock_monthly_ppm);
		assert_int_equal(both[i]->gov_num, p->gov_num);
		assert_int_equal(both[i]->gov_den, p->gov_den);
	}
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* Set values arrive as set (ratios in ppm, the threshold as a fraction). */
static void test_set_values_read_back(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = small_world(reg,
	                          "supply_dnet: 1000000000, fwd_origin_share: 0.1, fwd_seller_share: 0.5,"
	                          " fwd_pool_share: 0.3, fwd_first_share: 0.4, fwd_decay: 0.25, fwd_min_reward_base: 77,"
	                          " fwd_order: nearest_buyer_first, lock_cliff_months: 12, lock_monthly_rate: 0.05,"
	                          " gov_threshold: 0.75",
	                          &s);
	const dnc_params *p = dnc_chain_params(((const world *)dn_world_model(w))->ch.chain);
	assert_int_equal(p->supply_base, INT64_C(1000000000) * DNC_UNITS_PER_DNET);
	assert_int_equal(p->fwd_origin_ppm, 100000);
	assert_int_equal(p->fwd_seller_ppm, 500000);
	assert_int_equal(p->fwd_pool_ppm, 300000);
	assert_int_equal(p->fwd_first_ppm, 400000);
	assert_int_equal(p->fwd_decay_ppm, 250000);
	assert_int_equal(p->fwd_min_reward_base, 77);
	assert_int_equal(p->fwd_order, DNC_FWD_NEAREST_BUYER_FIRST);
	assert_int_equal(p->lock_cliff_months, 12);
	assert_int_equal(p->lock_monthly_ppm, 50000);
	assert_int_equal(p->gov_num, 3);
	assert_int_equal(p->gov_den, 4);
	dn_world_free(w);
	dn_scenario_free(s);
	/* a threshold with no small fraction: millionths */
	w = small_world(reg, "gov_threshold: 0.71234567", &s);
	p = dnc_chain_params(((const world *)dn_world_model(w))->ch.chain);
	assert_int_equal(p->gov_num, 712346);
	assert_int_equal(p->gov_den, 1000000);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- refusals ---- */

static void test_out_of_range_refused(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	expect_load_refused(reg, "supply_dnet: 0", "chain.supply_dnet");
	expect_load_refused(reg, "supply_dnet: 100000000000", "chain.supply_dnet"); /* above int64 base units */
	expect_load_refused(reg, "fwd_origin_share: 1.5", "chain.fwd_origin_share");
	expect_load_refused(reg, "fwd_seller_share: -0.1", "chain.fwd_seller_share");
	expect_load_refused(reg, "fwd_pool_share: 2", "chain.fwd_pool_share");
	expect_load_refused(reg, "fwd_first_share: 1.01", "chain.fwd_first_share");
	expect_load_refused(reg, "fwd_decay: 1", "chain.fwd_decay");
	expect_load_refused(reg, "fwd_min_reward_base: 0", "chain.fwd_min_reward_base");
	expect_load_refused(reg, "fwd_order: random", "chain.fwd_order");
	expect_load_refused(reg, "lock_cliff_months: -1", "chain.lock_cliff_months");
	expect_load_refused(reg, "lock_monthly_rate: 0", "chain.lock_monthly_rate");
	expect_load_refused(reg, "gov_threshold: 1", "chain.gov_threshold");
	expect_load_refused(reg, "gov_threshold: 0.4", "chain.gov_threshold");
	/* R-FWD-1: a split may not create DNET; the message names all three */
	static const char *const names[] = {"chain.fwd_origin_share", "chain.fwd_seller_share", "chain.fwd_pool_share"};
	for (int i = 0; i < 3; i++)
		expect_world_refused(reg, "fwd_origin_share: 0.3, fwd_seller_share: 0.6, fwd_pool_share: 0.2", names[i]);
	/* R-FWD-2: the middlemen's series may not outgrow its pool */
	expect_world_refused(reg, "fwd_first_share: 0.8, fwd_decay: 0.5", "chain.fwd_first_share");
	expect_world_refused(reg, "fwd_first_share: 0.8, fwd_decay: 0.5", "chain.fwd_decay");
	dn_registry_free(reg);
}

/* ---- effects ---- */

/* R-SUP-1: the block reward is a share of the supply; ten times less
 * supply, ten times less reward. */
static void test_R_SUP_1_smaller_supply_lowers_block_reward(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s1 = NULL, *s2 = NULL;
	dn_world *w1 = small_world(reg, "", &s1);
	dn_world *w2 = small_world(reg, "supply_dnet: 750000000", &s2);
	dn_amount r1 = dnc_chain_emission(((const world *)dn_world_model(w1))->ch.chain)->block_reward;
	dn_amount r2 = dnc_chain_emission(((const world *)dn_world_model(w2))->ch.chain)->block_reward;
	print_message("block reward: default %lld, a tenth of the supply %lld\n", (long long)r1, (long long)r2);
	assert_true(r2 > 0);
	assert_true(r2 < r1);
	assert_true(llabs((long long)(r1 - 10 * r2)) <= 10 * 180);
	dn_world_free(w1);
	dn_world_free(w2);
	dn_scenario_free(s1);
	dn_scenario_free(s2);
	dn_registry_free(reg);
}

/* R-LOCK-1, through the chain the world built: the first month anything
 * of the team's total is unlocked, and how much by then. */
static uint64_t first_unlock_month(const dnc_params *p, dn_amount total, dn_amount *first)
{
	for (uint64_t m = 0; m < 1200; m++) {
		*first = dnc_lock_unlocked(p, total, m);
		if (*first > 0)
			return m;
	}
	fail_msg("never unlocked");
	return 0;
}

static void test_R_LOCK_1_cliff_and_rate(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s1 = NULL, *s2 = NULL;
	dn_world *w1 = small_world(reg, "", &s1);
	dn_world *w2 = small_world(reg, "lock_cliff_months: 9, lock_monthly_rate: 0.05", &s2);
	const dnc_params *p1 = dnc_chain_params(((const world *)dn_world_model(w1))->ch.chain);
	const dnc_params *p2 = dnc_chain_params(((const world *)dn_world_model(w2))->ch.chain);
	const dn_amount total = INT64_C(1000000) * DNC_UNITS_PER_DNET;
	dn_amount u1, u2;
	uint64_t m1 = first_unlock_month(p1, total, &u1);
	uint64_t m2 = first_unlock_month(p2, total, &u2);
	print_message("first unlock: default month %llu (%lld), cliff 9 at 5 %% month %llu (%lld)\n",
	              (unsigned long long)m1, (long long)u1, (unsigned long long)m2, (long long)u2);
	assert_int_equal(m1, 6);
	assert_int_equal(m2, 9);
	assert_true(u2 > u1);
	assert_int_equal(dnc_lock_unlocked(p2, total, 6), 0); /* still locked when the default unlocks */
	dn_world_free(w1);
	dn_world_free(w2);
	dn_scenario_free(s1);
	dn_scenario_free(s2);
	dn_registry_free(reg);
}

/* R-FWD-1 in a content world: what the origin's balance gained over
 * every forwarded sale (not bought by the origin itself) against the
 * prices paid, from the ledger around each CONTENT transaction. */
typedef struct fwd_obs {
	dnc_acct origin;
	dn_amount before;
	int watching;
	dn_amount origin_gain, price;
	uint64_t sales;
} fwd_obs;

static void fwd_hook(void *ctx, const world *W, const wtx *q, dn_time_ns t, dnc_rc rc, const dnc_tx_receipt *r)
{
	(void)t;
	fwd_obs *o = ctx;
	const dnc_tx *tx = &q->tx;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	if (tx->type != DNC_TX_CONTENT || tx->u.content.direct)
		return;
	if (!r) {
		dnc_acct from = dnc_ledger_find(L, &tx->from);
		o->origin = dnc_ledger_find(L, &tx->u.content.origin);
		o->watching = o->origin != DNC_NONE && from != o->origin;
		if (o->watching)
			o->before = dnc_ledger_balance(L, o->origin);
		return;
	}
	if (!o->watching || rc != DNC_OK)
		return;
	o->origin_gain += dnc_ledger_balance(L, o->origin) - o->before;
	o->price += tx->u.content.price;
	o->sales++;
	o->watching = 0;
}

static double origin_take(dn_registry *reg, const char *origin_share, fwd_obs *o)
{
	char y[1024];
	snprintf(y, sizeof y,
	         "sim: {model: world, seed: 5, end_time_s: 3600, partitions: 1, sample_interval_s: 10}\n"
	         "world: {agents: 1500, area_km: 0.6, candidates: 30, operators: 0}\n"
	         "chain: {delegates: 21, signatures: keyed, fwd_origin_share: %s}\n"
	         "content: {enabled: true, creator_fraction: 0.1, items_per_creator_per_day: 96,"
	         " purchases_per_agent_per_day: 24, resell_probability: 0.8}\n",
	         origin_share);
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, y, 1, &s);
	world *W = dn_world_model(w);
	memset(o, 0, sizeof *o);
	W->ch.tx_hook = fwd_hook;
	W->ch.tx_hook_ctx = o;
	run_world(w);
	print_message("sales %llu (forwarded %llu), watched %llu\n", (unsigned long long)W->ct.sales,
	              (unsigned long long)W->ct.forwarded, (unsigned long long)o->sales);
	dn_world_free(w);
	dn_scenario_free(s);
	assert_true(o->sales >= 10);
	return (double)o->origin_gain / (double)o->price;
}

static void test_R_FWD_1_lower_origin_share_lowers_creators_income(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	fwd_obs a, b;
	double hi = origin_take(reg, "0.15", &a);
	double lo = origin_take(reg, "0.05", &b);
	print_message("creators' take of forwarded sales: 0.15 -> %.4f over %llu sales, 0.05 -> %.4f over %llu\n", hi,
	              (unsigned long long)a.sales, lo, (unsigned long long)b.sales);
	assert_true(lo < hi);
	/* the share after the 0.5 % community fee, up to rounding */
	assert_true(fabs(hi - 0.15 * 0.995) < 0.002);
	assert_true(fabs(lo - 0.05 * 0.995) < 0.002);
	dn_registry_free(reg);
}

/* R-FEE-1: every transaction the world signs carries chain.tx_fee_dnet
 * (0 by default): by default some applied transactions pay no fee at all;
 * with a fee, every applied transaction's receipt pays at least it (on
 * top of any R-FEE-2 community fee), and the ledger stays conserved. */
typedef struct fee_obs {
	uint64_t applied, fee_free;
} fee_obs;

static void fee_hook(void *ctx, const world *W, const wtx *q, dn_time_ns t, dnc_rc rc, const dnc_tx_receipt *r)
{
	(void)W;
	(void)t;
	fee_obs *o = ctx;
	if (!r || rc != DNC_OK)
		return;
	assert_int_equal(q->tx.fee, W->cfg.tx_fee_base);
	assert_true(r->fee_paid >= q->tx.fee);
	o->applied++;
	o->fee_free += r->fee_paid == 0;
}

static void run_with_fee(dn_registry *reg, const char *fee, fee_obs *o, dn_amount *fee_base)
{
	char y[1024];
	snprintf(y, sizeof y,
	         "sim: {model: world, seed: 5, end_time_s: 1800, partitions: 1, sample_interval_s: 10}\n"
	         "world: {agents: 1500, area_km: 0.6, candidates: 30, operators: 0, check_ledger: true}\n"
	         "chain: {delegates: 21, signatures: keyed%s%s}\n"
	         "content: {enabled: true, creator_fraction: 0.1, items_per_creator_per_day: 96,"
	         " purchases_per_agent_per_day: 24, resell_probability: 0.8}\n",
	         *fee ? ", tx_fee_dnet: " : "", fee);
	dn_scenario *s = NULL;
	dn_world *w = new_world(reg, y, 1, &s);
	world *W = dn_world_model(w);
	*fee_base = W->cfg.tx_fee_base;
	memset(o, 0, sizeof *o);
	W->ch.tx_hook = fee_hook;
	W->ch.tx_hook_ctx = o;
	run_world(w);
	dn_world_free(w);
	dn_scenario_free(s);
}

static void test_R_FEE_1_transaction_fee(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	fee_obs a, b;
	dn_amount f0, f1;
	run_with_fee(reg, "", &a, &f0);
	run_with_fee(reg, "0.001", &b, &f1);
	print_message("fee-free transactions: default %llu of %llu, at 0.001 DNET each %llu of %llu\n",
	              (unsigned long long)a.fee_free, (unsigned long long)a.applied, (unsigned long long)b.fee_free,
	              (unsigned long long)b.applied);
	assert_int_equal(f0, 0);
	assert_int_equal(f1, DNC_UNITS_PER_DNET / 1000);
	assert_true(a.fee_free >= 10);
	assert_true(b.applied >= 10);
	assert_int_equal(b.fee_free, 0);
	expect_load_refused(reg, "tx_fee_dnet: -1", "chain.tx_fee_dnet");
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_are_the_papers),
		cmocka_unit_test(test_set_values_read_back),
		cmocka_unit_test(test_out_of_range_refused),
		cmocka_unit_test(test_R_SUP_1_smaller_supply_lowers_block_reward),
		cmocka_unit_test(test_R_LOCK_1_cliff_and_rate),
		cmocka_unit_test(test_R_FWD_1_lower_origin_share_lowers_creators_income),
		cmocka_unit_test(test_R_FEE_1_transaction_fee),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
