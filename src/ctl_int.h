/* ctl_int: what the controller's files share: ctl.c (events, sending, streams, timers,
 * geometry), ctl_conv.c (the view, the list, models, conversations), ctl_keys.c (the
 * action handlers and the modes) and ctl_cmds.c (the slash commands). Nothing else
 * includes this. */
#ifndef CHERRY_CTL_INT_H
#define CHERRY_CTL_INT_H

#include "cherry/ctl.h"

/* ctl_conv.c */
void ctl_pick_initial_model(struct ctl *c, const char *opt_model);

/* ctl.c */
void ctl_message(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_rebuild_view(struct ctl *c);
void ctl_refresh_list(struct ctl *c);
void ctl_list_touch(struct ctl *c, const struct chat *ch);
int ctl_set_model(struct ctl *c, const char *spec, int announce);
void ctl_new_conversation(struct ctl *c);
void ctl_open_conversation(struct ctl *c, const char *id);
void ctl_request_send(struct ctl *c, const char *text, size_t len);
void ctl_request_retry(struct ctl *c);
void ctl_unqueue(struct ctl *c, const char *why);
void ctl_stop(struct ctl *c);
int ctl_busy(struct ctl *c);
void ctl_switch_sibling(struct ctl *c, int dir);
void ctl_copy_answer(struct ctl *c);
void ctl_scroll_by(struct ctl *c, long delta);
void ctl_ask_delete(struct ctl *c);
void ctl_delete_confirmed(struct ctl *c);
void ctl_show_chat(struct ctl *c, struct chat *ch);
int ctl_models(struct ctl *c, char ***list, size_t *n);
void ctl_models_free(struct ctl *c, char **list, size_t n);

/* ctl_keys.c */
int ctl_dispatch(struct ctl *c, input_key k);
void ctl_do_action(struct ctl *c, enum input_action a);
void ctl_overlay_close(struct ctl *c);
void ctl_open_help(struct ctl *c);
void ctl_open_model_picker(struct ctl *c, const char *filter);
void ctl_open_switcher(struct ctl *c, const char *filter);
void ctl_passphrase_begin(struct ctl *c, const char *prompt);
void ctl_passphrase_end(struct ctl *c);
int ctl_contains_icase(const char *hay, const char *needle);

/* ctl_cmds.c */
void ctl_run_command(struct ctl *c, const char *line);
void ctl_complete(struct ctl *c);
void ctl_use_assistant(struct ctl *c, const char *name);

#endif
