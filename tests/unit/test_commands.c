/* test_commands: the slash-command table against the documented list, parsing (prompts,
 * "//", prefixes, trimmed arguments, every error line exactly), Tab completion of
 * command and model names (one match, several with their common prefix, none), and
 * the help text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/commands.h"

/* The documented list (the tui contract and the man page), in help order. */
static const struct { enum slash_cmd c; const char *name, *args; enum slash_arg arg; } want[] = {
	{CMD_MODEL, "model", "[NAME]", SLASH_ARG_OPTIONAL},
	{CMD_NEW, "new", "", SLASH_ARG_NONE},
	{CMD_SYSTEM, "system", "[TEXT]", SLASH_ARG_OPTIONAL},
	{CMD_ASSISTANT, "assistant", "NAME", SLASH_ARG_REQUIRED},
	{CMD_RENAME, "rename", "TITLE", SLASH_ARG_REQUIRED},
	{CMD_EXPORT, "export", "[FILE]", SLASH_ARG_OPTIONAL},
	{CMD_RETRY, "retry", "", SLASH_ARG_NONE},
	{CMD_DELETE, "delete", "", SLASH_ARG_NONE},
	{CMD_OPEN, "open", "[ID|TITLE]", SLASH_ARG_OPTIONAL},
	{CMD_PREV, "prev", "", SLASH_ARG_NONE},
	{CMD_NEXT, "next", "", SLASH_ARG_NONE},
	{CMD_REASONING, "reasoning", "", SLASH_ARG_NONE},
	{CMD_LIST, "list", "", SLASH_ARG_NONE},
	{CMD_COPY, "copy", "", SLASH_ARG_NONE},
	{CMD_EDITOR, "editor", "", SLASH_ARG_NONE},
	{CMD_HELP, "help", "", SLASH_ARG_NONE},
	{CMD_QUIT, "quit", "", SLASH_ARG_NONE},
};
#define NWANT (sizeof(want) / sizeof(want[0]))

static void test_table(void **state)
{
	(void)state;
	size_t n;
	const struct slash_info *t = slash_commands(&n);
	assert_int_equal(n, CMD__COUNT - 1);
	assert_int_equal(n, NWANT);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].cmd, want[i].c);
		assert_string_equal(t[i].name, want[i].name);
		assert_string_equal(t[i].args, want[i].args);
		assert_int_equal(t[i].arg, want[i].arg);
		assert_true(t[i].help && t[i].help[0]);
		assert_ptr_equal(slash_info(t[i].cmd), &t[i]);
	}
	assert_null(slash_info(CMD_NONE));
	assert_null(slash_info(CMD__COUNT));
}

/* Parses line and checks the result; the argument buffer is freed. */
static void parse_ok(const char *line, enum slash_cmd c, const char *arg)
{
	struct slash_parsed p;
	struct err e;
	err_clear(&e);
	if (slash_parse(line, &p, &e) != 0)
		fail_msg("\"%s\": error \"%s\"", line, e.msg);
	if (p.cmd != c || strcmp(p.arg, arg) != 0)
		fail_msg("\"%s\": got %d \"%s\", want %d \"%s\"", line, (int)p.cmd, p.arg, (int)c,
			 arg);
	assert_int_equal(e.code, 0);
	buf_free(&p.argbuf);
}

static void parse_err(const char *line, const char *msg)
{
	struct slash_parsed p;
	struct err e;
	err_clear(&e);
	if (slash_parse(line, &p, &e) != -1)
		fail_msg("\"%s\" parsed as %d \"%s\"", line, (int)p.cmd, p.arg);
	if (strcmp(e.msg, msg) != 0)
		fail_msg("\"%s\": error \"%s\", want \"%s\"", line, e.msg, msg);
	assert_int_equal(e.code, EXIT_USAGE);
	assert_int_equal(p.cmd, CMD_NONE);
	assert_string_equal(p.arg, "");
	buf_free(&p.argbuf);
}

static void test_parse_prompts(void **state)
{
	(void)state;
	parse_ok("hello", CMD_NONE, "hello");
	parse_ok("", CMD_NONE, "");
	parse_ok(" /new", CMD_NONE, " /new");   /* only a slash in column 0 is a command */
	parse_ok("what is /model?", CMD_NONE, "what is /model?");
	parse_ok("//x", CMD_NONE, "/x");
	parse_ok("//model gpt", CMD_NONE, "/model gpt");
	parse_ok("//", CMD_NONE, "/");
	parse_ok(NULL, CMD_NONE, "");

	/* The prompt's arg points into the line itself. */
	const char *line = "//etc/passwd";
	struct slash_parsed p;
	struct err e;
	err_clear(&e);
	assert_int_equal(slash_parse(line, &p, &e), 0);
	assert_ptr_equal(p.arg, line + 1);
	buf_free(&p.argbuf);
}

static void test_parse_commands(void **state)
{
	(void)state;
	parse_ok("/new", CMD_NEW, "");
	parse_ok("/new   ", CMD_NEW, "");
	parse_ok("/new\n", CMD_NEW, "");
	parse_ok("/model", CMD_MODEL, "");
	parse_ok("/model openai/gpt-4o", CMD_MODEL, "openai/gpt-4o");
	parse_ok("/model   openai/gpt-4o  ", CMD_MODEL, "openai/gpt-4o");
	parse_ok("/model\topenai/gpt-4o\t", CMD_MODEL, "openai/gpt-4o");
	parse_ok("/mo x", CMD_MODEL, "x");
	parse_ok("/m x", CMD_MODEL, "x");
	parse_ok("/system", CMD_SYSTEM, "");
	parse_ok("/system    ", CMD_SYSTEM, "");
	parse_ok("/system  You are\n terse.\n\n", CMD_SYSTEM, "You are\n terse.");
	parse_ok("/system\nline one\nline two", CMD_SYSTEM, "line one\nline two");
	parse_ok("/assistant coder", CMD_ASSISTANT, "coder");
	parse_ok("/rename  My  title ", CMD_RENAME, "My  title");
	parse_ok("/export", CMD_EXPORT, "");
	parse_ok("/export notes.md", CMD_EXPORT, "notes.md");
	parse_ok("/open", CMD_OPEN, "");
	parse_ok("/open 20240101-abc", CMD_OPEN, "20240101-abc");
	parse_ok("/q", CMD_QUIT, "");
	parse_ok("/d", CMD_DELETE, "");
	parse_ok("/h", CMD_HELP, "");
	parse_ok("/ren T", CMD_RENAME, "T");
	parse_ok("/ret", CMD_RETRY, "");
	parse_ok("/rea", CMD_REASONING, "");
	parse_ok("/new", CMD_NEW, "");   /* exact, though "ne" also begins next */
	parse_ok("/nex", CMD_NEXT, "");
	parse_ok("/system \xE4\xBD\xA0\xE5\xA5\xBD", CMD_SYSTEM, "\xE4\xBD\xA0\xE5\xA5\xBD");

	/* Every command by its full name, with an argument when it needs one. */
	size_t n;
	const struct slash_info *t = slash_commands(&n);
	for (size_t i = 0; i < n; i++) {
		char line[64];
		snprintf(line, sizeof(line), "/%s%s", t[i].name,
			 t[i].arg == SLASH_ARG_REQUIRED ? " x" : "");
		parse_ok(line, t[i].cmd, t[i].arg == SLASH_ARG_REQUIRED ? "x" : "");
		if (t[i].arg == SLASH_ARG_OPTIONAL) {
			snprintf(line, sizeof(line), "/%s  y ", t[i].name);
			parse_ok(line, t[i].cmd, "y");
		}
	}

	/* The argument is a trimmed copy, owned by argbuf. */
	char line[] = "/rename  abc  ";
	struct slash_parsed p;
	struct err e;
	err_clear(&e);
	assert_int_equal(slash_parse(line, &p, &e), 0);
	assert_ptr_equal(p.arg, p.argbuf.data);
	line[9] = 'X';
	assert_string_equal(p.arg, "abc");
	buf_free(&p.argbuf);
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_err("/", "a command name must follow /; F1 or /help lists them");
	parse_err("/ ", "a command name must follow /; F1 or /help lists them");
	parse_err("/ new", "a command name must follow /; F1 or /help lists them");
	parse_err("/foo", "unknown command /foo; F1 or /help lists them");
	parse_err("/foo bar baz", "unknown command /foo; F1 or /help lists them");
	parse_err("/Model x", "unknown command /Model; F1 or /help lists them");
	parse_err("/models", "unknown command /models; F1 or /help lists them");
	parse_err("/etc/passwd", "unknown command /etc/passwd; F1 or /help lists them");
	parse_err("/re", "ambiguous command /re: /rename, /retry, /reasoning");
	parse_err("/n x", "ambiguous command /n: /new, /next");
	parse_err("/e", "ambiguous command /e: /export, /editor");
	parse_err("/assistant", "usage: /assistant NAME");
	parse_err("/assistant   ", "usage: /assistant NAME");
	parse_err("/rename", "usage: /rename TITLE");
	parse_err("/ren \n", "usage: /rename TITLE");
	parse_err("/new x", "/new takes no argument");
	parse_err("/q now", "/quit takes no argument");
	parse_err("/help me", "/help takes no argument");

	/* A long name is cut at 40 bytes, never inside a UTF-8 sequence. */
	char line[128], msg[256];
	snprintf(line, sizeof(line), "/%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xC3\xA9zz");
	snprintf(msg, sizeof(msg), "unknown command /%s; F1 or /help lists them",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	parse_err(line, msg);
	snprintf(line, sizeof(line), "/%s", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	snprintf(msg, sizeof(msg), "unknown command /%.40s; F1 or /help lists them", line + 1);
	parse_err(line, msg);
}

/* Completes line; checks the count, the new line and the list. */
static void complete(const char *line, const char *const *models, size_t nmodels,
		     size_t max_list, int want_n, const char *want_out, const char *want_list)
{
	struct buf out = BUF_INIT, list = BUF_INIT;
	/* Whatever the buffers held before is replaced. */
	buf_append_str(&out, "junk");
	buf_append_str(&list, "junk");
	int n = slash_complete(line, models, nmodels, &out, &list, max_list);
	const char *o = out.data ? out.data : "", *l = list.data ? list.data : "";
	if (n != want_n || strcmp(o, want_out) != 0 || strcmp(l, want_list) != 0)
		fail_msg("\"%s\": got %d \"%s\" [%s], want %d \"%s\" [%s]", line, n, o, l, want_n,
			 want_out, want_list);
	buf_free(&out);
	buf_free(&list);
}

static void test_complete_commands(void **state)
{
	(void)state;
	complete("/mo", NULL, 0, 10, 1, "/model ", "/model");
	complete("/model", NULL, 0, 10, 1, "/model ", "/model");
	complete("/de", NULL, 0, 10, 1, "/delete ", "/delete");
	complete("/a", NULL, 0, 10, 1, "/assistant ", "/assistant");
	complete("/re", NULL, 0, 10, 3, "/re", "/rename  /retry  /reasoning");
	complete("/r", NULL, 0, 10, 3, "/re", "/rename  /retry  /reasoning");
	complete("/n", NULL, 0, 10, 2, "/ne", "/new  /next");
	complete("/ne", NULL, 0, 10, 2, "/ne", "/new  /next");
	complete("/e", NULL, 0, 10, 2, "/e", "/export  /editor");
	complete("/re", NULL, 0, 2, 3, "/re", "/rename  /retry");
	complete("/re", NULL, 0, 0, 3, "/re", "");
	complete("/", NULL, 0, 3, 17, "/", "/model  /new  /system");
	complete("/", NULL, 0, 100, 17, "/",
		 "/model  /new  /system  /assistant  /rename  /export  /retry  /delete  /open  "
		 "/prev  /next  /reasoning  /list  /copy  /editor  /help  /quit");
	complete("/x", NULL, 0, 10, 0, "/x", "");
	complete("/Mo", NULL, 0, 10, 0, "/Mo", "");
	complete("/modelx", NULL, 0, 10, 0, "/modelx", "");
	complete("hello", NULL, 0, 10, 0, "hello", "");
	complete("", NULL, 0, 10, 0, "", "");
	complete("//mo", NULL, 0, 10, 0, "//mo", "");
	complete(" /mo", NULL, 0, 10, 0, " /mo", "");
	complete(NULL, NULL, 0, 10, 0, "", "");
}

static const char *const models[] = {
	"openai/gpt-4o", "openai/gpt-4o-mini", "openai/o4-mini", "anthropic/claude-sonnet-4-5",
	"openrouter/anthropic/claude-3.5-sonnet", "ollama/llama3.2", "azure/gpt-4o",
};
#define NMODELS (sizeof(models) / sizeof(models[0]))

static void test_complete_models(void **state)
{
	(void)state;
	complete("/model op", models, NMODELS, 10, 4, "/model open",
		 "openai/gpt-4o  openai/gpt-4o-mini  openai/o4-mini  "
		 "openrouter/anthropic/claude-3.5-sonnet");
	complete("/model openai/", models, NMODELS, 10, 3, "/model openai/",
		 "openai/gpt-4o  openai/gpt-4o-mini  openai/o4-mini");
	complete("/model openai/o", models, NMODELS, 10, 1, "/model openai/o4-mini",
		 "openai/o4-mini");
	complete("/model ol", models, NMODELS, 10, 1, "/model ollama/llama3.2", "ollama/llama3.2");
	/* by the part after the provider */
	complete("/model cl", models, NMODELS, 10, 1, "/model anthropic/claude-sonnet-4-5",
		 "anthropic/claude-sonnet-4-5");
	complete("/model ll", models, NMODELS, 10, 1, "/model ollama/llama3.2", "ollama/llama3.2");
	complete("/model gpt-4o", models, NMODELS, 10, 3, "/model gpt-4o",
		 "openai/gpt-4o  openai/gpt-4o-mini  azure/gpt-4o");
	complete("/model gp", models, NMODELS, 10, 3, "/model gpt-4o",
		 "openai/gpt-4o  openai/gpt-4o-mini  azure/gpt-4o");
	complete("/model gpt-4o-", models, NMODELS, 10, 1, "/model openai/gpt-4o-mini",
		 "openai/gpt-4o-mini");
	complete("/model anthropic/cl", models, NMODELS, 10, 2, "/model anthropic/claude-",
		 "anthropic/claude-sonnet-4-5  openrouter/anthropic/claude-3.5-sonnet");
	/* the typed command stays as typed, and so does the space */
	complete("/mo ol", models, NMODELS, 10, 1, "/mo ollama/llama3.2", "ollama/llama3.2");
	complete("/model   ol", models, NMODELS, 10, 1, "/model   ollama/llama3.2",
		 "ollama/llama3.2");
	complete("/model ", models, NMODELS, 2, 7, "/model ", "openai/gpt-4o  openai/gpt-4o-mini");
	complete("/model zzz", models, NMODELS, 10, 0, "/model zzz", "");
	complete("/model Op", models, NMODELS, 10, 0, "/model Op", ""); /* case-sensitive */
	complete("/model ol ", models, NMODELS, 10, 0, "/model ol ", "");
	complete("/model op", NULL, 0, 10, 0, "/model op", "");
	complete("/model op", models, 0, 10, 0, "/model op", "");
	/* other commands complete nothing after their name */
	complete("/new op", models, NMODELS, 10, 0, "/new op", "");
	complete("/open op", models, NMODELS, 10, 0, "/open op", "");
	complete("/re op", models, NMODELS, 10, 0, "/re op", "");
	complete("/ op", models, NMODELS, 10, 0, "/ op", "");

	/* Duplicates count once; NULL entries are skipped. */
	const char *dup[] = {"a/x", NULL, "a/x", "a/y", "b/x"};
	complete("/model a/", dup, 5, 10, 2, "/model a/", "a/x  a/y");
	complete("/model x", dup, 5, 10, 2, "/model x", "a/x  b/x");
	complete("/model a", dup, 5, 10, 2, "/model a/", "a/x  a/y");

	/* The common prefix never ends inside a UTF-8 sequence (é is C3 A9, è C3 A8). */
	const char *utf[] = {"p/\xC3\xA9t\xC3\xA9", "p/\xC3\xA8re"};
	complete("/model p", utf, 2, 10, 2, "/model p/", "p/\xC3\xA9t\xC3\xA9  p/\xC3\xA8re");
	complete("/model \xC3\xA9", utf, 2, 10, 1, "/model p/\xC3\xA9t\xC3\xA9",
		 "p/\xC3\xA9t\xC3\xA9");
}

static void test_help_text(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_append_str(&b, "keys\n");
	assert_int_equal(slash_help_text(&b), 0);
	assert_true(strncmp(b.data, "keys\n", 5) == 0);
	size_t n;
	const struct slash_info *t = slash_commands(&n);
	const char *p = b.data + 5;
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(p, "\n");
		assert_int_equal(p[len], '\n');
		assert_true(len <= 78);
		char cmd[64], line[160];
		snprintf(cmd, sizeof(cmd), "/%s%s%s", t[i].name, t[i].args[0] ? " " : "",
			 t[i].args);
		snprintf(line, sizeof(line), "  %-16s  %s", cmd, t[i].help);
		if (len != strlen(line) || strncmp(p, line, len) != 0)
			fail_msg("line %zu: \"%.*s\", want \"%s\"", i, (int)len, p, line);
		p += len + 1;
	}
	assert_string_equal(p, "");
	const char *first = "  /model [NAME]     choose a model; no name opens the picker\n";
	assert_true(strncmp(b.data + 5, first, strlen(first)) == 0);
	assert_non_null(strstr(b.data, "\n  /open [ID|TITLE]  open a conversation"));
	assert_non_null(strstr(b.data, "\n  /quit             quit"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_parse_prompts),
		cmocka_unit_test(test_parse_commands),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_complete_commands),
		cmocka_unit_test(test_complete_models),
		cmocka_unit_test(test_help_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
