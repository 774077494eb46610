/*
 * bench_net.c: speed of the network flow models.
 *
 *   bench_net cell [users]   cost of evaluating a saturated cell (all users
 *                            placed and active) and of one session start/stop
 *                            in it, to compare with ns-3 per simulated second
 *   bench_net mesh [nodes hops] cost of evaluating the standard chain layout
 *   bench_net churn [cells users_per_cell meshes nodes_per_mesh seconds threads]
 *                            the "net" engine model under churn: wall time
 *                            per simulated minute
 *
 * Prints one line per measurement. Not run by ctest.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dn_net.h"
#include "engine.h"
#include "params.h"
#include "scenario.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench_cell(uint32_t n)
{
	char err[512];
	dn_net_calib k;
	if (dn_net_calib_load(dn_net_calib_default_path(), &k, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dn_net_cell_cfg cfg;
	dn_net_cell_cfg_default(&cfg, DN_NET_MICRO, 3.5);
	double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	dn_net_user_stat *st = malloc(n * sizeof *st);
	if (!x || !y || !st || dn_net_layout_disc(n, 200, 1, x, y))
		return 1;
	const int reps = 2000;
	double t0 = now_s();
	for (int r = 0; r < reps; r++)
		if (dn_net_eval_cell(&cfg, &k, n, x, y, NULL, 1, st))
			return 1;
	const double eval_s = (now_s() - t0) / reps;
	dn_net_cell *c = NULL;
	if (dn_net_cell_new(&cfg, &k, n, NULL, 0, 1, 0, &c))
		return 1;
	for (uint32_t i = 0; i < n; i++)
		if (dn_net_cell_place(c, 0, i, x[i], y[i]) || dn_net_cell_start(c, 0, i, 0))
			return 1;
	const int ev = 200000;
	t0 = now_s();
	for (int r = 0; r < ev; r++) {
		dn_time_ns t = (dn_time_ns)r * 1000;
		if (dn_net_cell_stop(c, t, (uint32_t)r % n) || dn_net_cell_start(c, t, (uint32_t)r % n, 0))
			return 1;
	}
	const double per_ev = (now_s() - t0) / (2.0 * ev);
	printf("cell users=%u eval_whole_cell_s=%.3g per_session_event_s=%.3g\n", n, eval_s, per_ev);
	printf("  a static saturated cell needs one evaluation per simulated second or any longer span;\n"
	       "  speed-up vs ns-3 at W wall s per simulated s = W / %.3g\n", eval_s);
	dn_net_cell_free(c);
	free(x);
	free(y);
	free(st);
	return 0;
}

static int bench_mesh(uint32_t n, uint32_t hops)
{
	char err[512];
	dn_net_calib k;
	if (dn_net_calib_load(dn_net_calib_default_path(), &k, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dn_net_mesh_cfg cfg;
	dn_net_mesh_cfg_default(&cfg);
	double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	uint32_t *s = malloc(n * sizeof *s), *d = malloc(n * sizeof *d), nf = 0;
	dn_net_flow_stat *st = malloc(n * sizeof *st);
	if (!x || !y || !s || !d || !st || dn_net_layout_chains(n, hops, 40, 1, x, y, s, d, &nf))
		return 1;
	const int reps = 200;
	double t0 = now_s();
	for (int r = 0; r < reps; r++)
		if (dn_net_eval_mesh(&cfg, &k, n, x, y, nf, s, d, 0, st))
			return 1;
	printf("mesh nodes=%u hops=%u flows=%u eval_whole_mesh_s=%.3g\n", n, hops, nf, (now_s() - t0) / reps);
	free(x);
	free(y);
	free(s);
	free(d);
	free(st);
	return 0;
}

static int bench_churn(int argc, char **argv)
{
	const char *cells = argc > 0 ? argv[0] : "9000", *upc = argc > 1 ? argv[1] : "100";
	const char *meshes = argc > 2 ? argv[2] : "1000", *npm = argc > 3 ? argv[3] : "100";
	const char *secs = argc > 4 ? argv[4] : "60";
	const int threads = argc > 5 ? atoi(argv[5]) : 0;
	dn_registry *reg = dn_registry_new();
	size_t ne, nn;
	const dn_param_def *e = dn_engine_params(&ne), *p = dn_net_params(&nn);
	if (!reg || dn_registry_add(reg, e, ne) || dn_registry_add(reg, p, nn))
		return 1;
	char o[8][96];
	snprintf(o[0], 96, "sim.model=net");
	snprintf(o[1], 96, "net.cells=%s", cells);
	snprintf(o[2], 96, "net.users_per_cell=%s", upc);
	snprintf(o[3], 96, "net.meshes=%s", meshes);
	snprintf(o[4], 96, "net.nodes_per_mesh=%s", npm);
	snprintf(o[5], 96, "sim.end_time_s=%s", secs);
	snprintf(o[6], 96, "sim.partitions=64");
	snprintf(o[7], 96, "sim.sample_interval_s=%s", secs);
	const char *ov[8];
	for (int i = 0; i < 8; i++)
		ov[i] = o[i];
	dn_scenario *s = NULL;
	char err[512];
	if (dn_scenario_load(reg, NULL, ov, 8, &s, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	dn_world *w = NULL;
	double t0 = now_s();
	if (dn_world_new(&dn_model_net, s, threads, &w, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	const double setup = now_s() - t0;
	dn_run_stats rs;
	if (dn_world_run(w, NULL, NULL, NULL, NULL, &rs, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	const double agents = atof(cells) * atof(upc) + atof(meshes) * atof(npm);
	printf("churn agents=%.0f cells=%s meshes=%s sim_s=%s threads=%d setup_s=%.2f run_wall_s=%.2f "
	       "events=%llu wall_per_sim_minute_s=%.3f\n", agents, cells, meshes, secs, dn_world_threads(w), setup,
	       rs.wall_s, (unsigned long long)rs.events, rs.wall_s / (atof(secs) / 60.0));
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "cell") == 0)
		return bench_cell(argc > 2 ? (uint32_t)atoi(argv[2]) : 100);
	if (argc >= 2 && strcmp(argv[1], "mesh") == 0)
		return bench_mesh(argc > 2 ? (uint32_t)atoi(argv[2]) : 6, argc > 3 ? (uint32_t)atoi(argv[3]) : 5);
	if (argc >= 2 && strcmp(argv[1], "churn") == 0)
		return bench_churn(argc - 2, argv + 2);
	fprintf(stderr, "usage: bench_net cell [users] | mesh [nodes hops] | churn [cells upc meshes npm seconds threads]\n");
	return 2;
}
