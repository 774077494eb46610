/*
 * split.c: payment splits. See split.h; the rule ids sit next to the
 * lines that implement them.
 */
#include "split.h"

#include <assert.h>
#include <string.h>

dnc_rc dnc_split_fee(dn_amount payment, uint32_t fee_ppm, dn_amount *fee,
		     dn_amount *net)
{
	dnc_rc rc;
	if (payment < 0 || fee_ppm > DNC_FEE_MAX_PPM) /* R-FEE-2 cap */
		return DNC_EINVAL;
	rc = dnc_ppm_of(payment, fee_ppm, fee);       /* R-FEE-3: fee first */
	if (rc)
		return rc;
	*net = payment - *fee;
	return DNC_OK;
}

dnc_rc dnc_split_pool(dn_amount amount, uint32_t delegate_ppm,
		      dn_amount *delegate, dn_amount *owners)
{
	dnc_rc rc;
	if (amount < 0 || delegate_ppm > DNC_PPM)
		return DNC_EINVAL;
	rc = dnc_ppm_of(amount, delegate_ppm, delegate); /* R-FEE-1: 10 % */
	if (rc)
		return rc;
	*owners = amount - *delegate;                   /* R-FEE-1: 90 % */
	return DNC_OK;
}

dnc_rc dnc_split_share(const dnc_params *p, dn_amount payment,
		       uint32_t n_relays, const uint64_t *relay_bytes,
		       dnc_share_split *s)
{
	dn_amount net, pool, given = 0;
	dnc_u128 total_bytes = 0;
	uint32_t i;
	dnc_rc rc;

	memset(s, 0, sizeof *s);
	if (n_relays > DNC_MAX_RELAYS)
		return DNC_EINVAL;
	rc = dnc_split_fee(payment, p->community_fee_ppm, &s->fee, &net);
	if (rc)
		return rc;
	s->n_relays = n_relays;
	if (n_relays == 0) {
		s->provider = net; /* R-SHARE-1: direct, 100 % after the fee */
		return DNC_OK;
	}
	rc = dnc_ppm_of(net, p->relay_pool_ppm, &pool); /* R-SHARE-2: 50 % */
	if (rc)
		return rc;
	if (p->relay_mode == DNC_RELAY_PROPORTIONAL_BYTES) {
		if (!relay_bytes)
			return DNC_EINVAL;
		for (i = 0; i < n_relays; i++)
			total_bytes += relay_bytes[i];
		if (total_bytes == 0 || total_bytes > UINT64_MAX)
			return DNC_EINVAL;
		for (i = 0; i < n_relays; i++) {
			rc = dnc_muldiv(pool, relay_bytes[i], (uint64_t)total_bytes,
					&s->relay[i]);
			if (rc)
				return rc;
			given += s->relay[i];
		}
	} else {
		for (i = 0; i < n_relays; i++) {
			s->relay[i] = pool / n_relays; /* R-SHARE-2: equal */
			given += s->relay[i];
		}
	}
	assert(given <= pool && pool <= net);
	s->provider = net - given; /* R-SHARE-2: 50 % + rounding remainder */
	return DNC_OK;
}

dnc_rc dnc_split_forward(const dnc_params *p, dn_amount payment, uint32_t k,
			 int direct, dnc_fwd_split *s)
{
	dn_amount net, pool, reward, given;
	uint32_t i;
	dnc_rc rc;

	memset(s, 0, sizeof *s);
	if (k > DNC_MAX_MIDDLEMEN || (direct && k > 0))
		return DNC_EINVAL;
	rc = dnc_split_fee(payment, p->community_fee_ppm, &s->fee, &net);
	if (rc)
		return rc;
	s->n_middle = k;
	if (direct) {
		s->origin = net; /* R-FWD-3: O sells directly, O gets all */
		return DNC_OK;
	}
	rc = dnc_ppm_of(net, p->fwd_origin_ppm, &s->origin); /* R-FWD-1: 15 % */
	if (rc)
		return rc;
	rc = dnc_ppm_of(net, p->fwd_pool_ppm, &pool);       /* R-FWD-1: 20 % */
	if (rc)
		return rc;
	/* R-FWD-2: first 50 % of the pool, each next 50 % of the previous,
	 * stopping below the minimum reward or when the middlemen run out */
	rc = dnc_ppm_of(pool, p->fwd_first_ppm, &reward);
	if (rc)
		return rc;
	given = 0;
	for (i = 0; i < k; i++) {
		uint32_t slot;
		if (reward < p->fwd_min_reward_base)
			break;
		slot = p->fwd_order == DNC_FWD_NEAREST_BUYER_FIRST ? k - 1 - i : i;
		s->middle[slot] = reward;
		given += reward;
		rc = dnc_ppm_of(reward, p->fwd_decay_ppm, &reward);
		if (rc)
			return rc;
	}
	/* the halving series never exceeds the pool */
	if (given > pool)
		return DNC_EINVAL;
	/* R-FWD-3: S gets its 60 % plus everything not allocated (the
	 * unused pool, the 5 % left over, rounding). So fwd_seller_ppm is
	 * never read here: S's share is the remainder, at least
	 * fwd_seller_ppm because dnc_params_check bounds origin + seller +
	 * pool by 1 (the one place the parameter acts). */
	s->seller = net - s->origin - given;
	return DNC_OK;
}
