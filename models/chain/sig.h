/*
 * sig.h: the signature-scheme interface and its two implementations.
 *
 * Ed25519 (libsodium) is what a node uses. The keyed-SipHash scheme is for
 * very large simulations where the cost of real signatures is not the
 * subject: a "signature" is a 128-bit SipHash-2-4 MAC of the message under
 * the scheme key mixed with the public key (zero-padded to 64 bytes), one
 * short pass over the message.
 * Only a holder of the scheme key can sign or check, which is exactly the
 * simulator's position; it is NOT a public-key signature and must never be
 * used between mutually distrusting parties. Both schemes reject forgeries
 * (a signature made with another key) and any change to the message, key
 * or signature.
 *
 * A scheme is a small const table of functions plus its key; the caller
 * owns it (no globals). Public keys are 32 bytes, secret keys 64 bytes and
 * signatures 64 bytes in both schemes, so encodings do not depend on it.
 */
#ifndef DNC_SIG_H
#define DNC_SIG_H

#include "dnc_base.h"

#define DNC_SK_BYTES 64

typedef struct dnc_sigscheme dnc_sigscheme;

typedef struct dnc_sigscheme_ops {
	const char *name;
	/* Derive a key pair from a 32-byte seed. OUT pk, sk. */
	dnc_rc (*keypair)(const dnc_sigscheme *s, const uint8_t seed[32],
			  dnc_pubkey *pk, uint8_t sk[DNC_SK_BYTES]);
	/* Sign msg[0..len). OUT sig. */
	dnc_rc (*sign)(const dnc_sigscheme *s, const uint8_t sk[DNC_SK_BYTES],
		       const uint8_t *msg, size_t len, dnc_sig *sig);
	/* DNC_OK if sig is pk's signature of msg, else DNC_EBADSIG. */
	dnc_rc (*verify)(const dnc_sigscheme *s, const dnc_pubkey *pk,
			 const uint8_t *msg, size_t len, const dnc_sig *sig);
} dnc_sigscheme_ops;

struct dnc_sigscheme {
	const dnc_sigscheme_ops *ops;
	uint8_t key[32];        /* keyed-SipHash scheme key; unused by Ed25519 */
	/* operations made through this scheme, counted atomically (calls may
	 * run on several threads): what a run's signature work was, for the
	 * benchmark against the bare libsodium cost (dnc_sig_counts) */
	uint64_t n_keypair, n_sign, n_verify;
};

/*
 * Initialise a scheme. dnc_sig_init_ed25519 needs nothing else;
 * dnc_sig_init_keyed takes the scheme-wide 32-byte key (derive it from the
 * run seed). Both call sodium_init() (idempotent, thread-safe); DNC_EINVAL
 * if libsodium cannot start.
 */
DNC_WUR dnc_rc dnc_sig_init_ed25519(dnc_sigscheme *s);
DNC_WUR dnc_rc dnc_sig_init_keyed(dnc_sigscheme *s, const uint8_t key[32]);

/* Convenience wrappers over s->ops. */
DNC_WUR dnc_rc dnc_sig_keypair(const dnc_sigscheme *s, const uint8_t seed[32],
			       dnc_pubkey *pk, uint8_t sk[DNC_SK_BYTES]);
DNC_WUR dnc_rc dnc_sig_sign(const dnc_sigscheme *s, const uint8_t sk[DNC_SK_BYTES],
			    const uint8_t *msg, size_t len, dnc_sig *sig);
DNC_WUR dnc_rc dnc_sig_verify(const dnc_sigscheme *s, const dnc_pubkey *pk,
			      const uint8_t *msg, size_t len, const dnc_sig *sig);

/* BLAKE2b-256 of msg (R-CHAIN-2's hash). OUT h. */
/* The key pairs derived, messages signed and signatures verified through
 * s so far. */
void dnc_sig_counts(const dnc_sigscheme *s, uint64_t *keypairs, uint64_t *signs, uint64_t *verifies);

void dnc_hash_bytes(const uint8_t *msg, size_t len, dnc_hash *h);

#endif
