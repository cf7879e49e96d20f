/* fuzz_search.c: fuzz target for what the search stage reads from Elasticsearch/OpenSearch
   answers (src/search_parse.c): every parser on the same body, the error-body reader, and what the actions
   read (the _shards of a refresh, the indices' uuids, a write's error). */
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
	char line[256];
	search_write_error(503, "POST /x/_refresh", s, "manage", line, sizeof line);
	FUZZ_CHECK(strlen(line) < sizeof line, "write error overflow");
	search_write_error(403, "PUT /x/_settings", s, "manage", tiny, sizeof tiny);
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
	json_t *uuids = search_index_uuids(j);
	FUZZ_CHECK(json_is_object(uuids), "uuids is not an object");
	json_decref(uuids);
	char line2[512];
	if (search_refresh_shards(j, line2, sizeof line2))
		FUZZ_CHECK(!strncmp(line2, "total ", 6), "a _shards line that does not start with total");
	else
		FUZZ_CHECK(line2[0] == '\0', "no _shards, yet a line");
	search_refresh_shards(j, tiny, sizeof tiny);
	search_refresh_off(j, why, sizeof why);
	json_decref(j);
	return 0;
}
