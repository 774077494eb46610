/*
 * agents.h: the DNET world model (sim.model: world) as others see it: its
 * table and its fingerprint. world.h and the building blocks' headers
 * (content.h, match.h, metrics.h, spatial.h) are this folder's own and its
 * tests'.
 */
#ifndef DN_AGENTS_H
#define DN_AGENTS_H

#include "engine.h"

extern const dn_model dn_model_world;

/* The world model's fingerprint (a hash of every recorded value). */
uint64_t dn_world_fingerprint(dn_world *w);

#endif
