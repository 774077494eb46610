/*
 * world.h: the DNET world model (sim.model: world), private to
 * models/agents and its tests. Every world_*.c includes this header and
 * nothing of another world_*.c; docs/agents.md ("Code layout") says which file
 * holds which actor.
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
 * The world is its configuration (world_cfg: parameters and what is
 * derived from them, written by world_init only, read through a const
 * pointer afterwards) and its state grouped by owner. Every group is held
 * by value: the tiles' hot loops reach a column or a parameter with one
 * load, as before the split. Names carry their unit: _base (DNET base
 * units), _usd_micro, _usd, _ns, _s, _cm, _m; dn_units.h converts.
 */
#ifndef DN_WORLD_H
#define DN_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "agents.h"
#include "chain_rc.h"
#include "dn_chain.h"
#include "dn_market.h"
#include "dn_net.h"
#include "dn_units.h"
#include "engine.h"
#include "gini.h"
#include "match.h"
#include "metrics.h"
#include "rng.h"
#include "spatial.h"

typedef struct dn_content dn_content;
typedef struct dn_content_cfg dn_content_cfg;

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
	W_ATTACKER = 1u << 11, /* turned by attack.kind (world_attack.c): acts so only while the attack is on */
	W_HALO = 1u << 12,     /* world.cross_tiles: a sharer in another tile's halo (set by the first snapshot) */
};

/* Bits of the online column. */
enum {
	W_ON_LINK = 1u << 0,    /* sharer: its access link is up */
	W_ON_RELAY = 1u << 1,   /* relay: present in the tile */
	W_ON_SHARING = 1u << 2, /* sharer: chose to share */
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

/* Purposes of the set-up's rng streams (population, genesis, keys). */
enum { PURPOSE_ROLE = 0x57010, PURPOSE_POS, PURPOSE_DEMAND, PURPOSE_KEYS, PURPOSE_GENESIS,
       PURPOSE_VOTES, PURPOSE_SHARER, PURPOSE_SIGKEY, PURPOSE_VILLAGE, PURPOSE_FOUNDATION,
       PURPOSE_ATTACK, PURPOSE_ACCESS };
/* Purposes of the per-event rng streams in the tiles (w_ev_rng). */
enum { P_REQ = 0x57100, P_TICK, P_CHURN, P_HOUR, P_FRAUD, P_TRADE, P_VOTE, P_SIZE };
/* ... and in the block step. */
enum { P_PRODUCE = 0x57200, P_GOV_VOTE };

/* Sharer pricing strategies. */
enum { PRICE_FIXED = 0, PRICE_UNDERCUT, PRICE_ADAPTIVE, PRICE_MIXED };

#define W_MAX_RELAYS 4
#define W_CACHE_KEYS_MAX 200000 /* worlds up to this many agents keep their secret keys */
/* with Ed25519, up to this many (64 MB a million): deriving a key pair
 * again for every signature would double the cost of signing */
#define W_CACHE_KEYS_ED25519_MAX 2000000
/* keyed signatures: the block step checks a block's signatures in
 * parallel from this many transactions (world_block.c) */
#define W_KEYED_PRECHECK_MIN 48
/* the chain's session table holds this many days of sessions (with a
 * margin for peaks): a longer run reuses closed sessions' slots */
#define W_SESSION_TABLE_DAYS 7.0
static inline bool w_caches_keys(uint64_t n, bool keyed)
{
	return n <= W_CACHE_KEYS_MAX || (!keyed && n <= W_CACHE_KEYS_ED25519_MAX);
}
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
	TX_SWEEP,      /* a rented site's takings, owner -> operator (R-RENT-1) */
	TX_CONTENT,    /* a content purchase (R-FWD-1..3) */
	TX_RECOMMEND,  /* the buyer's fee to a recommender */
	TX_GOV,        /* a scheduled change's proposal or vote (R-GOV-1); slot = the change */
	TX_ATTACK,     /* the attacker's own accounts (world_attack.c); agent = its account index, slot = pair */
	TX_BRIBE,      /* a briber pays a voter (attack.kind bribe); slot = the voter agent */
	TX_XGRANT,     /* no transaction: the block step's answer to a request across tiles
	                  (world_cross.c); rc 0 granted, units reserved */
};

/* Receipts the tiles act on; the others concern only the block step. */
static inline bool w_purpose_for_tile(uint32_t purpose)
{
	return purpose <= TX_UNLOCK && purpose != TX_VOTE && purpose != TX_RENT;
}

/* A transaction on its way to the producers. */
typedef struct wtx {
	dn_time_ns arrive_ns, submit_ns;
	uint32_t part, agent;   /* origin tile and sender */
	uint32_t slot, gen;     /* session slot (or site) and its generation */
	uint32_t purpose;       /* TX_* */
	uint32_t fraud;         /* 1: a fraud attempt (counted when rejected) */
	uint32_t sign_late;     /* 1: sent for an agent of another tile (world.cross_tiles):
	                           numbered and signed by the block step (w_cross_sign) */
	uint64_t seq;           /* per tile, for a total order */
	dnc_tx tx;
} wtx;

/* A receipt going back to a tile. */
typedef struct wrcpt {
	uint32_t purpose, agent, slot, gen;
	int32_t rc;             /* dnc_rc */
	uint32_t fraud;
	uint64_t session_id;    /* open: the chain's session id */
	uint64_t units;         /* redeem: the credential's cumulative units */
	dn_amount moved_base;   /* paid / refunded / unlocked */
} wrcpt;

/* A market order on its way to the exchange: a buy spends usd_micro, a
 * sell offers base (the other is 0). */
typedef struct word {
	dn_time_ns arrive_ns;
	uint32_t part, agent;
	uint32_t buy;           /* 1 buy DNET with USD, 0 sell DNET */
	uint32_t role;          /* dn_metrics_role of the flow */
	dn_usd_micro usd_micro; /* buy: USD to spend */
	dn_amount base;         /* sell: DNET to sell */
	uint64_t seq;
} word;

/* Arrival order at the producers or the exchange: time, then tile, then
 * the tile's sequence (a total order: sequences are unique per tile). */
static inline int w_cmp_arrival(dn_time_ns ta, uint32_t pa, uint64_t sa, dn_time_ns tb, uint32_t pb, uint64_t sb)
{
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return sa < sb ? -1 : sa > sb;
}

typedef struct wvec {
	void *v;
	size_t n, cap, size;
} wvec;

/* Session states. S_ASKING: its provider stands in another tile; the
 * block step is asked to reserve it (world_cross.c). */
enum { S_FREE = 0, S_OPENING, S_ACTIVE, S_FINAL, S_CLOSING, S_ASKING };

/* A consumer's session (slot in its tile's pool). */
typedef struct wsess {
	uint32_t state, gen;
	uint32_t consumer, provider, payee; /* agents; payee redeems (the provider's node) */
	uint32_t op;                 /* operator of a rented small cell, W_NONE otherwise */
	uint32_t n_relays;
	uint32_t relay[W_MAX_RELAYS];
	uint32_t fraud;              /* the provider tries a bad redeem; 2: the consumer stops signing */
	uint32_t sybils, sybil_of;   /* attack.kind sybil: fake hops the open names after the real relays, and
	                                which turned relay's (its index in world_attack.agents) */
	uint32_t redeems_in_flight;
	uint32_t xh;                 /* world.cross_tiles: its provider's index in the tile's halo + 1
	                                (the provider stands in another tile); 0: in this tile */
	uint64_t chain_id;
	dn_time_ns t_request_ns, t_start_ns;
	uint64_t units_deposit, units_want, units_done, units_redeemed, units_reserved;
	double rate_bps, loss;
	double radio_bps;            /* the path's radio part alone (sharer.rate_follows_load) */
	double rate0_bps;            /* the rate it was matched at */
	double hop_bps[W_MAX_RELAYS + 1]; /* sharer.rate_follows_load: each radio hop's goodput
	                                alone, consumer side first (a rented cell's: the whole
	                                cell's); 0: not kept, radio_bps stands */
	double bits_done;            /* delivered up to t_rate_ns, since when rate_bps holds */
	dn_time_ns t_rate_ns;
	dn_amount price_per_unit_base;
	dnc_credential cred;         /* latest signed by the consumer */
	dnc_credential cred_prev;    /* the one last sent for redemption */
	uint64_t cred_seq;
} wsess;

/* world.cross_tiles (world_cross.c): a sharer of another tile within
 * reach of this one, as the block step last saw it, and what this tile
 * has asked of it since (pending, so that it does not ask twice for the
 * same room). */
typedef struct whalo {
	int64_t price_base;
	uint32_t quota_units;
	uint32_t pend_quota;
	uint16_t nsess, pend_sess;
	uint8_t sharing;    /* link up, sharing, not a rented cell */
	uint8_t stab;
	uint16_t pad;
} whalo;

/* A tile's request to the block step about a provider of another tile. */
enum { XM_REQUEST = 1, XM_RELEASE };
typedef struct wxmsg {
	uint32_t kind;         /* XM_* */
	uint32_t provider;     /* agent */
	uint32_t slot, gen;    /* the consumer's session */
	uint64_t units;        /* request: the units asked for (the offer needs this much quota) */
	uint64_t reserve;      /* request: quota to reserve (the deposit); release: quota back */
	dn_amount price_base;  /* request: the price the consumer accepted */
	dn_time_ns t_ns;       /* request: when the consumer asked */
} wxmsg;

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
	/* world.cross_tiles: the halo (other tiles' sharers within reach of
	 * the rectangle, global ids ascending), their state at the last block
	 * step (hs) and the index of those sharing then (hx, ids: halo index);
	 * written by the block step only */
	uint32_t nhalo;
	uint32_t *halo;
	whalo *hs;
	dn_spatial *hx;
	wvec xout;                   /* wxmsg, for the next block step */
	wvec xdirty;                 /* uint32_t: its own sharers in another tile's halo whose offer
	                                changed since the last snapshot (w_cross_touch) */
	wvec xpend;                  /* uint32_t: halo entries it has asked of since the last snapshot */
	uint64_t x_requests, x_granted, x_denied, x_left; /* run totals */
	uint64_t x_relayed;          /* of the granted, over relays of this tile (run total) */
	uint32_t x_open;             /* sessions of the tile with a provider in the halo (xh != 0) */
	uint64_t seq;
	uint32_t tile;
	uint64_t begin, end;   /* agents [begin, end) */
	int32_t x0_cm, y0_cm, w_cm, h_cm; /* tile rectangle */
	dn_time_ns delay_ns;   /* one-way delay to the producers (backhaul) */
	int side;              /* 0 main, 1 cut off during a network partition */
	uint64_t hour;
	/* per-block counters, read by the block step */
	uint64_t requests, served, no_match, too_expensive, no_funds, rematches;
	uint64_t rate_rematches;     /* of them, for a rate fallen under consumer.rematch_rate_share (run total) */
	uint64_t left_rematches;     /* re-matches the moment a node of the path left (run total) */
	uint64_t relayed_sessions;
	uint64_t units_delivered;
	double rate_sum_bps, delay_sum_s, loss_sum; uint64_t rate_n;
	uint64_t sharers_online, sharers_active;
	uint64_t sites_rented;
	uint64_t demand_unmet_hour;   /* requests with no match in the last hour */
	uint64_t active_sessions;
	uint64_t unmet_last_hour;
	uint64_t slice, acc_online, acc_active;
	uint64_t del_cost_usd_micro;  /* candidates' running cost paid, cumulative */
	/* rules §9 coverage (world_consumer.c): per local agent, the last block
	 * it had demand in (from 1) shifted left once, | 1 if served in it;
	 * consumers waiting for DNET with a retry pending (bit 0 of cov_wait:
	 * waiting, bit 1: listed in cov_waitq). Allocated at the first consumer. */
	uint32_t *cov_stamp;
	uint8_t *cov_wait;
	wvec cov_waitq;          /* uint32_t: local ids */
	uint32_t cov_block;      /* the block being counted, from 1 */
	uint64_t cov_demand, cov_served;
} wpart;

/* A block waiting to be applied (during a network partition). */
typedef struct wblock {
	uint64_t slot;
	uint32_t seat, side;
	dnc_hash id, parent;
	uint64_t traffic;
	size_t tx_begin, tx_end; /* into world.fk.txs */
	dn_time_ns t_ns;
} wblock;

/* ---- configuration: read-only after world_init ---- */

/* Scheduled changes of the economic arrangement, each voted through
 * governance (R-GOV-1, world_gov.c). */
#define W_GOV_CHANGES 4
enum { W_GOVP_NONE = 0, W_GOVP_COMMUNITY_FEE, W_GOVP_LAMBDA, W_GOVP_PRODUCER, W_GOVP_YEARS, W_GOVP_DELTA,
       W_GOVP_ADMIN };
typedef struct wgov_change {
	int param;            /* W_GOVP_* */
	double value;         /* in the scenario parameter's own unit */
	dn_time_ns at_ns;     /* when the proposal is sent (-1: never) */
	double support;       /* share of the stakers voting yes */
} wgov_change;

typedef struct world_cfg {
	/* engine */
	uint64_t seed;
	uint32_t nparts;
	dn_time_ns block_ns, end_ns;
	/* population and layout */
	uint64_t n;
	uint64_t network_n;      /* agents of the network the world stands for */
	double net_share;        /* n / network_n: network-wide stocks and flows are scaled by it */
	double area_m;
	uint32_t tiles_x, tiles_y;
	double villages_km2, village_share, village_radius_m;
	double f_consumer, f_sharer, f_relay, f_holder, f_trader, f_site;
	double fraud_fraction, free_rider_fraction;
	bool line;
	double line_spacing_m;
	uint32_t candidates, operators, team_holders;
	bool check_ledger;
	bool ledger_trace;        /* record.ledger_trace: the ledger_* series every block */
	uint64_t gini_interval_blocks;
	/* recording: per dn_metrics_group, blocks between writes and the name
	 * of the interval ("block", "epoch", "hour", "day"; the scenario's) */
	uint64_t rec_every[DN_METRICS_GROUPS];
	const char *rec_label[DN_METRICS_GROUPS];
	/* protocol */
	dnc_params cp;
	int keyed_sigs;
	bool cache_keys;
	dn_amount retract_base;
	dn_amount tx_fee_base;   /* R-FEE-1: fee of every transaction the world signs */
	dn_time_ns split_at_ns, split_len_ns; /* network partition (forks); split_at_ns -1: never */
	double split_share;
	bool fork_by_length;      /* chain.fork_choice length: the countermeasure to fabricated fork traffic */
	/* consumers */
	double sessions_day_max, consumer_mib_day, pareto_alpha, diurnal, wtp_usd_gb, wtp_sigma;
	double cred_interval_s, consumer_usd_month, deposit_factor, session_mib_target;
	double airdrop_dnet;
	/* sharers */
	double sharer_quota_gb, sharer_price_usd_gb, sharer_cost_usd_month, sharer_range_m;
	double sharer_up_h, sharer_down_h, sharer_sell_fraction, sharer_join_ratio, sharer_leave_ratio;
	double sharer_active_initial, degrade_prob;
	uint32_t sharer_max_sessions, price_strategy;
	bool rate_follows_load;      /* sharer.rate_follows_load */
	bool cross_tiles;            /* world.cross_tiles: matching and paths cross tile borders */
	bool sharer_keep_bond;       /* sharer.keep_bond */
	double rematch_rate_share;   /* consumer.rematch_rate_share */
	/* links and radio (world_params.c derives the ranges and the cell table) */
	dn_net_link_kind sharer_access;
	const dn_net_link_info *access;
	/* net.access.mix: each sharer's own link kind, drawn from this mix
	 * (mix_n 0: every sharer has net.access.kind) */
	uint32_t mix_n;
	dn_time_ns tile_latency_ns;  /* the sharers' access latency the tiles' delay to the
	                                producers adds: the link's, or the mix's mean */
	dn_net_link_kind mix_kind[DN_NET_LINK_COUNT];
	double mix_share[DN_NET_LINK_COUNT], mix_usd_month[DN_NET_LINK_COUNT];
	dn_net_calib calib;
	dn_net_mesh_cfg mcfg;
	double *cell_rate_bps; /* small cell: one user's rate per metre of distance */
	uint32_t n_cell_rate;
	/* relays */
	uint32_t max_hops;
	double relay_range_m, relay_up_h, relay_down_h;
	/* delegates and holders */
	double candidate_cost_usd_day, candidate_availability, candidate_sell_fraction, vote_fraction;
	double candidate_quit_ratio;
	double energy_kwh_day, usd_per_kwh, storage_usd_gb_month, campaign_usd_day, team_sell_fraction;
	/* sites and operators */
	double site_rent_usd_hour, operator_price_usd_gb, cell_range_m, cell_capacity_mbps;
	uint32_t cell_max_sessions;
	/* traders */
	double trader_usd, trade_prob_hour, trade_fraction, momentum_share;
	/* governance */
	wgov_change gov[W_GOV_CHANGES];
	/* attacks (world_attack.c, docs/attacks.md) */
	uint32_t attack_kind;        /* W_ATTACK_* */
	bool attack_on;              /* attack.active: false runs the paired honest twin */
	dn_time_ns attack_start_ns;
	uint32_t attack_pairs;       /* wash: Sybil consumer/distributor pairs; cheap/withhold: agents turned */
	uint64_t attack_units;       /* wash: units a session claims */
	dn_amount attack_price_base; /* wash/cheap: base units per unit (at least chain.score_min_price_base) */
	double attack_rate_bps;      /* wash: pace of the claimed units (0: redeemed at once) */
	double attack_sessions_day, attack_budget_usd, attack_node_usd_day, attack_withhold;
	double attack_bribe_share;   /* bribe: share of a briber's daily seat income paid to its voters */
	double attack_bribe_takers;  /* bribe: share of the holders who sell their vote */
	uint32_t attack_sybils;      /* sybil: fake identities each turned relay adds to the paths it is on */
	double attack_custody_share; /* custody: share of the plain holders whose DNET the exchange keeps */
	bool attack_fund_wallet;     /* wash, fork: one wallet of its own funds the pairs (attack.fund_from) */
	double detect_whale;         /* detector `whale`: flag candidates whose largest other voter gave more than this share */
	double detect_rate_bps;      /* detector `rate`: flag implied rates above this */
	double detect_price_ratio;   /* detector `price`: flag prices below the median over this */
	double detect_missed;        /* detector `missed`: flag producers missing more than this share */
	double detect_unpaid;        /* detector `unpaid`: flag consumers leaving more than this share of their deposits' units unredeemed */
	int detect_retract;          /* detect.retract: the detector R-ADMIN-1 acts on (DET_* of world_attack.c), -1 none */
} world_cfg;

/* Attack kinds (attack.kind). */
enum { W_ATTACK_NONE = 0, W_ATTACK_WASH, W_ATTACK_CHEAP, W_ATTACK_WITHHOLD, W_ATTACK_FRAUD, W_ATTACK_FORK, W_ATTACK_BRIBE,
       W_ATTACK_CARTEL, W_ATTACK_SYBIL, W_ATTACK_MIDDLE, W_ATTACK_CUSTODY };

/* ---- state, by owner ---- */

/* The agent columns (the engine's store, world_population.c). */
typedef struct world_agents {
	uint16_t *role;
	int32_t *x_cm, *y_cm;
	float *demand_mib_day;     /* consumer */
	float *wtp_usd_gb;         /* consumer: the price it accepts */
	int64_t *usd_micro;        /* USD wallet */
	int64_t *price_base;       /* sharer/site: base units per traffic unit */
	float *price_usd_gb;       /* sharer: what it asks */
	uint32_t *quota_units;     /* sharer: units left this month */
	uint16_t *nsess;           /* sharer/site: sessions being served */
	uint8_t *online;           /* W_ON_* bits */
	uint8_t *stab;             /* sharer: stability, 0..255 */
	uint16_t *inflight;        /* transactions not yet receipted */
	uint32_t *sess_of;         /* consumer: its session slot + 1 (0 none) */
	int64_t *earned_base;      /* sharer/site/candidate: earned since the last review */
	uint32_t *renter;          /* site: operator agent + 1 while rented, 0 otherwise */
	int64_t *ranked_base, *holding_base; /* Gini */
	int64_t *t_req_ns;         /* consumer: when its current request began */
	uint8_t *sk;               /* cached secret keys (n x DNC_SK_BYTES) or NULL */
	uint8_t *access;           /* sharer: index of its link in the cfg's net.access.mix (NULL: no mix);
	                              drawn from the seed at set-up, not in the store */
	uint32_t *nrelay;          /* relay: sessions routed through it now (not in the store) */
} world_agents;

struct world;

/* The chain: keys, ledger handles, production counters. */
typedef struct world_chain {
	dnc_sigscheme sig;
	dnc_chain *chain;
	dnc_acct acct0;        /* account of agent 0 */
	dnc_acct exchange;     /* holds the pool's DNET */
	dnc_hash last_hash;
	dnc_schedule sched;
	uint64_t epoch;
	uint64_t blocks, missed;
	dn_amount last_reward; /* minted by the last block of the main chain (R-EMIT-1) */
	uint64_t chain_bytes;  /* encoded size of the chain so far (headers + transactions) */
	uint32_t tx_size[DNC_TX_TYPE_END]; /* encoded size by type, once seen */
	uint8_t foundation_sk[DNC_SK_BYTES];
	uint32_t foundation_inflight;
	uint64_t retracts_sent;
	uint64_t tx_applied, tx_failed, tx_fail_rc[DNC_ERC_COUNT];
	uint64_t custody_moves;   /* the exchange's custody book (w_custody) */
	dn_amount custody_base;
	/* R-FEE-1/2, from the receipts of applied transactions, cumulative:
	 * the transactions' own fees, and the community fees on payments */
	dn_amount tx_fees_base, community_fees_base;
	/* An observer of every transaction the block step hands the chain,
	 * called just before (r == NULL) and just after (with the chain's
	 * result) it is applied by the block of time t_ns. NULL in runs; the
	 * tests use it to see money move inside the transactions. */
	void (*tx_hook)(void *ctx, const struct world *W, const struct wtx *q, dn_time_ns t_ns, dnc_rc rc,
	                const dnc_tx_receipt *r);
	void *tx_hook_ctx;
	/* Test hook: true skips the block step's parallel signature pre-pass
	 * (every transaction is then verified serially while applied); results
	 * must not change. false in runs. */
	bool no_precheck;
	/* With keyed signatures the pre-pass runs on blocks of at least this
	 * many arrived transactions, while the engine runs its windows on more
	 * than one thread (set at the world's start; tests lower it to reach
	 * the keyed pre-pass in a small world). */
	uint32_t keyed_precheck_min;
	/* Test hook: true runs the keyed pre-pass on the run's threads whatever
	 * the last window ran on (a small world's windows run on one). false
	 * in runs. */
	bool keyed_precheck_all_threads;
	uint64_t tx_prechecked; /* transactions applied with a pre-pass verdict */
} world_chain;

/* The mempool: transactions that have not reached a producer yet, or wait. */
typedef struct world_mempool {
	wvec pool, next_pool;
	wvec admin_q;          /* the foundation's retracts for the next block */
	wvec conf[8];          /* submit times of included txs, per height ring (confirmations) */
	wvec conf_open[8];     /* w_open_conf of included session opens, the same ring (R-CHAIN-5) */
	/* the block's signature verdicts, indexed like pool (produce_precheck);
	 * grows with the pool, freed with the world */
	dnc_tx_verdict *verdict;
	size_t verdict_cap;
	/* w_pool_sort's scratch: the keys sorted, and the pool copied once
	 * in their order (a wtx is over a kilobyte) */
	struct wkey *keys;
	size_t keys_cap;
	wvec sorted;
} world_mempool;

/* A session open on the chain, for the three R-CHAIN-5 latencies recorded
 * when it is final: when the consumer asked, when the distributor starts
 * on grace units (R-CRED-5: the open is sent), when the tile sees the
 * open included. */
typedef struct w_open_conf {
	dn_time_ns request_ns, grace_ns, incl_ns;
	uint32_t part;
} w_open_conf;

/* A network partition and the fork it makes (R-CHAIN-4). */
typedef struct world_forks {
	bool split_active, split_done;
	dn_time_ns split_t_ns;
	dnc_forktree ft;
	wvec blocks, txs;      /* wblock, wtx */
	dnc_hash tip[2];
	uint64_t forks, blocks_dropped;
} world_forks;

/* Delegate candidates and what seats earn. */
typedef struct world_delegates {
	uint32_t *cand;             /* candidate agents, ascending */
	double *campaign_usd_day;   /* per candidate */
	double *campaign_cum;       /* cumulative campaign weights, for holders' sampling */
	uint64_t cost_usd_micro;    /* candidates' running cost, cumulative */
	dn_amount income_base;      /* delegates' block income, cumulative */
	uint64_t seats_traffic_held; /* seats held by sharers/operators (traffic) */
	uint64_t blocks_at_payout;   /* chain.seat_payout epoch: W->ch.blocks at the last payout */
	double reward_per_unit_base; /* traffic seats' block income per unit redeemed (day average) */
	dn_amount traffic_reward_block_base;
	/* delegates' income by seat kind, cumulative (stake + traffic = income_base) */
	dn_amount income_stake_base, income_traffic_base;
	/* seat i is its account's first seat in the set installed at epoch
	 * seat_first_epoch (an agent holding several seats is credited once) */
	bool seat_first_valid;
	uint64_t seat_first_epoch;
	uint8_t seat_first[DNC_MAX_DELEGATES];
	/* the same epoch's seats by account: seat i's account's first seat,
	 * and the next seat after i of that account (ds->n: none) */
	uint16_t seat_head[DNC_MAX_DELEGATES], seat_next[DNC_MAX_DELEGATES];
	/* per candidate (index into cand): income from seats, cumulative, in
	 * base units and valued at the price of the block it was earned in;
	 * running cost paid (world_delegate.c); a scratch copy for quantiles */
	dn_amount *cand_income_base;
	double *cand_income_usd;
	int64_t *cand_cost_usd_micro;
	double *cand_scratch;
} world_delegates;

/* Operators and the micro sites they may rent (R-RENT-1). */
typedef struct world_operators {
	uint32_t *agents;      /* operator agents */
	uint32_t *sites;       /* site-owner agents, ascending */
	uint32_t n_sites;
	dn_amount *owed_base;  /* per site: takings its owner holds for the operator */
} world_operators;

/* The exchange. */
typedef struct world_market {
	dn_market *mkt;
	dn_market_path *path;
	dn_usd_micro price_usd_micro, price_prev_usd_micro, price_avg_usd_micro; /* per DNET */
	dn_market_stats stats;
} world_market;

/* Content sales (R-FWD); the graph is content.c's. */
typedef struct world_content {
	dn_content *graph;     /* NULL: content.enabled is false */
	uint64_t sales, forwarded; /* purchases paid on chain, of which forwarded */
	uint64_t unpaid;       /* purchases whose CONTENT transaction the chain refused */
	wvec pending;          /* w_spend: what this block's purchases will take, per buyer */
} world_content;

/* The attacker (world_attack.c): its own accounts (wash), the agents it
 * turned (cheap, withhold), what it paid and earned, and what the
 * detectors saw on chain. */
typedef struct watt_pair {
	uint32_t state;              /* WA_* (world_attack.c) */
	uint64_t session_id;
	uint64_t units;              /* what the session claims */
	dn_time_ns redeem_ns;        /* paced: its credential is redeemed at or after this */
	dn_time_ns next_ns;          /* the next session opens at or after this */
} watt_pair;

/* What the detectors see of one account, from the chain alone. */
typedef struct wdet_acct {
	uint64_t units;              /* units redeemed as distributor */
	double price_units;          /* sum of price x units (units-weighted mean price) */
	double max_rate_bps;         /* highest rate a session's redeemed units imply since its open */
	uint32_t scheduled, missed;  /* producer slots scheduled and missed */
	uint32_t refused;            /* redeems it sent that the chain refused (R-CRED-7) */
	double sent, to_voters;      /* DNET it transferred, and to accounts voting for it */
	uint32_t relayed, with_partner, partner; /* sessions it relays, those beside its first neighbour (account + 1) */
	uint64_t bought, settled;    /* as consumer: units its closed sessions' deposits bought, and were redeemed */
} wdet_acct;

/* A session's open as the chain recorded it, by session slot. */
typedef struct wdet_open {
	int64_t open_s;
	uint64_t units;              /* redeemed so far */
} wdet_open;

typedef struct world_attack {
	dnc_acct acct0;              /* wash: distributors acct0 .. +pairs, then consumers */
	uint32_t n_acct;
	uint8_t *sk;                 /* their secret keys (n_acct x DNC_SK_BYTES) */
	uint32_t *inflight;          /* per account: transactions not yet applied */
	watt_pair *pair;
	uint32_t *agents;            /* cheap/withhold: the agents turned, ascending */
	uint32_t n_agents;
	wvec out;                    /* wtx: sent by the attacker, to the mempool after the block */
	uint64_t seq;
	bool funded;
	dn_amount bought_base;       /* DNET bought with the budget */
	dn_amount fees_base;         /* transaction and community fees its transactions paid */
	dn_amount seat_income_base;  /* what its seats earned */
	double spent_usd;            /* USD converted to DNET */
	double node_cost_usd;        /* its nodes' running cost so far */
	uint64_t sessions, tx_failed, seat_blocks;
	uint64_t withheld;           /* slots a turned producer skipped on purpose */
	uint64_t retracts;           /* R-ADMIN-1 retracts sent on a detector's flag */
	uint64_t fork_claimed;       /* fork: units its redeems claimed on the partition's side 1 */
	uint64_t fork_tx_dropped;    /* honest transactions in blocks of the losing branch (sent back to the mempool) */
	uint64_t fork_won;           /* partitions side 1 won */
	dn_amount retracted_base, retracted_honest_base; /* ... what they asked for, from the attacker and the honest */
	dn_amount custody_base;      /* custody: the customers' DNET its wallets received at genesis */
	uint32_t customers;          /* custody: holders whose DNET it keeps */
	/* detection (allocated when attack.kind is set) */
	wdet_acct *det;
	uint32_t n_det;
	wdet_open *open;
	uint32_t n_open;
} world_attack;

/* One world series' aggregate over its group's interval (world.c). */
typedef struct wagg {
	double fsum, fmin, fmax, flast, num, den;
	int64_t isum, imin, imax, ilast;
	uint64_t n, nf;            /* blocks counted (for a float series: not NaN) */
} wagg;

/* record.ledger_trace: the classes of accounts whose balances and hashes
 * the ledger_* series hold (w_trace_class). */
enum { W_TRACE_CLASSES = 11, W_TRACE_SERIES = 2 + 2 * W_TRACE_CLASSES };

/* What the world records. */
typedef struct world_record {
	dn_metrics met;
	dn_metrics_part blockm;   /* what the block step itself records */
	dn_gini gini;
	int series[64];           /* series ids */
	int series_min[64], series_max[64]; /* <name>_min / _max over an interval longer than a block; -1: none */
	wagg agg[64];             /* each series since its group's last write */
	uint64_t fingerprint;
	/* R-CHAIN-5: request to first byte of the purchases final in the
	 * block, if the distributor serves on grace units, waits for the open's
	 * inclusion, or for its finality (W_TTFB_*): the block's and the run's */
	dn_hist ttfb[3], ttfb_run[3];
	dn_time_ns step_ns;       /* the block step running (a fork's blocks apply later than their slot) */
	int trace[W_TRACE_SERIES]; /* record.ledger_trace: the ledger_* series ids (hash, classes, supply) */
} world_record;

enum { W_TTFB_GRACE = 0, W_TTFB_INCLUSION, W_TTFB_FINAL };

/* world.cross_tiles: where each halo member appears (world_cross.c). */
typedef struct wxref {
	uint32_t agent, part, h;
} wxref;
typedef struct world_cross {
	bool ready;          /* the first (full) snapshot is taken */
	bool verify;         /* test hook: compare every snapshot with the live state (false in runs) */
	uint32_t nref;
	wxref *ref;          /* by agent, then tile */
} world_cross;

/* The world. */
/* What became of each scheduled change (world_gov.c). */
enum { W_GOV_WAITING = 0, W_GOV_SENT, W_GOV_VOTING, W_GOV_PASSED, W_GOV_FAILED, W_GOV_REFUSED };
typedef struct wgov_state {
	uint32_t stage;            /* W_GOV_* */
	int32_t refused_rc;        /* the chain's reason when the proposal was refused */
	uint64_t id;               /* the chain's proposal id */
	int64_t chain_value;       /* what the proposal carries, in the chain's unit */
	uint64_t votes_sent, votes_refused;
	dn_amount yes, no, all;    /* weights at the tally */
	dn_time_ns tally_ns;       /* when it was tallied (-1: not yet) */
} wgov_state;
typedef struct world_gov {
	wgov_state c[W_GOV_CHANGES];
	uint64_t passed, failed;   /* proposals tallied */
} world_gov;

typedef struct world {
	world_cfg cfg;
	dn_world *w;
	int kind;
	world_agents ag;
	world_chain ch;
	world_mempool mp;
	world_forks fk;
	world_delegates dl;
	world_operators ops;
	world_market mk;
	world_content ct;
	world_record rec;
	world_gov gv;
	world_attack at;
	world_cross cx;
} world;

/* ---- helpers (world_util.c) ---- */

static inline void *wvec_at(const wvec *v, size_t i) { return (char *)v->v + i * v->size; }
DN_WUR dn_rc wvec_push(wvec *v, const void *item);
/* A new last item, uninitialised, to be filled in place (no copy of it
 * through the stack); NULL without memory. */
void *wvec_add(wvec *v);
void wvec_free(wvec *v);
/* The index of a in the ascending list v[0..n), W_NONE if it is not there. */
uint32_t w_find_sorted(const uint32_t *v, uint32_t n, uint32_t a);

static inline dnc_acct w_acct(const world *W, uint32_t a) { return W->ch.acct0 + a; }
static inline wpart *w_part(world *W, unsigned i) { return dn_part_model(dn_world_part(W->w, i)); }
static inline world *w_of(dn_part *p) { return dn_world_model(dn_part_world(p)); }
/* A site an operator rents now: it serves as a small cell. */
static inline bool w_is_rented_site(const world *W, uint32_t a)
{
	return (W->ag.role[a] & W_SITE) && W->ag.renter[a];
}
/* A sharer's access link (net.access.mix), and what it costs a month. */
static inline const dn_net_link_info *w_link_of(const world *W, uint32_t a)
{
	return W->ag.access ? dn_net_link(W->cfg.mix_kind[W->ag.access[a]]) : W->cfg.access;
}
static inline double w_link_usd_month(const world *W, uint32_t a)
{
	return W->ag.access ? W->cfg.mix_usd_month[W->ag.access[a]] : W->cfg.sharer_cost_usd_month;
}
/* ... and how long its link stays down on average: sharer.downtime_mean_h,
 * lengthened so that the link's availability multiplies the sharer's own. */
static inline double w_link_down_h(const world *W, uint32_t a)
{
	const world_cfg *C = &W->cfg;
	if (!W->ag.access)
		return C->sharer_down_h;
	double avail = C->sharer_up_h / (C->sharer_up_h + C->sharer_down_h) * w_link_of(W, a)->availability;
	return C->sharer_up_h * (1.0 / avail - 1.0);
}
static inline dn_amount w_balance(const world *W, uint32_t a)
{
	return dnc_ledger_balance(dnc_chain_ledger_c(W->ch.chain), w_acct(W, a));
}

/* The 32-byte key seed of `entity` for `purpose` from the world's seed. */
void w_key_seed(uint64_t seed, uint32_t entity, uint32_t purpose, uint8_t out[32]);
/* An agent's secret key (cached for small worlds, else derived again). */
DN_WUR dn_rc w_secret(const world *W, uint32_t a, uint8_t sk[DNC_SK_BYTES]);
/* An rng stream for one event of one entity (streams of different events
 * never overlap: 64 blocks per nanosecond of time). */
void w_ev_rng(const world_cfg *C, dn_rng *r, uint32_t entity, uint32_t purpose, dn_time_ns t);
double w_expo(dn_rng *r, double mean);
/* Pareto(alpha) with minimum 1, capped; log-normal around a median. */
double w_pareto(dn_rng *r, double alpha, double cap);
double w_lognormal(dn_rng *r, double median, double sigma);
/* R-EMIT-5: OUT *ceiling, the share of all DNET traffic originates once
 * the emission is done with producers taking turns evenly, (1 - E0)(1 -
 * lambda); OUT *bound, the worst case, every block produced by a traffic
 * seat (world.c, "the summary", says why). */
void w_dtoken_ceiling(const dnc_params *cp, double *ceiling, double *bound);
/* The market price, never 0. */
dn_usd_micro w_price(const world *W);
/* DNET base units per unit of traffic for a USD price per GB at the market price. */
dn_amount w_unit_price(const world *W, double usd_per_gb);
/* A sharer's monthly quota in traffic units (R-SHARE-1), capped to fit 32 bits. */
uint32_t w_quota_units(const world_cfg *C);
/* Marks an account's holdings as changed (Gini, block step). */
DN_WUR dn_rc w_touch(world *W, dnc_acct acct);
/* Brings the marked agents' holdings up to date in the Gini structure. */
void w_gini_commit(world *W);
/* A protocol-library failure during set-up / in the block step, as the world's error. */
DN_WUR dn_rc w_setup_fail(world *W, const char *what, dnc_rc rc);
DN_WUR dn_rc w_block_fail(world *W, const char *what, dnc_rc rc);
/*
 * Signs tx (type and payload set) as agent's next transaction (its ledger
 * nonce plus its transactions in flight) and appends it to `into` as sent
 * from tile P at t, arriving after the tile's backhaul delay. DN_EINVAL if
 * signing failed; the caller says so in its own error.
 */
DN_WUR dn_rc w_queue_signed(world *W, wvec *into, wpart *P, dn_time_ns t, uint32_t agent, uint32_t purpose,
                            uint32_t slot, uint32_t gen, uint32_t fraud, dnc_tx *tx);
/* ... its two halves: tx numbered as agent's next transaction, signed
 * and counted in flight (DN_EINVAL if signing failed); and tx appended to
 * `into` as sent from tile P at t (sign_late: not signed yet, see
 * w_cross_sign). */
DN_WUR dn_rc w_sign_next(world *W, uint32_t agent, dnc_tx *tx);
DN_WUR dn_rc w_queue_tx(wvec *into, wpart *P, dn_time_ns t, uint32_t agent, uint32_t purpose, uint32_t slot,
                        uint32_t gen, uint32_t fraud, uint32_t sign_late, const dnc_tx *tx);
/* A queued transaction copied, or appended to a vector of them, with the
 * bytes its type uses (dnc_tx_copy): a wtx is sized for the longest
 * payload, over a kilobyte, and most use a sixth of that or less. */
void w_wtx_copy(wtx *dst, const wtx *src);
DN_WUR dn_rc w_wtx_push(wvec *v, const wtx *q);

/* R-ADMIN-1: the foundation's retract of v base units from `target`
 * (reason: 1 credential fraud, 2 a detector's flag), for the next block,
 * as if from tile `part` at t. */
DN_WUR dn_rc w_send_retract(world *W, dnc_acct target, dn_amount v, uint32_t reason, uint32_t part, dn_time_ns t);

/* ---- the parameters (world_params.c) ---- */

/* The table's length: the definition must agree (the compiler checks). */
#define W_N_PARAMS 179
/* record.*: how many blocks group g (dn_metrics_group) waits between
 * writes; *label (may be NULL) gets "block", "epoch", "hour" or "day". */
uint64_t w_record_every(const dn_scenario *s, int g, const char **label);
extern const dn_param_def w_param_defs[W_N_PARAMS];
DN_WUR dn_rc w_read_params(world *W, const dn_scenario *s);
/* Links, radio ranges and the small-cell table, from the parameters. */
DN_WUR dn_rc w_derive_radio(world *W, const dn_scenario *s);
/* net.access.mix ("kind:share[:usd_month], ..."; shares summing to 1;
 * a missing cost is default_usd_month) into C's mix; "" is no mix. On
 * an error, err says why (C's mix is then empty). */
DN_WUR dn_rc w_access_mix_parse(const char *text, double default_usd_month, world_cfg *C, char *err, size_t errlen);
double w_ppm_of(const dn_scenario *s, const char *name);

/* ---- set-up (world_population.c, world_genesis.c) ---- */

extern const dn_kind_def w_agent_kind;
DN_WUR dn_rc w_make_population(world *W, const dn_scenario *s);
DN_WUR dn_rc w_make_genesis(world *W, const dn_scenario *s);

/* ---- a tile (world_tile.c) ---- */

extern const dn_handler_fn w_handlers[EV_COUNT];
DN_WUR dn_rc w_part_start(dn_part *p);
/* Tile i's rectangle (cm). */
void w_tile_rect(const world_cfg *C, unsigned i, int32_t *x0, int32_t *y0, int32_t *w, int32_t *h);
DN_WUR dn_rc w_submit(world *W, dn_part *p, uint32_t agent, uint32_t purpose, uint32_t slot,
                      uint32_t gen, dnc_tx *tx, uint32_t fraud);

/* ---- consumers (world_consumer.c) ---- */

DN_WUR dn_rc w_consumer_start(world *W, dn_part *p, uint32_t a);
DN_WUR dn_rc w_ev_request(dn_part *p, const dn_event *ev);
/* Re-match a consumer at t (R-CRED-3): a request for the `units` left,
 * avoiding the old provider (nothing if no units are left). */
DN_WUR dn_rc w_consumer_rematch(dn_part *p, uint32_t a, uint64_t units, uint32_t old_provider, dn_time_ns t);
/* Ask again for `units` at t (a failed open). */
DN_WUR dn_rc w_consumer_retry(dn_part *p, uint32_t a, uint64_t units, dn_time_ns t);
/* rules §9 coverage: consumer a (of tile P) had demand in this block, and
 * was served (got traffic, or a session of it is active) if `served`. */
void w_cov_mark(wpart *P, uint32_t a, bool served);
/* At the block boundary (serial): adds the sessions being opened (demand)
 * or served, and the consumers waiting for DNET (demand); OUT the block's
 * distinct consumers served and with demand; starts the next block. */
DN_WUR dn_rc w_cov_close(wpart *P, uint64_t *served, uint64_t *demand);
/* ... a consumer starts (waiting) or stops waiting for the DNET it bought. */
DN_WUR dn_rc w_cov_wait(wpart *P, uint32_t a, bool waiting);

/* ---- sharers (world_sharer.c) ---- */

/* R-CRED-3 over the tile's sharers (and with world.cross_tiles the
 * halo's) from (x, y) for `self`, excluding agent `exclude` (or W_NONE):
 * OUT the provider agent or W_NONE, *xh its halo index + 1 if it stands
 * in another tile (else 0). */
DN_WUR dn_rc w_match_at(const world *W, wpart *P, uint32_t self, int32_t x_cm, int32_t y_cm,
                        uint64_t units, uint32_t exclude, uint32_t *provider, uint32_t *xh, uint32_t *examined);
DN_WUR dn_rc w_index_sharer(const world *W, wpart *P, uint32_t a);
DN_WUR dn_rc w_sharer_start(world *W, dn_part *p, wpart *P, uint32_t a, dn_rng *r);
/* Churn (EV_CHURN): the new state, *mean_h its mean duration in hours. */
DN_WUR dn_rc w_sharer_churn(world *W, wpart *P, uint32_t a, double *mean_h);
DN_WUR dn_rc w_sharer_hour(world *W, dn_part *p, wpart *P, uint32_t a, dn_time_ns now);

/* ---- relays and paths (world_relay.c) ---- */

typedef struct w_path {
	uint32_t provider;          /* agent */
	uint32_t xh;                /* the provider's halo index + 1 if in another tile (world_cross.c), else 0 */
	uint32_t n_relays;
	uint32_t relay[W_MAX_RELAYS];
	uint32_t examined;
} w_path;
/* Direct match, else a breadth-first search over relays (up to max_hops). */
DN_WUR dn_rc w_find_path(const world *W, wpart *P, uint32_t consumer, uint64_t units, uint32_t exclude,
                         w_path *pt);
/* (a provider of the tile itself: pt->xh 0) */
double w_path_rate_bps(const world *W, uint32_t consumer, const w_path *pt);
/* ... its radio part alone (the hops, or a rented cell's share), before the sharer's link, */
double w_path_radio_bps(const world *W, uint32_t consumer, const w_path *pt);
/* ... and the rate from it (P: the tile matching, for a provider of its
 * halo; may be NULL when pt->xh is 0). */
double w_path_rate_from(const world *W, const wpart *P, const w_path *pt, double radio_bps);
/* sharer.rate_follows_load: each radio hop's goodput alone (OUT g[0..n_relays]). */
void w_path_hop_bps(const world *W, uint32_t consumer, const w_path *pt, double *g);
/* ... and the radio part from them under the current load: a Wi-Fi hop's
 * airtime is shared by the sessions its relays carry (A->nrelay), a
 * rented cell's by its sessions (A->nsess); `extra` counts a session
 * not yet among them (1 when matching, 0 for an open session). */
double w_radio_loaded(const world *W, const double *g, const uint32_t *relay, uint32_t n_relays, uint32_t provider,
                      uint32_t extra);
double w_path_loss(const world *W, uint32_t consumer, const w_path *pt);
/* One-way delay of a session's path. */
double w_path_delay_s(const world *W, const wsess *s);
DN_WUR dn_rc w_relay_start(world *W, dn_part *p, wpart *P, uint32_t a, dn_rng *r);
DN_WUR dn_rc w_relay_churn(world *W, wpart *P, uint32_t a, dn_rng *r, double *mean_h);

/* ---- sessions (world_session.c) ---- */

/* What a consumer's decision hands to the session it opens. */
typedef struct w_open {
	uint32_t consumer;
	const w_path *path;
	uint64_t units, deposit_units;
	dn_amount price_per_unit_base;
	double rate_bps, radio_bps;
} w_open;
DN_WUR dn_rc w_session_open(world *W, dn_part *p, const w_open *o);
/* sharer.rate_follows_load: the active sessions of tile P that use
 * provider prov or one of the n relays share its link or cell equally
 * among the sessions it holds (A->nsess), and each relay's airtime among
 * the sessions through it (A->nrelay); each session's rate is evaluated
 * again, and what it delivered so far is kept. */
void w_session_rerate(world *W, wpart *P, uint32_t prov, const uint32_t *relay, uint32_t n, dn_time_ns now);
/* The bits a session has delivered by now (at most what it wants is counted in units). */
double w_session_bits(const wsess *s, dn_time_ns now);
DN_WUR dn_rc w_ev_tick(dn_part *p, const dn_event *ev);
/* A receipt for a session's transaction, in the tile. */
DN_WUR dn_rc w_session_receipt(world *W, dn_part *p, const wrcpt *c);
/* Block side: the money flows of an applied redeem (relays, operator, metrics). */
DN_WUR dn_rc w_session_settle(world *W, const wtx *q, const dnc_tx_receipt *r);
/* Block side: R-ADMIN-1 penalty for a rejected forged or replayed redeem. */
DN_WUR dn_rc w_session_penalise(world *W, const wtx *q, dn_time_ns t);
uint64_t w_sessions_active(const wpart *P);
/* R-CRED-3: node a left (as_provider: its link went down; else it stopped
 * relaying): the sessions through it settle now and re-match. */
DN_WUR dn_rc w_session_node_left(world *W, dn_part *p, wpart *P, uint32_t a, bool as_provider, dn_time_ns now);

/* world.cross_tiles: a remote session's provider left or its load
 * changed, as the last snapshot shows (after the block's receipts, in
 * the tile); the block step's answer to a request (denied: the consumer
 * asks again). */
DN_WUR dn_rc w_session_cross_check(world *W, dn_part *p, wpart *P, dn_time_ns now, uint64_t *active);
DN_WUR dn_rc w_session_granted(world *W, dn_part *p, const wrcpt *c);
/* ... block side: is (P, slot) still asking (generation gen)? And the
 * grant at t: reserved quota noted, the consumer's open into the mempool
 * as sent at `asked` from its tile. */
bool w_session_asking(const wpart *P, uint32_t slot, uint32_t gen);
DN_WUR dn_rc w_session_grant(world *W, wpart *P, uint32_t slot, uint64_t reserved, dn_time_ns t, dn_time_ns asked);

/* ---- across tiles (world_cross.c) ---- */

/* The halo of tile P (in its start; empty unless world.cross_tiles), and its release. */
DN_WUR dn_rc w_cross_tile_init(world *W, dn_part *p, wpart *P);
void w_cross_tile_free(wpart *P);
/* Halo index of agent a in tile P, or W_NONE. */
uint32_t w_cross_halo_index(const wpart *P, uint32_t a);
/* The id tile P's matching knows agent a by (local id, or the halo's
 * after the local ones; DNC_NONE for W_NONE or an agent out of reach), and back. */
uint32_t w_match_id(const wpart *P, uint32_t a);
uint32_t w_match_agent(const wpart *P, uint32_t id);
/* May a request from (x, y) reach a halo sharer? (near a border, with some sharing) */
bool w_cross_near(const world *W, const wpart *P, int32_t x, int32_t y);
/* R-CRED-3 over the halo's snapshot from (x, y); exclude_h: a halo index or DNC_NONE. */
DN_WUR dn_rc w_cross_match(const world *W, wpart *P, int32_t x, int32_t y, uint64_t units, uint32_t exclude_h,
                           dn_match_result *res);
/* The tile whose range holds agent a. */
unsigned w_tile_of(const world *W, uint32_t a);
/* Block side, before the block: the tiles' requests and releases in
 * (tile, sequence) order; a granted session's open joins the mempool as
 * sent when the consumer asked, a refusal goes back with the receipts. */
DN_WUR dn_rc w_cross_answer(world *W, dn_time_ns t);
/* ... after the block: the halos' snapshots for the next window. */
DN_WUR dn_rc w_cross_snapshot(world *W);
/* Block side: numbers and signs a transaction a tile queued for an agent of another tile. */
DN_WUR dn_rc w_cross_sign(world *W, wtx *q);
/* Sharer a of tile P changed what it offers (sharing, price, quota,
 * sessions): the next snapshot copies it into the halos it is in. */
static inline dn_rc w_cross_touch(const world *W, wpart *P, uint32_t a)
{
	return (W->ag.role[a] & W_HALO) ? wvec_push(&P->xdirty, &a) : DN_OK;
}
void w_cross_free(world *W);
/* Sessions a tile's view gives provider a (xh: the halo index + 1, or 0 for its own agent). */
static inline uint32_t w_nsess_seen(const world *W, const wpart *P, uint32_t a, uint32_t xh)
{
	return xh ? (uint32_t)P->hs[xh - 1].nsess + P->hs[xh - 1].pend_sess : W->ag.nsess[a];
}

/* ---- delegates and holders (world_delegate.c) ---- */

DN_WUR dn_rc w_holder_vote(world *W, dn_part *p, uint32_t a, dn_time_ns now);
DN_WUR dn_rc w_candidate_day(world *W, dn_part *p, wpart *P, uint32_t a);
DN_WUR dn_rc w_team_unlock(world *W, dn_part *p, uint32_t a);
DN_WUR dn_rc w_team_receipt(world *W, dn_part *p, const wrcpt *c);
/* Block side: elections, producers, seats' income, candidates' costs. */
DN_WUR dn_rc w_new_epoch_if_due(world *W, uint64_t slot);
/* Around dnc_chain_end_block (or dnc_chain_pay_seats): the seats'
 * balances before, and after it what each seat's agent earned (its
 * review), the metrics, Gini marks. only: the seats of seat only's
 * account alone (all the others are known not to change), or W_ALL_SEATS
 * for every seat; the same to both calls. payout: the call pays a whole
 * epoch at once. */
#define W_ALL_SEATS UINT32_MAX
void w_seats_before(world *W, const dnc_delegate_set *ds, uint32_t only, dn_amount *seat_before,
                    dn_amount *before);
DN_WUR dn_rc w_seats_paid(world *W, const dnc_delegate_set *ds, uint32_t only, const dn_amount *seat_before,
                          dn_amount before, const dnc_block_summary *sum, bool payout);
void w_reward_average(world *W, uint64_t traffic);
void w_delegates_collect(world *W);

/* ---- operators and sites (world_operator.c) ---- */

DN_WUR dn_rc w_operators_hour(world *W, dn_time_ns t);
/* world_gov.c: scheduled changes voted through governance (R-GOV-1). */
void w_gov_read(world_cfg *C, const dn_scenario *s);
DN_WUR dn_rc w_gov_check(world *W, const dn_scenario *s);
void w_gov_init(world *W);
DN_WUR dn_rc w_gov_block(world *W, dn_time_ns t);
void w_gov_receipt(world *W, const wtx *q, dnc_rc crc, const dnc_tx_receipt *r);
DN_WUR dn_rc w_gov_summary(const world *W, dn_results *r);
/* "file:line:column: " where the scenario sets name, or "" (its default). */
const char *w_param_where(const dn_scenario *s, const char *name, char *buf, size_t len);
/* A redeem of a rented site's session paid its owner base units that are
 * the operator's; the owner sends them on in the next hourly sweep. */
void w_site_owes(world *W, uint32_t site, dn_amount base);
/* Block side: metrics and Gini marks of an applied rent. */
DN_WUR dn_rc w_rent_settle(world *W, const wtx *q, const dnc_tx_receipt *r);

/* ---- traders and the exchange (world_exchange.c) ---- */

DN_WUR dn_rc w_order_buy(dn_part *p, uint32_t agent, dn_usd_micro usd_micro, uint32_t role);
DN_WUR dn_rc w_order_sell(dn_part *p, uint32_t agent, dn_amount base, uint32_t role);
DN_WUR dn_rc w_trader_hour(world *W, dn_part *p, uint32_t a, dn_time_ns now);
DN_WUR dn_rc w_exchange_open(world *W, const dn_scenario *s, dn_amount *pool_base);
/* The exchange's custody book, the world's one ledger write outside a
 * transaction (docs/agents.md): base units between the exchange's account
 * and an agent's, counted. */
DN_WUR dn_rc w_custody(world *W, dnc_acct from, dnc_acct to, dn_amount base, const char *what);
/* An operator buys DNET at once in the block step (no order, no Gini mark). */
DN_WUR dn_rc w_exchange_buy_now(world *W, uint32_t agent, dn_usd_micro budget);
DN_WUR dn_rc w_exchange_block(world *W, dn_time_ns t);
DN_WUR dn_rc w_exchange_check(world *W);

/* ---- content (world_content.c) ---- */

void w_content_cfg_read(const dn_scenario *s, dn_content_cfg *cc);
DN_WUR dn_rc w_content_init(world *W, const dn_scenario *s);
DN_WUR dn_rc w_content_block(world *W, uint64_t slot, dn_time_ns t);
/* Block side: metrics, counts and Gini marks of an applied purchase or
 * recommendation fee; a refused purchase counted. */
DN_WUR dn_rc w_content_settle(world *W, const wtx *q, const dnc_tx_receipt *r);
void w_content_refused(world *W, const wtx *q);

/* ---- attacks (world_attack.c) ---- */

void w_attack_read(world_cfg *C, const dn_scenario *s);
/* chain.score_cap_link: the traffic units an uplink of up_bps carries in one score window. */
uint64_t w_score_cap_units(const world_cfg *C, double up_bps);
/* Set-up: the attacker's accounts after the exchange's (wash), the agents it turns. */
DN_WUR dn_rc w_attack_accounts(world *W);
uint32_t w_attack_n_accounts(const world_cfg *C);
DN_WUR dn_rc w_attack_turn(world *W);
/* ... custody: the account the sale (genesis) pays agent a's share to: the exchange's wallet for a customer. */
dnc_acct w_attack_sale_to(world *W, uint32_t a);
static inline bool w_attacking(const world *W, uint32_t a)
{
	return W->cfg.attack_on && (W->ag.role[a] & W_ATTACKER);
}
/* ... as a cheap sharer (attack.kind cheap). */
static inline bool w_cheap_sharer(const world *W, uint32_t a)
{
	return W->cfg.attack_kind == W_ATTACK_CHEAP && w_attacking(W, a);
}
/* bribe: the briber a bribe-taking holder votes for now, or W_NONE (it
 * chooses as honest holders do). */
uint32_t w_attack_bribed_vote(const world *W, uint32_t holder, dn_time_ns now);
/* bribe: a briber's daily payment to its voters, out of `earned` (its
 * income since the last); OUT *paid. In the briber's tile. */
DN_WUR dn_rc w_attack_bribe_pay(world *W, dn_part *p, uint32_t briber, dn_amount earned, dn_amount *paid);
/* sybil: the fake hops a session's open names after its real relays
 * (0 unless a turned relay is on the path); fills s->sybils, s->sybil_of
 * and tx's relays after the real ones. */
void w_attack_sybil_hops(const world *W, wsess *s, dnc_tx *tx, dn_time_ns now);
/* middle: fake middlemen of its own a turned forwarder inserts after
 * itself in the purchase tx of a forwarding chain it is on (R-FWD-2);
 * middle[]: the agents tx names as middlemen, in its order. */
void w_attack_fake_middlemen(const world *W, const uint32_t *middle, dnc_tx *tx, dn_time_ns now);
/* sybil, middle: the account of fake identity i of turned agent j. */
static inline dnc_acct w_sybil_acct(const world *W, uint32_t j, uint32_t i)
{
	return W->at.acct0 + j * W->cfg.attack_sybils + i;
}
/* cheap: a turned sharer's price becomes the attacker's. */
void w_attack_price(world *W, uint32_t a);
/* Block side, after the block: funding, the next sessions, into the mempool. */
DN_WUR dn_rc w_attack_block(world *W, dn_time_ns t, uint64_t slot);
/* Block side: an applied (or refused) transaction of the attacker. */
DN_WUR dn_rc w_attack_receipt(world *W, const wtx *q, dnc_rc rc, const dnc_tx_receipt *r, dn_time_ns t);
/* Block side: the detectors' view of an applied transaction and of a slot. */
void w_detect_tx(world *W, const wtx *q, const dnc_tx_receipt *r, dn_time_ns t);
void w_detect_refused(world *W, const wtx *q);
/* fraud: do the world's forgers and free riders cheat (not in the twin)? */
static inline bool w_fraud_on(const world_cfg *C)
{
	return C->attack_kind != W_ATTACK_FRAUD || C->attack_on;
}
void w_detect_slot(world *W, uint32_t seat, bool produced);
/* Block side: a seat's gain (w_seats_paid). */
void w_attack_seat_gain(world *W, dnc_acct acct, dn_amount gain, uint64_t blocks);
/* A turned producer skips this slot on purpose. */
bool w_attack_withholds(const world *W, dnc_acct acct, dn_time_ns t);
/* Block side: an applied R-ADMIN-1 retract (those sent on a detector's flag are counted). */
void w_attack_retracted(world *W, const wtx *q, const dnc_tx_receipt *r);
DN_WUR dn_rc w_attack_summary(const world *W, dn_results *r);
/* Area under the ROC curve of scores against labels (the chance a random
 * positive scores above a random negative, ties half); NaN without both. */
double w_roc_auc(const double *score, const bool *pos, size_t n);
/* ... the ROC curve's true positive rate at a false positive rate of at most fpr_max (its step; NaN without both classes). */
double w_roc_tpr_at(const double *score, const bool *pos, size_t n, double fpr_max);
/* The ring detector: following the votes from account i comes back to i
 * through other accounts within 16 steps (a self-vote is no ring). */
bool w_vote_ring(const dnc_ledger *L, dnc_acct i);
void w_attack_free(world *W);

/* ---- the block (world_block.c) ---- */

DN_WUR dn_rc w_block_step(world *W, dn_time_ns t);
/* Sorts the mempool in (arrival, tile, sequence) order (after the block
 * step itself added transactions). */
void w_pool_sort(world *W);
/*
 * A transaction the block step sends for an agent (an operator's rent, a
 * site owner's sweep, a buyer's purchase): signed with the agent's key,
 * numbered after the agent's transactions in flight, and queued as if
 * sent from tile `part` at t (it reaches the producers over that tile's
 * backhaul). tx's type and payload are set; the rest is filled here.
 * Call w_pool_sort after the last one.
 */
DN_WUR dn_rc w_send_from_block(world *W, dn_time_ns t, unsigned part, uint32_t agent, uint32_t purpose,
                               uint32_t slot, dnc_tx *tx);

/* ---- memory estimate (world_estimate.c) ---- */

/* The model's memory estimate; column_bytes is the agent kind's bytes per agent. */
DN_WUR dn_rc w_estimate(const dn_scenario *s, size_t column_bytes, dn_estimate *e);

#endif
