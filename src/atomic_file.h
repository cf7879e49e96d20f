/* atomic_file.h: --output FILE: a file written whole or not at all (a temp file beside it, renamed). */
#ifndef SYNCTOP_ATOMIC_FILE_H
#define SYNCTOP_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

struct atomic_file {
	FILE *f;    /* where to write: the temp file */
	char *path; /* the file it becomes */
	char *tmp;  /* DIR/.BASE.XXXXXX, beside it: not *.prom, so a textfile collector skips it */
};

/* Creates the temp file for path in path's directory. False with the reason in why (no temp
   file is left). */
bool atomic_open(struct atomic_file *af, const char *path, char *why, size_t n);
/* Flushes, syncs and renames the temp file over path, with mode 0666 less the umask (0644 under
   umask 022, so that node_exporter reads it). False with the reason in why, the temp file
   removed and path untouched. Frees af either way. */
bool atomic_commit(struct atomic_file *af, char *why, size_t n);
/* Removes the temp file and frees af. */
void atomic_abort(struct atomic_file *af);

#endif
