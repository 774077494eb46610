/*
 * plot.h: what `dnetsim plot`'s readers share (plot.c draws a run's
 * results file, plot_sweep.c a sweep file, plot_tune.c a tune file): the bounds, text made safe
 * for messages, labels and gnuplot, units on the axes, and the queue of
 * pictures that gnuplot draws in batches in a private work folder.
 * Private to sim/cli.
 */
#ifndef DN_CLI_PLOT_H
#define DN_CLI_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hdf5.h>

#include "dn_base.h"

/*
 * The bounds. gnuplot takes 20-50 ms a picture, so DN_PLOT_MAX_SERIES
 * pictures take a minute at most; the world model writes about 100 series.
 * A few KiB of file can declare 2^40 rows of chunks never written, which
 * read as fill values at some 30 million rows a second: the row bounds
 * stop that within about half a minute. Real rows (deflated) read at 5-10
 * million a second; a year of world blocks is 3.2 million rows a series.
 */
enum {
	DN_PLOT_MAX_SERIES = 500,   /* pictures per run */
	DN_PLOT_MAX_ENTRIES = 65536,/* entries under /series looked at */
	DN_PLOT_BATCH = 100,        /* pictures per gnuplot process */
	DN_PLOT_BUCKETS = 1000,     /* envelope columns: series.gp is 1000 px wide */
	DN_PLOT_EXACT_ROWS = 4 * DN_PLOT_BUCKETS, /* up to this, every row is drawn */
	DN_PLOT_READ_ROWS = 65536,  /* rows per HDF5 read: 1 MiB */
	DN_PLOT_NAME_MAX = 250,     /* "<name>.png" fits a file name (255 bytes) */
	DN_PLOT_UNITS_MAX = 64,     /* bytes kept of @units, with the NUL */
	DN_PLOT_DESC_MAX = 256,     /* bytes kept of @description, with the NUL */
	DN_PLOT_ATTR_READ_MAX = 65536, /* a fixed-size string attribute read at all */
	DN_PLOT_MAX_ROW_BYTES = 4096,  /* a table's row type, in the file */
	DN_PLOT_MAX_FAILURES = 3,   /* gnuplot failures before giving up */
	DN_PLOT_IDLE_S = 60,        /* gnuplot silent this long is stopped */
	DN_PLOT_CHATTER_MAX = 1 << 24, /* bytes of gnuplot output taken from one run */
	DN_PLOT_RENAME_TRIES = 100, /* free names tried for a renamed series */
	DN_PLOT_EINTR_TRIES = 1000, /* retries of a call interrupted by a signal */
	DN_PLOT_TITLE_COLS = 100,   /* characters in a line of a picture's title */
	DN_PLOT_TITLE_LINES = 4,    /* lines of it: the name, then the description */
	DN_PLOT_WHY = 512,          /* one reason */
	DN_PLOT_SHOW = 200          /* a name as messages show it */
};
#define DN_PLOT_MAX_ROWS ((uint64_t)1 << 27)       /* rows of one series: 2 GiB */
#define DN_PLOT_MAX_TOTAL_ROWS ((uint64_t)1 << 30) /* rows read in one run */
#define DN_PLOT_MAX_CHUNK_BYTES ((uint64_t)8 << 20) /* HDF5 inflates a whole chunk */
#define DN_PLOT_CACHE_BYTES ((size_t)1 << 20)        /* HDF5's default chunk cache */

/* ---- text ---- */

/* printf into a new malloc'd string; NULL if out of memory. */
char *DN_PRINTF(1, 2) dn_plot_strf(const char *fmt, ...);
/* Length of the well-formed UTF-8 sequence at p (1 to 4), 0 if none. */
size_t dn_plot_utf8_len(const unsigned char *p);
bool dn_plot_is_ctl(unsigned c);
/* s as one line of a message (control characters and bytes that are not
 * UTF-8 escaped, cut with "..." to fit cap); returns out. */
const char *dn_plot_show(char *out, size_t cap, const char *s);
/* s as a label: UTF-8 kept, a control character a space, a bad byte '?'. */
void dn_plot_label(char *out, size_t cap, const char *s);
/* A picture's title: name on the first line, desc wrapped below, lines of
 * at most DN_PLOT_TITLE_COLS characters, DN_PLOT_TITLE_LINES at most. */
void dn_plot_title(char *out, size_t cap, const char *name, const char *desc);
/* A y label: the unit as shown ("value" for none or "1"). */
void dn_plot_ylabel(char *out, size_t cap, const char *unit);
/* Writes s to f as a gnuplot double-quoted string in which nothing but
 * letters, digits and " _-.,:/+" is plain; false on a write error. */
bool dn_plot_gp_str(FILE *f, const char *s);

/* ---- HDF5 ---- */

/* why = "what: <HDF5's innermost error>"; clears HDF5's error stack. */
void dn_plot_h5why(char *why, size_t len, const char *what);
/* String attribute name of obj into buf (cut to fit); absent: "" and
 * true; false ("") if it is there but not one string. */
bool dn_plot_attr(hid_t obj, const char *name, char *buf, size_t cap);
/* Opens g/name, one hard link (no soft or external link is followed), if
 * it is of type want (H5I_GROUP, H5I_DATASET). Otherwise H5I_INVALID_HID
 * and why; *absent when there is no such link. */
hid_t dn_plot_open(hid_t g, const char *name, H5I_type_t want, bool *absent, char *why,
		   size_t whylen);
/* Whether dataset d (of rank dims) is stored in the file itself, its
 * chunks at most DN_PLOT_MAX_CHUNK_BYTES inflated; chunk[] gets the chunk
 * dims (0 when not chunked). false and why if it is not read. */
bool dn_plot_layout_ok(hid_t d, int rank, hsize_t *chunk, char *why, size_t whylen);
/* d's extent: its rank, dims in dims (H5S_MAX_RANK room); < 0 and why for
 * a scalar or empty dataset or an error. */
int dn_plot_dims(hid_t d, hsize_t *dims, char *why, size_t whylen);
/* The class of d's values (H5T_NO_CLASS on an error). */
H5T_class_t dn_plot_class(hid_t d);

/* ---- units ---- */

/* The time axis, from the horizon: seconds, hours, days or years. */
typedef struct plot_xunit {
	double ns;        /* nanoseconds in one unit */
	const char *name; /* as the axis says it */
} plot_xunit;

plot_xunit dn_plot_xunit_of(int64_t horizon_ns);

/* Values divided by 10^pow10 and labelled unit: base units as DNET, ns as
 * s/ms/µs, bytes as GB/MB/kB, after the largest |value|. */
typedef struct plot_scale {
	int pow10;
	char unit[DN_PLOT_UNITS_MAX + 8];
} plot_scale;

plot_scale dn_plot_scale_of(const char *units, double maxabs);
/* The description gives -1 as "none": -1 is a missing sample. */
bool dn_plot_has_marker(const char *desc);

/* ---- gnuplot: assignments, ranges, tables ---- */

/* "var = <val as dn_plot_gp_str writes it>" and a newline; false on a
 * write error. */
bool dn_plot_set_str(FILE *a, const char *var, const char *val);
/* "var = <v>" (%.17g) and a newline; false on a write error or when v is
 * not finite (nothing is written then). */
bool dn_plot_set_num(FILE *a, const char *var, double v);
/* Writes v / 10^pow10 to a table (NaN as "NaN"), after a space unless
 * first. */
bool dn_plot_put(FILE *f, double v, int pow10, bool first);

/* An axis' range, padded: never empty, always finite. */
typedef struct plot_range {
	double lo, hi;
	bool any;
} plot_range;

/* Adds v to g (a value that is not finite is left out). */
void dn_plot_range_add(plot_range *g, double v);
/* g padded by 5 % (a single value by 10 %, none: 0..1). */
void dn_plot_range_pad(const plot_range *g, double *lo, double *hi);
/* lo_var and hi_var, g padded, as assignments. */
bool dn_plot_set_range(FILE *a, const char *lo_var, const char *hi_var, const plot_range *g);

/* A new memory stream for gnuplot assignments. */
typedef struct plot_mem {
	FILE *f;
	char *buf;
	size_t len;
} plot_mem;

bool dn_plot_mem_open(plot_mem *m);
/* Closes the stream; its text (malloc'd, the caller's) if everything was
 * written (ok), else NULL. */
char *dn_plot_mem_close(plot_mem *m, bool ok);

/* ---- the queue of pictures ---- */

typedef struct plot_row plot_row;
typedef struct plot_info plot_info;

/*
 * One picture: table <work>/d<id>.dat, gnuplot writes <work>/p<id>.png,
 * which becomes png. A series picture (script NULL, not overview) gets
 * title and ylabel; any other picture loads script after the gnuplot
 * assignments in assign (written with dn_plot_gp_str: nothing from a file
 * is ever plain gnuplot syntax). *drawn, when given, is set once the PNG
 * is in place.
 */
typedef struct plot_job {
	unsigned id;
	bool overview;
	char *png;                      /* final path, malloc'd */
	char title[DN_PLOT_NAME_MAX + DN_PLOT_DESC_MAX + 16]; /* name, description: wrapped */
	char ylabel[DN_PLOT_UNITS_MAX + 16];                 /* the unit shown */
	char shown[DN_PLOT_SHOW + 16];  /* "series <name>" for messages */
	const char *script;             /* absolute path; NULL: series.gp or overview.gp */
	char *assign;                   /* gnuplot assignments, malloc'd, or NULL */
	bool *drawn;                    /* set when the PNG is delivered, or NULL */
} plot_job;

typedef struct plot_run {
	const char *dir;        /* output folder, as given */
	char *work;             /* <dir>/.plot-XXXXXX, ours */
	char *series_gp;        /* absolute script paths */
	char *overview_gp;
	plot_job jobs[DN_PLOT_BATCH];
	size_t njobs;
	unsigned next_id;
	unsigned failures;      /* gnuplot runs that failed */
	bool broken;            /* gnuplot cannot run at all */
	size_t drawn, not_drawn;
	uint64_t rows_read;
	char (*renamed)[DN_PLOT_NAME_MAX + 1]; /* file names given to renamed series */
	size_t nrenamed;
	plot_row *buf;          /* DN_PLOT_READ_ROWS rows */
	plot_info *info;        /* the series measured, at most DN_PLOT_MAX_SERIES */
	size_t ninfo;
	plot_xunit x;           /* the time axis, from the run's horizon */
	bool listed;            /* DIR/constant.txt (or DIR/index.txt) written */
} plot_run;

/* Frees n strings and their array (s may be NULL). */
void dn_plot_strs_free(char **s, size_t n);

/* A picture of a sweep or tune file, for its index.txt. */
typedef struct plot_chart {
	char file[DN_PLOT_NAME_MAX + 16]; /* the PNG's file name */
	char *what;                        /* one line: what it shows */
	bool drawn;
} plot_chart;

/*
 * Writes DIR/index.txt (through the work folder, renamed into place):
 * head (the file's own lines, each starting "# "), then every drawn
 * chart with what it shows, the queued ones gnuplot did not draw, and the
 * notes (index.txt's "not drawn" lines, notes_buf after notes is
 * flushed). Sets r->listed; a failure is reported and counted.
 */
void dn_plot_index_write(plot_run *r, const char *head, const plot_chart *c, size_t n, FILE *notes,
			 const char *const *notes_buf, const size_t *notes_len);

/*
 * One line on stderr ("dnetsim plot: ...") and, when notes is not NULL,
 * in index.txt's list of what was not drawn. failed: the file is damaged
 * or a picture could not be made (counted in r->not_drawn: the exit
 * status is then 1); otherwise there was nothing to draw.
 */
void DN_PRINTF(4, 5) dn_plot_note(plot_run *r, FILE *notes, bool failed, const char *fmt, ...);
/* The gnuplot script adir/name as an absolute path (malloc'd), or NULL
 * after a note when it cannot be read (its pictures are not drawn). */
char *dn_plot_script_path(plot_run *r, FILE *notes, const char *adir, const char *name);

/* Opens <work>/d<id>.dat for a new job's table (a message if it cannot). */
FILE *dn_plot_job_table(plot_run *r, unsigned id);
/* Removes a job's files from the work folder and frees what it holds. */
void dn_plot_job_done(plot_run *r, plot_job *j);
/* Draws the queued jobs (r->njobs of them) and empties the queue. */
void dn_plot_flush(plot_run *r);

/*
 * `dnetsim plot` on a sweep file (plot_sweep.c): f is open read-only, r
 * set up (work folder, buffers); adir is where the gnuplot scripts are.
 * Queues and draws every picture, writes DIR/index.txt, and counts in r
 * what was drawn and what was not.
 */
void dn_plot_sweep(plot_run *r, hid_t f, const char *file, const char *adir);

/* Whether the open file is a tune file (from `dnetsim tune`): it has a
 * /tune group (a hard link). */
bool dn_plot_is_tune(hid_t f);
/*
 * `dnetsim plot` on a tune file (plot_tune.c), as dn_plot_sweep: queues
 * and draws the pictures of its kind (Sobol indices, Morris screening or
 * the target search), writes DIR/index.txt, counts in r what was drawn
 * and what was not.
 */
void dn_plot_tune(plot_run *r, hid_t f, const char *file, const char *adir);

#endif
