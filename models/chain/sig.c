/*
 * sig.c: Ed25519 and keyed-SipHash implementations of dnc_sigscheme.
 * See sig.h for what the keyed scheme does and does not promise.
 */
#include "sig.h"

#include <sodium.h>
#include <string.h>

static dnc_rc ed_keypair(const dnc_sigscheme *s, const uint8_t seed[32],
			 dnc_pubkey *pk, uint8_t sk[DNC_SK_BYTES])
{
	(void)s;
	if (crypto_sign_seed_keypair(pk->b, sk, seed) != 0)
		return DNC_EINVAL;
	return DNC_OK;
}

static dnc_rc ed_sign(const dnc_sigscheme *s, const uint8_t sk[DNC_SK_BYTES],
		      const uint8_t *msg, size_t len, dnc_sig *sig)
{
	(void)s;
	if (crypto_sign_detached(sig->b, NULL, msg, len, sk) != 0)
		return DNC_EINVAL;
	return DNC_OK;
}

static dnc_rc ed_verify(const dnc_sigscheme *s, const dnc_pubkey *pk,
			const uint8_t *msg, size_t len, const dnc_sig *sig)
{
	(void)s;
	if (crypto_sign_verify_detached(sig->b, msg, len, pk->b) != 0)
		return DNC_EBADSIG;
	return DNC_OK;
}

/*
 * Keyed SipHash: tag = SipHash-2-4 with a 128-bit output (libsodium's
 * crypto_shorthash_siphashx24) of the message, under the 16-byte key
 * K = k0 ^ k1 ^ p0 ^ p1, where k0, k1 are the halves of the scheme key and
 * p0, p1 those of the signer's public key; the signature's other 48 bytes
 * are zero and checked as such. SipHash is a pseudo-random function under
 * a secret key, so without the key no tag can be made for a message, and a
 * changed byte of the message or the signature is rejected except with
 * probability 2^-128. Every public key gets its own key K (two public keys,
 * themselves BLAKE2b outputs, share one only if the XORs of their halves
 * agree: probability 2^-128 a pair). A tag costs one pass over the message,
 * about a third of the time of the BLAKE2b it replaced (one or two
 * compressions) and a small fraction of an Ed25519 check. A secret key is
 * the scheme key plus the public key, so whoever holds any secret key could
 * sign for any public key; the scheme models honest signers through this
 * API, against which a forgery (another key, a changed byte) is rejected
 * exactly as Ed25519 rejects it.
 */
static void kb_tag(const uint8_t key[32], const dnc_pubkey *pk, const uint8_t *msg,
		   size_t len, uint8_t tag[DNC_SIG_BYTES])
{
	uint8_t k[crypto_shorthash_siphashx24_KEYBYTES];
	for (int i = 0; i < 16; i++)
		k[i] = (uint8_t)(key[i] ^ key[16 + i] ^ pk->b[i] ^ pk->b[16 + i]);
	memset(tag, 0, DNC_SIG_BYTES);
	crypto_shorthash_siphashx24(tag, msg, len, k);
}

static dnc_rc kb_keypair(const dnc_sigscheme *s, const uint8_t seed[32],
			 dnc_pubkey *pk, uint8_t sk[DNC_SK_BYTES])
{
	static const uint8_t domain[8] = "dnc-kbpk";
	crypto_generichash(pk->b, DNC_PK_BYTES, seed, 32, domain, sizeof domain);
	memcpy(sk, s->key, 32);
	memcpy(sk + 32, pk->b, 32);
	return DNC_OK;
}

static dnc_rc kb_sign(const dnc_sigscheme *s, const uint8_t sk[DNC_SK_BYTES],
		      const uint8_t *msg, size_t len, dnc_sig *sig)
{
	dnc_pubkey pk;
	(void)s;
	memcpy(pk.b, sk + 32, DNC_PK_BYTES);
	kb_tag(sk, &pk, msg, len, sig->b);
	return DNC_OK;
}

static dnc_rc kb_verify(const dnc_sigscheme *s, const dnc_pubkey *pk,
			const uint8_t *msg, size_t len, const dnc_sig *sig)
{
	dnc_sig want;
	kb_tag(s->key, pk, msg, len, want.b);
	if (crypto_verify_64(want.b, sig->b) != 0) /* constant time */
		return DNC_EBADSIG;
	return DNC_OK;
}

static const dnc_sigscheme_ops ed25519_ops = {
	"ed25519", ed_keypair, ed_sign, ed_verify,
};
static const dnc_sigscheme_ops keyed_ops = {
	"keyed-siphash", kb_keypair, kb_sign, kb_verify,
};

dnc_rc dnc_sig_init_ed25519(dnc_sigscheme *s)
{
	if (!s || sodium_init() < 0)
		return DNC_EINVAL;
	memset(s, 0, sizeof *s);
	s->ops = &ed25519_ops;
	return DNC_OK;
}

dnc_rc dnc_sig_init_keyed(dnc_sigscheme *s, const uint8_t key[32])
{
	if (!s || !key || sodium_init() < 0)
		return DNC_EINVAL;
	memset(s, 0, sizeof *s);
	s->ops = &keyed_ops;
	memcpy(s->key, key, sizeof s->key);
	return DNC_OK;
}

/* The counters are statistics beside the scheme's constant parts: counted
 * through a const scheme (the object itself is never const), relaxed. */
static void count(const uint64_t *c)
{
	__atomic_fetch_add((uint64_t *)c, 1, __ATOMIC_RELAXED);
}

dnc_rc dnc_sig_keypair(const dnc_sigscheme *s, const uint8_t seed[32],
		       dnc_pubkey *pk, uint8_t sk[DNC_SK_BYTES])
{
	count(&s->n_keypair);
	return s->ops->keypair(s, seed, pk, sk);
}

dnc_rc dnc_sig_sign(const dnc_sigscheme *s, const uint8_t sk[DNC_SK_BYTES],
		    const uint8_t *msg, size_t len, dnc_sig *sig)
{
	count(&s->n_sign);
	return s->ops->sign(s, sk, msg, len, sig);
}

dnc_rc dnc_sig_verify(const dnc_sigscheme *s, const dnc_pubkey *pk,
		      const uint8_t *msg, size_t len, const dnc_sig *sig)
{
	count(&s->n_verify);
	return s->ops->verify(s, pk, msg, len, sig);
}

void dnc_sig_counts(const dnc_sigscheme *s, uint64_t *keypairs, uint64_t *signs, uint64_t *verifies)
{
	*keypairs = __atomic_load_n(&s->n_keypair, __ATOMIC_RELAXED);
	*signs = __atomic_load_n(&s->n_sign, __ATOMIC_RELAXED);
	*verifies = __atomic_load_n(&s->n_verify, __ATOMIC_RELAXED);
}

void dnc_hash_bytes(const uint8_t *msg, size_t len, dnc_hash *h)
{
	crypto_generichash(h->b, DNC_HASH_BYTES, msg, len, NULL, 0);
}
