/* dn_base.c: names of result codes. */
#include "dn_base.h"

const char *dn_rc_str(dn_rc rc)
{
	switch (rc) {
	case DN_OK: return "ok";
	case DN_ENOMEM: return "out of memory";
	case DN_EINVAL: return "invalid argument";
	case DN_EPARSE: return "syntax error";
	case DN_EUNKNOWN: return "unknown name";
	case DN_ETYPE: return "wrong type";
	case DN_ERANGE: return "out of range";
	case DN_EIO: return "input/output error";
	case DN_EHDF5: return "HDF5 error";
	case DN_ECAUSALITY: return "causality violation";
	case DN_ELIMIT: return "limit exceeded";
	case DN_EINTERRUPTED: return "interrupted";
	}
	return "unknown error";
}
