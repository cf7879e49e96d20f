/* draw_dialog.c: the confirmation dialog of an action, a centred box over the screen (curses). */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui/action_ui.h"
#include "ui/chrome.h"
#include "ui/draw.h"
#include "ui/text.h"

void draw_dialog(struct ui *ui)
{
	const struct theme *th = &ui->theme;
	int border = theme_attr(th, ROLE_BORDER) | A_BOLD;
	int w = ui->cols - 8 > 96 ? 96 : ui->cols - 8;
	if (w < 40)
		w = ui->cols - 2;
	struct dialog d;
	dialog_build(ui->flow, ui->dialog_typed, ui->dialog_note, w - 4, &d);
	/* Borders, the body, a blank row, the prompt, the buttons. */
	int room = ui->rows - 2 - 5;
	int shown = (int)d.n_body < room ? (int)d.n_body : room;
	if (ui->dialog_scroll > (int)d.n_body - shown)
		ui->dialog_scroll = (int)d.n_body - shown;
	int h = shown + 5, y0 = (ui->rows - h) / 2, x0 = (ui->cols - w) / 2;

	for (int y = y0; y < y0 + h; y++) {
		put_text(y, x0, "", w, 0, true); /* what is under the box goes */
		put_text(y, x0, th->g.v, 1, border, false);
		put_text(y, x0 + w - 1, th->g.v, 1, border, false);
	}
	for (int x = x0 + 1; x < x0 + w - 1; x++) {
		put_text(y0, x, th->g.h, 1, border, false);
		put_text(y0 + h - 1, x, th->g.h, 1, border, false);
	}
	put_text(y0, x0, th->g.tl, 1, border, false);
	put_text(y0, x0 + w - 1, th->g.tr, 1, border, false);
	put_text(y0 + h - 1, x0, th->g.bl, 1, border, false);
	put_text(y0 + h - 1, x0 + w - 1, th->g.br, 1, border, false);
	put_text(y0, x0 + 2, d.title, w - 4, A_BOLD, false);
	if (shown < (int)d.n_body) {
		char more[64];
		snprintf(more, sizeof more, " lines %d-%d of %zu: Up/Down ", ui->dialog_scroll + 1,
		         ui->dialog_scroll + shown, d.n_body);
		int mw = text_width(more);
		put_text(y0 + h - 1, x0 + w - 2 - mw, more, mw, theme_attr(th, ROLE_DIM), false);
	}

	for (int r = 0; r < shown; r++) {
		const struct dialog_line *l = &d.body[ui->dialog_scroll + r];
		put_text(y0 + 1 + r, x0 + 2, l->text, w - 4, l->bold ? A_BOLD : 0, false);
	}
	put_text(y0 + h - 3, x0 + 2, d.prompt, w - 4, 0, false);
	/* The focus is on Cancel: it is drawn reversed, Apply plain. */
	int bw = text_width(d.cancel) + 3 + text_width(d.apply);
	int bx = x0 + (w - bw) / 2;
	bx += put_text(y0 + h - 2, bx, d.cancel, w - 4, A_REVERSE | A_BOLD, false) + 3;
	put_text(y0 + h - 2, bx, d.apply, w - 4, 0, false);
	dialog_free(&d);
}
