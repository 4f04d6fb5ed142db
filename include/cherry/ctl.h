/* ctl: the full-screen client's logic as a pure controller. The shell (tui.c) turns
 * the world into events — a key, a delta, a stream's end, a timer, a resize — and each
 * event function changes the state and returns reactions: what the shell must do next
 * (start or stop a stream, save, copy, run $EDITOR, unlock the vault, quit). What to
 * redraw accumulates in ctl.dirty. No curses, sockets, files or clock in here: the shell
 * supplies the time with every event and reaches conversations on disk, model lists and
 * keys through struct ctl_world. Drawing (ui.c) reads this state and decides nothing:
 * scrolling and following the stream are settled here after every event.
 *
 * Keys go through the key map of the current mode (input.h); the handler of every
 * action is a row of one table in ctl_keys.c, and of every slash command one row in
 * ctl_cmds.c. */
#ifndef CHERRY_CTL_H
#define CHERRY_CTL_H

#include <stddef.h>

#include "cherry/buf.h"
#include "cherry/chat.h"
#include "cherry/config.h"
#include "cherry/edit.h"
#include "cherry/histsearch.h"
#include "cherry/histstore.h"
#include "cherry/input.h"
#include "cherry/outcome.h"
#include "cherry/view.h"
#include "cherry/wire.h"

/* What to redraw (ctl.dirty). */
enum {
	CTL_DIRTY_LIST = 1,
	CTL_DIRTY_CHAT = 2,
	CTL_DIRTY_INPUT = 4,
	CTL_DIRTY_STATUS = 8,
	CTL_DIRTY_ALL = 15,
	CTL_DIRTY_LAYOUT = 16, /* the geometry changed: place the windows again */
	CTL_DIRTY_CLEAR = 32,  /* repaint the whole terminal (C-l) */
};

/* Reactions: what the shell does after an event, in this order. */
enum {
	CTL_NEED_KEY = 1,       /* find the key for ctl.pending's provider, answer ctl_key_result */
	CTL_UNLOCK = 2,         /* unlock the vault with ctl_passphrase(), answer ctl_key_result */
	CTL_START = 4,          /* start the streams ctl_streams_to_start names (their
				 * provider's key is at hand: CTL_NEED_KEY found it) */
	CTL_STOP = 8,           /* cancel the transfers ctl_streams_to_stop names (each end
				 * comes as ctl_stream_end) */
	CTL_SAVE = 16,          /* save the open conversations that changed (chat_save) */
	CTL_SAVE_PROMPTS = 32,  /* write the prompt ring (state_prompts_save) */
	CTL_SET_LAST = 64,      /* remember ctl.shown as the conversation to reopen */
	CTL_COPY = 128,         /* ctl.out_text to the clipboard (OSC 52) */
	CTL_EDITOR = 256,       /* edit ctl.out_text in $EDITOR, answer ctl_editor_done */
	CTL_EXPORT = 512,       /* write ctl.out_text to the file ctl.out_path, answer ctl_note */
	CTL_QUIT = 1024,
	CTL_FETCH_MODELS = 2048, /* fetch the providers' model lists in the background */
	/* the tool loop (ctl_tools.h) */
	CTL_TOOLS_START = 4096,  /* start the MCP servers enabled and not running yet */
	CTL_TOOL_ALWAYS = 8192,  /* save ctl.tools->always in config.json tools.always_allow */
	CTL_TOOL_RUN = 16384,    /* run ctl.tools->run, answer ctl_tool_done */
	CTL_TOOL_STOP = 32768,   /* stop the call running (its end comes as ctl_tool_done) */
	CTL_KEY_STORE = 65536,   /* store the key typed for /key (ctl_key_to_store), answer
				  * ctl_key_stored */
};

enum ctl_state {
	CTL_IDLE,
	CTL_CONNECTING, /* request sent, nothing back yet */
	CTL_THINKING,   /* reasoning text arriving */
	CTL_STREAMING,  /* answer text arriving */
	CTL_STALLED,
	CTL_RETRYING,   /* waiting to try again (429, 5xx, a network error) */
	CTL_STOPPED,
	CTL_ERROR,
};

/* The outside world, as the controller asks it (tui.c gives the real one, tests a fake).
 * Lines in e are one line each, unsanitised. */
/* A file waiting to go with the next message (shown as a chip above the input). */
struct ctl_chip {
	char sha256[65];
	char *name;
	char *media_type;
	long long size;
};

struct ctl_world {
	void *ctx;
	/* A new empty conversation; an existing one by id or unique prefix (0, 1 opened
	 * read-only with e saying why, -1 with e); closing one (saving what is unsaved);
	 * deleting one's file (0, or -1 with e, the conversation still open). */
	int (*conv_new)(void *ctx, struct chat **out, struct err *e);
	int (*conv_open)(void *ctx, const char *id, struct chat **out, struct err *e);
	void (*conv_close)(void *ctx, struct chat *c);
	int (*conv_delete)(void *ctx, struct chat *c, struct err *e);
	/* Every conversation, newest first (free with histstore_entries_free); an id from
	 * an id or unique prefix. 0 or -1 with e. */
	int (*conv_list)(void *ctx, struct hist_entry **v, size_t *n, struct err *e);
	int (*conv_resolve)(void *ctx, const char *prefix, char id[HIST_ID_MAX + 1], struct err *e);
	/* The models to offer (app_known_models), freed with models_free. 0 or -1. */
	int (*models)(void *ctx, char ***list, size_t *n);
	void (*models_free)(void *ctx, char **list, size_t n);
	/* "provider/model" (app_resolve_model): 0, or -1 with e. */
	int (*resolve_model)(void *ctx, const char *spec, struct provider **p, const char **model,
			     struct err *e);
	/* The provider's key is in its environment variable (choosing a first model). */
	int (*has_env_key)(void *ctx, const struct provider *p);
	/* Searching every conversation (histsearch.h), in steps so that the screen never
	 * waits long: start (a search under way is dropped; 0, or -1 with e), a step over
	 * at most max_files conversations with each hit to fn (1: more to do, 0: done),
	 * and stop. */
	int (*search_start)(void *ctx, const char *text, struct err *e);
	int (*search_step)(void *ctx, size_t max_files, histsearch_fn fn, void *fn_ctx,
			   size_t *done, size_t *total);
	void (*search_stop)(void *ctx);
	/* Attachments (ctl_attach.c; NULL: the shell takes none). A file for the next
	 * message, ~ expanded, read, its kind checked and stored: 0 with *out filled (the
	 * controller frees name and media_type), or -1 with e. The words a path typed so
	 * far completes to (each as typed, a directory ending in '/'), freed by the
	 * controller: 0, or -1. The stored files of rq's messages in ch put beside rq,
	 * checked against rq's provider and model; *keep is what the body points into,
	 * freed with attach_release after the request: 0, or -1 with e. */
	void *attach_ctx;         /* the context of these */
	int (*attach_file)(void *ctx, const char *path, struct ctl_chip *out, struct err *e);
	/* 1 when path (~ expanded) names a regular file (a pasted path is offered). */
	int (*attach_exists)(void *ctx, const char *path);
	/* Pasted text kept as a file named name, as attach_file would. */
	int (*attach_text)(void *ctx, const char *name, const char *text, size_t len,
			   struct ctl_chip *out, struct err *e);
	int (*attach_complete)(void *ctx, const char *word, char ***words, size_t *n);
	int (*attach_request)(void *ctx, const struct chat *ch, struct wire_request *rq,
			      void **keep, struct err *e);
	void (*attach_release)(void *keep);
	/* The list read again in steps, between keys (NULL, or -1: conv_list at once): 0
	 * when it began; the shell then gives what it read through ctl_list_replace and
	 * ctl_list_reading(c, 0). 1: the shell knew what changed since it was read and
	 * gave that through ctl_list_changed: the list is current now. */
	int (*list_refresh)(void *ctx);
	/* Whether a request to the provider would find a key without one typed
	 * (keyring_has): 1 yes, 0 no, -1 not known (a vault not unlocked yet). NULL: its
	 * environment variable alone tells (has_env_key). */
	int (*has_key)(void *ctx, const struct provider *p);
};

enum ctl_overlay_kind {
	CTL_OV_NONE, CTL_OV_HELP, CTL_OV_MODELS, CTL_OV_SWITCHER,
	CTL_OV_SEARCH, /* every conversation searched: items "ID\tMSGID", filter the text */
	CTL_OV_FILES,  /* a file for the next message: items paths as typed, labels names */
	CTL_OV_TOOL,   /* a tool call asked about or running (MODE_TOOLS): lines, scrolled */
};

/* The help screen, picker and switcher: a filtered list drawn over the chat. */
struct ctl_overlay {
	enum ctl_overlay_kind kind;
	struct buf filter;
	char **items;       /* all items (help: lines) */
	char **labels;      /* what is shown for each (NULL: items) */
	size_t nitems, cap;
	size_t *match;      /* indexes of items passing the filter */
	size_t nmatch;
	size_t looked;      /* items the last filtering looked at */
	size_t sel;         /* index into match */
	size_t top;         /* first shown row */
	unsigned char *marked; /* the model picker: items marked (Space), nitems of them */
	size_t nmarked;
	size_t needs_key;   /* the model picker: items from needs_key - 1 on need a key
			     * (0: none) */
	int from_list;      /* the switcher: items are the list's ids (not owned: made
			     * again when the list changes), labels made as drawn
			     * (ctl_overlay_label), so 100,000 conversations cost no
			     * copy of each when it opens */
};
/* What row k of the overlay shows, appended to out (the switcher's made from the list). */
struct ctl;
void ctl_overlay_label(const struct ctl *c, size_t k, struct buf *out);

/* An answer being streamed; several stream at once (in one conversation, models side
 * by side, and in others). */
struct ctl_stream {
	unsigned long id;         /* the shell names it by this in events (from 1) */
	struct chat *chat;        /* the conversation it belongs to */
	size_t answer;            /* its index in chat->conv.msgs */
	long view_msg;            /* its message in the view while shown, else -1 */
	char spec[160];           /* "provider/model" */
	double started;           /* the shell's monotonic time */
	double first;             /* first delta, < 0 before */
	double last_delta;
	long deltas;              /* text and reasoning deltas: a token estimate */
	int stop_requested;
	int stop_sent;            /* the shell was told (ctl_streams_to_stop) */
	int start_wanted;         /* the shell is to start it (ctl_streams_to_start) */
	int held;                 /* over network.max_streams: starts when another ends */
	int col;                  /* its column while answers are side by side, else -1 */
	enum ctl_state state;     /* CTL_CONNECTING .. CTL_RETRYING */
	double rate;              /* tokens/s */
	double retry_left;        /* CTL_RETRYING: seconds until the next attempt */
	int retry_attempt, retry_max;
};

#define CTL_PENDING_TOOLS 2

/* A send (or retry) waiting for its key. */
/* At most this many models are asked at once by one message ("@a @b question"). */
#define CTL_MAX_MODELS 8

/* ctl_cols.sel: the question above the answers side by side is selected. */
#define CTL_SEL_QUESTION (-2)
/* Answers whose key was refused, remembered for their footer's hint (ctl.keyfail). */
#define CTL_KEYFAIL 8
/* At most this many answers to one message have a tab in the strip. */
#define CTL_MAX_TABS 64

/* Several answers to the last message (ctl_layout.c): side by side in columns when the
 * chat is wide enough for each (columns.h), else the one shown under a tab strip. */
struct ctl_cols {
	int one_at_a_time;        /* the user chose tabs (F9 toggles) */
	size_t n;                 /* columns shown, 0: the single view */
	struct view *v[CTL_MAX_MODELS];
	size_t msg[CTL_MAX_MODELS]; /* each column's answer in shown->conv.msgs */
	size_t cur;               /* the column of the answer the branch goes on from */
	long sel;                 /* MODE_SELECT side by side: the column whose answer is
				   * selected, CTL_SEL_QUESTION the question, else -1 */
	size_t question;          /* the question they answer, in shown->conv.msgs */
	int w;                    /* each column's width */
	struct buf strip;         /* the tab strip ("" none: fewer than two answers) */
	size_t strip_off, strip_len; /* its current tab */
	int apart;                /* side by side, each scrolls on its own (S-F9) */
	size_t top[CTL_MAX_MODELS]; /* apart: each column's first shown line, */
	unsigned char follow[CTL_MAX_MODELS]; /* and whether it follows its end */
	size_t ntabs;             /* the strip's tabs (0 while side by side): each one's */
	size_t tab_msg[CTL_MAX_TABS]; /* answer, and the strip's bytes up to its end */
	size_t tab_end[CTL_MAX_TABS];
	int stale;                /* worked out again at the next settle */
};

/* A send (or retry) waiting for its key; with several models, one key after another
 * (specs[next] is the one looked up now). */
struct ctl_pending {
	int retry;                /* 0: send text; 1: ask again; CTL_PENDING_TOOLS: the
				   * next answer of a tool turn */
	int queued;               /* it was queued: the input and the prompt ring have it */
	struct chat *chat;        /* the conversation it goes to (NULL: the shown one) */
	struct buf text;          /* the prompt (valid UTF-8) */
	char spec[160];           /* "provider/model" it goes to; model points into it */
	struct provider *prov;
	const char *model;
	int active;
	size_t retry_at;          /* a retry under user message retry_at - 1; 0: the last */
	char specs[CTL_MAX_MODELS][160]; /* every model asked; nspecs 0: just spec */
	size_t nspecs, next;
	size_t skip;              /* bytes of text before the prompt (the @mentions) */
	size_t user;              /* the user message the first answer went under */
	size_t first_answer;      /* that answer (made current when all have started) */
	int held;                 /* the shell holds it before its key (ctl_pending_hold) */
	unsigned long held_line;  /* a hash of the line saying so (taken away when released) */
};

/* Find in the chat (MODE_FIND, ctl_find.c): the view lines holding the text; with
 * answers side by side, the lines of every column, column by column. */
struct ctl_find {
	struct buf query;
	size_t *lines;            /* matching view lines, ascending (in each column) */
	size_t *cols;             /* side by side: the column of each (else unused) */
	size_t n, cap;
	size_t colfirst[CTL_MAX_MODELS + 1]; /* column k's: lines[colfirst[k]..colfirst[k+1]) */
	size_t ncols;             /* the columns counted (1: the single view) */
	size_t cur;               /* the current match: an index into lines */
	int have_cur;
	char where[160];          /* where it is, for the find line ("in 2/3 hello"), or "" */
};

/* The search of every conversation under way (CTL_OV_SEARCH, ctl_find.c). */
struct ctl_search {
	int running;
	size_t done, total;       /* conversations read, and to read */
	size_t hits;
	char text[128];           /* what is searched for */
};

/* Tokens and cost (ctl_select.c), settled after every event for the status line. */
struct ctl_totals {
	long next_tokens;         /* the next request's input, estimated as bytes / 4 */
	long in, out;             /* tokens of every answer of the conversation (-1: none known) */
	double cost;              /* USD of those whose model has a price in config.json */
	int priced;               /* answers that had a price */
	/* what they were counted from (ctl_moves_settle): the conversation but the texts
	 * of its answers, which alone grow while they stream */
	unsigned long long print;
	size_t base;              /* the next request's bytes, but the leaf's and the input's */
	int counted;
	unsigned long recounts;   /* times they were counted (each walks the conversation) */
};

/* A message sent while an answer streamed: it goes when the answer ends. */
struct ctl_queued {
	struct chat *chat;        /* the streaming conversation it was written in */
	char *text;               /* valid UTF-8 */
	char spec[160];           /* the model chosen when it was written */
};

enum ctl_key_result {
	CTL_KEY_OK,               /* the shell holds the key: go on */
	CTL_KEY_MISSING,          /* no key (e says which variable or command) */
	CTL_KEY_NEED_PASSPHRASE,  /* the vault must be unlocked by the user */
	CTL_KEY_WRONG_PASSPHRASE, /* that passphrase was wrong: ask again */
	CTL_KEY_FAILED,           /* the vault cannot be opened (e) */
};

struct ctl {
	const struct config *cfg; /* read only */
	struct ctl_world world;
	struct input_map keys;
	struct edit *ed;
	enum input_mode mode;
	struct chat *shown;       /* the conversation on screen (never NULL once started) */
	struct ctl_stream **streams; /* the answers streaming, oldest first */
	size_t nstreams;
	unsigned long stream_ids; /* the last id given */
	char (*unread)[HIST_ID_MAX + 1]; /* conversations with answers not seen yet */
	size_t nunread;
	struct ctl_pending pending;
	struct ctl_queued *queue; /* oldest first */
	size_t nqueue;
	struct view *view;

	char model[160];          /* "provider/model" for the next message; "" none */
	int fav_index;            /* position in favorites, -1 when the model is not one */
	json_t *temperature;      /* from /assistant, NULL: the provider's default (not owned) */

	enum ctl_state state;
	struct wire_usage usage;  /* of the last finished answer */
	double ttft;              /* of the last answer, < 0 unknown */
	double rate;              /* tokens/s of the current or last stream */
	double retry_left;        /* CTL_RETRYING: seconds until the next attempt */
	int retry_attempt, retry_max;
	char message[512];        /* transient status text, "" none */
	double message_until;     /* expiry (monotonic); 0: until the next key */
	char proxy[128];          /* the proxy host shown in the status line, "" none */
	int history_readonly;     /* the history cannot be written: the status line says so */

	struct hist_entry *list;  /* the conversation list, newest first */
	size_t nlist, list_sel, list_top;
	int show_list;            /* the user wants the list (F3) */
	int list_visible;         /* and the terminal is wide enough */
	double list_drawn_wall;   /* the minute its ages were last drawn for */
	int list_reading;         /* the shell is still reading the list (ctl_list_reading) */
	char *switcher_wait;      /* the switcher asked for meanwhile: its filter ("" none) */
	char (*gone)[HIST_ID_MAX + 1]; /* deleted by this run: a list read before lacks them */
	size_t ngone;
	char (*touched)[HIST_ID_MAX + 1]; /* changed by this run: its entries stand */
	size_t ntouched;

	struct ctl_overlay ov;
	struct ctl_cols lay;
	int chat_top;             /* rows of the chat pane above the chat lines (the strip) */

	/* scrolling: follow the bottom, or keep top_line */
	int follow;
	size_t top_line;
	int more_below;            /* the chat goes on below the shown lines */

	/* geometry, from ctl_resize and the input's height */
	int rows, cols;
	int chat_x, chat_w, chat_h, input_h;
	size_t input_top;         /* first shown row of the wrapped input */

	/* the passphrase prompt (MODE_PASSPHRASE, also /key's): typed bytes in guarded memory */
	char *pw;
	size_t pw_len;
	size_t pw_chars;          /* characters typed: one bullet each */
	size_t pw_max;            /* bytes it takes */
	int pw_over;              /* more than that was typed */
	const char *pw_prompt;
	struct ctl_keyflow *keyflow; /* /key under way (ctl_key.c), else NULL */
	int confirm_key;          /* MODE_CONFIRM asks to store a key its variable overrides */
	int msg_rows;             /* rows the message takes above the status line when it is
				   * longer than the status line has room for (0: on it) */

	int in_paste;
	int settle_owed;          /* keys of a paste not settled yet (ctl_frame) */
	struct ctl_chip *chips;   /* files for the next message (ctl_attach.c) */
	size_t nchips;
	size_t paste_from;        /* the cursor when a paste began */
	int confirm_attach;       /* MODE_CONFIRM asks to attach: 1 a pasted path, 2 pasted text */
	struct buf offer;         /* that path, or that text */
	int welcome;              /* the welcome text is shown */
	char welcome_keyed[96];   /* the providers with a key but no model known, "fo and fa"
				   * ("": none; the welcome then asks for a key) */
	size_t welcome_nkeyed;    /* how many */
	int quit;
	double now;               /* the time of the event being handled (monotonic) */
	double wall;              /* and the calendar time, for the conversation files */
	char today[16];           /* "YYYY-MM-DD" for {{date}} (the shell sets it) */

	/* what a reaction works on */
	struct buf out_text;      /* CTL_COPY, CTL_EDITOR, CTL_EXPORT */
	struct buf out_path;      /* CTL_EXPORT */

	/* the everyday moves (ctl_select.c, ctl_find.c) */
	size_t *vmap;             /* view message -> its index in shown->conv.msgs (SIZE_MAX:
				   * cherry's own text); vmap_n entries */
	size_t vmap_n, vmap_cap;
	long ctx_view;            /* the first view message after a context break; the ones
				   * before it are not sent (dimmed); -1 none */
	struct chat *edit_chat;   /* the conversation of the message being edited */
	long edit_msg;            /* its index in edit_chat's messages, -1: no edit */
	long edit_pos;            /* its place on the branch, from 1, as the screen says */
	long sel;                 /* MODE_SELECT: the selected view message, -1 none */
	long code_msg;            /* the message whose code block code_last was copied by */
	size_t code_last;         /* M-c (or C), 0: the last key was another */
	long retry_msg;           /* the user message to ask again when the picker chooses */
	int confirm_msg;          /* MODE_CONFIRM asks about deleting the selected message */
	struct ctl_find find;
	struct ctl_search search;
	struct ctl_totals totals;

	struct ctl_tools *tools;  /* the tool loop (ctl_tools.h) */
	/* the answers whose key was refused in this run ("CONV/MSG", the last CTL_KEYFAIL):
	 * their footer says to check the key, not to retry */
	char keyfail[CTL_KEYFAIL][2 * HIST_ID_MAX + 2];
	size_t nkeyfail;

	int dirty;                /* CTL_DIRTY_* since the last frame */
	int react;                /* reactions of the event being handled */
};

struct ctl_start {
	const char *model;        /* -m */
	const char *assistant;    /* -a */
	const char *conversation; /* -c, else the last conversation (may be NULL) */
	int conversation_given;   /* -c was given: failing to open it is fatal */
};

/* Sets up the state (keys from config.json "keys", warnings to warn). 0 or -1 (OOM). */
int ctl_init(struct ctl *c, const struct config *cfg, const struct ctl_world *w, struct edit *ed,
	     input_warn_fn warn, void *warn_ctx);
void ctl_free(struct ctl *c);
/* Opens the first conversation and chooses the model. 0, or -1 with e (a -c that
 * cannot be opened, no conversation at all). Reactions go to *react. */
int ctl_begin(struct ctl *c, const struct ctl_start *o, double now, double wall, int *react,
	      struct err *e);
/* Reads the conversation list (after the first frame: it can take a while). */
int ctl_load_list(struct ctl *c);
/* The list as the shell read it so far (newest first; the controller owns v now): the
 * selection stays on the conversation it was on, else on the one shown. Conversations
 * this run changed keep their fresher entries. */
void ctl_list_replace(struct ctl *c, struct hist_entry *v, size_t n);
/* The shell has begun reading the list (1; what it has read so far comes through
 * ctl_list_replace) or has read it whole (0, after the last ctl_list_replace). Meanwhile
 * what needs the whole list waits for it: the switcher (and /open by title) opens when it
 * is read, unless another overlay or question came first. */
void ctl_list_reading(struct ctl *c, int reading);
/* What changed since the list was read, as the shell learnt it (histwatch.h): the
 * conversations ids (nids of them) changed on disk; v (n of them, the controller's now)
 * are the entries of those still there, put in their places; the others leave the list.
 * Conversations this run changed keep their entries, as with ctl_list_replace. */
void ctl_list_changed(struct ctl *c, const char (*ids)[HIST_ID_MAX + 1], size_t nids,
		      struct hist_entry *v, size_t n);
/* 1 when this run changed conversation id (its entry is the controller's own). */
int ctl_list_mine(const struct ctl *c, const char *id);

/* Events. Each returns reactions. */
int ctl_key(struct ctl *c, input_key k, double now, double wall);
/* Before the shell draws: what keys left unsettled (a paste's characters settle once,
 * at its end or here, not one by one) is made consistent for drawing. */
void ctl_frame(struct ctl *c);
int ctl_action(struct ctl *c, enum input_action a, double now, double wall);
int ctl_resize(struct ctl *c, int rows, int cols);
int ctl_timer(struct ctl *c, double now, double wall);
/* A delta of stream id (reasoning: of its reasoning). Called from inside a transfer: it
 * touches memory only. An id no longer streaming is ignored, in all of these. */
int ctl_delta(struct ctl *c, unsigned long id, const char *s, size_t len, int reasoning,
	      double now, double wall);
/* n deltas of stream id of the same kind at once, s their text joined: the chat is laid
 * out once for them all (a shell gives a transfer's slice of deltas so: a long answer in
 * many small deltas is not laid out again for each). */
int ctl_deltas(struct ctl *c, unsigned long id, const char *s, size_t len, int reasoning, long n,
	       double now, double wall);
/* Stream id's transfer waits to try again (waiting: left seconds, then attempt of max),
 * or it stopped waiting (waiting 0). */
int ctl_stream_waiting(struct ctl *c, unsigned long id, int waiting, double left, int attempt,
		       int max);
/* Stream id ended; o says how. */
int ctl_stream_end(struct ctl *c, unsigned long id, const struct outcome *o, double now,
		   double wall);
/* Every stream stops (on the way out): those waiting for a free slot end at once. */
int ctl_stop_all(struct ctl *c, double now, double wall);
/* The answer to CTL_NEED_KEY or CTL_UNLOCK. */
int ctl_key_result(struct ctl *c, enum ctl_key_result r, const struct err *e, double now,
		   double wall);
/* $EDITOR came back: text (NULL when it failed: error says why). */
int ctl_editor_done(struct ctl *c, const char *text, size_t len, const char *error);
/* The known models changed (a background fetch ended): an open picker shows them. */
int ctl_models_changed(struct ctl *c);
/* The shell holds the message about to go (CTL_NEED_KEY) until what it needs is ready
 * (an MCP server starting, a PDF's text): why is shown, and Esc drops the message (it
 * stays in the input). why NULL: held no more (the shell looks for its key now, when
 * ctl.pending.active still says it goes). */
void ctl_pending_hold(struct ctl *c, const char *why);
/* A line from the shell for the status line (a failed save, an export's result). */
int ctl_note(struct ctl *c, const char *line);
/* Info text at the end of the chat (config warnings, notices). */
void ctl_info(struct ctl *c, const char *header, const char *text, int error);

/* /key (ctl_key.c). For CTL_KEY_STORE: the provider whose key is stored, the key, and
 * the passphrase typed for the vault (NULL: none yet, the shell says which is needed;
 * *create: a new vault's, typed twice), valid until the next event. */
const char *ctl_key_to_store(const struct ctl *c, const char **key, size_t *key_len,
			     const char **pass, size_t *pass_len, int *create);
enum ctl_store_result {
	CTL_STORED,
	CTL_STORE_NEED_PASSPHRASE, /* a vault exists: its passphrase */
	CTL_STORE_NEED_NEW,        /* there is none: a new passphrase, typed twice */
	CTL_STORE_WRONG,           /* that passphrase was wrong: ask again */
	CTL_STORE_FAILED,          /* e says why; nothing was stored */
};
/* The answer to CTL_KEY_STORE. */
int ctl_key_stored(struct ctl *c, enum ctl_store_result r, const struct err *e, double now,
		   double wall);
/* The question of MODE_CONFIRM when the provider's variable holds a key (confirm_key). */
void ctl_key_question(const struct ctl *c, struct buf *out);
/* The status line's start (" model · state · 2 queued · tools"), and the columns the
 * status line has for it and what follows (the rest shows "F1 help"). */
void ctl_status_head(const struct ctl *c, struct buf *out);
int ctl_status_room(int cols);
/* The whole status line into out (replaced), sanitised as drawn: the head, then the
 * message when it fits there, else the details that fit in room columns
 * (ctl_status_room): the first-token time goes first, then the last answer's tokens,
 * then the estimate; the proxy in use is never left out. */
void ctl_status_line(const struct ctl *c, int room, struct buf *out);

/* The typed passphrase (for CTL_UNLOCK), valid until the next event. */
const char *ctl_passphrase(const struct ctl *c, size_t *len);
/* The request for stream id: provider and the wire request to send. 0, or -1 with e. */
int ctl_stream_request(const struct ctl *c, unsigned long id, struct provider **prov,
		       struct wire_http *req, struct err *e);
/* For CTL_START and CTL_STOP: the ids of the streams to start (or to cancel), at most max
 * into ids; each is named once. The count. */
size_t ctl_streams_to_start(struct ctl *c, unsigned long *ids, size_t max);
size_t ctl_streams_to_stop(struct ctl *c, unsigned long *ids, size_t max);
/* The stream by id, or NULL; the stream shown (its answer in the view), or NULL. */
struct ctl_stream *ctl_stream_by_id(const struct ctl *c, unsigned long id);
const struct ctl_stream *ctl_stream_shown(const struct ctl *c);
/* For the list: conversation id streams (1), has answers not read yet (2), or 0. */
int ctl_conv_mark(const struct ctl *c, const char *id);
/* The question of MODE_CONFIRM when it offers to attach (confirm_attach). */
void ctl_attach_question(const struct ctl *c, struct buf *out);
/* The chips line above the input ("📎 build.log 12 KB · ✕  …"), "" when none. */
void ctl_chips_text(const struct ctl *c, struct buf *out);
/* Seconds until ctl_timer is due (message expiry, the streaming tick), -1: none. */
double ctl_next_timer(const struct ctl *c, double now);
/* For drawing: is view line `line` a match of the find (0 no, 1 yes, 2 the current
 * one); is view message msg before a context break (1: dimmed, not sent); the status
 * line's totals ("~120 tok next · $0.0031") into out. */
int ctl_find_mark(const struct ctl *c, size_t line);
/* The same for line `line` of column k of the answers side by side. */
int ctl_find_mark_col(const struct ctl *c, size_t k, size_t line);
/* The first body line shown of column k (apart or together): the row under its header
 * shows its view's line COLS_HEAD + that. */
size_t ctl_col_top(const struct ctl *c, size_t k);
int ctl_msg_dimmed(const struct ctl *c, size_t msg);
void ctl_totals_text(const struct ctl *c, struct buf *out);
/* How long ago then was, from now (calendar seconds), in at most 4 columns: "now",
 * "5m", "3h", "2d", "6w", "11mo", "2y". */
void ctl_age(double then, double now, char out[8]);
/* The state word of the status line ("streaming 12 tok/s"). */
const char *ctl_state_word(const struct ctl *c, char *tmp, size_t tmpsz);

#endif
