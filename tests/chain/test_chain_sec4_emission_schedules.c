/*
 * test_chain_sec4_emission_schedules.c: the block-reward schedules of
 * R-EMIT-1 / R-EMIT-4 (flat, geometric, halving), the schedule length
 * derived from delta (R-EMIT-2) and governance re-tuning of a non-flat
 * schedule. The property tests draw parameters from a fixed-seed PRNG and
 * sum dnc_emission_reward over every height; the seed is printed on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dn_chain.h"

#define DNET DNC_UNITS_PER_DNET

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* uniform in [lo, hi] (the small modulo bias does not matter here) */
static uint64_t draw(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + splitmix(s) % (hi - lo + 1);
}

/* the flat schedule is today's, bit for bit: t, D t, end height and dust */
static void test_R_EMIT_1_flat_schedule_unchanged(void **st)
{
	dnc_params p;
	dnc_emission e, e2;
	const dn_amount E = INT64_C(562500000000000000);
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(p.emission_kind, DNC_EMIT_FLAT);
	assert_true(p.emission_blocks == 0);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_int_equal(e.kind, DNC_EMIT_FLAT);
	assert_true(e.per_delegate == 99093099);
	assert_true(e.block_reward == INT64_C(17836757820));
	assert_true(e.start_height == 0 && e.end_height == UINT64_C(31536000));
	assert_true(dnc_emission_reward(&e, 0, E) == INT64_C(17836757820));
	assert_true(dnc_emission_reward(&e, 12345678, E / 2) == INT64_C(17836757820));
	assert_true(dnc_emission_reward(&e, e.end_height - 2, E) == INT64_C(17836757820));
	/* the last block releases what is left: t D plus the floors' dust */
	assert_true(dnc_emission_reward(&e, e.end_height - 1,
					E - INT64_C(17836757820) * (dn_amount)(e.end_height - 1)) ==
		    INT64_C(23225237820));
	assert_true(dnc_emission_reward(&e, e.end_height, E) == 0);
	assert_true(dnc_emission_reward(&e, 5, 7) == 7);  /* never more than is left */
	assert_true(dnc_emission_released_by(&e, e.end_height) == E);
	/* giving the same length in blocks is the same schedule */
	p.emission_blocks = UINT64_C(31536000);
	assert_int_equal(dnc_emission_init(&p, &e2), DNC_OK);
	assert_memory_equal(&e, &e2, sizeof e);
	/* the non-flat parameters do not touch the flat schedule */
	p.emission_blocks = 0;
	p.emission_decay_ppm = 123;
	p.emission_halving_years = 1;
	assert_int_equal(dnc_emission_init(&p, &e2), DNC_OK);
	assert_memory_equal(&e, &e2, sizeof e);
}

/*
 * R-EMIT-1 / R-EMIT-4 property: for random supply, E0, years, kind, decay,
 * halving period, block interval, delegates and length, the sum of the
 * reward over every height is exactly the emission, the running sum never
 * exceeds it, it matches the closed form at every height, a non-flat
 * schedule's reward is never cut by the cap, and nothing is paid from the
 * end height on.
 */
static void test_R_EMIT_1_R_EMIT_4_every_schedule_mints_exactly_the_emission(void **st)
{
	uint64_t seed = UINT64_C(0xD1E7C0DE), s = seed;
	uint32_t run, kinds_seen[3] = {0, 0, 0};
	(void)st;
	for (run = 0; run < 300; run++) {
		dnc_params p;
		dnc_allocation a;
		dnc_emission e;
		dn_amount sum = 0;
		uint64_t h, bpy;
		dnc_params_default(&p);
		p.supply_base = (dn_amount)draw(&s, 1, UINT64_C(750000000000000000));
		p.alpha_ppm = (uint32_t)draw(&s, 0, 400000);
		p.beta_ppm = (uint32_t)draw(&s, 0, 400000);
		p.gamma_ppm = (uint32_t)draw(&s, 0, 200000);
		p.emission_years = (uint32_t)draw(&s, 1, 50);
		p.block_interval_s = 365u * 86400u / (uint32_t)draw(&s, 1, 40);
		p.delegates = (uint32_t)draw(&s, 1, 400);
		p.emission_kind = (dnc_emit_kind)draw(&s, 0, 2);
		p.emission_decay_ppm = (uint32_t)draw(&s, 1, 1000000);
		if (draw(&s, 0, 3) == 0)
			p.emission_decay_ppm = (uint32_t)draw(&s, 990000, 1000000);
		p.emission_halving_years = (uint32_t)draw(&s, 1, 12);
		bpy = dnc_blocks_per_year(p.block_interval_s);
		if (draw(&s, 0, 3) == 0)   /* a length that is not whole years */
			p.emission_blocks = draw(&s, 1, bpy * p.emission_years);
		kinds_seen[p.emission_kind]++;
		if (dnc_params_check(&p) != DNC_OK) {
			print_message("seed %llu run %u: params refused\n",
				      (unsigned long long)seed, run);
			fail();
		}
		assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
		assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
		assert_int_equal(e.kind, p.emission_kind);
		assert_true(e.end_height ==
			    (p.emission_blocks ? p.emission_blocks : bpy * p.emission_years));
		for (h = 0; h < e.end_height + 3; h++) {
			dn_amount r = dnc_emission_reward(&e, h, a.emission - sum);
			if (r < 0 || sum + r > a.emission || (h >= e.end_height && r != 0) ||
			    (e.kind != DNC_EMIT_FLAT && h < e.end_height &&
			     r != dnc_emission_reward(&e, h, DNC_AMOUNT_MAX))) {
				print_message("seed %llu run %u kind %u height %llu: reward %lld, "
					      "sum %lld of %lld\n", (unsigned long long)seed, run,
					      e.kind, (unsigned long long)h, (long long)r,
					      (long long)sum, (long long)a.emission);
				fail();
			}
			sum += r;
			assert_true(dnc_emission_released_by(&e, h + 1) == sum);
			assert_true(dnc_emission_reward(&e, h, 1) <= 1);  /* the cap */
		}
		if (sum != a.emission) {
			print_message("seed %llu run %u: minted %lld of %lld\n",
				      (unsigned long long)seed, run, (long long)sum,
				      (long long)a.emission);
			fail();
		}
	}
	assert_true(kinds_seen[0] > 50 && kinds_seen[1] > 50 && kinds_seen[2] > 50);
}

/* geometric at full size: each year is r of the year before, up to floors */
static void test_R_EMIT_1_geometric_years_decay_by_r(void **st)
{
	dnc_params p;
	dnc_allocation a;
	dnc_emission e;
	uint64_t k, y;
	dn_amount prev = 0, sum = 0;
	(void)st;
	dnc_params_default(&p);
	p.emission_kind = DNC_EMIT_GEOMETRIC;
	p.emission_decay_ppm = 800000;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	y = e.blocks_per_year;
	assert_int_equal(e.periods, 10);
	for (k = 0; k < 10; k++) {
		dn_amount year = dnc_emission_released_by(&e, (k + 1) * y) -
				 dnc_emission_released_by(&e, k * y);
		/* the year's blocks: base, ..., base, base + dust */
		dn_amount base = dnc_emission_reward(&e, k * y, DNC_AMOUNT_MAX);
		dn_amount last = dnc_emission_reward(&e, (k + 1) * y - 1, DNC_AMOUNT_MAX);
		assert_true(dnc_emission_reward(&e, k * y + y / 2, DNC_AMOUNT_MAX) == base);
		assert_true(year == base * (dn_amount)(y - 1) + last);
		assert_true(last >= base && last - base < (dn_amount)y);
		if (k > 0) {
			/* year / prev = 0.8 to within 1e-9 */
			__int128 d = (__int128)year * 1000000 - (__int128)prev * 800000;
			assert_true(d < (__int128)prev / 1000 && -d < (__int128)prev / 1000);
		}
		prev = year;
		sum += year;
	}
	assert_true(sum == a.emission);
	/* year 0 = E (1 - r) / (1 - r^10) = E * 0.2 / 0.8926258176 */
	assert_true(dnc_emission_released_by(&e, y) / 1000 ==
		    (dn_amount)((__int128)a.emission * 2000000000 / 8926258176) / 1000);
	assert_true(dnc_emission_reward(&e, e.end_height, DNC_AMOUNT_MAX) == 0);
}

/* geometric with a length that is not whole years: the short last year
 * weighs in proportion to its blocks (r n / period_blocks) */
static void test_R_EMIT_1_geometric_short_last_year_prorated(void **st)
{
	dnc_params p;
	dnc_allocation a;
	dnc_emission e;
	dn_amount y0;
	(void)st;
	dnc_params_default(&p);
	p.block_interval_s = 365u * 86400u / 100u;  /* 100 blocks a year */
	p.emission_kind = DNC_EMIT_GEOMETRIC;
	p.emission_decay_ppm = 800000;
	p.emission_blocks = 150;                   /* a year and a half */
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_int_equal(e.periods, 2);
	/* weights 2^56 and floor(floor(2^56 0.8) 50 / 100) ~ 0.4: year 0 gets
	 * about E / 1.4 */
	y0 = dnc_emission_released_by(&e, 100);
	{
		uint64_t w0 = UINT64_C(1) << 56, v1 = w0 / 1000000 * 800000 +
			(w0 % 1000000) * 800000 / 1000000;
		v1 = v1 * 50 / 100;
		assert_true(y0 == (dn_amount)((__int128)a.emission * w0 / (w0 + v1)));
		assert_true(y0 / 1000 == (dn_amount)((__int128)a.emission * 10 / 14) / 1000);
	}
	assert_true(dnc_emission_released_by(&e, 150) - y0 == a.emission - y0);
	/* per block the half year pays 0.8 of year 0's */
	assert_true(dnc_emission_reward(&e, 100, DNC_AMOUNT_MAX) ==
		    (a.emission - y0) / 50);
}

/* halving at full size: the per-block reward halves exactly every period */
static void test_R_EMIT_1_halving_reward_halves_each_period(void **st)
{
	dnc_params p;
	dnc_allocation a;
	dnc_emission e;
	uint64_t k, pb;
	dn_amount sum = 0;
	(void)st;
	dnc_params_default(&p);
	p.emission_kind = DNC_EMIT_HALVING;
	p.emission_years = 20;
	p.emission_halving_years = 4;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	pb = 4 * e.blocks_per_year;
	assert_int_equal(e.periods, 5);
	assert_true(e.period_blocks == pb);
	for (k = 0; k < 5; k++) {
		dn_amount t = dnc_emission_reward(&e, k * pb, DNC_AMOUNT_MAX);
		dn_amount last = dnc_emission_reward(&e, (k + 1) * pb - 1, DNC_AMOUNT_MAX);
		if (k < 4) {
			assert_true(t == e.first_reward >> k);       /* halves */
			assert_true(last == t);                       /* no dust */
		} else {
			assert_true(t >= e.first_reward >> 4);        /* takes what is left */
			assert_true(t <= (e.first_reward >> 4) + 1);
		}
		sum += dnc_emission_released_by(&e, (k + 1) * pb) -
		       dnc_emission_released_by(&e, k * pb);
	}
	assert_true(sum == a.emission);
	/* R_0 is the largest first reward whose halvings fit: R_0 + 1 would not */
	{
		dnc_u128 next = 0;
		for (k = 0; k < 5; k++)
			next += (dnc_u128)pb * (uint64_t)((e.first_reward + 1) >> k);
		/* (R_0 + 1) (1 + 1/2 + ... + 1/16) pb exceeds E, up to the floors */
		assert_true(next + 5 * pb > (dnc_u128)(uint64_t)a.emission);
	}
}

/* R-EMIT-2: the schedule length a delta gives, and back */
static void test_R_EMIT_2_blocks_from_delta(void **st)
{
	dnc_params p;
	dnc_allocation a;
	dnc_emission e;
	uint64_t blocks;
	dn_amount num, den;
	(void)st;
	dnc_params_default(&p);
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	/* delta = E / (L supply) exactly gives L blocks */
	assert_int_equal(dnc_emission_blocks_for_delta(&p, a.emission / DNET, 31536000 * (p.supply_base / DNET),
						       &blocks), DNC_OK);
	assert_true(blocks == UINT64_C(31536000));
	/* the default schedule's own delta: its floors make it last >= 10 years */
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	dnc_emission_delta(&e, p.supply_base, &num, &den);
	assert_int_equal(dnc_emission_blocks_for_delta(&p, num, den, &blocks), DNC_OK);
	assert_true(blocks >= e.end_height && blocks <= e.end_height + 2);
	/* the paper's delta = 2.378e-8: ceil(E / (delta supply)) */
	assert_int_equal(dnc_emission_blocks_for_delta(&p, 2378, INT64_C(100000000000),
						       &blocks), DNC_OK);
	/* E / (delta S) = 0.75 / 2.378e-8 = 31,539,108.494...: ceil */
	assert_true(blocks == UINT64_C(31539109));
	p.emission_blocks = blocks;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_true(e.end_height == blocks);
	/* the block reward is delta supply at most (a floor), never above */
	assert_true((__int128)e.block_reward * INT64_C(100000000000) <=
		    (__int128)2378 * p.supply_base);
	/* within the ceil's and the per-delegate floor's loss: D t = 17,834,999,580 */
	assert_true(e.block_reward == INT64_C(17834999580));
	assert_true(e.block_reward >= 2378 * (p.supply_base / INT64_C(100000000000)) - 1000);
	assert_true(dnc_emission_released_by(&e, e.end_height) == a.emission);
	/* years may then be 0: the length is given in blocks */
	p.emission_years = 0;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	p.emission_blocks = 0;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	dnc_params_default(&p);
	assert_int_equal(dnc_emission_blocks_for_delta(&p, 0, 1, &blocks), DNC_EINVAL);
	assert_int_equal(dnc_emission_blocks_for_delta(&p, 1, -1, &blocks), DNC_EINVAL);
	/* the 128-bit intermediates hold the extremes: ceil(0.75 (2^63 - 1)) */
	assert_int_equal(dnc_emission_blocks_for_delta(&p, 1, DNC_AMOUNT_MAX, &blocks),
			 DNC_OK);
	assert_true(blocks == UINT64_C(6917529027641081856));
}

/* the schedule's parameters are checked */
static void test_R_EMIT_1_schedule_params_checked(void **st)
{
	dnc_params p;
	dnc_emission e;
	(void)st;
	dnc_params_default(&p);
	p.emission_kind = DNC_EMIT_GEOMETRIC;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	p.emission_decay_ppm = 0;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_EINVAL);
	p.emission_decay_ppm = DNC_PPM + 1;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	p.emission_decay_ppm = DNC_PPM;   /* r = 1: equal years, allowed */
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	p.emission_years = 64;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
	p.emission_years = 65;            /* more than DNC_EMIT_MAX_PERIODS years */
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_EINVAL);
	p.emission_kind = DNC_EMIT_HALVING;
	assert_int_equal(dnc_params_check(&p), DNC_OK);  /* 17 periods of 4 years */
	p.emission_halving_years = 0;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	p.emission_kind = (dnc_emit_kind)3;
	assert_int_equal(dnc_params_check(&p), DNC_EINVAL);
	p.emission_kind = DNC_EMIT_FLAT;  /* flat has no period limit */
	p.emission_years = 1000;
	assert_int_equal(dnc_params_check(&p), DNC_OK);
}

/*
 * R-EMIT-4: governance re-tunes a geometric schedule; from the retune
 * height the rest is released flat until the new end, exactly.
 */
static void test_R_EMIT_4_retune_non_flat_releases_rest_flat(void **st)
{
	dnc_params p;
	dnc_allocation a;
	dnc_emission e;
	dn_amount sum = 0, flat;
	uint64_t h;
	(void)st;
	dnc_params_default(&p);
	p.block_interval_s = 365u * 86400u / 12u;  /* 12 blocks a year */
	p.emission_kind = DNC_EMIT_GEOMETRIC;
	p.emission_decay_ppm = 700000;
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	for (h = 0; h < 30; h++)
		sum += dnc_emission_reward(&e, h, a.emission - sum);
	assert_int_equal(dnc_emission_retune(&e, 30, 90, a.emission - sum), DNC_OK);
	assert_int_equal(e.kind, DNC_EMIT_FLAT);
	assert_true(e.start_height == 30 && e.end_height == 90);
	flat = e.block_reward;
	assert_true(flat == (a.emission - sum) / 60 / 180 * 180);
	for (h = 30; h < 95; h++) {
		dn_amount r = dnc_emission_reward(&e, h, a.emission - sum);
		if (h < 89)
			assert_true(r == flat);
		if (h >= 90)
			assert_true(r == 0);
		sum += r;
		assert_true(sum <= a.emission);
	}
	assert_true(sum == a.emission);
}

/* the chain mints exactly the emission of a halving schedule, then nothing */
static void test_R_EMIT_4_chain_halving_never_past_supply(void **st)
{
	dnc_params p;
	dnc_sigscheme s;
	dnc_chain *c;
	dnc_chain_limits lim = { 16, 8, 8 };
	dnc_delegate_set ds;
	dnc_block_summary sum;
	dnc_allocation a;
	dnc_pubkey pk[2];
	uint8_t sk[DNC_SK_BYTES], seed[32] = {7};
	dnc_emission e;
	uint32_t h, i;
	(void)st;
	dnc_params_default(&p);
	p.block_interval_s = 365u * 86400u / 5u;  /* 5 blocks a year */
	p.emission_years = 7;
	p.emission_kind = DNC_EMIT_HALVING;
	p.emission_halving_years = 2;              /* periods of 10, 10, 10, 5 */
	assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
	assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
	assert_int_equal(dnc_sig_init_ed25519(&s), DNC_OK);
	for (i = 0; i < 2; i++) {
		seed[1] = (uint8_t)i;
		assert_int_equal(dnc_sig_keypair(&s, seed, &pk[i], sk), DNC_OK);
	}
	assert_int_equal(dnc_chain_create(&p, &s, &lim, &pk[0], &c), DNC_OK);
	memset(&ds, 0, sizeof ds);
	assert_int_equal(dnc_ledger_add(dnc_chain_ledger(c), &pk[1], &ds.seat[0].acct), DNC_OK);
	ds.n = 1;
	ds.n_kind[DNC_SEAT_STAKE] = 1;
	ds.seat[0].kind = DNC_SEAT_STAKE;
	ds.seat[0].score = 1;
	assert_int_equal(dnc_chain_set_delegates(c, &ds), DNC_OK);
	for (h = 0; h < 40; h++) {
		assert_int_equal(dnc_chain_end_block(c, 0, (dnc_time_s)h, &sum), DNC_OK);
		assert_true(sum.reward == dnc_emission_reward(&e, h, DNC_AMOUNT_MAX) ||
			    h >= 35);
		assert_true(sum.minted_total == dnc_emission_released_by(&e, h + 1));
	}
	assert_true(sum.minted_total == a.emission);
	assert_true(sum.reward == 0);
	assert_int_equal(dnc_chain_check(c), DNC_OK);
	dnc_chain_destroy(c);
}

/*
 * R-GOV-2 projection on a non-flat schedule: the crossing height equals a
 * block-by-block walk of the same rewards.
 */
static void test_R_GOV_2_crossing_on_non_flat_schedules(void **st)
{
	uint32_t kind;
	(void)st;
	for (kind = DNC_EMIT_FLAT; kind <= DNC_EMIT_HALVING; kind++) {
		dnc_params p;
		dnc_allocation a;
		dnc_emission e;
		uint64_t h, got, want = 0;
		__int128 held, all;
		dnc_params_default(&p);
		p.block_interval_s = 365u * 86400u / 50u;  /* 50 blocks a year */
		p.emission_kind = (dnc_emit_kind)kind;
		p.emission_decay_ppm = 750000;
		p.emission_halving_years = 3;
		assert_int_equal(dnc_allocation_compute(&p, &a), DNC_OK);
		assert_int_equal(dnc_emission_init(&p, &e), DNC_OK);
		held = a.initial;
		all = a.initial;
		for (h = 0; h < e.end_height && !want; h++) {
			dn_amount r = dnc_emission_reward(&e, h, DNC_AMOUNT_MAX), rt;
			if (kind == DNC_EMIT_FLAT && h + 1 == e.end_height)
				r = a.emission - dnc_emission_released_by(&e, h);
			assert_int_equal(dnc_ppm_of(r, 600000, &rt), DNC_OK);
			held += r - rt;
			all += r;
			if (held * p.gov_den <= all * p.gov_num)
				want = h + 1;
		}
		assert_true(want > 0);
		assert_int_equal(dnc_gov_crossing_height(&p, 600000, &got), DNC_OK);
		assert_true(got == want);
		/* nobody but the initial holders earns: never */
		assert_int_equal(dnc_gov_crossing_height(&p, 0, &got), DNC_ENOTFOUND);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_R_EMIT_1_flat_schedule_unchanged),
		cmocka_unit_test(test_R_EMIT_1_R_EMIT_4_every_schedule_mints_exactly_the_emission),
		cmocka_unit_test(test_R_EMIT_1_geometric_years_decay_by_r),
		cmocka_unit_test(test_R_EMIT_1_geometric_short_last_year_prorated),
		cmocka_unit_test(test_R_EMIT_1_halving_reward_halves_each_period),
		cmocka_unit_test(test_R_EMIT_2_blocks_from_delta),
		cmocka_unit_test(test_R_EMIT_1_schedule_params_checked),
		cmocka_unit_test(test_R_EMIT_4_retune_non_flat_releases_rest_flat),
		cmocka_unit_test(test_R_EMIT_4_chain_halving_never_past_supply),
		cmocka_unit_test(test_R_GOV_2_crossing_on_non_flat_schedules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
