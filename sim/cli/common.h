/*
 * common.h: what the subcommands share: the registry of every parameter
 * (engine and all models), scenario loading with --set overrides and the
 * error report, and small argument helpers.
 */
#ifndef DN_CLI_COMMON_H
#define DN_CLI_COMMON_H

#include <stdbool.h>

#include "dn_net.h"
#include "engine.h"
#include "params.h"
#include "scenario.h"

#define DN_CLI_MAX_SETS 256

/* Unit factors of the program's reports: multiply a value in the unit on
 * the right to get the unit on the left (seconds and bytes are the
 * engine's; the others are for printing). */
#define DN_CLI_US_PER_S 1e6
#define DN_CLI_MS_PER_S 1e3
#define DN_CLI_HZ_PER_MHZ 1e6
#define DN_CLI_MBPS_PER_BPS 1e-6 /* Mbit/s per bit/s */
#define DN_CLI_BYTES_PER_MIB 1048576.0

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
	const char *next[DN_CLI_MAX_SETS + 1]; /* the argument after each --set (NULL: none) */
	size_t n;
	char seed_buf[64];
} dn_cli_sets;

/* Adds one "name=value"; prints an error and returns false when full. */
bool dn_cli_sets_add(dn_cli_sets *s, const char *kv);

/*
 * A --set option as given on the command line of `dnetsim CMD` (cmd is
 * "run", "validate", "bench phold"...): kv is its value, next the argument
 * after it (argv[optind] after getopt; NULL at the end). Without '=' it is
 * a usage error, printed as
 *   dnetsim run: --set chain.lambda: expected KEY=VALUE (did you mean --set chain.lambda=0.3?)
 * (the hint when next looks like the value). False: message printed, the
 * command exits with DN_EXIT_USAGE.
 */
bool dn_cli_set_opt(dn_cli_sets *s, const char *cmd, const char *kv, const char *next);

/*
 * Too many operands for `dnetsim CMD`: when one of argv[first..argc) is
 * the word right after a --set (`--set out.label=a b`, `--set k= 0.3`), or
 * looks like a KEY=VALUE without its --set, prints what was probably meant
 * ("dnetsim CMD: ...") and returns true; else prints nothing, false.
 */
bool dn_cli_operand_hint(const char *cmd, const dn_cli_sets *s, int argc, char **argv, int first);

/* Prints the loader's error lines, one "dnetsim: LINE" each, to stderr. */
void dn_cli_print_errors(const char *err);

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
/* "results/<scenario file's name without .yaml><suffix>.h5", malloc'd
 * (NULL when out of memory): the default --out. */
char *dn_cli_default_out(const char *scenario_path, const char *suffix);
/* The folder of `out` (created by then) takes files; temporaries of dead
 * runs in it are removed and reported (unless quiet). False: message printed. */
bool dn_cli_out_dir_ok(const char *out, bool quiet);

/* Parses a non-negative integer option value; prints an error on failure. */
bool dn_cli_parse_u64(const char *opt, const char *s, uint64_t *out);
bool dn_cli_parse_double(const char *opt, const char *s, double *out);

/*
 * The `dnetsim calc` options: "--name value" or "--name=value", or a flag
 * "--name". value holds the default until the option is given.
 */
typedef struct dn_cli_opt {
	const char *name; /* without the leading "--" */
	int takes_value;
	const char *value;
	int seen;
} dn_cli_opt;

/*
 * Parses argv[first..argc) against o[0..n). Returns 0, or DN_EXIT_USAGE after
 * printing the problem as "dnetsim calc CMD: ..." (an operand's message ends
 * with operand_hint, "" for none).
 */
int dn_cli_opts_parse(const char *cmd, int argc, char **argv, int first, dn_cli_opt *o, int n,
                      const char *operand_hint);

/* The median of v[0..n), which it sorts; NAN for n == 0. */
double dn_cli_median(double *v, size_t n);

/*
 * The cell as compared with ns-3 (`calc cell --ns3`, `calibrate`): the
 * flow model draws each user's LOS, which is then fixed (los[0..n)) and
 * the cell evaluated again into st[0..n), so ns-3, given the same los, sees
 * the same SINR. The first failing dn_net_eval_cell's code.
 */
DN_WUR dn_rc dn_cli_cell_fixed_los(const dn_net_cell_cfg *cfg, const dn_net_calib *k, uint32_t n,
                                   const double *x_m, const double *y_m, uint64_t seed, int *los,
                                   dn_net_user_stat *st);

/*
 * A cell flow's rate from ns-3's count (`calc cell --ns3`, `calibrate`).
 * FlowMonitor only follows packets sent after its window opens, and each
 * waits delay_s in the eNB's RLC queue, so of a measure_s window only
 * measure_s - delay_s of service is counted: a weak user of a crowded cell
 * (0.28 s of 1.5 s at 300 m, 20 users, 5 MHz) would read 18 % low.
 * (Checked: such a user reads 0.235 Mbit/s over 1.5 s and 0.268 over 4 s,
 * both 0.288 once counted over the served part.)
 */
double dn_cli_cell_served_rate(double rx_bps, double delay_s, double measure_s);

/* mkdir -p: 0, or -1 with errno. */
int dn_cli_mkdirs(const char *path);
/* rm -rf path (a folder of the program's own making). */
void dn_cli_remove_tree(const char *path);
/* Monotonic wall clock, seconds (timing reports only). */
double dn_cli_now_s(void);

/* Peak resident set size of this process, bytes (0 if unknown). */
uint64_t dn_cli_peak_rss_bytes(void);

/* The series and summary scalars a run of a scenario writes (names.c). */
typedef struct dn_cli_name {
	char *name; /* ending in '*': every name with that prefix */
	bool series;
} dn_cli_name;
typedef struct dn_cli_names {
	dn_cli_name *v;
	size_t n, cap;
	bool known; /* the model lists its names */
	bool oom;
} dn_cli_names;
/* The model's names for s and the program's summaries; false when out of memory. */
bool dn_cli_names_init(dn_cli_names *N, const dn_model *m, const dn_scenario *s);
void dn_cli_names_fini(dn_cli_names *N);
/* A dn_expect_lookup_fn over a dn_cli_names: 0 unknown, 1 series, 2 summary, 3 both. */
int dn_cli_names_lookup(void *ctx, const char *name, char *hint, size_t hintlen);
/* The model's block interval in seconds (world, peer), 0 for a model
 * without blocks: what an expectation's at_block counts in. */
double dn_cli_block_s(const dn_model *m, const dn_scenario *s, const dn_registry *reg);
/* A summary that measures the machine, not the run (left out of goldens). */
bool dn_cli_names_machine(const char *summary);

#endif
