/*
 * test_world_e0.c: R-SUP-2's E0 as one knob (chain.e0). E0 is alpha +
 * beta + gamma: given alone, the three keep their proportions (10:10:5);
 * given with some of them, the others share what is left in theirs;
 * given with all three, they must add up to it; the genesis mints exactly
 * E0 x supply, and the rest is the emission.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "dn_market.h"
#include "dn_net.h"
#include "results.h"
#include "world.h"
#include "world_fixture.h"

#define HEAD                                                                          \
	"sim: {model: world, end_time_s: 60, partitions: 1, sample_interval_s: 10}\n" \
	"world: {agents: 200, candidates: 5}\n"

static world *built(dn_registry *reg, const char *chain, dn_world **w, dn_scenario **s)
{
	char y[1024];
	snprintf(y, sizeof y, HEAD "chain: {signatures: keyed, %s}\n", chain);
	*w = new_world(reg, y, 1, s);
	return dn_world_model(*w);
}

/* alpha, beta, gamma in ppm, and what the chain's genesis allocated. */
static void expect_shares(dn_registry *reg, const char *chain, uint32_t a, uint32_t b, uint32_t g)
{
	dn_world *w;
	dn_scenario *s;
	world *W = built(reg, chain, &w, &s);
	assert_int_equal(W->cfg.cp.alpha_ppm, a);
	assert_int_equal(W->cfg.cp.beta_ppm, b);
	assert_int_equal(W->cfg.cp.gamma_ppm, g);
	/* the chain holds exactly E0 x supply at genesis, the rest unminted */
	dnc_allocation al;
	assert_int_equal(dnc_allocation_compute(dnc_chain_params(W->ch.chain), &al), DNC_OK);
	const dn_amount supply = W->cfg.cp.supply_base;
	assert_int_equal(dnc_ledger_unminted(dnc_chain_ledger_c(W->ch.chain)), supply - al.initial);
	assert_int_equal(al.initial, al.team + al.sale + al.community);
	dn_world_free(w);
	dn_scenario_free(s);
}

static void test_R_SUP_2_e0_default_is_the_sum(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	expect_shares(reg, "e0: 0.25", 100000, 100000, 50000);
	expect_shares(reg, "lambda: 0.5", 100000, 100000, 50000);
	dn_registry_free(reg);
}

static void test_R_SUP_2_e0_alone_keeps_proportions(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	expect_shares(reg, "e0: 0.4", 160000, 160000, 80000);
	expect_shares(reg, "e0: 0.1", 40000, 40000, 20000);
	/* rounding: the millionths still add up to E0's */
	expect_shares(reg, "e0: 0.333333", 133333, 133333, 66667);
	dn_registry_free(reg);
}

static void test_R_SUP_2_e0_with_some_shares(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	/* gamma kept, alpha and beta share the rest 1:1 */
	expect_shares(reg, "e0: 0.4, gamma: 0.2", 100000, 100000, 200000);
	/* alpha and beta kept, gamma takes the rest */
	expect_shares(reg, "e0: 0.3, alpha: 0.05, beta: 0.05", 50000, 50000, 200000);
	/* all three agreeing with E0 */
	expect_shares(reg, "e0: 0.3, alpha: 0.1, beta: 0.1, gamma: 0.1", 100000, 100000, 100000);
	dn_registry_free(reg);
}

static void expect_refused(dn_registry *reg, const char *chain, const char *needle)
{
	char y[1024], err[1024];
	dn_scenario *s = NULL;
	snprintf(y, sizeof y, HEAD "chain: {signatures: keyed, %s}\n", chain);
	if (dn_scenario_load_string(reg, "bad.yaml", y, NULL, 0, &s, err, sizeof err))
		fail_msg("scenario: %s", err);
	dn_world *w = (dn_world *)1;
	err[0] = 0;
	assert_int_not_equal(dn_world_new(&dn_model_world, s, 1, &w, err, sizeof err), DN_OK);
	assert_null(w);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not mention '%s'", err, needle);
	dn_scenario_free(s);
}

static void test_R_SUP_2_e0_disagreeing_refused(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	expect_refused(reg, "e0: 0.4, alpha: 0.1, beta: 0.1, gamma: 0.1",
	               "chain.e0 is 0.4 but the three shares add up to 0.3");
	expect_refused(reg, "e0: 0.4, alpha: 0.1, beta: 0.1, gamma: 0.1", "bad.yaml:3:");
	expect_refused(reg, "e0: 0.1, alpha: 0.2", "the shares set already take 0.2");
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_SUP_2_e0_default_is_the_sum),
		cmocka_unit_test(test_R_SUP_2_e0_alone_keeps_proportions),
		cmocka_unit_test(test_R_SUP_2_e0_with_some_shares),
		cmocka_unit_test(test_R_SUP_2_e0_disagreeing_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
