/*
 * plot.c: `dnetsim plot RESULT.h5 [-o DIR]`, one PNG per recorded series.
 *
 * Reads the /series datasets of a results file with HDF5 a block of rows
 * at a time (docs/hdf5-schema.md is the layout), twice: once to measure
 * each series (does it vary, its largest value, its last time), then to
 * write the ones that vary to small whitespace tables: a series of at most
 * DN_PLOT_EXACT_ROWS rows as it is, a longer one as an envelope of
 * DN_PLOT_BUCKETS columns (the first, lowest, highest and last sample of
 * each), which draws the same picture at the PNG's width. gnuplot
 * (analysis/series.gp, analysis/overview.gp) draws the tables, one process
 * per batch of DN_PLOT_BATCH pictures.
 *
 * What a reader sees: values in units made for reading (ledger base units
 * as DNET, exactly; ns as s or ms; bytes as MB or GB), time in hours, days
 * or years after the run's horizon, missing samples (NaN, or -1 where the
 * description says so) as gaps, titles wrapped to fit, and no picture of
 * a series that is constant over the run: those are listed on stderr and
 * in DIR/constant.txt with their value.
 *
 * The file is untrusted input: every size it declares is checked against a
 * bound below before anything is read or allocated, anything under /series
 * that is not a series table is skipped with a note, and no string from it
 * or from the command line is ever spliced into gnuplot syntax as it is:
 * gnuplot runs in a private work folder inside DIR and sees only our own
 * file names there; titles, labels and script paths are passed as \ooo
 * escapes. The PNG is renamed to DIR/<name>.png by us. stdout carries only
 * the PNG paths, one a line; every series that is not drawn gets one line
 * on stderr saying why, and the exit status is then 1.
 *
 * A sweep file (one with /members, from `dnetsim sweep`) is drawn by
 * plot_sweep.c, a tune file (one with /tune, from `dnetsim tune`) by
 * plot_tune.c, with the same queue, text, unit and HDF5 helpers (plot.h).
 *
 * Not here: reading /summary, or writing results files
 * (sim/engine/results.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "dn_base.h"
#include "plot.h"

#ifndef DN_ANALYSIS_DIR
#define DN_ANALYSIS_DIR "analysis" /* relative to the working directory */
#endif

static const char dn_plot_script[] = "series.gp";
static const char dn_plot_ov_script[] = "overview.gp";
static const char dn_plot_done[] = "dnetsim-plot-done ";

static void plot_usage(FILE *f)
{
	fprintf(f,
		"usage: dnetsim plot RESULT.h5 [-o DIR]\n"
		"       dnetsim plot SWEEP.h5 [-o DIR]\n"
		"       dnetsim plot TUNE.h5 [-o DIR]\n"
		"\n"
		"Draws every series of a results file as DIR/<name>.png with gnuplot\n"
		"and prints the PNG paths, one a line. A series longer than %d rows is\n"
		"drawn as its envelope (lowest and highest value per pixel column).\n"
		"Ledger amounts are drawn in DNET, durations in s or ms, sizes in MB or\n"
		"GB, time in hours, days or years after the run's length; a missing\n"
		"sample (NaN, or -1 where the series says so) is a gap. A series that is\n"
		"constant over the run, or has no sample, is not drawn: it is listed on\n"
		"stderr with its value, and in DIR/constant.txt.\n"
		"\n"
		"A sweep file (from dnetsim sweep) is drawn as a sweep: per swept numeric\n"
		"parameter, each headline summary's point mean and 95%% interval against\n"
		"it (<summary>_vs_<param>.png, replicates as dots); per headline series,\n"
		"the median and 5-95%% band of each point's complete replicates over time\n"
		"(fan_<series>.png, a few points a picture); overview.png; and\n"
		"DIR/index.txt: what each picture shows and what was not drawn, and why.\n"
		"\n"
		"A tune file (from dnetsim tune) is drawn by its kind, with DIR/index.txt:\n"
		"sensitivity: per output, the Sobol indices S1 and ST of each parameter\n"
		"with their intervals (tune_sobol_<metric>.png), and the widest interval\n"
		"against N when N was doubled (tune_sobol_convergence.png); screen: per\n"
		"output, Morris's mu* of each parameter with its interval, and sigma,\n"
		"ranked by mu* (tune_morris_<metric>.png); target: the merit and each\n"
		"parameter over the candidates (tune_search.png), and per goal and the\n"
		"objective the mean over the candidates with the goal's bound\n"
		"(tune_target_<metric>.png).\n"
		"\n"
		"  -o, --out DIR  output directory (default: the file without .h5, plus \"-plots\")\n"
		"  -h, --help     this text\n"
		"\n"
		"At most %d series are drawn, and at most %" PRIu64 " rows read from one\n"
		"series; anything else not drawn is named on stderr with the reason, and\n"
		"the exit status is then 1. The gnuplot scripts (series.gp, overview.gp,\n"
		"sweep_response.gp, sweep_fan.gp, sweep_overview.gp, tune_indices.gp,\n"
		"tune_progress.gp) are in\n"
		"$DNETSIM_ANALYSIS_DIR, or else in the analysis/ folder of the source tree\n"
		"dnetsim was built from.\n",
		(int)DN_PLOT_EXACT_ROWS, (int)DN_PLOT_MAX_SERIES, DN_PLOT_MAX_ROWS);
}

/* Parses argv; returns -1 to go on, or the exit code to stop with. */
static int plot_parse(int argc, char **argv, const char **file, const char **outdir)
{
	*file = NULL;
	*outdir = NULL;
	bool only_files = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_files && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			plot_usage(stdout);
			return DN_EXIT_OK;
		}
		if (!only_files && strcmp(a, "--") == 0) {
			only_files = true;
		} else if (!only_files && (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0)) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dnetsim plot: %s needs a directory\n", a);
				return DN_EXIT_USAGE;
			}
			*outdir = argv[++i];
		} else if (!only_files && a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "dnetsim plot: unknown option %s\n", a);
			plot_usage(stderr);
			return DN_EXIT_USAGE;
		} else if (*file == NULL) {
			*file = a;
		} else {
			fprintf(stderr, "dnetsim plot: one results file only (got %s and %s)\n", *file, a);
			return DN_EXIT_USAGE;
		}
	}
	if (*file == NULL || (*file)[0] == '\0') {
		fprintf(stderr, "dnetsim plot: no results file given\n");
		plot_usage(stderr);
		return DN_EXIT_USAGE;
	}
	if (*outdir != NULL && (*outdir)[0] == '\0') {
		fprintf(stderr, "dnetsim plot: -o needs a directory\n");
		return DN_EXIT_USAGE;
	}
	return -1;
}

/* printf into a new malloc'd string; NULL if out of memory. */
char *DN_PRINTF(1, 2) dn_plot_strf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	int m = vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (m != n) {
		free(s);
		return NULL;
	}
	return s;
}

/* "run.h5" -> "run-plots"; any other name gets "-plots" appended. */
static char *plot_default_dir(const char *file)
{
	size_t len = strlen(file);
	if (len > 3 && strcmp(file + len - 3, ".h5") == 0)
		len -= 3;
	return dn_plot_strf("%.*s-plots", (int)len, file);
}

/* Creates dir (one level) unless it is already a directory; 1 if created,
 * 0 if it existed, -1 (with a message) on failure. */
static int plot_mkdir(const char *dir)
{
	if (mkdir(dir, 0777) == 0)
		return 1;
	int e = errno;
	struct stat st;
	if (e == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "dnetsim plot: cannot create directory %s: %s\n", dir,
		e == EEXIST ? "exists and is not a directory" : strerror(e));
	return -1;
}

/* ---- text: names as messages show them, as labels, as gnuplot strings ---- */

/* Length of the well-formed UTF-8 sequence at p (1 to 4), 0 if none. */
size_t dn_plot_utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	unsigned cp = c & (0x3fu >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool dn_plot_is_ctl(unsigned c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * s as one line of a message: control characters and bytes that are not
 * UTF-8 as \n, \t or \xHH, cut with "..." to fit out (DN_PLOT_SHOW), so a
 * name cannot break a line or steer the terminal.
 */
const char *dn_plot_show(char *out, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;
	out[0] = '\0';
	while (*p != '\0') {
		char tmp[8];
		size_t n = dn_plot_utf8_len(p);
		/* C1 controls (U+0080..U+009F) steer terminals too */
		bool c1 = n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
		if (n == 0 || c1 || dn_plot_is_ctl(*p)) {
			if (*p == '\n')
				snprintf(tmp, sizeof tmp, "\\n");
			else if (*p == '\t')
				snprintf(tmp, sizeof tmp, "\\t");
			else
				snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)*p);
			n = 1;
		} else {
			memcpy(tmp, p, n);
			tmp[n] = '\0';
		}
		size_t tl = strlen(tmp);
		if (len + tl + 4 > cap) {
			snprintf(out + len, cap - len, "...");
			return out;
		}
		memcpy(out + len, tmp, tl + 1);
		len += tl;
		p += n;
	}
	return out;
}

/* Copies s into out (cap bytes) as a label: UTF-8 kept, a control
 * character becomes a space and a byte that is not UTF-8 a '?'. */
void dn_plot_label(char *out, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;
	while (*p != '\0') {
		size_t n = dn_plot_utf8_len(p);
		if (len + (n > 0 ? n : 1) + 1 > cap)
			break;
		if (n == 0 || dn_plot_is_ctl(*p)) {
			out[len++] = n == 0 ? '?' : ' ';
			p++;
		} else {
			memcpy(out + len, p, n);
			len += n;
			p += n;
		}
	}
	out[len] = '\0';
}

/* Where a line of at most cols characters from p ends: at the last space
 * within them, or after cols characters if there is none. */
static const char *plot_wrap_end(const char *p, int cols)
{
	const char *q = p, *brk = NULL;
	for (int k = 0; *q != '\0' && k < cols; k++) {
		if (*q == ' ')
			brk = q;
		size_t n = dn_plot_utf8_len((const unsigned char *)q);
		q += n > 0 ? n : 1;
	}
	return *q == '\0' || *q == ' ' || brk == NULL ? q : brk;
}

/*
 * Appends s (a label: no control characters, UTF-8) to out as lines of at
 * most cols characters, broken at a space where there is one, after *lines
 * lines already there; at most max_lines in all, the last one ending in
 * "..." if text is left. A title of name and description then fits the
 * picture's width: series.gp's 1000 px hold about 120 characters of its
 * 11-point font, and DN_PLOT_TITLE_COLS is 100.
 */
static void plot_wrap(char *out, size_t cap, const char *s, int cols, int *lines, int max_lines)
{
	assert(cols > 3);
	size_t len = strlen(out);
	const char *p = s;
	while (*p != '\0' && *lines < max_lines) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		bool last = *lines + 1 == max_lines;
		const char *end = plot_wrap_end(p, cols);
		const char *rest = end;
		while (*rest == ' ')
			rest++;
		bool cut = last && *rest != '\0';
		if (cut) /* room for the "..." */
			end = plot_wrap_end(p, cols - 3);
		size_t need = (size_t)(end - p) + (*lines > 0 ? 1 : 0) + (cut ? 3 : 0);
		if (len + need + 1 > cap)
			break;
		if (*lines > 0)
			out[len++] = '\n';
		memcpy(out + len, p, (size_t)(end - p));
		len += (size_t)(end - p);
		if (cut) {
			memcpy(out + len, "...", 3);
			len += 3;
		}
		out[len] = '\0';
		(*lines)++;
		p = end;
	}
}

/*
 * Writes s to f as a gnuplot double-quoted string. Only letters, digits
 * and " _-.,:/+" go in as they are, every other byte as a \ooo escape: no
 * quote, backslash, backquote (command substitution), '@' (macro), '$'
 * or line end from a name ever reaches gnuplot's parser. A digit right
 * after an escape is escaped too: gnuplot 5.4 reads "\0501" as one
 * four-digit escape. false on a write error.
 */
bool dn_plot_gp_str(FILE *f, const char *s)
{
	if (fputc('"', f) == EOF)
		return false;
	bool after_esc = false;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		unsigned c = *p;
		bool digit = c >= '0' && c <= '9';
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (digit && !after_esc) || strchr(" _-.,:/+", (int)c) != NULL;
		int w = plain ? fputc((int)c, f) : fprintf(f, "\\%03o", c);
		if (w < 0)
			return false;
		after_esc = !plain;
	}
	return fputc('"', f) != EOF;
}

/* Replaces control characters in s (an HDF5 or system message) by '?'. */
static char *plot_clean(char *s)
{
	for (char *p = s; *p != '\0'; p++)
		if (dn_plot_is_ctl((unsigned char)*p))
			*p = '?';
	return s;
}

/* ---- reading: HDF5, bounded ---- */

typedef struct plot_h5walk {
	char *buf;
	size_t len;
} plot_h5walk;

static herr_t plot_walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
	plot_h5walk *w = data;
	/* entry 0 is where HDF5 first saw the error: the most specific text */
	if (n == 0 && e != NULL && e->desc != NULL)
		snprintf(w->buf, w->len, "%s", e->desc);
	return 0;
}

/* why = "what: <HDF5's innermost error>"; clears HDF5's error stack. */
void dn_plot_h5why(char *why, size_t len, const char *what)
{
	char detail[DN_PLOT_WHY / 2];
	detail[0] = '\0';
	plot_h5walk w = { detail, sizeof detail };
	if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, plot_walk_cb, &w) < 0 || detail[0] == '\0')
		snprintf(detail, sizeof detail, "HDF5 error");
	snprintf(why, len, "%s: %s", what, plot_clean(detail));
	H5Eclear2(H5E_DEFAULT);
}

/* In memory a row is {t_ns, value}, value an int64 or a double. */
struct plot_row {
	int64_t t_ns;
	union {
		double f;
		int64_t i;
	} v;
};

_Static_assert(sizeof(plot_row) == 16, "rows are packed: 16 bytes, as in the file");

/* One series dataset open for reading. */
typedef struct plot_series {
	hid_t d;      /* the dataset */
	hid_t fs;     /* its dataspace */
	hid_t mtype;  /* plot_row, with value as int64 or double */
	uint64_t n;   /* rows */
	bool is_int;  /* value is an integer */
} plot_series;

static void plot_series_close(plot_series *s)
{
	/* Read-only handles: a failure to close loses nothing. */
	if (s->mtype >= 0)
		(void)H5Tclose(s->mtype);
	if (s->fs >= 0)
		(void)H5Sclose(s->fs);
	if (s->d >= 0)
		(void)H5Dclose(s->d);
	s->d = s->fs = s->mtype = H5I_INVALID_HID;
}

typedef enum plot_open_rc {
	PLOT_SERIES,   /* a series: open */
	PLOT_NOT,      /* not a series table: why is a note */
	PLOT_BAD       /* a series that cannot be read: why says what failed */
} plot_open_rc;

/* Checks the dataset's row type; PLOT_SERIES with *is_int and the row's
 * size in the file, or PLOT_NOT. */
static plot_open_rc plot_row_type(hid_t d, bool *is_int, size_t *row_bytes, char *why,
				  size_t whylen)
{
	hid_t t = H5Dget_type(d);
	if (t < 0) {
		dn_plot_h5why(why, whylen, "getting its type");
		return PLOT_BAD;
	}
	plot_open_rc rc = PLOT_NOT;
	int it = -1, iv = -1;
	size_t size = H5Tget_size(t);
	if (H5Tget_class(t) == H5T_COMPOUND) {
		it = H5Tget_member_index(t, "t_ns");
		iv = H5Tget_member_index(t, "value");
	}
	H5T_class_t tc = it >= 0 ? H5Tget_member_class(t, (unsigned)it) : H5T_NO_CLASS;
	H5T_class_t vc = iv >= 0 ? H5Tget_member_class(t, (unsigned)iv) : H5T_NO_CLASS;
	if (tc != H5T_INTEGER || (vc != H5T_INTEGER && vc != H5T_FLOAT)) {
		snprintf(why, whylen, "a dataset that is not a {t_ns, value} table");
	} else if (size == 0 || size > DN_PLOT_MAX_ROW_BYTES) {
		snprintf(why, whylen, "rows of %zu bytes (a series row is 16)", size);
	} else {
		*is_int = vc == H5T_INTEGER;
		*row_bytes = size;
		rc = PLOT_SERIES;
	}
	H5Eclear2(H5E_DEFAULT);
	(void)H5Tclose(t);
	return rc;
}

/* Checks how the rows are stored: no external or virtual storage (they
 * name other files), and chunks small enough to inflate; *chunk_bytes is
 * the size of one chunk inflated, 0 if the rows are not chunked. */
static plot_open_rc plot_layout(hid_t d, size_t row_bytes, size_t *chunk_bytes, char *why,
				size_t whylen)
{
	*chunk_bytes = 0;
	hid_t p = H5Dget_create_plist(d);
	if (p < 0) {
		dn_plot_h5why(why, whylen, "getting its storage properties");
		return PLOT_BAD;
	}
	plot_open_rc rc = PLOT_SERIES;
	H5D_layout_t lay = H5Pget_layout(p);
	int ext = H5Pget_external_count(p);
	if (ext != 0) {
		snprintf(why, whylen, "its rows are stored in other files (not read)");
		rc = PLOT_NOT;
	} else if (lay == H5D_CHUNKED) {
		hsize_t chunk = 0;
		if (H5Pget_chunk(p, 1, &chunk) != 1) {
			snprintf(why, whylen, "chunks that are not one-dimensional");
			rc = PLOT_NOT;
		} else if (chunk == 0 || chunk > DN_PLOT_MAX_CHUNK_BYTES / row_bytes) {
			/* dnetsim writes 64 KiB chunks; h5py picks at most 1 MiB */
			snprintf(why, whylen, "chunks of %" PRIu64 " rows, more than %" PRIu64
				 " MiB each (not read)", (uint64_t)chunk,
				 DN_PLOT_MAX_CHUNK_BYTES >> 20);
			rc = PLOT_NOT;
		} else {
			*chunk_bytes = (size_t)chunk * row_bytes;
		}
	} else if (lay != H5D_CONTIGUOUS && lay != H5D_COMPACT) {
		snprintf(why, whylen, "a virtual or unknown storage layout (not read)");
		rc = PLOT_NOT;
	}
	H5Eclear2(H5E_DEFAULT);
	(void)H5Pclose(p);
	return rc;
}

/* Builds the memory row type for a series. */
static hid_t plot_mtype(bool is_int)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(plot_row));
	if (t < 0)
		return t;
	if (H5Tinsert(t, "t_ns", offsetof(plot_row, t_ns), H5T_NATIVE_INT64) < 0 ||
	    H5Tinsert(t, "value", offsetof(plot_row, v),
		      is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE) < 0) {
		(void)H5Tclose(t);
		return H5I_INVALID_HID;
	}
	return t;
}

/*
 * Opens g/<name> as a series without following any link but a hard one.
 * PLOT_SERIES: *s is open (plot_series_close); otherwise why says why not.
 */
static plot_open_rc plot_series_open(hid_t g, const char *name, plot_series *s, char *why,
				     size_t whylen)
{
	s->d = s->fs = s->mtype = H5I_INVALID_HID;
	s->n = 0;
	s->is_int = false;
	H5L_info_t li;
	if (H5Lget_info(g, name, &li, H5P_DEFAULT) < 0) {
		dn_plot_h5why(why, whylen, "looking it up");
		return PLOT_BAD;
	}
	if (li.type != H5L_TYPE_HARD) {
		snprintf(why, whylen, "%s, not a dataset (links are not followed)",
			 li.type == H5L_TYPE_SOFT       ? "a soft link"
			 : li.type == H5L_TYPE_EXTERNAL ? "a link to another file"
							: "a user-defined link");
		return PLOT_NOT;
	}
	hid_t o = H5Oopen(g, name, H5P_DEFAULT);
	if (o < 0) {
		dn_plot_h5why(why, whylen, "opening it");
		return PLOT_BAD;
	}
	H5I_type_t ty = H5Iget_type(o);
	if (ty != H5I_DATASET) {
		snprintf(why, whylen, "%s, not a dataset",
			 ty == H5I_GROUP ? "a group" : ty == H5I_DATATYPE ? "a named datatype"
									  : "an object");
		(void)H5Oclose(o);
		return PLOT_NOT;
	}
	s->d = o;
	size_t row_bytes = 0, chunk_bytes = 0;
	plot_open_rc rc = plot_row_type(s->d, &s->is_int, &row_bytes, why, whylen);
	if (rc == PLOT_SERIES)
		rc = plot_layout(s->d, row_bytes, &chunk_bytes, why, whylen);
	if (rc == PLOT_SERIES && chunk_bytes > DN_PLOT_CACHE_BYTES) {
		/* HDF5 keeps a chunk only if it fits its cache, and would inflate
		 * a bigger one again for every block read: give it room for one. */
		(void)H5Dclose(s->d);
		hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
		s->d = dapl >= 0 && H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT,
						       chunk_bytes, 1.0) >= 0
			       ? H5Dopen2(g, name, dapl)
			       : H5I_INVALID_HID;
		if (dapl >= 0)
			(void)H5Pclose(dapl);
		if (s->d < 0) {
			dn_plot_h5why(why, whylen, "opening it with a chunk cache");
			rc = PLOT_BAD;
		}
	}
	if (rc == PLOT_SERIES) {
		s->fs = H5Dget_space(s->d);
		hsize_t dims = 0;
		if (s->fs < 0) {
			dn_plot_h5why(why, whylen, "getting its size");
			rc = PLOT_BAD;
		} else if (H5Sget_simple_extent_type(s->fs) != H5S_SIMPLE ||
			   H5Sget_simple_extent_ndims(s->fs) != 1) {
			snprintf(why, whylen, "a dataset that is not one-dimensional");
			rc = PLOT_NOT;
		} else if (H5Sget_simple_extent_dims(s->fs, &dims, NULL) != 1) {
			dn_plot_h5why(why, whylen, "getting its size");
			rc = PLOT_BAD;
		}
		s->n = (uint64_t)dims;
	}
	if (rc == PLOT_SERIES) {
		s->mtype = plot_mtype(s->is_int);
		if (s->mtype < 0) {
			dn_plot_h5why(why, whylen, "building the row type");
			rc = PLOT_BAD;
		}
	}
	H5Eclear2(H5E_DEFAULT);
	if (rc != PLOT_SERIES)
		plot_series_close(s);
	return rc;
}

/* Reads rows [start, start + count) of s into buf. */
static bool plot_read(const plot_series *s, uint64_t start, uint64_t count, plot_row *buf,
		      char *why, size_t whylen)
{
	hsize_t st = start, cn = count;
	hid_t ms = H5Screate_simple(1, &cn, NULL);
	bool ok = ms >= 0 &&
		  H5Sselect_hyperslab(s->fs, H5S_SELECT_SET, &st, NULL, &cn, NULL) >= 0 &&
		  H5Dread(s->d, s->mtype, ms, s->fs, H5P_DEFAULT, buf) >= 0;
	if (!ok)
		dn_plot_h5why(why, whylen, "reading its rows");
	if (ms >= 0)
		(void)H5Sclose(ms);
	return ok;
}

/*
 * Reads string attribute `name` of obj into buf (cap bytes, cut to fit).
 * Absent: "". false (buf "") if it is there but not one string.
 */
bool dn_plot_attr(hid_t obj, const char *name, char *buf, size_t cap)
{
	buf[0] = '\0';
	htri_t ex = H5Aexists(obj, name);
	if (ex <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return ex == 0;
	}
	hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
	hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
	hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
	hid_t mt = H5I_INVALID_HID;
	bool ok = t >= 0 && sp >= 0 && H5Tget_class(t) == H5T_STRING &&
		  H5Sget_simple_extent_npoints(sp) == 1;
	htri_t var = ok ? H5Tis_variable_str(t) : -1;
	if (ok)
		mt = H5Tcopy(t);
	ok = ok && mt >= 0 && var >= 0;
	if (ok && var > 0) {
		char *p = NULL;
		ok = H5Aread(a, mt, &p) >= 0;
		if (ok)
			snprintf(buf, cap, "%s", p != NULL ? p : "");
		if (p != NULL)
			(void)H5free_memory(p);
	} else if (ok) {
		size_t sz = H5Tget_size(t);
		char *tmp = sz > 0 && sz <= DN_PLOT_ATTR_READ_MAX ? malloc(sz + 1) : NULL;
		ok = tmp != NULL && H5Aread(a, mt, tmp) >= 0;
		if (ok) {
			tmp[sz] = '\0';
			snprintf(buf, cap, "%s", tmp);
		}
		free(tmp);
	}
	if (mt >= 0)
		(void)H5Tclose(mt);
	if (sp >= 0)
		(void)H5Sclose(sp);
	if (t >= 0)
		(void)H5Tclose(t);
	if (a >= 0)
		(void)H5Aclose(a);
	H5Eclear2(H5E_DEFAULT);
	return ok;
}

/* ---- HDF5: opening and sizing what an untrusted file holds ---- */

static const char *plot_h5_kind(H5I_type_t t)
{
	return t == H5I_GROUP ? "a group" : t == H5I_DATASET ? "a dataset"
		: t == H5I_DATATYPE ? "a named datatype" : "an object";
}

/*
 * Opens g/name (one hard link) if it is of type want. Otherwise
 * H5I_INVALID_HID and why; *absent when there is no such link.
 */
hid_t dn_plot_open(hid_t g, const char *name, H5I_type_t want, bool *absent, char *why,
		   size_t whylen)
{
	*absent = false;
	htri_t ex = H5Lexists(g, name, H5P_DEFAULT);
	if (ex == 0) {
		H5Eclear2(H5E_DEFAULT);
		*absent = true;
		snprintf(why, whylen, "not in the file");
		return H5I_INVALID_HID;
	}
	H5L_info_t li;
	if (ex < 0 || H5Lget_info(g, name, &li, H5P_DEFAULT) < 0) {
		dn_plot_h5why(why, whylen, "looking it up");
		return H5I_INVALID_HID;
	}
	if (li.type != H5L_TYPE_HARD) {
		snprintf(why, whylen, "a link, not %s (links are not followed)", plot_h5_kind(want));
		return H5I_INVALID_HID;
	}
	hid_t o = H5Oopen(g, name, H5P_DEFAULT);
	if (o < 0) {
		dn_plot_h5why(why, whylen, "opening it");
		return H5I_INVALID_HID;
	}
	H5I_type_t t = H5Iget_type(o);
	if (t != want) {
		snprintf(why, whylen, "%s, not %s", plot_h5_kind(t), plot_h5_kind(want));
		(void)H5Oclose(o);
		return H5I_INVALID_HID;
	}
	return o;
}

/*
 * Checks how a dataset is stored: in the file itself (no external or
 * virtual storage), chunks of at most DN_PLOT_MAX_CHUNK_BYTES inflated.
 * chunk[] gets the chunk's dims (rank of them), or is left 0 when the
 * dataset is not chunked.
 */
bool dn_plot_layout_ok(hid_t d, int rank, hsize_t *chunk, char *why, size_t whylen)
{
	for (int k = 0; k < rank; k++)
		chunk[k] = 0;
	hid_t p = H5Dget_create_plist(d);
	hid_t t = H5Dget_type(d);
	bool ok = p >= 0 && t >= 0;
	if (!ok)
		dn_plot_h5why(why, whylen, "getting its storage properties");
	H5D_layout_t lay = ok ? H5Pget_layout(p) : H5D_LAYOUT_ERROR;
	size_t esize = ok ? H5Tget_size(t) : 0;
	if (ok && H5Pget_external_count(p) != 0) {
		snprintf(why, whylen, "its values are stored in other files (not read)");
		ok = false;
	} else if (ok && lay == H5D_CHUNKED) {
		hsize_t cd[H5S_MAX_RANK];
		int cr = H5Pget_chunk(p, H5S_MAX_RANK, cd);
		double bytes = (double)esize;
		for (int k = 0; k < cr; k++)
			bytes *= (double)cd[k];
		if (cr != rank) {
			snprintf(why, whylen, "chunks of the wrong rank");
			ok = false;
		} else if (bytes > (double)DN_PLOT_MAX_CHUNK_BYTES || esize == 0) {
			snprintf(why, whylen, "chunks of %.0f bytes, more than %" PRIu64
				 " MiB each (not read)", bytes, DN_PLOT_MAX_CHUNK_BYTES >> 20);
			ok = false;
		} else {
			for (int k = 0; k < rank; k++)
				chunk[k] = cd[k];
		}
	} else if (ok && lay != H5D_CONTIGUOUS && lay != H5D_COMPACT) {
		snprintf(why, whylen, "a virtual or unknown storage layout (not read)");
		ok = false;
	}
	if (t >= 0)
		(void)H5Tclose(t);
	if (p >= 0)
		(void)H5Pclose(p);
	H5Eclear2(H5E_DEFAULT);
	return ok;
}

/* A dataset's extent: rank dims in dims (at most H5S_MAX_RANK). */
int dn_plot_dims(hid_t d, hsize_t *dims, char *why, size_t whylen)
{
	hid_t sp = H5Dget_space(d);
	int rank = -1;
	if (sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SIMPLE)
		rank = H5Sget_simple_extent_dims(sp, dims, NULL);
	else if (sp >= 0)
		rank = -2;
	if (rank == -2)
		snprintf(why, whylen, "a scalar or empty dataset");
	else if (rank < 0)
		dn_plot_h5why(why, whylen, "getting its size");
	if (sp >= 0)
		(void)H5Sclose(sp);
	H5Eclear2(H5E_DEFAULT);
	return rank;
}

/* The class of a dataset's values. */
H5T_class_t dn_plot_class(hid_t d)
{
	hid_t t = H5Dget_type(d);
	H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
	if (t >= 0)
		(void)H5Tclose(t);
	H5Eclear2(H5E_DEFAULT);
	return c;
}

/* ---- gnuplot: assignments, ranges, tables ---- */

bool dn_plot_set_str(FILE *a, const char *var, const char *val)
{
	return fprintf(a, "%s = ", var) > 0 && dn_plot_gp_str(a, val) && fputc('\n', a) != EOF;
}

bool dn_plot_set_num(FILE *a, const char *var, double v)
{
	return isfinite(v) && fprintf(a, "%s = %.17g\n", var, v) > 0;
}

void dn_plot_range_add(plot_range *g, double v)
{
	if (!isfinite(v))
		return;
	if (!g->any || v < g->lo)
		g->lo = v;
	if (!g->any || v > g->hi)
		g->hi = v;
	g->any = true;
}

void dn_plot_range_pad(const plot_range *g, double *lo, double *hi)
{
	double a = g->any ? g->lo : 0, b = g->any ? g->hi : 1;
	double span = b - a;
	double pad = span > 0 && isfinite(span) ? span * 0.05
		     : a != 0 && isfinite(a)   ? fabs(a) * 0.1
					       : 1;
	*lo = isfinite(a - pad) ? a - pad : a;
	*hi = isfinite(b + pad) ? b + pad : b;
	if (!(*lo < *hi)) { /* a range of one huge value */
		*lo = -1;
		*hi = 1;
	}
}

bool dn_plot_set_range(FILE *a, const char *lo_var, const char *hi_var, const plot_range *g)
{
	double lo, hi;
	dn_plot_range_pad(g, &lo, &hi);
	return dn_plot_set_num(a, lo_var, lo) && dn_plot_set_num(a, hi_var, hi);
}

/* Writes v / 10^pow10 to f (NaN as "NaN"), after a space unless first. */
bool dn_plot_put(FILE *f, double v, int pow10, bool first)
{
	if (!isfinite(v))
		return fprintf(f, "%sNaN", first ? "" : " ") > 0;
	return fprintf(f, "%s%.17g", first ? "" : " ", pow10 > 0 ? v / pow(10.0, pow10) : v) > 0;
}

bool dn_plot_mem_open(plot_mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f != NULL;
}

/* Closes the stream; its text (malloc'd) if everything was written. */
char *dn_plot_mem_close(plot_mem *m, bool ok)
{
	if (m->f != NULL && fclose(m->f) != 0)
		ok = false;
	m->f = NULL;
	if (!ok) {
		free(m->buf);
		m->buf = NULL;
	}
	return m->buf;
}

/* ---- units: what a reader sees on the axes ---- */

/*
 * The time axis follows the run's horizon (the last sample time of any
 * series): a reader of a year-long run wants days or years, not 3.1e7 s.
 * Under ten minutes stays in seconds (tests and toy runs).
 */
plot_xunit dn_plot_xunit_of(int64_t horizon_ns)
{
	static const double min_ns = 60e9, hour_ns = 3600e9, day_ns = 86400e9;
	static const double year_ns = 365.25 * 86400e9; /* a Julian year */
	double h = (double)horizon_ns;
	if (h < 10 * min_ns)
		return (plot_xunit){ 1e9, "seconds" };
	if (h < 2 * day_ns)
		return (plot_xunit){ hour_ns, "hours" };
	if (h < 2 * year_ns)
		return (plot_xunit){ day_ns, "days" };
	return (plot_xunit){ year_ns, "years" };
}

/*
 * How a series' values are shown: divided by 10^pow10 and labelled unit.
 * Ledger amounts (@units "base units", or "base units/<x>") become DNET
 * (1 DNET = 10^8 base units, models/chain); durations in ns and sizes in
 * bytes take the largest of s/ms/us or GB/MB/kB under their largest value.
 */
enum { DN_PLOT_DNET_POW10 = 8 }; /* base units per DNET: 10^8 */

plot_scale dn_plot_scale_of(const char *units, double maxabs)
{
	static const char base[] = "base units";
	plot_scale sc = { 0, "" };
	size_t bl = sizeof base - 1;
	if (strncmp(units, base, bl) == 0 && (units[bl] == '\0' || units[bl] == '/')) {
		sc.pow10 = DN_PLOT_DNET_POW10;
		snprintf(sc.unit, sizeof sc.unit, "DNET%s", units + bl);
		return sc;
	}
	static const struct {
		const char *from;
		int pow10;
		double at_least;
		const char *to;
	} steps[] = {
		{ "ns", 9, 1e9, "s" },	  { "ns", 6, 1e6, "ms" },   { "ns", 3, 1e3, "\xc2\xb5s" },
		{ "ms", 3, 1e3, "s" },	  { "bytes", 9, 1e9, "GB" }, { "bytes", 6, 1e6, "MB" },
		{ "bytes", 3, 1e3, "kB" },
	};
	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++)
		if (strcmp(units, steps[k].from) == 0 && maxabs >= steps[k].at_least) {
			sc.pow10 = steps[k].pow10;
			snprintf(sc.unit, sizeof sc.unit, "%s", steps[k].to);
			return sc;
		}
	snprintf(sc.unit, sizeof sc.unit, "%s", units);
	return sc;
}

/*
 * A missing sample: NaN (or an infinity) in a float series, and -1 in a
 * series whose description says it stands for "none" (the quantile and
 * share series: "-1 if none", "-1 without balances"; docs/hdf5-schema.md).
 */
bool dn_plot_has_marker(const char *desc)
{
	return strstr(desc, "-1 if ") != NULL || strstr(desc, "-1 without ") != NULL;
}

static bool plot_missing(const plot_row *r, bool is_int, bool marker)
{
	if (is_int)
		return marker && r->v.i == -1;
	return !isfinite(r->v.f) || (marker && r->v.f == -1.0);
}

/*
 * A value divided by 10^pow10 into out: an integer exactly, as a decimal
 * (123456789 base units are "1.23456789" DNET, never rounded through a
 * double), a float to `digits` significant digits.
 */
static void plot_fmt_value(char *out, size_t cap, const plot_row *r, bool is_int, int pow10,
			   int digits)
{
	assert(pow10 >= 0 && pow10 <= 18);
	if (!is_int) {
		snprintf(out, cap, "%.*g", digits, r->v.f / pow(10.0, pow10));
		return;
	}
	if (pow10 == 0) {
		snprintf(out, cap, "%" PRId64, r->v.i);
		return;
	}
	uint64_t div = 1;
	for (int k = 0; k < pow10; k++)
		div *= 10;
	int64_t v = r->v.i;
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t whole = mag / div, frac = mag % div;
	int fd = pow10;
	while (fd > 0 && frac % 10 == 0) { /* "1.5", not "1.50000000" */
		frac /= 10;
		fd--;
	}
	char fr[20]; /* the fraction's fd digits, leading zeros kept */
	fr[fd] = '\0';
	for (int k = fd - 1; k >= 0; k--, frac /= 10)
		fr[k] = (char)('0' + frac % 10);
	snprintf(out, cap, "%s%" PRIu64 "%s%s", v < 0 ? "-" : "", whole, fd > 0 ? "." : "", fr);
}

/* ---- tables for gnuplot ---- */

/* How one series' table is written. */
typedef struct plot_form {
	bool is_int;
	bool marker;      /* -1 is a missing sample */
	plot_scale scale; /* values divided by 10^scale.pow10 */
	plot_xunit x;     /* time in x.name */
} plot_form;

/* One sample of a series as written to a table. */
typedef struct plot_pt {
	uint64_t row;
	plot_row r;
	bool nan; /* a missing value: breaks the line */
} plot_pt;

/* The envelope of one column of rows: the first, lowest, highest and last
 * sample, and the first missing one. */
typedef struct plot_env {
	bool any, gap;
	plot_pt first, last, lo, hi, miss;
} plot_env;

static void plot_env_add(plot_env *e, uint64_t row, const plot_row *r, const plot_form *fm)
{
	bool is_int = fm->is_int;
	bool missing = plot_missing(r, is_int, fm->marker);
	plot_pt p = { row, *r, missing };
	if (missing) {
		if (!e->gap)
			e->miss = p;
		e->gap = true;
		return;
	}
	if (!e->any) {
		e->any = true;
		e->first = e->lo = e->hi = p;
	} else if (is_int ? r->v.i < e->lo.r.v.i : r->v.f < e->lo.r.v.f) {
		e->lo = p;
	} else if (is_int ? r->v.i > e->hi.r.v.i : r->v.f > e->hi.r.v.f) {
		e->hi = p;
	}
	e->last = p;
}

/* "time value", time in the form's unit, value scaled; a missing value
 * is "NaN", which series.gp reads as undefined: the line breaks there. */
static bool plot_put(FILE *f, const plot_pt *p, const plot_form *fm)
{
	char v[48];
	if (p->nan)
		snprintf(v, sizeof v, "NaN");
	else
		plot_fmt_value(v, sizeof v, &p->r, fm->is_int, fm->scale.pow10, 17);
	return fprintf(f, "%.12g %s\n", (double)p->r.t_ns / fm->x.ns, v) > 0;
}

/* Writes a column's envelope: its points in row order, each row once. */
static bool plot_env_put(FILE *f, const plot_env *e, const plot_form *fm)
{
	plot_pt pts[5];
	size_t n = 0;
	if (e->any) {
		pts[n++] = e->first;
		pts[n++] = e->lo;
		pts[n++] = e->hi;
		pts[n++] = e->last;
	}
	if (e->gap)
		pts[n++] = e->miss;
	for (size_t i = 1; i < n; i++) /* insertion sort of at most 5 */
		for (size_t j = i; j > 0 && pts[j].row < pts[j - 1].row; j--) {
			plot_pt tmp = pts[j];
			pts[j] = pts[j - 1];
			pts[j - 1] = tmp;
		}
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++)
		if (i == 0 || pts[i].row != pts[i - 1].row)
			ok = plot_put(f, &pts[i], fm);
	return ok;
}

/* Writes s's table to f: every row, or the envelope of DN_PLOT_BUCKETS columns. */
static bool plot_table(FILE *f, const plot_series *s, const plot_form *fm, plot_row *buf,
		       char *why, size_t whylen)
{
	assert(s->n <= DN_PLOT_MAX_ROWS); /* so row * DN_PLOT_BUCKETS cannot overflow */
	assert(fm->is_int == s->is_int);
	bool exact = s->n <= DN_PLOT_EXACT_ROWS;
	plot_env e;
	memset(&e, 0, sizeof e);
	uint64_t bucket = 0;
	for (uint64_t start = 0; start < s->n;) {
		uint64_t count = s->n - start < DN_PLOT_READ_ROWS ? s->n - start : DN_PLOT_READ_ROWS;
		if (!plot_read(s, start, count, buf, why, whylen))
			return false;
		for (uint64_t k = 0; k < count; k++) {
			uint64_t row = start + k;
			if (exact) {
				plot_pt p = { row, buf[k], plot_missing(&buf[k], s->is_int, fm->marker) };
				if (!plot_put(f, &p, fm))
					goto werr;
				continue;
			}
			uint64_t b = row * DN_PLOT_BUCKETS / s->n;
			if (b != bucket) {
				if (!plot_env_put(f, &e, fm))
					goto werr;
				memset(&e, 0, sizeof e);
				bucket = b;
			}
			plot_env_add(&e, row, &buf[k], fm);
		}
		start += count;
	}
	if (!exact && s->n > 0 && !plot_env_put(f, &e, fm))
		goto werr;
	return true;
werr:
	snprintf(why, whylen, "writing its table: %s", strerror(errno));
	return false;
}

/*
 * What one series holds, measured by reading it once before it is drawn:
 * whether it varies (a constant one is listed, not drawn), its largest
 * value (which chooses ms or s, MB or GB) and its last time (the run's
 * horizon chooses hours, days or years).
 */
struct plot_info {
	size_t name;        /* index into plot_names */
	uint64_t n;         /* rows */
	uint64_t valid;     /* rows that are not missing */
	bool is_int, marker, varies;
	plot_row first;     /* the first valid sample */
	double maxabs;      /* the largest |value| of a valid sample */
	int64_t t_last;     /* the last row's time */
	char units[DN_PLOT_UNITS_MAX];
	char desc[DN_PLOT_DESC_MAX];
};

/* Reads every row of s once into in's measures. */
static bool plot_measure(const plot_series *s, plot_info *in, plot_row *buf, char *why,
			 size_t whylen)
{
	assert(s->n <= DN_PLOT_MAX_ROWS);
	in->valid = 0;
	in->varies = false;
	in->maxabs = 0;
	in->t_last = 0;
	for (uint64_t start = 0; start < s->n;) {
		uint64_t count = s->n - start < DN_PLOT_READ_ROWS ? s->n - start : DN_PLOT_READ_ROWS;
		if (!plot_read(s, start, count, buf, why, whylen))
			return false;
		for (uint64_t k = 0; k < count; k++) {
			const plot_row *r = &buf[k];
			if (plot_missing(r, s->is_int, in->marker))
				continue;
			double a = fabs(s->is_int ? (double)r->v.i : r->v.f);
			in->maxabs = a > in->maxabs ? a : in->maxabs;
			if (in->valid++ == 0)
				in->first = *r;
			else if (s->is_int ? r->v.i != in->first.v.i : r->v.f != in->first.v.f)
				in->varies = true;
		}
		in->t_last = buf[count - 1].t_ns;
		start += count;
	}
	return true;
}

/* ---- the run: jobs for gnuplot, in batches ---- */

static char *plot_work_path(const plot_run *r, char kind, unsigned id)
{
	return dn_plot_strf("%s/%c%u.%s", r->work, kind, id, kind == 'd' ? "dat" : "png");
}

/* Removes a job's files from the work folder and frees it. */
void dn_plot_job_done(plot_run *r, plot_job *j)
{
	for (int k = 0; k < 2; k++) {
		char *p = plot_work_path(r, k == 0 ? 'd' : 'p', j->id);
		if (p != NULL && unlink(p) != 0 && errno != ENOENT)
			fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", p, strerror(errno));
		free(p);
	}
	free(j->png);
	j->png = NULL;
	free(j->assign);
	j->assign = NULL;
}

/* Writes the gnuplot commands for jobs [first, njobs) to <work>/batch.gp. */
static bool plot_write_batch(plot_run *r, size_t first)
{
	char *path = dn_plot_strf("%s/batch.gp", r->work);
	FILE *f = path != NULL ? fopen(path, "w") : NULL;
	if (f == NULL) {
		fprintf(stderr, "dnetsim plot: cannot write %s: %s\n", path ? path : "batch.gp",
			path ? strerror(errno) : "out of memory");
		free(path);
		return false;
	}
	bool ok = true;
	for (size_t i = first; ok && i < r->njobs; i++) {
		const plot_job *j = &r->jobs[i];
		/* Our own names only, relative to the work folder gnuplot runs in. */
		ok = fprintf(f, "datafile = \"d%u.dat\"\noutfile = \"p%u.png\"\n"
			       "xlabel = \"simulated time (%s)\"\nxunit = \"%s\"\n",
			     j->id, j->id, r->x.name, r->x.name) > 0;
		if (ok && !j->overview)
			ok = fputs("title = ", f) >= 0 && dn_plot_gp_str(f, j->title) &&
			     fputs("\nylabel = ", f) >= 0 && dn_plot_gp_str(f, j->ylabel) &&
			     fputc('\n', f) != EOF;
		if (ok && j->assign != NULL) /* made with dn_plot_gp_str: ours */
			ok = fputs(j->assign, f) >= 0;
		const char *script = j->script != NULL ? j->script
				     : j->overview   ? r->overview_gp
						     : r->series_gp;
		ok = ok && fputs("load ", f) >= 0 && dn_plot_gp_str(f, script) &&
		     fprintf(f, "\nset print \"-\"\nprint \"%s%u\"\n", dn_plot_done, j->id) > 0;
	}
	if (fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "dnetsim plot: cannot write %s: %s\n", path, strerror(errno));
	free(path);
	return ok;
}

/* Child side of plot_gnuplot: never returns. */
static void plot_child(const char *work, int outfd, int errfd)
{
	int null = open("/dev/null", O_RDONLY);
	int e = 0;
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(outfd, STDOUT_FILENO) < 0 ||
	    chdir(work) != 0)
		e = errno;
	if (e == 0) {
		char *const args[] = { (char *)"gnuplot", (char *)"batch.gp", NULL };
		execvp("gnuplot", args);
		e = errno;
	}
	/* Tell the parent why; it reports. Nothing else is safe after fork. */
	ssize_t w = write(errfd, &e, sizeof e);
	(void)w;
	_exit(127);
}

/* One line gnuplot printed: a job done (counted in *done if it is the one
 * expected next), or chatter for stderr. */
static void plot_gp_line(plot_run *r, char *line, size_t first, size_t *done)
{
	size_t pl = sizeof dn_plot_done - 1;
	if (strncmp(line, dn_plot_done, pl) == 0) {
		char *end = NULL;
		errno = 0;
		unsigned long id = strtoul(line + pl, &end, 10);
		if (errno == 0 && end != line + pl && *end == '\0' && first + *done < r->njobs &&
		    id == r->jobs[first + *done].id) {
			(*done)++;
			return;
		}
	}
	fprintf(stderr, "gnuplot: %s\n", plot_clean(line));
}

/* Opens the error and output pipes for gnuplot, closed at exec, and
 * flushes our own output before the fork; false (r->broken) if it cannot. */
static bool plot_pipes(plot_run *r, int epfd[2], int opfd[2], char *why, size_t whylen)
{
	if (pipe(epfd) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		r->broken = true;
		return false;
	}
	if (pipe(opfd) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		(void)close(epfd[0]);
		(void)close(epfd[1]);
		r->broken = true;
		return false;
	}
	/* The error pipe's write end closes at exec, so reading it tells exec
	 * success (EOF) from failure (an errno). */
	for (int k = 0; k < 2; k++)
		if (fcntl(epfd[k], F_SETFD, FD_CLOEXEC) != 0 || fcntl(opfd[k], F_SETFD, FD_CLOEXEC) != 0)
			fprintf(stderr, "dnetsim plot: fcntl: %s\n", strerror(errno));
	if (fflush(NULL) != 0)
		fprintf(stderr, "dnetsim plot: flushing output: %s\n", strerror(errno));
	return true;
}

/* Reads the child's exec errno from the error pipe, retrying on EINTR;
 * returns what read returned (sizeof *exec_errno if exec failed). */
static ssize_t plot_exec_result(int fd, int *exec_errno)
{
	ssize_t got = -1;
	for (int k = 0; k < DN_PLOT_EINTR_TRIES; k++) {
		got = read(fd, exec_errno, sizeof *exec_errno);
		if (!(got < 0 && errno == EINTR))
			break;
	}
	return got;
}

/* Splits n bytes of gnuplot output into lines (line holds *len bytes of
 * an unfinished one) and hands each whole line to plot_gp_line. */
static void plot_gp_chunk(plot_run *r, const char *chunk, ssize_t n, char *line, size_t cap,
			  size_t *len, size_t first, size_t *done)
{
	for (ssize_t i = 0; i < n; i++) {
		if (chunk[i] == '\n' || *len == cap - 1) {
			line[*len] = '\0';
			plot_gp_line(r, line, first, done);
			*len = 0;
			if (chunk[i] == '\n')
				continue;
		}
		line[(*len)++] = chunk[i];
	}
}

/* Collects gnuplot's output lines from fd until EOF; kills gnuplot and
 * sets *idle or *chatty if it goes silent or says too much. */
static void plot_gp_collect(plot_run *r, int fd, pid_t pid, size_t first, size_t *done,
			    bool *idle, bool *chatty)
{
	char line[256];
	size_t len = 0, total = 0;
	for (int k = 0; k < DN_PLOT_EINTR_TRIES;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int pr = poll(&p, 1, DN_PLOT_IDLE_S * 1000);
		*idle = pr == 0;
		*chatty = total > DN_PLOT_CHATTER_MAX;
		if (*idle || *chatty) {
			(void)kill(pid, SIGKILL);
			break;
		}
		char chunk[512];
		ssize_t n = pr > 0 ? read(fd, chunk, sizeof chunk) : -1;
		if (n < 0 && errno == EINTR) {
			k++;
			continue;
		}
		if (n <= 0)
			break;
		total += (size_t)n;
		plot_gp_chunk(r, chunk, n, line, sizeof line, &len, first, done);
	}
	if (len > 0) { /* a last line without its newline */
		line[len] = '\0';
		plot_gp_line(r, line, first, done);
	}
}

/* Waits for gnuplot to exit, retrying on EINTR; returns waitpid's result. */
static pid_t plot_gp_wait(pid_t pid, int *status)
{
	pid_t w = -1;
	for (int k = 0; k < DN_PLOT_EINTR_TRIES; k++) {
		w = waitpid(pid, status, 0);
		if (!(w < 0 && errno == EINTR))
			break;
	}
	return w;
}

/* How gnuplot ended: true if it exited 0, else why (and r->broken when no
 * gnuplot can go on: it could not start, be waited for, or was stopped). */
static bool plot_gp_outcome(plot_run *r, bool exec_failed, int exec_errno, bool waited,
			    bool idle, bool chatty, int status, char *why, size_t whylen)
{
	if (exec_failed) {
		snprintf(why, whylen, "cannot run gnuplot: %s%s", strerror(exec_errno),
			 exec_errno == ENOENT ? " (is gnuplot installed and on PATH?)" : "");
		r->broken = true;
		return false;
	}
	if (!waited) {
		snprintf(why, whylen, "waiting for gnuplot: %s", strerror(errno));
		r->broken = true;
		return false;
	}
	if (idle || chatty) {
		/* a gnuplot that hangs once would hang again: no retry */
		snprintf(why, whylen, idle ? "gnuplot did nothing for %d s and was stopped"
					   : "gnuplot printed too much and was stopped",
			 (int)DN_PLOT_IDLE_S);
		r->broken = true;
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFSIGNALED(status))
		snprintf(why, whylen, "gnuplot was killed by signal %d", WTERMSIG(status));
	else
		snprintf(why, whylen, "gnuplot failed (exit status %d)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return false;
}

/*
 * Runs gnuplot on <work>/batch.gp (jobs [first, njobs)) and counts in
 * *done the jobs it reported finished, in order. true if gnuplot exited 0;
 * else why says what went wrong, and r->broken is set when gnuplot cannot
 * be started at all.
 */
static bool plot_gnuplot(plot_run *r, size_t first, size_t *done, char *why, size_t whylen)
{
	*done = 0;
	int epfd[2], opfd[2];
	if (!plot_pipes(r, epfd, opfd, why, whylen))
		return false;
	pid_t pid = fork();
	if (pid == 0)
		plot_child(r->work, opfd[1], epfd[1]);
	int fork_errno = errno;
	(void)close(epfd[1]);
	(void)close(opfd[1]);
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(fork_errno));
		(void)close(epfd[0]);
		(void)close(opfd[0]);
		r->broken = true;
		return false;
	}
	int exec_errno = 0;
	ssize_t got = plot_exec_result(epfd[0], &exec_errno);
	(void)close(epfd[0]);
	bool exec_failed = got == (ssize_t)sizeof exec_errno;

	/* Collect the done lines; stop gnuplot if it goes silent. */
	bool idle = false, chatty = false;
	if (!exec_failed)
		plot_gp_collect(r, opfd[0], pid, first, done, &idle, &chatty);
	(void)close(opfd[0]);

	int status = 0;
	pid_t w = plot_gp_wait(pid, &status);
	return plot_gp_outcome(r, exec_failed, exec_errno, w == pid, idle, chatty, status, why,
			       whylen);
}

/* The finished picture of job j becomes its PNG; the path goes to stdout. */
static void plot_deliver(plot_run *r, const plot_job *j)
{
	char *tmp = plot_work_path(r, 'p', j->id);
	if (tmp == NULL || rename(tmp, j->png) != 0) {
		fprintf(stderr, "dnetsim plot: %s not drawn: cannot move its picture to %s: %s\n",
			j->shown, j->png, tmp ? strerror(errno) : "out of memory");
		r->not_drawn++;
	} else if (printf("%s\n", j->png) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "dnetsim plot: cannot write to stdout\n");
		r->not_drawn++;
	} else {
		r->drawn++;
		if (j->drawn != NULL)
			*j->drawn = true;
	}
	free(tmp);
}

/*
 * Draws the queued jobs: one gnuplot for all of them; if it fails on one,
 * that one is reported and the rest go to a new gnuplot, up to
 * DN_PLOT_MAX_FAILURES failures in the run.
 */
void dn_plot_flush(plot_run *r)
{
	size_t next = 0;
	char why[DN_PLOT_WHY] = "";
	while (next < r->njobs && !r->broken && r->failures < DN_PLOT_MAX_FAILURES) {
		size_t done = 0;
		if (!plot_write_batch(r, next)) {
			r->broken = true;
			break;
		}
		bool ok = plot_gnuplot(r, next, &done, why, sizeof why);
		for (size_t i = 0; i < done; i++)
			plot_deliver(r, &r->jobs[next + i]);
		next += done;
		if (ok && next == r->njobs)
			break;
		if (ok)
			snprintf(why, sizeof why, "gnuplot stopped early (exit status 0)");
		r->failures++;
		if (r->broken) /* no gnuplot can go on: the rest are counted below */
			break;
		fprintf(stderr, "dnetsim plot: %s not drawn: %s\n", r->jobs[next].shown, why);
		r->not_drawn++;
		next++;
	}
	if (next < r->njobs) {
		fprintf(stderr, "dnetsim plot: %zu picture(s) not drawn, from %s on: %s\n",
			r->njobs - next, r->jobs[next].shown,
			!r->broken ? "gnuplot failed too often"
			: why[0] != '\0' ? why
					 : "gnuplot cannot run (above)");
		r->not_drawn += r->njobs - next;
	}
	for (size_t i = 0; i < r->njobs; i++)
		dn_plot_job_done(r, &r->jobs[i]);
	r->njobs = 0;
	char *b = dn_plot_strf("%s/batch.gp", r->work);
	if (b != NULL && unlink(b) != 0 && errno != ENOENT)
		fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", b, strerror(errno));
	free(b);
}

/* Opens <work>/d<id>.dat for a new job's table. */
FILE *dn_plot_job_table(plot_run *r, unsigned id)
{
	char *p = plot_work_path(r, 'd', id);
	int fd = p != NULL ? open(p, O_WRONLY | O_CREAT | O_EXCL, 0600) : -1;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		fprintf(stderr, "dnetsim plot: cannot create %s: %s\n", p ? p : "a table",
			p ? strerror(errno) : "out of memory");
		if (fd >= 0)
			(void)close(fd);
	}
	free(p);
	return f;
}

/*
 * The PNG's file name for a series: its name, or, when the name has
 * control characters (no file name should), the name with each one as
 * '_', plus "~2", "~3" ... until it names no other series or picture.
 */
static bool plot_file_name(plot_run *r, hid_t g, const char *name, char *out, size_t cap,
			   bool *renamed)
{
	*renamed = false;
	snprintf(out, cap, "%s", name);
	for (char *p = out; *p != '\0'; p++)
		if (dn_plot_is_ctl((unsigned char)*p)) {
			*p = '_';
			*renamed = true;
		}
	if (!*renamed)
		return true;
	char base[DN_PLOT_NAME_MAX + 1];
	snprintf(base, sizeof base, "%s", out);
	for (int k = 1; k <= DN_PLOT_RENAME_TRIES; k++) {
		if (k > 1 && snprintf(out, cap, "%.*s~%d", DN_PLOT_NAME_MAX - 8, base, k) < 0)
			return false;
		bool taken = strcmp(out, "overview") == 0 || H5Lexists(g, out, H5P_DEFAULT) != 0;
		H5Eclear2(H5E_DEFAULT);
		for (size_t i = 0; !taken && i < r->nrenamed; i++)
			taken = strcmp(r->renamed[i], out) == 0;
		if (!taken && r->nrenamed < DN_PLOT_MAX_SERIES) { /* one per series at most */
			memcpy(r->renamed[r->nrenamed++], out, strlen(out) + 1);
			return true;
		}
	}
	return false;
}

/* The names under /series, in name order, at most DN_PLOT_MAX_ENTRIES. */
typedef struct plot_names {
	char **name;
	size_t n;
	bool oom;
} plot_names;

/*
 * Looks at one entry of /series and measures it if it is a series that
 * can be drawn (r->info gets it); otherwise one line on stderr says why
 * not. Returns true if the entry is a series (measured or not), which is
 * what DN_PLOT_MAX_SERIES counts.
 */
static bool plot_survey(plot_run *r, hid_t g, const plot_names *nl, size_t idx)
{
	const char *name = nl->name[idx];
	char shown[DN_PLOT_SHOW], why[DN_PLOT_WHY];
	dn_plot_show(shown, sizeof shown, name);
	plot_series s;
	plot_open_rc orc = PLOT_NOT;
	if (strlen(name) > DN_PLOT_NAME_MAX)
		snprintf(why, sizeof why, "a name longer than %d bytes", (int)DN_PLOT_NAME_MAX);
	else
		orc = plot_series_open(g, name, &s, why, sizeof why);
	if (orc != PLOT_SERIES) {
		if (orc == PLOT_NOT)
			fprintf(stderr, "dnetsim plot: note: /series/%s skipped: %s\n", shown, why);
		else
			fprintf(stderr, "dnetsim plot: series %s not drawn: %s\n", shown, why);
		r->not_drawn++;
		return orc == PLOT_BAD;
	}
	assert(r->ninfo < DN_PLOT_MAX_SERIES); /* the caller counts series */
	plot_info *in = &r->info[r->ninfo];
	memset(in, 0, sizeof *in);
	in->name = idx;
	in->n = s.n;
	in->is_int = s.is_int;
	bool ok = false;
	if (s.n > DN_PLOT_MAX_ROWS) {
		snprintf(why, sizeof why, "it declares %" PRIu64 " rows, more than the %" PRIu64
			 " read from one series (read it in slices: h5dump -s START -c COUNT)",
			 s.n, DN_PLOT_MAX_ROWS);
	} else if (s.n > DN_PLOT_MAX_TOTAL_ROWS - r->rows_read) {
		snprintf(why, sizeof why, "its %" PRIu64 " rows would pass the %" PRIu64
			 " rows read in one run", s.n, DN_PLOT_MAX_TOTAL_ROWS);
	} else {
		r->rows_read += s.n;
		if (!dn_plot_attr(s.d, "units", in->units, sizeof in->units) ||
		    !dn_plot_attr(s.d, "description", in->desc, sizeof in->desc))
			fprintf(stderr, "dnetsim plot: note: series %s: @units or @description is "
					"not one string (not shown)\n", shown);
		in->marker = dn_plot_has_marker(in->desc);
		ok = plot_measure(&s, in, r->buf, why, sizeof why);
	}
	plot_series_close(&s);
	if (!ok) {
		fprintf(stderr, "dnetsim plot: series %s not drawn: %s\n", shown, why);
		r->not_drawn++;
		return true;
	}
	r->ninfo++;
	return true;
}

/* A series' y label: its unit as shown ("value" for a count or share). */
void dn_plot_ylabel(char *out, size_t cap, const char *unit)
{
	if (unit[0] == '\0' || strcmp(unit, "1") == 0)
		snprintf(out, cap, "value");
	else
		dn_plot_label(out, cap, unit);
}

/* Its title: the name on the first line, the description wrapped below. */
void dn_plot_title(char *out, size_t cap, const char *name, const char *desc)
{
	char tmp[DN_PLOT_DESC_MAX > DN_PLOT_NAME_MAX ? DN_PLOT_DESC_MAX + 1 : DN_PLOT_NAME_MAX + 1];
	int lines = 0;
	out[0] = '\0';
	dn_plot_label(tmp, sizeof tmp, name);
	plot_wrap(out, cap, tmp, DN_PLOT_TITLE_COLS, &lines, DN_PLOT_TITLE_LINES - 1);
	dn_plot_label(tmp, sizeof tmp, desc);
	plot_wrap(out, cap, tmp, DN_PLOT_TITLE_COLS, &lines, DN_PLOT_TITLE_LINES);
}

/*
 * Queues the picture of a measured series that varies: its table in the
 * work folder and a job, or one line on stderr saying why not.
 */
static void plot_draw(plot_run *r, hid_t g, const plot_names *nl, const plot_info *in)
{
	const char *name = nl->name[in->name];
	char shown[DN_PLOT_SHOW], why[DN_PLOT_WHY], fname[DN_PLOT_NAME_MAX + 1];
	char fshown[DN_PLOT_SHOW];
	dn_plot_show(shown, sizeof shown, name);
	assert(r->njobs < DN_PLOT_BATCH); /* a full batch is drawn at once */
	assert(in->varies);
	plot_job *j = &r->jobs[r->njobs];
	memset(j, 0, sizeof *j);
	plot_series s;
	FILE *f = NULL;
	bool renamed = false;
	/* opened again: the file is read-only to us, but check it is the same */
	bool ok = plot_series_open(g, name, &s, why, sizeof why) == PLOT_SERIES;
	if (ok && (s.n != in->n || s.is_int != in->is_int)) {
		snprintf(why, sizeof why, "it changed while it was read");
		plot_series_close(&s);
		ok = false;
	}
	if (!ok) {
		fprintf(stderr, "dnetsim plot: series %s not drawn: %s\n", shown, why);
		r->not_drawn++;
		return;
	}
	plot_form fm = { in->is_int, in->marker, dn_plot_scale_of(in->units, in->maxabs), r->x };
	if (!plot_file_name(r, g, name, fname, sizeof fname, &renamed)) {
		snprintf(why, sizeof why, "no free file name for it");
		ok = false;
	} else {
		dn_plot_ylabel(j->ylabel, sizeof j->ylabel, fm.scale.unit);
		dn_plot_title(j->title, sizeof j->title, name, in->desc);
		snprintf(j->shown, sizeof j->shown, "series %s", shown);
		j->id = r->next_id++;
		j->png = dn_plot_strf("%s/%s.png", r->dir, fname);
		f = j->png != NULL ? dn_plot_job_table(r, j->id) : NULL;
		ok = f != NULL;
		if (!ok)
			snprintf(why, sizeof why, "%s", j->png ? "no table (above)" : "out of memory");
	}
	if (ok) {
		ok = plot_table(f, &s, &fm, r->buf, why, sizeof why);
		if (fclose(f) != 0 && ok) {
			snprintf(why, sizeof why, "writing its table: %s", strerror(errno));
			ok = false;
		}
	}
	plot_series_close(&s);
	if (!ok) {
		fprintf(stderr, "dnetsim plot: series %s not drawn: %s\n", shown, why);
		if (j->png != NULL)
			dn_plot_job_done(r, j);
		r->not_drawn++;
		return;
	}
	if (renamed)
		fprintf(stderr, "dnetsim plot: note: series %s is drawn as %s.png (control "
				"characters in the name)\n", shown, dn_plot_show(fshown, sizeof fshown, fname));
	r->njobs++;
	if (r->njobs == DN_PLOT_BATCH)
		dn_plot_flush(r);
}

/*
 * The world model's overview: one 3x3 page (overview.png) of the series a
 * reader looks at first, drawn by analysis/overview.gp from one table
 * (time in the run's unit, r->x, then the columns below in this order). Only when every
 * one of them is in the file with the same number of rows; a long run is
 * drawn as DN_PLOT_BUCKETS column envelopes of four rows each: every
 * column's first, lowest, highest and last value.
 */
static const char *const overview_cols[] = {
	"dnet_price", "coverage", "service_latency_p50_ns", "service_latency_p99_ns",
	"service_price_usd_gb", "holdings_gini", "holdings_top_share", "dtoken_share",
	"initial_vote_share", "delegate_income_usd", "delegate_cost_usd", "sharers_online",
	"sessions_active", "fraud_attempted", "fraud_caught", "missed_slots",
};
#define N_OVERVIEW (sizeof overview_cols / sizeof overview_cols[0])
#define DN_PLOT_OV_READ_ROWS (DN_PLOT_READ_ROWS / N_OVERVIEW) /* rows per column read */

typedef struct plot_ov_env {
	bool any;
	double first, last, lo, hi;
} plot_ov_env;

static double plot_value(const plot_row *r, bool is_int)
{
	return is_int ? (double)r->v.i : r->v.f;
}

/* One bucket of the overview: four rows, a column without a value NaN. */
static bool plot_ov_put(FILE *f, const plot_ov_env *env, int64_t t_first, int64_t t_last,
			double x_ns)
{
	bool ok = true;
	for (int row = 0; ok && row < 4; row++) {
		ok = fprintf(f, "%.12g", (double)(row < 2 ? t_first : t_last) / x_ns) > 0;
		for (size_t k = 0; ok && k < N_OVERVIEW; k++) {
			const plot_ov_env *e = &env[k];
			double v = !e->any ? NAN
				   : row == 0 ? e->first
				   : row == 1 ? e->lo
				   : row == 2 ? e->hi
					      : e->last;
			ok = fprintf(f, " %.9g", v) > 0;
		}
		ok = ok && fputc('\n', f) != EOF;
	}
	return ok;
}

/* Writes the overview table: rows as they are, or bucket envelopes. */
static bool plot_ov_table(FILE *f, const plot_series *col, double x_ns, plot_row *buf,
			  char *why, size_t whylen)
{
	uint64_t n = col[0].n;
	assert(n <= DN_PLOT_MAX_ROWS);
	bool exact = n <= DN_PLOT_EXACT_ROWS;
	plot_ov_env env[N_OVERVIEW];
	memset(env, 0, sizeof env);
	int64_t t_first = 0, t_last = 0;
	uint64_t bucket = 0;
	bool ok = true, open_bucket = false;
	for (uint64_t start = 0; ok && start < n;) {
		uint64_t count = n - start < DN_PLOT_OV_READ_ROWS ? n - start : DN_PLOT_OV_READ_ROWS;
		for (size_t k = 0; k < N_OVERVIEW; k++)
			if (!plot_read(&col[k], start, count, buf + k * DN_PLOT_OV_READ_ROWS, why,
				       whylen))
				return false;
		for (uint64_t i = 0; ok && i < count; i++) {
			const plot_row *r0 = &buf[i];
			if (exact) {
				ok = fprintf(f, "%.12g", (double)r0->t_ns / x_ns) > 0;
				for (size_t k = 0; ok && k < N_OVERVIEW; k++)
					ok = fprintf(f, " %.9g",
						     plot_value(&buf[k * DN_PLOT_OV_READ_ROWS + i],
								col[k].is_int)) > 0;
				ok = ok && fputc('\n', f) != EOF;
				continue;
			}
			uint64_t b = (start + i) * DN_PLOT_BUCKETS / n;
			if (open_bucket && b != bucket) {
				ok = plot_ov_put(f, env, t_first, t_last, x_ns);
				memset(env, 0, sizeof env);
				open_bucket = false;
			}
			if (!open_bucket) {
				open_bucket = true;
				bucket = b;
				t_first = r0->t_ns;
			}
			t_last = r0->t_ns;
			for (size_t k = 0; k < N_OVERVIEW; k++) {
				double v = plot_value(&buf[k * DN_PLOT_OV_READ_ROWS + i], col[k].is_int);
				plot_ov_env *e = &env[k];
				if (!isfinite(v))
					continue;
				if (!e->any) {
					e->any = true;
					e->first = e->lo = e->hi = v;
				}
				e->lo = v < e->lo ? v : e->lo;
				e->hi = v > e->hi ? v : e->hi;
				e->last = v;
			}
		}
		start += count;
	}
	if (ok && open_bucket)
		ok = plot_ov_put(f, env, t_first, t_last, x_ns);
	if (!ok)
		snprintf(why, whylen, "writing its table: %s", strerror(errno));
	return ok;
}

/* Queues the overview when the file has every column of it. */
static void plot_overview(plot_run *r, hid_t g)
{
	plot_series col[N_OVERVIEW];
	size_t opened = 0;
	char why[DN_PLOT_WHY];
	bool all = true;
	for (size_t k = 0; all && k < N_OVERVIEW; k++) {
		/* a column missing or not a series: not a world file (or reported above) */
		all = H5Lexists(g, overview_cols[k], H5P_DEFAULT) > 0 &&
		      plot_series_open(g, overview_cols[k], &col[k], why, sizeof why) == PLOT_SERIES;
		H5Eclear2(H5E_DEFAULT);
		if (all)
			opened++;
		all = all && col[k].n == col[0].n;
	}
	assert(r->njobs < DN_PLOT_BATCH);
	plot_job *j = &r->jobs[r->njobs];
	memset(j, 0, sizeof *j);
	bool ok = false;
	FILE *f = NULL;
	if (!all)
		goto out;
	uint64_t n = col[0].n;
	snprintf(j->shown, sizeof j->shown, "the overview");
	if (n > DN_PLOT_MAX_ROWS || n * N_OVERVIEW > DN_PLOT_MAX_TOTAL_ROWS - r->rows_read) {
		snprintf(why, sizeof why, "its %zu columns of %" PRIu64 " rows would pass the %" PRIu64
			 " rows read in one run", N_OVERVIEW, n, DN_PLOT_MAX_TOTAL_ROWS);
	} else if (r->overview_gp == NULL) {
		snprintf(why, sizeof why, "cannot read the gnuplot script %s", dn_plot_ov_script);
	} else {
		r->rows_read += n * N_OVERVIEW;
		j->overview = true;
		j->id = r->next_id++;
		j->png = dn_plot_strf("%s/overview.png", r->dir);
		f = j->png != NULL ? dn_plot_job_table(r, j->id) : NULL;
		snprintf(why, sizeof why, "%s", j->png ? "no table (above)" : "out of memory");
		ok = f != NULL;
	}
	if (ok) {
		ok = plot_ov_table(f, col, r->x.ns, r->buf, why, sizeof why);
		if (fclose(f) != 0 && ok) {
			snprintf(why, sizeof why, "writing its table: %s", strerror(errno));
			ok = false;
		}
	}
	if (!ok) {
		fprintf(stderr, "dnetsim plot: the overview not drawn: %s\n", why);
		if (j->png != NULL)
			dn_plot_job_done(r, j);
		r->not_drawn++;
		goto out;
	}
	r->njobs++;
	if (r->njobs == DN_PLOT_BATCH)
		dn_plot_flush(r);
out:
	for (size_t k = 0; k < opened; k++)
		plot_series_close(&col[k]);
}

static herr_t plot_name_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
	plot_names *nl = data;
	(void)g;
	(void)info;
	if (nl->n >= DN_PLOT_MAX_ENTRIES)
		return 1; /* stop: the rest is counted, not read */
	nl->name[nl->n] = strdup(name);
	if (nl->name[nl->n] == NULL) {
		nl->oom = true;
		return -1;
	}
	nl->n++;
	return 0;
}

/* Opens file read-only as HDF5; a message and false if it cannot. */
static bool plot_open_file(const char *file, hid_t *f)
{
	char why[DN_PLOT_WHY];
	struct stat st;
	/* A FIFO or a device would block HDF5 or feed it forever. */
	if (stat(file, &st) != 0) {
		fprintf(stderr, "dnetsim plot: %s: %s\n", file, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "dnetsim plot: %s: not a regular file\n", file);
		return false;
	}
	/* Errors are reported by us; filters are never loaded by a file's say-so. */
	if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0 || H5PLset_loading_state(0) < 0) {
		fprintf(stderr, "dnetsim plot: cannot set up the HDF5 library\n");
		return false;
	}
	if (H5Fis_hdf5(file) <= 0) {
		fprintf(stderr, "dnetsim plot: %s: not an HDF5 file\n", file);
		return false;
	}
	*f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (*f < 0) {
		dn_plot_h5why(why, sizeof why, "cannot open it");
		fprintf(stderr, "dnetsim plot: %s: %s\n", file, why);
		return false;
	}
	return true;
}

/* Whether the open file is a sweep file: it has a /members group (a hard
 * link; a run's results file has none). */
static bool plot_is_sweep(hid_t f)
{
	H5L_info_t li;
	bool sweep = H5Lexists(f, "members", H5P_DEFAULT) > 0 &&
		     H5Lget_info(f, "members", &li, H5P_DEFAULT) >= 0 && li.type == H5L_TYPE_HARD;
	hid_t o = sweep ? H5Oopen(f, "members", H5P_DEFAULT) : H5I_INVALID_HID;
	sweep = o >= 0 && H5Iget_type(o) == H5I_GROUP;
	if (o >= 0)
		(void)H5Oclose(o);
	H5Eclear2(H5E_DEFAULT);
	return sweep;
}

/* Opens the results file's /series group; a message and false if it cannot. */
static bool plot_open_series(const char *file, hid_t *f, hid_t *g, plot_names *nl,
			     uint64_t *nlinks)
{
	char why[DN_PLOT_WHY];
	H5L_info_t li;
	if (H5Lexists(*f, "series", H5P_DEFAULT) <= 0 ||
	    H5Lget_info(*f, "series", &li, H5P_DEFAULT) < 0 || li.type != H5L_TYPE_HARD) {
		H5Eclear2(H5E_DEFAULT);
		fprintf(stderr, "dnetsim plot: %s: no /series group (not a dnetsim results file?)\n",
			file);
		return false;
	}
	*g = H5Gopen2(*f, "series", H5P_DEFAULT);
	H5G_info_t gi;
	if (*g < 0 || H5Gget_info(*g, &gi) < 0) {
		dn_plot_h5why(why, sizeof why, "cannot open /series as a group");
		fprintf(stderr, "dnetsim plot: %s: %s\n", file, why);
		return false;
	}
	*nlinks = (uint64_t)gi.nlinks;
	size_t cap = gi.nlinks < DN_PLOT_MAX_ENTRIES ? (size_t)gi.nlinks : DN_PLOT_MAX_ENTRIES;
	nl->name = cap > 0 ? calloc(cap, sizeof *nl->name) : NULL;
	if (cap > 0 && nl->name == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		return false;
	}
	hsize_t idx = 0;
	if (cap > 0 && H5Literate(*g, H5_INDEX_NAME, H5_ITER_INC, &idx, plot_name_cb, nl) < 0) {
		if (nl->oom)
			snprintf(why, sizeof why, "out of memory");
		else
			dn_plot_h5why(why, sizeof why, "cannot list /series");
		fprintf(stderr, "dnetsim plot: %s: %s\n", file, why);
		return false;
	}
	return true;
}

/* Finds the gnuplot scripts as absolute paths (gnuplot runs in the work
 * folder); false, with a message, if series.gp cannot be read. */
static bool plot_scripts(plot_run *r, const char *script, const char *ov_script)
{
	r->series_gp = realpath(script, NULL);
	if (r->series_gp == NULL || access(r->series_gp, R_OK) != 0) {
		fprintf(stderr, "dnetsim plot: cannot read the gnuplot script %s: %s "
				"(set DNETSIM_ANALYSIS_DIR to the analysis/ folder)\n",
			script, strerror(errno));
		return false;
	}
	r->overview_gp = realpath(ov_script, NULL); /* needed for world files only */
	return true;
}

/* Sets up the run's output folder, buffers and private work folder in
 * dir; false, with a message, if it cannot. */
static bool plot_work_setup(plot_run *r, const char *dir)
{
	r->dir = dir;
	r->work = dn_plot_strf("%s/.plot-XXXXXX", dir);
	/* zeroed: rows HDF5 does not fill (fill time "never") read as 0 */
	r->buf = calloc(DN_PLOT_READ_ROWS, sizeof *r->buf);
	r->renamed = calloc(DN_PLOT_MAX_SERIES, sizeof *r->renamed);
	r->info = calloc(DN_PLOT_MAX_SERIES, sizeof *r->info);
	r->x = dn_plot_xunit_of(0);
	if (r->work == NULL || r->buf == NULL || r->renamed == NULL || r->info == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		return false;
	}
	if (mkdtemp(r->work) == NULL) {
		fprintf(stderr, "dnetsim plot: cannot create a work folder in %s: %s\n", dir,
			strerror(errno));
		free(r->work);
		r->work = NULL;
		return false;
	}
	return true;
}

/* One not-drawn series as the list shows it: "name=value unit", or the
 * name alone when it has no sample. */
static void plot_const_item(char *out, size_t cap, const plot_names *nl, const plot_info *in)
{
	char shown[DN_PLOT_SHOW], v[48];
	dn_plot_show(shown, sizeof shown, nl->name[in->name]);
	if (in->valid == 0) {
		snprintf(out, cap, "%s", shown);
		return;
	}
	plot_scale sc = dn_plot_scale_of(in->units, in->maxabs);
	char unit[sizeof sc.unit];
	dn_plot_show(unit, sizeof unit, sc.unit);
	plot_fmt_value(v, sizeof v, &in->first, in->is_int, sc.pow10, 10);
	bool plain = unit[0] == '\0' || strcmp(unit, "1") == 0;
	snprintf(out, cap, "%s=%s%s%s", shown, v, plain ? "" : " ", plain ? "" : unit);
}

/*
 * The series not drawn because there is nothing to see: one line on stderr
 * for those constant over the run (with their value) and one for those
 * without a sample, and both lists in DIR/constant.txt, written in the
 * work folder and renamed into place (a stale one is removed when there
 * is no such series). false if the list file cannot be written.
 */
static bool plot_constants(plot_run *r, const plot_names *nl)
{
	static const char *const what[2] = { "constant over the run (not plotted)",
					     "no samples in the run (not plotted)" };
	size_t count[2] = { 0, 0 };
	for (size_t i = 0; i < r->ninfo; i++)
		if (!r->info[i].varies)
			count[r->info[i].valid == 0]++;
	char *final = dn_plot_strf("%s/constant.txt", r->dir);
	char *tmp = dn_plot_strf("%s/constant.txt", r->work);
	bool ok = final != NULL && tmp != NULL;
	if (ok && count[0] + count[1] == 0) {
		if (unlink(final) != 0 && errno != ENOENT)
			fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", final, strerror(errno));
		goto out;
	}
	/* stderr first: the list is said even when the file cannot be written */
	char item[DN_PLOT_SHOW * 2 + 64];
	for (int k = 0; k < 2; k++) {
		if (count[k] == 0)
			continue;
		fprintf(stderr, "dnetsim plot: %s: ", what[k]);
		size_t said = 0;
		for (size_t i = 0; i < r->ninfo; i++) {
			const plot_info *in = &r->info[i];
			if (in->varies || (in->valid == 0) != (k == 1))
				continue;
			plot_const_item(item, sizeof item, nl, in);
			fprintf(stderr, "%s%s", said++ > 0 ? ", " : "", item);
		}
		fputc('\n', stderr);
	}
	FILE *f = ok ? fopen(tmp, "w") : NULL;
	ok = f != NULL;
	for (int k = 0; ok && k < 2; k++) {
		if (count[k] == 0)
			continue;
		ok = fprintf(f, "# %s%s\n", what[k], k == 0 ? ": name=value unit" : "") > 0;
		for (size_t i = 0; ok && i < r->ninfo; i++) {
			const plot_info *in = &r->info[i];
			if (in->varies || (in->valid == 0) != (k == 1))
				continue;
			plot_const_item(item, sizeof item, nl, in);
			ok = fprintf(f, "%s\n", item) > 0;
		}
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, final) != 0)
		ok = false;
	r->listed = ok;
	if (!ok) {
		fprintf(stderr, "dnetsim plot: cannot write %s: %s\n", final ? final : "constant.txt",
			final ? strerror(errno) : "out of memory");
		if (tmp != NULL)
			(void)unlink(tmp);
	}
out:
	free(tmp);
	free(final);
	return ok;
}

/* Measures the entries under /series, up to DN_PLOT_MAX_SERIES series
 * (the rest counted as not drawn), sets the time axis from the horizon,
 * then queues (and draws, batch by batch) the ones that vary and lists
 * the others. */
static void plot_entries(plot_run *r, hid_t g, const plot_names *nl, uint64_t nlinks)
{
	size_t series = 0, i = 0;
	for (; i < nl->n && series < DN_PLOT_MAX_SERIES; i++)
		if (plot_survey(r, g, nl, i))
			series++;
	if (nlinks > i) {
		char shown[DN_PLOT_SHOW];
		uint64_t left = nlinks - i;
		if (i < nl->n)
			fprintf(stderr, "dnetsim plot: %" PRIu64 " more entries under /series not "
					"looked at, from %s on: at most %d series are drawn in one run\n",
				left, dn_plot_show(shown, sizeof shown, nl->name[i]), (int)DN_PLOT_MAX_SERIES);
		else
			fprintf(stderr, "dnetsim plot: %" PRIu64 " more entries under /series not "
					"looked at: at most %d are\n", left, (int)DN_PLOT_MAX_ENTRIES);
		r->not_drawn += left;
	}
	int64_t horizon_ns = 0;
	for (size_t k = 0; k < r->ninfo; k++)
		if (r->info[k].t_last > horizon_ns)
			horizon_ns = r->info[k].t_last;
	r->x = dn_plot_xunit_of(horizon_ns);
	for (size_t k = 0; k < r->ninfo; k++)
		if (r->info[k].varies)
			plot_draw(r, g, nl, &r->info[k]);
	if (!plot_constants(r, nl))
		r->not_drawn++;
}

/* Removes the work folder (and dir, if made here and left empty), closes
 * the file and frees what the run holds. */
static void plot_finish(plot_run *r, int made, const char *dir, plot_names *nl, hid_t f,
			hid_t g)
{
	if (r->work != NULL && rmdir(r->work) != 0)
		fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", r->work, strerror(errno));
	/* Leave no empty directory behind when nothing could be drawn. */
	if (made == 1 && r->drawn == 0 && !r->listed && rmdir(dir) != 0)
		fprintf(stderr, "dnetsim plot: cannot remove %s: %s\n", dir, strerror(errno));
	for (size_t k = 0; k < nl->n; k++)
		free(nl->name[k]);
	free(nl->name);
	if (g >= 0)
		(void)H5Gclose(g);
	if (f >= 0)
		(void)H5Fclose(f);
	free(r->info);
	free(r->renamed);
	free(r->buf);
	free(r->work);
	free(r->overview_gp);
	free(r->series_gp);
}

int dn_cmd_plot(int argc, char **argv)
{
	const char *file = NULL, *outdir = NULL;
	int prc = plot_parse(argc, argv, &file, &outdir);
	if (prc >= 0)
		return prc;

	const char *adir = getenv("DNETSIM_ANALYSIS_DIR");
	if (adir == NULL || adir[0] == '\0')
		adir = DN_ANALYSIS_DIR;
	plot_run r;
	memset(&r, 0, sizeof r);
	plot_names nl = { NULL, 0, false };
	hid_t f = H5I_INVALID_HID, g = H5I_INVALID_HID;
	char *script = dn_plot_strf("%s/%s", adir, dn_plot_script);
	char *ov_script = dn_plot_strf("%s/%s", adir, dn_plot_ov_script);
	char *dir = outdir != NULL ? dn_plot_strf("%s", outdir) : plot_default_dir(file);
	int rc = DN_EXIT_FAIL, made = 0;
	uint64_t nlinks = 0;
	if (script == NULL || ov_script == NULL || dir == NULL) {
		fprintf(stderr, "dnetsim plot: out of memory\n");
		goto out;
	}
	if (!plot_scripts(&r, script, ov_script))
		goto out;
	if (!plot_open_file(file, &f))
		goto out;
	bool sweep = plot_is_sweep(f), tune = !sweep && dn_plot_is_tune(f);
	if (sweep || tune) {
		made = plot_mkdir(dir);
		if (made < 0 || !plot_work_setup(&r, dir))
			goto out;
		if (tune)
			dn_plot_tune(&r, f, file, adir);
		else
			dn_plot_sweep(&r, f, file, adir);
		dn_plot_flush(&r);
		goto done;
	}
	if (!plot_open_series(file, &f, &g, &nl, &nlinks))
		goto out;
	if (nlinks == 0) {
		fprintf(stderr, "dnetsim plot: %s has no series: nothing to draw\n", file);
		rc = DN_EXIT_OK;
		goto out;
	}
	made = plot_mkdir(dir);
	if (made < 0)
		goto out;
	if (!plot_work_setup(&r, dir))
		goto out;
	plot_entries(&r, g, &nl, nlinks);
	plot_overview(&r, g);
	dn_plot_flush(&r);
done:
	if (r.not_drawn > 0)
		fprintf(stderr, "dnetsim plot: %zu picture(s) drawn, %zu entries not drawn "
				"(reasons above)\n", r.drawn, r.not_drawn);
	else
		rc = DN_EXIT_OK;
out:
	plot_finish(&r, made, dir, &nl, f, g);
	free(ov_script);
	free(script);
	free(dir);
	return rc;
}

void dn_plot_note(plot_run *r, FILE *notes, bool failed, const char *fmt, ...)
{
	char line[2 * DN_PLOT_WHY];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "dnetsim plot: %s\n", line);
	if (notes != NULL)
		fprintf(notes, "%s\n", line);
	if (failed)
		r->not_drawn++;
}

char *dn_plot_script_path(plot_run *r, FILE *notes, const char *adir, const char *name)
{
	char *p = dn_plot_strf("%s/%s", adir, name);
	char *abs = p != NULL ? realpath(p, NULL) : NULL;
	if (abs == NULL || access(abs, R_OK) != 0) {
		char shown[DN_PLOT_SHOW];
		dn_plot_note(r, notes, true, "cannot read the gnuplot script %s: %s (set DNETSIM_ANALYSIS_DIR "
			     "to the analysis/ folder): its pictures are not drawn",
			     dn_plot_show(shown, sizeof shown, p != NULL ? p : name),
			     p != NULL ? strerror(errno) : "out of memory");
		free(abs);
		abs = NULL;
	}
	free(p);
	return abs;
}

void dn_plot_index_write(plot_run *r, const char *head, const plot_chart *c, size_t n, FILE *notes,
			 const char *const *notes_buf, const size_t *notes_len)
{
	char *final = dn_plot_strf("%s/index.txt", r->dir);
	char *tmp = dn_plot_strf("%s/index.txt", r->work);
	FILE *f = final != NULL && tmp != NULL ? fopen(tmp, "w") : NULL;
	bool ok = f != NULL;
	char shown[DN_PLOT_SHOW];
	size_t drawn = 0;
	for (size_t k = 0; k < n; k++)
		drawn += c[k].drawn;
	if (ok) {
		fprintf(f, "%s\n# %zu picture(s): file: what it shows\n", head != NULL ? head : "", drawn);
		for (size_t k = 0; k < n; k++)
			if (c[k].drawn)
				fprintf(f, "%s: %s\n", dn_plot_show(shown, sizeof shown, c[k].file),
					c[k].what != NULL ? c[k].what : "");
		bool queued = false;
		for (size_t k = 0; k < n; k++)
			if (!c[k].drawn) {
				if (!queued)
					fprintf(f, "\n# queued, but gnuplot did not draw them (stderr says why)\n");
				queued = true;
				fprintf(f, "%s\n", dn_plot_show(shown, sizeof shown, c[k].file));
			}
		if (notes != NULL)
			fflush(notes);
		if (*notes_len > 0)
			fprintf(f, "\n# not drawn, and why\n%s", *notes_buf);
	}
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (ok && rename(tmp, final) != 0)
		ok = false;
	r->listed = ok;
	if (!ok) {
		fprintf(stderr, "dnetsim plot: cannot write %s: %s\n", final ? final : "index.txt",
			final ? strerror(errno) : "out of memory");
		r->not_drawn++;
		if (tmp != NULL)
			(void)unlink(tmp);
	}
	free(tmp);
	free(final);
}

void dn_plot_strs_free(char **s, size_t n)
{
	for (size_t k = 0; s != NULL && k < n; k++)
		free(s[k]);
	free(s);
}
