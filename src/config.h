/* config.h: the parsed configuration: connections, pipelines, stages, options. */
#ifndef SYNCTOP_CONFIG_H
#define SYNCTOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/* Connection kinds: the section word of a named connection, e.g. [postgres shop]. */
enum conn_kind {
	CONN_POSTGRES,
	CONN_KAFKA,
	CONN_REDIS,
	CONN_SEARCH,
	CONN_CONNECT,
	CONN_HTTP,
	CONN_MONGODB,
	CONN__COUNT
};

/* A key = value pair passed through to a backend library (kafka property.X = Y). */
struct kv {
	char *key;
	char *value;
	struct kv *next;
};

struct conn {
	char *name;
	enum conn_kind kind;
	const char *file;      /* config file, for file:line messages */
	int line;              /* line of the section header */
	char *conninfo;        /* postgres: libpq conninfo or URI (may hold a password) */
	char *url;             /* redis, search, connect (may hold user:pass@) */
	char *brokers;         /* kafka */
	struct kv *properties; /* kafka: property.X = Y, in file order */
	char *secret;          /* password from *_env / *_file; never printed */
	char *api_key;         /* search: API key from api_key_env / api_key_file; never printed */
	char *username;        /* search/connect basic auth user */
	char *ca_file;         /* redis (rediss://), search: CA bundle; NULL = the system's */
	double timeout_s;      /* per-poll deadline; 0 = the global [synctop] timeout */
	bool describe_groups;  /* kafka: ask for group state and members (opt-in: see synctop.conf(5)) */
	bool insecure;         /* search: no TLS certificate check (opt-in, shown loudly) */
	char *display;         /* redacted description for messages: "shop (host=db user=app password=***)" */
};

struct kind; /* kinds/kind.h: the stage kind descriptor */

/* One stage: what every kind has. Its KIND.* options are in opts, the kind's own struct
   (struct KIND_opts in src/kinds/KIND/KIND.h), which the kind's option table describes. */
struct stage_cfg {
	const struct kind *kind;
	struct conn *conn;
	int line;   /* line of the key that named the connection */
	void *opts; /* the kind's options (kind->opts_size bytes), owned (config_free frees it) */
};

/* A pipeline's end-to-end canary (canary.h): canary = true and its canary.* keys (pipeline_opts). */
struct canary_cfg {
	bool on;           /* canary: opted in (runs only where synctop may write) */
	double interval_s; /* canary.interval: from the end of one marker to the next insert */
	double timeout_s;  /* canary.timeout: a marker not through every hop by then is lost */
	char *insert;      /* canary.insert: the statement ($1: the marker id); NULL: the kind's default */
	char *cleanup;     /* canary.cleanup: the statement that removes it; NULL: the kind's; "": none */
	char *
	    cache_key; /* canary.cache_key: the key the marker makes ({marker}: its id); NULL: no cache hop */
};

struct pipeline {
	char *name;
	int line;
	struct stage_cfg *stages; /* in flow order */
	size_t n_stages;
	struct canary_cfg canary;
	int canary_line; /* line of canary = true; 0: not opted in */
};

struct thresholds; /* threshold.h: the --warn/--crit overrides */

struct config {
	char *path; /* the file that was read, or NULL when none was found */
	double interval_s;
	double timeout_s;
	char *environment;
	char *environment_color; /* "" = by the environment's name */
	bool read_only;
	int history; /* samples kept per stage */
	char *log_file;
	char *audit_log;          /* NULL: audit_path's default (audit.h) */
	double confirm_timeout_s; /* an applied action's read-back gives up after this long */
	int64_t record_max_size;  /* --record FILE is rotated past this size (record.h) */
	/* Damping (track.h): evaluations a worse status or a new diagnosis holds before it shows
	   (confirm), a better one or a gone one before it goes (clear); per family (a stage kind
	   or a rule id) in confirm.FAMILY / clear.FAMILY, value a whole number as written. */
	int confirm;
	int clear;
	struct kv *confirm_family;
	struct kv *clear_family;
	/* --serve (serve.h): paths resolved against the config file's directory; NULL unset. */
	char *serve_auth_file;
	char *serve_tls_cert;
	char *serve_tls_key;

	struct conn *conns;
	size_t n_conns;
	struct pipeline *pipelines;
	size_t n_pipelines;

	/* --warn/--crit overrides (threshold.h), not owned; NULL when none. */
	const struct thresholds *thresholds;

	/* Issue 17 item 10: the screen's theme, "default" or "contrast" (projectors). */
	char *theme;
	/* Issue 17, item 11: the screen takes mouse clicks and the wheel (mouse = true). */
	bool mouse;
	/* Issue 19: keys c and C copy the snapshot's markdown to the clipboard with OSC 52
	   (clipboard = true). */
	bool clipboard;
};

/* Option types of the option tables. */
enum opt_type { OPT_STR, OPT_BOOL, OPT_INT, OPT_DURATION, OPT_SIZE, OPT_LIST, OPT_CONN, OPT_REAL, OPT_PATH };

/* Option flags. */
enum {
	OPT_SECRET = 1,      /* may hold a secret inline */
	OPT_URL_SEGMENT = 2, /* names a segment of a URL path: "." and ".." are refused */
};

/* One documented option: the tables in options.c are the single source of truth. */
struct opt_def {
	const char *key;
	enum opt_type type;
	const char *def; /* default as written in a config file; NULL = unset */
	double min, max; /* bounds for numbers, durations and sizes (max 0 = none) */
	size_t offset;   /* into struct config, struct conn or a kind's options (unused for OPT_CONN) */
	unsigned flags;  /* OPT_SECRET, OPT_URL_SEGMENT */
	const char *help;
};

/* The section words and their option tables. */
extern const char *const conn_kind_names[CONN__COUNT];
extern const struct opt_def synctop_opts[];
extern const struct opt_def *const conn_opts[CONN__COUNT];
/* The keys of a [pipeline] section that belong to no stage (the canary), into struct canary_cfg. */
extern const struct opt_def pipeline_opts[];
/* Colour names accepted by environment_color, NULL-terminated. */
extern const char *const color_names[];

/* The connection named name, or NULL. */
struct conn *config_conn(const struct config *cfg, const char *name);

/* Effective deadline for one poll of a connection. */
double conn_timeout(const struct config *cfg, const struct conn *c);

#endif
