/*
 * test_scenario.c: the scenario loader (sim/engine/scenario.c) against a small
 * test registry: defaults, nesting and dotted keys, every error class with
 * its exact message and file:line:column, includes (order, relative paths,
 * missing files, cycles, depth), --set overrides, and the YAML written by
 * dn_scenario_to_yaml loading back to the same values. Files live in a
 * fresh mkdtemp directory that each test removes.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <ftw.h>

#include "scenario.h"

static const dn_param_def test_defs[] = {
    {"sim.end_time_s", DN_PT_INT, "s", "10", 1, 1e9, NULL, "Simulated duration."},
    {"sim.seed", DN_PT_INT, "1", "1", 0, 9e18, NULL, "Master seed."},
    {"sim.sched", DN_PT_ENUM, "", "rr", 0, 0, "rr|pf", "Scheduler."},
    {"sim.trace", DN_PT_BOOL, "", "false", 0, 0, NULL, "Write a trace."},
    {"net.loss", DN_PT_FLOAT, "1", "0.01", 0, 1, NULL, "Packet loss probability."},
    {"net.cell.radius_m", DN_PT_FLOAT, "m", "500", 1, 1e5, NULL, "Cell radius."},
    {"net.cell.count", DN_PT_INT, "1", "4", 1, 1000000, NULL, "Number of cells."},
    {"out.label", DN_PT_STRING, "", "run", 0, 64, NULL, "Label of the run."},
    {"out.note", DN_PT_STRING, "", "", 0, 0, NULL, "Free text."},
};

typedef struct fixture {
	dn_registry *reg;
	char dir[64]; /* temporary directory for files */
	char err[1024];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->reg = dn_registry_new();
	const char *tmp = getenv("TMPDIR");
	int w = snprintf(f->dir, sizeof f->dir, "%s/dnscn-XXXXXX",
	                 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!f->reg || dn_registry_add(f->reg, test_defs, sizeof test_defs / sizeof test_defs[0]) ||
	    w < 0 || (size_t)w >= sizeof f->dir || !mkdtemp(f->dir)) {
		dn_registry_free(f->reg);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes the temporary directory and everything in it. */
static int teardown(void **state)
{
	fixture *f = *state;
	int rc = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	dn_registry_free(f->reg);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* Writes DIR/rel with the given text; the full path goes to path. */
static void write_file(const fixture *f, const char *rel, const char *text, char *path,
                       size_t pathlen)
{
	int w = snprintf(path, pathlen, "%s/%s", f->dir, rel);
	assert_true(w > 0 && (size_t)w < pathlen);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static void put(const fixture *f, const char *rel, const char *text)
{
	char path[256];
	write_file(f, rel, text, path, sizeof path);
}

static dn_scenario *load_ok(fixture *f, const char *text, const char *const *ov, size_t n)
{
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load_string(f->reg, "t.yaml", text, ov, n, &s, f->err, sizeof f->err);
	if (rc != DN_OK)
		fail_msg("load failed (%s): %s", dn_rc_str(rc), f->err);
	assert_non_null(s);
	return s;
}

static void load_err(fixture *f, const char *text, const char *const *ov, size_t n, dn_rc want,
                     const char *want_msg)
{
	dn_scenario *s = (dn_scenario *)&s; /* must be reset to NULL */
	dn_rc rc = dn_scenario_load_string(f->reg, "t.yaml", text, ov, n, &s, f->err, sizeof f->err);
	assert_null(s);
	if (rc != want)
		fail_msg("rc %s, wanted %s; message: %s", dn_rc_str(rc), dn_rc_str(want), f->err);
	assert_string_equal(f->err, want_msg);
}

/* Loads DIR/rel from disk; expects failure with the message (DIR replaced by %s). */
static void load_file_err(fixture *f, const char *rel, dn_rc want, const char *fmt_msg)
{
	char path[256], want_msg[1024];
	int w = snprintf(path, sizeof path, "%s/%s", f->dir, rel);
	assert_true(w > 0 && (size_t)w < sizeof path);
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load(f->reg, path, NULL, 0, &s, f->err, sizeof f->err);
	assert_null(s);
	if (rc != want)
		fail_msg("rc %s, wanted %s; message: %s", dn_rc_str(rc), dn_rc_str(want), f->err);
	/* Every %s in fmt_msg is the directory. */
	char *o = want_msg;
	size_t left = sizeof want_msg;
	for (const char *p = fmt_msg; *p && left > 1; p++) {
		if (p[0] == '%' && p[1] == 's') {
			size_t dl = strlen(f->dir);
			assert_true(dl < left);
			memcpy(o, f->dir, dl);
			o += dl;
			left -= dl;
			p++;
		} else {
			*o++ = *p;
			left--;
		}
	}
	*o = '\0';
	assert_string_equal(f->err, want_msg);
}

static dn_scenario *load_file_ok(fixture *f, const char *rel, const char *const *ov, size_t n)
{
	char path[256];
	int w = snprintf(path, sizeof path, "%s/%s", f->dir, rel);
	assert_true(w > 0 && (size_t)w < sizeof path);
	dn_scenario *s = NULL;
	dn_rc rc = dn_scenario_load(f->reg, path, ov, n, &s, f->err, sizeof f->err);
	if (rc != DN_OK)
		fail_msg("load of %s failed: %s", rel, f->err);
	return s;
}

static void assert_where(const dn_scenario *s, const char *name, const char *file_suffix,
                         int line, int col)
{
	int l = -1, c = -1;
	const char *file = dn_scn_where(s, name, &l, &c);
	if (!file_suffix) {
		assert_null(file);
		assert_int_equal(l, 0);
		assert_int_equal(c, 0);
		return;
	}
	assert_non_null(file);
	size_t fl = strlen(file), sl = strlen(file_suffix);
	if (fl < sl || strcmp(file + fl - sl, file_suffix) != 0)
		fail_msg("%s set in '%s', expected '...%s'", name, file, file_suffix);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
}

/* ---- values ---- */

static void test_defaults(void **state)
{
	fixture *f = *state;
	static const char *const empties[] = {"", "# only a comment\n", "---\n", "\n\n", "~\n"};
	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		dn_scenario *s = load_ok(f, empties[i], NULL, 0);
		assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 10);
		assert_int_equal(dn_scn_int(s, "sim.seed"), 1);
		assert_string_equal(dn_scn_str(s, "sim.sched"), "rr");
		assert_false(dn_scn_bool(s, "sim.trace"));
		assert_true(dn_scn_float(s, "net.loss") == 0.01);
		assert_true(dn_scn_float(s, "net.cell.radius_m") == 500.0);
		assert_string_equal(dn_scn_str(s, "out.label"), "run");
		assert_string_equal(dn_scn_str(s, "out.note"), "");
		for (size_t k = 0; k < sizeof test_defs / sizeof test_defs[0]; k++) {
			assert_false(dn_scn_is_set(s, test_defs[k].name));
			assert_where(s, test_defs[k].name, NULL, 0, 0);
		}
		dn_scenario_free(s);
	}
	/* No file at all. */
	dn_scenario *s = NULL;
	assert_int_equal(dn_scenario_load(f->reg, NULL, NULL, 0, &s, f->err, sizeof f->err), DN_OK);
	assert_int_equal(dn_scn_int(s, "net.cell.count"), 4);
	dn_scenario_free(s);
	assert_int_equal(dn_scenario_load_string(f->reg, "t.yaml", NULL, NULL, 0, &s, f->err,
	                                         sizeof f->err),
	                 DN_OK);
	dn_scenario_free(s);
}

static void test_nested_and_dotted(void **state)
{
	fixture *f = *state;
	dn_scenario *s = load_ok(f,
	                         "sim:\n"
	                         "  end_time_s: 1_000\n"
	                         "  sched: pf\n"
	                         "net.cell:\n"
	                         "  radius_m: 1e3\n"
	                         "net.loss: 0.5\n"
	                         "sim.trace: yes\n"
	                         "out: {label: \"hello world\", note: 'it''s'}\n"
	                         "net:\n"
	                         "  cell: {count: 1e6}\n",
	                         NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 1000);
	assert_string_equal(dn_scn_str(s, "sim.sched"), "pf");
	assert_true(dn_scn_float(s, "net.cell.radius_m") == 1000.0);
	assert_true(dn_scn_float(s, "net.loss") == 0.5);
	assert_true(dn_scn_bool(s, "sim.trace"));
	assert_string_equal(dn_scn_str(s, "out.label"), "hello world");
	assert_string_equal(dn_scn_str(s, "out.note"), "it's");
	assert_int_equal(dn_scn_int(s, "net.cell.count"), 1000000);
	assert_true(dn_scn_is_set(s, "sim.end_time_s"));
	assert_false(dn_scn_is_set(s, "sim.seed"));
	assert_where(s, "sim.end_time_s", "t.yaml", 2, 15);
	assert_where(s, "net.cell.radius_m", "t.yaml", 5, 13);
	assert_where(s, "out.label", "t.yaml", 8, 14);
	assert_where(s, "sim.seed", NULL, 0, 0);
	dn_scenario_free(s);

	/* Integer and number spellings. */
	s = load_ok(f, "sim: {end_time_s: 1000000, seed: 1e6}\nnet.loss: 1e-3\n", NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 1000000);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 1000000);
	assert_true(dn_scn_float(s, "net.loss") == 1e-3);
	dn_scenario_free(s);

	/* A scalar alias is just a value; an empty section sets nothing. */
	s = load_ok(f, "sim:\n  seed: &n 7\n  end_time_s: *n\nnet:\n", NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 7);
	assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 7);
	dn_scenario_free(s);
}

/* ---- errors in one file ---- */

static void test_syntax_errors(void **state)
{
	fixture *f = *state;
	load_err(f, "sim:\n  end_time_s: [1, 2\n", NULL, 0, DN_EPARSE,
	         "t.yaml:3:1: YAML syntax error: did not find expected ',' or ']' "
	         "(while parsing a flow sequence at line 2, column 15)");
	load_err(f, "sim:\n\tseed: 1\n", NULL, 0, DN_EPARSE,
	         "t.yaml:2:1: YAML syntax error: found character that cannot start any token "
	         "(while scanning for the next token at line 2, column 1)");
	load_err(f, "sim.seed: 1\n  x: 2\n", NULL, 0, DN_EPARSE,
	         "t.yaml:2:4: YAML syntax error: mapping values are not allowed in this context");
	load_err(f, "sim.seed: *nope\n", NULL, 0, DN_EPARSE,
	         "t.yaml:1:11: YAML syntax error: found undefined alias");
	load_err(f, "sim.seed: 1\nout.note: \"a\xff\"\n", NULL, 0, DN_EPARSE,
	         "t.yaml:2:13: YAML syntax error: invalid leading UTF-8 octet");
	load_err(f, "sim.seed: 1\n---\nsim.seed: 2\n", NULL, 0, DN_EPARSE,
	         "t.yaml:2:1: expected one YAML document, found a second one");
}

static void test_unknown_keys(void **state)
{
	fixture *f = *state;
	load_err(f, "sim:\n  end_tme_s: 5\n", NULL, 0, DN_EUNKNOWN,
	         "t.yaml:2:3: unknown parameter 'sim.end_tme_s'; did you mean 'sim.end_time_s'?");
	load_err(f, "sim.end_tme_s: 5\n", NULL, 0, DN_EUNKNOWN,
	         "t.yaml:1:1: unknown parameter 'sim.end_tme_s'; did you mean 'sim.end_time_s'?");
	load_err(f, "simm:\n  seed: 1\n", NULL, 0, DN_EUNKNOWN,
	         "t.yaml:1:1: unknown parameter 'simm'; did you mean 'sim'?");
	load_err(f, "net:\n  cell:\n    radius: 3\n", NULL, 0, DN_EUNKNOWN,
	         "t.yaml:3:5: unknown parameter 'net.cell.radius'; did you mean 'net.cell.radius_m'?");
	load_err(f, "foo.bar: 1\n", NULL, 0, DN_EUNKNOWN, "t.yaml:1:1: unknown parameter 'foo.bar'");
	load_err(f, "sim:\n  include: x.yaml\n", NULL, 0, DN_EUNKNOWN,
	         "t.yaml:2:3: unknown parameter 'sim.include'");
	load_err(f, "[a]: 1\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:1: expected a parameter name as key, got a sequence");
}

static void test_wrong_types(void **state)
{
	fixture *f = *state;
	load_err(f, "sim: {end_time_s: abc}\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:19: sim.end_time_s: expected an integer (got 'abc')");
	load_err(f, "sim.end_time_s: 1.5\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:17: sim.end_time_s: expected an integer (got '1.5')");
	load_err(f, "net:\n  loss: high\n", NULL, 0, DN_ETYPE,
	         "t.yaml:2:9: net.loss: expected a number (got 'high')");
	load_err(f, "net.loss: .inf\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: net.loss: expected a finite number (got '.inf')");
	load_err(f, "sim.trace: maybe\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: sim.trace: expected true or false (got 'maybe')");
	load_err(f, "sim.sched: fifo\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: sim.sched: expected one of: rr, pf (got 'fifo')");
	load_err(f, "sim: 5\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:6: sim: expected a mapping (a section of parameters), got a scalar");
	load_err(f, "net:\n  cell: [1]\n", NULL, 0, DN_ETYPE,
	         "t.yaml:2:9: net.cell: expected a mapping (a section of parameters), got a sequence");
	load_err(f, "sim:\n  seed: [1, 2]\n", NULL, 0, DN_ETYPE,
	         "t.yaml:2:9: sim.seed: expected a scalar (an integer), got a sequence");
	load_err(f, "sim:\n  sched: {a: 1}\n", NULL, 0, DN_ETYPE,
	         "t.yaml:2:10: sim.sched: expected a scalar (one of: rr, pf), got a mapping");
	load_err(f, "sim.seed: \"5\"\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer, not a quoted string");
	load_err(f, "sim.trace: 'true'\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: sim.trace: expected true or false, not a quoted string");
	load_err(f, "out.label: ~\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: out.label: missing value (expected a string)");
	load_err(f, "- 1\n- 2\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:1: expected a mapping of parameters at the top level, got a sequence");
	load_err(f, "42\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:1: expected a mapping of parameters at the top level, got a scalar");
}

static void test_ranges(void **state)
{
	fixture *f = *state;
	load_err(f, "sim:\n  end_time_s: 0\n", NULL, 0, DN_ERANGE,
	         "t.yaml:2:15: sim.end_time_s: must be between 1 and 1000000000 (got 0)");
	load_err(f, "net.loss: 1.5\n", NULL, 0, DN_ERANGE,
	         "t.yaml:1:11: net.loss: must be between 0 and 1 (got 1.5)");
	load_err(f, "net.cell.count: 2e6\n", NULL, 0, DN_ERANGE,
	         "t.yaml:1:17: net.cell.count: must be between 1 and 1000000 (got 2e6)");
	load_err(f,
	         "out.label: "
	         "\"0123456789012345678901234567890123456789012345678901234567890123456789\"\n",
	         NULL, 0, DN_ERANGE,
	         "t.yaml:1:12: out.label: must be between 0 and 64 bytes long (got 70)");
	load_err(f, "out.note: \"a\\0b\"\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: out.note: expected a string of valid UTF-8 without NUL bytes");
}

static void test_duplicates(void **state)
{
	fixture *f = *state;
	load_err(f, "sim:\n  seed: 1\nsim:\n  end_time_s: 2\n", NULL, 0, DN_EINVAL,
	         "t.yaml:3:1: duplicate key 'sim' (first at line 1, column 1)");
	load_err(f, "sim:\n  seed: 1\n  trace: on\n  seed: 2\n", NULL, 0, DN_EINVAL,
	         "t.yaml:4:3: duplicate key 'seed' (first at line 2, column 3)");
	load_err(f, "sim:\n  seed: 1\nsim.seed: 2\n", NULL, 0, DN_EINVAL,
	         "t.yaml:3:11: sim.seed: set twice in this file (first at line 2, column 9)");
	/* A mapping reached twice through an alias would be walked twice. */
	load_err(f, "net.cell: &c\n  count: 2\nnet: {cell: *c}\n", NULL, 0, DN_EINVAL,
	         "t.yaml:3:7: net.cell: a mapping used twice through a YAML alias "
	         "(aliases of mappings are not supported)");
}

static void test_size_limit(void **state)
{
	fixture *f = *state;
	size_t n = (size_t)16 * 1024 * 1024 + 1;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, '#', n);
	big[n] = '\0';
	load_err(f, big, NULL, 0, DN_ELIMIT, "t.yaml:1:1: scenario text larger than 16 MiB");
	free(big);
}

/* ---- includes ---- */

static void test_include_order(void **state)
{
	fixture *f = *state;
	put(f, "base.yaml", "sim:\n  seed: 1\n  end_time_s: 100\nnet.loss: 0.1\nout.label: base\n");
	put(f, "mid.yaml", "sim.seed: 2\nout.label: mid\n");
	put(f, "main.yaml", "include: [base.yaml, mid.yaml]\nout.label: main\n");
	static const char *const ov[] = {"net.loss=0.2"};
	dn_scenario *s = load_file_ok(f, "main.yaml", ov, 1);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 2);          /* later include wins */
	assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 100);  /* from the first include */
	assert_string_equal(dn_scn_str(s, "out.label"), "main"); /* the file beats includes */
	assert_true(dn_scn_float(s, "net.loss") == 0.2);         /* --set beats the file */
	assert_false(dn_scn_is_set(s, "sim.trace"));
	assert_where(s, "sim.seed", "/mid.yaml", 1, 11);
	assert_where(s, "sim.end_time_s", "/base.yaml", 3, 15);
	assert_where(s, "out.label", "/main.yaml", 2, 12);
	assert_where(s, "net.loss", "<command line>", 1, 10);
	dn_scenario_free(s);

	/* Includes count as lower priority wherever the key stands. */
	put(f, "after.yaml", "sim.seed: 9\ninclude: base.yaml\n");
	s = load_file_ok(f, "after.yaml", NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 9);
	assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 100);
	dn_scenario_free(s);

	/* Paths are relative to the including file. */
	char sub[128];
	int w = snprintf(sub, sizeof sub, "%s/sub", f->dir);
	assert_true(w > 0 && (size_t)w < sizeof sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(f, "sub/a.yaml", "include: b.yaml\nsim.seed: 5\n");
	put(f, "sub/b.yaml", "include: ../base.yaml\nsim.end_time_s: 7\n");
	put(f, "rel.yaml", "include: sub/a.yaml\n");
	s = load_file_ok(f, "rel.yaml", NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 5);
	assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 7);
	assert_true(dn_scn_float(s, "net.loss") == 0.1);
	dn_scenario_free(s);

	/* From a string, relative to the directory part of its name. */
	char name[256];
	w = snprintf(name, sizeof name, "%s/inline.yaml", f->dir);
	assert_true(w > 0 && (size_t)w < sizeof name);
	assert_int_equal(dn_scenario_load_string(f->reg, name, "include: mid.yaml\n", NULL, 0, &s,
	                                         f->err, sizeof f->err),
	                 DN_OK);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 2);
	dn_scenario_free(s);

	/* Including the same base twice is not a cycle. */
	put(f, "twice.yaml", "include: [base.yaml, mid.yaml, base.yaml]\n");
	s = load_file_ok(f, "twice.yaml", NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 1);
	dn_scenario_free(s);
}

static void test_include_errors(void **state)
{
	fixture *f = *state;
	put(f, "miss.yaml", "sim.seed: 3\ninclude: nothere.yaml\n");
	load_file_err(f, "miss.yaml", DN_EIO,
	              "%s/miss.yaml:2:10: include: cannot read '%s/nothere.yaml': "
	              "No such file or directory");
	load_file_err(f, "none.yaml", DN_EIO,
	              "%s/none.yaml: cannot read the scenario file: No such file or directory");

	put(f, "a.yaml", "include: b.yaml\n");
	put(f, "b.yaml", "sim.seed: 1\ninclude:\n  - a.yaml\n");
	load_file_err(f, "a.yaml", DN_EINVAL,
	              "%s/b.yaml:3:5: include: include cycle: %s/a.yaml -> %s/b.yaml -> %s/a.yaml");
	put(f, "self.yaml", "include: self.yaml\n");
	load_file_err(f, "self.yaml", DN_EINVAL,
	              "%s/self.yaml:1:10: include: include cycle: %s/self.yaml -> %s/self.yaml");

	/* d0 -> d1 -> ... -> d17: the 17th level is one too many. */
	for (int i = 0; i <= 17; i++) {
		char rel[32], text[64];
		int w1 = snprintf(rel, sizeof rel, "d%d.yaml", i);
		int w2 = i < 17 ? snprintf(text, sizeof text, "include: d%d.yaml\n", i + 1)
		                : snprintf(text, sizeof text, "sim.seed: 17\n");
		assert_true(w1 > 0 && w2 > 0);
		put(f, rel, text);
	}
	load_file_err(f, "d0.yaml", DN_ELIMIT,
	              "%s/d16.yaml:1:10: include: includes nested more than 16 deep "
	              "(at '%s/d17.yaml')");
	dn_scenario *s = load_file_ok(f, "d1.yaml", NULL, 0); /* 16 levels are fine */
	assert_int_equal(dn_scn_int(s, "sim.seed"), 17);
	dn_scenario_free(s);

	load_err(f, "include: {a: 1}\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:10: include: expected a file name or a list of file names, got a mapping");
	load_err(f, "include: [x.yaml, [y.yaml]]\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:19: include: expected a file name or a list of file names, got a sequence");
	load_err(f, "include:\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:9: include: expected a file name or a list of file names, got nothing");

	/* An error inside an included file points into that file. */
	put(f, "bad.yaml", "sim:\n  seed: x\n");
	put(f, "usesbad.yaml", "include: bad.yaml\n");
	load_file_err(f, "usesbad.yaml", DN_ETYPE,
	              "%s/bad.yaml:2:9: sim.seed: expected an integer (got 'x')");

	/* A directory is not a scenario. */
	char sub[128];
	int w = snprintf(sub, sizeof sub, "%s/adir", f->dir);
	assert_true(w > 0 && (size_t)w < sizeof sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(f, "dir.yaml", "include: adir\n");
	load_file_err(f, "dir.yaml", DN_EIO,
	              "%s/dir.yaml:1:10: include: cannot read '%s/adir': not a regular file");
}

/* Diamond-shaped includes would multiply: f0 includes f1 twice, f1 includes f2 twice, ... */
static void test_include_fan_out(void **state)
{
	fixture *f = *state;
	for (int i = 0; i <= 12; i++) {
		char rel[32], text[96];
		int w1 = snprintf(rel, sizeof rel, "f%d.yaml", i);
		int w2 = i < 12 ? snprintf(text, sizeof text, "include: [f%d.yaml, f%d.yaml]\n", i + 1, i + 1)
		                : snprintf(text, sizeof text, "sim.seed: 12\n");
		assert_true(w1 > 0 && w2 > 0);
		put(f, rel, text);
	}
	char path[256];
	int w = snprintf(path, sizeof path, "%s/f0.yaml", f->dir);
	assert_true(w > 0 && (size_t)w < sizeof path);
	dn_scenario *s = NULL;
	assert_int_equal(dn_scenario_load(f->reg, path, NULL, 0, &s, f->err, sizeof f->err),
	                 DN_ELIMIT);
	assert_null(s);
	assert_non_null(strstr(f->err, ".yaml:1:"));
	assert_non_null(strstr(f->err, ": include: more than 1024 files loaded in all"));
	/* Six levels (64 loads) are fine. */
	s = load_file_ok(f, "f6.yaml", NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 12);
	dn_scenario_free(s);
}

/*
 * Inputs that would make libyaml quadratic are refused early: deep
 * nesting (its scanner slows down with the flow depth for every token),
 * many anchors, many directives.
 */
static void test_deep_nesting(void **state)
{
	fixture *f = *state;
	size_t n = 4 * 1024 * 1024;
	char *text = malloc(n + 16);
	assert_non_null(text);
	memcpy(text, "sim.seed: ", 10);
	memset(text + 10, '[', n);
	memset(text + 10 + n / 2, ']', n / 2);
	text[10 + n] = '\0';
	load_err(f, text, NULL, 0, DN_ELIMIT, "t.yaml:1:74: YAML nested more than 64 levels deep");
	/* 63 levels under the root mapping are fine for YAML, and refused as a value. */
	memset(text + 10, '[', 63);
	memset(text + 10 + 63, ']', 63);
	text[10 + 126] = '\0';
	load_err(f, text, NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected a scalar (an integer), got a sequence");

	/* libyaml compares every anchor with every earlier one: at most 1024. */
	size_t k = 0;
	for (int i = 0; i < 1100; i++) {
		int w = snprintf(text + k, n - k, "k%d: &a%d 1\n", i, i);
		assert_true(w > 0);
		k += (size_t)w;
	}
	load_err(f, text, NULL, 0, DN_ELIMIT, "t.yaml:1025:8: more than 1024 YAML anchors and aliases");
	/* Likewise %TAG directives: at most 64. */
	k = 0;
	for (int i = 0; i < 70; i++) {
		int w = snprintf(text + k, n - k, "%%TAG !t%d! tag:example.org,2026:\n", i);
		assert_true(w > 0);
		k += (size_t)w;
	}
	memcpy(text + k, "---\nsim.seed: 1\n", sizeof "---\nsim.seed: 1\n");
	load_err(f, text, NULL, 0, DN_ELIMIT, "t.yaml:65:1: more than 64 YAML directives");
	free(text);
}

/* ---- --set ---- */

static void test_overrides(void **state)
{
	fixture *f = *state;
	static const char *const good[] = {"sim.seed=4", "sim.seed=5", "out.note=a b = c",
	                                   " sim.trace = on ", "out.label="};
	dn_scenario *s = load_ok(f, "sim.seed: 3\nout.label: x\n", good, 5);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 5);
	assert_string_equal(dn_scn_str(s, "out.note"), "a b = c");
	assert_true(dn_scn_bool(s, "sim.trace"));
	assert_string_equal(dn_scn_str(s, "out.label"), "");
	assert_where(s, "sim.seed", "<command line>", 1, 10);
	assert_where(s, "sim.trace", "<command line>", 1, 14);
	dn_scenario_free(s);

	static const char *const no_eq[] = {"sim.seed"};
	load_err(f, "", no_eq, 1, DN_EINVAL, "<command line>:1:1: --set 'sim.seed': expected NAME=VALUE");
	static const char *const unknown[] = {"sim.seed=1", "sim.sed=3"};
	load_err(f, "", unknown, 2, DN_EUNKNOWN,
	         "<command line>:1:1: --set 'sim.sed=3': unknown parameter 'sim.sed'; "
	         "did you mean 'sim.seed'?");
	static const char *const section[] = {"sim=3"};
	load_err(f, "", section, 1, DN_EUNKNOWN,
	         "<command line>:1:1: --set 'sim=3': 'sim' is a section, not a parameter");
	static const char *const bad[] = {"sim.seed=x"};
	load_err(f, "", bad, 1, DN_ETYPE,
	         "<command line>:1:10: --set 'sim.seed=x': sim.seed: expected an integer (got 'x')");
	static const char *const range[] = {"sim.end_time_s=0"};
	load_err(f, "", range, 1, DN_ERANGE,
	         "<command line>:1:16: --set 'sim.end_time_s=0': sim.end_time_s: must be between 1 "
	         "and 1000000000 (got 0)");
	static const char *const bad_utf8[] = {"out.note=\xff"};
	load_err(f, "", bad_utf8, 1, DN_ETYPE,
	         "<command line>:1:10: --set 'out.note=?': out.note: expected a string of valid "
	         "UTF-8 without NUL bytes");
	/* File errors come first: overrides never hide them, and are checked too. */
	load_err(f, "sim.seed: x\n", bad, 1, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer (got 'x')\n"
	         "<command line>:1:10: --set 'sim.seed=x': sim.seed: expected an integer (got 'x')");
}

/* ---- round trip ---- */

static void assert_same_values(const dn_scenario *a, const dn_scenario *b)
{
	for (size_t i = 0; i < sizeof test_defs / sizeof test_defs[0]; i++) {
		const dn_param_def *d = &test_defs[i];
		switch (d->type) {
		case DN_PT_INT:
			assert_true(dn_scn_int(a, d->name) == dn_scn_int(b, d->name));
			break;
		case DN_PT_FLOAT: {
			double x = dn_scn_float(a, d->name), y = dn_scn_float(b, d->name);
			assert_memory_equal(&x, &y, sizeof x);
			break;
		}
		case DN_PT_BOOL:
			assert_true(dn_scn_bool(a, d->name) == dn_scn_bool(b, d->name));
			break;
		case DN_PT_STRING:
		case DN_PT_ENUM:
			assert_string_equal(dn_scn_str(a, d->name), dn_scn_str(b, d->name));
			break;
		}
	}
}

static void round_trip(fixture *f, const dn_scenario *s)
{
	char *y = dn_scenario_to_yaml(s);
	assert_non_null(y);
	dn_scenario *back = NULL;
	if (dn_scenario_load_string(f->reg, "out.yaml", y, NULL, 0, &back, f->err, sizeof f->err))
		fail_msg("to_yaml output does not load: %s\n%s", f->err, y);
	assert_same_values(s, back);
	char *y2 = dn_scenario_to_yaml(back);
	assert_non_null(y2);
	assert_string_equal(y, y2);
	free(y2);
	free(y);
	dn_scenario_free(back);
}

static void test_to_yaml(void **state)
{
	fixture *f = *state;
	dn_scenario *s = load_ok(f, "", NULL, 0);
	char *y = dn_scenario_to_yaml(s);
	assert_non_null(y);
	assert_string_equal(y, "# dnetsim scenario, fully resolved: every parameter, defaults included\n"
	                       "net:\n"
	                       "  cell:\n"
	                       "    count: 4  # 1\n"
	                       "    radius_m: 500  # m\n"
	                       "  loss: 0.01  # 1\n"
	                       "out:\n"
	                       "  label: \"run\"\n"
	                       "  note: \"\"\n"
	                       "sim:\n"
	                       "  end_time_s: 10  # s\n"
	                       "  sched: \"rr\"\n"
	                       "  seed: 1  # 1\n"
	                       "  trace: false\n");
	free(y);
	round_trip(f, s);
	dn_scenario_free(s);

	/* Awkward values: escapes, line separators, BOM, C1 controls, emoji, the smallest normal float. */
	static const char *const ov[] = {
	    ("out.note=q\"uo\\te\ttab \xc2\x85 nel \xef\xbb\xbf bom \xe2\x80\xa8 ls \xf0\x9f\x98\x80 "
	     "# not a comment: {x} [y] &z *w"),
	    "out.label=- yes", "net.loss=2.2250738585072014e-308", "net.cell.radius_m=0.1e1",
	    "sim.seed=9000000000000000000"};
	s = load_ok(f, "sim: {trace: true, sched: pf}\nout.label: \"\\x01\\n\\u2029\"\n", ov, 5);
	round_trip(f, s);
	dn_scenario_free(s);
	s = load_ok(f, "out.note: \"\\x01\\n\\u2029 \\\" \\\\ \\t\"\nnet.loss: 0.30000000000000004\n",
	            NULL, 0);
	round_trip(f, s);
	dn_scenario_free(s);
}

/* ---- hostile corners ---- */

/* An explicit tag decides the value's type; it must be the parameter's own. */
static void test_str_tag_refused_for_int(void **state)
{
	fixture *f = *state;
	load_err(f, "sim.seed: !!str 3\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer, but its YAML tag makes it a string");
	load_err(f, "sim.trace: !!str yes\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: sim.trace: expected true or false, but its YAML tag makes it a string");
	load_err(f, "net.loss: ! 0.5\n", NULL, 0, DN_ETYPE, /* "!" alone means a string */
	         "t.yaml:1:11: net.loss: expected a number, but its YAML tag makes it a string");
	load_err(f, "sim:\n  seed: &a !!str 3\n", NULL, 0, DN_ETYPE,
	         "t.yaml:2:9: sim.seed: expected an integer, but its YAML tag makes it a string");
	load_err(f, "sim.seed: !!str &a 3\nsim.end_time_s: *a\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer, but its YAML tag makes it a string");
	load_err(f, "sim.seed: !<tag:yaml.org,2002:str> 3\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer, but its YAML tag makes it a string");
	load_err(f, "sim.seed: !!float 3\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer, but its YAML tag makes it a float");
	load_err(f, "out.label: !!int 3\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: out.label: expected a string, but its YAML tag makes it an integer");
	load_err(f, "sim.sched: !!bool pf\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: sim.sched: expected one of: rr, pf, but its YAML tag makes it a "
	         "boolean");
	load_err(f, "out.label: !secret x\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: out.label: expected a string, not a value with the YAML tag '!secret'");
	load_err(f, "out.label: !!binary aGk=\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:12: out.label: expected a string, not a value with the YAML tag '!!binary'");
	load_err(f, "sim.seed: !!null\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: missing value (expected an integer)");
	/* Quoted scalars are strings too (unchanged). */
	load_err(f, "sim.seed: '3'\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer, not a quoted string");

	/* A tag that agrees is fine; it even makes a quoted scalar a number, as YAML says. */
	dn_scenario *s = load_ok(f,
	                         "sim: {seed: !!int 3, end_time_s: !!int \"4\", trace: !!bool on}\n"
	                         "net.loss: !!float 0.5\n"
	                         "out: {label: !!str 3, note: !!str ~}\n"
	                         "sim.sched: !!str pf\n",
	                         NULL, 0);
	assert_int_equal(dn_scn_int(s, "sim.seed"), 3);
	assert_int_equal(dn_scn_int(s, "sim.end_time_s"), 4);
	assert_true(dn_scn_bool(s, "sim.trace"));
	assert_true(dn_scn_float(s, "net.loss") == 0.5);
	assert_string_equal(dn_scn_str(s, "out.label"), "3");
	assert_string_equal(dn_scn_str(s, "out.note"), "~");
	assert_string_equal(dn_scn_str(s, "sim.sched"), "pf");
	round_trip(f, s);
	dn_scenario_free(s);
	/* The number syntax still applies under a tag. */
	load_err(f, "sim.seed: !!int \"0x10\"\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer (got '0x10'; only decimal numbers are "
	         "accepted, not hexadecimal, octal or binary)");

	/* Tagged scalars are bounded like anchors. */
	size_t cap = 64 * 1100, k = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (int i = 0; i < 1100; i++) {
		int w = snprintf(text + k, cap - k, "k%04d: !!str x\n", i);
		assert_true(w > 0);
		k += (size_t)w;
	}
	load_err(f, text, NULL, 0, DN_ELIMIT, "t.yaml:1025:8: more than 1024 tagged YAML scalars");
	free(text);
}

/* sim.seed: 1e-400 must not read as 0; the same for floats and --set. */
static void test_float_underflow_refused_in_files(void **state)
{
	fixture *f = *state;
	load_err(f, "sim.seed: 1e-400\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:11: sim.seed: expected an integer (got '1e-400')");
	load_err(f, "net.loss: 1e-400\n", NULL, 0, DN_ERANGE,
	         "t.yaml:1:11: net.loss: too close to zero to be represented (got '1e-400'; the "
	         "smallest magnitude besides 0 is 2.2250738585072014e-308)");
	load_err(f, "net.loss: 4e-320\n", NULL, 0, DN_ERANGE,
	         "t.yaml:1:11: net.loss: too close to zero to be represented (got '4e-320'; the "
	         "smallest magnitude besides 0 is 2.2250738585072014e-308)");
}

/* --set values go through the same strict number syntax as files. */
static void test_set_strict_numbers(void **state)
{
	fixture *f = *state;
	static const char *const octal[] = {"sim.seed=017"};
	load_err(f, "", octal, 1, DN_ETYPE,
	         "<command line>:1:10: --set 'sim.seed=017': sim.seed: expected an integer (got "
	         "'017'; a leading zero is ambiguous: YAML 1.1 reads 017 as octal 15, YAML 1.2 as 17)");
	static const char *const tiny_int[] = {"sim.seed=1e-400"};
	load_err(f, "", tiny_int, 1, DN_ETYPE,
	         "<command line>:1:10: --set 'sim.seed=1e-400': sim.seed: expected an integer "
	         "(got '1e-400')");
	static const char *const tiny[] = {"net.loss=1e-400"};
	load_err(f, "", tiny, 1, DN_ERANGE,
	         "<command line>:1:10: --set 'net.loss=1e-400': net.loss: too close to zero to be "
	         "represented (got '1e-400'; the smallest magnitude besides 0 is "
	         "2.2250738585072014e-308)");
	static const char *const big[] = {"sim.seed=9000000000000000001"};
	load_err(f, "", big, 1, DN_ERANGE,
	         "<command line>:1:10: --set 'sim.seed=9000000000000000001': sim.seed: must be "
	         "between 0 and 9000000000000000000 (got 9000000000000000001)");
	static const char *const hex[] = {"net.cell.count=0x10"};
	load_err(f, "", hex, 1, DN_ETYPE,
	         "<command line>:1:16: --set 'net.cell.count=0x10': net.cell.count: expected an "
	         "integer (got '0x10'; only decimal numbers are accepted, not hexadecimal, octal or "
	         "binary)");
	static const char *const edge[] = {"sim.seed=9e18", "net.cell.count=1.0e3"};
	dn_scenario *s = load_ok(f, "", edge, 2);
	assert_true(dn_scn_int(s, "sim.seed") == INT64_C(9000000000000000000));
	assert_int_equal(dn_scn_int(s, "net.cell.count"), 1000);
	dn_scenario_free(s);
	/* In a file, the same. */
	load_err(f, "sim.seed: 9000000000000000001\n", NULL, 0, DN_ERANGE,
	         "t.yaml:1:11: sim.seed: must be between 0 and 9000000000000000000 "
	         "(got 9000000000000000001)");
	load_err(f, "net.cell.count: 017\n", NULL, 0, DN_ETYPE,
	         "t.yaml:1:17: net.cell.count: expected an integer (got '017'; a leading zero is "
	         "ambiguous: YAML 1.1 reads 017 as octal 15, YAML 1.2 as 17)");
}

/* /proc files say they are empty (st_size 0): they are read by what they hold. */
static void test_proc_include_read_by_content(void **state)
{
	fixture *f = *state;
	if (access("/proc/self/status", R_OK) != 0)
		skip();
	put(f, "proc.yaml", "include: /proc/self/status\n");
	char path[256];
	int w = snprintf(path, sizeof path, "%s/proc.yaml", f->dir);
	assert_true(w > 0 && (size_t)w < sizeof path);
	dn_scenario *s = (dn_scenario *)&s;
	dn_rc rc = dn_scenario_load(f->reg, path, NULL, 0, &s, f->err, sizeof f->err);
	assert_null(s);
	if (rc != DN_EPARSE && rc != DN_EUNKNOWN)
		fail_msg("rc %s: %s", dn_rc_str(rc), f->err);
	assert_true(strncmp(f->err, "/proc/self/status:1:", 20) == 0);
	/* Its first key ("Name") is no parameter name, so it is not shown. */
	assert_null(strstr(f->err, "Name"));

	/* A FIFO is refused without blocking (it would wait for a writer). */
	char fifo[256];
	w = snprintf(fifo, sizeof fifo, "%s/fifo", f->dir);
	assert_true(w > 0 && (size_t)w < sizeof fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	put(f, "fifo.yaml", "include: fifo\n");
	load_file_err(f, "fifo.yaml", DN_EIO,
	              "%s/fifo.yaml:1:10: include: cannot read '%s/fifo': not a regular file");

	/* The size bound holds for files too (a sparse file: nothing is written). */
	char big[256];
	w = snprintf(big, sizeof big, "%s/big.yaml", f->dir);
	assert_true(w > 0 && (size_t)w < sizeof big);
	FILE *fp = fopen(big, "wb");
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), (off_t)16 * 1024 * 1024 + 1), 0);
	assert_int_equal(fclose(fp), 0);
	put(f, "usesbig.yaml", "include: big.yaml\n");
	load_file_err(f, "usesbig.yaml", DN_EIO,
	              "%s/usesbig.yaml:1:10: include: cannot read '%s/big.yaml': larger than 16 MiB");
}

/* Loads DIR/rel, expects failure, and checks that none of `secrets` is in the message. */
static void expect_not_echoed(fixture *f, const char *rel, const char *const *secrets, size_t n)
{
	char path[256];
	int w = snprintf(path, sizeof path, "%s/%s", f->dir, rel);
	assert_true(w > 0 && (size_t)w < sizeof path);
	dn_scenario *s = (dn_scenario *)&s;
	dn_rc rc = dn_scenario_load(f->reg, path, NULL, 0, &s, f->err, sizeof f->err);
	assert_null(s);
	assert_true(rc != DN_OK);
	for (size_t i = 0; i < n; i++)
		if (strstr(f->err, secrets[i]))
			fail_msg("'%s' is echoed: %s", secrets[i], f->err);
}

/* A file that is no scenario (an include of /etc/shadow) must not be quoted in errors. */
static void test_nonyaml_include_not_echoed(void **state)
{
	fixture *f = *state;
	static const char *const secrets[] = {"root", "$y$", "j9T", "19000", "99999", "daemon",
	                                      "Hash"};
	/* YAML reads this first line as a key (it ends in ':'), and the file as a mapping. */
	put(f, "shadow", "root:$y$j9T$Hash0123456789$abcdefghijklmnop:19000:0:99999:7:::\n"
	                 "daemon:*:19000:0:99999:7:::\n");
	put(f, "uses-shadow.yaml", "include: shadow\n");
	load_file_err(f, "uses-shadow.yaml", DN_EUNKNOWN,
	              "%s/shadow:1:1: unknown parameter (the key is not shown: it is not a "
	              "parameter name)");
	expect_not_echoed(f, "uses-shadow.yaml", secrets, sizeof secrets / sizeof secrets[0]);
	/* The single first line alone. */
	put(f, "shadow1", "root:$y$j9T$Hash0123456789$abcdefghijklmnop:19000:0:99999:7:::\n");
	put(f, "uses-shadow1.yaml", "include: shadow1\n");
	expect_not_echoed(f, "uses-shadow1.yaml", secrets, sizeof secrets / sizeof secrets[0]);
	/* As the top-level file too. */
	expect_not_echoed(f, "shadow", secrets, sizeof secrets / sizeof secrets[0]);
	/* Under a section, and repeated: neither message quotes it. */
	put(f, "nested", "sim:\n  rootHash$1: 1\n");
	expect_not_echoed(f, "nested", secrets, sizeof secrets / sizeof secrets[0]);
	load_file_err(f, "nested", DN_EUNKNOWN,
	              "%s/nested:2:3: unknown parameter under 'sim' (the key is not shown: it is not "
	              "a parameter name)");
	put(f, "dup", "rootHash$1: 1\nrootHash$1: 2\n");
	load_file_err(f, "dup", DN_EINVAL,
	              "%s/dup:2:1: duplicate key (first at line 1, column 1; the key is not shown: it "
	              "is not a parameter name)");
	/* A long key is not shown either, though its bytes could be a name. */
	put(f, "long", "root0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef: 1\n");
	expect_not_echoed(f, "long", secrets, sizeof secrets / sizeof secrets[0]);
	/* Syntax errors give libyaml's reason and the place, no text. */
	put(f, "broken", "root: [Hash$\n");
	expect_not_echoed(f, "broken", secrets, sizeof secrets / sizeof secrets[0]);
	put(f, "binary", "root: \xfe\xed\n");
	load_file_err(f, "binary", DN_EPARSE,
	              "%s/binary:1:7: YAML syntax error: invalid leading UTF-8 octet");
	put(f, "scalar", "root$Hash\n");
	load_file_err(f, "scalar", DN_ETYPE,
	              "%s/scalar:1:1: expected a mapping of parameters at the top level, got a scalar");
	/* A key that could be a name is still named. */
	put(f, "typo", "sim.sed: 1\n");
	load_file_err(f, "typo", DN_EUNKNOWN,
	              "%s/typo:1:1: unknown parameter 'sim.sed'; did you mean 'sim.seed'?");
}

/* ---- getters ---- */

/* Runs fn in a child process and expects it to abort. */
static void expect_abort(fixture *f, void (*fn)(const dn_scenario *))
{
	dn_scenario *s = load_ok(f, "", NULL, 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Keep the expected complaint out of the test log. */
		FILE *devnull = freopen("/dev/null", "w", stderr);
		(void)devnull;
		fn(s);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	dn_scenario_free(s);
}

static void get_unknown(const dn_scenario *s)
{
	(void)dn_scn_int(s, "sim.nope");
}

static void get_wrong_type(const dn_scenario *s)
{
	(void)dn_scn_int(s, "sim.sched");
}

static void get_str_of_float(const dn_scenario *s)
{
	(void)dn_scn_str(s, "net.loss");
}

/* ---- every error of a file in one pass ---- */

static void test_all_errors_in_one_pass(void **state)
{
	fixture *f = *state;
	/* Three independent mistakes: an unknown key, a wrong type, a value out of range. */
	static const char three[] = "sim:\n"
	                            "  end_tme_s: 5\n"
	                            "  seed: x\n"
	                            "net:\n"
	                            "  loss: 2\n";
	load_err(f, three, NULL, 0, DN_EUNKNOWN,
	         "t.yaml:2:3: unknown parameter 'sim.end_tme_s'; did you mean 'sim.end_time_s'?\n"
	         "t.yaml:3:9: sim.seed: expected an integer (got 'x')\n"
	         "t.yaml:5:9: net.loss: must be between 0 and 1 (got 2)");
	/* The same from disk, with the overrides' mistakes after the file's. */
	put(f, "three.yaml", three);
	load_file_err(f, "three.yaml", DN_EUNKNOWN,
	              "%s/three.yaml:2:3: unknown parameter 'sim.end_tme_s'; did you mean "
	              "'sim.end_time_s'?\n"
	              "%s/three.yaml:3:9: sim.seed: expected an integer (got 'x')\n"
	              "%s/three.yaml:5:9: net.loss: must be between 0 and 1 (got 2)");
	static const char *const ov[] = {"sim.trace=maybe", "sim.seed=3", "out.lable=x"};
	load_err(f, "net.loss: 2\n", ov, 3, DN_ERANGE,
	         "t.yaml:1:11: net.loss: must be between 0 and 1 (got 2)\n"
	         "<command line>:1:11: --set 'sim.trace=maybe': sim.trace: expected true or false "
	         "(got 'maybe')\n"
	         "<command line>:1:1: --set 'out.lable=x': unknown parameter 'out.lable'; did you "
	         "mean 'out.label'?");
	/* A mapping with a duplicate key is not walked, but its siblings are. */
	load_err(f, "sim:\n  seed: x\n  seed: y\nnet.loss: 2\n", NULL, 0, DN_EINVAL,
	         "t.yaml:3:3: duplicate key 'seed' (first at line 2, column 3)\n"
	         "t.yaml:4:11: net.loss: must be between 0 and 1 (got 2)");
	/* An included file's mistakes come before the including file's. */
	put(f, "base.yaml", "sim.seed: -1\n");
	put(f, "top.yaml", "net.loss: 2\ninclude: base.yaml\n");
	load_file_err(f, "top.yaml", DN_ERANGE,
	              "%s/base.yaml:1:11: sim.seed: must be between 0 and 9000000000000000000 (got -1)\n"
	              "%s/top.yaml:1:11: net.loss: must be between 0 and 1 (got 2)");
	/* A syntax error stays the only one. */
	dn_scenario *s = NULL;
	assert_int_equal(dn_scenario_load_string(f->reg, "t.yaml", "sim.seed: x\nnet.loss: [\n", NULL,
	                                         0, &s, f->err, sizeof f->err),
	                 DN_EPARSE);
	assert_null(s);
	assert_null(strchr(f->err, '\n'));
	assert_non_null(strstr(f->err, "YAML syntax error"));
}

/* Errors are bounded: 50 lines, then "... and N more errors"; only whole lines. */
static void test_errors_bounded(void **state)
{
	fixture *f = *state;
	char text[4096], want[64];
	size_t off = 0;
	for (int i = 0; i < 60; i++)
		off += (size_t)snprintf(text + off, sizeof text - off, "k%d: 1\n", i);
	static char err[16384];
	dn_scenario *s = NULL;
	assert_int_equal(dn_scenario_load_string(f->reg, "t.yaml", text, NULL, 0, &s, err, sizeof err),
	                 DN_EUNKNOWN);
	assert_null(s);
	size_t lines = 1;
	for (const char *p = err; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 51);
	assert_non_null(strstr(err, "t.yaml:1:1: unknown parameter 'k0'\n"));
	assert_non_null(strstr(err, "\nt.yaml:50:1: unknown parameter 'k49'\n... and 10 more errors"));
	assert_null(strstr(err, "k50"));
	/* A small buffer: the lines that fit whole, then the count of the rest. */
	char small[200];
	assert_int_equal(dn_scenario_load_string(f->reg, "t.yaml", text, NULL, 0, &s, small,
	                                         sizeof small),
	                 DN_EUNKNOWN);
	const char *tail = strrchr(small, '\n');
	assert_non_null(tail);
	size_t shown = 1;
	for (const char *p = small; p < tail; p++)
		shown += *p == '\n';
	snprintf(want, sizeof want, "\n... and %zu more errors", 60 - shown);
	assert_string_equal(tail, want);
	assert_true(shown >= 2 && shown < 50);
	assert_non_null(strstr(small, "t.yaml:1:1: unknown parameter 'k0'\n"));
}

static void test_getter_misuse_aborts(void **state)
{
	fixture *f = *state;
	expect_abort(f, get_unknown);
	expect_abort(f, get_wrong_type);
	expect_abort(f, get_str_of_float);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nested_and_dotted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_include_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_include_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_include_fan_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overrides, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_to_yaml, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_str_tag_refused_for_int, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_float_underflow_refused_in_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_strict_numbers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_proc_include_read_by_content, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nonyaml_include_not_echoed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_getter_misuse_aborts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_all_errors_in_one_pass, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
