/*
 * A model including a model it does not link (peer reaching phold): must
 * not build.
 */
#include "phold.h"

typedef int dn_layer_probe_model_to_other;
