/* writes_bench: the bytes one change costs on disk (make bench). Opens conversation ID
 * of DATA/cherry/conversations (as the client does: its lock taken), makes one change,
 * saves and closes it, and prints what this process passed to write(2) meanwhile
 * (/proc/self/io wchar): the change's cost, whatever the conversation's size.
 * Usage: writes_bench DATA_DIR CACHE_DIR ID CHANGE, CHANGE one of best, unbest, break,
 * delete (the last answer), delete-branch (a user message in the middle and all below
 * it), calls (two tool calls on the last answer), result (a tool result under it),
 * rename. The caller restores the files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/chat.h"

#include "histtest.h"

/* The last message of role on the current branch (SIZE_MAX none). */
static size_t last_of(const struct chat *c, const char *role)
{
	size_t *idx, n, r = SIZE_MAX;
	if (chat_branch(c, &idx, &n) < 0)
		return SIZE_MAX;
	for (size_t i = n; i-- > 0 && r == SIZE_MAX;)
		if (!strcmp(c->conv.msgs[idx[i]].role, role))
			r = idx[i];
	free(idx);
	return r;
}

static int change(struct chat *c, const char *what, double now, struct err *e)
{
	size_t a = last_of(c, "assistant"), u = last_of(c, "user"), r;
	if (a == SIZE_MAX || u == SIZE_MAX)
		return -1;
	if (!strcmp(what, "best") || !strcmp(what, "unbest"))
		return chat_set_best(c, a, what[0] == 'b');
	if (!strcmp(what, "break"))
		return chat_set_context_break(c, u, 1, now, e);
	if (!strcmp(what, "delete"))
		return chat_delete_msg(c, a, now, e) == 1 ? 0 : -1;
	if (!strcmp(what, "delete-branch")) {
		size_t *idx, n;
		if (chat_branch(c, &idx, &n) < 0)
			return -1;
		size_t mid = idx[n / 2 - n / 2 % 2];
		free(idx);
		return chat_delete_msg(c, mid, now, e) > 0 ? 0 : -1;
	}
	if (!strcmp(what, "calls")) {
		struct wire_call calls[2];
		memset(calls, 0, sizeof calls);
		for (int i = 0; i < 2; i++) {
			calls[i].index = i;
			calls[i].id = (char *)(i ? "call_1" : "call_0");
			calls[i].name = (char *)"read_file";
			if (buf_append_str(&calls[i].args, "{\"path\":\"/etc/hostname\"}") < 0)
				return -1;
		}
		int rc = chat_add_calls(c, a, calls, 2, NULL, now, e);
		for (int i = 0; i < 2; i++)
			buf_free(&calls[i].args);
		return rc;
	}
	if (!strcmp(what, "result"))
		return chat_add_result(c, a, "call_0", "read_file", "hostname\n", 0, 0, now, &r, e);
	if (!strcmp(what, "rename"))
		return chat_rename(c, "renamed by writes_bench", now, e);
	return -1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: writes_bench DATA_DIR CACHE_DIR ID CHANGE\n");
		return 2;
	}
	struct histstore s;
	struct chat c;
	struct err e = {0, ""};
	if (histstore_open(&s, argv[1], argv[2], NULL, NULL, &e) < 0 ||
	    chat_open(&c, &s, argv[3], &e) != 0) {
		fprintf(stderr, "writes_bench: %s\n", e.msg);
		return 1;
	}
	double now = 2e9;
	long long w0 = histtest_wchar();
	int rc = change(&c, argv[4], now, &e);
	if (rc == 0)
		rc = chat_save(&c, now, &e);
	chat_close(&c);
	long long w = histtest_wchar() - w0;
	histstore_close(&s);
	if (rc != 0) {
		fprintf(stderr, "writes_bench: %s failed: %s\n", argv[4], e.msg);
		return 1;
	}
	printf("%s: %lld bytes written\n", argv[4], w);
	return 0;
}
