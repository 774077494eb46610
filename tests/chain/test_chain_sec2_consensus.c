/*
 * test_chain_sec2_consensus.c: rules section 2, delegated proof of stake +
 * proof of traffic (R-CONS-1..6): seat quotas, election by stake, volume
 * and quality, the score window, the shuffled producer schedule with
 * missed slots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET

#include "ledger_fixture.h"

static dnc_ledger *mk_ledger(uint32_t n, dn_amount each)
{
	return mk_ledger_keyed(n, each, 1);
}

static void test_R_CONS_1_180_delegates(void **st)
{
	dnc_params p;
	uint32_t q[DNC_SEAT_KINDS];
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(p.delegates, 180);
	dnc_seat_quota(&p, q);
	assert_int_equal(q[0] + q[1] + q[2], 180);
}

static void test_R_CONS_2_lambda_split(void **st)
{
	dnc_params p;
	uint32_t q[DNC_SEAT_KINDS];
	(void)st;
	dnc_params_default(&p);
	dnc_seat_quota(&p, q);
	assert_int_equal(q[DNC_SEAT_STAKE], 90);       /* lambda 0.5: 90 + 90 */
	assert_int_equal(q[DNC_SEAT_VOLUME] + q[DNC_SEAT_QUALITY], 90);
	p.lambda_ppm = 300000;
	dnc_seat_quota(&p, q);
	assert_int_equal(q[DNC_SEAT_STAKE], 54);
	assert_int_equal(q[DNC_SEAT_VOLUME] + q[DNC_SEAT_QUALITY], 126);
	p.lambda_ppm = 1000000;
	dnc_seat_quota(&p, q);
	assert_int_equal(q[DNC_SEAT_STAKE], 180);
}

/*
 * R-CONS-2 at a lambda that does not give whole seats: round(D lambda)
 * stake seats, half up; the traffic seats split with the odd one to
 * volume; the three always add up to D.
 */
static void test_R_CONS_2_seat_rounding(void **st)
{
	static const struct { uint32_t d, lambda, stake, vol, qual; } c[] = {
		{ 180, 333300, 60, 60, 60 },   /* 59.994 -> 60 */
		{ 180, 333333, 60, 60, 60 },   /* 59.99994 -> 60 */
		{ 180, 330000, 59, 61, 60 },   /* 59.4 -> 59, 121 -> 61 + 60 */
		{ 7, 500000, 4, 2, 1 },        /* 3.5 -> 4 (half up) */
		{ 7, 333333, 2, 3, 2 },        /* 2.33 -> 2 */
		{ 7, 499999, 3, 2, 2 },        /* 3.499993 -> 3 */
		{ 5, 100000, 1, 2, 2 },        /* 0.5 -> 1 */
		{ 5, 99999, 0, 3, 2 },         /* 0.499995 -> 0 */
		{ 1, 500000, 1, 0, 0 },
		{ 1, 0, 0, 1, 0 },
		{ 2, 0, 0, 1, 1 },
	};
	dnc_params p;
	uint32_t q[DNC_SEAT_KINDS], i, d, l;
	(void)st;
	dnc_params_default(&p);
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		p.delegates = c[i].d;
		p.lambda_ppm = c[i].lambda;
		dnc_seat_quota(&p, q);
		assert_int_equal(q[DNC_SEAT_STAKE], c[i].stake);
		assert_int_equal(q[DNC_SEAT_VOLUME], c[i].vol);
		assert_int_equal(q[DNC_SEAT_QUALITY], c[i].qual);
	}
	for (d = 1; d <= 300; d++)
		for (l = 0; l <= DNC_PPM; l += 7919) {
			p.delegates = d;
			p.lambda_ppm = l;
			dnc_seat_quota(&p, q);
			assert_int_equal(q[0] + q[1] + q[2], d);
			assert_int_equal(q[DNC_SEAT_STAKE],
					 (uint32_t)(((uint64_t)d * l + DNC_PPM / 2) / DNC_PPM));
			assert_true(q[DNC_SEAT_VOLUME] - q[DNC_SEAT_QUALITY] <= 1);
		}
}

static void test_R_CONS_3_volume_and_quality_seats(void **st)
{
	dnc_params p;
	dnc_ledger *L = mk_ledger(400, 100 * DNET);
	dnc_delegate_set *ds = test_malloc(sizeof *ds);
	uint32_t i, j;
	(void)st;
	dnc_params_default(&p);
	/* accounts 0..99 carry traffic: volume rises with i, price falls with i
	 * for even i only, so quality ranks differ from volume ranks */
	for (i = 0; i < 100; i++)
		dnc_ledger_credit_traffic(L, i, 1000 + i, (i % 2 == 0) ? 10 : 1000 + i, 0);
	/* accounts 200..399 get stake votes from 100..199 */
	for (i = 100; i < 200; i++)
		assert_int_equal(dnc_ledger_vote(L, i, 200 + (i - 100), (dn_amount)(i) * DNET / 10, 0),
				 DNC_OK);
	assert_int_equal(dnc_elect(&p, L, 1, 0, ds), DNC_OK);
	assert_int_equal(ds->n_kind[DNC_SEAT_STAKE], 90);
	assert_int_equal(ds->n_kind[DNC_SEAT_VOLUME], 45);
	assert_int_equal(ds->n_kind[DNC_SEAT_QUALITY], 45);
	assert_int_equal(ds->n, 180);
	/* volume seats: the 45 highest volumes (99 down to 55) */
	for (i = 0; i < 45; i++) {
		assert_int_equal(ds->seat[90 + i].kind, DNC_SEAT_VOLUME);
		assert_int_equal(ds->seat[90 + i].acct, 99 - i);
	}
	/* quality seats: the cheap (even) ones not already seated */
	for (i = 0; i < 45; i++) {
		const dnc_seat *s = &ds->seat[135 + i];
		assert_int_equal(s->kind, DNC_SEAT_QUALITY);
		assert_true(s->acct < 55);
	}
	/* nobody twice */
	for (i = 0; i < ds->n; i++)
		for (j = i + 1; j < ds->n; j++)
			assert_true(ds->seat[i].acct != ds->seat[j].acct);
	test_free(ds);
	dnc_ledger_destroy(L);
}

static void test_R_CONS_3_sliding_window(void **st)
{
	dnc_ledger *L = mk_ledger(4, DNET);
	uint64_t v, q;
	(void)st;
	dnc_ledger_credit_traffic(L, 0, 50, 10, 5);
	dnc_ledger_traffic_score(L, 0, 5, &v, &q);
	assert_true(v == 50);
	dnc_ledger_credit_traffic(L, 0, 7, 10, 6);      /* next window starts */
	dnc_ledger_traffic_score(L, 0, 5, &v, &q);
	assert_true(v == 50);                           /* complete window kept */
	dnc_ledger_traffic_score(L, 0, 6, &v, &q);
	assert_true(v == 7);
	dnc_ledger_credit_traffic(L, 0, 1, 10, 9);      /* windows skipped */
	dnc_ledger_traffic_score(L, 0, 8, &v, &q);
	assert_true(v == 0);
	dnc_ledger_traffic_score(L, 0, 5, &v, &q);
	assert_true(v == 0);                            /* slid out */
	dnc_ledger_destroy(L);
}

/*
 * R-CONS-3: the score window is 8,640 blocks by default, and traffic
 * credited in window w counts for the election that scores window w: not
 * for w - 1, w + 1 or w + 2.
 */
static void test_R_CONS_3_window_default_and_scored_window(void **st)
{
	dnc_params p;
	dnc_ledger *L = mk_ledger(4, DNET);
	dnc_delegate_set *ds = test_malloc(sizeof *ds);
	uint64_t w;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(p.traffic_window_blocks, 8640);
	assert_int_equal(p.epoch_blocks, 8640);
	p.delegates = 2;
	p.lambda_ppm = 0;                        /* one volume, one quality seat */
	dnc_ledger_credit_traffic(L, 1, 100, 10, 3);
	for (w = 1; w <= 6; w++) {
		assert_int_equal(dnc_elect(&p, L, 1, w, ds), DNC_OK);
		if (w == 3) {
			assert_int_equal(ds->n, 1);
			assert_int_equal(ds->seat[0].acct, 1);
			assert_int_equal(ds->seat[0].kind, DNC_SEAT_VOLUME);
			assert_true(ds->seat[0].score == 100);
		} else {
			assert_int_equal(ds->n, 0);
		}
	}
	/* once the next window has begun, window 3 is still what it was */
	dnc_ledger_credit_traffic(L, 1, 7, 10, 4);
	assert_int_equal(dnc_elect(&p, L, 1, 3, ds), DNC_OK);
	assert_true(ds->n == 1 && ds->seat[0].score == 100);
	assert_int_equal(dnc_elect(&p, L, 1, 5, ds), DNC_OK);
	assert_int_equal(ds->n, 0);
	test_free(ds);
	dnc_ledger_destroy(L);
}

/*
 * R-CONS-3 on the chain with the default 8,640-block window: traffic of
 * window 1 (heights 8,640..17,279) elects at the epoch change at height
 * 17,280, not at 8,640 (which scores window 0) nor at 25,920 (window 2).
 */
static void test_R_CONS_3_chain_scores_last_complete_window(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	dnc_chain_limits lim = { 16, 4, 4 };
	dnc_chain *c;
	dnc_pubkey f;
	dnc_ledger *L;
	dnc_schedule *sch = test_malloc(sizeof *sch);
	const dnc_delegate_set *ds;
	dnc_hash seed;
	dnc_acct early, late;
	uint64_t h;
	uint32_t i;
	(void)st;
	dnc_params_default(&p);
	p.check_conservation = DNC_CHECK_OFF;    /* 25,920 blocks: keep it quick */
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	memset(&f, 9, sizeof f);
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &f, &c), DNC_OK);
	L = dnc_chain_ledger(c);
	memset(&seed, 5, sizeof seed);
	for (i = 0; i < 2; i++) {
		dnc_pubkey pk;
		memset(&pk, 60 + (int)i, sizeof pk);
		assert_int_equal(dnc_ledger_add(L, &pk, i == 0 ? &early : &late), DNC_OK);
	}
	dnc_ledger_credit_traffic(L, early, 100, 10, 0);   /* window 0 */
	assert_int_equal(dnc_chain_new_epoch(c, 0, &seed, sch), DNC_OK);
	dnc_ledger_credit_traffic(L, late, 100, 10, 1);    /* window 1 */
	for (h = 0; h < 3 * 8640; h++) {
		if (h > 0 && h % 8640 == 0) {
			dnc_rc rc = dnc_chain_new_epoch(c, h / 8640, &seed, sch);
			ds = dnc_chain_delegates(c);
			if (h == 8640) {          /* scores window 0 */
				assert_int_equal(rc, DNC_OK);
				assert_true(ds->n == 1 && ds->seat[0].acct == early);
			} else if (h == 2 * 8640) { /* scores window 1 */
				assert_int_equal(rc, DNC_OK);
				assert_true(ds->n == 1 && ds->seat[0].acct == late);
			}
		}
		assert_int_equal(dnc_chain_end_block(c, dnc_schedule_seat(sch, h % 8640),
						     (dnc_time_s)h * 10, NULL), DNC_OK);
	}
	/* height 25,920 scores window 2: nobody had traffic there */
	assert_int_equal(dnc_chain_new_epoch(c, 3, &seed, sch), DNC_ENOTFOUND);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
	test_free(sch);
}

static void test_R_CONS_5_stake_top_ranked(void **st)
{
	dnc_params p;
	dnc_ledger *L = mk_ledger(10, 100 * DNET);
	dnc_delegate_set *ds = test_malloc(sizeof *ds);
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(p.epoch_blocks, 8640);
	p.delegates = 2;
	p.lambda_ppm = 1000000; /* two stake seats */
	assert_int_equal(dnc_ledger_vote(L, 0, 7, 10 * DNET, 0), DNC_OK);
	assert_int_equal(dnc_ledger_vote(L, 1, 8, 30 * DNET, 0), DNC_OK);
	assert_int_equal(dnc_ledger_vote(L, 2, 9, 20 * DNET, 0), DNC_OK);
	assert_int_equal(dnc_elect(&p, L, 0, 0, ds), DNC_OK);
	assert_int_equal(ds->n, 2);
	assert_int_equal(ds->seat[0].acct, 8);
	assert_int_equal(ds->seat[1].acct, 9);
	/* votes move: account 0 raises its vote for 7 above everyone */
	assert_int_equal(dnc_ledger_vote(L, 0, 7, 50 * DNET, 0), DNC_OK);
	assert_int_equal(dnc_elect(&p, L, 1, 0, ds), DNC_OK);
	assert_int_equal(ds->seat[0].acct, 7);
	assert_int_equal(ds->seat[1].acct, 8);
	assert_true(dnc_ledger_account(L, 7)->votes_received == 50 * DNET);
	assert_true(dnc_ledger_account(L, 0)->lock[DNC_LOCK_STAKE] == 50 * DNET);
	/* withdraw */
	assert_int_equal(dnc_ledger_vote(L, 0, 7, 0, 0), DNC_OK);
	assert_true(dnc_ledger_account(L, 7)->votes_received == 0);
	assert_true(dnc_ledger_balance(L, 0) == 100 * DNET);
	assert_int_equal(dnc_ledger_vote(L, 0, 7, 101 * DNET, 0), DNC_EINSUFFICIENT);
	assert_int_equal(dnc_ledger_check_conservation(L), DNC_OK);
	test_free(ds);
	dnc_ledger_destroy(L);
}

static void test_R_CONS_6_schedule_is_deterministic_shuffle(void **st)
{
	dnc_delegate_set *ds = test_calloc(1, sizeof *ds);
	dnc_schedule *a = test_malloc(sizeof *a), *b = test_malloc(sizeof *b);
	dnc_hash seed1, seed2;
	uint32_t i, seen[180] = {0}, moved = 0, differ = 0;
	(void)st;
	ds->n = 180;
	ds->n_kind[0] = 180;
	for (i = 0; i < 180; i++)
		ds->seat[i].acct = i;
	memset(&seed1, 1, sizeof seed1);
	memset(&seed2, 2, sizeof seed2);
	assert_int_equal(dnc_schedule_make(ds, &seed1, 7, a), DNC_OK);
	assert_int_equal(dnc_schedule_make(ds, &seed1, 7, b), DNC_OK);
	assert_memory_equal(a, b, sizeof *a);              /* same chain data */
	for (i = 0; i < 180; i++) {
		seen[a->order[i]]++;
		moved += a->order[i] != i;
	}
	for (i = 0; i < 180; i++)
		assert_int_equal(seen[i], 1);                  /* a permutation */
	assert_true(moved > 150);                          /* actually shuffled */
	assert_int_equal(dnc_schedule_make(ds, &seed2, 7, b), DNC_OK);
	for (i = 0; i < 180; i++)
		differ += a->order[i] != b->order[i];
	assert_true(differ > 150);
	assert_int_equal(dnc_schedule_make(ds, &seed1, 8, b), DNC_OK);
	assert_memory_not_equal(a->order, b->order, sizeof a->order);
	assert_int_equal(dnc_schedule_seat(a, 0), a->order[0]);
	assert_int_equal(dnc_schedule_seat(a, 181), a->order[1]);
	test_free(ds);
	test_free(a);
	test_free(b);
}

static void test_R_CONS_6_missed_slot_leaves_gap(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	dnc_chain_limits lim = { 16, 4, 4 };
	dnc_chain *c;
	dnc_pubkey f;
	dnc_delegate_set *ds = test_calloc(1, sizeof *ds);
	dnc_schedule *sch = test_malloc(sizeof *sch);
	dnc_hash seed;
	dnc_block_summary sum;
	uint64_t slot, produced = 0;
	uint32_t i;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	memset(&f, 9, sizeof f);
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &f, &c), DNC_OK);
	for (i = 0; i < 4; i++) {
		dnc_pubkey pk;
		dnc_acct a;
		memset(&pk, 20 + (int)i, sizeof pk);
		assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &pk, &a), DNC_OK);
		ds->seat[i].acct = a;
	}
	ds->n = 4;
	ds->n_kind[0] = 4;
	assert_int_equal(dnc_chain_set_delegates(c, ds), DNC_OK);
	memset(&seed, 3, sizeof seed);
	assert_int_equal(dnc_schedule_make(ds, &seed, 0, sch), DNC_OK);
	for (slot = 0; slot < 12; slot++) {
		if (slot == 5 || slot == 6)
			continue; /* the scheduled producer was offline */
		assert_int_equal(dnc_chain_end_block(c, dnc_schedule_seat(sch, slot),
						     (dnc_time_s)slot * 10, &sum), DNC_OK);
		assert_int_equal(sum.height, produced); /* next block builds on the last */
		produced++;
	}
	assert_int_equal(dnc_chain_height(c), 10);
	dnc_chain_destroy(c);
	test_free(ds);
	test_free(sch);
}

static void test_R_CONS_5_chain_epoch_elects_and_schedules(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	dnc_chain_limits lim = { 64, 4, 4 };
	dnc_chain *c;
	dnc_pubkey f;
	dnc_ledger *L;
	dnc_schedule *sch = test_malloc(sizeof *sch);
	const dnc_delegate_set *ds;
	dnc_hash seed;
	uint32_t i, slot;
	(void)st;
	dnc_params_default(&p);
	p.delegates = 6;                         /* 3 stake + 2 volume + 1 quality */
	p.traffic_window_blocks = 4;
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	memset(&f, 9, sizeof f);
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &f, &c), DNC_OK);
	L = dnc_chain_ledger(c);
	memset(&seed, 5, sizeof seed);
	/* nobody electable yet */
	assert_int_equal(dnc_chain_new_epoch(c, 0, &seed, sch), DNC_ENOTFOUND);
	for (i = 0; i < 20; i++) {
		dnc_pubkey pk;
		dnc_acct a;
		memset(&pk, 40 + (int)i, sizeof pk);
		assert_int_equal(dnc_ledger_add(L, &pk, &a), DNC_OK);
		assert_int_equal(dnc_chain_genesis(c, a, DNC_GEN_SALE, 100 * DNET), DNC_OK);
	}
	/* accounts 2..9 vote for 10..17; 18, 19 carry traffic in window 0 */
	for (i = 2; i < 10; i++)
		assert_int_equal(dnc_ledger_vote(L, i, i + 8, (dn_amount)i * DNET, 0), DNC_OK);
	dnc_ledger_credit_traffic(L, 18, 500, 10, 0);
	dnc_ledger_credit_traffic(L, 19, 100, 1, 0);
	assert_int_equal(dnc_chain_new_epoch(c, 0, &seed, sch), DNC_OK);
	ds = dnc_chain_delegates(c);
	assert_int_equal(ds->n_kind[DNC_SEAT_STAKE], 3);
	assert_int_equal(ds->seat[0].acct, 17);  /* most stake */
	assert_int_equal(ds->n_kind[DNC_SEAT_VOLUME], 2);
	assert_int_equal(ds->seat[3].acct, 18);
	assert_int_equal(ds->seat[4].acct, 19);
	assert_int_equal(ds->n_kind[DNC_SEAT_QUALITY], 0); /* both already seated */
	for (slot = 0; slot < 8; slot++)
		assert_int_equal(dnc_chain_end_block(c, dnc_schedule_seat(sch, slot),
						     (dnc_time_s)slot * 10, NULL), DNC_OK);
	/* height 8: window 1 is the last complete one, where nobody has traffic */
	assert_int_equal(dnc_chain_new_epoch(c, 1, &seed, sch), DNC_OK);
	ds = dnc_chain_delegates(c);
	assert_int_equal(ds->n_kind[DNC_SEAT_VOLUME], 0);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
	test_free(sch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CONS_1_180_delegates),
		cmocka_unit_test(test_R_CONS_2_lambda_split),
		cmocka_unit_test(test_R_CONS_2_seat_rounding),
		cmocka_unit_test(test_R_CONS_3_window_default_and_scored_window),
		cmocka_unit_test(test_R_CONS_3_chain_scores_last_complete_window),
		cmocka_unit_test(test_R_CONS_3_volume_and_quality_seats),
		cmocka_unit_test(test_R_CONS_3_sliding_window),
		cmocka_unit_test(test_R_CONS_5_stake_top_ranked),
		cmocka_unit_test(test_R_CONS_5_chain_epoch_elects_and_schedules),
		cmocka_unit_test(test_R_CONS_6_schedule_is_deterministic_shuffle),
		cmocka_unit_test(test_R_CONS_6_missed_slot_leaves_gap),
	};
	return cmocka_run_group_tests_name("chain_sec2_consensus", tests, NULL, NULL);
}
