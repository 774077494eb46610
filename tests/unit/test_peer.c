/*
 * test_peer.c: the peer-tokenomics model and its exact Gini structure.
 *  - the incremental Gini equals a direct sort-based computation after
 *    every batch of random updates (and S1, S2 exactly);
 *  - a small world (1,000 holders, 50 blocks) conserves tokens every block
 *    (model check and a full ledger scan), recomputes the Gini by sorting
 *    every block and agrees, and gives bit-identical /series at 1 and 2
 *    threads;
 *  - one payment and one block reward checked against amounts computed by
 *    hand (R-FEE-2, R-SHARE-2, R-EMIT-3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peer.h"
#include "results.h"

static uint64_t sm64(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static void test_gini_incremental_equals_direct(void **state)
{
	(void)state;
	static const uint64_t sizes[] = {1, 2, 7, 1000, 5000};
	for (size_t z = 0; z < 5; z++) {
		uint64_t n = sizes[z], s = 11 + z;
		int64_t *ranked = malloc(n * sizeof *ranked), *cur = malloc(n * sizeof *cur);
		assert_non_null(ranked);
		assert_non_null(cur);
		for (uint64_t i = 0; i < n; i++)
			ranked[i] = cur[i] = (int64_t)(sm64(&s) % 1000); /* many ties */
		dn_gini g;
		assert_int_equal(dn_gini_init(&g, ranked, n, n), DN_OK);
		for (int step = 0; step < 60; step++) {
			uint64_t k = 1 + sm64(&s) % (n < 50 ? n : 50);
			for (uint64_t j = 0; j < k; j++) {
				uint32_t a = (uint32_t)(sm64(&s) % n);
				uint64_t r = sm64(&s);
				/* small moves, big jumps, zeros, and no change at all */
				cur[a] = r % 4 == 0 ? 0 : r % 4 == 1 ? cur[a] : r % 4 == 2 ? (int64_t)(r % 2000)
				                                                      : (int64_t)(r % (UINT64_C(1) << 50));
				assert_int_equal(dn_gini_mark(&g, a), DN_OK);
			}
			dn_gini_commit(&g, ranked, cur, step % 2 ? 2 : 1);
			assert_memory_equal(ranked, cur, n * sizeof *cur);
			unsigned __int128 s2;
			int64_t s1;
			double direct = dn_gini_direct(cur, n, &s2, &s1);
			assert_true(s1 == g.s1);
			assert_true(s2 == g.s2);
			assert_true(direct == dn_gini_value(&g));
			assert_true(direct >= 0.0 && direct <= 1.0);
		}
		dn_gini_free(&g);
		free(ranked);
		free(cur);
	}
	/* Known values: all equal -> 0; one holder has everything -> (n-1)/n. */
	int64_t v[4] = {5, 5, 5, 5};
	assert_true(dn_gini_direct(v, 4, NULL, NULL) == 0.0);
	int64_t u[4] = {0, 0, 0, 8};
	assert_true(dn_gini_direct(u, 4, NULL, NULL) == 0.75);
}

static void test_gini_mark_bound(void **state)
{
	(void)state;
	int64_t v[10] = {0};
	dn_gini g;
	assert_int_equal(dn_gini_init(&g, v, 10, 3), DN_OK);
	assert_int_equal(dn_gini_mark(&g, 1), DN_OK);
	assert_int_equal(dn_gini_mark(&g, 1), DN_OK); /* idempotent */
	assert_int_equal(dn_gini_mark(&g, 2), DN_OK);
	assert_int_equal(dn_gini_mark(&g, 3), DN_OK);
	assert_int_equal(dn_gini_mark(&g, 4), DN_ELIMIT);
	dn_gini_free(&g);
	int64_t bad[2] = {1, -1};
	assert_int_equal(dn_gini_init(&g, bad, 2, 2), DN_EINVAL);
}

/* ---- the model ---- */

static dn_registry *make_registry(void)
{
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	size_t n;
	const dn_param_def *e = dn_engine_params(&n);
	assert_int_equal(dn_registry_add(reg, e, n), DN_OK);
	assert_int_equal(dn_registry_add(reg, dn_model_peer.params, dn_model_peer.n_params), DN_OK);
	return reg;
}

static dn_world *make_world(dn_registry *reg, const char *yaml, int threads, dn_scenario **s)
{
	char err[512];
	assert_int_equal(dn_scenario_load_string(reg, "test", yaml, NULL, 0, s, err, sizeof err), DN_OK);
	dn_world *w = NULL;
	dn_rc rc = dn_world_new(&dn_model_peer, *s, threads, &w, err, sizeof err);
	if (rc)
		fail_msg("world: %s", err);
	return w;
}

static const char *small_yaml =
	"sim: {model: peer, partitions: 1, seed: 9, end_time_s: 500, sample_interval_s: 10}\n"
	"peer: {agents: 1000, check_ledger: true, check_gini: true}\n";

static void run_to_file(dn_registry *reg, int threads, const char *path, uint64_t *fp)
{
	dn_scenario *s = NULL;
	dn_world *w = make_world(reg, small_yaml, threads, &s);
	char err[512];
	dn_results *r = NULL;
	assert_int_equal(dn_results_open(path, &r, err, sizeof err), DN_OK);
	dn_rc rc = dn_world_run(w, r, NULL, NULL, NULL, NULL, err, sizeof err);
	if (rc)
		fail_msg("run: %s", err);
	assert_int_equal(dn_results_close(r, true), DN_OK);
	assert_int_equal(dn_peer_height(w), 50);
	/* 50 blocks of 180 x 99,093,099 base units (R-EMIT-1 default t). */
	assert_int_equal(dn_peer_minted(w), INT64_C(50) * 180 * 99093099);
	*fp = dn_peer_fingerprint(w);
	dn_world_free(w);
	dn_scenario_free(s);
}

static void test_peer_small_world_conserves_and_is_deterministic(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	char p1[256], p2[256];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(p1, sizeof p1, "%s/dnetsim-test-peer-%d-1.h5", tmp, (int)getpid());
	snprintf(p2, sizeof p2, "%s/dnetsim-test-peer-%d-2.h5", tmp, (int)getpid());
	uint64_t f1, f2;
	run_to_file(reg, 1, p1, &f1);
	run_to_file(reg, 2, p2, &f2);
	assert_true(f1 == f2);
	dn_series_data *a = NULL, *b = NULL;
	size_t na, nb;
	char err[256];
	assert_int_equal(dn_results_read_series(p1, &a, &na, err, sizeof err), DN_OK);
	assert_int_equal(dn_results_read_series(p2, &b, &nb, err, sizeof err), DN_OK);
	assert_int_equal(na, 4);
	assert_int_equal(nb, 4);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(a[i].name, b[i].name);
		assert_int_equal(a[i].n, 50); /* every block */
		assert_memory_equal(a[i].t_ns, b[i].t_ns, a[i].n * sizeof(int64_t));
		assert_memory_equal(a[i].value, b[i].value, a[i].n * sizeof(double));
		if (strcmp(a[i].name, "gini") == 0) /* uniform 1..1000: about 1/3 */
			assert_true(a[i].value[0] > 0.30 && a[i].value[0] < 0.37);
		if (strcmp(a[i].name, "minted") == 0)
			for (size_t j = 0; j < a[i].n; j++)
				assert_int_equal(a[i].ivalue[j], (int64_t)(j + 1) * 180 * 99093099);
		if (strcmp(a[i].name, "paid") == 0)
			assert_true(a[i].ivalue[0] > 0);
	}
	dn_series_data_free(a, na);
	dn_series_data_free(b, nb);
	unlink(p1);
	unlink(p2);
	dn_registry_free(reg);
}

/* One payment, by hand: 12,345,678 base units over 2 relays.
 *  fee = floor(0.5 % x 12,345,678) = 61,728; per delegate floor(61,728 / 180)
 *  = 342 (61,560 to the pot), dust 168 to the provider;
 *  net = 12,283,950; relays share 50 % = 6,141,975: 3,070,987 each, the
 *  remaining unit to the provider: provider = 6,141,976 + 168 = 6,142,144. */
static void test_R_FEE_2_R_SHARE_2_one_payment_by_hand(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = make_world(reg, "sim: {model: peer, partitions: 1, end_time_s: 10}\npeer: {agents: 1000}\n", 1, &s);
	const dnc_ledger *L = dn_peer_ledger(w);
	const uint32_t payer = 3, provider = 4, relays[2] = {5, 6};
	dn_amount before[4], pot_before = dnc_ledger_balance(L, 1000);
	for (int i = 0; i < 4; i++)
		before[i] = dnc_ledger_balance(L, (dnc_acct)(3 + i));
	dn_amount per = 0;
	assert_int_equal(dn_peer_pay(w, payer, provider, relays, 2, 12345678, &per), DN_OK);
	assert_int_equal(per, 342);
	assert_int_equal(dnc_ledger_balance(L, payer), before[0] - 12345678);
	assert_int_equal(dnc_ledger_balance(L, provider), before[1] + 6142144);
	assert_int_equal(dnc_ledger_balance(L, relays[0]), before[2] + 3070987);
	assert_int_equal(dnc_ledger_balance(L, relays[1]), before[3] + 3070987);
	assert_int_equal(dnc_ledger_balance(L, 1000), pot_before + 61560);
	/* The parts add up to the payment exactly. */
	assert_int_equal(6142144 + 2 * 3070987 + 61560, 12345678);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* One block with no payments, by hand: reward 180 x 99,093,099 =
 * 17,836,757,820; producer 5 % = 891,837,891 (floor); the other
 * 16,944,919,929 in 180 equal parts of 94,138,444 with 9 left over to the
 * producer: producer 985,976,344, every other delegate 94,138,444. */
static void test_R_EMIT_3_block_reward_by_hand(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = NULL;
	dn_world *w = make_world(
		reg, "sim: {model: peer, partitions: 1, end_time_s: 10}\npeer: {agents: 1000, payer_fraction: 0}\n", 1, &s);
	const dnc_ledger *L = dn_peer_ledger(w);
	dn_amount before[180];
	for (uint32_t i = 0; i < 180; i++)
		before[i] = dnc_ledger_balance(L, dn_peer_delegate(w, i));
	char err[256];
	assert_int_equal(dn_world_run(w, NULL, NULL, NULL, NULL, NULL, err, sizeof err), DN_OK);
	assert_int_equal(dn_peer_height(w), 1);
	/* Block 1's producer is delegate 0 (round-robin from the first). */
	assert_int_equal(dnc_ledger_balance(L, dn_peer_delegate(w, 0)) - before[0], 985976344);
	for (uint32_t i = 1; i < 180; i++)
		assert_int_equal(dnc_ledger_balance(L, dn_peer_delegate(w, i)) - before[i], 94138444);
	assert_int_equal(985976344 + 179 * INT64_C(94138444), INT64_C(17836757820));
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

static void test_peer_refuses_bad_setups(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	char err[256];
	dn_scenario *s = NULL;
	assert_int_equal(dn_scenario_load_string(reg, "t", "sim: {model: peer, partitions: 4}\n", NULL, 0, &s, err,
	                                         sizeof err), DN_OK);
	dn_world *w = NULL;
	assert_int_equal(dn_world_new(&dn_model_peer, s, 1, &w, err, sizeof err), DN_ERANGE);
	assert_non_null(strstr(err, "sim.partitions"));
	dn_scenario_free(s);
	assert_int_equal(dn_scenario_load_string(reg, "t",
	                                         "sim: {model: peer, partitions: 1}\n"
	                                         "peer: {payment_min_base: 100, payment_max_base: 10}\n",
	                                         NULL, 0, &s, err, sizeof err), DN_OK);
	assert_int_equal(dn_world_new(&dn_model_peer, s, 1, &w, err, sizeof err), DN_ERANGE);
	assert_non_null(strstr(err, "payment_max_base"));
	dn_scenario_free(s);
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gini_incremental_equals_direct),
		cmocka_unit_test(test_gini_mark_bound),
		cmocka_unit_test(test_peer_small_world_conserves_and_is_deterministic),
		cmocka_unit_test(test_R_FEE_2_R_SHARE_2_one_payment_by_hand),
		cmocka_unit_test(test_R_EMIT_3_block_reward_by_hand),
		cmocka_unit_test(test_peer_refuses_bad_setups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
