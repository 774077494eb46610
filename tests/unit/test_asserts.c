/*
 * test_asserts.c: the internal invariants are checked in every build type
 * (assertions stay on: see the top-level CMakeLists.txt). Death tests: each
 * breaks one invariant in a forked child and expects it to abort with the
 * assertion's own text on stderr, so a test cannot pass because something
 * else crashed. The checks named here are the engine's partition index,
 * the calendar queue's slab order and the Gini structure's agent index.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "evq.h"
#include "gini.h"
#include "phold.h"

/*
 * Runs fn(arg) in a child process with stderr captured. Returns true when
 * the child died of SIGABRT and its stderr holds `needle`; *out gets the
 * stderr text for messages.
 */
static bool dies_with(void (*fn)(void *), void *arg, const char *needle, char *out, size_t outlen)
{
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		fn(arg);
		_exit(0); /* survived: the invariant was not checked */
	}
	close(pfd[1]);
	size_t n = 0;
	ssize_t k;
	while (n + 1 < outlen && (k = read(pfd[0], out + n, outlen - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	char drain[256];
	while (read(pfd[0], drain, sizeof drain) > 0)
		;
	close(pfd[0]);
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && strstr(out, needle) != NULL;
}

#define EXPECT_DEATH(fn, arg, needle)                                                  \
	do {                                                                            \
		char msg_[4096];                                                        \
		if (!dies_with(fn, arg, needle, msg_, sizeof msg_))                     \
			fail_msg("expected an abort on \"%s\"; child stderr: %s", needle, msg_); \
	} while (0)

static void survive(void *arg)
{
	(void)arg;
}

/* The harness itself: a child that returns normally is not a death. */
static void test_harness_sees_survival(void **state)
{
	(void)state;
	char msg[256];
	assert_false(dies_with(survive, NULL, "", msg, sizeof msg));
}

/* ---- engine: partition indexes ---- */

static void part_out_of_range(void *arg)
{
	dn_world *w = arg;
	(void)dn_world_part(w, dn_world_nparts(w)); /* one past the last */
}

static void test_world_part_index(void **state)
{
	(void)state;
#ifdef NDEBUG
	skip();
#endif
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	size_t n;
	const dn_param_def *e = dn_engine_params(&n);
	assert_int_equal(dn_registry_add(reg, e, n), DN_OK);
	assert_int_equal(dn_registry_add(reg, dn_model_phold.params, dn_model_phold.n_params), DN_OK);
	char err[512];
	dn_scenario *s = NULL;
	assert_int_equal(dn_scenario_load_string(reg, "test",
	                                         "sim: {model: phold, end_time_s: 1, partitions: 4}\n"
	                                         "phold: {lps: 100}\n",
	                                         NULL, 0, &s, err, sizeof err),
	                 DN_OK);
	dn_world *w = NULL;
	/* built in the parent: the child runs no parallel region */
	assert_int_equal(dn_world_new(&dn_model_phold, s, 1, &w, err, sizeof err), DN_OK);
	assert_non_null(dn_world_part(w, 3));
	EXPECT_DEATH(part_out_of_range, w, "i < w->nparts");
	dn_world_free(w);
	dn_scenario_free(s);
	dn_registry_free(reg);
}

/* ---- engine: the calendar queue never files an event before its slab ---- */

static void push_into_the_past(void *arg)
{
	dn_evq *q = arg;
	/* the current slab's events belong in cur, never in the slow path */
	dn_event e = {.t = (dn_time_ns)q->base << q->shift, .key = 99};
	dn_rc rc = dn_evq_push_later(q, &e, q->base);
	(void)rc;
}

static void test_evq_slab_order(void **state)
{
	(void)state;
#ifdef NDEBUG
	skip();
#endif
	dn_evq q;
	assert_int_equal(dn_evq_init(&q, 10, 1024), DN_OK);
	dn_event e = {.t = 5000, .key = 1};
	assert_int_equal(dn_evq_push(&q, &e), DN_OK);
	dn_rc rc;
	assert_non_null(dn_evq_peek(&q, &rc)); /* loads slab 4: base moves on */
	assert_int_equal(q.base, 5000 >> 10);
	EXPECT_DEATH(push_into_the_past, &q, "slab > q->base");
	dn_evq_free(&q);
}

/* ---- stats: the Gini structure's agent index ---- */

static void mark_past_the_end(void *arg)
{
	dn_gini *g = arg;
	dn_rc rc = dn_gini_mark(g, (uint32_t)g->n);
	(void)rc;
}

static void test_gini_mark_index(void **state)
{
	(void)state;
#ifdef NDEBUG
	skip();
#endif
	const int64_t v[4] = {1, 2, 3, 4};
	dn_gini g;
	assert_int_equal(dn_gini_init(&g, v, 4, 4), DN_OK);
	assert_int_equal(dn_gini_mark(&g, 3), DN_OK);
	EXPECT_DEATH(mark_past_the_end, &g, "a < g->n");
	dn_gini_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_harness_sees_survival),
		cmocka_unit_test(test_world_part_index),
		cmocka_unit_test(test_evq_slab_order),
		cmocka_unit_test(test_gini_mark_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
