/*
 * emission.h: supply, allocation and the block-reward schedule (R-CHAIN-1,
 * R-SUP-1,2, R-EMIT-1..5), the team lock-up schedule (R-LOCK-1) and the
 * initial holders' voting share (R-GOV-2). Everything is computed from
 * parameters in integers; nothing here is a stored result of the paper.
 */
#ifndef DNC_EMISSION_H
#define DNC_EMISSION_H

#include "dnc_base.h"
#include "dnc_params.h"

/* R-CHAIN-1: blocks in a 365-day year at this interval (3,153,600 at 10 s). */
uint64_t dnc_blocks_per_year(uint32_t block_interval_s);

/* R-SUP-2: E0 = alpha + beta + gamma, and the genesis amounts. */
typedef struct dnc_allocation {
	dn_amount team;        /* alpha, locked (R-LOCK-1) */
	dn_amount sale;        /* beta */
	dn_amount community;   /* gamma */
	dn_amount initial;     /* alpha + beta + gamma = E0 * supply */
	dn_amount emission;    /* (1 - E0) * supply, released by blocks */
} dnc_allocation;
DNC_WUR dnc_rc dnc_allocation_compute(const dnc_params *p, dnc_allocation *a);

/*
 * The block-reward schedule (R-EMIT-1, R-EMIT-4). Every kind releases the
 * emission E = (1 - E0) supply exactly by end_height and never more at any
 * height; everything is integer. L = p->emission_blocks, or emission_years
 * * blocks_per_year when that is 0, is the schedule's length in blocks.
 *
 * DNC_EMIT_FLAT (the default, R-EMIT-1): t = floor(E / (L D)) per
 *   delegate, D t per block; the last block (end_height - 1) takes the
 *   floors' dust (it releases whatever is left).
 *
 * The two other kinds cut the L blocks into periods of period_blocks
 * (geometric: a year; halving: halving_years years); the last period may
 * be shorter when L is not a whole number of periods. Period k has a
 * budget B_k; every block of the period gets floor(B_k / n_k) (n_k blocks
 * in the period) and the LAST BLOCK OF EACH PERIOD takes that period's
 * dust, B_k - (n_k - 1) floor(B_k / n_k). The budgets add up to E exactly.
 *
 * DNC_EMIT_GEOMETRIC: weights w_0 = 2^56, w_{k+1} = floor(w_k r) with
 *   r = emission_decay_ppm / 10^6 (so w_k is r^k 2^56 up to the floors);
 *   a short last period weighs w_k n_k / period_blocks (floor). With
 *   S_k = w_0 + ... + w_{k-1} (S_P over all P periods) the cumulative
 *   release after k periods is C_k = floor(E S_k / S_P) and B_k = C_{k+1}
 *   - C_k: year k gets E (1 - r) r^k / (1 - r^Y) up to the floors, and the
 *   sum telescopes to C_P = E. (E < 2^63 and S_P < 64 * 2^56 keep E S_k
 *   inside 128 bits.)
 *
 * DNC_EMIT_HALVING: R_0 = floor(E 2^(P-1) / sum_k n_k 2^(P-1-k)) is the
 *   largest first-period reward such that halving it every period releases
 *   no more than E; period k < P-1 pays t_k = floor(R_0 / 2^k) every block
 *   (B_k = n_k t_k, no dust); the last period takes what is left,
 *   B_{P-1} = E - sum_{k<P-1} n_k t_k (>= n_{P-1} t_{P-1}), spread as above.
 *
 * Retune (governance, R-EMIT-4) on any kind: from the retune height the
 * remaining emission is released FLAT until the new end height (the
 * schedule becomes DNC_EMIT_FLAT: t = remaining / (blocks left * D), dust
 * in the new last block).
 */
typedef struct dnc_emission {
	dn_amount per_delegate;   /* R-EMIT-1: t, base units per delegate per block
	                             (non-flat: the first block's reward / D) */
	dn_amount block_reward;   /* flat: D * t; non-flat: the first block's */
	uint32_t delegates;       /* D */
	uint64_t start_height;    /* first height of this schedule */
	uint64_t end_height;      /* first height with no reward */
	uint64_t blocks_per_year;
	uint32_t kind;            /* dnc_emit_kind in force */
	uint32_t periods;         /* non-flat: P, periods in the schedule */
	uint64_t period_blocks;   /* non-flat: blocks in a whole period */
	dn_amount total;          /* what the schedule releases from start_height
	                             (E; after a retune, what was left) */
	uint32_t decay_ppm;       /* geometric: r in ppm */
	dnc_u128 weight_total;    /* geometric: S_P */
	dn_amount first_reward;   /* halving: R_0 */
	dn_amount last_budget;    /* halving: B_{P-1} */
} dnc_emission;

/*
 * R-EMIT-1: the schedule p asks for (kind, length, parameters), starting
 * at height 0 with the whole emission. OUT *e. DNC_EINVAL if p's schedule
 * is unusable (no delegates, no length, a bad kind or parameter, more than
 * DNC_EMIT_MAX_PERIODS periods for a non-flat kind).
 */
DNC_WUR dnc_rc dnc_emission_init(const dnc_params *p, dnc_emission *e);

/*
 * R-EMIT-4: re-tune at `height` so that `remaining` (the emission not yet
 * minted) is released by end_height, flat from `height` on whatever the
 * kind was (the schedule becomes DNC_EMIT_FLAT). DNC_EINVAL if end_height
 * <= height.
 */
DNC_WUR dnc_rc dnc_emission_retune(dnc_emission *e, uint64_t height,
				   uint64_t end_height, dn_amount remaining);

/*
 * Reward of the block at `height` given `remaining`, what is left of the
 * emission: never more (R-EMIT-4), and 0 from end_height on. Flat: the
 * last block releases all that is left (the dust). Geometric and halving: the
 * period's per-block reward, the last block of each period its dust
 * (see above); O(1), geometric O(periods). This is the one entry point
 * the chain uses.
 */
dn_amount dnc_emission_reward(const dnc_emission *e, uint64_t height,
			      dn_amount remaining);

/*
 * The emission a schedule releases over heights [start_height, end) in
 * closed form (O(periods)), i.e. the sum of dnc_emission_reward over
 * those heights with nothing capped by `remaining`. end is clamped to
 * end_height. For checks and reports.
 */
dn_amount dnc_emission_released_by(const dnc_emission *e, uint64_t end);

/*
 * R-EMIT-2 inverse: given delta = num / den (block reward / supply), the
 * number of blocks the flat emission of p lasts: ceil(E / (delta supply))
 * = ceil(E den / (num supply)), in 128-bit integers. A caller puts it in
 * p->emission_blocks to give delta instead of whole years. OUT *blocks
 * (0 when E is 0). DNC_EINVAL for num <= 0, den <= 0 or a bad allocation
 * (E <= supply, so the count is at most den and always fits).
 */
DNC_WUR dnc_rc dnc_emission_blocks_for_delta(const dnc_params *p, dn_amount num,
					     dn_amount den, uint64_t *blocks);

/*
 * R-EMIT-2: delta = block reward / supply as a fraction (non-flat: of the
 * first block's reward). OUT num, den.
 */
void dnc_emission_delta(const dnc_emission *e, dn_amount supply,
			dn_amount *num, dn_amount *den);

/*
 * R-EMIT-3: producer's share of a block reward (floor) and the rest for
 * the delegate pools. OUT *producer, *pools (adding up to reward).
 */
DNC_WUR dnc_rc dnc_emission_producer_split(const dnc_params *p, dn_amount reward,
					   dn_amount *producer, dn_amount *pools);

/*
 * Split amount over n parts in proportion to weight[] (all zero: equal),
 * each floored, the remainder to the largest weight (lowest index on a
 * tie). OUT out[n], adding up to amount exactly. DNC_EINVAL for n == 0.
 */
DNC_WUR dnc_rc dnc_split_weighted(dn_amount amount, const uint64_t *weight,
				  uint32_t n, dn_amount *out);

/*
 * R-LOCK-1: how much of a team total is unlocked `months` whole months
 * after fundraising ended: nothing before the cliff, then monthly_ppm of
 * the total per month from the cliff month on, capped at the total.
 */
dn_amount dnc_lock_unlocked(const dnc_params *p, dn_amount total, uint64_t months);
/* Whole months between end_s and now_s (0 if now_s < end_s). */
uint64_t dnc_lock_months(const dnc_params *p, dnc_time_s end_s, dnc_time_s now_s);

/*
 * R-EMIT-5 / R-GOV-2 provenance totals: DNET that started at genesis, what
 * it earned (stake seats, stake pools), and what traffic earned.
 */
typedef struct dnc_provenance {
	dn_amount initial;
	dn_amount stake_earned;
	dn_amount traffic_earned;
} dnc_provenance;

/* R-GOV-2: initial holders' share of voting weight, ppm. */
uint32_t dnc_initial_share_ppm(const dnc_provenance *v);

/*
 * R-GOV-2 projection: with traffic_ppm of every block reward going to
 * traffic (non-initial) holders, the first height after which the initial
 * holders hold no more than gov_num/gov_den. OUT *height.
 * DNC_ENOTFOUND if it never happens within the emission schedule. Any
 * schedule kind (walks the periods of a non-flat one).
 */
DNC_WUR dnc_rc dnc_gov_crossing_height(const dnc_params *p, uint32_t traffic_ppm,
				       uint64_t *height);

#endif
