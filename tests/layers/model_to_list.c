/* A model including the list of every model (a cycle): must not build. */
#include "models.h"

typedef int dn_layer_probe_model_to_list;
