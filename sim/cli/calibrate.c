/*
 * calibrate.c: `dnetsim calibrate`, fitting the flow-level network models
 * to packet-level ns-3 runs and writing the calibration file they load.
 *
 * Cell grid: radius x users x bandwidth (LTE, UMi, PF; RR on a subset),
 * LOS drawn by the flow model and given to ns-3, shadowing off in both, so
 * every user's SINR is the same in the two and throughput is compared user
 * by user. Fitted by exhaustive search: se_scale, se_max, sinr_min
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

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dn_net.h"
#ifdef DN_HAVE_NS3
#include "dn_ns3_bridge.h"
#endif

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
		"--check: refit from GRID and require FILE's constants back (1e-6), and rerun\n"
		"every K-th grid point (default 8) in ns-3 and require GRID's observations\n"
		"back within T (default 0.02). Exit 1 if either fails.\n"
		"--refit: fit to GRID's observations without running ns-3, print the error\n"
		"table and write FILE (GRID is left as it is).\n");
}

#ifdef DN_HAVE_NS3

#define MAX_OBS 4096

typedef struct cell_obs {
	double sinr_lin, bw_hz, n, rate_bps, delay_s, radius_m;
	int sched;
	uint32_t point;
} cell_obs;

typedef struct mesh_point {
	uint32_t n, hops, chains, index;
	double spacing_m;
	double x[64], y[64];
	uint32_t src[16], dst[16], nf;
	double rate[16], delay[16];
} mesh_point;

typedef struct cal_ctx {
	cell_obs *co;
	size_t nco;
	mesh_point *mp;
	size_t nmp;
} cal_ctx;

static double cell_pred(const dn_net_calib *k, const cell_obs *o)
{
	return o->bw_hz * dn_net_se(k, o->sinr_lin) / o->n;
}

static int run_cells(cal_ctx *c, bool quick, uint64_t seed, uint32_t subset)
{
	static const double radius_full[] = {50, 150, 300}, radius_quick[] = {150};
	static const double ues_full[] = {1, 5, 10, 20}, ues_quick[] = {5};
	static const double bw_full[] = {5, 10, 20}, bw_quick[] = {10};
	const double *rad = quick ? radius_quick : radius_full, *ues = quick ? ues_quick : ues_full,
		     *bw = quick ? bw_quick : bw_full;
	const size_t nr = quick ? 1 : 3, nu = quick ? 1 : 4, nb = quick ? 1 : 3;
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
					double x[32], y[32];
					int los[32];
					dn_net_user_stat st[32];
					dn_ns3_flow fl[32];
					dn_ns3_info info;
					char err[512];
					dn_net_cell_cfg cfg;
					dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, 2.655);
					double fc;
					(void)dn_net_ns3_carrier(2.655, &fc);
					cfg.band_ghz = fc;
					cfg.tx_power_dbm = 30;
					cfg.bandwidth_hz = bw[d] * 1e6;
					cfg.sched = sched ? DN_NET_SCHED_PF : DN_NET_SCHED_RR;
					const uint64_t s = seed + point;
					if (dn_net_layout_disc(n, rad[a], s, x, y) ||
					    dn_net_eval_cell(&cfg, &k0, n, x, y, NULL, s, st))
						return DN_EXIT_FAIL;
					for (uint32_t i = 0; i < n; i++)
						los[i] = st[i].los;
					if (dn_net_eval_cell(&cfg, &k0, n, x, y, los, s, st))
						return DN_EXIT_FAIL;
					if (dn_net_ns3_cell(&cfg, n, x, y, los, s, quick ? 1.0 : 1.5, fl, &info, err,
							    sizeof err)) {
						fprintf(stderr, "dnetsim calibrate: ERROR: cell point %u: %s\n", point, err);
						return DN_EXIT_FAIL;
					}
					fprintf(stderr, "cell point %u: R=%g m, %u UEs, %g MHz, %s: ns-3 %.2f s wall\n",
						point, rad[a], n, bw[d], sched ? "pf" : "rr", info.wall_s);
					for (uint32_t i = 0; i < n && c->nco < MAX_OBS; i++)
						c->co[c->nco++] = (cell_obs){pow(10, st[i].sinr_db / 10), cfg.bandwidth_hz, n,
									  fl[i].rx_bps, fl[i].delay_s, rad[a], sched, point};
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
		const double p = cell_pred(k, &c->co[i]), o = c->co[i].rate_bps;
		double e = o > 1e3 ? fabs(p - o) / o : (p > 1e3 ? 1.0 : 0.0);
		sum += e;
		m++;
		if (e > *worst)
			*worst = e;
	}
	return m ? sum / m : 0;
}

/* Exhaustive search on a coarse grid, then on a fine grid around the best. */
static void fit_cells(dn_net_calib *k, const cal_ctx *c)
{
	double best = INFINITY, w;
	dn_net_calib t = *k, coarse;
	for (double gap = 0; gap <= 6.001; gap += 1)
		for (double smin = -10; smin <= 0.01; smin += 2)
			for (double smax = 3; smax <= 10.001; smax += 0.5)
				for (double sc = 0.3; sc <= 1.0001; sc += 0.05) {
					t.cell_gap_db = gap;
					t.cell_sinr_min_db = smin;
					t.cell_se_max_bps_hz = smax;
					t.cell_se_scale = sc;
					const double e = cell_err(&t, c, &w);
					if (e < best) {
						best = e;
						*k = t;
					}
				}
	coarse = *k;
	for (double gap = coarse.cell_gap_db - 1; gap <= coarse.cell_gap_db + 1.001; gap += 0.25)
		for (double smin = coarse.cell_sinr_min_db - 2; smin <= coarse.cell_sinr_min_db + 2.001; smin += 0.5)
			for (double smax = coarse.cell_se_max_bps_hz - 0.5; smax <= coarse.cell_se_max_bps_hz + 0.501; smax += 0.1)
				for (double sc = coarse.cell_se_scale - 0.05; sc <= coarse.cell_se_scale + 0.0501; sc += 0.01) {
					if (gap < 0 || smin < -20 || smax < 0.5 || sc < 0.05)
						continue;
					t.cell_gap_db = gap;
					t.cell_sinr_min_db = smin;
					t.cell_se_max_bps_hz = smax;
					t.cell_se_scale = sc;
					const double e = cell_err(&t, c, &w);
					if (e < best) {
						best = e;
						*k = t;
					}
				}
	/* delay = base + queue / rate: least squares over served users */
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	size_t m = 0;
	for (size_t i = 0; i < c->nco; i++) {
		if (c->co[i].rate_bps < 1e4)
			continue;
		const double xv = 1.0 / c->co[i].rate_bps, yv = c->co[i].delay_s;
		sx += xv; sy += yv; sxx += xv * xv; sxy += xv * yv;
		m++;
	}
	const double den = m * sxx - sx * sx;
	double q = den > 0 ? (m * sxy - sx * sy) / den : 0, b = m ? (sy - q * sx) / m : 0;
	k->cell_queue_bits = fmin(fmax(q, 0), 1e9);
	k->cell_base_delay_s = fmin(fmax(b, 0), 1);
}

/* The layout of a mesh point: chains two spacings apart (neighbours that
 * interfere, not relays). Deterministic from the point and the seed. */
static int mesh_layout(mesh_point *p, uint64_t seed)
{
	p->n = p->chains * (p->hops + 1);
	if (p->n > 64 || dn_net_layout_chains(p->n, p->hops, p->spacing_m, seed + p->index, p->x, p->y, p->src,
					      p->dst, &p->nf))
		return DN_EXIT_FAIL;
	for (uint32_t i = 0; i < p->n; i++)
		p->y[i] *= 2.0;
	return 0;
}

static int run_meshes(cal_ctx *c, bool quick, uint64_t seed, uint32_t subset)
{
	static const uint32_t hops_full[] = {1, 2, 3, 4, 5}, hops_quick[] = {1, 3};
	static const double sp_full[] = {30, 45}, sp_quick[] = {40};
	const uint32_t *hops = quick ? hops_quick : hops_full;
	const double *sp = quick ? sp_quick : sp_full;
	const size_t nh = quick ? 2 : 5, ns = quick ? 1 : 2;
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
				mesh_point *p = &c->mp[c->nmp];
				memset(p, 0, sizeof *p);
				p->index = idx;
				p->hops = hops[a];
				p->spacing_m = sp[b];
				p->chains = chains;
				if (mesh_layout(p, seed))
					return DN_EXIT_FAIL;
				dn_ns3_flow fl[16];
				dn_ns3_info info;
				char err[512];
				if (dn_net_ns3_mesh(&cfg, p->n, p->x, p->y, p->nf, p->src, p->dst, 0, seed + p->index,
						    quick ? 2.0 : 3.0, fl, &info, err, sizeof err)) {
					fprintf(stderr, "dnetsim calibrate: ERROR: mesh point %u: %s\n", p->index, err);
					return DN_EXIT_FAIL;
				}
				fprintf(stderr, "mesh point %u: %u hops, %g m, %u chains: ns-3 %.2f s wall\n", p->index,
					p->hops, p->spacing_m, chains, info.wall_s);
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
			const double o = c->mp[i].rate[f], e = o > 1e3 ? fabs(st[f].rate_bps - o) / o : 1.0;
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
	double r[256], w;
	size_t m = 0;
	t->mesh_mac_eff = 1;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		if (!mesh_pred(t, &c->mp[i], st))
			continue;
		for (uint32_t f = 0; f < c->mp[i].nf && m < 256; f++)
			if (st[f].rate_bps > 0 && c->mp[i].rate[f] > 0)
				r[m++] = c->mp[i].rate[f] / st[f].rate_bps;
	}
	if (m == 0)
		return INFINITY;
	qsort(r, m, sizeof *r, cmp_dbl);
	t->mesh_mac_eff = fmin(fmax(r[m / 2], 0.05), 1.5);
	return mesh_err(t, c, &w);
}

static void fit_meshes(dn_net_calib *k, const cal_ctx *c)
{
	double best = INFINITY;
	dn_net_calib t = *k, coarse;
	for (double hv = 0; hv <= 4.001; hv += 0.5)
		for (double so = -6; so <= 4.001; so += 2)
			for (double im = -6; im <= 16.001; im += 4)
				for (double sl = 0.4; sl <= 1.0001; sl += 0.2) {
					t.mesh_hidden_vuln = hv;
					t.mesh_sens_offset_db = so;
					t.mesh_interf_margin_db = im;
					t.mesh_rate_slope = sl;
					const double e = mesh_try(&t, c);
					if (e < best) {
						best = e;
						*k = t;
					}
				}
	coarse = *k;
	for (double hv = coarse.mesh_hidden_vuln - 0.5; hv <= coarse.mesh_hidden_vuln + 0.5001; hv += 0.1)
		for (double so = coarse.mesh_sens_offset_db - 2; so <= coarse.mesh_sens_offset_db + 2.001; so += 1)
			for (double im = coarse.mesh_interf_margin_db - 4; im <= coarse.mesh_interf_margin_db + 4.001; im += 1)
				for (double sl = coarse.mesh_rate_slope - 0.1; sl <= coarse.mesh_rate_slope + 0.1001; sl += 0.05) {
					/* keep the rate ladder physical: a spread of at least 0.3
					 * of the standard's and a shift of at most 8 dB */
					if (hv < 0 || sl < 0.3 || so < -8)
						continue;
					t.mesh_hidden_vuln = hv;
					t.mesh_sens_offset_db = so;
					t.mesh_interf_margin_db = im;
					t.mesh_rate_slope = sl;
					const double e = mesh_try(&t, c);
					if (e < best) {
						best = e;
						*k = t;
					}
				}
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
			if (st[f].state != DN_NET_FLOW_OK || c->mp[i].rate[f] < 1e4)
				continue;
			const double h = st[f].hops, iv = 1.0 / c->mp[i].rate[f];
			const double yv = c->mp[i].delay[f] - st[f].delay_s;
			a11 += h * h; a12 += h * iv; a22 += iv * iv; b1 += h * yv; b2 += iv * yv;
		}
	}
	const double det = a11 * a22 - a12 * a12;
	if (det > 0) {
		k->mesh_hop_delay_s = fmin(fmax((b1 * a22 - b2 * a12) / det, 0), 1);
		k->mesh_queue_bits = fmin(fmax((a11 * b2 - a12 * b1) / det, 0), 1e10);
	}
}

static double median_abs(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_dbl);
	return n ? (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2])) : 0;
}

/* Prints the per-point error table; returns the median and worst |error|. */
static void report(const dn_net_calib *k, const cal_ctx *c, FILE *f, double *med, double *worst)
{
	static double e[MAX_OBS + 256];
	size_t m = 0;
	*worst = 0;
	fprintf(f, "# kind\tpoint\tflow\tns3_bps\tmodel_bps\terr_rel\n");
	for (size_t i = 0; i < c->nco; i++) {
		const double p = cell_pred(k, &c->co[i]), o = c->co[i].rate_bps;
		const double er = o > 1e3 ? (p - o) / o : (p > 1e3 ? 1.0 : 0.0);
		fprintf(f, "cell\t%u\t%zu\t%.0f\t%.0f\t%.4f\n", c->co[i].point, i, o, p, er);
		e[m++] = fabs(er);
		*worst = fmax(*worst, fabs(er));
	}
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		if (!mesh_pred(k, &c->mp[i], st))
			continue;
		for (uint32_t fl = 0; fl < c->mp[i].nf; fl++) {
			const double o = c->mp[i].rate[fl];
			const double er = o > 1e3 ? (st[fl].rate_bps - o) / o : 1.0;
			fprintf(f, "mesh\t%zu\t%u\t%.0f\t%.0f\t%.4f\n", i, fl, o, st[fl].rate_bps, er);
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
				if (c->nmp >= 64) {
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
	for (size_t i = 0; i < c->nco; i++) {
		const double o = c->co[i].rate_bps, p = cell_pred(k, &c->co[i]);
		e[m++] = o > 1e3 ? fabs(p - o) / o : (p > 1e3 ? 1.0 : 0.0);
	}
	*cell_med = median_abs(e, m);
	m = 0;
	for (size_t i = 0; i < c->nmp; i++) {
		dn_net_flow_stat st[16];
		if (!mesh_pred(k, &c->mp[i], st))
			continue;
		for (uint32_t f = 0; f < c->mp[i].nf; f++)
			e[m++] = c->mp[i].rate[f] > 1e3 ? fabs(st[f].rate_bps - c->mp[i].rate[f]) / c->mp[i].rate[f] : 1.0;
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
	g.mp = calloc(64, sizeof *g.mp);
	s.co = calloc(MAX_OBS, sizeof *s.co);
	s.mp = calloc(64, sizeof *s.mp);
	if (!g.co || !g.mp || !s.co || !s.mp || read_grid(grid, &g, &seed))
		goto out;
	fit_all(&k, &g);
	const double *a = &k.cell_se_scale, *b = &ref.cell_se_scale;
	const size_t nk = (sizeof k - offsetof(dn_net_calib, cell_se_scale)) / sizeof(double);
	double kdiff = 0;
	for (size_t i = 0; i < nk; i++)
		kdiff = fmax(kdiff, fabs(a[i] - b[i]) / fmax(fabs(b[i]), 1e-9));
	printf("# refit from %s: constants differ from %s by at most %.3g (relative)\n", grid, file, kdiff);
	if (run_cells(&s, false, seed, subset) || run_meshes(&s, false, seed, subset))
		goto out;
	double odiff = 0;
	size_t matched = 0;
	for (size_t i = 0; i < s.nco; i++)
		for (size_t j = 0; j < g.nco; j++)
			if (g.co[j].point == s.co[i].point && fabs(g.co[j].sinr_lin - s.co[i].sinr_lin) <=
				    1e-9 * g.co[j].sinr_lin) {
				odiff = fmax(odiff, fabs(s.co[i].rate_bps - g.co[j].rate_bps) / fmax(g.co[j].rate_bps, 1e3));
				matched++;
				break;
			}
	for (size_t i = 0; i < s.nmp; i++)
		for (size_t j = 0; j < g.nmp; j++)
			if (g.mp[j].index == s.mp[i].index)
				for (uint32_t f = 0; f < s.mp[i].nf; f++) {
					odiff = fmax(odiff, fabs(s.mp[i].rate[f] - g.mp[j].rate[f]) / fmax(g.mp[j].rate[f], 1e3));
					matched++;
				}
	const size_t want = s.nco + (size_t)0;
	size_t want_m = 0;
	for (size_t i = 0; i < s.nmp; i++)
		want_m += s.mp[i].nf;
	printf("# reran every %u-th grid point in ns-3 (%zu cell users, %zu mesh points): observations differ "
	       "from the shipped grid by at most %.3g (relative); %zu of %zu matched\n", subset, s.nco, s.nmp, odiff,
	       matched, want + want_m);
	rc = (kdiff <= 1e-6 && odiff <= tol && matched == want + want_m) ? DN_EXIT_OK : DN_EXIT_FAIL;
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

int dn_cmd_calibrate(int argc, char **argv)
{
	const char *out = "calibration.txt", *check = NULL, *grid = NULL;
	bool quick = false, refit = false;
	double tol = 0.02;
	uint64_t seed = 1;
	unsigned long subset = 8;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0) {
			cal_help(stdout);
			return DN_EXIT_OK;
		} else if (strcmp(a, "--quick") == 0) {
			quick = true;
		} else if (strcmp(a, "--refit") == 0) {
			refit = true;
		} else if ((strcmp(a, "--out") == 0 || strcmp(a, "--check") == 0 || strcmp(a, "--seed") == 0 ||
			    strcmp(a, "--tolerance") == 0 || strcmp(a, "--grid") == 0 || strcmp(a, "--subset") == 0) &&
			   i + 1 < argc) {
			const char *v = argv[++i];
			char *ep = NULL;
			if (strcmp(a, "--out") == 0)
				out = v;
			else if (strcmp(a, "--check") == 0)
				check = v;
			else if (strcmp(a, "--grid") == 0)
				grid = v;
			else if (strcmp(a, "--seed") == 0)
				seed = strtoull(v, &ep, 10);
			else if (strcmp(a, "--subset") == 0)
				subset = strtoul(v, &ep, 10);
			else
				tol = strtod(v, &ep);
			if (ep && (*ep || ep == v)) {
				fprintf(stderr, "dnetsim calibrate: %s: not a number: '%s'\n", a, v);
				return DN_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "dnetsim calibrate: unexpected argument '%s' (see --help)\n", a);
			return DN_EXIT_USAGE;
		}
	}
	if (!(tol > 0 && tol < 10) || subset < 1 || subset > 1000) {
		fprintf(stderr, "dnetsim calibrate: --tolerance must be in (0, 10) and --subset in 1..1000\n");
		return DN_EXIT_USAGE;
	}
	if (check) {
		if (!grid) {
			fprintf(stderr, "dnetsim calibrate: --check needs --grid (the observation table shipped with it)\n");
			return DN_EXIT_USAGE;
		}
		return do_check(check, grid, (uint32_t)subset, tol);
	}
	if (refit && !grid) {
		fprintf(stderr, "dnetsim calibrate: --refit needs --grid (the observation table to fit)\n");
		return DN_EXIT_USAGE;
	}
	cal_ctx c = {0};
	c.co = calloc(MAX_OBS, sizeof *c.co);
	c.mp = calloc(64, sizeof *c.mp);
	int rc = DN_EXIT_FAIL;
	if (!c.co || !c.mp)
		goto done;
	if (refit) {
		uint64_t gseed = 0;
		if (read_grid(grid, &c, &gseed) || fit_and_save(&c, out, "full", gseed))
			goto done;
		fprintf(stderr, "wrote %s (refit from %s)\n", out, grid);
		rc = DN_EXIT_OK;
		goto done;
	}
	if (run_cells(&c, quick, seed, 1) || run_meshes(&c, quick, seed, 1))
		goto done;
	if (fit_and_save(&c, out, quick ? "quick" : "full", seed))
		goto done;
	if (write_grid(grid ? grid : "calibration-grid.tsv", &c, seed))
		goto done;
	fprintf(stderr, "wrote %s and %s\n", out, grid ? grid : "calibration-grid.tsv");
	rc = DN_EXIT_OK;
done:
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
