/* state: the full-screen client's small state files in $XDG_STATE_HOME/cherry (0600,
 * written atomically): the last conversation shown and the input-history ring. */
#ifndef CHERRY_STATE_H
#define CHERRY_STATE_H

#include "cherry/edit.h"
#include "cherry/err.h"
#include "cherry/history.h"

/* The conversation shown when the client last quit: 0 with id, 1 none (also when the
 * file does not hold an id), -1 error. Set: NULL or "" removes the file. 0 or -1. */
int state_last_get(char id[HIST_ID_MAX + 1]);
int state_last_set(const char *id);
/* Earlier prompts for Up/Down recall ("prompts.json", a JSON array, oldest first, at
 * most the ring's size). Load adds them to the ring: 0, also when there is no file; -1
 * error (e); a file that is not such an array is moved aside to "prompts.json.corrupt"
 * (replacing an older one there) and reported as -1, so the next save starts afresh.
 * Entries with control characters other than TAB and LF are skipped. */
int state_prompts_load(struct edit *ed, struct err *e);
int state_prompts_save(const struct edit *ed, struct err *e);

#endif
