/*
 * metrics.h: the accumulators behind rules section 9 ("What users
 * measure"), recorded by the DNET world model once per block or epoch.
 *
 * Three layers:
 *  - dn_hist: a log-linear histogram of non-negative int64 values
 *    (latencies in ns, unit prices in base units per GiB) with exact
 *    count, sum, min, max and a violation counter, and quantiles whose
 *    relative error is at most 2^-8 (see dn_hist_quantile). Fixed size,
 *    no allocation, and merging is integer addition, so a merge of
 *    partitions gives the same bits in any order and at any thread count.
 *  - dn_metrics_part: what agents of one partition write into while
 *    events run (no locks: one per partition): latencies, prices paid,
 *    income by role, coverage (rules §9: distinct consumers with demand
 *    who were served), request outcomes, fraud and fork counters.
 *  - dn_metrics: the world's view. dn_metrics_step() (every block)
 *    merges the parts in index order into a window and adds it to the
 *    run totals and to each group's interval; dn_metrics_write() reads the
 *    snapshot values the model holds (balances' Gini and top-1 % share,
 *    R-EMIT-5 totals, R-GOV-2 vote weights) and appends one sample per
 *    series of the groups asked for to a dn_results file;
 *    dn_metrics_record() is both at once. dn_metrics_declare() declares
 *    the series beforehand and dn_metrics_finish() writes run summaries.
 *
 * Money is integer throughout (dn_amount base units, 128-bit sums);
 * ratios become double only when written. What is not here: the model's
 * own state (who is served, who holds what): the model passes counts and
 * totals in. docs/metrics.md lists every series, its unit and bound.
 */
#ifndef DN_AGENTS_METRICS_H
#define DN_AGENTS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "dn_base.h"
#include "dnc_base.h"
#include "gini.h"
#include "results.h"

/* ---- the histogram ---- */

/*
 * Buckets: values below 2^(SUB_BITS+1) = 256 each have their own bucket
 * (exact); above, every power-of-two range [2^e, 2^(e+1)) is cut into
 * 2^SUB_BITS = 128 equal buckets of width 2^(e-7). Covers 0..INT64_MAX
 * in 57 * 128 = 7,296 buckets (58 KiB).
 */
#define DN_HIST_SUB_BITS 7
#define DN_HIST_BUCKETS ((64 - DN_HIST_SUB_BITS) << DN_HIST_SUB_BITS)
#define DN_HIST_NO_LIMIT INT64_MAX /* a limit nothing can exceed */
#define DN_HIST_FEW 12             /* non-empty buckets listed one by one */

typedef struct dn_hist {
	uint64_t count;        /* values added */
	int64_t min, max;      /* exact; meaningful when count > 0 */
	dnc_u128 sum;          /* exact sum of the values */
	int64_t limit;         /* values > limit are violations (R-CHAIN-5) */
	uint64_t over_limit;   /* values added that were > limit */
	uint32_t lo, hi;       /* non-empty buckets lie in [lo, hi]; lo > hi when empty */
	/* the non-empty buckets while there are at most DN_HIST_FEW of them
	 * (n_few > DN_HIST_FEW: more), so that merging and emptying a
	 * histogram of a few values (a block's) touches only those */
	uint32_t n_few;
	uint16_t few[DN_HIST_FEW];
	uint64_t bucket[DN_HIST_BUCKETS];
} dn_hist;

/* Empties h and sets its violation limit (>= 0; DN_HIST_NO_LIMIT for
 * none). DN_EINVAL on a negative limit (h is then left empty with no
 * limit). Never allocates. */
DN_WUR dn_rc dn_hist_init(dn_hist *h, int64_t limit);

/* Empties h, keeping its limit. O(non-empty buckets) up to DN_HIST_FEW of
 * them, else O(non-empty bucket range). */
void dn_hist_reset(dn_hist *h);

/* Bucket index of v (v >= 0). Exposed for tests and docs. */
uint32_t dn_hist_index(int64_t v);

/* Smallest value of bucket i, and its width (1 for exact buckets). */
int64_t dn_hist_bucket_low(uint32_t i);
int64_t dn_hist_bucket_width(uint32_t i);

/* Adds one value. DN_ERANGE if v < 0 (nothing is added). O(1). */
DN_WUR dn_rc dn_hist_add(dn_hist *h, int64_t v);

/*
 * OUT *v = the q-quantile of the values added, q in parts per million
 * (500000 = p50, 990000 = p99, 1000000 = max). The exact quantile x is
 * the nearest-rank one: the k-th smallest value, k = max(1, ceil(q * n /
 * 10^6)). The answer is the midpoint of x's bucket clamped to [min, max],
 * hence |*v - x| <= x >> 8 (relative error <= 2^-8 = 0.39 %), and *v == x
 * when x < 256, k == 1 (the minimum) or k == n (the maximum).
 * DN_ERANGE if h is empty (*v untouched), DN_EINVAL if q > 10^6.
 * O(non-empty bucket range), at most DN_HIST_BUCKETS.
 */
DN_WUR dn_rc dn_hist_quantile(const dn_hist *h, uint32_t q_ppm, int64_t *v);

/*
 * Adds every value of src to dst (counts, sum, min, max, violations).
 * Integer addition only: merging a set of histograms in any order or
 * grouping yields identical structures. DN_EINVAL if the limits differ
 * (dst unchanged). O(non-empty buckets of src) up to DN_HIST_FEW of them,
 * else O(src's non-empty bucket range).
 */
DN_WUR dn_rc dn_hist_merge(dn_hist *dst, const dn_hist *src);

/* Merges src[0..n) into dst in index order (the order a model uses for
 * its partitions). Stops at the first error and returns it. */
DN_WUR dn_rc dn_hist_merge_all(dn_hist *dst, const dn_hist *const *src, uint32_t n);

/* ---- income by role ---- */

/* Who earned or spent. An agent with several roles: the caller names the
 * role a flow belongs to (a sharer's sales: SHARER; its purchases:
 * CONSUMER). */
typedef enum dn_metrics_role {
	DN_METRICS_ROLE_CONSUMER = 0,
	DN_METRICS_ROLE_SHARER,
	DN_METRICS_ROLE_RELAY,
	DN_METRICS_ROLE_DELEGATE,
	DN_METRICS_ROLE_HOLDER,
	DN_METRICS_ROLE_OPERATOR,
	DN_METRICS_ROLE_CREATOR,
	DN_METRICS_ROLE_FORWARDER,
	DN_METRICS_ROLE_TRADER,
	DN_METRICS_ROLE_COUNT
} dn_metrics_role;

/* "consumer", "sharer", ...; "?" for a value out of range. */
const char *dn_metrics_role_name(dn_metrics_role role);
/* Every series dn_metrics_declare declares and summary dn_metrics_finish
 * writes, by name (a model's names callback). */
void dn_metrics_names(void (*emit)(void *ctx, const char *name, bool series), void *ctx);

/* ---- per-partition accumulators ---- */

typedef struct dn_metrics_config {
	int64_t service_limit_ns;  /* R-CHAIN-5 bound, default 15 s */
	int64_t confirm_limit_ns;  /* confirmation bound, default 15 s */
	uint32_t top_share_ppm;    /* top holders' share, default 10000 (1 %) */
} dn_metrics_config;

/* The defaults above. */
dn_metrics_config dn_metrics_config_default(void);

typedef struct dn_metrics_part {
	dn_hist service_latency;  /* request to first byte, ns (R-CHAIN-5) */
	dn_hist confirm_latency;  /* transaction submitted to confirmed, ns */
	dn_hist price;            /* unit price paid, base units per GiB */
	dn_hist fork_resolution;  /* fork seen to resolved, ns (R-CHAIN-4) */
	dnc_i128 earned[DN_METRICS_ROLE_COUNT]; /* base units */
	dnc_i128 spent[DN_METRICS_ROLE_COUNT];  /* base units */
	dnc_i128 minted;          /* earned from outside the agents (rewards) */
	dnc_i128 removed;         /* spent to outside the agents (burns, costs) */
	dnc_u128 paid;            /* base units paid for traffic */
	dnc_u128 traffic_bytes;   /* bytes bought */
	uint64_t requests_ok, requests_counted;  /* request outcomes: succeeded / counted */
	uint64_t consumers_served, consumers_demand; /* rules §9 coverage: distinct consumers */
	uint64_t fraud_attempted, fraud_caught;
	uint64_t forks_seen;
} dn_metrics_part;

/* Empties p with cfg's limits. DN_EINVAL on a negative limit or a
 * top_share_ppm outside 1..10^6. */
DN_WUR dn_rc dn_metrics_part_init(dn_metrics_part *p, const dn_metrics_config *cfg);

/* Empties p, keeping its limits. */
void dn_metrics_part_reset(dn_metrics_part *p);

/* Adds p's contents to dst (same limits, else DN_EINVAL and dst may be
 * partly merged: callers treat that as fatal). */
DN_WUR dn_rc dn_metrics_part_merge(dn_metrics_part *dst, const dn_metrics_part *p);

/* R-CHAIN-5: a request served after latency_ns (>= 0, else DN_ERANGE). */
DN_WUR dn_rc dn_metrics_service_latency(dn_metrics_part *p, dn_time_ns latency_ns);

/* A transaction confirmed latency_ns after it was sent (>= 0). */
DN_WUR dn_rc dn_metrics_confirm_latency(dn_metrics_part *p, dn_time_ns latency_ns);

/*
 * A purchase of bytes (> 0) of traffic for paid (>= 0) base units: adds
 * the unit price round(paid * 2^30 / bytes) to the price histogram and
 * both amounts to the volume totals. DN_EINVAL if bytes <= 0 or paid < 0,
 * DN_ERANGE if the unit price exceeds INT64_MAX (nothing is added).
 */
DN_WUR dn_rc dn_metrics_price(dn_metrics_part *p, dn_amount paid, int64_t bytes);

/* Money moving between two agents: from_role spends, to_role earns
 * amount (>= 0). DN_EINVAL on a bad role or a negative amount. */
DN_WUR dn_rc dn_metrics_transfer(dn_metrics_part *p, dn_metrics_role from_role,
                                 dn_metrics_role to_role, dn_amount amount);

/* Money entering the agents from outside (a block reward: minted) or
 * leaving them (a burn, a running cost paid off-chain). Same errors. */
DN_WUR dn_rc dn_metrics_earn(dn_metrics_part *p, dn_metrics_role role, dn_amount amount);
DN_WUR dn_rc dn_metrics_spend(dn_metrics_part *p, dn_metrics_role role, dn_amount amount);

/* Request outcomes: of `counted` request outcomes (a request, a retry or
 * a re-match that ended in a session or a refusal), `ok` opened a
 * session. Not coverage: one consumer can count many times.
 * DN_EINVAL if ok > counted. */
DN_WUR dn_rc dn_metrics_request_outcome(dn_metrics_part *p, uint64_t ok, uint64_t counted);

/* rules §9 coverage: of `with_demand` distinct consumers that wanted service
 * in the window, `served` got some (the model counts each consumer once
 * per window). DN_EINVAL if served > with_demand. */
DN_WUR dn_rc dn_metrics_consumers(dn_metrics_part *p, uint64_t served, uint64_t with_demand);

/* One fraud attempt (R-CRED-7 reasons, R-CONS-4 fabricated traffic);
 * caught says whether it was rejected. Never fails. */
void dn_metrics_fraud(dn_metrics_part *p, bool caught);

/* A node found itself on a fork (R-CHAIN-3); later, the fork resolved
 * after duration_ns (>= 0, else DN_ERANGE). */
void dn_metrics_fork_seen(dn_metrics_part *p);
DN_WUR dn_rc dn_metrics_fork_resolved(dn_metrics_part *p, dn_time_ns duration_ns);

/* ---- exact shares ---- */

/*
 * Top holders' share from a committed dn_gini (call after
 * dn_gini_commit): OUT *top = the sum of the k largest balances, k =
 * max(1, ceil(n * q_ppm / 10^6)), OUT *total = the sum of all balances.
 * Exact; O(k) (O(n/100) for the top 1 %). DN_EINVAL if q_ppm is 0 or
 * above 10^6, or agents are marked and not yet committed.
 */
DN_WUR dn_rc dn_metrics_top_share(const dn_gini *g, uint32_t q_ppm, int64_t *top, int64_t *total);

/*
 * Compares part / whole with num / den exactly (128-bit cross products):
 * -1, 0 or 1. All four >= 0 and den > 0 (else DN_EINVAL via *cmp left
 * untouched); whole == 0 counts as a share of 0.
 */
DN_WUR dn_rc dn_metrics_share_cmp(int64_t part, int64_t whole, int64_t num, int64_t den, int *cmp);

/* ---- the world's recorder ---- */

/* Values the model holds as state, read at each record. */
typedef struct dn_metrics_snapshot {
	const dn_gini *gini;               /* committed; NULL: Gini/top series get NaN, -1 */
	dn_amount dtoken_originated;       /* R-EMIT-5: DNET earned through DToken / traffic */
	dn_amount initial_originated;      /* R-EMIT-5: alpha+beta+gamma and all it earned */
	int64_t initial_vote_weight;       /* R-GOV-2: initial holders' voting weight */
	int64_t total_vote_weight;         /* R-GOV-2: every holder's voting weight */
	int64_t price_usd_micro;           /* DNET price at the record (> 0); 0: unknown, USD series NaN */
} dn_metrics_snapshot;

enum { DN_METRICS_MAX_SERIES = 128 };

/*
 * Series are written in groups, each at its own interval (the world's
 * record.* settings): the series of a group are written together and
 * aggregate over what happened since the group was last written.
 *  - service: coverage, requests, latencies, prices paid, traffic;
 *  - economy: money from and to outside, income and spending by role;
 *  - holdings: Gini and top share, R-EMIT-5 and R-GOV-2 (state at the
 *    write: the only group that reads snap->gini);
 *  - chain: fraud and forks (run totals at the write).
 */
typedef enum dn_metrics_group {
	DN_METRICS_GROUP_SERVICE = 0,
	DN_METRICS_GROUP_ECONOMY,
	DN_METRICS_GROUP_HOLDINGS,
	DN_METRICS_GROUP_CHAIN,
	DN_METRICS_GROUPS
} dn_metrics_group;
#define DN_METRICS_ALL_GROUPS ((1u << DN_METRICS_GROUPS) - 1u)

/* "service", "economy", "holdings", "chain"; "?" out of range. */
const char *dn_metrics_group_name(dn_metrics_group g);

typedef struct dn_metrics {
	dn_metrics_config cfg;
	dn_metrics_part window;       /* the parts merged at the last step */
	dn_metrics_part total;        /* every window so far */
	/* per group, the windows since its last write (only the service
	 * group's histograms and the economy group's amounts are read) */
	dn_metrics_part ival[DN_METRICS_GROUPS];
	uint64_t records;             /* dn_metrics_step calls that succeeded */
	dn_time_ns last_t;            /* time of the last step */
	dn_time_ns gov_lost_t;        /* R-GOV-2: first record with initial share <= 2/3; -1 */
	dn_time_ns dtoken_half_t;     /* R-EMIT-5: first record with DToken share >= 1/2; -1 */
	int n_series;
	int series[DN_METRICS_MAX_SERIES];
	char err[200];                /* reason of the last failure, "" if none */
	/* per role, what was earned valued at the price of the record it was
	 * earned in (sum over records of earned x price), USD */
	double earned_usd_cum[DN_METRICS_ROLE_COUNT];
	double earned_usd_ival[DN_METRICS_ROLE_COUNT]; /* the same since the economy group's last write */
	bool usd_known;               /* a step since then had a price */
	double coverage_sum;          /* sum of the windows' coverage, over windows with demand */
	uint64_t coverage_windows;    /* windows with demand */
} dn_metrics;

/* Sets up m (about 1.4 MiB: callers allocate it, e.g. in the world
 * state). DN_EINVAL as dn_metrics_part_init. */
DN_WUR dn_rc dn_metrics_init(dn_metrics *m, const dn_metrics_config *cfg);

/* Declares every series on r (names and units in docs/metrics.md).
 * Call once, before the first record. Errors are dn_results_series's. */
DN_WUR dn_rc dn_metrics_declare(dn_metrics *m, dn_results *r);

/*
 * One step (every block): merges parts[0..n_parts) in index order into
 * the window (and resets them), adds the window to the totals and to each
 * group's interval, checks that money is conserved (earned - spent ==
 * minted - removed over the roles), values the window's income at
 * snap->price_usd_micro and notes the R-GOV-2 / R-EMIT-5 crossings from
 * *snap (snap->gini is not read). Writes nothing. Serial: call when no
 * partition is running.
 * DN_EINVAL: limits differ, snap invalid (negative amounts, initial vote
 * weight above the total), t before the last step, or the conservation
 * check failed. m->err says why.
 */
DN_WUR dn_rc dn_metrics_step(dn_metrics *m, dn_metrics_part *const *parts, uint32_t n_parts,
                             const dn_metrics_snapshot *snap, dn_time_ns t);

/*
 * Appends, at time t, one value per declared series of the groups in the
 * mask `groups` (bit 1 << dn_metrics_group) to r (NULL: computes and
 * discards), each over the steps since that group's last write: counts
 * and amounts summed, quantiles of the histograms merged over the
 * interval, run totals and snapshot values as they are now. Then empties
 * those groups' intervals. *snap as for dn_metrics_step; snap->gini is
 * read only with the holdings group.
 * DN_EINVAL: snap invalid or not declared; DN_ERANGE: a value no longer
 * fits an int64 series; else dn_results_append_*'s codes.
 */
DN_WUR dn_rc dn_metrics_write(dn_metrics *m, unsigned groups, const dn_metrics_snapshot *snap, dn_results *r,
                              dn_time_ns t);

/* dn_metrics_step, then dn_metrics_write of every group: one sample per
 * series over the one step (when r is NULL, nothing is written). */
DN_WUR dn_rc dn_metrics_record(dn_metrics *m, dn_metrics_part *const *parts, uint32_t n_parts,
                               const dn_metrics_snapshot *snap, dn_results *r, dn_time_ns t);

/* The group of the declared series with handle index k (0 <= k <
 * m->n_series, in declaration order), for the series' attributes. */
dn_metrics_group dn_metrics_series_group(int k);

/* How series k aggregates the steps of an interval: "sum", "ratio" (of
 * sums), "quantile" (of the histogram merged over the interval),
 * "cumulative" (run total at the write) or "last" (state at the write). */
const char *dn_metrics_series_aggregate(int k);

/* Run summaries under /summary (run-wide latency and price quantiles,
 * violations, fraud, forks, the R-GOV-2 / R-EMIT-5 crossing times, mean
 * and run-wide coverage). */
DN_WUR dn_rc dn_metrics_finish(const dn_metrics *m, dn_results *r);

#endif
