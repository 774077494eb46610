/*
 * A model reaching another by a path from the repository root: must not
 * build.
 */
#include "models/phold/phold.h"

typedef int dn_layer_probe_model_to_other_path;
