/* fakeprov_scen: the scripted models: a model name's '+'-joined words read as a
 * scenario (tests/fakeprov.md lists them), and an answer's content made delta by delta. */
#include "fakeprov.h"

/* ---------------------------------------------------------------- scenarios */

static const char *const kind_names[] = {"openai", "anthropic", "gemini", "ollama", "azure",
					 "openai-responses", "bedrock"};

static const struct {
	const char *word;
	enum failure f;
} fail_words[] = {
	{"e400", F_400}, {"e401", F_401}, {"e403", F_403}, {"e404", F_404},
	{"e429", F_429}, {"e429ms", F_429MS}, {"quota", F_QUOTA}, {"e500", F_500},
	{"e503", F_503}, {"e529", F_529},
};

/* A fixture name stays inside the fixtures directory: no '/', no leading dot. */
static int replay_name_ok(const char *s)
{
	if (!*s || strlen(s) >= 100 || s[0] == '.')
		return 0;
	for (; *s; s++) {
		int alnum = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
			    || (*s >= '0' && *s <= '9');
		if (!alnum && *s != '-' && *s != '_' && *s != '.')
			return 0;
	}
	return 1;
}

static int word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(w, lit, n);
}

/* Parses a number after "prefix:" in word w; -1 when w is not that word. */
static long word_num(const char *w, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (n <= pl || memcmp(w, prefix, pl))
		return -1;
	long v = 0;
	for (size_t i = pl; i < n; i++) {
		if (w[i] < '0' || w[i] > '9' || v > 100000000)
			return -1;
		v = v * 10 + (w[i] - '0');
	}
	return v;
}

static int parse_word(struct scenario *sc, const char *w, size_t n)
{
	long v;
	if (!n)
		return 0;
	for (size_t i = 0; i < sizeof fail_words / sizeof *fail_words; i++)
		if (word_is(w, n, fail_words[i].word)) {
			sc->fail = fail_words[i].f;
			return 0;
		}
	if (word_is(w, n, "hello"))
		sc->content = C_HELLO;
	else if (word_is(w, n, "tools"))
		sc->tools = 1;
	else if (word_is(w, n, "tools2"))
		sc->tools = 2;
	else if (word_is(w, n, "toolsloop"))
		sc->tools = sc->tools ? sc->tools : 1, sc->tools_loop = 1;
	else if (n > 5 && n < 5 + sizeof sc->tool_pick && !strncmp(w, "tool:", 5)) {
		memcpy(sc->tool_pick, w + 5, n - 5);
		sc->tool_pick[n - 5] = '\0';
		if (!sc->tools)
			sc->tools = 1;
	}
	else if (word_is(w, n, "badcrc"))
		sc->badcrc = 1;
	else if (word_is(w, n, "reasoning"))
		sc->reasoning = 1;
	else if (word_is(w, n, "reasoning2"))
		sc->reasoning = 2;
	else if ((v = word_num(w, n, "long:")) >= 0)
		sc->content = C_LONG, sc->long_n = v;
	else if ((v = word_num(w, n, "mdlong:")) >= 0)
		sc->content = C_MDLONG, sc->long_n = v;
	else if ((v = word_num(w, n, "mdcode:")) >= 0)
		sc->content = C_MDCODE, sc->long_n = v;
	else if (word_is(w, n, "bigline"))
		sc->content = C_BIGLINE, sc->bigline_bytes = BIGLINE_BYTES;
	else if (word_is(w, n, "hugeline"))
		sc->content = C_BIGLINE, sc->bigline_bytes = HUGELINE_BYTES;
	else if (word_is(w, n, "badutf8"))
		sc->content = C_BADUTF8;
	else if (word_is(w, n, "escapes"))
		sc->content = C_ESCAPES;
	else if (word_is(w, n, "cjk"))
		sc->content = C_CJK;
	else if (word_is(w, n, "markdown"))
		sc->content = C_MARKDOWN;
	else if (word_is(w, n, "length"))
		sc->length = 1;
	else if (word_is(w, n, "echo"))
		sc->content = C_ECHO;
	else if (n > 7 && !memcmp(w, "replay:", 7) && n - 7 < sizeof sc->replay) {
		memcpy(sc->replay, w + 7, n - 7);
		sc->replay[n - 7] = '\0';
		if (!replay_name_ok(sc->replay))
			return -1;
		sc->content = C_REPLAY;
	} else if (word_is(w, n, "split"))
		sc->split = 1;
	else if (word_is(w, n, "chunks"))
		sc->chunks = 1;
	else if (word_is(w, n, "cr"))
		sc->eol = EOL_CR;
	else if (word_is(w, n, "crlf"))
		sc->eol = EOL_CRLF;
	else if (word_is(w, n, "lf"))
		sc->eol = EOL_LF;
	else if (word_is(w, n, "comments"))
		sc->comments = 1;
	else if (word_is(w, n, "bom"))
		sc->bom = 1;
	else if (word_is(w, n, "nodone"))
		sc->nodone = 1;
	else if (word_is(w, n, "slow"))
		sc->slow_ms = 30;
	else if ((v = word_num(w, n, "slow:")) >= 0 && v <= 600000)
		sc->slow_ms = (int)v;
	else if ((v = word_num(w, n, "late:")) >= 0 && v <= 600000)
		sc->late_ms = (int)v;
	else if (word_is(w, n, "flaky"))
		sc->flaky = 503;
	else if (word_is(w, n, "flaky429"))
		sc->flaky = 429;
	else if (word_is(w, n, "midfail"))
		sc->mid = M_MIDFAIL;
	else if (word_is(w, n, "drop"))
		sc->mid = M_DROP;
	else if (word_is(w, n, "stall"))
		sc->mid = M_STALL;
	else if (word_is(w, n, "stallfirst"))
		sc->mid = M_STALLFIRST;
	else if (word_is(w, n, "drip"))
		sc->mid = M_DRIP;
	else if (word_is(w, n, "redirect"))
		sc->redirect = 1;
	else if (word_is(w, n, "html"))
		sc->html = 1;
	else if (word_is(w, n, "gzipbomb"))
		sc->gzipbomb = 1;
	else if ((v = word_num(w, n, "redirect:")) >= 300 && v <= 399)
		sc->redirect_to_self = (int)v;
	else if (word_is(w, n, "endless"))
		sc->endless = E_BODY;
	else if (word_is(w, n, "endlessline"))
		sc->endless = E_LINE;
	else if (word_is(w, n, "endlessheaders"))
		sc->endless = E_HEADERS;
	else if (word_is(w, n, "endlessheaderline"))
		sc->endless = E_HEADER_LINE;
	else if (word_is(w, n, "rawerror"))
		sc->rawerror = 1;
	else if (word_is(w, n, "refusal"))
		sc->refusal = 1;
	else if (word_is(w, n, "bigheader"))
		sc->bigheader = 1;
	else
		return -1;
	return 0;
}

int parse_scenario(const char *model, struct scenario *sc)
{
	memset(sc, 0, sizeof *sc);
	for (const char *w = model;;) {
		const char *plus = strchr(w, '+');
		size_t n = plus ? (size_t)(plus - w) : strlen(w);
		if (parse_word(sc, w, n) < 0) {
			snprintf(sc->bad, sizeof sc->bad, "%.*s", (int)(n < 60 ? n : 60), w);
			return -1;
		}
		if (!plus)
			return 0;
		w = plus + 1;
	}
}

/* "flaky": the first request with this kind and model string fails, later ones succeed,
 * across every connection's process (the table is shared; a slot is claimed with CAS). */
int flaky_first(enum kind k, const char *model)
{
	unsigned long long h = 14695981039346656037ull;
	const char *parts[2] = {kind_names[k], model};
	for (int i = 0; i < 2; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		h = (h ^ 0xffu) * 1099511628211ull; /* the separator */
	}
	if (!h)
		h = 1; /* 0 marks a free slot */
	for (size_t i = 0; i < FLAKY_SLOTS; i++) {
		unsigned long long *slot = &shared->flaky[(h + i) % FLAKY_SLOTS], empty = 0;
		if (__atomic_compare_exchange_n(slot, &empty, h, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return 1;
		if (empty == h)
			return 0;
	}
	die("flaky table full");
	return 0;
}

/* ---------------------------------------------------------------- answer content */

/* Fragments are JSON string contents, already escaped. */
static const char *const reasoning_frags[] = {"Considering", " how to greet", " the user."};
static const char *const escapes_frags[] = {
	"Clear\\u001b[2J screen, ",
	"now \\u001b[31mred\\u001b[0m text, ",
	"clipboard \\u001b]52;c;ZWNob",
	"yBwd25lZA==\\u0007 set, title \\u001b]0;pwned\\u0007 set, ",
	"C1 \\u009b31m CSI, bidi \\u202eevil\\u202c done.",
};
/* Raw bytes, escaped on the way out: invalid UTF-8 stays raw inside the JSON string. */
static const char *const badutf8_texts[] = {
	"Bad \xC0\xAF bytes", ", a lone \xFF here", ", a cut \xE2\x82", " end.",
};
static const char *const cjk_texts[] = {
	"你好，世界！", " こんにちは。", " 안녕하세요.", " 🍒 cherry 🎉👍🏽",
};
/* A Markdown answer, cut inside markers, words and a fence, as models stream. */
static const char *const markdown_texts[] = {
	"# Rendered\n\nSome **bo", "ld** and *it*, `co", "de span`, ~~gone~~ and a ",
	"[link](http://ex.am/ple).\n\n- one\n- two\n  - [x] done\n\n> a quote\n\n",
	"| Name | Qty |\n|:-----|----:|\n| apple | 3 |\n| \xE6\xA2\xA8 | 12 |\n\n",
	"```python\ndef f(x):\n    return x", " + 1  # add\n```\n\nMath: $\\alpha^2 \\le ",
	"\\frac{a}{b}$.\n",
};

static const char *const long_words[] = {
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
	"juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
	"sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "42",
	"3.14159", "(parens)", "\"quoted\"", "back\\slash", "a/b", "x<y>z", "50%", "#hash",
	"[brackets]", "{braces}", "semi;colon", "tab\there", "end.",
};

#define LONG_TEXT_BYTES 12  /* a few words: 260-odd bytes per OpenAI event, long:20000 ~5 MB */

/* Varied ASCII for delta number i: words picked by a generator seeded with i. */
static void long_text(struct sbuf *raw, unsigned long i, size_t want, int newline)
{
	unsigned s = (unsigned)(i * 2654435761u) | 1u;
	sb_printf(raw, "[%lu] ", i);
	while (raw->len < want) {
		sb_adds(raw, long_words[rng_next(&s) % (sizeof long_words / sizeof *long_words)]);
		sb_addc(raw, ' ');
	}
	if (newline)
		sb_addc(raw, '\n');
}

#define MDLONG_DELTA 256 /* bytes of Markdown per delta: mdlong:20000 is a ~5 MB answer */

/* Section k of the long Markdown answer: a heading, a paragraph with inline markup and a
 * link, nested and numbered lists with a task, a table, a code block (python, c or js
 * by turn) and a quote; it ends after a blank line, outside every block. */
static void mdlong_section(struct sbuf *b, unsigned long k)
{
	sb_printf(b, "## Section %lu\n\nA paragraph with **bold %lu**, *emphasis*, "
		  "~~struck~~, `inline_code(%lu)` and a [link](https://example.com/doc/%lu). "
		  "It goes on for a while so that it wraps on a normal terminal, with words "
		  "like alpha bravo charlie delta echo foxtrot and $x^2 + y_%lu$.\n\n",
		  k, k, k, k, k % 10);
	sb_printf(b, "- item one of %lu\n- item two with `code`\n  - nested bravo\n"
		  "  - [x] a done task\n  - [ ] an open one\n- item three\n\n"
		  "1. first step\n2. second step\n3. third step\n\n", k);
	sb_printf(b, "| Name | Qty | Note |\n|:-----|----:|:----:|\n| apple | %lu | fresh |\n"
		  "| pear | 12 | ripe and sweet |\n| plum | 7 | `dried` |\n| fig | %lu | **best** |\n\n",
		  k, k * 3);
	if (k % 3 == 0)
		sb_printf(b, "```python\ndef f_%lu(x):\n    \"\"\"Doc string\n    over lines.\"\"\"\n"
			  "    # a comment\n    return [x * %lu + i for i in range(10)]\n\n"
			  "print(f_%lu(3), 'done')\n```\n\n", k, k, k);
	else if (k % 3 == 1)
		sb_printf(b, "```c\n#include <stdio.h>\n/* block %lu\n * comment */\nint f(int x)\n"
			  "{\n\treturn x * %lu; // times\n}\n"
			  "int main(void) { printf(\"%%d\\n\", f(%lu)); }\n```\n\n", k, k, k);
	else
		sb_printf(b, "```js\nconst f = (x) => {\n  // arrow %lu\n  return `v${x * %lu}`;\n"
			  "};\nconsole.log(f(%lu), \"done\");\n```\n\n", k, k, k);
	sb_printf(b, "> A quote about section %lu,\n> on two lines.\n\n", k);
}

/* Lines k.. of mdcode's one C code block (a block comment over two of them now and
 * then, so that the highlighter carries its state across lines). */
static void mdcode_lines(struct sbuf *b, unsigned long k)
{
	if (k == 0)
		sb_adds(b, "Here is the whole program:\n\n```c\n");
	if (k % 16 == 0)
		sb_printf(b, "/* part %lu of the program:\n * what follows */\n", k / 16);
	sb_printf(b, "static int step_%lu(int x) { return x * %lu + (x >> 2); } // %lu\n", k, k,
		  k % 7);
}

/* The text of the last user message, whatever shape the kind gives it. */
void append_parts(struct sbuf *out, json_t *content, const char *text_key)
{
	if (json_is_string(content)) {
		sb_add(out, json_string_value(content), json_string_length(content));
		return;
	}
	size_t i;
	json_t *part;
	json_array_foreach(content, i, part) {
		json_t *t = json_object_get(part, text_key);
		if (json_is_string(t))
			sb_add(out, json_string_value(t), json_string_length(t));
	}
}

void echo_text(const struct req *r, enum kind k, struct sbuf *out)
{
	json_t *list = json_object_get(r->json, k == K_GEMINI	      ? "contents"
						: k == K_RESPONSES ? "input"
								   : "messages");
	for (size_t i = json_array_size(list); i-- > 0;) {
		json_t *m = json_array_get(list, i);
		json_t *role = json_object_get(m, "role");
		if (role && !(json_is_string(role) && !strcmp(json_string_value(role), "user")))
			continue;
		if (k == K_GEMINI)
			append_parts(out, json_object_get(m, "parts"), "text");
		else
			append_parts(out, json_object_get(m, "content"), "text");
		return;
	}
}

/* Delta i of mdlong or mdcode: MDLONG_DELTA bytes of what more() writes at a time; the
 * last delta ends with `end` and says the end. 0 past the last, else 1. */
static int long_delta(struct gen *g, struct sbuf *frag, unsigned long i,
		      void (*more)(struct sbuf *, unsigned long), const char *end)
{
	if (i >= (unsigned long)g->sc->long_n)
		return 0;
	while (g->echo.len - g->echo_pos < MDLONG_DELTA)
		more(&g->echo, g->i_section++);
	size_t n = MDLONG_DELTA;
	if (i + 1 == (unsigned long)g->sc->long_n) {
		sb_printf(&g->echo, "%sThe end: mdlong-end-%ld.\n", end, g->sc->long_n);
		n = g->echo.len - g->echo_pos;
	}
	sb_json_esc(frag, g->echo.p + g->echo_pos, n);
	g->echo_pos += n;
	if (g->echo_pos > (1u << 16)) {
		memmove(g->echo.p, g->echo.p + g->echo_pos, g->echo.len - g->echo_pos);
		g->echo.len -= g->echo_pos;
		g->echo_pos = 0;
	}
	return 1;
}

/* Next delta into frag (escaped); returns 0 at the end, 1 answer text, 2 reasoning. */
int gen_next(struct gen *g, struct sbuf *frag)
{
	sb_clear(frag);
	sb_clear(&g->raw);
	if (g->phase == 0) {
		if (g->sc->reasoning && g->i < 3) {
			sb_adds(frag, reasoning_frags[g->i++]);
			return 2;
		}
		g->phase = 1;
		g->i = 0;
	}
	if (g->phase != 1)
		return 0;
	unsigned long i = g->i++;
	switch (g->sc->content) {
	case C_HELLO:
		if (i == 0) sb_adds(frag, "Hello");
		else if (i == 1) sb_adds(frag, " from");
		else if (i == 2) sb_adds(frag, " fake");
		else if (i == 3) sb_printf(frag, " %s!", kind_names[g->kind]);
		else break;
		return 1;
	case C_LONG:
		if (i >= (unsigned long)g->sc->long_n)
			break;
		long_text(&g->raw, i + 1, LONG_TEXT_BYTES, (i + 1) % 8 == 0);
		sb_json_esc(frag, g->raw.p, g->raw.len);
		return 1;
	case C_BIGLINE:
		if (i)
			break;
		for (unsigned long k = 1; g->raw.len < g->sc->bigline_bytes - 1024; k++)
			long_text(&g->raw, k, g->raw.len + 200, 0);
		sb_json_esc(frag, g->raw.p, g->raw.len);
		return 1;
	case C_BADUTF8:
		if (i >= sizeof badutf8_texts / sizeof *badutf8_texts)
			break;
		sb_json_esc(frag, badutf8_texts[i], strlen(badutf8_texts[i]));
		return 1;
	case C_ESCAPES:
		if (i >= sizeof escapes_frags / sizeof *escapes_frags)
			break;
		sb_adds(frag, escapes_frags[i]);
		return 1;
	case C_CJK:
		if (i >= sizeof cjk_texts / sizeof *cjk_texts)
			break;
		sb_json_esc(frag, cjk_texts[i], strlen(cjk_texts[i]));
		return 1;
	case C_MDLONG:
	case C_MDCODE:
		if (g->sc->content == C_MDLONG ? long_delta(g, frag, i, mdlong_section, "") :
						 long_delta(g, frag, i, mdcode_lines, "```\n\n"))
			return 1;
		break;
	case C_MARKDOWN:
		if (i >= sizeof markdown_texts / sizeof *markdown_texts)
			break;
		sb_json_esc(frag, markdown_texts[i], strlen(markdown_texts[i]));
		return 1;
	case C_ECHO: {
		/* pieces of up to 16 bytes, cut only between characters */
		size_t left = g->echo.len - g->echo_pos;
		if (!left)
			break;
		size_t n = left < 16 ? left : 16;
		while (n < left && (g->echo.p[g->echo_pos + n] & 0xC0) == 0x80)
			n++;
		sb_json_esc(frag, g->echo.p + g->echo_pos, n);
		g->echo_pos += n;
		return 1;
	}
	case C_REPLAY:
		break;
	}
	g->phase = 2;
	return 0;
}
