/* config_mcp: config.json's "mcp_servers" (and Claude Desktop's "mcpServers", pasted as
 * is) parsed into struct config_mcp_server values. Pure: values in, values out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cherry/config.h"

struct mctx {
	const char *file;
	const char *key; /* "mcp_servers" or "mcpServers" */
	config_warn_fn warn;
	void *warn_ctx;
	struct err *e;
};

/* Names and keys come from the file: control characters become '?' in messages. */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int bad(struct mctx *x, const char *name, const char *what)
{
	char line[sizeof x->e->msg];
	snprintf(line, sizeof line, "%s: %s.%.100s: %s", x->file, x->key, name, what);
	clean(line);
	err_set(x->e, EXIT_FAIL, "%s", line);
	return -1;
}

static int is_server_name(const char *s)
{
	/* It names the log file: no '/', and no leading '.' (".." or a hidden file). */
	if (!*s || *s == '.' || strlen(s) > 64)
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int has_nul_or_newline(const char *s, size_t len)
{
	return memchr(s, '\0', len) || memchr(s, '\n', len) || memchr(s, '\r', len);
}

static int dup_to(char **dst, const char *s)
{
	*dst = strdup(s);
	return *dst ? 0 : -1;
}

static int get_args(struct mctx *x, struct config_mcp_server *s, json_t *arr)
{
	if (!json_is_array(arr))
		return bad(x, s->name, "args must be an array of strings");
	size_t n = json_array_size(arr);
	s->args = calloc(n + 1, sizeof *s->args);
	if (!s->args)
		return bad(x, s->name, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(arr, i);
		if (!json_is_string(a) || memchr(json_string_value(a), '\0', json_string_length(a)))
			return bad(x, s->name, "args must be an array of strings");
		if (dup_to(&s->args[i], json_string_value(a)) < 0)
			return bad(x, s->name, "out of memory");
		s->nargs = i + 1;
	}
	return 0;
}

/* An object of string values into two parallel arrays. */
static int get_pairs(struct mctx *x, const char *server, json_t *obj, const char *what,
		     char ***names, char ***values, size_t *n)
{
	char msg[128];
	snprintf(msg, sizeof msg, "%s must be an object of strings", what);
	if (!json_is_object(obj))
		return bad(x, server, msg);
	size_t cap = json_object_size(obj);
	*names = calloc(cap + 1, sizeof **names);
	*values = calloc(cap + 1, sizeof **values);
	if (!*names || !*values)
		return bad(x, server, "out of memory");
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v) || !*k || strchr(k, '=') ||
		    has_nul_or_newline(json_string_value(v), json_string_length(v)) ||
		    has_nul_or_newline(k, strlen(k)))
			return bad(x, server, msg);
		if (dup_to(&(*names)[*n], k) < 0 ||
		    dup_to(&(*values)[*n], json_string_value(v)) < 0) {
			free((*names)[*n]);
			(*names)[*n] = NULL;
			return bad(x, server, "out of memory");
		}
		++*n;
	}
	return 0;
}

static int get_string(struct mctx *x, const char *server, json_t *v, const char *what, char **dst)
{
	if (!json_is_string(v) || !json_string_length(v) ||
	    has_nul_or_newline(json_string_value(v), json_string_length(v))) {
		char msg[128];
		snprintf(msg, sizeof msg, "%s must be a non-empty string", what);
		return bad(x, server, msg);
	}
	return dup_to(dst, json_string_value(v)) < 0 ? bad(x, server, "out of memory") : 0;
}

static int parse_server(struct mctx *x, struct config_mcp_server *s, json_t *obj)
{
	static const char *const known[] = {"command", "args", "env", "cwd", "url", "headers",
					    "auth_key", "type", NULL};
	if (!json_is_object(obj))
		return bad(x, s->name, "must be an object");
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		const char *const *kk = known;
		while (*kk && strcmp(*kk, k) != 0)
			kk++;
		if (*kk || !x->warn)
			continue;
		char line[1024];
		snprintf(line, sizeof line, "%s: unknown key \"%s.%s.%s\" ignored", x->file, x->key,
			 s->name, k);
		clean(line);
		x->warn(x->warn_ctx, line);
	}
	json_t *type = json_object_get(obj, "type");
	const char *t = json_string_value(type);
	if (type && (!t || (strcmp(t, "stdio") && strcmp(t, "http") && strcmp(t, "streamable-http"))))
		return bad(x, s->name, t && !strcmp(t, "sse")
			? "type \"sse\" (the 2024-11-05 transport) is not supported; use the "
			  "server's Streamable HTTP endpoint"
			: "type must be \"stdio\" or \"http\"");
	json_t *cmd = json_object_get(obj, "command"), *url = json_object_get(obj, "url");
	if (!cmd == !url)
		return bad(x, s->name, "needs either \"command\" (stdio) or \"url\" (HTTP)");
	if (cmd) {
		if (get_string(x, s->name, cmd, "command", &s->command) < 0)
			return -1;
		if ((v = json_object_get(obj, "args")) && get_args(x, s, v) < 0)
			return -1;
		if ((v = json_object_get(obj, "env")) &&
		    get_pairs(x, s->name, v, "env", &s->env_names, &s->env_values, &s->nenv) < 0)
			return -1;
		if ((v = json_object_get(obj, "cwd")) && get_string(x, s->name, v, "cwd", &s->cwd) < 0)
			return -1;
		if (json_object_get(obj, "headers") || json_object_get(obj, "auth_key"))
			return bad(x, s->name, "headers and auth_key belong to a url server");
		return 0;
	}
	if (get_string(x, s->name, url, "url", &s->url) < 0)
		return -1;
	if (strncmp(s->url, "https://", 8) != 0 && strncmp(s->url, "http://", 7) != 0)
		return bad(x, s->name, "url must start with https:// or http://");
	if (json_object_get(obj, "args") || json_object_get(obj, "env") ||
	    json_object_get(obj, "cwd"))
		return bad(x, s->name, "args, env and cwd belong to a command server");
	if ((v = json_object_get(obj, "headers")) &&
	    get_pairs(x, s->name, v, "headers", &s->header_names, &s->header_values,
		      &s->nheaders) < 0)
		return -1;
	if ((v = json_object_get(obj, "auth_key"))) {
		if (get_string(x, s->name, v, "auth_key", &s->auth_key) < 0)
			return -1;
		/* It names a vault entry, as a provider's name does: never a token itself. */
		if (!is_server_name(s->auth_key))
			return bad(x, s->name, "auth_key names a key in the vault (letters, digits, "
					       "'.', '_', '-'); store the token with: cherry key set "
					       "NAME");
		for (size_t i = 0; i < s->nheaders; i++)
			if (strcasecmp(s->header_names[i], "Authorization") == 0)
				return bad(x, s->name, "give either auth_key or an Authorization "
						       "header, not both");
	}
	return 0;
}

int config_mcp_parse(struct config *c, json_t *obj, const char *key, const char *file,
		     config_warn_fn warn, void *warn_ctx, struct err *e)
{
	struct mctx x = {file, key, warn, warn_ctx, e};
	if (!json_is_object(obj)) {
		char line[sizeof e->msg];
		snprintf(line, sizeof line, "%s: %s must be an object", file, key);
		clean(line);
		err_set(e, EXIT_FAIL, "%s", line);
		return -1;
	}
	size_t more = json_object_size(obj);
	struct config_mcp_server *v =
		realloc(c->mcp_servers, (c->nmcp_servers + more + 1) * sizeof *v);
	if (!v)
		return bad(&x, "", "out of memory");
	c->mcp_servers = v;
	const char *name;
	json_t *entry;
	json_object_foreach(obj, name, entry) {
		if (!is_server_name(name))
			return bad(&x, name, "a server name is 1 to 64 letters, digits, '.', '_' "
					     "or '-' and does not start with '.'");
		if (config_mcp_find(c, name))
			return bad(&x, name, "named twice");
		struct config_mcp_server *s = &c->mcp_servers[c->nmcp_servers];
		memset(s, 0, sizeof *s);
		if (dup_to(&s->name, name) < 0)
			return bad(&x, name, "out of memory");
		/* Counted before parsing, so config_mcp_free frees a half-parsed entry. */
		c->nmcp_servers++;
		if (parse_server(&x, s, entry) < 0)
			return -1;
	}
	return 0;
}

const struct config_mcp_server *config_mcp_find(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nmcp_servers; i++)
		if (strcmp(c->mcp_servers[i].name, name) == 0)
			return &c->mcp_servers[i];
	return NULL;
}

static void free_v(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_mcp_free(struct config *c)
{
	for (size_t i = 0; i < c->nmcp_servers; i++) {
		struct config_mcp_server *s = &c->mcp_servers[i];
		free(s->name);
		free(s->command);
		free_v(s->args, s->nargs);
		free_v(s->env_names, s->nenv);
		free_v(s->env_values, s->nenv);
		free(s->cwd);
		free(s->url);
		free_v(s->header_names, s->nheaders);
		free_v(s->header_values, s->nheaders);
		free(s->auth_key);
	}
	free(c->mcp_servers);
	c->mcp_servers = NULL;
	c->nmcp_servers = 0;
}
