/* once.c: the scripted snapshot: poll every stage (twice, a window apart), print, exit with the status. */
#include "once.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "exec.h"
#include "health.h"
#include "poller.h"
#include "record.h"
#include "sanitize.h"
#include "track.h"
#include "kinds/kind.h"

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

static bool same_failure(const struct stage_view *a, const struct stage_view *b)
{
	return a->status == ST_UNKNOWN && b->status == ST_UNKNOWN && a->cfg->conn == b->cfg->conn &&
	       !strcmp(a->reason, b->reason);
}

/* "connection shop: products/outbox products/slot unknown: REASON" for the failure of sv. */
static void failure_line(const struct snapshot *snap, const struct stage_view *sv, char *line, size_t n)
{
	snprintf(line, n, "connection %s:", sv->cfg->conn->name);
	for (size_t i = 0; i < snap->n_pipes; i++)
		for (size_t j = 0; j < snap->pipes[i].n_stages; j++)
			if (same_failure(&snap->pipes[i].stages[j], sv))
				snappendf(line, n, " %s/%s", snap->pipes[i].cfg->name,
				          snap->pipes[i].stages[j].cfg->kind->name);
	snappendf(line, n, " unknown: %s", sv->reason);
}

/* One line per connection and reason, listing the stages it hides: a dead server behind
   five stages is one line, as a cron mail or a plugin output wants it. The log file (if
   any) gets the same lines, timestamped, for runs nobody watches. err may be NULL (the log only). */
static void report_unknown(const struct snapshot *snap, FILE *err, FILE *log)
{
	char stamp[32];
	time_t t = (time_t)snap->taken_at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < snap->n_pipes; i++)
		for (size_t j = 0; j < snap->pipes[i].n_stages; j++) {
			const struct stage_view *sv = &snap->pipes[i].stages[j];
			if (sv->status != ST_UNKNOWN)
				continue;
			/* Only the first stage of each failure speaks for it. */
			bool first = true;
			for (size_t pi = 0; pi <= i && first; pi++)
				for (size_t sj = 0; sj < snap->pipes[pi].n_stages && first; sj++) {
					const struct stage_view *o = &snap->pipes[pi].stages[sj];
					if (o == sv)
						break;
					first = !same_failure(o, sv);
				}
			if (!first)
				continue;
			char line[1024];
			failure_line(snap, sv, line, sizeof line);
			text_clean_inplace(line, sizeof line); /* the last guard before stderr and the log */
			if (err)
				fprintf(err, "synctop: %s\n", line);
			if (log)
				fprintf(log, "%s synctop[%ld]: %s\n", stamp, (long)getpid(), line);
		}
}

int once_run(const struct config *cfg, const struct once_opts *o, FILE *out, FILE *err)
{
	struct poller *p = poller_new(cfg);
	poller_one_shot(p);
	char msg[256];
	if (!poller_start(p, msg, sizeof msg)) {
		fprintf(err, "synctop: %s\n", msg);
		poller_free(p);
		return 3;
	}
	/* --once never writes: its poller gets no write executor, and the log can prove it. */
	executor_trace(cfg, poller_can_write(p), "--once");
	if (o->sample)
		for (size_t i = 0; i < cfg->n_pipelines; i++)
			for (size_t j = 0; j < cfg->pipelines[i].n_stages; j++) {
				struct request rq = {.op = REQ_SAMPLE, .stage = &cfg->pipelines[i].stages[j]};
				char why[256];
				if (kind_has_sample(rq.stage->kind))
					(void)poller_submit(p, &rq, why, sizeof why);
			}
	/* Undamped: a single run shows what it read. Each poll is evaluated, so that a since is
	   the first of the two polls that showed the state (track.h); no event is logged, as a
	   run has no state before it, but the changes between its two polls are JSON's events. */
	struct tracker *track = tracker_new(cfg);
	tracker_undamped(track);
	struct snapshot snap;
	double t0 = now_mono();
	poller_round(p);
	if (o->window_s > 0) {
		poller_snapshot(p, &snap);
		health_evaluate(&snap);
		tracker_update(track, &snap, snap.taken_at);
		record_round(&snap, snap.taken_at);
		/* The second poll comes window_s after the first one's figures were read, not after the
		   run began: connecting first (a slow start) would shorten the window seen to less than
		   window_s, and a window-judged rule would have no verdict. */
		double read_at = t0;
		for (size_t i = 0; i < snap.n_pipes; i++)
			for (size_t j = 0; j < snap.pipes[i].n_stages; j++)
				if (snap.pipes[i].stages[j].cur.metrics &&
				    snap.pipes[i].stages[j].cur.mono > read_at)
					read_at = snap.pipes[i].stages[j].cur.mono;
		snapshot_free(&snap);
		sleep_until(read_at + o->window_s);
		poller_round(p);
	}
	poller_snapshot(p, &snap);
	health_evaluate(&snap);
	tracker_update(track, &snap, snap.taken_at);
	record_round(&snap, snap.taken_at);
	double took_s = now_mono() - t0;

	/* --output FILE: the snapshot goes to a temp file beside FILE, renamed over it once whole. */
	struct atomic_file af = {0};
	char out_why[256] = "";
	bool out_ok = !o->output || atomic_open(&af, o->output, out_why, sizeof out_why);
	FILE *dest = o->output ? af.f : out;
	if (dest) {
		if (o->format == REPORT_JSON)
			report_json_tracked(dest, &snap, track);
		else if (o->format == REPORT_MARKDOWN)
			report_markdown(dest, &snap, o->window_s, took_s);
		else if (o->format == REPORT_PROMETHEUS)
			report_prometheus(dest, &snap);
		else if (o->format == REPORT_NAGIOS)
			report_nagios(dest, &snap);
		else
			report_text(dest, &snap);
		fflush(dest);
	}
	tracker_free(track);
	if (o->output && out_ok)
		out_ok = atomic_commit(&af, out_why, sizeof out_why);
	if (!out_ok)
		fprintf(err, "synctop: --output %s: cannot write it: %s\n", o->output, out_why);

	/* The log file (if any) keeps what stderr says, for runs nobody watches (cron, checks). */
	FILE *log = log_file_open(cfg->log_file, err);
	/* A monitoring engine may read stderr into the plugin's output (Icinga 2 does): there the
	   stage lines already say what could not be read. */
	report_unknown(&snap, o->format == REPORT_NAGIOS ? NULL : err, log);
	if (log)
		fclose(log);
	int code = out_ok ? status_exit_code(snap.status) : 3;
	snapshot_free(&snap);
	poller_free(p);
	return code;
}
