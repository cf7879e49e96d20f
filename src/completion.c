/* completion.c: the bash and zsh completion scripts, generated from the option tables. */
#include "completion.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "cmd_action.h"
#include "kinds/kind.h"
#include "util.h"

const char *const completion_shells[] = {"bash", "zsh", NULL};

/* What an option's value can be. Options not named below take a value with nothing to
   complete (a duration, a range, an address). */
enum value { V_NONE, V_FILE, V_PIPELINE, V_WORDS, V_KIND };

struct arg_value {
	const char *cmd; /* "" for synctop itself, "action" for the subcommand */
	const char *opt; /* the long name */
	enum value v;
	const char *const *words; /* V_WORDS, NULL-terminated */
};

/* The words of --format, as main.c's --format reads them (the test checks they agree). */
static const char *const formats[] = {"text", "json", "markdown", "nagios", "prometheus", NULL};
static const char *const action_formats[] = {"text", "json", NULL};

static const struct arg_value arg_values[] = {
    {"", "config", V_FILE, NULL},
    {"", "output", V_FILE, NULL},
    {"", "pipeline", V_PIPELINE, NULL},
    {"", "format", V_WORDS, formats},
    {"", "completion", V_WORDS, completion_shells},
    {"action", "config", V_FILE, NULL},
    {"action", "format", V_WORDS, action_formats},
    {"action", "stage", V_KIND, NULL},
};

/* One option as the scripts see it. */
struct flag {
	const char *name; /* "format" */
	char short_name;  /* 'c', or 0 */
	bool arg;         /* takes a value */
	bool repeat;      /* its help says "repeatable" */
	char argname[32]; /* "FORMAT": from the help, else the name in capitals */
	char *desc;       /* the help's text of it, joined; NULL when none */
	const struct arg_value *value;
};

struct cmd {
	const char *name; /* "" or "action" */
	struct flag *flags;
	size_t n;
};

static struct flag *flag_find(struct cmd *c, const char *s, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (len == 1 ? c->flags[i].short_name == s[0]
		             : strlen(c->flags[i].name) == len && !strncmp(c->flags[i].name, s, len))
			return &c->flags[i];
	return NULL;
}

static void desc_append(struct flag *f, const char *s, size_t len)
{
	size_t old = f->desc ? strlen(f->desc) : 0;
	f->desc = xrealloc(f->desc, old + len + 2);
	if (old)
		f->desc[old++] = ' ';
	memcpy(f->desc + old, s, len);
	f->desc[old + len] = '\0';
}

/* An option token at s ("-c" or "--name"): the flag, *end past it. */
static struct flag *option_at(struct cmd *c, const char *s, const char **end)
{
	if (s[0] != '-')
		return NULL;
	if (s[1] != '-') {
		*end = s + 2;
		return isalnum((unsigned char)s[1]) ? flag_find(c, s + 1, 1) : NULL;
	}
	size_t len = strspn(s + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
	*end = s + 2 + len;
	return len > 1 ? flag_find(c, s + 2, len) : NULL;
}

static void argname_set(struct flag *f, const char *s, size_t len)
{
	if (!f->arg || f->argname[0] || !len || len >= sizeof f->argname)
		return;
	memcpy(f->argname, s, len);
	f->argname[len] = '\0';
}

/* The help's lines "  -c, --config FILE        text" and their continuation lines give the
   descriptions and argument names; "[--stage KIND]" anywhere gives an argument name. */
static void read_help(struct cmd *c, void (*usage)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	usage(f);
	fclose(f);
	struct flag *cur = NULL;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		size_t indent = strspn(line, " ");
		const char *p = line + indent, *end;
		struct flag *fl;
		if (indent && indent < 8 && (fl = option_at(c, p, &end))) {
			const char *e2;
			struct flag *lf;
			if (*end == ',' && end[1] == ' ' &&
			    (lf = option_at(c, end + 2, &e2))) { /* "-c, --config" */
				fl = lf;
				end = e2;
			}
			cur = fl;
			if (*end == ' ' && end[1] != ' ') { /* its argument's name */
				size_t an = strcspn(end + 1, " ");
				argname_set(fl, end + 1, an);
				end += 1 + an;
			}
			end += strspn(end, " ");
			if (*end)
				desc_append(fl, end, strlen(end));
		} else if (cur && indent >= 20 && *p) {
			desc_append(cur, p, strlen(p));
		} else {
			cur = NULL;
		}
		for (const char *b = line; (b = strchr(b, '[')); b++) /* "[--stage KIND]" */
			if ((fl = option_at(c, b + 1, &end)) && *end == ' ')
				argname_set(fl, end + 1, strcspn(end + 1, " ]"));
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	for (size_t i = 0; i < c->n; i++) {
		struct flag *fl = &c->flags[i];
		fl->repeat = fl->desc && strstr(fl->desc, "repeatable");
		if (fl->arg && !fl->argname[0]) {
			size_t k = 0;
			for (; fl->name[k] && k + 1 < sizeof fl->argname; k++)
				fl->argname[k] = (char)toupper((unsigned char)fl->name[k]);
			fl->argname[k] = '\0';
		}
	}
}

static void cmd_init(struct cmd *c, const char *name, const struct option *lo, const char *shortopts,
                     void (*usage)(FILE *))
{
	size_t n = 0;
	while (lo[n].name)
		n++;
	c->name = name;
	c->n = n;
	c->flags = xcalloc(n ? n : 1, sizeof *c->flags);
	for (size_t i = 0; i < n; i++) {
		struct flag *f = &c->flags[i];
		f->name = lo[i].name;
		f->arg = lo[i].has_arg == required_argument;
		if (lo[i].val > 0 && lo[i].val < 128 && isalnum(lo[i].val) && strchr(shortopts, lo[i].val))
			f->short_name = (char)lo[i].val;
		for (size_t k = 0; k < sizeof arg_values / sizeof arg_values[0]; k++)
			if (!strcmp(arg_values[k].cmd, name) && !strcmp(arg_values[k].opt, f->name))
				f->value = &arg_values[k];
	}
	read_help(c, usage);
}

static void cmd_free(struct cmd *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->flags[i].desc);
	free(c->flags);
}

/* ---------------------------------------------------------------- bash */

/* The flags' words, space-separated: every one, or those that take a value. */
static void bash_flags(FILE *out, const struct cmd *c, bool valued)
{
	const char *sep = "";
	for (size_t i = 0; i < c->n; i++) {
		const struct flag *f = &c->flags[i];
		if (valued && !f->arg)
			continue;
		if (f->short_name) {
			fprintf(out, "%s-%c", sep, f->short_name);
			sep = " ";
		}
		fprintf(out, "%s--%s", sep, f->name);
		sep = " ";
	}
}

static void words_list(FILE *out, const char *const *w, const char *sep)
{
	for (size_t i = 0; w[i]; i++)
		fprintf(out, "%s%s", i ? sep : "", w[i]);
}

static void kinds_list(FILE *out, const char *sep)
{
	for (size_t i = 0; kinds[i]; i++)
		fprintf(out, "%s%s", i ? sep : "", kinds[i]->name);
}

static void verbs_list(FILE *out, const char *sep)
{
	for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++)
		fprintf(out, "%s%s", a == ACTION_NONE + 1 ? "" : sep, action_json_name((enum action)a));
}

/* The case arms of the values: "	/--format) words='text json' ;;". */
static void bash_values(FILE *out, const struct cmd *c, enum value v)
{
	const char *sep = "\t\t";
	for (size_t i = 0; i < c->n; i++) {
		const struct flag *f = &c->flags[i];
		if (!f->value || f->value->v != v)
			continue;
		if (f->short_name) {
			fprintf(out, "%s%s/-%c", sep, c->name, f->short_name);
			sep = " | ";
		}
		fprintf(out, "%s%s/--%s", sep, c->name, f->name);
		sep = " | ";
		if (v == V_WORDS) {
			fputs(") words='", out);
			words_list(out, f->value->words, " ");
			fputs("' ;;\n", out);
			sep = "\t\t";
		}
	}
	if (v == V_WORDS || sep[0] == '\t')
		return;
	if (v == V_FILE)
		fputs(") files=1 ;;\n", out);
	else if (v == V_PIPELINE)
		fputs(") words=$(_synctop_pipelines \"$cmd\" \"$cfg\") ;;\n", out);
	else if (v == V_KIND) {
		fputs(") words='", out);
		kinds_list(out, " ");
		fputs("' ;;\n", out);
	}
}

static void print_bash(FILE *out, struct cmd *m, struct cmd *a)
{
	fputs("# synctop.bash: bash completion for synctop(1).\n"
	      "# Generated by `synctop --completion bash` (make update-completions) from synctop's\n"
	      "# option tables: do not edit.\n"
	      "\n"
	      "# _synctop_pipelines SYNCTOP CONFIG: the config's pipeline names (synctop --list-pipelines).\n"
	      "_synctop_pipelines() {\n"
	      "\tlocal cmd=$1 cfg=$2\n"
	      "\t[[ $cmd == \\~/* ]] && cmd=$HOME/${cmd#\\~/}\n"
	      "\t[[ $cfg == \\~/* ]] && cfg=$HOME/${cfg#\\~/}\n"
	      "\t\"$cmd\" ${cfg:+-c \"$cfg\"} --list-pipelines 2>/dev/null\n"
	      "}\n"
	      "\n"
	      "_synctop() {\n"
	      "\tlocal -a w=()\n"
	      "\tlocal i t glue=0\n"
	      "\t# The words up to the cursor, each --option=value one word again (bash splits at '=').\n"
	      "\tfor ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do\n"
	      "\t\tt=${COMP_WORDS[i]}\n"
	      "\t\tif ((glue)); then\n"
	      "\t\t\tw[-1]+=$t\n"
	      "\t\t\tglue=0\n"
	      "\t\telif [[ $t == = && ${w[-1]} == --* ]]; then\n"
	      "\t\t\tw[-1]+=$t\n"
	      "\t\t\tglue=1\n"
	      "\t\telse\n"
	      "\t\t\tw+=(\"$t\")\n"
	      "\t\tfi\n"
	      "\tdone\n"
	      "\t((COMP_CWORD < ${#COMP_WORDS[@]})) || w+=('')\n"
	      "\tlocal cur=${w[-1]} cmd=${w[0]} cfg='' sub='' opt='' val='' pre='' words='' files=0\n"
	      "\tlocal n=$((${#w[@]} - 1)) pos=0 alone=1\n"
	      "\tlocal valued='",
	      out);
	bash_flags(out, m, true);
	fputs("'\n"
	      "\t# What comes before the cursor: the config (for the pipeline names), the subcommand\n"
	      "\t# and how many of its arguments; the value of an option is skipped.\n"
	      "\tfor ((i = 1; i < n; i++)); do\n"
	      "\t\tt=${w[i]}\n"
	      "\t\tif [[ -n $opt ]]; then\n"
	      "\t\t\t[[ $opt == -c || $opt == --config ]] && cfg=$t\n"
	      "\t\t\topt=''\n"
	      "\t\t\tcontinue\n"
	      "\t\tfi\n"
	      "\t\tcase $t in\n"
	      "\t\t--config=*) cfg=${t#*=} ;;\n"
	      "\t\t-c?*) cfg=${t#-c} ;;\n"
	      "\t\t-*) [[ \" $valued \" != *\" $t \"* ]] || opt=$t ;;\n"
	      "\t\t*)\n"
	      "\t\t\tif [[ -z $sub ]]; then\n"
	      "\t\t\t\tsub=$t\n"
	      "\t\t\t\tvalued='",
	      out);
	bash_flags(out, a, true);
	fputs("'\n"
	      "\t\t\telse\n"
	      "\t\t\t\tpos=$((pos + 1))\n"
	      "\t\t\tfi\n"
	      "\t\t\t;;\n"
	      "\t\tesac\n"
	      "\t\t# The subcommand comes first: only -c may come before it.\n"
	      "\t\tcase $t in -c | --config | --config=* | -c?*) ;; *) [[ -n $sub ]] || alone=0 ;; esac\n"
	      "\tdone\n"
	      "\tif [[ -n $opt ]]; then\n"
	      "\t\tval=$cur\n"
	      "\telif [[ $cur == --*=* ]]; then\n"
	      "\t\topt=${cur%%=*} val=${cur#*=}\n"
	      "\t\t[[ ${COMP_WORDBREAKS-} == *=* ]] || pre=$opt=\n"
	      "\telif [[ $cur == -* && -z $sub ]]; then\n"
	      "\t\twords='",
	      out);
	bash_flags(out, m, false);
	fputs("'\n"
	      "\telif [[ $cur == -* && $sub == action ]]; then\n"
	      "\t\twords='",
	      out);
	bash_flags(out, a, false);
	fputs("'\n"
	      "\telif [[ -z $sub ]]; then\n"
	      "\t\t((alone)) && words=action\n"
	      "\telif [[ $sub == action && $pos == 0 ]]; then\n"
	      "\t\twords='",
	      out);
	verbs_list(out, " ");
	fputs("'\n"
	      "\telif [[ $sub == action && $pos == 1 ]]; then\n"
	      "\t\twords=$(_synctop_pipelines \"$cmd\" \"$cfg\")\n"
	      "\tfi\n"
	      "\tif [[ -n $opt ]]; then\n"
	      "\t\tcur=$val\n"
	      "\t\t[[ $sub == action ]] || sub=''\n"
	      "\t\tcase $sub/$opt in\n",
	      out);
	struct cmd *cs[] = {m, a};
	for (size_t k = 0; k < 2; k++) {
		bash_values(out, cs[k], V_FILE);
		bash_values(out, cs[k], V_PIPELINE);
		bash_values(out, cs[k], V_WORDS);
		bash_values(out, cs[k], V_KIND);
	}
	fputs("\t\tesac\n"
	      "\tfi\n"
	      "\tCOMPREPLY=()\n"
	      "\tif ((files)); then\n"
	      "\t\tcompopt -o filenames 2>/dev/null\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
	      "\telif [[ -n $words ]]; then\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n"
	      "\tfi\n"
	      "\t[[ -z $pre ]] || COMPREPLY=(\"${COMPREPLY[@]/#/$pre}\")\n"
	      "\treturn 0\n"
	      "}\n"
	      "complete -F _synctop synctop\n",
	      out);
}

/* ---------------------------------------------------------------- zsh */

/* s inside a single-quoted zsh word, with a backslash before each of esc. */
static void zsh_quoted(FILE *out, const char *s, const char *esc)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else {
			if (strchr(esc, *s))
				fputc('\\', out);
			fputc(*s, out);
		}
	}
}

/* One _arguments spec, a line of its own: '(-c --config)'{-c+,--config=}'[help]:FILE:_files'. */
static void zsh_spec(FILE *out, const struct flag *f)
{
	fputs("\t\t", out);
	if (f->short_name)
		fprintf(out, "'(-%c --%s)'{-%c%s,--%s%s}'", f->short_name, f->name, f->short_name,
		        f->arg ? "+" : "", f->name, f->arg ? "=" : "");
	else
		fprintf(out, "'%s--%s%s", f->repeat ? "*" : "", f->name, f->arg ? "=" : "");
	if (f->desc) {
		fputc('[', out);
		zsh_quoted(out, f->desc, "\\[]:");
		fputc(']', out);
	}
	if (f->arg) {
		fputc(':', out);
		zsh_quoted(out, f->argname, "\\:");
		fputc(':', out);
		enum value v = f->value ? f->value->v : V_NONE;
		if (v == V_FILE)
			fputs("_files", out);
		else if (v == V_PIPELINE)
			fputs("_synctop_pipelines", out);
		else if (v == V_WORDS) {
			fputc('(', out);
			words_list(out, f->value->words, " ");
			fputc(')', out);
		} else if (v == V_KIND) {
			fputc('(', out);
			kinds_list(out, " ");
			fputc(')', out);
		} else
			fputc(' ', out);
	}
	fputs("' \\\n", out);
}

static void print_zsh(FILE *out, struct cmd *m, struct cmd *a)
{
	fputs("#compdef synctop\n"
	      "# _synctop: zsh completion for synctop(1).\n"
	      "# Generated by `synctop --completion zsh` (make update-completions) from synctop's\n"
	      "# option tables: do not edit.\n"
	      "\n"
	      "# The pipeline names of the config the command line gives (synctop --list-pipelines).\n"
	      "(($+functions[_synctop_pipelines])) ||\n"
	      "_synctop_pipelines() {\n"
	      "\tlocal cfg=${opt_args[-c]:-${opt_args[--config]:-$synctop_cfg}} expl\n"
	      "\tlocal -a names\n"
	      "\t[[ $cfg == \\~/* ]] && cfg=$HOME/${cfg#\\~/}\n"
	      "\tnames=(${(f)\"$(_call_program pipelines ${(q)synctop_cmd} ${cfg:+-c ${(q)cfg}} \\\n"
	      "\t\t--list-pipelines 2>/dev/null)\"})\n"
	      "\t_wanted pipelines expl pipeline compadd -a names\n"
	      "}\n"
	      "\n"
	      "_synctop() {\n"
	      "\tlocal curcontext=$curcontext state state_descr line ret=1\n"
	      "\tlocal synctop_cmd=$words[1] synctop_cfg\n"
	      "\ttypeset -A opt_args\n"
	      "\t_arguments -C -S \\\n",
	      out);
	for (size_t i = 0; i < m->n; i++)
		zsh_spec(out, &m->flags[i]);
	fputs("\t\t'1:subcommand:(action)' \\\n"
	      "\t\t'*::argument:->action' && ret=0\n"
	      "\tif [[ $state == action && $words[1] == action ]]; then\n"
	      "\t\tsynctop_cfg=${opt_args[-c]:-$opt_args[--config]}\n"
	      "\t\tcurcontext=${curcontext%:*:*}:synctop-action:\n"
	      "\t\t_arguments -S \\\n",
	      out);
	for (size_t i = 0; i < a->n; i++)
		zsh_spec(out, &a->flags[i]);
	fputs("\t\t'1:action:((", out);
	for (int k = ACTION_NONE + 1; k < ACTION_COUNT; k++) {
		fprintf(out, "%s%s\\:\"", k == ACTION_NONE + 1 ? "" : " ", action_defs[k].json);
		zsh_quoted(out, action_defs[k].help, "\"\\$`");
		fputc('"', out);
	}
	fputs("))' \\\n"
	      "\t\t'2:pipeline:_synctop_pipelines' && ret=0\n"
	      "\tfi\n"
	      "\treturn ret\n"
	      "}\n"
	      "\n"
	      "_synctop \"$@\"\n",
	      out);
}

bool completion_print(FILE *out, const char *shell, const struct option *longopts, const char *shortopts,
                      void (*usage)(FILE *))
{
	bool bash = !strcmp(shell, "bash");
	if (!bash && strcmp(shell, "zsh"))
		return false;
	struct cmd m, a;
	cmd_init(&m, "", longopts, shortopts, usage);
	cmd_init(&a, "action", cmd_action_longopts, cmd_action_shortopts, cmd_action_usage);
	if (bash)
		print_bash(out, &m, &a);
	else
		print_zsh(out, &m, &a);
	cmd_free(&m);
	cmd_free(&a);
	return true;
}
