/* replay.c: reads a recording back, rebuilds the snapshot of each recorded round, and --replay --once --at.
 */
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config_file.h"
#include "config_select.h"
#include "health.h"
#include "record.h"
#ifdef HAVE_ZSTD
#include "record_zstd.h"
#endif
#include "threshold.h"
#include "track.h"
#include "units.h"
#include "kinds/kind.h"

/* The recorded config: written to a private temp file and read by the one config reader. */
static struct config *load_config(struct recording *r, char *why, size_t n)
{
	const char *text = json_string_value(json_object_get(r->header, "config"));
	const char *dir = getenv("TMPDIR");
	char *tmp = xasprintf("%s/synctop-replay.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(why, n, "%s: cannot make a temp file for its config: %s", r->path, strerror(errno));
		free(tmp);
		return NULL;
	}
	FILE *f = fdopen(fd, "w");
	bool ok = f && fputs(text ? text : "", f) >= 0;
	ok = f && fclose(f) == 0 && ok;
	char err[1024] = "";
	struct config *cfg = ok ? config_load(tmp, err, sizeof err, NULL) : NULL;
	unlink(tmp);
	if (!cfg) {
		/* "TMP:12: ..." says the line of the recorded config */
		const char *m = strncmp(err, tmp, strlen(tmp)) ? err : err + strlen(tmp);
		snprintf(why, n, "%s: its recorded config%s%s", r->path, *m == ':' ? " line" : ": ",
		         *m == ':' ? m + 1 : (*m ? m : strerror(errno)));
		free(tmp);
		return NULL;
	}
	free(tmp);
	free(cfg->path);
	cfg->path = xstrdup(r->path);
	json_t *pipes = json_object_get(r->header, "pipelines");
	size_t np = json_array_size(pipes);
	const char **names = xcalloc(np ? np : 1, sizeof *names);
	for (size_t i = 0; i < np; i++)
		names[i] = json_string_value(json_object_get(json_array_get(pipes, i), "name"));
	char e[512];
	ok = config_select_pipelines(cfg, names, np, e, sizeof e);
	free(names);
	if (!ok) {
		snprintf(why, n, "%s: %s", r->path, e);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* The --warn/--crit overrides the recording was made with (r->thr: the config points to them). */
static bool apply_thresholds(struct recording *r, struct thresholds *t, char *why, size_t n)
{
	static const char *const keys[] = {"warn", "crit"};
	char e[512];
	for (int c = 0; c < 2; c++) {
		json_t *a = json_object_get(r->header, keys[c]);
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!thresholds_add(t, json_string_value(json_array_get(a, i)), c == 1, e,
			                    sizeof e)) {
				snprintf(why, n, "%s: %s", r->path, e);
				return false;
			}
	}
	if (t->n && !thresholds_apply(t, r->cfg, e, sizeof e)) {
		snprintf(why, n, "%s: %s", r->path, e);
		return false;
	}
	return true;
}

static bool take_header(struct recording *r, json_t *h, char *why, size_t n)
{
	json_t *schema = json_object_get(h, "schema");
	if (!json_is_integer(schema) || json_integer_value(schema) != RECORD_SCHEMA) {
		snprintf(why, n, "%s:1: not a synctop recording of schema %d", r->path, RECORD_SCHEMA);
		return false;
	}
	r->header = json_incref(h);
	r->undamped = json_is_true(json_object_get(h, "undamped"));
	r->window_s = json_number_value(json_object_get(h, "window_s"));
	r->cfg = load_config(r, why, n);
	if (!r->cfg)
		return false;
	for (size_t i = 0; i < r->cfg->n_pipelines; i++)
		r->n_stages += r->cfg->pipelines[i].n_stages;
	r->thr = xcalloc(1, sizeof *r->thr);
	return apply_thresholds(r, r->thr, why, n);
}

static bool take_sample(struct recording *r, json_t *o, char *why, size_t n)
{
	struct sample s;
	unsigned long id;
	size_t stage;
	if (!record_sample_parse(o, &s, &id, &stage, why, n))
		return false;
	if (stage >= r->n_stages || id != r->n_samples + 1) {
		snprintf(why, n, "sample %lu of stage %zu out of order", id, stage);
		sample_clear(&s);
		return false;
	}
	r->samples = xrealloc(r->samples, (r->n_samples + 1) * sizeof *r->samples);
	r->sample_stage = xrealloc(r->sample_stage, (r->n_samples + 1) * sizeof *r->sample_stage);
	r->samples[r->n_samples] = s;
	r->sample_stage[r->n_samples++] = stage;
	return true;
}

static bool take_round(struct recording *r, json_t *o, char *why, size_t n)
{
	json_t *st = json_object_get(o, "stages");
	if (!json_is_number(json_object_get(o, "wall")) || json_array_size(st) != r->n_stages) {
		snprintf(why, n, "a round needs wall and one entry per stage (%zu)", r->n_stages);
		return false;
	}
	struct rec_round rd = {.wall = json_number_value(json_object_get(o, "wall")),
	                       .track_wall = json_number_value(json_object_get(o, "track_wall"))};
	rd.ids = xcalloc(2 * r->n_stages + 1, sizeof *rd.ids);
	rd.n_samples = xcalloc(r->n_stages + 1, sizeof *rd.n_samples);
	for (size_t k = 0; k < r->n_stages; k++) {
		json_t *a = json_array_get(st, k);
		for (size_t i = 0; i < 2; i++) {
			json_int_t id = json_integer_value(json_array_get(a, i));
			if (id < 0 || (size_t)id > r->n_samples || (id && r->sample_stage[id - 1] != k)) {
				snprintf(why, n, "round names sample %lld, not one of stage %zu",
				         (long long)id, k);
				free(rd.ids);
				free(rd.n_samples);
				return false;
			}
			rd.ids[2 * k + i] = (unsigned long)id;
		}
		rd.n_samples[k] = (int)json_integer_value(json_array_get(a, 2));
	}
	r->rounds = xrealloc(r->rounds, (r->n_rounds + 1) * sizeof *r->rounds);
	r->rounds[r->n_rounds++] = rd;
	return true;
}

bool recording_load(const char *path, struct recording *r, FILE *warn, char *why, size_t n)
{
	memset(r, 0, sizeof *r);
	r->path = xstrdup(path);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, n, "%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	char *text = NULL; /* FILE.zst: its lines, decompressed */
	if (record_name_zst(path)) {
#ifdef HAVE_ZSTD
		size_t tlen = 0;
		bool cut = false;
		char w[256];
		text = zstd_read_all(f, &tlen, &cut, w, sizeof w);
		fclose(f);
		f = text ? fmemopen(text, tlen ? tlen : 1, "r") : NULL;
		if (!f) {
			snprintf(why, n, "%s: %s", path, text ? strerror(errno) : w);
			free(text);
			return false;
		}
		if (cut && warn)
			fprintf(warn, "synctop: %s: its last zstd frame is cut short, left out\n", path);
#else
		snprintf(why, n,
		         "%s: this synctop was built without zstd (configure --with-zstd): "
		         "decompress it with zstd -d first",
		         path);
		fclose(f);
		return false;
#endif
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int lineno = 0;
	bool ok = true, change = false;
	while (ok && (got = getline(&line, &cap, f)) > 0) {
		lineno++;
		bool complete = line[got - 1] == '\n';
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)got, JSON_ALLOW_NUL, &je);
		const char *type = json_string_value(json_object_get(o, "type"));
		char w[512] = "";
		if (!o || !type) {
			if (!complete && lineno > 1) { /* a crash mid-line: the rounds before it stand */
				if (warn)
					fprintf(warn, "synctop: %s:%d: last line cut short, left out\n", path,
					        lineno);
				json_decref(o);
				break;
			}
			snprintf(w, sizeof w, "%s", o ? "a line without a type" : je.text);
			ok = false;
		} else if (lineno == 1 || !strcmp(type, "header")) {
			if (lineno > 1 && r->n_rounds) { /* a later run appended: replay the first one */
				json_decref(o);
				break;
			}
			if (strcmp(type, "header"))
				snprintf(w, sizeof w, "the first line is not a recording's header");
			else if (lineno == 1 && !take_header(r, o, why, n)) {
				json_decref(o);
				ok = false;
				break;
			}
			ok = !*w;
		} else if (!strcmp(type, "sample"))
			ok = take_sample(r, o, w, sizeof w);
		else if (!strcmp(type, "round")) {
			ok = take_round(r, o, w, sizeof w);
			if (ok)
				r->rounds[r->n_rounds - 1].change = change;
			change = false;
		} else if (!strcmp(type, "event"))
			change = true;
		/* other types (actions, later schemas' additions) are skipped */
		json_decref(o);
		if (!ok && *w)
			snprintf(why, n, "%s:%d: %s", path, lineno, w);
	}
	free(line);
	fclose(f);
	free(text);
	if (ok && !r->header) {
		snprintf(why, n, "%s: empty: not a synctop recording", path);
		ok = false;
	}
	if (ok && !r->n_rounds) {
		snprintf(why, n, "%s: no round recorded", path);
		ok = false;
	}
	return ok;
}

void recording_free(struct recording *r)
{
	for (size_t i = 0; i < r->n_samples; i++)
		sample_clear(&r->samples[i]);
	free(r->samples);
	free(r->sample_stage);
	for (size_t i = 0; i < r->n_rounds; i++) {
		free(r->rounds[i].ids);
		free(r->rounds[i].n_samples);
	}
	free(r->rounds);
	if (r->cfg)
		config_free(r->cfg);
	if (r->thr)
		thresholds_free(r->thr);
	free(r->thr);
	json_decref(r->header);
	free(r->path);
	memset(r, 0, sizeof *r);
}

long recording_round_at(const struct recording *r, double t)
{
	long lo = 0, hi = (long)r->n_rounds - 1, best = -1;
	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		if (r->rounds[mid].wall <= t) {
			best = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return best;
}

bool replay_parse_at(const char *spec, double start, double *out, char *why, size_t n)
{
	double d;
	if (spec[0] == '+') {
		if (!parse_duration(spec + 1, &d)) {
			snprintf(why, n, "--at %s: bad duration after + (e.g. +90s, +2m)", spec);
			return false;
		}
		*out = start + d;
		return true;
	}
	struct tm tm = {0};
	const char *end = strptime(spec, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end) { /* RFC 3339: a fraction, then Z or +HH:MM / -HH:MM */
		double frac = 0;
		if (*end == '.') {
			char *e;
			frac = strtod(end, &e);
			end = e;
		}
		long off = 0;
		int hh, mm, used = 0;
		if (*end == 'Z' || *end == 'z')
			end++;
		else if ((*end == '+' || *end == '-') && sscanf(end + 1, "%2d:%2d%n", &hh, &mm, &used) == 2 &&
		         used == 5) {
			off = (*end == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
			end += 6;
		} else
			end = NULL;
		if (end && !*end) {
			*out = (double)timegm(&tm) - (double)off + frac;
			return true;
		}
	} else {
		time_t t0 = (time_t)start;
		struct tm day;
		localtime_r(&t0, &day);
		memset(&tm, 0, sizeof tm);
		end = strptime(spec, "%H:%M:%S", &tm);
		if (end && !*end) {
			day.tm_hour = tm.tm_hour;
			day.tm_min = tm.tm_min;
			day.tm_sec = tm.tm_sec;
			day.tm_isdst = -1;
			*out = (double)mktime(&day);
			return true;
		}
	}
	snprintf(why, n,
	         "--at %s: not a time (use 2026-12-04T13:05:00Z, 13:05:00 of the recording's day, or +90s "
	         "from its start)",
	         spec);
	return false;
}

/* ---- rebuilding snapshots ---- */

struct replayer {
	const struct recording *r;
	struct tracker *track;
	struct snapshot snap;
	bool have;
	size_t at; /* the round snap is of */
};

struct replayer *replayer_new(const struct recording *r)
{
	struct replayer *p = xcalloc(1, sizeof *p);
	p->r = r;
	return p;
}

void replayer_free(struct replayer *p)
{
	if (!p)
		return;
	if (p->have)
		snapshot_free(&p->snap);
	tracker_free(p->track);
	free(p);
}

const struct tracker *replayer_tracker(const struct replayer *p)
{
	return p->track;
}

/* The main metric's points and the newest error of stage k up to sample id `upto`, as the
   poller's history would hold them (its last cfg->history). */
static void fill_series(const struct recording *r, size_t k, unsigned long upto, struct stage_view *sv)
{
	const char *metric = sv->cfg->kind->main_metric;
	size_t cap = (size_t)(r->cfg->history > 0 ? r->cfg->history : 300), cnt = 0;
	double *v = xcalloc(cap, sizeof *v);
	for (unsigned long id = upto; id >= 1 && cnt < cap; id--) {
		if (r->sample_stage[id - 1] != k)
			continue;
		const struct sample *s = &r->samples[id - 1];
		double x = NAN;
		if (!s->ok || !metric || !metric_num(s->metrics, metric, &x))
			x = NAN;
		v[cnt++] = x;
		if (!s->ok && !sv->last_err[0] && s->err[0]) {
			strlcpy_safe(sv->last_err, s->err, sizeof sv->last_err);
			sv->last_err_at = s->wall;
		}
	}
	sv->n_series = (int)cnt;
	sv->series = xcalloc(cnt ? cnt : 1, sizeof *sv->series);
	for (size_t i = 0; i < cnt; i++)
		sv->series[i] = v[cnt - 1 - i];
	free(v);
}

static void build(const struct recording *r, size_t i, struct snapshot *out)
{
	const struct config *cfg = r->cfg;
	const struct rec_round *rd = &r->rounds[i];
	memset(out, 0, sizeof *out);
	out->cfg = cfg;
	out->taken_at = rd->wall;
	out->n_pipes = cfg->n_pipelines;
	out->pipes = xcalloc(cfg->n_pipelines ? cfg->n_pipelines : 1, sizeof *out->pipes);
	size_t k = 0;
	for (size_t pi = 0; pi < cfg->n_pipelines; pi++) {
		struct pipeline_view *pv = &out->pipes[pi];
		pv->cfg = &cfg->pipelines[pi];
		pv->n_stages = pv->cfg->n_stages;
		pv->stages = xcalloc(pv->n_stages ? pv->n_stages : 1, sizeof *pv->stages);
		for (size_t j = 0; j < pv->n_stages; j++, k++) {
			struct stage_view *sv = &pv->stages[j];
			sv->cfg = &pv->cfg->stages[j];
			sv->n_samples = rd->n_samples[k];
			unsigned long cur = rd->ids[2 * k], prev = rd->ids[2 * k + 1];
			if (cur)
				sample_copy(&sv->cur, &r->samples[cur - 1]);
			if (prev)
				sample_copy(&sv->prev, &r->samples[prev - 1]);
			unsigned long upto = cur > prev ? cur : prev;
			fill_series(r, k, upto, sv);
		}
	}
}

static void eval_round(struct replayer *p, size_t i, struct snapshot *s)
{
	build(p->r, i, s);
	health_evaluate(s);
	tracker_update(p->track, s, p->r->rounds[i].track_wall);
}

const struct snapshot *replayer_seek(struct replayer *p, size_t i)
{
	if (i >= p->r->n_rounds)
		i = p->r->n_rounds - 1;
	if (p->have && i == p->at)
		return &p->snap;
	size_t from = 0;
	if (p->have && i > p->at)
		from = p->at + 1;
	else {
		tracker_free(p->track);
		p->track = tracker_new(p->r->cfg);
		if (p->r->undamped)
			tracker_undamped(p->track);
	}
	if (p->have)
		snapshot_free(&p->snap);
	p->have = false;
	for (size_t j = from; j < i; j++) {
		struct snapshot s;
		eval_round(p, j, &s);
		snapshot_free(&s);
	}
	eval_round(p, i, &p->snap);
	p->have = true;
	p->at = i;
	return &p->snap;
}

int replay_once(const char *path, const char *at, enum report_format format, FILE *out, FILE *err)
{
	struct recording r;
	char why[1024];
	if (!recording_load(path, &r, err, why, sizeof why)) {
		fprintf(err, "synctop: %s\n", why);
		recording_free(&r);
		return 3;
	}
	double first = r.rounds[0].wall, last = r.rounds[r.n_rounds - 1].wall, t = last;
	if (at && !replay_parse_at(at, first, &t, why, sizeof why)) {
		fprintf(err, "synctop: %s\n", why);
		recording_free(&r);
		return 3;
	}
	long i = recording_round_at(&r, t);
	if (i < 0 || t > last + (r.cfg->interval_s > 0 ? r.cfg->interval_s : 2) * 2) {
		char a[32], b[32], c[32];
		iso8601(t, a, sizeof a);
		iso8601(first, b, sizeof b);
		iso8601(last, c, sizeof c);
		fprintf(err, "synctop: --at %s (%s): outside the recording %s, which spans %s to %s\n", at, a,
		        path, b, c);
		recording_free(&r);
		return 3;
	}
	struct replayer *p = replayer_new(&r);
	const struct snapshot *snap = replayer_seek(p, (size_t)i);
	if (format == REPORT_JSON)
		report_json_tracked(out, snap, p->track);
	else if (format == REPORT_MARKDOWN)
		report_markdown(out, snap, r.window_s, 0);
	else if (format == REPORT_PROMETHEUS)
		report_prometheus(out, snap);
	else if (format == REPORT_NAGIOS)
		report_nagios(out, snap);
	else
		report_text(out, snap);
	fflush(out);
	int code = status_exit_code(snap->status);
	replayer_free(p);
	recording_free(&r);
	return code;
}
