/*
 * eval.c: one-shot evaluations of the flow models on the standard layouts
 * that `dnetsim calc`, `dnetsim calibrate`, the tests and the benchmarks
 * share: users uniform on a disc around one cell, and parallel multi-hop
 * chains on a jittered grid. The same layouts go to ns-3 (models/net/ns3)
 * so the two can be compared flow by flow. No ns-3 here.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "net_int.h"
#include "rng.h"

dn_rc dn_net_layout_disc(uint32_t n, double radius_m, uint64_t seed, double *x_m, double *y_m)
{
	if (n == 0 || !(radius_m >= 10.0))
		return DN_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r[4];
		dn_rng_block(seed, i, DN_NET_PURPOSE_PLACE, 0, r);
		/* uniform on the annulus 10 m .. R (TR 38.901 formulas start at 10 m) */
		const double r2 = 100.0 + dn_u01(r[0], r[1]) * (radius_m * radius_m - 100.0);
		const double a = 6.283185307179586 * dn_u01(r[2], r[3]);
		x_m[i] = sqrt(r2) * cos(a);
		y_m[i] = sqrt(r2) * sin(a);
	}
	return DN_OK;
}

dn_rc dn_net_layout_chains(uint32_t n, uint32_t hops, double spacing_m, uint64_t seed,
                           double *x_m, double *y_m, uint32_t *src, uint32_t *dst,
                           uint32_t *n_flows)
{
	if (hops == 0 || hops > DN_NET_MAX_HOPS || n < hops + 1 || !(spacing_m > 0))
		return DN_EINVAL;
	const uint32_t per = hops + 1, chains = n / per;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r[4];
		dn_rng_block(seed, i, DN_NET_PURPOSE_PLACE, 1, r);
		const double jx = (dn_u01(r[0], r[1]) - 0.5) * 0.1 * spacing_m;
		const double jy = (dn_u01(r[2], r[3]) - 0.5) * 0.1 * spacing_m;
		/* chain c is row c; leftovers fill one more row as idle relays */
		const uint32_t row = i / per, col = i % per;
		x_m[i] = col * spacing_m + (i == row * per || col == hops ? 0 : jx);
		y_m[i] = row * spacing_m + jy;
	}
	for (uint32_t c = 0; c < chains; c++) {
		src[c] = c * per;
		dst[c] = c * per + hops;
		assert(dst[c] < n); /* chains * per <= n */
	}
	*n_flows = chains;
	return DN_OK;
}

/* The fewest hops from s to t over links above the detection floor (the
 * links OLSR uses, and the model's routes); 0 when none joins them (or
 * s == t). level and queue hold n each. */
static uint32_t floor_hops(const dn_net_mesh_cfg *cfg, uint32_t n, const double *x_m, const double *y_m,
			   uint32_t s, uint32_t t, uint32_t *level, uint32_t *queue)
{
	const dn_net_calib k0 = {0}; /* usable links need only the detection floor */
	for (uint32_t i = 0; i < n; i++)
		level[i] = UINT32_MAX;
	uint32_t head = 0, tail = 0;
	level[s] = 0;
	queue[tail++] = s;
	while (head < tail && level[t] == UINT32_MAX) {
		const uint32_t u = queue[head++];
		for (uint32_t v = 0; v < n; v++)
			if (level[v] == UINT32_MAX &&
			    dn_net_wifi_delivery(cfg, &k0, hypot(x_m[u] - x_m[v], y_m[u] - y_m[v])) > 0) {
				level[v] = level[u] + 1;
				queue[tail++] = v;
			}
	}
	return level[t] == UINT32_MAX ? 0 : level[t];
}

dn_rc dn_net_layout_random(const dn_net_mesh_cfg *cfg, uint32_t n, double side_m,
			   uint32_t n_flows, uint64_t seed, double *x_m, double *y_m, uint32_t *src, uint32_t *dst)
{
	if (n < 2 || n > 65536 || n_flows == 0 || !(side_m > 0) || !isfinite(side_m))
		return DN_EINVAL;
	uint32_t *queue = malloc(n * sizeof *queue), *level = malloc(n * sizeof *level);
	dn_rc rc = DN_EINVAL; /* no routable layout in 64 draws: the square is too sparse */
	for (uint32_t draw = 0; queue && level && draw < 64 && rc; draw++) {
		for (uint32_t i = 0; i < n; i++) {
			uint32_t r[4];
			dn_rng_block(seed, i, DN_NET_PURPOSE_PLACE, 2 + 2 * (uint64_t)draw, r);
			x_m[i] = dn_u01(r[0], r[1]) * side_m;
			y_m[i] = dn_u01(r[2], r[3]) * side_m;
		}
		/* each flow joins two distinct nodes at least half the side apart,
		 * with a route between them; a layout without such pairs is drawn again */
		uint32_t f = 0;
		for (uint32_t tries = 0; f < n_flows && tries < 64 * n_flows; tries++) {
			uint32_t r[4];
			dn_rng_block(seed, f, DN_NET_PURPOSE_PLACE, 3 + 2 * (uint64_t)draw + ((uint64_t)tries << 8), r);
			const uint32_t s = r[0] % n, t = r[1] % n;
			if (s == t || hypot(x_m[s] - x_m[t], y_m[s] - y_m[t]) < 0.5 * side_m ||
			    floor_hops(cfg, n, x_m, y_m, s, t, level, queue) == 0)
				continue;
			src[f] = s;
			dst[f] = t;
			f++;
		}
		if (f == n_flows)
			rc = DN_OK;
	}
	if (!queue || !level)
		rc = DN_ENOMEM;
	free(queue);
	free(level);
	return rc;
}

dn_rc dn_net_eval_cell(const dn_net_cell_cfg *cfg, const dn_net_calib *k, uint32_t n,
                       const double *x_m, const double *y_m, const int *los, uint64_t seed,
                       dn_net_user_stat *out)
{
	dn_net_cell *c = NULL;
	dn_rc rc = dn_net_cell_new(cfg, k, n, NULL, 0, seed, 0, &c);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < n && !rc; i++) {
		rc = dn_net_cell_place(c, 0, i, x_m[i], y_m[i]);
		if (!rc && los)
			rc = dn_net_cell_set_channel(c, i, los[i] != 0, 0.0);
	}
	if (!rc)
		rc = dn_net_cell_start_all(c, 0, 0);
	for (uint32_t i = 0; i < n && !rc; i++)
		rc = dn_net_cell_user(c, i, &out[i]);
	dn_net_cell_free(c);
	return rc;
}

double dn_net_mesh_offered_bps(const dn_net_mesh_cfg *cfg, uint32_t n, const double *x_m, const double *y_m,
			       uint32_t n_flows, const uint32_t *src, const uint32_t *dst)
{
	/* every transmission of every flow shares the one-hop capacity: the
	 * one-hop 54 Mbit/s goodput over the sum of the flows' fewest hops */
	uint32_t *level = malloc((size_t)n * sizeof *level), *queue = malloc((size_t)n * sizeof *queue);
	uint64_t total = 0;
	for (uint32_t f = 0; f < n_flows; f++) {
		const uint32_t h = level && queue && src[f] < n && dst[f] < n
					   ? floor_hops(cfg, n, x_m, y_m, src[f], dst[f], level, queue) : 0;
		/* no route (or no memory): the straight distance's estimate */
		const uint32_t est = h ? h : (uint32_t)ceil(hypot(x_m[src[f]] - x_m[dst[f]], y_m[src[f]] - y_m[dst[f]]) / 50.0);
		total += est > 0 ? est : 1;
	}
	free(level);
	free(queue);
	assert(total >= 1 || n_flows == 0);
	return dn_net_wifi_goodput_bps(54 * DN_NET_BPS_PER_MBPS, cfg->pkt_bits) / (double)(total ? total : 1);
}

dn_rc dn_net_eval_mesh(const dn_net_mesh_cfg *cfg, const dn_net_calib *k, uint32_t n,
                       const double *x_m, const double *y_m, uint32_t n_flows,
                       const uint32_t *src, const uint32_t *dst, double offered_bps, dn_net_flow_stat *out)
{
	if (!(offered_bps >= 0) || !isfinite(offered_bps))
		return DN_EINVAL;
	const double offered = offered_bps > 0 ? offered_bps : dn_net_mesh_offered_bps(cfg, n, x_m, y_m, n_flows, src, dst);
	dn_net_mesh *m = NULL;
	dn_rc rc = dn_net_mesh_new(cfg, k, n, n_flows, &m);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < n && !rc; i++)
		rc = dn_net_mesh_place(m, 0, i, DN_NET_ROUTER, x_m[i], y_m[i]);
	for (uint32_t f = 0; f < n_flows && !rc; f++)
		rc = dn_net_mesh_start(m, 0, f, src[f], dst[f], offered);
	for (uint32_t f = 0; f < n_flows && !rc; f++)
		rc = dn_net_mesh_flow(m, f, &out[f]);
	dn_net_mesh_free(m);
	return rc;
}
