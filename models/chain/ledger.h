/*
 * ledger.h: the account store. Accounts are addressed by a dense index
 * (dnc_acct, 0..n-1, assigned in creation order) and found by public key
 * through an open-addressing table. The hot state (balances, nonces) lives
 * in flat arrays; the rest (typed locks, stake votes, delegate pools,
 * traffic scores) in a per-account record. Records start as zero pages
 * from calloc and an all-zero record is a valid fresh account, so an
 * account that never locks, votes or earns traffic scores costs only its
 * key, balance and table slot in resident memory (about 56 bytes).
 *
 * Money only moves through functions here, and every one keeps the
 * conservation law: sum(balances) + sum(locks) + unminted == supply
 * (dnc_ledger_check_conservation scans it; dnc_ledger_check_block checks
 * it over the accounts written since the last check). A function that
 * fails changes nothing. No allocation after dnc_ledger_create: the
 * capacity is fixed.
 *
 * Typed locks: TEAM (R-LOCK-1), SESSION (traffic deposits, R-CRED-2), F2F
 * (face-to-face escrow, R-F2F-1), STAKE (votes, R-CONS-5) and POOL (a
 * delegate's undistributed rewards owed to its voters, R-FEE-1).
 */
#ifndef DNC_LEDGER_H
#define DNC_LEDGER_H

#include "dnc_base.h"

typedef enum dnc_lock_kind {
	DNC_LOCK_TEAM = 0,
	DNC_LOCK_SESSION,
	DNC_LOCK_F2F,
	DNC_LOCK_STAKE,
	DNC_LOCK_POOL,
	DNC_LOCK_N
} dnc_lock_kind;

#define DNC_GOV_SLOTS 8        /* open proposals at once (R-GOV-1) */

/* Per-account record beyond balance and nonce. Read-only for callers. */
typedef struct dnc_account {
	dn_amount lock[DNC_LOCK_N];
	dn_amount team_total;          /* R-LOCK-1: amount frozen at genesis */
	dn_amount team_released;       /* R-LOCK-1: already unlocked */
	dn_amount votes_received;      /* R-CONS-5: stake voted for us */
	dnc_u128 pool_acc;    /* R-FEE-1: owners' reward per staked
					  unit, 2^64 fixed point */
	dnc_u128 voter_snap;  /* pool_acc of voted_for when settled */
	uint64_t stake_frozen_until;   /* R-GOV-1: block height */
	uint64_t window;               /* R-CONS-3: current score window id */
	uint64_t vol_cur, vol_prev;    /* R-CONS-3: redeemed units per window */
	uint64_t qual_cur, qual_prev;  /* R-CONS-3: cheapness-weighted units */
	uint64_t settled_cur, settled_prev; /* R-CONS-3 loss: units redeemed in
	                                  the sessions settled in the window */
	uint64_t bought_cur, bought_prev;   /* R-CONS-3 loss: units their deposits
	                                  paid for */
	uint32_t streak_cur, streak_prev;   /* R-CONS-3 stability: consecutive
	                                  windows with traffic ending with the
	                                  window (capped, DNC_QUAL_STREAK_CAP) */
	uint64_t dtoken_units;         /* R-CONS-4: lifetime redeemed units */
	dnc_acct vote_slot;            /* R-CONS-5: candidate + 1, 0 = none (so a
	                                  zeroed record is a valid fresh one) */
	dnc_acct funder_slot;          /* owner clusters (chain.seat_cluster_max):
	                                  the account whose transfer first brought
	                                  this one from nothing, + 1; 0 = none */
	uint32_t flags;                /* DNC_ACCT_* */
	uint32_t gov_voted[DNC_GOV_SLOTS]; /* R-GOV-1: proposal serial voted */
} dnc_account;

enum {
	DNC_ACCT_INITIAL = 1u << 0,    /* received a genesis allocation */
	DNC_ACCT_SYSTEM = 1u << 1,     /* contract / pool address */
	DNC_ACCT_HUB = 1u << 2,        /* a service funding unrelated accounts
	                                  (an exchange): owner clusters stop
	                                  at it (dnc_owner_cluster) */
};

/* R-CONS-5: the candidate an account votes for, or DNC_NONE. */
static inline dnc_acct dnc_account_voted_for(const dnc_account *a)
{
	return a->vote_slot ? a->vote_slot - 1 : DNC_NONE;
}

typedef struct dnc_ledger dnc_ledger;

/*
 * Create a ledger for at most cap accounts with a fixed total supply, all
 * of it unminted. OUT *out, owned by the caller, freed with
 * dnc_ledger_destroy. DNC_EINVAL (cap 0 or >= 2^30, supply <= 0),
 * DNC_ENOMEM.
 */
DNC_WUR dnc_rc dnc_ledger_create(uint32_t cap, dn_amount supply, dnc_ledger **out);
void dnc_ledger_destroy(dnc_ledger *L);

/*
 * Memory of a ledger of cap accounts (any cap, even one create refuses),
 * for estimates made before creating one. OUT *hot: key table, balances, nonces and keys, touched as accounts
 * are added, and the block journal (at most about 17 MB whatever the cap,
 * touched as far as a block's writes reach). OUT *records: the
 * per-account records, zero pages until an account locks, votes or earns
 * scores.
 */
void dnc_ledger_footprint(uint64_t cap, uint64_t *hot, uint64_t *records);

/*
 * Add an account with this public key. OUT *idx (its dense index; also
 * set to the existing index on DNC_EEXISTS). DNC_EFULL at capacity.
 */
DNC_WUR dnc_rc dnc_ledger_add(dnc_ledger *L, const dnc_pubkey *pk, dnc_acct *idx);
/* Index of the account with this key, or DNC_NONE. */
dnc_acct dnc_ledger_find(const dnc_ledger *L, const dnc_pubkey *pk);

/*
 * Read access. An index >= count gives NULL / 0. Pointers stay valid for
 * the ledger's life (the arrays never move).
 */
uint32_t dnc_ledger_count(const dnc_ledger *L);
uint32_t dnc_ledger_capacity(const dnc_ledger *L);
const dnc_pubkey *dnc_ledger_pk(const dnc_ledger *L, dnc_acct a);
dn_amount dnc_ledger_balance(const dnc_ledger *L, dnc_acct a);
/* All balances, indexed by account (count() entries), read-only. */
const dn_amount *dnc_ledger_balances(const dnc_ledger *L);
uint64_t dnc_ledger_nonce(const dnc_ledger *L, dnc_acct a);
const dnc_account *dnc_ledger_account(const dnc_ledger *L, dnc_acct a);
/* balance + all locks of one account */
dn_amount dnc_ledger_holdings(const dnc_ledger *L, dnc_acct a);

dn_amount dnc_ledger_supply(const dnc_ledger *L);
dn_amount dnc_ledger_unminted(const dnc_ledger *L);
dn_amount dnc_ledger_locked_total(const dnc_ledger *L, dnc_lock_kind k);

/* Set flag bits on an account (genesis/system marking). */
void dnc_ledger_set_flags(dnc_ledger *L, dnc_acct a, uint32_t flags);
/*
 * Owner clusters: note that `from` has just moved DNET to `to`, which held
 * nothing before (the caller checks). The first such account becomes to's
 * funder, unless either is a system account, from == to, or to is among
 * from's own funders (no cycles). Nothing else changes.
 */
void dnc_ledger_note_funder(dnc_ledger *L, dnc_acct from, dnc_acct to);
/* a's funder, or DNC_NONE. */
dnc_acct dnc_ledger_funder(const dnc_ledger *L, dnc_acct a);
/* Longest funder chain dnc_owner_cluster follows (and the cycle check looks along). */
#define DNC_CLUSTER_DEPTH 64u
/* Advance the account's nonce by one (after a transaction applied). */
void dnc_ledger_bump_nonce(dnc_ledger *L, dnc_acct a);

/* Mint amount from the unminted reserve to a's balance. DNC_ESUPPLY. */
DNC_WUR dnc_rc dnc_ledger_mint(dnc_ledger *L, dnc_acct to, dn_amount amount);

/*
 * Move amount (>= 0) from one balance to another: the hot path, O(1), no
 * hashing. DNC_EINVAL (bad index, negative), DNC_EINSUFFICIENT.
 */
DNC_WUR dnc_rc dnc_ledger_transfer(dnc_ledger *L, dnc_acct from, dnc_acct to,
				   dn_amount amount);

/* balance -> lock k of the same account. DNC_EINSUFFICIENT. */
DNC_WUR dnc_rc dnc_ledger_lock(dnc_ledger *L, dnc_acct a, dnc_lock_kind k,
			       dn_amount amount);
/* lock k of from -> balance of to (to == from unlocks). DNC_EINSUFFICIENT. */
DNC_WUR dnc_rc dnc_ledger_unlock_to(dnc_ledger *L, dnc_acct from, dnc_lock_kind k,
				    dnc_acct to, dn_amount amount);

/*
 * R-LOCK-1 team lock at genesis: mint amount into a's TEAM lock and record
 * it as the account's team total. DNC_ESUPPLY.
 */
DNC_WUR dnc_rc dnc_ledger_mint_team(dnc_ledger *L, dnc_acct a, dn_amount amount);

/*
 * R-CONS-5 stake vote: set voter's stake on candidate to amount (0 removes
 * the vote). Pending pool rewards are settled first; the difference moves
 * between balance and STAKE lock. DNC_ELOCKED if the stake is frozen by a
 * governance vote (height < stake_frozen_until) and would fall or change
 * candidate; DNC_EINSUFFICIENT.
 */
DNC_WUR dnc_rc dnc_ledger_vote(dnc_ledger *L, dnc_acct voter, dnc_acct candidate,
			       dn_amount amount, uint64_t height);
/* Freeze voter's stake until height (keeps the later of two freezes). */
void dnc_ledger_freeze_stake(dnc_ledger *L, dnc_acct voter, uint64_t until_height);

/*
 * R-FEE-1 / R-EMIT-3: pay amount into delegate's pool. from == DNC_NONE
 * mints it (block reward), else it comes out of from's balance (fees).
 * delegate_ppm of it (floor) goes to the delegate; the rest to the pool's
 * owners pro rata to their stake, credited lazily (O(1) here, settled when
 * a voter votes or calls dnc_ledger_settle). A pool with no stake pays
 * its owners' part to the delegate. OUT *to_delegate (may be NULL).
 * DNC_ESUPPLY, DNC_EINSUFFICIENT.
 */
DNC_WUR dnc_rc dnc_ledger_pool_pay(dnc_ledger *L, dnc_acct from, dnc_acct delegate,
				   dn_amount amount, uint32_t delegate_ppm,
				   dn_amount *to_delegate);
/* Pay voter its pending pool rewards. OUT *paid (may be NULL). */
DNC_WUR dnc_rc dnc_ledger_settle(dnc_ledger *L, dnc_acct voter, dn_amount *paid);
/* Pending (unsettled) pool rewards of voter. */
dn_amount dnc_ledger_pending(const dnc_ledger *L, dnc_acct voter);

/*
 * R-LOCK-1: release the TEAM lock of a down to what is still locked when
 * unlocked_total of the team total may be free. OUT *released (0 if
 * nothing new). DNC_EINVAL for a bad index.
 */
DNC_WUR dnc_rc dnc_ledger_team_release(dnc_ledger *L, dnc_acct a,
				       dn_amount unlocked_total, dn_amount *released);

/*
 * R-GOV-1: record that a voted on proposal `id` in slot. DNC_EEXISTS if it
 * already did.
 */
DNC_WUR dnc_rc dnc_ledger_gov_mark(dnc_ledger *L, dnc_acct a, uint32_t slot,
				   uint32_t id);

/*
 * R-CONS-3/4: credit units of redeemed traffic at price_per_unit to a
 * distributor in score window `window` (windows are numbered; a caller
 * passes height / window_blocks). Only the credential contract calls this.
 */
void dnc_ledger_credit_traffic(dnc_ledger *L, dnc_acct a, uint64_t units,
			       dn_amount price_per_unit, uint64_t window);
/* Volume and quality scores of the complete window `window` (quality
 * here is the price ingredient alone, see dnc_ledger_quality_score). */
void dnc_ledger_traffic_score(const dnc_ledger *L, dnc_acct a, uint64_t window,
			      uint64_t *volume, uint64_t *quality);

/*
 * R-CONS-3 loss: a session of distributor a was settled (closed) in score
 * window `window` with redeemed_units of the bought_units its consumer's
 * deposit paid for. A consumer stops signing when the link loses or stalls
 * (R-CRED-5), so the undelivered share is the loss the chain can see.
 * Only the credential contract calls this. Late windows are ignored.
 */
void dnc_ledger_credit_settled(dnc_ledger *L, dnc_acct a, uint64_t redeemed_units,
			       uint64_t bought_units, uint64_t window);

/* R-CONS-3 stability: consecutive windows counted at most (30 = a month of
 * the default one-day windows). */
#define DNC_QUAL_STREAK_CAP 30u

/*
 * R-CONS-3 quality ingredients of one score window, each units-weighted
 * and computed only from what the chain saw (redeemed credentials and
 * settled sessions, nothing self-reported):
 *   price     = sum over redeemed units of 10^8 / price_per_unit (cheapness)
 *   loss      = S^2 / B for the sessions settled in the window, S units
 *               redeemed of B units bought: the units weighted by the
 *               delivered share S / B (a lossless distributor scores S)
 *   stability = volume * min(streak, DNC_QUAL_STREAK_CAP), streak being
 *               the number of consecutive windows with redeemed traffic
 *               ending with this one
 * Each saturates at UINT64_MAX.
 */
typedef struct dnc_quality {
	uint64_t price, loss, stability;
} dnc_quality;

/* The quality ingredients of a in the complete window `window`. OUT *q. */
void dnc_ledger_quality_score(const dnc_ledger *L, dnc_acct a, uint64_t window,
			      dnc_quality *q);

/*
 * Scan every account: DNC_OK if balances + locks + unminted == supply and
 * every lock total matches, else DNC_ECONSERVATION. O(n).
 */
DNC_WUR dnc_rc dnc_ledger_check_conservation(const dnc_ledger *L);

/*
 * Incremental conservation (R-SUP-1, R-EMIT-4). Every write to a balance,
 * a lock or the unminted reserve is journaled: the accounts written since
 * the last check (the value of each written slot before its first write),
 * each account's net change, and the part of a change that no ledger
 * operation balanced (a leg without its counter-leg: "unexplained").
 * dnc_ledger_check_block checks, reading only those accounts, that their
 * changes and the reserve's add up to zero, that each lock total moved by
 * the sum of its locks' changes, that no change is unexplained, and that
 * no written balance or lock is negative nor a team lock above what is
 * left of its total. Then it starts a new journal. O(touched).
 *
 * The journal logs at most 131,072 writes per block (a transfer makes
 * two); a block that makes more (a genesis, say) is checked by the full
 * scan instead. A write that bypasses this file's functions to an account
 * nothing else wrote in the block is invisible here: only the full scan
 * sees it. Logging costs one sequential store per write; grouping by
 * account is the check's work.
 *
 * height names the block in the report. DNC_OK or DNC_ECONSERVATION; the
 * details of the last check are in dnc_ledger_conservation_report.
 */
DNC_WUR dnc_rc dnc_ledger_check_block(dnc_ledger *L, uint64_t height);

#define DNC_CONSERVATION_ACCTS 8  /* accounts a report names at most */

typedef struct dnc_conservation_acct {
	dnc_acct acct;             /* DNC_NONE: the unminted reserve */
	dn_amount change;          /* holdings now - before the block */
	dn_amount unexplained;     /* part of change no balanced operation made */
	dn_amount balance;         /* now (negative is a violation itself) */
} dnc_conservation_acct;

typedef struct dnc_conservation_report {
	uint64_t height;           /* as passed to dnc_ledger_check_block */
	dn_amount imbalance;       /* supply now - supply before (0 if whole) */
	uint32_t touched;          /* accounts written in the block (every
				      account on a full scan) */
	uint32_t examined;         /* accounts the check read */
	uint32_t full_scan;        /* 1: journal overflow, every account scanned */
	uint32_t n;                /* entries in acct */
	/* accounts breaking a rule, largest |unexplained| first */
	dnc_conservation_acct acct[DNC_CONSERVATION_ACCTS];
} dnc_conservation_report;

/* OUT *out: the last dnc_ledger_check_block's findings (zero before any). */
void dnc_ledger_conservation_report(const dnc_ledger *L, dnc_conservation_report *out);

typedef struct dnc_check_stats {
	uint64_t checks;           /* dnc_ledger_check_block calls */
	uint64_t examined;         /* accounts they read, in all */
	uint64_t full_scans;       /* of them, full scans (journal overflow) */
	uint32_t max_touched;      /* most accounts a block checked
				      incrementally wrote */
} dnc_check_stats;

/* OUT *out: totals over every dnc_ledger_check_block so far. */
void dnc_ledger_check_stats(const dnc_ledger *L, dnc_check_stats *out);

/*
 * R-CHAIN-2: the part of an account a state root commits to. A data
 * service node serves the record and its proof; a light node hashes it with
 * dnc_account_record_leaf and checks the proof against its header.
 */
typedef struct dnc_account_record {
	dnc_pubkey pk;
	dn_amount balance;
	uint64_t nonce;
	dn_amount lock[DNC_LOCK_N];
} dnc_account_record;

/* OUT *r: the record of account a. DNC_EINVAL for a bad index. */
DNC_WUR dnc_rc dnc_ledger_account_record(const dnc_ledger *L, dnc_acct a,
					 dnc_account_record *r);
/* Leaf hash of a record. OUT h. */
void dnc_account_record_leaf(const dnc_account_record *r, dnc_hash *h);
/* Leaf hash of account a's record (zero record for a bad index). OUT h. */
void dnc_ledger_account_leaf(const dnc_ledger *L, dnc_acct a, dnc_hash *h);

#endif
