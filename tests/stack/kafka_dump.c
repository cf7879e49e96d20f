/* kafka_dump: prints every message of a topic, for the tests that check what a producer wrote.
 *
 *   kafka_dump -b BOOTSTRAP [-t SECONDS] [-X NAME=VALUE]... TOPIC
 *
 * Reads each partition from its low to its high watermark (as they are when it starts), without
 * joining a group, and prints one line per message, tab-separated:
 *
 *   PARTITION OFFSET KEY OUTBOX_ID EVENT_TYPE VALUE
 *
 * where OUTBOX_ID and EVENT_TYPE are the values of the headers outbox_id and event_type ("-" when
 * absent, as for a null key). -t bounds the whole run (default 10 s): past it, it says how many
 * messages it got and exits 1. Errors: one line on stderr, exit 1; usage errors exit 2.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static double timeout_s = 10;
static long got, want;

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("kafka_dump: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stdout);
	_exit(1);
}

__attribute__((noreturn)) static void usage(int rc)
{
	fputs("usage: kafka_dump -b BOOTSTRAP [-t SECONDS] [-X NAME=VALUE]... TOPIC\n", rc ? stderr : stdout);
	exit(rc);
}

static void on_alarm(int sig)
{
	char msg[128];
	int n;
	ssize_t r;

	(void)sig;
	n = snprintf(msg, sizeof msg, "kafka_dump: timed out after %gs with %ld of %ld messages\n", timeout_s,
	             got, want);
	r = write(STDERR_FILENO, msg, (size_t)n);
	(void)r;
	_exit(1);
}

static int timeout_ms(void)
{
	return (int)(timeout_s * 1000);
}

/* The value of header NAME as a printable string, or "-". */
static void print_header(rd_kafka_headers_t *hdrs, const char *name)
{
	const void *v;
	size_t n;

	if (hdrs && rd_kafka_header_get_last(hdrs, name, &v, &n) == RD_KAFKA_RESP_ERR_NO_ERROR && v)
		fwrite(v, 1, n, stdout);
	else
		fputs("-", stdout);
}

int main(int argc, char **argv)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_partition_list_t *assign;
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt;
	rd_kafka_resp_err_t err;
	const char *bootstrap = NULL, *topic;
	char errstr[512];
	int64_t *end;
	struct itimerval it = {{0, 0}, {0, 0}};
	rd_kafka_t *rk;
	int c, p, nparts, open = 0;

	while ((c = getopt(argc, argv, "b:t:X:h")) != -1) {
		switch (c) {
		case 'b':
			bootstrap = optarg;
			break;
		case 't': {
			char *e;

			errno = 0;
			timeout_s = strtod(optarg, &e);
			if (errno || *e || !(timeout_s > 0 && timeout_s <= 3600))
				usage(2);
			break;
		}
		case 'X': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg)
				usage(2);
			*eq = '\0';
			if (rd_kafka_conf_set(conf, optarg, eq + 1, errstr, sizeof errstr) !=
			    RD_KAFKA_CONF_OK)
				fail("-X %s: %s", optarg, errstr);
			break;
		}
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (!bootstrap || optind != argc - 1)
		usage(2);
	topic = argv[optind];

	signal(SIGALRM, on_alarm);
	it.it_value.tv_sec = (time_t)timeout_s + 1; /* the backstop; the calls below time out first */
	setitimer(ITIMER_REAL, &it, NULL);

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) !=
	        RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "group.id", "kafka_dump", errstr, sizeof errstr) != RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr) !=
	        RD_KAFKA_CONF_OK ||
	    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "50", errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
		fail("%s", errstr);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
	if (!rk)
		fail("cannot create the consumer: %s", errstr);

	rkt = rd_kafka_topic_new(rk, topic, NULL);
	err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms());
	if (err)
		fail("metadata of topic %s: %s", topic, rd_kafka_err2str(err));
	if (md->topic_cnt != 1 || md->topics[0].err)
		fail("topic %s: %s", topic,
		     md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "not in the metadata");
	nparts = md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);

	end = calloc((size_t)nparts + 1, sizeof *end);
	assign = rd_kafka_topic_partition_list_new(nparts);
	if (!end || !assign)
		fail("out of memory");
	for (p = 0; p < nparts; p++) {
		int64_t lo, hi;

		err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, timeout_ms());
		if (err)
			fail("watermarks of topic %s partition %d: %s", topic, p, rd_kafka_err2str(err));
		end[p] = hi;
		if (hi > lo) {
			rd_kafka_topic_partition_list_add(assign, topic, p)->offset = lo;
			want += (long)(hi - lo);
			open++;
		}
	}
	if (open && (err = rd_kafka_assign(rk, assign)))
		fail("assign: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(assign);

	while (open > 0) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		rd_kafka_headers_t *hdrs = NULL;

		if (!m)
			continue;
		if (m->err) {
			if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				fail("topic %s: %s", topic, rd_kafka_message_errstr(m));
			rd_kafka_message_destroy(m);
			continue;
		}
		if (m->partition >= 0 && m->partition < nparts && m->offset < end[m->partition]) {
			printf("%" PRId32 "\t%" PRId64 "\t", m->partition, m->offset);
			if (m->key)
				fwrite(m->key, 1, m->key_len, stdout);
			else
				fputs("-", stdout);
			fputc('\t', stdout);
			rd_kafka_message_headers(m, &hdrs);
			print_header(hdrs, "outbox_id");
			fputc('\t', stdout);
			print_header(hdrs, "event_type");
			fputc('\t', stdout);
			if (m->payload)
				fwrite(m->payload, 1, m->len, stdout);
			else
				fputs("-", stdout);
			fputc('\n', stdout);
			got++;
			if (m->offset + 1 == end[m->partition])
				open--;
		}
		rd_kafka_message_destroy(m);
	}
	/* As kafka_tool: destroying a connected handle costs about 1 s in 2.0.2, for nothing. */
	if (fflush(stdout) != 0)
		_exit(1);
	_exit(0);
}
