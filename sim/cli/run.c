/*
 * run.c: `dnetsim run`, `dnetsim validate` and `dnetsim params`.
 *
 * run: load and check the scenario (nothing runs on any error), build the
 * world, record into "<out>.tmp-PID" and rename it onto <out> only when
 * the run completed; an error or an interrupt (SIGINT, SIGTERM) leaves
 * nothing at <out>. A progress line goes to stderr on a terminal.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "expect.h"
#include "tune.h"
#include "memcheck.h"
#include "models.h"
#include "results.h"
#include "sweep.h"

#ifndef DN_VERSION
#define DN_VERSION "0.0.0"
#endif
#include "dn_gitrev.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/*
 * Installed before the first file is created, so an interrupt at any point
 * reaches the cleanup path. SIGXFSZ (a file-size limit) and SIGPIPE (stdout
 * closed) are ignored: the write then fails with an errno we report.
 */
static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

static void restore_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

typedef struct progress_ctx {
	double t_start, t_last;
	bool on;
	bool printed;
} progress_ctx;

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress_line(void *vctx, dn_time_ns now, dn_time_ns end, uint64_t events)
{
	progress_ctx *c = vctx;
	if (!c->on)
		return;
	double t = mono_s();
	if (t - c->t_last < 0.25 && now < end)
		return;
	c->t_last = t;
	double el = t - c->t_start;
	double frac = end > 0 ? (double)now / (double)end : 1.0;
	double rate = el > 0 ? (double)events / el : 0.0;
	double eta = frac > 0 ? el * (1.0 - frac) / frac : 0.0;
	/* simulated time in the unit of the horizon: a decade in years, not 3e8 s */
	static const struct { double s; const char *name; } unit[] = {
		{365.25 * 86400, "years"}, {86400, "days"}, {3600, "h"}, {1, "s"}};
	double end_s = (double)end * 1e-9;
	size_t u = 0;
	while (u + 1 < sizeof unit / sizeof unit[0] && end_s < 2 * unit[u].s)
		u++;
	fprintf(stderr, "\r  sim %.3f / %.3f %s  %5.1f%%  %8.3g events/s  elapsed %.0f s  ETA %.0f s   ",
	        (double)now * 1e-9 / unit[u].s, end_s / unit[u].s, unit[u].name, 100.0 * frac, rate, el, eta);
	c->printed = true;
}

static void run_usage(FILE *out)
{
	fprintf(out,
	        "usage: dnetsim run FILE [options]\n"
	        "  Runs the scenario FILE and writes one HDF5 results file.\n\n"
	        "  --seed N        random seed (same as --set sim.seed=N)\n"
	        "  --threads N     OpenMP threads (default: sim.threads, 0 = all cores);\n"
	        "                  results are identical at any thread count\n"
	        "  --out PATH      results file (default: results/<scenario name>.h5); an existing\n"
	        "                  file is refused unless --force; never an input file or a\n"
	        "                  device, FIFO, socket, folder or symbolic link\n"
	        "  --force         replace an existing results file, and run even when the\n"
	        "                  memory estimate says the machine has too little\n"
	        "  --set NAME=VAL  override one parameter (repeatable; `dnetsim params` lists them)\n"
	        "  --quiet         print nothing but errors\n"
	        "  --progress      print the progress line even when stderr is not a terminal\n"
	        "  --help          this text\n\n"
	        "exit codes: 0 ok, 1 run failed (nothing written), 2 usage or scenario error\n");
}

static dn_rc write_summary(dn_results *r, const dn_world *w, const dn_run_stats *st)
{
	dn_rc rc = dn_results_summary_i64(r, "events", (int64_t)st->events, "events",
	                                  "events handled by the engine");
	if (!rc)
		rc = dn_results_summary_i64(r, "remote_events", (int64_t)st->remote, "events",
		                            "events that crossed partitions");
	if (!rc)
		rc = dn_results_summary_i64(r, "windows", (int64_t)st->windows, "1",
		                            "synchronisation windows");
	if (!rc)
		rc = dn_results_summary_i64(r, "serial_windows", (int64_t)st->serial_windows, "1",
		                            "windows of a multi-partition run that ran on one thread: too few events, one thread, or measured faster so (machine-dependent, not reproducible)");
	if (!rc)
		rc = dn_results_summary_f64(r, "agent_bytes_per_agent", dn_world_bytes_per_agent(w), "bytes",
		                            "agent state per agent (struct-of-arrays columns)");
	if (!rc)
		rc = dn_results_summary_f64(r, "wall_s", st->wall_s, "s",
		                            "wall time of the run loop (machine-dependent, not reproducible)");
	if (!rc)
		rc = dn_results_summary_f64(r, "events_per_wall_s", st->wall_s > 0 ? (double)st->events / st->wall_s : 0,
		                            "events/s", "engine speed (machine-dependent, not reproducible)");
	return rc;
}

static int mkdir_parent(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -1;
	char *slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* What `dnetsim run` was asked to do. */
typedef struct run_opts {
	dn_cli_sets sets;
	const char *path;       /* the scenario */
	const char *out_path;   /* NULL: results/<name>.h5 */
	const char *seed;       /* --seed, or NULL */
	uint64_t threads;
	bool quiet, force_progress, force;
} run_opts;

/* The command line into *o. -1 to go on, else the exit code. */
static int run_parse(int argc, char **argv, run_opts *o)
{
	static const struct option opts[] = {
		{"seed", required_argument, NULL, 's'}, {"threads", required_argument, NULL, 't'},
		{"out", required_argument, NULL, 'o'},  {"set", required_argument, NULL, 'S'},
		{"quiet", no_argument, NULL, 'q'},      {"progress", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},       {"force", no_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	bool seed_set = false;
	int c;
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->seed = optarg; break;
		case 't':
			if (!dn_cli_parse_u64("--threads", optarg, &o->threads) || o->threads > 1024) {
				if (o->threads > 1024)
					fprintf(stderr, "dnetsim: --threads must be at most 1024\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 'o':
			if (!optarg[0]) {
				fprintf(stderr, "dnetsim run: --out needs a file name\n");
				return DN_EXIT_USAGE;
			}
			o->out_path = optarg;
			break;
		case 'S':
			if (strncmp(optarg, "sim.seed=", 9) == 0)
				seed_set = true;
			if (!dn_cli_set_opt(&o->sets, "run", optarg, optind < argc ? argv[optind] : NULL))
				return DN_EXIT_USAGE;
			break;
		case 'q': o->quiet = true; break;
		case 'p': o->force_progress = true; break;
		case 'f': o->force = true; break;
		case 'h': run_usage(stdout); return DN_EXIT_OK;
		default: run_usage(stderr); return DN_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		if (optind >= argc || !dn_cli_operand_hint("run", &o->sets, argc, argv, optind))
			fprintf(stderr, "dnetsim run: expected exactly one scenario FILE\n");
		run_usage(stderr);
		return DN_EXIT_USAGE;
	}
	o->path = argv[optind];
	if (o->seed && seed_set) {
		fprintf(stderr, "dnetsim run: the seed is given twice (--seed and --set sim.seed): give it once\n");
		return DN_EXIT_USAGE;
	}
	if (o->seed) {
		uint64_t v;
		if (!dn_cli_parse_u64("--seed", o->seed, &v))
			return DN_EXIT_USAGE;
		snprintf(o->sets.seed_buf, sizeof o->sets.seed_buf, "sim.seed=%" PRIu64, v);
		if (!dn_cli_sets_add(&o->sets, o->sets.seed_buf))
			return DN_EXIT_USAGE;
	}
	return -1;
}

/* Before anything is built: the results file may be written (its name,
 * its folder) and the world fits in memory. -1 to go on, else the exit code. */
static int run_prepare(const run_opts *o, dn_cli_registry *cr, const dn_model *model, const dn_scenario *s)
{
	assert(o->out_path);
	if (!dn_cli_out_ok(o->out_path, s, cr, o->force))
		return DN_EXIT_USAGE;
	if (mkdir_parent(o->out_path) != 0) {
		fprintf(stderr, "dnetsim: cannot create the folder of %s: %s\n", o->out_path, strerror(errno));
		return DN_EXIT_FAIL;
	}
	if (!dn_cli_out_dir_ok(o->out_path, o->quiet))
		return DN_EXIT_FAIL;
	int mc = dn_cli_mem_check(model, s, (int)o->threads, o->force, o->quiet, o->out_path, stderr);
	return mc ? mc : -1;
}

/* Opens the results file and writes /config. OUT *r (NULL on failure). */
static bool run_open_results(const run_opts *o, const dn_scenario *s, const dn_world *w, dn_results **r)
{
	char err[1024];
	*r = NULL;
	if (dn_results_open(o->out_path, r, err, sizeof err)) {
		fprintf(stderr, "dnetsim: %s\n", err);
		return false;
	}
	char *yaml = dn_scenario_to_yaml(s);
	if (!yaml) {
		fprintf(stderr, "dnetsim: out of memory\n");
		return false;
	}
	dn_rc rc = dn_results_write_config(*r, yaml, DN_VERSION, (uint64_t)dn_scn_int(s, "sim.seed"), DN_GIT_REV,
	                                   dn_world_threads(w));
	free(yaml);
	if (rc) {
		fprintf(stderr, "dnetsim: %s: cannot write /config: %s\n", o->out_path, dn_results_errmsg(*r));
		return false;
	}
	return true;
}

/* Runs the built world into r, then writes /summary and closes the file
 * (it appears under its name only now). Owns r: closed, discarding it, on
 * failure. The exit code. */
static int run_record(const run_opts *o, const dn_model *model, const dn_scenario *s, dn_world *w, dn_results *r)
{
	char err[1024];
	uint64_t seedv = (uint64_t)dn_scn_int(s, "sim.seed");
	if (!o->quiet)
		printf("dnetsim %s: %s, model %s, seed %" PRIu64 ", %u partitions, %d threads\n",
		       DN_VERSION, o->path, model->name, seedv, dn_world_nparts(w), dn_world_threads(w));
	fflush(stdout);
	progress_ctx pc = {.t_start = mono_s(), .on = !o->quiet && (o->force_progress || isatty(2))};
	dn_run_stats st;
	dn_rc rc = dn_world_run(w, r, progress_line, &pc, (volatile const int *)&stop_flag, &st, err, sizeof err);
	if (pc.printed)
		fputc('\n', stderr);
	if (rc) {
		const char *why = dn_results_errmsg(r);
		if ((rc == DN_EHDF5 || rc == DN_EIO) && why && why[0])
			snprintf(err, sizeof err, "%s", why);
		fprintf(stderr, "dnetsim: run failed: %s\n", err);
		fprintf(stderr, "dnetsim: reproduce with: dnetsim run %s --seed %" PRIu64 "%s\n", o->path, seedv,
		        o->sets.n > (o->seed ? 1u : 0u) ? " (plus the same --set options)" : "");
		fprintf(stderr, "dnetsim: nothing was written to %s\n", o->out_path);
		(void)dn_results_close(r, false);
		return DN_EXIT_FAIL;
	}
	rc = write_summary(r, w, &st);
	if (rc) {
		fprintf(stderr, "dnetsim: %s: cannot write /summary: %s\n", o->out_path, dn_results_errmsg(r));
		(void)dn_results_close(r, false);
		return DN_EXIT_FAIL;
	}
	rc = dn_results_close_err(r, true, err, sizeof err);
	if (rc) {
		fprintf(stderr, "dnetsim: cannot finish %s: %s\n", o->out_path, err);
		return DN_EXIT_FAIL;
	}
	if (!o->quiet) {
		printf("%" PRIu64 " events in %.2f s wall (%.3g events/s), %" PRIu64 " windows\n", st.events,
		       st.wall_s, st.wall_s > 0 ? (double)st.events / st.wall_s : 0.0, st.windows);
		printf("results: %s\n", o->out_path);
	}
	return DN_EXIT_OK;
}

int dn_cmd_run(int argc, char **argv)
{
	run_opts o;
	memset(&o, 0, sizeof o);
	int code = run_parse(argc, argv, &o);
	if (code >= 0)
		return code;
	code = DN_EXIT_FAIL;
	dn_cli_registry cr;
	dn_scenario *s = NULL;
	dn_world *w = NULL;
	dn_results *r = NULL;
	char *owned_out = NULL;
	char err[1024];
	install_signals();
	if (dn_cli_registry_init(&cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		goto done;
	}
	s = dn_cli_load(&cr, o.path, &o.sets);
	if (!s) {
		code = DN_EXIT_USAGE;
		goto done;
	}
	const dn_model *model = dn_model_find(dn_scn_str(s, "sim.model"));
	if (!model) { /* unreachable: sim.model is an enum of these */
		fprintf(stderr, "dnetsim: %s: unknown model '%s'\n", o.path, dn_scn_str(s, "sim.model"));
		code = DN_EXIT_USAGE;
		goto done;
	}
	if (dn_scenario_block(s, "sweep") && !o.quiet)
		fprintf(stderr, "dnetsim run: %s has a sweep: block; run runs its base scenario "
		                "(`dnetsim sweep %s` runs the sweep)\n", o.path, o.path);
	if (!o.out_path) {
		o.out_path = owned_out = dn_cli_default_out(o.path, "");
		if (!owned_out)
			goto done;
	}
	int pc = run_prepare(&o, &cr, model, s);
	if (pc >= 0) {
		code = pc;
		goto done;
	}
	dn_rc rc = dn_world_new(model, s, (int)o.threads, &w, err, sizeof err);
	if (rc) {
		fprintf(stderr, "dnetsim: %s: %s\n", o.path, err);
		code = (rc == DN_ERANGE || rc == DN_EINVAL) ? DN_EXIT_USAGE : DN_EXIT_FAIL;
		goto done;
	}
	if (stop_flag) {
		fprintf(stderr, "dnetsim: interrupted before the run started; nothing was written to %s\n", o.out_path);
		goto done;
	}
	if (!run_open_results(&o, s, w, &r))
		goto done;
	code = run_record(&o, model, s, w, r);
	r = NULL; /* run_record closed it */
done:
	if (r)
		(void)dn_results_close(r, false);
	restore_signals();
	free(owned_out);
	dn_world_free(w);
	dn_scenario_free(s);
	dn_cli_registry_fini(&cr);
	return code;
}

int dn_cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"set", required_argument, NULL, 'S'}, {"print", no_argument, NULL, 'p'},
		{"names", no_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	dn_cli_sets sets = {0};
	bool print = false, names = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			if (!dn_cli_set_opt(&sets, "validate", optarg, optind < argc ? argv[optind] : NULL))
				return DN_EXIT_USAGE;
			break;
		case 'p': print = true; break;
		case 'n': names = true; break;
		case 'h':
			printf("usage: dnetsim validate FILE [--set NAME=VAL]... [--print | --names]\n"
			       "  Checks FILE (and its includes) against the parameter registry without running.\n"
			       "  --print  print the fully resolved scenario as YAML\n"
			       "  --names  print the series and summary scalars a run writes (what expect: can name)\n"
			       "exit codes: 0 valid, 2 invalid (every error is told, one a line, at "
			       "file:line:column)\n");
			return DN_EXIT_OK;
		default: return DN_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		if (optind < argc)
			(void)dn_cli_operand_hint("validate", &sets, argc, argv, optind);
		fprintf(stderr, "usage: dnetsim validate FILE [--set NAME=VAL]... [--print | --names]\n");
		return DN_EXIT_USAGE;
	}
	dn_cli_registry cr;
	if (dn_cli_registry_init(&cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		return DN_EXIT_FAIL;
	}
	dn_scenario *s = dn_cli_load(&cr, argv[optind], &sets);
	int code = DN_EXIT_USAGE;
	dn_sweep *sw = NULL;
	dn_cli_names nm = {0};
	dn_expect *ex = NULL;
	dn_tune *tn = NULL;
	if (s) {
		char serr[16384];
		const dn_model *model = dn_model_find(dn_scn_str(s, "sim.model"));
		bool bad = false;
		if (dn_sweep_from_scenario(cr.reg, s, &sw, serr, sizeof serr)) {
			dn_cli_print_errors(serr);
			bad = true;
		}
		if (!model || !dn_cli_names_init(&nm, model, s)) {
			fprintf(stderr, "dnetsim: cannot list the model's names\n");
			bad = true;
		} else if (dn_expect_from_scenario(cr.reg, s, dn_cli_block_s(model, s, cr.reg), 0,
		                                   nm.known ? dn_cli_names_lookup : NULL, &nm, &ex, serr, sizeof serr)) {
			dn_cli_print_errors(serr);
			bad = true;
		} else if (dn_tune_from_scenario(cr.reg, s, dn_cli_block_s(model, s, cr.reg),
		                                 nm.known ? dn_cli_names_lookup : NULL, &nm, &tn, serr, sizeof serr)) {
			dn_cli_print_errors(serr);
			bad = true;
		}
		if (bad) {
			dn_scenario_free(s);
			s = NULL;
		}
	}
	if (s) {
		code = DN_EXIT_OK;
		if (names) {
			if (!nm.known)
				printf("# model %s does not list its names: they are checked after a run\n", dn_scn_str(s, "sim.model"));
			for (int pass = 0; pass < 2; pass++)
				for (size_t i = 0; i < nm.n; i++)
					if (nm.v[i].series == (pass == 0))
						printf("%s %s\n", pass == 0 ? "series " : "summary", nm.v[i].name);
		} else if (print) {
			char *y = dn_scenario_to_yaml(s);
			if (y)
				fputs(y, stdout);
			else
				code = DN_EXIT_FAIL;
			free(y);
		} else {
			printf("%s: valid (model %s)", argv[optind], dn_scn_str(s, "sim.model"));
			if (sw)
				printf("; sweep: %" PRIu64 " members (%s, %" PRIu64 " points x %" PRIu64 " replicates)",
				       dn_sweep_n_members(sw), dn_sweep_design_name(dn_sweep_get_design(sw)),
				       dn_sweep_n_points(sw), dn_sweep_replicates(sw));
			if (ex)
				printf("; expect: %zu checks on %" PRIu64 " seed%s%s", ex->n, ex->seeds, ex->seeds > 1 ? "s" : "",
				       ex->golden ? " and a golden" : "");
			if (tn)
				printf("; tune: %s of %zu parameter%s", dn_tune_kind_name(tn->kind), tn->k, tn->k == 1 ? "" : "s");
			printf("\n");
		}
	}
	dn_sweep_free(sw);
	dn_expect_free(ex);
	dn_tune_free(tn);
	dn_cli_names_fini(&nm);
	dn_scenario_free(s);
	dn_cli_registry_fini(&cr);
	return code;
}

int dn_cmd_params(int argc, char **argv)
{
	bool md = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--markdown") == 0) {
			md = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: dnetsim params [--markdown]\n"
			       "  Lists every parameter: dotted name, type, unit, default, allowed range, doc.\n"
			       "  --markdown  a Markdown table (docs/parameters.md is made with it)\n");
			return DN_EXIT_OK;
		} else {
			fprintf(stderr, "dnetsim params: unknown argument '%s'\n", argv[i]);
			return DN_EXIT_USAGE;
		}
	}
	dn_cli_registry cr;
	if (dn_cli_registry_init(&cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		return DN_EXIT_FAIL;
	}
	dn_registry_print(cr.reg, stdout, md);
	dn_cli_registry_fini(&cr);
	return DN_EXIT_OK;
}
