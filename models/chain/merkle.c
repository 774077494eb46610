/*
 * merkle.c: Merkle tree construction, proofs and proof checking over
 * BLAKE2b-256. Construction is O(n); a proof is O(log n) to extract and to
 * check (a depth-20 check is 20 node hashes).
 */
#include "merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void dnc_merkle_leaf(const uint8_t *data, size_t len, dnc_hash *h)
{
	crypto_generichash_state st;
	static const uint8_t tag = 0x00;
	crypto_generichash_init(&st, NULL, 0, DNC_HASH_BYTES);
	crypto_generichash_update(&st, &tag, 1);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, h->b, DNC_HASH_BYTES);
}

void dnc_merkle_node(const dnc_hash *l, const dnc_hash *r, dnc_hash *h)
{
	uint8_t buf[1 + 2 * DNC_HASH_BYTES];
	buf[0] = 0x01;
	memcpy(buf + 1, l->b, DNC_HASH_BYTES);
	memcpy(buf + 1 + DNC_HASH_BYTES, r->b, DNC_HASH_BYTES);
	crypto_generichash(h->b, DNC_HASH_BYTES, buf, sizeof buf, NULL, 0);
}

/* one level up: out[i] = node(in[2i], in[2i+1]); odd last carried */
static uint64_t merkle_up(const dnc_hash *in, uint64_t n, dnc_hash *out)
{
	uint64_t i, m = 0;
	for (i = 0; i + 1 < n; i += 2)
		dnc_merkle_node(&in[i], &in[i + 1], &out[m++]);
	if (n & 1)
		out[m++] = in[n - 1];
	return m;
}

void dnc_merkle_root(const dnc_hash *leaves, uint64_t n, dnc_hash *scratch,
		     dnc_hash *root)
{
	if (n == 0) {
		memset(root, 0, sizeof *root);
		return;
	}
	if (n == 1) {
		*root = leaves[0];
		return;
	}
	n = merkle_up(leaves, n, scratch);
	while (n > 1)
		n = merkle_up(scratch, n, scratch); /* writes behind the reads */
	*root = scratch[0];
}

dnc_rc dnc_merkle_tree_build(const dnc_hash *leaves, uint64_t n,
			     dnc_merkle_tree *t)
{
	uint64_t total = 0, len = n;
	unsigned lv = 0;

	memset(t, 0, sizeof *t);
	if (n > (UINT64_C(1) << DNC_MERKLE_MAX_DEPTH))
		return DNC_EINVAL;
	/* level sizes */
	for (;;) {
		t->level_off[lv] = total;
		t->level_len[lv] = len;
		total += len;
		lv++;
		if (len <= 1)
			break;
		len = (len + 1) / 2;
	}
	t->n_levels = lv;
	t->n_leaves = n;
	t->nodes = malloc((size_t)(total ? total : 1) * sizeof(dnc_hash));
	if (!t->nodes) {
		memset(t, 0, sizeof *t);
		return DNC_ENOMEM;
	}
	if (n)
		memcpy(t->nodes, leaves, (size_t)n * sizeof(dnc_hash));
	for (lv = 1; lv < t->n_levels; lv++)
		(void)merkle_up(t->nodes + t->level_off[lv - 1],
				t->level_len[lv - 1], t->nodes + t->level_off[lv]);
	return DNC_OK;
}

void dnc_merkle_tree_free(dnc_merkle_tree *t)
{
	if (!t)
		return;
	free(t->nodes);
	memset(t, 0, sizeof *t);
}

void dnc_merkle_tree_root(const dnc_merkle_tree *t, dnc_hash *root)
{
	if (t->n_leaves == 0) {
		memset(root, 0, sizeof *root);
		return;
	}
	*root = t->nodes[t->level_off[t->n_levels - 1]];
}

dnc_rc dnc_merkle_tree_proof(const dnc_merkle_tree *t, uint64_t index,
			     dnc_merkle_proof *p)
{
	unsigned lv;
	uint64_t i = index;

	if (index >= t->n_leaves)
		return DNC_EINVAL;
	p->index = index;
	p->n_leaves = t->n_leaves;
	p->n_sib = 0;
	for (lv = 0; lv + 1 < t->n_levels; lv++) {
		uint64_t len = t->level_len[lv];
		const dnc_hash *level = t->nodes + t->level_off[lv];
		if ((i ^ 1) < len)
			p->sib[p->n_sib++] = level[i ^ 1];
		i >>= 1;
	}
	return DNC_OK;
}

dnc_rc dnc_merkle_verify(const dnc_hash *root, const dnc_hash *leaf,
			 const dnc_merkle_proof *p)
{
	dnc_hash cur = *leaf, tmp;
	uint64_t i = p->index, len = p->n_leaves;
	unsigned used = 0;

	if (p->n_leaves == 0 || p->index >= p->n_leaves ||
	    p->n_sib > DNC_MERKLE_MAX_DEPTH)
		return DNC_EPROOF;
	while (len > 1) {
		if ((i ^ 1) < len) {
			if (used >= p->n_sib)
				return DNC_EPROOF;
			if (i & 1)
				dnc_merkle_node(&p->sib[used], &cur, &tmp);
			else
				dnc_merkle_node(&cur, &p->sib[used], &tmp);
			cur = tmp;
			used++;
		}
		i >>= 1;
		len = (len + 1) / 2;
	}
	if (used != p->n_sib)
		return DNC_EPROOF;
	if (sodium_memcmp(cur.b, root->b, DNC_HASH_BYTES) != 0)
		return DNC_EPROOF;
	return DNC_OK;
}
