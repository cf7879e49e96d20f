/* fuzz_redis_info.c: fuzz target for the Redis INFO parser (src/redis_info.c). */
#include <jansson.h>
#include <math.h>

#include "fuzz.h"
#include "kinds/cache/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	json_t *info = redis_info_parse(s);
	FUZZ_CHECK(json_is_object(info), "redis_info_parse returned no object");
	FUZZ_CHECK(json_is_integer(json_object_get(info, "keys")), "no integer keys");
	FUZZ_CHECK(json_integer_value(json_object_get(info, "keys")) >= 0, "negative keys");
	FUZZ_CHECK(json_integer_value(json_object_get(info, "expires")) >= 0, "negative expires");
	/* The fields the cache stage reads: a count from 0, a finite ratio from 0, or an error. */
	static const char *const fields[] = {
	    "used_memory", "maxmemory", "evicted_keys", "keyspace_hits", "mem_fragmentation_ratio",
	    "db0",         "x"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		int64_t c = -1;
		double r = -1;
		char err[128] = "";
		int rc = redis_info_count(info, fields[i], &c, err, sizeof err);
		FUZZ_CHECK(rc == 1 ? c >= 0 : rc == 0 || (rc == -1 && strstr(err, fields[i])),
		           "%s: %d %lld %s", fields[i], rc, (long long)c, err);
		err[0] = '\0';
		rc = redis_info_ratio(info, fields[i], &r, err, sizeof err);
		FUZZ_CHECK(rc == 1 ? isfinite(r) && r >= 0 : rc == 0 || (rc == -1 && strstr(err, fields[i])),
		           "%s: %d %g %s", fields[i], rc, r, err);
	}
	char *dump = json_dumps(info, JSON_COMPACT);
	FUZZ_CHECK(dump != NULL, "the parsed INFO does not serialise");
	free(dump);
	json_decref(info);
	free(s);
	return 0;
}
