/*
 * testfn.h: the test-function models (testfn.c) as others see them: two
 * closed-form functions run as models, so `dnetsim tune` (sensitivity
 * analysis, target search) is tested against answers known in advance,
 * the way PHOLD tests the engine.
 */
#ifndef DN_TESTFN_H
#define DN_TESTFN_H

#include "engine.h"

/* sim.model: ishigami (the Ishigami function) and planted (a weighted
 * quadratic bowl with its minimum at a chosen point). */
extern const dn_model dn_model_ishigami, dn_model_planted;

#endif
