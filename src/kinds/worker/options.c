/* options.c: the worker.* options of a [pipeline] section (the conventions are in src/options.c). */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "kinds/worker/worker.h"

#define OFF(field) offsetof(struct worker_opts, field)

const struct opt_def worker_options[] = {
    {"worker", OPT_CONN, NULL, 0, 0, 0, 0,
     "http connection (a worker's HTTP admin API) whose worker is watched, paused and resumed"},
    {"worker.state", OPT_STR, NULL, 1, 0, OFF(state), 0,
     "path (e.g. /admin/state, relative to the connection's url) whose GET answers JSON saying "
     "whether the worker is paused (required); read every poll"},
    {"worker.paused_field", OPT_STR, "/paused", 1, 0, OFF(paused_field), 0,
     "JSON pointer (RFC 6901) to the boolean of worker.state's answer that is true while the worker "
     "is paused"},
    {"worker.pause", OPT_STR, NULL, 1, 0, OFF(pause), 0,
     "METHOD PATH that pauses the worker (e.g. POST /admin/pause); with worker.resume, both or "
     "neither; unset: the stage only watches"},
    {"worker.resume", OPT_STR, NULL, 1, 0, OFF(resume), 0,
     "METHOD PATH that resumes the worker (e.g. POST /admin/resume)"},
    {"worker.body", OPT_STR, NULL, 1, 0, OFF(body), 0,
     "JSON body sent with worker.pause and worker.resume (unset: an empty body)"},
    {0},
};

/* A path as the user wrote it: starts with '/', no blank and no control character. */
static bool path_ok(const char *key, const char *p, char *why, size_t n)
{
	if (*p != '/') {
		snprintf(why, n, "%s must be a path starting with / (relative to the connection's url)", key);
		return false;
	}
	for (const unsigned char *c = (const unsigned char *)p; *c; c++)
		if (*c <= ' ' || *c == 0x7f) {
			snprintf(why, n,
			         "%s: the path holds a blank or a control character (percent-encode it)",
			         key);
			return false;
		}
	return true;
}

bool worker_request_parse(const char *spec, char *method, size_t mn, const char **path, char *why, size_t n)
{
	size_t len = 0;
	while (spec[len] >= 'A' && spec[len] <= 'Z')
		len++;
	if (len == 0 || (spec[len] != ' ' && spec[len] != '\t')) {
		snprintf(why, n, "expected METHOD PATH, e.g. POST /admin/pause (the method in capitals)");
		return false;
	}
	if (len >= mn) {
		snprintf(why, n, "the method is too long");
		return false;
	}
	memcpy(method, spec, len);
	method[len] = '\0';
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
		snprintf(why, n, "%s only reads: pausing or resuming needs POST, PUT, PATCH or DELETE",
		         method);
		return false;
	}
	const char *p = spec + len;
	while (*p == ' ' || *p == '\t')
		p++;
	*path = p;
	return path_ok("the path", p, why, n);
}

bool worker_check(struct stage_cfg *stage, const struct pipeline *pl, const struct config *cfg, char *msg,
                  size_t n)
{
	const struct worker_opts *st = worker_opts(stage);
	(void)pl;
	(void)cfg;
	char why[200], method[16];
	const char *path;
	if (!st->state) {
		snprintf(
		    msg, n,
		    "the worker stage needs worker.state (the path whose GET says whether it is paused)");
		return false;
	}
	if (!path_ok("worker.state", st->state, msg, n))
		return false;
	if (st->paused_field[0] != '/') {
		snprintf(msg, n, "worker.paused_field must be a JSON pointer starting with /, e.g. /paused");
		return false;
	}
	if (!st->pause != !st->resume) {
		snprintf(msg, n,
		         "worker.pause and worker.resume go together: set both (to pause and resume) or "
		         "neither (to watch only)");
		return false;
	}
	if (st->pause && !worker_request_parse(st->pause, method, sizeof method, &path, why, sizeof why)) {
		snprintf(msg, n, "worker.pause: %s", why);
		return false;
	}
	if (st->resume && !worker_request_parse(st->resume, method, sizeof method, &path, why, sizeof why)) {
		snprintf(msg, n, "worker.resume: %s", why);
		return false;
	}
	if (st->body) {
		json_error_t je;
		json_t *j = json_loads(st->body, JSON_DECODE_ANY, &je);
		if (!j) {
			snprintf(msg, n, "worker.body is not JSON: %s (column %d)", je.text, je.column);
			return false;
		}
		json_decref(j);
		if (!st->pause) {
			snprintf(msg, n,
			         "worker.body is sent with worker.pause and worker.resume, which are unset");
			return false;
		}
	}
	return true;
}
