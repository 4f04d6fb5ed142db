/* loop: signals become bytes on a self-pipe, so the one wait (curl_multi_poll
 * in http.c, with this pipe and stdin as extra descriptors) sees them. */
#ifndef CHERRY_LOOP_H
#define CHERRY_LOOP_H

#include "cherry/err.h"

/* Installs handlers for the given signals (0-terminated list); each handler
 * only writes the signal number to the pipe. Also ignores SIGPIPE and SIGXFSZ. */
int loop_signals_init(const int *signals, struct err *e);
/* The read end of the pipe, for the wait. */
int loop_signal_fd(void);
/* The next pending signal number, or 0 when none is pending. Never blocks. */
int loop_signal_next(void);

#endif
