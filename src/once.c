/* once.c: the scripted snapshot: poll every stage (twice, a window apart), print, exit with the status. */
#include "once.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health.h"
#include "poller.h"

static void sleep_until(double mono)
{
	for (;;) {
		double left = mono - now_mono();
		if (left <= 0)
			return;
		struct timespec ts = {.tv_sec = (time_t)left,
		                      .tv_nsec = (long)((left - (double)(time_t)left) * 1e9)};
		if (nanosleep(&ts, NULL) == 0)
			return;
		if (errno != EINTR)
			return;
	}
}

/* One stderr line per connection and reason, listing the stages it hides: a dead server
   behind five stages is one line, as a cron mail or a plugin output wants it. */
static void report_unknown(const struct snapshot *snap, FILE *err)
{
	size_t n = 0;
	for (size_t i = 0; i < snap->n_pipes; i++)
		n += snap->pipes[i].n_stages;
	const struct stage_view **seen = xcalloc(n, sizeof *seen);
	size_t n_seen = 0;
	for (size_t i = 0; i < snap->n_pipes; i++)
		for (size_t j = 0; j < snap->pipes[i].n_stages; j++) {
			const struct stage_view *sv = &snap->pipes[i].stages[j];
			if (sv->status != ST_UNKNOWN)
				continue;
			bool dup = false;
			for (size_t k = 0; k < n_seen && !dup; k++)
				dup = seen[k]->cfg->conn == sv->cfg->conn &&
				      !strcmp(seen[k]->reason, sv->reason);
			if (dup)
				continue;
			seen[n_seen++] = sv;
			fprintf(err, "synctop: connection %s:", sv->cfg->conn->name);
			for (size_t pi = 0; pi < snap->n_pipes; pi++)
				for (size_t sj = 0; sj < snap->pipes[pi].n_stages; sj++) {
					const struct stage_view *o = &snap->pipes[pi].stages[sj];
					if (o->status == ST_UNKNOWN && o->cfg->conn == sv->cfg->conn &&
					    !strcmp(o->reason, sv->reason))
						fprintf(err, " %s/%s", snap->pipes[pi].cfg->name,
						        stage_kind_names[o->cfg->kind]);
				}
			fprintf(err, " unknown: %s\n", sv->reason);
		}
	free(seen);
}

int once_run(const struct config *cfg, const struct once_opts *o, FILE *out, FILE *err)
{
	struct poller *p = poller_new(cfg);
	char msg[256];
	if (!poller_start(p, msg, sizeof msg)) {
		fprintf(err, "synctop: %s\n", msg);
		poller_free(p);
		return 3;
	}
	double t0 = now_mono();
	poller_round(p);
	if (o->window_s > 0) {
		sleep_until(t0 + o->window_s);
		poller_round(p);
	}
	struct snapshot snap;
	poller_snapshot(p, &snap);
	health_evaluate(&snap);

	if (o->format == REPORT_JSON)
		report_json(out, &snap);
	else
		report_text(out, &snap);
	fflush(out);

	report_unknown(&snap, err);
	int code = status_exit_code(snap.status);
	snapshot_free(&snap);
	poller_free(p);
	return code;
}
