/* fuzz_config: config_parse on arbitrary bytes: no crash, no leak, failures said cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cherry/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_warnings(void *ctx, const char *line)
{
	(void)ctx;
	/* Every warning is one line: a NUL-terminated string without a newline. */
	if (strchr(line, '\n'))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct err e = {0, ""};
	int rc = config_parse(&c, (const char *)data, size, "config.json", NULL, no_warnings, NULL, &e);
	if (rc < 0) {
		/* A failure always says why, on one line, and leaves nothing to free. */
		if (!e.msg[0] || e.code != EXIT_FAIL || strchr(e.msg, '\n') || c.providers.v)
			__builtin_trap();
	} else if (!c.providers.n) {
		__builtin_trap();
	}
	config_free(&c);
	return 0;
}
