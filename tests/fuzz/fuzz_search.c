/* fuzz_search.c: fuzz target for what the search stage reads from Elasticsearch/OpenSearch
   answers (src/search_parse.c): every parser on the same body, and the error-body reader. */
#include <jansson.h>

#include "fuzz.h"
#include "kinds/search/parse.h"
#include "backend/http_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char why[256], err[256];
	if (http_error_reason(s, why, sizeof why))
		FUZZ_CHECK(strlen(why) < sizeof why, "reason overflow");
	char tiny[8];
	http_error_reason(s, tiny, sizeof tiny);
	free(s);

	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!j)
		return 0;
	struct search_figures f;
	search_figures_init(&f);
	search_parse_health(j, &f, err, sizeof err);
	search_parse_settings(j, &f, err, sizeof err);
	search_parse_stats(j, &f, err, sizeof err);
	search_parse_count(j, &f, err, sizeof err);
	search_parse_newest(j, &f, err, sizeof err);
	search_parse_max(j, "newest", &f, err, sizeof err);
	FUZZ_CHECK(memchr(f.health, '\0', sizeof f.health) &&
	               memchr(f.first_index, '\0', sizeof f.first_index) &&
	               memchr(f.refresh_interval, '\0', sizeof f.refresh_interval) &&
	               memchr(f.search_idle_after, '\0', sizeof f.search_idle_after),
	           "a figure string is not terminated");
	json_t *detail = search_settings_detail(j);
	json_decref(detail);
	json_decref(j);
	return 0;
}
