/* canary.c: the kafka hop of the end-to-end canary (canary.h): the consumer group committed past
   the marker. The marker's offset is not read from the topic: the partitions' ends in the first
   poll that started after the outbox hop saw the marker (the relay produced it before marking
   it processed) bound it from above, and the hop is seen once the group's committed offset of
   every partition reaches its bound. Pure: it reads the poll's partition_lags (no request). */
#include <stdio.h>
#include <string.h>

#include "kinds/kafka/kafka.h"
#include "kinds/probe.h"
#include "util.h"

/* "topic/partition", the key of a bound. */
static void part_key(const json_t *row, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%lld", json_string_value(json_object_get(row, "topic")),
	         (long long)json_integer_value(json_object_get(row, "partition")));
}

static enum probe_result kafka_canary_hop(const struct probe_ctx *ctx, const struct sample *cur,
                                          double polled, json_t *m, bool *seen, char *err, size_t n)
{
	(void)ctx;
	*seen = false;
	const json_t *lags = json_object_get(cur->metrics, "partition_lags");
	if (!json_is_array(lags) || !json_array_size(lags))
		return PROBE_OK; /* nothing known yet */
	json_t *hop = json_object_get(m, "hop");
	json_t *bounds = json_object_get(hop, "ends");
	char key[320];
	if (!bounds) {
		if (polled < json_real_value(json_object_get(m, "since")))
			return PROBE_OK; /* read before the marker was produced: no bound */
		bounds = json_object();
		size_t i;
		json_t *row;
		json_array_foreach(lags, i, row)
		{
			if (!json_is_integer(json_object_get(row, "end")))
				continue;
			part_key(row, key, sizeof key);
			json_object_set(bounds, key, json_object_get(row, "end"));
		}
		json_object_set_new(hop, "ends", bounds);
	}
	size_t passed = 0, i;
	json_t *row;
	json_array_foreach(lags, i, row)
	{
		part_key(row, key, sizeof key);
		const json_t *bound = json_object_get(bounds, key);
		const json_t *committed = json_object_get(row, "committed");
		if (!bound)
			continue;
		/* An empty partition (bound 0) holds no marker, committed or not. */
		if (!json_integer_value(bound) ||
		    (json_is_integer(committed) &&
		     json_integer_value(committed) >= json_integer_value(bound)))
			passed++;
	}
	if (!json_object_size(bounds)) {
		snprintf(err, n, "canary: no partition end known to bound the marker's offset");
		return PROBE_FAILED;
	}
	*seen = passed == json_object_size(bounds);
	return PROBE_OK;
}

const struct probe_canary kafka_canary = {.hop = kafka_canary_hop};
