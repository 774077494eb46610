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
 * x parallel chains (802.11a ad hoc, OLSR); fitted: sensitivity offset and
 * interference margin by search, mac_eff in closed form (rates scale with
 * it), delays by least squares. --check FILE refits on a grid and compares
 * the predictions of both calibrations. Without ns-3 it explains and fails.
 */
#include "cli.h"

#include <math.h>
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
		"usage: dnetsim calibrate [--out FILE] [--quick] [--seed S] [--check FILE]\n"
		"                         [--tolerance T]\n"
		"Runs the ns-3 shim over the calibration grid (docs/network-models.md), fits\n"
		"the flow-model constants and writes them (default ./calibration.txt; the\n"
		"shipped file is models/net/calibration.txt). --quick: a small grid.\n"
		"--check FILE: refit and fail (exit 1) if the refit's per-flow predictions\n"
		"differ from FILE's by more than T (default 0.05) or FILE's median error\n"
		"against ns-3 exceeds 10 %%. Prints the per-point error table.\n");
}

#ifdef DN_HAVE_NS3

#define MAX_OBS 4096

typedef struct cell_obs {
	double sinr_lin, bw_hz, n, rate_bps, delay_s;
	int sched;
	uint32_t point;
} cell_obs;

typedef struct mesh_point {
	uint32_t n, hops, chains;
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

static int run_cells(cal_ctx *c, bool quick, uint64_t seed)
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
									  fl[i].rx_bps, fl[i].delay_s, sched, point};
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

static void fit_cells(dn_net_calib *k, const cal_ctx *c)
{
	double best = INFINITY, w;
	dn_net_calib t = *k;
	for (double gap = 0; gap <= 6.001; gap += 0.5)
	for (double smin = -10; smin <= 0.01; smin += 1)
		for (double smax = 3; smax <= 10.001; smax += 0.1)
			for (double sc = 0.3; sc <= 1.0001; sc += 0.01) {
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

static int run_meshes(cal_ctx *c, bool quick, uint64_t seed)
{
	static const uint32_t hops_full[] = {1, 2, 3, 4, 5}, hops_quick[] = {1, 3};
	static const double sp_full[] = {30, 45}, sp_quick[] = {40};
	const uint32_t *hops = quick ? hops_quick : hops_full;
	const double *sp = quick ? sp_quick : sp_full;
	const size_t nh = quick ? 2 : 5, ns = quick ? 1 : 2;
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	for (size_t a = 0; a < nh; a++)
		for (size_t b = 0; b < ns; b++)
			for (uint32_t chains = 1; chains <= 2; chains++) {
				if (chains == 2 && (quick || hops[a] > 3))
					continue;
				mesh_point *p = &c->mp[c->nmp];
				memset(p, 0, sizeof *p);
				p->hops = hops[a];
				p->spacing_m = sp[b];
				p->chains = chains;
				p->n = chains * (hops[a] + 1);
				/* chains two spacings apart: neighbours, not relays */
				if (dn_net_layout_chains(p->n, p->hops, sp[b], seed + c->nmp, p->x, p->y, p->src, p->dst,
							 &p->nf))
					return DN_EXIT_FAIL;
				for (uint32_t i = 0; i < p->n; i++)
					p->y[i] *= 2.0;
				dn_ns3_flow fl[16];
				dn_ns3_info info;
				char err[512];
				if (dn_net_ns3_mesh(&cfg, p->n, p->x, p->y, p->nf, p->src, p->dst, 0, seed + c->nmp,
						    quick ? 2.0 : 3.0, fl, &info, err, sizeof err)) {
					fprintf(stderr, "dnetsim calibrate: ERROR: mesh point %zu: %s\n", c->nmp, err);
					return DN_EXIT_FAIL;
				}
				fprintf(stderr, "mesh point %zu: %u hops, %g m, %u chains: ns-3 %.2f s wall\n", c->nmp,
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

static void fit_meshes(dn_net_calib *k, const cal_ctx *c)
{
	double best = INFINITY, w;
	dn_net_calib t = *k;
	for (double ce = 0.5; ce <= 1.0001; ce += 0.025)
	for (double so = -10; so <= 4.001; so += 1)
		for (double im = -6; im <= 16.001; im += 1) {
			t.mesh_contention_eff = fmin(ce, 1.0);
			t.mesh_sens_offset_db = so;
			t.mesh_interf_margin_db = im;
			t.mesh_mac_eff = 1;
			/* rates are proportional to mac_eff: the best factor is the
			 * median ratio of observed to predicted */
			double r[256];
			size_t m = 0;
			for (size_t i = 0; i < c->nmp; i++) {
				dn_net_flow_stat st[16];
				if (!mesh_pred(&t, &c->mp[i], st))
					continue;
				for (uint32_t f = 0; f < c->mp[i].nf && m < 256; f++)
					if (st[f].rate_bps > 0 && c->mp[i].rate[f] > 0)
						r[m++] = c->mp[i].rate[f] / st[f].rate_bps;
			}
			if (m == 0)
				continue;
			qsort(r, m, sizeof *r, cmp_dbl);
			t.mesh_mac_eff = fmin(fmax(r[m / 2], 0.05), 1.5);
			const double e = mesh_err(&t, c, &w);
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

int dn_cmd_calibrate(int argc, char **argv)
{
	const char *out = "calibration.txt", *check = NULL;
	bool quick = false;
	double tol = 0.05;
	uint64_t seed = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0) {
			cal_help(stdout);
			return DN_EXIT_OK;
		} else if (strcmp(a, "--quick") == 0) {
			quick = true;
		} else if ((strcmp(a, "--out") == 0 || strcmp(a, "--check") == 0 || strcmp(a, "--seed") == 0 ||
			    strcmp(a, "--tolerance") == 0) && i + 1 < argc) {
			const char *v = argv[++i];
			if (a[2] == 'o')
				out = v;
			else if (a[2] == 'c')
				check = v;
			else if (a[2] == 's')
				seed = strtoull(v, NULL, 10);
			else
				tol = strtod(v, NULL);
		} else {
			fprintf(stderr, "dnetsim calibrate: unexpected argument '%s' (see --help)\n", a);
			return DN_EXIT_USAGE;
		}
	}
	if (!(tol > 0 && tol < 10)) {
		fprintf(stderr, "dnetsim calibrate: --tolerance must be in (0, 10)\n");
		return DN_EXIT_USAGE;
	}
	dn_net_calib ref;
	char err[512];
	if (check && dn_net_calib_load(check, &ref, err, sizeof err)) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s\n", err);
		return DN_EXIT_FAIL;
	}
	cal_ctx c = {0};
	c.co = calloc(MAX_OBS, sizeof *c.co);
	c.mp = calloc(64, sizeof *c.mp);
	int rc = DN_EXIT_FAIL;
	if (!c.co || !c.mp)
		goto done;
	if (run_cells(&c, quick, seed) || run_meshes(&c, quick, seed))
		goto done;
	dn_net_calib k;
	memset(&k, 0, sizeof k);
	k.version = DN_NET_CALIB_VERSION;
	fit_cells(&k, &c);
	fit_meshes(&k, &c);
	double med, worst;
	report(&k, &c, stdout, &med, &worst);
	printf("# fitted: per-flow |error| median %.2f %%, worst %.2f %% over %zu cell users and %zu mesh points\n",
	       med * 100, worst * 100, c.nco, c.nmp);
	if (check) {
		double medr, worstr, maxdiff = 0;
		FILE *devnull = fopen("/dev/null", "w");
		if (!devnull)
			goto done;
		report(&ref, &c, devnull, &medr, &worstr);
		fclose(devnull);
		for (size_t i = 0; i < c.nco; i++) {
			const double a = cell_pred(&k, &c.co[i]), b = cell_pred(&ref, &c.co[i]);
			if (b > 1e3)
				maxdiff = fmax(maxdiff, fabs(a - b) / b);
		}
		for (size_t i = 0; i < c.nmp; i++) {
			dn_net_flow_stat s1[16], s2[16];
			if (!mesh_pred(&k, &c.mp[i], s1) || !mesh_pred(&ref, &c.mp[i], s2))
				goto done;
			for (uint32_t f = 0; f < c.mp[i].nf; f++)
				if (s2[f].rate_bps > 1e3)
					maxdiff = fmax(maxdiff, fabs(s1[f].rate_bps - s2[f].rate_bps) / s2[f].rate_bps);
		}
		printf("# check %s: its median error on this grid %.2f %% (worst %.2f %%); refit predictions "
		       "differ by at most %.2f %% (tolerance %.2f %%)\n", check, medr * 100, worstr * 100,
		       maxdiff * 100, tol * 100);
		rc = (maxdiff <= tol && medr <= 0.10) ? DN_EXIT_OK : DN_EXIT_FAIL;
		goto done;
	}
	char comment[512];
	snprintf(comment, sizeof comment,
		 "grid: %s, seed %llu; %zu cell users, %zu mesh points\n"
		 "per-flow throughput |error| vs ns-3: median %.2f %%, worst %.2f %%",
		 quick ? "quick" : "full", (unsigned long long)seed, c.nco, c.nmp, med * 100, worst * 100);
	if (dn_net_calib_save(out, &k, comment, err, sizeof err)) {
		fprintf(stderr, "dnetsim calibrate: ERROR: %s\n", err);
		goto done;
	}
	fprintf(stderr, "wrote %s\n", out);
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
