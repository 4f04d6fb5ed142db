/* edit: the multi-line input editor on code points, with Emacs actions, a kill buffer
 * and prompt-history recall (pure: no curses, no I/O). */
#include "cherry/edit.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/text.h"
#include "cherry/utf8.h"

/* The one place code-point arrays grow. */
static int cps_reserve(struct edit_cps *a, size_t extra)
{
	if (extra > ((size_t)-1 / sizeof(uint32_t)) - a->len)
		return -1;
	size_t need = a->len + extra;
	if (need <= a->cap)
		return 0;
	size_t cap = a->cap ? a->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1 / sizeof(uint32_t)) / 2 ? need : cap * 2;
	uint32_t *v = realloc(a->v, cap * sizeof(uint32_t));
	if (!v)
		return -1;
	a->v = v;
	a->cap = cap;
	return 0;
}

static int cps_insert(struct edit_cps *a, size_t at, const uint32_t *src, size_t n)
{
	if (!n)
		return 0; /* a->v may still be NULL */
	if (cps_reserve(a, n) < 0)
		return -1;
	memmove(a->v + at + n, a->v + at, (a->len - at) * sizeof(uint32_t));
	memcpy(a->v + at, src, n * sizeof(uint32_t));
	a->len += n;
	return 0;
}

static void cps_erase(struct edit_cps *a, size_t from, size_t to)
{
	memmove(a->v + from, a->v + to, (a->len - to) * sizeof(uint32_t));
	a->len -= to - from;
}

static void cps_free(struct edit_cps *a)
{
	free(a->v);
	a->v = NULL;
	a->len = a->cap = 0;
}

/* Appends UTF-8 as typed or pasted text: CR LF and CR become LF, other controls but
 * TAB go, invalid bytes become U+FFFD. */
static int cps_append_utf8(struct edit_cps *a, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		i += utf8_decode(s + i, len - i, &cp);
		if (cp == '\r') {
			if (i < len && s[i] == '\n')
				continue;
			cp = '\n';
		}
		if ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F))
			continue;
		if (cps_insert(a, a->len, &cp, 1) < 0)
			return -1;
	}
	return 0;
}

void edit_init(struct edit *e, size_t history_max)
{
	memset(e, 0, sizeof(*e));
	e->goal_col = -1;
	e->hist_max = history_max;
}

void edit_free(struct edit *e)
{
	cps_free(&e->text);
	cps_free(&e->kill);
	cps_free(&e->draft);
	for (size_t i = 0; i < e->hist_len; i++)
		free(e->history[i]);
	free(e->history);
	buf_free(&e->utf8);
	memset(e, 0, sizeof(*e));
	e->goal_col = -1;
}

/* ---- lines and clusters ---- */

static size_t line_start(const struct edit *e, size_t i)
{
	while (i > 0 && e->text.v[i - 1] != '\n')
		i--;
	return i;
}

static size_t line_end(const struct edit *e, size_t i)
{
	while (i < e->text.len && e->text.v[i] != '\n')
		i++;
	return i;
}

/* Code points in the cluster at t[0..n) (at least 1 when n > 0); *width as text.h. */
static size_t cluster_len(const uint32_t *t, size_t n, int *width)
{
	struct text_cluster c;
	size_t k = 1;
	text_cluster_start(&c, t[0]);
	while (k < n && text_cluster_extend(&c, t[k]))
		k++;
	*width = c.width;
	return k;
}

/* The first cluster boundary after i. Clusters never cross an LF. */
static size_t next_boundary(const struct edit *e, size_t i)
{
	if (i >= e->text.len)
		return e->text.len;
	size_t b = line_start(e, i);
	int w;
	while (b <= i)
		b += cluster_len(e->text.v + b, e->text.len - b, &w);
	return b;
}

/* The last cluster boundary before i. */
static size_t prev_boundary(const struct edit *e, size_t i)
{
	if (i == 0)
		return 0;
	size_t ls = line_start(e, i);
	if (ls == i)
		return i - 1; /* the LF ending the previous line */
	size_t b = ls, prev = ls;
	int w;
	while (b < i) {
		prev = b;
		b += cluster_len(e->text.v + b, e->text.len - b, &w);
	}
	return prev;
}

/* Display column of index i within its line: whole clusters before i, TAB expanded. */
static int column_of(const struct edit *e, size_t i)
{
	size_t b = line_start(e, i);
	int col = 0, w;
	while (b < i) {
		size_t n = cluster_len(e->text.v + b, e->text.len - b, &w);
		if (b + n > i)
			break;
		col += e->text.v[b] == '\t' ? text_tab_width(col) : w;
		b += n;
	}
	return col;
}

/* The index in line [from, to) drawn at column goal (the cluster covering it). */
static size_t index_of_column(const struct edit *e, size_t from, size_t to, int goal)
{
	size_t b = from;
	int col = 0, w;
	while (b < to) {
		size_t n = cluster_len(e->text.v + b, to - b, &w);
		if (e->text.v[b] == '\t')
			w = text_tab_width(col);
		if (col >= goal || col + w > goal)
			return b;
		col += w;
		b += n;
	}
	return to;
}

/* ---- words ---- */

static int is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xA0 || cp == 0x3000 ||
	       (cp >= 0x2000 && cp <= 0x200A);
}

/* Letters, digits and any other script's characters (CJK, emoji) make words;
 * spaces and punctuation do not. */
static int is_word(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ||
		       cp == '_';
	if (is_space(cp) || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xA1 && cp <= 0xBF) || cp == 0xD7 ||
	    cp == 0xF7)
		return 0;
	return 1;
}

static size_t word_forward(const struct edit *e, size_t i)
{
	while (i < e->text.len && !is_word(e->text.v[i]))
		i = next_boundary(e, i);
	while (i < e->text.len && is_word(e->text.v[i]))
		i = next_boundary(e, i);
	return i;
}

static size_t word_backward(const struct edit *e, size_t i)
{
	while (i > 0 && !is_word(e->text.v[prev_boundary(e, i)]))
		i = prev_boundary(e, i);
	while (i > 0 && is_word(e->text.v[prev_boundary(e, i)]))
		i = prev_boundary(e, i);
	return i;
}

/* ---- changes ---- */

static int insert_cps(struct edit *e, const uint32_t *src, size_t n)
{
	if (!n)
		return EDIT_UNCHANGED;
	if (cps_insert(&e->text, e->cursor, src, n) < 0)
		return EDIT_ERROR;
	e->cursor += n;
	return EDIT_OK;
}

/* Removes [from, to) into the kill buffer; a kill right after another adds to it,
 * after it when killing forward and before it when killing backward. */
static int kill_range(struct edit *e, size_t from, size_t to, int backward)
{
	if (from >= to)
		return EDIT_UNCHANGED;
	if (!e->last_was_kill)
		e->kill.len = 0;
	size_t at = backward ? 0 : e->kill.len;
	if (cps_insert(&e->kill, at, e->text.v + from, to - from) < 0)
		return EDIT_ERROR;
	cps_erase(&e->text, from, to);
	e->cursor = from;
	return EDIT_OK;
}

static int delete_range(struct edit *e, size_t from, size_t to)
{
	if (from >= to)
		return EDIT_UNCHANGED;
	cps_erase(&e->text, from, to);
	e->cursor = from;
	return EDIT_OK;
}

static int move_to(struct edit *e, size_t i)
{
	if (i == e->cursor)
		return EDIT_UNCHANGED;
	e->cursor = i;
	return EDIT_OK;
}

static int move_vertical(struct edit *e, int down)
{
	size_t ls = line_start(e, e->cursor), le = line_end(e, e->cursor);
	if (!down && ls == 0)
		return EDIT_AT_FIRST_LINE;
	if (down && le == e->text.len)
		return EDIT_AT_LAST_LINE;
	if (e->goal_col < 0)
		e->goal_col = column_of(e, e->cursor);
	size_t from = down ? le + 1 : line_start(e, ls - 1);
	size_t to = down ? line_end(e, le + 1) : ls - 1;
	e->cursor = index_of_column(e, from, to, e->goal_col);
	return EDIT_OK;
}

/* Replaces the text with entry s (history) or with saved code points. */
static int load_utf8(struct edit *e, const char *s)
{
	struct edit_cps tmp = {NULL, 0, 0};
	if (cps_append_utf8(&tmp, s, strlen(s)) < 0) {
		cps_free(&tmp);
		return EDIT_ERROR;
	}
	cps_free(&e->text);
	e->text = tmp;
	e->cursor = e->text.len;
	return EDIT_OK;
}

static int history_older(struct edit *e)
{
	if (e->hist_pos == 0 || e->hist_len == 0)
		return EDIT_UNCHANGED;
	if (e->hist_pos == e->hist_len) {
		e->draft.len = 0;
		if (cps_insert(&e->draft, 0, e->text.v, e->text.len) < 0)
			return EDIT_ERROR;
		e->draft_cursor = e->cursor;
	}
	if (load_utf8(e, e->history[e->hist_pos - 1]) < 0)
		return EDIT_ERROR;
	e->hist_pos--;
	return EDIT_OK;
}

static int history_newer(struct edit *e)
{
	if (e->hist_pos >= e->hist_len)
		return EDIT_UNCHANGED;
	if (e->hist_pos + 1 < e->hist_len) {
		if (load_utf8(e, e->history[e->hist_pos + 1]) < 0)
			return EDIT_ERROR;
		e->hist_pos++;
		return EDIT_OK;
	}
	struct edit_cps old = e->text;
	e->text = e->draft;
	e->cursor = e->draft_cursor;
	e->draft = old;
	e->draft.len = 0;
	e->hist_pos = e->hist_len;
	return EDIT_OK;
}

static int insertable(uint32_t ch)
{
	if (ch == '\n' || ch == '\t')
		return 1;
	return ch >= 0x20 && !(ch >= 0x7F && ch <= 0x9F) && !(ch >= 0xD800 && ch <= 0xDFFF) &&
	       ch <= 0x10FFFF;
}

static int apply(struct edit *e, enum edit_action action, uint32_t ch)
{
	size_t cur = e->cursor, len = e->text.len;
	switch (action) {
	case EDIT_INSERT:
		return insertable(ch) ? insert_cps(e, &ch, 1) : EDIT_UNCHANGED;
	case EDIT_NEWLINE:
		ch = '\n';
		return insert_cps(e, &ch, 1);
	case EDIT_LINE_START:
		return move_to(e, line_start(e, cur));
	case EDIT_LINE_END:
		return move_to(e, line_end(e, cur));
	case EDIT_BACK_CHAR:
		return move_to(e, prev_boundary(e, cur));
	case EDIT_FORWARD_CHAR:
		return move_to(e, next_boundary(e, cur));
	case EDIT_BACK_WORD:
		return move_to(e, word_backward(e, cur));
	case EDIT_FORWARD_WORD:
		return move_to(e, word_forward(e, cur));
	case EDIT_KILL_LINE_END: {
		size_t le = line_end(e, cur);
		return kill_range(e, cur, le == cur && le < len ? le + 1 : le, 0);
	}
	case EDIT_KILL_LINE_START: {
		size_t ls = line_start(e, cur);
		return kill_range(e, ls == cur && ls > 0 ? ls - 1 : ls, cur, 1);
	}
	case EDIT_KILL_WORD_BACK: {
		size_t i = cur;
		while (i > 0 && is_space(e->text.v[i - 1]))
			i--;
		while (i > 0 && !is_space(e->text.v[i - 1]))
			i--;
		return kill_range(e, i, cur, 1);
	}
	case EDIT_KILL_WORD_FORWARD:
		return kill_range(e, cur, word_forward(e, cur), 0);
	case EDIT_YANK:
		return insert_cps(e, e->kill.v, e->kill.len);
	case EDIT_DELETE_CHAR:
		return delete_range(e, cur, next_boundary(e, cur));
	case EDIT_BACKSPACE:
		return delete_range(e, prev_boundary(e, cur), cur);
	case EDIT_UP:
		return move_vertical(e, 0);
	case EDIT_DOWN:
		return move_vertical(e, 1);
	case EDIT_TEXT_START:
		return move_to(e, 0);
	case EDIT_TEXT_END:
		return move_to(e, len);
	case EDIT_HISTORY_OLDER:
		return history_older(e);
	case EDIT_HISTORY_NEWER:
		return history_newer(e);
	case EDIT_CLEAR:
		e->text.len = 0;
		e->cursor = 0;
		e->draft.len = 0;
		e->hist_pos = e->hist_len;
		return EDIT_OK;
	}
	return EDIT_UNCHANGED;
}

/* What a selection does to an action: typing replaces it, deleting removes it, and
 * anything else ends it. Returns the action's result when the selection was its whole
 * effect (Backspace, Delete), else -2 to go on. */
static int selection_first(struct edit *e, enum edit_action action)
{
	if (!e->has_sel)
		return -2;
	e->has_sel = 0;
	if (e->sel >= e->cursor)
		return -2;
	switch (action) {
	case EDIT_INSERT:
	case EDIT_NEWLINE:
	case EDIT_YANK:
		delete_range(e, e->sel, e->cursor);
		return -2;
	case EDIT_BACKSPACE:
	case EDIT_DELETE_CHAR:
		return delete_range(e, e->sel, e->cursor);
	default:
		return -2;
	}
}

int edit_apply(struct edit *e, enum edit_action action, uint32_t ch)
{
	int done = selection_first(e, action);
	if (done != -2)
		return done;
	int vertical = action == EDIT_UP || action == EDIT_DOWN;
	int kill = action == EDIT_KILL_LINE_END || action == EDIT_KILL_LINE_START ||
		   action == EDIT_KILL_WORD_BACK || action == EDIT_KILL_WORD_FORWARD;
	int r = apply(e, action, ch);
	if (!vertical)
		e->goal_col = -1;
	/* a failed kill keeps the run going; anything else ends it */
	e->last_was_kill = kill && (r == EDIT_OK || (r == EDIT_UNCHANGED && e->last_was_kill));
	return r;
}

int edit_insert_utf8(struct edit *e, const char *s, size_t len)
{
	struct edit_cps tmp = {NULL, 0, 0};
	int r = EDIT_ERROR;
	selection_first(e, EDIT_INSERT);
	if (cps_append_utf8(&tmp, s, len) == 0)
		r = insert_cps(e, tmp.v, tmp.len);
	cps_free(&tmp);
	e->goal_col = -1;
	e->last_was_kill = 0;
	return r;
}

int edit_set_text(struct edit *e, const char *s, size_t len)
{
	struct edit_cps tmp = {NULL, 0, 0};
	if (cps_append_utf8(&tmp, s, len) < 0) {
		cps_free(&tmp);
		return -1;
	}
	cps_free(&e->text);
	e->text = tmp;
	e->cursor = tmp.len;
	e->has_sel = 0;
	e->goal_col = -1;
	e->last_was_kill = 0;
	return 0;
}

int edit_set_text_selected(struct edit *e, const char *s, size_t len, size_t sel_from)
{
	if (edit_set_text(e, s, len) < 0)
		return -1;
	/* the selection starts at the code point holding byte sel_from */
	size_t cp = 0;
	for (size_t off = 0; off < sel_from && off < len; cp++) {
		uint32_t c;
		off += utf8_decode(s + off, len - off, &c);
	}
	e->sel = cp < e->text.len ? cp : e->text.len;
	e->has_sel = e->sel < e->cursor;
	return 0;
}

/* Bytes of text[0..i) as UTF-8. */
static size_t byte_offset(const struct edit *e, size_t i)
{
	size_t off = 0;
	for (size_t k = 0; k < i; k++) {
		char out[4];
		off += utf8_encode(e->text.v[k], out);
	}
	return off;
}

int edit_selection(const struct edit *e, size_t *from, size_t *to)
{
	if (!e->has_sel || e->sel >= e->cursor)
		return 0;
	*from = byte_offset(e, e->sel);
	*to = byte_offset(e, e->cursor);
	return 1;
}

const char *edit_text(struct edit *e, size_t *len)
{
	buf_reset(&e->utf8);
	if (buf_reserve(&e->utf8, e->text.len * 4) < 0)
		return NULL;
	for (size_t i = 0; i < e->text.len; i++) {
		char out[4];
		size_t n = utf8_encode(e->text.v[i], out);
		buf_append(&e->utf8, out, n); /* cannot fail: reserved above */
	}
	e->utf8.data[e->utf8.len] = '\0'; /* buf_reserve alone leaves a fresh buffer unset */
	if (len)
		*len = e->utf8.len;
	return e->utf8.data;
}

size_t edit_cursor_offset(const struct edit *e)
{
	return byte_offset(e, e->cursor);
}

void edit_cursor_line_col(const struct edit *e, int *line, int *col)
{
	int n = 0;
	for (size_t i = 0; i < e->cursor; i++)
		n += e->text.v[i] == '\n';
	*line = n;
	*col = column_of(e, e->cursor);
}

int edit_is_empty(const struct edit *e)
{
	return e->text.len == 0;
}

int edit_history_add(struct edit *e, const char *s, size_t len)
{
	e->draft.len = 0;
	e->hist_pos = e->hist_len;
	if (len == 0 || e->hist_max == 0)
		return 0;
	if (e->hist_len > 0) {
		const char *last = e->history[e->hist_len - 1];
		if (strlen(last) == len && memcmp(last, s, len) == 0)
			return 0;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if (!e->history) {
		e->history = calloc(e->hist_max, sizeof(char *));
		if (!e->history) {
			free(copy);
			return -1;
		}
	}
	if (e->hist_len == e->hist_max) {
		free(e->history[0]);
		memmove(e->history, e->history + 1, (e->hist_len - 1) * sizeof(char *));
		e->hist_len--;
	}
	e->history[e->hist_len++] = copy;
	e->hist_pos = e->hist_len;
	return 0;
}

size_t edit_history_count(const struct edit *e)
{
	return e->hist_len;
}

const char *edit_history_get(const struct edit *e, size_t i)
{
	return i < e->hist_len ? e->history[i] : NULL;
}
