/*
 * fuzz_textfiles.c: libFuzzer harness for the other text formats a user
 * hands dnetsim: a market price path (CSV), a network calibration file
 * (any bytes must parse or fail with a "name:line" message) and the
 * sharers' access mix, net.access.mix (parse into shares summing to 1, or
 * fail with a reason and an empty mix).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dn_market.h"
#include "dn_net.h"
#include "world.h"

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
	char text[1100];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = 0;
	static world_cfg C;
	err[0] = 0;
	rc = w_access_mix_parse(text, 30, &C, err, sizeof err);
	if (rc != DN_OK && (C.mix_n != 0 || !err[0]))
		abort();
	return 0;
}
