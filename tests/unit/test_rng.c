/*
 * test_rng.c: the counter-based streams: known-answer vectors for
 * Philox4x32-10, reproducibility (a draw depends only on its coordinates),
 * independence of streams, and the distributions drawn through GSL.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "rng.h"

/* Known answers of Philox4x32-10 (Salmon et al., SC'11, Random123 test vectors). */
static void test_philox_known_answers(void **state)
{
	(void)state;
	uint32_t out[4];
	const uint32_t zero[4] = {0, 0, 0, 0};
	dn_philox4x32_10(zero, 0, out);
	assert_int_equal(out[0], 0x6627e8d5u);
	assert_int_equal(out[1], 0xe169c58du);
	assert_int_equal(out[2], 0xbc57ac4cu);
	assert_int_equal(out[3], 0x9b00dbd8u);
	const uint32_t ones[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
	dn_philox4x32_10(ones, UINT64_MAX, out);
	assert_int_equal(out[0], 0x408f276du);
	assert_int_equal(out[1], 0x41c83b0eu);
	assert_int_equal(out[2], 0xa20bc7c6u);
	assert_int_equal(out[3], 0x6d5451fdu);
	const uint32_t pi[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
	dn_philox4x32_10(pi, (uint64_t)0x299f31d0u << 32 | 0xa4093822u, out);
	assert_int_equal(out[0], 0xd16cfe09u);
	assert_int_equal(out[1], 0x94fdccebu);
	assert_int_equal(out[2], 0x5001e420u);
	assert_int_equal(out[3], 0x24126ea1u);
}

/* The same coordinates give the same bits however the stream is read. */
static void test_rng_reproducible_by_coordinates(void **state)
{
	(void)state;
	dn_rng a, b;
	dn_rng_init(&a, 42, 7, 300, 0);
	uint32_t seq[400];
	for (int i = 0; i < 400; i++)
		seq[i] = dn_rng_u32(&a);
	/* Jump straight to block 50: words 200..203. */
	dn_rng_init(&b, 42, 7, 300, 50);
	for (int i = 0; i < 4; i++)
		assert_int_equal(dn_rng_u32(&b), seq[200 + i]);
	uint32_t blk[4];
	dn_rng_block(42, 7, 300, 99, blk);
	for (int i = 0; i < 4; i++)
		assert_int_equal(blk[i], seq[396 + i]);
	/* GSL view of the same stream. */
	gsl_rng *g = dn_rng_gsl_new(42, 7, 300);
	assert_non_null(g);
	for (int i = 0; i < 8; i++)
		assert_int_equal(gsl_rng_get(g), seq[i]);
	dn_rng_gsl_bind(g, 42, 7, 300, 50);
	assert_int_equal(gsl_rng_get(g), seq[200]);
	gsl_rng_free(g);
}

/* Streams differing in seed, entity or purpose share no long runs and are
 * uncorrelated: the mean of products of centred uniforms is ~0. */
static void test_rng_streams_independent(void **state)
{
	(void)state;
	const int n = 200000;
	struct { uint64_t seed; uint32_t ent, pur; } st[4] = {{1, 0, 0}, {2, 0, 0}, {1, 1, 0}, {1, 0, 1}};
	dn_rng r[4];
	for (int k = 0; k < 4; k++)
		dn_rng_init(&r[k], st[k].seed, st[k].ent, st[k].pur, 0);
	double sum[4] = {0}, cross[4] = {0};
	int equal[4] = {0};
	for (int i = 0; i < n; i++) {
		double u[4];
		uint32_t w[4];
		for (int k = 0; k < 4; k++) {
			w[k] = dn_rng_u32(&r[k]);
			u[k] = (double)w[k] * 0x1.0p-32 - 0.5;
			sum[k] += u[k] + 0.5;
		}
		for (int k = 1; k < 4; k++) {
			cross[k] += u[0] * u[k];
			equal[k] += w[0] == w[k];
		}
	}
	for (int k = 0; k < 4; k++)
		assert_true(fabs(sum[k] / n - 0.5) < 0.005); /* sd of mean ~ 0.00065 */
	for (int k = 1; k < 4; k++) {
		assert_true(fabs(cross[k] / n) < 0.002); /* sd ~ 0.00019 */
		assert_true(equal[k] < 3);
	}
}

/* Distributions through GSL on our generator: sample means match. */
static void test_rng_gsl_distributions(void **state)
{
	(void)state;
	gsl_rng *g = dn_rng_gsl_new(9, 3, 257);
	assert_non_null(g);
	const int n = 200000;
	double se = 0, sl = 0, sp = 0, sq = 0;
	for (int i = 0; i < n; i++) {
		se += gsl_ran_exponential(g, 2.0);
		sl += log(gsl_ran_lognormal(g, 1.0, 0.5));
		sp += gsl_ran_pareto(g, 3.0, 1.0);
		sq += gsl_ran_poisson(g, 4.0);
	}
	assert_true(fabs(se / n - 2.0) < 0.03);
	assert_true(fabs(sl / n - 1.0) < 0.01);
	assert_true(fabs(sp / n - 1.5) < 0.02); /* Pareto(a=3, b=1) mean = 1.5 */
	assert_true(fabs(sq / n - 4.0) < 0.03);
	gsl_rng_free(g);
}

/* Zipf: empirical frequencies on a small support match the exact pmf. */
static void check_zipf(uint64_t n, double s)
{
	dn_zipf z;
	assert_int_equal(dn_zipf_init(&z, n, s), DN_OK);
	gsl_rng *g = dn_rng_gsl_new(5, 1, 258);
	assert_non_null(g);
	double norm = 0;
	for (uint64_t k = 1; k <= n; k++)
		norm += pow((double)k, -s);
	const int draws = 300000;
	int count[11] = {0};
	for (int i = 0; i < draws; i++) {
		uint64_t k = dn_ran_zipf(&z, g);
		assert_true(k >= 1 && k <= n);
		if (k <= 10)
			count[k]++;
	}
	for (uint64_t k = 1; k <= 10 && k <= n; k++) {
		double p = pow((double)k, -s) / norm;
		double sd = sqrt(p * (1 - p) / draws);
		assert_true(fabs((double)count[k] / draws - p) < 5 * sd + 1e-4);
	}
	gsl_rng_free(g);
}

static void test_rng_zipf(void **state)
{
	(void)state;
	check_zipf(10, 1.0);
	check_zipf(1000, 1.2);
	check_zipf(50, 0.7);
	check_zipf(1000000000ull, 2.0);
	dn_zipf z;
	assert_int_equal(dn_zipf_init(&z, 0, 1.0), DN_EINVAL);
	assert_int_equal(dn_zipf_init(&z, 10, 0.0), DN_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_philox_known_answers),
		cmocka_unit_test(test_rng_reproducible_by_coordinates),
		cmocka_unit_test(test_rng_streams_independent),
		cmocka_unit_test(test_rng_gsl_distributions),
		cmocka_unit_test(test_rng_zipf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
