/* select.c: which pipelines are shown (filter, sort) and the selection among them, pure (no curses). */
#include "ui/select.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kinds/kind.h"
#include "util.h"

bool filter_match(const struct pipeline_view *pv, const char *filter)
{
	if (!*filter || strcasestr(pv->cfg->name, filter))
		return true;
	for (size_t j = 0; j < pv->n_stages; j++)
		if (strcasestr(pv->stages[j].cfg->conn->name, filter) ||
		    strcasestr(pv->stages[j].cfg->kind->name, filter))
			return true;
	return false;
}

size_t ui_visible(const struct ui *ui, size_t **order_out)
{
	size_t *order = xmalloc((ui->snap.n_pipes > 0 ? ui->snap.n_pipes : 1) * sizeof *order);
	size_t n = 0;
	for (size_t i = 0; i < ui->snap.n_pipes; i++)
		if (filter_match(&ui->snap.pipes[i], ui->filter))
			order[n++] = i;
	if (ui->sort_worst) /* stable: equal statuses keep config order */
		for (size_t i = 1; i < n; i++) {
			size_t key = order[i], j = i;
			for (; j > 0 && ui->snap.pipes[order[j - 1]].status < ui->snap.pipes[key].status; j--)
				order[j] = order[j - 1];
			order[j] = key;
		}
	*order_out = order;
	return n;
}

const struct pipeline_view *ui_selected(const struct ui *ui, const struct stage_view **stage)
{
	for (size_t i = 0; i < ui->snap.n_pipes; i++) {
		const struct pipeline_view *pv = &ui->snap.pipes[i];
		if (strcmp(pv->cfg->name, ui->sel_pipe) != 0)
			continue;
		if (stage)
			*stage = ui->sel_stage < pv->n_stages ? &pv->stages[ui->sel_stage] : NULL;
		return pv;
	}
	if (stage)
		*stage = NULL;
	return NULL;
}

void fix_selection(struct ui *ui)
{
	size_t *order;
	size_t n = ui_visible(ui, &order);
	/* Until the user picks a stage, the selection is the top pane's first stage: the worst
	   pipeline once the first polls are in, whatever order the panes started in. */
	for (size_t i = 0; i < n && ui->sel_chosen; i++)
		if (!strcmp(ui->snap.pipes[order[i]].cfg->name, ui->sel_pipe)) {
			if (ui->sel_stage >= ui->snap.pipes[order[i]].n_stages)
				ui->sel_stage = 0;
			free(order);
			return;
		}
	ui->sel_pipe[0] = '\0';
	ui->sel_stage = 0;
	if (n > 0)
		strlcpy_safe(ui->sel_pipe, ui->snap.pipes[order[0]].cfg->name, sizeof ui->sel_pipe);
	free(order);
}

void move_selection(struct ui *ui, int delta, bool by_pipeline)
{
	size_t *order;
	size_t n = ui_visible(ui, &order);
	if (n == 0) {
		free(order);
		return;
	}
	size_t pi = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ui->snap.pipes[order[i]].cfg->name, ui->sel_pipe))
			pi = i;
	size_t si = ui->sel_stage;
	if (by_pipeline) {
		pi = (pi + n + (size_t)(delta > 0 ? 1 : n - 1)) % n;
		si = 0;
	} else {
		for (int step = 0; step < abs(delta); step++) {
			if (delta > 0) {
				if (si + 1 < ui->snap.pipes[order[pi]].n_stages)
					si++;
				else if (pi + 1 < n)
					pi++, si = 0;
			} else {
				if (si > 0)
					si--;
				else if (pi > 0)
					pi--, si = ui->snap.pipes[order[pi]].n_stages - 1;
			}
		}
	}
	strlcpy_safe(ui->sel_pipe, ui->snap.pipes[order[pi]].cfg->name, sizeof ui->sel_pipe);
	ui->sel_stage = si;
	ui->sel_chosen = true;
	free(order);
}
