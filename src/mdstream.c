/* mdstream: a streamed Markdown text cut into segments rendered once, with only the
 * open last one rendered again on each append (pure; mdstream.h says where it cuts). */
#include "cherry/mdstream.h"

#include <string.h>

void mdstream_init(struct mdstream *m)
{
	memset(m, 0, sizeof(*m));
}

void mdstream_free(struct mdstream *m)
{
	md_out_free(&m->out);
	mdstream_init(m);
}

static void reset_marks(struct mdstream *m)
{
	m->parity = 0;
	m->brackets = m->angles = 0;
}

/* Up to three spaces of indentation. */
static size_t indent(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] == ' ')
		i++;
	return i;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static int list_marker(const char *s, size_t n)
{
	if (n && (s[0] == '-' || s[0] == '+' || s[0] == '*'))
		return n == 1 || s[1] == ' ' || s[1] == '\t';
	size_t i = 0;
	while (i < n && i < 9 && s[i] >= '0' && s[i] <= '9')
		i++;
	return i && i < n && (s[i] == '.' || s[i] == ')') && (i + 1 == n || s[i + 1] == ' ');
}

/* "[label]: ..." at a line start. */
static int refdef(const char *s, size_t n)
{
	size_t i = indent(s, n);
	if (i >= n || s[i] != '[')
		return 0;
	for (size_t j = i + 1; j < n && j < i + 1000; j++) {
		if (s[j] == '\\') {
			j++;
			continue;
		}
		if (s[j] == '[')
			return 0;
		if (s[j] == ']')
			return j > i + 1 && j + 1 < n && s[j + 1] == ':';
	}
	return 0;
}

/* HTML blocks that a blank line does not end (CommonMark kinds 1 to 5). */
static const struct {
	const char *open, *close;
} html_kinds[] = {
	{"<script", "</script>"}, {"<pre", "</pre>"}, {"<style", "</style>"},
	{"<textarea", "</textarea>"}, {"<!--", "-->"}, {"<?", "?>"}, {"<![CDATA[", "]]>"},
	{"<!", ">"},
};

static int starts_icase(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	if (k > n)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return 0;
	}
	return 1;
}

static int contains(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	for (size_t i = 0; i + k <= n; i++)
		if (starts_icase(s + i, n - i, lit))
			return 1;
	return 0;
}

/* Carries the fence and HTML block state over the complete line s[0..n). */
static void block_state(struct mdstream *m, const char *s, size_t n)
{
	if (m->html) {
		if (contains(s, n, html_kinds[m->html - 1].close))
			m->html = 0;
		return;
	}
	size_t i = indent(s, n);
	const char *t = s + i;
	size_t tn = n - i;
	if (tn && (t[0] == '`' || t[0] == '~')) {
		size_t k = 0;
		while (k < tn && t[k] == t[0])
			k++;
		if (k >= 3) {
			if (!m->fence_ch) {
				m->fence_ch = t[0];
				m->fence_len = k;
				return;
			}
			if (t[0] == m->fence_ch && k >= m->fence_len && blank(t + k, tn - k)) {
				m->fence_ch = 0;
				return;
			}
		}
	}
	if (m->fence_ch || !tn || t[0] != '<')
		return;
	for (size_t h = 0; h < sizeof html_kinds / sizeof html_kinds[0]; h++)
		if (starts_icase(t, tn, html_kinds[h].open)) {
			if (!contains(t + strlen(html_kinds[h].open), tn - strlen(html_kinds[h].open),
				      html_kinds[h].close))
				m->html = (int)h + 1;
			return;
		}
}

static void count_marks(struct mdstream *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			i++;
			continue;
		}
		int bit = c == '`' ? 1 : c == '*' ? 2 : c == '_' ? 4 : c == '~' ? 8 : c == '$' ? 16 : 0;
		if (bit)
			m->parity ^= (unsigned)bit;
		else if (c == '[')
			m->brackets++;
		else if (c == ']' && m->brackets > 0)
			m->brackets--; /* a stray closer (a quote's '>') opens nothing */
		else if (c == '<')
			m->angles++;
		else if (c == '>' && m->angles > 0)
			m->angles--;
	}
}

enum { NO_CUT, CUT_BLOCK, CUT_FORCED };

/* A line that can only be paragraph text (or go on a paragraph). */
static int starter(const char *s, size_t n)
{
	unsigned char c = n ? (unsigned char)s[0] : 0;
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '[' || c == '(' || c == '"' || c == '\'' || c >= 0x80) &&
	       !list_marker(s, n) && !refdef(s, n);
}

/* Whether the complete line s[0..n) at offset at starts a new segment. */
static int cut_before(const struct mdstream *m, size_t at, const char *s, size_t n)
{
	if (m->refdef || m->fence_ch || m->html || at <= m->seg_start || !n)
		return NO_CUT;
	unsigned char c = (unsigned char)s[0];
	if (c == ' ' || c == '\t' || blank(s, n) || list_marker(s, n) || refdef(s, n))
		return NO_CUT;
	if (m->prev_blank)
		return CUT_BLOCK;
	size_t size = at - m->seg_start;
	/* a line ending in a backslash is a hard break only with its next line in the
	 * same segment: cut there, the backslash would show */
	if (size >= 2 && s[-2] == '\\')
		return NO_CUT;
	if (!starter(s, n) || m->prev_pipe || memchr(s, '|', n) ||
	    (size < MDSTREAM_FORCE && !m->seg_plain))
		return NO_CUT;
	int paired = !m->parity && !m->brackets && !m->angles;
	return paired || size >= MDSTREAM_FORCE_MAX ? CUT_FORCED : NO_CUT;
}

static int render_segment(struct mdstream *m, const char *text, size_t end, int width)
{
	md_out_rewind(&m->out, &m->frozen);
	return md_render(&m->out, text + m->seg_start, end - m->seg_start, width, m->seg_flags);
}

int mdstream_update(struct mdstream *m, const char *text, size_t len, int width)
{
	int rc = 0;
	const char *lf;
	while (m->scanned < len && (lf = memchr(text + m->scanned, '\n', len - m->scanned))) {
		size_t at = m->scanned, n = (size_t)(lf - text) - at;
		const char *s = text + at;
		int cut = cut_before(m, at, s, n);
		if (cut != NO_CUT) {
			if (render_segment(m, text, at, width) < 0)
				rc = -1;
			md_out_mark(&m->out, &m->frozen);
			m->seg_start = at;
			m->seg_flags = cut == CUT_FORCED ? MD_CONTINUES : 0;
			reset_marks(m);
		}
		/* plain while every line of it is a paragraph's */
		int plain = starter(s, n) && !memchr(s, '|', n);
		m->seg_plain = at == m->seg_start ? plain : m->seg_plain && plain;
		int outside = !m->fence_ch && !m->html;
		block_state(m, s, n);
		if (outside && !m->refdef && refdef(s, n)) {
			/* everything before may change: one segment from the start */
			m->refdef = 1;
			md_out_reset(&m->out);
			md_out_mark(&m->out, &m->frozen);
			m->seg_start = 0;
			m->seg_flags = 0;
		}
		count_marks(m, s, n);
		m->prev_blank = blank(s, n);
		m->prev_pipe = memchr(s, '|', n) != NULL;
		m->scanned = at + n + 1;
	}
	if (render_segment(m, text, len, width) < 0)
		rc = -1;
	return rc;
}

int mdstream_relayout(struct mdstream *m, const char *text, size_t len, int width)
{
	struct md_out keep = m->out;
	mdstream_init(m);
	m->out = keep;
	md_out_reset(&m->out);
	return mdstream_update(m, text, len, width);
}
