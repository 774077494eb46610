/* The engine including a model's header: must not build. */
#include "dn_net.h"

typedef int dn_layer_probe_engine_to_model;
