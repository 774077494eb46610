/*
 * consensus.h: delegated proof of stake + proof of traffic (R-CONS-1..6)
 * and the chain-following decisions of a node (R-CHAIN-3..5).
 *
 * Inputs are ledger state, chain data and times; outputs are decisions.
 * There is no clock and no RNG: the producer shuffle is derived from a
 * block hash, so every node computes the same schedule.
 */
#ifndef DNC_CONSENSUS_H
#define DNC_CONSENSUS_H

#include "dnc_base.h"
#include "dnc_params.h"
#include "ledger.h"

#define DNC_MAX_DELEGATES 1024

typedef enum dnc_seat_kind {
	DNC_SEAT_STAKE = 0,     /* R-CONS-5: by voted stake */
	DNC_SEAT_VOLUME = 1,    /* R-CONS-3: by traffic volume */
	DNC_SEAT_QUALITY = 2,   /* R-CONS-3: by traffic quality */
	DNC_SEAT_KINDS
} dnc_seat_kind;

typedef struct dnc_seat {
	dnc_acct acct;
	uint32_t kind;          /* dnc_seat_kind */
	uint64_t score;         /* votes (base units), volume or quality */
} dnc_seat;

/* The delegates of one epoch: stake seats first, then volume, quality. */
typedef struct dnc_delegate_set {
	uint64_t epoch;
	uint32_t n;                       /* seats filled (<= D) */
	uint32_t n_kind[DNC_SEAT_KINDS];  /* seats filled per kind */
	dnc_seat seat[DNC_MAX_DELEGATES];
} dnc_delegate_set;

/* R-CONS-2 / R-CONS-3: seats per kind for D delegates and lambda. OUT seats. */
void dnc_seat_quota(const dnc_params *p, uint32_t seats[DNC_SEAT_KINDS]);

/* R-CONS-3: sums of the quality ingredients over all candidates. */
typedef struct dnc_quality_total {
	dnc_u128 price, loss, stability;
} dnc_quality_total;

/*
 * R-CONS-3: the quality score of a candidate with ingredients *x when all
 * candidates together hold *total: sum over the ingredients k of
 * w_k x_k / X_k (weights p->quality_*_ppm), in units of 2^-32 ppm, each
 * term floored, in 128-bit integers. Normalising by X_k first is what lets
 * the weights mix ingredients of different units (cheapness, units,
 * unit-windows) fairly; a term with X_k = 0 adds nothing. With only one
 * non-zero weight the score is that ingredient itself: normalising would
 * only rescale it, and so a price-only election (10^6, 0, 0) is exactly
 * the election from before the other ingredients existed.
 */
uint64_t dnc_quality_mix(const dnc_params *p, const dnc_quality *x,
			 const dnc_quality_total *total);

/*
 * R-CONS-1..5 election for `epoch`: D = p->delegates seats; round(D
 * lambda) to the accounts with the most stake voted for them; the rest
 * half by traffic volume, half by traffic quality (dnc_quality_mix of
 * dnc_ledger_quality_score, the totals taken over every non-system
 * account), scored over the complete window `score_window` (only redeemed
 * credentials and settled sessions feed these scores, R-CONS-4). Nobody holds two seats; ties go to the lower public
 * key; candidates with a zero score are not elected, so fewer than D
 * seats may be filled. With p->seat_cluster_max, a candidate whose owner
 * cluster already holds that many seats is passed over for the next.
 * O(accounts) (and a sort of the scored candidates with the cap). OUT *ds.
 */
DNC_WUR dnc_rc dnc_elect(const dnc_params *p, const dnc_ledger *L, uint64_t epoch,
			 uint64_t score_window, dnc_delegate_set *ds);

/*
 * Countermeasure (p->seat_cluster_max): the owner cluster of account a,
 * the account reached by following funders (dnc_ledger_funder: who first
 * brought an account from nothing by a transfer) up from a, stopping
 * before a hub or system account and after DNC_CLUSTER_DEPTH steps. An
 * account nobody funded (a genesis holder, an exchange's customer, an
 * account funded by a hub) is its own cluster. What anyone can compute
 * from the chain; an owner who funds each identity from an exchange is
 * not linked (docs/attacks.md).
 */
dnc_acct dnc_owner_cluster(const dnc_ledger *L, dnc_acct a);

/* R-CONS-6: the producer order of one epoch. */
typedef struct dnc_schedule {
	uint64_t epoch;
	uint32_t n;
	uint16_t order[DNC_MAX_DELEGATES];  /* seat indices */
} dnc_schedule;

/*
 * R-CONS-6: deterministic shuffle of the seats for `epoch`, keyed by
 * seed (the hash of the last block before the epoch). OUT *s.
 */
DNC_WUR dnc_rc dnc_schedule_make(const dnc_delegate_set *ds, const dnc_hash *seed,
				 uint64_t epoch, dnc_schedule *s);
/* Seat index producing slot number slot_in_epoch. */
uint32_t dnc_schedule_seat(const dnc_schedule *s, uint64_t slot_in_epoch);
/* R-CHAIN-1: slot of a time (slot 0 starts at genesis_s). */
uint64_t dnc_slot_of(const dnc_params *p, dnc_time_s genesis_s, dnc_time_s t_s);

/* ---- R-CHAIN-4 fork choice ---- */

typedef struct dnc_fork_node {
	dnc_hash id, parent;
	uint64_t height;
	uint64_t traffic;        /* confirmed traffic units in this block */
	uint64_t cum_traffic;    /* along the branch from genesis */
	uint32_t parent_idx;
	uint32_t n_children;
	dnc_time_s last_used_s;  /* latest time a node used this branch tip */
	uint32_t abandoned;
} dnc_fork_node;

typedef struct dnc_forktree {
	dnc_fork_node *v;
	uint32_t n, cap;
} dnc_forktree;

/* Tree rooted at the genesis block id. Bounded by cap. DNC_ENOMEM. */
DNC_WUR dnc_rc dnc_forktree_init(dnc_forktree *t, uint32_t cap, const dnc_hash *genesis);
void dnc_forktree_free(dnc_forktree *t);
/*
 * Add a block. DNC_EPARENT (unknown parent), DNC_EEXISTS, DNC_EFULL.
 * OUT *idx (may be NULL).
 */
DNC_WUR dnc_rc dnc_forktree_add(dnc_forktree *t, const dnc_hash *id,
				const dnc_hash *parent, uint64_t traffic,
				dnc_time_s now_s, uint32_t *idx);
/* Record that some node used (built on, transacted on) block id. */
DNC_WUR dnc_rc dnc_forktree_touch(dnc_forktree *t, const dnc_hash *id, dnc_time_s now_s);
/*
 * R-CHAIN-4: the tip to follow: most confirmed traffic, then longest,
 * then lowest id. Abandoned tips are skipped. Returns a node index.
 */
uint32_t dnc_forktree_best(const dnc_forktree *t);
/*
 * dnc_forktree_best, or with by_length the longest branch first (then the
 * most traffic, then the lowest id): the countermeasure to traffic
 * fabricated on a partition's minority side (docs/attacks.md, "fork").
 */
uint32_t dnc_forktree_best_by(const dnc_forktree *t, int by_length);
/*
 * R-CHAIN-4: abandon tips nobody used for idle_s seconds (never the best).
 * Returns how many were abandoned now.
 */
uint32_t dnc_forktree_prune(dnc_forktree *t, dnc_time_s now_s, dnc_time_s idle_s);

/* ---- R-CHAIN-3 confirmations ---- */

typedef enum dnc_confirm_status {
	DNC_CONF_INCLUDED = 0,  /* final under DPoS, not yet confirmed */
	DNC_CONF_CONFIRMED,     /* `confirmations` consecutive blocks on top */
	DNC_CONF_PROBABLY_FORK, /* 2 consecutive missed blocks */
	DNC_CONF_ON_FORK,       /* 3 consecutive missed blocks */
} dnc_confirm_status;

typedef struct dnc_confirm {
	uint32_t needed;
	uint32_t run;           /* consecutive confirmed blocks */
	uint32_t missed;        /* consecutive missed blocks */
	uint32_t confirmed;     /* sticky once reached */
} dnc_confirm;

void dnc_confirm_init(dnc_confirm *c, uint32_t needed);
/* One slot passed: produced != 0 if a block extended our chain. */
void dnc_confirm_slot(dnc_confirm *c, int produced);
dnc_confirm_status dnc_confirm_get(const dnc_confirm *c);

/* ---- R-CHAIN-5 latency statistics ---- */

#define DNC_LAT_BUCKETS 512

typedef struct dnc_latency {
	uint64_t count, over_bound, max_us;
	uint64_t bound_us;                 /* 15 s by default */
	uint64_t bucket[DNC_LAT_BUCKETS];  /* log buckets, 8 per octave */
} dnc_latency;

void dnc_latency_init(dnc_latency *l, uint64_t bound_us);
void dnc_latency_add(dnc_latency *l, uint64_t latency_us);
/* Quantile q in ppm (500000 = p50): lower edge of its bucket (<= 12.5 %
 * below the true value); the exact maximum for q = 10^6. */
uint64_t dnc_latency_quantile(const dnc_latency *l, uint32_t q_ppm);

#endif
