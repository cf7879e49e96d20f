/* exec.c: the write executor: the one path every write of synctop takes, to the kind's action (kinds/act.h).
 */
#include "exec.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kinds/act.h"
#include "kinds/kind.h"
#include "util.h"

struct executor {
	const struct config *cfg;
	bool canary_only; /* --serve: the canary's insert and cleanup, no action */
};

struct executor *executor_new(const struct config *cfg)
{
	struct executor *ex = xcalloc(1, sizeof *ex);
	ex->cfg = cfg;
	return ex;
}

struct executor *executor_new_canary(const struct config *cfg)
{
	struct executor *ex = executor_new(cfg);
	ex->canary_only = true;
	return ex;
}

bool executor_takes_actions(const struct executor *ex)
{
	return ex && !ex->canary_only;
}

enum probe_result executor_canary(struct executor *ex, const struct probe_ctx *ctx, bool cleanup,
                                  const json_t *m, json_t **result, char *err, size_t n)
{
	*result = NULL;
	const struct probe_canary *pc = ex && ctx->st->kind->probe ? ctx->st->kind->probe->canary : NULL;
	enum probe_result (*step)(const struct probe_ctx *, const json_t *, json_t **, char *, size_t) =
	    !pc       ? NULL
	    : cleanup ? pc->cleanup
	              : pc->insert;
	if (!step) {
		snprintf(err, n, "canary: the %s stage has no marker %s (nothing was sent)",
		         ctx->st->kind->name, cleanup ? "cleanup" : "insert");
		return PROBE_FAILED;
	}
	return step(ctx, m, result, err, n);
}

void executor_free(struct executor *ex)
{
	free(ex);
}

enum probe_result executor_run(struct executor *ex, const struct probe_ctx *ctx, const struct request *req,
                               json_t **result, char *err, size_t n)
{
	*result = NULL;
	if (!executor_takes_actions(ex)) {
		snprintf(err, n, "read-only: this write executor runs the canary alone (nothing was sent)");
		return PROBE_FAILED;
	}
	const char *name = action_json_name(req->action) ? action_json_name(req->action) : "no action";
	const struct kind_action *ka = req->op == REQ_ACTION ? stage_action(ctx->st, req->action) : NULL;
	if (!ka) {
		snprintf(err, n, "%s: the %s stage has no such action in this synctop (nothing was sent)",
		         name, ctx->st->kind->name);
		return PROBE_FAILED;
	}
	switch (req->phase) {
	case PHASE_PREVIEW:
		return ka->preview(ctx, req->scope, result, err, n);
	case PHASE_APPLY:
		if (!json_is_object(req->arg)) {
			snprintf(err, n, "%s: applied without a preview (nothing was sent)", name);
			return PROBE_FAILED;
		}
		return ka->apply(ctx, req->scope, req->arg, result, err, n);
	case PHASE_READBACK:
		if (!ka->readback) {
			snprintf(err, n, "%s: no read-back for this action", name);
			return PROBE_FAILED;
		}
		return ka->readback(ctx, req->arg, result, err, n);
	}
	snprintf(err, n, "%s: unknown step (nothing was sent)", name);
	return PROBE_FAILED;
}

static void trace_line(const struct config *cfg, const char *msg);

void executor_trace(const struct config *cfg, bool present, const char *why)
{
	char msg[128];
	if (present)
		snprintf(msg, sizeof msg, "write executor: ready");
	else
		snprintf(msg, sizeof msg, "write executor: none (read-only: %s)", why ? why : "?");
	trace_line(cfg, msg);
}

void executor_trace_canary(const struct config *cfg, const char *mode)
{
	char msg[128];
	snprintf(msg, sizeof msg, "write executor: canary only (%s)", mode);
	trace_line(cfg, msg);
}

static void trace_line(const struct config *cfg, const char *line)
{
	const char *on = getenv("SYNCTOP_TRACE_EXECUTOR");
	if (!on || !*on || !cfg->log_file || !*cfg->log_file)
		return;
	char msg[128];
	int fd = open_regular(cfg->log_file, O_WRONLY | O_APPEND | O_CREAT, 0600, msg, sizeof msg);
	if (fd < 0)
		return;
	char stamp[32];
	time_t t = (time_t)now_wall();
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	dprintf(fd, "%s synctop[%ld]: %s\n", stamp, (long)getpid(), line);
	close(fd);
}
