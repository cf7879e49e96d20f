/* kafka_tool: what the tests and the benches do to a Kafka cluster (the mock or a real one).
 *
 *   kafka_tool -b BOOTSTRAP [-t SECONDS] [-X NAME=VALUE]... COMMAND ARGS...
 *
 *   produce TOPIC PARTITION COUNT     COUNT small messages to PARTITION ("all": COUNT to each
 *                                     partition), flushed: exit 0 once all are acknowledged
 *   commit GROUP TOPIC PARTITION OFFSET [PARTITION OFFSET]...
 *                                     a synchronous commit of these offsets for GROUP, by a
 *                                     consumer that never subscribes (no group join, which
 *                                     costs 3 s); PARTITION "all": every partition
 *   committed GROUP TOPIC PARTITION   prints GROUP's committed offset, or "none"
 *   end TOPIC PARTITION               prints the high watermark (the end offset)
 *   watermarks TOPIC                  queries the watermarks of every partition, one call per
 *                                     partition (the naive loop the benches compare against);
 *                                     prints "partitions=N end_total=SUM"
 *
 * -t bounds the whole command (default 10 s): past it the tool says what it was doing and
 * exits 1. -X passes a librdkafka property (e.g. -X debug=protocol: the log goes to stderr).
 * Errors go to stderr, one line each, and exit 1; a usage error exits 2.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static const char *doing = "starting";
static double timeout_s = 10;
static char alarm_msg[256];

static void usage(FILE *f)
{
	fputs("usage: kafka_tool -b BOOTSTRAP [-t SECONDS] [-X NAME=VALUE]... COMMAND ARGS...\n"
	      "  produce TOPIC PARTITION|all COUNT\n"
	      "  commit GROUP TOPIC PARTITION|all OFFSET [PARTITION OFFSET]...\n"
	      "  committed GROUP TOPIC PARTITION\n"
	      "  end TOPIC PARTITION\n"
	      "  watermarks TOPIC\n",
	      f);
}

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kafka_tool: %s: ", doing);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

__attribute__((format(printf, 1, 2))) static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("kafka_tool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(2);
}

/* The whole-command deadline: some librdkafka calls (a synchronous commit) take no timeout. */
static void on_alarm(int sig)
{
	ssize_t r;

	(void)sig;
	r = write(STDERR_FILENO, alarm_msg, strlen(alarm_msg));
	(void)r;
	_exit(1);
}

static void set_doing(const char *what)
{
	doing = what;
	snprintf(alarm_msg, sizeof alarm_msg, "kafka_tool: %s: timed out after %gs\n", what, timeout_s);
}

static int timeout_ms(void)
{
	return (int)(timeout_s * 1000);
}

static void log_to_stderr(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	fprintf(stderr, "kafka_tool: rdkafka %d %s %s: %s\n", level, fac, rd_kafka_name(rk), buf);
}

static long long parse_ll(const char *what, const char *str, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = str && *str ? strtoll(str, &end, 10) : 0;
	if (!str || !*str || errno || *end || v < lo || v > hi)
		usage_error("%s: expected a whole number from %lld to %lld, not '%s'", what, lo, hi,
		            str ? str : "");
	return v;
}

struct opts {
	const char *bootstrap;
	const char *props[64][2];
	int nprops;
};

typedef void(dr_cb_t)(rd_kafka_t *, const rd_kafka_message_t *, void *);

/* A producer (with delivery callback DR, if not NULL) or a consumer in GROUP that never
   joins it. */
static rd_kafka_t *client(const struct opts *o, rd_kafka_type_t type, const char *group, dr_cb_t *dr)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[512], tmo[32];
	rd_kafka_t *rk;
	int i;

	snprintf(tmo, sizeof tmo, "%d", timeout_ms());
	rd_kafka_conf_set_log_cb(conf, log_to_stderr);
	if (dr)
		rd_kafka_conf_set_dr_msg_cb(conf, dr);
#define SET(k, v)                                                                                            \
	do {                                                                                                 \
		if (rd_kafka_conf_set(conf, (k), (v), errstr, sizeof errstr) != RD_KAFKA_CONF_OK)            \
			fail("%s", errstr);                                                                  \
	} while (0)
	SET("bootstrap.servers", o->bootstrap);
	SET("client.id", "kafka_tool");
	if (type == RD_KAFKA_PRODUCER) {
		/* A message not acknowledged by the deadline fails, not retried in silence. */
		SET("message.timeout.ms", tmo);
		SET("linger.ms", "0");
	} else {
		SET("group.id", group ? group : "kafka_tool");
		SET("enable.auto.commit", "false");
		SET("enable.auto.offset.store", "false");
		SET("isolation.level", "read_uncommitted");
	}
	for (i = 0; i < o->nprops; i++)
		SET(o->props[i][0], o->props[i][1]);
#undef SET
	rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
	if (!rk)
		fail("cannot create the client: %s", errstr);
	return rk;
}

/* The number of partitions of TOPIC, from the cluster's metadata. */
static int partition_count(rd_kafka_t *rk, const char *topic)
{
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err;
	int n;

	err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms());
	if (err)
		fail("metadata of topic %s: %s", topic, rd_kafka_err2str(err));
	if (md->topic_cnt != 1 || md->topics[0].err)
		fail("topic %s: %s", topic,
		     md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "not in the metadata");
	n = md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	if (n <= 0)
		fail("topic %s has no partitions", topic);
	return n;
}

/* Ends the program after a success. rd_kafka_destroy() of a handle that connected takes about
   1 s in 2.0.2, and there is nothing left to hand over: every call above waited for its result. */
static void done(void)
{
	if (fflush(stdout) != 0)
		_exit(1);
	_exit(0);
}

static long delivered, delivery_errors;
static rd_kafka_resp_err_t first_delivery_error;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err) {
		if (!delivery_errors++)
			first_delivery_error = m->err;
	} else {
		delivered++;
	}
}

static void cmd_produce(const struct opts *o, char **argv)
{
	const char *topic = argv[0];
	int all = !strcmp(argv[1], "all");
	int32_t first = all ? 0 : (int32_t)parse_ll("PARTITION", argv[1], 0, INT32_MAX), last = first;
	long long count = parse_ll("COUNT", argv[2], 0, 100000000), i;
	long long want;
	rd_kafka_t *rk;
	int32_t p;
	char payload[64];

	set_doing("produce");
	rk = client(o, RD_KAFKA_PRODUCER, NULL, on_delivery);
	if (all)
		last = partition_count(rk, topic) - 1;
	want = count * (last - first + 1);
	for (p = first; p <= last; p++) {
		for (i = 0; i < count; i++) {
			rd_kafka_resp_err_t err;
			int len = snprintf(payload, sizeof payload, "synctop test message %lld", i);

			for (;;) {
				err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(p),
				                        RD_KAFKA_V_VALUE(payload, (size_t)len),
				                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				                        RD_KAFKA_V_END);
				if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
					break;
				rd_kafka_poll(rk, 100);
			}
			if (err)
				fail("topic %s partition %" PRId32 ": %s", topic, p, rd_kafka_err2str(err));
			rd_kafka_poll(rk, 0);
		}
	}
	set_doing("produce: waiting for the acknowledgements");
	rd_kafka_flush(rk, timeout_ms());
	rd_kafka_poll(rk, 0);
	if (delivery_errors)
		fail("%ld of %lld messages to topic %s failed: %s", delivery_errors, want, topic,
		     rd_kafka_err2str(first_delivery_error));
	if (delivered != want)
		fail("only %ld of %lld messages to topic %s were acknowledged in %gs", delivered, want, topic,
		     timeout_s);
	done();
}

static rd_kafka_resp_err_t commit_err;
static char commit_why[512];

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets,
                      void *opaque)
{
	int i;

	(void)rk;
	(void)opaque;
	commit_err = err;
	if (err) {
		snprintf(commit_why, sizeof commit_why, "%s", rd_kafka_err2str(err));
		return;
	}
	for (i = 0; offsets && i < offsets->cnt; i++) {
		if (offsets->elems[i].err) {
			commit_err = offsets->elems[i].err;
			snprintf(commit_why, sizeof commit_why, "partition %" PRId32 ": %s",
			         offsets->elems[i].partition, rd_kafka_err2str(offsets->elems[i].err));
			return;
		}
	}
}

static void cmd_commit(const struct opts *o, int argc, char **argv)
{
	const char *group = argv[0], *topic = argv[1];
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;
	int i, p, n;

	if (argc < 4 || argc % 2)
		usage_error("commit GROUP TOPIC PARTITION OFFSET [PARTITION OFFSET]...");
	set_doing("commit");
	rk = client(o, RD_KAFKA_CONSUMER, group, NULL);
	list = rd_kafka_topic_partition_list_new(argc / 2);
	for (i = 2; i < argc; i += 2) {
		int64_t off = parse_ll("OFFSET", argv[i + 1], 0, INT64_MAX);

		if (!strcmp(argv[i], "all")) {
			n = partition_count(rk, topic);
			for (p = 0; p < n; p++)
				rd_kafka_topic_partition_list_add(list, topic, p)->offset = off;
		} else {
			p = (int)parse_ll("PARTITION", argv[i], 0, INT32_MAX);
			rd_kafka_topic_partition_list_add(list, topic, p)->offset = off;
		}
	}
	/* A commit sent before the coordinator's connection is up is deferred by a whole
	   coordinator query interval (1 s in 2.0.2); a committed() call retries as soon as
	   a broker's state changes: let it wait for the coordinator first. */
	set_doing("commit: waiting for the group coordinator");
	{
		rd_kafka_topic_partition_list_t *probe = rd_kafka_topic_partition_list_copy(list);

		err = rd_kafka_committed(rk, probe, timeout_ms());
		rd_kafka_topic_partition_list_destroy(probe);
		if (err)
			fail("group %s, topic %s: %s", group, topic, rd_kafka_err2str(err));
	}
	set_doing("commit");
	err = rd_kafka_commit_queue(rk, list, NULL, on_commit, NULL);
	if (err && !commit_err) {
		commit_err = err;
		snprintf(commit_why, sizeof commit_why, "%s", rd_kafka_err2str(err));
	}
	if (commit_err)
		fail("group %s, topic %s: %s", group, topic, commit_why);
	rd_kafka_topic_partition_list_destroy(list);
	done();
}

static void cmd_committed(const struct opts *o, char **argv)
{
	const char *group = argv[0], *topic = argv[1];
	int32_t p = (int32_t)parse_ll("PARTITION", argv[2], 0, INT32_MAX);
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;

	set_doing("committed");
	rk = client(o, RD_KAFKA_CONSUMER, group, NULL);
	list = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(list, topic, p);
	err = rd_kafka_committed(rk, list, timeout_ms());
	if (!err)
		err = list->elems[0].err;
	if (err)
		fail("group %s, topic %s partition %" PRId32 ": %s", group, topic, p, rd_kafka_err2str(err));
	if (list->elems[0].offset < 0)
		printf("none\n");
	else
		printf("%" PRId64 "\n", list->elems[0].offset);
	rd_kafka_topic_partition_list_destroy(list);
	done();
}

static void cmd_end(const struct opts *o, char **argv)
{
	const char *topic = argv[0];
	int32_t p = (int32_t)parse_ll("PARTITION", argv[1], 0, INT32_MAX);
	int64_t lo, hi;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;

	set_doing("end");
	rk = client(o, RD_KAFKA_CONSUMER, NULL, NULL);
	err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, timeout_ms());
	if (err)
		fail("topic %s partition %" PRId32 ": %s", topic, p, rd_kafka_err2str(err));
	printf("%" PRId64 "\n", hi);
	done();
}

static void cmd_watermarks(const struct opts *o, char **argv)
{
	const char *topic = argv[0];
	int64_t lo, hi, total = 0;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;
	int n, p;

	set_doing("watermarks");
	rk = client(o, RD_KAFKA_CONSUMER, NULL, NULL);
	n = partition_count(rk, topic); /* connected from here: the loop alone is timed */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (p = 0; p < n; p++) {
		err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, timeout_ms());
		if (err)
			fail("topic %s partition %d: %s", topic, p, rd_kafka_err2str(err));
		total += hi;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("partitions=%d end_total=%" PRId64 "\n", n, total);
	fprintf(stderr, "loop_ms=%.1f\n",
	        (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	done();
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct sigaction sa;
	struct itimerval it;
	const char *cmd;
	int c;

	while ((c = getopt(argc, argv, "+b:t:X:h")) != -1) {
		switch (c) {
		case 'b':
			o.bootstrap = optarg;
			break;
		case 't': {
			char *end;

			errno = 0;
			timeout_s = strtod(optarg, &end);
			if (errno || *end || !(timeout_s > 0 && timeout_s <= 3600))
				usage_error("-t takes seconds, more than 0 and at most 3600, not '%s'",
				            optarg);
			break;
		}
		case 'X': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg)
				usage_error("-X takes NAME=VALUE, not '%s'", optarg);
			if (o.nprops == (int)(sizeof o.props / sizeof *o.props))
				usage_error("too many -X options");
			*eq = '\0';
			o.props[o.nprops][0] = optarg;
			o.props[o.nprops][1] = eq + 1;
			o.nprops++;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (!o.bootstrap)
		usage_error("-b BOOTSTRAP is required");
	if (argc < 1)
		usage_error("a command is required");
	cmd = argv[0];
	argc--;
	argv++;

	set_doing(cmd);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = (time_t)timeout_s;
	it.it_value.tv_usec = (suseconds_t)((timeout_s - floor(timeout_s)) * 1e6);
	/* The librdkafka calls have their own deadline at timeout_s: the alarm is the backstop,
	   a little later, so that their more precise error wins the race. */
	it.it_value.tv_usec += 500000;
	if (it.it_value.tv_usec >= 1000000) {
		it.it_value.tv_sec++;
		it.it_value.tv_usec -= 1000000;
	}
	/* librdkafka blocks every signal in its own threads: SIGALRM lands on this one. */
	setitimer(ITIMER_REAL, &it, NULL);

	if (!strcmp(cmd, "produce") && argc == 3)
		cmd_produce(&o, argv);
	else if (!strcmp(cmd, "commit") && argc >= 4)
		cmd_commit(&o, argc, argv);
	else if (!strcmp(cmd, "committed") && argc == 3)
		cmd_committed(&o, argv);
	else if (!strcmp(cmd, "end") && argc == 2)
		cmd_end(&o, argv);
	else if (!strcmp(cmd, "watermarks") && argc == 1)
		cmd_watermarks(&o, argv);
	else
		usage_error("unknown command or wrong arguments: %s", cmd);
	return 0;
}
