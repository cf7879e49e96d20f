/* config_file.c: reads a config file with libinih into struct config, reporting the first error as FILE:LINE.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_file.h"
#include "config_priv.h"
#include "config_read.h"
#include "kinds/kind.h"
#include "redact.h"
#include "track.h"

/* Largest secret file read (*_file): a password or key, never a whole document. */
#define SECRET_FILE_MAX 65536

static const char *const backend_names[CONN__COUNT] = {
    [CONN_POSTGRES] = "PostgreSQL",   [CONN_KAFKA] = "Kafka",
    [CONN_REDIS] = "Redis",           [CONN_SEARCH] = "Elasticsearch/OpenSearch",
    [CONN_CONNECT] = "Kafka Connect", [CONN_HTTP] = "an HTTP API",
    [CONN_MONGODB] = "MongoDB",
};
static const char *const configure_flags[CONN__COUNT] = {
    [CONN_POSTGRES] = "--with-postgres", [CONN_KAFKA] = "--with-kafka",    [CONN_REDIS] = "--with-redis",
    [CONN_SEARCH] = "--with-search",     [CONN_CONNECT] = "--with-search", [CONN_HTTP] = "--with-search",
    [CONN_MONGODB] = "--with-mongoc",
};
const char *const conn_example_names[CONN__COUNT] = {
    [CONN_POSTGRES] = "shop",   [CONN_KAFKA] = "main", [CONN_REDIS] = "sessions",  [CONN_SEARCH] = "main",
    [CONN_CONNECT] = "workers", [CONN_HTTP] = "relay", [CONN_MONGODB] = "catalog",
};
/* The key every connection must set, and an example of it. */
static const char *const required_keys[CONN__COUNT] = {
    [CONN_POSTGRES] = "conninfo", [CONN_KAFKA] = "brokers", [CONN_REDIS] = "url",   [CONN_SEARCH] = "url",
    [CONN_CONNECT] = "url",       [CONN_HTTP] = "url",      [CONN_MONGODB] = "url",
};
static const char *const required_examples[CONN__COUNT] = {
    [CONN_POSTGRES] = "conninfo = host=db dbname=shop user=synctop",
    [CONN_KAFKA] = "brokers = localhost:9092",
    [CONN_REDIS] = "url = redis://localhost:6379/0",
    [CONN_SEARCH] = "url = https://localhost:9200",
    [CONN_CONNECT] = "url = http://localhost:8083",
    [CONN_HTTP] = "url = http://localhost:8081",
    [CONN_MONGODB] = "url = mongodb://localhost:27017",
};
/* URL schemes accepted per connection kind (none: the kind has no url). */
static const char *const url_schemes[CONN__COUNT][4] = {
    [CONN_REDIS] = {"redis", "rediss", "unix", NULL},  [CONN_SEARCH] = {"http", "https", NULL},
    [CONN_CONNECT] = {"http", "https", NULL},          [CONN_HTTP] = {"http", "https", NULL},
    [CONN_MONGODB] = {"mongodb", "mongodb+srv", NULL},
};

/* Characters a URL's user name or password must not hold unescaped, per connection kind: its
   library would split the URL elsewhere and show a part of the password as a host name (the
   MongoDB URI specification asks drivers to refuse them; libmongoc 1.23 does not). */
static const char *const userinfo_forbids[CONN__COUNT] = {
    [CONN_MONGODB] = "@/",
};

/* The user name and password of a URL: what lies between "://" and its last '@' (none: len 0). */
static const char *url_userinfo(const char *url, size_t *len)
{
	const char *s = strstr(url, "://");
	const char *at = s ? strrchr(s + 3, '@') : NULL;
	*len = at ? (size_t)(at - (s + 3)) : 0;
	return s ? s + 3 : url;
}

static bool userinfo_has(const char *url, const char *chars)
{
	size_t len;
	const char *u = url_userinfo(url, &len);
	for (size_t i = 0; i < len; i++)
		if (strchr(chars, u[i]))
			return true;
	return false;
}

/* Whether this binary was built with the backend of a connection kind (configure --with-X). */
static bool backend_built(enum conn_kind k)
{
	bool built[CONN__COUNT] = {false};
#ifdef HAVE_POSTGRES
	built[CONN_POSTGRES] = true;
#endif
#ifdef HAVE_KAFKA
	built[CONN_KAFKA] = true;
#endif
#ifdef HAVE_REDIS
	built[CONN_REDIS] = true;
#endif
#ifdef HAVE_SEARCH
	built[CONN_SEARCH] = true;
	built[CONN_CONNECT] = true;
	built[CONN_HTTP] = true;
#endif
#ifdef HAVE_MONGOC
	built[CONN_MONGODB] = true;
#endif
	return (unsigned)k < CONN__COUNT && built[k];
}

void config_fail(struct parser *p, int line, const char *fmt, ...)
{
	if (p->err_line && p->err_line <= line)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->file, line, msg);
	p->err_line = line;
}

static void fail_unbuilt(struct parser *p, int line, enum conn_kind k)
{
	config_fail(p, line, "synctop was built without %s support (configure %s)", backend_names[k],
	            configure_flags[k]);
}

void config_fail_unavailable(struct parser *p, int line, const struct kind *k)
{
	if (!backend_built(k->conn))
		fail_unbuilt(p, line, k->conn);
	else
		config_fail(p, line, "the %s stage is not available in this version of synctop", k->name);
}

void suggest_init(struct suggest *s, const char *typed, bool lenient)
{
	s->typed = typed;
	s->limit = 2;
	if (lenient && strlen(typed) / 3 > s->limit)
		s->limit = strlen(typed) / 3;
	s->best = NULL;
	s->best_d = (size_t)-1;
}

void suggest_add(struct suggest *s, const char *cand)
{
	size_t d = levenshtein(s->typed, cand);
	const char *dot = strchr(cand, '.');
	if (dot && !strchr(s->typed, '.')) {
		size_t d2 = levenshtein(s->typed, dot + 1);
		if (d2 < d)
			d = d2;
	}
	if (d <= s->limit && d < s->best_d) {
		s->best = cand;
		s->best_d = d;
	}
}

static void suggest_table(struct suggest *s, const struct opt_def *table)
{
	for (const struct opt_def *o = table; o && o->key; o++)
		if (!opt_is_pattern(o))
			suggest_add(s, o->key);
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static void seen_reset(struct parser *p)
{
	for (size_t i = 0; i < p->n_seen; i++)
		free(p->seen[i].key);
	free(p->seen);
	p->seen = NULL;
	p->n_seen = 0;
}

static void open_connection(struct parser *p, int line, enum conn_kind kind, const char *name)
{
	struct config *cfg = p->cfg;
	for (size_t i = 0; i < cfg->n_conns; i++) {
		struct conn *c = &cfg->conns[i];
		if (strcmp(c->name, name) != 0)
			continue;
		if (c->kind == kind)
			config_fail(p, line, "duplicate section %s (first at line %d)", p->label, c->line);
		else
			config_fail(
			    p, line,
			    "connection name '%s' is already used by [%s %s] at line %d (connection names "
			    "must be unique)",
			    name, conn_kind_names[c->kind], c->name, c->line);
		return;
	}
	cfg->conns = xrealloc(cfg->conns, (cfg->n_conns + 1) * sizeof *cfg->conns);
	struct conn *c = &cfg->conns[cfg->n_conns];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->kind = kind;
	c->file = cfg->path;
	c->line = line;
	opt_apply_defaults(conn_opts[kind], c, false);
	p->sect = SECT_CONN;
	p->index = cfg->n_conns++;
}

static void open_pipeline(struct parser *p, int line, const char *name)
{
	struct config *cfg = p->cfg;
	for (size_t i = 0; i < cfg->n_pipelines; i++) {
		if (strcmp(cfg->pipelines[i].name, name) == 0) {
			config_fail(p, line, "duplicate section %s (first at line %d)", p->label,
			            cfg->pipelines[i].line);
			return;
		}
	}
	size_t n = cfg->n_pipelines;
	cfg->pipelines = xrealloc(cfg->pipelines, (n + 1) * sizeof *cfg->pipelines);
	p->drafts = xrealloc(p->drafts, (n + 1) * sizeof *p->drafts);
	memset(&cfg->pipelines[n], 0, sizeof cfg->pipelines[n]);
	memset(&p->drafts[n], 0, sizeof p->drafts[n]);
	cfg->pipelines[n].name = xstrdup(name);
	cfg->pipelines[n].line = line;
	opt_apply_defaults(pipeline_opts, &cfg->pipelines[n].canary, true);
	pipeline_draft_init(&p->drafts[n]);
	p->sect = SECT_PIPELINE;
	p->index = cfg->n_pipelines++;
}

/* A section header line, seen by the reader so that every section has its line. */
static void open_section(struct parser *p, const char *line)
{
	/* Find ']' the way inih does; without one inih reports the syntax error. */
	const char *q = line + 1;
	bool was_space = false;
	while (*q && *q != ']' && !(was_space && *q == ';')) {
		was_space = isspace((unsigned char)*q);
		q++;
	}
	if (*q != ']')
		return;
	/* inih ignores what follows ']': "[synctop] timeout = 1s" would be lost without a word.
	   Only white space and a comment may follow (the text is not quoted: it may be a secret). */
	const char *after = q + 1;
	after += strspn(after, " \t");
	if (*after && *after != ';' && *after != '#') {
		char *label = xstrndup(line, (size_t)(q + 1 - line));
		config_fail(
		    p, p->lineno,
		    "unexpected text after the section header %s (put key = value on a line of its own)",
		    label);
		free(label);
	}

	seen_reset(p);
	p->sect = SECT_NONE;
	char *text = str_trim(xstrndup(line + 1, (size_t)(q - line - 1)));
	size_t wlen = strcspn(text, " \t");
	char *word = xstrndup(text, wlen);
	char *name = str_trim(xstrdup(text + wlen));
	snprintf(p->label, sizeof p->label, "[%s]", text);
	int ln = p->lineno;

	int kind = -1;
	for (int k = 0; k < CONN__COUNT; k++)
		if (strcmp(word, conn_kind_names[k]) == 0)
			kind = k;

	if (!*word) {
		config_fail(p, ln, "empty section name []; expected e.g. [synctop] or [postgres NAME]");
	} else if (strcmp(word, "synctop") == 0) {
		if (*name)
			config_fail(p, ln, "[synctop] takes no name (found %s)", p->label);
		else if (p->synctop_line)
			config_fail(p, ln, "duplicate section [synctop] (first at line %d)", p->synctop_line);
		p->synctop_line = ln;
		p->sect = SECT_SYNCTOP;
	} else if (kind < 0 && strcmp(word, "pipeline") != 0) {
		struct suggest s;
		suggest_init(&s, word, false);
		suggest_add(&s, "synctop");
		for (int k = 0; k < CONN__COUNT; k++)
			suggest_add(&s, conn_kind_names[k]);
		suggest_add(&s, "pipeline");
		if (s.best)
			config_fail(p, ln, "unknown section %s; did you mean [%s%s%s]?", p->label, s.best,
			            *name ? " " : "", name);
		else
			config_fail(p, ln, "unknown section %s; expected %s", p->label,
			            "synctop, postgres, kafka, redis, search, connect, http or pipeline");
	} else if (kind >= 0 && !backend_built((enum conn_kind)kind)) {
		fail_unbuilt(p, ln, (enum conn_kind)kind);
	} else if (!*name) {
		if (kind >= 0)
			config_fail(p, ln, "[%s] needs a connection name, e.g. [%s %s]", word, word,
			            conn_example_names[kind]);
		else
			config_fail(p, ln, "[pipeline] needs a name, e.g. [pipeline products]");
	} else if (!valid_name(name)) {
		config_fail(p, ln, "invalid name '%s' in %s: use letters, digits, '_', '-' and '.'", name,
		            p->label);
	} else if (kind >= 0) {
		open_connection(p, ln, (enum conn_kind)kind, name);
	} else {
		open_pipeline(p, ln, name);
	}
	free(text);
	free(word);
	free(name);
}

/* inih's reader: one physical line per call, with the line counted and checked here. */
static char *read_line(char *str, int num, void *stream)
{
	struct parser *p = stream;
	if (p->err_line || num < 2)
		return NULL; /* stop at the first error */
	ssize_t len = getline(&p->buf, &p->cap, p->fp);
	if (len < 0)
		return NULL;
	p->lineno++;
	size_t n = (size_t)len;
	while (n > 0 && (p->buf[n - 1] == '\n' || p->buf[n - 1] == '\r'))
		n--;
	p->buf[n] = '\0';
	str[0] = '\0';
	if (strlen(p->buf) != n) {
		config_fail(p, p->lineno, "line contains a NUL byte (is this a text file?)");
		return str;
	}
	if (n > (size_t)num - 1) {
		config_fail(p, p->lineno, "line longer than %d characters", num - 1);
		return str;
	}
	char *s = p->buf;
	if (p->lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	/* No leading white space reaches inih: an indented line is an ordinary line, never
	   the continuation of the previous value. */
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[')
		open_section(p, s);
	strlcpy_safe(str, s, (size_t)num);
	return str;
}

void config_unknown_key(struct parser *p, int line, const char *key)
{
	struct suggest s;
	suggest_init(&s, key, true);
	if (p->sect == SECT_SYNCTOP) {
		suggest_table(&s, synctop_opts);
	} else if (p->sect == SECT_CONN) {
		const struct opt_def *table = conn_opts[p->cfg->conns[p->index].kind];
		suggest_table(&s, table);
		/* "proprety.acks" -> "property.acks" */
		const char *dot = strchr(key, '.');
		for (const struct opt_def *o = table; !s.best && dot && dot[1] && o->key; o++) {
			if (!opt_is_pattern(o))
				continue;
			char *want = xstrndup(o->key, strlen(o->key) - strlen("NAME"));
			char *typed = xstrndup(key, (size_t)(dot + 1 - key));
			bool close = levenshtein(typed, want) <= 2;
			if (close)
				config_fail(p, line, "unknown key '%s' in %s (did you mean '%s%s'?)", key,
				            p->label, want, dot + 1);
			free(want);
			free(typed);
			if (close)
				return;
		}
	} else {
		suggest_table(&s, pipeline_opts);
		for (size_t k = 0; k < kind_count(); k++)
			if (kinds[k]->probe)
				suggest_table(&s, kinds[k]->options);
	}
	if (s.best) {
		config_fail(p, line, "unknown key '%s' in %s (did you mean '%s'?)", key, p->label, s.best);
		return;
	}
	const char *home = NULL;
	if (p->sect != SECT_SYNCTOP && opt_find(synctop_opts, key))
		home = "[synctop]";
	for (size_t k = 0; k < kind_count() && !home && p->sect != SECT_PIPELINE; k++)
		if (kinds[k]->probe && opt_find(kinds[k]->options, key))
			home = "a [pipeline NAME] section";
	for (int k = 0; k < CONN__COUNT && !home && p->sect != SECT_CONN; k++)
		if (opt_find(conn_opts[k], key))
			home = "a connection section such as [postgres NAME]";
	if (home)
		config_fail(p, line, "unknown key '%s' in %s (%s belongs in %s)", key, p->label, key, home);
	else
		config_fail(p, line, "unknown key '%s' in %s (see synctop.conf(5))", key, p->label);
}

/* password_file = relative/path (and any path option) is relative to the config file's directory. */
static char *resolve_path(const struct parser *p, const char *path)
{
	const char *slash = strrchr(p->cfg->path, '/');
	if (path[0] == '/' || !slash)
		return xstrdup(path);
	return xasprintf("%.*s/%s", (int)(slash - p->cfg->path), p->cfg->path, path);
}

/* Reads a secret named by a *_env or *_file key; NULL after recording an error. */
static char *read_secret(struct parser *p, int line, const struct opt_def *o, const char *value)
{
	if (key_has_suffix(o->key, "_env")) {
		const char *v = getenv(value);
		if (!v || !*v) {
			config_fail(p, line, "%s: environment variable %s is %s", o->key, value,
			            v ? "empty" : "not set");
			return NULL;
		}
		return xstrdup(v);
	}
	char *path = resolve_path(p, value);
	char *data = xmalloc(SECRET_FILE_MAX + 1);
	char *secret = NULL;
	size_t n = 0;
	/* Only a regular file: a FIFO would hang the start, /dev/zero never ends. */
	char why[128] = "";
	int fd = open_regular(path, O_RDONLY, 0, why, sizeof why);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (fd >= 0 && !f) {
		snprintf(why, sizeof why, "%s", strerror(errno));
		close(fd);
	}
	if (f) {
		errno = 0;
		n = fread(data, 1, SECRET_FILE_MAX + 1, f);
		if (ferror(f))
			snprintf(why, sizeof why, "%s", strerror(errno ? errno : EIO));
		fclose(f);
	}
	if (*why) {
		config_fail(p, line, "%s: cannot read %s: %s", o->key, path, why);
	} else if (n > SECRET_FILE_MAX) {
		config_fail(p, line, "%s: %s is larger than %d bytes; is it the right file?", o->key, path,
		            SECRET_FILE_MAX);
	} else {
		while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
			n--;
		data[n] = '\0';
		if (n == 0)
			config_fail(p, line, "%s: %s is empty", o->key, path);
		else if (strlen(data) != n)
			config_fail(p, line, "%s: %s contains a NUL byte", o->key, path);
		else
			secret = xstrdup(data);
	}
	explicit_bzero(data, SECRET_FILE_MAX + 1);
	free(data);
	free(path);
	return secret;
}

static bool has_scheme(const char *url, const char *const *schemes)
{
	for (size_t i = 0; schemes[i]; i++) {
		size_t n = strlen(schemes[i]);
		if (strncasecmp(url, schemes[i], n) == 0 && strncmp(url + n, "://", 3) == 0)
			return true;
	}
	return false;
}

static void set_conn_key(struct parser *p, int line, const char *key, const char *value)
{
	struct conn *c = &p->cfg->conns[p->index];
	const struct opt_def *o = opt_find(conn_opts[c->kind], key);
	char msg[512];
	if (!o) {
		config_unknown_key(p, line, key);
	} else if (opt_is_pattern(o)) {
		struct kv **tail = &c->properties;
		while (*tail)
			tail = &(*tail)->next;
		*tail = xcalloc(1, sizeof **tail);
		(*tail)->key = xstrdup(key + strlen(o->key) - strlen("NAME"));
		(*tail)->value = xstrdup(value);
		if (*value && (strcasestr(key, "password") || strcasestr(key, "secret")) && !p->secret_line)
			p->secret_line = line;
	} else if (o->type == OPT_STR && (key_has_suffix(key, "_env") || key_has_suffix(key, "_file"))) {
		char **field = (char **)((char *)c + o->offset);
		if (!*value) {
			config_fail(p, line, "bad value '' for %s: must not be empty", key);
		} else if (*field) {
			const char *other = "";
			for (size_t i = 0; i < p->n_seen; i++) {
				const struct opt_def *prev = opt_find(conn_opts[c->kind], p->seen[i].key);
				if (prev && prev != o && prev->offset == o->offset)
					other = p->seen[i].key;
			}
			config_fail(p, line, "%s and %s both set the same secret in %s; keep one", other, key,
			            p->label);
		} else {
			*field = read_secret(p, line, o, value);
		}
	} else if (!opt_set(o, c, value, false, msg, sizeof msg)) {
		config_fail(p, line, "%s", msg);
	} else if (o->type == OPT_PATH) {
		char **field = (char **)((char *)c + o->offset);
		char *path = resolve_path(p, *field);
		free(*field);
		*field = path;
		struct stat st;
		if (access(path, R_OK) != 0 || stat(path, &st) != 0)
			config_fail(p, line, "%s: cannot read %s: %s", key, path, strerror(errno));
		else if (!S_ISREG(st.st_mode))
			config_fail(p, line, "%s: %s is not a file", key, path);
	} else if (strcmp(key, "url") == 0 && url_schemes[c->kind][0] &&
	           !has_scheme(value, url_schemes[c->kind])) {
		char *shown = opt_shown_value(o, value);
		char list[128] = "";
		const char *const *sch = url_schemes[c->kind];
		for (size_t i = 0; sch[i]; i++) {
			const char *sep = ", ";
			if (i == 0)
				sep = "";
			else if (!sch[i + 1])
				sep = " or ";
			snappendf(list, sizeof list, "%s%s://", sep, sch[i]);
		}
		config_fail(p, line, "bad value '%s' for url: expected a URL starting with %s", shown, list);
		free(shown);
	} else if (strcmp(key, "url") == 0 && userinfo_forbids[c->kind] &&
	           userinfo_has(value, userinfo_forbids[c->kind])) {
		config_fail(p, line,
		            "url: the user name or password holds '@' or '/': percent-encode them "
		            "(%%40, %%2F), as the %s URI requires",
		            backend_names[c->kind]);
	} else if ((o->flags & OPT_SECRET) && !p->secret_line &&
	           (strcmp(key, "conninfo") == 0 ? conninfo_has_password(value) : url_has_password(value))) {
		p->secret_line = line;
	}
}

/* inih's handler: one key = value. The line number comes from the reader. */
static bool color_known(const char *name)
{
	for (const char *const *c = color_names; *c; c++)
		if (!strcasecmp(*c, name))
			return true;
	return false;
}

/* A log file (log_file, audit_log) may not exist yet; if it does, it must be a regular file
   (a FIFO would hang the start, a device swallow the log). Opened later, without blocking,
   all the same. */
static void check_log_file(struct parser *p, int line, const char *key, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		return;
	if (S_ISDIR(st.st_mode))
		config_fail(p, line, "%s: cannot write to %s: %s", key, path, strerror(EISDIR));
	else
		config_fail(p, line, "%s: cannot write to %s: not a regular file (%s)", key, path,
		            file_kind_name(st.st_mode));
}

/* A path option of [synctop] (serve.tls_cert): relative to the config file's directory, and
   a readable regular file at load. */
static void resolve_path_key(struct parser *p, int line, const char *key, char **field)
{
	char *path = resolve_path(p, *field);
	free(*field);
	*field = path;
	struct stat st;
	if (access(path, R_OK) != 0 || stat(path, &st) != 0)
		config_fail(p, line, "%s: cannot read %s: %s", key, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		config_fail(p, line, "%s: %s is not a file", key, path);
}

/* confirm.FAMILY = N, clear.FAMILY = N: FAMILY a stage kind or a rule id (track.h). */
static void set_family_key(struct parser *p, int line, const struct opt_def *o, const char *key,
                           const char *value)
{
	const char *family = key + strlen(o->key) - strlen("NAME");
	if (!damping_family_known(family)) {
		config_fail(p, line,
		            "unknown family '%s' in %s (a stage kind such as outbox or kafka, or a rule id "
		            "such as worker-stalled)",
		            family, key);
		return;
	}
	struct opt_def one = *o; /* the number checked as the key itself, into a scratch int */
	one.key = key;
	one.offset = 0;
	int n = 0;
	char msg[512];
	if (!opt_set(&one, &n, value, false, msg, sizeof msg)) {
		config_fail(p, line, "%s", msg);
		return;
	}
	struct kv **tail = (struct kv **)((char *)p->cfg + o->offset);
	while (*tail)
		tail = &(*tail)->next;
	*tail = xcalloc(1, sizeof **tail);
	(*tail)->key = xstrdup(family);
	(*tail)->value = xasprintf("%d", n);
}

static int handle_key(void *user, const char *section, const char *key, const char *value)
{
	struct parser *p = user;
	int line = p->lineno;
	char msg[512];
	(void)section; /* the reader tracks sections itself; inih truncates long ones */
	if (p->err_line)
		return 1;
	if (!*key) {
		config_fail(p, line, "syntax error: expected 'key = value' or '[section]'");
		return 1;
	}
	if (p->sect == SECT_NONE) {
		if (opt_find(synctop_opts, key))
			config_fail(p, line, "key '%s' comes before any [section]; put it under [synctop]",
			            key);
		else
			config_fail(p, line, "key '%s' comes before any [section]", key);
		return 1;
	}
	for (size_t i = 0; i < p->n_seen; i++) {
		if (strcmp(p->seen[i].key, key) == 0) {
			config_fail(p, line, "duplicate key '%s' in %s (first set at line %d)", key, p->label,
			            p->seen[i].line);
			return 1;
		}
	}
	p->seen = xrealloc(p->seen, (p->n_seen + 1) * sizeof *p->seen);
	p->seen[p->n_seen].key = xstrdup(key);
	p->seen[p->n_seen++].line = line;

	if (p->sect == SECT_SYNCTOP) {
		const struct opt_def *o = opt_find(synctop_opts, key);
		if (!o)
			config_unknown_key(p, line, key);
		else if (opt_is_pattern(o))
			set_family_key(p, line, o, key, value);
		else if (!opt_set(o, p->cfg, value, false, msg, sizeof msg))
			config_fail(p, line, "%s", msg);
		else if (o->type == OPT_PATH)
			resolve_path_key(p, line, key, (char **)((char *)p->cfg + o->offset));
		else if (!strcmp(key, "log_file"))
			check_log_file(p, line, key, value);
		else if (!strcmp(key, "audit_log")) {
			/* relative to the config file, as a path option: not to wherever synctop starts */
			char *path = resolve_path(p, p->cfg->audit_log);
			free(p->cfg->audit_log);
			p->cfg->audit_log = path;
			check_log_file(p, line, key, path);
		} else if (!strcmp(key, "environment_color") && *value && !color_known(value))
			config_fail(
			    p, line,
			    "environment_color: unknown colour '%s' (use red, green, yellow, blue, magenta, "
			    "cyan "
			    "or white)",
			    value);
		else if (!strcmp(key, "theme") && strcmp(value, "default") && strcmp(value, "contrast"))
			config_fail(p, line, "theme: unknown theme '%s' (use default or contrast)", value);
	} else if (p->sect == SECT_CONN) {
		set_conn_key(p, line, key, value);
	} else {
		pipeline_set_key(p, line, key, value);
	}
	return 1;
}

static void check_connection(struct parser *p, struct conn *c)
{
	const char *req = required_keys[c->kind];
	const struct opt_def *o = opt_find(conn_opts[c->kind], req);
	const char *endpoint = *(char **)((char *)c + o->offset);
	if (!endpoint) {
		config_fail(p, c->line, "[%s %s] is missing %s (e.g. %s)", conn_kind_names[c->kind], c->name,
		            req, required_examples[c->kind]);
		return;
	}
	char *shown = c->kind == CONN_POSTGRES ? redact_conninfo(endpoint) : redact_url(endpoint);
	c->display = xasprintf("%s (%s%s)", c->name, shown, c->insecure ? ", TLS NOT VERIFIED" : "");
	free(shown);
}

struct config *config_load(const char *path, char *err, size_t errlen, FILE *warn)
{
	char dummy[1];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	if (!path) {
		snprintf(err, errlen, "no configuration file given");
		return NULL;
	}
	struct parser p = {.file = path, .err = err, .errlen = errlen};
	p.fp = fopen(path, "r");
	struct stat sb = {0};
	if (!p.fp) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(p.fp), &sb) != 0)
		memset(&sb, 0, sizeof sb); /* no mode known: no permission warning */
	if (S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(EISDIR));
		fclose(p.fp);
		return NULL;
	}
	/* A device never ends (/dev/zero) or is empty (/dev/null: a config of nothing, exit 0).
	   A pipe is fine: synctop -c <(generate-config). */
	if (sb.st_mode && !S_ISREG(sb.st_mode) && !S_ISFIFO(sb.st_mode)) {
		snprintf(err, errlen, "%s: cannot read: not a regular file (%s)", path,
		         file_kind_name(sb.st_mode));
		fclose(p.fp);
		return NULL;
	}
	p.cfg = config_default();
	p.cfg->path = xstrdup(path);

	int rc = ini_parse_stream(read_line, &p, handle_key, &p);
	bool read_error = ferror(p.fp);
	int read_errno = errno;
	if (rc > 0 && (!p.err_line || rc < p.err_line)) {
		p.err_line = 0;
		config_fail(&p, rc, "syntax error: expected 'key = value' or '[section]'");
	} else if (rc < 0 && !p.err_line) {
		snprintf(err, errlen, "%s: cannot parse: out of memory", path);
		p.err_line = -1;
	} else if (read_error && !p.err_line) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(read_errno));
		p.err_line = -1;
	}
	if (!p.err_line) {
		for (size_t i = 0; i < p.cfg->n_conns; i++)
			check_connection(&p, &p.cfg->conns[i]);
		for (size_t i = 0; i < p.cfg->n_pipelines; i++)
			pipeline_check(&p, &p.cfg->pipelines[i], &p.drafts[i]);
	}
	if (!p.err_line && p.secret_line && warn && (sb.st_mode & (S_IRGRP | S_IROTH)))
		fprintf(warn,
		        "%s:%d: warning: %s is readable by others and holds a password inline; "
		        "chmod 600 %s or use .pgpass / *_file\n",
		        path, p.secret_line, path, path);

	fclose(p.fp);
	if (p.buf)
		explicit_bzero(p.buf, p.cap);
	free(p.buf);
	seen_reset(&p);
	pipeline_drafts_free(&p);
	if (p.err_line) {
		config_free(p.cfg);
		return NULL;
	}
	return p.cfg;
}
