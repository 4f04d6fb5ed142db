/* fuzz_sanitize: the terminal sanitiser must give the same bytes however its input is
 * split, and its output must be safe, bounded and stable under a second pass.
 * The first input byte chooses the split point and a chunk size; the rest is the text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/buf.h"
#include "cherry/sanitize.h"
#include "../lib/strict_utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

/* Strict UTF-8; no C0 but LF and TAB; no DEL, C1, ESC or bidi control; tag characters
 * only in U+1F3F4 <tags> U+E007F. Written apart from the sanitiser on purpose. */
static void require_safe(const unsigned char *p, size_t len)
{
	size_t i = 0;
	uint32_t prev = 0;
	int in_flag_tags = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = strict_utf8_next(p + i, len - i, &cp);
		require(n != 0);
		require(cp >= 0x20 || cp == '\n' || cp == '\t');
		require(!(cp >= 0x7F && cp <= 0x9F));
		require(!(cp >= 0x202A && cp <= 0x202E) && !(cp >= 0x2066 && cp <= 0x2069));
		if (cp >= 0xE0000 && cp <= 0xE007F) {
			if (!in_flag_tags) {
				require(prev == 0x1F3F4);
				in_flag_tags = 1;
			}
			if (cp == 0xE007F)
				in_flag_tags = 0;
		} else {
			require(!in_flag_tags);
		}
		prev = cp;
		i += n;
	}
	require(!in_flag_tags);
}

static void require_same(const struct buf *a, const struct buf *b)
{
	require(a->len == b->len);
	require(a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *in = (const char *)data + 1;
	size_t len = size - 1;
	size_t split = (size_t)data[0] * len / 255;
	size_t chunk = (size_t)(data[0] % 7) + 1;

	struct buf whole = BUF_INIT, parts = BUF_INIT, again = BUF_INIT;
	require(sanitize_string(in, len, &whole) == 0);
	require_safe((const unsigned char *)whole.data, whole.len);
	/* U+FFFD and U+2408 are the only expansions, three bytes for one. */
	require(whole.len <= 3 * len);

	struct sanitizer s;
	sanitize_init(&s);
	require(sanitize_feed(&s, in, split, &parts) == 0);
	require(sanitize_feed(&s, in + split, len - split, &parts) == 0);
	require(sanitize_finish(&s, &parts) == 0);
	require_same(&whole, &parts);

	buf_reset(&parts);
	sanitize_init(&s);
	for (size_t at = 0; at < len; at += chunk) {
		size_t n = len - at < chunk ? len - at : chunk;
		require(sanitize_feed(&s, in + at, n, &parts) == 0);
	}
	require(sanitize_finish(&s, &parts) == 0);
	require_same(&whole, &parts);

	require(sanitize_string(whole.data ? whole.data : "", whole.len, &again) == 0);
	require_same(&whole, &again);

	buf_free(&whole);
	buf_free(&parts);
	buf_free(&again);
	return 0;
}
