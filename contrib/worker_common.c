/* worker_common.c: the log, clock, failure states, signals, growing string, common options and
 * librdkafka set-up of the reference workers (synctop-relay, synctop-indexer). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "worker_common.h"

volatile sig_atomic_t worker_stop;
int worker_verbose;

/* ---- signals, log, clock, states, strings ----------------------------------------------------------------
 */

static void on_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

void worker_signals(void)
{
	struct sigaction sa;

	/* No SA_RESTART: a signal ends the sleeps at once. librdkafka's threads block signals. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void worker_log(int level, const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level > worker_verbose)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line: librdkafka's threads log too. */
	fprintf(stderr, "%s.%03ldZ %s: %s\n", stamp, ts.tv_nsec / 1000000, worker_name, line);
}

int64_t worker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void worker_sleep_ms(int64_t ms)
{
	int64_t until = worker_now_ms() + ms, left;

	while (!worker_stop && (left = until - worker_now_ms()) > 0) {
		struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000};

		nanosleep(&ts, NULL); /* a signal ends it early */
	}
}

int64_t worker_backoff(int64_t cur, int64_t lo, int64_t hi)
{
	return cur <= 0 ? lo : cur * 2 > hi ? hi : cur * 2;
}

void worker_state_fail(struct worker_state *s, const char *fmt, ...)
{
	char msg[sizeof s->reasons[0]];
	int i, seen = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (s->failing != 1)
		s->nreasons = 0;
	for (i = 0; i < s->nreasons; i++)
		seen |= !strcmp(s->reasons[i], msg);
	if (!seen && s->nreasons == WORKER_REASONS)
		seen = 1; /* a reason that changes all the time: enough said */
	worker_log(seen ? 2 : 0, "%s: %s", s->what, msg);
	if (!seen)
		memcpy(s->reasons[s->nreasons++], msg, sizeof msg);
	s->failing = 1;
}

void worker_state_ok(struct worker_state *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->failing == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	worker_log(0, "%s: %s", s->what, msg);
	s->failing = 0;
	s->nreasons = 0;
}

int worker_buf_add(struct worker_buf *b, const void *data, size_t n)
{
	if (b->failed)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		void *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p) {
			b->failed = 1;
			return -1;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* ---- the command line --------------------------------------------------------------------------- */

void worker_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", worker_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

int worker_parse_int(const char *flag, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		worker_usage_error("%s: expected a whole number from %ld to %ld, not '%s'", flag, lo, hi, s);
	return (int)v;
}

/* "--batch" for 'n': how the errors name an option; NULL for none. */
static const char *option_name(const struct option *longopts, int val)
{
	static char buf[64];
	const struct option *o;

	for (o = longopts; o->name; o++)
		if (o->val == val) {
			snprintf(buf, sizeof buf, "--%s", o->name);
			return buf;
		}
	if (val <= 0 || val >= 256)
		return NULL;
	snprintf(buf, sizeof buf, "-%c", val);
	return buf;
}

void worker_opts_init(struct worker_opts *w)
{
	const char *env = getenv("SYNCTOP_KAFKA_BOOTSTRAP");

	*w = (struct worker_opts){.brokers = env && *env ? env : NULL};
	opterr = 0; /* the errors are ours: one line naming the option */
}

/* -X NAME=VALUE (ARG is split in place). */
static void add_prop(struct worker_opts *w, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		worker_usage_error("-X: expected NAME=VALUE, not '%s'", arg);
	if (w->nprops == (int)(sizeof w->props / sizeof *w->props))
		worker_usage_error("-X: at most %d properties", (int)(sizeof w->props / sizeof *w->props));
	*eq = '\0';
	w->props[w->nprops][0] = arg;
	w->props[w->nprops][1] = eq + 1;
	w->nprops++;
}

int worker_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
                  struct worker_opts *w)
{
	const char *arg;
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!*optarg)
				worker_usage_error("--brokers: expected host:port[,host:port...]");
			w->brokers = optarg;
			break;
		case 'X':
			add_prop(w, optarg);
			break;
		case 'v':
			worker_verbose++;
			break;
		case WORKER_OPT_ONCE:
			w->once = 1;
			break;
		case WORKER_OPT_TEST_DELAY:
			w->test_delay_ms = worker_parse_int("--test-delay-ms", optarg, 0, 60000);
			break;
		case ':':
			worker_usage_error("%s: expected a value", option_name(longopts, optopt));
		case '?':
			arg = argv[optind - 1];
			if (optopt && option_name(longopts, optopt) && !strncmp(arg, "--", 2))
				worker_usage_error("%s: %s takes no value", arg,
				                   option_name(longopts, optopt));
			if (optopt > 0 && optopt < 256)
				worker_usage_error("-%c: unknown option (see --help)", optopt);
			worker_usage_error("%s: unknown option (see --help)", arg);
		default:
			return c;
		}
	}
	if (optind < argc)
		worker_usage_error("%s: unexpected argument (the options are in --help)", argv[optind]);
	if (!w->brokers)
		worker_usage_error(
		    "--brokers: no Kafka brokers (give --brokers or set SYNCTOP_KAFKA_BOOTSTRAP)");
	return -1;
}

/* ---- Kafka ---------------------------------------------------------------------------------------- */

/* librdkafka's own log, from its threads: only at -vv. */
static void on_kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	(void)level;
	worker_log(2, "kafka: rdkafka %s: %s", fac, buf);
}

rd_kafka_conf_t *worker_kafka_conf(const struct worker_opts *w, const char *group,
                                   const char *const defaults[][2], size_t n, char *why, size_t whylen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[512];
	size_t i;
	int p;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", w->brokers, errstr, sizeof errstr) !=
	    RD_KAFKA_CONF_OK) {
		snprintf(why, whylen, "--brokers: %s", errstr);
		goto fail;
	}
	if (group && rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
		snprintf(why, whylen, "--group: %s", errstr);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (rd_kafka_conf_set(conf, defaults[i][0], defaults[i][1], errstr, sizeof errstr) !=
		    RD_KAFKA_CONF_OK) {
			snprintf(why, whylen, "%s: %s", defaults[i][0], errstr);
			goto fail;
		}
	}
	for (p = 0; p < w->nprops; p++) {
		if (rd_kafka_conf_set(conf, w->props[p][0], w->props[p][1], errstr, sizeof errstr) !=
		    RD_KAFKA_CONF_OK) {
			snprintf(why, whylen, "-X %s: %s", w->props[p][0], errstr);
			goto fail;
		}
	}
	rd_kafka_conf_set_log_cb(conf, on_kafka_log);
	return conf;
fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}

void worker_kafka_error(struct worker_state *s, int err, const char *reason)
{
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
		worker_state_fail(s, "all brokers are down (%s)", reason);
	else
		worker_log(2, "kafka: %s", reason);
}
