/* evq.c: allocation of the event heap (the operations are inline in evq.h). */
#include "evq.h"

#include <stdlib.h>

dn_rc dn_evq_init(dn_evq *q, size_t cap_initial, size_t cap_max)
{
	q->n = 0;
	q->cap_max = cap_max;
	if (cap_initial < 16)
		cap_initial = 16;
	if (cap_initial > cap_max)
		cap_initial = cap_max;
	q->a = malloc(cap_initial * sizeof *q->a);
	q->cap = q->a ? cap_initial : 0;
	return q->a ? DN_OK : DN_ENOMEM;
}

void dn_evq_free(dn_evq *q)
{
	free(q->a);
	q->a = NULL;
	q->n = q->cap = 0;
}

dn_rc dn_evq_grow(dn_evq *q)
{
	if (q->cap >= q->cap_max)
		return DN_ELIMIT;
	size_t cap = q->cap ? q->cap * 2 : 16;
	if (cap > q->cap_max)
		cap = q->cap_max;
	dn_event *a = realloc(q->a, cap * sizeof *a);
	if (!a)
		return DN_ENOMEM;
	q->a = a;
	q->cap = cap;
	return DN_OK;
}
