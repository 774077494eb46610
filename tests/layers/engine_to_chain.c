/*
 * The engine including the protocol library: must not build (sim/ knows
 * nothing of DNET).
 */
#include "dn_chain.h"

typedef int dn_layer_probe_engine_to_chain;
