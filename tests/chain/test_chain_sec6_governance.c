/*
 * test_chain_sec6_governance.c: rules section 6, governance, lock-up and
 * admin (R-GOV-1,2, R-LOCK-1, R-ADMIN-1, R-F2F-1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

typedef struct fix {
	dnc_sigscheme s;
	dnc_params p;
	dnc_chain *c;
	dnc_ledger *L;
	user u[8], f;
} fix;

static void mk_user(const dnc_sigscheme *s, uint32_t i, user *u)
{
	uint8_t seed[32] = {0};
	memcpy(seed, &i, sizeof i);
	seed[31] = 0x66;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

static int setup(void **st)
{
	dnc_chain_limits lim = { 32, 8, 8 };
	dnc_delegate_set ds;
	uint32_t i;
	fix *x = test_calloc(1, sizeof *x);
	assert_int_equal(dnc_sig_init_ed25519(&x->s), DNC_OK);
	dnc_params_default(&x->p);
	x->p.gov_voting_blocks = 5;
	mk_user(&x->s, 999, &x->f);
	assert_int_equal(dnc_chain_create(&x->p, &x->s, &lim, &x->f.pk, &x->c), DNC_OK);
	x->L = dnc_chain_ledger(x->c);
	x->f.a = dnc_chain_foundation(x->c);
	for (i = 0; i < 8; i++) {
		mk_user(&x->s, i, &x->u[i]);
		assert_int_equal(dnc_ledger_add(x->L, &x->u[i].pk, &x->u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(x->c, x->u[i].a, DNC_GEN_SALE, 100 * DNET), DNC_OK);
	}
	memset(&ds, 0, sizeof ds);
	ds.n = 1;
	ds.n_kind[0] = 1;
	ds.seat[0].acct = x->u[7].a;
	assert_int_equal(dnc_chain_set_delegates(x->c, &ds), DNC_OK);
	*st = x;
	return 0;
}

static int teardown(void **st)
{
	fix *x = *st;
	dnc_chain_destroy(x->c);
	test_free(x);
	return 0;
}

static dnc_rc run(fix *x, dnc_tx *tx, uint32_t who, dnc_time_s now, dnc_tx_receipt *r)
{
	tx->from = who == 999 ? x->f.pk : x->u[who].pk;
	tx->nonce = dnc_ledger_nonce(x->L, who == 999 ? x->f.a : x->u[who].a);
	assert_int_equal(dnc_tx_sign(&x->s, dnc_chain_id(x->c),
				     who == 999 ? x->f.sk : x->u[who].sk, tx), DNC_OK);
	return dnc_chain_apply_tx(x->c, tx, now, DNC_APPLY_VERIFY_SIG, r);
}

static dnc_rc stake(fix *x, uint32_t who, dn_amount amount)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_VOTE;
	tx.u.vote.candidate = x->u[7].pk;
	tx.u.vote.amount = amount;
	return run(x, &tx, who, 0, NULL);
}

static uint64_t propose(fix *x, uint32_t who, uint32_t param, int64_t value)
{
	dnc_tx tx;
	dnc_tx_receipt r;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_GOV_PROPOSE;
	tx.u.gov_propose.param = param;
	tx.u.gov_propose.value = value;
	assert_int_equal(run(x, &tx, who, 0, &r), DNC_OK);
	return r.created_id;
}

static dnc_rc vote(fix *x, uint32_t who, uint64_t id, int yes)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_GOV_VOTE;
	tx.u.gov_vote.proposal_id = id;
	tx.u.gov_vote.yes = (uint8_t)yes;
	return run(x, &tx, who, 0, NULL);
}

static void blocks(fix *x, uint32_t n)
{
	while (n--)
		assert_int_equal(dnc_chain_end_block(x->c, 0, 0, NULL), DNC_OK);
}

static void test_R_GOV_1_needs_more_than_two_thirds(void **st)
{
	fix *x = *st;
	uint64_t id;
	uint32_t i;
	/* six voters with 10 DNET of stake each: 60 total */
	for (i = 0; i < 6; i++)
		assert_int_equal(stake(x, i, 10 * DNET), DNC_OK);
	id = propose(x, 0, DNC_GOVP_COMMUNITY_FEE_PPM, 1000);
	for (i = 0; i < 4; i++)
		assert_int_equal(vote(x, i, id, 1), DNC_OK); /* exactly 2/3 */
	assert_int_equal(vote(x, 4, id, 0), DNC_OK);
	blocks(x, 6);
	assert_int_equal(dnc_chain_proposal(x->c, id)->state, 3); /* failed */
	assert_int_equal(dnc_chain_params(x->c)->community_fee_ppm, 5000);
	id = propose(x, 0, DNC_GOVP_COMMUNITY_FEE_PPM, 1000);
	for (i = 0; i < 5; i++)
		assert_int_equal(vote(x, i, id, 1), DNC_OK); /* 5/6 > 2/3 */
	blocks(x, 6);
	assert_int_equal(dnc_chain_proposal(x->c, id)->state, 2); /* passed */
	assert_int_equal(dnc_chain_params(x->c)->community_fee_ppm, 1000);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

static void test_R_GOV_1_one_vote_and_frozen_stake(void **st)
{
	fix *x = *st;
	uint64_t id;
	dnc_tx tx;
	assert_int_equal(stake(x, 1, 10 * DNET), DNC_OK);
	assert_int_equal(stake(x, 2, 10 * DNET), DNC_OK);
	id = propose(x, 1, DNC_GOVP_LAMBDA_PPM, 300000);
	assert_int_equal(vote(x, 1, id, 1), DNC_OK);
	assert_int_equal(vote(x, 1, id, 1), DNC_EEXISTS);
	assert_int_equal(vote(x, 3, id, 1), DNC_EUNAUTHORIZED); /* no stake, no weight */
	/* the stake that voted cannot leave until the tally */
	assert_int_equal(stake(x, 1, 0), DNC_ELOCKED);
	assert_int_equal(stake(x, 1, 20 * DNET), DNC_OK);         /* adding is fine */
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_GOV_PROPOSE;
	tx.u.gov_propose.param = DNC_GOVP_COMMUNITY_FEE_PPM;
	tx.u.gov_propose.value = 9000;                             /* above 0.5 % */
	assert_int_equal(run(x, &tx, 1, 0, NULL), DNC_EINVAL);
	blocks(x, 7);
	assert_int_equal(dnc_chain_proposal(x->c, id)->state, 3); /* 10 of 30: failed */
	assert_int_equal(stake(x, 1, 0), DNC_OK);
	assert_int_equal(vote(x, 2, id, 1), DNC_ENOTFOUND);        /* closed */
}

static void test_R_GOV_2_initial_share_crossing(void **st)
{
	dnc_params p;
	dnc_allocation a;
	dnc_emission e;
	dnc_provenance v;
	uint64_t h;
	dn_amount rt;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	/* all block rewards to traffic holders */
	assert_int_equal(dnc_gov_crossing_height(&p, 1000000, &h), DNC_OK);
	/* check by evaluating the share at h and h - 1 */
	v.initial = a.initial;
	v.stake_earned = 0;
	v.traffic_earned = e.block_reward * (dn_amount)h;
	assert_true((dnc_u128)(v.initial) * 3 <= (dnc_u128)(v.initial + v.traffic_earned) * 2);
	v.traffic_earned = e.block_reward * (dn_amount)(h - 1);
	assert_true((dnc_u128)(v.initial) * 3 > (dnc_u128)(v.initial + v.traffic_earned) * 2);
	/* I / 2R blocks: about 5.26 million, i.e. 1.67 years */
	assert_true(h > 5200000 && h < 5300000);
	/* half the reward to traffic: h = I / (R (3f - 1)), 4x later */
	assert_int_equal(dnc_gov_crossing_height(&p, 500000, &h), DNC_OK);
	rt = e.block_reward / 2;
	assert_true(h > 4 * 5200000 && h < 4 * 5300000);
	/* the share at h is at most 2/3, at h - 1 above */
	assert_true((dnc_u128)(a.initial + (e.block_reward - rt) * (dn_amount)h) * 3 <=
		    (dnc_u128)(a.initial + e.block_reward * (dn_amount)h) * 2);
	assert_true((dnc_u128)(a.initial + (e.block_reward - rt) * (dn_amount)(h - 1)) * 3 >
		    (dnc_u128)(a.initial + e.block_reward * (dn_amount)(h - 1)) * 2);
	/* a third or less to traffic: never */
	assert_int_equal(dnc_gov_crossing_height(&p, 333333, &h), DNC_ENOTFOUND);
	v.initial = 2;
	v.stake_earned = 0;
	v.traffic_earned = 1;
	assert_int_equal(dnc_initial_share_ppm(&v), 666666);
}

static void test_R_ADMIN_1_retract_logged_and_authorised(void **st)
{
	fix *x = *st;
	dnc_tx tx;
	dnc_tx_receipt r;
	const dnc_admin_stats *as;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_ADMIN_RETRACT;
	tx.u.retract.target = x->u[3].pk;
	tx.u.retract.amount = 5 * DNET;
	tx.u.retract.reason = 42;
	/* not authorised yet */
	assert_int_equal(run(x, &tx, 999, 0, &r), DNC_EUNAUTHORIZED);
	dnc_chain_set_admin_enabled(x->c, 1);
	/* only the foundation */
	assert_int_equal(run(x, &tx, 2, 0, &r), DNC_EUNAUTHORIZED);
	assert_int_equal(run(x, &tx, 999, 0, &r), DNC_OK);
	assert_true(dnc_ledger_balance(x->L, x->u[3].a) == 95 * DNET);
	assert_true(dnc_ledger_balance(x->L, x->f.a) == 5 * DNET);
	as = dnc_chain_admin_stats(x->c);
	assert_int_equal(as->count, 1);
	assert_true(as->total == 5 * DNET);
	assert_int_equal(as->log[0].target, x->u[3].a);
	assert_int_equal(as->log[0].reason, 42);
	tx.u.retract.amount = 1000 * DNET;
	assert_int_equal(run(x, &tx, 999, 0, &r), DNC_EINSUFFICIENT);
	assert_int_equal(as->count, 1);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

static void test_R_ADMIN_1_governance_can_revoke(void **st)
{
	fix *x = *st;
	uint64_t id;
	uint32_t i;
	dnc_tx tx;
	dnc_chain_set_admin_enabled(x->c, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(stake(x, i, 10 * DNET), DNC_OK);
	id = propose(x, 0, DNC_GOVP_ADMIN_ENABLED, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(vote(x, i, id, 1), DNC_OK);
	blocks(x, 6);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_ADMIN_RETRACT;
	tx.u.retract.target = x->u[3].pk;
	tx.u.retract.amount = DNET;
	assert_int_equal(run(x, &tx, 999, 0, NULL), DNC_EUNAUTHORIZED);
}

static void test_R_LOCK_1_team_lock_not_spendable(void **st)
{
	fix *x = *st;
	dnc_tx tx;
	user t;
	mk_user(&x->s, 77, &t);
	assert_int_equal(dnc_ledger_add(x->L, &t.pk, &t.a), DNC_OK);
	assert_int_equal(dnc_chain_genesis(x->c, t.a, DNC_GEN_TEAM, 50 * DNET), DNC_OK);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TRANSFER;
	tx.from = t.pk;
	tx.u.transfer.to = x->u[0].pk;
	tx.u.transfer.amount = DNET;
	assert_int_equal(dnc_chain_apply_tx(x->c, &tx, 0, 0, NULL), DNC_EINSUFFICIENT);
	assert_true(dnc_ledger_account(x->L, t.a)->lock[DNC_LOCK_TEAM] == 50 * DNET);
}

static uint64_t f2f_lock(fix *x, uint32_t from, uint32_t to, const uint8_t pw[32],
			 dnc_time_s deadline)
{
	dnc_tx tx;
	dnc_tx_receipt r;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_F2F_LOCK;
	tx.u.f2f_lock.to = x->u[to].pk;
	tx.u.f2f_lock.amount = 20 * DNET;
	dnc_f2f_password_hash(&x->u[to].pk, pw, &tx.u.f2f_lock.pw_hash);
	tx.u.f2f_lock.deadline_s = deadline;
	assert_int_equal(run(x, &tx, from, 0, &r), DNC_OK);
	return r.created_id;
}

static dnc_rc f2f_claim(fix *x, uint32_t who, uint64_t id, const uint8_t pw[32], dnc_time_s now)
{
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_F2F_CLAIM;
	tx.u.f2f_claim.escrow_id = id;
	memcpy(tx.u.f2f_claim.password, pw, 32);
	return run(x, &tx, who, now, NULL);
}

static void test_R_F2F_1_lock_and_claim(void **st)
{
	fix *x = *st;
	uint8_t pw[32] = "correct horse battery staple", bad[32] = "guess";
	uint64_t id = f2f_lock(x, 1, 2, pw, 100);
	const dnc_escrow *e = dnc_chain_escrow(x->c, id);
	assert_true(dnc_ledger_account(x->L, x->u[1].a)->lock[DNC_LOCK_F2F] == 20 * DNET);
	/* only a hash is stored */
	assert_memory_not_equal(e->pw_hash.b, pw, 32);
	assert_int_equal(f2f_claim(x, 3, id, pw, 50), DNC_EUNAUTHORIZED);
	assert_int_equal(f2f_claim(x, 2, id, bad, 50), DNC_EBADPASSWORD);
	assert_int_equal(e->failures, 1);
	assert_int_equal(f2f_claim(x, 2, id, pw, 50), DNC_OK);
	assert_true(dnc_ledger_balance(x->L, x->u[2].a) == 120 * DNET);
	assert_int_equal(f2f_claim(x, 2, id, pw, 50), DNC_ENOTFOUND);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

static void test_R_F2F_1_refund_after_deadline(void **st)
{
	fix *x = *st;
	uint8_t pw[32] = "pw";
	uint64_t id = f2f_lock(x, 1, 2, pw, 100);
	dnc_tx tx;
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_F2F_REFUND;
	tx.u.f2f_refund.escrow_id = id;
	assert_int_equal(run(x, &tx, 1, 100, NULL), DNC_ETOOEARLY);
	assert_int_equal(f2f_claim(x, 2, id, pw, 101), DNC_ETOOLATE);
	assert_int_equal(run(x, &tx, 2, 101, NULL), DNC_EUNAUTHORIZED);
	assert_int_equal(run(x, &tx, 1, 101, NULL), DNC_OK);
	assert_true(dnc_ledger_balance(x->L, x->u[1].a) == 100 * DNET);
	assert_true(dnc_ledger_account(x->L, x->u[1].a)->lock[DNC_LOCK_F2F] == 0);
}

static void test_R_F2F_1_wrong_passwords_rate_limited(void **st)
{
	fix *x = *st;
	uint8_t pw[32] = "right", bad[32] = "wrong";
	uint64_t id = f2f_lock(x, 1, 2, pw, 100);
	uint32_t i;
	for (i = 0; i < x->p.f2f_max_failures; i++)
		assert_int_equal(f2f_claim(x, 2, id, bad, 10), DNC_EBADPASSWORD);
	/* now even the right password is refused until the deadline */
	assert_int_equal(f2f_claim(x, 2, id, pw, 10), DNC_ERATELIMIT);
	assert_int_equal(dnc_chain_f2f_failures(x->c), x->p.f2f_max_failures);
	assert_true(dnc_ledger_balance(x->L, x->u[2].a) == 100 * DNET);
}

/*
 * R-F2F-1 limit: 5 wrong passwords by default. The 4th wrong one still
 * leaves the escrow claimable; the 5th is counted (like every wrong one)
 * and from then on every claim, right password or not, is refused
 * without being counted, until the sender takes the escrow back after
 * the deadline.
 */
static void test_R_F2F_1_fifth_wrong_password_locks_claims(void **st)
{
	fix *x = *st;
	uint8_t pw[32] = "right", bad[32] = "wrong";
	uint64_t a = f2f_lock(x, 1, 2, pw, 100), b = f2f_lock(x, 1, 3, pw, 100);
	const dnc_escrow *ea = dnc_chain_escrow(x->c, a), *eb = dnc_chain_escrow(x->c, b);
	dnc_tx tx;
	uint32_t i;
	assert_int_equal(x->p.f2f_max_failures, 5);
	/* escrow a: four wrong passwords, then the right one still works */
	for (i = 1; i <= 4; i++) {
		assert_int_equal(f2f_claim(x, 2, a, bad, 10), DNC_EBADPASSWORD);
		assert_int_equal(ea->failures, i);
	}
	assert_int_equal(f2f_claim(x, 2, a, pw, 10), DNC_OK);
	assert_true(dnc_ledger_balance(x->L, x->u[2].a) == 120 * DNET);
	/* escrow b: the fifth wrong password is counted, then nothing passes */
	for (i = 1; i <= 5; i++) {
		assert_int_equal(f2f_claim(x, 3, b, bad, 10), DNC_EBADPASSWORD);
		assert_int_equal(eb->failures, i);
	}
	assert_int_equal(dnc_chain_f2f_failures(x->c), 9);
	assert_int_equal(f2f_claim(x, 3, b, pw, 10), DNC_ERATELIMIT);
	assert_int_equal(f2f_claim(x, 3, b, bad, 10), DNC_ERATELIMIT);
	assert_int_equal(eb->failures, 5);                     /* no longer counted */
	assert_int_equal(dnc_chain_f2f_failures(x->c), 9);
	assert_true(dnc_ledger_balance(x->L, x->u[3].a) == 100 * DNET);
	assert_true(dnc_ledger_account(x->L, x->u[1].a)->lock[DNC_LOCK_F2F] == 20 * DNET);
	/* the sender gets it back after the deadline */
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_F2F_REFUND;
	tx.u.f2f_refund.escrow_id = b;
	assert_int_equal(run(x, &tx, 1, 101, NULL), DNC_OK);
	assert_true(dnc_ledger_account(x->L, x->u[1].a)->lock[DNC_LOCK_F2F] == 0);
	assert_int_equal(dnc_chain_check(x->c), DNC_OK);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_R_GOV_1_needs_more_than_two_thirds),
		T(test_R_GOV_1_one_vote_and_frozen_stake),
		cmocka_unit_test(test_R_GOV_2_initial_share_crossing),
		T(test_R_ADMIN_1_retract_logged_and_authorised),
		T(test_R_ADMIN_1_governance_can_revoke),
		T(test_R_LOCK_1_team_lock_not_spendable),
		T(test_R_F2F_1_lock_and_claim),
		T(test_R_F2F_1_refund_after_deadline),
		T(test_R_F2F_1_wrong_passwords_rate_limited),
		T(test_R_F2F_1_fifth_wrong_password_locks_claims),
	};
	return cmocka_run_group_tests_name("chain_sec6_governance", tests, NULL, NULL);
}
