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

double dn_net_mesh_offered_bps(const dn_net_mesh_cfg *cfg, const double *x_m, const double *y_m,
                               uint32_t n_flows, const uint32_t *src, const uint32_t *dst)
{
	/* the one-hop 54 Mbit/s goodput split over the hops of the longest
	 * flow, its hop count estimated as straight distance / 50 m */
	uint32_t hmax = 1;
	for (uint32_t f = 0; f < n_flows; f++) {
		const double d = hypot(x_m[src[f]] - x_m[dst[f]], y_m[src[f]] - y_m[dst[f]]);
		const uint32_t h = (uint32_t)ceil(d / 50.0);
		hmax = h > hmax ? h : hmax;
	}
	assert(hmax >= 1);
	return dn_net_wifi_goodput_bps(54 * DN_NET_BPS_PER_MBPS, cfg->pkt_bits) / hmax;
}

dn_rc dn_net_eval_mesh(const dn_net_mesh_cfg *cfg, const dn_net_calib *k, uint32_t n,
                       const double *x_m, const double *y_m, uint32_t n_flows,
                       const uint32_t *src, const uint32_t *dst, dn_net_flow_stat *out)
{
	const double offered = dn_net_mesh_offered_bps(cfg, x_m, y_m, n_flows, src, dst);
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
