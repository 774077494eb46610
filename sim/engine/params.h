/*
 * params.h: the parameter registry.
 *
 * Every tunable of a run is declared once, here or in a model's table:
 * a dotted name, a type, a unit, a default, an allowed range and one line
 * of documentation. The scenario loader (scenario.h) accepts only names in
 * the registry, checks types and ranges against it, and fills in defaults.
 * `dnetsim params` prints it. The registry holds pointers to the caller's
 * definition tables (usually static const arrays); it copies nothing.
 */
#ifndef DN_PARAMS_H
#define DN_PARAMS_H

#include <stdbool.h>
#include <stdio.h>

#include "dn_base.h"

typedef enum dn_param_type {
	DN_PT_INT,    /* int64; min/max inclusive, min rounded up and max down to integers,
	                 2^63 (INT64_MAX as a double) meaning INT64_MAX */
	DN_PT_FLOAT,  /* double; min/max inclusive, finite */
	DN_PT_BOOL,   /* true/false (YAML 1.1 yes/no/on/off accepted too) */
	DN_PT_STRING, /* free text; min/max bound its length in bytes */
	DN_PT_ENUM    /* one of `choices`, a '|'-separated list */
} dn_param_type;

typedef struct dn_param_def {
	const char *name;    /* dotted, lower case: "sim.end_time_s" */
	dn_param_type type;
	const char *unit;    /* "s", "ns", "DNET", "1" (dimensionless), "" for text */
	const char *def;     /* default, written as it would be in YAML */
	double min, max;     /* allowed range (see type) */
	const char *choices; /* DN_PT_ENUM only: "rr|pf" */
	const char *doc;     /* one line */
} dn_param_def;

typedef struct dn_registry dn_registry;

/* A new empty registry, or NULL when out of memory. */
dn_registry *dn_registry_new(void);
void dn_registry_free(dn_registry *reg);

/*
 * Adds n definitions. Fails with DN_EINVAL if a name is already present,
 * is malformed, or a default does not satisfy its own type and range
 * (a programming error, reported before anything runs). On failure the
 * registry is unchanged and the reason is printed to stderr.
 * Names match [a-z0-9_]+(\.[a-z0-9_]+)+, at most DN_PARAM_NAME_MAX bytes,
 * do not start with "include." (the scenario loader's key), and no name
 * lies under another ("a.b" and "a.b.c" cannot both exist: a key is either
 * a value or a section). unit and doc are one line of text; enum choices
 * are non-empty, distinct and free of spaces.
 */
DN_WUR dn_rc dn_registry_add(dn_registry *reg, const dn_param_def *defs, size_t n);

/* Number of parameters, and the i-th in name order (0 <= i < count). */
size_t dn_registry_count(const dn_registry *reg);
const dn_param_def *dn_registry_at(const dn_registry *reg, size_t i);

/* The definition with this exact name, or NULL. */
const dn_param_def *dn_registry_find(const dn_registry *reg, const char *name);

/* Prints the registry: a plain aligned table, or a Markdown table. */
void dn_registry_print(const dn_registry *reg, FILE *out, bool markdown);

/* Longest parameter name accepted by dn_registry_add, in bytes. */
#define DN_PARAM_NAME_MAX 128

/* A parsed value; the field that matters depends on the parameter's type. */
typedef struct dn_param_value {
	int64_t i;     /* DN_PT_INT */
	double f;      /* DN_PT_FLOAT */
	bool b;        /* DN_PT_BOOL */
	size_t choice; /* DN_PT_ENUM: index into the '|'-separated choices */
} dn_param_value;

/*
 * Parses `text` (len bytes, not necessarily NUL-terminated) as a value of
 * def's type and checks it against the range. These are the rules of
 * scenario files and of defaults: integers are decimal with optional '_'
 * between digits ("1_000_000") or a number in fraction or exponent form
 * that is exactly an integer ("1e6", "2.5e3"; not "1e-400"), read and
 * compared exactly, without a double in between; numbers are finite
 * decimals ("1e-3"; no .inf or .nan, nothing so close to zero that it
 * underflows to 0 or a subnormal, as "1e-400" or "1e-310" would). Neither
 * may have a leading zero ("017": octal to YAML 1.1 readers) or a 0x, 0o,
 * 0b prefix. Booleans are true/false (yes/no, on/off and capitalised forms
 * accepted); strings must be valid UTF-8 without NUL bytes, with length in
 * [min, max] bytes (max <= 0: no upper bound beyond the loader's file size
 * cap); enums are one of the choices exactly. On success fills *out (OUT; strings need no
 * storage: the caller keeps the text). On failure returns DN_ETYPE (msg:
 * "expected an integer (got '1.5')") or DN_ERANGE (msg: "must be between
 * 1 and 10 (got 0)", int bounds printed exactly; or a float underflow);
 * msg is always NUL-terminated when msglen > 0.
 */
DN_WUR dn_rc dn_param_parse(const dn_param_def *def, const char *text, size_t len,
                            dn_param_value *out, char *msg, size_t msglen);

/* What a value of this parameter looks like: "an integer", "one of: rr, pf". */
void dn_param_expected(const dn_param_def *def, char *buf, size_t buflen);

/*
 * Formats a double so that dn_param_parse reads back the same bits:
 * the shortest of %.15g, %.16g, %.17g that round-trips. buf needs 32 bytes.
 */
void dn_param_format_float(double v, char *buf, size_t buflen);

#endif
