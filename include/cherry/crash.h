/* crash: fatal-signal handlers that restore the terminal, leave an anonymous crash
 * record for the local report (privacy.c folds it in on the next run), print one
 * line and die with the same signal. */
#ifndef CHERRY_CRASH_H
#define CHERRY_CRASH_H

#include "cherry/err.h"

/* Called first in the handler; must use async-signal-safe calls only (e.g. write
 * the terminal's reset sequences to a saved fd). The full-screen client registers one. */
typedef void (*crash_restore_fn)(void);

/* Installs handlers for SIGSEGV, SIGBUS, SIGABRT, SIGFPE and SIGILL (on an
 * alternate stack) and prepares the record's path in $XDG_STATE_HOME/cherry.
 * Call once, early. 0, or -1 with e set (cherry can run on without it). */
int crash_install(struct err *e);
void crash_set_restore(crash_restore_fn fn);

#endif
