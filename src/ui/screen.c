/* screen.c: the frame: the whole screen for the ui's state, one view or the "too small" notice. */
#include <curses.h>
#include <stdio.h>

#include "ui/chrome.h"
#include "ui/draw.h"

void ui_draw(struct ui *ui, double clock)
{
	ui->clock = clock;
	erase();
	getmaxyx(stdscr, ui->rows, ui->cols);
	if (ui->cols < TERM_MIN_COLS || ui->rows < TERM_MIN_ROWS) {
		char msg[64];
		snprintf(msg, sizeof msg, "terminal too small (%dx%d, need %dx%d)", ui->cols, ui->rows,
		         TERM_MIN_COLS, TERM_MIN_ROWS);
		put_text(0, 0, msg, ui->cols, A_BOLD, false);
		/* A dialog asking is hidden, not gone: say so, and why a key did nothing. */
		if (ui->view != VIEW_WALLBOARD && ui->flow && ui->flow->state == FLOW_ASKING)
			put_text(1, 0, "a dialog asks: enlarge the terminal to answer it", ui->cols, 0, true);
		if (ui->message[0])
			put_text(2, 0, ui->message, ui->cols, 0, true);
	} else if (ui->view == VIEW_WALLBOARD) {
		draw_wallboard(ui);
	} else if (ui->help) {
		draw_help(ui);
	} else if (ui->view == VIEW_DETAIL) {
		draw_detail(ui);
	} else {
		draw_main(ui);
	}
	if (ui->view != VIEW_WALLBOARD && ui->flow && ui->flow->state == FLOW_ASKING &&
	    ui->cols >= TERM_MIN_COLS && ui->rows >= TERM_MIN_ROWS)
		draw_dialog(ui); /* over the help too: the question is asked wherever the operator is */
	refresh();
}
