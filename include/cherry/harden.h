/* harden: process set-up that must happen before any secret exists. */
#ifndef CHERRY_HARDEN_H
#define CHERRY_HARDEN_H

#include "cherry/err.h"

/* Called first thing in main: initialises libsodium, makes jansson wipe every
 * block it frees, turns core dumps off and makes the process non-dumpable
 * (which also keeps other processes of the same user from ptrace-attaching
 * and from reading /proc/PID/environ). Returns 0, or -1 with e set when
 * libsodium cannot start (the only failure that matters). */
int harden_process(struct err *e);

/* Only the jansson allocator part, for tests and tools that need wiping
 * without the rest. Safe to call more than once. */
void harden_json_alloc(void);

/* In a forked child before exec: every signal back to its default and none blocked
 * (an ignored SIGPIPE or a blocked signal would survive exec). */
void harden_child_signals(void);

#endif
