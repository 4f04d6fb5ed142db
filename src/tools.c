/* tools: the kind-neutral core of tool calling (tools.h). */
#include "cherry/tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/jsonmem.h"

/* ---- the catalogue ---- */

static void safe_part(struct buf *b, const char *s)
{
	for (; *s; s++) {
		char ch = *s;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
			 || ch == '_' || ch == '-';
		buf_append_char(b, ok ? ch : '_');
	}
}

/* FNV-1a, for a short suffix that keeps cut names apart. */
static unsigned fnv(const char *a, const char *b)
{
	unsigned h = 2166136261u;
	for (const char *s = a; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *s = b; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* SERVER__TOOL with other characters as '_'; too long: cut, with a hash of the whole;
 * taken: a number after it. */
static int wire_name(const struct tools_catalog *c, const char *server, const char *tool,
		     struct buf *out)
{
	buf_reset(out);
	safe_part(out, server);
	buf_append_str(out, "__");
	safe_part(out, tool);
	if (!out->data)
		return -1;
	if (out->len > TOOLS_NAME_MAX) {
		out->len = TOOLS_NAME_MAX - 9;
		out->data[out->len] = '\0';
		buf_printf(out, "_%08x", fnv(server, tool));
	}
	size_t base = out->len;
	for (int k = 2; tools_find(c, out->data); k++) {
		char suffix[16];
		int n = snprintf(suffix, sizeof suffix, "_%d", k);
		out->len = base + (size_t)n > TOOLS_NAME_MAX ? TOOLS_NAME_MAX - (size_t)n : base;
		out->data[out->len] = '\0';
		buf_append_str(out, suffix);
	}
	return out->data ? 0 : -1;
}

int tools_catalog_add(struct tools_catalog *c, size_t server, const char *server_name,
		      const struct mcp_tool *t)
{
	struct tools_entry *v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (!v)
		return -1;
	c->v = v;
	struct wire_tool *w = realloc(c->wire, (c->n + 1) * sizeof *w);
	if (!w)
		return -1;
	c->wire = w;
	struct buf name = BUF_INIT;
	struct tools_entry e = {0};
	e.server = server;
	char *schema = t->input_schema ? jsonmem_dumps(t->input_schema, JSON_COMPACT | JSON_PRESERVE_ORDER)
				       : strdup("{\"type\":\"object\"}");
	int bad = wire_name(c, server_name, t->name, &name) < 0 || !schema;
	e.wire = bad ? NULL : buf_steal(&name);
	e.server_name = strdup(server_name);
	e.tool = strdup(t->name);
	e.description = t->description ? strdup(t->description) : NULL;
	e.schema = schema;
	if (bad || !e.wire || !e.server_name || !e.tool || (t->description && !e.description)) {
		buf_free(&name);
		free(e.wire);
		free(e.server_name);
		free(e.tool);
		free(e.description);
		free(e.schema);
		return -1;
	}
	c->v[c->n] = e;
	c->n++;
	/* The wire view points into the entries, which moved: rebuilt whole. */
	for (size_t i = 0; i < c->n; i++)
		c->wire[i] = (struct wire_tool){c->v[i].wire, c->v[i].description, c->v[i].schema};
	return 0;
}

const struct tools_entry *tools_find(const struct tools_catalog *c, const char *wire)
{
	for (size_t i = 0; wire && i < c->n; i++)
		if (!strcmp(c->v[i].wire, wire))
			return &c->v[i];
	return NULL;
}

void tools_catalog_free(struct tools_catalog *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].wire);
		free(c->v[i].server_name);
		free(c->v[i].tool);
		free(c->v[i].description);
		free(c->v[i].schema);
	}
	free(c->v);
	free(c->wire);
	memset(c, 0, sizeof *c);
}

/* ---- permission ---- */

int tools_parse_answer(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	switch (*line) {
	case 'o': case 'O': case 'y': case 'Y':
		return TOOLS_ONCE;
	case 'r': case 'R':
		return TOOLS_RUN;
	case 'a': case 'A':
		return TOOLS_ALWAYS;
	case 'd': case 'D': case 'n': case 'N':
		return TOOLS_DENY;
	default:
		return -1;
	}
}

/* NAME is SERVER/TOOL, or TOOL on any server. */
static int names(const char *name, const struct tools_entry *t)
{
	const char *slash = strchr(name, '/');
	if (!slash)
		return !strcmp(name, t->tool);
	size_t n = (size_t)(slash - name);
	return n == strlen(t->server_name) && !strncmp(name, t->server_name, n)
	       && !strcmp(slash + 1, t->tool);
}

int tools_allowed(const struct tools_policy *p, const struct config *cfg,
		  const struct tools_entry *t)
{
	if (p->allow_all)
		return 1;
	for (size_t i = 0; i < p->nallow; i++)
		if (names(p->allow[i], t))
			return 1;
	for (size_t i = 0; i < p->nrun; i++)
		if (names(p->run[i], t))
			return 1;
	return cfg && config_tools_always(cfg, t->server_name, t->tool);
}

int tools_allow_run(struct tools_policy *p, const struct tools_entry *t)
{
	char **v = realloc(p->run, (p->nrun + 1) * sizeof *v);
	if (!v)
		return -1;
	p->run = v;
	struct buf b = BUF_INIT;
	if (buf_printf(&b, "%s/%s", t->server_name, t->tool) < 0)
		return -1;
	p->run[p->nrun++] = buf_steal(&b);
	return 0;
}

void tools_policy_free(struct tools_policy *p)
{
	for (size_t i = 0; i < p->nrun; i++)
		free(p->run[i]);
	free(p->run);
	p->run = NULL;
	p->nrun = 0;
}

/* ---- results and arguments ---- */

int tools_cap(const char *text, size_t len, size_t cap, struct buf *out, long long *full)
{
	*full = 0;
	if (len <= cap)
		return buf_append(out, text, len);
	size_t n = cap;
	/* back to the start of a character: never half a UTF-8 sequence */
	while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
		n--;
	*full = (long long)len;
	if (buf_append(out, text, n) < 0)
		return -1;
	return buf_printf(out, "\n[cherry: the result was cut to %zu of its %zu bytes "
			       "(tools.max_result_bytes)]", cap, len);
}

int tools_show_args(const char *args, struct buf *out)
{
	json_error_t jerr;
	json_t *v = json_loads(args ? args : "", JSON_DECODE_ANY, &jerr);
	if (!v)
		return buf_append_str(out, args ? args : "");
	char *s = jsonmem_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(v);
	int r = s ? buf_append_str(out, s) : -1;
	free(s);
	return r;
}

int tools_result_text(const struct mcp_call_result *r, int rc, const char *why, size_t cap,
		      struct buf *out, long long *full, int *error)
{
	*full = 0;
	if (rc < 0) {
		*error = 1;
		return buf_printf(out, "error: %s", why ? why : "the call failed");
	}
	*error = r->is_error;
	const char *text = r->text ? r->text : "";
	if (tools_cap(text, strlen(text), cap, out, full) < 0)
		return -1;
	if (r->nimages)
		return buf_printf(out, "%s[cherry: %zu image(s) left out]", out->len ? "\n" : "",
				  r->nimages);
	return 0;
}
