/*
 * world_population.c: who the agents are and where they live, at set-up:
 * the agent store's columns, roles drawn by the fractions (or read from
 * world.layout line), positions (uniform or in settlements), each agent's
 * own draws (demand, accepted price, USD, asking price, stability), and
 * the placement of delegate candidates, operators and micro sites. The
 * chain's side of set-up (keys, accounts, allocation) is world_genesis.c;
 * what agents do later is in the actors' files.
 */
#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const dn_column_def world_columns[] = {
	{"role", sizeof(uint16_t), "role bits (docs/agents.md)"},
	{"x_cm", sizeof(int32_t), "position"},
	{"y_cm", sizeof(int32_t), "position"},
	{"demand", sizeof(float), "consumer: MiB wanted per day"},
	{"wtp", sizeof(float), "consumer: accepted USD per GB"},
	{"usd", sizeof(int64_t), "USD wallet, micro-USD"},
	{"price", sizeof(int64_t), "sharer: asking price, base units per traffic unit"},
	{"price_usd", sizeof(float), "sharer: asking price, USD per GB"},
	{"quota", sizeof(uint32_t), "sharer: units left this month"},
	{"nsess", sizeof(uint16_t), "sharer: sessions served now"},
	{"online", sizeof(uint8_t), "sharer/relay: 1 online and sharing"},
	{"stab", sizeof(uint8_t), "sharer: stability 0..255"},
	{"inflight", sizeof(uint16_t), "transactions sent, not yet receipted"},
	{"sess_of", sizeof(uint32_t), "consumer: session slot + 1"},
	{"earned", sizeof(int64_t), "earnings since the last hourly review, base units"},
	{"renter", sizeof(uint32_t), "site: operator + 1 while rented"},
	{"ranked", sizeof(int64_t), "holdings as last ranked for the Gini coefficient"},
	{"holding", sizeof(int64_t), "holdings (balance + locked), base units"},
	{"t_req", sizeof(int64_t), "consumer: when its current request began, ns"},
};

const dn_kind_def w_agent_kind = {
	"agent", world_columns, sizeof world_columns / sizeof world_columns[0], "DNET world agent",
};

/* The store's columns, in world_columns' order. */
static void bind_columns(world *W)
{
	dn_store *st = dn_world_store(W->w, W->kind);
	world_agents *A = &W->ag;
	A->role = dn_store_col(st, 0);
	A->x_cm = dn_store_col(st, 1);
	A->y_cm = dn_store_col(st, 2);
	A->demand_mib_day = dn_store_col(st, 3);
	A->wtp_usd_gb = dn_store_col(st, 4);
	A->usd_micro = dn_store_col(st, 5);
	A->price_base = dn_store_col(st, 6);
	A->price_usd_gb = dn_store_col(st, 7);
	A->quota_units = dn_store_col(st, 8);
	A->nsess = dn_store_col(st, 9);
	A->online = dn_store_col(st, 10);
	A->stab = dn_store_col(st, 11);
	A->inflight = dn_store_col(st, 12);
	A->sess_of = dn_store_col(st, 13);
	A->earned_base = dn_store_col(st, 14);
	A->renter = dn_store_col(st, 15);
	A->ranked_base = dn_store_col(st, 16);
	A->holding_base = dn_store_col(st, 17);
	A->t_req_ns = dn_store_col(st, 18);
}

/* Settlements of tile p: a Poisson count (at least one), uniform centres. */
static uint32_t draw_villages(const world_cfg *C, unsigned p, double ox, double oy, double tw, double th,
                              double vx[256], double vy[256])
{
	dn_rng r;
	dn_rng_init(&r, C->seed, p, PURPOSE_VILLAGE, 0);
	double mean = C->villages_km2 * tw * th / DN_UNITS_PER_MEGA, L = exp(-fmin(mean, 700)), prod = dn_rng_u01(&r);
	uint32_t nv = 0;
	while (prod > L && nv < 255) {
		nv++;
		prod *= dn_rng_u01(&r);
	}
	if (nv == 0)
		nv = 1;
	for (uint32_t k = 0; k < nv; k++) {
		vx[k] = ox + dn_rng_u01(&r) * tw;
		vy[k] = oy + dn_rng_u01(&r) * th;
	}
	return nv;
}

/* Uniform in the tile, or (world.village_share of agents) around a settlement. */
static void place_agent(world *W, uint64_t a, double ox, double oy, double tw, double th, const double *vx,
                        const double *vy, uint32_t nv)
{
	const world_cfg *C = &W->cfg;
	dn_rng r;
	dn_rng_init(&r, C->seed, (uint32_t)a, PURPOSE_POS, 0);
	double px = ox + dn_rng_u01(&r) * tw, py = oy + dn_rng_u01(&r) * th;
	if (nv && dn_rng_u01(&r) < C->village_share) {
		uint32_t k = dn_bounded32(dn_rng_u32(&r), nv);
		double u1 = dn_rng_u01(&r), u2 = dn_rng_u01(&r);
		double rad = C->village_radius_m * sqrt(-2.0 * log(1.0 - u1));
		px = fmin(fmax(vx[k] + rad * cos(2 * M_PI * u2), ox), ox + tw - 0.01);
		py = fmin(fmax(vy[k] + rad * sin(2 * M_PI * u2), oy), oy + th - 0.01);
	}
	W->ag.x_cm[a] = (int32_t)(px * 100.0);
	W->ag.y_cm[a] = (int32_t)(py * 100.0);
}

static uint16_t draw_role(const world_cfg *C, uint64_t a)
{
	dn_rng r;
	uint16_t role = 0;
	dn_rng_init(&r, C->seed, (uint32_t)a, PURPOSE_ROLE, 0);
	if (dn_rng_u01(&r) < C->f_consumer)
		role |= W_CONSUMER;
	if (dn_rng_u01(&r) < C->f_sharer)
		role |= W_SHARER;
	if (dn_rng_u01(&r) < C->f_relay)
		role |= W_RELAY;
	if (dn_rng_u01(&r) < C->f_holder)
		role |= W_HOLDER;
	if (dn_rng_u01(&r) < C->f_trader)
		role |= W_TRADER;
	if (dn_rng_u01(&r) < C->f_site)
		role |= W_SITE;
	if (role & W_SITE)
		role &= (uint16_t)~W_SHARER; /* a site owner's node is for rent, not shared */
	double u = dn_rng_u01(&r);
	if ((role & W_SHARER) && u < C->fraud_fraction)
		role |= W_FRAUD;
	else if ((role & W_CONSUMER) && !(role & W_SHARER) && u < C->free_rider_fraction)
		role |= W_FRAUD;
	if ((role & W_TRADER) && dn_rng_u01(&r) < C->momentum_share)
		role |= W_MOMENTUM;
	return role;
}

/* An agent's own draws, in one stream (the order of the draws is fixed). */
static void draw_agent(world *W, uint64_t a, uint16_t role)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	dn_rng r;
	dn_rng_init(&r, C->seed, (uint32_t)a, PURPOSE_DEMAND, 0);
	if (role & W_CONSUMER) {
		/* Pareto weights: mean alpha/(alpha-1); scale to the mean demand */
		double al = C->pareto_alpha;
		double wgt = w_pareto(&r, al, 1e5) * (al - 1.0) / al;
		A->demand_mib_day[a] = (float)(C->consumer_mib_day * wgt);
		A->wtp_usd_gb[a] = (float)w_lognormal(&r, C->wtp_usd_gb, C->wtp_sigma);
		A->usd_micro[a] = (int64_t)llround(dn_usd_micro_of_usd(C->consumer_usd_month) * dn_rng_u01(&r));
	}
	if (role & W_SHARER) {
		A->price_usd_gb[a] = (float)w_lognormal(&r, C->sharer_price_usd_gb, 0.3);
		A->quota_units[a] = w_quota_units(C);
		double up = C->sharer_up_h, down = C->sharer_down_h;
		double avail = up / (up + down) * (0.8 + 0.2 * dn_rng_u01(&r));
		A->stab[a] = (uint8_t)fmin(255, avail * 255.0);
		A->online[a] = dn_rng_u01(&r) < C->sharer_active_initial;
	}
	if (role & W_RELAY)
		A->online[a] |= W_ON_RELAY;
	if (role & W_TRADER)
		A->usd_micro[a] += (int64_t)llround(dn_usd_micro_of_usd(C->trader_usd) * (0.5 + dn_rng_u01(&r)));
}

/* Roles, positions and per-agent draws, tile by tile. Agents of tile p are its range. */
static void draw_agents(world *W)
{
	const world_cfg *C = &W->cfg;
	uint32_t gx = C->tiles_x;
	double tw = C->area_m / gx, th = C->area_m / C->tiles_y;
	for (unsigned p = 0; p < C->nparts; p++) {
		uint64_t b, e;
		dn_world_part_range(W->w, W->kind, p, &b, &e);
		double ox = (p % gx) * tw, oy = (p / gx) * th;
		double vx[256], vy[256];
		uint32_t nv = C->villages_km2 > 0 ? draw_villages(C, p, ox, oy, tw, th, vx, vy) : 0;
		for (uint64_t a = b; a < e; a++) {
			place_agent(W, a, ox, oy, tw, th, vx, vy, nv);
			uint16_t role = draw_role(C, a);
			W->ag.role[a] = role;
			draw_agent(W, a, role);
		}
	}
}

/* world.layout line: roles from world.line_roles, medians instead of draws. */
static void line_agents(world *W, const dn_scenario *s)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	const char *lr = dn_scn_str(s, "world.line_roles");
	for (uint64_t a = 0; a < C->n; a++) {
		char c = lr[a];
		uint16_t role = c == 'C' ? W_CONSUMER : c == 'S' ? W_SHARER : c == 'R' ? W_RELAY : c == 'H' ? W_HOLDER
		              : c == 'T' ? W_TRADER : c == 'W' ? W_SITE : c == 'D' ? (W_CANDIDATE | W_HOLDER)
		              : c == 'O' ? W_OPERATOR : 0;
		A->role[a] = role;
		A->x_cm[a] = (int32_t)llround(C->line_spacing_m * 100.0 * (double)a) + 100;
		A->y_cm[a] = 100;
		A->online[a] = (role & W_SHARER) ? W_ON_LINK : 0;
		if (role & W_RELAY)
			A->online[a] |= W_ON_RELAY;
		A->demand_mib_day[a] = (role & W_CONSUMER) ? (float)C->consumer_mib_day : 0;
		A->wtp_usd_gb[a] = (role & W_CONSUMER) ? (float)C->wtp_usd_gb : 0;
		A->usd_micro[a] = (role & W_CONSUMER) ? (int64_t)llround(dn_usd_micro_of_usd(C->consumer_usd_month)) : 0;
		if (role & W_SHARER) {
			A->price_usd_gb[a] = (float)C->sharer_price_usd_gb;
			A->quota_units[a] = w_quota_units(C);
			A->stab[a] = 255;
			A->online[a] |= W_ON_SHARING;
		}
	}
}

/* A candidate starts with 30 days of running cost in USD. */
static int64_t candidate_start_usd_micro(const world_cfg *C)
{
	/* one multiplication by 30e6, as it always was (not two) */
	return (int64_t)llround(C->candidate_cost_usd_day * (30.0 * DN_UNITS_USD_MICRO_PER_USD_F));
}

/* An operator's budget: a million USD. */
#define W_OPERATOR_USD_MICRO ((int64_t)1e12)

/* Candidates and operators: spread over the agents, distinct, not consumers
 * (in a line world: the D and O letters). */
static void place_candidates_operators(world *W)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	world_delegates *D = &W->dl;
	for (uint32_t i = 0; i < C->candidates && C->line; i++) {
		uint64_t a = 0, k = 0;
		for (a = 0; a < C->n; a++)
			if ((A->role[a] & W_CANDIDATE) && k++ == i)
				break;
		D->cand[i] = (uint32_t)a;
		A->usd_micro[a] = candidate_start_usd_micro(C);
		A->stab[a] = 255;
		D->campaign_usd_day[i] = C->campaign_usd_day;
	}
	for (uint32_t i = 0; i < C->operators && C->line; i++) {
		uint64_t a = 0, k = 0;
		for (a = 0; a < C->n; a++)
			if ((A->role[a] & W_OPERATOR) && k++ == i)
				break;
		W->ops.agents[i] = (uint32_t)a;
		A->usd_micro[a] = W_OPERATOR_USD_MICRO;
	}
	for (uint32_t i = 0; i < C->candidates && !C->line; i++) {
		uint32_t a = (uint32_t)(((uint64_t)i * C->n) / C->candidates);
		D->cand[i] = a;
		A->role[a] = (uint16_t)((A->role[a] & W_RELAY) | W_CANDIDATE | W_HOLDER);
		A->usd_micro[a] = candidate_start_usd_micro(C);
		/* reliability of the candidate's node: what holders look at */
		dn_rng r;
		dn_rng_init(&r, C->seed, a, PURPOSE_SHARER, 1);
		A->stab[a] = (uint8_t)(200 + dn_bounded32(dn_rng_u32(&r), 56));
		D->campaign_usd_day[i] = w_lognormal(&r, C->campaign_usd_day, 0.8);
	}
	for (uint32_t i = 0; i < C->operators && !C->line; i++) {
		uint32_t a = (uint32_t)(((uint64_t)i * C->n) / C->operators + C->n / (2 * (uint64_t)C->operators) + 1);
		if (A->role[a] & W_CANDIDATE)
			a++;
		W->ops.agents[i] = a;
		A->role[a] = W_OPERATOR;
		A->usd_micro[a] = W_OPERATOR_USD_MICRO;
	}
}

/* The site owners, ascending. */
static dn_rc list_sites(world *W)
{
	world_operators *O = &W->ops;
	O->n_sites = 0;
	for (uint64_t a = 0; a < W->cfg.n; a++)
		if (W->ag.role[a] & W_SITE)
			O->n_sites++;
	O->sites = calloc(O->n_sites ? O->n_sites : 1, sizeof *O->sites);
	O->owed_base = calloc(O->n_sites ? O->n_sites : 1, sizeof *O->owed_base);
	if (!O->sites || !O->owed_base)
		return DN_ENOMEM;
	O->n_sites = 0;
	for (uint64_t a = 0; a < W->cfg.n; a++)
		if (W->ag.role[a] & W_SITE)
			O->sites[O->n_sites++] = (uint32_t)a;
	return DN_OK;
}

/* net.access.mix: each sharer's link, drawn from its own stream; its
 * stability (what the matcher and consumers see) includes the link's
 * availability. */
static dn_rc draw_access(world *W)
{
	const world_cfg *C = &W->cfg;
	world_agents *A = &W->ag;
	if (C->mix_n == 0)
		return DN_OK;
	A->access = calloc(C->n ? C->n : 1, 1);
	if (!A->access)
		return DN_ENOMEM;
	for (uint64_t a = 0; a < C->n; a++) {
		if (!(A->role[a] & W_SHARER))
			continue;
		dn_rng r;
		dn_rng_init(&r, C->seed, (uint32_t)a, PURPOSE_ACCESS, 0);
		double u = dn_rng_u01(&r), cum = 0;
		uint32_t k = 0;
		while (k + 1 < C->mix_n && u >= (cum += C->mix_share[k]))
			k++;
		A->access[a] = (uint8_t)k;
		A->stab[a] = (uint8_t)((double)A->stab[a] * w_link_of(W, (uint32_t)a)->availability);
	}
	return DN_OK;
}

dn_rc w_make_population(world *W, const dn_scenario *s)
{
	const world_cfg *C = &W->cfg;
	dn_rc rc = dn_world_add_kind(W->w, &w_agent_kind, C->n, &W->kind);
	if (rc)
		return rc;
	bind_columns(W);
	W->dl.cand = calloc(C->candidates, sizeof *W->dl.cand);
	W->dl.campaign_usd_day = calloc(C->candidates, sizeof *W->dl.campaign_usd_day);
	W->dl.campaign_cum = calloc(C->candidates, sizeof *W->dl.campaign_cum);
	W->ops.agents = calloc(C->operators ? C->operators : 1, sizeof *W->ops.agents);
	if (!W->dl.cand || !W->ops.agents || !W->dl.campaign_usd_day || !W->dl.campaign_cum)
		return DN_ENOMEM;
	draw_agents(W);
	if (C->line)
		line_agents(W, s);
	place_candidates_operators(W);
	rc = draw_access(W);
	if (!rc) {
		W->ag.nrelay = calloc(W->cfg.n ? W->cfg.n : 1, sizeof *W->ag.nrelay);
		if (!W->ag.nrelay)
			rc = DN_ENOMEM;
	}
	if (!rc)
		rc = list_sites(W);
	if (rc)
		return rc;
	/* holders hear of candidates in proportion to their campaigns (plus a
	 * floor, so a silent candidate can still be found) */
	double cum = 0;
	for (uint32_t i = 0; i < C->candidates; i++) {
		cum += W->dl.campaign_usd_day[i] + 0.05 * C->campaign_usd_day + 1e-9;
		W->dl.campaign_cum[i] = cum;
	}
	return DN_OK;
}
