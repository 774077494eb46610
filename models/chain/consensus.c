/*
 * consensus.c: delegate election, producer schedule, fork choice,
 * confirmations and latency statistics. See consensus.h.
 */
#include "consensus.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void dnc_seat_quota(const dnc_params *p, uint32_t seats[DNC_SEAT_KINDS])
{
	uint32_t d = p->delegates > DNC_MAX_DELEGATES ? DNC_MAX_DELEGATES : p->delegates;
	/* R-CONS-2: round(D lambda) stake seats */
	uint32_t s = (uint32_t)(((uint64_t)d * p->lambda_ppm + DNC_PPM / 2) / DNC_PPM);
	uint32_t tr = d - s;
	seats[DNC_SEAT_STAKE] = s;
	seats[DNC_SEAT_VOLUME] = (tr + 1) / 2;  /* R-CONS-3: half by volume */
	seats[DNC_SEAT_QUALITY] = tr / 2;       /* R-CONS-3: half by quality */
}

/* top-k by (score desc, pk asc), k <= 2 * DNC_MAX_DELEGATES */
typedef struct topk {
	uint32_t k, n;
	dnc_acct a[3 * DNC_MAX_DELEGATES];
	uint64_t s[3 * DNC_MAX_DELEGATES];
} topk;

static int ranks_before(const dnc_ledger *L, uint64_t sa, dnc_acct a, uint64_t sb,
			dnc_acct b)
{
	if (sa != sb)
		return sa > sb;
	return memcmp(dnc_ledger_pk(L, a)->b, dnc_ledger_pk(L, b)->b, DNC_PK_BYTES) < 0;
}

static void topk_offer(topk *t, const dnc_ledger *L, dnc_acct a, uint64_t score)
{
	uint32_t i;
	if (score == 0 || t->k == 0)
		return;
	if (t->n == t->k && !ranks_before(L, score, a, t->s[t->n - 1], t->a[t->n - 1]))
		return;
	i = t->n < t->k ? t->n++ : t->n - 1;
	while (i > 0 && ranks_before(L, score, a, t->s[i - 1], t->a[i - 1])) {
		t->a[i] = t->a[i - 1];
		t->s[i] = t->s[i - 1];
		i--;
	}
	t->a[i] = a;
	t->s[i] = score;
}

static int seated(const dnc_delegate_set *ds, dnc_acct a)
{
	uint32_t i;
	for (i = 0; i < ds->n; i++)
		if (ds->seat[i].acct == a)
			return 1;
	return 0;
}

uint64_t dnc_quality_mix(const dnc_params *p, const dnc_quality *x,
			 const dnc_quality_total *total)
{
	const uint64_t xs[3] = { x->price, x->loss, x->stability };
	const dnc_u128 ts[3] = { total->price, total->loss, total->stability };
	const uint32_t w[3] = { p->quality_price_ppm, p->quality_loss_ppm,
				p->quality_stability_ppm };
	dnc_u128 score = 0;
	uint32_t k, nonzero = 0, only = 0;
	for (k = 0; k < 3; k++)
		if (w[k]) {
			nonzero++;
			only = k;
		}
	if (nonzero == 1)
		return xs[only];   /* a monotone rescaling: keep the ingredient */
	for (k = 0; k < 3; k++) {
		if (w[k] == 0 || ts[k] == 0)
			continue;
		assert(xs[k] <= ts[k]);
		/* w < 2^20, x < 2^64: w x 2^32 < 2^116 */
		score += ((dnc_u128)w[k] * xs[k] << 32) / ts[k];
	}
	assert(score <= (dnc_u128)DNC_PPM << 32);
	return (uint64_t)score;
}

static void quality_totals(const dnc_ledger *L, uint64_t window, dnc_quality_total *t)
{
	uint32_t i, n = dnc_ledger_count(L);
	memset(t, 0, sizeof *t);
	for (i = 0; i < n; i++) {
		dnc_quality q;
		if (dnc_ledger_account(L, i)->flags & DNC_ACCT_SYSTEM)
			continue;
		dnc_ledger_quality_score(L, i, window, &q);
		t->price += q.price;
		t->loss += q.loss;
		t->stability += q.stability;
	}
}

dnc_acct dnc_owner_cluster(const dnc_ledger *L, dnc_acct a)
{
	for (uint32_t d = 0; d < DNC_CLUSTER_DEPTH; d++) {
		dnc_acct up = dnc_ledger_funder(L, a);
		if (up == DNC_NONE || (dnc_ledger_account(L, up)->flags & (DNC_ACCT_HUB | DNC_ACCT_SYSTEM)))
			break;
		a = up;
	}
	return a;
}

/* A candidate's score for a kind of seat (R-CONS-3..5). */
static uint64_t seat_score(const dnc_params *p, const dnc_ledger *L, uint32_t kind, dnc_acct i,
			   uint64_t score_window, const dnc_quality_total *qt)
{
	if (kind == DNC_SEAT_STAKE)
		return (uint64_t)dnc_ledger_account(L, i)->votes_received; /* R-CONS-5 */
	if (kind == DNC_SEAT_VOLUME) {
		/* R-CONS-3/4: redeemed-credential scores */
		uint64_t vol, qual;
		dnc_ledger_traffic_score(L, i, score_window, &vol, &qual);
		return vol;
	}
	/* R-CONS-3: low price, low loss, stability */
	dnc_quality q;
	dnc_ledger_quality_score(L, i, score_window, &q);
	return dnc_quality_mix(p, &q, qt);
}

/* a candidate and its key, so the rank needs no ledger (reentrant) */
typedef struct scored_acct { uint64_t s; dnc_acct a; dnc_pubkey pk; } scored_acct;

static int by_rank(const void *x, const void *y)
{
	const scored_acct *u = x, *v = y;
	if (u->s != v->s)
		return u->s > v->s ? -1 : 1;
	return memcmp(u->pk.b, v->pk.b, DNC_PK_BYTES);
}

/*
 * The election under a cap on seats per owner cluster: every candidate
 * with a score, in rank order, kind by kind; one whose cluster is full
 * (or who is seated) is passed over. Exact for any number passed over
 * (no top-k bound), at the cost of a sort.
 */
static dnc_rc elect_capped(const dnc_params *p, const dnc_ledger *L, uint64_t score_window,
			   const uint32_t quota[DNC_SEAT_KINDS], const dnc_quality_total *qt,
			   dnc_delegate_set *ds)
{
	uint32_t n = dnc_ledger_count(L), cap = 0;
	scored_acct *v = NULL;
	dnc_acct root[DNC_MAX_DELEGATES];
	for (uint32_t kind = 0; kind < DNC_SEAT_KINDS; kind++) {
		uint32_t m = 0, taken = 0, base = ds->n;
		for (dnc_acct i = 0; i < n; i++) {
			if (dnc_ledger_account(L, i)->flags & DNC_ACCT_SYSTEM)
				continue;
			uint64_t sc = seat_score(p, L, kind, i, score_window, qt);
			if (!sc)
				continue;
			if (m == cap) { /* the scored candidates only: few of the accounts */
				scored_acct *nv = realloc(v, (size_t)(cap = cap ? 2 * cap : 256) * sizeof *v);
				if (!nv) {
					free(v);
					return DNC_ENOMEM;
				}
				v = nv;
			}
			v[m++] = (scored_acct){ sc, i, *dnc_ledger_pk(L, i) };
		}
		if (m > 1)
			qsort(v, m, sizeof *v, by_rank);
		for (uint32_t j = 0; j < m && taken < quota[kind]; j++) {
			if (seated(ds, v[j].a))
				continue;
			dnc_acct r = dnc_owner_cluster(L, v[j].a);
			uint32_t same = 0;
			for (uint32_t s = 0; s < ds->n; s++)
				same += root[s] == r;
			if (same >= p->seat_cluster_max)
				continue;
			root[base + taken] = r;
			ds->seat[base + taken].acct = v[j].a;
			ds->seat[base + taken].kind = kind;
			ds->seat[base + taken].score = v[j].s;
			taken++;
			ds->n = base + taken;
		}
		ds->n_kind[kind] = taken;
	}
	free(v);
	return DNC_OK;
}

dnc_rc dnc_elect(const dnc_params *p, const dnc_ledger *L, uint64_t epoch,
		 uint64_t score_window, dnc_delegate_set *ds)
{
	uint32_t quota[DNC_SEAT_KINDS], kind, i, n = dnc_ledger_count(L);
	dnc_quality_total qt;
	topk *t;

	if (p->delegates == 0 || p->delegates > DNC_MAX_DELEGATES)
		return DNC_EINVAL;
	t = malloc(sizeof *t);
	if (!t)
		return DNC_ENOMEM;
	memset(ds, 0, sizeof *ds);
	ds->epoch = epoch;
	dnc_seat_quota(p, quota);
	quality_totals(L, score_window, &qt);
	if (p->seat_cluster_max) {
		free(t);
		return elect_capped(p, L, score_window, quota, &qt, ds);
	}
	for (kind = 0; kind < DNC_SEAT_KINDS; kind++) {
		/* enough extra that removing already-seated ones leaves quota */
		t->k = quota[kind] + ds->n;
		t->n = 0;
		for (i = 0; i < n; i++) {
			if (dnc_ledger_account(L, i)->flags & DNC_ACCT_SYSTEM)
				continue;
			topk_offer(t, L, i, seat_score(p, L, kind, i, score_window, &qt));
		}
		{
			uint32_t taken = 0, base = ds->n;
			for (i = 0; i < t->n && taken < quota[kind]; i++) {
				if (seated(ds, t->a[i]))
					continue;
				ds->seat[base + taken].acct = t->a[i];
				ds->seat[base + taken].kind = kind;
				ds->seat[base + taken].score = t->s[i];
				taken++;
				ds->n = base + taken;
			}
			ds->n_kind[kind] = taken;
		}
	}
	free(t);
	return DNC_OK;
}

/* uniform draw in [0, bound) from a BLAKE2b counter stream */
typedef struct hstream { uint8_t key[32]; uint64_t ctr; uint64_t buf[4]; int left; } hstream;

static uint64_t hs_next(hstream *h)
{
	if (h->left == 0) {
		uint8_t in[8], out[32];
		int i, j;
		for (i = 0; i < 8; i++)
			in[i] = (uint8_t)(h->ctr >> (8 * i));
		h->ctr++;
		crypto_generichash(out, sizeof out, in, sizeof in, h->key, sizeof h->key);
		for (j = 0; j < 4; j++) {
			uint64_t v = 0;
			for (i = 7; i >= 0; i--)
				v = (v << 8) | out[8 * j + i];
			h->buf[j] = v;
		}
		h->left = 4;
	}
	return h->buf[--h->left];
}

static uint32_t hs_below(hstream *h, uint32_t bound)
{
	/* rejection: no modulo bias */
	uint64_t lim = UINT64_MAX - UINT64_MAX % bound, v;
	do
		v = hs_next(h);
	while (v >= lim);
	return (uint32_t)(v % bound);
}

dnc_rc dnc_schedule_make(const dnc_delegate_set *ds, const dnc_hash *seed,
			 uint64_t epoch, dnc_schedule *s)
{
	hstream h;
	uint8_t in[DNC_HASH_BYTES + 8 + 8];
	uint32_t i;
	if (ds->n == 0 || ds->n > DNC_MAX_DELEGATES)
		return DNC_EINVAL;
	memcpy(in, "DNCSCHED", 8);
	memcpy(in + 8, seed->b, DNC_HASH_BYTES);
	for (i = 0; i < 8; i++)
		in[8 + DNC_HASH_BYTES + i] = (uint8_t)(epoch >> (8 * i));
	memset(&h, 0, sizeof h);
	crypto_generichash(h.key, sizeof h.key, in, sizeof in, NULL, 0);
	s->epoch = epoch;
	s->n = ds->n;
	for (i = 0; i < ds->n; i++)
		s->order[i] = (uint16_t)i;
	/* R-CONS-6: Fisher-Yates keyed by chain data */
	for (i = ds->n - 1; i > 0; i--) {
		uint32_t j = hs_below(&h, i + 1);
		uint16_t tmp = s->order[i];
		s->order[i] = s->order[j];
		s->order[j] = tmp;
	}
	return DNC_OK;
}

uint32_t dnc_schedule_seat(const dnc_schedule *s, uint64_t slot_in_epoch)
{
	return s->n ? s->order[slot_in_epoch % s->n] : 0;
}

uint64_t dnc_slot_of(const dnc_params *p, dnc_time_s genesis_s, dnc_time_s t_s)
{
	if (t_s <= genesis_s || p->block_interval_s == 0)
		return 0;
	return (uint64_t)(t_s - genesis_s) / p->block_interval_s;
}

/* ---- fork choice ---- */

dnc_rc dnc_forktree_init(dnc_forktree *t, uint32_t cap, const dnc_hash *genesis)
{
	memset(t, 0, sizeof *t);
	if (cap == 0)
		return DNC_EINVAL;
	t->v = calloc(cap, sizeof *t->v);
	if (!t->v)
		return DNC_ENOMEM;
	t->cap = cap;
	t->v[0].id = *genesis;
	t->v[0].parent_idx = UINT32_MAX;
	t->n = 1;
	return DNC_OK;
}

void dnc_forktree_free(dnc_forktree *t)
{
	free(t->v);
	memset(t, 0, sizeof *t);
}

static uint32_t ft_find(const dnc_forktree *t, const dnc_hash *id)
{
	uint32_t i;
	/* newest first: blocks are usually looked up near the tips */
	for (i = t->n; i-- > 0;)
		if (memcmp(t->v[i].id.b, id->b, DNC_HASH_BYTES) == 0)
			return i;
	return UINT32_MAX;
}

dnc_rc dnc_forktree_add(dnc_forktree *t, const dnc_hash *id, const dnc_hash *parent,
			uint64_t traffic, dnc_time_s now_s, uint32_t *idx)
{
	uint32_t pi = ft_find(t, parent);
	dnc_fork_node *nd;
	if (pi == UINT32_MAX)
		return DNC_EPARENT;
	if (ft_find(t, id) != UINT32_MAX)
		return DNC_EEXISTS;
	if (t->n >= t->cap)
		return DNC_EFULL;
	nd = &t->v[t->n];
	memset(nd, 0, sizeof *nd);
	nd->id = *id;
	nd->parent = *parent;
	nd->parent_idx = pi;
	nd->height = t->v[pi].height + 1;
	nd->traffic = traffic;
	nd->cum_traffic = t->v[pi].cum_traffic + traffic;
	nd->last_used_s = now_s;
	t->v[pi].n_children++;
	if (idx)
		*idx = t->n;
	t->n++;
	return DNC_OK;
}

dnc_rc dnc_forktree_touch(dnc_forktree *t, const dnc_hash *id, dnc_time_s now_s)
{
	uint32_t i = ft_find(t, id);
	if (i == UINT32_MAX)
		return DNC_ENOTFOUND;
	if (t->v[i].last_used_s < now_s)
		t->v[i].last_used_s = now_s;
	return DNC_OK;
}

/* 1 if node a is preferred to node b (R-CHAIN-4) */
static int ft_better(const dnc_fork_node *a, const dnc_fork_node *b, int by_length)
{
	if (by_length && a->height != b->height)
		return a->height > b->height;           /* countermeasure: the longest first */
	if (a->cum_traffic != b->cum_traffic)
		return a->cum_traffic > b->cum_traffic; /* most confirmed traffic */
	if (a->height != b->height)
		return a->height > b->height;           /* then the longest */
	return memcmp(a->id.b, b->id.b, DNC_HASH_BYTES) < 0;
}

uint32_t dnc_forktree_best(const dnc_forktree *t)
{
	return dnc_forktree_best_by(t, 0);
}

uint32_t dnc_forktree_best_by(const dnc_forktree *t, int by_length)
{
	uint32_t i, best = 0;
	int have = 0;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].n_children || t->v[i].abandoned)
			continue;
		if (!have || ft_better(&t->v[i], &t->v[best], by_length)) {
			best = i;
			have = 1;
		}
	}
	return best;
}

uint32_t dnc_forktree_prune(dnc_forktree *t, dnc_time_s now_s, dnc_time_s idle_s)
{
	uint32_t i, best = dnc_forktree_best(t), count = 0;
	for (i = 0; i < t->n; i++) {
		dnc_fork_node *nd = &t->v[i];
		if (nd->n_children || nd->abandoned || i == best)
			continue;
		if (now_s - nd->last_used_s >= idle_s) {
			nd->abandoned = 1; /* R-CHAIN-4: nobody uses it */
			count++;
		}
	}
	return count;
}

/* ---- confirmations ---- */

void dnc_confirm_init(dnc_confirm *c, uint32_t needed)
{
	memset(c, 0, sizeof *c);
	c->needed = needed ? needed : 1;
}

void dnc_confirm_slot(dnc_confirm *c, int produced)
{
	if (produced) {
		c->run++;
		c->missed = 0;
		if (c->run >= c->needed)
			c->confirmed = 1;
	} else {
		c->run = 0; /* R-CHAIN-3: consecutive confirmed blocks */
		c->missed++;
	}
}

dnc_confirm_status dnc_confirm_get(const dnc_confirm *c)
{
	/* R-CHAIN-3: 3 missed = on a fork, 2 = probably */
	if (c->missed >= 3)
		return DNC_CONF_ON_FORK;
	if (c->missed >= 2)
		return DNC_CONF_PROBABLY_FORK;
	if (c->confirmed)
		return DNC_CONF_CONFIRMED;
	return DNC_CONF_INCLUDED;
}

/* ---- latency ---- */

void dnc_latency_init(dnc_latency *l, uint64_t bound_us)
{
	memset(l, 0, sizeof *l);
	l->bound_us = bound_us;
}

static uint32_t lat_bucket(uint64_t v)
{
	uint32_t e;
	if (v < 16)
		return (uint32_t)v;
	e = 63u - (uint32_t)__builtin_clzll(v);
	return 16u + (e - 4u) * 8u + (uint32_t)((v >> (e - 3u)) & 7u);
}

static uint64_t lat_lower(uint32_t b)
{
	uint32_t e, sub;
	if (b < 16)
		return b;
	e = (b - 16u) / 8u + 4u;
	sub = (b - 16u) % 8u;
	return (UINT64_C(1) << e) | ((uint64_t)sub << (e - 3u));
}

void dnc_latency_add(dnc_latency *l, uint64_t latency_us)
{
	l->count++;
	l->bucket[lat_bucket(latency_us)]++;
	if (latency_us > l->max_us)
		l->max_us = latency_us;
	if (latency_us > l->bound_us)
		l->over_bound++; /* R-CHAIN-5: a violation */
}

uint64_t dnc_latency_quantile(const dnc_latency *l, uint32_t q_ppm)
{
	uint64_t want, seen = 0;
	uint32_t b;
	if (l->count == 0)
		return 0;
	if (q_ppm >= DNC_PPM)
		return l->max_us;
	want = (uint64_t)(((dnc_u128)l->count * q_ppm + DNC_PPM - 1) / DNC_PPM);
	if (want == 0)
		want = 1;
	for (b = 0; b < DNC_LAT_BUCKETS; b++) {
		seen += l->bucket[b];
		if (seen >= want)
			return lat_lower(b);
	}
	return l->max_us;
}
