/*
 * test_chain_attacks.c: the wash-traffic attack against the protocol
 * library alone, and the scoring countermeasures that stop or bound it.
 *
 * A small chain: 8 delegate seats, lambda 0.5 (4 stake seats, 2 volume, 2
 * quality), four honest distributors each serving a consumer at 10,000
 * base units a unit, and three attacker pairs: a consumer account the
 * attacker controls opens a session with the attacker's own distributor at
 * 1 base unit a unit and signs a credential for 100,000,000 units
 * (R-CONS-4 counts it: it is consumer-signed and paid from the deposit).
 * The election after the window says who holds the traffic seats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET
#define NHON 4          /* honest distributors 0..3, their consumers 4..7 */
#define NPAIR 3         /* attacker distributors 8..10, consumers 11..13 */
#define NVOTE 4         /* stake candidates 14..17, voters 18..21 */
#define NU (2 * NHON + 2 * NPAIR + 2 * NVOTE)
#define SLOTS 10
#define WASH_UNITS UINT64_C(100000000)
#define HONEST_PRICE 10000
#define HONEST_UNITS 10000

typedef struct user { dnc_pubkey pk; uint8_t sk[DNC_SK_BYTES]; dnc_acct a; } user;

typedef struct world {
	dnc_sigscheme s;
	dnc_chain *c;
	user u[NU + 1];
	dnc_schedule sch;
	dnc_time_s now;
} world;

static void mk_world(world *w, const dnc_params *p)
{
	static const uint8_t key[32] = "attack scheme key";
	dnc_chain_limits lim = { NU + 4, 4096, 16 };
	dnc_hash seed;
	memset(w, 0, sizeof *w);
	assert_int_equal(dnc_sig_init_keyed(&w->s, key), DNC_OK);
	for (uint32_t i = 0; i <= NU; i++) {
		uint8_t sd[32] = {0};
		memcpy(sd, &i, sizeof i);
		assert_int_equal(dnc_sig_keypair(&w->s, sd, &w->u[i].pk, w->u[i].sk), DNC_OK);
	}
	assert_int_equal(dnc_chain_create(p, &w->s, &lim, &w->u[NU].pk, &w->c), DNC_OK);
	dnc_ledger *L = dnc_chain_ledger(w->c);
	for (uint32_t i = 0; i < NU; i++) {
		assert_int_equal(dnc_ledger_add(L, &w->u[i].pk, &w->u[i].a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(w->c, w->u[i].a, DNC_GEN_SALE, 1000 * DNET), DNC_OK);
	}
	for (uint32_t i = 0; i < NVOTE; i++)
		assert_int_equal(dnc_ledger_vote(L, w->u[2 * NHON + 2 * NPAIR + NVOTE + i].a,
						 w->u[2 * NHON + 2 * NPAIR + i].a, (dn_amount)(100 + i) * DNET, 0),
				 DNC_OK);
	memset(&seed, 0, sizeof seed);
	assert_int_equal(dnc_chain_new_epoch(w->c, 0, &seed, &w->sch), DNC_OK);
	w->now = 100;
}

static void apply(world *w, uint32_t who, dnc_tx *t, dnc_tx_receipt *r)
{
	dnc_ledger *L = dnc_chain_ledger(w->c);
	t->from = w->u[who].pk;
	t->nonce = dnc_ledger_nonce(L, w->u[who].a);
	assert_int_equal(dnc_tx_sign(&w->s, dnc_chain_id(w->c), w->u[who].sk, t), DNC_OK);
	memset(r, 0, sizeof *r);
	assert_int_equal(dnc_chain_apply_tx(w->c, t, w->now, DNC_APPLY_VERIFY_SIG, r), DNC_OK);
}

/* consumer `cons` buys `units` from distributor `dist` at `price`: open,
 * one credential for everything, redeem, close. */
static void session(world *w, uint32_t cons, uint32_t dist, dn_amount price, uint64_t units)
{
	dnc_tx t;
	dnc_tx_receipt r;
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_SESSION_OPEN;
	t.u.open.distributor = w->u[dist].pk;
	t.u.open.price_per_unit = price;
	t.u.open.units = units;
	t.u.open.expiry_s = w->now + 3600;
	apply(w, cons, &t, &r);
	uint64_t sid = r.created_id;
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_REDEEM;
	t.u.redeem.session_id = sid;
	t.u.redeem.cred.session_id = sid;
	t.u.redeem.cred.total_units = units;
	t.u.redeem.cred.seq = 1;
	assert_int_equal(dnc_credential_sign(&w->s, dnc_chain_id(w->c), &w->u[dist].pk, w->u[cons].sk,
					     &t.u.redeem.cred), DNC_OK);
	apply(w, dist, &t, &r);
	assert_int_equal(r.units, units);
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_SESSION_CLOSE;
	t.u.close.session_id = sid;
	apply(w, dist, &t, &r);
}

/* One window of traffic (honest, and the attacker's if `attack`), then the
 * next election. OUT the attacker's DNET before and after (its six
 * accounts' holdings), and its seats. */
static void run_window(world *w, bool attack, dn_amount *att_before, dn_amount *att_after,
		       uint32_t *att_seats, uint32_t *traffic_seats)
{
	const dnc_ledger *L = dnc_chain_ledger_c(w->c);
	dnc_block_summary sum;
	*att_before = 0;
	for (uint32_t i = 2 * NHON; i < 2 * NHON + 2 * NPAIR; i++)
		*att_before += dnc_ledger_holdings(L, w->u[i].a);
	for (uint32_t slot = 0; slot < SLOTS; slot++) {
		w->now += 10;
		if (slot == 1)
			for (uint32_t i = 0; i < NHON; i++)
				session(w, NHON + i, i, HONEST_PRICE + 1000 * i, HONEST_UNITS + 1000 * i);
		if (slot == 2 && attack)
			for (uint32_t k = 0; k < NPAIR; k++)
				session(w, 2 * NHON + NPAIR + k, 2 * NHON + k, 1, WASH_UNITS);
		assert_int_equal(dnc_chain_end_block(w->c, dnc_schedule_seat(&w->sch, slot), w->now, &sum), DNC_OK);
	}
	*att_after = 0;
	for (uint32_t i = 2 * NHON; i < 2 * NHON + 2 * NPAIR; i++)
		*att_after += dnc_ledger_holdings(L, w->u[i].a);
	dnc_hash seed;
	memset(&seed, 1, sizeof seed);
	assert_int_equal(dnc_chain_new_epoch(w->c, 1, &seed, &w->sch), DNC_OK);
	assert_int_equal(dnc_chain_check(w->c), DNC_OK); /* R-SUP-1 held through it */
	const dnc_delegate_set *ds = dnc_chain_delegates(w->c);
	*att_seats = 0;
	*traffic_seats = ds->n_kind[DNC_SEAT_VOLUME] + ds->n_kind[DNC_SEAT_QUALITY];
	for (uint32_t i = 0; i < ds->n; i++)
		for (uint32_t k = 0; k < NPAIR; k++)
			if (ds->seat[i].acct == w->u[2 * NHON + k].a) {
				assert_int_not_equal(ds->seat[i].kind, DNC_SEAT_STAKE);
				(*att_seats)++;
			}
}

static void params(dnc_params *p)
{
	dnc_params_default(p);
	p->delegates = 8;
	p->epoch_blocks = SLOTS;
	p->traffic_window_blocks = SLOTS;
}

/* A world under p through one window; OUT as run_window. */
static world *window_under(const dnc_params *p, bool attack, dn_amount *before, dn_amount *after,
			   uint32_t *seats, uint32_t *traffic)
{
	world *w = test_malloc(sizeof *w);
	mk_world(w, p);
	run_window(w, attack, before, after, seats, traffic);
	return w;
}

static void done(world *w)
{
	dnc_chain_destroy(w->c);
	test_free(w);
}

/* The worked example: three self-dealing pairs take 3 of the 4 traffic
 * seats for 0.5 % of 1 DNET each in community fees (R-FEE-2); the
 * deposits come back. */
static void test_R_CONS_4_wash_pairs_take_traffic_seats(void **st)
{
	(void)st;
	dnc_params p;
	params(&p);
	dn_amount before, after;
	uint32_t seats, traffic;
	world *w = window_under(&p, true, &before, &after, &seats, &traffic);
	assert_int_equal(traffic, 4);
	assert_int_equal(seats, 3);
	/* what the attack cost: the community fee on each 1e8-unit payment at 1
	 * base unit (some of it may come back through the pools the attacker
	 * sits in: not yet, its seats start now) */
	assert_int_equal(before - after, NPAIR * (WASH_UNITS * 5000 / 1000000));
	done(w);
}

/* Countermeasure: a minimum price counted toward the scores. The pairs'
 * 1-base-unit traffic counts for nothing (volume, price and loss), and the
 * honest distributors keep every traffic seat. */
static void test_R_CONS_4_min_price_stops_wash_pairs(void **st)
{
	(void)st;
	dnc_params p;
	params(&p);
	p.score_min_price_base = 100;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	dn_amount before, after;
	uint32_t seats, traffic;
	world *w = window_under(&p, true, &before, &after, &seats, &traffic);
	assert_int_equal(seats, 0);
	assert_int_equal(traffic, 4);
	uint64_t vol, q;
	dnc_ledger_traffic_score(dnc_chain_ledger_c(w->c), w->u[2 * NHON].a, 0, &vol, &q);
	assert_int_equal(vol, 0);
	dnc_quality qq;
	dnc_ledger_quality_score(dnc_chain_ledger_c(w->c), w->u[2 * NHON].a, 0, &qq);
	assert_int_equal(qq.loss, 0);
	/* the honest distributors' traffic counts as before */
	dnc_ledger_traffic_score(dnc_chain_ledger_c(w->c), w->u[0].a, 0, &vol, &q);
	assert_int_equal(vol, HONEST_UNITS);
	/* the fees were still paid: the countermeasure changes scores, not payments */
	assert_int_equal(before - after, NPAIR * (WASH_UNITS * 5000 / 1000000));
	done(w);
	p.score_min_price_base = -1;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
}

/* DNC_TX_TRANSFER of `amount` from user `from` to user `to`. */
static void transfer(world *w, uint32_t from, uint32_t to, dn_amount amount)
{
	dnc_tx t;
	dnc_tx_receipt r;
	memset(&t, 0, sizeof t);
	t.type = DNC_TX_TRANSFER;
	t.u.transfer.to = w->u[to].pk;
	t.u.transfer.amount = amount;
	apply(w, from, &t, &r);
}

/* Countermeasure: a bond per distributor. At 1,500 DNET, with the honest
 * distributors topped up to 1,600 by their neighbours and the pairs'
 * distributors at their 1,000, the pairs' traffic counts for nothing
 * (volume and loss 0) and the honest take every traffic seat; the fees
 * are paid as before. A pair that moves 600 DNET from its consumer to its
 * distributor is bonded and takes its seat again: a bond prices the
 * attack (and R-ADMIN-1 can take it), it does not forbid it. */
static void test_R_CONS_4_bond_prices_wash_pairs(void **st)
{
	(void)st;
	dnc_params p;
	params(&p);
	p.score_bond_base = 1500 * DNET;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	for (int bonded = 0; bonded < 2; bonded++) {
		world *w = test_malloc(sizeof *w);
		mk_world(w, &p);
		for (uint32_t i = 0; i < NHON; i++)
			transfer(w, 2 * NHON + 2 * NPAIR + NVOTE + i, i, 600 * DNET);
		for (uint32_t k = 0; k < NPAIR && bonded; k++)
			transfer(w, 2 * NHON + NPAIR + k, 2 * NHON + k, 600 * DNET);
		dn_amount before, after;
		uint32_t seats, traffic;
		run_window(w, true, &before, &after, &seats, &traffic);
		uint64_t vol, q;
		dnc_quality qq;
		const dnc_ledger *L = dnc_chain_ledger_c(w->c);
		dnc_ledger_traffic_score(L, w->u[2 * NHON].a, 0, &vol, &q);
		dnc_ledger_quality_score(L, w->u[2 * NHON].a, 0, &qq);
		assert_int_equal(seats, bonded ? NPAIR : 0);
		assert_int_equal(traffic, 4);
		assert_int_equal(vol, bonded ? WASH_UNITS : 0);
		if (!bonded)
			assert_int_equal(qq.loss, 0);
		dnc_ledger_traffic_score(L, w->u[0].a, 0, &vol, &q);
		assert_int_equal(vol, HONEST_UNITS);
		assert_int_equal(before - after, NPAIR * (WASH_UNITS * 5000 / 1000000));
		done(w);
	}
	p.score_bond_base = -1;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
}

/* Countermeasure: a cap on the units scored per window. It bounds each
 * identity's volume at the cap (and so what a pair's volume buys), but
 * it does not stop the pairs: the cap is above the honest volumes. */
static void test_R_CONS_4_score_cap_bounds_volume(void **st)
{
	(void)st;
	dnc_params p;
	params(&p);
	p.score_cap_units = 50000;
	dn_amount before, after;
	uint32_t seats, traffic;
	world *w = window_under(&p, true, &before, &after, &seats, &traffic);
	uint64_t vol, q;
	dnc_ledger_traffic_score(dnc_chain_ledger_c(w->c), w->u[2 * NHON].a, 0, &vol, &q);
	assert_int_equal(vol, 50000);
	dnc_ledger_traffic_score(dnc_chain_ledger_c(w->c), w->u[3].a, 0, &vol, &q);
	assert_int_equal(vol, HONEST_UNITS + 3000);
	assert_true(seats >= 2); /* still ahead of honest volumes below the cap */
	done(w);
}

/* Countermeasure: a cap on seats per owner cluster. The attacker empties
 * its three distributors into its first consumer's account, which then
 * funds each of them again: that account is their funder, and the three
 * are one cluster. Under a cap of c seats the pairs keep c of their 3
 * traffic seats and honest distributors take the rest. Funded through an
 * account marked as a hub (an exchange), the distributors are three
 * clusters and keep all 3: the cap does not see through an exchange. With
 * the cap off the chain keeps no funders at all. */
static void test_R_CONS_1_seat_cap_per_owner_cluster(void **st)
{
	(void)st;
	const uint32_t owner = 2 * NHON + NPAIR; /* the first pair's consumer */
	for (uint32_t cap = 0; cap <= 3; cap++)
		for (int hub = 0; hub < 2; hub++) {
			dnc_params p;
			params(&p);
			p.seat_cluster_max = cap;
			assert_int_equal(dnc_params_check(&p), DNC_OK);
			world *w = test_malloc(sizeof *w);
			mk_world(w, &p);
			const dnc_ledger *L = dnc_chain_ledger_c(w->c);
			if (hub)
				dnc_ledger_set_flags(dnc_chain_ledger(w->c), w->u[owner].a, DNC_ACCT_HUB);
			for (uint32_t k = 0; k < NPAIR; k++)
				transfer(w, 2 * NHON + k, owner, 1000 * DNET);
			for (uint32_t k = 0; k < NPAIR; k++) {
				transfer(w, owner, 2 * NHON + k, 10 * DNET);
				dnc_acct d = w->u[2 * NHON + k].a;
				assert_int_equal(dnc_ledger_funder(L, d), cap ? w->u[owner].a : DNC_NONE);
				assert_int_equal(dnc_owner_cluster(L, d), cap && !hub ? w->u[owner].a : d);
			}
			/* a later transfer to an account that holds something links nothing */
			transfer(w, 2 * NHON + 2 * NPAIR + NVOTE, owner, 1 * DNET);
			assert_int_equal(dnc_ledger_funder(L, w->u[owner].a), DNC_NONE);
			/* and the first funder stays when an emptied account is funded again */
			transfer(w, 2 * NHON, owner, 10 * DNET);
			transfer(w, 2 * NHON + 2 * NPAIR + NVOTE, 2 * NHON, 10 * DNET);
			assert_int_equal(dnc_ledger_funder(L, w->u[2 * NHON].a), cap ? w->u[owner].a : DNC_NONE);
			dn_amount before, after;
			uint32_t seats, traffic;
			run_window(w, true, &before, &after, &seats, &traffic);
			assert_int_equal(seats, cap && !hub ? cap : NPAIR);
			assert_int_equal(traffic, 4);
			/* the honest stake seats are untouched (each its own cluster) */
			assert_int_equal(dnc_chain_delegates(w->c)->n_kind[DNC_SEAT_STAKE], 4);
			done(w);
		}
}

/* Without the attack, the honest distributors hold the traffic seats
 * (the pairs' seats above are the attack's doing). */
static void test_R_CONS_4_no_attack_honest_seats(void **st)
{
	(void)st;
	dnc_params p;
	params(&p);
	dn_amount before, after;
	uint32_t seats, traffic;
	world *w = window_under(&p, false, &before, &after, &seats, &traffic);
	assert_int_equal(seats, 0);
	assert_int_equal(traffic, 4);
	assert_int_equal(before, after);
	done(w);
}

/* The countermeasures are rules: a chain with one on has another id; with
 * both off the id is the one chains had before they existed. */
static void test_R_CONS_4_countermeasures_change_chain_id(void **st)
{
	(void)st;
	world *w = test_malloc(sizeof *w);
	dnc_params p;
	dnc_hash id0, id1, id2;
	params(&p);
	mk_world(w, &p);
	id0 = *dnc_chain_id(w->c);
	dnc_chain_destroy(w->c);
	p.score_min_price_base = 1;
	mk_world(w, &p);
	id1 = *dnc_chain_id(w->c);
	dnc_chain_destroy(w->c);
	p.score_min_price_base = 0;
	p.score_cap_units = 1;
	mk_world(w, &p);
	id2 = *dnc_chain_id(w->c);
	dnc_chain_destroy(w->c);
	p.score_cap_units = 0;
	p.score_bond_base = 1;
	mk_world(w, &p);
	dnc_hash id3 = *dnc_chain_id(w->c);
	dnc_chain_destroy(w->c);
	p.score_bond_base = 0;
	p.seat_cluster_max = 1;
	mk_world(w, &p);
	dnc_hash id4 = *dnc_chain_id(w->c);
	dnc_chain_destroy(w->c);
	assert_memory_not_equal(id0.b, id4.b, DNC_HASH_BYTES);
	assert_memory_not_equal(id3.b, id4.b, DNC_HASH_BYTES);
	assert_memory_not_equal(id0.b, id1.b, DNC_HASH_BYTES);
	assert_memory_not_equal(id0.b, id2.b, DNC_HASH_BYTES);
	assert_memory_not_equal(id1.b, id2.b, DNC_HASH_BYTES);
	assert_memory_not_equal(id0.b, id3.b, DNC_HASH_BYTES);
	assert_memory_not_equal(id1.b, id3.b, DNC_HASH_BYTES);
	test_free(w);
}

/* R-CHAIN-4 under fabricated traffic: a short branch whose one block
 * claims much traffic beats a longer honest one; the countermeasure (the
 * longest first) keeps the longer one, and traffic still breaks a tie of
 * length. */
static void test_R_CHAIN_4_fabricated_traffic_and_the_longest_branch(void **st)
{
	(void)st;
	dnc_forktree t;
	dnc_hash g, a1, a2, a3, b1, c1;
	memset(&g, 0, sizeof g);
	memset(&a1, 1, sizeof a1);
	memset(&a2, 2, sizeof a2);
	memset(&a3, 3, sizeof a3);
	memset(&b1, 4, sizeof b1);
	memset(&c1, 5, sizeof c1);
	assert_int_equal(dnc_forktree_init(&t, 16, &g), DNC_OK);
	/* the majority: three blocks of honest traffic */
	assert_int_equal(dnc_forktree_add(&t, &a1, &g, 40, 10, NULL), DNC_OK);
	assert_int_equal(dnc_forktree_add(&t, &a2, &a1, 40, 20, NULL), DNC_OK);
	assert_int_equal(dnc_forktree_add(&t, &a3, &a2, 40, 30, NULL), DNC_OK);
	/* the minority: one block claiming 3e9 units */
	assert_int_equal(dnc_forktree_add(&t, &b1, &g, UINT64_C(3000000000), 10, NULL), DNC_OK);
	assert_memory_equal(t.v[dnc_forktree_best(&t)].id.b, b1.b, 32);
	assert_memory_equal(t.v[dnc_forktree_best_by(&t, 0)].id.b, b1.b, 32);
	assert_memory_equal(t.v[dnc_forktree_best_by(&t, 1)].id.b, a3.b, 32);
	/* equal lengths: traffic decides under both rules */
	assert_int_equal(dnc_forktree_add(&t, &c1, &b1, 1, 20, NULL), DNC_OK);
	dnc_hash c2;
	memset(&c2, 6, sizeof c2);
	assert_int_equal(dnc_forktree_add(&t, &c2, &c1, 1, 30, NULL), DNC_OK);
	assert_memory_equal(t.v[dnc_forktree_best_by(&t, 1)].id.b, c2.b, 32);
	dnc_forktree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CONS_4_wash_pairs_take_traffic_seats),
		cmocka_unit_test(test_R_CONS_4_min_price_stops_wash_pairs),
		cmocka_unit_test(test_R_CONS_4_bond_prices_wash_pairs),
		cmocka_unit_test(test_R_CONS_4_score_cap_bounds_volume),
		cmocka_unit_test(test_R_CONS_1_seat_cap_per_owner_cluster),
		cmocka_unit_test(test_R_CONS_4_no_attack_honest_seats),
		cmocka_unit_test(test_R_CONS_4_countermeasures_change_chain_id),
		cmocka_unit_test(test_R_CHAIN_4_fabricated_traffic_and_the_longest_branch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
