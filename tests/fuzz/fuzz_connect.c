/* fuzz_connect.c: fuzz target for the Kafka Connect status answer: the connector probe's parser
   (connector_read, src/probe/connector.c), then the stage's rules and both reports on it. */
/* needs: search */
#include <jansson.h>
#include <unistd.h>

#include "config.h"
#include "config_file.h"
#include "fuzz.h"
#include "health.h"
#include "kinds/connector/connector.h"
#include "report.h"
#include "snapshot.h"

static const char INI[] = "[connect workers]\nurl = http://connect:8083\n"
                          "[pipeline p]\nconnector = workers\nconnector.name = products-sink\n";

static struct config *the_config(void)
{
	static struct config *cfg;
	if (cfg)
		return cfg;
	char path[] = "/tmp/synctop-fuzz-XXXXXX";
	int fd = mkstemp(path);
	FUZZ_CHECK(fd >= 0 && write(fd, INI, sizeof INI - 1) == (ssize_t)(sizeof INI - 1), "temp file");
	close(fd);
	char err[512];
	cfg = config_load(path, err, sizeof err, NULL);
	unlink(path);
	FUZZ_CHECK(cfg != NULL, "%s", err);
	return cfg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = the_config();
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!j)
		return 0;
	struct snapshot snap = {.cfg = cfg, .taken_at = 1795000000.0, .n_pipes = 1};
	struct pipeline_view pv = {.cfg = &cfg->pipelines[0], .n_stages = 1};
	struct stage_view sv = {.cfg = &cfg->pipelines[0].stages[0]};
	snap.pipes = &pv;
	pv.stages = &sv;
	/* A first read leaves its memo to the second (a pause seen before). */
	json_t *memo = NULL;
	struct sample first;
	sample_init(&first);
	kind_sample_prepare(&connector_kind, &first);
	connector_read(j, "/connectors/products-sink/status", &memo, &first);
	sample_clear(&first);
	kind_sample_prepare(&connector_kind, &sv.cur);
	sv.cur.ok = connector_read(j, "/connectors/products-sink/status", &memo, &sv.cur) == PROBE_OK;
	sv.n_samples = 1;
	if (sv.cur.ok) {
		/* Every task listed is in the detail, and counted. */
		json_t *tasks = json_object_get(j, "tasks");
		size_t n = json_is_array(tasks) ? json_array_size(tasks) : 0;
		FUZZ_CHECK(json_array_size(json_object_get(sv.cur.detail, "task_states")) == n,
		           "%zu tasks, %zu in the detail", n,
		           json_array_size(json_object_get(sv.cur.detail, "task_states")));
		FUZZ_CHECK(json_integer_value(json_object_get(sv.cur.metrics, "tasks")) == (json_int_t)n,
		           "%zu tasks, %lld counted", n,
		           (long long)json_integer_value(json_object_get(sv.cur.metrics, "tasks")));
	} else {
		FUZZ_CHECK(sv.cur.err[0], "a failed read without a reason");
	}
	health_evaluate(&snap);

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	report_text(out, &snap);
	fclose(out);
	free(text);
	out = open_memstream(&text, &len);
	report_json(out, &snap);
	fclose(out);
	json_error_t e;
	json_t *back = json_loadb(text, len, 0, &e);
	FUZZ_CHECK(back != NULL, "--format json output does not parse: %s", e.text);
	json_decref(back);
	free(text);

	free(pv.diags);
	sample_clear(&sv.cur);
	json_decref(memo);
	json_decref(j);
	return 0;
}
