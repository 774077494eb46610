/*
 * bench.c: `dnetsim bench phold` and `dnetsim bench peer`: run a model
 * through the real engine at each requested thread count, in this process,
 * and report its speed and memory. PHOLD reports events per second, agent
 * memory per LP, peak memory and the parallel speed-up; peer reports wall
 * time per block and agent-updates per second. The runs must agree on their
 * fingerprint (same events, same order); a mismatch is reported as a failure.
 * One runner (bench_measure) serves both; each bench says what differs: its
 * options, its scenario, its table.
 */
#include <assert.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "models.h"

#define MAX_RUNS 16
#define MAX_THREADS 1024
/* The largest --blocks: bounds the end time a bench asks for. */
#define MAX_BLOCKS UINT64_C(100000000)

/* "1,2,4" into counts (each 1..MAX_THREADS, at most MAX_RUNS); -1 with a message on error. */
static int parse_threads(const char *list, int *threads)
{
	char buf[256];
	int n = 0;
	uint64_t v;
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_RUNS || !dn_cli_parse_u64("--threads", tok, &v) || v < 1 || v > MAX_THREADS) {
			fprintf(stderr, "dnetsim: --threads takes up to %d counts in 1..%d\n", MAX_RUNS, MAX_THREADS);
			return -1;
		}
		threads[n++] = (int)v;
	}
	if (n == 0)
		fprintf(stderr, "dnetsim: --threads needs at least one count\n");
	assert(n >= 0 && n <= MAX_RUNS);
	return n ? n : -1;
}

/* What both benches take from the command line. */
typedef struct bench_args {
	const char *threads_list;
	dn_cli_sets user; /* --set, applied after the bench's own overrides */
	bool tsv;
	int threads[MAX_RUNS];
	int nthreads;
} bench_args;

/* The getopt entries of the options every bench takes (bench_common_opt). */
#define BENCH_COMMON_OPTS                                                                                   \
	{"threads", required_argument, NULL, 't'}, {"set", required_argument, NULL, 'S'},                     \
	{"tsv", no_argument, NULL, 'T'}, {"help", no_argument, NULL, 'h'}

/*
 * An option every bench takes (or an unknown one, which shows usage):
 * returns -1 when it was taken and parsing goes on, else the exit code the
 * command ends with.
 */
static int bench_common_opt(int c, bench_args *a, void (*usage)(FILE *), const char *cmd,
                            const char *next)
{
	switch (c) {
	case 't': a->threads_list = optarg; return -1;
	case 'S': return dn_cli_set_opt(&a->user, cmd, optarg, next) ? -1 : DN_EXIT_USAGE;
	case 'T': a->tsv = true; return -1;
	case 'h': usage(stdout); return DN_EXIT_OK;
	default: usage(stderr); return DN_EXIT_USAGE;
	}
}

/* After the options: no operands, and the thread list parses. False: message printed. */
static bool bench_args_done(int argc, bench_args *a, void (*usage)(FILE *))
{
	if (optind != argc) {
		usage(stderr);
		return false;
	}
	a->nthreads = parse_threads(a->threads_list, a->threads);
	return a->nthreads > 0;
}

static bool bench_registry(dn_cli_registry *cr)
{
	if (dn_cli_registry_init(cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		return false;
	}
	return true;
}

/* One thread count's measurement; over repeats, the fastest. */
typedef struct bench_run {
	int threads;
	uint64_t events, fingerprint;
	uint64_t steps;             /* the model's summary steps (0 without a summary) */
	double setup_s, wall_s;     /* world construction; dn_world_run */
	double events_per_s;
	double agent_bytes;         /* dn_world_bytes_per_agent */
} bench_run;

/* What differs between the benches; bench_measure does the rest. */
typedef struct bench_spec {
	const char *model;    /* dn_model_find name */
	uint64_t repeat;      /* runs per thread count, >= 1 */
	bool range_is_usage;  /* DN_ERANGE from building the world is the user's numbers: exit 2 */
	bool same_events;     /* the runs must also agree on the event count */
	const char *disagree; /* the message when they do not agree */
	/*
	 * Optional: called after each thread count's runs, in order, so a
	 * long bench shows its rows as they come. Nonzero: the exit code to
	 * stop with (a message printed).
	 */
	int (*measured)(void *ctx, const bench_run *runs, int i);
	void *ctx;
} bench_spec;

/*
 * Runs spec's model on s at each of a's thread counts, spec->repeat times
 * each, into runs[0..a->nthreads). Returns DN_EXIT_OK, or the exit code
 * after printing why.
 */
static int bench_measure(const bench_spec *spec, const dn_scenario *s, const bench_args *a, bench_run *runs)
{
	assert(spec->repeat >= 1 && a->nthreads >= 1 && a->nthreads <= MAX_RUNS);
	const dn_model *model = dn_model_find(spec->model);
	assert(model && model->fingerprint);
	for (int i = 0; i < a->nthreads; i++) {
		bench_run *r = &runs[i];
		*r = (bench_run){.threads = a->threads[i]};
		for (uint64_t k = 0; k < spec->repeat; k++) {
			char err[1024];
			dn_world *w = NULL;
			const double t0_s = dn_cli_now_s();
			dn_rc rc = dn_world_new(model, s, r->threads, &w, err, sizeof err);
			if (rc) {
				fprintf(stderr, "dnetsim: %s\n", err);
				return rc == DN_ERANGE && spec->range_is_usage ? DN_EXIT_USAGE : DN_EXIT_FAIL;
			}
			const double setup_s = dn_cli_now_s() - t0_s;
			dn_run_stats st;
			rc = dn_world_run(w, NULL, NULL, NULL, NULL, &st, err, sizeof err);
			if (rc) {
				fprintf(stderr, "dnetsim: run failed: %s\n", err);
				dn_world_free(w);
				return DN_EXIT_FAIL;
			}
			assert(st.wall_s >= 0 && setup_s >= 0);
			const double events_per_s = st.wall_s > 0 ? (double)st.events / st.wall_s : 0;
			if (events_per_s > r->events_per_s)
				r->events_per_s = events_per_s;
			if (k == 0 || st.wall_s < r->wall_s)
				r->wall_s = st.wall_s;
			if (k == 0 || setup_s < r->setup_s)
				r->setup_s = setup_s;
			if (model->summary) {
				dn_model_summary sum = {0};
				model->summary(w, &sum);
				r->steps = sum.steps;
			}
			r->fingerprint = model->fingerprint(w);
			r->events = st.events;
			r->agent_bytes = dn_world_bytes_per_agent(w);
			dn_world_free(w);
		}
		if (spec->measured) {
			const int code = spec->measured(spec->ctx, runs, i);
			if (code)
				return code;
		}
	}
	return DN_EXIT_OK;
}

/* The n runs agree with the first (fingerprint, and events if asked); false: message printed. */
static bool bench_agree(const bench_spec *spec, const bench_run *runs, int n)
{
	assert(n >= 1 && n <= MAX_RUNS);
	for (int i = 1; i < n; i++)
		if (runs[i].fingerprint != runs[0].fingerprint ||
		    (spec->same_events && runs[i].events != runs[0].events)) {
			fprintf(stderr, "dnetsim: %s\n", spec->disagree);
			return false;
		}
	return true;
}

static void bench_usage(FILE *out)
{
	fprintf(out,
	        "usage: dnetsim bench phold [options]\n"
	        "  Runs PHOLD at each thread count and reports events/s, memory per LP and speed-up.\n\n"
	        "  --scenario FILE   start from this scenario (default: built-in defaults)\n"
	        "  --lps N           phold.lps (default 1000000)\n"
	        "  --end S           sim.end_time_s (default 10)\n"
	        "  --partitions P    sim.partitions (default 64)\n"
	        "  --remote F        phold.remote_fraction (default 0.1)\n"
	        "  --threads LIST    comma-separated thread counts (default 1,2)\n"
	        "  --repeat K        runs per thread count; the fastest is reported (default 1)\n"
	        "  --set NAME=VAL    any other parameter (repeatable)\n"
	        "  --tsv             tab-separated output with a header line\n");
}

/* PHOLD's table, printed once every thread count has run: the speed-up is against the first. */
static void phold_table(const bench_args *a, const bench_run *runs)
{
	/* Measured once, after every run: the peak of the whole bench. */
	const uint64_t rss_bytes = dn_cli_peak_rss_bytes();
	/* Agent state per LP does not depend on the thread count; the last run's stands for all. */
	const double bytes_per_lp = runs[a->nthreads - 1].agent_bytes;
	if (a->tsv)
		printf("threads\tevents\tevents_per_s\tspeedup\tagent_bytes_per_lp\tpeak_rss_bytes\tfingerprint\n");
	else
		printf("%8s %14s %14s %8s %12s %14s  %s\n", "threads", "events", "events/s", "speed-up",
		       "bytes/LP", "peak RSS MiB", "fingerprint");
	for (int i = 0; i < a->nthreads; i++) {
		const bench_run *r = &runs[i];
		const double speedup = runs[0].events_per_s > 0 ? r->events_per_s / runs[0].events_per_s : 0;
		if (a->tsv)
			printf("%d\t%" PRIu64 "\t%.6g\t%.4f\t%.1f\t%" PRIu64 "\t%016" PRIx64 "\n", r->threads, r->events,
			       r->events_per_s, speedup, bytes_per_lp, rss_bytes, r->fingerprint);
		else
			printf("%8d %14" PRIu64 " %14.4g %8.2f %12.1f %14.1f  %016" PRIx64 "\n", r->threads, r->events,
			       r->events_per_s, speedup, bytes_per_lp, (double)rss_bytes / DN_CLI_BYTES_PER_MIB,
			       r->fingerprint);
	}
	if (!a->tsv)
		printf("bytes/LP is agent state only (pending events, 32 bytes each, are extra); "
		       "peak RSS covers everything.\n");
}

/* What `bench phold` takes beyond the common options: the scenario and
 * the --set overrides its own options stand for. */
typedef struct phold_opts {
	const char *scenario;
	char lps[64], end[64], parts[64], remote[64];
	uint64_t repeat;
} phold_opts;

/* Parses bench phold's argv into o and a; returns -1 to go on, or the exit code to stop with. */
static int phold_parse(int argc, char **argv, phold_opts *o, bench_args *a)
{
	static const struct option opts[] = {
		{"scenario", required_argument, NULL, 'f'}, {"lps", required_argument, NULL, 'n'},
		{"end", required_argument, NULL, 'e'},      {"partitions", required_argument, NULL, 'P'},
		{"remote", required_argument, NULL, 'r'},   {"repeat", required_argument, NULL, 'k'},
		BENCH_COMMON_OPTS,                          {NULL, 0, NULL, 0},
	};
	uint64_t v;
	double d;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o->scenario = optarg; break;
		case 'n':
			if (!dn_cli_parse_u64("--lps", optarg, &v))
				return DN_EXIT_USAGE;
			snprintf(o->lps, sizeof o->lps, "phold.lps=%" PRIu64, v);
			break;
		case 'e':
			if (!dn_cli_parse_double("--end", optarg, &d))
				return DN_EXIT_USAGE;
			snprintf(o->end, sizeof o->end, "sim.end_time_s=%.17g", d);
			break;
		case 'P':
			if (!dn_cli_parse_u64("--partitions", optarg, &v))
				return DN_EXIT_USAGE;
			snprintf(o->parts, sizeof o->parts, "sim.partitions=%" PRIu64, v);
			break;
		case 'r':
			if (!dn_cli_parse_double("--remote", optarg, &d))
				return DN_EXIT_USAGE;
			snprintf(o->remote, sizeof o->remote, "phold.remote_fraction=%.17g", d);
			break;
		case 'k':
			if (!dn_cli_parse_u64("--repeat", optarg, &o->repeat) || o->repeat < 1 || o->repeat > 100) {
				fprintf(stderr, "dnetsim: --repeat must be 1..100\n");
				return DN_EXIT_USAGE;
			}
			break;
		default: {
			const char *next = optind < argc ? argv[optind] : NULL; /* for --set's message */
			const int code = bench_common_opt(c, a, bench_usage, "bench phold", next);
			if (code >= 0)
				return code;
		}
		}
	}
	if (!bench_args_done(argc, a, bench_usage))
		return DN_EXIT_USAGE;
	return -1;
}

/* Runs PHOLD at each thread count and prints the table; the exit code. */
static int phold_run(const dn_scenario *s, const bench_args *a, uint64_t repeat)
{
	if (!a->tsv)
		printf("PHOLD: %" PRIu64 " LPs, %" PRId64 " partitions, remote %.3g, end %.6g s, seed %" PRId64 "\n",
		       (uint64_t)dn_scn_int(s, "phold.lps"), dn_scn_int(s, "sim.partitions"),
		       dn_scn_float(s, "phold.remote_fraction"), dn_scn_float(s, "sim.end_time_s"),
		       dn_scn_int(s, "sim.seed"));
	const bench_spec spec = {.model = "phold", .repeat = repeat, .same_events = true,
	                         .disagree = "runs at different thread counts disagree (fingerprint or event count)"};
	bench_run runs[MAX_RUNS];
	int code = bench_measure(&spec, s, a, runs);
	if (code)
		return code;
	phold_table(a, runs);
	return bench_agree(&spec, runs, a->nthreads) ? DN_EXIT_OK : DN_EXIT_FAIL;
}

static int bench_phold(int argc, char **argv)
{
	phold_opts o = {.lps = "phold.lps=1000000", .end = "sim.end_time_s=10",
	                .parts = "sim.partitions=64", .remote = "phold.remote_fraction=0.1",
	                .repeat = 1};
	bench_args a = {.threads_list = "1,2"};
	const int prc = phold_parse(argc, argv, &o, &a);
	if (prc >= 0)
		return prc;
	/* The option-built overrides go first, so explicit --set wins. */
	dn_cli_sets sets = {0};
	bool ok = true;
	ok = ok && dn_cli_sets_add(&sets, "sim.model=phold");
	ok = ok && dn_cli_sets_add(&sets, o.lps) && dn_cli_sets_add(&sets, o.end);
	ok = ok && dn_cli_sets_add(&sets, o.parts) && dn_cli_sets_add(&sets, o.remote);
	for (size_t i = 0; ok && i < a.user.n; i++)
		ok = dn_cli_sets_add(&sets, a.user.v[i]);
	if (!ok)
		return DN_EXIT_USAGE;

	dn_cli_registry cr;
	if (!bench_registry(&cr))
		return DN_EXIT_FAIL;
	int code = DN_EXIT_USAGE;
	dn_scenario *s = dn_cli_load(&cr, o.scenario, &sets);
	if (s)
		code = phold_run(s, &a, o.repeat);
	dn_scenario_free(s);
	dn_cli_registry_fini(&cr);
	return code;
}

static void peer_usage(FILE *out)
{
	fprintf(out,
	        "usage: dnetsim bench peer [options]\n"
	        "  Runs the peer-tokenomics model (scenarios/bench/peer-tokenomics.yaml) at each\n"
	        "  thread count: wall time, microseconds per block, agent-updates per second\n"
	        "  (agents x blocks / wall) and peak memory; the runs must agree bit for bit.\n\n"
	        "  --agents N        peer.agents (default 1000000)\n"
	        "  --blocks B        blocks to run (default 100; 8640 is one simulated day)\n"
	        "  --threads LIST    comma-separated thread counts (default 1,2)\n"
	        "  --set NAME=VAL    any other parameter (repeatable)\n"
	        "  --tsv             tab-separated output with a header line\n");
}

/*
 * The peer scenario: `blocks` blocks of the (possibly --set) block interval,
 * sampled every block. NULL: message printed, *code set.
 */
static dn_scenario *peer_scenario(const dn_cli_registry *cr, const dn_cli_sets *user, uint64_t agents,
                                  uint64_t blocks, int *code)
{
	char b_agents[64], b_end[64] = "";
	snprintf(b_agents, sizeof b_agents, "peer.agents=%" PRIu64, agents);
	dn_scenario *s = NULL;
	*code = DN_EXIT_FAIL;
	/* Two passes: the block interval (possibly from --set) fixes the end time. */
	for (int pass = 0; pass < 2; pass++) {
		dn_cli_sets sets = {0};
		bool ok = dn_cli_sets_add(&sets, "sim.model=peer") && dn_cli_sets_add(&sets, "sim.partitions=1") &&
		          dn_cli_sets_add(&sets, b_agents);
		for (size_t i = 0; ok && i < user->n; i++)
			ok = dn_cli_sets_add(&sets, user->v[i]);
		if (ok && pass == 1)
			ok = dn_cli_sets_add(&sets, b_end);
		dn_scenario_free(s);
		s = NULL;
		if (!ok)
			return NULL;
		if (!(s = dn_cli_load(cr, NULL, &sets))) {
			*code = DN_EXIT_USAGE;
			return NULL;
		}
		const double interval_s = dn_scn_float(s, "peer.block_interval_s");
		snprintf(b_end, sizeof b_end, "sim.end_time_s=%.17g", interval_s * (double)blocks);
		if (pass == 1) {
			char b_sample[64];
			snprintf(b_sample, sizeof b_sample, "sim.sample_interval_s=%.17g", interval_s);
			dn_cli_sets more = sets;
			dn_scenario_free(s);
			s = NULL;
			if (!dn_cli_sets_add(&more, b_sample))
				return NULL;
			if (!(s = dn_cli_load(cr, NULL, &more))) {
				*code = DN_EXIT_USAGE;
				return NULL;
			}
		}
	}
	assert(s);
	return s;
}

/* What peer_row needs besides the run. */
typedef struct peer_ctx {
	uint64_t agents, blocks;
	bool tsv;
} peer_ctx;

/* bench_spec.measured for peer: checks every block ran and prints the row. */
static int peer_row(void *ctx, const bench_run *runs, int i)
{
	const peer_ctx *p = ctx;
	const bench_run *r = &runs[i];
	if (r->steps != p->blocks) {
		fprintf(stderr, "dnetsim: %" PRIu64 " blocks ran, %" PRIu64 " asked\n", r->steps, p->blocks);
		return DN_EXIT_FAIL;
	}
	assert(p->blocks >= 1 && p->agents >= 1);
	/* Peak so far: this row's run included. */
	const uint64_t rss_bytes = dn_cli_peak_rss_bytes();
	const double updates_per_s = r->wall_s > 0 ? (double)p->agents * (double)p->blocks / r->wall_s : 0;
	const double us_per_block = r->wall_s / (double)p->blocks * DN_CLI_US_PER_S;
	if (p->tsv)
		printf("%d\t%" PRIu64 "\t%" PRIu64 "\t%.3f\t%.3f\t%.1f\t%.4g\t%" PRIu64 "\t%016" PRIx64 "\n", r->threads,
		       p->agents, p->blocks, r->setup_s, r->wall_s, us_per_block, updates_per_s, rss_bytes,
		       r->fingerprint);
	else
		printf("%8d %9.2f %9.2f %12.1f %18.4g %13.1f %11.1f  %016" PRIx64 "\n", r->threads, r->setup_s,
		       r->wall_s, us_per_block, updates_per_s, (double)rss_bytes / DN_CLI_BYTES_PER_MIB,
		       (double)rss_bytes / (double)p->agents, r->fingerprint);
	fflush(stdout);
	return DN_EXIT_OK;
}

static int bench_peer(int argc, char **argv)
{
	static const struct option opts[] = {
		{"agents", required_argument, NULL, 'n'}, {"blocks", required_argument, NULL, 'b'},
		BENCH_COMMON_OPTS,                        {NULL, 0, NULL, 0},
	};
	peer_ctx p = {.agents = 1000000, .blocks = 100};
	bench_args a = {.threads_list = "1,2"};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!dn_cli_parse_u64("--agents", optarg, &p.agents))
				return DN_EXIT_USAGE;
			break;
		case 'b':
			if (!dn_cli_parse_u64("--blocks", optarg, &p.blocks) || p.blocks < 1 || p.blocks > MAX_BLOCKS) {
				fprintf(stderr, "dnetsim: --blocks must be 1..%" PRIu64 "\n", MAX_BLOCKS);
				return DN_EXIT_USAGE;
			}
			break;
		default: {
			const char *next = optind < argc ? argv[optind] : NULL; /* for --set's message */
			const int code = bench_common_opt(c, &a, peer_usage, "bench peer", next);
			if (code >= 0)
				return code;
		}
		}
	}
	if (!bench_args_done(argc, &a, peer_usage))
		return DN_EXIT_USAGE;
	p.tsv = a.tsv;
	dn_cli_registry cr;
	if (!bench_registry(&cr))
		return DN_EXIT_FAIL;
	int code;
	dn_scenario *s = peer_scenario(&cr, &a.user, p.agents, p.blocks, &code);
	if (!s)
		goto done;
	if (a.tsv)
		printf("threads\tagents\tblocks\tsetup_s\twall_s\tus_per_block\tagent_updates_per_s\tpeak_rss_bytes\tfingerprint\n");
	else
		printf("peer tokenomics: %" PRIu64 " agents, %" PRIu64 " blocks, seed %" PRId64 "\n"
		       "%8s %9s %9s %12s %18s %13s %11s  %s\n",
		       p.agents, p.blocks, dn_scn_int(s, "sim.seed"), "threads", "setup s", "run s", "us/block",
		       "agent-updates/s", "peak RSS MiB", "bytes/agent", "fingerprint");
	assert(dn_model_find("peer") && dn_model_find("peer")->summary);
	const bench_spec spec = {.model = "peer", .repeat = 1, .range_is_usage = true,
	                         .disagree = "runs at different thread counts disagree", .measured = peer_row,
	                         .ctx = &p};
	bench_run runs[MAX_RUNS];
	code = bench_measure(&spec, s, &a, runs);
	if (code)
		goto done;
	if (!a.tsv)
		printf("run s is the block loop (payments, rewards, exact Gini every block); setup builds\n"
		       "the ledger and the initial ranking. Peak RSS is the whole process so far.\n");
	code = bench_agree(&spec, runs, a.nthreads) ? DN_EXIT_OK : DN_EXIT_FAIL;
done:
	dn_scenario_free(s);
	dn_cli_registry_fini(&cr);
	return code;
}

int dn_cmd_bench(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "phold") == 0)
		return bench_phold(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "peer") == 0)
		return bench_peer(argc - 1, argv + 1);
	FILE *out = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? stdout : stderr;
	fprintf(out, "usage: dnetsim bench phold|peer [options]   (dnetsim bench phold --help)\n"
	             "  phold  the engine: PHOLD events/s, memory per LP, 1 vs 2 threads\n"
	             "  peer   the peer-tokenomics model: blocks through the protocol library\n");
	return out == stdout ? DN_EXIT_OK : DN_EXIT_USAGE;
}
