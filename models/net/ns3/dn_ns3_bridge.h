/*
 * dn_ns3_bridge.h: maps a flow-model configuration onto the ns-3 shim's, so
 * that `calc --ns3`, `calibrate` and the tests run ns-3 on exactly what the
 * flow model evaluates. Include only under #ifdef DN_HAVE_NS3.
 *
 * Debian's ns-3 LTE knows carriers up to band 7 (2.655 GHz): a comparison
 * runs at the LTE carrier nearest the requested band, and the flow model
 * is evaluated at that same frequency (dn_net_ns3_carrier).
 */
#ifndef DN_NS3_BRIDGE_H
#define DN_NS3_BRIDGE_H

#include <math.h>
#include <stdio.h>

#include "dn_net.h"
#include "dn_ns3.h"

/* LTE resource blocks for a bandwidth (MHz); 0 if not an LTE bandwidth. */
static inline uint32_t dn_net_ns3_rbs(double bandwidth_mhz)
{
	static const double mhz[] = {1.4, 3, 5, 10, 15, 20};
	static const uint32_t rbs[] = {6, 15, 25, 50, 75, 100};
	for (unsigned i = 0; i < 6; i++)
		if (fabs(bandwidth_mhz - mhz[i]) < 1e-6)
			return rbs[i];
	return 0;
}

/* The LTE DL EARFCN used for a requested band, and its carrier (GHz). */
static inline uint32_t dn_net_ns3_carrier(double band_ghz, double *carrier_ghz)
{
	const uint32_t e = band_ghz >= 2.4 ? 3100 : 100; /* 2.655 GHz (band 7) or 2.12 GHz (band 1) */
	*carrier_ghz = dn_ns3_earfcn_hz(e) * 1e-9;
	return e;
}

/* Runs the cell in ns-3: every user saturating, LOS fixed when los != NULL
 * (shadowing then off). measure_s of traffic after 0.5 s of warm-up. */
static inline int dn_net_ns3_cell(const dn_net_cell_cfg *c, uint32_t n, const double *x_m,
                                  const double *y_m, const int *los, uint64_t seed,
                                  double measure_s, dn_ns3_flow *out, dn_ns3_info *info,
                                  char *err, size_t errlen)
{
	double fc_ghz;
	dn_ns3_cell_cfg k = {0};
	k.n_ues = n;
	k.x_m = x_m;
	k.y_m = y_m;
	k.los = los;
	k.shadowing = los ? 0 : c->shadowing;
	k.rbs = dn_net_ns3_rbs(c->bandwidth_hz * 1e-6);
	if (k.rbs == 0) {
		snprintf(err, errlen, "ns-3 LTE needs a bandwidth of 1.4, 3, 5, 10, 15 or 20 MHz (got %g)",
			 c->bandwidth_hz * 1e-6);
		return -1;
	}
	k.dl_earfcn = dn_net_ns3_carrier(c->band_ghz, &fc_ghz);
	k.tx_power_dbm = c->tx_power_dbm;
	k.h_bs_m = c->height_bs_m;
	k.h_ut_m = c->height_ut_m;
	k.noise_figure_db = c->noise_figure_db;
	k.scheduler = c->sched == DN_NET_SCHED_PF;
	/* above any user's equal share: 7.5 bit/s/Hz over the band, split n ways, +30 % */
	k.offered_bps = 1.3 * 7.5 * c->bandwidth_hz / n;
	k.pkt_bytes = 1024;
	k.rlc_buffer_bytes = 0; /* ns-3's default; larger buffers only add queueing delay */
	k.warmup_s = 0.5;
	k.measure_s = measure_s;
	k.seed = seed;
	k.timeout_s = 600;
	return dn_ns3_run_cell(&k, out, info, err, errlen);
}

/* Runs the mesh in ns-3 (routing 0 OLSR, 1 AODV), every flow offered
 * offered_bps, or dn_net_mesh_offered_bps where offered_bps is 0. */
static inline int dn_net_ns3_mesh(const dn_net_mesh_cfg *c, uint32_t n, const double *x_m,
                                  const double *y_m, uint32_t n_flows, const uint32_t *src,
                                  const uint32_t *dst, int routing, uint64_t seed, double measure_s,
                                  double offered_bps, dn_ns3_flow *out, dn_ns3_info *info, char *err,
                                  size_t errlen)
{
	dn_ns3_mesh_cfg k = {0};
	k.n_nodes = n;
	k.x_m = x_m;
	k.y_m = y_m;
	k.n_flows = n_flows;
	k.src = src;
	k.dst = dst;
	k.routing = routing;
	/* Offered load (dn_net_mesh_offered_bps, shared with the flow model's
	 * comparison): the one-hop 54 Mbit/s goodput split over the hops of all
	 * the flows. Far more than that collapses OLSR in ns-3 (HELLOs are
	 * lost in saturated queues and routes time out), which measures the
	 * routing protocol's failure rather than the path's capacity. */
	k.offered_bps = offered_bps > 0 ? offered_bps : dn_net_mesh_offered_bps(c, n, x_m, y_m, n_flows, src, dst);
	k.pkt_bytes = (uint32_t)(c->pkt_bits / 8);
	k.warmup_s = routing == 0 ? 12.0 : 2.0; /* OLSR converges in ~10 s */
	k.measure_s = measure_s;
	k.seed = seed;
	k.timeout_s = 600;
	return dn_ns3_run_mesh(&k, out, info, err, errlen);
}

#endif
