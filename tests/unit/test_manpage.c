/* test_manpage: man/cherry.1 documents every action's default keys and every slash
 * command of the tables (input.c, commands.c), so the manual cannot drift from them.
 *
 * The rule, on the mdoc source (read from the repository root, where the tests run, or
 * from $CHERRY_MAN_PAGE):
 * - The KEY BINDINGS section is the lines from ".Sh KEY BINDINGS" to the next ".Sh"
 *   (subsections inside it are fine). For every action it has an ".It" line whose
 *   words include each of the action's default key names and the action's config name,
 *   e.g. ".It Ic M-Enter , C-j Pq Cm newline". Words are split at blanks, with "\&"
 *   removed ("M-,\&" is "M-,") and surrounding double quotes dropped. The section also
 *   mentions config.json and shows the "no such action" warning.
 * - The slash commands are the lines from ".Sh SLASH COMMANDS" (or ".Ss Slash commands",
 *   the title compared without regard to case) to the next ".Sh" (or the next ".Ss" for
 *   a subsection). For every command it has an ".It" line whose words include "/name"
 *   and each word of its argument without brackets, split at '|', e.g.
 *   ".It Ic /open Op Ar ID | Ar TITLE". */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cherry/commands.h"
#include "cherry/input.h"

#define MAX_LINES 20000

static char *page;
static char *lines[MAX_LINES];
static size_t nlines;

static int load_page(void **state)
{
	(void)state;
	const char *path = getenv("CHERRY_MAN_PAGE");
	if (!path || !*path)
		path = "man/cherry.1";
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s (run from the repository root)\n", path);
		return -1;
	}
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&b, chunk, n) < 0)
			break;
	fclose(f);
	page = buf_steal(&b);
	if (!page)
		return -1;
	for (char *save, *l = strtok_r(page, "\n", &save); l && nlines < MAX_LINES;
	     l = strtok_r(NULL, "\n", &save))
		lines[nlines++] = l;
	return 0;
}

static int free_page(void **state)
{
	(void)state;
	free(page);
	return 0;
}

/* The section [*from, *to) whose heading line is macro + title (title without case). */
static int find_section(const char *macro, const char *title, size_t *from, size_t *to)
{
	size_t ml = strlen(macro);
	for (size_t i = 0; i < nlines; i++) {
		if (strncmp(lines[i], macro, ml) != 0 || lines[i][ml] != ' ' ||
		    strcasecmp(lines[i] + ml + 1, title) != 0)
			continue;
		size_t j = i + 1;
		while (j < nlines && strncmp(lines[j], ".Sh ", 4) != 0 &&
		       !(strcmp(macro, ".Ss") == 0 && strncmp(lines[j], ".Ss ", 4) == 0))
			j++;
		*from = i + 1;
		*to = j;
		return 0;
	}
	return -1;
}

/* Whether word is one of the words of line, as the rule above reads them. */
static int has_word(const char *line, const char *word)
{
	char copy[1024];
	snprintf(copy, sizeof(copy), "%s", line);
	for (char *save, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char clean[256];
		size_t n = 0;
		for (const char *p = w; *p && n + 1 < sizeof(clean); p++) {
			if (p[0] == '\\' && p[1] == '&') {
				p++;
				continue;
			}
			clean[n++] = *p;
		}
		clean[n] = '\0';
		char *c = clean;
		if (n >= 2 && c[0] == '"' && c[n - 1] == '"') {
			c[n - 1] = '\0';
			c++;
		}
		if (strcmp(c, word) == 0)
			return 1;
	}
	return 0;
}

/* An ".It" line of [from, to) that has every word of words (NULL-terminated). */
static int has_item(size_t from, size_t to, const char *const *words)
{
	for (size_t i = from; i < to; i++) {
		if (strncmp(lines[i], ".It ", 4) != 0)
			continue;
		int all = 1;
		for (size_t k = 0; words[k] && all; k++)
			all = has_word(lines[i], words[k]);
		if (all)
			return 1;
	}
	return 0;
}

static int section_mentions(size_t from, size_t to, const char *text)
{
	for (size_t i = from; i < to; i++)
		if (strstr(lines[i], text))
			return 1;
	return 0;
}

static void test_key_bindings(void **state)
{
	(void)state;
	size_t from, to;
	if (find_section(".Sh", "KEY BINDINGS", &from, &to) < 0)
		fail_msg("man/cherry.1 has no \".Sh KEY BINDINGS\" section");
	size_t n, missing = 0;
	const struct input_action_info *t = input_actions(&n);
	for (size_t i = 0; i < n; i++) {
		char keys[64];
		const char *words[8];
		size_t nw = 0;
		snprintf(keys, sizeof(keys), "%s", t[i].defaults);
		for (char *save, *k = strtok_r(keys, " ", &save); k && nw < 6;
		     k = strtok_r(NULL, " ", &save))
			words[nw++] = k;
		words[nw++] = t[i].name;
		words[nw] = NULL;
		if (!has_item(from, to, words)) {
			print_error("KEY BINDINGS has no \".It\" line with %s and %s\n",
				    t[i].defaults, t[i].name);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	assert_true(section_mentions(from, to, "config.json"));
	assert_true(section_mentions(from, to, "no such action"));
}

static void test_slash_commands(void **state)
{
	(void)state;
	size_t from, to;
	if (find_section(".Sh", "SLASH COMMANDS", &from, &to) < 0 &&
	    find_section(".Ss", "Slash commands", &from, &to) < 0)
		fail_msg("man/cherry.1 has no \".Sh SLASH COMMANDS\" or \".Ss Slash commands\"");
	size_t n, missing = 0;
	const struct slash_info *c = slash_commands(&n);
	for (size_t i = 0; i < n; i++) {
		char name[64], args[64];
		const char *words[8];
		size_t nw = 0;
		snprintf(name, sizeof(name), "/%s", c[i].name);
		words[nw++] = name;
		snprintf(args, sizeof(args), "%s", c[i].args);
		for (char *save, *a = strtok_r(args, "[]|", &save); a && nw < 6;
		     a = strtok_r(NULL, "[]|", &save))
			words[nw++] = a;
		words[nw] = NULL;
		if (!has_item(from, to, words)) {
			print_error("the slash commands have no \".It\" line with %s %s\n", name,
				    c[i].args);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

/* The rule itself, on lines it must accept and refuse. */
static void test_rule(void **state)
{
	(void)state;
	assert_true(has_word(".It Ic M-Enter , C-j Pq Cm newline", "C-j"));
	assert_true(has_word(".It Ic M-,\\& Pq Cm sibling_prev", "M-,"));
	assert_true(has_word(".It Ic \"C-o\"", "C-o"));
	assert_false(has_word(".It Ic C-oo", "C-o"));
	assert_false(has_word(".It Ic M-Enter,", "M-Enter"));
	assert_true(has_word(".It Ic /open Op Ar ID | Ar TITLE", "TITLE"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_key_bindings),
		cmocka_unit_test(test_slash_commands),
	};
	return cmocka_run_group_tests(tests, load_page, free_page);
}
