/* models.c: the list of models compiled into dnetsim. */
#include "models.h"
#include "models/net/dn_net.h"

#include <string.h>

static const dn_model *const all_models[] = {
	&dn_model_net,
	&dn_model_peer,
	&dn_model_phold,
	&dn_model_world,
	NULL,
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
