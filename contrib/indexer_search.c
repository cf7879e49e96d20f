/* indexer_search.c: synctop-indexer's search half: the HTTP session, the index's creation, and the
 * _bulk request of a batch with its per-item verdicts. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "indexer.h"
#include "redact.h"

#define CONNECT_TIMEOUT_MS 5000
#define REQUEST_TIMEOUT_MS 30000
/* The biggest answer we read: a _bulk answer of 10000 items with errors fits. */
#define ANSWER_MAX (64u << 20)
/* Only what the verdicts need, not the 200 bytes of metadata per item. */
#define BULK_PATH "/_bulk?filter_path=errors,items.*.status,items.*.error"

/* ---- HTTP ----------------------------------------------------------------------------------------- */

size_t indexer_on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct worker_buf *b = userdata;
	size_t n = size * nmemb;

	if (b->len + n > ANSWER_MAX || worker_buf_add(b, ptr, n) < 0) {
		b->failed = 1;
		return 0; /* aborts the transfer */
	}
	return n;
}

/* A stop abandons the request in flight after a grace. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct search *s = p;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (!worker_stop)
		return 0;
	if (!s->stop_deadline)
		s->stop_deadline = worker_now_ms() + INDEXER_STOP_GRACE_MS;
	return worker_now_ms() >= s->stop_deadline;
}

static const char *or_else(const char *s, const char *otherwise)
{
	return s ? s : otherwise;
}

/* The error of an Elasticsearch answer, "type: reason", in s->body_error ("" when there is none). */
static const char *answer_error(struct search *s, const struct worker_buf *answer)
{
	json_t *root = answer->s ? json_loadb(answer->s, answer->len, 0, NULL) : NULL;
	json_t *err = json_object_get(root, "error");

	s->body_error[0] = '\0';
	if (json_is_object(err))
		snprintf(s->body_error, sizeof s->body_error, "%s: %s",
		         or_else(json_string_value(json_object_get(err, "type")), "error"),
		         or_else(json_string_value(json_object_get(err, "reason")), "(no reason)"));
	else if (json_is_string(err))
		snprintf(s->body_error, sizeof s->body_error, "%s", json_string_value(err));
	json_decref(root);
	return s->body_error;
}

/* METHOD PATH (after the base URL), with BODY of LEN bytes unless NULL. The HTTP status, or -1 with
   s->error set; the answer in ANSWER (to free). */
static long request(struct search *s, const char *method, const char *path, const char *body, size_t len,
                    int ndjson, struct worker_buf *answer)
{
	char url[2048], errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	long status = 0;

	memset(answer, 0, sizeof *answer);
	if (snprintf(url, sizeof url, "%s%s", s->base, path) >= (int)sizeof url) {
		snprintf(s->error, sizeof s->error, "%s %s: the URL is too long", method, path);
		return -1;
	}
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(s->h, CURLOPT_NOBODY, (long)!strcmp(method, "HEAD"));
	if (body) {
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else if (strcmp(method, "HEAD") != 0) {
		curl_easy_setopt(s->h, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(s->h, CURLOPT_CUSTOMREQUEST, !strcmp(method, "PUT") ? "PUT" : NULL);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->headers[ndjson]);
	rc = curl_easy_perform(s->h);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, NULL);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(s->error, sizeof s->error, "%s %s: abandoned (stopping)", method, path);
		return -1;
	}
	if (rc == CURLE_WRITE_ERROR && answer->failed) {
		snprintf(s->error, sizeof s->error, "%s %s: the answer is bigger than %u MB or out of memory",
		         method, path, ANSWER_MAX >> 20);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(s->error, sizeof s->error, "%s %s: %s", method, path,
		         *errbuf ? errbuf : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

int indexer_read_secret(const char *flag, const char *file, char *key, size_t size, char *why, size_t whylen)
{
	FILE *f = fopen(file, "r");
	char *p;
	size_t n;

	if (!f) {
		snprintf(why, whylen, "%s: cannot read %s: %s", flag, file, strerror(errno));
		return -1;
	}
	p = fgets(key, (int)size, f);
	fclose(f);
	if (!p)
		key[0] = '\0';
	for (p = key; *p == ' ' || *p == '\t'; p++)
		;
	memmove(key, p, strlen(p) + 1);
	n = strlen(key);
	while (n > 0 && isspace((unsigned char)key[n - 1]))
		key[--n] = '\0';
	if (!n || strpbrk(key, "\r\n")) {
		snprintf(why, whylen, "%s: %s holds nothing on its first line", flag, file);
		return -1;
	}
	return 0;
}

int indexer_secrets_add(char ***list, const char *secret)
{
	size_t n = 0;
	char **l;

	while (*list && (*list)[n])
		n++;
	l = realloc(*list, (n + 2) * sizeof *l);
	if (!l)
		return -1;
	*list = l;
	l[n + 1] = NULL;
	l[n] = strdup(secret);
	return l[n] ? 0 : -1;
}

int search_open(struct search *s, const struct indexer_opts *o, char *why, size_t whylen)
{
	size_t len = strlen(o->url);
	char key[1024], *enc, *scheme = NULL;
	CURLU *u = curl_url();
	int i;

	memset(s, 0, sizeof *s);
	s->state.what = "search";
	s->index = o->index;
	if (!u || curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		s->shown = redact_url(o->url);
		snprintf(why, whylen, "--url: expected http(s)://host:port, not '%s'", s->shown);
		curl_free(scheme);
		curl_url_cleanup(u);
		return -1;
	}
	curl_free(scheme);
	curl_url_cleanup(u);
	while (len > 0 && o->url[len - 1] == '/')
		len--;
	s->base = strndup(o->url, len);
	s->shown = redact_url(s->base);
	s->h = curl_easy_init();
	enc = s->h ? curl_easy_escape(s->h, o->index, 0) : NULL;
	if (enc) {
		s->index_path = malloc(strlen(enc) + 2);
		if (s->index_path)
			sprintf(s->index_path, "/%s", enc);
		curl_free(enc);
	}
	if (!s->base || !s->shown || !s->h || !s->index_path) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	*key = '\0';
	if (o->api_key_file &&
	    indexer_read_secret("--api-key-file", o->api_key_file, key, sizeof key, why, whylen) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		static const char *const type[2] = {"Content-Type: application/json",
		                                    "Content-Type: application/x-ndjson"};
		char header[sizeof key + 32];
		struct curl_slist *l = curl_slist_append(NULL, type[i]);

		/* No "Expect: 100-continue" round trip before a big _bulk body. */
		if (l && !(s->headers[i] = curl_slist_append(l, "Expect:")))
			curl_slist_free_all(l);
		snprintf(header, sizeof header, "Authorization: ApiKey %s", key);
		if (s->headers[i] && *key && !curl_slist_append(s->headers[i], header)) {
			curl_slist_free_all(s->headers[i]);
			s->headers[i] = NULL;
		}
		memset(header, 0, sizeof header);
		if (!s->headers[i]) {
			memset(key, 0, sizeof key);
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	}
	/* Never printed; scrubbed from messages all the same, should a server echo them. */
	s->secrets = secrets_in(o->url, false);
	i = *key ? indexer_secrets_add(&s->secrets, key) : 0;
	memset(key, 0, sizeof key);
	if (i < 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, indexer_on_data);
	curl_easy_setopt(s->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(s->h, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(s->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(s->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->h, CURLOPT_USERAGENT, INDEXER_NAME);
	curl_easy_setopt(s->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
	return 0;
}

const char *search_error(struct search *s)
{
	redact_secrets_inplace(s->error, sizeof s->error, (const char *const *)s->secrets);
	return s->error;
}

void search_close(struct search *s)
{
	secrets_free(s->secrets);
	if (s->h)
		curl_easy_cleanup(s->h);
	curl_slist_free_all(s->headers[0]);
	curl_slist_free_all(s->headers[1]);
	free(s->base);
	free(s->shown);
	free(s->index_path);
	memset(s, 0, sizeof *s);
}

int search_ensure_index(struct search *s)
{
	static const char mapping[] = "{\"settings\":{\"index\":{\"number_of_replicas\":0}},"
	                              "\"mappings\":{\"properties\":{\"updated_at\":{\"type\":\"date\"}}}}";
	struct worker_buf answer;
	long status;

	status = request(s, "HEAD", s->index_path, NULL, 0, 0, &answer);
	free(answer.s);
	if (status == 200) {
		s->index_ready = 1;
		return 0;
	}
	if (status != 404) {
		if (status > 0)
			snprintf(s->error, sizeof s->error, "HEAD %s: HTTP %ld", s->index_path, status);
		return -1;
	}
	status = request(s, "PUT", s->index_path, mapping, strlen(mapping), 0, &answer);
	if (status == 200) {
		worker_log(0, "search: created the index %s (updated_at: a date; no replica)", s->index);
		s->index_ready = 1;
	} else if (status == 400 && strstr(answer_error(s, &answer), "resource_already_exists_exception")) {
		s->index_ready = 1; /* another indexer was quicker */
	} else if (status > 0) {
		snprintf(s->error, sizeof s->error, "PUT %s: HTTP %ld: %s", s->index_path, status,
		         *answer_error(s, &answer) ? s->body_error : "(no error in the answer)");
	}
	free(answer.s);
	return s->index_ready ? 0 : -1;
}

/* ---- _bulk ---------------------------------------------------------------------------------------- */

/* Appends the action line of IT (and its source) to BODY. */
static int add_action(struct worker_buf *body, const char *index, const struct item *it)
{
	json_t *a = json_pack("{s:{s:s,s:s%}}", it->op == ITEM_DELETE ? "delete" : "index", "_index", index,
	                      "_id", (const char *)it->m->key, it->m->key_len);
	char *line = a ? json_dumps(a, JSON_COMPACT) : NULL;
	int rc = line ? 0 : -1;

	rc = rc ? rc : worker_buf_add(body, line, strlen(line));
	rc = rc ? rc : worker_buf_add(body, "\n", 1);
	if (!rc && it->op == ITEM_INDEX) {
		rc = worker_buf_add(body, it->source, strlen(it->source));
		rc = rc ? rc : worker_buf_add(body, "\n", 1);
	}
	free(line);
	json_decref(a);
	return rc;
}

/* The verdicts of a 200 answer on the items SENT[0..NSENT) of B: 0 when each has its outcome, 1 when
   some must be sent again (429, 5xx), -1 when the answer cannot be read (s->error says why). */
static int verdicts(struct search *s, struct batch_items *b, const int *sent, int nsent,
                    const struct worker_buf *answer)
{
	json_t *root = json_loadb(answer->s ? answer->s : "", answer->len, 0, NULL);
	json_t *items = json_object_get(root, "items");
	int i, again = 0, rc = 0;
	char key[65];

	if (!json_is_object(root) || !json_is_boolean(json_object_get(root, "errors"))) {
		snprintf(s->error, sizeof s->error,
		         "POST /_bulk: HTTP 200 but the answer is not a bulk answer");
		json_decref(root);
		return -1;
	}
	if (!json_is_true(json_object_get(root, "errors"))) {
		for (i = 0; i < nsent; i++)
			b->v[sent[i]].state = ITEM_DONE;
		json_decref(root);
		return 0;
	}
	if (!json_is_array(items) || (int)json_array_size(items) != nsent) {
		snprintf(s->error, sizeof s->error, "POST /_bulk: the answer has %d items for %d actions",
		         json_is_array(items) ? (int)json_array_size(items) : 0, nsent);
		json_decref(root);
		return -1;
	}
	for (i = 0; i < nsent; i++) {
		struct item *it = &b->v[sent[i]];
		json_t *r = json_object_iter_value(json_object_iter(json_array_get(items, i)));
		json_t *err = json_object_get(r, "error");
		long status = (long)json_integer_value(json_object_get(r, "status"));
		const char *type = json_string_value(json_object_get(err, "type"));
		const char *reason = json_string_value(json_object_get(err, "reason"));
		const char *cause =
		    json_string_value(json_object_get(json_object_get(err, "caused_by"), "reason"));

		if (!err) {
			it->state = ITEM_DONE;
			continue;
		}
		if (status == 429 || status >= 500 || status < 400) {
			/* Worth another try: the whole batch goes again (a key's actions keep their order).
			 */
			if (!again++)
				snprintf(s->error, sizeof s->error, "POST /_bulk: item %s failed: %ld %s: %s",
				         item_key(it->m, key, sizeof key), status, type ? type : "error",
				         reason ? reason : "(no reason)");
			continue;
		}
		it->state = ITEM_REJECTED;
		worker_log(0, "rejected by the index: %s %s (partition %d offset %lld): %ld %s: %s%s%s",
		           it->op == ITEM_DELETE ? "delete" : "document", item_key(it->m, key, sizeof key),
		           (int)it->m->partition, (long long)it->m->offset, status, type ? type : "error",
		           reason ? reason : "(no reason)", cause ? ": " : "", cause ? cause : "");
	}
	if (again) {
		size_t n = strlen(s->error);

		snprintf(s->error + n, sizeof s->error - n, " (and %d more)", again - 1);
		rc = 1;
	}
	json_decref(root);
	return rc;
}

enum bulk_result search_bulk(struct search *s, struct batch_items *b)
{
	struct worker_buf body = {0}, answer;
	int *sent = malloc((size_t)(b->n ? b->n : 1) * sizeof *sent), nsent = 0, i, rc;
	long status;

	if (!sent) {
		snprintf(s->error, sizeof s->error, "out of memory");
		return BULK_RETRY;
	}
	/* Every item but those refused for good: after a partial failure the ones that went through go
	   again too, after the failed ones of their key (indexing by id is idempotent). */
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->v[i];

		if (it->op == ITEM_SKIP || it->state == ITEM_REJECTED)
			continue;
		it->state = ITEM_PENDING;
		if (add_action(&body, s->index, it) < 0) {
			snprintf(s->error, sizeof s->error, "out of memory");
			free(body.s);
			free(sent);
			return BULK_RETRY;
		}
		sent[nsent++] = i;
	}
	if (!nsent) {
		free(sent);
		return BULK_OK;
	}
	status = request(s, "POST", BULK_PATH, body.s, body.len, 1, &answer);
	free(body.s);
	if (status == 200) {
		rc = verdicts(s, b, sent, nsent, &answer);
	} else {
		if (status > 0)
			snprintf(s->error, sizeof s->error, "POST /_bulk: HTTP %ld: %s", status,
			         *answer_error(s, &answer) ? s->body_error : "(no error in the answer)");
		rc = -1;
	}
	free(answer.s);
	free(sent);
	return rc == 0 ? BULK_OK : BULK_RETRY;
}
