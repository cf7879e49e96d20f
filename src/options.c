/* options.c: every config option, once: key, type, default, bounds, help. */
#include "util.h"

#include "config.h"

/* Conventions the loader (config.c) relies on:
   - OPT_INT is an int in struct config and an int64_t in a kind's options struct.
   - A stage option's offset is into its kind's options struct (struct KIND_opts, the kind's
     opts_size); strings, lists and key = value lists there are freed by their type.
   - For OPT_STR and OPT_PATH, min is the minimum length: 1 means "must not be empty when set".
   - An OPT_PATH is relative to the config file's directory and must be readable at load.
   - A key ending in "_env" names an environment variable, one ending in "_file" a file;
     the secret read from it is stored at offset.
   - A key ending in ".NAME" is a prefix: "property.NAME" takes any "property.X = Y",
     kept in order in the struct kv list at offset.
   - The first entry of a stage table is the stage key itself (OPT_CONN): KIND = CONN. Its
     offset is unused: the connection is struct stage_cfg's conn.
   - OPT_SECRET: the value may hold a secret inline (redacted in messages, wiped when freed).
   - OPT_URL_SEGMENT: the value is a segment of a URL path: "." and ".." are refused.
   - A key ending in "_warn" is checked against the matching "_crit" key (warn <= crit). */

#define CFG(field)  offsetof(struct config, field)
#define CONN(field) offsetof(struct conn, field)

const char *const conn_kind_names[CONN__COUNT] = {
    [CONN_POSTGRES] = "postgres", [CONN_KAFKA] = "kafka",     [CONN_REDIS] = "redis",
    [CONN_SEARCH] = "search",     [CONN_CONNECT] = "connect", [CONN_HTTP] = "http",
    [CONN_MONGODB] = "mongodb",
};

const char *const color_names[] = {"red", "green", "yellow", "blue", "magenta", "cyan", "white", NULL};

const struct opt_def synctop_opts[] = {
    {"interval", OPT_DURATION, "2s", 0.1, 3600, CFG(interval_s), 0, "time between two polls of every stage"},
    {"timeout", OPT_DURATION, "2s", 0.1, 300, CFG(timeout_s), 0,
     "deadline of one poll of a connection, unless the connection sets its own"},
    {"environment", OPT_STR, "", 0, 0, CFG(environment), 0,
     "name shown in the header, e.g. production (shown in red) or staging"},
    {"environment_color", OPT_STR, "", 0, 0, CFG(environment_color), 0,
     "background of the environment in the header: red, green, yellow, blue, magenta, cyan or white "
     "(empty: red for names starting with prod, cyan otherwise)"},
    {"read_only", OPT_BOOL, "false", 0, 0, CFG(read_only), 0,
     "true disables every action that writes (replay, refresh, pause, resume, restart)"},
    {"history", OPT_INT, "300", 10, 100000, CFG(history), 0,
     "polls kept per stage for its sparkline (its main figure; the newest two samples whole)"},
    {"log_file", OPT_STR, NULL, 1, 0, CFG(log_file), 0,
     "file that synctop appends its log to (unset: no log file)"},
    {"audit_log", OPT_STR, NULL, 1, 0, CFG(audit_log), 0,
     "file that every action appends its JSON line to (unset: $XDG_STATE_HOME/synctop/audit.log)"},
    {"confirm_timeout", OPT_DURATION, "30s", 1, 600, CFG(confirm_timeout_s), 0,
     "how long an applied action's effect is read back before it is reported not confirmed"},
    {"record.max_size", OPT_SIZE, "100MiB", 4096, 0, CFG(record_max_size), 0,
     "--record FILE: past this size FILE becomes FILE.1 (an older FILE.1 is dropped) and a new FILE "
     "starts, so a recording takes at most twice this"},
    {"confirm", OPT_INT, "2", 1, 100, CFG(confirm), 0,
     "polls a worse status or a new diagnosis must hold before it is shown"},
    {"clear", OPT_INT, "2", 1, 100, CFG(clear), 0,
     "polls a better status or a gone diagnosis must hold before it is shown"},
    {"confirm.NAME", OPT_INT, NULL, 1, 100, CFG(confirm_family), 0,
     "confirm for one family: a stage kind (confirm.kafka) or a rule id (confirm.worker-stalled)"},
    {"clear.NAME", OPT_INT, NULL, 1, 100, CFG(clear_family), 0,
     "clear for one family: a stage kind (clear.search) or a rule id (clear.search-stale)"},
    {"serve.auth_file", OPT_PATH, NULL, 1, 0, CFG(serve_auth_file), 0,
     "--serve: file of user:password lines, one a line; every request then needs HTTP basic "
     "authentication (the file must not be readable by group or others)"},
    {"serve.tls_cert", OPT_PATH, NULL, 1, 0, CFG(serve_tls_cert), 0,
     "--serve: certificate (PEM, chain after it) to answer HTTPS with; needs serve.tls_key"},
    {"serve.tls_key", OPT_PATH, NULL, 1, 0, CFG(serve_tls_key), 0,
     "--serve: private key (PEM, unencrypted) of serve.tls_cert"},
    {"theme", OPT_STR, "default", 0, 0, CFG(theme), 0,
     "the screen's look: default, or contrast for projectors (bold, reverse status blocks, no dim "
     "text, white on black borders)"},
    {"mouse", OPT_BOOL, "true", 0, 0, CFG(mouse), 0,
     "the screen takes the mouse: a click selects a stage, a double click opens it, the wheel "
     "scrolls (false: the terminal keeps it, for selecting text)"},
    {"clipboard", OPT_BOOL, "true", 0, 0, CFG(clipboard), 0,
     "keys c and C copy the selected pipeline's (every pipeline's) markdown snapshot to the "
     "terminal's clipboard with OSC 52, through tmux and ssh (false: the keys only say it is off)"},
    {0},
};

/* Every connection kind takes a timeout; unset (0) means the [synctop] timeout. */
#define TIMEOUT_HELP "deadline of one poll of this connection (unset: the [synctop] timeout)"

static const struct opt_def postgres_opts[] = {
    {"conninfo", OPT_STR, NULL, 1, 0, CONN(conninfo), OPT_SECRET,
     "libpq connection string or postgresql:// URI (required); prefer .pgpass to password="},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), 0, TIMEOUT_HELP},
    {0},
};

static const struct opt_def kafka_opts[] = {
    {"brokers", OPT_STR, NULL, 1, 0, CONN(brokers), 0,
     "bootstrap servers, host:port[,host:port...] (required)"},
    {"sasl_password_env", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "environment variable holding the SASL password"},
    {"sasl_password_file", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "file holding the SASL password (trailing newline ignored)"},
    {"property.NAME", OPT_STR, NULL, 0, 0, CONN(properties), OPT_SECRET,
     "any librdkafka property, passed through, e.g. property.security.protocol = SASL_SSL"},
    {"describe_groups", OPT_BOOL, "false", 0, 0, CONN(describe_groups), 0,
     "ask the brokers for the group's state and members (DescribeConsumerGroups); off by default: "
     "a broker that refuses it can wedge or crash librdkafka 2.0, so a child process asks"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), 0, TIMEOUT_HELP},
    {0},
};

static const struct opt_def redis_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), OPT_SECRET,
     "redis://[USER][:PASSWORD@]HOST[:PORT][/DB], rediss:// (TLS) or unix://[[USER]:PASSWORD@]PATH[?db=DB] "
     "(required)"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), 0, "environment variable holding the Redis password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "file holding the Redis password (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), 0,
     "CA bundle (PEM) that signs the server's certificate, for rediss:// (unset: the system's)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), 0, TIMEOUT_HELP},
    {0},
};

static const struct opt_def search_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), OPT_SECRET,
     "Elasticsearch or OpenSearch base URL, e.g. https://localhost:9200 (required)"},
    {"username", OPT_STR, NULL, 1, 0, CONN(username), 0, "user name for HTTP basic authentication"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "environment variable holding the basic authentication password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "file holding the basic authentication password (trailing newline ignored)"},
    {"api_key_env", OPT_STR, NULL, 1, 0, CONN(api_key), 0,
     "environment variable holding an API key (sent as Authorization: ApiKey)"},
    {"api_key_file", OPT_STR, NULL, 1, 0, CONN(api_key), 0,
     "file holding an API key (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), 0,
     "CA bundle (PEM) that signs the cluster's certificate, e.g. Elasticsearch 8's http_ca.crt "
     "(unset: the system's)"},
    {"insecure", OPT_BOOL, "false", 0, 0, CONN(insecure), 0,
     "true skips the TLS certificate check (shown on every line that names the connection)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), 0, TIMEOUT_HELP},
    {0},
};

static const struct opt_def connect_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), OPT_SECRET,
     "Kafka Connect REST URL, e.g. http://localhost:8083 (required)"},
    {"username", OPT_STR, NULL, 1, 0, CONN(username), 0, "user name for HTTP basic authentication"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "environment variable holding the basic authentication password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "file holding the basic authentication password (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), 0,
     "CA bundle (PEM) that signs the worker's certificate (unset: the system's)"},
    {"insecure", OPT_BOOL, "false", 0, 0, CONN(insecure), 0,
     "true skips the TLS certificate check (shown on every line that names the connection)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), 0, TIMEOUT_HELP},
    {0},
};

static const struct opt_def http_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), OPT_SECRET,
     "base URL of a worker's HTTP admin API, e.g. http://localhost:8081 (required); a stage's paths "
     "are relative to it"},
    {"username", OPT_STR, NULL, 1, 0, CONN(username), 0, "user name for HTTP basic authentication"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "environment variable holding the basic authentication password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "file holding the basic authentication password (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), 0,
     "CA bundle (PEM) that signs the API's certificate (unset: the system's)"},
    {"insecure", OPT_BOOL, "false", 0, 0, CONN(insecure), 0,
     "true skips the TLS certificate check (shown on every line that names the connection)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), 0, TIMEOUT_HELP},
    {0},
};

static const struct opt_def mongodb_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), OPT_SECRET,
     "MongoDB connection string, e.g. mongodb://synctop@db1,db2/?replicaSet=rs0&authSource=admin "
     "(required); the URI's options are the driver's (libmongoc)"},
    {"username", OPT_STR, NULL, 1, 0, CONN(username), 0, "user name (instead of the URL's)"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), 0, "environment variable holding the password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), 0,
     "file holding the password (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), 0,
     "CA bundle (PEM) that signs the server's certificate, for tls=true (unset: the system's)"},
    {"insecure", OPT_BOOL, "false", 0, 0, CONN(insecure), 0,
     "true skips the TLS certificate check (shown on every line that names the connection)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), 0, TIMEOUT_HELP},
    {0},
};

#define CANARY(field) offsetof(struct canary_cfg, field)

const struct opt_def pipeline_opts[] = {
    {"canary", OPT_BOOL, "false", 0, 0, CANARY(on), 0,
     "the end-to-end canary: every canary.interval synctop inserts one marker event through the "
     "pipeline's first stage and times each hop until it is seen at the last (a write: audited; "
     "never under read_only, --read-only, --wallboard or --once)"},
    {"canary.interval", OPT_DURATION, "30s", 1, 86400, CANARY(interval_s), 0,
     "time from the end of one canary (seen at every hop, or lost) to the next marker's insert"},
    {"canary.timeout", OPT_DURATION, "2m", 1, 86400, CANARY(timeout_s), 0,
     "a marker not seen at every hop this long after its insert is lost (crit: canary-lost, naming "
     "the hop where it stopped)"},
    {"canary.insert", OPT_STR, NULL, 1, 0, CANARY(insert), 0,
     "the statement that inserts the marker, in one transaction, with the marker id as $1, returning "
     "the row's id (unset: an outbox row of aggregate_type synctop-canary in outbox.table)"},
    {"canary.cleanup", OPT_STR, NULL, 0, 0, CANARY(cleanup), 0,
     "the statement that removes a marker once seen at every hop ($1: the marker id; unset: delete "
     "its processed outbox row; empty: keep markers)"},
    {"canary.cache_key", OPT_STR, NULL, 1, 0, CANARY(cache_key), 0,
     "a cache key the marker's event makes, {marker} standing for its id (e.g. product:{marker}): the "
     "cache stage is then a hop, seen when the key exists (unset: the cache is no hop)"},
    {0},
};

const struct opt_def *const conn_opts[CONN__COUNT] = {
    [CONN_POSTGRES] = postgres_opts, [CONN_KAFKA] = kafka_opts,     [CONN_REDIS] = redis_opts,
    [CONN_SEARCH] = search_opts,     [CONN_CONNECT] = connect_opts, [CONN_HTTP] = http_opts,
    [CONN_MONGODB] = mongodb_opts,
};
