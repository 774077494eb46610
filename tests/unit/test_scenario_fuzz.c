/*
 * test_scenario_fuzz.c: a deterministic mutation fuzzer for the scenario
 * loader. It starts from a few valid scenario texts, applies random byte
 * flips, insertions and deletions of bytes and YAML tokens, truncations and
 * splices (splitmix64 with a fixed seed, so every run sees the same inputs),
 * and loads each result with dn_scenario_load_string. The suite runs under
 * ASan and UBSan, so a crash, leak or undefined behaviour fails the test;
 * besides that, every failure must come with a one-line message carrying a
 * ":LINE:COLUMN: " location, and every success must survive a to_yaml round
 * trip. A second test does the same to --set overrides, a third to
 * `sweep:` blocks (sweep.h): every rejection has a located message, and
 * every sweep read has members whose overrides all load. On a failed check
 * the iteration number and input are printed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"
#include "expect.h"
#include "sweep.h"

enum {
	FUZZ_SEED = 20261124,
	FUZZ_ITERATIONS = 20000,
	FUZZ_TEXT_MAX = 4096, /* bytes of a mutated input */
	FUZZ_MUTATIONS_MAX = 8
};

static const dn_param_def fuzz_defs[] = {
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

static const char *const seeds[] = {
    "sim:\n"
    "  end_time_s: 1_000\n"
    "  seed: 42\n"
    "  sched: pf\n"
    "  trace: yes\n"
    "net:\n"
    "  loss: 1e-3\n"
    "  cell:\n"
    "    radius_m: 250.5\n"
    "    count: 1e3\n"
    "out:\n"
    "  label: \"run a\"\n"
    "  note: 'free text'\n",

    "# dotted keys and flow style\n"
    "sim.end_time_s: 100\n"
    "net.cell: {radius_m: 10, count: 2}\n"
    "out: {label: x, note: \"a\\tb\\u00e9\"}\n"
    "sim: {seed: &s 7}\n"
    "net.loss: 0.5\n",

    "---\n"
    "sim:\n"
    "  seed: 1\n"
    "out.note: |\n"
    "  line one\n"
    "  line two\n"
    "net:\n"
    "  cell:\n"
    "    count: 12\n"
    "...\n",
};

/* Pieces of YAML worth inserting: structure, anchors, tags, odd numbers, file noise. */
static const char *const tokens[] = {
    ":",       ": ",     "\n",       "  ",      "- ",       "{",          "}",
    "[",       "]",      ",",        "&a ",     "*a",       "!!str ",     "? ",
    "'",       "\"",     "#",        "---\n",   "...\n",    "include: ",  "sim.",
    "seed",    ".inf",   "1e6",      "1_000",   "-",        "\t",         "\xff",
    "\xc3\xa9", "\\u",   "~",        "null",    "|\n",      ">\n",        "<<: ",
    "%YAML 1.1\n", "sim:\n  ", "net.cell.", "99999999999999999999", "\r\n",
    "!!int ",  "!!float ", "! ",     "!x ",     "017",      "0x1F",       "1e-400",
    "4e-320",  "9000000000000000001", "2.5e3",  "$y$",
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static size_t below(uint64_t *rng, size_t n)
{
	return n ? (size_t)(splitmix64(rng) % n) : 0;
}

/* Inserts n bytes at pos if they fit; text[len] stays '\0'. */
static size_t insert(char *text, size_t len, size_t pos, const char *src, size_t n)
{
	if (len + n >= FUZZ_TEXT_MAX)
		return len;
	memmove(text + pos + n, text + pos, len - pos);
	memcpy(text + pos, src, n);
	len += n;
	text[len] = '\0';
	return len;
}

/* One random mutation of text (len bytes, buffer FUZZ_TEXT_MAX); returns the new length. */
static size_t mutate(uint64_t *rng, char *text, size_t len)
{
	size_t pos = below(rng, len + 1);
	switch (below(rng, 7)) {
	case 0: /* flip a low bit (a NUL would end the text early: make it 0x01) */
		if (len) {
			size_t at = below(rng, len);
			/* Bit 7 only one time in eight: invalid UTF-8 stops the reader early. */
			text[at] ^= (char)(1u << (below(rng, 8) == 0 ? 7 : below(rng, 7)));
			if (text[at] == '\0')
				text[at] = 1;
		}
		return len;
	case 1: { /* insert a random byte (never NUL: the loader reads C strings) */
		char c = (char)(1 + below(rng, 255));
		return insert(text, len, pos, &c, 1);
	}
	case 2: { /* delete a run of bytes */
		size_t n = below(rng, 8) + 1;
		if (pos + n > len)
			n = len - pos;
		memmove(text + pos, text + pos + n, len - pos - n);
		len -= n;
		text[len] = '\0';
		return len;
	}
	case 3: { /* insert a token */
		const char *t = tokens[below(rng, sizeof tokens / sizeof tokens[0])];
		return insert(text, len, pos, t, strlen(t));
	}
	case 4: /* truncate */
		text[pos] = '\0';
		return pos;
	case 5: { /* splice in a slice of a seed */
		const char *s = seeds[below(rng, sizeof seeds / sizeof seeds[0])];
		size_t sl = strlen(s), from = below(rng, sl), n = below(rng, sl - from) + 1;
		return insert(text, len, pos, s + from, n);
	}
	default: { /* duplicate a slice of the text itself */
		if (!len)
			return len;
		size_t from = below(rng, len), n = below(rng, len - from) + 1;
		char copy[FUZZ_TEXT_MAX];
		memcpy(copy, text + from, n);
		return insert(text, len, pos, copy, n);
	}
	}
}

/* True when msg contains ":<digits>:<digits>: ". */
static bool has_location(const char *msg)
{
	for (const char *p = msg; *p; p++) {
		if (p[0] != ':' || p[1] < '0' || p[1] > '9')
			continue;
		const char *q = p + 1;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q[0] != ':' || q[1] < '0' || q[1] > '9')
			continue;
		q++;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q[0] == ':' && q[1] == ' ')
			return true;
	}
	return false;
}

/*
 * A failure report: one error per line, each with its place, at most 50
 * lines, then perhaps "... and N more errors"; no empty line, no trailing
 * newline.
 */
static bool good_report(const char *err)
{
	char line[512];
	size_t n = 0;
	for (const char *p = err;; n++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == 0 || len >= sizeof line)
			return false;
		memcpy(line, p, len);
		line[len] = '\0';
		bool more = n > 0 && !nl && strncmp(line, "... and ", 8) == 0;
		if (!more && (n >= 50 || !has_location(line)))
			return false;
		if (!nl)
			return true;
		p = nl + 1;
	}
}

static void report(size_t iter, const char *text, const char *why, const char *msg)
{
	fprintf(stderr, "fuzz iteration %zu (seed %d): %s: '%s'\n--- input ---\n%s\n--- end ---\n",
	        iter, FUZZ_SEED, why, msg, text);
}

static void test_fuzz_loader(void **state)
{
	(void)state;
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, fuzz_defs, sizeof fuzz_defs / sizeof fuzz_defs[0]),
	                 DN_OK);
	/* Includes resolve under a directory that does not exist, so no real file is read. */
	const char *name = "/nonexistent-dnetsim-fuzz/fuzz.yaml";
	uint64_t rng = FUZZ_SEED;
	char text[FUZZ_TEXT_MAX];
	size_t ok = 0, failed = 0;
	for (size_t iter = 0; iter < FUZZ_ITERATIONS; iter++) {
		const char *seed = seeds[below(&rng, sizeof seeds / sizeof seeds[0])];
		size_t len = strlen(seed);
		assert_true(len < FUZZ_TEXT_MAX);
		memcpy(text, seed, len + 1);
		size_t n_mut = below(&rng, FUZZ_MUTATIONS_MAX) + 1;
		for (size_t m = 0; m < n_mut; m++)
			len = mutate(&rng, text, len);
		assert_true(strlen(text) == len);

		char err[512];
		memset(err, 'X', sizeof err);
		dn_scenario *s = NULL;
		dn_rc rc = dn_scenario_load_string(reg, name, text, NULL, 0, &s, err, sizeof err);
		if (rc != DN_OK) {
			failed++;
			if (s || !memchr(err, '\0', sizeof err) || err[0] == '\0' || !good_report(err)) {
				report(iter, text, "bad failure report", memchr(err, '\0', sizeof err) ? err : "");
				fail();
			}
			continue;
		}
		ok++;
		assert_non_null(s);
		char *y = dn_scenario_to_yaml(s);
		assert_non_null(y);
		dn_scenario *back = NULL;
		if (dn_scenario_load_string(reg, "round-trip.yaml", y, NULL, 0, &back, err, sizeof err)) {
			report(iter, text, "to_yaml output does not load", err);
			fail();
		}
		char *y2 = dn_scenario_to_yaml(back);
		assert_non_null(y2);
		if (strcmp(y, y2) != 0) {
			report(iter, text, "round trip changed the values", y2);
			fail();
		}
		free(y2);
		free(y);
		dn_scenario_free(back);
		dn_scenario_free(s);
	}
	/* The mix must exercise both paths, or the fuzzer tests nothing. */
	fprintf(stderr, "fuzz: %zu inputs loaded, %zu rejected\n", ok, failed);
	assert_true(ok > FUZZ_ITERATIONS / 50);
	assert_true(failed > FUZZ_ITERATIONS / 2);
	dn_registry_free(reg);
}

/* The fuzzers of blocks share these: the registry of fuzz_defs; a seed
 * drawn from pool[0..n) into text, with one or two mutations;
 * and whether a rejection came with a located, terminated report. */
static dn_registry *fuzz_registry(void)
{
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, fuzz_defs, sizeof fuzz_defs / sizeof fuzz_defs[0]), DN_OK);
	return reg;
}

static void mutated_seed(uint64_t *rng, const char *const *pool, size_t n, char *text)
{
	const char *seed = pool[below(rng, n)];
	size_t len = strlen(seed);
	memcpy(text, seed, len + 1);
	size_t n_mut = below(rng, 2) + 1;
	for (size_t m = 0; m < n_mut; m++)
		len = mutate(rng, text, len);
}

static void check_rejection(size_t iter, const char *text, const char *err, size_t errlen, bool got_block)
{
	if (got_block || !memchr(err, '\0', errlen) || err[0] == '\0' || !good_report(err)) {
		report(iter, text, "bad failure report", memchr(err, '\0', errlen) ? err : "");
		fail();
	}
}

static const char *const sweep_seeds[] = {
    "sim: {seed: 5}\n"
    "sweep:\n"
    "  design: grid\n"
    "  replicates: 3\n"
    "  parameters:\n"
    "    net.loss: [0.1, 0.2, 1e-3]\n"
    "    sim.sched: [rr, pf]\n"
    "    out.label: [\"a b\", 'c']\n",

    "sweep:\n"
    "  design: lhs\n"
    "  samples: 9\n"
    "  seed: 11\n"
    "  parameters:\n"
    "    net.cell.count: {min: 1, max: 40}\n"
    "    net.cell.radius_m: {min: 10, max: 1000, scale: log}\n"
    "    sim.trace: [true, false]\n",

    "sweep:\n"
    "  seeds: common\n"
    "  points:\n"
    "    - {net.loss: 0.5, sim.end_time_s: 100}\n"
    "    - {sim.end_time_s: 7, net.loss: 0}\n",

    "sweep: {design: sobol, samples: 16, parameters: {net.loss: {min: 0, max: 1}}}\n",

    "sweep:\n"
    "  design: zip\n"
    "  parameters:\n"
    "    net.loss: [0.1, 0.2]\n"
    "    net.cell.count: [3, 4]\n",
};

static void test_fuzz_sweep(void **state)
{
	(void)state;
	dn_registry *reg = fuzz_registry();
	const char *name = "/nonexistent-dnetsim-fuzz/sweep.yaml";
	uint64_t rng = FUZZ_SEED + 2;
	char text[FUZZ_TEXT_MAX];
	size_t ok = 0, failed = 0;
	for (size_t iter = 0; iter < FUZZ_ITERATIONS / 4; iter++) {
		mutated_seed(&rng, sweep_seeds, sizeof sweep_seeds / sizeof sweep_seeds[0], text);
		char err[512];
		memset(err, 'X', sizeof err);
		dn_scenario *s = NULL;
		dn_sweep *sw = NULL;
		dn_rc rc = dn_scenario_load_string(reg, name, text, NULL, 0, &s, err, sizeof err);
		if (rc == DN_OK)
			rc = dn_sweep_from_scenario(reg, s, &sw, err, sizeof err);
		if (rc != DN_OK) {
			failed++;
			check_rejection(iter, text, err, sizeof err, sw != NULL);
			dn_scenario_free(s);
			continue;
		}
		if (!sw) { /* the mutation removed the block */
			dn_scenario_free(s);
			continue;
		}
		ok++;
		uint64_t n = dn_sweep_n_members(sw);
		assert_true(n >= 1 && n == dn_sweep_n_points(sw) * dn_sweep_replicates(sw));
		/* every member (the first 64) is a scenario that loads */
		for (uint64_t m = 0; m < n && m < 64; m++) {
			char **ov = NULL;
			size_t nov = 0;
			assert_int_equal(dn_sweep_member_overrides(sw, m, &ov, &nov), DN_OK);
			dn_scenario *ms = NULL;
			if (dn_scenario_load_string(reg, name, text, (const char *const *)ov, nov, &ms, err,
			                            sizeof err)) {
				report(iter, text, "a member does not load", err);
				fail();
			}
			dn_scenario_free(ms);
			for (size_t i = 0; i < nov; i++)
				free(ov[i]);
			free(ov);
		}
		dn_sweep_free(sw);
		dn_scenario_free(s);
	}
	fprintf(stderr, "fuzz sweep: %zu sweeps read, %zu rejected\n", ok, failed);
	assert_true(ok > FUZZ_ITERATIONS / 4 / 100);
	assert_true(failed > FUZZ_ITERATIONS / 4 / 4);
	dn_registry_free(reg);
}

static const char *const expect_seeds[] = {
    "expect:\n"
    "  seeds: 4\n"
    "  confidence: 0.95\n"
    "  set: {net.loss: 0.2, sim.end_time_s: 30}\n"
    "  checks:\n"
    "    - {metric: rate, take: mean, from_s: 1, to_s: 20, bound: between 0.5 and 2}\n"
    "    - {metric: count, bound: == 123456789012345678, rule: R-SUP-1, name: exact}\n"
    "    - {metric: rate, take: crossing, level: 3, bound: '< 40', judge: each}\n",

    "expect:\n"
    "  - {metric: rate, take: at, at_s: 5, bound: within 5% of 2}\n"
    "  - {metric: total, bound: within 10%}\n"
    "  - {metric: rate, take: max, bound: '>= -1e3'}\n",
};

/* Fuzz names: two series and a summary. */
static int fuzz_lookup(void *ctx, const char *name, char *hint, size_t hintlen)
{
	(void)ctx;
	if (hintlen)
		hint[0] = '\0';
	return !strcmp(name, "rate") || !strcmp(name, "count") ? 1 : !strcmp(name, "total") ? 2 : 0;
}

/* `expect:` blocks (expect.h): every rejection has a located message;
 * every block read has checks whose bounds and takes are consistent. */
static void test_fuzz_expect(void **state)
{
	(void)state;
	dn_registry *reg = fuzz_registry();
	const char *name = "/nonexistent-dnetsim-fuzz/expect.yaml";
	uint64_t rng = FUZZ_SEED + 3;
	char text[FUZZ_TEXT_MAX];
	size_t ok = 0, failed = 0;
	for (size_t iter = 0; iter < FUZZ_ITERATIONS / 4; iter++) {
		mutated_seed(&rng, expect_seeds, sizeof expect_seeds / sizeof expect_seeds[0], text);
		char err[512];
		memset(err, 'X', sizeof err);
		dn_scenario *s = NULL;
		dn_expect *e = NULL;
		dn_rc rc = dn_scenario_load_string(reg, name, text, NULL, 0, &s, err, sizeof err);
		if (rc == DN_OK)
			rc = dn_expect_from_scenario(reg, s, 10, 0, fuzz_lookup, NULL, &e, err, sizeof err);
		if (rc != DN_OK) {
			failed++;
			check_rejection(iter, text, err, sizeof err, e != NULL);
			dn_scenario_free(s);
			continue;
		}
		if (!e) {
			dn_scenario_free(s);
			continue;
		}
		ok++;
		assert_true(e->seeds >= 1 && e->confidence >= 0.5 && e->confidence < 1);
		for (size_t i = 0; i < e->n; i++) {
			const dn_expectation *x = &e->x[i];
			assert_true(x->take != DN_TAKE_AT || !isnan(x->at_s));
			assert_true(x->take != DN_TAKE_CROSS || !isnan(x->level));
			assert_true(x->from_s <= x->to_s);
			assert_true(x->op != DN_OP_BETWEEN || x->a.d <= x->b.d);
			assert_true(!(x->mean && x->op == DN_OP_EQ));
			assert_true(x->label[0] && x->metric[0]);
		}
		/* every override of the block loads */
		dn_scenario *ms = NULL;
		if (dn_scenario_load_string(reg, name, text, (const char *const *)e->sets, e->n_sets, &ms, err, sizeof err)) {
			report(iter, text, "the block's set: does not load", err);
			fail();
		}
		dn_scenario_free(ms);
		dn_expect_free(e);
		dn_scenario_free(s);
	}
	fprintf(stderr, "fuzz expect: %zu blocks read, %zu rejected\n", ok, failed);
	assert_true(ok > FUZZ_ITERATIONS / 4 / 100);
	assert_true(failed > FUZZ_ITERATIONS / 4 / 4);
	dn_registry_free(reg);
}

/* The same for --set overrides: mutated "name=value" strings after a valid file. */
static void test_fuzz_overrides(void **state)
{
	(void)state;
	static const char *const base[] = {"sim.seed=42", "net.loss=1e-3", "out.label=run a",
	                                   "sim.sched=pf", "sim.trace=on", "net.cell.count=1_000"};
	dn_registry *reg = dn_registry_new();
	assert_non_null(reg);
	assert_int_equal(dn_registry_add(reg, fuzz_defs, sizeof fuzz_defs / sizeof fuzz_defs[0]),
	                 DN_OK);
	uint64_t rng = FUZZ_SEED + 1;
	enum { N_SETS = 3 };
	char sets[N_SETS][FUZZ_TEXT_MAX];
	for (size_t iter = 0; iter < FUZZ_ITERATIONS / 4; iter++) {
		const char *ov[N_SETS];
		for (size_t k = 0; k < N_SETS; k++) {
			const char *b = base[below(&rng, sizeof base / sizeof base[0])];
			size_t len = strlen(b);
			memcpy(sets[k], b, len + 1);
			size_t n_mut = below(&rng, 3);
			for (size_t m = 0; m < n_mut; m++)
				len = mutate(&rng, sets[k], len);
			ov[k] = sets[k];
		}
		char err[512];
		dn_scenario *s = NULL;
		dn_rc rc = dn_scenario_load_string(reg, "fuzz.yaml", seeds[0], ov, N_SETS, &s, err,
		                                   sizeof err);
		if (rc != DN_OK) {
			if (s || strncmp(err, "<command line>:1:", 17) != 0 || !good_report(err)) {
				report(iter, ov[0], "bad failure report", err);
				fail();
			}
			continue;
		}
		char *y = dn_scenario_to_yaml(s);
		assert_non_null(y);
		dn_scenario *back = NULL;
		if (dn_scenario_load_string(reg, "round-trip.yaml", y, NULL, 0, &back, err, sizeof err)) {
			report(iter, y, "to_yaml output does not load", err);
			fail();
		}
		free(y);
		dn_scenario_free(back);
		dn_scenario_free(s);
	}
	dn_registry_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fuzz_loader),
	    cmocka_unit_test(test_fuzz_overrides),
	    cmocka_unit_test(test_fuzz_sweep),
	    cmocka_unit_test(test_fuzz_expect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
