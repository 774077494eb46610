/*
 * memcheck.h: what `dnetsim run` checks after loading the scenario and
 * before building anything: that the run's memory (the model's estimate,
 * dn_model.estimate, plus the process's own) fits in what the machine has,
 * and that its results file fits on the output folder's disk. A run that
 * cannot fit is refused in well under a second instead of grinding into
 * the OOM killer; --force runs it anyway, after a warning.
 *
 * Thresholds (docs/performance.md, "Memory estimate"):
 *  - memory: refused when the estimate exceeds what is available; a
 *    warning above 80 % of it. Available is the least of MemAvailable
 *    (/proc/meminfo; else free physical pages), RLIMIT_AS and RLIMIT_DATA
 *    less what the process already maps, the cgroup's memory.max (v2) or
 *    memory.limit_in_bytes (v1) less its unreclaimable use, and
 *    DNETSIM_MEMORY_LIMIT (bytes, K/M/G/T suffixes: a cap for shared
 *    machines and tests).
 *  - results: rows x series x 16 bytes before compression. A warning when
 *    that exceeds 1 GiB or a series gets more than 10^7 samples (each
 *    sample point also ends a synchronisation window: slow); refused when
 *    even 32x compression (HDF5 deflate reached 11-21x on our series) would
 *    not fit in the output folder's free space.
 * Samples are streamed to the file in chunks, so they cost disk, not
 * memory: the recorder's buffers are counted in the memory estimate.
 */
#ifndef DN_CLI_MEMCHECK_H
#define DN_CLI_MEMCHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"

/* What a run will need: the model's estimate plus the process's share. */
typedef struct dn_cli_need {
	bool known;         /* the model has an estimate (else only sample points are checked) */
	dn_estimate est;    /* the model's */
	double mem_bytes;   /* the whole process at its peak */
	double file_bytes;  /* results, before compression */
	double samples;     /* the engine's sample points */
} dn_cli_need;

/* What the machine offers; a figure < 0 is unknown and not checked. */
typedef struct dn_cli_avail {
	double mem_bytes;
	const char *mem_source; /* "MemAvailable", "RLIMIT_AS", "cgroup memory.max", ... */
	double disk_bytes;      /* free space in the output folder */
	const char *bad_limit;  /* DNETSIM_MEMORY_LIMIT when it is not a size (ignored), else NULL */
} dn_cli_avail;

/* The need of a run of model m over scenario s on `threads` threads
 * (<= 0: sim.threads, then the online cores). OUT *out. Errors are the
 * model's estimate's. */
DN_WUR dn_rc dn_cli_mem_need(const dn_model *m, const dn_scenario *s, int threads, dn_cli_need *out);

/* What this machine offers a process writing to out_path (NULL: no disk
 * figure). OUT *out; never fails (unknown figures are < 0). */
void dn_cli_mem_avail(const char *out_path, dn_cli_avail *out);

/*
 * Compares need with avail and reports on err: a refusal (returns 2, the
 * usage exit code: nothing ran), or with force a warning and 0; advisory
 * warnings (results size, sample count, memory above 80 %) unless quiet.
 * out_path only names the folder in messages (may be NULL).
 */
int dn_cli_mem_decide(const dn_cli_need *need, const dn_cli_avail *avail, const dn_scenario *s,
                      bool force, bool quiet, const char *out_path, FILE *err);

/* All three, for `dnetsim run`: 0 to go on, else the exit code. */
int dn_cli_mem_check(const dn_model *m, const dn_scenario *s, int threads, bool force, bool quiet,
                     const char *out_path, FILE *err);

#endif
