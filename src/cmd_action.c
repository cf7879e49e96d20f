/* cmd_action.c: `synctop action ACTION PIPELINE`: one action from the command line, with the
   keys' preview, bound, pin, confirmation, read-back and audit (DESIGN.md, "Actions"). */
#include "cmd_action.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action_flow.h"
#include "config_file.h"
#include "exec.h"
#include "kinds/act.h"
#include "kinds/kind.h"
#include "poller.h"
#include "sanitize.h"
#include "util.h"

#define EXIT_USAGE 3

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct action_args {
	const char *config_path;
	enum action action;
	const char *pipeline;
	const char *stage; /* --stage KIND, or NULL */
	const char *scope;
	bool dry_run, yes, json, read_only;
};

void cmd_action_usage(FILE *out)
{
	fputs("usage: synctop [-c FILE] action ACTION PIPELINE [--stage KIND] [--scope SCOPE]\n"
	      "                          [--dry-run] [--yes] [--read-only] [--format text|json]\n"
	      "\n"
	      "Previews ACTION on PIPELINE, asks for confirmation (--yes: none), applies it through\n"
	      "the write executor, reads its effect back, and appends a line to the audit log.\n"
	      "ACTION is one of:",
	      out);
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
		fprintf(out, "%s %s", a == ACTION_NONE + 1 ? "" : ",", action_json_name((enum action)a));
	fputs(".\n"
	      "Replay scopes: failed, ids:FROM-TO, created:FROM..TO (ISO 8601, or a duration back\n"
	      "from now: created:15m..), each optionally followed by ,type:EVENT_TYPE.\n"
	      "Exit: 0 applied and confirmed (or --dry-run done), 1 applied but not confirmed in\n"
	      "time, 2 refused or failed (nothing applied), 3 usage or config error.\n",
	      out);
}

enum { A_SCOPE = 256, A_DRY, A_YES, A_FORMAT, A_STAGE, A_RO };
const struct option cmd_action_longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"scope", required_argument, NULL, A_SCOPE},
    {"dry-run", no_argument, NULL, A_DRY},
    {"yes", no_argument, NULL, A_YES},
    {"format", required_argument, NULL, A_FORMAT},
    {"stage", required_argument, NULL, A_STAGE},
    {"read-only", no_argument, NULL, A_RO},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
const char cmd_action_shortopts[] = ":c:h";

/* Parses argv from the word after "action"; false (exit 3 said) on a usage error. */
static bool parse_args(int argc, char **argv, struct action_args *a, int *code)
{
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, cmd_action_shortopts, cmd_action_longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config_path = optarg;
			break;
		case A_SCOPE:
			a->scope = optarg;
			break;
		case A_DRY:
			a->dry_run = true;
			break;
		case A_YES:
			a->yes = true;
			break;
		case A_RO:
			a->read_only = true;
			break;
		case A_STAGE:
			a->stage = optarg;
			break;
		case A_FORMAT:
			if (!strcmp(optarg, "json") || !strcmp(optarg, "text")) {
				a->json = !strcmp(optarg, "json");
				break;
			}
			fprintf(stderr, "synctop action: --format: unknown format '%s' (use text or json)\n",
			        optarg);
			*code = EXIT_USAGE;
			return false;
		case 'h':
			cmd_action_usage(stdout);
			*code = 0;
			return false;
		case ':':
			fprintf(stderr, "synctop action: option '%s' needs a value\n", argv[optind - 1]);
			*code = EXIT_USAGE;
			return false;
		default:
			fprintf(stderr, "synctop action: unknown option '%s' (see synctop action --help)\n",
			        argv[optind - 1]);
			*code = EXIT_USAGE;
			return false;
		}
	}
	*code = EXIT_USAGE;
	if (argc - optind != 2) {
		fprintf(stderr, "synctop action: %s (see synctop action --help)\n",
		        argc - optind < 2 ? "give an ACTION and a PIPELINE" : "too many arguments");
		return false;
	}
	a->action = action_by_name(argv[optind]);
	if (a->action == ACTION_NONE) {
		char *w = xstrdup(argv[optind]);
		text_clean_inplace(w, strlen(w) + 1);
		fprintf(stderr, "synctop action: unknown action '%s' (see synctop action --help)\n", w);
		free(w);
		return false;
	}
	a->pipeline = argv[optind + 1];
	if (a->dry_run && a->yes) {
		fprintf(stderr, "synctop action: --dry-run and --yes do not go together\n");
		return false;
	}
	return true;
}

/* The stage of pl that action a goes to: --stage's, else the one kind offering it, else (two
   kinds offer it, as pause) the one where it applies now; NULL with the reason said. */
static const struct stage_cfg *pick_stage(const struct action_args *a, const struct pipeline *pl,
                                          struct poller *p, int *code)
{
	const struct stage_cfg *cands[KINDS_MAX];
	size_t n = 0;
	for (size_t j = 0; j < pl->n_stages; j++) {
		const struct stage_cfg *st = &pl->stages[j];
		if (a->stage && strcmp(a->stage, st->kind->name))
			continue;
		if (kind_offers(st->kind, a->action) && n < KINDS_MAX)
			cands[n++] = st;
	}
	*code = EXIT_USAGE;
	if (!n) {
		fprintf(stderr, "synctop action: pipeline %s has no %s%sstage that can %s\n", pl->name,
		        a->stage ? a->stage : "", a->stage ? " " : "", action_json_name(a->action));
		return NULL;
	}
	if (n == 1)
		return cands[0];
	/* Several: ask the latest samples which applies now. */
	struct snapshot snap;
	poller_snapshot(p, &snap);
	const struct stage_cfg *pick = NULL;
	for (size_t k = 0; k < n && !pick; k++)
		for (size_t i = 0; i < snap.n_pipes; i++)
			for (size_t j = 0; j < snap.pipes[i].n_stages; j++) {
				const struct stage_view *sv = &snap.pipes[i].stages[j];
				char why[256];
				if (sv->cfg == cands[k] && sv->cur.ok &&
				    stage_action_offered(cands[k], &sv->cur, a->action, why, sizeof why))
					pick = cands[k];
			}
	snapshot_free(&snap);
	return pick ? pick : cands[0]; /* none applies: the first says why in its preview */
}

/* The stage's latest sample, when it was read (a copy to sample_clear). */
static bool latest_sample(struct poller *p, const struct stage_cfg *st, struct sample *out)
{
	struct snapshot snap;
	poller_snapshot(p, &snap);
	bool found = false;
	for (size_t i = 0; i < snap.n_pipes && !found; i++)
		for (size_t j = 0; j < snap.pipes[i].n_stages && !found; j++) {
			const struct stage_view *sv = &snap.pipes[i].stages[j];
			if (sv->cfg == st && sv->cur.ok && sv->cur.metrics) {
				sample_copy(out, &sv->cur);
				found = true;
			}
		}
	snapshot_free(&snap);
	return found;
}

static void print_preview(const struct act_flow *f, FILE *out)
{
	const json_t *pv = f->preview;
	fprintf(out, "%s on %s/%s (connection %s)\n", action_json_name(f->action), f->pl->name,
	        f->st->kind->name, f->st->conn->name);
	const char *t = json_string_value(json_object_get(pv, "target"));
	const char *s = json_string_value(json_object_get(pv, "summary"));
	if (t)
		fprintf(out, "  target:  %s\n", t);
	if (s)
		fprintf(out, "  preview: %s\n", s);
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(pv, "lines"), i, l)
	{
		if (json_is_string(l))
			fprintf(out, "  %s\n", json_string_value(l));
	}
	const struct kind_action *ka = stage_action(f->st, f->action);
	if (ka && ka->does)
		fprintf(out, "  does:    %s\n", ka->does);
}

/* Asks the operator on the terminal: y (or the row count when it must be typed). */
static bool ask(const struct act_flow *f, FILE *out)
{
	bool typed = flow_needs_typed_count(f);
	if (typed)
		fprintf(out, "Type the row count (%lld) to apply, anything else cancels: ",
		        (long long)f->previewed);
	else
		fprintf(out, "Apply? [y/N] ");
	fflush(out);
	char line[64];
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	if (typed) {
		char want[32];
		snprintf(want, sizeof want, "%lld", (long long)f->previewed);
		return !strcmp(line, want);
	}
	return !strcmp(line, "y") || !strcmp(line, "Y") || !strcmp(line, "yes");
}

/* Waits for the poller's next event or tick (at most 100 ms), feeding the flow. */
static void pump(struct act_flow *f, struct poller *p)
{
	struct pollfd pfd = {.fd = poller_fd(p), .events = POLLIN};
	(void)poll(&pfd, 1, 100);
	poller_drain_fd(p);
	struct request_event ev;
	while (poller_event_take(p, &ev)) {
		flow_event(f, &ev);
		request_event_clear(&ev);
	}
	flow_tick(f, now_mono());
}

static int exit_code(const struct act_flow *f)
{
	if (f->usage_error)
		return EXIT_USAGE;
	switch (f->result) {
	case AUDIT_CONFIRMED:
		return 0;
	case AUDIT_APPLIED:
	case AUDIT_UNCONFIRMED:
		return 1;
	default:
		return 2;
	}
}

static int run(const struct action_args *a, struct config *cfg, const struct pipeline *pl)
{
	bool ro = a->read_only || cfg->read_only;
	struct poller *p = poller_new(cfg);
	if (!ro)
		poller_attach_executor(p, executor_new(cfg));
	executor_trace(cfg, poller_can_write(p), a->read_only ? "--read-only" : "read_only = true");
	char err[512];
	if (!poller_start(p, err, sizeof err)) {
		fprintf(stderr, "synctop action: %s\n", err);
		poller_free(p);
		return 2;
	}
	poller_round(p); /* the latest samples say which stage and whether it applies now */
	int code;
	const struct stage_cfg *st = pick_stage(a, pl, p, &code);
	if (!st) {
		poller_free(p);
		return code;
	}
	struct sample cur;
	bool have = latest_sample(p, st, &cur);
	struct act_flow f = {0};
	flow_clear(&f);
	FILE *out = a->json ? stderr : stdout; /* with json, stdout has the one object */
	flow_start(&f, cfg, p, pl, st, a->action, a->scope, have ? &cur : NULL);
	if (have)
		sample_clear(&cur);
	while (f.state != FLOW_DONE && !interrupted) {
		if (f.state == FLOW_ASKING) {
			if (!a->json || a->dry_run)
				print_preview(&f, a->json ? stderr : stdout);
			if (a->dry_run)
				break;
			bool yes = a->yes;
			if (!yes && !isatty(STDIN_FILENO)) {
				flow_abort(&f, "no --yes and no terminal to ask on");
				break;
			}
			if (!yes)
				yes = ask(&f, out);
			flow_confirm(&f, yes);
			continue;
		}
		pump(&f, p);
	}
	if (interrupted)
		flow_abort(&f, "interrupted");
	int rc;
	if (a->dry_run && f.state == FLOW_ASKING) {
		rc = 0;
		if (!a->json)
			printf("dry run: nothing was sent\n");
	} else {
		if (!a->json || f.state == FLOW_DONE)
			fprintf(a->json ? stderr : stdout, "%s\n", f.line);
		if (f.repreview) {
			fputs("the target changed; the new preview (run the action again to apply it):\n",
			      out);
			json_t *keep = f.preview;
			f.preview = f.repreview;
			print_preview(&f, out);
			f.preview = keep;
		}
		rc = exit_code(&f);
	}
	if (a->json) {
		json_t *o = flow_json(&f);
		json_object_set_new(o, "dry_run", json_boolean(a->dry_run));
		json_object_set_new(o, "exit", json_integer(rc));
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(o);
	}
	flow_clear(&f);
	poller_free(p);
	return rc;
}

int cmd_action(int argc, char **argv, const char *config_path)
{
	struct action_args a = {.config_path = config_path};
	int code;
	if (!parse_args(argc, argv, &a, &code))
		return code;
	char found[4096];
	if (!a.config_path) {
		if (!config_find(found, sizeof found)) {
			fprintf(stderr, "synctop action: no config file found; use -c FILE\n");
			return EXIT_USAGE;
		}
		a.config_path = found;
	}
	char err[1024];
	struct config *cfg = config_load(a.config_path, err, sizeof err, stderr);
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	/* Only the named pipeline is polled: the others are none of this command's business. */
	struct pipeline *all = cfg->pipelines;
	size_t n_all = cfg->n_pipelines;
	struct pipeline *pl = NULL;
	for (size_t i = 0; i < n_all && !pl; i++)
		if (!strcmp(all[i].name, a.pipeline))
			pl = &all[i];
	if (!pl) {
		char *w = xstrdup(a.pipeline);
		text_clean_inplace(w, strlen(w) + 1);
		fprintf(stderr, "synctop action: %s: no pipeline named '%s'\n", a.config_path, w);
		free(w);
		config_free(cfg);
		return EXIT_USAGE;
	}
	for (size_t j = 0; j < pl->n_stages; j++)
		if (!pl->stages[j].kind->probe) {
			fprintf(stderr, "%s:%d: the %s stage is not available in this build of synctop\n",
			        a.config_path, pl->stages[j].line, pl->stages[j].kind->name);
			config_free(cfg);
			return EXIT_USAGE;
		}
	cfg->pipelines = pl;
	cfg->n_pipelines = 1;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int rc = run(&a, cfg, pl);
	cfg->pipelines = all;
	cfg->n_pipelines = n_all;
	config_free(cfg);
	return rc;
}
