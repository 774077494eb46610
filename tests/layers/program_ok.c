/* Control: the program includes every model's public header. */
#include "agents.h"
#include "dn_chain.h"
#include "dn_market.h"
#include "dn_net.h"
#include "engine.h"
#include "gini.h"
#include "models.h"
#include "peer.h"
#include "phold.h"

typedef int dn_layer_probe_program_ok;
