/* tui.h: the interactive screen and the wallboard. */
#ifndef SYNCTOP_UI_TUI_H
#define SYNCTOP_UI_TUI_H

#include <stdbool.h>

#include "config.h"
#include "ui/opts.h"

/* Runs the screen until the user quits. Returns an exit code (0, or 3 when the terminal
   cannot be used, with the reason on stderr). */
int tui_run(const struct config *cfg, const struct tui_opts *o);

#endif
