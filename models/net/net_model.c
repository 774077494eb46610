/*
 * net_model.c: the network models in the engine ("sim.model: net").
 *
 * Two agent kinds, both split over the engine's partitions: cells (each
 * with net.users_per_cell users) and meshes (net.nodes_per_mesh nodes and
 * net.flows_per_mesh flows towards node 0, the gateway router). A cell or
 * a mesh lives wholly inside one partition and never reads another's
 * state, so partitions run in parallel and results do not depend on the
 * thread count. Events carry the cell or mesh as destination agent and the
 * user/node/flow in the 16-bit aux field.
 *
 * Churn drives it: users start and end sessions (exponential on/off) and
 * move within their cell; mesh clients (odd nodes) move by random waypoint,
 * any node but the gateway switches off and on, flows start and stop, and
 * broken routes are repaired after the repair delay. Every change goes
 * through models/net's hooks, which integrate delivered bits exactly and
 * recompute the rates of the cell or mesh. Sampled series: active
 * sessions, delivered bits, mean cell throughput, broken mesh flows.
 *
 * Not here: backhaul capacity limits between partitions and the traffic-
 * sharing economy (later issues ride on these hooks).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "net_int.h"
#include "rng.h"
#include "scenario.h"

enum { EV_CELL = 0, EV_MESH = 1 };
enum { C_START, C_END, C_MOVE };
enum { M_TOGGLE, M_MOVE, M_REPAIR, M_FSTART, M_FEND };
enum { PURPOSE_CELL_EV = 256 + 43, PURPOSE_MESH_EV = 256 + 44 };
/* PURPOSE_MESH_EV + 1 draws flow sources: all clear of the engine's streams
 * and of models/net's own (dn_net.h). */
_Static_assert((int)PURPOSE_CELL_EV >= (int)DN_RNG_PURPOSE_MODEL && (int)PURPOSE_CELL_EV > (int)DN_NET_PURPOSE_PLACE,
               "net model purposes are model purposes, distinct from models/net's");

typedef struct net_world {
	uint64_t n_cells, n_meshes;
	uint32_t users, nodes, flows;
	double radius_m, spacing_m, session_ns, idle_ns, move_ns, churn_ns, demand_bps;
	dn_net_cell_cfg cell_cfg;
	dn_net_mesh_cfg mesh_cfg;
	dn_net_rwp rwp;
	dn_net_calib k;
	int kind_cell, kind_mesh;
	int s_sessions, s_bits, s_cell_bps, s_broken;
	uint64_t last_bits;
	dn_time_ns last_t_ns;
} net_world;

typedef struct net_part {
	uint64_t c_begin, c_end, m_begin, m_end;
	dn_net_cell **cells;
	dn_net_mesh **meshes;
	uint64_t *draws;      /* per user, then per mesh node: next RNG index */
	double *node_x_m, *node_y_m; /* last position of each mesh node */
	uint8_t *node_on;        /* switched on */
	dn_time_ns *repair_at_ns; /* per mesh: the scheduled repair, DN_TIME_MAX none */
	uint64_t events;
} net_part;

static const dn_column_def no_columns[] = {{"id", 1, "unused (state lives in the partition)"}};
static const dn_kind_def cell_kind = {"cell", no_columns, 1, "a 5G cell and its users"};
static const dn_kind_def mesh_kind = {"mesh", no_columns, 1, "a Wi-Fi mesh and its nodes"};

static double draw_exp(uint64_t seed, uint32_t entity, uint32_t purpose, uint64_t *idx, double mean)
{
	uint32_t r[4];
	dn_rng_block(seed, entity, purpose, (*idx)++, r);
	return -mean * log1p(-dn_u01(r[0], r[1]));
}

static dn_rc net_init(dn_world *w, const dn_scenario *s)
{
	net_world *nw = dn_world_model(w);
	char err[512];
	const char *path = dn_scn_str(s, "net.calibration_file");
	dn_rc rc = dn_net_calib_load(path && *path ? path : dn_net_calib_default_path(), &nw->k, err, sizeof err);
	if (rc) {
		dn_world_set_error(w, "%s", err);
		return rc;
	}
	nw->n_cells = (uint64_t)dn_scn_int(s, "net.cells");
	nw->n_meshes = (uint64_t)dn_scn_int(s, "net.meshes");
	nw->users = (uint32_t)dn_scn_int(s, "net.users_per_cell");
	nw->nodes = (uint32_t)dn_scn_int(s, "net.nodes_per_mesh");
	nw->flows = (uint32_t)dn_scn_int(s, "net.flows_per_mesh");
	nw->radius_m = dn_scn_float(s, "net.cell.radius_m");
	nw->spacing_m = dn_scn_float(s, "net.mesh.spacing_m");
	nw->session_ns = dn_scn_float(s, "net.session_mean_s") * (double)DN_NS_PER_S;
	nw->idle_ns = dn_scn_float(s, "net.idle_mean_s") * (double)DN_NS_PER_S;
	nw->move_ns = dn_scn_float(s, "net.move_mean_s") * (double)DN_NS_PER_S;
	nw->churn_ns = dn_scn_float(s, "net.churn_mean_s") * (double)DN_NS_PER_S;
	nw->demand_bps = dn_scn_float(s, "net.session_demand_mbps") * (double)DN_NET_BPS_PER_MBPS;
	static const dn_net_cell_size sizes[] = {DN_NET_MICRO, DN_NET_PICO, DN_NET_FEMTO};
	const char *sz = dn_scn_str(s, "net.cell.size");
	dn_net_cell_cfg_default(&nw->cell_cfg, sizes[strcmp(sz, "micro") == 0 ? 0 : strcmp(sz, "pico") == 0 ? 1 : 2],
				dn_scn_float(s, "net.cell.band_ghz"));
	nw->cell_cfg.bandwidth_hz = dn_scn_float(s, "net.cell.bandwidth_mhz") * (double)DN_NET_HZ_PER_MHZ;
	nw->cell_cfg.scenario = strcmp(dn_scn_str(s, "net.cell.pathloss"), "uma") == 0 ? DN_NET_UMA : DN_NET_UMI;
	nw->cell_cfg.sched = strcmp(dn_scn_str(s, "net.cell.scheduler"), "rr") == 0 ? DN_NET_SCHED_RR : DN_NET_SCHED_PF;
	nw->cell_cfg.shadowing = dn_scn_bool(s, "net.cell.shadowing");
	nw->cell_cfg.fast_fading = dn_scn_bool(s, "net.cell.fast_fading");
	nw->cell_cfg.neighbour_load = dn_scn_float(s, "net.cell.neighbour_load");
	dn_net_mesh_cfg_default(&nw->mesh_cfg);
	nw->mesh_cfg.metric = strcmp(dn_scn_str(s, "net.mesh.metric"), "hops") == 0 ? DN_NET_METRIC_HOPS : DN_NET_METRIC_ETX;
	nw->mesh_cfg.repair_s = dn_scn_float(s, "net.mesh.repair_s");
	nw->mesh_cfg.clients_relay = dn_scn_bool(s, "net.mesh.clients_relay");
	const uint32_t side = (uint32_t)ceil(sqrt((double)nw->nodes));
	nw->rwp = (dn_net_rwp){side * nw->spacing_m, side * nw->spacing_m, 0.1,
			       dn_scn_float(s, "net.mesh.speed_max_mps"), dn_scn_float(s, "net.mesh.pause_s")};
	/* the registry's bounds (params.c): events carry a user, node or flow
	 * in their 16-bit aux field */
	assert(nw->users >= 1 && nw->users <= UINT16_MAX && nw->nodes >= 2 && nw->nodes <= UINT16_MAX);
	if (nw->flows >= nw->nodes) {
		dn_world_set_error(w, "net.flows_per_mesh (%u) must be below net.nodes_per_mesh (%u)", nw->flows, nw->nodes);
		return DN_ERANGE;
	}
	/* no event crosses partitions: any positive lookahead is safe */
	dn_world_set_lookahead(w, DN_NS_PER_S);
	rc = dn_world_add_kind(w, &cell_kind, nw->n_cells, &nw->kind_cell);
	if (!rc)
		rc = dn_world_add_kind(w, &mesh_kind, nw->n_meshes, &nw->kind_mesh);
	return rc;
}

/* index of user u of cell c (global) for its RNG entity */
static uint32_t user_entity(const net_world *nw, uint64_t cell, uint32_t u)
{
	return (uint32_t)(cell * nw->users + u);
}

static dn_rc cell_event(dn_part *p, net_world *nw, net_part *pp, uint64_t cell, uint32_t u, uint64_t what,
                        dn_time_ns t)
{
	const uint64_t seed = dn_world_seed(dn_part_world(p));
	/* events for a cell go to the partition that owns it, and name one of its users */
	assert(cell >= pp->c_begin && cell < pp->c_end && u < nw->users);
	dn_net_cell *c = pp->cells[cell - pp->c_begin];
	uint64_t *idx = &pp->draws[(cell - pp->c_begin) * nw->users + u];
	const uint32_t ent = user_entity(nw, cell, u);
	dn_rc rc;
	switch (what) {
	case C_START:
		rc = dn_net_cell_start(c, t, u, nw->demand_bps);
		if (!rc)
			rc = dn_send(p, t + 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_CELL_EV, idx, nw->session_ns),
				     dn_part_index(p), (uint32_t)cell, EV_CELL, (uint16_t)u, C_END);
		return rc;
	case C_END:
		rc = dn_net_cell_stop(c, t, u);
		if (!rc)
			rc = dn_send(p, t + 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_CELL_EV, idx, nw->idle_ns),
				     dn_part_index(p), (uint32_t)cell, EV_CELL, (uint16_t)u, C_START);
		return rc;
	default: {
		uint32_t r[4];
		dn_rng_block(seed, ent, PURPOSE_CELL_EV, (*idx)++, r);
		const double rr = sqrt(100.0 + dn_u01(r[0], r[1]) * (nw->radius_m * nw->radius_m - 100.0));
		const double a = 6.283185307179586 * dn_u01(r[2], r[3]);
		rc = dn_net_cell_place(c, t, u, rr * cos(a), rr * sin(a));
		if (!rc)
			rc = dn_send(p, t + 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_CELL_EV, idx, nw->move_ns),
				     dn_part_index(p), (uint32_t)cell, EV_CELL, (uint16_t)u, C_MOVE);
		return rc;
	}
	}
}

static dn_rc schedule_repair(dn_part *p, net_part *pp, uint64_t mesh, dn_net_mesh *m)
{
	const uint64_t li = mesh - pp->m_begin;
	assert(mesh >= pp->m_begin && mesh < pp->m_end);
	const dn_time_ns due_ns = dn_net_mesh_repair_due(m);
	if (due_ns == DN_TIME_MAX || due_ns >= pp->repair_at_ns[li])
		return DN_OK;
	/* a repair falls due after the break that caused it, never before now */
	assert(due_ns >= dn_part_now(p));
	pp->repair_at_ns[li] = due_ns;
	return dn_send(p, due_ns, dn_part_index(p), (uint32_t)mesh, EV_MESH, 0, M_REPAIR);
}

static dn_rc mesh_event(dn_part *p, net_world *nw, net_part *pp, uint64_t mesh, uint32_t n, uint64_t what,
                        dn_time_ns t)
{
	const uint64_t seed = dn_world_seed(dn_part_world(p));
	/* events for a mesh go to the partition that owns it, and name one of
	 * its nodes (flows are numbered below the nodes) */
	assert(mesh >= pp->m_begin && mesh < pp->m_end && n < nw->nodes);
	assert((what != M_FSTART && what != M_FEND) || n < nw->flows);
	const uint64_t li = mesh - pp->m_begin;
	dn_net_mesh *m = pp->meshes[li];
	const size_t ni = li * nw->nodes + n;
	uint64_t *idx = &pp->draws[(pp->c_end - pp->c_begin) * nw->users + ni];
	const uint32_t ent = (uint32_t)(mesh * nw->nodes + n);
	const uint32_t me = dn_part_index(p);
	dn_rc rc = DN_OK;
	switch (what) {
	case M_TOGGLE: {
		if (pp->node_on[ni]) {
			rc = dn_net_mesh_leave(m, t, n, NULL);
			pp->node_on[ni] = 0;
		} else {
			/* back on where it moved to while off, then retry dead flows */
			pp->node_on[ni] = 1;
			rc = dn_net_mesh_place(m, t, n, n % 2 ? DN_NET_CLIENT : DN_NET_ROUTER, pp->node_x_m[ni],
					       pp->node_y_m[ni]);
			if (!rc)
				rc = dn_net_mesh_join(m, t, n);
		}
		if (!rc)
			rc = schedule_repair(p, pp, mesh, m);
		if (!rc)
			rc = dn_send(p, t + 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_MESH_EV, idx, nw->churn_ns), me,
				     (uint32_t)mesh, EV_MESH, (uint16_t)n, M_TOGGLE);
		return rc;
	}
	case M_MOVE: {
		/* Jumps to the next waypoint on arrival (positions in between are
		 * not tracked); a node that is off moves too and is placed on join. */
		double x = pp->node_x_m[ni], y = pp->node_y_m[ni];
		const dn_time_ns dt = dn_net_rwp_next(&nw->rwp, seed, ent, idx, &x, &y);
		if (pp->node_on[ni])
			rc = dn_net_mesh_place(m, t, n, DN_NET_CLIENT, x, y);
		pp->node_x_m[ni] = x;
		pp->node_y_m[ni] = y;
		if (!rc)
			rc = schedule_repair(p, pp, mesh, m);
		if (!rc)
			rc = dn_send(p, t + 1 + dt, me, (uint32_t)mesh, EV_MESH, (uint16_t)n, M_MOVE);
		return rc;
	}
	case M_REPAIR:
		pp->repair_at_ns[li] = DN_TIME_MAX;
		rc = dn_net_mesh_repair(m, t);
		if (!rc)
			rc = schedule_repair(p, pp, mesh, m);
		return rc;
	case M_FSTART: {
		/* flow n from a random non-gateway node to the gateway */
		uint32_t r[4];
		dn_rng_block(seed, ent, PURPOSE_MESH_EV + 1, (*idx)++, r);
		const uint32_t src = 1 + dn_bounded32(r[0], nw->nodes - 1);
		assert(src >= 1 && src < nw->nodes); /* never the gateway itself */
		rc = dn_net_mesh_start(m, t, n, src, 0, nw->demand_bps);
		if (!rc)
			rc = dn_send(p, t + 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_MESH_EV, idx, nw->session_ns), me,
				     (uint32_t)mesh, EV_MESH, (uint16_t)n, M_FEND);
		return rc;
	}
	default:
		rc = dn_net_mesh_stop(m, t, n);
		if (!rc)
			rc = dn_send(p, t + 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_MESH_EV, idx, nw->idle_ns), me,
				     (uint32_t)mesh, EV_MESH, (uint16_t)n, M_FSTART);
		return rc;
	}
}

static dn_rc net_cell_handler(dn_part *p, const dn_event *ev)
{
	net_world *nw = dn_world_model(dn_part_world(p));
	net_part *pp = dn_part_model(p);
	pp->events++;
	dn_rc rc = cell_event(p, nw, pp, ev->dst, ev->aux, ev->data, ev->t);
	if (rc)
		dn_part_set_error(p, "net: cell %u user %u at t=%lld ns: %s", ev->dst, ev->aux, (long long)ev->t,
				  dn_rc_str(rc));
	return rc;
}

static dn_rc net_mesh_handler(dn_part *p, const dn_event *ev)
{
	net_world *nw = dn_world_model(dn_part_world(p));
	net_part *pp = dn_part_model(p);
	pp->events++;
	dn_rc rc = mesh_event(p, nw, pp, ev->dst, ev->aux, ev->data, ev->t);
	if (rc)
		dn_part_set_error(p, "net: mesh %u node/flow %u at t=%lld ns: %s", ev->dst, ev->aux, (long long)ev->t,
				  dn_rc_str(rc));
	return rc;
}

static const dn_handler_fn net_handlers[] = {net_cell_handler, net_mesh_handler};

static dn_rc net_part_init(dn_part *p)
{
	dn_world *w = dn_part_world(p);
	net_world *nw = dn_world_model(w);
	net_part *pp = dn_part_model(p);
	const uint64_t seed = dn_world_seed(w);
	const uint32_t me = dn_part_index(p);
	dn_world_part_range(w, nw->kind_cell, me, &pp->c_begin, &pp->c_end);
	dn_world_part_range(w, nw->kind_mesh, me, &pp->m_begin, &pp->m_end);
	const uint64_t nc = pp->c_end - pp->c_begin, nm = pp->m_end - pp->m_begin;
	pp->cells = calloc(nc + 1, sizeof *pp->cells);
	pp->meshes = calloc(nm + 1, sizeof *pp->meshes);
	pp->draws = calloc(nc * nw->users + nm * nw->nodes + 1, sizeof *pp->draws);
	pp->node_x_m = calloc(nm * nw->nodes + 1, sizeof *pp->node_x_m);
	pp->node_y_m = calloc(nm * nw->nodes + 1, sizeof *pp->node_y_m);
	pp->node_on = calloc(nm * nw->nodes + 1, sizeof *pp->node_on);
	pp->repair_at_ns = calloc(nm + 1, sizeof *pp->repair_at_ns);
	if (!pp->cells || !pp->meshes || !pp->draws || !pp->node_x_m || !pp->node_y_m || !pp->node_on ||
	    !pp->repair_at_ns)
		return DN_ENOMEM;
	dn_rc rc = DN_OK;
	/* a ring of six neighbours at 2R (hexagonal layout) interferes */
	dn_net_neighbour nb[6];
	for (int i = 0; i < 6; i++)
		nb[i] = (dn_net_neighbour){2 * nw->radius_m * cos(i * 1.0471975511965976),
					   2 * nw->radius_m * sin(i * 1.0471975511965976), nw->cell_cfg.tx_power_dbm};
	for (uint64_t c = pp->c_begin; c < pp->c_end && !rc; c++) {
		dn_net_cell *cell = NULL;
		rc = dn_net_cell_new(&nw->cell_cfg, &nw->k, nw->users, nb, 6, seed, (uint32_t)c, &cell);
		if (rc)
			break;
		pp->cells[c - pp->c_begin] = cell;
		for (uint32_t u = 0; u < nw->users && !rc; u++) {
			rc = cell_event(p, nw, pp, c, u, C_MOVE, 0); /* place and schedule moves */
			if (!rc) {
				uint64_t *idx = &pp->draws[(c - pp->c_begin) * nw->users + u];
				rc = dn_send(p, 1 + (dn_time_ns)draw_exp(seed, user_entity(nw, c, u), PURPOSE_CELL_EV, idx,
									nw->idle_ns), me, (uint32_t)c, EV_CELL, (uint16_t)u, C_START);
			}
		}
	}
	const uint32_t side = (uint32_t)ceil(sqrt((double)nw->nodes));
	for (uint64_t mi = pp->m_begin; mi < pp->m_end && !rc; mi++) {
		const uint64_t li = mi - pp->m_begin;
		dn_net_mesh *m = NULL;
		rc = dn_net_mesh_new(&nw->mesh_cfg, &nw->k, nw->nodes, nw->flows, &m);
		if (rc)
			break;
		pp->meshes[li] = m;
		pp->repair_at_ns[li] = DN_TIME_MAX;
		for (uint32_t n = 0; n < nw->nodes && !rc; n++) {
			const size_t ni = li * nw->nodes + n;
			pp->node_x_m[ni] = (n % side) * nw->spacing_m;
			pp->node_y_m[ni] = (n / side) * nw->spacing_m;
			pp->node_on[ni] = 1;
			rc = dn_net_mesh_place(m, 0, n, n % 2 ? DN_NET_CLIENT : DN_NET_ROUTER, pp->node_x_m[ni], pp->node_y_m[ni]);
			const uint32_t ent = (uint32_t)(mi * nw->nodes + n);
			uint64_t *idx = &pp->draws[nc * nw->users + ni];
			if (!rc && n > 0)
				rc = dn_send(p, 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_MESH_EV, idx, nw->churn_ns), me,
					     (uint32_t)mi, EV_MESH, (uint16_t)n, M_TOGGLE);
			if (!rc && n % 2 && nw->rwp.speed_max_mps > 0)
				rc = dn_send(p, 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_MESH_EV, idx, nw->move_ns), me,
					     (uint32_t)mi, EV_MESH, (uint16_t)n, M_MOVE);
			if (!rc && n < nw->flows)
				rc = dn_send(p, 1 + (dn_time_ns)draw_exp(seed, ent, PURPOSE_MESH_EV, idx, nw->idle_ns), me,
					     (uint32_t)mi, EV_MESH, (uint16_t)n, M_FSTART);
		}
	}
	return rc;
}

static dn_rc net_declare(dn_world *w, dn_results *r)
{
	net_world *nw = dn_world_model(w);
	if (!r)
		return DN_OK;
	dn_rc rc = dn_results_series(r, "net_active_sessions", DN_VT_I64, "sessions",
				     "active cell sessions plus mesh flows carrying traffic", &nw->s_sessions);
	if (!rc)
		rc = dn_results_series(r, "net_delivered_bits", DN_VT_I64, "bit",
				       "bits delivered by all cells and meshes since the previous sample", &nw->s_bits);
	if (!rc)
		rc = dn_results_series(r, "net_cell_mean_bps", DN_VT_F64, "bit/s",
				       "mean rate of active cell sessions at the sample time", &nw->s_cell_bps);
	if (!rc)
		rc = dn_results_series(r, "net_broken_flows", DN_VT_I64, "flows",
				       "mesh flows waiting for a route repair or unreachable", &nw->s_broken);
	return rc;
}

static dn_rc net_sample(dn_world *w, dn_time_ns t, dn_results *r)
{
	net_world *nw = dn_world_model(w);
	uint64_t sessions = 0, bits = 0, broken = 0;
	double rate = 0;
	uint64_t nrate = 0;
	for (unsigned i = 0; i < dn_world_nparts(w); i++) {
		net_part *pp = dn_part_model(dn_world_part(w, i));
		for (uint64_t c = 0; c < pp->c_end - pp->c_begin; c++) {
			dn_net_cell *cell = pp->cells[c];
			dn_rc rc = dn_net_cell_advance(cell, t);
			if (rc)
				return rc;
			for (uint32_t u = 0; u < nw->users; u++) {
				dn_net_user_stat us;
				rc = dn_net_cell_user(cell, u, &us);
				if (rc)
					return rc;
				bits += us.delivered_bits;
				if (us.active) {
					sessions++;
					rate += us.rate_bps;
					nrate++;
				}
			}
		}
		for (uint64_t m = 0; m < pp->m_end - pp->m_begin; m++) {
			dn_rc rc = dn_net_mesh_advance(pp->meshes[m], t);
			if (rc)
				return rc;
			for (uint32_t f = 0; f < nw->flows; f++) {
				dn_net_flow_stat fs;
				rc = dn_net_mesh_flow(pp->meshes[m], f, &fs);
				if (rc)
					return rc;
				bits += fs.delivered_bits;
				sessions += fs.state == DN_NET_FLOW_OK;
				broken += fs.state == DN_NET_FLOW_BROKEN || fs.state == DN_NET_FLOW_UNREACHABLE;
			}
		}
	}
	dn_rc rc = DN_OK;
	if (r) {
		rc = dn_results_append_i64(r, nw->s_sessions, t, (int64_t)sessions);
		if (!rc)
			rc = dn_results_append_i64(r, nw->s_bits, t, (int64_t)(bits - nw->last_bits));
		if (!rc)
			rc = dn_results_append_f64(r, nw->s_cell_bps, t, nrate ? rate / nrate : 0);
		if (!rc)
			rc = dn_results_append_i64(r, nw->s_broken, t, (int64_t)broken);
	}
	/* delivered bits only grow; a rate is counted for each active session */
	assert(bits >= nw->last_bits && t >= nw->last_t_ns && nrate <= sessions);
	nw->last_bits = bits;
	nw->last_t_ns = t;
	return rc;
}

static dn_rc net_finish(dn_world *w, dn_results *r)
{
	uint64_t ev = 0;
	for (unsigned i = 0; i < dn_world_nparts(w); i++)
		ev += ((const net_part *)dn_part_model(dn_world_part(w, i)))->events;
	if (!r)
		return DN_OK;
	return dn_results_summary_i64(r, "net_events", (int64_t)ev, "events", "network events handled");
}

static void net_fini(dn_world *w)
{
	for (unsigned i = 0; i < dn_world_nparts(w); i++) {
		net_part *pp = dn_part_model(dn_world_part(w, i));
		if (pp->cells)
			for (uint64_t c = 0; c < pp->c_end - pp->c_begin; c++)
				dn_net_cell_free(pp->cells[c]);
		if (pp->meshes)
			for (uint64_t m = 0; m < pp->m_end - pp->m_begin; m++)
				dn_net_mesh_free(pp->meshes[m]);
		free(pp->cells);
		free(pp->meshes);
		free(pp->draws);
		free(pp->node_x_m);
		free(pp->node_y_m);
		free(pp->node_on);
		free(pp->repair_at_ns);
		memset(pp, 0, sizeof *pp);
	}
}

/* Total events handled (for benchmarks). */
uint64_t dn_net_model_events(dn_world *w)
{
	uint64_t ev = 0;
	for (unsigned i = 0; i < dn_world_nparts(w); i++)
		ev += ((const net_part *)dn_part_model(dn_world_part(w, i)))->events;
	return ev;
}

/* Bits delivered by every cell user and mesh flow so far (for tests and
 * benchmarks: equal at any thread count). */
uint64_t dn_net_model_bits(dn_world *w)
{
	const net_world *nw = dn_world_model(w);
	uint64_t bits = 0;
	for (unsigned i = 0; i < dn_world_nparts(w); i++) {
		const net_part *pp = dn_part_model(dn_world_part(w, i));
		for (uint64_t c = 0; c < pp->c_end - pp->c_begin; c++)
			for (uint32_t u = 0; u < nw->users; u++) {
				dn_net_user_stat us;
				if (dn_net_cell_user(pp->cells[c], u, &us) == DN_OK)
					bits += us.delivered_bits;
			}
		for (uint64_t m = 0; m < pp->m_end - pp->m_begin; m++)
			for (uint32_t f = 0; f < nw->flows; f++) {
				dn_net_flow_stat fs;
				if (dn_net_mesh_flow(pp->meshes[m], f, &fs) == DN_OK)
					bits += fs.delivered_bits;
			}
	}
	return bits;
}

/*
 * Memory: each cell and mesh as dn_net_cell_new / dn_net_mesh_new allocate
 * it, the partitions' per-user and per-node arrays, and the pending events:
 * two per cell user (move, session start or end), and per mesh node a
 * switch (all but the gateway) and a move (clients, when they move), one
 * per flow and a repair per mesh.
 */
static dn_rc net_estimate(const dn_scenario *s, dn_estimate *e)
{
	const double cells = (double)dn_scn_int(s, "net.cells"), meshes = (double)dn_scn_int(s, "net.meshes");
	const uint32_t users = (uint32_t)dn_scn_int(s, "net.users_per_cell");
	const uint32_t nodes = (uint32_t)dn_scn_int(s, "net.nodes_per_mesh");
	const uint32_t flows = (uint32_t)dn_scn_int(s, "net.flows_per_mesh");
	const bool moving = dn_scn_float(s, "net.mesh.speed_max_mps") > 0;
	const net_part *pp = NULL; /* for sizeof only */
	const double cell_events = 2.0 * users;
	const double mesh_events = (nodes - 1) + (moving ? nodes / 2 : 0) + flows + 1;
	const double per_cell = dn_net_cell_footprint(users, 6) + (double)users * sizeof *pp->draws +
	                        sizeof *pp->cells + 1;
	const double per_mesh = dn_net_mesh_footprint(nodes, flows) +
	                        (double)nodes * (sizeof *pp->draws + sizeof *pp->node_x_m + sizeof *pp->node_y_m +
	                                         sizeof *pp->node_on) +
	                        sizeof *pp->meshes + sizeof *pp->repair_at_ns + 1;
	dn_engine_estimate(&dn_model_net, s, cells * cell_events + meshes * mesh_events, 0, e);
	e->model_bytes = cells * per_cell + meshes * per_mesh;
	e->series = 4;
	e->rows = dn_engine_samples(s);
	const double ev = dn_engine_event_bytes();
	const double cell_all = per_cell + cell_events * ev, mesh_all = per_mesh + mesh_events * ev;
	if (cells > 0) {
		dn_estimate_driver_add(e, "net.cells", cells, cells * cell_all, cell_all, "cell");
		dn_estimate_driver_add(e, "net.users_per_cell", users, 0, 0, NULL);
	}
	if (meshes > 0) {
		dn_estimate_driver_add(e, "net.meshes", meshes, meshes * mesh_all, mesh_all, "mesh");
		dn_estimate_driver_add(e, "net.nodes_per_mesh", nodes, 0, 0, NULL);
	}
	return DN_OK;
}

static void net_names(const dn_scenario *s, dn_name_fn emit, void *ctx)
{
	(void)s;
	static const char *const series[] = {"net_active_sessions", "net_delivered_bits", "net_cell_mean_bps",
	                                     "net_broken_flows"};
	for (size_t i = 0; i < sizeof series / sizeof series[0]; i++)
		emit(ctx, series[i], true);
	emit(ctx, "net_events", false);
}

const dn_model dn_model_net = {
	.name = "net",
	.doc = "network models under churn: 5G cells and Wi-Fi meshes as partitions",
	.handlers = net_handlers,
	.n_handlers = sizeof net_handlers / sizeof net_handlers[0],
	.world_state_size = sizeof(net_world),
	.part_state_size = sizeof(net_part),
	.init = net_init,
	.part_init = net_part_init,
	.declare = net_declare,
	.sample = net_sample,
	.finish = net_finish,
	.fini = net_fini,
	.estimate = net_estimate,
	.names = net_names,
};
