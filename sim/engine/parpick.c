/*
 * parpick.c: one thread or all for a window, by measurement (parpick.h).
 */
#include "parpick.h"

#include <stdbool.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of_try(dn_par_group *g)
{
	qsort(g->try_ns, DN_PAR_TRY, sizeof g->try_ns[0], cmp_double);
	return g->try_ns[DN_PAR_TRY / 2];
}

/* The faster way: all threads only when they save a tenth of the time,
 * since they cost a second core (spinning between windows) for it. */
static int best_way(const dn_par_group *g)
{
	return g->ns[1] < DN_PAR_GAIN * g->ns[0];
}

int dn_par_group_of(uint64_t events)
{
	int g = 0;
	while (events > 1 && g < DN_PAR_GROUPS - 1) {
		events >>= 1;
		g++;
	}
	return g;
}

int dn_par_choose(dn_par_group *g)
{
	if (g->n[0] < DN_PAR_TRY)
		return 0;
	if (g->n[1] < DN_PAR_TRY)
		return 1;
	if (g->trying)
		return g->try_way;
	int best = best_way(g);
	if (!g->every)
		g->every = DN_PAR_EVERY0;
	if (++g->since >= g->every) {
		g->since = 0;
		g->trying = DN_PAR_TRY;
		g->try_way = !best;
		return g->try_way;
	}
	return best;
}

/* The group's try of the other way lost: the next comes twice as late. */
static void try_later(dn_par_group *g)
{
	if (!g->every)
		g->every = DN_PAR_EVERY0;
	if (g->every < DN_PAR_EVERY_MAX)
		g->every *= 2;
}

bool dn_par_record(dn_par_group *g, int way, double ns)
{
	bool first = g->n[way] < DN_PAR_TRY, in_try = g->trying && way == g->try_way;
	/* far slower than the other way (a core busy with another process):
	 * one window says enough, the try ends here */
	if ((first || in_try) && g->n[!way] >= DN_PAR_TRY && ns > 4 * g->ns[!way]) {
		g->ns[way] = ns;
		if (first)
			g->n[way] = DN_PAR_TRY;
		else
			try_later(g);
		g->trying = 0;
		return way == 1;
	}
	if (first) {
		g->try_ns[g->n[way]++] = ns;
		if (g->n[way] == DN_PAR_TRY)
			g->ns[way] = median_of_try(g);
		return false;
	}
	if (in_try) {
		g->try_ns[DN_PAR_TRY - g->trying] = ns;
		if (--g->trying == 0) {
			g->ns[way] = median_of_try(g);
			if (best_way(g) == way)
				g->every = DN_PAR_EVERY0; /* it wins: it runs from now on */
			else
				try_later(g);
		}
		return false;
	}
	/* smoothed; one slow window (a page fault, an interrupt) moves it little */
	if (ns > 4 * g->ns[way])
		ns = 4 * g->ns[way];
	g->ns[way] += (ns - g->ns[way]) / 16;
	return false;
}

/* A parallel window of group `busy` was 4 times slower than its serial
 * ones: another process holds a core, and holds it for every group. The
 * groups that run on one thread put off their next parallel try as if it
 * had failed; a group that has timed its serial windows but not yet its
 * parallel ones takes them as 4 times slower (it tries them again after
 * DN_PAR_EVERY0 windows, as any group that found them so). */
static void busy_for_all(dn_par_picker *pp, const dn_par_group *busy)
{
	for (int i = 0; i < DN_PAR_GROUPS; i++) {
		dn_par_group *o = &pp->groups[i];
		if (o == busy || o->trying || o->n[0] < DN_PAR_TRY)
			continue;
		if (o->n[1] < DN_PAR_TRY) {
			o->n[1] = DN_PAR_TRY;
			o->ns[1] = 4 * o->ns[0];
			o->since = 0;
		} else if (!best_way(o)) {
			o->since = 0;
			try_later(o);
		}
	}
}

void dn_par_init(dn_par_picker *pp)
{
	*pp = (dn_par_picker){.par_end = -1};
}

int dn_par_window(dn_par_picker *pp, int group, double (*clock)(void))
{
	dn_par_group *g = NULL;
	int way = 0;
	if (group >= 0) {
		g = &pp->groups[group < DN_PAR_GROUPS ? group : DN_PAR_GROUPS - 1];
		way = dn_par_choose(g);
	}
	if (g || pp->timed) {
		double now = clock();
		if (pp->timed && !pp->timed_skip && dn_par_record(pp->timed, pp->timed_way, (now - pp->timed_t0) * 1e9))
			busy_for_all(pp, pp->timed);
		if (pp->last_way)
			pp->par_end = now;
		pp->timed = g;
		pp->timed_way = way;
		if (way) {
			pp->timed_skip = !pp->last_way && !g->woke;
			g->woke = pp->timed_skip;
		} else {
			pp->timed_skip = pp->par_end >= 0 && now - pp->par_end < 1e-3;
		}
		pp->timed_t0 = now;
	}
	pp->last_way = way;
	return way;
}
