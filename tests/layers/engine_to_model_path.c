/*
 * The engine reaching a model by a path from the repository root: must not
 * build.
 */
#include "models/net/dn_net.h"

typedef int dn_layer_probe_engine_to_model_path;
