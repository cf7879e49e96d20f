/* once.h: the scripted snapshot: poll every stage (twice, a window apart), print, exit with the status. */
#ifndef SYNCTOP_ONCE_H
#define SYNCTOP_ONCE_H

#include <stdio.h>

#include "config.h"
#include "report.h"

struct once_opts {
	enum report_format format;
	double window_s;    /* 0: one poll, rates null */
	bool sample;        /* also run the on-demand samples (cache.key_prefix), once */
	const char *output; /* --output FILE: written whole (temp file, rename), or NULL: out */
};

/* Returns the exit code of the monitoring-plugin convention. Unreadable stages are also
   named on err, one line each, so that a cron mail says which connection failed. */
int once_run(const struct config *cfg, const struct once_opts *o, FILE *out, FILE *err);

#endif
