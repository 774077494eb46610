/*
 * sweepfile.h: one HDF5 file per sweep, gathered from its members' own
 * results files (docs/hdf5-schema.md, "Sweep files", is the reference).
 *
 *   /config            @version @git_revision @created @design @seed
 *                      @seeds @replicates @n_points @n_members; datasets
 *                      scenario (the sweep's file as written) and base
 *                      (the resolved base scenario, YAML)
 *   /members/          one row per member, in member order: index, point,
 *                      replicate, seed, status, reason, wall_s, worker;
 *                      param/<name> (the member's value); summary/<name>
 *                      (the member's /summary scalar: NaN, or INT64_MIN
 *                      for an integer, when the member is not complete)
 *   /points/           one row per point: param/<name>; mean/, sd/,
 *                      ci95_lo/, ci95_hi/, count/ <summary name> over the
 *                      point's complete replicates
 *   /series/<name>/    t_ns (the longest member's times) and value
 *                      [member][row] (NaN / INT64_MIN where a member has
 *                      no value)
 *
 * The file is written whole to a temporary beside the target and renamed
 * onto it, so a reader (or a crash) only ever sees a complete file. It
 * holds nothing that depends on the order members ran in but wall_s,
 * worker, the members' own timing summaries and @created.
 */
#ifndef DN_SWEEPFILE_H
#define DN_SWEEPFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "dn_base.h"
#include "sweep.h"

typedef enum dn_member_status {
	DN_MEMBER_PENDING = 0,
	DN_MEMBER_COMPLETE = 1,
	DN_MEMBER_FAILED = 2
} dn_member_status;

typedef struct dn_member_state {
	dn_member_status status;
	double wall_s;     /* the member's run, seconds (0 when unknown) */
	char worker[64];   /* "local/2", "rank 3" */
	char reason[256];  /* failed: why */
	char *file;        /* complete: its results file (owned by the caller) */
} dn_member_state;

/*
 * What the file takes from the members' own files, read once per member
 * and kept (summary values, 8 bytes per member and summary; the series'
 * names and lengths), so rewriting the file as members finish costs no
 * re-reading. dn_sweepfile_write fills it with the complete members it
 * has not read yet.
 */
typedef struct dn_sweepcache dn_sweepcache;
dn_sweepcache *dn_sweepcache_new(uint64_t n_members);
void dn_sweepcache_free(dn_sweepcache *c);
/* Reads member m's results file at path into the cache (once). */
DN_WUR dn_rc dn_sweepcache_add(dn_sweepcache *c, uint64_t m, const char *path, char *err, size_t errlen);

typedef struct dn_sweepfile_meta {
	const char *scenario_text; /* the sweep's scenario file as written */
	const char *base_yaml;     /* the resolved base scenario */
	const char *version;
	const char *git_revision;
	bool series;               /* gather the members' series */
	dn_sweepcache *cache;      /* NULL: read every complete member now */
} dn_sweepfile_meta;

/*
 * Writes the sweep file at path from the members' states (n_members of
 * sw) and the results files of the complete ones. On failure nothing is
 * at path but what was there before, and err says why.
 */
DN_WUR dn_rc dn_sweepfile_write(const char *path, const dn_sweep *sw, const dn_sweepfile_meta *meta,
                                const dn_member_state *mem, char *err, size_t errlen);

/*
 * A member's series packed for gathering: every series of the results
 * file at `results`, concatenated into a few datasets of the file at
 * `pack` (written to a temporary and renamed), so the sweep reads a
 * member in a few calls instead of one per series. The member's own
 * process makes it, in parallel with the others; a missing or unreadable
 * pack only means the sweep reads the results file itself.
 */
DN_WUR dn_rc dn_sweepfile_pack(const char *results, const char *pack, char *err, size_t errlen);
/* The pack's name for a results file: "m000012.h5" -> "m000012.rows.h5". */
void dn_sweepfile_pack_name(const char *results, char *buf, size_t len);

/*
 * The resolved scenario a results file was made from (its
 * /config/scenario), malloc'd into *text. DN_EHDF5 when the file is no
 * complete results file.
 */
/* One /summary scalar of a results file. */
typedef struct dn_summary_val {
	char name[128];
	bool is_int;
	int64_t i;
	double f;
	char units[64];
	char desc[256];
} dn_summary_val;

/* Every /summary scalar of the results file at path, in name order:
 * *out malloc'd (free it), *n entries. */
DN_WUR dn_rc dn_results_read_summaries(const char *path, dn_summary_val **out, size_t *n, char *err, size_t errlen);

DN_WUR dn_rc dn_results_read_scenario(const char *path, char **text, char *err, size_t errlen);

/*
 * Whether the sweep file at path holds the same members as sw (design,
 * every member's parameter values and seed). DN_OK: same; DN_EINVAL: err
 * says the first difference; other codes: the file cannot be read.
 */
DN_WUR dn_rc dn_sweepfile_same(const char *path, const dn_sweep *sw, char *err, size_t errlen);

/*
 * Whether the sweep file at path (of n_members) marks every member
 * complete (*complete) and holds their series (*series). DN_EHDF5 when it
 * cannot be read as a sweep file of that size.
 */
DN_WUR dn_rc dn_sweepfile_finished(const char *path, uint64_t n_members, bool *complete, bool *series);

#endif
