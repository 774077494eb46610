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

/* geometric: the first period's weight (emission.h) */
#define GEO_W0 (UINT64_C(1) << 56)

/* blocks in period k of a non-flat schedule (the last may be short) */
static uint64_t period_len(const dnc_emission *e, uint64_t k)
{
	uint64_t len = e->end_height - e->start_height;
	assert(k < e->periods);
	return k + 1 < e->periods ? e->period_blocks : len - k * e->period_blocks;
}

/*
 * geometric: S_k (OUT *before) and the weight of period k (OUT *own);
 * k == periods gives S_P in *before. O(k).
 */
static void geo_weights(const dnc_emission *e, uint64_t k, dnc_u128 *before,
			uint64_t *own)
{
	uint64_t w = GEO_W0, j, v = 0;
	dnc_u128 s = 0;
	for (j = 0; j <= k && j < e->periods; j++) {
		uint64_t n = period_len(e, j);
		/* a short last period weighs in proportion to its blocks */
		v = n == e->period_blocks ? w
			: (uint64_t)((dnc_u128)w * n / e->period_blocks);
		if (j == k)
			break;
		s += v;
		w = (uint64_t)((dnc_u128)w * e->decay_ppm / DNC_PPM);
	}
	*before = s;
	*own = k < e->periods ? v : 0;
}

/* geometric: C_k = floor(E S_k / S_P), the release of the first k periods */
static dn_amount geo_cumulative(const dnc_emission *e, dnc_u128 s_k)
{
	assert(e->weight_total > 0 && s_k <= e->weight_total);
	return (dn_amount)((dnc_u128)(uint64_t)e->total * s_k / e->weight_total);
}

/* B_k: the budget of period k of a non-flat schedule */
static dn_amount period_budget(const dnc_emission *e, uint64_t k)
{
	if (e->kind == DNC_EMIT_GEOMETRIC) {
		dnc_u128 s;
		uint64_t v;
		geo_weights(e, k, &s, &v);
		return geo_cumulative(e, s + v) - geo_cumulative(e, s);
	}
	assert(e->kind == DNC_EMIT_HALVING);
	if (k + 1 < e->periods)
		return (dn_amount)period_len(e, k) * (e->first_reward >> k);
	return e->last_budget;
}

/* reward of block i (0-based) of period k: the last block takes the dust */
static dn_amount period_block(const dnc_emission *e, uint64_t k, uint64_t i)
{
	uint64_t n = period_len(e, k);
	dn_amount b = period_budget(e, k), base = b / (dn_amount)n;
	assert(i < n);
	return i + 1 == n ? b - base * (dn_amount)(n - 1) : base;
}

/* DNC_EMIT_GEOMETRIC / DNC_EMIT_HALVING over len blocks (emission.h) */
static dnc_rc sched_init(const dnc_params *p, dnc_emission *e, uint64_t len,
			 dn_amount emission)
{
	uint64_t pb, np, k;
	if (p->emission_kind == DNC_EMIT_GEOMETRIC) {
		if (p->emission_decay_ppm == 0 || p->emission_decay_ppm > DNC_PPM)
			return DNC_EINVAL;
		pb = e->blocks_per_year;
	} else if (p->emission_kind == DNC_EMIT_HALVING) {
		if (p->emission_halving_years == 0)
			return DNC_EINVAL;
		pb = e->blocks_per_year * p->emission_halving_years;
	} else {
		return DNC_EINVAL;
	}
	np = len / pb + (len % pb != 0);
	if (np == 0 || np > DNC_EMIT_MAX_PERIODS)
		return DNC_EINVAL;
	e->kind = (uint32_t)p->emission_kind;
	e->periods = (uint32_t)np;
	e->period_blocks = pb;
	e->total = emission;
	e->start_height = 0;
	e->end_height = len;
	if (e->kind == DNC_EMIT_GEOMETRIC) {
		uint64_t own;
		e->decay_ppm = p->emission_decay_ppm;
		geo_weights(e, np, &e->weight_total, &own);
		assert(e->weight_total >= GEO_W0 / e->period_blocks);
	} else {
		/* R_0 = floor(E 2^(P-1) / sum_k n_k 2^(P-1-k)) */
		dnc_u128 den = 0;
		dn_amount paid = 0;
		for (k = 0; k < np; k++)
			den += (dnc_u128)period_len(e, k) << (np - 1 - k);
		e->first_reward = (dn_amount)(((dnc_u128)(uint64_t)emission << (np - 1)) / den);
		for (k = 0; k + 1 < np; k++)
			paid += (dn_amount)period_len(e, k) * (e->first_reward >> k);
		assert(paid <= emission);
		e->last_budget = emission - paid;    /* the last period: what is left */
	}
	e->block_reward = period_block(e, 0, 0);
	e->per_delegate = e->block_reward / (dn_amount)e->delegates;
	return DNC_OK;
}

dnc_rc dnc_emission_init(const dnc_params *p, dnc_emission *e)
{
	dnc_allocation a;
	uint64_t len;
	dnc_rc rc;
	memset(e, 0, sizeof *e);
	if (p->delegates == 0 || (p->emission_years == 0 && p->emission_blocks == 0))
		return DNC_EINVAL;
	rc = dnc_allocation_compute(p, &a);
	if (rc)
		return rc;
	e->blocks_per_year = dnc_blocks_per_year(p->block_interval_s);
	if (e->blocks_per_year == 0)
		return DNC_EINVAL;
	e->delegates = p->delegates;
	e->start_height = 0;
	/* R-EMIT-1: within the years, or the length a caller derived from delta */
	len = p->emission_blocks ? p->emission_blocks
				 : e->blocks_per_year * p->emission_years;
	if (p->emission_kind == DNC_EMIT_FLAT)
		return dnc_emission_retune(e, 0, len, a.emission);
	return sched_init(p, e, len, a.emission);
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
	/* R-EMIT-4: whatever the kind was, the rest is released flat */
	e->kind = DNC_EMIT_FLAT;
	e->total = remaining;
	return DNC_OK;
}

dn_amount dnc_emission_reward(const dnc_emission *e, uint64_t height,
			      dn_amount remaining)
{
	uint64_t off;
	dn_amount r;
	if (remaining <= 0 || height >= e->end_height)
		return 0;
	if (e->kind == DNC_EMIT_FLAT) {
		if (height + 1 == e->end_height)
			return remaining;  /* R-EMIT-1: all released within the years */
		return e->block_reward < remaining ? e->block_reward : remaining; /* R-EMIT-4 */
	}
	if (height < e->start_height)
		return 0;
	off = height - e->start_height;
	r = period_block(e, off / e->period_blocks, off % e->period_blocks);
	return r < remaining ? r : remaining;  /* R-EMIT-4: never past the supply */
}

dn_amount dnc_emission_released_by(const dnc_emission *e, uint64_t end)
{
	uint64_t blocks, k, i;
	dn_amount got = 0;
	if (end > e->end_height)
		end = e->end_height;
	if (end <= e->start_height)
		return 0;
	if (end == e->end_height)
		return e->total;     /* every kind releases exactly its total */
	blocks = end - e->start_height;
	if (e->kind == DNC_EMIT_FLAT)
		return e->block_reward * (dn_amount)blocks;
	k = blocks / e->period_blocks;        /* whole periods, then i blocks */
	i = blocks % e->period_blocks;
	if (e->kind == DNC_EMIT_GEOMETRIC) {
		dnc_u128 s;
		uint64_t v;
		geo_weights(e, k, &s, &v);
		got = geo_cumulative(e, s);
	} else {
		uint64_t j;
		for (j = 0; j < k; j++)
			got += period_budget(e, j);
	}
	if (i > 0)   /* i < n_k: the dust block of period k is not reached */
		got += period_block(e, k, 0) * (dn_amount)i;
	return got;
}

dnc_rc dnc_emission_blocks_for_delta(const dnc_params *p, dn_amount num, dn_amount den,
				     uint64_t *blocks)
{
	dnc_allocation a;
	dnc_u128 n, d, q;
	dnc_rc rc;
	*blocks = 0;
	if (num <= 0 || den <= 0)
		return DNC_EINVAL;
	rc = dnc_allocation_compute(p, &a);
	if (rc)
		return rc;
	/* R-EMIT-2: blocks = ceil(E / (delta supply)) = ceil(E den / (num supply)) */
	n = (dnc_u128)(uint64_t)a.emission * (uint64_t)den;
	d = (dnc_u128)(uint64_t)num * (uint64_t)p->supply_base;
	q = (n + d - 1) / d;
	assert(q <= (uint64_t)den);   /* E <= supply */
	*blocks = (uint64_t)q;
	return DNC_OK;
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

/*
 * n blocks of `reward` each, starting from *held / *all after *done blocks:
 * 1 (and OUT *height) if the initial share falls to num/den within them,
 * else 0 with *held, *all, *done moved past them.
 */
static int gov_segment(const dnc_params *p, uint32_t traffic_ppm, dn_amount reward,
		       uint64_t n, dnc_i128 *held, dnc_i128 *all, uint64_t *done,
		       uint64_t *height)
{
	dnc_i128 num = p->gov_num, den = p->gov_den, lhs, slope, j;
	dn_amount rt = 0, ri;
	if (n == 0)
		return 0;
	if (dnc_ppm_of(reward, traffic_ppm, &rt) != DNC_OK)
		rt = 0;
	ri = reward - rt;
	/* (held + j ri) den <= num (all + j reward)  <=>  j slope >= lhs */
	lhs = *held * den - num * *all;
	slope = num * (dnc_i128)reward - den * (dnc_i128)ri;
	if (lhs <= 0) {
		*height = *done > 0 ? *done : 1;
		return 1;
	}
	if (slope > 0) {
		j = (lhs + slope - 1) / slope;
		if (j <= (dnc_i128)n) {
			*height = *done + (uint64_t)j;
			return 1;
		}
	}
	*held += (dnc_i128)n * ri;
	*all += (dnc_i128)n * reward;
	*done += n;
	return 0;
}

/* dnc_gov_crossing_height for a non-flat schedule: period by period */
static dnc_rc gov_crossing_periods(const dnc_params *p, const dnc_emission *e,
				   const dnc_allocation *a, uint32_t traffic_ppm,
				   uint64_t *height)
{
	dnc_i128 held = a->initial, all = a->initial;
	uint64_t k, done = 0;
	for (k = 0; k < e->periods; k++) {
		uint64_t n = period_len(e, k);
		dn_amount base = period_block(e, k, 0), last = period_block(e, k, n - 1);
		if (gov_segment(p, traffic_ppm, base, n - 1, &held, &all, &done, height) ||
		    gov_segment(p, traffic_ppm, last, 1, &held, &all, &done, height))
			return DNC_OK;
	}
	return DNC_ENOTFOUND;
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
	if (e.kind != DNC_EMIT_FLAT)
		return gov_crossing_periods(p, &e, &a, traffic_ppm, height);
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
