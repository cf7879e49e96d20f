/* view.h: the state the screen code shares: what is shown, selected, filtered, frozen. */
#ifndef SYNCTOP_UI_VIEW_H
#define SYNCTOP_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "poller.h"
#include "snapshot.h"
#include "ui/keys.h"
#include "ui/theme.h"
#include "ui/tui.h"

#define TERM_MIN_COLS 60
#define TERM_MIN_ROWS 15

struct ui {
	const struct config *cfg;
	struct tui_opts opts;
	bool read_only;
	struct theme theme;
	struct poller *poller;
	struct snapshot snap; /* evaluated; what is drawn */
	bool have_snap;
	double last_complete; /* wall time of the last complete round */

	unsigned view; /* VIEW_MAIN, VIEW_DETAIL or VIEW_WALLBOARD */
	bool help;     /* the help screen is over the view */
	bool frozen;   /* space: the display keeps the snapshot it has */
	bool sort_worst;
	double interval;

	char filter[64];
	bool filter_editing;
	char filter_edit[64];

	char sel_pipe[128]; /* selection by name: it follows its pipeline when the order changes */
	bool sel_chosen;    /* false until the user moves it: the selection stays on the top pane */
	size_t sel_stage;
	int scroll, detail_scroll, help_scroll;

	char message[160]; /* a one-line notice in the footer */
	double message_until;

	size_t wb_cycle; /* wallboard: which non-ok pipeline's detail is shown */
	double wb_next;  /* monotonic time of the next cycle */
	int rows, cols;
};

/* The pipelines shown, in order (filter and sort applied): indices into snap.pipes. */
size_t ui_visible(const struct ui *ui, size_t *order, size_t max);
/* The pipeline view of the selection, or NULL. */
const struct pipeline_view *ui_selected(const struct ui *ui, const struct stage_view **stage);

void draw_header(struct ui *ui, const char *mode);
void draw_footer(struct ui *ui, unsigned view);
void draw_main(struct ui *ui);
void draw_detail(struct ui *ui);
void draw_help(struct ui *ui);
void draw_wallboard(struct ui *ui);

/* Text at (y, x), clipped to width display columns (UTF-8 aware), padded with spaces when
   pad; returns the columns used. */
int put_text(int y, int x, const char *s, int width, int attr, bool pad);
/* The display width of a UTF-8 string. */
int text_width(const char *s);
/* Wraps text to width columns into lines (each a new string); returns how many. */
size_t wrap_text(const char *s, int width, char ***lines);

#endif
