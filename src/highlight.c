/* highlight: code classified by token, one line at a time, from a table of language
 * families (pure). Each row names its fence aliases, its keyword and type words, its
 * comment and string delimiters and a few flags; one scanner serves them all. Word
 * lists are space-separated strings: short, and searched only when an identifier ends. */
#define _GNU_SOURCE /* memmem */
#include "cherry/highlight.h"

#include <string.h>

enum {
	F_PREPROC = 1,   /* '#' at the start of a line is the preprocessor (C, C++) */
	F_NOCASE = 2,    /* keywords in any case (SQL) */
	F_DASH = 4,      /* '-' belongs to words (CSS, shell options) */
	F_DIFF = 8,      /* only line-start rules: + - @@ */
	F_MARKUP = 16,   /* HTML/XML: tags, attributes, entities */
	F_KEYS = 32,     /* "key:" (YAML) or "key =" and "[table]" (TOML) are META */
	F_VARS = 64,     /* $name and ${...} are META (shell) */
	F_ATRULE = 128,  /* @media and friends are keywords, #abc numbers (CSS) */
	F_DECOR = 256,   /* @Name is META (Java, Python decorators) */
};

struct delim {
	const char *open, *close;
	char esc;       /* the escape character inside, or 0 */
	char multiline; /* may continue on the next line */
};

struct hl_lang {
	const char *name;
	const char *aliases; /* space-separated, lower case, the name included */
	const char *keywords, *types;
	const char *line_comment, *line_comment2;
	const char *block_open, *block_close;
	struct delim strings[4];
	unsigned flags;
};

#define C_STRINGS {{"\"", "\"", '\\', 0}, {"'", "'", '\\', 0}}
#define C_KEYWORDS "if else for while do switch case default break continue return goto " \
	"sizeof typedef struct union enum static extern const volatile register inline " \
	"restrict _Static_assert _Alignof _Alignas _Noreturn _Generic NULL true false"
#define C_TYPES "void char short int long float double signed unsigned bool _Bool size_t " \
	"ssize_t uint8_t uint16_t uint32_t uint64_t int8_t int16_t int32_t int64_t " \
	"uintptr_t intptr_t ptrdiff_t off_t FILE wchar_t"

static const struct hl_lang langs[] = {
	{"c", "c h", C_KEYWORDS, C_TYPES, "//", NULL, "/*", "*/", C_STRINGS, F_PREPROC},
	{"cpp", "cpp c++ cc cxx hpp hh hxx cplusplus",
	 C_KEYWORDS " class namespace template typename public private protected virtual "
	 "override final new delete this throw try catch using operator friend explicit "
	 "constexpr consteval noexcept nullptr decltype auto mutable static_cast "
	 "dynamic_cast reinterpret_cast const_cast co_await co_return co_yield concept requires",
	 C_TYPES " std string vector map set unique_ptr shared_ptr optional string_view",
	 "//", NULL, "/*", "*/", C_STRINGS, F_PREPROC},
	{"python", "python py python3 py3 gyp",
	 "and as assert async await break class continue def del elif else except finally for "
	 "from global if import in is lambda nonlocal not or pass raise return try while with "
	 "yield match case None True False self",
	 "int float str bytes bool list dict set tuple object type complex frozenset bytearray",
	 "#", NULL, NULL, NULL,
	 {{"\"\"\"", "\"\"\"", '\\', 1}, {"'''", "'''", '\\', 1}, {"\"", "\"", '\\', 0},
	  {"'", "'", '\\', 0}}, F_DECOR},
	{"javascript", "javascript js jsx mjs cjs node",
	 "break case catch class const continue debugger default delete do else export extends "
	 "finally for function if import in instanceof let new return super switch this throw "
	 "try typeof var void while with yield async await of static get set null undefined "
	 "true false",
	 "Array Object String Number Boolean Promise Map Set Symbol Date RegExp Error JSON Math",
	 "//", NULL, "/*", "*/",
	 {{"`", "`", '\\', 1}, {"\"", "\"", '\\', 0}, {"'", "'", '\\', 0}}, 0},
	{"typescript", "typescript ts tsx mts cts",
	 "break case catch class const continue debugger default delete do else export extends "
	 "finally for function if import in instanceof let new return super switch this throw "
	 "try typeof var void while with yield async await of static get set null undefined "
	 "true false interface type enum implements namespace declare abstract readonly "
	 "private public protected as is keyof infer satisfies",
	 "string number boolean any unknown never object symbol bigint Array Promise Record "
	 "Partial Readonly Map Set",
	 "//", NULL, "/*", "*/",
	 {{"`", "`", '\\', 1}, {"\"", "\"", '\\', 0}, {"'", "'", '\\', 0}}, F_DECOR},
	{"go", "go golang",
	 "break case chan const continue default defer else fallthrough for func go goto if "
	 "import interface map package range return select struct switch type var nil true "
	 "false iota",
	 "bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune "
	 "string uint uint8 uint16 uint32 uint64 uintptr any",
	 "//", NULL, "/*", "*/",
	 {{"`", "`", 0, 1}, {"\"", "\"", '\\', 0}, {"'", "'", '\\', 0}}, 0},
	{"rust", "rust rs",
	 "as async await break const continue crate dyn else enum extern false fn for if impl "
	 "in let loop match mod move mut pub ref return self Self static struct super trait "
	 "true type unsafe use where while",
	 "i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool char str String Vec "
	 "Option Result Box Rc Arc HashMap Some None Ok Err",
	 "//", NULL, "/*", "*/", {{"\"", "\"", '\\', 1}}, F_DECOR},
	{"java", "java kotlin kt scala groovy",
	 "abstract assert break case catch class continue default do else enum extends final "
	 "finally for if implements import instanceof interface native new package private "
	 "protected public return static super switch synchronized this throw throws "
	 "transient try volatile while var record sealed permits yield null true false",
	 "boolean byte char double float int long short void String Object Integer List Map",
	 "//", NULL, "/*", "*/", C_STRINGS, F_DECOR},
	{"shell", "shell sh bash zsh ksh console shellsession fish",
	 "if then else elif fi case esac for while until do done in function return exit "
	 "local export readonly set unset shift break continue source alias",
	 "echo printf cd test read eval exec trap wait kill true false",
	 "#", NULL, NULL, NULL, {{"\"", "\"", '\\', 1}, {"'", "'", 0, 1}}, F_DASH | F_VARS},
	{"json", "json jsonc json5 geojson", "true false null", "", "//", NULL, "/*", "*/",
	 {{"\"", "\"", '\\', 0}}, 0},
	{"yaml", "yaml yml", "true false null yes no on off", "", "#", NULL, NULL, NULL,
	 {{"\"", "\"", '\\', 0}, {"'", "'", 0, 0}}, F_KEYS},
	{"toml", "toml ini cfg conf", "true false", "", "#", ";", NULL, NULL,
	 {{"\"\"\"", "\"\"\"", '\\', 1}, {"\"", "\"", '\\', 0}, {"'", "'", 0, 0}}, F_KEYS},
	{"sql", "sql mysql postgresql psql sqlite plsql",
	 "select from where insert into values update set delete create table drop alter add "
	 "index view primary key foreign references join inner left right outer full on as and "
	 "or not null is in like between order by group having limit offset union all distinct "
	 "case when then else end exists begin commit rollback transaction with returning "
	 "default unique check constraint if replace asc desc true false",
	 "int integer bigint smallint text varchar char boolean date timestamp numeric decimal "
	 "real float double serial blob json jsonb uuid",
	 "--", NULL, "/*", "*/", {{"'", "'", 0, 1}, {"\"", "\"", 0, 0}}, F_NOCASE},
	{"html", "html htm xml xhtml svg xsl plist vue", "", "", NULL, NULL, "<!--", "-->",
	 {{"\"", "\"", 0, 1}, {"'", "'", 0, 1}}, F_MARKUP},
	{"css", "css scss less sass",
	 "important inherit initial unset none auto", "", "//", NULL, "/*", "*/",
	 {{"\"", "\"", '\\', 0}, {"'", "'", '\\', 0}}, F_DASH | F_ATRULE},
	{"diff", "diff patch udiff", "", "", NULL, NULL, NULL, NULL, {{NULL, NULL, 0, 0}},
	 F_DIFF},
};

#define NLANGS (sizeof langs / sizeof langs[0])

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* w[0..n) is one of the space-separated words of list (case-folded when nocase). */
static int in_list(const char *list, const char *w, size_t n, int nocase)
{
	if (!list || !n)
		return 0;
	if (!nocase) {
		/* the word where it stands between spaces: memmem's pace, not a word at a time */
		const char *end = list + strlen(list);
		for (const char *q = list; (q = memmem(q, (size_t)(end - q), w, n)); q++)
			if ((q == list || q[-1] == ' ') && (q + n == end || q[n] == ' '))
				return 1;
		return 0;
	}
	const char *p = list;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n) {
			size_t i = 0;
			while (i < n && (nocase ? lower(w[i]) == lower(p[i]) : w[i] == p[i]))
				i++;
			if (i == n)
				return 1;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

const struct hl_lang *hl_lang_find(const char *name, size_t len)
{
	if (!name || !len || len > 32)
		return NULL;
	for (size_t i = 0; i < NLANGS; i++)
		if (in_list(langs[i].aliases, name, len, 1))
			return &langs[i];
	return NULL;
}

const char *hl_lang_name(const struct hl_lang *l)
{
	return l ? l->name : "";
}

static int is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_ident(const struct hl_lang *l, unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || ((l->flags & F_DASH) && c == '-');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int starts(const char *s, size_t n, size_t i, const char *lit)
{
	size_t k = lit ? strlen(lit) : 0;
	return k && i + k <= n && !memcmp(s + i, lit, k);
}

static void fill(uint8_t *cls, size_t from, size_t to, enum hl_class c)
{
	for (size_t i = from; i < to; i++)
		cls[i] = (uint8_t)c;
}

/* The end of a string of kind d that started before `i` (its opener already passed):
 * the offset after the closer, or n with *open set when the line ends inside it. */
static size_t string_end(const struct delim *d, const char *s, size_t n, size_t i, int *open)
{
	*open = 0;
	while (i < n) {
		if (d->esc && s[i] == d->esc) {
			i += 2;
			continue;
		}
		if (starts(s, n, i, d->close))
			return i + strlen(d->close);
		i++;
	}
	*open = d->multiline;
	return n;
}

static size_t comment_end(const struct hl_lang *l, const char *s, size_t n, size_t i, int *open)
{
	const char *p = NULL;
	size_t k = strlen(l->block_close);
	for (size_t j = i; j + k <= n; j++)
		if (!memcmp(s + j, l->block_close, k)) {
			p = s + j;
			break;
		}
	*open = !p;
	return p ? (size_t)(p - s) + k : n;
}

static void diff_line(const char *s, size_t n, uint8_t *cls)
{
	enum hl_class c = HL_PLAIN;
	if (n && (starts(s, n, 0, "+++") || starts(s, n, 0, "---") || starts(s, n, 0, "@@") ||
		  starts(s, n, 0, "diff ") || starts(s, n, 0, "index ")))
		c = HL_META;
	else if (n && s[0] == '+')
		c = HL_ADDED;
	else if (n && s[0] == '-')
		c = HL_REMOVED;
	fill(cls, 0, n, c);
}

/* A number from i: digits, then letters, digits, '.', '_' and an exponent's sign. */
static size_t number_end(const char *s, size_t n, size_t i)
{
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
		    c == '_' || ((c == '+' || c == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))
			i++;
		else
			break;
	}
	return i;
}

/* Markup outside a string or comment: a tag's name is META, its attribute names TYPE;
 * entities are NUMBER; text between tags is plain. */
static size_t markup_step(const char *s, size_t n, size_t i, uint8_t *cls, int *in_tag)
{
	unsigned char c = (unsigned char)s[i];
	if (!*in_tag && c == '<') {
		size_t j = i + 1;
		while (j < n && (s[j] == '/' || s[j] == '!' || s[j] == '?'))
			j++;
		while (j < n && (is_ident_start((unsigned char)s[j]) || is_digit((unsigned char)s[j]) ||
				 s[j] == '-' || s[j] == ':' || s[j] == '.'))
			j++;
		fill(cls, i, j, HL_META);
		*in_tag = 1;
		return j;
	}
	if (*in_tag && (c == '>' || (c == '/' && i + 1 < n && s[i + 1] == '>'))) {
		size_t j = c == '>' ? i + 1 : i + 2;
		fill(cls, i, j, HL_META);
		*in_tag = 0;
		return j;
	}
	if (*in_tag && is_ident_start(c)) {
		size_t j = i;
		while (j < n && (is_ident_start((unsigned char)s[j]) || is_digit((unsigned char)s[j]) ||
				 s[j] == '-' || s[j] == ':'))
			j++;
		fill(cls, i, j, HL_TYPE);
		return j;
	}
	if (!*in_tag && c == '&') {
		size_t j = i + 1;
		while (j < n && j - i < 12 && s[j] != ';' && s[j] != ' ')
			j++;
		if (j < n && s[j] == ';') {
			fill(cls, i, j + 1, HL_NUMBER);
			return j + 1;
		}
	}
	cls[i] = HL_PLAIN;
	return i + 1;
}

/* YAML "key:" and TOML "key =" / "[table]" at the start of a line: the key is META.
 * Returns where normal scanning goes on. */
static size_t key_prefix(const char *s, size_t n, uint8_t *cls)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '-' && i + 1 < n && s[i + 1] == ' ')
		i += 2; /* a YAML list item's key */
	if (i < n && s[i] == '[') {
		size_t j = i;
		while (j < n && s[j] != ']')
			j++;
		if (j < n) {
			fill(cls, i, j + 1, HL_META);
			return j + 1;
		}
		return i;
	}
	size_t k = i;
	while (k < n && s[k] != ':' && s[k] != '=' && s[k] != '#' && s[k] != '"' &&
	       s[k] != '\'' && s[k] != ' ')
		k++;
	size_t after = k;
	while (after < n && s[after] == ' ')
		after++;
	if (k > i && after < n && (s[after] == '=' || (s[after] == ':' && after == k &&
						       (after + 1 == n || s[after + 1] == ' ')))) {
		fill(cls, i, k, HL_META);
		return k;
	}
	return i;
}

void hl_line(const struct hl_lang *l, struct hl_state *st, const char *s, size_t n,
	     uint8_t *cls)
{
	memset(cls, HL_PLAIN, n);
	if (!l)
		return;
	if (l->flags & F_DIFF) {
		diff_line(s, n, cls);
		st->in = 0;
		return;
	}
	size_t i = 0;
	int open;
	/* carried over from the line before */
	if (st->in == HL_IN_COMMENT && l->block_close) {
		i = comment_end(l, s, n, 0, &open);
		fill(cls, 0, i, HL_COMMENT);
		if (open)
			return;
		st->in = 0;
	} else if (st->in == HL_IN_STRING && st->idx < 4 && l->strings[st->idx].open) {
		i = string_end(&l->strings[st->idx], s, n, 0, &open);
		fill(cls, 0, i, HL_STRING);
		if (open)
			return;
		st->in = 0;
	}
	st->in = 0;
	if (i == 0 && (l->flags & F_PREPROC)) {
		size_t j = 0;
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < n && s[j] == '#') {
			size_t k = j + 1;
			while (k < n && (s[k] == ' ' || is_ident_start((unsigned char)s[k])))
				k++;
			fill(cls, j, k, HL_PREPROC);
			i = k;
		}
	}
	if (i == 0 && (l->flags & F_KEYS))
		i = key_prefix(s, n, cls);
	int in_tag = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (starts(s, n, i, l->line_comment) || starts(s, n, i, l->line_comment2)) {
			/* '#' starts a shell comment only at a word's start */
			if (!(l->flags & F_VARS) || i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' ||
			    s[i - 1] == ';') {
				fill(cls, i, n, HL_COMMENT);
				return;
			}
		}
		if (starts(s, n, i, l->block_open)) {
			size_t e = comment_end(l, s, n, i + strlen(l->block_open), &open);
			fill(cls, i, e, HL_COMMENT);
			if (open) {
				st->in = HL_IN_COMMENT;
				return;
			}
			i = e;
			continue;
		}
		size_t k;
		for (k = 0; k < 4 && l->strings[k].open; k++)
			if (starts(s, n, i, l->strings[k].open) && (!(l->flags & F_MARKUP) || in_tag))
				break;
		if (k < 4 && l->strings[k].open) {
			size_t e = string_end(&l->strings[k], s, n, i + strlen(l->strings[k].open),
					      &open);
			fill(cls, i, e, HL_STRING);
			if (open) {
				st->in = HL_IN_STRING;
				st->idx = (uint8_t)k;
				return;
			}
			i = e;
			continue;
		}
		if (l->flags & F_MARKUP) {
			i = markup_step(s, n, i, cls, &in_tag);
			continue;
		}
		if ((l->flags & F_VARS) && c == '$' && i + 1 < n) {
			size_t e = i + 1;
			if (s[e] == '{') {
				while (e < n && s[e] != '}')
					e++;
				e += e < n;
			} else {
				while (e < n && (is_ident(l, (unsigned char)s[e]) ||
						 s[e] == '?' || s[e] == '@' || s[e] == '#'))
					e++;
			}
			fill(cls, i, e, HL_META);
			i = e;
			continue;
		}
		if ((l->flags & (F_ATRULE | F_DECOR)) && c == '@' && i + 1 < n &&
		    is_ident_start((unsigned char)s[i + 1])) {
			size_t e = i + 1;
			while (e < n && is_ident(l, (unsigned char)s[e]))
				e++;
			fill(cls, i, e, l->flags & F_ATRULE ? HL_KEYWORD : HL_META);
			i = e;
			continue;
		}
		if ((l->flags & F_ATRULE) && c == '#' && i + 1 < n &&
		    (is_digit((unsigned char)s[i + 1]) ||
		     (s[i + 1] >= 'a' && s[i + 1] <= 'f') || (s[i + 1] >= 'A' && s[i + 1] <= 'F'))) {
			size_t e = number_end(s, n, i + 1);
			fill(cls, i, e, HL_NUMBER);
			i = e;
			continue;
		}
		int word_start = i == 0 || !is_ident(l, (unsigned char)s[i - 1]);
		if (is_digit(c) && word_start) {
			size_t e = number_end(s, n, i + 1);
			fill(cls, i, e, HL_NUMBER);
			i = e;
			continue;
		}
		if (is_ident_start(c) && word_start) {
			size_t e = i;
			while (e < n && is_ident(l, (unsigned char)s[e]))
				e++;
			int nocase = (l->flags & F_NOCASE) != 0;
			size_t after = e;
			while (after < n && s[after] == ' ')
				after++;
			enum hl_class cl = HL_PLAIN;
			if (in_list(l->keywords, s + i, e - i, nocase))
				cl = HL_KEYWORD;
			else if (in_list(l->types, s + i, e - i, nocase))
				cl = HL_TYPE;
			else if (after < n && s[after] == '(')
				cl = HL_FUNCTION;
			else if ((l->flags & F_ATRULE) && after < n && s[after] == ':')
				cl = HL_META; /* a CSS property */
			fill(cls, i, e, cl);
			i = e;
			continue;
		}
		i++;
	}
}
