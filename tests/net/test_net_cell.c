/*
 * test_net_cell.c: properties of the 5G cell flow model and the link table:
 * monotone in distance and load, capacity conserved among users, demand
 * caps honoured, range shrinking with frequency, interference, resource
 * block groups (the band's usable part, round robin's idle groups), exact
 * bit integration over any split of time, determinism, argument errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "dn_net.h"

static dn_net_calib calib(void)
{
	dn_net_calib k = {0};
	k.version = 1;
	k.cell_se_scale = 0.6;
	k.cell_se_max_bps_hz = 5.5;
	k.cell_sinr_min_db = -6;
	k.cell_base_delay_s = 0.005;
	k.cell_queue_bits = 80000;
	return k;
}

static dn_net_cell *mkcell(dn_net_sched sched, uint32_t cap, bool shadow)
{
	dn_net_cell_cfg cfg;
	dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, 3.5);
	cfg.sched = sched;
	cfg.shadowing = shadow;
	dn_net_calib k = calib();
	dn_net_cell *c = NULL;
	assert_int_equal(dn_net_cell_new(&cfg, &k, cap, NULL, 0, 7, 3, &c), DN_OK);
	return c;
}

static void test_links(void **st)
{
	(void)st;
	for (int i = 0; i < DN_NET_LINK_COUNT; i++) {
		const dn_net_link_info *l = dn_net_link((dn_net_link_kind)i);
		assert_non_null(l);
		assert_true(l->down_bps > 0 && l->up_bps > 0 && l->latency_ns > 0);
		assert_true(l->loss >= 0 && l->loss < 1 && l->availability > 0.9 && l->availability <= 1);
		assert_true(strlen(l->source) > 10);
		dn_net_link_kind k;
		assert_int_equal(dn_net_link_find(l->name, &k), DN_OK);
		assert_int_equal(k, i);
	}
	assert_null(dn_net_link(DN_NET_LINK_COUNT));
	dn_net_link_kind k;
	assert_int_equal(dn_net_link_find("carrier-pigeon", &k), DN_EUNKNOWN);
	/* rules §7 figures */
	assert_int_equal(dn_net_link(DN_NET_LINK_DIALUP)->down_bps, 56000);
	assert_int_equal(dn_net_link(DN_NET_LINK_ISDN)->down_bps, 128000);
	assert_int_equal(dn_net_link(DN_NET_LINK_VDSL2)->down_bps, 100000000);
	assert_int_equal(dn_net_link(DN_NET_LINK_VSAT)->down_bps, 1000000);
}

static void test_pathloss_monotone(void **st)
{
	(void)st;
	for (int sc = 0; sc < 2; sc++)
		for (int los = 0; los < 2; los++) {
			double prev = 0;
			for (double d = 10; d < 2000; d *= 1.1) {
				double pl = dn_net_pathloss_db((dn_net_pl_scenario)sc, 3.5, d, 10, 1.5, los);
				assert_true(pl >= prev);
				prev = pl;
				/* NLOS never beats LOS */
				assert_true(dn_net_pathloss_db((dn_net_pl_scenario)sc, 3.5, d, 10, 1.5, false) >=
					    dn_net_pathloss_db((dn_net_pl_scenario)sc, 3.5, d, 10, 1.5, true) - 1e-9);
			}
		}
	/* TR 38.901 UMi LOS at 100 m, 3.5 GHz, 10/1.5 m: 32.4 + 21 log10(d3D) + 20 log10(3.5) */
	const double d3 = sqrt(100.0 * 100.0 + 8.5 * 8.5);
	assert_true(fabs(dn_net_pathloss_db(DN_NET_UMI, 3.5, 100, 10, 1.5, true) -
			 (32.4 + 21 * log10(d3) + 20 * log10(3.5))) < 1e-9);
	assert_true(dn_net_los_prob(DN_NET_UMI, 10, 1.5) == 1.0);
	assert_true(dn_net_los_prob(DN_NET_UMI, 200, 1.5) < dn_net_los_prob(DN_NET_UMI, 50, 1.5));
}

static void test_range_shrinks_with_frequency(void **st)
{
	(void)st;
	dn_net_calib k = calib();
	const double bands[] = {3.5, 4.9, 26, 28, 40};
	double prev = INFINITY;
	for (int i = 0; i < 5; i++) {
		dn_net_cell_cfg cfg;
		dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, bands[i]);
		cfg.bandwidth_hz = 100e6;
		double r = dn_net_cell_range_m(&cfg, &k);
		assert_true(r < prev);
		prev = r;
	}
	/* smaller cells reach less far */
	dn_net_cell_cfg a, b, c;
	dn_net_cell_cfg_default(&a, DN_NET_MICRO, 3.5);
	dn_net_cell_cfg_default(&b, DN_NET_PICO, 3.5);
	dn_net_cell_cfg_default(&c, DN_NET_FEMTO, 3.5);
	assert_true(dn_net_cell_range_m(&a, &k) > dn_net_cell_range_m(&b, &k));
	assert_true(dn_net_cell_range_m(&b, &k) > dn_net_cell_range_m(&c, &k));
}

static void test_monotone_in_distance(void **st)
{
	(void)st;
	dn_net_cell *c = mkcell(DN_NET_SCHED_PF, 1, false);
	double prev = INFINITY;
	for (double d = 10; d < 3000; d *= 1.15) {
		assert_int_equal(dn_net_cell_place(c, 0, 0, d, 0), DN_OK);
		assert_int_equal(dn_net_cell_set_channel(c, 0, true, 0), DN_OK);
		assert_int_equal(dn_net_cell_start(c, 0, 0, 0), DN_OK);
		dn_net_user_stat u;
		assert_int_equal(dn_net_cell_user(c, 0, &u), DN_OK);
		assert_true(u.rate_bps <= prev);
		prev = u.rate_bps;
	}
	assert_true(prev == 0); /* beyond range */
	dn_net_cell_free(c);
}

static void test_monotone_in_load_and_conserved(void **st)
{
	(void)st;
	for (int sched = 0; sched < 2; sched++) {
		const uint32_t N = 40;
		dn_net_cell *c = mkcell((dn_net_sched)sched, N, true);
		double x[40], y[40];
		assert_int_equal(dn_net_layout_disc(N, 200, 11, x, y), DN_OK);
		for (uint32_t i = 0; i < N; i++)
			assert_int_equal(dn_net_cell_place(c, 0, i, x[i], y[i]), DN_OK);
		double prev0 = INFINITY;
		for (uint32_t n = 1; n <= N; n++) {
			assert_int_equal(dn_net_cell_start(c, 0, n - 1, 0), DN_OK);
			dn_net_user_stat u0;
			assert_int_equal(dn_net_cell_user(c, 0, &u0), DN_OK);
			assert_true(u0.rate_bps <= prev0);
			prev0 = u0.rate_bps;
			/* time shares sum to at most 1, and to what the scheduler
			 * hands out when someone is served (round robin leaves
			 * groups idle) */
			double share = 0;
			int served = 0;
			for (uint32_t i = 0; i < n; i++) {
				dn_net_user_stat u;
				assert_int_equal(dn_net_cell_user(c, i, &u), DN_OK);
				assert_true(u.rate_bps <= u.peak_bps + 1e-6);
				if (u.peak_bps > 0) {
					share += u.rate_bps / u.peak_bps;
					served++;
				}
			}
			assert_true(dn_net_cell_airtime(c) <= 1.0 + 1e-12);
			if (served)
				assert_true(fabs(share - dn_net_cell_sched_use((dn_net_sched)sched, 20e6,
									       (uint32_t)served)) < 1e-3);
		}
		dn_net_cell_free(c);
	}
}

static void test_demand_cap(void **st)
{
	(void)st;
	dn_net_cell *c = mkcell(DN_NET_SCHED_RR, 3, false);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(dn_net_cell_place(c, 0, i, 50 + 20 * i, 0), DN_OK);
		assert_int_equal(dn_net_cell_set_channel(c, i, true, 0), DN_OK);
	}
	assert_int_equal(dn_net_cell_start(c, 0, 0, 1e6), DN_OK); /* 1 Mbit/s */
	assert_int_equal(dn_net_cell_start(c, 0, 1, 0), DN_OK);
	assert_int_equal(dn_net_cell_start(c, 0, 2, 0), DN_OK);
	dn_net_user_stat a, b, d;
	assert_int_equal(dn_net_cell_user(c, 0, &a), DN_OK);
	assert_int_equal(dn_net_cell_user(c, 1, &b), DN_OK);
	assert_int_equal(dn_net_cell_user(c, 2, &d), DN_OK);
	assert_true(fabs(a.rate_bps - 1e6) <= 1.0);
	/* the rest of round robin's time (3 users take 24 of 25 groups) is
	 * split equally between the two saturating users */
	const double left = dn_net_cell_sched_use(DN_NET_SCHED_RR, 20e6, 3) - 1e6 / a.peak_bps;
	assert_true(fabs(left - (24.0 / 25.0 - 1e6 / a.peak_bps)) < 1e-12);
	assert_true(fabs(b.rate_bps / b.peak_bps - left / 2) < 1e-6);
	assert_true(fabs(d.rate_bps / d.peak_bps - left / 2) < 1e-6);
	/* delay: a demand-limited flow sees one packet's service, a saturated one the queue */
	assert_true(fabs(a.delay_s - (0.005 + 8192.0 / a.rate_bps)) < 1e-9);
	assert_true(fabs(b.delay_s - (0.005 + 80000.0 / b.rate_bps)) < 1e-9);
	dn_net_cell_free(c);
}

static void test_interference_and_pf(void **st)
{
	(void)st;
	dn_net_cell_cfg cfg;
	dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, 3.5);
	cfg.shadowing = false;
	cfg.neighbour_load = 1.0;
	dn_net_calib k = calib();
	dn_net_neighbour nb = {200, 0, 33};
	dn_net_cell *a = NULL, *b = NULL;
	assert_int_equal(dn_net_cell_new(&cfg, &k, 1, NULL, 0, 1, 0, &a), DN_OK);
	assert_int_equal(dn_net_cell_new(&cfg, &k, 1, &nb, 1, 1, 0, &b), DN_OK);
	assert_int_equal(dn_net_cell_place(a, 0, 0, 100, 0), DN_OK);
	assert_int_equal(dn_net_cell_place(b, 0, 0, 100, 0), DN_OK);
	dn_net_user_stat ua, ub;
	assert_int_equal(dn_net_cell_user(a, 0, &ua), DN_OK);
	assert_int_equal(dn_net_cell_user(b, 0, &ub), DN_OK);
	assert_true(ub.sinr_db < ua.sinr_db - 3);
	dn_net_cell_free(a);
	dn_net_cell_free(b);
	/* PF with fast fading gains multi-user diversity over RR */
	double tot[2];
	for (int s = 0; s < 2; s++) {
		cfg.neighbour_load = 0.5;
		cfg.fast_fading = true;
		cfg.sched = (dn_net_sched)s;
		dn_net_cell *c = NULL;
		assert_int_equal(dn_net_cell_new(&cfg, &k, 10, NULL, 0, 1, 0, &c), DN_OK);
		for (uint32_t i = 0; i < 10; i++) {
			assert_int_equal(dn_net_cell_place(c, 0, i, 150 + 10 * i, 30), DN_OK);
			assert_int_equal(dn_net_cell_start(c, 0, i, 0), DN_OK);
		}
		tot[s] = dn_net_cell_total_bps(c);
		dn_net_cell_free(c);
	}
	assert_true(tot[DN_NET_SCHED_PF] > tot[DN_NET_SCHED_RR]);
}

static void test_rb_groups(void **st)
{
	(void)st;
	/* 0.9 B / 180 kHz blocks in groups of 2, 3, 4 (TS 36.213 Table 7.1.6.1-1) */
	assert_true(fabs(dn_net_cell_rb_use(5e6) - 24.0 / 25.0) < 1e-12);
	assert_true(fabs(dn_net_cell_rb_use(10e6) - 48.0 / 50.0) < 1e-12);
	assert_true(fabs(dn_net_cell_rb_use(3e6) - 14.0 / 15.0) < 1e-12);
	assert_true(dn_net_cell_rb_use(20e6) == 1.0);
	assert_true(dn_net_cell_rb_use(1.4e6) == 1.0); /* 7 blocks, groups of 1 */
	assert_true(dn_net_cell_rb_use(100e6) == 1.0);
	/* a lone user's peak is the used part of the band at the calibrated efficiency */
	dn_net_calib k = calib();
	for (int i = 0; i < 3; i++) {
		dn_net_cell_cfg cfg;
		dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, 3.5);
		cfg.shadowing = false;
		cfg.bandwidth_hz = 5e6 * (1 << i);
		dn_net_cell *c = NULL;
		assert_int_equal(dn_net_cell_new(&cfg, &k, 1, NULL, 0, 1, 0, &c), DN_OK);
		assert_int_equal(dn_net_cell_place(c, 0, 0, 120, 0), DN_OK);
		assert_int_equal(dn_net_cell_start(c, 0, 0, 0), DN_OK);
		dn_net_user_stat u;
		assert_int_equal(dn_net_cell_user(c, 0, &u), DN_OK);
		const double full = cfg.bandwidth_hz * dn_net_se(&k, pow(10, u.sinr_db / 10));
		const double used = i == 0 ? 24.0 / 25.0 : i == 1 ? 48.0 / 50.0 : 1.0;
		assert_true(full > 0 && fabs(u.peak_bps - full * used) < 1e-6 * full);
		dn_net_cell_free(c);
	}
	/* round robin gives each of n users floor(G / n) of the G groups a TTI:
	 * at 20 MHz (25 groups) 20 users use 20, 13 use 13, 12 use 24 */
	assert_true(fabs(dn_net_cell_sched_use(DN_NET_SCHED_RR, 20e6, 20) - 0.8) < 1e-12);
	assert_true(fabs(dn_net_cell_sched_use(DN_NET_SCHED_RR, 20e6, 13) - 13.0 / 25.0) < 1e-12);
	assert_true(fabs(dn_net_cell_sched_use(DN_NET_SCHED_RR, 20e6, 12) - 24.0 / 25.0) < 1e-12);
	assert_true(dn_net_cell_sched_use(DN_NET_SCHED_RR, 20e6, 30) == 1.0);
	assert_true(dn_net_cell_sched_use(DN_NET_SCHED_RR, 5e6, 20) == 1.0); /* 12 groups */
	assert_true(dn_net_cell_sched_use(DN_NET_SCHED_PF, 20e6, 13) == 1.0);
	/* and the cell hands out that much time to saturated users */
	for (int sched = 0; sched < 2; sched++) {
		dn_net_cell *c = mkcell((dn_net_sched)sched, 20, false);
		for (uint32_t i = 0; i < 20; i++) {
			assert_int_equal(dn_net_cell_place(c, 0, i, 40 + 5 * i, 10), DN_OK);
			assert_int_equal(dn_net_cell_set_channel(c, i, true, 0), DN_OK);
		}
		assert_int_equal(dn_net_cell_start_all(c, 0, 0), DN_OK);
		const double want = sched == DN_NET_SCHED_RR ? 0.8 : 1.0;
		assert_true(fabs(dn_net_cell_airtime(c) - want) < 1e-9);
		dn_net_cell_free(c);
	}
}

static void test_exact_integration(void **st)
{
	(void)st;
	dn_net_cell *a = mkcell(DN_NET_SCHED_PF, 4, true), *b = mkcell(DN_NET_SCHED_PF, 4, true);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(dn_net_cell_place(a, 0, i, 30 + 40 * i, 10), DN_OK);
		assert_int_equal(dn_net_cell_place(b, 0, i, 30 + 40 * i, 10), DN_OK);
		assert_int_equal(dn_net_cell_start(a, 0, i, 0), DN_OK);
		assert_int_equal(dn_net_cell_start(b, 0, i, 0), DN_OK);
	}
	dn_net_user_stat u;
	assert_int_equal(dn_net_cell_user(a, 1, &u), DN_OK);
	const dn_time_ns T = 3 * DN_NS_PER_S + 123457;
	/* one step vs many odd steps: identical bits */
	assert_int_equal(dn_net_cell_advance(a, T), DN_OK);
	for (dn_time_ns t = 0; t < T; t += 999983)
		assert_int_equal(dn_net_cell_advance(b, t), DN_OK);
	assert_int_equal(dn_net_cell_advance(b, T), DN_OK);
	for (uint32_t i = 0; i < 4; i++) {
		dn_net_user_stat ua, ub;
		assert_int_equal(dn_net_cell_user(a, i, &ua), DN_OK);
		assert_int_equal(dn_net_cell_user(b, i, &ub), DN_OK);
		assert_true(ua.delivered_bits == ub.delivered_bits);
		assert_true(ua.delivered_bits == (uint64_t)((unsigned __int128)(uint64_t)ua.rate_bps * (uint64_t)T / 1000000000u));
	}
	/* a user that leaves stops accruing; the others speed up */
	dn_net_user_stat before;
	assert_int_equal(dn_net_cell_user(a, 0, &before), DN_OK);
	assert_int_equal(dn_net_cell_leave(a, T, 3), DN_OK);
	dn_net_user_stat after, gone;
	assert_int_equal(dn_net_cell_user(a, 0, &after), DN_OK);
	assert_true(after.rate_bps > before.rate_bps);
	assert_int_equal(dn_net_cell_user(a, 3, &gone), DN_OK);
	assert_false(gone.present);
	assert_int_equal(dn_net_cell_advance(a, 2 * T), DN_OK);
	dn_net_user_stat g2;
	assert_int_equal(dn_net_cell_user(a, 3, &g2), DN_OK);
	assert_true(g2.delivered_bits == gone.delivered_bits);
	/* time cannot go back */
	assert_int_equal(dn_net_cell_advance(a, T), DN_ECAUSALITY);
	dn_net_cell_free(a);
	dn_net_cell_free(b);
}

static void test_determinism_and_errors(void **st)
{
	(void)st;
	dn_net_cell *a = mkcell(DN_NET_SCHED_PF, 50, true), *b = mkcell(DN_NET_SCHED_PF, 50, true);
	int diff_los = 0;
	for (uint32_t i = 0; i < 50; i++) {
		assert_int_equal(dn_net_cell_place(a, 0, i, 120, 40), DN_OK);
		assert_int_equal(dn_net_cell_place(b, 0, i, 120, 40), DN_OK);
		dn_net_user_stat ua, ub;
		assert_int_equal(dn_net_cell_user(a, i, &ua), DN_OK);
		assert_int_equal(dn_net_cell_user(b, i, &ub), DN_OK);
		assert_true(ua.sinr_db == ub.sinr_db);
		diff_los += ua.los != 0;
	}
	/* draws differ between users: some LOS, some not at 126 m */
	assert_true(diff_los > 0 && diff_los < 50);
	assert_int_equal(dn_net_cell_place(a, 0, 50, 1, 1), DN_EINVAL);
	assert_int_equal(dn_net_cell_place(a, 0, 0, NAN, 1), DN_EINVAL);
	dn_net_user_stat u;
	assert_int_equal(dn_net_cell_user(a, 99, &u), DN_EINVAL);
	dn_net_cell_free(a);
	dn_net_cell_free(b);
	dn_net_cell_cfg cfg;
	dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, 3.5);
	cfg.bandwidth_hz = 0;
	dn_net_calib k = calib();
	dn_net_cell *c = NULL;
	assert_int_equal(dn_net_cell_new(&cfg, &k, 1, NULL, 0, 1, 0, &c), DN_EINVAL);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_pathloss_monotone),
		cmocka_unit_test(test_range_shrinks_with_frequency),
		cmocka_unit_test(test_monotone_in_distance),
		cmocka_unit_test(test_monotone_in_load_and_conserved),
		cmocka_unit_test(test_demand_cap),
		cmocka_unit_test(test_interference_and_pf),
		cmocka_unit_test(test_rb_groups),
		cmocka_unit_test(test_exact_integration),
		cmocka_unit_test(test_determinism_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
