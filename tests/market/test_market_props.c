/*
 * test_market_props.c: properties over thousands of random trade
 * sequences (fixed seed; on failure the kind, sequence and step are
 * printed). Each sequence gives a few traders random USD and DNET, builds a
 * market of one kind and applies random operations: taker buys and sells
 * with and without limits, posts and cancels (book), liquidity added and
 * removed (pool), time moves (replay), fees taken, statistics taken. After
 * every operation:
 *
 *  - both assets are conserved exactly: traders' balances plus the fee
 *    wallet plus everything the market holds (pool, escrow, fee account,
 *    the outside's net position) equal the starting totals, to the unit;
 *  - no balance is negative and dn_market_check finds every invariant;
 *  - the price moves the right way: a pool buy raises the pool's price
 *    and a sell lowers it (exact rational comparison); a book buy never
 *    lowers the best ask nor touches the bids, a sell the mirror image;
 *    a replayed price never moves with trades.
 *
 * Over whole sequences without liquidity changes the pool's price rises
 * when the pool lost DNET and falls when it lost USD. Finally the same seed
 * gives the same fills (a fingerprint), and another seed different ones.
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

enum { NT = 6, MAX_OPEN = 8, SEQS = 4000, STEPS = 60 };
#define DNET INT64_C(100000000)
#define USD INT64_C(1000000)

typedef struct world {
	dn_market *m;
	dn_market_path *path;
	int64_t usd[NT], base[NT], shares[NT];
	dn_market_order_id open[NT][MAX_OPEN];
	int64_t wallet_usd, wallet_base;
	int64_t total_usd, total_base;
	uint64_t rng;
	uint64_t fp;
	uint64_t fills, maker_fills, posts, cancels, lp_ops; /* coverage counters */
	int64_t call_min_price, call_max_price, call_prev_price; /* fills of the current taker call */
	int kind, seq, step;
} world;

static uint64_t rnd(world *w)
{
	uint64_t z = (w->rng += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

/* A random amount in [0, max], spread over many orders of magnitude. */
static int64_t some(world *w, int64_t max)
{
	if (max <= 0)
		return 0;
	uint64_t r = rnd(w) % ((uint64_t)max + 1);
	return (int64_t)(r >> (rnd(w) % 24));
}

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			print_error("kind %d sequence %d step %d: %s\n", w->kind, w->seq, w->step, \
			            #cond);                                                   \
			fail();                                                               \
		}                                                                             \
	} while (0)

static void settle(void *ctx, const dn_market_fill *f)
{
	world *w = ctx;
	w->fp = (w->fp ^ (uint64_t)f->base) * 0x100000001B3u;
	w->fp = (w->fp ^ (uint64_t)f->usd_micro ^ (f->order_id << 1)) * 0x100000001B3u;
	CHECK(f->base >= 0 && f->usd_micro >= 0 && f->fee_usd_micro >= 0 && f->fee_base >= 0);
	w->fills++;
	int64_t p = f->price_usd_micro_per_dnet;
	if (f->maker < NT) {
		/* a book taker walks from the best price outwards */
		if (w->call_prev_price)
			CHECK(f->taker_buys ? p >= w->call_prev_price : p <= w->call_prev_price);
		w->call_prev_price = p;
	}
	if (p < w->call_min_price)
		w->call_min_price = p;
	if (p > w->call_max_price)
		w->call_max_price = p;
	if (f->maker >= NT)
		return; /* the pool or the outside: the market's holdings */
	/* a book maker: its side came from escrow, it receives the other asset */
	w->maker_fills++;
	if (f->taker_buys)
		w->usd[f->maker] += f->usd_micro;
	else
		w->base[f->maker] += f->base;
}

static void conserved(world *w)
{
	dn_market_holdings h;
	dn_market_holdings_get(w->m, &h);
	int64_t su = w->wallet_usd + h.pool_usd_micro + h.escrow_usd_micro + h.fees_usd_micro +
	             h.outside_usd_micro;
	int64_t sb = w->wallet_base + h.pool_base + h.escrow_base + h.fees_base + h.outside_base;
	int64_t shares = 0;
	for (int i = 0; i < NT; i++) {
		CHECK(w->usd[i] >= 0 && w->base[i] >= 0 && w->shares[i] >= 0);
		su += w->usd[i];
		sb += w->base[i];
		shares += w->shares[i];
	}
	CHECK(su == w->total_usd);
	CHECK(sb == w->total_base);
	CHECK(shares == h.pool_shares);
	char err[256];
	dn_rc rc = dn_market_check(w->m, err, sizeof err);
	if (rc)
		print_error("check: %s\n", err);
	CHECK(rc == DN_OK);
}

static void build(world *w, int kind)
{
	memset(w->usd, 0, sizeof w->usd);
	memset(w->base, 0, sizeof w->base);
	memset(w->shares, 0, sizeof w->shares);
	memset(w->open, 0, sizeof w->open);
	w->wallet_usd = w->wallet_base = 0;
	w->total_usd = w->total_base = 0;
	for (int i = 0; i < NT; i++) {
		w->usd[i] = some(w, 2000000 * USD) + (int64_t)(rnd(w) % 1000);
		w->base[i] = some(w, 20000000 * DNET) + (int64_t)(rnd(w) % 1000);
		w->total_usd += w->usd[i];
		w->total_base += w->base[i];
	}
	dn_market_cfg cfg = {.kind = (dn_market_kind)kind, .fee_ppm = (uint32_t)(rnd(w) % 3 == 0 ? 0 : rnd(w) % 10001),
	                     .order_capacity = 24, .min_order_base = 1 + (int64_t)(rnd(w) % 1000),
	                     .on_fill = settle, .fill_ctx = w};
	w->path = NULL;
	if (kind == DN_MARKET_REPLAY) {
		char text[1024];
		size_t n = 0;
		int np = 1 + (int)(rnd(w) % 20);
		uint64_t t = rnd(w) % 100;
		for (int i = 0; i < np && n < sizeof text - 64; i++) {
			t += 1 + rnd(w) % 1000;
			n += (size_t)snprintf(text + n, sizeof text - n, "%llu.%03u,%u.%06u\n", (unsigned long long)t,
			                      (unsigned)(rnd(w) % 1000), (unsigned)(rnd(w) % 3),
			                      1 + (unsigned)(rnd(w) % 999999));
		}
		char err[256];
		assert_int_equal(dn_market_path_parse("gen.csv", text, n, 100, &w->path, err, sizeof err), DN_OK);
		cfg.path = w->path;
		cfg.interp = rnd(w) & 1 ? DN_MARKET_STEP : DN_MARKET_LINEAR;
	}
	assert_int_equal(dn_market_create(&cfg, &w->m), DN_OK);
	if (kind == DN_MARKET_AMM) {
		/* trader 0 seeds the pool */
		dn_usd_micro uu;
		dn_amount ub;
		int64_t sh;
		dn_rc rc = dn_market_amm_add(w->m, w->usd[0] / 2 + 1, w->base[0] / 2 + 1, &uu, &ub, &sh);
		CHECK(rc == DN_OK);
		w->usd[0] -= uu;
		w->base[0] -= ub;
		w->shares[0] += sh;
	}
}

static void drop(world *w)
{
	dn_market_free(w->m);
	dn_market_path_free(w->path);
	w->m = NULL;
	w->path = NULL;
}

/* Price of a pool as the exact pair (X, Y). */
static void pool_xy(world *w, __int128 *x, __int128 *y)
{
	dn_market_holdings h;
	dn_market_holdings_get(w->m, &h);
	*x = h.pool_usd_micro;
	*y = h.pool_base;
}

static void taker(world *w, int i, bool buy)
{
	__int128 x0 = 0, y0 = 0, x1, y1;
	dn_usd_micro price0 = dn_market_price(w->m);
	if (w->kind == DN_MARKET_AMM)
		pool_xy(w, &x0, &y0);
	dn_market_result r;
	/* no limit, or one within -20 %..+20 % of the price */
	__int128 lim = rnd(w) % 2 ? 0 : (__int128)price0 * (int64_t)(80 + rnd(w) % 40) / 100;
	dn_usd_micro limit = lim > DN_MARKET_PRICE_MAX ? 0 : (dn_usd_micro)lim;
	dn_rc rc;
	w->call_min_price = INT64_MAX;
	w->call_max_price = 0;
	w->call_prev_price = 0;
	if (buy) {
		int64_t budget = some(w, w->usd[i]);
		rc = dn_market_buy(w->m, (dn_market_owner)i, budget, limit, &r);
		CHECK(rc == DN_OK);
		CHECK(r.usd_micro <= budget && r.fee_usd_micro <= r.usd_micro);
		w->usd[i] -= r.usd_micro;
		w->base[i] += r.base;
	} else {
		int64_t amount = some(w, w->base[i]);
		rc = dn_market_sell(w->m, (dn_market_owner)i, amount, limit, &r);
		CHECK(rc == DN_OK);
		CHECK(r.base <= amount);
		w->base[i] -= r.base;
		w->usd[i] += r.usd_micro;
	}
	if (w->kind == DN_MARKET_BOOK && limit && r.fills)
		CHECK(buy ? w->call_max_price <= limit : w->call_min_price >= limit);
	if (w->kind == DN_MARKET_AMM && r.fills) {
		pool_xy(w, &x1, &y1);
		/* X1/Y1 vs X0/Y0, exactly */
		if (buy)
			CHECK(x1 * y0 > x0 * y1);
		else
			CHECK(x1 * y0 < x0 * y1);
		if (limit && buy)
			CHECK(x1 * DNET <= (__int128)limit * y1);
		if (limit && !buy)
			CHECK(x1 * DNET >= (__int128)limit * y1);
	}
	if (w->kind == DN_MARKET_REPLAY) {
		CHECK(dn_market_price(w->m) == price0);
		if (limit && r.fills)
			CHECK(buy ? price0 <= limit : price0 >= limit);
	}
}

/* The book's best prices, read through a statistics snapshot of a copy of
 * the counters: dn_market_stats_take resets them, so the caller re-adds. */
static void best(world *w, dn_usd_micro *bid, dn_usd_micro *ask, dn_market_stats *keep)
{
	dn_market_stats_take(w->m, keep);
	*bid = keep->best_bid_usd_micro_per_dnet;
	*ask = keep->best_ask_usd_micro_per_dnet;
}

static void book_taker(world *w, int i, bool buy)
{
	dn_market_stats s;
	dn_usd_micro b0, a0, b1, a1;
	best(w, &b0, &a0, &s);
	taker(w, i, buy);
	best(w, &b1, &a1, &s);
	if (buy) {
		CHECK(b1 == b0);
		CHECK(a1 == 0 || (a0 != 0 && a1 >= a0));
	} else {
		CHECK(a1 == a0);
		CHECK(b1 == 0 || (b0 != 0 && b1 <= b0));
	}
	CHECK(b1 == 0 || a1 == 0 || b1 < a1);
}

static void book_post(world *w, int i)
{
	int k;
	for (k = 0; k < MAX_OPEN && w->open[i][k]; k++)
		;
	if (k == MAX_OPEN)
		return;
	bool buy = rnd(w) & 1;
	dn_usd_micro ref = dn_market_price(w->m);
	if (ref == 0)
		ref = 62500;
	dn_usd_micro price = ref * (int64_t)(90 + rnd(w) % 21) / 100 + (int64_t)(rnd(w) % 3) - 1;
	if (price < 1)
		price = 1;
	int64_t amount = buy ? some(w, (int64_t)(((__int128)w->usd[i] * DNET) / price) / 2)
	                     : some(w, w->base[i]);
	dn_market_holdings h0, h1;
	dn_market_holdings_get(w->m, &h0);
	dn_market_order_id id;
	dn_usd_micro lu;
	dn_amount lb;
	dn_rc rc = dn_market_post(w->m, (dn_market_owner)i, buy, price, amount, &id, &lu, &lb);
	if (rc != DN_OK) {
		CHECK(rc == DN_ERANGE || rc == DN_EINVAL || rc == DN_ELIMIT);
		dn_market_holdings_get(w->m, &h1);
		CHECK(memcmp(&h0, &h1, sizeof h0) == 0);
		return;
	}
	CHECK(lu <= w->usd[i] && lb <= w->base[i]);
	w->usd[i] -= lu;
	w->base[i] -= lb;
	w->open[i][k] = id;
	w->posts++;
}

static void book_cancel(world *w, int i)
{
	int k = (int)(rnd(w) % MAX_OPEN), tries;
	for (tries = 0; tries < MAX_OPEN && !w->open[i][k]; tries++)
		k = (k + 1) % MAX_OPEN;
	if (!w->open[i][k])
		return;
	dn_usd_micro ru;
	dn_amount rb;
	dn_rc rc = dn_market_cancel(w->m, (dn_market_owner)i, w->open[i][k], &ru, &rb);
	CHECK(rc == DN_OK || rc == DN_EUNKNOWN); /* filled meanwhile */
	w->cancels += rc == DN_OK;
	w->usd[i] += ru;
	w->base[i] += rb;
	w->open[i][k] = 0;
	/* cancelling someone else's live order is refused */
	int j = (i + 1) % NT;
	for (int q = 0; q < MAX_OPEN; q++) {
		if (!w->open[j][q])
			continue;
		rc = dn_market_cancel(w->m, (dn_market_owner)i, w->open[j][q], &ru, &rb);
		CHECK(rc == DN_EINVAL || rc == DN_EUNKNOWN);
		CHECK(ru == 0 && rb == 0);
		break;
	}
}

static void amm_liquidity(world *w, int i)
{
	if (rnd(w) & 1) {
		dn_usd_micro uu;
		dn_amount ub;
		int64_t sh;
		dn_rc rc = dn_market_amm_add(w->m, some(w, w->usd[i]), some(w, w->base[i]), &uu, &ub, &sh);
		CHECK(rc == DN_OK || rc == DN_ERANGE);
		w->usd[i] -= uu;
		w->base[i] -= ub;
		w->shares[i] += sh;
		w->lp_ops += sh > 0;
	} else if (w->shares[i] > 0) {
		int64_t sh = 1 + some(w, w->shares[i] - 1);
		dn_usd_micro ou;
		dn_amount ob;
		CHECK(dn_market_amm_remove(w->m, sh, &ou, &ob) == DN_OK);
		w->shares[i] -= sh;
		w->usd[i] += ou;
		w->base[i] += ob;
		w->lp_ops++;
	}
}

static void run_sequence(world *w, int kind, bool liquidity)
{
	build(w, kind);
	conserved(w);
	__int128 x0 = 0, y0 = 0, x1, y1;
	if (kind == DN_MARKET_AMM)
		pool_xy(w, &x0, &y0);
	dn_time_ns now = 0;
	for (w->step = 0; w->step < STEPS; w->step++) {
		int i = (int)(rnd(w) % NT);
		unsigned op = (unsigned)(rnd(w) % 10);
		if (op < 3) {
			if (kind == DN_MARKET_BOOK)
				book_taker(w, i, true);
			else
				taker(w, i, true);
		} else if (op < 6) {
			if (kind == DN_MARKET_BOOK)
				book_taker(w, i, false);
			else
				taker(w, i, false);
		} else if (op < 8) {
			if (kind == DN_MARKET_BOOK)
				book_post(w, i);
			else if (kind == DN_MARKET_AMM && liquidity)
				amm_liquidity(w, i);
			else if (kind == DN_MARKET_REPLAY) {
				now += (dn_time_ns)(rnd(w) % 100000) * 1000000;
				dn_market_set_time(w->m, now);
			}
		} else if (op == 8) {
			if (kind == DN_MARKET_BOOK)
				book_cancel(w, i);
		} else {
			dn_usd_micro fu;
			dn_amount fb;
			dn_market_take_fees(w->m, &fu, &fb);
			w->wallet_usd += fu;
			w->wallet_base += fb;
			dn_market_stats s;
			dn_market_stats_take(w->m, &s);
			CHECK(s.volume_base >= 0 && s.trades >= s.taker_calls);
			if (s.volume_base > 0)
				CHECK(s.vwap_usd_micro_per_dnet > 0 || s.volume_usd_micro < s.volume_base / DNET + 1);
		}
		conserved(w);
	}
	if (kind == DN_MARKET_AMM && !liquidity) {
		pool_xy(w, &x1, &y1);
		if (y1 < y0) /* net buying: the pool lost DNET */
			CHECK(x1 * y0 > x0 * y1);
		if (x1 < x0) /* net selling: the pool lost USD */
			CHECK(x1 * y0 < x0 * y1);
	}
	drop(w);
}

static world w_all;

static uint64_t run_all(uint64_t seed, int kind, int seqs)
{
	world *w = &w_all;
	memset(w, 0, sizeof *w);
	w->rng = seed;
	w->kind = kind;
	for (w->seq = 0; w->seq < seqs; w->seq++)
		run_sequence(w, kind, w->seq % 2 == 0);
	return w->fp;
}

static void test_amm(void **st)
{
	(void)st;
	run_all(1, DN_MARKET_AMM, SEQS);
	printf("amm: %llu fills, %llu liquidity changes\n", (unsigned long long)w_all.fills, (unsigned long long)w_all.lp_ops);
	/* the sequences really trade and change liquidity */
	assert_true(w_all.fills > SEQS * STEPS / 4);
	assert_true(w_all.lp_ops > SEQS * STEPS / 40);
}

static void test_book(void **st)
{
	(void)st;
	run_all(2, DN_MARKET_BOOK, SEQS);
	printf("book: %llu fills (%llu of makers), %llu posts, %llu cancels\n", (unsigned long long)w_all.fills, (unsigned long long)w_all.maker_fills, (unsigned long long)w_all.posts, (unsigned long long)w_all.cancels);
	assert_true(w_all.posts > SEQS * STEPS / 10);
	assert_true(w_all.maker_fills > SEQS * STEPS / 10);
	assert_true(w_all.cancels > SEQS * STEPS / 80);
}

static void test_replay(void **st)
{
	(void)st;
	run_all(3, DN_MARKET_REPLAY, SEQS);
	printf("replay: %llu fills\n", (unsigned long long)w_all.fills);
	assert_true(w_all.fills > SEQS * STEPS / 4);
}

static void test_deterministic(void **st)
{
	(void)st;
	for (int kind = 0; kind < 3; kind++) {
		uint64_t a = run_all(77, kind, 50), b = run_all(77, kind, 50), c = run_all(78, kind, 50);
		assert_int_equal(a, b);
		assert_int_not_equal(a, c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amm),
		cmocka_unit_test(test_book),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
