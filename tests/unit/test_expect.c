/*
 * test_expect.c: the `expect:` block (sim/engine/expect.h): every kind of
 * take gives the value it promises of a known series, every bound passes
 * and fails where it should (exact integers beyond 2^53 included), an
 * ensemble's mean fails only when its whole interval is outside the bound,
 * and every mistake in the block is an error at FILE:LINE:COLUMN.
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

#include "expect.h"
#include "scenario.h"

static const dn_param_def defs[] = {
    {"sim.seed", DN_PT_INT, "1", "1", 0, 9223372036854775807.0, NULL, "seed"},
    {"sim.end_time_s", DN_PT_FLOAT, "s", "10", 1e-9, 1e9, NULL, "horizon"},
    {"world.agents", DN_PT_INT, "1", "100", 2, 1e9, NULL, "agents"},
};

/* The model's names: series "price", "supply"; summary "blocks". */
static int lookup(void *ctx, const char *name, char *hint, size_t hintlen)
{
	(void)ctx;
	(void)hint;
	(void)hintlen;
	if (!strcmp(name, "price") || !strcmp(name, "supply"))
		return 1;
	return !strcmp(name, "blocks") ? 2 : 0;
}

typedef struct loaded {
	dn_registry *r;
	dn_scenario *s;
	dn_expect *e;
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
		L->rc = dn_expect_from_scenario(L->r, L->s, 10, 0, lookup, NULL, &L->e, L->err, sizeof L->err);
}

static void unload(loaded *L)
{
	dn_expect_free(L->e);
	dn_scenario_free(L->s);
	dn_registry_free(L->r);
}

static void expect_error(const char *yaml, const char *where, const char *what)
{
	loaded L;
	load(&L, yaml);
	assert_int_not_equal(L.rc, DN_OK);
	assert_null(L.e);
	if (strncmp(L.err, where, strlen(where)) != 0 || !strstr(L.err, what))
		fail_msg("expected '%s ... %s', got '%s'", where, what, L.err);
	unload(&L);
}

/* One check, read from its YAML mapping text. */
static dn_expectation one(const char *check)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml, "expect:\n  - %s\n", check);
	loaded L;
	load(&L, yaml);
	if (L.rc)
		fail_msg("%s", L.err);
	assert_int_equal(L.e->n, 1);
	dn_expectation x = L.e->x[0];
	unload(&L);
	return x;
}

/* A series: t = 10, 20, ..., 100 s; value 5, 3, 8, 1, 9, 2, 7, 4, 6, 0. */
static const int64_t T[10] = {10000000000, 20000000000, 30000000000, 40000000000, 50000000000,
                              60000000000, 70000000000, 80000000000, 90000000000, 100000000000};
static const double V[10] = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0};

static dn_xnum take(const char *check)
{
	dn_expectation x = one(check);
	dn_xnum v;
	char why[256];
	if (!dn_expect_take_series(&x, T, V, NULL, 10, &v, why, sizeof why))
		fail_msg("%s", why);
	return v;
}

static void test_takes(void **state)
{
	(void)state;
	assert_true(take("{metric: price, bound: '> 0'}").d == 0);
	assert_true(take("{metric: price, take: at, at_s: 35, bound: '> 0'}").d == 8);
	assert_true(take("{metric: price, take: at, at_block: 5, bound: '> 0'}").d == 9); /* block 5 = 50 s */
	assert_true(take("{metric: price, take: min, bound: '> 0'}").d == 0);
	assert_true(take("{metric: price, take: min, from_s: 10, to_s: 30, bound: '> 0'}").d == 3);
	assert_true(take("{metric: price, take: max, to_s: 40, bound: '> 0'}").d == 8);
	assert_true(fabs(take("{metric: price, take: mean, bound: '> 0'}").d - 4.5) < 1e-12);
	assert_true(fabs(take("{metric: price, take: mean, from_s: 50, to_s: 60, bound: '> 0'}").d - 5.5) < 1e-12);
	/* crossing: from below 5 first reaches 8 at 30 s; from above 1 first at 40 s */
	assert_true(take("{metric: price, take: crossing, level: 7.5, bound: '> 0'}").d == 30);
	assert_true(take("{metric: price, take: crossing, level: 1, bound: '> 0'}").d == 40);
	assert_true(isinf(take("{metric: price, take: crossing, level: 100, bound: '> 0'}").d));
	/* an at before the first row gives nothing */
	dn_expectation x = one("{metric: price, take: at, at_s: 5, bound: '> 0'}");
	dn_xnum v;
	char why[256];
	assert_false(dn_expect_take_series(&x, T, V, NULL, 10, &v, why, sizeof why));
	assert_non_null(strstr(why, "no row at or before"));
}

/* Integer series keep their exact value: 2^60 + 1 is not 2^60. */
static void test_exact_integers(void **state)
{
	(void)state;
	int64_t iv[2] = {(INT64_C(1) << 60) + 1, (INT64_C(1) << 60) + 1};
	double dv[2] = {(double)iv[0], (double)iv[1]};
	dn_expectation x = one("{metric: supply, bound: == 1152921504606846977}");
	dn_xnum v;
	char why[256];
	assert_true(dn_expect_take_series(&x, T, dv, iv, 2, &v, why, sizeof why));
	assert_true(v.is_int && v.i == iv[1]);
	assert_true(dn_expect_holds(&x, v, NAN));
	dn_expectation y = one("{metric: supply, bound: == 1152921504606846976}");
	assert_false(dn_expect_holds(&y, v, NAN)); /* equal as doubles, not as integers */
}

static bool holds(const char *bound, double v, double baseline)
{
	char check[256];
	snprintf(check, sizeof check, "{metric: price, bound: '%s'}", bound);
	dn_expectation x = one(check);
	dn_xnum n = {.d = v};
	return dn_expect_holds(&x, n, baseline);
}

static void test_bounds(void **state)
{
	(void)state;
	assert_true(holds("< 5", 4.9, NAN));
	assert_false(holds("< 5", 5, NAN));
	assert_true(holds("<= 5", 5, NAN));
	assert_false(holds("<= 5", 5.1, NAN));
	assert_true(holds("> 5", 5.1, NAN));
	assert_false(holds(">5", 5, NAN));
	assert_true(holds(">= 5", 5, NAN));
	assert_false(holds(">= 5", 4.99, NAN));
	assert_true(holds("== 2.5", 2.5, NAN));
	assert_false(holds("== 2.5", 2.6, NAN));
	assert_true(holds("between 1 and 2", 1, NAN));
	assert_true(holds("between 1 and 2", 2, NAN));
	assert_false(holds("between 1 and 2", 2.01, NAN));
	assert_true(holds("within 5% of 200", 210, NAN));
	assert_false(holds("within 5% of 200", 210.5, NAN));
	assert_true(holds("within 5 % of -200", -190, NAN));
	assert_true(holds("within 10%", 109, 100));  /* of the blessed baseline */
	assert_false(holds("within 10%", 111, 100));
	assert_false(holds("within 10%", 100, NAN)); /* no baseline: never holds */
	assert_false(holds("< 5", NAN, NAN));        /* no value never passes */
}

/* judge: each fails on any run and names the first; mean fails only when
 * the whole interval is outside. */
static void test_judge(void **state)
{
	(void)state;
	dn_expectation x = one("{metric: price, bound: '< 10', judge: each}");
	dn_xnum v[4] = {{.d = 1}, {.d = 12}, {.d = 3}, {.d = 11}};
	dn_expect_verdict r;
	dn_expect_judge(&x, v, 4, 0.99, NAN, &r);
	assert_false(r.pass);
	assert_int_equal(r.failed_run, 1);
	assert_int_equal(r.n_fail, 2);
	assert_true(r.observed.d == 12);

	dn_expectation m = one("{metric: price, bound: '< 10', judge: mean}");
	/* mean 10.5, wide interval reaching below 10: not significant */
	dn_xnum w[4] = {{.d = 6}, {.d = 15}, {.d = 7}, {.d = 14}};
	dn_expect_judge(&m, w, 4, 0.99, NAN, &r);
	assert_true(r.pass);
	assert_true(r.lo < 10 && r.hi > 10);
	/* mean 20, narrow: fails */
	dn_xnum z[4] = {{.d = 19.9}, {.d = 20.1}, {.d = 20}, {.d = 20}};
	dn_expect_judge(&m, z, 4, 0.99, NAN, &r);
	assert_false(r.pass);
	assert_true(r.lo > 10);
	/* the interval is Student's t: for these 4 values at 95 %, half-width
	 * t(0.975, 3) * sd / 2 = 3.182446 * 0.0816497 / 2 */
	dn_expect_judge(&m, z, 4, 0.95, NAN, &r);
	assert_true(fabs((r.hi - r.lo) / 2 - 3.182446305 * 0.0816496581 / 2) < 1e-6);
	/* an interval wider than a between bound on both sides straddles it: passes */
	dn_expectation b = one("{metric: price, bound: 'between 9 and 11', judge: mean}");
	dn_xnum s[3] = {{.d = 0}, {.d = 20}, {.d = 10.5}};
	dn_expect_judge(&b, s, 3, 0.99, NAN, &r);
	assert_true(r.pass);
}

static void test_defaults(void **state)
{
	(void)state;
	loaded L;
	load(&L, "expect:\n  seeds: 8\n  set: {world.agents: 50}\n  checks:\n"
	         "    - {metric: price, bound: '< 1'}\n    - {metric: supply, bound: == 7}\n"
	         "    - {metric: price, bound: '< 1', judge: each, name: my check, rule: R-EMIT-1}\n");
	if (L.rc)
		fail_msg("%s", L.err);
	assert_int_equal(L.e->seeds, 8);
	assert_true(L.e->golden);
	assert_int_equal(L.e->n_sets, 1);
	assert_string_equal(L.e->sets[0], "world.agents=50");
	assert_true(L.e->x[0].mean);  /* 8 seeds: on the mean */
	assert_false(L.e->x[1].mean); /* ==: every run */
	assert_false(L.e->x[2].mean);
	assert_string_equal(L.e->x[2].label, "my check");
	assert_string_equal(L.e->x[2].rule, "R-EMIT-1");
	assert_int_equal(L.e->x[0].line, 5);
	unload(&L);
	/* no block: no expectations, no error */
	load(&L, "sim: {seed: 3}\n");
	assert_int_equal(L.rc, DN_OK);
	assert_null(L.e);
	unload(&L);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("expect:\n  - {metric: pirce, bound: '< 1'}\n", "t.yaml:2:14:", "'pirce' is no series");
	expect_error("expect:\n  - {metric: blocks, take: max, bound: '< 1'}\n", "t.yaml:2:28:", "summary scalar");
	expect_error("expect:\n  - {metric: price, bound: '= 1'}\n", "t.yaml:2:28:", "not a bound");
	expect_error("expect:\n  - {metric: price, bound: 'between 2 and 1'}\n", "t.yaml:2:28:", "A <= B");
	expect_error("expect:\n  - {metric: price, bound: 'within 5 of 3'}\n", "t.yaml:2:28:", "percentage");
	expect_error("expect:\n  - {metric: price, bound: '< x'}\n", "t.yaml:2:28:", "not a number");
	expect_error("expect:\n  - {metric: price}\n", "t.yaml:2:5:", "needs bound");
	expect_error("expect:\n  - {bound: '< 1'}\n", "t.yaml:2:5:", "needs metric");
	expect_error("expect:\n  - {metric: price, take: at, bound: '< 1'}\n", "t.yaml:2:5:", "needs at_s");
	expect_error("expect:\n  - {metric: price, take: crossing, bound: '< 1'}\n", "t.yaml:2:5:", "needs level");
	expect_error("expect:\n  - {metric: price, level: 3, bound: '< 1'}\n", "t.yaml:2:28:", "only with take: crossing");
	expect_error("expect:\n  - {metric: price, from_s: 3, bound: '< 1'}\n", "t.yaml:2:29:", "only with take: min");
	expect_error("expect:\n  - {metric: price, take: mean, from_s: 9, to_s: 3, bound: '< 1'}\n", "t.yaml:2:41:",
	             "after to_s");
	expect_error("expect:\n  - {metric: price, take: median, bound: '< 1'}\n", "t.yaml:2:27:", "take: expected");
	expect_error("expect:\n  - {metric: supply, bound: == 1, judge: mean}\n", "t.yaml:2:42:", "not exact");
	expect_error("expect:\n  - {metric: price, bound: '< 1', colour: red}\n", "t.yaml:2:35:", "unknown key 'colour'");
	expect_error("expect:\n  seeds: 0\n", "t.yaml:2:10:", "seeds:");
	expect_error("expect:\n  confidence: 1.5\n", "t.yaml:2:15:", "confidence");
	expect_error("expect:\n  set: {world.agentz: 5}\n", "t.yaml:2:9:", "did you mean 'world.agents'");
	expect_error("expect:\n  set: {world.agents: 1}\n", "t.yaml:2:23:", "world.agents");
	expect_error("expect:\n  set: {sim.seed: 1}\n", "t.yaml:2:9:", "sim.seed");
	expect_error("expect:\n  golden: false\n", "t.yaml:2:3:", "nothing to check");
	expect_error("expect: 5\n", "t.yaml:1:9:", "expected a list of checks");
	/* every mistake at once */
	loaded L;
	load(&L, "expect:\n  - {metric: pirce, bound: '< 1'}\n  - {metric: price, bound: '~ 1'}\n");
	assert_non_null(strstr(L.err, "t.yaml:2:"));
	assert_non_null(strstr(L.err, "\nt.yaml:3:"));
	unload(&L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_takes),  cmocka_unit_test(test_exact_integers), cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_judge),  cmocka_unit_test(test_defaults),       cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
