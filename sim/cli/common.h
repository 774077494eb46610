/*
 * common.h: what the subcommands share: the registry of every parameter
 * (engine and all models), scenario loading with --set overrides and the
 * error report, and small argument helpers.
 */
#ifndef DN_CLI_COMMON_H
#define DN_CLI_COMMON_H

#include <stdbool.h>

#include "engine.h"
#include "params.h"
#include "scenario.h"

#define DN_CLI_MAX_SETS 256

typedef struct dn_cli_registry {
	dn_registry *reg;
	dn_param_def engine_defs[32];
	char model_choices[512];
} dn_cli_registry;

/* Builds the registry of the engine's and every model's parameters. */
DN_WUR dn_rc dn_cli_registry_init(dn_cli_registry *cr);
void dn_cli_registry_fini(dn_cli_registry *cr);

/* --set collection: keeps pointers into argv (and an owned "sim.seed=N"). */
typedef struct dn_cli_sets {
	const char *v[DN_CLI_MAX_SETS + 1];
	size_t n;
	char seed_buf[64];
} dn_cli_sets;

/* Adds one "name=value"; prints an error and returns false when full. */
bool dn_cli_sets_add(dn_cli_sets *s, const char *kv);

/*
 * Loads a scenario (path may be NULL: defaults) with overrides; on error
 * prints "dnetsim: ERROR" to stderr and returns NULL.
 */
dn_scenario *dn_cli_load(const dn_cli_registry *cr, const char *path, const dn_cli_sets *sets);

/*
 * The results path of `dnetsim run`, checked before anything is built:
 * refuses (message on stderr, false) a symbolic link, anything but a
 * regular file or a new name, the scenario or one of its includes, a file
 * a string parameter names, and an existing file unless force.
 */
bool dn_cli_out_ok(const char *out, const dn_scenario *s, const dn_cli_registry *cr, bool force);
/* The folder of `out` (created by then) takes files; temporaries of dead
 * runs in it are removed and reported (unless quiet). False: message printed. */
bool dn_cli_out_dir_ok(const char *out, bool quiet);

/* Parses a non-negative integer option value; prints an error on failure. */
bool dn_cli_parse_u64(const char *opt, const char *s, uint64_t *out);
bool dn_cli_parse_double(const char *opt, const char *s, double *out);

/* Monotonic wall clock, seconds (timing reports only). */
double dn_cli_now_s(void);

/* Peak resident set size of this process, bytes (0 if unknown). */
uint64_t dn_cli_peak_rss_bytes(void);

#endif
