/*
 * emission.c: block rewards, allocation, lock-up and voting-share
 * arithmetic. All integer; see emission.h.
 */
#include "emission.h"

#include <assert.h>
#include <string.h>

uint64_t dnc_blocks_per_year(uint32_t block_interval_s)
{
	/* R-CHAIN-1: a 365-day year */
	return block_interval_s ? UINT64_C(365) * 86400 / block_interval_s : 0;
}

dnc_rc dnc_allocation_compute(const dnc_params *p, dnc_allocation *a)
{
	dnc_rc rc;
	uint32_t e0 = p->alpha_ppm + p->beta_ppm + p->gamma_ppm;
	memset(a, 0, sizeof *a);
	if (e0 > DNC_PPM || p->supply_base <= 0)
		return DNC_EINVAL;
	rc = dnc_ppm_of(p->supply_base, p->alpha_ppm, &a->team);
	if (rc)
		return rc;
	rc = dnc_ppm_of(p->supply_base, p->beta_ppm, &a->sale);
	if (rc)
		return rc;
	rc = dnc_ppm_of(p->supply_base, p->gamma_ppm, &a->community);
	if (rc)
		return rc;
	a->initial = a->team + a->sale + a->community;   /* R-SUP-2: E0 */
	a->emission = p->supply_base - a->initial;      /* R-SUP-2: 1 - E0 */
	return DNC_OK;
}

dnc_rc dnc_emission_init(const dnc_params *p, dnc_emission *e)
{
	dnc_allocation a;
	dnc_rc rc;
	memset(e, 0, sizeof *e);
	if (p->delegates == 0 || p->emission_years == 0)
		return DNC_EINVAL;
	rc = dnc_allocation_compute(p, &a);
	if (rc)
		return rc;
	e->blocks_per_year = dnc_blocks_per_year(p->block_interval_s);
	if (e->blocks_per_year == 0)
		return DNC_EINVAL;
	e->delegates = p->delegates;
	e->start_height = 0;
	e->end_height = e->blocks_per_year * p->emission_years;
	return dnc_emission_retune(e, 0, e->end_height, a.emission);
}

dnc_rc dnc_emission_retune(dnc_emission *e, uint64_t height, uint64_t end_height,
			   dn_amount remaining)
{
	dnc_u128 den;
	if (end_height <= height || remaining < 0 || e->delegates == 0)
		return DNC_EINVAL;
	/* R-EMIT-1 / R-EMIT-4: t = remaining / (blocks left * D) */
	den = (dnc_u128)(end_height - height) * e->delegates;
	e->per_delegate = (dn_amount)((dnc_u128)(uint64_t)remaining / den);
	e->block_reward = e->per_delegate * (dn_amount)e->delegates;
	e->start_height = height;
	e->end_height = end_height;
	return DNC_OK;
}

dn_amount dnc_emission_reward(const dnc_emission *e, uint64_t height,
			      dn_amount remaining)
{
	if (remaining <= 0 || height >= e->end_height)
		return 0;
	if (height + 1 == e->end_height)
		return remaining;  /* R-EMIT-1: all released within the years */
	return e->block_reward < remaining ? e->block_reward : remaining; /* R-EMIT-4 */
}

void dnc_emission_delta(const dnc_emission *e, dn_amount supply, dn_amount *num,
			dn_amount *den)
{
	*num = e->block_reward;  /* R-EMIT-2: delta = D t / supply */
	*den = supply;
}

dnc_rc dnc_emission_producer_split(const dnc_params *p, dn_amount reward,
				   dn_amount *producer, dn_amount *pools)
{
	dnc_rc rc;
	if (reward < 0)
		return DNC_EINVAL;
	rc = dnc_ppm_of(reward, p->producer_ppm, producer); /* R-EMIT-3: 5 % */
	if (rc)
		return rc;
	*pools = reward - *producer;                       /* R-EMIT-3: 95 % */
	return DNC_OK;
}

dnc_rc dnc_split_weighted(dn_amount amount, const uint64_t *weight, uint32_t n,
			  dn_amount *out)
{
	dnc_u128 total = 0;
	dn_amount given = 0;
	uint32_t i, best = 0;
	if (n == 0 || amount < 0)
		return DNC_EINVAL;
	for (i = 0; i < n; i++) {
		total += weight[i];
		if (weight[i] > weight[best])
			best = i;
	}
	for (i = 0; i < n; i++) {
		out[i] = total == 0
			? amount / (dn_amount)n
			: (dn_amount)((dnc_u128)(uint64_t)amount * weight[i] / total);
		given += out[i];
	}
	assert(given <= amount);
	out[best] += amount - given;
	return DNC_OK;
}

dn_amount dnc_lock_unlocked(const dnc_params *p, dn_amount total, uint64_t months)
{
	dnc_u128 u;
	if (total <= 0 || months < p->lock_cliff_months)
		return 0;                  /* R-LOCK-1: first unlock at the cliff */
	/* R-LOCK-1: monthly_ppm of the total each month from the cliff on */
	u = (dnc_u128)(uint64_t)total * p->lock_monthly_ppm *
	    (months - p->lock_cliff_months + 1) / DNC_PPM;
	return u >= (dnc_u128)(uint64_t)total ? total : (dn_amount)u;
}

uint64_t dnc_lock_months(const dnc_params *p, dnc_time_s end_s, dnc_time_s now_s)
{
	if (now_s <= end_s || p->month_s == 0)
		return 0;
	return (uint64_t)(now_s - end_s) / p->month_s;
}

uint32_t dnc_initial_share_ppm(const dnc_provenance *v)
{
	dnc_u128 held = (uint64_t)v->initial + (uint64_t)v->stake_earned;
	dnc_u128 all = held + (uint64_t)v->traffic_earned;
	if (all == 0)
		return DNC_PPM;
	return (uint32_t)(held * DNC_PPM / all);
}

dnc_rc dnc_gov_crossing_height(const dnc_params *p, uint32_t traffic_ppm,
			       uint64_t *height)
{
	dnc_allocation a;
	dnc_emission e;
	dn_amount rt, ri, last_rt, last_ri;
	dnc_i128 lhs, slope, h, num = p->gov_num, den = p->gov_den;
	dnc_rc rc;

	if (traffic_ppm > DNC_PPM)
		return DNC_EINVAL;
	rc = dnc_allocation_compute(p, &a);
	if (rc)
		return rc;
	rc = dnc_emission_init(p, &e);
	if (rc)
		return rc;
	/* each block: rt to traffic holders, ri to the initial holders */
	rc = dnc_ppm_of(e.block_reward, traffic_ppm, &rt);
	if (rc)
		return rc;
	ri = e.block_reward - rt;
	/* initial share after h blocks: (I + h ri) / (I + h R). It is at most
	 * num/den when (I + h ri) den <= num (I + h R), i.e.
	 * I (den - num) <= h (num R - den ri). */
	lhs = (dnc_i128)a.initial * (den - num);
	slope = num * (dnc_i128)e.block_reward - den * (dnc_i128)ri;
	if (slope <= 0)
		return DNC_ENOTFOUND;
	h = (lhs + slope - 1) / slope;    /* smallest h with h slope >= lhs */
	if (h < 1)
		h = 1;
	if ((dnc_u128)h >= e.end_height) {
		/* check the final block, which also carries the dust */
		dn_amount total = a.emission;
		rc = dnc_ppm_of(total, traffic_ppm, &last_rt);
		if (rc)
			return rc;
		last_ri = total - last_rt;
		if (((dnc_i128)a.initial + last_ri) * den <=
		    num * ((dnc_i128)a.initial + total)) {
			*height = e.end_height;
			return DNC_OK;
		}
		return DNC_ENOTFOUND;
	}
	*height = (uint64_t)h;
	return DNC_OK;
}
