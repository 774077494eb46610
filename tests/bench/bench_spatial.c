/*
 * bench_spatial.c: speed and memory of the grid spatial index and of smart
 * matching (models/agents/spatial.h, match.h) at 1 M and 10 M points.
 *
 * Points: sharers on a square plane at 100 per km^2 on average, 70 %
 * uniform and 30 % in 16 "city centres" (discs of radius side/50: 2 km at
 * 1 M points, so the same density, about 15 times the mean, at every n);
 * grid cell 100 m. Measures the bulk build (counting sort),
 * k-nearest (k = 8) and radius (200 m) queries at random consumer
 * positions, short moves (2 M random walk steps of up to 50 m), churn
 * (a tenth of the points removed and added elsewhere) and R-CRED-3 matching (200 m first radius,
 * doubling to 3.2 km, a third of the sharers unreachable). Prints one line
 * per figure and the index's memory per point. Wall-clock time is used
 * here only, never in the library.
 *
 *   build/bench_spatial [n ...]      (default 1000000 10000000)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "match.h"
#include "rng.h"
#include "spatial.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void view_offer(void *ctx, uint32_t id, dnc_offer *out)
{
	(void)ctx;
	uint32_t b[4];
	dn_rng_block(99, id, 1, 0, b); /* a pure function of the id: no table */
	out->reachable = (b[0] % 3) != 0;
	out->capacity_units = b[1] % 4 == 0 ? 0 : 1 + b[1] % 10000;
	out->price_per_unit = 1 + (dn_amount)(b[2] % 50);
	out->stability_ppm = b[3] % 1000001;
}

static int run(uint32_t n)
{
	const double density_per_km2 = 100.0;
	const int32_t side_cm = (int32_t)(sqrt((double)n / density_per_km2) * 1000.0 * 100.0);
	const int32_t cell_cm = 10000; /* 100 m */
	const int32_t city_cm = side_cm / 50;
	int32_t *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
	if (!x || !y) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	dn_rng g;
	dn_rng_init(&g, 2026, 0, 1, 0);
	int32_t cx[16], cy[16];
	for (int c = 0; c < 16; c++) {
		cx[c] = city_cm + (int32_t)dn_bounded32(dn_rng_u32(&g), (uint32_t)(side_cm - 2 * city_cm));
		cy[c] = city_cm + (int32_t)dn_bounded32(dn_rng_u32(&g), (uint32_t)(side_cm - 2 * city_cm));
	}
	for (uint32_t i = 0; i < n; i++) {
		if (dn_rng_u32(&g) % 10 < 3) {
			double a = 6.283185307179586 * dn_rng_u01(&g), r = city_cm * sqrt(dn_rng_u01(&g));
			uint32_t c = dn_rng_u32(&g) % 16;
			x[i] = cx[c] + (int32_t)(r * cos(a));
			y[i] = cy[c] + (int32_t)(r * sin(a));
		} else {
			x[i] = (int32_t)dn_bounded32(dn_rng_u32(&g), (uint32_t)side_cm);
			y[i] = (int32_t)dn_bounded32(dn_rng_u32(&g), (uint32_t)side_cm);
		}
	}
	dn_spatial_cfg cfg = {0, 0, side_cm, side_cm, cell_cm, n, false};
	dn_spatial *s = NULL;
	dn_rc rc = dn_spatial_new(&cfg, &s);
	if (rc) {
		fprintf(stderr, "dn_spatial_new: %s\n", dn_rc_str(rc));
		return 1;
	}
	double t0 = now_s();
	rc = dn_spatial_build(s, n, NULL, x, y);
	double t_build = now_s() - t0;
	if (rc) {
		fprintf(stderr, "dn_spatial_build: %s\n", dn_rc_str(rc));
		return 1;
	}
	dn_spatial_stats st;
	dn_spatial_get_stats(s, &st);
	printf("n %u  plane %.1f km x %.1f km  cell 100 m  cells %llu\n", n, side_cm / 1e5,
	       side_cm / 1e5, (unsigned long long)st.cells);
	printf("  build              %8.3f s   (%.1f ns/point)\n", t_build, 1e9 * t_build / n);
	printf("  memory             %8.1f MiB (%.1f bytes/point: slots %.1f, ids %.1f, cells %.1f)\n",
	       (double)st.bytes / 1048576.0, (double)st.bytes / n, 12.0 * st.slot_cap / n, 4.0,
	       12.0 * (double)st.cells / n);

	/* queries at consumer positions drawn like the sharers */
	enum { Q = 200000 };
	dn_spatial_hit *hits = malloc(4096 * sizeof *hits);
	if (!hits)
		return 1;
	uint64_t total_hits = 0;
	uint32_t nh = 0;
	t0 = now_s();
	for (uint32_t q = 0; q < Q; q++) {
		uint32_t i = dn_rng_u32(&g) % n;
		rc = dn_spatial_knn(s, x[i] + 777, y[i] - 555, 8, DN_SPATIAL_ANY_DISTANCE_CM, NULL, hits,
		                    4096, &nh);
		if (rc)
			return 1;
		total_hits += nh;
	}
	double t = now_s() - t0;
	printf("  knn k=8            %8.0f queries/s\n", Q / t);
	total_hits = 0;
	t0 = now_s();
	for (uint32_t q = 0; q < Q; q++) {
		uint32_t i = dn_rng_u32(&g) % n;
		rc = dn_spatial_within(s, x[i] + 777, y[i] - 555, 20000, hits, 4096, &nh);
		if (rc)
			return 1;
		total_hits += nh;
	}
	t = now_s() - t0;
	printf("  within 200 m       %8.0f queries/s (%.1f hits on average)\n", Q / t,
	       (double)total_hits / Q);

	/* short moves: a random walk step of up to 50 m, clamped to the plane */
	enum { M = 2000000 };
	t0 = now_s();
	for (uint32_t k = 0; k < M; k++) {
		uint32_t i = dn_rng_u32(&g) % n, r = dn_rng_u32(&g);
		int32_t nx = x[i] + (int32_t)(r % 10001) - 5000;
		int32_t ny = y[i] + (int32_t)((r >> 16) % 10001) - 5000;
		nx = nx < 0 ? 0 : (nx >= side_cm ? side_cm - 1 : nx);
		ny = ny < 0 ? 0 : (ny >= side_cm ? side_cm - 1 : ny);
		rc = dn_spatial_move(s, i, nx, ny);
		if (rc)
			return 1;
		x[i] = nx;
		y[i] = ny;
	}
	t = now_s() - t0;
	printf("  move (<= 50 m)     %8.0f moves/s\n", M / t);
	/* churn: a tenth of the sharers leave and join somewhere else */
	const uint32_t churn = n / 10 ? n / 10 : 1;
	t0 = now_s();
	for (uint32_t k = 0; k < churn; k++) {
		uint32_t i = dn_rng_u32(&g) % n;
		int32_t nx = (int32_t)dn_bounded32(dn_rng_u32(&g), (uint32_t)side_cm);
		int32_t ny = (int32_t)dn_bounded32(dn_rng_u32(&g), (uint32_t)side_cm);
		rc = dn_spatial_remove(s, i);
		if (rc)
			return 1;
		rc = dn_spatial_add(s, i, nx, ny);
		if (rc)
			return 1;
		x[i] = nx;
		y[i] = ny;
	}
	t = now_s() - t0;
	dn_spatial_get_stats(s, &st);
	printf("  churn (leave+join) %8.0f pairs/s (relocations %llu, compactions %llu so far)\n",
	       churn / t, (unsigned long long)st.relocations, (unsigned long long)st.compactions);

	/* R-CRED-3 matching */
	dn_match_cfg mc = {20000, 320000, 64, 4096};
	dn_match *m = NULL;
	rc = dn_match_new(&mc, &m);
	if (rc)
		return 1;
	dn_match_view v = {view_offer, NULL};
	uint64_t examined = 0, found = 0, widened = 0;
	t0 = now_s();
	for (uint32_t q = 0; q < Q; q++) {
		uint32_t i = dn_rng_u32(&g) % n;
		dn_match_result res;
		rc = dn_match_find(m, s, &v, x[i] + 777, y[i] - 555, DNC_NONE, &res);
		if (rc)
			return 1;
		examined += res.examined;
		found += res.found;
		widened += res.widenings > 0;
	}
	t = now_s() - t0;
	printf("  match R-CRED-3     %8.0f matches/s (%.1f candidates examined, %.1f %% found, "
	       "%.1f %% widened)\n",
	       Q / t, (double)examined / Q, 100.0 * (double)found / Q, 100.0 * (double)widened / Q);
	dn_match_free(m);
	free(hits);
	dn_spatial_free(s);
	free(x);
	free(y);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		if (run(1000000))
			return 1;
		return run(10000000);
	}
	for (int a = 1; a < argc; a++) {
		long n = strtol(argv[a], NULL, 10);
		if (n <= 0 || n > (long)DN_SPATIAL_MAX_POINTS) {
			fprintf(stderr, "n must be 1..%u\n", DN_SPATIAL_MAX_POINTS);
			return 2;
		}
		if (run((uint32_t)n))
			return 1;
	}
	return 0;
}
