/* state_tools: the MCP servers each conversation of the full-screen client turned on
 * (/tools, an assistant's "mcp"), kept in $XDG_STATE_HOME/cherry/tools.json (0600,
 * written atomically) so that a conversation reopened, in this run or the next, has
 * them again: {"version": 1, "conversations": {"ID": ["NAME", ...], ...}}. A file that
 * is not such an object is set aside as tools.json.corrupt and reported. */
#ifndef CHERRY_STATE_TOOLS_H
#define CHERRY_STATE_TOOLS_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/err.h"

/* Conversation id's servers from the file's text (pure): *names malloc'd (each name
 * too; NULL when none), *n how many. 0, or -1 when the text is not such a file (e). */
int state_tools_parse(const char *text, size_t len, const char *id, char ***names, size_t *n,
		      struct err *e);
/* The file's text (NULL: none yet) with id's servers set to names (n 0: id left out),
 * into out (pure). 0, or -1 (e). */
int state_tools_update(const char *text, size_t len, const char *id, char *const *names,
		       size_t n, struct buf *out, struct err *e);
/* The same on the file. 0, or -1 with e. */
int state_tools_get(const char *id, char ***names, size_t *n, struct err *e);
int state_tools_set(const char *id, char *const *names, size_t n, struct err *e);
void state_tools_names_free(char **names, size_t n);

#endif
