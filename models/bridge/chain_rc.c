/*
 * chain_rc.c: the one mapper from protocol results to engine results
 * (chain_rc.h).
 */
#include "chain_rc.h"

#include <assert.h>

dn_rc dn_chain_result(dnc_rc rc)
{
	switch (rc) {
	case DNC_OK:
		return DN_OK;
	case DNC_ENOMEM:
		return DN_ENOMEM;
	case DNC_EFULL:
		return DN_ELIMIT;
	default:
		return DN_EINVAL;
	}
}

dn_rc dn_chain_fail(dn_world *w, const char *where, const char *what, dnc_rc rc)
{
	assert(rc != DNC_OK);
	if (rc == DNC_ENOMEM) /* the machine's limit, not the scenario's fault */
		dn_world_set_error(w, "out of memory %s: %s (%s)", where, what, dnc_rc_name(rc));
	else
		dn_world_set_error(w, "the protocol library refused %s %s: %s", what, where, dnc_rc_name(rc));
	return dn_chain_result(rc);
}
