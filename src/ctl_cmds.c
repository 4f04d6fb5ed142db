/* ctl_cmds: the slash commands of the client: commands.c parses the line, a command that
 * is a key action runs that action, and every other command has its row in the handler
 * table below. Also Tab completion and assistants. */
#include "ctl_int.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/commands.h"
#include "cherry/markdown.h"
#include "cherry/privacy.h"

static int cmd_model(struct ctl *c, const char *arg)
{
	if (!*arg) {
		ctl_open_model_picker(c, NULL);
		return 0;
	}
	if (ctl_set_model(c, arg, 1) < 0)
		return 1; /* keep "/model x" in the input, to correct */
	ctl_message(c, "model: %s", c->model);
	return 0;
}

/* /system TEXT sets the prompt, /system --clear removes it, /system alone shows it. */
static int cmd_system(struct ctl *c, const char *arg)
{
	struct err e;
	err_clear(&e);
	if (!*arg) {
		const char *sys = c->shown->conv.system;
		if (sys && *sys)
			ctl_info(c, "system prompt", sys, 0);
		else
			ctl_message(c, "no system prompt: /system TEXT sets one");
		return 0;
	}
	int clear = !strcmp(arg, "--clear");
	if (chat_set_system(c->shown, clear ? NULL : arg, c->wall, &e) < 0)
		ctl_message(c, "%s", e.msg);
	else
		ctl_message(c, clear ? "system prompt removed" : "system prompt set");
	c->react |= CTL_SAVE;
	ctl_rebuild_view(c);
	return 0;
}

/* The assistants of config.json, one line each: name, model, the system prompt's start. */
static void list_assistants(struct ctl *c)
{
	const char *name;
	json_t *a;
	struct buf text = BUF_INIT;
	if (c->cfg->assistants)
		json_object_foreach(c->cfg->assistants, name, a) {
			const char *model = json_string_value(json_object_get(a, "model"));
			const char *sys = json_string_value(json_object_get(a, "system"));
			buf_printf(&text, "%s%s%s%s%s%.60s%s", text.len ? "\n" : "", name,
				   model ? " (" : "", model ? model : "", model ? ")" : "",
				   sys ? "  " : "", sys ? sys : "");
		}
	if (text.len)
		ctl_info(c, "assistants (/assistant NAME uses one)", text.data, 0);
	else
		ctl_message(c, "no assistants: config.json \"assistants\" defines them");
	buf_free(&text);
}

static int cmd_assistant(struct ctl *c, const char *arg)
{
	if (*arg)
		ctl_use_assistant(c, arg);
	else
		list_assistants(c);
	return 0;
}

static int cmd_rename(struct ctl *c, const char *arg)
{
	struct err e;
	err_clear(&e);
	if (chat_rename(c->shown, arg, c->wall, &e) < 0)
		ctl_message(c, "%s", e.msg);
	else
		ctl_message(c, "renamed");
	c->react |= CTL_SAVE;
	ctl_list_touch(c, c->shown);
	return 0;
}

/* The shell writes the file and reports back with ctl_note. */
static int cmd_export(struct ctl *c, const char *arg)
{
	if (!c->shown->conv.n) {
		ctl_message(c, "nothing to export yet");
		return 0;
	}
	buf_reset(&c->out_text);
	buf_reset(&c->out_path);
	int bad = chat_export_md(c->shown, &c->out_text) < 0;
	if (!bad)
		bad = *arg ? buf_append_str(&c->out_path, arg) < 0 :
			     buf_printf(&c->out_path, "%s.md", c->shown->conv.id) < 0;
	if (bad || !c->out_text.data || !c->out_path.data) {
		ctl_message(c, "out of memory");
		return 0;
	}
	privacy_count("exports");
	c->react |= CTL_EXPORT;
	return 0;
}

/* /copy: the last answer (as M-w); /copy N: its code block N, numbered as drawn. */
static int cmd_copy(struct ctl *c, const char *arg)
{
	if (!*arg) {
		ctl_copy_answer(c);
		return 0;
	}
	char *end;
	unsigned long n = strtoul(arg, &end, 10);
	if (*end || !n || arg[0] == '-') {
		ctl_message(c, "/copy takes the number drawn over a code block");
		return 1;
	}
	long a = ctl_last_answer(c);
	const char *s = a >= 0 ? c->shown->conv.msgs[a].content : NULL;
	if (!s || !*s) {
		ctl_message(c, "no answer to copy");
		return 0;
	}
	struct buf code = BUF_INIT;
	int rc = md_code_block(s, strlen(s), n, &code);
	if (rc == 0) {
		if (ctl_copy_set(c, code.data ? code.data : "", code.len) == 0)
			ctl_message(c, "copied code block %lu (%zu bytes) to the clipboard", n,
				    c->out_text.len);
	} else if (rc > 0) {
		ctl_message(c, "the last answer has no code block %lu", n);
	} else {
		ctl_message(c, "out of memory");
	}
	buf_free(&code);
	return 0;
}

/* /open ARG: an id or unique id prefix, else the one title containing ARG (any case);
 * several matches open the switcher filtered by ARG. */
static int cmd_open(struct ctl *c, const char *arg)
{
	if (!*arg) {
		ctl_open_switcher(c, NULL);
		return 0;
	}
	char id[HIST_ID_MAX + 1];
	struct err e;
	err_clear(&e);
	if (c->world.conv_resolve(c->world.ctx, arg, id, &e) == 0) {
		ctl_open_conversation(c, id);
		return 0;
	}
	if (c->list_reading) {
		/* the titles not read yet may match too: the switcher, when they are */
		ctl_open_switcher(c, arg);
		return 0;
	}
	size_t found = 0, at = 0;
	for (size_t i = 0; i < c->nlist; i++)
		if (c->list[i].title && ctl_contains_icase(c->list[i].title, arg)) {
			found++;
			at = i;
		}
	if (found == 1) {
		snprintf(id, sizeof id, "%s", c->list[at].id);
		ctl_open_conversation(c, id);
	} else if (found > 1) {
		ctl_open_switcher(c, arg);
	} else {
		ctl_message(c, "no conversation has the id or a title like \"%s\"", arg);
	}
	return 0;
}

static int cmd_find(struct ctl *c, const char *arg)
{
	edit_apply(c->ed, EDIT_CLEAR, 0);
	ctl_find_start(c, arg, -1);
	return 0;
}

static int cmd_search(struct ctl *c, const char *arg)
{
	ctl_h_search_history(c);
	if (*arg && buf_append_str(&c->ov.filter, arg) == 0)
		ctl_search_changed(c);
	return 0;
}

/* Returns 1 to keep the line in the input (to correct it), else 0. */
typedef int (*cmd_fn)(struct ctl *c, const char *arg);

/* The commands that are not key actions. */
static const cmd_fn cmd_handlers[CMD__COUNT] = {
	[CMD_MODEL] = cmd_model,
	[CMD_SYSTEM] = cmd_system,
	[CMD_ASSISTANT] = cmd_assistant,
	[CMD_TOOLS] = ctl_tools_command,
	[CMD_RENAME] = cmd_rename,
	[CMD_EXPORT] = cmd_export,
	[CMD_OPEN] = cmd_open,
	[CMD_COPY] = cmd_copy,
	[CMD_FIND] = cmd_find,
	[CMD_SEARCH] = cmd_search,
	[CMD_STATS] = ctl_cmd_stats,
	[CMD_ATTACH] = ctl_cmd_attach,
	[CMD_KEY] = ctl_cmd_key,
};

void ctl_run_command(struct ctl *c, const char *line)
{
	struct slash_parsed sp;
	memset(&sp, 0, sizeof sp);
	struct err e;
	err_clear(&e);
	if (slash_parse(line, &sp, &e) < 0) {
		ctl_message(c, "%s", e.msg);
		buf_free(&sp.argbuf);
		return;
	}
	const char *arg = sp.arg ? sp.arg : "";
	const struct slash_info *info = slash_info(sp.cmd);
	c->dirty |= CTL_DIRTY_ALL;
	if (sp.cmd == CMD_NONE) {
		/* "//x" sends "/x"; the input is cleared when it is sent */
		ctl_request_send(c, arg, strlen(arg));
	} else if (info && info->action != ACT_NONE) {
		/* "/retry" leaves the input first, as the key would find it empty */
		edit_apply(c->ed, EDIT_CLEAR, 0);
		ctl_do_action(c, info->action);
	} else {
		if (!cmd_handlers[sp.cmd] || !cmd_handlers[sp.cmd](c, arg))
			edit_apply(c->ed, EDIT_CLEAR, 0);
	}
	buf_free(&sp.argbuf);
}

void ctl_complete(struct ctl *c)
{
	size_t len;
	const char *s = edit_text(c->ed, &len);
	if (s && s[0] != '/') {
		ctl_complete_mention(c);
		return;
	}
	if (!s)
		return;
	if (!strncmp(s, "/attach ", 8)) {
		ctl_attach_complete(c, s, len);
		return;
	}
	char **known = NULL, *helpers[64];
	size_t nk = 0, na = 0;
	if (ctl_models(c, &known, &nk) < 0)
		nk = 0;
	const char *name;
	json_t *a;
	if (c->cfg->assistants)
		json_object_foreach(c->cfg->assistants, name, a)
			if (na < sizeof helpers / sizeof *helpers)
				helpers[na++] = (char *)name;
	const struct provider_list *pl = &c->cfg->providers;
	const char **provs = pl->n ? calloc(pl->n, sizeof *provs) : NULL;
	for (size_t i = 0; provs && i < pl->n; i++)
		provs[i] = pl->v[i].name;
	struct slash_names names = {{NULL}, {0}};
	names.v[SLASH_NAMES_MODEL] = (const char *const *)known;
	names.n[SLASH_NAMES_MODEL] = nk;
	names.v[SLASH_NAMES_ASSISTANT] = (const char *const *)helpers;
	names.n[SLASH_NAMES_ASSISTANT] = na;
	names.v[SLASH_NAMES_PROVIDER] = provs; /* /key */
	names.n[SLASH_NAMES_PROVIDER] = provs ? pl->n : 0;
	struct buf out = BUF_INIT, list = BUF_INIT;
	int n = slash_complete(s, &names, &out, &list, 12);
	if (n >= 1 && out.data && strcmp(out.data, s))
		edit_set_text(c->ed, out.data, out.len);
	if (n > 1)
		ctl_message(c, "%s", list.data ? list.data : "");
	else if (n == 0)
		ctl_message(c, "no completion");
	ctl_models_free(c, known, nk);
	free(provs);
	buf_free(&out);
	buf_free(&list);
	c->dirty |= CTL_DIRTY_INPUT;
}

/* "{{date}}" in an assistant's system prompt becomes today's date. */
static void expand_date(const char *s, const char *today, struct buf *out)
{
	const char *p;
	while ((p = strstr(s, "{{date}}"))) {
		buf_append(out, s, (size_t)(p - s));
		buf_append_str(out, today);
		s = p + 8;
	}
	buf_append_str(out, s);
}

void ctl_use_assistant(struct ctl *c, const char *name)
{
	json_t *a = c->cfg->assistants ? json_object_get(c->cfg->assistants, name) : NULL;
	if (!json_is_object(a)) {
		ctl_message(c, "no assistant \"%s\" in config.json \"assistants\"", name);
		return;
	}
	json_t *sys = json_object_get(a, "system"), *model = json_object_get(a, "model");
	json_t *temp = json_object_get(a, "temperature");
	struct err e;
	err_clear(&e);
	if (json_is_string(model) && ctl_set_model(c, json_string_value(model), 1) < 0)
		return;
	if (json_is_string(sys)) {
		struct buf s = BUF_INIT;
		expand_date(json_string_value(sys), c->today, &s);
		if (chat_set_system(c->shown, s.data, c->wall, &e) < 0)
			ctl_message(c, "%s", e.msg);
		c->react |= CTL_SAVE;
		buf_free(&s);
	}
	c->temperature = json_is_number(temp) ? temp : NULL;
	ctl_tools_assistant(c, a);
	ctl_rebuild_view(c);
	ctl_message(c, "assistant: %s", name);
}
