/*
 * scenario.c: reads scenario files (YAML via libyaml's document API) and
 * --set overrides into typed values checked against the registry.
 *
 * A scenario holds one slot per registered parameter, in name order: the
 * parsed value, and where it came from (file, line, column) so later
 * messages can point at the source. Sources are applied in override order
 * (includes in order, then the file itself, then --set), each overwriting
 * the slots it sets; a parameter set twice within one source is an error.
 * This file does not know what any parameter means, and it does not handle
 * sweep or expect blocks.
 *
 * Bounds (the enum below): files of at most 16 MiB, includes nested at
 * most 16 deep, 256 files in one include list, 1024 file loads and 64 MiB
 * read in all (diamond-shaped includes could otherwise multiply), YAML
 * nested at most 64 deep, at most 1024 anchors and aliases and 64
 * directives (libyaml is quadratic in each, see dn_check_events), 1024
 * tagged scalars, and a mapping reached twice through an alias is refused:
 * the work stays linear in the size of the input.
 *
 * Messages never quote a file's text beyond what parsed as a scenario:
 * values of known parameters, and keys only when they could be parameter
 * names (dn_key_showable). An include can name any file (/etc/shadow),
 * and its first line may well be a valid YAML key.
 */
#define _POSIX_C_SOURCE 200809L /* open, fstat, strnlen */

#include "scenario.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

enum {
	DN_FILE_MAX_BYTES = 16 * 1024 * 1024,  /* one file or text */
	DN_TOTAL_BYTES_MAX = 64 * 1024 * 1024, /* all files of one scenario */
	DN_FILES_MAX = 1024,                   /* file loads per scenario, repeats included */
	DN_INCLUDE_DEPTH_MAX = 16,
	DN_INCLUDE_LIST_MAX = 256,
	DN_NEST_MAX = 64,                      /* YAML collections inside each other */
	DN_DIRECTIVES_MAX = 64,                /* "%YAML", "%TAG" lines per text */
	DN_ANCHORS_MAX = 1024,                 /* anchors plus aliases per text */
	DN_TAGS_MAX = 1024,                    /* scalars with an explicit tag per text */
	DN_KEY_SHOW_MAX = 64,                  /* longest key quoted in a message */
	DN_OVERRIDE_MAX_BYTES = 65536,         /* one --set */
	DN_SHOW_MAX = 100,                     /* bytes of user text quoted in a message */
	DN_SHOW_PATH_MAX = 200,                /* bytes of a file name quoted in a message */
	DN_YAML_OUT_MAX = 256 * 1024 * 1024,   /* dn_scenario_to_yaml output */
	DN_SUGGEST_DIST = 2,                   /* largest edit distance for "did you mean" */
	DN_ERRORS_SHOWN_MAX = 50,              /* errors written into err; the rest are counted */
	DN_ERR_TRAILER_MAX = 48,               /* room kept for "\n... and N more errors" */
	DN_ERR_LINE_MAX = 8192,                /* one error line before it is cut */
	DN_BLOCK_NODES_MAX = 1000000           /* YAML nodes in the blocks (aliases expanded) */
};

static const char dn_cmdline_name[] = "<command line>";

typedef struct dn_slot {
	const dn_param_def *def;
	dn_param_value v;
	char *str;        /* DN_PT_STRING, DN_PT_ENUM: owned, NUL-terminated */
	bool set;         /* from a file or override, not the default */
	const char *file; /* interned in dn_scenario.files; NULL for defaults */
	int line, col;    /* 1-based position of the value */
	unsigned source;  /* serial of the source that set it (0: none) */
} dn_slot;

struct dn_scenario {
	dn_slot *slots; /* one per registered parameter, in name order */
	size_t n;
	char **files; /* names of the sources, owned */
	size_t n_files, cap_files;
	dn_ynode *blocks[DN_SCN_BLOCKS]; /* `sweep:` ... of the top-level file, owned */
	size_t block_nodes;              /* nodes copied into blocks, all blocks */
};

/* The top-level keys that hold a block, not parameters (scenario.h). */
static const char *const dn_block_names[DN_SCN_BLOCKS] = {"sweep", "expect", "tune"};

/* A file on the include stack: identity for cycle detection, name for messages. */
typedef struct dn_open_file {
	dev_t dev;
	ino_t ino;
	const char *name;
} dn_open_file;

typedef struct dn_loader {
	const dn_registry *reg;
	dn_scenario *s;
	char *err;
	size_t errlen;
	size_t n_errs;   /* errors found */
	size_t n_shown;  /* of them, lines written into err */
	size_t used;     /* bytes of err written (without the NUL) */
	bool err_full;   /* no more lines fit into err */
	bool stop;       /* an error after which nothing more is looked at */
	dn_rc first_rc;  /* the code of the first error */
	unsigned abandoned; /* serial of a source whose walk stopped: it looks like no scenario */
	const void *last_node; /* where the last error was (a YAML node), to say it once */
	unsigned last_serial;  /* and in which source */
	unsigned serial; /* last source serial handed out */
	dn_open_file stack[DN_INCLUDE_DEPTH_MAX + 2];
	size_t depth;      /* entries used in stack */
	size_t n_loads;    /* files read so far */
	size_t bytes_read; /* their total size */
} dn_loader;

/* One YAML text being walked. */
typedef struct dn_source {
	const char *name; /* interned */
	const char *dir;  /* directory for relative includes ("" = cwd) */
	yaml_document_t *doc;
	unsigned char *visited; /* per node: mapping already walked */
	const size_t *tagged;   /* start_mark.index of each scalar with an explicit tag, ascending */
	size_t n_tagged;
	unsigned serial;
	size_t include_depth;
} dn_source;

/* ---- messages ---- */

static dn_rc dn_fail(dn_loader *L, dn_rc rc, const char *file, size_t line0, size_t col0,
                     const char *fmt, ...) DN_PRINTF(6, 7);
/*
 * Errors are collected: each one is a line of err (the first always, cut to
 * fit; later ones while they fit whole, up to DN_ERRORS_SHOWN_MAX), the
 * rest only counted (dn_errors_finish adds "... and N more"). Running out
 * of memory or past a limit stops the load; other errors let it go on to
 * the next key, so one pass reports every independent mistake.
 */
static dn_rc dn_add_error(dn_loader *L, dn_rc rc, const char *line)
{
	assert(rc != DN_OK);
	if (L->n_errs++ == 0)
		L->first_rc = rc;
	if (rc == DN_ENOMEM || rc == DN_ELIMIT)
		L->stop = true;
	if (!L->err || L->errlen == 0)
		return rc;
	size_t len = strlen(line);
	if (L->n_shown == 0) {
		size_t k = len < L->errlen - 1 ? len : L->errlen - 1;
		memcpy(L->err, line, k);
		L->err[k] = '\0';
		L->used = k;
		L->n_shown = 1;
		return rc;
	}
	if (L->err_full || L->n_shown >= DN_ERRORS_SHOWN_MAX ||
	    L->used + 1 + len + DN_ERR_TRAILER_MAX >= L->errlen) {
		L->err_full = true; /* later lines are not written, so the order holds */
		return rc;
	}
	L->err[L->used] = '\n';
	memcpy(L->err + L->used + 1, line, len + 1);
	L->used += 1 + len;
	L->n_shown++;
	return rc;
}

/* After the load: "... and N more errors" when not every error was written. */
static void dn_errors_finish(dn_loader *L)
{
	if (!L->err || L->errlen == 0 || L->n_errs <= L->n_shown || L->n_shown == 0)
		return;
	char tail[DN_ERR_TRAILER_MAX + 16];
	size_t more = L->n_errs - L->n_shown;
	int w = snprintf(tail, sizeof tail, "\n... and %zu more error%s", more, more == 1 ? "" : "s");
	if (w < 0 || (size_t)w >= L->errlen)
		return;
	size_t at = L->used;
	if (at + (size_t)w >= L->errlen)
		at = L->errlen - 1 - (size_t)w; /* cuts the first line (a tiny buffer) */
	memcpy(L->err + at, tail, (size_t)w + 1);
	L->used = at + (size_t)w;
}

/* Whether the walk goes on after an error with this code. */
static bool dn_go_on(const dn_loader *L, dn_rc rc)
{
	return rc == DN_OK || !L->stop;
}

static dn_rc dn_fail(dn_loader *L, dn_rc rc, const char *file, size_t line0, size_t col0,
                     const char *fmt, ...)
{
	assert(rc != DN_OK);
	char line[DN_ERR_LINE_MAX];
	unsigned long ln = line0 < (size_t)INT_MAX ? (unsigned long)line0 + 1 : (unsigned long)INT_MAX;
	unsigned long col = col0 < (size_t)INT_MAX ? (unsigned long)col0 + 1 : (unsigned long)INT_MAX;
	int w = snprintf(line, sizeof line, "%s:%lu:%lu: ", file, ln, col);
	if (w < 0) {
		line[0] = '\0';
	} else if ((size_t)w < sizeof line) {
		va_list ap;
		va_start(ap, fmt);
		int w2 = vsnprintf(line + w, sizeof line - (size_t)w, fmt, ap);
		va_end(ap);
		if (w2 < 0)
			line[w] = '\0';
	}
	return dn_add_error(L, rc, line);
}

static dn_rc dn_fail_at(dn_loader *L, dn_rc rc, const dn_source *src, const yaml_node_t *node,
                        const char *fmt, ...) DN_PRINTF(5, 6);
static dn_rc dn_fail_at(dn_loader *L, dn_rc rc, const dn_source *src, const yaml_node_t *node,
                        const char *fmt, ...)
{
	/* A value reached twice through a YAML alias is reported once. */
	if (L->n_errs && L->last_node == node && L->last_serial == src->serial)
		return rc;
	L->last_node = node;
	L->last_serial = src->serial;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (w < 0)
		msg[0] = '\0';
	return dn_fail(L, rc, src->name, node->start_mark.line, node->start_mark.column, "%s", msg);
}

/* User text for a message: printable ASCII, cut to fit buf ("..." marks a cut). */
static void dn_show(const char *text, size_t len, char *buf, size_t buflen)
{
	assert(buflen > 8);
	size_t max = buflen - 4;
	size_t k = 0;
	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)text[i];
		buf[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > max) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
}

/*
 * Whether a key from a file may be quoted: only when it could be a
 * parameter name ([a-z0-9_.], short). Anything else may be content of a
 * file that is no scenario at all, e.g. the first line of an included
 * /etc/shadow, which YAML reads as a key.
 */
static bool dn_key_showable(const char *k, size_t len)
{
	if (len > DN_KEY_SHOW_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* ---- the scenario ---- */

static const char *dn_intern(dn_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i], name) == 0)
			return s->files[i];
	if (s->n_files == s->cap_files) {
		size_t cap = s->cap_files ? 2 * s->cap_files : 8;
		char **f = realloc(s->files, cap * sizeof *f);
		if (!f)
			return NULL;
		s->files = f;
		s->cap_files = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return NULL;
	s->files[s->n_files++] = copy;
	return copy;
}

static void dn_ynode_free(dn_ynode *y)
{
	if (!y)
		return;
	size_t n = y->kind == DN_YN_MAP ? 2 * y->n : y->kind == DN_YN_SEQ ? y->n : 0;
	for (size_t i = 0; i < n; i++) {
		dn_ynode *c = &y->items[i];
		if (c->kind == DN_YN_SCALAR)
			free((char *)c->text);
		else
			dn_ynode_free(c);
	}
	free(y->items);
}

static void dn_ytree_free(dn_ynode *y)
{
	if (!y)
		return;
	if (y->kind == DN_YN_SCALAR)
		free((char *)y->text);
	else
		dn_ynode_free(y);
	free(y);
}

void dn_scenario_free(dn_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < DN_SCN_BLOCKS; i++)
		dn_ytree_free(s->blocks[i]);
	for (size_t i = 0; i < s->n; i++)
		free(s->slots[i].str);
	free(s->slots);
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i]);
	free(s->files);
	free(s);
}

/* Stores a parsed value in a slot (text is the value's text, for strings). */
static dn_rc dn_slot_store(dn_slot *slot, const dn_param_value *v, const char *text, size_t len)
{
	char *str = NULL;
	if (slot->def->type == DN_PT_STRING || slot->def->type == DN_PT_ENUM) {
		str = malloc(len + 1);
		if (!str)
			return DN_ENOMEM;
		memcpy(str, text, len);
		str[len] = '\0';
	}
	free(slot->str);
	slot->str = str;
	slot->v = *v;
	return DN_OK;
}

/* A scenario with every parameter at its default. */
static dn_rc dn_scenario_new(const dn_registry *reg, dn_scenario **out)
{
	*out = NULL;
	dn_scenario *s = calloc(1, sizeof *s);
	if (!s)
		return DN_ENOMEM;
	s->n = dn_registry_count(reg);
	s->slots = calloc(s->n ? s->n : 1, sizeof *s->slots);
	if (!s->slots) {
		free(s);
		return DN_ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {
		dn_slot *slot = &s->slots[i];
		slot->def = dn_registry_at(reg, i);
		dn_param_value v;
		char msg[256];
		size_t len = strlen(slot->def->def);
		dn_rc rc = dn_param_parse(slot->def, slot->def->def, len, &v, msg, sizeof msg);
		/* dn_registry_add checked every default. */
		assert(rc == DN_OK);
		if (rc == DN_OK)
			rc = dn_slot_store(slot, &v, slot->def->def, len);
		if (rc != DN_OK) {
			dn_scenario_free(s);
			return rc == DN_ENOMEM ? DN_ENOMEM : DN_EINVAL;
		}
	}
	*out = s;
	return DN_OK;
}

static dn_slot *dn_slot_find(const dn_scenario *s, const char *name)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->slots[mid].def->name, name);
		if (c == 0)
			return &s->slots[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* True when some registered name starts with "prefix." (prefix is a section). */
static bool dn_is_section(const dn_registry *reg, const char *prefix, size_t plen)
{
	size_t lo = 0, hi = dn_registry_count(reg);
	/* First name not less than prefix. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(dn_registry_at(reg, mid)->name, prefix, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Names starting with prefix are contiguous from lo; '.' sorts first among them. */
	for (size_t i = lo; i < dn_registry_count(reg); i++) {
		const char *name = dn_registry_at(reg, i)->name;
		if (strncmp(name, prefix, plen) != 0)
			return false;
		if (name[plen] == '.')
			return true;
		if (name[plen] != '\0')
			return false;
	}
	return false;
}

/* ---- "did you mean" ---- */

/* Levenshtein distance, or DN_SUGGEST_DIST + 1 when larger. */
static size_t dn_edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	if (la > DN_PARAM_NAME_MAX || lb > DN_PARAM_NAME_MAX)
		return DN_SUGGEST_DIST + 1;
	if ((la > lb ? la - lb : lb - la) > DN_SUGGEST_DIST)
		return DN_SUGGEST_DIST + 1;
	size_t prev[DN_PARAM_NAME_MAX + 1], cur[DN_PARAM_NAME_MAX + 1];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		size_t row_min = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t m = sub < del ? sub : del;
			cur[j] = m < ins ? m : ins;
			if (cur[j] < row_min)
				row_min = cur[j];
		}
		if (row_min > DN_SUGGEST_DIST)
			return DN_SUGGEST_DIST + 1;
		memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
	}
	return prev[lb];
}

/*
 * The registered name or section closest to `name` within DN_SUGGEST_DIST
 * edits, as "; did you mean 'x'?" in buf, or "" when none is close.
 */
static void dn_suggest(const dn_registry *reg, const char *name, char *buf, size_t buflen)
{
	buf[0] = '\0';
	size_t ln = strnlen(name, DN_PARAM_NAME_MAX + 1);
	if (ln > DN_PARAM_NAME_MAX)
		return;
	size_t best = DN_SUGGEST_DIST + 1;
	const char *best_name = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < dn_registry_count(reg); i++) {
		const char *cand = dn_registry_at(reg, i)->name;
		size_t lc = strlen(cand);
		/* Each section prefix, then the full name. */
		for (size_t k = 1; k <= lc; k++) {
			if (k < lc && cand[k] != '.')
				continue;
			size_t d = dn_edit_distance(name, ln, cand, k);
			if (d > 0 && d < best && d < ln) {
				best = d;
				best_name = cand;
				best_len = k;
			}
		}
	}
	if (best_name) {
		int w = snprintf(buf, buflen, "; did you mean '%.*s'?", (int)best_len, best_name);
		if (w < 0)
			buf[0] = '\0';
	}
}

void dn_suggest_among(const char *name, const char *const *cands, size_t n, char *buf, size_t buflen)
{
	if (!buflen)
		return;
	buf[0] = '\0';
	size_t ln = strnlen(name, DN_PARAM_NAME_MAX + 1), best = DN_SUGGEST_DIST + 1;
	const char *best_name = NULL;
	for (size_t i = 0; ln <= DN_PARAM_NAME_MAX && i < n; i++) {
		size_t d = dn_edit_distance(name, ln, cands[i], strlen(cands[i]));
		if (d > 0 && d < best && d < ln) {
			best = d;
			best_name = cands[i];
		}
	}
	if (best_name && snprintf(buf, buflen, "; did you mean '%s'?", best_name) < 0)
		buf[0] = '\0';
}

void dn_scenario_suggest(const dn_registry *reg, const char *name, char *buf, size_t buflen)
{
	if (buflen)
		dn_suggest(reg, name, buf, buflen);
}

/* ---- values ---- */

static bool dn_is_null_scalar(const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *t = (const char *)node->data.scalar.value;
	size_t len = node->data.scalar.length;
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (strlen(nulls[i]) == len && memcmp(nulls[i], t, len) == 0)
			return true;
	return false;
}

static const char *dn_node_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a sequence";
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_NO_NODE: break;
	}
	return "nothing";
}

/*
 * True when the scalar carried an explicit tag (!!str 3, ! 3, !foo 3).
 * libyaml's document API gives untagged scalars the tag !!str too, so
 * dn_check_events records where the explicit ones start.
 */
static bool dn_has_explicit_tag(const dn_source *src, const yaml_node_t *node)
{
	size_t at = node->start_mark.index, lo = 0, hi = src->n_tagged;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (src->tagged[mid] == at)
			return true;
		if (src->tagged[mid] < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* "int", "float", "bool", "str" or "null" for a YAML core schema tag; NULL for any other. */
static const char *dn_core_tag(const char *tag)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	static const char *const core[] = {"int", "float", "bool", "str", "null"};
	if (!tag || strncmp(tag, prefix, sizeof prefix - 1) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
		if (strcmp(tag + sizeof prefix - 1, core[i]) == 0)
			return core[i];
	return NULL;
}

/* The core tag a parameter type accepts. */
static const char *dn_tag_of_type(dn_param_type t)
{
	switch (t) {
	case DN_PT_INT: return "int";
	case DN_PT_FLOAT: return "float";
	case DN_PT_BOOL: return "bool";
	case DN_PT_STRING:
	case DN_PT_ENUM: return "str";
	}
	return "str";
}

static const char *dn_tag_kind(const char *core)
{
	if (strcmp(core, "int") == 0)
		return "an integer";
	if (strcmp(core, "float") == 0)
		return "a float";
	if (strcmp(core, "bool") == 0)
		return "a boolean";
	return "a string";
}

/* Sets one parameter from a YAML value node. */
static dn_rc dn_set_from_node(dn_loader *L, const dn_source *src, dn_slot *slot,
                              const yaml_node_t *node)
{
	const dn_param_def *def = slot->def;
	char expected[256];
	dn_param_expected(def, expected, sizeof expected);
	if (node->type != YAML_SCALAR_NODE)
		return dn_fail_at(L, DN_ETYPE, src, node, "%s: expected a scalar (%s), got %s",
		                  def->name, expected, dn_node_kind(node));
	const char *text = (const char *)node->data.scalar.value;
	size_t len = node->data.scalar.length;
	if (dn_has_explicit_tag(src, node)) {
		/* An explicit tag decides the value's type: it must be the parameter's own. */
		const char *core = dn_core_tag((const char *)node->tag);
		if (core && strcmp(core, "null") == 0)
			return dn_fail_at(L, DN_ETYPE, src, node, "%s: missing value (expected %s)",
			                  def->name, expected);
		if (!core) {
			static const char yaml_org[] = "tag:yaml.org,2002:";
			const char *tag = (const char *)node->tag;
			bool short_form = strncmp(tag, yaml_org, sizeof yaml_org - 1) == 0;
			if (short_form)
				tag += sizeof yaml_org - 1;
			char tshown[DN_SHOW_MAX + 4];
			dn_show(tag, strlen(tag), tshown, sizeof tshown);
			return dn_fail_at(L, DN_ETYPE, src, node,
			                  "%s: expected %s, not a value with the YAML tag '%s%s'", def->name,
			                  expected, short_form ? "!!" : "", tshown);
		}
		if (strcmp(core, dn_tag_of_type(def->type)) != 0)
			return dn_fail_at(L, DN_ETYPE, src, node,
			                  "%s: expected %s, but its YAML tag makes it %s", def->name,
			                  expected, dn_tag_kind(core));
	} else {
		if (dn_is_null_scalar(node))
			return dn_fail_at(L, DN_ETYPE, src, node, "%s: missing value (expected %s)",
			                  def->name, expected);
		/* Quoted scalars are strings in YAML: "10" is not read as a number. */
		bool quoted = node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		if (quoted &&
		    (def->type == DN_PT_INT || def->type == DN_PT_FLOAT || def->type == DN_PT_BOOL))
			return dn_fail_at(L, DN_ETYPE, src, node, "%s: expected %s, not a quoted string",
			                  def->name, expected);
	}
	dn_param_value v;
	char msg[512];
	dn_rc rc = dn_param_parse(def, text, len, &v, msg, sizeof msg);
	if (rc != DN_OK)
		return dn_fail_at(L, rc, src, node, "%s: %s", def->name, msg);
	if (slot->source == src->serial)
		return dn_fail_at(L, DN_EINVAL, src, node,
		                  "%s: set twice in this file (first at line %d, column %d)", def->name,
		                  slot->line, slot->col);
	rc = dn_slot_store(slot, &v, text, len);
	if (rc != DN_OK)
		return dn_fail_at(L, rc, src, node, "%s: out of memory", def->name);
	slot->set = true;
	slot->file = src->name;
	slot->line = node->start_mark.line < INT_MAX ? (int)node->start_mark.line + 1 : INT_MAX;
	slot->col = node->start_mark.column < INT_MAX ? (int)node->start_mark.column + 1 : INT_MAX;
	slot->source = src->serial;
	return DN_OK;
}

/* ---- files ---- */

static dn_rc dn_load_text(dn_loader *L, const char *name, const char *dir, const char *text,
                          size_t len, size_t include_depth);

/* Directory part of a path, without the final '/': "" when there is none. */
static char *dn_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (slash && n == 0)
		n = 1; /* "/x" lives in "/" */
	char *dir = malloc(n + 1);
	if (!dir)
		return NULL;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return dir;
}

/* strerror without its shared buffer (sweeps may load scenarios in threads). */
static const char *dn_errno_text(int e, char *buf, size_t buflen)
{
#if defined(_GNU_SOURCE) && defined(__GLIBC__)
	/* The build defines _GNU_SOURCE (CMakeLists.txt): glibc's variant returns the text. */
	return strerror_r(e, buf, buflen);
#else
	if (strerror_r(e, buf, buflen) != 0)
		(void)snprintf(buf, buflen, "error %d", e);
	return buf;
#endif
}

static const char dn_too_big[] = "too big";

/*
 * Reads fd to its end into *text (malloc'd, NUL-terminated, *len bytes),
 * growing from size_hint: st_size is only a hint, as files in /proc say 0
 * and any file may change while it is read. Returns NULL, or a reason
 * (dn_too_big past cap bytes) with *text NULL.
 */
static const char *dn_read_all(int fd, size_t size_hint, size_t cap, char **text, size_t *len,
                               char *ebuf, size_t eblen)
{
	*text = NULL;
	*len = 0;
	/* One byte beyond cap tells "exactly cap" from "more". */
	size_t size = (size_hint < 4096 ? 4096 : size_hint) + 2;
	if (size > cap + 2)
		size = cap + 2;
	char *buf = malloc(size);
	if (!buf)
		return "out of memory";
	size_t n = 0;
	const char *problem = NULL;
	bool at_end = false;
	/* Each pass reads a byte or ends; the bound is a backstop against endless EINTR. */
	for (size_t pass = 0; !at_end && !problem && pass <= cap + 1024; pass++) {
		if (n == size - 1) {
			if (n > cap) {
				problem = dn_too_big;
				break;
			}
			size_t grown = size <= (cap + 2) / 2 ? 2 * size : cap + 2;
			char *p = realloc(buf, grown);
			if (!p) {
				problem = "out of memory";
				break;
			}
			buf = p;
			size = grown;
		}
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			problem = dn_errno_text(errno, ebuf, eblen);
		else if (r == 0)
			at_end = true;
		else
			n += (size_t)r;
	}
	if (!problem && (!at_end || n > cap))
		problem = n > cap ? dn_too_big : "interrupted too often";
	if (problem) {
		free(buf);
		return problem;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return NULL;
}

/* Where an include names a file: the including source and the name's node. */
typedef struct dn_site {
	const dn_source *src;
	const yaml_node_t *node;
} dn_site;

/* A file that cannot be read: at the include that names it, or (the
 * top-level file) as "FILE: cannot read the scenario file: WHY". */
static dn_rc dn_read_failed(dn_loader *L, const dn_site *site, const char *shown, const char *why)
{
	if (site)
		return dn_fail_at(L, DN_EIO, site->src, site->node, "include: cannot read '%s': %s",
		                  shown, why);
	char line[DN_ERR_LINE_MAX];
	(void)snprintf(line, sizeof line, "%s: cannot read the scenario file: %s", shown, why);
	return dn_add_error(L, DN_EIO, line);
}

/* Reads the open file fd (a regular file within the size bounds) into
 * *text, *len and closes fd; NULL, or the problem (perhaps in ebuf). */
static const char *dn_read_fd(dn_loader *L, int fd, struct stat *st, char **text, size_t *len,
                              char *ebuf, size_t eblen)
{
	const char *problem = NULL;
	if (fstat(fd, st) != 0)
		problem = dn_errno_text(errno, ebuf, eblen);
	else if (!S_ISREG(st->st_mode))
		problem = "not a regular file";
	else if (st->st_size > DN_FILE_MAX_BYTES)
		problem = "larger than 16 MiB";
	if (!problem) {
		size_t left = DN_TOTAL_BYTES_MAX - L->bytes_read;
		size_t cap = left < DN_FILE_MAX_BYTES ? left : DN_FILE_MAX_BYTES;
		problem = dn_read_all(fd, (size_t)st->st_size, cap, text, len, ebuf, eblen);
		if (problem == dn_too_big)
			problem = cap == DN_FILE_MAX_BYTES ? "larger than 16 MiB"
			                                   : "more than 64 MiB read in all";
	}
	if (close(fd) != 0 && !problem)
		problem = dn_errno_text(errno, ebuf, eblen);
	return problem;
}

/* An include cycle: the file st already open further up the include
 * chain is reported at the include naming it; DN_OK if it is not. */
static dn_rc dn_check_cycle(dn_loader *L, const dn_site *site, const struct stat *st,
                            const char *shown)
{
	for (size_t i = 0; site && i < L->depth; i++) {
		if (L->stack[i].dev == st->st_dev && L->stack[i].ino == st->st_ino) {
			char chain[512];
			size_t k = 0;
			chain[0] = '\0';
			for (size_t j = i; j < L->depth && k < sizeof chain; j++) {
				int w = snprintf(chain + k, sizeof chain - k, "%s -> ", L->stack[j].name);
				if (w < 0)
					break;
				k += (size_t)w;
			}
			return dn_fail_at(L, DN_EINVAL, site->src, site->node,
			                  "include: include cycle: %s%s", chain, shown);
		}
	}
	return DN_OK;
}

/* Loads the text of file path (st) with the file on the include stack. */
static dn_rc dn_load_pushed(dn_loader *L, const char *path, const dn_site *site,
                            const struct stat *st, char *text, size_t len, size_t include_depth)
{
	const char *name = dn_intern(L->s, path);
	char *dir = dn_dir_of(path);
	if (!name || !dir) {
		free(dir);
		if (site)
			return dn_fail_at(L, DN_ENOMEM, site->src, site->node, "include: out of memory");
		return dn_fail(L, DN_ENOMEM, path, 0, 0, "out of memory");
	}
	assert(L->depth < sizeof L->stack / sizeof L->stack[0]);
	L->stack[L->depth].dev = st->st_dev;
	L->stack[L->depth].ino = st->st_ino;
	L->stack[L->depth].name = name;
	L->depth++;
	dn_rc rc = dn_load_text(L, name, dir, text, len, include_depth);
	L->depth--;
	free(dir);
	return rc;
}

/*
 * Reads and loads one file. `site` locates the include that names it for
 * messages; NULL for the top-level file.
 */
static dn_rc dn_load_file(dn_loader *L, const char *path, const dn_site *site,
                          size_t include_depth)
{
	char shown[DN_SHOW_PATH_MAX + 4], ebuf[128];
	dn_show(path, strlen(path), shown, sizeof shown);
	/* The top-level file (site == NULL) is at depth 0, first, and never a cycle. */
	assert(site || (include_depth == 0 && L->depth == 0));
	if (site && include_depth > DN_INCLUDE_DEPTH_MAX)
		return dn_fail_at(L, DN_ELIMIT, site->src, site->node,
		                  "include: includes nested more than %d deep (at '%s')",
		                  DN_INCLUDE_DEPTH_MAX, shown);
	if (site && L->n_loads >= DN_FILES_MAX)
		return dn_fail_at(L, DN_ELIMIT, site->src, site->node,
		                  "include: more than %d files loaded in all", DN_FILES_MAX);
	L->n_loads++;
	/* O_NONBLOCK: a FIFO must not hang the loader before the S_ISREG check. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return dn_read_failed(L, site, shown, dn_errno_text(errno, ebuf, sizeof ebuf));
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	const char *problem = dn_read_fd(L, fd, &st, &text, &len, ebuf, sizeof ebuf);
	if (problem) {
		free(text);
		return dn_read_failed(L, site, shown, problem);
	}
	text[len] = '\0';
	L->bytes_read += len;
	/* A cycle is a file already open further up the include chain. */
	dn_rc rc = dn_check_cycle(L, site, &st, shown);
	if (rc == DN_OK)
		rc = dn_load_pushed(L, path, site, &st, text, len, include_depth);
	free(text);
	return rc;
}

/* Joins dir and a relative path; absolute paths stay as they are. */
static char *dn_resolve(const char *dir, const char *rel, size_t rel_len)
{
	bool join = rel_len > 0 && rel[0] != '/' && dir[0] != '\0';
	size_t dl = join ? strlen(dir) : 0;
	bool slash = join && dir[dl - 1] != '/';
	char *out = malloc(dl + (slash ? 1 : 0) + rel_len + 1);
	if (!out)
		return NULL;
	memcpy(out, dir, dl);
	if (slash)
		out[dl] = '/';
	memcpy(out + dl + (slash ? 1 : 0), rel, rel_len);
	out[dl + (slash ? 1 : 0) + rel_len] = '\0';
	return out;
}

static dn_rc dn_include_one(dn_loader *L, const dn_source *src, const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE || dn_is_null_scalar(node))
		return dn_fail_at(L, DN_ETYPE, src, node,
		                  "include: expected a file name or a list of file names, got %s",
		                  dn_is_null_scalar(node) ? "nothing" : dn_node_kind(node));
	const char *rel = (const char *)node->data.scalar.value;
	size_t rel_len = node->data.scalar.length;
	if (memchr(rel, '\0', rel_len) || rel_len > PATH_MAX)
		return dn_fail_at(L, DN_EINVAL, src, node, "include: not a usable file name");
	char *path = dn_resolve(src->dir, rel, rel_len);
	if (!path)
		return dn_fail_at(L, DN_ENOMEM, src, node, "include: out of memory");
	const dn_site site = {src, node};
	dn_rc rc = dn_load_file(L, path, &site, src->include_depth + 1);
	free(path);
	return rc;
}

static dn_rc dn_includes(dn_loader *L, const dn_source *src, const yaml_node_t *value)
{
	if (value->type != YAML_SEQUENCE_NODE)
		return dn_include_one(L, src, value);
	const yaml_node_item_t *it = value->data.sequence.items.start;
	size_t n = (size_t)(value->data.sequence.items.top - it);
	if (n > DN_INCLUDE_LIST_MAX)
		return dn_fail_at(L, DN_ELIMIT, src, value, "include: more than %d files",
		                  DN_INCLUDE_LIST_MAX);
	/* The whole list is checked before any file is read. */
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *item = yaml_document_get_node(src->doc, it[i]);
		assert(item);
		if (item->type != YAML_SCALAR_NODE || dn_is_null_scalar(item))
			return dn_fail_at(L, DN_ETYPE, src, item,
			                  "include: expected a file name or a list of file names, got %s",
			                  dn_is_null_scalar(item) ? "nothing" : dn_node_kind(item));
	}
	dn_rc first = DN_OK;
	for (size_t i = 0; i < n; i++) {
		dn_rc rc = dn_include_one(L, src, yaml_document_get_node(src->doc, it[i]));
		if (rc && !first)
			first = rc;
		if (!dn_go_on(L, rc))
			break;
	}
	return first;
}

/* ---- walking mappings ---- */

typedef struct dn_key_ref {
	const char *text;
	size_t len;
	size_t pos; /* pair index in the mapping */
} dn_key_ref;

static int dn_cmp_key(const void *a, const void *b)
{
	const dn_key_ref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->text, y->text, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos ? 1 : 0);
}

/* Every key a scalar, none repeated (reported at the first repeat in file order). */
static dn_rc dn_check_keys(dn_loader *L, const dn_source *src, const yaml_node_t *map)
{
	const yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
	size_t n = (size_t)(map->data.mapping.pairs.top - pairs);
	if (n < 2) {
		if (n == 1) {
			const yaml_node_t *k = yaml_document_get_node(src->doc, pairs[0].key);
			if (k->type != YAML_SCALAR_NODE)
				return dn_fail_at(L, DN_ETYPE, src, k,
				                  "expected a parameter name as key, got %s", dn_node_kind(k));
		}
		return DN_OK;
	}
	dn_key_ref *keys = malloc(n * sizeof *keys);
	if (!keys)
		return dn_fail_at(L, DN_ENOMEM, src, map, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *k = yaml_document_get_node(src->doc, pairs[i].key);
		assert(k);
		if (k->type != YAML_SCALAR_NODE) {
			free(keys);
			return dn_fail_at(L, DN_ETYPE, src, k, "expected a parameter name as key, got %s",
			                  dn_node_kind(k));
		}
		keys[i].text = (const char *)k->data.scalar.value;
		keys[i].len = k->data.scalar.length;
		keys[i].pos = i;
	}
	qsort(keys, n, sizeof *keys, dn_cmp_key);
	size_t dup = SIZE_MAX, first = SIZE_MAX;
	for (size_t i = 0; i + 1 < n; i++) {
		if (keys[i].len == keys[i + 1].len && memcmp(keys[i].text, keys[i + 1].text, keys[i].len) == 0 &&
		    keys[i + 1].pos < dup) {
			dup = keys[i + 1].pos;
			first = keys[i].pos;
		}
	}
	free(keys);
	if (dup == SIZE_MAX)
		return DN_OK;
	const yaml_node_t *k1 = yaml_document_get_node(src->doc, pairs[first].key);
	const yaml_node_t *k2 = yaml_document_get_node(src->doc, pairs[dup].key);
	const char *k2text = (const char *)k2->data.scalar.value;
	size_t k2len = k2->data.scalar.length;
	if (!dn_key_showable(k2text, k2len))
		return dn_fail_at(L, DN_EINVAL, src, k2,
		                  "duplicate key (first at line %lu, column %lu; the key is not shown: "
		                  "it is not a parameter name)",
		                  (unsigned long)k1->start_mark.line + 1,
		                  (unsigned long)k1->start_mark.column + 1);
	char shown[DN_SHOW_MAX + 4];
	dn_show(k2text, k2len, shown, sizeof shown);
	return dn_fail_at(L, DN_EINVAL, src, k2, "duplicate key '%s' (first at line %lu, column %lu)",
	                  shown, (unsigned long)k1->start_mark.line + 1,
	                  (unsigned long)k1->start_mark.column + 1);
}

static dn_rc dn_walk_mapping(dn_loader *L, const dn_source *src, const char *prefix,
                             const yaml_node_t *map, size_t nest, bool root);

static dn_rc dn_walk_pair(dn_loader *L, const dn_source *src, const char *prefix,
                          const yaml_node_t *key, const yaml_node_t *value, size_t nest)
{
	const char *k = (const char *)key->data.scalar.value;
	size_t klen = key->data.scalar.length;
	size_t plen = strlen(prefix);
	char full[DN_PARAM_NAME_MAX + 2];
	size_t flen = plen + (plen ? 1 : 0) + klen;
	if (!dn_key_showable(k, klen)) {
		/* Said by place only: the text may come from a file that is no scenario. */
		char hint[DN_PARAM_NAME_MAX + 32];
		hint[0] = '\0';
		if (flen <= DN_PARAM_NAME_MAX && !memchr(k, '\0', klen)) {
			memcpy(full, prefix, plen);
			if (plen)
				full[plen] = '.';
			memcpy(full + plen + (plen ? 1 : 0), k, klen);
			full[flen] = '\0';
			dn_suggest(L->reg, full, hint, sizeof hint); /* names only registered names */
		}
		/* Such a key suggests a file that is no scenario: its walk stops here. */
		L->abandoned = src->serial;
		return dn_fail_at(L, DN_EUNKNOWN, src, key,
		                  "unknown parameter%s%s%s (the key is not shown: it is not a parameter "
		                  "name)%s",
		                  plen ? " under '" : "", prefix, plen ? "'" : "", hint);
	}
	if (flen > DN_PARAM_NAME_MAX) {
		char shown[DN_SHOW_MAX + 4];
		dn_show(k, klen, shown, sizeof shown);
		return dn_fail_at(L, DN_EUNKNOWN, src, key, "unknown parameter '%s%s%s'", prefix,
		                  plen ? "." : "", shown);
	}
	memcpy(full, prefix, plen);
	if (plen)
		full[plen] = '.';
	memcpy(full + plen + (plen ? 1 : 0), k, klen);
	full[flen] = '\0';

	dn_slot *slot = dn_slot_find(L->s, full);
	if (slot)
		return dn_set_from_node(L, src, slot, value);
	if (flen > 0 && dn_is_section(L->reg, full, flen)) {
		if (value->type == YAML_MAPPING_NODE) {
			if (src->visited[value - src->doc->nodes.start])
				return dn_fail_at(L, DN_EINVAL, src, key,
				                  "%s: a mapping used twice through a YAML alias "
				                  "(aliases of mappings are not supported)",
				                  full);
			return dn_walk_mapping(L, src, full, value, nest + 1, false);
		}
		if (dn_is_null_scalar(value))
			return DN_OK; /* an empty section sets nothing */
		return dn_fail_at(L, DN_ETYPE, src, value,
		                  "%s: expected a mapping (a section of parameters), got %s", full,
		                  dn_node_kind(value));
	}
	char shown[DN_PARAM_NAME_MAX + 4], hint[DN_PARAM_NAME_MAX + 32];
	dn_show(full, flen, shown, sizeof shown);
	dn_suggest(L->reg, full, hint, sizeof hint);
	return dn_fail_at(L, DN_EUNKNOWN, src, key, "unknown parameter '%s'%s", shown, hint);
}

/* ---- blocks (`sweep:`): kept as a tree for the command that reads them ---- */

/* Fills *y from node (aliases expanded, depth and total size bounded). */
static dn_rc dn_ycopy(dn_loader *L, const dn_source *src, const yaml_node_t *node, dn_ynode *y,
                      size_t depth)
{
	memset(y, 0, sizeof *y);
	y->file = src->name;
	y->line = node->start_mark.line < (size_t)INT_MAX ? (int)node->start_mark.line + 1 : INT_MAX;
	y->col = node->start_mark.column < (size_t)INT_MAX ? (int)node->start_mark.column + 1 : INT_MAX;
	if (depth > DN_NEST_MAX)
		return dn_fail_at(L, DN_ELIMIT, src, node, "mappings nested more than %d deep",
		                  DN_NEST_MAX);
	if (++L->s->block_nodes > DN_BLOCK_NODES_MAX)
		return dn_fail_at(L, DN_ELIMIT, src, node,
		                  "more than %d YAML nodes in the scenario's blocks (aliases count "
		                  "each time they are used)",
		                  DN_BLOCK_NODES_MAX);
	if (node->type == YAML_SCALAR_NODE) {
		y->kind = DN_YN_SCALAR;
		y->len = node->data.scalar.length;
		char *t = malloc(y->len + 1);
		if (!t)
			return dn_fail_at(L, DN_ENOMEM, src, node, "out of memory");
		memcpy(t, node->data.scalar.value, y->len);
		t[y->len] = '\0';
		y->text = t;
		y->plain = node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		           !dn_has_explicit_tag(src, node);
		return DN_OK;
	}
	size_t n;
	if (node->type == YAML_SEQUENCE_NODE) {
		y->kind = DN_YN_SEQ;
		n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	} else {
		y->kind = DN_YN_MAP;
		n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	}
	size_t slots = y->kind == DN_YN_MAP ? 2 * n : n;
	y->items = calloc(slots ? slots : 1, sizeof *y->items);
	if (!y->items)
		return dn_fail_at(L, DN_ENOMEM, src, node, "out of memory");
	for (size_t i = 0; i < slots; i++)
		y->items[i].kind = DN_YN_SCALAR; /* freeable while half-filled */
	y->n = n;
	for (size_t i = 0; i < n; i++) {
		dn_rc rc;
		if (y->kind == DN_YN_SEQ) {
			rc = dn_ycopy(L, src, yaml_document_get_node(src->doc, node->data.sequence.items.start[i]),
			              &y->items[i], depth + 1);
		} else {
			const yaml_node_pair_t *p = &node->data.mapping.pairs.start[i];
			rc = dn_ycopy(L, src, yaml_document_get_node(src->doc, p->key), &y->items[2 * i],
			              depth + 1);
			if (!rc)
				rc = dn_ycopy(L, src, yaml_document_get_node(src->doc, p->value),
				              &y->items[2 * i + 1], depth + 1);
		}
		if (rc)
			return rc;
	}
	return DN_OK;
}

/* The block index of a top-level key, or -1. */
static int dn_block_of(const yaml_node_t *key)
{
	for (int b = 0; b < DN_SCN_BLOCKS; b++) {
		size_t n = strlen(dn_block_names[b]);
		if (key->data.scalar.length == n && memcmp(key->data.scalar.value, dn_block_names[b], n) == 0)
			return b;
	}
	return -1;
}

static dn_rc dn_take_block(dn_loader *L, const dn_source *src, int b, const yaml_node_t *key,
                           const yaml_node_t *value)
{
	if (src->include_depth > 0 && strcmp(dn_block_names[b], "sweep") != 0)
		return DN_OK; /* a file's expectations and tuning are its own: an including file has its own or none */
	if (src->include_depth > 0)
		return dn_fail_at(L, DN_EINVAL, src, key,
		                  "%s: only the top-level scenario file may have a %s: block (this "
		                  "file is included)",
		                  dn_block_names[b], dn_block_names[b]);
	dn_ynode *y = calloc(1, sizeof *y);
	if (!y)
		return dn_fail_at(L, DN_ENOMEM, src, key, "out of memory");
	dn_rc rc = dn_ycopy(L, src, value, y, 0);
	if (rc) {
		dn_ytree_free(y);
		return rc;
	}
	dn_ytree_free(L->s->blocks[b]);
	L->s->blocks[b] = y;
	return DN_OK;
}

void dn_ynode_errv(char *err, size_t errlen, size_t *used, const char *block, const dn_ynode *at,
                   const char *fmt, va_list ap)
{
	char line[1024];
	int w = snprintf(line, sizeof line, "%s:%d:%d: %s: ", at->file, at->line, at->col, block);
	if (w > 0 && (size_t)w < sizeof line)
		(void)vsnprintf(line + w, sizeof line - (size_t)w, fmt, ap);
	dn_err_append(err, errlen, used, line);
}

const char *dn_ynode_kind_name(const dn_ynode *y)
{
	return y->kind == DN_YN_MAP ? "a mapping" : y->kind == DN_YN_SEQ ? "a list" : "a scalar";
}

const dn_ynode *dn_scenario_block(const dn_scenario *s, const char *name)
{
	for (int b = 0; b < DN_SCN_BLOCKS; b++)
		if (strcmp(name, dn_block_names[b]) == 0)
			return s->blocks[b];
	return NULL;
}

const dn_ynode *dn_ynode_get(const dn_ynode *map, const char *key)
{
	if (!map || map->kind != DN_YN_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const dn_ynode *k = &map->items[2 * i];
		if (k->kind == DN_YN_SCALAR && strcmp(k->text, key) == 0)
			return &map->items[2 * i + 1];
	}
	return NULL;
}

static dn_rc dn_walk_mapping(dn_loader *L, const dn_source *src, const char *prefix,
                             const yaml_node_t *map, size_t nest, bool root)
{
	assert(map->type == YAML_MAPPING_NODE);
	if (nest > DN_NEST_MAX)
		return dn_fail_at(L, DN_ELIMIT, src, map, "mappings nested more than %d deep",
		                  DN_NEST_MAX);
	size_t idx = (size_t)(map - src->doc->nodes.start);
	assert(!src->visited[idx]); /* dn_walk_pair refuses a second visit */
	src->visited[idx] = 1;
	dn_rc rc = dn_check_keys(L, src, map);
	if (rc)
		return rc; /* this mapping is not walked; its parent goes on */
	dn_rc first = DN_OK;
	const yaml_node_pair_t *pairs = map->data.mapping.pairs.start;
	size_t n = (size_t)(map->data.mapping.pairs.top - pairs);
	/* Includes first, wherever the key stands: the file's own values override them. */
	if (root) {
		for (size_t i = 0; i < n; i++) {
			const yaml_node_t *key = yaml_document_get_node(src->doc, pairs[i].key);
			if (key->data.scalar.length == 7 && memcmp(key->data.scalar.value, "include", 7) == 0) {
				rc = dn_includes(L, src, yaml_document_get_node(src->doc, pairs[i].value));
				if (rc && !first)
					first = rc;
				if (!dn_go_on(L, rc))
					return first;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *key = yaml_document_get_node(src->doc, pairs[i].key);
		const yaml_node_t *value = yaml_document_get_node(src->doc, pairs[i].value);
		assert(key && value);
		if (root && key->data.scalar.length == 7 &&
		    memcmp(key->data.scalar.value, "include", 7) == 0)
			continue;
		int b = root ? dn_block_of(key) : -1;
		rc = b >= 0 ? dn_take_block(L, src, b, key, value)
		            : dn_walk_pair(L, src, prefix, key, value, nest);
		if (rc && !first)
			first = rc;
		if (!dn_go_on(L, rc) || L->abandoned == src->serial)
			return first;
	}
	return first;
}

/* ---- parsing ---- */

/* libyaml's complaint as "FILE:LINE:COLUMN: YAML syntax error: ...". */
static dn_rc dn_yaml_error(dn_loader *L, const char *name, const yaml_parser_t *p,
                           const char *text, size_t len)
{
	if (p->error == YAML_MEMORY_ERROR)
		return dn_fail(L, DN_ENOMEM, name, 0, 0, "out of memory while parsing YAML");
	const char *problem = p->problem ? p->problem : "unknown problem";
	if (p->error == YAML_READER_ERROR) {
		/* Reader errors carry a byte offset rather than a mark. */
		size_t line = 0, col = 0;
		for (size_t i = 0; i < p->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				line++;
				col = 0;
			} else {
				col++;
			}
		}
		/* Not p->problem_value: that is a byte of the file, and the file may be no scenario. */
		return dn_fail(L, DN_EPARSE, name, line, col, "YAML syntax error: %s", problem);
	}
	if (p->context)
		return dn_fail(L, DN_EPARSE, name, p->problem_mark.line, p->problem_mark.column,
		               "YAML syntax error: %s (%s at line %lu, column %lu)", problem, p->context,
		               (unsigned long)p->context_mark.line + 1,
		               (unsigned long)p->context_mark.column + 1);
	return dn_fail(L, DN_EPARSE, name, p->problem_mark.line, p->problem_mark.column,
	               "YAML syntax error: %s", problem);
}

static dn_rc dn_walk_document(dn_loader *L, dn_source *src)
{
	yaml_node_t *root = yaml_document_get_root_node(src->doc);
	if (!root || dn_is_null_scalar(root))
		return DN_OK; /* empty: nothing set */
	if (root->type != YAML_MAPPING_NODE)
		return dn_fail_at(L, DN_ETYPE, src, root,
		                  "expected a mapping of parameters at the top level, got %s",
		                  dn_node_kind(root));
	size_t n_nodes = (size_t)(src->doc->nodes.top - src->doc->nodes.start);
	src->visited = calloc(n_nodes ? n_nodes : 1, 1);
	if (!src->visited)
		return dn_fail_at(L, DN_ENOMEM, src, root, "out of memory");
	dn_rc rc = dn_walk_mapping(L, src, "", root, 0, true);
	free(src->visited);
	src->visited = NULL;
	return rc;
}

/*
 * A first pass that keeps libyaml linear. Its scanner does work
 * proportional to the flow depth for every token, it compares each new
 * anchor with all earlier ones and each alias with all anchors, and each
 * %TAG directive with all earlier ones: 16 MiB of any of these would take
 * hours. So: at most DN_DIRECTIVES_MAX lines starting with '%' (libyaml
 * reads every '%' in column 0 as a directive), then an event pass that
 * stops at the first event nested deeper than DN_NEST_MAX or past
 * DN_ANCHORS_MAX anchors and aliases, before the scanner reads further.
 * Syntax errors surface here too, with the same messages as in the load.
 * It also records where each explicitly tagged scalar starts (*tagged,
 * ascending, malloc'd, the caller frees it even on failure), which the
 * document API does not tell.
 */
static dn_rc dn_check_events(dn_loader *L, const char *name, const char *text, size_t len,
                             size_t **tagged, size_t *n_tagged)
{
	*tagged = NULL;
	*n_tagged = 0;
	size_t directives = 0, line = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '%' && (i == 0 || text[i - 1] == '\n') && ++directives > DN_DIRECTIVES_MAX)
			return dn_fail(L, DN_ELIMIT, name, line, 0, "more than %d YAML directives",
			               DN_DIRECTIVES_MAX);
		if (text[i] == '\n')
			line++;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return dn_fail(L, DN_ENOMEM, name, 0, 0, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	dn_rc rc = DN_OK;
	size_t depth = 0, anchors = 0;
	/* Each event consumes input, so the loop ends; the bound is a backstop. */
	for (size_t i = 0; i <= len + 16; i++) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = dn_yaml_error(L, name, &parser, text, len);
			break;
		}
		yaml_event_type_t type = ev.type;
		yaml_mark_t mark = ev.start_mark;
		bool anchor = (type == YAML_ALIAS_EVENT) ||
		              (type == YAML_SCALAR_EVENT && ev.data.scalar.anchor) ||
		              (type == YAML_SEQUENCE_START_EVENT && ev.data.sequence_start.anchor) ||
		              (type == YAML_MAPPING_START_EVENT && ev.data.mapping_start.anchor);
		bool tag = type == YAML_SCALAR_EVENT && ev.data.scalar.tag;
		yaml_event_delete(&ev);
		if (tag) {
			if (*n_tagged == DN_TAGS_MAX) {
				rc = dn_fail(L, DN_ELIMIT, name, mark.line, mark.column,
				             "more than %d tagged YAML scalars", DN_TAGS_MAX);
				break;
			}
			if (!*tagged) {
				*tagged = malloc(DN_TAGS_MAX * sizeof **tagged);
				if (!*tagged) {
					rc = dn_fail(L, DN_ENOMEM, name, mark.line, mark.column, "out of memory");
					break;
				}
			}
			/* Events come in input order, so the array stays sorted. */
			assert(*n_tagged == 0 || (*tagged)[*n_tagged - 1] < mark.index);
			(*tagged)[(*n_tagged)++] = mark.index;
		}
		if (anchor && ++anchors > DN_ANCHORS_MAX) {
			rc = dn_fail(L, DN_ELIMIT, name, mark.line, mark.column,
			             "more than %d YAML anchors and aliases", DN_ANCHORS_MAX);
			break;
		}
		if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
			if (++depth > DN_NEST_MAX) {
				rc = dn_fail(L, DN_ELIMIT, name, mark.line, mark.column,
				             "YAML nested more than %d levels deep", DN_NEST_MAX);
				break;
			}
		} else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
			assert(depth > 0);
			depth--;
		} else if (type == YAML_STREAM_END_EVENT) {
			break;
		}
	}
	yaml_parser_delete(&parser);
	return rc;
}

static dn_rc dn_load_text(dn_loader *L, const char *name, const char *dir, const char *text,
                          size_t len, size_t include_depth)
{
	size_t *tagged = NULL, n_tagged = 0;
	dn_rc rc = dn_check_events(L, name, text, len, &tagged, &n_tagged);
	if (rc) {
		free(tagged);
		return rc;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		free(tagged);
		return dn_fail(L, DN_ENOMEM, name, 0, 0, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	yaml_document_t doc;
	if (!yaml_parser_load(&parser, &doc)) {
		rc = dn_yaml_error(L, name, &parser, text, len);
		yaml_parser_delete(&parser);
		free(tagged);
		return rc;
	}
	if (yaml_document_get_root_node(&doc)) {
		/* Exactly one document: a second one is a mistake, not ignored. */
		yaml_document_t next;
		if (!yaml_parser_load(&parser, &next)) {
			rc = dn_yaml_error(L, name, &parser, text, len);
		} else {
			yaml_node_t *r2 = yaml_document_get_root_node(&next);
			if (r2)
				rc = dn_fail(L, DN_EPARSE, name, next.start_mark.line, next.start_mark.column,
				             "expected one YAML document, found a second one");
			yaml_document_delete(&next);
		}
	}
	yaml_parser_delete(&parser);
	if (rc == DN_OK) {
		if (L->serial == UINT_MAX) {
			rc = dn_fail(L, DN_ELIMIT, name, 0, 0, "too many sources");
		} else {
			dn_source src = {.name = name, .dir = dir, .doc = &doc,
			                 .tagged = tagged, .n_tagged = n_tagged,
			                 .serial = ++L->serial, .include_depth = include_depth};
			rc = dn_walk_document(L, &src);
		}
	}
	yaml_document_delete(&doc);
	free(tagged);
	return rc;
}

/* ---- --set overrides ---- */

static bool dn_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static dn_rc dn_apply_override(dn_loader *L, const char *o)
{
	const char *file = dn_intern(L->s, dn_cmdline_name);
	if (!file)
		return dn_fail(L, DN_ENOMEM, dn_cmdline_name, 0, 0, "out of memory");
	size_t len = strnlen(o, DN_OVERRIDE_MAX_BYTES + 1);
	char shown[DN_SHOW_MAX + 4];
	dn_show(o, len, shown, sizeof shown);
	if (len > DN_OVERRIDE_MAX_BYTES)
		return dn_fail(L, DN_ELIMIT, file, 0, 0, "--set '%s': longer than %d bytes", shown,
		               DN_OVERRIDE_MAX_BYTES);
	const char *eq = memchr(o, '=', len);
	if (!eq)
		return dn_fail(L, DN_EINVAL, file, 0, 0, "--set '%s': expected NAME=VALUE", shown);
	size_t nb = 0, ne = (size_t)(eq - o);
	while (nb < ne && dn_is_space(o[nb]))
		nb++;
	while (ne > nb && dn_is_space(o[ne - 1]))
		ne--;
	size_t vb = (size_t)(eq - o) + 1, ve = len;
	while (vb < ve && dn_is_space(o[vb]))
		vb++;
	while (ve > vb && dn_is_space(o[ve - 1]))
		ve--;
	char name[DN_PARAM_NAME_MAX + 1];
	dn_slot *slot = NULL;
	if (ne - nb <= DN_PARAM_NAME_MAX) {
		memcpy(name, o + nb, ne - nb);
		name[ne - nb] = '\0';
		slot = dn_slot_find(L->s, name);
	}
	if (!slot && ne - nb <= DN_PARAM_NAME_MAX && ne > nb && dn_is_section(L->reg, name, ne - nb))
		return dn_fail(L, DN_EUNKNOWN, file, 0, nb,
		               "--set '%s': '%s' is a section, not a parameter", shown, name);
	if (!slot) {
		char nshown[DN_PARAM_NAME_MAX + 4], hint[DN_PARAM_NAME_MAX + 32];
		dn_show(o + nb, ne - nb, nshown, sizeof nshown);
		hint[0] = '\0';
		if (ne - nb <= DN_PARAM_NAME_MAX)
			dn_suggest(L->reg, name, hint, sizeof hint);
		return dn_fail(L, DN_EUNKNOWN, file, 0, nb, "--set '%s': unknown parameter '%s'%s",
		               shown, nshown, hint);
	}
	dn_param_value v;
	char msg[512];
	dn_rc rc = dn_param_parse(slot->def, o + vb, ve - vb, &v, msg, sizeof msg);
	if (rc != DN_OK)
		return dn_fail(L, rc, file, 0, vb, "--set '%s': %s: %s", shown, slot->def->name, msg);
	rc = dn_slot_store(slot, &v, o + vb, ve - vb);
	if (rc != DN_OK)
		return dn_fail(L, rc, file, 0, vb, "--set '%s': out of memory", shown);
	slot->set = true;
	slot->file = file;
	slot->line = 1;
	slot->col = vb < INT_MAX ? (int)vb + 1 : INT_MAX;
	slot->source = ++L->serial;
	return DN_OK;
}

/* ---- entry points ---- */

static dn_rc dn_load_common(const dn_registry *reg, const char *path, const char *name,
                            const char *text, const char *const *overrides, size_t n_overrides,
                            dn_scenario **out, char *err, size_t errlen)
{
	assert(reg && out);
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (n_overrides && !overrides)
		return DN_EINVAL;
	dn_loader L = {.reg = reg, .err = err, .errlen = errlen};
	dn_rc rc = dn_scenario_new(reg, &L.s);
	if (rc) {
		if (err && errlen)
			(void)snprintf(err, errlen, "%s: out of memory", path ? path : name ? name : "scenario");
		return rc;
	}
	if (path) {
		rc = dn_load_file(&L, path, NULL, 0);
	} else if (text) {
		const char *nm = name ? name : "<string>";
		size_t len = strnlen(text, (size_t)DN_FILE_MAX_BYTES + 1);
		const char *interned = dn_intern(L.s, nm);
		char *dir = dn_dir_of(nm);
		if (!interned || !dir)
			rc = dn_fail(&L, DN_ENOMEM, nm, 0, 0, "out of memory");
		else if (len > DN_FILE_MAX_BYTES)
			rc = dn_fail(&L, DN_ELIMIT, nm, 0, 0, "scenario text larger than 16 MiB");
		else
			rc = dn_load_text(&L, interned, dir, text, len, 0);
		free(dir);
	}
	/* After a file's own mistakes (not a syntax error, an unreadable file
	 * or a limit) the overrides are still checked, so all are told at once. */
	bool go_on = rc == DN_OK || (!L.stop && (rc == DN_EUNKNOWN || rc == DN_ETYPE ||
	                                          rc == DN_EINVAL || rc == DN_ERANGE));
	for (size_t i = 0; go_on && i < n_overrides; i++) {
		dn_rc orc = overrides[i] ? dn_apply_override(&L, overrides[i]) : DN_EINVAL;
		if (orc && !rc)
			rc = orc;
		go_on = overrides[i] && dn_go_on(&L, orc);
	}
	if (rc != DN_OK || L.n_errs) {
		dn_errors_finish(&L);
		dn_scenario_free(L.s);
		return L.n_errs ? L.first_rc : rc;
	}
	*out = L.s;
	return DN_OK;
}

dn_rc dn_scenario_load(const dn_registry *reg, const char *path, const char *const *overrides,
                       size_t n_overrides, dn_scenario **out, char *err, size_t errlen)
{
	return dn_load_common(reg, path, NULL, NULL, overrides, n_overrides, out, err, errlen);
}

dn_rc dn_scenario_load_string(const dn_registry *reg, const char *name, const char *yaml_text,
                              const char *const *overrides, size_t n_overrides,
                              dn_scenario **out, char *err, size_t errlen)
{
	return dn_load_common(reg, NULL, name, yaml_text ? yaml_text : "", overrides, n_overrides,
	                      out, err, errlen);
}

/* ---- getters ---- */

static const dn_slot *dn_get(const dn_scenario *s, const char *name, const char *who,
                             dn_param_type t1, dn_param_type t2)
{
	if (!s || !name) {
		fprintf(stderr, "dnetsim: %s: called with a NULL scenario or name\n", who);
		abort();
	}
	const dn_slot *slot = dn_slot_find(s, name);
	if (!slot) {
		fprintf(stderr, "dnetsim: %s: no parameter named '%s' is registered\n", who, name);
		abort();
	}
	if (slot->def->type != t1 && slot->def->type != t2) {
		fprintf(stderr, "dnetsim: %s: parameter '%s' has another type\n", who, name);
		abort();
	}
	return slot;
}

int64_t dn_scn_int(const dn_scenario *s, const char *name)
{
	return dn_get(s, name, "dn_scn_int", DN_PT_INT, DN_PT_INT)->v.i;
}

double dn_scn_float(const dn_scenario *s, const char *name)
{
	return dn_get(s, name, "dn_scn_float", DN_PT_FLOAT, DN_PT_FLOAT)->v.f;
}

bool dn_scn_bool(const dn_scenario *s, const char *name)
{
	return dn_get(s, name, "dn_scn_bool", DN_PT_BOOL, DN_PT_BOOL)->v.b;
}

const char *dn_scn_str(const dn_scenario *s, const char *name)
{
	return dn_get(s, name, "dn_scn_str", DN_PT_STRING, DN_PT_ENUM)->str;
}

static const dn_slot *dn_get_any(const dn_scenario *s, const char *name, const char *who)
{
	if (!s || !name) {
		fprintf(stderr, "dnetsim: %s: called with a NULL scenario or name\n", who);
		abort();
	}
	const dn_slot *slot = dn_slot_find(s, name);
	if (!slot) {
		fprintf(stderr, "dnetsim: %s: no parameter named '%s' is registered\n", who, name);
		abort();
	}
	return slot;
}

bool dn_scn_is_set(const dn_scenario *s, const char *name)
{
	return dn_get_any(s, name, "dn_scn_is_set")->set;
}

const char *dn_scn_where(const dn_scenario *s, const char *name, int *line, int *column)
{
	const dn_slot *slot = dn_get_any(s, name, "dn_scn_where");
	if (line)
		*line = slot->set ? slot->line : 0;
	if (column)
		*column = slot->set ? slot->col : 0;
	return slot->set ? slot->file : NULL;
}

/* ---- back to YAML ---- */

typedef struct dn_buf {
	char *p;
	size_t len, cap;
	bool failed;
} dn_buf;

static void dn_buf_add(dn_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (n > DN_YAML_OUT_MAX - b->len) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void dn_buf_str(dn_buf *b, const char *s)
{
	dn_buf_add(b, s, strlen(s));
}

/*
 * A double-quoted YAML scalar: printable ASCII as is, everything else as
 * \u or \U escapes, so no reader quirk (line breaks, BOMs, C1 controls)
 * can change the value on the way back. The text is valid UTF-8.
 */
static void dn_buf_quoted(dn_buf *b, const char *s)
{
	dn_buf_add(b, "\"", 1);
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len = strlen(s);
	while (i < len) {
		unsigned char c = u[i];
		char esc[16];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			dn_buf_add(b, (const char *)&u[i], 1);
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			dn_buf_add(b, esc, 2);
			i++;
			continue;
		}
		uint32_t cp = c;
		size_t n = 0;
		if (c >= 0xf0) {
			cp = c & 0x07;
			n = 3;
		} else if (c >= 0xe0) {
			cp = c & 0x0f;
			n = 2;
		} else if (c >= 0xc0) {
			cp = c & 0x1f;
			n = 1;
		}
		for (size_t j = 1; j <= n && i + j < len; j++)
			cp = (cp << 6) | (u[i + j] & 0x3f);
		i += n + 1;
		int w = cp > 0xffff ? snprintf(esc, sizeof esc, "\\U%08" PRIX32, cp)
		                    : snprintf(esc, sizeof esc, "\\u%04" PRIX32, cp);
		if (w > 0)
			dn_buf_add(b, esc, (size_t)w);
	}
	dn_buf_add(b, "\"", 1);
}

static void dn_buf_value(dn_buf *b, const dn_slot *slot)
{
	char num[64];
	int w = 0;
	switch (slot->def->type) {
	case DN_PT_INT:
		w = snprintf(num, sizeof num, "%" PRId64, slot->v.i);
		if (w > 0)
			dn_buf_add(b, num, (size_t)w);
		else
			b->failed = true;
		return;
	case DN_PT_FLOAT:
		dn_param_format_float(slot->v.f, num, sizeof num);
		dn_buf_str(b, num);
		return;
	case DN_PT_BOOL:
		dn_buf_str(b, slot->v.b ? "true" : "false");
		return;
	case DN_PT_STRING:
	case DN_PT_ENUM:
		dn_buf_quoted(b, slot->str ? slot->str : "");
		return;
	}
	b->failed = true;
}

char *dn_scenario_to_yaml(const dn_scenario *s)
{
	assert(s);
	dn_buf b = {0};
	dn_buf_str(&b, "# dnetsim scenario, fully resolved: every parameter, defaults included\n");
	const char *prev = "";
	for (size_t i = 0; i < s->n; i++) {
		const dn_param_def *d = s->slots[i].def;
		const char *name = d->name;
		/* Components shared with the previous name are already open. */
		size_t common = 0, same_levels = 0;
		for (size_t k = 0; name[k] && prev[k] == name[k]; k++)
			if (name[k] == '.') {
				common = k + 1;
				same_levels++;
			}
		size_t level = same_levels;
		const char *comp = name + common;
		while (true) {
			const char *dot = strchr(comp, '.');
			for (size_t j = 0; j < level; j++)
				dn_buf_add(&b, "  ", 2);
			if (!dot) {
				dn_buf_str(&b, comp);
				dn_buf_add(&b, ": ", 2);
				dn_buf_value(&b, &s->slots[i]);
				if (d->unit[0]) {
					dn_buf_add(&b, "  # ", 4);
					dn_buf_str(&b, d->unit);
				}
				dn_buf_add(&b, "\n", 1);
				break;
			}
			dn_buf_add(&b, comp, (size_t)(dot - comp));
			dn_buf_add(&b, ":\n", 2);
			comp = dot + 1;
			level++;
		}
		prev = name;
	}
	if (b.failed || !b.p) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

size_t dn_scenario_n_sources(const dn_scenario *s)
{
	return s->n_files;
}

const char *dn_scenario_source(const dn_scenario *s, size_t i)
{
	return i < s->n_files ? s->files[i] : NULL;
}
