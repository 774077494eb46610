/*
 * test_market_amm.c: the constant-product pool with hand-computed swaps
 * (fee off the input, output rounded down, the whole input kept), price
 * limits met exactly and maximally, liquidity shares added and removed in
 * the pool's favour, the depth figure, and the errors (bad arguments,
 * overflow, an empty pool).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dn_market.h"

#define USD INT64_C(1000000)
#define DNET INT64_C(100000000)

typedef struct fill_log {
	dn_market_fill last;
	int n;
} fill_log;

static void on_fill(void *ctx, const dn_market_fill *f)
{
	fill_log *l = ctx;
	l->last = *f;
	l->n++;
}

/* A pool of 1,000,000 USD and 16,000,000 DNET (0.0625 USD/DNET), fee 0.3 %. */
static dn_market *pool(fill_log *log, uint32_t fee_ppm)
{
	dn_market_cfg cfg = {.kind = DN_MARKET_AMM, .fee_ppm = fee_ppm, .on_fill = on_fill, .fill_ctx = log};
	dn_market *m;
	assert_int_equal(dn_market_create(&cfg, &m), DN_OK);
	dn_usd_micro uu;
	dn_amount ub;
	int64_t sh;
	assert_int_equal(dn_market_amm_add(m, 1000000 * USD, 16000000 * DNET, &uu, &ub, &sh), DN_OK);
	assert_int_equal(uu, 1000000 * USD);
	assert_int_equal(ub, 16000000 * DNET);
	assert_int_equal(sh, 1000000 * USD);
	return m;
}

static void test_swaps_exact(void **st)
{
	(void)st;
	fill_log log = {0};
	dn_market *m = pool(&log, 3000);
	assert_int_equal(dn_market_price(m), 62500);
	dn_market_result r;
	/* buy for 1000 USD: fee ceil(1e9 * 0.003) = 3e6; out = floor(Y * 997e6 / (X + 997e6)) */
	assert_int_equal(dn_market_buy(m, 7, 1000 * USD, 0, &r), DN_OK);
	assert_int_equal(r.usd_micro, 1000 * USD);
	assert_int_equal(r.fee_usd_micro, 3000000);
	assert_int_equal(r.base, INT64_C(1593611169663));
	assert_int_equal(r.fills, 1);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.last.maker, DN_MARKET_OWNER_POOL);
	assert_int_equal(log.last.taker, 7);
	assert_true(log.last.taker_buys);
	assert_int_equal(log.last.usd_micro + log.last.fee_usd_micro, 1000 * USD);
	assert_int_equal(log.last.price_usd_micro_per_dnet, 62624);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.pool_usd_micro, INT64_C(1001000000000));
	assert_int_equal(h.pool_base, INT64_C(1598406388830337));
	assert_int_equal(dn_market_price(m), 62624);
	/* sell 5,000,000 DNET: fee 15,000 DNET stays in the pool */
	assert_int_equal(dn_market_sell(m, 8, 5000000 * DNET, 0, &r), DN_OK);
	assert_int_equal(r.base, 5000000 * DNET);
	assert_int_equal(r.fee_base, INT64_C(1500000000000));
	assert_int_equal(r.usd_micro, INT64_C(237968896779));
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.pool_usd_micro, INT64_C(763031103221));
	assert_int_equal(h.pool_base, INT64_C(2098406388830337));
	assert_int_equal(dn_market_price(m), 36362);
	dn_market_stats s;
	dn_market_stats_take(m, &s);
	assert_int_equal(s.trades, 2);
	assert_int_equal(s.taker_calls, 2);
	assert_int_equal(s.volume_base, INT64_C(1593611169663) + 5000000 * DNET);
	assert_int_equal(s.volume_usd_micro, 997 * USD + INT64_C(237968896779));
	assert_int_equal(s.fees_usd_micro, 3000000);
	assert_int_equal(s.fees_base, INT64_C(1500000000000));
	assert_int_equal(s.taker_bought_base, INT64_C(1593611169663));
	assert_int_equal(s.taker_sold_base, 5000000 * DNET);
	assert_int_equal(s.depth_usd_micro, INT64_C(763031103221));
	assert_int_equal(s.price_usd_micro_per_dnet, 36362);
	/* the next interval starts empty */
	dn_market_stats_take(m, &s);
	assert_int_equal(s.trades, 0);
	assert_int_equal(s.volume_base, 0);
	assert_int_equal(s.vwap_usd_micro_per_dnet, 0);
	dn_market_free(m);
}

static void test_product_never_falls(void **st)
{
	(void)st;
	fill_log log = {0};
	dn_market *m = pool(&log, 0);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	__int128 k = (__int128)h.pool_usd_micro * h.pool_base;
	uint64_t x = 12345;
	for (int i = 0; i < 5000; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		dn_market_result r;
		if (x >> 63)
			assert_int_equal(dn_market_buy(m, 1, (int64_t)(x >> 20) % (50000 * USD) + 1, 0, &r), DN_OK);
		else
			assert_int_equal(dn_market_sell(m, 1, (int64_t)(x >> 8) % (800000 * DNET) + 1, 0, &r), DN_OK);
		dn_market_holdings_get(m, &h);
		__int128 k2 = (__int128)h.pool_usd_micro * h.pool_base;
		assert_true(k2 >= k);
		k = k2;
	}
	dn_market_free(m);
}

static void test_limits(void **st)
{
	(void)st;
	fill_log log = {0};
	dn_market *m = pool(&log, 3000);
	dn_market_result r;
	/* a limit below the current price buys nothing and spends nothing */
	assert_int_equal(dn_market_buy(m, 1, 1000 * USD, 62000, &r), DN_OK);
	assert_int_equal(r.usd_micro, 0);
	assert_int_equal(r.fills, 0);
	assert_int_equal(log.n, 0);
	/* a limit of 0.064: the pool stops at or below it, one more micro-USD would pass it */
	assert_int_equal(dn_market_buy(m, 1, 100000 * USD, 64000, &r), DN_OK);
	assert_true(r.usd_micro > 0 && r.usd_micro < 100000 * USD);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	assert_true((__int128)h.pool_usd_micro * DNET <= (__int128)64000 * h.pool_base);
	dn_market *m2 = pool(&log, 3000);
	assert_int_equal(dn_market_buy(m2, 1, r.usd_micro + 1, 0, &r), DN_OK);
	dn_market_holdings_get(m2, &h);
	assert_true((__int128)h.pool_usd_micro * DNET > (__int128)64000 * h.pool_base);
	dn_market_free(m2);
	/* sell limit 0.06 */
	dn_market_free(m);
	m = pool(&log, 3000);
	assert_int_equal(dn_market_sell(m, 1, 10000000 * DNET, 60000, &r), DN_OK);
	assert_true(r.base > 0 && r.base < 10000000 * DNET);
	dn_market_holdings_get(m, &h);
	assert_true((__int128)h.pool_usd_micro * DNET >= (__int128)60000 * h.pool_base);
	m2 = pool(&log, 3000);
	assert_int_equal(dn_market_sell(m2, 1, r.base + 1, 0, &r), DN_OK);
	dn_market_holdings_get(m2, &h);
	assert_true((__int128)h.pool_usd_micro * DNET < (__int128)60000 * h.pool_base);
	dn_market_free(m2);
	dn_market_free(m);
}

static void test_liquidity(void **st)
{
	(void)st;
	fill_log log = {0};
	dn_market *m = pool(&log, 3000);
	dn_usd_micro uu;
	dn_amount ub;
	int64_t sh;
	/* offer 10 USD and much DNET: the USD side binds, shares = 10e6 * S / X */
	assert_int_equal(dn_market_amm_add(m, 10 * USD, 1000 * DNET, &uu, &ub, &sh), DN_OK);
	assert_int_equal(sh, 10 * USD);
	assert_int_equal(uu, 10 * USD);
	assert_int_equal(ub, 160 * DNET);
	/* after a trade the ratio is uneven: used amounts round up for the pool */
	dn_market_result r;
	assert_int_equal(dn_market_buy(m, 1, 777 * USD + 3, 0, &r), DN_OK);
	dn_market_holdings h0, h1;
	dn_market_holdings_get(m, &h0);
	assert_int_equal(dn_market_amm_add(m, 3 * USD + 1, 50 * DNET + 7, &uu, &ub, &sh), DN_OK);
	dn_market_holdings_get(m, &h1);
	assert_true(sh > 0);
	assert_int_equal(h1.pool_usd_micro - h0.pool_usd_micro, uu);
	assert_int_equal(h1.pool_base - h0.pool_base, ub);
	assert_int_equal(h1.pool_shares - h0.pool_shares, sh);
	/* the shares are worth no more than what was paid in */
	assert_true((__int128)sh * h1.pool_usd_micro <= (__int128)uu * h1.pool_shares);
	assert_true((__int128)sh * h1.pool_base <= (__int128)ub * h1.pool_shares);
	/* removing pays pro rata, rounded down */
	dn_usd_micro ou;
	dn_amount ob;
	assert_int_equal(dn_market_amm_remove(m, sh, &ou, &ob), DN_OK);
	assert_true(ou <= uu && ob <= ub);
	assert_int_equal(ou, (int64_t)((__int128)sh * h1.pool_usd_micro / h1.pool_shares));
	/* removing everything empties the pool exactly */
	dn_market_holdings_get(m, &h0);
	assert_int_equal(dn_market_amm_remove(m, h0.pool_shares, &ou, &ob), DN_OK);
	assert_int_equal(ou, h0.pool_usd_micro);
	assert_int_equal(ob, h0.pool_base);
	dn_market_holdings_get(m, &h1);
	assert_int_equal(h1.pool_usd_micro, 0);
	assert_int_equal(h1.pool_base, 0);
	assert_int_equal(h1.pool_shares, 0);
	/* an empty pool trades nothing */
	assert_int_equal(dn_market_buy(m, 1, 10 * USD, 0, &r), DN_OK);
	assert_int_equal(r.fills, 0);
	assert_int_equal(dn_market_price(m), 0);
	/* errors */
	assert_int_equal(dn_market_amm_remove(m, 1, &ou, &ob), DN_EINVAL);
	assert_int_equal(dn_market_amm_add(m, 0, 5, &uu, &ub, &sh), DN_ERANGE);
	assert_int_equal(dn_market_amm_add(m, -1, 5, &uu, &ub, &sh), DN_EINVAL);
	char err[128];
	assert_int_equal(dn_market_check(m, err, sizeof err), DN_OK);
	dn_market_free(m);
}

static void test_depth(void **st)
{
	(void)st;
	fill_log log = {0};
	dn_market *m = pool(&log, 3000);
	dn_usd_micro du;
	dn_amount db;
	assert_int_equal(dn_market_depth(m, 20000, &du, &db), DN_OK);
	/* moving x*y=k by +2 % needs X (sqrt(1.02) - 1) / 0.997 ~ 10,000 USD */
	assert_true(du > 9900 * USD && du < 10100 * USD);
	assert_true(db > 160000 * DNET && db < 165000 * DNET);
	dn_market_result r;
	assert_int_equal(dn_market_buy(m, 1, du, 0, &r), DN_OK);
	assert_true(dn_market_price(m) <= 63750);
	dn_market *m2 = pool(&log, 3000);
	assert_int_equal(dn_market_buy(m2, 1, du + 1, 0, &r), DN_OK);
	dn_market_holdings h;
	dn_market_holdings_get(m2, &h);
	assert_true((__int128)h.pool_usd_micro * DNET > (__int128)63750 * h.pool_base);
	assert_int_equal(dn_market_depth(m, 0, &du, &db), DN_EINVAL);
	assert_int_equal(dn_market_depth(m, 500001, &du, &db), DN_EINVAL);
	dn_market_free(m2);
	dn_market_free(m);
}

static void test_errors(void **st)
{
	(void)st;
	fill_log log = {0};
	dn_market *m = pool(&log, 3000);
	dn_market_result r;
	assert_int_equal(dn_market_buy(m, 1, -1, 0, &r), DN_EINVAL);
	assert_int_equal(dn_market_sell(m, 1, -1, 0, &r), DN_EINVAL);
	assert_int_equal(dn_market_buy(m, 1, 5, -1, &r), DN_EINVAL);
	assert_int_equal(dn_market_buy(m, 1, 5, DN_MARKET_PRICE_MAX + 1, &r), DN_EINVAL);
	/* pool USD + budget would overflow: an error, nothing changes */
	dn_market_holdings h0, h1;
	dn_market_holdings_get(m, &h0);
	assert_int_equal(dn_market_buy(m, 1, INT64_MAX - 5, 0, &r), DN_ERANGE);
	assert_int_equal(dn_market_sell(m, 1, INT64_MAX - 5, 0, &r), DN_ERANGE);
	dn_market_holdings_get(m, &h1);
	assert_memory_equal(&h0, &h1, sizeof h0);
	/* a dust buy that gets no base unit spends nothing */
	assert_int_equal(dn_market_buy(m, 1, 0, 0, &r), DN_OK);
	assert_int_equal(r.fills, 0);
	/* book-only calls are refused */
	dn_market_order_id id;
	dn_usd_micro lu;
	dn_amount lb;
	assert_int_equal(dn_market_post(m, 1, true, 100, 100000, &id, &lu, &lb), DN_EINVAL);
	assert_int_equal(dn_market_cancel(m, 1, 1, &lu, &lb), DN_EINVAL);
	/* bad configurations */
	dn_market_cfg cfg = {.kind = DN_MARKET_AMM, .fee_ppm = DN_MARKET_FEE_PPM_MAX + 1};
	dn_market *bad;
	assert_int_equal(dn_market_create(&cfg, &bad), DN_EINVAL);
	assert_null(bad);
	cfg.fee_ppm = 0;
	cfg.kind = DN_MARKET_BOOK;
	assert_int_equal(dn_market_create(&cfg, &bad), DN_EINVAL);
	cfg.kind = DN_MARKET_REPLAY;
	assert_int_equal(dn_market_create(&cfg, &bad), DN_EINVAL);
	dn_market_free(m);
}

static void test_params(void **st)
{
	(void)st;
	size_t n;
	const dn_param_def *d = dn_market_params(&n);
	assert_true(n >= 8);
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, d, n), DN_OK); /* names, defaults and ranges valid */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strncmp(d[i].name, "market.", 7), 0);
		assert_true(d[i].doc && d[i].doc[0]);
	}
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swaps_exact),  cmocka_unit_test(test_product_never_falls),
		cmocka_unit_test(test_limits),       cmocka_unit_test(test_liquidity),
		cmocka_unit_test(test_depth),        cmocka_unit_test(test_errors),
		cmocka_unit_test(test_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
