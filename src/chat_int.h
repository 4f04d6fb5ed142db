/* chat_int: what chat.c (the session core) shares with chat_edit.c (the changes that
 * send nothing). Only chat*.c include this. */
#ifndef CHERRY_CHAT_INT_H
#define CHERRY_CHAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cherry/err.h"

/* No answer streams or is followed (stream, answer, jmsg). */
#define CHAT_NO_STREAM SIZE_MAX

struct chat;
/* chat_delta no longer keeps its place in msg (CHAT_NO_STREAM: in any answer). */
void chat_forget_pos(struct chat *c, size_t msg);

/* Says "out of memory" in e (after a line already there); -1. */
int chat_oom(struct err *e);

#endif
