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

/* The block-reward schedule. */
typedef struct dnc_emission {
	dn_amount per_delegate;   /* R-EMIT-1: t, base units per delegate per block */
	dn_amount block_reward;   /* D * t */
	uint32_t delegates;       /* D */
	uint64_t start_height;    /* first height of this schedule */
	uint64_t end_height;      /* first height with no reward */
	uint64_t blocks_per_year;
} dnc_emission;

/*
 * R-EMIT-1: t = emission / (blocks_per_year * years * D), floored to a base
 * unit; the floors' dust is released by the last block. OUT *e.
 */
DNC_WUR dnc_rc dnc_emission_init(const dnc_params *p, dnc_emission *e);

/*
 * R-EMIT-4: re-tune at `height` so that `remaining` (the emission not yet
 * minted) is released by end_height. DNC_EINVAL if end_height <= height.
 */
DNC_WUR dnc_rc dnc_emission_retune(dnc_emission *e, uint64_t height,
				   uint64_t end_height, dn_amount remaining);

/*
 * Reward of the block at `height` given what is left of the emission
 * (never more: R-EMIT-4). The last block of the schedule takes the dust.
 */
dn_amount dnc_emission_reward(const dnc_emission *e, uint64_t height,
			      dn_amount remaining);

/* R-EMIT-2: delta = block reward / supply as a fraction. OUT num, den. */
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
 * DNC_ENOTFOUND if it never happens within the emission schedule.
 */
DNC_WUR dnc_rc dnc_gov_crossing_height(const dnc_params *p, uint32_t traffic_ppm,
				       uint64_t *height);

#endif
