/*
 * bench_market.c: market throughput under a million-trader load, for each
 * kind of market (docs/market.md has the figures and the command).
 *
 * One million traders hold random USD and DNET. Each operation picks a
 * uniform trader:
 *  - AMM and REPLAY: a taker buy (a random share of the trader's USD) or
 *    sell (a random share of its DNET), half with a price limit;
 *  - BOOK: 50 % takers as above, 40 % posts of a resting order within
 *    +/- 5 % of the mid (a trader's earlier order is cancelled first; one
 *    resting order per trader, so the book holds up to a million), 10 %
 *    cancels. Makers are settled in the fill callback.
 * Statistics are taken every 1,000 operations (a "block"), balances are
 * settled exactly as agents would, and conservation is checked at the end.
 * Usage: bench_market [scale]  (scale 1: 10 million operations per kind)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dn_market.h"

#define USD INT64_C(1000000)
#define DNET INT64_C(100000000)

enum { TRADERS = 1000000, BLOCK_OPS = 1000 };

typedef struct load {
	int64_t *usd, *base;
	dn_market_order_id *open;
	int64_t total_usd, total_base, wallet_usd, wallet_base;
	uint64_t rng;
	uint64_t fills, takers, posts, rejected, cancels;
} load;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void die(const char *what, dn_rc rc)
{
	fprintf(stderr, "bench_market: %s: %s\n", what, dn_rc_str(rc));
	exit(1);
}

#define CHECK(what, expr) do { dn_rc rc_ = (expr); if (rc_) die(what, rc_); } while (0)

static void settle(void *ctx, const dn_market_fill *f)
{
	load *l = ctx;
	l->fills++;
	if (f->maker >= TRADERS)
		return;
	if (f->taker_buys)
		l->usd[f->maker] += f->usd_micro;
	else
		l->base[f->maker] += f->base;
	if (f->maker_done)
		l->open[f->maker] = 0;
}

static void load_init(load *l, uint64_t seed)
{
	l->usd = malloc(TRADERS * sizeof *l->usd);
	l->base = malloc(TRADERS * sizeof *l->base);
	l->open = calloc(TRADERS, sizeof *l->open);
	if (!l->usd || !l->base || !l->open)
		die("allocating traders", DN_ENOMEM);
	l->rng = seed;
	l->total_usd = l->total_base = l->wallet_usd = l->wallet_base = 0;
	l->fills = l->takers = l->posts = l->rejected = l->cancels = 0;
	for (uint32_t i = 0; i < TRADERS; i++) {
		l->usd[i] = (int64_t)(sm_next(&l->rng) % (uint64_t)(1000 * USD));
		l->base[i] = (int64_t)(sm_next(&l->rng) % (uint64_t)(16000 * DNET));
		l->total_usd += l->usd[i];
		l->total_base += l->base[i];
	}
}

static void load_fini(load *l)
{
	free(l->usd);
	free(l->base);
	free(l->open);
}

static void taker(load *l, dn_market *m, uint32_t i, uint64_t r)
{
	dn_market_result res;
	dn_usd_micro p = dn_market_price(m);
	bool buy = r & 1;
	dn_usd_micro limit = (r & 2) && p > 0 ? p + (buy ? p / 50 : -p / 50) : 0;
	if (buy) {
		int64_t budget = l->usd[i] >> (4 + (r >> 8) % 8);
		CHECK("buy", dn_market_buy(m, i, budget, limit, &res));
		l->usd[i] -= res.usd_micro;
		l->base[i] += res.base;
	} else {
		int64_t amount = l->base[i] >> (4 + (r >> 8) % 8);
		CHECK("sell", dn_market_sell(m, i, amount, limit, &res));
		l->base[i] -= res.base;
		l->usd[i] += res.usd_micro;
	}
	l->takers++;
}

static void cancel(load *l, dn_market *m, uint32_t i)
{
	if (!l->open[i])
		return;
	dn_usd_micro ru;
	dn_amount rb;
	CHECK("cancel", dn_market_cancel(m, i, l->open[i], &ru, &rb));
	l->usd[i] += ru;
	l->base[i] += rb;
	l->open[i] = 0;
	l->cancels++;
}

static void post(load *l, dn_market *m, uint32_t i, uint64_t r)
{
	cancel(l, m, i);
	dn_usd_micro p = dn_market_price(m);
	if (p <= 0)
		p = 62500;
	bool buy = r & 1;
	/* 0.1 % to 5 % away from the mid, on the trader's side */
	dn_usd_micro off = p * (int64_t)(1 + (r >> 8) % 50) / 1000;
	dn_usd_micro price = buy ? p - off : p + off;
	if (price < 1)
		price = 1;
	int64_t amount = buy ? (int64_t)((__int128)(l->usd[i] >> 3) * DNET / price) : l->base[i] >> 3;
	dn_market_order_id id;
	dn_usd_micro lu;
	dn_amount lb;
	dn_rc rc = dn_market_post(m, i, buy, price, amount, &id, &lu, &lb);
	if (rc == DN_ERANGE || rc == DN_EINVAL) {
		l->rejected++;
		return;
	}
	CHECK("post", rc);
	l->usd[i] -= lu;
	l->base[i] -= lb;
	l->open[i] = id;
	l->posts++;
}

static void conserved(load *l, dn_market *m, const char *name)
{
	dn_market_holdings h;
	dn_market_holdings_get(m, &h);
	int64_t su = l->wallet_usd + h.pool_usd_micro + h.escrow_usd_micro + h.fees_usd_micro + h.outside_usd_micro;
	int64_t sb = l->wallet_base + h.pool_base + h.escrow_base + h.fees_base + h.outside_base;
	for (uint32_t i = 0; i < TRADERS; i++) {
		su += l->usd[i];
		sb += l->base[i];
	}
	if (su != l->total_usd || sb != l->total_base) {
		fprintf(stderr, "bench_market: %s: conservation broken\n", name);
		exit(1);
	}
}

static void run(const char *name, dn_market_kind kind, uint64_t ops, const dn_market_path *path)
{
	load l;
	load_init(&l, 42);
	dn_market_cfg cfg = {.kind = kind, .fee_ppm = 3000, .order_capacity = TRADERS,
	                     .min_order_base = 100000, .path = path, .interp = DN_MARKET_LINEAR,
	                     .on_fill = settle, .fill_ctx = &l};
	dn_market *m;
	CHECK("create", dn_market_create(&cfg, &m));
	if (kind == DN_MARKET_AMM) {
		/* the first 1,000 traders' holdings seed the pool */
		for (uint32_t i = 0; i < 1000; i++) {
			dn_usd_micro uu;
			dn_amount ub;
			int64_t sh;
			int64_t want_base = (int64_t)((__int128)l.usd[i] * DNET / 62500);
			CHECK("seed", dn_market_amm_add(m, l.usd[i], want_base < l.base[i] ? want_base : l.base[i],
			                                &uu, &ub, &sh));
			l.usd[i] -= uu;
			l.base[i] -= ub;
		}
	}
	if (kind == DN_MARKET_BOOK) {
		/* half the traders start with a resting order */
		for (uint32_t i = 0; i < TRADERS / 2; i++)
			post(&l, m, (uint32_t)(sm_next(&l.rng) % TRADERS), sm_next(&l.rng));
	}
	dn_market_stats s;
	dn_market_stats_take(m, &s);
	uint64_t fills0 = l.fills, takers0 = l.takers;
	double t0 = now_s();
	for (uint64_t k = 0; k < ops; k++) {
		uint64_t r = sm_next(&l.rng);
		uint32_t i = (uint32_t)(((r >> 32) * TRADERS) >> 32);
		if (kind != DN_MARKET_BOOK) {
			taker(&l, m, i, r);
		} else {
			unsigned op = (unsigned)((r >> 24) % 10);
			if (op < 5)
				taker(&l, m, i, r);
			else if (op < 9)
				post(&l, m, i, r);
			else
				cancel(&l, m, i);
		}
		if (k % BLOCK_OPS == BLOCK_OPS - 1) {
			dn_market_stats_take(m, &s);
			if (kind == DN_MARKET_REPLAY)
				dn_market_set_time(m, (dn_time_ns)(k / BLOCK_OPS) * 10 * 1000000000);
		}
	}
	double t1 = now_s();
	dn_usd_micro fu;
	dn_amount fb;
	dn_market_take_fees(m, &fu, &fb);
	l.wallet_usd += fu;
	l.wallet_base += fb;
	conserved(&l, m, name);
	double dt = t1 - t0;
	printf("%-8s %12.0f %12.0f %12.0f %10.1f", name, (double)ops / dt, (double)(l.takers - takers0) / dt,
	       (double)(l.fills - fills0) / dt, 1e9 * dt / (double)ops);
	if (kind == DN_MARKET_BOOK) {
		dn_market_stats_take(m, &s);
		dn_usd_micro du;
		dn_amount db;
		double d0 = now_s();
		CHECK("depth", dn_market_depth(m, 20000, &du, &db));
		double d1 = now_s();
		printf("   book %u bids + %u asks, depth scan %.1f ms, posts %llu rejected %llu cancels %llu",
		       s.bid_orders, s.ask_orders, 1e3 * (d1 - d0), (unsigned long long)l.posts,
		       (unsigned long long)l.rejected, (unsigned long long)l.cancels);
	}
	printf("   price %.6f USD/DNET\n", (double)dn_market_price(m) / 1e6);
	dn_market_free(m);
	load_fini(&l);
}

int main(int argc, char **argv)
{
	double scale = argc > 1 ? atof(argv[1]) : 1.0;
	if (!(scale > 0 && scale <= 100)) {
		fprintf(stderr, "usage: bench_market [scale]  (0 < scale <= 100; 1: 10M operations)\n");
		return 2;
	}
	uint64_t ops = (uint64_t)(1e7 * scale);
	/* a one-day hourly path for the replay market */
	char text[4096];
	size_t n = 0;
	for (int h = 0; h <= 24; h++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%d,0.%06d\n", h * 3600, 60000 + 100 * h);
	dn_market_path *path;
	char err[256];
	dn_rc rc = dn_market_path_parse("bench", text, n, 100, &path, err, sizeof err);
	if (rc) {
		fprintf(stderr, "bench_market: %s\n", err);
		return 1;
	}
	printf("# bench_market: %d traders, %llu operations per kind, fee 0.3 %%\n", TRADERS,
	       (unsigned long long)ops);
	printf("%-8s %12s %12s %12s %10s\n", "kind", "ops/s", "takers/s", "fills/s", "ns/op");
	run("amm", DN_MARKET_AMM, ops, NULL);
	run("book", DN_MARKET_BOOK, ops, NULL);
	run("replay", DN_MARKET_REPLAY, ops, path);
	dn_market_path_free(path);
	return 0;
}
