/*
 * test_tune.c: the `tune:` block (sim/engine/tune.h). Designs have the
 * shapes they promise (Saltelli's A, B, AB_i and BA_i; Morris's
 * one-at-a-time trajectories on the grid), the estimators find the
 * Ishigami function's analytic indices at small N within loose bounds and
 * leave failed rows out, the target search recovers a planted optimum and
 * reports a goal above what the ranges reach as out of reach, and every
 * mistake in the block is an error at FILE:LINE:COLUMN.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tune.h"

#define PI 3.141592653589793

/* |a - b| <= eps (cmocka 1.1.5 has no double assertions) */
#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

static const dn_param_def defs[] = {
    {"sim.seed", DN_PT_INT, "1", "1", 0, 9223372036854775807.0, NULL, "seed"},
    {"sim.end_time_s", DN_PT_FLOAT, "s", "10", 1e-9, 1e9, NULL, "horizon"},
    {"f.x1", DN_PT_FLOAT, "1", "0", -PI, PI, NULL, "x1"},
    {"f.x2", DN_PT_FLOAT, "1", "0", -PI, PI, NULL, "x2"},
    {"f.x3", DN_PT_FLOAT, "1", "0", -PI, PI, NULL, "x3"},
    {"f.n", DN_PT_INT, "1", "4", 1, 100, NULL, "count"},
    {"f.mode", DN_PT_ENUM, "", "a", 0, 0, "a|b", "mode"},
};

static int lookup(void *ctx, const char *name, char *hint, size_t hintlen)
{
	(void)ctx;
	(void)hint;
	(void)hintlen;
	return !strcmp(name, "y") || !strcmp(name, "score") ? 2 : !strcmp(name, "price") ? 1 : 0;
}

typedef struct loaded {
	dn_registry *r;
	dn_scenario *s;
	dn_tune *t;
	char err[4096];
	dn_rc rc;
} loaded;

static void load(loaded *L, const char *yaml)
{
	memset(L, 0, sizeof *L);
	L->r = dn_registry_new();
	assert_non_null(L->r);
	assert_int_equal(dn_registry_add(L->r, defs, sizeof defs / sizeof defs[0]), DN_OK);
	L->rc = dn_scenario_load_string(L->r, "t.yaml", yaml, NULL, 0, &L->s, L->err, sizeof L->err);
	if (L->rc == DN_OK)
		L->rc = dn_tune_from_scenario(L->r, L->s, 10, lookup, NULL, &L->t, L->err, sizeof L->err);
}

static void unload(loaded *L)
{
	dn_tune_free(L->t);
	dn_scenario_free(L->s);
	dn_registry_free(L->r);
}

static void expect_error(const char *yaml, const char *where, const char *what)
{
	loaded L;
	load(&L, yaml);
	assert_int_not_equal(L.rc, DN_OK);
	assert_null(L.t);
	if (strncmp(L.err, where, strlen(where)) != 0 || !strstr(L.err, what))
		fail_msg("expected '%s ... %s', got '%s'", where, what, L.err);
	unload(&L);
}

static double ishigami(const double *x)
{
	return sin(x[0]) + 7 * pow(sin(x[1]), 2) + 0.1 * pow(x[2], 4) * sin(x[0]);
}

/* ---- the block ---- */

static void test_block_read_whole(void **state)
{
	(void)state;
	loaded L;
	load(&L, "sim: {seed: 9}\n"
	         "tune:\n"
	         "  kind: sensitivity\n"
	         "  replicates: 3\n"
	         "  samples: 64\n"
	         "  max_samples: 256\n"
	         "  set: {sim.end_time_s: 5}\n"
	         "  params:\n"
	         "    f.x1: {min: -1, max: 1}\n"
	         "    f.n: {min: 2, max: 9}\n"
	         "    f.x3: registered\n"
	         "  outputs:\n"
	         "    - {metric: y}\n"
	         "    - {metric: price, take: max, from_s: 2}\n");
	if (L.rc)
		fail_msg("%s", L.err);
	const dn_tune *t = L.t;
	assert_int_equal(t->kind, DN_TUNE_SENSITIVITY);
	assert_int_equal(t->seed, 9); /* the scenario's seed by default */
	assert_int_equal(t->replicates, 3);
	assert_true(t->common);
	assert_int_equal(t->samples, 64);
	assert_int_equal(t->max_samples, 256);
	assert_int_equal(t->k, 3);
	assert_true(t->p[1].integer);
	assert_double_equal(t->p[2].lo, -PI, 1e-15);
	assert_int_equal(t->n_out, 2);
	assert_true(t->out[1].series);
	assert_int_equal(t->out[1].take, DN_TAKE_MAX);
	assert_int_equal(t->n_sets, 1);
	assert_string_equal(t->sets[0], "sim.end_time_s=5");
	/* values: linear ends, integers covering their whole numbers evenly */
	assert_double_equal(dn_tune_value(t, 0, 0), -1, 0);
	assert_double_equal(dn_tune_value(t, 0, 1), 1, 0);
	assert_double_equal(dn_tune_value(t, 1, 0), 2, 0);
	assert_double_equal(dn_tune_value(t, 1, 0.999), 9, 0);
	assert_double_equal(dn_tune_value(t, 1, 1), 9, 0);
	char buf[40];
	dn_tune_value_text(t, 1, 0.5, buf, sizeof buf);
	assert_string_equal(buf, "6");
	unload(&L);
}

static void test_block_errors_name_the_place(void **state)
{
	(void)state;
	expect_error("tune:\n  kind: sobol\n", "t.yaml:2:9: tune:", "expected screen, sensitivity or target");
	expect_error("tune:\n  kind: screen\n  params: {f.x9: {min: 0, max: 1}}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:12: tune:", "unknown parameter 'f.x9'");
	expect_error("tune:\n  kind: screen\n  params: {f.x1: {min: -9, max: 1}}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:18: tune:", "leaves the parameter's own range");
	expect_error("tune:\n  kind: screen\n  params: {f.mode: {min: 0, max: 1}}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:12: tune:", "not a number");
	expect_error("tune:\n  kind: screen\n  samples: 8\n  params: {f.x1: registered}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:3: tune:", "not a key of kind screen");
	expect_error("tune:\n  kind: screen\n  params: {f.x1: registered}\n  outputs: [{metric: yy}]\n",
	             "t.yaml:4:22: tune:", "no series or summary scalar");
	expect_error("tune:\n  kind: target\n  params: {f.x1: registered}\n",
	             "t.yaml:2:3: tune:", "needs goals");
	expect_error("tune:\n  kind: target\n  params: {f.x1: registered}\n  goals: [{metric: y}]\n",
	             "t.yaml:4:11: tune:", "needs bound");
	expect_error("tune:\n  kind: target\n  params: {f.x1: registered}\n  objective: {metric: y}\n",
	             "t.yaml:4:14: tune:", "direction: expected minimize or maximize");
	expect_error("tune:\n  kind: screen\n  levels: 3\n  params: {f.x1: registered}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:11: tune:", "even number");
	expect_error("tune:\n  kind: screen\n  params: {f.x1: {min: -1, max: 1, scale: log}}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:18: tune:", "log needs min > 0");
	/* an included file's tune: is its own: ignored, not an error */
	loaded L;
	load(&L, "sim: {seed: 2}\n");
	assert_int_equal(L.rc, DN_OK);
	assert_null(L.t);
	unload(&L);
}

static void test_block_prefix_takes_every_numeric_parameter(void **state)
{
	(void)state;
	loaded L;
	load(&L, "tune:\n  kind: screen\n  params: {f.x2: {min: 0, max: 1}, f.*: registered}\n"
	         "  outputs: [{metric: y}]\n");
	if (L.rc)
		fail_msg("%s", L.err);
	/* f.x2 as given, then f.n, f.x1, f.x3 over their registered ranges; not the enum f.mode */
	assert_int_equal(L.t->k, 4);
	assert_string_equal(L.t->p[0].def->name, "f.x2");
	assert_double_equal(L.t->p[0].hi, 1, 0);
	for (size_t j = 1; j < 4; j++) {
		assert_true(strcmp(L.t->p[j].def->name, "f.mode") != 0);
		assert_double_equal(L.t->p[j].lo, L.t->p[j].def->min, 0);
	}
	unload(&L);
	expect_error("tune:\n  kind: screen\n  params: {zz.*: registered}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:12: tune:", "no integer or float parameter");
	expect_error("tune:\n  kind: screen\n  params: {f.*: {min: 0, max: 1}}\n  outputs: [{metric: y}]\n",
	             "t.yaml:3:17: tune:", "a prefix takes 'registered'");
}

/* ---- designs ---- */

static void test_saltelli_matrices_have_their_shape(void **state)
{
	(void)state;
	const size_t k = 3;
	for (int second = 0; second <= 1; second++) {
		size_t w = dn_tune_saltelli_width(k, second);
		assert_int_equal(w, second ? 8 : 5);
		double *u = malloc(16 * w * k * sizeof *u), *tail = malloc(4 * w * k * sizeof *tail);
		assert_int_equal(dn_tune_saltelli_design(k, 0, 16, second, u), DN_OK);
		for (size_t n = 0; n < 16; n++) {
			const double *a = &u[n * w * k], *b = a + k;
			bool differ = false;
			for (size_t j = 0; j < k; j++) {
				assert_true(a[j] >= 0 && a[j] < 1 && b[j] >= 0 && b[j] < 1);
				differ = differ || a[j] != b[j];
			}
			assert_true(differ);
			for (size_t i = 0; i < k; i++) {
				const double *ab = a + (2 + i) * k;
				for (size_t j = 0; j < k; j++)
					assert_true(ab[j] == (j == i ? b[j] : a[j]));
				if (second) {
					const double *ba = a + (2 + k + i) * k;
					for (size_t j = 0; j < k; j++)
						assert_true(ba[j] == (j == i ? a[j] : b[j]));
				}
			}
		}
		/* rows do not depend on where the design starts: N grows by rows */
		assert_int_equal(dn_tune_saltelli_design(k, 12, 16, second, tail), DN_OK);
		assert_memory_equal(tail, &u[12 * w * k], 4 * w * k * sizeof *u);
		free(u);
		free(tail);
	}
	assert_int_equal(dn_tune_saltelli_design(0, 0, 4, false, NULL), DN_EINVAL);
}

static void test_morris_trajectories_move_one_factor_at_a_time(void **state)
{
	(void)state;
	const size_t k = 5;
	const uint64_t r = 40, levels = 4;
	double *u = malloc(r * (k + 1) * k * sizeof *u), delta[40 * 5];
	uint32_t factor[40 * 5];
	dn_tune_morris_design(k, r, levels, 7, u, factor, delta);
	const double step = 4.0 / 6.0;
	for (uint64_t t = 0; t < r; t++) {
		bool moved[5] = {false};
		for (size_t s = 0; s <= k; s++)
			for (size_t j = 0; j < k; j++) {
				double x = u[(t * (k + 1) + s) * k + j], lv = x * 3;
				assert_true(x >= 0 && x <= 1);
				assert_true(fabs(lv - round(lv)) < 1e-9); /* on the grid */
			}
		for (size_t s = 1; s <= k; s++) {
			const double *a = &u[(t * (k + 1) + s - 1) * k], *b = a + k;
			uint32_t f = factor[t * k + s - 1];
			assert_true(f < k);
			assert_false(moved[f]);
			moved[f] = true;
			for (size_t j = 0; j < k; j++)
				if (j == f)
					assert_double_equal(b[j] - a[j], delta[t * k + s - 1], 1e-12);
				else
					assert_true(b[j] == a[j]);
			assert_double_equal(fabs(delta[t * k + s - 1]), step, 1e-12);
		}
	}
	/* the same seed draws the same design; another seed another */
	double *v = malloc(r * (k + 1) * k * sizeof *v);
	dn_tune_morris_design(k, r, levels, 7, v, factor, delta);
	assert_memory_equal(u, v, r * (k + 1) * k * sizeof *u);
	dn_tune_morris_design(k, r, levels, 8, v, factor, delta);
	assert_memory_not_equal(u, v, r * (k + 1) * k * sizeof *u);
	free(u);
	free(v);
}

/* ---- estimators ---- */

static double *ishigami_outputs(size_t n, bool second)
{
	const size_t k = 3, w = dn_tune_saltelli_width(k, second);
	double *u = malloc(n * w * k * sizeof *u), *y = malloc(n * w * sizeof *y);
	assert_int_equal(dn_tune_saltelli_design(k, 0, n, second, u), DN_OK);
	for (size_t p = 0; p < n * w; p++) {
		double x[3];
		for (size_t j = 0; j < k; j++)
			x[j] = -PI + 2 * PI * u[p * k + j];
		y[p] = ishigami(x);
	}
	free(u);
	return y;
}

static void test_sobol_ishigami_small_n(void **state)
{
	(void)state;
	/* analytic values for a = 7, b = 0.1 */
	const double s1[3] = {0.3139, 0.4424, 0}, st[3] = {0.5576, 0.4424, 0.2437};
	const size_t n = 1024;
	double *y = ishigami_outputs(n, true);
	dn_sobol_index idx[3];
	double s2[9], s2lo[9], s2hi[9];
	dn_sobol_result res = {.idx = idx, .s2 = s2, .s2_lo = s2lo, .s2_hi = s2hi};
	assert_int_equal(dn_tune_sobol(3, n, true, y, 500, 0.95, 1, &res), DN_OK);
	assert_int_equal(res.rows_used, n);
	for (int i = 0; i < 3; i++) {
		if (fabs(idx[i].s1 - s1[i]) > 0.06 || fabs(idx[i].st - st[i]) > 0.06)
			fail_msg("x%d: S1 %.4f (%.4f) ST %.4f (%.4f)", i + 1, idx[i].s1, s1[i], idx[i].st, st[i]);
		print_message("x%d S1 %.4f [%.4f %.4f] ST %.4f [%.4f %.4f]\n", i + 1, idx[i].s1, idx[i].s1_lo, idx[i].s1_hi, idx[i].st, idx[i].st_lo, idx[i].st_hi);
		assert_true(idx[i].s1_lo <= idx[i].s1 && idx[i].s1 <= idx[i].s1_hi);
		assert_true(idx[i].st_lo <= idx[i].st && idx[i].st <= idx[i].st_hi);
		assert_true(idx[i].st_hi - idx[i].st_lo < 0.3);
	}
	/* x1 and x3 interact (S13 = 0.2437), the others do not */
	assert_true(fabs(s2[0 * 3 + 2] - 0.2437) < 0.1);
	assert_true(fabs(s2[0 * 3 + 1]) < 0.1);
	assert_true(isnan(s2[2 * 3 + 0]));
	free(y);
}

static void test_sobol_failed_rows_are_left_out_and_counted(void **state)
{
	(void)state;
	const size_t n = 512, w = 5;
	double *y = ishigami_outputs(n, false);
	dn_sobol_index idx[3], all[3];
	dn_sobol_result res = {.idx = all};
	assert_int_equal(dn_tune_sobol(3, n, false, y, 200, 0.95, 1, &res), DN_OK);
	/* 50 failed points (one in each of 50 rows) */
	for (size_t r = 0; r < 50; r++)
		y[(r * 7) * w + r % w] = NAN;
	res = (dn_sobol_result){.idx = idx};
	assert_int_equal(dn_tune_sobol(3, n, false, y, 200, 0.95, 1, &res), DN_OK);
	assert_int_equal(res.rows, n);
	assert_int_equal(res.rows_used, n - 50);
	for (int i = 0; i < 3; i++) {
		assert_true(isfinite(idx[i].s1) && isfinite(idx[i].st));
		assert_true(fabs(idx[i].st - all[i].st) < 0.1);
	}
	/* a constant output has no indices */
	for (size_t p = 0; p < n * w; p++)
		y[p] = 1;
	assert_int_equal(dn_tune_sobol(3, n, false, y, 10, 0.95, 1, &res), DN_EINVAL);
	free(y);
}

static void test_morris_ranks_a_known_function(void **state)
{
	(void)state;
	/* y = 3 u0 + 0 u1 + 2 u2^2 over the unit cube: u0's effect is 3 in
	 * every trajectory, u1's 0, u2's varies (sigma > 0) */
	const size_t k = 3;
	const uint64_t r = 30;
	double *u = malloc(r * (k + 1) * k * sizeof *u), *y = malloc(r * (k + 1) * sizeof *y), delta[90];
	uint32_t factor[90];
	dn_tune_morris_design(k, r, 4, 3, u, factor, delta);
	for (size_t p = 0; p < r * (k + 1); p++)
		y[p] = 3 * u[p * k] + 2 * u[p * k + 2] * u[p * k + 2];
	y[5 * (k + 1) + 2] = NAN; /* a failed point: two effects lost */
	dn_morris_index m[3];
	dn_tune_morris(k, r, y, factor, delta, 300, 0.95, 3, m);
	assert_double_equal(m[0].mu_star, 3, 1e-9);
	assert_double_equal(m[0].sigma, 0, 1e-9);
	assert_double_equal(m[1].mu_star, 0, 1e-12);
	assert_true(m[2].mu_star > 0.5 && m[2].sigma > 0.1);
	assert_true(m[2].mu_star_lo <= m[2].mu_star && m[2].mu_star <= m[2].mu_star_hi);
	assert_true(m[2].sigma_lo <= m[2].sigma && m[2].sigma <= m[2].sigma_hi && m[2].sigma_lo > 0);
	assert_true(m[0].sigma_lo == 0 && m[0].sigma_hi < 1e-9); /* a linear effect: sigma 0 in every resample */
	uint64_t lost = 3 * r - (m[0].n + m[1].n + m[2].n);
	assert_int_equal(lost, 2);
	/* the bootstrap's resamples are independent: mu*'s interval is about
	 * as wide as the normal one from the effects' own spread (resamples
	 * drawn from overlapping streams collapse it) */
	double ee[90], sum = 0, ss = 0;
	size_t ne = 0;
	for (uint64_t t = 0; t < r; t++)
		for (size_t st = 1; st <= k; st++) {
			double y0 = y[t * (k + 1) + st - 1], y1 = y[t * (k + 1) + st];
			if (factor[t * k + st - 1] == 2 && !isnan(y0) && !isnan(y1))
				ee[ne++] = fabs((y1 - y0) / delta[t * k + st - 1]);
		}
	for (size_t i = 0; i < ne; i++)
		sum += ee[i];
	for (size_t i = 0; i < ne; i++)
		ss += (ee[i] - sum / (double)ne) * (ee[i] - sum / (double)ne);
	double normal = 2 * 1.96 * sqrt(ss / (double)(ne - 1) / (double)ne), width = m[2].mu_star_hi - m[2].mu_star_lo;
	if (!(width > 0.6 * normal && width < 1.6 * normal))
		fail_msg("mu*'s interval %.4f wide, the normal one %.4f", width, normal);
	free(u);
	free(y);
}

/* ---- target search ---- */

static const double opt[3] = {0.31, 0.72, 0.55};

typedef struct planted_ctx {
	size_t calls;
	bool fail_corner; /* fail candidates with u0 > 0.9 */
} planted_ctx;

/* goal 0: score (1 - loss) ; objective: the loss */
static int planted_eval(void *ctx, const double *u, size_t n, double *vals, double *lo, double *hi)
{
	planted_ctx *P = ctx;
	for (size_t c = 0; c < n; c++) {
		P->calls++;
		double loss = 0;
		for (int j = 0; j < 3; j++)
			loss += (j + 1) * (u[c * 3 + j] - opt[j]) * (u[c * 3 + j] - opt[j]);
		bool fail = P->fail_corner && u[c * 3] > 0.9;
		vals[c * 2] = fail ? NAN : 1 - loss;
		vals[c * 2 + 1] = fail ? NAN : loss;
		lo[c * 2] = hi[c * 2] = vals[c * 2];
		lo[c * 2 + 1] = hi[c * 2 + 1] = vals[c * 2 + 1];
	}
	return 0;
}

static void test_target_recovers_a_planted_optimum(void **state)
{
	(void)state;
	loaded L;
	load(&L, "tune:\n  kind: target\n  candidates: 200\n  tolerance: 0.0005\n"
	         "  params: {f.x1: {min: 0, max: 1}, f.x2: {min: 0, max: 1}, f.x3: {min: 0, max: 1}}\n"
	         "  goals: [{metric: score, bound: '>= 0.5'}]\n"
	         "  objective: {metric: y, direction: minimize}\n");
	if (L.rc)
		fail_msg("%s", L.err);
	planted_ctx P = {0};
	dn_tune_search res;
	assert_int_equal(dn_tune_target(L.t, planted_eval, &P, &res), DN_OK);
	assert_true(res.n <= 200);
	assert_int_equal(P.calls, res.n); /* a point is never evaluated twice */
	assert_true(res.met);
	for (int j = 0; j < 3; j++)
		if (fabs(res.c[res.best].u[j] - opt[j]) > 0.01)
			fail_msg("x%d: %.4f, planted %.2f (%zu candidates)", j + 1, res.c[res.best].u[j], opt[j], res.n);
	dn_tune_search_free(&res);
	unload(&L);
}

static void test_target_out_of_reach_is_reported_with_its_ceiling(void **state)
{
	(void)state;
	loaded L;
	load(&L, "tune:\n  kind: target\n  candidates: 150\n"
	         "  params: {f.x1: {min: 0, max: 1}, f.x2: {min: 0, max: 1}, f.x3: {min: 0, max: 1}}\n"
	         "  goals: [{metric: score, bound: '>= 1.2'}]\n");
	if (L.rc)
		fail_msg("%s", L.err);
	planted_ctx P = {.fail_corner = true};
	dn_tune_search res;
	assert_int_equal(dn_tune_target(L.t, planted_eval, &P, &res), DN_OK);
	assert_false(res.met);
	/* the ceiling of the score over the box is 1, at the optimum */
	assert_true(res.reach[0] > 0.99 && res.reach[0] <= 1.0);
	assert_true(res.reach_at[0] < res.n);
	for (size_t c = 0; c < res.n; c++)
		assert_true(res.c[c].failed == (res.c[c].u[0] > 0.9));
	dn_tune_search_free(&res);
	unload(&L);
}

static void test_target_meets_goals_and_stops(void **state)
{
	(void)state;
	loaded L;
	load(&L, "tune:\n  kind: target\n"
	         "  params: {f.x1: {min: 0, max: 1, start: 0.9}, f.x2: {min: 0, max: 1}, f.x3: {min: 0, max: 1}}\n"
	         "  goals: [{metric: score, bound: '>= 0.9'}]\n");
	if (L.rc)
		fail_msg("%s", L.err);
	planted_ctx P = {0};
	dn_tune_search res;
	assert_int_equal(dn_tune_target(L.t, planted_eval, &P, &res), DN_OK);
	assert_true(res.met);
	assert_true(res.c[res.best].vals[0] >= 0.9);
	assert_true(res.n < 60); /* goals only: the first setting that meets them ends it */
	assert_double_equal(res.c[0].u[0], 0.9, 1e-12);
	dn_tune_search_free(&res);
	unload(&L);
}

/* R-EMIT-5's shape: a goal on a metric the tuned knobs do not move (the
 * DToken share's ceiling with E0 and lambda fixed) */
static int flat_eval(void *ctx, const double *u, size_t n, double *vals, double *lo, double *hi)
{
	size_t *calls = ctx;
	(void)u;
	for (size_t c = 0; c < n; c++) {
		(*calls)++;
		vals[c] = lo[c] = hi[c] = 0.375;
	}
	return 0;
}

static void test_R_EMIT_5_target_flat_goal_ends_with_its_ceiling(void **state)
{
	(void)state;
	loaded L;
	load(&L, "tune:\n  kind: target\n  candidates: 500\n"
	         "  params: {f.x1: {min: 0, max: 1}, f.x2: {min: 0, max: 1}}\n"
	         "  goals: [{metric: score, bound: '>= 0.5'}]\n");
	if (L.rc)
		fail_msg("%s", L.err);
	size_t calls = 0;
	dn_tune_search res;
	assert_int_equal(dn_tune_target(L.t, flat_eval, &calls, &res), DN_OK);
	assert_false(res.met);
	assert_true(res.converged);
	assert_true(res.n < 500); /* it ends by itself, not at the cap */
	assert_int_equal(calls, res.n);
	assert_double_equal(res.reach[0], 0.375, 0);
	dn_tune_search_free(&res);
	unload(&L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_block_read_whole),
	    cmocka_unit_test(test_block_errors_name_the_place),
	    cmocka_unit_test(test_block_prefix_takes_every_numeric_parameter),
	    cmocka_unit_test(test_saltelli_matrices_have_their_shape),
	    cmocka_unit_test(test_morris_trajectories_move_one_factor_at_a_time),
	    cmocka_unit_test(test_sobol_ishigami_small_n),
	    cmocka_unit_test(test_sobol_failed_rows_are_left_out_and_counted),
	    cmocka_unit_test(test_morris_ranks_a_known_function),
	    cmocka_unit_test(test_target_recovers_a_planted_optimum),
	    cmocka_unit_test(test_target_out_of_reach_is_reported_with_its_ceiling),
	    cmocka_unit_test(test_target_meets_goals_and_stops),
	    cmocka_unit_test(test_R_EMIT_5_target_flat_goal_ends_with_its_ceiling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
