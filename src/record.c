/* record.c: --record FILE: writes the header, each round's new samples, its round line and status changes. */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "redact.h"
#ifdef HAVE_ZSTD
#include "record_zstd.h"
#endif
#include "sanitize.h"
#include "threshold.h"
#include "units.h"
#include "kinds/kind.h"

/* The last two samples written of a stage: a round names a sample by id once it is written. */
struct written {
	double mono, wall;
	unsigned long id;
};

struct recorder {
	char *path;
	FILE *f;
	int64_t size, max_size;
	char *header; /* the header line, written again at the head of a rotated file */
	const struct config *cfg;
	size_t n_stages;
	struct written (*last)[2]; /* per stage, [0] the newer */
	unsigned long next_id;
	bool wrote;           /* a sample was written since the last round line */
	bool failed;          /* a write failed: said once on stderr, then nothing more is written */
	bool zst;             /* FILE.zst: lines gather in pending, a zstd frame each flush */
	unsigned long rounds; /* round lines in this file */
	struct sbuf pending;
};

static struct recorder *active;

void record_set_active(struct recorder *r)
{
	active = r;
}

/* ---- the config's text ---- */

static bool key_is(const char *key, const char *suffix)
{
	size_t k = strlen(key), s = strlen(suffix);
	return k >= s && !strcmp(key + k - s, suffix);
}

/* A key whose value may be a secret: a password, token or the like anywhere, and any library
   property about keys (property.ssl.key.pem); cache.key_prefix is no secret. */
static bool secret_key(const char *key)
{
	static const char *const words[] = {"password", "secret", "token", "jaas", "api_key", "apikey"};
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (strstr(key, words[i]))
			return true;
	return !strncmp(key, "property.", 9) && strstr(key, "key");
}

char *record_config_text(const char *path, char *why, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct sbuf out = {0};
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		/* text from the file is data too: control characters go, the lines stay lines */
		size_t cn = 4 * strlen(line) + 1;
		char *clean = xmalloc(cn);
		text_clean(clean, cn, line, strlen(line));
		free(line);
		line = clean;
		cap = cn;
		char *eq = strchr(line, '=');
		const char *t = line + strspn(line, " \t");
		if (!eq || *t == ';' || *t == '#' || *t == '[') {
			sbuf_addn(&out, line, strlen(line));
			sbuf_addn(&out, "\n", 1);
			continue;
		}
		*eq = '\0';
		char *key = str_trim(line), *value = str_trim(eq + 1);
		char *v = NULL;
		if (key_is(key, "_env") || key_is(key, "_file") || key_is(key, "audit_log") ||
		    !strncmp(key, "serve.", 6))
			v = NULL; /* a secret's source or a path of this host: replay needs neither */
		else if (!strcmp(key, "conninfo"))
			v = redact_conninfo(value);
		else if (secret_key(key))
			v = xstrdup(REDACTED);
		else if (strstr(value, "://") || !strcmp(key, "url"))
			v = redact_url(value);
		else
			v = xstrdup(value);
		if (v) {
			char *l = xasprintf("%s = %s\n", key, v);
			sbuf_addn(&out, l, strlen(l));
			free(l);
			free(v);
		} else
			sbuf_addn(&out, ";\n", 2); /* keeps the line numbers of the file */
	}
	free(line);
	fclose(f);
	return out.s ? out.s : xstrdup("");
}

/* ---- the codec ---- */

/* A probe's raw state may hold binary strings (packed arrays): JSON text has room for UTF-8
   only, so a string with a NUL or a byte past ASCII goes as {"hex": "..."} (raw_unpack). */
static json_t *raw_pack(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;
	if (json_is_string(v)) {
		const unsigned char *b = (const unsigned char *)json_string_value(v);
		size_t n = json_string_length(v), k = 0;
		while (k < n && b[k] && b[k] < 0x80)
			k++;
		if (k == n)
			return v;
		char *hex = xmalloc(2 * n + 1);
		for (k = 0; k < n; k++)
			snprintf(hex + 2 * k, 3, "%02x", b[k]);
		json_t *o = json_pack("{s:s}", "hex", hex);
		free(hex);
		json_decref(v);
		return o;
	}
	if (json_is_object(v))
		json_object_foreach(v, key, x) json_object_set_new(v, key, raw_pack(json_incref(x)));
	else if (json_is_array(v))
		json_array_foreach(v, i, x) json_array_set_new(v, i, raw_pack(json_incref(x)));
	return v;
}

/* raw_pack undone, in place (returns v, or the string that replaces it). */
static json_t *raw_unpack(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;
	const char *hex = json_object_size(v) == 1 ? json_string_value(json_object_get(v, "hex")) : NULL;
	if (hex) {
		size_t n = strlen(hex) / 2;
		char *b = xmalloc(n + 1);
		for (size_t k = 0; k < n; k++) {
			unsigned byte = 0;
			sscanf(hex + 2 * k, "%2x", &byte);
			b[k] = (char)byte;
		}
		json_t *s = json_stringn_nocheck(b, n);
		free(b);
		json_decref(v);
		return s;
	}
	if (json_is_object(v))
		json_object_foreach(v, key, x) json_object_set_new(v, key, raw_unpack(json_incref(x)));
	else if (json_is_array(v))
		json_array_foreach(v, i, x) json_array_set_new(v, i, raw_unpack(json_incref(x)));
	return v;
}

json_t *record_sample_json(const struct sample *s, unsigned long id, size_t stage, const char *pipeline,
                           const char *kind)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("sample"));
	json_object_set_new(o, "wall", json_real(s->wall));
	json_object_set_new(o, "id", json_integer((json_int_t)id));
	json_object_set_new(o, "stage", json_integer((json_int_t)stage));
	json_object_set_new(o, "pipeline", json_string_clean(pipeline));
	json_object_set_new(o, "kind", json_string_clean(kind));
	json_object_set_new(o, "mono", json_real(s->mono));
	json_object_set_new(o, "latency_ms", json_real(s->latency_ms));
	json_object_set_new(o, "ok", json_boolean(s->ok));
	json_object_set_new(o, "err", json_string_clean(s->err));
	json_object_set_new(o, "metrics",
	                    s->metrics ? json_clean_tree(json_deep_copy(s->metrics)) : json_null());
	/* raw is the probe's binary state (counters, packed arrays): kept as it is, never shown */
	json_object_set_new(o, "raw", s->raw ? raw_pack(json_deep_copy(s->raw)) : json_null());
	json_object_set_new(o, "detail",
	                    s->detail ? json_clean_tree(json_deep_copy(s->detail)) : json_null());
	return o;
}

static json_t *json_or_null(json_t *v)
{
	return v && !json_is_null(v) ? json_incref(v) : NULL;
}

bool record_sample_parse(const json_t *line, struct sample *s, unsigned long *id, size_t *stage, char *why,
                         size_t n)
{
	json_t *jid = json_object_get(line, "id"), *jst = json_object_get(line, "stage");
	json_t *wall = json_object_get(line, "wall"), *ok = json_object_get(line, "ok");
	if (!json_is_integer(jid) || json_integer_value(jid) < 1 || !json_is_integer(jst) ||
	    json_integer_value(jst) < 0 || !json_is_number(wall) || !json_is_boolean(ok)) {
		snprintf(why, n, "a sample needs id, stage, wall and ok");
		return false;
	}
	sample_init(s);
	*id = (unsigned long)json_integer_value(jid);
	*stage = (size_t)json_integer_value(jst);
	s->wall = json_number_value(wall);
	s->mono = json_number_value(json_object_get(line, "mono"));
	s->latency_ms = json_number_value(json_object_get(line, "latency_ms"));
	s->ok = json_is_true(ok);
	const char *err = json_string_value(json_object_get(line, "err"));
	strlcpy_safe(s->err, err ? err : "", sizeof s->err);
	s->metrics = json_or_null(json_object_get(line, "metrics"));
	json_t *raw = json_object_get(line, "raw");
	s->raw = raw && !json_is_null(raw) ? raw_unpack(json_deep_copy(raw)) : NULL;
	s->detail = json_or_null(json_object_get(line, "detail"));
	return true;
}

/* ---- the writer ---- */

static json_t *header_json(const struct config *cfg, const struct record_mode *m, const char *text)
{
	json_t *h = json_object();
	json_object_set_new(h, "type", json_string("header"));
	json_object_set_new(h, "wall", json_real(now_wall()));
	json_object_set_new(h, "schema", json_integer(RECORD_SCHEMA));
	json_object_set_new(h, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(h, "mode", json_string(m->name));
	json_object_set_new(h, "undamped", json_boolean(m->undamped));
	json_object_set_new(h, "window_s", json_real(m->window_s));
	json_object_set_new(h, "environment", json_string_clean(cfg->environment ? cfg->environment : ""));
	json_object_set_new(h, "config", json_string(text));
	json_t *pipes = json_array(), *warn = json_array(), *crit = json_array();
	for (size_t i = 0; i < cfg->n_pipelines; i++) {
		const struct pipeline *pl = &cfg->pipelines[i];
		json_t *p = json_object(), *st = json_array();
		json_object_set_new(p, "name", json_string_clean(pl->name));
		for (size_t j = 0; j < pl->n_stages; j++) {
			json_t *s = json_object();
			json_object_set_new(s, "kind", json_string(pl->stages[j].kind->name));
			json_object_set_new(s, "connection", json_string_clean(pl->stages[j].conn->display));
			json_array_append_new(st, s);
		}
		json_object_set_new(p, "stages", st);
		json_array_append_new(pipes, p);
	}
	if (cfg->thresholds)
		for (size_t i = 0; i < cfg->thresholds->n; i++)
			json_array_append_new(cfg->thresholds->items[i].crit ? crit : warn,
			                      json_string_clean(cfg->thresholds->items[i].spec));
	json_object_set_new(h, "pipelines", pipes);
	json_object_set_new(h, "warn", warn);
	json_object_set_new(h, "crit", crit);
	return h;
}

static void fail(struct recorder *r, const char *what)
{
	if (!r->failed)
		fprintf(stderr, "synctop: --record %s: %s: %s (recording stopped)\n", r->path, what,
		        strerror(errno));
	r->failed = true;
}

/* Writes what is gathered: the lines, or one zstd frame of them; then flushes. */
static bool flush(struct recorder *r)
{
	size_t n = r->pending.len;
	r->pending.len = 0;
	if (!n)
		return fflush(r->f) == 0;
#ifdef HAVE_ZSTD
	if (r->zst) {
		size_t w = 0;
		bool ok = zstd_frame_write(r->f, r->pending.s, n, &w);
		r->size += (int64_t)w;
		return ok;
	}
#endif
	bool ok = fwrite(r->pending.s, 1, n, r->f) == n && fflush(r->f) == 0;
	r->size += (int64_t)n;
	return ok;
}

static bool open_file(struct recorder *r, char *why, size_t n)
{
	int fd = open_regular(r->path, O_WRONLY | O_APPEND | O_CREAT, 0600, why, n);
	if (fd < 0)
		return false;
	struct stat st;
	r->f = fstat(fd, &st) == 0 ? fdopen(fd, "a") : NULL;
	if (!r->f) {
		snprintf(why, n, "%s", strerror(errno));
		close(fd);
		return false;
	}
	r->size = st.st_size;
	memset(r->last, 0, r->n_stages * sizeof *r->last); /* a file holds every sample it names */
	r->next_id = 1;
	/* the header first, then what waits (a new file after rotation: this round's events) */
	struct sbuf b = {0};
	sbuf_addn(&b, r->header, strlen(r->header));
	sbuf_addn(&b, r->pending.s ? r->pending.s : "", r->pending.len);
	free(r->pending.s);
	r->pending = b;
	r->rounds = r->size > 0; /* appending to a file that holds rounds already */
	if (!flush(r)) {
		snprintf(why, n, "%s", strerror(errno));
		return false;
	}
	r->wrote = true; /* the next round starts the file */
	return true;
}

/* FILE -> FILE.1 (an older FILE.1 goes), and a new FILE that starts with the header. */
static void rotate(struct recorder *r)
{
	fclose(r->f);
	r->f = NULL;
	char *old = xasprintf("%s.1", r->path);
	if (rename(r->path, old) != 0) {
		free(old);
		fail(r, "cannot rotate it");
		return;
	}
	free(old);
	char why[256];
	if (!open_file(r, why, sizeof why)) {
		errno = 0;
		fprintf(stderr, "synctop: --record %s: %s (recording stopped)\n", r->path, why);
		r->failed = true;
	}
}

static void put(struct recorder *r, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s && !r->failed) { /* never a line left out: the rounds after it would name it */
		fprintf(stderr, "synctop: --record %s: a line could not be encoded (recording stopped)\n",
		        r->path);
		r->failed = true;
	}
	if (!s || r->failed || !r->f) {
		free(s);
		return;
	}
	sbuf_addn(&r->pending, s, strlen(s));
	sbuf_addn(&r->pending, "\n", 1);
	free(s);
	/* plain lines go out as they come (a line is never held back past 64 kB) */
	if (!r->zst && r->pending.len > 65536 && !flush(r))
		fail(r, "cannot write it");
}

bool record_name_zst(const char *path)
{
	size_t len = strlen(path);
	return len > 4 && !strcmp(path + len - 4, ".zst");
}

struct recorder *recorder_open(const char *path, const struct config *cfg, const struct record_mode *m,
                               char *why, size_t n)
{
#ifndef HAVE_ZSTD
	if (record_name_zst(path)) {
		snprintf(why, n,
		         "--record %s: this synctop was built without zstd (configure --with-zstd); "
		         "use a name without .zst",
		         path);
		return NULL;
	}
#endif
	char *text = cfg->path ? record_config_text(cfg->path, why, n) : xstrdup("");
	if (!text)
		return NULL;
	struct recorder *r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->cfg = cfg;
	r->zst = record_name_zst(path);
	r->max_size = cfg->record_max_size > 0 ? cfg->record_max_size : RECORD_MAX_SIZE_DEFAULT;
	for (size_t i = 0; i < cfg->n_pipelines; i++)
		r->n_stages += cfg->pipelines[i].n_stages;
	r->last = xcalloc(r->n_stages ? r->n_stages : 1, sizeof *r->last);
	json_t *h = header_json(cfg, m, text);
	free(text);
	char *hs = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	r->header = xasprintf("%s\n", hs ? hs : "{}");
	free(hs);
	char w[256];
	if (!open_file(r, w, sizeof w)) {
		snprintf(why, n, "--record %s: %s", path, w);
		recorder_close(r);
		return NULL;
	}
	return r;
}

void recorder_close(struct recorder *r)
{
	if (!r)
		return;
	if (active == r)
		active = NULL;
	if (r->f) {
		if (!r->failed && !flush(r))
			fail(r, "cannot write it");
		fclose(r->f);
	}
	free(r->pending.s);
	free(r->last);
	free(r->header);
	free(r->path);
	free(r);
}

/* The id of sample s of stage k, writing it first when it is new; 0 for no sample. */
static unsigned long sample_id(struct recorder *r, size_t k, const struct sample *s, const char *pipeline,
                               const char *kind)
{
	if (!s->metrics && !*s->err && s->wall == 0)
		return 0;
	for (int i = 0; i < 2; i++)
		if (r->last[k][i].id && r->last[k][i].mono == s->mono && r->last[k][i].wall == s->wall)
			return r->last[k][i].id;
	unsigned long id = r->next_id++;
	put(r, record_sample_json(s, id, k, pipeline, kind));
	r->wrote = true;
	r->last[k][1] = r->last[k][0];
	r->last[k][0] = (struct written){.mono = s->mono, .wall = s->wall, .id = id};
	return id;
}

void record_round(const struct snapshot *snap, double track_wall)
{
	struct recorder *r = active;
	if (!r || r->failed)
		return;
	/* Rotation comes between rounds, never inside one: a file names only samples it holds. */
	if (r->size >= r->max_size && r->rounds > 0)
		rotate(r);
	if (r->failed)
		return;
	json_t *stages = json_array();
	size_t k = 0;
	for (size_t i = 0; i < snap->n_pipes; i++)
		for (size_t j = 0; j < snap->pipes[i].n_stages && k < r->n_stages; j++, k++) {
			const struct stage_view *sv = &snap->pipes[i].stages[j];
			const char *pl = snap->pipes[i].cfg->name, *kind = sv->cfg->kind->name;
			unsigned long prev = sample_id(r, k, &sv->prev, pl, kind);
			unsigned long cur = sample_id(r, k, &sv->cur, pl, kind);
			json_t *a = json_array();
			json_array_append_new(a, json_integer((json_int_t)cur));
			json_array_append_new(a, json_integer((json_int_t)prev));
			json_array_append_new(a, json_integer(sv->n_samples));
			json_array_append_new(stages, a);
		}
	if (!r->wrote) { /* a redraw re-evaluates the same samples: the tracker counts none of it */
		json_decref(stages);
		return;
	}
	r->wrote = false;
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("round"));
	json_object_set_new(o, "wall", json_real(snap->taken_at));
	json_object_set_new(o, "track_wall", json_real(track_wall));
	json_object_set_new(o, "status", json_string(status_name(snap->status)));
	json_object_set_new(o, "stages", stages);
	put(r, o);
	r->rounds++;
	if (r->f && !r->failed && !flush(r))
		fail(r, "cannot write it");
}

void record_action(const char *audit_json)
{
	struct recorder *r = active;
	if (!r || r->failed)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("action"));
	json_object_set_new(o, "wall", json_real(now_wall()));
	json_object_set_new(o, "audit", json_loads(audit_json, 0, NULL));
	put(r, o);
	if (!flush(r)) /* an action is never left for a crash to lose */
		fail(r, "cannot write it");
}

void record_event(const struct event *e)
{
	struct recorder *r = active;
	if (!r || r->failed)
		return;
	char text[512];
	event_text(e, text, sizeof text);
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("event"));
	json_object_set_new(o, "wall", json_real(e->wall));
	json_object_set_new(o, "pipeline", json_string_clean(e->pipeline));
	json_object_set_new(o, "stage", json_string_clean(e->stage));
	json_object_set_new(o, "from", json_string(status_name(e->from)));
	json_object_set_new(o, "to", json_string(status_name(e->to)));
	json_object_set_new(o, "rule", json_string_clean(e->rule));
	json_object_set_new(o, "reason", json_string_clean(e->reason));
	json_object_set_new(o, "text", json_string_clean(text));
	put(r, o);
}
