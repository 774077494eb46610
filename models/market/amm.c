/*
 * amm.c: the constant-product pool (DN_MARKET_AMM). Reserves are X micro-
 * USD and Y base units; the marginal price is X * 10^8 / Y micro-USD per
 * DNET. A swap takes the fee off its input, prices the rest on the curve
 * (output = floor(reserve_out * in / (reserve_in + in)), so the product of
 * the reserves never falls) and keeps the whole input, fee included, in
 * the pool: the fee is the liquidity providers' income. A price limit is
 * met exactly by bisection on the input (at most 64 steps), since the
 * price after a swap grows monotonically with the input.
 */
#include "market_int.h"

/* The constant product X * Y (each below 2^63, so it fits). */
static dnc_u128 pool_k(const dn_market *m)
{
	return (dnc_u128)(uint64_t)m->pool_usd_micro * (uint64_t)m->pool_base;
}

/* A pool with shares holds both assets (and one without holds neither). */
static bool pool_ok(const dn_market *m)
{
	return m->pool_shares >= 0 && m->pool_usd_micro >= 0 && m->pool_base >= 0 &&
	       (m->pool_shares > 0) == (m->pool_usd_micro > 0 && m->pool_base > 0) &&
	       (m->pool_shares > 0 || (m->pool_usd_micro == 0 && m->pool_base == 0));
}

dn_usd_micro mkt_amm_price(const dn_market *m)
{
	if (m->pool_base <= 0)
		return 0;
	dnc_u128 p = (dnc_u128)(uint64_t)m->pool_usd_micro * MKT_BASE_PER_DNET / (uint64_t)m->pool_base;
	return p > (dnc_u128)INT64_MAX ? INT64_MAX : (dn_usd_micro)p;
}

/* A buy of u micro-USD gross: OUT fee and DNET out. X + u fits (checked). */
static void buy_quote(const dn_market *m, int64_t u, int64_t *fee, dn_amount *out_base)
{
	int64_t in = u - mkt_fee(u, m->cfg.fee_ppm);
	*fee = u - in;
	*out_base = (dn_amount)((dnc_u128)(uint64_t)m->pool_base * (uint64_t)in /
	                        ((uint64_t)m->pool_usd_micro + (uint64_t)in));
}

/* A sell of b base units gross: OUT fee (base) and USD out. Y + b fits. */
static void sell_quote(const dn_market *m, int64_t b, int64_t *fee, dn_usd_micro *out_usd)
{
	int64_t in = b - mkt_fee(b, m->cfg.fee_ppm);
	*fee = b - in;
	*out_usd = (dn_usd_micro)((dnc_u128)(uint64_t)m->pool_usd_micro * (uint64_t)in /
	                          ((uint64_t)m->pool_base + (uint64_t)in));
}

/* Is the pool's price after buying for u at most limit? */
static bool buy_within(const dn_market *m, int64_t u, dn_usd_micro limit)
{
	int64_t fee;
	dn_amount out;
	buy_quote(m, u, &fee, &out);
	return (dnc_u128)(uint64_t)(m->pool_usd_micro + u) * MKT_BASE_PER_DNET <=
	       (dnc_u128)(uint64_t)limit * (uint64_t)(m->pool_base - out);
}

/* Is the pool's price after selling b at least limit? */
static bool sell_within(const dn_market *m, int64_t b, dn_usd_micro limit)
{
	int64_t fee;
	dn_usd_micro out;
	sell_quote(m, b, &fee, &out);
	return (dnc_u128)(uint64_t)(m->pool_usd_micro - out) * MKT_BASE_PER_DNET >=
	       (dnc_u128)(uint64_t)limit * (uint64_t)(m->pool_base + b);
}

/*
 * The largest x in [0, hi] with within(x) true, given that within is
 * monotone (true then false); -1 when within(0) is false. 64 steps at most.
 */
static int64_t bisect(const dn_market *m, int64_t hi, dn_usd_micro limit,
                      bool (*within)(const dn_market *, int64_t, dn_usd_micro))
{
	if (!within(m, 0, limit))
		return -1;
	if (within(m, hi, limit))
		return hi;
	assert(hi > 0); /* within(0) true, within(hi) false */
	int64_t lo = 0; /* within(lo) true, within(hi) false */
	for (int i = 0; i < 64 && hi - lo > 1; i++) {
		int64_t mid = lo + (hi - lo) / 2;
		if (within(m, mid, limit))
			lo = mid;
		else
			hi = mid;
	}
	assert(hi - lo == 1);
	return lo;
}

dn_rc mkt_amm_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro, dn_usd_micro limit_usd_micro_per_dnet,
                  dn_market_result *res)
{
	if (m->pool_shares == 0)
		return DN_OK; /* no liquidity: nothing trades */
	if (budget_usd_micro > INT64_MAX - m->pool_usd_micro)
		return DN_ERANGE;
	int64_t u = budget_usd_micro;
	if (limit_usd_micro_per_dnet > 0) {
		u = bisect(m, budget_usd_micro, limit_usd_micro_per_dnet, buy_within);
		if (u <= 0)
			return DN_OK;
	}
	int64_t fee;
	dn_amount out;
	buy_quote(m, u, &fee, &out);
	if (out <= 0)
		return DN_OK; /* too small to buy a base unit: nothing is spent */
	assert(out < m->pool_base && fee >= 0 && fee <= u);
	dn_market_fill f = {
		.maker = DN_MARKET_OWNER_POOL, .taker = taker, .taker_buys = true, .base = out,
		.usd_micro = u - fee, .fee_usd_micro = fee,
	};
	dn_rc rc = mkt_fill_fits(m, &f);
	if (rc)
		return rc;
	const dnc_u128 k0 = pool_k(m);
	m->pool_usd_micro += u;
	m->pool_base -= out;
	/* x * y = k never falls on a swap (output rounds down, the fee stays),
	 * and neither reserve runs dry */
	assert(m->pool_base > 0 && m->pool_usd_micro > 0 && pool_k(m) >= k0);
	(void)k0;
	f.price_usd_micro_per_dnet = mkt_amm_price(m);
	res->base = out;
	res->usd_micro = u;
	res->fee_usd_micro = fee;
	res->fills = 1;
	mkt_record_fill(m, &f);
	return DN_OK;
}

dn_rc mkt_amm_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base, dn_usd_micro limit_usd_micro_per_dnet,
                   dn_market_result *res)
{
	if (m->pool_shares == 0)
		return DN_OK;
	if (amount_base > INT64_MAX - m->pool_base)
		return DN_ERANGE;
	int64_t b = amount_base;
	if (limit_usd_micro_per_dnet > 0) {
		b = bisect(m, amount_base, limit_usd_micro_per_dnet, sell_within);
		if (b <= 0)
			return DN_OK;
	}
	int64_t fee;
	dn_usd_micro out;
	sell_quote(m, b, &fee, &out);
	if (out <= 0)
		return DN_OK;
	assert(out < m->pool_usd_micro && fee >= 0 && fee <= b);
	dn_market_fill f = {
		.maker = DN_MARKET_OWNER_POOL, .taker = taker, .taker_buys = false, .base = b,
		.usd_micro = out, .fee_base = fee,
	};
	dn_rc rc = mkt_fill_fits(m, &f);
	if (rc)
		return rc;
	const dnc_u128 k0 = pool_k(m);
	m->pool_usd_micro -= out;
	m->pool_base += b;
	assert(m->pool_base > 0 && m->pool_usd_micro > 0 && pool_k(m) >= k0);
	(void)k0;
	f.price_usd_micro_per_dnet = mkt_amm_price(m);
	res->base = b;
	res->usd_micro = out;
	res->fee_base = fee;
	res->fills = 1;
	mkt_record_fill(m, &f);
	return DN_OK;
}

dn_rc mkt_amm_depth(const dn_market *m, uint32_t band_ppm, dn_usd_micro *buy_usd_micro,
                    dn_amount *sell_base)
{
	if (m->pool_shares == 0)
		return DN_OK;
	dnc_u128 ref = (dnc_u128)(uint64_t)mkt_amm_price(m);
	dnc_u128 up = ref * (MKT_PPM + band_ppm) / MKT_PPM;
	dnc_u128 down = ref * (MKT_PPM - band_ppm) / MKT_PPM;
	if (up > (dnc_u128)DN_MARKET_PRICE_MAX || down == 0)
		return DN_ERANGE;
	/* Half a band of 50 % needs well under twice the reserve, whatever the fee. */
	int64_t hi_usd = m->pool_usd_micro > (INT64_MAX - m->pool_usd_micro) / 2 ? INT64_MAX - m->pool_usd_micro
	                                                               : 2 * m->pool_usd_micro;
	int64_t hi_base = m->pool_base > (INT64_MAX - m->pool_base) / 2 ? INT64_MAX - m->pool_base
	                                                                 : 2 * m->pool_base;
	int64_t u = bisect(m, hi_usd, (dn_usd_micro)up, buy_within);
	int64_t b = bisect(m, hi_base, (dn_usd_micro)down, sell_within);
	*buy_usd_micro = u < 0 ? 0 : u;
	*sell_base = b < 0 ? 0 : b;
	return DN_OK;
}

dn_rc dn_market_amm_add(dn_market *m, dn_usd_micro usd_micro, dn_amount base,
                        dn_usd_micro *used_usd_micro, dn_amount *used_base, int64_t *shares)
{
	*used_usd_micro = 0;
	*used_base = 0;
	*shares = 0;
	if (m->cfg.kind != DN_MARKET_AMM || usd_micro < 0 || base < 0)
		return DN_EINVAL;
	int64_t sh, uu, ub;
	if (m->pool_shares == 0) {
		if (usd_micro == 0 || base == 0)
			return DN_ERANGE;
		sh = usd_micro; /* first deposit: one share per micro-USD */
		uu = usd_micro;
		ub = base;
	} else {
		dnc_u128 S = (uint64_t)m->pool_shares, X = (uint64_t)m->pool_usd_micro,
			 Y = (uint64_t)m->pool_base;
		dnc_u128 s1 = (dnc_u128)(uint64_t)usd_micro * S / X;
		dnc_u128 s2 = (dnc_u128)(uint64_t)base * S / Y;
		dnc_u128 s = s1 < s2 ? s1 : s2;
		if (s == 0 || s > (dnc_u128)INT64_MAX)
			return DN_ERANGE;
		sh = (int64_t)s;
		/* ceil: the existing providers never lose to rounding */
		uu = (int64_t)((s * X + S - 1) / S);
		ub = (int64_t)((s * Y + S - 1) / S);
		assert(uu <= usd_micro && ub <= base);
	}
	int64_t t;
	if (__builtin_add_overflow(m->pool_usd_micro, uu, &t) || __builtin_add_overflow(m->pool_base, ub, &t) ||
	    __builtin_add_overflow(m->pool_shares, sh, &t))
		return DN_ERANGE;
	m->pool_usd_micro += uu;
	m->pool_base += ub;
	m->pool_shares += sh;
	assert(sh > 0 && uu > 0 && ub > 0 && pool_ok(m)); /* a deposit adds to both reserves */
	*used_usd_micro = uu;
	*used_base = ub;
	*shares = sh;
	return DN_OK;
}

dn_rc dn_market_amm_remove(dn_market *m, int64_t shares, dn_usd_micro *usd_micro, dn_amount *base)
{
	*usd_micro = 0;
	*base = 0;
	if (m->cfg.kind != DN_MARKET_AMM || shares <= 0 || shares > m->pool_shares)
		return DN_EINVAL;
	dnc_u128 S = (uint64_t)m->pool_shares;
	int64_t u = (int64_t)((dnc_u128)(uint64_t)shares * (uint64_t)m->pool_usd_micro / S);
	int64_t b = (int64_t)((dnc_u128)(uint64_t)shares * (uint64_t)m->pool_base / S);
	m->pool_usd_micro -= u;
	m->pool_base -= b;
	m->pool_shares -= shares;
	/* a provider takes at most a proportional part, so what stays keeps
	 * both assets while shares remain, and nothing when none do */
	assert(u >= 0 && b >= 0 && pool_ok(m));
	*usd_micro = u;
	*base = b;
	return DN_OK;
}
