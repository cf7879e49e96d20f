/* indexer_influx.c: the indexer's metrics copy: one InfluxDB 1.x point per batch the index took
 * (--influx-url), the copy the demo's timeseries stage watches. A failed write is logged once per
 * change of state and never holds a batch back: the metrics are a copy beside the index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexer.h"
#include "redact.h"

/* A write must not hold the consumer up: a point that cannot go within this is dropped. */
#define INFLUX_TIMEOUT_MS 1000

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

int influx_open(struct influx *f, const struct indexer_opts *o, char *why, size_t whylen)
{
	memset(f, 0, sizeof *f);
	f->state.what = "influx";
	if (!o->influx_url)
		return 0;
	size_t len;
	if (indexer_url_check("--influx-url", o->influx_url, &f->shown, &len, why, whylen) < 0)
		return -1;
	f->h = curl_easy_init();
	char *db = f->h ? curl_easy_escape(f->h, o->influx_db, 0) : NULL;
	if (db && (f->url = malloc(len + strlen(db) + 32)))
		sprintf(f->url, "%.*s/write?db=%s", (int)len, o->influx_url, db);
	curl_free(db);
	f->secrets = secrets_in(o->influx_url, false);
	if (!f->url) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	f->measurement = o->influx_measurement;
	f->index = o->index;
	curl_easy_setopt(f->h, CURLOPT_URL, f->url);
	curl_easy_setopt(f->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(f->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(f->h, CURLOPT_USERAGENT, INDEXER_NAME);
	curl_easy_setopt(f->h, CURLOPT_TIMEOUT_MS, (long)INFLUX_TIMEOUT_MS);
	return 0;
}

int indexer_url_check(const char *flag, const char *url, char **shown, size_t *len, char *why, size_t whylen)
{
	*len = strlen(url);
	while (*len > 0 && url[*len - 1] == '/')
		(*len)--;
	*shown = redact_url(url);
	if (!*shown || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))) {
		snprintf(why, whylen, "%s: expected http(s)://host:port, not '%s'", flag,
		         *shown ? *shown : "?");
		return -1;
	}
	return 0;
}

void influx_point(struct influx *f, int indexed, int deleted)
{
	if (!f->h)
		return;
	char line[1024], tag[512], err[CURL_ERROR_SIZE] = "";
	/* Line protocol: a tag value escapes ',', '=' and ' ' (the measurement is a plain name). */
	size_t k = 0;
	for (const char *c = f->index; *c && k + 2 < sizeof tag; c++) {
		if (*c == ',' || *c == '=' || *c == ' ')
			tag[k++] = '\\';
		tag[k++] = *c;
	}
	tag[k] = '\0';
	/* No timestamp: the server's clock stamps it (worker_now_ms() is monotonic, not a date). */
	snprintf(line, sizeof line, "%s,index=%s docs=%di,deleted=%di", f->measurement, tag, indexed,
	         deleted);
	curl_easy_setopt(f->h, CURLOPT_POSTFIELDS, line);
	curl_easy_setopt(f->h, CURLOPT_ERRORBUFFER, err);
	long status = 0;
	CURLcode rc = curl_easy_perform(f->h);
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(f->h, CURLOPT_ERRORBUFFER, NULL);
	if (rc != CURLE_OK || status != 204) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", rc != CURLE_OK ? (*err ? err : curl_easy_strerror(rc)) : "");
		if (rc == CURLE_OK)
			snprintf(msg, sizeof msg, "HTTP %ld", status);
		redact_secrets_inplace(msg, sizeof msg, (const char *const *)f->secrets);
		worker_state_fail(&f->state, "%s: writing a point: %s", f->shown, msg);
		return;
	}
	worker_state_ok(&f->state, "writing points to %s", f->shown);
}

void influx_close(struct influx *f)
{
	secrets_free(f->secrets);
	if (f->h)
		curl_easy_cleanup(f->h);
	free(f->url);
	free(f->shown);
	memset(f, 0, sizeof *f);
}
