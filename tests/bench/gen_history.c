/* gen_history: conversations for make bench.
 * Usage: gen_history DIR N            N conversations of 20 messages each
 *        gen_history --long DIR ID M  one conversation of M messages (answers of about 20 KB,
 *                                     every tenth answer with a retried sibling) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/history.h"

static const char answer[] =
	"Here is an answer of a few hundred bytes. Lorem ipsum dolor sit amet, consectetur "
	"adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. "
	"Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip "
	"ex ea commodo consequat.\n\n```c\nint main(void) { return 0; }\n```\n";

static int write_conv(const char *dir, const struct hist_conv *c)
{
	char path[4096];
	struct buf b = BUF_INIT;
	snprintf(path, sizeof path, "%s/%s.json", dir, c->id);
	FILE *f = fopen(path, "w");
	int ok = hist_to_json(c, &b) == 0 && f && fwrite(b.data, 1, b.len, f) == b.len;
	if (f && fclose(f) != 0)
		ok = 0;
	buf_free(&b);
	if (!ok)
		fprintf(stderr, "gen_history: cannot write %s\n", path);
	return ok ? 0 : 1;
}

/* A long conversation: the shape that made loading cubic (issue 15). */
static int long_conv(const char *dir, const char *id, int m)
{
	struct hist_conv c;
	struct buf big = BUF_INIT;
	while (big.len < 19500)
		buf_append_str(&big, answer);
	if (hist_conv_init(&c, id, 1.7e9) < 0)
		return 1;
	hist_set_str(&c.model, "openai/gpt-4o-mini");
	hist_set_str(&c.title, "A long conversation");
	for (int j = 0; j < m; j++) {
		char q[64];
		snprintf(q, sizeof q, "Question %d: and then?", j);
		const char *parent = c.current;
		if (j % 2 && j % 20 == 1) {
			/* a retried answer: a sibling the branch does not follow */
			struct hist_msg *r = hist_add(&c, parent, "assistant", "an earlier try", 1.7e9 + j);
			if (!r)
				return 1;
			parent = r->parent;
		}
		if (!hist_add(&c, parent, j % 2 ? "assistant" : "user", j % 2 ? big.data : q,
			      1.7e9 + j))
			return 1;
	}
	int rc = write_conv(dir, &c);
	hist_conv_free(&c);
	buf_free(&big);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--long"))
		return long_conv(argv[2], argv[3], atoi(argv[4]));
	if (argc != 3) {
		fprintf(stderr, "usage: gen_history DIR N | --long DIR ID MESSAGES\n");
		return 2;
	}
	int n = atoi(argv[2]);
	for (int i = 0; i < n; i++) {
		struct hist_conv c;
		char id[32], text[160];
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
		if (write_conv(argv[1], &c))
			return 1;
		hist_conv_free(&c);
	}
	return 0;
}
