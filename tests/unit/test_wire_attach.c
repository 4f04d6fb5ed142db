/* test_wire_attach: attachments in each kind's request body, as exact JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cherry/wire.h"

/* "PNG!" is "UE5HIQ==" and "%PDF" is "JVBERg==" in base64. */
static const struct attach_part parts[] = {
	{ATTACH_TEXT, "a.c", "text/plain", NULL, 0, "a.c:\n```c\nx;\n```\n"},
	{ATTACH_IMAGE, "s.png", "image/png", (const unsigned char *)"PNG!", 4, NULL},
	{ATTACH_PDF, "r.pdf", "application/pdf", (const unsigned char *)"%PDF", 4, "r.pdf: text"},
};

static const struct wire_msg msgs[] = {
	{"user", "look"},
	{"assistant", "ok"},
};

static const struct wire_attached attached[] = {{0, parts, 3}};

/* The body built for a provider of this kind; checks it matches want. */
static void expect_body(enum wire_kind kind, const char *want)
{
	struct provider p = {
		.name = (char *)"p",
		.kind = kind,
		.base_url = (char *)"http://127.0.0.1:1",
		.api_version = (char *)"2024-10-21",
	};
	struct wire_request rq = {.provider = &p, .model = "m", .msgs = msgs, .nmsgs = 2,
				  .attached = attached, .nattached = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	struct buf flat = BUF_INIT;
	assert_int_equal(wire_body_flatten(&h, &flat), 0);
	assert_string_equal(flat.data, want);
	assert_int_equal(wire_body_size(&h), flat.len);
	/* Read in pieces of every size from 1 up, it is the same body. */
	for (size_t step = 1; step < 12; step++) {
		char piece[16];
		size_t off = 0, got;
		while ((got = wire_body_read(&h, off, piece, step)) > 0) {
			assert_memory_equal(piece, flat.data + off, got);
			off += got;
		}
		assert_int_equal(off, flat.len);
	}
	buf_free(&flat);
	wire_http_free(&h);
}

static void openai_image_url_data_url(void **state)
{
	(void)state;
	const char *want =
		"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
		"{\"type\":\"text\",\"text\":\"a.c:\\n```c\\nx;\\n```\\n\"},"
		"{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,UE5HIQ==\"}},"
		"{\"type\":\"text\",\"text\":\"r.pdf: text\"},"
		"{\"type\":\"text\",\"text\":\"look\"}]},"
		"{\"role\":\"assistant\",\"content\":\"ok\"}],\"stream\":true,"
		"\"stream_options\":{\"include_usage\":true}}";
	expect_body(WIRE_OPENAI, want);
}

static void azure_as_openai(void **state)
{
	(void)state;
	struct provider p = {.name = (char *)"az", .kind = WIRE_AZURE,
			     .base_url = (char *)"https://r.openai.azure.com",
			     .api_version = (char *)"2024-10-21"};
	struct wire_request rq = {.provider = &p, .model = "m", .msgs = msgs, .nmsgs = 1,
				  .attached = attached, .nattached = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	struct buf flat = BUF_INIT;
	assert_int_equal(wire_body_flatten(&h, &flat), 0);
	assert_non_null(strstr(flat.data, "{\"type\":\"image_url\",\"image_url\":{\"url\":"
					  "\"data:image/png;base64,UE5HIQ==\"}}"));
	buf_free(&flat);
	wire_http_free(&h);
}

static void anthropic_image_and_document_blocks(void **state)
{
	(void)state;
	const char *want =
		"{\"model\":\"m\",\"max_tokens\":8192,\"messages\":[{\"role\":\"user\",\"content\":["
		"{\"type\":\"text\",\"text\":\"a.c:\\n```c\\nx;\\n```\\n\"},"
		"{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\","
		"\"data\":\"UE5HIQ==\"}},"
		"{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":"
		"\"application/pdf\",\"data\":\"JVBERg==\"},\"title\":\"r.pdf\"},"
		"{\"type\":\"text\",\"text\":\"look\"}]},"
		"{\"role\":\"assistant\",\"content\":\"ok\"}],\"stream\":true}";
	expect_body(WIRE_ANTHROPIC, want);
}

static void gemini_inline_data(void **state)
{
	(void)state;
	const char *want =
		"{\"contents\":[{\"role\":\"user\",\"parts\":["
		"{\"text\":\"a.c:\\n```c\\nx;\\n```\\n\"},"
		"{\"inline_data\":{\"mime_type\":\"image/png\",\"data\":\"UE5HIQ==\"}},"
		"{\"inline_data\":{\"mime_type\":\"application/pdf\",\"data\":\"JVBERg==\"}},"
		"{\"text\":\"look\"}]},"
		"{\"role\":\"model\",\"parts\":[{\"text\":\"ok\"}]}]}";
	expect_body(WIRE_GEMINI, want);
}

static void ollama_images(void **state)
{
	(void)state;
	const char *want =
		"{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
		"\"a.c:\\n```c\\nx;\\n```\\n\\nr.pdf: text\\nlook\",\"images\":[\"UE5HIQ==\"]},"
		"{\"role\":\"assistant\",\"content\":\"ok\"}],\"stream\":true}";
	expect_body(WIRE_OLLAMA, want);
}

/* A large image whose size is not a multiple of 3, read in pieces that cut its base64
 * groups anywhere; a prompt that spells a placeholder is left as it is. */
static void large_splice_in_pieces(void **state)
{
	(void)state;
	static unsigned char big[10007];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7 + i / 251);
	const struct attach_part one = {ATTACH_IMAGE, "b.png", "image/png", big, sizeof big, NULL};
	const struct wire_attached att = {0, &one, 1};
	const struct wire_msg m = {"user", "\"\\u0000 0x1\\u0000 not ours"};
	struct provider p = {.name = (char *)"p", .kind = WIRE_OLLAMA,
			     .base_url = (char *)"http://127.0.0.1:1"};
	struct wire_request rq = {.provider = &p, .model = "m", .msgs = &m, .nmsgs = 1,
				  .attached = &att, .nattached = 1};
	struct wire_http h;
	struct err e = {0};
	assert_int_equal(wire_build_request(&rq, &h, &e), 0);
	assert_int_equal(h.nsplices, 1);
	struct buf want = BUF_INIT, flat = BUF_INIT;
	assert_int_equal(attach_base64(big, sizeof big, &want), 0);
	assert_int_equal(wire_body_flatten(&h, &flat), 0);
	assert_non_null(strstr(flat.data, want.data));
	assert_non_null(strstr(flat.data, "\\\"\\\\u0000 0x1\\\\u0000 not ours"));
	static const size_t steps[] = {1, 5, 4095, 4096, 4097, 20000};
	char *piece = malloc(20000);
	assert_non_null(piece);
	for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
		size_t off = 0, got;
		while ((got = wire_body_read(&h, off, piece, steps[k])) > 0) {
			assert_memory_equal(piece, flat.data + off, got);
			off += got;
		}
		assert_int_equal(off, flat.len);
	}
	free(piece);
	buf_free(&want);
	buf_free(&flat);
	wire_http_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(large_splice_in_pieces),
		cmocka_unit_test(openai_image_url_data_url),
		cmocka_unit_test(azure_as_openai),
		cmocka_unit_test(anthropic_image_and_document_blocks),
		cmocka_unit_test(gemini_inline_data),
		cmocka_unit_test(ollama_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
