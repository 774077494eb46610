/*
 * models.h: the table of models the dnetsim program can run. The engine
 * never names a model; the CLI looks one up here by sim.model.
 */
#ifndef DN_MODELS_H
#define DN_MODELS_H

#include "sim/engine.h"

/* NULL-terminated list of every model, in name order. */
const dn_model *const *dn_models_all(void);
/* The model with this name, or NULL. */
const dn_model *dn_model_find(const char *name);

extern const dn_model dn_model_phold;
extern const dn_model dn_model_peer;
extern const dn_model dn_model_world;
/* The world model's fingerprint (a hash of every recorded value). */
uint64_t dn_world_fingerprint(dn_world *w);

/* PHOLD's end-of-run fingerprint: an order-sensitive hash of every event
 * handled, combined over partitions in index order. Equal fingerprints at
 * 1 and N threads show the runs handled the same events in the same order. */
uint64_t dn_phold_fingerprint(dn_world *w);

#endif
