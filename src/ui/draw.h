/* draw.h: the curses side of the screen: the frame, each view, and text put on the screen. */
#ifndef SYNCTOP_UI_DRAW_H
#define SYNCTOP_UI_DRAW_H

#include <stdbool.h>

#include "ui/view.h"

/* Draws the whole screen (stdscr) for the ui's state as of wall time clock, and refreshes it. */
void ui_draw(struct ui *ui, double clock);

void draw_header(struct ui *ui, const char *mode);
void draw_footer(struct ui *ui, unsigned view);
void draw_main(struct ui *ui);
void draw_detail(struct ui *ui);
void draw_help(struct ui *ui);
void draw_wallboard(struct ui *ui);

/* Text at (y, x), clipped to width display columns as text_fit() does, padded with spaces
   when pad; returns the columns used. */
int put_text(int y, int x, const char *s, int width, int attr, bool pad);

#endif
