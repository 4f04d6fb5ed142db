/* commands: the full-screen client's slash commands in one table, the parser that turns
 * an input line into one of them, and Tab completion of command and model names. */
#include "cherry/commands.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/utf8.h"

/* Help lines are kept short enough that "  /cmd ARG  help" fits in 78 columns. */
static const struct slash_info commands[] = {
	{CMD_MODEL, "model", "[NAME]", SLASH_ARG_OPTIONAL,
	 "choose a model; no name opens the picker", ACT_NONE,
	 SLASH_NAMES_MODEL},
	{CMD_NEW, "new", "", SLASH_ARG_NONE,
	 "start a new conversation", ACT_NEW_CONVERSATION, SLASH_NAMES_NONE},
	{CMD_SYSTEM, "system", "[TEXT]", SLASH_ARG_OPTIONAL,
	 "set the system prompt; no text shows it, --clear drops it", ACT_NONE,
	 SLASH_NAMES_NONE},
	{CMD_ASSISTANT, "assistant", "[NAME]", SLASH_ARG_OPTIONAL,
	 "use an assistant of config.json; no name lists them", ACT_NONE, SLASH_NAMES_ASSISTANT},
	{CMD_RENAME, "rename", "TITLE", SLASH_ARG_REQUIRED,
	 "rename the conversation", ACT_NONE, SLASH_NAMES_NONE},
	{CMD_EXPORT, "export", "[FILE]", SLASH_ARG_OPTIONAL,
	 "save as Markdown to FILE (default: ID.md here)", ACT_NONE, SLASH_NAMES_NONE},
	{CMD_RETRY, "retry", "", SLASH_ARG_NONE,
	 "ask again; the earlier answer stays as a sibling", ACT_RETRY, SLASH_NAMES_NONE},
	{CMD_DELETE, "delete", "", SLASH_ARG_NONE,
	 "delete this conversation (asks to confirm)", ACT_DELETE_CONVERSATION, SLASH_NAMES_NONE},
	{CMD_OPEN, "open", "[ID|TITLE]", SLASH_ARG_OPTIONAL,
	 "open a conversation; no argument opens the switcher", ACT_NONE, SLASH_NAMES_NONE},
	{CMD_PREV, "prev", "", SLASH_ARG_NONE,
	 "show the previous sibling answer", ACT_SIBLING_PREV, SLASH_NAMES_NONE},
	{CMD_NEXT, "next", "", SLASH_ARG_NONE,
	 "show the next sibling answer", ACT_SIBLING_NEXT, SLASH_NAMES_NONE},
	{CMD_REASONING, "reasoning", "", SLASH_ARG_NONE, "fold or unfold the reasoning",
	 ACT_TOGGLE_REASONING, SLASH_NAMES_NONE},
	{CMD_LIST, "list", "", SLASH_ARG_NONE, "show or hide the conversation list",
	 ACT_TOGGLE_LIST, SLASH_NAMES_NONE},
	{CMD_COPY, "copy", "[N]", SLASH_ARG_OPTIONAL,
	 "copy the last answer, or its code block N (OSC 52)", ACT_NONE, SLASH_NAMES_NONE},
	{CMD_EDITOR, "editor", "", SLASH_ARG_NONE,
	 "compose the message in $EDITOR", ACT_EDITOR, SLASH_NAMES_NONE},
	{CMD_HELP, "help", "", SLASH_ARG_NONE,
	 "show every key and command", ACT_HELP, SLASH_NAMES_NONE},
	{CMD_QUIT, "quit", "", SLASH_ARG_NONE, "quit (stops an answer being streamed first)",
	 ACT_QUIT, SLASH_NAMES_NONE},
	/* the everyday moves */
	{CMD_EDIT, "edit", "", SLASH_ARG_NONE,
	 "edit your last message; sending makes a new branch", ACT_EDIT_LAST, SLASH_NAMES_NONE},
	{CMD_SELECT, "select", "", SLASH_ARG_NONE, "select a message to act on (M-s)", ACT_SELECT, SLASH_NAMES_NONE},
	{CMD_FIND, "find", "[TEXT]", SLASH_ARG_OPTIONAL, "find TEXT in this conversation",
	 ACT_NONE, SLASH_NAMES_NONE},
	{CMD_SEARCH, "search", "[TEXT]", SLASH_ARG_OPTIONAL, "search every conversation for TEXT",
	 ACT_NONE, SLASH_NAMES_NONE},
	{CMD_CLEAR, "clear", "", SLASH_ARG_NONE,
	 "clear the context from here on (again: restore it)", ACT_CLEAR_CONTEXT, SLASH_NAMES_NONE},
	{CMD_STATS, "stats", "", SLASH_ARG_NONE, "tokens and cost of this conversation",
	 ACT_NONE, SLASH_NAMES_NONE},
	{CMD_ATTACH, "attach", "PATH...", SLASH_ARG_REQUIRED,
	 "send files with the next message (Tab completes)", ACT_NONE, SLASH_NAMES_NONE},
	{CMD_TOOLS, "tools", "[NAME]", SLASH_ARG_OPTIONAL,
	 "list the MCP servers; NAME [on|off] switches one here", ACT_NONE, SLASH_NAMES_NONE},
	{CMD_KEY, "key", "[PROVIDER]", SLASH_ARG_OPTIONAL,
	 "type a provider's API key (hidden), kept in the vault", ACT_NONE, SLASH_NAMES_NONE},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char space[] = " \t\r\n";

const struct slash_info *slash_commands(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

const struct slash_info *slash_info(enum slash_cmd c)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == c)
			return &commands[i];
	return NULL;
}

/* The commands a typed name means: an exact name alone, else every name it begins.
 * Returns how many; *hit is the first. */
static size_t lookup(const char *name, size_t len, const struct slash_info **hit)
{
	size_t n = 0;
	*hit = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strncmp(commands[i].name, name, len) != 0)
			continue;
		if (commands[i].name[len] == '\0') {
			*hit = &commands[i];
			return 1;
		}
		if (!n++)
			*hit = &commands[i];
	}
	return n;
}

/* At most max bytes of s, not cutting a UTF-8 sequence, for an error line. */
static int cut_len(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return (int)len;
	return (int)utf8_back(s, max);
}

static int name_error(const char *name, size_t len, struct err *e)
{
	const struct slash_info *hit;
	size_t n = lookup(name, len, &hit);
	if (len == 0) {
		err_set(e, EXIT_USAGE, "a command name must follow /; F1 or /help lists them");
	} else if (n == 0) {
		err_set(e, EXIT_USAGE, "unknown command /%.*s; F1 or /help lists them",
			cut_len(name, len, 40), name);
	} else {
		char all[256] = "";
		size_t used = 0;
		for (size_t i = 0; i < NCOMMANDS; i++) {
			if (strncmp(commands[i].name, name, len) != 0)
				continue;
			size_t w = strlen(commands[i].name) + 3;
			if (used + w >= sizeof(all))
				break;
			memcpy(all + used, used ? ", /" : "/", used ? 3 : 1);
			used += used ? 3 : 1;
			memcpy(all + used, commands[i].name, w - 3);
			used += w - 3;
			all[used] = '\0';
		}
		err_set(e, EXIT_USAGE, "ambiguous command /%.*s: %s", cut_len(name, len, 40), name,
			all);
	}
	return -1;
}

int slash_parse(const char *line, struct slash_parsed *out, struct err *e)
{
	out->cmd = CMD_NONE;
	out->arg = "";
	out->argbuf = (struct buf)BUF_INIT;
	if (!line)
		return 0;
	if (line[0] != '/') {
		out->arg = line;
		return 0;
	}
	if (line[1] == '/') {
		out->arg = line + 1;
		return 0;
	}
	const char *name = line + 1;
	size_t nlen = strcspn(name, space);
	const struct slash_info *hit;
	if (nlen == 0 || lookup(name, nlen, &hit) != 1)
		return name_error(name, nlen, e);

	const char *a = name + nlen;
	a += strspn(a, space);
	size_t alen = strlen(a);
	while (alen > 0 && strchr(space, a[alen - 1]))
		alen--;
	if (alen == 0 && hit->arg == SLASH_ARG_REQUIRED) {
		err_set(e, EXIT_USAGE, "usage: /%s %s", hit->name, hit->args);
		return -1;
	}
	if (alen > 0 && hit->arg == SLASH_ARG_NONE) {
		err_set(e, EXIT_USAGE, "/%s takes no argument", hit->name);
		return -1;
	}
	if (alen > 0) {
		if (buf_append(&out->argbuf, a, alen) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		out->arg = out->argbuf.data;
	}
	out->cmd = hit->cmd;
	return 0;
}

/* Shortens *lcp to the common prefix of it and s, never inside a UTF-8 sequence. */
static void common_prefix(const char *first, size_t *lcp, const char *s)
{
	size_t i = 0;
	while (i < *lcp && first[i] == s[i])
		i++;
	*lcp = i < *lcp ? utf8_back(first, i) : i;
}

static int add_to_list(struct buf *list, size_t shown, size_t max_list, const char *slash,
		       const char *name)
{
	if (shown >= max_list)
		return 0;
	if ((shown && buf_append_str(list, "  ") < 0) || buf_append_str(list, slash) < 0 ||
	    buf_append_str(list, name) < 0)
		return -1;
	return 0;
}

static int complete_command(const char *prefix, size_t plen, struct buf *out,
			    struct buf *list, size_t max_list)
{
	size_t n = 0, lcp = 0;
	const char *first = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name;
		if (strncmp(name, prefix, plen) != 0)
			continue;
		if (!first) {
			first = name;
			lcp = strlen(name);
		} else {
			common_prefix(first, &lcp, name);
		}
		if (add_to_list(list, n, max_list, "/", name) < 0)
			return -1;
		n++;
	}
	if (n == 0)
		return buf_append_str(out, "/") < 0 || buf_append(out, prefix, plen) < 0 ? -1 : 0;
	if (buf_append_str(out, "/") < 0 || buf_append(out, first, lcp) < 0 ||
	    (n == 1 && buf_append_str(out, " ") < 0))
		return -1;
	return (int)n;
}

/* The part of model m that arg completes: all of it, or what follows the provider. */
static const char *model_match(const char *m, const char *arg, size_t alen)
{
	if (strncmp(m, arg, alen) == 0)
		return m;
	const char *slash = strchr(m, '/');
	if (slash && strncmp(slash + 1, arg, alen) == 0)
		return slash + 1;
	return NULL;
}

int names_complete(const char *line, const char *arg, const char *const *models,
		   size_t nmodels, struct buf *out, struct buf *list, size_t max_list)
{
	size_t alen = strlen(arg), n = 0, lcp = 0;
	size_t *hits = nmodels ? malloc(nmodels * sizeof(*hits)) : NULL;
	const char *first = NULL;
	int r = 0;
	if (nmodels && !hits)
		return -1;
	for (size_t i = 0; i < nmodels; i++) {
		if (!models[i])
			continue;
		const char *text = model_match(models[i], arg, alen);
		int dup = 0;
		for (size_t j = 0; text && j < n && !dup; j++)
			dup = strcmp(models[hits[j]], models[i]) == 0;
		if (!text || dup)
			continue;
		if (!first) {
			first = text;
			lcp = strlen(text);
		} else {
			common_prefix(first, &lcp, text);
		}
		if (add_to_list(list, n, max_list, "", models[i]) < 0)
			r = -1;
		hits[n++] = i;
	}
	if (r == 0 && buf_append(out, line, (size_t)(arg - line)) < 0)
		r = -1;
	if (r == 0) {
		if (n == 0)
			r = buf_append_str(out, arg);
		else if (n == 1)
			r = buf_append_str(out, models[hits[0]]);
		else
			r = buf_append(out, first, lcp);
	}
	free(hits);
	return r < 0 ? -1 : (int)n;
}

int slash_complete(const char *line, const struct slash_names *names, struct buf *out,
		   struct buf *list, size_t max_list)
{
	buf_reset(out);
	buf_reset(list);
	if (!line)
		line = "";
	if (line[0] != '/' || line[1] == '/')
		return buf_append_str(out, line) < 0 ? -1 : 0;
	const char *name = line + 1;
	size_t nlen = strcspn(name, space);
	if (name[nlen] == '\0')
		return complete_command(name, nlen, out, list, max_list);

	const struct slash_info *hit;
	if (nlen > 0 && lookup(name, nlen, &hit) == 1 && hit->names != SLASH_NAMES_NONE &&
	    names && names->v[hit->names]) {
		const char *arg = name + nlen + strspn(name + nlen, space);
		return names_complete(line, arg, names->v[hit->names], names->n[hit->names], out,
				      list, max_list);
	}
	return buf_append_str(out, line) < 0 ? -1 : 0;
}

/* Commands start at the same column as the keys of input_help_text. */
#define HELP_MIN_WIDTH 16

int slash_help_text(struct buf *out)
{
	size_t width = HELP_MIN_WIDTH;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t w = 1 + strlen(commands[i].name) +
			   (commands[i].args[0] ? 1 + strlen(commands[i].args) : 0);
		if (w > width)
			width = w;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct slash_info *c = &commands[i];
		size_t w = 1 + strlen(c->name) + (c->args[0] ? 1 + strlen(c->args) : 0);
		if (buf_printf(out, "  /%s%s%s%*s  %s\n", c->name, c->args[0] ? " " : "", c->args,
			       (int)(width - w), "", c->help) < 0)
			return -1;
	}
	return 0;
}
