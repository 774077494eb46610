/*
 * bench.c: `dnetsim bench phold`: runs PHOLD through the real engine at
 * each requested thread count, in this process, and reports events per
 * second, agent memory per LP, peak memory and the parallel speed-up. The
 * runs must agree on their fingerprint (same events, same order); a
 * mismatch is reported as a failure.
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

/* "1,2,4" into counts (each 1..1024, at most MAX_RUNS); -1 with a message on error. */
static int parse_threads(const char *list, int *threads)
{
	char buf[256];
	int n = 0;
	uint64_t v;
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_RUNS || !dn_cli_parse_u64("--threads", tok, &v) || v < 1 || v > 1024) {
			fprintf(stderr, "dnetsim: --threads takes up to %d counts in 1..1024\n", MAX_RUNS);
			return -1;
		}
		threads[n++] = (int)v;
	}
	if (n == 0)
		fprintf(stderr, "dnetsim: --threads needs at least one count\n");
	return n ? n : -1;
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

static int bench_phold(int argc, char **argv)
{
	static const struct option opts[] = {
		{"scenario", required_argument, NULL, 'f'}, {"lps", required_argument, NULL, 'n'},
		{"end", required_argument, NULL, 'e'},      {"partitions", required_argument, NULL, 'P'},
		{"remote", required_argument, NULL, 'r'},   {"threads", required_argument, NULL, 't'},
		{"repeat", required_argument, NULL, 'k'},   {"set", required_argument, NULL, 'S'},
		{"tsv", no_argument, NULL, 'T'},            {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *scenario = NULL, *threads_list = "1,2";
	char b_lps[64] = "phold.lps=1000000", b_end[64] = "sim.end_time_s=10";
	char b_parts[64] = "sim.partitions=64", b_remote[64] = "phold.remote_fraction=0.1";
	dn_cli_sets user = {0};
	uint64_t repeat = 1, v;
	double d;
	bool tsv = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': scenario = optarg; break;
		case 'n':
			if (!dn_cli_parse_u64("--lps", optarg, &v))
				return DN_EXIT_USAGE;
			snprintf(b_lps, sizeof b_lps, "phold.lps=%" PRIu64, v);
			break;
		case 'e':
			if (!dn_cli_parse_double("--end", optarg, &d))
				return DN_EXIT_USAGE;
			snprintf(b_end, sizeof b_end, "sim.end_time_s=%.17g", d);
			break;
		case 'P':
			if (!dn_cli_parse_u64("--partitions", optarg, &v))
				return DN_EXIT_USAGE;
			snprintf(b_parts, sizeof b_parts, "sim.partitions=%" PRIu64, v);
			break;
		case 'r':
			if (!dn_cli_parse_double("--remote", optarg, &d))
				return DN_EXIT_USAGE;
			snprintf(b_remote, sizeof b_remote, "phold.remote_fraction=%.17g", d);
			break;
		case 't': threads_list = optarg; break;
		case 'k':
			if (!dn_cli_parse_u64("--repeat", optarg, &repeat) || repeat < 1 || repeat > 100) {
				fprintf(stderr, "dnetsim: --repeat must be 1..100\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 'S':
			if (!dn_cli_sets_add(&user, optarg))
				return DN_EXIT_USAGE;
			break;
		case 'T': tsv = true; break;
		case 'h': bench_usage(stdout); return DN_EXIT_OK;
		default: bench_usage(stderr); return DN_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		bench_usage(stderr);
		return DN_EXIT_USAGE;
	}
	int threads[MAX_RUNS];
	int nthreads = parse_threads(threads_list, threads);
	if (nthreads < 0)
		return DN_EXIT_USAGE;
	/* The option-built overrides go first, so explicit --set wins. */
	dn_cli_sets sets = {0};
	bool ok = true;
	ok = ok && dn_cli_sets_add(&sets, "sim.model=phold");
	ok = ok && dn_cli_sets_add(&sets, b_lps) && dn_cli_sets_add(&sets, b_end);
	ok = ok && dn_cli_sets_add(&sets, b_parts) && dn_cli_sets_add(&sets, b_remote);
	for (size_t i = 0; ok && i < user.n; i++)
		ok = dn_cli_sets_add(&sets, user.v[i]);
	if (!ok)
		return DN_EXIT_USAGE;

	dn_cli_registry cr;
	if (dn_cli_registry_init(&cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		return DN_EXIT_FAIL;
	}
	int code = DN_EXIT_FAIL;
	dn_scenario *s = dn_cli_load(&cr, scenario, &sets);
	if (!s) {
		code = DN_EXIT_USAGE;
		goto done;
	}
	const dn_model *model = dn_model_find("phold");
	assert(model && model->fingerprint);
	uint64_t lps = (uint64_t)dn_scn_int(s, "phold.lps");
	double rate[MAX_RUNS] = {0};
	uint64_t fp[MAX_RUNS] = {0}, events[MAX_RUNS] = {0};
	double bytes_per_lp = 0;
	if (!tsv)
		printf("PHOLD: %" PRIu64 " LPs, %" PRId64 " partitions, remote %.3g, end %.6g s, seed %" PRId64 "\n",
		       lps, dn_scn_int(s, "sim.partitions"), dn_scn_float(s, "phold.remote_fraction"),
		       dn_scn_float(s, "sim.end_time_s"), dn_scn_int(s, "sim.seed"));
	for (int i = 0; i < nthreads; i++) {
		for (uint64_t k = 0; k < repeat; k++) {
			char err[1024];
			dn_world *w = NULL;
			dn_rc rc = dn_world_new(model, s, threads[i], &w, err, sizeof err);
			if (rc) {
				fprintf(stderr, "dnetsim: %s\n", err);
				goto done;
			}
			dn_run_stats st;
			rc = dn_world_run(w, NULL, NULL, NULL, NULL, &st, err, sizeof err);
			if (rc) {
				fprintf(stderr, "dnetsim: run failed: %s\n", err);
				dn_world_free(w);
				goto done;
			}
			double r = st.wall_s > 0 ? (double)st.events / st.wall_s : 0;
			if (r > rate[i])
				rate[i] = r;
			fp[i] = model->fingerprint(w);
			events[i] = st.events;
			bytes_per_lp = dn_world_bytes_per_agent(w);
			dn_world_free(w);
		}
	}
	uint64_t rss = dn_cli_peak_rss_bytes();
	if (tsv)
		printf("threads\tevents\tevents_per_s\tspeedup\tagent_bytes_per_lp\tpeak_rss_bytes\tfingerprint\n");
	else
		printf("%8s %14s %14s %8s %12s %14s  %s\n", "threads", "events", "events/s", "speed-up",
		       "bytes/LP", "peak RSS MiB", "fingerprint");
	bool same = true;
	for (int i = 0; i < nthreads; i++) {
		double su = rate[0] > 0 ? rate[i] / rate[0] : 0;
		same = same && fp[i] == fp[0] && events[i] == events[0];
		if (tsv)
			printf("%d\t%" PRIu64 "\t%.6g\t%.4f\t%.1f\t%" PRIu64 "\t%016" PRIx64 "\n", threads[i], events[i],
			       rate[i], su, bytes_per_lp, rss, fp[i]);
		else
			printf("%8d %14" PRIu64 " %14.4g %8.2f %12.1f %14.1f  %016" PRIx64 "\n", threads[i], events[i],
			       rate[i], su, bytes_per_lp, (double)rss / 1048576.0, fp[i]);
	}
	if (!tsv)
		printf("bytes/LP is agent state only (pending events, 32 bytes each, are extra); "
		       "peak RSS covers everything.\n");
	if (!same) {
		fprintf(stderr, "dnetsim: runs at different thread counts disagree (fingerprint or event count)\n");
		goto done;
	}
	code = DN_EXIT_OK;
done:
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

static int bench_peer(int argc, char **argv)
{
	static const struct option opts[] = {
		{"agents", required_argument, NULL, 'n'}, {"blocks", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 't'}, {"set", required_argument, NULL, 'S'},
		{"tsv", no_argument, NULL, 'T'},           {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t agents = 1000000, blocks = 100;
	const char *threads_list = "1,2";
	dn_cli_sets user = {0};
	bool tsv = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!dn_cli_parse_u64("--agents", optarg, &agents))
				return DN_EXIT_USAGE;
			break;
		case 'b':
			if (!dn_cli_parse_u64("--blocks", optarg, &blocks) || blocks < 1 || blocks > 100000000) {
				fprintf(stderr, "dnetsim: --blocks must be 1..100000000\n");
				return DN_EXIT_USAGE;
			}
			break;
		case 't': threads_list = optarg; break;
		case 'S':
			if (!dn_cli_sets_add(&user, optarg))
				return DN_EXIT_USAGE;
			break;
		case 'T': tsv = true; break;
		case 'h': peer_usage(stdout); return DN_EXIT_OK;
		default: peer_usage(stderr); return DN_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		peer_usage(stderr);
		return DN_EXIT_USAGE;
	}
	int threads[MAX_RUNS];
	int nthreads = parse_threads(threads_list, threads);
	if (nthreads < 0)
		return DN_EXIT_USAGE;
	char b_agents[64], b_end[64];
	snprintf(b_agents, sizeof b_agents, "peer.agents=%" PRIu64, agents);
	dn_cli_registry cr;
	if (dn_cli_registry_init(&cr)) {
		fprintf(stderr, "dnetsim: cannot build the parameter registry\n");
		return DN_EXIT_FAIL;
	}
	int code = DN_EXIT_FAIL;
	dn_scenario *s = NULL;
	/* Two passes: the block interval (possibly from --set) fixes the end time. */
	for (int pass = 0; pass < 2; pass++) {
		dn_cli_sets sets = {0};
		bool ok = dn_cli_sets_add(&sets, "sim.model=peer") && dn_cli_sets_add(&sets, "sim.partitions=1") &&
		          dn_cli_sets_add(&sets, b_agents);
		for (size_t i = 0; ok && i < user.n; i++)
			ok = dn_cli_sets_add(&sets, user.v[i]);
		if (ok && pass == 1)
			ok = dn_cli_sets_add(&sets, b_end);
		if (!ok)
			goto done;
		dn_scenario_free(s);
		s = dn_cli_load(&cr, NULL, &sets);
		if (!s) {
			code = DN_EXIT_USAGE;
			goto done;
		}
		double interval = dn_scn_float(s, "peer.block_interval_s");
		snprintf(b_end, sizeof b_end, "sim.end_time_s=%.17g", interval * (double)blocks);
		if (pass == 1) {
			char b_sample[64];
			snprintf(b_sample, sizeof b_sample, "sim.sample_interval_s=%.17g", interval);
			dn_cli_sets more = sets;
			if (!dn_cli_sets_add(&more, b_sample))
				goto done;
			dn_scenario_free(s);
			s = dn_cli_load(&cr, NULL, &more);
			if (!s) {
				code = DN_EXIT_USAGE;
				goto done;
			}
		}
	}
	if (tsv)
		printf("threads\tagents\tblocks\tsetup_s\twall_s\tus_per_block\tagent_updates_per_s\tpeak_rss_bytes\tfingerprint\n");
	else
		printf("peer tokenomics: %" PRIu64 " agents, %" PRIu64 " blocks, seed %" PRId64 "\n"
		       "%8s %9s %9s %12s %18s %13s %11s  %s\n",
		       agents, blocks, dn_scn_int(s, "sim.seed"), "threads", "setup s", "run s", "us/block",
		       "agent-updates/s", "peak RSS MiB", "bytes/agent", "fingerprint");
	const dn_model *model = dn_model_find("peer");
	assert(model && model->fingerprint && model->summary);
	uint64_t fp0 = 0;
	bool same = true;
	for (int i = 0; i < nthreads; i++) {
		char err[1024];
		dn_world *w = NULL;
		double t0 = dn_cli_now_s();
		dn_rc rc = dn_world_new(model, s, threads[i], &w, err, sizeof err);
		if (rc) {
			fprintf(stderr, "dnetsim: %s\n", err);
			code = rc == DN_ERANGE ? DN_EXIT_USAGE : DN_EXIT_FAIL;
			goto done;
		}
		double setup = dn_cli_now_s() - t0;
		dn_run_stats st;
		rc = dn_world_run(w, NULL, NULL, NULL, NULL, &st, err, sizeof err);
		if (rc) {
			fprintf(stderr, "dnetsim: run failed: %s\n", err);
			dn_world_free(w);
			goto done;
		}
		dn_model_summary sum = {0};
		model->summary(w, &sum);
		uint64_t fp = model->fingerprint(w), got = sum.steps;
		dn_world_free(w);
		if (got != blocks) {
			fprintf(stderr, "dnetsim: %" PRIu64 " blocks ran, %" PRIu64 " asked\n", got, blocks);
			goto done;
		}
		if (i == 0)
			fp0 = fp;
		same = same && fp == fp0;
		uint64_t rss = dn_cli_peak_rss_bytes();
		double ups = st.wall_s > 0 ? (double)agents * (double)blocks / st.wall_s : 0;
		if (tsv)
			printf("%d\t%" PRIu64 "\t%" PRIu64 "\t%.3f\t%.3f\t%.1f\t%.4g\t%" PRIu64 "\t%016" PRIx64 "\n", threads[i],
			       agents, blocks, setup, st.wall_s, st.wall_s / (double)blocks * 1e6, ups, rss, fp);
		else
			printf("%8d %9.2f %9.2f %12.1f %18.4g %13.1f %11.1f  %016" PRIx64 "\n", threads[i], setup, st.wall_s,
			       st.wall_s / (double)blocks * 1e6, ups, (double)rss / 1048576.0, (double)rss / (double)agents, fp);
		fflush(stdout);
	}
	if (!tsv)
		printf("run s is the block loop (payments, rewards, exact Gini every block); setup builds\n"
		       "the ledger and the initial ranking. Peak RSS is the whole process so far.\n");
	if (!same) {
		fprintf(stderr, "dnetsim: runs at different thread counts disagree\n");
		goto done;
	}
	code = DN_EXIT_OK;
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
