/*
 * test_market_book.c: the limit order book. Hand-computed fills (price
 * first, then time; fees on the taker only; a budget that ends inside an
 * order), escrow that a fill sequence pays out exactly however an order is
 * cut, post-only crossing, cancels (wrong owner, twice, stale ids after a
 * slot is reused), the fixed capacity (DN_ELIMIT), and a randomized drain
 * of a book with heavy price ties checked against the priority rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dn_market.h"

#define DNET INT64_C(100000000)

enum { LOG_MAX = 4096 };

typedef struct fill_log {
	dn_market_fill f[LOG_MAX];
	int n;
} fill_log;

static void on_fill(void *ctx, const dn_market_fill *f)
{
	fill_log *l = ctx;
	assert_true(l->n < LOG_MAX);
	l->f[l->n++] = *f;
}

static dn_market *book(fill_log *log, uint32_t fee_ppm, uint32_t cap)
{
	dn_market_cfg cfg = {.kind = DN_MARKET_BOOK, .fee_ppm = fee_ppm, .order_capacity = cap,
	                     .min_order_base = 1000, .on_fill = on_fill, .fill_ctx = log};
	dn_market *m;
	assert_int_equal(dn_market_create(&cfg, &m), DN_OK);
	return m;
}

static dn_market_order_id post(dn_market *m, dn_market_owner o, bool buy, int64_t price, int64_t amount)
{
	dn_market_order_id id;
	dn_usd_micro lu;
	dn_amount lb;
	assert_int_equal(dn_market_post(m, o, buy, price, amount, &id, &lu, &lb), DN_OK);
	assert_int_not_equal(id, 0);
	if (buy) {
		assert_int_equal(lb, 0);
		assert_int_equal(lu, (int64_t)(((__int128)amount * price + DNET - 1) / DNET));
	} else {
		assert_int_equal(lu, 0);
		assert_int_equal(lb, amount);
	}
	return id;
}

static void checked(const dn_market *m)
{
	char err[256];
	dn_rc rc = dn_market_check(m, err, sizeof err);
	if (rc) {
		print_error("check: %s\n", err);
		fail();
	}
}

static void test_price_time_priority(void **st)
{
	(void)st;
	static fill_log log;
	memset(&log, 0, sizeof log);
	dn_market *m = book(&log, 2000, 8);
	dn_market_order_id a1 = post(m, 10, false, 100000, 5 * DNET);
	dn_market_order_id a2 = post(m, 11, false, 100000, 3 * DNET);
	dn_market_order_id a3 = post(m, 12, false, 99000, 2 * DNET);
	dn_market_order_id b1 = post(m, 20, true, 90000, 10 * DNET);
	assert_int_equal(dn_market_price(m), 94500); /* mid of 90000 and 99000 */
	dn_market_result r;
	/* 198000 + 396 fee, 500000 + 1000, then 1 DNET of a2 for 100000 + 200 */
	assert_int_equal(dn_market_buy(m, 30, 799596, 0, &r), DN_OK);
	assert_int_equal(r.fills, 3);
	assert_int_equal(r.base, 8 * DNET);
	assert_int_equal(r.usd_micro, 799596);
	assert_int_equal(r.fee_usd_micro, 396 + 1000 + 200);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.f[0].order_id, a3);
	assert_int_equal(log.f[0].maker, 12);
	assert_int_equal(log.f[0].usd_micro, 198000);
	assert_true(log.f[0].maker_done);
	assert_int_equal(log.f[1].order_id, a1);
	assert_int_equal(log.f[1].usd_micro, 500000);
	assert_int_equal(log.f[2].order_id, a2);
	assert_int_equal(log.f[2].base, 1 * DNET);
	assert_false(log.f[2].maker_done);
	dn_amount rem;
	assert_int_equal(dn_market_order_remaining(m, a2, &rem), DN_OK);
	assert_int_equal(rem, 2 * DNET);
	assert_int_equal(dn_market_order_remaining(m, a1, &rem), DN_EUNKNOWN);
	checked(m);
	/* a taker sell of 4 DNET into the 0.09 bid: 360000 less a 720 fee */
	assert_int_equal(dn_market_sell(m, 31, 4 * DNET, 0, &r), DN_OK);
	assert_int_equal(r.base, 4 * DNET);
	assert_int_equal(r.usd_micro, 359280);
	assert_int_equal(r.fee_usd_micro, 720);
	assert_int_equal(log.f[3].order_id, b1);
	assert_false(log.f[3].taker_buys);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.escrow_usd_micro, 540000);
	assert_int_equal(h.escrow_base, 2 * DNET);
	assert_int_equal(h.fees_usd_micro, 396 + 1000 + 200 + 720);
	dn_market_stats s;
	dn_market_stats_take(m, &s);
	assert_int_equal(s.trades, 4);
	assert_int_equal(s.taker_calls, 2);
	assert_int_equal(s.volume_base, 12 * DNET);
	assert_int_equal(s.volume_usd_micro, 198000 + 500000 + 100000 + 360000);
	assert_int_equal(s.vwap_usd_micro_per_dnet, (198000 + 500000 + 100000 + 360000) / 12);
	assert_int_equal(s.best_bid_usd_micro_per_dnet, 90000);
	assert_int_equal(s.best_ask_usd_micro_per_dnet, 100000);
	assert_int_equal(s.bid_orders, 1);
	assert_int_equal(s.ask_orders, 1);
	assert_int_equal(s.depth_usd_micro, 540000);
	assert_int_equal(s.depth_base, 2 * DNET);
	assert_int_equal(s.last_trade_usd_micro_per_dnet, 90000);
	/* fees leave the market when taken */
	dn_usd_micro fu;
	dn_amount fb;
	dn_market_take_fees(m, &fu, &fb);
	assert_int_equal(fu, 2316);
	assert_int_equal(fb, 0);
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.fees_usd_micro, 0);
	/* limits: a buy limited to 0.0995 finds nothing at 0.1 */
	post(m, 13, false, 99000, 1 * DNET);
	assert_int_equal(dn_market_buy(m, 30, 10000000, 99500, &r), DN_OK);
	assert_int_equal(r.base, 1 * DNET);
	assert_int_equal(dn_market_buy(m, 30, 10000000, 99500, &r), DN_OK);
	assert_int_equal(r.fills, 0);
	assert_int_equal(dn_market_sell(m, 31, DNET, 95000, &r), DN_OK);
	assert_int_equal(r.fills, 0);
	checked(m);
	dn_market_free(m);
}

static void test_escrow_exact(void **st)
{
	(void)st;
	static fill_log log;
	memset(&log, 0, sizeof log);
	dn_market *m = book(&log, 0, 4);
	/* lock ceil(300001 * 33334 / 1e8) = 101; pieces pay 34, 33, 34 */
	post(m, 1, true, 33334, 300001);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.escrow_usd_micro, 101);
	dn_market_result r;
	int64_t paid[3];
	const int64_t piece[3] = {100000, 100000, 100001};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dn_market_sell(m, 2, piece[i], 0, &r), DN_OK);
		assert_int_equal(r.base, piece[i]);
		paid[i] = r.usd_micro;
	}
	assert_int_equal(paid[0], 34);
	assert_int_equal(paid[1], 33);
	assert_int_equal(paid[2], 34);
	assert_true(log.f[2].maker_done);
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.escrow_usd_micro, 0);
	checked(m);
	/* a taker buy with a budget too small for one unit at the best price spends nothing */
	post(m, 3, false, 200000000, 100000); /* 2 USD per DNET */
	assert_int_equal(dn_market_buy(m, 4, 1, 0, &r), DN_OK);
	assert_int_equal(r.fills, 0);
	assert_int_equal(r.usd_micro, 0);
	/* 3 micro-USD buys floor(3e8 / 2e8) = 1 base unit for ceil(2) = 2 */
	assert_int_equal(dn_market_buy(m, 4, 3, 0, &r), DN_OK);
	assert_int_equal(r.base, 1);
	assert_int_equal(r.usd_micro, 2);
	dn_market_free(m);
}

static void test_post_cancel_capacity(void **st)
{
	(void)st;
	static fill_log log;
	memset(&log, 0, sizeof log);
	dn_market *m = book(&log, 1000, 4);
	dn_market_order_id id, bid = post(m, 1, true, 50000, 4 * DNET);
	dn_market_order_id ask = post(m, 2, false, 60000, 2 * DNET);
	dn_usd_micro lu;
	dn_amount lb;
	/* post-only: crossing or touching the other side is refused, nothing changes */
	assert_int_equal(dn_market_post(m, 3, true, 60000, DNET, &id, &lu, &lb), DN_ERANGE);
	assert_int_equal(dn_market_post(m, 3, false, 50000, DNET, &id, &lu, &lb), DN_ERANGE);
	assert_int_equal(id, 0);
	/* bad arguments */
	assert_int_equal(dn_market_post(m, 3, true, 0, DNET, &id, &lu, &lb), DN_EINVAL);
	assert_int_equal(dn_market_post(m, 3, true, DN_MARKET_PRICE_MAX + 1, DNET, &id, &lu, &lb), DN_EINVAL);
	assert_int_equal(dn_market_post(m, 3, true, 100, 999, &id, &lu, &lb), DN_EINVAL);
	/* capacity 4 */
	post(m, 3, true, 40000, DNET);
	dn_market_order_id last = post(m, 4, false, 70000, DNET);
	assert_int_equal(dn_market_post(m, 5, false, 80000, DNET, &id, &lu, &lb), DN_ELIMIT);
	checked(m);
	/* cancel: wrong owner, right owner after a partial fill, twice */
	dn_usd_micro ru;
	dn_amount rb;
	assert_int_equal(dn_market_cancel(m, 2, bid, &ru, &rb), DN_EINVAL);
	dn_market_result r;
	assert_int_equal(dn_market_sell(m, 9, DNET, 0, &r), DN_OK);
	assert_int_equal(dn_market_cancel(m, 1, bid, &ru, &rb), DN_OK);
	assert_int_equal(ru, 3 * 50000);
	assert_int_equal(rb, 0);
	assert_int_equal(dn_market_cancel(m, 1, bid, &ru, &rb), DN_EUNKNOWN);
	assert_int_equal(dn_market_cancel(m, 2, ask, &ru, &rb), DN_OK);
	assert_int_equal(rb, 2 * DNET);
	/* the freed slots are reused; the old ids stay dead */
	dn_market_order_id n1 = post(m, 6, false, 90000, DNET);
	dn_market_order_id n2 = post(m, 7, false, 91000, DNET);
	assert_true(n1 != bid && n1 != ask && n2 != bid && n2 != ask);
	assert_int_equal(dn_market_order_remaining(m, bid, &rb), DN_EUNKNOWN);
	assert_int_equal(dn_market_order_remaining(m, ask, &rb), DN_EUNKNOWN);
	assert_int_equal(dn_market_cancel(m, 2, ask, &ru, &rb), DN_EUNKNOWN);
	assert_int_equal(dn_market_order_remaining(m, last, &rb), DN_OK);
	assert_int_equal(dn_market_post(m, 5, false, 80000, DNET, &id, &lu, &lb), DN_ELIMIT);
	assert_int_equal(dn_market_cancel(m, 1, 0, &ru, &rb), DN_EUNKNOWN);
	assert_int_equal(dn_market_cancel(m, 1, UINT64_MAX, &ru, &rb), DN_EUNKNOWN);
	checked(m);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.escrow_usd_micro, 40000);
	assert_int_equal(h.escrow_base, 3 * DNET);
	/* depth within 50 % of the mid (40000 + (70000 - 40000) / 2 = 55000): the 0.07 ask and 0.04 bid */
	dn_usd_micro du;
	dn_amount db;
	assert_int_equal(dn_market_depth(m, 500000, &du, &db), DN_OK);
	assert_int_equal(du, 70000 + 70);
	assert_int_equal(db, DNET);
	assert_int_equal(dn_market_depth(m, 10000, &du, &db), DN_OK);
	assert_int_equal(du, 0);
	assert_int_equal(db, 0);
	dn_market_free(m);
}

/* Heavy ties: fills must come in (price, post order) order; checked after every step. */
static void test_priority_random(void **st)
{
	(void)st;
	enum { N = 600 };
	static fill_log log;
	memset(&log, 0, sizeof log);
	dn_market *m = book(&log, 0, N);
	static dn_market_order_id ids[N];
	static int64_t prices[N];
	static bool cancelled[N];
	uint64_t x = 99;
	for (int i = 0; i < N; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		prices[i] = 100000 + (int64_t)(x >> 60); /* 16 price levels */
		ids[i] = post(m, (dn_market_owner)i, false, prices[i], 1000 + (int64_t)(x >> 40) % 5000);
		cancelled[i] = false;
		if (i % 7 == 3) {
			int j = (int)((x >> 20) % (uint64_t)(i + 1));
			dn_usd_micro ru;
			dn_amount rb;
			dn_rc rc = dn_market_cancel(m, (dn_market_owner)j, ids[j], &ru, &rb);
			assert_int_equal(rc, cancelled[j] ? DN_EUNKNOWN : DN_OK);
			cancelled[j] = true;
		}
		checked(m);
	}
	/* drain in pieces */
	for (int k = 0; k < 10000; k++) {
		dn_market_result r;
		assert_int_equal(dn_market_buy(m, 1000000, 3, 0, &r), DN_OK);
		checked(m);
		if (log.n >= LOG_MAX - 8)
			break;
	}
	dn_market_result r;
	assert_int_equal(dn_market_buy(m, 1000000, INT64_C(1) << 50, 0, &r), DN_OK);
	int prev_idx = -1;
	int64_t prev_price = 0;
	for (int k = 0; k < log.n; k++) {
		int idx = (int)log.f[k].maker;
		assert_false(cancelled[idx]);
		assert_int_equal(log.f[k].order_id, ids[idx]);
		assert_true(prices[idx] >= prev_price);
		if (prices[idx] == prev_price)
			assert_true(idx >= prev_idx);
		prev_price = prices[idx];
		prev_idx = idx;
	}
	dn_market_stats s;
	dn_market_stats_take(m, &s);
	assert_int_equal(s.ask_orders, 0);
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	assert_int_equal(h.escrow_base, 0);
	dn_market_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_price_time_priority),
		cmocka_unit_test(test_escrow_exact),
		cmocka_unit_test(test_post_cancel_capacity),
		cmocka_unit_test(test_priority_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
