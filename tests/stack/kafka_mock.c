/* kafka_mock: a librdkafka mock cluster for the tests, the demo and the benches.
 *
 *   kafka_mock [--brokers N] [--topic NAME:PARTITIONS]... [--debug CONTEXTS]
 *
 * Starts N brokers (default 3, ids 1..N) on loopback ports they choose, creates the topics,
 * prints one line `BOOTSTRAP=host:port,...` on stdout, then reads commands from stdin, one a
 * line, and answers each with one line, `ok` or `error: WHY`:
 *
 *   down ID          the broker disconnects its clients and refuses new ones (-1: all)
 *   up ID            it accepts connections again (-1: all)
 *   rtt ID MS        it delays every response by MS milliseconds (-1: all)
 *   topic NAME PARTITIONS
 *                    creates one more topic
 *   errors KEY CODE N
 *                    the next N requests of API key KEY (e.g. 9, OffsetFetch) fail with the
 *                    Kafka error CODE (e.g. 30, GROUP_AUTHORIZATION_FAILED)
 *   clear KEY        forgets the errors still pushed for API key KEY
 *   quit             exits
 *
 * It exits at once on `quit`, at the end of stdin, and on SIGTERM or SIGINT. librdkafka's log
 * goes to stderr: stdout carries only the BOOTSTRAP line and the answers. --debug mock logs
 * every request a broker receives ("Broker 2: Received ListOffsetsRequestV1 from ..."): what
 * bench/kafka.sh counts.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_LINE 512

static volatile sig_atomic_t quit_signal;

static void on_signal(int sig)
{
	quit_signal = sig;
}

static void log_to_stderr(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	fprintf(stderr, "kafka_mock: rdkafka %d %s: %s\n", level, fac, buf);
}

static void usage(FILE *f)
{
	fputs("usage: kafka_mock [--brokers N] [--topic NAME:PARTITIONS]... [--debug CONTEXTS]\n"
	      "Prints BOOTSTRAP=<servers>, then reads commands on stdin:\n"
	      "  down ID | up ID | rtt ID MS | topic NAME PARTITIONS | quit   (ID -1: every broker)\n",
	      f);
}

__attribute__((format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("kafka_mock: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(2);
}

/* Parses a whole decimal number in [lo, hi]; false if STR is anything else. */
static int parse_long(const char *str, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!str || !*str)
		return 0;
	errno = 0;
	v = strtol(str, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return 0;
	*out = v;
	return 1;
}

/* Writes one answer line and flushes it; a reader that went away ends the program. */
__attribute__((format(printf, 1, 2))) static void answer(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (fflush(stdout) != 0 || ferror(stdout))
		_exit(0);
}

static void answer_err(const char *what, rd_kafka_resp_err_t err)
{
	if (err)
		answer("error: %s: %s", what, rd_kafka_err2str(err));
	else
		answer("ok");
}

/* librdkafka 2.0.2's mock thread can miss the wake-up of a command that arrives while it is
   still finishing the previous one: that command then waits for its 1 s poll timeout
   (measured: 16 commands sent back to back took 2-3 s, with 2 ms between them 70-100 ms).
   A short pause after each command keeps them apart. */
static void settle(void)
{
	struct timespec ts = {0, 10 * 1000 * 1000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !quit_signal)
		;
}

struct mock {
	rd_kafka_mock_cluster_t *mc;
	int brokers;
};

static int broker_id(const struct mock *m, const char *arg, int32_t *id)
{
	long v;

	if (!parse_long(arg, -1, m->brokers, &v) || v == 0)
		return 0;
	*id = (int32_t)v;
	return 1;
}

static int create_topic(struct mock *m, const char *name, long partitions, char *why, size_t whylen)
{
	rd_kafka_resp_err_t err;
	int rf = m->brokers < 3 ? m->brokers : 3;

	err = rd_kafka_mock_topic_create(m->mc, name, (int)partitions, rf);
	if (err) {
		snprintf(why, whylen, "topic %s: %s", name, rd_kafka_err2str(err));
		return 0;
	}
	return 1;
}

/* Runs one command line; returns 0 when the program should exit. */
static int command(struct mock *m, char *line)
{
	char *argv[4];
	int argc = 0;
	char *save = NULL, *tok;
	int32_t id;
	long ms, parts;
	char why[256];

	for (tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (argc == 4) {
			answer("error: too many arguments");
			return 1;
		}
		argv[argc++] = tok;
	}
	if (argc == 0)
		return 1; /* blank line: no answer */

	if (!strcmp(argv[0], "quit")) {
		answer("ok");
		return 0;
	} else if (!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) {
		if (argc != 2 || !broker_id(m, argv[1], &id)) {
			answer("error: usage: %s ID (a broker id 1..%d, or -1 for all)", argv[0], m->brokers);
			return 1;
		}
		answer_err(argv[0], argv[0][0] == 'd' ? rd_kafka_mock_broker_set_down(m->mc, id)
		                                      : rd_kafka_mock_broker_set_up(m->mc, id));
	} else if (!strcmp(argv[0], "rtt")) {
		if (argc != 3 || !broker_id(m, argv[1], &id) || !parse_long(argv[2], 0, INT_MAX, &ms)) {
			answer("error: usage: rtt ID MS (a broker id 1..%d or -1, MS >= 0)", m->brokers);
			return 1;
		}
		answer_err("rtt", rd_kafka_mock_broker_set_rtt(m->mc, id, (int)ms));
	} else if (!strcmp(argv[0], "topic")) {
		if (argc != 3 || !parse_long(argv[2], 1, 100000, &parts)) {
			answer("error: usage: topic NAME PARTITIONS");
			return 1;
		}
		if (create_topic(m, argv[1], parts, why, sizeof why))
			answer("ok");
		else
			answer("error: %s", why);
	} else if (!strcmp(argv[0], "errors")) {
		long key, code, cnt;
		if (argc != 4 || !parse_long(argv[1], 0, 1000, &key) ||
		    !parse_long(argv[2], -200, 1000, &code) || !parse_long(argv[3], 1, 100000, &cnt)) {
			answer("error: usage: errors KEY CODE N (an API key, a Kafka error code, N >= 1)");
			return 1;
		}
		rd_kafka_resp_err_t *errs = malloc((size_t)cnt * sizeof *errs);
		if (!errs) {
			answer("error: out of memory");
			return 1;
		}
		for (long i = 0; i < cnt; i++)
			errs[i] = (rd_kafka_resp_err_t)code;
		rd_kafka_mock_push_request_errors_array(m->mc, (int16_t)key, (size_t)cnt, errs);
		free(errs);
		answer("ok");
	} else if (!strcmp(argv[0], "clear")) {
		long key;
		if (argc != 2 || !parse_long(argv[1], 0, 1000, &key)) {
			answer("error: usage: clear KEY (an API key)");
			return 1;
		}
		rd_kafka_mock_clear_request_errors(m->mc, (int16_t)key);
		answer("ok");
	} else {
		answer("error: unknown command '%s' (down ID, up ID, rtt ID MS, topic NAME PARTITIONS, "
		       "errors KEY CODE N, clear KEY, quit)",
		       argv[0]);
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct mock m = {.brokers = 3};
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	char errstr[512], buf[MAX_LINE + 1];
	const char *topics[256], *debug = NULL;
	int ntopics = 0, i;
	size_t used = 0;
	long v;
	sigset_t block, waitmask;
	struct sigaction sa;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
			if (!parse_long(argv[++i], 1, 64, &v))
				die("--brokers takes a number from 1 to 64, not '%s'", argv[i]);
			m.brokers = (int)v;
		} else if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
			if (ntopics == (int)(sizeof topics / sizeof *topics))
				die("too many --topic options");
			topics[ntopics++] = argv[++i];
		} else if (!strcmp(argv[i], "--debug") && i + 1 < argc) {
			debug = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}

	/* The signals wait for ppoll() below: librdkafka's threads inherit the blocked mask,
	   so a SIGTERM always reaches the main thread, and never between a check and a wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_log_cb(conf, log_to_stderr);
	/* Level 4 (warnings and worse): the handle is only the cluster's bookkeeper, and would
	   otherwise note at start that it has no bootstrap.servers. */
	if (rd_kafka_conf_set(conf, "client.id", "kafka_mock", errstr, sizeof errstr) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "log_level", debug ? "7" : "4", errstr, sizeof errstr) !=
	        RD_KAFKA_CONF_OK ||
	    (debug && rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof errstr) != RD_KAFKA_CONF_OK))
		die("%s", errstr);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
	if (!rk)
		die("cannot create the client handle: %s", errstr);
	m.mc = rd_kafka_mock_cluster_new(rk, m.brokers);
	if (!m.mc)
		die("cannot create the mock cluster");

	for (i = 0; i < ntopics; i++) {
		char name[256];
		const char *colon = strrchr(topics[i], ':');
		size_t len = colon ? (size_t)(colon - topics[i]) : 0;

		if (!colon || len == 0 || len >= sizeof name || !parse_long(colon + 1, 1, 100000, &v))
			die("--topic takes NAME:PARTITIONS, not '%s'", topics[i]);
		memcpy(name, topics[i], len);
		name[len] = '\0';
		if (!create_topic(&m, name, v, errstr, sizeof errstr))
			die("%s", errstr);
	}

	answer("BOOTSTRAP=%s", rd_kafka_mock_cluster_bootstraps(m.mc));

	for (;;) {
		struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
		ssize_t n;
		char *nl;

		if (quit_signal)
			break;
		if (ppoll(&pfd, 1, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		n = read(STDIN_FILENO, buf + used, MAX_LINE - used);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("read: %s", strerror(errno));
		}
		if (n == 0)
			break; /* end of stdin */
		used += (size_t)n;
		buf[used] = '\0';
		while ((nl = memchr(buf, '\n', used))) {
			size_t linelen = (size_t)(nl - buf) + 1;

			*nl = '\0';
			if (!command(&m, buf))
				goto out;
			settle();
			memmove(buf, buf + linelen, used - linelen);
			used -= linelen;
			buf[used] = '\0';
		}
		if (used == MAX_LINE) {
			answer("error: line too long");
			used = 0;
		}
	}
out:
	/* Tearing the cluster and the handle down gains nothing here and can take a while: the
	   kernel closes the listeners. _exit also skips the leak checks of sanitizer builds,
	   which would only report the handle. */
	fflush(stdout);
	_exit(0);
}
