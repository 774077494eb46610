/*
 * calc_net.c: `dnetsim calc cell` and `dnetsim calc mesh`, the network
 * models as calculators. `cell` places users uniformly on a disc around one
 * 5G cell with saturating downlink demand; `mesh` lays out parallel
 * multi-hop chains with one flow each, offered the load the ns-3 comparison
 * offers (dn_net_mesh_offered_bps). Both print the flow
 * model's per-user throughput and delay (a table, or --tsv); with --ns3 the
 * same layout also runs packet-level in ns-3 (models/net/ns3) and the table
 * shows both and the error. Numbers come from models/net; this file only
 * parses options and prints. The two share one scaffold (net_compare):
 * each says how to run its flow model and ns-3 and what its columns are.
 */
#include "cli.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dn_net.h"
#ifdef DN_HAVE_NS3
#include "dn_ns3_bridge.h"
#endif

#define MAX_USERS 1024
#define MEVENTS_PER_EVENT 1e-6
/* A carrier this close to the requested band is the band (no note). */
#define SAME_CARRIER_GHZ 1e-9

static int num(const char *cmd, const dn_cli_opt *o, double lo, double hi, double *out)
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

/* --ns3 in a build without ns-3: the explanation and DN_EXIT_FAIL; else 0. */
static int ns3_missing(const char *cmd, bool with_ns3)
{
#ifndef DN_HAVE_NS3
	if (with_ns3) {
		fprintf(stderr, "dnetsim calc %s: ERROR: --ns3: this dnetsim was built without ns-3 "
				"(install libns3-dev and rebuild with -DDNET_WITH_NS3=ON)\n", cmd);
		return DN_EXIT_FAIL;
	}
#else
	(void)cmd;
	(void)with_ns3;
#endif
	return 0;
}

/* One ns-3 row (a user or a flow); the ns-3 shim's own type where it is built. */
#ifdef DN_HAVE_NS3
typedef dn_ns3_flow net_ref;
typedef dn_ns3_info net_ref_info;
#else
typedef struct net_ref {
	double rx_bps, delay_s, loss, hops;
} net_ref;
typedef struct net_ref_info {
	double wall_s, sim_s, events;
} net_ref_info;
#endif

/* A kind's ns-3 runner; none without ns-3 (ns3_missing refuses --ns3 first). */
#ifdef DN_HAVE_NS3
#define NS3_RUNNER(f) f
#else
#define NS3_RUNNER(f) NULL
#endif

/* What differs between `calc cell` and `calc mesh`; net_compare does the rest. */
typedef struct net_kind {
	const char *cmd;   /* "cell" or "mesh" */
	bool ref_hops;     /* the ns-3 columns start with the hops a flow took */
	int ref_mbps_width; /* table width of the ns-3 Mbit/s column */
	/* The flow model, into the kind's own rows (timed by the caller). */
	dn_rc (*flow)(void *ctx, bool with_ns3);
	/* The same layout in ns-3, one ref row per table row; nonzero: err set.
	 * NULL in a build without ns-3. */
	int (*ns3)(void *ctx, net_ref *ref, net_ref_info *info, char *err, size_t errlen);
	/* The header line, without the ns-3 columns. */
	void (*head)(bool tsv, bool with_ns3);
	/* Row i's flow-model columns; returns its flow-model rate (bit/s). */
	double (*row)(const void *ctx, uint32_t i, bool tsv);
	/* The lines before the wall times (table form only); median: the
	 * rows' |error| median (with ns-3). */
	void (*totals)(const void *ctx, const net_ref *ref, double median);
	/* The wall-time line shows ns-3's event rate. */
	bool events_rate;
} net_kind;

/* Relative error of the flow model against ns-3 (infinite where only ns-3 saw nothing). */
static double rel_err(double flow_bps, double ns3_bps)
{
	return ns3_bps > 0 ? (flow_bps - ns3_bps) / ns3_bps : (flow_bps > 0 ? INFINITY : 0);
}

/*
 * Runs kind's flow model (and with_ns3, ns-3) and prints the table of its
 * `rows` rows: flow columns, then ns-3's and the error, then (table form)
 * the totals and the wall times. Returns the exit code (messages printed).
 */
static int net_compare(const net_kind *kind, void *ctx, uint32_t rows, bool with_ns3, bool tsv)
{
	assert(!with_ns3 || kind->ns3);
	int rc = DN_EXIT_FAIL;
	double *errs = calloc(rows, sizeof *errs);
	net_ref *ref = NULL;
	net_ref_info info = {0};
	if (!errs)
		return DN_EXIT_FAIL;
	const double t0_s = dn_cli_now_s();
	const dn_rc r = kind->flow(ctx, with_ns3);
	const double flow_wall_s = dn_cli_now_s() - t0_s;
	if (r) {
		fprintf(stderr, "dnetsim calc %s: ERROR: %s\n", kind->cmd, dn_rc_str(r));
		goto out;
	}
	if (with_ns3) {
		char err[512];
		ref = calloc(rows, sizeof *ref);
		if (!ref)
			goto out;
		if (kind->ns3(ctx, ref, &info, err, sizeof err)) {
			fprintf(stderr, "dnetsim calc %s: ERROR: %s\n", kind->cmd, err);
			goto out;
		}
	}
	kind->head(tsv, with_ns3);
	size_t ne = 0;
	for (uint32_t i = 0; i < rows; i++) {
		const double flow_bps = kind->row(ctx, i, tsv);
		if (with_ns3) {
			const net_ref *f = &ref[i];
			const double e = rel_err(flow_bps, f->rx_bps);
			assert(ne < rows);
			errs[ne++] = fabs(e);
			if (tsv) {
				if (kind->ref_hops)
					printf("\t%.2f", f->hops);
				printf("\t%.0f\t%.6g\t%.4f\t%.4f", f->rx_bps, f->delay_s, f->loss, e);
			} else {
				if (kind->ref_hops)
					printf("  %8.2f", f->hops);
				else
					printf(" ");
				printf(" %*.3f %7.2f %7.1f", kind->ref_mbps_width, f->rx_bps * DN_CLI_MBPS_PER_BPS,
				       f->delay_s * DN_CLI_MS_PER_S, e * 100);
			}
		}
		printf("\n");
	}
	if (!tsv) {
		kind->totals(ctx, ref, with_ns3 ? dn_cli_median(errs, ne) : NAN);
		printf("flow model wall %.3g s", flow_wall_s);
		if (with_ns3) {
			printf("; ns-3 wall %.2f s for %.2f simulated s", info.wall_s, info.sim_s);
			if (kind->events_rate)
				printf(" (%.3g M events/s)", info.wall_s > 0 ? info.events / info.wall_s * MEVENTS_PER_EVENT : 0);
		}
		printf("\n");
	}
	rc = DN_EXIT_OK;
out:
	free(errs);
	free(ref);
	return rc;
}

/* ---- calc cell ---- */

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

typedef struct cell_ctx {
	dn_net_cell_cfg cfg;
	dn_net_calib k;
	uint32_t n;
	uint64_t seed;
	double measure_s;
	double *x, *y;
	int *los;
	dn_net_user_stat *st;
} cell_ctx;

static dn_rc cell_flow(void *ctx, bool with_ns3)
{
	cell_ctx *c = ctx;
	/* the flow model's LOS draws, then fixed for both runs when comparing */
	if (with_ns3)
		return dn_cli_cell_fixed_los(&c->cfg, &c->k, c->n, c->x, c->y, c->seed, c->los, c->st);
	return dn_net_eval_cell(&c->cfg, &c->k, c->n, c->x, c->y, NULL, c->seed, c->st);
}

#ifdef DN_HAVE_NS3
static int cell_ns3(void *ctx, net_ref *ref, net_ref_info *info, char *err, size_t errlen)
{
	cell_ctx *c = ctx;
	int rc = dn_net_ns3_cell(&c->cfg, c->n, c->x, c->y, c->los, c->seed, c->measure_s, ref, info, err, errlen);
	/* compared as the calibration compares: over the served part of the window */
	for (uint32_t i = 0; rc == 0 && i < c->n; i++)
		ref[i].rx_bps = dn_cli_cell_served_rate(ref[i].rx_bps, ref[i].delay_s, c->measure_s);
	return rc;
}
#endif

static void cell_head(bool tsv, bool with_ns3)
{
	if (tsv)
		printf("user\tdist_m\tlos\tsinr_db\tflow_bps\tflow_delay_s%s\n",
		       with_ns3 ? "\tns3_bps\tns3_delay_s\tns3_loss\terr_rel" : "");
	else
		printf("%5s %8s %4s %8s %12s %10s%s\n", "user", "dist_m", "los", "sinr_db", "flow_Mbps",
		       "delay_ms", with_ns3 ? "     ns3_Mbps  ns3_ms   err_%" : "");
}

static double cell_row(const void *ctx, uint32_t i, bool tsv)
{
	const cell_ctx *c = ctx;
	const dn_net_user_stat *u = &c->st[i];
	assert(i < c->n);
	const double dist_m = hypot(c->x[i], c->y[i]);
	if (tsv)
		printf("%u\t%.2f\t%d\t%.3f\t%.0f\t%.6g", i, dist_m, u->los, u->sinr_db, u->rate_bps, u->delay_s);
	else
		printf("%5u %8.1f %4s %8.2f %12.3f %10.2f", i, dist_m, u->los ? "yes" : "no", u->sinr_db,
		       u->rate_bps * DN_CLI_MBPS_PER_BPS, u->delay_s * DN_CLI_MS_PER_S);
	return u->rate_bps;
}

static void cell_totals(const void *ctx, const net_ref *ref, double median)
{
	const cell_ctx *c = ctx;
	double flow_bps = 0, ns3_bps = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		flow_bps += c->st[i].rate_bps;
		if (ref)
			ns3_bps += ref[i].rx_bps;
	}
	printf("cell total: flow model %.3f Mbit/s", flow_bps * DN_CLI_MBPS_PER_BPS);
	if (ref)
		printf(", ns-3 %.3f Mbit/s; per-user |error| median %.1f %%", ns3_bps * DN_CLI_MBPS_PER_BPS,
		       median * 100);
	printf("\n");
}

static const net_kind cell_kind = {
	.cmd = "cell", .ref_mbps_width = 11, .flow = cell_flow, .ns3 = NS3_RUNNER(cell_ns3), .head = cell_head,
	.row = cell_row, .totals = cell_totals, .events_rate = true,
};

int dn_cmd_calc_cell(int argc, char **argv)
{
	dn_cli_opt o[] = {{"ues", 1, "10", 0}, {"bandwidth-mhz", 1, "20", 0}, {"band", 1, "3.5", 0},
			  {"radius-m", 1, "100", 0}, {"tx-power-dbm", 1, "30", 0}, {"seed", 1, "1", 0},
			  {"scheduler", 1, "pf", 0}, {"calibration", 1, NULL, 0}, {"ns3", 0, NULL, 0},
			  {"tsv", 0, NULL, 0}, {"help", 0, NULL, 0}, {"no-shadowing", 0, NULL, 0},
			  {"measure-s", 1, "2", 0}};
	const int no = (int)(sizeof o / sizeof o[0]);
	int rc = dn_cli_opts_parse("cell", argc, argv, 1, o, no, " (see --help)");
	if (rc)
		return rc;
	if (o[10].seen) {
		cell_help(stdout);
		return DN_EXIT_OK;
	}
	double ues, bw_mhz, band_ghz, radius_m, ptx_dbm, seed;
	cell_ctx c = {0};
	if ((rc = num("cell", &o[0], 1, MAX_USERS, &ues)) || (rc = num("cell", &o[1], 1, 400, &bw_mhz)) ||
	    (rc = num("cell", &o[2], 0.5, 100, &band_ghz)) || (rc = num("cell", &o[3], 10, 10000, &radius_m)) ||
	    (rc = num("cell", &o[4], -10, 60, &ptx_dbm)) || (rc = num("cell", &o[5], 0, 1e18, &seed)) ||
	    (rc = num("cell", &o[12], 0.1, 100, &c.measure_s)))
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
	if ((rc = ns3_missing("cell", with_ns3)) || (rc = load_calib("cell", o[7].value, &c.k)))
		return rc;
	c.n = (uint32_t)ues;
	c.seed = (uint64_t)seed;
	assert(c.n >= 1 && c.n <= MAX_USERS);
	dn_net_cell_cfg_default(&c.cfg, DN_NET_MICRO, band_ghz);
	c.cfg.bandwidth_hz = bw_mhz * DN_CLI_HZ_PER_MHZ;
	c.cfg.tx_power_dbm = ptx_dbm;
	c.cfg.sched = strcmp(o[6].value, "rr") == 0 ? DN_NET_SCHED_RR : DN_NET_SCHED_PF;
	c.cfg.shadowing = !o[11].seen && !with_ns3;
	c.x = calloc(c.n, sizeof *c.x);
	c.y = calloc(c.n, sizeof *c.y);
	c.los = calloc(c.n, sizeof *c.los);
	c.st = calloc(c.n, sizeof *c.st);
	rc = DN_EXIT_FAIL;
	if (!c.x || !c.y || !c.los || !c.st)
		goto out;
	if (dn_net_layout_disc(c.n, radius_m, c.seed, c.x, c.y) != DN_OK)
		goto out;
#ifdef DN_HAVE_NS3
	if (with_ns3) {
		double fc_ghz = band_ghz;
		(void)dn_net_ns3_carrier(band_ghz, &fc_ghz);
		c.cfg.band_ghz = fc_ghz;
		if (!tsv && fabs(fc_ghz - band_ghz) > SAME_CARRIER_GHZ)
			printf("note: ns-3 LTE has no %.3g GHz carrier; both models run at %.4g GHz\n", band_ghz,
			       fc_ghz);
	}
#endif
	rc = net_compare(&cell_kind, &c, c.n, with_ns3, tsv);
out:
	free(c.x);
	free(c.y);
	free(c.los);
	free(c.st);
	return rc;
}

/* ---- calc mesh ---- */

static void mesh_help(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calc mesh --nodes N --hops H --spacing-m D --seed S\n"
		"                         [--metric hops|etx] [--routing olsr|aodv]\n"
		"                         [--calibration FILE] [--ns3] [--tsv] [--offered-mbps R]\n"
		"N nodes form N/(H+1) parallel chains of H hops (rows D apart, nodes D apart,\n"
		"jittered 5 %%, leftovers an idle row); each chain carries one UDP flow end\n"
		"to end over 802.11a, offered the one-hop 54 Mbit/s goodput over the flows'\n"
		"fewest hops together (as the ns-3 run is), or R Mbit/s each. Prints each flow's hops, throughput and\n"
		"delay from the flow model; --ns3 also runs it in ns-3 (ad hoc Wi-Fi with\n"
		"OLSR or AODV) and prints the error.\n");
}

typedef struct mesh_ctx {
	dn_net_mesh_cfg cfg;
	dn_net_calib k;
	uint32_t n, nf;
	uint64_t seed;
	double measure_s, offered_bps; /* offered_bps 0: dn_net_mesh_offered_bps */
	int aodv;
	double *x, *y;
	uint32_t *src, *dst;
	dn_net_flow_stat *st;
} mesh_ctx;

static dn_rc mesh_flow(void *ctx, bool with_ns3)
{
	mesh_ctx *m = ctx;
	(void)with_ns3;
	return dn_net_eval_mesh(&m->cfg, &m->k, m->n, m->x, m->y, m->nf, m->src, m->dst, m->offered_bps, m->st);
}

#ifdef DN_HAVE_NS3
static int mesh_ns3(void *ctx, net_ref *ref, net_ref_info *info, char *err, size_t errlen)
{
	mesh_ctx *m = ctx;
	return dn_net_ns3_mesh(&m->cfg, m->n, m->x, m->y, m->nf, m->src, m->dst, m->aodv, m->seed, m->measure_s,
			       m->offered_bps, ref, info, err, errlen);
}
#endif

static void mesh_head(bool tsv, bool with_ns3)
{
	if (tsv)
		printf("flow\tsrc\tdst\thops\tflow_bps\tflow_delay_s%s\n",
		       with_ns3 ? "\tns3_hops\tns3_bps\tns3_delay_s\tns3_loss\terr_rel" : "");
	else
		printf("%4s %5s %5s %4s %10s %9s%s\n", "flow", "src", "dst", "hops", "flow_Mbps", "delay_ms",
		       with_ns3 ? "  ns3_hops ns3_Mbps  ns3_ms   err_%" : "");
}

static double mesh_row(const void *ctx, uint32_t f, bool tsv)
{
	const mesh_ctx *m = ctx;
	const dn_net_flow_stat *s = &m->st[f];
	assert(f < m->nf && m->src[f] < m->n && m->dst[f] < m->n);
	if (tsv)
		printf("%u\t%u\t%u\t%u\t%.0f\t%.6g", f, m->src[f], m->dst[f], s->hops, s->rate_bps, s->delay_s);
	else if (s->state == DN_NET_FLOW_OK)
		printf("%4u %5u %5u %4u %10.3f %9.2f", f, m->src[f], m->dst[f], s->hops,
		       s->rate_bps * DN_CLI_MBPS_PER_BPS, s->delay_s * DN_CLI_MS_PER_S);
	else
		printf("%4u %5u %5u %4s %10s %9s", f, m->src[f], m->dst[f], "-", "unreachable", "-");
	return s->rate_bps;
}

static void mesh_totals(const void *ctx, const net_ref *ref, double median)
{
	(void)ctx;
	if (ref)
		printf("per-flow |error| median %.1f %%\n", median * 100);
}

static const net_kind mesh_kind = {
	.cmd = "mesh", .ref_hops = true, .ref_mbps_width = 8, .flow = mesh_flow, .ns3 = NS3_RUNNER(mesh_ns3),
	.head = mesh_head, .row = mesh_row, .totals = mesh_totals,
};

int dn_cmd_calc_mesh(int argc, char **argv)
{
	dn_cli_opt o[] = {{"nodes", 1, "6", 0}, {"hops", 1, "5", 0}, {"spacing-m", 1, "40", 0},
			  {"seed", 1, "1", 0}, {"metric", 1, "hops", 0}, {"routing", 1, "olsr", 0},
			  {"calibration", 1, NULL, 0}, {"ns3", 0, NULL, 0}, {"tsv", 0, NULL, 0},
			  {"help", 0, NULL, 0}, {"measure-s", 1, "5", 0}, {"offered-mbps", 1, "0", 0}};
	const int no = (int)(sizeof o / sizeof o[0]);
	int rc = dn_cli_opts_parse("mesh", argc, argv, 1, o, no, " (see --help)");
	if (rc)
		return rc;
	if (o[9].seen) {
		mesh_help(stdout);
		return DN_EXIT_OK;
	}
	double nodes, hops, spacing_m, seed;
	mesh_ctx m = {0};
	if ((rc = num("mesh", &o[0], 2, MAX_USERS, &nodes)) || (rc = num("mesh", &o[1], 1, DN_NET_MAX_HOPS, &hops)) ||
	    (rc = num("mesh", &o[2], 1, 1000, &spacing_m)) || (rc = num("mesh", &o[3], 0, 1e18, &seed)) ||
	    (rc = num("mesh", &o[10], 0.5, 100, &m.measure_s)) || (rc = num("mesh", &o[11], 0, 1000, &m.offered_bps)))
		return rc;
	m.offered_bps *= DN_NET_BPS_PER_MBPS;
	if (nodes != floor(nodes) || hops != floor(hops) || seed != floor(seed) || nodes < hops + 1) {
		fprintf(stderr, "dnetsim calc mesh: --nodes, --hops, --seed are integers and nodes >= hops + 1\n");
		return DN_EXIT_USAGE;
	}
	const bool etx = strcmp(o[4].value, "etx") == 0;
	if (!etx && strcmp(o[4].value, "hops") != 0) {
		fprintf(stderr, "dnetsim calc mesh: --metric must be etx or hops\n");
		return DN_EXIT_USAGE;
	}
	m.aodv = strcmp(o[5].value, "aodv") == 0;
	if (!m.aodv && strcmp(o[5].value, "olsr") != 0) {
		fprintf(stderr, "dnetsim calc mesh: --routing must be olsr or aodv\n");
		return DN_EXIT_USAGE;
	}
	const bool with_ns3 = o[7].seen, tsv = o[8].seen;
	if ((rc = ns3_missing("mesh", with_ns3)) || (rc = load_calib("mesh", o[6].value, &m.k)))
		return rc;
	m.n = (uint32_t)nodes;
	m.seed = (uint64_t)seed;
	assert(m.n >= 2 && m.n <= MAX_USERS);
	dn_net_mesh_cfg_default(&m.cfg);
	m.cfg.metric = etx ? DN_NET_METRIC_ETX : DN_NET_METRIC_HOPS;
	m.x = calloc(m.n, sizeof *m.x);
	m.y = calloc(m.n, sizeof *m.y);
	m.src = calloc(m.n, sizeof *m.src);
	m.dst = calloc(m.n, sizeof *m.dst);
	m.st = calloc(m.n, sizeof *m.st);
	rc = DN_EXIT_FAIL;
	if (!m.x || !m.y || !m.src || !m.dst || !m.st)
		goto out;
	if (dn_net_layout_chains(m.n, (uint32_t)hops, spacing_m, m.seed, m.x, m.y, m.src, m.dst, &m.nf) != DN_OK)
		goto out;
	/* one flow a chain of hops + 1 nodes: never more flows than the arrays hold */
	assert(m.nf <= m.n / ((uint32_t)hops + 1));
	rc = net_compare(&mesh_kind, &m, m.nf, with_ns3, tsv);
out:
	free(m.x);
	free(m.y);
	free(m.src);
	free(m.dst);
	free(m.st);
	return rc;
}
