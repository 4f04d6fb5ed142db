/* columns: several answers laid out together: widths, the tab strip (pure). */
#include "cherry/columns.h"

#include <stdint.h>
#include <string.h>

#include "cherry/sanitize.h"
#include "cherry/text.h"
#include "cherry/utf8.h"

int cols_width(int width, size_t n)
{
	if (n < 2 || n > 64)
		return 0;
	int w = (width - (int)(n - 1) * COLS_GAP) / (int)n;
	return w >= COLS_MIN_WIDTH ? w : 0;
}

int cols_x(int colw, size_t k)
{
	return (int)k * (colw + COLS_GAP);
}

size_t cols_lines(struct view *const *v, size_t n)
{
	size_t most = 0;
	for (size_t k = 0; k < n; k++) {
		size_t l = v[k] ? view_lines(v[k]) : 0;
		if (l > most)
			most = l;
	}
	return most;
}

/* name cut to at most max columns ("…" the last of them when cut). */
static int add_cut(struct buf *out, const char *name, int max)
{
	int w = text_width(name, strlen(name));
	if (w <= max)
		return buf_append_str(out, name);
	size_t len = strlen(name), i = 0;
	int used = 0;
	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(name + i, len - i, &cp);
		int cw = text_width(name + i, k);
		if (used + cw > max - 1)
			break;
		used += cw;
		i += k;
	}
	if (buf_append(out, name, i) < 0)
		return -1;
	return buf_append_str(out, "\xe2\x80\xa6");
}

/* The strip with names cut to max columns; others: the same for the tabs but the
 * current one (0: those show their number and mark only). */
static int strip_with(const struct cols_tab *t, size_t n, size_t cur, int max, int others,
		      struct buf *out, size_t *cur_off, size_t *cur_len, size_t *ends)
{
	buf_reset(out);
	struct buf name = BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (i)
			r |= buf_append_str(out, " \xc2\xb7 ");
		size_t from = out->len;
		int room = i == cur ? max : others;
		r |= buf_printf(out, "%zu/%zu", i + 1, n);
		if (room) {
			buf_reset(&name);
			sanitize_string(t[i].name ? t[i].name : "?",
					t[i].name ? strlen(t[i].name) : 1, &name);
			r |= buf_append_char(out, ' ');
			r |= add_cut(out, name.data ? name.data : "", room);
		}
		if (t[i].mark != ' ')
			r |= buf_append_char(out, t[i].mark);
		if (ends)
			ends[i] = out->len;
		if (i == cur) {
			*cur_off = from;
			*cur_len = out->len - from;
		}
	}
	buf_free(&name);
	return r < 0 ? -1 : 0;
}

int cols_strip(const struct cols_tab *t, size_t n, size_t cur, int width, struct buf *out,
	       size_t *cur_off, size_t *cur_len, size_t *ends)
{
	*cur_off = *cur_len = 0;
	int longest = 1;
	for (size_t i = 0; i < n; i++) {
		int w = t[i].name ? text_width(t[i].name, strlen(t[i].name)) : 1;
		if (w > longest)
			longest = w;
	}
	/* the widest cut that fits; below 6 columns a name says little: the other tabs
	 * show their numbers only and the current one keeps what room there is (4 columns
	 * at least, else its number only too) */
	for (int max = longest, others = 1;; max--) {
		if (others && max < 6 && max < longest) {
			others = 0;
			max = longest;
		}
		if (!others && max < 4)
			max = 0; /* the current one by its number too */
		if (strip_with(t, n, cur, max, others ? max : 0, out, cur_off, cur_len, ends) < 0)
			return -1;
		int w = text_width(out->data ? out->data : "", out->len);
		if (w <= width || (!others && !max))
			return 0;
	}
}
