/* worker_common.h: what the reference workers, synctop-relay and synctop-indexer, share: the log, the
 * clock, failure states, the signals, a growing string, the options every worker has (-b, -X, -v,
 * --once) and its usage errors, and librdkafka's configuration. Nothing of PostgreSQL: relay.h has that. */
#ifndef SYNCTOP_WORKER_COMMON_H
#define SYNCTOP_WORKER_COMMON_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* The program's name, which starts every log line and usage error: defined by each program. */
extern const char worker_name[];

/* Set by SIGTERM and SIGINT, once worker_signals() installed the handlers. */
extern volatile sig_atomic_t worker_stop;
extern int worker_verbose;

/* SIGTERM and SIGINT set worker_stop and end the sleeps at once; SIGPIPE is ignored. */
void worker_signals(void);

/* One line on stderr, shown when LEVEL <= --verbose count (0: state changes and errors). */
PRINTF_LIKE(2, 3) void worker_log(int level, const char *fmt, ...);

/* Milliseconds of the monotonic clock. */
int64_t worker_now_ms(void);

/* Sleeps MS milliseconds, or less when a stop is asked. */
void worker_sleep_ms(int64_t ms);

/* The pause after CUR (0: none yet) in a backoff that doubles from LO to at most HI. */
int64_t worker_backoff(int64_t cur, int64_t lo, int64_t hi);

/* A failure that is logged once when it starts, and once more per new reason while it lasts (at most
   WORKER_REASONS of them; a repeated one only at -vv): never once per retry. */
#define WORKER_REASONS 4
struct worker_state {
	const char *what; /* "postgres", "kafka", "search" */
	int failing;      /* -1 unknown yet, 0 fine, 1 failing */
	int nreasons;
	char reasons[WORKER_REASONS][256]; /* logged in this failure */
};
PRINTF_LIKE(2, 3) void worker_state_fail(struct worker_state *s, const char *fmt, ...);
PRINTF_LIKE(2, 3) void worker_state_ok(struct worker_state *s, const char *fmt, ...);

/* A growing string, always NUL-terminated. */
struct worker_buf {
	char *s; /* to free */
	size_t len, cap;
	int failed; /* out of memory (or set by the user, e.g. past a limit): nothing more is added */
};
/* Appends N bytes of DATA to B: 0, or -1 once B failed. */
int worker_buf_add(struct worker_buf *b, const void *data, size_t n);

/* ---- the command line --------------------------------------------------------------------------- */

/* The getopt_long() values of the long-only options every worker has; a program's own follow. */
enum { WORKER_OPT_ONCE = 256, WORKER_OPT_TEST_DELAY, WORKER_OPT_OWN };

/* The long options that worker_getopt() takes, and --help: the end of a program's table, its
   terminator included (its short options have "b:X:vh" too). --test-delay-ms is hidden: a pause before
   a commit, which widens a crash window for the tests. */
#define WORKER_LONG_OPTIONS                                                                                  \
	{"brokers", required_argument, NULL, 'b'}, {"once", no_argument, NULL, WORKER_OPT_ONCE},             \
	    {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},                           \
	    {"test-delay-ms", required_argument, NULL, WORKER_OPT_TEST_DELAY}, {NULL, 0, NULL, 0},

/* What every worker's command line sets besides -v (worker_verbose): -b/--brokers, -X NAME=VALUE,
   --once and --test-delay-ms. */
struct worker_opts {
	const char *brokers;      /* default: $SYNCTOP_KAFKA_BOOTSTRAP */
	const char *props[64][2]; /* -X NAME=VALUE: librdkafka properties, applied last */
	int nprops;
	int once;
	int test_delay_ms;
};

/* Sets W's defaults, before worker_getopt(). */
void worker_opts_init(struct worker_opts *w);
/* getopt_long() (SHORTOPTS starts with ':') that takes the options of struct worker_opts into W, and
   -v into worker_verbose, and returns the program's own ones (and 'h'). At the end (-1) it checks
   that no argument is left and that there are brokers. A usage error exits 2, naming the option as
   LONGOPTS spell it. */
int worker_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
                  struct worker_opts *w);
/* S as a whole number from LO to HI, else a usage error naming FLAG. */
int worker_parse_int(const char *flag, const char *s, long lo, long hi);
/* The program's name, ": " and the message on stderr, then exit 2. */
PRINTF_LIKE(1, 2) __attribute__((noreturn)) void worker_usage_error(const char *fmt, ...);

/* ---- Kafka ---------------------------------------------------------------------------------------- */

/* A new librdkafka configuration: bootstrap.servers (--brokers), group.id (--group; NULL: none), the
   program's DEFAULTS (N of them, {name, value}), then the -X properties of W, which override them;
   librdkafka's own log goes to worker_log() at -vv. NULL on error, with why in WHY, naming the option
   or the property. */
rd_kafka_conf_t *worker_kafka_conf(const struct worker_opts *w, const char *group,
                                   const char *const defaults[][2], size_t n, char *why, size_t whylen);
/* What the error callbacks of both make of a client error: all brokers down is a failure of S, the
   rest is logged at -vv. */
void worker_kafka_error(struct worker_state *s, int err, const char *reason);

#endif
