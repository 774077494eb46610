/*
 * rng.h: counter-based random streams (Philox4x32-10) and GSL on top.
 *
 * A draw is a pure function of (seed, entity, purpose, index): no state is
 * shared between entities, so results never depend on thread count, rank
 * count or the order partitions run in. An entity (agent, partition, cell)
 * keeps only its own index counter. `purpose` separates the streams one
 * entity uses for different things, so adding a new use never shifts the
 * draws of an existing one.
 *
 * Philox4x32-10 is from Salmon, Moraes, Dror and Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11. The key is the 64-bit seed; the
 * 128-bit counter is (index low, index high, entity, purpose).
 *
 * For distributions, dn_rng_gsl_* wraps a stream as a gsl_rng so every
 * gsl_ran_* function can draw from it; dn_ran_zipf fills the gap GSL has.
 */
#ifndef DN_RNG_H
#define DN_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "dn_base.h"

/* Purposes used by the engine itself; models use values >= DN_RNG_PURPOSE_MODEL. */
enum { DN_RNG_PURPOSE_ENGINE = 0, DN_RNG_PURPOSE_MODEL = 256 };

/* One Philox4x32-10 block: out = Philox(key = seed, counter = ctr). */
static inline void dn_philox4x32_10(const uint32_t ctr_in[4], uint64_t seed, uint32_t out[4])
{
	uint32_t c0 = ctr_in[0], c1 = ctr_in[1], c2 = ctr_in[2], c3 = ctr_in[3];
	uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
	for (int r = 0; r < 10; r++) {
		uint64_t p0 = (uint64_t)0xD2511F53u * c0;
		uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
		uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
		uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
		c1 = (uint32_t)p1;
		c3 = (uint32_t)p0;
		c0 = n0;
		c2 = n2;
		k0 += 0x9E3779B9u;
		k1 += 0xBB67AE85u;
	}
	out[0] = c0;
	out[1] = c1;
	out[2] = c2;
	out[3] = c3;
}

/* The block for (seed, entity, purpose, index): 128 random bits. */
static inline void dn_rng_block(uint64_t seed, uint32_t entity, uint32_t purpose,
                                uint64_t index, uint32_t out[4])
{
	const uint32_t ctr[4] = {(uint32_t)index, (uint32_t)(index >> 32), entity, purpose};
	dn_philox4x32_10(ctr, seed, out);
}

/* A uniform double in [0, 1) from 64 random bits (53 used). */
static inline double dn_u01(uint32_t hi, uint32_t lo)
{
	uint64_t x = ((uint64_t)hi << 32 | lo) >> 11;
	return (double)x * 0x1.0p-53;
}

/* An unbiased-enough integer in [0, n) from 32 random bits (n <= 2^32). */
static inline uint32_t dn_bounded32(uint32_t r, uint32_t n)
{
	return (uint32_t)(((uint64_t)r * n) >> 32);
}

/* A sequential stream: draws blocks at index, index+1, ... */
typedef struct dn_rng {
	uint64_t seed;
	uint32_t entity;
	uint32_t purpose;
	uint64_t index; /* next block index */
	uint32_t buf[4];
	unsigned avail; /* unread words left in buf (taken from the end) */
} dn_rng;

void dn_rng_init(dn_rng *r, uint64_t seed, uint32_t entity, uint32_t purpose, uint64_t index);
uint32_t dn_rng_u32(dn_rng *r);
uint64_t dn_rng_u64(dn_rng *r);
double dn_rng_u01(dn_rng *r); /* [0, 1), 53 bits */

/*
 * A gsl_rng whose state is a dn_rng: gsl_rng_get returns 32 bits,
 * gsl_rng_uniform 53-bit doubles. Free with gsl_rng_free. NULL when out of
 * memory. dn_rng_gsl_bind re-points it at another stream without
 * allocating (for a per-partition generator reused across agents), and
 * dn_rng_gsl_index reports the next block index, to store back.
 */
gsl_rng *dn_rng_gsl_new(uint64_t seed, uint32_t entity, uint32_t purpose);
void dn_rng_gsl_bind(gsl_rng *g, uint64_t seed, uint32_t entity, uint32_t purpose, uint64_t index);
uint64_t dn_rng_gsl_index(const gsl_rng *g);
extern const gsl_rng_type *const dn_gsl_rng_philox;

/*
 * Zipf on {1..n} with exponent s > 0: P(k) proportional to k^-s.
 * Rejection-inversion (Hoermann and Derflinger, ACM TOMACS 6(3), 1996):
 * O(1) expected time and no table, so n may be in the billions.
 */
typedef struct dn_zipf {
	double s, n;
	double h_x1, h_n, sc;
} dn_zipf;
DN_WUR dn_rc dn_zipf_init(dn_zipf *z, uint64_t n, double s);
uint64_t dn_ran_zipf(const dn_zipf *z, const gsl_rng *g);

#endif
