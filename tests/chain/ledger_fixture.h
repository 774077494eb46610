/*
 * ledger_fixture.h: what the consensus tests share: a splitmix64 step and a
 * ledger of n accounts with keys drawn from it, each minted `each`.
 */
#ifndef DN_LEDGER_FIXTURE_H
#define DN_LEDGER_FIXTURE_H

#include <string.h>

#include "dn_chain.h"

/* splitmix64 (Steele, Lea and Flood, OOPSLA 2014). */
static inline uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* n accounts, account i keyed from the stream seeded key0 + i, each with
 * `each` base units, on a 7.5e9 DNET supply. */
static inline dnc_ledger *mk_ledger_keyed(uint32_t n, dn_amount each, uint64_t key0)
{
	dnc_ledger *L;
	dnc_pubkey pk;
	dnc_acct a;
	assert_int_equal(dnc_ledger_create(n, INT64_C(7500000000) * DNC_UNITS_PER_DNET, &L), DNC_OK);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = key0 + i;
		for (uint32_t k = 0; k < 4; k++) {
			uint64_t v = sm_next(&s);
			memcpy(pk.b + 8 * k, &v, 8);
		}
		assert_int_equal(dnc_ledger_add(L, &pk, &a), DNC_OK);
		assert_int_equal(dnc_ledger_mint(L, a, each), DNC_OK);
	}
	return L;
}

#endif
