/*
 * params.c: the scenario parameters of the network models (net.*), for the
 * registry. Only declarations: the models read them through the scenario.
 */
#include "dn_net.h"

static const dn_param_def net_params[] = {
	{"net.calibration_file", DN_PT_STRING, "", "", 0, 4096, NULL,
	 "calibration file of the flow models; empty: the shipped models/net/calibration.txt"},
	{"net.access.kind", DN_PT_ENUM, "", "vdsl2", 0, 0,
	 "dialup|isdn|adsl2plus|vdsl2|pon155|pon622|ftth1g|cable|vsat|leo|lte_macro",
	 "access/backhaul link kind of sharers (figures and sources: docs/network-models.md)"},
	{"net.access.mix", DN_PT_STRING, "", "", 0, 1024, NULL,
	 "each sharer draws its own access link from this mix, \"kind:share[:usd_month], ...\" (shares summing to 1; "
	 "a kind without a cost costs sharer.access_cost_usd_month); empty: every sharer has net.access.kind"},
	{"net.cell.size", DN_PT_ENUM, "", "micro", 0, 0, "micro|pico|femto",
	 "5G cell class: sets transmit power and antenna height"},
	{"net.cell.band_ghz", DN_PT_FLOAT, "GHz", "3.5", 0.5, 100, NULL,
	 "carrier frequency (rules §7 bands: 3.3-3.6, 4.8-5, 24.75-27.5, 28, 37-42.5)"},
	{"net.cell.bandwidth_mhz", DN_PT_FLOAT, "MHz", "20", 1.4, 400, NULL, "channel bandwidth"},
	{"net.cell.pathloss", DN_PT_ENUM, "", "umi", 0, 0, "umi|uma",
	 "3GPP TR 38.901 scenario: urban micro street canyon or urban macro"},
	{"net.cell.scheduler", DN_PT_ENUM, "", "pf", 0, 0, "rr|pf",
	 "sharing among active users: round robin or proportional fair"},
	{"net.cell.shadowing", DN_PT_BOOL, "", "true", 0, 0, NULL,
	 "log-normal shadowing per user (TR 38.901 Table 7.4.1-1)"},
	{"net.cell.fast_fading", DN_PT_BOOL, "", "false", 0, 0, NULL,
	 "Rayleigh fast fading: proportional fair gains multi-user diversity"},
	{"net.cell.neighbour_load", DN_PT_FLOAT, "1", "0.5", 0, 1, NULL,
	 "activity factor of neighbouring cells (inter-cell interference)"},
	{"net.cell.radius_m", DN_PT_FLOAT, "m", "100", 10, 10000, NULL,
	 "users are placed uniformly on a disc of this radius around their cell"},
	{"net.mesh.metric", DN_PT_ENUM, "", "hops", 0, 0, "hops|etx",
	 "mesh routing metric: hops (OLSR's, ties to the least airtime) or etx (De Couto et al.)"},
	{"net.mesh.repair_s", DN_PT_FLOAT, "s", "6", 0, 600, NULL,
	 "route repair delay after a node leaves (OLSR neighbour hold time 6 s, RFC 3626)"},
	{"net.mesh.clients_relay", DN_PT_BOOL, "", "true", 0, 0, NULL,
	 "mesh clients forward traffic for others"},
	{"net.mesh.spacing_m", DN_PT_FLOAT, "m", "40", 1, 1000, NULL,
	 "spacing of the mesh router grid"},
	{"net.mesh.speed_max_mps", DN_PT_FLOAT, "m/s", "1.5", 0, 100, NULL,
	 "random-waypoint top speed of mesh clients (0: static)"},
	{"net.mesh.pause_s", DN_PT_FLOAT, "s", "30", 0, 86400, NULL,
	 "random-waypoint pause of mesh clients"},
	{"net.cells", DN_PT_INT, "1", "100", 0, 1e8, NULL, "5G cells in the net model (one agent each)"},
	{"net.users_per_cell", DN_PT_INT, "1", "100", 1, 65535, NULL, "users of each cell"},
	{"net.meshes", DN_PT_INT, "1", "10", 0, 1e7, NULL, "Wi-Fi meshes in the net model"},
	{"net.nodes_per_mesh", DN_PT_INT, "1", "49", 2, 4096, NULL,
	 "nodes of each mesh (square grid; even nodes routers, odd nodes mobile clients)"},
	{"net.flows_per_mesh", DN_PT_INT, "1", "4", 1, 1024, NULL, "flows towards the gateway per mesh"},
	{"net.session_mean_s", DN_PT_FLOAT, "s", "60", 0.001, 1e7, NULL, "mean session (flow) length, exponential"},
	{"net.idle_mean_s", DN_PT_FLOAT, "s", "240", 0.001, 1e7, NULL, "mean idle time between sessions"},
	{"net.session_demand_mbps", DN_PT_FLOAT, "Mbit/s", "0", 0, 1e5, NULL,
	 "demand of a session (0: saturating)"},
	{"net.move_mean_s", DN_PT_FLOAT, "s", "120", 0.001, 1e7, NULL,
	 "mean time between moves of a cell user (mesh clients use random waypoint)"},
	{"net.churn_mean_s", DN_PT_FLOAT, "s", "600", 0.001, 1e8, NULL,
	 "mean time between a mesh node switching off and on"},
};

const dn_param_def *dn_net_params(size_t *n)
{
	*n = sizeof net_params / sizeof net_params[0];
	return net_params;
}
