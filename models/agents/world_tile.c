/*
 * world_tile.c: a tile (one engine partition) and its plumbing: its start
 * (geometry, spatial indexes, the matcher, every agent's first events),
 * its outbox of signed transactions on their way to the producers, the
 * receipts of the last block as they arrive (handed to the session, the
 * team), churn events (handed to the sharer or relay), and the hourly
 * decisions spread over the hour (handed to sharers, traders, holders,
 * candidates, the team). Nothing here decides anything an actor decides;
 * nothing here writes outside the tile.
 */
#include "world.h"

#include <math.h>
#include <string.h>

/* ---- the outbox ---- */

dn_rc w_submit(world *W, dn_part *p, uint32_t agent, uint32_t purpose, uint32_t slot, uint32_t gen,
               dnc_tx *tx, uint32_t fraud)
{
	wpart *P = dn_part_model(p);
	if (agent < P->begin || agent >= P->end) {
		/* the distributor of a session across tiles: its nonce is its own
		 * tile's, so the block step numbers and signs (w_cross_sign) */
		return w_queue_tx(&P->out, P, dn_part_now(p), agent, purpose, slot, gen, fraud, 1, tx);
	}
	dn_rc rc = w_queue_signed(W, &P->out, P, dn_part_now(p), agent, purpose, slot, gen, fraud, tx);
	if (rc == DN_EINVAL)
		dn_part_set_error(p, "signing a transaction of agent %u", agent);
	return rc;
}

/* ---- receipts of the last block ---- */

static dn_rc ev_blockrx(dn_part *p, const dn_event *ev)
{
	(void)ev;
	world *W = w_of(p);
	wpart *P = dn_part_model(p);
	dn_time_ns now = dn_part_now(p);
	dn_rc rc = DN_OK;
	for (size_t i = 0; i < P->in.n && !rc; i++) {
		const wrcpt *c = wvec_at(&P->in, i);
		if (c->purpose == TX_UNLOCK)
			rc = w_team_receipt(W, p, c);
		else if (c->purpose == TX_XGRANT)
			rc = w_session_granted(W, p, c);
		else if (w_purpose_for_tile(c->purpose))
			rc = w_session_receipt(W, p, c);
	}
	P->in.n = 0;
	if (rc)
		return rc;
	/* one walk of the session table: with sessions across tiles it also
	 * looks at their providers as the new snapshot shows them */
	if (P->x_open)
		rc = w_session_cross_check(W, p, P, now, &P->active_sessions);
	else
		P->active_sessions = w_sessions_active(P);
	if (rc)
		return rc;
	dn_time_ns nx = now + W->cfg.block_ns;
	return nx < W->cfg.end_ns ? dn_send(p, nx, P->tile, 0, EV_BLOCKRX, 0, 0) : DN_OK;
}

/* ---- churn and mobility ---- */

static dn_rc ev_churn(dn_part *p, const dn_event *ev)
{
	world *W = w_of(p);
	wpart *P = dn_part_model(p);
	uint32_t a = ev->dst;
	dn_time_ns now = dn_part_now(p);
	dn_rng r;
	w_ev_rng(&W->cfg, &r, a, P_CHURN, now);
	double mean_h;
	dn_rc rc = ev->aux == 0 ? w_sharer_churn(W, P, a, &mean_h) : w_relay_churn(W, P, a, &r, &mean_h);
	if (rc) {
		dn_part_set_error(p, "spatial index update for agent %u: %s", a, dn_rc_str(rc));
		return rc;
	}
	/* gone: the sessions through it stop being served now (R-CRED-3) */
	if (!(W->ag.online[a] & (ev->aux == 0 ? W_ON_LINK : W_ON_RELAY))) {
		rc = w_session_node_left(W, p, P, a, ev->aux == 0, now);
		if (rc)
			return rc;
	}
	dn_time_ns nx = now + dn_ns_of_s(w_expo(&r, mean_h * 3600.0)) + 1;
	return nx < W->cfg.end_ns ? dn_send(p, nx, P->tile, a, EV_CHURN, ev->aux, 0) : DN_OK;
}

/* ---- hourly decisions ---- */

/* One agent's decisions of the hour; once a day (its own hour) holders
 * re-vote, candidates pay their running cost, and once a month the team
 * claims its unlock (R-LOCK-1) and sharers get a new quota (R-SHARE-1). */
static dn_rc hour_of_agent(world *W, dn_part *p, wpart *P, uint64_t a, uint64_t S, dn_time_ns now)
{
	uint16_t role = W->ag.role[a];
	dn_rc rc = DN_OK;
	if (role & W_SHARER) {
		rc = w_sharer_hour(W, p, P, (uint32_t)a, now);
		P->acc_online += (W->ag.online[a] & (W_ON_LINK | W_ON_SHARING)) == (W_ON_LINK | W_ON_SHARING);
		P->acc_active += (W->ag.online[a] & W_ON_SHARING) != 0;
	}
	if (!rc && (role & W_TRADER))
		rc = w_trader_hour(W, p, (uint32_t)a, now);
	bool my_hour = ((a / S) % 24) == (P->hour % 24);
	if (!rc && (role & W_HOLDER) && !(role & W_CANDIDATE) && my_hour)
		rc = w_holder_vote(W, p, (uint32_t)a, now);
	if (!rc && (role & W_CANDIDATE) && my_hour && P->hour >= 1)
		rc = w_candidate_day(W, p, P, (uint32_t)a);
	if (!rc && (role & W_TEAM) && my_hour && P->hour >= 24 && (P->hour / 24) % 30 == 0 && !W->ag.inflight[a])
		rc = w_team_unlock(W, p, (uint32_t)a);
	if (!rc && (role & W_SHARER) && P->hour % (30 * 24) == 0 && P->hour > 0) {
		W->ag.quota_units[a] = w_quota_units(&W->cfg);
		rc = w_cross_touch(W, P, (uint32_t)a);
	}
	return rc;
}

/* Hourly decisions, spread over the hour: at every block the tile runs
 * the slice of its agents with a % S == k (S blocks per hour), so no
 * decision of the hour arrives at the exchange or the chain in one burst. */
static dn_rc ev_hour(dn_part *p, const dn_event *ev)
{
	(void)ev;
	world *W = w_of(p);
	wpart *P = dn_part_model(p);
	dn_time_ns now = dn_part_now(p);
	uint64_t S = (uint64_t)(3600 / W->cfg.cp.block_interval_s);
	if (S == 0)
		S = 1;
	uint64_t k = P->slice;
	uint64_t first = P->begin + ((k + S - P->begin % S) % S);
	dn_rc rc = DN_OK;
	for (uint64_t a = first; a < P->end && !rc; a += S)
		rc = hour_of_agent(W, p, P, a, S, now);
	if (rc)
		return rc;
	if (++P->slice == S) {
		P->slice = 0;
		P->hour++;
		P->sharers_online = P->acc_online;
		P->sharers_active = P->acc_active;
		P->acc_online = P->acc_active = 0;
		P->unmet_last_hour = P->demand_unmet_hour;
		P->demand_unmet_hour = 0;
	}
	dn_time_ns nx = now + W->cfg.block_ns;
	return nx < W->cfg.end_ns ? dn_send(p, nx, P->tile, 0, EV_HOUR, 0, 0) : DN_OK;
}

const dn_handler_fn w_handlers[EV_COUNT] = {
	[EV_REQUEST] = w_ev_request,
	[EV_TICK] = w_ev_tick,
	[EV_BLOCKRX] = ev_blockrx,
	[EV_CHURN] = ev_churn,
	[EV_HOUR] = ev_hour,
};

/* ---- a tile's start ---- */

void w_tile_rect(const world_cfg *C, unsigned i, int32_t *x0, int32_t *y0, int32_t *w, int32_t *h)
{
	double tw = C->area_m / C->tiles_x, th = C->area_m / C->tiles_y;
	*x0 = (int32_t)((i % C->tiles_x) * tw * 100.0);
	*y0 = (int32_t)((i / C->tiles_x) * th * 100.0);
	*w = (int32_t)(tw * 100.0) + 2;
	*h = (int32_t)(th * 100.0) + 2;
}

/* The tile's rectangle and its delay to the producers (access + core). */
static void tile_geometry(const world_cfg *C, wpart *P, unsigned i)
{
	w_tile_rect(C, i, &P->x0_cm, &P->y0_cm, &P->w_cm, &P->h_cm);
	P->delay_ns = C->tile_latency_ns + 20 * DN_UNITS_NS_PER_MS;
	P->out.size = sizeof(wtx);
	P->in.size = sizeof(wrcpt);
	P->orders.size = sizeof(word);
	P->sess.size = sizeof(wsess);
	P->free_slots.size = sizeof(uint32_t);
	P->quits.size = sizeof(uint32_t);
}

/* The spatial indexes of sharers and relays, and the matcher. */
static dn_rc tile_indexes(const world_cfg *C, dn_part *p, wpart *P)
{
	uint64_t n = P->end - P->begin;
	if (n == 0)
		n = 1;
	int32_t cell = (int32_t)(C->sharer_range_m * 100.0);
	dn_spatial_cfg sc = {P->x0_cm - 100, P->y0_cm - 100, P->w_cm + 200, P->h_cm + 200, cell, (uint32_t)n, false};
	dn_rc rc = dn_spatial_new(&sc, &P->sx);
	if (!rc) {
		sc.cell_cm = (int32_t)(C->relay_range_m * 100.0);
		rc = dn_spatial_new(&sc, &P->rx);
	}
	if (rc) {
		dn_part_set_error(p, "spatial index for tile %u: %s", P->tile, dn_rc_str(rc));
		return rc;
	}
	dn_match_cfg mcfg = {
		.radius_cm = cell,
		.max_radius_cm = (int64_t)(fmax(C->sharer_range_m, C->cell_range_m) * 100.0),
		.page = 64,
		.max_examined = 512,
	};
	if (mcfg.max_radius_cm < mcfg.radius_cm)
		mcfg.max_radius_cm = mcfg.radius_cm;
	return dn_match_new(&mcfg, &P->mt);
}

dn_rc w_part_start(dn_part *p)
{
	world *W = w_of(p);
	const world_cfg *C = &W->cfg;
	wpart *P = dn_part_model(p);
	unsigned i = dn_part_index(p);
	P->tile = i;
	dn_world_part_range(W->w, W->kind, i, &P->begin, &P->end);
	tile_geometry(C, P, i);
	dn_rc rc = dn_metrics_part_init(&P->m, &W->rec.met.cfg);
	if (!rc)
		rc = tile_indexes(C, p, P);
	if (!rc)
		rc = w_cross_tile_init(W, p, P);
	for (uint64_t a = P->begin; a < P->end && !rc; a++) {
		uint16_t role = W->ag.role[a];
		dn_rng r; /* one stream for the agent's sharer and relay draws */
		dn_rng_init(&r, C->seed, (uint32_t)a, P_CHURN, 1);
		if (role & W_SHARER)
			rc = w_sharer_start(W, p, P, (uint32_t)a, &r);
		if (!rc && (role & W_RELAY))
			rc = w_relay_start(W, p, P, (uint32_t)a, &r);
		if (!rc && (role & W_CONSUMER))
			rc = w_consumer_start(W, p, (uint32_t)a);
	}
	if (!rc)
		rc = dn_send(p, C->block_ns + P->delay_ns, i, 0, EV_BLOCKRX, 0, 0);
	if (!rc)
		rc = dn_send(p, C->block_ns / 2, i, 0, EV_HOUR, 0, 0);
	return rc;
}
