/*
 * test_parpick.c: the engine's choice of one thread or all for a window
 * (sim/engine/parpick.h), driven with made-up window times: it times both
 * ways first, runs the faster, tries the other now and then at intervals
 * that double while it loses, ends a try at once when it is far slower,
 * and switches when the other way becomes faster (a competing process
 * comes or goes); and the run's picker on a made-up clock, which times a
 * window to the next one's start and leaves out the threads' wake and the
 * serial windows beside their spin.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parpick.h"

/* A machine where a window costs serial_ns on one thread and par_ns on
 * all; the first parallel window after serial ones (the threads' wake) is
 * not timed, as in the engine. Runs n windows; OUT the parallel ones. */
static uint64_t run(dn_par_group *g, uint64_t n, double serial_ns, double par_ns, int *last_way)
{
	uint64_t par = 0;
	for (uint64_t i = 0; i < n; i++) {
		int way = dn_par_choose(g);
		par += (uint64_t)way;
		if (!(way && !*last_way))
			dn_par_record(g, way, way ? par_ns : serial_ns);
		*last_way = way;
	}
	return par;
}

static void test_groups_by_powers_of_two(void **state)
{
	(void)state;
	assert_int_equal(dn_par_group_of(0), 0);
	assert_int_equal(dn_par_group_of(1), 0);
	assert_int_equal(dn_par_group_of(8), 3);
	assert_int_equal(dn_par_group_of(15), 3);
	assert_int_equal(dn_par_group_of(135), 7);
	assert_int_equal(dn_par_group_of(UINT64_MAX), DN_PAR_GROUPS - 1);
}

static void test_times_both_ways_then_runs_the_faster(void **state)
{
	(void)state;
	dn_par_group g;
	memset(&g, 0, sizeof g);
	int last = 0;
	for (int i = 0; i < DN_PAR_TRY; i++)
		assert_int_equal(dn_par_choose(&g), 0), dn_par_record(&g, 0, 200e3), last = 0;
	/* one untimed wake, then DN_PAR_TRY timed parallel windows */
	assert_int_equal(run(&g, DN_PAR_TRY + 1, 200e3, 120e3, &last), DN_PAR_TRY + 1);
	assert_true(g.ns[1] == 120e3 && g.ns[0] == 200e3);
	/* from now on parallel, but for the serial tries */
	uint64_t par = run(&g, 10000, 200e3, 120e3, &last);
	assert_true(par > 10000 - 10000 / DN_PAR_EVERY0 * DN_PAR_TRY);
	assert_true(par < 10000);
	/* the serial tries keep losing: their interval has doubled */
	assert_true(g.every > DN_PAR_EVERY0);
}

static void test_a_busy_machine_pays_for_few_tries(void **state)
{
	(void)state;
	dn_par_group g;
	memset(&g, 0, sizeof g);
	int last = 0;
	/* parallel windows 25x slower: a thread waits for a descheduled one */
	uint64_t par = run(&g, 8640, 50e3, 1.25e6, &last);
	/* the first phase ends after one timed parallel window (and its
	 * untimed wake); each later try after its wake and one window */
	assert_true(par <= 2 + 2 * 8);
	assert_true(g.ns[0] == 50e3);
	/* then: tries at 8,192, 16,384, 32,768 and every 65,536 windows,
	 * each a wake and one window */
	uint64_t more = run(&g, 1000000, 50e3, 1.25e6, &last);
	assert_true(more >= 2 * 15 && more <= 2 * (3 + 1000000 / DN_PAR_EVERY_MAX + 1));
	assert_true(g.every == DN_PAR_EVERY_MAX);
}

static void test_switches_when_the_other_way_wins(void **state)
{
	(void)state;
	dn_par_group g;
	memset(&g, 0, sizeof g);
	int last = 0;
	/* a busy machine first: serial wins */
	(void)run(&g, 5000, 50e3, 1.25e6, &last);
	assert_true(g.ns[0] < g.ns[1]);
	/* the other process ends: parallel windows now cost 30 us; within a
	 * few doubling intervals a try finds it and parallel takes over */
	uint64_t par = run(&g, 200000, 50e3, 30e3, &last);
	assert_true(g.ns[1] < g.ns[0]);
	assert_true(par > 100000);
	assert_int_equal(dn_par_choose(&g) || g.trying, 1);
	/* and back: parallel slows down, the smoothed time follows it past
	 * serial's, and serial takes over at once */
	uint64_t par2 = run(&g, 2000, 50e3, 180e3, &last);
	assert_true(par2 < 200);
	assert_true(g.ns[1] > g.ns[0]);
}

static void test_a_small_gain_does_not_take_a_second_core(void **state)
{
	(void)state;
	dn_par_group g;
	memset(&g, 0, sizeof g);
	int last = 0;
	/* all threads 5 % faster: not worth a second core */
	uint64_t par = run(&g, 10000, 100e3, 95e3, &last);
	assert_true(par < 200);
	/* 20 % faster: worth it */
	memset(&g, 0, sizeof g);
	par = run(&g, 10000, 100e3, 80e3, &last);
	assert_true(par > 9000);
}

static void test_one_slow_window_moves_the_smoothed_time_little(void **state)
{
	(void)state;
	dn_par_group g;
	memset(&g, 0, sizeof g);
	int last = 0;
	(void)run(&g, 100, 100e3, 40e3, &last); /* parallel chosen */
	double before = g.ns[1];
	int way = dn_par_choose(&g);
	assert_int_equal(way, 1);
	dn_par_record(&g, 1, 50e6); /* a page fault storm */
	assert_true(g.ns[1] <= before + 4 * before / 16 + 1);
	assert_true(g.ns[1] < g.ns[0]);
}

/* The run's picker (dn_par_window) on a made-up clock. */
static double fake_now;
static int clock_reads;
static double fake_clock(void)
{
	clock_reads++;
	return fake_now;
}

/* Calls dn_par_window for group g, then lets `s` seconds pass: the
 * window and what follows it up to the next window's start. */
static int window(dn_par_picker *pp, int g, double s)
{
	int way = dn_par_window(pp, g, fake_clock);
	fake_now += s;
	return way;
}

static void test_a_window_is_timed_to_the_next_start(void **state)
{
	(void)state;
	dn_par_picker pp;
	dn_par_init(&pp);
	fake_now = 1000, clock_reads = 0;
	/* windows that must run on one thread read no clock */
	for (int i = 0; i < 100; i++)
		assert_int_equal(window(&pp, -1, 1e-3), 0);
	assert_int_equal(clock_reads, 0);
	/* group 5: serial windows of 200 us, each timed from its start to the
	 * next one's (so recorded one call later), until the group has its
	 * DN_PAR_TRY */
	int n = 0;
	while (window(&pp, 5, 200e-6) == 0)
		n++;
	assert_int_equal(n, DN_PAR_TRY + 1);
	assert_true(fabs(pp.groups[5].ns[0] - 200e3) < 1);
	/* that first parallel window wakes the threads: 5 ms, not timed; the
	 * next ones take 100 us */
	fake_now += 5e-3;
	for (int i = 0; i < DN_PAR_TRY; i++)
		assert_int_equal(window(&pp, 5, 100e-6), 1);
	assert_int_equal(pp.groups[5].n[1], DN_PAR_TRY - 1); /* the last one is recorded at the next start */
	/* a small window next: it records the last parallel one */
	assert_int_equal(window(&pp, -1, 200e-6), 0);
	assert_int_equal(pp.groups[5].n[1], DN_PAR_TRY);
	assert_true(fabs(pp.groups[5].ns[1] - 100e3) < 1);
	/* serial windows of another group while the threads still spin (under
	 * 1 ms after the last parallel one) are not timed, later ones are */
	for (int i = 0; i < 3; i++)
		(void)window(&pp, 9, 200e-6);
	(void)window(&pp, -1, 0);
	assert_int_equal(pp.groups[9].n[0], 0);
	fake_now += 1e-3;
	for (int i = 0; i < 3; i++)
		(void)window(&pp, 9, 300e-6);
	(void)window(&pp, -1, 0);
	assert_int_equal(pp.groups[9].n[0], 3);
	assert_true(fabs(pp.groups[9].try_ns[2] - 300e3) < 1);
}

/* n windows taking turns among the groups, each on the way the picker
 * chooses, serial_s or par_s long (the machine's); OUT the parallel ones. */
static uint64_t turns(dn_par_picker *pp, const int *groups, int ng, uint64_t n, double serial_s, double par_s)
{
	uint64_t par = 0;
	for (uint64_t i = 0; i < n; i++) {
		int way = dn_par_window(pp, groups[i % (uint64_t)ng], fake_clock);
		par += (uint64_t)way;
		fake_now += way ? par_s : serial_s;
	}
	return par;
}

static void test_a_busy_machine_is_busy_for_every_group(void **state)
{
	(void)state;
	static const int groups[3] = {5, 6, 7};
	enum { N = 90000 };
	/* a busy machine: parallel windows 25x slower. One picker for windows
	 * of three sizes against three pickers that each see one size (as if
	 * each group learnt alone) */
	dn_par_picker shared, alone[3];
	dn_par_init(&shared);
	fake_now = 1000;
	uint64_t par_shared = turns(&shared, groups, 3, N, 50e-6, 1.25e-3);
	uint64_t par_alone = 0;
	for (int k = 0; k < 3; k++) {
		dn_par_init(&alone[k]);
		par_alone += turns(&alone[k], &groups[k], 1, N / 3, 50e-6, 1.25e-3);
	}
	print_message("busy machine, %d windows of 3 sizes: %llu parallel with one picker, %llu learning alone\n", N,
	              (unsigned long long)par_shared, (unsigned long long)par_alone);
	assert_true(par_shared > 0);
	/* the groups after the first take its word for their first parallel
	 * windows, and every failed try puts off the others': about one
	 * group's tries (19 here, on the made-up clock), not three groups'
	 * (81 learning alone; 36 with one picker that shares nothing) */
	assert_true(3 * par_shared <= par_alone);
	for (int k = 0; k < 3; k++) {
		/* every group through its first phase: taking turns, a group's
		 * parallel windows all follow another's serial one, and it times
		 * them wake included rather than never */
		assert_int_equal(shared.groups[groups[k]].n[1], DN_PAR_TRY);
		assert_true(shared.groups[groups[k]].ns[0] < shared.groups[groups[k]].ns[1]);
	}
	/* the same windows on an idle machine, parallel faster: one group's
	 * slow window (an interrupt) does not keep the others from it */
	dn_par_picker idle;
	dn_par_init(&idle);
	uint64_t par = turns(&idle, groups, 3, 3000, 50e-6, 30e-6);
	fake_now += 5e-3; /* a page fault storm in one window */
	par += turns(&idle, groups, 1, 1, 50e-6, 30e-6);
	par += turns(&idle, groups, 3, N, 50e-6, 30e-6);
	assert_true(par > (N + 3000) * 9 / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_groups_by_powers_of_two),
	    cmocka_unit_test(test_times_both_ways_then_runs_the_faster),
	    cmocka_unit_test(test_a_busy_machine_pays_for_few_tries),
	    cmocka_unit_test(test_switches_when_the_other_way_wins),
	    cmocka_unit_test(test_a_small_gain_does_not_take_a_second_core),
	    cmocka_unit_test(test_one_slow_window_moves_the_smoothed_time_little),
	    cmocka_unit_test(test_a_window_is_timed_to_the_next_start),
	    cmocka_unit_test(test_a_busy_machine_is_busy_for_every_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
