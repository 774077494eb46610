/*
 * dn_market.h: the DNET/USD market (public header of models/market).
 *
 * One small interface over three kinds of market, chosen at creation
 * (docs/market.md says which to use when and why):
 *
 *  - DN_MARKET_AMM: a constant-product pool (x * y = k) with a fee on the
 *    input that stays in the pool, and liquidity providers holding shares.
 *  - DN_MARKET_BOOK: a limit order book with price-time priority. Makers
 *    post resting limit orders (post-only); takers trade immediately
 *    (immediate-or-cancel) against the best resting prices.
 *  - DN_MARKET_REPLAY: an exogenous price path read from a CSV file; every
 *    trade executes at the replayed price against an outside counterparty
 *    of unlimited depth, and the market only records volumes.
 *
 * Money is integer only: DNET in dn_amount base units (1 DNET = 10^8),
 * USD in micro-USD (dn_usd_micro), prices in micro-USD per DNET.
 * Products go through 128-bit intermediates; an amount that would not fit
 * in an int64 is DN_ERANGE, never a wrap. The USD value of x base units at
 * price p is always ceil(x * p / 10^8) (the DNET seller gets the rounding);
 * fees are ceil(value * fee_ppm / 10^6) (the market never undercharges).
 *
 * The market holds no trader balances. A taker call reports what the
 * taker paid and received; the caller moves the taker's balances. Every
 * fill (also against the pool or the outside) goes to the fill callback
 * so the caller can settle makers. What the market itself holds is
 * reported by dn_market_holdings: pool reserves, the escrow of resting
 * orders, collected fees and the outside counterparty's net position, so
 * callers (and tests) can check that both assets are conserved exactly.
 *
 * Deterministic: no clock, no random numbers, calls are processed in the
 * order made, and orders at equal prices fill in the order they were
 * posted (a sequence number that grows with every post, never repeats).
 * Memory is fixed at creation: nothing is allocated per order or trade.
 * Not thread-safe: one market is used by one thread at a time.
 */
#ifndef DN_MARKET_H
#define DN_MARKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dn_base.h"
#include "dnc_base.h"
#include "params.h"

typedef int64_t dn_usd_micro; /* US dollars in millionths; also prices, per DNET */

#define DN_MARKET_USD_MICRO_PER_USD INT64_C(1000000)
#define DN_MARKET_BASE_PER_DNET INT64_C(100000000)
/* Largest accepted price: 10^9 USD per DNET. */
#define DN_MARKET_PRICE_MAX INT64_C(1000000000000000)
/* Largest fee: 10 %. */
#define DN_MARKET_FEE_PPM_MAX 100000u
/* Counterparty ids of fills that have no resting maker. */
#define DN_MARKET_OWNER_POOL UINT64_MAX          /* the AMM pool */
#define DN_MARKET_OWNER_OUTSIDE (UINT64_MAX - 1) /* the replayed outside market */

typedef uint64_t dn_market_owner;    /* the caller's id for a trader (an agent id) */
typedef uint64_t dn_market_order_id; /* never 0; names one posting (a stale id is refused) */

typedef enum dn_market_kind { DN_MARKET_AMM, DN_MARKET_BOOK, DN_MARKET_REPLAY } dn_market_kind;

/* ------------------------------------------------------------ price paths */

typedef struct dn_market_path dn_market_path;
typedef enum dn_market_interp { DN_MARKET_STEP, DN_MARKET_LINEAR } dn_market_interp;

/*
 * Parses a price path: text of len bytes (need not be NUL-terminated);
 * `name` is used in messages. Format (docs/market.md): UTF-8/ASCII lines
 * ending in LF (a CR before it is accepted); blank lines and lines starting
 * with '#' are skipped; the first other line may be the header
 * "time_s,price_usd"; every data line is TIME,PRICE with TIME a decimal
 * number of seconds >= 0 with at most 9 decimals and PRICE a decimal
 * number of USD per DNET > 0 with at most 6 decimals; no signs, exponents,
 * spaces or extra fields; times strictly increasing; at least one point and
 * at most max_points. Values are converted exactly (no rounding).
 * On success *out (OUT) is a new path the caller frees with
 * dn_market_path_free. On failure *out is NULL and the result is DN_EPARSE
 * (err: "name:line: what"), DN_ELIMIT (more than max_points) or DN_ENOMEM;
 * err is always NUL-terminated when errlen > 0.
 */
DN_WUR dn_rc dn_market_path_parse(const char *name, const char *text, size_t len,
                                  size_t max_points, dn_market_path **out, char *err,
                                  size_t errlen);
/* Reads and parses a file (at most 1 GiB); DN_EIO when it cannot be read. */
DN_WUR dn_rc dn_market_path_load(const char *path, size_t max_points, dn_market_path **out,
                                 char *err, size_t errlen);
/* Frees a path (NULL is fine); no market may still use it. */
void dn_market_path_free(dn_market_path *p);
/* Number of points (at least 1). */
size_t dn_market_path_count(const dn_market_path *p);
/* The i-th point (i < count): OUT time and price. */
void dn_market_path_point(const dn_market_path *p, size_t i, dn_time_ns *t_ns,
                          dn_usd_micro *price_usd_micro_per_dnet);
/*
 * The price at time t: before the first point, the first price; after the
 * last, the last; in between the previous point's price (STEP) or the
 * straight line between the two points, rounded down (LINEAR).
 */
dn_usd_micro dn_market_path_price(const dn_market_path *p, dn_market_interp interp,
                                  dn_time_ns t_ns);

/* ------------------------------------------------------------- the market */

/* One exchange of DNET for USD between a taker and a maker. */
typedef struct dn_market_fill {
	dn_market_order_id order_id; /* the resting order filled; 0 for pool and outside */
	dn_market_owner maker;       /* owner of that order, or DN_MARKET_OWNER_POOL/OUTSIDE */
	dn_market_owner taker;
	bool taker_buys;             /* taker receives DNET and pays USD */
	dn_amount base;              /* DNET from the seller (gross, fee included) */
	dn_usd_micro usd_micro;      /* USD from the buyer to the seller, fee excluded */
	dn_usd_micro fee_usd_micro;  /* USD fee paid by the taker */
	dn_amount fee_base;          /* DNET fee paid by the taker (AMM sells only) */
	dn_usd_micro price_usd_micro_per_dnet; /* the maker's price; the pool's marginal price after */
	bool maker_done;             /* the resting order is now completely filled */
} dn_market_fill;

/*
 * How the caller settles a fill: the seller gives `base` DNET and the
 * buyer receives all of it (in an AMM sell, fee_base of it is the fee the
 * pool keeps); the buyer pays `usd_micro` USD and the seller receives it,
 * except that the taker also pays fee_usd_micro on a buy and receives
 * usd_micro - fee_usd_micro on a sell. A book maker's side comes out of the
 * escrow it locked when posting, so only its credit is due: a buy maker
 * gets `base` DNET, a sell maker gets `usd_micro` USD. The taker is best
 * settled from dn_market_result. The callback must not call the market.
 */
typedef void (*dn_market_fill_fn)(void *ctx, const dn_market_fill *f);

typedef struct dn_market_cfg {
	dn_market_kind kind;
	uint32_t fee_ppm;          /* taker fee, 0..DN_MARKET_FEE_PPM_MAX */
	uint32_t order_capacity;   /* BOOK: resting orders at most (1..2^31) */
	dn_amount min_order_base;  /* BOOK: smallest order that may be posted (>= 1) */
	dn_usd_micro initial_price_usd_micro_per_dnet; /* BOOK: the reference price before any trade (0: none) */
	const dn_market_path *path; /* REPLAY: borrowed; must outlive the market */
	dn_market_interp interp;   /* REPLAY */
	dn_market_fill_fn on_fill; /* may be NULL */
	void *fill_ctx;
} dn_market_cfg;

typedef struct dn_market dn_market;

/*
 * Creates a market. The book's order tables (108 bytes per order of
 * capacity) are allocated here and never again. OUT *out, freed with
 * dn_market_free. DN_EINVAL on a bad configuration (fee above the maximum,
 * zero capacity, REPLAY without a path), DN_ENOMEM; *out is NULL then.
 */
DN_WUR dn_rc dn_market_create(const dn_market_cfg *cfg, dn_market **out);
/* Frees a market and its tables (NULL is fine); not the borrowed path. */
void dn_market_free(dn_market *m);
dn_market_kind dn_market_kind_of(const dn_market *m);

/* Sets the simulated time (REPLAY: selects the price). Any order of calls. */
void dn_market_set_time(dn_market *m, dn_time_ns t_ns);

/*
 * The market's reference price: the pool's marginal price (AMM, 0 when
 * empty), the replayed price (REPLAY), or for the BOOK the mid of best bid
 * and ask, else the one side present, else the last trade price, else the
 * configured initial price.
 */
dn_usd_micro dn_market_price(const dn_market *m);

/* What a taker call did, from the taker's side; fees included. */
typedef struct dn_market_result {
	dn_amount base;          /* DNET the taker received (buy) or gave (sell) */
	dn_usd_micro usd_micro;  /* USD the taker paid (buy) or received (sell) */
	dn_usd_micro fee_usd_micro;
	dn_amount fee_base;
	uint32_t fills;
} dn_market_result;

/*
 * Buys DNET for at most budget_usd_micro (fees included), never at a price
 * above limit (0: no limit). BOOK: walks the asks from the best; AMM: the
 * limit bounds the pool's marginal price after the trade; REPLAY: trades
 * only if the replayed price is within the limit. Whatever cannot be
 * bought is not spent (immediate-or-cancel). OUT *res: the taker pays
 * res->usd_micro (fees included) and receives res->base. Fills go to the
 * callback first. Errors: DN_EINVAL (negative budget or limit, limit above
 * DN_MARKET_PRICE_MAX), DN_ERANGE (an amount would overflow: nothing more
 * is traded, *res holds the fills made).
 */
DN_WUR dn_rc dn_market_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro,
                           dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);

/*
 * Sells at most amount_base DNET, never at a price below limit (0: no
 * limit). OUT *res: the taker gives res->base (an AMM's DNET fee
 * included) and receives res->usd_micro (a USD fee already taken off).
 * Errors as dn_market_buy.
 */
DN_WUR dn_rc dn_market_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base,
                            dn_usd_micro limit_usd_micro_per_dnet, dn_market_result *res);

/*
 * BOOK only: posts a resting limit order (post-only, no fee) to buy or sell
 * amount_base DNET at price. The caller locks what the market reports:
 * OUT *lock_usd_micro = ceil(amount * price / 10^8) for a buy (0 for a
 * sell), OUT *lock_base = amount for a sell (0 for a buy); the market then
 * holds it in escrow and pays it out in fills or on cancel. OUT *id.
 * Errors: DN_EINVAL (not a book, price not in 1..DN_MARKET_PRICE_MAX,
 * amount below min_order_base), DN_ERANGE (the order would cross the best
 * opposite price: trade with dn_market_buy/sell instead; or an amount
 * overflows), DN_ELIMIT (order_capacity resting orders already). Nothing
 * changes on failure.
 */
DN_WUR dn_rc dn_market_post(dn_market *m, dn_market_owner owner, bool buy,
                            dn_usd_micro price_usd_micro_per_dnet, dn_amount amount_base,
                            dn_market_order_id *id, dn_usd_micro *lock_usd_micro,
                            dn_amount *lock_base);

/*
 * BOOK only: cancels a resting order of `owner` and returns what is left of
 * its escrow: OUT *refund_usd_micro (buy), *refund_base (sell). DN_EUNKNOWN
 * when no such order rests (filled or cancelled), DN_EINVAL when it belongs
 * to another owner or the market is not a book.
 */
DN_WUR dn_rc dn_market_cancel(dn_market *m, dn_market_owner owner, dn_market_order_id id,
                              dn_usd_micro *refund_usd_micro, dn_amount *refund_base);

/* BOOK: OUT *remaining_base of a resting order; DN_EUNKNOWN if it does not rest. */
DN_WUR dn_rc dn_market_order_remaining(const dn_market *m, dn_market_order_id id,
                                       dn_amount *remaining_base);

/*
 * AMM only: adds liquidity. The first deposit sets the price and mints
 * shares equal to its USD; later deposits take both assets in the pool's
 * ratio (rounded in the pool's favour) and the rest of the offer is not
 * taken. OUT *used_usd_micro, *used_base (what the caller moves into the
 * pool) and *shares (what the caller credits to the provider; the market
 * keeps only the total). DN_EINVAL (negative amounts, not an AMM),
 * DN_ERANGE (nothing would be minted, or an overflow).
 */
DN_WUR dn_rc dn_market_amm_add(dn_market *m, dn_usd_micro usd_micro, dn_amount base,
                               dn_usd_micro *used_usd_micro, dn_amount *used_base,
                               int64_t *shares);
/*
 * AMM only: burns `shares` (the caller checks the provider holds them) and
 * pays out the pro-rata reserves, rounded down. OUT amounts. DN_EINVAL when
 * shares <= 0 or above the total.
 */
DN_WUR dn_rc dn_market_amm_remove(dn_market *m, int64_t shares, dn_usd_micro *usd_micro,
                                  dn_amount *base);

/* Everything the market holds, for conservation checks (OUT *out). */
typedef struct dn_market_holdings {
	dn_usd_micro pool_usd_micro;   /* AMM reserves (AMM fees are inside) */
	dn_amount pool_base;
	int64_t pool_shares;           /* AMM liquidity shares outstanding */
	dn_usd_micro escrow_usd_micro; /* locked by resting buy orders */
	dn_amount escrow_base;         /* locked by resting sell orders */
	dn_usd_micro fees_usd_micro;   /* collected taker fees (BOOK, REPLAY) not yet taken */
	dn_amount fees_base;
	dn_usd_micro outside_usd_micro; /* REPLAY: net USD the outside received (may be < 0) */
	dn_amount outside_base;         /* REPLAY: net DNET the outside received (may be < 0) */
} dn_market_holdings;
void dn_market_holdings_get(const dn_market *m, dn_market_holdings *out);

/* Moves the collected fees out (OUT amounts) for the caller to credit. */
void dn_market_take_fees(dn_market *m, dn_usd_micro *usd_micro, dn_amount *base);

/* Statistics of one interval (one block). */
typedef struct dn_market_stats {
	dn_usd_micro price_usd_micro_per_dnet;      /* dn_market_price at the end */
	dn_usd_micro last_trade_usd_micro_per_dnet; /* price of the last fill ever; 0 if none */
	dn_usd_micro vwap_usd_micro_per_dnet;       /* volume_usd * 10^8 / volume_base; 0 if none */
	dn_amount volume_base;                      /* DNET exchanged (gross) */
	dn_usd_micro volume_usd_micro;              /* USD exchanged (fees excluded) */
	dn_amount taker_bought_base;                /* DNET bought by takers (net buying = this - sold) */
	dn_amount taker_sold_base;
	dn_usd_micro fees_usd_micro;
	dn_amount fees_base;
	uint64_t trades;                            /* fills */
	uint64_t taker_calls;                       /* buy/sell calls that filled something */
	/* liquidity at the end: BOOK best prices (0: side empty) and resting
	 * totals; AMM the reserves, with best bid = ask = marginal price;
	 * REPLAY the replayed price, no depth */
	dn_usd_micro best_bid_usd_micro_per_dnet, best_ask_usd_micro_per_dnet;
	dn_usd_micro depth_usd_micro; /* USD waiting to buy (bid escrow, pool USD) */
	dn_amount depth_base;         /* DNET waiting to be sold (ask escrow, pool DNET) */
	uint32_t bid_orders, ask_orders;
} dn_market_stats;

/* OUT *out: the statistics since the last call (or creation); restarts them. */
void dn_market_stats_take(dn_market *m, dn_market_stats *out);

/*
 * Liquidity near the price: OUT *buy_usd_micro, the USD a taker buy can
 * spend (fees included) before the price passes (1 + band) x reference;
 * OUT *sell_base, the DNET a taker sell can sell before it passes
 * (1 - band) x reference. band_ppm in 1..500000. BOOK: a scan of the
 * resting orders, O(orders); AMM: O(64) steps; REPLAY: unlimited, reported
 * as INT64_MAX. DN_EINVAL on a bad band; DN_ERANGE on overflow.
 */
DN_WUR dn_rc dn_market_depth(const dn_market *m, uint32_t band_ppm, dn_usd_micro *buy_usd_micro,
                             dn_amount *sell_base);

/*
 * Checks every internal invariant (heap order, escrow totals equal the sum
 * over resting orders, slot accounting, positive reserves); O(capacity).
 * DN_OK or DN_EINVAL with a reason in err. For tests and debug runs.
 */
DN_WUR dn_rc dn_market_check(const dn_market *m, char *err, size_t errlen);

/* ------------------------------------------------------------- parameters */

/* The market.* parameter definitions for the registry (static, n of them). */
const dn_param_def *dn_market_params(size_t *n);

typedef struct dn_scenario dn_scenario;

/* What dn_market_from_scenario put into a new pool. */
typedef struct dn_market_seed {
	dn_usd_micro usd_micro;
	dn_amount base;
	int64_t shares;
} dn_market_seed;

/*
 * Builds a market from the market.* parameters of a resolved scenario
 * (the registry must hold dn_market_params). REPLAY: loads
 * market.replay.file into OUT *path, which the caller frees after the
 * market (NULL for other kinds). AMM: when market.amm.initial_usd > 0, the
 * pool starts with that many USD and the DNET worth as much at
 * market.initial_price_usd_micro_per_dnet; OUT *seed says how much and how
 * many shares, so the caller can book them against whoever the scenario
 * says provides the liquidity (both assets enter the simulated world
 * there). BOOK: the initial price is the reference until the first trade.
 * On failure nothing is returned (*out and *path NULL), err says why
 * (a path error names file:line): DN_EIO, DN_EPARSE, DN_ELIMIT, DN_EINVAL
 * (an empty replay file name), DN_ERANGE (the seed overflows), DN_ENOMEM.
 */
DN_WUR dn_rc dn_market_from_scenario(const dn_scenario *s, dn_market_fill_fn on_fill, void *ctx,
                                     dn_market **out, dn_market_path **path, dn_market_seed *seed,
                                     char *err, size_t errlen);

/*
 * The same, with the AMM pool's starting liquidity scaled by the exact
 * fraction share_num / share_den (0 < num <= den): a world that is a slice
 * of a larger network gets its share of the exchange's depth, at the same
 * initial price.
 */
DN_WUR dn_rc dn_market_from_scenario_share(const dn_scenario *s, dn_market_fill_fn on_fill, void *ctx,
                                           uint64_t share_num, uint64_t share_den, dn_market **out,
                                           dn_market_path **path, dn_market_seed *seed, char *err,
                                           size_t errlen);

#endif
