/*
 * content.c: the phase-2 content economy generator (see content.h and
 * docs/content.md).
 *
 * Layout. The social graph is CSR (off[n+1], adj[2E], uint32). Items are a
 * growing array; every (item, holder) pair is one record in a growing
 * holdings array, with the holder's parent record (from whom it bought),
 * its depth in the item's holder tree, and, when it offers the item, a link
 * to the holder's previous offering record (a per-agent newest-first list
 * whose head is offer_head[agent]). "Does b hold i" is an open-addressing
 * hash set of holding indices keyed by (item, agent). Per agent the module
 * keeps only the CSR row, a role byte and an offer-list head: no per-item
 * arrays. Nothing here depends on hash-table layout: the set only answers
 * membership, and every choice is made in adjacency, list or index order.
 *
 * What this is not: a ledger, a scheduler or a thread-safe object.
 */
#include "content.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define NONE32 UINT32_MAX
#define DAY_S 86400.0
#define MAX_MEAN_PER_BLOCK 16777216.0 /* 2^24 purchases or items per block, mean */
#define POISSON_CHUNK 500.0           /* exp(-500) is still a normal double */
#define BA_TRIES 64u                  /* degree-weighted draws before the uniform fallback */
#define REC_TRIES 4u                  /* recommender and item draws per purchase */
#define ATTEMPT_SHIFT 16              /* rng blocks reserved per purchase attempt: 2^16 */

/* Stream purposes: one per use, so adding a use never shifts another's draws. */
enum {
	P_GRAPH = DN_RNG_PURPOSE_MODEL + 0x4300,
	P_ROLES,
	P_PUBLISH,
	P_BUY,
	P_PRICE,
};

enum { ROLE_CREATOR = 1u, ROLE_RECOMMENDER = 2u };

typedef struct citem {
	dn_amount price_base;
	uint32_t origin;
	uint32_t last_offer;   /* newest offering holding (the origin's at first) */
	uint32_t holders;
} citem;

typedef struct chold {
	uint32_t item, agent;
	uint32_t parent;       /* holding this one bought from; NONE32 for the origin */
	uint32_t next_offer;   /* the agent's previous offering holding; NONE32 */
	uint16_t depth;        /* 0 = origin O */
	uint8_t offers;        /* origin, or a reseller within the depth cap */
	uint8_t pad;
} chold;

struct dn_content {
	dn_content_cfg cfg;
	uint32_t n;
	uint64_t n_edges;
	uint32_t *off, *adj;           /* CSR */
	uint8_t *role;                 /* ROLE_* per agent */
	uint32_t *offer_head;          /* per agent, NONE32 */
	uint32_t *creators, n_creators;
	uint32_t *recs, n_recs;
	uint64_t *rec_cum;             /* inclusive cumulative degree over recs */
	citem *items;
	uint32_t n_items, cap_items;
	chold *hold;
	uint32_t n_hold, cap_hold;
	uint32_t *hset;                /* holding indices, NONE32 = empty */
	uint64_t hset_cap;             /* power of two */
	uint32_t *scratch;             /* offer_scan candidates */
	double items_mean, buys_mean;  /* per block */
	double log_pmin, log_pmax;
	struct dn_content_stats st;
};

/* ------------------------------------------------------------------ draws */

static uint32_t uniform32(dn_rng *r, uint32_t n)
{
	assert(n > 0);
	return dn_bounded32(dn_rng_u32(r), n);
}

static uint64_t uniform64(dn_rng *r, uint64_t n)
{
	__extension__ typedef unsigned __int128 u128;
	assert(n > 0);
	return (uint64_t)(((u128)dn_rng_u64(r) * n) >> 64);
}

/*
 * Poisson(mean) by inversion, in chunks of at most POISSON_CHUNK so that
 * exp(-lambda) never underflows (a sum of Poissons is Poisson). Each chunk
 * is bounded by lambda + 40 sqrt(lambda) + 100 steps, far in the tail.
 */
static uint64_t poisson(dn_rng *r, double mean)
{
	uint64_t k = 0;
	while (mean > 0) {
		double lam = mean > POISSON_CHUNK ? POISSON_CHUNK : mean;
		double u = dn_rng_u01(r), p = exp(-lam), cdf = p;
		uint64_t j = 0, lim = (uint64_t)(lam + 40.0 * sqrt(lam) + 100.0);
		mean = mean > POISSON_CHUNK ? mean - POISSON_CHUNK : 0;
		while (u >= cdf && j < lim) {
			j++;
			p *= lam / (double)j;
			cdf += p;
		}
		k += j;
	}
	return k;
}

/* Index base of a block's streams: heights past 2^32 move into the index. */
static uint64_t height_base(uint64_t height)
{
	return (height >> 32) << 48; /* attempts use (a + 1) << 16 below that */
}

/* ------------------------------------------------------------- validation */

static bool prob_ok(double p)
{
	return isfinite(p) && p >= 0.0 && p <= 1.0;
}

static bool rate_ok(double x)
{
	return isfinite(x) && x >= 0.0;
}

static uint64_t edge_count(uint32_t n, uint32_t m)
{
	uint64_t m0 = (uint64_t)m + 1 < n ? (uint64_t)m + 1 : n;
	return m0 * (m0 - 1) / 2 + (uint64_t)m * (n - m0);
}

static dn_rc cfg_check(const dn_content_cfg *g)
{
	if (g->n == 0 || g->n == NONE32)
		return DN_EINVAL;
	if (g->edges_per_node == 0 || g->edges_per_node > DN_CONTENT_MAX_EDGES_PER_NODE)
		return DN_EINVAL;
	if (2 * edge_count(g->n, g->edges_per_node) >= UINT32_MAX)
		return DN_EINVAL;
	if (g->creator_ppm > DNC_PPM || g->recommender_ppm > DNC_PPM ||
	    g->recommend_fee_ppm > DNC_PPM)
		return DN_EINVAL;
	if (!rate_ok(g->items_per_creator_per_day) || !rate_ok(g->purchases_per_agent_per_day))
		return DN_EINVAL;
	if (!prob_ok(g->resell_probability) || !prob_ok(g->recommend_probability))
		return DN_EINVAL;
	if (!isfinite(g->block_interval_s) || !(g->block_interval_s > 0))
		return DN_EINVAL;
	if (g->price_min_base < 0 || g->price_max_base < g->price_min_base)
		return DN_EINVAL;
	if (g->price_min_base < g->price_max_base && g->price_min_base < 1)
		return DN_EINVAL; /* log-uniform needs a positive lower end */
	if (g->max_middlemen > DNC_MAX_MIDDLEMEN)
		return DN_EINVAL;
	if (g->max_holdings == 0 || g->max_holdings == NONE32 || g->max_items == 0 ||
	    g->max_items == NONE32)
		return DN_EINVAL;
	if (g->neighbour_tries == 0 || g->neighbour_tries > DN_CONTENT_MAX_SCAN ||
	    g->offer_scan == 0 || g->offer_scan > DN_CONTENT_MAX_SCAN ||
	    g->recommend_scan > DN_CONTENT_MAX_SCAN)
		return DN_EINVAL;
	if ((double)g->n * g->purchases_per_agent_per_day * g->block_interval_s / DAY_S >
	    MAX_MEAN_PER_BLOCK)
		return DN_EINVAL;
	if ((double)g->n * g->items_per_creator_per_day * g->block_interval_s / DAY_S >
	    MAX_MEAN_PER_BLOCK)
		return DN_EINVAL;
	return DN_OK;
}

void dn_content_cfg_default(dn_content_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->n = 1000;
	cfg->edges_per_node = 3;
	cfg->creator_ppm = 10000;
	cfg->recommender_ppm = 0;
	cfg->items_per_creator_per_day = 1.0;
	cfg->purchases_per_agent_per_day = 2.0;
	cfg->resell_probability = 0.3;
	cfg->recommend_probability = 0.0;
	cfg->price_min_base = DNC_UNITS_PER_DNET / 100;
	cfg->price_max_base = 10 * DNC_UNITS_PER_DNET;
	cfg->recommend_fee_ppm = 10000;
	cfg->block_interval_s = 10.0;
	cfg->seed = 1;
	cfg->max_middlemen = DNC_MAX_MIDDLEMEN;
	cfg->max_holdings = 1u << 24;
	cfg->max_items = 1u << 22;
	cfg->neighbour_tries = 4;
	cfg->offer_scan = 16;
	cfg->recommend_scan = 64;
}

/* ------------------------------------------------------------------ graph */

static bool chosen_has(const uint32_t *chosen, uint32_t k, uint32_t x)
{
	for (uint32_t i = 0; i < k; i++)
		if (chosen[i] == x)
			return true;
	return false;
}

/*
 * Barabasi-Albert: a clique of m0 = m + 1 nodes, then each new node v takes
 * m distinct targets, each drawn with probability proportional to degree by
 * picking a uniform endpoint of the edges that existed before v (the
 * repeated-endpoints list). The list is implicit: edge e's first endpoint is
 * computable from e (a clique table, then m0 + (e - e0) / m), so only the
 * targets are stored: 4m bytes per node, freed once the CSR is built.
 */
static dn_rc build_graph(dn_content *c)
{
	const uint32_t n = c->n, m = c->cfg.edges_per_node;
	const uint32_t m0 = (uint64_t)m + 1 < n ? m + 1 : n;
	const uint64_t e0 = (uint64_t)m0 * (m0 - 1) / 2, E = edge_count(n, m);
	uint32_t chosen[DN_CONTENT_MAX_EDGES_PER_NODE];
	uint32_t *src0, *tgt;
	uint64_t e = 0;
	dn_rng r;

	src0 = malloc((e0 ? e0 : 1) * sizeof *src0);
	tgt = malloc((E ? E : 1) * sizeof *tgt);
	c->off = calloc((size_t)n + 1, sizeof *c->off);
	c->adj = malloc((E ? 2 * E : 1) * sizeof *c->adj);
	if (!src0 || !tgt || !c->off || !c->adj) {
		free(src0);
		free(tgt);
		return DN_ENOMEM;
	}
	for (uint32_t i = 0; i < m0; i++)
		for (uint32_t j = i + 1; j < m0; j++) {
			src0[e] = i;
			tgt[e] = j;
			e++;
		}
	assert(e == e0);
	dn_rng_init(&r, c->cfg.seed, 0, P_GRAPH, 0);
	for (uint32_t v = m0; v < n; v++) {
		const uint32_t ends = (uint32_t)(2 * e); /* < 2^32: cfg_check */
		assert(ends > 0 && v > m);
		for (uint32_t j = 0; j < m; j++) {
			uint32_t t = NONE32;
			for (uint32_t k = 0; k < BA_TRIES; k++) {
				uint32_t p = uniform32(&r, ends);
				uint64_t pe = p >> 1;
				uint32_t x = (p & 1) ? tgt[pe]
				           : pe < e0 ? src0[pe] : m0 + (uint32_t)((pe - e0) / m);
				if (!chosen_has(chosen, j, x)) {
					t = x;
					break;
				}
			}
			if (t == NONE32) { /* bounded fallback: the next free node after a uniform one */
				t = uniform32(&r, v);
				while (chosen_has(chosen, j, t))
					t = t + 1 < v ? t + 1 : 0;
			}
			assert(t < v);
			chosen[j] = t;
			tgt[e + j] = t;
		}
		e += m;
	}
	assert(e == E);
	/* CSR: count, prefix, fill with off[] as cursors, shift back */
	for (uint64_t i = 0; i < E; i++) {
		uint32_t s = i < e0 ? src0[i] : m0 + (uint32_t)((i - e0) / m);
		c->off[s + 1]++;
		c->off[tgt[i] + 1]++;
	}
	for (uint32_t i = 0; i < n; i++)
		c->off[i + 1] += c->off[i];
	assert(c->off[n] == 2 * E);
	for (uint64_t i = 0; i < E; i++) {
		uint32_t s = i < e0 ? src0[i] : m0 + (uint32_t)((i - e0) / m);
		c->adj[c->off[s]++] = tgt[i];
		c->adj[c->off[tgt[i]]++] = s;
	}
	for (uint32_t i = n; i > 0; i--)
		c->off[i] = c->off[i - 1];
	c->off[0] = 0;
	free(src0);
	free(tgt);
	c->n_edges = E;
	return DN_OK;
}

/* Roles from a per-agent stream, so an agent's role does not depend on n. */
static dn_rc draw_roles(dn_content *c)
{
	uint32_t nc = 0, nr = 0;
	uint64_t cum = 0;
	c->role = calloc(c->n, 1);
	if (!c->role)
		return DN_ENOMEM;
	for (uint32_t a = 0; a < c->n; a++) {
		uint32_t w[4];
		dn_rng_block(c->cfg.seed, a, P_ROLES, 0, w);
		if (dn_bounded32(w[0], DNC_PPM) < c->cfg.creator_ppm) {
			c->role[a] |= ROLE_CREATOR;
			nc++;
		}
		if (dn_bounded32(w[1], DNC_PPM) < c->cfg.recommender_ppm) {
			c->role[a] |= ROLE_RECOMMENDER;
			nr++;
		}
	}
	c->creators = malloc((nc ? nc : 1) * sizeof *c->creators);
	c->recs = malloc((nr ? nr : 1) * sizeof *c->recs);
	c->rec_cum = malloc((nr ? nr : 1) * sizeof *c->rec_cum);
	if (!c->creators || !c->recs || !c->rec_cum)
		return DN_ENOMEM;
	for (uint32_t a = 0; a < c->n; a++) {
		if (c->role[a] & ROLE_CREATOR)
			c->creators[c->n_creators++] = a;
		if (c->role[a] & ROLE_RECOMMENDER) {
			cum += c->off[a + 1] - c->off[a];
			c->recs[c->n_recs] = a;
			c->rec_cum[c->n_recs++] = cum;
		}
	}
	assert(c->n_creators == nc && c->n_recs == nr);
	return DN_OK;
}

/* ---------------------------------------------------- holdings and items */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static uint64_t hkey(uint32_t it, uint32_t agent)
{
	return mix64((uint64_t)it << 32 | agent);
}

/* The holding of (item, agent), or NONE32. */
static uint32_t hs_find(const dn_content *c, uint32_t it, uint32_t agent)
{
	uint64_t mask = c->hset_cap - 1, i = hkey(it, agent) & mask;
	for (;;) {
		uint32_t h = c->hset[i];
		if (h == NONE32)
			return NONE32;
		if (c->hold[h].item == it && c->hold[h].agent == agent)
			return h;
		i = (i + 1) & mask;
	}
}

static void hs_put(uint32_t *set, uint64_t cap, const chold *hd, uint32_t h)
{
	uint64_t mask = cap - 1, i = hkey(hd->item, hd->agent) & mask;
	while (set[i] != NONE32)
		i = (i + 1) & mask;
	set[i] = h;
}

/* Room for one more holding (array and set at load <= 1/2). No change on failure. */
static dn_rc hold_reserve(dn_content *c)
{
	assert(c->n_hold < c->cfg.max_holdings);
	if (c->n_hold == c->cap_hold) {
		uint64_t cap = (uint64_t)c->cap_hold * 2;
		chold *p;
		if (cap > c->cfg.max_holdings)
			cap = c->cfg.max_holdings;
		p = realloc(c->hold, cap * sizeof *p);
		if (!p)
			return DN_ENOMEM;
		c->hold = p;
		c->cap_hold = (uint32_t)cap;
	}
	if (2 * ((uint64_t)c->n_hold + 1) > c->hset_cap) {
		uint64_t cap = c->hset_cap * 2;
		uint32_t *set = malloc(cap * sizeof *set);
		if (!set)
			return DN_ENOMEM;
		memset(set, 0xff, cap * sizeof *set);
		for (uint32_t h = 0; h < c->n_hold; h++)
			hs_put(set, cap, &c->hold[h], h);
		free(c->hset);
		c->hset = set;
		c->hset_cap = cap;
	}
	return DN_OK;
}

static dn_rc item_reserve(dn_content *c)
{
	assert(c->n_items < c->cfg.max_items);
	if (c->n_items == c->cap_items) {
		uint64_t cap = (uint64_t)c->cap_items * 2;
		citem *p;
		if (cap > c->cfg.max_items)
			cap = c->cfg.max_items;
		p = realloc(c->items, cap * sizeof *p);
		if (!p)
			return DN_ENOMEM;
		c->items = p;
		c->cap_items = (uint32_t)cap;
	}
	return DN_OK;
}

/*
 * Record that agent holds item, bought from holding parent (NONE32 for the
 * origin). It offers the item if it is the origin, or chose to resell and
 * would sell with at most max_middlemen middlemen (depth - 1 of them).
 * hold_reserve must have succeeded.
 */
static uint32_t add_holding(dn_content *c, uint32_t it, uint32_t agent, uint32_t parent,
			    bool resell)
{
	uint32_t h = c->n_hold++;
	chold *hd = &c->hold[h];
	assert(h < c->cap_hold && 2 * (uint64_t)c->n_hold <= c->hset_cap);
	assert(hs_find(c, it, agent) == NONE32);
	hd->item = it;
	hd->agent = agent;
	hd->parent = parent;
	hd->depth = parent == NONE32 ? 0 : (uint16_t)(c->hold[parent].depth + 1);
	hd->offers = parent == NONE32 ||
		     (resell && hd->depth <= c->cfg.max_middlemen + 1); /* R-FWD-2 bound */
	hd->pad = 0;
	hd->next_offer = NONE32;
	if (hd->offers) {
		hd->next_offer = c->offer_head[agent];
		c->offer_head[agent] = h;
		c->items[it].last_offer = h;
		c->st.resellers++;
	}
	hs_put(c->hset, c->hset_cap, hd, h);
	c->items[it].holders++;
	c->st.holdings++;
	return h;
}

static dn_amount draw_price(const dn_content *c, uint32_t id)
{
	const dn_amount lo = c->cfg.price_min_base, hi = c->cfg.price_max_base;
	uint32_t w[4];
	double x;
	dn_amount p;
	if (lo == hi)
		return lo;
	dn_rng_block(c->cfg.seed, id, P_PRICE, 0, w);
	x = exp(c->log_pmin + dn_u01(w[0], w[1]) * (c->log_pmax - c->log_pmin));
	p = x >= (double)hi ? hi : (dn_amount)llround(x);
	return p < lo ? lo : p > hi ? hi : p;
}

/* ----------------------------------------------------------------- create */

double dn_content_footprint(const dn_content_cfg *cfg, double days)
{
	const double n = cfg->n, m = cfg->edges_per_node;
	/* the graph: offsets, both ends of each edge (plus the build's
	 * targets), a role and an offer list head per agent */
	double bytes = n * (sizeof(uint32_t) + 1 + sizeof(uint32_t)) + n * m * 3 * sizeof(uint32_t);
	double items = n * cfg->creator_ppm / 1e6 * cfg->items_per_creator_per_day * days;
	double holds = items + n * cfg->purchases_per_agent_per_day * days;
	items = fmin(items, cfg->max_items);
	holds = fmin(holds, cfg->max_holdings);
	/* growable arrays a third over their contents; the set at load <= 1/2 */
	bytes += items * sizeof(citem) * 4.0 / 3.0 + holds * (sizeof(chold) * 4.0 / 3.0 + 3 * sizeof(uint32_t));
	return bytes;
}

dn_rc dn_content_new(const dn_content_cfg *cfg, dn_content **out)
{
	dn_content *c;
	dn_rc rc;
	if (!out)
		return DN_EINVAL;
	*out = NULL;
	if (!cfg)
		return DN_EINVAL;
	rc = cfg_check(cfg);
	if (rc)
		return rc;
	c = calloc(1, sizeof *c);
	if (!c)
		return DN_ENOMEM;
	c->cfg = *cfg;
	c->n = cfg->n;
	rc = build_graph(c);
	if (!rc)
		rc = draw_roles(c);
	if (rc) {
		dn_content_free(c);
		return rc;
	}
	c->offer_head = malloc((size_t)c->n * sizeof *c->offer_head);
	c->cap_items = cfg->max_items < 1024 ? cfg->max_items : 1024;
	c->items = malloc((size_t)c->cap_items * sizeof *c->items);
	c->cap_hold = cfg->max_holdings < 1024 ? cfg->max_holdings : 1024;
	c->hold = malloc((size_t)c->cap_hold * sizeof *c->hold);
	c->hset_cap = 2048;
	c->hset = malloc(c->hset_cap * sizeof *c->hset);
	c->scratch = malloc((size_t)cfg->offer_scan * sizeof *c->scratch);
	if (!c->offer_head || !c->items || !c->hold || !c->hset || !c->scratch) {
		dn_content_free(c);
		return DN_ENOMEM;
	}
	memset(c->offer_head, 0xff, (size_t)c->n * sizeof *c->offer_head);
	memset(c->hset, 0xff, c->hset_cap * sizeof *c->hset);
	c->items_mean = (double)c->n_creators * cfg->items_per_creator_per_day *
			cfg->block_interval_s / DAY_S;
	c->buys_mean = (double)c->n * cfg->purchases_per_agent_per_day *
		       cfg->block_interval_s / DAY_S;
	if (cfg->price_min_base < cfg->price_max_base) {
		c->log_pmin = log((double)cfg->price_min_base);
		c->log_pmax = log((double)cfg->price_max_base);
	}
	c->st.n = c->n;
	c->st.edges = c->n_edges;
	c->st.creators = c->n_creators;
	c->st.recommenders = c->n_recs;
	for (uint32_t a = 0; a < c->n; a++) {
		uint32_t d = c->off[a + 1] - c->off[a];
		if (d > c->st.degree_max)
			c->st.degree_max = d;
	}
	c->st.degree_mean = 2.0 * (double)c->n_edges / (double)c->n;
	*out = c;
	return DN_OK;
}

void dn_content_free(dn_content *c)
{
	if (!c)
		return;
	free(c->off);
	free(c->adj);
	free(c->role);
	free(c->offer_head);
	free(c->creators);
	free(c->recs);
	free(c->rec_cum);
	free(c->items);
	free(c->hold);
	free(c->hset);
	free(c->scratch);
	free(c);
}

/* ------------------------------------------------------------------ block */

static bool holds(const dn_content *c, uint32_t agent, uint32_t it)
{
	return hs_find(c, it, agent) != NONE32;
}

/* Publications of one block: Poisson(items_mean) items from uniform creators. */
static dn_rc publish(dn_content *c, uint64_t height)
{
	dn_rng r;
	uint64_t k;
	dn_rng_init(&r, c->cfg.seed, (uint32_t)height, P_PUBLISH, height_base(height));
	if (c->n_creators == 0)
		return DN_OK;
	k = poisson(&r, c->items_mean);
	for (uint64_t i = 0; i < k; i++) {
		uint32_t creator = c->creators[uniform32(&r, c->n_creators)];
		uint32_t id;
		dn_rc rc;
		if (c->n_items >= c->cfg.max_items || c->n_hold >= c->cfg.max_holdings) {
			c->st.items_refused++;
			continue;
		}
		rc = item_reserve(c);
		if (!rc)
			rc = hold_reserve(c);
		if (rc)
			return rc;
		id = c->n_items++;
		c->items[id].price_base = draw_price(c, id);
		c->items[id].origin = creator;
		c->items[id].holders = 0;
		c->items[id].last_offer = NONE32;
		(void)add_holding(c, id, creator, NONE32, true);
		c->st.items++;
	}
	return DN_OK;
}

/* A recommender, degree-weighted, other than the buyer; NONE32 if none. */
static uint32_t pick_recommender(const dn_content *c, dn_rng *r, uint32_t buyer)
{
	uint64_t total = c->n_recs ? c->rec_cum[c->n_recs - 1] : 0;
	if (total == 0)
		return NONE32;
	for (uint32_t t = 0; t < REC_TRIES; t++) {
		uint64_t u = uniform64(r, total);
		uint32_t lo = 0, hi = c->n_recs - 1;
		while (lo < hi) { /* first i with rec_cum[i] > u */
			uint32_t mid = lo + (hi - lo) / 2;
			if (c->rec_cum[mid] > u)
				hi = mid;
			else
				lo = mid + 1;
		}
		assert(c->rec_cum[lo] > u);
		if (c->recs[lo] != buyer)
			return c->recs[lo];
	}
	return NONE32;
}

/*
 * Phase 2: the recommender finds an item anywhere (popularity-weighted: the
 * item of a uniform holding) that the buyer lacks; the seller is an
 * offering neighbour of the buyer if one turns up among recommend_scan
 * neighbours (from a random start), else the item's newest reseller.
 */
static uint32_t recommend(const dn_content *c, dn_rng *r, uint32_t buyer)
{
	uint32_t it = NONE32, deg, start;
	if (c->n_hold == 0)
		return NONE32;
	for (uint32_t t = 0; t < REC_TRIES && it == NONE32; t++) {
		uint32_t x = c->hold[uniform32(r, c->n_hold)].item;
		if (!holds(c, buyer, x))
			it = x;
	}
	if (it == NONE32)
		return NONE32;
	deg = c->off[buyer + 1] - c->off[buyer];
	start = deg ? uniform32(r, deg) : 0;
	for (uint32_t j = 0; j < deg && j < c->cfg.recommend_scan; j++) {
		uint32_t x = c->adj[c->off[buyer] + (uint32_t)(((uint64_t)start + j) % deg)];
		uint32_t h = hs_find(c, it, x);
		if (h != NONE32 && c->hold[h].offers)
			return h;
	}
	assert(c->items[it].last_offer != NONE32);
	return c->items[it].last_offer;
}

/*
 * Phase 1: ask up to neighbour_tries random neighbours; from the first one
 * offering something the buyer lacks (among its offer_scan newest offers),
 * take one of those items uniformly. The seller's holding, or NONE32.
 */
static uint32_t from_neighbour(dn_content *c, dn_rng *r, uint32_t buyer)
{
	uint32_t deg = c->off[buyer + 1] - c->off[buyer];
	if (deg == 0)
		return NONE32;
	for (uint32_t t = 0; t < c->cfg.neighbour_tries; t++) {
		uint32_t s = c->adj[c->off[buyer] + uniform32(r, deg)], nc = 0, h = c->offer_head[s];
		assert(s != buyer);
		for (uint32_t j = 0; j < c->cfg.offer_scan && h != NONE32; j++) {
			const chold *hd = &c->hold[h];
			assert(hd->agent == s && hd->offers);
			if (!holds(c, buyer, hd->item))
				c->scratch[nc++] = h;
			h = hd->next_offer;
		}
		if (nc)
			return c->scratch[uniform32(r, nc)];
	}
	return NONE32;
}

/* R-FWD-1: the chain O -> M1 .. Mk -> S is the tree path from the root to sh. */
static void fill_chain(const dn_content *c, uint32_t sh, dn_content_sale *s)
{
	uint32_t path[DNC_MAX_MIDDLEMEN + 2], d = c->hold[sh].depth, h = sh;
	assert(d <= c->cfg.max_middlemen + 1);
	for (uint32_t i = d + 1; i-- > 0;) {
		assert(h != NONE32 && c->hold[h].depth == i);
		path[i] = c->hold[h].agent;
		h = c->hold[h].parent;
	}
	assert(h == NONE32);
	s->origin = path[0];
	s->seller = path[d];
	s->n_middle = d ? d - 1 : 0;
	for (uint32_t i = 0; i < s->n_middle; i++)
		s->middle[i] = path[i + 1];
	assert(s->origin == c->items[c->hold[sh].item].origin);
}

static void add_sat(dn_amount *acc, dn_amount x)
{
	if (__builtin_add_overflow(*acc, x, acc))
		*acc = INT64_MAX;
}

/* Kept whole: one buy attempt per pass, its steps in the fixed order its random stream and the sale callbacks depend on. */
dn_rc dn_content_block(dn_content *c, uint64_t height,
		       bool (*sale)(void *ctx, const dn_content_sale *s), void *ctx)
{
	dn_rng r;
	uint64_t k;
	dn_rc rc;
	if (!c || !sale)
		return DN_EINVAL;
	c->st.blocks++;
	rc = publish(c, height);
	if (rc)
		return rc;
	dn_rng_init(&r, c->cfg.seed, (uint32_t)height, P_BUY, height_base(height));
	k = poisson(&r, c->buys_mean);
	for (uint64_t a = 0; a < k; a++) {
		/* one stream per attempt: an attempt's outcome never shifts the next one's draws */
		dn_rng ra;
		dn_content_sale s;
		uint32_t buyer, sh = NONE32, rec = NONE32;
		double u_rec, u_resell;
		bool paid;
		dn_rng_init(&ra, c->cfg.seed, (uint32_t)height, P_BUY,
			    height_base(height) + ((a + 1) << ATTEMPT_SHIFT));
		buyer = uniform32(&ra, c->n);
		u_rec = dn_rng_u01(&ra);
		u_resell = dn_rng_u01(&ra);
		c->st.attempts++;
		if (c->n_hold >= c->cfg.max_holdings) {
			c->st.refused_full++;
			continue;
		}
		if (c->n_recs && u_rec < c->cfg.recommend_probability) {
			rec = pick_recommender(c, &ra, buyer);
			if (rec != NONE32) {
				sh = recommend(c, &ra, buyer);
				if (sh == NONE32)
					rec = NONE32; /* nothing found: ask the neighbours instead */
			}
		}
		if (sh == NONE32)
			sh = from_neighbour(c, &ra, buyer);
		if (sh == NONE32) {
			c->st.no_offer++;
			continue;
		}
		rc = hold_reserve(c);
		if (rc)
			return rc;
		memset(&s, 0, sizeof s);
		s.buyer = buyer;
		s.item = c->hold[sh].item;
		s.price = c->items[s.item].price_base;
		s.recommender = rec;
		if (rec != NONE32) {
			dnc_rc frc = dnc_ppm_of(s.price, c->cfg.recommend_fee_ppm, &s.recommend_fee);
			assert(frc == DNC_OK); /* price >= 0, ppm <= 10^6: fee <= price */
			(void)frc;
		}
		fill_chain(c, sh, &s);
		assert(s.buyer != s.seller && s.buyer != s.origin);
		assert(c->hold[sh].offers && !holds(c, buyer, (uint32_t)s.item));
		c->st.offered++;
		paid = sale(ctx, &s);
		if (!paid) {
			c->st.unpaid++;
			continue;
		}
		(void)add_holding(c, (uint32_t)s.item, buyer, sh,
				  u_resell < c->cfg.resell_probability);
		c->st.sales++;
		if (s.seller == s.origin)
			c->st.direct_sales++;
		else
			c->st.forwarded_sales++;
		c->st.middlemen_sum += s.n_middle;
		if (s.n_middle > c->st.middlemen_max)
			c->st.middlemen_max = s.n_middle;
		if (rec != NONE32) {
			c->st.recommender_sales++;
			add_sat(&c->st.recommend_fees_base, s.recommend_fee);
		}
		add_sat(&c->st.volume_base, s.price);
	}
	return DN_OK;
}

/* ---------------------------------------------------------------- queries */

void dn_content_stats(const dn_content *c, struct dn_content_stats *out)
{
	*out = c->st;
	out->middlemen_mean = c->st.sales ? (double)c->st.middlemen_sum / (double)c->st.sales : 0;
}

size_t dn_content_bytes(const dn_content *c)
{
	size_t b = sizeof *c;
	b += ((size_t)c->n + 1) * sizeof *c->off + 2 * (size_t)c->n_edges * sizeof *c->adj;
	b += c->n;                                       /* role */
	b += (size_t)c->n * sizeof *c->offer_head;
	b += (size_t)c->n_creators * sizeof *c->creators;
	b += (size_t)c->n_recs * (sizeof *c->recs + sizeof *c->rec_cum);
	b += (size_t)c->cap_items * sizeof *c->items;
	b += (size_t)c->cap_hold * sizeof *c->hold;
	b += (size_t)c->hset_cap * sizeof *c->hset;
	b += (size_t)c->cfg.offer_scan * sizeof *c->scratch;
	return b;
}

uint32_t dn_content_degree(const dn_content *c, uint32_t a)
{
	return a < c->n ? c->off[a + 1] - c->off[a] : 0;
}

const uint32_t *dn_content_neighbours(const dn_content *c, uint32_t a, uint32_t *deg)
{
	if (a >= c->n) {
		*deg = 0;
		return NULL;
	}
	*deg = c->off[a + 1] - c->off[a];
	return c->adj + c->off[a];
}

bool dn_content_is_creator(const dn_content *c, uint32_t a)
{
	return a < c->n && (c->role[a] & ROLE_CREATOR);
}

bool dn_content_is_recommender(const dn_content *c, uint32_t a)
{
	return a < c->n && (c->role[a] & ROLE_RECOMMENDER);
}

bool dn_content_holds(const dn_content *c, uint32_t a, uint64_t item)
{
	return a < c->n && item < c->n_items && holds(c, a, (uint32_t)item);
}

bool dn_content_offers(const dn_content *c, uint32_t a, uint64_t item)
{
	uint32_t h;
	if (a >= c->n || item >= c->n_items)
		return false;
	h = hs_find(c, (uint32_t)item, a);
	return h != NONE32 && c->hold[h].offers;
}

dn_rc dn_content_item(const dn_content *c, uint64_t item, uint32_t *origin, dn_amount *price)
{
	if (!c || item >= c->n_items)
		return DN_EINVAL;
	if (origin)
		*origin = c->items[item].origin;
	if (price)
		*price = c->items[item].price_base;
	return DN_OK;
}
