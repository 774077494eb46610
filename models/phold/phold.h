/*
 * phold.h: the PHOLD benchmark model (phold.c) as others see it: its
 * table, and the fingerprint the table also carries, for tests.
 */
#ifndef DN_PHOLD_H
#define DN_PHOLD_H

#include "engine.h"

extern const dn_model dn_model_phold;

/* PHOLD's end-of-run fingerprint: an order-sensitive hash of every event
 * handled, combined over partitions in index order. Equal fingerprints at
 * 1 and N threads show the runs handled the same events in the same order. */
uint64_t dn_phold_fingerprint(dn_world *w);

#endif
