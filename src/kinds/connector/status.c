/* status.c: pure: when each connector action applies; the worker's version; a status's tasks. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds/connector/connector.h"
#include "sanitize.h"
#include "util.h"

int connect_version_at_least(const char *version, int major, int minor)
{
	if (!version || !isdigit((unsigned char)*version))
		return -1;
	char *end;
	long ma = strtol(version, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	long mi = strtol(end + 1, &end, 10);
	/* Confluent Platform's workers say their own version ("7.5.0-ccs", "7.5.0-ce"): CP 5.x
	   is Kafka 2.x, 6.0-6.2 are 2.6-2.8, 7.x is 3.x, 8.x is 4.x. */
	if (strstr(end, "-ccs") || strstr(end, "-ce")) {
		if (ma == 5)
			ma = 2;
		else if (ma == 6)
			ma = 2, mi += 6;
		else if (ma >= 7)
			ma -= 4;
	}
	return ma > major || (ma == major && mi >= minor);
}

json_t *connector_status_tasks(const json_t *status, const char *state)
{
	json_t *out = json_array(), *t;
	size_t i;
	json_array_foreach(json_object_get(status, "tasks"), i, t)
	{
		const char *ts = json_string_value(json_object_get(t, "state"));
		if (!json_is_integer(json_object_get(t, "id")) || !ts || (state && strcmp(ts, state)))
			continue;
		json_array_append_new(out,
		                      json_pack("{s:O, s:s, s:O?, s:O?}", "id", json_object_get(t, "id"),
		                                "state", ts, "worker_id", json_object_get(t, "worker_id"),
		                                "trace", json_object_get(t, "trace")));
	}
	return out;
}

json_t *connector_trace_lines(const char *trace, size_t max_lines)
{
	json_t *out = json_array();
	size_t n = 0, more = 0;
	for (const char *p = trace; p && *p;) {
		size_t len = strcspn(p, "\n");
		size_t keep = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
		if (n < max_lines) {
			char *line = xasprintf("%.*s", (int)keep, p);
			json_array_append_new(out, json_string_clean(line));
			free(line);
			n++;
		} else {
			more++;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (more) {
		char tail[64];
		snprintf(tail, sizeof tail, "... %zu more line%s", more, more == 1 ? "" : "s");
		json_array_append_new(out, json_string(tail));
	}
	return out;
}

/* The state of the latest ok sample into *state, or false with why. */
static bool sample_state(const struct sample *cur, const char **state, char *why, size_t n)
{
	*state = cur && cur->ok ? metric_str(cur->metrics, "state") : NULL;
	if (!*state)
		snprintf(why, n, "%s",
		         cur && cur->ok ? "the connector's state is unknown"
		                        : "no reading of the connector yet");
	return *state != NULL;
}

bool connector_offered(enum action a, const struct sample *cur, char *why, size_t n)
{
	const char *state;
	if (n)
		why[0] = '\0';
	if (!sample_state(cur, &state, why, n))
		return false;
	int64_t failed = 0;
	int ok;
	const char *v;
	switch (a) {
	case ACTION_PAUSE:
		if (!strcmp(state, "RUNNING"))
			return true;
		snprintf(why, n, "the connector is %s, not RUNNING", state);
		return false;
	case ACTION_RESUME:
		if (!strcmp(state, "PAUSED") || !strcmp(state, "STOPPED"))
			return true;
		snprintf(why, n, "not paused: the connector is %s", state);
		return false;
	case ACTION_STOP:
		v = metric_str(cur->metrics, "worker_version");
		ok = connect_version_at_least(v, 3, 5);
		if (ok < 0)
			snprintf(why, n,
			         "the worker's Kafka Connect version is unknown: stop needs 3.5 or later");
		else if (!ok)
			snprintf(why, n, "Kafka Connect %s has no stop (it came with 3.5): pause instead", v);
		else if (!strcmp(state, "STOPPED"))
			snprintf(why, n, "the connector is already STOPPED");
		return ok > 0 && strcmp(state, "STOPPED");
	case ACTION_RESTART:
		metric_int(cur->metrics, "tasks_failed", &failed);
		if (failed > 0 || !strcmp(state, "FAILED"))
			return true;
		snprintf(why, n, "no failed task: the connector is %s", state);
		return false;
	default:
		snprintf(why, n, "the connector stage has no such action");
		return false;
	}
}
