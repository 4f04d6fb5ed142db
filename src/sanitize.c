/* sanitize: turns untrusted text into text that cannot drive the terminal (security.md §6.4).
 *
 * Three stages, each a small state machine fed one unit at a time, so any split
 * of the input across sanitize_feed calls gives the same bytes as one call:
 *   bytes -> strict UTF-8 decoding by utf8.c (ill-formed subparts become U+FFFD)
 *         -> an ECMA-48 escape-sequence recogniser that swallows whole sequences
 *         -> a filter for controls, bidi overrides and tag characters.
 * Plain text skips all of it: spans that would come out unchanged are copied whole. */
#include "cherry/sanitize.h"

#include <stdint.h>
#include <string.h>

#include "cherry/utf8.h"

enum {
	ST_GROUND,
	ST_ESC,       /* after ESC */
	ST_ESC_INTER, /* after ESC and intermediate bytes 0x20-0x2F */
	ST_CSI,       /* parameters and intermediates, until a final byte */
	ST_OSC,       /* string ended by BEL or ST */
	ST_STRING,    /* DCS, SOS, PM, APC: string ended by ST only */
};

enum { TAG_NONE, TAG_COLLECTING, TAG_REJECTED };

/* Once a sequence has run past this many bytes (from its ESC or C1 introducer), it is
 * no longer trusted to end: the next LF ends it and is kept. So a stray ESC ] cannot
 * swallow the rest of a reply, yet no byte of a long OSC 52 payload (base64, no LF)
 * ever shows. */
#define SEQ_MAX 4096

#define REPLACEMENT UTF8_REPLACEMENT
#define BLACK_FLAG 0x1F3F4u
#define TAG_FIRST 0xE0000u
#define TAG_LAST 0xE007Fu
#define CANCEL_TAG 0xE007Fu

void sanitize_init(struct sanitizer *s)
{
	memset(s, 0, sizeof(*s));
	s->state = ST_GROUND;
}

static int append_cp(struct buf *out, uint32_t cp)
{
	char tmp[4];
	return buf_append(out, tmp, utf8_encode(cp, tmp));
}

static int is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The tag_spec characters a subdivision flag uses: tag digits and lowercase tag letters. */
static int is_flag_tag_spec(uint32_t cp)
{
	return (cp >= 0xE0030 && cp <= 0xE0039) || (cp >= 0xE0061 && cp <= 0xE007A);
}

/* A tag character is held back until its run ends, because whether it is part of an
 * emoji flag (kept) or smuggled text (dropped) is only known at the CANCEL TAG. */
static int filter_tag(struct sanitizer *s, uint32_t cp, struct buf *out)
{
	if (s->in_tag_seq == TAG_REJECTED)
		return 0;
	if (s->in_tag_seq == TAG_NONE) {
		if (!s->after_black_flag)
			return 0;
		if (!is_flag_tag_spec(cp)) {
			s->in_tag_seq = TAG_REJECTED;
			return 0;
		}
		s->in_tag_seq = TAG_COLLECTING;
		s->tag_len = 0;
	}
	if (cp == CANCEL_TAG) {
		char seq[(sizeof(s->tag_run) + 1) * 4];
		size_t n = 0;
		for (size_t i = 0; i < s->tag_len; i++)
			n += utf8_encode(TAG_FIRST + s->tag_run[i], seq + n);
		n += utf8_encode(CANCEL_TAG, seq + n);
		s->in_tag_seq = TAG_NONE;
		s->tag_len = 0;
		s->after_black_flag = 0;
		return buf_append(out, seq, n);
	}
	if (!is_flag_tag_spec(cp) || s->tag_len == sizeof(s->tag_run)) {
		s->in_tag_seq = TAG_REJECTED;
		s->tag_len = 0;
		return 0;
	}
	s->tag_run[s->tag_len++] = (unsigned char)(cp - TAG_FIRST);
	return 0;
}

/* The last stage: every character that reaches the output passes here. Characters
 * removed earlier are transparent to the flag check, which keeps the output stable
 * when sanitised again. */
static int put_char(struct sanitizer *s, uint32_t cp, struct buf *out)
{
	if (is_bidi_control(cp))
		return 0;
	if (cp >= TAG_FIRST && cp <= TAG_LAST)
		return filter_tag(s, cp, out);
	s->in_tag_seq = TAG_NONE; /* an unfinished tag run is dropped */
	s->tag_len = 0;
	s->after_black_flag = cp == BLACK_FLAG;
	return append_cp(out, cp);
}

/* C0 controls as a terminal would execute them, minus everything that moves the cursor
 * backwards or rings. CR is always dropped: in CRLF the LF survives, and a lone CR would
 * let later text overwrite earlier text. So pending_cr is never needed. */
static int execute_c0(struct sanitizer *s, uint32_t c, struct buf *out)
{
	switch (c) {
	case '\n':
	case '\t':
		return put_char(s, c, out);
	case '\b':
		return put_char(s, 0x2408, out); /* SYMBOL FOR BACKSPACE */
	default:
		return 0;
	}
}

/* C1 controls start the same sequences as their ESC forms; the rest are dropped. */
static int c1_state(uint32_t cp)
{
	switch (cp) {
	case 0x9B:
		return ST_CSI;
	case 0x9D:
		return ST_OSC;
	case 0x90: /* DCS */
	case 0x98: /* SOS */
	case 0x9E: /* PM */
	case 0x9F: /* APC */
		return ST_STRING;
	default:
		return ST_GROUND;
	}
}

static void begin_seq(struct sanitizer *s, int state, size_t nbytes)
{
	s->state = state;
	s->seq_len = nbytes;
}

static int ground(struct sanitizer *s, uint32_t cp, size_t nbytes, struct buf *out)
{
	if (cp == 0x1B) {
		begin_seq(s, ST_ESC, nbytes);
		return 0;
	}
	if (cp < 0x20)
		return execute_c0(s, cp, out);
	if (cp == 0x7F)
		return 0;
	if (cp >= 0x80 && cp <= 0x9F) {
		begin_seq(s, c1_state(cp), nbytes);
		return 0;
	}
	return put_char(s, cp, out);
}

/* ESC, ESC+intermediates and CSI: bytes outside the sequence's alphabet. C0 controls are
 * executed without ending the sequence, as terminals do; a character beyond ASCII cannot
 * belong to it, so the sequence is abandoned and the character shown. */
static int seq_other(struct sanitizer *s, uint32_t cp, size_t nbytes, struct buf *out)
{
	if (cp < 0x20)
		return execute_c0(s, cp, out);
	if (cp == 0x7F)
		return 0;
	s->state = ST_GROUND;
	return ground(s, cp, nbytes, out);
}

/* One decoded unit (a code point, or U+FFFD for an ill-formed subpart) of nbytes bytes. */
static int step(struct sanitizer *s, uint32_t cp, size_t nbytes, struct buf *out)
{
	if (s->state == ST_GROUND)
		return ground(s, cp, nbytes, out);

	/* What ends or restarts any sequence, wherever it is. ST (ESC \) inside a string is
	 * just ESC starting a sequence whose final byte is the backslash. */
	if (cp == 0x1B || (cp >= 0x80 && cp <= 0x9F)) {
		s->state = ST_GROUND;
		return ground(s, cp, nbytes, out);
	}
	if (cp == 0x18 || cp == 0x1A) { /* CAN, SUB */
		s->state = ST_GROUND;
		return 0;
	}
	if (cp == '\n' && s->seq_len > SEQ_MAX) {
		s->state = ST_GROUND;
		return put_char(s, cp, out);
	}
	if (s->seq_len <= SEQ_MAX)
		s->seq_len += nbytes;

	switch (s->state) {
	case ST_ESC:
		if (cp == '[')
			s->state = ST_CSI;
		else if (cp == ']')
			s->state = ST_OSC;
		else if (cp == 'P' || cp == 'X' || cp == '^' || cp == '_')
			s->state = ST_STRING;
		else if (cp >= 0x20 && cp <= 0x2F)
			s->state = ST_ESC_INTER;
		else if (cp >= 0x30 && cp <= 0x7E)
			s->state = ST_GROUND;
		else
			return seq_other(s, cp, nbytes, out);
		return 0;
	case ST_ESC_INTER:
		if (cp >= 0x30 && cp <= 0x7E)
			s->state = ST_GROUND;
		else if (!(cp >= 0x20 && cp <= 0x2F))
			return seq_other(s, cp, nbytes, out);
		return 0;
	case ST_CSI:
		if (cp >= 0x40 && cp <= 0x7E)
			s->state = ST_GROUND;
		else if (!(cp >= 0x20 && cp <= 0x3F))
			return seq_other(s, cp, nbytes, out);
		return 0;
	case ST_OSC:
		if (cp == 0x07)
			s->state = ST_GROUND;
		return 0;
	default: /* ST_STRING: everything up to ST is payload */
		return 0;
	}
}

/* Printable ASCII, LF, TAB: the bytes that leave the ground state unchanged. */
static int ascii_plain(unsigned char b)
{
	return (b >= 0x20 && b < 0x7F) || b == '\n' || b == '\t';
}

/* Length of the prefix of p that the ground state would copy unchanged: plain ASCII and
 * complete, well-formed UTF-8 characters that need no decision. It stops before anything
 * that needs the state machine, including a character cut off by the end of the input. */
static size_t plain_span(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char b = p[i];
		if (b < 0x80) {
			if (!ascii_plain(b))
				break;
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode_part((const char *)p + i, n - i, &cp);
		if (!k || cp == UTF8_INVALID || cp <= 0x9F || is_bidi_control(cp) ||
		    cp == BLACK_FLAG || (cp >= TAG_FIRST && cp <= TAG_LAST))
			break;
		i += k;
	}
	return i;
}

/* Inside OSC and DCS-like strings printable ASCII is payload (an OSC 52 body is base64):
 * swallow it in one go. */
static size_t string_span(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] >= 0x20 && p[i] <= 0x7E)
		i++;
	return i;
}

int sanitize_feed(struct sanitizer *s, const char *in, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0;

	while (i < len) {
		if (s->utf8.len == 0 && s->in_tag_seq == TAG_NONE && s->state == ST_GROUND) {
			size_t n = plain_span(p + i, len - i);
			if (n) {
				if (buf_append(out, p + i, n) < 0)
					return -1;
				s->after_black_flag = 0;
				i += n;
				continue;
			}
		} else if (s->utf8.len == 0 && (s->state == ST_OSC || s->state == ST_STRING)) {
			size_t n = string_span(p + i, len - i);
			if (n) {
				s->seq_len += n;
				if (s->seq_len > SEQ_MAX)
					s->seq_len = SEQ_MAX + 1;
				i += n;
				continue;
			}
		}

		/* One code point (or ill-formed subpart); a sequence cut by the end of the
		 * input waits in s->utf8 for the next call. */
		uint32_t cp;
		size_t nbytes;
		i += utf8_carry_decode(&s->utf8, in + i, len - i, &cp, &nbytes);
		if (nbytes && step(s, cp == UTF8_INVALID ? REPLACEMENT : cp, nbytes, out) < 0)
			return -1;
	}
	return 0;
}

int sanitize_finish(struct sanitizer *s, struct buf *out)
{
	int rc = 0;
	size_t n = utf8_carry_flush(&s->utf8);
	if (n)
		rc = step(s, REPLACEMENT, n, out); /* a cut sequence at the end: one U+FFFD */
	/* An unterminated sequence and an unfinished tag run are dropped with the state. */
	sanitize_init(s);
	return rc;
}

int sanitize_string(const char *in, size_t len, struct buf *out)
{
	struct sanitizer s;
	sanitize_init(&s);
	if (sanitize_feed(&s, in, len, out) < 0)
		return -1;
	return sanitize_finish(&s, out);
}

int sanitize_json_c1(struct buf *b, size_t from)
{
	size_t n = 0;
	for (size_t i = from; i + 1 < b->len; i++)
		if ((unsigned char)b->data[i] == 0xc2 && (unsigned char)b->data[i + 1] >= 0x80
		    && (unsigned char)b->data[i + 1] <= 0x9f)
			n++;
	if (!n)
		return 0;
	/* each two-byte character becomes six bytes; rewritten from the end, in place */
	if (buf_reserve(b, 4 * n) < 0)
		return -1;
	size_t src = b->len, dst = b->len + 4 * n;
	b->data[dst] = '\0';
	while (src > from) {
		unsigned char c = (unsigned char)b->data[src - 1];
		if (src - 1 > from && c >= 0x80 && c <= 0x9f
		    && (unsigned char)b->data[src - 2] == 0xc2) {
			static const char hex[] = "0123456789abcdef";
			dst -= 6;
			memcpy(b->data + dst, "\\u00", 4);
			b->data[dst + 4] = hex[c >> 4];
			b->data[dst + 5] = hex[c & 15];
			src -= 2;
		} else {
			b->data[--dst] = (char)c;
			src--;
		}
	}
	b->len += 4 * n;
	return 0;
}
