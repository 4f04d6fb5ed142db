/* test_wire_attach: attachments in each kind's request body, as exact JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

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
	assert_string_equal(h.body.data, want);
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
	assert_non_null(strstr(h.body.data, "{\"type\":\"image_url\",\"image_url\":{\"url\":"
					    "\"data:image/png;base64,UE5HIQ==\"}}"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(openai_image_url_data_url),
		cmocka_unit_test(azure_as_openai),
		cmocka_unit_test(anthropic_image_and_document_blocks),
		cmocka_unit_test(gemini_inline_data),
		cmocka_unit_test(ollama_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
