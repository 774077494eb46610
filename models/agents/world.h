/*
 * world.h: the DNET world model (sim.model: world), internal to
 * models/agents.
 *
 * A square area cut into tiles; each tile is an engine partition holding
 * a contiguous range of agents. Agents carry roles (a bit set): consumers,
 * sharers, relays, holders who vote, delegate candidates, micro-site
 * owners, telecom operators and traders. Inside a tile everything is
 * events (requests, sessions, credentials, churn, hourly decisions), run
 * in parallel with the other tiles; nothing an agent does touches shared
 * state: transactions and market orders go into the tile's outbox with the
 * time they reach the block producers over the tile's backhaul.
 *
 * At every block boundary (the engine's sample callback, serial) the block
 * step takes every transaction that has arrived, lets the scheduled
 * delegate produce a block with the protocol library (dnc_chain_apply_tx,
 * dnc_chain_end_block), runs the market orders and content sales, and
 * sends receipts back to the tiles, which see them one backhaul delay
 * later. Network partitions split the producers into two sides: both
 * sides build blocks, the fork is resolved by R-CHAIN-4 when the network
 * heals, and only then are the winning blocks applied to the ledger.
 *
 * docs/agents.md describes every kind and its parameters.
 */
#ifndef DN_WORLD_H
#define DN_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "agents.h"
#include "dn_chain.h"
#include "dn_market.h"
#include "dn_net.h"
#include "engine.h"
#include "gini.h"
#include "match.h"
#include "metrics.h"
#include "rng.h"
#include "spatial.h"

typedef struct dn_content dn_content;

/* Roles (bits of the role column). */
enum {
	W_CONSUMER = 1u << 0,
	W_SHARER = 1u << 1,
	W_RELAY = 1u << 2,
	W_HOLDER = 1u << 3,    /* votes with its DNET (R-CONS-5) */
	W_CANDIDATE = 1u << 4, /* campaigns for a stake seat */
	W_SITE = 1u << 5,      /* owns a home node an operator may rent (R-RENT-1) */
	W_OPERATOR = 1u << 6,  /* telecom operator */
	W_TRADER = 1u << 7,
	W_TEAM = 1u << 8,      /* received the team allocation (R-SUP-2 alpha) */
	W_FRAUD = 1u << 9,     /* attempts fraud (sharer: bad credentials; consumer: stops signing) */
	W_MOMENTUM = 1u << 10, /* trader strategy: momentum (else value) */
};

/* Event types (handler indices). */
enum {
	EV_REQUEST = 0, /* dst: consumer agent (global id) */
	EV_TICK,        /* dst: session slot; data: generation */
	EV_BLOCKRX,     /* tile: receipts of the last block arrive */
	EV_CHURN,       /* dst: sharer or relay agent; toggles online */
	EV_HOUR,        /* tile: hourly decisions */
	EV_COUNT
};

/* Sharer pricing strategies. */
enum { PRICE_FIXED = 0, PRICE_UNDERCUT, PRICE_ADAPTIVE, PRICE_MIXED };

#define W_MAX_RELAYS 4
#define W_NONE UINT32_MAX

/* What a queued transaction is for (to route its receipt). */
enum {
	TX_OPEN = 1,
	TX_REDEEM,
	TX_REDEEM_FINAL,
	TX_CLOSE,
	TX_VOTE,
	TX_RENT,
	TX_UNLOCK,
	TX_RETRACT,
};

/* A transaction on its way to the producers. */
typedef struct wtx {
	dn_time_ns arrive, submit;
	uint32_t part, agent;   /* origin tile and sender */
	uint32_t slot, gen;     /* session slot (or site) and its generation */
	uint32_t purpose;       /* TX_* */
	uint32_t fraud;         /* 1: a fraud attempt (counted when rejected) */
	uint64_t seq;           /* per tile, for a total order */
	dnc_tx tx;
} wtx;

/* A receipt going back to a tile. */
typedef struct wrcpt {
	uint32_t purpose, agent, slot, gen;
	int32_t rc;             /* dnc_rc */
	uint32_t fraud;
	uint64_t value;         /* session id (open), units (redeem) */
	dn_amount amount;       /* paid / refunded */
} wrcpt;

/* A market order on its way to the exchange. */
typedef struct word {
	dn_time_ns arrive;
	uint32_t part, agent;
	uint32_t buy;           /* 1 buy DNET with USD, 0 sell DNET */
	uint32_t role;          /* dn_metrics_role of the flow */
	int64_t amount;         /* usd_micro (buy) or base units (sell) */
	uint64_t seq;
} word;

typedef struct wvec {
	void *v;
	size_t n, cap, size;
} wvec;

/* Session states. */
enum { S_FREE = 0, S_OPENING, S_ACTIVE, S_FINAL, S_CLOSING };

/* A consumer's session (slot in its tile's pool). */
typedef struct wsess {
	uint32_t state, gen;
	uint32_t consumer, provider, payee; /* agents; payee redeems (the provider's node) */
	uint32_t op;                 /* operator of a rented small cell, W_NONE otherwise */
	uint32_t n_relays;
	uint32_t relay[W_MAX_RELAYS];
	uint32_t fraud;              /* the provider tries a bad redeem; 2: the consumer stops signing */
	uint32_t redeems_in_flight;
	uint64_t chain_id;
	dn_time_ns t_request, t_start, t_last;
	uint64_t units_deposit, units_want, units_done, units_redeemed, units_reserved;
	double rate_bps, loss;
	dn_amount price_per_unit;
	dnc_credential cred;         /* latest signed by the consumer */
	dnc_credential cred_prev;    /* the one last sent for redemption */
	uint64_t cred_seq;
} wsess;

/* Per-tile state. */
typedef struct wpart {
	dn_metrics_part m;
	wvec out;     /* wtx */
	wvec in;      /* wrcpt, filled by the block step */
	wvec orders;  /* word */
	wvec sess;    /* wsess */
	wvec free_slots; /* uint32_t */
	wvec quits;      /* uint32_t: candidates that stop campaigning */
	dn_spatial *sx;  /* online sharers and rented sites of the tile (local ids) */
	dn_spatial *rx;  /* online relays (local ids) */
	dn_match *mt;
	uint64_t seq;
	uint32_t tile;
	uint64_t begin, end;   /* agents [begin, end) */
	int32_t x0, y0, w, h;  /* tile rectangle, cm */
	dn_time_ns delay;      /* one-way delay to the producers (backhaul) */
	int side;              /* 0 main, 1 cut off during a network partition */
	uint64_t hour;
	/* per-block counters, read by the block step */
	uint64_t requests, served, no_match, too_expensive, no_funds, rematches;
	uint64_t relayed_sessions;
	uint64_t units_delivered;
	double rate_sum, delay_sum, loss_sum; uint64_t rate_n;
	uint64_t sharers_online, sharers_active;
	uint64_t sites_rented;
	uint64_t demand_unmet_hour;   /* requests with no match in the last hour */
	uint64_t active_sessions;
	uint64_t unmet_last_hour;
	uint64_t slice, acc_online, acc_active;
	uint64_t del_cost_usd;   /* candidates' running cost paid, micro-USD, cumulative */
} wpart;

/* A block waiting to be applied (during a network partition). */
typedef struct wblock {
	uint64_t slot;
	uint32_t seat, side;
	dnc_hash id, parent;
	uint64_t traffic;
	size_t tx_begin, tx_end; /* into world.fork_txs */
	dn_time_ns t;
} wblock;

/* The world. */
typedef struct world {
	/* parameters */
	uint64_t n;
	double area_m;
	uint32_t tiles_x, tiles_y;
	dn_time_ns block_ns, end_ns;
	dnc_params cp;
	int keyed_sigs;
	bool cache_keys;
	/* consumers */
	double sessions_day_max, consumer_mib_day, pareto_alpha, diurnal, wtp_usd_gb, wtp_sigma;
	double cred_interval_s, consumer_usd_month, deposit_factor, session_mib_target;
	double airdrop_dnet;
	double free_rider_fraction;
	/* sharers */
	double sharer_quota_gb, sharer_price_usd_gb, sharer_cost_usd_month, sharer_range_m;
	double sharer_up_h, sharer_down_h, sharer_sell_fraction, sharer_join_ratio, sharer_leave_ratio;
	double degrade_prob;
	uint32_t sharer_max_sessions, price_strategy;
	dn_net_link_kind sharer_access;
	const dn_net_link_info *access;
	dn_net_calib calib;
	dn_net_mesh_cfg mcfg;
	double *cell_rate;     /* small cell: one user's rate (bit/s) per metre */
	uint32_t n_cell_rate;
	/* relays */
	uint32_t max_hops;
	double relay_range_m, relay_up_h, relay_down_h;
	/* delegates / holders */
	uint32_t candidates;
	double candidate_cost_usd_day, candidate_availability, candidate_sell_fraction, vote_fraction;
	double candidate_quit_ratio;
	double energy_kwh_day, usd_per_kwh, storage_usd_gb_month, campaign_usd_day, team_sell_fraction;
	dn_amount retract_base;
	/* sites / operators */
	uint32_t operators;
	double site_rent_usd_hour, operator_price_usd_gb, cell_range_m, cell_capacity_mbps;
	uint32_t cell_max_sessions;
	/* traders */
	double trader_usd, trade_prob_hour, trade_fraction, momentum_share;
	/* fraud */
	double fraud_fraction;
	/* network partition (forks) */
	dn_time_ns split_at, split_len;
	double split_share;
	/* role shares */
	double villages_km2, village_share, village_radius_m;
	double f_consumer, f_sharer, f_relay, f_holder, f_trader, f_site;
	bool check_ledger;
	uint64_t gini_interval;
	bool line;
	double line_spacing_m;

	/* engine */
	dn_world *w;
	int kind;
	uint32_t nparts;
	uint64_t seed;
	/* agent columns */
	uint16_t *role;
	int32_t *x, *y;
	float *demand;         /* consumer: MiB per day */
	float *wtp;            /* consumer: USD per GB it accepts */
	int64_t *usd;          /* usd_micro wallet */
	int64_t *price;        /* sharer/site: base units per unit */
	float *price_usd;      /* sharer: USD per GB it asks */
	uint32_t *quota;       /* sharer: units left this month */
	uint16_t *nsess;       /* sharer: sessions being served */
	uint8_t *online;
	uint8_t *stab;         /* sharer: stability, 0..255 */
	uint16_t *inflight;    /* transactions not yet receipted */
	uint32_t *sess_of;     /* consumer: its session slot + 1 (0 none) */
	int64_t *earned;       /* sharer/site/candidate: base units earned since the last hourly review */
	uint32_t *renter;      /* site: operator agent + 1 while rented, 0 otherwise */
	int64_t *ranked, *holding; /* Gini */
	int64_t *t_req;         /* consumer: when its current request began */
	uint8_t *sk;           /* cached secret keys (n x 64) or NULL */

	/* chain */
	dnc_sigscheme sig;
	dnc_chain *chain;
	dnc_acct acct0;        /* account of agent 0 */
	dnc_acct exchange;     /* holds the pool's DNET */
	dnc_hash last_hash;
	dnc_schedule sched;
	uint64_t epoch, slot;
	uint64_t blocks, missed;
	uint32_t *cand;        /* candidate agents */
	double *campaign;      /* per candidate: campaign spending, USD per day */
	double *campaign_cum;  /* cumulative campaign weights, for holders' sampling */
	uint64_t chain_bytes;  /* encoded size of the chain so far (headers + transactions) */
	uint32_t tx_size[DNC_TX_TYPE_END]; /* encoded size by type, once seen */
	uint8_t foundation_sk[DNC_SK_BYTES];
	uint32_t foundation_inflight;
	uint64_t retracts_sent;
	uint32_t *ops;         /* operator agents */
	uint32_t *sites;       /* site-owner agents, ascending */
	uint32_t n_sites;

	/* mempool (txs that have not reached a producer yet, or wait) */
	wvec pool, next_pool;
	wvec admin_q;          /* the foundation's retracts for the next block */
	/* confirmations: submit times of included txs per height ring */
	wvec conf[8];
	uint64_t conf_height[8];
	/* network partition */
	bool split_active, split_done;
	dn_time_ns split_t;
	dnc_forktree ft;
	wvec fork_blocks, fork_txs;
	dnc_hash tip[2];
	uint64_t forks, fork_blocks_dropped;
	/* market */
	dn_market *mkt;
	dn_market_path *path;
	dn_usd_micro price_now, price_prev, price_avg;
	double reward_per_unit;     /* traffic seats' block income per unit redeemed, base units (day average) */
	dn_amount traffic_reward_block;

	dn_market_stats mstats;
	/* content */
	dn_content *content;
	uint64_t content_sales, content_forwarded;
	bool content_err;        /* a content sale's metrics were out of range */
	/* metrics */
	dn_metrics met;
	dn_metrics_part blockm;   /* what the block step itself records */
	dn_gini gini;
	uint64_t tx_applied, tx_failed, tx_fail_rc[DNC_ERC_COUNT];
	uint64_t delegate_cost_usd;  /* cumulative, usd_micro */
	dn_amount delegate_income;   /* cumulative base units */
	uint64_t seats_traffic_held; /* seats held by sharers/operators (traffic) */
	/* series ids */
	int s[64];           /* series ids */
	uint64_t fingerprint;
} world;

/* helpers shared by the world files */
static inline void *wvec_at(const wvec *v, size_t i) { return (char *)v->v + i * v->size; }
DN_WUR dn_rc wvec_push(wvec *v, const void *item);
void wvec_free(wvec *v);

static inline dnc_acct w_acct(const world *W, uint32_t a) { return W->acct0 + a; }
static inline wpart *w_part(world *W, unsigned i) { return dn_part_model(dn_world_part(W->w, i)); }

DN_WUR dn_rc w_secret(const world *W, uint32_t a, uint8_t sk[DNC_SK_BYTES]);
/* A sharer's monthly quota in traffic units (R-SHARE-1), capped to fit 32 bits. */
uint32_t w_quota_units(const world *W);
DN_WUR dn_rc w_submit(world *W, dn_part *p, uint32_t agent, uint32_t purpose, uint32_t slot,
                      uint32_t gen, dnc_tx *tx, uint32_t fraud);
DN_WUR dn_rc w_order(world *W, dn_part *p, uint32_t agent, bool buy, int64_t amount, uint32_t role);
DN_WUR dn_rc w_block_step(world *W, dn_time_ns t);
dn_usd_micro w_price(const world *W);
/* DNET base units per unit of traffic for a USD price per GB at the market price. */
dn_amount w_unit_price(const world *W, double usd_per_gb);
extern const dn_handler_fn w_handlers[EV_COUNT];
DN_WUR dn_rc w_part_start(dn_part *p);
DN_WUR dn_rc w_index_sharer(world *W, wpart *P, uint32_t a);
/* Marks an account's holdings as changed (Gini, block step). */
DN_WUR dn_rc w_touch(world *W, dnc_acct acct);
/* The model's memory estimate (world_estimate.c); column_bytes is the
 * agent kind's bytes per agent. */
DN_WUR dn_rc w_estimate(const dn_scenario *s, size_t column_bytes, dn_estimate *e);

#endif
