/* options.c: every config option, once: key, type, default, bounds, help. */
#include "util.h"

#include "config.h"

/* Conventions the loader (config.c) relies on:
   - OPT_INT is an int in struct config and an int64_t in struct stage_cfg.
   - For OPT_STR and OPT_PATH, min is the minimum length: 1 means "must not be empty when set".
   - An OPT_PATH is relative to the config file's directory and must be readable at load.
   - A key ending in "_env" names an environment variable, one ending in "_file" a file;
     the secret read from it is stored at offset.
   - A key ending in ".NAME" is a prefix: "property.NAME" takes any "property.X = Y",
     kept in order in the struct kv list at offset.
   - The first entry of a stage table is the stage key itself (OPT_CONN): outbox = CONN.
   - A key ending in "_warn" is checked against the matching "_crit" key (warn <= crit). */

#define CFG(field)  offsetof(struct config, field)
#define CONN(field) offsetof(struct conn, field)

const char *const conn_kind_names[CONN__COUNT] = {
    [CONN_POSTGRES] = "postgres", [CONN_KAFKA] = "kafka",     [CONN_REDIS] = "redis",
    [CONN_SEARCH] = "search",     [CONN_CONNECT] = "connect",
};

const char *const color_names[] = {"red", "green", "yellow", "blue", "magenta", "cyan", "white", NULL};

const struct opt_def synctop_opts[] = {
    {"interval", OPT_DURATION, "2s", 0.1, 3600, CFG(interval_s), false,
     "time between two polls of every stage"},
    {"timeout", OPT_DURATION, "2s", 0.1, 300, CFG(timeout_s), false,
     "deadline of one poll of a connection, unless the connection sets its own"},
    {"environment", OPT_STR, "", 0, 0, CFG(environment), false,
     "name shown in the header, e.g. production (shown in red) or staging"},
    {"environment_color", OPT_STR, "", 0, 0, CFG(environment_color), false,
     "background of the environment in the header: red, green, yellow, blue, magenta, cyan or white "
     "(empty: red for names starting with prod, cyan otherwise)"},
    {"read_only", OPT_BOOL, "false", 0, 0, CFG(read_only), false,
     "true disables every action that writes (replay, refresh, pause, resume, restart)"},
    {"history", OPT_INT, "300", 10, 100000, CFG(history), false,
     "samples kept per stage for sparklines, rates and trends"},
    {"log_file", OPT_STR, NULL, 1, 0, CFG(log_file), false,
     "file that synctop appends its log to (unset: no log file)"},
    {0},
};

/* Every connection kind takes a timeout; unset (0) means the [synctop] timeout. */
#define TIMEOUT_HELP "deadline of one poll of this connection (unset: the [synctop] timeout)"

static const struct opt_def postgres_opts[] = {
    {"conninfo", OPT_STR, NULL, 1, 0, CONN(conninfo), true,
     "libpq connection string or postgresql:// URI (required); prefer .pgpass to password="},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), false, TIMEOUT_HELP},
    {0},
};

static const struct opt_def kafka_opts[] = {
    {"brokers", OPT_STR, NULL, 1, 0, CONN(brokers), false,
     "bootstrap servers, host:port[,host:port...] (required)"},
    {"sasl_password_env", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "environment variable holding the SASL password"},
    {"sasl_password_file", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "file holding the SASL password (trailing newline ignored)"},
    {"property.NAME", OPT_STR, NULL, 0, 0, CONN(properties), true,
     "any librdkafka property, passed through, e.g. property.security.protocol = SASL_SSL"},
    {"describe_groups", OPT_BOOL, "false", 0, 0, CONN(describe_groups), false,
     "ask the brokers for the group's state and members (DescribeConsumerGroups); off by default: "
     "a broker that refuses it can wedge or crash librdkafka 2.0, so a child process asks"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), false, TIMEOUT_HELP},
    {0},
};

static const struct opt_def redis_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), true,
     "redis://[USER][:PASSWORD@]HOST[:PORT][/DB], rediss:// (TLS) or unix://[[USER]:PASSWORD@]PATH[?db=DB] "
     "(required)"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "environment variable holding the Redis password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "file holding the Redis password (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), false,
     "CA bundle (PEM) that signs the server's certificate, for rediss:// (unset: the system's)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), false, TIMEOUT_HELP},
    {0},
};

static const struct opt_def search_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), true,
     "Elasticsearch or OpenSearch base URL, e.g. https://localhost:9200 (required)"},
    {"username", OPT_STR, NULL, 1, 0, CONN(username), false, "user name for HTTP basic authentication"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "environment variable holding the basic authentication password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "file holding the basic authentication password (trailing newline ignored)"},
    {"api_key_env", OPT_STR, NULL, 1, 0, CONN(api_key), false,
     "environment variable holding an API key (sent as Authorization: ApiKey)"},
    {"api_key_file", OPT_STR, NULL, 1, 0, CONN(api_key), false,
     "file holding an API key (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), false,
     "CA bundle (PEM) that signs the cluster's certificate, e.g. Elasticsearch 8's http_ca.crt "
     "(unset: the system's)"},
    {"insecure", OPT_BOOL, "false", 0, 0, CONN(insecure), false,
     "true skips the TLS certificate check (shown on every line that names the connection)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), false, TIMEOUT_HELP},
    {0},
};

static const struct opt_def connect_opts[] = {
    {"url", OPT_STR, NULL, 1, 0, CONN(url), true,
     "Kafka Connect REST URL, e.g. http://localhost:8083 (required)"},
    {"username", OPT_STR, NULL, 1, 0, CONN(username), false, "user name for HTTP basic authentication"},
    {"password_env", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "environment variable holding the basic authentication password"},
    {"password_file", OPT_STR, NULL, 1, 0, CONN(secret), false,
     "file holding the basic authentication password (trailing newline ignored)"},
    {"ca_file", OPT_PATH, NULL, 1, 0, CONN(ca_file), false,
     "CA bundle (PEM) that signs the worker's certificate (unset: the system's)"},
    {"insecure", OPT_BOOL, "false", 0, 0, CONN(insecure), false,
     "true skips the TLS certificate check (shown on every line that names the connection)"},
    {"timeout", OPT_DURATION, NULL, 0.1, 300, CONN(timeout_s), false, TIMEOUT_HELP},
    {0},
};

const struct opt_def *const conn_opts[CONN__COUNT] = {
    [CONN_POSTGRES] = postgres_opts, [CONN_KAFKA] = kafka_opts,     [CONN_REDIS] = redis_opts,
    [CONN_SEARCH] = search_opts,     [CONN_CONNECT] = connect_opts,
};
