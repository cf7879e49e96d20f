/* fuzz_redis_info.c: fuzz target for the Redis INFO parser (src/redis_info.c). */
#include <jansson.h>

#include "fuzz.h"
#include "redis_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	json_t *info = redis_info_parse(s);
	FUZZ_CHECK(json_is_object(info), "redis_info_parse returned no object");
	FUZZ_CHECK(json_is_integer(json_object_get(info, "keys")), "no integer keys");
	FUZZ_CHECK(json_integer_value(json_object_get(info, "keys")) >= 0, "negative keys");
	FUZZ_CHECK(json_integer_value(json_object_get(info, "expires")) >= 0, "negative expires");
	char *dump = json_dumps(info, JSON_COMPACT);
	FUZZ_CHECK(dump != NULL, "the parsed INFO does not serialise");
	free(dump);
	json_decref(info);
	free(s);
	return 0;
}
