/* theme.c: colour roles and glyphs, with NO_COLOR, monochrome and ASCII fallbacks. */
#include "ui/theme.h"

#include <curses.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const spark_utf8[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
static const char *const spark_ascii[] = {"_", ".", "-", "~", "=", "+", "*", "#"};

static const struct {
	const char *name;
	short color;
} colors[] = {
    {"red", COLOR_RED},         {"green", COLOR_GREEN}, {"yellow", COLOR_YELLOW}, {"blue", COLOR_BLUE},
    {"magenta", COLOR_MAGENTA}, {"cyan", COLOR_CYAN},   {"white", COLOR_WHITE},
};

static short env_color(const char *environment, const char *name)
{
	for (size_t i = 0; name && i < sizeof colors / sizeof colors[0]; i++)
		if (!strcasecmp(name, colors[i].name))
			return colors[i].color;
	/* Production is drawn red unless told otherwise: the one screen you must not mistake. */
	if (environment && !strncasecmp(environment, "prod", 4))
		return COLOR_RED;
	return COLOR_CYAN;
}

void theme_init(struct theme *t, bool ascii, const char *environment, const char *env_col)
{
	memset(t, 0, sizeof *t);
	const char *codeset = nl_langinfo(CODESET);
	t->ascii = ascii || !codeset || strcmp(codeset, "UTF-8") != 0;
	if (t->ascii)
		t->g = (struct glyphs){"-", "|", "+", "+", "+", "+", spark_ascii, "~"};
	else
		t->g = (struct glyphs){"─", "│", "┌", "┐", "└", "┘", spark_utf8, "…"};

	/* NO_COLOR (no-color.org): ncurses does not look at it, so we do. */
	const char *nc = getenv("NO_COLOR");
	t->color = !(nc && *nc) && has_colors();
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(1 + ROLE_OK, COLOR_GREEN, -1);
	init_pair(1 + ROLE_WARN, COLOR_YELLOW, -1);
	init_pair(1 + ROLE_CRIT, COLOR_RED, -1);
	init_pair(1 + ROLE_UNKNOWN, COLOR_MAGENTA, -1);
	init_pair(1 + ROLE_BORDER, COLOR_BLUE, -1);
	init_pair(1 + ROLE_DIM, COLOR_WHITE, -1);
	init_pair(1 + ROLE_ENV, COLOR_WHITE, env_color(environment, env_col));
	init_pair(1 + ROLE_BADGE, COLOR_BLACK, COLOR_YELLOW);
}

void theme_set_contrast(struct theme *t)
{
	t->contrast = true;
	if (!t->color)
		return;
	/* On black whatever the terminal's background: a projector washes out the rest. */
	init_pair(1 + ROLE_OK, COLOR_GREEN, COLOR_BLACK);
	init_pair(1 + ROLE_WARN, COLOR_YELLOW, COLOR_BLACK);
	init_pair(1 + ROLE_CRIT, COLOR_RED, COLOR_BLACK);
	init_pair(1 + ROLE_UNKNOWN, COLOR_MAGENTA, COLOR_BLACK);
	init_pair(1 + ROLE_BORDER, COLOR_WHITE, COLOR_BLACK);
	init_pair(1 + ROLE_DIM, COLOR_WHITE, COLOR_BLACK);
}

/* Contrast: everything bold, statuses as reverse blocks, nothing dim. */
static int contrast_attr(const struct theme *t, enum role r)
{
	int a = (t->color ? (int)COLOR_PAIR(1 + r) : 0) | (int)A_BOLD;
	switch (r) {
	case ROLE_OK:
	case ROLE_WARN:
	case ROLE_CRIT:
	case ROLE_UNKNOWN:
		return a | (int)A_REVERSE;
	case ROLE_BADGE: /* black on yellow already: a block */
	case ROLE_ENV:
		return t->color ? a : a | (int)A_REVERSE;
	default:
		return a;
	}
}

int theme_attr(const struct theme *t, enum role r)
{
	if (t->contrast)
		return contrast_attr(t, r);
	if (t->color) {
		int a = COLOR_PAIR(1 + r);
		if (r == ROLE_CRIT || r == ROLE_ENV || r == ROLE_BADGE)
			a |= A_BOLD;
		if (r == ROLE_DIM)
			a |= A_DIM;
		return a;
	}
	switch (r) {
	case ROLE_CRIT:
	case ROLE_ENV:
		return A_BOLD;
	case ROLE_BADGE:
		return A_REVERSE;
	case ROLE_DIM:
	case ROLE_BORDER:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

enum role status_role(enum status s)
{
	switch (s) {
	case ST_OK:
		return ROLE_OK;
	case ST_WARN:
		return ROLE_WARN;
	case ST_CRIT:
		return ROLE_CRIT;
	case ST_UNKNOWN:
		break;
	}
	return ROLE_UNKNOWN;
}
