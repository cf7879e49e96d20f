/* tui.h: the interactive screen and the wallboard. */
#ifndef SYNCTOP_UI_TUI_H
#define SYNCTOP_UI_TUI_H

#include <stdbool.h>

#include "config.h"

struct tui_opts {
	bool wallboard;           /* read-only tiles, no prompts */
	bool ascii;               /* ASCII glyphs whatever the locale */
	bool read_only;           /* --read-only (the config may say so too) */
	double interval_s;        /* 0: the config's */
	double wallboard_cycle_s; /* time each non-ok pipeline's detail stays on the wallboard */
};

/* Runs the screen until the user quits. Returns an exit code (0, or 3 when the terminal
   cannot be used, with the reason on stderr). */
int tui_run(const struct config *cfg, const struct tui_opts *o);

#endif
