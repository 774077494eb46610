/*
 * calibrate.c: `dnetsim calibrate`, fitting the flow-level network models
 * to packet-level ns-3 runs and writing the calibration file they load.
 *
 * Cell grid: radius x users x bandwidth (LTE, UMi, PF; RR on a subset),
 * LOS drawn by the flow model and given to ns-3, shadowing off in both, so
 * every user's SINR is the same in the two and throughput is compared user
 * by user, ns-3's count taken over the part of the window the flow was
 * served in (dn_cli_cell_served_rate). Fitted by exhaustive search: se_scale, se_max, sinr_min
 * (minimising the mean |relative error|), then base delay and queue by
 * least squares on delay = base + queue / rate. Meshes (802.11a ad hoc,
 * OLSR): a one-hop distance sweep gives the rate ladder; the mesh grid
 * (chains x spacing x parallel chains, and random layouts) is run at
 * ns-3's capacity (a ladder of offered loads), the model offered the same
 * load; fitted: the decoding margin and the hidden-terminal vulnerability
 * exponent by search on a trimmed mean of |log error|, mac_eff in closed
 * form (rates scale with it), delays by least squares. --validation runs
 * the mesh validation grid, which the fit never sees; --validate reports a
 * calibration against it. --refit
 * fits a shipped observation table again without running ns-3. --check proves a rebuild reproduces the
 * shipped file cheaply: the refit from the shipped observation table gives
 * the shipped constants, and a subset of the grid rerun in ns-3 gives the
 * shipped observations. Without ns-3 it explains and fails.
 */
#include "cli.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "dn_net.h"
#ifdef DN_HAVE_NS3
#include "dn_ns3_bridge.h"
#endif

/* --check: how close (relative) the refit constants must come to the file's. */
#define CHECK_CONST_TOL 1e-6
#define STR_(x) #x
#define STR(x) STR_(x)
/* ... relative to at least this (constants that are 0). */
#define CHECK_CONST_FLOOR 1e-9
/* A rerun cell user is the shipped one when the SINRs agree this closely (relative). */
#define CHECK_SINR_MATCH 1e-9

static void cal_help(FILE *f)
{
	fprintf(f,
		"usage: dnetsim calibrate [--out FILE] [--grid FILE] [--quick] [--seed S]\n"
		"       dnetsim calibrate --check FILE --grid GRID [--subset K] [--tolerance T]\n"
		"       dnetsim calibrate --refit --grid GRID [--out FILE]\n"
		"       dnetsim calibrate --validation [--grid FILE] [--seed S] [--calibration FILE]\n"
		"       dnetsim calibrate --validate GRID [--calibration FILE]\n"
		"Runs the ns-3 shim over the calibration grid (docs/network-models.md), fits\n"
		"the flow-model constants and writes them (default ./calibration.txt) with\n"
		"the ns-3 observations (default ./calibration-grid.tsv). The shipped pair is\n"
		"models/net/calibration.txt and calibration-grid.tsv. --quick: a small grid.\n"
		"Prints the per-flow error table.\n"
		"--check: refit from GRID and require FILE's constants back (" STR(CHECK_CONST_TOL) "), and rerun\n"
		"every K-th grid point (default 8) in ns-3 and require GRID's observations\n"
		"back within T (default 0.02). Exit 1 if either fails.\n"
		"--refit: fit to GRID's observations without running ns-3, print the error\n"
		"table and write FILE (GRID is left as it is).\n"
		"--validation: run ns-3 over the mesh validation grid (layouts the fit never\n"
		"sees; seed 1001 unless --seed), write it (default ./validation-grid.tsv) and\n"
		"report the calibration (default the shipped one) against it. --validate:\n"
		"report against a written validation grid without running ns-3 (the shipped\n"
		"one is models/net/validation-grid.tsv).\n");
}

#ifdef DN_HAVE_NS3

#define MAX_OBS 4096
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* A mesh grid point: at most this many nodes and flows (its arrays). */
#define MESH_MAX_NODES 64
#define MESH_MAX_FLOWS 16
#define MAX_MESH_POINTS 128
/* Users of the largest cell grid point (its stack arrays). */
#define CELL_MAX_USERS 32
/* Below this an observed rate is no rate: relative errors are not taken. */
#define MIN_RATE_BPS 1e3
/* Least squares on delays uses only users and flows served at least this. */
#define MIN_DELAY_FIT_BPS 1e4
/* ns-3 traffic measured a grid point (after its warm-up), full and --quick grid. */
#define CELL_MEASURE_S 1.5
#define CELL_MEASURE_QUICK_S 1.0
#define MESH_MEASURE_S 3.0
#define MESH_MEASURE_QUICK_S 2.0
/* A mesh point's offered loads, as shares of dn_net_mesh_offered_bps, tried
 * in turn while a lower load carries more than LOAD_GAIN more in total. */
static const double load_ladder[] = {1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12};
#define LOAD_GAIN 0.02
/* The mesh fit leaves out the worst 1 / TRIM_DIV of the flows (mesh_err). */
#define TRIM_DIV 5
/* The validation grid's seed: its layouts and ns-3 runs differ from the calibration's. */
#define VALIDATION_SEED 1001
/* The only carrier of Debian's ns-3 LTE near 3.5 GHz (band 7). */
#define CELL_BAND_GHZ 2.655
#define CELL_TX_POWER_DBM 30
/* The bounds of the fitted MAC efficiency. */
#define MESH_MAC_EFF_MIN 0.05
#define MESH_MAC_EFF_MAX 1.5
/* Caps on the fitted queues: physical bounds, not the fit's. */
#define MAX_CELL_QUEUE_BITS 1e9
#define MAX_MESH_QUEUE_BITS 1e10

typedef struct cell_obs {
	double sinr_lin, bw_hz, n, rate_bps, delay_s, radius_m;
	int sched;
	uint32_t point;
} cell_obs;

/* A mesh grid point: parallel chains (MESH_CHAINS: `hops` hops each,
 * `spacing_m` apart, `chains` of them) or a random layout (MESH_RANDOM:
 * `nodes` uniform on a square of side `spacing_m`, `chains` flows). */
enum { MESH_CHAINS = 0, MESH_RANDOM = 1 };
typedef struct mesh_point {
	uint32_t kind, n, hops, chains, index, nodes;
	double spacing_m;
	double x[MESH_MAX_NODES], y[MESH_MAX_NODES];
	uint32_t src[MESH_MAX_FLOWS], dst[MESH_MAX_FLOWS], nf;
	double rate[MESH_MAX_FLOWS], delay[MESH_MAX_FLOWS];
	double ns3_hops[MESH_MAX_FLOWS]; /* ns-3's mean IP hops of the flow's packets */
	double offered_bps;              /* what every flow was offered, in ns-3 and the model */
} mesh_point;

/* One point of the one-hop distance sweep: the goodput ns-3 carries over a
 * single link of this length (rate control picks the PHY rate). */
typedef struct link_obs {
	double dist_m, rate_bps;
} link_obs;
#define MAX_LINKS 256

typedef struct cal_ctx {
	cell_obs *co;
	size_t nco;
	mesh_point *mp;
	size_t nmp;
	link_obs lo[MAX_LINKS];
	size_t nlo;
} cal_ctx;

/* The cell model's rate for a user of a grid point, every user of which
 * saturates and is served: an equal share of the time the scheduler hands
 * out, at the peak rate over the usable resource blocks. */
static double cell_pred(const dn_net_calib *k, const cell_obs *o)
{
	assert(o->n >= 1);
	const dn_net_sched sched = o->sched ? DN_NET_SCHED_PF : DN_NET_SCHED_RR;
	return o->bw_hz * dn_net_cell_rb_use(o->bw_hz) * dn_net_se(k, o->sinr_lin) *
	       dn_net_cell_sched_use(sched, o->bw_hz, (uint32_t)o->n) / o->n;
}


/* The model's relative error on a cell user: 1 where only the model serves it. */
static double cell_rel_err(double model_bps, double ns3_bps)
{
	return ns3_bps > MIN_RATE_BPS ? (model_bps - ns3_bps) / ns3_bps : (model_bps > MIN_RATE_BPS ? 1.0 : 0.0);
}

/* The model's relative error on a mesh flow: 1 where ns-3 did not carry it
 * and the model did, 0 where neither did (no route in either). */
static double mesh_rel_err(double model_bps, double ns3_bps)
{
	if (ns3_bps <= MIN_RATE_BPS)
		return model_bps > MIN_RATE_BPS ? 1.0 : 0.0;
	return (model_bps - ns3_bps) / ns3_bps;
}

/* A grid point run packet-level in ns-3: a cell (cell, los) or a mesh (mesh, nf, src, dst). */
typedef struct ns3_point {
	uint32_t point; /* its number in the grid, for messages */
	uint32_t n;     /* users or nodes */
	const double *x_m, *y_m;
	uint64_t seed;
	double measure_s;
	const dn_net_cell_cfg *cell;
	const int *los;
	const dn_net_mesh_cfg *mesh;
	uint32_t nf;
	const uint32_t *src, *dst;
	double offered_bps; /* per mesh flow; 0: dn_net_mesh_offered_bps */
} ns3_point;

/*
 * The ns-3 reference of the calibration and of --check: runs p (OLSR for a
 * mesh) into fl, a row a user or flow, and reports on stderr the failure
 * or a progress line naming the point ("cell point N: WHAT: ns-3 ... wall").
 */
static int run_ns3(const ns3_point *p, const char *what, dn_ns3_flow *fl)
{
	assert((p->cell != NULL) != (p->mesh != NULL));
	const char *kind = p->cell ? "cell" : "mesh";
	dn_ns3_info info;
	char err[512];
	const int rc = p->cell ? dn_net_ns3_cell(p->cell, p->n, p->x_m, p->y_m, p->los, p->seed, p->measure_s, fl,
						 &info, err, sizeof err)
			       : dn_net_ns3_mesh(p->mesh, p->n, p->x_m, p->y_m, p->nf, p->src, p->dst, 0, p->seed,
						 p->measure_s, p->offered_bps, fl, &info, err, sizeof err);
	if (rc) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s point %u: %s\n", kind, p->point, err);
		return DN_EXIT_FAIL;
	}
	assert(info.wall_s >= 0);
	fprintf(stderr, "%s point %u: %s: ns-3 %.2f s wall\n", kind, p->point, what, info.wall_s);
	return 0;
}

static int run_cells(cal_ctx *c, bool quick, uint64_t seed, uint32_t subset)
{
	static const double radius_full_m[] = {50, 150, 300}, radius_quick_m[] = {150};
	static const double ues_full[] = {1, 5, 10, 20}, ues_quick[] = {5};
	static const double bw_full_mhz[] = {5, 10, 20}, bw_quick_mhz[] = {10};
	const double *rad_m = quick ? radius_quick_m : radius_full_m, *ues = quick ? ues_quick : ues_full,
		     *bw_mhz = quick ? bw_quick_mhz : bw_full_mhz;
	const size_t nr = quick ? COUNT(radius_quick_m) : COUNT(radius_full_m),
		     nu = quick ? COUNT(ues_quick) : COUNT(ues_full),
		     nb = quick ? COUNT(bw_quick_mhz) : COUNT(bw_full_mhz);
	dn_net_calib k0;
	memset(&k0, 0, sizeof k0);
	k0.cell_se_scale = 1;
	k0.cell_se_max_bps_hz = 10;
	k0.cell_sinr_min_db = -20;
	k0.cell_gap_db = 0;
	uint32_t point = 0;
	for (size_t a = 0; a < nr; a++)
		for (size_t b = 0; b < nu; b++)
			for (size_t d = 0; d < nb; d++)
				for (int sched = 1; sched >= 0; sched--) {
					if (sched == 0 && (b != nu - 1 || a != 0))
						continue; /* RR only on the busiest, nearest points */
					if (subset > 1 && point % subset != 0) {
						point++;
						continue;
					}
					const uint32_t n = (uint32_t)ues[b];
					assert(n >= 1 && n <= CELL_MAX_USERS);
					double x[CELL_MAX_USERS], y[CELL_MAX_USERS];
					int los[CELL_MAX_USERS];
					dn_net_user_stat st[CELL_MAX_USERS];
					dn_ns3_flow fl[CELL_MAX_USERS];
					dn_net_cell_cfg cfg;
					dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, CELL_BAND_GHZ);
					double fc_ghz;
					(void)dn_net_ns3_carrier(CELL_BAND_GHZ, &fc_ghz);
					cfg.band_ghz = fc_ghz;
					cfg.tx_power_dbm = CELL_TX_POWER_DBM;
					cfg.bandwidth_hz = bw_mhz[d] * DN_CLI_HZ_PER_MHZ;
					cfg.sched = sched ? DN_NET_SCHED_PF : DN_NET_SCHED_RR;
					const uint64_t s = seed + point;
					if (dn_net_layout_disc(n, rad_m[a], s, x, y) ||
					    dn_cli_cell_fixed_los(&cfg, &k0, n, x, y, s, los, st))
						return DN_EXIT_FAIL;
					const ns3_point np = {.point = point, .n = n, .x_m = x, .y_m = y, .seed = s,
							      .measure_s = quick ? CELL_MEASURE_QUICK_S : CELL_MEASURE_S,
							      .cell = &cfg, .los = los};
					char what[128];
					snprintf(what, sizeof what, "R=%g m, %u UEs, %g MHz, %s", rad_m[a], n, bw_mhz[d],
						 sched ? "pf" : "rr");
					if (run_ns3(&np, what, fl))
						return DN_EXIT_FAIL;
					for (uint32_t i = 0; i < n && c->nco < MAX_OBS; i++)
						c->co[c->nco++] = (cell_obs){pow(10, st[i].sinr_db / 10), cfg.bandwidth_hz, n,
									  dn_cli_cell_served_rate(fl[i].rx_bps, fl[i].delay_s, np.measure_s),
									  fl[i].delay_s, rad_m[a], sched, point};
					point++;
				}
	return 0;
}

static double cell_err(const dn_net_calib *k, const cal_ctx *c, double *worst)
{
	double sum = 0;
	size_t m = 0;
	*worst = 0;
	for (size_t i = 0; i < c->nco; i++) {
		const double e = fabs(cell_rel_err(cell_pred(k, &c->co[i]), c->co[i].rate_bps));
		sum += e;
		m++;
		if (e > *worst)
			*worst = e;
	}
	return m ? sum / m : 0;
}

/*
 * One constant of an exhaustive search: the coarse pass tries lo, lo +
 * step, ... up to hi; the fine pass tries the coarse best - below, then in
 * fine_step up to the best + above, skipping values under min. (The upper
 * ends carry a little slack so the last step is not lost to rounding.)
 */
typedef struct search_axis {
	size_t field; /* offsetof(dn_net_calib, ...), a double */
	double lo, hi, step;
	double below, above, fine_step;
	double min;
} search_axis;

#define SEARCH_AXES 4

static double *calib_field(dn_net_calib *k, size_t field)
{
	assert(field + sizeof(double) <= sizeof *k && field % sizeof(double) == 0);
	return (double *)((char *)k + field);
}

/*
 * Exhaustive search of the SEARCH_AXES constants of ax for the least err on
 * a coarse grid, then on a fine grid around the best; *k is the start and
 * the result. err may set other constants of the candidate (kept with it).
 */
static void grid_search(dn_net_calib *k, const cal_ctx *c, const search_axis ax[SEARCH_AXES],
			double (*err)(dn_net_calib *t, const cal_ctx *c))
{
	double best = INFINITY, lo[SEARCH_AXES], hi[SEARCH_AXES], step[SEARCH_AXES];
	dn_net_calib t = *k;
	for (int pass = 0; pass < 2; pass++) {
		/* the fine grid is fixed by the coarse best before the search moves *k */
		for (int a = 0; a < SEARCH_AXES; a++) {
			assert(ax[a].step > 0 && ax[a].fine_step > 0);
			const double v = *calib_field(k, ax[a].field);
			lo[a] = pass ? v - ax[a].below : ax[a].lo;
			hi[a] = pass ? v + ax[a].above : ax[a].hi;
			step[a] = pass ? ax[a].fine_step : ax[a].step;
		}
		for (double v0 = lo[0]; v0 <= hi[0]; v0 += step[0])
			for (double v1 = lo[1]; v1 <= hi[1]; v1 += step[1])
				for (double v2 = lo[2]; v2 <= hi[2]; v2 += step[2])
					for (double v3 = lo[3]; v3 <= hi[3]; v3 += step[3]) {
						const double v[SEARCH_AXES] = {v0, v1, v2, v3};
						bool skip = false;
						for (int a = 0; a < SEARCH_AXES; a++) {
							skip = skip || (pass && v[a] < ax[a].min);
							*calib_field(&t, ax[a].field) = v[a];
						}
						if (skip)
							continue;
						const double e = err(&t, c);
						if (e < best) {
							best = e;
							*k = t;
						}
					}
	}
}

static double cell_search_err(dn_net_calib *t, const cal_ctx *c)
{
	double worst;
	return cell_err(t, c, &worst);
}

/* Exhaustive search for the spectral-efficiency constants, then the delays. */
static void fit_cells(dn_net_calib *k, const cal_ctx *c)
{
	/* fine steps of 0.05 dB, 0.05 bit/s/Hz and 0.0025: ns-3's rates are a
	 * staircase of MCS steps, so the mean error is bumpy in the constants
	 * and a coarser fine pass stops in a side pocket (0.25 dB, 0.1, 0.01
	 * gave 2.95 % mean instead of 2.9 %, and 20.3 % worst instead of 19.4) */
	static const search_axis ax[SEARCH_AXES] = {
		{offsetof(dn_net_calib, cell_gap_db), 0, 6.001, 1, 1, 1.001, 0.05, 0},
		{offsetof(dn_net_calib, cell_sinr_min_db), -10, 0.01, 2, 2, 2.001, 0.5, -20},
		{offsetof(dn_net_calib, cell_se_max_bps_hz), 3, 10.001, 0.5, 0.5, 0.501, 0.05, 0.5},
		{offsetof(dn_net_calib, cell_se_scale), 0.3, 1.0001, 0.05, 0.05, 0.0501, 0.0025, 0.05},
	};
	grid_search(k, c, ax, cell_search_err);
	/* delay = base + queue / rate: least squares over served users */
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t m = 0;
	for (size_t i = 0; i < c->nco; i++) {
		if (c->co[i].rate_bps < MIN_DELAY_FIT_BPS)
			continue;
		const double xv = 1.0 / c->co[i].rate_bps, yv = c->co[i].delay_s;
		sx += xv; sy += yv; sxx += xv * xv; sxy += xv * yv;
		m++;
	}
	const double den = m * sxx - sx * sx;
	double q = den > 0 ? (m * sxy - sx * sy) / den : 0, b = m ? (sy - q * sx) / m : 0;
	k->cell_queue_bits = fmin(fmax(q, 0), MAX_CELL_QUEUE_BITS);
	k->cell_base_delay_s = fmin(fmax(b, 0), 1);
}

/* The layout of a mesh point, deterministic from the point and the seed:
 * chains two spacings apart (neighbours that interfere, not relays), or a
 * random layout whose flows have routes. */
static int mesh_layout(mesh_point *p, uint64_t seed)
{
	if (p->kind == MESH_RANDOM) {
		if (p->nodes < 2 || p->nodes > MESH_MAX_NODES || p->chains < 1 || p->chains > MESH_MAX_FLOWS)
			return DN_EXIT_FAIL;
		dn_net_mesh_cfg cfg;
		dn_net_mesh_cfg_default(&cfg);
		p->n = p->nodes;
		p->nf = p->chains;
		p->hops = 0;
		return dn_net_layout_random(&cfg, p->n, p->spacing_m, p->nf, seed + p->index, p->x, p->y, p->src,
					    p->dst) ? DN_EXIT_FAIL : 0;
	}
	/* from a grid file: bounded before the product can wrap */
	if (p->kind != MESH_CHAINS || p->chains > MESH_MAX_FLOWS || p->hops >= MESH_MAX_NODES)
		return DN_EXIT_FAIL;
	p->n = p->chains * (p->hops + 1);
	p->nodes = p->n;
	if (p->n > MESH_MAX_NODES || dn_net_layout_chains(p->n, p->hops, p->spacing_m, seed + p->index, p->x, p->y,
							  p->src, p->dst, &p->nf))
		return DN_EXIT_FAIL;
	assert(p->nf <= p->chains && p->nf <= MESH_MAX_FLOWS);
	for (uint32_t i = 0; i < p->n; i++)
		p->y[i] *= 2.0;
	return 0;
}

/* The mesh grids. Calibration: chains of 1-10 hops at 20, 30, 40 and 48 m
 * (one chain; two and three parallel chains up to 6 hops) and random
 * layouts of 10-50 nodes. Validation, which the fit never sees: other hop
 * counts, spacings, parallel chains, node counts and seeds. Chains further
 * apart than about 51 m (the detection range) have no route. */
typedef enum mesh_set { SET_FULL, SET_QUICK, SET_VALIDATION } mesh_set;
typedef struct mesh_spec {
	uint32_t kind, a, chains; /* a: hops (chains) or nodes (random); chains: chains or flows */
	double spacing_m;         /* spacing (chains) or side (random) */
} mesh_spec;

/* The side of a square where n nodes have about `degree` neighbours each
 * within the ~51 m detection range. */
static double random_side_m(uint32_t n, double degree)
{
	return 51.0 * sqrt(3.141592653589793 * n / degree);
}

static size_t mesh_specs(mesh_set set, mesh_spec *out, size_t cap)
{
	size_t m = 0;
#define ADD(k, a_, sp, ch) do { assert(m < cap); out[m++] = (mesh_spec){k, a_, ch, sp}; } while (0)
	if (set == SET_QUICK) {
		static const uint32_t hq[] = {1, 3};
		for (size_t a = 0; a < COUNT(hq); a++)
			ADD(MESH_CHAINS, hq[a], 40, 1);
		return m;
	}
	if (set == SET_FULL) {
		static const uint32_t hf[] = {1, 2, 3, 4, 6, 8, 10};
		static const double sf[] = {20, 30, 40, 48};
		for (size_t a = 0; a < COUNT(hf); a++)
			for (size_t b = 0; b < COUNT(sf); b++)
				for (uint32_t ch = 1; ch <= 3; ch++)
					if (ch == 1 || hf[a] <= 6)
						ADD(MESH_CHAINS, hf[a], sf[b], ch);
		static const uint32_t nf[] = {10, 20, 30, 50};
		for (size_t a = 0; a < COUNT(nf); a++)
			for (int rep = 0; rep < 2; rep++)
				ADD(MESH_RANDOM, nf[a], random_side_m(nf[a], 6 + 2 * rep), nf[a] <= 20 ? 2 : 3);
		return m;
	}
	static const uint32_t hv[] = {2, 3, 5, 7, 9};
	static const double sv[] = {25, 35, 42, 47};
	for (size_t a = 0; a < COUNT(hv); a++)
		for (size_t b = 0; b < COUNT(sv); b++)
			ADD(MESH_CHAINS, hv[a], sv[b], 1);
	static const uint32_t hv2[] = {2, 3, 5};
	static const double sv2[] = {25, 35, 45};
	for (size_t a = 0; a < COUNT(hv2); a++)
		for (size_t b = 0; b < COUNT(sv2); b++)
			ADD(MESH_CHAINS, hv2[a], sv2[b], 2);
	for (uint32_t h = 2; h <= 4; h += 2)
		for (size_t b = 0; b < COUNT(sv2); b++)
			ADD(MESH_CHAINS, h, sv2[b], 3);
	static const uint32_t nv[] = {15, 25, 40};
	for (size_t a = 0; a < COUNT(nv); a++)
		for (int rep = 0; rep < 2; rep++)
			ADD(MESH_RANDOM, nv[a], random_side_m(nv[a], 5 + 2 * rep), nv[a] <= 20 ? 2 : 3);
#undef ADD
	return m;
}

static int run_meshes(cal_ctx *c, mesh_set set, uint64_t seed, uint32_t subset)
{
	mesh_spec sp[MAX_MESH_POINTS];
	const size_t ns = mesh_specs(set, sp, COUNT(sp));
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	for (size_t i = 0; i < ns; i++) {
		if (subset > 1 && i % subset != 0)
			continue;
		assert(c->nmp < MAX_MESH_POINTS);
		mesh_point *p = &c->mp[c->nmp];
		memset(p, 0, sizeof *p);
		p->index = (uint32_t)i;
		p->kind = sp[i].kind;
		p->spacing_m = sp[i].spacing_m;
		p->chains = sp[i].chains;
		if (p->kind == MESH_RANDOM)
			p->nodes = sp[i].a;
		else
			p->hops = sp[i].a;
		if (mesh_layout(p, seed)) {
			fprintf(stderr, "dnetsim calibrate: ERROR: mesh point %zu: no layout\n", i);
			return DN_EXIT_FAIL;
		}
		/* The capacity ns-3 shows: the offered load falls down a ladder
		 * while the total carried grows. A multi-hop 802.11 path offered
		 * more than it carries carries less (the source's queue wins the
		 * medium from its relays), a collapse the capacity model does not
		 * describe; the point keeps the load that carried most. */
		const double base_bps = dn_net_mesh_offered_bps(&cfg, p->n, p->x, p->y, p->nf, p->src, p->dst);
		double best = -1;
		for (size_t l = 0; l < COUNT(load_ladder); l++) {
			dn_ns3_flow fl[MESH_MAX_FLOWS];
			const ns3_point np = {.point = p->index, .n = p->n, .x_m = p->x, .y_m = p->y, .seed = seed + p->index,
					      .measure_s = set == SET_QUICK ? MESH_MEASURE_QUICK_S : MESH_MEASURE_S,
					      .mesh = &cfg, .nf = p->nf, .src = p->src, .dst = p->dst,
					      .offered_bps = base_bps * load_ladder[l]};
			char what[160];
			if (p->kind == MESH_RANDOM)
				snprintf(what, sizeof what, "%u nodes on %.0f m x %.0f m, %u flows, %.2f Mbit/s each",
					 p->nodes, p->spacing_m, p->spacing_m, p->nf, np.offered_bps * 1e-6);
			else
				snprintf(what, sizeof what, "%u hops, %g m, %u chains, %.2f Mbit/s each", p->hops,
					 p->spacing_m, p->chains, np.offered_bps * 1e-6);
			if (run_ns3(&np, what, fl))
				return DN_EXIT_FAIL;
			double total = 0;
			for (uint32_t f = 0; f < p->nf; f++)
				total += fl[f].rx_bps;
			if (total <= best * (1 + LOAD_GAIN))
				break; /* less load carried no more: the last load was the capacity */
			best = total;
			p->offered_bps = np.offered_bps;
			for (uint32_t f = 0; f < p->nf; f++) {
				p->rate[f] = fl[f].rx_bps;
				p->delay[f] = fl[f].delay_s;
				p->ns3_hops[f] = fl[f].hops;
			}
		}
		c->nmp++;
	}
	return 0;
}

/* The one-hop distance sweep (20-52 m by 0.5 m; quick: by 4 m): where ns-3's
 * rate control changes rate, which fit_ladder turns into the ladder. */
static int run_links(cal_ctx *c, bool quick, uint64_t seed, uint32_t subset)
{
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	const double step = quick ? 4.0 : 0.5;
	uint32_t i = 0;
	for (double d = 20; d <= 52.0001; d += step, i++) {
		if (subset > 1 && i % subset != 0)
			continue;
		assert(c->nlo < MAX_LINKS);
		const double x[2] = {0, d}, y[2] = {0, 0};
		const uint32_t src = 0, dst = 1;
		dn_ns3_flow fl[1];
		const ns3_point np = {.point = i, .n = 2, .x_m = x, .y_m = y, .seed = seed + i,
				      .measure_s = quick ? MESH_MEASURE_QUICK_S : MESH_MEASURE_S,
				      .mesh = &cfg, .nf = 1, .src = &src, .dst = &dst};
		char what[64];
		snprintf(what, sizeof what, "one hop of %g m", d);
		if (run_ns3(&np, what, fl))
			return DN_EXIT_FAIL;
		c->lo[c->nlo++] = (link_obs){d, fl[0].rx_bps};
	}
	return 0;
}

/* Model rates of every mesh flow under k; returns false on model error. */
static bool mesh_pred(const dn_net_calib *k, const mesh_point *p, dn_net_flow_stat *st)
{
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	return dn_net_eval_mesh(&cfg, k, p->n, p->x, p->y, p->nf, p->src, p->dst, p->offered_bps, st) == DN_OK;
}

static int cmp_dbl(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorted); 0 for none (a grid without meshes). */
static double median_abs(double *v, size_t n)
{
	return n ? dn_cli_median(v, n) : 0;
}

/*
 * The fit's objective: the mean |log(model / ns-3)| over the flows, the
 * worst fifth left out (a trimmed mean). Robust on purpose: 802.11 DCF
 * starves some flows (the middle of three parallel chains, one of two
 * links that interfere, some flows of a random layout) that the model,
 * sharing max-min fairly, cannot single out; a plain mean lets those few
 * flows drag the constants for all the others (on the shipped grids it
 * gave a validation median of 16.3 %, the median itself 14.6 % and twice
 * the calibration grid's p90). The log is symmetric (a model at half and
 * at twice ns-3's rate are as wrong); a flow only one of the two carries
 * counts log 10; flows neither carries (no route in either) are left out.
 * *worst: the largest |relative error|.
 */
static double mesh_err(const dn_net_calib *k, const cal_ctx *c, double *worst)
{
	static double lg[MAX_MESH_POINTS * MESH_MAX_FLOWS];
	size_t m = 0;
	*worst = 0;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[MESH_MAX_FLOWS];
		if (!mesh_pred(k, &c->mp[i], st))
			return INFINITY;
		for (uint32_t f = 0; f < c->mp[i].nf; f++) {
			const double o = c->mp[i].rate[f], p = st[f].rate_bps;
			if (o <= MIN_RATE_BPS && p <= MIN_RATE_BPS)
				continue; /* neither carries it: no route in either */
			assert(m < sizeof lg / sizeof lg[0]);
			lg[m++] = o > MIN_RATE_BPS && p > MIN_RATE_BPS ? fabs(log(p / o)) : log(10.0);
			*worst = fmax(*worst, fabs(mesh_rel_err(p, o)));
		}
	}
	if (m == 0)
		return 0;
	qsort(lg, m, sizeof *lg, cmp_dbl);
	const size_t keep = m - m / TRIM_DIV;
	double sum = 0;
	for (size_t i = 0; i < keep; i++)
		sum += lg[i];
	return sum / (double)keep;
}

/* For given offsets, mac_eff in closed form: rates are proportional to
 * it, so the best factor is the median ratio of observed to predicted. */
static double mesh_try(dn_net_calib *t, const cal_ctx *c)
{
	double r[MAX_MESH_POINTS * MESH_MAX_FLOWS], w;
	size_t m = 0;
	t->mesh_mac_eff = 1;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		if (!mesh_pred(t, &c->mp[i], st))
			continue;
		for (uint32_t f = 0; f < c->mp[i].nf && m < sizeof r / sizeof r[0]; f++)
			if (st[f].rate_bps > 0 && c->mp[i].rate[f] > 0)
				r[m++] = c->mp[i].rate[f] / st[f].rate_bps;
	}
	if (m == 0)
		return INFINITY;
	qsort(r, m, sizeof *r, cmp_dbl);
	t->mesh_mac_eff = fmin(fmax(r[m / 2], MESH_MAC_EFF_MIN), MESH_MAC_EFF_MAX);
	return mesh_err(t, c, &w);
}

/*
 * The rate ladder from the one-hop sweep: every swept link is given the PHY
 * rate whose analytic goodput (dn_net_wifi_goodput_bps) is nearest its
 * observed goodput in log, with rates never rising as links grow longer
 * (dynamic programming over the sweep, least total |log error|). A rate's
 * threshold lies halfway, in dBm, between the longest link given that rate
 * or a faster one and the next; a rate given to the longest link reaches
 * the floor. No sweep (a grid without one) leaves k's ladder as it is.
 */
static void fit_ladder(dn_net_calib *k, const cal_ctx *c)
{
	enum { NR = DN_NET_WIFI_LADDER + 1 };
	static const double mbps[NR] = {54, 48, 36, 24, 18, 12, 9, 6};
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	link_obs o[MAX_LINKS];
	size_t n = 0;
	for (size_t i = 0; i < c->nlo; i++)
		if (c->lo[i].rate_bps > MIN_RATE_BPS)
			o[n++] = c->lo[i];
	if (n == 0)
		return;
	/* by distance, nearest first (insertion sort: at most MAX_LINKS) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && o[j].dist_m < o[j - 1].dist_m; j--) {
			const link_obs t = o[j];
			o[j] = o[j - 1];
			o[j - 1] = t;
		}
	static double cost[MAX_LINKS][NR];
	static int from[MAX_LINKS][NR];
	for (size_t i = 0; i < n; i++)
		for (int r = 0; r < NR; r++) {
			const double e = fabs(log(o[i].rate_bps / dn_net_wifi_goodput_bps(mbps[r] * 1e6, cfg.pkt_bits)));
			double best = i ? INFINITY : 0;
			int arg = r;
			for (int q = 0; i && q <= r; q++)
				if (cost[i - 1][q] < best) {
					best = cost[i - 1][q];
					arg = q;
				}
			cost[i][r] = best + e;
			from[i][r] = arg;
		}
	int rate[MAX_LINKS], r = 0;
	for (int q = 1; q < NR; q++)
		if (cost[n - 1][q] < cost[n - 1][r])
			r = q;
	for (size_t i = n; i-- > 0;) {
		rate[i] = r;
		r = from[i][r];
	}
	for (int j = 0; j < DN_NET_WIFI_LADDER; j++) {
		size_t last = n; /* the longest link given rate j or faster */
		for (size_t i = 0; i < n; i++)
			if (rate[i] <= j)
				last = i;
		double thr;
		if (last == n)
			thr = dn_net_wifi_rx_dbm(&cfg, o[0].dist_m) + 0.5; /* faster than any swept link */
		else if (last == n - 1)
			thr = DN_NET_WIFI_FLOOR_DBM;
		else
			thr = 0.5 * (dn_net_wifi_rx_dbm(&cfg, o[last].dist_m) + dn_net_wifi_rx_dbm(&cfg, o[last + 1].dist_m));
		k->mesh_rate_rx_dbm[j] = fmax(thr, DN_NET_WIFI_FLOOR_DBM);
	}
	for (int j = 1; j < DN_NET_WIFI_LADDER; j++) /* rounding never inverts the ladder */
		k->mesh_rate_rx_dbm[j] = fmin(k->mesh_rate_rx_dbm[j], k->mesh_rate_rx_dbm[j - 1]);
}

/* The rate ladder from the one-hop sweep, then an exhaustive search for
 * the interference constants (mac_eff in closed form with each), then the
 * delays. */
static void fit_meshes(dn_net_calib *k, const cal_ctx *c)
{
	static const search_axis ax[SEARCH_AXES] = {
		{offsetof(dn_net_calib, mesh_hidden_vuln), 0, 4.001, 0.5, 0.5, 0.5001, 0.1, 0},
		{offsetof(dn_net_calib, mesh_interf_margin_db), -12, 0.001, 2, 2, 2.001, 0.5, -INFINITY},
		/* unused axes: one value each (the delays are fitted below) */
		{offsetof(dn_net_calib, mesh_hop_delay_s), 0, 0, 1, 0, 0, 1, 0},
		{offsetof(dn_net_calib, mesh_queue_bits), 0, 0, 1, 0, 0, 1, 0},
	};
	fit_ladder(k, c);
	grid_search(k, c, ax, mesh_try);
	/* delay - sum(pkt/T) = hop_delay * hops + queue / rate: least squares */
	double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		dn_net_calib z = *k;
		z.mesh_hop_delay_s = 0;
		z.mesh_queue_bits = 0;
		if (!mesh_pred(&z, &c->mp[i], st))
			continue;
		for (uint32_t f = 0; f < c->mp[i].nf; f++) {
			if (st[f].state != DN_NET_FLOW_OK || c->mp[i].rate[f] < MIN_DELAY_FIT_BPS)
				continue;
			const double h = st[f].hops, iv = 1.0 / c->mp[i].rate[f];
			const double yv = c->mp[i].delay[f] - st[f].delay_s;
			a11 += h * h; a12 += h * iv; a22 += iv * iv; b1 += h * yv; b2 += iv * yv;
		}
	}
	const double det = a11 * a22 - a12 * a12;
	if (det > 0) {
		k->mesh_hop_delay_s = fmin(fmax((b1 * a22 - b2 * a12) / det, 0), 1);
		k->mesh_queue_bits = fmin(fmax((a11 * b2 - a12 * b1) / det, 0), MAX_MESH_QUEUE_BITS);
	}
}


/* Whether the model's route has the hop count of ns-3's (its packets' mean, which
 * differs from a whole number only while OLSR changes the route). */
static bool hops_agree(uint32_t model_hops, double ns3_hops)
{
	return ns3_hops > 0 && fabs((double)model_hops - ns3_hops) < 0.5;
}

/* Prints the per-point error table; returns the median and worst |error|
 * and (when hop_agree is not NULL) the share of mesh flows whose route has
 * ns-3's hop count. */
static void report(const dn_net_calib *k, const cal_ctx *c, FILE *f, double *med, double *worst, double *hop_agree)
{
	static double e[MAX_OBS + MAX_MESH_POINTS * MESH_MAX_FLOWS];
	size_t m = 0, agree = 0, flows = 0;
	*worst = 0;
	fprintf(f, "# kind\tpoint\tflow\tns3_bps\tmodel_bps\terr_rel\tns3_hops\tmodel_hops\tlayout\n");
	for (size_t i = 0; i < c->nco; i++) {
		const double p = cell_pred(k, &c->co[i]), o = c->co[i].rate_bps;
		const double er = cell_rel_err(p, o);
		fprintf(f, "cell\t%u\t%zu\t%.0f\t%.0f\t%.4f\t-\t-\tcell\n", c->co[i].point, i, o, p, er);
		assert(m < sizeof e / sizeof e[0]);
		e[m++] = fabs(er);
		*worst = fmax(*worst, fabs(er));
	}
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[MESH_MAX_FLOWS];
		const mesh_point *p = &c->mp[i];
		if (!mesh_pred(k, p, st))
			continue;
		char lay[64];
		if (p->kind == MESH_RANDOM)
			snprintf(lay, sizeof lay, "random:%u nodes:%.0f m", p->nodes, p->spacing_m);
		else
			snprintf(lay, sizeof lay, "chains:%u hops:%g m:%u", p->hops, p->spacing_m, p->chains);
		for (uint32_t fl = 0; fl < p->nf; fl++) {
			const double o = p->rate[fl];
			const double er = mesh_rel_err(st[fl].rate_bps, o);
			fprintf(f, "mesh\t%u\t%u\t%.0f\t%.0f\t%.4f\t%.2f\t%u\t%s\n", p->index, fl, o, st[fl].rate_bps, er,
				p->ns3_hops[fl], st[fl].hops, lay);
			assert(m < sizeof e / sizeof e[0]);
			e[m++] = fabs(er);
			*worst = fmax(*worst, fabs(er));
			flows++;
			agree += hops_agree(st[fl].hops, p->ns3_hops[fl]);
		}
	}
	*med = median_abs(e, m);
	if (hop_agree)
		*hop_agree = flows ? (double)agree / (double)flows : 0;
}

/* The observation table written next to the calibration: enough to refit
 * without ns-3 (mesh layouts are regenerated from point index and seed). */
static int write_grid(const char *path, const cal_ctx *c, uint64_t seed)
{
	/* written beside the target and renamed over it: a failed write leaves
	 * the old table whole */
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.part", path) >= (int)sizeof tmp) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s: path too long\n", path);
		return DN_EXIT_FAIL;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s: cannot write\n", tmp);
		return DN_EXIT_FAIL;
	}
	fprintf(f, "# dnetsim calibration grid: ns-3 observations (written by `dnetsim calibrate`)\n"
		   "# cell point sched users bw_hz radius_m sinr_lin rate_bps delay_s\n"
		   "# (a cell's rate_bps: ns-3's count over the served part of the window, measure - delay)\n"
		   "# link dist_m rate_bps (the one-hop distance sweep)\n"
		   "# mesh index kind hops_or_nodes spacing_or_side_m chains_or_flows flow rate_bps delay_s ns3_hops offered_bps\n"
		   "# (kind 0: parallel chains; kind 1: random layout on a square)\n"
		   "dnetsim-net-grid 2 %llu\n", (unsigned long long)seed);
	for (size_t i = 0; i < c->nco; i++) {
		const cell_obs *o = &c->co[i];
		fprintf(f, "cell %u %d %.0f %.0f %.17g %.17g %.17g %.17g\n", o->point, o->sched, o->n, o->bw_hz,
			o->radius_m, o->sinr_lin, o->rate_bps, o->delay_s);
	}
	for (size_t i = 0; i < c->nlo; i++)
		fprintf(f, "link %.17g %.17g\n", c->lo[i].dist_m, c->lo[i].rate_bps);
	for (size_t i = 0; i < c->nmp; i++) {
		const mesh_point *p = &c->mp[i];
		for (uint32_t fl = 0; fl < p->nf; fl++)
			fprintf(f, "mesh %u %u %u %.17g %u %u %.17g %.17g %.17g %.17g\n", p->index, p->kind,
				p->kind == MESH_RANDOM ? p->nodes : p->hops, p->spacing_m, p->chains, fl, p->rate[fl],
				p->delay[fl], p->ns3_hops[fl], p->offered_bps);
	}
	const bool bad = ferror(f) != 0;
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s: write error\n", path);
		remove(tmp);
		return DN_EXIT_FAIL;
	}
	return 0;
}

static int read_grid(const char *path, cal_ctx *c, uint64_t *seed)
{
	char why[160];
	FILE *f = dn_fopen_input(path, (uint64_t)16 << 20, why, sizeof why);
	if (!f) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s: cannot open the calibration grid: %s\n", path, why);
		return DN_EXIT_FAIL;
	}
	char line[512];
	int ln = 0, have = 0, rc = 0;
	const char *why_bad = "malformed calibration grid line";
	while (!rc && fgets(line, sizeof line, f)) {
		ln++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		unsigned long long sd;
		unsigned ver;
		cell_obs o;
		unsigned pt, kind, a, chains, fl;
		double sp, rate, delay, hops, dist, offered;
		char tail;
		if (!have) {
			if (sscanf(line, "dnetsim-net-grid %u %llu", &ver, &sd) != 2) {
				rc = 1;
			} else if (ver != 2) {
				rc = 1;
				why_bad = "a version 1 grid has no one-hop distance sweep and no ns-3 hop counts: run "
					  "`dnetsim calibrate` again to make a version 2 grid";
			}
			*seed = sd;
			have = 1;
		} else if (sscanf(line, "cell %u %d %lf %lf %lf %lf %lf %lf %c", &o.point, &o.sched, &o.n, &o.bw_hz,
				  &o.radius_m, &o.sinr_lin, &o.rate_bps, &o.delay_s, &tail) == 8 && c->nco < MAX_OBS) {
			c->co[c->nco++] = o;
		} else if (sscanf(line, "link %lf %lf %c", &dist, &rate, &tail) == 2 && c->nlo < MAX_LINKS &&
			   dist > 0 && isfinite(dist) && rate >= 0 && isfinite(rate)) {
			c->lo[c->nlo++] = (link_obs){dist, rate};
		} else if (sscanf(line, "mesh %u %u %u %lf %u %u %lf %lf %lf %lf %c", &pt, &kind, &a, &sp, &chains, &fl,
				  &rate, &delay, &hops, &offered, &tail) == 10 && offered > 0 && isfinite(offered)) {
			mesh_point *p = c->nmp ? &c->mp[c->nmp - 1] : NULL;
			if (!p || p->index != pt) {
				if (c->nmp >= MAX_MESH_POINTS || !(sp > 0) || !isfinite(sp)) {
					rc = 1;
					break;
				}
				p = &c->mp[c->nmp++];
				memset(p, 0, sizeof *p);
				p->index = pt;
				p->kind = kind;
				if (kind == MESH_RANDOM)
					p->nodes = a;
				else
					p->hops = a;
				p->spacing_m = sp;
				p->chains = chains;
				p->offered_bps = offered;
				if (mesh_layout(p, *seed)) {
					rc = 1;
					why_bad = "a mesh point whose layout cannot be made";
					break;
				}
			}
			if (fl >= p->nf || !isfinite(rate) || !isfinite(delay) || !isfinite(hops))
				rc = 1;
			else {
				p->rate[fl] = rate;
				p->delay[fl] = delay;
				p->ns3_hops[fl] = hops;
			}
		} else {
			rc = 1;
		}
	}
	fclose(f);
	if (rc || !have) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s:%d: %s\n", path, ln, why_bad);
		return DN_EXIT_FAIL;
	}
	return 0;
}

static void fit_all(dn_net_calib *k, const cal_ctx *c)
{
	memset(k, 0, sizeof *k);
	k->version = DN_NET_CALIB_VERSION;
	fit_cells(k, c);
	fit_meshes(k, c);
}

/* Medians and worst |errors| of cells and of meshes apart (mesh flows
 * neither ns-3 nor the model carries, no route in either, left out). */
static void split_medians(const dn_net_calib *k, const cal_ctx *c, double *cell_med, double *mesh_med,
			  double *mesh_worst)
{
	static double e[MAX_OBS];
	size_t m = 0;
	assert(c->nco <= MAX_OBS && c->nmp * MESH_MAX_FLOWS <= MAX_OBS);
	for (size_t i = 0; i < c->nco; i++)
		e[m++] = fabs(cell_rel_err(cell_pred(k, &c->co[i]), c->co[i].rate_bps));
	*cell_med = median_abs(e, m);
	m = 0;
	*mesh_worst = 0;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[MESH_MAX_FLOWS];
		if (!mesh_pred(k, &c->mp[i], st))
			continue;
		for (uint32_t f = 0; f < c->mp[i].nf; f++) {
			if (c->mp[i].rate[f] <= MIN_RATE_BPS && st[f].rate_bps <= MIN_RATE_BPS)
				continue; /* neither carries it: no route in either */
			e[m] = fabs(mesh_rel_err(st[f].rate_bps, c->mp[i].rate[f]));
			*mesh_worst = fmax(*mesh_worst, e[m]);
			m++;
		}
	}
	*mesh_med = median_abs(e, m);
}

/* --check: the shipped grid refits to the shipped constants, and a subset
 * of the grid rerun in ns-3 reproduces the shipped observations. */
static int do_check(const char *file, const char *grid, uint32_t subset, double tol)
{
	dn_net_calib ref, k;
	char err[512];
	if (dn_net_calib_load(file, &ref, err, sizeof err)) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s\n", err);
		return DN_EXIT_FAIL;
	}
	cal_ctx g = {0}, s = {0};
	int rc = DN_EXIT_FAIL;
	uint64_t seed = 0;
	g.co = calloc(MAX_OBS, sizeof *g.co);
	g.mp = calloc(MAX_MESH_POINTS, sizeof *g.mp);
	s.co = calloc(MAX_OBS, sizeof *s.co);
	s.mp = calloc(MAX_MESH_POINTS, sizeof *s.mp);
	if (!g.co || !g.mp || !s.co || !s.mp || read_grid(grid, &g, &seed))
		goto out;
	fit_all(&k, &g);
	const double *a = &k.cell_se_scale, *b = &ref.cell_se_scale;
	const size_t nk = (sizeof k - offsetof(dn_net_calib, cell_se_scale)) / sizeof(double);
	double kdiff = 0;
	for (size_t i = 0; i < nk; i++)
		kdiff = fmax(kdiff, fabs(a[i] - b[i]) / fmax(fabs(b[i]), CHECK_CONST_FLOOR));
	printf("# refit from %s: constants differ from %s by at most %.3g (relative)\n", grid, file, kdiff);
	if (run_cells(&s, false, seed, subset) || run_links(&s, false, seed, subset) ||
	    run_meshes(&s, SET_FULL, seed, subset))
		goto out;
	double odiff = 0;
	size_t matched = 0;
	for (size_t i = 0; i < s.nco; i++)
		for (size_t j = 0; j < g.nco; j++)
			if (g.co[j].point == s.co[i].point && fabs(g.co[j].sinr_lin - s.co[i].sinr_lin) <=
				    CHECK_SINR_MATCH * g.co[j].sinr_lin) {
				odiff = fmax(odiff, fabs(s.co[i].rate_bps - g.co[j].rate_bps) /
							    fmax(g.co[j].rate_bps, MIN_RATE_BPS));
				matched++;
				break;
			}
	for (size_t i = 0; i < s.nlo; i++)
		for (size_t j = 0; j < g.nlo; j++)
			if (fabs(g.lo[j].dist_m - s.lo[i].dist_m) < 1e-9) {
				odiff = fmax(odiff, fabs(s.lo[i].rate_bps - g.lo[j].rate_bps) /
							    fmax(g.lo[j].rate_bps, MIN_RATE_BPS));
				matched++;
				break;
			}
	for (size_t i = 0; i < s.nmp; i++)
		for (size_t j = 0; j < g.nmp; j++)
			if (g.mp[j].index == s.mp[i].index)
				for (uint32_t f = 0; f < s.mp[i].nf; f++) {
					odiff = fmax(odiff, fabs(s.mp[i].rate[f] - g.mp[j].rate[f]) /
								    fmax(g.mp[j].rate[f], MIN_RATE_BPS));
					matched++;
				}
	const size_t want = s.nco + s.nlo;
	size_t want_m = 0;
	for (size_t i = 0; i < s.nmp; i++)
		want_m += s.mp[i].nf;
	printf("# reran every %u-th grid point in ns-3 (%zu cell users, %zu links, %zu mesh points): observations "
	       "differ from the shipped grid by at most %.3g (relative); %zu of %zu matched\n", subset, s.nco, s.nlo,
	       s.nmp, odiff, matched, want + want_m);
	rc = (kdiff <= CHECK_CONST_TOL && odiff <= tol && matched == want + want_m) ? DN_EXIT_OK : DN_EXIT_FAIL;
	if (rc)
		fprintf(stderr, "dnetsim calibrate: check FAILED (tolerance %g)\n", tol);
out:
	free(g.co);
	free(g.mp);
	free(s.co);
	free(s.mp);
	return rc;
}

/* Fits, prints the error table and writes the calibration file. */
static int fit_and_save(const cal_ctx *c, const char *out, const char *what, uint64_t seed)
{
	dn_net_calib k;
	char err[512];
	fit_all(&k, c);
	double med, worst, cm, mm, mw, hop;
	report(&k, c, stdout, &med, &worst, &hop);
	split_medians(&k, c, &cm, &mm, &mw);
	printf("# fitted: per-flow throughput |error| median %.2f %% (cells %.2f %%, meshes %.2f %%), worst %.2f %% "
	       "(meshes %.2f %%); mesh routes with ns-3's hop count %.1f %%; %zu cell users, %zu links, %zu mesh "
	       "points\n", med * 100, cm * 100, mm * 100, worst * 100, mw * 100, hop * 100, c->nco, c->nlo, c->nmp);
	char comment[512];
	snprintf(comment, sizeof comment,
		 "grid: %s, seed %llu; %zu cell users, %zu links, %zu mesh points\n"
		 "per-flow throughput |error| vs ns-3: median %.2f %% (cells %.2f %%, meshes %.2f %%), worst %.2f %% "
		 "(meshes %.2f %%)\nmesh routes with ns-3's hop count: %.1f %%",
		 what, (unsigned long long)seed, c->nco, c->nlo, c->nmp, med * 100, cm * 100, mm * 100, worst * 100,
		 mw * 100, hop * 100);
	if (dn_net_calib_save(out, &k, comment, err, sizeof err)) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s\n", err);
		return DN_EXIT_FAIL;
	}
	return 0;
}

/* The model under a calibration file against a grid of mesh observations
 * (the validation grid): the per-flow table and a summary line. */
/* The nearest-rank q-quantile of v[0..n) (sorted here); 0 for none. */
static double quantile(double *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_dbl);
	size_t r = (size_t)ceil(q * (double)n);
	return v[r > 0 ? r - 1 : 0];
}

/* One summary line a kind of layout (one chain, parallel chains, random,
 * all): per-flow |error| median, 90th percentile, worst and how many flows
 * are over 40 %; the same of each layout's total over its flows; the share
 * of flows routed with ns-3's hop count. Flows neither carries are left
 * out, as everywhere. */
static void summary_by_kind(const dn_net_calib *k, const cal_ctx *c)
{
	static const char *const names[] = {"one chain", "parallel chains", "random layouts", "all"};
	static double fe[MAX_MESH_POINTS * MESH_MAX_FLOWS], pe[MAX_MESH_POINTS];
	for (int kind = 0; kind < 4; kind++) {
		size_t nf = 0, np = 0, over = 0, agree = 0, routed = 0;
		for (size_t i = 0; i < c->nmp; i++) {
			const mesh_point *p = &c->mp[i];
			const int pk = p->kind == MESH_RANDOM ? 2 : p->chains > 1 ? 1 : 0;
			dn_net_flow_stat st[MESH_MAX_FLOWS];
			if ((kind < 3 && pk != kind) || !mesh_pred(k, p, st))
				continue;
			double o = 0, m = 0;
			for (uint32_t f = 0; f < p->nf; f++) {
				routed++;
				agree += hops_agree(st[f].hops, p->ns3_hops[f]);
				if (p->rate[f] <= MIN_RATE_BPS && st[f].rate_bps <= MIN_RATE_BPS)
					continue;
				fe[nf] = fabs(mesh_rel_err(st[f].rate_bps, p->rate[f]));
				over += fe[nf] > 0.4;
				nf++;
				o += p->rate[f];
				m += st[f].rate_bps;
			}
			if (o > MIN_RATE_BPS)
				pe[np++] = fabs(m - o) / o;
		}
		if (routed == 0)
			continue;
		const double fmed = median_abs(fe, nf), f90 = quantile(fe, nf, 0.9), fmax = nf ? fe[nf - 1] : 0;
		const double pmed = median_abs(pe, np), p90 = quantile(pe, np, 0.9), pmax = np ? pe[np - 1] : 0;
		printf("# by layout: %s: %zu points, %zu flows: per-flow |error| median %.1f %%, 90th percentile %.1f %%, "
		       "worst %.0f %%, %zu over 40 %%; layout totals median %.1f %%, 90th percentile %.1f %%, worst %.0f "
		       "%%; routes with ns-3's hop count %.1f %%\n", names[kind], np, nf, fmed * 100, f90 * 100,
		       fmax * 100, over, pmed * 100, p90 * 100, pmax * 100, 100.0 * (double)agree / (double)routed);
	}
}

static int validate(const cal_ctx *c, const char *calibration, const char *grid)
{
	dn_net_calib k;
	char err[512];
	if (dn_net_calib_load(calibration, &k, err, sizeof err)) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s\n", err);
		return DN_EXIT_FAIL;
	}
	double med, worst, cm, mm, mw, hop;
	report(&k, c, stdout, &med, &worst, &hop);
	split_medians(&k, c, &cm, &mm, &mw);
	size_t flows = 0;
	for (size_t i = 0; i < c->nmp; i++)
		flows += c->mp[i].nf;
	summary_by_kind(&k, c);
	printf("# validation: %s against %s: %zu mesh points, %zu flows: per-flow throughput |error| median "
	       "%.2f %%, worst %.2f %%; routes with ns-3's hop count %.1f %%\n", calibration, grid, c->nmp, flows,
	       mm * 100, mw * 100, hop * 100);
	return DN_EXIT_OK;
}

/* What `dnetsim calibrate` takes from the command line. */
typedef struct cal_opts {
	const char *out, *check, *grid, *validate, *calibration;
	bool quick, refit, validation, seed_given;
	double tol;
	uint64_t seed;
	unsigned long subset;
} cal_opts;

/* Reads the value of option a (--out ... --subset) from v into o; false,
 * with a message, if a number option's value is not a number. */
static bool cal_opt_value(cal_opts *o, const char *a, const char *v)
{
	char *ep = NULL;
	if (strcmp(a, "--out") == 0)
		o->out = v;
	else if (strcmp(a, "--check") == 0)
		o->check = v;
	else if (strcmp(a, "--grid") == 0)
		o->grid = v;
	else if (strcmp(a, "--validate") == 0)
		o->validate = v;
	else if (strcmp(a, "--calibration") == 0)
		o->calibration = v;
	else if (strcmp(a, "--seed") == 0) {
		o->seed = strtoull(v, &ep, 10);
		o->seed_given = true;
	}
	else if (strcmp(a, "--subset") == 0)
		o->subset = strtoul(v, &ep, 10);
	else
		o->tol = strtod(v, &ep);
	if (ep && (*ep || ep == v)) {
		fprintf(stderr, "dnetsim calibrate: %s: not a number: '%s'\n", a, v);
		return false;
	}
	return true;
}

/* Parses argv into o; returns -1 to go on, or the exit code to stop with. */
static int cal_parse(int argc, char **argv, cal_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0) {
			cal_help(stdout);
			return DN_EXIT_OK;
		} else if (strcmp(a, "--quick") == 0) {
			o->quick = true;
		} else if (strcmp(a, "--refit") == 0) {
			o->refit = true;
		} else if (strcmp(a, "--validation") == 0) {
			o->validation = true;
		} else if ((strcmp(a, "--out") == 0 || strcmp(a, "--check") == 0 || strcmp(a, "--seed") == 0 ||
			    strcmp(a, "--validate") == 0 || strcmp(a, "--calibration") == 0 ||
			    strcmp(a, "--tolerance") == 0 || strcmp(a, "--grid") == 0 || strcmp(a, "--subset") == 0) &&
			   i + 1 < argc) {
			if (!cal_opt_value(o, a, argv[++i]))
				return DN_EXIT_USAGE;
		} else {
			fprintf(stderr, "dnetsim calibrate: unexpected argument '%s' (see --help)\n", a);
			return DN_EXIT_USAGE;
		}
	}
	if (!(o->tol > 0 && o->tol < 10) || o->subset < 1 || o->subset > 1000) {
		fprintf(stderr, "dnetsim calibrate: --tolerance must be in (0, 10) and --subset in 1..1000\n");
		return DN_EXIT_USAGE;
	}
	return -1;
}

/* Refits from the grid, or runs the cells and meshes, fits and writes the
 * calibration and the grid; the exit code. */
static int cal_fit(cal_ctx *c, const cal_opts *o)
{
	if (o->refit) {
		uint64_t gseed = 0;
		if (read_grid(o->grid, c, &gseed) || fit_and_save(c, o->out, "full", gseed))
			return DN_EXIT_FAIL;
		fprintf(stderr, "wrote %s (refit from %s)\n", o->out, o->grid);
		return DN_EXIT_OK;
	}
	if (run_cells(c, o->quick, o->seed, 1) || run_links(c, o->quick, o->seed, 1) ||
	    run_meshes(c, o->quick ? SET_QUICK : SET_FULL, o->seed, 1))
		return DN_EXIT_FAIL;
	if (fit_and_save(c, o->out, o->quick ? "quick" : "full", o->seed))
		return DN_EXIT_FAIL;
	if (write_grid(o->grid ? o->grid : "calibration-grid.tsv", c, o->seed))
		return DN_EXIT_FAIL;
	fprintf(stderr, "wrote %s and %s\n", o->out, o->grid ? o->grid : "calibration-grid.tsv");
	return DN_EXIT_OK;
}

/* --validation: runs ns-3 over the validation grid, writes it and reports
 * the calibration against it; --validate: reports against a written one. */
static int cal_validate(cal_ctx *c, const cal_opts *o)
{
	const char *calib = o->calibration ? o->calibration : dn_net_calib_default_path();
	if (o->validate) {
		uint64_t gseed = 0;
		if (read_grid(o->validate, c, &gseed))
			return DN_EXIT_FAIL;
		return validate(c, calib, o->validate);
	}
	const char *grid = o->grid ? o->grid : "validation-grid.tsv";
	/* seeds the calibration grid never uses unless asked */
	const uint64_t seed = o->seed_given ? o->seed : VALIDATION_SEED;
	if (run_meshes(c, SET_VALIDATION, seed, 1) || write_grid(grid, c, seed))
		return DN_EXIT_FAIL;
	fprintf(stderr, "wrote %s\n", grid);
	return validate(c, calib, grid);
}

int dn_cmd_calibrate(int argc, char **argv)
{
	cal_opts o = {.out = "calibration.txt", .tol = 0.02, .seed = 1, .subset = 8};
	const int prc = cal_parse(argc, argv, &o);
	if (prc >= 0)
		return prc;
	if (o.check) {
		if (!o.grid) {
			fprintf(stderr, "dnetsim calibrate: --check needs --grid (the observation table shipped with it)\n");
			return DN_EXIT_USAGE;
		}
		return do_check(o.check, o.grid, (uint32_t)o.subset, o.tol);
	}
	if (o.refit && !o.grid) {
		fprintf(stderr, "dnetsim calibrate: --refit needs --grid (the observation table to fit)\n");
		return DN_EXIT_USAGE;
	}
	cal_ctx c = {0};
	c.co = calloc(MAX_OBS, sizeof *c.co);
	c.mp = calloc(MAX_MESH_POINTS, sizeof *c.mp);
	int rc = DN_EXIT_FAIL;
	if (c.co && c.mp)
		rc = o.validate || o.validation ? cal_validate(&c, &o) : cal_fit(&c, &o);
	free(c.co);
	free(c.mp);
	return rc;
}

#else

int dn_cmd_calibrate(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		cal_help(stdout);
		return DN_EXIT_OK;
	}
	fprintf(stderr, "dnetsim calibrate: ERROR: this dnetsim was built without ns-3; calibration "
			"runs the ns-3 shim (install libns3-dev and rebuild with -DDNET_WITH_NS3=ON). "
			"The shipped models/net/calibration.txt is used meanwhile.\n");
	return DN_EXIT_FAIL;
}

#endif
