/*
 * world_sharer.c: sharers (R-SHARE-1), inside their tile: what a sharer
 * offers to the matcher (range, capacity left in its monthly quota and
 * sessions, price, stability), the tile's index of who is sharing now
 * (rented micro sites are in it too), its link's churn, and its hourly
 * review: reprice (fixed, undercut the cheapest in range, or adapt to
 * utilisation, never below a cost floor), stop sharing when it does not
 * pay, start when unmet demand promises enough, and sell part of its
 * earnings. Not here: the path to it (world_relay.c), the session
 * (world_session.c).
 */
#include "world.h"

#include <math.h>

#define W_SHARING (W_ON_LINK | W_ON_SHARING)

/* ---- the matcher's view ---- */

typedef struct offer_ctx {
	const world *W;
	const wpart *P;
	int32_t x, y;  /* where the request comes from (consumer or last relay), cm */
	uint64_t units;
	uint32_t self; /* the consumer: never its own distributor */
} offer_ctx;

static double range_of(const world *W, uint32_t a)
{
	return w_is_rented_site(W, a) ? W->cfg.cell_range_m : W->cfg.sharer_range_m;
}

static void offer_fn(void *ctx, uint32_t id, dnc_offer *o)
{
	offer_ctx *c = ctx;
	const world *W = c->W;
	const world_agents *A = &W->ag;
	uint32_t a = (uint32_t)(c->P->begin + id);
	double dx = (double)(A->x_cm[a] - c->x) / 100.0, dy = (double)(A->y_cm[a] - c->y) / 100.0;
	double d = sqrt(dx * dx + dy * dy);
	bool site = w_is_rented_site(W, a);
	uint32_t maxs = site ? W->cfg.cell_max_sessions : W->cfg.sharer_max_sessions;
	o->reachable = d <= range_of(W, a) && a != c->self && (!site || A->renter[a] - 1 != c->self);
	if (!o->reachable)
		return; /* R-CRED-3 passes it over whatever else it offers: its
		         * load, quota, price and stability are not read (in a
		         * widened search most candidates are sharers out of range) */
	o->capacity_units = A->nsess[a] < maxs && (site || A->quota_units[a] >= c->units)
	                  ? (site ? UINT32_MAX : A->quota_units[a]) : 0;
	o->price_per_unit = A->price_base[a];
	o->stability_ppm = site ? 999000u : (uint32_t)A->stab[a] * 3921u;
}

dn_rc w_match_at(const world *W, wpart *P, uint32_t self, int32_t x_cm, int32_t y_cm, uint64_t units,
                 uint32_t exclude, uint32_t *provider, uint32_t *xh, uint32_t *examined)
{
	offer_ctx c = {W, P, x_cm, y_cm, units, self};
	dn_match_view view = {offer_fn, &c};
	dn_match_result res;
	uint32_t ex = w_match_id(P, exclude);
	uint64_t nloc = P->end - P->begin;
	dn_rc rc = dn_match_find(P->mt, P->sx, &view, x_cm, y_cm, ex < nloc ? ex : DNC_NONE, &res);
	if (rc)
		return rc;
	*examined += res.examined;
	*provider = res.found ? (uint32_t)(P->begin + res.offer.id) : W_NONE;
	*xh = 0;
	if (!w_cross_near(W, P, x_cm, y_cm))
		return DN_OK;
	/* world.cross_tiles: the other tiles' sharers in reach, as the last
	 * block step saw them; both searches widen the same radii, so the
	 * first radius with an eligible offer is the smaller of the two, and
	 * at equal radii R-CRED-3 picks between the two bests */
	dn_match_result hr;
	rc = w_cross_match(W, P, x_cm, y_cm, units, ex != DNC_NONE && ex >= nloc ? (uint32_t)(ex - nloc) : DNC_NONE, &hr);
	if (rc || !hr.found)
		return rc;
	*examined += hr.examined;
	bool halo = !res.found || hr.radius_cm < res.radius_cm;
	if (!halo && hr.radius_cm == res.radius_cm) {
		dnc_offer o[2] = {res.offer, hr.offer};
		o[0].id = *provider;
		o[1].id = P->halo[hr.offer.id];
		uint32_t ch = 0;
		if (dnc_match_select(o, 2, DNC_NONE, &ch) == DNC_OK)
			halo = ch == 1;
	}
	if (halo) {
		*provider = P->halo[hr.offer.id];
		*xh = hr.offer.id + 1;
	}
	return DN_OK;
}

/* In the tile's index exactly while sharing with its link up, or rented as a cell. */
dn_rc w_index_sharer(const world *W, wpart *P, uint32_t a)
{
	bool want = (W->ag.role[a] & W_SHARER) && (W->ag.online[a] & W_SHARING) == W_SHARING;
	want |= w_is_rented_site(W, a);
	uint32_t id = (uint32_t)(a - P->begin);
	int32_t x, y;
	bool have = dn_spatial_get(P->sx, id, &x, &y) == DN_OK;
	if (want && !have)
		return dn_spatial_add(P->sx, id, W->ag.x_cm[a], W->ag.y_cm[a]);
	if (!want && have)
		return dn_spatial_remove(P->sx, id);
	return DN_OK;
}

/* ---- churn ---- */

/* Online (link up) most of the time; sharing as drawn at set-up. */
dn_rc w_sharer_start(world *W, dn_part *p, wpart *P, uint32_t a, dn_rng *r)
{
	const world_cfg *C = &W->cfg;
	uint8_t *on = W->ag.online;
	uint8_t sharing = (on[a] & W_ON_LINK) ? W_ON_SHARING : 0;
	double down_h = w_link_down_h(W, a);
	double avail = C->sharer_up_h / (C->sharer_up_h + down_h);
	bool up = dn_rng_u01(r) < avail;
	on[a] = (uint8_t)((on[a] & W_ON_RELAY) | sharing | (up ? W_ON_LINK : 0));
	dn_rc rc = w_index_sharer(W, P, a);
	P->sharers_online += (on[a] & W_SHARING) == W_SHARING;
	P->sharers_active += (on[a] & W_ON_SHARING) != 0;
	if (rc)
		return rc;
	return dn_send(p, dn_ns_of_s(w_expo(r, (up ? C->sharer_up_h : down_h) * 3600.0)) + 1, P->tile, a,
	               EV_CHURN, 0, 0);
}

/* The link goes down or comes back; *mean_h is how long the new state lasts on average. */
dn_rc w_sharer_churn(world *W, wpart *P, uint32_t a, double *mean_h)
{
	W->ag.online[a] ^= W_ON_LINK;
	*mean_h = (W->ag.online[a] & W_ON_LINK) ? W->cfg.sharer_up_h : w_link_down_h(W, a);
	dn_rc rc = w_cross_touch(W, P, a);
	return rc ? rc : w_index_sharer(W, P, a);
}

/* ---- the hourly review ---- */

/* Undercut the cheapest sharer in range a little, or adapt to utilisation. */
static dn_rc reprice(const world *W, wpart *P, uint32_t a, uint32_t strat, float *pu)
{
	const world_agents *A = &W->ag;
	if (strat == PRICE_UNDERCUT) {
		dn_spatial_hit h[9];
		uint32_t nh = 0;
		dn_rc rc = dn_spatial_knn(P->sx, A->x_cm[a], A->y_cm[a], 9, (int64_t)(W->cfg.sharer_range_m * 200.0), NULL,
		                          h, 9, &nh);
		if (rc)
			return rc;
		float best = *pu;
		for (uint32_t i = 0; i < nh; i++) {
			uint32_t b = (uint32_t)(P->begin + h[i].id);
			if (b != a && !w_is_rented_site(W, b) && A->price_usd_gb[b] < best)
				best = A->price_usd_gb[b];
		}
		if (best < *pu)
			*pu = best * 0.97f;
	} else if (strat == PRICE_ADAPTIVE) {
		if (A->nsess[a] * 2 >= W->cfg.sharer_max_sessions)
			*pu *= 1.10f;
		else if (A->earned_base[a] == 0)
			*pu *= 0.95f;
	}
	return DN_OK;
}

dn_rc w_sharer_hour(world *W, dn_part *p, wpart *P, uint32_t a, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	dn_rng r;
	w_ev_rng(C, &r, a, P_HOUR, now);
	double earned_usd = dn_usd_of_base((double)A->earned_base[a], w_price(W));
	/* what the chain pays traffic delegates per unit carried (R-CONS-3,
	 * R-EMIT-3), as everybody can read it off the last blocks: a sharer
	 * counts on it for the units it serves, at the market price. This is
	 * what makes sharing pay more when DNET is dear. */
	double units_hour = A->price_base[a] > 0 ? (double)A->earned_base[a] / (double)A->price_base[a] : 0;
	double reward_usd_per_unit = dn_usd_of_base(W->dl.reward_per_unit_base, w_price(W));
	earned_usd += units_hour * reward_usd_per_unit;
	double cost_usd_month = w_link_usd_month(W, a); /* its own link's (net.access.mix) */
	double cost_hour = cost_usd_month / (30.0 * 24.0);
	uint32_t strat = C->price_strategy == PRICE_MIXED ? a % 3 : C->price_strategy;
	float pu = A->price_usd_gb[a];
	float floor_usd = (float)(cost_usd_month / fmax(1.0, C->sharer_quota_gb) * 0.2);
	if (A->online[a] & W_ON_SHARING) {
		dn_rc rc = reprice(W, P, a, strat, &pu);
		if (rc)
			return rc;
		if (pu < floor_usd)
			pu = floor_usd;
		A->price_usd_gb[a] = pu;
		/* stop sharing when it does not pay (no session running) */
		if (earned_usd < C->sharer_leave_ratio * cost_hour && A->nsess[a] == 0 && dn_rng_u01(&r) < 1.0 / 24.0)
			A->online[a] &= (uint8_t)~W_ON_SHARING;
	} else {
		/* join when the demand nobody met in the last hour, shared with the
		 * tile's other sharers at this price, covers enough of the cost */
		double unmet = (double)(P->demand_unmet_hour > P->unmet_last_hour ? P->demand_unmet_hour : P->unmet_last_hour);
		double unmet_gb = unmet * C->session_mib_target / 1024.0 / (double)(P->sharers_online + 1);
		double unmet_units = dn_bytes_of_gb(unmet_gb) / (double)C->cp.unit_bytes;
		double exp_usd = unmet_gb * pu + unmet_units * reward_usd_per_unit + earned_usd;
		if (exp_usd >= C->sharer_join_ratio * cost_hour || dn_rng_u01(&r) < 0.01)
			A->online[a] |= W_ON_SHARING;
	}
	A->price_base[a] = w_unit_price(W, A->price_usd_gb[a]);
	if (w_cheap_sharer(W, a) && now >= C->attack_start_ns) {
		A->online[a] |= W_ON_SHARING; /* attack.kind cheap: always sharing */
		w_attack_price(W, a);
	}
	dn_rc rc = w_cross_touch(W, P, a); /* its price, at least, moved with the market */
	if (!rc)
		rc = w_index_sharer(W, P, a);
	if (rc)
		return rc;
	/* sell part of the earnings for USD */
	dn_amount sell = (dn_amount)((double)A->earned_base[a] * C->sharer_sell_fraction);
	A->earned_base[a] = 0;
	dn_amount bal = w_balance(W, a);
	if (sell > bal)
		sell = bal;
	if (C->sharer_keep_bond && C->cp.score_bond_base > 0) {
		/* keep the bond: sell only what it holds above it */
		dn_amount above = dnc_ledger_holdings(dnc_chain_ledger_c(W->ch.chain), w_acct(W, a)) - C->cp.score_bond_base;
		if (sell > above)
			sell = above > 0 ? above : 0;
	}
	return w_order_sell(p, a, sell, DN_METRICS_ROLE_SHARER);
}
