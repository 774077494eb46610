/*
 * world_consumer.c: what a consumer decides, inside its tile. Requests
 * arrive as a Poisson process with a diurnal rate (demand over the typical
 * session size); each asks for a session of a drawn size. The consumer is
 * matched (R-CRED-3, directly or over relays: world_relay.c), checks the
 * offer against the price it accepts (in USD per GB at the market price),
 * checks it can lock the deposit (R-CRED-2), else buys DNET with its USD
 * and asks again three blocks later; then it opens the session
 * (world_session.c does the rest). Its USD budget accrues between
 * requests. Not here: what the session does once open, or how a sharer
 * prices.
 */
#include "world.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

/* Retries and re-matches carry the units wanted in the event's data, and
 * for a re-match the old provider (as the tile's matcher numbers it,
 * w_match_id) above them. */
#define W_UNITS_BITS 40
#define W_UNITS_MASK ((UINT64_C(1) << W_UNITS_BITS) - 1)

enum { REQ_NEW = 0, REQ_RETRY = 1, REQ_REMATCH = 2 }; /* EV_REQUEST aux */

static double sessions_per_day(const world_cfg *C, float demand_mib_day)
{
	double n = demand_mib_day / C->session_mib_target;
	if (n < 0.05)
		n = 0.05;
	return n > C->sessions_day_max ? C->sessions_day_max : n;
}

/* Next request time after t: Poisson with a diurnal rate (thinning). */
static dn_time_ns next_request(const world *W, uint32_t a, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	double lam_max = sessions_per_day(C, W->ag.demand_mib_day[a]) * (1.0 + C->diurnal) / DN_UNITS_S_PER_DAY;
	dn_rng r;
	w_ev_rng(C, &r, a, P_REQ, t);
	double s = dn_s_of_ns(t);
	for (int i = 0; i < 1000; i++) {
		s += w_expo(&r, 1.0 / lam_max);
		double day = fmod(s, DN_UNITS_S_PER_DAY) / DN_UNITS_S_PER_DAY;
		double f = (1.0 + C->diurnal * sin(2 * M_PI * (day - 0.5))) / (1.0 + C->diurnal);
		if (dn_rng_u01(&r) < f)
			break;
	}
	return dn_ns_of_s(s);
}

/* A session's size: log-normal around the consumer's mean session. */
static uint64_t draw_units(const world *W, uint32_t a, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	dn_rng r;
	w_ev_rng(C, &r, a, P_SIZE, t);
	double mib = W->ag.demand_mib_day[a] / sessions_per_day(C, W->ag.demand_mib_day[a]);
	double u1 = dn_rng_u01(&r), u2 = dn_rng_u01(&r);
	double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2 * M_PI * u2);
	mib *= exp(0.5 * z - 0.125);
	double units = ceil(mib * 1048576.0 / (double)C->cp.unit_bytes);
	if (units < 1)
		units = 1;
	return units > 4e6 ? 4000000u : (uint64_t)units;
}

/* ---- rules §9 coverage: distinct consumers per block ---- */

/* The tile's coverage stamps, at its first consumer (the tile's own state). */
static dn_rc cov_alloc(wpart *P)
{
	if (P->cov_stamp)
		return DN_OK;
	size_t n = (size_t)(P->end - P->begin);
	P->cov_stamp = calloc(n ? n : 1, sizeof *P->cov_stamp);
	P->cov_wait = calloc(n ? n : 1, sizeof *P->cov_wait);
	P->cov_waitq.size = sizeof(uint32_t);
	P->cov_block = 1;
	if (!P->cov_stamp || !P->cov_wait) {
		free(P->cov_stamp);
		free(P->cov_wait);
		P->cov_stamp = NULL;
		P->cov_wait = NULL;
		return DN_ENOMEM;
	}
	return DN_OK;
}

void w_cov_mark(wpart *P, uint32_t a, bool served)
{
	/* only consumers of this tile mark, and their tile has the stamps */
	assert(P->cov_stamp && a >= P->begin && a < P->end);
	uint32_t *st = &P->cov_stamp[a - P->begin];
	if (*st >> 1 != P->cov_block) {
		*st = P->cov_block << 1 | (served ? 1u : 0u);
		P->cov_demand++;
		P->cov_served += served;
	} else if (served && !(*st & 1u)) {
		*st |= 1u;
		P->cov_served++;
	}
}

/* A consumer starts or stops waiting for the DNET it bought (R-CRED-2). */
dn_rc w_cov_wait(wpart *P, uint32_t a, bool waiting)
{
	uint8_t *f = &P->cov_wait[a - P->begin];
	if (!waiting) {
		*f &= (uint8_t)~1u;
		return DN_OK;
	}
	*f |= 1u;
	if (*f & 2u)
		return DN_OK;
	*f |= 2u;
	uint32_t l = a - (uint32_t)P->begin;
	return wvec_push(&P->cov_waitq, &l);
}

dn_rc w_cov_close(wpart *P, uint64_t *served, uint64_t *demand)
{
	*served = *demand = 0;
	if (!P->cov_stamp) {
		assert(P->sess.n == 0); /* no consumer, no session */
		return DN_OK;
	}
	/* a session being served is a consumer served; one being opened, demand */
	for (size_t i = 0; i < P->sess.n; i++) {
		const wsess *s = wvec_at(&P->sess, i);
		if (s->state == S_ACTIVE || s->state == S_OPENING || s->state == S_ASKING)
			w_cov_mark(P, s->consumer, s->state == S_ACTIVE);
	}
	/* consumers waiting for DNET have demand every block they wait */
	size_t k = 0;
	uint32_t *q = P->cov_waitq.v;
	for (size_t i = 0; i < P->cov_waitq.n; i++) {
		uint8_t *f = &P->cov_wait[q[i]];
		if (*f & 1u) {
			w_cov_mark(P, (uint32_t)P->begin + q[i], false);
			q[k++] = q[i];
		} else {
			*f = 0;
		}
	}
	P->cov_waitq.n = k;
	assert(P->cov_served <= P->cov_demand);
	*served = P->cov_served;
	*demand = P->cov_demand;
	P->cov_served = P->cov_demand = 0;
	P->cov_block++;
	return DN_OK;
}

/* ---- requests ---- */

dn_rc w_consumer_start(world *W, dn_part *p, uint32_t a)
{
	dn_rc rc = cov_alloc(dn_part_model(p));
	if (rc)
		return rc;
	dn_time_ns t0 = next_request(W, a, 0);
	return t0 < W->cfg.end_ns ? dn_send(p, t0, dn_part_index(p), a, EV_REQUEST, REQ_NEW, 0) : DN_OK;
}

dn_rc w_consumer_retry(dn_part *p, uint32_t a, uint64_t units, dn_time_ns t)
{
	return dn_send(p, t, dn_part_index(p), a, EV_REQUEST, REQ_RETRY, units);
}

dn_rc w_consumer_rematch(dn_part *p, uint32_t a, uint64_t units, uint32_t old_provider, dn_time_ns t)
{
	const wpart *P = dn_part_model(p);
	if (units == 0 || units > W_UNITS_MASK)
		return DN_OK;
	uint64_t id = w_match_id(P, old_provider);
	if (id >> (64 - W_UNITS_BITS))
		id = (UINT64_C(1) << (64 - W_UNITS_BITS)) - 1; /* beyond any id: nobody excluded */
	return dn_send(p, t, P->tile, a, EV_REQUEST, REQ_REMATCH, units | id << W_UNITS_BITS);
}

/* Nobody can serve the request (counted as unmet demand for the sharers'
 * and operators' decisions). */
static dn_rc unmatched(wpart *P)
{
	P->no_match++;
	P->demand_unmet_hour++;
	return dn_metrics_request_outcome(&P->m, 0, 1);
}

/* The deposit is not there (or a transaction is still on its way): buy
 * DNET for it with USD if it can afford at least half, and ask again
 * three blocks later. */
static dn_rc wait_for_funds(world *W, dn_part *p, uint32_t a, uint64_t units, dn_amount deposit, dn_amount bal)
{
	wpart *P = dn_part_model(p);
	world_agents *A = &W->ag;
	P->no_funds++;
	if (bal < deposit && !A->inflight[a]) {
		double need_usd = dn_usd_of_base((double)(deposit - bal), w_price(W)) * 1.1;
		int64_t budget = (int64_t)fmin((double)A->usd_micro[a], dn_usd_micro_of_usd(need_usd));
		if (budget < (int64_t)(dn_usd_micro_of_usd(need_usd) * 0.5))
			return dn_metrics_request_outcome(&P->m, 0, 1); /* cannot afford */
		A->usd_micro[a] -= budget;
		dn_rc rc = w_order_buy(p, a, budget, DN_METRICS_ROLE_CONSUMER);
		if (rc)
			return rc;
	}
	dn_rc rc = w_cov_wait(P, a, true);
	return rc ? rc : w_consumer_retry(p, a, units, dn_part_now(p) + 3 * W->cfg.block_ns);
}

/* A request for `units`: match, price check, deposit, open. `count`: a
 * new request (not a retry or re-match); `exclude`: the provider to avoid. */
static dn_rc start_request(world *W, dn_part *p, uint32_t a, uint64_t units, uint32_t exclude, bool count)
{
	const world_cfg *C = &W->cfg;
	wpart *P = dn_part_model(p);
	if (count)
		P->requests++;
	w_path pt;
	dn_rc rc = w_find_path(W, P, a, units, exclude, &pt);
	if (rc) {
		dn_part_set_error(p, "matching consumer %u: %s", a, dn_rc_str(rc));
		return rc;
	}
	if (pt.provider == W_NONE)
		return unmatched(P);
	double radio = w_path_radio_bps(W, a, &pt), rate = w_path_rate_from(W, P, &pt, radio);
	if (!(rate >= 1e3))
		return unmatched(P); /* in range on paper, but the radio path carries nothing */
	/* a provider of another tile: its price as the last block step saw it */
	dn_amount ppu = pt.xh ? P->hs[pt.xh - 1].price_base : W->ag.price_base[pt.provider];
	/* the price check, in USD per GB at the market price */
	double usd_gb = dn_usd_gb_of_base_per_unit((double)ppu, w_price(W), C->cp.unit_bytes);
	if (usd_gb > W->ag.wtp_usd_gb[a]) {
		P->too_expensive++;
		return dn_metrics_request_outcome(&P->m, 0, 1);
	}
	uint64_t dep_units = (uint64_t)ceil((double)units * C->deposit_factor);
	dn_amount deposit = (dn_amount)((dnc_u128)dep_units * (uint64_t)ppu);
	dn_amount bal = w_balance(W, a);
	if (bal < deposit || W->ag.inflight[a])
		return wait_for_funds(W, p, a, units, deposit, bal);
	rc = dn_metrics_request_outcome(&P->m, 1, 1);
	if (rc)
		return rc;
	w_open o = {
		.consumer = a, .path = &pt, .units = units, .deposit_units = dep_units,
		.price_per_unit_base = ppu, .rate_bps = rate, .radio_bps = radio,
	};
	return w_session_open(W, p, &o);
}

dn_rc w_ev_request(dn_part *p, const dn_event *ev)
{
	world *W = w_of(p);
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	uint32_t a = ev->dst;
	dn_time_ns now = dn_part_now(p);
	if (ev->aux == REQ_NEW) {
		/* a new arrival: schedule the next one first */
		dn_time_ns nx = next_request(W, a, now);
		if (nx < C->end_ns) {
			dn_rc rc = dn_send(p, nx, dn_part_index(p), a, EV_REQUEST, REQ_NEW, 0);
			if (rc)
				return rc;
		}
		w_cov_mark(dn_part_model(p), a, false); /* rules §9: demand */
		if (A->sess_of[a])
			return DN_OK; /* still being served */
		/* the month's budget accrues between requests */
		A->usd_micro[a] += (int64_t)llround(dn_usd_micro_of_usd(C->consumer_usd_month) * (double)(now - A->t_req_ns[a]) /
		                                    (30.0 * DN_UNITS_NS_PER_DAY_F));
		A->t_req_ns[a] = now; /* R-CHAIN-5 latency runs from here, across retries */
		return start_request(W, p, a, draw_units(W, a, now), W_NONE, true);
	}
	wpart *P = dn_part_model(p);
	dn_rc rc = w_cov_wait(P, a, false);
	if (rc)
		return rc;
	w_cov_mark(P, a, false);
	if (A->sess_of[a])
		return DN_OK;
	uint64_t units = ev->data & W_UNITS_MASK;
	uint32_t exclude = ev->aux == REQ_REMATCH ? w_match_agent(P, (uint32_t)(ev->data >> W_UNITS_BITS)) : W_NONE;
	return start_request(W, p, a, units, exclude, false);
}
