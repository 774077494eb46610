/*
 * params.c: the rules' defaults of every protocol parameter and the check
 * that a parameter set is usable. Nothing else lives here.
 */
#include "dnc_params.h"

#include <string.h>

void dnc_params_default(dnc_params *p)
{
	memset(p, 0, sizeof *p);
	p->block_interval_s = 10;
	p->confirmations = 3;
	p->delegates = 180;
	p->lambda_ppm = 500000;
	p->traffic_window_blocks = 8640;
	p->epoch_blocks = 8640;
	/* R-CONS-3: the paper names the ingredients, not their weights: a
	 * third each is the project's decision (docs/chain.md) */
	p->quality_price_ppm = 333334;
	p->quality_loss_ppm = 333333;
	p->quality_stability_ppm = 333333;
	p->unit_bytes = UINT64_C(1) << 20;
	p->grace_units = 4;
	p->supply_base = INT64_C(7500000000) * DNC_UNITS_PER_DNET;
	p->alpha_ppm = 100000;
	p->beta_ppm = 100000;
	p->gamma_ppm = 50000;
	p->emission_years = 10;
	p->producer_ppm = 50000;
	p->emission_kind = DNC_EMIT_FLAT;
	p->emission_blocks = 0;          /* from emission_years */
	p->emission_decay_ppm = 800000;  /* used by DNC_EMIT_GEOMETRIC only */
	p->emission_halving_years = 4;   /* used by DNC_EMIT_HALVING only */
	p->delegate_fee_ppm = 100000;
	p->community_fee_ppm = 5000;
	p->relay_pool_ppm = 500000;
	p->relay_mode = DNC_RELAY_EQUAL;
	p->fwd_origin_ppm = 150000;
	p->fwd_seller_ppm = 600000;
	p->fwd_pool_ppm = 200000;
	p->fwd_first_ppm = 500000;
	p->fwd_decay_ppm = 500000;
	p->fwd_min_reward_base = 10;
	p->fwd_order = DNC_FWD_FROM_ORIGIN;
	p->gov_num = 2;
	p->gov_den = 3;
	p->gov_voting_blocks = 8640;
	p->lock_cliff_months = 6;
	p->lock_monthly_ppm = 20000;
	p->month_s = 365u * 86400u / 12u;
	p->f2f_max_failures = 5;
	p->check_conservation = DNC_CHECK_INCREMENTAL;
}

/* R-EMIT-1: the schedule's own parameters (see emission.h). */
static dnc_rc emission_check(const dnc_params *p)
{
	uint64_t bpy = p->block_interval_s ? UINT64_C(365) * 86400 / p->block_interval_s : 0;
	uint64_t len, period;
	if (bpy == 0)
		return DNC_EINVAL;
	len = p->emission_blocks ? p->emission_blocks : bpy * p->emission_years;
	switch (p->emission_kind) {
	case DNC_EMIT_FLAT:
		return DNC_OK;
	case DNC_EMIT_GEOMETRIC:
		if (p->emission_decay_ppm == 0 || p->emission_decay_ppm > DNC_PPM)
			return DNC_EINVAL;
		period = bpy;
		break;
	case DNC_EMIT_HALVING:
		if (p->emission_halving_years == 0)
			return DNC_EINVAL;
		period = bpy * p->emission_halving_years;
		break;
	default:
		return DNC_EINVAL;
	}
	/* periods = ceil(len / period), without overflowing near UINT64_MAX */
	return len / period + (len % period != 0) > DNC_EMIT_MAX_PERIODS ? DNC_EINVAL : DNC_OK;
}

dnc_rc dnc_params_check(const dnc_params *p)
{
	if (p->block_interval_s == 0 || p->delegates == 0 ||
	    p->delegates > 4096 || p->lambda_ppm > DNC_PPM ||
	    p->epoch_blocks == 0 || p->traffic_window_blocks == 0 ||
	    p->supply_base <= 0 ||
	    (p->emission_years == 0 && p->emission_blocks == 0) ||
	    (uint64_t)p->alpha_ppm + p->beta_ppm + p->gamma_ppm > DNC_PPM ||
	    p->producer_ppm > DNC_PPM || p->delegate_fee_ppm > DNC_PPM ||
	    p->community_fee_ppm > DNC_FEE_MAX_PPM ||
	    p->relay_pool_ppm > DNC_PPM ||
	    (uint64_t)p->fwd_origin_ppm + p->fwd_seller_ppm + p->fwd_pool_ppm > DNC_PPM ||
	    p->fwd_first_ppm > DNC_PPM || p->fwd_decay_ppm >= DNC_PPM ||
	    p->fwd_min_reward_base < 1 || p->score_min_price_base < 0 || p->score_bond_base < 0 || p->gov_den == 0 ||
	    p->gov_num >= p->gov_den || p->month_s == 0 ||
	    p->lock_monthly_ppm == 0 || p->lock_monthly_ppm > DNC_PPM ||
	    p->confirmations == 0 || (unsigned)p->check_conservation > DNC_CHECK_FULL ||
	    (unsigned)p->seat_payout > DNC_PAYOUT_EPOCH ||
	    (uint64_t)p->quality_price_ppm + p->quality_loss_ppm +
	    p->quality_stability_ppm != DNC_PPM)
		return DNC_EINVAL;
	return emission_check(p);
}

