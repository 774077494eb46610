/*
 * test_chain_sec5_splits.c: rules section 5, fees and splits (R-FEE-1..3,
 * R-SHARE-1,2, R-RENT-1, R-FWD-1..3), as pure splits and as transactions
 * that move money on a chain.
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

static void mk_user(const dnc_sigscheme *s, uint32_t i, user *u)
{
	uint8_t seed[32] = {0};
	memcpy(seed, &i, sizeof i);
	seed[31] = 0x55;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

/* n users, each given 1000 DNET (community allocation); seats: users 0..3 */
static dnc_chain *mk_chain(const dnc_params *p, const dnc_sigscheme *s, user *u, uint32_t n)
{
	dnc_chain_limits lim = { n + 8, 64, 64 };
	dnc_delegate_set ds;
	dnc_chain *c;
	user f;
	uint32_t i;
	mk_user(s, 999999, &f);
	assert_int_equal(dnc_chain_create(p, s, &lim, &f.pk, &c), DNC_OK);
	for (i = 0; i < n; i++) {
		mk_user(s, i, &u[i]);
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &u[i].pk, &u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(c, u[i].a, DNC_GEN_COMMUNITY, 1000 * DNET), DNC_OK);
	}
	memset(&ds, 0, sizeof ds);
	ds.n = 4;
	ds.n_kind[DNC_SEAT_STAKE] = 2;
	ds.n_kind[DNC_SEAT_VOLUME] = 1;
	ds.n_kind[DNC_SEAT_QUALITY] = 1;
	for (i = 0; i < 4; i++) {
		ds.seat[i].acct = u[i].a;
		ds.seat[i].kind = i < 2 ? DNC_SEAT_STAKE : i == 2 ? DNC_SEAT_VOLUME : DNC_SEAT_QUALITY;
		ds.seat[i].score = 1;
	}
	assert_int_equal(dnc_chain_set_delegates(c, &ds), DNC_OK);
	return c;
}

static void test_R_FEE_2_community_fee_half_percent(void **st)
{
	dn_amount fee, net;
	(void)st;
	assert_int_equal(dnc_split_fee(100 * DNET, 5000, &fee, &net), DNC_OK);
	assert_true(fee == DNET / 2);
	assert_true(net == 100 * DNET - DNET / 2);
	/* at most 0.5 % */
	assert_int_equal(dnc_split_fee(100 * DNET, 5001, &fee, &net), DNC_EINVAL);
	assert_int_equal(dnc_split_fee(-1, 5000, &fee, &net), DNC_EINVAL);
}

static void test_R_FEE_3_order_and_exact_sum(void **st)
{
	dnc_params p;
	dnc_fwd_split f;
	dn_amount sum;
	uint32_t i;
	(void)st;
	dnc_params_default(&p);
	/* 1999 base units: fee floor(9.995) = 9; percentages of 1990 */
	assert_int_equal(dnc_split_forward(&p, 1999, 2, 0, &f), DNC_OK);
	assert_true(f.fee == 9);
	assert_true(f.origin == 1990 * 15 / 100); /* 298 of what is left */
	sum = f.fee + f.origin + f.seller;
	for (i = 0; i < f.n_middle; i++)
		sum += f.middle[i];
	assert_true(sum == 1999);
}

static void test_R_FEE_1_pool_split_90_10(void **st)
{
	dn_amount d, o;
	(void)st;
	assert_int_equal(dnc_split_pool(1000, 100000, &d, &o), DNC_OK);
	assert_true(d == 100 && o == 900);
	assert_int_equal(dnc_split_pool(7, 100000, &d, &o), DNC_OK);
	assert_true(d == 0 && o == 7);
}

/*
 * R-FEE-1 default: the delegate's share is 10 % (100,000 ppm), and a fee
 * paid into a pool with the default parameters gives the delegate exactly
 * floor(10 %) and the pool's owners the rest.
 */
static void test_R_FEE_1_default_delegate_share_10_percent(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[7];
	dnc_chain *c;
	dnc_ledger *L;
	dn_amount to_delegate, d, o, b0, b4, paid;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(p.delegate_fee_ppm, 100000);
	/* 10,000,009 base units: 10 % is 1,000,000.9, floored */
	assert_int_equal(dnc_split_pool(10000009, p.delegate_fee_ppm, &d, &o), DNC_OK);
	assert_true(d == 1000000 && o == 9000009);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 7);
	L = dnc_chain_ledger(c);
	assert_int_equal(dnc_ledger_mint(L, u[4].a, 20000000), DNC_OK);
	assert_int_equal(dnc_ledger_vote(L, u[5].a, u[0].a, 100 * DNET, 0), DNC_OK);
	b0 = dnc_ledger_balance(L, u[0].a);
	b4 = dnc_ledger_balance(L, u[4].a);
	/* a fee of 10,000,009 from account 4 into delegate 0's pool */
	assert_int_equal(dnc_ledger_pool_pay(L, u[4].a, u[0].a, 10000009, p.delegate_fee_ppm,
					     &to_delegate), DNC_OK);
	assert_true(to_delegate == 1000000);
	assert_true(dnc_ledger_balance(L, u[0].a) - b0 == 1000000);
	assert_true(b4 - dnc_ledger_balance(L, u[4].a) == 10000009);
	/* the owners' 9,000,009 are held for them, paid on settling (the
	 * fixed-point accumulator may keep back one base unit) */
	assert_true(dnc_ledger_account(L, u[0].a)->lock[DNC_LOCK_POOL] == 9000009);
	assert_int_equal(dnc_ledger_settle(L, u[5].a, &paid), DNC_OK);
	assert_true(paid >= 9000008 && paid <= 9000009);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

static void test_R_FEE_1_pool_owners_pro_rata(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[7];
	dnc_chain *c;
	dnc_ledger *L;
	dn_amount paid5, paid6, before0;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 7);
	L = dnc_chain_ledger(c);
	/* voters 5 and 6 stake 100 and 300 DNET on delegate 0 */
	assert_int_equal(dnc_ledger_vote(L, u[5].a, u[0].a, 100 * DNET, 0), DNC_OK);
	assert_int_equal(dnc_ledger_vote(L, u[6].a, u[0].a, 300 * DNET, 0), DNC_OK);
	before0 = dnc_ledger_balance(L, u[0].a);
	assert_int_equal(dnc_ledger_pool_pay(L, DNC_NONE, u[0].a, 4000, 100000, NULL), DNC_OK);
	/* R-FEE-1: 10 % to the delegate, 90 % to owners 1 : 3 */
	assert_true(dnc_ledger_balance(L, u[0].a) - before0 == 400);
	assert_int_equal(dnc_ledger_settle(L, u[5].a, &paid5), DNC_OK);
	assert_int_equal(dnc_ledger_settle(L, u[6].a, &paid6), DNC_OK);
	assert_true(paid5 >= 899 && paid5 <= 900);
	assert_true(paid6 >= 2699 && paid6 <= 2700);
	assert_true(paid5 + paid6 <= 3600);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

static void test_R_FEE_1_block_fees_to_pools(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[6];
	dnc_chain *c;
	dnc_tx tx;
	dnc_block_summary sum;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 6);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TRANSFER;
	tx.from = u[4].pk;
	tx.fee = 12345;
	tx.u.transfer.to = u[5].pk;
	tx.u.transfer.amount = DNET;
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 1, 0, NULL), DNC_OK);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(c), dnc_chain_fee_pot(c)) == 12345);
	assert_int_equal(dnc_chain_end_block(c, 0, 10, &sum), DNC_OK);
	assert_true(sum.fees_distributed == 12345);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(c), dnc_chain_fee_pot(c)) == 0);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

/*
 * R-EMIT-3, R-FEE-1,2 with chain.seat_payout epoch: the blocks pay only
 * their producers; the pools' reward and the fees wait in the pot, and the
 * seats are paid it all when their set leaves office, what per-block
 * payment would have paid them to within the per-block rounding.
 */
static void run_blocks(dnc_chain *c, const user *u, uint32_t blocks, dn_amount *accrued)
{
	dnc_block_summary sum;
	*accrued = 0;
	for (uint32_t b = 0; b < blocks; b++) {
		dnc_tx tx;
		memset(&tx, 0, sizeof tx);
		tx.type = DNC_TX_TRANSFER;
		tx.from = u[4].pk;
		tx.nonce = dnc_ledger_nonce(dnc_chain_ledger(c), u[4].a);
		tx.fee = 1000 + 37 * b;            /* a different fee every block */
		tx.u.transfer.to = u[5].pk;
		tx.u.transfer.amount = DNET;
		assert_int_equal(dnc_chain_apply_tx(c, &tx, 10 * b, 0, NULL), DNC_OK);
		assert_int_equal(dnc_chain_end_block(c, b % 4, 10 * b + 5, &sum), DNC_OK);
		/* what accounts received, and what the pot took in, add up */
		dn_amount k = 0;
		for (int i = 0; i < DNC_SEAT_KINDS; i++)
			k += sum.accrued_by_kind[i];
		assert_true(k == sum.accrued);
		*accrued += sum.accrued;
		if (dnc_chain_params(c)->seat_payout == DNC_PAYOUT_EPOCH) {
			assert_true(sum.paid_out == sum.producer_reward);
			assert_true(sum.accrued == sum.reward - sum.producer_reward + tx.fee);
		} else {
			assert_true(sum.paid_out == sum.reward + tx.fee);
			assert_true(sum.accrued == 0);
		}
		assert_int_equal(dnc_chain_check(c), DNC_OK); /* R-SUP-1 every block */
	}
}

static void test_R_EMIT_3_R_FEE_1_epoch_payout(void **st)
{
	dnc_params pb, pe;
	dnc_sigscheme s;
	user ub[7], ue[7];
	dnc_chain *cb, *ce;
	dnc_block_summary pay;
	dn_amount acc_b, acc_e, held_b[4], held_e[4], prod = 0;
	const uint32_t blocks = 50;
	(void)st;
	dnc_params_default(&pb);
	pe = pb;
	pe.seat_payout = DNC_PAYOUT_EPOCH;
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	cb = mk_chain(&pb, &s, ub, 7);
	ce = mk_chain(&pe, &s, ue, 7);
	/* a rule of the chain: it has another id */
	assert_memory_not_equal(dnc_chain_id(cb)->b, dnc_chain_id(ce)->b, DNC_HASH_BYTES);
	/* owners in delegate 0's pool, so some of the pay is locked for them */
	assert_int_equal(dnc_ledger_vote(dnc_chain_ledger(cb), ub[6].a, ub[0].a, 100 * DNET, 0), DNC_OK);
	assert_int_equal(dnc_ledger_vote(dnc_chain_ledger(ce), ue[6].a, ue[0].a, 100 * DNET, 0), DNC_OK);
	for (int i = 0; i < 4; i++)
		held_e[i] = dnc_ledger_holdings(dnc_chain_ledger(ce), ue[i].a);
	run_blocks(cb, ub, blocks, &acc_b);
	run_blocks(ce, ue, blocks, &acc_e);
	/* per epoch: each seat has gained only its producer's 5 % so far */
	for (int i = 0; i < 4; i++) {
		dn_amount gain = dnc_ledger_holdings(dnc_chain_ledger(ce), ue[i].a) - held_e[i];
		assert_true(gain > 0);
		prod += gain;
	}
	dn_amount pot = dnc_ledger_balance(dnc_chain_ledger(ce), dnc_chain_fee_pot(ce));
	assert_true(pot == acc_e && pot > 0);
	assert_true(dnc_chain_provenance(ce)->stake_earned + dnc_chain_provenance(ce)->traffic_earned == prod);
	/* the payout: the pot is emptied over the seats, nothing made or lost */
	assert_int_equal(dnc_chain_pay_seats(ce, &pay), DNC_OK);
	assert_true(pay.paid_out == pot);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(ce), dnc_chain_fee_pot(ce)) == 0);
	assert_int_equal(dnc_chain_check(ce), DNC_OK);
	/* ... and each seat (with its pool's owners' part) holds what block
	 * payment gave it, to within a base unit a block */
	dn_amount tot_b = 0, tot_e = 0;
	for (int i = 0; i < 4; i++) {
		held_b[i] = dnc_ledger_holdings(dnc_chain_ledger(cb), ub[i].a);
		held_e[i] = dnc_ledger_holdings(dnc_chain_ledger(ce), ue[i].a);
		dn_amount d = held_b[i] - held_e[i];
		assert_true(d >= -(dn_amount)(2 * blocks) && d <= (dn_amount)(2 * blocks));
		tot_b += held_b[i];
		tot_e += held_e[i];
	}
	assert_true(tot_b == tot_e); /* the same reward and fees in all */
	/* R-EMIT-5: the reward's provenance, by seat kind, likewise */
	const dnc_provenance *vb = dnc_chain_provenance(cb), *ve = dnc_chain_provenance(ce);
	assert_true(vb->stake_earned + vb->traffic_earned == ve->stake_earned + ve->traffic_earned);
	assert_true(ve->stake_earned - vb->stake_earned <= (dn_amount)blocks &&
	            vb->stake_earned - ve->stake_earned <= (dn_amount)blocks);
	/* a second payout finds nothing; a new set pays the old one first */
	assert_int_equal(dnc_chain_pay_seats(ce, &pay), DNC_OK);
	assert_true(pay.paid_out == 0);
	run_blocks(ce, ue, 8, &acc_e);
	dnc_delegate_set ds = *dnc_chain_delegates(ce);
	dn_amount before0 = dnc_ledger_holdings(dnc_chain_ledger(ce), ue[0].a);
	assert_int_equal(dnc_chain_set_delegates(ce, &ds), DNC_OK);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(ce), dnc_chain_fee_pot(ce)) == 0);
	assert_true(dnc_ledger_holdings(dnc_chain_ledger(ce), ue[0].a) > before0);
	assert_int_equal(dnc_chain_check(ce), DNC_OK);
	/* per block: a payout is nothing to do */
	assert_int_equal(dnc_chain_pay_seats(cb, &pay), DNC_OK);
	assert_true(pay.paid_out == 0);
	dnc_chain_destroy(cb);
	dnc_chain_destroy(ce);
}

static void test_R_SHARE_1_direct_provider_gets_all(void **st)
{
	dnc_params p;
	dnc_share_split s;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_split_share(&p, 1000 * DNET, 0, NULL, &s), DNC_OK);
	assert_true(s.fee == 5 * DNET);
	assert_true(s.provider == 995 * DNET);
}

static void test_R_SHARE_2_adhoc_half_to_relays(void **st)
{
	dnc_params p;
	dnc_share_split s;
	uint64_t bytes[3] = { 1, 1, 2 };
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_split_share(&p, 1000, 3, NULL, &s), DNC_OK);
	/* fee 5, net 995, pool 497, 165 each, remainder to the provider */
	assert_true(s.fee == 5);
	assert_true(s.relay[0] == 165 && s.relay[1] == 165 && s.relay[2] == 165);
	assert_true(s.provider == 995 - 495);
	p.relay_mode = DNC_RELAY_PROPORTIONAL_BYTES;
	assert_int_equal(dnc_split_share(&p, 1000, 3, bytes, &s), DNC_OK);
	assert_true(s.relay[0] == 124 && s.relay[1] == 124 && s.relay[2] == 248);
	assert_true(s.provider + s.relay[0] + s.relay[1] + s.relay[2] + s.fee == 1000);
	assert_int_equal(dnc_split_share(&p, 1000, 3, NULL, &s), DNC_EINVAL);
	assert_int_equal(dnc_split_share(&p, 1000, DNC_MAX_RELAYS + 1, NULL, &s), DNC_EINVAL);
}

static void test_R_SHARE_2_share_tx_moves_money(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[8];
	dnc_chain *c;
	dnc_ledger *L;
	dnc_tx tx;
	dnc_tx_receipt r;
	dn_amount b[8];
	uint32_t i;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 8);
	L = dnc_chain_ledger(c);
	for (i = 0; i < 8; i++)
		b[i] = dnc_ledger_balance(L, u[i].a);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_SHARE;
	tx.from = u[4].pk;
	tx.u.share.price = 100 * DNET;
	tx.u.share.provider = u[5].pk;
	tx.u.share.n_relays = 2;
	tx.u.share.relay[0] = u[6].pk;
	tx.u.share.relay[1] = u[7].pk;
	assert_int_equal(dnc_tx_sign(&s, dnc_chain_id(c), u[4].sk, &tx), DNC_OK);
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 1, DNC_APPLY_VERIFY_SIG, &r), DNC_OK);
	assert_true(b[4] - dnc_ledger_balance(L, u[4].a) == 100 * DNET);
	assert_true(dnc_ledger_balance(L, u[6].a) - b[6] == 24875 * DNET / 1000);
	assert_true(dnc_ledger_balance(L, u[5].a) - b[5] == 49750 * DNET / 1000);
	assert_true(r.fee_paid == DNET / 2);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

static void test_R_FWD_1_percentages(void **st)
{
	dnc_params p;
	dnc_fwd_split f;
	(void)st;
	dnc_params_default(&p);
	p.community_fee_ppm = 0;
	assert_int_equal(dnc_split_forward(&p, 100 * DNET, 1, 0, &f), DNC_OK);
	assert_true(f.origin == 15 * DNET);
	assert_true(f.middle[0] == 10 * DNET);
	assert_true(f.seller == 75 * DNET); /* 60 + unused 10 + 5 */
	/* no middlemen: O 15 %, S the rest */
	assert_int_equal(dnc_split_forward(&p, 100 * DNET, 0, 0, &f), DNC_OK);
	assert_true(f.origin == 15 * DNET && f.seller == 85 * DNET);
}

static void test_R_FWD_2_middlemen_halving(void **st)
{
	dnc_params p;
	dnc_fwd_split f;
	uint32_t i;
	(void)st;
	dnc_params_default(&p);
	p.community_fee_ppm = 0;
	assert_int_equal(dnc_split_forward(&p, 100 * DNET, 4, 0, &f), DNC_OK);
	assert_true(f.middle[0] == 10 * DNET);
	assert_true(f.middle[1] == 5 * DNET);
	assert_true(f.middle[2] == 25 * DNET / 10);
	assert_true(f.middle[3] == 125 * DNET / 100);
	for (i = 1; i < 4; i++)
		assert_true(f.middle[i] * 2 == f.middle[i - 1]);
	/* stop below 10 base units: 1000 units, pool 200, 100 50 25 12 (6 < 10) */
	assert_int_equal(dnc_split_forward(&p, 1000, 6, 0, &f), DNC_OK);
	assert_true(f.middle[0] == 100 && f.middle[3] == 12);
	assert_true(f.middle[4] == 0 && f.middle[5] == 0);
	/* the other order: nearest the buyer first */
	p.fwd_order = DNC_FWD_NEAREST_BUYER_FIRST;
	assert_int_equal(dnc_split_forward(&p, 100 * DNET, 3, 0, &f), DNC_OK);
	assert_true(f.middle[2] == 10 * DNET && f.middle[0] == 25 * DNET / 10);
}

/*
 * R-FWD-2 minimum: a middleman reward of exactly 10 base units is paid, 9
 * is not; whatever is not paid goes to S (R-FWD-3).
 */
static void test_R_FWD_2_min_reward_10_paid_9_not(void **st)
{
	dnc_params p;
	dnc_fwd_split f;
	(void)st;
	dnc_params_default(&p);
	assert_true(p.fwd_min_reward_base == 10);
	/* 100 units, no fee (0.5 % of 100 floors to 0): pool 20, M1 10, M2 5 */
	assert_int_equal(dnc_split_forward(&p, 100, 3, 0, &f), DNC_OK);
	assert_true(f.fee == 0 && f.origin == 15);
	assert_true(f.middle[0] == 10);              /* exactly 10: paid */
	assert_true(f.middle[1] == 0 && f.middle[2] == 0);
	assert_true(f.seller == 100 - 15 - 10);
	/* 95 units: pool 19, M1 would get 9: nobody is paid, S gets the pool */
	assert_int_equal(dnc_split_forward(&p, 95, 3, 0, &f), DNC_OK);
	assert_true(f.fee == 0 && f.origin == 14);
	assert_true(f.middle[0] == 0 && f.middle[1] == 0 && f.middle[2] == 0);
	assert_true(f.seller == 95 - 14);
	/* deeper: 402 units, fee 2, pool 80: 40, 20, 10 paid, the 4th (5) not */
	assert_int_equal(dnc_split_forward(&p, 402, 5, 0, &f), DNC_OK);
	assert_true(f.fee == 2 && f.origin == 60);
	assert_true(f.middle[0] == 40 && f.middle[1] == 20 && f.middle[2] == 10);
	assert_true(f.middle[3] == 0 && f.middle[4] == 0);
	assert_true(f.seller == 400 - 60 - 70);
	/* 398 units, fee 1, pool 79: 39, 19, 9 (not paid) */
	assert_int_equal(dnc_split_forward(&p, 398, 5, 0, &f), DNC_OK);
	assert_true(f.fee == 1 && f.origin == 59);
	assert_true(f.middle[0] == 39 && f.middle[1] == 19 && f.middle[2] == 0);
	assert_true(f.seller == 397 - 59 - 58);
}

static void test_R_FWD_3_direct_and_remainder(void **st)
{
	dnc_params p;
	dnc_fwd_split f;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_split_forward(&p, 100 * DNET, 0, 1, &f), DNC_OK);
	assert_true(f.origin == 100 * DNET - DNET / 2 && f.seller == 0);
	assert_int_equal(dnc_split_forward(&p, 100 * DNET, 1, 1, &f), DNC_EINVAL);
	/* S gets everything the pool does not use */
	p.community_fee_ppm = 0;
	assert_int_equal(dnc_split_forward(&p, 100 * DNET, 32, 0, &f), DNC_OK);
	{
		dn_amount m = 0;
		uint32_t i;
		for (i = 0; i < 32; i++)
			m += f.middle[i];
		assert_true(m < 20 * DNET);
		assert_true(f.seller == 85 * DNET - m);
	}
}

static void test_R_FWD_1_content_tx(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[9];
	dnc_chain *c;
	dnc_ledger *L;
	dnc_tx tx;
	dn_amount b[9];
	uint32_t i;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 9);
	L = dnc_chain_ledger(c);
	for (i = 0; i < 9; i++)
		b[i] = dnc_ledger_balance(L, u[i].a);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_CONTENT;
	tx.from = u[4].pk; /* buyer */
	tx.u.content.price = 200 * DNET;
	tx.u.content.origin = u[5].pk;
	tx.u.content.seller = u[8].pk;
	tx.u.content.n_middle = 2;
	tx.u.content.middle[0] = u[6].pk;
	tx.u.content.middle[1] = u[7].pk;
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 1, 0, NULL), DNC_OK);
	/* net 199: O 29.85, M1 19.9, M2 9.95, S the rest */
	assert_true(dnc_ledger_balance(L, u[5].a) - b[5] == 2985 * DNET / 100);
	assert_true(dnc_ledger_balance(L, u[6].a) - b[6] == 199 * DNET / 10);
	assert_true(dnc_ledger_balance(L, u[7].a) - b[7] == 995 * DNET / 100);
	assert_true(dnc_ledger_balance(L, u[8].a) - b[8] ==
		    199 * DNET - 2985 * DNET / 100 - 199 * DNET / 10 - 995 * DNET / 100);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

static void test_R_RENT_1_rental_payment(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[6];
	dnc_chain *c;
	dnc_ledger *L;
	dnc_tx tx;
	dn_amount b4, b5;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 6);
	L = dnc_chain_ledger(c);
	b4 = dnc_ledger_balance(L, u[4].a);
	b5 = dnc_ledger_balance(L, u[5].a);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_RENT;
	tx.from = u[4].pk;
	tx.u.rent.owner = u[5].pk;
	tx.u.rent.price_per_period = 2 * DNET;
	tx.u.rent.periods = 24;
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 1, 0, NULL), DNC_OK);
	assert_true(b4 - dnc_ledger_balance(L, u[4].a) == 48 * DNET);
	assert_true(dnc_ledger_balance(L, u[5].a) - b5 == 48 * DNET - 48 * DNET / 200);
	/* more than the payer has: nothing moves */
	tx.nonce = 1;
	tx.u.rent.periods = 1000;
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 1, 0, NULL), DNC_EINSUFFICIENT);
	assert_true(b4 - dnc_ledger_balance(L, u[4].a) == 48 * DNET);
	dnc_chain_destroy(c);
}

static void test_R_SHARE_2_bulk_index_path(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[8];
	dnc_chain *c;
	dnc_acct relays[3];
	dnc_share_split out;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 8);
	relays[0] = u[5].a;
	relays[1] = u[6].a;
	relays[2] = u[7].a;
	assert_int_equal(dnc_chain_pay_share(c, u[4].a, u[1].a, relays, 3, NULL, 1000, &out),
			 DNC_OK);
	assert_true(out.relay[0] == 165 && out.provider == 500);
	assert_int_equal(dnc_chain_pay_share(c, u[4].a, u[1].a, relays, 3, NULL,
					     100000 * DNET, &out), DNC_EINSUFFICIENT);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_FEE_1_pool_split_90_10),
		cmocka_unit_test(test_R_FEE_1_default_delegate_share_10_percent),
		cmocka_unit_test(test_R_FEE_1_pool_owners_pro_rata),
		cmocka_unit_test(test_R_FEE_1_block_fees_to_pools),
		cmocka_unit_test(test_R_EMIT_3_R_FEE_1_epoch_payout),
		cmocka_unit_test(test_R_FEE_2_community_fee_half_percent),
		cmocka_unit_test(test_R_FEE_3_order_and_exact_sum),
		cmocka_unit_test(test_R_SHARE_1_direct_provider_gets_all),
		cmocka_unit_test(test_R_SHARE_2_adhoc_half_to_relays),
		cmocka_unit_test(test_R_SHARE_2_share_tx_moves_money),
		cmocka_unit_test(test_R_SHARE_2_bulk_index_path),
		cmocka_unit_test(test_R_RENT_1_rental_payment),
		cmocka_unit_test(test_R_FWD_1_percentages),
		cmocka_unit_test(test_R_FWD_1_content_tx),
		cmocka_unit_test(test_R_FWD_2_middlemen_halving),
		cmocka_unit_test(test_R_FWD_2_min_reward_10_paid_9_not),
		cmocka_unit_test(test_R_FWD_3_direct_and_remainder),
	};
	return cmocka_run_group_tests_name("chain_sec5_splits", tests, NULL, NULL);
}
