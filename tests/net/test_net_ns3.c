/*
 * test_net_ns3.c: the ns-3 shim on small configurations, agreeing with the
 * flow models under the shipped calibration within the tolerances stated in
 * docs/network-models.md; routes with OLSR's hop count; a child that dies (here: killed by its wall-clock
 * limit) is reported, not fatal; bad configurations are refused; and
 * `dnetsim calibrate --check` shows a rebuild reproduces the shipped
 * calibration: the shipped observation table refits to the shipped
 * constants, and every 8th grid point rerun in ns-3 reproduces its shipped
 * observation (a full rebuild takes about a minute in Release; this subset
 * keeps the test to seconds).
 * Without ns-3 the suite checks that the CLI says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "dn_net.h"
#ifdef DN_HAVE_NS3
#include "dn_ns3_bridge.h"
#endif

#define CELL_TOL 0.15 /* per user */
#define MESH_TOL 0.30 /* per flow, at ns-3's capacity (docs/network-models.md, section 8) */

static dn_net_calib shipped(void)
{
	dn_net_calib k;
	char err[512];
	const char *src = getenv("DNETSIM_SOURCE_DIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/models/net/calibration.txt", src ? src : ".");
	if (dn_net_calib_load(path, &k, err, sizeof err) != DN_OK) {
		print_error("%s\n", err);
		fail();
	}
	return k;
}

#ifdef DN_HAVE_NS3
static void test_cell_agrees(void **st)
{
	(void)st;
	dn_net_calib k = shipped();
	const uint32_t n = 4;
	double x[4], y[4];
	int los[4];
	dn_net_user_stat u[4];
	dn_ns3_flow f[4];
	dn_ns3_info info;
	char err[512];
	dn_net_cell_cfg cfg;
	dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, 2.655);
	double fc;
	(void)dn_net_ns3_carrier(2.655, &fc);
	cfg.band_ghz = fc;
	cfg.tx_power_dbm = 30;
	cfg.bandwidth_hz = 5e6;
	assert_int_equal(dn_net_layout_disc(n, 200, 5, x, y), DN_OK);
	assert_int_equal(dn_net_eval_cell(&cfg, &k, n, x, y, NULL, 5, u), DN_OK);
	for (uint32_t i = 0; i < n; i++)
		los[i] = u[i].los;
	assert_int_equal(dn_net_eval_cell(&cfg, &k, n, x, y, los, 5, u), DN_OK);
	const double window_s = 1.0;
	if (dn_net_ns3_cell(&cfg, n, x, y, los, 5, window_s, f, &info, err, sizeof err)) {
		print_error("%s\n", err);
		fail();
	}
	for (uint32_t i = 0; i < n; i++) {
		/* as `dnetsim calibrate` reads it: FlowMonitor counts only packets
		 * sent in its window, so a saturated flow is counted for the
		 * window less its queueing delay */
		assert_true(f[i].delay_s > 0 && f[i].delay_s < window_s);
		const double ref = f[i].rx_bps * window_s / (window_s - f[i].delay_s);
		const double e = fabs(u[i].rate_bps - ref) / ref;
		print_message("user %u: sinr %.1f dB flow %.3f Mbit/s ns-3 %.3f Mbit/s (%.3f counted) err %.1f %%\n",
			      i, u[i].sinr_db, u[i].rate_bps * 1e-6, ref * 1e-6, f[i].rx_bps * 1e-6, e * 100);
		assert_true(f[i].rx_packets > 0);
		assert_true(e < CELL_TOL);
	}
	assert_true(info.events > 0 && info.wall_s > 0);
}

/* ns-3's capacity of a layout as calibrate measures it: the offered load
 * falls down a ladder while the total carried grows; f and *offered_bps
 * are the load that carried most. */
static void ns3_capacity(const dn_net_mesh_cfg *cfg, uint32_t n, const double *x, const double *y, uint32_t nf,
			 const uint32_t *s, const uint32_t *d, dn_ns3_flow *f, double *offered_bps)
{
	static const double ladder[] = {1.0, 0.7, 0.5, 0.35, 0.25};
	const double base = dn_net_mesh_offered_bps(cfg, n, x, y, nf, s, d);
	double best = -1;
	for (size_t l = 0; l < sizeof ladder / sizeof ladder[0]; l++) {
		dn_ns3_flow g[4];
		dn_ns3_info info;
		char err[512];
		assert_true(nf <= 4);
		if (dn_net_ns3_mesh(cfg, n, x, y, nf, s, d, 0, 3, 2.0, base * ladder[l], g, &info, err, sizeof err)) {
			print_error("%s\n", err);
			fail();
		}
		double total = 0;
		for (uint32_t i = 0; i < nf; i++)
			total += g[i].rx_bps;
		if (total <= best * 1.02)
			break;
		best = total;
		*offered_bps = base * ladder[l];
		memcpy(f, g, nf * sizeof *g);
	}
}

static void test_mesh_agrees(void **st)
{
	(void)st;
	dn_net_calib k = shipped();
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	for (uint32_t hops = 3; hops <= 4; hops++) {
		double x[5], y[5], offered = 0;
		uint32_t s[5], d[5], nf = 0;
		assert_int_equal(dn_net_layout_chains(hops + 1, hops, 40, 3, x, y, s, d, &nf), DN_OK);
		dn_ns3_flow f[1];
		ns3_capacity(&cfg, hops + 1, x, y, nf, s, d, f, &offered);
		dn_net_flow_stat fs[1];
		assert_int_equal(dn_net_eval_mesh(&cfg, &k, hops + 1, x, y, nf, s, d, offered, fs), DN_OK);
		const double e = fabs(fs[0].rate_bps - f[0].rx_bps) / f[0].rx_bps;
		print_message("%u hops: offered %.2f Mbit/s: flow %.3f Mbit/s ns-3 %.3f Mbit/s (%.2f hops) err %.1f %%\n",
			      hops, offered * 1e-6, fs[0].rate_bps * 1e-6, f[0].rx_bps * 1e-6, f[0].hops, e * 100);
		assert_true(fabs(f[0].hops - hops) < 0.01);
		assert_true(e < MESH_TOL);
	}
}

/* Route choice: the model's route has the hop count OLSR's has, where the
 * fewest hops are not the chain's own (at 25 m OLSR reaches two nodes
 * ahead: 8 hops of chain in 4) and in a random layout. */
static void test_route_hops_match_ns3(void **st)
{
	(void)st;
	dn_net_calib k = shipped();
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	struct { uint32_t n, hops; double spacing_m; uint32_t want; } chains[] = {
		{9, 8, 25, 4}, {5, 4, 35, 4}, {4, 3, 20, 2},
	};
	for (size_t c = 0; c < sizeof chains / sizeof chains[0]; c++) {
		double x[9], y[9];
		uint32_t s[9], d[9], nf = 0;
		assert_int_equal(dn_net_layout_chains(chains[c].n, chains[c].hops, chains[c].spacing_m, 3, x, y, s, d, &nf),
				 DN_OK);
		dn_net_flow_stat fs[1];
		assert_int_equal(dn_net_eval_mesh(&cfg, &k, chains[c].n, x, y, nf, s, d, 1e6, fs), DN_OK);
		dn_ns3_flow f[1];
		dn_ns3_info info;
		char err[512];
		assert_int_equal(dn_net_ns3_mesh(&cfg, chains[c].n, x, y, nf, s, d, 0, 3, 2.0, 1e6, f, &info, err, sizeof err), 0);
		print_message("%u-hop chain at %g m: model %u hops, ns-3 %.2f\n", chains[c].hops, chains[c].spacing_m,
			      fs[0].hops, f[0].hops);
		assert_int_equal(fs[0].hops, chains[c].want);
		assert_true(fabs(f[0].hops - chains[c].want) < 0.05);
	}
	double x[15], y[15];
	uint32_t s[2], d[2];
	assert_int_equal(dn_net_layout_random(&cfg, 15, 150, 2, 7, x, y, s, d), DN_OK);
	dn_net_flow_stat fs[2];
	assert_int_equal(dn_net_eval_mesh(&cfg, &k, 15, x, y, 2, s, d, 0.5e6, fs), DN_OK);
	dn_ns3_flow f[2];
	dn_ns3_info info;
	char err[512];
	assert_int_equal(dn_net_ns3_mesh(&cfg, 15, x, y, 2, s, d, 0, 3, 2.0, 0.5e6, f, &info, err, sizeof err), 0);
	for (int i = 0; i < 2; i++) {
		print_message("random layout flow %d: model %u hops, ns-3 %.2f\n", i, fs[i].hops, f[i].hops);
		assert_true(fs[i].hops >= 2);
		assert_true(fabs(f[i].hops - fs[i].hops) < 0.05);
	}
}

static void test_child_failure_reported(void **st)
{
	(void)st;
	double x[2] = {0, 20}, y[2] = {0, 0};
	uint32_t s = 0, d = 1;
	dn_ns3_mesh_cfg c = {0};
	c.n_nodes = 2;
	c.x_m = x;
	c.y_m = y;
	c.n_flows = 1;
	c.src = &s;
	c.dst = &d;
	c.offered_bps = 20e6;
	c.pkt_bytes = 1000;
	c.warmup_s = 1;
	c.measure_s = 100000; /* far beyond the wall-clock limit */
	c.timeout_s = 0.5;
	dn_ns3_flow f;
	dn_ns3_info info;
	char err[512] = "";
	assert_int_equal(dn_ns3_run_mesh(&c, &f, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "timeout"));
	/* the host process is intact and refuses nonsense without forking */
	c.n_nodes = 1;
	assert_int_equal(dn_ns3_run_mesh(&c, &f, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "invalid"));
	dn_ns3_cell_cfg cc = {0};
	cc.n_ues = 1;
	cc.x_m = x;
	cc.y_m = y;
	cc.rbs = 7;
	cc.offered_bps = 1e6;
	cc.pkt_bytes = 1000;
	cc.measure_s = 1;
	assert_int_equal(dn_ns3_run_cell(&cc, &f, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "resource blocks"));
}

static void test_calibration_reproduces(void **st)
{
	(void)st;
	const char *bin = getenv("DNETSIM_BIN"), *src = getenv("DNETSIM_SOURCE_DIR");
	assert_non_null(bin);
	assert_non_null(src);
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "'%s' calibrate --check '%s/models/net/calibration.txt' --grid "
		 "'%s/models/net/calibration-grid.tsv' --subset 8 > /tmp/dn_net_calcheck.$$ 2>&1; rc=$?; "
		 "tail -3 /tmp/dn_net_calcheck.$$; rm -f /tmp/dn_net_calcheck.$$; exit $rc",
		 bin, src, src);
	int rc = system(cmd);
	assert_int_equal(rc, 0);
}
#else
static void test_no_ns3_message(void **st)
{
	(void)st;
	const char *bin = getenv("DNETSIM_BIN");
	assert_non_null(bin);
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' calibrate 2>&1 | grep -q 'built without ns-3'", bin);
	assert_int_equal(system(cmd), 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#ifdef DN_HAVE_NS3
		cmocka_unit_test(test_child_failure_reported),
		cmocka_unit_test(test_cell_agrees),
		cmocka_unit_test(test_mesh_agrees),
		cmocka_unit_test(test_route_hops_match_ns3),
		cmocka_unit_test(test_calibration_reproduces),
#else
		cmocka_unit_test(test_no_ns3_message),
#endif
	};
	(void)shipped;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
