/*
 * test_market_scenario.c: the market.* parameters register cleanly and
 * build the market a scenario asks for: a seeded pool at the white-paper
 * price by default, a book whose reference price is the initial price, a
 * replay market reading its CSV file, and the errors (no file named, a
 * malformed file reported as file:line, a seed too large).
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

#include "dn_market.h"
#include "scenario.h"

static dn_registry *reg;

static int setup(void **st)
{
	(void)st;
	size_t n;
	const dn_param_def *d = dn_market_params(&n);
	reg = dn_registry_new();
	if (!reg || dn_registry_add(reg, d, n) != DN_OK)
		return -1;
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	dn_registry_free(reg);
	return 0;
}

static dn_rc build(const char *yaml, dn_market **m, dn_market_path **p, dn_market_seed *seed,
                   char *err, size_t errlen)
{
	dn_scenario *s;
	char serr[512];
	dn_rc rc = dn_scenario_load_string(reg, "t.yaml", yaml, NULL, 0, &s, serr, sizeof serr);
	if (rc) {
		print_error("%s\n", serr);
		fail();
	}
	rc = dn_market_from_scenario(s, NULL, NULL, m, p, seed, err, errlen);
	dn_scenario_free(s);
	return rc;
}

static void test_defaults(void **st)
{
	(void)st;
	dn_market *m;
	dn_market_path *p;
	dn_market_seed seed;
	char err[256];
	assert_int_equal(build("market: {fee_ppm: 3000}\n", &m, &p, &seed, err, sizeof err), DN_OK);
	assert_null(p);
	assert_int_equal(dn_market_kind_of(m), DN_MARKET_AMM);
	/* 1,000,000 USD and 16,000,000 DNET at 0.0625 */
	assert_int_equal(seed.usd_micro, INT64_C(1000000000000));
	assert_int_equal(seed.base, INT64_C(1600000000000000));
	assert_int_equal(seed.shares, INT64_C(1000000000000));
	assert_int_equal(dn_market_price(m), 62500);
	dn_market_free(m);
}

static void test_book(void **st)
{
	(void)st;
	dn_market *m;
	dn_market_path *p;
	dn_market_seed seed;
	char err[256];
	assert_int_equal(build("market: {kind: book, initial_price_usd_micro_per_dnet: 70000, "
	                       "book: {capacity: 16, min_order_base: 5}}\n",
	                       &m, &p, &seed, err, sizeof err),
	                 DN_OK);
	assert_int_equal(dn_market_kind_of(m), DN_MARKET_BOOK);
	assert_int_equal(seed.shares, 0);
	assert_int_equal(dn_market_price(m), 70000);
	dn_market_order_id id;
	dn_usd_micro lu;
	dn_amount lb;
	assert_int_equal(dn_market_post(m, 1, true, 100, 4, &id, &lu, &lb), DN_EINVAL); /* below the minimum */
	for (int i = 0; i < 16; i++)
		assert_int_equal(dn_market_post(m, 1, true, 100 + i, 5, &id, &lu, &lb), DN_OK);
	assert_int_equal(dn_market_post(m, 1, true, 50, 5, &id, &lu, &lb), DN_ELIMIT);
	dn_market_free(m);
}

/* A mkstemp template under $TMPDIR (or /tmp). */
static void tmp_template(char *buf, size_t n, const char *stem)
{
	const char *t = getenv("TMPDIR");
	snprintf(buf, n, "%s/%s-XXXXXX", t && *t && strlen(t) < 200 ? t : "/tmp", stem);
}

static void test_replay(void **st)
{
	(void)st;
	char path[256];
	tmp_template(path, sizeof path, "dn-market-scn");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("time_s,price_usd\n0,0.05\n10,0.07\n", f);
	fclose(f);
	char yaml[512];
	snprintf(yaml, sizeof yaml, "market: {kind: replay, replay: {file: '%s', interpolate: step}}\n", path);
	dn_market *m;
	dn_market_path *p;
	dn_market_seed seed;
	char err[512];
	assert_int_equal(build(yaml, &m, &p, &seed, err, sizeof err), DN_OK);
	assert_non_null(p);
	assert_int_equal(dn_market_path_count(p), 2);
	dn_market_set_time(m, INT64_C(9999999999));
	assert_int_equal(dn_market_price(m), 50000);
	dn_market_set_time(m, INT64_C(10000000000));
	assert_int_equal(dn_market_price(m), 70000);
	dn_market_free(m);
	dn_market_path_free(p);
	/* a malformed file: the error names file:line, nothing is returned */
	f = fopen(path, "w");
	fputs("0,0.05\n10,-0.07\n", f);
	fclose(f);
	assert_int_equal(build(yaml, &m, &p, &seed, err, sizeof err), DN_EPARSE);
	assert_null(m);
	assert_null(p);
	char want[600];
	snprintf(want, sizeof want, "%s:2: price '-0.07'", path);
	assert_non_null(strstr(err, want));
	/* more points than allowed */
	snprintf(yaml, sizeof yaml, "market: {kind: replay, replay: {file: '%s', max_points: 1}}\n", path);
	f = fopen(path, "w");
	fputs("0,0.05\n10,0.07\n", f);
	fclose(f);
	assert_int_equal(build(yaml, &m, &p, &seed, err, sizeof err), DN_ELIMIT);
	unlink(path);
	/* a missing file, and no file named */
	assert_int_equal(build(yaml, &m, &p, &seed, err, sizeof err), DN_EIO);
	assert_int_equal(build("market: {kind: replay}\n", &m, &p, &seed, err, sizeof err), DN_EINVAL);
	assert_non_null(strstr(err, "market.replay.file"));
	assert_null(m);
}

static void test_seed_too_large(void **st)
{
	(void)st;
	dn_market *m;
	dn_market_path *p;
	dn_market_seed seed;
	char err[256];
	/* 10^12 USD at 1 micro-USD per DNET is 10^26 base units */
	assert_int_equal(build("market: {amm: {initial_usd: 1000000000000}, "
	                       "initial_price_usd_micro_per_dnet: 1}\n",
	                       &m, &p, &seed, err, sizeof err),
	                 DN_ERANGE);
	assert_null(m);
	assert_non_null(strstr(err, "market.amm.initial_usd"));
	/* no seed: an empty pool */
	assert_int_equal(build("market: {amm: {initial_usd: 0}}\n", &m, &p, &seed, err, sizeof err), DN_OK);
	assert_int_equal(seed.shares, 0);
	assert_int_equal(dn_market_price(m), 0);
	dn_market_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_book),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_seed_too_large),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
