/* A model including the engine's private queue: must not build. */
#include "evq.h"

typedef int dn_layer_probe_model_to_engine_private;
