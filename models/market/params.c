/*
 * params.c: the scenario parameters of the market (market.*), for the
 * registry. Only declarations: the code that builds a market from a
 * scenario reads them and fills a dn_market_cfg (docs/market.md).
 */
#include "dn_market.h"

static const dn_param_def market_params[] = {
	{"market.kind", DN_PT_ENUM, "", "amm", 0, 0, "amm|book|replay",
	 "DNET/USD exchange: constant-product pool, limit order book, or replayed price path"},
	{"market.fee_ppm", DN_PT_INT, "ppm", "3000", 0, 100000, NULL,
	 "taker fee (amm: stays in the pool for liquidity providers; book, replay: fee account)"},
	{"market.initial_price_usd_micro_per_dnet", DN_PT_INT, "micro-USD/DNET", "62500", 1, 1e15, NULL,
	 "starting price: sets the pool (amm), the reference before any trade (book) (white paper: 0.0625 USD per DNET)"},
	{"market.amm.initial_usd", DN_PT_INT, "USD", "1000000", 0, 1e12, NULL,
	 "USD side of the pool at the start; the DNET side is worth the same at the starting price"},
	{"market.book.capacity", DN_PT_INT, "orders", "1048576", 16, 2147483648.0, NULL,
	 "resting orders the book can hold (memory fixed at start, 108 bytes each)"},
	{"market.book.min_order_base", DN_PT_INT, "base units", "100000", 1, 1e15, NULL,
	 "smallest order that may rest in the book"},
	{"market.replay.file", DN_PT_STRING, "", "", 0, 4096, NULL,
	 "CSV price path (time_s,price_usd) for market.kind replay"},
	{"market.replay.interpolate", DN_PT_ENUM, "", "linear", 0, 0, "step|linear",
	 "price between two points of the path: the earlier point's, or the straight line"},
	{"market.replay.max_points", DN_PT_INT, "points", "10000000", 1, 1e9, NULL,
	 "largest price path accepted"},
	{"market.depth_band_ppm", DN_PT_INT, "ppm", "20000", 1, 500000, NULL,
	 "band around the price for the recorded depth (liquidity within +/- this share)"},
};

const dn_param_def *dn_market_params(size_t *n)
{
	*n = sizeof market_params / sizeof market_params[0];
	return market_params;
}
