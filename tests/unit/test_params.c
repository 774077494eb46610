/*
 * test_params.c: the parameter registry (sim/engine/params.c): adding, sorting,
 * finding, refusing bad definitions without changing the registry, the
 * value syntax shared with scenario files, float formatting, and the plain
 * and Markdown listings. Scenario files themselves are in test_scenario.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "params.h"

static const dn_param_def base_defs[] = {
    {"sim.end_time_s", DN_PT_INT, "s", "10", 1, 1e9, NULL, "Simulated duration."},
    {"sim.sched", DN_PT_ENUM, "", "rr", 0, 0, "rr|pf",
     "Scheduler: round robin | proportional fair."},
    {"net.loss", DN_PT_FLOAT, "1", "0.01", 0, 1, NULL, "Packet loss probability."},
    {"sim.trace", DN_PT_BOOL, "", "false", 0, 0, NULL, "Write a trace."},
    {"out.label", DN_PT_STRING, "", "run", 0, 16, NULL, "Label of the run."},
};
#define N_BASE (sizeof base_defs / sizeof base_defs[0])

static dn_registry *new_base(void)
{
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, base_defs, N_BASE), DN_OK);
	return reg;
}

static void test_add_find_sorted(void **state)
{
	(void)state;
	dn_registry *reg = new_base();
	assert_int_equal(dn_registry_count(reg), N_BASE);
	static const char *const order[] = {"net.loss", "out.label", "sim.end_time_s", "sim.sched",
	                                    "sim.trace"};
	for (size_t i = 0; i < N_BASE; i++)
		assert_string_equal(dn_registry_at(reg, i)->name, order[i]);
	assert_ptr_equal(dn_registry_find(reg, "sim.sched"), &base_defs[1]);
	assert_null(dn_registry_find(reg, "sim"));
	assert_null(dn_registry_find(reg, "sim.sched.x"));
	assert_null(dn_registry_find(reg, "zzz.a"));
	assert_null(dn_registry_find(reg, ""));

	/* A second table merges into the order. */
	static const dn_param_def more[] = {
	    {"mid.x", DN_PT_INT, "1", "0", 0, 5, NULL, "x"},
	    {"a.y", DN_PT_INT, "1", "0", 0, 5, NULL, "y"},
	};
	assert_int_equal(dn_registry_add(reg, more, 2), DN_OK);
	assert_int_equal(dn_registry_count(reg), N_BASE + 2);
	assert_string_equal(dn_registry_at(reg, 0)->name, "a.y");
	assert_string_equal(dn_registry_at(reg, 1)->name, "mid.x");
	assert_ptr_equal(dn_registry_find(reg, "mid.x"), &more[0]);
	assert_int_equal(dn_registry_add(reg, more, 0), DN_OK);
	dn_registry_free(reg);
	dn_registry_free(NULL);
}

/* Adding `def` alone must fail and leave the registry as it was. */
static void expect_rejected(const dn_param_def *def)
{
	dn_registry *reg = new_base();
	if (dn_registry_add(reg, def, 1) != DN_EINVAL)
		fail_msg("definition '%s' was accepted", def->name ? def->name : "(null)");
	assert_int_equal(dn_registry_count(reg), N_BASE);
	assert_string_equal(dn_registry_at(reg, 0)->name, "net.loss");
	dn_registry_free(reg);
}

static void test_duplicates(void **state)
{
	(void)state;
	dn_registry *reg = new_base();
	/* Same name again, from another table. */
	static const dn_param_def again[] = {
	    {"new.ok", DN_PT_INT, "1", "0", 0, 1, NULL, "fine"},
	    {"sim.sched", DN_PT_INT, "1", "0", 0, 1, NULL, "clash"},
	};
	assert_int_equal(dn_registry_add(reg, again, 2), DN_EINVAL);
	assert_int_equal(dn_registry_count(reg), N_BASE);
	assert_null(dn_registry_find(reg, "new.ok"));
	/* Twice within one table. */
	static const dn_param_def twice[] = {
	    {"new.a", DN_PT_INT, "1", "0", 0, 1, NULL, "a"},
	    {"new.a", DN_PT_INT, "1", "0", 0, 1, NULL, "a"},
	};
	assert_int_equal(dn_registry_add(reg, twice, 2), DN_EINVAL);
	assert_int_equal(dn_registry_count(reg), N_BASE);
	/* A name cannot be both a parameter and a section. */
	static const dn_param_def leaf_and_section[] = {
	    {"sim.trace.level", DN_PT_INT, "1", "0", 0, 1, NULL, "under a leaf"},
	};
	assert_int_equal(dn_registry_add(reg, leaf_and_section, 1), DN_EINVAL);
	static const dn_param_def section_then_leaf[] = {
	    {"sim", DN_PT_INT, "1", "0", 0, 1, NULL, "no dot"},
	};
	assert_int_equal(dn_registry_add(reg, section_then_leaf, 1), DN_EINVAL);
	assert_int_equal(dn_registry_count(reg), N_BASE);
	dn_registry_free(reg);
}

static void test_bad_names(void **state)
{
	(void)state;
	static const char *const names[] = {
	    "sim",       "Sim.x",    "sim..x",   ".sim.x",  "sim.x.",  "sim-x.y", "sim.x y",
	    "include.x", "sim.é",    "",         "sim.X",   "a.b\n",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		dn_param_def d = {names[i], DN_PT_INT, "1", "0", 0, 1, NULL, "doc"};
		expect_rejected(&d);
	}
	dn_param_def null_name = {NULL, DN_PT_INT, "1", "0", 0, 1, NULL, "doc"};
	expect_rejected(&null_name);
	/* 128 bytes is the limit. */
	char longname[DN_PARAM_NAME_MAX + 2];
	memset(longname, 'a', sizeof longname);
	longname[1] = '.';
	longname[DN_PARAM_NAME_MAX] = '\0';
	dn_param_def ok = {longname, DN_PT_INT, "1", "0", 0, 1, NULL, "doc"};
	dn_registry *reg = new_base();
	assert_int_equal(dn_registry_add(reg, &ok, 1), DN_OK);
	dn_registry_free(reg);
	char toolong[DN_PARAM_NAME_MAX + 2];
	memset(toolong, 'a', sizeof toolong);
	toolong[1] = '.';
	toolong[DN_PARAM_NAME_MAX + 1] = '\0';
	dn_param_def bad = {toolong, DN_PT_INT, "1", "0", 0, 1, NULL, "doc"};
	expect_rejected(&bad);
	/* Digits and underscores are fine anywhere. */
	dn_param_def digits = {"5g.cell_2.x_1", DN_PT_INT, "1", "0", 0, 1, NULL, "doc"};
	reg = new_base();
	assert_int_equal(dn_registry_add(reg, &digits, 1), DN_OK);
	dn_registry_free(reg);
}

static void test_bad_definitions(void **state)
{
	(void)state;
	const dn_param_def bad[] = {
	    {"a.int_text", DN_PT_INT, "1", "ten", 0, 100, NULL, "doc"},
	    {"a.int_low", DN_PT_INT, "1", "0", 1, 100, NULL, "doc"},
	    {"a.int_frac", DN_PT_INT, "1", "1.5", 0, 100, NULL, "doc"},
	    {"a.float_inf", DN_PT_FLOAT, "1", ".inf", -INFINITY, INFINITY, NULL, "doc"},
	    {"a.float_high", DN_PT_FLOAT, "1", "2", 0, 1, NULL, "doc"},
	    {"a.bool", DN_PT_BOOL, "", "maybe", 0, 0, NULL, "doc"},
	    {"a.enum_default", DN_PT_ENUM, "", "x", 0, 0, "rr|pf", "doc"},
	    {"a.enum_none", DN_PT_ENUM, "", "rr", 0, 0, NULL, "doc"},
	    {"a.enum_empty", DN_PT_ENUM, "", "rr", 0, 0, "rr||pf", "doc"},
	    {"a.enum_twice", DN_PT_ENUM, "", "rr", 0, 0, "rr|pf|rr", "doc"},
	    {"a.enum_space", DN_PT_ENUM, "", "rr", 0, 0, "rr|p f", "doc"},
	    {"a.str_long", DN_PT_STRING, "", "abcdef", 0, 3, NULL, "doc"},
	    {"a.str_short", DN_PT_STRING, "", "", 1, 3, NULL, "doc"},
	    {"a.range", DN_PT_INT, "1", "5", 10, 1, NULL, "doc"},
	    {"a.nan", DN_PT_FLOAT, "1", "0", NAN, 1, NULL, "doc"},
	    {"a.no_default", DN_PT_INT, "1", NULL, 0, 1, NULL, "doc"},
	    {"a.no_unit", DN_PT_INT, NULL, "0", 0, 1, NULL, "doc"},
	    {"a.no_doc", DN_PT_INT, "1", "0", 0, 1, NULL, NULL},
	    {"a.doc_lines", DN_PT_INT, "1", "0", 0, 1, NULL, "two\nlines"},
	    {"a.type", (dn_param_type)42, "1", "0", 0, 1, NULL, "doc"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_rejected(&bad[i]);

	/* One bad definition in a table rejects the whole table. */
	const dn_param_def mixed[] = {
	    {"b.good", DN_PT_INT, "1", "0", 0, 1, NULL, "doc"},
	    {"b.bad", DN_PT_INT, "1", "7", 0, 1, NULL, "doc"},
	};
	dn_registry *reg = new_base();
	assert_int_equal(dn_registry_add(reg, mixed, 2), DN_EINVAL);
	assert_null(dn_registry_find(reg, "b.good"));
	dn_registry_free(reg);
}

/* Parses text for def; checks rc and (when given) the message. */
static void check_parse(const dn_param_def *def, const char *text, dn_rc want_rc,
                        const char *want_msg, dn_param_value *out)
{
	char msg[256];
	dn_param_value v;
	dn_rc rc = dn_param_parse(def, text, strlen(text), &v, msg, sizeof msg);
	if (rc != want_rc)
		fail_msg("'%s' for %s: rc %d (%s), wanted %d", text, def->name, (int)rc, msg, (int)want_rc);
	if (want_msg)
		assert_string_equal(msg, want_msg);
	if (out)
		*out = v;
}

static void test_parse_int(void **state)
{
	(void)state;
	const dn_param_def d = {"a.n", DN_PT_INT, "1", "1", 1, 1e9, NULL, "doc"};
	dn_param_value v;
	check_parse(&d, "1000000", DN_OK, NULL, &v);
	assert_int_equal(v.i, 1000000);
	check_parse(&d, "1_000_000", DN_OK, NULL, &v);
	assert_int_equal(v.i, 1000000);
	check_parse(&d, "1e6", DN_OK, NULL, &v);
	assert_int_equal(v.i, 1000000);
	check_parse(&d, "2.5e3", DN_OK, NULL, &v);
	assert_int_equal(v.i, 2500);
	check_parse(&d, "+7", DN_OK, NULL, &v);
	assert_int_equal(v.i, 7);
	check_parse(&d, "1e9", DN_OK, NULL, &v);
	assert_int_equal(v.i, 1000000000);
	check_parse(&d, "1.5", DN_ETYPE, "expected an integer (got '1.5')", NULL);
	check_parse(&d, "1e-3", DN_ETYPE, "expected an integer (got '1e-3')", NULL);
	check_parse(&d, "ten", DN_ETYPE, "expected an integer (got 'ten')", NULL);
	check_parse(&d, "", DN_ETYPE, "expected an integer (got '')", NULL);
	check_parse(&d, "1__000", DN_ETYPE, NULL, NULL);
	check_parse(&d, "_1", DN_ETYPE, NULL, NULL);
	check_parse(&d, "1_", DN_ETYPE, NULL, NULL);
	check_parse(&d, "0x10", DN_ETYPE, NULL, NULL);
	check_parse(&d, " 5", DN_ETYPE, NULL, NULL);
	check_parse(&d, "0", DN_ERANGE, "must be between 1 and 1000000000 (got 0)", NULL);
	check_parse(&d, "1e10", DN_ERANGE, "must be between 1 and 1000000000 (got 1e10)", NULL);
	check_parse(&d, "99999999999999999999", DN_ERANGE, NULL, NULL);
	check_parse(&d, "1e300", DN_ERANGE, NULL, NULL);
	const dn_param_def wide = {"a.w", DN_PT_INT, "1", "0", -9.3e18, 9.3e18, NULL, "doc"};
	check_parse(&wide, "-9223372036854775808", DN_OK, NULL, &v);
	assert_true(v.i == INT64_MIN);
	check_parse(&wide, "9223372036854775807", DN_OK, NULL, &v);
	assert_true(v.i == INT64_MAX);
	/* Long text is shown cut. */
	check_parse(&d, "123456789012345678901234567890123456789012345678901234567890x", DN_ETYPE,
	            "expected an integer (got '1234567890123456789012345678901234567890...')", NULL);
}

static void test_parse_float(void **state)
{
	(void)state;
	const dn_param_def d = {"a.f", DN_PT_FLOAT, "1", "0", -1, 1e6, NULL, "doc"};
	dn_param_value v;
	check_parse(&d, "1e-3", DN_OK, NULL, &v);
	assert_true(v.f == 1e-3);
	check_parse(&d, ".5", DN_OK, NULL, &v);
	assert_true(v.f == 0.5);
	check_parse(&d, "5.", DN_OK, NULL, &v);
	assert_true(v.f == 5.0);
	check_parse(&d, "-1", DN_OK, NULL, &v);
	assert_true(v.f == -1.0);
	check_parse(&d, "1_000.5", DN_OK, NULL, &v);
	assert_true(v.f == 1000.5);
	check_parse(&d, "3", DN_OK, NULL, &v);
	assert_true(v.f == 3.0);
	check_parse(&d, ".inf", DN_ETYPE, "expected a finite number (got '.inf')", NULL);
	check_parse(&d, "-.Inf", DN_ETYPE, "expected a finite number (got '-.Inf')", NULL);
	check_parse(&d, ".nan", DN_ETYPE, "expected a finite number (got '.nan')", NULL);
	check_parse(&d, "nan", DN_ETYPE, NULL, NULL);
	check_parse(&d, "1e999", DN_ETYPE, "expected a finite number (got '1e999')", NULL);
	check_parse(&d, "abc", DN_ETYPE, "expected a number (got 'abc')", NULL);
	check_parse(&d, "0x1p3", DN_ETYPE, NULL, NULL);
	check_parse(&d, "1e", DN_ETYPE, NULL, NULL);
	check_parse(&d, ".", DN_ETYPE, NULL, NULL);
	check_parse(&d, "2e6", DN_ERANGE, "must be between -1 and 1000000 (got 2e6)", NULL);
	const dn_param_def frac = {"a.p", DN_PT_FLOAT, "1", "0", 0, 0.5, NULL, "doc"};
	check_parse(&frac, "0.75", DN_ERANGE, "must be between 0 and 0.5 (got 0.75)", NULL);
}

static void test_parse_bool_enum_string(void **state)
{
	(void)state;
	const dn_param_def b = {"a.b", DN_PT_BOOL, "", "false", 0, 0, NULL, "doc"};
	dn_param_value v;
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "NO", "off", "Off"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		check_parse(&b, yes[i], DN_OK, NULL, &v);
		assert_true(v.b);
		check_parse(&b, no[i], DN_OK, NULL, &v);
		assert_false(v.b);
	}
	check_parse(&b, "maybe", DN_ETYPE, "expected true or false (got 'maybe')", NULL);
	check_parse(&b, "1", DN_ETYPE, "expected true or false (got '1')", NULL);
	check_parse(&b, "tRUE", DN_ETYPE, NULL, NULL);

	const dn_param_def e = {"a.e", DN_PT_ENUM, "", "rr", 0, 0, "rr|pf|max_cqi", "doc"};
	check_parse(&e, "pf", DN_OK, NULL, &v);
	assert_int_equal(v.choice, 1);
	check_parse(&e, "max_cqi", DN_OK, NULL, &v);
	assert_int_equal(v.choice, 2);
	check_parse(&e, "PF", DN_ETYPE, "expected one of: rr, pf, max_cqi (got 'PF')", NULL);
	check_parse(&e, "r", DN_ETYPE, NULL, NULL);
	check_parse(&e, "rr|pf", DN_ETYPE, NULL, NULL);

	const dn_param_def s = {"a.s", DN_PT_STRING, "", "", 2, 5, NULL, "doc"};
	check_parse(&s, "ab", DN_OK, NULL, NULL);
	check_parse(&s, "h\xc3\xa9llo", DN_ERANGE, "must be between 2 and 5 bytes long (got 6)", NULL);
	check_parse(&s, "a", DN_ERANGE, "must be between 2 and 5 bytes long (got 1)", NULL);
	check_parse(&s, "a\xff", DN_ETYPE, "expected a string of valid UTF-8 without NUL bytes", NULL);
	check_parse(&s, "\xc0\xaf", DN_ETYPE, NULL, NULL);       /* overlong '/' */
	check_parse(&s, "\xed\xa0\x80", DN_ETYPE, NULL, NULL);   /* surrogate */
	char msg[128];
	assert_int_equal(dn_param_parse(&s, "a\0b", 3, &v, msg, sizeof msg), DN_ETYPE);
	const dn_param_def open = {"a.o", DN_PT_STRING, "", "", 1, 0, NULL, "doc"};
	check_parse(&open, "a long string with no upper bound at all, well over five", DN_OK, NULL,
	            NULL);
	check_parse(&open, "", DN_ERANGE, "must be at least 1 bytes long (got 0)", NULL);

	char buf[64];
	dn_param_expected(&e, buf, sizeof buf);
	assert_string_equal(buf, "one of: rr, pf, max_cqi");
	dn_param_expected(&e, buf, 12);
	assert_string_equal(buf, "one of: rr"); /* cut to fit */
}

/* Underflow is an error, not 0 or a subnormal that lost digits. */
static void test_float_underflow_refused(void **state)
{
	(void)state;
	const dn_param_def d = {"a.f", DN_PT_FLOAT, "1", "0", -1, 1, NULL, "doc"};
	dn_param_value v;
	check_parse(&d, "1e-400", DN_ERANGE,
	            "too close to zero to be represented (got '1e-400'; the smallest magnitude "
	            "besides 0 is 2.2250738585072014e-308)",
	            NULL);
	check_parse(&d, "-1e-400", DN_ERANGE, NULL, NULL);
	check_parse(&d, "1e-310", DN_ERANGE, NULL, NULL);  /* subnormal */
	check_parse(&d, "5e-324", DN_ERANGE, NULL, NULL);  /* the smallest subnormal */
	check_parse(&d, "0.000_001e-400", DN_ERANGE, NULL, NULL);
	check_parse(&d, "2.2250738585072014e-308", DN_OK, NULL, &v);
	assert_true(v.f == DBL_MIN);
	check_parse(&d, "0e-400", DN_OK, NULL, &v); /* zero is zero */
	assert_true(v.f == 0.0);
	check_parse(&d, "-0.0", DN_OK, NULL, &v);
	assert_true(v.f == 0.0);
	check_parse(&d, "1e999", DN_ETYPE, "expected a finite number (got '1e999')", NULL);

	/* An int parameter takes a number in float form only when it is an exact integer. */
	const dn_param_def n = {"a.n", DN_PT_INT, "1", "0", 0, 1e9, NULL, "doc"};
	check_parse(&n, "1e-400", DN_ETYPE, "expected an integer (got '1e-400')", NULL);
	check_parse(&n, "0.5e-400", DN_ETYPE, NULL, NULL);
	check_parse(&n, "1.000000000000000000001", DN_ETYPE, NULL, NULL);
	check_parse(&n, "3.0", DN_OK, NULL, &v);
	assert_int_equal(v.i, 3);
	check_parse(&n, "2.50e1", DN_OK, NULL, &v);
	assert_int_equal(v.i, 25);
	check_parse(&n, "0e-400", DN_OK, NULL, &v);
	assert_int_equal(v.i, 0);
	check_parse(&n, "1e99999999999999999999", DN_ERANGE, NULL, NULL);
	check_parse(&n, "1e-99999999999999999999", DN_ETYPE, NULL, NULL);
}

/* Int bounds print exactly and compare without rounding through a double. */
static void test_seed_range_exact(void **state)
{
	(void)state;
	/* Declared like sim.seed. */
	const dn_param_def seed = {"sim.seed", DN_PT_INT, "1", "1", 0, 9.2e18, NULL, "doc"};
	dn_param_value v;
	check_parse(&seed, "9200000000000000001", DN_ERANGE,
	            "must be between 0 and 9200000000000000000 (got 9200000000000000001)", NULL);
	check_parse(&seed, "92000000000000000010e-1", DN_ERANGE, NULL, NULL);
	check_parse(&seed, "9.2e18", DN_OK, NULL, &v);
	assert_true(v.i == INT64_C(9200000000000000000));
	check_parse(&seed, "9200000000000000000", DN_OK, NULL, &v);
	assert_true(v.i == INT64_C(9200000000000000000));
	check_parse(&seed, "9.199999999999999999e18", DN_OK, NULL, &v);
	assert_true(v.i == INT64_C(9199999999999999999));
	check_parse(&seed, "9.2000000000000000001e18", DN_ETYPE, NULL, NULL); /* not an integer */
	check_parse(&seed, "1e19", DN_ERANGE,
	            "must be between 0 and 9200000000000000000 (got 1e19)", NULL);

	/* A max of 2^63 (INT64_MAX as a double) is INT64_MAX. */
	const dn_param_def full = {"a.full", DN_PT_INT, "1", "0", -9223372036854775808.0,
	                           9223372036854775807.0, NULL, "doc"};
	check_parse(&full, "9223372036854775807", DN_OK, NULL, &v);
	assert_true(v.i == INT64_MAX);
	check_parse(&full, "9.223372036854775807e18", DN_OK, NULL, &v);
	assert_true(v.i == INT64_MAX);
	check_parse(&full, "9223372036854775808", DN_ERANGE,
	            "must be between -9223372036854775808 and 9223372036854775807 "
	            "(got 9223372036854775808)",
	            NULL);
	check_parse(&full, "-9223372036854775808", DN_OK, NULL, &v);
	assert_true(v.i == INT64_MIN);
	check_parse(&full, "-9.223372036854775808e18", DN_OK, NULL, &v);
	assert_true(v.i == INT64_MIN);
	check_parse(&full, "-9223372036854775809", DN_ERANGE, NULL, NULL);
	/* The bound is the double the table holds (2^53 + 1 is 2^53), compared exactly. */
	const dn_param_def odd = {"a.odd", DN_PT_INT, "1", "0", 0, 9007199254740993.0, NULL, "doc"};
	check_parse(&odd, "9007199254740993", DN_ERANGE,
	            "must be between 0 and 9007199254740992 (got 9007199254740993)", NULL);
}

/* 017 is octal 15 to a YAML 1.1 reader and 17 to a YAML 1.2 one: refused, with the reason. */
static void test_leading_zero_refused(void **state)
{
	(void)state;
	const dn_param_def n = {"a.n", DN_PT_INT, "1", "0", -1000, 1000, NULL, "doc"};
	dn_param_value v;
	check_parse(&n, "017", DN_ETYPE,
	            "expected an integer (got '017'; a leading zero is ambiguous: YAML 1.1 reads "
	            "017 as octal 15, YAML 1.2 as 17)",
	            NULL);
	check_parse(&n, "-017", DN_ETYPE, NULL, NULL);
	check_parse(&n, "+017", DN_ETYPE, NULL, NULL);
	check_parse(&n, "0_17", DN_ETYPE, NULL, NULL);
	check_parse(&n, "00", DN_ETYPE, NULL, NULL);
	check_parse(&n, "017e1", DN_ETYPE, NULL, NULL);
	check_parse(&n, "0x1F", DN_ETYPE,
	            "expected an integer (got '0x1F'; only decimal numbers are accepted, not "
	            "hexadecimal, octal or binary)",
	            NULL);
	check_parse(&n, "0o17", DN_ETYPE, NULL, NULL);
	check_parse(&n, "0b101", DN_ETYPE, NULL, NULL);
	check_parse(&n, "0", DN_OK, NULL, &v);
	assert_int_equal(v.i, 0);
	check_parse(&n, "-0", DN_OK, NULL, &v);
	assert_int_equal(v.i, 0);
	check_parse(&n, "10", DN_OK, NULL, &v);
	assert_int_equal(v.i, 10);
	check_parse(&n, "1e02", DN_OK, NULL, &v); /* exponents may have leading zeros */
	assert_int_equal(v.i, 100);

	const dn_param_def f = {"a.f", DN_PT_FLOAT, "1", "0", -1000, 1000, NULL, "doc"};
	check_parse(&f, "017", DN_ETYPE,
	            "expected a number (got '017'; a leading zero is ambiguous: YAML 1.1 reads "
	            "017 as octal 15, YAML 1.2 as 17)",
	            NULL);
	check_parse(&f, "01.5", DN_ETYPE, NULL, NULL);
	check_parse(&f, "0x1p3", DN_ETYPE, NULL, NULL);
	check_parse(&f, "0.5", DN_OK, NULL, &v);
	assert_true(v.f == 0.5);
	check_parse(&f, "0e0", DN_OK, NULL, &v);
	assert_true(v.f == 0.0);
	check_parse(&f, "1e-05", DN_OK, NULL, &v);
	assert_true(v.f == 1e-5);
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void test_format_float_round_trip(void **state)
{
	(void)state;
	const dn_param_def d = {"a.f", DN_PT_FLOAT, "1", "0", -DBL_MAX, DBL_MAX, NULL, "doc"};
	static const double fixed[] = {0.0, -0.0, 0.1, 1.0 / 3.0, 1e-300, 5e-324, DBL_MAX, -DBL_MAX,
	                               123456789.0, 1e22, 2.5};
	uint64_t seed = 42;
	for (size_t i = 0; i < 20000; i++) {
		double x;
		if (i < sizeof fixed / sizeof fixed[0]) {
			x = fixed[i];
		} else {
			uint64_t bits = splitmix64(&seed);
			memcpy(&x, &bits, sizeof x);
			if (!isfinite(x))
				continue;
		}
		char buf[32];
		dn_param_format_float(x, buf, sizeof buf);
		dn_param_value v;
		char msg[128];
		if (x != 0 && fabs(x) < DBL_MIN) {
			/* Subnormals format exactly but are refused as values (test_float_underflow_refused). */
			assert_true(strtod(buf, NULL) == x);
			assert_int_equal(dn_param_parse(&d, buf, strlen(buf), &v, msg, sizeof msg), DN_ERANGE);
			continue;
		}
		if (dn_param_parse(&d, buf, strlen(buf), &v, msg, sizeof msg) != DN_OK)
			fail_msg("'%s' does not parse: %s", buf, msg);
		if (memcmp(&v.f, &x, sizeof x) != 0)
			fail_msg("'%s' reads back as %.17g, not %.17g", buf, v.f, x);
	}
	char buf[32];
	dn_param_format_float(0.1, buf, sizeof buf);
	assert_string_equal(buf, "0.1");
}

static char *print_to_string(const dn_registry *reg, bool markdown)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	dn_registry_print(reg, f, markdown);
	long n = ftell(f);
	assert_true(n >= 0);
	char *s = calloc((size_t)n + 1, 1);
	assert_non_null(s);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	assert_int_equal(fclose(f), 0);
	return s;
}

static void test_print(void **state)
{
	(void)state;
	static const dn_param_def defs[] = {
	    {"sim.sched", DN_PT_ENUM, "", "rr", 0, 0, "rr|pf", "Scheduler (a | b)."},
	    {"net.loss", DN_PT_FLOAT, "1", "0.01", 0, 1, NULL, "Loss."},
	    {"out.label", DN_PT_STRING, "", "", 0, 16, NULL, "Label."},
	};
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, defs, 3), DN_OK);

	char *md = print_to_string(reg, true);
	assert_string_equal(md,
	                    "| Name | Type | Unit | Default | Range / choices | Description |\n"
	                    "|------|------|------|---------|-----------------|-------------|\n"
	                    "| net.loss | float | 1 | 0.01 | [0, 1] | Loss. |\n"
	                    "| out.label | string |  | \"\" | length [0, 16] | Label. |\n"
	                    "| sim.sched | enum |  | rr | rr\\|pf | Scheduler (a \\| b). |\n");
	free(md);

	char *plain = print_to_string(reg, false);
	assert_string_equal(plain,
	                    "name       type    unit  default  range           doc\n"
	                    "net.loss   float   1     0.01     [0, 1]          Loss.\n"
	                    "out.label  string        \"\"       length [0, 16]  Label.\n"
	                    "sim.sched  enum          rr       rr|pf           Scheduler (a | b).\n");
	free(plain);
	dn_registry_free(reg);
}

/* Thousands of parameters: adding and a lookup of each stay fast. */
static void test_many(void **state)
{
	(void)state;
	enum { N = 5000 };
	char(*names)[32] = calloc(N, sizeof *names);
	dn_param_def *defs = calloc(N, sizeof *defs);
	assert_non_null(names);
	assert_non_null(defs);
	uint64_t seed = 7;
	for (size_t i = 0; i < N; i++) {
		/* Scrambled order, so the registry has to sort. */
		int w = snprintf(names[i], sizeof names[i], "m%03u.p%05zu",
		                 (unsigned)(splitmix64(&seed) % 100), i);
		assert_true(w > 0 && (size_t)w < sizeof names[i]);
		defs[i] = (dn_param_def){names[i], DN_PT_INT, "1", "0", 0, 1, NULL, "doc"};
	}
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, defs, N / 2), DN_OK);
	assert_int_equal(dn_registry_add(reg, defs + N / 2, N - N / 2), DN_OK);
	assert_int_equal(dn_registry_count(reg), N);
	for (size_t i = 1; i < N; i++)
		assert_true(strcmp(dn_registry_at(reg, i - 1)->name, dn_registry_at(reg, i)->name) < 0);
	for (int round = 0; round < 10; round++)
		for (size_t i = 0; i < N; i++)
			assert_ptr_equal(dn_registry_find(reg, names[i]), &defs[i]);
	assert_null(dn_registry_find(reg, "m000.p99999"));
	dn_registry_free(reg);
	free(defs);
	free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_find_sorted),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_bad_names),
	    cmocka_unit_test(test_bad_definitions),
	    cmocka_unit_test(test_parse_int),
	    cmocka_unit_test(test_parse_float),
	    cmocka_unit_test(test_parse_bool_enum_string),
	    cmocka_unit_test(test_float_underflow_refused),
	    cmocka_unit_test(test_seed_range_exact),
	    cmocka_unit_test(test_leading_zero_refused),
	    cmocka_unit_test(test_format_float_round_trip),
	    cmocka_unit_test(test_print),
	    cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
