/*
 * scenario.h: scenario files (YAML, libyaml) resolved against the registry.
 *
 * A scenario file is a YAML mapping whose nested keys spell parameter
 * names: `sim: {end_time_s: 10}` sets "sim.end_time_s". A dotted key at
 * any level is accepted too (`sim.end_time_s: 10`). A top-level
 * `include:` (a path or a list of paths, relative to the including file)
 * loads base files first; the including file's values override them, and
 * later includes override earlier ones. Command-line overrides
 * ("a.b=3", as given to --set) are applied last. Every value is checked
 * against the registry; anything not given takes its default. Quoted
 * scalars are strings, so "3" is refused for a number or bool; an explicit
 * YAML tag must name the parameter's own type (!!int, !!float, !!bool,
 * !!str for strings and enums; `!!str 3` is refused for an int). Files
 * must be regular and are read by content up to 16 MiB (files in /proc
 * report size 0).
 *
 * Errors name the place: "FILE:LINE:COLUMN: PARAM: what was expected"
 * ("<command line>:1:COLUMN" for --set overrides), one line per error
 * (see dn_scenario_load). On any error nothing is returned and the caller
 * must not run.
 *
 * The shapes, one line each (LINE and COLUMN count from 1):
 *   a.yaml:3:14: sim.end_time_s: must be between 1 and 1000 (got 0)
 *   a.yaml:2:3: unknown parameter 'sim.end_tme_s'; did you mean 'sim.end_time_s'?
 *   a.yaml:4:1: duplicate key 'sim' (first at line 1, column 1)
 *   a.yaml:1:10: include: cannot read 'dir/base.yaml': No such file or directory
 *   <command line>:1:10: --set 'sim.seed=x': sim.seed: expected an integer (got 'x')
 * For --set, COLUMN counts bytes within that one override (1 for a missing
 * '=' or an unknown name, the value's first byte for a bad value) and the
 * override is quoted. A top-level file that cannot be opened is reported
 * as "PATH: cannot read the scenario file: REASON" (no position exists).
 * Override values are taken literally (no YAML quoting, tags or null),
 * with the same number syntax as files. Messages quote a key only when it
 * could be a parameter name ([a-z0-9_.], at most 64 bytes), so including
 * a file that is no scenario never echoes its text:
 *   /etc/shadow:1:1: unknown parameter (the key is not shown: it is not a parameter name)
 */
#ifndef DN_SCENARIO_H
#define DN_SCENARIO_H

#include <stdarg.h>
#include <stdbool.h>

#include "dn_base.h"
#include "params.h"

typedef struct dn_scenario dn_scenario;

/*
 * Blocks. A top-level `sweep:`, `expect:` or `tune:` key of the top-level
 * file holds no parameters: the loader keeps its value as a tree (aliases
 * expanded, at most a million nodes, 64 deep) for the command that reads
 * it (sweep.h, expect.h, tune.h). It refuses a `sweep:` in an included
 * file and ignores an `expect:` or `tune:` there (they belong to the file
 * that holds them). Every node says where it
 * stood (file, 1-based line and column) so that command's errors name the
 * place like the loader's.
 */
enum { DN_SCN_BLOCKS = 3 };
typedef enum dn_ynode_kind { DN_YN_SCALAR, DN_YN_SEQ, DN_YN_MAP } dn_ynode_kind;
typedef struct dn_ynode {
	dn_ynode_kind kind;
	const char *text;  /* scalar: its value, NUL-terminated (len bytes) */
	size_t len;
	bool plain;        /* scalar: written without quotes or tag */
	const char *file;  /* lives as long as the scenario */
	int line, col;
	size_t n;               /* sequence: items; mapping: pairs */
	struct dn_ynode *items; /* sequence: n items; mapping: 2n, key then value */
} dn_ynode;

/* The block `name` ("sweep") of the top-level file, or NULL if it has none. */
const dn_ynode *dn_scenario_block(const dn_scenario *s, const char *name);
/* "; did you mean 'sim.end_time_s'?" for a near miss of a registered
 * name (or a section of one), else "". */
void dn_scenario_suggest(const dn_registry *reg, const char *name, char *buf, size_t buflen);
/* The same among the names cands[0..n) (metric names): "; did you mean
 * 'x'?" or "". */
void dn_suggest_among(const char *name, const char *const *cands, size_t n, char *buf, size_t buflen);
/* For a block's reader: appends "FILE:LINE:COL: BLOCK: <message>" (the
 * place of node at) as one line of the error text err (dn_err_append). */
void dn_ynode_errv(char *err, size_t errlen, size_t *used, const char *block, const dn_ynode *at,
                   const char *fmt, va_list ap);
/* "a mapping", "a list", "a scalar". */
const char *dn_ynode_kind_name(const dn_ynode *y);
/* The value of scalar key `key` in a mapping node, or NULL. */
const dn_ynode *dn_ynode_get(const dn_ynode *map, const char *key);

/*
 * Loads `path` (NULL: no file, defaults plus overrides only), applies the
 * n_overrides "name=value" strings, validates and resolves every
 * parameter. On success *out owns a new scenario (free with
 * dn_scenario_free). On failure *out is NULL and err holds the errors,
 * one per line (no trailing newline), each naming file:line:column, the
 * parameter and what was expected. The load goes on after a mistake in
 * one key or override, so every independent error of a file (and of the
 * overrides) is reported at once, in file order, the include's before the
 * including file's; a YAML syntax error, an unreadable file or a limit
 * stops there. At most 50 lines are written, and only whole lines that fit
 * (the first is always written, cut to fit); then "... and N more errors".
 * The code returned is the first error's. Include depth is bounded (16)
 * and cycles are errors.
 */
DN_WUR dn_rc dn_scenario_load(const dn_registry *reg, const char *path,
                              const char *const *overrides, size_t n_overrides,
                              dn_scenario **out, char *err, size_t errlen);

/* Same, from YAML text in memory; `name` is used in error messages. */
DN_WUR dn_rc dn_scenario_load_string(const dn_registry *reg, const char *name,
                                     const char *yaml_text,
                                     const char *const *overrides, size_t n_overrides,
                                     dn_scenario **out, char *err, size_t errlen);

void dn_scenario_free(dn_scenario *s);

/*
 * Typed getters. The name must be a registered parameter of that type:
 * asking for an unknown name or the wrong type is a programming error
 * and aborts with a message.
 */
int64_t dn_scn_int(const dn_scenario *s, const char *name);
double dn_scn_float(const dn_scenario *s, const char *name);
bool dn_scn_bool(const dn_scenario *s, const char *name);
const char *dn_scn_str(const dn_scenario *s, const char *name); /* string and enum */

/* True when the value came from a file or override rather than the default. */
bool dn_scn_is_set(const dn_scenario *s, const char *name);

/*
 * Where the value of `name` was set: the file name (or "<command line>"),
 * with *line and *column (OUT, 1-based) of the value, or NULL (line and
 * column 0) when it holds its default. The string lives as long as the
 * scenario. An unknown name aborts like the getters.
 */
const char *dn_scn_where(const dn_scenario *s, const char *name, int *line, int *column);

/*
 * The fully resolved scenario as YAML text: every registered parameter,
 * nested by its dotted name, in name order, defaults included, with the
 * unit as a comment. Loading this text again gives the same values.
 * Returns a malloc'd string (caller frees) or NULL when out of memory.
 */
char *dn_scenario_to_yaml(const dn_scenario *s);

/*
 * The files the scenario was read from: index 0 is the top-level file,
 * then every include, as paths from the working directory (the name
 * "<command line>" may appear among them; it is no file). The strings live
 * as long as the scenario.
 */
size_t dn_scenario_n_sources(const dn_scenario *s);
const char *dn_scenario_source(const dn_scenario *s, size_t i);

#endif
