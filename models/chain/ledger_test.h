/*
 * ledger_test.h: fault-injection hooks into the ledger, for tests only
 * (dn_chain.h does not include this file). They break conservation on
 * purpose so that the checks can be shown to catch it.
 */
#ifndef DNC_LEDGER_TEST_H
#define DNC_LEDGER_TEST_H

#include "ledger.h"

/*
 * Credit amount (may be negative) to a's balance as a ledger operation
 * with no counter-leg: the accounting bug dnc_ledger_check_block exists
 * to catch. A bad index does nothing.
 */
void dnc_test_ledger_plant(dnc_ledger *L, dnc_acct a, dn_amount amount);

/*
 * Add amount to a's balance behind the journal's back, as a write from
 * outside the ledger's functions would. A bad index does nothing.
 */
void dnc_test_ledger_poke(dnc_ledger *L, dnc_acct a, dn_amount amount);

#endif
