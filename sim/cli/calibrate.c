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
 * least squares on delay = base + queue / rate. Mesh grid: hops x spacing
 * x parallel chains (802.11a ad hoc, OLSR), the model's flows offered the
 * ns-3 run's load; fitted: sensitivity offset, rate slope, interference
 * margin and the hidden-terminal vulnerability exponent by search, mac_eff
 * in closed form (rates scale with it), delays by least squares. --refit
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
		"Runs the ns-3 shim over the calibration grid (docs/network-models.md), fits\n"
		"the flow-model constants and writes them (default ./calibration.txt) with\n"
		"the ns-3 observations (default ./calibration-grid.tsv). The shipped pair is\n"
		"models/net/calibration.txt and calibration-grid.tsv. --quick: a small grid.\n"
		"Prints the per-flow error table.\n"
		"--check: refit from GRID and require FILE's constants back (" STR(CHECK_CONST_TOL) "), and rerun\n"
		"every K-th grid point (default 8) in ns-3 and require GRID's observations\n"
		"back within T (default 0.02). Exit 1 if either fails.\n"
		"--refit: fit to GRID's observations without running ns-3, print the error\n"
		"table and write FILE (GRID is left as it is).\n");
}

#ifdef DN_HAVE_NS3

#define MAX_OBS 4096
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* A mesh grid point: at most this many nodes and flows (its arrays). */
#define MESH_MAX_NODES 64
#define MESH_MAX_FLOWS 16
#define MAX_MESH_POINTS 64
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

typedef struct mesh_point {
	uint32_t n, hops, chains, index;
	double spacing_m;
	double x[MESH_MAX_NODES], y[MESH_MAX_NODES];
	uint32_t src[MESH_MAX_FLOWS], dst[MESH_MAX_FLOWS], nf;
	double rate[MESH_MAX_FLOWS], delay[MESH_MAX_FLOWS];
} mesh_point;

typedef struct cal_ctx {
	cell_obs *co;
	size_t nco;
	mesh_point *mp;
	size_t nmp;
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

/* The model's relative error on a mesh flow: 1 where ns-3 did not carry it. */
static double mesh_rel_err(double model_bps, double ns3_bps)
{
	return ns3_bps > MIN_RATE_BPS ? (model_bps - ns3_bps) / ns3_bps : 1.0;
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
						 p->measure_s, fl, &info, err, sizeof err);
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

/* The layout of a mesh point: chains two spacings apart (neighbours that
 * interfere, not relays). Deterministic from the point and the seed. */
static int mesh_layout(mesh_point *p, uint64_t seed)
{
	/* from a grid file: bounded before the product can wrap */
	if (p->chains > MESH_MAX_FLOWS || p->hops >= MESH_MAX_NODES)
		return DN_EXIT_FAIL;
	p->n = p->chains * (p->hops + 1);
	if (p->n > MESH_MAX_NODES || dn_net_layout_chains(p->n, p->hops, p->spacing_m, seed + p->index, p->x, p->y,
							  p->src, p->dst, &p->nf))
		return DN_EXIT_FAIL;
	assert(p->nf <= p->chains && p->nf <= MESH_MAX_FLOWS);
	for (uint32_t i = 0; i < p->n; i++)
		p->y[i] *= 2.0;
	return 0;
}

static int run_meshes(cal_ctx *c, bool quick, uint64_t seed, uint32_t subset)
{
	static const uint32_t hops_full[] = {1, 2, 3, 4, 5}, hops_quick[] = {1, 3};
	static const double sp_full_m[] = {30, 45}, sp_quick_m[] = {40};
	const uint32_t *hops = quick ? hops_quick : hops_full;
	const double *sp_m = quick ? sp_quick_m : sp_full_m;
	const size_t nh = quick ? COUNT(hops_quick) : COUNT(hops_full),
		     ns = quick ? COUNT(sp_quick_m) : COUNT(sp_full_m);
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	uint32_t index = 0;
	for (size_t a = 0; a < nh; a++)
		for (size_t b = 0; b < ns; b++)
			for (uint32_t chains = 1; chains <= 2; chains++) {
				if (chains == 2 && (quick || hops[a] > 3))
					continue;
				const uint32_t idx = index++;
				if (subset > 1 && idx % subset != 0)
					continue;
				assert(c->nmp < MAX_MESH_POINTS);
				mesh_point *p = &c->mp[c->nmp];
				memset(p, 0, sizeof *p);
				p->index = idx;
				p->hops = hops[a];
				p->spacing_m = sp_m[b];
				p->chains = chains;
				if (mesh_layout(p, seed))
					return DN_EXIT_FAIL;
				dn_ns3_flow fl[MESH_MAX_FLOWS];
				const ns3_point np = {.point = p->index, .n = p->n, .x_m = p->x, .y_m = p->y,
						      .seed = seed + p->index,
						      .measure_s = quick ? MESH_MEASURE_QUICK_S : MESH_MEASURE_S,
						      .mesh = &cfg, .nf = p->nf, .src = p->src, .dst = p->dst};
				char what[128];
				snprintf(what, sizeof what, "%u hops, %g m, %u chains", p->hops, p->spacing_m, chains);
				if (run_ns3(&np, what, fl))
					return DN_EXIT_FAIL;
				for (uint32_t f = 0; f < p->nf; f++) {
					p->rate[f] = fl[f].rx_bps;
					p->delay[f] = fl[f].delay_s;
				}
				c->nmp++;
			}
	return 0;
}

/* Model rates of every mesh flow under k; returns false on model error. */
static bool mesh_pred(const dn_net_calib *k, const mesh_point *p, dn_net_flow_stat *st)
{
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	return dn_net_eval_mesh(&cfg, k, p->n, p->x, p->y, p->nf, p->src, p->dst, st) == DN_OK;
}

static int cmp_dbl(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double mesh_err(const dn_net_calib *k, const cal_ctx *c, double *worst)
{
	double sum = 0;
	size_t m = 0;
	*worst = 0;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		if (!mesh_pred(k, &c->mp[i], st))
			return INFINITY;
		for (uint32_t f = 0; f < c->mp[i].nf; f++) {
			const double e = fabs(mesh_rel_err(st[f].rate_bps, c->mp[i].rate[f]));
			sum += e;
			m++;
			if (e > *worst)
				*worst = e;
		}
	}
	return m ? sum / m : 0;
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

/* Exhaustive search for the link and interference constants (mac_eff in
 * closed form with each), then the delays. */
static void fit_meshes(dn_net_calib *k, const cal_ctx *c)
{
	/* the fine pass keeps the rate ladder physical: a spread of at least
	 * 0.3 of the standard's and a shift of at most 8 dB */
	static const search_axis ax[SEARCH_AXES] = {
		{offsetof(dn_net_calib, mesh_hidden_vuln), 0, 4.001, 0.5, 0.5, 0.5001, 0.1, 0},
		{offsetof(dn_net_calib, mesh_sens_offset_db), -6, 4.001, 2, 2, 2.001, 1, -8},
		{offsetof(dn_net_calib, mesh_interf_margin_db), -6, 16.001, 4, 4, 4.001, 1, -INFINITY},
		{offsetof(dn_net_calib, mesh_rate_slope), 0.4, 1.0001, 0.2, 0.1, 0.1001, 0.05, 0.3},
	};
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

/* The median of v[0..n) (sorted); 0 for none (a grid without meshes). */
static double median_abs(double *v, size_t n)
{
	return n ? dn_cli_median(v, n) : 0;
}

/* Prints the per-point error table; returns the median and worst |error|. */
static void report(const dn_net_calib *k, const cal_ctx *c, FILE *f, double *med, double *worst)
{
	static double e[MAX_OBS + MAX_MESH_POINTS * MESH_MAX_FLOWS];
	size_t m = 0;
	*worst = 0;
	fprintf(f, "# kind\tpoint\tflow\tns3_bps\tmodel_bps\terr_rel\n");
	for (size_t i = 0; i < c->nco; i++) {
		const double p = cell_pred(k, &c->co[i]), o = c->co[i].rate_bps;
		const double er = cell_rel_err(p, o);
		fprintf(f, "cell\t%u\t%zu\t%.0f\t%.0f\t%.4f\n", c->co[i].point, i, o, p, er);
		assert(m < sizeof e / sizeof e[0]);
		e[m++] = fabs(er);
		*worst = fmax(*worst, fabs(er));
	}
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		if (!mesh_pred(k, &c->mp[i], st))
			continue;
		for (uint32_t fl = 0; fl < c->mp[i].nf; fl++) {
			const double o = c->mp[i].rate[fl];
			const double er = mesh_rel_err(st[fl].rate_bps, o);
			fprintf(f, "mesh\t%zu\t%u\t%.0f\t%.0f\t%.4f\n", i, fl, o, st[fl].rate_bps, er);
			assert(m < sizeof e / sizeof e[0]);
			e[m++] = fabs(er);
			*worst = fmax(*worst, fabs(er));
		}
	}
	*med = median_abs(e, m);
}

/* The observation table written next to the calibration: enough to refit
 * without ns-3 (mesh layouts are regenerated from point index and seed). */
static int write_grid(const char *path, const cal_ctx *c, uint64_t seed)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s: cannot write\n", path);
		return DN_EXIT_FAIL;
	}
	fprintf(f, "# dnetsim calibration grid: ns-3 observations (written by `dnetsim calibrate`)\n"
		   "# cell point sched users bw_hz radius_m sinr_lin rate_bps delay_s\n"
		   "# (a cell's rate_bps: ns-3's count over the served part of the window, measure - delay)\n"
		   "# mesh index hops spacing_m chains flow rate_bps delay_s\n"
		   "dnetsim-net-grid 1 %llu\n", (unsigned long long)seed);
	for (size_t i = 0; i < c->nco; i++) {
		const cell_obs *o = &c->co[i];
		fprintf(f, "cell %u %d %.0f %.0f %.17g %.17g %.17g %.17g\n", o->point, o->sched, o->n, o->bw_hz,
			o->radius_m, o->sinr_lin, o->rate_bps, o->delay_s);
	}
	for (size_t i = 0; i < c->nmp; i++)
		for (uint32_t fl = 0; fl < c->mp[i].nf; fl++)
			fprintf(f, "mesh %u %u %.17g %u %u %.17g %.17g\n", c->mp[i].index, c->mp[i].hops,
				c->mp[i].spacing_m, c->mp[i].chains, fl, c->mp[i].rate[fl], c->mp[i].delay[fl]);
	return fclose(f) == 0 ? 0 : DN_EXIT_FAIL;
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
	while (!rc && fgets(line, sizeof line, f)) {
		ln++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		unsigned long long sd;
		cell_obs o;
		unsigned pt, hops, chains, fl;
		double sp, rate, delay;
		if (!have) {
			if (sscanf(line, "dnetsim-net-grid 1 %llu", &sd) != 1)
				rc = 1;
			*seed = sd;
			have = 1;
		} else if (sscanf(line, "cell %u %d %lf %lf %lf %lf %lf %lf", &o.point, &o.sched, &o.n, &o.bw_hz,
				  &o.radius_m, &o.sinr_lin, &o.rate_bps, &o.delay_s) == 8 && c->nco < MAX_OBS) {
			c->co[c->nco++] = o;
		} else if (sscanf(line, "mesh %u %u %lf %u %u %lf %lf", &pt, &hops, &sp, &chains, &fl, &rate, &delay) == 7) {
			mesh_point *p = c->nmp ? &c->mp[c->nmp - 1] : NULL;
			if (!p || p->index != pt) {
				if (c->nmp >= MAX_MESH_POINTS) {
					rc = 1;
					break;
				}
				p = &c->mp[c->nmp++];
				memset(p, 0, sizeof *p);
				p->index = pt;
				p->hops = hops;
				p->spacing_m = sp;
				p->chains = chains;
				if (mesh_layout(p, *seed)) {
					rc = 1;
					break;
				}
			}
			if (fl >= p->nf)
				rc = 1;
			else {
				p->rate[fl] = rate;
				p->delay[fl] = delay;
			}
		} else {
			rc = 1;
		}
	}
	fclose(f);
	if (rc || !have) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s:%d: malformed calibration grid line\n", path, ln);
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

static void split_medians(const dn_net_calib *k, const cal_ctx *c, double *cell_med, double *mesh_med)
{
	static double e[MAX_OBS];
	size_t m = 0;
	assert(c->nco <= MAX_OBS && c->nmp * MESH_MAX_FLOWS <= MAX_OBS);
	for (size_t i = 0; i < c->nco; i++)
		e[m++] = fabs(cell_rel_err(cell_pred(k, &c->co[i]), c->co[i].rate_bps));
	*cell_med = median_abs(e, m);
	m = 0;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		if (!mesh_pred(k, &c->mp[i], st))
			continue;
		for (uint32_t f = 0; f < c->mp[i].nf; f++)
			e[m++] = fabs(mesh_rel_err(st[f].rate_bps, c->mp[i].rate[f]));
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
	if (run_cells(&s, false, seed, subset) || run_meshes(&s, false, seed, subset))
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
	for (size_t i = 0; i < s.nmp; i++)
		for (size_t j = 0; j < g.nmp; j++)
			if (g.mp[j].index == s.mp[i].index)
				for (uint32_t f = 0; f < s.mp[i].nf; f++) {
					odiff = fmax(odiff, fabs(s.mp[i].rate[f] - g.mp[j].rate[f]) /
								    fmax(g.mp[j].rate[f], MIN_RATE_BPS));
					matched++;
				}
	const size_t want = s.nco + (size_t)0;
	size_t want_m = 0;
	for (size_t i = 0; i < s.nmp; i++)
		want_m += s.mp[i].nf;
	printf("# reran every %u-th grid point in ns-3 (%zu cell users, %zu mesh points): observations differ "
	       "from the shipped grid by at most %.3g (relative); %zu of %zu matched\n", subset, s.nco, s.nmp, odiff,
	       matched, want + want_m);
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
	double med, worst, cm, mm;
	report(&k, c, stdout, &med, &worst);
	split_medians(&k, c, &cm, &mm);
	printf("# fitted: per-flow throughput |error| median %.2f %% (cells %.2f %%, meshes %.2f %%), worst %.2f %%; "
	       "%zu cell users, %zu mesh points\n", med * 100, cm * 100, mm * 100, worst * 100, c->nco, c->nmp);
	char comment[512];
	snprintf(comment, sizeof comment,
		 "grid: %s, seed %llu; %zu cell users, %zu mesh points\n"
		 "per-flow throughput |error| vs ns-3: median %.2f %% (cells %.2f %%, meshes %.2f %%), worst %.2f %%",
		 what, (unsigned long long)seed, c->nco, c->nmp, med * 100, cm * 100, mm * 100, worst * 100);
	if (dn_net_calib_save(out, &k, comment, err, sizeof err)) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s\n", err);
		return DN_EXIT_FAIL;
	}
	return 0;
}

/* What `dnetsim calibrate` takes from the command line. */
typedef struct cal_opts {
	const char *out, *check, *grid;
	bool quick, refit;
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
	else if (strcmp(a, "--seed") == 0)
		o->seed = strtoull(v, &ep, 10);
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
		} else if ((strcmp(a, "--out") == 0 || strcmp(a, "--check") == 0 || strcmp(a, "--seed") == 0 ||
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
	if (run_cells(c, o->quick, o->seed, 1) || run_meshes(c, o->quick, o->seed, 1))
		return DN_EXIT_FAIL;
	if (fit_and_save(c, o->out, o->quick ? "quick" : "full", o->seed))
		return DN_EXIT_FAIL;
	if (write_grid(o->grid ? o->grid : "calibration-grid.tsv", c, o->seed))
		return DN_EXIT_FAIL;
	fprintf(stderr, "wrote %s and %s\n", o->out, o->grid ? o->grid : "calibration-grid.tsv");
	return DN_EXIT_OK;
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
		rc = cal_fit(&c, &o);
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
