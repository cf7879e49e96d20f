/* redact.h: removes secrets from conninfo strings, URLs and messages before they are shown. */
#ifndef SYNCTOP_REDACT_H
#define SYNCTOP_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define REDACTED "***"

/* A libpq conninfo in key=value form or postgres:// URI form, with every password
   (password=..., user:pass@, ?password=, ?pass%77ord=) replaced by ***. Returns a new string.
   Built with libpq, PQconninfoParse checks it: a conninfo libpq reads a secret in that the
   text redaction would leave is shown rebuilt from libpq's reading, in key=value form. */
char *redact_conninfo(const char *conninfo);

/* A URL (http, https, redis, rediss, unix, ...) with the userinfo password and secret-looking
   query parameters (password, api_key, apikey, token, secret, access_token, percent-encoded
   or not) replaced by ***. The userinfo ends at an '@' before the first '/' after "scheme://",
   wherever '?' and '#' are (as libpq, synctop's Redis parser and curl read it); without a
   scheme, at any '@'. */
char *redact_url(const char *url);

/* True if the conninfo or URL carries a password inline. */
bool conninfo_has_password(const char *conninfo);
bool url_has_password(const char *url);

/* Every secret written inline in a conninfo (is_conninfo) or URL, as it stands there and,
   each form once, as the library reads it (quoted conninfo values unquoted, URL parts
   percent-decoded, libpq's own reading): for scrubbing library messages that echo the input.
   NULL-terminated, or NULL when there is none; free with secrets_free. */
char **secrets_in(const char *s, bool is_conninfo);
void secrets_free(char **list);

/* Replaces, in place, every occurrence of each of the secrets (NULL-terminated list;
   empty strings ignored) in msg with ***. Used on backend error texts as a last line of defence. */
void redact_secrets_inplace(char *msg, size_t n, const char *const *secrets);

#endif
