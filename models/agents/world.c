/*
 * world.c: the DNET world model as the engine sees it: its table
 * (dn_model_world), set-up and tear-down in order, the series it records
 * at every block, the fingerprint over them, and the run's summary. What
 * happens in between is the actors' (docs/agents.md, "Code layout"): the tiles
 * run world_tile.c's handlers, the block step is world_block.c.
 */
#include "world.h"

#include <assert.h>

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"

/* ---- set-up ---- */

/* The tiles' grid and the area they cover. */
static dn_rc lay_out_tiles(world *W)
{
	world_cfg *C = &W->cfg;
	C->tiles_x = (uint32_t)ceil(sqrt((double)C->nparts));
	C->tiles_y = (C->nparts + C->tiles_x - 1) / C->tiles_x;
	if (C->line)
		C->area_m = fmax(C->area_m, C->line_spacing_m * (double)C->n + 2.0);
	if (C->area_m * 100.0 >= (double)DN_SPATIAL_COORD_LIMIT_CM) {
		dn_world_set_error(W->w, "world.area_km is beyond the spatial index's coordinate limit");
		return DN_ERANGE;
	}
	return DN_OK;
}

/* Prices at the market's opening price, the block step's vectors, the
 * metrics and the Gini structure. */
static dn_rc start_state(world *W)
{
	const world_cfg *C = &W->cfg;
	W->mk.price_usd_micro = W->mk.price_prev_usd_micro = W->mk.price_avg_usd_micro = dn_market_price(W->mk.mkt);
	for (uint64_t a = 0; a < C->n; a++)
		if (W->ag.role[a] & W_SHARER) {
			W->ag.price_base[a] = w_unit_price(W, W->ag.price_usd_gb[a]);
			if (w_cheap_sharer(W, (uint32_t)a) && C->attack_start_ns <= 0)
				w_attack_price(W, (uint32_t)a); /* attack.kind cheap from the start */
		}
	W->mp.pool.size = W->mp.next_pool.size = W->mp.admin_q.size = W->mp.sorted.size = sizeof(wtx);
	W->fk.txs.size = sizeof(wtx);
	W->fk.blocks.size = sizeof(wblock);
	for (int i = 0; i < 8; i++) {
		W->mp.conf[i].size = sizeof(dn_time_ns);
		W->mp.conf_open[i].size = sizeof(w_open_conf);
	}
	dn_metrics_config mc = dn_metrics_config_default();
	/* a transaction is late when it is confirmed more than two blocks
	 * after the `confirmations` blocks it has to wait for anyway */
	mc.confirm_limit_ns = (dn_time_ns)(C->cp.confirmations + 2) * C->block_ns;
	dn_rc rc = dn_metrics_init(&W->rec.met, &mc);
	if (!rc)
		rc = dn_metrics_part_init(&W->rec.blockm, &mc);
	/* R-CHAIN-5: the three latencies count violations of the same bound */
	for (int k = 0; k < 3 && !rc; k++) {
		rc = dn_hist_init(&W->rec.ttfb[k], mc.service_limit_ns);
		if (!rc)
			rc = dn_hist_init(&W->rec.ttfb_run[k], mc.service_limit_ns);
	}
	if (rc)
		return rc;
	/* rules §9: each candidate's income against its running cost */
	world_delegates *D = &W->dl;
	D->cand_income_base = calloc(C->candidates, sizeof *D->cand_income_base);
	D->cand_income_usd = calloc(C->candidates, sizeof *D->cand_income_usd);
	D->cand_cost_usd_micro = calloc(C->candidates, sizeof *D->cand_cost_usd_micro);
	D->cand_scratch = calloc(C->candidates, sizeof *D->cand_scratch);
	if (!D->cand_income_base || !D->cand_income_usd || !D->cand_cost_usd_micro || !D->cand_scratch) {
		dn_world_set_error(W->w, "cannot allocate the candidates' income for %u candidates", C->candidates);
		return DN_ENOMEM;
	}
	uint64_t cap = C->n / 4 + 100000;
	if (cap > C->n)
		cap = C->n;
	rc = dn_gini_init(&W->rec.gini, W->ag.ranked_base, C->n, cap);
	if (rc)
		dn_world_set_error(W->w, "cannot allocate the Gini structure for %" PRIu64 " agents", C->n);
	return rc;
}

static dn_rc world_init(dn_world *w, const dn_scenario *s)
{
	world *W = dn_world_model(w);
	world_cfg *C = &W->cfg;
	W->w = w;
	C->seed = dn_world_seed(w);
	C->nparts = dn_world_nparts(w);
	C->end_ns = dn_world_end(w);
	w_gov_init(W);
	dn_rc rc = w_read_params(W, s);
	if (!rc)
		rc = w_derive_radio(W, s);
	if (!rc)
		rc = lay_out_tiles(W);
	if (rc)
		return rc;
	/* No event crosses tiles: everything between tiles goes through the
	 * block step. The lookahead is one block. */
	dn_world_set_lookahead(w, C->block_ns);
	C->cache_keys = w_caches_keys(C->n, C->keyed_sigs);
	W->ch.keyed_precheck_min = W_KEYED_PRECHECK_MIN;
	rc = w_make_population(W, s);
	if (!rc)
		rc = w_make_genesis(W, s);
	if (!rc)
		rc = start_state(W);
	if (!rc)
		rc = w_content_init(W, s);
	return rc;
}

static dn_rc world_part_init(dn_part *p)
{
	return w_part_start(p);
}

/* ---- recording ---- */

/* Series beyond the rules §9 set of dn_metrics. */
enum {
	S_PRICE, S_VOLUME, S_BLOCKS, S_MISSED, S_TXS, S_TXFAIL, S_SHARERS, S_ACTIVE_SESS, S_RELAYED,
	S_RATE, S_REMATCH, S_SITES, S_NOMATCH, S_EXPENSIVE, S_NOFUNDS, S_DEL_INCOME, S_DEL_COST,
	S_TRAFFIC_SEATS, S_CONTENT_SALES, S_CONTENT_FWD, S_USD_PRICE_GB, S_FORK_BLOCKS, S_UNITS, S_DELAY, S_RETRACT, S_CHAIN_BYTES, S_LOSS,
	/* Series after these are derived from the ones before and the state
	 * they already hash: they stay out of the fingerprint, so adding a
	 * measurement leaves every run's fingerprint as it was. */
	S_FP_COUNT,
	S_TTFB_N = S_FP_COUNT, S_TTFB_G50, S_TTFB_G99, S_TTFB_GMAX, S_TTFB_I50, S_TTFB_I99, S_TTFB_IMAX,
	S_TTFB_F50, S_TTFB_F99, S_TTFB_FMAX,
	S_TX_FEES, S_TX_FEES_CUM, S_COMM_FEES, S_COMM_FEES_CUM,
	S_DEL_INC, S_DEL_INC_STAKE, S_DEL_INC_TRAFFIC, S_DEL_INC_STAKE_CUM, S_DEL_INC_TRAFFIC_CUM,
	S_DEL_P10, S_DEL_P50, S_DEL_P90, S_DEL_COVER_DAY, S_DEL_COVER_NOW,
	S_GOV_PASSED, S_GOV_FAILED, S_NOW_LAMBDA, S_NOW_FEE, S_NOW_PRODUCER, S_EMIT_END, S_REWARD,
	S_TEAM_LOCKED, S_STAKED,
	S_COUNT
};
_Static_assert(S_COUNT <= 64, "world_record.series holds 64");

static const struct { const char *name; dn_value_type vt; const char *units; const char *doc; } extra[S_COUNT] = {
	[S_GOV_PASSED] = {"gov_passed", DN_VT_I64, "1", "governance votes passed so far (R-GOV-1; the scheduled changes, gov.change*)"},
	[S_GOV_FAILED] = {"gov_failed", DN_VT_I64, "1", "governance votes failed so far (R-GOV-1)"},
	[S_NOW_LAMBDA] = {"lambda_now", DN_VT_F64, "1", "lambda in force on the chain (R-CONS-2; governance may change it)"},
	[S_NOW_FEE] = {"community_fee_now", DN_VT_F64, "1", "community fee in force on the chain (R-FEE-2)"},
	[S_NOW_PRODUCER] = {"producer_share_now", DN_VT_F64, "1", "producer's share in force on the chain (R-EMIT-3)"},
	[S_EMIT_END] = {"emission_end_height", DN_VT_I64, "blocks", "first height with no block reward in force (R-EMIT-1, R-EMIT-4)"},
	[S_TEAM_LOCKED] = {"team_locked_dnet", DN_VT_F64, "DNET", "team allocation still locked (R-LOCK-1: released monthly after the cliff)"},
	[S_STAKED] = {"staked_dnet", DN_VT_F64, "DNET", "DNET staked to delegates' pools (R-CONS-5)"},
	[S_REWARD] = {"block_reward_dnet", DN_VT_F64, "DNET", "minted by the block (R-EMIT-1; 0 for a missed slot)"},
	[S_PRICE] = {"dnet_price", DN_VT_F64, "USD/DNET", "DNET price on the exchange at the block"},
	[S_VOLUME] = {"exchange_volume", DN_VT_F64, "DNET", "DNET traded on the exchange in the block"},
	[S_BLOCKS] = {"blocks", DN_VT_I64, "blocks", "blocks on the chain"},
	[S_MISSED] = {"missed_slots", DN_VT_I64, "slots", "slots missed so far (producer offline or cut off, R-CONS-6)"},
	[S_TXS] = {"transactions", DN_VT_I64, "1", "transactions applied in the block"},
	[S_TXFAIL] = {"transactions_rejected", DN_VT_I64, "1", "transactions rejected in the block (reason codes in the summary)"},
	[S_SHARERS] = {"sharers_online", DN_VT_I64, "1", "sharers online and sharing"},
	[S_ACTIVE_SESS] = {"sessions_active", DN_VT_I64, "1", "sessions being served"},
	[S_RELAYED] = {"sessions_relayed", DN_VT_I64, "1", "sessions opened over ad hoc relay paths in the block"},
	[S_RATE] = {"session_rate_mbps", DN_VT_F64, "Mbit/s", "mean throughput of sessions started in the block"},
	[S_REMATCH] = {"rematches", DN_VT_I64, "1", "re-matches after a degraded or lost link (R-CRED-3)"},
	[S_SITES] = {"sites_rented", DN_VT_I64, "1", "micro sites rented by operators (R-RENT-1)"},
	[S_NOMATCH] = {"requests_unmatched", DN_VT_I64, "1", "requests with nobody reachable with capacity"},
	[S_EXPENSIVE] = {"requests_too_expensive", DN_VT_I64, "1", "requests refused: cheapest offer above the consumer's price"},
	[S_NOFUNDS] = {"requests_no_funds", DN_VT_I64, "1", "requests waiting for DNET bought on the exchange"},
	[S_DEL_INCOME] = {"delegate_income_usd", DN_VT_F64, "USD", "delegates' block income at the market price, cumulative"},
	[S_DEL_COST] = {"delegate_cost_usd", DN_VT_F64, "USD", "delegates' running cost, cumulative"},
	[S_TRAFFIC_SEATS] = {"traffic_seats", DN_VT_I64, "seats", "seats held through traffic (R-CONS-3)"},
	[S_CONTENT_SALES] = {"content_sales", DN_VT_I64, "1", "content purchases paid in the block (R-FWD)"},
	[S_CONTENT_FWD] = {"content_forwarded", DN_VT_I64, "1", "content sales with middlemen in the block"},
	[S_USD_PRICE_GB] = {"service_price_usd_gb", DN_VT_F64, "USD/GB", "mean price paid per GB in the block, at the market price"},
	[S_FORK_BLOCKS] = {"fork_blocks_dropped", DN_VT_I64, "blocks", "blocks on abandoned forks so far (R-CHAIN-4)"},
	[S_UNITS] = {"traffic_units", DN_VT_I64, "units", "traffic units delivered in the block"},
	[S_LOSS] = {"session_loss", DN_VT_F64, "1", "mean packet loss of the paths of sessions started in the block (access link and Wi-Fi hops)"},
	[S_RETRACT] = {"admin_retracted_dnet", DN_VT_F64, "DNET", "DNET retracted by the foundation so far (R-ADMIN-1)"},
	[S_CHAIN_BYTES] = {"chain_bytes", DN_VT_I64, "bytes", "encoded size of the chain so far (headers and transactions), what a data service node stores"},
	[S_DELAY] = {"session_delay_ms", DN_VT_F64, "ms", "mean one-way path delay (access link + radio hops) of sessions started in the block"},
	[S_TTFB_N] = {"ttfb_purchases", DN_VT_I64, "purchases", "R-CHAIN-5 session opens final in the block: the samples of the three ttfb_* latencies"},
	[S_TTFB_G50] = {"ttfb_grace_p50_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte served on grace units before the deposit is on chain (R-CRED-5), median of the opens final in the block (-1 if none)"},
	[S_TTFB_G99] = {"ttfb_grace_p99_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte on grace units (R-CRED-5), 99th percentile (-1 if none)"},
	[S_TTFB_GMAX] = {"ttfb_grace_max_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte on grace units (R-CRED-5), maximum (-1 if none)"},
	[S_TTFB_I50] = {"ttfb_inclusion_p50_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte if the distributor waits for the open's first inclusion in a block (what service_latency_* measure), median (-1 if none)"},
	[S_TTFB_I99] = {"ttfb_inclusion_p99_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte after the open's inclusion, 99th percentile (-1 if none)"},
	[S_TTFB_IMAX] = {"ttfb_inclusion_max_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte after the open's inclusion, maximum (-1 if none)"},
	[S_TTFB_F50] = {"ttfb_final_p50_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte if the distributor waits for finality (inclusion + chain.confirmations blocks, R-CHAIN-3), median (-1 if none)"},
	[S_TTFB_F99] = {"ttfb_final_p99_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte after finality, 99th percentile (-1 if none)"},
	[S_TTFB_FMAX] = {"ttfb_final_max_ns", DN_VT_I64, "ns", "R-CHAIN-5 request to first byte after finality, maximum (-1 if none)"},
	[S_TX_FEES] = {"tx_fees_base", DN_VT_I64, "base units", "R-FEE-1 transaction fees paid by the transactions applied in the block"},
	[S_TX_FEES_CUM] = {"tx_fees_cum_base", DN_VT_I64, "base units", "R-FEE-1 transaction fees paid so far"},
	[S_COMM_FEES] = {"community_fees_base", DN_VT_I64, "base units", "R-FEE-2 community fees on the payments applied in the block"},
	[S_COMM_FEES_CUM] = {"community_fees_cum_base", DN_VT_I64, "base units", "R-FEE-2 community fees so far"},
	[S_DEL_INC] = {"delegate_income_base", DN_VT_I64, "base units", "rules §9 delegates' income from the block (R-EMIT-3 reward, R-FEE-1 10 %), all seats"},
	[S_DEL_INC_STAKE] = {"delegate_income_stake_base", DN_VT_I64, "base units", "rules §9 of it, what stake seats earned (R-CONS-5)"},
	[S_DEL_INC_TRAFFIC] = {"delegate_income_traffic_base", DN_VT_I64, "base units", "rules §9 of it, what traffic seats (volume and quality) earned (R-CONS-3)"},
	[S_DEL_INC_STAKE_CUM] = {"delegate_income_stake_cum_base", DN_VT_I64, "base units", "rules §9 stake seats' income so far (R-CONS-5)"},
	[S_DEL_INC_TRAFFIC_CUM] = {"delegate_income_traffic_cum_base", DN_VT_I64, "base units", "rules §9 traffic seats' income so far (R-CONS-3)"},
	[S_DEL_P10] = {"candidate_income_p10_dnet", DN_VT_F64, "DNET", "rules §9 10th percentile over the candidates of each one's seat income so far"},
	[S_DEL_P50] = {"candidate_income_p50_dnet", DN_VT_F64, "DNET", "rules §9 median over the candidates of each one's seat income so far"},
	[S_DEL_P90] = {"candidate_income_p90_dnet", DN_VT_F64, "DNET", "rules §9 90th percentile over the candidates of each one's seat income so far"},
	[S_DEL_COVER_DAY] = {"candidates_covering_cost_day_price", DN_VT_F64, "1", "rules §9 share of the candidates that paid running cost whose income, each block's at that block's price, covers it (NaN if none paid)"},
	[S_DEL_COVER_NOW] = {"candidates_covering_cost_today_price", DN_VT_F64, "1", "rules §9 share of the candidates that paid running cost whose income so far at the block's price covers it (NaN if none paid)"},
};

/* How each world series aggregates the blocks of its group's interval
 * (record.*): W_K_SUM adds the blocks' values, W_K_LAST keeps the last
 * block's, W_K_MEAN divides the interval's sums (rate, loss, delay, price
 * per GB: over the sessions or bytes of the interval), W_K_HIST takes the
 * quantiles of the histogram merged over the interval, W_K_AT is computed
 * at the write only (a pass over the candidates). The first three also
 * get <name>_min and <name>_max over the blocks when the interval is
 * longer than a block. */
enum { W_K_SUM, W_K_LAST, W_K_MEAN, W_K_HIST, W_K_AT };
enum { G_SVC = DN_METRICS_GROUP_SERVICE, G_ECO = DN_METRICS_GROUP_ECONOMY, G_CHN = DN_METRICS_GROUP_CHAIN };
static const struct { uint8_t group, kind; } agg_of[S_COUNT] = {
	[S_PRICE] = {G_ECO, W_K_LAST}, [S_VOLUME] = {G_ECO, W_K_SUM}, [S_BLOCKS] = {G_CHN, W_K_LAST},
	[S_MISSED] = {G_CHN, W_K_LAST}, [S_TXS] = {G_CHN, W_K_SUM}, [S_TXFAIL] = {G_CHN, W_K_SUM},
	[S_SHARERS] = {G_SVC, W_K_LAST}, [S_ACTIVE_SESS] = {G_SVC, W_K_LAST}, [S_RELAYED] = {G_SVC, W_K_SUM},
	[S_RATE] = {G_SVC, W_K_MEAN}, [S_REMATCH] = {G_SVC, W_K_SUM}, [S_SITES] = {G_ECO, W_K_LAST},
	[S_NOMATCH] = {G_SVC, W_K_SUM}, [S_EXPENSIVE] = {G_SVC, W_K_SUM}, [S_NOFUNDS] = {G_SVC, W_K_SUM},
	[S_DEL_INCOME] = {G_ECO, W_K_LAST}, [S_DEL_COST] = {G_ECO, W_K_LAST}, [S_TRAFFIC_SEATS] = {G_CHN, W_K_LAST},
	[S_CONTENT_SALES] = {G_ECO, W_K_SUM}, [S_CONTENT_FWD] = {G_ECO, W_K_SUM}, [S_USD_PRICE_GB] = {G_SVC, W_K_MEAN},
	[S_FORK_BLOCKS] = {G_CHN, W_K_LAST}, [S_UNITS] = {G_SVC, W_K_SUM}, [S_DELAY] = {G_SVC, W_K_MEAN},
	[S_RETRACT] = {G_ECO, W_K_LAST}, [S_CHAIN_BYTES] = {G_CHN, W_K_LAST}, [S_LOSS] = {G_SVC, W_K_MEAN},
	[S_TTFB_N] = {G_SVC, W_K_HIST}, [S_TTFB_G50] = {G_SVC, W_K_HIST}, [S_TTFB_G99] = {G_SVC, W_K_HIST},
	[S_TTFB_GMAX] = {G_SVC, W_K_HIST}, [S_TTFB_I50] = {G_SVC, W_K_HIST}, [S_TTFB_I99] = {G_SVC, W_K_HIST},
	[S_TTFB_IMAX] = {G_SVC, W_K_HIST}, [S_TTFB_F50] = {G_SVC, W_K_HIST}, [S_TTFB_F99] = {G_SVC, W_K_HIST},
	[S_TTFB_FMAX] = {G_SVC, W_K_HIST},
	[S_TX_FEES] = {G_ECO, W_K_SUM}, [S_TX_FEES_CUM] = {G_ECO, W_K_LAST}, [S_COMM_FEES] = {G_ECO, W_K_SUM},
	[S_COMM_FEES_CUM] = {G_ECO, W_K_LAST}, [S_DEL_INC] = {G_ECO, W_K_SUM}, [S_DEL_INC_STAKE] = {G_ECO, W_K_SUM},
	[S_DEL_INC_TRAFFIC] = {G_ECO, W_K_SUM}, [S_DEL_INC_STAKE_CUM] = {G_ECO, W_K_LAST},
	[S_DEL_INC_TRAFFIC_CUM] = {G_ECO, W_K_LAST}, [S_DEL_P10] = {G_ECO, W_K_AT}, [S_DEL_P50] = {G_ECO, W_K_AT},
	[S_DEL_P90] = {G_ECO, W_K_AT}, [S_DEL_COVER_DAY] = {G_ECO, W_K_AT}, [S_DEL_COVER_NOW] = {G_ECO, W_K_AT},
	[S_GOV_PASSED] = {G_CHN, W_K_LAST}, [S_GOV_FAILED] = {G_CHN, W_K_LAST}, [S_NOW_LAMBDA] = {G_CHN, W_K_LAST},
	[S_NOW_FEE] = {G_CHN, W_K_LAST}, [S_NOW_PRODUCER] = {G_CHN, W_K_LAST}, [S_EMIT_END] = {G_CHN, W_K_LAST},
	[S_REWARD] = {G_CHN, W_K_SUM}, [S_TEAM_LOCKED] = {G_ECO, W_K_LAST}, [S_STAKED] = {G_ECO, W_K_LAST},
};
static const char *const kind_name[] = {"sum", "last", "mean", "quantile", "last"};

static dn_rc declare_minmax(world *W, dn_results *r, int i)
{
	char name[96], desc[200];
	static const char *const side[2] = {"min", "max"};
	dn_rc rc = DN_OK;
	for (int k = 0; !rc && k < 2; k++) {
		snprintf(name, sizeof name, "%s_%s", extra[i].name, side[k]);
		snprintf(desc, sizeof desc, "%s of the blocks' values of %s over each interval", k ? "largest" : "smallest",
		         extra[i].name);
		int *id = k ? &W->rec.series_max[i] : &W->rec.series_min[i];
		rc = dn_results_series(r, name, extra[i].vt, extra[i].units, desc, id);
		if (!rc)
			rc = dn_results_series_attr(r, *id, "interval", W->cfg.rec_label[agg_of[i].group]);
		if (!rc)
			rc = dn_results_series_attr(r, *id, "aggregate", side[k]);
	}
	return rc;
}

static dn_rc declare_trace(world *W, dn_results *r);

static dn_rc world_declare(dn_world *w, dn_results *r)
{
	world *W = dn_world_model(w);
	for (int i = 0; i < S_COUNT; i++)
		W->rec.series[i] = W->rec.series_min[i] = W->rec.series_max[i] = -1;
	for (int i = 0; i < W_TRACE_SERIES; i++)
		W->rec.trace[i] = -1;
	if (!r)
		return DN_OK; /* a run without a results file */
	dn_metrics *m = &W->rec.met;
	dn_rc rc = dn_metrics_declare(m, r);
	for (int k = 0; !rc && k < m->n_series; k++) {
		rc = dn_results_series_attr(r, m->series[k], "interval", W->cfg.rec_label[dn_metrics_series_group(k)]);
		if (!rc)
			rc = dn_results_series_attr(r, m->series[k], "aggregate", dn_metrics_series_aggregate(k));
	}
	for (int i = 0; !rc && i < S_COUNT; i++) {
		rc = dn_results_series(r, extra[i].name, extra[i].vt, extra[i].units, extra[i].doc, &W->rec.series[i]);
		if (!rc)
			rc = dn_results_series_attr(r, W->rec.series[i], "interval", W->cfg.rec_label[agg_of[i].group]);
		if (!rc)
			rc = dn_results_series_attr(r, W->rec.series[i], "aggregate",
			                            i == S_TTFB_N ? "sum" : kind_name[agg_of[i].kind]);
		if (!rc && agg_of[i].kind <= W_K_MEAN && W->cfg.rec_every[agg_of[i].group] > 1)
			rc = declare_minmax(W, r, i);
	}
	if (!rc)
		rc = declare_trace(W, r);
	if (rc)
		dn_world_set_error(w, "declaring series: %s", m->err[0] ? m->err : dn_results_errmsg(r));
	return rc;
}

static uint64_t fp_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	return h * 0xFF51AFD7ED558CCDULL;
}

/* ---- record.ledger_trace: the ledger at each chain row, for goldens ---- */

/* The classes of accounts: the chain's own (reserve, pools, the exchange:
 * every account below the agents'), then each agent by its first role in
 * this order. */
static const char *const trace_class[W_TRACE_CLASSES] = {
	"system", "operator", "candidate", "team", "sharer", "relay", "trader", "holder", "site", "consumer", "other"};
static const uint32_t trace_role[W_TRACE_CLASSES - 2] = {W_OPERATOR, W_CANDIDATE, W_TEAM, W_SHARER, W_RELAY,
                                                        W_TRADER, W_HOLDER, W_SITE, W_CONSUMER};

static int trace_class_of(const world *W, dnc_acct a)
{
	if (a < W->ch.acct0)
		return 0;
	uint64_t agent = (uint64_t)a - W->ch.acct0;
	if (agent >= W->cfg.n)
		return W_TRACE_CLASSES - 1;
	for (int k = 0; k < W_TRACE_CLASSES - 2; k++)
		if (W->ag.role[agent] & trace_role[k])
			return k + 1;
	return W_TRACE_CLASSES - 1;
}

static dn_rc declare_trace(world *W, dn_results *r)
{
	for (int i = 0; i < W_TRACE_SERIES; i++)
		W->rec.trace[i] = -1;
	if (!W->cfg.ledger_trace)
		return DN_OK;
	dn_rc rc = dn_results_series(r, "ledger_state_hash", DN_VT_I64, "1",
	                             "R-CHAIN-2 hash of every account's balance, holdings and nonce after the row's last block (63 bits; record.ledger_trace)",
	                             &W->rec.trace[0]);
	if (!rc)
		rc = dn_results_series(r, "ledger_supply_base", DN_VT_I64, "base units",
		                       "R-SUP-1 total supply after the row's last block: every balance, lock and the reserve not yet minted (fixed; record.ledger_trace)",
		                       &W->rec.trace[1 + 2 * W_TRACE_CLASSES]);
	for (int k = 0; !rc && k < W_TRACE_CLASSES; k++) {
		char name[64], desc[200];
		snprintf(name, sizeof name, "ledger_%s_base", trace_class[k]);
		snprintf(desc, sizeof desc, "R-SUP-1 spendable balances of the %s accounts after the row's last block (record.ledger_trace)",
		         trace_class[k]);
		rc = dn_results_series(r, name, DN_VT_I64, "base units", desc, &W->rec.trace[1 + 2 * k]);
		if (!rc) {
			snprintf(name, sizeof name, "ledger_%s_hash", trace_class[k]);
			snprintf(desc, sizeof desc, "hash of the %s accounts' balances, holdings and nonces after the row's last block (63 bits)",
			         trace_class[k]);
			rc = dn_results_series(r, name, DN_VT_I64, "1", desc, &W->rec.trace[2 + 2 * k]);
		}
	}
	for (int i = 0; !rc && i < W_TRACE_SERIES; i++)
		rc = dn_results_series_attr(r, W->rec.trace[i], "interval", W->cfg.rec_label[G_CHN]);
	for (int i = 0; !rc && i < W_TRACE_SERIES; i++)
		rc = dn_results_series_attr(r, W->rec.trace[i], "aggregate", "last");
	return rc;
}

/* One pass over every account: the whole ledger's hash, and each class's
 * balance sum and hash. */
static dn_rc write_trace(const world *W, dn_time_ns t, dn_results *r)
{
	if (!W->cfg.ledger_trace || !r)
		return DN_OK;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	uint32_t n = dnc_ledger_count(L);
	uint64_t all = 0x243F6A8885A308D3ULL, h[W_TRACE_CLASSES];
	int64_t sum[W_TRACE_CLASSES] = {0};
	for (int k = 0; k < W_TRACE_CLASSES; k++)
		h[k] = 0x13198A2E03707344ULL + (uint64_t)k;
	for (uint32_t a = 0; a < n; a++) {
		dn_amount bal = dnc_ledger_balance(L, a), hold = dnc_ledger_holdings(L, a);
		uint64_t nonce = dnc_ledger_nonce(L, a);
		int k = trace_class_of(W, a);
		uint64_t x = fp_mix(fp_mix(fp_mix((uint64_t)a, (uint64_t)bal), (uint64_t)hold), nonce);
		all = fp_mix(all, x);
		h[k] = fp_mix(h[k], x);
		sum[k] += bal;
	}
	dn_rc rc = dn_results_append_i64(r, W->rec.trace[0], t, (int64_t)(all >> 1));
	if (!rc)
		rc = dn_results_append_i64(r, W->rec.trace[1 + 2 * W_TRACE_CLASSES], t, dnc_ledger_supply(L));
	for (int k = 0; !rc && k < W_TRACE_CLASSES; k++) {
		rc = dn_results_append_i64(r, W->rec.trace[1 + 2 * k], t, sum[k]);
		if (!rc)
			rc = dn_results_append_i64(r, W->rec.trace[2 + 2 * k], t, (int64_t)(h[k] >> 1));
	}
	return rc;
}

/* The tiles' per-block counters, summed (and reset). */
typedef struct tile_sums {
	uint64_t nomatch, expensive, nofunds, rematch, relayed, sites, online, active, units, rate_n;
	double rate_sum_bps, delay_sum_s, loss_sum;
} tile_sums;

static dn_rc sum_tiles(world *W, tile_sums *c)
{
	memset(c, 0, sizeof *c);
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		wpart *P = w_part(W, i);
		/* rules §9 coverage: distinct consumers, into the block step's part */
		uint64_t served = 0, demand = 0;
		dn_rc rc = w_cov_close(P, &served, &demand);
		if (!rc)
			rc = dn_metrics_consumers(&W->rec.blockm, served, demand);
		if (rc)
			return rc;
		c->nomatch += P->no_match;
		c->expensive += P->too_expensive;
		c->nofunds += P->no_funds;
		c->rematch += P->rematches;
		c->relayed += P->relayed_sessions;
		c->sites += P->sites_rented;
		c->online += P->sharers_online;
		c->active += P->active_sessions;
		c->units += P->units_delivered;
		c->rate_sum_bps += P->rate_sum_bps;
		c->delay_sum_s += P->delay_sum_s;
		c->loss_sum += P->loss_sum;
		c->rate_n += P->rate_n;
		P->requests = P->no_match = P->too_expensive = P->no_funds = P->rematches = 0;
		P->relayed_sessions = P->units_delivered = 0;
		P->rate_sum_bps = P->delay_sum_s = P->loss_sum = 0;
		P->rate_n = 0;
	}
	return DN_OK;
}

/* What dn_metrics reads of the world's state (the Gini only when it is
 * committed and asked for). */
static dn_metrics_snapshot snapshot(const world *W, bool with_gini)
{
	const dnc_provenance *pv = dnc_chain_provenance(W->ch.chain);
	dn_metrics_snapshot snap = {
		/* between updates (world.gini_interval_blocks) the Gini and top
		 * share are not known exactly: NaN rather than a stale value */
		.gini = with_gini && W->rec.gini.n_changed == 0 ? &W->rec.gini : NULL,
		.dtoken_originated = pv->traffic_earned,
		.initial_originated = pv->initial + pv->stake_earned,
		/* R-GOV-2 as the library defines it (dnc_initial_share_ppm): the
		 * initial holders weigh what the initial DNET holds and earned
		 * through stake; traffic-originated DNET is the rest */
		.initial_vote_weight = pv->initial + pv->stake_earned,
		.total_vote_weight = pv->initial + pv->stake_earned + pv->traffic_earned,
		.price_usd_micro = W->mk.price_usd_micro, /* the dnet_price series' */
	};
	/* the series is the library's share, to its ppm resolution */
	assert(snap.total_vote_weight == 0 ||
	       (uint64_t)((unsigned __int128)(uint64_t)snap.initial_vote_weight * DNC_PPM /
	                          (uint64_t)snap.total_vote_weight) ==
	               dnc_initial_share_ppm(pv));
	return snap;
}

/* The rules §9 metrics of dn_metrics, over the tiles and the block step:
 * every block a step; the groups in `due` written. */
static dn_rc record_metrics(world *W, unsigned due, dn_time_ns t, dn_results *r)
{
	dn_metrics_part *parts[DN_MAX_PARTS + 1];
	for (unsigned i = 0; i < W->cfg.nparts; i++)
		parts[i] = &w_part(W, i)->m;
	parts[W->cfg.nparts] = &W->rec.blockm;
	dn_metrics_snapshot snap = snapshot(W, (due >> DN_METRICS_GROUP_HOLDINGS) & 1u);
	dn_rc rc = dn_metrics_step(&W->rec.met, parts, W->cfg.nparts + 1, &snap, t);
	if (!rc && due)
		rc = dn_metrics_write(&W->rec.met, due, &snap, r, t);
	if (rc)
		dn_world_set_error(W->w, "metrics at t = %.0f s: %s", dn_s_of_ns(t), W->rec.met.err);
	return rc;
}

/* The world's own series at this block; tx0, txf0, cs0, cf0: the counters before it. */
static void extra_values(const world *W, const tile_sums *c, uint64_t tx0, uint64_t txf0, uint64_t cs0, uint64_t cf0,
                         double vals[S_COUNT], double num[S_COUNT], double den[S_COUNT])
{
	dn_usd_micro px = W->mk.price_usd_micro;
	vals[S_PRICE] = dn_usd_of_usd_micro((double)px);
	vals[S_VOLUME] = dn_dnet_of_base((double)W->mk.stats.volume_base);
	vals[S_BLOCKS] = (double)W->ch.blocks;
	vals[S_MISSED] = (double)W->ch.missed;
	vals[S_TXS] = (double)(W->ch.tx_applied - tx0);
	vals[S_TXFAIL] = (double)(W->ch.tx_failed - txf0);
	vals[S_SHARERS] = (double)c->online;
	vals[S_ACTIVE_SESS] = (double)c->active;
	vals[S_RELAYED] = (double)c->relayed;
	vals[S_RATE] = c->rate_n ? dn_mbps_of_bps(c->rate_sum_bps / (double)c->rate_n) : NAN;
	vals[S_REMATCH] = (double)c->rematch;
	vals[S_SITES] = (double)c->sites;
	vals[S_NOMATCH] = (double)c->nomatch;
	vals[S_EXPENSIVE] = (double)c->expensive;
	vals[S_NOFUNDS] = (double)c->nofunds;
	vals[S_DEL_INCOME] = dn_usd_of_base((double)W->dl.income_base, px);
	vals[S_DEL_COST] = dn_usd_of_usd_micro((double)W->dl.cost_usd_micro);
	vals[S_TRAFFIC_SEATS] = (double)W->dl.seats_traffic_held;
	vals[S_CONTENT_SALES] = (double)(W->ct.sales - cs0);
	vals[S_CONTENT_FWD] = (double)(W->ct.forwarded - cf0);
	const dn_metrics_part *wm = &W->rec.met.window;
	double gb = dn_gb_of_bytes((double)wm->traffic_bytes);
	vals[S_USD_PRICE_GB] = gb > 0 ? dn_usd_of_base((double)wm->paid, px) / gb : NAN;
	vals[S_FORK_BLOCKS] = (double)W->fk.blocks_dropped;
	vals[S_UNITS] = (double)c->units;
	vals[S_LOSS] = c->rate_n ? c->loss_sum / (double)c->rate_n : NAN;
	vals[S_RETRACT] = dn_dnet_of_base((double)dnc_chain_admin_stats(W->ch.chain)->total);
	vals[S_CHAIN_BYTES] = (double)W->ch.chain_bytes;
	vals[S_DELAY] = c->rate_n ? c->delay_sum_s / (double)c->rate_n * 1e3 : NAN;
	/* the means' parts, summed over an interval (mean_of) */
	num[S_RATE] = c->rate_sum_bps, num[S_DELAY] = c->delay_sum_s, num[S_LOSS] = c->loss_sum;
	den[S_RATE] = den[S_DELAY] = den[S_LOSS] = (double)c->rate_n;
	num[S_USD_PRICE_GB] = gb > 0 ? dn_usd_of_base((double)wm->paid, px) : 0.0;
	den[S_USD_PRICE_GB] = gb;
}

/* A W_K_MEAN series over the sums of its parts (the same arithmetic as
 * extra_values for one block). */
static double mean_of(int i, double num, double den)
{
	if (!(den > 0))
		return NAN;
	switch (i) {
	case S_RATE:
		return dn_mbps_of_bps(num / den);
	case S_DELAY:
		return num / den * 1e3;
	default:
		return num / den;
	}
}

/* Cumulative amounts before the block step, for the block's share. */
typedef struct before_step {
	dn_amount tx_fees, comm_fees, income, stake, traffic;
} before_step;

static void take_before(const world *W, before_step *b)
{
	b->tx_fees = W->ch.tx_fees_base;
	b->comm_fees = W->ch.community_fees_base;
	b->income = W->dl.income_base;
	b->stake = W->dl.income_stake_base;
	b->traffic = W->dl.income_traffic_base;
}

/* The k-th smallest (0-based) of v[0..n), v reordered: selection with a
 * three-way partition (many candidates earn the same, often 0), O(n)
 * expected, deterministic pivots. */
static double select_kth(double *v, uint32_t n, uint32_t k)
{
	assert(k < n);
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double piv = v[lo + (hi - lo) / 2], t;
		size_t lt = lo, i = lo, gt = hi + 1; /* [lo,lt) <, [lt,i) ==, [gt,hi] > */
		while (i < gt) {
			if (v[i] < piv) {
				t = v[lt], v[lt] = v[i], v[i] = t;
				lt++, i++;
			} else if (v[i] > piv) {
				gt--;
				t = v[gt], v[gt] = v[i], v[i] = t;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt - 1;
		else if (k >= gt)
			lo = gt;
		else
			return piv;
	}
	return v[k];
}

/* rules §9: the candidates' income so far, quantiles and share covering its
 * cost. O(candidates). */
static void candidate_values(const world *W, double vals[S_COUNT])
{
	const world_delegates *D = &W->dl;
	uint32_t n = W->cfg.candidates;
	dn_usd_micro px = W->mk.price_usd_micro;
	uint32_t paid = 0, cover_day = 0, cover_now = 0;
	for (uint32_t i = 0; i < n; i++) {
		D->cand_scratch[i] = dn_dnet_of_base((double)D->cand_income_base[i]);
		if (D->cand_cost_usd_micro[i] <= 0)
			continue;
		double cost_usd = dn_usd_of_usd_micro((double)D->cand_cost_usd_micro[i]);
		paid++;
		cover_day += D->cand_income_usd[i] >= cost_usd;
		cover_now += dn_usd_of_base((double)D->cand_income_base[i], px) >= cost_usd;
	}
	const uint32_t q_ppm[3] = {100000, 500000, 900000};
	for (int k = 0; k < 3; k++) {
		/* nearest rank, as dn_hist_quantile */
		uint64_t r = ((uint64_t)n * q_ppm[k] + 999999) / 1000000;
		vals[S_DEL_P10 + k] = n ? select_kth(D->cand_scratch, n, (uint32_t)(r ? r - 1 : 0)) : NAN;
	}
	vals[S_DEL_COVER_DAY] = paid ? (double)cover_day / (double)paid : NAN;
	vals[S_DEL_COVER_NOW] = paid ? (double)cover_now / (double)paid : NAN;
}

static int64_t hist_q(const dn_hist *h, uint32_t q_ppm)
{
	int64_t v = -1;
	if (h->count && dn_hist_quantile(h, q_ppm, &v))
		v = -1;
	return v;
}

/* The series after S_FP_COUNT known at every block (exact integers in
 * iv, the others in vals); the ttfb quantiles and the candidates' values
 * are taken at writes only (write_values). */
static void block_values(const world *W, const before_step *b, double vals[S_COUNT], int64_t iv[S_COUNT])
{
	iv[S_TX_FEES] = W->ch.tx_fees_base - b->tx_fees;
	iv[S_TX_FEES_CUM] = W->ch.tx_fees_base;
	iv[S_COMM_FEES] = W->ch.community_fees_base - b->comm_fees;
	iv[S_COMM_FEES_CUM] = W->ch.community_fees_base;
	iv[S_DEL_INC] = W->dl.income_base - b->income;
	iv[S_DEL_INC_STAKE] = W->dl.income_stake_base - b->stake;
	iv[S_DEL_INC_TRAFFIC] = W->dl.income_traffic_base - b->traffic;
	iv[S_DEL_INC_STAKE_CUM] = W->dl.income_stake_base;
	iv[S_DEL_INC_TRAFFIC_CUM] = W->dl.income_traffic_base;
	assert(iv[S_DEL_INC_STAKE] + iv[S_DEL_INC_TRAFFIC] == iv[S_DEL_INC]);
	/* the arrangement in force (R-GOV-1: governance may change it) */
	const dnc_params *cp = dnc_chain_params(W->ch.chain);
	iv[S_GOV_PASSED] = (int64_t)W->gv.passed;
	iv[S_GOV_FAILED] = (int64_t)W->gv.failed;
	vals[S_NOW_LAMBDA] = dn_share_of_ppm((double)cp->lambda_ppm);
	vals[S_NOW_FEE] = dn_share_of_ppm((double)cp->community_fee_ppm);
	vals[S_NOW_PRODUCER] = dn_share_of_ppm((double)cp->producer_ppm);
	iv[S_EMIT_END] = (int64_t)dnc_chain_emission(W->ch.chain)->end_height;
	vals[S_REWARD] = dn_dnet_of_base((double)W->ch.last_reward);
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	vals[S_TEAM_LOCKED] = dn_dnet_of_base((double)dnc_ledger_locked_total(L, DNC_LOCK_TEAM));
	vals[S_STAKED] = dn_dnet_of_base((double)dnc_ledger_locked_total(L, DNC_LOCK_STAKE));
}

/* Adds the block's values to each series' interval aggregate. */
static void aggregate_block(world *W, const double vals[S_COUNT], const int64_t iv[S_COUNT],
                            const double num[S_COUNT], const double den[S_COUNT])
{
	for (int i = 0; i < S_COUNT; i++) {
		wagg *a = &W->rec.agg[i];
		int kind = agg_of[i].kind;
		if (kind > W_K_MEAN)
			continue;
		if (kind == W_K_MEAN) {
			a->num += num[i];
			a->den += den[i];
		}
		if (extra[i].vt == DN_VT_I64) {
			int64_t v = iv[i];
			if (kind == W_K_SUM) /* a running total summed over a day would overflow */
				a->isum += v;
			a->ilast = v;
			if (a->n == 0 || v < a->imin)
				a->imin = v;
			if (a->n == 0 || v > a->imax)
				a->imax = v;
			a->n++;
		} else {
			double v = vals[i];
			a->fsum += v;
			a->flast = v;
			if (isnan(v))
				continue;
			if (a->nf == 0 || v < a->fmin)
				a->fmin = v;
			if (a->nf == 0 || v > a->fmax)
				a->fmax = v;
			a->nf++;
			a->n++;
		}
	}
}

static dn_rc append(dn_results *r, int id, dn_value_type vt, dn_time_ns t, double f, int64_t i)
{
	return vt == DN_VT_I64 ? dn_results_append_i64(r, id, t, i) : dn_results_append_f64(r, id, t, f);
}

/* The world's series of the groups in `due` at t, over their intervals;
 * then their aggregates and histograms start again. */
static dn_rc write_extra(world *W, unsigned due, dn_time_ns t, dn_results *r)
{
	double vals[S_COUNT];
	int64_t iv[S_COUNT];
	if (due & (1u << G_SVC)) {
		const dn_hist *h = W->rec.ttfb;
		iv[S_TTFB_N] = (int64_t)h[W_TTFB_FINAL].count;
		for (int k = 0; k < 3; k++) {
			iv[S_TTFB_G50 + 3 * k] = hist_q(&h[k], 500000);
			iv[S_TTFB_G99 + 3 * k] = hist_q(&h[k], 990000);
			iv[S_TTFB_GMAX + 3 * k] = hist_q(&h[k], 1000000);
		}
	}
	if (due & (1u << G_ECO))
		candidate_values(W, vals);
	dn_rc rc = DN_OK;
	for (int i = 0; !rc && i < S_COUNT; i++) {
		unsigned g = agg_of[i].group;
		if (!(due & (1u << g)))
			continue;
		wagg *a = &W->rec.agg[i];
		dn_value_type vt = extra[i].vt;
		switch (agg_of[i].kind) {
		case W_K_SUM:
			vals[i] = a->fsum, iv[i] = a->isum;
			break;
		case W_K_LAST:
			vals[i] = a->flast, iv[i] = a->ilast;
			break;
		case W_K_MEAN:
			vals[i] = mean_of(i, a->num, a->den);
			break;
		default:
			break;
		}
		if (r)
			rc = append(r, W->rec.series[i], vt, t, vals[i], iv[i]);
		if (!rc && r && W->rec.series_min[i] >= 0) {
			bool any = a->n > 0;
			rc = append(r, W->rec.series_min[i], vt, t, any ? a->fmin : NAN, any ? a->imin : -1);
			if (!rc)
				rc = append(r, W->rec.series_max[i], vt, t, any ? a->fmax : NAN, any ? a->imax : -1);
		}
		memset(a, 0, sizeof *a);
	}
	if (due & (1u << G_SVC))
		for (int k = 0; k < 3; k++)
			dn_hist_reset(&W->rec.ttfb[k]);
	if (rc)
		dn_world_set_error(W->w, "recording: %s", dn_results_errmsg(r));
	return rc;
}

/* The groups whose interval ends with the block at t (all at the run's
 * last block). */
static unsigned groups_due(const world *W, dn_time_ns t)
{
	uint64_t blocks = (uint64_t)(t / W->cfg.block_ns);
	bool last = t + W->cfg.block_ns > W->cfg.end_ns;
	unsigned due = 0;
	for (int g = 0; g < DN_METRICS_GROUPS; g++)
		if (last || blocks % W->cfg.rec_every[g] == 0)
			due |= 1u << g;
	return due;
}

/* At every block boundary: the block step, then what is due recorded. */
static dn_rc world_sample(dn_world *w, dn_time_ns t, dn_results *r)
{
	world *W = dn_world_model(w);
	if (t % W->cfg.block_ns)
		return DN_OK; /* only block boundaries */
	tile_sums c;
	dn_rc rc = sum_tiles(W, &c);
	if (rc)
		return rc;
	uint64_t tx0 = W->ch.tx_applied, txf0 = W->ch.tx_failed, cs0 = W->ct.sales, cf0 = W->ct.forwarded;
	before_step b;
	take_before(W, &b);
	rc = w_block_step(W, t);
	if (rc)
		return rc;
	unsigned due = groups_due(W, t);
	/* the exact Gini: one pass over the holdings marked since the last,
	 * only when the holdings series are written (and every
	 * world.gini_interval_blocks blocks) */
	uint64_t blocks = (uint64_t)(t / W->cfg.block_ns);
	if ((due >> DN_METRICS_GROUP_HOLDINGS) & 1u &&
	    (blocks % W->cfg.gini_interval_blocks == 0 || t + W->cfg.block_ns > W->cfg.end_ns))
		w_gini_commit(W);
	rc = record_metrics(W, due, t, r);
	if (rc)
		return rc;
	double vals[S_COUNT], num[S_COUNT], den[S_COUNT];
	int64_t iv[S_COUNT];
	extra_values(W, &c, tx0, txf0, cs0, cf0, vals, num, den);
	for (int i = 0; i < S_FP_COUNT; i++) {
		uint64_t bits;
		memcpy(&bits, &vals[i], sizeof bits);
		W->rec.fingerprint = fp_mix(W->rec.fingerprint, bits);
		iv[i] = (int64_t)vals[i];
	}
	block_values(W, &b, vals, iv);
	aggregate_block(W, vals, iv, num, den);
	if ((due >> G_CHN) & 1u) {
		rc = write_trace(W, t, r);
		if (rc)
			return rc;
	}
	return due ? write_extra(W, due, t, r) : DN_OK;
}

/* ---- the summary ---- */

/* One summary value per rejection reason that occurred. */
static dn_rc summary_rejections(const world *W, dn_results *r)
{
	dn_rc rc = DN_OK;
	for (int k = 1; !rc && k < DNC_ERC_COUNT; k++) {
		if (!W->ch.tx_fail_rc[k])
			continue;
		char name[64];
		snprintf(name, sizeof name, "world_rejected_%s", dnc_rc_name((dnc_rc)k));
		for (char *q = name; *q; q++)
			if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9')))
				*q = '_';
		rc = dn_results_summary_i64(r, name, (int64_t)W->ch.tx_fail_rc[k], "1", "transactions rejected with this reason code");
	}
	return rc;
}

static dn_rc summary_conservation(const world *W, dn_results *r)
{
	dnc_check_stats cs;
	dnc_ledger_check_stats(dnc_chain_ledger_c(W->ch.chain), &cs);
	dn_rc rc = dn_results_summary_i64(r, "world_conservation_checks", (int64_t)cs.checks, "blocks",
	                                  "blocks whose conservation was checked over the accounts they wrote (R-SUP-1)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_conservation_full_scans", (int64_t)cs.full_scans, "blocks",
		                            "of them, blocks that wrote too many accounts and were checked by a full scan");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_conservation_max_touched", (int64_t)cs.max_touched, "accounts",
		                            "most accounts a block wrote (blocks checked by a full scan aside)");
	return rc;
}

/* What network the world stands for (world.network_agents) and the
 * network-wide quantities scaled to it. */
/* net.access.mix: sharers by access link, and what they hold at the end. */
static dn_rc summary_access(const world *W, dn_results *r)
{
	const world_cfg *C = &W->cfg;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dn_rc rc = DN_OK;
	for (uint32_t k = 0; k < C->mix_n && !rc; k++) {
		const char *kn = dn_net_link(C->mix_kind[k])->name;
		int64_t n = 0, sharing = 0;
		double held = 0;
		for (uint64_t a = 0; a < C->n; a++)
			if ((W->ag.role[a] & W_SHARER) && W->ag.access[a] == k) {
				n++;
				sharing += (W->ag.online[a] & W_ON_SHARING) != 0;
				held += (double)dnc_ledger_holdings(L, w_acct(W, (uint32_t)a));
			}
		char name[64], doc[160];
		snprintf(name, sizeof name, "access_%s_sharers", kn);
		snprintf(doc, sizeof doc, "sharers whose access link is %s (net.access.mix)", kn);
		rc = dn_results_summary_i64(r, name, n, "1", doc);
		if (!rc) {
			snprintf(name, sizeof name, "access_%s_sharing", kn);
			snprintf(doc, sizeof doc, "sharers on %s sharing at the end", kn);
			rc = dn_results_summary_i64(r, name, sharing, "1", doc);
		}
		if (!rc) {
			snprintf(name, sizeof name, "access_%s_dnet", kn);
			snprintf(doc, sizeof doc, "mean DNET a sharer on %s holds at the end (NaN: none)", kn);
			rc = dn_results_summary_f64(r, name, n ? dn_dnet_of_base(held / (double)n) : NAN, "DNET", doc);
		}
	}
	return rc;
}

static dn_rc summary_network(const world *W, dn_results *r)
{
	const world_cfg *C = &W->cfg;
	dn_rc rc = dn_results_summary_i64(r, "world_network_agents", (int64_t)C->network_n, "1",
	                                  "agents of the network the world stands for (world.network_agents; the world itself if 0)");
	if (!rc)
		rc = dn_results_summary_f64(r, "world_network_share", C->net_share, "1",
		                            "world.agents / world_network_agents: the share of the network's supply, emission, "
		                            "exchange depth, delegate seats and area the world holds");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_supply_base", (int64_t)C->cp.supply_base, "base units",
		                            "the world's supply: chain.supply_dnet x world_network_share (R-SUP-1)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_delegate_seats", (int64_t)C->cp.delegates, "1",
		                            "seats per consensus in the world: chain.delegates x world_network_share, rounded (R-CONS-1)");
	/* delta or years: the one not given, derived (R-EMIT-1/2) */
	const dnc_emission *e = dnc_chain_emission(W->ch.chain);
	uint64_t blocks = C->cp.emission_blocks ? C->cp.emission_blocks
	                                        : (uint64_t)C->cp.emission_years * dnc_blocks_per_year(C->cp.block_interval_s);
	if (!rc)
		rc = dn_results_summary_i64(r, "chain_emission_blocks", (int64_t)blocks, "blocks",
		                            "length of the emission schedule the run started with (chain.emission_years or chain.delta)");
	if (!rc)
		rc = dn_results_summary_f64(r, "chain_emission_years", (double)blocks / (double)dnc_blocks_per_year(C->cp.block_interval_s),
		                            "years", "the same in 365-day years (derived when chain.delta is given)");
	if (!rc)
		rc = dn_results_summary_f64(r, "chain_delta", C->cp.emission_kind == DNC_EMIT_FLAT && C->cp.supply_base > 0
		                                                  ? (double)e->block_reward / (double)C->cp.supply_base : NAN,
		                            "1", "block reward / supply in force at the end (R-EMIT-2; derived when chain.emission_years is given; NaN for a schedule that is not flat)");
	return rc;
}

/* R-CHAIN-5: the run's three latencies. */
static dn_rc summary_ttfb(const world *W, dn_results *r)
{
	static const char *const kind[3] = {"grace", "inclusion", "final"};
	static const char *const what[3] = {
		"served on grace units before the deposit is on chain (R-CRED-5)",
		"if the distributor waits for the open's inclusion in a block",
		"if the distributor waits for finality (inclusion + chain.confirmations blocks)",
	};
	dn_rc rc = DN_OK;
	for (int k = 0; k < 3 && !rc; k++) {
		const dn_hist *h = &W->rec.ttfb_run[k];
		const struct { const char *q; uint32_t ppm; } qs[3] = {{"p50", 500000}, {"p99", 990000}, {"max", 1000000}};
		char name[64], doc[200];
		for (int j = 0; j < 3 && !rc; j++) {
			snprintf(name, sizeof name, "ttfb_%s_%s_ns", kind[k], qs[j].q);
			snprintf(doc, sizeof doc, "R-CHAIN-5 run %s of request to first byte %s (-1 if none)", qs[j].q, what[k]);
			rc = dn_results_summary_i64(r, name, hist_q(h, qs[j].ppm), "ns", doc);
		}
		if (!rc) {
			snprintf(name, sizeof name, "ttfb_%s_violations", kind[k]);
			snprintf(doc, sizeof doc, "R-CHAIN-5 purchases whose first byte %s came after the 15 s bound", what[k]);
			rc = dn_results_summary_i64(r, name, (int64_t)h->over_limit, "purchases", doc);
		}
	}
	return rc;
}

/*
 * R-EMIT-5's ceiling. Only block rewards earn provenance (fees do not):
 * 1 - E0 of the supply, of which the pools' 1 - producer share goes to
 * the seat kinds in proportion to their seats filled, and the producer's
 * share to the producing seat's kind. With producers taking turns evenly
 * and every seat filled, traffic's part of the emission is 1 - lambda, so
 * DToken-originated DNET is at most (1 - E0)(1 - lambda) of all DNET when
 * the emission is done (the share is lower before: initial DNET weighs
 * more). If only traffic seats produced (stake producers all offline), the
 * producer's share would add to it: (1 - E0)(p + (1 - p) traffic seats / D),
 * the worst case with every seat kind at its quota.
 */
void w_dtoken_ceiling(const dnc_params *cp, double *ceiling, double *bound)
{
	double e0 = (double)(cp->alpha_ppm + cp->beta_ppm + cp->gamma_ppm) / 1e6;
	double lam = (double)cp->lambda_ppm / 1e6, prod = (double)cp->producer_ppm / 1e6;
	uint32_t seats[DNC_SEAT_KINDS];
	dnc_seat_quota(cp, seats);
	uint32_t d = seats[DNC_SEAT_STAKE] + seats[DNC_SEAT_VOLUME] + seats[DNC_SEAT_QUALITY];
	double tr = d ? (double)(seats[DNC_SEAT_VOLUME] + seats[DNC_SEAT_QUALITY]) / (double)d : 0;
	*ceiling = (1 - e0) * (1 - lam);
	*bound = (1 - e0) * (prod + (1 - prod) * tr);
}

static dn_rc summary_ceiling(const world *W, dn_results *r)
{
	double ceiling, bound;
	w_dtoken_ceiling(&W->cfg.cp, &ceiling, &bound);
	const dnc_provenance *pv = dnc_chain_provenance(W->ch.chain);
	dn_amount all = pv->initial + pv->stake_earned + pv->traffic_earned;
	dn_rc rc = dn_results_summary_f64(r, "dtoken_share_ceiling", ceiling, "1",
	                                  "R-EMIT-5 (1 - E0)(1 - lambda): the share of all DNET traffic originates at most, producers "
	                                  "taking turns; the paper's one half is out of reach when this is below 0.5 (0.375 by default)");
	if (!rc)
		rc = dn_results_summary_f64(r, "dtoken_share_bound", bound, "1",
		                            "R-EMIT-5 worst case: every block produced by a traffic seat, "
		                            "(1 - E0)(producer share + (1 - producer share) traffic seats / D)");
	if (!rc)
		rc = dn_results_summary_f64(r, "dtoken_share_final", all ? (double)pv->traffic_earned / (double)all : NAN,
		                            "1", "R-EMIT-5 DToken-originated share of all DNET at the end (the dtoken_share series)");
	return rc;
}

/* The run's signature work (the agents' scheme and the chain's copy): what
 * tests/bench/signature_floor.sh prices at libsodium's bare cost. */
static dn_rc summary_signatures(const world *W, dn_results *r)
{
	uint64_t k[2], sg[2], v[2];
	dnc_sig_counts(&W->ch.sig, &k[0], &sg[0], &v[0]);
	dnc_sig_counts(dnc_chain_sigscheme(W->ch.chain), &k[1], &sg[1], &v[1]);
	dn_rc rc = dn_results_summary_i64(r, "world_sig_keypairs", (int64_t)(k[0] + k[1]), "1",
	                                  "key pairs derived (agents, the foundation)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_sig_signs", (int64_t)(sg[0] + sg[1]), "1",
		                            "messages signed (transactions, credentials)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_sig_verifies", (int64_t)(v[0] + v[1]), "1",
		                            "signatures verified (transactions, credentials)");
	return rc;
}

static dn_rc world_finish(dn_world *w, dn_results *r)
{
	world *W = dn_world_model(w);
	if (!r)
		return DN_OK;
	const world_chain *H = &W->ch;
	dn_rc rc = dn_metrics_finish(&W->rec.met, r);
	if (!rc)
		rc = dn_results_summary_i64(r, "world_blocks", (int64_t)H->blocks, "blocks", "blocks on the chain");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_missed_slots", (int64_t)H->missed, "slots", "missed slots (R-CONS-6)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_transactions", (int64_t)H->tx_applied, "1", "transactions applied");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_transactions_rejected", (int64_t)H->tx_failed, "1", "transactions rejected");
	if (!rc)
		rc = summary_rejections(W, r);
	if (!rc)
		rc = dn_results_summary_i64(r, "world_admin_retracts", (int64_t)dnc_chain_admin_stats(H->chain)->count, "1",
		                            "retracts by the foundation (R-ADMIN-1)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_forks", (int64_t)W->fk.forks, "1", "forks resolved (R-CHAIN-4)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_custody_moves", (int64_t)H->custody_moves, "1",
		                            "moves of the exchange's custody book, the one ledger write outside a transaction");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_custody_base", (int64_t)H->custody_base, "base units",
		                            "DNET those moves carried");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_content_unpaid", (int64_t)W->ct.unpaid, "1",
		                            "content purchases whose transaction the chain refused");
	if (!rc)
		rc = dn_results_summary_f64(r, "world_dnet_price", dn_usd_of_usd_micro((double)W->mk.price_usd_micro), "USD/DNET",
		                            "final DNET price");
	if (!rc)
		rc = summary_conservation(W, r);
	if (!rc)
		rc = summary_network(W, r);
	if (!rc)
		rc = summary_access(W, r);
	if (!rc)
		rc = w_gov_summary(W, r);
	if (!rc)
		rc = w_attack_summary(W, r);
	if (!rc)
		rc = summary_ttfb(W, r);
	if (!rc)
		rc = summary_ceiling(W, r);
	if (!rc)
		rc = summary_signatures(W, r);
	uint64_t left = 0, by_rate = 0, xq = 0, xg = 0, xd = 0, xl = 0, xr = 0;
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		const wpart *P = w_part(W, i);
		left += P->left_rematches;
		by_rate += P->rate_rematches;
		xq += P->x_requests;
		xg += P->x_granted;
		xd += P->x_denied;
		xl += P->x_left;
		xr += P->x_relayed;
	}
	if (!rc)
		rc = dn_results_summary_i64(r, "world_cross_requests", (int64_t)xq, "1",
		                            "world.cross_tiles: sessions asked of a sharer of another tile");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_cross_granted", (int64_t)xg, "1",
		                            "... reserved by the block step (the session then opens as any other)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_cross_relayed", (int64_t)xr, "1",
		                            "... of them over relays of the consumer's tile (R-SHARE-2 paths across a border)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_cross_denied", (int64_t)xd, "1",
		                            "... refused: the sharer stopped sharing, filled up or changed its price since the snapshot");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_cross_left", (int64_t)xl, "1",
		                            "sessions across tiles cut when the snapshot showed their sharer had stopped sharing (R-CRED-3)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_rematches_node_left", (int64_t)left, "1",
		                            "re-matches the moment the provider's link or a relay of the path left (R-CRED-3)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_rematches_rate", (int64_t)by_rate, "1",
		                            "re-matches because the rate fell under consumer.rematch_rate_share (R-CRED-3)");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_tx_fees_base", (int64_t)H->tx_fees_base, "base units",
		                            "R-FEE-1 transaction fees paid over the run");
	if (!rc)
		rc = dn_results_summary_i64(r, "world_fingerprint", (int64_t)(W->rec.fingerprint >> 1), "1",
		                            "hash of every recorded value (equal runs have equal fingerprints)");
	if (!rc)
		rc = dn_results_summary_f64(r, "world_bytes_per_agent", dn_world_bytes_per_agent(w), "bytes",
		                            "agent-store bytes per agent");
	if (rc)
		dn_world_set_error(w, "summary: %s", dn_results_errmsg(r));
	return rc;
}

/* ---- tear-down ---- */

static void tile_fini(dn_part *p)
{
	wpart *P = dn_part_model(p);
	wvec_free(&P->out);
	wvec_free(&P->in);
	wvec_free(&P->orders);
	wvec_free(&P->sess);
	wvec_free(&P->free_slots);
	wvec_free(&P->quits);
	dn_spatial_free(P->sx);
	dn_spatial_free(P->rx);
	dn_match_free(P->mt);
	w_cross_tile_free(P);
	P->sx = P->rx = NULL;
	P->mt = NULL;
	free(P->cov_stamp);
	free(P->cov_wait);
	P->cov_stamp = NULL;
	P->cov_wait = NULL;
	wvec_free(&P->cov_waitq);
}

static void world_fini(dn_world *w)
{
	world *W = dn_world_model(w);
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		dn_part *p = dn_world_part(w, i);
		if (p)
			tile_fini(p);
	}
	w_attack_free(W);
	w_cross_free(W);
	wvec_free(&W->mp.pool);
	wvec_free(&W->mp.next_pool);
	wvec_free(&W->mp.sorted);
	free(W->mp.keys);
	wvec_free(&W->mp.admin_q);
	free(W->mp.verdict);
	for (int i = 0; i < 8; i++) {
		wvec_free(&W->mp.conf[i]);
		wvec_free(&W->mp.conf_open[i]);
	}
	wvec_free(&W->fk.blocks);
	wvec_free(&W->fk.txs);
	dn_gini_free(&W->rec.gini);
	dnc_forktree_free(&W->fk.ft);
	dnc_chain_destroy(W->ch.chain);
	W->ch.chain = NULL;
	dn_market_free(W->mk.mkt);
	dn_market_path_free(W->mk.path);
	W->mk.mkt = NULL;
	W->mk.path = NULL;
	dn_content_free(W->ct.graph);
	W->ct.graph = NULL;
	free(W->ag.sk);
	free(W->ag.access);
	free(W->ag.nrelay);
	W->ag.sk = NULL;
	free(W->dl.cand);
	free(W->dl.campaign_usd_day);
	free(W->dl.campaign_cum);
	W->dl.cand = NULL;
	W->dl.campaign_usd_day = W->dl.campaign_cum = NULL;
	free(W->dl.cand_income_base);
	free(W->dl.cand_income_usd);
	free(W->dl.cand_cost_usd_micro);
	free(W->dl.cand_scratch);
	W->dl.cand_income_base = NULL;
	W->dl.cand_income_usd = W->dl.cand_scratch = NULL;
	W->dl.cand_cost_usd_micro = NULL;
	free(W->ops.agents);
	free(W->ops.sites);
	free(W->ops.owed_base);
	W->ops.agents = W->ops.sites = NULL;
	W->ops.owed_base = NULL;
	wvec_free(&W->ct.pending);
	free(W->cfg.cell_rate_bps);
	W->cfg.cell_rate_bps = NULL;
}

/* ---- the model ---- */

uint64_t dn_world_fingerprint(dn_world *w)
{
	world *W = dn_world_model(w);
	return W->rec.fingerprint;
}

/* Every name a run of s writes (dn_model.names). */
static void world_names(const dn_scenario *s, dn_name_fn emit, void *ctx)
{
	dn_metrics_names(emit, ctx);
	char name[96];
	for (int i = 0; i < S_COUNT; i++) {
		emit(ctx, extra[i].name, true);
		if (agg_of[i].kind <= W_K_MEAN && w_record_every(s, agg_of[i].group, NULL) > 1) {
			snprintf(name, sizeof name, "%s_min", extra[i].name);
			emit(ctx, name, true);
			snprintf(name, sizeof name, "%s_max", extra[i].name);
			emit(ctx, name, true);
		}
	}
	/* written with record.ledger_trace, which `dnetsim check` turns on: an
	 * expectation may name them whatever the file says */
	{
		emit(ctx, "ledger_state_hash", true);
		emit(ctx, "ledger_supply_base", true);
		for (int k = 0; k < W_TRACE_CLASSES; k++) {
			snprintf(name, sizeof name, "ledger_%s_base", trace_class[k]);
			emit(ctx, name, true);
			snprintf(name, sizeof name, "ledger_%s_hash", trace_class[k]);
			emit(ctx, name, true);
		}
	}
	static const char *const summary[] = {
		"chain_delta", "chain_emission_blocks", "chain_emission_years", "dtoken_share_bound",
		"dtoken_share_ceiling", "dtoken_share_final", "world_admin_retracts", "world_blocks",
		"world_bytes_per_agent", "world_conservation_checks", "world_conservation_full_scans",
		"world_conservation_max_touched", "world_content_unpaid", "world_custody_base", "world_custody_moves",
		"world_delegate_seats", "world_dnet_price", "world_fingerprint", "world_forks", "world_missed_slots",
		"world_network_agents", "world_network_share", "world_rematches_node_left", "world_rematches_rate",
		"world_cross_requests", "world_cross_granted", "world_cross_relayed", "world_cross_denied", "world_cross_left",
		"world_sig_keypairs", "world_sig_signs",
		"world_sig_verifies", "world_supply_base", "world_transactions", "world_transactions_rejected",
		"world_tx_fees_base", "world_rejected_*", "gov_change*"};
	for (size_t i = 0; i < sizeof summary / sizeof summary[0]; i++)
		emit(ctx, summary[i], false);
	if (strcmp(dn_scn_str(s, "attack.kind"), "none") != 0) { /* world_attack.c */
		emit(ctx, "attack_*", false);
		emit(ctx, "detect_*", false);
		emit(ctx, "honest_delegate_income_base", false);
	}
	if (*dn_scn_str(s, "net.access.mix")) /* summary_access */
		emit(ctx, "access_*", false);
	static const char *const kind[3] = {"grace", "inclusion", "final"}, *const q[4] = {"p50_ns", "p99_ns", "max_ns", "violations"};
	for (int k = 0; k < 3; k++)
		for (int j = 0; j < 4; j++) {
			snprintf(name, sizeof name, "ttfb_%s_%s", kind[k], q[j]);
			emit(ctx, name, false);
		}
}

static dn_rc world_estimate(const dn_scenario *s, dn_estimate *e)
{
	return w_estimate(s, dn_store_bytes_per_agent(&w_agent_kind), e);
}

const dn_model dn_model_world = {
	.name = "world",
	.doc = "the DNET world: consumers, sharers, relays, delegates, holders, operators, traders and content on simulated networks, through the protocol library",
	.params = w_param_defs,
	.n_params = W_N_PARAMS,
	.handlers = w_handlers,
	.n_handlers = EV_COUNT,
	.world_state_size = sizeof(world),
	.part_state_size = sizeof(wpart),
	.init = world_init,
	.part_init = world_part_init,
	.declare = world_declare,
	.sample = world_sample,
	.finish = world_finish,
	.fini = world_fini,
	.estimate = world_estimate,
	.fingerprint = dn_world_fingerprint,
	.names = world_names,
};
