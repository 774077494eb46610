/* Control: the engine includes its own headers, private ones too. */
#include "dn_base.h"
#include "engine.h"
#include "evq.h"
#include "params.h"
#include "results.h"
#include "rng.h"
#include "scenario.h"
#include "store.h"

typedef int dn_layer_probe_engine_ok;
