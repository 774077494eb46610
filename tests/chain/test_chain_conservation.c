/*
 * test_chain_conservation.c: the incremental conservation check
 * (dnc_ledger_check_block, R-SUP-1 / R-EMIT-4) against the full scan, with
 * fixed seeds (splitmix64, so a failure reproduces):
 *  - over random blocks of random activity (transactions, split payments,
 *    votes, pools, locks) it passes every block the full scan passes, and
 *    with imbalances planted and repaired it fails exactly in the blocks
 *    where the full scan's verdict changes;
 *  - an imbalance planted in a random block (a one-legged ledger operation,
 *    ledger_test.h) is caught by dnc_chain_end_block in that block, and the
 *    report names the block and that account with the planted amount;
 *  - its cost is the accounts the block wrote: the number examined equals
 *    the number touched, whatever the ledger's size; a block making more
 *    writes than the journal logs falls back to the full scan;
 *  - a write behind the journal's back is caught when the block wrote that
 *    account, and otherwise only by the full scan (the documented limit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"
#include "ledger_test.h"

#define DNET DNC_UNITS_PER_DNET

static uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n) { return n ? sm_next(s) % n : 0; }

/* an amount with a spread of magnitudes, up to 10^13 base units */
static dn_amount rand_amount(uint64_t *s)
{
	static const dn_amount mag[] = { 10, 1000, 100000, 10000000, 1000000000,
					 INT64_C(10000000000000) };
	return (dn_amount)below(s, (uint64_t)mag[below(s, 6)]);
}

/* ---- a small chain with random activity ---- */

#define NU 32
#define SEATS 8

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

typedef struct world {
	dnc_sigscheme s;
	dnc_chain *c;
	dnc_ledger *L;
	user u[NU], f;
	dnc_time_s now;
} world;

static void mk_user(const dnc_sigscheme *s, uint32_t i, user *u)
{
	uint8_t seed[32] = {0};
	memcpy(seed, &i, sizeof i);
	seed[31] = 0x5c;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

/* NU users with genesis allocations (a few team-locked), 8 seats. */
static world *world_new(uint64_t *rs, dnc_check_mode mode)
{
	static const uint8_t key[32] = { 7 };
	world *w = test_calloc(1, sizeof *w);
	dnc_chain_limits lim = { NU + 8, 4096, 4096 };
	dnc_params p;
	dnc_delegate_set ds;
	uint32_t i;
	assert_int_equal(dnc_sig_init_keyed(&w->s, key), DNC_OK);
	dnc_params_default(&p);
	p.delegates = SEATS;
	p.check_conservation = mode;
	mk_user(&w->s, 5000, &w->f);
	assert_int_equal(dnc_chain_create(&p, &w->s, &lim, &w->f.pk, &w->c), DNC_OK);
	w->L = dnc_chain_ledger(w->c);
	dnc_chain_set_admin_enabled(w->c, 1);
	dnc_chain_set_fundraising_end(w->c, 0);
	memset(&ds, 0, sizeof ds);
	for (i = 0; i < NU; i++) {
		mk_user(&w->s, i, &w->u[i]);
		assert_int_equal(dnc_ledger_add(w->L, &w->u[i].pk, &w->u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(w->c, w->u[i].a, i < 4 ? DNC_GEN_TEAM : DNC_GEN_SALE,
						   (dn_amount)(1 + below(rs, 100000)) * DNET), DNC_OK);
		if (i < SEATS) {
			ds.seat[i].acct = w->u[i].a;
			ds.seat[i].kind = i < 4 ? DNC_SEAT_STAKE : i < 6 ? DNC_SEAT_VOLUME : DNC_SEAT_QUALITY;
			ds.seat[i].score = 1 + below(rs, 1000);
		}
	}
	ds.n = SEATS;
	ds.n_kind[0] = 4;
	ds.n_kind[1] = 2;
	ds.n_kind[2] = 2;
	assert_int_equal(dnc_chain_set_delegates(w->c, &ds), DNC_OK);
	return w;
}

static void world_free(world *w)
{
	dnc_chain_destroy(w->c);
	test_free(w);
}

static uint32_t any_user(uint64_t *rs) { return (uint32_t)below(rs, NU); }

/* One random operation: a transaction (unsigned: the caller vouches), a
 * split payment or a direct ledger call. Rejections are fine: a failing
 * call changes nothing, which the checks also see. */
static void rand_op(world *w, uint64_t *rs)
{
	uint32_t from = any_user(rs), to = any_user(rs), i;
	dnc_acct fa = w->u[from].a, ta = w->u[to].a;
	dnc_acct rel[DNC_MAX_RELAYS];
	dnc_tx tx;
	dnc_rc rc = DNC_OK;

	w->now += (dnc_time_s)below(rs, 3);
	memset(&tx, 0, sizeof tx);
	tx.from = w->u[from].pk;
	tx.nonce = dnc_ledger_nonce(w->L, fa);
	tx.fee = (dn_amount)below(rs, 1000);
	switch (below(rs, 14)) {
	case 0:
		tx.type = DNC_TX_TRANSFER;
		tx.u.transfer.to = w->u[to].pk;
		tx.u.transfer.amount = 1 + rand_amount(rs);
		break;
	case 1:
		tx.type = DNC_TX_VOTE;
		tx.u.vote.candidate = w->u[below(rs, SEATS)].pk;
		tx.u.vote.amount = below(rs, 4) ? rand_amount(rs) : 0;
		break;
	case 2:
		tx.type = DNC_TX_SESSION_OPEN;
		tx.u.open.distributor = w->u[to].pk;
		tx.u.open.price_per_unit = 1 + (dn_amount)below(rs, 100000);
		tx.u.open.units = 1 + below(rs, 10000);
		tx.u.open.expiry_s = w->now + (dnc_time_s)below(rs, 200);
		break;
	case 3: {
		/* the distributor redeems a credential its consumer signed */
		const dnc_sessions *T = dnc_chain_sessions(w->c);
		const dnc_session *ss;
		uint32_t k;
		if (T->n == 0)
			return;
		tx.u.redeem.session_id = 1 + below(rs, T->n);
		ss = dnc_session_get(T, tx.u.redeem.session_id);
		tx.type = DNC_TX_REDEEM;
		tx.u.redeem.cred.session_id = tx.u.redeem.session_id;
		tx.u.redeem.cred.total_units = ss->redeemed_units + 1 + below(rs, 2000);
		tx.u.redeem.cred.seq = ss->last_seq + 1;
		for (k = 0; k < NU; k++)
			if (w->u[k].a == ss->consumer)
				assert_int_equal(dnc_credential_sign(&w->s, dnc_chain_id(w->c),
								     dnc_ledger_pk(w->L, ss->distributor),
								     w->u[k].sk, &tx.u.redeem.cred), DNC_OK);
		for (k = 0; k < NU; k++)
			if (w->u[k].a == ss->distributor) {
				tx.from = w->u[k].pk;
				tx.nonce = dnc_ledger_nonce(w->L, w->u[k].a);
			}
		break;
	}
	case 4: {
		/* mostly by its consumer, now and then by someone else */
		const dnc_session *ss;
		tx.type = DNC_TX_SESSION_CLOSE;
		tx.u.close.session_id = 1 + below(rs, dnc_chain_sessions(w->c)->n + 1);
		ss = dnc_session_get(dnc_chain_sessions(w->c), tx.u.close.session_id);
		if (ss && below(rs, 8))
			fa = ss->consumer;
		break;
	}
	case 5:
		tx.type = DNC_TX_F2F_LOCK;
		tx.u.f2f_lock.to = w->u[to].pk;
		tx.u.f2f_lock.amount = 1 + rand_amount(rs);
		tx.u.f2f_lock.deadline_s = w->now + (dnc_time_s)below(rs, 30);
		break;
	case 6: {
		const dnc_escrow *e;
		tx.type = DNC_TX_F2F_REFUND;
		tx.u.f2f_refund.escrow_id = 1 + below(rs, 64);
		e = dnc_chain_escrow(w->c, tx.u.f2f_refund.escrow_id);
		if (e && below(rs, 8))
			fa = e->from;
		break;
	}
	case 7:
		tx.type = DNC_TX_CONTENT;
		tx.u.content.price = 1 + rand_amount(rs);
		tx.u.content.origin = w->u[to].pk;
		tx.u.content.seller = w->u[any_user(rs)].pk;
		tx.u.content.n_middle = (uint8_t)below(rs, 4);
		for (i = 0; i < tx.u.content.n_middle; i++)
			tx.u.content.middle[i] = w->u[any_user(rs)].pk;
		break;
	case 8: {
		uint32_t n = (uint32_t)below(rs, DNC_MAX_RELAYS + 1);
		for (i = 0; i < n; i++)
			rel[i] = w->u[any_user(rs)].a;
		rc = dnc_chain_pay_share(w->c, fa, ta, rel, n, NULL, 1 + rand_amount(rs), NULL);
		(void)rc;
		return;
	}
	case 9:
		rc = dnc_ledger_transfer(w->L, fa, ta, rand_amount(rs));
		(void)rc;
		return;
	case 10: {
		/* lock, then release part of it to someone (only what was just
		 * locked: the chain's escrows hold the rest of this lock) */
		dn_amount x = rand_amount(rs);
		rc = dnc_ledger_lock(w->L, fa, DNC_LOCK_F2F, x);
		if (!rc)
			rc = dnc_ledger_unlock_to(w->L, fa, DNC_LOCK_F2F, ta, (dn_amount)below(rs, (uint64_t)x + 1));
		(void)rc;
		return;
	}
	case 11:
		rc = dnc_ledger_pool_pay(w->L, below(rs, 2) ? DNC_NONE : fa, w->u[below(rs, SEATS)].a,
					 rand_amount(rs), 100000, NULL);
		(void)rc;
		return;
	case 12:
		rc = dnc_ledger_settle(w->L, fa, NULL);
		assert_int_equal(rc, DNC_OK);
		return;
	default: {
		dn_amount rel_amt;
		rc = dnc_ledger_team_release(w->L, w->u[below(rs, 4)].a, rand_amount(rs) * 1000, &rel_amt);
		assert_int_equal(rc, DNC_OK);
		return;
	}
	}
	if (fa != w->u[from].a) {
		/* the sender was changed above: its key and nonce */
		tx.from = *dnc_ledger_pk(w->L, fa);
		tx.nonce = dnc_ledger_nonce(w->L, fa);
	}
	rc = dnc_chain_apply_tx(w->c, &tx, w->now, 0, NULL);
	(void)rc;
}

static void rand_block(world *w, uint64_t *rs, uint32_t max_ops)
{
	uint32_t n = (uint32_t)below(rs, max_ops + 1), i;
	for (i = 0; i < n; i++)
		rand_op(w, rs);
}

/* an account holding at least amount, or DNC_NONE */
static dnc_acct rich_account(const dnc_ledger *L, uint64_t *rs, dn_amount amount)
{
	uint32_t n = dnc_ledger_count(L), i, start = (uint32_t)below(rs, n);
	for (i = 0; i < n; i++) {
		dnc_acct a = (start + i) % n;
		if (dnc_ledger_balance(L, a) >= amount)
			return a;
	}
	return DNC_NONE;
}

/* Holdings of every account, to count the ones a block changed. */
static void holdings_all(const dnc_ledger *L, dn_amount *h)
{
	uint32_t i;
	for (i = 0; i < dnc_ledger_count(L); i++)
		h[i] = dnc_ledger_holdings(L, i);
}

/* ---- the incremental check against the full scan ---- */

/*
 * R-SUP-1: random blocks; now and then an imbalance is planted (a
 * one-legged credit) and later repaired (a one-legged debit elsewhere).
 * The full scan fails from the plant to the repair; the incremental check
 * fails exactly in the blocks where the full scan's verdict changed, and
 * names the account written. It reads only the accounts the block wrote,
 * and every account whose holdings changed is among them.
 */
static void test_conservation_incremental_agrees_with_full_scan(void **st)
{
	uint64_t seed = 0xc0115e7e;
	world *w;
	uint32_t b, i, caught = 0;
	dn_amount outstanding = 0, before[NU + 8], after[NU + 8];
	dnc_rc full_prev = DNC_OK;
	dnc_check_stats cs;
	(void)st;
	w = world_new(&seed, DNC_CHECK_OFF); /* the test calls the check */
	assert_int_equal(dnc_chain_check_block(w->c, 0), DNC_OK); /* genesis */
	for (b = 1; b <= 600; b++) {
		dnc_acct planted = DNC_NONE;
		dn_amount d = 0;
		dnc_conservation_report rep;
		dnc_rc inc, full;
		uint32_t changed = 0;
		holdings_all(w->L, before);
		rand_block(w, &seed, 24);
		if (below(&seed, 8) == 0) {
			if (outstanding == 0) {
				d = 1 + rand_amount(&seed);
				planted = (dnc_acct)below(&seed, dnc_ledger_count(w->L));
			} else {
				d = -outstanding;
				planted = rich_account(w->L, &seed, outstanding);
			}
			if (planted != DNC_NONE) {
				dnc_test_ledger_plant(w->L, planted, d);
				outstanding += d;
			}
		}
		rand_block(w, &seed, 8);
		assert_int_equal(dnc_chain_end_block(w->c, (uint32_t)below(&seed, SEATS), w->now, NULL), DNC_OK);
		holdings_all(w->L, after);
		inc = dnc_chain_check_block(w->c, b);
		full = dnc_chain_check(w->c);
		dnc_chain_conservation_report(w->c, &rep);
		if ((inc != DNC_OK) != (full != full_prev)) {
			print_error("seed 0xc0115e7e block %u: incremental %s, full scan %s (was %s)\n", b,
				    dnc_rc_name(inc), dnc_rc_name(full), dnc_rc_name(full_prev));
			fail();
		}
		assert_int_equal(full, outstanding ? DNC_ECONSERVATION : DNC_OK);
		if (inc != DNC_OK) {
			caught++;
			assert_true(planted != DNC_NONE);
			assert_int_equal(rep.n, 1);
			assert_int_equal(rep.acct[0].acct, planted);
			assert_true(rep.acct[0].unexplained == d);
			assert_true(rep.imbalance == d);
		} else {
			assert_true(planted == DNC_NONE);
			assert_int_equal(rep.n, 0);
			assert_true(rep.imbalance == 0);
		}
		/* O(touched), and nothing changed unseen */
		assert_int_equal(rep.height, b);
		assert_int_equal(rep.full_scan, 0);
		assert_int_equal(rep.examined, rep.touched);
		for (i = 0; i < dnc_ledger_count(w->L); i++)
			changed += before[i] != after[i];
		assert_true(changed <= rep.touched);
		assert_true(rep.touched <= dnc_ledger_count(w->L));
		full_prev = full;
	}
	assert_true(caught > 20);
	dnc_ledger_check_stats(w->L, &cs);
	assert_int_equal(cs.checks, 601);
	assert_int_equal(cs.full_scans, 0);
	world_free(w);
}

/*
 * R-SUP-1 / R-EMIT-4: with the default check (dnc_chain_end_block, mode
 * incremental), an imbalance planted at a random point of a random block,
 * on a random account (touched by other operations in the block or not),
 * of either sign, fails that block's end with DNC_ECONSERVATION; the report
 * names the block's height and that account with the planted amount, and
 * every block before it passed.
 */
static void test_conservation_incremental_catches_planted_imbalance(void **st)
{
	uint64_t seed = 0x91a47ed;
	uint32_t trial;
	(void)st;
	for (trial = 0; trial < 60; trial++) {
		world *w = world_new(&seed, DNC_CHECK_INCREMENTAL);
		uint32_t blocks = 2 + (uint32_t)below(&seed, 40), bad = (uint32_t)below(&seed, blocks), b;
		for (b = 0; b < blocks; b++) {
			uint64_t h = dnc_chain_height(w->c);
			dnc_conservation_report rep;
			dnc_acct a = DNC_NONE;
			dn_amount d = 0;
			dnc_rc rc;
			rand_block(w, &seed, 16);
			if (b == bad) {
				a = (dnc_acct)below(&seed, dnc_ledger_count(w->L));
				d = 1 + (dn_amount)below(&seed, below(&seed, 2) ? 10 : UINT64_C(1) << 40);
				if (below(&seed, 2) && dnc_ledger_balance(w->L, a) >= d)
					d = -d;
				dnc_test_ledger_plant(w->L, a, d);
			}
			rand_block(w, &seed, 16);
			rc = dnc_chain_end_block(w->c, (uint32_t)below(&seed, SEATS), w->now, NULL);
			if (b != bad) {
				assert_int_equal(rc, DNC_OK);
				continue;
			}
			assert_int_equal(rc, DNC_ECONSERVATION);
			dnc_chain_conservation_report(w->c, &rep);
			assert_int_equal(rep.height, h);
			assert_int_equal(rep.n, 1);
			assert_int_equal(rep.acct[0].acct, a);
			assert_true(rep.acct[0].unexplained == d);
			assert_true(rep.imbalance == d);
			assert_int_equal(rep.examined, rep.touched);
			/* the full scan agrees that the supply is broken */
			assert_int_equal(dnc_chain_check(w->c), DNC_ECONSERVATION);
			break;
		}
		assert_int_equal(b, bad);
		world_free(w);
	}
}

/* The same in the FULL mode: both checks run, the incremental one first
 * (its report names the account). */
static void test_conservation_full_mode_runs_both(void **st)
{
	uint64_t seed = 0xf011;
	world *w;
	dnc_conservation_report rep;
	dnc_check_stats cs;
	uint32_t b;
	(void)st;
	w = world_new(&seed, DNC_CHECK_FULL);
	for (b = 0; b < 50; b++) {
		rand_block(w, &seed, 16);
		assert_int_equal(dnc_chain_end_block(w->c, (uint32_t)below(&seed, SEATS), w->now, NULL), DNC_OK);
	}
	dnc_test_ledger_plant(w->L, w->u[3].a, 5);
	assert_int_equal(dnc_chain_end_block(w->c, 0, w->now, NULL), DNC_ECONSERVATION);
	dnc_chain_conservation_report(w->c, &rep);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.acct[0].acct, w->u[3].a);
	assert_true(rep.acct[0].unexplained == 5);
	dnc_ledger_check_stats(w->L, &cs);
	assert_int_equal(cs.checks, 51);
	world_free(w);
}

/* ---- cost ---- */

#define BIG (UINT32_C(1) << 17)   /* accounts: minting to each overflows the log */

static dnc_ledger *big_ledger(void)
{
	dnc_ledger *L;
	dnc_pubkey pk;
	dnc_acct a;
	uint32_t i;
	assert_int_equal(dnc_ledger_create(BIG, INT64_C(7500000000) * DNET, &L), DNC_OK);
	memset(&pk, 0, sizeof pk);
	for (i = 0; i < BIG; i++) {
		memcpy(pk.b, &i, sizeof i);
		pk.b[8] = 0xb1;
		assert_int_equal(dnc_ledger_add(L, &pk, &a), DNC_OK);
		assert_int_equal(a, i);
	}
	return L;
}

/*
 * The check costs the accounts a block wrote, not the ledger's size: on a
 * ledger of 131,072 accounts it examines exactly the distinct accounts
 * written (counted here independently). A block making more writes than
 * the journal's 131,072 falls back to a full scan and still catches a
 * plant.
 */
static void test_conservation_incremental_cost_is_touched_accounts(void **st)
{
	uint64_t seed = 0xc057;
	dnc_ledger *L = big_ledger();
	uint8_t *seen = test_calloc(BIG, 1);
	dnc_conservation_report rep;
	dnc_check_stats cs;
	uint32_t i, b, distinct;
	uint64_t examined = 0;
	(void)st;
	/* genesis: every account minted into, more writes than the log holds */
	for (i = 0; i < BIG; i++)
		assert_int_equal(dnc_ledger_mint(L, i, 1000 * DNET), DNC_OK);
	assert_int_equal(dnc_ledger_check_block(L, 0), DNC_OK);
	dnc_ledger_conservation_report(L, &rep);
	assert_int_equal(rep.full_scan, 1);
	assert_int_equal(rep.examined, BIG);
	/* an empty block reads nothing */
	assert_int_equal(dnc_ledger_check_block(L, 1), DNC_OK);
	dnc_ledger_conservation_report(L, &rep);
	assert_int_equal(rep.examined, 0);
	/* one transfer: two accounts */
	assert_int_equal(dnc_ledger_transfer(L, 10, 99999, 5), DNC_OK);
	assert_int_equal(dnc_ledger_check_block(L, 2), DNC_OK);
	dnc_ledger_conservation_report(L, &rep);
	assert_int_equal(rep.touched, 2);
	assert_int_equal(rep.examined, 2);
	/* random blocks of transfers, locks, mints and pool payments */
	for (b = 3; b < 103; b++) {
		uint32_t n = (uint32_t)below(&seed, 3000);
		memset(seen, 0, BIG);
		distinct = 0;
		for (i = 0; i < n; i++) {
			dnc_acct x = (dnc_acct)below(&seed, BIG), y = (dnc_acct)below(&seed, BIG);
			switch (below(&seed, 4)) {
			case 0:
				assert_int_equal(dnc_ledger_transfer(L, x, y, (dn_amount)below(&seed, 10 * DNET)), DNC_OK);
				break;
			case 1:
				assert_int_equal(dnc_ledger_lock(L, x, DNC_LOCK_F2F, (dn_amount)below(&seed, DNET)), DNC_OK);
				y = x;
				break;
			case 2:
				assert_int_equal(dnc_ledger_mint(L, x, 1), DNC_OK);
				y = x;
				break;
			default:
				assert_int_equal(dnc_ledger_pool_pay(L, x, y, (dn_amount)below(&seed, DNET), 100000, NULL), DNC_OK);
				break;
			}
			distinct += !seen[x];
			seen[x] = 1;
			distinct += !seen[y];
			seen[y] = 1;
		}
		assert_int_equal(dnc_ledger_check_block(L, b), DNC_OK);
		dnc_ledger_conservation_report(L, &rep);
		assert_int_equal(rep.full_scan, 0);
		assert_int_equal(rep.touched, distinct);
		assert_int_equal(rep.examined, distinct);
		examined += distinct;
	}
	dnc_ledger_check_stats(L, &cs);
	assert_int_equal(cs.checks, 103);
	assert_int_equal(cs.full_scans, 1);
	assert_true(cs.examined == BIG + 2 + examined);
	assert_int_equal(dnc_ledger_check_conservation(L), DNC_OK);
	/* 65,536 transfers fill the log; the plant overflows it, and the
	 * fallback scan catches it */
	for (i = 0; i < BIG; i += 2)
		assert_int_equal(dnc_ledger_transfer(L, i, i + 1, 1), DNC_OK);
	dnc_test_ledger_plant(L, 7, 1);
	assert_int_equal(dnc_ledger_check_block(L, 200), DNC_ECONSERVATION);
	dnc_ledger_conservation_report(L, &rep);
	assert_int_equal(rep.full_scan, 1);
	assert_int_equal(rep.height, 200);
	test_free(seen);
	dnc_ledger_destroy(L);
}

/* ---- what the journal can and cannot see ---- */

/*
 * A write behind the journal's back (ledger_test.h's poke) to an account
 * the block also wrote is unexplained, and a negative balance is named
 * with it; to an account nothing wrote, only the full scan sees it.
 */
static void test_conservation_write_behind_journal(void **st)
{
	dnc_ledger *L;
	dnc_pubkey pk;
	dnc_conservation_report rep;
	uint32_t i;
	(void)st;
	assert_int_equal(dnc_ledger_create(16, 1000000, &L), DNC_OK);
	memset(&pk, 0, sizeof pk);
	for (i = 0; i < 8; i++) {
		pk.b[0] = (uint8_t)(i + 1);
		assert_int_equal(dnc_ledger_add(L, &pk, NULL), DNC_OK);
		assert_int_equal(dnc_ledger_mint(L, i, 1000), DNC_OK);
	}
	assert_int_equal(dnc_ledger_check_block(L, 0), DNC_OK);
	/* touched, then poked below zero */
	assert_int_equal(dnc_ledger_transfer(L, 2, 3, 400), DNC_OK);
	dnc_test_ledger_poke(L, 2, -700);
	assert_int_equal(dnc_ledger_check_block(L, 1), DNC_ECONSERVATION);
	dnc_ledger_conservation_report(L, &rep);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.acct[0].acct, 2);
	assert_true(rep.acct[0].unexplained == -700);
	assert_true(rep.acct[0].change == -1100);
	assert_true(rep.acct[0].balance == -100);
	assert_true(rep.imbalance == -700);
	dnc_test_ledger_poke(L, 2, 700);   /* undo, unseen: 2 is untouched now */
	assert_int_equal(dnc_ledger_check_block(L, 2), DNC_OK);
	assert_int_equal(dnc_ledger_check_conservation(L), DNC_OK);
	/* untouched: the limit of an O(touched) check */
	dnc_test_ledger_poke(L, 5, 1);
	assert_int_equal(dnc_ledger_transfer(L, 0, 1, 1), DNC_OK);
	assert_int_equal(dnc_ledger_check_block(L, 3), DNC_OK);
	assert_int_equal(dnc_ledger_check_conservation(L), DNC_ECONSERVATION);
	dnc_ledger_destroy(L);
}

/*
 * Several faults in one block: each account is named with its own amount,
 * largest first, even where the supply adds up (+9 on one account, -9 on
 * another: the full scan passes, the accounting does not).
 */
static void test_conservation_names_each_unexplained_account(void **st)
{
	dnc_ledger *L;
	dnc_pubkey pk;
	dnc_conservation_report rep;
	uint32_t i;
	(void)st;
	assert_int_equal(dnc_ledger_create(64, 1000000000, &L), DNC_OK);
	memset(&pk, 0, sizeof pk);
	for (i = 0; i < 40; i++) {
		pk.b[0] = (uint8_t)(i + 1);
		assert_int_equal(dnc_ledger_add(L, &pk, NULL), DNC_OK);
		assert_int_equal(dnc_ledger_mint(L, i, 1000), DNC_OK);
	}
	assert_int_equal(dnc_ledger_check_block(L, 0), DNC_OK);
	dnc_test_ledger_plant(L, 4, 9);
	dnc_test_ledger_plant(L, 30, -9);
	assert_int_equal(dnc_ledger_check_conservation(L), DNC_OK);
	assert_int_equal(dnc_ledger_check_block(L, 1), DNC_ECONSERVATION);
	dnc_ledger_conservation_report(L, &rep);
	assert_int_equal(rep.n, 2);
	assert_true(rep.imbalance == 0);
	assert_int_equal(rep.acct[0].acct, 4);
	assert_true(rep.acct[0].unexplained == 9);
	assert_int_equal(rep.acct[1].acct, 30);
	assert_true(rep.acct[1].unexplained == -9);
	/* more faulty accounts than a report holds: the largest are kept */
	for (i = 0; i < 20; i++)
		dnc_test_ledger_plant(L, i, (dn_amount)(i + 1));
	assert_int_equal(dnc_ledger_check_block(L, 2), DNC_ECONSERVATION);
	dnc_ledger_conservation_report(L, &rep);
	assert_int_equal(rep.n, DNC_CONSERVATION_ACCTS);
	for (i = 0; i < DNC_CONSERVATION_ACCTS; i++) {
		assert_int_equal(rep.acct[i].acct, 19 - i);
		assert_true(rep.acct[i].unexplained == (dn_amount)(20 - i));
	}
	assert_true(rep.imbalance == 210);
	dnc_ledger_destroy(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conservation_incremental_agrees_with_full_scan),
		cmocka_unit_test(test_conservation_incremental_catches_planted_imbalance),
		cmocka_unit_test(test_conservation_full_mode_runs_both),
		cmocka_unit_test(test_conservation_incremental_cost_is_touched_accounts),
		cmocka_unit_test(test_conservation_write_behind_journal),
		cmocka_unit_test(test_conservation_names_each_unexplained_account),
	};
	return cmocka_run_group_tests_name("chain_conservation", tests, NULL, NULL);
}
