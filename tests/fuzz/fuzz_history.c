/* fuzz_history: the conversation loader on arbitrary bytes: no crash, no leak, a clean
 * one-line error, and whatever loads writes back to JSON that loads to the same JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hist_conv c, d;
	struct err e = {0, ""};
	int rc = hist_from_json((const char *)data, size, &c, &e);
	if (rc < 0) {
		if (!e.msg[0] || strchr(e.msg, '\n') || c.msgs || c.n)
			__builtin_trap();
		return 0;
	}
	size_t *idx, n;
	if (hist_branch(&c, &idx, &n) < 0 || n > c.n || (c.n && !n))
		__builtin_trap();
	free(idx);
	struct buf j1 = BUF_INIT, j2 = BUF_INIT;
	if (hist_to_json(&c, &j1) < 0)
		__builtin_trap();
	/* What we write we can read, and writing it again changes nothing. */
	if (hist_from_json(j1.data, j1.len, &d, &e) != HIST_LOAD_OK || hist_to_json(&d, &j2) < 0 ||
	    j1.len != j2.len || memcmp(j1.data, j2.data, j1.len))
		__builtin_trap();
	hist_conv_free(&d);
	hist_conv_free(&c);
	buf_free(&j1);
	buf_free(&j2);
	return 0;
}
