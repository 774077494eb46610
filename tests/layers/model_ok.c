/*
 * Control: the world model includes what it links: the engine, the
 * protocol library, the network models, the market, the shared Gini.
 */
#include "dn_chain.h"
#include "dn_market.h"
#include "dn_net.h"
#include "engine.h"
#include "gini.h"
#include "rng.h"
#include "scenario.h"

typedef int dn_layer_probe_model_ok;
