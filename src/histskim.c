/* histskim: a conversation file's raw JSON read without building the conversation:
 * histsearch_raw finds a hit (its title, time, and messages' ids and contents are found
 * by skipping over the rest, and only the strings looked at are decoded); histskim_entry
 * takes what the listing shows. Only the shape cherry writes is read; anything else
 * (-2) is left to hist_from_json. Pure. */
#include "cherry/histsearch.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cherry/fold.h"
#include "cherry/utf8.h"
#include "histlist_int.h"

#define DEPTH 64 /* nesting skipped at most: deeper is not a file cherry wrote */

struct span {
	const char *a, *b; /* a string's raw bytes between its quotes */
};

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* The string at p: its span, and the byte after its closing quote; NULL if none. */
static const char *str(const char *p, const char *end, struct span *s)
{
	if (p >= end || *p != '"')
		return NULL;
	for (const char *q = p + 1;;) {
		const char *r = memchr(q, '"', (size_t)(end - q));
		if (!r)
			return NULL;
		size_t bs = 0;
		while (r - bs - 1 > p && r[-1 - (long)bs] == '\\')
			bs++;
		if (bs % 2 == 0) {
			s->a = p + 1;
			s->b = r;
			return r + 1;
		}
		q = r + 1;
	}
}

static const char *value(const char *p, const char *end, int depth);

static int digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* true, false, null or a number as JSON spells it: the byte after it, or NULL. */
static const char *scalar(const char *p, const char *end)
{
	const char *word = *p == 'n' ? "null" : *p == 't' ? "true" : *p == 'f' ? "false" : NULL;
	if (word) {
		size_t n = *p == 'f' ? 5 : 4;
		return (size_t)(end - p) >= n && !memcmp(p, word, n) ? p + n : NULL;
	}
	if (p < end && *p == '-')
		p++;
	if (!digit(p, end))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (digit(p, end))
			p++;
	if (p < end && *p == '.') {
		if (!digit(++p, end))
			return NULL;
		while (digit(p, end))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!digit(p, end))
			return NULL;
		while (digit(p, end))
			p++;
	}
	return p;
}

/* In an object, from after its '{' (first) or after a member's value: the next key,
 * with *pp at its value: 1; 0 at the object's end (*pp after it); -1 not JSON. */
static int member(const char **pp, const char *end, int first, struct span *key)
{
	const char *p = ws(*pp, end);
	if (p < end && *p == '}') {
		*pp = p + 1;
		return 0;
	}
	if (!first) {
		if (p >= end || *p != ',')
			return -1;
		p = ws(p + 1, end);
	}
	if (!(p = str(p, end, key)))
		return -1;
	p = ws(p, end);
	if (p >= end || *p != ':')
		return -1;
	*pp = ws(p + 1, end);
	return 1;
}

/* Skips the value at p: the byte after it, or NULL. */
static const char *value(const char *p, const char *end, int depth)
{
	struct span s;
	p = ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == '"')
		return str(p, end, &s);
	if (*p == '{' || *p == '[') {
		if (depth >= DEPTH)
			return NULL;
		int obj = *p == '{';
		p++;
		for (int first = 1;; first = 0) {
			if (obj) {
				int r = member(&p, end, first, &s);
				if (r <= 0)
					return r ? NULL : p;
			} else {
				p = ws(p, end);
				if (p < end && *p == ']')
					return p + 1;
				if (!first) {
					if (p >= end || *p != ',')
						return NULL;
					p++;
				}
			}
			if (!(p = value(p, end, depth + 1)))
				return NULL;
		}
	}
	return scalar(p, end);
}

static int is_key(const struct span *k, const char *name)
{
	size_t n = strlen(name);
	return (size_t)(k->b - k->a) == n && !memcmp(k->a, name, n);
}

/* The decoded text of a string into out (NUL-terminated): 0, -1 OOM, -2 when jansson
 * would not have it. */
static int decode(const struct span *s, struct buf *out)
{
	buf_reset(out);
	if (!memchr(s->a, '\\', (size_t)(s->b - s->a)))
		return buf_append(out, s->a, (size_t)(s->b - s->a)) < 0 ? -1 :
		       buf_append_str(out, "") < 0 ? -1 : 0;
	json_error_t je;
	json_t *v = json_loadb(s->a - 1, (size_t)(s->b - s->a) + 2, JSON_DECODE_ANY, &je);
	if (!json_is_string(v)) {
		json_decref(v);
		return -2;
	}
	int r = buf_append(out, json_string_value(v), json_string_length(v)) < 0 ||
			buf_append_str(out, "") < 0 ? -1 : 0;
	if (!r && strlen(out->data) != out->len)
		r = -2; /* a NUL inside: the parse decides */
	json_decref(v);
	return r;
}

/* The conversation's time from the value at p: 0, or -2 when it is not one. */
static int get_time(const char *p, const char *end, double *t)
{
	struct span s;
	*t = 0;
	if (!p || (end - p >= 4 && !memcmp(p, "null", 4)))
		return 0;
	if (*p == '"') {
		char tmp[64];
		if (!str(p, end, &s) || s.b - s.a >= (long)sizeof tmp ||
		    memchr(s.a, '\\', (size_t)(s.b - s.a)))
			return -2;
		memcpy(tmp, s.a, (size_t)(s.b - s.a));
		tmp[s.b - s.a] = '\0';
		return hist_parse_time(tmp, t) < 0 ? -2 : 0;
	}
	char *num_end;
	*t = strtod(p, &num_end);
	return num_end > p ? 0 : -2;
}

/* A match in text (decoded, NUL-terminated): fills the line. 1, 0, -1 OOM. */
static int look(const char *text, size_t len, const char *folded, size_t flen,
		struct buf *line)
{
	size_t mlen;
	long at = fold_find(text, len, folded, flen, &mlen);
	if (at < 0)
		return 0;
	return histsearch_cut_line(text, len, (size_t)at, mlen, line) < 0 ? -1 : 1;
}

int histsearch_raw(const char *json, size_t len, const char *id, const char *folded,
		   size_t flen, struct histsearch_hit *h, struct buf *line, struct buf keep[2])
{
	const char *end = json + len, *p = ws(json, end), *upd = NULL, *msgs = NULL;
	struct span key, title = {NULL, NULL};
	int has_title = 0, r;
	memset(h, 0, sizeof *h);
	if (p >= end || *p++ != '{')
		return -2;
	for (int first = 1; (r = member(&p, end, first, &key)) == 1; first = 0) {
		const char *v = p;
		if (!(p = value(p, end, 1)))
			return -2;
		if (is_key(&key, "title")) {
			has_title = *v == '"';
			if (has_title)
				str(v, end, &title);
			else if (end - v < 4 || memcmp(v, "null", 4))
				return -2;
		} else if (is_key(&key, "updated")) {
			upd = v;
		} else if (is_key(&key, "messages")) {
			msgs = v;
		}
	}
	if (r < 0 || !msgs || *msgs != '[' || get_time(upd, end, &h->updated) < 0)
		return -2;
	snprintf(h->id, sizeof h->id, "%s", id);
	h->title = "";
	h->msg = "";
	if (has_title) {
		if ((r = decode(&title, &keep[0])) < 0)
			return r;
		h->title = keep[0].data;
		if ((r = look(keep[0].data, keep[0].len, folded, flen, line)) != 0) {
			h->line = line->data;
			return r;
		}
	}
	p = msgs + 1;
	for (size_t i = 0;; i++) {
		p = ws(p, end);
		if (p < end && *p == ']')
			return 0;
		if (i && (p >= end || *p++ != ','))
			return -2;
		p = ws(p, end);
		if (p >= end || *p++ != '{')
			return -2;
		struct span mid = {NULL, NULL}, content = {NULL, NULL};
		for (int first = 1; (r = member(&p, end, first, &key)) == 1; first = 0) {
			const char *v = p;
			if (!(p = value(p, end, 2)))
				return -2;
			if (is_key(&key, "id") && *v == '"')
				str(v, end, &mid);
			else if (is_key(&key, "content") && *v == '"')
				str(v, end, &content);
			else if (is_key(&key, "content"))
				content.a = NULL;
		}
		if (r < 0 || !content.a || !mid.a)
			return -2;
		struct buf text = BUF_INIT;
		const char *t = content.a;
		size_t tl = (size_t)(content.b - content.a);
		if (memchr(t, '\\', tl)) {
			if ((r = decode(&content, &text)) < 0) {
				buf_free(&text);
				return r;
			}
			t = text.data;
			tl = text.len;
		}
		r = look(t, tl, folded, flen, line);
		buf_free(&text);
		if (r != 0) {
			if (r < 0 || (r = decode(&mid, &keep[1])) < 0)
				return r;
			h->msg = keep[1].data;
			h->msg_index = i;
			h->line = line->data;
			return 1;
		}
	}
}

/* ---- the listing's fields ---- */

/* A title or model (string or null) into out: 0, -1 OOM, -2 not sure. The raw bytes
 * of an unescaped string are checked as jansson would (UTF-8, no control bytes). */
static int text_of(const char *v, const char *after, struct buf *out)
{
	struct span s;
	buf_reset(out);
	if (after - v == 4 && !memcmp(v, "null", 4))
		return buf_append_str(out, "") < 0 ? -1 : 0;
	if (*v != '"' || !str(v, after, &s))
		return -2;
	if (!memchr(s.a, '\\', (size_t)(s.b - s.a))) {
		for (const char *q = s.a; q < s.b; q++)
			if ((unsigned char)*q < 0x20)
				return -2;
		if (!utf8_valid(s.a, (size_t)(s.b - s.a)))
			return -2;
	}
	return decode(&s, out);
}

/* A string or null: 0, or -2. */
static int str_or_null(const char *v, const char *after)
{
	struct span s;
	if (after - v == 4 && !memcmp(v, "null", 4))
		return 0;
	return *v == '"' && str(v, after, &s) == after ? 0 : -2;
}

#define ROOT_KEYS 32 /* more members than this at the top is not a file cherry wrote */

int histskim_entry(const char *json, size_t len, const char *id, struct histskim *out)
{
	const char *end = json + len, *p = ws(json, end);
	const char *ver = NULL, *idv = NULL, *title = NULL, *model = NULL, *msgs = NULL;
	const char *title_end = NULL, *model_end = NULL, *ver_end = NULL, *idv_end = NULL;
	struct span keys[ROOT_KEYS], key;
	size_t nkeys = 0;
	int r;
	out->updated = 0;
	out->nmsgs = 0;
	if (p >= end || *p++ != '{')
		return -2;
	for (int first = 1; (r = member(&p, end, first, &key)) == 1; first = 0) {
		const char *v = p;
		if (!(p = value(p, end, 1)) || nkeys == ROOT_KEYS ||
		    memchr(key.a, '\\', (size_t)(key.b - key.a)))
			return -2;
		/* jansson refuses a key given twice: so does the skim */
		for (size_t i = 0; i < nkeys; i++)
			if (keys[i].b - keys[i].a == key.b - key.a &&
			    !memcmp(keys[i].a, key.a, (size_t)(key.b - key.a)))
				return -2;
		keys[nkeys++] = key;
		double t;
		if (is_key(&key, "version")) {
			ver = v;
			ver_end = p;
		} else if (is_key(&key, "id")) {
			idv = v;
			idv_end = p;
		} else if (is_key(&key, "title")) {
			title = v;
			title_end = p;
		} else if (is_key(&key, "model")) {
			model = v;
			model_end = p;
		} else if (is_key(&key, "updated")) {
			if (get_time(v, p, &out->updated) < 0)
				return -2;
		} else if (is_key(&key, "created")) {
			if (get_time(v, p, &t) < 0)
				return -2;
		} else if (is_key(&key, "system") || is_key(&key, "current")) {
			if (str_or_null(v, p) < 0)
				return -2;
		} else if (is_key(&key, "messages")) {
			msgs = v;
		}
	}
	if (r < 0 || ws(p, end) != end || !ver || !idv || !msgs || *msgs != '[')
		return -2;
	/* a version this cherry writes, as digits; the id the file's name says */
	unsigned long version = 0;
	for (const char *q = ver; q < ver_end; q++) {
		if (*q < '0' || *q > '9' || version > HIST_FORMAT)
			return -2;
		version = version * 10 + (unsigned long)(*q - '0');
	}
	size_t idlen = strlen(id);
	if (version < 1 || version > HIST_FORMAT || idv_end - idv != (long)idlen + 2 ||
	    *idv != '"' || memcmp(idv + 1, id, idlen))
		return -2;
	if ((title && (r = text_of(title, title_end, &out->title)) < 0) ||
	    (model && (r = text_of(model, model_end, &out->model)) < 0))
		return r;
	if ((!title && (buf_reset(&out->title), buf_append_str(&out->title, "") < 0)) ||
	    (!model && (buf_reset(&out->model), buf_append_str(&out->model, "") < 0)))
		return -1;
	/* the messages: objects, counted */
	p = msgs + 1;
	for (size_t i = 0;; i++) {
		p = ws(p, end);
		if (p < end && *p == ']')
			break;
		if (i && (p >= end || *p++ != ','))
			return -2;
		p = ws(p, end);
		if (p >= end || *p != '{' || !(p = value(p, end, 1)))
			return -2;
		out->nmsgs = i + 1;
	}
	return 0;
}
