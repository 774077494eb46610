/*
 * world_util.c: small helpers every part of the world model uses: the
 * growable vector, a search of sorted agent lists, keys, per-event random
 * streams and distributions, the market price and traffic prices, the
 * Gini marks, and how a protocol library failure becomes the world's
 * error. Nothing here decides what an
 * agent does; docs/agents.md ("Code layout") says where that is.
 */
#include "world.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *wvec_add(wvec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void *p = realloc(v->v, cap * v->size);
		if (!p)
			return NULL;
		v->v = p;
		v->cap = cap;
	}
	return (char *)v->v + v->n++ * v->size;
}

dn_rc wvec_push(wvec *v, const void *item)
{
	void *slot = wvec_add(v);
	if (!slot)
		return DN_ENOMEM;
	memcpy(slot, item, v->size);
	return DN_OK;
}

void wvec_free(wvec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

void w_key_seed(uint64_t seed, uint32_t entity, uint32_t purpose, uint8_t out[32])
{
	uint32_t blk[4];
	for (int k = 0; k < 2; k++) {
		dn_rng_block(seed, entity, purpose, (uint64_t)k, blk);
		memcpy(out + 16 * k, blk, 16);
	}
}

dn_rc w_secret(const world *W, uint32_t a, uint8_t sk[DNC_SK_BYTES])
{
	if (W->ag.sk) {
		memcpy(sk, W->ag.sk + (size_t)a * DNC_SK_BYTES, DNC_SK_BYTES);
		return DN_OK;
	}
	uint8_t seed[32];
	w_key_seed(W->cfg.seed, a, PURPOSE_KEYS, seed);
	dnc_pubkey pk;
	return dnc_sig_keypair(&W->ch.sig, seed, &pk, sk) ? DN_EINVAL : DN_OK;
}

void w_ev_rng(const world_cfg *C, dn_rng *r, uint32_t entity, uint32_t purpose, dn_time_ns t)
{
	dn_rng_init(r, C->seed, entity, purpose, (uint64_t)t * 64u);
}

double w_expo(dn_rng *r, double mean)
{
	return -mean * log(1.0 - dn_rng_u01(r));
}

double w_pareto(dn_rng *r, double alpha, double cap)
{
	double u = 1.0 - dn_rng_u01(r);
	double v = pow(u, -1.0 / alpha);
	return v > cap ? cap : v;
}

double w_lognormal(dn_rng *r, double median, double sigma)
{
	double u1 = dn_rng_u01(r), u2 = dn_rng_u01(r);
	double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2 * M_PI * u2);
	return median * exp(sigma * z);
}

dn_usd_micro w_price(const world *W)
{
	return W->mk.price_usd_micro > 0 ? W->mk.price_usd_micro : 1;
}

dn_amount w_unit_price(const world *W, double usd_per_gb)
{
	double v = dn_base_per_unit_of_usd_gb(usd_per_gb, W->cfg.cp.unit_bytes, w_price(W));
	if (!(v >= 1))
		return 1;
	if (v > 1e15)
		return (dn_amount)1e15;
	return (dn_amount)llround(v);
}

uint32_t w_quota_units(const world_cfg *C)
{
	return (uint32_t)fmin(4e9, dn_bytes_of_gb(C->sharer_quota_gb) / (double)C->cp.unit_bytes);
}

dn_rc w_touch(world *W, dnc_acct acct)
{
	if (acct < W->ch.acct0 || acct >= W->ch.acct0 + W->cfg.n)
		return DN_OK;
	uint32_t a = (uint32_t)(acct - W->ch.acct0);
	dn_rc rc = dn_gini_mark(&W->rec.gini, a);
	if (rc == DN_ELIMIT) {
		w_gini_commit(W);
		rc = dn_gini_mark(&W->rec.gini, a);
	}
	return rc;
}

void w_gini_commit(world *W)
{
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	for (uint64_t i = 0; i < W->rec.gini.n_changed; i++) {
		uint32_t b = W->rec.gini.changed[i];
		W->ag.holding_base[b] = dnc_ledger_holdings(L, w_acct(W, b));
	}
	dn_gini_commit(&W->rec.gini, W->ag.ranked_base, W->ag.holding_base, dn_world_threads(W->w));
}

dn_rc w_setup_fail(world *W, const char *what, dnc_rc rc)
{
	return dn_chain_fail(W->w, "while building the world", what, rc);
}

dn_rc w_block_fail(world *W, const char *what, dnc_rc rc)
{
	return dn_chain_fail(W->w, "in the block step", what, rc);
}

dn_rc w_sign_next(world *W, uint32_t agent, dnc_tx *tx)
{
	uint8_t sk[DNC_SK_BYTES];
	dn_rc rc = w_secret(W, agent, sk);
	if (rc)
		return rc;
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	tx->from = *dnc_ledger_pk(L, w_acct(W, agent));
	tx->nonce = dnc_ledger_nonce(L, w_acct(W, agent)) + W->ag.inflight[agent];
	tx->fee = W->cfg.tx_fee_base; /* R-FEE-1: chain.tx_fee_dnet, 0 by default */
	if (dnc_tx_sign(&W->ch.sig, dnc_chain_id(W->ch.chain), sk, tx))
		return DN_EINVAL;
	W->ag.inflight[agent]++;
	return DN_OK;
}

dn_rc w_queue_tx(wvec *into, wpart *P, dn_time_ns t, uint32_t agent, uint32_t purpose, uint32_t slot, uint32_t gen,
                 uint32_t fraud, uint32_t sign_late, const dnc_tx *tx)
{
	wtx *q = wvec_add(into);
	if (!q)
		return DN_ENOMEM;
	memset(q, 0, offsetof(wtx, tx));
	q->submit_ns = t;
	q->arrive_ns = t + P->delay_ns;
	q->part = P->tile;
	q->agent = agent;
	q->slot = slot;
	q->gen = gen;
	q->purpose = purpose;
	q->fraud = fraud;
	q->sign_late = sign_late;
	q->seq = P->seq++;
	dnc_tx_copy(&q->tx, tx);
	return DN_OK;
}

void w_wtx_copy(wtx *dst, const wtx *src)
{
	memcpy(dst, src, offsetof(wtx, tx));
	dnc_tx_copy(&dst->tx, &src->tx);
}

dn_rc w_wtx_push(wvec *v, const wtx *q)
{
	assert(v->size == sizeof(wtx));
	wtx *slot = wvec_add(v);
	if (!slot)
		return DN_ENOMEM;
	w_wtx_copy(slot, q);
	return DN_OK;
}

dn_rc w_queue_signed(world *W, wvec *into, wpart *P, dn_time_ns t, uint32_t agent, uint32_t purpose,
                     uint32_t slot, uint32_t gen, uint32_t fraud, dnc_tx *tx)
{
	dn_rc rc = w_sign_next(W, agent, tx);
	return rc ? rc : w_queue_tx(into, P, t, agent, purpose, slot, gen, fraud, 0, tx);
}

dn_rc w_send_retract(world *W, dnc_acct target, dn_amount v, uint32_t reason, uint32_t part, dn_time_ns t)
{
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	dnc_acct f = dnc_chain_foundation(W->ch.chain);
	wtx r;
	memset(&r, 0, offsetof(wtx, tx));
	memset(&r.tx, 0, sizeof r.tx);
	r.tx.type = DNC_TX_ADMIN_RETRACT;
	r.tx.from = *dnc_ledger_pk(L, f);
	r.tx.nonce = dnc_ledger_nonce(L, f) + W->ch.foundation_inflight;
	r.tx.u.retract.target = *dnc_ledger_pk(L, target);
	r.tx.u.retract.amount = v;
	r.tx.u.retract.reason = reason;
	if (dnc_tx_sign(&W->ch.sig, dnc_chain_id(W->ch.chain), W->ch.foundation_sk, &r.tx))
		return w_block_fail(W, "signing a retract", DNC_EINVAL);
	r.submit_ns = r.arrive_ns = t;
	r.part = part;
	/* the target's agent (past the agents for other accounts: no Gini
	 * mark); its receipt is ignored */
	r.agent = (uint32_t)(target - W->ch.acct0);
	r.purpose = TX_RETRACT;
	r.seq = W->ch.retracts_sent++;
	W->ch.foundation_inflight++;
	return wvec_push(&W->mp.admin_q, &r);
}

uint32_t w_find_sorted(const uint32_t *v, uint32_t n, uint32_t a)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo] == a ? lo : W_NONE;
}
