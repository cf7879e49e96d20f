/* fuzz_redact.c: fuzz target for the redactor (src/redact.c). The first byte picks a way of
   writing a password into a conninfo or URL, the rest spells the password in an alphabet that
   the parser of that form (libpq, the URL parsers) would take as one password. Properties: the
   redacted text holds no byte of the password alphabet's letters (G-Z: never in the rest of the
   string, nor in a percent-encoding a rebuild may add), nor the password; the text is known
   to carry a password; a library message quoting the password is scrubbed by secrets_in. */
#include <ctype.h>

#include "fuzz.h"
#include "redact.h"

/* What a password may hold in each form. Letters G-Z only: the rest of every template is lower
   case, and A-F may come from a percent-encoding. Never '%' where the parser decodes it. */
#define LETTERS "GHIJKLMNOPQRSTUVWXYZ"
/* userinfo of a URL: up to the first '@', not past a '/'; '?' and '#' included (issue 12 #1) */
static const char URL_PW[] = LETTERS "?#:!$&'()*+,;=~-._[]";
/* a libpq URI query value: not '&' or '=' (libpq's separators) */
static const char QUERY_PW[] = LETTERS "?#:!$'()*+,;~-._@/";
/* an unquoted conninfo value: no white space, quote or backslash */
static const char BARE_PW[] = LETTERS "?#:!$&()*+,;=~-._@/%";
/* a quoted conninfo value: anything (quote and backslash are escaped) */
static const char QUOTED_PW[] = LETTERS "?#:!$&()*+,;=~-._@/% '\\";
/* a query parameter of an http URL: not '&' or '#' */
static const char PARAM_PW[] = LETTERS "?:!$'()*+,;=~-._@/";

static const struct form {
	const char *before, *after;
	const char *alphabet;
	bool conninfo; /* redact_conninfo, else redact_url */
	bool quoted;   /* the password goes between single quotes, escaped */
} forms[] = {
    {"postgresql://u:", "@127.0.0.1:5432/db", URL_PW, true, false},
    {"postgres://u:", "@127.0.0.1:5432/db?sslmode=disable&application_name=x", URL_PW, true, false},
    {"postgresql://u@127.0.0.1:5432/db?password=", "", QUERY_PW, true, false},
    {"postgresql://u@127.0.0.1:5432/db?sslmode=disable&password=", "&connect_timeout=2", QUERY_PW, true,
     false},
    {"postgresql://u@127.0.0.1:5432/db?pass%77ord=", "", QUERY_PW, true, false},
    {"postgresql://u@127.0.0.1:5432/db?%70assword=", "&sslmode=disable", QUERY_PW, true, false},
    {"host=127.0.0.1 port=5432 user=u password=", " dbname=db", BARE_PW, true, false},
    {"host=127.0.0.1 password = ", " dbname=db", BARE_PW, true, false},
    {"host=127.0.0.1 port=5432 user=u password='", "' dbname=db", QUOTED_PW, true, true},
    {"redis://:", "@127.0.0.1:6379/0", URL_PW, false, false},
    {"redis://u:", "@127.0.0.1:6379/0", URL_PW, false, false},
    {"rediss://u:", "@127.0.0.1:6380/0", URL_PW, false, false},
    {"http://u:", "@127.0.0.1:9200/products", URL_PW, false, false},
    {"https://u:", "@127.0.0.1:9200/?x=1", URL_PW, false, false},
    {"u:", "@127.0.0.1:6379", URL_PW, false, false},
    {"http://127.0.0.1:9200/?api_key=", "", PARAM_PW, false, false},
    {"http://127.0.0.1:9200/?x=1&token=", "&y=2", PARAM_PW, false, false},
};

static bool has_letter(const char *s)
{
	for (; *s; s++)
		if (*s >= 'G' && *s <= 'Z')
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const struct form *f = &forms[data[0] % (sizeof forms / sizeof forms[0])];
	size_t alen = strlen(f->alphabet), n = size - 1 > 64 ? 64 : size - 1;
	/* The password: starts and ends with a letter, so that it is never empty of them. */
	char pw[70], lit[140];
	size_t k = 0, m = 0;
	pw[k++] = 'P';
	for (size_t i = 0; i < n; i++)
		pw[k++] = f->alphabet[data[1 + i] % alen];
	pw[k++] = 'W';
	pw[k] = '\0';
	for (size_t i = 0; i < k; i++) { /* as written: quoted values escape ' and \ */
		if (f->quoted && (pw[i] == '\'' || pw[i] == '\\'))
			lit[m++] = '\\';
		lit[m++] = pw[i];
	}
	lit[m] = '\0';
	size_t len = strlen(f->before) + m + strlen(f->after) + 1;
	char *s = malloc(len);
	snprintf(s, len, "%s%s%s", f->before, lit, f->after);

	char *out = f->conninfo ? redact_conninfo(s) : redact_url(s);
	FUZZ_CHECK(!has_letter(out) && !strstr(out, pw), "%s -> %s: the password %s survives", s, out, pw);
	FUZZ_CHECK(f->conninfo ? conninfo_has_password(s) : url_has_password(s), "%s: no password seen", s);

	/* A library's message that quotes the connection string and the password itself. */
	char msg[1024];
	snprintf(msg, sizeof msg, "could not connect to \"%s\": password \"%s\" rejected", s, pw);
	char **secrets = secrets_in(s, f->conninfo);
	redact_secrets_inplace(msg, sizeof msg, (const char *const *)secrets);
	FUZZ_CHECK(!strstr(msg, pw), "%s: secrets_in misses %s: %s", s, pw, msg);
	secrets_free(secrets);
	free(out);
	free(s);
	return 0;
}
