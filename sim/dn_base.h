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
#include <stdint.h>

typedef int64_t dn_time_ns;   /* simulated time, nanoseconds since start */
typedef uint32_t dn_part_id;  /* partition index, 0..n_parts-1 */
typedef uint32_t dn_agent_id; /* global agent index within one kind */

#define DN_NS_PER_S INT64_C(1000000000)
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

#endif
