/*
 * A model including another model's private header (the world reaching
 * net_int.h): must not build.
 */
#include "net_int.h"

typedef int dn_layer_probe_model_to_net_private;
