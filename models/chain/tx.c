/*
 * tx.c: transaction encoding, strict decoding and signatures. A small
 * cursor type does bounds-checked reads and writes; every field is checked
 * where it is read, so a malformed input is rejected before it is used.
 */
#include "tx.h"

#include <sodium.h>
#include <stddef.h>
#include <string.h>

#define TX_VERSION 2 /* 2: the chain id joined the head */
#define TX_HEAD_BYTES (1 + 1 + DNC_HASH_BYTES + DNC_PK_BYTES + 8 + 8)

typedef struct wcur { uint8_t *p; size_t n, cap; int bad; } wcur;
typedef struct rcur { const uint8_t *p; size_t n, len; int bad; } rcur;

static void w_bytes(wcur *w, const void *src, size_t k)
{
	if (w->bad || w->cap - w->n < k) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->n, src, k);
	w->n += k;
}

static void w_u64(wcur *w, uint64_t v)
{
	uint8_t b[8];
	dnc_put_le64(b, v);
	w_bytes(w, b, 8);
}

static void w_u32(wcur *w, uint32_t v)
{
	uint8_t b[4];
	dnc_put_le32(b, v);
	w_bytes(w, b, 4);
}

static void w_u8(wcur *w, uint8_t v) { w_bytes(w, &v, 1); }

static const uint8_t *r_bytes(rcur *r, size_t k)
{
	const uint8_t *q;
	if (r->bad || r->len - r->n < k) {
		r->bad = 1;
		return NULL;
	}
	q = r->p + r->n;
	r->n += k;
	return q;
}

static void r_copy(rcur *r, void *dst, size_t k)
{
	const uint8_t *q = r_bytes(r, k);
	if (q)
		memcpy(dst, q, k);
}

static uint64_t r_u64(rcur *r)
{
	const uint8_t *q = r_bytes(r, 8);
	return q ? dnc_get_le64(q) : 0;
}

static uint32_t r_u32(rcur *r)
{
	const uint8_t *q = r_bytes(r, 4);
	return q ? dnc_get_le32(q) : 0;
}

static uint8_t r_u8(rcur *r)
{
	const uint8_t *q = r_bytes(r, 1);
	return q ? q[0] : 0;
}

/* positive amount read; anything <= 0 marks the cursor bad */
static dn_amount r_pos(rcur *r)
{
	dn_amount a = (dn_amount)r_u64(r);
	if (a <= 0)
		r->bad = 1;
	return a;
}

/*
 * The one place that knows each payload's shape. Writing and checking
 * share it so encode and decode cannot drift apart: valid() says whether
 * the decoded values are acceptable.
 */
static int tx_valid(const dnc_tx *t)
{
	if (t->fee < 0 || t->type == 0 || t->type >= DNC_TX_TYPE_END)
		return 0;
	switch ((dnc_tx_type)t->type) {
	case DNC_TX_TRANSFER:
		return t->u.transfer.amount > 0;
	case DNC_TX_VOTE:
		return t->u.vote.amount >= 0;
	case DNC_TX_SESSION_OPEN:
		return t->u.open.price_per_unit > 0 && t->u.open.units > 0 &&
		       t->u.open.n_relays <= DNC_MAX_RELAYS;
	case DNC_TX_REDEEM:
		return t->u.redeem.session_id > 0 &&
		       t->u.redeem.cred.session_id > 0 &&
		       t->u.redeem.cred.total_units > 0;
	case DNC_TX_SESSION_CLOSE:
		return t->u.close.session_id > 0;
	case DNC_TX_F2F_LOCK:
		return t->u.f2f_lock.amount > 0;
	case DNC_TX_F2F_CLAIM:
		return t->u.f2f_claim.escrow_id > 0;
	case DNC_TX_F2F_REFUND:
		return t->u.f2f_refund.escrow_id > 0;
	case DNC_TX_RENT:
		return t->u.rent.price_per_period > 0 && t->u.rent.periods > 0;
	case DNC_TX_CONTENT:
		if (t->u.content.price <= 0 || t->u.content.direct > 1 ||
		    t->u.content.n_middle > DNC_MAX_MIDDLEMEN)
			return 0;
		return !(t->u.content.direct && t->u.content.n_middle > 0);
	case DNC_TX_SHARE:
		if (t->u.share.price <= 0 || t->u.share.n_relays > DNC_MAX_RELAYS)
			return 0;
		return 1;
	case DNC_TX_GOV_PROPOSE:
		return t->u.gov_propose.param >= 1 &&
		       t->u.gov_propose.param < DNC_GOVP_END &&
		       t->u.gov_propose.value >= 0;
	case DNC_TX_GOV_VOTE:
		return t->u.gov_vote.proposal_id > 0 && t->u.gov_vote.yes <= 1;
	case DNC_TX_ADMIN_RETRACT:
		return t->u.retract.amount > 0;
	case DNC_TX_TEAM_UNLOCK:
		return 1;
	case DNC_TX_TYPE_END:
		break;
	}
	return 0;
}

/* encode everything but the signature */
/* Kept whole (~90 lines): one case per transaction type, so the wire format reads in one place, beside dnc_tx_decode. */
static void tx_write_body(wcur *w, const dnc_tx *t)
{
	uint32_t i;
	w_u8(w, TX_VERSION);
	w_u8(w, t->type);
	w_bytes(w, t->chain.b, DNC_HASH_BYTES);
	w_bytes(w, t->from.b, DNC_PK_BYTES);
	w_u64(w, t->nonce);
	w_u64(w, (uint64_t)t->fee);
	switch ((dnc_tx_type)t->type) {
	case DNC_TX_TRANSFER:
		w_bytes(w, t->u.transfer.to.b, DNC_PK_BYTES);
		w_u64(w, (uint64_t)t->u.transfer.amount);
		break;
	case DNC_TX_VOTE:
		w_bytes(w, t->u.vote.candidate.b, DNC_PK_BYTES);
		w_u64(w, (uint64_t)t->u.vote.amount);
		break;
	case DNC_TX_SESSION_OPEN:
		w_bytes(w, t->u.open.distributor.b, DNC_PK_BYTES);
		w_u64(w, (uint64_t)t->u.open.price_per_unit);
		w_u64(w, t->u.open.units);
		w_u64(w, (uint64_t)t->u.open.expiry_s);
		w_u8(w, t->u.open.n_relays);
		for (i = 0; i < t->u.open.n_relays; i++)
			w_bytes(w, t->u.open.relay[i].b, DNC_PK_BYTES);
		break;
	case DNC_TX_REDEEM: {
		uint8_t c[DNC_CRED_BYTES];
		w_u64(w, t->u.redeem.session_id);
		dnc_credential_encode(&t->u.redeem.cred, c);
		w_bytes(w, c, sizeof c);
		break;
	}
	case DNC_TX_SESSION_CLOSE:
		w_u64(w, t->u.close.session_id);
		break;
	case DNC_TX_F2F_LOCK:
		w_bytes(w, t->u.f2f_lock.to.b, DNC_PK_BYTES);
		w_u64(w, (uint64_t)t->u.f2f_lock.amount);
		w_bytes(w, t->u.f2f_lock.pw_hash.b, DNC_HASH_BYTES);
		w_u64(w, (uint64_t)t->u.f2f_lock.deadline_s);
		break;
	case DNC_TX_F2F_CLAIM:
		w_u64(w, t->u.f2f_claim.escrow_id);
		w_bytes(w, t->u.f2f_claim.password, 32);
		break;
	case DNC_TX_F2F_REFUND:
		w_u64(w, t->u.f2f_refund.escrow_id);
		break;
	case DNC_TX_RENT:
		w_bytes(w, t->u.rent.owner.b, DNC_PK_BYTES);
		w_u64(w, (uint64_t)t->u.rent.price_per_period);
		w_u32(w, t->u.rent.periods);
		break;
	case DNC_TX_CONTENT:
		w_u64(w, (uint64_t)t->u.content.price);
		w_u8(w, t->u.content.direct);
		w_u8(w, t->u.content.n_middle);
		w_bytes(w, t->u.content.origin.b, DNC_PK_BYTES);
		w_bytes(w, t->u.content.seller.b, DNC_PK_BYTES);
		for (i = 0; i < t->u.content.n_middle && i < DNC_MAX_MIDDLEMEN; i++)
			w_bytes(w, t->u.content.middle[i].b, DNC_PK_BYTES);
		break;
	case DNC_TX_SHARE:
		w_u64(w, (uint64_t)t->u.share.price);
		w_bytes(w, t->u.share.provider.b, DNC_PK_BYTES);
		w_u8(w, t->u.share.n_relays);
		for (i = 0; i < t->u.share.n_relays && i < DNC_MAX_RELAYS; i++) {
			w_bytes(w, t->u.share.relay[i].b, DNC_PK_BYTES);
			w_u64(w, t->u.share.relay_bytes[i]);
		}
		break;
	case DNC_TX_GOV_PROPOSE:
		w_u32(w, t->u.gov_propose.param);
		w_u64(w, (uint64_t)t->u.gov_propose.value);
		break;
	case DNC_TX_GOV_VOTE:
		w_u64(w, t->u.gov_vote.proposal_id);
		w_u8(w, t->u.gov_vote.yes);
		break;
	case DNC_TX_ADMIN_RETRACT:
		w_bytes(w, t->u.retract.target.b, DNC_PK_BYTES);
		w_u64(w, (uint64_t)t->u.retract.amount);
		w_u32(w, t->u.retract.reason);
		break;
	case DNC_TX_TEAM_UNLOCK:
	case DNC_TX_TYPE_END:
		break;
	}
}

dnc_rc dnc_tx_encode(const dnc_tx *tx, uint8_t *out, size_t cap, size_t *len)
{
	wcur w = { out, 0, cap, 0 };
	if (!tx_valid(tx))
		return DNC_EINVAL;
	tx_write_body(&w, tx);
	w_bytes(&w, tx->sig.b, DNC_SIG_BYTES);
	if (w.bad)
		return DNC_EFULL;
	*len = w.n;
	return DNC_OK;
}

/* Kept whole (~117 lines): one case per transaction type, so the wire format reads in one place, beside tx_write_body. */
dnc_rc dnc_tx_decode(const uint8_t *in, size_t len, dnc_tx *t)
{
	rcur r = { in, 0, len, 0 };
	uint32_t i;

	memset(t, 0, sizeof *t);
	if (!in || len < TX_HEAD_BYTES + DNC_SIG_BYTES || len > DNC_TX_MAX_BYTES)
		return DNC_EMALFORMED;
	if (r_u8(&r) != TX_VERSION)
		return DNC_EMALFORMED;
	t->type = r_u8(&r);
	r_copy(&r, t->chain.b, DNC_HASH_BYTES);
	r_copy(&r, t->from.b, DNC_PK_BYTES);
	t->nonce = r_u64(&r);
	t->fee = (dn_amount)r_u64(&r);
	switch ((dnc_tx_type)t->type) {
	case DNC_TX_TRANSFER:
		r_copy(&r, t->u.transfer.to.b, DNC_PK_BYTES);
		t->u.transfer.amount = r_pos(&r);
		break;
	case DNC_TX_VOTE:
		r_copy(&r, t->u.vote.candidate.b, DNC_PK_BYTES);
		t->u.vote.amount = (dn_amount)r_u64(&r);
		break;
	case DNC_TX_SESSION_OPEN:
		r_copy(&r, t->u.open.distributor.b, DNC_PK_BYTES);
		t->u.open.price_per_unit = r_pos(&r);
		t->u.open.units = r_u64(&r);
		t->u.open.expiry_s = (dnc_time_s)r_u64(&r);
		t->u.open.n_relays = r_u8(&r);
		if (t->u.open.n_relays > DNC_MAX_RELAYS) {
			r.bad = 1;
			break;
		}
		for (i = 0; i < t->u.open.n_relays; i++)
			r_copy(&r, t->u.open.relay[i].b, DNC_PK_BYTES);
		break;
	case DNC_TX_REDEEM: {
		const uint8_t *c;
		t->u.redeem.session_id = r_u64(&r);
		c = r_bytes(&r, DNC_CRED_BYTES);
		if (!c || dnc_credential_decode(c, DNC_CRED_BYTES, &t->u.redeem.cred))
			r.bad = 1;
		break;
	}
	case DNC_TX_SESSION_CLOSE:
		t->u.close.session_id = r_u64(&r);
		break;
	case DNC_TX_F2F_LOCK:
		r_copy(&r, t->u.f2f_lock.to.b, DNC_PK_BYTES);
		t->u.f2f_lock.amount = r_pos(&r);
		r_copy(&r, t->u.f2f_lock.pw_hash.b, DNC_HASH_BYTES);
		t->u.f2f_lock.deadline_s = (dnc_time_s)r_u64(&r);
		break;
	case DNC_TX_F2F_CLAIM:
		t->u.f2f_claim.escrow_id = r_u64(&r);
		r_copy(&r, t->u.f2f_claim.password, 32);
		break;
	case DNC_TX_F2F_REFUND:
		t->u.f2f_refund.escrow_id = r_u64(&r);
		break;
	case DNC_TX_RENT:
		r_copy(&r, t->u.rent.owner.b, DNC_PK_BYTES);
		t->u.rent.price_per_period = r_pos(&r);
		t->u.rent.periods = r_u32(&r);
		break;
	case DNC_TX_CONTENT:
		t->u.content.price = r_pos(&r);
		t->u.content.direct = r_u8(&r);
		t->u.content.n_middle = r_u8(&r);
		r_copy(&r, t->u.content.origin.b, DNC_PK_BYTES);
		r_copy(&r, t->u.content.seller.b, DNC_PK_BYTES);
		if (t->u.content.n_middle > DNC_MAX_MIDDLEMEN) {
			r.bad = 1;
			break;
		}
		for (i = 0; i < t->u.content.n_middle; i++)
			r_copy(&r, t->u.content.middle[i].b, DNC_PK_BYTES);
		break;
	case DNC_TX_SHARE:
		t->u.share.price = r_pos(&r);
		r_copy(&r, t->u.share.provider.b, DNC_PK_BYTES);
		t->u.share.n_relays = r_u8(&r);
		if (t->u.share.n_relays > DNC_MAX_RELAYS) {
			r.bad = 1;
			break;
		}
		for (i = 0; i < t->u.share.n_relays; i++) {
			r_copy(&r, t->u.share.relay[i].b, DNC_PK_BYTES);
			t->u.share.relay_bytes[i] = r_u64(&r);
		}
		break;
	case DNC_TX_GOV_PROPOSE:
		t->u.gov_propose.param = r_u32(&r);
		t->u.gov_propose.value = (int64_t)r_u64(&r);
		break;
	case DNC_TX_GOV_VOTE:
		t->u.gov_vote.proposal_id = r_u64(&r);
		t->u.gov_vote.yes = r_u8(&r);
		break;
	case DNC_TX_ADMIN_RETRACT:
		r_copy(&r, t->u.retract.target.b, DNC_PK_BYTES);
		t->u.retract.amount = r_pos(&r);
		t->u.retract.reason = r_u32(&r);
		break;
	case DNC_TX_TEAM_UNLOCK:
		break;
	default:
		r.bad = 1;
		break;
	}
	r_copy(&r, t->sig.b, DNC_SIG_BYTES);
	if (r.bad || r.n != len || !tx_valid(t)) {
		memset(t, 0, sizeof *t);
		return DNC_EMALFORMED;
	}
	return DNC_OK;
}

/* signed message: domain || body; OUT *len */
static dnc_rc tx_message(const dnc_tx *tx, uint8_t *buf, size_t cap, size_t *len)
{
	wcur w = { buf, 0, cap, 0 };
	if (!tx_valid(tx))
		return DNC_EMALFORMED;
	w_bytes(&w, "DNCTX002", 8);
	tx_write_body(&w, tx);
	if (w.bad)
		return DNC_EFULL;
	*len = w.n;
	return DNC_OK;
}

dnc_rc dnc_tx_sign(const dnc_sigscheme *s, const dnc_hash *chain,
		   const uint8_t sk[DNC_SK_BYTES], dnc_tx *tx)
{
	uint8_t buf[DNC_TX_MAX_BYTES];
	size_t n;
	dnc_rc rc;
	tx->chain = *chain;
	rc = tx_message(tx, buf, sizeof buf, &n);
	if (rc)
		return rc;
	return dnc_sig_sign(s, sk, buf, n, &tx->sig);
}

dnc_rc dnc_tx_verify(const dnc_sigscheme *s, const dnc_hash *chain, const dnc_tx *tx)
{
	uint8_t buf[DNC_TX_MAX_BYTES];
	size_t n;
	dnc_rc rc;
	/* a replay from another chain, told apart from a forgery */
	if (memcmp(tx->chain.b, chain->b, DNC_HASH_BYTES) != 0)
		return DNC_EWRONGCHAIN;
	rc = tx_message(tx, buf, sizeof buf, &n);
	if (rc)
		return rc;
	return dnc_sig_verify(s, &tx->from, buf, n, &tx->sig);
}

/* The bytes of the payload union that a transaction of this type uses
 * (all of it for a type this library does not know). */
static size_t payload_bytes(uint8_t type)
{
	const dnc_tx *t = NULL;
	switch ((dnc_tx_type)type) {
	case DNC_TX_TRANSFER: return sizeof t->u.transfer;
	case DNC_TX_VOTE: return sizeof t->u.vote;
	case DNC_TX_SESSION_OPEN: return sizeof t->u.open;
	case DNC_TX_REDEEM: return sizeof t->u.redeem;
	case DNC_TX_SESSION_CLOSE: return sizeof t->u.close;
	case DNC_TX_F2F_LOCK: return sizeof t->u.f2f_lock;
	case DNC_TX_F2F_CLAIM: return sizeof t->u.f2f_claim;
	case DNC_TX_F2F_REFUND: return sizeof t->u.f2f_refund;
	case DNC_TX_RENT: return sizeof t->u.rent;
	case DNC_TX_CONTENT: return sizeof t->u.content;
	case DNC_TX_SHARE: return sizeof t->u.share;
	case DNC_TX_GOV_PROPOSE: return sizeof t->u.gov_propose;
	case DNC_TX_GOV_VOTE: return sizeof t->u.gov_vote;
	case DNC_TX_ADMIN_RETRACT: return sizeof t->u.retract;
	case DNC_TX_TEAM_UNLOCK: return 0;
	case DNC_TX_TYPE_END: break;
	}
	return sizeof t->u;
}

void dnc_tx_copy(dnc_tx *dst, const dnc_tx *src)
{
	memcpy(dst, src, offsetof(dnc_tx, u) + payload_bytes(src->type));
	dst->sig = src->sig;
}

dnc_rc dnc_tx_id(const dnc_tx *tx, dnc_hash *id)
{
	uint8_t buf[DNC_TX_MAX_BYTES];
	size_t n;
	dnc_rc rc = dnc_tx_encode(tx, buf, sizeof buf, &n);
	if (rc)
		return rc;
	crypto_generichash(id->b, DNC_HASH_BYTES, buf, n, NULL, 0);
	return DNC_OK;
}

void dnc_f2f_password_hash(const dnc_pubkey *to, const uint8_t password[32],
			   dnc_hash *h)
{
	uint8_t buf[8 + DNC_PK_BYTES + 32];
	memcpy(buf, "DNCF2F01", 8);
	memcpy(buf + 8, to->b, DNC_PK_BYTES);
	memcpy(buf + 8 + DNC_PK_BYTES, password, 32);
	crypto_generichash(h->b, DNC_HASH_BYTES, buf, sizeof buf, NULL, 0);
	sodium_memzero(buf, sizeof buf);
}
