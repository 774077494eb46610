/*
 * peer.h: the peer-tokenomics model (peer.c) as others see it: its table,
 * and hooks for tests.
 */
#ifndef DN_PEER_H
#define DN_PEER_H

#include "dn_chain.h"
#include "engine.h"
#include "gini.h"

extern const dn_model dn_model_peer;

/*
 * One payment of `amount_base` from payer to provider over n_relays
 * relays, as a block does it: the protocol library's split, then the
 * transfers. Adds the per-delegate fee to *fee_per_delegate_base.
 */
DN_WUR dn_rc dn_peer_pay(dn_world *w, uint32_t payer, uint32_t provider, const uint32_t *relays,
                         uint32_t n_relays, dn_amount amount_base, dn_amount *fee_per_delegate_base);

/* The model's Gini structure and ledger, read-only. */
const dn_gini *dn_peer_gini(dn_world *w);
const dnc_ledger *dn_peer_ledger(dn_world *w);
/* The i-th delegate (agent index) and the number of blocks produced. */
uint32_t dn_peer_delegate(dn_world *w, uint32_t i);
uint64_t dn_peer_height(dn_world *w);
/* Hash of every recorded sample (minted, Gini, fees, paid), for comparing runs. */
uint64_t dn_peer_fingerprint(dn_world *w);
int64_t dn_peer_minted(dn_world *w);

#endif
