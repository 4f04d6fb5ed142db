/* hyperlink: OSC 8 hyperlinks, built by cherry alone (pure). A link's target is the URL
 * the screen shows as text (never a link's other text: what is clicked is what is
 * read), re-checked here byte by byte: only http, https and mailto, every byte outside
 * printable ASCII, and ';' and '\', percent-encoded, at most HYPERLINK_MAX bytes; the
 * sequence's parameters are cherry's own ("id=" and a hash of the URI, so the pieces
 * of a wrapped URL light up together). Whether to emit them at all is a setting
 * ("ui": {"hyperlinks": "auto" | "on" | "off"}); auto trusts only terminals known to
 * support them, from their environment variables. */
#ifndef CHERRY_HYPERLINK_H
#define CHERRY_HYPERLINK_H

#include <stddef.h>

#include "cherry/buf.h"

/* VTE ignores a longer URI (2083 bytes); under that with room for encoding. */
#define HYPERLINK_MAX 2048

/* The URI an OSC 8 sequence may carry for url[0..n), appended to out: 0, 1 when the
 * URL is refused (another scheme, empty, too long; out unchanged), -1 out of memory. */
int hyperlink_uri(const char *url, size_t n, struct buf *out);
/* ESC ] 8 ; id=HASH ; URI ESC \ for a URI from hyperlink_uri (anything else is refused:
 * 1), appended to out. 0, 1, or -1 out of memory. */
int hyperlink_open(struct buf *out, const char *uri, size_t n);
/* ESC ] 8 ; ; ESC \ appended to out. 0 or -1. */
int hyperlink_close(struct buf *out);

/* Whether to emit hyperlinks: setting "on" or "off" decides; "auto" (or NULL) asks the
 * environment through env (getenv): FORCE_HYPERLINK=1/0, then inside tmux only tmux 3.4
 * or later (TERM_PROGRAM_VERSION; older ones drop them) and never screen, else kitty,
 * WezTerm, iTerm2, VS Code, Ghostty, foot, Alacritty, Windows Terminal, Konsole,
 * DomTerm, Hyper, terminology, xfce4-terminal and VTE 0.50 or later. xterm and unknown
 * terminals: no. 1 or 0; -1 for a setting that is none of the three. */
int hyperlink_wanted(const char *setting, const char *(*env)(const char *name));

#endif
