/*
 * block.h: block headers, transaction and state roots, and the light-node
 * verifier (R-CHAIN-2).
 *
 * A header commits to its parent, producer, slot time, the Merkle root of
 * its transactions and the Merkle root of the account records after the
 * block. A light node keeps only the latest header; it accepts the next one
 * if it extends it and is signed by the scheduled producer, and checks any
 * transaction or account record a data-service node serves with a Merkle
 * proof against that header.
 */
#ifndef DNC_BLOCK_H
#define DNC_BLOCK_H

#include "dnc_base.h"
#include "ledger.h"
#include "merkle.h"
#include "sig.h"
#include "tx.h"

typedef struct dnc_block_header {
	uint64_t height;
	dnc_hash parent;          /* hash of the previous header */
	dnc_pubkey producer;
	dnc_time_s slot_time_s;
	dnc_hash tx_root;
	dnc_hash state_root;
	uint32_t n_tx;
	dnc_sig sig;              /* producer's signature of the header hash */
} dnc_block_header;

#define DNC_HEADER_BYTES (8 + 32 + 32 + 8 + 32 + 32 + 4 + DNC_SIG_BYTES)

/*
 * Fill the (unsigned) header that follows parent: height + 1, parent's
 * hash, and the given producer, slot time, roots and transaction count.
 * OUT h; sign it with dnc_header_sign.
 */
void dnc_header_next(const dnc_block_header *parent, const dnc_pubkey *producer,
		     dnc_time_s slot_time_s, const dnc_hash *tx_root, uint32_t n_tx,
		     const dnc_hash *state_root, dnc_block_header *h);

void dnc_header_encode(const dnc_block_header *h, uint8_t out[DNC_HEADER_BYTES]);
DNC_WUR dnc_rc dnc_header_decode(const uint8_t *in, size_t len, dnc_block_header *h);
/* Hash of everything but the signature (the block id). OUT id. */
void dnc_header_hash(const dnc_block_header *h, dnc_hash *id);
DNC_WUR dnc_rc dnc_header_sign(const dnc_sigscheme *s, const uint8_t sk[DNC_SK_BYTES],
			       dnc_block_header *h);
DNC_WUR dnc_rc dnc_header_verify(const dnc_sigscheme *s, const dnc_block_header *h);

/* Leaf of a transaction (its full encoding). OUT leaf. */
DNC_WUR dnc_rc dnc_tx_leaf(const dnc_tx *tx, dnc_hash *leaf);
/*
 * Root over n transactions; leaves[] and scratch[] hold n hashes each
 * (caller-owned). OUT root. Fails like dnc_tx_encode.
 */
DNC_WUR dnc_rc dnc_tx_root(const dnc_tx *txs, uint32_t n, dnc_hash *leaves,
			   dnc_hash *scratch, dnc_hash *root);
/*
 * Build the state tree over every account record (a data-service node's
 * copy). OUT *t, freed with dnc_merkle_tree_free. DNC_ENOMEM.
 */
DNC_WUR dnc_rc dnc_state_tree(const dnc_ledger *L, dnc_merkle_tree *t);

/* R-CHAIN-2 light node: the latest header only. */
typedef struct dnc_light {
	dnc_block_header head;
	dnc_hash head_id;
	int have;
} dnc_light;

/* Trust a header (genesis or checkpoint). */
void dnc_light_init(dnc_light *l, const dnc_block_header *trusted);
/*
 * Accept the next header if it extends ours (DNC_EPARENT), comes from the
 * expected producer (DNC_EPRODUCER) and is signed by it (DNC_EBADSIG).
 */
DNC_WUR dnc_rc dnc_light_accept(dnc_light *l, const dnc_sigscheme *s,
				const dnc_block_header *h, const dnc_pubkey *expected);
/* Check a served transaction against the head's tx root (DNC_EPROOF). */
DNC_WUR dnc_rc dnc_light_check_tx(const dnc_light *l, const dnc_tx *tx,
				  const dnc_merkle_proof *p);
/* Check a served account record against the head's state root (DNC_EPROOF). */
DNC_WUR dnc_rc dnc_light_check_account(const dnc_light *l, const dnc_account_record *r,
				       const dnc_merkle_proof *p);

#endif
