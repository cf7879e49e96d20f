/* test_osc52.c: the OSC 52 sequence byte for byte: plain, tmux's passthrough, GNU screen's
   chunks, base64 against RFC 4648's vectors, and the size cap (never sent cut short). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/osc52.h"

static void b64_is(const char *in, const char *want)
{
	char out[64];
	assert_int_equal(osc52_base64_len(strlen(in)), strlen(want));
	osc52_base64((const unsigned char *)in, strlen(in), out);
	assert_string_equal(out, want);
}

/* RFC 4648, section 10, and bytes above 127 (UTF-8 text). */
static void test_base64(void **state)
{
	(void)state;
	b64_is("", "");
	b64_is("f", "Zg==");
	b64_is("fo", "Zm8=");
	b64_is("foo", "Zm9v");
	b64_is("foob", "Zm9vYg==");
	b64_is("fooba", "Zm9vYmE=");
	b64_is("foobar", "Zm9vYmFy");
	b64_is("≥ 1s\n", "4omlIDFzCg==");
	b64_is("\xff\xfe\xfd", "//79");
}

static void seq_is(const char *text, enum osc52_wrap w, const char *want, size_t want_len)
{
	size_t len = 99;
	char *s = osc52_sequence(text, strlen(text), w, &len);
	assert_non_null(s);
	assert_int_equal(len, want_len);
	assert_memory_equal(s, want, want_len);
	assert_int_equal(s[len], '\0');
	free(s);
}

#define SEQ_IS(text, w, lit) seq_is(text, w, lit, sizeof lit - 1)

static void test_plain(void **state)
{
	(void)state;
	SEQ_IS("# synctop\n", OSC52_PLAIN, "\033]52;c;IyBzeW5jdG9wCg==\a");
	SEQ_IS("", OSC52_PLAIN, "\033]52;c;\a");
}

/* The plain sequence for tmux itself (set-clipboard on), then the passthrough with the ESC
   of the sequence doubled, ended by ST. */
static void test_tmux(void **state)
{
	(void)state;
	SEQ_IS("foobar", OSC52_TMUX,
	       "\033]52;c;Zm9vYmFy\a"
	       "\033Ptmux;\033\033]52;c;Zm9vYmFy\a\033\\");
}

/* Screen: DCS strings of 76 bytes of base64 at most, the first with the OSC's start, the last
   with its BEL. 60 bytes of text are 80 of base64: two strings. */
static void test_screen(void **state)
{
	(void)state;
	SEQ_IS("foobar", OSC52_SCREEN, "\033P\033]52;c;Zm9vYmFy\a\033\\");
	char text[61];
	memset(text, 'a', 60);
	text[60] = '\0';
	SEQ_IS(text, OSC52_SCREEN,
	       "\033P\033]52;c;"
	       "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
	       "\033\\\033P"
	       "YWFh"
	       "\a\033\\");
	/* 57 bytes: 76 of base64, one string exactly. */
	text[57] = '\0';
	SEQ_IS(text, OSC52_SCREEN,
	       "\033P\033]52;c;"
	       "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh"
	       "\a\033\\");
}

/* Each DCS string of screen stays under its 768-byte limit, and the bytes between them are
   the base64 whole, in order. */
static void test_screen_long(void **state)
{
	(void)state;
	size_t n = 10000;
	char *text = malloc(n + 1);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		text[i] = (char)('a' + i % 26);
	text[n] = '\0';
	size_t len;
	char *s = osc52_sequence(text, n, OSC52_SCREEN, &len);
	assert_non_null(s);
	char *b64 = malloc(osc52_base64_len(n) + 1), *joined = malloc(len + 1);
	assert_non_null(b64);
	assert_non_null(joined);
	osc52_base64((const unsigned char *)text, n, b64);
	size_t o = 0, strings = 0;
	for (char *p = s; (p = strstr(p, "\033P")) != NULL;) {
		p += 2;
		char *end = strstr(p, "\033\\");
		assert_non_null(end);
		assert_true(end - p < 768);
		if (!strncmp(p, "\033]52;c;", 7))
			p += 7;
		size_t k = (size_t)(end - p);
		if (k && p[k - 1] == '\a')
			k--;
		memcpy(joined + o, p, k);
		o += k;
		strings++;
		p = end + 2;
	}
	joined[o] = '\0';
	assert_string_equal(joined, b64);
	assert_int_equal(strings, (osc52_base64_len(n) + 75) / 76);
	free(joined);
	free(b64);
	free(s);
	free(text);
}

/* 75,000 bytes of text (100,000 of base64) go; one more is refused whole, never cut. */
static void test_cap(void **state)
{
	(void)state;
	assert_int_equal(OSC52_MAX_TEXT, 75000);
	char *text = malloc(OSC52_MAX_TEXT + 2);
	assert_non_null(text);
	memset(text, 'x', OSC52_MAX_TEXT + 1);
	text[OSC52_MAX_TEXT + 1] = '\0';
	size_t len = 99;
	char *s = osc52_sequence(text, OSC52_MAX_TEXT, OSC52_PLAIN, &len);
	assert_non_null(s);
	assert_int_equal(len, 7 + 100000 + 1);
	free(s);
	for (int w = OSC52_PLAIN; w <= OSC52_SCREEN; w++) {
		len = 99;
		assert_null(osc52_sequence(text, OSC52_MAX_TEXT + 1, (enum osc52_wrap)w, &len));
		assert_int_equal(len, 0);
	}
	free(text);
}

/* One multiplexer: its wrapping; both (the inner inherited the outer's variable): the nearer
   ancestor; neither server among the ancestors: TERM decides, screen when in doubt. */
static void test_wrap_for(void **state)
{
	(void)state;
	const char *tmux = "/tmp/tmux-0/default,4242,0", *sty = "777.pts-0.host";
	assert_int_equal(osc52_wrap_for(NULL, NULL, "xterm", NULL, 0), OSC52_PLAIN);
	assert_int_equal(osc52_wrap_for("", "", "xterm", NULL, 0), OSC52_PLAIN);
	assert_int_equal(osc52_wrap_for(tmux, NULL, "screen", NULL, 0), OSC52_TMUX);
	assert_int_equal(osc52_wrap_for(NULL, sty, "screen", NULL, 0), OSC52_SCREEN);
	/* screen in a tmux pane: screen's server (777) is the nearer. */
	static const long screen_in_tmux[] = {900, 777, 800, 4242, 1};
	assert_int_equal(osc52_wrap_for(tmux, sty, "screen", screen_in_tmux, 5), OSC52_SCREEN);
	/* tmux in a screen window: tmux's (4242) is. */
	static const long tmux_in_screen[] = {900, 4242, 800, 777, 1};
	assert_int_equal(osc52_wrap_for(tmux, sty, "screen", tmux_in_screen, 5), OSC52_TMUX);
	/* Neither among them (a setuid boundary, variables carried over): TERM, else screen. */
	static const long other[] = {900, 800, 1};
	assert_int_equal(osc52_wrap_for(tmux, sty, "tmux-256color", other, 3), OSC52_TMUX);
	assert_int_equal(osc52_wrap_for(tmux, sty, "screen-256color", other, 3), OSC52_SCREEN);
	assert_int_equal(osc52_wrap_for("garbage", "x.y", NULL, other, 3), OSC52_SCREEN);
	assert_string_equal(osc52_wrap_name(OSC52_PLAIN), "");
	assert_string_equal(osc52_wrap_name(OSC52_TMUX), " (tmux)");
	assert_string_equal(osc52_wrap_name(OSC52_SCREEN), " (screen)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base64),   cmocka_unit_test(test_plain),       cmocka_unit_test(test_tmux),
	    cmocka_unit_test(test_screen),   cmocka_unit_test(test_screen_long), cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_wrap_for),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
