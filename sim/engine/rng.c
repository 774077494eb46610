/*
 * rng.c: sequential streams over Philox blocks, the GSL generator type that
 * wraps them, and the Zipf sampler GSL does not have.
 */
#include "rng.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

void dn_rng_init(dn_rng *r, uint64_t seed, uint32_t entity, uint32_t purpose, uint64_t index)
{
	r->seed = seed;
	r->entity = entity;
	r->purpose = purpose;
	r->index = index;
	r->avail = 0;
}

uint32_t dn_rng_u32(dn_rng *r)
{
	if (r->avail == 0) {
		dn_rng_block(r->seed, r->entity, r->purpose, r->index, r->buf);
		r->index++;
		/* a stream that wrapped would repeat its draws from the start */
		assert(r->index != 0);
		r->avail = 4;
	}
	r->avail--;
	return r->buf[3 - r->avail];
}

uint64_t dn_rng_u64(dn_rng *r)
{
	uint64_t hi = dn_rng_u32(r);
	return hi << 32 | dn_rng_u32(r);
}

double dn_rng_u01(dn_rng *r)
{
	return (double)(dn_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* ---- GSL generator type ---- */

static void gsl_philox_set(void *state, unsigned long seed)
{
	dn_rng_init(state, (uint64_t)seed, 0, DN_RNG_PURPOSE_ENGINE, 0);
}

static unsigned long gsl_philox_get(void *state)
{
	return dn_rng_u32(state);
}

static double gsl_philox_get_double(void *state)
{
	return dn_rng_u01(state);
}

static const gsl_rng_type philox_type = {
	"dn-philox4x32-10", 0xffffffffUL, 0, sizeof(dn_rng),
	gsl_philox_set, gsl_philox_get, gsl_philox_get_double,
};

const gsl_rng_type *const dn_gsl_rng_philox = &philox_type;

gsl_rng *dn_rng_gsl_new(uint64_t seed, uint32_t entity, uint32_t purpose)
{
	gsl_rng *g = gsl_rng_alloc(dn_gsl_rng_philox);
	if (!g)
		return NULL;
	dn_rng_gsl_bind(g, seed, entity, purpose, 0);
	return g;
}

void dn_rng_gsl_bind(gsl_rng *g, uint64_t seed, uint32_t entity, uint32_t purpose, uint64_t index)
{
	dn_rng_init(g->state, seed, entity, purpose, index);
}

uint64_t dn_rng_gsl_index(const gsl_rng *g)
{
	const dn_rng *r = g->state;
	return r->index;
}

/* ---- Zipf by rejection-inversion ---- */

/* (exp(x) - 1) / x, accurate near 0. */
static double expm1_over_x(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0);
}

/* log(1 + x) / x, accurate near 0. */
static double log1p_over_x(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x / 3.0);
}

/* H(x) = integral of t^-s from 1 to x (written to stay exact at s = 1). */
static double zipf_H(double s, double x)
{
	double lx = log(x);
	return expm1_over_x((1.0 - s) * lx) * lx;
}

static double zipf_H_inv(double s, double y)
{
	double t = y * (1.0 - s);
	if (t < -1.0)
		t = -1.0; /* guards rounding at the lower end */
	return exp(log1p_over_x(t) * y);
}

static double zipf_h(double s, double x)
{
	return exp(-s * log(x));
}

dn_rc dn_zipf_init(dn_zipf *z, uint64_t n, double s)
{
	if (n < 1 || !(s > 0.0) || !isfinite(s))
		return DN_EINVAL;
	z->s = s;
	z->n = (double)n;
	z->h_x1 = zipf_H(s, 1.5) - 1.0;
	z->h_n = zipf_H(s, z->n + 0.5);
	z->sc = 2.0 - zipf_H_inv(s, zipf_H(s, 2.5) - zipf_h(s, 2.0));
	return DN_OK;
}

uint64_t dn_ran_zipf(const dn_zipf *z, const gsl_rng *g)
{
	/* Expected iterations are below 1.1 for every s; the bound is a guard. */
	for (int tries = 0; tries < 1000000; tries++) {
		double u = z->h_n + gsl_rng_uniform(g) * (z->h_x1 - z->h_n);
		double x = zipf_H_inv(z->s, u);
		double kf = floor(x + 0.5);
		if (kf < 1.0)
			kf = 1.0;
		else if (kf > z->n)
			kf = z->n;
		if (kf - x <= z->sc || u >= zipf_H(z->s, kf + 0.5) - zipf_h(z->s, kf)) {
			assert(kf >= 1.0 && kf <= z->n); /* clamped to the support above */
			return (uint64_t)kf;
		}
	}
	abort(); /* unreachable for a working uniform source */
}
