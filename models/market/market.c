/*
 * market.c: creation of a market, the calls every kind shares (buy, sell,
 * price, statistics, holdings, fees, depth, check) and their dispatch to
 * the pool (amm.c), the order book (book.c) or the replayed path
 * (replay.c). Argument checks live here, so the kind-specific code sees
 * only valid inputs. Nothing here trades by itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market_int.h"

dn_rc dn_market_create(const dn_market_cfg *cfg, dn_market **out)
{
	*out = NULL;
	if (!cfg || cfg->fee_ppm > DN_MARKET_FEE_PPM_MAX)
		return DN_EINVAL;
	if (cfg->kind != DN_MARKET_AMM && cfg->kind != DN_MARKET_BOOK && cfg->kind != DN_MARKET_REPLAY)
		return DN_EINVAL;
	if (cfg->kind == DN_MARKET_BOOK &&
	    (cfg->order_capacity == 0 || cfg->order_capacity > (UINT32_C(1) << 31) ||
	     cfg->min_order_base < 1))
		return DN_EINVAL;
	if (cfg->initial_price_usd_micro_per_dnet < 0 ||
	    cfg->initial_price_usd_micro_per_dnet > DN_MARKET_PRICE_MAX)
		return DN_EINVAL;
	if (cfg->kind == DN_MARKET_REPLAY &&
	    (!cfg->path || (cfg->interp != DN_MARKET_STEP && cfg->interp != DN_MARKET_LINEAR)))
		return DN_EINVAL;
	dn_market *m = calloc(1, sizeof *m);
	if (!m)
		return DN_ENOMEM;
	m->cfg = *cfg;
	m->next_seq = 1;
	if (cfg->kind == DN_MARKET_BOOK) {
		dn_rc rc = mkt_book_init(m);
		if (rc) {
			free(m);
			return rc;
		}
	}
	*out = m;
	return DN_OK;
}

void dn_market_free(dn_market *m)
{
	if (!m)
		return;
	if (m->cfg.kind == DN_MARKET_BOOK)
		mkt_book_fini(m);
	free(m);
}

dn_market_kind dn_market_kind_of(const dn_market *m)
{
	return m->cfg.kind;
}

void dn_market_set_time(dn_market *m, dn_time_ns t_ns)
{
	m->now_ns = t_ns;
}

dn_usd_micro dn_market_price(const dn_market *m)
{
	switch (m->cfg.kind) {
	case DN_MARKET_AMM: return mkt_amm_price(m);
	case DN_MARKET_BOOK: return mkt_book_price(m);
	case DN_MARKET_REPLAY: return dn_market_path_price(m->cfg.path, m->cfg.interp, m->now_ns);
	}
	return 0;
}

dn_rc mkt_fill_fits(const dn_market *m, const dn_market_fill *f)
{
	int64_t t;
	const dn_market_stats *s = &m->iv;
	if (__builtin_add_overflow(s->volume_base, f->base, &t) ||
	    __builtin_add_overflow(s->volume_usd_micro, f->usd_micro, &t) ||
	    __builtin_add_overflow(s->fees_usd_micro, f->fee_usd_micro, &t) ||
	    __builtin_add_overflow(s->fees_base, f->fee_base, &t) ||
	    __builtin_add_overflow(f->taker_buys ? s->taker_bought_base : s->taker_sold_base, f->base, &t))
		return DN_ERANGE;
	return DN_OK;
}

void mkt_record_fill(dn_market *m, const dn_market_fill *f)
{
	dn_market_stats *s = &m->iv;
	assert(f->base >= 0 && f->usd_micro >= 0 && f->fee_usd_micro >= 0 && f->fee_base >= 0);
	/* a DNET fee comes out of the DNET sold; prices are never negative */
	assert(f->fee_base <= f->base && f->price_usd_micro_per_dnet >= 0);
	s->volume_base += f->base;
	s->volume_usd_micro += f->usd_micro;
	s->fees_usd_micro += f->fee_usd_micro;
	s->fees_base += f->fee_base;
	if (f->taker_buys)
		s->taker_bought_base += f->base;
	else
		s->taker_sold_base += f->base;
	s->trades++;
	m->last_trade_usd_micro_per_dnet = f->price_usd_micro_per_dnet;
	if (m->cfg.on_fill)
		m->cfg.on_fill(m->cfg.fill_ctx, f);
}

static dn_rc check_limit(dn_usd_micro limit)
{
	return (limit < 0 || limit > DN_MARKET_PRICE_MAX) ? DN_EINVAL : DN_OK;
}

dn_rc dn_market_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro,
                    dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res)
{
	dn_rc rc;
	memset(res, 0, sizeof *res);
	if (budget_usd_micro < 0 || check_limit(limit_usd_micro_per_dnet))
		return DN_EINVAL;
	if (budget_usd_micro == 0)
		return DN_OK;
	switch (m->cfg.kind) {
	case DN_MARKET_AMM: rc = mkt_amm_buy(m, taker, budget_usd_micro, limit_usd_micro_per_dnet, res); break;
	case DN_MARKET_BOOK: rc = mkt_book_buy(m, taker, budget_usd_micro, limit_usd_micro_per_dnet, res); break;
	default: rc = mkt_replay_buy(m, taker, budget_usd_micro, limit_usd_micro_per_dnet, res); break;
	}
	assert(res->usd_micro <= budget_usd_micro && res->base >= 0);
	if (res->fills)
		m->iv.taker_calls++;
	return rc;
}

dn_rc dn_market_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base,
                     dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res)
{
	dn_rc rc;
	memset(res, 0, sizeof *res);
	if (amount_base < 0 || check_limit(limit_usd_micro_per_dnet))
		return DN_EINVAL;
	if (amount_base == 0)
		return DN_OK;
	switch (m->cfg.kind) {
	case DN_MARKET_AMM: rc = mkt_amm_sell(m, taker, amount_base, limit_usd_micro_per_dnet, res); break;
	case DN_MARKET_BOOK: rc = mkt_book_sell(m, taker, amount_base, limit_usd_micro_per_dnet, res); break;
	default: rc = mkt_replay_sell(m, taker, amount_base, limit_usd_micro_per_dnet, res); break;
	}
	assert(res->base <= amount_base && res->usd_micro >= 0);
	if (res->fills)
		m->iv.taker_calls++;
	return rc;
}

void dn_market_holdings_get(const dn_market *m, dn_market_holdings *out)
{
	out->pool_usd_micro = m->pool_usd_micro;
	out->pool_base = m->pool_base;
	out->pool_shares = m->pool_shares;
	out->escrow_usd_micro = m->escrow_usd_micro;
	out->escrow_base = m->escrow_base;
	out->fees_usd_micro = m->fees_usd_micro;
	out->fees_base = m->fees_base;
	out->outside_usd_micro = m->outside_usd_micro;
	out->outside_base = m->outside_base;
}

void dn_market_take_fees(dn_market *m, dn_usd_micro *usd_micro, dn_amount *base)
{
	assert(m->fees_usd_micro >= 0 && m->fees_base >= 0); /* fees are only ever added */
	*usd_micro = m->fees_usd_micro;
	*base = m->fees_base;
	m->fees_usd_micro = 0;
	m->fees_base = 0;
}

void dn_market_stats_take(dn_market *m, dn_market_stats *out)
{
	*out = m->iv;
	out->price_usd_micro_per_dnet = dn_market_price(m);
	out->last_trade_usd_micro_per_dnet = m->last_trade_usd_micro_per_dnet;
	out->vwap_usd_micro_per_dnet = 0;
	if (out->volume_base > 0)
		out->vwap_usd_micro_per_dnet = (dn_usd_micro)((dnc_u128)(uint64_t)out->volume_usd_micro *
		                                              MKT_BASE_PER_DNET / (uint64_t)out->volume_base);
	switch (m->cfg.kind) {
	case DN_MARKET_AMM:
		out->best_bid_usd_micro_per_dnet = out->best_ask_usd_micro_per_dnet = mkt_amm_price(m);
		out->depth_usd_micro = m->pool_usd_micro;
		out->depth_base = m->pool_base;
		break;
	case DN_MARKET_BOOK:
		out->best_bid_usd_micro_per_dnet = mkt_book_best(m, true);
		out->best_ask_usd_micro_per_dnet = mkt_book_best(m, false);
		out->depth_usd_micro = m->escrow_usd_micro;
		out->depth_base = m->escrow_base;
		out->bid_orders = m->bids.n;
		out->ask_orders = m->asks.n;
		break;
	case DN_MARKET_REPLAY:
		out->best_bid_usd_micro_per_dnet = out->best_ask_usd_micro_per_dnet =
			out->price_usd_micro_per_dnet;
		break;
	}
	memset(&m->iv, 0, sizeof m->iv);
}

dn_rc dn_market_depth(const dn_market *m, uint32_t band_ppm, dn_usd_micro *buy_usd_micro,
                      dn_amount *sell_base)
{
	*buy_usd_micro = 0;
	*sell_base = 0;
	if (band_ppm < 1 || band_ppm > 500000)
		return DN_EINVAL;
	switch (m->cfg.kind) {
	case DN_MARKET_AMM: return mkt_amm_depth(m, band_ppm, buy_usd_micro, sell_base);
	case DN_MARKET_BOOK: return mkt_book_depth(m, band_ppm, buy_usd_micro, sell_base);
	case DN_MARKET_REPLAY:
		*buy_usd_micro = INT64_MAX;
		*sell_base = INT64_MAX;
		return DN_OK;
	}
	return DN_EINVAL;
}

dn_rc dn_market_check(const dn_market *m, char *err, size_t errlen)
{
	if (errlen)
		err[0] = '\0';
	if (m->fees_usd_micro < 0 || m->fees_base < 0) {
		snprintf(err, errlen, "negative fee account");
		return DN_EINVAL;
	}
	switch (m->cfg.kind) {
	case DN_MARKET_AMM:
		if (m->pool_usd_micro < 0 || m->pool_base < 0 || m->pool_shares < 0 ||
		    (m->pool_shares > 0) != (m->pool_usd_micro > 0 && m->pool_base > 0) ||
		    (m->pool_shares == 0 && (m->pool_usd_micro || m->pool_base))) {
			snprintf(err, errlen, "pool: usd %lld base %lld shares %lld", (long long)m->pool_usd_micro,
			         (long long)m->pool_base, (long long)m->pool_shares);
			return DN_EINVAL;
		}
		return DN_OK;
	case DN_MARKET_BOOK: return mkt_book_check(m, err, errlen);
	case DN_MARKET_REPLAY:
		if (m->pool_usd_micro || m->pool_base || m->escrow_usd_micro || m->escrow_base) {
			snprintf(err, errlen, "replay market holds pool or escrow");
			return DN_EINVAL;
		}
		return DN_OK;
	}
	return DN_EINVAL;
}
