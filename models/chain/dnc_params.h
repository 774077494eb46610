/*
 * dnc_params.h: every tunable of the protocol, with the rules' defaults.
 * The simulator fills this from a scenario; the library never reads a
 * parameter from anywhere else. Ratios are parts per million (ppm).
 */
#ifndef DNC_PARAMS_H
#define DNC_PARAMS_H

#include "dnc_base.h"

#define DNC_FEE_MAX_PPM 5000u  /* R-FEE-2: at most 0.5 % */

typedef enum dnc_relay_mode {
	DNC_RELAY_EQUAL = 0,            /* R-SHARE-2 default */
	DNC_RELAY_PROPORTIONAL_BYTES,   /* R-SHARE-2 alternative */
} dnc_relay_mode;

typedef enum dnc_fwd_order {
	DNC_FWD_FROM_ORIGIN = 0,        /* R-FWD-2 default: M1 next after O */
	DNC_FWD_NEAREST_BUYER_FIRST,    /* R-FWD-2 alternative */
} dnc_fwd_order;

/* R-EMIT-1 / R-EMIT-4: the shape of the block-reward schedule. */
typedef enum dnc_emit_kind {
	DNC_EMIT_FLAT = 0,              /* default: the same reward every block */
	DNC_EMIT_GEOMETRIC,             /* each year decay_ppm of the previous */
	DNC_EMIT_HALVING,               /* the reward halves every halving_years */
} dnc_emit_kind;

/* Most periods (years, halving periods) a non-flat schedule may have. */
#define DNC_EMIT_MAX_PERIODS 64u

/* When the delegate pools receive the block rewards and fees (R-EMIT-3,
 * R-FEE-1,2): a rule of the chain. */
typedef enum dnc_payout_mode {
	DNC_PAYOUT_BLOCK = 0,           /* default: every block pays its pools */
	DNC_PAYOUT_EPOCH,               /* the pools' part of every reward and
	                                   every fee waits in the fee pot; the
	                                   seats of the epoch are paid it all
	                                   when their set leaves office
	                                   (dnc_chain_pay_seats) */
} dnc_payout_mode;

/* What dnc_chain_end_block checks of conservation (a node-local choice). */
typedef enum dnc_check_mode {
	DNC_CHECK_OFF = 0,              /* the caller checks (or not) */
	DNC_CHECK_INCREMENTAL,          /* dnc_ledger_check_block: O(touched) */
	DNC_CHECK_FULL,                 /* that and the full scan: O(n) */
} dnc_check_mode;

typedef struct dnc_params {
	/* 1. chain */
	uint32_t block_interval_s;      /* R-CHAIN-1: 10 */
	uint32_t confirmations;         /* R-CHAIN-3: 3 */
	/* 2. consensus */
	uint32_t delegates;             /* R-CONS-1: D = 180 */
	uint32_t lambda_ppm;            /* R-CONS-2: 500,000 (90 + 90) */
	uint32_t traffic_window_blocks; /* R-CONS-3: 8,640 */
	uint32_t epoch_blocks;          /* R-CONS-5: 8,640 */
	uint32_t quality_price_ppm;     /* R-CONS-3: weight of low price, 333,334 */
	uint32_t quality_loss_ppm;      /* R-CONS-3: weight of low loss, 333,333 */
	uint32_t quality_stability_ppm; /* R-CONS-3: weight of stability, 333,333;
	                                   the three add up to 10^6 */
	dn_amount score_min_price_base; /* countermeasure (R-CONS-3/4): units
	                                   redeemed at a price below this do not
	                                   count toward traffic scores; 0: off */
	uint64_t score_cap_units;       /* countermeasure: traffic units a
	                                   distributor may be scored for in one
	                                   window (what its link could carry);
	                                   0: off */
	dn_amount score_bond_base;      /* countermeasure: a distributor holding
	                                   less than this (balance and locks)
	                                   when its units are redeemed or its
	                                   session closes is scored for none of
	                                   them: its bond, which R-ADMIN-1 can
	                                   take; 0: off */
	uint32_t seat_cluster_max;      /* countermeasure (R-CONS-1): most delegate
	                                   seats one owner cluster (accounts
	                                   linked by who first funded whom,
	                                   dnc_owner_cluster) may hold in an
	                                   epoch; 0: off */
	/* 3. traffic */
	uint64_t unit_bytes;            /* R-CRED-1: 1 MiB */
	uint32_t grace_units;           /* R-CRED-5: 4 */
	/* 4. supply and emission */
	dn_amount supply_base;          /* R-SUP-1: 7.5e9 DNET */
	uint32_t alpha_ppm;             /* R-SUP-2: team 10 % */
	uint32_t beta_ppm;              /* R-SUP-2: sale 10 % */
	uint32_t gamma_ppm;             /* R-SUP-2: community 5 % */
	uint32_t emission_years;        /* R-EMIT-1: 10 */
	uint32_t producer_ppm;          /* R-EMIT-3: 5 % */
	dnc_emit_kind emission_kind;    /* R-EMIT-1: flat (emission.h) */
	uint64_t emission_blocks;       /* R-EMIT-1/2: schedule length in blocks;
	                                   0 = emission_years * blocks per year */
	uint32_t emission_decay_ppm;    /* geometric: a year / the year before,
	                                   800,000 (0.8) */
	uint32_t emission_halving_years;/* halving: period of the halving, 4 */
	/* 5. fees and splits */
	uint32_t delegate_fee_ppm;      /* R-FEE-1: 10 % to the delegate */
	dnc_payout_mode seat_payout;    /* R-EMIT-3, R-FEE-1: per block (default)
	                                   or per epoch */
	uint32_t community_fee_ppm;     /* R-FEE-2: 0.5 % (at most 0.5 %) */
	uint32_t relay_pool_ppm;        /* R-SHARE-2: 50 % */
	dnc_relay_mode relay_mode;      /* R-SHARE-2 */
	uint32_t fwd_origin_ppm;        /* R-FWD-1: 15 % */
	uint32_t fwd_seller_ppm;        /* R-FWD-1: 60 % */
	uint32_t fwd_pool_ppm;          /* R-FWD-1: 20 % */
	uint32_t fwd_first_ppm;         /* R-FWD-2: M1 gets 50 % of the pool */
	uint32_t fwd_decay_ppm;         /* R-FWD-2: each next 50 % of previous */
	dn_amount fwd_min_reward_base;  /* R-FWD-2: 10 base units (1e-7 DNET) */
	dnc_fwd_order fwd_order;        /* R-FWD-2 */
	/* 6. governance, lock-up, admin */
	uint32_t gov_num, gov_den;      /* R-GOV-1: more than 2/3 */
	uint32_t gov_voting_blocks;     /* R-GOV-1: 8,640 */
	uint32_t lock_cliff_months;     /* R-LOCK-1: 6 */
	uint32_t lock_monthly_ppm;      /* R-LOCK-1: 2 % */
	uint32_t month_s;               /* R-LOCK-1: 365 d / 12 */
	uint32_t f2f_max_failures;      /* R-F2F-1: 5 wrong passwords */
	/* checks */
	dnc_check_mode check_conservation; /* after every block: incremental */
} dnc_params;

/* OUT *p: the rules' defaults (check_conservation incremental). */
void dnc_params_default(dnc_params *p);
/*
 * DNC_OK if p is usable, else DNC_EINVAL (e.g. fee above 0.5 %, a
 * non-flat emission schedule with more than DNC_EMIT_MAX_PERIODS periods,
 * a geometric decay of 0 or above 10^6 ppm, a halving period of 0 years,
 * quality weights that do not add up to 10^6 ppm).
 */
DNC_WUR dnc_rc dnc_params_check(const dnc_params *p);

#endif
