/* osc52.c: the OSC 52 sequence that puts text in the terminal's clipboard, wrapped for tmux or GNU screen. */
#include "ui/osc52.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The number at s (digits only), or -1. */
static long pid_at(const char *s)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	char *end;
	long v = strtol(s, &end, 10);
	return end > s ? v : -1;
}

enum osc52_wrap osc52_wrap_for(const char *tmux, const char *sty, const char *term, const long *ancestors,
                               size_t n)
{
	bool in_tmux = tmux && *tmux, in_screen = sty && *sty;
	if (!in_tmux || !in_screen)
		return in_tmux ? OSC52_TMUX : in_screen ? OSC52_SCREEN : OSC52_PLAIN;
	const char *comma = strchr(tmux, ',');
	long tmux_pid = comma ? pid_at(comma + 1) : -1, screen_pid = pid_at(sty);
	for (size_t i = 0; i < n; i++) {
		if (tmux_pid > 0 && ancestors[i] == tmux_pid)
			return OSC52_TMUX;
		if (screen_pid > 0 && ancestors[i] == screen_pid)
			return OSC52_SCREEN;
	}
	return term && !strncmp(term, "tmux", 4) ? OSC52_TMUX : OSC52_SCREEN;
}

const char *osc52_wrap_name(enum osc52_wrap w)
{
	return w == OSC52_TMUX ? " (tmux)" : w == OSC52_SCREEN ? " (screen)" : "";
}

size_t osc52_base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void osc52_base64(const unsigned char *data, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)data[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)data[i + 1] << 8;
		if (i + 2 < n)
			v |= data[i + 2];
		out[o++] = abc[(v >> 18) & 63];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	out[o] = '\0';
}

#define OSC_START "\033]52;c;"
#define BEL       "\a"
#define ST        "\033\\"

static void put(char *buf, size_t *o, const char *s, size_t n)
{
	memcpy(buf + *o, s, n);
	*o += n;
}

#define PUT(buf, o, lit) put(buf, o, lit, sizeof lit - 1)

char *osc52_sequence(const char *data, size_t n, enum osc52_wrap w, size_t *len)
{
	*len = 0;
	if (n > OSC52_MAX_TEXT)
		return NULL;
	size_t b = osc52_base64_len(n);
	char *b64 = malloc(b + 1);
	/* Room for the worst wrapping: tmux's two copies, or screen's ST ESC P per chunk. */
	size_t chunks = b / OSC52_SCREEN_CHUNK + 1;
	char *buf = malloc(2 * b + chunks * 4 + 64);
	if (!b64 || !buf) {
		free(b64);
		free(buf);
		return NULL;
	}
	osc52_base64((const unsigned char *)data, n, b64);
	size_t o = 0;
	switch (w) {
	case OSC52_PLAIN:
	case OSC52_TMUX:
		PUT(buf, &o, OSC_START);
		put(buf, &o, b64, b);
		PUT(buf, &o, BEL);
		if (w == OSC52_PLAIN)
			break;
		/* tmux's passthrough: ESC P tmux; then the sequence with its ESC doubled, then ST. */
		PUT(buf, &o, "\033Ptmux;\033" OSC_START);
		put(buf, &o, b64, b);
		PUT(buf, &o, BEL ST);
		break;
	case OSC52_SCREEN:
		PUT(buf, &o, "\033P" OSC_START);
		for (size_t i = 0; i < b; i += OSC52_SCREEN_CHUNK) {
			if (i > 0)
				PUT(buf, &o, ST "\033P");
			put(buf, &o, b64 + i, b - i < OSC52_SCREEN_CHUNK ? b - i : OSC52_SCREEN_CHUNK);
		}
		PUT(buf, &o, BEL ST);
		break;
	}
	buf[o] = '\0';
	free(b64);
	*len = o;
	return buf;
}
