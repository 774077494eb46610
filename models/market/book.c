/*
 * book.c: the limit order book (DN_MARKET_BOOK), price-time priority.
 *
 * Resting orders live in a table of order_capacity slots allocated at
 * creation, with a stack of free slots; each side is a binary min-heap of
 * (key, seq, slot) with key = -price for bids and price for asks, so the
 * top of each heap is the best price and, among equal prices, the oldest
 * post. Nothing is allocated after creation.
 *
 * Exactness: a resting buy at price p for x DNET locks Q(x) = ceil(x * p /
 * 10^8) micro-USD. A fill that takes its filled amount from a to b moves
 * Q(b) - Q(a), so the fills of an order add up to Q(x) exactly however it
 * is cut, and nothing is left in escrow when it completes. Sells use the
 * same rule for the USD they receive. Only takers pay fees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market_int.h"

#define SLOT_BITS 32
#define SLOT_MASK UINT64_C(0xffffffff)

static bool ent_less(const mkt_heap_ent *a, const mkt_heap_ent *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static void heap_set(dn_market *m, mkt_side *s, uint32_t i, mkt_heap_ent e)
{
	assert(i < s->n && e.slot < m->cfg.order_capacity);
	s->h[i] = e;
	m->ord[e.slot].heap_pos = i;
}

static void sift_up(dn_market *m, mkt_side *s, uint32_t i)
{
	mkt_heap_ent e = s->h[i];
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!ent_less(&e, &s->h[parent]))
			break;
		heap_set(m, s, i, s->h[parent]);
		i = parent;
	}
	heap_set(m, s, i, e);
}

static void sift_down(dn_market *m, mkt_side *s, uint32_t i)
{
	mkt_heap_ent e = s->h[i];
	for (;;) {
		uint64_t c = 2 * (uint64_t)i + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && ent_less(&s->h[c + 1], &s->h[c]))
			c++;
		if (!ent_less(&s->h[c], &e))
			break;
		heap_set(m, s, i, s->h[c]);
		i = (uint32_t)c;
	}
	heap_set(m, s, i, e);
}

static void heap_remove(dn_market *m, mkt_side *s, uint32_t i)
{
	assert(i < s->n);
	s->n--;
	if (i == s->n)
		return;
	heap_set(m, s, i, s->h[s->n]);
	if (i > 0 && ent_less(&s->h[i], &s->h[(i - 1) / 2]))
		sift_up(m, s, i);
	else
		sift_down(m, s, i);
}

dn_rc mkt_book_init(dn_market *m)
{
	uint32_t cap = m->cfg.order_capacity;
	m->ord = calloc(cap, sizeof *m->ord);
	m->free_slot = malloc((size_t)cap * sizeof *m->free_slot);
	m->bids.h = malloc((size_t)cap * sizeof *m->bids.h);
	m->asks.h = malloc((size_t)cap * sizeof *m->asks.h);
	if (!m->ord || !m->free_slot || !m->bids.h || !m->asks.h) {
		mkt_book_fini(m);
		return DN_ENOMEM;
	}
	/* pop order: slot 0 first */
	for (uint32_t i = 0; i < cap; i++)
		m->free_slot[i] = cap - 1 - i;
	m->n_free = cap;
	return DN_OK;
}

void mkt_book_fini(dn_market *m)
{
	free(m->ord);
	free(m->free_slot);
	free(m->bids.h);
	free(m->asks.h);
	m->ord = NULL;
	m->free_slot = NULL;
	m->bids.h = m->asks.h = NULL;
}

static dn_market_order_id order_id(const dn_market *m, uint32_t slot)
{
	return (uint64_t)m->ord[slot].gen << SLOT_BITS | slot;
}

/* The slot of a live order with this id, or UINT32_MAX. */
static uint32_t find_slot(const dn_market *m, dn_market_order_id id)
{
	uint64_t slot = id & SLOT_MASK;
	if (m->cfg.kind != DN_MARKET_BOOK || slot >= m->cfg.order_capacity)
		return UINT32_MAX;
	const mkt_order *o = &m->ord[slot];
	if (!o->live || o->gen != (uint32_t)(id >> SLOT_BITS))
		return UINT32_MAX;
	return (uint32_t)slot;
}

/* Every slot is free or rests on one side: the book's sizes add up. */
static bool sizes_ok(const dn_market *m)
{
	return (uint64_t)m->bids.n + m->asks.n + m->n_free == m->cfg.order_capacity;
}

static void release(dn_market *m, uint32_t slot)
{
	mkt_order *o = &m->ord[slot];
	assert(o->live && m->ord[slot].heap_pos < (o->buy ? m->bids.n : m->asks.n));
	heap_remove(m, o->buy ? &m->bids : &m->asks, o->heap_pos);
	o->live = false;
	assert(m->n_free < m->cfg.order_capacity);
	m->free_slot[m->n_free++] = slot;
	assert(sizes_ok(m));
}

dn_usd_micro mkt_book_best(const dn_market *m, bool bid)
{
	const mkt_side *s = bid ? &m->bids : &m->asks;
	if (s->n == 0)
		return 0;
	return m->ord[s->h[0].slot].price_usd_micro_per_dnet;
}

dn_usd_micro mkt_book_price(const dn_market *m)
{
	dn_usd_micro b = mkt_book_best(m, true), a = mkt_book_best(m, false);
	assert(!b || !a || b < a); /* never crossed: posts are post-only */
	if (b && a)
		return b + (a - b) / 2;
	if (b)
		return b;
	if (a)
		return a;
	return m->last_trade_usd_micro_per_dnet ? m->last_trade_usd_micro_per_dnet : m->cfg.initial_price_usd_micro_per_dnet;
}

dn_rc dn_market_post(dn_market *m, dn_market_owner owner, bool buy,
                     dn_usd_micro price_usd_micro_per_dnet, dn_amount amount_base,
                     dn_market_order_id *id, dn_usd_micro *lock_usd_micro, dn_amount *lock_base)
{
	dn_usd_micro p = price_usd_micro_per_dnet;
	*id = 0;
	*lock_usd_micro = 0;
	*lock_base = 0;
	if (m->cfg.kind != DN_MARKET_BOOK || p < 1 || p > DN_MARKET_PRICE_MAX ||
	    amount_base < m->cfg.min_order_base)
		return DN_EINVAL;
	dn_usd_micro opp = mkt_book_best(m, !buy);
	if (opp && (buy ? p >= opp : p <= opp))
		return DN_ERANGE; /* would cross: post-only */
	dn_usd_micro lock_usd = 0;
	int64_t t;
	if (buy) {
		dn_rc rc = mkt_value(amount_base, p, &lock_usd);
		if (rc)
			return rc;
		if (__builtin_add_overflow(m->escrow_usd_micro, lock_usd, &t))
			return DN_ERANGE;
	} else if (__builtin_add_overflow(m->escrow_base, amount_base, &t)) {
		return DN_ERANGE;
	}
	if (m->n_free == 0)
		return DN_ELIMIT;
	uint32_t slot = m->free_slot[--m->n_free];
	assert(slot < m->cfg.order_capacity);
	mkt_order *o = &m->ord[slot];
	assert(!o->live);
	o->gen = o->gen == UINT32_MAX ? 1 : o->gen + 1;
	o->owner = owner;
	o->seq = m->next_seq++;
	o->price_usd_micro_per_dnet = p;
	o->orig_base = amount_base;
	o->filled_base = 0;
	o->live = true;
	o->buy = buy;
	mkt_side *s = buy ? &m->bids : &m->asks;
	mkt_heap_ent e = {buy ? -p : p, o->seq, slot};
	assert(s->n < m->cfg.order_capacity); /* the slot just taken was free */
	s->h[s->n++] = e;
	o->heap_pos = s->n - 1;
	sift_up(m, s, s->n - 1);
	if (buy) {
		m->escrow_usd_micro += lock_usd;
		*lock_usd_micro = lock_usd;
	} else {
		m->escrow_base += amount_base;
		*lock_base = amount_base;
	}
	*id = order_id(m, slot);
	/* post-only: the book stays uncrossed */
	assert(sizes_ok(m) && m->escrow_usd_micro >= 0 && m->escrow_base >= 0);
	assert(!mkt_book_best(m, true) || !mkt_book_best(m, false) ||
	       mkt_book_best(m, true) < mkt_book_best(m, false));
	return DN_OK;
}

/* Q(filled) for an order: what has moved so far (fits: below Q(orig)). */
static dn_usd_micro paid_so_far(const mkt_order *o)
{
	dn_usd_micro v = 0;
	dn_rc rc = mkt_value(o->filled_base, o->price_usd_micro_per_dnet, &v);
	assert(rc == DN_OK);
	(void)rc;
	return v;
}

dn_rc dn_market_cancel(dn_market *m, dn_market_owner owner, dn_market_order_id id,
                       dn_usd_micro *refund_usd_micro, dn_amount *refund_base)
{
	*refund_usd_micro = 0;
	*refund_base = 0;
	if (m->cfg.kind != DN_MARKET_BOOK)
		return DN_EINVAL;
	uint32_t slot = find_slot(m, id);
	if (slot == UINT32_MAX)
		return DN_EUNKNOWN;
	mkt_order *o = &m->ord[slot];
	if (o->owner != owner)
		return DN_EINVAL;
	if (o->buy) {
		dn_usd_micro all = 0;
		dn_rc rc = mkt_value(o->orig_base, o->price_usd_micro_per_dnet, &all);
		assert(rc == DN_OK);
		(void)rc;
		*refund_usd_micro = all - paid_so_far(o);
		m->escrow_usd_micro -= *refund_usd_micro;
	} else {
		*refund_base = o->orig_base - o->filled_base;
		m->escrow_base -= *refund_base;
	}
	release(m, slot);
	return DN_OK;
}

dn_rc dn_market_order_remaining(const dn_market *m, dn_market_order_id id, dn_amount *remaining_base)
{
	*remaining_base = 0;
	uint32_t slot = find_slot(m, id);
	if (slot == UINT32_MAX)
		return DN_EUNKNOWN;
	*remaining_base = m->ord[slot].orig_base - m->ord[slot].filled_base;
	return DN_OK;
}

/*
 * Applies a fill of fb base units of the order in `slot` to a taker:
 * moves the escrow, the fee account and the statistics, releases the
 * order when complete and calls back. OUT *q: the USD moved (fee excluded),
 * *fee. Nothing changes on DN_ERANGE.
 */
static dn_rc fill_one(dn_market *m, uint32_t slot, dn_market_owner taker, dn_amount fb,
                      dn_usd_micro *q, dn_usd_micro *fee)
{
	mkt_order *o = &m->ord[slot];
	/* a fill takes some of what is left of a resting order, never more */
	assert(o->live && fb > 0 && fb <= o->orig_base - o->filled_base);
	dn_usd_micro before = paid_so_far(o), after;
	dn_rc rc = mkt_value(o->filled_base + fb, o->price_usd_micro_per_dnet, &after);
	assert(rc == DN_OK && after >= before);
	*q = after - before;
	*fee = mkt_fee(*q, m->cfg.fee_ppm);
	dn_market_fill f = {
		.order_id = order_id(m, slot), .maker = o->owner, .taker = taker, .taker_buys = !o->buy,
		.base = fb, .usd_micro = *q, .fee_usd_micro = *fee,
		.price_usd_micro_per_dnet = o->price_usd_micro_per_dnet,
		.maker_done = o->filled_base + fb == o->orig_base,
	};
	int64_t t;
	rc = mkt_fill_fits(m, &f);
	if (rc)
		return rc;
	if (__builtin_add_overflow(m->fees_usd_micro, *fee, &t))
		return DN_ERANGE;
	o->filled_base += fb;
	if (o->buy)
		m->escrow_usd_micro -= *q;
	else
		m->escrow_base -= fb;
	m->fees_usd_micro += *fee;
	assert(m->escrow_usd_micro >= 0 && m->escrow_base >= 0);
	if (f.maker_done)
		release(m, slot);
	mkt_record_fill(m, &f);
	return DN_OK;
}

dn_rc mkt_book_buy(dn_market *m, dn_market_owner taker, dn_usd_micro budget_usd_micro, dn_usd_micro limit_usd_micro_per_dnet,
                   dn_market_result *res)
{
	int64_t rem_usd_micro = budget_usd_micro;
	/* each round completes a maker or is limited by the budget_usd_micro, which
	 * ends the walk within a round or two */
	uint64_t max_rounds = (uint64_t)m->asks.n + 4;
	for (uint64_t round = 0; round < max_rounds && m->asks.n > 0; round++) {
		uint32_t slot = m->asks.h[0].slot;
		const mkt_order *o = &m->ord[slot];
		if (limit_usd_micro_per_dnet > 0 && o->price_usd_micro_per_dnet > limit_usd_micro_per_dnet)
			break;
		dn_amount avail = o->orig_base - o->filled_base;
		int64_t qmax = mkt_net_of_fee(rem_usd_micro, m->cfg.fee_ppm);
		dnc_u128 reach = ((dnc_u128)(uint64_t)paid_so_far(o) + (uint64_t)qmax) * MKT_BASE_PER_DNET /
		                 (uint64_t)o->price_usd_micro_per_dnet; /* most filled_base the budget_usd_micro reaches */
		if (reach <= (dnc_u128)(uint64_t)o->filled_base)
			break;
		dnc_u128 fb = reach - (uint64_t)o->filled_base;
		if (fb > (dnc_u128)(uint64_t)avail)
			fb = (uint64_t)avail;
		dn_usd_micro q, fee;
		dn_rc rc = fill_one(m, slot, taker, (dn_amount)fb, &q, &fee);
		if (rc)
			return rc;
		assert(q + fee <= rem_usd_micro);
		rem_usd_micro -= q + fee;
		res->base += (dn_amount)fb;
		res->usd_micro += q + fee;
		res->fee_usd_micro += fee;
		res->fills++;
	}
	return DN_OK;
}

dn_rc mkt_book_sell(dn_market *m, dn_market_owner taker, dn_amount amount_base, dn_usd_micro limit_usd_micro_per_dnet,
                    dn_market_result *res)
{
	dn_amount rem_base = amount_base;
	uint64_t max_rounds = (uint64_t)m->bids.n + 1;
	for (uint64_t round = 0; round < max_rounds && m->bids.n > 0 && rem_base > 0; round++) {
		uint32_t slot = m->bids.h[0].slot;
		const mkt_order *o = &m->ord[slot];
		if (limit_usd_micro_per_dnet > 0 && o->price_usd_micro_per_dnet < limit_usd_micro_per_dnet)
			break;
		dn_amount avail = o->orig_base - o->filled_base;
		dn_amount fb = rem_base < avail ? rem_base : avail;
		dn_usd_micro q, fee;
		dn_rc rc = fill_one(m, slot, taker, fb, &q, &fee);
		if (rc)
			return rc;
		rem_base -= fb;
		res->base += fb;
		res->usd_micro += q - fee;
		res->fee_usd_micro += fee;
		res->fills++;
	}
	return DN_OK;
}

dn_rc mkt_book_depth(const dn_market *m, uint32_t band_ppm, dn_usd_micro *buy_usd_micro,
                     dn_amount *sell_base)
{
	dnc_u128 ref = (uint64_t)mkt_book_price(m);
	dnc_u128 up = ref * (MKT_PPM + band_ppm) / MKT_PPM;
	dnc_u128 down = ref * (MKT_PPM - band_ppm) / MKT_PPM;
	dnc_u128 usd = 0, base = 0;
	for (uint32_t i = 0; i < m->asks.n; i++) {
		const mkt_order *o = &m->ord[m->asks.h[i].slot];
		if ((dnc_u128)(uint64_t)o->price_usd_micro_per_dnet > up)
			continue;
		dn_usd_micro all = 0;
		dn_rc rc = mkt_value(o->orig_base, o->price_usd_micro_per_dnet, &all);
		assert(rc == DN_OK);
		(void)rc;
		dn_usd_micro q = all - paid_so_far(o);
		assert(q >= 0);
		usd += (uint64_t)(q + mkt_fee(q, m->cfg.fee_ppm));
	}
	for (uint32_t i = 0; i < m->bids.n; i++) {
		const mkt_order *o = &m->ord[m->bids.h[i].slot];
		if ((dnc_u128)(uint64_t)o->price_usd_micro_per_dnet >= down)
			base += (uint64_t)(o->orig_base - o->filled_base);
	}
	if (usd > (dnc_u128)INT64_MAX || base > (dnc_u128)INT64_MAX)
		return DN_ERANGE;
	*buy_usd_micro = (dn_usd_micro)usd;
	*sell_base = (dn_amount)base;
	return DN_OK;
}

static dn_rc check_side(const dn_market *m, const mkt_side *s, bool buy, dnc_u128 *escrow,
                        char *err, size_t errlen)
{
	for (uint32_t i = 0; i < s->n; i++) {
		const mkt_heap_ent *e = &s->h[i];
		if (e->slot >= m->cfg.order_capacity) {
			snprintf(err, errlen, "heap entry %u: slot %u out of range", i, e->slot);
			return DN_EINVAL;
		}
		const mkt_order *o = &m->ord[e->slot];
		if (!o->live || o->buy != buy || o->heap_pos != i || o->seq != e->seq ||
		    e->key != (buy ? -o->price_usd_micro_per_dnet : o->price_usd_micro_per_dnet)) {
			snprintf(err, errlen, "%s heap entry %u does not match slot %u", buy ? "bid" : "ask", i,
			         e->slot);
			return DN_EINVAL;
		}
		if (i > 0 && ent_less(e, &s->h[(i - 1) / 2])) {
			snprintf(err, errlen, "%s heap order broken at %u", buy ? "bid" : "ask", i);
			return DN_EINVAL;
		}
		if (o->filled_base < 0 || o->filled_base >= o->orig_base) {
			snprintf(err, errlen, "slot %u: filled %lld of %lld", e->slot,
			         (long long)o->filled_base, (long long)o->orig_base);
			return DN_EINVAL;
		}
		if (buy) {
			dn_usd_micro all = 0;
			dn_rc rc = mkt_value(o->orig_base, o->price_usd_micro_per_dnet, &all);
			assert(rc == DN_OK);
			(void)rc;
			*escrow += (uint64_t)(all - paid_so_far(o));
		} else {
			*escrow += (uint64_t)(o->orig_base - o->filled_base);
		}
	}
	return DN_OK;
}

dn_rc mkt_book_check(const dn_market *m, char *err, size_t errlen)
{
	uint32_t live = 0;
	for (uint32_t i = 0; i < m->cfg.order_capacity; i++)
		live += m->ord[i].live;
	if (live != m->bids.n + m->asks.n || live + m->n_free != m->cfg.order_capacity) {
		snprintf(err, errlen, "slots: %u live, %u bids, %u asks, %u free, capacity %u", live,
		         m->bids.n, m->asks.n, m->n_free, m->cfg.order_capacity);
		return DN_EINVAL;
	}
	for (uint32_t i = 0; i < m->n_free; i++) {
		if (m->free_slot[i] >= m->cfg.order_capacity || m->ord[m->free_slot[i]].live) {
			snprintf(err, errlen, "free list entry %u names a live or bad slot", i);
			return DN_EINVAL;
		}
	}
	dnc_u128 eu = 0, eb = 0;
	dn_rc rc = check_side(m, &m->bids, true, &eu, err, errlen);
	if (rc)
		return rc;
	rc = check_side(m, &m->asks, false, &eb, err, errlen);
	if (rc)
		return rc;
	if (eu != (dnc_u128)(uint64_t)m->escrow_usd_micro || eb != (dnc_u128)(uint64_t)m->escrow_base) {
		snprintf(err, errlen, "escrow: usd %lld base %lld, orders hold usd %llu base %llu",
		         (long long)m->escrow_usd_micro, (long long)m->escrow_base, (unsigned long long)eu,
		         (unsigned long long)eb);
		return DN_EINVAL;
	}
	dn_usd_micro b = mkt_book_best(m, true), a = mkt_book_best(m, false);
	if (b && a && b >= a) {
		snprintf(err, errlen, "crossed book: bid %lld >= ask %lld", (long long)b, (long long)a);
		return DN_EINVAL;
	}
	return DN_OK;
}
