/* history: the conversation tree and its pretty-printed, versioned JSON form. No I/O. */
#include "cherry/history.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cherry/jsonmem.h"
#include "cherry/sanitize.h"
#include "cherry/utf8.h"

static const char *const status_names[] = {
	[HIST_COMPLETE] = "complete",
	[HIST_STOPPED] = "stopped",
	[HIST_ERROR] = "error",
	[HIST_INTERRUPTED] = "interrupted",
};

int hist_id_valid(const char *id)
{
	size_t n = 0;
	if (!id)
		return 0;
	for (; id[n]; n++) {
		char ch = id[n];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
		if (n >= HIST_ID_MAX)
			return 0;
	}
	return n > 0;
}

const char *hist_status_name(enum hist_status s)
{
	if ((unsigned)s < sizeof status_names / sizeof status_names[0])
		return status_names[s];
	return "interrupted";
}

int hist_status_parse(const char *name)
{
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (name && !strcmp(name, status_names[i]))
			return (int)i;
	return -1;
}

int hist_set_str(char **field, const char *s)
{
	char *copy = NULL;
	if (s && !(copy = strdup(s)))
		return -1;
	free(*field);
	*field = copy;
	return 0;
}

int hist_conv_init(struct hist_conv *c, const char *id, double now)
{
	memset(c, 0, sizeof *c);
	if (!hist_id_valid(id))
		return -1;
	c->version = HIST_FORMAT;
	snprintf(c->id, sizeof c->id, "%s", id);
	c->created = c->updated = now;
	c->next_seq = 1;
	return 0;
}

void hist_msg_free(struct hist_msg *m)
{
	free(m->id);
	free(m->parent);
	free(m->role);
	free(m->content);
	free(m->reasoning);
	free(m->provider);
	free(m->model);
	free(m->error);
	free(m->note);
	for (size_t i = 0; i < m->natt; i++) {
		free(m->att[i].name);
		free(m->att[i].media_type);
	}
	free(m->att);
	m->att = NULL;
	m->natt = 0;
	hist_tools_free(m);
}

int hist_sha256_valid(const char *s)
{
	size_t n = 0;
	for (; s && s[n]; n++)
		if (!strchr("0123456789abcdef", s[n]))
			return 0;
	return n == 64;
}

int hist_msg_attach(struct hist_msg *m, const char *sha256, const char *name,
		    const char *media_type, long long size)
{
	if (!hist_sha256_valid(sha256) || !name || !media_type || size < 0)
		return -1;
	struct hist_att *a = realloc(m->att, (m->natt + 1) * sizeof *a);
	if (!a)
		return -1;
	m->att = a;
	a = &m->att[m->natt];
	memset(a, 0, sizeof *a);
	memcpy(a->sha256, sha256, 65);
	a->size = size;
	if (hist_set_str(&a->name, name) < 0 || hist_set_str(&a->media_type, media_type) < 0) {
		free(a->name);
		free(a->media_type);
		return -1;
	}
	m->natt++;
	return 0;
}

/* m's fields into d, every string and array its own copy. A pointer field added to
 * hist_msg is copied here too (test_history checks a copy of one with every field set
 * saves as the original does). */
static int msg_dup(struct hist_msg *d, const struct hist_msg *m)
{
	*d = *m;
	d->id = d->parent = d->role = d->content = d->reasoning = d->provider = d->model = NULL;
	d->error = d->note = d->tool_call_id = d->tool_name = d->provider_items = NULL;
	d->att = NULL;
	d->natt = 0;
	d->calls = NULL;
	d->ncalls = 0;
	int bad = hist_set_str(&d->id, m->id) | hist_set_str(&d->parent, m->parent) |
		  hist_set_str(&d->role, m->role) | hist_set_str(&d->content, m->content) |
		  hist_set_str(&d->reasoning, m->reasoning) |
		  hist_set_str(&d->provider, m->provider) | hist_set_str(&d->model, m->model) |
		  hist_set_str(&d->error, m->error) | hist_set_str(&d->note, m->note) |
		  hist_set_str(&d->tool_call_id, m->tool_call_id) |
		  hist_set_str(&d->tool_name, m->tool_name) |
		  hist_set_str(&d->provider_items, m->provider_items);
	if (!bad && m->natt && !(d->att = calloc(m->natt, sizeof *d->att)))
		bad = 1;
	for (size_t i = 0; !bad && i < m->natt; i++, d->natt++) {
		d->att[i] = m->att[i];
		d->att[i].name = d->att[i].media_type = NULL;
		bad = hist_set_str(&d->att[i].name, m->att[i].name) |
		      hist_set_str(&d->att[i].media_type, m->att[i].media_type);
	}
	if (!bad && m->ncalls && !(d->calls = calloc(m->ncalls, sizeof *d->calls)))
		bad = 1;
	for (size_t i = 0; !bad && i < m->ncalls; i++, d->ncalls++)
		bad = hist_set_str(&d->calls[i].id, m->calls[i].id) |
		      hist_set_str(&d->calls[i].name, m->calls[i].name) |
		      hist_set_str(&d->calls[i].args, m->calls[i].args) |
		      hist_set_str(&d->calls[i].sig, m->calls[i].sig);
	return bad ? -1 : 0;
}

int hist_conv_dup(struct hist_conv *d, const struct hist_conv *c)
{
	memset(d, 0, sizeof *d);
	d->version = c->version;
	memcpy(d->id, c->id, sizeof d->id);
	d->created = c->created;
	d->updated = c->updated;
	d->next_seq = c->next_seq;
	int bad = hist_set_str(&d->title, c->title) | hist_set_str(&d->model, c->model) |
		  hist_set_str(&d->system, c->system) | hist_set_str(&d->current, c->current);
	if (!bad && c->n && !(d->msgs = calloc(c->n, sizeof *d->msgs)))
		bad = 1;
	d->cap = d->msgs ? c->n : 0;
	for (size_t i = 0; !bad && i < c->n; i++) {
		bad = msg_dup(&d->msgs[i], &c->msgs[i]) < 0;
		d->n = i + 1; /* so a half-copied message is freed too */
	}
	if (bad) {
		hist_conv_free(d);
		return -1;
	}
	return 0;
}

void hist_conv_free(struct hist_conv *c)
{
	for (size_t i = 0; i < c->n; i++)
		hist_msg_free(&c->msgs[i]);
	free(c->msgs);
	free(c->title);
	free(c->model);
	free(c->system);
	free(c->current);
	hist_index_free(c);
	memset(c, 0, sizeof *c);
}

static int grow(struct hist_conv *c)
{
	if (c->n < c->cap)
		return 0;
	size_t cap = c->cap ? c->cap * 2 : 8;
	struct hist_msg *m = realloc(c->msgs, cap * sizeof *m);
	if (!m)
		return -1;
	c->msgs = m;
	c->cap = cap;
	return 0;
}

struct hist_msg *hist_add(struct hist_conv *c, const char *parent, const char *role,
			  const char *content, double now)
{
	if (!role || !content || (parent && hist_index_of(c, parent) == HIST_NONE) || grow(c) < 0)
		return NULL;
	char id[32];
	/* A loaded file may use any ids: skip the ones taken. */
	do
		snprintf(id, sizeof id, "m%u", c->next_seq++);
	while (hist_find(c, id));
	struct hist_msg *m = &c->msgs[c->n];
	memset(m, 0, sizeof *m);
	m->usage = (struct hist_usage){-1, -1, -1, -1};
	m->ttft = -1;
	m->created = m->updated = now;
	m->status = HIST_COMPLETE;
	if (hist_set_str(&m->id, id) < 0 || hist_set_str(&m->parent, parent) < 0 ||
	    hist_set_str(&m->role, role) < 0 || hist_set_str(&m->content, content) < 0 ||
	    hist_set_str(&c->current, id) < 0) {
		hist_msg_free(m);
		return NULL;
	}
	c->n++;
	c->updated = now;
	if (hist_index_push(c) < 0)
		hist_index_free(c); /* lookups scan; the next hist_add tries again */
	return m;
}

/* Whether message i is root or below it, known for every message on the way up too:
 * st[k] is 0 while not known, 1 below root (or root), 2 not; path holds the way up
 * (room for n + 1). Each message is walked once over all the calls. A cycle, or a parent
 * that is not there, ends the way: not below root. */
static int under(const struct hist_conv *c, size_t i, unsigned char *st, size_t *path)
{
	size_t n = 0, at = i;
	unsigned char v = 2;
	for (size_t steps = 0; steps <= c->n; steps++) {
		if (st[at]) {
			v = st[at];
			break;
		}
		path[n++] = at;
		size_t p = c->msgs[at].parent ? hist_index_of(c, c->msgs[at].parent) : HIST_NONE;
		if (p == HIST_NONE)
			break;
		at = p;
	}
	for (size_t k = 0; k < n; k++)
		st[path[k]] = v;
	return v == 1;
}

/* The id of the newest leaf from message `to` down, taking the newest child (the last in
 * msgs) at each step; newest[k] is message k's newest child (HIST_NONE: none). */
static const char *newest_leaf(const struct hist_conv *c, const char *to, const size_t *newest)
{
	size_t at = hist_index_of(c, to);
	for (size_t steps = 0; at != HIST_NONE && newest[at] != HIST_NONE && steps < c->n; steps++)
		at = newest[at];
	return at == HIST_NONE ? to : c->msgs[at].id;
}

int hist_delete_subtree(struct hist_conv *c, size_t root)
{
	if (root >= c->n)
		return 0;
	char *parent = c->msgs[root].parent ? strdup(c->msgs[root].parent) : NULL;
	unsigned char *gone = calloc(c->n, 1);
	size_t *path = malloc((c->n + 1) * sizeof *path);
	if (!gone || !path || (c->msgs[root].parent && !parent)) {
		free(gone);
		free(path);
		free(parent);
		return -1;
	}
	gone[root] = 1;
	int current_gone = 0;
	for (size_t i = 0; i < c->n; i++)
		current_gone |= under(c, i, gone, path) && c->current && !strcmp(c->msgs[i].id, c->current);
	size_t k = 0, removed = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (gone[i] == 1) {
			hist_msg_free(&c->msgs[i]);
			removed++;
		} else {
			c->msgs[k++] = c->msgs[i];
		}
	}
	c->n = k;
	free(gone);
	/* the messages moved: the id index is made again (on failure lookups scan) */
	hist_reindex(c);
	if (current_gone) {
		/* The newest message left under the same parent, then its newest children
		 * down to a leaf; else the parent itself (NULL: nothing is left). */
		const char *to = parent;
		for (size_t i = c->n; i-- > 0;)
			if (c->msgs[i].parent && parent ? !strcmp(c->msgs[i].parent, parent) :
			    !c->msgs[i].parent && !parent) {
				to = c->msgs[i].id;
				break;
			}
		/* each message's newest child, for the way down (path has room for it) */
		for (size_t i = 0; i < c->n; i++)
			path[i] = HIST_NONE;
		for (size_t i = 0; i < c->n; i++) {
			size_t p = c->msgs[i].parent ? hist_index_of(c, c->msgs[i].parent) : HIST_NONE;
			if (p != HIST_NONE)
				path[p] = i;
		}
		if (to)
			to = newest_leaf(c, to, path);
		if (hist_set_str(&c->current, to) < 0) {
			free(path);
			free(parent);
			return -1;
		}
	}
	free(path);
	free(parent);
	return (int)removed;
}

int hist_branch(const struct hist_conv *c, size_t **idx, size_t *n)
{
	*idx = NULL;
	*n = 0;
	if (!c->current || !c->n)
		return 0;
	size_t *v = malloc(c->n * sizeof *v);
	if (!v)
		return -1;
	size_t k = 0;
	/* At most c->n steps, so even an (unvalidated) cycle cannot loop forever. */
	for (size_t i = hist_index_of(c, c->current); i != HIST_NONE && k < c->n;
	     i = hist_parent_of(c, i))
		v[k++] = i;
	for (size_t i = 0; i < k / 2; i++) {
		size_t t = v[i];
		v[i] = v[k - 1 - i];
		v[k - 1 - i] = t;
	}
	*idx = v;
	*n = k;
	return 0;
}

/* ---- writing ---- */

static int set_new(json_t *obj, const char *key, json_t *v)
{
	return v ? json_object_set_new(obj, key, v) : -1;
}

static int set_str(json_t *obj, const char *key, const char *s)
{
	return set_new(obj, key, s ? json_string(s) : json_null());
}

static int set_time(json_t *obj, const char *key, double t)
{
	char b[32];
	hist_format_time(t, b);
	return set_new(obj, key, json_string(b));
}

static int set_long(json_t *obj, const char *key, long v)
{
	return set_new(obj, key, v < 0 ? json_null() : json_integer(v));
}

json_t *hist_msg_json(const struct hist_msg *m)
{
	json_t *o = json_object(), *u = json_object();
	if (!o || !u)
		goto fail;
	int bad = set_str(o, "id", m->id) | set_str(o, "parent", m->parent) |
		  set_str(o, "role", m->role) | set_str(o, "content", m->content) |
		  set_str(o, "reasoning", m->reasoning) | set_str(o, "provider", m->provider) |
		  set_str(o, "model", m->model) | set_time(o, "created", m->created) |
		  set_time(o, "updated", m->updated) |
		  set_str(o, "status", hist_status_name(m->status)) |
		  set_str(o, "error", m->error) |
		  /* only when there is one: files without notes stay as they were */
		  (m->note ? set_str(o, "note", m->note) : 0) |
		  set_new(o, "ttft", m->ttft < 0 ? json_null() :
			  json_real(round(m->ttft * 1000.0) / 1000.0)) |
		  set_long(u, "input", m->usage.input) | set_long(u, "output", m->usage.output) |
		  set_long(u, "reasoning", m->usage.reasoning) |
		  set_long(u, "cached", m->usage.cached);
	if (bad || json_object_set(o, "usage", u) < 0 ||
	    (m->context_break && set_new(o, "context_break", json_true())) ||
	    (m->best && set_new(o, "best", json_true())))
		goto fail;
	json_decref(u);
	if (m->natt) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < m->natt; i++) {
			const struct hist_att *a = &m->att[i];
			if (json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I}", "sha256", a->sha256,
								 "name", a->name, "media_type",
								 a->media_type, "size",
								 (json_int_t)a->size)) < 0) {
				json_decref(arr);
				arr = NULL;
			}
		}
		if (set_new(o, "attachments", arr)) {
			json_decref(o);
			return NULL;
		}
	}
	if (hist_tools_json(m, o) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
fail:
	json_decref(u);
	json_decref(o);
	return NULL;
}

json_t *hist_to_tree(const struct hist_conv *c)
{
	json_t *root = json_object(), *msgs = json_array();
	if (!root || !msgs)
		goto fail;
	int version = 1;
	for (size_t i = 0; i < c->n; i++)
		if (c->msgs[i].context_break)
			version = 2;
	if (hist_has_tools(c))
		version = 3;
	if (set_new(root, "version", json_integer(version)) | set_str(root, "id", c->id) |
	    set_str(root, "title", c->title) | set_time(root, "created", c->created) |
	    set_time(root, "updated", c->updated) | set_str(root, "model", c->model) |
	    set_str(root, "system", c->system) | set_str(root, "current", c->current))
		goto fail;
	for (size_t i = 0; i < c->n; i++)
		if (json_array_append_new(msgs, hist_msg_json(&c->msgs[i])) < 0)
			goto fail;
	if (json_object_set_new(root, "messages", msgs) < 0) {
		msgs = NULL; /* the call took it */
		goto fail;
	}
	return root;
fail:
	json_decref(msgs);
	json_decref(root);
	return NULL;
}

int hist_tree_dump(const json_t *root, struct buf *out)
{
	/* One pass, into our buffer (json_dumpb's measuring pass cost as much as the dump;
	 * a json_dumps string would need jansson's own free, which main replaces with a
	 * wiping allocator). */
	size_t from = out->len;
	if (jsonmem_dump(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER, out) < 0 ||
	    sanitize_json_c1(out, from) < 0 || buf_append_char(out, '\n') < 0) {
		out->len = from;
		return -1;
	}
	return 0;
}

int hist_to_json(const struct hist_conv *c, struct buf *out)
{
	json_t *root = hist_to_tree(c);
	int rc = root ? hist_tree_dump(root, out) : -1;
	json_decref(root);
	return rc;
}

/* ---- reading ---- */

struct rd {
	struct err *e;
	int newer;
	int oom; /* the failure was memory's, not the file's */
};

static int bad(struct rd *r, const char *fmt, const char *what)
{
	err_set(r->e, EXIT_FAIL, fmt, what);
	return -1;
}

static int nomem(struct rd *r)
{
	r->oom = 1;
	err_set(r->e, EXIT_FAIL, "out of memory");
	return -1;
}

/* A string or null (or missing when optional). */
static int get_str(struct rd *r, json_t *obj, const char *key, int required, char **dst)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return bad(r, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v))
		return bad(r, "\"%s\" is not a string", key);
	if (!(*dst = strdup(json_string_value(v))))
		return nomem(r);
	return 0;
}

static int get_time(struct rd *r, json_t *obj, const char *key, double *dst)
{
	json_t *v = json_object_get(obj, key);
	*dst = 0;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_number(v)) { /* tolerated: a hand-edited file with Unix seconds */
		*dst = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v) || hist_parse_time(json_string_value(v), dst) < 0)
		return bad(r, "\"%s\" is not a time like 2026-01-31T12:00:00Z", key);
	return 0;
}

static int get_long(struct rd *r, json_t *obj, const char *key, long *dst)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	*dst = -1;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > LONG_MAX)
		return bad(r, "usage \"%s\" is not a count", key);
	*dst = (long)json_integer_value(v);
	return 0;
}

/* "attachments": [{"sha256", "name", "media_type", "size"}], all required. */
static int read_attachments(struct rd *r, json_t *arr, struct hist_msg *m)
{
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return bad(r, "message %s has a bad \"attachments\"", m->id);
	size_t i;
	json_t *a;
	json_array_foreach(arr, i, a) {
		const char *sha = json_string_value(json_object_get(a, "sha256"));
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *type = json_string_value(json_object_get(a, "media_type"));
		json_t *size = json_object_get(a, "size");
		if (!hist_sha256_valid(sha) || !name || !type || !json_is_integer(size) ||
		    json_integer_value(size) < 0)
			return bad(r, "message %s has a bad attachment", m->id);
		if (hist_msg_attach(m, sha, name, type, (long long)json_integer_value(size)) < 0)
			return nomem(r);
	}
	return 0;
}

static int read_msg(struct rd *r, json_t *o, struct hist_msg *m)
{
	m->ttft = -1;
	m->usage = (struct hist_usage){-1, -1, -1, -1};
	if (!json_is_object(o))
		return bad(r, "a message is not an object%s", "");
	char *status = NULL;
	if (get_str(r, o, "id", 1, &m->id) < 0 || get_str(r, o, "parent", 0, &m->parent) < 0 ||
	    get_str(r, o, "role", 1, &m->role) < 0 ||
	    get_str(r, o, "content", 1, &m->content) < 0 ||
	    get_str(r, o, "reasoning", 0, &m->reasoning) < 0 ||
	    get_str(r, o, "provider", 0, &m->provider) < 0 ||
	    get_str(r, o, "model", 0, &m->model) < 0 ||
	    get_str(r, o, "error", 0, &m->error) < 0 ||
	    get_str(r, o, "note", 0, &m->note) < 0 ||
	    get_time(r, o, "created", &m->created) < 0 ||
	    get_time(r, o, "updated", &m->updated) < 0 ||
	    get_str(r, o, "status", 0, &status) < 0)
		goto fail;
	if (!m->id[0]) {
		free(status);
		return bad(r, "a message has an empty id%s", "");
	}
	int st = status ? hist_status_parse(status) : HIST_COMPLETE;
	free(status);
	if (st < 0) {
		/* A newer cherry may know more statuses; an older file never has them. */
		if (!r->newer)
			return bad(r, "message %s has an unknown status", m->id);
		st = HIST_INTERRUPTED;
	}
	m->status = (enum hist_status)st;
	json_t *t = json_object_get(o, "ttft");
	if (t && !json_is_null(t)) {
		if (!json_is_number(t) || json_number_value(t) < 0)
			return bad(r, "message %s has a bad \"ttft\"", m->id);
		m->ttft = json_number_value(t);
	}
	static const char *const flags[] = {"context_break", "best"};
	static const char *const why[] = {"message %s has a bad \"context_break\"",
					  "message %s has a bad \"best\""};
	int *flag[] = {&m->context_break, &m->best};
	for (size_t i = 0; i < 2; i++) {
		json_t *f = json_object_get(o, flags[i]);
		if (f && !json_is_boolean(f))
			return bad(r, why[i], m->id);
		*flag[i] = json_is_true(f);
	}
	if (read_attachments(r, json_object_get(o, "attachments"), m) < 0
	    || hist_tools_read(o, m, r->e, &r->oom) < 0)
		return -1;
	json_t *u = json_object_get(o, "usage");
	if (u && !json_is_null(u) && !json_is_object(u))
		return bad(r, "message %s has a bad \"usage\"", m->id);
	if (get_long(r, u, "input", &m->usage.input) < 0 ||
	    get_long(r, u, "output", &m->usage.output) < 0 ||
	    get_long(r, u, "reasoning", &m->usage.reasoning) < 0 ||
	    get_long(r, u, "cached", &m->usage.cached) < 0)
		return -1;
	return 0;
fail:
	return -1;
}

int hist_msg_read(json_t *o, int newer, struct hist_msg *m, struct err *e)
{
	struct rd r = {e, newer, 0};
	memset(m, 0, sizeof *m);
	return read_msg(&r, o, m);
}

/* Ids are unique, every parent exists and following parents from any message reaches a
 * root: one pass over the index, each message walked up once. */
static int check_tree(struct rd *r, struct hist_conv *c)
{
	int dup = hist_reindex(c);
	if (dup < 0)
		return nomem(r);
	unsigned char *state = calloc(c->n ? c->n : 1, 1); /* 0 new, 1 on this walk, 2 good */
	if (!state)
		return nomem(r);
	int rc = 0;
	for (size_t i = 0; !rc && dup && i < c->n; i++) {
		if (hist_index_of(c, c->msgs[i].id) != i)
			rc = bad(r, "message id %s is used twice", c->msgs[i].id);
	}
	for (size_t i = 0; !rc && i < c->n; i++) {
		size_t j = i;
		while (j != HIST_NONE && !state[j]) {
			state[j] = 1;
			size_t p = hist_parent_of(c, j);
			if (p == HIST_NONE && c->msgs[j].parent)
				rc = bad(r, "message %s has a parent that does not exist",
					 c->msgs[j].id);
			j = rc ? HIST_NONE : p;
		}
		if (!rc && j != HIST_NONE && state[j] == 1)
			rc = bad(r, "message %s is part of a cycle", c->msgs[i].id);
		for (j = i; j != HIST_NONE && state[j] == 1; j = hist_parent_of(c, j))
			state[j] = 2;
	}
	free(state);
	if (rc)
		return rc;
	if (c->current && !hist_find(c, c->current))
		return bad(r, "the current message %s does not exist", c->current);
	if (!c->current && c->n)
		return bad(r, "missing \"current\"%s", "");
	return 0;
}

static void set_next_seq(struct hist_conv *c)
{
	c->next_seq = 1;
	for (size_t i = 0; i < c->n; i++) {
		const char *id = c->msgs[i].id;
		if (id[0] == 'm' && id[1] >= '1' && id[1] <= '9') {
			char *end;
			unsigned long v = strtoul(id + 1, &end, 10);
			if (!*end && v < 0x7fffffffUL && v >= c->next_seq)
				c->next_seq = (unsigned)v + 1;
		}
	}
}

/* Reads the parsed root (NULL: je says why it did not parse; oom: memory ran out
 * reading it, so nothing read can be trusted) into c and releases it. */
static int from_root(json_t *root, const json_error_t *je, int oom, struct hist_conv *c,
		     struct err *e)
{
	struct rd r = {e, 0, 0};
	if (oom) {
		err_set(e, EXIT_FAIL, "out of memory");
		return HIST_LOAD_NOMEM;
	}
	if (!root) {
		err_set(e, EXIT_FAIL, "not valid JSON (line %d: %.200s)", je->line, je->text);
		return HIST_LOAD_CORRUPT;
	}
	if (!json_is_object(root)) {
		bad(&r, "not a conversation (no JSON object)%s", "");
		goto fail;
	}
	json_t *ver = json_object_get(root, "version");
	if (!json_is_integer(ver) || json_integer_value(ver) < 1) {
		bad(&r, "missing or bad \"version\"%s", "");
		goto fail;
	}
	r.newer = json_integer_value(ver) > HIST_FORMAT;
	c->version = r.newer ? HIST_FORMAT + 1 : (int)json_integer_value(ver);
	json_t *id = json_object_get(root, "id");
	if (!json_is_string(id) || !hist_id_valid(json_string_value(id))) {
		bad(&r, "missing or bad \"id\"%s", "");
		goto fail;
	}
	snprintf(c->id, sizeof c->id, "%s", json_string_value(id));
	if (get_str(&r, root, "title", 0, &c->title) < 0 ||
	    get_str(&r, root, "model", 0, &c->model) < 0 ||
	    get_str(&r, root, "system", 0, &c->system) < 0 ||
	    get_str(&r, root, "current", 0, &c->current) < 0 ||
	    get_time(&r, root, "created", &c->created) < 0 ||
	    get_time(&r, root, "updated", &c->updated) < 0)
		goto fail;
	json_t *msgs = json_object_get(root, "messages");
	if (!json_is_array(msgs)) {
		bad(&r, "missing \"messages\" array%s", "");
		goto fail;
	}
	size_t n = json_array_size(msgs);
	if (n) {
		c->msgs = calloc(n, sizeof *c->msgs);
		if (!c->msgs) {
			nomem(&r);
			goto fail;
		}
		c->cap = n;
	}
	for (size_t i = 0; i < n; i++) {
		/* the conversation's own reader: a failure memory caused is told apart */
		memset(&c->msgs[i], 0, sizeof c->msgs[i]);
		int rc = read_msg(&r, json_array_get(msgs, i), &c->msgs[i]);
		c->n = i + 1; /* so a half-read message is freed too */
		if (rc < 0)
			goto fail;
		/* Its copy is made: the parsed one goes now, so a long conversation is held
		 * about once in memory, not twice (null is a static singleton). */
		json_array_set_new(msgs, i, json_null());
	}
	if (check_tree(&r, c) < 0)
		goto fail;
	set_next_seq(c);
	json_decref(root);
	return r.newer ? HIST_LOAD_NEWER : HIST_LOAD_OK;
fail:
	json_decref(root);
	hist_conv_free(c);
	return r.oom ? HIST_LOAD_NOMEM : HIST_LOAD_CORRUPT;
}

int hist_from_json(const char *data, size_t len, struct hist_conv *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	json_error_t je;
	int oom;
	json_t *root = jsonmem_loadb(data, len, JSON_REJECT_DUPLICATES, &je, &oom);
	return from_root(root, &je, oom, c, e);
}

int hist_from_reader(hist_read_fn read, void *ctx, struct hist_conv *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	json_error_t je;
	int oom;
	json_t *root = jsonmem_load_callback(read, ctx, JSON_REJECT_DUPLICATES, &je, &oom);
	return from_root(root, &je, oom, c, e);
}

/* ---- titles ---- */

static int is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

int hist_make_title(const char *prompt, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)(prompt ? prompt : "");
	size_t len = strlen((const char *)p);
	while (*p && is_space(*p))
		p++, len--;
	struct buf b = BUF_INIT;
	size_t chars = 0;
	int space = 0, cut = 0;
	for (size_t i = 0; i < len && p[i] != '\n';) {
		if (is_space(p[i]) || p[i] < 0x20 || p[i] == 0x7f) {
			space = 1;
			i++;
			continue;
		}
		size_t sl = utf8_seq_len(p + i, len - i);
		if (chars >= HIST_TITLE_MAX) {
			cut = 1;
			break;
		}
		if (space && b.len && buf_append_char(&b, ' ') < 0)
			goto oom;
		space = 0;
		if (sl == 0) {
			if (buf_append_str(&b, "\xef\xbf\xbd") < 0)
				goto oom;
			i++;
		} else {
			if (buf_append(&b, p + i, sl) < 0)
				goto oom;
			i += sl;
		}
		chars++;
	}
	if (!b.len && buf_append_str(&b, "(untitled)") < 0)
		goto oom;
	if (cut && buf_append_str(&b, "...") < 0)
		goto oom;
	int rc = buf_append(out, b.data, b.len);
	buf_free(&b);
	return rc;
oom:
	buf_free(&b);
	return -1;
}
