/*
 * world_agents.c: what agents do inside their tile (engine partition):
 * consumers request service, are matched (R-CRED-3) directly or over ad
 * hoc relay paths (R-SHARE-2), open sessions with a deposit (R-CRED-2),
 * sign cumulative credentials (R-CRED-4) that their distributor redeems
 * (R-CRED-6); sharers and relays churn and move; every hour sharers
 * reprice and decide whether sharing pays, traders trade, candidates pay
 * their running costs and holders re-vote (R-CONS-5). Nothing here writes
 * outside the tile: transactions and orders go to the tile's outboxes.
 */
#include "world.h"

#include <math.h>
#include <string.h>

enum { P_REQ = 0x57100, P_TICK, P_CHURN, P_HOUR, P_FRAUD, P_TRADE, P_VOTE, P_SIZE };

/* An rng stream for one event of one entity (streams of different events
 * never overlap: 64 blocks per nanosecond of time). */
static void ev_rng(const world *W, dn_rng *r, uint32_t entity, uint32_t purpose, dn_time_ns t)
{
	dn_rng_init(r, W->seed, entity, purpose, (uint64_t)t * 64u);
}

static double expo(dn_rng *r, double mean)
{
	return -mean * log(1.0 - dn_rng_u01(r));
}

static dn_time_ns secs(double s)
{
	return (dn_time_ns)llround(s * 1e9);
}

/* ---- outboxes ---- */

dn_rc w_submit(world *W, dn_part *p, uint32_t agent, uint32_t purpose, uint32_t slot, uint32_t gen,
               dnc_tx *tx, uint32_t fraud)
{
	wpart *P = dn_part_model(p);
	uint8_t sk[DNC_SK_BYTES];
	dn_rc rc = w_secret(W, agent, sk);
	if (rc)
		return rc;
	const dnc_ledger *L = dnc_chain_ledger_c(W->chain);
	tx->from = *dnc_ledger_pk(L, w_acct(W, agent));
	tx->nonce = dnc_ledger_nonce(L, w_acct(W, agent)) + W->inflight[agent];
	if (dnc_tx_sign(&W->sig, dnc_chain_id(W->chain), sk, tx)) {
		dn_part_set_error(p, "signing a transaction of agent %u", agent);
		return DN_EINVAL;
	}
	wtx q;
	memset(&q, 0, offsetof(wtx, tx));
	q.submit = dn_part_now(p);
	q.arrive = q.submit + P->delay;
	q.part = P->tile;
	q.agent = agent;
	q.slot = slot;
	q.gen = gen;
	q.purpose = purpose;
	q.fraud = fraud;
	q.seq = P->seq++;
	q.tx = *tx;
	W->inflight[agent]++;
	return wvec_push(&P->out, &q);
}

dn_rc w_order(world *W, dn_part *p, uint32_t agent, bool buy, int64_t amount, uint32_t role)
{
	(void)W;
	wpart *P = dn_part_model(p);
	if (amount <= 0)
		return DN_OK;
	word o = {
		.arrive = dn_part_now(p) + P->delay, .part = P->tile, .agent = agent,
		.buy = buy, .role = role, .amount = amount, .seq = P->seq++,
	};
	return wvec_push(&P->orders, &o);
}

/* ---- matching ---- */

typedef struct offer_ctx {
	world *W;
	wpart *P;
	int32_t x, y;  /* where the request comes from (consumer or last relay) */
	uint64_t units;
	uint32_t self; /* the consumer: never its own distributor */
} offer_ctx;

static bool is_site(const world *W, uint32_t a) { return (W->role[a] & W_SITE) && W->renter[a]; }

static double range_of(const world *W, uint32_t a)
{
	return is_site(W, a) ? W->cell_range_m : W->sharer_range_m;
}

static void offer_fn(void *ctx, uint32_t id, dnc_offer *o)
{
	offer_ctx *c = ctx;
	world *W = c->W;
	uint32_t a = (uint32_t)(c->P->begin + id);
	double dx = (double)(W->x[a] - c->x) / 100.0, dy = (double)(W->y[a] - c->y) / 100.0;
	double d = sqrt(dx * dx + dy * dy);
	bool site = is_site(W, a);
	uint32_t maxs = site ? W->cell_max_sessions : W->sharer_max_sessions;
	o->reachable = d <= range_of(W, a) && a != c->self && (!site || W->renter[a] - 1 != c->self);
	o->capacity_units = W->nsess[a] < maxs && (site || W->quota[a] >= c->units) ? (site ? UINT32_MAX : W->quota[a]) : 0;
	o->price_per_unit = W->price[a];
	o->stability_ppm = site ? 999000u : (uint32_t)W->stab[a] * 3921u;
}

static double wifi_goodput(const world *W, double d_m)
{
	double phy = dn_net_wifi_rate_bps(&W->mcfg, &W->calib, d_m < 1 ? 1 : d_m);
	if (phy <= 0)
		return 0;
	return dn_net_wifi_goodput_bps(phy, W->mcfg.pkt_bits) * W->calib.mesh_mac_eff;
}

static double dist_m(const world *W, uint32_t a, int32_t x, int32_t y)
{
	double dx = (double)(W->x[a] - x) / 100.0, dy = (double)(W->y[a] - y) / 100.0;
	return sqrt(dx * dx + dy * dy);
}

typedef struct path {
	uint32_t provider;          /* agent */
	uint32_t n_relays;
	uint32_t relay[W_MAX_RELAYS];
	double rate_bps;
	uint32_t examined;
} path;

/* R-CRED-3 over the tile's sharers from (x, y), excluding `exclude` (local id or DNC_NONE). */
static dn_rc match_at(world *W, wpart *P, uint32_t self, int32_t x, int32_t y, uint64_t units,
                      uint32_t exclude, uint32_t *provider, uint32_t *examined)
{
	offer_ctx c = {W, P, x, y, units, self};
	dn_match_view view = {offer_fn, &c};
	dn_match_result res;
	dn_rc rc = dn_match_find(P->mt, P->sx, &view, x, y, exclude, &res);
	if (rc)
		return rc;
	*examined += res.examined;
	*provider = res.found ? (uint32_t)(P->begin + res.offer.id) : W_NONE;
	return DN_OK;
}

/* Rate of a path (bit/s): Wi-Fi hops share one channel, the provider's
 * access link or cell is shared by its sessions. */
static double path_rate(const world *W, uint32_t consumer, const path *pt)
{
	double inv = 0;
	int32_t x = W->x[consumer], y = W->y[consumer];
	for (uint32_t i = 0; i <= pt->n_relays; i++) {
		uint32_t next = i < pt->n_relays ? pt->relay[i] : pt->provider;
		double d = dist_m(W, next, x, y);
		double g;
		if (i == pt->n_relays && is_site(W, next)) {
			/* the small cell (calibrated 5G model), shared round-robin */
			uint32_t m = (uint32_t)d;
			g = m < W->n_cell_rate ? W->cell_rate[m] / (double)(W->nsess[next] + 1u) : 0;
		} else {
			g = wifi_goodput(W, d);
		}
		if (g <= 0)
			return 0;
		inv += 1.0 / g;
		x = W->x[next];
		y = W->y[next];
	}
	double r = 1.0 / inv;
	uint32_t s = W->nsess[pt->provider] + 1u;
	if (is_site(W, pt->provider))
		return fmin(r, W->cell_capacity_mbps * 1e6 / s);
	return fmin(r, (double)W->access->down_bps / s);
}

/* Packet loss of a path: the sharer's access link and, for every Wi-Fi
 * hop, the calibrated frame delivery failure at that hop's length (a
 * rented cell's bearer counts as lossless). */
static double path_loss(const world *W, uint32_t consumer, const path *pt)
{
	double ok = is_site(W, pt->provider) ? 1.0 : 1.0 - W->access->loss;
	int32_t x = W->x[consumer], y = W->y[consumer];
	for (uint32_t i = 0; i <= pt->n_relays; i++) {
		uint32_t next = i < pt->n_relays ? pt->relay[i] : pt->provider;
		if (!(i == pt->n_relays && is_site(W, next)))
			ok *= dn_net_wifi_delivery(&W->mcfg, &W->calib, fmax(1.0, dist_m(W, next, x, y)));
		x = W->x[next];
		y = W->y[next];
	}
	return 1.0 - ok;
}

/* Direct match, else a breadth-first search over relays (up to max_hops). */
static dn_rc find_path(world *W, wpart *P, uint32_t consumer, uint64_t units, uint32_t exclude, path *pt)
{
	memset(pt, 0, sizeof *pt);
	pt->provider = W_NONE;
	uint32_t ex = exclude == W_NONE ? DNC_NONE : (uint32_t)(exclude - P->begin);
	dn_rc rc = match_at(W, P, consumer, W->x[consumer], W->y[consumer], units, ex, &pt->provider, &pt->examined);
	if (rc || pt->provider != W_NONE)
		return rc;
	if (W->max_hops == 0 || dn_spatial_count(P->rx) == 0)
		return DN_OK;
	/* Breadth-first over relays: entry e is a relay reached in depth[e]
	 * hops through parent[e]; entry W_NONE is the consumer itself. */
	enum { FMAX = 64, K = 4 };
	uint32_t node[FMAX], parent[FMAX], depth[FMAX];
	uint32_t nn = 0, tries = 0;
	int64_t rr = (int64_t)(W->relay_range_m * 100.0);
	for (uint32_t head = W_NONE;; head = head == W_NONE ? 0 : head + 1) {
		int32_t fx, fy;
		uint32_t d;
		if (head == W_NONE) {
			fx = W->x[consumer];
			fy = W->y[consumer];
			d = 0;
		} else {
			if (head >= nn)
				break;
			fx = W->x[node[head]];
			fy = W->y[node[head]];
			d = depth[head];
		}
		if (d >= W->max_hops)
			continue;
		dn_spatial_hit hits[K + 1];
		uint32_t nh = 0;
		rc = dn_spatial_knn(P->rx, fx, fy, K + 1, rr, NULL, hits, K + 1, &nh);
		if (rc)
			return rc;
		for (uint32_t h = 0; h < nh && nn < FMAX; h++) {
			uint32_t r = (uint32_t)(P->begin + hits[h].id);
			bool seen = r == consumer;
			for (uint32_t j = 0; j < nn && !seen; j++)
				seen = node[j] == r;
			if (seen)
				continue;
			node[nn] = r;
			parent[nn] = head;
			depth[nn] = d + 1;
			uint32_t me = nn++;
			if (tries++ >= 24)
				return DN_OK;
			uint32_t prov = W_NONE;
			rc = match_at(W, P, consumer, W->x[r], W->y[r], units, ex, &prov, &pt->examined);
			if (rc)
				return rc;
			if (prov == W_NONE || prov == consumer)
				continue;
			uint32_t chain[W_MAX_RELAYS], k = 0;
			bool bad = false;
			for (uint32_t j = me; j != W_NONE && k < W_MAX_RELAYS; j = parent[j]) {
				chain[k++] = node[j];
				bad |= node[j] == prov;
			}
			if (bad)
				continue;
			pt->provider = prov;
			pt->n_relays = k;
			for (uint32_t j = 0; j < k; j++)
				pt->relay[j] = chain[k - 1 - j];
			return DN_OK;
		}
	}
	return DN_OK;
}

/* ---- consumers ---- */

static double sessions_per_day(const world *W, uint32_t a)
{
	double n = W->demand[a] / W->session_mib_target;
	if (n < 0.05)
		n = 0.05;
	return n > W->sessions_day_max ? W->sessions_day_max : n;
}

/* Next request time after t: Poisson with a diurnal rate (thinning). */
static dn_time_ns next_request(const world *W, uint32_t a, dn_time_ns t)
{
	double lam_max = sessions_per_day(W, a) * (1.0 + W->diurnal) / 86400.0;
	dn_rng r;
	ev_rng(W, &r, a, P_REQ, t);
	double s = (double)t / 1e9;
	for (int i = 0; i < 1000; i++) {
		s += expo(&r, 1.0 / lam_max);
		double day = fmod(s, 86400.0) / 86400.0;
		double f = (1.0 + W->diurnal * sin(2 * M_PI * (day - 0.5))) / (1.0 + W->diurnal);
		if (dn_rng_u01(&r) < f)
			break;
	}
	return secs(s);
}

static wsess *slot_at(wpart *P, uint32_t slot) { return wvec_at(&P->sess, slot); }

static dn_rc slot_new(wpart *P, uint32_t *slot)
{
	if (P->free_slots.n) {
		P->free_slots.n--;
		*slot = *(uint32_t *)wvec_at(&P->free_slots, P->free_slots.n);
		return DN_OK;
	}
	wsess z;
	memset(&z, 0, sizeof z);
	*slot = (uint32_t)P->sess.n;
	return wvec_push(&P->sess, &z);
}

static dn_rc slot_free(wpart *P, uint32_t slot)
{
	wsess *s = slot_at(P, slot);
	uint32_t gen = s->gen + 1;
	memset(s, 0, sizeof *s);
	s->gen = gen;
	s->state = S_FREE;
	return wvec_push(&P->free_slots, &slot);
}

static void release_provider(world *W, wsess *s)
{
	if (W->nsess[s->provider])
		W->nsess[s->provider]--;
	if (!is_site(W, s->provider) && s->units_reserved > s->units_done) {
		uint64_t back = s->units_reserved - s->units_done;
		s->units_reserved = s->units_done;
		uint64_t q = (uint64_t)W->quota[s->provider] + back;
		W->quota[s->provider] = q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
	}
}

/* A request for `units` (0: draw the size). aux 1 = a retry or re-match
 * (no new arrival is scheduled), data = units wanted, exclude in dst? */
static dn_rc start_request(world *W, dn_part *p, uint32_t a, uint64_t units, uint32_t exclude, bool count)
{
	wpart *P = dn_part_model(p);
	dn_time_ns now = dn_part_now(p);
	if (count)
		P->requests++;
	path pt;
	dn_rc rc = find_path(W, P, a, units, exclude, &pt);
	if (rc) {
		dn_part_set_error(p, "matching consumer %u: %s", a, dn_rc_str(rc));
		return rc;
	}
	if (pt.provider == W_NONE) {
		P->no_match++;
		P->demand_unmet_hour++;
		return dn_metrics_coverage(&P->m, 0, 1);
	}
	double rate = path_rate(W, a, &pt);
	if (!(rate >= 1e3)) {
		/* in range on paper, but the radio path carries nothing */
		P->no_match++;
		P->demand_unmet_hour++;
		return dn_metrics_coverage(&P->m, 0, 1);
	}
	dn_amount ppu = W->price[pt.provider];
	/* price check in USD per GB at the market price */
	double usd_gb = (double)ppu / 1e8 * ((double)w_price(W) / 1e6) * 1e9 / (double)W->cp.unit_bytes;
	if (usd_gb > W->wtp[a]) {
		P->too_expensive++;
		return dn_metrics_coverage(&P->m, 0, 1);
	}
	uint64_t dep_units = (uint64_t)ceil((double)units * W->deposit_factor);
	dn_amount deposit = (dn_amount)((dnc_u128)dep_units * (uint64_t)ppu);
	const dnc_ledger *L = dnc_chain_ledger_c(W->chain);
	dn_amount bal = dnc_ledger_balance(L, w_acct(W, a));
	if (bal < deposit || W->inflight[a]) {
		/* buy DNET for the deposit with USD, retry after the next blocks */
		P->no_funds++;
		if (bal < deposit && !W->inflight[a]) {
			double need_usd = (double)(deposit - bal) / 1e8 * ((double)w_price(W) / 1e6) * 1.1;
			int64_t budget = (int64_t)fmin((double)W->usd[a], need_usd * 1e6);
			if (budget < (int64_t)(need_usd * 1e6 * 0.5))
				return dn_metrics_coverage(&P->m, 0, 1); /* cannot afford */
			W->usd[a] -= budget;
			rc = w_order(W, p, a, true, budget, DN_METRICS_ROLE_CONSUMER);
			if (rc)
				return rc;
		}
		return dn_send(p, now + 3 * W->block_ns, P->tile, a, EV_REQUEST, 1, units);
	}
	rc = dn_metrics_coverage(&P->m, 1, 1);
	if (rc)
		return rc;
	uint32_t slot;
	rc = slot_new(P, &slot);
	if (rc)
		return rc;
	wsess *s = slot_at(P, slot);
	s->state = S_OPENING;
	s->consumer = a;
	s->provider = pt.provider;
	/* the node that serves redeems the credentials: the sharer's, or for
	 * a rented small cell the owner's home node, whose takings the block
	 * step sweeps to the operator (only tile-local agents sign here) */
	s->payee = pt.provider;
	s->op = is_site(W, pt.provider) ? W->renter[pt.provider] - 1 : W_NONE;
	s->n_relays = pt.n_relays;
	memcpy(s->relay, pt.relay, sizeof pt.relay);
	s->t_request = W->t_req[a] > 0 && W->t_req[a] <= now ? W->t_req[a] : now;
	s->units_want = units;
	s->units_deposit = dep_units;
	s->price_per_unit = ppu;
	s->rate_bps = rate;
	s->loss = path_loss(W, a, &pt);
	bool site = is_site(W, pt.provider);
	s->fraud = !site && (W->role[pt.provider] & W_FRAUD) ? 1 : (W->role[a] & W_FRAUD) && !(W->role[a] & W_SHARER) ? 2 : 0;
	W->nsess[pt.provider]++;
	if (!site) {
		s->units_reserved = dep_units < W->quota[pt.provider] ? dep_units : W->quota[pt.provider];
		W->quota[pt.provider] -= (uint32_t)s->units_reserved;
	}
	W->sess_of[a] = slot + 1;
	if (pt.n_relays)
		P->relayed_sessions++;
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_OPEN;
	tx.u.open.distributor = *dnc_ledger_pk(L, w_acct(W, s->payee));
	tx.u.open.price_per_unit = ppu;
	tx.u.open.units = dep_units;
	tx.u.open.expiry_s = (dnc_time_s)(now / 1000000000 + 6 * 3600);
	return w_submit(W, p, a, TX_OPEN, slot, s->gen, &tx, 0);
}

static uint64_t draw_units(const world *W, uint32_t a, dn_time_ns t)
{
	dn_rng r;
	ev_rng(W, &r, a, P_SIZE, t);
	double mib = W->demand[a] / sessions_per_day(W, a);
	double u1 = dn_rng_u01(&r), u2 = dn_rng_u01(&r);
	double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2 * M_PI * u2);
	mib *= exp(0.5 * z - 0.125);
	double units = ceil(mib * 1048576.0 / (double)W->cp.unit_bytes);
	if (units < 1)
		units = 1;
	return units > 4e6 ? 4000000u : (uint64_t)units;
}

static dn_rc ev_request(dn_part *p, const dn_event *ev)
{
	world *W = dn_world_model(dn_part_world(p));
	uint32_t a = ev->dst;
	dn_time_ns now = dn_part_now(p);
	dn_rc rc;
	if (ev->aux == 0) {
		/* a new arrival: schedule the next one first */
		dn_time_ns nx = next_request(W, a, now);
		if (nx < W->end_ns) {
			rc = dn_send(p, nx, dn_part_index(p), a, EV_REQUEST, 0, 0);
			if (rc)
				return rc;
		}
		if (W->sess_of[a])
			return DN_OK; /* still being served */
		/* the month's budget accrues between requests */
		W->usd[a] += (int64_t)llround(W->consumer_usd_month * 1e6 * (double)(now - W->t_req[a]) / (30.0 * 86400e9));
		W->t_req[a] = now; /* R-CHAIN-5 latency runs from here, across retries */
		return start_request(W, p, a, draw_units(W, a, now), W_NONE, true);
	}
	if (W->sess_of[a])
		return DN_OK;
	uint64_t units = ev->data & ((UINT64_C(1) << 40) - 1);
	const wpart *P = dn_part_model(p);
	uint32_t exclude = ev->aux == 2 ? (uint32_t)(P->begin + (ev->data >> 40)) : W_NONE;
	return start_request(W, p, a, units, exclude, false);
}

/* The distributor sends the consumer's latest credential for
 * redemption (R-CRED-6) as `purpose` (TX_REDEEM or TX_REDEEM_FINAL). */
static dn_rc send_redeem(world *W, dn_part *p, uint32_t slot, wsess *s, uint32_t purpose)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_REDEEM;
	tx.u.redeem.session_id = s->chain_id;
	tx.u.redeem.cred = s->cred;
	s->cred_prev = s->cred;
	s->redeems_in_flight++;
	return w_submit(W, p, s->payee, purpose, slot, s->gen, &tx, 0);
}

/* The distributor closes the session: the unused deposit returns (R-CRED-6). */
static dn_rc send_close(world *W, dn_part *p, uint32_t slot, wsess *s)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_CLOSE;
	tx.u.close.session_id = s->chain_id;
	return w_submit(W, p, s->payee, TX_CLOSE, slot, s->gen, &tx, 0);
}

/* The distributor redeems the consumer's latest credential. */
static dn_rc redeem(world *W, dn_part *p, uint32_t slot, wsess *s, bool final)
{
	dn_rc rc;
	if (s->fraud == 1 && final) {
		/* R-CRED-7: a forged credential claiming half as much again */
		dn_rng r;
		ev_rng(W, &r, s->payee, P_FRAUD, dn_part_now(p));
		dnc_tx f;
		memset(&f, 0, sizeof f);
		f.type = DNC_TX_REDEEM;
		f.u.redeem.session_id = s->chain_id;
		f.u.redeem.cred = s->cred;
		f.u.redeem.cred.total_units = s->cred.total_units + s->cred.total_units / 2 + 1;
		if (dn_rng_u01(&r) < 0.5 && s->cred_prev.session_id && s->redeems_in_flight == 0)
			f.u.redeem.cred = s->cred_prev; /* a replay of a credential already redeemed */
		rc = w_submit(W, p, s->payee, TX_REDEEM, slot, s->gen, &f, 1);
		if (rc)
			return rc;
	}
	if (s->cred.total_units <= s->units_redeemed && !final)
		return DN_OK;
	return send_redeem(W, p, slot, s, final ? TX_REDEEM_FINAL : TX_REDEEM);
}

static dn_rc sign_credential(world *W, wsess *s, uint64_t total)
{
	uint8_t sk[DNC_SK_BYTES];
	dn_rc rc = w_secret(W, s->consumer, sk);
	if (rc)
		return rc;
	s->cred.session_id = s->chain_id;
	s->cred.total_units = total;
	s->cred.seq = ++s->cred_seq;
	/* made out to this chain and this session's distributor (R-CRED-7) */
	const dnc_pubkey *dist = dnc_ledger_pk(dnc_chain_ledger_c(W->chain), w_acct(W, s->payee));
	return dnc_credential_sign(&W->sig, dnc_chain_id(W->chain), dist, sk, &s->cred) ? DN_EINVAL : DN_OK;
}

/* End of service: the last redeem, then (on its receipt) the close. */
static dn_rc finish_session(world *W, dn_part *p, wpart *P, uint32_t slot, wsess *s)
{
	s->state = S_FINAL;
	release_provider(W, s);
	if (s->cred.total_units == 0) {
		/* nothing to redeem: close at once */
		s->state = S_CLOSING;
		return send_close(W, p, slot, s);
	}
	return redeem(W, p, slot, s, true);
}

static dn_rc ev_tick(dn_part *p, const dn_event *ev)
{
	world *W = dn_world_model(dn_part_world(p));
	wpart *P = dn_part_model(p);
	uint32_t slot = ev->dst;
	wsess *s = slot_at(P, slot);
	if (s->state != S_ACTIVE || s->gen != (uint32_t)ev->data)
		return DN_OK;
	dn_time_ns now = dn_part_now(p);
	double bits = s->rate_bps * (double)(now - s->t_start) / 1e9;
	uint64_t done = (uint64_t)(bits / 8.0 / (double)W->cp.unit_bytes);
	if (done > s->units_want)
		done = s->units_want;
	if (done > s->units_done) {
		P->units_delivered += done - s->units_done;
		s->units_done = done;
	}
	dn_rng r;
	ev_rng(W, &r, s->consumer, P_TICK, now);
	dn_rc rc;
	/* R-CRED-5: a consumer that stops signing is cut off after the grace units */
	if (s->fraud == 2 && s->cred_seq >= 1) {
		if (s->units_done > s->cred.total_units + W->cp.grace_units) {
			dn_metrics_fraud(&P->m, true);
			s->units_done = s->cred.total_units + W->cp.grace_units;
			return finish_session(W, p, P, slot, s);
		}
	} else if (s->units_done > s->cred.total_units) {
		rc = sign_credential(W, s, s->units_done);
		if (rc) {
			dn_part_set_error(p, "signing a credential");
			return rc;
		}
	}
	if (s->units_done >= s->units_want)
		return finish_session(W, p, P, slot, s);
	/* R-CRED-3: the provider left, or the link degraded: re-match */
	bool gone = !is_site(W, s->provider) && (W->online[s->provider] & 5) != 5;
	for (uint32_t i = 0; i < s->n_relays; i++)
		gone |= !(W->online[s->relay[i]] & 2);
	if (gone || dn_rng_u01(&r) < W->degrade_prob) {
		P->rematches++;
		uint64_t left = s->units_want - s->units_done;
		uint32_t prov = s->provider;
		rc = finish_session(W, p, P, slot, s);
		if (rc)
			return rc;
		/* the old session winds down (last redeem, close) in its slot; the
		 * consumer is free to be matched again at once, without it */
		W->sess_of[s->consumer] = 0;
		W->t_req[s->consumer] = now;
		if (left > 0 && left < (UINT64_C(1) << 40))
			rc = dn_send(p, now + 1, P->tile, s->consumer, EV_REQUEST, 2,
			             left | ((uint64_t)(prov - P->begin) << 40));
		return rc;
	}
	/* intermediate redeem every 30 credentials */
	if (s->cred_seq % 30 == 0 && s->redeems_in_flight == 0) {
		rc = redeem(W, p, slot, s, false);
		if (rc)
			return rc;
	}
	dn_time_ns step = secs(W->cred_interval_s);
	/* do not tick past the end of the transfer by much */
	double need_s = ((double)s->units_want * 8.0 * (double)W->cp.unit_bytes) / s->rate_bps -
	                (double)(now - s->t_start) / 1e9;
	if (need_s > 0 && secs(need_s) + 1 < step)
		step = secs(need_s) + 1;
	return dn_send(p, now + step, P->tile, slot, EV_TICK, 0, s->gen);
}

/* ---- receipts of the last block ---- */

static dn_rc ev_blockrx(dn_part *p, const dn_event *ev)
{
	(void)ev;
	world *W = dn_world_model(dn_part_world(p));
	wpart *P = dn_part_model(p);
	dn_time_ns now = dn_part_now(p);
	dn_rc rc = DN_OK;
	for (size_t i = 0; i < P->in.n && !rc; i++) {
		const wrcpt *c = wvec_at(&P->in, i);
		if (c->purpose == TX_UNLOCK) {
			if (c->rc == DNC_OK)
				rc = w_order(W, p, c->agent, false, (dn_amount)((double)c->amount * W->team_sell_fraction),
				             DN_METRICS_ROLE_HOLDER);
			continue;
		}
		if (c->purpose == TX_VOTE || c->purpose == TX_RENT || c->purpose == TX_RETRACT)
			continue;
		wsess *s = slot_at(P, c->slot);
		if (s->gen != c->gen || s->state == S_FREE)
			continue;
		switch (c->purpose) {
		case TX_OPEN:
			if (c->rc == DNC_OK) {
				s->state = S_ACTIVE;
				s->chain_id = c->value;
				s->t_start = s->t_last = now;
				/* R-CHAIN-5: request to first byte */
				rc = dn_metrics_service_latency(&P->m, now - s->t_request);
				if (!rc)
					rc = dn_send(p, now + secs(W->cred_interval_s), P->tile, c->slot, EV_TICK, 0, s->gen);
				if (!rc) {
					P->rate_sum += s->rate_bps;
					P->rate_n++;
					/* one-way delay of the path: the sharer's access link
					 * (or the cell's bearer) plus the calibrated per-hop
					 * Wi-Fi delay of every radio hop */
					double d = is_site(W, s->provider) ? W->calib.cell_base_delay_s
					                                   : (double)W->access->latency_ns / 1e9 +
					                                     W->calib.mesh_hop_delay_s * (double)(s->n_relays + 1);
					P->delay_sum += d;
					P->loss_sum += s->loss;
				}
			} else {
				uint32_t a = s->consumer;
				uint64_t units = s->units_want;
				release_provider(W, s);
				if (W->sess_of[a] == c->slot + 1)
					W->sess_of[a] = 0;
				rc = slot_free(P, c->slot);
				if (!rc && c->rc == DNC_EBADNONCE)
					rc = dn_send(p, now + W->block_ns, P->tile, a, EV_REQUEST, 1, units);
			}
			break;
		case TX_REDEEM:
		case TX_REDEEM_FINAL:
			if (c->fraud)
				break;
			if (s->redeems_in_flight)
				s->redeems_in_flight--;
			if (c->rc == DNC_OK) {
				if (c->value > s->units_redeemed)
					s->units_redeemed = c->value;
			} else if (c->rc == DNC_EREPLAY && c->purpose == TX_REDEEM_FINAL) {
				/* nothing new since the last redeem: go on to the close */
			} else if (c->rc == DNC_EBADNONCE) {
				/* an earlier transaction of the distributor failed: send again */
				rc = send_redeem(W, p, c->slot, s, c->purpose);
				break;
			}
			if (c->purpose == TX_REDEEM_FINAL && s->state == S_FINAL) {
				s->state = S_CLOSING;
				rc = send_close(W, p, c->slot, s);
			}
			break;
		case TX_CLOSE:
			if (c->rc == DNC_EBADNONCE) {
				rc = send_close(W, p, c->slot, s);
				break;
			}
			if (W->sess_of[s->consumer] == c->slot + 1)
				W->sess_of[s->consumer] = 0;
			rc = slot_free(P, c->slot);
			break;
		default:
			break;
		}
	}
	P->in.n = 0;
	if (rc)
		return rc;
	/* active sessions, online sharers */
	uint64_t act = 0;
	for (size_t i = 0; i < P->sess.n; i++)
		act += ((wsess *)wvec_at(&P->sess, i))->state == S_ACTIVE;
	P->active_sessions = act;
	dn_time_ns nx = now + W->block_ns;
	return nx < W->end_ns ? dn_send(p, nx, P->tile, 0, EV_BLOCKRX, 0, 0) : DN_OK;
}

/* ---- churn and mobility ---- */

dn_rc w_index_sharer(world *W, wpart *P, uint32_t a)
{
	bool want = (W->role[a] & W_SHARER) && (W->online[a] & 5) == 5;
	want |= is_site(W, a);
	uint32_t id = (uint32_t)(a - P->begin);
	int32_t x, y;
	bool have = dn_spatial_get(P->sx, id, &x, &y) == DN_OK;
	if (want && !have)
		return dn_spatial_add(P->sx, id, W->x[a], W->y[a]);
	if (!want && have)
		return dn_spatial_remove(P->sx, id);
	return DN_OK;
}

static dn_rc ev_churn(dn_part *p, const dn_event *ev)
{
	world *W = dn_world_model(dn_part_world(p));
	wpart *P = dn_part_model(p);
	uint32_t a = ev->dst;
	dn_time_ns now = dn_part_now(p);
	dn_rng r;
	ev_rng(W, &r, a, P_CHURN, now);
	dn_rc rc = DN_OK;
	double mean_h;
	if (ev->aux == 0) { /* sharer connectivity */
		W->online[a] ^= 1;
		mean_h = (W->online[a] & 1) ? W->sharer_up_h : W->sharer_down_h;
		rc = w_index_sharer(W, P, a);
	} else { /* relay: leaves, or comes back somewhere else in the tile */
		W->online[a] ^= 2;
		uint32_t id = (uint32_t)(a - P->begin);
		if (W->online[a] & 2) {
			mean_h = W->relay_up_h;
			if (!(W->role[a] & (W_SHARER | W_SITE))) {
				/* random waypoint, in jumps: a new spot within 300 m */
				double dx = (dn_rng_u01(&r) - 0.5) * 600.0, dy = (dn_rng_u01(&r) - 0.5) * 600.0;
				double nx = (double)W->x[a] / 100.0 + dx, ny = (double)W->y[a] / 100.0 + dy;
				double x0 = P->x0 / 100.0, y0 = P->y0 / 100.0;
				nx = fmin(fmax(nx, x0), x0 + P->w / 100.0 - 0.01);
				ny = fmin(fmax(ny, y0), y0 + P->h / 100.0 - 0.01);
				W->x[a] = (int32_t)(nx * 100.0);
				W->y[a] = (int32_t)(ny * 100.0);
			}
			rc = dn_spatial_add(P->rx, id, W->x[a], W->y[a]);
		} else {
			mean_h = W->relay_down_h;
			rc = dn_spatial_remove(P->rx, id);
		}
	}
	if (rc) {
		dn_part_set_error(p, "spatial index update for agent %u: %s", a, dn_rc_str(rc));
		return rc;
	}
	dn_time_ns nx = now + secs(expo(&r, mean_h * 3600.0)) + 1;
	return nx < W->end_ns ? dn_send(p, nx, P->tile, a, EV_CHURN, ev->aux, 0) : DN_OK;
}

/* ---- hourly decisions ---- */

static dn_rc sharer_hour(world *W, dn_part *p, wpart *P, uint32_t a, dn_time_ns now)
{
	dn_rng r;
	ev_rng(W, &r, a, P_HOUR, now);
	double price = (double)w_price(W) / 1e6;
	double earned_usd = (double)W->earned[a] / 1e8 * price;
	/* what the chain pays traffic delegates per unit carried (R-CONS-3,
	 * R-EMIT-3), as everybody can read it off the last blocks: a sharer
	 * counts on it for the units it serves, at the market price. This is
	 * what makes sharing pay more when DNET is dear. */
	double units_hour = W->price[a] > 0 ? (double)W->earned[a] / (double)W->price[a] : 0;
	double reward_usd_per_unit = W->reward_per_unit / 1e8 * price;
	earned_usd += units_hour * reward_usd_per_unit;
	double cost_hour = W->sharer_cost_usd_month / (30.0 * 24.0);
	uint32_t strat = W->price_strategy == PRICE_MIXED ? a % 3 : W->price_strategy;
	float pu = W->price_usd[a];
	float floor_usd = (float)(W->sharer_cost_usd_month / fmax(1.0, W->sharer_quota_gb) * 0.2);
	if (W->online[a] & 4) {
		if (strat == PRICE_UNDERCUT) {
			/* the cheapest sharer in range, a little below it */
			dn_spatial_hit h[9];
			uint32_t nh = 0;
			dn_rc rc = dn_spatial_knn(P->sx, W->x[a], W->y[a], 9, (int64_t)(W->sharer_range_m * 200.0), NULL, h, 9, &nh);
			if (rc)
				return rc;
			float best = pu;
			for (uint32_t i = 0; i < nh; i++) {
				uint32_t b = (uint32_t)(P->begin + h[i].id);
				if (b != a && !is_site(W, b) && W->price_usd[b] < best)
					best = W->price_usd[b];
			}
			if (best < pu)
				pu = best * 0.97f;
		} else if (strat == PRICE_ADAPTIVE) {
			if (W->nsess[a] * 2 >= W->sharer_max_sessions)
				pu *= 1.10f;
			else if (W->earned[a] == 0)
				pu *= 0.95f;
		}
		if (pu < floor_usd)
			pu = floor_usd;
		W->price_usd[a] = pu;
		/* stop sharing when it does not pay (no session running) */
		if (earned_usd < W->sharer_leave_ratio * cost_hour && W->nsess[a] == 0 && dn_rng_u01(&r) < 1.0 / 24.0)
			W->online[a] &= (uint8_t)~4;
	} else {
		/* join when the demand nobody met in the last hour, shared with the
		 * tile's other sharers at this price, covers enough of the cost */
		double unmet = (double)(P->demand_unmet_hour > P->unmet_last_hour ? P->demand_unmet_hour : P->unmet_last_hour);
		double unmet_gb = unmet * W->session_mib_target / 1024.0 / (double)(P->sharers_online + 1);
		double unmet_units = unmet_gb * 1e9 / (double)W->cp.unit_bytes;
		double exp_usd = unmet_gb * pu + unmet_units * reward_usd_per_unit + earned_usd;
		if (exp_usd >= W->sharer_join_ratio * cost_hour || dn_rng_u01(&r) < 0.01)
			W->online[a] |= 4;
	}
	W->price[a] = w_unit_price(W, W->price_usd[a]);
	dn_rc rc = w_index_sharer(W, P, a);
	if (rc)
		return rc;
	/* sell part of the earnings for USD */
	dn_amount sell = (dn_amount)((double)W->earned[a] * W->sharer_sell_fraction);
	W->earned[a] = 0;
	dn_amount bal = dnc_ledger_balance(dnc_chain_ledger_c(W->chain), w_acct(W, a));
	if (sell > bal)
		sell = bal;
	return w_order(W, p, a, false, sell, DN_METRICS_ROLE_SHARER);
}

static dn_rc trader_hour(world *W, dn_part *p, uint32_t a, dn_time_ns now)
{
	dn_rng r;
	ev_rng(W, &r, a, P_TRADE, now);
	if (dn_rng_u01(&r) >= W->trade_prob_hour)
		return DN_OK;
	double price = (double)w_price(W), prev = (double)W->price_prev, avg = (double)W->price_avg;
	int dir = 0;
	if (W->role[a] & W_MOMENTUM) {
		if (price > prev * 1.002)
			dir = 1;
		else if (price < prev * 0.998)
			dir = -1;
	} else {
		/* each value trader has its own view of fair value around the long average */
		dn_rng v;
		dn_rng_init(&v, W->seed, a, P_TRADE, 0);
		double value = avg * exp(0.25 * (dn_rng_u01(&v) - 0.5));
		if (price < value * 0.97)
			dir = 1;
		else if (price > value * 1.03)
			dir = -1;
	}
	if (dir > 0) {
		int64_t budget = (int64_t)((double)W->usd[a] * W->trade_fraction);
		W->usd[a] -= budget;
		return w_order(W, p, a, true, budget, DN_METRICS_ROLE_TRADER);
	}
	if (dir < 0) {
		dn_amount bal = dnc_ledger_balance(dnc_chain_ledger_c(W->chain), w_acct(W, a));
		return w_order(W, p, a, false, (dn_amount)((double)bal * W->trade_fraction), DN_METRICS_ROLE_TRADER);
	}
	return DN_OK;
}

/* R-CONS-5: a holder (re-)votes with its stake for the most reliable of
 * three campaigning candidates it hears of. */
static dn_rc holder_vote(world *W, dn_part *p, uint32_t a, dn_time_ns now)
{
	dn_rng r;
	ev_rng(W, &r, a, P_VOTE, now);
	uint32_t best = W_NONE;
	double best_score = -1;
	double total = W->campaign_cum[W->candidates - 1];
	for (int k = 0; k < 3; k++) {
		/* a candidate is heard of in proportion to its campaign */
		double u = dn_rng_u01(&r) * total;
		uint32_t lo = 0, hi = W->candidates - 1;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (W->campaign_cum[mid] > u)
				hi = mid;
			else
				lo = mid + 1;
		}
		uint32_t c = W->cand[lo];
		if (!(W->role[c] & W_CANDIDATE))
			continue;
		double score = (double)W->stab[c] + 40.0 * dn_rng_u01(&r);
		if (score > best_score) {
			best_score = score;
			best = c;
		}
	}
	if (best == W_NONE || best == a || W->inflight[a])
		return DN_OK;
	const dnc_ledger *L = dnc_chain_ledger_c(W->chain);
	const dnc_account *ac = dnc_ledger_account(L, w_acct(W, a));
	dn_amount have = dnc_ledger_balance(L, w_acct(W, a)) + (ac ? ac->lock[DNC_LOCK_STAKE] : 0);
	dn_amount v = (dn_amount)((double)have * W->vote_fraction);
	if (v <= 0)
		return DN_OK;
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_VOTE;
	tx.u.vote.candidate = *dnc_ledger_pk(L, w_acct(W, best));
	tx.u.vote.amount = v;
	return w_submit(W, p, a, TX_VOTE, 0, 0, &tx, 0);
}

static dn_rc candidate_day(world *W, dn_part *p, wpart *P, uint32_t a)
{
	/* running cost, paid in USD: upkeep, energy, storage of the whole
	 * chain so far (R-CHAIN-2), campaign; earnings sold to cover it */
	uint32_t lo = 0, hi = W->candidates - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (W->cand[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	double campaign = W->cand[lo] == a ? W->campaign[lo] : 0;
	double cost_usd = W->candidate_cost_usd_day + W->energy_kwh_day * W->usd_per_kwh +
	                  (double)W->chain_bytes / 1e9 * W->storage_usd_gb_month / 30.0 + campaign;
	int64_t cost = (int64_t)llround(cost_usd * 1e6);
	W->usd[a] -= cost;
	P->del_cost_usd += (uint64_t)cost;
	double price = (double)w_price(W) / 1e6;
	double income_usd = (double)W->earned[a] / 1e8 * price;
	dn_amount sell = (dn_amount)((double)W->earned[a] * W->candidate_sell_fraction);
	W->earned[a] = 0;
	dn_amount bal = dnc_ledger_balance(dnc_chain_ledger_c(W->chain), w_acct(W, a));
	if (sell > bal)
		sell = bal;
	/* a candidate whose node does not pay stops campaigning */
	if (income_usd < W->candidate_quit_ratio * cost_usd && W->usd[a] < 0) {
		/* applied by the block step: other tiles' holders read the roles */
		dn_rc rc = wvec_push(&P->quits, &a);
		if (rc)
			return rc;
	}
	return w_order(W, p, a, false, sell, DN_METRICS_ROLE_DELEGATE);
}

/* Hourly decisions, spread over the hour: at every block the tile runs
 * the slice of its agents with a % S == k (S blocks per hour), so no
 * decision of the hour arrives at the exchange or the chain in one burst. */
static dn_rc ev_hour(dn_part *p, const dn_event *ev)
{
	(void)ev;
	world *W = dn_world_model(dn_part_world(p));
	wpart *P = dn_part_model(p);
	dn_time_ns now = dn_part_now(p);
	uint64_t S = (uint64_t)(3600 / W->cp.block_interval_s);
	if (S == 0)
		S = 1;
	uint64_t k = P->slice;
	uint64_t first = P->begin + ((k + S - P->begin % S) % S);
	dn_rc rc = DN_OK;
	for (uint64_t a = first; a < P->end && !rc; a += S) {
		uint16_t role = W->role[a];
		if (role & W_SHARER) {
			rc = sharer_hour(W, p, P, (uint32_t)a, now);
			P->acc_online += (W->online[a] & 5) == 5;
			P->acc_active += (W->online[a] & 4) != 0;
		}
		if (!rc && (role & W_TRADER))
			rc = trader_hour(W, p, (uint32_t)a, now);
		/* once a day each: holders re-vote, candidates pay their running cost */
		bool my_hour = ((a / S) % 24) == (P->hour % 24);
		if (!rc && (role & W_HOLDER) && !(role & W_CANDIDATE) && my_hour)
			rc = holder_vote(W, p, (uint32_t)a, now);
		if (!rc && (role & W_CANDIDATE) && my_hour && P->hour >= 1)
			rc = candidate_day(W, p, P, (uint32_t)a);
		/* R-LOCK-1: the team claims what has unlocked, once a month */
		if (!rc && (role & W_TEAM) && my_hour && P->hour >= 24 && (P->hour / 24) % 30 == 0 && !W->inflight[a]) {
			dnc_tx tx;
			memset(&tx, 0, sizeof tx);
			tx.type = DNC_TX_TEAM_UNLOCK;
			rc = w_submit(W, p, (uint32_t)a, TX_UNLOCK, 0, 0, &tx, 0);
		}
		if (!rc && (role & W_SHARER) && P->hour % (30 * 24) == 0 && P->hour > 0)
			W->quota[a] = w_quota_units(W);
	}
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
	dn_time_ns nx = now + W->block_ns;
	return nx < W->end_ns ? dn_send(p, nx, P->tile, 0, EV_HOUR, 0, 0) : DN_OK;
}

const dn_handler_fn w_handlers[EV_COUNT] = {
	[EV_REQUEST] = ev_request,
	[EV_TICK] = ev_tick,
	[EV_BLOCKRX] = ev_blockrx,
	[EV_CHURN] = ev_churn,
	[EV_HOUR] = ev_hour,
};

/* ---- a tile's start ---- */

dn_rc w_part_start(dn_part *p)
{
	world *W = dn_world_model(dn_part_world(p));
	wpart *P = dn_part_model(p);
	unsigned i = dn_part_index(p);
	P->tile = i;
	dn_world_part_range(W->w, W->kind, i, &P->begin, &P->end);
	double tw = W->area_m / W->tiles_x, th = W->area_m / W->tiles_y;
	P->x0 = (int32_t)((i % W->tiles_x) * tw * 100.0);
	P->y0 = (int32_t)((i / W->tiles_x) * th * 100.0);
	P->w = (int32_t)(tw * 100.0) + 2;
	P->h = (int32_t)(th * 100.0) + 2;
	P->delay = W->access->latency_ns + 20000000; /* access + core to the producers */
	P->out.size = sizeof(wtx);
	P->in.size = sizeof(wrcpt);
	P->orders.size = sizeof(word);
	P->sess.size = sizeof(wsess);
	P->free_slots.size = sizeof(uint32_t);
	P->quits.size = sizeof(uint32_t);
	dn_rc rc = dn_metrics_part_init(&P->m, &W->met.cfg);
	if (rc)
		return rc;
	uint64_t n = P->end - P->begin;
	if (n == 0)
		n = 1;
	int32_t cell = (int32_t)(W->sharer_range_m * 100.0);
	dn_spatial_cfg sc = {P->x0 - 100, P->y0 - 100, P->w + 200, P->h + 200, cell, (uint32_t)n, false};
	rc = dn_spatial_new(&sc, &P->sx);
	if (!rc) {
		sc.cell_cm = (int32_t)(W->relay_range_m * 100.0);
		rc = dn_spatial_new(&sc, &P->rx);
	}
	if (rc) {
		dn_part_set_error(p, "spatial index for tile %u: %s", i, dn_rc_str(rc));
		return rc;
	}
	dn_match_cfg mcfg = {
		.radius_cm = cell,
		.max_radius_cm = (int64_t)(fmax(W->sharer_range_m, W->cell_range_m) * 100.0),
		.page = 64,
		.max_examined = 512,
	};
	if (mcfg.max_radius_cm < mcfg.radius_cm)
		mcfg.max_radius_cm = mcfg.radius_cm;
	rc = dn_match_new(&mcfg, &P->mt);
	if (rc)
		return rc;
	for (uint64_t a = P->begin; a < P->end && !rc; a++) {
		uint16_t role = W->role[a];
		dn_rng r;
		dn_rng_init(&r, W->seed, (uint32_t)a, P_CHURN, 1);
		if (role & W_SHARER) {
			/* online (bit 0) most of the time; sharing (bit 2) as drawn at set-up */
			uint8_t sharing = (W->online[a] & 1) ? 4 : 0;
			double avail = W->sharer_up_h / (W->sharer_up_h + W->sharer_down_h);
			bool up = dn_rng_u01(&r) < avail;
			W->online[a] = (uint8_t)((W->online[a] & 2) | sharing | (up ? 1 : 0));
			rc = w_index_sharer(W, P, (uint32_t)a);
			P->sharers_online += (W->online[a] & 5) == 5;
			P->sharers_active += (W->online[a] & 4) != 0;
			if (!rc)
				rc = dn_send(p, secs(expo(&r, (up ? W->sharer_up_h : W->sharer_down_h) * 3600.0)) + 1,
				             i, (uint32_t)a, EV_CHURN, 0, 0);
		}
		if (!rc && (role & W_RELAY)) {
			W->online[a] |= 2;
			rc = dn_spatial_add(P->rx, (uint32_t)(a - P->begin), W->x[a], W->y[a]);
			if (!rc)
				rc = dn_send(p, secs(expo(&r, W->relay_up_h * 3600.0)) + 1, i, (uint32_t)a, EV_CHURN, 1, 0);
		}
		if (!rc && (role & W_CONSUMER)) {
			dn_time_ns t0 = next_request(W, (uint32_t)a, 0);
			if (t0 < W->end_ns)
				rc = dn_send(p, t0, i, (uint32_t)a, EV_REQUEST, 0, 0);
		}
	}
	if (!rc)
		rc = dn_send(p, W->block_ns + P->delay, i, 0, EV_BLOCKRX, 0, 0);
	if (!rc)
		rc = dn_send(p, W->block_ns / 2, i, 0, EV_HOUR, 0, 0);
	return rc;
}
