/*
 * test_results.c: the HDF5 run recorder (sim/engine/results.h).
 *
 * Covers the round trip (config, float64 and int64 series over several
 * chunks, summaries, attributes read back with the HDF5 API), the atomic
 * write (nothing at the target before commit, nothing left after a
 * discard, a killed writer, or an aborted run over an existing file), a
 * write failure injected with a file size limit, the rejected inputs, unwritable locations, reading bad files, and that
 * h5dump accepts what we write. Each test works in its own fresh
 * directory under $TMPDIR (or /tmp) and removes it.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "results.h"

enum {
	T_PATH = 512,
	T_ERR = 512,
	T_ROWS_F64 = 10000, /* more than two chunks of 4096 */
	T_ROWS_I64 = 9001,
	T_MAX_DIR_ENTRIES = 64
};

typedef struct t_dir {
	char dir[T_PATH];
	char target[T_PATH];
} t_dir;

static const char t_yaml[] = "name: test\nseed: 7\nagents:\n  consumers: 10 # it's a comment\n";

/* ---- helpers ---- */

static int t_setup(void **state)
{
	t_dir *d = calloc(1, sizeof *d);
	if (d == NULL)
		return -1;
	const char *base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	int n = snprintf(d->dir, sizeof d->dir, "%s/dn-results-XXXXXX", base);
	if (n < 0 || (size_t)n >= sizeof d->dir || mkdtemp(d->dir) == NULL) {
		free(d);
		return -1;
	}
	n = snprintf(d->target, sizeof d->target, "%s/run.h5", d->dir);
	if (n < 0 || (size_t)n >= sizeof d->target) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

/* Number of entries in dir other than . and .. (bounded). */
static int t_count_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	if (dp == NULL)
		return -1;
	int n = 0;
	const struct dirent *e;
	while (n < T_MAX_DIR_ENTRIES && (e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	}
	if (closedir(dp) != 0)
		return -1;
	return n;
}

static int t_teardown(void **state)
{
	t_dir *d = *state;
	int rc = 0;
	DIR *dp = opendir(d->dir);
	if (dp != NULL) {
		const struct dirent *e;
		for (int k = 0; k < T_MAX_DIR_ENTRIES && (e = readdir(dp)) != NULL; k++) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char p[T_PATH * 2];
			snprintf(p, sizeof p, "%s/%s", d->dir, e->d_name);
			if (unlink(p) != 0)
				rc = -1;
		}
		if (closedir(dp) != 0)
			rc = -1;
	}
	if (rmdir(d->dir) != 0)
		rc = -1;
	free(d);
	return rc;
}

static bool t_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void t_tmp_name(char *buf, size_t len, const char *target, long pid)
{
	int n = dn_results_tmp_name(target, pid, buf, len);
	assert_true(n > 0 && (size_t)n < len);
}

/* Reads a whole small file; returns malloc'd bytes and *len. */
static char *t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	assert_true(n >= 0 && n < 64L * 1024 * 1024);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	assert_int_equal(fclose(f), 0);
	*len = (size_t)n;
	return buf;
}

/* A committed file with one small series, for tests that need any valid file. */
static void t_write_small(const char *path, double v)
{
	dn_results *r = NULL;
	char err[T_ERR];
	assert_int_equal(dn_results_open(path, &r, err, sizeof err), DN_OK);
	assert_int_equal(dn_results_write_config(r, t_yaml, "0.1.0", 1, "unknown", 1), DN_OK);
	int id = -1;
	assert_int_equal(dn_results_series(r, "x", DN_VT_F64, "1", "a value", &id), DN_OK);
	for (int i = 0; i < 10; i++)
		assert_int_equal(dn_results_append_f64(r, id, i, v + i), DN_OK);
	assert_int_equal(dn_results_close(r, true), DN_OK);
}

static int64_t t_i64_value(int i)
{
	/* spans the whole int64 range so a detour through double would show */
	return i % 2 == 0 ? INT64_MAX - i : INT64_MIN + i;
}

/* Reads a scalar string attribute with the HDF5 API. */
static void t_attr_str(hid_t obj, const char *name, char *buf, size_t len)
{
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	assert_true(a >= 0);
	hid_t t = H5Aget_type(a);
	assert_true(t >= 0);
	assert_int_equal(H5Tget_class(t), H5T_STRING);
	assert_true(H5Tis_variable_str(t) > 0);
	char *s = NULL;
	assert_true(H5Aread(a, t, &s) >= 0);
	assert_non_null(s);
	snprintf(buf, len, "%s", s);
	assert_true(H5free_memory(s) >= 0);
	assert_true(H5Tclose(t) >= 0);
	assert_true(H5Aclose(a) >= 0);
}

static void t_check_str_attr(hid_t obj, const char *name, const char *want)
{
	char buf[512];
	t_attr_str(obj, name, buf, sizeof buf);
	assert_string_equal(buf, want);
}

/* ---- round trip ---- */

static void test_round_trip(void **state)
{
	t_dir *d = *state;
	dn_results *r = NULL;
	char err[T_ERR];
	assert_int_equal(dn_results_open(d->target, &r, err, sizeof err), DN_OK);
	assert_non_null(r);
	assert_int_equal(dn_results_write_config(r, t_yaml, "0.1.0", UINT64_C(0xfedcba9876543210),
						 "abc123def456", 8),
			 DN_OK);
	int idf = -1, idi = -1, ide = -1;
	assert_int_equal(dn_results_series(r, "price", DN_VT_F64, "DNET/MiB", "token price", &idf),
			 DN_OK);
	assert_int_equal(dn_results_series(r, "blocks", DN_VT_I64, "1", "blocks produced", &idi),
			 DN_OK);
	assert_int_equal(dn_results_series(r, "empty", DN_VT_F64, NULL, NULL, &ide), DN_OK);
	assert_true(idf >= 0 && idi >= 0 && ide >= 0 && idf != idi && idi != ide);

	/* interleaved, as the engine records; equal times are allowed */
	for (int i = 0; i < T_ROWS_F64; i++) {
		assert_int_equal(dn_results_append_f64(r, idf, (dn_time_ns)i * 1000 / 2,
						       (double)i * 0.1 - 3.0),
				 DN_OK);
		if (i < T_ROWS_I64)
			assert_int_equal(dn_results_append_i64(r, idi, (dn_time_ns)i * 7,
							       t_i64_value(i)),
					 DN_OK);
	}
	assert_int_equal(dn_results_summary_f64(r, "final_price", 1.25, "DNET/MiB", "last price"),
			 DN_OK);
	assert_int_equal(dn_results_summary_i64(r, "total_blocks", INT64_MIN, "1", "blocks"),
			 DN_OK);

	/* R: nothing at the target before the commit; only the temporary */
	assert_false(t_exists(d->target));
	char tmp[T_PATH + 96];
	t_tmp_name(tmp, sizeof tmp, d->target, (long)getpid());
	assert_true(t_exists(tmp));

	assert_int_equal(dn_results_close_err(r, true, err, sizeof err), DN_OK);
	assert_true(t_exists(d->target));
	assert_false(t_exists(tmp));
	assert_int_equal(t_count_entries(d->dir), 1);

	/* read back through our reader, in name order */
	dn_series_data *s = NULL;
	size_t n = 0;
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_OK);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].name, "blocks");
	assert_string_equal(s[1].name, "empty");
	assert_string_equal(s[2].name, "price");

	assert_int_equal(s[0].vt, DN_VT_I64);
	assert_string_equal(s[0].units, "1");
	assert_string_equal(s[0].description, "blocks produced");
	assert_int_equal(s[0].n, T_ROWS_I64);
	assert_non_null(s[0].ivalue);
	for (int i = 0; i < T_ROWS_I64; i++) {
		assert_true(s[0].t_ns[i] == (int64_t)i * 7);
		assert_true(s[0].ivalue[i] == t_i64_value(i));
		assert_true(s[0].value[i] == (double)t_i64_value(i));
	}

	assert_int_equal(s[1].vt, DN_VT_F64);
	assert_int_equal(s[1].n, 0);
	assert_string_equal(s[1].units, "");
	assert_null(s[1].ivalue);

	assert_int_equal(s[2].vt, DN_VT_F64);
	assert_string_equal(s[2].units, "DNET/MiB");
	assert_string_equal(s[2].description, "token price");
	assert_int_equal(s[2].n, T_ROWS_F64);
	assert_null(s[2].ivalue);
	for (int i = 0; i < T_ROWS_F64; i++) {
		assert_true(s[2].t_ns[i] == (int64_t)i * 1000 / 2);
		assert_true(s[2].value[i] == (double)i * 0.1 - 3.0); /* exact: same computation */
	}
	dn_series_data_free(s, n);

	/* the layout, with the HDF5 API */
	hid_t f = H5Fopen(d->target, H5F_ACC_RDONLY, H5P_DEFAULT);
	assert_true(f >= 0);
	hid_t g = H5Gopen2(f, "/config", H5P_DEFAULT);
	assert_true(g >= 0);
	t_check_str_attr(g, "version", "0.1.0");
	t_check_str_attr(g, "git_revision", "abc123def456");
	char created[64];
	t_attr_str(g, "created", created, sizeof created);
	assert_int_equal(strlen(created), 20); /* 2026-01-02T03:04:05Z */
	assert_int_equal(created[10], 'T');
	assert_int_equal(created[19], 'Z');
	uint64_t seed = 0;
	hid_t a = H5Aopen(g, "seed", H5P_DEFAULT);
	assert_true(a >= 0);
	assert_true(H5Aread(a, H5T_NATIVE_UINT64, &seed) >= 0);
	assert_true(H5Aclose(a) >= 0);
	assert_true(seed == UINT64_C(0xfedcba9876543210));
	int threads = 0;
	a = H5Aopen(g, "threads", H5P_DEFAULT);
	assert_true(a >= 0);
	assert_true(H5Aread(a, H5T_NATIVE_INT, &threads) >= 0);
	assert_true(H5Aclose(a) >= 0);
	assert_int_equal(threads, 8);

	hid_t ds = H5Dopen2(g, "scenario", H5P_DEFAULT);
	assert_true(ds >= 0);
	hid_t st = H5Dget_type(ds);
	assert_true(st >= 0);
	assert_true(H5Tis_variable_str(st) > 0);
	char *yaml = NULL;
	assert_true(H5Dread(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, &yaml) >= 0);
	assert_string_equal(yaml, t_yaml);
	assert_true(H5free_memory(yaml) >= 0);
	assert_true(H5Tclose(st) >= 0);
	assert_true(H5Dclose(ds) >= 0);
	assert_true(H5Gclose(g) >= 0);

	ds = H5Dopen2(f, "/series/price", H5P_DEFAULT);
	assert_true(ds >= 0);
	t_check_str_attr(ds, "units", "DNET/MiB");
	t_check_str_attr(ds, "description", "token price");
	t_check_str_attr(ds, "time_units", "ns");
	hid_t dcpl = H5Dget_create_plist(ds);
	assert_true(dcpl >= 0);
	assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
	assert_int_equal(H5Pget_nfilters(dcpl), 2); /* shuffle, deflate */
	hsize_t chunk = 0;
	assert_int_equal(H5Pget_chunk(dcpl, 1, &chunk), 1);
	assert_true(chunk == 4096);
	assert_true(H5Pclose(dcpl) >= 0);
	hid_t rt = H5Dget_type(ds);
	assert_true(rt >= 0);
	assert_int_equal(H5Tget_class(rt), H5T_COMPOUND);
	assert_int_equal(H5Tget_member_index(rt, "t_ns"), 0);
	assert_int_equal(H5Tget_member_index(rt, "value"), 1);
	assert_true(H5Tclose(rt) >= 0);
	assert_true(H5Dclose(ds) >= 0);

	ds = H5Dopen2(f, "/summary/final_price", H5P_DEFAULT);
	assert_true(ds >= 0);
	double fp = 0;
	assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &fp) >= 0);
	assert_true(fp == 1.25);
	t_check_str_attr(ds, "units", "DNET/MiB");
	t_check_str_attr(ds, "description", "last price");
	assert_true(H5Dclose(ds) >= 0);
	ds = H5Dopen2(f, "/summary/total_blocks", H5P_DEFAULT);
	assert_true(ds >= 0);
	int64_t tb = 0;
	assert_true(H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &tb) >= 0);
	assert_true(tb == INT64_MIN);
	t_check_str_attr(ds, "units", "1");
	assert_true(H5Dclose(ds) >= 0);
	assert_true(H5Fclose(f) >= 0);
}

/* Exactly one chunk, and a file with no config and no series at all. */
static void test_chunk_edges(void **state)
{
	t_dir *d = *state;
	dn_results *r = NULL;
	char err[T_ERR];
	assert_int_equal(dn_results_open(d->target, &r, err, sizeof err), DN_OK);
	int id = -1;
	assert_int_equal(dn_results_series(r, "c", DN_VT_I64, "1", "one chunk", &id), DN_OK);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(dn_results_append_i64(r, id, 5, i), DN_OK);
	assert_int_equal(dn_results_close(r, true), DN_OK);
	dn_series_data *s = NULL;
	size_t n = 0;
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].n, 4096);
	assert_true(s[0].ivalue[4095] == 4095 && s[0].t_ns[4095] == 5);
	dn_series_data_free(s, n);

	assert_int_equal(dn_results_open(d->target, &r, err, sizeof err), DN_OK);
	assert_int_equal(dn_results_close(r, true), DN_OK);
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_OK);
	assert_int_equal(n, 0);
	dn_series_data_free(s, n);
}

/* ---- atomicity ---- */

static void test_discard_leaves_nothing(void **state)
{
	t_dir *d = *state;
	dn_results *r = NULL;
	char err[T_ERR];
	assert_int_equal(dn_results_open(d->target, &r, err, sizeof err), DN_OK);
	assert_int_equal(dn_results_write_config(r, t_yaml, "0.1.0", 3, "unknown", 1), DN_OK);
	int id = -1;
	assert_int_equal(dn_results_series(r, "x", DN_VT_F64, "s", "x", &id), DN_OK);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(dn_results_append_f64(r, id, i, 1.0), DN_OK);
	assert_int_equal(t_count_entries(d->dir), 1); /* the temporary */
	assert_int_equal(dn_results_close(r, false), DN_OK);
	assert_false(t_exists(d->target));
	assert_int_equal(t_count_entries(d->dir), 0);
	assert_int_equal(dn_results_close(NULL, true), DN_OK);
}

/* A writer that dies (SIGKILL, or exit without close) leaves no target. */
static void t_interrupted(t_dir *d, bool by_signal)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dn_results *r = NULL;
		char err[T_ERR];
		int id = -1;
		if (dn_results_open(d->target, &r, err, sizeof err) != DN_OK ||
		    dn_results_write_config(r, t_yaml, "0.1.0", 3, "unknown", 1) != DN_OK ||
		    dn_results_series(r, "x", DN_VT_F64, "s", "x", &id) != DN_OK)
			_exit(3);
		for (int i = 0; i < 100000; i++) {
			if (dn_results_append_f64(r, id, i, 0.5 * i) != DN_OK)
				_exit(4);
		}
		if (by_signal)
			(void)kill(getpid(), SIGKILL);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (by_signal) {
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
	} else {
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_false(t_exists(d->target));
	/* the dead writer's temporary is all that is left; a reader never sees it */
	char tmp[T_PATH + 96];
	t_tmp_name(tmp, sizeof tmp, d->target, (long)pid);
	assert_true(t_exists(tmp));
	assert_int_equal(t_count_entries(d->dir), 1);
}

static void test_killed_writer(void **state)
{
	t_interrupted(*state, true);
}

static void t_count_note(void *ctx, const char *file, long pid, int err)
{
	(void)file;
	(void)pid;
	if (err == 0)
		++*(int *)ctx;
}

/* The next run removes a dead writer's temporary, and only that: a live
 * writer's, another host's, and a file that is not HDF5 stay. */
static void test_stale_temporaries_cleaned(void **state)
{
	t_dir *d = *state;
	t_interrupted(d, true); /* leaves one dead writer's temporary */
	pid_t live = fork();
	assert_true(live >= 0);
	if (live == 0) {
		pause();
		_exit(0);
	}
	char p_live[T_PATH + 96], p_other[T_PATH + 96], p_text[T_PATH + 96];
	t_tmp_name(p_live, sizeof p_live, d->target, (long)live);
	snprintf(p_other, sizeof p_other, "%s.tmp-%s-%ld", d->target, "elsewhere", 999999L);
	char other_target[T_PATH + 16];
	snprintf(other_target, sizeof other_target, "%s.notes", d->target);
	/* a dead pid's name, but not an HDF5 file: a user's file is never removed */
	pid_t dead = fork();
	assert_true(dead >= 0);
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	t_tmp_name(p_text, sizeof p_text, other_target, (long)dead);
	static const unsigned char h5sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
	const char *with_sig[] = {p_live, p_other};
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(with_sig[i], "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(h5sig, 1, 8, f), 8);
		assert_int_equal(fclose(f), 0);
	}
	FILE *f = fopen(p_text, "w");
	assert_non_null(f);
	fputs("my notes\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(t_count_entries(d->dir), 4);

	int noted = 0;
	assert_int_equal(dn_results_clean_stale(d->target, t_count_note, &noted), 1);
	assert_int_equal(noted, 1);
	assert_int_equal(t_count_entries(d->dir), 3);
	assert_true(t_exists(p_live));
	assert_true(t_exists(p_other));
	assert_true(t_exists(p_text));
	kill(live, SIGKILL);
	assert_int_equal(waitpid(live, NULL, 0), live);
	/* now that writer is dead too */
	assert_int_equal(dn_results_clean_stale(d->target, NULL, NULL), 1);
	assert_false(t_exists(p_live));
	unlink(p_other);
	unlink(p_text);
}

static void test_exit_without_close(void **state)
{
	t_interrupted(*state, false);
}

static void test_existing_target_survives_abort(void **state)
{
	t_dir *d = *state;
	t_write_small(d->target, 1.0);
	size_t len0 = 0, len1 = 0;
	char *before = t_slurp(d->target, &len0);

	/* an aborted run */
	dn_results *r = NULL;
	char err[T_ERR];
	assert_int_equal(dn_results_open(d->target, &r, err, sizeof err), DN_OK);
	assert_int_equal(dn_results_write_config(r, "other: 1\n", "0.2.0", 9, "unknown", 2), DN_OK);
	int id = -1;
	assert_int_equal(dn_results_series(r, "y", DN_VT_I64, "1", "y", &id), DN_OK);
	for (int i = 0; i < 9000; i++)
		assert_int_equal(dn_results_append_i64(r, id, i, i), DN_OK);
	assert_int_equal(dn_results_close(r, false), DN_OK);

	/* and a killed one */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dn_results *rc = NULL;
		char e2[T_ERR];
		int id2 = -1;
		if (dn_results_open(d->target, &rc, e2, sizeof e2) != DN_OK ||
		    dn_results_series(rc, "z", DN_VT_F64, "1", "z", &id2) != DN_OK)
			_exit(3);
		for (int i = 0; i < 50000; i++) {
			if (dn_results_append_f64(rc, id2, i, i) != DN_OK)
				_exit(4);
		}
		(void)kill(getpid(), SIGKILL);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));

	char *after = t_slurp(d->target, &len1);
	assert_int_equal(len0, len1);
	assert_memory_equal(before, after, len0);
	free(before);
	free(after);

	dn_series_data *s = NULL;
	size_t n = 0;
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_OK);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].name, "x");
	dn_series_data_free(s, n);
}

/* A committed run replaces the earlier file. */
static void test_commit_replaces(void **state)
{
	t_dir *d = *state;
	t_write_small(d->target, 1.0);
	t_write_small(d->target, 100.0);
	dn_series_data *s = NULL;
	size_t n = 0;
	char err[T_ERR];
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_OK);
	assert_int_equal(n, 1);
	assert_true(s[0].value[0] == 100.0);
	dn_series_data_free(s, n);
	assert_int_equal(t_count_entries(d->dir), 1);
}

/*
 * Fault injection: a file size limit makes HDF5's writes fail (EFBIG)
 * partway. The failing call returns DN_EHDF5 with a message, later calls
 * keep returning it, close(true) fails, and nothing is left behind.
 * Runs in a child so the limit and HDF5's state die with it.
 */
static int t_disk_full_child(const t_dir *d)
{
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		return 10;
	struct rlimit rl = { 256 * 1024, 256 * 1024 };
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 11;
	dn_results *r = NULL;
	char err[T_ERR];
	int id = -1;
	if (dn_results_open(d->target, &r, err, sizeof err) != DN_OK ||
	    dn_results_series(r, "noise", DN_VT_F64, "1", "incompressible", &id) != DN_OK)
		return 12;
	uint64_t x = 88172645463325252u; /* xorshift64: data deflate cannot shrink */
	dn_rc first = DN_OK;
	for (int i = 0; i < 2000000 && first == DN_OK; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		first = dn_results_append_f64(r, id, i, (double)x);
	}
	if (first != DN_OK) {
		if (first != DN_EHDF5 || strlen(dn_results_errmsg(r)) == 0)
			return 13;
		if (dn_results_append_f64(r, id, INT64_MAX, 1.0) != first)
			return 14; /* poisoned */
		if (dn_results_summary_f64(r, "s", 1.0, "1", "s") != first)
			return 15;
	}
	dn_rc rc = dn_results_close_err(r, true, err, sizeof err);
	if (rc == DN_OK || strlen(err) == 0)
		return 16;
	char tmp[T_PATH + 96];
	(void)dn_results_tmp_name(d->target, (long)getpid(), tmp, sizeof tmp);
	if (t_exists(d->target) || t_exists(tmp))
		return 17;
	return 0;
}

static void test_write_failure(void **state)
{
	t_dir *d = *state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* as the program does; exit, not _exit: the exit path must not crash */
		dn_results_process_init();
		exit(t_disk_full_child(d));
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(t_count_entries(d->dir), 0);
}

/* ---- rejected input ---- */

static void test_bad_input(void **state)
{
	t_dir *d = *state;
	dn_results *r = NULL;
	char err[T_ERR];
	assert_int_equal(dn_results_open(d->target, &r, err, sizeof err), DN_OK);
	assert_string_equal(dn_results_errmsg(r), "");
	int id = -1, id2 = -1;
	assert_int_equal(dn_results_series(r, "x", DN_VT_F64, "s", "x", &id), DN_OK);

	/* decreasing time; equal time is fine */
	assert_int_equal(dn_results_append_f64(r, id, 100, 1.0), DN_OK);
	assert_int_equal(dn_results_append_f64(r, id, 100, 2.0), DN_OK);
	assert_int_equal(dn_results_append_f64(r, id, 99, 3.0), DN_EINVAL);
	assert_non_null(strstr(dn_results_errmsg(r), "before"));
	assert_int_equal(dn_results_append_f64(r, id, 101, 4.0), DN_OK);

	/* wrong value type, bad id */
	assert_int_equal(dn_results_append_i64(r, id, 200, 1), DN_EINVAL);
	assert_int_equal(dn_results_append_f64(r, 42, 200, 1.0), DN_EINVAL);
	assert_int_equal(dn_results_append_f64(r, -1, 200, 1.0), DN_EINVAL);

	/* names */
	assert_int_equal(dn_results_series(r, "x", DN_VT_I64, "s", "x", &id2), DN_EINVAL);
	assert_int_equal(id2, -1);
	assert_non_null(strstr(dn_results_errmsg(r), "twice"));
	const char *bad[] = { "", "a-b", "a b", "a/b", ".", "ü", "x\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(dn_results_series(r, bad[i], DN_VT_F64, "s", "x", &id2), DN_EINVAL);
		assert_int_equal(dn_results_summary_f64(r, bad[i], 1.0, "s", "x"), DN_EINVAL);
	}
	assert_int_equal(dn_results_series(r, NULL, DN_VT_F64, "s", "x", &id2), DN_EINVAL);
	char longname[200];
	memset(longname, 'a', sizeof longname);
	longname[128] = '\0';
	assert_int_equal(dn_results_series(r, longname, DN_VT_F64, "s", "x", &id2), DN_EINVAL);
	longname[127] = '\0'; /* 127 is the longest allowed */
	assert_int_equal(dn_results_series(r, longname, DN_VT_F64, "s", "x", &id2), DN_OK);
	assert_int_equal(dn_results_series(r, "v", (dn_value_type)7, "s", "x", &id2), DN_EINVAL);
	char longunits[100];
	memset(longunits, 'u', sizeof longunits);
	longunits[99] = '\0';
	assert_int_equal(dn_results_series(r, "u", DN_VT_F64, longunits, "x", &id2), DN_EINVAL);

	/* summaries and config */
	assert_int_equal(dn_results_summary_i64(r, "total", 1, "1", "t"), DN_OK);
	assert_int_equal(dn_results_summary_f64(r, "total", 1.0, "1", "t"), DN_EINVAL);
	assert_int_equal(dn_results_write_config(r, t_yaml, "0.1.0", 1, NULL, 1), DN_OK);
	assert_int_equal(dn_results_write_config(r, t_yaml, "0.1.0", 1, NULL, 1), DN_EINVAL);

	/* rejected calls do not spoil the file */
	assert_int_equal(dn_results_close_err(r, true, err, sizeof err), DN_OK);
	dn_series_data *s = NULL;
	size_t n = 0;
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_OK);
	assert_int_equal(n, 2);
	assert_string_equal(s[0].name, longname);
	assert_string_equal(s[1].name, "x");
	assert_int_equal(s[1].n, 3);
	assert_true(s[1].value[2] == 4.0);
	dn_series_data_free(s, n);

	/* NULL recorder */
	assert_int_equal(dn_results_append_f64(NULL, 0, 0, 0.0), DN_EINVAL);
	assert_int_equal(dn_results_open(NULL, &r, err, sizeof err), DN_EINVAL);
	assert_int_equal(dn_results_open("", &r, err, sizeof err), DN_EINVAL);
	assert_null(r);
	assert_int_equal(dn_results_open(d->dir, &r, err, sizeof err), DN_EINVAL); /* a directory */
	assert_null(r);
}

static void test_unwritable(void **state)
{
	t_dir *d = *state;
	dn_results *r = NULL;
	char err[T_ERR];
	char p[T_PATH + 160];

	/* a directory that does not exist */
	snprintf(p, sizeof p, "%s/missing/run.h5", d->dir);
	err[0] = '\0';
	dn_rc rc = dn_results_open(p, &r, err, sizeof err);
	assert_true(rc == DN_EIO || rc == DN_EHDF5);
	assert_null(r);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "No such file"));

	/* a "directory" that is a regular file (fails even for root) */
	char file[T_PATH + 64];
	snprintf(file, sizeof file, "%s/plain", d->dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	snprintf(p, sizeof p, "%s/plain/run.h5", d->dir);
	err[0] = '\0';
	rc = dn_results_open(p, &r, err, sizeof err);
	assert_true(rc == DN_EIO || rc == DN_EHDF5);
	assert_null(r);
	assert_true(strlen(err) > 0);

	/* a read-only directory (root may write anyway: then nothing to check) */
	char ro[T_PATH + 64];
	snprintf(ro, sizeof ro, "%s/ro", d->dir);
	assert_int_equal(mkdir(ro, 0500), 0);
	snprintf(p, sizeof p, "%s/run.h5", ro);
	rc = dn_results_open(p, &r, err, sizeof err);
	if (geteuid() != 0) {
		assert_true(rc == DN_EIO || rc == DN_EHDF5);
		assert_null(r);
		assert_non_null(strstr(err, "Permission denied"));
	} else if (rc == DN_OK) {
		assert_int_equal(dn_results_close(r, false), DN_OK);
	}
	assert_int_equal(t_count_entries(ro), 0);
	assert_int_equal(rmdir(ro), 0);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(t_count_entries(d->dir), 0);
}

/* ---- reading bad files ---- */

static void test_read_errors(void **state)
{
	t_dir *d = *state;
	dn_series_data *s = NULL;
	size_t n = 7;
	char err[T_ERR];

	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_EIO);
	assert_null(s);
	assert_int_equal(n, 0);
	assert_true(strlen(err) > 0);

	FILE *f = fopen(d->target, "w");
	assert_non_null(f);
	assert_true(fputs("not hdf5\n", f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_EHDF5);
	assert_null(s);
	assert_true(strlen(err) > 0);

	/* an HDF5 file that is not one of ours */
	hid_t h = H5Fcreate(d->target, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	assert_true(h >= 0);
	assert_true(H5Fclose(h) >= 0);
	assert_int_equal(dn_results_read_series(d->target, &s, &n, err, sizeof err), DN_EHDF5);
	assert_non_null(strstr(err, "/series"));
}

/* ---- interoperability ---- */

static void test_h5dump_reads_it(void **state)
{
	t_dir *d = *state;
	if (system("command -v h5dump >/dev/null 2>&1") != 0)
		skip();
	t_write_small(d->target, 2.0);
	char cmd[T_PATH * 2];
	int n = snprintf(cmd, sizeof cmd, "h5dump -H '%s' >/dev/null 2>&1", d->target);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	int st = system(cmd);
	assert_true(st != -1 && WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	n = snprintf(cmd, sizeof cmd, "h5dump -d /series/x '%s' >/dev/null 2>&1", d->target);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	st = system(cmd);
	assert_true(st != -1 && WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_edges, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_discard_leaves_nothing, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_killed_writer, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_exit_without_close, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_stale_temporaries_cleaned, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_existing_target_survives_abort, t_setup,
						t_teardown),
		cmocka_unit_test_setup_teardown(test_commit_replaces, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, t_setup, t_teardown),
		cmocka_unit_test_setup_teardown(test_h5dump_reads_it, t_setup, t_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
