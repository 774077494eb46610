/*
 * from_scenario.c: a market built from a scenario's market.* parameters
 * (params.c): the configuration, the replay path file and the pool's
 * starting liquidity. Only glue: every rule lives in the other files.
 */
#include <stdio.h>
#include <string.h>

#include "market_int.h"
#include "scenario.h"

dn_rc dn_market_from_scenario(const dn_scenario *s, dn_market_fill_fn on_fill, void *ctx,
                              dn_market **out, dn_market_path **path, dn_market_seed *seed,
                              char *err, size_t errlen)
{
	return dn_market_from_scenario_share(s, on_fill, ctx, 1, 1, out, path, seed, err, errlen);
}

dn_rc dn_market_from_scenario_share(const dn_scenario *s, dn_market_fill_fn on_fill, void *ctx,
                                    uint64_t share_num, uint64_t share_den, dn_market **out,
                                    dn_market_path **path, dn_market_seed *seed, char *err, size_t errlen)
{
	*out = NULL;
	*path = NULL;
	memset(seed, 0, sizeof *seed);
	if (errlen)
		err[0] = '\0';
	const char *kind = dn_scn_str(s, "market.kind");
	dn_market_cfg cfg = {
		.kind = strcmp(kind, "book") == 0     ? DN_MARKET_BOOK
		        : strcmp(kind, "replay") == 0 ? DN_MARKET_REPLAY
		                                      : DN_MARKET_AMM,
		.fee_ppm = (uint32_t)dn_scn_int(s, "market.fee_ppm"),
		.order_capacity = (uint32_t)dn_scn_int(s, "market.book.capacity"),
		.min_order_base = dn_scn_int(s, "market.book.min_order_base"),
		.initial_price_usd_micro_per_dnet = dn_scn_int(s, "market.initial_price_usd_micro_per_dnet"),
		.interp = strcmp(dn_scn_str(s, "market.replay.interpolate"), "step") == 0 ? DN_MARKET_STEP
		                                                                         : DN_MARKET_LINEAR,
		.on_fill = on_fill,
		.fill_ctx = ctx,
	};
	dn_market_path *p = NULL;
	dn_rc rc;
	if (cfg.kind == DN_MARKET_REPLAY) {
		const char *file = dn_scn_str(s, "market.replay.file");
		if (!file[0]) {
			snprintf(err, errlen, "market.kind is replay but market.replay.file is empty");
			return DN_EINVAL;
		}
		rc = dn_market_path_load(file, (size_t)dn_scn_int(s, "market.replay.max_points"), &p, err,
		                         errlen);
		if (rc)
			return rc;
		cfg.path = p;
	}
	dn_market *m;
	rc = dn_market_create(&cfg, &m);
	if (rc) {
		snprintf(err, errlen, "market: %s", dn_rc_str(rc));
		dn_market_path_free(p);
		return rc;
	}
	int64_t usd = dn_scn_int(s, "market.amm.initial_usd");
	if (cfg.kind == DN_MARKET_AMM && usd > 0) {
		/* usd <= 10^12 (its range), so the micro-USD fit; the DNET may not */
		dnc_u128 usd_micro = (dnc_u128)(uint64_t)usd * DN_MARKET_USD_MICRO_PER_USD;
		if (share_den > 0 && share_num < share_den)
			usd_micro = usd_micro * share_num / share_den;
		dnc_u128 base = usd_micro * MKT_BASE_PER_DNET / (uint64_t)cfg.initial_price_usd_micro_per_dnet;
		if (base == 0 || base > (dnc_u128)INT64_MAX) {
			snprintf(err, errlen, "market.amm.initial_usd: %lld USD at the initial price is not a "
			         "DNET amount that fits", (long long)usd);
			dn_market_free(m);
			return DN_ERANGE;
		}
		rc = dn_market_amm_add(m, (dn_usd_micro)usd_micro, (dn_amount)base, &seed->usd_micro,
		                       &seed->base, &seed->shares);
		if (rc) {
			snprintf(err, errlen, "market: seeding the pool: %s", dn_rc_str(rc));
			dn_market_free(m);
			return rc;
		}
	}
	*out = m;
	*path = p;
	return DN_OK;
}
