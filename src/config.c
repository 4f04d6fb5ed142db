/* config: config.json (PRODUCT §3) checked and turned into plain values on top of the presets. */
#include "cherry/config.h"

#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cherry/buf.h"
#include "config_int.h"
#include "cherry/fsutil.h"
#include "cherry/jsonmem.h"
#include "cherry/utf8.h"

/* A config bigger than this is a mistake (or not a config); refuse before parsing. */
#define CONFIG_MAX_BYTES (1024 * 1024)
/* Upper bound for the timeouts: libcurl takes whole seconds as long. */
#define MAX_TIMEOUT 86400.0

/*
 * Messages quote key names and jansson's "near '...'" text, which come from
 * the file: control characters, C1 controls and broken UTF-8 become '?', so
 * a hostile config cannot drive the terminal. Longer than fits: cut on a
 * character boundary.
 */
static void clean_line(const char *in, char *out, size_t size)
{
	const char *s = in;
	size_t left = strlen(in), o = 0;
	while (left && o + 4 < size) {
		uint32_t cp;
		size_t n = utf8_decode_part(s, left, &cp);
		if (!n) /* a sequence the end cuts short */
			cp = UTF8_INVALID, n = left;
		/* controls, C1 controls and each invalid subpart become one '?' */
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == UTF8_INVALID) {
			out[o++] = '?';
		} else {
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
		left -= n;
	}
	if (left && size >= 4) {
		o = utf8_back(out, o > size - 4 ? size - 4 : o);
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* Sets "<file>: <what>" and returns -1. */
int config_fail(struct config_ctx *x, const char *fmt, ...)
{
	char raw[1024], clean[sizeof x->e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	char line[sizeof raw + 256];
	snprintf(line, sizeof line, "%s: %s", x->file, raw);
	clean_line(line, clean, sizeof clean);
	err_set(x->e, EXIT_FAIL, "%s", clean);
	return -1;
}

static void warn_unknown(struct config_ctx *x, const char *path)
{
	if (!x->warn)
		return;
	char line[1024], clean[1024];
	snprintf(line, sizeof line, "%s: unknown key \"%s\" ignored", x->file, path);
	clean_line(line, clean, sizeof clean);
	x->warn(x->warn_ctx, clean);
}

/* One warning per key of obj not in known (a NULL-ended list); prefix names the object. */
void config_check_keys(struct config_ctx *x, json_t *obj, const char *prefix,
		       const char *const *known)
{
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		const char *const *k = known;
		while (*k && strcmp(*k, key) != 0)
			k++;
		if (*k)
			continue;
		char path[768];
		snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
		warn_unknown(x, path);
	}
}

int config_has_ctl(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			return 1;
		/* C1 controls encoded in UTF-8 */
		if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] < 0xa0)
			return 1;
	}
	return 0;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int config_is_provider_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!is_name_char(*s))
			return 0;
	return 1;
}

int config_is_env_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int config_is_http_url(const char *s)
{
	size_t skip;
	if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return 0;
	if (!s[skip] || s[skip] == '/')
		return 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '\\')
			return 0;
	}
	return !config_has_ctl(s);
}

static int is_model_spec(const char *s)
{
	const char *prov, *model;
	size_t plen;
	return model_spec_split(s, &prov, &plen, &model) == 0 && !config_has_ctl(s);
}

/* Replaces *dst with a copy of src (or NULL). */
int config_set_str(struct config_ctx *x, char **dst, const char *src)
{
	char *copy = NULL;
	if (src && !(copy = strdup(src))) {
		err_set(x->e, EXIT_FAIL, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

/* A string, or null (NULL); an empty string is the same as null. */
int config_get_str_or_null(struct config_ctx *x, json_t *v, const char *path, char **dst)
{
	if (json_is_null(v))
		return config_set_str(x, dst, NULL);
	if (!json_is_string(v))
		return config_fail(x, "%s must be a string or null", path);
	const char *s = json_string_value(v);
	return config_set_str(x, dst, s[0] ? s : NULL);
}

void config_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* An array whose every item passes ok(); copied into out and n (replacing what was there). */
static int get_strv(struct config_ctx *x, json_t *arr, int (*ok)(const char *), const char *what,
		    char ***out, size_t *n)
{
	if (!json_is_array(arr))
		return config_fail(x, "%s", what);
	size_t len = json_array_size(arr);
	char **v = calloc(len ? len : 1, sizeof *v);
	if (!v) {
		err_set(x->e, EXIT_FAIL, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		json_t *item = json_array_get(arr, i);
		if (!json_is_string(item) || !ok(json_string_value(item))) {
			config_free_strv(v, i);
			return config_fail(x, "%s", what);
		}
		if (!(v[i] = strdup(json_string_value(item)))) {
			config_free_strv(v, i);
			err_set(x->e, EXIT_FAIL, "out of memory");
			return -1;
		}
	}
	config_free_strv(*out, *n);
	*out = v;
	*n = len;
	return 0;
}

static int get_seconds(struct config_ctx *x, json_t *v, const char *path, double *dst)
{
	double d = json_is_number(v) ? json_number_value(v) : -1;
	if (!json_is_number(v) || !isfinite(d) || d <= 0 || d > MAX_TIMEOUT)
		return config_fail(x, "%s must be a positive number of seconds (at most %.0f)", path,
			    MAX_TIMEOUT);
	*dst = d;
	return 0;
}

static int parse_network(struct config_ctx *x, struct config *c, json_t *obj)
{
	static const char *const known[] = {"connect_timeout", "stall_timeout", "max_retries",
					    "max_streams", "ca_file", NULL};
	if (!json_is_object(obj))
		return config_fail(x, "network must be an object");
	config_check_keys(x, obj, "network", known);
	json_t *v;
	if ((v = json_object_get(obj, "connect_timeout")) &&
	    get_seconds(x, v, "network.connect_timeout", &c->connect_timeout) < 0)
		return -1;
	if ((v = json_object_get(obj, "stall_timeout")) &&
	    get_seconds(x, v, "network.stall_timeout", &c->stall_timeout) < 0)
		return -1;
	static const struct {
		const char *name;
		int lo, hi;
		size_t at;
	} ints[] = {{"max_retries", 0, 10, offsetof(struct config, max_retries)},
		    {"max_streams", 1, 64, offsetof(struct config, max_streams)}};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		if (!(v = json_object_get(obj, ints[i].name)))
			continue;
		json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
		if (n < ints[i].lo || n > ints[i].hi)
			return config_fail(x, "network.%s must be an integer from %d to %d",
					   ints[i].name, ints[i].lo, ints[i].hi);
		*(int *)((char *)c + ints[i].at) = (int)n;
	}
	if ((v = json_object_get(obj, "ca_file")) &&
	    config_get_str_or_null(x, v, "network.ca_file", &c->ca_file) < 0)
		return -1;
	return 0;
}

static int parse_vault(struct config_ctx *x, struct config *c, json_t *obj)
{
	static const char *const known[] = {"passphrase_command", NULL};
	if (!json_is_object(obj))
		return config_fail(x, "vault must be an object");
	config_check_keys(x, obj, "vault", known);
	json_t *v = json_object_get(obj, "passphrase_command");
	if (v && config_get_str_or_null(x, v, "vault.passphrase_command", &c->passphrase_command) < 0)
		return -1;
	return 0;
}

static int parse_telemetry(struct config_ctx *x, struct config *c, json_t *obj)
{
	static const char *const known[] = {"enabled", "endpoint", NULL};
	if (!json_is_object(obj))
		return config_fail(x, "telemetry must be an object");
	config_check_keys(x, obj, "telemetry", known);
	json_t *v;
	if ((v = json_object_get(obj, "enabled"))) {
		if (!json_is_boolean(v))
			return config_fail(x, "telemetry.enabled must be true or false");
		c->telemetry_enabled = json_is_true(v);
	}
	if ((v = json_object_get(obj, "endpoint"))) {
		if (!json_is_null(v) && (!json_is_string(v) || !config_is_http_url(json_string_value(v))))
			return config_fail(x, "telemetry.endpoint must be an http:// or https:// URL or null");
		if (config_get_str_or_null(x, v, "telemetry.endpoint", &c->telemetry_endpoint) < 0)
			return -1;
	}
	return 0;
}

/* Sections whose contents later features check: kept as JSON, only their type checked here. */
static int keep_object(struct config_ctx *x, json_t *v, const char *name, json_t **dst)
{
	if (!json_is_object(v))
		return config_fail(x, "%s must be an object", name);
	json_decref(*dst);
	*dst = json_incref(v);
	return 0;
}

/* "prices": {"provider/model": {"input": USD per 1M tokens, "output": ...}}. */
static int parse_prices(struct config_ctx *x, struct config *c, json_t *v)
{
	if (!json_is_object(v))
		return config_fail(x, "prices must be an object of PROVIDER/MODEL: {input, output}");
	const char *spec;
	json_t *p;
	json_object_foreach(v, spec, p) {
		json_t *in = json_object_get(p, "input"), *out = json_object_get(p, "output");
		if (!is_model_spec(spec) || !json_is_object(p) || (in && !json_is_number(in)) ||
		    (out && !json_is_number(out)) || (in && json_number_value(in) < 0) ||
		    (out && json_number_value(out) < 0))
			return config_fail(x, "prices.%.80s must be {\"input\": USD, \"output\": USD} "
				    "per million tokens, under a PROVIDER/MODEL name", spec);
	}
	return keep_object(x, v, "prices", &c->prices);
}

int config_price(const struct config *c, const char *spec, double *in, double *out)
{
	json_t *p = c->prices && spec ? json_object_get(c->prices, spec) : NULL;
	if (!json_is_object(p))
		return 0;
	json_t *i = json_object_get(p, "input"), *o = json_object_get(p, "output");
	*in = json_is_number(i) ? json_number_value(i) : 0;
	*out = json_is_number(o) ? json_number_value(o) : 0;
	return 1;
}

/* Both spellings, ours first (config_mcp.c does the work). */
static int parse_mcp(struct config_ctx *x, struct config *c, json_t *root)
{
	static const char *const keys[] = {"mcp_servers", "mcpServers"};
	for (size_t i = 0; i < 2; i++) {
		json_t *v = json_object_get(root, keys[i]);
		if (v && config_mcp_parse(c, v, keys[i], x->file, x->warn, x->warn_ctx, x->e) < 0)
			return -1;
	}
	json_t *t = json_object_get(root, "tools");
	return t ? config_tools_parse(c, t, x->file, x->warn, x->warn_ctx, x->e) : 0;
}

/* The ui options are read where they are used; here a misspelt key or a value that
 * would be taken as the default without a word gets one line. */
static void check_ui(struct config_ctx *x, json_t *ui)
{
	/* "markdown" is in PRODUCT.md's example; answers are always rendered */
	static const char *const known[] = {"theme", "hyperlinks", "sidebar", "show_reasoning",
					    "markdown", "paste_attach_threshold", NULL};
	config_check_keys(x, ui, "ui", known);
	json_t *hl = json_object_get(ui, "hyperlinks");
	const char *h = json_string_value(hl);
	if (hl && !(h && (!strcmp(h, "auto") || !strcmp(h, "on") || !strcmp(h, "off"))) &&
	    x->warn) {
		char line[1024], clean[1024];
		snprintf(line, sizeof line,
			 "%s: ui.hyperlinks must be \"auto\", \"on\" or \"off\"; \"auto\" is used",
			 x->file);
		clean_line(line, clean, sizeof clean);
		x->warn(x->warn_ctx, clean);
	}
}

static int parse_root(struct config_ctx *x, struct config *c, json_t *root)
{
	static const char *const known[] = {"default_model", "favorites", "providers",
					    "assistants", "keys", "ui", "network", "vault",
					    "telemetry", "prices", "mcp_servers", "mcpServers",
					    "tools", NULL};
	if (!json_is_object(root))
		return config_fail(x, "the top level must be an object");
	config_check_keys(x, root, "", known);

	json_t *v;
	if ((v = json_object_get(root, "default_model"))) {
		if (!json_is_null(v) && (!json_is_string(v) || !is_model_spec(json_string_value(v))))
			return config_fail(x, "default_model must be a string PROVIDER/MODEL");
		if (config_set_str(x, &c->default_model, json_is_null(v) ? NULL : json_string_value(v)) < 0)
			return -1;
	}
	if ((v = json_object_get(root, "favorites")) &&
	    get_strv(x, v, is_model_spec, "favorites must be an array of PROVIDER/MODEL strings",
		     &c->favorites, &c->nfavorites) < 0)
		return -1;
	if ((v = json_object_get(root, "providers")) && config_parse_providers(x, c, v) < 0)
		return -1;
	if ((v = json_object_get(root, "assistants")) &&
	    keep_object(x, v, "assistants", &c->assistants) < 0)
		return -1;
	if ((v = json_object_get(root, "keys")) && keep_object(x, v, "keys", &c->keys) < 0)
		return -1;
	if ((v = json_object_get(root, "ui")) && keep_object(x, v, "ui", &c->ui) < 0)
		return -1;
	if (c->ui)
		check_ui(x, c->ui);
	if ((v = json_object_get(root, "network")) && parse_network(x, c, v) < 0)
		return -1;
	if ((v = json_object_get(root, "vault")) && parse_vault(x, c, v) < 0)
		return -1;
	if ((v = json_object_get(root, "telemetry")) && parse_telemetry(x, c, v) < 0)
		return -1;
	if ((v = json_object_get(root, "prices")) && parse_prices(x, c, v) < 0)
		return -1;
	if (parse_mcp(x, c, root) < 0)
		return -1;
	return 0;
}

int config_defaults(struct config *c, providers_env_fn env)
{
	memset(c, 0, sizeof *c);
	c->connect_timeout = 15;
	c->stall_timeout = 120;
	c->max_retries = 2;
	c->max_streams = 8;
	if (providers_presets(&c->providers, env) < 0) {
		memset(c, 0, sizeof *c);
		return -1;
	}
	return 0;
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/*
 * Duplicate keys are rejected (JSON_REJECT_DUPLICATES): with two "network"
 * objects jansson would silently keep one, and a setting the user wrote
 * would be ignored without a word. A file holding only whitespace counts as
 * an empty object, like a file that is not there.
 */
int config_parse(struct config *c, const char *text, size_t len, const char *filename,
		 providers_env_fn env, config_warn_fn warn, void *warn_ctx, struct err *e)
{
	struct config_ctx x = {filename ? filename : "config.json", warn, warn_ctx, e};
	if (config_defaults(c, env) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	if (!text || blank(text, len))
		return 0;
	json_error_t jerr;
	int oom;
	json_t *root = jsonmem_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr, &oom);
	if (oom) {
		err_set(e, EXIT_FAIL, "%s: out of memory", x.file);
		config_free(c);
		return -1;
	}
	if (!root) {
		char where[64];
		snprintf(where, sizeof where, ":%d:%d", jerr.line, jerr.column);
		char line[1024 + 64], clean[sizeof e->msg];
		snprintf(line, sizeof line, "%s%s: %s", x.file, where, jerr.text);
		clean_line(line, clean, sizeof clean);
		err_set(e, EXIT_FAIL, "%s", clean);
		config_free(c);
		return -1;
	}
	int rc = parse_root(&x, c, root);
	json_decref(root);
	if (rc < 0)
		config_free(c);
	return rc;
}

int config_load(struct config *c, const char *path, providers_env_fn env, config_warn_fn warn,
		void *warn_ctx, struct err *e)
{
	struct buf text = BUF_INIT;
	int rc = fs_read_file(path, CONFIG_MAX_BYTES, &text, e);
	if (rc < 0) {
		memset(c, 0, sizeof *c);
		buf_free(&text);
		return -1;
	}
	if (rc == 1) {
		buf_free(&text);
		if (config_defaults(c, env) < 0) {
			err_set(e, EXIT_FAIL, "out of memory");
			return -1;
		}
		return 0;
	}
	rc = config_parse(c, text.data, text.len, path, env, warn, warn_ctx, e);
	buf_free(&text);
	if (rc == 0 && !(c->path = strdup(path))) {
		config_free(c);
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return rc;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->default_model);
	config_free_strv(c->favorites, c->nfavorites);
	providers_free(&c->providers);
	json_decref(c->assistants);
	json_decref(c->keys);
	json_decref(c->ui);
	json_decref(c->prices);
	free(c->ca_file);
	free(c->passphrase_command);
	free(c->telemetry_endpoint);
	config_mcp_free(c);
	config_tools_free(c);
	memset(c, 0, sizeof *c);
}
