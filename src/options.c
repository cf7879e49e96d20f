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

#define CFG(field)   offsetof(struct config, field)
#define CONN(field)  offsetof(struct conn, field)
#define STAGE(field) offsetof(struct stage_cfg, field)

const char *const conn_kind_names[CONN__COUNT] = {
    [CONN_POSTGRES] = "postgres", [CONN_KAFKA] = "kafka",     [CONN_REDIS] = "redis",
    [CONN_SEARCH] = "search",     [CONN_CONNECT] = "connect",
};

const char *const stage_kind_names[STAGE__COUNT] = {
    [STAGE_OUTBOX] = "outbox",       [STAGE_SLOT] = "slot",     [STAGE_KAFKA] = "kafka",
    [STAGE_CONNECTOR] = "connector", [STAGE_SEARCH] = "search", [STAGE_CACHE] = "cache",
};

const enum conn_kind stage_conn_kind[STAGE__COUNT] = {
    [STAGE_OUTBOX] = CONN_POSTGRES,   [STAGE_SLOT] = CONN_POSTGRES, [STAGE_KAFKA] = CONN_KAFKA,
    [STAGE_CONNECTOR] = CONN_CONNECT, [STAGE_SEARCH] = CONN_SEARCH, [STAGE_CACHE] = CONN_REDIS,
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

#ifdef HAVE_POSTGRES
static const struct opt_def outbox_opts[] = {
    {"outbox", OPT_CONN, NULL, 0, 0, STAGE(conn), false,
     "postgres connection whose outbox table is watched: pending rows, oldest age, failures"},
    {"outbox.table", OPT_STR, "outbox", 1, 0, STAGE(table), false,
     "the outbox table, optionally schema-qualified (public.outbox)"},
    {"outbox.pending", OPT_STR, "NOT processed", 1, 0, STAGE(pending), false,
     "SQL predicate selecting pending rows, e.g. processed_at IS NULL or status = 'PENDING'"},
    {"outbox.id_column", OPT_STR, "id", 1, 0, STAGE(id_column), false,
     "column identifying a row (used by replay)"},
    {"outbox.created_column", OPT_STR, "created_at", 1, 0, STAGE(created_column), false,
     "timestamp column giving the age of the oldest pending row"},
    {"outbox.attempts_column", OPT_STR, "attempts", 0, 0, STAGE(attempts_column), false,
     "column counting delivery attempts; a pending row at max_attempts counts as failed (empty: none)"},
    {"outbox.error_column", OPT_STR, "last_error", 0, 0, STAGE(error_column), false,
     "column holding the last delivery error; a pending row with one counts as failed (empty: none)"},
    {"outbox.count_cap", OPT_INT, "100000", 1, 1e9, STAGE(count_cap), false,
     "pending rows are counted up to this many, so that a huge backlog stays cheap to poll"},
    {"outbox.max_attempts", OPT_INT, "5", 1, 1e6, STAGE(max_attempts), false,
     "attempts after which a pending row counts as failed"},
    {"outbox.seqscan_rows", OPT_INT, "10000", 0, 1e12, STAGE(seqscan_rows), false,
     "warn that the pending predicate needs an index only when the table has more rows than this"},
    {"outbox.pending_warn", OPT_INT, "1000", 0, 0, STAGE(pending_warn), false,
     "pending rows at or above which the stage is warn"},
    {"outbox.pending_crit", OPT_INT, "10000", 0, 0, STAGE(pending_crit), false,
     "pending rows at or above which the stage is crit"},
    {"outbox.oldest_warn", OPT_DURATION, "60s", 0, 0, STAGE(oldest_warn_s), false,
     "age of the oldest pending row at or above which the stage is warn"},
    {"outbox.oldest_crit", OPT_DURATION, "5m", 0, 0, STAGE(oldest_crit_s), false,
     "age of the oldest pending row at or above which the stage is crit"},
    {"outbox.failed_warn", OPT_INT, "1", 0, 0, STAGE(failed_warn), false,
     "failed rows (pending rows at max_attempts or with an error) at or above which the stage is warn"},
    {"outbox.failed_crit", OPT_INT, "100", 0, 0, STAGE(failed_crit), false,
     "failed rows at or above which the stage is crit"},
    {"outbox.control_table", OPT_STR, "outbox_worker", 0, 0, STAGE(control_table), false,
     "table of the workers' pause flags (columns name, paused, paused_at; share/sql/outbox.sql); "
     "empty: none. A pause in force is shown (worker-paused)"},
    {"outbox.worker", OPT_STR, "relay", 1, 0, STAGE(worker), false,
     "the name of this outbox's worker in outbox.control_table"},
    {0},
};

static const struct opt_def slot_opts[] = {
    {"slot", OPT_CONN, NULL, 0, 0, STAGE(conn), false,
     "postgres connection whose logical replication slots are watched"},
    {"slot.names", OPT_LIST, NULL, 0, 0, STAGE(slot_names), false,
     "comma-separated slot names (unset: every logical slot of the database)"},
    {"slot.retained_warn", OPT_SIZE, "1GiB", 0, 0, STAGE(retained_warn), false,
     "WAL retained by a slot at or above which the stage is warn"},
    {"slot.retained_crit", OPT_SIZE, "10GiB", 0, 0, STAGE(retained_crit), false,
     "WAL retained by a slot at or above which the stage is crit"},
    {0},
};
#endif

#ifdef HAVE_KAFKA
static const struct opt_def kafka_stage_opts[] = {
    {"kafka", OPT_CONN, NULL, 0, 0, STAGE(conn), false,
     "kafka connection whose consumer-group lag is watched, and evaluated over time"},
    {"kafka.group", OPT_STR, NULL, 1, 0, STAGE(group), false, "the consumer group (required)"},
    {"kafka.topics", OPT_LIST, NULL, 0, 0, STAGE(topics), false,
     "topics of the group, comma-separated (unset: every topic the group has committed offsets for)"},
    {"kafka.window", OPT_DURATION, "10s", 1, 86400, STAGE(window_s), false,
     "window of polls over which the consumer is evaluated (stalled, stopped, rewound, slow)"},
    {"kafka.lag_warn", OPT_INT, "1000", 0, 0, STAGE(lag_warn), false,
     "total lag (messages) at or above which the stage is warn"},
    {"kafka.lag_crit", OPT_INT, "100000", 0, 0, STAGE(lag_crit), false,
     "total lag (messages) at or above which the stage is crit"},
    {0},
};
#endif

#ifdef HAVE_REDIS
static const struct opt_def cache_stage_opts[] = {
    {"cache", OPT_CONN, NULL, 0, 0, STAGE(conn), false,
     "redis connection whose memory, eviction policy and evictions are watched"},
    {"cache.used_warn", OPT_REAL, "0.8", 0, 1, STAGE(used_warn), false,
     "used_memory / maxmemory at or above which the stage is warn (not for allkeys-* policies)"},
    {"cache.used_crit", OPT_REAL, "0.95", 0, 1, STAGE(used_crit), false,
     "used_memory / maxmemory at or above which the stage is crit"},
    {"cache.evicted_warn", OPT_REAL, "1", 0, 0, STAGE(evicted_warn), false,
     "evicted keys per second at or above which the stage is warn"},
    {"cache.evicted_crit", OPT_REAL, "100", 0, 0, STAGE(evicted_crit), false,
     "evicted keys per second at or above which the stage is crit"},
    {"cache.key_prefix", OPT_STR, NULL, 1, 0, STAGE(key_prefix), false,
     "key prefix (e.g. session:) whose keys are sampled on demand (key t on the screen, --sample): "
     "how many have a TTL; never part of periodic polling"},
    {"cache.sample_keys", OPT_INT, "1000", 10, 1000000, STAGE(sample_keys), false,
     "at most this many keys per sample (SCAN with MATCH, then TTL per key, pipelined)"},
    {0},
};
#endif

#ifdef HAVE_SEARCH
static const struct opt_def connector_stage_opts[] = {
    {"connector", OPT_CONN, NULL, 0, 0, STAGE(conn), false,
     "connect connection (a Kafka Connect worker's REST API) whose connector is watched"},
    {"connector.name", OPT_STR, NULL, 1, 0, STAGE(connector_name), false,
     "the connector (required): its state, and its tasks' (a FAILED task under a RUNNING connector "
     "is the runbook's connector-task-failed)"},
    {0},
};

static const struct opt_def search_stage_opts[] = {
    {"search", OPT_CONN, NULL, 0, 0, STAGE(conn), false,
     "search connection whose index is watched: health, refresh, documents against the source"},
    {"search.index", OPT_STR, NULL, 1, 0, STAGE(index), false, "the index, alias or data stream (required)"},
    {"search.source", OPT_STR, NULL, 1, 0, STAGE(source_name), false,
     "postgres connection that runs the source SQL below, read-only (unset: the pipeline's outbox or "
     "slot connection)"},
    {"search.source_count", OPT_STR, NULL, 1, 0, STAGE(source_count), false,
     "SQL giving the number of rows that should be documents, e.g. SELECT count(*) FROM products; "
     "missing_docs = that - docs"},
    {"search.freshness_field", OPT_STR, NULL, 1, 0, STAGE(freshness_field), false,
     "date field of the documents whose newest value is compared with search.source_freshness"},
    {"search.source_freshness", OPT_STR, NULL, 1, 0, STAGE(source_freshness), false,
     "SQL giving the newest source timestamp, e.g. SELECT max(updated_at) FROM products"},
    {"search.missing_warn", OPT_INT, "1", 0, 0, STAGE(missing_warn), false,
     "documents missing from the index (for search.missing_window) at or above which the stage is warn"},
    {"search.missing_crit", OPT_INT, "1000", 0, 0, STAGE(missing_crit), false,
     "documents missing from the index (for search.missing_window) at or above which the stage is crit"},
    {"search.missing_window", OPT_DURATION, "30s", 0, 86400, STAGE(missing_window_s), false,
     "how long documents must stay missing to count: the least missing over this window is compared "
     "(documents in flight come and go; lost ones stay)"},
    {"search.freshness_warn", OPT_DURATION, "30s", 0, 0, STAGE(freshness_warn_s), false,
     "newest source timestamp ahead of the newest document by this much or more: warn"},
    {"search.freshness_crit", OPT_DURATION, "5m", 0, 0, STAGE(freshness_crit_s), false,
     "newest source timestamp ahead of the newest document by this much or more: crit"},
    {0},
};
#endif

const struct opt_def *const stage_opts[STAGE__COUNT] = {
#ifdef HAVE_POSTGRES
    [STAGE_OUTBOX] = outbox_opts,
    [STAGE_SLOT] = slot_opts,
#endif
#ifdef HAVE_REDIS
    [STAGE_CACHE] = cache_stage_opts,
#else
    [STAGE_CACHE] = NULL,
#endif
#ifdef HAVE_KAFKA
    [STAGE_KAFKA] = kafka_stage_opts,
#else
    [STAGE_KAFKA] = NULL,
#endif
#ifdef HAVE_SEARCH
    [STAGE_SEARCH] = search_stage_opts,
#else
    [STAGE_SEARCH] = NULL,
#endif
#ifdef HAVE_SEARCH
    [STAGE_CONNECTOR] = connector_stage_opts,
#else
    [STAGE_CONNECTOR] = NULL,
#endif
};
