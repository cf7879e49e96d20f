/* main.c: the command line and mode dispatch. */
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cmd_action.h"
#include "completion.h"
#include "config_file.h"
#include "config_select.h"
#include "once.h"
#include "record.h"
#include "replay.h"
#include "roff.h"
#include "serve.h"
#include "threshold.h"
#include "kinds/kind.h"
#ifdef HAVE_KAFKA
#include "backend/kafka.h"
#endif
#include "ui/keys.h"
#include "ui/replay_screen.h"
#include "ui/tui.h"
#include "units.h"
#include "util.h"
#include "version.h"
#include <unistd.h>

#define EXIT_USAGE 3

static void usage(FILE *out)
{
	fputs("usage: synctop [options]\n"
	      "       synctop [-c FILE] action ACTION PIPELINE [--scope SCOPE] [--dry-run] [--yes]\n"
	      "\n"
	      "Watch whether the copies of your data are in sync: PostgreSQL outbox tables and\n"
	      "logical replication slots, Kafka consumer-group lag, Kafka Connect connectors,\n"
	      "Elasticsearch/OpenSearch indices, "
	      "Redis memory and evictions.\n"
	      "Without --once it opens the interactive screen (press ? there for the keys).\n"
	      "\n"
	      "  -c, --config FILE        read FILE instead of searching for synctop.conf\n"
	      "      --wallboard          read-only status tiles for a shared screen\n"
	      "      --read-only          no action that writes, whatever the config says\n"
	      "      --interval DUR       time between polls on the screen and with --serve\n"
	      "                           (default: the config's, 2s)\n"
	      "      --ascii              ASCII boxes and sparklines (automatic outside UTF-8 locales)\n"
	      "      --once               poll every stage, print a snapshot and exit 0/1/2/3\n"
	      "                           (ok/warn/crit/unknown; 3 also for a bad command line or config)\n"
	      "      --format FORMAT      snapshot format with --once: text (default), json, markdown\n"
	      "                           (for a ticket), nagios (a monitoring plugin's output) or\n"
	      "                           prometheus (text exposition, synctop_* metrics)\n"
	      "      --once-window DUR    time between the two polls of --once (default 1s);\n"
	      "                           0 polls once and reports rates as null\n"
	      "      --sample             with --once: also sample the keys of cache.key_prefix\n"
	      "                           (how many have a TTL; bounded by cache.sample_keys)\n"
	      "      --pipeline NAME      watch only the pipelines NAME matches (a glob, e.g. 'orders-*');\n"
	      "                           repeatable; in every mode\n"
	      "      --output FILE        with --once: write the snapshot to FILE whole (a temp file\n"
	      "                           beside it, renamed), e.g. for node_exporter's textfile collector\n"
	      "      --warn SPEC          with --once: [PIPELINE/]KIND.METRIC=RANGE replaces the kind's\n"
	      "                           warn threshold of the metric; RANGE as a monitoring plugin's:\n"
	      "                           10, 10:, ~:10, 10:20, @10:20 (repeatable)\n"
	      "      --crit SPEC          the same for the crit threshold (repeatable)\n"
	      "      --list-options       print every config option (section, key, type, default, help)\n"
	      "      --list-keys          print the keys of the screen (the KEYS section of synctop(1))\n"
	      "      --list-rules         print the runbook rules (the DIAGNOSES section of synctop(1))\n"
	      "      --list-metrics       print the metrics of --format prometheus (the PROMETHEUS\n"
	      "                           section of synctop(1))\n"
	      "      --list-pipelines     print the names of the config's pipelines, one a line\n"
	      "                           (those --pipeline selects, if given)\n"
	      "      --completion SHELL   print the completion script for SHELL: bash or zsh\n"
	      "      --serve [ADDR:]PORT  the Prometheus exporter: poll every interval and answer\n"
	      "                           GET /metrics, /snapshot.json and /healthz over HTTP\n"
	      "                           (ADDR 127.0.0.1 unless given, [::1]:PORT for IPv6; read-only)\n"
	      "      --record FILE        append every round's samples and status changes to FILE\n"
	      "                           (JSON lines; in every mode; see RECORDINGS in synctop(1))\n"
	      "      --replay FILE        show a recording instead of polling: with --once, print its\n"
	      "                           snapshot at --at TIME (default: its end)\n"
	      "      --at TIME            with --replay: 2026-12-04T13:05:00Z, 13:05:00 (the recording's\n"
	      "                           day, local time) or +90s from its start\n"
	      "  -h, --help               print this help and exit\n"
	      "  -V, --version            print the version and the backends built in, and exit\n"
	      "\n"
	      "When standard output is not a terminal, synctop behaves as with --once.\n"
	      "synctop action --help lists the actions (replay, refresh, pause, ...) and their exit codes.\n"
	      "Config search order: -c FILE, $SYNCTOP_CONFIG, $XDG_CONFIG_HOME/synctop/synctop.conf,\n"
	      "/etc/synctop.conf. See synctop(1) and synctop.conf(5).\n",
	      out);
}

int main(int argc, char **argv)
{
	enum {
		ARG_ONCE = 256,
		ARG_FORMAT,
		ARG_WINDOW,
		ARG_LIST,
		ARG_LIST_KEYS,
		ARG_LIST_RULES,
		ARG_WALLBOARD,
		ARG_READ_ONLY,
		ARG_INTERVAL,
		ARG_ASCII,
		ARG_SAMPLE,
		ARG_PIPELINE,
		ARG_OUTPUT,
		ARG_LIST_METRICS,
		ARG_SERVE,
		ARG_WARN,
		ARG_CRIT,
		ARG_COMPLETION,
		ARG_LIST_PIPELINES,
		ARG_RECORD,
		ARG_REPLAY,
		ARG_AT
	};
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"once", no_argument, NULL, ARG_ONCE},
	    {"format", required_argument, NULL, ARG_FORMAT},
	    {"once-window", required_argument, NULL, ARG_WINDOW},
	    {"list-options", no_argument, NULL, ARG_LIST},
	    {"list-keys", no_argument, NULL, ARG_LIST_KEYS},
	    {"list-rules", no_argument, NULL, ARG_LIST_RULES},
	    {"wallboard", no_argument, NULL, ARG_WALLBOARD},
	    {"read-only", no_argument, NULL, ARG_READ_ONLY},
	    {"interval", required_argument, NULL, ARG_INTERVAL},
	    {"ascii", no_argument, NULL, ARG_ASCII},
	    {"sample", no_argument, NULL, ARG_SAMPLE},
	    {"pipeline", required_argument, NULL, ARG_PIPELINE},
	    {"output", required_argument, NULL, ARG_OUTPUT},
	    {"list-metrics", no_argument, NULL, ARG_LIST_METRICS},
	    {"serve", required_argument, NULL, ARG_SERVE},
	    {"warn", required_argument, NULL, ARG_WARN},
	    {"crit", required_argument, NULL, ARG_CRIT},
	    {"completion", required_argument, NULL, ARG_COMPLETION},
	    {"list-pipelines", no_argument, NULL, ARG_LIST_PIPELINES},
	    {"record", required_argument, NULL, ARG_RECORD},
	    {"replay", required_argument, NULL, ARG_REPLAY},
	    {"at", required_argument, NULL, ARG_AT},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	bool once = false;
	struct once_opts oo = {.format = REPORT_TEXT, .window_s = 1.0};
	struct tui_opts to = {.wallboard_cycle_s = 10.0};
	const char *globs[64]; /* --pipeline, in the order given */
	size_t n_globs = 0;
	bool serve = false;
	struct serve_addr serve_at;
	static struct thresholds thresholds; /* --warn, --crit (static: reachable until exit) */
	static const char shortopts[] = ":c:hV";
	const char *completion = NULL; /* --completion SHELL */
	bool list_pipelines = false;
	char not_lp[32] = ""; /* an option --list-pipelines does not go with */
	const char *record = NULL, *replay = NULL, *at = NULL;

	setlocale(LC_ALL, ""); /* UTF-8 glyphs on the screen when the locale says so */
	/* A write to a helper or a server that went away is an error to handle, not a death. */
	signal(SIGPIPE, SIG_IGN);
#ifdef HAVE_KAFKA
	if (argc == 2 && !strcmp(argv[1], "--kafka-describe-helper")) /* internal: see kafka_describe.c */
		return kafka_describe_helper();
#endif

	/* The subcommand: `synctop [-c FILE] action ...` (-c may also follow it). */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) {
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--config=", 9) || (!strncmp(argv[i], "-c", 2) && argv[i][2]))
			continue;
		if (strcmp(argv[i], "action"))
			break;
		const char *cfgp = NULL;
		for (int k = 1; k < i; k++) {
			if (!strncmp(argv[k], "--config=", 9))
				cfgp = argv[k] + 9;
			else if (!strcmp(argv[k], "-c") || !strcmp(argv[k], "--config"))
				cfgp = ++k < i ? argv[k] : cfgp;
			else if (!strncmp(argv[k], "-c", 2))
				cfgp = argv[k] + 2;
		}
		return cmd_action(argc - i, argv + i, cfgp);
	}

	opterr = 0;
	int c;
	/* Everything is read before anything is done: a bad option after --help is still an error. */
	bool help = false, window_set = false, format_set = false, interval_set = false;
	char info[32] = ""; /* --version, --list-*: each alone */
	int info_c = 0;
	char other[32] = ""; /* an option that is neither --help nor info, for messages */
	int li = -1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &li)) != -1) {
		/* The option's own name (argv[optind - 1] may be its value): "-c", "--once". */
		char opt[32];
		if (li >= 0)
			snprintf(opt, sizeof opt, "--%s", longopts[li].name);
		else
			snprintf(opt, sizeof opt, "-%c", c);
		li = -1;
		if (c != 'h' && c != 'V' && c != ARG_LIST && c != ARG_LIST_KEYS && c != ARG_LIST_RULES &&
		    c != ARG_LIST_METRICS && c != ARG_COMPLETION && c != ':' && c != '?')
			strlcpy_safe(other, opt, sizeof other);
		if (c != 'c' && c != ARG_PIPELINE && c != ARG_LIST_PIPELINES && c != 'h')
			strlcpy_safe(not_lp, opt, sizeof not_lp);
		switch (c) {
		case 'c':
			if (!*optarg) {
				fprintf(stderr,
				        "synctop: -c: empty file name (give the config file's path)\n");
				return EXIT_USAGE;
			}
			config_path = optarg;
			break;
		case ARG_ONCE:
			once = true;
			break;
		case ARG_FORMAT:
			format_set = true;
			if (!strcmp(optarg, "text"))
				oo.format = REPORT_TEXT;
			else if (!strcmp(optarg, "json"))
				oo.format = REPORT_JSON;
			else if (!strcmp(optarg, "markdown"))
				oo.format = REPORT_MARKDOWN;
			else if (!strcmp(optarg, "prometheus"))
				oo.format = REPORT_PROMETHEUS;
			else if (!strcmp(optarg, "nagios"))
				oo.format = REPORT_NAGIOS;
			else {
				fprintf(stderr,
				        "synctop: --format: unknown format '%s' (use text, json, markdown, "
				        "nagios or prometheus)\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case ARG_WINDOW:
			window_set = true;
			if (!parse_duration(optarg, &oo.window_s) || oo.window_s > 3600) {
				fprintf(
				    stderr,
				    "synctop: --once-window: bad duration '%s' (use e.g. 0, 500ms, 1s, 5s)\n",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case ARG_LIST:
		case ARG_LIST_KEYS:
		case ARG_LIST_RULES:
		case ARG_LIST_METRICS:
		case ARG_COMPLETION:
		case 'V':
			if (info_c && info_c != c) {
				fprintf(stderr,
				        "synctop: %s and %s do not go together (see synctop --help)\n", info,
				        opt);
				return EXIT_USAGE;
			}
			strlcpy_safe(info, opt, sizeof info);
			info_c = c;
			if (c == ARG_COMPLETION)
				completion = optarg;
			break;
		case ARG_LIST_PIPELINES:
			list_pipelines = true;
			break;
		case ARG_WALLBOARD:
			to.wallboard = true;
			break;
		case ARG_READ_ONLY:
			to.read_only = true;
			break;
		case ARG_ASCII:
			to.ascii = true;
			break;
		case ARG_SAMPLE:
			oo.sample = true;
			break;
		case ARG_PIPELINE:
			if (!*optarg) {
				fprintf(stderr, "synctop: --pipeline: empty name (give a pipeline's name "
				                "or a glob such as 'orders-*')\n");
				return EXIT_USAGE;
			}
			if (n_globs == sizeof globs / sizeof globs[0]) {
				fprintf(stderr, "synctop: --pipeline: more than %zu given (use globs)\n",
				        sizeof globs / sizeof globs[0]);
				return EXIT_USAGE;
			}
			globs[n_globs++] = optarg;
			break;
		case ARG_RECORD:
		case ARG_REPLAY:
		case ARG_AT:
			if (!*optarg) {
				fprintf(stderr, "synctop: %s: empty value\n", opt);
				return EXIT_USAGE;
			}
			*(c == ARG_RECORD ? &record : c == ARG_REPLAY ? &replay : &at) = optarg;
			break;
		case ARG_OUTPUT:
			if (!*optarg) {
				fprintf(stderr, "synctop: --output: empty file name\n");
				return EXIT_USAGE;
			}
			oo.output = optarg;
			break;
		case ARG_WARN:
		case ARG_CRIT: {
			char why[512];
			if (!thresholds_add(&thresholds, optarg, c == ARG_CRIT, why, sizeof why)) {
				fprintf(stderr, "synctop: %s\n", why);
				thresholds_free(&thresholds);
				return EXIT_USAGE;
			}
			break;
		}
		case ARG_INTERVAL:
			interval_set = true;
			if (!parse_duration(optarg, &to.interval_s) || to.interval_s < 0.1 ||
			    to.interval_s > 3600) {
				fprintf(
				    stderr,
				    "synctop: --interval: bad duration '%s' (100ms to 1h, e.g. 1s or 5s)\n",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case ARG_SERVE: {
			char why[256];
			if (!serve_parse_addr(optarg, &serve_at, why, sizeof why)) {
				fprintf(stderr, "synctop: --serve: %s\n", why);
				return EXIT_USAGE;
			}
			serve = true;
			break;
		}
		case 'h':
			help = true;
			break;
		case ':':
			fprintf(stderr, "synctop: option '%s' needs a value (see synctop --help)\n",
			        argv[optind - 1]);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "synctop: unknown option '%s' (see synctop --help)\n",
			        argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "synctop: unexpected argument '%s' (see synctop --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (help) { /* --help wins over any other valid option */
		usage(stdout);
		return 0;
	}
	if (*info && *other) {
		fprintf(stderr, "synctop: %s goes alone (%s does not go with it)\n", info, other);
		return EXIT_USAGE;
	}
	if (info_c) {
		if (info_c == ARG_LIST)
			config_list_options(stdout);
		else if (info_c == ARG_LIST_KEYS)
			ui_keys_man(stdout);
		else if (info_c == ARG_LIST_RULES)
			rules_man(stdout);
		else if (info_c == ARG_LIST_METRICS)
			report_prometheus_list(stdout);
		else if (info_c == ARG_COMPLETION) {
			if (!completion_print(stdout, completion, longopts, shortopts, usage)) {
				fprintf(stderr, "synctop: --completion: unknown shell (use bash or zsh)\n");
				return EXIT_USAGE;
			}
		} else
			version_print(stdout);
		return 0;
	}
	/* An option the chosen mode would ignore is a mistake to point out, not to swallow. */
	if (list_pipelines && *not_lp) {
		fprintf(stderr, "synctop: %s does not go with --list-pipelines (only -c and --pipeline do)\n",
		        not_lp);
		return EXIT_USAGE;
	}
	if (at && !replay) {
		fprintf(stderr, "synctop: --at goes with --replay FILE\n");
		return EXIT_USAGE;
	}
	if (replay) {
		const char *no = record           ? "--record"
		                 : serve          ? "--serve"
		                 : config_path    ? "-c"
		                 : n_globs        ? "--pipeline"
		                 : window_set     ? "--once-window"
		                 : oo.sample      ? "--sample"
		                 : thresholds.n   ? "--warn/--crit"
		                 : list_pipelines ? "--list-pipelines"
		                                  : NULL;
		if (no) {
			fprintf(stderr,
			        "synctop: %s does not go with --replay (the recording has its config)\n", no);
			return EXIT_USAGE;
		}
		if (once || !isatty(STDOUT_FILENO))
			return replay_once(replay, at, oo.format, stdout, stderr);
		if (at || format_set) {
			fprintf(stderr, "synctop: %s goes with --replay FILE --once\n",
			        at ? "--at" : "--format");
			return EXIT_USAGE;
		}
		struct replay_state *st = replay_state_open(replay, stderr);
		if (!st)
			return EXIT_USAGE;
		to.replay = st;
		to.read_only = true;
		int code = tui_run(replay_state_config(st), &to);
		replay_state_free(st);
		return code;
	}
	if (serve) {
		const char *no = once           ? "--once"
		                 : to.wallboard ? "--wallboard"
		                 : to.ascii     ? "--ascii"
		                 : format_set   ? "--format"
		                 : window_set   ? "--once-window"
		                 : oo.sample    ? "--sample"
		                 : oo.output    ? "--output"
		                 : thresholds.n ? (thresholds.items[0].crit ? "--crit" : "--warn")
		                                : NULL;
		if (no) {
			fprintf(stderr, "synctop: %s does not go with --serve\n", no);
			return EXIT_USAGE;
		}
		if (!serve_built)
			return serve_run(NULL, &serve_at, stderr);
	}
	const char *screen_opt = to.wallboard             ? "--wallboard"
	                         : interval_set && !serve ? "--interval"
	                         : to.ascii               ? "--ascii"
	                                                  : NULL;
	if (once && screen_opt) {
		fprintf(stderr, "synctop: %s is for the screen and does not go with --once\n", screen_opt);
		return EXIT_USAGE;
	}
	bool tty = isatty(STDOUT_FILENO);
	if (!once && screen_opt && !tty) {
		fprintf(stderr,
		        "synctop: %s is for the screen, and standard output is not a terminal "
		        "(use --once for a snapshot)\n",
		        screen_opt);
		return EXIT_USAGE;
	}
	if (!once && tty) {
		const char *once_opt = format_set   ? "--format"
		                       : window_set ? "--once-window"
		                       : oo.output  ? "--output"
		                                    : NULL;
		if (!once_opt && thresholds.n)
			once_opt = thresholds.items[0].crit ? "--crit" : "--warn";
		if (oo.sample) {
			fprintf(stderr,
			        "synctop: --sample goes with --once (on the screen, key t samples)\n");
			return EXIT_USAGE;
		}
		if (once_opt) {
			fprintf(stderr, "synctop: %s goes with --once (the screen has no use for it)\n",
			        once_opt);
			return EXIT_USAGE;
		}
	}

	char found[4096];
	if (!config_path) {
		if (!config_find(found, sizeof found)) {
			fprintf(stderr,
			        "synctop: no config file found ($SYNCTOP_CONFIG, "
			        "$XDG_CONFIG_HOME/synctop/synctop.conf, /etc/synctop.conf); use -c FILE\n");
			return EXIT_USAGE;
		}
		config_path = found;
	}
	char err[1024];
	struct config *cfg = config_load(config_path, err, sizeof err, stderr);
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}

	if (!config_select_pipelines(cfg, globs, n_globs, err, sizeof err)) {
		fprintf(stderr, "synctop: %s\n", err);
		config_free(cfg);
		return EXIT_USAGE;
	}

	if (list_pipelines) { /* the config alone, for the completion scripts: nothing is polled */
		for (size_t i = 0; i < cfg->n_pipelines; i++)
			printf("%s\n", cfg->pipelines[i].name);
		config_free(cfg);
		return 0;
	}

	/* The probe registry is the last word: a stage kind the config accepts but no probe reads
   (a build in the making) is refused here, never handed to the poller. */
	for (size_t i = 0; i < cfg->n_pipelines; i++)
		for (size_t j = 0; j < cfg->pipelines[i].n_stages; j++)
			if (!cfg->pipelines[i].stages[j].kind->probe) {
				fprintf(stderr,
				        "%s:%d: the %s stage is not available in this build of synctop\n",
				        config_path, cfg->pipelines[i].stages[j].line,
				        cfg->pipelines[i].stages[j].kind->name);
				config_free(cfg);
				return EXIT_USAGE;
			}

	char why[512];
	if (thresholds.n && !thresholds_apply(&thresholds, cfg, why, sizeof why)) {
		fprintf(stderr, "synctop: %s\n", why);
		config_free(cfg);
		thresholds_free(&thresholds);
		return EXIT_USAGE;
	}

	bool as_once = !serve && (once || !isatty(STDOUT_FILENO));
	struct recorder *rec = NULL;
	if (record) {
		struct record_mode rm = {.name = serve          ? "serve"
		                                 : as_once      ? "once"
		                                 : to.wallboard ? "wallboard"
		                                                : "tui",
		                         .undamped = as_once,
		                         /* live, two samples are an interval apart (markdown's window) */
		                         .window_s = as_once        ? oo.window_s
		                                     : interval_set ? to.interval_s
		                                                    : cfg->interval_s};
		rec = recorder_open(record, cfg, &rm, why, sizeof why);
		if (!rec) {
			fprintf(stderr, "synctop: %s\n", why);
			config_free(cfg);
			thresholds_free(&thresholds);
			return EXIT_USAGE;
		}
		record_set_active(rec);
	}
	if (serve) { /* --interval sets the exporter's polls as it sets the screen's */
		if (interval_set)
			cfg->interval_s = to.interval_s;
		if (to.read_only) /* --serve --read-only: not even the canary writes */
			cfg->read_only = true;
		int code = serve_run(cfg, &serve_at, stderr);
		recorder_close(rec);
		config_free(cfg);
		return code;
	}
	/* Piped or redirected, the screen would be noise: print a snapshot instead. */
	int code = as_once ? once_run(cfg, &oo, stdout, stderr) : tui_run(cfg, &to);
	recorder_close(rec);
	config_free(cfg);
	thresholds_free(&thresholds);
	return code;
}
