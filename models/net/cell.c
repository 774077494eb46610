/*
 * cell.c: the 5G micro/pico/femto cell flow model.
 *
 * Path loss and LOS probability follow 3GPP TR 38.901 V17 Tables 7.4.1-1
 * and 7.4.2-1 (UMi street canyon and UMa). A user's SINR is the received
 * power over thermal noise plus the power of neighbouring cells (weighted
 * by their activity factor). The rate a user would get with the whole cell
 * is the calibrated attenuated Shannon bound (3GPP TR 36.942 Annex A.1
 * form, with an SINR gap): bw * se_scale * min(log2(1 + SINR / gap),
 * se_max), zero below sinr_min.
 * The band carries N_RB = 0.9 B / 180 kHz resource blocks (LTE numerology),
 * allocated in groups of P (TS 36.213 Table 7.1.6.1-1, type 0): a scheduler
 * that hands out whole groups, as ns-3's do, leaves N_RB mod P blocks idle
 * (1 of 25 at 5 MHz, 2 of 50 at 10 MHz, none at 20 MHz), so peak rates
 * carry the used fraction floor(N_RB / P) P / N_RB.
 * Active users share time: both round robin and proportional fair give
 * equal time shares with static channels (the proportional-fair optimum
 * without fast fading: each TTI's groups all go to one user); users whose
 * demand needs less than their share give the rest back (max-min
 * water-filling on time). Round robin splits a TTI's G groups equally in
 * whole groups among the n served users: with n < G, G mod n groups stay
 * idle (20 users at 20 MHz use 20 of 25), so the users share only
 * floor(G / n) n / G of the time. With fast fading
 * enabled, proportional fair gains the multi-user diversity of picking the
 * best of N Rayleigh channels (mean of the maximum of N unit exponentials:
 * the harmonic number H_N) which round robin does not.
 *
 * Not modelled: HARQ, fast-fading traces, MIMO layers, uplink. A cell is a
 * partition: neighbours enter only through the configured activity factor,
 * so cells never read each other's state.
 */
#include <assert.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "net_int.h"
#include "rng.h"

struct dn_net_cell {
	dn_net_cell_cfg cfg;
	dn_net_calib k;
	uint32_t cap, n_nb, n_active, n_present;
	uint64_t seed;
	uint32_t id;
	dn_net_neighbour *nb;
	double noise_mw, tx_mw;
	dn_time_ns t_last_ns;
	/* per user (struct of arrays); z_shadow is a standard normal, or the
	 * shadowing in dB itself once fixed_channel is set */
	double *x_m, *y_m, *u_los, *z_shadow, *sinr_lin, *peak_bps, *demand_bps, *share;
	uint64_t *rate_bps, *bits, *rem_bit_ns;
	uint8_t *present, *active, *los, *fixed_channel;
	uint32_t *act_list, *act_pos; /* dense list of active users */
	double *scratch;              /* cap doubles for the water-filling sort */
};

void dn_net_cell_cfg_default(dn_net_cell_cfg *c, dn_net_cell_size size, double band_ghz)
{
	memset(c, 0, sizeof *c);
	c->band_ghz = band_ghz;
	c->bandwidth_hz = band_ghz > 20 ? 100e6 : 20e6;
	c->height_ut_m = 1.5;
	c->noise_figure_db = 9.0; /* ns-3 LteUePhy default; TR 38.901 Table 7.8-1 uses 9 dB */
	c->scenario = DN_NET_UMI;
	c->sched = DN_NET_SCHED_PF;
	c->shadowing = true;
	c->los = DN_NET_LOS_RANDOM;
	c->neighbour_load = 0.5;
	c->pkt_bits = 1024 * 8;
	switch (size) {
	case DN_NET_MICRO: c->tx_power_dbm = 33; c->height_bs_m = 10; break;
	case DN_NET_PICO: c->tx_power_dbm = 24; c->height_bs_m = 6; break;
	case DN_NET_FEMTO: c->tx_power_dbm = 20; c->height_bs_m = 3; break;
	}
}

double dn_net_los_prob(dn_net_pl_scenario sc, double d2d_m, double h_ut_m)
{
	if (d2d_m <= 18.0)
		return 1.0;
	if (sc == DN_NET_UMI)
		return 18.0 / d2d_m + exp(-d2d_m / 36.0) * (1.0 - 18.0 / d2d_m);
	double c = 0.0;
	if (h_ut_m > 13.0)
		c = pow((h_ut_m - 13.0) / 10.0, 1.5);
	return (18.0 / d2d_m + exp(-d2d_m / 63.0) * (1.0 - 18.0 / d2d_m)) *
	       (1.0 + c * 1.25 * pow(d2d_m / 100.0, 3) * exp(-d2d_m / 150.0));
}

double dn_net_shadow_sigma_db(dn_net_pl_scenario sc, bool los)
{
	if (los)
		return 4.0;
	return sc == DN_NET_UMI ? 7.82 : 6.0;
}

double dn_net_pathloss_db(dn_net_pl_scenario sc, double fc_ghz, double d2d_m, double h_bs_m,
                          double h_ut_m, bool los)
{
	if (d2d_m < 10.0)
		d2d_m = 10.0;
	const double dh = h_bs_m - h_ut_m;
	const double d3 = sqrt(d2d_m * d2d_m + dh * dh);
	/* breakpoint with effective heights h' = h - 1 m (Note 1 of Table 7.4.1-1) */
	const double dbp = 4.0 * (h_bs_m - 1.0) * (h_ut_m - 1.0) * fc_ghz * DN_NET_HZ_PER_GHZ / DN_NET_C_MPS;
	double pl_los, pl_nlos;
	if (sc == DN_NET_UMI) {
		if (d2d_m <= dbp)
			pl_los = 32.4 + 21.0 * log10(d3) + 20.0 * log10(fc_ghz);
		else
			pl_los = 32.4 + 40.0 * log10(d3) + 20.0 * log10(fc_ghz) -
				 9.5 * log10(dbp * dbp + dh * dh);
		if (los)
			return pl_los;
		pl_nlos = 35.3 * log10(d3) + 22.4 + 21.3 * log10(fc_ghz) - 0.3 * (h_ut_m - 1.5);
	} else {
		if (d2d_m <= dbp)
			pl_los = 28.0 + 22.0 * log10(d3) + 20.0 * log10(fc_ghz);
		else
			pl_los = 28.0 + 40.0 * log10(d3) + 20.0 * log10(fc_ghz) -
				 9.0 * log10(dbp * dbp + dh * dh);
		if (los)
			return pl_los;
		pl_nlos = 13.54 + 39.08 * log10(d3) + 20.0 * log10(fc_ghz) - 0.6 * (h_ut_m - 1.5);
	}
	return pl_nlos > pl_los ? pl_nlos : pl_los;
}

double dn_net_se(const dn_net_calib *k, double sinr_lin)
{
	if (!(sinr_lin > 0) || dn_net_lin2db(sinr_lin) < k->cell_sinr_min_db)
		return 0.0;
	double s = log2(1.0 + sinr_lin * dn_net_db2lin(-k->cell_gap_db));
	if (s > k->cell_se_max_bps_hz)
		s = k->cell_se_max_bps_hz;
	return k->cell_se_scale * s;
}

/* LTE resource blocks: 12 subcarriers of 15 kHz, 90 % of the channel
 * occupied by them (25 in 5 MHz, 50 in 10, 100 in 20). */
#define RB_HZ 180e3
#define RB_OCCUPANCY 0.9
/* Far beyond any channel; keeps the count an integer. */
#define RB_MAX 1e7

static uint32_t rb_count(double bandwidth_hz)
{
	const double n = floor(RB_OCCUPANCY * bandwidth_hz / RB_HZ + 1e-9);
	return n < 1 ? 1 : (uint32_t)fmin(n, RB_MAX);
}

/* Blocks per group, TS 36.213 Table 7.1.6.1-1; wider than LTE's 110
 * blocks keeps the largest group. */
static uint32_t rbg_size(uint32_t n_rb)
{
	return n_rb <= 10 ? 1 : n_rb <= 26 ? 2 : n_rb <= 63 ? 3 : 4;
}

double dn_net_cell_rb_use(double bandwidth_hz)
{
	const uint32_t n = rb_count(bandwidth_hz), p = rbg_size(n);
	/* a group never exceeds the band, so at least one fits */
	assert(n >= p && p >= 1);
	return (double)(n / p * p) / (double)n;
}

double dn_net_cell_sched_use(dn_net_sched sched, double bandwidth_hz, uint32_t n_served)
{
	if (sched != DN_NET_SCHED_RR || n_served == 0)
		return 1.0;
	const uint32_t n = rb_count(bandwidth_hz), groups = n / rbg_size(n);
	/* more users than groups: one group each, every group in use */
	if (n_served >= groups)
		return 1.0;
	return (double)(groups / n_served * n_served) / (double)groups;
}

static double noise_mw(const dn_net_cell_cfg *c)
{
	return dn_net_db2lin(DN_NET_KT_DBM_HZ + dn_net_lin2db(c->bandwidth_hz) + c->noise_figure_db);
}

double dn_net_cell_range_m(const dn_net_cell_cfg *c, const dn_net_calib *k)
{
	const double n = noise_mw(c);
	double lo = 10.0, hi = 1e5;
	for (int i = 0; i < 100; i++) {
		double mid = 0.5 * (lo + hi);
		double pl = dn_net_pathloss_db(c->scenario, c->band_ghz, mid, c->height_bs_m,
					       c->height_ut_m, true);
		double sinr_db = c->tx_power_dbm - pl - dn_net_lin2db(n);
		if (sinr_db >= k->cell_sinr_min_db)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

double dn_net_cell_footprint(uint32_t cap, uint32_t n_nb)
{
	const dn_net_cell *c = NULL; /* for sizeof only */
	const double per_user = 8 * sizeof *c->x_m + 3 * sizeof *c->rate_bps + 4 * sizeof *c->present +
	                        2 * sizeof *c->act_list + sizeof *c->scratch;
	return sizeof *c + (double)n_nb * sizeof *c->nb + (double)cap * per_user + 20 * 16.0; /* 20 callocs */
}

dn_rc dn_net_cell_new(const dn_net_cell_cfg *cfg, const dn_net_calib *k, uint32_t cap,
                      const dn_net_neighbour *nb, uint32_t n_nb, uint64_t seed, uint32_t cell_id,
                      dn_net_cell **out)
{
	*out = NULL;
	if (cap == 0 || cap > (1u << 24) || n_nb > 1024 || !(cfg->band_ghz >= 0.5 && cfg->band_ghz <= 100) ||
	    !(cfg->bandwidth_hz > 0) || !(cfg->height_bs_m > 1.0) || !(cfg->height_ut_m > 1.0) ||
	    !(cfg->neighbour_load >= 0 && cfg->neighbour_load <= 1) || !(k->cell_se_scale >= 0) ||
	    !(k->cell_se_max_bps_hz >= 0))
		return DN_EINVAL;
	dn_net_cell *c = calloc(1, sizeof *c);
	if (!c)
		return DN_ENOMEM;
	c->cfg = *cfg;
	c->k = *k;
	c->cap = cap;
	c->seed = seed;
	c->id = cell_id;
	c->n_nb = n_nb;
	c->noise_mw = noise_mw(cfg);
	c->tx_mw = dn_net_db2lin(cfg->tx_power_dbm);
	bool ok = true;
#define ALLOC(f, n) do { c->f = calloc((n) ? (n) : 1, sizeof *c->f); ok = ok && c->f; } while (0)
	ALLOC(nb, n_nb);
	ALLOC(x_m, cap); ALLOC(y_m, cap); ALLOC(u_los, cap); ALLOC(z_shadow, cap);
	ALLOC(sinr_lin, cap); ALLOC(peak_bps, cap); ALLOC(demand_bps, cap); ALLOC(share, cap);
	ALLOC(rate_bps, cap); ALLOC(bits, cap); ALLOC(rem_bit_ns, cap);
	ALLOC(present, cap); ALLOC(active, cap); ALLOC(los, cap); ALLOC(fixed_channel, cap);
	ALLOC(act_list, cap); ALLOC(act_pos, cap); ALLOC(scratch, cap);
#undef ALLOC
	if (!ok) {
		dn_net_cell_free(c);
		return DN_ENOMEM;
	}
	if (n_nb)
		memcpy(c->nb, nb, n_nb * sizeof *nb);
	*out = c;
	return DN_OK;
}

void dn_net_cell_free(dn_net_cell *c)
{
	if (!c)
		return;
	free(c->nb);
	free(c->x_m); free(c->y_m); free(c->u_los); free(c->z_shadow);
	free(c->sinr_lin); free(c->peak_bps); free(c->demand_bps); free(c->share);
	free(c->rate_bps); free(c->bits); free(c->rem_bit_ns);
	free(c->present); free(c->active); free(c->los); free(c->fixed_channel);
	free(c->act_list); free(c->act_pos); free(c->scratch);
	free(c);
}

static bool los_at(const dn_net_cell *c, uint32_t u, double d2d_m)
{
	switch (c->cfg.los) {
	case DN_NET_LOS_ALWAYS: return true;
	case DN_NET_LOS_NEVER: return false;
	default: return c->u_los[u] < dn_net_los_prob(c->cfg.scenario, d2d_m, c->cfg.height_ut_m);
	}
}

/* SINR and peak rate of user u at its position. */
static void channel_update(dn_net_cell *c, uint32_t u)
{
	const dn_net_cell_cfg *g = &c->cfg;
	const double d = hypot(c->x_m[u], c->y_m[u]);
	if (!c->fixed_channel[u])
		c->los[u] = los_at(c, u, d);
	double shadow_db = 0;
	if (c->fixed_channel[u])
		shadow_db = c->z_shadow[u];
	else if (g->shadowing)
		shadow_db = c->z_shadow[u] * dn_net_shadow_sigma_db(g->scenario, c->los[u]);
	const double pl = dn_net_pathloss_db(g->scenario, g->band_ghz, d, g->height_bs_m,
					     g->height_ut_m, c->los[u]);
	const double s_mw = c->tx_mw * dn_net_db2lin(-pl - shadow_db);
	double i_mw = 0;
	for (uint32_t j = 0; j < c->n_nb; j++) {
		const double dj = hypot(c->x_m[u] - c->nb[j].x_m, c->y_m[u] - c->nb[j].y_m);
		const bool lj = los_at(c, u, dj);
		i_mw += g->neighbour_load * dn_net_db2lin(c->nb[j].tx_power_dbm -
			dn_net_pathloss_db(g->scenario, g->band_ghz, dj, g->height_bs_m, g->height_ut_m, lj));
	}
	c->sinr_lin[u] = s_mw / (c->noise_mw + i_mw);
	c->peak_bps[u] = g->bandwidth_hz * dn_net_cell_rb_use(g->bandwidth_hz) * dn_net_se(&c->k, c->sinr_lin[u]);
	/* powers are positive (noise > 0, interference a sum of powers), so
	 * the SINR is a ratio >= 0 and the peak rate a finite non-negative
	 * rate: recompute() floors it into an integer */
	assert(c->noise_mw > 0 && i_mw >= 0 && g->neighbour_load >= 0 && g->neighbour_load <= 1);
	assert(c->sinr_lin[u] >= 0 && c->peak_bps[u] >= 0 && isfinite(c->peak_bps[u]));
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Harmonic number H_n: the mean of the largest of n unit exponentials. */
static double harmonic(uint32_t n)
{
	assert(n >= 1);
	if (n > 1000)
		return log((double)n) + 0.5772156649 + 0.5 / n;
	double h = 0;
	for (uint32_t i = 1; i <= n; i++)
		h += 1.0 / i;
	return h;
}

/*
 * Time shares by max-min water-filling: each active user needs
 * need = demand / peak of the time (1 when saturating or unserved); the
 * level L solves sum min(need_i, L) = U (or all needs fit), U the part of
 * the time the scheduler can hand out to the served users
 * (dn_net_cell_sched_use).
 */
static void recompute(dn_net_cell *c)
{
	const uint32_t n = c->n_active;
	assert(n <= c->cap);
	double gain = 1.0;
	if (c->cfg.sched == DN_NET_SCHED_PF && c->cfg.fast_fading && n > 1)
		gain = harmonic(n);
	const double rb_use = dn_net_cell_rb_use(c->cfg.bandwidth_hz);
	uint32_t served = 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t u = c->act_list[i];
		/* the dense list names active users, each once, at its position */
		assert(u < c->cap && c->active[u] && c->present[u] && c->act_pos[u] == i);
		double peak = c->peak_bps[u];
		if (gain > 1.0)
			peak = c->cfg.bandwidth_hz * rb_use * dn_net_se(&c->k, c->sinr_lin[u] * gain);
		c->share[u] = peak; /* temporarily the effective peak */
		/* An unserved user (SINR below the minimum) is not scheduled. */
		double need = peak > 0 ? 1.0 : 0.0;
		if (c->demand_bps[u] > 0 && peak > 0)
			need = fmin(1.0, c->demand_bps[u] / peak);
		c->scratch[i] = need;
		served += peak > 0;
	}
	qsort(c->scratch, n, sizeof *c->scratch, cmp_double);
	const double budget = dn_net_cell_sched_use(c->cfg.sched, c->cfg.bandwidth_hz, served);
	/* a fraction of the cell's time, some of it whenever anyone is served */
	assert(budget > 0 && budget <= 1);
	double left = budget, level = 1.0;
	for (uint32_t i = 0; i < n; i++) {
		const double eq = left / (double)(n - i);
		if (c->scratch[i] >= eq) {
			level = eq;
			break;
		}
		left -= c->scratch[i];
		level = 1.0; /* everyone so far fits */
	}
	/* a time share: the water level is a fraction of the cell's time */
	assert(level > 0 && level <= 1);
	double airtime = 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t u = c->act_list[i];
		const double peak = c->share[u];
		double need = peak > 0 ? 1.0 : 0.0;
		if (c->demand_bps[u] > 0 && peak > 0)
			need = fmin(1.0, c->demand_bps[u] / peak);
		const double s = need < level ? need : level;
		assert(s >= 0 && s <= 1 && isfinite(peak) && peak >= 0);
		airtime += s;
		c->share[u] = s;
		const double r = floor(s * peak);
		c->rate_bps[u] = r > 0 ? (uint64_t)r : 0;
	}
	/* the cell's time is shared, never oversold */
	assert(airtime >= 0 && airtime <= budget + 1e-9);
	(void)airtime;
}

static dn_rc check_user(const dn_net_cell *c, uint32_t u)
{
	return u < c->cap ? DN_OK : DN_EINVAL;
}

dn_rc dn_net_cell_advance(dn_net_cell *c, dn_time_ns t)
{
	if (t < c->t_last_ns)
		return DN_ECAUSALITY;
	const dn_time_ns dt_ns = t - c->t_last_ns;
	assert(c->n_active <= c->n_present && c->n_present <= c->cap);
	if (dt_ns > 0)
		for (uint32_t i = 0; i < c->n_active; i++) {
			const uint32_t u = c->act_list[i];
			assert(u < c->cap);
			dn_net_integrate(c->rate_bps[u], dt_ns, &c->bits[u], &c->rem_bit_ns[u]);
		}
	c->t_last_ns = t;
	return DN_OK;
}

dn_rc dn_net_cell_place(dn_net_cell *c, dn_time_ns t, uint32_t u, double x_m, double y_m)
{
	dn_rc rc = check_user(c, u);
	if (rc)
		return rc;
	if (!isfinite(x_m) || !isfinite(y_m))
		return DN_EINVAL;
	rc = dn_net_cell_advance(c, t);
	if (rc)
		return rc;
	if (!c->present[u]) {
		/* One Philox block per user slot: LOS uniform and shadowing normal
		 * are fixed for the user, so moving is spatially consistent in
		 * the sense that LOS only changes when the probability crosses it. */
		uint32_t r[4];
		dn_rng_block(c->seed, c->id, DN_NET_PURPOSE_CHANNEL, u, r);
		c->u_los[u] = dn_u01(r[0], r[1]);
		c->z_shadow[u] = dn_net_normal(dn_u01(r[2], r[3]), dn_u01(r[1], r[2]));
		c->fixed_channel[u] = 0;
		c->present[u] = 1;
		c->n_present++;
		assert(c->n_present <= c->cap);
		/* a LOS draw is compared with a probability: it lies in [0, 1) */
		assert(c->u_los[u] >= 0 && c->u_los[u] < 1 && isfinite(c->z_shadow[u]));
	}
	c->x_m[u] = x_m;
	c->y_m[u] = y_m;
	channel_update(c, u);
	if (c->active[u])
		recompute(c);
	return DN_OK;
}

dn_rc dn_net_cell_set_channel(dn_net_cell *c, uint32_t u, bool los, double shadow_db)
{
	dn_rc rc = check_user(c, u);
	if (rc)
		return rc;
	if (!c->present[u] || !isfinite(shadow_db))
		return DN_EINVAL;
	c->fixed_channel[u] = 1;
	c->los[u] = los;
	c->z_shadow[u] = shadow_db;
	channel_update(c, u);
	if (c->active[u])
		recompute(c);
	return DN_OK;
}

dn_rc dn_net_cell_start(dn_net_cell *c, dn_time_ns t, uint32_t u, double demand_bps)
{
	dn_rc rc = check_user(c, u);
	if (rc)
		return rc;
	if (!c->present[u] || !isfinite(demand_bps))
		return DN_EINVAL;
	rc = dn_net_cell_advance(c, t);
	if (rc)
		return rc;
	c->demand_bps[u] = demand_bps > 0 ? demand_bps : 0;
	if (!c->active[u]) {
		/* u is not yet in the list, so the list has room for it */
		assert(c->n_active < c->cap);
		c->active[u] = 1;
		c->act_pos[u] = c->n_active;
		c->act_list[c->n_active++] = u;
	}
	recompute(c);
	return DN_OK;
}

dn_rc dn_net_cell_start_all(dn_net_cell *c, dn_time_ns t, double demand_bps)
{
	if (!isfinite(demand_bps))
		return DN_EINVAL;
	dn_rc rc = dn_net_cell_advance(c, t);
	if (rc)
		return rc;
	for (uint32_t u = 0; u < c->cap; u++) {
		if (!c->present[u])
			continue;
		c->demand_bps[u] = demand_bps > 0 ? demand_bps : 0;
		if (!c->active[u]) {
			/* u is not yet in the list, so the list has room for it */
			assert(c->n_active < c->cap);
			c->active[u] = 1;
			c->act_pos[u] = c->n_active;
			c->act_list[c->n_active++] = u;
		}
	}
	recompute(c);
	return DN_OK;
}

dn_rc dn_net_cell_stop(dn_net_cell *c, dn_time_ns t, uint32_t u)
{
	dn_rc rc = check_user(c, u);
	if (rc)
		return rc;
	rc = dn_net_cell_advance(c, t);
	if (rc)
		return rc;
	if (!c->active[u])
		return DN_OK;
	assert(c->n_active > 0 && c->act_pos[u] < c->n_active && c->act_list[c->act_pos[u]] == u);
	const uint32_t p = c->act_pos[u], last = c->act_list[--c->n_active];
	c->act_list[p] = last;
	c->act_pos[last] = p;
	c->active[u] = 0;
	c->rate_bps[u] = 0;
	c->share[u] = 0;
	recompute(c);
	return DN_OK;
}

dn_rc dn_net_cell_leave(dn_net_cell *c, dn_time_ns t, uint32_t u)
{
	dn_rc rc = dn_net_cell_stop(c, t, u);
	if (rc)
		return rc;
	if (c->present[u]) {
		/* the flow ended above: only a user without one leaves */
		assert(!c->active[u] && c->n_present > 0);
		c->present[u] = 0;
		c->n_present--;
	}
	return DN_OK;
}

dn_rc dn_net_cell_user(const dn_net_cell *c, uint32_t u, dn_net_user_stat *out)
{
	dn_rc rc = check_user(c, u);
	if (rc)
		return rc;
	memset(out, 0, sizeof *out);
	out->present = c->present[u];
	out->active = c->active[u];
	out->los = c->los[u];
	out->sinr_db = c->present[u] ? dn_net_lin2db(c->sinr_lin[u]) : -INFINITY;
	out->peak_bps = c->peak_bps[u];
	out->rate_bps = (double)c->rate_bps[u];
	out->delivered_bits = c->bits[u];
	if (c->active[u]) {
		const double r = (double)c->rate_bps[u];
		/* A saturated flow waits behind the bearer's queue; a flow that
		 * asks less than it gets sees one packet's service time. */
		const bool sat = c->demand_bps[u] <= 0 || r < c->demand_bps[u] - 2.0;
		out->delay_s = r > 0 ? c->k.cell_base_delay_s +
			(sat ? c->k.cell_queue_bits : c->cfg.pkt_bits) / r : INFINITY;
	}
	return DN_OK;
}

uint32_t dn_net_cell_active(const dn_net_cell *c)
{
	return c->n_active;
}

double dn_net_cell_total_bps(const dn_net_cell *c)
{
	double s = 0;
	for (uint32_t i = 0; i < c->n_active; i++)
		s += (double)c->rate_bps[c->act_list[i]];
	return s;
}

double dn_net_cell_airtime(const dn_net_cell *c)
{
	double s = 0;
	for (uint32_t i = 0; i < c->n_active; i++)
		s += c->share[c->act_list[i]];
	assert(s >= 0 && s <= 1.0 + 1e-9);
	return s;
}
