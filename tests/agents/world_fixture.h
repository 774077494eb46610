/*
 * world_fixture.h: what the world's tests share: a registry with every
 * parameter the world reads, a world from YAML text, and a run into a
 * temporary results file that is removed. Static functions: each test
 * file that includes it gets its own copy (tests are one file each).
 */
#ifndef DN_WORLD_FIXTURE_H
#define DN_WORLD_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents.h"
#include "dn_market.h"
#include "dn_net.h"
#include "results.h"

/* The engine's, the world's, the network models' and the market's parameters. */
static inline dn_registry *make_registry(void)
{
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	size_t n;
	const dn_param_def *d = dn_engine_params(&n);
	assert_int_equal(dn_registry_add(reg, d, n), DN_OK);
	assert_int_equal(dn_registry_add(reg, dn_model_world.params, dn_model_world.n_params), DN_OK);
	d = dn_net_params(&n);
	assert_int_equal(dn_registry_add(reg, d, n), DN_OK);
	d = dn_market_params(&n);
	assert_int_equal(dn_registry_add(reg, d, n), DN_OK);
	return reg;
}

/* A new world from YAML text; fails the test with the model's message. */
static inline dn_world *new_world(dn_registry *reg, const char *yaml, int threads, dn_scenario **s)
{
	char err[512];
	dn_rc rc = dn_scenario_load_string(reg, "test", yaml, NULL, 0, s, err, sizeof err);
	if (rc)
		fail_msg("scenario: %s", err);
	dn_world *w = NULL;
	rc = dn_world_new(&dn_model_world, *s, threads, &w, err, sizeof err);
	if (rc)
		fail_msg("world: %s (%s)", err, dn_rc_str(rc));
	assert_non_null(w);
	return w;
}

/* A world a test holds open by hand (the world model's state is
 * dn_world_model's), with the registry and scenario it was made from. */
typedef struct world_held {
	dn_registry *reg;
	dn_scenario *s;
	dn_world *w;
} world_held;

static inline void *held_open(world_held *h, const char *yaml, int threads)
{
	h->reg = make_registry();
	h->s = NULL;
	h->w = new_world(h->reg, yaml, threads, &h->s);
	return dn_world_model(h->w);
}

static inline void held_close(world_held *h)
{
	dn_world_free(h->w);
	dn_scenario_free(h->s);
	dn_registry_free(h->reg);
}

/* Runs to the end. The world model cannot run without a recorder (its
 * declare callback fails on r == NULL), so record into a temporary file
 * that close(false) removes. */
static inline void run_world(dn_world *w)
{
	static int k;
	char err[512], path[512];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, sizeof path, "%s/dnetsim-test-world-%d-%d.h5", tmp, (int)getpid(), k++);
	dn_results *r = NULL;
	if (dn_results_open(path, &r, err, sizeof err))
		fail_msg("results: %s", err);
	dn_rc rc = dn_world_run(w, r, NULL, NULL, NULL, NULL, err, sizeof err);
	(void)dn_results_close(r, false);
	if (rc)
		fail_msg("run: %s (%s)", err, dn_rc_str(rc));
}

/* Runs w (with a progress observer, or NULL) into a kept results file;
 * OUT the series read back (the caller frees them as results.h says). */
static inline void run_world_kept(dn_world *w, dn_progress_fn progress, void *ctx, dn_series_data **sd, size_t *n)
{
	static int k;
	char err[512], path[512];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(path, sizeof path, "%s/dnetsim-test-kept-%d-%d.h5", tmp, (int)getpid(), k++);
	dn_results *r = NULL;
	if (dn_results_open(path, &r, err, sizeof err))
		fail_msg("results: %s", err);
	if (dn_world_run(w, r, progress, ctx, NULL, NULL, err, sizeof err))
		fail_msg("run: %s", err);
	if (dn_results_close_err(r, true, err, sizeof err))
		fail_msg("close: %s", err);
	if (dn_results_read_series(path, sd, n, err, sizeof err))
		fail_msg("read: %s", err);
	unlink(path);
}

/* The series called name in sd[0..n); fails the test if there is none. */
static inline const dn_series_data *series_named(const dn_series_data *sd, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(sd[i].name, name) == 0)
			return &sd[i];
	fail_msg("no series %s", name);
	return NULL;
}

#endif
