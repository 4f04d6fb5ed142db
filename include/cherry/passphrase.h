/* passphrase: where the vault passphrase (and a typed API key) comes from:
 * --passphrase-fd, vault.passphrase_command, CHERRY_PASSPHRASE, the full-screen
 * client's own prompt, or the terminal with echo off. */
#ifndef CHERRY_PASSPHRASE_H
#define CHERRY_PASSPHRASE_H

#include <stddef.h>

#include "cherry/err.h"
#include "cherry/secret.h"

/* Longest passphrase (or line) read from any source, in bytes. */
#define PASSPHRASE_MAX 1024

/* The sources the user chose (the options and config); the environment and the
 * terminal need no option. */
struct passphrase_opts {
	int passphrase_fd;               /* --passphrase-fd N; -1 when not given */
	const char *passphrase_command;  /* vault.passphrase_command; NULL when unset */
};

enum passphrase_use {
	PASSPHRASE_UNLOCK, /* the vault's current passphrase */
	PASSPHRASE_CREATE, /* a new vault's passphrase (asked twice when typed) */
	PASSPHRASE_CHANGE, /* the new passphrase for `key passwd` (asked twice when typed) */
};

/* Asks the user for one line without showing it, inside the caller's own
 * screen. Returns 0 with *out, or -1 with e set (cancelled: EXIT_VAULT or
 * EXIT_INTERRUPTED). */
typedef int (*passphrase_prompt_fn)(void *ctx, const char *prompt, struct secret **out,
				    struct err *e);
/* The full-screen client installs its prompt here; NULL restores the terminal. */
void passphrase_set_prompt(passphrase_prompt_fn fn, void *ctx);

/* passphrase_get's answer when the two typed copies differ (or are empty): ask again. */
#define PASSPHRASE_RETRY (-2)

/* Gets one passphrase for use, trying in order: opts->passphrase_fd (the next
 * line), opts->passphrase_command (run by /bin/sh -c; its output, trimmed; with
 * CHERRY_PASSPHRASE_CHANGE=1 in its environment for PASSPHRASE_CHANGE),
 * CHERRY_PASSPHRASE (not for PASSPHRASE_CHANGE; one warning line on stderr),
 * the installed prompt, /dev/tty with echo off. *interactive is set when the
 * user was asked, so asking again after a wrong passphrase makes sense;
 * attempt > 0 tells the prompt that the last answer was wrong.
 * Returns 0 with *out, PASSPHRASE_RETRY, or -1 with e set (EXIT_VAULT,
 * EXIT_INTERRUPTED). For PASSPHRASE_CREATE and _CHANGE an empty passphrase
 * is refused. */
int passphrase_get(const struct passphrase_opts *opts, enum passphrase_use use, int attempt,
		   struct secret **out, int *interactive, struct err *e);
/* 1 when passphrase_get would ask the user (no descriptor, no command and, but
 * for PASSPHRASE_CHANGE, no CHERRY_PASSPHRASE), else 0. */
int passphrase_typed(const struct passphrase_opts *opts, enum passphrase_use use);

/* Reads one line from fd a byte at a time (so nothing after it is consumed),
 * without its newline (LF or CRLF), at most max bytes. Returns 0, 1 at end of
 * input with nothing read, -1 on error or an over-long line. */
int passphrase_read_line(int fd, size_t max, struct secret **out, struct err *e);

/* Asks on /dev/tty with echo off (prompt written to the terminal). Returns 0,
 * 1 when there is no terminal, -1 on error (EXIT_INTERRUPTED for Ctrl-C). */
int passphrase_read_tty(const char *prompt, size_t max, struct secret **out, struct err *e);

/* How long vault.passphrase_command may take (it may ask the user, e.g. pinentry). */
#define PASSPHRASE_COMMAND_TIMEOUT_MS (120 * 1000)

/* Runs cmd with /bin/sh -c (stdin from /dev/null, stderr inherited, no other
 * descriptor of cherry's) and returns the first line of its output with
 * surrounding white space trimmed. The shell must exit 0 within timeout_ms (it
 * is killed otherwise); what it leaves running in the background is not waited
 * for. change sets CHERRY_PASSPHRASE_CHANGE=1 for it. Returns 0 or -1 (EXIT_VAULT). */
int passphrase_from_command(const char *cmd, int change, int timeout_ms, struct secret **out,
			    struct err *e);

#endif
