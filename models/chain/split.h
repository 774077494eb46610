/*
 * split.h: how one payment is divided (R-FEE-1..3, R-SHARE-1,2, R-FWD-1..3).
 * Pure integer functions: they move no money, they say who gets what. Every
 * share is rounded down to a base unit and the remainder goes to the party
 * the rule names, so the parts always add up to the payment exactly.
 */
#ifndef DNC_SPLIT_H
#define DNC_SPLIT_H

#include "dnc_base.h"
#include "dnc_params.h"

#define DNC_MAX_RELAYS 16       /* ad hoc path length bound */
#define DNC_MAX_MIDDLEMEN 32    /* forwarding chain bound */

/*
 * R-FEE-2 / R-FEE-3: community fee off the top. OUT *fee, *net with
 * fee + net == payment. DNC_EINVAL for payment < 0 or fee above 0.5 %.
 */
DNC_WUR dnc_rc dnc_split_fee(dn_amount payment, uint32_t fee_ppm,
			     dn_amount *fee, dn_amount *net);

/*
 * R-FEE-1: a pool amount between delegate (delegate_ppm) and owners.
 * OUT *delegate, *owners, adding up to amount.
 */
DNC_WUR dnc_rc dnc_split_pool(dn_amount amount, uint32_t delegate_ppm,
			      dn_amount *delegate, dn_amount *owners);

/* The result of a network-sharing payment. */
typedef struct dnc_share_split {
	dn_amount fee;                      /* R-FEE-2 */
	dn_amount provider;                 /* R-SHARE-1/2 */
	dn_amount relay[DNC_MAX_RELAYS];    /* R-SHARE-2 */
	uint32_t n_relays;
} dnc_share_split;

/*
 * R-SHARE-1 (n_relays == 0, direct) and R-SHARE-2 (ad hoc path): relays
 * share relay_pool_ppm of the net payment, equally or by relay_bytes
 * (p->relay_mode; relay_bytes may be NULL in equal mode); the provider
 * gets the rest. OUT *s. DNC_EINVAL (n_relays > DNC_MAX_RELAYS, negative
 * payment, all-zero bytes in proportional mode).
 */
DNC_WUR dnc_rc dnc_split_share(const dnc_params *p, dn_amount payment,
			       uint32_t n_relays, const uint64_t *relay_bytes,
			       dnc_share_split *s);

/* The result of a content sale. */
typedef struct dnc_fwd_split {
	dn_amount fee;                          /* R-FEE-2 */
	dn_amount origin;                       /* O, R-FWD-1 */
	dn_amount seller;                       /* S, R-FWD-1/3 */
	dn_amount middle[DNC_MAX_MIDDLEMEN];    /* M1..Mk in chain order */
	uint32_t n_middle;
} dnc_fwd_split;

/*
 * R-FWD-1..3: content sale through k middlemen. direct != 0 means O sells
 * to the buyer itself (k must be 0) and gets everything after the fee.
 * OUT *s. DNC_EINVAL (k too large, direct with middlemen, bad payment).
 */
DNC_WUR dnc_rc dnc_split_forward(const dnc_params *p, dn_amount payment,
				 uint32_t k, int direct, dnc_fwd_split *s);

#endif
