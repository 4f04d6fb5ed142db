/* attach: the kind of an attached file by its content, text attachments as fenced
 * blocks, and each provider kind's documented attachment limits (pure). */
#include "cherry/attach.h"

#include <sodium.h>
#include <stdio.h>
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

int attach_clean_name(const char *name, struct buf *out)
{
	int bad = 0;
	for (const unsigned char *p = (const unsigned char *)(name ? name : "file"); *p; p++) {
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0) {
			p++;
			continue;
		}
		if (*p >= 0x20 && *p != 0x7f)
			bad |= buf_append_char(out, (char)*p);
	}
	return bad;
}

void attach_size_text(long long n, char out[16])
{
	if (n < 1024)
		snprintf(out, 16, "%lld B", n < 0 ? 0 : n);
	else if (n < 1024 * 1024)
		snprintf(out, 16, "%lld KB", (n + 512) / 1024);
	else
		snprintf(out, 16, "%.1f MB", (double)n / (1024.0 * 1024.0));
}

int attach_describe(const char *name, const char *media_type, long long size, struct buf *out)
{
	char sz[16];
	attach_size_text(size, sz);
	int bad = buf_append_str(out, "\xf0\x9f\x93\x8e ");
	bad |= attach_clean_name(name, out);
	bad |= buf_printf(out, " (%s, %s)", media_type ? media_type : "?", sz);
	return bad ? -1 : 0;
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
	int bad = attach_clean_name(name, out);
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

static unsigned long be16(const unsigned char *p) { return (unsigned long)p[0] << 8 | p[1]; }
static unsigned long le16(const unsigned char *p) { return (unsigned long)p[1] << 8 | p[0]; }
static unsigned long le24(const unsigned char *p) { return le16(p) | (unsigned long)p[2] << 16; }

static unsigned long be32(const unsigned char *p)
{
	return be16(p) << 16 | be16(p + 2);
}

/* JPEG: the marker segments up to the first frame header (SOF0-15 but DHT, JPG, DAC). */
static int jpeg_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h)
{
	size_t i = 2;
	while (i + 4 <= n) {
		if (d[i] != 0xff)
			return -1;
		unsigned m = d[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd9)) { /* no length */
			i += 2;
			continue;
		}
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (i + 9 > n)
				return -1;
			*h = be16(d + i + 5);
			*w = be16(d + i + 7);
			return 0;
		}
		i += 2 + be16(d + i + 2);
	}
	return -1;
}

int attach_image_size(const unsigned char *d, size_t n, unsigned long *w, unsigned long *h)
{
	if (n >= 24 && starts(d, n, "\x89PNG\r\n\x1a\n", 8) && !memcmp(d + 12, "IHDR", 4)) {
		*w = be32(d + 16);
		*h = be32(d + 20);
		return 0;
	}
	if (n >= 10 && (starts(d, n, "GIF87a", 6) || starts(d, n, "GIF89a", 6))) {
		*w = le16(d + 6);
		*h = le16(d + 8);
		return 0;
	}
	if (starts(d, n, "\xff\xd8\xff", 3))
		return jpeg_size(d, n, w, h);
	if (n >= 30 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4)) {
		if (!memcmp(d + 12, "VP8 ", 4) && !memcmp(d + 23, "\x9d\x01\x2a", 3)) {
			*w = le16(d + 26) & 0x3fff;
			*h = le16(d + 28) & 0x3fff;
			return 0;
		}
		if (!memcmp(d + 12, "VP8L", 4) && d[20] == 0x2f) {
			unsigned long b = le16(d + 21) | le16(d + 23) << 16;
			*w = (b & 0x3fff) + 1;
			*h = ((b >> 14) & 0x3fff) + 1;
			return 0;
		}
		if (!memcmp(d + 12, "VP8X", 4)) {
			*w = le24(d + 24) + 1;
			*h = le24(d + 27) + 1;
			return 0;
		}
	}
	return -1;
}

#define MB (1024u * 1024u)

/* Documented limits only (shared/reference/markdown-and-attachments.md 5.7). */
static const struct attach_limits limits[] = {
	/* OpenAI vision guide: 20 MB per image, 500 images, 50 MB of image bytes. */
	[WIRE_OPENAI] = {20 * MB, 500, 50 * MB, 0, 0, 0, 0, 0},
	/* Azure: as OpenAI, and 10 images per chat request. */
	[WIRE_AZURE] = {20 * MB, 10, 50 * MB, 0, 0, 0, 0, 0},
	/* Anthropic: "image exceeds 5 MB" counts the base64 text, so 3/4 of it raw; 100
	 * images for 200k-context models; a 32 MB request; 8000 px a side, 2000 px when
	 * more than 20 images are sent. */
	[WIRE_ANTHROPIC] = {5 * MB / 4 * 3, 100, 32 * MB, 0, 1, 8000, 20, 2000},
	/* Gemini: inline data up to 100 MB base64 per request, PDFs up to 50 MB. */
	[WIRE_GEMINI] = {0, 0, 100 * MB, 50 * MB, 1, 0, 0, 0},
	/* Ollama documents none. */
	[WIRE_OLLAMA] = {0, 0, 0, 0, 0, 0, 0, 0},
	/* Responses: OpenAI's image limits; PDFs go as input_file parts (the Responses
	 * file inputs guide: 50 MB per file). */
	[WIRE_RESPONSES] = {20 * MB, 500, 50 * MB, 50 * MB, 1, 0, 0, 0},
	/* Bedrock Converse (Message content): 20 images of at most 3.75 MB, documents of at
	 * most 4.5 MB. */
	[WIRE_BEDROCK] = {3840 * 1024, 20, 0, 4608 * 1024, 1, 0, 0, 0},
	/* Vertex AI takes the same bodies as the gemini and anthropic kinds. */
	[WIRE_VERTEX] = {0, 0, 100 * MB, 50 * MB, 1, 0, 0, 0},
	[WIRE_VERTEX_ANTHROPIC] = {5 * MB / 4 * 3, 100, 32 * MB, 0, 1, 8000, 20, 2000},
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
	size_t count = 0, total = 0, images = 0;
	for (size_t i = 0; i < n; i++)
		images += parts[i].kind == ATTACH_IMAGE;
	unsigned long side = l->many && images > l->many ? l->many_px : l->side_px;
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
		unsigned long w, h;
		if (p->kind == ATTACH_IMAGE && side && attach_image_size(p->data, p->len, &w, &h) == 0 &&
		    (w > side || h > side)) {
			err_set(e, EXIT_USAGE, "%s: %lu\xc3\x97%lu pixels is over %s's %lu per side%s; "
				"scale it down", p->name, w, h, provider, side,
				side == l->many_px ? " when a request has many images" : "");
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

int attach_check_vision(const struct provider *p, const char *model,
			const struct attach_part *parts, size_t n, struct err *e)
{
	struct model_caps caps;
	providers_caps(p, model, &caps);
	if (caps.vision != MODEL_CAP_NO)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (parts[i].kind == ATTACH_IMAGE) {
			err_set(e, EXIT_USAGE, "%s: %s/%s cannot see images (config.json says "
				"\"vision\": false); choose a model that can, or leave the image out",
				parts[i].name, p->name, model);
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
