/* texmath: TeX math to Unicode (pure), by recursive descent over commands, groups and
 * scripts. Commands are `\` plus the longest run of letters, looked up whole, so
 * \in never eats the start of \infty. Code points follow unicode-math where it and
 * unicodeit differ (narrow angle brackets, \epsilon as ϵ). */
#include "cherry/texmath.h"

#include <stdint.h>
#include <string.h>

#include "cherry/utf8.h"

struct sym {
	const char *name;
	uint32_t cp;
};

static const struct sym symbols[] = {
	{"alpha", 0x3B1}, {"beta", 0x3B2}, {"gamma", 0x3B3}, {"delta", 0x3B4},
	{"epsilon", 0x3F5}, {"varepsilon", 0x3B5}, {"zeta", 0x3B6}, {"eta", 0x3B7},
	{"theta", 0x3B8}, {"vartheta", 0x3D1}, {"iota", 0x3B9}, {"kappa", 0x3BA},
	{"lambda", 0x3BB}, {"mu", 0x3BC}, {"nu", 0x3BD}, {"xi", 0x3BE}, {"pi", 0x3C0},
	{"rho", 0x3C1}, {"varrho", 0x3F1}, {"sigma", 0x3C3}, {"varsigma", 0x3C2},
	{"tau", 0x3C4}, {"upsilon", 0x3C5}, {"phi", 0x3D5}, {"varphi", 0x3C6}, {"chi", 0x3C7},
	{"psi", 0x3C8}, {"omega", 0x3C9}, {"Gamma", 0x393}, {"Delta", 0x394}, {"Theta", 0x398},
	{"Lambda", 0x39B}, {"Xi", 0x39E}, {"Pi", 0x3A0}, {"Sigma", 0x3A3}, {"Upsilon", 0x3D2},
	{"Phi", 0x3A6}, {"Psi", 0x3A8}, {"Omega", 0x3A9},
	{"times", 0xD7}, {"div", 0xF7}, {"pm", 0xB1}, {"mp", 0x2213}, {"cdot", 0x22C5},
	{"circ", 0x2218}, {"ast", 0x2217}, {"star", 0x22C6}, {"oplus", 0x2295},
	{"otimes", 0x2297}, {"cup", 0x222A}, {"cap", 0x2229}, {"setminus", 0x2216},
	{"wedge", 0x2227}, {"land", 0x2227}, {"vee", 0x2228}, {"lor", 0x2228},
	{"le", 0x2264}, {"leq", 0x2264}, {"ge", 0x2265}, {"geq", 0x2265}, {"ne", 0x2260},
	{"neq", 0x2260}, {"approx", 0x2248}, {"equiv", 0x2261}, {"sim", 0x223C},
	{"simeq", 0x2243}, {"cong", 0x2245}, {"propto", 0x221D}, {"ll", 0x226A},
	{"gg", 0x226B}, {"in", 0x2208}, {"notin", 0x2209}, {"ni", 0x220B}, {"subset", 0x2282},
	{"subseteq", 0x2286}, {"supset", 0x2283}, {"supseteq", 0x2287}, {"mid", 0x2223},
	{"parallel", 0x2225}, {"perp", 0x22A5}, {"vdash", 0x22A2}, {"models", 0x22A7},
	{"to", 0x2192}, {"rightarrow", 0x2192}, {"leftarrow", 0x2190}, {"gets", 0x2190},
	{"leftrightarrow", 0x2194}, {"Rightarrow", 0x21D2}, {"Leftarrow", 0x21D0},
	{"Leftrightarrow", 0x21D4}, {"iff", 0x21D4}, {"implies", 0x27F9}, {"mapsto", 0x21A6},
	{"longrightarrow", 0x27F6}, {"longleftarrow", 0x27F5}, {"uparrow", 0x2191},
	{"downarrow", 0x2193}, {"hookrightarrow", 0x21AA},
	{"sum", 0x2211}, {"prod", 0x220F}, {"int", 0x222B}, {"iint", 0x222C}, {"oint", 0x222E},
	{"partial", 0x2202}, {"nabla", 0x2207}, {"infty", 0x221E},
	{"forall", 0x2200}, {"exists", 0x2203}, {"nexists", 0x2204}, {"neg", 0xAC},
	{"lnot", 0xAC}, {"emptyset", 0x2205}, {"varnothing", 0x2205}, {"top", 0x22A4},
	{"bot", 0x22A5}, {"ldots", 0x2026}, {"dots", 0x2026}, {"cdots", 0x22EF},
	{"vdots", 0x22EE}, {"ddots", 0x22F1}, {"prime", 0x2032}, {"langle", 0x27E8},
	{"rangle", 0x27E9}, {"lceil", 0x2308}, {"rceil", 0x2309}, {"lfloor", 0x230A},
	{"rfloor", 0x230B}, {"hbar", 0x210F}, {"ell", 0x2113}, {"Re", 0x211C}, {"Im", 0x2111},
	{"aleph", 0x2135}, {"angle", 0x2220}, {"degree", 0xB0}, {"triangle", 0x25B3},
	{"square", 0x25A1}, {"checkmark", 0x2713}, {"lvert", '|'}, {"rvert", '|'},
	{"vert", '|'}, {"Vert", 0x2016}, {"|", 0x2016},
};

/* Commands that print their name, as in \sin x. */
static const char *const named_ops[] = {
	"sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
	"tanh", "log", "ln", "lg", "exp", "lim", "liminf", "limsup", "max", "min", "sup", "inf",
	"det", "dim", "ker", "gcd", "deg", "arg", "Pr", "mod", "bmod",
};

/* Commands whose one argument is shown as it is. */
static const char *const content_cmds[] = {
	"text", "textrm", "textit", "textbf", "mathrm", "mathit", "mathbf", "mathsf",
	"mathtt", "operatorname", "boldsymbol", "bm", "mbox", "displaystyle", "textstyle",
	"mathcal", "mathfrak", "mathscr",
};

/* Commands shown as nothing (sizing) and as one space. */
static const char *const dropped[] = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl",
				      "bigr", "Bigl", "Bigr", "limits", "nolimits", "!"};
static const char *const spaces[] = {"quad", "qquad", ",", ";", ":", " ", "enspace", "thinspace"};

/* Combining marks over a single character. */
static const struct sym accents[] = {
	{"hat", 0x302}, {"bar", 0x305}, {"overline", 0x305}, {"vec", 0x20D7}, {"dot", 0x307},
	{"ddot", 0x308}, {"tilde", 0x303}, {"widehat", 0x302}, {"widetilde", 0x303},
};

static const struct sym blackboard[] = {
	{"R", 0x211D}, {"N", 0x2115}, {"Z", 0x2124}, {"Q", 0x211A}, {"C", 0x2102},
	{"P", 0x2119}, {"H", 0x210D},
};

/* Superscript and subscript forms: pairs of (code point, form). */
static const uint32_t sup_map[][2] = {
	{'0', 0x2070}, {'1', 0xB9}, {'2', 0xB2}, {'3', 0xB3}, {'4', 0x2074}, {'5', 0x2075},
	{'6', 0x2076}, {'7', 0x2077}, {'8', 0x2078}, {'9', 0x2079}, {'+', 0x207A},
	{'-', 0x207B}, {0x2212, 0x207B}, {'=', 0x207C}, {'(', 0x207D}, {')', 0x207E},
	{'a', 0x1D43}, {'b', 0x1D47}, {'c', 0x1D9C}, {'d', 0x1D48}, {'e', 0x1D49},
	{'f', 0x1DA0}, {'g', 0x1D4D}, {'h', 0x2B0}, {'i', 0x2071}, {'j', 0x2B2}, {'k', 0x1D4F},
	{'l', 0x2E1}, {'m', 0x1D50}, {'n', 0x207F}, {'o', 0x1D52}, {'p', 0x1D56}, {'r', 0x2B3},
	{'s', 0x2E2}, {'t', 0x1D57}, {'u', 0x1D58}, {'v', 0x1D5B}, {'w', 0x2B7}, {'x', 0x2E3},
	{'y', 0x2B8}, {'z', 0x1DBB}, {'A', 0x1D2C}, {'B', 0x1D2E}, {'D', 0x1D30},
	{'E', 0x1D31}, {'G', 0x1D33}, {'H', 0x1D34}, {'I', 0x1D35}, {'J', 0x1D36},
	{'K', 0x1D37}, {'L', 0x1D38}, {'M', 0x1D39}, {'N', 0x1D3A}, {'O', 0x1D3C},
	{'P', 0x1D3E}, {'R', 0x1D3F}, {'T', 0x1D40}, {'U', 0x1D41}, {'V', 0x2C7D},
	{'W', 0x1D42}, {0x3B2, 0x1D5D}, {0x3B3, 0x1D5E}, {0x3B4, 0x1D5F}, {0x3C6, 0x1D60},
	{0x3C7, 0x1D61}, {0x2032, 0x2032},
};
static const uint32_t sub_map[][2] = {
	{'0', 0x2080}, {'1', 0x2081}, {'2', 0x2082}, {'3', 0x2083}, {'4', 0x2084},
	{'5', 0x2085}, {'6', 0x2086}, {'7', 0x2087}, {'8', 0x2088}, {'9', 0x2089},
	{'+', 0x208A}, {'-', 0x208B}, {0x2212, 0x208B}, {'=', 0x208C}, {'(', 0x208D},
	{')', 0x208E}, {'a', 0x2090}, {'e', 0x2091}, {'o', 0x2092}, {'x', 0x2093},
	{'h', 0x2095}, {'k', 0x2096}, {'l', 0x2097}, {'m', 0x2098}, {'n', 0x2099},
	{'p', 0x209A}, {'s', 0x209B}, {'t', 0x209C}, {'i', 0x1D62}, {'r', 0x1D63},
	{'u', 0x1D64}, {'v', 0x1D65}, {'j', 0x2C7C}, {0x3B2, 0x1D66}, {0x3B3, 0x1D67},
	{0x3C1, 0x1D68}, {0x3C6, 0x1D69}, {0x3C7, 0x1D6A},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct tm {
	const char *s;
	size_t n, i;
	struct buf *out;
	int all;   /* every command turned so far */
	int oom;
	int depth;
};

static void put(struct tm *t, const char *s, size_t n)
{
	if (buf_append(t->out, s, n) < 0)
		t->oom = 1;
}

static void put_cp(struct tm *t, uint32_t cp)
{
	char u[4];
	put(t, u, utf8_encode(cp, u));
}

static int name_is(const char *name, const char *s, size_t n)
{
	return strlen(name) == n && !memcmp(name, s, n);
}

static int in_names(const char *const *list, size_t count, const char *s, size_t n)
{
	for (size_t k = 0; k < count; k++)
		if (name_is(list[k], s, n))
			return 1;
	return 0;
}

static const struct sym *find_sym(const struct sym *t, size_t count, const char *s, size_t n)
{
	for (size_t k = 0; k < count; k++)
		if (name_is(t[k].name, s, n))
			return &t[k];
	return NULL;
}

static void convert(struct tm *t, size_t end);

static void skip_spaces(struct tm *t, size_t end)
{
	while (t->i < end && (t->s[t->i] == ' ' || t->s[t->i] == '\n' || t->s[t->i] == '\t'))
		t->i++;
}

/* The extent of the next argument: a {group} (without its braces), a command, or one
 * character. Advances past it. */
static void next_arg(struct tm *t, size_t end, size_t *from, size_t *to)
{
	skip_spaces(t, end);
	*from = *to = t->i;
	if (t->i >= end)
		return;
	if (t->s[t->i] == '{') {
		int level = 0;
		size_t j = t->i;
		for (; j < end; j++) {
			if (t->s[j] == '\\' && j + 1 < end) {
				j++;
				continue;
			}
			if (t->s[j] == '{')
				level++;
			else if (t->s[j] == '}' && --level == 0)
				break;
		}
		*from = t->i + 1;
		*to = j < end ? j : end;
		t->i = j < end ? j + 1 : end;
		return;
	}
	if (t->s[t->i] == '\\') {
		size_t j = t->i + 1;
		while (j < end && ((t->s[j] >= 'a' && t->s[j] <= 'z') || (t->s[j] >= 'A' && t->s[j] <= 'Z')))
			j++;
		if (j == t->i + 1 && j < end)
			j++;
		t->i = j;
		*to = j;
		return;
	}
	size_t k = utf8_decode(t->s + t->i, end - t->i, &(uint32_t){0});
	t->i += k;
	*to = t->i;
}

/* Converts s[from..to) into a scratch buffer. */
static int convert_sub(struct tm *t, size_t from, size_t to, struct buf *into)
{
	struct tm sub = {t->s, to, from, into, 1, 0, t->depth + 1};
	convert(&sub, to);
	if (!sub.all)
		t->all = 0;
	if (sub.oom)
		t->oom = 1;
	return sub.oom ? -1 : 0;
}

/* More than one character: it needs parentheses after / or √. */
static int is_compound(const struct buf *b)
{
	size_t n = 0, off = 0;
	while (off < b->len) {
		uint32_t cp;
		off += utf8_decode(b->data + off, b->len - off, &cp);
		n++;
	}
	return n > 1;
}

static void put_maybe_paren(struct tm *t, const struct buf *b)
{
	int p = is_compound(b);
	if (p)
		put(t, "(", 1);
	put(t, b->data ? b->data : "", b->len);
	if (p)
		put(t, ")", 1);
}

/* ^x or _x: every character in its script form, else ^(..). */
static void script(struct tm *t, size_t end, int sup)
{
	size_t from, to;
	next_arg(t, end, &from, &to);
	struct buf inner = BUF_INIT, mapped = BUF_INIT;
	if (convert_sub(t, from, to, &inner) < 0)
		goto done;
	int ok = inner.len > 0;
	for (size_t off = 0; ok && off < inner.len;) {
		uint32_t cp;
		off += utf8_decode(inner.data + off, inner.len - off, &cp);
		const uint32_t(*map)[2] = sup ? sup_map : sub_map;
		size_t count = sup ? COUNT(sup_map) : COUNT(sub_map);
		size_t k;
		for (k = 0; k < count && map[k][0] != cp; k++)
			;
		if (k == count) {
			ok = 0;
			break;
		}
		char u[4];
		if (buf_append(&mapped, u, utf8_encode(map[k][1], u)) < 0)
			t->oom = 1;
	}
	if (ok) {
		put(t, mapped.data, mapped.len);
	} else {
		put(t, sup ? "^" : "_", 1);
		put_maybe_paren(t, &inner);
	}
done:
	buf_free(&inner);
	buf_free(&mapped);
}

static void command(struct tm *t, size_t end)
{
	size_t start = t->i++; /* the backslash */
	size_t j = t->i;
	while (j < end && ((t->s[j] >= 'a' && t->s[j] <= 'z') || (t->s[j] >= 'A' && t->s[j] <= 'Z')))
		j++;
	if (j == t->i && j < end)
		j++; /* \{ \, \\ ... */
	const char *name = t->s + t->i;
	size_t n = j - t->i;
	t->i = j;
	const struct sym *sy;
	if (n == 1 && (*name == '{' || *name == '}' || *name == '%' || *name == '$' ||
		       *name == '#' || *name == '&' || *name == '_')) {
		put(t, name, 1);
	} else if (n == 1 && *name == '\\') {
		put(t, " ", 1);
	} else if ((sy = find_sym(symbols, COUNT(symbols), name, n))) {
		put_cp(t, sy->cp);
	} else if (in_names(named_ops, COUNT(named_ops), name, n)) {
		put(t, name, n);
	} else if (in_names(dropped, COUNT(dropped), name, n)) {
		/* nothing */
	} else if (in_names(spaces, COUNT(spaces), name, n)) {
		put(t, " ", 1);
	} else if (in_names(content_cmds, COUNT(content_cmds), name, n)) {
		size_t from, to;
		next_arg(t, end, &from, &to);
		struct buf inner = BUF_INIT;
		if (!convert_sub(t, from, to, &inner))
			put(t, inner.data ? inner.data : "", inner.len);
		buf_free(&inner);
	} else if (name_is("mathbb", name, n) || name_is("Bbb", name, n)) {
		size_t from, to;
		next_arg(t, end, &from, &to);
		const struct sym *b = find_sym(blackboard, COUNT(blackboard), t->s + from, to - from);
		if (b) {
			put_cp(t, b->cp);
		} else {
			put(t, t->s + start, t->i - start);
			t->all = 0;
		}
	} else if (name_is("frac", name, n) || name_is("dfrac", name, n) ||
		   name_is("tfrac", name, n)) {
		size_t a0, a1, b0, b1;
		next_arg(t, end, &a0, &a1);
		next_arg(t, end, &b0, &b1);
		struct buf a = BUF_INIT, b = BUF_INIT;
		if (!convert_sub(t, a0, a1, &a) && !convert_sub(t, b0, b1, &b)) {
			put_maybe_paren(t, &a);
			put(t, "/", 1);
			put_maybe_paren(t, &b);
		}
		buf_free(&a);
		buf_free(&b);
	} else if (name_is("sqrt", name, n)) {
		size_t a0, a1;
		next_arg(t, end, &a0, &a1);
		struct buf a = BUF_INIT;
		if (!convert_sub(t, a0, a1, &a)) {
			put_cp(t, 0x221A);
			put_maybe_paren(t, &a);
		}
		buf_free(&a);
	} else if ((sy = find_sym(accents, COUNT(accents), name, n))) {
		size_t a0, a1;
		next_arg(t, end, &a0, &a1);
		struct buf a = BUF_INIT;
		if (!convert_sub(t, a0, a1, &a)) {
			put(t, a.data ? a.data : "", a.len);
			if (!is_compound(&a) && a.len)
				put_cp(t, sy->cp);
		}
		buf_free(&a);
	} else {
		/* unknown: kept as typed, with its {arguments} */
		while (t->i < end && t->s[t->i] == '{') {
			size_t from, to;
			next_arg(t, end, &from, &to);
		}
		put(t, t->s + start, t->i - start);
		t->all = 0;
	}
}

static void convert(struct tm *t, size_t end)
{
	if (t->depth > 32) { /* nested past reason: shown as typed */
		put(t, t->s + t->i, end - t->i);
		t->i = end;
		t->all = 0;
		return;
	}
	while (t->i < end && !t->oom) {
		char c = t->s[t->i];
		if (c == '\\') {
			command(t, end);
		} else if (c == '^' || c == '_') {
			t->i++;
			script(t, end, c == '^');
		} else if (c == '{' || c == '}') {
			t->i++;
		} else if (c == '~') {
			put(t, " ", 1);
			t->i++;
		} else {
			uint32_t cp;
			size_t k = utf8_decode(t->s + t->i, end - t->i, &cp);
			put(t, t->s + t->i, k);
			t->i += k;
		}
	}
}

int texmath_to_unicode(const char *s, size_t n, struct buf *out)
{
	struct tm t = {s, n, 0, out, 1, 0, 0};
	convert(&t, n);
	return t.oom ? -1 : t.all;
}
