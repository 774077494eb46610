/*
 * calc_net.c: `dnetsim calc cell` and `dnetsim calc mesh`, the network
 * models as calculators. `cell` places users uniformly on a disc around one
 * 5G cell with saturating downlink demand; `mesh` lays out parallel
 * multi-hop chains with one flow each, offered the load the ns-3 comparison
 * offers (dn_net_mesh_offered_bps). Both print the flow
 * model's per-user throughput and delay (a table, or --tsv); with --ns3 the
 * same layout also runs packet-level in ns-3 (models/net/ns3) and the table
 * shows both and the error. Numbers come from models/net; this file only
 * parses options and prints.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dn_net.h"
#ifdef DN_HAVE_NS3
#include "dn_ns3_bridge.h"
#endif

#define MAX_USERS 1024

typedef struct net_opt {
	const char *name;
	const char *value;
	int flag; /* takes no value */
	int seen;
} net_opt;

static int net_parse(const char *cmd, int argc, char **argv, net_opt *o, int n)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "dnetsim calc %s: unexpected argument '%s' (see --help)\n", cmd, a);
			return DN_EXIT_USAGE;
		}
		a += 2;
		const char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a) : strlen(a);
		int k = 0;
		while (k < n && !(strlen(o[k].name) == len && strncmp(o[k].name, a, len) == 0))
			k++;
		if (k == n) {
			fprintf(stderr, "dnetsim calc %s: unknown option '--%.*s' (see --help)\n", cmd, (int)len, a);
			return DN_EXIT_USAGE;
		}
		o[k].seen = 1;
		if (o[k].flag) {
			if (eq) {
				fprintf(stderr, "dnetsim calc %s: --%s takes no value\n", cmd, o[k].name);
				return DN_EXIT_USAGE;
			}
			continue;
		}
		if (eq)
			o[k].value = eq + 1;
		else if (i + 1 < argc)
			o[k].value = argv[++i];
		else {
			fprintf(stderr, "dnetsim calc %s: --%s needs a value\n", cmd, o[k].name);
			return DN_EXIT_USAGE;
		}
	}
	return 0;
}

static int num(const char *cmd, const net_opt *o, double lo, double hi, double *out)
{
	char *ep = NULL;
	double v = strtod(o->value, &ep);
	if (ep == o->value || *ep || !isfinite(v) || v < lo || v > hi) {
		fprintf(stderr, "dnetsim calc %s: --%s must be a number in [%g, %g] (got '%s')\n", cmd,
			o->name, lo, hi, o->value);
		return DN_EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int load_calib(const char *cmd, const char *path, dn_net_calib *k)
{
	char err[512];
	dn_rc rc = dn_net_calib_load(path ? path : dn_net_calib_default_path(), k, err, sizeof err);
	if (rc) {
		fprintf(stderr, "dnetsim calc %s: ERROR: %s\n", cmd, err);
		return DN_EXIT_FAIL;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void cell_help(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc cell --ues N --bandwidth-mhz B --band GHZ --radius-m R\n"
		"                         --tx-power-dbm P --seed S [--scheduler rr|pf]\n"
		"                         [--no-shadowing] [--calibration FILE] [--ns3] [--tsv]\n"
		"Users uniform on a disc (10 m..R) around one 5G cell (TR 38.901 UMi), all\n"
		"with saturating downlink demand; prints each user's distance, LOS, SINR,\n"
		"throughput and delay from the flow model. --ns3 also runs the layout in\n"
		"ns-3 LTE (the packet-level reference; carrier 2.12 or 2.655 GHz, LOS taken\n"
		"from the flow model, shadowing off in both) and prints the error.\n");
}

int dn_cmd_calc_cell(int argc, char **argv)
{
	net_opt o[] = {{"ues", "10", 0, 0}, {"bandwidth-mhz", "20", 0, 0}, {"band", "3.5", 0, 0},
		       {"radius-m", "100", 0, 0}, {"tx-power-dbm", "30", 0, 0}, {"seed", "1", 0, 0},
		       {"scheduler", "pf", 0, 0}, {"calibration", NULL, 0, 0}, {"ns3", NULL, 1, 0},
		       {"tsv", NULL, 1, 0}, {"help", NULL, 1, 0}, {"no-shadowing", NULL, 1, 0},
		       {"measure-s", "2", 0, 0}};
	const int no = (int)(sizeof o / sizeof o[0]);
	int rc = net_parse("cell", argc, argv, o, no);
	if (rc)
		return rc;
	if (o[10].seen) {
		cell_help(stdout);
		return DN_EXIT_OK;
	}
	double ues, bw, band, radius, ptx, seed, measure;
	if ((rc = num("cell", &o[0], 1, MAX_USERS, &ues)) || (rc = num("cell", &o[1], 1, 400, &bw)) ||
	    (rc = num("cell", &o[2], 0.5, 100, &band)) || (rc = num("cell", &o[3], 10, 10000, &radius)) ||
	    (rc = num("cell", &o[4], -10, 60, &ptx)) || (rc = num("cell", &o[5], 0, 1e18, &seed)) ||
	    (rc = num("cell", &o[12], 0.1, 100, &measure)))
		return rc;
	if (ues != floor(ues) || seed != floor(seed)) {
		fprintf(stderr, "dnetsim calc cell: --ues and --seed must be integers\n");
		return DN_EXIT_USAGE;
	}
	if (strcmp(o[6].value, "rr") != 0 && strcmp(o[6].value, "pf") != 0) {
		fprintf(stderr, "dnetsim calc cell: --scheduler must be rr or pf (got '%s')\n", o[6].value);
		return DN_EXIT_USAGE;
	}
	const bool with_ns3 = o[8].seen, tsv = o[9].seen;
#ifndef DN_HAVE_NS3
	if (with_ns3) {
		fprintf(stderr, "dnetsim calc cell: ERROR: --ns3: this dnetsim was built without ns-3 "
				"(install libns3-dev and rebuild with -DDNET_WITH_NS3=ON)\n");
		return DN_EXIT_FAIL;
	}
#endif
	dn_net_calib k;
	if ((rc = load_calib("cell", o[7].value, &k)))
		return rc;
	const uint32_t n = (uint32_t)ues;
	dn_net_cell_cfg cfg;
	dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, band);
	cfg.bandwidth_hz = bw * 1e6;
	cfg.tx_power_dbm = ptx;
	cfg.sched = strcmp(o[6].value, "rr") == 0 ? DN_NET_SCHED_RR : DN_NET_SCHED_PF;
	cfg.shadowing = !o[11].seen && !with_ns3;
	double *x = calloc(n, sizeof *x), *y = calloc(n, sizeof *y), *errs = calloc(n, sizeof *errs);
	int *los = calloc(n, sizeof *los);
	dn_net_user_stat *st = calloc(n, sizeof *st);
	rc = DN_EXIT_FAIL;
	if (!x || !y || !errs || !los || !st)
		goto out;
	if (dn_net_layout_disc(n, radius, (uint64_t)seed, x, y) != DN_OK)
		goto out;
#ifdef DN_HAVE_NS3
	if (with_ns3) {
		double fc = band;
		(void)dn_net_ns3_carrier(band, &fc);
		cfg.band_ghz = fc;
		if (!tsv && fabs(fc - band) > 1e-9)
			printf("note: ns-3 LTE has no %.3g GHz carrier; both models run at %.4g GHz\n", band, fc);
	}
#endif
	/* the flow model's LOS draws, then fixed for both runs when comparing */
	double t0 = now_s();
	dn_rc r2 = dn_net_eval_cell(&cfg, &k, n, x, y, NULL, (uint64_t)seed, st);
	if (!r2 && with_ns3) {
		for (uint32_t i = 0; i < n; i++)
			los[i] = st[i].los;
		r2 = dn_net_eval_cell(&cfg, &k, n, x, y, los, (uint64_t)seed, st);
	}
	double flow_wall = now_s() - t0;
	if (r2) {
		fprintf(stderr, "dnetsim calc cell: ERROR: %s\n", dn_rc_str(r2));
		goto out;
	}
#ifdef DN_HAVE_NS3
	dn_ns3_flow *nf = NULL;
	dn_ns3_info info = {0};
	if (with_ns3) {
		char err[512];
		nf = calloc(n, sizeof *nf);
		if (!nf)
			goto out;
		if (dn_net_ns3_cell(&cfg, n, x, y, los, (uint64_t)seed, measure, nf, &info, err, sizeof err)) {
			fprintf(stderr, "dnetsim calc cell: ERROR: %s\n", err);
			free(nf);
			goto out;
		}
	}
#endif
	if (tsv)
		printf("user\tdist_m\tlos\tsinr_db\tflow_bps\tflow_delay_s%s\n",
		       with_ns3 ? "\tns3_bps\tns3_delay_s\tns3_loss\terr_rel" : "");
	else
		printf("%5s %8s %4s %8s %12s %10s%s\n", "user", "dist_m", "los", "sinr_db", "flow_Mbps",
		       "delay_ms", with_ns3 ? "     ns3_Mbps  ns3_ms   err_%" : "");
	double tot = 0, tot3 = 0;
	size_t ne = 0;
	for (uint32_t i = 0; i < n; i++) {
		const double d = hypot(x[i], y[i]);
		tot += st[i].rate_bps;
		if (tsv)
			printf("%u\t%.2f\t%d\t%.3f\t%.0f\t%.6g", i, d, st[i].los, st[i].sinr_db, st[i].rate_bps,
			       st[i].delay_s);
		else
			printf("%5u %8.1f %4s %8.2f %12.3f %10.2f", i, d, st[i].los ? "yes" : "no",
			       st[i].sinr_db, st[i].rate_bps * 1e-6, st[i].delay_s * 1e3);
#ifdef DN_HAVE_NS3
		if (with_ns3) {
			const double e = nf[i].rx_bps > 0 ? (st[i].rate_bps - nf[i].rx_bps) / nf[i].rx_bps
							  : (st[i].rate_bps > 0 ? INFINITY : 0);
			tot3 += nf[i].rx_bps;
			errs[ne++] = fabs(e);
			if (tsv)
				printf("\t%.0f\t%.6g\t%.4f\t%.4f", nf[i].rx_bps, nf[i].delay_s, nf[i].loss, e);
			else
				printf("  %11.3f %7.2f %7.1f", nf[i].rx_bps * 1e-6, nf[i].delay_s * 1e3, e * 100);
		}
#endif
		printf("\n");
	}
	if (!tsv) {
		printf("cell total: flow model %.3f Mbit/s", tot * 1e-6);
		if (with_ns3)
			printf(", ns-3 %.3f Mbit/s; per-user |error| median %.1f %%", tot3 * 1e-6,
			       median(errs, ne) * 100);
		printf("\nflow model wall %.3g s", flow_wall);
#ifdef DN_HAVE_NS3
		if (with_ns3)
			printf("; ns-3 wall %.2f s for %.2f simulated s (%.3g M events/s)", info.wall_s,
			       info.sim_s, info.wall_s > 0 ? info.events / info.wall_s * 1e-6 : 0);
#endif
		printf("\n");
	}
#ifdef DN_HAVE_NS3
	free(nf);
#endif
	rc = DN_EXIT_OK;
out:
	free(x);
	free(y);
	free(errs);
	free(los);
	free(st);
	return rc;
}

static void mesh_help(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc mesh --nodes N --hops H --spacing-m D --seed S\n"
		"                         [--metric etx|hops] [--routing olsr|aodv]\n"
		"                         [--calibration FILE] [--ns3] [--tsv]\n"
		"N nodes form N/(H+1) parallel chains of H hops (rows D apart, nodes D apart,\n"
		"jittered 5 %%, leftovers an idle row); each chain carries one UDP flow end\n"
		"to end over 802.11a, offered the one-hop 54 Mbit/s goodput over the longest\n"
		"flow's hops (as the ns-3 run is). Prints each flow's hops, throughput and\n"
		"delay from the flow model; --ns3 also runs it in ns-3 (ad hoc Wi-Fi with\n"
		"OLSR or AODV) and prints the error.\n");
}

int dn_cmd_calc_mesh(int argc, char **argv)
{
	net_opt o[] = {{"nodes", "6", 0, 0}, {"hops", "5", 0, 0}, {"spacing-m", "40", 0, 0},
		       {"seed", "1", 0, 0}, {"metric", "etx", 0, 0}, {"routing", "olsr", 0, 0},
		       {"calibration", NULL, 0, 0}, {"ns3", NULL, 1, 0}, {"tsv", NULL, 1, 0},
		       {"help", NULL, 1, 0}, {"measure-s", "5", 0, 0}};
	const int no = (int)(sizeof o / sizeof o[0]);
	int rc = net_parse("mesh", argc, argv, o, no);
	if (rc)
		return rc;
	if (o[9].seen) {
		mesh_help(stdout);
		return DN_EXIT_OK;
	}
	double nodes, hops, spacing, seed, measure;
	if ((rc = num("mesh", &o[0], 2, MAX_USERS, &nodes)) || (rc = num("mesh", &o[1], 1, DN_NET_MAX_HOPS, &hops)) ||
	    (rc = num("mesh", &o[2], 1, 1000, &spacing)) || (rc = num("mesh", &o[3], 0, 1e18, &seed)) ||
	    (rc = num("mesh", &o[10], 0.5, 100, &measure)))
		return rc;
	if (nodes != floor(nodes) || hops != floor(hops) || seed != floor(seed) || nodes < hops + 1) {
		fprintf(stderr, "dnetsim calc mesh: --nodes, --hops, --seed are integers and nodes >= hops + 1\n");
		return DN_EXIT_USAGE;
	}
	const bool etx = strcmp(o[4].value, "etx") == 0;
	if (!etx && strcmp(o[4].value, "hops") != 0) {
		fprintf(stderr, "dnetsim calc mesh: --metric must be etx or hops\n");
		return DN_EXIT_USAGE;
	}
	const int aodv = strcmp(o[5].value, "aodv") == 0;
	if (!aodv && strcmp(o[5].value, "olsr") != 0) {
		fprintf(stderr, "dnetsim calc mesh: --routing must be olsr or aodv\n");
		return DN_EXIT_USAGE;
	}
	const bool with_ns3 = o[7].seen, tsv = o[8].seen;
#ifndef DN_HAVE_NS3
	if (with_ns3) {
		fprintf(stderr, "dnetsim calc mesh: ERROR: --ns3: this dnetsim was built without ns-3 "
				"(install libns3-dev and rebuild with -DDNET_WITH_NS3=ON)\n");
		return DN_EXIT_FAIL;
	}
	(void)aodv;
#endif
	dn_net_calib k;
	if ((rc = load_calib("mesh", o[6].value, &k)))
		return rc;
	const uint32_t n = (uint32_t)nodes;
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	cfg.metric = etx ? DN_NET_METRIC_ETX : DN_NET_METRIC_HOPS;
	double *x = calloc(n, sizeof *x), *y = calloc(n, sizeof *y), *errs = calloc(n, sizeof *errs);
	uint32_t *src = calloc(n, sizeof *src), *dst = calloc(n, sizeof *dst), nf = 0;
	dn_net_flow_stat *st = calloc(n, sizeof *st);
	rc = DN_EXIT_FAIL;
	if (!x || !y || !errs || !src || !dst || !st)
		goto out;
	if (dn_net_layout_chains(n, (uint32_t)hops, spacing, (uint64_t)seed, x, y, src, dst, &nf) != DN_OK)
		goto out;
	double t0 = now_s();
	dn_rc r2 = dn_net_eval_mesh(&cfg, &k, n, x, y, nf, src, dst, st);
	double flow_wall = now_s() - t0;
	if (r2) {
		fprintf(stderr, "dnetsim calc mesh: ERROR: %s\n", dn_rc_str(r2));
		goto out;
	}
#ifdef DN_HAVE_NS3
	dn_ns3_flow *res = NULL;
	dn_ns3_info info = {0};
	if (with_ns3) {
		char err[512];
		res = calloc(nf, sizeof *res);
		if (!res)
			goto out;
		if (dn_net_ns3_mesh(&cfg, n, x, y, nf, src, dst, aodv, (uint64_t)seed, measure, res, &info,
				    err, sizeof err)) {
			fprintf(stderr, "dnetsim calc mesh: ERROR: %s\n", err);
			free(res);
			goto out;
		}
	}
#endif
	if (tsv)
		printf("flow\tsrc\tdst\thops\tflow_bps\tflow_delay_s%s\n",
		       with_ns3 ? "\tns3_hops\tns3_bps\tns3_delay_s\tns3_loss\terr_rel" : "");
	else
		printf("%4s %5s %5s %4s %10s %9s%s\n", "flow", "src", "dst", "hops", "flow_Mbps", "delay_ms",
		       with_ns3 ? "  ns3_hops ns3_Mbps  ns3_ms   err_%" : "");
	size_t ne = 0;
	for (uint32_t f = 0; f < nf; f++) {
		const bool ok = st[f].state == DN_NET_FLOW_OK;
		if (tsv)
			printf("%u\t%u\t%u\t%u\t%.0f\t%.6g", f, src[f], dst[f], st[f].hops, st[f].rate_bps,
			       st[f].delay_s);
		else if (ok)
			printf("%4u %5u %5u %4u %10.3f %9.2f", f, src[f], dst[f], st[f].hops,
			       st[f].rate_bps * 1e-6, st[f].delay_s * 1e3);
		else
			printf("%4u %5u %5u %4s %10s %9s", f, src[f], dst[f], "-", "unreachable", "-");
#ifdef DN_HAVE_NS3
		if (with_ns3) {
			const double e = res[f].rx_bps > 0 ? (st[f].rate_bps - res[f].rx_bps) / res[f].rx_bps
							   : (st[f].rate_bps > 0 ? INFINITY : 0);
			errs[ne++] = fabs(e);
			if (tsv)
				printf("\t%.2f\t%.0f\t%.6g\t%.4f\t%.4f", res[f].hops, res[f].rx_bps, res[f].delay_s,
				       res[f].loss, e);
			else
				printf("  %8.2f %8.3f %7.2f %7.1f", res[f].hops, res[f].rx_bps * 1e-6,
				       res[f].delay_s * 1e3, e * 100);
		}
#endif
		printf("\n");
	}
	if (!tsv) {
		if (with_ns3)
			printf("per-flow |error| median %.1f %%\n", median(errs, ne) * 100);
		printf("flow model wall %.3g s", flow_wall);
#ifdef DN_HAVE_NS3
		if (with_ns3)
			printf("; ns-3 wall %.2f s for %.2f simulated s", info.wall_s, info.sim_s);
#endif
		printf("\n");
	}
#ifdef DN_HAVE_NS3
	free(res);
#endif
	rc = DN_EXIT_OK;
out:
	free(x);
	free(y);
	free(errs);
	free(src);
	free(dst);
	free(st);
	return rc;
}
