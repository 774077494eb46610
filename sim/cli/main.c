/*
 * main.c: the dnetsim program: dispatches to a subcommand.
 * Exit codes: 0 ok, 1 the run failed, 2 usage or scenario error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "results.h"

#ifndef DN_VERSION
#define DN_VERSION "0.0.0"
#endif
#ifndef DN_FEATURES
#define DN_FEATURES ""
#endif
#include "dn_gitrev.h"

typedef struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cmd;

static const cmd commands[] = {
	{"run", dn_cmd_run, "run a scenario and write an HDF5 results file"},
	{"sweep", dn_cmd_sweep, "run every member of a scenario's sweep: block into one HDF5 file"},
	{"check", dn_cmd_check, "judge scenarios' expect: blocks and compare their goldens (regression tests)"},
	{"tune", dn_cmd_tune, "run a scenario's tune: block: which knobs matter, which settings reach a target"},
	{"validate", dn_cmd_validate, "check a scenario file without running it"},
	{"params", dn_cmd_params, "list every parameter: name, type, unit, default, range, doc"},
	{"plot", dn_cmd_plot, "draw every series of a results file as PNG charts (gnuplot)"},
	{"bench", dn_cmd_bench, "built-in benchmarks (phold)"},
	{"calc", dn_cmd_calc, "tokenomics calculators that run the protocol library"},
	{"calibrate", dn_cmd_calibrate, "fit the flow-level network models to packet-level ns-3 runs"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: dnetsim COMMAND [ARGS]   (dnetsim COMMAND --help for details)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\noptions:\n  --version  print the version and exit\n  --help     this text\n"
	             "\nexit codes: 0 ok, 1 run failed, 2 usage or scenario error\n");
}

/* Output that did not reach stdout (a full disk, a closed pipe) is a
 * failure like any other write: exit 1 with the reason. */
static int finish_stdout(int code)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		fprintf(stderr, "dnetsim: cannot write to standard output: %s\n", e ? strerror(e) : "write error");
		return code == DN_EXIT_OK ? DN_EXIT_FAIL : code;
	}
	return code;
}

/*
 * Threads that wait at the end of a window must give their core away soon:
 * on a busy machine (a shared laptop, a login node, two sweep members on
 * one node) libgomp's default of spinning for long made --threads 2 up to
 * 20x slower than --threads 1. A short spin first (GOMP_SPINCOUNT 10,000
 * pauses, about 0.3 ms) lets a thread catch the next window without being
 * woken, which is what makes windows of a hundred events pay on two cores;
 * then it sleeps (OMP_WAIT_POLICY passive). libgomp reads both once, as it
 * loads, so a command that runs threads sets them and starts the program
 * again, unless the user chose a policy or a spin count (docs/engine.md).
 * If the program cannot start itself again it runs on with libgomp's
 * default.
 */
static void wait_passively(char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	if (pre && strstr(pre, "vgpreload"))
		return; /* under valgrind: starting again would leave the tool */
	if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") || setenv("GOMP_SPINCOUNT", "10000", 1) ||
	    setenv("OMP_WAIT_POLICY", "passive", 1))
		return;
	execvp(argv[0], argv);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "bench") == 0 ||
	                  strcmp(argv[1], "sweep") == 0 || strcmp(argv[1], "check") == 0 ||
	                  strcmp(argv[1], "tune") == 0))
		wait_passively(argv);
	if (argc < 2) {
		usage(stderr);
		return DN_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("dnetsim %s (%s)\nbuilt with: %s\n", DN_VERSION, DN_GIT_REV, DN_FEATURES);
		return DN_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return DN_EXIT_OK;
	}
	dn_results_process_init();
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return finish_stdout(commands[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "dnetsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return DN_EXIT_USAGE;
}
