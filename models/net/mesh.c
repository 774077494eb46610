/*
 * mesh.c: the Wi-Fi mesh / ad hoc flow model.
 *
 * Nodes (static mesh routers, mobile mesh clients that may relay) sit on a
 * plane. A link is usable where the log-distance received power reaches
 * the detection floor (-82 dBm: the standard's 6 Mbit/s sensitivity and
 * ns-3's preamble-detection threshold; no fading, so no frame is lost
 * above it but to interference). Its PHY rate is the fastest 802.11a rate
 * whose received-power threshold it clears: the ladder ns-3's
 * IdealWifiManager follows, measured by calibrate's one-hop distance sweep.
 * Routes take the fewest hops (OLSR's metric), ties to the least airtime,
 * or minimise ETX (De Couto et al., MobiCom 2003), by Dijkstra.
 *
 * Flows share airtime through collision domains (Jun and Sichitiu, "The
 * nominal capacity of wireless mesh networks", IEEE Wireless Comm. 2003):
 * a hop's domain holds every hop whose transmitter its sender or its
 * receiver hears (carrier-sense range, the detection floor's ~51 m) or
 * whose signal at its receiver breaks its rate (the SINR the ladder needs
 * less a calibrated decoding margin: the physical interference test, Gupta and
 * Kumar, IEEE Trans. Inf. Theory 46(2), 2000); in each domain the airtime
 * sum of x_f / T_hop is at most 1, where T_hop is the calibrated one-hop
 * goodput. Rates are max-min fair (progressive filling). One flow on a
 * chain thus gets 1 / sum(1/T) over the worst window of hops, which is
 * why throughput falls with hop count. Hidden terminals (senders the
 * hop's sender cannot hear whose interference breaks the hop's rate) cost
 * (1 - a)^v per hidden sender busy a of the time, v the calibrated
 * vulnerable period in frame times, on the worst hop of a path.
 *
 * Churn: a node that leaves breaks the flows through it; they carry no
 * traffic until the repair time (detection plus rediscovery, a parameter
 * from the routing protocol's timers) and are then re-routed or declared
 * unreachable. Moves that break a hop do the same. Outage time and repair
 * counts are kept per flow. No packets, queues or routing messages are
 * simulated: that is ns-3's job in the shim.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "net_int.h"
#include "rng.h"

#define RETRY_LIMIT 7 /* 802.11 dot11ShortRetryLimit */
/* Largest domain table recompute keeps (E x E bytes): 4,096 active hops. */
#define DOM_MAX_BYTES ((size_t)1 << 24)

/* A hop is packed as flow << 5 | hop index (e_flow below). */
_Static_assert(DN_NET_MAX_HOPS <= 32, "a hop index must fit 5 bits");
/* Our random purposes must stay clear of the engine's own streams. */
_Static_assert((int)DN_NET_PURPOSE_CHANNEL >= (int)DN_RNG_PURPOSE_MODEL &&
               (int)DN_NET_PURPOSE_MOVE >= (int)DN_RNG_PURPOSE_MODEL &&
               (int)DN_NET_PURPOSE_PLACE >= (int)DN_RNG_PURPOSE_MODEL, "models/net random purposes are model purposes");

struct dn_net_mesh {
	dn_net_mesh_cfg cfg;
	dn_net_calib k;
	uint32_t node_cap, flow_cap;
	dn_time_ns t_last_ns;
	double cs_m; /* carrier-sense range (the detection floor's) */
	/* nodes */
	double *x_m, *y_m;
	uint8_t *alive, *placed, *kind;
	/* flows */
	uint32_t *src, *dst, *hops, *route; /* route: flow_cap x (MAX_HOPS + 1) */
	uint8_t *state;
	/* xrate_bps: the max-min fair rate, after hidden-terminal losses;
	 * pre_hidden_bps: before them; ffac: the survival factor between */
	double *demand_bps, *xrate_bps, *ffac, *pre_hidden_bps;
	uint64_t *rate_bps, *bits, *rem_bit_ns, *repairs;
	dn_time_ns *broken_at_ns, *outage_ns;
	/* scratch: dist is the route metric (ETX or hops), hop_bps the
	 * one-hop goodput T of each active hop */
	double *dist, *hop_bps, *brk_r2; /* brk_r2: break_r2 of each active hop */
	uint32_t *prev, *e_flow;
	uint8_t *done, *frozen;
	/* scratch of recompute: dom[e * E + o] is whether hop o's sender is in
	 * hop e's collision domain, for the E active hops (grown as needed) */
	uint8_t *dom;
	size_t dom_cap;
	dn_time_ns repair_due_ns;
};

/* The 802.11a rates (IEEE 802.11-2016 Table 17-4, 20 MHz), fastest first;
 * the calibration's ladder gives what each above 6 Mbit/s needs. */
static const struct { double rate_bps; } ofdm_rates[] = {
	{54e6}, {48e6}, {36e6}, {24e6}, {18e6}, {12e6}, {9e6}, {6e6},
};
#define N_RATES (sizeof ofdm_rates / sizeof ofdm_rates[0])

void dn_net_mesh_cfg_default(dn_net_mesh_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->tx_power_dbm = 16.0206; /* ns-3 YansWifiPhy default (40 mW) */
	c->pl_ref_db = 46.6777;    /* Friis at 1 m, 5.15 GHz (ns-3 LogDistance default) */
	c->pl_exponent = 3.0;
	c->pkt_bits = 1000 * 8;
	c->noise_dbm = -174.0 + 10.0 * log10(20e6) + 7.0; /* kT over 20 MHz + ns-3's 7 dB noise figure */
	c->metric = DN_NET_METRIC_HOPS; /* OLSR's, the reference's protocol */
	c->repair_s = 6.0; /* OLSR NEIGHB_HOLD_TIME = 3 x HELLO_INTERVAL (RFC 3626) */
	c->clients_relay = true;
}

double dn_net_wifi_rx_dbm(const dn_net_mesh_cfg *c, double d)
{
	if (d < 1.0)
		d = 1.0;
	return c->tx_power_dbm - c->pl_ref_db - 10.0 * c->pl_exponent * log10(d);
}

double dn_net_wifi_rate_bps(const dn_net_mesh_cfg *c, const dn_net_calib *k, double dist_m)
{
	/* the fastest rate whose measured threshold the link clears (ns-3's
	 * IdealWifiManager picks by SNR; the calibration's ladder is where its
	 * choice changes), 6 Mbit/s down to the detection floor */
	_Static_assert(DN_NET_WIFI_LADDER == N_RATES - 1, "one threshold per rate above 6 Mbit/s");
	const double p = dn_net_wifi_rx_dbm(c, dist_m);
	if (p < DN_NET_WIFI_FLOOR_DBM)
		return 0.0; /* below preamble detection nothing is received */
	for (size_t i = 0; i + 1 < N_RATES; i++)
		if (p >= k->mesh_rate_rx_dbm[i])
			return ofdm_rates[i].rate_bps;
	return ofdm_rates[N_RATES - 1].rate_bps;
}

double dn_net_wifi_delivery(const dn_net_mesh_cfg *c, const dn_net_calib *k, double dist_m)
{
	(void)k;
	/* no fading: a frame above the floor is detected and decoded at the
	 * rate chosen for it (interference is the hidden-terminal term's) */
	return dn_net_wifi_rx_dbm(c, dist_m) >= DN_NET_WIFI_FLOOR_DBM ? 1.0 : 0.0;
}

static double ofdm_us(double rate_bps, double bytes)
{
	const double bits_per_sym = rate_bps * 4e-6;
	return 20.0 + 4.0 * ceil((16.0 + 8.0 * bytes + 6.0) / bits_per_sym);
}

double dn_net_wifi_goodput_bps(double phy_bps, double pkt_bits)
{
	if (!(phy_bps > 0) || !(pkt_bits > 0))
		return 0.0;
	/* MSDU = payload + UDP 8 + IPv4 20 + LLC/SNAP 8; MPDU adds 24 + FCS 4 */
	const double mpdu = pkt_bits / 8.0 + 64.0;
	double basic = 6e6;
	if (phy_bps >= 24e6)
		basic = 24e6;
	else if (phy_bps >= 12e6)
		basic = 12e6;
	const double cycle_us = 34.0 + 7.5 * 9.0 + ofdm_us(phy_bps, mpdu) + 16.0 + ofdm_us(basic, 14);
	return pkt_bits / (cycle_us * DN_NET_S_PER_US);
}

double dn_net_mesh_footprint(uint32_t node_cap, uint32_t flow_cap)
{
	const dn_net_mesh *m = NULL; /* for sizeof only */
	const double per_node = 2 * sizeof *m->x_m + sizeof *m->alive + sizeof *m->placed + sizeof *m->kind +
	                        sizeof *m->dist + sizeof *m->prev + sizeof *m->done;
	const double per_flow = sizeof *m->src + sizeof *m->dst + sizeof *m->hops +
	                        (DN_NET_MAX_HOPS + 1) * sizeof *m->route + sizeof *m->state +
	                        4 * sizeof *m->demand_bps + 4 * sizeof *m->rate_bps + 2 * sizeof *m->broken_at_ns +
	                        DN_NET_MAX_HOPS * (sizeof *m->hop_bps + sizeof *m->brk_r2 + sizeof *m->e_flow) + sizeof *m->frozen;
	/* recompute's domain table: E x E bytes for the E active hops, at most
	 * every flow's longest route (an upper bound), capped as it is */
	const double hops = (double)flow_cap * DN_NET_MAX_HOPS;
	const double dom = fmin(hops * hops, (double)DOM_MAX_BYTES);
	return sizeof *m + (double)node_cap * per_node + (double)flow_cap * per_flow + dom + 29 * 16.0; /* 29 allocations */
}

dn_rc dn_net_mesh_new(const dn_net_mesh_cfg *cfg, const dn_net_calib *k, uint32_t node_cap,
                      uint32_t flow_cap, dn_net_mesh **out)
{
	*out = NULL;
	if (node_cap == 0 || node_cap > 65536 || flow_cap == 0 || flow_cap > 65536 ||
	    !(cfg->pl_exponent > 1) || !(cfg->pkt_bits > 0) || !(cfg->repair_s >= 0) ||
	    !(k->mesh_mac_eff > 0) || !(k->mesh_hidden_vuln >= 0))
		return DN_EINVAL;
	dn_net_mesh *m = calloc(1, sizeof *m);
	if (!m)
		return DN_ENOMEM;
	m->cfg = *cfg;
	m->k = *k;
	m->node_cap = node_cap;
	m->flow_cap = flow_cap;
	m->repair_due_ns = DN_TIME_MAX;
	/* carrier sense: a preamble is detected down to the floor */
	m->cs_m = pow(10.0, (cfg->tx_power_dbm - cfg->pl_ref_db - DN_NET_WIFI_FLOOR_DBM) / (10.0 * cfg->pl_exponent));
	const size_t ne = (size_t)flow_cap * DN_NET_MAX_HOPS;
	bool ok = true;
#define ALLOC(f, n) do { m->f = calloc((n), sizeof *m->f); ok = ok && m->f; } while (0)
	ALLOC(x_m, node_cap); ALLOC(y_m, node_cap); ALLOC(alive, node_cap); ALLOC(placed, node_cap);
	ALLOC(kind, node_cap);
	ALLOC(src, flow_cap); ALLOC(dst, flow_cap); ALLOC(hops, flow_cap);
	ALLOC(route, (size_t)flow_cap * (DN_NET_MAX_HOPS + 1));
	ALLOC(state, flow_cap); ALLOC(demand_bps, flow_cap); ALLOC(xrate_bps, flow_cap); ALLOC(ffac, flow_cap);
	ALLOC(pre_hidden_bps, flow_cap);
	ALLOC(rate_bps, flow_cap); ALLOC(bits, flow_cap); ALLOC(rem_bit_ns, flow_cap); ALLOC(repairs, flow_cap);
	ALLOC(broken_at_ns, flow_cap); ALLOC(outage_ns, flow_cap);
	ALLOC(dist, node_cap); ALLOC(prev, node_cap); ALLOC(done, node_cap);
	ALLOC(hop_bps, ne); ALLOC(brk_r2, ne); ALLOC(e_flow, ne); ALLOC(frozen, flow_cap);
#undef ALLOC
	if (!ok) {
		dn_net_mesh_free(m);
		return DN_ENOMEM;
	}
	*out = m;
	return DN_OK;
}

void dn_net_mesh_free(dn_net_mesh *m)
{
	if (!m)
		return;
	free(m->x_m); free(m->y_m); free(m->alive); free(m->placed); free(m->kind);
	free(m->src); free(m->dst); free(m->hops); free(m->route); free(m->state);
	free(m->demand_bps); free(m->xrate_bps); free(m->ffac); free(m->pre_hidden_bps); free(m->rate_bps); free(m->bits);
	free(m->rem_bit_ns);
	free(m->repairs); free(m->broken_at_ns); free(m->outage_ns);
	free(m->dist); free(m->prev); free(m->done); free(m->hop_bps); free(m->brk_r2); free(m->e_flow); free(m->frozen);
	free(m->dom);
	free(m);
}

static double node_dist(const dn_net_mesh *m, uint32_t a, uint32_t b)
{
	return hypot(m->x_m[a] - m->x_m[b], m->y_m[a] - m->y_m[b]);
}

/* One-hop goodput of the link a->b including retransmissions, 0 if none. */
static double hop_goodput(const dn_net_mesh *m, uint32_t a, uint32_t b)
{
	const double d = node_dist(m, a, b);
	const double r = dn_net_wifi_rate_bps(&m->cfg, &m->k, d);
	const double df = dn_net_wifi_delivery(&m->cfg, &m->k, d);
	if (r <= 0 || df <= 0.05)
		return 0.0;
	return m->k.mesh_mac_eff * dn_net_wifi_goodput_bps(r, m->cfg.pkt_bits) * df;
}

static bool usable(const dn_net_mesh *m, uint32_t a, uint32_t b)
{
	return m->alive[a] && m->alive[b] && hop_goodput(m, a, b) > 0;
}

/* Dijkstra from s to t; fills route of flow f. false when unreachable. */
static bool find_route(dn_net_mesh *m, uint32_t f)
{
	const uint32_t s = m->src[f], t = m->dst[f], n = m->node_cap;
	/* dn_net_mesh_start checked the end points */
	assert(f < m->flow_cap && s < n && t < n && s != t);
	if (!m->alive[s] || !m->alive[t])
		return false;
	for (uint32_t i = 0; i < n; i++) {
		m->dist[i] = INFINITY;
		m->done[i] = 0;
		m->prev[i] = UINT32_MAX;
	}
	m->dist[s] = 0;
	const double g54 = dn_net_wifi_goodput_bps(54e6, m->cfg.pkt_bits); /* the tie-break's unit */
	for (uint32_t it = 0; it < n; it++) {
		uint32_t u = UINT32_MAX;
		double best = INFINITY;
		for (uint32_t i = 0; i < n; i++)
			if (!m->done[i] && m->dist[i] < best) {
				best = m->dist[i];
				u = i;
			}
		if (u == UINT32_MAX || u == t)
			break;
		m->done[u] = 1;
		/* only routers relay, and clients when allowed */
		if (u != s && m->kind[u] == DN_NET_CLIENT && !m->cfg.clients_relay)
			continue;
		for (uint32_t v = 0; v < n; v++) {
			if (m->done[v] || !m->alive[v] || !m->placed[v])
				continue;
			const double d = node_dist(m, u, v);
			const double df = dn_net_wifi_delivery(&m->cfg, &m->k, d), rate = dn_net_wifi_rate_bps(&m->cfg, &m->k, d);
			if (df <= 0.05 || rate <= 0)
				continue;
			/* hops: OLSR's metric, ties to the route of least airtime
			 * (one hop weighs 1 + 1e-3 x its airtime per bit relative to
			 * a 54 Mbit/s hop, at most 1.005 a hop: 32 hops stay below
			 * 33, so hop count always decides first) */
			const double w = m->cfg.metric == DN_NET_METRIC_ETX
						 ? 1.0 / (df * df)
						 : 1.0 + 1e-3 * g54 / dn_net_wifi_goodput_bps(rate, m->cfg.pkt_bits);
			if (m->dist[u] + w < m->dist[v]) {
				m->dist[v] = m->dist[u] + w;
				m->prev[v] = u;
			}
		}
	}
	if (!isfinite(m->dist[t]))
		return false;
	uint32_t h = 0;
	for (uint32_t v = t; v != s; v = m->prev[v]) {
		/* a finite distance means a chain of predecessors back to s */
		assert(m->prev[v] < n);
		if (++h > DN_NET_MAX_HOPS)
			return false; /* longer than the model's bound: report unreachable */
	}
	assert(h >= 1 && h <= DN_NET_MAX_HOPS);
	uint32_t *r = &m->route[(size_t)f * (DN_NET_MAX_HOPS + 1)];
	uint32_t i = h;
	for (uint32_t v = t;; v = m->prev[v]) {
		r[i] = v;
		if (v == s)
			break;
		i--;
	}
	assert(i == 0 && r[0] == s && r[h] == t);
	m->hops[f] = h;
	return true;
}

static bool route_ok(const dn_net_mesh *m, uint32_t f)
{
	const uint32_t *r = &m->route[(size_t)f * (DN_NET_MAX_HOPS + 1)];
	for (uint32_t h = 0; h < m->hops[f]; h++)
		if (!usable(m, r[h], r[h + 1]))
			return false;
	return true;
}

/* Received power (dBm) a link needs for a PHY rate (the ladder of
 * dn_net_wifi_rate_bps); for 6 Mbit/s the detection floor. */
static double rate_thr_dbm(const dn_net_calib *k, double rate_bps)
{
	for (size_t i = 0; i + 1 < N_RATES; i++)
		if (rate_bps >= ofdm_rates[i].rate_bps)
			return k->mesh_rate_rx_dbm[i];
	return DN_NET_WIFI_FLOOR_DBM;
}

/* The squared distance from b within which a sender's signal, added to the
 * noise, pushes the hop a->b's SINR below what a frame at a->b's rate needs
 * to be decoded (breaks it): the ladder's threshold over the noise (where
 * rate control picks the rate) plus the calibrated decoding margin (at most
 * 0: a frame decodes a few dB below the SINR its rate is chosen at; a
 * positive margin counts as 0, so a link that works alone is never broken
 * by a vanishing signal). A sender that breaks a->b cannot be on air with
 * it. Interference falls with distance, so one radius a hop says it all. */
static double break_r2(const dn_net_mesh *m, uint32_t a, uint32_t b)
{
	const double d = node_dist(m, a, b);
	const double need_db = rate_thr_dbm(&m->k, dn_net_wifi_rate_bps(&m->cfg, &m->k, d)) - m->cfg.noise_dbm +
			       fmin(m->k.mesh_interf_margin_db, 0.0);
	/* the largest interference (mW) a->b survives */
	const double i_max = pow(10.0, (dn_net_wifi_rx_dbm(&m->cfg, d) - need_db) / 10.0) - pow(10.0, m->cfg.noise_dbm / 10.0);
	if (!(i_max > 0))
		return INFINITY; /* at its threshold already: any signal breaks it */
	const double r = pow(10.0, (m->cfg.tx_power_dbm - m->cfg.pl_ref_db - 10.0 * log10(i_max)) /
				       (10.0 * m->cfg.pl_exponent));
	/* received power is flat below 1 m (rx_dbm): a radius under 1 m is none */
	return r >= 1.0 ? r * r : 0.0;
}

static double node_dist2(const dn_net_mesh *m, uint32_t a, uint32_t b)
{
	const double dx = m->x_m[a] - m->x_m[b], dy = m->y_m[a] - m->y_m[b];
	return dx * dx + dy * dy;
}

/* Whether a transmitter tx is in the collision domain of the hop a->b,
 * sharing its airtime: tx is a, or a hears it (within carrier-sense range:
 * a defers), or b hears it (b is busy receiving it), or its signal breaks
 * a->b's reception (the physical interference test: the two cannot be on
 * air together whether or not they hear each other). r2: break_r2(a, b). */
static bool in_domain(const dn_net_mesh *m, uint32_t a, uint32_t b, uint32_t tx, double r2)
{
	return tx == a || node_dist(m, tx, a) <= m->cs_m || node_dist(m, tx, b) <= m->cs_m || node_dist2(m, tx, b) < r2;
}

/* Makes room for n bytes of domain table; false without memory. */
static bool dom_reserve(dn_net_mesh *m, size_t n)
{
	if (n <= m->dom_cap)
		return true;
	uint8_t *p = realloc(m->dom, n);
	if (!p)
		return false;
	m->dom = p;
	m->dom_cap = n;
	return true;
}

/* Max-min fair rates over collision domains (progressive filling). */
/* Kept whole: hop table, filling rounds and hidden-terminal pass share one hop list and sum floats in one fixed order. */
static void recompute(dn_net_mesh *m)
{
	const uint32_t F = m->flow_cap;
	uint32_t E = 0;
	for (uint32_t f = 0; f < F; f++) {
		m->xrate_bps[f] = 0;
		m->frozen[f] = m->state[f] != DN_NET_FLOW_OK;
		if (m->state[f] != DN_NET_FLOW_OK)
			continue;
		const uint32_t *r = &m->route[(size_t)f * (DN_NET_MAX_HOPS + 1)];
		assert(m->hops[f] >= 1 && m->hops[f] <= DN_NET_MAX_HOPS);
		for (uint32_t h = 0; h < m->hops[f]; h++) {
			m->hop_bps[E] = hop_goodput(m, r[h], r[h + 1]);
			/* a flow is OK only while every hop of its route is usable
			 * (find_route, check_routes): loads divide by this */
			assert(m->hop_bps[E] > 0 && isfinite(m->hop_bps[E]));
			m->brk_r2[E] = break_r2(m, r[h], r[h + 1]);
			m->e_flow[E] = f << 5 | h; /* MAX_HOPS = 32 fits 5 bits */
			E++;
		}
	}
	assert(E <= (size_t)F * DN_NET_MAX_HOPS);
	/* the domains, once: the filling rounds test each pair up to three
	 * times a round. Past DOM_MAX_BYTES (or without memory) the pairs are
	 * tested where they are used, with the same answers. */
	const bool use_dom = (size_t)E * E <= DOM_MAX_BYTES && dom_reserve(m, (size_t)E * E);
	if (use_dom)
		for (uint32_t e = 0; e < E; e++) {
			const uint32_t fe = m->e_flow[e] >> 5, he = m->e_flow[e] & 31;
			const uint32_t *re = &m->route[(size_t)fe * (DN_NET_MAX_HOPS + 1)];
			for (uint32_t o = 0; o < E; o++) {
				const uint32_t fo = m->e_flow[o] >> 5, ho = m->e_flow[o] & 31;
				m->dom[(size_t)e * E + o] = in_domain(m, re[he], re[he + 1],
								      m->route[(size_t)fo * (DN_NET_MAX_HOPS + 1) + ho],
								      m->brk_r2[e]);
			}
		}
#define IN_DOM(e, o, tx) \
	(use_dom ? m->dom[(size_t)(e) * E + (o)] != 0 : in_domain(m, re[he], re[he + 1], (tx), m->brk_r2[e]))
	for (uint32_t round = 0; round <= F; round++) {
		double step = INFINITY;
		for (uint32_t f = 0; f < F; f++)
			if (!m->frozen[f] && m->demand_bps[f] > 0)
				step = fmin(step, m->demand_bps[f] - m->xrate_bps[f]);
		/* each hop's domain: load and growth coefficient */
		for (uint32_t e = 0; e < E; e++) {
			const uint32_t fe = m->e_flow[e] >> 5, he = m->e_flow[e] & 31;
			const uint32_t *re = &m->route[(size_t)fe * (DN_NET_MAX_HOPS + 1)];
			double load = 0, coef = 0;
			for (uint32_t o = 0; o < E; o++) {
				const uint32_t fo = m->e_flow[o] >> 5, ho = m->e_flow[o] & 31;
				const uint32_t tx = m->route[(size_t)fo * (DN_NET_MAX_HOPS + 1) + ho];
				if (!IN_DOM(e, o, tx))
					continue;
				load += m->xrate_bps[fo] / m->hop_bps[o];
				if (!m->frozen[fo])
					coef += 1.0 / m->hop_bps[o];
			}
			if (coef > 0)
				step = fmin(step, (1.0 - load) / coef);
		}
		if (!isfinite(step))
			break;
		if (step < 0)
			step = 0; /* a domain at capacity up to rounding: grow no further */
		for (uint32_t f = 0; f < F; f++)
			if (!m->frozen[f])
				m->xrate_bps[f] += step;
		/* freeze flows at their demand or crossing a saturated domain */
		bool any = false;
		for (uint32_t f = 0; f < F; f++)
			if (!m->frozen[f] && m->demand_bps[f] > 0 && m->xrate_bps[f] >= m->demand_bps[f] * (1 - 1e-12))
				m->frozen[f] = 1;
		for (uint32_t e = 0; e < E; e++) {
			const uint32_t fe = m->e_flow[e] >> 5, he = m->e_flow[e] & 31;
			const uint32_t *re = &m->route[(size_t)fe * (DN_NET_MAX_HOPS + 1)];
			double load = 0;
			for (uint32_t o = 0; o < E; o++) {
				const uint32_t fo = m->e_flow[o] >> 5, ho = m->e_flow[o] & 31;
				const uint32_t tx = m->route[(size_t)fo * (DN_NET_MAX_HOPS + 1) + ho];
				if (!IN_DOM(e, o, tx))
					continue;
				load += m->xrate_bps[fo] / m->hop_bps[o];
			}
			/* the step was the largest every domain could take: airtime
			 * is shared, never oversold (up to rounding) */
			assert(load >= 0 && load <= 1.0 + 1e-9);
			if (load < 1.0 - 1e-9)
				continue;
			for (uint32_t o = 0; o < E; o++) {
				const uint32_t fo = m->e_flow[o] >> 5, ho = m->e_flow[o] & 31;
				const uint32_t tx = m->route[(size_t)fo * (DN_NET_MAX_HOPS + 1) + ho];
				if (!IN_DOM(e, o, tx))
					continue;
				m->frozen[fo] = 1;
			}
		}
		for (uint32_t f = 0; f < F; f++)
			any = any || !m->frozen[f];
		if (!any)
			break;
	}
#undef IN_DOM
	/* Hidden terminals: a transmitter o out of carrier-sense range of hop
	 * e's sender cannot defer to it; when its signal at e's receiver pushes
	 * e's SINR below what e's rate needs (breaks), e's frames overlapping
	 * o's are lost. o is on air a_o = x_o / T_o of
	 * the time; a frame of e survives with probability (1 - a_o)^v, v the
	 * vulnerable period in frame times (2 for equal frames: o must neither
	 * be on air when e starts nor start during e's frame; Tsertou and
	 * Laurenson, IEEE Trans. Mobile Computing 7(7), 2008), fitted by
	 * calibrate. Same flow or other flows alike. A flow takes the loss of
	 * the worst hop on its path (retries spend that hop's airtime). */
	for (uint32_t f = 0; f < F; f++) {
		m->ffac[f] = 1.0;
		m->pre_hidden_bps[f] = m->xrate_bps[f];
	}
	for (uint32_t e = 0; e < E; e++) {
		const uint32_t fe = m->e_flow[e] >> 5, he = m->e_flow[e] & 31;
		const uint32_t *re = &m->route[(size_t)fe * (DN_NET_MAX_HOPS + 1)];
		double fac = 1.0;
		for (uint32_t o = 0; o < E; o++) {
			const uint32_t fo = m->e_flow[o] >> 5, ho = m->e_flow[o] & 31;
			const uint32_t tx = m->route[(size_t)fo * (DN_NET_MAX_HOPS + 1) + ho];
			if (o == e || node_dist(m, tx, re[he]) <= m->cs_m || !(node_dist2(m, tx, re[he + 1]) < m->brk_r2[e]))
				continue; /* heard (it defers) or harmless */
			const double a = fmin(m->xrate_bps[fo] / m->hop_bps[o], 1.0);
			assert(a >= 0 && a <= 1); /* a fraction of o's time on air */
			fac *= pow(1.0 - a, m->k.mesh_hidden_vuln);
		}
		if (fac < m->ffac[fe])
			m->ffac[fe] = fac;
	}
	for (uint32_t f = 0; f < F; f++)
		m->xrate_bps[f] *= m->ffac[f];
	for (uint32_t f = 0; f < F; f++) {
		/* a hidden-terminal factor is a survival probability; rates are
		 * finite and never negative */
		assert(m->ffac[f] >= 0 && m->ffac[f] <= 1);
		assert(m->xrate_bps[f] >= 0 && isfinite(m->xrate_bps[f]));
		/* flows not carrying traffic get no rate; a demand is never exceeded
		 * (up to the freeze tolerance) */
		assert(m->state[f] == DN_NET_FLOW_OK || m->xrate_bps[f] == 0);
		assert(!(m->demand_bps[f] > 0) || m->xrate_bps[f] <= m->demand_bps[f] * (1 + 1e-9));
		const double r = floor(m->xrate_bps[f]);
		m->rate_bps[f] = r > 0 ? (uint64_t)r : 0;
	}
}

dn_rc dn_net_mesh_advance(dn_net_mesh *m, dn_time_ns t)
{
	if (t < m->t_last_ns)
		return DN_ECAUSALITY;
	const dn_time_ns dt_ns = t - m->t_last_ns;
	if (dt_ns > 0)
		for (uint32_t f = 0; f < m->flow_cap; f++)
			if (m->state[f] == DN_NET_FLOW_OK)
				dn_net_integrate(m->rate_bps[f], dt_ns, &m->bits[f], &m->rem_bit_ns[f]);
	m->t_last_ns = t;
	return DN_OK;
}

static void mark_broken(dn_net_mesh *m, uint32_t f, dn_time_ns t)
{
	m->state[f] = DN_NET_FLOW_BROKEN;
	m->broken_at_ns[f] = t;
	m->rate_bps[f] = 0;
	const dn_time_ns due_ns = t + (dn_time_ns)llround(m->cfg.repair_s * (double)DN_NS_PER_S);
	assert(due_ns >= t); /* repair_s >= 0 (dn_net_mesh_new) */
	if (due_ns < m->repair_due_ns)
		m->repair_due_ns = due_ns;
}

/* After a topology change: flows whose route lost a hop break. */
static void check_routes(dn_net_mesh *m, dn_time_ns t)
{
	for (uint32_t f = 0; f < m->flow_cap; f++) {
		if (m->state[f] != DN_NET_FLOW_OK)
			continue;
		if (!m->alive[m->src[f]] || !m->alive[m->dst[f]]) {
			m->state[f] = DN_NET_FLOW_UNREACHABLE;
			m->rate_bps[f] = 0;
		} else if (!route_ok(m, f)) {
			mark_broken(m, f, t);
		}
	}
	recompute(m);
}

dn_rc dn_net_mesh_place(dn_net_mesh *m, dn_time_ns t, uint32_t n, dn_net_node_kind kind,
                        double x_m, double y_m)
{
	if (n >= m->node_cap || !isfinite(x_m) || !isfinite(y_m))
		return DN_EINVAL;
	dn_rc rc = dn_net_mesh_advance(m, t);
	if (rc)
		return rc;
	m->x_m[n] = x_m;
	m->y_m[n] = y_m;
	m->kind[n] = (uint8_t)kind;
	m->placed[n] = 1;
	m->alive[n] = 1;
	check_routes(m, t);
	return DN_OK;
}

dn_rc dn_net_mesh_leave(dn_net_mesh *m, dn_time_ns t, uint32_t n, dn_time_ns *repair_at_ns)
{
	if (n >= m->node_cap || !m->placed[n])
		return DN_EINVAL;
	dn_rc rc = dn_net_mesh_advance(m, t);
	if (rc)
		return rc;
	m->alive[n] = 0;
	check_routes(m, t);
	if (repair_at_ns)
		*repair_at_ns = m->repair_due_ns;
	return DN_OK;
}

dn_rc dn_net_mesh_join(dn_net_mesh *m, dn_time_ns t, uint32_t n)
{
	if (n >= m->node_cap || !m->placed[n])
		return DN_EINVAL;
	dn_rc rc = dn_net_mesh_advance(m, t);
	if (rc)
		return rc;
	m->alive[n] = 1;
	/* flows that had no route try again (route discovery on demand) */
	for (uint32_t f = 0; f < m->flow_cap; f++)
		if (m->state[f] == DN_NET_FLOW_UNREACHABLE && find_route(m, f))
			m->state[f] = DN_NET_FLOW_OK;
	recompute(m);
	return DN_OK;
}

dn_time_ns dn_net_mesh_repair_due(const dn_net_mesh *m)
{
	return m->repair_due_ns;
}

dn_rc dn_net_mesh_repair(dn_net_mesh *m, dn_time_ns t)
{
	dn_rc rc = dn_net_mesh_advance(m, t);
	if (rc)
		return rc;
	m->repair_due_ns = DN_TIME_MAX;
	const dn_time_ns wait_ns = (dn_time_ns)llround(m->cfg.repair_s * (double)DN_NS_PER_S);
	for (uint32_t f = 0; f < m->flow_cap; f++) {
		if (m->state[f] != DN_NET_FLOW_BROKEN)
			continue;
		if (t < m->broken_at_ns[f] + wait_ns) {
			/* broken later than this repair round: keep it pending */
			if (m->broken_at_ns[f] + wait_ns < m->repair_due_ns)
				m->repair_due_ns = m->broken_at_ns[f] + wait_ns;
			continue;
		}
		assert(t >= m->broken_at_ns[f]); /* wait_ns >= 0 */
		m->outage_ns[f] += t - m->broken_at_ns[f];
		if (find_route(m, f)) {
			m->state[f] = DN_NET_FLOW_OK;
			m->repairs[f]++;
		} else {
			m->state[f] = DN_NET_FLOW_UNREACHABLE;
		}
	}
	recompute(m);
	return DN_OK;
}

dn_rc dn_net_mesh_start(dn_net_mesh *m, dn_time_ns t, uint32_t f, uint32_t src, uint32_t dst,
                        double demand_bps)
{
	if (f >= m->flow_cap || src >= m->node_cap || dst >= m->node_cap || src == dst ||
	    !m->placed[src] || !m->placed[dst] || !isfinite(demand_bps))
		return DN_EINVAL;
	dn_rc rc = dn_net_mesh_advance(m, t);
	if (rc)
		return rc;
	m->src[f] = src;
	m->dst[f] = dst;
	m->demand_bps[f] = demand_bps > 0 ? demand_bps : 0;
	m->state[f] = find_route(m, f) ? DN_NET_FLOW_OK : DN_NET_FLOW_UNREACHABLE;
	recompute(m);
	return DN_OK;
}

dn_rc dn_net_mesh_stop(dn_net_mesh *m, dn_time_ns t, uint32_t f)
{
	if (f >= m->flow_cap)
		return DN_EINVAL;
	dn_rc rc = dn_net_mesh_advance(m, t);
	if (rc)
		return rc;
	if (m->state[f] == DN_NET_FLOW_BROKEN) {
		/* it broke at an earlier call, and time only moves forwards */
		assert(t >= m->broken_at_ns[f]);
		m->outage_ns[f] += t - m->broken_at_ns[f];
	}
	m->state[f] = DN_NET_FLOW_IDLE;
	m->rate_bps[f] = 0;
	recompute(m);
	return DN_OK;
}

dn_rc dn_net_mesh_flow(const dn_net_mesh *m, uint32_t f, dn_net_flow_stat *out)
{
	if (f >= m->flow_cap)
		return DN_EINVAL;
	memset(out, 0, sizeof *out);
	out->state = (dn_net_flow_state)m->state[f];
	out->delivered_bits = m->bits[f];
	out->outage_s = (double)m->outage_ns[f] * DN_S_PER_NS;
	out->repairs = (uint32_t)m->repairs[f];
	if (m->state[f] != DN_NET_FLOW_OK) {
		out->delay_s = INFINITY;
		out->loss = 1.0;
		return DN_OK;
	}
	const uint32_t *r = &m->route[(size_t)f * (DN_NET_MAX_HOPS + 1)];
	out->hops = m->hops[f];
	/* out->route holds DN_NET_MAX_HOPS + 1 nodes */
	assert(out->hops >= 1 && out->hops <= DN_NET_MAX_HOPS);
	memcpy(out->route, r, (out->hops + 1) * sizeof *r);
	out->rate_bps = (double)m->rate_bps[f];
	double delay = 0, ok = 1;
	for (uint32_t h = 0; h < m->hops[f]; h++) {
		const double d = node_dist(m, r[h], r[h + 1]);
		delay += m->k.mesh_hop_delay_s + m->cfg.pkt_bits / hop_goodput(m, r[h], r[h + 1]);
		ok *= 1.0 - pow(1.0 - dn_net_wifi_delivery(&m->cfg, &m->k, d), RETRY_LIMIT);
	}
	const double x = out->rate_bps;
	const bool sat = m->demand_bps[f] <= 0 || x < m->demand_bps[f] - 2.0;
	if (sat)
		delay += x > 0 ? m->k.mesh_queue_bits / x : INFINITY;
	out->delay_s = delay;
	out->loss = 1.0 - ok;
	assert(delay > 0 && out->loss >= 0 && out->loss <= 1); /* a probability */
	return DN_OK;
}

double dn_net_mesh_max_airtime(const dn_net_mesh *m)
{
	double worst = 0;
	for (uint32_t fe = 0; fe < m->flow_cap; fe++) {
		if (m->state[fe] != DN_NET_FLOW_OK)
			continue;
		const uint32_t *re = &m->route[(size_t)fe * (DN_NET_MAX_HOPS + 1)];
		for (uint32_t he = 0; he < m->hops[fe]; he++) {
			double load = 0;
			const double r2 = break_r2(m, re[he], re[he + 1]);
			for (uint32_t fo = 0; fo < m->flow_cap; fo++) {
				if (m->state[fo] != DN_NET_FLOW_OK)
					continue;
				const uint32_t *ro = &m->route[(size_t)fo * (DN_NET_MAX_HOPS + 1)];
				for (uint32_t ho = 0; ho < m->hops[fo]; ho++)
					if (in_domain(m, re[he], re[he + 1], ro[ho], r2))
						load += m->pre_hidden_bps[fo] / hop_goodput(m, ro[ho], ro[ho + 1]);
			}
			worst = fmax(worst, load);
		}
	}
	return worst;
}

dn_time_ns dn_net_rwp_next(const dn_net_rwp *r, uint64_t seed, uint32_t node, uint64_t *index,
                           double *x_m, double *y_m)
{
	uint32_t b[4];
	dn_rng_block(seed, node, DN_NET_PURPOSE_MOVE, (*index)++, b);
	const double nx = dn_u01(b[0], b[1]) * r->w_m, ny = dn_u01(b[2], b[3]) * r->h_m;
	dn_rng_block(seed, node, DN_NET_PURPOSE_MOVE, (*index)++, b);
	const double v = r->speed_min_mps + dn_u01(b[0], b[1]) * (r->speed_max_mps - r->speed_min_mps);
	const double d = hypot(nx - *x_m, ny - *y_m);
	*x_m = nx;
	*y_m = ny;
	const double s = (v > 0 ? d / v : 0) + r->pause_s;
	return (dn_time_ns)llround(s * (double)DN_NS_PER_S);
}
