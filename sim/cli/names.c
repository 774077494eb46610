/*
 * names.c: the series and summary scalars a scenario's run writes, from
 * its model's list (dn_model.names) and the program's own summaries, for
 * `expect:` checks and `dnetsim validate --names`.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* What `run` writes to /summary beyond the model's (run.c, write_summary). */
static const char *const run_summaries[] = {"events", "remote_events", "windows", "serial_windows",
                                            "agent_bytes_per_agent", "wall_s", "events_per_wall_s"};

static void add(void *ctx, const char *name, bool series)
{
	dn_cli_names *N = ctx;
	if (N->oom)
		return;
	for (size_t i = 0; i < N->n; i++)
		if (N->v[i].series == series && strcmp(N->v[i].name, name) == 0)
			return;
	if (N->n == N->cap) {
		size_t cap = N->cap ? 2 * N->cap : 256;
		dn_cli_name *v = realloc(N->v, cap * sizeof *v);
		if (!v) {
			N->oom = true;
			return;
		}
		N->v = v;
		N->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy) {
		N->oom = true;
		return;
	}
	N->v[N->n].name = copy;
	N->v[N->n].series = series;
	N->n++;
}

bool dn_cli_names_init(dn_cli_names *N, const dn_model *m, const dn_scenario *s)
{
	memset(N, 0, sizeof *N);
	if (!m->names)
		return true;
	N->known = true;
	m->names(s, add, N);
	for (size_t i = 0; i < sizeof run_summaries / sizeof run_summaries[0]; i++)
		add(N, run_summaries[i], false);
	return !N->oom;
}

void dn_cli_names_fini(dn_cli_names *N)
{
	for (size_t i = 0; i < N->n; i++)
		free(N->v[i].name);
	free(N->v);
	memset(N, 0, sizeof *N);
}

int dn_cli_names_lookup(void *ctx, const char *name, char *hint, size_t hintlen)
{
	const dn_cli_names *N = ctx;
	int found = 0;
	for (size_t i = 0; i < N->n; i++) {
		const char *p = N->v[i].name;
		size_t len = strlen(p);
		bool match = len && p[len - 1] == '*' ? strncmp(p, name, len - 1) == 0 : strcmp(p, name) == 0;
		if (match)
			found |= N->v[i].series ? 1 : 2;
	}
	if (!found && hint && hintlen) {
		const char **cands = malloc((N->n ? N->n : 1) * sizeof *cands);
		hint[0] = '\0';
		for (size_t i = 0; cands && i < N->n; i++)
			cands[i] = N->v[i].name;
		if (cands)
			dn_suggest_among(name, cands, N->n, hint, hintlen);
		free(cands);
	}
	return found;
}

double dn_cli_block_s(const dn_model *m, const dn_scenario *s, const dn_registry *reg)
{
	if ((strcmp(m->name, "world") == 0 || strcmp(m->name, "peer") == 0) && dn_registry_find(reg, "chain.block_interval_s"))
		return (double)dn_scn_int(s, "chain.block_interval_s");
	return 0;
}

bool dn_cli_names_machine(const char *summary)
{
	return strcmp(summary, "wall_s") == 0 || strcmp(summary, "events_per_wall_s") == 0 ||
	       strcmp(summary, "serial_windows") == 0;
}
