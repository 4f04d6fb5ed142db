/* gen_history: writes N conversations of 20 messages into DIR, for make bench.
 * Usage: gen_history DIR N */
#include <stdio.h>
#include <stdlib.h>

#include "cherry/history.h"

static const char answer[] =
	"Here is an answer of a few hundred bytes. Lorem ipsum dolor sit amet, consectetur "
	"adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. "
	"Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip "
	"ex ea commodo consequat.\n\n```c\nint main(void) { return 0; }\n```\n";

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_history DIR N\n");
		return 2;
	}
	int n = atoi(argv[2]);
	for (int i = 0; i < n; i++) {
		struct hist_conv c;
		char id[32], text[160], path[4096];
		snprintf(id, sizeof id, "b%06d", i);
		if (hist_conv_init(&c, id, 1.7e9 + i * 60.0) < 0)
			return 1;
		hist_set_str(&c.model, "openai/gpt-4o-mini");
		snprintf(text, sizeof text, "Question %d about topic %d, see the %s", i, i % 97,
			 i % 50 ? "parser" : "needle-word");
		struct buf title = BUF_INIT;
		hist_make_title(text, &title);
		hist_set_str(&c.title, title.data);
		buf_free(&title);
		for (int j = 0; j < 20; j++)
			if (!hist_add(&c, c.current, j % 2 ? "assistant" : "user", j % 2 ? answer : text,
				      1.7e9 + i * 60.0 + j))
				return 1;
		struct buf b = BUF_INIT;
		snprintf(path, sizeof path, "%s/%s.json", argv[1], id);
		FILE *f = fopen(path, "w");
		if (hist_to_json(&c, &b) < 0 || !f || fwrite(b.data, 1, b.len, f) != b.len) {
			fprintf(stderr, "gen_history: cannot write %s\n", path);
			return 1;
		}
		fclose(f);
		buf_free(&b);
		hist_conv_free(&c);
	}
	return 0;
}
