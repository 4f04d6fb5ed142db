/* test_attach: kind by content, text blocks, and the limits per provider kind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/attach.h"

static enum attach_kind sniff(const char *d, size_t n, const char **type)
{
	return attach_sniff((const unsigned char *)d, n, type);
}

static void each_magic(void **state)
{
	(void)state;
	const char *t;
	assert_int_equal(sniff("\x89PNG\r\n\x1a\n....", 12, &t), ATTACH_IMAGE);
	assert_string_equal(t, "image/png");
	assert_int_equal(sniff("\xff\xd8\xff\xe0", 4, &t), ATTACH_IMAGE);
	assert_string_equal(t, "image/jpeg");
	assert_int_equal(sniff("GIF87a..", 8, &t), ATTACH_IMAGE);
	assert_string_equal(t, "image/gif");
	assert_int_equal(sniff("GIF89a..", 8, &t), ATTACH_IMAGE);
	assert_string_equal(t, "image/gif");
	assert_int_equal(sniff("RIFF\x10\0\0\0WEBPVP8 ", 16, &t), ATTACH_IMAGE);
	assert_string_equal(t, "image/webp");
	assert_int_equal(sniff("%PDF-1.7\n", 9, &t), ATTACH_PDF);
	assert_string_equal(t, "application/pdf");
	/* RIFF without WEBP (a WAV) is binary, not an image. */
	assert_int_equal(sniff("RIFF\x10\0\0\0WAVEfmt ", 16, &t), ATTACH_BINARY);
	/* A PNG signature cut short is not a PNG. */
	assert_int_equal(sniff("\x89PNG\r\n", 6, &t), ATTACH_BINARY);
}

static void text_or_binary(void **state)
{
	(void)state;
	const char *t;
	assert_int_equal(sniff("hello\n", 6, &t), ATTACH_TEXT);
	assert_string_equal(t, "text/plain");
	assert_int_equal(sniff("caf\xc3\xa9", 5, NULL), ATTACH_TEXT);
	assert_int_equal(sniff("", 0, NULL), ATTACH_TEXT);
	assert_int_equal(sniff("a\0b", 3, &t), ATTACH_BINARY);
	assert_string_equal(t, "application/octet-stream");
	assert_int_equal(sniff("caf\xe9", 4, NULL), ATTACH_BINARY);
}

static void text_block_fence_and_lang(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(attach_text_block("src/x.py", "print(1)", 8, &b), 0);
	assert_string_equal(b.data, "src/x.py:\n```python\nprint(1)\n```\n");
	buf_free(&b);
	/* A fence inside the file cannot close the block. */
	assert_int_equal(attach_text_block("n\x1b.md", "````\n", 5, &b), 0);
	assert_string_equal(b.data, "n.md:\n`````markdown\n````\n`````\n");
	buf_free(&b);
	assert_string_equal(attach_lang("build.log"), "");
	assert_string_equal(attach_lang("Makefile"), "");
	assert_string_equal(attach_lang(".c"), "");
	assert_string_equal(attach_lang("a.h"), "c");
}

static void limits_per_kind(void **state)
{
	(void)state;
	struct err e = {0};
	struct attach_part img = {ATTACH_IMAGE, "big.png", "image/png", NULL, 4u << 20, NULL};
	/* 4 MiB is over Anthropic's 5 MB of base64 but within OpenAI's 20 MB. */
	assert_int_equal(attach_check(WIRE_ANTHROPIC, "anthropic", &img, 1, &e), -1);
	assert_int_equal(e.code, EXIT_USAGE);
	assert_non_null(strstr(e.msg, "big.png"));
	assert_int_equal(attach_check(WIRE_OPENAI, "openai", &img, 1, &e), 0);
	img.len = 21u << 20;
	assert_int_equal(attach_check(WIRE_OPENAI, "openai", &img, 1, &e), -1);
	assert_int_equal(attach_check(WIRE_OLLAMA, "ollama", &img, 1, &e), 0);
	/* Azure takes 10 images per request. */
	struct attach_part many[11];
	for (size_t i = 0; i < 11; i++)
		many[i] = (struct attach_part){ATTACH_IMAGE, "i.png", "image/png", NULL, 10, NULL};
	assert_int_equal(attach_check(WIRE_AZURE, "azure", many, 10, &e), 0);
	assert_int_equal(attach_check(WIRE_AZURE, "azure", many, 11, &e), -1);
	assert_non_null(strstr(e.msg, "(10)"));
	/* A PDF counts where it goes as a document, and Gemini reads PDFs up to 50 MB. */
	struct attach_part pdf = {ATTACH_PDF, "r.pdf", "application/pdf", NULL, 51u << 20, "t"};
	assert_int_equal(attach_check(WIRE_GEMINI, "gemini", &pdf, 1, &e), -1);
	assert_int_equal(attach_check(WIRE_OPENAI, "openai", &pdf, 1, &e), 0);
	struct attach_part bin = {ATTACH_BINARY, "a.out", "application/octet-stream", NULL, 1, NULL};
	assert_int_equal(attach_check(WIRE_OLLAMA, "ollama", &bin, 1, &e), -1);
	assert_true(attach_limits_for(WIRE_ANTHROPIC)->documents);
	assert_false(attach_limits_for(WIRE_OLLAMA)->documents);
}

static void base64(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(buf_append_str(&b, "x,"), 0);
	assert_int_equal(attach_base64((const unsigned char *)"PNG!", 4, &b), 0);
	assert_string_equal(b.data, "x,UE5HIQ==");
	assert_int_equal(b.len, 10);
	buf_free(&b);
}

/* Only config's "vision": false refuses an image; unknown and yes send it. */
static void vision_refusal(void **state)
{
	(void)state;
	struct provider_model m[] = {{(char *)"blind", {MODEL_CAP_NO, -1, -1, 0}},
				     {(char *)"sees", {MODEL_CAP_YES, -1, -1, 0}}};
	struct provider p = {.name = (char *)"fo", .kind = WIRE_OPENAI, .model_caps = m,
			     .nmodel_caps = 2};
	struct attach_part parts[] = {
		{ATTACH_TEXT, "a.c", "text/plain", (const unsigned char *)"x", 1, "a.c: x"},
		{ATTACH_IMAGE, "s.png", "image/png", (const unsigned char *)"PNG", 3, NULL},
	};
	struct err e;
	err_clear(&e);
	assert_int_equal(attach_check_vision(&p, "blind", parts, 1, &e), 0);
	assert_int_equal(attach_check_vision(&p, "blind", parts, 2, &e), -1);
	assert_int_equal(e.code, EXIT_USAGE);
	assert_non_null(strstr(e.msg, "s.png: fo/blind cannot see images"));
	assert_int_equal(attach_check_vision(&p, "sees", parts, 2, &e), 0);
	assert_int_equal(attach_check_vision(&p, "unheard-of", parts, 2, &e), 0);
}

/* Width and height from each format's header; Anthropic's 8000 px a side, 2000 px with
 * more than 20 images. */
static void image_sizes_and_pixel_limits(void **state)
{
	(void)state;
	unsigned long w = 0, h = 0;
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x1f\x41\0\0\0\x10";
	assert_int_equal(attach_image_size(png, sizeof png - 1, &w, &h), 0);
	assert_true(w == 8001 && h == 16);
	static const unsigned char gif[] = "GIF89a\x20\x03\x58\x02";
	assert_int_equal(attach_image_size(gif, sizeof gif - 1, &w, &h), 0);
	assert_true(w == 800 && h == 600);
	/* JPEG: APP0, then SOF0 with height 480 and width 640 */
	static const unsigned char jpg[] = "\xff\xd8\xff\xe0\0\x04" "ab\xff\xc0\0\x11\x08\x01\xe0\x02\x80";
	assert_int_equal(attach_image_size(jpg, sizeof jpg - 1, &w, &h), 0);
	assert_true(w == 640 && h == 480);
	static const unsigned char webp[] = "RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\xff\x1f\0\x0f\0\0";
	assert_int_equal(attach_image_size(webp, sizeof webp - 1, &w, &h), 0);
	assert_true(w == 8192 && h == 16);
	assert_int_equal(attach_image_size((const unsigned char *)"\xff\xd8\xff", 3, &w, &h), -1);

	struct err e;
	err_clear(&e);
	struct attach_part big = {ATTACH_IMAGE, "wide.png", "image/png", png, sizeof png - 1, NULL};
	assert_int_equal(attach_check(WIRE_ANTHROPIC, "anthropic", &big, 1, &e), -1);
	assert_non_null(strstr(e.msg, "wide.png: 8001\xc3\x97" "16 pixels is over anthropic's 8000"));
	assert_int_equal(attach_check(WIRE_OPENAI, "openai", &big, 1, &e), 0);
	struct attach_part many[21];
	for (size_t i = 0; i < 21; i++)
		many[i] = (struct attach_part){ATTACH_IMAGE, "g.gif", "image/gif", gif, sizeof gif - 1,
					       NULL};
	assert_int_equal(attach_check(WIRE_ANTHROPIC, "anthropic", many, 20, &e), 0);
	many[20].data = png; /* 8001 wide is over 2000 too */
	many[20].len = sizeof png - 1;
	many[0].data = (const unsigned char *)"GIF89a\xd1\x07\x01\x00"; /* 2001 x 1 */
	assert_int_equal(attach_check(WIRE_ANTHROPIC, "anthropic", many, 21, &e), -1);
	assert_non_null(strstr(e.msg, "2000 per side when a request has many images"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(image_sizes_and_pixel_limits),
		cmocka_unit_test(vision_refusal),
		cmocka_unit_test(each_magic),
		cmocka_unit_test(text_or_binary),
		cmocka_unit_test(text_block_fence_and_lang),
		cmocka_unit_test(limits_per_kind),
		cmocka_unit_test(base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
