/*
 * world_session.c: a session's whole life, in one place:
 *   open      the consumer's decision (world_consumer.c) takes a slot in
 *             its tile's pool, reserves the provider's quota and sends
 *             DNC_TX_SESSION_OPEN with the deposit (R-CRED-2);
 *   serve     every credential interval the consumer signs a cumulative
 *             credential (R-CRED-4) for what the path delivered; a consumer
 *             that stops signing is cut off after the grace units (R-CRED-5);
 *             a lost or degraded path ends it and re-matches (R-CRED-3);
 *   redeem    the distributor (payee) redeems the latest credential every
 *             30 credentials and at the end (R-CRED-6), a fraudulent one
 *             also a forged or replayed one (R-CRED-7);
 *   settle    in the block step: the redeem transaction itself has paid
 *             the fee, the path's relays (R-SHARE-2, named when the
 *             session opened) and the distributor; settling records it
 *             and notes what a rented cell's owner holds for its operator
 *             (R-RENT-1, swept hourly by a transfer); a rejected forgery
 *             costs the sharer a retract (R-ADMIN-1);
 *   receipts  back in the tile: opened, redeemed, closed (the slot is freed).
 * Who is matched and at what price is the consumer's and the sharer's
 * business; the path's rate and loss are world_relay.c's.
 */
#include "world.h"

#include <math.h>
#include <string.h>

/* ---- slots ---- */

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
	if (s->xh && P->x_open)
		P->x_open--;
	memset(s, 0, sizeof *s);
	s->gen = gen;
	s->state = S_FREE;
	return wvec_push(&P->free_slots, &slot);
}

/* The provider serves one session less (its others may go faster);
 * unused reserved quota returns. A provider of another tile hears it from
 * the block step (world_cross.c). */
static dn_rc release_provider(world *W, wpart *P, wsess *s, dn_time_ns now)
{
	world_agents *A = &W->ag;
	uint64_t back = 0;
	if (!w_is_rented_site(W, s->provider) && s->units_reserved > s->units_done) {
		back = s->units_reserved - s->units_done;
		s->units_reserved = s->units_done;
	}
	if (s->xh) {
		wxmsg m = {.kind = XM_RELEASE, .provider = s->provider, .reserve = back};
		dn_rc rc = wvec_push(&P->xout, &m);
		if (rc)
			return rc;
	} else {
		if (A->nsess[s->provider])
			A->nsess[s->provider]--;
		uint64_t q = (uint64_t)A->quota_units[s->provider] + back;
		A->quota_units[s->provider] = q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
		dn_rc rc = w_cross_touch(W, P, s->provider);
		if (rc)
			return rc;
	}
	for (uint32_t i = 0; i < s->n_relays; i++)
		if (A->nrelay[s->relay[i]])
			A->nrelay[s->relay[i]]--;
	w_session_rerate(W, P, s->provider, s->relay, s->n_relays, now);
	return DN_OK;
}

/* Does session s use provider prov or one of the n relays? */
static bool shares_a_node(const wsess *s, uint32_t prov, const uint32_t *relay, uint32_t n)
{
	if (s->provider == prov)
		return true;
	for (uint32_t i = 0; i < s->n_relays; i++)
		for (uint32_t j = 0; j < n; j++)
			if (s->relay[i] == relay[j])
				return true;
	return false;
}

/* One active session's rate under the load now. */
static void rerate_one(world *W, wpart *P, wsess *s, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	/* its provider's link (or cell) shared by the sessions it holds
	 * (of another tile: as the last block step saw them) */
	uint32_t k = w_nsess_seen(W, P, s->provider, s->xh);
	if (k == 0)
		k = 1;
	double share = w_is_rented_site(W, s->provider) ? dn_bps_of_mbps(C->cell_capacity_mbps) / (double)k
	                                                 : (double)w_link_of(W, s->provider)->down_bps / (double)k;
	/* its radio hops' airtime shared by the sessions their relays carry */
	double radio = s->hop_bps[0] > 0
	             ? w_radio_loaded(W, s->hop_bps, s->relay, s->n_relays, s->provider, 0)
	             : s->radio_bps;
	s->bits_done = w_session_bits(s, now); /* at the old rate until now */
	s->t_rate_ns = now;
	s->rate_bps = fmin(radio, share);
}

void w_session_rerate(world *W, wpart *P, uint32_t prov, const uint32_t *relay, uint32_t n, dn_time_ns now)
{
	if (!W->cfg.rate_follows_load)
		return;
	for (size_t i = 0; i < P->sess.n; i++) {
		wsess *s = slot_at(P, (uint32_t)i);
		if (s->state == S_ACTIVE && shares_a_node(s, prov, relay, n))
			rerate_one(W, P, s, now);
	}
}

uint64_t w_sessions_active(const wpart *P)
{
	uint64_t act = 0;
	for (size_t i = 0; i < P->sess.n; i++)
		act += ((wsess *)wvec_at(&P->sess, i))->state == S_ACTIVE;
	return act;
}

/* ---- open ---- */

static dn_rc send_open(world *W, dn_part *p, wpart *P, uint32_t slot, wsess *s, const w_path *path, dn_time_ns now,
                       dn_time_ns sent);

dn_rc w_session_open(world *W, dn_part *p, const w_open *o)
{
	wpart *P = dn_part_model(p);
	world_agents *A = &W->ag;
	dn_time_ns now = dn_part_now(p);
	uint32_t a = o->consumer, prov = o->path->provider;
	uint32_t slot;
	dn_rc rc = slot_new(P, &slot);
	if (rc)
		return rc;
	wsess *s = slot_at(P, slot);
	bool site = w_is_rented_site(W, prov);
	s->state = S_OPENING;
	s->xh = o->path->xh;
	s->consumer = a;
	s->provider = prov;
	/* the node that serves redeems the credentials: the sharer's, or for
	 * a rented small cell the owner's home node, whose takings the block
	 * step sweeps to the operator (only tile-local agents sign here) */
	s->payee = prov;
	s->op = site ? A->renter[prov] - 1 : W_NONE;
	s->n_relays = o->path->n_relays;
	memcpy(s->relay, o->path->relay, sizeof o->path->relay);
	s->t_request_ns = A->t_req_ns[a] > 0 && A->t_req_ns[a] <= now ? A->t_req_ns[a] : now;
	s->units_want = o->units;
	s->units_deposit = o->deposit_units;
	s->price_per_unit_base = o->price_per_unit_base;
	s->rate_bps = s->rate0_bps = o->rate_bps;
	s->radio_bps = o->radio_bps;
	s->loss = w_path_loss(W, a, o->path);
	s->fraud = !w_fraud_on(&W->cfg) ? 0 /* attack.kind fraud's honest twin */
	           : !site && (A->role[prov] & W_FRAUD) ? 1
	           : (A->role[a] & W_FRAUD) && !(A->role[a] & W_SHARER) ? 2 : 0;
	A->sess_of[a] = slot + 1;
	if (s->xh) {
		/* world.cross_tiles: the provider stands in another tile; the
		 * block step reserves it (w_session_grant goes on from there) */
		whalo *h = &P->hs[s->xh - 1];
		uint32_t room = h->quota_units > h->pend_quota ? h->quota_units - h->pend_quota : 0;
		if (h->pend_sess == 0) { /* forgotten at the next snapshot */
			uint32_t hi = s->xh - 1;
			rc = wvec_push(&P->xpend, &hi);
			if (rc)
				return rc;
		}
		h->pend_sess++;
		h->pend_quota += o->deposit_units < room ? (uint32_t)o->deposit_units : room;
		s->state = S_ASKING;
		P->x_open++;
		P->x_requests++;
		wxmsg m = {.kind = XM_REQUEST, .provider = prov, .slot = slot, .gen = s->gen, .units = o->units,
		           .reserve = o->deposit_units, .price_base = o->price_per_unit_base, .t_ns = now};
		return wvec_push(&P->xout, &m);
	}
	A->nsess[prov]++;
	if (!site) {
		s->units_reserved = o->deposit_units < A->quota_units[prov] ? o->deposit_units : A->quota_units[prov];
		A->quota_units[prov] -= (uint32_t)s->units_reserved;
	}
	rc = w_cross_touch(W, P, prov);
	if (rc)
		return rc;
	return send_open(W, p, P, slot, s, o->path, now, now);
}

/* The provider is reserved: at now, the relays take the session and the
 * other sessions make room; the consumer sends the open with its deposit
 * (R-CRED-2), from its tile, or (p NULL) from the block step that
 * reserved a provider of another tile, as if sent from the tile at `sent`. */
static dn_rc send_open(world *W, dn_part *p, wpart *P, uint32_t slot, wsess *s, const w_path *path, dn_time_ns now,
                       dn_time_ns sent)
{
	world_agents *A = &W->ag;
	uint32_t a = s->consumer, prov = s->provider;
	for (uint32_t i = 0; i < s->n_relays; i++) /* its relays carry one session more */
		A->nrelay[s->relay[i]]++;
	if (W->cfg.rate_follows_load) /* their airtime shared by what they carry */
		w_path_hop_bps(W, a, path, s->hop_bps);
	w_session_rerate(W, P, prov, s->relay, s->n_relays, now); /* the other sessions make room */
	if (s->n_relays)
		P->relayed_sessions++;
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SESSION_OPEN;
	tx.u.open.distributor = *dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), w_acct(W, s->payee));
	tx.u.open.price_per_unit = s->price_per_unit_base;
	tx.u.open.units = s->units_deposit;
	tx.u.open.expiry_s = (dnc_time_s)(dn_whole_s_of_ns(sent) + 6 * 3600);
	/* R-SHARE-2: the path's relays are the session's; the contract pays
	 * them at every redeem */
	tx.u.open.n_relays = (uint8_t)s->n_relays;
	for (uint32_t i = 0; i < s->n_relays; i++)
		tx.u.open.relay[i] = *dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), w_acct(W, s->relay[i]));
	w_attack_sybil_hops(W, s, &tx, sent); /* attack.kind sybil: fake hops after them */
	if (!p) {
		dn_rc rc = w_queue_signed(W, &W->mp.pool, P, sent, a, TX_OPEN, slot, s->gen, 0, &tx);
		return rc == DN_EINVAL ? w_block_fail(W, "signing a session open", DNC_EINVAL) : rc;
	}
	return w_submit(W, p, a, TX_OPEN, slot, s->gen, &tx, 0);
}

/* ---- redeem and close (the distributor) ---- */

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

/* R-CRED-7: a fraudulent distributor's last redeem is preceded by a forged
 * credential claiming half as much again, or a replay of one already redeemed. */
static dn_rc send_forgery(world *W, dn_part *p, uint32_t slot, wsess *s)
{
	dn_rng r;
	w_ev_rng(&W->cfg, &r, s->payee, P_FRAUD, dn_part_now(p));
	dnc_tx f;
	memset(&f, 0, sizeof f);
	f.type = DNC_TX_REDEEM;
	f.u.redeem.session_id = s->chain_id;
	f.u.redeem.cred = s->cred;
	f.u.redeem.cred.total_units = s->cred.total_units + s->cred.total_units / 2 + 1;
	if (dn_rng_u01(&r) < 0.5 && s->cred_prev.session_id && s->redeems_in_flight == 0)
		f.u.redeem.cred = s->cred_prev;
	return w_submit(W, p, s->payee, TX_REDEEM, slot, s->gen, &f, 1);
}

/* The distributor redeems the consumer's latest credential. */
static dn_rc redeem(world *W, dn_part *p, uint32_t slot, wsess *s, bool final)
{
	if (s->fraud == 1 && final) {
		dn_rc rc = send_forgery(W, p, slot, s);
		if (rc)
			return rc;
	}
	if (s->cred.total_units <= s->units_redeemed && !final)
		return DN_OK;
	return send_redeem(W, p, slot, s, final ? TX_REDEEM_FINAL : TX_REDEEM);
}

/* End of service: the last redeem, then (on its receipt) the close. */
static dn_rc finish_session(world *W, dn_part *p, uint32_t slot, wsess *s)
{
	s->state = S_FINAL;
	dn_rc rc = release_provider(W, dn_part_model(p), s, dn_part_now(p));
	if (rc)
		return rc;
	if (s->cred.total_units == 0) {
		/* nothing to redeem: close at once */
		s->state = S_CLOSING;
		return send_close(W, p, slot, s);
	}
	return redeem(W, p, slot, s, true);
}

/* ---- serve (every credential interval) ---- */

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
	const dnc_pubkey *dist = dnc_ledger_pk(dnc_chain_ledger_c(W->ch.chain), w_acct(W, s->payee));
	return dnc_credential_sign(&W->ch.sig, dnc_chain_id(W->ch.chain), dist, sk, &s->cred) ? DN_EINVAL : DN_OK;
}

double w_session_bits(const wsess *s, dn_time_ns now)
{
	return s->bits_done + dn_rate_over_ns(s->rate_bps, now - s->t_rate_ns);
}

/* What the path has delivered by now, in units. */
static void deliver(const world_cfg *C, wpart *P, wsess *s, dn_time_ns now)
{
	double bits = w_session_bits(s, now);
	uint64_t done = (uint64_t)(bits / 8.0 / (double)C->cp.unit_bytes);
	if (done > s->units_want)
		done = s->units_want;
	if (done > s->units_done) {
		P->units_delivered += done - s->units_done;
		s->units_done = done;
		w_cov_mark(P, s->consumer, true); /* rules §9: served */
	}
}

/* R-CRED-3: the provider or a relay left, or the link degraded (at
 * random, or with rates that follow load, its rate fell under
 * consumer.rematch_rate_share of what it was matched at). */
static bool path_lost(const world *W, wpart *P, const wsess *s, dn_rng *r)
{
	const uint8_t *on = W->ag.online;
	bool gone = s->xh ? !P->hs[s->xh - 1].sharing /* of another tile: as last seen */
	                  : !w_is_rented_site(W, s->provider) &&
	                        (on[s->provider] & (W_ON_LINK | W_ON_SHARING)) != (W_ON_LINK | W_ON_SHARING);
	for (uint32_t i = 0; i < s->n_relays; i++)
		gone |= !(on[s->relay[i]] & W_ON_RELAY);
	if (!gone && W->cfg.rate_follows_load && s->rate_bps < W->cfg.rematch_rate_share * s->rate0_bps) {
		P->rate_rematches++;
		return true;
	}
	return gone || dn_rng_u01(r) < W->cfg.degrade_prob;
}

/* The old session winds down (last redeem, close) in its slot; the
 * consumer is free to be matched again at once, without its provider. */
static dn_rc rematch(world *W, dn_part *p, wpart *P, uint32_t slot, wsess *s, dn_time_ns now)
{
	P->rematches++;
	uint64_t left = s->units_want - s->units_done;
	uint32_t prov = s->provider;
	dn_rc rc = finish_session(W, p, slot, s);
	if (rc)
		return rc;
	W->ag.sess_of[s->consumer] = 0;
	W->ag.t_req_ns[s->consumer] = now;
	return w_consumer_rematch(p, s->consumer, left, prov, now + 1);
}

/* The next tick: a credential interval, or just past the end of the transfer. */
static dn_rc next_tick(const world_cfg *C, dn_part *p, wpart *P, uint32_t slot, const wsess *s, dn_time_ns now)
{
	dn_time_ns step = dn_ns_of_s(C->cred_interval_s);
	double need_s = ((double)s->units_want * 8.0 * (double)C->cp.unit_bytes - s->bits_done) / s->rate_bps -
	                dn_s_of_ns(now - s->t_rate_ns);
	if (need_s > 0 && dn_ns_of_s(need_s) + 1 < step)
		step = dn_ns_of_s(need_s) + 1;
	return dn_send(p, now + step, P->tile, slot, EV_TICK, 0, s->gen);
}

/* A credential interval's work for session s at now: what it delivered,
 * the consumer's credential, the end of the transfer or a lost path
 * (R-CRED-3), an intermediate redeem, the next tick. left: a node of its
 * path (its provider's link or a relay) has just left: it re-matches now. */
static dn_rc serve(world *W, dn_part *p, wpart *P, uint32_t slot, wsess *s, dn_time_ns now, bool left)
{
	const world_cfg *C = &W->cfg;
	deliver(C, P, s, now);
	dn_rc rc;
	/* R-CRED-5: a consumer that stops signing is cut off after the grace units */
	if (s->fraud == 2 && s->cred_seq >= 1) {
		if (s->units_done > s->cred.total_units + C->cp.grace_units) {
			dn_metrics_fraud(&P->m, true);
			s->units_done = s->cred.total_units + C->cp.grace_units;
			return finish_session(W, p, slot, s);
		}
	} else if (s->units_done > s->cred.total_units) {
		rc = sign_credential(W, s, s->units_done);
		if (rc) {
			dn_part_set_error(p, "signing a credential");
			return rc;
		}
	}
	if (s->units_done >= s->units_want)
		return finish_session(W, p, slot, s);
	if (left) {
		P->left_rematches++;
		return rematch(W, p, P, slot, s, now);
	}
	dn_rng r;
	w_ev_rng(C, &r, s->consumer, P_TICK, now);
	if (path_lost(W, P, s, &r))
		return rematch(W, p, P, slot, s, now);
	/* intermediate redeem every 30 credentials */
	if (s->cred_seq % 30 == 0 && s->redeems_in_flight == 0) {
		rc = redeem(W, p, slot, s, false);
		if (rc)
			return rc;
	}
	return next_tick(C, p, P, slot, s, now);
}

dn_rc w_ev_tick(dn_part *p, const dn_event *ev)
{
	wpart *P = dn_part_model(p);
	uint32_t slot = ev->dst;
	wsess *s = slot_at(P, slot);
	if (s->state != S_ACTIVE || s->gen != (uint32_t)ev->data)
		return DN_OK;
	return serve(w_of(p), p, P, slot, s, dn_part_now(p), false);
}

/* R-CRED-3: node a has just left (as_provider: its link went down; else
 * it stopped relaying, to leave or to move). The sessions it served
 * delivered at their rate until now and no longer: each settles its
 * credential now and re-matches, rather than at its next tick. A node
 * that carries no session costs nothing (A->nsess, A->nrelay). */
dn_rc w_session_node_left(world *W, dn_part *p, wpart *P, uint32_t a, bool as_provider, dn_time_ns now)
{
	if (as_provider ? W->ag.nsess[a] == 0 || w_is_rented_site(W, a) : W->ag.nrelay[a] == 0)
		return DN_OK;
	dn_rc rc = DN_OK;
	for (size_t i = 0; i < P->sess.n && !rc; i++) {
		wsess *s = slot_at(P, (uint32_t)i);
		if (s->state == S_ACTIVE &&
		    (as_provider ? shares_a_node(s, a, NULL, 0) : shares_a_node(s, W_NONE, &a, 1)))
			rc = serve(W, p, P, (uint32_t)i, s, now, true);
	}
	return rc;
}

bool w_session_asking(const wpart *P, uint32_t slot, uint32_t gen)
{
	if (slot >= P->sess.n)
		return false;
	const wsess *s = wvec_at(&P->sess, slot);
	return s->state == S_ASKING && s->gen == gen;
}

/* world.cross_tiles, block side: the block step has reserved `reserved`
 * units of quota and a session of the provider for the session in
 * (P, slot), asking: the open goes out with the consumer's signature, as
 * if sent from its tile when it asked (the consumer reached the sharer
 * directly; only the simulation's bookkeeping waited for the block
 * step), and its receipt comes as any open's. */
dn_rc w_session_grant(world *W, wpart *P, uint32_t slot, uint64_t reserved, dn_time_ns t, dn_time_ns asked)
{
	wsess *s = slot_at(P, slot);
	s->state = S_OPENING;
	s->units_reserved = reserved;
	P->x_relayed += s->n_relays > 0;
	w_path path = {.provider = s->provider, .xh = s->xh, .n_relays = s->n_relays};
	memcpy(path.relay, s->relay, sizeof path.relay);
	return send_open(W, NULL, P, slot, s, &path, t, asked);
}

/* ... in the tile: the answer. Granted, the open is already out. Denied
 * (the provider stopped sharing, filled up or changed its price since the
 * snapshot the consumer matched on): the consumer asks again at once,
 * over the snapshot that came with the answer. */
dn_rc w_session_granted(world *W, dn_part *p, const wrcpt *c)
{
	wpart *P = dn_part_model(p);
	wsess *s = slot_at(P, c->slot);
	if (c->rc == 0 || s->gen != c->gen || s->state != S_ASKING)
		return DN_OK;
	uint32_t a = s->consumer;
	uint64_t units = s->units_want;
	if (W->ag.sess_of[a] == c->slot + 1)
		W->ag.sess_of[a] = 0;
	dn_rc rc = slot_free(P, c->slot);
	return rc ? rc : w_consumer_retry(p, a, units, dn_part_now(p) + 1);
}

/* world.cross_tiles, after every block's receipts: an active session
 * whose provider of another tile has stopped sharing (as the snapshot
 * shows) settles and re-matches, as at a provider's leaving in its own
 * tile, only later; with sharer.rate_follows_load the others are rated
 * again with the provider's sessions as now seen. OUT *active: the
 * sessions active after it (what w_sessions_active counts, in the same walk). */
dn_rc w_session_cross_check(world *W, dn_part *p, wpart *P, dn_time_ns now, uint64_t *active)
{
	dn_rc rc = DN_OK;
	*active = 0;
	for (size_t i = 0; i < P->sess.n && !rc; i++) {
		wsess *s = slot_at(P, (uint32_t)i);
		if (s->state == S_ACTIVE && s->xh) {
			if (!P->hs[s->xh - 1].sharing) {
				P->x_left++;
				rc = serve(W, p, P, (uint32_t)i, s, now, true);
			} else if (W->cfg.rate_follows_load) {
				rerate_one(W, P, s, now);
			}
		}
		*active += s->state == S_ACTIVE;
	}
	return rc;
}

/* ---- settle (the block step) ---- */

/* R-SHARE-2: the relays' shares of a redeem, which the contract paid with
 * it (dnc_session_redeem): the metrics and the relays' earnings. OUT
 * *to_provider: what the distributor kept. */
static dn_rc relays_paid(world *W, const wsess *s, dn_amount net, dn_amount *to_provider)
{
	dn_metrics_part *m = &W->rec.blockm;
	dnc_share_split sp;
	dnc_rc crc = dnc_session_split(dnc_chain_params(W->ch.chain), net, s->n_relays + s->sybils, &sp);
	if (crc)
		return w_block_fail(W, "relay split", crc);
	dn_rc rc = DN_OK;
	for (uint32_t i = 0; i < s->n_relays && !rc; i++) {
		rc = dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_RELAY, sp.relay[i]);
		if (!rc)
			rc = w_touch(W, w_acct(W, s->relay[i]));
		W->ag.earned_base[s->relay[i]] += sp.relay[i];
	}
	/* the fake hops' shares went to the attacker's own accounts */
	for (uint32_t i = 0; i < s->sybils && !rc; i++)
		rc = dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_RELAY, sp.relay[s->n_relays + i]);
	*to_provider = sp.provider;
	return rc;
}

/* An applied redeem: the contract has paid the fee, the relays and the
 * distributor from the deposit in this very transaction; here are the
 * metrics, the earnings that drive decisions, and what a rented cell's
 * owner now holds for its operator (swept hourly, world_operator.c). */
dn_rc w_session_settle(world *W, const wtx *q, const dnc_tx_receipt *r)
{
	dn_metrics_part *m = &W->rec.blockm;
	wsess *s = slot_at(w_part(W, q->part), q->slot);
	if (s->gen != q->gen)
		return DN_OK;
	dn_amount net = r->moved;
	dn_amount gross = net + r->fee_paid;
	dn_rc rc = dn_metrics_price(m, gross, (int64_t)(r->units * W->cfg.cp.unit_bytes));
	if (!rc && r->fee_paid)
		rc = dn_metrics_spend(m, DN_METRICS_ROLE_CONSUMER, r->fee_paid);
	dn_amount to_provider = net;
	if (!rc && s->n_relays + s->sybils && net > 0)
		rc = relays_paid(W, s, net, &to_provider);
	dn_metrics_role pr = s->op != W_NONE ? DN_METRICS_ROLE_OPERATOR : DN_METRICS_ROLE_SHARER;
	if (!rc && s->op != W_NONE && to_provider > 0)
		w_site_owes(W, s->payee, to_provider); /* a rented cell's takings are the operator's (R-RENT-1) */
	if (!rc)
		rc = dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, pr, to_provider);
	/* what a rented site earns its operator, for the rental decision */
	W->ag.earned_base[s->provider] += to_provider;
	if (!rc)
		rc = w_touch(W, w_acct(W, s->consumer));
	if (!rc)
		rc = w_touch(W, w_acct(W, s->payee));
	return rc;
}

/* R-ADMIN-1: the foundation retracts a penalty from a sharer caught
 * redeeming a forged or replayed credential: a signed transaction that
 * waits in admin_q for the next block (never more than the sharer holds). */
dn_rc w_session_penalise(world *W, const wtx *q, dn_time_ns t)
{
	dn_amount bal = w_balance(W, q->agent);
	dn_amount v = W->cfg.retract_base < bal ? W->cfg.retract_base : bal;
	if (v <= 0)
		return DN_OK;
	return w_send_retract(W, w_acct(W, q->agent), v, 1 /* credential fraud */, q->part, t);
}

/* ---- receipts (back in the tile) ---- */

static dn_rc opened(world *W, dn_part *p, wpart *P, const wrcpt *c, wsess *s, dn_time_ns now)
{
	const world_cfg *C = &W->cfg;
	if (c->rc != DNC_OK) {
		uint32_t a = s->consumer;
		uint64_t units = s->units_want;
		dn_rc rc = release_provider(W, P, s, now);
		if (W->ag.sess_of[a] == c->slot + 1)
			W->ag.sess_of[a] = 0;
		if (!rc)
			rc = slot_free(P, c->slot);
		if (!rc && c->rc == DNC_EBADNONCE)
			rc = w_consumer_retry(p, a, units, now + C->block_ns);
		return rc;
	}
	s->state = S_ACTIVE;
	s->chain_id = c->session_id;
	s->t_start_ns = s->t_rate_ns = now;
	w_session_rerate(W, P, s->provider, s->relay, s->n_relays, now); /* its share of the link and relays now */
	w_cov_mark(P, s->consumer, true); /* rules §9: served */
	/* R-CHAIN-5: request to first byte once the open is in a block (the
	 * world's distributors wait for it); world_block.c records this, the
	 * grace and the finality latencies together when the open is final */
	dn_rc rc = dn_metrics_service_latency(&P->m, now - s->t_request_ns);
	if (!rc)
		rc = dn_send(p, now + dn_ns_of_s(C->cred_interval_s), P->tile, c->slot, EV_TICK, 0, s->gen);
	if (!rc) {
		P->rate_sum_bps += s->rate_bps;
		P->rate_n++;
		P->delay_sum_s += w_path_delay_s(W, s);
		P->loss_sum += s->loss;
	}
	return rc;
}

static dn_rc redeemed(world *W, dn_part *p, const wrcpt *c, wsess *s)
{
	if (c->fraud)
		return DN_OK;
	if (s->redeems_in_flight)
		s->redeems_in_flight--;
	if (c->rc == DNC_OK) {
		if (c->units > s->units_redeemed)
			s->units_redeemed = c->units;
	} else if (c->rc == DNC_EREPLAY && c->purpose == TX_REDEEM_FINAL) {
		/* nothing new since the last redeem: go on to the close */
	} else if (c->rc == DNC_EBADNONCE) {
		/* an earlier transaction of the distributor failed: send again */
		return send_redeem(W, p, c->slot, s, c->purpose);
	}
	if (c->purpose == TX_REDEEM_FINAL && s->state == S_FINAL) {
		s->state = S_CLOSING;
		return send_close(W, p, c->slot, s);
	}
	return DN_OK;
}

static dn_rc closed(world *W, dn_part *p, wpart *P, const wrcpt *c, wsess *s)
{
	if (c->rc == DNC_EBADNONCE)
		return send_close(W, p, c->slot, s);
	if (W->ag.sess_of[s->consumer] == c->slot + 1)
		W->ag.sess_of[s->consumer] = 0;
	return slot_free(P, c->slot);
}

dn_rc w_session_receipt(world *W, dn_part *p, const wrcpt *c)
{
	wpart *P = dn_part_model(p);
	wsess *s = slot_at(P, c->slot);
	if (s->gen != c->gen || s->state == S_FREE)
		return DN_OK;
	switch (c->purpose) {
	case TX_OPEN:
		return opened(W, p, P, c, s, dn_part_now(p));
	case TX_REDEEM:
	case TX_REDEEM_FINAL:
		return redeemed(W, p, c, s);
	case TX_CLOSE:
		return closed(W, p, P, c, s);
	default:
		return DN_OK;
	}
}
