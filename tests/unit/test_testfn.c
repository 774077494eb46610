/*
 * test_testfn.c: the test-function models (models/testfn). Each is run in
 * process through the engine into a results file, and /summary is read
 * back: the values a tuner would read. Ishigami matches its formula,
 * noise repeats with the seed and has the sd asked for, the planted
 * optimum scores 1, and the planted failure stops the run with its reason.
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
#include <hdf5.h>
#include <math.h>

#include "engine.h"
#include "results.h"
#include "testfn.h"

/* ---- helpers ---- */

static dn_registry *make_registry(void)
{
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	size_t n;
	const dn_param_def *e = dn_engine_params(&n);
	assert_int_equal(dn_registry_add(reg, e, n), DN_OK);
	assert_int_equal(dn_registry_add(reg, dn_model_ishigami.params, dn_model_ishigami.n_params), DN_OK);
	assert_int_equal(dn_registry_add(reg, dn_model_planted.params, dn_model_planted.n_params), DN_OK);
	return reg;
}

static dn_scenario *load(dn_registry *reg, const char *yaml)
{
	char err[512];
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load_string(reg, "test", yaml, NULL, 0, &s, err, sizeof err);
	if (rc)
		fail_msg("scenario: %s", err);
	return s;
}

static const char *out_path(void)
{
	static char path[512];
	if (!path[0])
		snprintf(path, sizeof path, "%s/dnetsim-test-testfn-%d.h5",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	return path;
}

/* Runs model m on the scenario text (printf-style) into out_path(). */
static void run(const dn_model *m, const char *fmt, ...) DN_PRINTF(2, 3);
static void run(const dn_model *m, const char *fmt, ...)
{
	char yaml[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(yaml, sizeof yaml, fmt, ap);
	va_end(ap);
	dn_registry *reg = make_registry();
	dn_scenario *s = load(reg, yaml);
	char err[512];
	dn_world *w = NULL;
	if (dn_world_new(m, s, 1, &w, err, sizeof err))
		fail_msg("world: %s", err);
	dn_results *r = NULL;
	assert_int_equal(dn_results_open(out_path(), &r, err, sizeof err), DN_OK);
	if (dn_world_run(w, r, NULL, NULL, NULL, NULL, err, sizeof err))
		fail_msg("run: %s", err);
	assert_int_equal(dn_results_close(r, true), DN_OK);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* /summary/<name> of the last run, as a double. */
static double summary(const char *name)
{
	hid_t f = H5Fopen(out_path(), H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	char full[256];
	snprintf(full, sizeof full, "/summary/%s", name);
	if (H5Lexists(f, full, H5P_DEFAULT) <= 0)
		fail_msg("no %s in the results file", full);
	hid_t d = H5Dopen2(f, full, H5P_DEFAULT);
	assert_true(d >= 0);
	double v = NAN;
	assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0);
	H5Dclose(d);
	H5Fclose(f);
	return v;
}

static double ishigami(double x1, double x2, double x3, double a, double b)
{
	return sin(x1) + a * sin(x2) * sin(x2) + b * x3 * x3 * x3 * x3 * sin(x1);
}

static void run_ishigami(double x1, double x2, double x3, double a, double b, double noise, int seed)
{
	run(&dn_model_ishigami,
	    "sim: {model: ishigami, seed: %d, end_time_s: 1}\n"
	    "ishigami: {x1: %.17g, x2: %.17g, x3: %.17g, a: %.17g, b: %.17g, noise: %.17g}\n",
	    seed, x1, x2, x3, a, b, noise);
}

/* ---- ishigami ---- */

static void test_ishigami_matches_the_formula_at_several_points(void **state)
{
	(void)state;
	static const double pts[][5] = {
		{1.0, 2.0, 0.5, 7, 0.1},
		{0, 0, 0, 7, 0.1},
		{-1.5707963267948966, 1.5707963267948966, 3.141592653589793, 7, 0.1},
		{0.3, -2.9, -1.7, 2.5, 4},
	};
	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
		const double *p = pts[i];
		run_ishigami(p[0], p[1], p[2], p[3], p[4], 0, 1);
		const double want = ishigami(p[0], p[1], p[2], p[3], p[4]);
		const double got = summary("ishigami_f");
		if (fabs(got - want) > 1e-12 * fmax(1, fabs(want)))
			fail_msg("point %zu: ishigami_f = %.17g, want %.17g", i, got, want);
	}
	/* by hand at (1, 2, 0.5), a = 7, b = 0.1: 0.841471 + 7 (0.826822) + 0.1 (0.0625) (0.841471) */
	run_ishigami(1.0, 2.0, 0.5, 7, 0.1, 0, 1);
	assert_true(fabs(summary("ishigami_f") - 6.634483) < 1e-6);
}

static void test_ishigami_defaults_are_the_standard_test_at_the_origin(void **state)
{
	(void)state;
	run(&dn_model_ishigami, "sim: {model: ishigami}\n");
	assert_true(summary("ishigami_f") == 0.0); /* sin(0) terms, at any a and b */
	run(&dn_model_ishigami, "sim: {model: ishigami}\nishigami: {x1: 1, x2: 1, x3: 1}\n");
	assert_true(fabs(summary("ishigami_f") - ishigami(1, 1, 1, 7, 0.1)) < 1e-12);
}

static void test_ishigami_without_noise_y_equals_f_exactly(void **state)
{
	(void)state;
	for (int seed = 1; seed <= 5; seed++) {
		run_ishigami(1.0, 2.0, 0.5, 7, 0.1, 0, seed);
		assert_true(summary("ishigami_noise") == 0.0 && !signbit(summary("ishigami_noise")));
		assert_true(summary("ishigami_y") == summary("ishigami_f"));
	}
}

static void test_noise_repeats_with_the_seed_and_changes_with_it(void **state)
{
	(void)state;
	run_ishigami(1.0, 2.0, 0.5, 7, 0.1, 0.5, 11);
	const double n1 = summary("ishigami_noise"), y1 = summary("ishigami_y");
	assert_true(n1 != 0.0);
	assert_true(y1 == summary("ishigami_f") + n1);
	run_ishigami(1.0, 2.0, 0.5, 7, 0.1, 0.5, 11);
	assert_true(summary("ishigami_noise") == n1);
	assert_true(summary("ishigami_y") == y1);
	run_ishigami(1.0, 2.0, 0.5, 7, 0.1, 0.5, 12);
	assert_true(summary("ishigami_noise") != n1);
	/* the draw is the seed's alone: another point or sd scales it, nothing more */
	run_ishigami(-2.0, 0.1, 3.0, 7, 0.1, 1.0, 11);
	assert_true(summary("ishigami_noise") == 2 * n1);
}

static void test_noise_sd_over_200_seeds_is_the_parameter(void **state)
{
	(void)state;
	const double sd = 2.5;
	const int n = 200;
	double sum = 0, sum2 = 0;
	for (int seed = 1; seed <= n; seed++) {
		run_ishigami(0.4, -1.1, 2.2, 7, 0.1, sd, seed);
		const double e = summary("ishigami_noise");
		assert_true(summary("ishigami_y") == summary("ishigami_f") + e);
		sum += e;
		sum2 += e * e;
	}
	const double mean = sum / n, s = sqrt((sum2 - n * mean * mean) / (n - 1));
	if (fabs(s - sd) > 0.2 * sd || fabs(mean) > 0.3 * sd) /* se: 5 % of sd; 7 % of sd */
		fail_msg("noise over %d seeds: mean %g, sd %g, want 0 and %g", n, mean, s, sd);
}

static void test_ishigami_fails_above_fail_x1_above_with_the_reason(void **state)
{
	(void)state;
	dn_registry *reg = make_registry();
	dn_scenario *s = load(reg, "sim: {model: ishigami}\nishigami: {x1: 2.5, fail_x1_above: 2}\n");
	dn_world *w = NULL;
	char err[512];
	assert_int_equal(dn_world_new(&dn_model_ishigami, s, 1, &w, err, sizeof err), DN_ELIMIT);
	assert_null(w);
	assert_string_equal(err, "ishigami: x1 = 2.5 is above ishigami.fail_x1_above = 2 "
	                         "(a planted failure for testing)");
	dn_scenario_free(s);
	/* at the threshold itself the run goes on: only above fails */
	s = load(reg, "sim: {model: ishigami}\nishigami: {x1: 2, fail_x1_above: 2}\n");
	assert_int_equal(dn_world_new(&dn_model_ishigami, s, 1, &w, err, sizeof err), DN_OK);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- planted ---- */

static const double planted_opt[4] = {0.31, 0.72, 0.55, 0.18};
static const double planted_w[4] = {1, 2, 0.5, 1.5};

static void test_planted_optimum_has_loss_0_score_1_dist_0(void **state)
{
	(void)state;
	run(&dn_model_planted, "sim: {model: planted}\nplanted: {x1: 0.31, x2: 0.72, x3: 0.55, x4: 0.18}\n");
	assert_true(summary("planted_loss") == 0.0);
	assert_true(summary("planted_score") == 1.0);
	assert_true(summary("planted_dist") == 0.0);
	/* a moved optimum is found where it was put */
	run(&dn_model_planted, "sim: {model: planted}\nplanted: {x1: 0.9, x2: 0.1, x3: 0, x4: 1, "
	                       "opt1: 0.9, opt2: 0.1, opt3: 0, opt4: 1}\n");
	assert_true(summary("planted_score") == 1.0);
}

static void test_planted_loss_is_the_weighted_distance_and_dist_the_largest_gap(void **state)
{
	(void)state;
	static const double pts[][4] = {{0.5, 0.5, 0.5, 0.5}, {0, 1, 0.2, 0.9}, {0.31, 0.72, 0.55, 0.28}};
	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
		const double *x = pts[i];
		run(&dn_model_planted, "sim: {model: planted, seed: 9}\nplanted: {x1: %.17g, x2: %.17g, x3: %.17g, x4: %.17g}\n",
		    x[0], x[1], x[2], x[3]);
		double loss = 0, dist = 0;
		for (int j = 0; j < 4; j++) {
			loss += planted_w[j] * (x[j] - planted_opt[j]) * (x[j] - planted_opt[j]);
			dist = fmax(dist, fabs(x[j] - planted_opt[j]));
		}
		if (fabs(summary("planted_loss") - loss) > 1e-14 || fabs(summary("planted_dist") - dist) > 1e-15)
			fail_msg("point %zu: loss %.17g dist %.17g, want %.17g and %.17g", i, summary("planted_loss"),
			         summary("planted_dist"), loss, dist);
		assert_true(fabs(summary("planted_score") - (1 - loss)) < 1e-14);
	}
	/* by hand at the defaults: 0.19^2 + 2 (0.22)^2 + 0.5 (0.05)^2 + 1.5 (0.32)^2 */
	run(&dn_model_planted, "sim: {model: planted}\n");
	assert_true(fabs(summary("planted_loss") - 0.28775) < 1e-12);
	assert_true(fabs(summary("planted_dist") - 0.32) < 1e-12);
}

static void test_planted_noise_moves_loss_and_score_not_dist(void **state)
{
	(void)state;
	run(&dn_model_planted, "sim: {model: planted, seed: 4}\n");
	const double loss = summary("planted_loss"), dist = summary("planted_dist");
	run(&dn_model_planted, "sim: {model: planted, seed: 4}\nplanted: {noise: 0.1}\n");
	const double noisy = summary("planted_loss");
	assert_true(noisy != loss && fabs(noisy - loss) < 0.6); /* within 6 sd */
	assert_true(summary("planted_score") == 1 - noisy);
	assert_true(summary("planted_dist") == dist);
	run(&dn_model_planted, "sim: {model: planted, seed: 4}\nplanted: {noise: 0.1}\n");
	assert_true(summary("planted_loss") == noisy);
}

/* ---- both ---- */

static void collect(void *ctx, const char *name, bool series)
{
	assert_false(series);
	char *list = ctx;
	strcat(list, name);
	strcat(list, " ");
}

/* names() lists exactly what finish wrote, so `expect:` checks see it. */
static void test_names_are_the_summaries_written(void **state)
{
	(void)state;
	const dn_model *models[] = {&dn_model_ishigami, &dn_model_planted};
	const char *want[] = {"ishigami_y ishigami_f ishigami_noise ", "planted_loss planted_score planted_dist "};
	for (size_t i = 0; i < 2; i++) {
		char list[256] = "";
		models[i]->names(NULL, collect, list);
		assert_string_equal(list, want[i]);
		run(models[i], "sim: {model: %s}\n", models[i]->name);
		hid_t f = H5Fopen(out_path(), H5F_ACC_RDONLY, H5P_DEFAULT);
		assert_true(f >= 0);
		H5G_info_t info;
		assert_true(H5Gget_info_by_name(f, "/summary", &info, H5P_DEFAULT) >= 0);
		assert_int_equal(info.nlinks, 3);
		if (H5Lexists(f, "/series", H5P_DEFAULT) > 0) { /* no series: an empty group at most */
			assert_true(H5Gget_info_by_name(f, "/series", &info, H5P_DEFAULT) >= 0);
			assert_int_equal(info.nlinks, 0);
		}
		H5Fclose(f);
		for (char *name = strtok(list, " "); name; name = strtok(NULL, " "))
			(void)summary(name);
	}
}

/* No events: any end time and any number of partitions runs at once. */
static void test_runs_at_any_end_time_and_partition_count(void **state)
{
	(void)state;
	static const char *const sims[] = {
		"end_time_s: 1e-9, partitions: 1", "end_time_s: 1, partitions: 16",
		"end_time_s: 1e5, partitions: 64, sample_interval_s: 1", "end_time_s: 3e9, sample_interval_s: 3e9",
	};
	for (size_t i = 0; i < sizeof sims / sizeof sims[0]; i++) {
		run(&dn_model_ishigami, "sim: {model: ishigami, %s}\nishigami: {x1: 1, x2: 2, x3: 0.5}\n", sims[i]);
		assert_true(fabs(summary("ishigami_y") - ishigami(1, 2, 0.5, 7, 0.1)) < 1e-12);
		run(&dn_model_planted, "sim: {model: planted, %s}\n", sims[i]);
		assert_true(fabs(summary("planted_loss") - 0.28775) < 1e-12);
	}
}

static int cleanup(void **state)
{
	(void)state;
	unlink(out_path());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ishigami_matches_the_formula_at_several_points),
		cmocka_unit_test(test_ishigami_defaults_are_the_standard_test_at_the_origin),
		cmocka_unit_test(test_ishigami_without_noise_y_equals_f_exactly),
		cmocka_unit_test(test_noise_repeats_with_the_seed_and_changes_with_it),
		cmocka_unit_test(test_noise_sd_over_200_seeds_is_the_parameter),
		cmocka_unit_test(test_ishigami_fails_above_fail_x1_above_with_the_reason),
		cmocka_unit_test(test_planted_optimum_has_loss_0_score_1_dist_0),
		cmocka_unit_test(test_planted_loss_is_the_weighted_distance_and_dist_the_largest_gap),
		cmocka_unit_test(test_planted_noise_moves_loss_and_score_not_dist),
		cmocka_unit_test(test_names_are_the_summaries_written),
		cmocka_unit_test(test_runs_at_any_end_time_and_partition_count),
	};
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
