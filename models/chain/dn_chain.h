/*
 * dn_chain.h: the DNET protocol library in one include. libdnetchain is
 * the code a DNET node would run: ledger, transactions, blocks and Merkle
 * proofs, D(PoS+PoT) consensus, traffic credentials and contracts,
 * emission, rewards and splits. It depends on libc and libsodium only and
 * takes time, randomness-derived values and messages as arguments.
 */
#ifndef DN_CHAIN_H
#define DN_CHAIN_H

#include "block.h"
#include "consensus.h"
#include "credential.h"
#include "dnc_base.h"
#include "dnc_params.h"
#include "emission.h"
#include "ledger.h"
#include "merkle.h"
#include "sig.h"
#include "split.h"
#include "state.h"
#include "tx.h"

#endif
