/* The engine including the program's header: must not build. */
#include "cli.h"

typedef int dn_layer_probe_engine_to_program;
