/* draw.h: the curses side of the screen: the frame and each view (they draw with chrome.h). */
#ifndef SYNCTOP_UI_DRAW_H
#define SYNCTOP_UI_DRAW_H

#include "ui/view.h"

/* Draws the whole screen (stdscr) for the ui's state as of wall time clock, and refreshes it. */
void ui_draw(struct ui *ui, double clock);

void draw_main(struct ui *ui);
void draw_detail(struct ui *ui);
void draw_help(struct ui *ui);
void draw_wallboard(struct ui *ui);
/* The confirmation dialog of ui->flow (FLOW_ASKING), over whatever is drawn. */
void draw_dialog(struct ui *ui);

#endif
