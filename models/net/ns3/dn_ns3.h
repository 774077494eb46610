/*
 * dn_ns3.h: the C face of the ns-3 shim (models/net/ns3, the only C++ in
 * dnetsim). Each function runs one packet-level ns-3 scenario in a forked
 * child process (ns-3 keeps global state and aborts the whole process on
 * some internal errors, so the parent must survive) and returns per-flow
 * throughput, delay and loss measured by FlowMonitor.
 *
 * Built only with ns-3 (Debian libns3-dev 3.37); callers guard with
 * #ifdef DN_HAVE_NS3. Plain C structs in and out; all arrays are owned by
 * the caller. Functions return 0 on success, -1 with a message in err.
 */
#ifndef DN_NS3_H
#define DN_NS3_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DN_NS3_MAX_NODES 1024

typedef struct dn_ns3_flow {
	double rx_bps;   /* received payload bits / measurement window */
	double delay_s;  /* mean one-way delay of received packets */
	double loss;     /* lost / sent packets (0..1) */
	double hops;     /* mean forwards + 1 (IP hops; 802.11s paths count 1) */
	uint64_t rx_packets;
} dn_ns3_flow;

typedef struct dn_ns3_info {
	double wall_s;       /* wall time of the child's simulation */
	double sim_s;        /* simulated seconds */
	uint64_t events;     /* ns-3 events executed */
} dn_ns3_info;

/* LTE cell: one eNB at (0, 0, h_bs), UEs at (x, y, h_ut), saturating UDP
 * downlink from a remote host through the EPC to every UE. */
typedef struct dn_ns3_cell_cfg {
	uint32_t n_ues;
	const double *x_m, *y_m;   /* n_ues each */
	const int *los;            /* n_ues: 1 LOS, 0 NLOS; NULL: TR 38.901 random */
	int shadowing;             /* 3GPP shadowing on (1) or off (0) */
	uint32_t rbs;              /* LTE bandwidth in resource blocks: 6 15 25 50 75 100 */
	uint32_t dl_earfcn;        /* 0: 100 (2120 MHz, band 1) */
	double tx_power_dbm;
	double h_bs_m, h_ut_m;
	double noise_figure_db;
	int scheduler;             /* 0 round robin, 1 proportional fair */
	double offered_bps;        /* per UE (choose above its share to saturate) */
	uint32_t pkt_bytes;
	uint32_t rlc_buffer_bytes; /* RLC UM transmit buffer per bearer (0: ns-3's 10240) */
	double warmup_s, measure_s;
	uint64_t seed;
	double timeout_s;          /* wall-clock limit of the child (0: none) */
} dn_ns3_cell_cfg;

/* Frequency (Hz) of an LTE downlink EARFCN as ns-3 computes it, 0 if unknown. */
double dn_ns3_earfcn_hz(uint32_t dl_earfcn);

int dn_ns3_run_cell(const dn_ns3_cell_cfg *cfg, dn_ns3_flow *out, dn_ns3_info *info,
                    char *err, size_t errlen);

/* Ad hoc 802.11a network (IdealWifiManager, Yans default channel) with
 * OLSR or AODV, saturating or rate-limited UDP flows. */
typedef struct dn_ns3_mesh_cfg {
	uint32_t n_nodes;
	const double *x_m, *y_m;
	uint32_t n_flows;
	const uint32_t *src, *dst; /* n_flows each */
	int routing;               /* 0 OLSR, 1 AODV */
	double offered_bps;        /* per flow */
	uint32_t pkt_bytes;
	double warmup_s, measure_s; /* traffic starts after warmup (OLSR: ~10 s) */
	uint64_t seed;
	double timeout_s;
} dn_ns3_mesh_cfg;

int dn_ns3_run_mesh(const dn_ns3_mesh_cfg *cfg, dn_ns3_flow *out, dn_ns3_info *info,
                    char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
