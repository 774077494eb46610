/*
 * test_net_mesh.c: properties of the Wi-Fi mesh / ad hoc flow model: link
 * rate falls with distance, throughput falls with hop count, flows on one
 * link share it, a dead relay's flows are repaired after the repair delay
 * (or reported unreachable), clients that may not relay are avoided, bits
 * are integrated exactly, random waypoint is deterministic and in bounds.
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
	k.mesh_mac_eff = 0.9;
	k.mesh_sens_offset_db = 0;
	k.mesh_interf_margin_db = 6;
	k.mesh_rate_slope = 1.0;
	k.mesh_hidden_self_eff = 1.0;
	k.mesh_hidden_other_eff = 1.0;
	k.mesh_hop_delay_s = 0.0005;
	k.mesh_queue_bits = 1e6;
	return k;
}

static dn_net_mesh *mkmesh(uint32_t nodes, uint32_t flows, dn_net_metric metric)
{
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	cfg.metric = metric;
	dn_net_calib k = calib();
	dn_net_mesh *m = NULL;
	assert_int_equal(dn_net_mesh_new(&cfg, &k, nodes, flows, &m), DN_OK);
	return m;
}

static void test_rate_by_distance(void **st)
{
	(void)st;
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	dn_net_calib k = calib();
	double prev = INFINITY, prevd = 2;
	for (double d = 1; d < 200; d += 0.5) {
		const double r = dn_net_wifi_rate_bps(&cfg, &k, d), df = dn_net_wifi_delivery(&cfg, &k, d);
		assert_true(r <= prev && df <= prevd);
		prev = r;
		prevd = df;
	}
	assert_true(dn_net_wifi_rate_bps(&cfg, &k, 5) == 54e6);
	assert_true(dn_net_wifi_rate_bps(&cfg, &k, 100) == 0);
	/* the ns-3 default Yans channel decodes to about 51 m */
	assert_true(dn_net_wifi_rate_bps(&cfg, &k, 50) > 0 && dn_net_wifi_rate_bps(&cfg, &k, 53) == 0);
	assert_true(dn_net_wifi_goodput_bps(54e6, 8000) < 54e6 * 0.6);
	assert_true(dn_net_wifi_goodput_bps(6e6, 8000) < dn_net_wifi_goodput_bps(54e6, 8000));
}

static void test_hops_reduce_throughput(void **st)
{
	(void)st;
	double prev = INFINITY;
	for (uint32_t h = 1; h <= 8; h++) {
		dn_net_mesh *m = mkmesh(h + 1, 1, DN_NET_METRIC_HOPS);
		for (uint32_t i = 0; i <= h; i++)
			assert_int_equal(dn_net_mesh_place(m, 0, i, DN_NET_ROUTER, 40.0 * i, 0), DN_OK);
		assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, h, 0), DN_OK);
		dn_net_flow_stat f;
		assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
		assert_int_equal(f.state, DN_NET_FLOW_OK);
		assert_int_equal(f.hops, h);
		assert_true(f.rate_bps <= prev);
		if (h == 2)
			assert_true(f.rate_bps < 0.6 * prev);
		prev = f.rate_bps;
		dn_net_mesh_free(m);
	}
	assert_true(prev > 0);
}

static void test_shared_link(void **st)
{
	(void)st;
	dn_net_mesh *m = mkmesh(2, 2, DN_NET_METRIC_ETX);
	assert_int_equal(dn_net_mesh_place(m, 0, 0, DN_NET_ROUTER, 0, 0), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 1, DN_NET_ROUTER, 20, 0), DN_OK);
	assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, 1, 0), DN_OK);
	dn_net_flow_stat a, b;
	assert_int_equal(dn_net_mesh_flow(m, 0, &a), DN_OK);
	const double alone = a.rate_bps;
	assert_int_equal(dn_net_mesh_start(m, 0, 1, 0, 1, 0), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &a), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 1, &b), DN_OK);
	assert_true(fabs(a.rate_bps - b.rate_bps) <= 1);
	assert_true(a.rate_bps + b.rate_bps <= alone + 2 && a.rate_bps + b.rate_bps > alone - 2);
	/* a demand-limited flow keeps its demand, the other takes the rest */
	assert_int_equal(dn_net_mesh_start(m, 0, 1, 0, 1, 1e6), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &a), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 1, &b), DN_OK);
	assert_true(fabs(b.rate_bps - 1e6) <= 1);
	assert_true(fabs(a.rate_bps - (alone - 1e6)) < alone * 1e-6 + 2);
	dn_net_mesh_free(m);
}

/* 0-1-2-3 along y=0, with a detour 0-4-5-3 along y=25 */
static void ladder(dn_net_mesh *m, bool detour)
{
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(dn_net_mesh_place(m, 0, i, DN_NET_ROUTER, 40.0 * i, 0), DN_OK);
	if (detour) {
		assert_int_equal(dn_net_mesh_place(m, 0, 4, DN_NET_ROUTER, 40, 25), DN_OK);
		assert_int_equal(dn_net_mesh_place(m, 0, 5, DN_NET_ROUTER, 80, 25), DN_OK);
	}
}

static void test_repair_after_leave(void **st)
{
	(void)st;
	dn_net_mesh *m = mkmesh(6, 1, DN_NET_METRIC_ETX);
	ladder(m, true);
	assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, 3, 0), DN_OK);
	dn_net_flow_stat f;
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_int_equal(f.state, DN_NET_FLOW_OK);
	assert_int_equal(f.hops, 3);
	uint32_t relay = f.route[1];
	const dn_time_ns t1 = 5 * DN_NS_PER_S;
	dn_time_ns due = 0;
	assert_int_equal(dn_net_mesh_leave(m, t1, relay, &due), DN_OK);
	assert_true(due == t1 + 6 * DN_NS_PER_S);
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_int_equal(f.state, DN_NET_FLOW_BROKEN);
	const uint64_t bits_at_break = f.delivered_bits;
	assert_int_equal(dn_net_mesh_repair(m, due), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_int_equal(f.state, DN_NET_FLOW_OK);
	assert_true(f.delivered_bits == bits_at_break); /* nothing while broken */
	assert_true(fabs(f.outage_s - 6.0) < 1e-9);
	assert_int_equal(f.repairs, 1);
	for (uint32_t h = 0; h <= f.hops; h++)
		assert_true(f.route[h] != relay);
	assert_true(dn_net_mesh_repair_due(m) == DN_TIME_MAX);
	dn_net_mesh_free(m);

	/* no detour: unreachable after the repair delay; back when the node rejoins */
	m = mkmesh(4, 1, DN_NET_METRIC_HOPS);
	ladder(m, false);
	assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, 3, 0), DN_OK);
	assert_int_equal(dn_net_mesh_leave(m, t1, 2, &due), DN_OK);
	assert_int_equal(dn_net_mesh_repair(m, due), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_int_equal(f.state, DN_NET_FLOW_UNREACHABLE);
	assert_int_equal(dn_net_mesh_join(m, due + 1, 2), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_int_equal(f.state, DN_NET_FLOW_OK);
	/* a move out of range breaks the route as well */
	assert_int_equal(dn_net_mesh_place(m, due + 2, 1, DN_NET_CLIENT, 40, 500), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_int_equal(f.state, DN_NET_FLOW_BROKEN);
	assert_true(dn_net_mesh_repair_due(m) == due + 2 + 6 * DN_NS_PER_S);
	dn_net_mesh_free(m);
}

static void test_clients_relay_flag(void **st)
{
	(void)st;
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	cfg.clients_relay = false;
	dn_net_calib k = calib();
	dn_net_mesh *m = NULL;
	assert_int_equal(dn_net_mesh_new(&cfg, &k, 3, 1, &m), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 0, DN_NET_ROUTER, 0, 0), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 1, DN_NET_CLIENT, 40, 0), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 2, DN_NET_ROUTER, 80, 0), DN_OK);
	assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, 2, 0), DN_OK);
	dn_net_flow_stat f;
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_int_equal(f.state, DN_NET_FLOW_UNREACHABLE);
	dn_net_mesh_free(m);
}

static void test_exact_integration(void **st)
{
	(void)st;
	dn_net_mesh *m = mkmesh(3, 1, DN_NET_METRIC_ETX);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(dn_net_mesh_place(m, 0, i, DN_NET_ROUTER, 35.0 * i, 0), DN_OK);
	assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, 2, 0), DN_OK);
	dn_net_flow_stat f;
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	const uint64_t r = (uint64_t)f.rate_bps;
	dn_time_ns t = 0;
	for (int i = 0; i < 1000; i++) {
		t += 1234567 + i;
		assert_int_equal(dn_net_mesh_advance(m, t), DN_OK);
	}
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	assert_true(f.delivered_bits == (uint64_t)((unsigned __int128)r * (uint64_t)t / 1000000000u));
	assert_int_equal(dn_net_mesh_advance(m, t - 1), DN_ECAUSALITY);
	assert_int_equal(dn_net_mesh_start(m, t, 0, 1, 1, 0), DN_EINVAL);
	dn_net_mesh_free(m);
}

static void test_rwp(void **st)
{
	(void)st;
	dn_net_rwp r = {100, 50, 1, 2, 3};
	double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
	uint64_t i1 = 0, i2 = 0;
	for (int i = 0; i < 100; i++) {
		double px = x1, py = y1;
		dn_time_ns a = dn_net_rwp_next(&r, 9, 4, &i1, &x1, &y1);
		dn_time_ns b = dn_net_rwp_next(&r, 9, 4, &i2, &x2, &y2);
		assert_true(a == b && x1 == x2 && y1 == y2);
		assert_true(x1 >= 0 && x1 <= 100 && y1 >= 0 && y1 <= 50);
		const double d = hypot(x1 - px, y1 - py);
		assert_true(a >= (dn_time_ns)((d / 2 + 3) * 1e9) - 1 && a <= (dn_time_ns)((d / 1 + 3) * 1e9) + 1);
	}
}

static void test_layout_chains(void **st)
{
	(void)st;
	double x[20], y[20];
	uint32_t s[20], d[20], nf = 0;
	assert_int_equal(dn_net_layout_chains(13, 3, 40, 1, x, y, s, d, &nf), DN_OK);
	assert_int_equal(nf, 3);
	assert_int_equal(s[1], 4);
	assert_int_equal(d[1], 7);
	assert_int_equal(dn_net_layout_chains(3, 3, 40, 1, x, y, s, d, &nf), DN_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_by_distance),
		cmocka_unit_test(test_hops_reduce_throughput),
		cmocka_unit_test(test_shared_link),
		cmocka_unit_test(test_repair_after_leave),
		cmocka_unit_test(test_clients_relay_flag),
		cmocka_unit_test(test_exact_integration),
		cmocka_unit_test(test_rwp),
		cmocka_unit_test(test_layout_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
