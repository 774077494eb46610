/*
 * block.c: header encoding, hashing and signing; transaction and state
 * roots; the light-node checks. See block.h.
 */
#include "block.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HDR_UNSIGNED (DNC_HEADER_BYTES - DNC_SIG_BYTES)

void dnc_header_next(const dnc_block_header *parent, const dnc_pubkey *producer,
		     dnc_time_s slot_time_s, const dnc_hash *tx_root, uint32_t n_tx,
		     const dnc_hash *state_root, dnc_block_header *h)
{
	dnc_hash pid;
	dnc_header_hash(parent, &pid);
	memset(h, 0, sizeof *h);
	h->height = parent->height + 1;
	h->parent = pid;
	h->producer = *producer;
	h->slot_time_s = slot_time_s;
	h->tx_root = *tx_root;
	h->n_tx = n_tx;
	h->state_root = *state_root;
}

void dnc_header_encode(const dnc_block_header *h, uint8_t out[DNC_HEADER_BYTES])
{
	size_t o = 0;
	dnc_put_le64(out, h->height);
	o = 8;
	memcpy(out + o, h->parent.b, 32);
	o += 32;
	memcpy(out + o, h->producer.b, 32);
	o += 32;
	dnc_put_le64(out + o, (uint64_t)h->slot_time_s);
	o += 8;
	memcpy(out + o, h->tx_root.b, 32);
	o += 32;
	memcpy(out + o, h->state_root.b, 32);
	o += 32;
	out[o] = (uint8_t)h->n_tx;
	out[o + 1] = (uint8_t)(h->n_tx >> 8);
	out[o + 2] = (uint8_t)(h->n_tx >> 16);
	out[o + 3] = (uint8_t)(h->n_tx >> 24);
	o += 4;
	memcpy(out + o, h->sig.b, DNC_SIG_BYTES);
}

dnc_rc dnc_header_decode(const uint8_t *in, size_t len, dnc_block_header *h)
{
	size_t o;
	if (!in || len != DNC_HEADER_BYTES)
		return DNC_EMALFORMED;
	memset(h, 0, sizeof *h);
	h->height = dnc_get_le64(in);
	o = 8;
	memcpy(h->parent.b, in + o, 32);
	o += 32;
	memcpy(h->producer.b, in + o, 32);
	o += 32;
	h->slot_time_s = (dnc_time_s)dnc_get_le64(in + o);
	o += 8;
	memcpy(h->tx_root.b, in + o, 32);
	o += 32;
	memcpy(h->state_root.b, in + o, 32);
	o += 32;
	h->n_tx = (uint32_t)in[o] | (uint32_t)in[o + 1] << 8 | (uint32_t)in[o + 2] << 16 |
		  (uint32_t)in[o + 3] << 24;
	o += 4;
	memcpy(h->sig.b, in + o, DNC_SIG_BYTES);
	return DNC_OK;
}

void dnc_header_hash(const dnc_block_header *h, dnc_hash *id)
{
	uint8_t buf[8 + DNC_HEADER_BYTES];
	memcpy(buf, "DNCBLK01", 8);
	dnc_header_encode(h, buf + 8);
	crypto_generichash(id->b, DNC_HASH_BYTES, buf, 8 + HDR_UNSIGNED, NULL, 0);
}

dnc_rc dnc_header_sign(const dnc_sigscheme *s, const uint8_t sk[DNC_SK_BYTES],
		       dnc_block_header *h)
{
	dnc_hash id;
	dnc_header_hash(h, &id);
	return dnc_sig_sign(s, sk, id.b, DNC_HASH_BYTES, &h->sig);
}

dnc_rc dnc_header_verify(const dnc_sigscheme *s, const dnc_block_header *h)
{
	dnc_hash id;
	dnc_header_hash(h, &id);
	return dnc_sig_verify(s, &h->producer, id.b, DNC_HASH_BYTES, &h->sig);
}

dnc_rc dnc_tx_leaf(const dnc_tx *tx, dnc_hash *leaf)
{
	uint8_t buf[DNC_TX_MAX_BYTES];
	size_t n;
	dnc_rc rc = dnc_tx_encode(tx, buf, sizeof buf, &n);
	if (rc)
		return rc;
	dnc_merkle_leaf(buf, n, leaf);
	return DNC_OK;
}

dnc_rc dnc_tx_root(const dnc_tx *txs, uint32_t n, dnc_hash *leaves,
		   dnc_hash *scratch, dnc_hash *root)
{
	uint32_t i;
	dnc_rc rc;
	for (i = 0; i < n; i++) {
		rc = dnc_tx_leaf(&txs[i], &leaves[i]);
		if (rc)
			return rc;
	}
	dnc_merkle_root(leaves, n, scratch, root);
	return DNC_OK;
}

dnc_rc dnc_state_tree(const dnc_ledger *L, dnc_merkle_tree *t)
{
	uint32_t i, n = dnc_ledger_count(L);
	dnc_hash *leaves = malloc((size_t)(n ? n : 1) * sizeof *leaves);
	dnc_rc rc;
	if (!leaves) {
		memset(t, 0, sizeof *t);
		return DNC_ENOMEM;
	}
	for (i = 0; i < n; i++)
		dnc_ledger_account_leaf(L, i, &leaves[i]);
	rc = dnc_merkle_tree_build(leaves, n, t);
	free(leaves);
	return rc;
}

void dnc_light_init(dnc_light *l, const dnc_block_header *trusted)
{
	l->head = *trusted;
	dnc_header_hash(trusted, &l->head_id);
	l->have = 1;
}

dnc_rc dnc_light_accept(dnc_light *l, const dnc_sigscheme *s,
			const dnc_block_header *h, const dnc_pubkey *expected)
{
	if (!l->have || h->height != l->head.height + 1 ||
	    memcmp(h->parent.b, l->head_id.b, DNC_HASH_BYTES) != 0 ||
	    h->slot_time_s <= l->head.slot_time_s)
		return DNC_EPARENT;
	if (memcmp(h->producer.b, expected->b, DNC_PK_BYTES) != 0)
		return DNC_EPRODUCER;
	if (dnc_header_verify(s, h) != DNC_OK)
		return DNC_EBADSIG;
	l->head = *h;
	dnc_header_hash(h, &l->head_id);
	return DNC_OK;
}

dnc_rc dnc_light_check_tx(const dnc_light *l, const dnc_tx *tx,
			  const dnc_merkle_proof *p)
{
	dnc_hash leaf;
	if (!l->have || dnc_tx_leaf(tx, &leaf) != DNC_OK || p->n_leaves != l->head.n_tx)
		return DNC_EPROOF;
	return dnc_merkle_verify(&l->head.tx_root, &leaf, p);
}

dnc_rc dnc_light_check_account(const dnc_light *l, const dnc_account_record *r,
			       const dnc_merkle_proof *p)
{
	dnc_hash leaf;
	if (!l->have)
		return DNC_EPROOF;
	dnc_account_record_leaf(r, &leaf);
	return dnc_merkle_verify(&l->head.state_root, &leaf, p);
}
