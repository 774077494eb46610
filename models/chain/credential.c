/*
 * credential.c: credentials and the traffic-sharing contract. See
 * credential.h. Checks come before any change, so a rejected redemption
 * leaves every balance as it was (R-CRED-7).
 */
#include "credential.h"
#include "split.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* the wire form without the signature */
static void cred_body(const dnc_credential *c, uint8_t out[DNC_CRED_BODY_BYTES])
{
	memcpy(out, c->chain.b, DNC_HASH_BYTES);
	memcpy(out + 32, c->distributor.b, DNC_PK_BYTES);
	dnc_put_le64(out + 64, c->session_id);
	dnc_put_le64(out + 72, c->total_units);
	dnc_put_le64(out + 80, c->seq);
}

void dnc_credential_message(const dnc_credential *c, uint8_t msg[DNC_CRED_MSG_BYTES])
{
	memcpy(msg, "DNCRED02", 8); /* domain: never valid as another message */
	cred_body(c, msg + 8);
}

dnc_rc dnc_credential_sign(const dnc_sigscheme *s, const dnc_hash *chain,
			   const dnc_pubkey *distributor, const uint8_t sk[DNC_SK_BYTES],
			   dnc_credential *c)
{
	uint8_t msg[DNC_CRED_MSG_BYTES];
	c->chain = *chain;
	c->distributor = *distributor;
	dnc_credential_message(c, msg);
	return dnc_sig_sign(s, sk, msg, sizeof msg, &c->sig);
}

void dnc_credential_encode(const dnc_credential *c, uint8_t out[DNC_CRED_BYTES])
{
	cred_body(c, out);
	memcpy(out + DNC_CRED_BODY_BYTES, c->sig.b, DNC_SIG_BYTES);
}

dnc_rc dnc_credential_decode(const uint8_t *in, size_t len, dnc_credential *c)
{
	if (!in || len != DNC_CRED_BYTES)
		return DNC_EMALFORMED;
	memcpy(c->chain.b, in, DNC_HASH_BYTES);
	memcpy(c->distributor.b, in + 32, DNC_PK_BYTES);
	c->session_id = dnc_get_le64(in + 64);
	c->total_units = dnc_get_le64(in + 72);
	c->seq = dnc_get_le64(in + 80);
	memcpy(c->sig.b, in + DNC_CRED_BODY_BYTES, DNC_SIG_BYTES);
	if (c->session_id == 0 || c->total_units == 0)
		return DNC_EMALFORMED;
	return DNC_OK;
}

dnc_rc dnc_sessions_init(dnc_sessions *t, uint64_t cap)
{
	memset(t, 0, sizeof *t);
	if (cap == 0 || cap > (UINT64_C(1) << 32))
		return DNC_EINVAL;
	/* calloc: pages are touched only as sessions open and close */
	t->v = calloc((size_t)cap, sizeof *t->v);
	t->closed = calloc((size_t)cap, sizeof *t->closed);
	if (!t->v || !t->closed) {
		free(t->v);
		free(t->closed);
		t->v = NULL;
		t->closed = NULL;
		return DNC_ENOMEM;
	}
	t->cap = cap;
	return DNC_OK;
}

void dnc_sessions_free(dnc_sessions *t)
{
	free(t->v);
	free(t->hops);
	free(t->closed);
	memset(t, 0, sizeof *t);
}

/* The session with this id: its slot taken, of its generation; or NULL. */
static dnc_session *sess_at(const dnc_sessions *t, uint64_t id)
{
	uint64_t slot = id & UINT32_MAX;
	if (slot == 0 || slot > t->n)
		return NULL;
	dnc_session *s = &t->v[slot - 1];
	return s->gen == (uint32_t)(id >> 32) ? s : NULL;
}

const dnc_session *dnc_session_get(const dnc_sessions *t, uint64_t id)
{
	return sess_at(t, id);
}

dnc_rc dnc_session_open(dnc_sessions *t, dnc_ledger *L, dnc_acct consumer,
			dnc_acct distributor, dn_amount price_per_unit,
			uint64_t units, dnc_time_s expiry_s, uint64_t *id)
{
	return dnc_session_open_route(t, L, consumer, distributor, NULL, 0, price_per_unit,
				      units, expiry_s, id);
}

/* Room for n more relays in the hop store (grown by doubling, bounded). */
static dnc_rc hops_reserve(dnc_sessions *t, uint32_t n)
{
	uint64_t want = (uint64_t)t->hops_n + n, cap;
	dnc_acct *v;
	if (want <= t->hops_cap)
		return DNC_OK;
	if (want > UINT32_MAX)
		return DNC_EFULL;
	cap = t->hops_cap ? (uint64_t)t->hops_cap * 2 : 1024;
	while (cap < want)
		cap *= 2;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	v = realloc(t->hops, (size_t)cap * sizeof *v);
	if (!v)
		return DNC_ENOMEM;
	t->hops = v;
	t->hops_cap = (uint32_t)cap;
	return DNC_OK;
}

dnc_rc dnc_session_open_route(dnc_sessions *t, dnc_ledger *L, dnc_acct consumer,
			      dnc_acct distributor, const dnc_acct *relays,
			      uint32_t n_relays, dn_amount price_per_unit,
			      uint64_t units, dnc_time_s expiry_s, uint64_t *id)
{
	dnc_u128 dep;
	dnc_session *s;
	dnc_rc rc;

	if (price_per_unit <= 0 || units == 0 || consumer == distributor ||
	    consumer >= dnc_ledger_count(L) || distributor >= dnc_ledger_count(L) ||
	    n_relays > DNC_MAX_RELAYS || (n_relays && !relays))
		return DNC_EINVAL;
	for (uint32_t i = 0; i < n_relays; i++)
		if (relays[i] >= dnc_ledger_count(L) || relays[i] == consumer ||
		    relays[i] == distributor)
			return DNC_EINVAL;
	/* R-CRED-2: deposit = price x requested units */
	dep = (dnc_u128)(uint64_t)price_per_unit * units;
	if (dep > (dnc_u128)INT64_MAX)
		return DNC_EOVERFLOW;
	/* a slot: the next unused one, else the one closed longest ago */
	uint64_t slot;
	uint32_t gen = 0, route = t->hops_n;
	uint16_t route_cap = (uint16_t)n_relays;
	int reuse = t->n >= t->cap;
	if (reuse) {
		if (t->closed_n == 0)
			return DNC_EFULL;
		slot = t->closed[t->closed_head];
		s = &t->v[slot];
		if (s->gen == UINT32_MAX)
			return DNC_EFULL;
		gen = s->gen + 1;
		if (n_relays <= s->route_cap) /* its old range is long enough */
			route = s->route, route_cap = s->route_cap;
	} else {
		slot = t->n;
	}
	if (route == t->hops_n) {
		rc = hops_reserve(t, n_relays);
		if (rc)
			return rc;
	}
	rc = dnc_ledger_lock(L, consumer, DNC_LOCK_SESSION, (dn_amount)dep);
	if (rc)
		return rc;
	if (reuse) {
		t->closed_head = (t->closed_head + 1) % t->cap;
		t->closed_n--;
		t->reused++;
	} else {
		t->n++;
	}
	s = &t->v[slot];
	memset(s, 0, sizeof *s);
	s->gen = gen;
	s->route_cap = route_cap;
	s->consumer = consumer;
	s->distributor = distributor;
	s->price_per_unit = price_per_unit;
	s->units_max = units;
	s->deposit_left = (dn_amount)dep;
	s->expiry_s = expiry_s;
	s->state = DNC_SESSION_OPEN;
	s->n_relays = (uint16_t)n_relays;
	s->route = route;
	if (n_relays) {
		memcpy(t->hops + route, relays, n_relays * sizeof *relays);
		if (route == t->hops_n)
			t->hops_n += n_relays;
	}
	*id = ((uint64_t)gen << 32) | (slot + 1);
	return DNC_OK;
}

const dnc_acct *dnc_session_relays(const dnc_sessions *t, const dnc_session *ss)
{
	if (!ss->n_relays)
		return NULL;
	assert((uint64_t)ss->route + ss->n_relays <= t->hops_n);
	return t->hops + ss->route;
}

dnc_rc dnc_session_split(const dnc_params *p, dn_amount net, uint32_t n_relays,
			 dnc_share_split *s)
{
	dnc_params np = *p;
	uint64_t same[DNC_MAX_RELAYS];
	if (n_relays > DNC_MAX_RELAYS || net < 0)
		return DNC_EINVAL;
	/* the fee is already off (R-FEE-3); every relay carried every unit */
	np.community_fee_ppm = 0;
	for (uint32_t i = 0; i < n_relays; i++)
		same[i] = 1;
	return dnc_split_share(&np, net, n_relays, same, s);
}

void dnc_session_precheck(const dnc_sessions *t, const dnc_ledger *L,
			  const dnc_sigscheme *s, uint64_t session_id,
			  const dnc_credential *c, dnc_cred_verdict *v)
{
	const dnc_session *ss = dnc_session_get(t, session_id);
	const dnc_pubkey *pk = ss ? dnc_ledger_pk(L, ss->consumer) : NULL;
	uint8_t msg[DNC_CRED_MSG_BYTES];

	memset(v, 0, sizeof *v);
	if (!pk)
		return; /* not known yet: the redeem checks it itself */
	dnc_credential_message(c, msg);
	v->rc = dnc_sig_verify(s, pk, msg, sizeof msg, &c->sig) == DNC_OK ? DNC_OK : DNC_EBADSIG;
	v->pk = *pk;
	v->known = 1;
}

dnc_rc dnc_session_check(const dnc_sessions *t, const dnc_ledger *L,
			 const dnc_sigscheme *s, const dnc_hash *chain,
			 dnc_acct redeemer, uint64_t session_id,
			 const dnc_credential *c, uint64_t *new_units)
{
	return dnc_session_check_pre(t, L, s, chain, redeemer, session_id, c, NULL, new_units);
}

dnc_rc dnc_session_check_pre(const dnc_sessions *t, const dnc_ledger *L,
			     const dnc_sigscheme *s, const dnc_hash *chain,
			     dnc_acct redeemer, uint64_t session_id,
			     const dnc_credential *c, const dnc_cred_verdict *v,
			     uint64_t *new_units)
{
	const dnc_session *ss = dnc_session_get(t, session_id);
	uint8_t msg[DNC_CRED_MSG_BYTES];
	const dnc_pubkey *pk, *dist_pk;

	*new_units = 0;
	/* R-CRED-7: signed for another chain; its session ids mean nothing here */
	if (memcmp(c->chain.b, chain->b, DNC_HASH_BYTES) != 0)
		return DNC_EWRONGCHAIN;
	/* R-CRED-7: a credential for another (or no) session */
	if (!ss || c->session_id != session_id)
		return DNC_EWRONGSESSION;
	if (redeemer != ss->distributor)
		return DNC_EUNAUTHORIZED;
	/* R-CRED-7: made out to another distributor (the same session id may
	 * belong to another distributor on a fork or partition of this chain) */
	dist_pk = dnc_ledger_pk(L, ss->distributor);
	if (!dist_pk || memcmp(c->distributor.b, dist_pk->b, DNC_PK_BYTES) != 0)
		return DNC_EWRONGDIST;
	if (ss->state != DNC_SESSION_OPEN)
		return DNC_ESESSIONCLOSED;
	/* R-CRED-4 / R-CRED-7: signed by this session's consumer */
	pk = dnc_ledger_pk(L, ss->consumer);
	if (!pk)
		return DNC_EWRONGSESSION;
	if (v && v->known && memcmp(v->pk.b, pk->b, DNC_PK_BYTES) == 0) {
		/* checked ahead with this very key (dnc_session_precheck) */
		assert(v->rc == DNC_OK || v->rc == DNC_EBADSIG);
		if (v->rc != DNC_OK)
			return DNC_EBADSIG;
	} else {
		dnc_credential_message(c, msg);
		if (dnc_sig_verify(s, pk, msg, sizeof msg, &c->sig) != DNC_OK)
			return DNC_EBADSIG;
	}
	/* R-CRED-7: totals above the deposit */
	if (c->total_units > ss->units_max)
		return DNC_EOVERDEPOSIT;
	/* R-CRED-4: a total not above one already redeemed is a replay */
	if (c->total_units <= ss->redeemed_units)
		return DNC_EREPLAY;
	*new_units = c->total_units - ss->redeemed_units;
	return DNC_OK;
}

/* Does session ss count toward its distributor's traffic scores at all:
 * not below the minimum price (p->score_min_price_base), nor while the
 * distributor holds less than its bond (p->score_bond_base)? */
static int scores(const dnc_params *p, const dnc_ledger *L, const dnc_session *ss)
{
	if (!p)
		return 1;
	if (p->score_min_price_base > 0 && ss->price_per_unit < p->score_min_price_base)
		return 0;
	return p->score_bond_base <= 0 || dnc_ledger_holdings(L, ss->distributor) >= p->score_bond_base;
}

/* How many of `units` just redeemed in session ss count toward its
 * distributor's traffic scores: none unless it scores at all, and no more
 * than what leaves the window's volume at or below p->score_cap_units. */
static uint64_t scored_units(const dnc_params *p, const dnc_ledger *L, const dnc_session *ss,
			     uint64_t units, uint64_t window)
{
	uint64_t vol, qual;
	if (!scores(p, L, ss))
		return 0;
	if (p->score_cap_units == 0)
		return units;
	dnc_ledger_traffic_score(L, ss->distributor, window, &vol, &qual);
	if (vol >= p->score_cap_units)
		return 0;
	return units < p->score_cap_units - vol ? units : p->score_cap_units - vol;
}

dnc_rc dnc_session_redeem(dnc_sessions *t, dnc_ledger *L, const dnc_sigscheme *s,
			  const dnc_params *p, const dnc_hash *chain, dnc_acct redeemer,
			  uint64_t session_id, const dnc_credential *c,
			  dnc_acct fee_sink, uint64_t window, dn_amount *paid,
			  dn_amount *fee)
{
	return dnc_session_redeem_pre(t, L, s, p, chain, redeemer, session_id, c, NULL,
				      fee_sink, window, paid, fee);
}

dnc_rc dnc_session_redeem_pre(dnc_sessions *t, dnc_ledger *L, const dnc_sigscheme *s,
			      const dnc_params *p, const dnc_hash *chain, dnc_acct redeemer,
			      uint64_t session_id, const dnc_credential *c,
			      const dnc_cred_verdict *v, dnc_acct fee_sink, uint64_t window,
			      dn_amount *paid, dn_amount *fee)
{
	uint64_t units;
	dn_amount pay, f, net, given = 0;
	dnc_share_split sp;
	const dnc_acct *relays;
	dnc_session *ss;
	dnc_rc rc;

	if (paid)
		*paid = 0;
	if (fee)
		*fee = 0;
	rc = dnc_session_check_pre(t, L, s, chain, redeemer, session_id, c, v, &units);
	if (rc)
		return rc;
	ss = sess_at(t, session_id);
	assert(ss && ss->state == DNC_SESSION_OPEN && ss->redeemed_units < c->total_units);
	/* units <= units_max, so this is <= the deposit: no overflow */
	pay = (dn_amount)((dnc_u128)units * (uint64_t)ss->price_per_unit);
	if (pay > ss->deposit_left)
		return DNC_EOVERDEPOSIT;
	rc = dnc_split_fee(pay, p->community_fee_ppm, &f, &net); /* R-FEE-2 */
	if (rc)
		return rc;
	if (fee_sink >= dnc_ledger_count(L))
		return DNC_EINVAL;
	rc = dnc_session_split(p, net, ss->n_relays, &sp); /* R-SHARE-2 */
	if (rc)
		return rc;
	assert(sp.provider >= 0 && sp.fee == 0);
	/* checks done; the moves below cannot fail: they share pay, which is
	 * at most what the session still has locked */
	relays = dnc_session_relays(t, ss);
	for (uint32_t i = 0; i < ss->n_relays; i++) {
		rc = dnc_ledger_unlock_to(L, ss->consumer, DNC_LOCK_SESSION, relays[i], sp.relay[i]);
		assert(rc == DNC_OK);
		given += sp.relay[i];
	}
	assert(given + sp.provider == net);
	rc = dnc_ledger_unlock_to(L, ss->consumer, DNC_LOCK_SESSION, ss->distributor, sp.provider);
	assert(rc == DNC_OK);
	rc = dnc_ledger_unlock_to(L, ss->consumer, DNC_LOCK_SESSION, fee_sink, f);
	assert(rc == DNC_OK);
	(void)rc;
	(void)given;
	ss->deposit_left -= pay;
	assert(ss->deposit_left >= 0 && c->total_units <= ss->units_max);
	ss->redeemed_units = c->total_units;
	ss->last_seq = c->seq;
	/* R-CONS-4: only redeemed, consumer-signed, paid units count, and
	 * with the countermeasures on (both off by default) only those at
	 * or above the minimum price and up to the window's cap */
	units = scored_units(p, L, ss, units, window);
	if (units > 0)
		dnc_ledger_credit_traffic(L, ss->distributor, units, ss->price_per_unit, window);
	if (paid)
		*paid = net;
	if (fee)
		*fee = f;
	return DNC_OK;
}

dnc_rc dnc_session_close(dnc_sessions *t, dnc_ledger *L, dnc_acct closer,
			 uint64_t session_id, dnc_time_s now_s, uint64_t window,
			 dn_amount *refund)
{
	return dnc_session_close_p(t, L, NULL, closer, session_id, now_s, window, refund);
}

dnc_rc dnc_session_close_p(dnc_sessions *t, dnc_ledger *L, const dnc_params *p,
			   dnc_acct closer, uint64_t session_id, dnc_time_s now_s,
			   uint64_t window, dn_amount *refund)
{
	dnc_session *ss;
	dnc_rc rc;
	if (refund)
		*refund = 0;
	ss = sess_at(t, session_id);
	if (!ss)
		return DNC_EWRONGSESSION;
	if (ss->state != DNC_SESSION_OPEN)
		return DNC_ESESSIONCLOSED;
	if (closer != ss->consumer && closer != ss->distributor)
		return DNC_EUNAUTHORIZED;
	if (closer == ss->consumer && now_s < ss->expiry_s)
		return DNC_ETOOEARLY;
	/* R-CRED-6: unused deposit back to the consumer */
	rc = dnc_ledger_unlock_to(L, ss->consumer, DNC_LOCK_SESSION, ss->consumer,
				  ss->deposit_left);
	if (rc)
		return rc;
	if (refund)
		*refund = ss->deposit_left;
	ss->deposit_left = 0;
	assert(ss->state == DNC_SESSION_OPEN); /* closed once: later closes are refused above */
	ss->state = DNC_SESSION_CLOSED;
	/* the slot may be taken again once the table is full, oldest first */
	t->closed[(t->closed_head + t->closed_n) % t->cap] = (uint32_t)(ss - t->v);
	t->closed_n++;
	/* R-CONS-3 loss: what was delivered of what the deposit bought (a
	 * session below the minimum scored price, or of an unbonded
	 * distributor, counts for nothing) */
	if (scores(p, L, ss))
		dnc_ledger_credit_settled(L, ss->distributor, ss->redeemed_units, ss->units_max,
					  window);
	return DNC_OK;
}

int dnc_session_should_serve(uint64_t delivered_units, uint64_t credited_units,
			     uint32_t grace_units)
{
	/* R-CRED-5 */
	if (delivered_units <= credited_units)
		return 1;
	return delivered_units - credited_units < grace_units;
}

uint64_t dnc_units_for_bytes(uint64_t bytes, uint64_t unit_bytes)
{
	if (unit_bytes == 0)
		return 0;
	return bytes / unit_bytes + (bytes % unit_bytes != 0); /* R-CRED-1 */
}

/* 1 if offer a ranks before offer b (R-CRED-3) */
static int offer_before(const dnc_offer *a, const dnc_offer *b)
{
	if (a->price_per_unit != b->price_per_unit)
		return a->price_per_unit < b->price_per_unit;
	if (a->stability_ppm != b->stability_ppm)
		return a->stability_ppm > b->stability_ppm;
	return a->id < b->id;
}

dnc_rc dnc_match_select(const dnc_offer *o, uint32_t n, uint32_t exclude_id,
			uint32_t *chosen)
{
	uint32_t i, best = UINT32_MAX;
	for (i = 0; i < n; i++) {
		if (!o[i].reachable || o[i].capacity_units == 0 ||
		    o[i].id == exclude_id || o[i].price_per_unit <= 0)
			continue;
		if (best == UINT32_MAX || offer_before(&o[i], &o[best]))
			best = i;
	}
	if (best == UINT32_MAX)
		return DNC_ENOTFOUND;
	*chosen = best;
	return DNC_OK;
}
