/* hyperlink: OSC 8 sequences from a checked URI, and whether the terminal gets them
 * (pure: the environment comes through a function). */
#include "cherry/hyperlink.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const schemes[] = {"http://", "https://", "mailto:"};

/* A byte kept as it is in a URI: printable ASCII but for ';' (a parameter separator to
 * some parsers) and '\' (half of ST); everything else is percent-encoded. */
static int plain(unsigned char c)
{
	return c > 0x20 && c < 0x7F && c != ';' && c != '\\';
}

int hyperlink_uri(const char *url, size_t n, struct buf *out)
{
	size_t scheme = 0;
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0] && !scheme; i++)
		if (n >= strlen(schemes[i]) && !strncasecmp(url, schemes[i], strlen(schemes[i])))
			scheme = strlen(schemes[i]);
	if (!scheme || n == scheme || n > HYPERLINK_MAX)
		return 1;
	size_t need = 0;
	for (size_t i = 0; i < n; i++)
		need += plain((unsigned char)url[i]) ? 1 : 3;
	if (need > HYPERLINK_MAX)
		return 1;
	if (buf_reserve(out, need + 1) < 0)
		return -1;
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (plain(c)) {
			buf_append_char(out, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_append(out, e, 3);
		}
	}
	return 0;
}

int hyperlink_open(struct buf *out, const char *uri, size_t n)
{
	if (!n || n > HYPERLINK_MAX)
		return 1;
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		if (!plain((unsigned char)uri[i]))
			return 1;
		h = (h ^ (unsigned char)uri[i]) * 16777619u;
	}
	if (buf_printf(out, "\033]8;id=cherry-%08x;", (unsigned)h) < 0 ||
	    buf_append(out, uri, n) < 0 || buf_append_str(out, "\033\\") < 0)
		return -1;
	return 0;
}

int hyperlink_close(struct buf *out)
{
	return buf_append_str(out, "\033]8;;\033\\");
}

static int is(const char *v, const char *want)
{
	return v && !strcmp(v, want);
}

/* "3.4", "3.3a", "next-3.5": major * 100 + minor, or -1. */
static int version(const char *v)
{
	while (v && *v && (*v < '0' || *v > '9'))
		v++;
	if (!v || !*v)
		return -1;
	char *end;
	long major = strtol(v, &end, 10), minor = 0;
	if (*end == '.')
		minor = strtol(end + 1, NULL, 10);
	return major < 0 || major > 1000 || minor < 0 || minor > 99 ? -1 : (int)(major * 100 + minor);
}

int hyperlink_wanted(const char *setting, const char *(*env)(const char *name))
{
	if (is(setting, "on"))
		return 1;
	if (is(setting, "off"))
		return 0;
	if (setting && !is(setting, "auto"))
		return -1;
	const char *force = env("FORCE_HYPERLINK");
	if (force && *force)
		return strcmp(force, "0") != 0;
	const char *term = env("TERM"), *prog = env("TERM_PROGRAM");
	/* a multiplexer stands between: what the terminal outside supports is not known,
	 * and only tmux 3.4 and later pass the links on */
	if (env("TMUX") || (term && (!strncmp(term, "tmux", 4) || !strncmp(term, "screen", 6))))
		return is(prog, "tmux") && version(env("TERM_PROGRAM_VERSION")) >= 304;
	static const char *const progs[] = {"iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper",
					    "terminology"};
	for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
		if (is(prog, progs[i]))
			return 1;
	static const char *const terms[] = {"xterm-kitty", "xterm-ghostty", "alacritty",
					    "alacritty-direct", "foot", "foot-extra", "wezterm"};
	for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++)
		if (is(term, terms[i]))
			return 1;
	if (env("KITTY_WINDOW_ID") || env("WT_SESSION") || env("KONSOLE_VERSION") ||
	    env("DOMTERM") || is(env("COLORTERM"), "xfce4-terminal"))
		return 1;
	const char *vte = env("VTE_VERSION"); /* 0.50.0 is 5000 */
	return vte && strtol(vte, NULL, 10) >= 5000;
}
