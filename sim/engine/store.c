/* store.c: allocation of struct-of-arrays agent columns. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

size_t dn_store_bytes_per_agent(const dn_kind_def *def)
{
	size_t b = 0;
	for (size_t i = 0; i < def->n_columns; i++)
		b += def->columns[i].elem_size;
	return b;
}

void dn_store_free(dn_store *s)
{
	if (!s->def)
		return;
	for (size_t i = 0; i < s->def->n_columns; i++) {
		free(s->col[i]);
		s->col[i] = NULL;
	}
	s->n = 0;
	s->def = NULL;
}

dn_rc dn_store_init(dn_store *s, const dn_kind_def *def, uint64_t n)
{
	memset(s, 0, sizeof *s);
	if (def->n_columns > DN_STORE_MAX_COLUMNS || n > DN_STORE_MAX_AGENTS)
		return DN_ELIMIT;
	s->def = def;
	s->n = n;
	for (size_t i = 0; i < def->n_columns; i++) {
		size_t es = def->columns[i].elem_size;
		if (es == 0 || n > SIZE_MAX / es) {
			dn_store_free(s);
			return DN_EINVAL;
		}
		/* calloc: zeroed, and lazily mapped for large sizes. glibc's
		 * mmap-backed blocks are page aligned, ample for 64-byte lines. */
		s->col[i] = calloc(n ? n : 1, es);
		if (!s->col[i]) {
			dn_store_free(s);
			return DN_ENOMEM;
		}
	}
	return DN_OK;
}

void *dn_store_col_named(const dn_store *s, const char *name)
{
	assert(s->def && s->def->n_columns <= DN_STORE_MAX_COLUMNS);
	for (size_t i = 0; i < s->def->n_columns; i++)
		if (strcmp(s->def->columns[i].name, name) == 0)
			return s->col[i];
	return NULL;
}
