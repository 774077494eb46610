/*
 * results.h: the run recorder, one HDF5 file per run.
 *
 * Layout (docs/hdf5-schema.md is the reference):
 *   /config            group; attributes: version, seed, git_revision,
 *                      threads, created (UTC, ISO 8601); dataset
 *                      /config/scenario: the resolved scenario, YAML text
 *   /series/<name>     1-D compound dataset {t_ns: int64, value: float64
 *                      or int64}, chunked, shuffle+deflate; attributes
 *                      units, description, time_units ("ns")
 *   /summary/<name>    scalar float64 or int64 dataset; attributes units,
 *                      description
 *
 * The file is written to "<path>.tmp-<host>-<pid>" beside the target and renamed
 * onto the target only by dn_results_close(r, true). dn_results_close(r,
 * false), an error, or a crash leaves no file at the target path (and
 * close(false) removes the temporary). An existing file at the target is
 * replaced only at the successful rename.
 *
 * Not thread-safe: call from one thread (the engine records at window
 * boundaries, outside parallel regions).
 */
#ifndef DN_RESULTS_H
#define DN_RESULTS_H

#include <stdbool.h>

#include "dn_base.h"

typedef struct dn_results dn_results;

typedef enum dn_value_type { DN_VT_F64, DN_VT_I64 } dn_value_type;

/*
 * Call once at program start, before any other function here: keeps the
 * HDF5 library from tidying up at exit. After a failed write HDF5 1.10.8
 * can leave a freed file registered, and its exit handler then crashes the
 * process (see res_defuse in results.c); every file is closed explicitly,
 * so nothing is lost by skipping that handler.
 */
void dn_results_process_init(void);

/* Writes the temporary's name for target `path` and process `pid` into
 * buf; returns what snprintf returns (>= len: did not fit). */
int dn_results_tmp_name(const char *path, long pid, char *buf, size_t len);

/*
 * Removes the temporaries that runs on this host left beside `path` (in
 * its folder, any target) when their process no longer exists: a run
 * killed by SIGKILL or a power cut cannot clean up after itself. Only
 * files named "<name>.tmp-<this host>-<pid>" that are empty or start with
 * the HDF5 signature are touched; a live process's temporary, another
 * host's (a shared cluster file system) and anything else are left alone.
 * note (may be NULL) is told of each removal (err 0) or failure (errno).
 * Returns how many were removed.
 */
size_t dn_results_clean_stale(const char *path,
                              void (*note)(void *ctx, const char *file, long pid, int err),
                              void *ctx);

/* Creates the temporary file. On failure *out is NULL and err says why. */
DN_WUR dn_rc dn_results_open(const char *path, dn_results **out, char *err, size_t errlen);

/* Writes /config. Call once. git_revision may be "unknown". */
DN_WUR dn_rc dn_results_write_config(dn_results *r, const char *scenario_yaml,
                                     const char *version, uint64_t seed,
                                     const char *git_revision, int threads);

/*
 * Declares a series; *id receives its handle for appends. Names are
 * [A-Za-z0-9_] only; a duplicate name is DN_EINVAL.
 */
DN_WUR dn_rc dn_results_series(dn_results *r, const char *name, dn_value_type vt,
                               const char *units, const char *description, int *id);

/* Adds a text attribute `key` ([A-Za-z0-9_]) = value (at most 255 bytes)
 * to a declared series (how it was aggregated, at which interval). */
DN_WUR dn_rc dn_results_series_attr(dn_results *r, int id, const char *key, const char *value);

/*
 * Appends one sample. Buffered in memory and written in chunks; t_ns
 * must not decrease within a series (DN_EINVAL otherwise).
 */
DN_WUR dn_rc dn_results_append_f64(dn_results *r, int id, dn_time_ns t, double v);
DN_WUR dn_rc dn_results_append_i64(dn_results *r, int id, dn_time_ns t, int64_t v);

/* Scalars under /summary. A duplicate name is DN_EINVAL. */
DN_WUR dn_rc dn_results_summary_f64(dn_results *r, const char *name, double v,
                                    const char *units, const char *description);
DN_WUR dn_rc dn_results_summary_i64(dn_results *r, const char *name, int64_t v,
                                    const char *units, const char *description);

/*
 * Flushes and closes. commit=true renames the temporary onto the target
 * (DN_EIO/DN_EHDF5 if that fails, and then nothing is at the target);
 * commit=false discards it. Frees r in every case. r may be NULL.
 */
dn_rc dn_results_close(dn_results *r, bool commit);

/*
 * Additions (not in the first contract):
 *
 * dn_results_close_err is dn_results_close that also copies the reason for
 * a failure into err (errlen bytes, always NUL-terminated; may be NULL).
 *
 * dn_results_errmsg is the one-line reason for the last failed call on r
 * (write_config, series, append, summary), "" if none. The string belongs
 * to r and is valid until the next call on r.
 *
 * Notes on the calls above: units and description may be NULL (stored as
 * ""); units are at most 63 bytes and descriptions 255 (DN_EINVAL
 * otherwise), so they read back whole into dn_series_data. After DN_EHDF5
 * or DN_EIO from a write the recorder keeps returning that code and
 * close(r, true) discards the file; DN_EINVAL and DN_ENOMEM leave it usable.
 */
DN_WUR dn_rc dn_results_close_err(dn_results *r, bool commit, char *err, size_t errlen);
const char *dn_results_errmsg(const dn_results *r);

/* ---- reading (plot command, tests) ---- */

typedef struct dn_series_data {
	char name[128];
	char units[64];
	char description[256];
	dn_value_type vt;
	size_t n;
	int64_t *t_ns;  /* n entries, malloc'd */
	double *value;  /* n entries, malloc'd; int64 series converted */
	int64_t *ivalue;/* n entries for DN_VT_I64 series, else NULL */
} dn_series_data;

/*
 * Reads every dataset under /series of a results file, in name order.
 * *out is a malloc'd array of *n entries; free with dn_series_data_free.
 */
DN_WUR dn_rc dn_results_read_series(const char *path, dn_series_data **out, size_t *n,
                                    char *err, size_t errlen);
void dn_series_data_free(dn_series_data *s, size_t n);

#endif
