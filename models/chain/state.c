/*
 * state.c: the chain state machine. Each transaction handler checks
 * everything first and only then moves money, so an error leaves the state
 * as it was; the sender's fee is taken first and given back on error.
 */
#include "state.h"

#include <assert.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct dnc_chain {
	dnc_params p;
	dnc_sigscheme sig;
	dnc_ledger *L;
	dnc_sessions sess;
	dnc_escrow *esc;
	uint64_t n_esc, cap_esc, f2f_failures;
	dnc_proposal prop[DNC_GOV_SLOTS];
	uint64_t next_prop_id;
	dnc_admin_stats admin;
	int admin_enabled;
	dnc_emission em;
	dnc_allocation alloc;
	dn_amount minted_blocks;
	dn_amount gen_given[3];
	dnc_delegate_set ds;
	int have_ds;
	dnc_provenance prov;
	uint64_t height;
	dnc_time_s fundraising_end_s;
	dnc_acct pot, foundation;
	dnc_hash id;            /* chain id: the genesis hash */
	/* scratch for reward distribution: no allocation per block */
	uint64_t w[DNC_MAX_DELEGATES];
	dn_amount out[DNC_MAX_DELEGATES];
	uint32_t pick[DNC_MAX_DELEGATES];
	/* the last splits of distribute (the block reward, the fees): every
	 * block of an epoch splits the same reward over the same seats */
	struct dist_memo {
		int valid;
		uint64_t ds_gen;
		dn_amount amount;
		dn_amount by_kind[DNC_SEAT_KINDS];
		uint32_t n;                     /* pools paid, in the order paid */
		uint32_t seat[DNC_MAX_DELEGATES];
		dn_amount pay[DNC_MAX_DELEGATES];
	} memo[2];
	uint32_t memo_next;
	uint64_t ds_gen;        /* bumped whenever a delegate set is installed */
	/* DNC_PAYOUT_EPOCH: the block rewards waiting in the fee pot (beside
	 * its fees) and the pot's balance at the last block end */
	dn_amount pot_reward, pot_after;
};

static void id_put64(crypto_generichash_state *st, uint64_t v)
{
	uint8_t b[8];
	dnc_put_le64(b, v);
	crypto_generichash_update(st, b, 8);
}

/*
 * The chain id starts as BLAKE2b-256 of "DNCGEN02", the signature scheme's
 * name, every parameter the chain's rules use, and the foundation's key.
 * Node-local choices (confirmations, grace_units, check_conservation) stay
 * out: nodes that differ only there are on the same chain. A parameter
 * added to dnc_params that the rules use joins this list (the scoring
 * countermeasures join after it, and only when one is on).
 */
static void id_start(dnc_chain *c, const dnc_pubkey *foundation)
{
	const dnc_params *p = &c->p;
	const char *name = c->sig.ops->name ? c->sig.ops->name : "";
	const uint64_t v[] = {
		p->block_interval_s, p->delegates, p->lambda_ppm, p->traffic_window_blocks,
		p->epoch_blocks, p->unit_bytes, (uint64_t)p->supply_base, p->alpha_ppm,
		p->beta_ppm, p->gamma_ppm, p->emission_years, p->producer_ppm,
		p->delegate_fee_ppm, p->community_fee_ppm, p->relay_pool_ppm,
		(uint64_t)p->relay_mode, p->fwd_origin_ppm, p->fwd_seller_ppm,
		p->fwd_pool_ppm, p->fwd_first_ppm, p->fwd_decay_ppm,
		(uint64_t)p->fwd_min_reward_base, (uint64_t)p->fwd_order, p->gov_num,
		p->gov_den, p->gov_voting_blocks, p->lock_cliff_months, p->lock_monthly_ppm,
		p->month_s, p->f2f_max_failures,
		/* DNCGEN02: the emission schedule and the quality weights */
		(uint64_t)p->emission_kind, p->emission_blocks, p->emission_decay_ppm,
		p->emission_halving_years, p->quality_price_ppm, p->quality_loss_ppm,
		p->quality_stability_ppm,
	};
	crypto_generichash_state st;
	size_t i, n = strlen(name);
	crypto_generichash_init(&st, NULL, 0, DNC_HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)"DNCGEN02", 8);
	id_put64(&st, n);
	crypto_generichash_update(&st, (const uint8_t *)name, n);
	id_put64(&st, sizeof v / sizeof v[0]);
	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		id_put64(&st, v[i]);
	/* the scoring countermeasures join only when one is on: a chain
	 * without them keeps the id it had before they existed */
	if (p->score_min_price_base || p->score_cap_units) {
		crypto_generichash_update(&st, (const uint8_t *)"SCORECM1", 8);
		id_put64(&st, (uint64_t)p->score_min_price_base);
		id_put64(&st, p->score_cap_units);
	}
	if (p->score_bond_base) {
		crypto_generichash_update(&st, (const uint8_t *)"SCOREBD1", 8);
		id_put64(&st, (uint64_t)p->score_bond_base);
	}
	if (p->seat_cluster_max) {
		crypto_generichash_update(&st, (const uint8_t *)"SEATCL01", 8);
		id_put64(&st, p->seat_cluster_max);
	}
	if (p->seat_payout != DNC_PAYOUT_BLOCK) {
		crypto_generichash_update(&st, (const uint8_t *)"PAYOUT01", 8);
		id_put64(&st, (uint64_t)p->seat_payout);
	}
	crypto_generichash_update(&st, foundation->b, DNC_PK_BYTES);
	crypto_generichash_final(&st, c->id.b, DNC_HASH_BYTES);
}

/* Each genesis allocation folds in: id = H("DNCALLOC" || id || key || kind || amount). */
static void id_fold(dnc_chain *c, const dnc_pubkey *to, dnc_genesis_kind kind,
		    dn_amount amount)
{
	crypto_generichash_state st;
	uint8_t k = (uint8_t)kind;
	crypto_generichash_init(&st, NULL, 0, DNC_HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)"DNCALLOC", 8);
	crypto_generichash_update(&st, c->id.b, DNC_HASH_BYTES);
	crypto_generichash_update(&st, to->b, DNC_PK_BYTES);
	crypto_generichash_update(&st, &k, 1);
	id_put64(&st, (uint64_t)amount);
	crypto_generichash_final(&st, c->id.b, DNC_HASH_BYTES);
}

dnc_rc dnc_chain_create(const dnc_params *p, const dnc_sigscheme *s,
			const dnc_chain_limits *lim, const dnc_pubkey *foundation,
			dnc_chain **out)
{
	dnc_chain *c;
	dnc_pubkey pot_pk;
	dnc_rc rc;

	*out = NULL;
	if (!p || !s || !s->ops || !lim || !foundation || lim->accounts < 3 ||
	    lim->escrows == 0 || lim->sessions == 0)
		return DNC_EINVAL;
	rc = dnc_params_check(p);
	if (rc)
		return rc;
	if (p->delegates > DNC_MAX_DELEGATES)
		return DNC_EINVAL;
	c = calloc(1, sizeof *c);
	if (!c)
		return DNC_ENOMEM;
	c->p = *p;
	c->sig = *s;
	rc = dnc_allocation_compute(p, &c->alloc);
	if (!rc)
		rc = dnc_emission_init(p, &c->em);
	if (!rc)
		rc = dnc_ledger_create(lim->accounts, p->supply_base, &c->L);
	if (!rc)
		rc = dnc_sessions_init(&c->sess, lim->sessions);
	if (rc) {
		dnc_chain_destroy(c);
		return rc;
	}
	c->esc = calloc(lim->escrows, sizeof *c->esc);
	if (!c->esc) {
		dnc_chain_destroy(c);
		return DNC_ENOMEM;
	}
	c->cap_esc = lim->escrows;
	/* the fee pot's address: a hash nobody holds a key for */
	dnc_hash_bytes((const uint8_t *)"DNET consensus fee pot", 22, (dnc_hash *)&pot_pk);
	rc = dnc_ledger_add(c->L, &pot_pk, &c->pot);
	if (!rc)
		rc = dnc_ledger_add(c->L, foundation, &c->foundation);
	if (rc) {
		dnc_chain_destroy(c);
		return rc == DNC_EEXISTS ? DNC_EINVAL : rc;
	}
	dnc_ledger_set_flags(c->L, c->pot, DNC_ACCT_SYSTEM);
	dnc_ledger_set_flags(c->L, c->foundation, DNC_ACCT_SYSTEM);
	c->next_prop_id = 1;
	id_start(c, foundation);
	*out = c;
	return DNC_OK;
}

void dnc_chain_destroy(dnc_chain *c)
{
	if (!c)
		return;
	dnc_ledger_destroy(c->L);
	dnc_sessions_free(&c->sess);
	free(c->esc);
	free(c);
}

dnc_ledger *dnc_chain_ledger(dnc_chain *c) { return c->L; }
const dnc_sigscheme *dnc_chain_sigscheme(const dnc_chain *c)
{
	return &c->sig;
}

const dnc_ledger *dnc_chain_ledger_c(const dnc_chain *c) { return c->L; }
const dnc_params *dnc_chain_params(const dnc_chain *c) { return &c->p; }
const dnc_sessions *dnc_chain_sessions(const dnc_chain *c) { return &c->sess; }
const dnc_emission *dnc_chain_emission(const dnc_chain *c) { return &c->em; }
dnc_acct dnc_chain_fee_pot(const dnc_chain *c) { return c->pot; }
dnc_acct dnc_chain_foundation(const dnc_chain *c) { return c->foundation; }
uint64_t dnc_chain_height(const dnc_chain *c) { return c->height; }
const dnc_hash *dnc_chain_id(const dnc_chain *c) { return &c->id; }
const dnc_provenance *dnc_chain_provenance(const dnc_chain *c) { return &c->prov; }
const dnc_admin_stats *dnc_chain_admin_stats(const dnc_chain *c) { return &c->admin; }
uint64_t dnc_chain_f2f_failures(const dnc_chain *c) { return c->f2f_failures; }
const dnc_delegate_set *dnc_chain_delegates(const dnc_chain *c)
{
	return c->have_ds ? &c->ds : NULL;
}

void dnc_chain_set_fundraising_end(dnc_chain *c, dnc_time_s end_s)
{
	c->fundraising_end_s = end_s;
}

void dnc_chain_set_admin_enabled(dnc_chain *c, int enabled)
{
	c->admin_enabled = enabled != 0;
}

dnc_rc dnc_chain_genesis(dnc_chain *c, dnc_acct a, dnc_genesis_kind kind,
			 dn_amount amount)
{
	dn_amount cap;
	dnc_rc rc;
	if (c->height != 0)
		return DNC_ETOOLATE;
	if (amount <= 0 || a >= dnc_ledger_count(c->L) || (unsigned)kind > DNC_GEN_COMMUNITY)
		return DNC_EINVAL;
	/* R-SUP-2: alpha, beta, gamma caps */
	cap = kind == DNC_GEN_TEAM ? c->alloc.team
	      : kind == DNC_GEN_SALE ? c->alloc.sale : c->alloc.community;
	if (amount > cap - c->gen_given[kind])
		return DNC_ESUPPLY;
	rc = kind == DNC_GEN_TEAM ? dnc_ledger_mint_team(c->L, a, amount) /* R-LOCK-1 */
				  : dnc_ledger_mint(c->L, a, amount);
	if (rc)
		return rc;
	c->gen_given[kind] += amount;
	c->prov.initial += amount;
	dnc_ledger_set_flags(c->L, a, DNC_ACCT_INITIAL);
	id_fold(c, dnc_ledger_pk(c->L, a), kind, amount);
	return DNC_OK;
}

dnc_rc dnc_chain_set_delegates(dnc_chain *c, const dnc_delegate_set *ds)
{
	uint32_t i, k, sum = 0;
	if (ds->n == 0 || ds->n > DNC_MAX_DELEGATES)
		return DNC_EINVAL;
	for (k = 0; k < DNC_SEAT_KINDS; k++)
		sum += ds->n_kind[k];
	if (sum != ds->n)
		return DNC_EINVAL;
	for (i = 0; i < ds->n; i++)
		if (ds->seat[i].acct >= dnc_ledger_count(c->L) ||
		    ds->seat[i].kind >= DNC_SEAT_KINDS)
			return DNC_EINVAL;
	/* DNC_PAYOUT_EPOCH: the outgoing seats are paid what they earned */
	dnc_rc rc = dnc_chain_pay_seats(c, NULL);
	if (rc)
		return rc;
	c->ds = *ds;
	c->have_ds = 1;
	c->ds_gen++;
	return DNC_OK;
}

dnc_rc dnc_chain_new_epoch(dnc_chain *c, uint64_t epoch, const dnc_hash *seed,
			   dnc_schedule *sched)
{
	uint64_t window = c->height / c->p.traffic_window_blocks;
	/* DNC_PAYOUT_EPOCH: the outgoing seats are paid before the votes
	 * and holdings of the election are read */
	dnc_rc rc = dnc_chain_pay_seats(c, NULL);
	if (rc)
		return rc;
	dnc_delegate_set *ds = malloc(sizeof *ds);
	if (!ds)
		return DNC_ENOMEM;
	/* R-CONS-3: the last complete window (window 0 until one is) */
	rc = dnc_elect(&c->p, c->L, epoch, window > 0 ? window - 1 : 0, ds);
	if (!rc && ds->n == 0)
		rc = DNC_ENOTFOUND;
	if (!rc && sched)
		rc = dnc_schedule_make(ds, seed, epoch, sched); /* R-CONS-6 */
	if (!rc)
		rc = dnc_chain_set_delegates(c, ds);
	free(ds);
	return rc;
}

/*
 * A move whose amount was checked against the payer's balance beforehand:
 * it cannot fail; a failure would be a broken invariant, caught by the
 * assertion at the caller.
 */
static int moved(dnc_ledger *L, dnc_acct from, dnc_acct to, dn_amount amount)
{
	return dnc_ledger_transfer(L, from, to, amount) == DNC_OK;
}

/* ---- splits paid by index (shared by transactions and bulk paths) ---- */

dnc_rc dnc_chain_pay_share(dnc_chain *c, dnc_acct payer, dnc_acct provider,
			   const dnc_acct *relays, uint32_t n_relays,
			   const uint64_t *relay_bytes, dn_amount price,
			   dnc_share_split *out)
{
	uint32_t n = dnc_ledger_count(c->L), i;
	dnc_share_split s;
	dnc_rc rc;
	int ok;

	if (payer >= n || provider >= n || n_relays > DNC_MAX_RELAYS)
		return DNC_EINVAL;
	for (i = 0; i < n_relays; i++)
		if (relays[i] >= n)
			return DNC_EINVAL;
	rc = dnc_split_share(&c->p, price, n_relays, relay_bytes, &s); /* R-SHARE */
	if (rc)
		return rc;
	if (dnc_ledger_balance(c->L, payer) < price)
		return DNC_EINSUFFICIENT;
	/* checked: the moves below cannot fail */
	ok = moved(c->L, payer, c->pot, s.fee);  /* R-FEE-2 */
	ok &= moved(c->L, payer, provider, s.provider);
	for (i = 0; i < n_relays; i++)
		ok &= moved(c->L, payer, relays[i], s.relay[i]);
	assert(ok);
	(void)ok;
	if (out)
		*out = s;
	return DNC_OK;
}

dnc_rc dnc_chain_pay_content(dnc_chain *c, dnc_acct buyer, dnc_acct origin,
			     const dnc_acct *middle, uint32_t k, dnc_acct seller,
			     dn_amount price, dnc_fwd_split *out)
{
	uint32_t n = dnc_ledger_count(c->L), i;
	int direct = seller == origin, ok;
	dnc_fwd_split s;
	dnc_rc rc;

	if (buyer >= n || origin >= n || seller >= n || k > DNC_MAX_MIDDLEMEN)
		return DNC_EINVAL;
	for (i = 0; i < k; i++)
		if (middle[i] >= n)
			return DNC_EINVAL;
	rc = dnc_split_forward(&c->p, price, k, direct, &s); /* R-FWD-1..3 */
	if (rc)
		return rc;
	if (dnc_ledger_balance(c->L, buyer) < price)
		return DNC_EINSUFFICIENT;
	ok = moved(c->L, buyer, c->pot, s.fee); /* R-FEE-2 */
	ok &= moved(c->L, buyer, origin, s.origin);
	if (!direct)
		ok &= moved(c->L, buyer, seller, s.seller);
	for (i = 0; i < k; i++)
		ok &= moved(c->L, buyer, middle[i], s.middle[i]);
	assert(ok);
	(void)ok;
	if (out)
		*out = s;
	return DNC_OK;
}

/* ---- transaction handlers: check, then move ---- */

static dnc_rc need(const dnc_chain *c, const dnc_pubkey *pk, dnc_acct *a)
{
	*a = dnc_ledger_find(c->L, pk);
	return *a == DNC_NONE ? DNC_ENOACCOUNT : DNC_OK;
}

static dnc_rc tx_transfer(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			  dnc_tx_receipt *r)
{
	dnc_acct to = dnc_ledger_find(c->L, &tx->u.transfer.to);
	dnc_rc rc;
	if (dnc_ledger_balance(c->L, from) < tx->u.transfer.amount)
		return DNC_EINSUFFICIENT;
	if (to == DNC_NONE) {
		rc = dnc_ledger_add(c->L, &tx->u.transfer.to, &to);
		if (rc)
			return rc;
	}
	/* owner clusters: only kept by a chain that caps seats per cluster */
	bool fresh = c->p.seat_cluster_max && tx->u.transfer.amount > 0 && dnc_ledger_holdings(c->L, to) == 0;
	rc = dnc_ledger_transfer(c->L, from, to, tx->u.transfer.amount);
	if (!rc) {
		r->moved = tx->u.transfer.amount;
		if (fresh)
			dnc_ledger_note_funder(c->L, from, to);
	}
	return rc;
}

static dnc_rc tx_vote(dnc_chain *c, dnc_acct from, const dnc_tx *tx)
{
	dnc_acct cand = DNC_NONE;
	dnc_rc rc;
	if (tx->u.vote.amount > 0) {
		rc = need(c, &tx->u.vote.candidate, &cand);
		if (rc)
			return rc;
	}
	return dnc_ledger_vote(c->L, from, cand, tx->u.vote.amount, c->height); /* R-CONS-5 */
}

static dnc_rc tx_f2f_lock(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			  dnc_time_s now_s, dnc_tx_receipt *r)
{
	dnc_acct to = dnc_ledger_find(c->L, &tx->u.f2f_lock.to);
	dnc_escrow *e;
	dnc_rc rc;
	if (tx->u.f2f_lock.deadline_s <= now_s)
		return DNC_ETOOLATE;
	if (c->n_esc >= c->cap_esc)
		return DNC_EFULL;
	if (dnc_ledger_balance(c->L, from) < tx->u.f2f_lock.amount)
		return DNC_EINSUFFICIENT;
	if (to == from)
		return DNC_EINVAL;
	if (to == DNC_NONE) {
		rc = dnc_ledger_add(c->L, &tx->u.f2f_lock.to, &to);
		if (rc)
			return rc;
	}
	rc = dnc_ledger_lock(c->L, from, DNC_LOCK_F2F, tx->u.f2f_lock.amount);
	if (rc)
		return rc;
	e = &c->esc[c->n_esc++];
	memset(e, 0, sizeof *e);
	e->from = from;
	e->to = to;
	e->amount = tx->u.f2f_lock.amount;
	e->pw_hash = tx->u.f2f_lock.pw_hash; /* R-F2F-1: only a hash */
	e->deadline_s = tx->u.f2f_lock.deadline_s;
	e->state = 1;
	r->created_id = c->n_esc;
	r->moved = e->amount;
	return DNC_OK;
}

const dnc_escrow *dnc_chain_escrow(const dnc_chain *c, uint64_t id)
{
	return id == 0 || id > c->n_esc ? NULL : &c->esc[id - 1];
}

static dnc_rc tx_f2f_claim(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			   dnc_time_s now_s, dnc_tx_receipt *r)
{
	uint64_t id = tx->u.f2f_claim.escrow_id;
	dnc_escrow *e;
	dnc_hash h;
	dnc_rc rc;
	if (id == 0 || id > c->n_esc || c->esc[id - 1].state != 1)
		return DNC_ENOTFOUND;
	e = &c->esc[id - 1];
	if (from != e->to)
		return DNC_EUNAUTHORIZED;
	if (now_s > e->deadline_s)
		return DNC_ETOOLATE;
	if (e->failures >= c->p.f2f_max_failures)
		return DNC_ERATELIMIT;      /* R-F2F-1: rate-limited */
	dnc_f2f_password_hash(dnc_ledger_pk(c->L, e->to), tx->u.f2f_claim.password, &h);
	if (sodium_memcmp(h.b, e->pw_hash.b, DNC_HASH_BYTES) != 0) {
		e->failures++;              /* R-F2F-1: counted */
		c->f2f_failures++;
		return DNC_EBADPASSWORD;
	}
	rc = dnc_ledger_unlock_to(c->L, e->from, DNC_LOCK_F2F, e->to, e->amount);
	if (rc)
		return rc;
	e->state = 2;
	r->moved = e->amount;
	return DNC_OK;
}

static dnc_rc tx_f2f_refund(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			    dnc_time_s now_s, dnc_tx_receipt *r)
{
	uint64_t id = tx->u.f2f_refund.escrow_id;
	dnc_escrow *e;
	dnc_rc rc;
	if (id == 0 || id > c->n_esc || c->esc[id - 1].state != 1)
		return DNC_ENOTFOUND;
	e = &c->esc[id - 1];
	if (from != e->from)
		return DNC_EUNAUTHORIZED;
	if (now_s <= e->deadline_s)
		return DNC_ETOOEARLY;       /* R-F2F-1: back only after the deadline */
	rc = dnc_ledger_unlock_to(c->L, e->from, DNC_LOCK_F2F, e->from, e->amount);
	if (rc)
		return rc;
	e->state = 3;
	r->moved = e->amount;
	return DNC_OK;
}

static dnc_rc tx_rent(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
		      dnc_tx_receipt *r)
{
	dnc_acct owner;
	dnc_u128 total;
	dn_amount fee, net;
	int ok;
	dnc_rc rc = need(c, &tx->u.rent.owner, &owner);
	if (rc)
		return rc;
	/* R-RENT-1: price per unit time x periods, R-FEE-2 off the top */
	total = (dnc_u128)(uint64_t)tx->u.rent.price_per_period * tx->u.rent.periods;
	if (total > (dnc_u128)INT64_MAX)
		return DNC_EOVERFLOW;
	rc = dnc_split_fee((dn_amount)total, c->p.community_fee_ppm, &fee, &net);
	if (rc)
		return rc;
	if (dnc_ledger_balance(c->L, from) < (dn_amount)total)
		return DNC_EINSUFFICIENT;
	ok = moved(c->L, from, c->pot, fee);
	ok &= moved(c->L, from, owner, net);
	assert(ok);
	(void)ok;
	r->fee_paid += fee;
	r->moved = (dn_amount)total;
	return DNC_OK;
}

static dnc_rc tx_content(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			 dnc_tx_receipt *r)
{
	dnc_acct origin, seller, mid[DNC_MAX_MIDDLEMEN];
	dnc_fwd_split s;
	uint32_t i, k = tx->u.content.n_middle;
	dnc_rc rc = need(c, &tx->u.content.origin, &origin);
	if (rc)
		return rc;
	if (tx->u.content.direct) {
		seller = origin;
	} else {
		rc = need(c, &tx->u.content.seller, &seller);
		if (rc)
			return rc;
		if (seller == origin)
			return DNC_EINVAL; /* O selling itself must say direct */
	}
	for (i = 0; i < k; i++) {
		rc = need(c, &tx->u.content.middle[i], &mid[i]);
		if (rc)
			return rc;
	}
	rc = dnc_chain_pay_content(c, from, origin, mid, k, seller, tx->u.content.price, &s);
	if (rc)
		return rc;
	r->fee_paid += s.fee;
	r->moved = tx->u.content.price;
	return DNC_OK;
}

static dnc_rc tx_share(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
		       dnc_tx_receipt *r)
{
	dnc_acct provider, relay[DNC_MAX_RELAYS];
	dnc_share_split s;
	uint32_t i, k = tx->u.share.n_relays;
	dnc_rc rc = need(c, &tx->u.share.provider, &provider);
	if (rc)
		return rc;
	for (i = 0; i < k; i++) {
		rc = need(c, &tx->u.share.relay[i], &relay[i]);
		if (rc)
			return rc;
	}
	rc = dnc_chain_pay_share(c, from, provider, relay, k, tx->u.share.relay_bytes,
				 tx->u.share.price, &s);
	if (rc)
		return rc;
	r->fee_paid += s.fee;
	r->moved = tx->u.share.price;
	return DNC_OK;
}

static int slot_of_proposal(const dnc_chain *c, uint64_t id)
{
	int i;
	for (i = 0; i < DNC_GOV_SLOTS; i++)
		if (c->prop[i].id == id && id != 0)
			return i;
	return -1;
}

const dnc_proposal *dnc_chain_proposal(const dnc_chain *c, uint64_t id)
{
	int s = slot_of_proposal(c, id);
	return s < 0 ? NULL : &c->prop[s];
}

static dnc_rc gov_value_ok(const dnc_chain *c, uint32_t param, int64_t v)
{
	switch ((dnc_gov_param)param) {
	case DNC_GOVP_COMMUNITY_FEE_PPM:
		return v <= DNC_FEE_MAX_PPM ? DNC_OK : DNC_EINVAL; /* R-FEE-2 cap */
	case DNC_GOVP_LAMBDA_PPM:
	case DNC_GOVP_PRODUCER_PPM:
		return v <= DNC_PPM ? DNC_OK : DNC_EINVAL;
	case DNC_GOVP_EMISSION_END_HEIGHT:
		return (uint64_t)v > c->height + c->p.gov_voting_blocks + 1 ? DNC_OK
									    : DNC_EINVAL;
	case DNC_GOVP_ADMIN_ENABLED:
		return v <= 1 ? DNC_OK : DNC_EINVAL;
	case DNC_GOVP_END:
		break;
	}
	return DNC_EINVAL;
}

static dnc_rc tx_gov_propose(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			     dnc_tx_receipt *r)
{
	int i, free_slot = -1;
	dnc_rc rc;
	/* R-GOV-1: only voting weight (stake) may propose */
	if (dnc_ledger_account(c->L, from)->lock[DNC_LOCK_STAKE] <= 0)
		return DNC_EUNAUTHORIZED;
	rc = gov_value_ok(c, tx->u.gov_propose.param, tx->u.gov_propose.value);
	if (rc)
		return rc;
	for (i = 0; i < DNC_GOV_SLOTS; i++)
		if (c->prop[i].state != 1) {
			free_slot = i;
			break;
		}
	if (free_slot < 0 || c->next_prop_id >= UINT32_MAX)
		return DNC_EFULL;
	memset(&c->prop[free_slot], 0, sizeof c->prop[free_slot]);
	c->prop[free_slot].id = c->next_prop_id++;
	c->prop[free_slot].param = tx->u.gov_propose.param;
	c->prop[free_slot].value = tx->u.gov_propose.value;
	c->prop[free_slot].end_height = c->height + c->p.gov_voting_blocks;
	c->prop[free_slot].state = 1;
	r->created_id = c->prop[free_slot].id;
	return DNC_OK;
}

static dnc_rc tx_gov_vote(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			  dnc_tx_receipt *r)
{
	int s = slot_of_proposal(c, tx->u.gov_vote.proposal_id);
	dn_amount weight;
	dnc_proposal *pr;
	dnc_rc rc;
	if (s < 0 || c->prop[s].state != 1)
		return DNC_ENOTFOUND;
	pr = &c->prop[s];
	if (c->height > pr->end_height)
		return DNC_ETOOLATE;
	/* R-GOV-1: voting weight is staked DNET, frozen until the tally */
	weight = dnc_ledger_account(c->L, from)->lock[DNC_LOCK_STAKE];
	if (weight <= 0)
		return DNC_EUNAUTHORIZED;
	rc = dnc_ledger_gov_mark(c->L, from, (uint32_t)s, (uint32_t)pr->id);
	if (rc)
		return rc;
	dnc_ledger_freeze_stake(c->L, from, pr->end_height + 1);
	if (tx->u.gov_vote.yes)
		pr->yes_weight += weight;
	else
		pr->no_weight += weight;
	r->moved = weight;
	return DNC_OK;
}

static dnc_rc tx_retract(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			 dnc_tx_receipt *r)
{
	dnc_acct target;
	dnc_admin_entry *e;
	dnc_rc rc;
	/* R-ADMIN-1: foundation only, and only while governance allows it */
	if (from != c->foundation || !c->admin_enabled)
		return DNC_EUNAUTHORIZED;
	rc = need(c, &tx->u.retract.target, &target);
	if (rc)
		return rc;
	rc = dnc_ledger_transfer(c->L, target, c->foundation, tx->u.retract.amount);
	if (rc)
		return rc;
	e = &c->admin.log[c->admin.count % DNC_ADMIN_LOG]; /* R-ADMIN-1: logged */
	e->height = c->height;
	e->target = target;
	e->amount = tx->u.retract.amount;
	e->reason = tx->u.retract.reason;
	c->admin.count++;
	c->admin.total += tx->u.retract.amount;
	r->moved = tx->u.retract.amount;
	return DNC_OK;
}

static dnc_rc tx_team_unlock(dnc_chain *c, dnc_acct from, dnc_time_s now_s,
			     dnc_tx_receipt *r)
{
	const dnc_account *a = dnc_ledger_account(c->L, from);
	uint64_t months = dnc_lock_months(&c->p, c->fundraising_end_s, now_s);
	dn_amount unlocked = dnc_lock_unlocked(&c->p, a->team_total, months); /* R-LOCK-1 */
	dn_amount rel;
	dnc_rc rc;
	if (a->team_total <= 0)
		return DNC_EINVAL;
	if (unlocked <= a->team_released)
		return DNC_ETOOEARLY;
	rc = dnc_ledger_team_release(c->L, from, unlocked, &rel);
	if (rc)
		return rc;
	r->moved = rel;
	return DNC_OK;
}

/* R-CRED-2, R-SHARE-2: a session, over an ad hoc path when it names relays */
static dnc_rc tx_open(dnc_chain *c, dnc_acct from, const dnc_tx *tx, dnc_tx_receipt *r)
{
	dnc_acct dist, relay[DNC_MAX_RELAYS];
	dnc_rc rc = need(c, &tx->u.open.distributor, &dist);
	if (rc)
		return rc;
	if (tx->u.open.n_relays > DNC_MAX_RELAYS)
		return DNC_EMALFORMED;
	for (uint32_t i = 0; i < tx->u.open.n_relays; i++) {
		rc = need(c, &tx->u.open.relay[i], &relay[i]);
		if (rc)
			return rc;
	}
	return dnc_session_open_route(&c->sess, c->L, from, dist, relay, tx->u.open.n_relays,
				      tx->u.open.price_per_unit, tx->u.open.units,
				      tx->u.open.expiry_s, &r->created_id);
}

static dnc_rc apply_payload(dnc_chain *c, dnc_acct from, const dnc_tx *tx,
			    const dnc_cred_verdict *cv, dnc_time_s now_s, dnc_tx_receipt *r)
{
	uint64_t window = c->height / c->p.traffic_window_blocks;
	dnc_rc rc;

	switch ((dnc_tx_type)tx->type) {
	case DNC_TX_TRANSFER:
		return tx_transfer(c, from, tx, r);
	case DNC_TX_VOTE:
		return tx_vote(c, from, tx);
	case DNC_TX_SESSION_OPEN:
		return tx_open(c, from, tx, r);
	case DNC_TX_REDEEM: {
		uint64_t before = dnc_session_get(&c->sess, tx->u.redeem.session_id)
					  ? dnc_session_get(&c->sess, tx->u.redeem.session_id)->redeemed_units
					  : 0;
		dn_amount fee = 0;
		rc = dnc_session_redeem_pre(&c->sess, c->L, &c->sig, &c->p, &c->id, from,
					    tx->u.redeem.session_id, &tx->u.redeem.cred, cv,
					    c->pot, window, &r->moved, &fee);
		if (!rc) {
			r->fee_paid += fee;
			r->units = tx->u.redeem.cred.total_units - before;
		}
		return rc;
	}
	case DNC_TX_SESSION_CLOSE:
		return dnc_session_close_p(&c->sess, c->L, &c->p, from, tx->u.close.session_id,
					   now_s, window, &r->moved);
	case DNC_TX_F2F_LOCK:
		return tx_f2f_lock(c, from, tx, now_s, r);
	case DNC_TX_F2F_CLAIM:
		return tx_f2f_claim(c, from, tx, now_s, r);
	case DNC_TX_F2F_REFUND:
		return tx_f2f_refund(c, from, tx, now_s, r);
	case DNC_TX_RENT:
		return tx_rent(c, from, tx, r);
	case DNC_TX_CONTENT:
		return tx_content(c, from, tx, r);
	case DNC_TX_SHARE:
		return tx_share(c, from, tx, r);
	case DNC_TX_GOV_PROPOSE:
		return tx_gov_propose(c, from, tx, r);
	case DNC_TX_GOV_VOTE:
		return tx_gov_vote(c, from, tx, r);
	case DNC_TX_ADMIN_RETRACT:
		return tx_retract(c, from, tx, r);
	case DNC_TX_TEAM_UNLOCK:
		return tx_team_unlock(c, from, now_s, r);
	case DNC_TX_TYPE_END:
		break;
	}
	return DNC_EMALFORMED;
}

void dnc_chain_precheck_tx(const dnc_chain *c, const dnc_tx *tx, dnc_tx_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->sig = dnc_tx_verify(&c->sig, &c->id, tx);
	v->of = tx->sig;
	/* a credential's verdict is worth computing only if the redeem can get
	 * that far: its own signature holds and the credential names this chain */
	if (v->sig == DNC_OK && tx->type == DNC_TX_REDEEM &&
	    memcmp(tx->u.redeem.cred.chain.b, c->id.b, DNC_HASH_BYTES) == 0)
		dnc_session_precheck(&c->sess, c->L, &c->sig, tx->u.redeem.session_id,
				     &tx->u.redeem.cred, &v->cred);
}

/*
 * The one apply path. With v the signatures come from it; without, the
 * flags say whether to verify (the serial path). The transaction's
 * signature is checked second, after the malformed check, in both.
 */
static dnc_rc apply_tx(dnc_chain *c, const dnc_tx *tx, const dnc_tx_verdict *v,
		       dnc_time_s now_s, unsigned flags, dnc_tx_receipt *r)
{
	dnc_tx_receipt local;
	dnc_acct from;
	dnc_rc rc, rc2;

	if (!r)
		r = &local;
	memset(r, 0, sizeof *r);
	if (tx->fee < 0 || tx->type == 0 || tx->type >= DNC_TX_TYPE_END)
		return DNC_EMALFORMED;
	if (v) {
		/* dnc_chain_precheck_tx's dnc_tx_verify, if it judged this tx */
		rc = memcmp(v->of.b, tx->sig.b, DNC_SIG_BYTES) != 0 ? DNC_EINVAL : v->sig;
		if (rc)
			return rc;
	} else if (flags & DNC_APPLY_VERIFY_SIG) {
		rc = dnc_tx_verify(&c->sig, &c->id, tx); /* another chain's: DNC_EWRONGCHAIN */
		if (rc)
			return rc;
	}
	rc = need(c, &tx->from, &from);
	if (rc)
		return rc;
	if (tx->nonce != dnc_ledger_nonce(c->L, from))
		return DNC_EBADNONCE;
	rc = dnc_ledger_transfer(c->L, from, c->pot, tx->fee); /* R-FEE-1 pot */
	if (rc)
		return rc;
	rc = apply_payload(c, from, tx, v ? &v->cred : NULL, now_s, r);
	if (rc) {
		/* all or nothing: give the fee back (cannot fail) */
		rc2 = dnc_ledger_transfer(c->L, c->pot, from, tx->fee);
		assert(rc2 == DNC_OK);
		(void)rc2;
		memset(r, 0, sizeof *r);
		return rc;
	}
	r->fee_paid += tx->fee;
	assert(r->fee_paid >= tx->fee && r->moved >= 0);
	dnc_ledger_bump_nonce(c->L, from);
	assert(dnc_ledger_nonce(c->L, from) == tx->nonce + 1); /* one step per applied tx */
	return DNC_OK;
}

dnc_rc dnc_chain_apply_tx(dnc_chain *c, const dnc_tx *tx, dnc_time_s now_s,
			  unsigned flags, dnc_tx_receipt *r)
{
	return apply_tx(c, tx, NULL, now_s, flags, r);
}

dnc_rc dnc_chain_apply_tx_pre(dnc_chain *c, const dnc_tx *tx, const dnc_tx_verdict *v,
			      dnc_time_s now_s, dnc_tx_receipt *r)
{
	assert(v);
	return apply_tx(c, tx, v, now_s, DNC_APPLY_VERIFY_SIG, r);
}

/* ---- block boundary ---- */

/*
 * R-EMIT-3 / R-FEE-1,2: amount over the seats. Each kind gets a share in
 * proportion to its seat count; inside a kind, each pool in proportion to
 * its score (stake for stake seats, traffic for traffic seats); inside a
 * pool, 10 % to the delegate and 90 % to its owners (dnc_ledger_pool_pay).
 */
/* Sum of n amounts (for the pool-sum assertions). */
static dn_amount sum_of(const dn_amount *v, uint32_t n)
{
	dn_amount s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* The split of amount over the seats (R-EMIT-3 / R-FEE-1,2: kinds by seat
 * count, pools by score), made once per amount and delegate set: OUT the
 * memo holding it. Exact integers; the same split every time. */
static dnc_rc split_seats(dnc_chain *c, dn_amount amount, const struct dist_memo **out)
{
	uint64_t kind_w[DNC_SEAT_KINDS];
	uint32_t k, i, m;
	dnc_rc rc;
	for (k = 0; k < 2; k++)
		if (c->memo[k].valid && c->memo[k].ds_gen == c->ds_gen && c->memo[k].amount == amount) {
			*out = &c->memo[k];
			return DNC_OK;
		}
	struct dist_memo *d = &c->memo[c->memo_next];
	c->memo_next ^= 1u;
	d->valid = 0;
	for (k = 0; k < DNC_SEAT_KINDS; k++)
		kind_w[k] = c->ds.n_kind[k];
	rc = dnc_split_weighted(amount, kind_w, DNC_SEAT_KINDS, d->by_kind);
	if (rc)
		return rc;
	assert(sum_of(d->by_kind, DNC_SEAT_KINDS) == amount); /* nothing made or lost */
	d->n = 0;
	for (k = 0; k < DNC_SEAT_KINDS; k++) {
		m = 0;
		for (i = 0; i < c->ds.n; i++)
			if (c->ds.seat[i].kind == k) {
				c->pick[m] = i;
				c->w[m] = c->ds.seat[i].score;
				m++;
			}
		if (m == 0)
			continue;
		rc = dnc_split_weighted(d->by_kind[k], c->w, m, c->out);
		if (rc)
			return rc;
		assert(sum_of(c->out, m) == d->by_kind[k]); /* pool shares add up exactly */
		for (i = 0; i < m; i++) {
			d->seat[d->n] = c->pick[i];
			d->pay[d->n] = c->out[i];
			d->n++;
		}
	}
	d->amount = amount;
	d->ds_gen = c->ds_gen;
	d->valid = 1;
	*out = d;
	return DNC_OK;
}

static dnc_rc distribute(dnc_chain *c, dnc_acct from, dn_amount amount,
			 dn_amount by_kind_out[DNC_SEAT_KINDS])
{
	const struct dist_memo *d;
	uint32_t k, i;
	dnc_rc rc = split_seats(c, amount, &d);
	if (rc)
		return rc;
	for (k = 0; k < DNC_SEAT_KINDS; k++)
		by_kind_out[k] = d->by_kind[k];
	for (i = 0; i < d->n; i++) {
		rc = dnc_ledger_pool_pay(c->L, from, c->ds.seat[d->seat[i]].acct, d->pay[i],
					 c->p.delegate_fee_ppm, NULL);
		if (rc)
			return rc;
	}
	return DNC_OK;
}

/* amount split over the seat kinds by seat count (R-EMIT-3), as
 * split_seats splits it. OUT by_kind. */
static dnc_rc kind_split(const dnc_chain *c, dn_amount amount, dn_amount by_kind[DNC_SEAT_KINDS])
{
	uint64_t kind_w[DNC_SEAT_KINDS];
	for (uint32_t k = 0; k < DNC_SEAT_KINDS; k++)
		kind_w[k] = c->ds.n_kind[k];
	return dnc_split_weighted(amount, kind_w, DNC_SEAT_KINDS, by_kind);
}

dnc_rc dnc_chain_pay_seats(dnc_chain *c, dnc_block_summary *sum)
{
	dn_amount pot, by_kind[DNC_SEAT_KINDS], rw_kind[DNC_SEAT_KINDS];
	dnc_rc rc;
	if (sum)
		memset(sum, 0, sizeof *sum);
	if (c->p.seat_payout != DNC_PAYOUT_EPOCH || !c->have_ds)
		return DNC_OK;
	pot = dnc_ledger_balance(c->L, c->pot);
	if (pot > 0) {
		/* R-EMIT-5: what the reward part earned, by seat kind */
		rc = kind_split(c, c->pot_reward, rw_kind);
		if (!rc)
			rc = distribute(c, c->pot, pot, by_kind);
		if (rc)
			return rc;
		c->prov.stake_earned += rw_kind[DNC_SEAT_STAKE];
		c->prov.traffic_earned += rw_kind[DNC_SEAT_VOLUME] + rw_kind[DNC_SEAT_QUALITY];
	}
	if (sum) {
		sum->height = c->height;
		sum->reward = c->pot_reward;
		sum->fees_distributed = pot - c->pot_reward;
		sum->paid_out = pot;
		sum->minted_total = c->minted_blocks;
		sum->prov = c->prov;
		sum->initial_share_ppm = dnc_initial_share_ppm(&c->prov);
	}
	c->pot_reward = 0;
	c->pot_after = 0;
	return DNC_OK;
}

static void gov_enact(dnc_chain *c, const dnc_proposal *pr, dn_amount remaining_after)
{
	switch ((dnc_gov_param)pr->param) {
	case DNC_GOVP_COMMUNITY_FEE_PPM:
		c->p.community_fee_ppm = (uint32_t)pr->value;
		break;
	case DNC_GOVP_LAMBDA_PPM:
		c->p.lambda_ppm = (uint32_t)pr->value;
		break;
	case DNC_GOVP_PRODUCER_PPM:
		c->p.producer_ppm = (uint32_t)pr->value;
		break;
	case DNC_GOVP_EMISSION_END_HEIGHT:
		/* R-EMIT-4: re-tune; the supply bound still holds */
		if (dnc_emission_retune(&c->em, c->height + 1, (uint64_t)pr->value,
					remaining_after) != DNC_OK)
			break;
		break;
	case DNC_GOVP_ADMIN_ENABLED:
		c->admin_enabled = pr->value != 0;
		break;
	case DNC_GOVP_END:
		break;
	}
}

dnc_rc dnc_chain_end_block(dnc_chain *c, uint32_t producer_seat, dnc_time_s now_s,
			   dnc_block_summary *sum)
{
	dn_amount remaining, reward, prod, pools, fees, by_kind[DNC_SEAT_KINDS];
	const dnc_seat *ps;
	uint32_t i, closed = 0, passed = 0;
	dnc_rc rc;

	(void)now_s;
	if (!c->have_ds || producer_seat >= c->ds.n)
		return DNC_EINVAL;
	ps = &c->ds.seat[producer_seat];
	remaining = c->alloc.emission - c->minted_blocks;
	reward = dnc_emission_reward(&c->em, c->height, remaining); /* R-EMIT-1,4 */
	rc = dnc_emission_producer_split(&c->p, reward, &prod, &pools); /* R-EMIT-3 */
	if (rc)
		return rc;
	if (reward > dnc_ledger_unminted(c->L))
		return DNC_ESUPPLY;
	rc = dnc_ledger_mint(c->L, ps->acct, prod);
	if (rc)
		return rc;
	if (ps->kind == DNC_SEAT_STAKE)
		c->prov.stake_earned += prod;   /* R-EMIT-5 */
	else
		c->prov.traffic_earned += prod;
	if (c->p.seat_payout == DNC_PAYOUT_EPOCH) {
		/* the pools' part waits in the pot with the fees until the
		 * seats leave office (dnc_chain_pay_seats) */
		rc = dnc_ledger_mint(c->L, c->pot, pools);
		if (rc)
			return rc;
		c->pot_reward += pools;
		fees = 0;
	} else {
		rc = distribute(c, DNC_NONE, pools, by_kind);
		if (rc)
			return rc;
		c->prov.stake_earned += by_kind[DNC_SEAT_STAKE];
		c->prov.traffic_earned += by_kind[DNC_SEAT_VOLUME] + by_kind[DNC_SEAT_QUALITY];
		/* R-FEE-1 / R-FEE-2: the block's fees go to its consensus pool */
		fees = dnc_ledger_balance(c->L, c->pot);
		if (fees > 0) {
			rc = distribute(c, c->pot, fees, by_kind);
			if (rc)
				return rc;
		}
	}
	c->minted_blocks += reward;
	/* R-GOV-1: tally votes that ended with this block */
	for (i = 0; i < DNC_GOV_SLOTS; i++) {
		dnc_proposal *pr = &c->prop[i];
		dnc_u128 yes, all;
		if (pr->state != 1 || pr->end_height > c->height)
			continue;
		yes = (dnc_u128)(uint64_t)pr->yes_weight * c->p.gov_den;
		all = (dnc_u128)(uint64_t)dnc_ledger_locked_total(c->L, DNC_LOCK_STAKE) *
		      c->p.gov_num;
		closed++;
		if (yes > all) { /* more than 2/3 of all voting weight */
			pr->state = 2;
			passed++;
			gov_enact(c, pr, c->alloc.emission - c->minted_blocks);
		} else {
			pr->state = 3;
		}
	}
	dn_amount accrued = 0, acc_kind[DNC_SEAT_KINDS] = {0};
	if (c->p.seat_payout == DNC_PAYOUT_EPOCH) {
		dn_amount pot = dnc_ledger_balance(c->L, c->pot);
		accrued = pot - c->pot_after;
		c->pot_after = pot;
		rc = kind_split(c, accrued, acc_kind);
		if (rc)
			return rc;
	}
	if (c->p.check_conservation != DNC_CHECK_OFF) {
		rc = dnc_ledger_check_block(c->L, c->height);
		if (!rc && c->p.check_conservation == DNC_CHECK_FULL)
			rc = dnc_ledger_check_conservation(c->L);
		if (rc)
			return rc;
	}
	if (sum) {
		memset(sum, 0, sizeof *sum);
		sum->height = c->height;
		sum->reward = reward;
		sum->producer_reward = prod;
		sum->fees_distributed = fees;
		sum->paid_out = c->p.seat_payout == DNC_PAYOUT_EPOCH ? prod : reward + fees;
		sum->minted_total = c->minted_blocks;
		sum->prov = c->prov;
		sum->initial_share_ppm = dnc_initial_share_ppm(&c->prov); /* R-GOV-2 */
		sum->accrued = accrued;
		memcpy(sum->accrued_by_kind, acc_kind, sizeof acc_kind);
		sum->proposals_closed = closed;
		sum->proposals_passed = passed;
	}
	c->height++;
	return DNC_OK;
}

dnc_rc dnc_chain_check(const dnc_chain *c)
{
	return dnc_ledger_check_conservation(c->L);
}

dnc_rc dnc_chain_check_block(dnc_chain *c, uint64_t height)
{
	return dnc_ledger_check_block(c->L, height);
}

void dnc_chain_conservation_report(const dnc_chain *c, dnc_conservation_report *out)
{
	dnc_ledger_conservation_report(c->L, out);
}
