/* test_history_cmd: `cherry history` end to end (list, show, search, export, rm, sanitised
 * output, prefixes, a provider's note kept with its answer) and the kill -9 loops: streaming saves (one answer, or three at once
 * into one journal) killed at random moments never leave a torn file or lose what a
 * completed save held. */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cherry/chat.h"
#include "cherry/histstore.h"
#include "harness.h"
#include "offsetalloc.h"

#define FMT(arr, ...) assert_true(snprintf(arr, sizeof arr, __VA_ARGS__) < (int)sizeof arr)
/* kill -9 loop: 500 kills, as security.md §5.4 #10 asks; the ASan build, three times
 * slower, kills 220 (it is there for memory errors, which those show as well) */
#ifdef __SANITIZE_ADDRESS__
#define KILLS 220
#else
#define KILLS 500
#endif
#define KILLS_MULTI 40

static struct testhome H;
static char data[400], cache[400], convdir[500];

static int setup(void **state)
{
	(void)state;
	if (testhome_make(&H) < 0)
		return -1;
	snprintf(data, sizeof data, "%s/data/cherry", H.root);
	snprintf(cache, sizeof cache, "%s/cache/cherry", H.root);
	snprintf(convdir, sizeof convdir, "%s/conversations", data);
	/* history_main reads the XDG variables, as the real binary does */
	char v[300];
	snprintf(v, sizeof v, "%s/data", H.root);
	setenv("XDG_DATA_HOME", v, 1);
	snprintf(v, sizeof v, "%s/cache", H.root);
	setenv("XDG_CACHE_HOME", v, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	testhome_remove(&H);
	return 0;
}

/* Runs history_main in this process with stdout and stderr captured. */
struct cap {
	int status;
	char *out;
	char *err;
};

static char *read_fd_all(int fd)
{
	struct buf b = BUF_INIT;
	char tmp[4096];
	ssize_t n;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_append(&b, tmp, (size_t)n);
	if (!b.data)
		buf_append_str(&b, "");
	return buf_steal(&b);
}

static void history(struct cap *c, const char *const *args)
{
	char *argv[16];
	int argc = 0;
	argv[argc++] = "history";
	for (size_t i = 0; args[i]; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	char o[600], e[600];
	FMT(o, "%s/out.txt", H.root);
	FMT(e, "%s/err.txt", H.root);
	fflush(stdout);
	fflush(stderr);
	int so = dup(1), se = dup(2);
	int fo = open(o, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int fe = open(e, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int fi = open("/dev/null", O_RDONLY);
	int si = dup(0);
	assert_true(so >= 0 && se >= 0 && fo >= 0 && fe >= 0 && fi >= 0 && si >= 0);
	dup2(fo, 1);
	dup2(fe, 2);
	dup2(fi, 0);
	c->status = history_main(NULL, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	dup2(si, 0);
	close(so);
	close(se);
	close(si);
	close(fi);
	c->out = read_fd_all(fo);
	c->err = read_fd_all(fe);
	close(fo);
	close(fe);
}

static void cap_free(struct cap *c)
{
	free(c->out);
	free(c->err);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected \"%s\" in: %s", needle, hay);
}

/* One finished exchange through the session API, as `cherry ask` makes it. */
static void exchange_thinking(char *id, size_t idsize, const char *cont, const char *prompt,
			      const char *reasoning, const char *answer, const char *model)
{
	struct err e = {0, ""};
	struct histstore st;
	struct chat c;
	/* Milliseconds, as the files keep them (time(NULL) made ties within a second). */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	if (histstore_open(&st, data, cache, NULL, NULL, &e) < 0 ||
	    (cont ? chat_open(&c, &st, cont, &e) : chat_new(&c, &st, now, &e)) != 0)
		fail_msg("chat: %s", e.msg);
	size_t a;
	assert_int_equal(chat_send(&c, prompt, "fo", model, now, &a, &e), 0);
	if (reasoning)
		chat_delta(&c, a, reasoning, strlen(reasoning), 1, now);
	chat_delta(&c, a, answer, strlen(answer), 0, now);
	struct wire_usage u = {5, 7, -1, -1};
	assert_int_equal(chat_finish(&c, a, HIST_COMPLETE, NULL, &u, 0.2, now, &e), 0);
	assert_int_equal(chat_save(&c, now, &e), 0);
	snprintf(id, idsize, "%s", c.conv.id);
	chat_close(&c);
	histstore_close(&st);
}

static void exchange(char *id, size_t idsize, const char *cont, const char *prompt,
		     const char *answer, const char *model)
{
	exchange_thinking(id, idsize, cont, prompt, NULL, answer, model);
}

static void test_commands(void **state)
{
	(void)state;
	char a[64], b[64];
	exchange(a, sizeof a, NULL, "Explain \x1b[31mred\x1b[0m pointers",
		 "Sure:\n```c\nint *p = &x;\n```\nDone.", "echo");
	exchange(a, sizeof a, a, "Follow-up about Needle", "The NEEDLE is here.", "echo");
	/* the files keep times to the second: the second conversation is a second newer */
	struct timespec ts = {1, 50000000};
	nanosleep(&ts, NULL);
	exchange(b, sizeof b, NULL, "Second conversation", "nothing special", "long");
	struct cap c;

	/* list: newest first, sanitised */
	history(&c, (const char *[]){"list", NULL});
	assert_int_equal(c.status, 0);
	char *pa = strstr(c.out, a), *pb = strstr(c.out, b);
	assert_non_null(pa);
	assert_non_null(pb);
	assert_true(pb < pa);
	assert_contains(c.out, "fo/long  2  Second conversation\n");
	assert_contains(c.out, "fo/echo  4  Explain [31mred [0m pointers\n");
	assert_null(strchr(c.out, '\x1b'));
	cap_free(&c);

	history(&c, (const char *[]){"list", "--json", NULL});
	assert_int_equal(c.status, 0);
	json_t *arr = json_loads(c.out, 0, NULL);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "id")), b);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 1), "messages")),
			 4);
	json_decref(arr);
	cap_free(&c);

	/* show by unique prefix: the branch as text, no escape byte reaches the terminal */
	char prefix[8];
	FMT(prefix, "%.5s", a);
	history(&c, (const char *[]){"show", prefix, NULL});
	assert_int_equal(c.status, 0);
	assert_contains(c.out, "--- user (fo/echo)\nExplain ");
	assert_contains(c.out, "--- assistant (fo/echo)\nSure:\n```c\nint *p = &x;\n```\nDone.\n");
	assert_contains(c.out, "The NEEDLE is here.");
	assert_null(strchr(c.out, '\x1b'));
	cap_free(&c);

	/* show --json and export json: the file itself, byte for byte (stdout is not a tty) */
	char path[700];
	FMT(path, "%s/%s.json", convdir, a);
	char *file = harness_read_file(path, NULL);
	assert_non_null(file);
	history(&c, (const char *[]){"show", a, "--json", NULL});
	assert_string_equal(c.out, file);
	cap_free(&c);
	history(&c, (const char *[]){"export", a, "--format", "json", NULL});
	assert_string_equal(c.out, file);
	cap_free(&c);
	free(file);

	/* export md: title, a heading per turn, fenced code intact; sanitised even to a
	 * file (it is shown on a terminal later), byte for byte only with --raw */
	history(&c, (const char *[]){"export", a, "--format=md", NULL});
	assert_int_equal(c.status, 0);
	assert_contains(c.out, "# Explain [31mred [0m pointers\n\n## User\n\nExplain red");
	assert_contains(c.out, "\n## Assistant (fo/echo)\n\nSure:\n```c\nint *p = &x;\n```\n"
			       "Done.\n");
	assert_null(strchr(c.out, '\x1b'));
	cap_free(&c);
	history(&c, (const char *[]){"export", a, "--raw", NULL});
	assert_int_equal(c.status, 0);
	assert_contains(c.out, "\n\n## User\n\nExplain \x1b[31mred\x1b[0m pointers");
	cap_free(&c);
	history(&c, (const char *[]){"show", a, "--raw", NULL});
	assert_int_equal(c.status, 2);
	cap_free(&c);

	/* search: case-insensitive, with a snippet; nothing found is exit 1 */
	history(&c, (const char *[]){"search", "needle", NULL});
	assert_int_equal(c.status, 0);
	assert_contains(c.out, a);
	assert_contains(c.out, "    Follow-up about Needle\n");
	assert_null(strstr(c.out, b));
	cap_free(&c);
	history(&c, (const char *[]){"search", "SECOND conv", NULL});
	assert_int_equal(c.status, 0);
	assert_contains(c.out, b);
	cap_free(&c);
	history(&c, (const char *[]){"search", "no such words", NULL});
	assert_int_equal(c.status, 1);
	assert_string_equal(c.out, "");
	cap_free(&c);

	/* errors: usage, unknown ids, ambiguous prefixes */
	history(&c, (const char *[]){"show", NULL});
	assert_int_equal(c.status, 2);
	cap_free(&c);
	history(&c, (const char *[]){"export", a, "--format", "pdf", NULL});
	assert_int_equal(c.status, 2);
	assert_contains(c.err, "--format takes md, json or html");
	cap_free(&c);
	history(&c, (const char *[]){"show", "zzzzzzzzz", NULL});
	assert_int_equal(c.status, 1);
	assert_string_equal(c.err, "cherry: no conversation zzzzzzzzz\n");
	cap_free(&c);
	history(&c, (const char *[]){"frobnicate", NULL});
	assert_int_equal(c.status, 2);
	cap_free(&c);

	/* rm: refuses without a terminal unless -f */
	history(&c, (const char *[]){"rm", b, NULL});
	assert_int_equal(c.status, 2);
	assert_contains(c.err, "use -f");
	cap_free(&c);
	FMT(path, "%s/%s.json", convdir, b);
	assert_int_equal(access(path, F_OK), 0);
	history(&c, (const char *[]){"rm", b, "-f", NULL});
	assert_int_equal(c.status, 0);
	cap_free(&c);
	assert_int_equal(access(path, F_OK), -1);
	history(&c, (const char *[]){"list", NULL});
	assert_null(strstr(c.out, b));
	assert_non_null(strstr(c.out, a));
	cap_free(&c);
}

static void test_corrupt_reported_once(void **state)
{
	(void)state;
	char a[64];
	exchange(a, sizeof a, NULL, "fine", "ok", "echo");
	char path[700];
	FMT(path, "%s/broken.json", convdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\": 1, \"id\": \"broken\", \"messa", f);
	fclose(f);
	struct cap c;
	history(&c, (const char *[]){"list", NULL});
	assert_int_equal(c.status, 0);
	assert_contains(c.err, "cherry: conversation broken cannot be read (not valid JSON");
	assert_contains(c.err, "corrupt/broken.json");
	assert_contains(c.out, a);
	cap_free(&c);
	history(&c, (const char *[]){"list", NULL});
	assert_string_equal(c.err, "");
	cap_free(&c);
	FMT(path, "%s/corrupt/broken.json", convdir);
	char *kept = harness_read_file(path, NULL);
	assert_string_equal(kept, "{\"version\": 1, \"id\": \"broken\", \"messa");
	free(kept);
}

/* The real binary dispatches `history`. */
/* A command of test_read_only_history: its status and what its stdout and stderr hold. */
struct ro_case {
	const char *args[6];
	int status;
	const char *out, *err;
};

/* In a child whose data home is a read-only bind mount, each case in turn. 0 pass, 77
 * unsupported (not root, or no mount namespace), else 10 + the case that failed. */
static int ro_cases(const struct ro_case *cs, size_t n)
{
	pid_t pid = fork();
	if (pid == 0) {
		char home_data[400];
		snprintf(home_data, sizeof home_data, "%s/data", H.root);
		if (harness_ro_bind(home_data) < 0)
			_exit(77);
		for (size_t i = 0; i < n; i++) {
			struct run r;
			if (run_cherry(&r, &H, cs[i].args, NULL, NULL, 10000) != 0)
				_exit(10 + (int)i);
			int ok = r.status == cs[i].status && strstr(r.out, cs[i].out) &&
				 strstr(r.err, cs[i].err);
			if (!ok)
				fprintf(stderr, "# history %s: status %d, out \"%s\", err \"%s\"\n",
					cs[i].args[1], r.status, r.out, r.err);
			run_free(&r);
			if (!ok)
				_exit(10 + (int)i);
		}
		_exit(0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st);
}

/* A history that cannot be written (security.md 3.7): what is there is listed, shown,
 * searched and exported; none at all (and none can be made) is an empty history, not an
 * error; rm says why it cannot. */
static void test_read_only_history(void **state)
{
	(void)state;
	static const struct ro_case none[] = {
		{{"history", "list", NULL}, 0, "", ""},
		{{"history", "list", "--json", NULL}, 0, "[]", ""},
		{{"history", "show", "abc", NULL}, 1, "", "no conversation abc"},
		{{"history", "search", "abc", NULL}, 1, "", ""},
	};
	int rc = ro_cases(none, sizeof none / sizeof none[0]);
	if (rc == 77)
		skip(); /* not root, or no mount namespace for a read-only bind mount */
	assert_int_equal(rc, 0);
	char a[64];
	exchange(a, sizeof a, NULL, "kept while read-only", "ok", "echo");
	const struct ro_case there[] = {
		{{"history", "list", NULL}, 0, a, ""},
		{{"history", "show", a, NULL}, 0, "kept while read-only", ""},
		{{"history", "search", "while read", NULL}, 0, a, ""},
		{{"history", "export", a, NULL}, 0, "kept while read-only", ""},
		{{"history", "rm", "-f", a, NULL}, 1, "", strerror(EROFS)},
	};
	assert_int_equal(ro_cases(there, sizeof there / sizeof there[0]), 0);
}

static void test_real_binary(void **state)
{
	(void)state;
	char a[64];
	exchange(a, sizeof a, NULL, "via the binary", "ok", "echo");
	struct run r;
	static const char *const args[] = {"history", "list", NULL};
	assert_int_equal(run_cherry(&r, &H, args, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_contains(r.out, a);
	assert_contains(r.out, "via the binary");
	run_free(&r);
}

/* export html through the binary: one page, the Markdown rendered by md4c, and every
 * hostile thing an answer, a prompt or the reasoning carries shown as text, never markup
 * or a terminal escape; nothing loaded from outside, no script. */
static void test_export_html(void **state)
{
	(void)state;
	char a[64];
	exchange_thinking(a, sizeof a, NULL,
		"Is <b>this</b> bold? \x1b]52;c;AAAA\x07 & *not* markdown",
		"Think **hard** about <script>alert(1)</script>\x1b[2J",
		"# Title\n\nSome **bold** and `a<b>` and <img src=x onerror=alert(1)>.\n\n"
		"<script>alert(2)</script>\n\n"
		"```html\n</code></pre><script>alert(3)</script>\n```\n\n"
		"| a | b |\n|---|---|\n| 1 | 漢字 |\n\n"
		"Evil \x1b[31mred\x1b[0m and \xc2\x9b" "31m C1, [x](javascript:alert(4)) "
		"![i](https://example.com/t.png)\n",
		"echo");
	struct run r;
	const char *const args[] = {"history", "export", a, "--format", "html", NULL};
	assert_int_equal(run_cherry(&r, &H, args, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	const char *o = r.out;
	assert_true(!strncmp(o, "<!DOCTYPE html>\n", 16));
	assert_contains(o, "</html>\n");
	assert_contains(o, "default-src 'none'");
	assert_contains(o, "<style>");
	/* rendered from Markdown */
	assert_contains(o, "<h1>Title</h1>");
	assert_contains(o, "<strong>bold</strong>");
	assert_contains(o, "<code>a&lt;b&gt;</code>");
	assert_contains(o, "<td>漢字</td>");
	assert_contains(o, "<details class=\"reasoning\"><summary>Reasoning</summary>\n"
			   "<p>Think <strong>hard</strong> about &lt;script&gt;alert(1)"
			   "&lt;/script&gt;");
	assert_contains(o, "&lt;img src=x onerror=alert(1)&gt;");
	assert_contains(o, "&lt;script&gt;alert(2)&lt;/script&gt;");
	assert_contains(o, "<pre><code class=\"language-html\">&lt;/code&gt;&lt;/pre&gt;"
			   "&lt;script&gt;alert(3)&lt;/script&gt;\n</code></pre>");
	/* the prompt as typed: not Markdown, escaped */
	assert_contains(o, "Is &lt;b&gt;this&lt;/b&gt; bold?");
	assert_contains(o, "&amp; *not* markdown</div>");
	/* no markup, no script, no escape from what came in */
	assert_null(strstr(o, "<script"));
	assert_null(strstr(o, "<img"));
	assert_null(strstr(o, "<b>"));
	assert_null(strchr(o, '\x1b'));
	assert_null(strchr(o, '\x07'));
	assert_null(strstr(o, "\xc2\x9b"));
	/* an image is a link to it (nothing fetched), a script URL goes nowhere */
	assert_contains(o, "<a class=\"image\" href=\"https://example.com/t.png\">image: i</a>");
	assert_contains(o, "<a href=\"#\">x</a>");
	assert_null(strstr(o, "javascript:"));
	run_free(&r);
}

/* ---- `cherry ask` saving, through the real binary ---- */

/* The newest conversation's id, from `cherry history list --json` (ask names it on
 * stderr only when that is a terminal). */
static void newest_id(char *id, size_t size)
{
	struct run r;
	static const char *const args[] = {"history", "list", "--json", NULL};
	assert_int_equal(run_cherry(&r, &H, args, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	json_t *arr = json_loads(r.out, 0, NULL);
	const char *s = json_string_value(json_object_get(json_array_get(arr, 0), "id"));
	snprintf(id, size, "%s", s ? s : "");
	json_decref(arr);
	run_free(&r);
}

/* The conversation as every reader sees it: its file with its journal applied. */
static json_t *conv_json(const char *id)
{
	char path[700];
	FMT(path, "%s/%s.json", convdir, id);
	json_t *raw = json_load_file(path, 0, NULL);
	if (!raw)
		fail_msg("cannot load %s", path); /* the file alone is whole JSON */
	json_decref(raw);
	struct histstore s;
	struct hist_conv c;
	struct buf b = BUF_INIT;
	struct err e = {0, ""};
	if (histstore_open(&s, data, cache, NULL, NULL, &e) < 0 ||
	    histstore_load(&s, id, 0, &c, &e) < 0 || hist_to_json(&c, &b) < 0)
		fail_msg("cannot load conversation %s: %s", id, e.msg);
	hist_conv_free(&c);
	histstore_close(&s);
	json_t *j = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	return j;
}

static const char *last_field(json_t *conv, const char *key)
{
	json_t *msgs = json_object_get(conv, "messages");
	return json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1),
						 key));
}

/* The fake provider started, and the home's configuration pointing at it. */
static void start_fake(struct fakeprov *fp)
{
	assert_int_equal(fakeprov_start(fp), 0);
	char *cfg = testhome_fake_config(fp->port, NULL);
	assert_int_equal(testhome_write_config(&H, cfg), 0);
	free(cfg);
}

static void test_ask_saves(void **state)
{
	(void)state;
	struct fakeprov fp;
	start_fake(&fp);
	static const char *const key_env[] = {"FAKE_OPENAI_KEY=sk-test", NULL};
	struct run r;
	char id[64], id2[64];

	/* a new conversation, complete, with usage */
	static const char *const a1[] = {"ask", "-m", "fo/echo", "-s", "be kind", "hello there",
					 NULL};
	assert_int_equal(run_cherry(&r, &H, a1, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	run_free(&r);
	newest_id(id, sizeof id);
	assert_true(hist_id_valid(id));
	json_t *c = conv_json(id);
	assert_int_equal(json_array_size(json_object_get(c, "messages")), 2);
	assert_string_equal(last_field(c, "status"), "complete");
	assert_string_equal(last_field(c, "content"), "hello there");
	assert_string_equal(json_string_value(json_object_get(c, "title")), "hello there");
	json_decref(c);

	/* -c (by prefix): the request carries the branch and the system prompt */
	char prefix[8];
	FMT(prefix, "%.4s", id);
	assert_int_equal(fakeprov_clear_log(&fp), 0);
	static const char *a2[] = {"ask", "-c", NULL, "second question", NULL};
	a2[2] = prefix;
	assert_int_equal(run_cherry(&r, &H, a2, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	newest_id(id2, sizeof id2);
	assert_string_equal(id2, id);
	json_t *reqs = fakeprov_requests(&fp);
	assert_int_equal(json_array_size(reqs), 1);
	json_t *body = json_object_get(json_array_get(reqs, 0), "body");
	json_t *sent = json_object_get(body, "messages");
	assert_int_equal(json_array_size(sent), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sent, 0), "content")),
			    "be kind");
	assert_string_equal(json_string_value(json_object_get(json_array_get(sent, 2), "content")),
			    "hello there");
	assert_string_equal(json_string_value(json_object_get(json_array_get(sent, 3), "content")),
			    "second question");
	json_decref(reqs);
	c = conv_json(id);
	assert_int_equal(json_array_size(json_object_get(c, "messages")), 4);
	json_decref(c);

	/* --no-save: nothing new */
	static const char *const a3[] = {"ask", "-m", "fo/echo", "--no-save", "secret", NULL};
	assert_int_equal(run_cherry(&r, &H, a3, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.err, "conversation"));
	run_free(&r);
	assert_int_equal(tree_contains(convdir, "secret"), 0);

	/* kill -9 while streaming: the partial answer is there, marked interrupted */
	static const char *const a4[] = {"ask", "-m", "fo/long:300+slow", "slow one", NULL};
	assert_int_equal(run_cherry_signal(&r, &H, a4, key_env, SIGKILL, 2500, 20000), 0);
	assert_int_equal(r.status, 128 + SIGKILL);
	run_free(&r);
	newest_id(id, sizeof id);
	c = conv_json(id);
	assert_string_equal(last_field(c, "status"), "interrupted");
	assert_true(strlen(last_field(c, "content")) > 0);
	json_decref(c);

	/* Ctrl-C: stopped, with what had arrived */
	assert_int_equal(run_cherry_signal(&r, &H, a4, key_env, SIGINT, 2500, 20000), 0);
	assert_int_equal(r.status, 130);
	run_free(&r);
	newest_id(id, sizeof id);
	c = conv_json(id);
	assert_string_equal(last_field(c, "status"), "stopped");
	assert_true(strlen(last_field(c, "content")) > 0);
	json_decref(c);
	fakeprov_stop(&fp);
}

/* A conversation past 64 KB keeps its journal after ask -c: every command reads it, and
 * rm removes it with the file. */
static void test_cli_reads_journal(void **state)
{
	(void)state;
	struct fakeprov fp;
	start_fake(&fp);
	char id[64], *big = malloc(70001);
	assert_non_null(big);
	memset(big, 'b', 70000);
	big[70000] = '\0';
	exchange(id, sizeof id, NULL, "start", big, "echo");
	free(big);
	static const char *const key_env[] = {"FAKE_OPENAI_KEY=sk-test", NULL};
	const char *ask[] = {"ask", "-c", id, "-m", "fo/echo", "okapi zebra", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, ask, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	char jp[700];
	FMT(jp, "%s/%s.jsonl", convdir, id);
	assert_int_equal(access(jp, F_OK), 0);
	char raw[700];
	FMT(raw, "%s/%s.json", convdir, id);
	assert_int_equal(tree_contains(convdir, "okapi"), 1); /* in the journal only */
	char *text = harness_read_file(raw, NULL);
	assert_null(strstr(text, "okapi"));
	free(text);
	const char *show[] = {"history", "show", id, NULL};
	const char *search[] = {"history", "search", "ZEBRA", NULL};
	const char *md[] = {"history", "export", id, NULL};
	const char *const *cmds[] = {show, search, md};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(run_cherry(&r, &H, cmds[i], NULL, NULL, 10000), 0);
		if (r.status || !strstr(r.out, i == 1 ? id : "okapi zebra"))
			fail_msg("%s %s: %d %s %s", cmds[i][0], cmds[i][1], r.status, r.out, r.err);
		run_free(&r);
	}
	const char *rm[] = {"history", "rm", id, "-f", NULL};
	assert_int_equal(run_cherry(&r, &H, rm, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(access(jp, F_OK), -1);
	assert_int_equal(tree_contains(convdir, "okapi"), 0);
	fakeprov_stop(&fp);
}

/* A provider's note on an answer (the recorded OpenAI streams: cut by the length limit,
 * a refusal) is saved with it, and what shows the answer later shows the note. */
static void test_ask_keeps_notes(void **state)
{
	(void)state;
	struct fakeprov fp;
	start_fake(&fp);
	static const char *const key_env[] = {"FAKE_OPENAI_KEY=sk-test", NULL};
	static const struct {
		const char *model, *note;
	} cases[] = {
		{"fo/replay:4cc50a6135d2", "cut short by the length limit"},
		{"fo/replay:173417d55340", "the model refused"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *ask[] = {"ask", "-m", cases[i].model, "hi", NULL};
		struct run r;
		assert_int_equal(run_cherry(&r, &H, ask, key_env, NULL, 20000), 0);
		assert_int_equal(r.status, 0);
		run_free(&r);
		char id[64], want[120];
		newest_id(id, sizeof id);
		json_t *c = conv_json(id);
		assert_string_equal(last_field(c, "status"), "complete");
		assert_string_equal(last_field(c, "note"), cases[i].note);
		json_decref(c);
		const char *show[] = {"history", "show", id, NULL};
		const char *md[] = {"history", "export", id, NULL};
		const char *html[] = {"history", "export", id, "--format", "html", NULL};
		const char *const *cmds[] = {show, md, html};
		const char *const fmt[] = {"[note: %s]", "[%s]", "<p class=\"note\">%s</p>"};
		for (size_t k = 0; k < 3; k++) {
			FMT(want, fmt[k], cases[i].note);
			assert_int_equal(run_cherry(&r, &H, cmds[k], NULL, NULL, 10000), 0);
			if (r.status || !strstr(r.out, want))
				fail_msg("%s %s: %d, no \"%s\" in %s", cmds[k][0], cmds[k][1],
					 r.status, want, r.out);
			run_free(&r);
		}
	}
	/* an answer without one has none */
	const char *plain[] = {"ask", "-m", "fo/echo", "plain", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, plain, key_env, NULL, 20000), 0);
	run_free(&r);
	char id[64];
	newest_id(id, sizeof id);
	json_t *c = conv_json(id);
	assert_null(last_field(c, "note"));
	json_decref(c);
	fakeprov_stop(&fp);
}

/* ---- kill -9 while streaming ---- */

/* Which conversation a killed child streams into, and its round. */
struct round {
	const char *id;
	int k;
};

/* Word i of answer j in round k: "k.j.i ". Its length. */
static int word(char w[48], int k, int j, int i)
{
	return snprintf(w, 48, "%d.%d.%d ", k, j, i);
}

/* What answer j of round k streams: its words from the first, s perhaps cut in one. */
static int is_words(const char *s, int k, int j)
{
	for (int i = 0; *s; i++) {
		char w[48];
		int n = word(w, k, j, i);
		size_t len = strlen(s);
		if (len < (size_t)n)
			return strncmp(s, w, len) == 0;
		if (strncmp(s, w, (size_t)n))
			return 0;
		s += n;
	}
	return 1;
}

/* A child's conversation, opened as the client opens it (the lock held). */
static void child_open(const struct round *rd, struct histstore *st, struct chat *c)
{
	struct err e = {0, ""};
	if (histstore_open(st, data, cache, NULL, NULL, &e) < 0 || chat_open(c, st, rd->id, &e) != 0)
		_exit(2);
}

static void child_stream(void *ctx, int wfd)
{
	int k = ((struct round *)ctx)->k;
	struct err e = {0, ""};
	struct histstore st;
	struct chat c;
	child_open(ctx, &st, &c);
	char prompt[32];
	snprintf(prompt, sizeof prompt, "prompt %d", k);
	size_t a;
	/* a clock a second ahead at each delta: every tick saves, as often as it can */
	double now = 1e9;
	if (chat_send(&c, prompt, "fo", "echo", now, &a, &e) < 0 || chat_save(&c, now, &e) < 0)
		_exit(3);
	size_t last = (size_t)-1;
	for (int i = 0;; i++) {
		char w[48];
		int n = word(w, k, 0, i);
		now += 1;
		chat_delta(&c, a, w, (size_t)n, 0, now);
		chat_tick(&c, now, &e);
		size_t saved = chat_saved_len(&c, a);
		if (saved != last) {
			last = saved;
			if (write(wfd, &saved, sizeof saved) != (ssize_t)sizeof saved)
				_exit(4);
		}
		struct timespec ts = {0, 50000};
		nanosleep(&ts, NULL);
	}
}

/* Three answers to one prompt streaming at once (several models), one ending now and
 * then; after each save, all three lengths it holds. */
static void child_multi(void *ctx, int wfd)
{
	int k = ((struct round *)ctx)->k;
	struct err e = {0, ""};
	struct histstore st;
	struct chat c;
	child_open(ctx, &st, &c);
	size_t a[3];
	double now = 1e9 + k * 1e6;
	if (chat_send(&c, "all", "fo", "m0", now, &a[0], &e) < 0)
		_exit(3);
	size_t user = hist_parent_of(&c.conv, a[0]);
	if (chat_retry_at(&c, user, "fo", "m1", now, &a[1], &e) < 0 ||
	    chat_retry_at(&c, user, "fo", "m2", now, &a[2], &e) < 0 || chat_save(&c, now, &e) < 0)
		_exit(3);
	for (int i = 0;; i++) {
		for (int j = 0; j < 3; j++) {
			char w[48];
			int n = word(w, k, j, i);
			chat_delta(&c, a[j], w, (size_t)n, 0, now);
		}
		if (i % 7 == 3) /* its end goes in the journal too; more text may follow */
			chat_finish(&c, a[i % 3], HIST_INTERRUPTED, NULL, NULL, -1, now, &e);
		now += 1;
		if (chat_tick(&c, now, &e) == 1) {
			size_t len[3];
			for (int j = 0; j < 3; j++)
				len[j] = strlen(c.conv.msgs[a[j]].content);
			if (write(wfd, len, sizeof len) != (ssize_t)sizeof len)
				_exit(4);
		}
		struct timespec ts = {0, 100000};
		nanosleep(&ts, NULL);
	}
}

/* After kill k: the file itself is whole JSON (what streamed since is in the journal),
 * the conversation loads, and it lost no message. */
static void load_after_kill(const char *id, int k, size_t *prev_n, struct hist_conv *c)
{
	char raw[700];
	FMT(raw, "%s/%s.json", convdir, id);
	json_t *whole = json_load_file(raw, 0, NULL);
	if (!whole)
		fail_msg("kill %d: the file is torn", k);
	json_decref(whole);
	struct histstore s;
	struct err e = {0, ""};
	assert_int_equal(histstore_open(&s, data, cache, NULL, NULL, &e), 0);
	if (histstore_load(&s, id, 0, c, &e) != HIST_LOAD_OK)
		fail_msg("kill %d: %s", k, e.msg);
	histstore_close(&s);
	assert_true(c->n >= *prev_n);
	*prev_n = c->n;
}

/* Nothing was moved aside, and the next start cleans the temp files of killed saves. */
static void nothing_left(void)
{
	char cd[600];
	FMT(cd, "%s/corrupt", convdir);
	assert_int_equal(access(cd, F_OK), -1);
	struct histstore s;
	struct err e = {0, ""};
	assert_int_equal(histstore_open(&s, data, cache, NULL, NULL, &e), 0);
	histstore_close(&s);
	DIR *d = opendir(convdir);
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			fail_msg("left behind: %s", de->d_name);
	closedir(d);
}

/* show lists a message's attachments (names sanitised), the Markdown export links them
 * into the attachments directory, the HTML export shows the image as a data: URL. */
static void test_attachments_listed(void **state)
{
	(void)state;
	struct fakeprov fp;
	start_fake(&fp);
	char png[600], txt[600];
	FMT(png, "%s/shot.png", H.root);
	FMT(txt, "%s/e\x1b[31m.c", H.root);
	assert_int_equal(harness_write_png(png), 0);
	assert_int_equal(harness_write_file(txt, "int x;\n", 7), 0);
	static const char *const key_env[] = {"FAKE_OPENAI_KEY=sk-test", NULL};
	const char *ask[] = {"ask", "-m", "fo/echo", "-f", png, "-f", txt, "look", NULL};
	struct run r;
	assert_int_equal(run_cherry(&r, &H, ask, key_env, NULL, 20000), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	char id[64];
	newest_id(id, sizeof id);

	const char *show[] = {"history", "show", id, NULL};
	assert_int_equal(run_cherry(&r, &H, show, NULL, NULL, 10000), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\xf0\x9f\x93\x8e shot.png (image/png, 16 B)\n"));
	assert_non_null(strstr(r.out, "\xf0\x9f\x93\x8e e[31m.c (text/plain, 7 B)\n"));
	assert_null(strchr(r.out, '\x1b'));
	run_free(&r);

	const char *md[] = {"history", "export", id, NULL};
	assert_int_equal(run_cherry(&r, &H, md, NULL, NULL, 10000), 0);
	char link[900];
	FMT(link, "- [\xf0\x9f\x93\x8e shot.png](<file://%s/attachments/", data);
	assert_non_null(strstr(r.out, link));
	assert_non_null(strstr(r.out, ">) (image/png, 16 B)\n"));
	assert_non_null(strstr(r.out, "e\\[31m.c"));
	run_free(&r);

	const char *html[] = {"history", "export", id, "--format", "html", NULL};
	assert_int_equal(run_cherry(&r, &H, html, NULL, NULL, 10000), 0);
	assert_non_null(strstr(r.out, "img-src data:"));
	assert_non_null(strstr(r.out, "<img alt=\"\" src=\"data:image/png;base64,iVBORw0KGgo"));
	assert_non_null(strstr(r.out, "<a href=\"file://"));
	assert_null(strchr(r.out, '\x1b'));
	run_free(&r);
	fakeprov_stop(&fp);
}

static void test_kill9_loop(void **state)
{
	(void)state;
	char id[64];
	exchange(id, sizeof id, NULL, "start", "begun", "echo");
	srand((unsigned)time(NULL));
	size_t prev_n = 2;
	int reached = 0, saved_some = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < KILLS; k++) {
		/* Even rounds: any moment after fork (start-up, lock, load, the first save).
		 * Odd rounds: once the answer streams, so most kills land among partial saves
		 * however slow the machine (or the sanitizers) make start-up. */
		struct round rd = {id, k};
		size_t last = 0;
		int got = harness_kill9(child_stream, &rd, k % 2, k % 2 ? 25000000 : 60000000,
					&last, sizeof last);
		if (got < 0)
			fail_msg("child %d ended on its own, or could not be killed", k);
		struct hist_conv c;
		load_after_kill(id, k, &prev_n, &c);
		const struct hist_msg *last_msg = &c.msgs[c.n - 1];
		char prompt[32];
		snprintf(prompt, sizeof prompt, "prompt %d", k);
		if (got) {
			/* the child's first save completed: its exchange is there */
			reached++;
			assert_true(c.n >= 2);
			assert_string_equal(c.msgs[c.n - 2].content, prompt);
			assert_int_equal(last_msg->status, HIST_INTERRUPTED);
			assert_true(strlen(last_msg->content) >= last);
			if (!is_words(last_msg->content, k, 0))
				fail_msg("kill %d: torn answer \"%s\"", k, last_msg->content);
			saved_some += last > 0;
		}
		hist_conv_free(&c);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# kill -9 loop: %d kills, %d during an exchange, %d after a partial "
		      "save, %.1f s\n", KILLS, reached, saved_some,
		      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* the loop must really have killed during streaming saves */
	assert_true(reached >= KILLS / 2);
	assert_true(saved_some >= KILLS / 8);
	nothing_left();
}

/* kill -9 while three answers stream into one conversation at once (their text, and
 * their ends, in one journal): no torn file, nothing a completed save held is lost. */
static void test_kill9_multi(void **state)
{
	(void)state;
	char id[64];
	exchange(id, sizeof id, NULL, "start", "begun", "echo");
	size_t prev_n = 2;
	int reached = 0;
	for (int k = 0; k < KILLS_MULTI; k++) {
		/* odd rounds once the answers stream, even ones at any moment */
		struct round rd = {id, k};
		size_t last[3] = {0, 0, 0};
		int got = harness_kill9(child_multi, &rd, k % 2, k % 2 ? 20000000 : 40000000, last,
					sizeof last);
		if (got < 0)
			fail_msg("child %d ended on its own, or could not be killed", k);
		struct hist_conv c;
		load_after_kill(id, k, &prev_n, &c);
		if (got) {
			reached++;
			assert_true(c.n >= 4);
			assert_string_equal(c.msgs[c.n - 4].content, "all");
			for (int j = 0; j < 3; j++) {
				const char *t = c.msgs[c.n - 3 + (size_t)j].content;
				if (strlen(t) < last[j] || !is_words(t, k, j))
					fail_msg("kill %d: answer %d \"%.60s\" (%zu bytes saved)", k,
						 j, t, last[j]);
			}
		}
		hist_conv_free(&c);
	}
	print_message("# kill -9 among three streams' saves: %d kills, %d after a save\n",
		      KILLS_MULTI, reached);
	assert_true(reached >= KILLS_MULTI / 2);
	nothing_left();
}

int main(void)
{
	offsetalloc_use();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_reported_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_saves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_keeps_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attachments_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_reads_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_multi, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
