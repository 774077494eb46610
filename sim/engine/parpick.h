/*
 * parpick.h: one thread or all for a window, chosen by measurement.
 *
 * Each partition's events are its own, so which thread runs them changes
 * nothing; only the speed differs, and it depends on the window's size,
 * the machine and what else runs on it: a window of a hundred events
 * gains from a second core whose thread waits by spinning briefly, and
 * loses when that core is busy with another process (its thread holds the
 * window's end for its time slice).
 *
 * Windows are grouped by the size of the one before (powers of two). A
 * group first times DN_PAR_TRY windows each way and keeps the median, then
 * runs the faster way and keeps a smoothed time of it; all threads count
 * as faster only when they take under DN_PAR_GAIN of the time, since they
 * cost a second core for it. Now and then it
 * tries the other way again for DN_PAR_TRY windows: after DN_PAR_EVERY0
 * windows, then at intervals that double while the other way stays slower
 * (up to DN_PAR_EVERY_MAX), so that a machine where parallel windows are
 * slow pays for few tries. A try's window that takes 4 times the other
 * way's time ends the try at once. When the other way wins it takes over.
 * Such a window says the machine is busy, which holds for every group: the
 * other groups that run on one thread put off their next try as if theirs
 * had failed, and a group still to time its parallel windows takes them as
 * that much slower, so that a busy machine pays for one group's tries, not
 * for each group's.
 * docs/engine.md (Threads) is the user's account.
 *
 * Private to the engine (DN_BUILDING_ENGINE), like evq.h.
 */
#ifndef DN_PARPICK_H
#define DN_PARPICK_H

#ifndef DN_BUILDING_ENGINE
#error "parpick.h is private to the engine (sim/engine)"
#endif

#include <stdbool.h>
#include <stdint.h>

#define DN_PAR_GROUPS 64
#define DN_PAR_TRY 8          /* windows timed per way at first and per try */
#define DN_PAR_EVERY0 64      /* windows between tries, at first and after a change */
#define DN_PAR_EVERY_MAX 65536
#define DN_PAR_GAIN 0.9       /* all threads only when they take under 0.9x the time */

typedef struct dn_par_group {
	double ns[2];     /* wall ns per window: [0] on one thread, [1] on all */
	uint32_t n[2];    /* windows timed each way in the first phase (<= DN_PAR_TRY) */
	uint64_t since;   /* windows since the last try */
	uint64_t every;   /* windows between tries */
	uint32_t trying;  /* windows left in the current try */
	int try_way;
	bool woke;        /* its last parallel window came after serial ones and was not timed */
	double try_ns[DN_PAR_TRY]; /* the windows of the first phase or the try */
} dn_par_group;

/*
 * The choice for a whole run: the groups, and the window being timed. A
 * window's cost runs from its start to the next window's start, so the
 * model's block step after it counts (it is slower while another thread
 * spins). Not timed: the first parallel window after serial ones (it wakes
 * the other threads from their sleep), and serial ones while the other
 * threads still spin after the last parallel window (GOMP_SPINCOUNT:
 * about 0.3 ms). A group skips one wake in a row, not more: when windows of
 * several sizes take turns, each of its parallel windows may come after
 * another group's serial one and pay for the wake, which is then its
 * cost (and it would otherwise never be timed).
 */
typedef struct dn_par_picker {
	dn_par_group groups[DN_PAR_GROUPS];
	int last_way;           /* how the last window ran */
	dn_par_group *timed;    /* the group of the window being timed, or NULL */
	int timed_way, timed_skip;
	double timed_t0;        /* its start, wall seconds */
	double par_end;         /* when the last parallel window's cycle ended (-1: none yet) */
} dn_par_picker;

void dn_par_init(dn_par_picker *pp);
/* The way to run the next window: 0 one thread, 1 all. `group` is
 * dn_par_group_of(the last window's events), or -1 when the window must
 * run on one thread (one partition or thread, or too few events);
 * clock() reads wall seconds and is called only while windows are timed.
 * The window's time is recorded at the next call. */
int dn_par_window(dn_par_picker *pp, int group, double (*clock)(void));

/* The group of a window whose predecessor handled `events` events. */
int dn_par_group_of(uint64_t events);
/* The way to run the group's next window: 0 one thread, 1 all. */
int dn_par_choose(dn_par_group *g);
/* The wall time of a window the group ran `way`. Returns true when it
 * was a window on all threads 4 times slower than one thread: a core
 * busy with another process. */
bool dn_par_record(dn_par_group *g, int way, double ns);

#endif
