/* commands: the slash commands of the full-screen client in one table (name, argument,
 * help), parsing an input line into a command, and Tab completion of command and model
 * names (pure). */
#ifndef CHERRY_COMMANDS_H
#define CHERRY_COMMANDS_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/input.h"

enum slash_cmd {
	CMD_NONE = 0,   /* not a command: send the line as a prompt */
	CMD_MODEL,      /* /model [NAME]: choose a model (no name: open the picker) */
	CMD_NEW,        /* /new: a new conversation */
	CMD_SYSTEM,     /* /system [TEXT]: set (no text: clear) the system prompt */
	CMD_ASSISTANT,  /* /assistant NAME: system prompt and model from config "assistants" */
	CMD_RENAME,     /* /rename TITLE */
	CMD_EXPORT,     /* /export [FILE]: Markdown to FILE (default: ID.md in the current dir) */
	CMD_RETRY,      /* /retry: ask again, keeping the earlier answer as a sibling */
	CMD_DELETE,     /* /delete: delete this conversation (asks to confirm) */
	CMD_OPEN,       /* /open [ID|TITLE]: switch conversation (no argument: switcher) */
	CMD_PREV,       /* /prev: previous sibling answer */
	CMD_NEXT,       /* /next: next sibling answer */
	CMD_REASONING,  /* /reasoning: fold or unfold reasoning */
	CMD_LIST,       /* /list: show or hide the conversation list */
	CMD_COPY,       /* /copy [N]: the last answer or its code block N to the clipboard */
	CMD_EDITOR,     /* /editor: compose in $EDITOR */
	CMD_HELP,       /* /help */
	CMD_QUIT,       /* /quit */
	CMD_EDIT,       /* /edit: edit the last user message and resend it as a new branch */
	CMD_SELECT,     /* /select: select a message (MODE_SELECT) */
	CMD_FIND,       /* /find [TEXT]: find in this conversation */
	CMD_SEARCH,     /* /search [TEXT]: search every conversation */
	CMD_CLEAR,      /* /clear: a context break after the last answer (toggles) */
	CMD_STATS,      /* /stats: tokens and cost of this conversation */
	CMD_ATTACH,     /* /attach PATH...: files for the next message */
	CMD_TOOLS,      /* /tools [NAME [on|off]]: the MCP servers of this conversation */
	CMD_KEY,        /* /key [PROVIDER]: type a provider's API key, stored in the vault */
	CMD__COUNT
};

enum slash_arg { SLASH_ARG_NONE, SLASH_ARG_OPTIONAL, SLASH_ARG_REQUIRED };

/* What Tab completes a command's argument from. */
enum slash_names_kind { SLASH_NAMES_NONE, SLASH_NAMES_MODEL, SLASH_NAMES_ASSISTANT,
			SLASH_NAMES__COUNT };

/* The names the caller offers, per kind (v[k] may be NULL when n[k] is 0). */
struct slash_names {
	const char *const *v[SLASH_NAMES__COUNT];
	size_t n[SLASH_NAMES__COUNT];
};

struct slash_info {
	enum slash_cmd cmd;
	const char *name;  /* without the slash */
	const char *args;  /* "NAME", "[TEXT]", or "" */
	enum slash_arg arg;
	const char *help;  /* one line */
	enum input_action action; /* a key action by another name (ACT_NONE: its own handler) */
	enum slash_names_kind names; /* what Tab completes its argument from */
};

const struct slash_info *slash_commands(size_t *n);
const struct slash_info *slash_info(enum slash_cmd c);

struct slash_parsed {
	enum slash_cmd cmd;
	const char *arg;   /* points into the line (trimmed copy in argbuf); "" when none */
	struct buf argbuf; /* owns the trimmed argument; free with buf_free */
};

/* Parses an input line (out, argbuf included, is always initialised). A line not starting with '/' is CMD_NONE (a prompt). "//x" is
 * the prompt "/x": CMD_NONE with arg the line minus one slash. A unique prefix of a
 * command name is accepted ("/mo x"). Returns 0, or -1 with e set to a one-line error
 * for an unknown or ambiguous command ("unknown command /foo; F1 or /help lists them"),
 * a missing required argument, or an argument to a command that takes none. */
int slash_parse(const char *line, struct slash_parsed *out, struct err *e);

/* Tab completion on the input line (the cursor is taken to be at the end): "/mo" ->
 * "/model ", "/model op" -> the model names starting with "op" (or containing it after
 * the provider's slash), "/assistant c" the assistant names. With one match the completed line goes to out and 1 is
 * returned; with several, the longest common prefix goes to out (which may equal the
 * line) and the number of matches is returned, and their names (at most `max_list`)
 * are written to list joined by two spaces; 0: no match (out is the line unchanged).
 * models may be NULL. out and list are emptied first; command names are listed with
 * their slash ("/new  /next"), models by their full name; matching is case-sensitive
 * and duplicate model names count once. -1 when memory ran out. */
/* The same for a name that ends line, beginning at arg (inside line): "@fo/" in a
 * message. out is the line completed, list the names (as slash_complete). */
int names_complete(const char *line, const char *arg, const char *const *models,
		   size_t nmodels, struct buf *out, struct buf *list, size_t max_list);
int slash_complete(const char *line, const struct slash_names *names, struct buf *out,
		   struct buf *list, size_t max_list);

/* The help screen's command part: "  /model [NAME]<pad>help\n" for each command,
 * appended to out. 0 or -1 (OOM). */
int slash_help_text(struct buf *out);

#endif
