/* test_history: the pure conversation model: tree, branch, JSON round trips, versions,
 * validation of damaged files, titles and times. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cherry/history.h"

#include "offsetalloc.h"

#define T0 1764398546.25 /* 2025-11-29T06:42:26.250Z */

/* A tree with two branches: m1 -> m2 -> m3 -> m4 and m1 -> m2 -> m5 -> m6 (current). */
static void make_tree(struct hist_conv *c)
{
	assert_int_equal(hist_conv_init(c, "abc123", T0), 0);
	assert_int_equal(hist_set_str(&c->title, "A \"tree\"\n"), 0);
	assert_int_equal(hist_set_str(&c->system, "be brief"), 0);
	assert_int_equal(hist_set_str(&c->model, "fo/echo"), 0);
	struct hist_msg *m = hist_add(c, NULL, "user", "hello", T0);
	assert_non_null(m);
	m = hist_add(c, "m1", "assistant", "hi \x1b[31m there\n```c\nint x;\n```\n", T0 + 1);
	assert_non_null(m);
	m->usage = (struct hist_usage){10, 20, 5, 0};
	m->ttft = 0.25;
	assert_int_equal(hist_set_str(&m->provider, "fo"), 0);
	assert_int_equal(hist_set_str(&m->reasoning, "thinking..."), 0);
	assert_non_null(hist_add(c, "m2", "user", "first follow-up", T0 + 2));
	m = hist_add(c, "m3", "assistant", "partial", T0 + 3);
	m->status = HIST_INTERRUPTED;
	assert_non_null(hist_add(c, "m2", "user", "edited follow-up \xc3\xa9", T0 + 4));
	m = hist_add(c, "m5", "assistant", "", T0 + 5);
	m->status = HIST_ERROR;
	c->msgs[3].best = 1; /* m4 */
	assert_int_equal(hist_set_str(&m->error, "fo: 500 server error"), 0);
	assert_string_equal(c->current, "m6");
}

static void assert_same(const struct hist_conv *a, const struct hist_conv *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->title, b->title);
	assert_string_equal(a->system, b->system);
	assert_string_equal(a->model, b->model);
	assert_string_equal(a->current, b->current);
	assert_true(a->created - b->created < 0.0011 && b->created - a->created < 0.0011);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct hist_msg *x = &a->msgs[i], *y = &b->msgs[i];
		assert_string_equal(x->id, y->id);
		if (x->parent)
			assert_string_equal(x->parent, y->parent);
		else
			assert_null(y->parent);
		assert_string_equal(x->role, y->role);
		assert_string_equal(x->content, y->content);
		assert_int_equal(!!x->reasoning, !!y->reasoning);
		assert_int_equal(!!x->error, !!y->error);
		assert_int_equal(x->status, y->status);
		assert_int_equal(x->usage.input, y->usage.input);
		assert_int_equal(x->usage.output, y->usage.output);
		assert_int_equal(x->usage.reasoning, y->usage.reasoning);
		assert_int_equal(x->usage.cached, y->usage.cached);
		assert_true(x->ttft == y->ttft);
		assert_int_equal(x->best, y->best);
		assert_true(x->updated - y->updated < 0.0011 && y->updated - x->updated < 0.0011);
	}
}

static void test_round_trip_tree(void **state)
{
	(void)state;
	struct hist_conv c, d;
	make_tree(&c);
	struct buf j = BUF_INIT, j2 = BUF_INIT;
	assert_int_equal(hist_to_json(&c, &j), 0);
	/* pretty-printed, versioned, ends with a newline */
	assert_non_null(strstr(j.data, "\n  \"version\": 1,\n"));
	assert_int_equal(j.data[j.len - 1], '\n');
	assert_non_null(strstr(j.data, "\"created\": \"2025-11-29T06:42:26.250Z\""));
	assert_non_null(strstr(j.data, "\"status\": \"interrupted\""));
	assert_non_null(strstr(j.data, "\"error\": \"fo: 500 server error\""));
	assert_non_null(strstr(j.data, "\"best\": true")); /* on m4 only */
	assert_null(strstr(strstr(j.data, "\"best\": true") + 1, "\"best\""));
	/* m6 (index 5) is the only answer to m5; a user message has none */
	size_t sib[8];
	assert_int_equal(hist_siblings(&c, 5, sib, 8), 1);
	assert_int_equal(sib[0], 5);
	assert_int_equal(hist_siblings(&c, 0, sib, 8), 0);
	struct err e = {0, ""};
	assert_int_equal(hist_from_json(j.data, j.len, &d, &e), HIST_LOAD_OK);
	assert_same(&c, &d);
	assert_string_equal(d.msgs[1].reasoning, "thinking...");
	assert_string_equal(d.msgs[5].error, "fo: 500 server error");
	/* and byte-identical when written again */
	assert_int_equal(hist_to_json(&d, &j2), 0);
	assert_string_equal(j.data, j2.data);
	/* new ids continue after the loaded ones */
	struct hist_msg *m = hist_add(&d, "m4", "user", "x", T0);
	assert_string_equal(m->id, "m7");
	hist_conv_free(&c);
	hist_conv_free(&d);
	buf_free(&j);
	buf_free(&j2);
}

/* A stored attachment's name (SHA-256 of "test"). */
static const char SHA[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/* A copy (hist_conv_dup, what a save written behind writes) shares nothing with the
 * original and saves as it does, every field set: attachments, tool calls and a result,
 * the provider's items, a note, an error, reasoning, a context break, usage. */
static void test_dup(void **state)
{
	(void)state;
	struct hist_conv c, d;
	make_tree(&c);
	assert_int_equal(hist_set_str(&c.system, "be brief"), 0);
	assert_int_equal(hist_msg_attach(&c.msgs[0], SHA, "a.pdf", "application/pdf", 9), 0);
	assert_int_equal(hist_msg_add_call(&c.msgs[1], "call_1", "fs__read", "{\"p\":1}", "sg"), 0);
	assert_int_equal(hist_msg_set_items(&c.msgs[1], "[{\"type\":\"reasoning\"}]"), 0);
	assert_int_equal(hist_msg_set_result(&c.msgs[2], "call_1", "fs__read", 1, 99), 0);
	assert_int_equal(hist_set_str(&c.msgs[3].note, "cut short by the length limit"), 0);
	c.msgs[3].context_break = 1;
	c.msgs[3].usage.input = 12;
	struct buf a = BUF_INIT, b = BUF_INIT;
	assert_int_equal(hist_to_json(&c, &a), 0);
	assert_int_equal(hist_conv_dup(&d, &c), 0);
	hist_conv_free(&c); /* nothing of it is left in the copy (ASan would say) */
	assert_int_equal(hist_to_json(&d, &b), 0);
	assert_string_equal(a.data, b.data);
	assert_non_null(strstr(b.data, "\"tool_calls\""));
	assert_non_null(strstr(b.data, "\"attachments\""));
	hist_conv_free(&d);
	buf_free(&a);
	buf_free(&b);
}

/* A message's attachments survive the file both ways; a bad reference is refused. */
static void test_attachments_round_trip(void **state)
{
	(void)state;
	struct hist_conv c, d;
	make_tree(&c);
	const char *sha = SHA;
	assert_int_equal(hist_msg_attach(&c.msgs[0], sha, "shot.png", "image/png", 1234), 0);
	assert_int_equal(hist_msg_attach(&c.msgs[0], sha, "notes.txt", "text/plain", 5), 0);
	assert_int_equal(hist_msg_attach(&c.msgs[0], "NOTHEX", "x", "text/plain", 1), -1);
	struct buf j = BUF_INIT;
	assert_int_equal(hist_to_json(&c, &j), 0);
	assert_non_null(strstr(j.data, "\"attachments\""));
	struct err e = {0, ""};
	assert_int_equal(hist_from_json(j.data, j.len, &d, &e), HIST_LOAD_OK);
	assert_int_equal(d.msgs[0].natt, 2);
	assert_string_equal(d.msgs[0].att[0].sha256, sha);
	assert_string_equal(d.msgs[0].att[0].name, "shot.png");
	assert_string_equal(d.msgs[0].att[1].media_type, "text/plain");
	assert_true(d.msgs[0].att[0].size == 1234);
	assert_int_equal(d.msgs[1].natt, 0);
	hist_conv_free(&c);
	hist_conv_free(&d);
	buf_free(&j);
}

static void test_branch(void **state)
{
	(void)state;
	struct hist_conv c;
	make_tree(&c);
	size_t *idx, n;
	assert_int_equal(hist_branch(&c, &idx, &n), 0);
	assert_int_equal(n, 4);
	const char *want[] = {"m1", "m2", "m5", "m6"};
	for (size_t i = 0; i < n; i++)
		assert_string_equal(c.msgs[idx[i]].id, want[i]);
	free(idx);
	assert_int_equal(hist_set_str(&c.current, "m4"), 0);
	assert_int_equal(hist_branch(&c, &idx, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(c.msgs[idx[2]].content, "first follow-up");
	free(idx);
	/* an unknown parent is refused */
	assert_null(hist_add(&c, "nope", "user", "x", T0));
	hist_conv_free(&c);

	assert_int_equal(hist_conv_init(&c, "e", T0), 0);
	assert_int_equal(hist_branch(&c, &idx, &n), 0);
	assert_int_equal(n, 0);
	assert_null(idx);
	hist_conv_free(&c);
}

static int load_str(const char *s, struct hist_conv *c, struct err *e)
{
	err_clear(e);
	return hist_from_json(s, strlen(s), c, e);
}

static void test_damaged(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		const char *why;
	} cases[] = {
		{"", "not valid JSON"},
		{"[]", "no JSON object"},
		{"{\"id\":\"a\",\"messages\":[]}", "version"},
		{"{\"version\":1,\"id\":\"../x\",\"messages\":[]}", "\"id\""},
		{"{\"version\":1,\"id\":\"a\"}", "messages"},
		{"{\"version\":1,\"id\":\"a\",\"messages\":[{\"id\":\"m1\",\"role\":\"user\"}],"
		 "\"current\":\"m1\"}", "content"},
		{"{\"version\":1,\"id\":\"a\",\"current\":\"m1\",\"messages\":[{\"id\":\"m1\","
		 "\"role\":\"user\",\"content\":\"x\",\"parent\":\"m9\"}]}", "parent"},
		{"{\"version\":1,\"id\":\"a\",\"current\":\"m1\",\"messages\":["
		 "{\"id\":\"m1\",\"role\":\"user\",\"content\":\"x\",\"parent\":\"m2\"},"
		 "{\"id\":\"m2\",\"role\":\"user\",\"content\":\"x\",\"parent\":\"m1\"}]}",
		 "cycle"},
		{"{\"version\":1,\"id\":\"a\",\"current\":\"m1\",\"messages\":["
		 "{\"id\":\"m1\",\"role\":\"user\",\"content\":\"x\"},"
		 "{\"id\":\"m1\",\"role\":\"user\",\"content\":\"y\"}]}", "twice"},
		{"{\"version\":1,\"id\":\"a\",\"current\":\"m7\",\"messages\":["
		 "{\"id\":\"m1\",\"role\":\"user\",\"content\":\"x\"}]}", "current"},
		{"{\"version\":1,\"id\":\"a\",\"current\":\"m1\",\"messages\":["
		 "{\"id\":\"m1\",\"role\":\"user\",\"content\":\"x\",\"status\":\"odd\"}]}",
		 "status"},
		{"{\"version\":1,\"id\":\"a\",\"current\":\"m1\",\"messages\":["
		 "{\"id\":\"m1\",\"role\":\"user\",\"content\":\"x\",\"created\":\"yesterday\"}]}",
		 "time"},
		{"{\"version\":1,\"id\":\"a\",\"current\":\"m1\",\"messages\":["
		 "{\"id\":\"m1\",\"role\":\"user\",\"content\":\"x\",\"best\":1}]}",
		 "\"best\""},
		{"{\"version\":1,\"version\":1,\"id\":\"a\",\"messages\":[]}", "not valid JSON"},
		{"{\"version\":1,\"id\":\"a\",\"messages\":[],\"title\":\"a\\u0000b\"}",
		 "not valid JSON"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct hist_conv c;
		struct err e;
		assert_int_equal(load_str(cases[i].json, &c, &e), HIST_LOAD_CORRUPT);
		if (!strstr(e.msg, cases[i].why))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg, cases[i].why);
		assert_null(strchr(e.msg, '\n'));
		assert_int_equal(c.n, 0);
		assert_null(c.msgs);
	}
}

/* A longer cycle that only a parent walk finds, and a parent listed after its child. */
static void test_tree_shapes(void **state)
{
	(void)state;
	struct hist_conv c;
	struct err e;
	assert_int_equal(load_str("{\"version\":1,\"id\":\"a\",\"current\":\"r\",\"messages\":["
				  "{\"id\":\"r\",\"role\":\"user\",\"content\":\"x\"},"
				  "{\"id\":\"p\",\"role\":\"user\",\"content\":\"x\",\"parent\":\"q\"},"
				  "{\"id\":\"q\",\"role\":\"user\",\"content\":\"x\",\"parent\":\"s\"},"
				  "{\"id\":\"s\",\"role\":\"user\",\"content\":\"x\",\"parent\":\"p\"}]}",
				  &c, &e), HIST_LOAD_CORRUPT);
	assert_non_null(strstr(e.msg, "cycle"));
	assert_int_equal(load_str("{\"version\":1,\"id\":\"a\",\"current\":\"c\",\"messages\":["
				  "{\"id\":\"c\",\"role\":\"user\",\"content\":\"x\",\"parent\":\"b\"},"
				  "{\"id\":\"b\",\"role\":\"user\",\"content\":\"y\",\"parent\":\"a\"},"
				  "{\"id\":\"a\",\"role\":\"user\",\"content\":\"z\"}]}",
				  &c, &e), HIST_LOAD_OK);
	assert_int_equal(hist_parent_of(&c, 0), 1);
	assert_int_equal(hist_parent_of(&c, 2), HIST_NONE);
	assert_int_equal(hist_first_child(&c, HIST_NONE), 2);
	assert_int_equal(hist_first_child(&c, 2), 1);
	/* the next id skips the taken ones */
	struct hist_msg *m = hist_add(&c, "c", "assistant", "w", T0);
	assert_non_null(m);
	assert_string_equal(m->id, "m1");
	assert_int_equal(hist_index_of(&c, "m1"), 3);
	hist_conv_free(&c);
}

/* Lookups and child lists through hist_add, and by scanning after the messages were
 * changed behind the index's back, agree. */
static void test_index(void **state)
{
	(void)state;
	struct hist_conv c;
	make_tree(&c);
	assert_int_equal(hist_index_of(&c, "m4"), 3);
	assert_null(hist_find(&c, "m9"));
	assert_null(hist_find(&c, NULL));
	assert_int_equal(hist_parent_of(&c, 0), HIST_NONE);
	assert_int_equal(hist_parent_of(&c, 4), 1);
	for (int pass = 0; pass < 2; pass++) {
		/* m2's children: m3 then m5 */
		assert_int_equal(hist_first_child(&c, 1), 2);
		assert_int_equal(hist_next_sibling(&c, 2), 4);
		assert_int_equal(hist_next_sibling(&c, 4), HIST_NONE);
		assert_int_equal(hist_last_child(&c, 1), 4);
		assert_int_equal(hist_first_child(&c, HIST_NONE), 0);
		assert_int_equal(hist_last_child(&c, 5), HIST_NONE);
		assert_int_equal(hist_index_of(&c, "m6"), 5);
		/* the second pass: the last message dropped by hand, so n no longer matches */
		if (!pass) {
			hist_set_str(&c.current, "m5");
			struct hist_msg *m6 = &c.msgs[--c.n];
			assert_int_equal(hist_index_of(&c, "m6"), HIST_NONE);
			assert_int_equal(hist_last_child(&c, 4), HIST_NONE);
			c.n++;
			(void)m6;
			assert_int_equal(hist_reindex(&c), 0);
		}
	}
	/* many messages: hashed lookups find each one */
	for (int i = 0; i < 3000; i++)
		assert_non_null(hist_add(&c, c.current, i % 2 ? "assistant" : "user", "x", T0));
	for (size_t i = 0; i < c.n; i++)
		assert_int_equal(hist_index_of(&c, c.msgs[i].id), i);
	size_t *idx, n;
	assert_int_equal(hist_branch(&c, &idx, &n), 0);
	assert_int_equal(n, 3003); /* m1 m2 m5 and the new ones */
	free(idx);
	hist_conv_free(&c);
}

static void test_newer_version(void **state)
{
	(void)state;
	struct hist_conv c;
	struct err e;
	const char *s = "{\"version\":7,\"id\":\"zz\",\"title\":\"t\",\"current\":\"m1\","
			"\"future\":{\"x\":1},\"messages\":[{\"id\":\"m1\",\"role\":\"user\","
			"\"content\":\"hi\",\"status\":\"levitating\"}]}";
	assert_int_equal(load_str(s, &c, &e), HIST_LOAD_NEWER);
	assert_true(c.version > HIST_FORMAT);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.msgs[0].content, "hi");
	assert_int_equal(c.msgs[0].status, HIST_INTERRUPTED);
	hist_conv_free(&c);
	/* an old, minimal file (no times, no usage) is fine */
	s = "{\"version\":1,\"id\":\"old\",\"messages\":[]}";
	assert_int_equal(load_str(s, &c, &e), HIST_LOAD_OK);
	assert_null(c.current);
	hist_conv_free(&c);
}

static void check_title(const char *prompt, const char *want)
{
	struct buf b = BUF_INIT;
	assert_int_equal(hist_make_title(prompt, &b), 0);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void test_titles(void **state)
{
	(void)state;
	check_title("  \n\t Fix my   C\tcode\nsecond line", "Fix my C code");
	check_title("", "(untitled)");
	check_title("\x1b[2J", "[2J");
	check_title("\xc3\xa9t\xc3\xa9 \xff", "\xc3\xa9t\xc3\xa9 \xef\xbf\xbd");
	char longp[200];
	memset(longp, 'a', sizeof longp - 1);
	longp[sizeof longp - 1] = '\0';
	char want[HIST_TITLE_MAX + 4];
	memset(want, 'a', HIST_TITLE_MAX);
	strcpy(want + HIST_TITLE_MAX, "...");
	check_title(longp, want);
	/* multibyte characters are never cut in half */
	struct buf p = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_append_str(&p, "\xe2\x82\xac");
	struct buf b = BUF_INIT;
	assert_int_equal(hist_make_title(p.data, &b), 0);
	assert_int_equal(b.len, HIST_TITLE_MAX * 3 + 3);
	buf_free(&b);
	buf_free(&p);
}

/* The reference: whether message i is root or below it, walking its ancestors. */
static int ref_under(const struct hist_conv *c, size_t i, const char *root_id)
{
	const struct hist_msg *m = &c->msgs[i];
	for (size_t steps = 0; m && steps <= c->n; steps++) {
		if (!strcmp(m->id, root_id))
			return 1;
		m = m->parent ? hist_find(c, m->parent) : NULL;
	}
	return 0;
}

/* Deleting a subtree removes exactly the messages below it (whatever the tree's shape),
 * and when the current message goes, the current becomes the newest leaf under the
 * newest sibling left (else the parent); a 20,000-message chain deleted near its top in
 * one pass, not once per message per ancestor. */
static void test_delete_subtree(void **state)
{
	(void)state;
	srand(7);
	for (int trial = 0; trial < 200; trial++) {
		struct hist_conv c;
		assert_int_equal(hist_conv_init(&c, "t", 1.0), 0);
		size_t n = 2 + (size_t)(rand() % 60);
		for (size_t i = 0; i < n; i++) {
			char parent[64] = ""; /* copied: hist_add may move the messages */
			if (i && rand() % 4)
				snprintf(parent, sizeof parent, "%s", c.msgs[rand() % (int)i].id);
			assert_non_null(hist_add(&c, parent[0] ? parent : NULL,
						 i % 2 ? "assistant" : "user", "x", 1.0));
		}
		size_t root = (size_t)rand() % n;
		assert_int_equal(hist_set_str(&c.current, c.msgs[rand() % (int)n].id), 0);
		/* what the reference says goes, and what stays */
		char root_id[64], parent_id[64] = "";
		snprintf(root_id, sizeof root_id, "%s", c.msgs[root].id);
		if (c.msgs[root].parent)
			snprintf(parent_id, sizeof parent_id, "%s", c.msgs[root].parent);
		char (*kept)[64] = calloc(n, sizeof *kept);
		assert_non_null(kept);
		size_t nk = 0;
		int cur_gone = 0;
		for (size_t i = 0; i < n; i++) {
			if (!ref_under(&c, i, root_id))
				snprintf(kept[nk++], sizeof kept[0], "%s", c.msgs[i].id);
			else
				cur_gone |= !strcmp(c.msgs[i].id, c.current);
		}
		char cur_before[64];
		snprintf(cur_before, sizeof cur_before, "%s", c.current);
		assert_int_equal(hist_delete_subtree(&c, root), (int)(n - nk));
		assert_int_equal(c.n, nk);
		for (size_t i = 0; i < nk; i++)
			assert_string_equal(c.msgs[i].id, kept[i]);
		if (!cur_gone) {
			assert_string_equal(c.current, cur_before);
		} else {
			/* the newest sibling left (else the parent), then newest children down */
			const char *to = parent_id[0] ? parent_id : NULL;
			for (size_t i = c.n; i-- > 0;)
				if (parent_id[0] ? c.msgs[i].parent && !strcmp(c.msgs[i].parent, parent_id)
						 : !c.msgs[i].parent) {
					to = c.msgs[i].id;
					break;
				}
			for (int more = 1; to && more;) {
				more = 0;
				for (size_t i = c.n; i-- > 0;)
					if (c.msgs[i].parent && !strcmp(c.msgs[i].parent, to)) {
						to = c.msgs[i].id;
						more = 1;
						break;
					}
			}
			if (to)
				assert_string_equal(c.current, to);
			else
				assert_null(c.current);
		}
		free(kept);
		hist_conv_free(&c);
	}
	/* a long chain, deleted from its third message */
	struct hist_conv c;
	assert_int_equal(hist_conv_init(&c, "t", 1.0), 0);
	for (size_t i = 0; i < 20000; i++)
		assert_non_null(hist_add(&c, c.current, i % 2 ? "assistant" : "user", "x", 1.0));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(hist_delete_subtree(&c, 2), 19998);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.current, c.msgs[1].id);
	print_message("# 19,998 messages of a 20,000-message chain deleted in %.1f ms\n",
		      (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	hist_conv_free(&c);
}

static void test_ids_status_time(void **state)
{
	(void)state;
	assert_true(hist_id_valid("abc-DEF_09"));
	assert_false(hist_id_valid(""));
	assert_false(hist_id_valid(".x"));
	assert_false(hist_id_valid("a/b"));
	assert_false(hist_id_valid("a.json"));
	char longid[HIST_ID_MAX + 2];
	memset(longid, 'a', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	assert_false(hist_id_valid(longid));
	longid[HIST_ID_MAX] = '\0';
	assert_true(hist_id_valid(longid));
	for (int s = HIST_COMPLETE; s <= HIST_INTERRUPTED; s++)
		assert_int_equal(hist_status_parse(hist_status_name((enum hist_status)s)), s);
	assert_int_equal(hist_status_parse("done"), -1);
	double t;
	assert_int_equal(hist_parse_time("2026-01-31T12:00:00Z", &t), 0);
	assert_true(t == 1769860800.0);
	assert_int_equal(hist_parse_time("2026-01-31T12:00:00.5Z", &t), 0);
	assert_true(t == 1769860800.5);
	assert_int_equal(hist_parse_time("2026-01-31 12:00:00Z", &t), -1);
	assert_int_equal(hist_parse_time("2026-01-31T12:00:00", &t), -1);
	assert_int_equal(hist_parse_time("2026-13-31T12:00:00Z", &t), -1);
	char out[32];
	hist_format_time(1769860800.5, out);
	assert_string_equal(out, "2026-01-31T12:00:00.500Z");
	hist_format_time(-5, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
}

int main(void)
{
	offsetalloc_use();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_tree),
		cmocka_unit_test(test_attachments_round_trip),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_branch),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_tree_shapes),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_ids_status_time),
		cmocka_unit_test(test_delete_subtree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
