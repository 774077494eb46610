/*
 * dn_net.h: flow-level network models (public header of models/net).
 *
 * Three kinds of partition carry traffic: an access/backhaul link (a row of
 * a const table), a 5G micro/pico/femto cell (3GPP TR 38.901 path loss,
 * SINR with neighbour-cell interference, calibrated attenuated Shannon,
 * round-robin or proportional-fair sharing) and a Wi-Fi mesh or ad hoc
 * network (802.11a link rates by distance, ETX or hop-count routes, shared
 * airtime over collision domains, mobility and churn with route repair).
 *
 * Rates are piecewise constant between events: every call that changes a
 * cell or mesh (a flow starts or ends, a node moves or leaves) first
 * integrates the bits each active flow delivered since the last event, in
 * integer arithmetic (bits and a remainder in bit-nanoseconds, so nothing is
 * lost to rounding), and then recomputes the rates. State is struct-of-
 * arrays sized once at creation: nothing is allocated per flow or per event.
 *
 * This is not a packet model: no queues are simulated. The packet-level
 * reference is ns-3 through models/net/ns3/dn_ns3.h; the constants that tie
 * the two together are read from a calibration file (dn_net_calib).
 */
#ifndef DN_NET_H
#define DN_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "dn_base.h"
#include "params.h"

/* ---------------------------------------------------------------- units */

/* Unit conversions of the network models (decimal SI prefixes, as link
 * and radio figures are quoted). Integers, so they serve both the integer
 * link table and double arithmetic (where they convert exactly). */
#define DN_NET_BPS_PER_KBPS INT64_C(1000)       /* bit/s per kbit/s */
#define DN_NET_BPS_PER_MBPS INT64_C(1000000)    /* bit/s per Mbit/s */
#define DN_NET_BPS_PER_GBPS INT64_C(1000000000) /* bit/s per Gbit/s */
#define DN_NET_HZ_PER_MHZ INT64_C(1000000)
#define DN_NET_HZ_PER_GHZ INT64_C(1000000000)

/* ---------------------------------------------------------------- links */

typedef enum dn_net_link_kind {
	DN_NET_LINK_DIALUP,
	DN_NET_LINK_ISDN,
	DN_NET_LINK_ADSL2P,
	DN_NET_LINK_VDSL2,
	DN_NET_LINK_PON_155,
	DN_NET_LINK_PON_622,
	DN_NET_LINK_FTTH_1G,
	DN_NET_LINK_CABLE,
	DN_NET_LINK_VSAT,
	DN_NET_LINK_LEO,
	DN_NET_LINK_LTE_MACRO,
	DN_NET_LINK_COUNT
} dn_net_link_kind;

typedef struct dn_net_link_info {
	const char *name;      /* "vdsl2" */
	int64_t down_bps;      /* capacity towards the user */
	int64_t up_bps;        /* capacity from the user */
	dn_time_ns latency_ns; /* one-way, access part only */
	double loss;           /* packet loss probability, 0..1 */
	double availability;   /* fraction of time up, 0..1 */
	const char *source;    /* where the figures come from */
} dn_net_link_info;

/* The row for a kind, or NULL when out of range. */
const dn_net_link_info *dn_net_link(dn_net_link_kind kind);
/* Kind by name ("vdsl2"); DN_EUNKNOWN when no such kind. */
DN_WUR dn_rc dn_net_link_find(const char *name, dn_net_link_kind *out);

/* ---------------------------------------------------------- calibration */

/* The 802.11a rates above 6 Mbit/s (the mesh rate ladder) and the received
 * power below which no frame is detected (ns-3's preamble detection, the
 * standard's 6 Mbit/s sensitivity). */
#define DN_NET_WIFI_LADDER 7
#define DN_NET_WIFI_FLOOR_DBM (-82.0)

/* Constants fitted by `dnetsim calibrate` against ns-3 (see calib.c). */
typedef struct dn_net_calib {
	int version;
	/* cell: rate = bw * rb_use * se_scale * min(log2(1 + sinr / gap), se_max) if sinr >= sinr_min */
	double cell_se_scale;      /* dimensionless */
	double cell_se_max_bps_hz; /* spectral-efficiency cap */
	double cell_sinr_min_db;   /* below this a user gets nothing */
	double cell_gap_db;        /* SINR gap to Shannon: log2(1 + sinr / gap) */
	double cell_base_delay_s;  /* one-way delay of an unloaded bearer */
	double cell_queue_bits;    /* bits queued ahead of a saturated flow */
	/* mesh */
	double mesh_mac_eff;           /* goodput / analytical 802.11 DCF goodput */
	double mesh_interf_margin_db;  /* decoding margin (dB, <= 0; above 0 counts as 0): a sender breaks
	                                * a hop when it pushes the hop's SINR below the SINR its rate
	                                * was chosen at plus this margin */
	/* received power (dBm) each 802.11a rate above 6 Mbit/s needs, fastest
	 * first (54, 48, 36, 24, 18, 12, 9 Mbit/s; never increasing): the
	 * rate-control ladder measured by calibrate's one-hop distance sweep.
	 * 6 Mbit/s needs the preamble-detection floor, DN_NET_WIFI_FLOOR_DBM. */
	double mesh_rate_rx_dbm[DN_NET_WIFI_LADDER];
	double mesh_hidden_vuln;       /* hidden-terminal vulnerability: success (1 - a)^v per hidden
	                                * interferer busy a of the time (nominal 2: two frame times) */
	double mesh_hop_delay_s;       /* per-hop processing + access delay, unloaded */
	double mesh_queue_bits;        /* bits queued ahead of a saturated flow */
} dn_net_calib;

#define DN_NET_CALIB_VERSION 2

/*
 * Loads a calibration file. On error returns DN_EIO (cannot open: err
 * names the path) or DN_EPARSE (err says "file:line: what"); *out is then
 * unspecified. Every key must appear exactly once; unknown keys are errors.
 */
DN_WUR dn_rc dn_net_calib_load(const char *path, dn_net_calib *out, char *err, size_t errlen);
/* Parses calibration text (len bytes); `name` is used in messages. */
DN_WUR dn_rc dn_net_calib_parse(const char *name, const char *text, size_t len,
                                dn_net_calib *out, char *err, size_t errlen);
/* Writes a calibration file; `comment` lines (may be NULL) go in as # lines. */
DN_WUR dn_rc dn_net_calib_save(const char *path, const dn_net_calib *c, const char *comment,
                               char *err, size_t errlen);
/* The path of the shipped file in the source tree (compile-time). */
const char *dn_net_calib_default_path(void);

/* ----------------------------------------------------------------- cells */

typedef enum dn_net_cell_size { DN_NET_MICRO, DN_NET_PICO, DN_NET_FEMTO } dn_net_cell_size;
typedef enum dn_net_pl_scenario { DN_NET_UMI, DN_NET_UMA } dn_net_pl_scenario;
typedef enum dn_net_sched { DN_NET_SCHED_RR, DN_NET_SCHED_PF } dn_net_sched;
typedef enum dn_net_los_mode { DN_NET_LOS_RANDOM, DN_NET_LOS_ALWAYS, DN_NET_LOS_NEVER } dn_net_los_mode;

typedef struct dn_net_cell_cfg {
	double band_ghz;        /* carrier frequency */
	double bandwidth_hz;
	double tx_power_dbm;    /* total over the band */
	double height_bs_m, height_ut_m;
	double noise_figure_db; /* UE receiver */
	dn_net_pl_scenario scenario;
	dn_net_sched sched;
	bool shadowing;         /* log-normal shadowing per user (TR 38.901 Table 7.4.1-1) */
	dn_net_los_mode los;
	bool fast_fading;       /* Rayleigh block fading: PF gains multi-user diversity */
	double neighbour_load;  /* activity factor of neighbouring cells, 0..1 */
	double pkt_bits;        /* packet size for the delay estimate */
} dn_net_cell_cfg;

/* Sensible defaults for a size class and band (power, heights, by class). */
void dn_net_cell_cfg_default(dn_net_cell_cfg *c, dn_net_cell_size size, double band_ghz);

/*
 * TR 38.901 Table 7.4.1-1 path loss in dB for a 2D distance (clamped to
 * >= 10 m) and LOS state; LOS probability per Table 7.4.2-1.
 */
double dn_net_pathloss_db(dn_net_pl_scenario sc, double fc_ghz, double d2d_m, double h_bs_m,
                          double h_ut_m, bool los);
double dn_net_los_prob(dn_net_pl_scenario sc, double d2d_m, double h_ut_m);
double dn_net_shadow_sigma_db(dn_net_pl_scenario sc, bool los);
/* Spectral efficiency (bit/s/Hz) from linear SINR with a calibration. */
double dn_net_se(const dn_net_calib *k, double sinr_lin);
/* The fraction of a band's resource blocks (0.9 B / 180 kHz) a scheduler
 * allocating whole groups (TS 36.213 Table 7.1.6.1-1) can use: 24/25 at
 * 5 MHz, 48/50 at 10 MHz, 1 at 20 MHz. A user's peak rate carries it. */
double dn_net_cell_rb_use(double bandwidth_hz);
/* The part of the time a scheduler hands out to n_served saturated users:
 * 1, except round robin with fewer users than groups G, which gives each
 * floor(G / n) whole groups a TTI and leaves the rest idle. */
double dn_net_cell_sched_use(dn_net_sched sched, double bandwidth_hz, uint32_t n_served);
/* Distance (m) at which a lone LOS user's SINR falls to the calibrated minimum. */
double dn_net_cell_range_m(const dn_net_cell_cfg *c, const dn_net_calib *k);

/*
 * One cell: a partition. Users (UEs) are indexed 0..cap-1; each has a
 * position relative to the base station, LOS state and shadowing (drawn
 * once from the stream (seed, cell_id, purpose) when placed), at most one
 * downlink flow, and exact delivered-bit counters.
 */
typedef struct dn_net_cell dn_net_cell;

typedef struct dn_net_neighbour {
	double x_m, y_m;     /* neighbour base station relative to this one */
	double tx_power_dbm;
} dn_net_neighbour;

/* Creates a cell for up to cap users and n_nb neighbours (copied). */
DN_WUR dn_rc dn_net_cell_new(const dn_net_cell_cfg *cfg, const dn_net_calib *k, uint32_t cap,
                             const dn_net_neighbour *nb, uint32_t n_nb, uint64_t seed,
                             uint32_t cell_id, dn_net_cell **out);
void dn_net_cell_free(dn_net_cell *c);

/* Places (or moves) user u at (x, y) at time t; draws LOS/shadowing on first
 * placement. Rates of active flows are recomputed. */
DN_WUR dn_rc dn_net_cell_place(dn_net_cell *c, dn_time_ns t, uint32_t u, double x_m, double y_m);
/* Sets LOS and shadowing explicitly (for comparisons with ns-3). */
DN_WUR dn_rc dn_net_cell_set_channel(dn_net_cell *c, uint32_t u, bool los, double shadow_db);
/* Starts u's flow with demand_bps (<= 0: saturating). */
DN_WUR dn_rc dn_net_cell_start(dn_net_cell *c, dn_time_ns t, uint32_t u, double demand_bps);
/* Starts a flow for every present user at once (one rate recomputation). */
DN_WUR dn_rc dn_net_cell_start_all(dn_net_cell *c, dn_time_ns t, double demand_bps);
DN_WUR dn_rc dn_net_cell_stop(dn_net_cell *c, dn_time_ns t, uint32_t u);
/* The user leaves the cell (flow ends, slot freed for a later place). */
DN_WUR dn_rc dn_net_cell_leave(dn_net_cell *c, dn_time_ns t, uint32_t u);
/* Integrates delivered bits up to t without changing anything. */
DN_WUR dn_rc dn_net_cell_advance(dn_net_cell *c, dn_time_ns t);

typedef struct dn_net_user_stat {
	double sinr_db;
	double peak_bps;   /* rate with the whole cell to itself */
	double rate_bps;   /* current rate (0 when idle) */
	double delay_s;    /* one-way packet delay estimate */
	uint64_t delivered_bits;
	bool active, present, los;
} dn_net_user_stat;

DN_WUR dn_rc dn_net_cell_user(const dn_net_cell *c, uint32_t u, dn_net_user_stat *out);
uint32_t dn_net_cell_active(const dn_net_cell *c);
/* Sum of active users' rates and of their time shares (<= 1). */
double dn_net_cell_total_bps(const dn_net_cell *c);
double dn_net_cell_airtime(const dn_net_cell *c);

/* ----------------------------------------------------------------- mesh */

#define DN_NET_MAX_HOPS 32

/* Route metrics: hop count among usable links, ties to the least airtime
 * (OLSR, the default); ETX = 1 / (d_f d_r) summed (De Couto et al.). */
typedef enum dn_net_metric { DN_NET_METRIC_ETX, DN_NET_METRIC_HOPS } dn_net_metric;
typedef enum dn_net_node_kind { DN_NET_ROUTER, DN_NET_CLIENT } dn_net_node_kind;

typedef struct dn_net_mesh_cfg {
	double tx_power_dbm;      /* 802.11a, ns-3 Yans default 16.0206 */
	double pl_ref_db;         /* log-distance path loss at 1 m */
	double pl_exponent;
	double pkt_bits;          /* payload per packet (UDP) */
	double noise_dbm;         /* receiver noise: kT B + noise figure (ns-3 Yans: -93.97 dBm) */
	dn_net_metric metric;
	double repair_s;          /* detection + rediscovery after a node leaves */
	bool clients_relay;       /* mesh clients may forward */
} dn_net_mesh_cfg;

void dn_net_mesh_cfg_default(dn_net_mesh_cfg *c);

/* Received power (dBm) of a link of dist_m metres: log-distance, flat below 1 m. */
double dn_net_wifi_rx_dbm(const dn_net_mesh_cfg *c, double dist_m);
/* 802.11a PHY rate (bit/s) a link of this length supports, 0 beyond range. */
double dn_net_wifi_rate_bps(const dn_net_mesh_cfg *c, const dn_net_calib *k, double dist_m);
/* Frame delivery ratio: 1 where the received power reaches the detection
 * floor, else 0 (no fading: ns-3's Yans channel is deterministic). */
double dn_net_wifi_delivery(const dn_net_mesh_cfg *c, const dn_net_calib *k, double dist_m);
/* Saturated one-hop UDP goodput of 802.11a DCF at a PHY rate (analytic). */
double dn_net_wifi_goodput_bps(double phy_bps, double pkt_bits);

typedef struct dn_net_mesh dn_net_mesh;

DN_WUR dn_rc dn_net_mesh_new(const dn_net_mesh_cfg *cfg, const dn_net_calib *k, uint32_t node_cap,
                             uint32_t flow_cap, dn_net_mesh **out);
void dn_net_mesh_free(dn_net_mesh *m);

/* Adds/moves node n (alive) at t. Routes of flows are recomputed. */
DN_WUR dn_rc dn_net_mesh_place(dn_net_mesh *m, dn_time_ns t, uint32_t n, dn_net_node_kind kind,
                               double x_m, double y_m);
/* Node n switches off at t: flows through it are broken until the repair
 * time (t + cfg.repair_s), when dn_net_mesh_repair must be called. */
DN_WUR dn_rc dn_net_mesh_leave(dn_net_mesh *m, dn_time_ns t, uint32_t n, dn_time_ns *repair_at_ns);
/* Node n switches back on (at its last position). */
DN_WUR dn_rc dn_net_mesh_join(dn_net_mesh *m, dn_time_ns t, uint32_t n);
/* Earliest time a repair is due (DN_TIME_MAX: none). A move or leave that
 * breaks routes makes one due; the caller schedules dn_net_mesh_repair. */
dn_time_ns dn_net_mesh_repair_due(const dn_net_mesh *m);
/* Re-routes broken flows (those with no route left stay unreachable). */
DN_WUR dn_rc dn_net_mesh_repair(dn_net_mesh *m, dn_time_ns t);
/* Starts flow f from src to dst with demand (<= 0: saturating). */
DN_WUR dn_rc dn_net_mesh_start(dn_net_mesh *m, dn_time_ns t, uint32_t f, uint32_t src,
                               uint32_t dst, double demand_bps);
DN_WUR dn_rc dn_net_mesh_stop(dn_net_mesh *m, dn_time_ns t, uint32_t f);
DN_WUR dn_rc dn_net_mesh_advance(dn_net_mesh *m, dn_time_ns t);

typedef enum dn_net_flow_state {
	DN_NET_FLOW_IDLE, DN_NET_FLOW_OK, DN_NET_FLOW_BROKEN, DN_NET_FLOW_UNREACHABLE
} dn_net_flow_state;

typedef struct dn_net_flow_stat {
	dn_net_flow_state state;
	uint32_t hops;
	uint32_t route[DN_NET_MAX_HOPS + 1]; /* node ids, src..dst */
	double rate_bps, delay_s, loss;
	uint64_t delivered_bits;
	double outage_s;   /* total time spent broken (repair delays) */
	uint32_t repairs;  /* successful repairs */
} dn_net_flow_stat;

DN_WUR dn_rc dn_net_mesh_flow(const dn_net_mesh *m, uint32_t f, dn_net_flow_stat *out);
/* The largest airtime sum over the collision domains of the active hops
 * (sum of x_f / T_hop, before hidden-terminal losses): at most 1. */
double dn_net_mesh_max_airtime(const dn_net_mesh *m);

/* Random waypoint (Johnson and Maltz 1996): next target and travel time. */
typedef struct dn_net_rwp {
	double w_m, h_m;                /* area */
	double speed_min_mps, speed_max_mps;
	double pause_s;
} dn_net_rwp;
/* From (x,y), draws a waypoint and returns the time to reach it plus pause;
 * draws come from the stream (seed, node, purpose, *index), *index advanced. */
dn_time_ns dn_net_rwp_next(const dn_net_rwp *r, uint64_t seed, uint32_t node, uint64_t *index,
                           double *x_m, double *y_m);

/* ------------------------------------------------- standard layouts (eval.c) */

/* n users uniform on the annulus 10 m..radius around a cell at the origin. */
DN_WUR dn_rc dn_net_layout_disc(uint32_t n, double radius_m, uint64_t seed, double *x_m, double *y_m);
/* n nodes: n / (hops+1) parallel chains (rows spacing_m apart) of hops+1
 * nodes spacing_m apart, jittered by +-5 %; flow c runs along row c from
 * its first to its last node; leftover nodes form an idle row. src/dst
 * need room for n / (hops+1) flows. */
DN_WUR dn_rc dn_net_layout_chains(uint32_t n, uint32_t hops, double spacing_m, uint64_t seed,
                                  double *x_m, double *y_m, uint32_t *src, uint32_t *dst,
                                  uint32_t *n_flows);
/* All n users active with saturating demand; los (may be NULL) fixes LOS
 * and switches shadowing off per user (as the ns-3 comparison does). */
DN_WUR dn_rc dn_net_eval_cell(const dn_net_cell_cfg *cfg, const dn_net_calib *k, uint32_t n,
                              const double *x_m, const double *y_m, const int *los,
                              uint64_t seed, dn_net_user_stat *out);
/* The load each flow of a mesh comparison is offered, in ns-3 as in the
 * model: the one-hop 54 Mbit/s goodput (dn_net_wifi_goodput_bps) over the
 * hops of all flows together, each flow's the fewest hops over links above
 * the detection floor among the n nodes (ceil(straight distance / 50 m)
 * where none joins its ends). Much more collapses OLSR in ns-3 (HELLOs
 * lost in saturated queues, routes timing out). */
double dn_net_mesh_offered_bps(const dn_net_mesh_cfg *cfg, uint32_t n, const double *x_m, const double *y_m,
                               uint32_t n_flows, const uint32_t *src, const uint32_t *dst);
/* n nodes uniform on a square of side side_m and n_flows flows, each
 * between two distinct nodes at least side_m / 2 apart that a route joins
 * (links above the detection floor). Deterministic from seed; DN_EINVAL
 * when 64 draws give no such layout. */
DN_WUR dn_rc dn_net_layout_random(const dn_net_mesh_cfg *cfg, uint32_t n, double side_m,
				  uint32_t n_flows, uint64_t seed, double *x_m, double *y_m, uint32_t *src,
				  uint32_t *dst);
/* All nodes static routers; every flow offered offered_bps, or
 * dn_net_mesh_offered_bps where offered_bps is 0. */
DN_WUR dn_rc dn_net_eval_mesh(const dn_net_mesh_cfg *cfg, const dn_net_calib *k, uint32_t n,
                              const double *x_m, const double *y_m, uint32_t n_flows,
                              const uint32_t *src, const uint32_t *dst, double offered_bps,
                              dn_net_flow_stat *out);

/* ---------------------------------------------------------- parameters */

/* The engine model "net" (net_model.c): cells and meshes under churn. Its
 * parameters are dn_net_params(), which the model list (models.c)
 * registers once for the net and world models. */
struct dn_model;
extern const struct dn_model dn_model_net;
struct dn_world;
uint64_t dn_net_model_events(struct dn_world *w);
uint64_t dn_net_model_bits(struct dn_world *w);

/* Scenario parameters of the network models (net.*). */
const dn_param_def *dn_net_params(size_t *n);

/* Random purposes used by models/net (>= DN_RNG_PURPOSE_MODEL). */
enum { DN_NET_PURPOSE_CHANNEL = 256 + 40, DN_NET_PURPOSE_MOVE = 256 + 41, DN_NET_PURPOSE_PLACE = 256 + 42 };

#endif
