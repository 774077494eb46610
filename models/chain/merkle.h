/*
 * merkle.h: BLAKE2b-256 Merkle trees with inclusion proofs (R-CHAIN-2).
 *
 * Leaves are hashed as H(0x00 || data) and inner nodes as
 * H(0x01 || left || right), so a leaf can never pass for a node. A level
 * with an odd count carries its last node up unchanged (no duplication, so
 * two different leaf lists never share a root). A proof is the list of
 * siblings from leaf to root; the verifier knows from (index, n) which
 * levels have a sibling. This is what a data-service node serves and a
 * light node checks against the root in the one header it keeps.
 */
#ifndef DNC_MERKLE_H
#define DNC_MERKLE_H

#include "dnc_base.h"

#define DNC_MERKLE_MAX_DEPTH 48  /* 2^48 leaves: far beyond any ledger */

/* Leaf hash of data[0..len). OUT h. */
void dnc_merkle_leaf(const uint8_t *data, size_t len, dnc_hash *h);
/* Inner node hash. OUT h (may alias neither input). */
void dnc_merkle_node(const dnc_hash *l, const dnc_hash *r, dnc_hash *h);

/* A whole tree, every level kept (what a data-service node holds). */
typedef struct dnc_merkle_tree {
	uint64_t n_leaves;
	unsigned n_levels;                    /* including the leaf level */
	dnc_hash *nodes;                      /* all levels, leaves first */
	uint64_t level_off[DNC_MERKLE_MAX_DEPTH + 1];
	uint64_t level_len[DNC_MERKLE_MAX_DEPTH + 1];
} dnc_merkle_tree;

/*
 * Build a tree over n leaf hashes (already dnc_merkle_leaf'd). Allocates;
 * free with dnc_merkle_tree_free (also on failure it leaves *t empty).
 * n == 0 gives the all-zero root. DNC_ENOMEM, DNC_EINVAL (n too large).
 */
DNC_WUR dnc_rc dnc_merkle_tree_build(const dnc_hash *leaves, uint64_t n,
				     dnc_merkle_tree *t);
void dnc_merkle_tree_free(dnc_merkle_tree *t);
/* Root of a built tree. OUT root. */
void dnc_merkle_tree_root(const dnc_merkle_tree *t, dnc_hash *root);

/* A proof: siblings from the leaf level up. */
typedef struct dnc_merkle_proof {
	uint64_t index, n_leaves;
	unsigned n_sib;
	dnc_hash sib[DNC_MERKLE_MAX_DEPTH];
} dnc_merkle_proof;

/* Proof for leaf index. OUT p. DNC_EINVAL if index >= n. */
DNC_WUR dnc_rc dnc_merkle_tree_proof(const dnc_merkle_tree *t, uint64_t index,
				     dnc_merkle_proof *p);

/*
 * Root over n leaf hashes without keeping the tree; scratch holds n
 * hashes and is overwritten. OUT root.
 */
void dnc_merkle_root(const dnc_hash *leaves, uint64_t n, dnc_hash *scratch,
		     dnc_hash *root);

/*
 * Check that leaf (a leaf hash) sits at p->index of a tree of p->n_leaves
 * leaves with this root. DNC_OK or DNC_EPROOF (also for a proof whose
 * shape does not fit (index, n)).
 */
DNC_WUR dnc_rc dnc_merkle_verify(const dnc_hash *root, const dnc_hash *leaf,
				 const dnc_merkle_proof *p);

#endif
