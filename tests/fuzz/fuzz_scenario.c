/*
 * fuzz_scenario.c: libFuzzer harness for the scenario loader: any bytes
 * as a scenario file must load or fail with a located message, never
 * crash, leak or read out of bounds. Built by -DDNET_FUZZ=ON with clang
 * (docs/testing.md). Run it in an empty folder: `include:` reads files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dn_registry *registry(void)
{
	static dn_registry *reg; /* built once per fuzzing process */
	if (!reg) {
		reg = dn_registry_new();
		size_t n;
		const dn_param_def *e = dn_engine_params(&n);
		if (!reg || dn_registry_add(reg, e, n))
			abort();
		for (const dn_model *const *m = dn_models_all(); *m; m++)
			if ((*m)->params && dn_registry_add(reg, (*m)->params, (*m)->n_params))
				abort();
	}
	return reg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	dn_scenario *s = NULL;
	char err[512];
	dn_rc rc = dn_scenario_load_string(registry(), "fuzz.yaml", text, NULL, 0, &s, err, sizeof err);
	if (rc == DN_OK) {
		/* What loads must round-trip through the resolved YAML. */
		char *y = dn_scenario_to_yaml(s);
		dn_scenario *s2 = NULL;
		if (!y || dn_scenario_load_string(registry(), "round-trip", y, NULL, 0, &s2, err, sizeof err))
			abort();
		char *y2 = dn_scenario_to_yaml(s2);
		if (!y2 || strcmp(y, y2) != 0)
			abort();
		free(y);
		free(y2);
		dn_scenario_free(s2);
		dn_scenario_free(s);
	} else if (!strchr(err, ':') || !err[0]) {
		abort(); /* every failure says where (an include may name its own file) */
	}
	free(text);
	return 0;
}
