/* test_chat: the conversation session of both faces (send, stream, partial saves on the
 * caller's tick, retry, siblings, read-only copies between processes, newer files,
 * setters, delete, failed saves, a read-only directory, no-save, the ask flow with -c)
 * and app_known_models over config and cached lists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cherry/app.h"
#include "cherry/chat.h"
#include "cherry/config.h"
#include "cherry/fsutil.h"

#include "harness.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)

static char root[512];
static char data[600];
static char cache[600];
static char state[600];
static char convdir[700];
static struct histstore st;

static int setup(void **unused)
{
	(void)unused;
	const char *base = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/cherry-chat-XXXXXX",
		 base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(root))
		return -1;
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	snprintf(state, sizeof state, "%s/state", root);
	snprintf(convdir, sizeof convdir, "%s/conversations", data);
	setenv("XDG_STATE_HOME", state, 1);
	setenv("XDG_CACHE_HOME", cache, 1);
	struct err e = {0, ""};
	if (histstore_open(&st, data, cache, NULL, NULL, &e) < 0) {
		fprintf(stderr, "histstore_open: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	histstore_close(&st);
	return harness_rm_tree(root);
}

static char *conv_file(const char *id)
{
	char p[900];
	FMT(p, "%s/%s.json", convdir, id);
	return harness_read_file(p, NULL);
}

static int exists(const char *id, const char *ext)
{
	char p[900];
	FMT(p, "%s/%s%s", convdir, id, ext);
	struct stat sb;
	return lstat(p, &sb) == 0;
}

/* The conversation as on disk now (loaded without its lock). */
static void load_disk(const char *id, struct hist_conv *c)
{
	struct err e = {0, ""};
	int rc = histstore_load(&st, id, 0, c, &e);
	if (rc < 0)
		fail_msg("load %s: %s", id, e.msg);
}

static char *json_of(const struct hist_conv *c)
{
	struct buf b = BUF_INIT;
	assert_int_equal(hist_to_json(c, &b), 0);
	return buf_steal(&b);
}

/* Sends prompt and streams answer in one delta, then finishes it (complete). */
static size_t exchange(struct chat *c, const char *prompt, const char *answer, double t)
{
	struct err e = {0, ""};
	size_t a;
	int rc = chat_send(c, prompt, "fo", "echo", t, &a, &e);
	assert_true(rc == 0 || rc == 1);
	if (*answer)
		chat_delta(c, a, answer, strlen(answer), 0, t + 0.1);
	assert_int_equal(chat_finish(c, a, HIST_COMPLETE, NULL, NULL, 0.25, t + 0.2, &e), 0);
	assert_int_equal(chat_save(c, t + 0.2, &e), 0);
	return a;
}

/* A new conversation with the prompt "q" sent at t and saved; the answer's index. */
static size_t new_sent(struct chat *c, double t)
{
	struct err e = {0, ""};
	size_t a;
	assert_int_equal(chat_new(c, &st, t, &e), 0);
	assert_int_equal(chat_send(c, "q", "fo", "echo", t, &a, &e), 0);
	assert_int_equal(chat_save(c, t, &e), 0);
	return a;
}

/* A new conversation with one finished exchange, saved and closed; id gets its id. */
static void saved_exchange(char id[HIST_ID_MAX + 1], const char *prompt, const char *answer)
{
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	exchange(&c, prompt, answer, 11.0);
	snprintf(id, HIST_ID_MAX + 1, "%s", c.conv.id);
	chat_close(&c);
}

static void test_new_send_stream_reopen(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 1000.0, &e), 0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	assert_true(hist_id_valid(id));
	/* nothing on disk before the first send, not even the lock */
	assert_false(exists(id, ".json"));
	assert_false(exists(id, ".lock"));
	assert_int_equal(c.lock_fd, -1);

	size_t a;
	assert_int_equal(chat_send(&c, "  \n  Hello\tthere\n second line", "fo", "echo", 1001.0,
				   &a, &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(a, 1);
	/* a send only changes memory; the caller's save writes it and takes the lock */
	assert_true(c.dirty || c.tail);
	assert_false(c.on_disk);
	assert_false(exists(id, ".json"));
	assert_int_equal(c.lock_fd, -1);
	assert_int_equal(chat_save(&c, 1001.0, &e), 0);
	assert_false(c.dirty || c.tail);
	assert_true(c.on_disk);
	assert_true(c.lock_fd >= 0);
	assert_string_equal(c.conv.title, "Hello there");
	assert_string_equal(c.conv.model, "fo/echo");
	assert_string_equal(c.conv.current, c.conv.msgs[1].id);
	assert_int_equal(c.conv.msgs[1].status, HIST_INTERRUPTED);
	assert_string_equal(c.conv.msgs[1].provider, "fo");
	assert_string_equal(c.conv.msgs[1].model, "echo");
	/* the file exists at once, private */
	char p[900];
	struct stat sb;
	FMT(p, "%s/%s.json", convdir, id);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	chat_delta(&c, a, "Hi", 2, 0, 1001.1);
	chat_delta(&c, a, "thinking", 8, 1, 1001.2);
	chat_delta(&c, a, " there", 6, 0, 1001.3);
	chat_delta(&c, a, "\0!", 2, 0, 1001.35); /* the NUL is dropped */
	struct wire_usage u = {10, 20, 5, -1};
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, &u, 0.42, 1001.4, &e), 0);
	assert_string_equal(c.conv.msgs[1].content, "Hi there!");
	assert_string_equal(c.conv.msgs[1].reasoning, "thinking");
	assert_true(c.dirty || c.tail);
	assert_int_equal(chat_save(&c, 1001.4, &e), 0);
	assert_false(c.dirty || c.tail);
	assert_int_equal(chat_save(&c, 1001.5, &e), 0); /* nothing to do */
	char *mem = json_of(&c.conv);
	chat_close(&c);
	assert_int_equal(c.lock_fd, -1);

	/* reopened by a prefix: the same conversation, byte for byte */
	char prefix[8];
	FMT(prefix, "%.5s", id);
	assert_int_equal(chat_open(&c, &st, prefix, &e), 0);
	assert_int_equal(e.code, 0);
	assert_false(c.readonly);
	assert_string_equal(c.conv.id, id);
	char *again = json_of(&c.conv);
	assert_string_equal(again, mem);
	assert_int_equal(c.conv.msgs[1].status, HIST_COMPLETE);
	assert_int_equal(c.conv.msgs[1].usage.output, 20);
	assert_int_equal(c.conv.msgs[1].usage.cached, -1);
	/* the next send continues the branch */
	assert_int_equal(chat_send(&c, "more", "fo", "other", 1002.0, &a, &e), 0);
	assert_int_equal(a, 3);
	assert_string_equal(c.conv.msgs[2].parent, c.conv.msgs[1].id);
	assert_string_equal(c.conv.title, "Hello there"); /* titled once */
	assert_string_equal(c.conv.model, "fo/other");
	chat_close(&c);
	free(mem);
	free(again);
}

static void test_open_errors(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_open(&c, &st, "nothere", &e), -1);
	assert_string_equal(e.msg, "no conversation nothere");
	assert_int_equal(c.lock_fd, -1);
	chat_close(&c); /* harmless */
	/* a corrupt file: histstore's line, moved aside, c empty */
	char p[900];
	FMT(p, "%s/broken.json", convdir);
	assert_int_equal(fs_write_atomic(p, "{not json", 9, &e), 0);
	err_clear(&e);
	assert_int_equal(chat_open(&c, &st, "broken", &e), -1);
	assert_non_null(strstr(e.msg, "conversation broken cannot be read"));
	assert_non_null(strstr(e.msg, "moved to"));
	assert_int_equal(c.lock_fd, -1);
	assert_int_equal(c.conv.n, 0);
	assert_false(exists("broken", ".json"));
	chat_close(&c);
}

static void test_partial_saves(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	size_t a = new_sent(&c, 100.0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	struct hist_conv d;
	chat_delta(&c, a, "a", 1, 0, 100.1);
	chat_delta(&c, a, "b", 1, 0, 100.4);
	assert_int_equal(chat_tick(&c, 100.45, &e), 0); /* not yet: under the interval */
	chat_delta(&c, a, "c", 1, 0, 100.5);
	load_disk(id, &d);
	assert_string_equal(d.msgs[1].content, ""); /* a delta never saves, however late */
	hist_conv_free(&d);
	assert_int_equal(chat_saved_len(&c, a), 0);
	assert_int_equal(chat_tick(&c, 100.5, &e), 1); /* 0.5 s since the send's save */
	assert_int_equal(chat_saved_len(&c, a), 3);
	load_disk(id, &d);
	assert_string_equal(d.msgs[1].content, "abc");
	assert_int_equal(d.msgs[1].status, HIST_INTERRUPTED);
	hist_conv_free(&d);
	chat_delta(&c, a, "d", 1, 0, 100.6);
	assert_int_equal(chat_tick(&c, 100.9, &e), 0);
	assert_int_equal(chat_tick(&c, 101.0, &e), 1); /* the timer path catches up */
	load_disk(id, &d);
	assert_string_equal(d.msgs[1].content, "abcd");
	hist_conv_free(&d);
	assert_int_equal(chat_tick(&c, 105.0, &e), 0); /* nothing unsaved */
	/* close saves the rest and leaves an unfinished answer interrupted */
	chat_delta(&c, a, "e", 1, 1, 105.1);
	chat_close(&c);
	load_disk(id, &d);
	assert_string_equal(d.msgs[1].content, "abcd");
	assert_string_equal(d.msgs[1].reasoning, "e");
	assert_int_equal(d.msgs[1].status, HIST_INTERRUPTED);
	hist_conv_free(&d);
	assert_int_equal(e.code, 0);
}

static void test_retry_and_request_msgs(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	size_t a;
	assert_int_equal(chat_retry(&c, "fo", "echo", 10.0, &a, &e), 1); /* nothing yet */
	size_t a1 = exchange(&c, "q1", "a1", 11.0);
	assert_int_equal(chat_retry(&c, "fo", "again", 12.0, &a, &e), 0);
	assert_int_equal(a, 2);
	assert_string_equal(c.conv.msgs[a].parent, c.conv.msgs[0].id);
	assert_string_equal(c.conv.msgs[a].role, "assistant");
	assert_string_equal(c.conv.msgs[a].content, "");
	assert_string_equal(c.conv.msgs[a].model, "again");
	assert_string_equal(c.conv.model, "fo/again");
	assert_string_equal(c.conv.current, c.conv.msgs[a].id);
	struct wire_msg *w;
	size_t n;
	assert_int_equal(chat_request_msgs(&c, a, &w, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].role, "user");
	assert_string_equal(w[0].content, "q1");
	free(w);
	chat_delta(&c, a, "a2", 2, 0, 12.1);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, -1, 12.2, &e), 0);
	size_t pos, count;
	chat_siblings(&c, a1, &pos, &count);
	assert_int_equal(pos, 0);
	assert_int_equal(count, 2);
	chat_siblings(&c, a, &pos, &count);
	assert_int_equal(pos, 1);
	assert_int_equal(count, 2);
	chat_siblings(&c, 0, &pos, &count);
	assert_int_equal(pos, 0);
	assert_int_equal(count, 1);

	/* a failed answer without text is left out of later requests */
	size_t q2a;
	assert_int_equal(chat_send(&c, "q2", "fo", "echo", 13.0, &q2a, &e), 0);
	assert_int_equal(chat_finish(&c, q2a, HIST_ERROR, "HTTP 500: boom", NULL, -1, 13.1, &e), 0);
	assert_string_equal(c.conv.msgs[q2a].error, "HTTP 500: boom");
	assert_int_equal(chat_send(&c, "q3", "fo", "echo", 14.0, &a, &e), 0);
	assert_int_equal(chat_request_msgs(&c, a, &w, &n), 0);
	assert_int_equal(n, 4);
	const char *want[][2] = {{"user", "q1"}, {"assistant", "a2"}, {"user", "q2"},
				 {"user", "q3"}};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(w[i].role, want[i][0]);
		assert_string_equal(w[i].content, want[i][1]);
	}
	free(w);
	assert_int_equal(chat_request_msgs(&c, 99, &w, &n), -1);
	/* the error survives a reload; the branch is q1 a2 q2 err q3 answer */
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	chat_close(&c);
	struct hist_conv d;
	load_disk(id, &d);
	assert_int_equal(d.n, 7);
	assert_int_equal(d.msgs[4].status, HIST_ERROR);
	assert_string_equal(d.msgs[4].error, "HTTP 500: boom");
	size_t *idx, k;
	assert_int_equal(hist_branch(&d, &idx, &k), 0);
	assert_int_equal(k, 6);
	assert_string_equal(d.msgs[idx[1]].content, "a2");
	free(idx);
	hist_conv_free(&d);
}

static void test_switch_siblings(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	size_t a1 = exchange(&c, "q1", "a1", 11.0), a2, b2, b3;
	assert_int_equal(chat_retry(&c, "fo", "echo", 12.0, &a2, &e), 0);
	chat_delta(&c, a2, "a2", 2, 0, 12.1);
	b2 = exchange(&c, "q2", "b2", 13.0);
	assert_int_equal(chat_retry(&c, "fo", "echo", 14.0, &b3, &e), 0);
	assert_string_equal(c.conv.msgs[b3].parent, c.conv.msgs[b2].parent);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);

	assert_int_equal(chat_switch_sibling(&c, a2, 1, 15.0, &e), 1); /* no next */
	assert_int_equal(chat_switch_sibling(&c, a1, -1, 15.0, &e), 1); /* no previous */
	assert_int_equal(chat_switch_sibling(&c, a2, -1, 15.0, &e), 0);
	assert_string_equal(c.conv.current, c.conv.msgs[a1].id); /* a1 has no children */
	assert_int_equal(chat_save(&c, 15.0, &e), 0);
	struct hist_conv d;
	load_disk(id, &d);
	assert_string_equal(d.current, c.conv.msgs[a1].id); /* saved */
	hist_conv_free(&d);
	size_t *idx, k;
	assert_int_equal(chat_branch(&c, &idx, &k), 0);
	assert_int_equal(k, 2);
	free(idx);
	/* back: down a2's newest children, q2 then its newest answer b3 */
	assert_int_equal(chat_switch_sibling(&c, a1, 1, 16.0, &e), 0);
	assert_string_equal(c.conv.current, c.conv.msgs[b3].id);
	/* and between b2 and b3 */
	assert_int_equal(chat_switch_sibling(&c, b3, -1, 17.0, &e), 0);
	assert_string_equal(c.conv.current, c.conv.msgs[b2].id);
	size_t pos, count;
	chat_siblings(&c, b2, &pos, &count);
	assert_int_equal(pos, 0);
	assert_int_equal(count, 2);
	assert_int_equal(e.code, 0);
	chat_close(&c);
	load_disk(id, &d);
	assert_string_equal(d.current, d.msgs[b2].id);
	hist_conv_free(&d);
}

/* The original file and lock are never touched; sending copies the current branch. */
static void test_locked_elsewhere_forks(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	exchange(&c, "q1", "a1", 11.0);
	size_t a;
	assert_int_equal(chat_retry(&c, "fo", "echo", 12.0, &a, &e), 0);
	chat_delta(&c, a, "a2", 2, 0, 12.1);
	assert_int_equal(chat_finish(&c, a, HIST_STOPPED, NULL, NULL, -1, 12.2, &e), 0);
	assert_int_equal(chat_set_system(&c, "sys", 12.3, &e), 0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	chat_close(&c);
	char *before = conv_file(id);
	assert_non_null(before);

	/* another holder of the lock (flock conflicts between open files, as between
	 * processes) */
	int other;
	long pid;
	assert_int_equal(histstore_lock(&st, id, &other, &pid, &e), 0);
	assert_int_equal(chat_open(&c, &st, id, &e), 1);
	char want[200];
	FMT(want, "conversation %s is open in another cherry (pid %ld); read-only: sending "
	    "starts a new conversation", id, (long)getpid());
	assert_string_equal(e.msg, want);
	assert_true(c.readonly);
	assert_int_equal(c.lock_fd, -1);
	assert_int_equal(c.conv.n, 3);
	/* browsing and setters stay in memory */
	assert_int_equal(chat_switch_sibling(&c, 2, -1, 13.0, &e), 0);
	assert_int_equal(chat_switch_sibling(&c, 1, 1, 13.0, &e), 0);
	assert_int_equal(chat_rename(&c, "renamed", 13.0, &e), 0);
	assert_int_equal(chat_tick(&c, 20.0, &e), 0);
	assert_int_equal(chat_delete(&c, &e), -1);
	assert_non_null(strstr(e.msg, "is open in another cherry"));
	assert_non_null(strstr(e.msg, "not deleted"));
	char *now = conv_file(id);
	assert_string_equal(now, before);
	free(now);

	err_clear(&e);
	assert_int_equal(chat_send(&c, "q2", "fo", "echo", 14.0, &a, &e), 1);
	assert_false(c.readonly);
	char nid[HIST_ID_MAX + 1];
	FMT(nid, "%s", c.conv.id);
	assert_string_not_equal(nid, id);
	FMT(want, "conversation %s is open in another cherry (pid %ld); continuing in a new "
	    "conversation %s with a copy of it", id, (long)getpid(), nid);
	assert_string_equal(e.msg, want);
	/* the copy: the current branch only (q1, a2), then the new exchange */
	assert_int_equal(c.conv.n, 4);
	assert_int_equal(a, 3);
	assert_string_equal(c.conv.msgs[1].content, "a2");
	assert_int_equal(c.conv.msgs[1].status, HIST_STOPPED);
	assert_string_equal(c.conv.msgs[2].content, "q2");
	assert_string_equal(c.conv.title, "renamed");
	assert_string_equal(c.conv.system, "sys");
	struct wire_msg *w;
	size_t n;
	assert_int_equal(chat_request_msgs(&c, a, &w, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(w[1].content, "a2");
	free(w);
	chat_delta(&c, a, "b", 1, 0, 14.1);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, -1, 14.2, &e), 0);
	chat_close(&c);
	now = conv_file(id);
	assert_string_equal(now, before);
	free(now);
	struct hist_conv d;
	load_disk(nid, &d);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.msgs[3].content, "b");
	assert_int_equal(d.version, 1); /* no context break: still version 1 */
	hist_conv_free(&d);
	histstore_unlock(&st, id, other);
	free(before);
}

static void test_newer_format(void **unused)
{
	(void)unused;
	struct hist_conv v;
	assert_int_equal(hist_conv_init(&v, "future", 50.0), 0);
	assert_non_null(hist_add(&v, NULL, "user", "old q", 50.0));
	assert_non_null(hist_add(&v, v.current, "assistant", "old a", 51.0));
	struct buf b = BUF_INIT;
	assert_int_equal(hist_to_json(&v, &b), 0);
	hist_conv_free(&v);
	char *ver = strstr(b.data, "\"version\": 1,");
	assert_non_null(ver);
	ver[11] = '9';
	char p[900];
	struct err e = {0, ""};
	FMT(p, "%s/future.json", convdir);
	assert_int_equal(fs_write_atomic(p, b.data, b.len, &e), 0);

	struct chat c;
	assert_int_equal(chat_open(&c, &st, "future", &e), 1);
	assert_string_equal(e.msg, "conversation future was written by a newer cherry; "
			    "read-only: sending starts a new conversation");
	assert_true(c.readonly);
	assert_true(c.conv.version > HIST_FORMAT);
	assert_int_equal(chat_set_model(&c, "fo/x", 60.0, &e), 0);
	chat_close(&c);
	char *now = harness_read_file(p, NULL);
	assert_string_equal(now, b.data);
	free(now);

	err_clear(&e);
	assert_int_equal(chat_open(&c, &st, "future", &e), 1);
	err_clear(&e);
	size_t a;
	assert_int_equal(chat_send(&c, "new q", "fo", "echo", 61.0, &a, &e), 1);
	assert_non_null(strstr(e.msg, "conversation future was written by a newer cherry; "
			       "continuing in a new conversation"));
	assert_int_equal(c.conv.version, HIST_FORMAT);
	assert_int_equal(c.conv.n, 4);
	char nid[HIST_ID_MAX + 1];
	FMT(nid, "%s", c.conv.id);
	chat_close(&c);
	now = harness_read_file(p, NULL);
	assert_string_equal(now, b.data);
	free(now);
	struct hist_conv d;
	load_disk(nid, &d);
	assert_string_equal(d.msgs[1].content, "old a");
	assert_string_equal(d.msgs[2].content, "new q");
	hist_conv_free(&d);
	buf_free(&b);
}

static void test_rename_system_model(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	/* before the first send: kept for it, nothing written */
	assert_int_equal(chat_rename(&c, "My   chat\nignored", 10.1, &e), 0);
	assert_int_equal(chat_set_system(&c, "be brief", 10.2, &e), 0);
	assert_int_equal(chat_set_model(&c, "fo/echo", 10.3, &e), 0);
	assert_false(exists(id, ".json"));
	assert_int_equal(chat_set_model(&c, "nomodel", 10.3, &e), -1);
	assert_int_equal(e.code, EXIT_USAGE);
	assert_string_equal(e.msg, "\"nomodel\" is not PROVIDER/MODEL");
	err_clear(&e);
	exchange(&c, "first prompt", "x", 11.0);
	struct hist_conv d;
	load_disk(id, &d);
	assert_string_equal(d.title, "My chat");
	assert_string_equal(d.system, "be brief");
	assert_string_equal(d.model, "fo/echo");
	hist_conv_free(&d);
	/* on disk: changes wait for the save */
	char longt[200];
	memset(longt, 'x', 70);
	longt[70] = '\0';
	assert_int_equal(chat_rename(&c, longt, 12.0, &e), 0);
	assert_int_equal(chat_set_system(&c, "", 12.0, &e), 0);
	assert_int_equal(chat_set_model(&c, "other/m/with/slash", 12.0, &e), 0);
	load_disk(id, &d);
	assert_string_equal(d.title, "My chat");
	hist_conv_free(&d);
	assert_int_equal(chat_save(&c, 12.0, &e), 0);
	load_disk(id, &d);
	assert_int_equal(strlen(d.title), HIST_TITLE_MAX + 3);
	assert_string_equal(d.title + HIST_TITLE_MAX, "...");
	assert_null(d.system);
	assert_string_equal(d.model, "other/m/with/slash");
	hist_conv_free(&d);
	assert_int_equal(chat_rename(&c, " \t", 13.0, &e), 0);
	assert_int_equal(chat_set_model(&c, NULL, 13.0, &e), 0);
	assert_null(chat_model(&c));
	assert_int_equal(chat_save(&c, 13.0, &e), 0);
	load_disk(id, &d);
	assert_null(d.title);
	assert_null(d.model);
	hist_conv_free(&d);
	/* untitled again: the next send titles it */
	exchange(&c, "second", "y", 14.0);
	assert_string_equal(c.conv.title, "second");
	assert_int_equal(e.code, 0);
	chat_close(&c);
}

static void test_delete(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	/* a new one: nothing to remove */
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	assert_int_equal(chat_delete(&c, &e), 0);
	assert_int_equal(c.lock_fd, -1);
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	exchange(&c, "q", "a", 11.0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	assert_true(exists(id, ".json"));
	assert_true(exists(id, ".lock"));
	assert_int_equal(chat_delete(&c, &e), 0);
	assert_int_equal(e.code, 0);
	assert_false(exists(id, ".json"));
	assert_false(exists(id, ".lock"));
	assert_int_equal(c.conv.n, 0);
	assert_int_equal(c.lock_fd, -1);
	chat_close(&c); /* closed already: harmless, writes nothing */
	assert_false(exists(id, ".json"));
	assert_int_equal(chat_open(&c, &st, id, &e), -1);
}

static void test_export_md(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	assert_int_equal(chat_set_system(&c, "sys", 10.0, &e), 0);
	exchange(&c, "q1", "```c\nint x;\n```", 11.0);
	size_t a;
	assert_int_equal(chat_send(&c, "q2", "fo", "echo", 12.0, &a, &e), 0);
	chat_delta(&c, a, "part", 4, 0, 12.1);
	assert_int_equal(chat_finish(&c, a, HIST_STOPPED, NULL, NULL, -1, 12.2, &e), 0);
	struct buf md = BUF_INIT;
	assert_int_equal(chat_export_md(&c, &md), 0);
	assert_string_equal(md.data, "# q1\n\n## System\n\nsys\n\n## User\n\nq1\n\n"
			    "## Assistant (fo/echo)\n\n```c\nint x;\n```\n\n## User\n\nq2\n\n"
			    "## Assistant (fo/echo) [stopped]\n\npart\n");
	buf_free(&md);
	chat_close(&c);
}

/* A full disk (a file-size limit of 0 here: tests run as root, where a read-only
 * directory would not stop us) loses nothing and says so once. */
static void test_save_failure(void **unused)
{
	(void)unused;
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl, zero;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	zero = rl;
	zero.rlim_cur = 0;
	struct chat c;
	struct err e = {0, ""};

	/* the first save cannot write: still sent, reported, saved later */
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	size_t a;
	assert_int_equal(chat_send(&c, "q", "fo", "echo", 10.0, &a, &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &zero), 0);
	int rc = chat_save(&c, 10.0, &e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, EXIT_FAIL);
	assert_non_null(strstr(e.msg, "conversation not saved: cannot save"));
	assert_non_null(strstr(e.msg, strerror(EFBIG)));
	assert_false(exists(id, ".json"));
	assert_false(c.on_disk);
	err_clear(&e);
	assert_int_equal(chat_tick(&c, 10.2, &e), 0); /* the interval counts from the attempt */
	assert_int_equal(chat_tick(&c, 10.5, &e), 1);
	assert_int_equal(e.code, 0);
	assert_true(exists(id, ".json"));

	/* streaming into a full disk: one report, data kept, recovered by the next tick */
	chat_delta(&c, a, "one ", 4, 0, 10.6);
	assert_int_equal(chat_tick(&c, 11.0, &e), 1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &zero), 0);
	chat_delta(&c, a, "two ", 4, 0, 11.5);   /* no save attempt in a delta */
	int t1 = chat_tick(&c, 11.3, &e);        /* under the interval: not yet */
	int t2 = chat_tick(&c, 11.6, &e);        /* fails: reported */
	struct err first = e;
	err_clear(&e);
	chat_delta(&c, a, "three", 5, 0, 12.1);
	int t3 = chat_tick(&c, 12.2, &e);        /* fails again: not reported */
	int f = chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, 12.6, &e);
	int s1 = chat_save(&c, 12.6, &e);        /* nor here */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_int_equal(t1, 0);
	assert_int_equal(t2, -1);
	assert_int_equal(first.code, EXIT_FAIL);
	assert_non_null(strstr(first.msg, "conversation not saved: cannot save"));
	assert_int_equal(t3, -1);
	assert_int_equal(f, 0);
	assert_int_equal(s1, -1);
	assert_int_equal(e.code, 0);
	assert_string_equal(c.conv.msgs[a].content, "one two three");
	struct hist_conv d;
	load_disk(id, &d);
	assert_string_equal(d.msgs[1].content, "one "); /* the last good save, whole */
	assert_int_equal(d.msgs[1].status, HIST_INTERRUPTED);
	hist_conv_free(&d);
	assert_int_equal(chat_tick(&c, 12.8, &e), 0);
	assert_int_equal(chat_tick(&c, 13.1, &e), 1);
	load_disk(id, &d);
	assert_string_equal(d.msgs[1].content, "one two three");
	assert_int_equal(d.msgs[1].status, HIST_COMPLETE);
	hist_conv_free(&d);

	/* after a good save, a new failure is reported again */
	assert_int_equal(chat_rename(&c, "t", 13.5, &e), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &zero), 0);
	rc = chat_save(&c, 13.5, &e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "conversation not saved"));
	chat_close(&c); /* and close retries */
	load_disk(id, &d);
	assert_string_equal(d.title, "t");
	hist_conv_free(&d);
	signal(SIGXFSZ, old);
}

/* Two processes: the child holds "shared" and writes into it; the parent, told so, works
 * in a copy of the branch as it was on disk; neither loses the other's exchange. */
static void test_two_processes_lock(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	char id[HIST_ID_MAX + 1];
	saved_exchange(id, "first", "answer");
	int ready[2], go[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the other cherry: continues the conversation, answers, waits, finishes */
		struct chat cc;
		struct err ce = {0, ""};
		size_t ca;
		int ok = chat_open(&cc, &st, id, &ce) == 0 &&
			 chat_send(&cc, "child prompt", "fo", "echo", 20.0, &ca, &ce) == 0 &&
			 chat_save(&cc, 20.0, &ce) == 0;
		char b = ok ? 'y' : 'n';
		if (write(ready[1], &b, 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(3);
		chat_delta(&cc, ca, "child answer", 12, 0, 21.0);
		ok = ok && chat_finish(&cc, ca, HIST_COMPLETE, NULL, NULL, 0.1, 21.0, &ce) == 0 &&
		     chat_save(&cc, 21.0, &ce) == 0;
		chat_close(&cc);
		_exit(ok ? 0 : 1);
	}
	char b = 0;
	assert_int_equal(read(ready[0], &b, 1), 1);
	assert_int_equal(b, 'y');
	int fd;
	long holder;
	assert_int_equal(histstore_lock(&st, id, &fd, &holder, &e), 1);
	assert_int_equal(holder, (long)pid);
	char prefix[8];
	FMT(prefix, "%.3s", id);
	assert_int_equal(chat_open(&c, &st, prefix, &e), 1);
	char want[160];
	FMT(want, "conversation %s is open in another cherry (pid %ld)", id, (long)pid);
	assert_non_null(strstr(e.msg, want));
	err_clear(&e);
	size_t a;
	assert_int_equal(chat_send(&c, "parent prompt", "fo", "echo", 22.0, &a, &e), 1);
	char other[HIST_ID_MAX + 1];
	FMT(other, "%s", c.conv.id);
	assert_string_not_equal(other, id);
	assert_non_null(strstr(e.msg, want));
	assert_non_null(strstr(e.msg, other));
	assert_int_equal(chat_save(&c, 22.0, &e), 0);
	chat_delta(&c, a, "parent answer", 13, 0, 22.5);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.1, 23.0, &e), 0);
	chat_close(&c);
	assert_int_equal(write(go[1], "g", 1), 1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* both writes are there, each in its own file */
	struct hist_conv d;
	load_disk(id, &d);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.msgs[3].content, "child answer");
	hist_conv_free(&d);
	/* the copy holds the branch as it was on disk when the parent opened it (the
	 * child's prompt and its still-empty answer), then the parent's own exchange */
	load_disk(other, &d);
	assert_int_equal(d.n, 6);
	assert_string_equal(d.msgs[2].content, "child prompt");
	assert_string_equal(d.msgs[4].content, "parent prompt");
	assert_string_equal(d.msgs[5].content, "parent answer");
	assert_string_equal(d.msgs[4].parent, "m4");
	hist_conv_free(&d);
	/* the lock is free again */
	assert_int_equal(histstore_lock(&st, id, &fd, &holder, &e), 0);
	histstore_unlock(&st, id, fd);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

/* A stream into a full disk, saved on every tick: reported once, whole once it fits. */
static void test_stream_full_disk_then_recovers(void **unused)
{
	(void)unused;
	void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
	struct chat c;
	struct err e = {0, ""};
	size_t a = new_sent(&c, 100.0);
	struct rlimit rl, small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = 4096;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	char chunk[1000];
	memset(chunk, 'x', sizeof chunk);
	int lines = 0, failed = 0;
	for (int i = 1; i <= 10; i++) {
		struct err te = {0, ""};
		chat_delta(&c, a, chunk, sizeof chunk, 0, 100.0 + i);
		failed += chat_tick(&c, 100.0 + i, &te) < 0;
		if (te.code) {
			lines++;
			assert_non_null(strstr(te.msg, "conversation not saved: cannot save"));
		}
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	assert_true(failed >= 7);
	assert_int_equal(lines, 1); /* reported once, not per tick */
	assert_true(chat_saved_len(&c, a) < 4096);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, 0.5, 111.0, &e), 0);
	assert_int_equal(chat_save(&c, 111.0, &e), 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(chat_saved_len(&c, a), 10000);
	chat_close(&c);
	assert_int_equal(harness_count_hidden(convdir), 0);
	signal(SIGXFSZ, old);
}

/* conversations/ cannot be written: every save fails with one line, the exchange goes on
 * in memory, -c on a conversation there is copied (unsaved) and the file stays whole;
 * through a store opened read-only, nothing is copied or tried. 0 pass, else the step
 * that failed. */
static int read_only_scenario(void)
{
	char *before = conv_file("ro");
	struct chat c;
	struct err e = {0, ""};
	size_t a;
	if (!before || chat_new(&c, &st, 30.0, &e) != 0 ||
	    chat_send(&c, "q", "fo", "echo", 30.0, &a, &e) != 0 || e.code)
		return 10;
	if (chat_save(&c, 30.0, &e) != -1 || !strstr(e.msg, "conversation not saved: "))
		return 11;
	err_clear(&e);
	chat_delta(&c, a, "the answer", 10, 0, 30.1);
	if (chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, -1, 30.2, &e) != 0 ||
	    chat_save(&c, 30.2, &e) != -1 || e.code ||
	    strcmp(c.conv.msgs[a].content, "the answer"))
		return 12;
	chat_close(&c);
	if (chat_open(&c, &st, "ro", &e) != 1 || !strstr(e.msg, "cannot be locked"))
		return 13;
	struct wire_msg *w;
	size_t n;
	err_clear(&e);
	if (chat_send(&c, "q2", "fo", "echo", 31.0, &a, &e) != 1 ||
	    chat_request_msgs(&c, a, &w, &n) != 0)
		return 14;
	free(w);
	if (n != 3)
		return 15;
	err_clear(&e);
	if (chat_save(&c, 31.0, &e) != -1 || !strstr(e.msg, "conversation not saved: "))
		return 16;
	chat_close(&c);
	/* opened as the client opens it (histstore_open_listing), the store knows it is
	 * read-only: a conversation there goes on in memory, not copied, and nothing is
	 * tried or reported at a save (the client said it once) */
	struct histstore rs;
	err_clear(&e);
	if (histstore_open_listing(&rs, data, cache, NULL, NULL, &e) != 0 || !rs.readonly ||
	    rs.absent || !strstr(rs.readonly_why, convdir))
		return 19;
	if (chat_open(&c, &rs, "ro", &e) != 0 || e.code)
		return 20;
	if (chat_send(&c, "q3", "fo", "echo", 32.0, &a, &e) != 0 ||
	    chat_request_msgs(&c, a, &w, &n) != 0)
		return 21;
	free(w);
	if (n != 3 || strcmp(c.conv.id, "ro"))
		return 22;
	chat_delta(&c, a, "a3", 2, 0, 32.1);
	if (chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, -1, 32.2, &e) != 0 ||
	    chat_save(&c, 32.2, &e) != 0 || e.code || chat_tick(&c, 99.0, &e) != 0 || e.code)
		return 23;
	if (chat_delete(&c, &e) != -1 || !strstr(e.msg, "is in a read-only directory; not deleted"))
		return 24;
	err_clear(&e);
	chat_close(&c);
	if (chat_new(&c, &rs, 33.0, &e) != 0 ||
	    chat_send(&c, "q4", "fo", "echo", 33.0, &a, &e) != 0 ||
	    chat_save(&c, 33.0, &e) != 0 || e.code)
		return 25;
	chat_close(&c);
	histstore_close(&rs);
	char *after = conv_file("ro");
	int same = after && !strcmp(before, after);
	free(before);
	free(after);
	return !same ? 17 : harness_count_hidden(convdir) ? 18 : 0;
}

static void test_read_only_dir(void **unused)
{
	(void)unused;
	struct err e = {0, ""};
	char id[HIST_ID_MAX + 1];
	saved_exchange(id, "q1", "a1");
	struct hist_conv v;
	load_disk(id, &v);
	snprintf(v.id, sizeof v.id, "ro");
	assert_int_equal(histstore_save(&st, &v, &e), 0);
	hist_conv_free(&v);
	assert_int_equal(histstore_remove(&st, id, &e), 0);
	assert_int_equal(chmod(convdir, 0500), 0);
	char probe[900];
	FMT(probe, "%s/probe", convdir);
	int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		int rc = read_only_scenario();
		chmod(convdir, 0700);
		assert_int_equal(rc, 0);
		return;
	}
	/* root (CAP_DAC_OVERRIDE) writes anyway: a read-only bind mount in a private mount
	 * namespace instead, when the system allows one */
	close(fd);
	unlink(probe);
	chmod(convdir, 0700);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (harness_ro_bind(convdir) < 0)
			_exit(77);
		_exit(read_only_scenario());
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		/* run.sh counts cmocka's "not ok # SKIP" as a failure: say it, pass */
		print_message("# NOT TESTED: read-only directory: running as root and no mount "
			      "namespace for a read-only bind mount\n");
		return;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* --no-save: a conversation without a store is never written, and has no id. */
static void test_no_save(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, NULL, 10.0, &e), 0);
	assert_string_equal(c.conv.id, "");
	size_t a;
	assert_int_equal(chat_set_system(&c, "sys", 10.0, &e), 0);
	assert_int_equal(chat_send(&c, "secret", "fo", "echo", 10.0, &a, &e), 0);
	assert_int_equal(chat_save(&c, 10.0, &e), 0);
	chat_delta(&c, a, "a", 1, 0, 20.0);
	assert_int_equal(chat_tick(&c, 30.0, &e), 0);
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, NULL, -1, 31.0, &e), 0);
	assert_int_equal(chat_save(&c, 31.0, &e), 0);
	assert_string_equal(chat_system(&c), "sys");
	assert_string_equal(chat_model(&c), "fo/echo");
	assert_int_equal(e.code, 0);
	chat_close(&c);
	DIR *d = opendir(convdir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			fail_msg("written with no store: %s", de->d_name);
	closedir(d);
}

/* What `cherry ask` does: a new conversation, then -c with its defaults, an unfinished
 * answer, an error and a stop. */
static void test_ask_flow(void **unused)
{
	(void)unused;
	struct chat c;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 100.0, &e), 0);
	assert_null(chat_system(&c));
	assert_null(chat_model(&c));
	assert_int_equal(chat_set_system(&c, "be terse", 100.0, &e), 0);
	size_t a;
	assert_int_equal(chat_send(&c, "  What is 2+2?\nThanks", "fo", "echo", 100.0, &a, &e), 0);
	assert_int_equal(chat_save(&c, 100.0, &e), 0);
	char id[HIST_ID_MAX + 1];
	FMT(id, "%s", c.conv.id);
	/* the prompt is on disk at once, the answer marked interrupted until it ends */
	char *text = conv_file(id);
	assert_non_null(strstr(text, "\"status\": \"interrupted\""));
	assert_non_null(strstr(text, "\"title\": \"What is 2+2?\""));
	free(text);
	chat_delta(&c, a, "Fo", 2, 0, 100.1);
	chat_delta(&c, a, "hmm", 3, 1, 100.2);
	assert_int_equal(chat_tick(&c, 100.6, &e), 1);
	assert_int_equal(chat_tick(&c, 101.6, &e), 0); /* nothing new */
	assert_int_equal(chat_saved_len(&c, a), 2);
	/* while it streams, the file stays as the send left it and the journal holds the
	 * text; a load applies it */
	char *again = conv_file(id);
	assert_non_null(strstr(again, "\"content\": \"\""));
	free(again);
	assert_true(exists(id, ".jsonl"));
	struct hist_conv j;
	load_disk(id, &j);
	assert_string_equal(j.msgs[1].content, "Fo");
	assert_string_equal(j.msgs[1].reasoning, "hmm");
	hist_conv_free(&j);
	chat_delta(&c, a, "ur.", 3, 0, 101.7);
	struct wire_usage u = {12, 3, 1, -1};
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, &u, 0.125, 101.8, &e), 0);
	assert_int_equal(chat_save(&c, 101.8, &e), 0);
	chat_close(&c);

	/* -c: the defaults; the branch goes into the request; an unfinished answer ends
	 * interrupted */
	assert_int_equal(chat_open(&c, &st, id, &e), 0);
	assert_string_equal(chat_system(&c), "be terse");
	assert_string_equal(chat_model(&c), "fo/echo");
	/* the conversation's own strings passed back in, which the calls replace as they go
	 * (ASan checks nothing is read after it is freed) */
	const char *spec = chat_model(&c);
	assert_int_equal(chat_set_system(&c, chat_system(&c), 102.0, &e), 0);
	assert_int_equal(chat_send(&c, "and 3+3?", "fo", spec + 3, 102.0, &a, &e), 0);
	struct wire_msg *w;
	size_t n;
	assert_int_equal(chat_request_msgs(&c, a, &w, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(w[0].content, "  What is 2+2?\nThanks");
	assert_string_equal(w[1].role, "assistant");
	assert_string_equal(w[1].content, "Four.");
	assert_string_equal(w[2].content, "and 3+3?");
	free(w);
	assert_int_equal(chat_save(&c, 102.0, &e), 0);
	chat_delta(&c, a, "Si", 2, 0, 102.1);
	chat_close(&c);
	struct hist_conv d;
	load_disk(id, &d);
	assert_int_equal(d.n, 4);
	assert_string_equal(d.system, "be terse");
	assert_string_equal(d.model, "fo/echo");
	assert_string_equal(d.msgs[1].content, "Four.");
	assert_string_equal(d.msgs[1].reasoning, "hmm");
	assert_int_equal(d.msgs[1].status, HIST_COMPLETE);
	assert_int_equal(d.msgs[1].usage.input, 12);
	assert_int_equal(d.msgs[1].usage.cached, -1);
	assert_true(d.msgs[1].ttft == 0.125);
	assert_string_equal(d.msgs[3].content, "Si");
	assert_int_equal(d.msgs[3].status, HIST_INTERRUPTED);
	assert_string_equal(d.current, "m4");
	hist_conv_free(&d);

	/* an error keeps its line and is not sent again; a stop is recorded as such */
	assert_int_equal(chat_open(&c, &st, id, &e), 0);
	assert_int_equal(chat_send(&c, "x", "fo", "echo", 103.0, &a, &e), 0);
	assert_int_equal(chat_finish(&c, a, HIST_ERROR, "fo: HTTP 500", NULL, -1, 103.1, &e), 0);
	assert_int_equal(chat_save(&c, 103.1, &e), 0);
	chat_close(&c);
	assert_int_equal(chat_open(&c, &st, id, &e), 0);
	assert_int_equal(chat_send(&c, "y", "fo", "echo", 104.0, &a, &e), 0);
	assert_int_equal(chat_request_msgs(&c, a, &w, &n), 0);
	free(w);
	assert_int_equal(n, 6); /* the empty failed answer is left out */
	chat_delta(&c, a, "partial", 7, 0, 104.1);
	assert_int_equal(chat_finish(&c, a, HIST_STOPPED, NULL, NULL, -1, 104.2, &e), 0);
	chat_close(&c);
	load_disk(id, &d);
	assert_int_equal(d.msgs[5].status, HIST_ERROR);
	assert_string_equal(d.msgs[5].error, "fo: HTTP 500");
	assert_int_equal(d.msgs[7].status, HIST_STOPPED);
	assert_string_equal(d.msgs[7].content, "partial");
	hist_conv_free(&d);
	assert_int_equal(e.code, 0);

	/* -c with nothing to continue fails with a line */
	assert_int_equal(chat_open(&c, &st, "zzzz", &e), -1);
	assert_string_equal(e.msg, "no conversation zzzz");
}

static void write_cache(const char *name, const char *json)
{
	char dir[700], p[800];
	struct err e = {0, ""};
	FMT(dir, "%s/cherry", cache);
	assert_int_equal(fs_mkdirs(dir, &e), 0);
	FMT(p, "%s/models-%s.json", dir, name);
	assert_int_equal(fs_write_atomic(p, json, strlen(json), &e), 0);
}

static void test_known_models(void **unused)
{
	(void)unused;
	struct app app;
	memset(&app, 0, sizeof app);
	const char *cfg = "{\"favorites\": [\"openai/gpt-4o-mini\", \"work/m1\"],"
			  " \"default_model\": \"anthropic/claude-x\","
			  " \"providers\": {\"work\": {\"kind\": \"openai\","
			  " \"base_url\": \"http://127.0.0.1:9/v1\", \"models\": [\"m1\", \"m2\"]},"
			  " \"openai\": {\"models\": [\"gpt-4.1\"]}}}";
	struct err e = {0, ""};
	assert_int_equal(config_parse(&app.cfg, cfg, strlen(cfg), "config.json", NULL, NULL, NULL, &e),
			 0);
	char **v;
	size_t n;
	/* no caches yet */
	assert_int_equal(app_known_models(&app, &v, &n), 0);
	const char *want0[] = {"openai/gpt-4o-mini", "work/m1", "anthropic/claude-x",
			       "openai/gpt-4.1", "work/m2"};
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want0[i]);
	app_models_free(v, n);
	/* a stale cache (fetched in 1970) counts; a broken one is ignored */
	write_cache("openai", "{\"provider\": \"openai\", \"fetched\": 0,"
		    " \"models\": [\"gpt-4.1\", \"o4-mini\"]}");
	write_cache("work", "{\"provider\": \"work\", \"fetched\": 4000000000,"
		    " \"models\": [\"m3\", \"m1\", 5]}");
	write_cache("anthropic", "{broken");
	assert_int_equal(app_known_models(&app, &v, &n), 0);
	const char *want[] = {"openai/gpt-4o-mini", "work/m1", "anthropic/claude-x",
			      "openai/gpt-4.1", "work/m2", "openai/o4-mini", "work/m3"};
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
	app_models_free(v, n);
	config_free(&app.cfg);
	/* nothing configured, nothing cached for it: empty, not an error */
	memset(&app, 0, sizeof app);
	assert_int_equal(config_parse(&app.cfg, NULL, 0, "config.json", NULL, NULL, NULL, &e), 0);
	char other[700];
	FMT(other, "%s/empty-cache", root);
	setenv("XDG_CACHE_HOME", other, 1);
	assert_int_equal(app_known_models(&app, &v, &n), 0);
	assert_int_equal(n, 0);
	app_models_free(v, n);
	config_free(&app.cfg);
}


/* The everyday moves' session operations: an edit beside an earlier prompt, asking
 * again under a given prompt, showing a message's branch, deleting a subtree, a
 * context break (sent no further, saved, loaded) and a branch copied out. */
static void test_edit_retry_delete_branch(void **unused)
{
	(void)unused;
	struct chat c, d;
	struct err e = {0, ""};
	assert_int_equal(chat_new(&c, &st, 10.0, &e), 0);
	size_t a1 = exchange(&c, "q1", "a1", 11.0);
	exchange(&c, "q2", "a2", 12.0);
	size_t a, q2 = 2;
	/* an edit of q2: a sibling of it under a1 */
	assert_int_equal(chat_send_edit(&c, q2, "q2 edited", "fo", "echo", 13.0, &a, &e), 0);
	assert_string_equal(c.conv.msgs[a - 1].content, "q2 edited");
	assert_string_equal(c.conv.msgs[a - 1].parent, c.conv.msgs[a1].id);
	assert_string_equal(c.conv.current, c.conv.msgs[a].id);
	assert_int_equal(chat_send_edit(&c, a1, "x", "fo", "echo", 13.0, &a, &e), -1);
	err_clear(&e);
	/* the first prompt edited: a new root */
	assert_int_equal(chat_send_edit(&c, 0, "q1 edited", "fo", "echo", 14.0, &a, &e), 0);
	assert_null(c.conv.msgs[a - 1].parent);
	assert_int_equal(c.conv.n, 8);
	/* ask q1 again, though another branch is current */
	assert_int_equal(chat_retry_at(&c, 0, "fo", "other", 15.0, &a, &e), 0);
	assert_string_equal(c.conv.msgs[a].parent, c.conv.msgs[0].id);
	assert_int_equal(chat_retry_at(&c, a1, "fo", "other", 15.0, &a, &e), -1);
	err_clear(&e);
	/* showing q2's branch again */
	assert_int_equal(chat_show_msg(&c, q2, 16.0, &e), 0);
	assert_string_equal(c.conv.current, c.conv.msgs[3].id); /* a2 */
	/* a context break after a1: the answer to q2 is asked with q2 alone */
	assert_int_equal(chat_set_context_break(&c, a1, 1, 16.0, &e), 0);
	struct wire_msg *w;
	size_t n;
	assert_int_equal(chat_request_msgs(&c, 3, &w, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].content, "q2");
	free(w);
	assert_int_equal(chat_save(&c, 16.0, &e), 0);
	struct hist_conv disk;
	load_disk(c.conv.id, &disk);
	/* journalled (the file is still of version 1; a fold writes version 2) */
	assert_true(disk.msgs[a1].context_break);
	assert_false(disk.msgs[0].context_break);
	hist_conv_free(&disk);
	/* a branch copied out, up to a2 */
	assert_int_equal(chat_new(&d, &st, 17.0, &e), 0);
	assert_int_equal(chat_copy_branch(&d, &c, 3, 17.0, &e), 0);
	assert_int_equal(d.conv.n, 4);
	assert_string_equal(d.conv.title, "q1 (branch)");
	assert_string_equal(d.conv.msgs[3].content, "a2");
	assert_true(d.conv.msgs[1].context_break);
	assert_int_equal(chat_copy_branch(&d, &c, 4, 17.0, &e), -1); /* not on the branch */
	err_clear(&e);
	chat_close(&d);
	/* deleting q1 and all under it leaves the edited first prompt's branch current */
	assert_int_equal(chat_delete_msg(&c, 0, 18.0, &e), 7);
	assert_int_equal(c.conv.n, 2);
	assert_string_equal(c.conv.msgs[0].content, "q1 edited");
	assert_string_equal(c.conv.current, c.conv.msgs[1].id);
	assert_int_equal(chat_delete_msg(&c, 0, 18.0, &e), 2);
	assert_null(c.conv.current);
	assert_int_equal(chat_save(&c, 18.0, &e), 0);
	chat_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_send_stream_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_saves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_and_request_msgs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switch_siblings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_elsewhere_forks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_system_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_md, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_processes_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_full_disk_then_recovers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_only_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_flow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_models, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_retry_delete_branch, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
