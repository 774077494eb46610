/*
 * world_block.c: the block step of the world model, run serially at every
 * block boundary (the engine's sample time, when no tile is running).
 *
 * 1. Transactions and market orders leave the tiles' outboxes for the
 *    mempool; those that have reached the producers (arrival <= now) are
 *    taken in (arrival, tile, sequence) order, the rest wait.
 * 2. The delegate scheduled for the slot (R-CONS-6) produces the block if
 *    it is online: every transaction goes through dnc_chain_apply_tx with
 *    signature checks; relayed sessions pay their relays (R-SHARE-2);
 *    dnc_chain_end_block mints the reward and pays the pools (R-EMIT-3,
 *    R-FEE-1,2). Receipts go back to the tiles.
 * 3. During a network partition both sides build blocks on their own
 *    branch of the fork tree; nothing is applied until the network heals,
 *    then R-CHAIN-4 picks the branch (most confirmed traffic, then length),
 *    its blocks are applied in order and the other branch's transactions
 *    return to the mempool.
 * 4. Content sales (R-FWD), operators' rentals (R-RENT-1, hourly) and the
 *    exchange's orders run; then the Gini structure is brought up to date.
 * 5. Conservation is checked over the accounts the block wrote (R-SUP-1).
 */
#include "world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"

enum { P_PRODUCE = 0x57200, P_OPS };

dn_rc w_touch(world *W, dnc_acct acct)
{
	if (acct < W->acct0 || acct >= W->acct0 + W->n)
		return DN_OK;
	uint32_t a = (uint32_t)(acct - W->acct0);
	dn_rc rc = dn_gini_mark(&W->gini, a);
	if (rc == DN_ELIMIT) {
		for (uint64_t i = 0; i < W->gini.n_changed; i++) {
			uint32_t b = W->gini.changed[i];
			W->holding[b] = dnc_ledger_holdings(dnc_chain_ledger_c(W->chain), w_acct(W, b));
		}
		dn_gini_commit(&W->gini, W->ranked, W->holding, dn_world_threads(W->w));
		rc = dn_gini_mark(&W->gini, a);
	}
	return rc;
}

static int cmp_tx(const void *a, const void *b)
{
	const wtx *x = a, *y = b;
	if (x->arrive != y->arrive)
		return x->arrive < y->arrive ? -1 : 1;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_order(const void *a, const void *b)
{
	const word *x = a, *y = b;
	if (x->arrive != y->arrive)
		return x->arrive < y->arrive ? -1 : 1;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static dn_rc fail(world *W, const char *what, dnc_rc rc)
{
	dn_world_set_error(W->w, "block step: %s: %s", what, dnc_rc_name(rc));
	return rc == DNC_ENOMEM ? DN_ENOMEM : DN_EINVAL;
}

/* The receipt of one applied (or rejected) transaction. */
static dn_rc receipt(world *W, const wtx *q, dnc_rc rc, const dnc_tx_receipt *r)
{
	wpart *P = w_part(W, q->part);
	wrcpt c = {
		.purpose = q->purpose, .agent = q->agent, .slot = q->slot, .gen = q->gen,
		.rc = (int32_t)rc, .fraud = q->fraud,
		.value = q->purpose == TX_OPEN ? r->created_id : q->tx.type == DNC_TX_REDEEM ? q->tx.u.redeem.cred.total_units : 0,
		.amount = r->moved,
	};
	return wvec_push(&P->in, &c);
}

/* Money flows of an applied transaction: relays, metrics, earnings. */
static dn_rc settle(world *W, const wtx *q, const dnc_tx_receipt *r)
{
	dn_metrics_part *m = &W->blockm;
	dn_rc rc = DN_OK;
	dnc_ledger *L = dnc_chain_ledger(W->chain);
	switch (q->purpose) {
	case TX_REDEEM:
	case TX_REDEEM_FINAL: {
		wpart *P = w_part(W, q->part);
		wsess *s = wvec_at(&P->sess, q->slot);
		if (s->gen != q->gen)
			return DN_OK;
		dn_amount net = r->moved;
		dn_amount gross = net + r->fee_paid;
		rc = dn_metrics_price(m, gross, (int64_t)(r->units * W->cp.unit_bytes));
		if (!rc && r->fee_paid)
			rc = dn_metrics_spend(m, DN_METRICS_ROLE_CONSUMER, r->fee_paid);
		dn_amount to_provider = net;
		if (!rc && s->n_relays && net > 0) {
			/* R-SHARE-2 on what is left after the community fee (R-FEE-3) */
			dnc_params np = W->cp;
			np.community_fee_ppm = 0;
			dnc_share_split sp;
			dnc_rc crc = dnc_split_share(&np, net, s->n_relays, NULL, &sp);
			if (crc)
				return fail(W, "relay split", crc);
			for (uint32_t i = 0; i < s->n_relays && !rc; i++) {
				if (sp.relay[i] > 0) {
					crc = dnc_ledger_transfer(L, w_acct(W, s->payee), w_acct(W, s->relay[i]), sp.relay[i]);
					if (crc)
						return fail(W, "paying a relay", crc);
				}
				rc = dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_RELAY, sp.relay[i]);
				if (!rc)
					rc = w_touch(W, w_acct(W, s->relay[i]));
				W->earned[s->relay[i]] += sp.relay[i];
			}
			to_provider = sp.provider;
		}
		dn_metrics_role pr = s->op != W_NONE ? DN_METRICS_ROLE_OPERATOR : DN_METRICS_ROLE_SHARER;
		if (!rc && s->op != W_NONE && to_provider > 0) {
			/* a rented cell's takings belong to the operator (R-RENT-1) */
			dnc_rc crc = dnc_ledger_transfer(L, w_acct(W, s->payee), w_acct(W, s->op), to_provider);
			if (crc)
				return fail(W, "sweeping a cell's takings to its operator", crc);
			rc = w_touch(W, w_acct(W, s->op));
		}
		if (!rc)
			rc = dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, pr, to_provider);
		/* what a rented site earns its operator, for the rental decision */
		W->earned[s->provider] += to_provider;
		if (!rc)
			rc = w_touch(W, w_acct(W, s->consumer));
		if (!rc)
			rc = w_touch(W, w_acct(W, s->payee));
		return rc;
	}
	case TX_RENT:
		if (!rc && r->fee_paid)
			rc = dn_metrics_spend(m, DN_METRICS_ROLE_OPERATOR, r->fee_paid);
		if (!rc)
			rc = dn_metrics_transfer(m, DN_METRICS_ROLE_OPERATOR, DN_METRICS_ROLE_OPERATOR, r->moved);
		if (!rc)
			rc = w_touch(W, w_acct(W, q->slot));
		return rc ? rc : w_touch(W, w_acct(W, q->agent));
	default:
		if (r->fee_paid)
			rc = dn_metrics_spend(m, DN_METRICS_ROLE_CONSUMER, r->fee_paid);
		return rc ? rc : w_touch(W, w_acct(W, q->agent));
	}
}

/* R-ADMIN-1: the foundation retracts a penalty from a sharer caught
 * redeeming a forged or replayed credential: a signed transaction that
 * waits in admin_q for the next block (never more than the sharer holds). */
static dn_rc queue_retract(world *W, const wtx *q, dn_time_ns t)
{
	const dnc_ledger *L = dnc_chain_ledger_c(W->chain);
	dn_amount bal = dnc_ledger_balance(L, w_acct(W, q->agent));
	dn_amount v = W->retract_base < bal ? W->retract_base : bal;
	if (v <= 0)
		return DN_OK;
	dnc_acct f = dnc_chain_foundation(W->chain);
	wtx r;
	memset(&r, 0, offsetof(wtx, tx));
	memset(&r.tx, 0, sizeof r.tx);
	r.tx.type = DNC_TX_ADMIN_RETRACT;
	r.tx.from = *dnc_ledger_pk(L, f);
	r.tx.nonce = dnc_ledger_nonce(L, f) + W->foundation_inflight;
	r.tx.u.retract.target = *dnc_ledger_pk(L, w_acct(W, q->agent));
	r.tx.u.retract.amount = v;
	r.tx.u.retract.reason = 1; /* credential fraud */
	if (dnc_tx_sign(&W->sig, dnc_chain_id(W->chain), W->foundation_sk, &r.tx))
		return fail(W, "signing a retract", DNC_EINVAL);
	r.submit = r.arrive = t;
	r.part = q->part;
	r.agent = q->agent; /* the target: its receipt is ignored */
	r.purpose = TX_RETRACT;
	r.seq = W->retracts_sent++;
	W->foundation_inflight++;
	return wvec_push(&W->admin_q, &r);
}

/* Applies one transaction now (t) and answers the tile. */
static dn_rc apply_one(world *W, const wtx *q, dn_time_ns t, uint64_t *traffic)
{
	dnc_tx_receipt r;
	memset(&r, 0, sizeof r);
	dnc_rc crc = dnc_chain_apply_tx(W->chain, &q->tx, (dnc_time_s)(t / 1000000000), DNC_APPLY_VERIFY_SIG, &r);
	if (q->purpose != TX_RETRACT && W->inflight[q->agent])
		W->inflight[q->agent]--;
	if (q->fraud)
		dn_metrics_fraud(&W->blockm, crc != DNC_OK);
	if (q->fraud && crc != DNC_OK && W->retract_base > 0) {
		dn_rc rrc = queue_retract(W, q, t);
		if (rrc)
			return rrc;
	}
	if (q->purpose == TX_RETRACT && W->foundation_inflight)
		W->foundation_inflight--;
	dn_rc rc = DN_OK;
	if (crc == DNC_OK) {
		/* what the transaction adds to the chain: its encoding, whose
		 * size is fixed by the type for every type the world sends */
		unsigned ty = q->tx.type < DNC_TX_TYPE_END ? q->tx.type : 0;
		if (!W->tx_size[ty]) {
			uint8_t enc[DNC_TX_MAX_BYTES];
			size_t len = 0;
			if (dnc_tx_encode(&q->tx, enc, sizeof enc, &len) == DNC_OK && ty != DNC_TX_CONTENT && ty != DNC_TX_SHARE)
				W->tx_size[ty] = (uint32_t)len;
			W->chain_bytes += len;
		} else {
			W->chain_bytes += W->tx_size[ty];
		}
		W->tx_applied++;
		if (traffic)
			*traffic += r.units;
		rc = settle(W, q, &r);
		if (!rc) {
			wvec *cv = &W->conf[W->blocks % 8];
			rc = wvec_push(cv, &q->submit);
		}
	} else {
		W->tx_failed++;
		if (getenv("DNETSIM_DEBUG_TX"))
			fprintf(stderr, "tx purpose %u type %u agent %u: %s\n", q->purpose, q->tx.type, q->agent, dnc_rc_name(crc));
		W->tx_fail_rc[crc < DNC_ERC_COUNT ? crc : 0]++;
	}
	return rc ? rc : receipt(W, q, crc, &r);
}

/* Moves the tiles' outboxes (and the foundation's queue) into the mempool. */
static dn_rc gather(world *W)
{
	for (size_t k = 0; k < W->admin_q.n; k++) {
		dn_rc rc = wvec_push(&W->pool, wvec_at(&W->admin_q, k));
		if (rc)
			return rc;
	}
	W->admin_q.n = 0;
	for (unsigned i = 0; i < W->nparts; i++) {
		wpart *P = w_part(W, i);
		for (size_t k = 0; k < P->out.n; k++) {
			dn_rc rc = wvec_push(&W->pool, wvec_at(&P->out, k));
			if (rc)
				return rc;
		}
		P->out.n = 0;
	}
	if (W->pool.n > 1)
		qsort(W->pool.v, W->pool.n, sizeof(wtx), cmp_tx);
	return DN_OK;
}

static int side_of(const world *W, uint32_t part)
{
	return W->split_active && part < (uint32_t)ceil(W->split_share * W->nparts) ? 1 : 0;
}

/* Which agent sits in a seat, and whether it is there to produce. */
static bool producer_up(const world *W, uint32_t seat, dn_time_ns t, int *side)
{
	const dnc_delegate_set *ds = dnc_chain_delegates(W->chain);
	dnc_acct acct = ds->seat[seat].acct;
	*side = 0;
	uint32_t a = W_NONE;
	if (acct >= W->acct0 && acct < W->acct0 + W->n)
		a = (uint32_t)(acct - W->acct0);
	dn_rng r;
	dn_rng_init(&r, W->seed, seat, P_PRODUCE, (uint64_t)(t / W->block_ns));
	double avail = W->candidate_availability;
	if (a == W_NONE)
		return dn_rng_u01(&r) < avail;
	*side = side_of(W, dn_world_part_of(W->w, W->kind, a));
	if ((W->role[a] & W_SHARER) && !(W->online[a] & 1))
		return false; /* a traffic delegate's node is offline */
	return dn_rng_u01(&r) < avail;
}

static void block_hash(world *W, const dnc_hash *parent, uint64_t slot, uint32_t seat, size_t ntx, dnc_hash *out)
{
	uint8_t buf[32 + 8 + 4 + 8];
	memcpy(buf, parent->b, 32);
	memcpy(buf + 32, &slot, 8);
	memcpy(buf + 40, &seat, 4);
	uint64_t n = ntx;
	memcpy(buf + 44, &n, 8);
	(void)W;
	dnc_hash_bytes(buf, sizeof buf, out);
}

/* End of a produced block: rewards, delegates' income, confirmations. */
static dn_rc end_block(world *W, uint32_t seat, dn_time_ns t)
{
	const dnc_delegate_set *ds = dnc_chain_delegates(W->chain);
	const dnc_ledger *L = dnc_chain_ledger_c(W->chain);
	dn_amount before = 0, after = 0;
	dn_amount seat_before[DNC_MAX_DELEGATES];
	for (uint32_t i = 0; i < ds->n; i++) {
		seat_before[i] = dnc_ledger_balance(L, ds->seat[i].acct);
		before += seat_before[i];
	}
	dnc_block_summary sum;
	dnc_rc crc = dnc_chain_end_block(W->chain, seat, (dnc_time_s)(t / 1000000000), &sum);
	if (crc)
		return fail(W, "ending the block", crc);
	for (uint32_t i = 0; i < ds->n; i++) {
		dnc_acct acct = ds->seat[i].acct;
		dn_amount b = dnc_ledger_balance(L, acct);
		after += b;
		/* what the seat's agent earned, for its daily review (an agent
		 * holding several seats is credited once per seat's gain) */
		if (ds->seat[i].kind != DNC_SEAT_STAKE && b > seat_before[i])
			W->traffic_reward_block += b - seat_before[i];
		if (acct >= W->acct0 && acct < W->acct0 + W->n && b > seat_before[i]) {
			bool first = true;
			for (uint32_t j = 0; j < i && first; j++)
				first = ds->seat[j].acct != acct;
			if (first)
				W->earned[acct - W->acct0] += b - seat_before[i];
		}
	}
	/* per-seat income for the candidates' and sharers' decisions */
	dn_amount dgain = after - before;
	dn_amount total = sum.reward + sum.fees_distributed;
	dn_rc rc = dn_metrics_earn(&W->blockm, DN_METRICS_ROLE_DELEGATE, dgain);
	if (!rc && total > dgain)
		rc = dn_metrics_earn(&W->blockm, DN_METRICS_ROLE_HOLDER, total - dgain);
	W->delegate_income += dgain;
	for (uint32_t i = 0; i < ds->n && !rc; i++) {
		dnc_acct acct = ds->seat[i].acct;
		rc = w_touch(W, acct);
	}
	W->blocks++;
	W->chain_bytes += 200; /* a block header: ids, roots, producer, signature */
	/* R-CHAIN-3: transactions included `confirmations` blocks ago are confirmed now */
	uint32_t k = W->cp.confirmations;
	if (!rc && W->blocks > k) {
		wvec *cv = &W->conf[(W->blocks - 1 - k) % 8];
		for (size_t i = 0; i < cv->n && !rc; i++) {
			dn_time_ns sub = *(dn_time_ns *)wvec_at(cv, i);
			rc = dn_metrics_confirm_latency(&W->blockm, t - sub);
		}
		cv->n = 0;
	}
	if (!rc)
		W->conf[W->blocks % 8].n = 0;
	return rc;
}

/* Delegates' income per agent since the last review: from ledger deltas of
 * seats, kept in `earned` by the caller through settle and end_block. */

static dn_rc new_epoch_if_due(world *W, uint64_t slot)
{
	uint64_t e = slot / W->cp.epoch_blocks;
	if (e == W->epoch)
		return DN_OK;
	W->epoch = e;
	dnc_rc crc = dnc_chain_new_epoch(W->chain, e, &W->last_hash, &W->sched);
	if (crc && crc != DNC_ENOTFOUND)
		return fail(W, "election", crc);
	const dnc_delegate_set *ds = dnc_chain_delegates(W->chain);
	W->seats_traffic_held = ds->n_kind[DNC_SEAT_VOLUME] + ds->n_kind[DNC_SEAT_QUALITY];
	return DN_OK;
}

/* Applies the mempool's arrived transactions as one block of the main chain. */
static dn_rc produce(world *W, dn_time_ns t, uint32_t seat, uint64_t *traffic)
{
	W->next_pool.n = 0;
	dn_rc rc = DN_OK;
	for (size_t i = 0; i < W->pool.n && !rc; i++) {
		const wtx *q = wvec_at(&W->pool, i);
		if (q->arrive > t)
			rc = wvec_push(&W->next_pool, q);
		else
			rc = apply_one(W, q, t, traffic);
	}
	if (rc)
		return rc;
	wvec tmp = W->pool;
	W->pool = W->next_pool;
	W->next_pool = tmp;
	return end_block(W, seat, t);
}

/* ---- network partitions and forks (R-CHAIN-4) ---- */

static dn_rc fork_block(world *W, dn_time_ns t, uint64_t slot, uint32_t seat, int side)
{
	wblock b;
	memset(&b, 0, sizeof b);
	b.slot = slot;
	b.seat = seat;
	b.side = (uint32_t)side;
	b.t = t;
	b.parent = W->tip[side];
	b.tx_begin = W->fork_txs.n;
	W->next_pool.n = 0;
	dn_rc rc = DN_OK;
	for (size_t i = 0; i < W->pool.n && !rc; i++) {
		const wtx *q = wvec_at(&W->pool, i);
		if (q->arrive <= t && side_of(W, q->part) == side) {
			rc = wvec_push(&W->fork_txs, q);
			if (q->tx.type == DNC_TX_REDEEM)
				b.traffic += q->tx.u.redeem.cred.total_units;
		} else {
			rc = wvec_push(&W->next_pool, q);
		}
	}
	if (rc)
		return rc;
	wvec tmp = W->pool;
	W->pool = W->next_pool;
	W->next_pool = tmp;
	b.tx_end = W->fork_txs.n;
	block_hash(W, &b.parent, slot, seat, b.tx_end - b.tx_begin, &b.id);
	dnc_rc crc = dnc_forktree_add(&W->ft, &b.id, &b.parent, b.traffic, (dnc_time_s)(t / 1000000000), NULL);
	if (crc)
		return fail(W, "fork tree", crc);
	W->tip[side] = b.id;
	return wvec_push(&W->fork_blocks, &b);
}

static dn_rc heal(world *W, dn_time_ns t)
{
	uint32_t best = dnc_forktree_best(&W->ft);
	int win = 0;
	if (!memcmp(W->ft.v[best].id.b, W->tip[1].b, sizeof(dnc_hash)))
		win = 1;
	dn_rc rc = DN_OK;
	wvec back = {.size = sizeof(wtx)};
	for (size_t i = 0; i < W->fork_blocks.n && !rc; i++) {
		const wblock *b = wvec_at(&W->fork_blocks, i);
		if ((int)b->side == win) {
			for (size_t k = b->tx_begin; k < b->tx_end && !rc; k++)
				rc = apply_one(W, wvec_at(&W->fork_txs, k), b->t, NULL);
			if (!rc)
				rc = end_block(W, b->seat, b->t);
			W->last_hash = b->id;
		} else {
			/* the abandoned branch's transactions go back to the mempool */
			for (size_t k = b->tx_begin; k < b->tx_end && !rc; k++)
				rc = wvec_push(&back, wvec_at(&W->fork_txs, k));
			W->fork_blocks_dropped++;
		}
	}
	for (size_t k = 0; k < back.n && !rc; k++)
		rc = wvec_push(&W->pool, wvec_at(&back, k));
	wvec_free(&back);
	if (rc)
		return rc;
	if (W->pool.n > 1)
		qsort(W->pool.v, W->pool.n, sizeof(wtx), cmp_tx);
	(void)dnc_forktree_prune(&W->ft, (dnc_time_s)(t / 1000000000), 0);
	W->fork_blocks.n = W->fork_txs.n = 0;
	W->tip[0] = W->tip[1] = W->last_hash;
	W->split_active = false;
	W->split_done = true;
	W->forks++;
	rc = dn_metrics_fork_resolved(&W->blockm, t - W->split_t);
	return rc;
}

/* ---- content sales (R-FWD) ---- */

static bool content_sale(void *ctx, const dn_content_sale *s)
{
	world *W = ctx;
	dnc_ledger *L = dnc_chain_ledger(W->chain);
	dn_amount need = s->price + s->recommend_fee;
	if (dnc_ledger_balance(L, w_acct(W, s->buyer)) < need)
		return false;
	dnc_acct mid[DNC_MAX_MIDDLEMEN];
	for (uint32_t i = 0; i < s->n_middle; i++)
		mid[i] = w_acct(W, s->middle[i]);
	dnc_fwd_split sp;
	dnc_rc crc = dnc_chain_pay_content(W->chain, w_acct(W, s->buyer), w_acct(W, s->origin), mid, s->n_middle,
	                                   w_acct(W, s->seller), s->price, &sp);
	if (crc)
		return false;
	if (s->recommend_fee > 0 && s->recommender != DN_CONTENT_NONE) {
		crc = dnc_ledger_transfer(L, w_acct(W, s->buyer), w_acct(W, s->recommender), s->recommend_fee);
		if (crc)
			return true; /* the sale stands; the fee could not be paid */
	}
	dn_metrics_part *m = &W->blockm;
	dn_rc rc = dn_metrics_spend(m, DN_METRICS_ROLE_CONSUMER, sp.fee);
	rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_CREATOR, sp.origin);
	for (uint32_t i = 0; i < s->n_middle; i++)
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, sp.middle[i]);
	if (s->seller != s->origin)
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, sp.seller);
	if (s->recommender != DN_CONTENT_NONE && s->recommend_fee > 0)
		rc |= dn_metrics_transfer(m, DN_METRICS_ROLE_CONSUMER, DN_METRICS_ROLE_FORWARDER, s->recommend_fee);
	rc |= w_touch(W, w_acct(W, s->buyer));
	rc |= w_touch(W, w_acct(W, s->origin));
	rc |= w_touch(W, w_acct(W, s->seller));
	for (uint32_t i = 0; i < s->n_middle; i++)
		rc |= w_touch(W, w_acct(W, s->middle[i]));
	if (s->recommender != DN_CONTENT_NONE)
		rc |= w_touch(W, w_acct(W, s->recommender));
	W->content_sales++;
	W->content_forwarded += s->n_middle > 0 || s->seller != s->origin;
	if (rc)
		W->content_err = true;
	return true;
}

/* ---- operators and micro sites (R-RENT-1), hourly ---- */

static dn_rc operators_hour(world *W, dn_time_ns t)
{
	if (!W->operators || !W->n_sites)
		return DN_OK;
	dnc_ledger *L = dnc_chain_ledger(W->chain);
	dn_amount rent = (dn_amount)llround(W->site_rent_usd_hour / ((double)w_price(W) / 1e6) * 1e8);
	if (rent < 1)
		rent = 1;
	dn_rc rc = DN_OK;
	for (uint32_t i = 0; i < W->n_sites && !rc; i++) {
		uint32_t s = W->sites[i];
		unsigned part = dn_world_part_of(W->w, W->kind, s);
		wpart *P = w_part(W, part);
		uint32_t op = W->ops[s % W->operators];
		if (W->renter[s]) {
			/* keep a site that earns its rent, or is serving */
			bool keep = W->earned[s] >= rent || W->nsess[s] > 0;
			W->earned[s] = 0;
			W->price[s] = w_unit_price(W, W->operator_price_usd_gb);
			if (!keep) {
				W->renter[s] = 0;
				rc = w_index_sharer(W, P, s);
				continue;
			}
		} else {
			/* rent where demand went unmet in the last hour */
			if (P->unmet_last_hour < 3)
				continue;
			W->renter[s] = op + 1;
			W->price[s] = w_unit_price(W, W->operator_price_usd_gb);
			rc = w_index_sharer(W, P, s);
			if (rc)
				break;
			P->unmet_last_hour = 0; /* one new site per tile per hour */
		}
		/* the hour's rent, a DNC_TX_RENT from the operator to the owner */
		if (dnc_ledger_balance(L, w_acct(W, op)) < rent * 2) {
			/* the operator buys DNET for its rents */
			dn_market_result res;
			int64_t budget = (int64_t)(W->site_rent_usd_hour * 1e6 * 48);
			if (W->usd[op] >= budget && dn_market_buy(W->mkt, op, budget, 0, &res) == DN_OK && res.base > 0) {
				dnc_rc crc = dnc_ledger_transfer(L, W->exchange, w_acct(W, op), res.base);
				if (crc)
					return fail(W, "operator's DNET purchase", crc);
				W->usd[op] -= res.usd_micro;
			}
		}
		uint8_t sk[DNC_SK_BYTES];
		rc = w_secret(W, op, sk);
		if (rc)
			break;
		dnc_tx tx;
		memset(&tx, 0, sizeof tx);
		tx.type = DNC_TX_RENT;
		tx.from = *dnc_ledger_pk(L, w_acct(W, op));
		tx.nonce = dnc_ledger_nonce(L, w_acct(W, op)) + W->inflight[op];
		tx.u.rent.owner = *dnc_ledger_pk(L, w_acct(W, s));
		tx.u.rent.price_per_period = rent;
		tx.u.rent.periods = 1;
		if (dnc_tx_sign(&W->sig, dnc_chain_id(W->chain), sk, &tx))
			return fail(W, "signing a rent", DNC_EINVAL);
		wtx q;
		memset(&q, 0, offsetof(wtx, tx));
		q.submit = t;
		q.arrive = t + P->delay;
		q.part = part;
		q.agent = op;
		q.slot = s;
		q.purpose = TX_RENT;
		q.seq = P->seq++;
		q.tx = tx;
		W->inflight[op]++;
		rc = wvec_push(&W->pool, &q);
	}
	if (W->pool.n > 1)
		qsort(W->pool.v, W->pool.n, sizeof(wtx), cmp_tx);
	uint64_t rented = 0;
	for (uint32_t i = 0; i < W->n_sites; i++)
		rented += W->renter[W->sites[i]] != 0;
	for (unsigned i = 0; i < W->nparts; i++)
		w_part(W, i)->sites_rented = 0;
	w_part(W, 0)->sites_rented = rented;
	return rc;
}

/* ---- the exchange ---- */

static dn_rc exchange(world *W, dn_time_ns t)
{
	wvec all = {.size = sizeof(word)};
	dn_rc rc = DN_OK;
	for (unsigned i = 0; i < W->nparts && !rc; i++) {
		wpart *P = w_part(W, i);
		for (size_t k = 0; k < P->orders.n && !rc; k++)
			rc = wvec_push(&all, wvec_at(&P->orders, k));
		P->orders.n = 0;
	}
	if (rc) {
		wvec_free(&all);
		return rc;
	}
	if (all.n > 1)
		qsort(all.v, all.n, sizeof(word), cmp_order);
	dn_market_set_time(W->mkt, t);
	dnc_ledger *L = dnc_chain_ledger(W->chain);
	for (size_t k = 0; k < all.n && !rc; k++) {
		const word *o = wvec_at(&all, k);
		dn_market_result res;
		memset(&res, 0, sizeof res);
		if (o->buy) {
			rc = dn_market_buy(W->mkt, o->agent, o->amount, 0, &res);
			if (rc == DN_ERANGE)
				rc = DN_OK;
			if (rc)
				break;
			if (res.base > dnc_ledger_balance(L, W->exchange)) {
				/* a replayed market cannot deliver more DNET than the exchange holds */
				W->usd[o->agent] += o->amount;
				continue;
			}
			W->usd[o->agent] += o->amount - res.usd_micro;
			if (res.base > 0) {
				dnc_rc crc = dnc_ledger_transfer(L, W->exchange, w_acct(W, o->agent), res.base);
				if (crc)
					return fail(W, "exchange delivery", crc);
				rc = w_touch(W, w_acct(W, o->agent));
			}
		} else {
			dn_amount bal = dnc_ledger_balance(L, w_acct(W, o->agent));
			dn_amount amt = o->amount < bal ? o->amount : bal;
			if (amt <= 0)
				continue;
			rc = dn_market_sell(W->mkt, o->agent, amt, 0, &res);
			if (rc == DN_ERANGE)
				rc = DN_OK;
			if (rc)
				break;
			if (res.base > 0) {
				dnc_rc crc = dnc_ledger_transfer(L, w_acct(W, o->agent), W->exchange, res.base);
				if (crc)
					return fail(W, "exchange settlement", crc);
				rc = w_touch(W, w_acct(W, o->agent));
			}
			W->usd[o->agent] += res.usd_micro;
		}
	}
	wvec_free(&all);
	if (rc) {
		dn_world_set_error(W->w, "exchange: %s", dn_rc_str(rc));
		return rc;
	}
	W->price_prev = W->price_now;
	W->price_now = dn_market_price(W->mkt);
	if (W->price_now <= 0)
		W->price_now = W->price_prev;
	/* a day-long moving average, the value traders' anchor */
	double blocks_day = 86400.0 / (double)W->cp.block_interval_s;
	W->price_avg = (dn_usd_micro)llround((double)W->price_avg + ((double)W->price_now - (double)W->price_avg) / blocks_day);
	dn_market_stats_take(W->mkt, &W->mstats);
	return DN_OK;
}

/* How a conservation report names a ledger account. */
static void acct_name(const world *W, dnc_acct a, char *buf, size_t cap)
{
	if (a == DNC_NONE)
		snprintf(buf, cap, "the unminted reserve");
	else if (a >= W->acct0 && a < W->acct0 + W->n)
		snprintf(buf, cap, "account %u (agent %u)", (unsigned)a, (unsigned)(a - W->acct0));
	else if (a == dnc_chain_fee_pot(W->chain))
		snprintf(buf, cap, "account %u (fee pot)", (unsigned)a);
	else if (a == dnc_chain_foundation(W->chain))
		snprintf(buf, cap, "account %u (foundation)", (unsigned)a);
	else if (a == W->exchange)
		snprintf(buf, cap, "account %u (exchange)", (unsigned)a);
	else
		snprintf(buf, cap, "account %u", (unsigned)a);
}

/*
 * R-SUP-1: after every block, conservation over the accounts the block
 * wrote (the ledger's journal, O(touched); world.check_ledger adds the
 * full scan). A violation stops the run naming the block and the accounts
 * whose change no balanced ledger operation explains.
 */
static dn_rc check_conservation(world *W, uint64_t slot)
{
	dnc_rc crc = dnc_chain_check_block(W->chain, slot);
	if (crc == DNC_OK)
		return DN_OK;
	if (crc != DNC_ECONSERVATION)
		return fail(W, "conservation check", crc);
	dnc_conservation_report rep;
	dnc_chain_conservation_report(W->chain, &rep);
	char msg[1024], name[64], amt[32];
	size_t o = (size_t)snprintf(msg, sizeof msg, "conservation broken at block %llu", (unsigned long long)slot);
	if (rep.full_scan)
		o += (size_t)snprintf(msg + o, sizeof msg - o, " (full scan: the block wrote more accounts than the journal holds)");
	else if (rep.n == 0)
		o += (size_t)snprintf(msg + o, sizeof msg - o, ": a lock total differs from the sum of its locks");
	for (uint32_t i = 0; i < rep.n && o < sizeof msg; i++) {
		const dnc_conservation_acct *x = &rep.acct[i];
		acct_name(W, x->acct, name, sizeof name);
		dnc_amount_format(x->unexplained, amt, sizeof amt);
		o += (size_t)snprintf(msg + o, sizeof msg - o, "%s %s changed by %s DNET unexplained", i ? "," : ":", name, amt);
		if (x->acct != DNC_NONE && x->balance < 0 && o < sizeof msg) {
			dnc_amount_format(x->balance, amt, sizeof amt);
			o += (size_t)snprintf(msg + o, sizeof msg - o, " (balance %s)", amt);
		}
	}
	if (!rep.full_scan && o < sizeof msg) {
		dnc_amount_format(rep.imbalance, amt, sizeof amt);
		snprintf(msg + o, sizeof msg - o, "; supply off by %s DNET", amt);
	}
	dn_world_set_error(W->w, "%s", msg);
	return DN_EINVAL;
}

/* ---- the step ---- */

dn_rc w_block_step(world *W, dn_time_ns t)
{
	dn_rc rc = gather(W);
	if (rc)
		return rc;
	uint64_t slot = (uint64_t)(t / W->block_ns) - 1;
	rc = new_epoch_if_due(W, slot);
	if (rc)
		return rc;
	/* network partitions */
	if (!W->split_active && !W->split_done && W->split_at >= 0 && t >= W->split_at) {
		W->split_active = true;
		W->split_t = t;
		W->tip[0] = W->tip[1] = W->last_hash;
		/* a fresh tree rooted at the last common block */
		dnc_forktree_free(&W->ft);
		dnc_rc fcrc = dnc_forktree_init(&W->ft, 1u << 16, &W->last_hash);
		if (fcrc)
			return fail(W, "fork tree", fcrc);
		dn_metrics_fork_seen(&W->blockm);
	}
	if (W->split_active && t >= W->split_at + W->split_len) {
		rc = heal(W, t);
		if (rc)
			return rc;
	}
	uint32_t seat = dnc_schedule_seat(&W->sched, slot % W->cp.epoch_blocks);
	int side = 0;
	bool up = producer_up(W, seat, t, &side);
	if (!up) {
		W->missed++;
	} else if (W->split_active) {
		rc = fork_block(W, t, slot, seat, side);
	} else {
		uint64_t traffic = 0;
		rc = produce(W, t, seat, &traffic);
		if (!rc) {
			/* a day-long average of the traffic seats' income per unit */
			double blocks_day = 86400.0 / (double)W->cp.block_interval_s;
			if (traffic > 0) {
				double rpu = (double)W->traffic_reward_block / (double)traffic;
				W->reward_per_unit += (rpu - W->reward_per_unit) / blocks_day;
			}
			W->traffic_reward_block = 0;
			dnc_hash h;
			block_hash(W, &W->last_hash, slot, seat, 0, &h);
			dnc_rc crc = dnc_forktree_add(&W->ft, &h, &W->last_hash, traffic, (dnc_time_s)(t / 1000000000), NULL);
			if (crc == DNC_EFULL) {
				/* keep the tree small: restart it at the tip */
				dnc_forktree_free(&W->ft);
				crc = dnc_forktree_init(&W->ft, 1u << 16, &h);
			}
			if (crc)
				return fail(W, "fork tree", crc);
			W->last_hash = h;
			W->tip[0] = W->tip[1] = h;
		}
	}
	if (rc)
		return rc;
	/* content: sales settle in blocks of the main chain */
	if (W->content && up && !W->split_active) {
		W->content_err = false;
		rc = dn_content_block(W->content, slot, content_sale, W);
		if (!rc && W->content_err) {
			dn_world_set_error(W->w, "content sale metrics out of range");
			rc = DN_ERANGE;
		}
		if (rc)
			return rc;
	}
	/* operators, hourly */
	if (slot % (uint64_t)(3600 / W->cp.block_interval_s ? 3600 / W->cp.block_interval_s : 1) == 0) {
		rc = operators_hour(W, t);
		if (rc)
			return rc;
	}
	rc = exchange(W, t);
	if (rc)
		return rc;
	/* candidates' running costs (paid in the tiles), and those who quit */
	uint64_t cost = 0;
	for (unsigned i = 0; i < W->nparts; i++) {
		wpart *P = w_part(W, i);
		cost += P->del_cost_usd;
		for (size_t k = 0; k < P->quits.n; k++)
			W->role[*(uint32_t *)wvec_at(&P->quits, k)] &= (uint16_t)~W_CANDIDATE;
		P->quits.n = 0;
	}
	W->delegate_cost_usd = cost;
	/* Gini: bring the marked agents' holdings up to date (every
	 * world.gini_interval_blocks blocks; the marks wait in between) */
	const dnc_ledger *L = dnc_chain_ledger_c(W->chain);
	if ((slot + 1) % W->gini_interval == 0 || t >= W->end_ns) {
		for (uint64_t i = 0; i < W->gini.n_changed; i++) {
			uint32_t b = W->gini.changed[i];
			W->holding[b] = dnc_ledger_holdings(L, w_acct(W, b));
		}
		dn_gini_commit(&W->gini, W->ranked, W->holding, dn_world_threads(W->w));
	}
	rc = check_conservation(W, slot);
	if (rc)
		return rc;
	if (W->check_ledger) {
		dnc_rc crc = dnc_chain_check(W->chain);
		if (crc)
			return fail(W, "ledger conservation", crc);
		dn_market_holdings mh;
		dn_market_holdings_get(W->mkt, &mh);
		if (dn_market_kind_of(W->mkt) == DN_MARKET_AMM &&
		    dnc_ledger_balance(L, W->exchange) != mh.pool_base + mh.fees_base) {
			dn_world_set_error(W->w, "exchange account (%lld) differs from the pool's DNET (%lld)",
			                   (long long)dnc_ledger_balance(L, W->exchange), (long long)(mh.pool_base + mh.fees_base));
			return DN_EINVAL;
		}
	}
	return DN_OK;
}
