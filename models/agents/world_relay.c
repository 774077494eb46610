/*
 * world_relay.c: relays and the paths they make (R-SHARE-2), inside a
 * tile. A consumer is matched directly, else over a breadth-first search
 * of the tile's online relays (up to relay.max_hops, from each relay the
 * matcher is asked again); the path's rate (Wi-Fi hops share one channel,
 * the provider's access link or small cell is shared by its sessions),
 * packet loss and one-way delay come from the calibrated models of
 * models/net. Relays are mobile clients: they leave, and come back
 * somewhere else in the tile. What relays are paid is settled with the
 * session (world_session.c).
 */
#include "world.h"

#include <math.h>
#include <string.h>

static double wifi_goodput(const world_cfg *C, double d_m)
{
	double phy = dn_net_wifi_rate_bps(&C->mcfg, &C->calib, d_m < 1 ? 1 : d_m);
	if (phy <= 0)
		return 0;
	return dn_net_wifi_goodput_bps(phy, C->mcfg.pkt_bits) * C->calib.mesh_mac_eff;
}

static double dist_m(const world *W, uint32_t a, int32_t x_cm, int32_t y_cm)
{
	double dx = (double)(W->ag.x_cm[a] - x_cm) / 100.0, dy = (double)(W->ag.y_cm[a] - y_cm) / 100.0;
	return sqrt(dx * dx + dy * dy);
}

/* ---- finding a path ---- */

/* Breadth-first over relays: entry e is a relay reached in depth[e] hops
 * through parent[e]; W_NONE is the consumer itself. */
enum { FMAX = 64, K = 4 };
typedef struct frontier {
	uint32_t node[FMAX], parent[FMAX], depth[FMAX];
	uint32_t nn, tries;
} frontier;

/* The path to relay e's provider, consumer side first; false if the
 * provider is one of the relays. */
static bool chain_to(const frontier *f, uint32_t e, uint32_t prov, uint32_t xh, w_path *pt)
{
	uint32_t chain[W_MAX_RELAYS], k = 0;
	bool bad = false;
	for (uint32_t j = e; j != W_NONE && k < W_MAX_RELAYS; j = f->parent[j]) {
		chain[k++] = f->node[j];
		bad |= f->node[j] == prov;
	}
	if (bad)
		return false;
	pt->provider = prov;
	pt->xh = xh;
	pt->n_relays = k;
	for (uint32_t j = 0; j < k; j++)
		pt->relay[j] = chain[k - 1 - j];
	return true;
}

static dn_rc relay_search(const world *W, wpart *P, uint32_t consumer, uint64_t units, uint32_t ex, w_path *pt)
{
	const world_agents *A = &W->ag;
	frontier f;
	f.nn = f.tries = 0;
	int64_t rr = (int64_t)(W->cfg.relay_range_m * 100.0);
	for (uint32_t head = W_NONE;; head = head == W_NONE ? 0 : head + 1) {
		if (head != W_NONE && head >= f.nn)
			break;
		uint32_t from = head == W_NONE ? consumer : f.node[head];
		uint32_t d = head == W_NONE ? 0 : f.depth[head];
		if (d >= W->cfg.max_hops)
			continue;
		dn_spatial_hit hits[K + 1];
		uint32_t nh = 0;
		dn_rc rc = dn_spatial_knn(P->rx, A->x_cm[from], A->y_cm[from], K + 1, rr, NULL, hits, K + 1, &nh);
		if (rc)
			return rc;
		for (uint32_t h = 0; h < nh && f.nn < FMAX; h++) {
			uint32_t r = (uint32_t)(P->begin + hits[h].id);
			bool seen = r == consumer;
			for (uint32_t j = 0; j < f.nn && !seen; j++)
				seen = f.node[j] == r;
			if (seen)
				continue;
			f.node[f.nn] = r;
			f.parent[f.nn] = head;
			f.depth[f.nn] = d + 1;
			uint32_t me = f.nn++;
			if (f.tries++ >= 24)
				return DN_OK;
			uint32_t prov = W_NONE, xh = 0;
			rc = w_match_at(W, P, consumer, A->x_cm[r], A->y_cm[r], units, ex, &prov, &xh, &pt->examined);
			if (rc)
				return rc;
			if (prov == W_NONE || prov == consumer)
				continue;
			if (chain_to(&f, me, prov, xh, pt))
				return DN_OK;
		}
	}
	return DN_OK;
}

dn_rc w_find_path(const world *W, wpart *P, uint32_t consumer, uint64_t units, uint32_t exclude, w_path *pt)
{
	memset(pt, 0, sizeof *pt);
	pt->provider = W_NONE;
	dn_rc rc = w_match_at(W, P, consumer, W->ag.x_cm[consumer], W->ag.y_cm[consumer], units, exclude, &pt->provider,
	                      &pt->xh, &pt->examined);
	if (rc || pt->provider != W_NONE)
		return rc;
	if (W->cfg.max_hops == 0 || dn_spatial_count(P->rx) == 0)
		return DN_OK;
	return relay_search(W, P, consumer, units, exclude, pt);
}

/* ---- the path's quality ---- */

/* The radio part of a path's rate (bit/s): Wi-Fi hops share one channel,
 * a rented cell is shared round-robin by its sessions. */
double w_path_radio_bps(const world *W, uint32_t consumer, const w_path *pt)
{
	const world_cfg *C = &W->cfg;
	if (C->rate_follows_load) { /* relays' airtime shared too */
		double g[W_MAX_RELAYS + 1];
		w_path_hop_bps(W, consumer, pt, g);
		return w_radio_loaded(W, g, pt->relay, pt->n_relays, pt->provider, 1);
	}
	double inv = 0;
	int32_t x = W->ag.x_cm[consumer], y = W->ag.y_cm[consumer];
	for (uint32_t i = 0; i <= pt->n_relays; i++) {
		uint32_t next = i < pt->n_relays ? pt->relay[i] : pt->provider;
		double d = dist_m(W, next, x, y);
		double g;
		if (i == pt->n_relays && w_is_rented_site(W, next)) {
			/* the small cell (calibrated 5G model), shared round-robin */
			uint32_t m = (uint32_t)d;
			g = m < C->n_cell_rate ? C->cell_rate_bps[m] / (double)(W->ag.nsess[next] + 1u) : 0;
		} else {
			g = wifi_goodput(C, d);
		}
		if (g <= 0)
			return 0;
		inv += 1.0 / g;
		x = W->ag.x_cm[next];
		y = W->ag.y_cm[next];
	}
	return 1.0 / inv;
}

void w_path_hop_bps(const world *W, uint32_t consumer, const w_path *pt, double *g)
{
	const world_cfg *C = &W->cfg;
	int32_t x = W->ag.x_cm[consumer], y = W->ag.y_cm[consumer];
	for (uint32_t i = 0; i <= pt->n_relays; i++) {
		uint32_t next = i < pt->n_relays ? pt->relay[i] : pt->provider;
		double d = dist_m(W, next, x, y);
		if (i == pt->n_relays && w_is_rented_site(W, next)) {
			uint32_t m = (uint32_t)d;
			g[i] = m < C->n_cell_rate ? C->cell_rate_bps[m] : 0;
		} else {
			g[i] = wifi_goodput(C, d);
		}
		x = W->ag.x_cm[next];
		y = W->ag.y_cm[next];
	}
}

double w_radio_loaded(const world *W, const double *g, const uint32_t *relay, uint32_t n_relays, uint32_t provider,
                      uint32_t extra)
{
	const world_agents *A = &W->ag;
	double inv = 0;
	for (uint32_t i = 0; i <= n_relays; i++) {
		uint32_t load = 1;
		if (i == n_relays && w_is_rented_site(W, provider)) {
			load = A->nsess[provider] + extra; /* the cell, round-robin */
		} else {
			/* one channel: the hop waits for the other sessions its relays carry */
			if (i > 0 && A->nrelay[relay[i - 1]] + extra > load)
				load = A->nrelay[relay[i - 1]] + extra;
			if (i < n_relays && A->nrelay[relay[i]] + extra > load)
				load = A->nrelay[relay[i]] + extra;
		}
		if (!(g[i] > 0))
			return 0;
		inv += (double)(load ? load : 1) / g[i];
	}
	return 1.0 / inv;
}

/* Rate of a path (bit/s) from its radio part: the provider's access link
 * or cell shared by its sessions caps it. */
double w_path_rate_from(const world *W, const wpart *P, const w_path *pt, double radio_bps)
{
	if (radio_bps <= 0)
		return 0;
	uint32_t s = w_nsess_seen(W, P, pt->provider, pt->xh) + 1u;
	if (w_is_rented_site(W, pt->provider))
		return fmin(radio_bps, dn_bps_of_mbps(W->cfg.cell_capacity_mbps) / s);
	return fmin(radio_bps, (double)w_link_of(W, pt->provider)->down_bps / s);
}

double w_path_rate_bps(const world *W, uint32_t consumer, const w_path *pt)
{
	return w_path_rate_from(W, NULL, pt, w_path_radio_bps(W, consumer, pt));
}

/* Packet loss of a path: the sharer's access link and, for every Wi-Fi
 * hop, the calibrated frame delivery failure at that hop's length (a
 * rented cell's bearer counts as lossless). */
double w_path_loss(const world *W, uint32_t consumer, const w_path *pt)
{
	const world_cfg *C = &W->cfg;
	double ok = w_is_rented_site(W, pt->provider) ? 1.0 : 1.0 - w_link_of(W, pt->provider)->loss;
	int32_t x = W->ag.x_cm[consumer], y = W->ag.y_cm[consumer];
	for (uint32_t i = 0; i <= pt->n_relays; i++) {
		uint32_t next = i < pt->n_relays ? pt->relay[i] : pt->provider;
		if (!(i == pt->n_relays && w_is_rented_site(W, next)))
			ok *= dn_net_wifi_delivery(&C->mcfg, &C->calib, fmax(1.0, dist_m(W, next, x, y)));
		x = W->ag.x_cm[next];
		y = W->ag.y_cm[next];
	}
	return 1.0 - ok;
}

/* One-way delay of a session's path: the sharer's access link (or the
 * cell's bearer) plus the calibrated per-hop Wi-Fi delay of every radio hop. */
double w_path_delay_s(const world *W, const wsess *s)
{
	const world_cfg *C = &W->cfg;
	return w_is_rented_site(W, s->provider)
	     ? C->calib.cell_base_delay_s
	     : dn_s_of_ns(w_link_of(W, s->provider)->latency_ns) + C->calib.mesh_hop_delay_s * (double)(s->n_relays + 1);
}

/* ---- churn and mobility ---- */

dn_rc w_relay_start(world *W, dn_part *p, wpart *P, uint32_t a, dn_rng *r)
{
	W->ag.online[a] |= W_ON_RELAY;
	dn_rc rc = dn_spatial_add(P->rx, (uint32_t)(a - P->begin), W->ag.x_cm[a], W->ag.y_cm[a]);
	if (rc)
		return rc;
	return dn_send(p, dn_ns_of_s(w_expo(r, W->cfg.relay_up_h * 3600.0)) + 1, P->tile, a, EV_CHURN, 1, 0);
}

/* A relay leaves, or comes back: a mobile client (not a sharer's or a
 * site's fixed node) at a new spot within 300 m (random waypoint, in jumps). */
dn_rc w_relay_churn(world *W, wpart *P, uint32_t a, dn_rng *r, double *mean_h)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	A->online[a] ^= W_ON_RELAY;
	uint32_t id = (uint32_t)(a - P->begin);
	if (!(A->online[a] & W_ON_RELAY)) {
		*mean_h = C->relay_down_h;
		return dn_spatial_remove(P->rx, id);
	}
	*mean_h = C->relay_up_h;
	if (!(A->role[a] & (W_SHARER | W_SITE))) {
		double dx = (dn_rng_u01(r) - 0.5) * 600.0, dy = (dn_rng_u01(r) - 0.5) * 600.0;
		double nx = (double)A->x_cm[a] / 100.0 + dx, ny = (double)A->y_cm[a] / 100.0 + dy;
		double x0 = P->x0_cm / 100.0, y0 = P->y0_cm / 100.0;
		nx = fmin(fmax(nx, x0), x0 + P->w_cm / 100.0 - 0.01);
		ny = fmin(fmax(ny, y0), y0 + P->h_cm / 100.0 - 0.01);
		A->x_cm[a] = (int32_t)(nx * 100.0);
		A->y_cm[a] = (int32_t)(ny * 100.0);
	}
	return dn_spatial_add(P->rx, id, A->x_cm[a], A->y_cm[a]);
}
