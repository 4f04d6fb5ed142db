/* htmlexport: a conversation as one self-contained, escaped HTML page (pure). */
#include <md4c-html.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cherry/attach.h"
#include "cherry/htmlexport.h"
#include "cherry/sanitize.h"

/* The screen's extensions, and raw HTML taken as text: an answer's <script> or
 * <img onerror> is shown, never obeyed. */
#define EXPORT_MD_FLAGS                                                                 \
	(MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS |                    \
	 MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_LATEXMATHSPANS | MD_FLAG_NOHTML)

/* Small, readable in light and dark, nothing fetched. */
static const char style[] =
	"body{font:16px/1.5 system-ui,sans-serif;max-width:52em;margin:2em auto;"
	"padding:0 1em;color:#222;background:#fff}\n"
	"header h1{font-size:1.5em}\n"
	".msg{border-top:1px solid #ccc;padding:.5em 0}\n"
	".who{font-size:.85em;color:#666;margin:0}\n"
	".plain{white-space:pre-wrap}\n"
	".user .body{white-space:pre-wrap;background:#f4f4f8;padding:.5em;border-radius:4px}\n"
	"pre{background:#f6f6f6;padding:.6em;overflow-x:auto}\n"
	"code{font-family:ui-monospace,monospace;font-size:.92em}\n"
	"blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1em;color:#555}\n"
	"table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .5em}\n"
	"details{color:#666;margin:.5em 0}\n"
	".files img{max-width:100%;max-height:24em}\n"
	"@media (prefers-color-scheme:dark){body{color:#ddd;background:#181818}"
	".user .body,pre{background:#262626}.who,details{color:#999}"
	"a{color:#8ab4f8}}\n";

int htmlexport_escape(const char *s, size_t len, struct buf *out)
{
	/* Sanitised first: no escape sequence or C1 control survives to a terminal
	 * that `cat`s the file, and what remains is valid UTF-8. */
	struct buf safe = BUF_INIT;
	if (sanitize_string(s ? s : "", s ? len : 0, &safe) < 0) {
		buf_free(&safe);
		return -1;
	}
	int bad = 0;
	size_t from = 0;
	for (size_t i = 0; i < safe.len; i++) {
		const char *ref = NULL;
		switch (safe.data[i]) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		default: continue;
		}
		bad |= buf_append(out, safe.data + from, i - from);
		bad |= buf_append_str(out, ref);
		from = i + 1;
	}
	if (safe.len > from)
		bad |= buf_append(out, safe.data + from, safe.len - from);
	buf_free(&safe);
	return bad ? -1 : 0;
}

static int escape_str(const char *s, struct buf *out)
{
	return htmlexport_escape(s, s ? strlen(s) : 0, out);
}

struct md_out {
	struct buf *out;
	int bad;
};

static void md_write(const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	struct md_out *o = userdata;
	o->bad |= buf_append(o->out, text, size);
}

/* 1 when the URL at u (as md4c wrote it into an attribute) would run code. */
static int url_runs_code(const char *u, size_t n)
{
	static const char *const schemes[] = {"javascript:", "vbscript:", "data:", NULL};
	for (size_t k = 0; schemes[k]; k++) {
		size_t sl = strlen(schemes[k]);
		if (n >= sl && !strncasecmp(u, schemes[k], sl))
			return 1;
	}
	return 0;
}

/* md4c's own markup, after it: an image becomes a link to it (a page that fetches
 * nothing), a link to code goes nowhere. Safe to scan as text: with MD_FLAG_NOHTML every
 * '<' from the answer is &lt; and every '"' in an attribute is &quot;, so "<img src=\""
 * and "<a href=\"" can only be md4c's. */
static int defang(const char *h, size_t len, struct buf *out)
{
	static const char img[] = "<img src=\"", alt[] = "\" alt=\"", a[] = "<a href=\"";
	int bad = 0;
	size_t i = 0, from = 0;
	while (i < len) {
		const char *rest = h + i;
		size_t left = len - i;
		if (left > sizeof img && !memcmp(rest, img, sizeof img - 1)) {
			const char *u = rest + sizeof img - 1;
			const char *ue = memchr(u, '"', (size_t)(h + len - u));
			const char *close = ue ? memchr(ue, '>', (size_t)(h + len - ue)) : NULL;
			if (!close)
				break;
			const char *t = "", *te = t;
			if (!strncmp(ue, alt, sizeof alt - 1)) {
				t = ue + sizeof alt - 1;
				te = memchr(t, '"', (size_t)(close - t));
				if (!te)
					te = t;
			}
			bad |= buf_append(out, h + from, i - from);
			if (url_runs_code(u, (size_t)(ue - u)))
				bad |= buf_append_str(out, "<a class=\"image\" href=\"#\">image: ");
			else {
				bad |= buf_append_str(out, "<a class=\"image\" href=\"");
				bad |= buf_append(out, u, (size_t)(ue - u));
				bad |= buf_append_str(out, "\">image: ");
			}
			bad |= buf_append(out, t, (size_t)(te - t));
			bad |= buf_append_str(out, "</a>");
			i = from = (size_t)(close - h) + 1;
			continue;
		}
		if (left > sizeof a && !memcmp(rest, a, sizeof a - 1)) {
			const char *u = rest + sizeof a - 1;
			const char *ue = memchr(u, '"', (size_t)(h + len - u));
			if (!ue)
				break;
			if (url_runs_code(u, (size_t)(ue - u))) {
				bad |= buf_append(out, h + from, i - from);
				bad |= buf_append_str(out, "<a href=\"#");
				from = (size_t)(ue - h);
			}
			i = (size_t)(ue - h);
			continue;
		}
		i++;
	}
	bad |= buf_append(out, h + from, len - from);
	return bad ? -1 : 0;
}

/* Markdown through md4c's renderer, after the sanitiser (md4c escapes < > & " in
 * text; control characters it would pass through as they are). */
static int markdown_html(const char *s, struct buf *out)
{
	struct buf safe = BUF_INIT;
	if (sanitize_string(s ? s : "", s ? strlen(s) : 0, &safe) < 0) {
		buf_free(&safe);
		return -1;
	}
	struct buf html = BUF_INIT;
	struct md_out o = {&html, 0};
	int rc = md_html(safe.data ? safe.data : "", (MD_SIZE)safe.len, md_write, &o,
			 EXPORT_MD_FLAGS, MD_HTML_FLAG_SKIP_UTF8_BOM);
	buf_free(&safe);
	if (!rc && !o.bad && html.len)
		rc = defang(html.data, html.len, out);
	buf_free(&html);
	return rc != 0 || o.bad ? -1 : 0;
}

/* A message's attachments: a list of names linked to the stored files, each image shown
 * (a data: URL, which the page's policy allows for images and nothing else). */
static int attachments_html(const struct hist_msg *m, const struct htmlexport_files *f,
			    struct buf *out)
{
	int bad = m->natt ? buf_append_str(out, "<ul class=\"files\">\n") : 0;
	for (size_t i = 0; i < m->natt; i++) {
		const struct hist_att *a = &m->att[i];
		struct buf d = BUF_INIT, img = BUF_INIT;
		bad |= attach_describe(a->name, a->media_type, a->size, &d);
		bad |= buf_append_str(out, "<li>");
		if (f && f->dir) {
			bad |= buf_append_str(out, "<a href=\"file://");
			bad |= escape_str(f->dir, out);
			bad |= buf_printf(out, "/%s\">", a->sha256);
		}
		bad |= htmlexport_escape(d.data, d.len, out);
		bad |= buf_append_str(out, f && f->dir ? "</a>" : "");
		if (f && f->load && !strncmp(a->media_type, "image/", 6) &&
		    f->load(f->ctx, a, &img) == 0) {
			const char *type;
			/* the bytes say what they are, not the stored type */
			if (attach_sniff((const unsigned char *)img.data, img.len, &type) ==
			    ATTACH_IMAGE) {
				bad |= buf_printf(out, "<br><img alt=\"\" src=\"data:%s;base64,", type);
				bad |= attach_base64((const unsigned char *)img.data, img.len, out);
				bad |= buf_append_str(out, "\">");
			}
		}
		bad |= buf_append_str(out, "</li>\n");
		buf_free(&d);
		buf_wipe_free(&img);
	}
	return bad | (m->natt ? buf_append_str(out, "</ul>\n") : 0);
}

static int message_html(const struct hist_msg *m, const struct htmlexport_files *f,
			struct buf *out)
{
	int user = !strcmp(m->role, "user");
	char when[32] = "";
	if (m->created > 0)
		hist_format_time(m->created, when);
	int bad = buf_append_str(out, user ? "<section class=\"msg user\">\n<p class=\"who\">"
					   : "<section class=\"msg assistant\">\n<p class=\"who\">");
	bad |= escape_str(user ? "You" : !strcmp(m->role, "assistant") ? "Assistant" : m->role,
			  out);
	if (!user && m->model) {
		bad |= buf_append_str(out, " · ");
		if (m->provider) {
			bad |= escape_str(m->provider, out);
			bad |= buf_append_char(out, '/');
		}
		bad |= escape_str(m->model, out);
	}
	if (when[0])
		bad |= buf_printf(out, " · <time>%s</time>", when);
	if (m->status != HIST_COMPLETE) {
		bad |= buf_append_str(out, " · ");
		bad |= escape_str(hist_status_name(m->status), out);
	}
	bad |= buf_append_str(out, "</p>\n");
	if (m->reasoning && m->reasoning[0]) {
		bad |= buf_append_str(out, "<details class=\"reasoning\"><summary>Reasoning"
					   "</summary>\n");
		bad |= markdown_html(m->reasoning, out);
		bad |= buf_append_str(out, "</details>\n");
	}
	bad |= attachments_html(m, f, out);
	if (user) { /* as typed: the screen shows it that way too */
		bad |= buf_append_str(out, "<div class=\"body\">");
		bad |= escape_str(m->content, out);
		bad |= buf_append_str(out, "</div>\n");
	} else {
		bad |= buf_append_str(out, "<div class=\"body\">\n");
		bad |= markdown_html(m->content, out);
		bad |= buf_append_str(out, "</div>\n");
	}
	if (m->error) {
		bad |= buf_append_str(out, "<p class=\"error\">");
		bad |= escape_str(m->error, out);
		bad |= buf_append_str(out, "</p>\n");
	}
	if (m->note) {
		bad |= buf_append_str(out, "<p class=\"note\">");
		bad |= escape_str(m->note, out);
		bad |= buf_append_str(out, "</p>\n");
	}
	return bad | buf_append_str(out, "</section>\n");
}

int htmlexport_conv(const struct hist_conv *c, const struct htmlexport_files *files,
		    struct buf *out)
{
	size_t *idx, n;
	if (hist_branch(c, &idx, &n) < 0)
		return -1;
	const char *title = c->title && c->title[0] ? c->title : "(untitled)";
	/* default-src 'none': no script (javascript: links included), no image, font or
	 * style from elsewhere; only the stylesheet below and the attachments' images,
	 * which are in the page as data: URLs. */
	int bad = buf_append_str(out,
		"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; img-src data:\">\n"
		"<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	bad |= escape_str(title, out);
	bad |= buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>",
			  style);
	bad |= escape_str(title, out);
	bad |= buf_append_str(out, "</h1>\n");
	if (c->model) {
		bad |= buf_append_str(out, "<p class=\"who\">");
		bad |= escape_str(c->model, out);
		bad |= buf_append_str(out, "</p>\n");
	}
	bad |= buf_append_str(out, "</header>\n");
	if (c->system) {
		bad |= buf_append_str(out, "<details class=\"system\"><summary>System prompt"
					   "</summary>\n<div class=\"body plain\">");
		bad |= escape_str(c->system, out);
		bad |= buf_append_str(out, "</div></details>\n");
	}
	for (size_t i = 0; i < n; i++)
		bad |= message_html(&c->msgs[idx[i]], files, out);
	free(idx);
	return bad | buf_append_str(out, "</body>\n</html>\n");
}
