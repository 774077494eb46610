/*
 * models.c: the list of models compiled into dnetsim, and the parameter
 * tables that belong to no one model. This is the one file of the models
 * layer that names every model; the program above it names none.
 */
#include "models.h"

#include <string.h>

#include "agents.h"
#include "dn_market.h"
#include "dn_net.h"
#include "peer.h"
#include "phold.h"
#include "testfn.h"

static const dn_model *const all_models[] = {
	&dn_model_ishigami,
	&dn_model_net,
	&dn_model_peer,
	&dn_model_phold,
	&dn_model_planted,
	&dn_model_world,
	NULL,
};

/* Libraries' tables: the network models' net.* (read by the net and world
 * models) and the exchange's market.* (read by the world model). */
typedef const dn_param_def *(*param_table_fn)(size_t *n);
static const param_table_fn shared_tables[] = {
	dn_net_params,
	dn_market_params,
};

const dn_model *const *dn_models_all(void)
{
	return all_models;
}

const dn_model *dn_model_find(const char *name)
{
	for (size_t i = 0; all_models[i]; i++)
		if (strcmp(all_models[i]->name, name) == 0)
			return all_models[i];
	return NULL;
}

dn_rc dn_models_add_params(dn_registry *reg)
{
	dn_rc rc = DN_OK;
	for (size_t i = 0; !rc && all_models[i]; i++)
		if (all_models[i]->params)
			rc = dn_registry_add(reg, all_models[i]->params, all_models[i]->n_params);
	for (size_t i = 0; !rc && i < sizeof shared_tables / sizeof shared_tables[0]; i++) {
		size_t n;
		const dn_param_def *defs = shared_tables[i](&n);
		rc = dn_registry_add(reg, defs, n);
	}
	return rc;
}
