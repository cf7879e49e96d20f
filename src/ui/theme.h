/* theme.h: colour roles and glyphs, with NO_COLOR, monochrome and ASCII fallbacks. */
#ifndef SYNCTOP_UI_THEME_H
#define SYNCTOP_UI_THEME_H

#include <stdbool.h>

#include "snapshot.h"

enum role {
	ROLE_OK,
	ROLE_WARN,
	ROLE_CRIT,
	ROLE_UNKNOWN,
	ROLE_BORDER,
	ROLE_DIM,
	ROLE_ENV,
	ROLE_BADGE,
	ROLE__COUNT
};

struct glyphs {
	const char *h, *v, *tl, *tr, *bl, *br; /* box drawing */
	const char *const *spark;              /* 8 levels, lowest first */
	const char *ellipsis;
};

struct theme {
	bool color; /* false: NO_COLOR set or a monochrome terminal */
	bool ascii; /* --ascii, or a locale that is not UTF-8 */
	struct glyphs g;
	bool contrast; /* theme = contrast: bold, reverse status blocks, no dim (issue 17 item 10) */
};

/* Decides colour and glyphs: call after initscr/newterm. env_color is the configured
   environment colour name ("" = red for production-like names, cyan otherwise). */
void theme_init(struct theme *t, bool ascii, const char *environment, const char *env_color);
/* theme = contrast, after theme_init: for projectors and far screens. */
void theme_set_contrast(struct theme *t);
/* The attribute of a role: a colour pair when colour is on, bold/reverse/dim otherwise. */
int theme_attr(const struct theme *t, enum role r);
enum role status_role(enum status s);

#endif
