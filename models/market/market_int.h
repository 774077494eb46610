/*
 * market_int.h: the market's private state and the helpers its files share
 * (market.c: creation, dispatch, statistics; amm.c: the pool; book.c: the
 * order book; replay.c: price paths and replay trades; from_scenario.c:
 * building one from parameters). Only models/market
 * includes this; everyone else uses dn_market.h.
 */
#ifndef DN_MARKET_INT_H
#define DN_MARKET_INT_H

/* dnmarket's target defines DN_BUILDING_MARKET: the build refuses this
 * header anywhere else. */
#ifndef DN_BUILDING_MARKET
#error "market_int.h is private to models/market; include dn_market.h"
#endif

#include <assert.h>

#include "dn_market.h"

#define MKT_BASE_PER_DNET ((dnc_u128)DN_MARKET_BASE_PER_DNET)
#define MKT_PPM ((dnc_u128)1000000u) /* parts per million in a whole */

/* The market's base unit is the protocol library's. */
_Static_assert(DN_MARKET_BASE_PER_DNET == DNC_UNITS_PER_DNET, "1 DNET is the same number of base units everywhere");

/*
 * A resting order in its slot. Its public id is gen << 32 | slot, so a
 * stale id (the slot was reused) is recognised; time priority is by seq,
 * which grows with every post and never repeats.
 */
typedef struct mkt_order {
	dn_market_owner owner;
	uint64_t seq;
	dn_usd_micro price_usd_micro_per_dnet;
	dn_amount orig_base;   /* amount posted */
	dn_amount filled_base; /* filled so far */
	uint32_t gen;          /* generation of the slot, 1.. */
	uint32_t heap_pos;     /* index in its side's heap */
	bool live;
	bool buy;
} mkt_order;

/* A heap entry: min-heap on (key, seq); key = -price for bids, price for asks. */
typedef struct mkt_heap_ent {
	int64_t key;
	uint64_t seq;
	uint32_t slot;
} mkt_heap_ent;

typedef struct mkt_side {
	mkt_heap_ent *h;
	uint32_t n;
} mkt_side;

struct dn_market {
	dn_market_cfg cfg;
	dn_time_ns now_ns;
	/* AMM */
	dn_usd_micro pool_usd_micro;
	dn_amount pool_base;
	int64_t pool_shares;
	/* BOOK */
	mkt_order *ord;   /* order_capacity slots */
	uint32_t *free_slot;
	uint32_t n_free;
	mkt_side bids, asks;
	uint64_t next_seq; /* 1.. */
	dn_usd_micro escrow_usd_micro;
	dn_amount escrow_base;
	/* fee account and the outside counterparty */
	dn_usd_micro fees_usd_micro;
	dn_amount fees_base;
	dn_usd_micro outside_usd_micro;
	dn_amount outside_base;
	/* statistics */
	dn_usd_micro last_trade_usd_micro_per_dnet;
	dn_market_stats iv; /* interval counters (volume, fees, trades, ...) */
};

/* ceil(x * p / 10^8): the USD value of x base units at price p (x, p >= 0). */
static inline DN_WUR dn_rc mkt_value(dn_amount x, dn_usd_micro p, dn_usd_micro *out)
{
	assert(x >= 0 && p >= 0);
	dnc_u128 v = ((dnc_u128)(uint64_t)x * (uint64_t)p + MKT_BASE_PER_DNET - 1) / MKT_BASE_PER_DNET;
	if (v > (dnc_u128)INT64_MAX)
		return DN_ERANGE;
	*out = (dn_usd_micro)v;
	return DN_OK;
}

/* ceil(v * fee_ppm / 10^6) (v >= 0, fee_ppm <= 10^6: never above v). */
static inline dn_usd_micro mkt_fee(int64_t v, uint32_t fee_ppm)
{
	assert(v >= 0 && fee_ppm <= DN_MARKET_FEE_PPM_MAX);
	return (int64_t)(((dnc_u128)(uint64_t)v * fee_ppm + MKT_PPM - 1) / MKT_PPM);
}

/* The most q with q + mkt_fee(q) <= budget: floor(budget * 10^6 / (10^6 + fee)). */
static inline int64_t mkt_net_of_fee(int64_t budget, uint32_t fee_ppm)
{
	assert(budget >= 0 && fee_ppm <= DN_MARKET_FEE_PPM_MAX);
	return (int64_t)((dnc_u128)(uint64_t)budget * MKT_PPM / (MKT_PPM + fee_ppm));
}

/*
 * Records one fill in the statistics and passes it to the callback. The
 * caller has checked with mkt_fill_fits that the counters do not overflow.
 */
void mkt_record_fill(dn_market *m, const dn_market_fill *f);
/* DN_OK when recording f would not overflow any interval counter. */
DN_WUR dn_rc mkt_fill_fits(const dn_market *m, const dn_market_fill *f);

/* amm.c */
DN_WUR dn_rc mkt_amm_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro,
                         dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);
DN_WUR dn_rc mkt_amm_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base,
                          dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);
dn_usd_micro mkt_amm_price(const dn_market *m);
DN_WUR dn_rc mkt_amm_depth(const dn_market *m, uint32_t band_ppm, dn_usd_micro *buy_usd_micro,
                           dn_amount *sell_base);

/* book.c */
DN_WUR dn_rc mkt_book_init(dn_market *m);
void mkt_book_fini(dn_market *m);
DN_WUR dn_rc mkt_book_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro,
                          dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);
DN_WUR dn_rc mkt_book_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base,
                           dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);
dn_usd_micro mkt_book_price(const dn_market *m);
dn_usd_micro mkt_book_best(const dn_market *m, bool bid);
DN_WUR dn_rc mkt_book_depth(const dn_market *m, uint32_t band_ppm, dn_usd_micro *buy_usd_micro,
                            dn_amount *sell_base);
DN_WUR dn_rc mkt_book_check(const dn_market *m, char *err, size_t errlen);

/* replay.c */
DN_WUR dn_rc mkt_replay_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro,
                            dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);
DN_WUR dn_rc mkt_replay_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base,
                             dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);

#endif
