/* fuzz_timeseries.c: fuzz target for what the timeseries stage reads from InfluxDB's /query
   answers (src/kinds/timeseries/parse.c), and its InfluxQL identifier quoting. */
#include <jansson.h>

#include "fuzz.h"
#include "kinds/timeseries/timeseries.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char *q = timeseries_ident(s);
	size_t n = strlen(q);
	FUZZ_CHECK(n >= 2 && q[0] == '"' && q[n - 1] == '"', "an identifier not in double quotes");
	for (size_t i = 1; i + 1 < n; i++) {
		if (q[i] == '\\') {
			i++; /* an escaped character, itself a quote or a backslash */
			FUZZ_CHECK(i + 1 < n && (q[i] == '"' || q[i] == '\\'), "a stray backslash");
		} else {
			FUZZ_CHECK(q[i] != '"', "an unescaped quote inside an identifier");
		}
	}
	free(q);
	free(s);

	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!j)
		return 0;
	struct ts_answer a;
	char why[256], tiny[8];
	if (timeseries_parse(j, &a, why, sizeof why))
		FUZZ_CHECK(a.recent >= 0 && a.baseline >= 0, "a negative count");
	else
		FUZZ_CHECK(strlen(why) > 0 && strlen(why) < sizeof why, "a failure without a reason");
	timeseries_parse(j, &a, tiny, sizeof tiny);
	json_decref(j);
	return 0;
}
