/*
 * dn_base.h: the few types and the result code every dnetsim module shares.
 *
 * Simulated time is int64 nanoseconds; results are one enum. This header
 * has no dependencies beyond the C standard library, so the engine, the
 * models and the CLI can all include it. (models/chain has its own result
 * type and does not include this.)
 */
#ifndef DN_BASE_H
#define DN_BASE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef int64_t dn_time_ns;   /* simulated time, nanoseconds since start */
typedef uint32_t dn_part_id;  /* partition index, 0..n_parts-1 */
typedef uint32_t dn_agent_id; /* global agent index within one kind */

#define DN_NS_PER_S INT64_C(1000000000)
/* Seconds per nanosecond, for ns -> s in floating point. A product with
 * this is what the code has always computed (x * 1e-9); dividing by
 * DN_NS_PER_S instead can differ in the last bit and change results. */
#define DN_S_PER_NS 1e-9
#define DN_TIME_MAX INT64_MAX

#if defined(__GNUC__)
#define DN_WUR __attribute__((warn_unused_result))
#define DN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DN_WUR
#define DN_PRINTF(a, b)
#endif

/* One result code for the engine, scenario loader, recorder and CLI. */
typedef enum dn_rc {
	DN_OK = 0,
	DN_ENOMEM,      /* allocation failed */
	DN_EINVAL,      /* bad argument (a programming or usage error) */
	DN_EPARSE,      /* scenario syntax error */
	DN_EUNKNOWN,    /* unknown parameter or name */
	DN_ETYPE,       /* value of the wrong type */
	DN_ERANGE,      /* value out of the allowed range */
	DN_EIO,         /* file could not be read or written */
	DN_EHDF5,       /* the HDF5 library reported an error */
	DN_ECAUSALITY,  /* an event was scheduled in the past or inside the window */
	DN_ELIMIT,      /* a configured bound was exceeded */
	DN_EINTERRUPTED /* the run was stopped by a signal */
} dn_rc;

/* Short English name of a result code ("out of memory", ...). Never NULL. */
const char *dn_rc_str(dn_rc rc);

/*
 * Opens an input file for reading without ever blocking: the open itself
 * is non-blocking (a FIFO with no writer would otherwise hang), and only a
 * regular file of at most max_bytes is accepted (devices, FIFOs, sockets
 * and folders are refused, as is a file that grew past the bound). On
 * success returns a stream in blocking mode (the caller fcloses it); on
 * failure returns NULL with one reason in why (no file content), e.g.
 * "is a FIFO, not a regular file" or "No such file or directory".
 * Files in /proc report size 0 and are read by content like any other.
 */
FILE *dn_fopen_input(const char *path, uint64_t max_bytes, char *why, size_t whylen);
/* The folder part of path into buf ("." for a bare name, "/" for a file
 * at the root); false when it does not fit. */
bool dn_path_folder(const char *path, char *buf, size_t len);
/* Appends one line to the error text err (errlen bytes, *used of them
 * written, no trailing newline): the first line always (cut to fit),
 * later lines only whole, after a newline. */
void dn_err_append(char *err, size_t errlen, size_t *used, const char *line);
/* "a FIFO", "a folder", "a character device", ... for a stat mode. */
const char *dn_file_kind(mode_t m);

#endif
