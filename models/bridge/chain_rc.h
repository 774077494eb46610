/*
 * chain_rc.h: the protocol library's result codes seen from the engine.
 *
 * The protocol library (dnc_rc) and the engine (dn_rc) each have one
 * result enum and never see each other. A model that calls the library and
 * must stop the run maps the library's result here, once: the reason code
 * keeps its name in the error message the user reads, and the engine
 * result decides the exit status (out of memory is the machine's limit,
 * exit 1; a full table is a configured bound; anything else means the
 * model asked the protocol for something it refuses).
 *
 * Not for transactions the protocol rejects in the normal course of a
 * run (a forged credential, a replay): those are outcomes the models count
 * by reason code (the world's world_rejected_<CODE> summary values).
 */
#ifndef DN_CHAIN_RC_H
#define DN_CHAIN_RC_H

#include "dnc_base.h"
#include "engine.h"

/* The engine result for a protocol result: DN_OK, DN_ENOMEM, DN_ELIMIT
 * (DNC_EFULL: a bounded table of the library is full) or DN_EINVAL. */
dn_rc dn_chain_result(dnc_rc rc);

/*
 * A failed call into the protocol library stops the run: sets w's error to
 * "the protocol library refused <what> <where>: <CODE>" ("out of memory
 * <where>: <what> (DNC_ENOMEM)" for DNC_ENOMEM) and returns
 * dn_chain_result(rc). rc must not be DNC_OK.
 * where says what the model was doing ("while building the world", "in
 * the block step"), what which call failed.
 */
dn_rc dn_chain_fail(dn_world *w, const char *where, const char *what, dnc_rc rc);

#endif
