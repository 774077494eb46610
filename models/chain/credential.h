/*
 * credential.h: traffic usage credentials and the traffic-sharing contract
 * (R-CRED-1..7, feeding R-CONS-4).
 *
 * A consumer opens a session with a distributor and locks a deposit of
 * price x units (R-CRED-2). While served it signs cumulative credentials
 * (chain, distributor, session id, total units, sequence) (R-CRED-4); the distributor redeems
 * the latest one and is paid the new units from the deposit, less the
 * community fee (R-FEE-2, R-CRED-6). Forgeries, credentials of another
 * session, of another chain or made out to another distributor, totals
 * above the deposit and replays are rejected with a reason code and change
 * nothing (R-CRED-7). Only redeemed units raise the distributor's traffic
 * scores (R-CONS-4). The unused deposit returns to the consumer on close
 * (R-CRED-6).
 */
#ifndef DNC_CREDENTIAL_H
#define DNC_CREDENTIAL_H

#include "dnc_base.h"
#include "dnc_params.h"
#include "ledger.h"
#include "sig.h"
#include "split.h"

/*
 * R-CRED-1 / R-CRED-4: a cumulative credential. It names the chain (its
 * genesis hash, dnc_chain_id) and the distributor it pays, so it is good
 * for one session of one chain only: not on another chain that reuses the
 * session id (a partition, a fork, a second network), and not for another
 * distributor (R-CRED-7).
 *
 * Wire form (DNC_CRED_BYTES = 152, little endian, no padding):
 *   offset  size  field
 *        0    32  chain id
 *       32    32  distributor public key
 *       64     8  session id (u64, > 0)
 *       72     8  total units (u64, > 0)
 *       80     8  sequence (u64)
 *       88    64  consumer's signature
 * The signed message is "DNCRED02" || bytes 0..88 (DNC_CRED_MSG_BYTES).
 */
typedef struct dnc_credential {
	dnc_hash chain;           /* chain id the credential is good on */
	dnc_pubkey distributor;   /* who may redeem it */
	uint64_t session_id;      /* 1-based */
	uint64_t total_units;     /* cumulative units received (R-CRED-1 units) */
	uint64_t seq;             /* consumer's sequence number */
	dnc_sig sig;              /* consumer's signature of all the above */
} dnc_credential;

#define DNC_CRED_BODY_BYTES (DNC_HASH_BYTES + DNC_PK_BYTES + 24)
#define DNC_CRED_MSG_BYTES (8 + DNC_CRED_BODY_BYTES)
#define DNC_CRED_BYTES (DNC_CRED_BODY_BYTES + DNC_SIG_BYTES)

/* The signed message: "DNCRED02" || the wire form without the signature. OUT msg. */
void dnc_credential_message(const dnc_credential *c, uint8_t msg[DNC_CRED_MSG_BYTES]);
/*
 * Sign c in place with the consumer's secret key for chain `chain` and the
 * session's distributor: sets c->chain and c->distributor, then c->sig.
 */
DNC_WUR dnc_rc dnc_credential_sign(const dnc_sigscheme *s, const dnc_hash *chain,
				   const dnc_pubkey *distributor,
				   const uint8_t sk[DNC_SK_BYTES], dnc_credential *c);
/* Wire form (DNC_CRED_BYTES, above). */
void dnc_credential_encode(const dnc_credential *c, uint8_t out[DNC_CRED_BYTES]);
/* DNC_EMALFORMED if len is wrong or session id or total is 0. OUT *c. */
DNC_WUR dnc_rc dnc_credential_decode(const uint8_t *in, size_t len, dnc_credential *c);

typedef enum dnc_session_state {
	DNC_SESSION_OPEN = 1,
	DNC_SESSION_CLOSED = 2,
} dnc_session_state;

typedef struct dnc_session {
	dnc_acct consumer, distributor;
	dn_amount price_per_unit;
	uint64_t units_max;        /* deposit covers this many units */
	dn_amount deposit_left;    /* still locked */
	uint64_t redeemed_units;   /* highest total paid */
	uint64_t last_seq;
	dnc_time_s expiry_s;       /* consumer may close after this */
	uint16_t state;            /* dnc_session_state */
	uint16_t n_relays;         /* R-SHARE-2: relays on the path, 0 direct */
	uint32_t route;            /* first relay in dnc_sessions.hops */
	uint32_t gen;              /* the slot's generation: its id's upper 32 bits */
	uint16_t route_cap;        /* relays the slot's range in hops has room for */
} dnc_session;

/*
 * The contract's session table: bounded, ids never reused. A session's id
 * is (generation << 32) | slot, slot counted from 1. Slots are taken in
 * order while the table has unused ones (generation 0: ids 1, 2, 3, ...);
 * once it is full, an open takes the slot closed longest ago (a FIFO of
 * closed slots) with the next generation, so memory stays bounded however
 * long the chain runs while every id stays unique. An id whose slot has
 * since been reused finds no session (DNC_EWRONGSESSION). The relays of
 * every session with a path sit in one array (hops), n_relays from route;
 * a reused slot reuses its range when it is long enough.
 */
typedef struct dnc_sessions {
	dnc_session *v;
	uint64_t n, cap;
	dnc_acct *hops;
	uint32_t hops_n, hops_cap;
	uint32_t *closed;          /* cap entries: a ring of closed slots (0-based), oldest first */
	uint64_t closed_head, closed_n;
	uint64_t reused;           /* opens that took a closed slot */
} dnc_sessions;

/* Allocate room for cap sessions. Free with dnc_sessions_free. DNC_ENOMEM. */
DNC_WUR dnc_rc dnc_sessions_init(dnc_sessions *t, uint64_t cap);
void dnc_sessions_free(dnc_sessions *t);
/* The session with this id or NULL. */
const dnc_session *dnc_session_get(const dnc_sessions *t, uint64_t id);

/*
 * R-CRED-2: open a session; locks price * units of the consumer's balance.
 * OUT *id. DNC_EINVAL (zero price/units, same party), DNC_EOVERFLOW,
 * DNC_EINSUFFICIENT, DNC_EFULL.
 */
DNC_WUR dnc_rc dnc_session_open(dnc_sessions *t, dnc_ledger *L, dnc_acct consumer,
				dnc_acct distributor, dn_amount price_per_unit,
				uint64_t units, dnc_time_s expiry_s, uint64_t *id);

/*
 * R-SHARE-2: a session over an ad hoc path. As dnc_session_open, and every
 * redeem shares its payment after the community fee between the
 * distributor and relays[n_relays] (dnc_session_split). The relays must be
 * accounts other than the two parties, at most DNC_MAX_RELAYS (relays may
 * be NULL when n_relays is 0). DNC_EINVAL, DNC_ENOMEM besides
 * dnc_session_open's codes; nothing changes on error.
 */
DNC_WUR dnc_rc dnc_session_open_route(dnc_sessions *t, dnc_ledger *L, dnc_acct consumer,
				      dnc_acct distributor, const dnc_acct *relays,
				      uint32_t n_relays, dn_amount price_per_unit,
				      uint64_t units, dnc_time_s expiry_s, uint64_t *id);

/* The relays of session ss (n = ss->n_relays of them; NULL if none). */
const dnc_acct *dnc_session_relays(const dnc_sessions *t, const dnc_session *ss);

/*
 * R-SHARE-2 for a redeem: how net (the payment after the community fee,
 * R-FEE-3) is shared between a session's distributor and its n_relays
 * relays. Every relay carries every unit of the session, so equal shares
 * and shares proportional to bytes relayed are the same here. OUT *s
 * (s->fee is 0). DNC_EINVAL (n_relays > DNC_MAX_RELAYS, net < 0).
 */
DNC_WUR dnc_rc dnc_session_split(const dnc_params *p, dn_amount net, uint32_t n_relays,
				 dnc_share_split *s);

/*
 * R-CRED-7: every check of a redemption, changing nothing. chain is the id
 * of the chain the contract runs on (dnc_chain_id); redeemer must be the
 * session's distributor; session_id is the session the redeemer names.
 * OUT *new_units (units above what was already paid). Reason codes, in
 * check order: DNC_EWRONGCHAIN (credential for another chain),
 * DNC_EWRONGSESSION, DNC_EUNAUTHORIZED (redeemer is not the session's
 * distributor), DNC_EWRONGDIST (credential made out to another
 * distributor), DNC_ESESSIONCLOSED, DNC_EBADSIG, DNC_EOVERDEPOSIT,
 * DNC_EREPLAY.
 */
DNC_WUR dnc_rc dnc_session_check(const dnc_sessions *t, const dnc_ledger *L,
				 const dnc_sigscheme *s, const dnc_hash *chain,
				 dnc_acct redeemer, uint64_t session_id,
				 const dnc_credential *c, uint64_t *new_units);

/*
 * A credential's signature verdict computed ahead of its redeem, without
 * state changing in between (dnc_chain_precheck_tx): rc is what checking
 * the signature with pk gave (DNC_OK or DNC_EBADSIG). The key is chain
 * state (the session's consumer), so the verdict says which key it was
 * computed with; the redeem uses it only while the session's consumer key
 * is still pk, and verifies itself otherwise. known 0: no verdict.
 */
typedef struct dnc_cred_verdict {
	int known;
	dnc_rc rc;
	dnc_pubkey pk;
} dnc_cred_verdict;

/*
 * OUT *v: the verdict of c's signature under the consumer key of session
 * session_id as it stands now (v->known 0 if the session or its consumer
 * does not exist yet). Reads only: may run concurrently with itself, never
 * with anything that changes t or L.
 */
void dnc_session_precheck(const dnc_sessions *t, const dnc_ledger *L,
			  const dnc_sigscheme *s, uint64_t session_id,
			  const dnc_credential *c, dnc_cred_verdict *v);

/*
 * dnc_session_check with a precomputed signature verdict v (may be NULL:
 * the plain check). The verdict replaces the signature check at exactly
 * its place in the check order, so every reason code is the same.
 */
DNC_WUR dnc_rc dnc_session_check_pre(const dnc_sessions *t, const dnc_ledger *L,
				     const dnc_sigscheme *s, const dnc_hash *chain,
				     dnc_acct redeemer, uint64_t session_id,
				     const dnc_credential *c, const dnc_cred_verdict *v,
				     uint64_t *new_units);

/*
 * R-CRED-6: redeem. After dnc_session_check passes, pays new_units * price
 * from the deposit: the community fee (R-FEE-2) to fee_sink, the rest to
 * the distributor and the session's relays (dnc_session_split, R-SHARE-2);
 * credits the distributor's traffic scores in score window `window`
 * (R-CONS-4). OUT *paid (distributor and relays), *fee (may be NULL). All
 * or nothing.
 */
DNC_WUR dnc_rc dnc_session_redeem(dnc_sessions *t, dnc_ledger *L,
				  const dnc_sigscheme *s, const dnc_params *p,
				  const dnc_hash *chain, dnc_acct redeemer, uint64_t session_id,
				  const dnc_credential *c, dnc_acct fee_sink,
				  uint64_t window, dn_amount *paid, dn_amount *fee);
/* dnc_session_redeem with a precomputed verdict v (may be NULL), as
 * dnc_session_check_pre. */
DNC_WUR dnc_rc dnc_session_redeem_pre(dnc_sessions *t, dnc_ledger *L,
				      const dnc_sigscheme *s, const dnc_params *p,
				      const dnc_hash *chain, dnc_acct redeemer,
				      uint64_t session_id, const dnc_credential *c,
				      const dnc_cred_verdict *v, dnc_acct fee_sink,
				      uint64_t window, dn_amount *paid, dn_amount *fee);

/*
 * R-CRED-6: close. The distributor may close at any time; the consumer only
 * at or after expiry_s (so it cannot pull the deposit from under a
 * distributor that has not redeemed yet). The unused deposit returns to the
 * consumer. The session is settled in score window `window`: its redeemed
 * units against the units its deposit bought feed the distributor's loss
 * ingredient (R-CONS-3, dnc_ledger_credit_settled). OUT *refund (may be
 * NULL). DNC_EWRONGSESSION, DNC_ESESSIONCLOSED, DNC_EUNAUTHORIZED,
 * DNC_ETOOEARLY.
 */
DNC_WUR dnc_rc dnc_session_close(dnc_sessions *t, dnc_ledger *L, dnc_acct closer,
				 uint64_t session_id, dnc_time_s now_s,
				 uint64_t window, dn_amount *refund);
/* dnc_session_close under the chain's parameters p (may be NULL: no
 * countermeasure): a session priced below p->score_min_price_base, or
 * whose distributor holds less than p->score_bond_base, adds nothing to
 * the loss ingredient. */
DNC_WUR dnc_rc dnc_session_close_p(dnc_sessions *t, dnc_ledger *L, const dnc_params *p,
				   dnc_acct closer, uint64_t session_id, dnc_time_s now_s,
				   uint64_t window, dn_amount *refund);

/*
 * R-CRED-5: should the distributor keep supplying? Yes while fewer than
 * grace_units delivered units are not yet covered by a credential.
 */
int dnc_session_should_serve(uint64_t delivered_units, uint64_t credited_units,
			     uint32_t grace_units);

/* R-CRED-1: units (rounded up) for a byte count. */
uint64_t dnc_units_for_bytes(uint64_t bytes, uint64_t unit_bytes);

/* R-CRED-3: a distributor's offer as seen by smart matching. */
typedef struct dnc_offer {
	uint32_t id;               /* caller's distributor id */
	uint32_t reachable;        /* 0 or 1 */
	uint64_t capacity_units;   /* spare capacity */
	dn_amount price_per_unit;
	uint32_t stability_ppm;    /* higher is more stable */
} dnc_offer;

/*
 * R-CRED-3: choose among n offers: reachable, with capacity, cheapest,
 * then most stable, then lowest id. Offers with id == exclude_id are
 * skipped (re-matching after a degraded link). OUT *chosen (an index into
 * o). DNC_ENOTFOUND when nobody is eligible.
 */
DNC_WUR dnc_rc dnc_match_select(const dnc_offer *o, uint32_t n, uint32_t exclude_id,
				uint32_t *chosen);

#endif
