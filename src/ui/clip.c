/* clip.c: keys c and C: the snapshot's markdown for the clipboard, as an OSC 52 sequence (issue 19). */
#include "ui/clip.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "ui/input.h"
#include "ui/select.h"
#include "util.h"

/* Took: none (the screen polls on; "Time taken" is a --once figure); the window: the interval
   between the polls its rates come from. */
void ui_clip_markdown(FILE *out, const struct ui *ui, const struct pipeline_view *pv)
{
	struct snapshot one = ui->snap;
	if (pv) {
		one.pipes = NULL;
		for (size_t i = 0; i < ui->snap.n_pipes; i++)
			if (&ui->snap.pipes[i] == pv)
				one.pipes = &ui->snap.pipes[i];
		one.n_pipes = one.pipes ? 1 : 0;
		one.status = pv->status;
	}
	report_markdown(out, &one, ui->interval, -1);
}

/* Sizes in the notice in kB (1,000 bytes), rounded up: never "0 kB" for some text. */
static size_t kb(size_t bytes)
{
	return (bytes + 999) / 1000;
}

char *ui_clip(struct ui *ui, bool all, enum osc52_wrap w, double now, size_t *len)
{
	*len = 0;
	const char *key = all ? "C" : "c";
	if (!ui->cfg->clipboard) {
		ui_notice(ui, now, "%s: the clipboard is off (clipboard = false in the config)", key);
		return NULL;
	}
	const struct pipeline_view *pv = all ? NULL : ui_selected(ui, NULL);
	if (!ui->have_snap || (!all && !pv) || (all && ui->snap.n_pipes == 0)) {
		ui_notice(ui, now, "%s: no pipeline to copy", key);
		return NULL;
	}
	char *md = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&md, &n);
	if (!f) {
		ui_notice(ui, now, "%s: out of memory", key);
		return NULL;
	}
	ui_clip_markdown(f, ui, pv);
	bool ok = !ferror(f);
	if (fclose(f) != 0 || !ok) {
		free(md);
		ui_notice(ui, now, "%s: out of memory", key);
		return NULL;
	}
	char what[160], size[32];
	if (all)
		snprintf(what, sizeof what, "all %zu pipelines", ui->snap.n_pipes);
	else
		snprintf(what, sizeof what, "%s", pv->cfg->name);
	format_count((int64_t)n, size, sizeof size);
	if (n > OSC52_MAX_TEXT) {
		ui_notice(ui, now,
		          "snapshot too large for the clipboard (%zu kB, limit %d kB): use --once --format "
		          "markdown",
		          kb(n), OSC52_MAX_TEXT / 1000);
		free(md);
		return NULL;
	}
	char *seq = osc52_sequence(md, n, w, len);
	free(md);
	if (!seq) {
		ui_notice(ui, now, "%s: out of memory", key);
		return NULL;
	}
	ui_notice(ui, now, "copied %s (%s bytes) to the clipboard via OSC 52%s, if your terminal allows it",
	          what, size, osc52_wrap_name(w));
	return seq;
}
