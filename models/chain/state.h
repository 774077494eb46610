/*
 * state.h: the chain state machine: ledger + built-in contracts (traffic
 * sharing, face-to-face escrow, governance, admin) + emission, driven by
 * transactions and block boundaries.
 *
 * dnc_chain_apply_tx applies one transaction all-or-nothing: on any error
 * nothing changes (one documented exception: a wrong face-to-face password
 * raises the escrow's attempt counter, which is the rate limit, R-F2F-1).
 * dnc_chain_end_block mints the block reward and pays the block's fees to
 * the delegate pools (R-EMIT-3, R-FEE-1,2), closes finished votes, and
 * checks conservation as p->check_conservation says (by default over the
 * accounts the block touched, dnc_ledger_check_block).
 *
 * The simulator may also move money by account index directly through the
 * ledger (dnc_chain_ledger) for its bulk paths, and use dnc_chain_pay_share
 * / dnc_chain_pay_content, which apply the same splits as the transactions.
 */
#ifndef DNC_STATE_H
#define DNC_STATE_H

#include "consensus.h"
#include "credential.h"
#include "dnc_params.h"
#include "emission.h"
#include "ledger.h"
#include "sig.h"
#include "split.h"
#include "tx.h"

typedef struct dnc_chain dnc_chain;

/* Table sizes: every table is bounded. */
typedef struct dnc_chain_limits {
	uint32_t accounts;      /* ledger capacity (system accounts included) */
	uint64_t sessions;      /* traffic sessions over the whole run */
	uint32_t escrows;       /* face-to-face escrows over the whole run */
} dnc_chain_limits;

/*
 * Create a chain. The parameter set and scheme are copied. Two system
 * accounts exist from the start: the fee pot (dnc_chain_fee_pot) and the
 * foundation (dnc_chain_foundation, whose key is passed here).
 * OUT *out, freed with dnc_chain_destroy. DNC_EINVAL, DNC_ENOMEM.
 */
DNC_WUR dnc_rc dnc_chain_create(const dnc_params *p, const dnc_sigscheme *s,
				const dnc_chain_limits *lim,
				const dnc_pubkey *foundation, dnc_chain **out);
void dnc_chain_destroy(dnc_chain *c);

/*
 * Parts of the chain, owned by it. Moving money through the ledger
 * directly (by index) is allowed: it keeps conservation by construction.
 */
dnc_ledger *dnc_chain_ledger(dnc_chain *c);
const dnc_ledger *dnc_chain_ledger_c(const dnc_chain *c);
/* The chain's own copy of its signature scheme (what it verified: dnc_sig_counts). */
const dnc_sigscheme *dnc_chain_sigscheme(const dnc_chain *c);
const dnc_params *dnc_chain_params(const dnc_chain *c);
const dnc_sessions *dnc_chain_sessions(const dnc_chain *c);
const dnc_emission *dnc_chain_emission(const dnc_chain *c);
dnc_acct dnc_chain_fee_pot(const dnc_chain *c);
dnc_acct dnc_chain_foundation(const dnc_chain *c);
uint64_t dnc_chain_height(const dnc_chain *c);   /* next block's height */

/*
 * The chain id: the genesis hash, 32 bytes. BLAKE2b-256 over the signature
 * scheme's name, every parameter the rules use and the foundation's key
 * (dnc_chain_create), then folded with each dnc_chain_genesis allocation
 * (recipient key, kind, amount) in call order. So chains created from the
 * same genesis share it and any other genesis gives another one. Every
 * signed transaction (dnc_tx_sign) and credential (dnc_credential_sign)
 * names it; on any other chain they are rejected with DNC_EWRONGCHAIN.
 * It is final once the genesis allocation is: sign nothing before the last
 * dnc_chain_genesis call (a later allocation changes the id, and what was
 * signed before no longer verifies). Owned by the chain.
 */
const dnc_hash *dnc_chain_id(const dnc_chain *c);

/*
 * R-SUP-2 genesis: give amount to account a from the E0 allocation, as
 * team (locked, R-LOCK-1), sale or community. The three kinds are capped at
 * alpha, beta, gamma of the supply (DNC_ESUPPLY). Only before block 0 ends
 * (DNC_ETOOLATE). The account is flagged DNC_ACCT_INITIAL. The allocation
 * becomes part of the chain id (dnc_chain_id).
 */
typedef enum dnc_genesis_kind { DNC_GEN_TEAM, DNC_GEN_SALE, DNC_GEN_COMMUNITY } dnc_genesis_kind;
DNC_WUR dnc_rc dnc_chain_genesis(dnc_chain *c, dnc_acct a, dnc_genesis_kind kind,
				 dn_amount amount);
/* R-LOCK-1: when fundraising ended (team unlock clock start). */
void dnc_chain_set_fundraising_end(dnc_chain *c, dnc_time_s end_s);
/* R-ADMIN-1: initial authorisation of admin retracts (governance may change it). */
void dnc_chain_set_admin_enabled(dnc_chain *c, int enabled);

/* Install the delegates that share this epoch's rewards (from dnc_elect). */
DNC_WUR dnc_rc dnc_chain_set_delegates(dnc_chain *c, const dnc_delegate_set *ds);
const dnc_delegate_set *dnc_chain_delegates(const dnc_chain *c);

/*
 * R-CONS-1..6 epoch change: elect the delegates from the ledger with the
 * current parameters (lambda may have been changed by governance), scoring
 * traffic over the last complete score window before the current height
 * (window 0 while none is complete), install them, and make the epoch's
 * producer schedule keyed by seed (the hash of the last block before the
 * epoch). OUT *sched (may be NULL). DNC_ENOTFOUND if nobody is electable
 * (the previous delegates stay), DNC_ENOMEM.
 */
DNC_WUR dnc_rc dnc_chain_new_epoch(dnc_chain *c, uint64_t epoch, const dnc_hash *seed,
				   dnc_schedule *sched);

/* What applying a transaction produced (for the caller's metrics). */
typedef struct dnc_tx_receipt {
	dn_amount fee_paid;         /* tx fee + community fee to the pot */
	dn_amount moved;            /* main amount moved */
	uint64_t created_id;        /* session / escrow / proposal id */
	uint64_t units;             /* redeemed traffic units */
} dnc_tx_receipt;

enum { DNC_APPLY_VERIFY_SIG = 1 };

/*
 * Apply one transaction at chain time now_s. With DNC_APPLY_VERIFY_SIG it
 * is verified first (dnc_tx_verify): DNC_EWRONGCHAIN if it names another
 * chain id, DNC_EBADSIG if the signature fails. Without the flag the
 * caller vouches for both. A redeemed credential is always checked,
 * chain and distributor included (dnc_session_check). The nonce must
 * equal the sender's (DNC_EBADNONCE); the fee goes to the block's pot.
 * OUT *r (may be NULL). All or nothing.
 */
DNC_WUR dnc_rc dnc_chain_apply_tx(dnc_chain *c, const dnc_tx *tx, dnc_time_s now_s,
				  unsigned flags, dnc_tx_receipt *r);

/*
 * Parallel validation, serial application. A transaction's stateless
 * signature checks can be computed ahead of its application, many at once,
 * and consumed when it is applied:
 *   sig   what dnc_tx_verify gives (the signature over the encoding with
 *         tx->from's key; DNC_EWRONGCHAIN, DNC_EBADSIG, ...);
 *   cred  for a redeem, the credential's signature under the consumer key
 *         of the session as the chain held it at pre-check time
 *         (dnc_session_precheck); the redeem uses it only if that key is
 *         still the session's consumer's, and checks itself otherwise.
 */
typedef struct dnc_tx_verdict {
	dnc_rc sig;
	dnc_sig of;               /* the signature judged: a cheap guard against a
	                           * verdict of another tx (an index mix-up), not a
	                           * proof that v was computed from this one */
	dnc_cred_verdict cred;
} dnc_tx_verdict;

/*
 * OUT *v: tx's verdict against this chain. Reads the chain only (its id,
 * scheme, sessions and keys): calls may run concurrently with each other,
 * never with anything that changes the chain. Computing a verdict for a
 * transaction that is then not applied is harmless.
 */
void dnc_chain_precheck_tx(const dnc_chain *c, const dnc_tx *tx, dnc_tx_verdict *v);

/*
 * dnc_chain_apply_tx with DNC_APPLY_VERIFY_SIG, the signatures taken from
 * v (dnc_chain_precheck_tx of this same tx on this chain) at exactly the
 * places the serial path checks them: the transaction's after the
 * malformed check and before the sender, nonce and fee; the credential's
 * inside dnc_session_check, after the session, distributor and state
 * checks and before the deposit and replay checks. Same receipt, same
 * result code, same state change as the serial path. A verdict of another
 * transaction (v->of is not tx->sig) is a caller bug: DNC_EINVAL at that
 * same place, nothing changed.
 */
DNC_WUR dnc_rc dnc_chain_apply_tx_pre(dnc_chain *c, const dnc_tx *tx,
				      const dnc_tx_verdict *v, dnc_time_s now_s,
				      dnc_tx_receipt *r);

/*
 * Index-addressed payment paths with the transaction splits, for bulk
 * simulation (no signatures, no nonces). All or nothing.
 * R-SHARE-1/2: payer pays price; provider and relays[n] paid per
 * dnc_split_share; the community fee to the pot. relay_bytes may be NULL.
 */
DNC_WUR dnc_rc dnc_chain_pay_share(dnc_chain *c, dnc_acct payer, dnc_acct provider,
				   const dnc_acct *relays, uint32_t n_relays,
				   const uint64_t *relay_bytes, dn_amount price,
				   dnc_share_split *out);
/* R-FWD-1..3: buyer pays price; origin, middle[k] (from O), seller. */
DNC_WUR dnc_rc dnc_chain_pay_content(dnc_chain *c, dnc_acct buyer, dnc_acct origin,
				     const dnc_acct *middle, uint32_t k, dnc_acct seller,
				     dn_amount price, dnc_fwd_split *out);

/* What a block boundary did. */
typedef struct dnc_block_summary {
	uint64_t height;
	dn_amount reward;              /* minted (R-EMIT-1) */
	dn_amount producer_reward;     /* R-EMIT-3 */
	dn_amount fees_distributed;    /* R-FEE-1/2 */
	dn_amount paid_out;            /* what accounts received: the reward and
	                                  the fees distributed; under
	                                  DNC_PAYOUT_EPOCH the producer's part
	                                  (or, from dnc_chain_pay_seats, the
	                                  whole pot) */
	dn_amount accrued;             /* DNC_PAYOUT_EPOCH: what entered the pot
	                                  for the seats in this block (the
	                                  pools' reward and the fees) */
	dn_amount accrued_by_kind[DNC_SEAT_KINDS]; /* that split by seat kind
	                                  as the payout will split it (R-EMIT-3:
	                                  by seat count) */
	dn_amount minted_total;        /* all block rewards so far */
	dnc_provenance prov;           /* R-EMIT-5 running totals */
	uint32_t initial_share_ppm;    /* R-GOV-2 */
	uint32_t proposals_closed, proposals_passed;
} dnc_block_summary;

/*
 * End the current block: producer_seat is the index (into the installed
 * delegate set) of the seat that produced it. Mints the reward (5 % to the
 * producer, 95 % over the pools by seat share and score, R-EMIT-3), pays
 * the fee pot to the pools (R-FEE-1/2), tallies proposals whose vote ended
 * (R-GOV-1), checks conservation as p->check_conservation says
 * (DNC_ECONSERVATION, details in dnc_chain_conservation_report), and
 * advances the height. OUT *sum (may be NULL). DNC_EINVAL without a
 * delegate set or with a bad seat.
 */
DNC_WUR dnc_rc dnc_chain_end_block(dnc_chain *c, uint32_t producer_seat,
				   dnc_time_s now_s, dnc_block_summary *sum);

/*
 * DNC_PAYOUT_EPOCH: pay the seats in office everything waiting in the fee
 * pot (the pools' part of every reward since they took office, and the
 * fees), split as a block's would be (R-EMIT-3, R-FEE-1,2), and count the
 * reward part's provenance (R-EMIT-5). A new delegate set pays the
 * outgoing one first (dnc_chain_set_delegates, dnc_chain_new_epoch), so a
 * caller needs this only to see the payout. OUT *sum (may be NULL): reward
 * and fees paid, paid_out their sum. DNC_OK, doing nothing, under
 * DNC_PAYOUT_BLOCK or without a delegate set.
 */
DNC_WUR dnc_rc dnc_chain_pay_seats(dnc_chain *c, dnc_block_summary *sum);

/* R-EMIT-5 / R-GOV-2 running totals. */
const dnc_provenance *dnc_chain_provenance(const dnc_chain *c);

/* R-F2F-1 escrows. */
typedef struct dnc_escrow {
	dnc_acct from, to;
	dn_amount amount;
	dnc_hash pw_hash;
	dnc_time_s deadline_s;
	uint32_t failures;
	uint32_t state;            /* 1 open, 2 claimed, 3 refunded */
} dnc_escrow;
const dnc_escrow *dnc_chain_escrow(const dnc_chain *c, uint64_t id);
uint64_t dnc_chain_f2f_failures(const dnc_chain *c);  /* all wrong passwords */

/* R-GOV-1 proposals. */
typedef struct dnc_proposal {
	uint64_t id;               /* serial, 1-based; 0 = empty slot */
	uint32_t param;            /* dnc_gov_param */
	int64_t value;
	uint64_t end_height;       /* tallied when this height ends */
	dn_amount yes_weight, no_weight;
	uint32_t state;            /* 1 open, 2 passed, 3 failed */
} dnc_proposal;
/* The proposal with this id if still open or just closed; NULL otherwise. */
const dnc_proposal *dnc_chain_proposal(const dnc_chain *c, uint64_t id);

/* R-ADMIN-1: retract statistics and the last entries of the log. */
#define DNC_ADMIN_LOG 64
typedef struct dnc_admin_entry {
	uint64_t height;
	dnc_acct target;
	dn_amount amount;
	uint32_t reason;
} dnc_admin_entry;
typedef struct dnc_admin_stats {
	uint64_t count;
	dn_amount total;
	dnc_admin_entry log[DNC_ADMIN_LOG];  /* ring, entry i at i % 64 */
} dnc_admin_stats;
const dnc_admin_stats *dnc_chain_admin_stats(const dnc_chain *c);

/* Full ledger scan (R-EMIT-4 conservation). */
DNC_WUR dnc_rc dnc_chain_check(const dnc_chain *c);

/*
 * Incremental conservation over what the ledger wrote since the last
 * check (dnc_ledger_check_block), for a caller that checks at its own
 * block boundary (p->check_conservation DNC_CHECK_OFF). height names the
 * block in the report. DNC_ECONSERVATION.
 */
DNC_WUR dnc_rc dnc_chain_check_block(dnc_chain *c, uint64_t height);
/* OUT *out: the last check's findings (dnc_ledger_conservation_report). */
void dnc_chain_conservation_report(const dnc_chain *c, dnc_conservation_report *out);

#endif
