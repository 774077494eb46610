/*
 * tx.h: transactions and their compact binary encoding.
 *
 * Encoding (version 2; little endian, fixed widths, no padding):
 *   offset  size  field
 *        0     1  version (= 2)
 *        1     1  type (dnc_tx_type)
 *        2    32  chain id (dnc_chain_id of the chain it is for)
 *       34    32  sender public key
 *       66     8  nonce (u64)
 *       74     8  fee (i64, >= 0)
 *       82     n  payload (per type, below)
 *     82+n    64  signature
 * Payloads (amounts i64, ids and counts unsigned, keys and hashes 32 bytes):
 *   TRANSFER      to key | amount > 0                                   40
 *   VOTE          candidate key | amount >= 0                           40
 *   SESSION_OPEN  distributor key | price per unit > 0 | units u64 > 0 |
 *                 expiry_s | k u8 (<= 16) | k relay keys           57 + 32k
 *   REDEEM        session id u64 > 0 | credential (credential.h)       160
 *   SESSION_CLOSE session id u64 > 0                                     8
 *   F2F_LOCK      to key | amount > 0 | password hash | deadline_s      80
 *   F2F_CLAIM     escrow id u64 > 0 | password[32]                      40
 *   F2F_REFUND    escrow id u64 > 0                                      8
 *   RENT          owner key | price per period > 0 | periods u32        44
 *   CONTENT       price > 0 | direct u8 (0/1) | k u8 (<= 32, 0 if direct) |
 *                 origin key | seller key | k middlemen keys       74 + 32k
 *   SHARE         price > 0 | provider key | k u8 (<= 16) |
 *                 k x (relay key | relay bytes u64)                41 + 40k
 *   GOV_PROPOSE   param u32 | value i64 >= 0                            12
 *   GOV_VOTE      proposal id u64 > 0 | yes u8 (0/1)                     9
 *   ADMIN_RETRACT target key | amount > 0 | reason u32                  44
 *   TEAM_UNLOCK   (none)                                                 0
 * The decoder accepts exactly one byte string per transaction: it rejects
 * other versions, short or long input, unknown types, negative or zero
 * amounts where they make no sense, booleans other than 0/1, list counts
 * above the bounds and non-zero padding, with DNC_EMALFORMED. So
 * decode(encode(x)) == x and encode(decode(b)) == b for every accepted b.
 *
 * The signature covers "DNCTX002" || the encoding without the signature
 * (so the chain id too), made with the sender's key through a
 * dnc_sigscheme. The chain id travels in the clear so that a transaction
 * replayed on another chain is told apart (DNC_EWRONGCHAIN) from a forgery
 * (DNC_EBADSIG).
 */
#ifndef DNC_TX_H
#define DNC_TX_H

#include "credential.h"
#include "dnc_base.h"
#include "sig.h"
#include "split.h"

typedef enum dnc_tx_type {
	DNC_TX_TRANSFER = 1,   /* plain transfer */
	DNC_TX_VOTE,           /* stake delegation, R-CONS-5 */
	DNC_TX_SESSION_OPEN,   /* R-CRED-2 */
	DNC_TX_REDEEM,         /* R-CRED-6 */
	DNC_TX_SESSION_CLOSE,  /* R-CRED-6 */
	DNC_TX_F2F_LOCK,       /* R-F2F-1 */
	DNC_TX_F2F_CLAIM,      /* R-F2F-1 */
	DNC_TX_F2F_REFUND,     /* R-F2F-1 */
	DNC_TX_RENT,           /* R-RENT-1 */
	DNC_TX_CONTENT,        /* R-FWD-1..3 */
	DNC_TX_SHARE,          /* R-SHARE-1,2 */
	DNC_TX_GOV_PROPOSE,    /* R-GOV-1 */
	DNC_TX_GOV_VOTE,       /* R-GOV-1 */
	DNC_TX_ADMIN_RETRACT,  /* R-ADMIN-1 */
	DNC_TX_TEAM_UNLOCK,    /* R-LOCK-1 */
	DNC_TX_TYPE_END
} dnc_tx_type;

/* R-GOV-1: what a proposal may change (the "economic arrangement"). */
typedef enum dnc_gov_param {
	DNC_GOVP_COMMUNITY_FEE_PPM = 1, /* R-FEE-2, <= 0.5 % */
	DNC_GOVP_LAMBDA_PPM,            /* R-CONS-2 */
	DNC_GOVP_PRODUCER_PPM,          /* R-EMIT-3 */
	DNC_GOVP_EMISSION_END_HEIGHT,   /* R-EMIT-4 re-tune */
	DNC_GOVP_ADMIN_ENABLED,         /* R-ADMIN-1 authorisation, 0/1 */
	DNC_GOVP_END
} dnc_gov_param;

#define DNC_TX_MAX_BYTES 2048

typedef struct dnc_tx {
	uint8_t type;            /* dnc_tx_type */
	dnc_hash chain;          /* chain id it is for (set by dnc_tx_sign) */
	dnc_pubkey from;
	uint64_t nonce;          /* must equal the sender's nonce */
	dn_amount fee;           /* to the block's consensus pool (R-FEE-1) */
	union {
		struct { dnc_pubkey to; dn_amount amount; } transfer;
		struct { dnc_pubkey candidate; dn_amount amount; } vote;
		struct {
			dnc_pubkey distributor;
			dn_amount price_per_unit;
			uint64_t units;
			dnc_time_s expiry_s;
			/* R-SHARE-2: the ad hoc path's relays, paid at each redeem */
			uint8_t n_relays;
			dnc_pubkey relay[DNC_MAX_RELAYS];
		} open;
		struct { uint64_t session_id; dnc_credential cred; } redeem;
		struct { uint64_t session_id; } close;
		struct {
			dnc_pubkey to;
			dn_amount amount;
			dnc_hash pw_hash;     /* dnc_f2f_password_hash */
			dnc_time_s deadline_s;
		} f2f_lock;
		struct { uint64_t escrow_id; uint8_t password[32]; } f2f_claim;
		struct { uint64_t escrow_id; } f2f_refund;
		struct {
			dnc_pubkey owner;
			dn_amount price_per_period;
			uint32_t periods;
		} rent;
		struct {
			dn_amount price;
			uint8_t direct;        /* O sells itself: 0 middlemen */
			uint8_t n_middle;
			dnc_pubkey origin, seller;
			dnc_pubkey middle[DNC_MAX_MIDDLEMEN]; /* M1..Mk from O */
		} content;
		struct {
			dn_amount price;
			dnc_pubkey provider;
			uint8_t n_relays;
			dnc_pubkey relay[DNC_MAX_RELAYS];
			uint64_t relay_bytes[DNC_MAX_RELAYS];
		} share;
		struct { uint32_t param; int64_t value; } gov_propose;
		struct { uint64_t proposal_id; uint8_t yes; } gov_vote;
		struct { dnc_pubkey target; dn_amount amount; uint32_t reason; } retract;
	} u;
	dnc_sig sig;
} dnc_tx;

/*
 * Encode tx into out (cap bytes). OUT *len. DNC_EINVAL if tx is not
 * encodable (it would not decode: bad type, counts, negative amounts),
 * DNC_EFULL if cap is too small (DNC_TX_MAX_BYTES always suffices).
 */
DNC_WUR dnc_rc dnc_tx_encode(const dnc_tx *tx, uint8_t *out, size_t cap, size_t *len);

/* Decode; OUT *tx (fully overwritten, unused fields zero). DNC_EMALFORMED. */
DNC_WUR dnc_rc dnc_tx_decode(const uint8_t *in, size_t len, dnc_tx *tx);

/*
 * Sign tx in place with the sender's secret key, for the chain whose id is
 * chain (dnc_chain_id): sets tx->chain, then tx->sig. DNC_EMALFORMED if tx
 * is not encodable.
 */
DNC_WUR dnc_rc dnc_tx_sign(const dnc_sigscheme *s, const dnc_hash *chain,
			   const uint8_t sk[DNC_SK_BYTES], dnc_tx *tx);
/*
 * DNC_OK if tx is for the chain with id chain and tx->sig is tx->from's
 * signature; else DNC_EWRONGCHAIN (made for another chain, checked first),
 * DNC_EBADSIG or DNC_EMALFORMED.
 */
DNC_WUR dnc_rc dnc_tx_verify(const dnc_sigscheme *s, const dnc_hash *chain,
			     const dnc_tx *tx);

/*
 * Copies src to dst (two different structs): its head, the payload its
 * type uses and the signature. The rest of dst's payload union keeps what
 * it held, which nothing of another type reads: a copy of a transfer
 * moves about a sixth of the struct's bytes (sized for the longest
 * payloads).
 */
void dnc_tx_copy(dnc_tx *dst, const dnc_tx *src);

/* Transaction id: BLAKE2b-256 of the full encoding (the Merkle leaf data). */
DNC_WUR dnc_rc dnc_tx_id(const dnc_tx *tx, dnc_hash *id);

/* R-F2F-1: the stored hash of a password for recipient `to`. OUT h. */
void dnc_f2f_password_hash(const dnc_pubkey *to, const uint8_t password[32],
			   dnc_hash *h);

#endif
