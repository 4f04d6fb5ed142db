/* attach: the kind of an attached file by its content, text attachments as fenced
 * blocks, and each provider kind's documented attachment limits (pure). */
#include "cherry/attach.h"

#include <sodium.h>
#include <string.h>

#include "cherry/utf8.h"

static int starts(const unsigned char *d, size_t n, const char *magic, size_t m)
{
	return n >= m && !memcmp(d, magic, m);
}

enum attach_kind attach_sniff(const unsigned char *d, size_t n, const char **media_type)
{
	/* Magic bytes as WHATWG MIME Sniffing matches them: a name can lie, and Anthropic
	 * refuses an image whose media type does not match its bytes. */
	static const struct {
		const char *magic;
		size_t len;
		enum attach_kind kind;
		const char *type;
	} magics[] = {
		{"\x89PNG\r\n\x1a\n", 8, ATTACH_IMAGE, "image/png"},
		{"\xff\xd8\xff", 3, ATTACH_IMAGE, "image/jpeg"},
		{"GIF87a", 6, ATTACH_IMAGE, "image/gif"},
		{"GIF89a", 6, ATTACH_IMAGE, "image/gif"},
		{"%PDF-", 5, ATTACH_PDF, "application/pdf"},
	};
	const char *type = "application/octet-stream";
	enum attach_kind kind = ATTACH_BINARY;
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (starts(d, n, magics[i].magic, magics[i].len)) {
			kind = magics[i].kind;
			type = magics[i].type;
			goto done;
		}
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4)) {
		kind = ATTACH_IMAGE;
		type = "image/webp";
	} else if (!memchr(d, '\0', n) && utf8_valid((const char *)d, n)) {
		/* A NUL is valid UTF-8 but ends every C string: such a file is not text. */
		kind = ATTACH_TEXT;
		type = "text/plain";
	}
done:
	if (media_type)
		*media_type = type;
	return kind;
}

const char *attach_kind_name(enum attach_kind k)
{
	switch (k) {
	case ATTACH_TEXT: return "text";
	case ATTACH_IMAGE: return "image";
	case ATTACH_PDF: return "PDF";
	default: return "binary";
	}
}

const char *attach_lang(const char *name)
{
	static const char *const langs[][2] = {
		{"c", "c"}, {"h", "c"}, {"cc", "cpp"}, {"cpp", "cpp"}, {"hpp", "cpp"},
		{"py", "python"}, {"sh", "sh"}, {"bash", "bash"}, {"js", "javascript"},
		{"ts", "typescript"}, {"json", "json"}, {"yaml", "yaml"}, {"yml", "yaml"},
		{"go", "go"}, {"rs", "rust"}, {"java", "java"}, {"sql", "sql"},
		{"diff", "diff"}, {"patch", "diff"}, {"html", "html"}, {"xml", "xml"},
		{"css", "css"}, {"md", "markdown"}, {"rb", "ruby"}, {"toml", "toml"},
		{"mk", "make"}, {"txt", ""}, {"log", ""},
	};
	const char *slash = name ? strrchr(name, '/') : NULL;
	const char *base = slash ? slash + 1 : name;
	const char *dot = base ? strrchr(base, '.') : NULL;
	if (!dot || dot == base)
		return "";
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
		if (!strcmp(dot + 1, langs[i][0]))
			return langs[i][1];
	return "";
}

int attach_text_block(const char *name, const char *text, size_t n, struct buf *out)
{
	/* The fence outlasts any backtick run inside, so the file cannot close it early. */
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < n; i++) {
		run = text[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t fence = longest < 3 ? 3 : longest + 1;
	int bad = 0;
	for (const char *p = name ? name : "file"; *p; p++)
		if ((unsigned char)*p >= 0x20 && *p != 0x7f)
			bad |= buf_append_char(out, *p);
	bad |= buf_append_str(out, ":\n");
	for (size_t i = 0; i < fence; i++)
		bad |= buf_append_char(out, '`');
	bad |= buf_printf(out, "%s\n", attach_lang(name));
	bad |= buf_append(out, text, n);
	if (n && text[n - 1] != '\n')
		bad |= buf_append_char(out, '\n');
	for (size_t i = 0; i < fence; i++)
		bad |= buf_append_char(out, '`');
	bad |= buf_append_char(out, '\n');
	return bad ? -1 : 0;
}

#define MB (1024u * 1024u)

/* Documented limits only (shared/reference/markdown-and-attachments.md 5.7). */
static const struct attach_limits limits[] = {
	/* OpenAI vision guide: 20 MB per image, 500 images, 50 MB of image bytes. */
	[WIRE_OPENAI] = {20 * MB, 500, 50 * MB, 0, 0},
	/* Azure: as OpenAI, and 10 images per chat request. */
	[WIRE_AZURE] = {20 * MB, 10, 50 * MB, 0, 0},
	/* Anthropic: "image exceeds 5 MB" counts the base64 text, so 3/4 of it raw; 100
	 * images for 200k-context models; a 32 MB request. */
	[WIRE_ANTHROPIC] = {5 * MB / 4 * 3, 100, 32 * MB, 0, 1},
	/* Gemini: inline data up to 100 MB base64 per request, PDFs up to 50 MB. */
	[WIRE_GEMINI] = {0, 0, 100 * MB, 50 * MB, 1},
	/* Ollama documents none. */
	[WIRE_OLLAMA] = {0, 0, 0, 0, 0},
	/* Responses: OpenAI's image limits; PDFs go as input_file parts (the Responses
	 * file inputs guide: 50 MB per file). */
	[WIRE_RESPONSES] = {20 * MB, 500, 50 * MB, 50 * MB, 1},
	/* Bedrock Converse (Message content): 20 images of at most 3.75 MB, documents of at
	 * most 4.5 MB. */
	[WIRE_BEDROCK] = {3840 * 1024, 20, 0, 4608 * 1024, 1},
	/* Vertex AI takes the same bodies as the gemini and anthropic kinds. */
	[WIRE_VERTEX] = {0, 0, 100 * MB, 50 * MB, 1},
	[WIRE_VERTEX_ANTHROPIC] = {5 * MB / 4 * 3, 100, 32 * MB, 0, 1},
};

const struct attach_limits *attach_limits_for(enum wire_kind kind)
{
	return &limits[kind];
}

static double mib(size_t n)
{
	return (double)n / MB;
}

int attach_check(enum wire_kind kind, const char *provider, const struct attach_part *parts,
		 size_t n, struct err *e)
{
	const struct attach_limits *l = attach_limits_for(kind);
	size_t count = 0, total = 0;
	for (size_t i = 0; i < n; i++) {
		const struct attach_part *p = &parts[i];
		if (p->kind == ATTACH_BINARY) {
			err_set(e, EXIT_USAGE, "%s: not text, an image or a PDF; not sent", p->name);
			return -1;
		}
		if (p->kind == ATTACH_TEXT || (p->kind == ATTACH_PDF && !l->documents))
			continue;
		count++;
		total += (p->len + 2) / 3 * 4;
		if (p->kind == ATTACH_IMAGE && l->image_bytes && p->len > l->image_bytes) {
			err_set(e, EXIT_USAGE, "%s: %.1f MiB is over %s's %.1f MiB per image",
				p->name, mib(p->len), provider, mib(l->image_bytes));
			return -1;
		}
		if (p->kind == ATTACH_PDF && l->pdf_bytes && p->len > l->pdf_bytes) {
			err_set(e, EXIT_USAGE, "%s: %.1f MiB is over %s's %.1f MiB per PDF",
				p->name, mib(p->len), provider, mib(l->pdf_bytes));
			return -1;
		}
	}
	if (l->count && count > l->count) {
		err_set(e, EXIT_USAGE, "%zu attachments are more than %s takes in one request (%zu)",
			count, provider, l->count);
		return -1;
	}
	if (l->request_bytes && total > l->request_bytes) {
		err_set(e, EXIT_USAGE, "the attachments come to %.1f MiB encoded, over %s's %.1f MiB "
			"per request", mib(total), provider, mib(l->request_bytes));
		return -1;
	}
	return 0;
}

int attach_base64(const unsigned char *d, size_t n, struct buf *out)
{
	size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	if (buf_reserve(out, need) < 0)
		return -1;
	sodium_bin2base64(out->data + out->len, need, d, n, sodium_base64_VARIANT_ORIGINAL);
	out->len += need - 1;
	return 0;
}
