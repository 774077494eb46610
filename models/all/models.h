/*
 * models.h: every model the dnetsim program can run, and every parameter
 * they read. The engine never names a model; the program looks one up
 * here by sim.model and reaches it only through its dn_model table, so it
 * names no model's internals.
 */
#ifndef DN_MODELS_H
#define DN_MODELS_H

#include "engine.h"

/* NULL-terminated list of every model, in name order. */
const dn_model *const *dn_models_all(void);
/* The model with this name, or NULL. */
const dn_model *dn_model_find(const char *name);

/*
 * Adds to reg every model's parameter table, then the tables of the
 * libraries several models share (net.*, market.*), each once. Fails as
 * dn_registry_add does (a name registered twice is DN_EINVAL).
 */
DN_WUR dn_rc dn_models_add_params(dn_registry *reg);

#endif
