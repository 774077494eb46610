/*
 * test_net_ns3.c: the ns-3 shim on small configurations, agreeing with the
 * flow models under the shipped calibration within the tolerances stated in
 * docs/network-models.md; a child that dies (here: killed by its wall-clock
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
#define MESH_TOL 0.30 /* per flow: the mesh model's grid median is 8.2 %, worst 37.5 % */

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

static void test_mesh_agrees(void **st)
{
	(void)st;
	dn_net_calib k = shipped();
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	for (uint32_t hops = 3; hops <= 4; hops++) {
		double x[5], y[5];
		uint32_t s[5], d[5], nf = 0;
		assert_int_equal(dn_net_layout_chains(hops + 1, hops, 40, 3, x, y, s, d, &nf), DN_OK);
		dn_net_flow_stat fs[1];
		assert_int_equal(dn_net_eval_mesh(&cfg, &k, hops + 1, x, y, nf, s, d, fs), DN_OK);
		dn_ns3_flow f[1];
		dn_ns3_info info;
		char err[512];
		if (dn_net_ns3_mesh(&cfg, hops + 1, x, y, nf, s, d, 0, 3, 2.0, f, &info, err, sizeof err)) {
			print_error("%s\n", err);
			fail();
		}
		const double e = fabs(fs[0].rate_bps - f[0].rx_bps) / f[0].rx_bps;
		print_message("%u hops: flow %.3f Mbit/s ns-3 %.3f Mbit/s (%.2f hops) err %.1f %%\n", hops,
			      fs[0].rate_bps * 1e-6, f[0].rx_bps * 1e-6, f[0].hops, e * 100);
		assert_true(fabs(f[0].hops - hops) < 0.01);
		assert_true(e < MESH_TOL);
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
		cmocka_unit_test(test_calibration_reproduces),
#else
		cmocka_unit_test(test_no_ns3_message),
#endif
	};
	(void)shipped;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
