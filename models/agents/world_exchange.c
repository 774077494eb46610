/*
 * world_exchange.c: traders and the DNET/USD exchange. Tiles post market
 * orders (buys spend micro-USD, sells offer base units) into their
 * outboxes; the block step runs every arrived order against the market
 * (models/market) in (arrival, tile, sequence) order and moves the DNET
 * between the exchange's ledger account and the agents': the only place
 * the exchange touches the ledger (w_custody). The price the world
 * reads (w_price) and the traders' day-long average are kept here.
 * Not here: why an agent buys or sells (its own file decides and posts).
 */
#include "world.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- orders (in a tile) ---- */

static dn_rc post(dn_part *p, uint32_t agent, bool buy, dn_usd_micro usd_micro, dn_amount base, uint32_t role)
{
	wpart *P = dn_part_model(p);
	word o = {
		.arrive_ns = dn_part_now(p) + P->delay_ns, .part = P->tile, .agent = agent,
		.buy = buy, .role = role, .usd_micro = usd_micro, .base = base, .seq = P->seq++,
	};
	return wvec_push(&P->orders, &o);
}

dn_rc w_order_buy(dn_part *p, uint32_t agent, dn_usd_micro usd_micro, uint32_t role)
{
	return usd_micro <= 0 ? DN_OK : post(p, agent, true, usd_micro, 0, role);
}

dn_rc w_order_sell(dn_part *p, uint32_t agent, dn_amount base, uint32_t role)
{
	return base <= 0 ? DN_OK : post(p, agent, false, 0, base, role);
}

/* ---- traders (in a tile, hourly) ---- */

dn_rc w_trader_hour(world *W, dn_part *p, uint32_t a, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	dn_rng r;
	w_ev_rng(C, &r, a, P_TRADE, now);
	if (dn_rng_u01(&r) >= C->trade_prob_hour)
		return DN_OK;
	double price = (double)w_price(W), prev = (double)W->mk.price_prev_usd_micro, avg = (double)W->mk.price_avg_usd_micro;
	int dir = 0;
	if (W->ag.role[a] & W_MOMENTUM) {
		if (price > prev * 1.002)
			dir = 1;
		else if (price < prev * 0.998)
			dir = -1;
	} else {
		/* each value trader has its own view of fair value around the long average */
		dn_rng v;
		dn_rng_init(&v, C->seed, a, P_TRADE, 0);
		double value = avg * exp(0.25 * (dn_rng_u01(&v) - 0.5));
		if (price < value * 0.97)
			dir = 1;
		else if (price > value * 1.03)
			dir = -1;
	}
	if (dir > 0) {
		int64_t budget = (int64_t)((double)W->ag.usd_micro[a] * C->trade_fraction);
		W->ag.usd_micro[a] -= budget;
		return w_order_buy(p, a, budget, DN_METRICS_ROLE_TRADER);
	}
	if (dir < 0)
		return w_order_sell(p, a, (dn_amount)((double)w_balance(W, a) * C->trade_fraction), DN_METRICS_ROLE_TRADER);
	return DN_OK;
}

/* ---- the market (set-up) ---- */

/* The market from the scenario; *pool_base is the DNET its pool (or the
 * replayed outside's inventory) needs from the community allocation. */
dn_rc w_exchange_open(world *W, const dn_scenario *s, dn_amount *pool_base)
{
	dn_market_seed mseed = {0};
	char err[512];
	/* a slice of a larger network gets its share of the exchange's depth */
	dn_rc rc = dn_market_from_scenario_share(s, NULL, NULL, W->cfg.n, W->cfg.network_n, &W->mk.mkt, &W->mk.path,
	                                         &mseed, err, sizeof err);
	if (rc) {
		dn_world_set_error(W->w, "market: %s", err);
		return rc;
	}
	if (dn_market_kind_of(W->mk.mkt) == DN_MARKET_BOOK) {
		char at[300];
		dn_world_set_error(W->w, "%smarket.kind: book needs market makers posting resting orders, and "
		                         "the world's traders only take: use amm (the default) or replay (docs/agents.md)",
		                   w_param_where(s, "market.kind", at, sizeof at));
		return DN_EINVAL;
	}
	if (dn_market_kind_of(W->mk.mkt) == DN_MARKET_REPLAY) {
		/* the outside sells DNET from an inventory the size of the pool
		 * the same scenario would have seeded (market.amm.initial_usd at
		 * the initial price) */
		double usd = (double)dn_scn_int(s, "market.amm.initial_usd") * W->cfg.net_share;
		dn_usd_micro px = (dn_usd_micro)dn_scn_int(s, "market.initial_price_usd_micro_per_dnet");
		mseed.base = (dn_amount)llround(dn_base_of_usd(usd, px));
	}
	*pool_base = mseed.base;
	return DN_OK;
}

/* ---- the block step ---- */

/*
 * The exchange's custody book. The exchange is a centralised venue: DNET a
 * trader buys or sells there moves between the exchange's custody account
 * and the trader's at once, at the price the market fills, as an
 * exchange's internal book does; it is the world's only ledger write
 * outside a transaction and the genesis (docs/agents.md, "One door to the
 * chain"), and it is counted (world_custody_moves, world_custody_base).
 */
dn_rc w_custody(world *W, dnc_acct from, dnc_acct to, dn_amount base, const char *what)
{
	assert(base > 0 && (from == W->ch.exchange || to == W->ch.exchange));
	dnc_rc crc = dnc_ledger_transfer(dnc_chain_ledger(W->ch.chain), from, to, base); /* door: custody */
	if (crc)
		return w_block_fail(W, what, crc);
	W->ch.custody_moves++;
	W->ch.custody_base += base;
	return DN_OK;
}

dn_rc w_exchange_buy_now(world *W, uint32_t agent, dn_usd_micro budget)
{
	dn_market_result res;
	if (W->ag.usd_micro[agent] >= budget && dn_market_buy(W->mk.mkt, agent, budget, 0, &res) == DN_OK && res.base > 0) {
		dn_rc rc = w_custody(W, W->ch.exchange, w_acct(W, agent), res.base, "operator's DNET purchase");
		if (rc)
			return rc;
		W->ag.usd_micro[agent] -= res.usd_micro;
	}
	return DN_OK;
}

/* A failure of the market (or of the Gini marks) while filling orders. */
static dn_rc fill_fail(world *W, dn_rc rc)
{
	dn_world_set_error(W->w, "exchange: %s", dn_rc_str(rc));
	return rc;
}

static int cmp_order(const void *a, const void *b)
{
	const word *x = a, *y = b;
	return w_cmp_arrival(x->arrive_ns, x->part, x->seq, y->arrive_ns, y->part, y->seq);
}

/* A buy: the USD not spent goes back; a replayed market cannot deliver
 * more DNET than the exchange holds. */
static dn_rc fill_buy(world *W, const word *o)
{
	dn_market_result res;
	memset(&res, 0, sizeof res);
	dn_rc rc = dn_market_buy(W->mk.mkt, o->agent, o->usd_micro, 0, &res);
	if (rc == DN_ERANGE)
		rc = DN_OK; /* nothing filled */
	else if (rc)
		return fill_fail(W, rc);
	if (res.base > dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), W->ch.exchange)) {
		W->ag.usd_micro[o->agent] += o->usd_micro;
		return DN_OK;
	}
	W->ag.usd_micro[o->agent] += o->usd_micro - res.usd_micro;
	if (res.base > 0) {
		rc = w_custody(W, W->ch.exchange, w_acct(W, o->agent), res.base, "exchange delivery");
		if (rc)
			return rc;
		rc = w_touch(W, w_acct(W, o->agent));
	}
	return rc ? fill_fail(W, rc) : DN_OK;
}

/* A sell of at most what the agent holds now. */
static dn_rc fill_sell(world *W, const word *o)
{
	dn_amount bal = w_balance(W, o->agent);
	dn_amount amt = o->base < bal ? o->base : bal;
	if (amt <= 0)
		return DN_OK;
	dn_market_result res;
	memset(&res, 0, sizeof res);
	dn_rc rc = dn_market_sell(W->mk.mkt, o->agent, amt, 0, &res);
	if (rc == DN_ERANGE)
		rc = DN_OK; /* nothing filled */
	else if (rc)
		return fill_fail(W, rc);
	if (res.base > 0) {
		rc = w_custody(W, w_acct(W, o->agent), W->ch.exchange, res.base, "exchange settlement");
		if (rc)
			return rc;
		rc = w_touch(W, w_acct(W, o->agent));
	}
	W->ag.usd_micro[o->agent] += res.usd_micro;
	return rc ? fill_fail(W, rc) : DN_OK;
}

/* The new price and its day-long moving average (the value traders' anchor). */
static void update_price(world *W)
{
	world_market *M = &W->mk;
	M->price_prev_usd_micro = M->price_usd_micro;
	M->price_usd_micro = dn_market_price(M->mkt);
	if (M->price_usd_micro <= 0)
		M->price_usd_micro = M->price_prev_usd_micro;
	double blocks_day = DN_UNITS_S_PER_DAY / (double)W->cfg.cp.block_interval_s;
	M->price_avg_usd_micro = (dn_usd_micro)llround((double)M->price_avg_usd_micro +
	                                               ((double)M->price_usd_micro - (double)M->price_avg_usd_micro) / blocks_day);
	dn_market_stats_take(M->mkt, &M->stats);
}

dn_rc w_exchange_block(world *W, dn_time_ns t)
{
	wvec all = {.size = sizeof(word)};
	dn_rc rc = DN_OK;
	for (unsigned i = 0; i < W->cfg.nparts && !rc; i++) {
		wpart *P = w_part(W, i);
		for (size_t k = 0; k < P->orders.n && !rc; k++)
			rc = wvec_push(&all, wvec_at(&P->orders, k));
		P->orders.n = 0;
	}
	if (rc) {
		wvec_free(&all);
		return rc;
	}
	if (all.n > 1)
		qsort(all.v, all.n, sizeof(word), cmp_order);
	dn_market_set_time(W->mk.mkt, t);
	for (size_t k = 0; k < all.n && !rc; k++) {
		const word *o = wvec_at(&all, k);
		rc = o->buy ? fill_buy(W, o) : fill_sell(W, o);
	}
	wvec_free(&all);
	if (rc)
		return rc; /* the error is set */
	update_price(W);
	return DN_OK;
}

/* world.check_ledger: an AMM's DNET is the exchange account's. */
dn_rc w_exchange_check(world *W)
{
	if (dn_market_kind_of(W->mk.mkt) != DN_MARKET_AMM)
		return DN_OK;
	dn_market_holdings mh;
	dn_market_holdings_get(W->mk.mkt, &mh);
	dn_amount have = dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), W->ch.exchange);
	if (have != mh.pool_base + mh.fees_base) {
		dn_world_set_error(W->w, "exchange account (%lld) differs from the pool's DNET (%lld)", (long long)have,
		                   (long long)(mh.pool_base + mh.fees_base));
		return DN_EINVAL;
	}
	return DN_OK;
}
