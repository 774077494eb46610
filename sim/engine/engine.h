/*
 * engine.h: the discrete-event engine.
 *
 * A world holds partitions; each partition has its own pending-event set
 * and runs its events in (time, key) order. Partitions run in parallel
 * under OpenMP inside conservative windows: an event sent to another
 * partition must be at least the model's lookahead in the future, so it
 * can wait in an outbox until the window closes and then be merged. The
 * number of partitions is a scenario parameter, never the thread count,
 * which is why results are identical at any thread count.
 *
 * The engine knows no model: a model is a const table (dn_model) of
 * callbacks, handlers and parameter definitions; the engine owns the
 * memory (world state, partition state, agent stores). Nothing here
 * switches on a model kind.
 */
#ifndef DN_ENGINE_H
#define DN_ENGINE_H

#include <stdbool.h>

#include <gsl/gsl_rng.h>

#include "dn_base.h"
#include "params.h"
#include "results.h"
#include "scenario.h"
#include "store.h"

typedef struct dn_world dn_world;
typedef struct dn_part dn_part;

/* One pending event, 32 bytes. Handlers read it; the queue that orders
 * events by (t, key) is the engine's own (evq.h, private). */
typedef struct dn_event {
	dn_time_ns t;
	uint64_t key;  /* src partition << 40 | src sequence: unique, fixes ties */
	uint32_t dst;  /* destination agent, as the model numbers them */
	uint16_t type; /* index into the model's handler table */
	uint16_t aux;  /* small model payload */
	uint64_t data; /* model payload */
} dn_event;

/* ---- memory estimate, made before a run allocates anything large ---- */

#define DN_ESTIMATE_DRIVERS 6

/* A parameter that drives a run's memory: its share of the estimate and
 * what one more `unit` of it adds. A driver with no share is named only,
 * as a factor of the one before it (phold.events_per_lp after phold.lps). */
typedef struct dn_estimate_driver {
	const char *param;     /* "world.agents" */
	double value;          /* its value in the scenario */
	double bytes;          /* its share of the estimate */
	double bytes_per_unit;
	const char *unit;      /* "agent", "simulated day" */
} dn_estimate_driver;

/*
 * A run's peak memory from the resolved scenario alone. Bytes are resident
 * bytes: zeroed pages a run never touches are not counted. The process's
 * own share (libraries, recorder buffers) is the caller's
 * (sim/cli/memcheck.c). series and rows size the results file.
 */
typedef struct dn_estimate {
	double model_bytes;  /* agents, ledger, sessions, indexes, per-partition state */
	double engine_bytes; /* partitions, pending events, outboxes (dn_engine_estimate) */
	double series;       /* series the model records */
	double rows;         /* rows each series gets over the run */
	size_t n_drivers;
	dn_estimate_driver driver[DN_ESTIMATE_DRIVERS];
} dn_estimate;

/* A name callback's argument: one series (series true) or summary scalar
 * a run may write. A name ending in '*' stands for every name with that
 * prefix, written only when what it counts occurs. */
typedef void (*dn_name_fn)(void *ctx, const char *name, bool series);

/* A handler runs one event at its destination partition. */
typedef dn_rc (*dn_handler_fn)(dn_part *p, const dn_event *ev);

/* What a model reports at the end of a run, beyond /summary, for the
 * program's own reports (`dnetsim bench`). Zero where a model has none. */
typedef struct dn_model_summary {
	uint64_t steps; /* model steps completed: blocks, for a block-driven model */
} dn_model_summary;

#define DN_MAX_KINDS 32
#define DN_MAX_PARTS 4096

typedef struct dn_model {
	const char *name; /* the value of sim.model */
	const char *doc;  /* one line */
	const dn_param_def *params;
	size_t n_params;
	const dn_handler_fn *handlers; /* indexed by dn_event.type */
	size_t n_handlers;
	size_t world_state_size; /* zeroed, dn_world_model() */
	size_t part_state_size;  /* zeroed, per partition, dn_part_model() */
	/* Serial, once: read parameters, add agent kinds, set the lookahead.
	 * Required. */
	DN_WUR dn_rc (*init)(dn_world *w, const dn_scenario *s);
	/* Per partition, possibly in parallel: schedule initial events. */
	DN_WUR dn_rc (*part_init)(dn_part *p);
	/* Serial: declare series in the results file (r may be NULL: no output). */
	DN_WUR dn_rc (*declare)(dn_world *w, dn_results *r);
	/* Serial, at each sample time t (after every event with time < t):
	 * read partition states in index order and record. r may be NULL. */
	DN_WUR dn_rc (*sample)(dn_world *w, dn_time_ns t, dn_results *r);
	/* Serial, after the run: summary scalars. r may be NULL. */
	DN_WUR dn_rc (*finish)(dn_world *w, dn_results *r);
	/* Optional: called with the next pending event just before the current
	 * one is handled, so the model can prefetch that event's agent state
	 * (agents are touched in random order; the miss then overlaps work). */
	void (*prefetch)(dn_part *p, const dn_event *next);
	/* Frees what init allocated beyond the engine-owned memory. */
	void (*fini)(dn_world *w);
	/* Optional: fills *out (zeroed by the caller) from the resolved
	 * scenario, before any world exists, allocating nothing large; adds
	 * the engine's share with dn_engine_estimate. Within about 2x of the
	 * measured peak (docs/performance.md). */
	DN_WUR dn_rc (*estimate)(const dn_scenario *s, dn_estimate *out);
	/* Optional: a hash of everything the run recorded, combined in a fixed
	 * order. Equal runs give equal hashes, so runs at different thread
	 * counts are compared with one number. Called after dn_world_run. */
	uint64_t (*fingerprint)(dn_world *w);
	/* Optional: fills *out (zeroed by the caller) after dn_world_run. */
	void (*summary)(dn_world *w, dn_model_summary *out);
	/* Optional: every series and summary scalar a run of the resolved
	 * scenario s writes, without building anything, so `expect:` blocks
	 * are checked before a run (the program adds its own summaries). A
	 * model without it has its names checked after the run. */
	void (*names)(const dn_scenario *s, dn_name_fn emit, void *ctx);
} dn_model;

/* Engine parameters (sim.*), for the registry. */
const dn_param_def *dn_engine_params(size_t *n);

/*
 * For estimates: adds the engine's share of a run of model m to
 * e->engine_bytes: the partitions (with m's per-partition state), `pending`
 * events at the peak (bounded by sim.max_pending_per_partition) and
 * `crossing` of them held in outboxes at a window's end. Names
 * sim.partitions as a driver when the partitions alone are large.
 */
void dn_engine_estimate(const dn_model *m, const dn_scenario *s, double pending, double crossing,
                        dn_estimate *e);
/* Bytes one pending event takes, growth room included. */
double dn_engine_event_bytes(void);
/* Sample points of a run: one per sim.sample_interval_s and the end. */
double dn_engine_samples(const dn_scenario *s);

/*
 * The thread count sim.threads = 0 (and --threads 0) stands for: the cores
 * that are free now, at least 1, at most omp_get_max_threads(). Free cores
 * are measured from /proc/stat over about 50 ms (the idle share of every
 * core's time, rounded); where that cannot be read, all of them. Threads
 * never change results, only how fast they come (docs/engine.md).
 */
int dn_engine_auto_threads(void);
/* Appends a driver to e (ignored past DN_ESTIMATE_DRIVERS). */
void dn_estimate_driver_add(dn_estimate *e, const char *param, double value, double bytes,
                            double bytes_per_unit, const char *unit);

/* Run statistics, filled by dn_world_run. */
/* A window whose predecessor handled fewer events than this runs its
 * partitions on the main thread; from this size on, the engine measures
 * which way is faster on this machine now (docs/engine.md, Threads).
 * Results are the same either way. */
#ifndef DN_PAR_MIN_EVENTS
#define DN_PAR_MIN_EVENTS 64
#endif

typedef struct dn_run_stats {
	uint64_t events;      /* events processed */
	uint64_t remote;      /* events that crossed partitions */
	uint64_t windows;     /* synchronisation windows */
	uint64_t serial_windows; /* of a multi-partition run, run on one thread (machine-dependent: too
	                          * few events, one thread, or measured faster so) */
	size_t pending_max;   /* largest total pending-event count seen at a window boundary */
	double wall_s;        /* wall time of the run loop */
} dn_run_stats;

/* Progress callback, called from the main thread after each window. */
typedef void (*dn_progress_fn)(void *ctx, dn_time_ns now, dn_time_ns end, uint64_t events);

/*
 * Creates a world for `model` from a resolved scenario (which must outlive
 * the world): reads sim.*, calls model->init, allocates partitions and
 * calls part_init. threads <= 0 means sim.threads. On failure *out is NULL
 * and err says why.
 */
DN_WUR dn_rc dn_world_new(const dn_model *model, const dn_scenario *s, int threads,
                          dn_world **out, char *err, size_t errlen);
void dn_world_free(dn_world *w);

/*
 * Runs to sim.end_time_s, recording into r (may be NULL). `stop` is polled
 * at every window boundary; when it becomes nonzero the run ends with
 * DN_EINTERRUPTED. On error err says why (which partition, what).
 */
DN_WUR dn_rc dn_world_run(dn_world *w, dn_results *r, dn_progress_fn progress, void *ctx,
                          volatile const int *stop, dn_run_stats *stats,
                          char *err, size_t errlen);

/* ---- for models: world ---- */
void *dn_world_model(dn_world *w);
const dn_scenario *dn_world_scenario(const dn_world *w);
uint64_t dn_world_seed(const dn_world *w);
unsigned dn_world_nparts(const dn_world *w);
dn_part *dn_world_part(dn_world *w, unsigned i);
int dn_world_threads(const dn_world *w);
/*
 * The threads the last window ran on: dn_world_threads() when the engine
 * ran it on all of them, 1 when it ran serially (one partition, a window of
 * a few events, or the measured choice, parpick.h) or before the first
 * window. A model's own parallel region between windows (its block step)
 * sized by this gains where the windows gain, and waits on no core the
 * engine found busy with another process.
 */
int dn_world_threads_now(const dn_world *w);
dn_time_ns dn_world_end(const dn_world *w);
/* Minimum delay of any cross-partition event; must be > 0 when nparts > 1. */
void dn_world_set_lookahead(dn_world *w, dn_time_ns lookahead_ns);
/* Adds n agents of a kind, split into contiguous blocks over the partitions. */
DN_WUR dn_rc dn_world_add_kind(dn_world *w, const dn_kind_def *def, uint64_t n, int *kind);
dn_store *dn_world_store(dn_world *w, int kind);
/* Bytes of agent state per agent, summed over kinds (weighted by count). */
double dn_world_bytes_per_agent(const dn_world *w);
/* The partition that owns agent a of a kind, and a partition's range [begin, end). */
unsigned dn_world_part_of(const dn_world *w, int kind, uint64_t a);
void dn_world_part_range(const dn_world *w, int kind, unsigned part, uint64_t *begin, uint64_t *end);
void dn_world_set_error(dn_world *w, const char *fmt, ...) DN_PRINTF(2, 3);

/* ---- for models: partitions (inside handlers) ---- */
void *dn_part_model(dn_part *p);
unsigned dn_part_index(const dn_part *p);
dn_world *dn_part_world(dn_part *p);
dn_time_ns dn_part_now(const dn_part *p);
size_t dn_part_pending(const dn_part *p);
/* A GSL generator owned by the partition; bind it to a stream before use. */
gsl_rng *dn_part_gsl(dn_part *p);

/*
 * Schedules an event at time t for agent dst in partition dst_part.
 * Local events need t >= now; remote ones t >= now + lookahead
 * (DN_ECAUSALITY otherwise). DN_ELIMIT when a queue bound is hit.
 */
DN_WUR dn_rc dn_send(dn_part *p, dn_time_ns t, unsigned dst_part, uint32_t dst,
                     uint16_t type, uint16_t aux, uint64_t data);

/* Records a handler error with context; the handler then returns its rc. */
void dn_part_set_error(dn_part *p, const char *fmt, ...) DN_PRINTF(2, 3);

#endif
