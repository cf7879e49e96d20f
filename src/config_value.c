/* config_value.c: option values (parse, defaults, free, listing) and small config queries. */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "config_file.h"
#include "config_priv.h"
#include "kinds/kind.h"
#include "redact.h"
#include "units.h"

static const char *const type_names[] = {
    [OPT_STR] = "str",           [OPT_BOOL] = "bool",   [OPT_INT] = "int",
    [OPT_DURATION] = "duration", [OPT_SIZE] = "size",   [OPT_LIST] = "list",
    [OPT_CONN] = "connection",   [OPT_REAL] = "number", [OPT_PATH] = "path",
};

bool key_has_suffix(const char *key, const char *suffix)
{
	size_t kl = strlen(key), sl = strlen(suffix);
	return kl > sl && strcmp(key + kl - sl, suffix) == 0;
}

bool opt_is_pattern(const struct opt_def *o)
{
	return key_has_suffix(o->key, ".NAME");
}

const struct opt_def *opt_find(const struct opt_def *table, const char *key)
{
	if (!table)
		return NULL;
	for (const struct opt_def *o = table; o->key; o++)
		if (!opt_is_pattern(o) && strcmp(o->key, key) == 0)
			return o;
	for (const struct opt_def *o = table; o->key; o++) {
		size_t plen = strlen(o->key) - strlen("NAME");
		if (opt_is_pattern(o) && strncmp(o->key, key, plen) == 0 && key[plen] != '\0')
			return o;
	}
	return NULL;
}

char *opt_shown_value(const struct opt_def *o, const char *value)
{
	if (!(o->flags & OPT_SECRET))
		return xstrdup(value);
	if (opt_is_pattern(o))
		return xstrdup(REDACTED);
	if (strcmp(o->key, "conninfo") == 0)
		return redact_conninfo(value);
	return redact_url(value);
}

/* A duration bound or threshold as a config file would write it: 100ms, 2s, 5m, 1h. */
static void format_config_duration(double s, char *buf, size_t n)
{
	if (s > 0 && s < 1)
		snprintf(buf, n, "%gms", s * 1000);
	else if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(buf, n, "%gh", s / 3600);
	else if (s >= 60 && fmod(s, 60) == 0)
		snprintf(buf, n, "%gm", s / 60);
	else
		snprintf(buf, n, "%gs", s);
}

static void format_bound(const struct opt_def *o, double v, char *buf, size_t n)
{
	if (o->type == OPT_DURATION)
		format_config_duration(v, buf, n);
	else if (o->type == OPT_SIZE)
		format_size(v, buf, n);
	else if (o->type == OPT_REAL)
		snprintf(buf, n, "%g", v);
	else
		snprintf(buf, n, "%.0f", v);
}

void opt_format_value(const struct opt_def *o, const void *base, bool wide, char *buf, size_t n)
{
	const char *field = (const char *)base + o->offset;
	switch (o->type) {
	case OPT_INT:
		if (wide)
			snprintf(buf, n, "%lld", (long long)*(const int64_t *)field);
		else
			snprintf(buf, n, "%d", *(const int *)field);
		break;
	case OPT_DURATION:
		format_config_duration(*(const double *)field, buf, n);
		break;
	case OPT_SIZE:
		format_size((double)*(const int64_t *)field, buf, n);
		break;
	case OPT_REAL:
		snprintf(buf, n, "%g", *(const double *)field);
		break;
	default:
		strlcpy_safe(buf, "?", n);
		break;
	}
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_int(const char *s, int64_t *out)
{
	if (!*s || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static void free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

/* "a, b,c" -> {"a","b","c",NULL}; "*" -> NULL (everything). False on an empty item. */
static bool parse_list(const char *s, char ***out)
{
	if (strcmp(s, "*") == 0) {
		*out = NULL;
		return true;
	}
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	char **list = xcalloc(n + 1, sizeof *list);
	const char *p = s;
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(p, ",");
		char *item = str_trim(xstrndup(p, len));
		list[i] = item;
		if (!*item || strpbrk(item, " \t")) {
			free_list(list);
			return false;
		}
		p += len + (p[len] == ',');
	}
	*out = list;
	return true;
}

bool opt_set(const struct opt_def *o, void *base, const char *value, bool wide, char *msg, size_t n)
{
	char *field = (char *)base + o->offset;
	const char *expected = NULL;
	char example[64] = "";
	double num = 0;
	int64_t i64 = 0;

	switch (o->type) {
	case OPT_STR:
	case OPT_PATH:
		if (strlen(value) < o->min) {
			snprintf(msg, n, "bad value '' for %s: must not be empty", o->key);
			return false;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return true;
	case OPT_BOOL:
		if (parse_bool(value, (bool *)field))
			return true;
		expected = "true or false";
		break;
	case OPT_INT:
		if (parse_int(value, &i64)) {
			num = (double)i64;
			break;
		}
		snprintf(example, sizeof example, "a whole number, e.g. %s", o->def ? o->def : "10");
		expected = example;
		break;
	case OPT_DURATION:
		if (parse_duration(value, &num))
			break;
		expected = "a duration such as 500ms, 2s, 5m or 1h30m";
		break;
	case OPT_SIZE:
		if (parse_size(value, &i64)) {
			num = (double)i64;
			break;
		}
		expected = "a size such as 512MB or 1GiB";
		break;
	case OPT_LIST: {
		char **list;
		if (parse_list(value, &list)) {
			free_list(*(char ***)field);
			*(char ***)field = list;
			return true;
		}
		snprintf(example, sizeof example, "comma-separated names, e.g. %s = name1,name2", o->key);
		expected = example;
		break;
	}
	case OPT_CONN:
		snprintf(msg, n, "%s names a connection", o->key);
		return false;
	case OPT_REAL: {
		char *end;
		errno = 0;
		num = strtod(value, &end);
		/* nan and inf parse, and would pass every bound check: a threshold is finite */
		if (*value && !*end && !errno && isfinite(num))
			break;
		snprintf(example, sizeof example, "a %snumber, e.g. %s",
		         *value && !*end && !errno ? "finite " : "", o->def ? o->def : "0.5");
		expected = example;
		break;
	}
	}

	char *shown = opt_shown_value(o, value);
	if (expected) {
		snprintf(msg, n, "bad value '%s' for %s: expected %s", shown, o->key, expected);
		free(shown);
		return false;
	}
	char bound[64];
	if (num < o->min || (o->max > 0 && num > o->max)) {
		bool low = num < o->min;
		format_bound(o, low ? o->min : o->max, bound, sizeof bound);
		snprintf(msg, n, "bad value '%s' for %s: must be at %s %s", shown, o->key,
		         low ? "least" : "most", bound);
		free(shown);
		return false;
	}
	free(shown);
	if (o->type == OPT_INT && wide)
		*(int64_t *)field = i64;
	else if (o->type == OPT_INT)
		*(int *)field = (int)i64;
	else if (o->type == OPT_SIZE)
		*(int64_t *)field = i64;
	else
		*(double *)field = num;
	return true;
}

void opt_apply_defaults(const struct opt_def *table, void *base, bool wide)
{
	char msg[256];
	for (const struct opt_def *o = table; o && o->key; o++) {
		if (!o->def || o->type == OPT_CONN || opt_is_pattern(o))
			continue;
		if (!opt_set(o, base, o->def, wide, msg, sizeof msg)) {
			fprintf(stderr, "synctop: bad built-in default: %s\n", msg);
			abort();
		}
	}
}

static void free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void opt_free_fields(const struct opt_def *table, void *base)
{
	for (const struct opt_def *o = table; base && o && o->key; o++) {
		void **field = (void **)((char *)base + o->offset);
		if (o->type == OPT_CONN) {
			continue;
		} else if (opt_is_pattern(o)) {
			for (struct kv *kv = *field, *next; kv; kv = next) {
				next = kv->next;
				free(kv->key);
				free_secret(kv->value);
				free(kv);
			}
		} else if (o->type == OPT_LIST) {
			free_list(*field);
		} else if (o->type == OPT_STR || o->type == OPT_PATH) {
			if (o->flags & OPT_SECRET)
				free_secret(*field);
			else
				free(*field);
		} else {
			continue;
		}
		*field = NULL; /* two keys may share a field (password_env, password_file) */
	}
}

void stage_cfg_init(struct stage_cfg *st, const struct kind *k)
{
	memset(st, 0, sizeof *st);
	st->kind = k;
	if (k->opts_size)
		st->opts = xcalloc(1, k->opts_size);
	opt_apply_defaults(k->options, st->opts, true);
}

void stage_cfg_free_fields(struct stage_cfg *st)
{
	if (st->kind)
		opt_free_fields(st->kind->options, st->opts);
	free(st->opts);
	memset(st, 0, sizeof *st);
}

void conn_free_fields(struct conn *c)
{
	free(c->name);
	free_secret(c->conninfo);
	free_secret(c->url);
	free(c->brokers);
	for (struct kv *kv = c->properties, *next; kv; kv = next) {
		next = kv->next;
		free(kv->key);
		free_secret(kv->value);
		free(kv);
	}
	free_secret(c->secret);
	free_secret(c->api_key);
	free(c->username);
	free(c->ca_file);
	free(c->display);
	memset(c, 0, sizeof *c);
}

static void kv_free(struct kv *kv)
{
	for (struct kv *next; kv; kv = next) {
		next = kv->next;
		free(kv->key);
		free(kv->value);
		free(kv);
	}
}

void pipeline_free_fields(struct pipeline *pl)
{
	for (size_t s = 0; s < pl->n_stages; s++)
		stage_cfg_free_fields(&pl->stages[s]);
	free(pl->stages);
	opt_free_fields(pipeline_opts, &pl->canary);
	free(pl->name);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	kv_free(cfg->confirm_family);
	kv_free(cfg->clear_family);
	for (size_t i = 0; i < cfg->n_conns; i++)
		conn_free_fields(&cfg->conns[i]);
	free(cfg->conns);
	for (size_t i = 0; i < cfg->n_pipelines; i++)
		pipeline_free_fields(&cfg->pipelines[i]);
	free(cfg->pipelines);
	free(cfg->path);
	free(cfg->environment);
	free(cfg->environment_color);
	free(cfg->log_file);
	free(cfg->audit_log);
	free(cfg->serve_auth_file);
	free(cfg->serve_tls_cert);
	free(cfg->serve_tls_key);
	free(cfg->theme);
	free(cfg);
}

struct config *config_default(void)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	opt_apply_defaults(synctop_opts, cfg, false);
	return cfg;
}

static void list_table(FILE *out, const char *section, const struct opt_def *table)
{
	for (const struct opt_def *o = table; o && o->key; o++)
		fprintf(out, "%s\t%s\t%s\t%s\t%s\n", section, o->key, type_names[o->type],
		        !o->def   ? "-"
		        : *o->def ? o->def
		                  : "\"\"",
		        o->help);
}

void config_list_options(FILE *out)
{
	list_table(out, "synctop", synctop_opts);
	for (int k = 0; k < CONN__COUNT; k++)
		list_table(out, conn_kind_names[k], conn_opts[k]);
	list_table(out, "pipeline", pipeline_opts);
	for (size_t k = 0; k < kind_count(); k++)
		if (kinds[k]->probe)
			list_table(out, "pipeline", kinds[k]->options);
}

/* Copies a candidate into path if it fits and exists (existing but unreadable counts: the
   load then says why it cannot be read, rather than silently using the defaults). */
static bool try_path(char *path, size_t n, const char *dir, const char *rest)
{
	int len = snprintf(path, n, "%s%s", dir, rest);
	if (len < 0 || (size_t)len >= n || access(path, F_OK) != 0) {
		if (n)
			path[0] = '\0';
		return false;
	}
	return true;
}

bool config_find(char *path, size_t n)
{
	const char *env = getenv("SYNCTOP_CONFIG");
	if (env && *env) {
		/* Named explicitly: returned even if missing, so that the load reports it. */
		int len = snprintf(path, n, "%s", env);
		if (len >= 0 && (size_t)len < n)
			return true;
	}
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/') {
		if (try_path(path, n, xdg, "/synctop/synctop.conf"))
			return true;
	} else {
		const char *home = getenv("HOME");
		if (home && *home && try_path(path, n, home, "/.config/synctop/synctop.conf"))
			return true;
	}
	return try_path(path, n, "", "/etc/synctop.conf");
}
