/*
 * params.c: the SPEC defaults of every protocol parameter and the check
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
	p->unit_bytes = UINT64_C(1) << 20;
	p->grace_units = 4;
	p->supply_base = INT64_C(7500000000) * DNC_UNITS_PER_DNET;
	p->alpha_ppm = 100000;
	p->beta_ppm = 100000;
	p->gamma_ppm = 50000;
	p->emission_years = 10;
	p->producer_ppm = 50000;
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

dnc_rc dnc_params_check(const dnc_params *p)
{
	if (p->block_interval_s == 0 || p->delegates == 0 ||
	    p->delegates > 4096 || p->lambda_ppm > DNC_PPM ||
	    p->epoch_blocks == 0 || p->traffic_window_blocks == 0 ||
	    p->supply_base <= 0 || p->emission_years == 0 ||
	    (uint64_t)p->alpha_ppm + p->beta_ppm + p->gamma_ppm > DNC_PPM ||
	    p->producer_ppm > DNC_PPM || p->delegate_fee_ppm > DNC_PPM ||
	    p->community_fee_ppm > DNC_FEE_MAX_PPM ||
	    p->relay_pool_ppm > DNC_PPM ||
	    (uint64_t)p->fwd_origin_ppm + p->fwd_seller_ppm + p->fwd_pool_ppm > DNC_PPM ||
	    p->fwd_first_ppm > DNC_PPM || p->fwd_decay_ppm >= DNC_PPM ||
	    p->fwd_min_reward_base < 1 || p->gov_den == 0 ||
	    p->gov_num >= p->gov_den || p->month_s == 0 ||
	    p->lock_monthly_ppm == 0 || p->lock_monthly_ppm > DNC_PPM ||
	    p->confirmations == 0 || (unsigned)p->check_conservation > DNC_CHECK_FULL)
		return DNC_EINVAL;
	return DNC_OK;
}

