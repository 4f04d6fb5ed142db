/* test_commands: what the slash-command table promises for every row (each command
 * parses with and without an argument as its kind demands, completes from its shortest
 * unique prefix and has its help line), parsing (prompts, "//", prefixes, trimmed
 * arguments, every error line exactly), Tab completion of command and model names (one
 * match, several with their common prefix, none), and the help text. The table itself is
 * never copied here: a new row is tested by adding it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/commands.h"

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
	parse_err("/e", "ambiguous command /e: /export, /editor, /edit");
	parse_ok("/edit", CMD_EDIT, ""); /* the exact name, not a prefix of /editor */
	parse_ok("/assistant", CMD_ASSISTANT, "");
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
	struct slash_names names = {{NULL}, {0}};
	names.v[SLASH_NAMES_MODEL] = models;
	names.n[SLASH_NAMES_MODEL] = nmodels;
	int n = slash_complete(line, &names, &out, &list, max_list);
	const char *o = out.data ? out.data : "", *l = list.data ? list.data : "";
	if (n != want_n || strcmp(o, want_out) != 0 || strcmp(l, want_list) != 0)
		fail_msg("\"%s\": got %d \"%s\" [%s], want %d \"%s\" [%s]", line, n, o, l, want_n,
			 want_out, want_list);
	buf_free(&out);
	buf_free(&list);
}

/* The shortest prefix of t[i].name that no other name begins, or the whole name when it
 * begins another (then only the exact name picks it). */
static size_t unique_prefix(const struct slash_info *t, size_t n, size_t i)
{
	size_t full = strlen(t[i].name);
	for (size_t len = 1; len <= full; len++) {
		size_t others = 0;
		for (size_t j = 0; j < n; j++)
			others += j != i && strncmp(t[j].name, t[i].name, len) == 0;
		if (!others)
			return len;
	}
	return full;
}

/* Every row: a well-formed entry, found by its enum value; parsed by its full name and
 * by its shortest unique prefix, with an argument and without, as its kind demands;
 * completed from that prefix. */
static void test_every_command(void **state)
{
	(void)state;
	size_t n;
	const struct slash_info *t = slash_commands(&n);
	/* every command the client can dispatch has exactly one row */
	assert_int_equal(n, CMD__COUNT - 1);
	for (int c = CMD_NONE + 1; c < CMD__COUNT; c++) {
		const struct slash_info *row = slash_info((enum slash_cmd)c);
		assert_non_null(row);
		assert_int_equal(row->cmd, c);
	}
	assert_null(slash_info(CMD_NONE));
	assert_null(slash_info(CMD__COUNT));
	for (size_t i = 0; i < n; i++) {
		const struct slash_info *r = &t[i];
		assert_ptr_equal(slash_info(r->cmd), r);
		assert_true(r->name[0] && r->name[strcspn(r->name, " /\t")] == '\0');
		assert_true(r->help && r->help[0]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t[j].name, r->name))
				fail_msg("/%s is in the table twice", r->name);
		/* the args column says what the kind is: "" none, "[X]" optional, "X" required */
		if (r->arg == SLASH_ARG_NONE)
			assert_string_equal(r->args, "");
		else if (r->arg == SLASH_ARG_OPTIONAL)
			assert_true(r->args[0] == '[' && r->args[strlen(r->args) - 1] == ']');
		else
			assert_true(r->args[0] && r->args[0] != '[');

		char full[64], pre[64], line[160], msg[200];
		snprintf(full, sizeof full, "/%s", r->name);
		snprintf(pre, sizeof pre, "/%.*s", (int)unique_prefix(t, n, i), r->name);
		const char *spell[] = {full, pre};
		for (size_t k = 0; k < 2; k++) {
			/* without an argument */
			if (r->arg == SLASH_ARG_REQUIRED) {
				snprintf(msg, sizeof msg, "usage: /%s %s", r->name, r->args);
				parse_err(spell[k], msg);
			} else {
				parse_ok(spell[k], r->cmd, "");
			}
			/* with one */
			snprintf(line, sizeof line, "%s  y z ", spell[k]);
			if (r->arg == SLASH_ARG_NONE) {
				snprintf(msg, sizeof msg, "/%s takes no argument", r->name);
				parse_err(line, msg);
			} else {
				parse_ok(line, r->cmd, "y z");
			}
		}
		/* Tab from the prefix gives the whole name and a space (a name that begins
		 * another is completed to their common prefix instead, tested by example) */
		int begins_another = 0;
		for (size_t j = 0; j < n; j++)
			begins_another |= j != i && strncmp(t[j].name, r->name, strlen(r->name)) == 0;
		snprintf(line, sizeof line, "/%s ", r->name);
		if (!begins_another)
			complete(pre, NULL, 0, 10, 1, line, full);
	}
}

static void test_complete_commands(void **state)
{
	(void)state;
	complete("/mo", NULL, 0, 10, 1, "/model ", "/model");
	complete("/model", NULL, 0, 10, 1, "/model ", "/model");
	complete("/de", NULL, 0, 10, 1, "/delete ", "/delete");
	complete("/as", NULL, 0, 10, 1, "/assistant ", "/assistant");
	complete("/a", NULL, 0, 10, 2, "/a", "/assistant  /attach");
	complete("/at", NULL, 0, 10, 1, "/attach ", "/attach");
	complete("/re", NULL, 0, 10, 3, "/re", "/rename  /retry  /reasoning");
	complete("/r", NULL, 0, 10, 3, "/re", "/rename  /retry  /reasoning");
	complete("/n", NULL, 0, 10, 2, "/ne", "/new  /next");
	complete("/ne", NULL, 0, 10, 2, "/ne", "/new  /next");
	complete("/e", NULL, 0, 10, 3, "/e", "/export  /editor  /edit");
	complete("/re", NULL, 0, 2, 3, "/re", "/rename  /retry");
	complete("/re", NULL, 0, 0, 3, "/re", "");
	/* "/" alone lists every command in table order, cut at max_list */
	size_t n;
	const struct slash_info *t = slash_commands(&n);
	char all[1024] = "", three[256] = "";
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(all);
		snprintf(all + used, sizeof all - used, "%s/%s", i ? "  " : "", t[i].name);
		if (i == 2)
			snprintf(three, sizeof three, "%.255s", all);
	}
	complete("/", NULL, 0, 3, (int)n, "/", three);
	complete("/", NULL, 0, 100, (int)n, "/", all);
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
	/* the help column starts where the keys' does (16), or after the longest command */
	int width = 16;
	for (size_t i = 0; i < n; i++) {
		int w = 1 + (int)strlen(t[i].name) + (t[i].args[0] ? 1 + (int)strlen(t[i].args) : 0);
		width = w > width ? w : width;
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(p, "\n");
		assert_int_equal(p[len], '\n');
		assert_true(len <= 78);
		char cmd[64], line[160];
		snprintf(cmd, sizeof(cmd), "/%s%s%s", t[i].name, t[i].args[0] ? " " : "",
			 t[i].args);
		snprintf(line, sizeof(line), "  %-*s  %s", width, cmd, t[i].help);
		if (len != strlen(line) || strncmp(p, line, len) != 0)
			fail_msg("line %zu: \"%.*s\", want \"%s\"", i, (int)len, p, line);
		p += len + 1;
	}
	assert_string_equal(p, "");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command),
		cmocka_unit_test(test_parse_prompts),
		cmocka_unit_test(test_parse_commands),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_complete_commands),
		cmocka_unit_test(test_complete_models),
		cmocka_unit_test(test_help_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
