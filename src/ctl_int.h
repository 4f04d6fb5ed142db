/* ctl_int: what the controller's files share: ctl.c (events, timers, geometry),
 * ctl_send.c (sending, the queue, streams), ctl_conv.c (the view, the list, models,
 * conversations), ctl_keys.c (the action table and the chat's handlers), ctl_modes.c
 * (the overlays, the question, the passphrase prompt), ctl_select.c, ctl_find.c and
 * ctl_cmds.c (the slash commands). Nothing else includes this. */
#ifndef CHERRY_CTL_INT_H
#define CHERRY_CTL_INT_H

#include "cherry/ctl.h"
#include "cherry/ctl_tools.h"

/* ctl.c: the events, timers, geometry and scrolling */
void ctl_message(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The first key bound now to action a, for a message to name ("(unbound)" if none). */
struct ctl_keyname { char s[48]; };
struct ctl_keyname ctl_key_name(const struct ctl *c, enum input_action a);
void ctl_switch_sibling(struct ctl *c, int dir);
long ctl_last_answer(const struct ctl *c);
/* What a copy puts on the clipboard (OSC 52): s sanitised as for the screen (pasted into
 * a shell, an ESC [ 2 0 1 ~ in it would end the paste's brackets and run what follows;
 * security.md §6.5), tabs and newlines kept, into out_text with CTL_COPY set: 0. Over
 * CTL_COPY_MAX bytes, or out of memory: -1, the reason in the status line. */
#define CTL_COPY_MAX ((size_t)1 << 20)
int ctl_copy_set(struct ctl *c, const char *s, size_t len);
void ctl_copy_answer(struct ctl *c);
/* Message msg's code block 1 to the clipboard, or the one after the block copied last
 * when the key before was this one too (after the last: the first again); -1: none. */
void ctl_copy_code(struct ctl *c, long msg);
void ctl_copy_last_code(struct ctl *c);
void ctl_scroll_by(struct ctl *c, long delta);
/* the chat's first shown line and the more-below mark, for the lines there are now */
void ctl_settle_chat(struct ctl *c);
/* after every event: what drawing reads made consistent (geometry, scrolling) */
void ctl_settle(struct ctl *c);

/* ctl_send.c: sending, the queue, the held send and the streams */
void ctl_request_send(struct ctl *c, const char *text, size_t len);
void ctl_request_retry(struct ctl *c);
/* asking again under a given user message (retry_at: its index + 1; 0 the last) */
void ctl_request_retry_at(struct ctl *c, size_t retry_at);
/* the same as F5 does it for answer a (-1: none): with siblings, of a's own model */
void ctl_retry_answer(struct ctl *c, long a, size_t retry_at);
/* the same of one model, spec ("provider/model"), whichever is chosen */
void ctl_retry_model(struct ctl *c, const char *spec, size_t retry_at);
/* the same with every model of pending.specs (nspecs of them, set by the caller) */
void ctl_ask_models(struct ctl *c, size_t retry_at);
void ctl_unqueue(struct ctl *c, const char *why);
/* forgets the send held for the vault's passphrase */
void ctl_pending_clear(struct ctl *c);
/* Esc while the shell holds the message (ctl_pending_hold): dropped, 1; else 0. */
int ctl_pending_drop(struct ctl *c);
void ctl_stop(struct ctl *c);
void ctl_stop_stream(struct ctl *c, struct ctl_stream *st);
int ctl_busy(struct ctl *c);
/* the answer at index answer of ch starts streaming (c->pending names its model) */
void ctl_stream_begin(struct ctl *c, struct chat *ch, size_t answer);
/* the latest stream into ch, or NULL */
struct ctl_stream *ctl_stream_in(const struct ctl *c, const struct chat *ch);
/* What the user can do about the shown conversation's failed answer msg, after its
 * error line: its key refused in this run, check the key; else, while F5 asks it again
 * (it is the answer shown), " — F5 retries". */
void ctl_error_hint(const struct ctl *c, size_t msg, struct buf *out);

/* ctl_multi.c: several models and streams: "@model" mentions, the picker's marks, the
 * focused answer, unread conversations, the status of several streams */
/* Reads "@p/m @q/n " at the start of text into c->pending.specs (*skip: the bytes they
 * take). 0 (none is fine), -1 with a message (an unknown model, too many). */
int ctl_mentions(struct ctl *c, const char *text, size_t len, size_t *skip);
/* "@p/m @q/n " naming the models that answered the shown conversation's message user,
 * when they were several (their first CTL_MAX_MODELS), into out; else nothing. */
void ctl_mentions_of(const struct ctl *c, size_t user, struct buf *out);
void ctl_mark_unread(struct ctl *c, const char *id);
void ctl_forget_unread(struct ctl *c, const char *id);
void ctl_multi_free(struct ctl *c);
void ctl_h_pick_mark(struct ctl *c);
/* Tab after "@fo/" in the input: the model names */
void ctl_complete_mention(struct ctl *c);
void ctl_h_stop_one(struct ctl *c);
void ctl_h_best(struct ctl *c);
/* Enter in the model picker with models marked: each is asked (1), else 0 */
int ctl_pick_ask_marked(struct ctl *c);

/* ctl_conv.c: the view, the list, models, conversations */
void ctl_pick_initial_model(struct ctl *c, const char *opt_model);
void ctl_rebuild_view(struct ctl *c);
void ctl_refresh_list(struct ctl *c);
void ctl_list_touch(struct ctl *c, const struct chat *ch);
int ctl_set_model(struct ctl *c, const char *spec, int announce);
void ctl_new_conversation(struct ctl *c);
void ctl_open_conversation(struct ctl *c, const char *id);
void ctl_ask_delete(struct ctl *c);
void ctl_delete_confirmed(struct ctl *c);
void ctl_show_chat(struct ctl *c, struct chat *ch);
int ctl_models(struct ctl *c, char ***list, size_t *n);
void ctl_models_free(struct ctl *c, char **list, size_t n);
/* The world's has_key (its has_env_key when it has none): 1, 0, or -1 not known. */
int ctl_has_key(struct ctl *c, const struct provider *p);
/* With no model chosen, the first of p's models the list holds (after its key was
 * stored): 1 when one was chosen. */
int ctl_first_model_of(struct ctl *c, const struct provider *p);

/* ctl_attach.c: files for the next message */
int ctl_cmd_attach(struct ctl *c, const char *arg);
void ctl_attach_complete(struct ctl *c, const char *line, size_t len);
/* Backspace on an empty input drops the last chip: 1 when it did */
int ctl_attach_backspace(struct ctl *c);
/* no image chip for a model config.json says cannot see: 0, or -1 with e */
int ctl_attach_vision(const struct ctl *c, const struct provider *p, const char *model,
		      struct err *e);
/* the chips become user's attachments (0, or -1 OOM) */
int ctl_attach_apply(struct ctl *c, struct hist_msg *user);
void ctl_attach_footer(const struct hist_msg *m, struct buf *out);
void ctl_attach_free(struct ctl *c);
/* a paste ended: a file's path or a long text is offered as an attachment */
void ctl_attach_pasted(struct ctl *c);
/* the answer to that offer */
void ctl_attach_offer(struct ctl *c, int yes);
/* the file chooser (M-a): open it; an item chosen (a directory opens it in turn) */
void ctl_h_attach_file(struct ctl *c);
void ctl_attach_chosen(struct ctl *c, const char *path);

/* ctl_keys.c: the action table and the dispatch */
int ctl_dispatch(struct ctl *c, input_key k);
void ctl_do_action(struct ctl *c, enum input_action a);

/* ctl_modes.c: the overlays, the question and the passphrase prompt */
void ctl_overlay_close(struct ctl *c);
void ctl_open_help(struct ctl *c);
void ctl_open_model_picker(struct ctl *c, const char *filter);
void ctl_open_switcher(struct ctl *c, const char *filter);
/* The switcher over the list as it is (not read again). */
void ctl_switcher_from_list(struct ctl *c, const char *filter);
/* The list changed under an open switcher: its items made again, the filter applied and
 * the selection kept on sel (the id selected before the change: ctl_switcher_sel). */
void ctl_switcher_list_changed(struct ctl *c, const char *sel);
/* The id the open switcher has selected into sel ("" when none). */
void ctl_switcher_sel(const struct ctl *c, char sel[HIST_ID_MAX + 1]);
void ctl_passphrase_begin(struct ctl *c, const char *prompt);
/* the same prompt for a secret of at most max bytes (an API key is longer) */
void ctl_secret_begin(struct ctl *c, const char *prompt, size_t max);
void ctl_passphrase_end(struct ctl *c);
int ctl_contains_icase(const char *hay, const char *needle);
/* a typed character: into the picker's filter, into the passphrase */
void ctl_pick_type(struct ctl *c, input_key k);
void ctl_pass_type(struct ctl *c, input_key k);
void ctl_h_pick_up(struct ctl *c);
void ctl_h_pick_down(struct ctl *c);
void ctl_h_pick_page_up(struct ctl *c);
void ctl_h_pick_page_down(struct ctl *c);
void ctl_h_pick_choose(struct ctl *c);
void ctl_h_pick_erase(struct ctl *c);
void ctl_h_pick_clear(struct ctl *c);
void ctl_h_pick_close(struct ctl *c);
void ctl_h_help_up(struct ctl *c);
void ctl_h_help_down(struct ctl *c);
void ctl_h_help_page_up(struct ctl *c);
void ctl_h_help_page_down(struct ctl *c);
void ctl_h_confirm_yes(struct ctl *c);
void ctl_h_confirm_no(struct ctl *c);
void ctl_h_pass_enter(struct ctl *c);
void ctl_h_pass_erase(struct ctl *c);
void ctl_h_pass_clear(struct ctl *c);
void ctl_h_pass_cancel(struct ctl *c);

/* ctl_key.c: /key, an API key typed and stored in the vault */
enum { CTL_KEY_RESEND_NONE, CTL_KEY_RESEND_SEND, CTL_KEY_RESEND_RETRY };
/* asks for provider's key (env: the variable that holds one, asked about first; offered:
 * something found no key), then the message of resend goes again */
void ctl_key_begin(struct ctl *c, const char *provider, const char *env, int offered,
		   int resend, size_t retry_at);
void ctl_key_missing(struct ctl *c); /* ctl.pending found no key */
void ctl_key_offer(struct ctl *c, const char *spec); /* the picker chose a model needing one */
int ctl_cmd_key(struct ctl *c, const char *arg);
void ctl_key_enter(struct ctl *c);
void ctl_key_cancel(struct ctl *c);
void ctl_key_confirm(struct ctl *c, int yes);
void ctl_key_end(struct ctl *c); /* wipes what was typed */

/* ctl_conv.c, for the answer's header after its stream, and its footer */
void ctl_answer_header(const struct chat *ch, size_t i, struct buf *out);
/* The footer of the shown conversation's answer msg ended ("[stopped]", "[error: … —
 * F5 retries]"), under view message vm of v. */
void ctl_status_footer(const struct ctl *c, struct view *v, size_t vm, size_t msg);

/* ctl_layout.c: several answers side by side, or one under a tab strip */
void ctl_layout_stale(struct ctl *c);
void ctl_layout_settle(struct ctl *c);
void ctl_layout_delta(struct ctl *c, const struct ctl_stream *st, const char *s, size_t len,
		      int reasoning);
void ctl_layout_free(struct ctl *c);
void ctl_h_layout(struct ctl *c);
void ctl_h_scroll_apart(struct ctl *c);
/* Apart, column k scrolls by delta lines: 1, or 0 when they scroll together. */
int ctl_cols_scroll(struct ctl *c, size_t k, long delta);
/* The column keys scroll apart: the one selected, else the one gone on from. */
size_t ctl_cols_focus(const struct ctl *c);
/* The wheel over screen row y, column x, by delta lines: 1 when a column apart took it. */
int ctl_cols_wheel(struct ctl *c, int y, int x, long delta);
/* Apart: each column's first line and the more-below mark for the lines there are now
 * (1), or 0 when they scroll together. */
int ctl_cols_settle_tops(struct ctl *c);
/* Side by side: column k scrolled (apart, or all together) so that line of its view is
 * in sight, a third down (1; the header line is always); else 0. */
int ctl_cols_show_line(struct ctl *c, size_t k, size_t line);
/* the chat's lines in the layout shown, and the rows there are for them */
size_t ctl_chat_total(struct ctl *c);
size_t ctl_chat_rows(const struct ctl *c);

/* ctl_colmoves.c: selecting and clicking among answers side by side */
enum ctl_cols_move { COLS_UP, COLS_DOWN, COLS_FIRST, COLS_LAST, COLS_LEFT, COLS_RIGHT };
/* The message selected side by side (a column's answer, the question), or SIZE_MAX. */
size_t ctl_cols_sel_msg(const struct ctl *c);
/* Selects column k's answer, CTL_SEL_QUESTION, or nothing (-1) side by side. */
void ctl_cols_select(struct ctl *c, long k);
/* Selects msg where it is side by side: 1, or 0 when it is not shown so. */
int ctl_cols_select_msg(struct ctl *c, size_t msg);
/* A move of the selection side by side: 1 done, 0 when nothing is selected so. */
int ctl_cols_move(struct ctl *c, enum ctl_cols_move how);
/* A click at screen row y (in the chat pane), column x over the strip or the columns:
 * 1 when it was theirs. */
int ctl_cols_click(struct ctl *c, int y, int x);
void ctl_h_sel_keep(struct ctl *c);
/* "provider/model" of answer i of the conversation shown. */
void ctl_answer_name(const struct ctl *c, size_t i, char *out, size_t size);

/* ctl_modes.c, for the search overlay */
int ctl_overlay_push(struct ctl_overlay *o, const char *item, const char *label);
void ctl_overlay_ready(struct ctl *c, enum ctl_overlay_kind kind, const char *filter);

/* ctl_select.c: the view's map to the conversation, edit and resend, the selection and
 * its actions, context breaks, tokens and cost */
void ctl_map_reset(struct ctl *c);
void ctl_map_msg(struct ctl *c, long vm, size_t i);
void ctl_map_break(struct ctl *c, long vm);
void ctl_usage_text(const struct ctl *c, const struct hist_msg *m, struct buf *out);
void ctl_usage_header(struct ctl *c, const struct ctl_stream *st);
int ctl_send_chat(struct ctl *c, struct chat *ch, const char *prompt, size_t *answer,
		  struct err *e);
int ctl_edit_cancel(struct ctl *c);
void ctl_edit_forget(struct ctl *c);
void ctl_retry_picked(struct ctl *c);
void ctl_select_delete_confirmed(struct ctl *c);
void ctl_click(struct ctl *c, int y, int x);
void ctl_moves_settle(struct ctl *c);
void ctl_moves_free(struct ctl *c);
void ctl_h_edit_last(struct ctl *c);
void ctl_h_select(struct ctl *c);
void ctl_h_clear_context(struct ctl *c);
void ctl_h_sel_up(struct ctl *c);
void ctl_h_sel_down(struct ctl *c);
void ctl_h_sel_first(struct ctl *c);
void ctl_h_sel_last(struct ctl *c);
void ctl_h_sel_copy(struct ctl *c);
void ctl_h_sel_copy_code(struct ctl *c);
void ctl_h_sel_edit(struct ctl *c);
void ctl_h_sel_retry(struct ctl *c);
void ctl_h_sel_again(struct ctl *c);
void ctl_h_sel_delete(struct ctl *c);
void ctl_h_sel_branch(struct ctl *c);
void ctl_h_sel_context(struct ctl *c);
void ctl_h_sel_leave(struct ctl *c);
void ctl_h_sel_left(struct ctl *c);
void ctl_h_sel_right(struct ctl *c);
/* The conversation message selected, wherever it is shown, or SIZE_MAX. */
size_t ctl_sel_msg(const struct ctl *c);
/* The layout changed: the selection stays on msg where it is shown now, else it ends. */
void ctl_sel_follow(struct ctl *c, size_t msg);
int ctl_cmd_stats(struct ctl *c, const char *arg);

/* ctl_find.c: find in the chat, and the search of every conversation */
void ctl_h_find(struct ctl *c);
void ctl_h_find_next(struct ctl *c);
void ctl_h_find_prev(struct ctl *c);
void ctl_h_find_erase(struct ctl *c);
void ctl_h_find_clear(struct ctl *c);
void ctl_h_find_close(struct ctl *c);
void ctl_find_type(struct ctl *c, input_key k);
void ctl_find_settle(struct ctl *c);
void ctl_find_start(struct ctl *c, const char *text, long at_msg);
void ctl_h_search_history(struct ctl *c);
void ctl_search_changed(struct ctl *c);
void ctl_search_step(struct ctl *c);
void ctl_search_stop(struct ctl *c);
void ctl_search_open(struct ctl *c, const char *item);

/* ctl_cmds.c */
void ctl_run_command(struct ctl *c, const char *line);
void ctl_complete(struct ctl *c);
void ctl_use_assistant(struct ctl *c, const char *name);

#endif
