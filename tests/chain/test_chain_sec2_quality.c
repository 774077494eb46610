/*
 * test_chain_sec2_quality.c: R-CONS-3's quality score, "low price, low
 * loss, stability": the three ingredients the ledger keeps per window, the
 * weights that mix them at election, and that a price-only weighting is
 * exactly the election from before the other ingredients existed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET
#define W 40u   /* the score window the tests elect with */

#include "ledger_fixture.h"

static dnc_ledger *mk_ledger(uint32_t n, dn_amount each)
{
	return mk_ledger_keyed(n, each, 77);
}

/* traffic of `units` at `price` in each of the `streak` windows ending
 * with W, and sessions settled in W: `settled` of `bought` units */
static void candidate(dnc_ledger *L, dnc_acct a, dn_amount price, uint64_t units,
		      uint64_t settled, uint64_t bought, uint32_t streak)
{
	uint64_t w;
	for (w = W + 1 - streak; w <= W; w++)
		dnc_ledger_credit_traffic(L, a, units, price, w);
	if (bought)
		dnc_ledger_credit_settled(L, a, settled, bought, W);
}

/*
 * Three seats, lambda 0: two by volume, one by quality. Accounts 0 and 1
 * carry so much (expensive, lossy) traffic that they take the volume
 * seats, so accounts 2 and 3 compete for the quality seat alone.
 */
static dnc_ledger *arena(dnc_params *p)
{
	dnc_ledger *L = mk_ledger(4, DNET);
	dnc_params_default(p);
	p->delegates = 3;
	p->lambda_ppm = 0;
	candidate(L, 0, 1000000000, 1000000, 0, 1000000, 1);
	candidate(L, 1, 1000000000, 1000000, 0, 1000000, 1);
	return L;
}

/* the account elected to the quality seat */
static dnc_acct quality_winner(const dnc_params *p, const dnc_ledger *L)
{
	dnc_delegate_set *ds = test_malloc(sizeof *ds);
	dnc_acct a;
	assert_int_equal(dnc_params_check(p), DNC_OK);
	assert_int_equal(dnc_elect(p, L, 1, W, ds), DNC_OK);
	assert_int_equal(ds->n_kind[DNC_SEAT_VOLUME], 2);
	assert_int_equal(ds->n_kind[DNC_SEAT_QUALITY], 1);
	assert_int_equal(ds->seat[2].kind, DNC_SEAT_QUALITY);
	a = ds->seat[2].acct;
	test_free(ds);
	return a;
}

/* the mixed score of a, totals over every account, as the election does */
static uint64_t mixed(const dnc_params *p, const dnc_ledger *L, dnc_acct a)
{
	dnc_quality_total t;
	dnc_quality q, mine;
	uint32_t i;
	memset(&t, 0, sizeof t);
	for (i = 0; i < dnc_ledger_count(L); i++) {
		dnc_ledger_quality_score(L, i, W, &q);
		t.price += q.price;
		t.loss += q.loss;
		t.stability += q.stability;
	}
	dnc_ledger_quality_score(L, a, W, &mine);
	return dnc_quality_mix(p, &mine, &t);
}

static void test_R_CONS_3_quality_weights_default_and_checked(void **st)
{
	dnc_params p;
	(void)st;
	dnc_params_default(&p);
	/* the paper names the ingredients without weights: a third each */
	assert_int_equal(p.quality_price_ppm, 333334);
	assert_int_equal(p.quality_loss_ppm, 333333);
	assert_int_equal(p.quality_stability_ppm, 333333);
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	p.quality_price_ppm = 333333;             /* adds up to 999,999 */
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	p.quality_price_ppm = 333335;             /* 1,000,001 */
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	p.quality_price_ppm = UINT32_MAX;         /* no 32-bit wrap-around */
	p.quality_loss_ppm = 1000001;
	p.quality_stability_ppm = 0;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	p.quality_price_ppm = 0;
	p.quality_loss_ppm = 0;
	p.quality_stability_ppm = 1000000;        /* one ingredient alone: fine */
	assert_int_equal(dnc_params_check(&p), DNC_OK);
}

/* the ingredients the ledger keeps: price, loss (delivered share), streak */
static void test_R_CONS_3_quality_ingredients(void **st)
{
	dnc_ledger *L = mk_ledger(2, DNET);
	dnc_quality q;
	uint32_t w;
	(void)st;
	dnc_ledger_credit_traffic(L, 0, 100, 50, 7);
	dnc_ledger_credit_settled(L, 0, 30, 40, 7);
	dnc_ledger_credit_settled(L, 0, 50, 60, 7);
	dnc_ledger_quality_score(L, 0, 7, &q);
	assert_true(q.price == 100 * (uint64_t)DNET / 50);
	assert_true(q.loss == 80 * 80 / 100);     /* 80 of 100 bought: 64 */
	assert_true(q.stability == 100 * 1);      /* first window with traffic */
	/* a settlement that does not make sense is ignored */
	dnc_ledger_credit_settled(L, 0, 5, 4, 7);
	dnc_ledger_credit_settled(L, 0, 0, 0, 7);
	dnc_ledger_quality_score(L, 0, 7, &q);
	assert_true(q.loss == 64);
	/* consecutive windows with traffic lengthen the streak, up to the cap */
	for (w = 8; w < 8 + DNC_QUAL_STREAK_CAP + 5; w++)
		dnc_ledger_credit_traffic(L, 0, 10, 50, w);
	dnc_ledger_quality_score(L, 0, 9, &q);
	assert_true(q.stability == 0);            /* slid out */
	dnc_ledger_quality_score(L, 0, 8 + DNC_QUAL_STREAK_CAP + 3, &q);
	assert_true(q.stability == 10 * DNC_QUAL_STREAK_CAP);
	assert_true(q.loss == 0);                 /* nothing settled there */
	/* a window without traffic breaks the streak */
	dnc_ledger_credit_traffic(L, 0, 10, 50, 8 + DNC_QUAL_STREAK_CAP + 6);
	dnc_ledger_quality_score(L, 0, 8 + DNC_QUAL_STREAK_CAP + 6, &q);
	assert_true(q.stability == 10);
	/* a settlement alone does not start a streak; traffic later does */
	dnc_ledger_credit_settled(L, 1, 10, 10, 3);
	dnc_ledger_credit_traffic(L, 1, 10, 50, 4);
	dnc_ledger_quality_score(L, 1, 4, &q);
	assert_true(q.stability == 10);
	dnc_ledger_quality_score(L, 1, 3, &q);
	assert_true(q.loss == 10 && q.stability == 0 && q.price == 0);
	dnc_ledger_destroy(L);
}

/* cheaper, everything else equal: higher quality score, the seat */
static void test_R_CONS_3_cheaper_wins_quality_seat(void **st)
{
	uint32_t swap;
	(void)st;
	for (swap = 0; swap < 2; swap++) {
		dnc_params p;
		dnc_ledger *L = arena(&p);
		dnc_acct a = 2 + swap, b = 3 - swap;
		candidate(L, a, 10, 1000, 800, 1000, 2);
		candidate(L, b, 20, 1000, 800, 1000, 2);
		assert_true(mixed(&p, L, a) > mixed(&p, L, b));
		assert_int_equal(quality_winner(&p, L), a);
		dnc_ledger_destroy(L);
	}
}

/* a larger delivered share of its sessions' deposits wins */
static void test_R_CONS_3_lower_loss_wins_quality_seat(void **st)
{
	uint32_t swap;
	(void)st;
	for (swap = 0; swap < 2; swap++) {
		dnc_params p;
		dnc_ledger *L = arena(&p);
		dnc_acct a = 2 + swap, b = 3 - swap;
		candidate(L, a, 10, 1000, 1000, 1000, 2);
		candidate(L, b, 10, 1000, 1000, 2000, 2);  /* half delivered */
		assert_true(mixed(&p, L, a) > mixed(&p, L, b));
		assert_int_equal(quality_winner(&p, L), a);
		dnc_ledger_destroy(L);
	}
}

/* more consecutive windows with traffic wins; beyond the cap it is a tie */
static void test_R_CONS_3_more_stable_wins_quality_seat(void **st)
{
	uint32_t swap;
	(void)st;
	for (swap = 0; swap < 2; swap++) {
		dnc_params p;
		dnc_ledger *L = arena(&p);
		dnc_acct a = 2 + swap, b = 3 - swap;
		candidate(L, a, 10, 1000, 900, 1000, 5);
		candidate(L, b, 10, 1000, 900, 1000, 1);
		assert_true(mixed(&p, L, a) > mixed(&p, L, b));
		assert_int_equal(quality_winner(&p, L), a);
		dnc_ledger_destroy(L);
	}
	{
		dnc_params p;
		dnc_ledger *L = arena(&p);
		candidate(L, 2, 10, 1000, 900, 1000, DNC_QUAL_STREAK_CAP + 8);
		candidate(L, 3, 10, 1000, 900, 1000, DNC_QUAL_STREAK_CAP);
		assert_true(mixed(&p, L, 2) == mixed(&p, L, 3));
		dnc_ledger_destroy(L);
	}
}

/* the weights move the winner between a cheap lossy and a dear clean one */
static void test_R_CONS_3_weights_move_the_winner(void **st)
{
	dnc_params p;
	dnc_ledger *L = arena(&p);
	(void)st;
	candidate(L, 2, 10, 1000, 200, 1000, 3);   /* cheap, 20 % delivered */
	candidate(L, 3, 20, 1000, 1000, 1000, 3);  /* twice the price, all delivered */
	p.quality_price_ppm = 800000;
	p.quality_loss_ppm = 100000;
	p.quality_stability_ppm = 100000;
	assert_int_equal(quality_winner(&p, L), 2);
	p.quality_price_ppm = 100000;
	p.quality_loss_ppm = 800000;
	assert_int_equal(quality_winner(&p, L), 3);
	dnc_params_default(&p);                    /* a third each */
	p.delegates = 3;
	p.lambda_ppm = 0;
	assert_int_equal(quality_winner(&p, L), 3);
	p.quality_price_ppm = 1000000;             /* price alone */
	p.quality_loss_ppm = 0;
	p.quality_stability_ppm = 0;
	assert_int_equal(quality_winner(&p, L), 2);
	dnc_ledger_destroy(L);
}

/* the mix: shares of each ingredient's total, weighted, in 2^-32 ppm */
static void test_R_CONS_3_quality_mix_normalises(void **st)
{
	dnc_params p;
	dnc_quality x = { 5, 30, 0 };
	dnc_quality_total t = { 10, 40, 7 };
	(void)st;
	dnc_params_default(&p);
	p.quality_price_ppm = 500000;
	p.quality_loss_ppm = 250000;
	p.quality_stability_ppm = 250000;
	/* 0.5 * 5/10 + 0.25 * 30/40 + 0 = 0.4375 */
	assert_true(dnc_quality_mix(&p, &x, &t) == (UINT64_C(437500) << 32));
	/* everything of every ingredient: the whole 10^6 */
	x.price = 10;
	x.loss = 40;
	x.stability = 7;
	assert_true(dnc_quality_mix(&p, &x, &t) == ((uint64_t)DNC_PPM << 32));
	/* an ingredient nobody has adds nothing */
	t.stability = 0;
	x.stability = 0;
	assert_true(dnc_quality_mix(&p, &x, &t) == (UINT64_C(750000) << 32));
	/* one weight alone: the ingredient itself */
	p.quality_price_ppm = 0;
	p.quality_loss_ppm = 1000000;
	p.quality_stability_ppm = 0;
	assert_true(dnc_quality_mix(&p, &x, &t) == 40);
}

typedef struct ranked { uint64_t q; dnc_acct a; const uint8_t *pk; } ranked;

static int by_score_then_pk(const void *x, const void *y)
{
	const ranked *a = x, *b = y;
	if (a->q != b->q)
		return a->q > b->q ? -1 : 1;
	return memcmp(a->pk, b->pk, DNC_PK_BYTES);
}

/*
 * Weights (10^6, 0, 0): the quality seats are exactly the election from
 * before loss and stability existed: the highest cheapness-weighted units
 * (dnc_ledger_traffic_score's quality) not already seated, ties to the
 * lower key, with that very score on the seat.
 */
static void test_R_CONS_3_price_only_weights_equal_old_election(void **st)
{
	enum { N = 400 };
	dnc_ledger *L = mk_ledger(N, 100 * DNET);
	dnc_delegate_set *ds = test_malloc(sizeof *ds);
	ranked *r = test_malloc(N * sizeof *r);
	uint64_t s = 2026;
	uint32_t i, j, n = 0, run;
	(void)st;
	for (i = 0; i < N; i++) {
		uint64_t w;
		if (sm_next(&s) % 3 == 0)
			continue;
		/* some traffic in the windows before W, some in W, some ties */
		for (w = W - 2; w <= W; w++)
			if (sm_next(&s) % 2)
				dnc_ledger_credit_traffic(L, i, 1 + sm_next(&s) % 5000,
							  (dn_amount)(1 + sm_next(&s) % 4), w);
		if (sm_next(&s) % 2) {
			uint64_t b = 1 + sm_next(&s) % 1000;
			dnc_ledger_credit_settled(L, i, sm_next(&s) % (b + 1), b, W);
		}
	}
	for (i = 0; i < 60; i++)
		assert_int_equal(dnc_ledger_vote(L, 300 + i, (dnc_acct)(sm_next(&s) % N),
						 (dn_amount)(1 + sm_next(&s) % 50) * DNET, 0), DNC_OK);
	for (run = 0; run < 3; run++) {
		dnc_params p;
		dnc_params_default(&p);
		p.quality_price_ppm = 1000000;
		p.quality_loss_ppm = 0;
		p.quality_stability_ppm = 0;
		p.delegates = run == 0 ? 180 : run == 1 ? 61 : 7;
		p.lambda_ppm = run == 2 ? 0 : 333333;
		assert_int_equal(dnc_params_check(&p), DNC_OK);
		assert_int_equal(dnc_elect(&p, L, 1, W, ds), DNC_OK);
		/* the reference: everyone not seated by stake or volume */
		n = 0;
		for (i = 0; i < N; i++) {
			uint64_t vol, q;
			int seated = 0;
			for (j = 0; j < ds->n; j++)
				if (ds->seat[j].kind != DNC_SEAT_QUALITY && ds->seat[j].acct == i)
					seated = 1;
			dnc_ledger_traffic_score(L, i, W, &vol, &q);
			if (seated || q == 0)
				continue;
			r[n].q = q;
			r[n].a = i;
			r[n].pk = dnc_ledger_pk(L, i)->b;
			n++;
		}
		qsort(r, n, sizeof *r, by_score_then_pk);
		{
			uint32_t base = ds->n_kind[DNC_SEAT_STAKE] + ds->n_kind[DNC_SEAT_VOLUME];
			uint32_t quota[DNC_SEAT_KINDS];
			dnc_seat_quota(&p, quota);
			assert_int_equal(ds->n_kind[DNC_SEAT_QUALITY],
					 n < quota[DNC_SEAT_QUALITY] ? n : quota[DNC_SEAT_QUALITY]);
			assert_true(ds->n_kind[DNC_SEAT_QUALITY] > 0);
			for (j = 0; j < ds->n_kind[DNC_SEAT_QUALITY]; j++) {
				assert_int_equal(ds->seat[base + j].kind, DNC_SEAT_QUALITY);
				assert_int_equal(ds->seat[base + j].acct, r[j].a);
				assert_true(ds->seat[base + j].score == r[j].q);
			}
		}
	}
	test_free(r);
	test_free(ds);
	dnc_ledger_destroy(L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_CONS_3_quality_weights_default_and_checked),
		cmocka_unit_test(test_R_CONS_3_quality_ingredients),
		cmocka_unit_test(test_R_CONS_3_cheaper_wins_quality_seat),
		cmocka_unit_test(test_R_CONS_3_lower_loss_wins_quality_seat),
		cmocka_unit_test(test_R_CONS_3_more_stable_wins_quality_seat),
		cmocka_unit_test(test_R_CONS_3_weights_move_the_winner),
		cmocka_unit_test(test_R_CONS_3_quality_mix_normalises),
		cmocka_unit_test(test_R_CONS_3_price_only_weights_equal_old_election),
	};
	return cmocka_run_group_tests_name("chain_sec2_quality", tests, NULL, NULL);
}
