/*
 * world_content.c: the world's side of content sales (R-FWD, rules §8):
 * the content graph's configuration from the scenario, and the sales
 * content.c proposes at every block of the main chain. A sale the buyer
 * can pay becomes a DNC_TX_CONTENT the buyer signs (the contract splits
 * the price, R-FWD-1..3) and, with a recommender, a DNC_TX_TRANSFER of its
 * fee; both reach the chain in the next block, where they are recorded as
 * metrics and Gini marks. content.c is the graph and the buyers'
 * behaviour; it does not know the ledger.
 */
#include "world.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "content.h"

void w_content_cfg_read(const dn_scenario *s, dn_content_cfg *cc)
{
	dn_content_cfg_default(cc);
	cc->edges_per_node = (uint32_t)dn_scn_int(s, "content.edges_per_agent");
	cc->creator_ppm = (uint32_t)w_ppm_of(s, "content.creator_fraction");
	cc->recommender_ppm = (uint32_t)w_ppm_of(s, "content.recommender_fraction");
	cc->items_per_creator_per_day = dn_scn_float(s, "content.items_per_creator_per_day");
	cc->purchases_per_agent_per_day = dn_scn_float(s, "content.purchases_per_agent_per_day");
	cc->resell_probability = dn_scn_float(s, "content.resell_probability");
	cc->recommend_probability = dn_scn_float(s, "content.recommend_probability");
	cc->price_min_base = dn_base_of_dnet(dn_scn_float(s, "content.price_min_dnet"));
	cc->price_max_base = dn_base_of_dnet(dn_scn_float(s, "content.price_max_dnet"));
	cc->recommend_fee_ppm = (uint32_t)w_ppm_of(s, "content.recommend_fee");
	cc->block_interval_s = (double)dn_scn_int(s, "chain.block_interval_s");
	cc->max_holdings = (uint32_t)dn_scn_int(s, "content.max_holdings");
}

dn_rc w_content_init(world *W, const dn_scenario *s)
{
	if (!dn_scn_bool(s, "content.enabled"))
		return DN_OK;
	dn_content_cfg cc;
	w_content_cfg_read(s, &cc);
	cc.n = (uint32_t)W->cfg.n;
	cc.seed = W->cfg.seed ^ 0xC0E7E47ULL;
	if (cc.price_max_base < cc.price_min_base) {
		dn_world_set_error(W->w, "content.price_max_dnet is below content.price_min_dnet");
		return DN_ERANGE;
	}
	dn_rc rc = dn_content_new(&cc, &W->ct.graph);
	if (rc) {
		dn_world_set_error(W->w, "content: cannot build the social graph (%s)", dn_rc_str(rc));
		return rc;
	}
	return DN_OK;
}

/* What this block's purchases will take from a buyer (before they reach
 * the chain in the next block). */
typedef struct w_spend {
	uint32_t buyer;
	dn_amount base;
} w_spend;

static dn_amount pending_of(const world *W, uint32_t buyer)
{
	dn_amount v = 0;
	for (size_t i = 0; i < W->ct.pending.n; i++) {
		const w_spend *p = wvec_at(&W->ct.pending, i);
		if (p->buyer == buyer)
			v += p->base;
	}
	return v;
}

/* The agent behind a key the world made (every sale party is an agent). */
static uint32_t agent_of(const world *W, const dnc_pubkey *pk)
{
	dnc_acct a = dnc_ledger_find(dnc_chain_ledger_c(W->ch.chain), pk);
	assert(a != DNC_NONE && a >= W->ch.acct0 && a - W->ch.acct0 < W->cfg.n);
	return (uint32_t)(a - W->ch.acct0);
}

/* Metrics and Gini marks of a purchase the chain applied: the contract
 * split the price (R-FWD-1..3) as dnc_split_forward says. */
static dn_rc record_purchase(world *W, const wtx *q)
{
	const dnc_tx *tx = &q->tx;
	dn_metrics_part *m = &W->rec.blockm;
	dnc_fwd_split sp;
	dnc_rc crc = dnc_split_forward(dnc_chain_params(W->ch.chain), tx->u.content.price, tx->u.content.n_middle,
	                               tx->u.content.direct, &sp);
	if (crc)
		return w_block_fail(W, "content split", crc);
	dn_rc rc = dn_metrics_spend(m, DN_METRICS_ROLE_CONSUMER, sp.fee);
	rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_CREATOR, sp.origin);
	for (uint32_t i = 0; i < tx->u.content.n_middle; i++) {
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, sp.middle[i]);
		/* an agent's, or a fake middleman's (attack.kind middle: no Gini mark) */
		rc |= w_touch(W, dnc_ledger_find(dnc_chain_ledger_c(W->ch.chain), &tx->u.content.middle[i]));
	}
	if (!tx->u.content.direct) {
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, sp.seller);
		rc |= w_touch(W, w_acct(W, agent_of(W, &tx->u.content.seller)));
	}
	rc |= w_touch(W, w_acct(W, q->agent));
	rc |= w_touch(W, w_acct(W, agent_of(W, &tx->u.content.origin)));
	W->ct.sales++;
	W->ct.forwarded += !tx->u.content.direct;
	return rc;
}

dn_rc w_content_settle(world *W, const wtx *q, const dnc_tx_receipt *r)
{
	(void)r;
	dn_rc rc;
	if (q->purpose == TX_CONTENT) {
		rc = record_purchase(W, q);
	} else {
		rc = dn_metrics_transfer(&W->rec.blockm, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER,
		                         q->tx.u.transfer.amount);
		rc |= w_touch(W, w_acct(W, q->agent));
		rc |= w_touch(W, w_acct(W, q->slot));
	}
	if (rc) {
		dn_world_set_error(W->w, "content sale metrics out of range");
		return DN_ERANGE;
	}
	return DN_OK;
}

void w_content_refused(world *W, const wtx *q)
{
	(void)q;
	W->ct.unpaid++;
}

/* A signed purchase of sale s by its buyer, for the next block. */
static dn_rc send_purchase(world *W, dn_time_ns t, const dn_content_sale *s)
{
	const dnc_ledger *L = dnc_chain_ledger_c(W->ch.chain);
	unsigned part = dn_world_part_of(W->w, W->kind, s->buyer);
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_CONTENT;
	tx.u.content.price = s->price;
	tx.u.content.direct = s->seller == s->origin; /* R-FWD-3: O sells itself */
	tx.u.content.n_middle = (uint8_t)s->n_middle;
	tx.u.content.origin = *dnc_ledger_pk(L, w_acct(W, s->origin));
	tx.u.content.seller = *dnc_ledger_pk(L, w_acct(W, s->seller));
	for (uint32_t i = 0; i < s->n_middle; i++)
		tx.u.content.middle[i] = *dnc_ledger_pk(L, w_acct(W, s->middle[i]));
	w_attack_fake_middlemen(W, s->middle, &tx, t); /* attack.kind middle */
	dn_rc rc = w_send_from_block(W, t, part, s->buyer, TX_CONTENT, 0, &tx);
	if (rc || s->recommend_fee <= 0 || s->recommender == DN_CONTENT_NONE)
		return rc;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TRANSFER;
	tx.u.transfer.to = *dnc_ledger_pk(L, w_acct(W, s->recommender));
	tx.u.transfer.amount = s->recommend_fee;
	return w_send_from_block(W, t, part, s->buyer, TX_RECOMMEND, s->recommender, &tx);
}

typedef struct sale_ctx {
	world *W;
	dn_time_ns t;
	dn_rc rc;
} sale_ctx;

/* One sale content.c proposes: false if the buyer cannot pay, counting
 * what its earlier purchases of this block will take. The purchase is a
 * CONTENT transaction (and a transfer for the recommender's fee) the
 * buyer signs now, for the next block. */
static bool content_sale(void *ctx, const dn_content_sale *s)
{
	sale_ctx *x = ctx;
	world *W = x->W;
	if (x->rc)
		return false;
	dn_amount need = s->price + (s->recommender != DN_CONTENT_NONE ? s->recommend_fee : 0);
	if (w_balance(W, s->buyer) - pending_of(W, s->buyer) < need)
		return false;
	w_spend sp = {s->buyer, need};
	x->rc = wvec_push(&W->ct.pending, &sp);
	if (!x->rc)
		x->rc = send_purchase(W, x->t, s);
	return x->rc == DN_OK;
}

dn_rc w_content_block(world *W, uint64_t slot, dn_time_ns t)
{
	sale_ctx x = {W, t, DN_OK};
	W->ct.pending.size = sizeof(w_spend);
	W->ct.pending.n = 0;
	dn_rc rc = dn_content_block(W->ct.graph, slot, content_sale, &x);
	if (!rc)
		rc = x.rc;
	w_pool_sort(W);
	return rc;
}
