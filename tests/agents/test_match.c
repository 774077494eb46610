/*
 * test_match.c: smart matching (models/agents/match.h, R-CRED-3). Hand-made
 * worlds with known answers, and random worlds (fixed seeds) where the
 * matcher must agree with a brute-force application of the R-CRED-3 rule
 * over the same radius schedule: reachable, with capacity, cheapest, most
 * stable, lowest id; the degraded distributor excluded on re-matching;
 * every candidate examined once; the examination budget honoured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match.h"
#include "rng.h"

/* ---- the caller's sharer state, as the view reads it ---- */

typedef struct sharers {
	uint32_t n;
	int32_t x[4000], y[4000];
	uint8_t reachable[4000];
	uint64_t capacity_units[4000];
	dn_amount price_per_unit[4000];
	uint32_t stability_ppm[4000];
	uint32_t calls; /* view calls, to count examinations */
} sharers;

static void sharer_offer(void *ctx, uint32_t id, dnc_offer *out)
{
	sharers *w = ctx;
	assert_true(id < w->n);
	w->calls++;
	out->reachable = w->reachable[id];
	out->capacity_units = w->capacity_units[id];
	out->price_per_unit = w->price_per_unit[id];
	out->stability_ppm = w->stability_ppm[id];
}

static dn_spatial *index_of(const sharers *w, int32_t size_cm, int32_t cell_cm)
{
	dn_spatial_cfg cfg = {0, 0, size_cm, size_cm, cell_cm, w->n ? w->n : 1, false};
	dn_spatial *s = NULL;
	assert_int_equal(dn_spatial_new(&cfg, &s), DN_OK);
	assert_int_equal(dn_spatial_build(s, w->n, NULL, w->x, w->y), DN_OK);
	return s;
}

static dn_match *matcher(int64_t r0, int64_t rmax, uint32_t page, uint32_t budget)
{
	dn_match_cfg cfg = {r0, rmax, page, budget};
	dn_match *m = NULL;
	assert_int_equal(dn_match_new(&cfg, &m), DN_OK);
	return m;
}

static void put(sharers *w, uint32_t id, int32_t x, int32_t y, int reach, uint64_t cap,
                dn_amount price, uint32_t stab)
{
	w->x[id] = x;
	w->y[id] = y;
	w->reachable[id] = (uint8_t)reach;
	w->capacity_units[id] = cap;
	w->price_per_unit[id] = price;
	w->stability_ppm[id] = stab;
	if (id >= w->n)
		w->n = id + 1;
}

/* ---- brute force R-CRED-3 over the same radius schedule ---- */

static int eligible(const sharers *w, uint32_t i, uint32_t exclude)
{
	return i != exclude && w->reachable[i] && w->capacity_units[i] > 0 && w->price_per_unit[i] > 0;
}

static int ranks_before(const sharers *w, uint32_t a, uint32_t b)
{
	if (w->price_per_unit[a] != w->price_per_unit[b])
		return w->price_per_unit[a] < w->price_per_unit[b];
	if (w->stability_ppm[a] != w->stability_ppm[b])
		return w->stability_ppm[a] > w->stability_ppm[b];
	return a < b;
}

typedef struct brute {
	uint32_t found, id, examined, widenings;
	int64_t radius_cm;
} brute;

static brute brute_match(const sharers *w, int32_t qx, int32_t qy, int64_t r0, int64_t rmax,
                         uint32_t exclude)
{
	brute b = {0, 0, 0, 0, r0};
	int64_t r = r0;
	for (;;) {
		uint32_t i, within = 0, best = UINT32_MAX;
		for (i = 0; i < w->n; i++) {
			int64_t dx = (int64_t)w->x[i] - qx, dy = (int64_t)w->y[i] - qy;
			if (dx * dx + dy * dy > r * r)
				continue;
			within++;
			if (eligible(w, i, exclude) && (best == UINT32_MAX || ranks_before(w, i, best)))
				best = i;
		}
		b.radius_cm = r;
		b.examined = within;
		if (best != UINT32_MAX) {
			b.found = 1;
			b.id = best;
			return b;
		}
		if (r >= rmax)
			return b;
		r = r > rmax / 2 ? rmax : 2 * r;
		b.widenings++;
	}
}

/* ---- tests ---- */

static sharers *new_sharers(void)
{
	sharers *w = calloc(1, sizeof *w); /* about 120 kB: not on the stack */
	assert_non_null(w);
	return w;
}

static void test_R_CRED_3_cheapest_reachable_with_capacity(void **state)
{
	(void)state;
	sharers *W = new_sharers();
	/* consumer at (5000, 5000); all sharers within 50 m */
	put(W, 0, 5100, 5000, 0, 100, 1, 999999);   /* cheapest but unreachable */
	put(W, 1, 5000, 5200, 1, 0, 1, 999999);     /* cheapest but full */
	put(W, 2, 5300, 5000, 1, 50, 7, 10);        /* reachable, capacity, 7 */
	put(W, 3, 5000, 5400, 1, 50, 9, 999999);    /* dearer, very stable */
	put(W, 4, 5001, 5001, 1, 50, 0, 999999);    /* price 0 is not an offer */
	dn_spatial *s = index_of(W, 100000, 1000);
	dn_match *m = matcher(5000, 5000, 16, 1000);
	dn_match_view v = {sharer_offer, W};
	dn_match_result res;
	assert_int_equal(dn_match_find(m, s, &v, 5000, 5000, DNC_NONE, &res), DN_OK);
	assert_int_equal(res.found, 1);
	assert_int_equal(res.offer.id, 2);
	assert_int_equal(res.offer.price_per_unit, 7);
	assert_int_equal(res.d2_cm2, 300 * 300);
	assert_int_equal(res.examined, 5);
	assert_int_equal(res.widenings, 0);
	assert_int_equal(res.truncated, 0);
	dn_match_free(m);
	dn_spatial_free(s);
	free(W);
}

static void test_R_CRED_3_ties_go_to_most_stable_then_lowest_id(void **state)
{
	(void)state;
	sharers *W = new_sharers();
	put(W, 0, 1000, 1000, 1, 10, 5, 500000);
	put(W, 1, 1100, 1000, 1, 10, 5, 900000);
	put(W, 2, 1200, 1000, 1, 10, 5, 900000);
	put(W, 3, 1000, 1010, 1, 10, 6, 999999);
	dn_spatial *s = index_of(W, 10000, 500);
	/* page 1: the best must survive across four pages */
	dn_match *m = matcher(2000, 2000, 1, 100);
	dn_match_view v = {sharer_offer, W};
	dn_match_result res;
	assert_int_equal(dn_match_find(m, s, &v, 1000, 1000, DNC_NONE, &res), DN_OK);
	assert_int_equal(res.found, 1);
	assert_int_equal(res.offer.id, 1); /* same price: stabler; same stability: lower id */
	assert_true(res.pages >= 4);
	/* without 1, 2 is next */
	assert_int_equal(dn_match_rematch(m, s, &v, 1000, 1000, 1, &res), DN_OK);
	assert_int_equal(res.offer.id, 2);
	dn_match_free(m);
	dn_spatial_free(s);
	free(W);
}

static void test_R_CRED_3_rematch_excludes_degraded_distributor_and_widens(void **state)
{
	(void)state;
	sharers *W = new_sharers();
	/* consumer at (500 m, 500 m) */
	put(W, 0, 50000, 51000, 1, 10, 3, 900000); /* current distributor, 10 m away */
	put(W, 1, 50000, 53000, 0, 10, 1, 900000); /* 30 m, unreachable */
	put(W, 2, 50000, 89000, 1, 10, 8, 100000); /* 390 m */
	put(W, 3, 50000, 99000, 1, 10, 2, 100000); /* 490 m, cheaper */
	put(W, 4, 50000, 8000, 1, 10, 1, 100000);  /* 420 m, cheapest */
	dn_spatial *s = index_of(W, 200000, 2000);
	dn_match *m = matcher(5000, 80000, 8, 1000); /* 50 m, then 100, 200, 400, 800 m */
	dn_match_view v = {sharer_offer, W};
	dn_match_result res;
	assert_int_equal(dn_match_find(m, s, &v, 50000, 50000, DNC_NONE, &res), DN_OK);
	assert_int_equal(res.offer.id, 0);
	assert_int_equal(res.widenings, 0);
	/* the link to 0 degrades: 2 at 390 m (radius 400 m after 3 doublings);
	 * the cheaper 4 at 420 m lies beyond it, so it is not considered */
	assert_int_equal(dn_match_rematch(m, s, &v, 50000, 50000, 0, &res), DN_OK);
	assert_int_equal(res.found, 1);
	assert_int_equal(res.offer.id, 2);
	assert_int_equal(res.widenings, 3);
	assert_int_equal(res.radius_cm, 40000);
	assert_int_equal(res.examined, 3); /* 0, 1, then 2: none examined twice */
	brute b = brute_match(W, 50000, 50000, 5000, 80000, 0);
	assert_int_equal(b.id, 2);
	dn_match_free(m);
	dn_spatial_free(s);
	free(W);
}

static void test_match_not_found_within_max_radius(void **state)
{
	(void)state;
	sharers *W = new_sharers();
	put(W, 0, 1000, 1000, 1, 10, 3, 900000);
	put(W, 1, 90000, 90000, 1, 10, 3, 900000);
	dn_spatial *s = index_of(W, 100000, 1000);
	dn_match *m = matcher(1000, 10000, 8, 1000);
	dn_match_view v = {sharer_offer, W};
	dn_match_result res;
	/* the only sharer nearby is the excluded one; the other is 1.1 km away */
	assert_int_equal(dn_match_rematch(m, s, &v, 1000, 1000, 0, &res), DN_OK);
	assert_int_equal(res.found, 0);
	assert_int_equal(res.radius_cm, 10000);
	assert_int_equal(res.examined, 1);
	assert_int_equal(dn_match_find(m, s, &v, DN_SPATIAL_COORD_LIMIT_CM, 0, DNC_NONE, &res),
	                 DN_ERANGE);
	dn_match_free(m);
	dn_spatial_free(s);
	free(W);
}

static void test_match_budget_truncates_and_says_so(void **state)
{
	(void)state;
	sharers *W = new_sharers();
	for (uint32_t i = 0; i < 100; i++) /* the 60 nearest are unreachable */
		put(W, i, 10000 + 100 * (int32_t)i, 10000, i >= 60, 10, 5, 900000);
	dn_spatial *s = index_of(W, 100000, 1000);
	dn_match_view v = {sharer_offer, W};
	dn_match_result res;
	dn_match *m = matcher(100000, 100000, 16, 50);
	W->calls = 0;
	assert_int_equal(dn_match_find(m, s, &v, 10000, 10000, DNC_NONE, &res), DN_OK);
	assert_int_equal(res.found, 0);
	assert_int_equal(res.truncated, 1);
	assert_int_equal(res.examined, 50);
	assert_int_equal(W->calls, 50);
	dn_match_free(m);
	/* a budget of exactly the 100 present is not truncation */
	m = matcher(100000, 100000, 16, 100);
	assert_int_equal(dn_match_find(m, s, &v, 10000, 10000, DNC_NONE, &res), DN_OK);
	assert_int_equal(res.found, 1);
	assert_int_equal(res.offer.id, 60);
	assert_int_equal(res.truncated, 0);
	assert_int_equal(res.examined, 100);
	dn_match_free(m);
	dn_spatial_free(s);
	free(W);
}

static void test_R_CRED_3_agrees_with_brute_force_on_random_worlds(void **state)
{
	(void)state;
	const int32_t size = 2000000; /* 20 km */
	uint32_t found = 0, widened = 0, trials = 0;
	sharers *W = new_sharers();
	for (uint64_t seed = 1; seed <= 12; seed++) {
		dn_rng g;
		dn_rng_init(&g, seed, 0, 2, 0);
		memset(W, 0, sizeof *W);
		uint32_t n = 200 + dn_bounded32(dn_rng_u32(&g), 3000);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t u = dn_rng_u32(&g);
			/* few price levels and stabilities, so ties are common */
			put(W, i, (int32_t)dn_bounded32(dn_rng_u32(&g), size),
			    (int32_t)dn_bounded32(dn_rng_u32(&g), size), (u % 10) < 3, /* 30 % reachable */
			    (u >> 4) % 4 == 0 ? 0 : 1 + (u >> 8) % 1000, (dn_amount)((u >> 12) % 5),
			    ((u >> 16) % 3) * 400000);
		}
		dn_spatial *s = index_of(W, size, 20000 + (int32_t)(seed * 7000));
		uint32_t page = 1 + (uint32_t)seed % 9;
		dn_match *m = matcher(5000, 80000, page, 100000);
		dn_match_view v = {sharer_offer, W};
		for (uint32_t q = 0; q < 300; q++) {
			int32_t qx = (int32_t)dn_bounded32(dn_rng_u32(&g), size);
			int32_t qy = (int32_t)dn_bounded32(dn_rng_u32(&g), size);
			uint32_t exclude = q % 2 ? dn_bounded32(dn_rng_u32(&g), n) : DNC_NONE;
			dn_match_result res;
			W->calls = 0;
			assert_int_equal(dn_match_find(m, s, &v, qx, qy, exclude, &res), DN_OK);
			brute b = brute_match(W, qx, qy, 5000, 80000, exclude);
			assert_int_equal(res.found, b.found);
			assert_int_equal(res.radius_cm, b.radius_cm);
			assert_int_equal(res.widenings, b.widenings);
			/* each sharer within the final radius examined exactly once */
			assert_int_equal(res.examined, b.examined);
			assert_int_equal(W->calls, b.examined);
			assert_int_equal(res.truncated, 0);
			if (b.found) {
				assert_int_equal(res.offer.id, b.id);
				assert_int_equal(res.offer.price_per_unit, W->price_per_unit[b.id]);
				int64_t dx = (int64_t)W->x[b.id] - qx, dy = (int64_t)W->y[b.id] - qy;
				assert_int_equal(res.d2_cm2, (uint64_t)(dx * dx + dy * dy));
			}
			found += b.found;
			widened += b.widenings > 0;
			trials++;
		}
		dn_match_free(m);
		dn_spatial_free(s);
	}
	/* the worlds exercised both outcomes and the widening path */
	assert_true(found > trials / 4);
	assert_true(found < trials);
	assert_true(widened > trials / 10);
	free(W);
}

static void test_match_result_is_independent_of_index_history(void **state)
{
	(void)state;
	const int32_t size = 500000; /* 5 km */
	sharers *W = new_sharers();
	dn_rng g;
	dn_rng_init(&g, 77, 0, 2, 0);
	for (uint32_t i = 0; i < 1500; i++) {
		uint32_t u = dn_rng_u32(&g);
		put(W, i, (int32_t)dn_bounded32(dn_rng_u32(&g), size),
		    (int32_t)dn_bounded32(dn_rng_u32(&g), size), (u % 4) != 0, 1 + u % 7,
		    1 + (dn_amount)((u >> 8) % 3), ((u >> 12) % 2) * 500000);
	}
	dn_spatial *a = index_of(W, size, 3000);
	/* the same sharers reached by adds in reverse order from elsewhere, then moves */
	dn_spatial_cfg cfg = {0, 0, size, size, 3000, W->n, false};
	dn_spatial *b = NULL;
	assert_int_equal(dn_spatial_new(&cfg, &b), DN_OK);
	for (uint32_t i = W->n; i-- > 0;)
		assert_int_equal(dn_spatial_add(b, i, W->y[i], W->x[i]), DN_OK);
	for (uint32_t i = 0; i < W->n; i++)
		assert_int_equal(dn_spatial_move(b, i, W->x[i], W->y[i]), DN_OK);
	dn_match *m = matcher(2000, 64000, 5, 100000);
	dn_match_view v = {sharer_offer, W};
	uint32_t found = 0;
	for (uint32_t q = 0; q < 200; q++) {
		int32_t qx = (int32_t)dn_bounded32(dn_rng_u32(&g), size);
		int32_t qy = (int32_t)dn_bounded32(dn_rng_u32(&g), size);
		dn_match_result ra, rb;
		assert_int_equal(dn_match_find(m, a, &v, qx, qy, q % 7, &ra), DN_OK);
		assert_int_equal(dn_match_find(m, b, &v, qx, qy, q % 7, &rb), DN_OK);
		assert_int_equal(ra.found, rb.found);
		assert_int_equal(ra.offer.id, rb.offer.id);
		assert_int_equal(ra.d2_cm2, rb.d2_cm2);
		assert_int_equal(ra.radius_cm, rb.radius_cm);
		assert_int_equal(ra.examined, rb.examined);
		assert_int_equal(ra.widenings, rb.widenings);
		assert_int_equal(ra.pages, rb.pages);
		found += ra.found;
	}
	assert_true(found > 100);
	dn_match_free(m);
	dn_spatial_free(a);
	dn_spatial_free(b);
	free(W);
}

static void test_match_rejects_bad_config(void **state)
{
	(void)state;
	static const dn_match_cfg bad[] = {
	    {0, 100, 8, 100},     {100, 50, 8, 100},  {100, 100, 0, 100},
	    {100, 100, DN_MATCH_MAX_PAGE + 1, 100}, {100, 100, 8, 0},
	    {100, 100, 8, DN_MATCH_MAX_EXAMINED + 1},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		dn_match *m = NULL;
		assert_int_equal(dn_match_new(&bad[i], &m), DN_EINVAL);
		assert_null(m);
	}
	dn_match *m = matcher(100, 100, 8, 100);
	dn_match_result res;
	dn_match_view nov = {NULL, NULL};
	sharers *W = new_sharers();
	put(W, 0, 10, 10, 1, 1, 1, 1);
	dn_spatial *s = index_of(W, 1000, 100);
	assert_int_equal(dn_match_find(m, s, &nov, 0, 0, DNC_NONE, &res), DN_EINVAL);
	dn_match_free(m);
	dn_spatial_free(s);
	free(W);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_R_CRED_3_cheapest_reachable_with_capacity),
	    cmocka_unit_test(test_R_CRED_3_ties_go_to_most_stable_then_lowest_id),
	    cmocka_unit_test(test_R_CRED_3_rematch_excludes_degraded_distributor_and_widens),
	    cmocka_unit_test(test_match_not_found_within_max_radius),
	    cmocka_unit_test(test_match_budget_truncates_and_says_so),
	    cmocka_unit_test(test_R_CRED_3_agrees_with_brute_force_on_random_worlds),
	    cmocka_unit_test(test_match_result_is_independent_of_index_history),
	    cmocka_unit_test(test_match_rejects_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
