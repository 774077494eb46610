/*
 * world_block.c: where a block is made. The block step runs serially at
 * every block boundary (the engine's sample time, when no tile is running).
 *
 * 1. Transactions leave the tiles' outboxes for the mempool; those that
 *    have reached the producers (arrival <= now) are taken in (arrival,
 *    tile, sequence) order, the rest wait.
 * 2. The delegate scheduled for the slot (R-CONS-6) produces the block if
 *    it is online: the arrived transactions' signatures are checked in
 *    parallel (Ed25519 only, produce_precheck), then every transaction
 *    goes through the chain in pool order with its verdict (keyed: through
 *    dnc_chain_apply_tx with signature checks) and is settled (a redeem:
 *    world_session.c; a rent: world_operator.c); dnc_chain_end_block mints the reward and pays the
 *    pools (R-EMIT-3, R-FEE-1,2; the seats' bookkeeping is
 *    world_delegate.c's). Receipts go back to the tiles.
 * 3. During a network partition both sides build blocks on their own
 *    branch of the fork tree; nothing is applied until the network heals,
 *    then R-CHAIN-4 picks the branch (most confirmed traffic, then length),
 *    its blocks are applied in order and the other branch's transactions
 *    return to the mempool.
 * 4. Content sales (world_content.c), operators' rentals (hourly,
 *    world_operator.c) and the exchange's orders (world_exchange.c) run;
 *    then the Gini structure is brought up to date.
 * 5. Conservation is checked over the accounts the block wrote (R-SUP-1).
 */
#include "world.h"

#include <assert.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the mempool ---- */

static int cmp_tx(const void *a, const void *b)
{
	const wtx *x = a, *y = b;
	return w_cmp_arrival(x->arrive_ns, x->part, x->seq, y->arrive_ns, y->part, y->seq);
}

/* A transaction's place in the pool's order, and where it stands now (the
 * last key: equal keys keep their order, as the stable sort on the
 * transactions themselves did). */
struct wkey {
	dn_time_ns t;
	uint64_t seq;
	uint32_t part, i;
	const wtx *src; /* gather: where the transaction is now */
};

static int cmp_key(const void *a, const void *b)
{
	const struct wkey *x = a, *y = b;
	int c = w_cmp_arrival(x->t, x->part, x->seq, y->t, y->part, y->seq);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Room for n keys and n sorted transactions; false without the memory. */
static bool pool_scratch(world_mempool *M, size_t n)
{
	if (n <= M->keys_cap && n <= M->sorted.cap)
		return true;
	size_t cap = M->keys_cap > 64 ? M->keys_cap : 64;
	while (cap < n)
		cap *= 2;
	struct wkey *k = realloc(M->keys, cap * sizeof *k);
	if (k)
		M->keys = k, M->keys_cap = cap;
	void *v = k ? realloc(M->sorted.v, cap * sizeof(wtx)) : NULL;
	if (v)
		M->sorted.v = v, M->sorted.cap = cap;
	return v != NULL;
}

/* The keys[0..n) in order already (each at its place)? */
static bool keys_in_order(const struct wkey *k, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_key(&k[i - 1], &k[i]) > 0)
			return false;
	return true;
}

/* The keys of one source of transactions, appended at keys[*n], in the
 * order they join the pool. */
static void key_source(struct wkey *keys, size_t *n, const wvec *v)
{
	for (size_t k = 0; k < v->n; k++, (*n)++) {
		const wtx *q = wvec_at(v, k);
		keys[*n] = (struct wkey){q->arrive_ns, q->seq, q->part, (uint32_t)*n, q};
	}
}

/* The pool becomes the n transactions of M->keys in their order, each
 * copied once from where its key points (pool_scratch has room). */
static void pool_from_keys(world_mempool *M, size_t n)
{
	qsort(M->keys, n, sizeof *M->keys, cmp_key);
	for (size_t i = 0; i < n; i++)
		w_wtx_copy((wtx *)M->sorted.v + i, M->keys[i].src);
	M->sorted.n = n;
	wvec tmp = M->pool;
	M->pool = M->sorted;
	M->sorted = tmp;
	M->sorted.n = 0;
}

/* The pool in arrival order. It is sorted through its keys and copied once
 * in their order; without memory for that, in place (the same order). */
void w_pool_sort(world *W)
{
	world_mempool *M = &W->mp;
	const size_t n = M->pool.n;
	if (n < 2)
		return;
	bool in_order = true;
	for (size_t i = 1; i < n && in_order; i++)
		in_order = cmp_tx(wvec_at(&M->pool, i - 1), wvec_at(&M->pool, i)) <= 0;
	if (in_order)
		return;
	if (!pool_scratch(M, n)) {
		qsort(M->pool.v, n, sizeof(wtx), cmp_tx);
		return;
	}
	size_t m = 0;
	key_source(M->keys, &m, &M->pool);
	pool_from_keys(M, n);
}

dn_rc w_send_from_block(world *W, dn_time_ns t, unsigned part, uint32_t agent, uint32_t purpose,
                        uint32_t slot, dnc_tx *tx)
{
	dn_rc rc = w_queue_signed(W, &W->mp.pool, w_part(W, part), t, agent, purpose, slot, 0, 0, tx);
	return rc == DN_EINVAL ? w_block_fail(W, "signing a transaction", DNC_EINVAL) : rc;
}

/*
 * Moves the tiles' outboxes (and the foundation's queue) into the mempool,
 * in arrival order: the order w_pool_sort gives the pool with the
 * foundation's queue and the outboxes (tile by tile) appended. A
 * transaction (over a kilobyte) is copied once, from where it is to its
 * place: sorted through the keys of the pool and of what joins it, or,
 * when those are in order already, appended.
 */
static dn_rc gather(world *W)
{
	world_mempool *M = &W->mp;
	/* the late signatures first, in the order the pool takes them in */
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		wpart *P = w_part(W, i);
		for (size_t k = 0; k < P->out.n; k++) {
			wtx *q = wvec_at(&P->out, k);
			dn_rc rc = q->sign_late ? w_cross_sign(W, q) : DN_OK;
			if (rc)
				return rc;
		}
	}
	size_t n = M->pool.n + M->admin_q.n;
	for (unsigned i = 0; i < W->cfg.nparts; i++)
		n += w_part(W, i)->out.n;
	if (n > M->pool.n && n >= 2 && n <= UINT32_MAX && pool_scratch(M, n)) {
		size_t m = 0;
		key_source(M->keys, &m, &M->pool);
		key_source(M->keys, &m, &M->admin_q);
		for (unsigned i = 0; i < W->cfg.nparts; i++)
			key_source(M->keys, &m, &w_part(W, i)->out);
		assert(m == n);
		if (!keys_in_order(M->keys, n)) {
			pool_from_keys(M, n);
			M->admin_q.n = 0;
			for (unsigned i = 0; i < W->cfg.nparts; i++)
				w_part(W, i)->out.n = 0;
			return DN_OK;
		}
		/* in order: appended below, and the sort finds nothing to do */
	}
	for (size_t k = 0; k < M->admin_q.n; k++) {
		dn_rc rc = w_wtx_push(&M->pool, wvec_at(&M->admin_q, k));
		if (rc)
			return rc;
	}
	M->admin_q.n = 0;
	for (unsigned i = 0; i < W->cfg.nparts; i++) {
		wpart *P = w_part(W, i);
		for (size_t k = 0; k < P->out.n; k++) {
			dn_rc rc = w_wtx_push(&M->pool, wvec_at(&P->out, k));
			if (rc)
				return rc;
		}
		P->out.n = 0;
	}
	w_pool_sort(W);
	return DN_OK;
}

/* ---- applying a transaction ---- */

/* The receipt of one applied (or rejected) transaction, back to its tile. */
static dn_rc receipt(world *W, const wtx *q, dnc_rc rc, const dnc_tx_receipt *r)
{
	wpart *P = w_part(W, q->part);
	wrcpt c = {
		.purpose = q->purpose, .agent = q->agent, .slot = q->slot, .gen = q->gen,
		.rc = (int32_t)rc, .fraud = q->fraud,
		.session_id = q->purpose == TX_OPEN ? r->created_id : 0,
		.units = q->purpose != TX_OPEN && q->tx.type == DNC_TX_REDEEM ? q->tx.u.redeem.cred.total_units : 0,
		.moved_base = r->moved,
	};
	return wvec_push(&P->in, &c);
}

/* Money flows of an applied transaction beyond the ledger's own: metrics, Gini marks. */
static dn_rc settle(world *W, const wtx *q, const dnc_tx_receipt *r)
{
	switch (q->purpose) {
	case TX_REDEEM:
	case TX_REDEEM_FINAL:
		return w_session_settle(W, q, r);
	case TX_RENT:
		return w_rent_settle(W, q, r);
	case TX_CONTENT:
	case TX_RECOMMEND:
		return w_content_settle(W, q, r);
	case TX_ATTACK:
		return DN_OK; /* the attacker's accounts are no agent's (w_attack_receipt) */
	case TX_BRIBE: {
		dn_rc rc = w_touch(W, w_acct(W, q->agent));
		return rc ? rc : w_touch(W, w_acct(W, q->slot));
	}
	default: {
		dn_rc rc = DN_OK;
		if (r->fee_paid)
			rc = dn_metrics_spend(&W->rec.blockm, DN_METRICS_ROLE_CONSUMER, r->fee_paid);
		return rc ? rc : w_touch(W, w_acct(W, q->agent));
	}
	}
}

/* What the transaction adds to the chain: its encoding, whose size is
 * fixed by the type for every type the world sends but three that carry
 * lists (a session's relays, a sale's middlemen, a share's relays). */
static void count_bytes(world *W, const wtx *q)
{
	unsigned ty = q->tx.type < DNC_TX_TYPE_END ? q->tx.type : 0;
	if (!W->ch.tx_size[ty]) {
		uint8_t enc[DNC_TX_MAX_BYTES];
		size_t len = 0;
		if (dnc_tx_encode(&q->tx, enc, sizeof enc, &len) == DNC_OK && ty != DNC_TX_CONTENT &&
		    ty != DNC_TX_SHARE && ty != DNC_TX_SESSION_OPEN)
			W->ch.tx_size[ty] = (uint32_t)len;
		W->ch.chain_bytes += len;
	} else {
		W->ch.chain_bytes += W->ch.tx_size[ty];
	}
}

/* R-FEE-1/2: the receipt's fees, the transaction's own and the community fee. */
static void fees_paid(world *W, const wtx *q, const dnc_tx_receipt *r)
{
	dn_amount own = q->tx.fee < r->fee_paid ? q->tx.fee : r->fee_paid;
	assert(own >= 0 && r->fee_paid >= own);
	W->ch.tx_fees_base += own;
	W->ch.community_fees_base += r->fee_paid - own;
}

/* R-CHAIN-5: a session open is in a block. Its session (still opening in
 * its tile) says when the consumer asked; the tile sees the inclusion one
 * backhaul delay after the block step that applied it. */
static dn_rc open_included(world *W, const wtx *q)
{
	wpart *P = w_part(W, q->part);
	if (q->slot >= P->sess.n)
		return DN_OK;
	const wsess *s = wvec_at(&P->sess, q->slot);
	if (s->gen != q->gen || s->state != S_OPENING)
		return DN_OK;
	w_open_conf oc = {
		.request_ns = s->t_request_ns, .grace_ns = q->submit_ns,
		.incl_ns = W->rec.step_ns + P->delay_ns, .part = q->part,
	};
	assert(oc.request_ns <= oc.grace_ns && oc.grace_ns <= oc.incl_ns);
	return wvec_push(&W->mp.conf_open[W->ch.blocks % 8], &oc);
}

/* Applies one transaction now (t) and answers the tile. v: its signature
 * verdict computed ahead (produce_precheck), or NULL to verify it here. */
static dn_rc apply_one(world *W, const wtx *q, const dnc_tx_verdict *v, dn_time_ns t, uint64_t *traffic)
{
	world_chain *H = &W->ch;
	dnc_tx_receipt r;
	memset(&r, 0, sizeof r);
	if (H->tx_hook)
		H->tx_hook(H->tx_hook_ctx, W, q, t, DNC_OK, NULL);
	const dnc_time_s now_s = (dnc_time_s)dn_whole_s_of_ns(t);
	dnc_rc crc = v ? dnc_chain_apply_tx_pre(H->chain, &q->tx, v, now_s, &r)
	               : dnc_chain_apply_tx(H->chain, &q->tx, now_s, DNC_APPLY_VERIFY_SIG, &r);
	H->tx_prechecked += v != NULL;
	if (H->tx_hook)
		H->tx_hook(H->tx_hook_ctx, W, q, t, crc, &r);
	if (q->purpose != TX_RETRACT && q->purpose != TX_ATTACK && W->ag.inflight[q->agent])
		W->ag.inflight[q->agent]--;
	if (q->fraud)
		dn_metrics_fraud(&W->rec.blockm, crc != DNC_OK);
	if (q->fraud && crc != DNC_OK && W->cfg.retract_base > 0) {
		dn_rc rrc = w_session_penalise(W, q, t);
		if (rrc)
			return rrc;
	}
	if (q->purpose == TX_RETRACT && H->foundation_inflight)
		H->foundation_inflight--;
	if (q->purpose == TX_GOV)
		w_gov_receipt(W, q, crc, &r);
	dn_rc rc = DN_OK;
	if (crc == DNC_OK) {
		count_bytes(W, q);
		H->tx_applied++;
		if (traffic)
			*traffic += r.units;
		fees_paid(W, q, &r);
		w_detect_tx(W, q, &r, t);
		if (q->purpose == TX_RETRACT)
			w_attack_retracted(W, q, &r);
		rc = settle(W, q, &r);
		if (!rc)
			rc = wvec_push(&W->mp.conf[H->blocks % 8], &q->submit_ns);
		if (!rc && q->purpose == TX_OPEN)
			rc = open_included(W, q);
	} else {
		H->tx_failed++;
		if (getenv("DNETSIM_DEBUG_TX"))
			fprintf(stderr, "tx purpose %u type %u agent %u: %s\n", q->purpose, q->tx.type, q->agent, dnc_rc_name(crc));
		H->tx_fail_rc[crc < DNC_ERC_COUNT ? crc : 0]++;
		w_detect_refused(W, q);
		if (q->purpose == TX_CONTENT)
			w_content_refused(W, q);
	}
	if (!rc && q->purpose == TX_ATTACK)
		return w_attack_receipt(W, q, crc, &r, t);
	return rc ? rc : receipt(W, q, crc, &r);
}

/* ---- producing a block ---- */

static int side_of(const world *W, uint32_t part)
{
	if (part >= W->cfg.nparts) /* the attacker's own transactions: side 1 when it attacks the fork */
		return W->fk.split_active && W->cfg.attack_kind == W_ATTACK_FORK ? 1 : 0;
	return W->fk.split_active && part < (uint32_t)ceil(W->cfg.split_share * W->cfg.nparts) ? 1 : 0;
}

/* Which agent sits in a seat, and whether it is there to produce. */
static bool producer_up(const world *W, uint32_t seat, dn_time_ns t, int *side)
{
	const dnc_delegate_set *ds = dnc_chain_delegates(W->ch.chain);
	dnc_acct acct = ds->seat[seat].acct;
	*side = 0;
	uint32_t a = W_NONE;
	if (acct >= W->ch.acct0 && acct < W->ch.acct0 + W->cfg.n)
		a = (uint32_t)(acct - W->ch.acct0);
	dn_rng r;
	dn_rng_init(&r, W->cfg.seed, seat, P_PRODUCE, (uint64_t)(t / W->cfg.block_ns));
	double avail = W->cfg.candidate_availability;
	if (a == W_NONE)
		return dn_rng_u01(&r) < avail;
	*side = side_of(W, dn_world_part_of(W->w, W->kind, a));
	if ((W->ag.role[a] & W_SHARER) && !(W->ag.online[a] & W_ON_LINK))
		return false; /* a traffic delegate's node is offline */
	return dn_rng_u01(&r) < avail;
}

static void block_hash(const dnc_hash *parent, uint64_t slot, uint32_t seat, size_t ntx, dnc_hash *out)
{
	uint8_t buf[32 + 8 + 4 + 8];
	memcpy(buf, parent->b, 32);
	memcpy(buf + 32, &slot, 8);
	memcpy(buf + 40, &seat, 4);
	uint64_t n = ntx;
	memcpy(buf + 44, &n, 8);
	dnc_hash_bytes(buf, sizeof buf, out);
}

/* R-CHAIN-5: a session open is final (seen by its tile one backhaul
 * delay after this block step): its three latencies, request to first
 * byte on grace units, after inclusion, after finality, recorded together
 * so that every block's quantiles are ordered grace <= inclusion <= final. */
static dn_rc open_final(world *W, const w_open_conf *oc)
{
	dn_time_ns fin = W->rec.step_ns + w_part(W, oc->part)->delay_ns;
	const dn_time_ns v[3] = {oc->grace_ns - oc->request_ns, oc->incl_ns - oc->request_ns, fin - oc->request_ns};
	assert(v[0] <= v[1] && v[1] <= v[2]);
	dn_rc rc = DN_OK;
	for (int k = 0; k < 3 && !rc; k++) {
		rc = dn_hist_add(&W->rec.ttfb[k], v[k]);
		if (!rc)
			rc = dn_hist_add(&W->rec.ttfb_run[k], v[k]);
	}
	return rc;
}

/* R-CHAIN-3: transactions included `confirmations` blocks ago are confirmed now. */
static dn_rc confirm(world *W, dn_time_ns t)
{
	dn_rc rc = DN_OK;
	uint32_t k = W->cfg.cp.confirmations;
	if (W->ch.blocks > k) {
		wvec *cv = &W->mp.conf[(W->ch.blocks - 1 - k) % 8];
		for (size_t i = 0; i < cv->n && !rc; i++) {
			dn_time_ns sub = *(dn_time_ns *)wvec_at(cv, i);
			rc = dn_metrics_confirm_latency(&W->rec.blockm, t - sub);
		}
		cv->n = 0;
		wvec *ov = &W->mp.conf_open[(W->ch.blocks - 1 - k) % 8];
		for (size_t i = 0; i < ov->n && !rc; i++)
			rc = open_final(W, wvec_at(ov, i));
		ov->n = 0;
	}
	if (!rc) {
		W->mp.conf[W->ch.blocks % 8].n = 0;
		W->mp.conf_open[W->ch.blocks % 8].n = 0;
	}
	return rc;
}

/* End of a produced block: rewards and fees (the protocol library), what
 * the seats earned, confirmations. */
static dn_rc end_block(world *W, uint32_t seat, dn_time_ns t)
{
	const dnc_delegate_set *ds = dnc_chain_delegates(W->ch.chain);
	dn_amount before, seat_before[DNC_MAX_DELEGATES];
	/* paid per epoch, a block pays only its producer */
	uint32_t only = W->cfg.cp.seat_payout == DNC_PAYOUT_EPOCH ? seat : W_ALL_SEATS;
	w_seats_before(W, ds, only, seat_before, &before);
	dnc_block_summary sum;
	dnc_rc crc = dnc_chain_end_block(W->ch.chain, seat, (dnc_time_s)dn_whole_s_of_ns(t), &sum);
	if (crc)
		return w_block_fail(W, "ending the block", crc);
	dn_rc rc = w_seats_paid(W, ds, only, seat_before, before, &sum, false);
	W->ch.last_reward = sum.reward;
	W->ch.blocks++;
	W->ch.chain_bytes += 200; /* a block header: ids, roots, producer, signature */
	return rc ? rc : confirm(W, t);
}

/*
 * Parallel validation, serial application: the signatures of the pool's
 * transactions that arrived by t (the transaction's, and a redeem's
 * credential under its session's consumer key) are checked in parallel
 * before the block applies them in pool order. They depend on nothing the
 * block changes (the library confirms the credential's key at apply time),
 * so the verdicts are those the serial checks would give. With Ed25519
 * every block is checked so, on the run's threads. Keyed signatures are one
 * short hash each and are worth a parallel region only on a block of at
 * least W->ch.keyed_precheck_min (W_KEYED_PRECHECK_MIN) transactions (a
 * 100,000-agent world's, not a 10,000-agent one's), and only while the
 * engine runs its windows on all threads (dn_world_threads_now): then the
 * other threads are awake, and the engine has measured that their cores
 * are free. The pool is in arrival order, so the arrived transactions are
 * its first *n_out: OUT *n_out, how many verdicts (0: none, verify
 * serially); a transaction past them is verified serially. DN_ENOMEM.
 */
static dn_rc produce_precheck(world *W, dn_time_ns t, size_t *n_out)
{
	world_mempool *M = &W->mp;
	size_t n = 0;
	*n_out = 0;
	const int threads = W->cfg.keyed_sigs && !W->ch.keyed_precheck_all_threads ? dn_world_threads_now(W->w)
	                                                                             : dn_world_threads(W->w);
	if (W->ch.no_precheck || (W->cfg.keyed_sigs && threads < 2))
		return DN_OK;
	/* the arrived prefix, so that the static schedule splits real work */
	while (n < M->pool.n && ((const wtx *)wvec_at(&M->pool, n))->arrive_ns <= t)
		n++;
	if (n == 0 || (W->cfg.keyed_sigs && n < W->ch.keyed_precheck_min))
		return DN_OK;
	if (n > M->verdict_cap) {
		size_t cap = M->verdict_cap ? M->verdict_cap : 1024;
		while (cap < n)
			cap *= 2;
		dnc_tx_verdict *v = realloc(M->verdict, cap * sizeof *v);
		if (!v)
			return DN_ENOMEM;
		M->verdict = v;
		M->verdict_cap = cap;
	}
	const dnc_chain *C = W->ch.chain;
	dnc_tx_verdict *V = M->verdict;
	/* the block step runs between the engine's parallel windows: this
	 * region is not nested, and uses the run's threads, not every core */
	assert(!omp_in_parallel());
#pragma omp parallel for schedule(static) num_threads(threads)
	for (size_t i = 0; i < n; i++)
		dnc_chain_precheck_tx(C, &((const wtx *)wvec_at(&M->pool, i))->tx, &V[i]);
	*n_out = n;
	return DN_OK;
}

/* Applies the mempool's arrived transactions as one block of the main chain. */
static dn_rc produce(world *W, dn_time_ns t, uint32_t seat, uint64_t *traffic)
{
	world_mempool *M = &W->mp;
	M->next_pool.n = 0;
	size_t nv = 0;
	dn_rc rc = produce_precheck(W, t, &nv);
	for (size_t i = 0; i < M->pool.n && !rc; i++) {
		const wtx *q = wvec_at(&M->pool, i);
		if (q->arrive_ns > t)
			rc = w_wtx_push(&M->next_pool, q);
		else
			rc = apply_one(W, q, i < nv ? &M->verdict[i] : NULL, t, traffic);
	}
	if (rc)
		return rc;
	wvec tmp = M->pool;
	M->pool = M->next_pool;
	M->next_pool = tmp;
	return end_block(W, seat, t);
}

/*
 * A block of the main chain. The fork tree holds only what a partition
 * builds: a split starts a fresh tree rooted at the last common block
 * (partition_step), so main-chain blocks need no node in it (adding one
 * cost a scan of the whole tree every block).
 */
static dn_rc produce_main(world *W, dn_time_ns t, uint64_t slot, uint32_t seat)
{
	uint64_t traffic = 0;
	dn_rc rc = produce(W, t, seat, &traffic);
	if (rc)
		return rc;
	w_reward_average(W, traffic);
	dnc_hash h;
	block_hash(&W->ch.last_hash, slot, seat, 0, &h);
	W->ch.last_hash = h;
	W->fk.tip[0] = W->fk.tip[1] = h;
	return DN_OK;
}

/* ---- network partitions and forks (R-CHAIN-4) ---- */

/* A block of one side during a partition: its transactions wait in fk.txs. */
static dn_rc fork_block(world *W, dn_time_ns t, uint64_t slot, uint32_t seat, int side)
{
	world_mempool *M = &W->mp;
	world_forks *F = &W->fk;
	wblock b;
	memset(&b, 0, sizeof b);
	b.slot = slot;
	b.seat = seat;
	b.side = (uint32_t)side;
	b.t_ns = t;
	b.parent = F->tip[side];
	b.tx_begin = F->txs.n;
	M->next_pool.n = 0;
	dn_rc rc = DN_OK;
	for (size_t i = 0; i < M->pool.n && !rc; i++) {
		const wtx *q = wvec_at(&M->pool, i);
		if (q->arrive_ns <= t && side_of(W, q->part) == side) {
			rc = w_wtx_push(&F->txs, q);
			if (q->tx.type == DNC_TX_REDEEM)
				b.traffic += q->tx.u.redeem.cred.total_units;
		} else {
			rc = w_wtx_push(&M->next_pool, q);
		}
	}
	if (rc)
		return rc;
	wvec tmp = M->pool;
	M->pool = M->next_pool;
	M->next_pool = tmp;
	b.tx_end = F->txs.n;
	block_hash(&b.parent, slot, seat, b.tx_end - b.tx_begin, &b.id);
	dnc_rc crc = dnc_forktree_add(&F->ft, &b.id, &b.parent, b.traffic, (dnc_time_s)dn_whole_s_of_ns(t), NULL);
	if (crc)
		return w_block_fail(W, "fork tree", crc);
	F->tip[side] = b.id;
	return wvec_push(&F->blocks, &b);
}

/* The network heals: the winning branch's blocks are applied in order,
 * the other branch's transactions go back to the mempool. */
static dn_rc heal(world *W, dn_time_ns t)
{
	world_forks *F = &W->fk;
	uint32_t best = dnc_forktree_best_by(&F->ft, W->cfg.fork_by_length);
	int win = 0;
	if (!memcmp(F->ft.v[best].id.b, F->tip[1].b, sizeof(dnc_hash)))
		win = 1;
	W->at.fork_won += win;
	dn_rc rc = DN_OK;
	wvec back = {.size = sizeof(wtx)};
	for (size_t i = 0; i < F->blocks.n && !rc; i++) {
		const wblock *b = wvec_at(&F->blocks, i);
		if ((int)b->side == win) {
			for (size_t k = b->tx_begin; k < b->tx_end && !rc; k++)
				rc = apply_one(W, wvec_at(&F->txs, k), NULL, b->t_ns, NULL);
			if (!rc)
				rc = end_block(W, b->seat, b->t_ns);
			W->ch.last_hash = b->id;
		} else {
			for (size_t k = b->tx_begin; k < b->tx_end && !rc; k++) {
				rc = w_wtx_push(&back, wvec_at(&F->txs, k));
				W->at.fork_tx_dropped += ((const wtx *)wvec_at(&F->txs, k))->purpose != TX_ATTACK;
			}
			F->blocks_dropped++;
		}
	}
	for (size_t k = 0; k < back.n && !rc; k++)
		rc = w_wtx_push(&W->mp.pool, wvec_at(&back, k));
	wvec_free(&back);
	if (rc)
		return rc;
	w_pool_sort(W);
	(void)dnc_forktree_prune(&F->ft, (dnc_time_s)dn_whole_s_of_ns(t), 0);
	F->blocks.n = F->txs.n = 0;
	F->tip[0] = F->tip[1] = W->ch.last_hash;
	F->split_active = false;
	F->split_done = true;
	F->forks++;
	return dn_metrics_fork_resolved(&W->rec.blockm, t - F->split_t_ns);
}

/* The network splits (once, at chain.partition_at_s) and heals after
 * chain.partition_duration_s. */
static dn_rc partition_step(world *W, dn_time_ns t)
{
	const world_cfg *C = &W->cfg;
	world_forks *F = &W->fk;
	if (!F->split_active && !F->split_done && C->split_at_ns >= 0 && t >= C->split_at_ns) {
		F->split_active = true;
		F->split_t_ns = t;
		F->tip[0] = F->tip[1] = W->ch.last_hash;
		/* a fresh tree rooted at the last common block */
		dnc_forktree_free(&F->ft);
		dnc_rc fcrc = dnc_forktree_init(&F->ft, 1u << 16, &W->ch.last_hash);
		if (fcrc)
			return w_block_fail(W, "fork tree", fcrc);
		dn_metrics_fork_seen(&W->rec.blockm);
	}
	if (F->split_active && t >= C->split_at_ns + C->split_len_ns)
		return heal(W, t);
	return DN_OK;
}

/* ---- conservation (R-SUP-1) ---- */

/* How a conservation report names a ledger account. */
static void acct_name(const world *W, dnc_acct a, char *buf, size_t cap)
{
	if (a == DNC_NONE)
		snprintf(buf, cap, "the unminted reserve");
	else if (a >= W->ch.acct0 && a < W->ch.acct0 + W->cfg.n)
		snprintf(buf, cap, "account %u (agent %u)", (unsigned)a, (unsigned)(a - W->ch.acct0));
	else if (a == dnc_chain_fee_pot(W->ch.chain))
		snprintf(buf, cap, "account %u (fee pot)", (unsigned)a);
	else if (a == dnc_chain_foundation(W->ch.chain))
		snprintf(buf, cap, "account %u (foundation)", (unsigned)a);
	else if (a == W->ch.exchange)
		snprintf(buf, cap, "account %u (exchange)", (unsigned)a);
	else
		snprintf(buf, cap, "account %u", (unsigned)a);
}

/*
 * After every block, conservation over the accounts the block wrote (the
 * ledger's journal, O(touched); world.check_ledger adds the full scan). A
 * violation stops the run naming the block and the accounts whose change
 * no balanced ledger operation explains.
 */
static dn_rc check_conservation(world *W, uint64_t slot)
{
	dnc_rc crc = dnc_chain_check_block(W->ch.chain, slot);
	if (crc == DNC_OK)
		return DN_OK;
	if (crc != DNC_ECONSERVATION)
		return w_block_fail(W, "conservation check", crc);
	dnc_conservation_report rep;
	dnc_chain_conservation_report(W->ch.chain, &rep);
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

static dn_rc check_block(world *W, uint64_t slot)
{
	dn_rc rc = check_conservation(W, slot);
	if (rc || !W->cfg.check_ledger)
		return rc;
	dnc_rc crc = dnc_chain_check(W->ch.chain);
	if (crc)
		return w_block_fail(W, "ledger conservation", crc);
	return w_exchange_check(W);
}

/* ---- the step ---- */

/* The slot's block: missed, a fork's, or the main chain's. *up: produced. */
static dn_rc make_block(world *W, dn_time_ns t, uint64_t slot, bool *up)
{
	uint32_t seat = dnc_schedule_seat(&W->ch.sched, slot % W->cfg.cp.epoch_blocks);
	int side = 0;
	W->ch.last_reward = 0;
	*up = producer_up(W, seat, t, &side);
	if (*up && w_attack_withholds(W, dnc_chain_delegates(W->ch.chain)->seat[seat].acct, t)) {
		*up = false; /* on purpose (attack.kind withhold) */
		W->at.withheld++;
	}
	w_detect_slot(W, seat, *up);
	if (!*up) {
		W->ch.missed++;
		return DN_OK;
	}
	if (W->fk.split_active)
		return fork_block(W, t, slot, seat, side);
	return produce_main(W, t, slot, seat);
}

/* What the block step runs after the block: content sales settle in blocks
 * of the main chain, operators act hourly, the exchange every block. */
static dn_rc after_block(world *W, dn_time_ns t, uint64_t slot, bool up)
{
	dn_rc rc;
	if (W->ct.graph && up && !W->fk.split_active) {
		rc = w_content_block(W, slot, t);
		if (rc)
			return rc;
	}
	uint64_t per_hour = 3600 / W->cfg.cp.block_interval_s;
	if (slot % (per_hour ? per_hour : 1) == 0) {
		rc = w_operators_hour(W, t);
		if (rc)
			return rc;
	}
	rc = w_exchange_block(W, t);
	if (!rc)
		rc = w_gov_block(W, t);
	if (!rc)
		rc = w_attack_block(W, t, slot);
	if (rc)
		return rc;
	w_delegates_collect(W);
	return DN_OK;
}

dn_rc w_block_step(world *W, dn_time_ns t)
{
	W->rec.step_ns = t;
	dn_rc rc = gather(W);
	if (!rc)
		rc = w_cross_answer(W, t); /* world.cross_tiles: before the block, so a granted open can make it */
	if (rc)
		return rc;
	uint64_t slot = (uint64_t)(t / W->cfg.block_ns) - 1;
	rc = w_new_epoch_if_due(W, slot);
	if (!rc)
		rc = partition_step(W, t);
	bool up = false;
	if (!rc)
		rc = make_block(W, t, slot, &up);
	if (!rc)
		rc = after_block(W, t, slot, up);
	if (!rc)
		rc = w_cross_snapshot(W);
	if (rc)
		return rc;
	return check_block(W, slot);
}
