/* test_highlight: each language family's token classes on a sample line, state carried
 * across lines (a block comment, a Python docstring, a JS template), and the same
 * classes whatever pieces the lines of a block arrive in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cherry/highlight.h"

/* Classes of a line as letters: . plain, k keyword, t type, s string, n number,
 * c comment, f function, p preprocessor, + added, - removed, m meta. */
static void classes(const char *lang, struct hl_state *st, const char *line, char *out)
{
	static const char letters[] = ".ktsncfp+-m";
	const struct hl_lang *l = hl_lang_find(lang, strlen(lang));
	assert_non_null(l);
	uint8_t cls[256];
	size_t n = strlen(line);
	assert_true(n < sizeof cls);
	hl_line(l, st, line, n, cls);
	for (size_t i = 0; i < n; i++)
		out[i] = letters[cls[i]];
	out[n] = '\0';
}

static void expect(const char *lang, const char *line, const char *want)
{
	struct hl_state st = {0, 0};
	char got[256];
	classes(lang, &st, line, got);
	assert_string_equal(got, want);
}

static void test_languages(void **state)
{
	(void)state;
	expect("c", "int x = f(42); // hi", "ttt.....f.nn...ccccc");
	expect("c", "#include <stdio.h>", "ppppppppp.........");
	expect("C++", "auto s = std::string(\"a\");", "kkkk.....ttt..tttttt.sss..");
	expect("py", "def f(): return 'x'  # c", "kkk.f....kkkkkk.sss..ccc");
	expect("js", "const a = `t${b}`;", "kkkkk.....sssssss.");
	expect("ts", "let n: number = 1;", "kkk....tttttt...n.");
	expect("go", "func main() { var s string }", "kkkk.ffff.....kkk...tttttt..");
	expect("rust", "fn f() -> i32 { 0 }", "kk.f......ttt...n..");
	expect("java", "public static void m()", "kkkkkk.kkkkkk.tttt.f..");
	expect("bash", "echo $HOME # x", "tttt.mmmmm.ccc");
	expect("json", "{\"a\": true, \"n\": 1.5e3}", ".sss..kkkk..sss..nnnnn.");
	expect("yaml", "key: 'v' # c", "mmm..sss.ccc");
	expect("toml", "[server]", "mmmmmmmm");
	expect("toml", "port = 80", "mmmm...nn");
	expect("sql", "SELECT id FROM t WHERE x = 'a';", "kkkkkk....kkkk...kkkkk.....sss.");
	expect("html", "<a href=\"x\">&amp;</a>", "mm.tttt.sssmnnnnnmmmm");
	expect("css", "a { color: #fff; }", "....mmmmm..nnnn...");
	expect("diff", "+added", "++++++");
	expect("diff", "-gone", "-----");
	expect("diff", "@@ -1 +1 @@", "mmmmmmmmmmm");
	assert_null(hl_lang_find("klingon", 7));
	assert_string_equal(hl_lang_name(hl_lang_find("PY", 2)), "python");
}

static void test_state_across_lines(void **state)
{
	(void)state;
	struct hl_state st = {0, 0};
	char got[256];
	classes("c", &st, "a /* open", got);
	assert_string_equal(got, "..ccccccc");
	assert_int_equal(st.in, HL_IN_COMMENT);
	classes("c", &st, "still */ int", got);
	assert_string_equal(got, "cccccccc.ttt");
	assert_int_equal(st.in, 0);
	classes("python", &st, "s = \"\"\"doc", got);
	assert_string_equal(got, "....ssssss");
	assert_int_equal(st.in, HL_IN_STRING);
	classes("python", &st, "if \"\"\" if", got);
	assert_string_equal(got, "ssssss.kk");
	classes("js", &st, "x = `a", got);
	classes("js", &st, "b` + 1", got);
	assert_string_equal(got, "ss...n");
	/* a C string does not go on to the next line */
	classes("c", &st, "\"open", got);
	assert_int_equal(st.in, 0);
}

/* A block highlighted line by line gives the same classes however its text was cut
 * into pieces: the state after each complete line is all that carries over. */
static void test_pieces(void **state)
{
	(void)state;
	static const char block[] = "int a; /* one\ntwo */ char *s = \"x\";\n// end\n";
	const struct hl_lang *l = hl_lang_find("c", 1);
	uint8_t whole[sizeof block], piece[sizeof block];
	struct hl_state st = {0, 0};
	memset(whole, 0, sizeof whole);
	for (size_t at = 0; at < sizeof block - 1;) {
		const char *lf = strchr(block + at, '\n');
		size_t n = (size_t)(lf - block) - at;
		hl_line(l, &st, block + at, n, whole + at);
		at += n + 1;
	}
	for (size_t split = 1; split < sizeof block - 1; split++) {
		/* the text so far, highlighted again as a stream would: complete lines once,
		 * then the open line from the state they left */
		memset(piece, 0, sizeof piece);
		struct hl_state s2 = {0, 0};
		size_t at = 0;
		for (;;) {
			const char *lf = memchr(block + at, '\n', split - at);
			if (!lf)
				break;
			size_t n = (size_t)(lf - block) - at;
			hl_line(l, &s2, block + at, n, piece + at);
			at += n + 1;
		}
		struct hl_state open = s2;
		hl_line(l, &open, block + at, split - at, piece + at);
		/* every complete line is classed as in the whole block */
		assert_memory_equal(piece, whole, at);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_state_across_lines),
		cmocka_unit_test(test_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
