/* kafka_describe.c: a consumer group's state and members, asked in a child process of its own.
 *
 * librdkafka 2.0.2 does not survive a broker that refuses DescribeGroups: the client may
 * deadlock, or abort the whole process on an internal assertion (seen here against the mock
 * cluster). So the question is asked by a child (synctop itself, in a hidden helper mode),
 * which gets the connection's settings on a pipe (secrets never on a command line), answers
 * one line, and is killed at the poll's deadline. Whatever happens to it, the poller and the
 * lag figures go on. */
#include "backend/kafka.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

#define HELPER_FLAG "--kafka-describe-helper"

/* The request, one "key<TAB>value" a line: brokers, prop (key<TAB>value), secret, group,
   timeout_ms, then "end". Values never hold a tab or a newline (refused before sending). */
static bool clean(const char *s)
{
	return s && !strpbrk(s, "\t\n");
}

/* One line, then out at once: no rd_kafka_destroy, which may hang on exactly the broker this
   is about. */
static void answer_error(const char *why)
{
	printf("error\t%s\n", why);
	fflush(stdout);
	_exit(0);
}

static void answer_ok(const char *state, size_t members)
{
	printf("ok\t%s\t%zu\n", state, members);
	fflush(stdout);
	_exit(0);
}

int kafka_describe_helper(void)
{
	struct conn c = {.name = "describe"};
	struct kv **tail = &c.properties;
	char *group = NULL, line[4096];
	int timeout_ms = 2000;
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "end"))
			break;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab++ = '\0';
		if (!strcmp(line, "brokers"))
			c.brokers = xstrdup(tab);
		else if (!strcmp(line, "secret"))
			c.secret = xstrdup(tab);
		else if (!strcmp(line, "group"))
			group = xstrdup(tab);
		else if (!strcmp(line, "timeout_ms"))
			timeout_ms = atoi(tab);
		else if (!strcmp(line, "prop") && strchr(tab, '\t')) {
			char *v = strchr(tab, '\t');
			*v++ = '\0';
			*tail = xcalloc(1, sizeof **tail);
			(*tail)->key = xstrdup(tab);
			(*tail)->value = xstrdup(v);
			tail = &(*tail)->next;
		}
	}
	if (!c.brokers || !group)
		answer_error("incomplete request");
	struct kafka_session ks = {.conn = &c};
	pthread_mutex_init(&ks.lock, NULL);
	char err[256];
	rd_kafka_t *rk = kafka_new_handle(&ks, &c, err, sizeof err);
	if (!rk)
		answer_error(err);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *opts =
	    rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
	rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, err, sizeof err);
	const char *groups[1] = {group};
	rd_kafka_DescribeConsumerGroups(rk, groups, 1, opts, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms);
	if (!ev)
		answer_error("timeout");
	if (rd_kafka_event_error(ev))
		answer_error(rd_kafka_event_error_string(ev));
	size_t n = 0;
	const rd_kafka_ConsumerGroupDescription_t **d = rd_kafka_DescribeConsumerGroups_result_groups(
	    rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
	if (n == 0 || rd_kafka_ConsumerGroupDescription_error(d[0]))
		answer_error(n ? rd_kafka_error_string(rd_kafka_ConsumerGroupDescription_error(d[0]))
		               : "no group");
	answer_ok(rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d[0])),
	          rd_kafka_ConsumerGroupDescription_member_count(d[0]));
	return 0;
}

/* Writes the whole buffer or fails (a dead child: EPIPE, SIGPIPE being ignored). */
static bool write_all(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		s += w;
		len -= (size_t)w;
	}
	return true;
}

bool kafka_describe(const struct conn *c, const char *group, double deadline, char *state, size_t n,
                    long *members, char *err, size_t en)
{
	char *req = xasprintf("brokers\t%s\ngroup\t%s\ntimeout_ms\t%d\n", c->brokers, group,
	                      kafka_ms_left(deadline) > 200 ? kafka_ms_left(deadline) - 100 : 100);
	bool ok = clean(c->brokers) && clean(group) && (!c->secret || clean(c->secret));
	for (const struct kv *p = c->properties; p; p = p->next) {
		ok &= clean(p->key) && clean(p->value);
		char *more = xasprintf("%sprop\t%s\t%s\n", req, p->key, p->value);
		free(req);
		req = more;
	}
	if (c->secret) {
		char *more = xasprintf("%ssecret\t%s\n", req, c->secret);
		free(req);
		req = more;
	}
	if (!ok) {
		free(req);
		snprintf(err, en, "a setting holds a tab or a newline");
		return false;
	}

	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0) {
		free(req);
		snprintf(err, en, "pipe: %s", strerror(errno));
		return false;
	}
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		free(req);
		snprintf(err, en, "pipe: %s", strerror(errno));
		return false;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	char *argv[] = {"synctop", HELPER_FLAG, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		close(in[1]);
		close(out[0]);
		free(req);
		snprintf(err, en, "cannot start the describe helper: %s", strerror(rc));
		return false;
	}
	bool sent = write_all(in[1], req) && write_all(in[1], "end\n");
	free(req);
	close(in[1]);

	char buf[512] = "";
	size_t used = 0;
	while (sent && used + 1 < sizeof buf && !memchr(buf, '\n', used)) {
		struct pollfd pfd = {.fd = out[0], .events = POLLIN};
		int r = poll(&pfd, 1, kafka_ms_left(deadline));
		if (r <= 0 || now_mono() >= deadline)
			break;
		ssize_t got = read(out[0], buf + used, sizeof buf - 1 - used);
		if (got <= 0)
			break;
		used += (size_t)got;
		buf[used] = '\0';
	}
	close(out[0]);
	kill(pid, SIGKILL); /* done or not: it never outlives its poll */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;

	buf[strcspn(buf, "\n")] = '\0';
	char *f1 = strchr(buf, '\t'), *f2 = f1 ? strchr(f1 + 1, '\t') : NULL;
	if (!strncmp(buf, "ok\t", 3) && f2) {
		*f2++ = '\0';
		strlcpy_safe(state, f1 + 1, n);
		*members = strtol(f2, NULL, 10);
		return true;
	}
	snprintf(err, en, "%s", !strncmp(buf, "error\t", 6) ? buf + 6 : used ? buf : "no answer in time");
	return false;
}
