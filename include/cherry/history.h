/* history: the conversation model (a tree of messages) and its JSON file format (pure). */
#ifndef CHERRY_HISTORY_H
#define CHERRY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cherry/buf.h"
#include "cherry/err.h"

/* The newest format version this build reads and writes. Files with a larger "version"
 * are newer: they are loaded as far as understood and must be treated read-only.
 * Version 2 added a message's "context_break", version 3 tool calls and results; a file
 * is written with the lowest version that holds what it has, so that an older cherry
 * still opens it (and one with a break or tools read-only, rather than sending a
 * different context and dropping what it does not know on its next save). */
#define HIST_FORMAT 3
/* Conversation ids: 1..HIST_ID_MAX characters of [A-Za-z0-9_-], safe as a file name. */
#define HIST_ID_MAX 40
/* Local titles are cut to this many characters (code points). */
#define HIST_TITLE_MAX 60

enum hist_status {
	HIST_COMPLETE,
	HIST_STOPPED,     /* the user stopped the answer */
	HIST_ERROR,       /* the provider or network failed; msg->error says how */
	HIST_INTERRUPTED, /* the run died while answering (what partial saves record) */
};

struct hist_usage {
	long input; /* -1: unknown, for each */
	long output;
	long reasoning;
	long cached;
};

/* A file sent with a message: its bytes live once in the attachments directory under
 * their SHA-256 (histstore/attstore); the message keeps this reference. */
struct hist_att {
	char sha256[65]; /* lowercase hex */
	char *name;      /* the file's name as given (no directories) */
	char *media_type;
	long long size;  /* bytes */
};

/* A tool call an answer asked for, saved with the answer ("tool_calls"). */
struct hist_call {
	char *id;
	char *name; /* the tool as the model was offered it ("SERVER__TOOL") */
	char *args; /* its arguments: JSON text of an object */
	char *sig;  /* opaque provider data sent back with it (Gemini's thoughtSignature) */
};

struct hist_msg {
	char *id;        /* unique within the conversation ("m1", "m2", ...) */
	char *parent;    /* NULL for a root message */
	char *role;      /* "user" or "assistant" */
	char *content;
	char *reasoning; /* NULL when none */
	char *provider;  /* NULL when unknown (user messages) */
	char *model;
	double created;  /* Unix time, seconds; 0 unknown */
	double updated;
	struct hist_usage usage;
	double ttft;     /* time to first token, seconds; < 0 unknown */
	enum hist_status status;
	char *error;     /* the one-line error for HIST_ERROR, else NULL */
	char *note;      /* HIST_COMPLETE: the provider's note on how it ended ("cut short by
			  * the length limit", a refusal), shown under it; else NULL */
	int context_break; /* the context is cleared after this message: it and the
			    * messages before it are not sent for answers below it */
	int best;        /* "best": the answer marked as the best of its siblings */
	struct hist_att *att; /* "attachments", in the order sent; NULL when none */
	size_t natt;
	struct hist_call *calls; /* an answer's tool calls; NULL when none */
	size_t ncalls;
	char *tool_call_id; /* role "tool" (a tool's result): the call it answers */
	char *tool_name;
	int tool_error;     /* the result is an error, or the call was refused */
	long long tool_full; /* the result's bytes before it was capped; 0: not capped */
	char *provider_items; /* opaque items the provider wants back with the calls (the
			       * Responses API's reasoning items): JSON array text, or NULL */
};

struct hist_conv {
	int version;              /* as read (HIST_FORMAT for a new one) */
	char id[HIST_ID_MAX + 1];
	char *title;
	double created;
	double updated;
	char *model;              /* "provider/model" of the last exchange, NULL unknown */
	char *system;             /* system prompt, NULL none */
	char *current;            /* id of the current leaf, NULL when empty */
	struct hist_msg *msgs;    /* in the order they were added */
	size_t n;
	size_t cap;
	unsigned next_seq;        /* for new message ids */
	struct hist_index *index; /* ids hashed, parents and children linked (histindex.c) */
};

/* "No message": no parent (a root), no child, no such id. */
#define HIST_NONE SIZE_MAX

/* 1 when id is a valid conversation id. */
int hist_id_valid(const char *id);
const char *hist_status_name(enum hist_status s);
/* -1 when the name is unknown. */
int hist_status_parse(const char *name);

/* An empty conversation with this id (which must be valid). 0, or -1 on bad id/OOM. */
int hist_conv_init(struct hist_conv *c, const char *id, double now);
void hist_conv_free(struct hist_conv *c);
/* A copy of c that shares nothing with it (but for the id index, which it lacks: only
 * for saving, hist_to_tree, e.g. on another thread). 0, or -1 (OOM: d left empty). */
int hist_conv_dup(struct hist_conv *d, const struct hist_conv *c);

/* Appends a message under parent (NULL: a new root) and makes it the current leaf.
 * Strings are copied (NULL allowed except role and content). Returns the message
 * (valid until the next hist_add), or NULL on OOM or an unknown parent. */
struct hist_msg *hist_add(struct hist_conv *c, const char *parent, const char *role,
			  const char *content, double now);
/* Lookups by id and walks of the tree, hashed and linked (histindex.c): each costs what
 * it visits. The index follows hist_add and the loaders; code that changes msgs, n or an
 * id or parent any other way calls hist_reindex afterwards (until then lookups scan). */
struct hist_msg *hist_find(const struct hist_conv *c, const char *id);
/* The index of the message with this id, HIST_NONE when there is none. */
size_t hist_index_of(const struct hist_conv *c, const char *id);
/* Message i's parent, HIST_NONE for a root (or a parent that does not exist). */
size_t hist_parent_of(const struct hist_conv *c, size_t i);
/* The first / last child of p (p HIST_NONE: the roots) and the next one after child i,
 * in the order they were added; HIST_NONE when there is none. */
size_t hist_first_child(const struct hist_conv *c, size_t p);
size_t hist_last_child(const struct hist_conv *c, size_t p);
size_t hist_next_sibling(const struct hist_conv *c, size_t i);
/* Rebuilds the index from msgs. 0; 1 when an id is used twice (the first one is found);
 * -1 OOM (lookups then scan). */
int hist_reindex(struct hist_conv *c);
/* For history.c: indexes msgs[n - 1] after it was appended (0; 1 when its id is taken,
 * and it is then not indexed; -1 OOM), and frees the index. */
int hist_index_push(struct hist_conv *c);
void hist_index_free(struct hist_conv *c);
/* Replaces a string field (*field) with a copy of s (NULL allowed). 0 or -1 on OOM. */
int hist_set_str(char **field, const char *s);

/* Removes msgs[root] and every message below it. When the current leaf was among
 * them, the newest message left under root's parent (down to its newest leaf), else
 * that parent, becomes current. Indexes into msgs change. Returns the number removed,
 * or -1 (OOM: nothing changed). */
int hist_delete_subtree(struct hist_conv *c, size_t root);

/* The current branch, root first, as indexes into c->msgs (caller frees *idx).
 * *n is 0 for an empty conversation. 0, or -1 on OOM. */
int hist_branch(const struct hist_conv *c, size_t **idx, size_t *n);

/* One message as the file holds it (NULL on OOM), and back: 0, or -1 with e (m then
 * holds what was read; hist_msg_free frees it). newer: the file is of a newer format. */
json_t *hist_msg_json(const struct hist_msg *m);
int hist_msg_read(json_t *o, int newer, struct hist_msg *m, struct err *e);
void hist_msg_free(struct hist_msg *m);

/* Appends an attachment reference to m (strings copied). 0, or -1 on OOM or a sha256
 * that is not 64 lowercase hex digits. */
int hist_msg_attach(struct hist_msg *m, const char *sha256, const char *name,
		    const char *media_type, long long size);
/* Tool calls and results (histtools.c). Appends a call to an answer (strings copied;
 * args NULL or "" is "{}"): 0 or -1 (OOM). */
int hist_msg_add_call(struct hist_msg *m, const char *id, const char *name, const char *args,
		      const char *sig);
/* Makes m the result of call call_id (of tool name): 0 or -1 (OOM). */
int hist_msg_set_result(struct hist_msg *m, const char *call_id, const char *name, int error,
			long long full);
/* The Responses API's reasoning items of an answer (JSON array text): 0 or -1 (OOM). */
int hist_msg_set_items(struct hist_msg *m, const char *items);
/* For history.c: the tool members of a message written into o ("tool_calls", or
 * "tool_call_id", "tool_name", "is_error", "truncated_from"), read back (0, or -1 with e;
 * *oom set when memory ran out), freed; and whether any message has them. */
int hist_tools_json(const struct hist_msg *m, json_t *o);
int hist_tools_read(json_t *o, struct hist_msg *m, struct err *e, int *oom);
void hist_tools_free(struct hist_msg *m);
int hist_has_tools(const struct hist_conv *c);

/* 1 when s is 64 lowercase hex digits (a stored attachment's name). */
int hist_sha256_valid(const char *s);

/* Pretty-printed JSON (2-space indent, newline at the end) appended to out. 0 or -1 (OOM).
 * In two steps: the tree (its own copy of every string; NULL on OOM), then its text,
 * which needs nothing of c (a whole save writes it on a thread of its own). */
int hist_to_json(const struct hist_conv *c, struct buf *out);
json_t *hist_to_tree(const struct hist_conv *c);
int hist_tree_dump(const json_t *root, struct buf *out);
/* The current branch as Markdown, appended to out: "# TITLE", "## System", then a
 * "## User" / "## Assistant (provider/model) [status] [best]" heading per message with
 * its attachments (a list of links into attdir, or of names when attdir is NULL) and
 * its text as it is, each answer's other sibling answers following it as
 * "### Other answer (provider/model) ..." sections (what `cherry history export --format
 * md` writes; histmd.c). 0 or -1 (OOM). */
int hist_to_markdown(const struct hist_conv *c, const char *attdir, struct buf *out);
/* The answers under the same message as answer msg (msg among them), in file order, at
 * most max into out; their count (0 for a user message). */
size_t hist_siblings(const struct hist_conv *c, size_t msg, size_t *out, size_t max);

enum hist_load {
	HIST_LOAD_OK = 0,
	HIST_LOAD_NEWER = 1,    /* a newer format: c holds what was understood; read-only */
	HIST_LOAD_CORRUPT = -1, /* not a conversation file; e says why, c is empty */
	HIST_LOAD_NOMEM = -2,   /* memory ran out: says nothing about the file; c is empty */
};
/* Parses and validates a file's bytes: unique ids, parents that exist, no cycles, a
 * current leaf that exists. Returns an enum hist_load. */
int hist_from_json(const char *data, size_t len, struct hist_conv *c, struct err *e);
/* The same from a reader (jansson's json_load_callback_t): up to len bytes into buf,
 * 0 at the end, (size_t)-1 on error. The file is then never held whole beside its parse. */
typedef size_t (*hist_read_fn)(void *buf, size_t len, void *ctx);
int hist_from_reader(hist_read_fn read, void *ctx, struct hist_conv *c, struct err *e);

/* A local title from the first prompt: first non-blank line, whitespace collapsed,
 * cut to HIST_TITLE_MAX characters with "..." when cut. Appended to out. 0 or -1. */
int hist_make_title(const char *prompt, struct buf *out);

/* "2026-11-29T06:42:26.123Z" for a Unix time; out has room for 32 bytes. */
void hist_format_time(double t, char out[32]);
/* The reverse; -1 when s is not such a time. */
int hist_parse_time(const char *s, double *t);

#endif
