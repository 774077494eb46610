/*
 * ledger.c: the account store and every balance movement. See ledger.h.
 * Invariant kept by each function: sum(balance) + sum(lock) + unminted ==
 * supply, with locked_total[k] == sum over accounts of lock[k].
 *
 * Every write to a balance, a lock or the unminted reserve goes through
 * bal_add, lock_add or unminted_add, which log it for the incremental
 * check (dnc_ledger_check_block), and every function that moves money ends
 * its operation with op_close. Nothing else writes those fields.
 *
 * The log is append-only: a write costs one sequential 24-byte store and
 * no lookup; grouping by account waits for the check. (A per-write lookup
 * of a touched flag, a random access beside the balance's, made plain
 * transfers several times slower; docs/performance.md.)
 */
#include "ledger.h"
#include "ledger_test.h"
#include "merkle.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct dnc_ledger {
	uint32_t n, cap;
	uint32_t hmask;          /* hash table size - 1 (power of two) */
	uint32_t *htab;          /* idx + 1, 0 = empty */
	dn_amount *balance;
	uint64_t *nonce;
	dnc_pubkey *pk;
	dnc_account *acct;
	dn_amount supply, unminted;
	dn_amount locked_total[DNC_LOCK_N];
	/* the block's log: every money write since the last check_block */
	struct jleg *legs;
	uint32_t nlegs;
	int joverflow;           /* log full: the check scans every account */
	dn_amount unminted0;     /* at the block start */
	dn_amount locked0[DNC_LOCK_N];
	/* the check's scratch: the log grouped by account through a small
	 * hash table sized to the block (a few cache lines for a few hundred
	 * accounts, where per-account arrays cost a miss each) */
	uint32_t *jhash;         /* entry + 1, 0 = empty; 2 * JOURNAL_LEGS */
	struct jentry *jent;
	uint32_t jcap;
	dnc_conservation_report rep;
	dnc_check_stats stats;
};

/* One write: slot 0 is the balance, 1 + k lock k; a is DNC_NONE for the
 * unminted reserve. end marks the last write of a ledger operation. */
typedef struct jleg {
	dnc_acct a;
	uint8_t slot, end;
	dn_amount before;        /* the slot's value before the write */
	dn_amount d;
} jleg;

/*
 * A touched account at check time. Only the slots written in the block
 * are snapshot (bit 0 balance, bit 1 + k lock k), so an account that only
 * transfers never reads its record page.
 */
typedef struct jentry {
	dnc_acct a;
	uint32_t mask;
	dn_amount snap[1 + DNC_LOCK_N];
	dnc_i128 recorded;       /* net of the legs the ledger wrote */
	dnc_i128 unbalanced;     /* legs with no counter-leg in their operation */
} jentry;

/* Writes a block may log: a bound on memory (3 MB, touched as used); a
 * block writing more (a genesis) is checked by a full scan instead. */
#define JOURNAL_LEGS (UINT32_C(1) << 17)

#define FIXED_ONE_SHIFT 64   /* pool_acc fixed point */

static inline int valid(const dnc_ledger *L, dnc_acct a)
{
	return a < L->n;
}

/*
 * Keys are public keys, uniformly random already; a multiply folds two
 * words. (An attacker grinding keys to collide only slows its own lookups;
 * the table never overflows: it is twice the capacity.)
 */
static inline uint32_t pk_hash(const dnc_pubkey *pk)
{
	uint64_t a, b;
	memcpy(&a, pk->b, 8);
	memcpy(&b, pk->b + 8, 8);
	return (uint32_t)(((a ^ (b >> 7)) * UINT64_C(0x9E3779B97F4A7C15)) >> 32);
}

/* Key table slots: a power of two, at least twice the capacity. */
static uint64_t table_size(uint64_t cap)
{
	uint64_t hsize = 16;
	while (hsize < 2 * cap)
		hsize <<= 1;
	return hsize;
}

/* distinct accounts one log can name */
static uint64_t journal_cap(uint64_t cap)
{
	return cap < JOURNAL_LEGS ? cap : JOURNAL_LEGS;
}

void dnc_ledger_footprint(uint64_t cap, uint64_t *hot, uint64_t *records)
{
	*hot = table_size(cap) * sizeof(uint32_t) +
	       cap * (sizeof(dn_amount) + sizeof(uint64_t) + sizeof(dnc_pubkey)) +
	       JOURNAL_LEGS * (sizeof(jleg) + 2 * sizeof(uint32_t)) +
	       journal_cap(cap) * sizeof(jentry);
	*records = cap * sizeof(dnc_account);
}

dnc_rc dnc_ledger_create(uint32_t cap, dn_amount supply, dnc_ledger **out)
{
	dnc_ledger *L;
	uint32_t hsize;

	*out = NULL;
	if (cap == 0 || cap >= (UINT32_C(1) << 30) || supply <= 0)
		return DNC_EINVAL;
	hsize = (uint32_t)table_size(cap); /* cap < 2^30: fits */
	L = calloc(1, sizeof *L);
	if (!L)
		return DNC_ENOMEM;
	L->cap = cap;
	L->hmask = hsize - 1;
	L->htab = calloc(hsize, sizeof *L->htab);
	L->balance = calloc(cap, sizeof *L->balance);
	L->nonce = calloc(cap, sizeof *L->nonce);
	L->pk = malloc((size_t)cap * sizeof *L->pk);
	/* calloc: zeroed, and for large ledgers mapped lazily, page by page. */
	L->acct = calloc(cap, sizeof *L->acct);
	L->jcap = (uint32_t)journal_cap(cap);
	L->legs = calloc(JOURNAL_LEGS, sizeof *L->legs);
	L->jhash = calloc(2 * JOURNAL_LEGS, sizeof *L->jhash);
	L->jent = calloc(L->jcap, sizeof *L->jent);
	if (!L->htab || !L->balance || !L->nonce || !L->pk || !L->acct ||
	    !L->legs || !L->jhash || !L->jent) {
		dnc_ledger_destroy(L);
		return DNC_ENOMEM;
	}
	L->supply = supply;
	L->unminted = supply;
	L->unminted0 = supply;
	*out = L;
	return DNC_OK;
}

void dnc_ledger_destroy(dnc_ledger *L)
{
	if (!L)
		return;
	free(L->htab);
	free(L->balance);
	free(L->nonce);
	free(L->pk);
	free(L->acct);
	free(L->legs);
	free(L->jhash);
	free(L->jent);
	free(L);
}

dnc_acct dnc_ledger_find(const dnc_ledger *L, const dnc_pubkey *pk)
{
	uint32_t h = pk_hash(pk) & L->hmask;
	for (;;) {
		uint32_t v = L->htab[h];
		if (v == 0)
			return DNC_NONE;
		if (memcmp(L->pk[v - 1].b, pk->b, DNC_PK_BYTES) == 0)
			return v - 1;
		h = (h + 1) & L->hmask;
	}
}

dnc_rc dnc_ledger_add(dnc_ledger *L, const dnc_pubkey *pk, dnc_acct *idx)
{
	uint32_t h = pk_hash(pk) & L->hmask;
	for (;;) {
		uint32_t v = L->htab[h];
		if (v == 0)
			break;
		if (memcmp(L->pk[v - 1].b, pk->b, DNC_PK_BYTES) == 0) {
			if (idx)
				*idx = v - 1;
			return DNC_EEXISTS;
		}
		h = (h + 1) & L->hmask;
	}
	if (L->n >= L->cap)
		return DNC_EFULL;
	L->htab[h] = L->n + 1;
	L->pk[L->n] = *pk;
	/* L->acct[L->n] is still all zero: a fresh record (see ledger.h). */
	if (idx)
		*idx = L->n;
	L->n++;
	return DNC_OK;
}

uint32_t dnc_ledger_count(const dnc_ledger *L) { return L->n; }
const dn_amount *dnc_ledger_balances(const dnc_ledger *L) { return L->balance; }
uint32_t dnc_ledger_capacity(const dnc_ledger *L) { return L->cap; }
dn_amount dnc_ledger_supply(const dnc_ledger *L) { return L->supply; }
dn_amount dnc_ledger_unminted(const dnc_ledger *L) { return L->unminted; }

const dnc_pubkey *dnc_ledger_pk(const dnc_ledger *L, dnc_acct a)
{
	return valid(L, a) ? &L->pk[a] : NULL;
}

dn_amount dnc_ledger_balance(const dnc_ledger *L, dnc_acct a)
{
	return valid(L, a) ? L->balance[a] : 0;
}

uint64_t dnc_ledger_nonce(const dnc_ledger *L, dnc_acct a)
{
	return valid(L, a) ? L->nonce[a] : 0;
}

const dnc_account *dnc_ledger_account(const dnc_ledger *L, dnc_acct a)
{
	return valid(L, a) ? &L->acct[a] : NULL;
}

dn_amount dnc_ledger_holdings(const dnc_ledger *L, dnc_acct a)
{
	dn_amount s;
	int k;
	if (!valid(L, a))
		return 0;
	s = L->balance[a];
	for (k = 0; k < DNC_LOCK_N; k++)
		s += L->acct[a].lock[k]; /* bounded by supply: no overflow */
	return s;
}

dn_amount dnc_ledger_locked_total(const dnc_ledger *L, dnc_lock_kind k)
{
	return (unsigned)k < DNC_LOCK_N ? L->locked_total[k] : 0;
}

void dnc_ledger_set_flags(dnc_ledger *L, dnc_acct a, uint32_t flags)
{
	if (valid(L, a))
		L->acct[a].flags |= flags;
}

dnc_acct dnc_ledger_funder(const dnc_ledger *L, dnc_acct a)
{
	return valid(L, a) && L->acct[a].funder_slot ? L->acct[a].funder_slot - 1 : DNC_NONE;
}

void dnc_ledger_note_funder(dnc_ledger *L, dnc_acct from, dnc_acct to)
{
	if (!valid(L, from) || !valid(L, to) || from == to || L->acct[to].funder_slot ||
	    ((L->acct[from].flags | L->acct[to].flags) & DNC_ACCT_SYSTEM))
		return;
	/* no cycle: to must not be among from's funders */
	dnc_acct up = from;
	for (uint32_t d = 0; d < DNC_CLUSTER_DEPTH && up != DNC_NONE; d++) {
		if (up == to)
			return;
		up = dnc_ledger_funder(L, up);
	}
	L->acct[to].funder_slot = from + 1;
}

void dnc_ledger_bump_nonce(dnc_ledger *L, dnc_acct a)
{
	if (valid(L, a))
		L->nonce[a]++;
}

/* ---- the log: every money write goes through these ---- */

static inline void jlog(dnc_ledger *L, dnc_acct a, int slot, dn_amount before,
			dn_amount d)
{
	jleg *g;
	if (L->nlegs == JOURNAL_LEGS) {
		L->joverflow = 1;
		return;
	}
	g = &L->legs[L->nlegs++];
	g->a = a;
	g->slot = (uint8_t)slot;
	g->end = 0;
	g->before = before;
	g->d = d;
}

static inline void bal_add(dnc_ledger *L, dnc_acct a, dn_amount d)
{
	jlog(L, a, 0, L->balance[a], d);
	L->balance[a] += d;
}

static inline void lock_add(dnc_ledger *L, dnc_acct a, int k, dn_amount d)
{
	jlog(L, a, 1 + k, L->acct[a].lock[k], d);
	L->acct[a].lock[k] += d;
	L->locked_total[k] += d;
}

static inline void unminted_add(dnc_ledger *L, dn_amount d)
{
	jlog(L, DNC_NONE, 0, L->unminted, d);
	L->unminted += d;
}

/* End of one ledger operation: its legs must cancel (R-SUP-1: money only
 * moves); the check sums them. */
static inline void op_close(dnc_ledger *L)
{
	if (L->nlegs > 0)
		L->legs[L->nlegs - 1].end = 1;
}

/*
 * Every amount in the ledger is bounded by supply <= INT64_MAX, so once an
 * amount is checked against a balance, adding it elsewhere cannot overflow.
 */
dnc_rc dnc_ledger_mint(dnc_ledger *L, dnc_acct to, dn_amount amount)
{
	if (!valid(L, to) || amount < 0)
		return DNC_EINVAL;
	if (amount > L->unminted)
		return DNC_ESUPPLY; /* R-EMIT-4: never mint past the supply */
	unminted_add(L, -amount);
	bal_add(L, to, amount);
	op_close(L);
	return DNC_OK;
}

dnc_rc dnc_ledger_mint_team(dnc_ledger *L, dnc_acct a, dn_amount amount)
{
	if (!valid(L, a) || amount < 0)
		return DNC_EINVAL;
	if (amount > L->unminted)
		return DNC_ESUPPLY;
	unminted_add(L, -amount);
	lock_add(L, a, DNC_LOCK_TEAM, amount);
	L->acct[a].team_total += amount;
	op_close(L);
	return DNC_OK;
}

dnc_rc dnc_ledger_transfer(dnc_ledger *L, dnc_acct from, dnc_acct to,
			   dn_amount amount)
{
	if (from >= L->n || to >= L->n || amount < 0)
		return DNC_EINVAL;
	if (L->balance[from] < amount)
		return DNC_EINSUFFICIENT;
	bal_add(L, from, -amount);
	bal_add(L, to, amount);
	op_close(L);
	return DNC_OK;
}

dnc_rc dnc_ledger_lock(dnc_ledger *L, dnc_acct a, dnc_lock_kind k, dn_amount amount)
{
	if (!valid(L, a) || (unsigned)k >= DNC_LOCK_N || amount < 0)
		return DNC_EINVAL;
	if (L->balance[a] < amount)
		return DNC_EINSUFFICIENT;
	bal_add(L, a, -amount);
	lock_add(L, a, k, amount);
	op_close(L);
	return DNC_OK;
}

dnc_rc dnc_ledger_unlock_to(dnc_ledger *L, dnc_acct from, dnc_lock_kind k,
			    dnc_acct to, dn_amount amount)
{
	if (!valid(L, from) || !valid(L, to) || (unsigned)k >= DNC_LOCK_N ||
	    amount < 0)
		return DNC_EINVAL;
	if (L->acct[from].lock[k] < amount)
		return DNC_EINSUFFICIENT;
	lock_add(L, from, k, -amount);
	bal_add(L, to, amount);
	op_close(L);
	return DNC_OK;
}

dnc_rc dnc_ledger_team_release(dnc_ledger *L, dnc_acct a, dn_amount unlocked_total,
			       dn_amount *released)
{
	dnc_account *r;
	dn_amount rel;
	dnc_rc rc;
	*released = 0;
	if (!valid(L, a) || unlocked_total < 0)
		return DNC_EINVAL;
	r = &L->acct[a];
	if (unlocked_total > r->team_total)
		unlocked_total = r->team_total;
	rel = unlocked_total - r->team_released;
	if (rel <= 0)
		return DNC_OK;
	if (rel > r->lock[DNC_LOCK_TEAM])
		rel = r->lock[DNC_LOCK_TEAM];
	rc = dnc_ledger_unlock_to(L, a, DNC_LOCK_TEAM, a, rel);
	if (rc)
		return rc;
	r->team_released += rel;
	*released = rel;
	return DNC_OK;
}

dnc_rc dnc_ledger_gov_mark(dnc_ledger *L, dnc_acct a, uint32_t slot, uint32_t id)
{
	if (!valid(L, a) || slot >= DNC_GOV_SLOTS)
		return DNC_EINVAL;
	if (L->acct[a].gov_voted[slot] == id)
		return DNC_EEXISTS;
	L->acct[a].gov_voted[slot] = id;
	return DNC_OK;
}

/* ---- R-CONS-5 stake votes and R-FEE-1 delegate pools ---- */

/* (stake * delta) >> 64 without overflowing 128 bits */
static dnc_u128 fixed_mul(dn_amount stake, dnc_u128 delta)
{
	uint64_t hi = (uint64_t)(delta >> 64), lo = (uint64_t)delta;
	dnc_u128 s = (uint64_t)stake;
	return s * hi + ((s * lo) >> 64);
}

dn_amount dnc_ledger_pending(const dnc_ledger *L, dnc_acct voter)
{
	const dnc_account *v;
	dnc_u128 owed;
	dn_amount pool;
	if (!valid(L, voter))
		return 0;
	v = &L->acct[voter];
	if (v->vote_slot == 0 || v->lock[DNC_LOCK_STAKE] == 0)
		return 0;
	owed = fixed_mul(v->lock[DNC_LOCK_STAKE],
			 L->acct[dnc_account_voted_for(v)].pool_acc - v->voter_snap);
	pool = L->acct[dnc_account_voted_for(v)].lock[DNC_LOCK_POOL];
	/* floors make owed <= pool; the cap is a guard, not a path */
	return owed > (dnc_u128)pool ? pool : (dn_amount)owed;
}

dnc_rc dnc_ledger_settle(dnc_ledger *L, dnc_acct voter, dn_amount *paid)
{
	dn_amount owed;
	dnc_account *v;
	dnc_rc rc;
	if (paid)
		*paid = 0;
	if (!valid(L, voter))
		return DNC_EINVAL;
	v = &L->acct[voter];
	owed = dnc_ledger_pending(L, voter);
	if (v->vote_slot == 0)
		return DNC_OK;
	if (owed > 0) {
		rc = dnc_ledger_unlock_to(L, dnc_account_voted_for(v), DNC_LOCK_POOL, voter, owed);
		if (rc)
			return rc;
	}
	v->voter_snap = L->acct[dnc_account_voted_for(v)].pool_acc;
	if (paid)
		*paid = owed;
	return DNC_OK;
}

dnc_rc dnc_ledger_vote(dnc_ledger *L, dnc_acct voter, dnc_acct candidate,
		       dn_amount amount, uint64_t height)
{
	dnc_account *v;
	dn_amount old, avail;
	dnc_rc rc;

	if (!valid(L, voter) || amount < 0 ||
	    (amount > 0 && !valid(L, candidate)))
		return DNC_EINVAL;
	v = &L->acct[voter];
	old = v->lock[DNC_LOCK_STAKE];
	if (amount == 0)
		candidate = DNC_NONE;
	/* R-GOV-1: stake that voted on an open proposal cannot move */
	if (height < v->stake_frozen_until &&
	    (amount < old || (old > 0 && candidate != dnc_account_voted_for(v))))
		return DNC_ELOCKED;
	avail = L->balance[voter] + dnc_ledger_pending(L, voter);
	if (amount > old && amount - old > avail)
		return DNC_EINSUFFICIENT;
	/* checks done: nothing below can fail */
	rc = dnc_ledger_settle(L, voter, NULL);
	assert(rc == DNC_OK);
	if (v->vote_slot != 0)
		L->acct[dnc_account_voted_for(v)].votes_received -= old;
	if (amount > old) {
		rc = dnc_ledger_lock(L, voter, DNC_LOCK_STAKE, amount - old);
		assert(rc == DNC_OK);
	} else if (amount < old) {
		rc = dnc_ledger_unlock_to(L, voter, DNC_LOCK_STAKE, voter, old - amount);
		assert(rc == DNC_OK);
	}
	(void)rc;
	v->vote_slot = candidate == DNC_NONE ? 0 : candidate + 1;
	if (candidate != DNC_NONE) {
		L->acct[candidate].votes_received += amount;
		v->voter_snap = L->acct[candidate].pool_acc;
	} else {
		v->voter_snap = 0;
	}
	return DNC_OK;
}

void dnc_ledger_freeze_stake(dnc_ledger *L, dnc_acct voter, uint64_t until_height)
{
	if (valid(L, voter) && L->acct[voter].stake_frozen_until < until_height)
		L->acct[voter].stake_frozen_until = until_height;
}

dnc_rc dnc_ledger_pool_pay(dnc_ledger *L, dnc_acct from, dnc_acct delegate,
			   dn_amount amount, uint32_t delegate_ppm,
			   dn_amount *to_delegate)
{
	dnc_account *d;
	dn_amount cut, owners;
	dnc_u128 inc, acc;
	dnc_rc rc;

	if (!valid(L, delegate) || amount < 0 || delegate_ppm > DNC_PPM ||
	    (from != DNC_NONE && !valid(L, from)))
		return DNC_EINVAL;
	if (from == DNC_NONE ? amount > L->unminted : L->balance[from] < amount)
		return from == DNC_NONE ? DNC_ESUPPLY : DNC_EINSUFFICIENT;
	rc = dnc_ppm_of(amount, delegate_ppm, &cut); /* R-FEE-1: 10 % */
	if (rc)
		return rc;
	owners = amount - cut;                       /* R-FEE-1: 90 % */
	if (from == DNC_NONE)
		unminted_add(L, -amount);
	else
		bal_add(L, from, -amount);
	d = &L->acct[delegate];
	if (owners > 0 && d->votes_received > 0) {
		inc = ((dnc_u128)(uint64_t)owners << FIXED_ONE_SHIFT) /
		      (uint64_t)d->votes_received;
		if (!__builtin_add_overflow(d->pool_acc, inc, &acc)) {
			d->pool_acc = acc;
			lock_add(L, delegate, DNC_LOCK_POOL, owners);
			owners = 0;
		}
		/* else: the accumulator is exhausted (absurdly small stake
		 * over a very long run); the delegate keeps the owners' part */
	}
	bal_add(L, delegate, cut + owners);
	op_close(L);
	if (to_delegate)
		*to_delegate = cut + owners;
	return DNC_OK;
}

/* ---- R-CONS-3/4 traffic scores ---- */

#define QUALITY_SCALE UINT64_C(100000000) /* price in DNET per unit */

static void roll_window(dnc_account *a, uint64_t window)
{
	if (a->window == window)
		return;
	if (window == a->window + 1) {
		a->vol_prev = a->vol_cur;
		a->qual_prev = a->qual_cur;
		a->settled_prev = a->settled_cur;
		a->bought_prev = a->bought_cur;
		a->streak_prev = a->streak_cur;
	} else {
		a->vol_prev = 0;
		a->qual_prev = 0;
		a->settled_prev = 0;
		a->bought_prev = 0;
		a->streak_prev = 0;   /* window - 1 carried no traffic */
	}
	a->vol_cur = 0;
	a->qual_cur = 0;
	a->settled_cur = 0;
	a->bought_cur = 0;
	a->streak_cur = 0;
	a->window = window;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

void dnc_ledger_credit_traffic(dnc_ledger *L, dnc_acct a, uint64_t units,
			       dn_amount price_per_unit, uint64_t window)
{
	dnc_account *r;
	dnc_u128 q;
	if (!valid(L, a) || price_per_unit <= 0)
		return;
	r = &L->acct[a];
	if (window < r->window)
		return; /* late credit for a closed window: ignored */
	roll_window(r, window);
	if (r->vol_cur == 0 && units > 0) {
		/* R-CONS-3 stability: the first traffic of this window extends
		 * the run of windows with traffic that ended with the last one */
		r->streak_cur = r->streak_prev < DNC_QUAL_STREAK_CAP
			? r->streak_prev + 1 : DNC_QUAL_STREAK_CAP;
	}
	r->vol_cur += units;
	r->dtoken_units += units;
	/*
	 * R-CONS-3 price ingredient: units weighted by cheapness (units per
	 * DNET of price). Loss and stability are their own ingredients
	 * (dnc_ledger_credit_settled, the streak above); all of them come
	 * from consumer-signed, paid units: no unsigned claim raises a score.
	 */
	q = (dnc_u128)units * QUALITY_SCALE / (uint64_t)price_per_unit;
	r->qual_cur = q > UINT64_MAX - r->qual_cur ? UINT64_MAX : r->qual_cur + (uint64_t)q;
}

void dnc_ledger_credit_settled(dnc_ledger *L, dnc_acct a, uint64_t redeemed_units,
			       uint64_t bought_units, uint64_t window)
{
	dnc_account *r;
	if (!valid(L, a) || bought_units == 0 || redeemed_units > bought_units)
		return;
	r = &L->acct[a];
	if (window < r->window)
		return; /* late settlement for a closed window: ignored */
	roll_window(r, window);
	r->settled_cur = sat_add(r->settled_cur, redeemed_units);
	r->bought_cur = sat_add(r->bought_cur, bought_units);
}

void dnc_ledger_traffic_score(const dnc_ledger *L, dnc_acct a, uint64_t window,
			      uint64_t *volume, uint64_t *quality)
{
	const dnc_account *r;
	*volume = 0;
	*quality = 0;
	if (!valid(L, a))
		return;
	r = &L->acct[a];
	if (r->window == window) {
		*volume = r->vol_cur;
		*quality = r->qual_cur;
	} else if (r->window == window + 1) {
		*volume = r->vol_prev;
		*quality = r->qual_prev;
	}
}

void dnc_ledger_quality_score(const dnc_ledger *L, dnc_acct a, uint64_t window,
			      dnc_quality *q)
{
	const dnc_account *r;
	uint64_t vol, settled, bought, streak;
	dnc_u128 st;
	memset(q, 0, sizeof *q);
	if (!valid(L, a))
		return;
	r = &L->acct[a];
	if (r->window == window) {
		vol = r->vol_cur;
		q->price = r->qual_cur;
		settled = r->settled_cur;
		bought = r->bought_cur;
		streak = r->streak_cur;
	} else if (r->window == window + 1) {
		vol = r->vol_prev;
		q->price = r->qual_prev;
		settled = r->settled_prev;
		bought = r->bought_prev;
		streak = r->streak_prev;
	} else {
		return;
	}
	assert(settled <= bought && streak <= DNC_QUAL_STREAK_CAP);
	/* loss: settled units weighted by the delivered share settled / bought */
	q->loss = bought ? (uint64_t)((dnc_u128)settled * settled / bought) : 0;
	st = (dnc_u128)vol * streak;
	q->stability = st > UINT64_MAX ? UINT64_MAX : (uint64_t)st;
}

/* ---- conservation ---- */

dnc_rc dnc_ledger_check_conservation(const dnc_ledger *L)
{
	dnc_u128 sum = (uint64_t)L->unminted;
	dnc_u128 lk[DNC_LOCK_N] = {0};
	uint32_t i;
	int k;
	if (L->unminted < 0)
		return DNC_ECONSERVATION;
	for (i = 0; i < L->n; i++) {
		if (L->balance[i] < 0)
			return DNC_ECONSERVATION;
		sum += (uint64_t)L->balance[i];
		for (k = 0; k < DNC_LOCK_N; k++) {
			if (L->acct[i].lock[k] < 0)
				return DNC_ECONSERVATION;
			lk[k] += (uint64_t)L->acct[i].lock[k];
		}
	}
	for (k = 0; k < DNC_LOCK_N; k++) {
		if (lk[k] != (dnc_u128)L->locked_total[k])
			return DNC_ECONSERVATION;
		sum += lk[k];
	}
	return sum == (dnc_u128)L->supply ? DNC_OK : DNC_ECONSERVATION;
}

static dn_amount clamp64(dnc_i128 v)
{
	return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (dn_amount)v;
}

static dnc_i128 abs128(dnc_i128 v)
{
	return v < 0 ? -v : v;
}

/* Keep the report's entries ordered by |unexplained|, then account: the
 * accounts that explain a violation first. O(DNC_CONSERVATION_ACCTS). */
static void report_add(dnc_conservation_report *r, const dnc_conservation_acct *x)
{
	uint32_t i = r->n < DNC_CONSERVATION_ACCTS ? r->n : DNC_CONSERVATION_ACCTS - 1;
	dnc_i128 ux = abs128(x->unexplained);
	if (r->n == DNC_CONSERVATION_ACCTS) {
		dnc_i128 ul = abs128(r->acct[i].unexplained);
		if (ux < ul || (ux == ul && x->acct > r->acct[i].acct))
			return; /* not among the largest */
	} else {
		r->n++;
	}
	while (i > 0) {
		dnc_i128 up = abs128(r->acct[i - 1].unexplained);
		if (up > ux || (up == ux && r->acct[i - 1].acct < x->acct))
			break;
		r->acct[i] = r->acct[i - 1];
		i--;
	}
	r->acct[i] = *x;
}

/* Examine one touched account: its change from the slots written, and
 * the per-account rules on those slots. */
static void check_entry(const dnc_ledger *L, const jentry *e, dnc_i128 *change,
			dnc_i128 lk[DNC_LOCK_N], int *bad)
{
	const dnc_account *r = &L->acct[e->a];
	int k;
	*change = 0;
	*bad = 0;
	if (e->mask & 1u) {
		*change += (dnc_i128)L->balance[e->a] - e->snap[0];
		*bad |= L->balance[e->a] < 0;
	}
	for (k = 0; k < DNC_LOCK_N; k++) {
		dnc_i128 d;
		if (!(e->mask & (1u << (1 + k))))
			continue;
		d = (dnc_i128)r->lock[k] - e->snap[1 + k];
		*change += d;
		lk[k] += d;
		*bad |= r->lock[k] < 0;
	}
	/* R-LOCK-1: the team lock never holds more than is left of the total */
	if (e->mask & (1u << (1 + DNC_LOCK_TEAM)))
		*bad |= (dnc_i128)r->lock[DNC_LOCK_TEAM] + r->team_released > r->team_total;
}

/* Start the next block: forget the log. */
static void journal_reset(dnc_ledger *L)
{
	L->nlegs = 0;
	L->joverflow = 0;
	L->unminted0 = L->unminted;
	memcpy(L->locked0, L->locked_total, sizeof L->locked0);
}

/* The entry of account a, made at its first leg; hmask + 1 slots of
 * jhash in use, at least twice the legs, so a probe ends. */
static uint32_t entry_of(dnc_ledger *L, dnc_acct a, uint32_t hmask, uint32_t *nent)
{
	uint32_t h = (uint32_t)(((uint64_t)a * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & hmask;
	jentry *e;
	for (;;) {
		uint32_t v = L->jhash[h];
		if (v == 0)
			break;
		if (L->jent[v - 1].a == a)
			return v - 1;
		h = (h + 1) & hmask;
	}
	/* distinct accounts <= min(n, legs) <= jcap */
	assert(*nent < L->jcap);
	L->jhash[h] = *nent + 1;
	e = &L->jent[*nent];
	memset(e, 0, sizeof *e);
	e->a = a;
	return (*nent)++;
}

/*
 * Group the log by account, operation by operation: the value of each
 * slot before its first write, each account's net, and each operation's
 * sum. An operation whose legs do not cancel charges the rest to the last
 * account that gained (for a net loss, lost) in it; with no account leg,
 * to the reserve (*reserve). OUT: entries made.
 */
static uint32_t group_legs(dnc_ledger *L, dnc_i128 *reserve)
{
	dnc_i128 op_sum = 0;
	uint32_t i, nent = 0, credit = UINT32_MAX, debit = UINT32_MAX, hsize = 16;
	*reserve = 0;
	while (hsize < 2 * L->nlegs)
		hsize <<= 1;
	for (i = 0; i < L->nlegs; i++) {
		const jleg *g = &L->legs[i];
		op_sum += g->d;
		if (g->a != DNC_NONE) {
			uint32_t x = entry_of(L, g->a, hsize - 1, &nent);
			jentry *e = &L->jent[x];
			if (!(e->mask & (1u << g->slot))) {
				e->mask |= 1u << g->slot;
				e->snap[g->slot] = g->before;
			}
			e->recorded += g->d;
			if (g->d > 0)
				credit = x;
			else if (g->d < 0)
				debit = x;
		}
		if (!g->end && i + 1 < L->nlegs)
			continue;
		if (op_sum != 0) {
			uint32_t x = op_sum > 0 ? credit : debit;
			if (x == UINT32_MAX)
				x = op_sum > 0 ? debit : credit;
			if (x != UINT32_MAX)
				L->jent[x].unbalanced += op_sum;
			else
				*reserve += op_sum;
		}
		op_sum = 0;
		credit = debit = UINT32_MAX;
	}
	memset(L->jhash, 0, hsize * sizeof *L->jhash); /* O(legs) */
	return nent;
}

dnc_rc dnc_ledger_check_block(dnc_ledger *L, uint64_t height)
{
	dnc_conservation_report *rep = &L->rep;
	dnc_i128 imb, reserve, lk[DNC_LOCK_N] = {0};
	uint32_t i, nent;
	int k, fail = 0;

	memset(rep, 0, sizeof *rep);
	rep->height = height;
	L->stats.checks++;
	if (L->joverflow) {
		/* the log lost writes: only a full scan can tell */
		rep->full_scan = 1;
		rep->touched = L->n;
		rep->examined = L->n;
		L->stats.full_scans++;
		L->stats.examined += L->n;
		fail = dnc_ledger_check_conservation(L) != DNC_OK;
		journal_reset(L);
		return fail ? DNC_ECONSERVATION : DNC_OK;
	}
	nent = group_legs(L, &reserve);
	rep->touched = nent;
	if (nent > L->stats.max_touched)
		L->stats.max_touched = nent;
	imb = (dnc_i128)L->unminted - L->unminted0;
	for (i = 0; i < nent; i++) {
		const jentry *e = &L->jent[i];
		dnc_i128 change, unexpl;
		int bad;
		check_entry(L, e, &change, lk, &bad);
		imb += change;
		/* a write behind the log's back, or a leg without its
		 * counter-leg */
		unexpl = change - e->recorded + e->unbalanced;
		if (unexpl != 0 || bad) {
			dnc_conservation_acct x = {
				.acct = e->a, .change = clamp64(change),
				.unexplained = clamp64(unexpl), .balance = L->balance[e->a],
			};
			report_add(rep, &x);
			fail = 1;
		}
	}
	rep->examined = nent;
	L->stats.examined += nent;
	if (reserve != 0) {
		dnc_conservation_acct x = {
			.acct = DNC_NONE, .change = clamp64((dnc_i128)L->unminted - L->unminted0),
			.unexplained = clamp64(reserve), .balance = L->unminted,
		};
		report_add(rep, &x);
		fail = 1;
	}
	for (k = 0; k < DNC_LOCK_N; k++)
		if ((dnc_i128)L->locked_total[k] - L->locked0[k] != lk[k] ||
		    L->locked_total[k] < 0)
			fail = 1;
	/* R-SUP-1: the supply is what it was (the last check, or the
	 * creation, left it exact) */
	rep->imbalance = clamp64(imb);
	if (imb != 0 || L->unminted < 0)
		fail = 1;
	journal_reset(L);
	return fail ? DNC_ECONSERVATION : DNC_OK;
}

void dnc_ledger_conservation_report(const dnc_ledger *L, dnc_conservation_report *out)
{
	*out = L->rep;
}

void dnc_ledger_check_stats(const dnc_ledger *L, dnc_check_stats *out)
{
	*out = L->stats;
}

/* ---- test hooks (ledger_test.h) ---- */

void dnc_test_ledger_plant(dnc_ledger *L, dnc_acct a, dn_amount amount)
{
	if (!valid(L, a))
		return;
	bal_add(L, a, amount); /* no counter-leg */
	op_close(L);
}

void dnc_test_ledger_poke(dnc_ledger *L, dnc_acct a, dn_amount amount)
{
	if (valid(L, a))
		L->balance[a] += amount;
}

dnc_rc dnc_ledger_account_record(const dnc_ledger *L, dnc_acct a,
				 dnc_account_record *r)
{
	memset(r, 0, sizeof *r);
	if (!valid(L, a))
		return DNC_EINVAL;
	r->pk = L->pk[a];
	r->balance = L->balance[a];
	r->nonce = L->nonce[a];
	memcpy(r->lock, L->acct[a].lock, sizeof r->lock);
	return DNC_OK;
}

void dnc_account_record_leaf(const dnc_account_record *r, dnc_hash *h)
{
	uint8_t buf[DNC_PK_BYTES + 8 * (2 + DNC_LOCK_N)];
	size_t o = DNC_PK_BYTES;
	int k;
	memcpy(buf, r->pk.b, DNC_PK_BYTES);
	dnc_put_le64(buf + o, (uint64_t)r->balance);
	o += 8;
	dnc_put_le64(buf + o, r->nonce);
	o += 8;
	for (k = 0; k < DNC_LOCK_N; k++, o += 8)
		dnc_put_le64(buf + o, (uint64_t)r->lock[k]);
	dnc_merkle_leaf(buf, sizeof buf, h);
}

void dnc_ledger_account_leaf(const dnc_ledger *L, dnc_acct a, dnc_hash *h)
{
	dnc_account_record r;
	if (dnc_ledger_account_record(L, a, &r) != DNC_OK)
		memset(&r, 0, sizeof r); /* zero record for a bad index */
	dnc_account_record_leaf(&r, h);
}
