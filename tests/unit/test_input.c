/* test_input: the action table (every action once, named, helped, in its mode, the
 * contract's keys), key names both ways
 * (every named key, every code), the default map without a key bound twice, config
 * rebinding (replace, steal, unbind, the exact warning lines) and the help text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cherry/input.h"
#include "cherry/text.h"

#define FN(k) (INPUT_FN | (input_key)(k))
#define META(k) (INPUT_META | (input_key)(k))

/* The keys PRODUCT §5 promises (the rest of the table is free to change). */
static const struct { enum input_action a; const char *key; } contract[] = {
	{ACT_SEND, "Enter"}, {ACT_NEWLINE, "M-Enter"}, {ACT_NEWLINE, "C-j"},
	{ACT_STOP, "Esc"}, {ACT_MODEL_PICKER, "C-o"}, {ACT_FAVORITE_NEXT, "F2"},
	{ACT_FAVORITE_PREV, "S-F2"}, {ACT_NEW_CONVERSATION, "C-n"}, {ACT_SCROLL_UP, "PgUp"},
	{ACT_SCROLL_DOWN, "PgDn"}, {ACT_HELP, "F1"}, {ACT_QUIT, "C-q"},
	{ACT_DELETE_CHAR_OR_QUIT, "C-d"},
};

static input_key parse_ok(const char *name)
{
	input_key k = 0xdeadbeef;
	if (input_key_parse(name, &k) != 0)
		fail_msg("key name \"%s\" does not parse", name);
	return k;
}

static const char *name_of(input_key k)
{
	static char out[4][64];
	static int slot;
	char *o = out[slot++ & 3];
	input_key_name(k, o, sizeof(out[0]));
	return o;
}

static struct buf keys_bufs[4];

static const char *keys_of(const struct input_map *m, enum input_action a)
{
	static int slot;
	struct buf *o = &keys_bufs[slot++ & 3];
	buf_reset(o);
	input_keys_of(m, a, o);
	return o->data ? o->data : "";
}

static void free_keys_of(void)
{
	for (int i = 0; i < 4; i++)
		buf_free(&keys_bufs[i]);
}

static void test_table_matches_contract(void **state)
{
	(void)state;
	size_t n;
	const struct input_action_info *t = input_actions(&n);
	assert_int_equal(n, ACT__COUNT - 1);
	int seen[ACT__COUNT] = {0};
	for (size_t i = 0; i < n; i++) {
		assert_true(t[i].action > ACT_NONE && t[i].action < ACT__COUNT);
		assert_int_equal(seen[t[i].action]++, 0);
		assert_true(t[i].mode < MODE__COUNT);
		/* grouped by mode, for the help screen's headings */
		if (i)
			assert_true(t[i].mode >= t[i - 1].mode);
		assert_true(t[i].help && t[i].help[0]);
		assert_ptr_equal(input_action_info(t[i].action), &t[i]);
		assert_int_equal(input_action_by_name(t[i].name), t[i].action);
		assert_int_equal(strspn(t[i].name, "abcdefghijklmnopqrstuvwxyz_"),
				 strlen(t[i].name));
	}
	struct input_map m;
	input_map_defaults(&m);
	for (size_t i = 0; i < sizeof contract / sizeof *contract; i++)
		assert_int_equal(input_lookup(&m, MODE_CHAT, parse_ok(contract[i].key)), contract[i].a);
	assert_null(input_action_info(ACT_NONE));
	assert_null(input_action_info(ACT__COUNT));
	assert_int_equal(input_action_by_name("model_pickr"), ACT_NONE);
	assert_int_equal(input_action_by_name("Model_Picker"), ACT_NONE);
	assert_int_equal(input_action_by_name(""), ACT_NONE);
	assert_int_equal(input_action_by_name(NULL), ACT_NONE);
}

static void test_key_codes(void **state)
{
	(void)state;
	static const struct { const char *name; input_key key; } cases[] = {
		{"Enter", 13}, {"C-j", 10}, {"Tab", 9}, {"Esc", 27}, {"Backspace", 127},
		{"C-h", 8}, {"M-Enter", META(13)}, {"S-Tab", FN(IK_BTAB)},
		{"F1", FN(IK_F(1))}, {"F12", FN(IK_F(12))}, {"S-F1", FN(IK_F(13))},
		{"S-F2", FN(IK_F(14))}, {"S-F12", FN(IK_F(24))}, {"F13", FN(IK_F(13))},
		{"F63", FN(IK_F(63))},
		{"M-Home", META(FN(IK_HOME))}, {"M-End", META(FN(IK_END))},
		{"PgUp", FN(IK_PPAGE)}, {"PgDn", FN(IK_NPAGE)}, {"Delete", FN(IK_DC)},
		{"Insert", FN(IK_IC)}, {"Up", FN(IK_UP)}, {"Down", FN(IK_DOWN)},
		{"Left", FN(IK_LEFT)}, {"Right", FN(IK_RIGHT)}, {"Home", FN(IK_HOME)},
		{"End", FN(IK_END)}, {"S-Left", FN(IK_SLEFT)}, {"S-Up", FN(IK_SR)},
		{"C-a", 1}, {"C-o", 15}, {"C-z", 26}, {"C-i", 9}, {"C-m", 13}, {"C-[", 27},
		{"C-@", 0}, {"C-Space", 0}, {"C-\\", 28}, {"C-]", 29}, {"C-^", 30}, {"C-_", 31},
		{"C-?", 127}, {"Space", ' '}, {" ", ' '}, {"a", 'a'}, {"A", 'A'}, {"~", '~'},
		{"-", '-'}, {"M--", META('-')}, {"M-,", META(',')}, {"M-.", META('.')},
		{"M-<", META('<')}, {"M->", META('>')}, {"M-l", META('l')}, {"M-L", META('L')},
		{"M-Backspace", META(127)}, {"M-C-a", META(1)}, {"M-Esc", META(27)},
		{"M-S-F2", META(FN(IK_F(14)))}, {"M-M", META('M')}, {"M", 'M'},
		{"\xC3\xA9", 0xE9}, {"\xE4\xBD\xA0", 0x4F60}, {"\xF0\x9F\x98\x80", 0x1F600},
		{"M-\xC3\xA9", META(0xE9)},
		/* named keys are case-insensitive, and have a few aliases */
		{"enter", 13}, {"ESC", 27}, {"pgup", FN(IK_PPAGE)}, {"c-O", 15}, {"m-x", META('x')},
		{"f12", FN(IK_F(12))}, {"s-f12", FN(IK_F(24))}, {"Return", 13}, {"Escape", 27},
		{"PageUp", FN(IK_PPAGE)}, {"PageDown", FN(IK_NPAGE)}, {"Del", FN(IK_DC)},
		{"Ins", FN(IK_IC)}, {"backspace", 127}, {"space", ' '}, {"s-tab", FN(IK_BTAB)},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		input_key k = parse_ok(cases[i].name);
		if (k != cases[i].key)
			fail_msg("\"%s\": got 0x%x, want 0x%x", cases[i].name, (unsigned)k,
				 (unsigned)cases[i].key);
	}
}

static void test_key_parse_rejects(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", "C-", "M-", "C-1", "C-\xC3\xA9", "F0", "F64", "F01", "F123", "S-F0", "S-F13",
		"Ctrl-a", "Alt-x", "xy", "ab", "\x01", "\x7f", "\t", "\xC3", "\xC2\x80",
		"\xED\xA0\x80", "M-M-x", "C-M-a", "Foo", "Enterr", "F1 ", " F1", "M-", "S-",
		"S-x", "<key 0410>", "<U+0085>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		input_key k = 0x1234;
		if (input_key_parse(bad[i], &k) != -1)
			fail_msg("\"%s\" parsed as 0x%x", bad[i], (unsigned)k);
	}
	input_key k;
	assert_int_equal(input_key_parse(NULL, &k), -1);
}

/* Every canonical name parses to a key whose name is that name again. */
static void test_name_round_trip(void **state)
{
	(void)state;
	static const char *names[] = {
		"Enter", "Esc", "Tab", "S-Tab", "Backspace", "Delete", "Insert", "Up", "Down",
		"Left", "Right", "Home", "End", "PgUp", "PgDn", "Space", "C-Space", "S-Up",
		"S-Down", "S-Left", "S-Right", "S-Home", "S-End", "S-PgUp", "S-PgDn",
		"S-Delete", "S-Insert", "C-h", "C-j", "C-\\", "C-]", "C-^", "C-_", "a", "Z",
		"0", "~", ",", ".", "<", ">", "-", "\xC3\xA9", "\xE4\xBD\xA0",
		"\xF0\x9F\x98\x80", "F25", "F63",
	};
	char buf[80];
	for (int meta = 0; meta < 2; meta++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(buf, sizeof(buf), "%s%s", meta ? "M-" : "", names[i]);
			assert_string_equal(name_of(parse_ok(buf)), buf);
		}
		for (int f = 1; f <= 12; f++) {
			snprintf(buf, sizeof(buf), "%sF%d", meta ? "M-" : "", f);
			assert_string_equal(name_of(parse_ok(buf)), buf);
			snprintf(buf, sizeof(buf), "%sS-F%d", meta ? "M-" : "", f);
			assert_string_equal(name_of(parse_ok(buf)), buf);
		}
		for (char c = 'a'; c <= 'z'; c++) {
			if (c == 'i' || c == 'm')
				continue; /* Tab and Enter */
			snprintf(buf, sizeof(buf), "%sC-%c", meta ? "M-" : "", c);
			assert_string_equal(name_of(parse_ok(buf)), buf);
		}
	}
	/* Aliases and other spellings name the key canonically. */
	assert_string_equal(name_of(parse_ok("C-i")), "Tab");
	assert_string_equal(name_of(parse_ok("C-m")), "Enter");
	assert_string_equal(name_of(parse_ok("C-[")), "Esc");
	assert_string_equal(name_of(parse_ok("C-?")), "Backspace");
	assert_string_equal(name_of(parse_ok("F13")), "S-F1");
	assert_string_equal(name_of(parse_ok("m-pageup")), "M-PgUp");
	assert_string_equal(name_of(parse_ok(" ")), "Space");
	assert_string_equal(name_of(FN(IK_BACKSPACE)), "Backspace");
	assert_string_equal(name_of(META(FN(IK_ENTER))), "M-Enter");
}

/* The other way: every key that has a name parses back to itself (but for the two
 * curses codes that are spelled like their ASCII twins); the rest get a name that
 * does not parse. */
static void test_every_code_round_trip(void **state)
{
	(void)state;
	for (int meta = 0; meta < 2; meta++) {
		for (input_key c = 0; c < 0x3000; c++) {
			input_key k = (meta ? INPUT_META : 0) | c;
			const char *n = name_of(k);
			input_key back;
			/* '<' itself is a key name; unnamed keys are "<...>" */
			int named = n[meta ? 2 : 0] != '<' || n[meta ? 3 : 1] == '\0';
			assert_int_equal(named, !(c >= 0x80 && c < 0xa0));
			if (!named) {
				assert_int_equal(input_key_parse(n, &back), -1);
				continue;
			}
			if (input_key_parse(n, &back) != 0 || back != k)
				fail_msg("0x%x is \"%s\", which does not parse back", (unsigned)k, n);
		}
		for (input_key c = 0401; c <= 0777; c++) /* curses KEY_MIN..KEY_MAX */ {
			input_key k = (meta ? INPUT_META : 0) | FN(c);
			const char *n = name_of(k);
			input_key back;
			if (n[meta ? 2 : 0] == '<') {
				assert_int_equal(input_key_parse(n, &back), -1);
				continue;
			}
			assert_int_equal(input_key_parse(n, &back), 0);
			if (c == IK_BACKSPACE)
				assert_int_equal(back, (meta ? INPUT_META : 0) | 127);
			else if (c == IK_ENTER)
				assert_int_equal(back, (meta ? INPUT_META : 0) | 13);
			else if (back != k)
				fail_msg("FN 0%o is \"%s\", which parses as 0x%x", (unsigned)c, n,
					 (unsigned)back);
		}
	}
	assert_string_equal(name_of(FN(IK_F0)), "<key 0410>");
	assert_string_equal(name_of(0x85), "<U+0085>");
	assert_string_equal(name_of(META(0x110000)), "M-<U+110000>");
	assert_string_equal(name_of(0xD800), "<U+D800>");
}

static void test_key_name_cut(void **state)
{
	(void)state;
	char out[8];
	memset(out, 'x', sizeof(out));
	input_key_name(META(FN(IK_HOME)), out, 4);
	assert_string_equal(out, "M-H");
	assert_int_equal(out[4], 'x');
	input_key_name(13, out, 0);
	assert_int_equal(out[0], 'M');
	input_key_name(13, out, 1);
	assert_string_equal(out, "");
}

/* Every default key name parses, and no key is bound to two actions of one mode. */
static void test_defaults_distinct(void **state)
{
	(void)state;
	input_key seen[INPUT_MAX_BINDINGS];
	enum input_action owner[INPUT_MAX_BINDINGS];
	size_t nseen = 0;
	size_t n;
	const struct input_action_info *t = input_actions(&n);
	for (size_t i = 0; i < n; i++) {
		char list[64];
		snprintf(list, sizeof(list), "%s", t[i].defaults);
		for (char *save, *tok = strtok_r(list, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			input_key k = parse_ok(tok);
			for (size_t j = 0; j < nseen; j++)
				if (seen[j] == k && input_action_info(owner[j])->mode == t[i].mode)
					fail_msg("%s is bound to %s and %s", tok,
						 input_action_info(owner[j])->name, t[i].name);
			assert_true(nseen < INPUT_MAX_BINDINGS);
			seen[nseen] = k;
			owner[nseen++] = t[i].action;
		}
	}
	struct input_map m;
	input_map_defaults(&m);
	for (size_t i = 0; i < m.n; i++)
		for (size_t j = i + 1; j < m.n; j++)
			if (m.b[i].key == m.b[j].key && m.b[i].mode == m.b[j].mode)
				fail_msg("%s bound twice", name_of(m.b[i].key));
	for (size_t j = 0; j < nseen; j++)
		assert_int_equal(input_lookup(&m, input_action_info(owner[j])->mode, seen[j]),
				 owner[j]);
}

static void test_default_lookup(void **state)
{
	(void)state;
	struct input_map m;
	input_map_defaults(&m);
	static const struct { input_key k; enum input_action a; } cases[] = {
		{13, ACT_SEND}, {FN(IK_ENTER), ACT_SEND}, {META(13), ACT_NEWLINE},
		{META(FN(IK_ENTER)), ACT_NEWLINE}, {10, ACT_NEWLINE}, {27, ACT_STOP},
		{15, ACT_MODEL_PICKER}, {FN(IK_F(2)), ACT_FAVORITE_NEXT},
		{FN(IK_F(14)), ACT_FAVORITE_PREV}, {14, ACT_NEW_CONVERSATION},
		{127, ACT_BACKSPACE}, {FN(IK_BACKSPACE), ACT_BACKSPACE}, {8, ACT_BACKSPACE},
		{META(127), ACT_KILL_WORD_BACK}, {META(FN(IK_BACKSPACE)), ACT_KILL_WORD_BACK},
		{23, ACT_KILL_WORD_BACK}, {FN(IK_DC), ACT_DELETE_CHAR}, {4, ACT_DELETE_CHAR_OR_QUIT},
		{META(FN(IK_HOME)), ACT_SCROLL_TOP}, {FN(IK_HOME), ACT_LINE_START},
		{META(FN(IK_END)), ACT_SCROLL_BOTTOM}, {FN(IK_END), ACT_LINE_END},
		{16, ACT_HISTORY_OLDER}, {META('p'), ACT_HISTORY_OLDER}, {META('n'), ACT_HISTORY_NEWER},
		{META(','), ACT_SIBLING_PREV}, {META('.'), ACT_SIBLING_NEXT}, {17, ACT_QUIT},
		{9, ACT_COMPLETE}, {FN(IK_F(1)), ACT_HELP}, {FN(IK_PPAGE), ACT_SCROLL_UP},
		{'a', ACT_NONE}, {' ', ACT_NONE}, {META('x'), ACT_NONE}, {META('z'), ACT_STOP_ONE}, {FN(IK_F(10)), ACT_NONE},
		{FN(0x7f0005), ACT_NONE}, {0, ACT_NONE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (input_lookup(&m, MODE_CHAT, cases[i].k) != cases[i].a)
			fail_msg("%s: got %d, want %d", name_of(cases[i].k),
				 (int)input_lookup(&m, MODE_CHAT, cases[i].k), (int)cases[i].a);
	assert_string_equal(keys_of(&m, ACT_NEWLINE), "M-Enter, C-j");
	assert_string_equal(keys_of(&m, ACT_SEND), "Enter");
	assert_string_equal(keys_of(&m, ACT_BACKSPACE), "Backspace, C-h");
	assert_string_equal(keys_of(&m, ACT_KILL_WORD_BACK), "C-w, M-Backspace");
	assert_string_equal(keys_of(&m, ACT_FAVORITE_PREV), "S-F2");
	assert_string_equal(keys_of(&m, ACT_NONE), "");
	free_keys_of();
}

/* Warnings are collected as "line|line|". */
struct warns {
	char text[2048];
	int n;
};

static void collect(void *ctx, const char *line)
{
	struct warns *w = ctx;
	size_t len = strlen(w->text);
	snprintf(w->text + len, sizeof(w->text) - len, "%s|", line);
	w->n++;
}

/* The default map with the "keys" object of json applied. */
static void apply(struct input_map *m, const char *json, struct warns *w)
{
	json_error_t jerr;
	json_t *keys = json_loads(json, 0, &jerr);
	if (!keys)
		fail_msg("bad test json %s: %s", json, jerr.text);
	input_map_defaults(m);
	memset(w, 0, sizeof(*w));
	input_map_apply(m, keys, collect, w);
	json_decref(keys);
}

static void test_rebind_replaces(void **state)
{
	(void)state;
	struct input_map m;
	struct warns w;
	apply(&m, "{\"model_picker\": \"F9\"}", &w);
	assert_string_equal(w.text, "");
	assert_int_equal(input_lookup(&m, MODE_CHAT, FN(IK_F(9))), ACT_MODEL_PICKER);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 15), ACT_NONE);
	assert_string_equal(keys_of(&m, ACT_MODEL_PICKER), "F9");

	apply(&m, "{\"newline\": [\"C-j\", \"S-F12\"], \"stop\": [], \"send\": \"M-Enter\"}", &w);
	assert_string_equal(w.text, "");
	assert_string_equal(keys_of(&m, ACT_NEWLINE), "C-j, S-F12");
	assert_string_equal(keys_of(&m, ACT_STOP), "");
	assert_int_equal(input_lookup(&m, MODE_CHAT, 27), ACT_NONE);
	/* send took M-Enter (and its keypad twin) but lost plain Enter */
	assert_string_equal(keys_of(&m, ACT_SEND), "M-Enter");
	assert_int_equal(input_lookup(&m, MODE_CHAT, META(13)), ACT_SEND);
	assert_int_equal(input_lookup(&m, MODE_CHAT, META(FN(IK_ENTER))), ACT_SEND);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 13), ACT_NONE);
	assert_int_equal(input_lookup(&m, MODE_CHAT, FN(IK_ENTER)), ACT_NONE);

	/* The same key given twice is bound once. */
	apply(&m, "{\"quit\": [\"C-q\", \"c-Q\", \"F10\"]}", &w);
	assert_string_equal(w.text, "");
	assert_string_equal(keys_of(&m, ACT_QUIT), "C-q, F10");
	free_keys_of();
}

/* The modes' hint lines name the keys bound now: the defaults say what they always
 * said; a rebound key is named instead, an unbound action's part is left out. */
/* A hint too wide for its line leaves out what matters least, never the way back: at 100
 * columns "Message selected: " and the select hint were cut after "b branch". */
static void test_hint_fits(void **state)
{
	(void)state;
	struct input_map m;
	struct buf b = BUF_INIT;
	input_map_defaults(&m);
	assert_int_equal(input_hint_fit(&m, INPUT_HINT_SELECT, 1000, &b), 0);
	char *whole = strdup(b.data);
	int full = text_width(b.data, b.len);
	for (int room = full; room >= 30; room--) {
		buf_reset(&b);
		buf_append_str(&b, "Message selected: ");
		assert_int_equal(input_hint_fit(&m, INPUT_HINT_SELECT, room, &b), 0);
		const char *h = b.data + strlen("Message selected: ");
		assert_true(text_width(h, strlen(h)) <= room);
		assert_non_null(strstr(h, "Esc back"));
		assert_non_null(strstr(h, "Up/Down move"));
		if (room == full)
			assert_string_equal(h, whole);
	}
	buf_reset(&b);
	assert_int_equal(input_hint_fit(&m, INPUT_HINT_SELECT, 81, &b), 0); /* 100 columns */
	assert_string_equal(b.data, "c copy \xc2\xb7 C code \xc2\xb7 e edit \xc2\xb7 F5 ask again "
			    "\xc2\xb7 d delete \xc2\xb7 Up/Down move \xc2\xb7 Esc back");
	free(whole);
	buf_free(&b);
}

static void test_hints_follow_bindings(void **state)
{
	(void)state;
	struct input_map m;
	struct warns w;
	struct buf b = BUF_INIT;
	input_map_defaults(&m);
	assert_int_equal(input_hint_text(&m, INPUT_HINT_SELECT, &b), 0);
	assert_string_equal(b.data, "c copy \xc2\xb7 C code \xc2\xb7 e edit \xc2\xb7 F5 ask again "
			    "\xc2\xb7 r with a model \xc2\xb7 d delete \xc2\xb7 b branch \xc2\xb7 "
			    "x clear context \xc2\xb7 Up/Down move \xc2\xb7 Esc back");
	buf_reset(&b);
	input_hint_text(&m, INPUT_HINT_SELECT_SIDE, &b);
	assert_string_equal(b.data, "Enter go on from it \xc2\xb7 Left/Right beside \xc2\xb7 "
			    "Up question \xc2\xb7 c copy \xc2\xb7 e edit \xc2\xb7 F5/r retry "
			    "\xc2\xb7 d delete \xc2\xb7 Esc back");
	buf_reset(&b);
	input_hint_text(&m, INPUT_HINT_FIND, &b);
	assert_string_equal(b.data, "Enter next, Up previous, Esc closes");
	buf_reset(&b);
	input_hint_text(&m, INPUT_HINT_EDITING, &b);
	assert_string_equal(b.data, "Enter sends a new branch, Esc cancels");

	apply(&m, "{\"select_again\": \"F12\", \"select_retry\": [], \"select_leave\": "
	      "[\"q\", \"Esc\"], \"stop\": \"C-g\", \"find_close\": []}", &w);
	assert_string_equal(w.text, "");
	buf_reset(&b);
	input_hint_text(&m, INPUT_HINT_SELECT, &b);
	assert_non_null(strstr(b.data, "e edit \xc2\xb7 F12 ask again \xc2\xb7 d delete"));
	assert_non_null(strstr(b.data, "\xc2\xb7 q back"));
	assert_null(strstr(b.data, "with a model"));
	buf_reset(&b);
	input_hint_text(&m, INPUT_HINT_SELECT_SIDE, &b);
	assert_non_null(strstr(b.data, "\xc2\xb7 F12 retry \xc2\xb7"));
	buf_reset(&b);
	input_hint_text(&m, INPUT_HINT_FIND, &b);
	assert_string_equal(b.data, "Enter next, Up previous");
	buf_reset(&b);
	input_hint_text(&m, INPUT_HINT_EDITING, &b);
	assert_string_equal(b.data, "Enter sends a new branch, C-g cancels");
	char k[48];
	input_first_key(&m, ACT_SEL_LEAVE, k, sizeof k);
	assert_string_equal(k, "q");
	input_first_key(&m, ACT_FIND_CLOSE, k, sizeof k);
	assert_string_equal(k, "");
	buf_free(&b);
}

static void test_rebind_steals(void **state)
{
	(void)state;
	struct input_map m;
	struct warns w;
	apply(&m, "{\"model_picker\": \"C-n\"}", &w);
	assert_string_equal(w.text, "");
	assert_int_equal(input_lookup(&m, MODE_CHAT, 14), ACT_MODEL_PICKER);
	assert_string_equal(keys_of(&m, ACT_NEW_CONVERSATION), "");

	/* Backspace carries its curses twin along, from either spelling. */
	apply(&m, "{\"quit\": \"Backspace\"}", &w);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 127), ACT_QUIT);
	assert_int_equal(input_lookup(&m, MODE_CHAT, FN(IK_BACKSPACE)), ACT_QUIT);
	assert_string_equal(keys_of(&m, ACT_BACKSPACE), "C-h");
	assert_string_equal(keys_of(&m, ACT_QUIT), "Backspace");

	/* A later entry takes a key from an earlier one (object order). */
	apply(&m, "{\"model_picker\": \"F9\", \"help\": [\"F9\", \"F1\"]}", &w);
	assert_string_equal(w.text, "");
	assert_int_equal(input_lookup(&m, MODE_CHAT, FN(IK_F(9))), ACT_HELP);
	assert_string_equal(keys_of(&m, ACT_MODEL_PICKER), "");
	assert_string_equal(keys_of(&m, ACT_HELP), "F9, F1");

	/* Stealing a key of an action that keeps others leaves those. */
	apply(&m, "{\"redraw\": \"C-j\"}", &w);
	assert_string_equal(keys_of(&m, ACT_NEWLINE), "M-Enter");
	assert_int_equal(input_lookup(&m, MODE_CHAT, 10), ACT_REDRAW);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 12), ACT_NONE);

	/* No key ends up bound twice in one mode. */
	for (size_t i = 0; i < m.n; i++)
		for (size_t j = i + 1; j < m.n; j++)
			assert_true(m.b[i].key != m.b[j].key || m.b[i].mode != m.b[j].mode);
	free_keys_of();
}

static void test_rebind_warnings(void **state)
{
	(void)state;
	struct input_map m, def;
	struct warns w;
	input_map_defaults(&def);
	static const struct { const char *json, *warn; } cases[] = {
		{"{\"model_pickr\": \"C-o\"}", "keys.model_pickr: no such action|"},
		{"{\"send\": \"Ctrl-X\"}", "keys.send: unknown key \"Ctrl-X\"|"},
		{"{\"send\": \"\"}", "keys.send: unknown key \"\"|"},
		{"{\"send\": 5}", "keys.send: expected a key name or a list of key names|"},
		{"{\"send\": null}", "keys.send: expected a key name or a list of key names|"},
		{"{\"send\": {\"a\": 1}}", "keys.send: expected a key name or a list of key names|"},
		{"{\"send\": [\"C-s\", 5]}", "keys.send: expected a key name or a list of key names|"},
		{"{\"send\": [\"C-s\", \"nope\"]}", "keys.send: unknown key \"nope\"|"},
		{"{\"\": \"C-s\"}", "keys.: no such action|"},
		/* what comes from the file is shown on one line, without control characters */
		{"{\"a\\u001b[2Jb\\nc\": 1}", "keys.a?[2Jb?c: no such action|"},
		{"{\"send\": \"\\u0085x\\u00e9\\u007f\"}", "keys.send: unknown key \"?x\xC3\xA9?\"|"},
		{"{\"send\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\u00e9zz\"}",
		 "keys.send: unknown key \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"|"},
		{"[\"send\"]", "keys: expected an object of action names and keys|"},
		{"\"C-o\"", "keys: expected an object of action names and keys|"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_error_t jerr;
		json_t *keys = json_loads(cases[i].json, JSON_DECODE_ANY, &jerr);
		assert_non_null(keys);
		input_map_defaults(&m);
		memset(&w, 0, sizeof(w));
		input_map_apply(&m, keys, collect, &w);
		json_decref(keys);
		if (strcmp(w.text, cases[i].warn) != 0)
			fail_msg("%s: warned \"%s\", want \"%s\"", cases[i].json, w.text,
				 cases[i].warn);
		/* A bad entry changes nothing. */
		assert_int_equal(m.n, def.n);
		assert_memory_equal(m.b, def.b, sizeof(m.b[0]) * m.n);
	}

	/* Good entries around bad ones still apply; one warning per bad entry, in order. */
	apply(&m, "{\"help\": \"F9\", \"nope\": \"F1\", \"quit\": \"Hyper-q\", \"redraw\": 1,"
		  " \"stop\": [\"C-g\"]}", &w);
	assert_string_equal(w.text, "keys.nope: no such action|keys.quit: unknown key \"Hyper-q\"|"
				    "keys.redraw: expected a key name or a list of key names|");
	assert_int_equal(w.n, 3);
	assert_int_equal(input_lookup(&m, MODE_CHAT, FN(IK_F(9))), ACT_HELP);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 7), ACT_STOP);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 17), ACT_QUIT);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 12), ACT_REDRAW);

	/* Long names are cut, not overflowed; no callback is fine; NULL keys are nothing. */
	char json[1200], name[1000];
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(json, sizeof(json), "{\"%s\": \"C-o\"}", name);
	apply(&m, json, &w);
	char want[200];
	snprintf(want, sizeof(want), "keys.%.100s: no such action|", name);
	assert_string_equal(w.text, want);
	json_t *keys = json_loads("{\"nope\": 1, \"send\": \"F9\"}", 0, NULL);
	input_map_defaults(&m);
	input_map_apply(&m, keys, NULL, NULL);
	json_decref(keys);
	assert_int_equal(input_lookup(&m, MODE_CHAT, FN(IK_F(9))), ACT_SEND);
	input_map_defaults(&m);
	input_map_apply(&m, NULL, collect, &w);
	assert_int_equal(m.n, def.n);
}

static void test_rebind_too_many(void **state)
{
	(void)state;
	/* More distinct keys for one action than the map holds: refused as a whole. */
	json_t *list = json_array();
	for (unsigned cp = 0x100; cp < 0x100 + INPUT_MAX_BINDINGS; cp++) {
		char u[3] = {(char)(0xc0 | cp >> 6), (char)(0x80 | (cp & 0x3f)), 0};
		json_array_append_new(list, json_string(u));
	}
	json_t *keys = json_object();
	json_object_set_new(keys, "send", list);
	struct input_map m, def;
	struct warns w;
	memset(&w, 0, sizeof(w));
	input_map_defaults(&def);
	input_map_defaults(&m);
	input_map_apply(&m, keys, collect, &w);
	json_decref(keys);
	assert_string_equal(w.text, "keys.send: too many key bindings|");
	assert_int_equal(m.n, def.n);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 13), ACT_SEND);
	assert_int_equal(input_lookup(&m, MODE_CHAT, 0x100), ACT_NONE);
}

/* The line of the help text that starts with prefix, or NULL. */
static const char *help_line(const char *text, const char *prefix, char *line, size_t sz)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			snprintf(line, sz, "%.*s", (int)len, p);
			return line;
		}
		p += len + (p[len] == '\n');
	}
	return NULL;
}

static void test_help_text(void **state)
{
	(void)state;
	struct input_map m;
	input_map_defaults(&m);
	struct buf b = BUF_INIT;
	buf_append_str(&b, "before\n");
	assert_int_equal(input_help_text(&m, &b), 0);
	assert_true(strncmp(b.data, "before\n", 7) == 0);
	const char *text = b.data + 7;

	/* One line per action, in table order, help starting at one column; each mode's
	 * actions under a heading line, the modes apart by an empty line. */
	size_t n;
	const struct input_action_info *t = input_actions(&n);
	const char *p = text;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || t[i].mode != t[i - 1].mode) {
			if (i)
				assert_true(*p++ == '\n');
			size_t hl = strcspn(p, "\n");
			assert_true(hl > 3 && p[0] != ' ' && p[hl - 1] == ':');
			p += hl + 1;
		}
		size_t len = strcspn(p, "\n");
		assert_int_equal(p[len], '\n');
		assert_true(len <= 78);
		char want[128];
		const char *keys = keys_of(&m, t[i].action);
		snprintf(want, sizeof(want), "  %-16s  %s", keys, t[i].help);
		if (len != strlen(want) || strncmp(p, want, len) != 0)
			fail_msg("line %zu: \"%.*s\", want \"%s\"", i, (int)len, p, want);
		p += len + 1;
	}
	assert_string_equal(p, "");
	char line[200];
	assert_non_null(help_line(text, "  M-Enter, C-j ", line, sizeof(line)));
	assert_string_equal(line, "  M-Enter, C-j      start a new line in the input");
	assert_non_null(help_line(text, "  Enter ", line, sizeof(line)));
	assert_string_equal(line, "  Enter             send the message, or run the /command");
	assert_non_null(help_line(text, "  C-w, M-Backspace", line, sizeof(line)));
	assert_string_equal(line, "  C-w, M-Backspace  delete the word before the cursor");

	/* Rebinding shows; an unbound action still has its line; long keys wrap. */
	buf_reset(&b);
	struct warns w;
	apply(&m, "{\"model_picker\": [\"F9\", \"F10\"], \"stop\": [],"
		  " \"help\": [\"F1\", \"S-F1\", \"M-S-F1\", \"M-h\", \"M-?\"]}", &w);
	assert_string_equal(w.text, "");
	assert_int_equal(input_help_text(&m, &b), 0);
	assert_non_null(help_line(b.data, "  F9, F10", line, sizeof(line)));
	assert_string_equal(line, "  F9, F10           choose a model: type to filter, Enter chooses");
	assert_non_null(help_line(b.data, "  (unbound)", line, sizeof(line)));
	assert_string_equal(line, "  (unbound)         stop the answer being streamed; close an overlay");
	assert_null(help_line(b.data, "  C-o", line, sizeof(line)));
	assert_non_null(strstr(b.data, "  F1, S-F1, M-S-F1, M-h, M-?\n"
				       "                    show this help\n"));
	buf_free(&b);
	free_keys_of();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_contract),
		cmocka_unit_test(test_key_codes),
		cmocka_unit_test(test_key_parse_rejects),
		cmocka_unit_test(test_name_round_trip),
		cmocka_unit_test(test_every_code_round_trip),
		cmocka_unit_test(test_key_name_cut),
		cmocka_unit_test(test_defaults_distinct),
		cmocka_unit_test(test_default_lookup),
		cmocka_unit_test(test_rebind_replaces),
		cmocka_unit_test(test_hints_follow_bindings),
		cmocka_unit_test(test_hint_fits),
		cmocka_unit_test(test_rebind_steals),
		cmocka_unit_test(test_rebind_warnings),
		cmocka_unit_test(test_rebind_too_many),
		cmocka_unit_test(test_help_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
