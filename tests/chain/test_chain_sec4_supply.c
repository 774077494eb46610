/*
 * test_chain_sec4_supply.c: rules section 4 (supply, allocation, emission)
 * and the team lock-up schedule (R-LOCK-1). The white paper's own figures
 * are regression tests here, computed from parameters by the library.
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
	seed[31] = 0x5e;
	assert_int_equal(dnc_sig_keypair(s, seed, &u->pk, u->sk), DNC_OK);
}

/* a chain with n users, a 4-seat delegate set: users 0,1 stake; 2 volume; 3 quality */
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
	}
	memset(&ds, 0, sizeof ds);
	ds.n = 4;
	ds.n_kind[DNC_SEAT_STAKE] = 2;
	ds.n_kind[DNC_SEAT_VOLUME] = 1;
	ds.n_kind[DNC_SEAT_QUALITY] = 1;
	for (i = 0; i < 4; i++) {
		ds.seat[i].acct = u[i].a;
		ds.seat[i].kind = i < 2 ? DNC_SEAT_STAKE : i == 2 ? DNC_SEAT_VOLUME : DNC_SEAT_QUALITY;
		ds.seat[i].score = 100 + i;
	}
	assert_int_equal(dnc_chain_set_delegates(c, &ds), DNC_OK);
	return c;
}

static void test_R_CHAIN_1_blocks_per_year(void **st)
{
	dnc_params p;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(p.block_interval_s, 10);
	assert_int_equal(dnc_blocks_per_year(p.block_interval_s), 3153600);
	assert_int_equal(dnc_blocks_per_year(5), 6307200);
}

static void test_R_SUP_1_total_supply_reproduces_t(void **st)
{
	dnc_params p;
	dnc_emission e;
	(void)st;
	dnc_params_default(&p);
	assert_true(p.supply_base == INT64_C(7500000000) * DNET);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_true(e.per_delegate > 99 * DNET / 100); /* t ~ 0.99 */
	/* the paper's other figure (750 million) cannot give t = 0.99 */
	p.supply_base = INT64_C(750000000) * DNET;
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_true(e.per_delegate < 10 * DNET / 100);
}

static void test_R_SUP_2_allocation_e0(void **st)
{
	dnc_params p;
	dnc_allocation a;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_true(a.team == INT64_C(750000000) * DNET);
	assert_true(a.sale == INT64_C(750000000) * DNET);
	assert_true(a.community == INT64_C(375000000) * DNET);
	assert_true(a.initial == INT64_C(1875000000) * DNET);
	assert_true(a.emission == INT64_C(5625000000) * DNET); /* 75 % by blocks */
	assert_true(a.initial + a.emission == p.supply_base);
}

static void test_R_EMIT_1_t_is_0_991(void **st)
{
	dnc_params p;
	dnc_emission e;
	dnc_allocation a;
	dnc_u128 total;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	/* t = S (1 - E0) / (bpy years D) = 0.99092... DNET */
	assert_true(e.per_delegate >= 99050000 && e.per_delegate <= 99150000);
	assert_true(e.block_reward == e.per_delegate * 180);
	assert_int_equal(e.end_height, UINT64_C(31536000));
	/* everything is released within the years, the last block takes the dust */
	total = (dnc_u128)e.block_reward * (e.end_height - 1) +
		(uint64_t)dnc_emission_reward(&e, e.end_height - 1,
					      a.emission - e.block_reward * (dn_amount)(e.end_height - 1));
	assert_true(total == (dnc_u128)a.emission);
	assert_true(dnc_emission_reward(&e, e.end_height, 1000) == 0);
}

static void test_R_EMIT_2_delta(void **st)
{
	dnc_params p;
	dnc_emission e;
	dn_amount num, den;
	double delta;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	dnc_emission_delta(&e, p.supply_base, &num, &den);
	delta = (double)num / (double)den; /* reported only */
	assert_true(delta > 2.3775e-8 && delta < 2.3785e-8);
}

static void test_R_EMIT_3_producer_reward_0_5625_usd(void **st)
{
	dnc_params p;
	dn_amount prod, pools;
	const int64_t price_uusd_per_dnet = 62500; /* 0.0625 USD */
	(void)st;
	dnc_params_default(&p);
	/* at t = 1 DNET the block reward is D = 180 DNET; producer 5 % = 9 */
	assert_int_equal(dnc_emission_producer_split(&p, (dn_amount)p.delegates * DNET,
						     &prod, &pools), DNC_OK);
	assert_true(prod == 9 * DNET);
	assert_true(prod + pools == 180 * DNET);
	assert_true(prod / DNET * price_uusd_per_dnet == 562500); /* 0.5625 USD */
}

static void test_R_EMIT_3_block_reward_split_in_chain(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[6];
	dnc_chain *c;
	dnc_block_summary sum;
	dn_amount before[6], gained = 0;
	uint32_t i;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 6);
	for (i = 0; i < 6; i++)
		before[i] = dnc_ledger_balance(dnc_chain_ledger(c), u[i].a);
	assert_int_equal(dnc_chain_end_block(c, 2, 10, &sum), DNC_OK);
	for (i = 0; i < 6; i++)
		gained += dnc_ledger_balance(dnc_chain_ledger(c), u[i].a) - before[i];
	assert_true(sum.reward == dnc_chain_emission(c)->block_reward);
	assert_true(sum.producer_reward == sum.reward / 20);
	/* nobody staked: every pool pays its delegate; all reward accounted */
	assert_true(gained == sum.reward);
	assert_true(sum.prov.stake_earned + sum.prov.traffic_earned == sum.reward);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

static void test_R_EMIT_3_pools_in_proportion_to_score(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[5];
	dnc_chain *c;
	dnc_delegate_set ds;
	dnc_block_summary sum;
	dnc_ledger *L;
	dn_amount prod, pools, g0, g1, by_kind[3];
	uint64_t seats[3] = { 2, 1, 1 };
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 5);
	L = dnc_chain_ledger(c);
	ds = *dnc_chain_delegates(c);
	ds.seat[0].score = 1000;     /* stake seats 1 : 3 */
	ds.seat[1].score = 3000;
	assert_int_equal(dnc_chain_set_delegates(c, &ds), DNC_OK);
	g0 = dnc_ledger_balance(L, u[0].a);
	g1 = dnc_ledger_balance(L, u[1].a);
	assert_int_equal(dnc_chain_end_block(c, 3, 10, &sum), DNC_OK); /* a quality seat produces */
	g0 = dnc_ledger_balance(L, u[0].a) - g0;
	g1 = dnc_ledger_balance(L, u[1].a) - g1;
	assert_int_equal(dnc_emission_producer_split(&p, sum.reward, &prod, &pools), DNC_OK);
	assert_int_equal(dnc_split_weighted(pools, seats, 3, by_kind), DNC_OK);
	/* nobody staked: each pool pays its delegate everything */
	assert_true(g0 == by_kind[0] / 4);
	assert_true(g1 == by_kind[0] - by_kind[0] / 4);
	dnc_chain_destroy(c);
}

static void test_R_EMIT_4_never_past_supply(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[4];
	dnc_chain *c;
	dnc_block_summary sum;
	dnc_allocation a;
	uint32_t h;
	(void)st;
	dnc_params_default(&p);
	p.block_interval_s = 365u * 86400u / 7u; /* 7 blocks a year */
	p.emission_years = 2;                  /* 14 blocks of emission */
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 4);
	for (h = 0; h < 30; h++)
		assert_int_equal(dnc_chain_end_block(c, h % 4, (dnc_time_s)h, &sum), DNC_OK);
	assert_true(sum.minted_total == a.emission); /* exactly, dust included */
	assert_true(sum.reward == 0);
	assert_true(dnc_ledger_unminted(dnc_chain_ledger(c)) == p.supply_base - a.emission);
	/* the ledger itself refuses to mint past the supply */
	{
		dnc_ledger *L = dnc_chain_ledger(c);
		dn_amount left = dnc_ledger_unminted(L), b = dnc_ledger_balance(L, u[0].a);
		assert_int_equal(dnc_ledger_mint(L, u[0].a, left + 1), DNC_ESUPPLY);
		assert_int_equal(dnc_ledger_mint_team(L, u[0].a, left + 1), DNC_ESUPPLY);
		assert_int_equal(dnc_ledger_pool_pay(L, DNC_NONE, u[0].a, left + 1, 100000, NULL),
				 DNC_ESUPPLY);
		assert_true(dnc_ledger_balance(L, u[0].a) == b);
		assert_int_equal(dnc_ledger_mint(L, u[0].a, left), DNC_OK);
		assert_true(dnc_ledger_unminted(L) == 0);
		assert_int_equal(dnc_ledger_mint(L, u[0].a, 1), DNC_ESUPPLY);
		assert_int_equal(dnc_chain_check(c), DNC_OK);
	}
	dnc_chain_destroy(c);
}

static void test_R_EMIT_4_retune_keeps_bound(void **st)
{
	dnc_params p;
	dnc_emission e;
	dnc_allocation a;
	dn_amount minted, remaining;
	uint64_t h;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	/* after 1000 blocks, finish the emission in 5 years instead of 10 */
	minted = e.block_reward * 1000;
	remaining = a.emission - minted;
	assert_int_equal(dnc_emission_retune(&e, 1000, 1000 + 5 * e.blocks_per_year, remaining),
			 DNC_OK);
	assert_true(e.per_delegate > 19 * DNET / 10); /* about twice t */
	/* reward never exceeds what is left */
	assert_true(dnc_emission_reward(&e, 2000, 5) == 5);
	for (h = e.end_height - 3; h < e.end_height + 2; h++)
		assert_true(dnc_emission_reward(&e, h, remaining) <= remaining);
	assert_int_equal(dnc_emission_retune(&e, 10, 10, remaining), DNC_EINVAL);
}

static void test_R_EMIT_5_provenance_tracked_per_block(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[5];
	dnc_chain *c;
	dnc_block_summary sum;
	uint32_t h, share_prev = DNC_PPM;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 5);
	assert_int_equal(dnc_chain_genesis(c, u[4].a, DNC_GEN_SALE, 1000 * DNET), DNC_OK);
	for (h = 0; h < 50; h++) {
		assert_int_equal(dnc_chain_end_block(c, h % 4, (dnc_time_s)h * 10, &sum), DNC_OK);
		assert_true(sum.prov.initial == 1000 * DNET);
		assert_true(sum.prov.stake_earned + sum.prov.traffic_earned == sum.minted_total);
		/* 2 of 4 seats are traffic seats: the traffic share grows */
		assert_true(sum.initial_share_ppm <= share_prev);
		share_prev = sum.initial_share_ppm;
	}
	assert_true(sum.prov.traffic_earned > 0);
	dnc_chain_destroy(c);
}

static void test_R_EMIT_5_producer_and_pools_by_seat_kind(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[4];
	dnc_chain *c;
	dnc_block_summary sum;
	dn_amount prod, pools, by_kind[3];
	uint64_t seats[3] = { 2, 1, 1 };
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 4);
	/* seat 0 is a stake seat: its producer share is stake-originated */
	assert_int_equal(dnc_chain_end_block(c, 0, 10, &sum), DNC_OK);
	assert_int_equal(dnc_emission_producer_split(&p, sum.reward, &prod, &pools), DNC_OK);
	assert_int_equal(dnc_split_weighted(pools, seats, 3, by_kind), DNC_OK);
	assert_true(sum.prov.stake_earned == prod + by_kind[0]);
	assert_true(sum.prov.traffic_earned == by_kind[1] + by_kind[2]);
	/* seat 2 is a volume seat: its producer share is traffic-originated */
	assert_int_equal(dnc_chain_end_block(c, 2, 20, &sum), DNC_OK);
	assert_true(sum.prov.stake_earned == prod + 2 * by_kind[0]);
	assert_true(sum.prov.traffic_earned == prod + 2 * (by_kind[1] + by_kind[2]));
	dnc_chain_destroy(c);
}

static void test_R_LOCK_1_schedule(void **st)
{
	dnc_params p;
	dn_amount team = INT64_C(750000000) * DNET;
	uint64_t m;
	(void)st;
	dnc_params_default(&p);
	for (m = 0; m < 6; m++)
		assert_true(dnc_lock_unlocked(&p, team, m) == 0);
	assert_true(dnc_lock_unlocked(&p, team, 6) == team / 50);      /* 2 % */
	assert_true(dnc_lock_unlocked(&p, team, 7) == team / 25);      /* 4 % */
	assert_true(dnc_lock_unlocked(&p, team, 54) == team / 50 * 49);
	assert_true(dnc_lock_unlocked(&p, team, 55) == team);          /* 50 unlocks */
	assert_true(dnc_lock_unlocked(&p, team, 500) == team);
	for (m = 6; m < 60; m++)
		assert_true(dnc_lock_unlocked(&p, team, m + 1) - dnc_lock_unlocked(&p, team, m) <=
			    team / 50);
	assert_int_equal(dnc_lock_months(&p, 100, 100 + 3 * (dnc_time_s)p.month_s + 5), 3);
}

static void test_R_LOCK_1_team_unlock_tx(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[4];
	dnc_chain *c;
	dnc_tx tx;
	dnc_tx_receipt r;
	const dnc_account *acc;
	dn_amount team = 1000 * DNET;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 4);
	dnc_chain_set_fundraising_end(c, 0);
	assert_int_equal(dnc_chain_genesis(c, u[0].a, DNC_GEN_TEAM, team), DNC_OK);
	acc = dnc_ledger_account(dnc_chain_ledger(c), u[0].a);
	assert_true(acc->lock[DNC_LOCK_TEAM] == team);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(c), u[0].a) == 0);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_TEAM_UNLOCK;
	tx.from = u[0].pk;
	/* 5 months in: nothing yet */
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 5 * (dnc_time_s)p.month_s, 0, &r), DNC_ETOOEARLY);
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 6 * (dnc_time_s)p.month_s, 0, &r), DNC_OK);
	assert_true(r.moved == team / 50);
	tx.nonce = 1;
	/* the same month again: nothing new */
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 6 * (dnc_time_s)p.month_s + 9, 0, &r),
			 DNC_ETOOEARLY);
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 100 * (dnc_time_s)p.month_s, 0, &r), DNC_OK);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(c), u[0].a) == team);
	assert_true(acc->lock[DNC_LOCK_TEAM] == 0);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

static void test_R_SUP_2_genesis_caps(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[4];
	dnc_chain *c;
	dnc_allocation a;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 4);
	assert_int_equal(dnc_chain_genesis(c, u[1].a, DNC_GEN_SALE, a.sale), DNC_OK);
	assert_int_equal(dnc_chain_genesis(c, u[2].a, DNC_GEN_SALE, 1), DNC_ESUPPLY);
	assert_int_equal(dnc_chain_genesis(c, u[2].a, DNC_GEN_COMMUNITY, a.community + 1),
			 DNC_ESUPPLY);
	assert_int_equal(dnc_chain_end_block(c, 0, 10, NULL), DNC_OK);
	assert_int_equal(dnc_chain_genesis(c, u[2].a, DNC_GEN_COMMUNITY, 1), DNC_ETOOLATE);
	dnc_chain_destroy(c);
}

static void test_conservation_after_every_block(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[4];
	dnc_chain *c;
	uint32_t h;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 4);
	assert_int_equal(dnc_chain_genesis(c, u[0].a, DNC_GEN_TEAM, 77 * DNET), DNC_OK);
	for (h = 0; h < 20; h++) {
		assert_int_equal(dnc_chain_end_block(c, h % 4, (dnc_time_s)h, NULL), DNC_OK);
		assert_int_equal(dnc_chain_check(c), DNC_OK);
	}
	dnc_chain_destroy(c);
}

static void test_amounts_overflow_is_an_error(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	user u[4];
	dnc_chain *c;
	dnc_tx tx;
	dn_amount r = 7;
	uint64_t sid;
	(void)st;
	assert_int_equal(dnc_add(INT64_MAX, 1, &r), DNC_EOVERFLOW);
	assert_int_equal(dnc_sub(INT64_MIN, 1, &r), DNC_EOVERFLOW);
	assert_int_equal(dnc_muldiv(INT64_MAX, 2, 1, &r), DNC_EOVERFLOW);
	assert_int_equal(dnc_muldiv(INT64_MAX, 3, 3, &r), DNC_OK); /* 128-bit middle */
	assert_true(r == INT64_MAX);
	assert_int_equal(dnc_muldiv(-1, 1, 1, &r), DNC_EINVAL);
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	c = mk_chain(&p, &s, u, 4);
	assert_int_equal(dnc_chain_genesis(c, u[1].a, DNC_GEN_SALE, 10 * DNET), DNC_OK);
	/* price x units beyond int64: an error, nothing locked */
	assert_int_equal(dnc_session_open((dnc_sessions *)dnc_chain_sessions(c), dnc_chain_ledger(c),
					  u[1].a, u[2].a, INT64_MAX / 2, 3, 0, &sid), DNC_EOVERFLOW);
	memset(&tx, 0, sizeof tx);
	tx.type = DNC_TX_RENT;
	tx.from = u[1].pk;
	tx.u.rent.owner = u[2].pk;
	tx.u.rent.price_per_period = INT64_MAX / 2;
	tx.u.rent.periods = 4;
	assert_int_equal(dnc_chain_apply_tx(c, &tx, 0, 0, NULL), DNC_EOVERFLOW);
	assert_true(dnc_ledger_balance(dnc_chain_ledger(c), u[1].a) == 10 * DNET);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CHAIN_1_blocks_per_year),
		cmocka_unit_test(test_R_SUP_1_total_supply_reproduces_t),
		cmocka_unit_test(test_R_SUP_2_allocation_e0),
		cmocka_unit_test(test_R_SUP_2_genesis_caps),
		cmocka_unit_test(test_R_EMIT_1_t_is_0_991),
		cmocka_unit_test(test_R_EMIT_2_delta),
		cmocka_unit_test(test_R_EMIT_3_producer_reward_0_5625_usd),
		cmocka_unit_test(test_R_EMIT_3_block_reward_split_in_chain),
		cmocka_unit_test(test_R_EMIT_3_pools_in_proportion_to_score),
		cmocka_unit_test(test_R_EMIT_4_never_past_supply),
		cmocka_unit_test(test_R_EMIT_4_retune_keeps_bound),
		cmocka_unit_test(test_R_EMIT_5_provenance_tracked_per_block),
		cmocka_unit_test(test_R_EMIT_5_producer_and_pools_by_seat_kind),
		cmocka_unit_test(test_R_LOCK_1_schedule),
		cmocka_unit_test(test_R_LOCK_1_team_unlock_tx),
		cmocka_unit_test(test_conservation_after_every_block),
		cmocka_unit_test(test_amounts_overflow_is_an_error),
	};
	return cmocka_run_group_tests_name("chain_sec4_supply", tests, NULL, NULL);
}
