/* audit.c: the audit log: one JSON line per action, appended whole and fsync'd, never a secret. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "record.h"
#include "redact.h"
#include "sanitize.h"

static const char *const result_names[] = {
    [AUDIT_APPLIED] = "applied", [AUDIT_CONFIRMED] = "confirmed", [AUDIT_UNCONFIRMED] = "unconfirmed",
    [AUDIT_REFUSED] = "refused", [AUDIT_FAILED] = "failed",
};

const char *audit_result_name(enum audit_result r)
{
	if ((unsigned)r >= ARRAY_LEN(result_names))
		return NULL;
	return result_names[r];
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return home;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

const char *audit_path(const struct config *cfg, char *buf, size_t n)
{
	int len;
	const char *state = getenv("XDG_STATE_HOME");
	if (cfg && cfg->audit_log && *cfg->audit_log) {
		len = snprintf(buf, n, "%s", cfg->audit_log);
	} else if (state && state[0] == '/') { /* the XDG spec: a relative path is invalid, ignored */
		len = snprintf(buf, n, "%s/synctop/audit.log", state);
	} else {
		const char *home = home_dir();
		if (!home)
			return NULL;
		len = snprintf(buf, n, "%s/.local/state/synctop/audit.log", home);
	}
	return len >= 0 && (size_t)len < n ? buf : NULL;
}

/* The secrets of the connection acted through, NULL-terminated (NULL: none); free with
   secrets_free. */
static char **conn_secrets(const struct conn *c)
{
	if (!c)
		return NULL;
	char **a = c->conninfo ? secrets_in(c->conninfo, true) : NULL;
	char **b = c->url ? secrets_in(c->url, false) : NULL;
	size_t na = 0, nb = 0;
	while (a && a[na])
		na++;
	while (b && b[nb])
		nb++;
	char **all = xcalloc(na + nb + 3, sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < na; i++)
		all[k++] = a[i];
	for (size_t i = 0; i < nb; i++)
		all[k++] = b[i];
	if (c->secret && *c->secret)
		all[k++] = xstrdup(c->secret);
	if (c->api_key && *c->api_key)
		all[k++] = xstrdup(c->api_key);
	free(a); /* their strings moved into all */
	free(b);
	if (k == 0) {
		free(all);
		return NULL;
	}
	return all;
}

/* s with every URL and every key=value word redacted (redact.h), then every one of the
   connection's secrets replaced by ***: malloc'd. */
static char *scrub(const char *s, char *const *secrets)
{
	struct sbuf out = {0};
	sbuf_addn(&out, "", 0);
	const char *p = s;
	while (*p) {
		size_t sp = strspn(p, " \t\r\n");
		sbuf_addn(&out, p, sp);
		p += sp;
		size_t wl = strcspn(p, " \t\r\n");
		if (wl == 0)
			break;
		char *word = xstrndup(p, wl);
		char *red = NULL;
		if (strstr(word, "://"))
			red = redact_url(word);
		else if (strchr(word, '='))
			red = redact_conninfo(word);
		const char *w = red ? red : word;
		sbuf_addn(&out, w, strlen(w));
		free(red);
		free(word);
		p += wl;
	}
	if (secrets) {
		size_t n = out.len * 3 + 4; /* a secret of one byte becomes three */
		out.s = xrealloc(out.s, n);
		redact_secrets_inplace(out.s, n, (const char *const *)secrets);
	}
	return out.s;
}

/* A JSON string of s scrubbed and cleaned; null for NULL. */
static json_t *jstr(const char *s, char *const *secrets)
{
	if (!s)
		return json_null();
	char *r = scrub(s, secrets);
	json_t *j = json_string_clean(r);
	free(r);
	return j;
}

/* Every string of v (objects and arrays, recursively) scrubbed and cleaned, in place. */
static void scrub_tree(json_t *v, char *const *secrets)
{
	const char *key;
	json_t *x;
	if (json_is_object(v)) {
		json_object_foreach(v, key, x)
		{
			if (json_is_string(x))
				json_object_set_new(v, key, jstr(json_string_value(x), secrets));
			else
				scrub_tree(x, secrets);
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			x = json_array_get(v, i);
			if (json_is_string(x))
				json_array_set_new(v, i, jstr(json_string_value(x), secrets));
			else
				scrub_tree(x, secrets);
		}
	}
}

static json_t *jcount(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

/* "2026-12-03T10:54:12.345Z" */
static void iso_time(double t, char *buf, size_t n)
{
	if (t <= 0)
		t = now_wall();
	long long all_ms = llround(t * 1000.0); /* 0.345 is 0.34499... as a double */
	time_t sec = (time_t)(all_ms / 1000);
	int ms = (int)(all_ms % 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", base, ms);
}

/* $USER, else the passwd name of the uid, else the uid. */
static void user_name(char *buf, size_t n)
{
	const char *u = getenv("USER");
	if (u && *u) {
		strlcpy_safe(buf, u, n);
		return;
	}
	struct passwd *pw = getpwuid(getuid());
	if (pw && pw->pw_name && *pw->pw_name)
		strlcpy_safe(buf, pw->pw_name, n);
	else
		snprintf(buf, n, "%lu", (unsigned long)getuid());
}

/* The address part of $SSH_CLIENT ("203.0.113.7 51234 22"), or NULL. */
static const char *ssh_from(char *buf, size_t n)
{
	const char *c = getenv("SSH_CLIENT");
	if (!c)
		return NULL;
	size_t len = strcspn(c, " ");
	if (len == 0 || len >= n)
		return NULL;
	memcpy(buf, c, len);
	buf[len] = '\0';
	return buf;
}

char *audit_line(const struct config *cfg, const struct audit_entry *e)
{
	char **secrets = conn_secrets(e->conn);
	char when[48], user[256], from[128], host[256];
	iso_time(e->time, when, sizeof when);
	user_name(user, sizeof user);
	const char *host_p = NULL;
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		host_p = host;
	}
	const char *env = cfg && cfg->environment && *cfg->environment ? cfg->environment : NULL;
	json_t *answer;
	if (e->answer_json) {
		answer = json_deep_copy(e->answer_json);
		scrub_tree(answer, secrets);
		json_clean_tree(answer);
	} else {
		answer = jstr(e->answer, secrets);
	}

	json_t *o = json_object();
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "user", json_string_clean(user));
	json_object_set_new(o, "from", json_string_clean(ssh_from(from, sizeof from)));
	json_object_set_new(o, "host", json_string_clean(host_p));
	json_object_set_new(o, "environment", jstr(env, secrets));
	json_object_set_new(o, "pipeline", jstr(e->pipeline, secrets));
	json_object_set_new(o, "stage", jstr(e->stage, secrets));
	json_object_set_new(
	    o, "action", json_string_clean(e->action_word ? e->action_word : action_audit_name(e->action)));
	json_object_set_new(o, "scope", jstr(e->scope, secrets));
	json_object_set_new(o, "target", jstr(e->target, secrets));
	json_object_set_new(o, "previewed", jcount(e->previewed));
	json_object_set_new(o, "affected", jcount(e->affected));
	json_object_set_new(o, "answer", answer ? answer : json_null());
	json_object_set_new(o, "result", json_string_clean(audit_result_name(e->result)));
	json_object_set_new(o, "reason", jstr(e->reason, secrets));
	json_object_set_new(o, "duration_ms", jcount(e->duration_ms));
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	secrets_free(secrets);
	if (!line) /* jansson fails only for want of memory */
		abort();
	return line;
}

/* Creates the missing directories of path's parent, 0700 (the XDG spec's mode). */
static bool make_parents(const char *path, char *err, size_t n)
{
	char *dir = xstrdup(path);
	bool ok = true;
	for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			snprintf(err, n, "cannot write the audit log %s: cannot create %s: %s", path, dir,
			         strerror(errno));
			ok = false;
			break;
		}
		*s = '/';
	}
	free(dir);
	return ok;
}

/* Makes a new file's name durable too; best effort (the line itself is synced). */
static void sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return;
	char *dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

bool audit_ready(const struct config *cfg, char *err, size_t n)
{
	char path[4096];
	if (!audit_path(cfg, path, sizeof path)) {
		snprintf(err, n,
		         "cannot write the audit log: no path for it (set audit_log in [synctop], "
		         "or HOME or XDG_STATE_HOME)");
		return false;
	}
	if (!make_parents(path, err, n))
		return false;
	char why[256];
	int fd = open_regular(path, O_WRONLY | O_APPEND | O_CREAT, 0600, why, sizeof why);
	if (fd < 0) {
		snprintf(err, n, "cannot write the audit log %s: %s", path, why);
		return false;
	}
	close(fd);
	return true;
}

bool audit_append(const struct config *cfg, const struct audit_entry *e, char *err, size_t n)
{
	char dummy[1];
	if (!err || n == 0) {
		err = dummy;
		n = sizeof dummy;
	}
	err[0] = '\0';
	char path[4096];
	if (!audit_path(cfg, path, sizeof path)) {
		snprintf(err, n,
		         "cannot write the audit log: no path for it (set audit_log in [synctop], "
		         "or HOME or XDG_STATE_HOME)");
		return false;
	}
	if (!make_parents(path, err, n))
		return false;
	struct stat st;
	bool created = stat(path, &st) != 0;
	char why[256];
	int fd = open_regular(path, O_WRONLY | O_APPEND | O_CREAT, 0600, why, sizeof why);
	if (fd < 0) {
		snprintf(err, n, "cannot write the audit log %s: %s", path, why);
		return false;
	}
	char *body = audit_line(cfg, e);
	record_action(body); /* --record: every action whatever its result, as audited */
	size_t len = strlen(body);
	char *line = xmalloc(len + 2);
	memcpy(line, body, len);
	line[len++] = '\n';
	line[len] = '\0';
	free(body);
	/* One write of the whole line: with O_APPEND it lands whole after any other writer's. A
	   short write is not retried (the rest would land apart): it is a failure. */
	ssize_t w;
	do
		w = write(fd, line, len);
	while (w < 0 && errno == EINTR);
	free(line);
	bool ok = false;
	if (w < 0)
		snprintf(err, n, "cannot write the audit log %s: %s", path, strerror(errno));
	else if ((size_t)w != len)
		snprintf(err, n, "cannot write the audit log %s: wrote %zd of %zu bytes", path, w, len);
	else if (fsync(fd) != 0)
		snprintf(err, n, "cannot write the audit log %s: fsync: %s", path, strerror(errno));
	else
		ok = true;
	if (close(fd) != 0 && ok) {
		snprintf(err, n, "cannot write the audit log %s: close: %s", path, strerror(errno));
		ok = false;
	}
	if (ok && created)
		sync_parent(path);
	return ok;
}
