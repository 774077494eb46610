/* A model including the program's header: must not build. */
#include "cli.h"

typedef int dn_layer_probe_model_to_program;
