/* chrome.h: what every view draws with: text put on the screen, the header and the footer (curses). */
#ifndef SYNCTOP_UI_CHROME_H
#define SYNCTOP_UI_CHROME_H

#include <stdbool.h>

#include "ui/view.h"

/* Text at (y, x), clipped to width display columns as text_fit() does, padded with spaces
   when pad; returns the columns used. */
int put_text(int y, int x, const char *s, int width, int attr, bool pad);
/* The top line: version, mode, badges, the last poll, the overall status (and on the
   wallboard the clock of ui->clock). */
void draw_header(struct ui *ui, const char *mode);
/* The bottom line: the filter prompt, a notice, or the keys of the view (and the filter's count). */
void draw_footer(struct ui *ui, unsigned view);
/* The line of the action under way or the last one (its progress, then its result), above
   the footer; returns the rows it took (0: no action yet). */
int draw_flow_line(struct ui *ui);

#endif
