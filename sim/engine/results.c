/*
 * results.c: the run recorder (results.h) on top of the HDF5 C library.
 *
 * A run writes one HDF5 file, first under a temporary name beside the
 * target ("<path>.tmp-<host>-<pid>"), renamed onto the target only when the run
 * commits, so a reader never sees a half-written file at the target path
 * and an aborted run never replaces an earlier good one. Series samples
 * are buffered per series and written one whole chunk at a time; the
 * remainder is flushed at close. docs/hdf5-schema.md describes the layout.
 *
 * This file is not the place for what to record (the engine and the models
 * decide that) nor for plotting (sim/cli/plot.c). HDF5's own error printing
 * is switched off; every HDF5 call is checked and a failure becomes
 * DN_EHDF5 with one line built from the innermost HDF5 error description.
 * After an HDF5 or I/O failure the recorder is poisoned: later calls return
 * the same code and close(true) discards the temporary.
 */
/* memfd_create needs _GNU_SOURCE, which the build defines */

#include "results.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

enum {
	DN_RES_CHUNK_ROWS = 4096,   /* rows per chunk and per in-memory buffer */
	DN_RES_NAME_MAX = 127,      /* fits dn_series_data.name with its NUL */
	DN_RES_UNITS_MAX = 63,      /* fits dn_series_data.units */
	DN_RES_DESC_MAX = 255,      /* fits dn_series_data.description */
	DN_RES_MAX_SERIES = 65536,  /* series per file (and read per file) */
	DN_RES_PATH_MAX = 4000,     /* target path length, leaving room for ".tmp-<host>-<pid>" */
	DN_RES_HOST_MAX = 40,       /* bytes of the host name in a temporary's name */
	DN_RES_ERR_MAX = 512,       /* one error line */
	DN_RES_DEFLATE_LEVEL = 1,   /* shuffle + deflate-1: smallest and fast (docs/hdf5-schema.md) */
	DN_RES_READ_ROWS = 65536    /* rows per read block in dn_results_read_series */
};

/* In-memory rows; the file types are built to the same packed layout. */
typedef struct dn_row_f64 {
	int64_t t_ns;
	double value;
} dn_row_f64;

typedef struct dn_row_i64 {
	int64_t t_ns;
	int64_t value;
} dn_row_i64;

_Static_assert(sizeof(dn_row_f64) == 16 && sizeof(dn_row_i64) == 16,
	       "rows are packed: one buffer size serves both value types");

typedef struct dn_series_rec {
	char name[DN_RES_NAME_MAX + 1];
	dn_value_type vt;
	hid_t dset;           /* open until close */
	hsize_t written;      /* rows already in the file */
	size_t nbuf;          /* rows waiting in buf */
	bool any;             /* at least one sample appended */
	dn_time_ns last_t_ns; /* time of the last sample, valid when any */
	void *buf;            /* DN_RES_CHUNK_ROWS rows, allocated at the first append */
} dn_series_rec;

struct dn_results {
	char *path;           /* the target */
	char *tmp;            /* "<path>.tmp-<host>-<pid>" */
	hid_t file;
	hid_t g_series;
	hid_t g_summary;
	hid_t ftype_f64;      /* file row types: little-endian, packed, 16 bytes */
	hid_t ftype_i64;
	hid_t mtype_f64;      /* memory row types: native, dn_row_* layout */
	hid_t mtype_i64;
	hid_t str_type;       /* variable-length UTF-8 string */
	hid_t dcpl_series;    /* chunked, shuffle + deflate, no timestamps */
	hid_t dcpl_scalar;    /* no timestamps */
	hid_t gcpl;           /* groups: no timestamps */
	dn_series_rec *series;
	size_t n_series;
	size_t cap_series;
	bool config_written;
	bool tmp_exists;      /* we created r->tmp and must remove it on failure */
	dn_rc failed;         /* sticky HDF5 / I/O failure, DN_OK while healthy */
	char err[DN_RES_ERR_MAX];
};

/* ---- errors ---- */

typedef struct dn_h5_walk {
	char *buf;
	size_t len;
} dn_h5_walk;

static herr_t res_walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
	dn_h5_walk *w = data;
	/* Walking upward, entry 0 is where HDF5 first detected the error: its
	 * description carries the errno text and names that a user can act on. */
	if (n == 0 && e != NULL && e->desc != NULL)
		snprintf(w->buf, w->len, "%s", e->desc);
	return 0;
}

/*
 * The innermost message on HDF5's error stack, made one short line. The
 * I/O driver's messages run over several lines ("file write failed: time
 * = ..., filename = ..., errno = 28, error message = 'No space left on
 * device', buf = ..."): of those we keep the first words and the quoted
 * system message.
 */
static void res_h5detail(char *buf, size_t len)
{
	assert(buf != NULL && len > 0);
	char raw[DN_RES_PATH_MAX + 1024]; /* the driver quotes the file name */
	raw[0] = '\0';
	dn_h5_walk w = { raw, sizeof raw };
	herr_t st = H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, res_walk_cb, &w);
	if (st < 0 || raw[0] == '\0') {
		snprintf(buf, len, "no detail from the HDF5 library");
		return;
	}
	static const char key[] = "error message = '";
	const char *m = strstr(raw, key);
	const char *colon = strchr(raw, ':');
	if (m != NULL && colon != NULL && colon < m) {
		m += sizeof key - 1;
		const char *end = strchr(m, '\'');
		int mlen = end != NULL ? (int)(end - m) : (int)strlen(m);
		snprintf(buf, len, "%.*s: %.*s", (int)(colon - raw), raw, mlen, m);
	} else {
		snprintf(buf, len, "%s", raw);
	}
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	}
}

static void DN_PRINTF(3, 4) res_fmt(char *buf, size_t len, const char *fmt, ...)
{
	if (buf == NULL || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Records a rejected argument; the recorder stays usable. */
static dn_rc DN_PRINTF(2, 3) res_inval(dn_results *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return DN_EINVAL;
}

/* Records an HDF5 failure while doing `what` on `obj`; poisons the recorder. */
static dn_rc res_h5fail(dn_results *r, const char *what, const char *obj)
{
	char detail[DN_RES_ERR_MAX / 2];
	res_h5detail(detail, sizeof detail);
	if (r->failed == DN_OK) {
		res_fmt(r->err, sizeof r->err, "results %s: %s %s: %s", r->path, what, obj, detail);
		r->failed = DN_EHDF5;
	}
	return r->failed;
}

/* Records an I/O (errno) failure; poisons the recorder. */
static dn_rc res_iofail(dn_results *r, const char *what, const char *file, int errnum)
{
	if (r->failed == DN_OK) {
		res_fmt(r->err, sizeof r->err, "results %s: %s %s: %s", r->path, what, file,
			strerror(errnum));
		r->failed = DN_EIO;
	}
	return r->failed;
}

/* ---- small checks ---- */

/* [A-Za-z0-9_]{1,127}; ASCII ranges, so the locale does not matter. */
static bool res_name_ok(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return false;
	size_t i;
	for (i = 0; i <= DN_RES_NAME_MAX && name[i] != '\0'; i++) {
		char c = name[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_';
		if (!ok)
			return false;
	}
	return i <= DN_RES_NAME_MAX;
}

static bool res_len_le(const char *s, size_t max)
{
	return strnlen(s, max + 1) <= max;
}

/* ---- attribute and type helpers ---- */

static dn_rc res_attr(dn_results *r, hid_t obj, const char *name, hid_t ftype, hid_t mtype,
		      const void *value)
{
	dn_rc rc = DN_OK;
	hid_t sp = H5Screate(H5S_SCALAR);
	if (sp < 0)
		return res_h5fail(r, "creating the attribute space for", name);
	hid_t a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
	if (a < 0) {
		rc = res_h5fail(r, "creating attribute", name);
	} else {
		if (H5Awrite(a, mtype, value) < 0)
			rc = res_h5fail(r, "writing attribute", name);
		if (H5Aclose(a) < 0 && rc == DN_OK)
			rc = res_h5fail(r, "closing attribute", name);
	}
	if (H5Sclose(sp) < 0 && rc == DN_OK)
		rc = res_h5fail(r, "closing the attribute space for", name);
	return rc;
}

/* A scalar variable-length UTF-8 string attribute; NULL is written as "". */
static dn_rc res_attr_str(dn_results *r, hid_t obj, const char *name, const char *value)
{
	const char *v = value != NULL ? value : "";
	return res_attr(r, obj, name, r->str_type, r->str_type, &v);
}

/* A compound {t_ns, value} of `size` bytes with the given member types. */
static hid_t res_row_type(size_t size, size_t t_off, hid_t t_type, size_t v_off, hid_t v_type)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, size);
	if (t < 0)
		return H5I_INVALID_HID;
	if (H5Tinsert(t, "t_ns", t_off, t_type) < 0 || H5Tinsert(t, "value", v_off, v_type) < 0) {
		/* Cannot happen with these fixed layouts; the caller reports it,
		 * and the result of closing the half-built type adds nothing. */
		herr_t st = H5Tclose(t);
		(void)st;
		return H5I_INVALID_HID;
	}
	return t;
}

/* Closes *id if open and marks it closed; records the first failure in *rc. */
static void res_close_id(dn_results *r, hid_t *id, herr_t (*closer)(hid_t), const char *what,
			 dn_rc *rc)
{
	if (*id < 0)
		return;
	herr_t st = closer(*id);
	*id = H5I_INVALID_HID;
	if (st < 0 && *rc == DN_OK)
		*rc = res_h5fail(r, "closing", what);
}

/* Closes every HDF5 handle, the file last. Safe on a partly opened r. */
static dn_rc res_close_handles(dn_results *r)
{
	dn_rc rc = DN_OK;
	for (size_t i = 0; i < r->n_series; i++)
		res_close_id(r, &r->series[i].dset, H5Dclose, r->series[i].name, &rc);
	res_close_id(r, &r->g_series, H5Gclose, "/series", &rc);
	res_close_id(r, &r->g_summary, H5Gclose, "/summary", &rc);
	res_close_id(r, &r->ftype_f64, H5Tclose, "a row type", &rc);
	res_close_id(r, &r->ftype_i64, H5Tclose, "a row type", &rc);
	res_close_id(r, &r->mtype_f64, H5Tclose, "a row type", &rc);
	res_close_id(r, &r->mtype_i64, H5Tclose, "a row type", &rc);
	res_close_id(r, &r->str_type, H5Tclose, "the string type", &rc);
	res_close_id(r, &r->dcpl_series, H5Pclose, "a property list", &rc);
	res_close_id(r, &r->dcpl_scalar, H5Pclose, "a property list", &rc);
	res_close_id(r, &r->gcpl, H5Pclose, "a property list", &rc);
	res_close_id(r, &r->file, H5Fclose, "the file", &rc);
	return rc;
}

static void res_free(dn_results *r)
{
	for (size_t i = 0; i < r->n_series; i++)
		free(r->series[i].buf);
	free(r->series);
	free(r->path);
	free(r->tmp);
	free(r);
}

/*
 * Lets a broken file close cleanly. HDF5 1.10 retries failed writes (a
 * dirty chunk, metadata) when objects and the file are closed; if that
 * fails too, H5Fclose frees the file but leaves its ID registered, and
 * the library's exit handler then dereferences it and crashes the whole
 * program at exit (HDF5 issue 2257, CVE-2020-10812; fixed in releases
 * after 1.10.8). The file is being discarded, so we point HDF5's
 * descriptor at an anonymous memory file: the retried writes and the
 * truncate at close succeed into it (/dev/null would refuse the truncate,
 * and the close would fail again), the closes succeed, and unlink removes
 * the real temporary. Only used after a failure. Relies on the default
 * sec2 driver, whose handle is an int. test_write_failure in
 * tests/unit/test_results.c and the full-disk test of tests/cli check it.
 */
static void res_defuse(dn_results *r)
{
	if (r->file < 0)
		return;
	void *handle = NULL;
	if (H5Fget_vfd_handle(r->file, H5P_DEFAULT, &handle) < 0 || handle == NULL)
		return; /* nothing more we can do; the error is already reported */
	int fd = *(const int *)handle; /* the sec2 driver's handle is its descriptor */
	/* A file-size limit applies to a memory file too, not to a device. */
	struct rlimit fl;
	bool limited = getrlimit(RLIMIT_FSIZE, &fl) == 0 && fl.rlim_cur != RLIM_INFINITY;
	int null = limited ? -1 : memfd_create("dnetsim-discarded", MFD_CLOEXEC);
	if (null < 0)
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return;
	int dup_st = dup2(null, fd);
	int close_st = close(null);
	/* Best effort: if either failed, the closes below fail as they would have. */
	(void)dup_st;
	(void)close_st;
}

/* ---- open ---- */

static dn_rc res_create_types(dn_results *r)
{
	r->ftype_f64 = res_row_type(16, 0, H5T_STD_I64LE, 8, H5T_IEEE_F64LE);
	if (r->ftype_f64 < 0)
		return res_h5fail(r, "building", "the float64 row type");
	r->ftype_i64 = res_row_type(16, 0, H5T_STD_I64LE, 8, H5T_STD_I64LE);
	if (r->ftype_i64 < 0)
		return res_h5fail(r, "building", "the int64 row type");
	r->mtype_f64 = res_row_type(sizeof(dn_row_f64), offsetof(dn_row_f64, t_ns), H5T_NATIVE_INT64,
				    offsetof(dn_row_f64, value), H5T_NATIVE_DOUBLE);
	if (r->mtype_f64 < 0)
		return res_h5fail(r, "building", "the float64 memory row type");
	r->mtype_i64 = res_row_type(sizeof(dn_row_i64), offsetof(dn_row_i64, t_ns), H5T_NATIVE_INT64,
				    offsetof(dn_row_i64, value), H5T_NATIVE_INT64);
	if (r->mtype_i64 < 0)
		return res_h5fail(r, "building", "the int64 memory row type");

	r->str_type = H5Tcopy(H5T_C_S1);
	if (r->str_type < 0)
		return res_h5fail(r, "building", "the string type");
	if (H5Tset_size(r->str_type, H5T_VARIABLE) < 0 ||
	    H5Tset_cset(r->str_type, H5T_CSET_UTF8) < 0)
		return res_h5fail(r, "building", "the string type");
	return DN_OK;
}

static dn_rc res_create_plists(dn_results *r)
{
	/* No object timestamps: two runs of the same scenario and seed then
	 * differ only in /config's `created` attribute. */
	const hsize_t chunk = DN_RES_CHUNK_ROWS;
	r->dcpl_series = H5Pcreate(H5P_DATASET_CREATE);
	if (r->dcpl_series < 0)
		return res_h5fail(r, "creating", "the series property list");
	if (H5Pset_chunk(r->dcpl_series, 1, &chunk) < 0 || H5Pset_shuffle(r->dcpl_series) < 0 ||
	    H5Pset_deflate(r->dcpl_series, DN_RES_DEFLATE_LEVEL) < 0 ||
	    H5Pset_obj_track_times(r->dcpl_series, 0) < 0)
		return res_h5fail(r, "setting up", "the series property list");
	r->dcpl_scalar = H5Pcreate(H5P_DATASET_CREATE);
	if (r->dcpl_scalar < 0)
		return res_h5fail(r, "creating", "the scalar property list");
	if (H5Pset_obj_track_times(r->dcpl_scalar, 0) < 0)
		return res_h5fail(r, "setting up", "the scalar property list");
	r->gcpl = H5Pcreate(H5P_GROUP_CREATE);
	if (r->gcpl < 0)
		return res_h5fail(r, "creating", "the group property list");
	if (H5Pset_obj_track_times(r->gcpl, 0) < 0)
		return res_h5fail(r, "setting up", "the group property list");
	return DN_OK;
}

static dn_rc res_create_file(dn_results *r)
{
	/* Reserve the temporary name exclusively with open(2): a clear errno
	 * message for an unwritable directory, and never two writers on one
	 * temporary. HDF5 then truncates the empty file we own. */
	int fd = open(r->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return res_iofail(r, "cannot create temporary file", r->tmp, errno);
	r->tmp_exists = true;
	if (close(fd) != 0)
		return res_iofail(r, "cannot close temporary file", r->tmp, errno);

	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl < 0)
		return res_h5fail(r, "creating the file access list for", r->tmp);
	/* STRONG: H5Fclose really closes the file, so the rename that follows
	 * moves a complete file. */
	dn_rc rc = DN_OK;
	if (H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0)
		rc = res_h5fail(r, "setting up the file access list for", r->tmp);
	if (rc == DN_OK) {
		r->file = H5Fcreate(r->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
		if (r->file < 0)
			rc = res_h5fail(r, "creating", r->tmp);
	}
	if (H5Pclose(fapl) < 0 && rc == DN_OK)
		rc = res_h5fail(r, "closing the file access list for", r->tmp);
	if (rc != DN_OK)
		return rc;

	r->g_series = H5Gcreate2(r->file, "series", H5P_DEFAULT, r->gcpl, H5P_DEFAULT);
	if (r->g_series < 0)
		return res_h5fail(r, "creating group", "/series");
	r->g_summary = H5Gcreate2(r->file, "summary", H5P_DEFAULT, r->gcpl, H5P_DEFAULT);
	if (r->g_summary < 0)
		return res_h5fail(r, "creating group", "/summary");
	return DN_OK;
}

/* This host's name as it goes into temporaries: letters, digits and '-'
 * only (so the name parses back), "host" when it has none. */
static void res_host(char out[DN_RES_HOST_MAX + 1])
{
	char h[256];
	size_t n = 0;
	if (gethostname(h, sizeof h) == 0) {
		h[sizeof h - 1] = '\0';
		for (const char *p = h; *p && n < DN_RES_HOST_MAX; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    *p == '-')
				out[n++] = *p;
	}
	if (n == 0) {
		memcpy(out, "host", 5);
		return;
	}
	out[n] = '\0';
}

/* The pid of "<anything>.tmp-<host>-<pid>" when host is ours, else 0. */
static long res_stale_pid(const char *name, const char *host)
{
	const char *t = NULL;
	for (const char *p = strstr(name, ".tmp-"); p; p = strstr(p + 1, ".tmp-"))
		t = p;
	if (!t || t == name)
		return 0;
	t += 5;
	size_t hl = strlen(host);
	if (strncmp(t, host, hl) != 0 || t[hl] != '-')
		return 0;
	t += hl + 1;
	long pid = 0;
	if (!*t)
		return 0;
	for (; *t; t++) {
		if (*t < '0' || *t > '9' || pid > 100000000L)
			return 0;
		pid = pid * 10 + (*t - '0');
	}
	return pid;
}

/* True for an empty file or one that starts with the HDF5 signature. */
static bool res_is_ours(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool ok = false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
		unsigned char b[8];
		ok = st.st_size == 0 || (read(fd, b, sizeof b) == (ssize_t)sizeof b && memcmp(b, sig, 8) == 0);
	}
	close(fd);
	return ok;
}

void dn_results_process_init(void)
{
	herr_t st = H5dont_atexit();
	(void)st; /* fails only once the library is initialised: then too late anyway */
}

int dn_results_tmp_name(const char *path, long pid, char *buf, size_t len)
{
	char host[DN_RES_HOST_MAX + 1];
	res_host(host);
	return snprintf(buf, len, "%s.tmp-%s-%ld", path, host, pid);
}

size_t dn_results_clean_stale(const char *path,
                              void (*note)(void *ctx, const char *file, long pid, int err),
                              void *ctx)
{
	char dir[DN_RES_PATH_MAX + 1];
	if (path == NULL || !dn_path_folder(path, dir, sizeof dir))
		return 0;
	char host[DN_RES_HOST_MAX + 1];
	res_host(host);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t removed = 0, seen = 0;
	struct dirent *e;
	/* A bound on the scan: a folder of millions of files is not read whole. */
	while ((e = readdir(d)) != NULL && seen++ < 1000000) {
		long pid = res_stale_pid(e->d_name, host);
		if (pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or not ours to signal): leave it */
		if (!res_is_ours(dirfd(d), e->d_name))
			continue;
		char full[2 * DN_RES_PATH_MAX + 2];
		snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
		if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
			removed++;
			if (note)
				note(ctx, full, pid, 0);
		} else if (note) {
			note(ctx, full, pid, errno);
		}
	}
	closedir(d);
	return removed;
}

dn_rc dn_results_open(const char *path, dn_results **out, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL) {
		res_fmt(err, errlen, "results: no output pointer");
		return DN_EINVAL;
	}
	*out = NULL;
	if (path == NULL || path[0] == '\0') {
		res_fmt(err, errlen, "results: empty file name");
		return DN_EINVAL;
	}
	if (!res_len_le(path, DN_RES_PATH_MAX)) {
		res_fmt(err, errlen, "results: file name longer than %d bytes", DN_RES_PATH_MAX);
		return DN_EINVAL;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		res_fmt(err, errlen, "results %s: is a directory", path);
		return DN_EINVAL;
	}

	dn_results *r = calloc(1, sizeof *r);
	if (r == NULL) {
		res_fmt(err, errlen, "results %s: out of memory", path);
		return DN_ENOMEM;
	}
	r->file = r->g_series = r->g_summary = H5I_INVALID_HID;
	r->ftype_f64 = r->ftype_i64 = r->mtype_f64 = r->mtype_i64 = H5I_INVALID_HID;
	r->str_type = r->dcpl_series = r->dcpl_scalar = r->gcpl = H5I_INVALID_HID;
	size_t plen = strlen(path);
	size_t tlen = plen + 32 + DN_RES_HOST_MAX; /* ".tmp-", a host and a pid */
	r->path = malloc(plen + 1);
	r->tmp = malloc(tlen);
	if (r->path == NULL || r->tmp == NULL) {
		res_fmt(err, errlen, "results %s: out of memory", path);
		res_free(r);
		return DN_ENOMEM;
	}
	memcpy(r->path, path, plen + 1);
	(void)dn_results_tmp_name(path, (long)getpid(), r->tmp, tlen);

	/* We report errors ourselves (one line, with context). */
	dn_rc rc = DN_OK;
	if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0)
		rc = res_h5fail(r, "switching off error printing for", path);
	if (rc == DN_OK)
		rc = res_create_types(r);
	if (rc == DN_OK)
		rc = res_create_plists(r);
	if (rc == DN_OK)
		rc = res_create_file(r);
	if (rc != DN_OK) {
		res_defuse(r);
		dn_rc crc = res_close_handles(r);
		(void)crc; /* the first error is already in r->err */
		if (r->tmp_exists && unlink(r->tmp) != 0 && errno != ENOENT) {
			size_t used = strlen(r->err);
			res_fmt(r->err + used, sizeof r->err - used, "; and cannot remove %s: %s",
				r->tmp, strerror(errno));
		}
		res_fmt(err, errlen, "%s", r->err);
		res_free(r);
		return rc;
	}
	*out = r;
	return DN_OK;
}

/* ---- config ---- */

dn_rc dn_results_write_config(dn_results *r, const char *scenario_yaml, const char *version,
			      uint64_t seed, const char *git_revision, int threads)
{
	if (r == NULL)
		return DN_EINVAL;
	if (r->failed != DN_OK)
		return r->failed;
	if (r->config_written)
		return res_inval(r, "results %s: /config written twice", r->path);
	if (version == NULL)
		return res_inval(r, "results %s: no version for /config", r->path);
	const char *rev = git_revision != NULL ? git_revision : "unknown";
	const char *yaml = scenario_yaml != NULL ? scenario_yaml : "";

	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	if (now == (time_t)-1 || gmtime_r(&now, &tm) == NULL ||
	    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		res_fmt(r->err, sizeof r->err, "results %s: cannot read the UTC time", r->path);
		return DN_EIO;
	}

	hid_t g = H5Gcreate2(r->file, "config", H5P_DEFAULT, r->gcpl, H5P_DEFAULT);
	if (g < 0)
		return res_h5fail(r, "creating group", "/config");
	r->config_written = true;
	dn_rc rc = res_attr_str(r, g, "version", version);
	if (rc == DN_OK)
		rc = res_attr(r, g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
	if (rc == DN_OK)
		rc = res_attr_str(r, g, "git_revision", rev);
	if (rc == DN_OK)
		rc = res_attr(r, g, "threads", H5T_STD_I32LE, H5T_NATIVE_INT, &threads);
	if (rc == DN_OK)
		rc = res_attr_str(r, g, "created", created);

	if (rc == DN_OK) {
		hid_t sp = H5Screate(H5S_SCALAR);
		if (sp < 0) {
			rc = res_h5fail(r, "creating the space for", "/config/scenario");
		} else {
			hid_t d = H5Dcreate2(g, "scenario", r->str_type, sp, H5P_DEFAULT,
					     r->dcpl_scalar, H5P_DEFAULT);
			if (d < 0) {
				rc = res_h5fail(r, "creating", "/config/scenario");
			} else {
				if (H5Dwrite(d, r->str_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &yaml) < 0)
					rc = res_h5fail(r, "writing", "/config/scenario");
				if (H5Dclose(d) < 0 && rc == DN_OK)
					rc = res_h5fail(r, "closing", "/config/scenario");
			}
			if (H5Sclose(sp) < 0 && rc == DN_OK)
				rc = res_h5fail(r, "closing the space for", "/config/scenario");
		}
	}
	if (H5Gclose(g) < 0 && rc == DN_OK)
		rc = res_h5fail(r, "closing group", "/config");
	return rc;
}

/* ---- series ---- */

static dn_rc res_check_strings(dn_results *r, const char *units, const char *description)
{
	if (units != NULL && !res_len_le(units, DN_RES_UNITS_MAX))
		return res_inval(r, "results %s: units longer than %d bytes", r->path,
				 DN_RES_UNITS_MAX);
	if (description != NULL && !res_len_le(description, DN_RES_DESC_MAX))
		return res_inval(r, "results %s: description longer than %d bytes", r->path,
				 DN_RES_DESC_MAX);
	return DN_OK;
}

dn_rc dn_results_series(dn_results *r, const char *name, dn_value_type vt, const char *units,
			const char *description, int *id)
{
	if (r == NULL || id == NULL)
		return DN_EINVAL;
	*id = -1;
	if (r->failed != DN_OK)
		return r->failed;
	if (!res_name_ok(name))
		return res_inval(r, "results %s: bad series name \"%.*s\" (want 1-%d of [A-Za-z0-9_])",
				 r->path, DN_RES_NAME_MAX, name != NULL ? name : "(null)",
				 DN_RES_NAME_MAX);
	if (vt != DN_VT_F64 && vt != DN_VT_I64)
		return res_inval(r, "results %s: series %s: bad value type %d", r->path, name, (int)vt);
	dn_rc rc = res_check_strings(r, units, description);
	if (rc != DN_OK)
		return rc;
	for (size_t i = 0; i < r->n_series; i++) {
		if (strcmp(r->series[i].name, name) == 0)
			return res_inval(r, "results %s: series %s declared twice", r->path, name);
	}
	if (r->n_series >= DN_RES_MAX_SERIES)
		return res_inval(r, "results %s: more than %d series", r->path, DN_RES_MAX_SERIES);
	if (r->n_series == r->cap_series) {
		size_t cap = r->cap_series == 0 ? 16 : r->cap_series * 2;
		if (cap > DN_RES_MAX_SERIES)
			cap = DN_RES_MAX_SERIES;
		dn_series_rec *s = realloc(r->series, cap * sizeof *s);
		if (s == NULL) {
			res_fmt(r->err, sizeof r->err, "results %s: out of memory", r->path);
			return DN_ENOMEM;
		}
		r->series = s;
		r->cap_series = cap;
	}

	const hsize_t dims = 0, maxdims = H5S_UNLIMITED;
	hid_t sp = H5Screate_simple(1, &dims, &maxdims);
	if (sp < 0)
		return res_h5fail(r, "creating the space for series", name);
	hid_t ftype = vt == DN_VT_F64 ? r->ftype_f64 : r->ftype_i64;
	hid_t d = H5Dcreate2(r->g_series, name, ftype, sp, H5P_DEFAULT, r->dcpl_series, H5P_DEFAULT);
	if (d < 0)
		rc = res_h5fail(r, "creating series", name);
	if (H5Sclose(sp) < 0 && rc == DN_OK)
		rc = res_h5fail(r, "closing the space for series", name);
	if (rc != DN_OK) {
		herr_t st = d >= 0 ? H5Dclose(d) : 0;
		(void)st; /* already failing; the first error is the one reported */
		return rc;
	}

	/* room was made above, within the file's bound */
	assert(r->n_series < r->cap_series && r->cap_series <= DN_RES_MAX_SERIES);
	dn_series_rec *s = &r->series[r->n_series];
	memset(s, 0, sizeof *s);
	memcpy(s->name, name, strlen(name) + 1);
	s->vt = vt;
	s->dset = d;
	r->n_series++; /* from here res_close_handles closes d */

	rc = res_attr_str(r, d, "units", units);
	if (rc == DN_OK)
		rc = res_attr_str(r, d, "description", description);
	if (rc == DN_OK)
		rc = res_attr_str(r, d, "time_units", "ns");
	if (rc != DN_OK)
		return rc;
	*id = (int)(r->n_series - 1);
	return DN_OK;
}

/* Writes the buffered rows of s at the end of its dataset. */
static dn_rc res_flush(dn_results *r, dn_series_rec *s)
{
	if (s->nbuf == 0)
		return DN_OK;
	assert(s->nbuf <= DN_RES_CHUNK_ROWS && s->buf != NULL);
	const hsize_t start = s->written, count = s->nbuf;
	const hsize_t size = s->written + s->nbuf;
	if (H5Dset_extent(s->dset, &size) < 0)
		return res_h5fail(r, "extending series", s->name);
	hid_t fs = H5Dget_space(s->dset);
	if (fs < 0)
		return res_h5fail(r, "getting the space of series", s->name);
	dn_rc rc = DN_OK;
	if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0)
		rc = res_h5fail(r, "selecting rows of series", s->name);
	hid_t ms = H5I_INVALID_HID;
	if (rc == DN_OK) {
		ms = H5Screate_simple(1, &count, NULL);
		if (ms < 0)
			rc = res_h5fail(r, "creating the memory space for series", s->name);
	}
	if (rc == DN_OK) {
		hid_t mtype = s->vt == DN_VT_F64 ? r->mtype_f64 : r->mtype_i64;
		if (H5Dwrite(s->dset, mtype, ms, fs, H5P_DEFAULT, s->buf) < 0)
			rc = res_h5fail(r, "writing series", s->name);
	}
	if (ms >= 0 && H5Sclose(ms) < 0 && rc == DN_OK)
		rc = res_h5fail(r, "closing the memory space for series", s->name);
	if (H5Sclose(fs) < 0 && rc == DN_OK)
		rc = res_h5fail(r, "closing the space of series", s->name);
	if (rc != DN_OK)
		return rc;
	assert(size > s->written); /* a dataset only grows */
	s->written = size;
	s->nbuf = 0;
	return DN_OK;
}

static dn_rc res_append(dn_results *r, int id, dn_value_type vt, dn_time_ns t, double f,
			int64_t i)
{
	if (r == NULL)
		return DN_EINVAL;
	if (r->failed != DN_OK)
		return r->failed;
	if (id < 0 || (size_t)id >= r->n_series)
		return res_inval(r, "results %s: no series with id %d", r->path, id);
	dn_series_rec *s = &r->series[id];
	assert(s->vt == DN_VT_F64 || s->vt == DN_VT_I64);
	if (s->vt != vt)
		return res_inval(r, "results %s: series %s holds %s values", r->path, s->name,
				 s->vt == DN_VT_F64 ? "float64" : "int64");
	if (s->any && t < s->last_t_ns)
		return res_inval(r,
				 "results %s: series %s: time %" PRId64 " ns is before the last "
				 "sample at %" PRId64 " ns",
				 r->path, s->name, t, s->last_t_ns);
	if (s->buf == NULL) {
		s->buf = malloc((size_t)DN_RES_CHUNK_ROWS * sizeof(dn_row_f64));
		if (s->buf == NULL) {
			res_fmt(r->err, sizeof r->err, "results %s: series %s: out of memory", r->path,
				s->name);
			return DN_ENOMEM;
		}
	}
	assert(s->nbuf < DN_RES_CHUNK_ROWS);
	if (vt == DN_VT_F64) {
		dn_row_f64 *row = (dn_row_f64 *)s->buf + s->nbuf;
		row->t_ns = t;
		row->value = f;
	} else {
		dn_row_i64 *row = (dn_row_i64 *)s->buf + s->nbuf;
		row->t_ns = t;
		row->value = i;
	}
	s->nbuf++;
	s->any = true;
	s->last_t_ns = t;
	if (s->nbuf == DN_RES_CHUNK_ROWS)
		return res_flush(r, s);
	return DN_OK;
}

dn_rc dn_results_series_attr(dn_results *r, int id, const char *key, const char *value)
{
	if (r == NULL || key == NULL || !res_name_ok(key))
		return r ? res_inval(r, "results: bad attribute name") : DN_EINVAL;
	if (r->failed != DN_OK)
		return r->failed;
	if (id < 0 || (size_t)id >= r->n_series)
		return res_inval(r, "results %s: attribute %s on no series (%d)", r->path, key, id);
	dn_rc rc = res_check_strings(r, NULL, value);
	return rc ? rc : res_attr_str(r, r->series[id].dset, key, value);
}

dn_rc dn_results_append_f64(dn_results *r, int id, dn_time_ns t, double v)
{
	return res_append(r, id, DN_VT_F64, t, v, 0);
}

dn_rc dn_results_append_i64(dn_results *r, int id, dn_time_ns t, int64_t v)
{
	return res_append(r, id, DN_VT_I64, t, 0.0, v);
}

/* ---- summary ---- */

static dn_rc res_summary(dn_results *r, const char *name, hid_t ftype, hid_t mtype,
			 const void *v, const char *units, const char *description)
{
	if (r == NULL)
		return DN_EINVAL;
	if (r->failed != DN_OK)
		return r->failed;
	if (!res_name_ok(name))
		return res_inval(r, "results %s: bad summary name \"%.*s\" (want 1-%d of [A-Za-z0-9_])",
				 r->path, DN_RES_NAME_MAX, name != NULL ? name : "(null)",
				 DN_RES_NAME_MAX);
	dn_rc rc = res_check_strings(r, units, description);
	if (rc != DN_OK)
		return rc;
	htri_t ex = H5Lexists(r->g_summary, name, H5P_DEFAULT);
	if (ex < 0)
		return res_h5fail(r, "looking up summary", name);
	if (ex > 0)
		return res_inval(r, "results %s: summary %s written twice", r->path, name);

	hid_t sp = H5Screate(H5S_SCALAR);
	if (sp < 0)
		return res_h5fail(r, "creating the space for summary", name);
	hid_t d = H5Dcreate2(r->g_summary, name, ftype, sp, H5P_DEFAULT, r->dcpl_scalar, H5P_DEFAULT);
	if (d < 0) {
		rc = res_h5fail(r, "creating summary", name);
	} else {
		if (H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
			rc = res_h5fail(r, "writing summary", name);
		if (rc == DN_OK)
			rc = res_attr_str(r, d, "units", units);
		if (rc == DN_OK)
			rc = res_attr_str(r, d, "description", description);
		if (H5Dclose(d) < 0 && rc == DN_OK)
			rc = res_h5fail(r, "closing summary", name);
	}
	if (H5Sclose(sp) < 0 && rc == DN_OK)
		rc = res_h5fail(r, "closing the space for summary", name);
	return rc;
}

dn_rc dn_results_summary_f64(dn_results *r, const char *name, double v, const char *units,
			     const char *description)
{
	return res_summary(r, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, units, description);
}

dn_rc dn_results_summary_i64(dn_results *r, const char *name, int64_t v, const char *units,
			     const char *description)
{
	return res_summary(r, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v, units, description);
}

/* ---- close ---- */

/* Makes the temporary's bytes durable before the rename publishes it. */
static dn_rc res_sync(dn_results *r)
{
	int fd = open(r->tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return res_iofail(r, "cannot reopen", r->tmp, errno);
	dn_rc rc = DN_OK;
	if (fsync(fd) != 0)
		rc = res_iofail(r, "cannot fsync", r->tmp, errno);
	if (close(fd) != 0 && rc == DN_OK)
		rc = res_iofail(r, "cannot close", r->tmp, errno);
	return rc;
}

const char *dn_results_errmsg(const dn_results *r)
{
	return r != NULL ? r->err : "no recorder";
}

dn_rc dn_results_close_err(dn_results *r, bool commit, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (r == NULL)
		return DN_OK;
	dn_rc rc = r->failed;
	if (commit) {
		for (size_t i = 0; i < r->n_series && rc == DN_OK; i++)
			rc = res_flush(r, &r->series[i]);
		/* Write everything now, while a failure can still be handled:
		 * see res_defuse for what a failing H5Fclose does. */
		if (rc == DN_OK && H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
			rc = res_h5fail(r, "writing", r->tmp);
	}
	if (r->failed != DN_OK)
		res_defuse(r);
	dn_rc crc = res_close_handles(r);
	if (commit && rc == DN_OK)
		rc = crc;
	if (commit && rc == DN_OK)
		rc = res_sync(r);
	if (commit && rc == DN_OK && rename(r->tmp, r->path) != 0)
		rc = res_iofail(r, "cannot rename the temporary onto", r->path, errno);
	if (!commit)
		rc = DN_OK; /* discarding: close errors do not matter */
	if ((!commit || rc != DN_OK) && unlink(r->tmp) != 0 && errno != ENOENT) {
		int e = errno;
		if (rc == DN_OK) {
			res_fmt(r->err, sizeof r->err, "results %s: cannot remove %s: %s", r->path,
				r->tmp, strerror(e));
			rc = DN_EIO;
		} else {
			size_t used = strnlen(r->err, sizeof r->err - 1);
			res_fmt(r->err + used, sizeof r->err - used, "; and cannot remove %s: %s",
				r->tmp, strerror(e));
		}
	}
	if (rc != DN_OK)
		res_fmt(err, errlen, "%s", r->err);
	res_free(r);
	return rc;
}

dn_rc dn_results_close(dn_results *r, bool commit)
{
	return dn_results_close_err(r, commit, NULL, 0);
}

/* ---- reading ---- */

typedef struct dn_rd_names {
	char (*names)[DN_RES_NAME_MAX + 1];
	size_t n;
	size_t cap;
	bool too_long;
} dn_rd_names;

static herr_t rd_name_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
	dn_rd_names *nl = data;
	(void)g;
	(void)info;
	if (nl->n >= nl->cap)
		return -1;
	size_t len = strnlen(name, DN_RES_NAME_MAX + 1);
	if (len > DN_RES_NAME_MAX) {
		nl->too_long = true;
		return -1;
	}
	memcpy(nl->names[nl->n], name, len + 1);
	nl->n++;
	return 0;
}

static dn_rc rd_h5fail(char *err, size_t errlen, const char *path, const char *what,
		       const char *obj)
{
	char detail[DN_RES_ERR_MAX / 2];
	res_h5detail(detail, sizeof detail);
	res_fmt(err, errlen, "%s: %s %s: %s", path, what, obj, detail);
	return DN_EHDF5;
}

/* Reads a scalar string attribute into buf (truncated to fit); "" if absent. */
static dn_rc rd_str_attr(hid_t obj, const char *name, char *buf, size_t len, char *err,
			 size_t errlen, const char *path, const char *objname)
{
	assert(len > 0);
	buf[0] = '\0';
	htri_t ex = H5Aexists(obj, name);
	if (ex < 0)
		return rd_h5fail(err, errlen, path, "looking up an attribute of", objname);
	if (ex == 0)
		return DN_OK;
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	if (a < 0)
		return rd_h5fail(err, errlen, path, "opening an attribute of", objname);
	dn_rc rc = DN_OK;
	hid_t at = H5Aget_type(a);
	hid_t mt = H5I_INVALID_HID;
	if (at < 0) {
		rc = rd_h5fail(err, errlen, path, "getting an attribute type of", objname);
	} else if (H5Tget_class(at) != H5T_STRING) {
		res_fmt(err, errlen, "%s: attribute %s of %s is not a string", path, name, objname);
		rc = DN_EHDF5;
	} else {
		mt = H5Tcopy(at);
		if (mt < 0)
			rc = rd_h5fail(err, errlen, path, "copying an attribute type of", objname);
	}
	htri_t var = rc == DN_OK ? H5Tis_variable_str(at) : 0;
	if (var < 0)
		rc = rd_h5fail(err, errlen, path, "inspecting an attribute type of", objname);
	if (rc == DN_OK && var > 0) {
		char *p = NULL;
		if (H5Aread(a, mt, &p) < 0) {
			rc = rd_h5fail(err, errlen, path, "reading an attribute of", objname);
		} else {
			snprintf(buf, len, "%s", p != NULL ? p : "");
			if (p != NULL && H5free_memory(p) < 0)
				rc = rd_h5fail(err, errlen, path, "freeing an attribute of", objname);
		}
	} else if (rc == DN_OK) {
		size_t sz = H5Tget_size(at);
		char *tmp = sz > 0 ? malloc(sz + 1) : NULL;
		if (tmp == NULL) {
			res_fmt(err, errlen, "%s: attribute %s of %s: bad size or out of memory", path,
				name, objname);
			rc = DN_ENOMEM;
		} else {
			if (H5Aread(a, mt, tmp) < 0) {
				rc = rd_h5fail(err, errlen, path, "reading an attribute of", objname);
			} else {
				tmp[sz] = '\0';
				snprintf(buf, len, "%s", tmp);
			}
			free(tmp);
		}
	}
	if (mt >= 0 && H5Tclose(mt) < 0 && rc == DN_OK)
		rc = rd_h5fail(err, errlen, path, "closing an attribute type of", objname);
	if (at >= 0 && H5Tclose(at) < 0 && rc == DN_OK)
		rc = rd_h5fail(err, errlen, path, "closing an attribute type of", objname);
	if (H5Aclose(a) < 0 && rc == DN_OK)
		rc = rd_h5fail(err, errlen, path, "closing an attribute of", objname);
	return rc;
}

/* Finds the value type of a {t_ns, value} compound; DN_EHDF5 if not one. */
static dn_rc rd_row_kind(hid_t d, dn_value_type *vt, char *err, size_t errlen, const char *path,
			 const char *name)
{
	hid_t t = H5Dget_type(d);
	if (t < 0)
		return rd_h5fail(err, errlen, path, "getting the type of series", name);
	dn_rc rc = DN_OK;
	int it = -1, iv = -1;
	if (H5Tget_class(t) == H5T_COMPOUND) {
		it = H5Tget_member_index(t, "t_ns");
		iv = H5Tget_member_index(t, "value");
	}
	H5T_class_t vc = iv >= 0 ? H5Tget_member_class(t, (unsigned)iv) : H5T_NO_CLASS;
	if (it < 0 || (vc != H5T_INTEGER && vc != H5T_FLOAT)) {
		res_fmt(err, errlen, "%s: series %s is not a {t_ns, value} table", path, name);
		rc = DN_EHDF5;
	} else {
		*vt = vc == H5T_INTEGER ? DN_VT_I64 : DN_VT_F64;
	}
	if (H5Tclose(t) < 0 && rc == DN_OK)
		rc = rd_h5fail(err, errlen, path, "closing the type of series", name);
	return rc;
}

/* Reads rows [0, n) of d block by block into s. mtype matches row. */
static dn_rc rd_rows(hid_t d, hid_t mtype, dn_series_data *s, char *err, size_t errlen,
		     const char *path)
{
	hid_t fs = H5Dget_space(d);
	if (fs < 0)
		return rd_h5fail(err, errlen, path, "getting the space of series", s->name);
	size_t block = s->n < DN_RES_READ_ROWS ? s->n : DN_RES_READ_ROWS;
	void *buf = block > 0 ? malloc(block * sizeof(dn_row_f64)) : NULL;
	const dn_row_f64 *rf = buf;
	const dn_row_i64 *ri = buf;
	dn_rc rc = DN_OK;
	if (block > 0 && buf == NULL) {
		res_fmt(err, errlen, "%s: series %s: out of memory", path, s->name);
		rc = DN_ENOMEM;
	}
	for (size_t done = 0; rc == DN_OK && done < s->n;) {
		hsize_t start = done, count = s->n - done < block ? s->n - done : block;
		hid_t ms = H5I_INVALID_HID;
		if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0) {
			rc = rd_h5fail(err, errlen, path, "selecting rows of series", s->name);
			break;
		}
		ms = H5Screate_simple(1, &count, NULL);
		if (ms < 0) {
			rc = rd_h5fail(err, errlen, path, "creating a memory space for", s->name);
			break;
		}
		if (H5Dread(d, mtype, ms, fs, H5P_DEFAULT, buf) < 0)
			rc = rd_h5fail(err, errlen, path, "reading series", s->name);
		if (H5Sclose(ms) < 0 && rc == DN_OK)
			rc = rd_h5fail(err, errlen, path, "closing a memory space for", s->name);
		for (size_t k = 0; rc == DN_OK && k < count; k++) {
			if (s->vt == DN_VT_I64) {
				s->t_ns[done + k] = ri[k].t_ns;
				s->ivalue[done + k] = ri[k].value;
				s->value[done + k] = (double)ri[k].value;
			} else {
				s->t_ns[done + k] = rf[k].t_ns;
				s->value[done + k] = rf[k].value;
			}
		}
		done += (size_t)count;
	}
	free(buf);
	if (H5Sclose(fs) < 0 && rc == DN_OK)
		rc = rd_h5fail(err, errlen, path, "closing the space of series", s->name);
	return rc;
}

/* Reads one series dataset d into s (s->name already set). */
static dn_rc rd_series(hid_t d, dn_series_data *s, char *err, size_t errlen, const char *path)
{
	dn_rc rc = rd_row_kind(d, &s->vt, err, errlen, path, s->name);
	if (rc != DN_OK)
		return rc;
	rc = rd_str_attr(d, "units", s->units, sizeof s->units, err, errlen, path, s->name);
	if (rc == DN_OK)
		rc = rd_str_attr(d, "description", s->description, sizeof s->description, err,
				 errlen, path, s->name);
	if (rc != DN_OK)
		return rc;

	hid_t sp = H5Dget_space(d);
	if (sp < 0)
		return rd_h5fail(err, errlen, path, "getting the space of series", s->name);
	hsize_t dims = 0;
	int nd = H5Sget_simple_extent_ndims(sp);
	if (nd != 1) {
		res_fmt(err, errlen, "%s: series %s is not one-dimensional", path, s->name);
		rc = DN_EHDF5;
	} else if (H5Sget_simple_extent_dims(sp, &dims, NULL) < 0) {
		rc = rd_h5fail(err, errlen, path, "getting the size of series", s->name);
	}
	if (H5Sclose(sp) < 0 && rc == DN_OK)
		rc = rd_h5fail(err, errlen, path, "closing the space of series", s->name);
	if (rc != DN_OK)
		return rc;
	if (dims > SIZE_MAX / sizeof(dn_row_f64)) {
		res_fmt(err, errlen, "%s: series %s is too long to read", path, s->name);
		return DN_ENOMEM;
	}
	s->n = (size_t)dims;
	size_t alloc = s->n > 0 ? s->n : 1; /* non-NULL arrays even when empty */
	s->t_ns = malloc(alloc * sizeof *s->t_ns);
	s->value = malloc(alloc * sizeof *s->value);
	if (s->vt == DN_VT_I64)
		s->ivalue = malloc(alloc * sizeof *s->ivalue);
	if (s->t_ns == NULL || s->value == NULL || (s->vt == DN_VT_I64 && s->ivalue == NULL)) {
		res_fmt(err, errlen, "%s: series %s: out of memory", path, s->name);
		return DN_ENOMEM;
	}

	hid_t mtype = s->vt == DN_VT_I64
			      ? res_row_type(sizeof(dn_row_i64), offsetof(dn_row_i64, t_ns),
					     H5T_NATIVE_INT64, offsetof(dn_row_i64, value),
					     H5T_NATIVE_INT64)
			      : res_row_type(sizeof(dn_row_f64), offsetof(dn_row_f64, t_ns),
					     H5T_NATIVE_INT64, offsetof(dn_row_f64, value),
					     H5T_NATIVE_DOUBLE);
	if (mtype < 0)
		return rd_h5fail(err, errlen, path, "building the row type for", s->name);
	rc = rd_rows(d, mtype, s, err, errlen, path);
	if (H5Tclose(mtype) < 0 && rc == DN_OK)
		rc = rd_h5fail(err, errlen, path, "closing the row type for", s->name);
	return rc;
}

/* Collects the dataset names under g in name order into nl. */
static dn_rc rd_list(hid_t g, dn_rd_names *nl, char *err, size_t errlen, const char *path)
{
	H5G_info_t gi;
	if (H5Gget_info(g, &gi) < 0)
		return rd_h5fail(err, errlen, path, "listing", "/series");
	if (gi.nlinks > DN_RES_MAX_SERIES) {
		res_fmt(err, errlen, "%s: more than %d series", path, DN_RES_MAX_SERIES);
		return DN_ELIMIT;
	}
	nl->cap = (size_t)gi.nlinks;
	nl->names = nl->cap > 0 ? calloc(nl->cap, sizeof *nl->names) : NULL;
	if (nl->cap > 0 && nl->names == NULL) {
		res_fmt(err, errlen, "%s: out of memory", path);
		return DN_ENOMEM;
	}
	hsize_t idx = 0;
	if (nl->cap > 0 && H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, rd_name_cb, nl) < 0) {
		if (nl->too_long) {
			res_fmt(err, errlen, "%s: a series name is longer than %d bytes", path,
				DN_RES_NAME_MAX);
			return DN_EHDF5;
		}
		return rd_h5fail(err, errlen, path, "listing", "/series");
	}
	return DN_OK;
}

void dn_series_data_free(dn_series_data *s, size_t n)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(s[i].t_ns);
		free(s[i].value);
		free(s[i].ivalue);
	}
	free(s);
}

/* Opens path's /series group; *f and *g are open on success. */
static dn_rc rd_open(const char *path, hid_t *f, hid_t *g, char *err, size_t errlen)
{
	*f = *g = H5I_INVALID_HID;
	if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0)
		return rd_h5fail(err, errlen, path, "switching off error printing for", path);
	char why[160];
	FILE *probe = dn_fopen_input(path, UINT64_MAX, why, sizeof why);
	if (!probe) { /* a FIFO or device would block HDF5's open */
		res_fmt(err, errlen, "%s: %s", path, why);
		return DN_EIO;
	}
	fclose(probe);
	htri_t is = H5Fis_hdf5(path);
	if (is <= 0) {
		res_fmt(err, errlen, "%s: not an HDF5 file", path);
		return DN_EHDF5;
	}
	*f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (*f < 0)
		return rd_h5fail(err, errlen, path, "opening", path);
	htri_t ex = H5Lexists(*f, "series", H5P_DEFAULT);
	if (ex < 0)
		return rd_h5fail(err, errlen, path, "looking up", "/series");
	if (ex == 0) {
		res_fmt(err, errlen, "%s: no /series group (not a dnetsim results file?)", path);
		return DN_EHDF5;
	}
	*g = H5Gopen2(*f, "series", H5P_DEFAULT);
	if (*g < 0)
		return rd_h5fail(err, errlen, path, "opening", "/series");
	return DN_OK;
}

dn_rc dn_results_read_series(const char *path, dn_series_data **out, size_t *n, char *err,
			     size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || n == NULL || path == NULL) {
		res_fmt(err, errlen, "results: bad arguments to dn_results_read_series");
		return DN_EINVAL;
	}
	*out = NULL;
	*n = 0;
	hid_t f, g;
	dn_rc rc = rd_open(path, &f, &g, err, errlen);
	dn_rd_names nl = { NULL, 0, 0, false };
	if (rc == DN_OK)
		rc = rd_list(g, &nl, err, errlen, path);

	dn_series_data *arr = NULL;
	size_t count = 0;
	if (rc == DN_OK && nl.n > 0) {
		arr = calloc(nl.n, sizeof *arr);
		if (arr == NULL) {
			res_fmt(err, errlen, "%s: out of memory", path);
			rc = DN_ENOMEM;
		}
	}
	for (size_t i = 0; rc == DN_OK && i < nl.n; i++) {
		/* Only datasets are series; anything else under /series is skipped. */
		hid_t o = H5Oopen(g, nl.names[i], H5P_DEFAULT);
		if (o < 0) {
			rc = rd_h5fail(err, errlen, path, "opening", nl.names[i]);
			break;
		}
		H5I_type_t ty = H5Iget_type(o);
		if (ty == H5I_DATASET) {
			dn_series_data *s = &arr[count++];
			snprintf(s->name, sizeof s->name, "%s", nl.names[i]);
			rc = rd_series(o, s, err, errlen, path);
		} else if (ty == H5I_BADID) {
			rc = rd_h5fail(err, errlen, path, "inspecting", nl.names[i]);
		}
		if (H5Oclose(o) < 0 && rc == DN_OK)
			rc = rd_h5fail(err, errlen, path, "closing", nl.names[i]);
	}
	free(nl.names);

	dn_rc crc = DN_OK;
	if (g >= 0 && H5Gclose(g) < 0)
		crc = rd_h5fail(err, errlen, path, "closing", "/series");
	if (f >= 0 && H5Fclose(f) < 0 && crc == DN_OK)
		crc = rd_h5fail(err, errlen, path, "closing", path);
	if (rc == DN_OK)
		rc = crc;
	if (rc != DN_OK) {
		dn_series_data_free(arr, count);
		return rc;
	}
	*out = arr;
	*n = count;
	return DN_OK;
}
