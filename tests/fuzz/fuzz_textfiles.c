/*
 * fuzz_textfiles.c: libFuzzer harness for the two other text formats a
 * user hands dnetsim: a market price path (CSV) and a network calibration
 * file. Any bytes must parse or fail with a "name:line" message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dn_market.h"
#include "dn_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	dn_market_path *p = NULL;
	dn_rc rc = dn_market_path_parse("fuzz.csv", (const char *)data, size, 1u << 16, &p, err, sizeof err);
	if (rc == DN_OK)
		dn_market_path_free(p);
	else if (rc == DN_EPARSE && !strstr(err, "fuzz.csv:"))
		abort();
	dn_net_calib cal;
	rc = dn_net_calib_parse("fuzz.txt", (const char *)data, size, &cal, err, sizeof err);
	if (rc == DN_EPARSE && !strstr(err, "fuzz.txt:"))
		abort();
	return 0;
}
