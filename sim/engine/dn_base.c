/* dn_base.c: names of result codes; opening input files safely. */
#include "dn_base.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

const char *dn_file_kind(mode_t m)
{
	if (S_ISREG(m)) return "a regular file";
	if (S_ISDIR(m)) return "a folder";
	if (S_ISFIFO(m)) return "a FIFO";
	if (S_ISSOCK(m)) return "a socket";
	if (S_ISCHR(m)) return "a character device";
	if (S_ISBLK(m)) return "a block device";
	if (S_ISLNK(m)) return "a symbolic link";
	return "not a regular file";
}

FILE *dn_fopen_input(const char *path, uint64_t max_bytes, char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "is %s, not a regular file", dn_file_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > max_bytes) {
		snprintf(why, whylen, "is %" PRIu64 " bytes, more than the %" PRIu64 " allowed",
		         (uint64_t)st.st_size, max_bytes);
		close(fd);
		return NULL;
	}
	/* Regular files never block; clear O_NONBLOCK so stdio sees no EAGAIN. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "rb");
	if (!f) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
	}
	return f;
}

void dn_err_append(char *err, size_t errlen, size_t *used, const char *line)
{
	if (!err || !errlen)
		return;
	size_t len = strlen(line);
	if (*used == 0) {
		size_t k = len < errlen - 1 ? len : errlen - 1;
		memcpy(err, line, k);
		err[k] = '\0';
		*used = k;
	} else if (*used + 1 + len < errlen) {
		err[*used] = '\n';
		memcpy(err + *used + 1, line, len + 1);
		*used += 1 + len;
	}
}

bool dn_path_folder(const char *path, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s", path) >= (int)len)
		return false;
	char *slash = strrchr(buf, '/');
	if (!slash)
		snprintf(buf, len, ".");
	else if (slash == buf)
		buf[1] = '\0';
	else
		*slash = '\0';
	return true;
}
