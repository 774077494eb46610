/*
 * fuzz_tx.c: libFuzzer harness for the protocol library's decoders: a
 * transaction, a traffic credential and a block header from any bytes.
 * What decodes must encode back to exactly the same bytes (the codecs are
 * canonical); nothing may crash or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dn_chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dnc_tx tx;
	if (dnc_tx_decode(data, size, &tx) == DNC_OK) {
		uint8_t out[DNC_TX_MAX_BYTES];
		size_t len = 0;
		if (dnc_tx_encode(&tx, out, sizeof out, &len) != DNC_OK || len != size || memcmp(out, data, size))
			abort();
	}
	dnc_credential c;
	dnc_block_header h;
	if (dnc_credential_decode(data, size, &c) == DNC_OK) {
		uint8_t out[DNC_CRED_BYTES];
		dnc_credential_encode(&c, out);
		if (size != DNC_CRED_BYTES || memcmp(out, data, size))
			abort();
	}
	dnc_rc rc = dnc_header_decode(data, size, &h);
	return rc == DNC_OK ? 0 : 0; /* only crashes and aborts matter here */
}
