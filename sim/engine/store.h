/*
 * store.h: agent storage, struct-of-arrays per agent kind.
 *
 * A kind declares its columns (name, element size); the store allocates
 * each column as one zeroed, 64-byte aligned array of n elements, so a
 * handler touching one field of many agents streams through memory and
 * ten million agents of a 40-byte kind take 400 MB, nothing more. Large
 * columns come from calloc, which maps fresh zero pages lazily.
 * Memory per agent is exactly the sum of the column sizes
 * (dn_store_bytes_per_agent); the engine keeps nothing per agent.
 */
#ifndef DN_STORE_H
#define DN_STORE_H

#include <assert.h>

#include "dn_base.h"

#define DN_STORE_MAX_COLUMNS 64
#define DN_STORE_MAX_AGENTS (UINT64_C(1) << 32)

typedef struct dn_column_def {
	const char *name;
	size_t elem_size; /* bytes per agent */
	const char *doc;
} dn_column_def;

typedef struct dn_kind_def {
	const char *name; /* "lp", "consumer", ... */
	const dn_column_def *columns;
	size_t n_columns;
	const char *doc;
} dn_kind_def;

typedef struct dn_store {
	const dn_kind_def *def;
	uint64_t n;
	void *col[DN_STORE_MAX_COLUMNS];
} dn_store;

/* Allocates n agents of a kind, all columns zeroed. On failure nothing is kept. */
DN_WUR dn_rc dn_store_init(dn_store *s, const dn_kind_def *def, uint64_t n);
void dn_store_free(dn_store *s);
size_t dn_store_bytes_per_agent(const dn_kind_def *def);

/* The column array i (typed by the caller), or the one named; NULL if no such name. */
static inline void *dn_store_col(const dn_store *s, size_t i)
{
	assert(s->def && i < s->def->n_columns); /* a column of this kind */
	return s->col[i];
}
void *dn_store_col_named(const dn_store *s, const char *name);

#endif
