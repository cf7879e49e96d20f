/* atomic_file.c: a file replaced whole: write a temp file beside it, fsync, rename over it. */
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool atomic_open(struct atomic_file *af, const char *path, char *why, size_t n)
{
	memset(af, 0, sizeof *af);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dir_len = slash ? (int)(slash - path + 1) : 0;
	if (!*base) {
		snprintf(why, n, "not a file name (it ends in /)");
		return false;
	}
	af->path = strdup(path);
	af->tmp = malloc(strlen(path) + 16);
	if (!af->path || !af->tmp) {
		snprintf(why, n, "%s", strerror(ENOMEM));
		atomic_abort(af);
		return false;
	}
	sprintf(af->tmp, "%.*s.%s.XXXXXX", dir_len, path, base);
	int fd = mkstemp(af->tmp);
	if (fd < 0) {
		snprintf(why, n, "%s", strerror(errno));
		free(af->tmp);
		af->tmp = NULL;
		atomic_abort(af);
		return false;
	}
	af->f = fdopen(fd, "w");
	if (!af->f) {
		snprintf(why, n, "%s", strerror(errno));
		close(fd);
		atomic_abort(af);
		return false;
	}
	return true;
}

bool atomic_commit(struct atomic_file *af, char *why, size_t n)
{
	mode_t mask = umask(0);
	umask(mask);
	int fd = fileno(af->f);
	bool ok = !ferror(af->f) && fflush(af->f) == 0 && fchmod(fd, 0666 & ~mask) == 0 && fsync(fd) == 0;
	if (!ok)
		snprintf(why, n, "%s", strerror(errno ? errno : EIO));
	if (fclose(af->f) != 0 && ok) {
		snprintf(why, n, "%s", strerror(errno));
		ok = false;
	}
	af->f = NULL;
	if (ok && rename(af->tmp, af->path) != 0) {
		snprintf(why, n, "%s", strerror(errno));
		ok = false;
	}
	if (ok) {
		free(af->tmp);
		af->tmp = NULL;
	}
	atomic_abort(af);
	return ok;
}

void atomic_abort(struct atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	memset(af, 0, sizeof *af);
}
