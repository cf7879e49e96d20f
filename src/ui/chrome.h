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

#endif
