/*
 * test_spatial.c: the grid spatial index (models/agents/spatial.h) against
 * brute force. Random point sets with fixed seeds for every query type
 * (k nearest with and without a radius, paging with a cursor, all within a
 * radius, covering discs), churn and move sequences that force bucket
 * relocation and compaction, result order independent of insertion
 * history, and the bound errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rng.h"
#include "spatial.h"

/* ---- brute force reference ---- */

typedef struct world {
	uint32_t cap;
	uint8_t *present;
	int32_t *x, *y;
	uint32_t *r; /* coverage radius */
} world;

static void world_init(world *w, uint32_t cap)
{
	w->cap = cap;
	w->present = calloc(cap, 1);
	w->x = calloc(cap, sizeof *w->x);
	w->y = calloc(cap, sizeof *w->y);
	w->r = calloc(cap, sizeof *w->r);
	assert_non_null(w->present);
	assert_non_null(w->x);
	assert_non_null(w->y);
	assert_non_null(w->r);
}

static void world_free(world *w)
{
	free(w->present);
	free(w->x);
	free(w->y);
	free(w->r);
}

static int cmp_hit(const void *a, const void *b)
{
	const dn_spatial_hit *p = a, *q = b;
	if (p->d2_cm2 != q->d2_cm2)
		return p->d2_cm2 < q->d2_cm2 ? -1 : 1;
	if (p->id != q->id)
		return p->id < q->id ? -1 : 1;
	return 0;
}

static uint64_t bd2(int32_t ax, int32_t ay, int32_t bx, int32_t by)
{
	int64_t dx = (int64_t)ax - bx, dy = (int64_t)ay - by;
	return (uint64_t)(dx * dx + dy * dy);
}

/* All present points, sorted by (d2, id); discs: only those covering q. */
static uint32_t brute_all(const world *w, int32_t qx, int32_t qy, int discs, dn_spatial_hit *out)
{
	uint32_t i, n = 0;
	for (i = 0; i < w->cap; i++) {
		if (!w->present[i])
			continue;
		uint64_t d2 = bd2(w->x[i], w->y[i], qx, qy);
		if (discs && d2 > (uint64_t)w->r[i] * w->r[i])
			continue;
		out[n].d2_cm2 = d2;
		out[n].id = i;
		out[n].reserved = 0;
		n++;
	}
	qsort(out, n, sizeof *out, cmp_hit);
	return n;
}

static uint32_t brute_within(const world *w, int32_t qx, int32_t qy, int64_t r,
                             dn_spatial_hit *all, dn_spatial_hit *out)
{
	uint32_t n = brute_all(w, qx, qy, 0, all), i, m = 0;
	for (i = 0; i < n; i++)
		if (all[i].d2_cm2 <= (uint64_t)r * (uint64_t)r)
			out[m++] = all[i];
	return m;
}

static void assert_same_hits(const dn_spatial_hit *a, uint32_t na, const dn_spatial_hit *b,
                             uint32_t nb)
{
	uint32_t i;
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++) {
		assert_int_equal(a[i].id, b[i].id);
		assert_int_equal(a[i].d2_cm2, b[i].d2_cm2);
	}
}

/* Pages of k after a cursor, from (qx, qy) within r, give exactly ref[0..nb-1]. */
static void assert_pages_match(const dn_spatial *s, int32_t qx, int32_t qy, uint32_t k, int64_t r,
                               const dn_spatial_hit *ref, uint32_t nb)
{
	dn_spatial_hit page[16], cursor;
	const dn_spatial_hit *after = NULL;
	uint32_t seen = 0, np = 0, guard = 0;
	assert_true(k <= 16);
	do {
		assert_int_equal(dn_spatial_knn(s, qx, qy, k, r, after, page, 16, &np), DN_OK);
		for (uint32_t i = 0; i < np; i++) {
			assert_true(seen < nb);
			assert_int_equal(page[i].id, ref[seen].id);
			assert_int_equal(page[i].d2_cm2, ref[seen].d2_cm2);
			seen++;
		}
		if (np) {
			cursor = page[np - 1];
			after = &cursor;
		}
		assert_true(++guard < 5000);
	} while (np == k);
	assert_int_equal(seen, nb);
}

static dn_spatial *make_index(int32_t minx, int32_t miny, int32_t w_cm, int32_t h_cm,
                              int32_t cell_cm, uint32_t max_points, bool radii)
{
	dn_spatial_cfg cfg = {minx, miny, w_cm, h_cm, cell_cm, max_points, radii};
	dn_spatial *s = NULL;
	assert_int_equal(dn_spatial_new(&cfg, &s), DN_OK);
	assert_non_null(s);
	return s;
}

static int32_t draw_in(dn_rng *g, int32_t lo, int32_t size)
{
	return lo + (int32_t)dn_bounded32(dn_rng_u32(g), (uint32_t)size);
}

/* Fill a world with n random points (ids 0..n-1), clustered when asked so
 * that some cells are crowded and many empty. */
static void random_points(world *w, dn_rng *g, uint32_t n, int32_t minx, int32_t miny,
                          int32_t size, int clustered)
{
	uint32_t i;
	for (i = 0; i < n; i++) {
		w->present[i] = 1;
		if (clustered && (dn_rng_u32(g) & 1)) {
			w->x[i] = draw_in(g, minx + size / 3, size / 50 + 1);
			w->y[i] = draw_in(g, miny + size / 2, size / 50 + 1);
		} else {
			w->x[i] = draw_in(g, minx, size);
			w->y[i] = draw_in(g, miny, size);
		}
	}
}

/* Queries of every kind at random points (some off the plane) vs brute force. */
static void check_queries(const dn_spatial *s, const world *w, dn_rng *g, int32_t minx,
                          int32_t miny, int32_t size, uint32_t n_queries)
{
	uint32_t cap = w->cap + 64, q; /* room for k <= 40 even when few points */
	dn_spatial_hit *all = calloc(cap, sizeof *all), *ref = calloc(cap, sizeof *ref);
	dn_spatial_hit *got = calloc(cap, sizeof *got);
	assert_non_null(all);
	assert_non_null(ref);
	assert_non_null(got);
	for (q = 0; q < n_queries; q++) {
		/* queries range over 1.4x the plane so some fall outside it */
		int32_t qx = draw_in(g, minx - size / 5, size + 2 * (size / 5));
		int32_t qy = draw_in(g, miny - size / 5, size + 2 * (size / 5));
		uint32_t k = 1 + dn_bounded32(dn_rng_u32(g), 40), n = 0, nb;
		int64_t r = (int64_t)dn_bounded32(dn_rng_u32(g), (uint32_t)size / 4 + 1);
		/* k nearest, no radius */
		nb = brute_all(w, qx, qy, 0, all);
		assert_int_equal(dn_spatial_knn(s, qx, qy, k, DN_SPATIAL_ANY_DISTANCE_CM, NULL, got,
		                                cap, &n),
		                 DN_OK);
		assert_same_hits(got, n, all, nb < k ? nb : k);
		/* k nearest within r */
		nb = brute_within(w, qx, qy, r, all, ref);
		assert_int_equal(dn_spatial_knn(s, qx, qy, k, r, NULL, got, cap, &n), DN_OK);
		assert_same_hits(got, n, ref, nb < k ? nb : k);
		/* all within r */
		assert_int_equal(dn_spatial_within(s, qx, qy, r, got, cap, &n), DN_OK);
		assert_same_hits(got, n, ref, nb);
	}
	free(all);
	free(ref);
	free(got);
}

/* ---- tests ---- */

static void test_knn_and_within_match_brute_force_on_random_sets(void **state)
{
	(void)state;
	static const struct {
		uint64_t seed;
		uint32_t n;
		int32_t cell_cm;
		int clustered;
	} cases[] = {
	    {1, 2000, 50000, 0},  {2, 2000, 7000, 1},  {3, 500, 1000000, 0},
	    {4, 3000, 1500, 1},   {5, 1, 20000, 0},    {6, 0, 20000, 0},
	    {7, 1500, 333333, 1},
	};
	size_t c;
	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const int32_t minx = -400000, miny = 250000, size = 1000000; /* 10 km */
		dn_rng g;
		dn_rng_init(&g, cases[c].seed, 0, 1, 0);
		world w;
		world_init(&w, cases[c].n + 1);
		random_points(&w, &g, cases[c].n, minx, miny, size, cases[c].clustered);
		dn_spatial *s = make_index(minx, miny, size, size, cases[c].cell_cm, cases[c].n + 1, false);
		assert_int_equal(dn_spatial_build(s, cases[c].n, NULL, w.x, w.y), DN_OK);
		assert_int_equal(dn_spatial_check(s), DN_OK);
		assert_int_equal(dn_spatial_count(s), cases[c].n);
		check_queries(s, &w, &g, minx, miny, size, 150);
		dn_spatial_free(s);
		world_free(&w);
	}
}

static void test_knn_cursor_pages_enumerate_every_point_in_order(void **state)
{
	(void)state;
	const uint32_t n = 1200;
	const int32_t size = 300000;
	dn_rng g;
	dn_rng_init(&g, 11, 0, 1, 0);
	world w;
	world_init(&w, n);
	random_points(&w, &g, n, 0, 0, size, 1);
	/* duplicate positions and equal distances: the id must break ties */
	for (uint32_t i = 0; i < 100; i++) {
		w.x[i] = 1000 * (int32_t)(i % 10);
		w.y[i] = 5000;
	}
	dn_spatial *s = make_index(0, 0, size, size, 4000, n, false);
	assert_int_equal(dn_spatial_build(s, n, NULL, w.x, w.y), DN_OK);
	dn_spatial_hit *all = calloc(n, sizeof *all);
	assert_non_null(all);
	for (uint32_t q = 0; q < 5; q++) {
		int32_t qx = draw_in(&g, 0, size), qy = draw_in(&g, 0, size);
		int64_t r = q == 0 ? DN_SPATIAL_ANY_DISTANCE_CM : 60000;
		dn_spatial_hit ref[1200];
		uint32_t nb = r == DN_SPATIAL_ANY_DISTANCE_CM ? brute_all(&w, qx, qy, 0, ref)
		                                              : brute_within(&w, qx, qy, r, all, ref);
		assert_pages_match(s, qx, qy, 7, r, ref, nb);
	}
	free(all);
	dn_spatial_free(s);
	world_free(&w);
}

/* Pages after a cursor skip the cells wholly nearer than the cursor: on a
 * dense lattice (many equal distances, points on cell edges) with small
 * cells, every page size enumerates exactly the brute-force order, from
 * queries on lattice points, on cell corners and anywhere. */
static void test_knn_pages_on_a_dense_lattice_skip_only_what_they_returned(void **state)
{
	(void)state;
	const uint32_t side = 60, n = side * side;
	const int32_t step = 250, cell = 1000, size = (int32_t)side * step;
	world w;
	world_init(&w, n);
	for (uint32_t i = 0; i < n; i++) {
		w.present[i] = 1;
		w.x[i] = (int32_t)(i % side) * step;
		w.y[i] = (int32_t)(i / side) * step;
	}
	dn_spatial *s = make_index(0, 0, size, size, cell, n, false);
	assert_int_equal(dn_spatial_build(s, n, NULL, w.x, w.y), DN_OK);
	dn_spatial_hit *all = calloc(n, sizeof *all), *ref = calloc(n, sizeof *ref);
	assert_non_null(all);
	assert_non_null(ref);
	dn_rng g;
	dn_rng_init(&g, 5, 0, 1, 0);
	const int32_t qs[][2] = {{0, 0}, {7500, 7500}, {1000, 2000}, {999, 1001}, {size - 1, 3}};
	for (uint32_t q = 0; q < 10; q++) {
		int32_t qx = q < 5 ? qs[q][0] : draw_in(&g, 0, size), qy = q < 5 ? qs[q][1] : draw_in(&g, 0, size);
		int64_t r = q % 2 ? 3100 : 5000;
		uint32_t nb = brute_within(&w, qx, qy, r, all, ref);
		for (uint32_t k = 1; k <= 13; k += 6)
			assert_pages_match(s, qx, qy, k, r, ref, nb);
	}
	free(all);
	free(ref);
	dn_spatial_free(s);
	world_free(&w);
}

static void test_churn_and_moves_keep_every_query_exact(void **state)
{
	(void)state;
	const uint32_t cap = 3000;
	const int32_t minx = -500000, miny = -500000, size = 1000000;
	dn_rng g;
	dn_rng_init(&g, 21, 0, 1, 0);
	world w;
	world_init(&w, cap);
	random_points(&w, &g, cap / 2, minx, miny, size, 0);
	dn_spatial *s = make_index(minx, miny, size, size, 25000, cap, false);
	assert_int_equal(dn_spatial_build(s, cap / 2, NULL, w.x, w.y), DN_OK);
	for (uint32_t step = 0; step < 60000; step++) {
		uint32_t id = dn_bounded32(dn_rng_u32(&g), cap), op = dn_rng_u32(&g) % 8;
		/* a hot spot pulls points into one crowded cell: buckets overflow */
		int hot = (dn_rng_u32(&g) % 3) == 0;
		int32_t x = hot ? draw_in(&g, 1000, 20000) : draw_in(&g, minx, size);
		int32_t y = hot ? draw_in(&g, -9000, 5000) : draw_in(&g, miny, size);
		if (!w.present[id]) {
			assert_int_equal(dn_spatial_add(s, id, x, y), DN_OK);
			w.present[id] = 1;
			w.x[id] = x;
			w.y[id] = y;
		} else if (op < 2) {
			assert_int_equal(dn_spatial_remove(s, id), DN_OK);
			w.present[id] = 0;
		} else {
			if (op == 2) { /* a short step, usually within the same cell */
				x = w.x[id] + (int32_t)(dn_rng_u32(&g) % 200) - 100;
				y = w.y[id] + (int32_t)(dn_rng_u32(&g) % 200) - 100;
				if (x < minx || y < miny || x >= minx + size || y >= miny + size)
					continue;
			}
			assert_int_equal(dn_spatial_move(s, id, x, y), DN_OK);
			w.x[id] = x;
			w.y[id] = y;
		}
		if (step % 5000 == 4999) {
			assert_int_equal(dn_spatial_check(s), DN_OK);
			check_queries(s, &w, &g, minx, miny, size, 40);
		}
	}
	uint32_t n = 0, i;
	for (i = 0; i < cap; i++) {
		int32_t gx, gy;
		n += w.present[i];
		if (w.present[i]) {
			assert_int_equal(dn_spatial_get(s, i, &gx, &gy), DN_OK);
			assert_int_equal(gx, w.x[i]);
			assert_int_equal(gy, w.y[i]);
		} else {
			assert_int_equal(dn_spatial_get(s, i, &gx, &gy), DN_EINVAL);
		}
	}
	assert_int_equal(dn_spatial_count(s), n);
	dn_spatial_stats st;
	dn_spatial_get_stats(s, &st);
	/* the sequence must have exercised both growth paths */
	assert_true(st.relocations > 0);
	assert_true(st.compactions > 0);
	assert_true(st.slots_used <= st.slot_cap);
	dn_spatial_free(s);
	world_free(&w);
}

static void test_full_index_in_one_cell_survives_moves(void **state)
{
	(void)state;
	/* every id present, all crowding into one cell: the tightest slot budget */
	const uint32_t cap = 700;
	dn_spatial *s = make_index(0, 0, 100000, 100000, 10000, cap, false);
	dn_rng g;
	dn_rng_init(&g, 31, 0, 1, 0);
	world w;
	world_init(&w, cap);
	random_points(&w, &g, cap, 0, 0, 100000, 0);
	assert_int_equal(dn_spatial_build(s, cap, NULL, w.x, w.y), DN_OK);
	for (uint32_t id = 0; id < cap; id++) {
		w.x[id] = draw_in(&g, 50000, 10000);
		w.y[id] = draw_in(&g, 50000, 10000);
		assert_int_equal(dn_spatial_move(s, id, w.x[id], w.y[id]), DN_OK);
	}
	for (uint32_t id = 0; id < cap; id += 2) { /* and half of them back out */
		w.x[id] = draw_in(&g, 0, 100000);
		w.y[id] = draw_in(&g, 0, 40000);
		assert_int_equal(dn_spatial_move(s, id, w.x[id], w.y[id]), DN_OK);
	}
	assert_int_equal(dn_spatial_check(s), DN_OK);
	check_queries(s, &w, &g, 0, 0, 100000, 50);
	dn_spatial_free(s);
	world_free(&w);
}

/* Results of a fixed query battery, for comparing histories. */
static void battery(const dn_spatial *s, dn_spatial_hit *out, uint32_t per, uint32_t *counts)
{
	for (uint32_t q = 0; q < 20; q++) {
		int32_t qx = (int32_t)(q * 4999 % 200000), qy = (int32_t)(q * 7919 % 100000);
		uint32_t n = 0;
		assert_int_equal(dn_spatial_knn(s, qx, qy, 30, DN_SPATIAL_ANY_DISTANCE_CM, NULL,
		                                out + 2 * q * per, per, &n),
		                 DN_OK);
		counts[2 * q] = n;
		assert_int_equal(dn_spatial_within(s, qx, qy, 30000, out + (2 * q + 1) * per, per, &n),
		                 DN_OK);
		counts[2 * q + 1] = n;
	}
}

static void test_result_order_is_independent_of_insertion_history(void **state)
{
	(void)state;
	const uint32_t n = 800, per = 800;
	int32_t x[800], y[800];
	/* a lattice: many exactly equal distances, so only the id orders them */
	for (uint32_t i = 0; i < n; i++) {
		x[i] = (int32_t)((i * 37 % 40) * 5000);
		y[i] = (int32_t)((i / 40) * 5000);
	}
	dn_spatial_hit *a = calloc(40 * per, sizeof *a), *b = calloc(40 * per, sizeof *b);
	uint32_t ca[40], cb[40];
	assert_non_null(a);
	assert_non_null(b);
	/* history 1: one bulk build */
	dn_spatial *s1 = make_index(0, 0, 200000, 200000, 7000, n, false);
	assert_int_equal(dn_spatial_build(s1, n, NULL, x, y), DN_OK);
	battery(s1, a, per, ca);
	/* history 2: added in reverse order, after wandering elsewhere and
	 * some removals and re-adds */
	dn_spatial *s2 = make_index(0, 0, 200000, 200000, 7000, n, false);
	for (uint32_t i = n; i-- > 0;)
		assert_int_equal(dn_spatial_add(s2, i, (int32_t)(i * 211 % 200000), 199999 - (int32_t)i), DN_OK);
	for (uint32_t i = 0; i < n; i += 3)
		assert_int_equal(dn_spatial_remove(s2, i), DN_OK);
	for (uint32_t i = 0; i < n; i++) {
		if (i % 3 == 0)
			assert_int_equal(dn_spatial_add(s2, i, x[i], y[i]), DN_OK);
		else
			assert_int_equal(dn_spatial_move(s2, i, x[i], y[i]), DN_OK);
	}
	assert_int_equal(dn_spatial_check(s2), DN_OK);
	battery(s2, b, per, cb);
	assert_memory_equal(ca, cb, sizeof ca);
	for (uint32_t q = 0; q < 40; q++) {
		assert_true(ca[q] > 0);
		assert_memory_equal(a + q * per, b + q * per, ca[q] * sizeof *a);
	}
	/* and the order is (distance, id): strictly increasing */
	for (uint32_t q = 0; q < 40; q++)
		for (uint32_t i = 1; i < ca[q]; i++)
			assert_true(cmp_hit(&a[q * per + i - 1], &a[q * per + i]) < 0);
	free(a);
	free(b);
	dn_spatial_free(s1);
	dn_spatial_free(s2);
}

static void test_knn_ties_on_a_ring_boundary_go_to_the_lower_id(void **state)
{
	(void)state;
	/* a 10 m grid, queries in cell (5, 5). In each case id 9 lies in
	 * ring 1 and id 0 in ring 2, exactly on (or within 1 cm of) the lower
	 * bound the search uses to stop before ring 2, and id 0 is the nearer
	 * or equally near with the lower id: a bound too high by 1 cm, or
	 * pruning on equality, returns 9 */
	static const struct {
		int32_t qx, qy, x0, y0, x9, y9;
	} cases[] = {
	    {5500, 5500, 7000, 5500, 6400, 6700}, /* both 15 m; all sides tie */
	    {5600, 5450, 7000, 5450, 6440, 6570}, /* both 14 m; right side nearest */
	    {5400, 5450, 3999, 5450, 6400, 6432}, /* 14.01 m vs 14.0154 m; left side */
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		int32_t x[10], y[10];
		uint32_t ids[10], n = 0;
		for (uint32_t i = 0; i < 10; i++) { /* filler far away */
			ids[i] = i;
			x[i] = 90000 + 100 * (int32_t)i;
			y[i] = 90000;
		}
		x[0] = cases[c].x0;
		y[0] = cases[c].y0;
		x[9] = cases[c].x9;
		y[9] = cases[c].y9;
		dn_spatial *s = make_index(0, 0, 100000, 100000, 1000, 10, false);
		assert_int_equal(dn_spatial_build(s, 10, ids, x, y), DN_OK);
		uint64_t d0 = bd2(x[0], y[0], cases[c].qx, cases[c].qy);
		uint64_t d9 = bd2(x[9], y[9], cases[c].qx, cases[c].qy);
		assert_true(d0 <= d9);
		dn_spatial_hit out[4];
		assert_int_equal(dn_spatial_knn(s, cases[c].qx, cases[c].qy, 1,
		                                DN_SPATIAL_ANY_DISTANCE_CM, NULL, out, 4, &n),
		                 DN_OK);
		assert_int_equal(n, 1);
		assert_int_equal(out[0].id, 0);
		assert_int_equal(out[0].d2_cm2, d0);
		dn_spatial_free(s);
	}
}

static void test_covering_discs_match_brute_force(void **state)
{
	(void)state;
	const uint32_t n = 600;
	const int32_t size = 2000000; /* 20 km */
	dn_rng g;
	dn_rng_init(&g, 41, 0, 1, 0);
	world w;
	world_init(&w, n);
	random_points(&w, &g, n, 0, 0, size, 1);
	dn_spatial *s = make_index(0, 0, size, size, 50000, n, true);
	assert_int_equal(dn_spatial_build(s, n, NULL, w.x, w.y), DN_OK);
	for (uint32_t i = 0; i < n; i++) { /* femto 20 m .. macro-ish 2 km */
		w.r[i] = 2000 + dn_bounded32(dn_rng_u32(&g), 200000);
		assert_int_equal(dn_spatial_set_radius(s, i, w.r[i]), DN_OK);
	}
	dn_spatial_hit ref[600], got[600];
	uint32_t nonempty = 0;
	for (uint32_t q = 0; q < 300; q++) {
		int32_t qx = draw_in(&g, 0, size), qy = draw_in(&g, 0, size);
		uint32_t nb = brute_all(&w, qx, qy, 1, ref), ng = 0;
		assert_int_equal(dn_spatial_covering(s, qx, qy, got, n, &ng), DN_OK);
		assert_same_hits(got, ng, ref, nb);
		nonempty += nb > 0;
		if (nb > 1) /* one fewer slot than needed: the bound */
			assert_int_equal(dn_spatial_covering(s, qx, qy, got, nb - 1, &ng), DN_ELIMIT);
	}
	assert_true(nonempty > 30);
	/* an index without radii refuses the query */
	dn_spatial *t = make_index(0, 0, size, size, 50000, n, false);
	uint32_t ng = 0;
	assert_int_equal(dn_spatial_covering(t, 0, 0, got, n, &ng), DN_EINVAL);
	assert_int_equal(dn_spatial_set_radius(t, 0, 5), DN_EINVAL);
	dn_spatial_free(t);
	dn_spatial_free(s);
	world_free(&w);
}

static void test_bounds_are_DN_ELIMIT_not_overflow(void **state)
{
	(void)state;
	int32_t x[50], y[50];
	for (int i = 0; i < 50; i++) {
		x[i] = 100 * i;
		y[i] = 0;
	}
	dn_spatial *s = make_index(0, 0, 10000, 10000, 1000, 50, false);
	assert_int_equal(dn_spatial_build(s, 50, NULL, x, y), DN_OK);
	dn_spatial_hit out[51];
	memset(out, 0xab, sizeof out);
	uint32_t n = 0;
	/* 50 points within 10 km, room for 10: DN_ELIMIT, nothing past the bound */
	assert_int_equal(dn_spatial_within(s, 0, 0, 1000000, out, 10, &n), DN_ELIMIT);
	assert_int_equal(n, 10);
	assert_int_equal(out[10].id, 0xabababab);
	assert_int_equal(dn_spatial_within(s, 0, 0, 1000000, out, 50, &n), DN_OK);
	assert_int_equal(n, 50);
	/* exactly on the radius counts as within */
	assert_int_equal(dn_spatial_within(s, 0, 0, 300, out, 50, &n), DN_OK);
	assert_int_equal(n, 4);
	/* k above the buffer */
	assert_int_equal(dn_spatial_knn(s, 0, 0, 11, DN_SPATIAL_ANY_DISTANCE_CM, NULL, out, 10, &n),
	                 DN_ELIMIT);
	/* too many points for the index */
	dn_spatial *t = make_index(0, 0, 10000, 10000, 1000, 49, false);
	assert_int_equal(dn_spatial_build(t, 50, NULL, x, y), DN_ELIMIT);
	assert_int_equal(dn_spatial_count(t), 0);
	dn_spatial_free(t);
	/* too many grid cells */
	dn_spatial_cfg big = {0, 0, 1 << 29, 1 << 29, 10, 10, false};
	dn_spatial *u = NULL;
	assert_int_equal(dn_spatial_new(&big, &u), DN_ELIMIT);
	assert_null(u);
	dn_spatial_free(s);
}

static void test_bad_arguments_change_nothing(void **state)
{
	(void)state;
	dn_spatial *s = make_index(-1000, -1000, 2000, 2000, 100, 10, false);
	int32_t x[3] = {0, 5, 999}, y[3] = {0, 5, -1000};
	uint32_t dup[3] = {1, 2, 1}, big[3] = {1, 2, 10}, n = 0;
	int32_t off[3] = {0, 5, 1000}; /* 1000 is one past the plane's edge */
	dn_spatial_hit out[10];
	assert_int_equal(dn_spatial_build(s, 3, dup, x, y), DN_EINVAL);
	assert_int_equal(dn_spatial_count(s), 0);
	assert_int_equal(dn_spatial_check(s), DN_OK);
	assert_int_equal(dn_spatial_build(s, 3, big, x, y), DN_EINVAL);
	assert_int_equal(dn_spatial_build(s, 3, NULL, off, y), DN_ERANGE);
	assert_int_equal(dn_spatial_count(s), 0);
	assert_int_equal(dn_spatial_build(s, 3, NULL, x, y), DN_OK);
	assert_int_equal(dn_spatial_build(s, 3, NULL, x, y), DN_EINVAL); /* not empty */
	assert_int_equal(dn_spatial_add(s, 1, 0, 0), DN_EINVAL);          /* present */
	assert_int_equal(dn_spatial_add(s, 10, 0, 0), DN_EINVAL);         /* id range */
	assert_int_equal(dn_spatial_add(s, 5, -1001, 0), DN_ERANGE);
	assert_int_equal(dn_spatial_remove(s, 5), DN_EINVAL);             /* absent */
	assert_int_equal(dn_spatial_move(s, 5, 0, 0), DN_EINVAL);
	assert_int_equal(dn_spatial_move(s, 1, 0, 1000), DN_ERANGE);
	int32_t gx, gy;
	assert_int_equal(dn_spatial_get(s, 1, &gx, &gy), DN_OK);
	assert_int_equal(gx, 5);
	assert_int_equal(gy, 5);
	assert_int_equal(dn_spatial_count(s), 3);
	assert_int_equal(dn_spatial_check(s), DN_OK);
	assert_int_equal(dn_spatial_knn(s, 0, 0, 2, -1, NULL, out, 10, &n), DN_EINVAL);
	assert_int_equal(dn_spatial_within(s, DN_SPATIAL_COORD_LIMIT_CM, 0, 5, out, 10, &n), DN_ERANGE);
	/* queries from far off the plane still find the nearest point */
	assert_int_equal(dn_spatial_knn(s, 900000, -900000, 1, DN_SPATIAL_ANY_DISTANCE_CM, NULL,
	                                out, 10, &n),
	                 DN_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].id, 2);
	dn_spatial_cfg bad = {0, 0, 100, 100, 0, 10, false};
	dn_spatial *t = NULL;
	assert_int_equal(dn_spatial_new(&bad, &t), DN_EINVAL);
	bad.cell_cm = 10;
	bad.max_points = 0;
	assert_int_equal(dn_spatial_new(&bad, &t), DN_EINVAL);
	bad.max_points = 10;
	bad.min_x_cm = DN_SPATIAL_COORD_LIMIT_CM - 50;
	assert_int_equal(dn_spatial_new(&bad, &t), DN_EINVAL);
	assert_null(t);
	dn_spatial_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_knn_and_within_match_brute_force_on_random_sets),
	    cmocka_unit_test(test_knn_cursor_pages_enumerate_every_point_in_order),
	    cmocka_unit_test(test_knn_pages_on_a_dense_lattice_skip_only_what_they_returned),
	    cmocka_unit_test(test_churn_and_moves_keep_every_query_exact),
	    cmocka_unit_test(test_full_index_in_one_cell_survives_moves),
	    cmocka_unit_test(test_result_order_is_independent_of_insertion_history),
	    cmocka_unit_test(test_knn_ties_on_a_ring_boundary_go_to_the_lower_id),
	    cmocka_unit_test(test_covering_discs_match_brute_force),
	    cmocka_unit_test(test_bounds_are_DN_ELIMIT_not_overflow),
	    cmocka_unit_test(test_bad_arguments_change_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
