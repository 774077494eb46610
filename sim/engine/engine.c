/*
 * engine.c: partitions, conservative windows, the run loop.
 *
 * Window protocol (YAWNS-style, see docs/engine.md): with M the earliest
 * pending event over all partitions and L the lookahead, every partition
 * runs its events with time < min(M + L, next sample, end) in parallel.
 * A cross-partition event is at least L after the event that sent it, so
 * it lands at or after the window's end and waits in the sender's outbox;
 * at the boundary each destination merges its inboxes (in source order,
 * though the heap order would not depend on it). Sample callbacks run
 * between windows, when every event before the sample time is done.
 */
#include "engine.h"
#include "parpick.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evq.h"
#include "rng.h"

typedef struct dn_outbox {
	dn_event *a;
	size_t n, cap;
} dn_outbox;

struct dn_part {
	dn_world *w;
	unsigned id;
	dn_evq q;
	dn_time_ns now_ns; /* time of the event being (or last) run */
	uint64_t seq;
	uint64_t events, remote;
	dn_outbox *out; /* one per destination partition */
	void *model;
	gsl_rng *g;
	dn_rc rc;
	char err[256];
} __attribute__((aligned(64)));

typedef struct dn_kind_slot {
	dn_store store;
	uint64_t n;
} dn_kind_slot;

struct dn_world {
	const dn_model *model;
	const dn_scenario *scn;
	uint64_t seed;
	dn_time_ns end_ns, sample_ns, lookahead_ns;
	unsigned nparts;
	int threads;
	int threads_now; /* the threads the last window ran on (dn_world_threads_now) */
	uint64_t max_events;
	size_t max_pending_per_part;
	dn_part *parts;
	void *model_state;
	dn_kind_slot kinds[DN_MAX_KINDS];
	int nkinds;
	bool model_inited;
	char err[512];
};

static const dn_param_def engine_params[] = {
	{"sim.model", DN_PT_STRING, "", "phold", 1, 64, NULL,
	 "model to run (see `dnetsim params`: every model's parameters are listed by prefix)"},
	{"sim.seed", DN_PT_INT, "1", "1", 0, 9223372036854775807.0 /* INT64_MAX */, NULL,
	 "random seed; with the scenario it determines the run bit for bit"},
	{"sim.end_time_s", DN_PT_FLOAT, "s", "100", DN_S_PER_NS, 3.15e9, NULL,
	 "simulated time to run; events at or after it are not executed"},
	{"sim.partitions", DN_PT_INT, "1", "16", 1, DN_MAX_PARTS, NULL,
	 "number of partitions (regions run in parallel); results depend on it, not on threads"},
	{"sim.threads", DN_PT_INT, "1", "0", 0, 1024, NULL,
	 "OpenMP threads (0: the cores free when the run starts, measured over 50 ms; docs/engine.md); never changes results"},
	{"sim.sample_interval_s", DN_PT_FLOAT, "s", "1", DN_S_PER_NS, 3.15e9, NULL,
	 "interval between recorded samples of every series"},
	{"sim.max_events", DN_PT_INT, "1", "0", 0, 9223372036854775807.0 /* INT64_MAX */, NULL,
	 "stop with an error after this many events (0: no limit)"},
	{"sim.queue", DN_PT_ENUM, "", "calendar", 0, 0, "calendar|heap",
	 "pending-event set: calendar slabs in front of heaps, or one 4-ary heap (same results)"},
	{"sim.max_pending_per_partition", DN_PT_INT, "1", "268435456", 1024, 4294967296.0, NULL,
	 "bound on pending events in one partition (32 bytes each)"},
};

const dn_param_def *dn_engine_params(size_t *n)
{
	*n = sizeof engine_params / sizeof engine_params[0];
	return engine_params;
}

void dn_world_set_error(dn_world *w, const char *fmt, ...)
{
	if (w->err[0])
		return; /* keep the first, usually the cause */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof w->err, fmt, ap);
	va_end(ap);
}

void dn_part_set_error(dn_part *p, const char *fmt, ...)
{
	if (p->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof p->err, fmt, ap);
	va_end(ap);
}

static dn_time_ns seconds_to_ns(double s)
{
	double ns = nearbyint(s * (double)DN_NS_PER_S);
	if (ns >= 9.2e18)
		return DN_TIME_MAX;
	return (dn_time_ns)ns;
}

static void copy_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* The "cpu" line of /proc/stat: all time and idle time (idle + iowait), in ticks. */
static bool cpu_ticks(unsigned long long *all, unsigned long long *idle)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return false;
	unsigned long long v[8] = {0};
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
	               &v[6], &v[7]);
	fclose(f);
	if (n < 5)
		return false;
	*all = 0;
	for (int i = 0; i < 8; i++)
		*all += v[i];
	*idle = v[3] + v[4];
	return true;
}

int dn_engine_auto_threads(void)
{
	int max = omp_get_max_threads();
	unsigned long long a0, i0, a1, i1;
	if (max <= 1 || !cpu_ticks(&a0, &i0))
		return max > 0 ? max : 1;
	struct timespec ts = {0, 50 * 1000 * 1000};
	nanosleep(&ts, NULL);
	if (!cpu_ticks(&a1, &i1) || a1 <= a0)
		return max;
	double free_cores = (double)(i1 - i0) / (double)(a1 - a0) * (double)max;
	int n = (int)lround(free_cores);
	return n < 1 ? 1 : n > max ? max : n;
}

/* ---- estimates ---- */

/* Growable arrays double, so they hold up to twice their contents
 * (measured: PHOLD peaks at 40-56 bytes per 32-byte event). */
#define EST_EVENT_BYTES (sizeof(dn_event) * 1.5)
/* malloc's header and rounding, per allocation */
#define EST_MALLOC_BYTES 16.0
/* Above this the partitions are worth naming in a refusal. */
#define EST_PARTS_NOTABLE_BYTES (256.0 * 1024 * 1024)

void dn_estimate_driver_add(dn_estimate *e, const char *param, double value, double bytes,
                            double bytes_per_unit, const char *unit)
{
	if (e->n_drivers >= DN_ESTIMATE_DRIVERS)
		return;
	e->driver[e->n_drivers++] = (dn_estimate_driver){param, value, bytes, bytes_per_unit, unit};
}

void dn_engine_estimate(const dn_model *m, const dn_scenario *s, double pending, double crossing,
                        dn_estimate *e)
{
	const double P = (double)dn_scn_int(s, "sim.partitions");
	const double bound = P * (double)dn_scn_int(s, "sim.max_pending_per_partition");
	if (pending > bound)
		pending = bound;
	if (crossing > pending)
		crossing = pending;
	/* Each partition: its record, the calendar ring, an outbox per
	 * destination, a generator, the model's state, the two heaps' first
	 * arrays (64 events each). */
	double part = sizeof(dn_part) + (DN_EVQ_BUCKETS + DN_EVQ_SUPERS) * sizeof(dn_bucket) + P * sizeof(dn_outbox) +
	              sizeof(gsl_rng) + dn_gsl_rng_philox->size + (double)m->part_state_size +
	              2 * 64 * sizeof(dn_event) + 6 * EST_MALLOC_BYTES;
	double parts = P * part;
	e->engine_bytes += sizeof(dn_world) + (double)m->world_state_size + parts +
	                   pending * EST_EVENT_BYTES + crossing * EST_EVENT_BYTES;
	if (parts > EST_PARTS_NOTABLE_BYTES)
		dn_estimate_driver_add(e, "sim.partitions", P, parts, part, "partition");
}

double dn_engine_event_bytes(void)
{
	return EST_EVENT_BYTES;
}

double dn_engine_samples(const dn_scenario *s)
{
	double end_ns = (double)seconds_to_ns(dn_scn_float(s, "sim.end_time_s"));
	double step_ns = (double)seconds_to_ns(dn_scn_float(s, "sim.sample_interval_s"));
	if (step_ns < 1)
		step_ns = 1;
	return ceil(end_ns / step_ns);
}

/* Kept whole: builds the world in dependency order (partitions, model init, slabs by lookahead, initial events), one fail exit. */
dn_rc dn_world_new(const dn_model *model, const dn_scenario *s, int threads,
                   dn_world **out, char *err, size_t errlen)
{
	*out = NULL;
	dn_world *w = calloc(1, sizeof *w);
	if (!w) {
		copy_err(err, errlen, "out of memory");
		return DN_ENOMEM;
	}
	dn_rc rc = DN_OK;
	w->model = model;
	w->scn = s;
	w->seed = (uint64_t)dn_scn_int(s, "sim.seed");
	w->end_ns = seconds_to_ns(dn_scn_float(s, "sim.end_time_s"));
	w->sample_ns = seconds_to_ns(dn_scn_float(s, "sim.sample_interval_s"));
	if (w->sample_ns < 1)
		w->sample_ns = 1;
	w->nparts = (unsigned)dn_scn_int(s, "sim.partitions");
	w->threads = threads > 0 ? threads : (int)dn_scn_int(s, "sim.threads");
	if (w->threads <= 0)
		w->threads = dn_engine_auto_threads();
	w->max_events = (uint64_t)dn_scn_int(s, "sim.max_events");
	w->max_pending_per_part = (size_t)dn_scn_int(s, "sim.max_pending_per_partition");
	w->lookahead_ns = 0;

	if (model->world_state_size) {
		w->model_state = calloc(1, model->world_state_size);
		if (!w->model_state) {
			rc = DN_ENOMEM;
			goto fail;
		}
	}
	w->parts = aligned_alloc(64, sizeof(dn_part) * w->nparts);
	if (!w->parts) {
		rc = DN_ENOMEM;
		goto fail;
	}
	memset(w->parts, 0, sizeof(dn_part) * w->nparts);
	for (unsigned i = 0; i < w->nparts; i++) {
		dn_part *p = &w->parts[i];
		p->w = w;
		p->id = i;
		rc = dn_evq_init(&p->q, DN_EVQ_SHIFT_HEAP, w->max_pending_per_part);
		if (rc)
			goto fail;
		p->out = calloc(w->nparts, sizeof *p->out);
		p->g = dn_rng_gsl_new(w->seed, i, DN_RNG_PURPOSE_ENGINE);
		if (!p->out || !p->g) {
			rc = DN_ENOMEM;
			goto fail;
		}
		if (model->part_state_size) {
			p->model = calloc(1, model->part_state_size);
			if (!p->model) {
				rc = DN_ENOMEM;
				goto fail;
			}
		}
	}

	rc = model->init(w, s);
	w->model_inited = true;
	if (rc)
		goto fail;
	if (w->nparts > 1 && w->lookahead_ns <= 0) {
		dn_world_set_error(w, "model '%s' set no positive lookahead; it cannot run on %u partitions",
		                   model->name, w->nparts);
		rc = DN_EINVAL;
		goto fail;
	}
	/* Calendar slabs no wider than the lookahead (or, with no lookahead, the
	 * sample interval), so events scheduled from a handler land in a later
	 * slab: see evq.h. */
	if (strcmp(dn_scn_str(s, "sim.queue"), "calendar") == 0) {
		dn_time_ns width_ns = w->lookahead_ns > 0 ? w->lookahead_ns : w->sample_ns;
		for (unsigned i = 0; i < w->nparts; i++) {
			w->parts[i].q.shift = dn_evq_shift_for(width_ns);
			/* a slab no wider than the lookahead: see evq.h */
			assert(w->parts[i].q.shift <= DN_EVQ_SHIFT_HEAP && ((dn_time_ns)1 << w->parts[i].q.shift) <= width_ns);
		}
	}
	if (model->part_init) {
		dn_rc first = DN_OK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->threads)
		for (unsigned i = 0; i < w->nparts; i++) {
			dn_rc r = model->part_init(&w->parts[i]);
			if (r)
				w->parts[i].rc = r;
		}
		for (unsigned i = 0; i < w->nparts && !first; i++) {
			if (w->parts[i].rc) {
				first = w->parts[i].rc;
				dn_world_set_error(w, "partition %u, initial events: %s", i,
				                   w->parts[i].err[0] ? w->parts[i].err : dn_rc_str(first));
			}
		}
		if (first) {
			rc = first;
			goto fail;
		}
	}
	*out = w;
	return DN_OK;
fail:
	if (!w->err[0])
		dn_world_set_error(w, "%s", dn_rc_str(rc));
	copy_err(err, errlen, w->err);
	dn_world_free(w);
	return rc;
}

void dn_world_free(dn_world *w)
{
	if (!w)
		return;
	if (w->model_inited && w->model->fini)
		w->model->fini(w);
	if (w->parts) {
		for (unsigned i = 0; i < w->nparts; i++) {
			dn_part *p = &w->parts[i];
			dn_evq_free(&p->q);
			if (p->out)
				for (unsigned j = 0; j < w->nparts; j++)
					free(p->out[j].a);
			free(p->out);
			if (p->g)
				gsl_rng_free(p->g);
			free(p->model);
		}
		free(w->parts);
	}
	for (int k = 0; k < w->nkinds; k++)
		dn_store_free(&w->kinds[k].store);
	free(w->model_state);
	free(w);
}

/* ---- accessors ---- */

void *dn_world_model(dn_world *w) { return w->model_state; }
const dn_scenario *dn_world_scenario(const dn_world *w) { return w->scn; }
uint64_t dn_world_seed(const dn_world *w) { return w->seed; }
unsigned dn_world_nparts(const dn_world *w) { return w->nparts; }
dn_part *dn_world_part(dn_world *w, unsigned i)
{
	assert(i < w->nparts);
	return &w->parts[i];
}
int dn_world_threads(const dn_world *w) { return w->threads; }
int dn_world_threads_now(const dn_world *w) { return w->threads_now > 1 ? w->threads_now : 1; }
dn_time_ns dn_world_end(const dn_world *w) { return w->end_ns; }
void dn_world_set_lookahead(dn_world *w, dn_time_ns lookahead_ns) { w->lookahead_ns = lookahead_ns; }
void *dn_part_model(dn_part *p) { return p->model; }
unsigned dn_part_index(const dn_part *p) { return p->id; }
dn_world *dn_part_world(dn_part *p) { return p->w; }
dn_time_ns dn_part_now(const dn_part *p) { return p->now_ns; }
size_t dn_part_pending(const dn_part *p) { return p->q.n; }
gsl_rng *dn_part_gsl(dn_part *p) { return p->g; }

dn_rc dn_world_add_kind(dn_world *w, const dn_kind_def *def, uint64_t n, int *kind)
{
	if (w->nkinds >= DN_MAX_KINDS) {
		dn_world_set_error(w, "too many agent kinds (at most %d)", DN_MAX_KINDS);
		return DN_ELIMIT;
	}
	dn_kind_slot *k = &w->kinds[w->nkinds];
	dn_rc rc = dn_store_init(&k->store, def, n);
	if (rc) {
		dn_world_set_error(w, "cannot allocate %" PRIu64 " agents of kind '%s' (%zu bytes each): %s",
		                   n, def->name, dn_store_bytes_per_agent(def), dn_rc_str(rc));
		return rc;
	}
	k->n = n;
	*kind = w->nkinds++;
	return DN_OK;
}

dn_store *dn_world_store(dn_world *w, int kind)
{
	assert(kind >= 0 && kind < w->nkinds); /* an id dn_world_add_kind returned */
	return &w->kinds[kind].store;
}

double dn_world_bytes_per_agent(const dn_world *w)
{
	uint64_t agents = 0;
	double bytes = 0;
	for (int k = 0; k < w->nkinds; k++) {
		agents += w->kinds[k].n;
		bytes += (double)w->kinds[k].n * (double)dn_store_bytes_per_agent(w->kinds[k].store.def);
	}
	return agents ? bytes / (double)agents : 0.0;
}

/* n <= 2^32 agents and p <= 4096 partitions: n * p fits in 64 bits. */
static uint64_t part_begin(uint64_t n, unsigned nparts, unsigned p)
{
	return n * p / nparts;
}

void dn_world_part_range(const dn_world *w, int kind, unsigned part, uint64_t *begin, uint64_t *end)
{
	assert(kind >= 0 && kind < w->nkinds && part < w->nparts);
	uint64_t n = w->kinds[kind].n;
	*begin = part_begin(n, w->nparts, part);
	*end = part_begin(n, w->nparts, part + 1);
	assert(*begin <= *end && *end <= n);
}

unsigned dn_world_part_of(const dn_world *w, int kind, uint64_t a)
{
	assert(kind >= 0 && kind < w->nkinds);
	uint64_t n = w->kinds[kind].n;
	unsigned P = w->nparts;
	assert(a < n);
	unsigned p = (unsigned)(a * P / n);
	while (p + 1 < P && part_begin(n, P, p + 1) <= a)
		p++;
	while (p > 0 && part_begin(n, P, p) > a)
		p--;
	assert(p < P);
	return p;
}

/* ---- events ---- */

static dn_rc outbox_push(dn_outbox *o, const dn_event *e, size_t bound)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		if (cap > bound)
			cap = bound;
		if (o->n >= cap)
			return DN_ELIMIT;
		dn_event *a = realloc(o->a, cap * sizeof *a);
		if (!a)
			return DN_ENOMEM;
		o->a = a;
		o->cap = cap;
	}
	o->a[o->n++] = *e;
	return DN_OK;
}

dn_rc dn_send(dn_part *p, dn_time_ns t, unsigned dst_part, uint32_t dst,
              uint16_t type, uint16_t aux, uint64_t data)
{
	dn_world *w = p->w;
	if (t < p->now_ns) {
		dn_part_set_error(p, "event for agent %" PRIu32 " at t=%" PRId64 " ns is before now (%" PRId64 " ns)",
		                  dst, t, p->now_ns);
		return DN_ECAUSALITY;
	}
	if (p->seq > DN_KEY_SEQ_MAX) {
		dn_part_set_error(p, "more than 2^40 events sent from one partition");
		return DN_ELIMIT;
	}
	dn_event e = {.t = t, .key = (uint64_t)p->id << DN_KEY_PART_SHIFT | p->seq,
	              .dst = dst, .type = type, .aux = aux, .data = data};
	p->seq++;
	if (dst_part == p->id) {
		dn_rc rc = dn_evq_push(&p->q, &e);
		if (rc)
			dn_part_set_error(p, "pending-event set full (%zu events, sim.max_pending_per_partition)", p->q.n);
		return rc;
	}
	if (dst_part >= w->nparts) {
		dn_part_set_error(p, "event for partition %u of %u", dst_part, w->nparts);
		return DN_EINVAL;
	}
	if (t - p->now_ns < w->lookahead_ns) {
		dn_part_set_error(p, "event to partition %u at t=%" PRId64 " ns is closer than the lookahead "
		                  "(%" PRId64 " ns) to now (%" PRId64 " ns)", dst_part, t, w->lookahead_ns, p->now_ns);
		return DN_ECAUSALITY;
	}
	p->remote++;
	dn_rc rc = outbox_push(&p->out[dst_part], &e, w->max_pending_per_part);
	if (rc)
		dn_part_set_error(p, "outbox to partition %u full", dst_part);
	return rc;
}

/* Runs partition p's events with time < wend_ns. */
static void part_run(dn_part *p, dn_time_ns wend_ns)
{
	/* the window never starts before this partition's clock */
	assert(wend_ns > p->now_ns);
	const dn_handler_fn *h = p->w->model->handlers;
	const size_t nh = p->w->model->n_handlers;
	void (*prefetch)(dn_part *, const dn_event *) = p->w->model->prefetch;
	dn_evq *q = &p->q;
	for (;;) {
		dn_rc prc;
		const dn_event *top = dn_evq_peek(q, &prc);
		if (prc) {
			dn_part_set_error(p, "cannot load the next time slab: %s", dn_rc_str(prc));
			p->rc = prc;
			return;
		}
		if (!top || top->t >= wend_ns)
			break;
		dn_event ev;
		dn_evq_pop(q, &ev);
		if (prefetch && q->cur.n)
			prefetch(p, &q->cur.a[0]);
		/* time never goes backwards within a partition: dn_send refuses
		 * the past, and merged events land at or after the window's end */
		assert(ev.t >= p->now_ns);
		p->now_ns = ev.t;
		if (ev.type >= nh) {
			dn_part_set_error(p, "event type %u has no handler", ev.type);
			p->rc = DN_EINVAL;
			return;
		}
		dn_rc rc = h[ev.type](p, &ev);
		p->events++;
		if (rc) {
			p->rc = rc;
			return;
		}
	}
}

/* Moves every outbox's events bound for partition d into its queue. */
static void merge_into(dn_world *w, unsigned d)
{
	const unsigned P = w->nparts;
	dn_part *dst = &w->parts[d];
	for (unsigned s = 0; s < P; s++) {
		dn_outbox *o = &w->parts[s].out[d];
		assert(s != d || o->n == 0); /* dn_send queues local events directly */
		assert(o->n <= o->cap);
		for (size_t i = 0; i < o->n; i++) {
			/* sent at least a lookahead ahead: after the destination's clock */
			assert(o->a[i].t >= dst->now_ns);
			dn_rc rc = dn_evq_push(&dst->q, &o->a[i]);
			if (rc) {
				dst->rc = rc;
				dn_part_set_error(dst, "pending-event set full while merging (%zu events)", dst->q.n);
				break;
			}
		}
		o->n = 0;
	}
}

/* Moves every outbox's events into its destination's queue; in parallel
 * only when asked (entering a parallel region at all costs a system call
 * per region, even for a team of one). */
static dn_rc merge_outboxes(dn_world *w, bool parallel)
{
	dn_rc first = DN_OK;
	const unsigned P = w->nparts;
	if (parallel && w->threads > 1) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->threads)
		for (unsigned d = 0; d < P; d++)
			merge_into(w, d);
	} else {
		for (unsigned d = 0; d < P; d++)
			merge_into(w, d);
	}
	for (unsigned d = 0; d < P && !first; d++)
		first = w->parts[d].rc;
	return first;
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + DN_S_PER_NS * (double)ts.tv_nsec;
}

static dn_rc part_errors(dn_world *w)
{
	for (unsigned i = 0; i < w->nparts; i++) {
		dn_part *p = &w->parts[i];
		if (p->rc) {
			dn_world_set_error(w, "partition %u at t=%.9f s: %s", i, (double)p->now_ns * DN_S_PER_NS,
			                   p->err[0] ? p->err : dn_rc_str(p->rc));
			return p->rc;
		}
	}
	return DN_OK;
}

/* Kept whole: the engine's main loop, its phases in order (stop, next event, samples, window, partitions, merge, limits). */
dn_rc dn_world_run(dn_world *w, dn_results *r, dn_progress_fn progress, void *ctx,
                   volatile const int *stop, dn_run_stats *stats, char *err, size_t errlen)
{
	const dn_model *m = w->model;
	dn_run_stats st = {0};
	double t0 = wall_now();
	dn_rc rc = DN_OK;
	const unsigned P = w->nparts;

	if (m->declare) {
		rc = m->declare(w, r);
		if (rc)
			goto out;
	}
	rc = merge_outboxes(w, true); /* events sent to other partitions by part_init */
	if (rc)
		goto out;

	dn_time_ns next_sample_ns = w->sample_ns < w->end_ns ? w->sample_ns : w->end_ns;
	dn_time_ns L_ns = P > 1 ? w->lookahead_ns : DN_TIME_MAX;
	assert(L_ns > 0 && w->sample_ns > 0);
	dn_time_ns prev_wend_ns = 0; /* end of the last window run */
	dn_par_picker picker;
	dn_par_init(&picker);
	uint64_t last_window_events = 0, events_before = 0; /* events of the last window; of all before it */
	for (;;) {
		if (stop && *stop) {
			dn_world_set_error(w, "interrupted");
			rc = DN_EINTERRUPTED;
			goto out;
		}
		dn_time_ns M_ns = DN_TIME_MAX;
		size_t pending = 0;
		for (unsigned i = 0; i < P; i++) {
			const dn_event *top = dn_evq_peek(&w->parts[i].q, &rc);
			if (rc) {
				dn_world_set_error(w, "partition %u: cannot load the next time slab: %s", i, dn_rc_str(rc));
				goto out;
			}
			if (top && top->t < M_ns)
				M_ns = top->t;
			assert(w->parts[i].q.n <= w->parts[i].q.cap_max);
			pending += w->parts[i].q.n;
		}
		/* Conservative windows: every event before the last window's end
		 * has run, and none is sent there any more. */
		assert(M_ns >= prev_wend_ns);
		if (pending > st.pending_max)
			st.pending_max = pending;
		while (next_sample_ns < w->end_ns && next_sample_ns <= M_ns) {
			if (m->sample) {
				rc = m->sample(w, next_sample_ns, r);
				if (rc)
					goto out;
			}
			next_sample_ns = next_sample_ns > w->end_ns - w->sample_ns ? w->end_ns : next_sample_ns + w->sample_ns;
		}
		if (M_ns >= w->end_ns)
			break;
		dn_time_ns wend_ns = M_ns > DN_TIME_MAX - L_ns ? DN_TIME_MAX : M_ns + L_ns;
		if (wend_ns > next_sample_ns)
			wend_ns = next_sample_ns;
		if (wend_ns > w->end_ns)
			wend_ns = w->end_ns;
		/* a window holds the earliest event (so every window makes
		 * progress), spans at most the lookahead and crosses neither a
		 * sample time nor the end */
		assert(M_ns < wend_ns && wend_ns - M_ns <= L_ns && wend_ns <= w->end_ns && wend_ns <= next_sample_ns);
		prev_wend_ns = wend_ns;

		/* one thread or all, by measurement (parpick.h): a window of a
		 * few events runs on one, as waking the others would cost more
		 * than the events */
		bool may = P > 1 && w->threads > 1 && last_window_events >= DN_PAR_MIN_EVENTS;
		int way = dn_par_window(&picker, may ? dn_par_group_of(last_window_events) : -1, wall_now);
		if (P == 1) {
			/* No parallel region: a one-partition model may open its own
			 * (nested regions would get one thread). */
			part_run(&w->parts[0], wend_ns);
		} else if (!way) {
			for (unsigned i = 0; i < P; i++)
				part_run(&w->parts[i], wend_ns);
		} else {
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->threads)
			for (unsigned i = 0; i < P; i++)
				part_run(&w->parts[i], wend_ns);
		}
		st.serial_windows += P > 1 && !way;
		w->threads_now = P > 1 && way ? w->threads : 1;
		rc = part_errors(w);
		if (rc)
			goto out;
		rc = merge_outboxes(w, way);
		if (rc) {
			(void)part_errors(w);
			goto out;
		}
		st.windows++;
		uint64_t ev = 0;
		for (unsigned i = 0; i < P; i++)
			ev += w->parts[i].events;
		last_window_events = ev - events_before;
		events_before = ev;
		if (w->max_events && ev > w->max_events) {
			dn_world_set_error(w, "more than sim.max_events = %" PRIu64 " events", w->max_events);
			rc = DN_ELIMIT;
			goto out;
		}
		if (progress)
			progress(ctx, wend_ns, w->end_ns, ev);
	}
	for (unsigned i = 0; i < P; i++)
		w->parts[i].now_ns = w->end_ns;
	if (m->sample) {
		rc = m->sample(w, w->end_ns, r);
		if (rc)
			goto out;
	}
	if (m->finish)
		rc = m->finish(w, r);
out:
	for (unsigned i = 0; i < P; i++) {
		st.events += w->parts[i].events;
		st.remote += w->parts[i].remote;
	}
	st.wall_s = wall_now() - t0;
	if (stats)
		*stats = st;
	if (rc) {
		if (!w->err[0])
			dn_world_set_error(w, "%s", dn_rc_str(rc));
		copy_err(err, errlen, w->err);
	}
	return rc;
}
