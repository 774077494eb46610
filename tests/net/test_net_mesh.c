/*
 * test_net_mesh.c: properties of the Wi-Fi mesh / ad hoc flow model: link
 * rate falls with distance, throughput falls with hop count, flows on one
 * link share it, links within carrier-sense range share airtime (each
 * collision domain's airtime at most 1), hidden senders collide, a dead relay's flows are repaired after the repair delay
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
	k.mesh_interf_margin_db = 6;
	/* the standard's minimum sensitivities (IEEE 802.11-2016 Table 17-18) */
	static const double ladder[DN_NET_WIFI_LADDER] = {-65, -66, -70, -74, -77, -79, -81};
	memcpy(k.mesh_rate_rx_dbm, ladder, sizeof ladder);
	k.mesh_hidden_vuln = 0.0; /* no hidden-terminal loss unless a test asks */
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

/* Two parallel one-hop links of len_m (30 m unless a test says), `sep`
 * metres apart; rates of both. */
static void parallel_links_len(double vuln, double len_m, double sep, double *r0, double *r1, double *alone,
			       double *airtime)
{
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	dn_net_calib k = calib();
	k.mesh_hidden_vuln = vuln;
	dn_net_mesh *m = NULL;
	assert_int_equal(dn_net_mesh_new(&cfg, &k, 4, 2, &m), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 0, DN_NET_ROUTER, 0, 0), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 1, DN_NET_ROUTER, len_m, 0), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 2, DN_NET_ROUTER, 0, sep), DN_OK);
	assert_int_equal(dn_net_mesh_place(m, 0, 3, DN_NET_ROUTER, len_m, sep), DN_OK);
	dn_net_flow_stat a, b;
	assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, 1, 0), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &a), DN_OK);
	*alone = a.rate_bps;
	assert_int_equal(dn_net_mesh_start(m, 0, 1, 2, 3, 0), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 0, &a), DN_OK);
	assert_int_equal(dn_net_mesh_flow(m, 1, &b), DN_OK);
	assert_int_equal(a.hops, 1);
	assert_int_equal(b.hops, 1);
	*r0 = a.rate_bps;
	*r1 = b.rate_bps;
	*airtime = dn_net_mesh_max_airtime(m);
	dn_net_mesh_free(m);
}

static void parallel_links(double vuln, double sep, double *r0, double *r1, double *alone, double *airtime)
{
	parallel_links_len(vuln, 30, sep, r0, r1, alone, airtime);
}

/* Links within carrier-sense range share one contention domain: each gets
 * half the airtime; beyond interference range each gets what it gets
 * alone; in every case a domain's airtime sums to at most 1. */
static void test_parallel_links_share_airtime(void **st)
{
	(void)st;
	double a, b, alone, air;
	parallel_links(0.0, 20, &a, &b, &alone, &air);
	assert_true(alone > 10e6);
	assert_true(a < alone && b < alone);
	assert_true(fabs(a - alone / 2) <= 2 && fabs(b - alone / 2) <= 2);
	assert_true(air <= 1 + 1e-9 && air > 1 - 1e-6);
	/* far apart (500 m, beyond any interference range): as alone */
	double fa, fb;
	parallel_links(2.0, 500, &fa, &fb, &alone, &air);
	assert_true(fabs(fa - alone) <= 1 && fabs(fb - alone) <= 1);
	assert_true(air <= 1 + 1e-9);
	/* within carrier-sense range a hidden-terminal exponent changes nothing:
	 * the senders hear each other and defer */
	double a2, b2;
	parallel_links(2.0, 20, &a2, &b2, &alone, &air);
	assert_true(fabs(a2 - a) <= 1 && fabs(b2 - b) <= 1);
}

/* Beyond carrier-sense range (about 51 m) but within interference range,
 * the senders cannot hear each other and collide: less than sharing, the
 * more so the larger the vulnerability exponent; none at exponent 0. */
static void test_hidden_terminals(void **st)
{
	(void)st;
	double a0, b0, a1, b1, a2, b2, alone, air;
	parallel_links(0.0, 60, &a0, &b0, &alone, &air);
	assert_true(a0 < alone && fabs(a0 - alone / 2) <= 2);
	assert_true(air <= 1 + 1e-9);
	parallel_links(1.0, 60, &a1, &b1, &alone, &air);
	parallel_links(2.0, 60, &a2, &b2, &alone, &air);
	assert_true(a1 < a0 && b1 < b0);
	assert_true(a2 < a1 && b2 < b1);
	/* (1 - 1/2)^v of the shared rate */
	assert_true(fabs(a1 - a0 * 0.5) <= 2 && fabs(a2 - a0 * 0.25) <= 2);
	/* the airtime bound is on the allocation before losses */
	assert_true(air <= 1 + 1e-9);
}

/* A sender far beyond carrier-sense range (here 107 m from the receiver)
 * still shares airtime with a weak link whose reception its signal breaks
 * (48 m: -81.1 dBm against -91.6 dBm of interference plus noise, 8.5 dB,
 * under the SINR the link's rate needs): the two cannot be on air
 * together, and as a hidden sender it costs collisions on top. Far enough
 * apart, or against a strong link, nothing. */
static void test_interference_beyond_carrier_sense(void **st)
{
	(void)st;
	double r, r1, alone, air;
	parallel_links_len(0.0, 48, 96, &r, &r1, &alone, &air);
	assert_true(alone > 1e6 && fabs(r - alone / 2) <= 2 && fabs(r1 - alone / 2) <= 2);
	assert_true(air <= 1 + 1e-9);
	double h, h1;
	parallel_links_len(2.0, 48, 96, &h, &h1, &alone, &air);
	assert_true(fabs(h - r * 0.25) <= 2 && fabs(h1 - r1 * 0.25) <= 2); /* (1 - 1/2)^2 */
	parallel_links_len(2.0, 48, 400, &r, &r1, &alone, &air);
	assert_true(fabs(r - alone) <= 1);
	/* a strong link (5 m: 37 dB against the 29 dB 54 Mbit/s needs) survives it */
	parallel_links_len(2.0, 5, 96, &r, &r1, &alone, &air);
	assert_true(fabs(r - alone) <= 1);
}

/* Places n routers and runs one flow from 0 to n - 1; its route. */
static dn_net_flow_stat route_of(uint32_t n, const double *x, const double *y)
{
	dn_net_mesh *m = mkmesh(n, 1, DN_NET_METRIC_HOPS);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(dn_net_mesh_place(m, 0, i, DN_NET_ROUTER, x[i], y[i]), DN_OK);
	assert_int_equal(dn_net_mesh_start(m, 0, 0, 0, n - 1, 0), DN_OK);
	dn_net_flow_stat f;
	assert_int_equal(dn_net_mesh_flow(m, 0, &f), DN_OK);
	dn_net_mesh_free(m);
	return f;
}

static void test_route_ties_to_airtime(void **st)
{
	(void)st;
	/* src 0 and dst 3, 80 m apart; relay 1 is 48.8 m from each (6 Mbit/s
	 * links), relay 2 on the line, 40 m from each (faster links) */
	const double x1[] = {0, 40, 40, 80}, y1[] = {0, 28, 0, 0};
	dn_net_flow_stat f = route_of(4, x1, y1);
	assert_int_equal(f.hops, 2);
	assert_int_equal(f.route[1], 2);
	/* a detour of fast links never beats fewer hops: 3 fast hops against
	 * 2 slow ones */
	const double x2[] = {0, 48, 32, 64, 96}, y2[] = {0, 12, 0, 0, 0};
	f = route_of(5, x2, y2);
	assert_int_equal(f.hops, 2);
	assert_int_equal(f.route[1], 1);
}

/* Airtime per collision domain never exceeds 1, over many layouts. */
static void test_airtime_bounded(void **st)
{
	(void)st;
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	dn_net_calib k = calib();
	k.mesh_hidden_vuln = 1.5;
	for (uint64_t seed = 1; seed <= 12; seed++) {
		double x[24], y[24];
		uint32_t s[6], d[6], nf = 0;
		const uint32_t hops = 1 + (uint32_t)(seed % 4);
		const uint32_t n = (hops + 1) * (1 + (uint32_t)(seed % 3));
		assert_int_equal(dn_net_layout_chains(n, hops, 25.0 + 2.0 * (double)seed, seed, x, y, s, d, &nf),
				 DN_OK);
		dn_net_mesh *m = NULL;
		assert_int_equal(dn_net_mesh_new(&cfg, &k, n, nf, &m), DN_OK);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(dn_net_mesh_place(m, 0, i, DN_NET_ROUTER, x[i], y[i]), DN_OK);
		for (uint32_t f = 0; f < nf; f++) {
			assert_int_equal(dn_net_mesh_start(m, 0, f, s[f], d[f], seed % 2 ? 0 : 3e6), DN_OK);
			assert_true(dn_net_mesh_max_airtime(m) <= 1 + 1e-9);
		}
		dn_net_mesh_free(m);
	}
}

/* The comparison's offered load: one-hop 54 Mbit/s goodput over the
 * flows' fewest hops together (links above the detection floor). */
static void test_offered_load(void **st)
{
	(void)st;
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	const double x[4] = {0, 30, 60, 90}, y[4] = {0, 0, 0, 0};
	const uint32_t s[1] = {0}, d1[1] = {1}, d3[1] = {3};
	const double g = dn_net_wifi_goodput_bps(54e6, cfg.pkt_bits);
	assert_true(g > 20e6 && g < 30e6);
	assert_true(fabs(dn_net_mesh_offered_bps(&cfg, 4, x, y, 1, s, d1) - g) < 1e-6);
	/* 60 m is beyond the ~51 m range: three 30 m hops */
	assert_true(fabs(dn_net_mesh_offered_bps(&cfg, 4, x, y, 1, s, d3) - g / 3) < 1e-6);
	/* two flows share it: 1 + 3 hops */
	const uint32_t s2[2] = {0, 0}, dd[2] = {1, 3};
	assert_true(fabs(dn_net_mesh_offered_bps(&cfg, 4, x, y, 2, s2, dd) - g / 4) < 1e-6);
	/* no route at all: the straight distance's estimate, ceil(90 / 50) */
	const double xf[2] = {0, 90}, yf[2] = {0, 0};
	assert_true(fabs(dn_net_mesh_offered_bps(&cfg, 2, xf, yf, 1, s, d1) - g / 2) < 1e-6);
	/* 802.11a overhead weighs more at higher rates: goodput / PHY rate falls */
	assert_true(dn_net_wifi_goodput_bps(6e6, cfg.pkt_bits) / 6e6 > dn_net_wifi_goodput_bps(54e6, cfg.pkt_bits) / 54e6);
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
		cmocka_unit_test(test_parallel_links_share_airtime),
		cmocka_unit_test(test_hidden_terminals),
		cmocka_unit_test(test_interference_beyond_carrier_sense),
		cmocka_unit_test(test_route_ties_to_airtime),
		cmocka_unit_test(test_airtime_bounded),
		cmocka_unit_test(test_offered_load),
		cmocka_unit_test(test_repair_after_leave),
		cmocka_unit_test(test_clients_relay_flag),
		cmocka_unit_test(test_exact_integration),
		cmocka_unit_test(test_rwp),
		cmocka_unit_test(test_layout_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
