/* test_alloc_torture: fails the Nth allocation, for every N, while the stream decoders
 * read recorded streams, conversations are loaded and saved, the vault is opened and
 * saved and the config is loaded. Each run must end whole or with a clear error line:
 * no crash, no leaked memory or descriptor, no torn or moved file, no silent loss.
 *
 * The hook needs no change to src/: the Makefile links this binary with
 * -Wl,--wrap=malloc,... so every allocation cherry's own code makes goes through the
 * __wrap_* functions below, and jansson is pointed at them with json_set_alloc_funcs.
 * Allocations inside libc (opendir, stdio) and libsodium's guarded memory are not
 * counted: they are not cherry's to handle. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "cherry/buf.h"
#include "cherry/config.h"
#include "cherry/history.h"
#include "cherry/histstore.h"
#include "cherry/jsonmem.h"
#include "cherry/ndjson.h"
#include "cherry/sse.h"
#include "cherry/vault.h"
#include "cherry/wire.h"

#include "harness.h"

/* ---- the hook ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static int armed;      /* count (and maybe fail) allocations */
static long fail_at;   /* the allocation to fail, counting from 0; -1: none */
static long seen;      /* allocations made since arming */
static long live;      /* blocks allocated and not yet freed while armed */

static int hook_fails(void)
{
	if (!armed)
		return 0;
	if (seen == fail_at)
		errno = ENOMEM; /* as malloc says it */
	return seen++ == fail_at;
}

void *__wrap_malloc(size_t n)
{
	if (hook_fails())
		return NULL;
	void *p = __real_malloc(n);
	if (p && armed)
		live++;
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (hook_fails())
		return NULL;
	void *p = __real_calloc(n, size);
	if (p && armed)
		live++;
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	if (hook_fails())
		return NULL;
	void *q = __real_realloc(p, n);
	if (q && !p && armed)
		live++;
	return q;
}

void __wrap_free(void *p)
{
	if (p && armed)
		live--;
	__real_free(p);
}

char *__wrap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = __wrap_malloc(n);
	return p ? memcpy(p, s, n) : NULL;
}

char *__wrap_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = __wrap_malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* One torture subject: setup puts the world in its starting state (unarmed), run does
 * the work (armed) and returns 0 when it completed or 1 when it failed with a clear
 * error, check looks at what run left (unarmed). */
struct subject {
	const char *name;
	void (*setup)(void *ctx);
	int (*run)(void *ctx);
	void (*check)(void *ctx, int completed);
	void *ctx;
};

/* Runs s with the Nth allocation failing for N = 0, 1, ... until a run makes fewer than
 * N + 1 allocations (that run failed nothing and must have completed). Returns how many
 * failure points were tried. */
static long torture(const struct subject *s)
{
	long n;
	for (n = 0; n < 1000000; n++) {
		if (s->setup)
			s->setup(s->ctx);
		int fds = open_fds();
		seen = 0;
		live = 0;
		fail_at = n;
		armed = 1;
		int r = s->run(s->ctx);
		armed = 0;
		long leaked = live;
		int fds_after = open_fds();
		if (leaked != 0)
			fail_msg("%s: %ld block(s) leaked when allocation %ld failed", s->name,
				 leaked, n);
		if (fds != fds_after)
			fail_msg("%s: %d descriptor(s) leaked when allocation %ld failed", s->name,
				 fds_after - fds, n);
		int failed_none = seen <= n;
		if (failed_none && r != 0)
			fail_msg("%s: failed with no allocation failing (%ld made)", s->name, seen);
		if (s->check)
			s->check(s->ctx, r == 0);
		if (failed_none)
			break;
	}
	print_message("# %s: %ld allocation failure points\n", s->name, n);
	assert_true(n > 0);
	return n;
}

/* A clear error: one non-empty line. */
static void assert_clear(const struct err *e, const char *what)
{
	if (!e->msg[0] || strchr(e->msg, '\n'))
		fail_msg("%s: no clear error line (\"%s\")", what, e->msg);
}

static int setup_hook(void **state)
{
	(void)state;
	/* jansson allocates through cherry's counter, whose malloc the link wraps; installed
	 * first, so every document is counted from its birth */
	jsonmem_install();
	return sodium_init() < 0 ? -1 : 0;
}

/* ---- stream decoders ---- */

struct stream_case {
	const char *name;
	enum wire_kind kind;
	int ndjson;
	char *bytes;
	size_t len;
	/* what the run saw: counted into fixed arrays, so the collector never allocates */
	char text[65536];
	size_t text_len;
	int overflow;
	struct wire_stream st;
	/* the first, complete run's results */
	char want[65536];
	size_t want_len;
	enum wire_finish want_finish;
	int have_want;
};

static void collect_text(void *ctx, const char *s, size_t len)
{
	struct stream_case *c = ctx;
	if (c->text_len + len > sizeof c->text) {
		c->overflow = 1;
		return;
	}
	memcpy(c->text + c->text_len, s, len);
	c->text_len += len;
}

static int on_event(void *ctx, const struct sse_event *ev)
{
	struct stream_case *c = ctx;
	struct wire_sink sink = {collect_text, collect_text, c};
	wire_stream_event(&c->st, ev->type, ev->data, ev->data_len, &sink);
	return c->st.failed;
}

static int on_line(void *ctx, const char *line, size_t len)
{
	struct stream_case *c = ctx;
	struct wire_sink sink = {collect_text, collect_text, c};
	wire_stream_event(&c->st, NULL, line, len, &sink);
	return c->st.failed;
}

/* Feeds the stream in 61-byte chunks, so lines are cut and the splitter buffers them. */
static int stream_run(void *ctx)
{
	struct stream_case *c = ctx;
	c->text_len = 0;
	c->overflow = 0;
	wire_stream_init(&c->st, c->kind, "torture");
	int rc = 0;
	struct sse_parser sp;
	struct ndjson_splitter ns;
	if (c->ndjson)
		ndjson_init(&ns, on_line, c);
	else
		sse_init(&sp, on_event, c);
	for (size_t off = 0; off < c->len && rc == 0; off += 61) {
		size_t k = c->len - off < 61 ? c->len - off : 61;
		rc = c->ndjson ? ndjson_feed(&ns, c->bytes + off, k) : sse_feed(&sp, c->bytes + off, k);
	}
	if (rc == 0) {
		if (c->ndjson)
			rc = ndjson_finish(&ns);
		else
			sse_finish(&sp);
	}
	if (c->ndjson)
		ndjson_free(&ns);
	else
		sse_free(&sp);
	int failed = rc < 0 || c->st.failed;
	if (c->st.failed && (!c->st.error.len || memchr(c->st.error.data, '\n', c->st.error.len)))
		fail_msg("%s: the stream failed without a one-line error", c->name);
	if (!failed) {
		if (!c->have_want) {
			memcpy(c->want, c->text, c->text_len);
			c->want_len = c->text_len;
			c->want_finish = c->st.finish;
		} else if (c->text_len != c->want_len || memcmp(c->text, c->want, c->want_len)
			   || c->st.finish != c->want_finish) {
			fail_msg("%s: allocation %ld failed and the answer changed without an "
				 "error (%zu bytes instead of %zu)",
				 c->name, fail_at, c->text_len, c->want_len);
		}
	}
	assert_false(c->overflow);
	wire_stream_free(&c->st);
	return failed;
}

static char *slurp(const char *path, size_t *len)
{
	char *p = harness_read_file(path, len);
	if (!p)
		fail_msg("cannot read %s", path);
	return p;
}

/* The complete answer first (no failure), then every failure point. */
static void torture_stream(struct stream_case *c)
{
	struct subject s = {c->name, NULL, stream_run, NULL, c};
	long saved = fail_at;
	fail_at = -1;
	armed = 0;
	c->have_want = 0;
	assert_int_equal(stream_run(c), 0);
	assert_true(c->want_len > 0 || c->want_finish != WIRE_FINISH_NONE);
	c->have_want = 1;
	fail_at = saved;
	torture(&s);
}

static void test_recorded_openai(void **state)
{
	(void)state;
	/* one of each shape: plain text, length cut, refusal, tool call, three choices */
	static const char *const names[] = {"e2aad469b71d", "4cc50a6135d2", "173417d55340",
					    "2018feb66ae1", "a491adda08c3"};
	const char *dir = getenv("CHERRY_FIXTURES");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[600];
		snprintf(path, sizeof path, "%s/recorded-openai/%s.sse",
			 dir && *dir ? dir : "tests/fixtures", names[i]);
		struct stream_case *c = calloc(1, sizeof *c);
		assert_non_null(c);
		c->name = names[i];
		c->kind = WIRE_OPENAI;
		c->bytes = slurp(path, &c->len);
		torture_stream(c);
		free(c->bytes);
		free(c);
	}
}

static void test_other_kinds(void **state)
{
	(void)state;
	static const char anthropic[] =
		"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
		"{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
		"\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n"
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
		"\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me see.\"}}\n\n"
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
		"\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
		"\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello, \"}}\n\n"
		"event: ping\ndata: {\"type\":\"ping\"}\n\n"
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,"
		"\"delta\":{\"type\":\"text_delta\",\"text\":\"w\xc3\xb6rld \xf0\x9f\x8d\x92\"}}\n\n"
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
		"\"end_turn\"},\"usage\":{\"output_tokens\":9}}\n\n"
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	static const char gemini[] =
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Cherries \"}],"
		"\"role\":\"model\"}}]}\r\n\r\n"
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"are red.\"}],"
		"\"role\":\"model\"},\"finishReason\":\"STOP\"}],\"usageMetadata\":"
		"{\"promptTokenCount\":4,\"candidatesTokenCount\":3}}\r\n\r\n";
	static const char ollama[] =
		"{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"One\"},"
		"\"done\":false}\n"
		"{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\" two\"},"
		"\"done\":false}\r\n"
		"{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
		"\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"eval_count\":2}";
	/* a broken UTF-8 byte takes the repair path */
	static const char broken[] =
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\xe9 ok\"}}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
		"data: [DONE]\n\n";
	struct {
		const char *name;
		enum wire_kind kind;
		int ndjson;
		const char *bytes;
		size_t len;
	} cases[] = {
		{"anthropic", WIRE_ANTHROPIC, 0, anthropic, sizeof anthropic - 1},
		{"gemini", WIRE_GEMINI, 0, gemini, sizeof gemini - 1},
		{"ollama", WIRE_OLLAMA, 1, ollama, sizeof ollama - 1},
		{"openai-broken-utf8", WIRE_OPENAI, 0, broken, sizeof broken - 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct stream_case *c = calloc(1, sizeof *c);
		assert_non_null(c);
		c->name = cases[i].name;
		c->kind = cases[i].kind;
		c->ndjson = cases[i].ndjson;
		c->bytes = (char *)cases[i].bytes;
		c->len = cases[i].len;
		torture_stream(c);
		free(c);
	}
}

/* ---- conversations ---- */

static int build_conv(struct hist_conv *c, const char *id)
{
	if (hist_conv_init(c, id, 1767225600.0) < 0)
		return -1;
	if (hist_set_str(&c->title, "A title with \xc3\xa9 and \"quotes\"") < 0
	    || hist_set_str(&c->system, "Be brief.") < 0
	    || hist_set_str(&c->model, "openai/gpt-4o") < 0)
		return -1;
	struct hist_msg *m = hist_add(c, NULL, "user", "What is a cherry?", 1767225601.0);
	if (!m)
		return -1;
	char parent[16];
	snprintf(parent, sizeof parent, "%s", m->id);
	m = hist_add(c, parent, "assistant", "A small red fruit \xf0\x9f\x8d\x92.", 1767225602.0);
	if (!m || hist_set_str(&m->provider, "openai") < 0 || hist_set_str(&m->model, "gpt-4o") < 0
	    || hist_set_str(&m->reasoning, "Think of fruit.") < 0)
		return -1;
	m->usage.input = 12;
	m->usage.output = 7;
	m = hist_add(c, parent, "assistant", "A stone fruit.", 1767225603.0);
	if (!m)
		return -1;
	m->status = HIST_ERROR;
	return hist_set_str(&m->error, "torture: 500 server error");
}

/* Builds a conversation, writes it to JSON, reads that back and writes it again. */
static int conv_run(void *ctx)
{
	const char *want = ctx;
	struct hist_conv c, d;
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct err e = {0, ""};
	int r = 1;
	memset(&d, 0, sizeof d);
	if (build_conv(&c, "tort0001") < 0 || hist_to_json(&c, &a) < 0)
		goto done;
	if (hist_from_json(a.data, a.len, &d, &e) != HIST_LOAD_OK) {
		assert_clear(&e, "hist_from_json");
		goto done;
	}
	if (hist_to_json(&d, &b) < 0)
		goto done;
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	if (want)
		assert_string_equal(a.data, want);
	r = 0;
done:
	hist_conv_free(&c);
	hist_conv_free(&d);
	buf_free(&a);
	buf_free(&b);
	return r;
}

static void test_history_codec(void **state)
{
	(void)state;
	struct hist_conv c;
	struct buf want = BUF_INIT;
	assert_int_equal(build_conv(&c, "tort0001"), 0);
	assert_int_equal(hist_to_json(&c, &want), 0);
	hist_conv_free(&c);
	struct subject s = {"history codec", NULL, conv_run, NULL, want.data};
	torture(&s);
	buf_free(&want);
}

struct store_case {
	struct testhome home;
	char data[300], cache[300], conv_dir[320], file[400];
	char *before;   /* the file as set up */
	size_t before_len;
	char *after;    /* the file a complete run writes */
	size_t after_len;
	int warned;     /* warning lines the store gave in this run */
};

static void store_warning(void *ctx, const char *line)
{
	struct store_case *sc = ctx;
	if (!line[0] || strchr(line, '\n'))
		fail_msg("histstore: a warning that is not one line: \"%s\"", line);
	sc->warned++;
}

static void store_setup(void *ctx)
{
	struct store_case *sc = ctx;
	struct err e = {0, ""};
	harness_rm_tree(sc->conv_dir);
	struct histstore s;
	assert_int_equal(histstore_open(&s, sc->data, sc->cache, NULL, NULL, &e), 0);
	struct hist_conv c;
	assert_int_equal(build_conv(&c, "tort0002"), 0);
	assert_int_equal(histstore_save(&s, &c, &e), 0);
	hist_conv_free(&c);
	histstore_close(&s);
	if (!sc->before)
		sc->before = slurp(sc->file, &sc->before_len);
}

/* Opens the store, loads the conversation under its lock, adds a message, saves it and
 * lists the store: what `cherry ask -c` and `cherry history list` do to the files. */
static int store_run(void *ctx)
{
	struct store_case *sc = ctx;
	struct err e = {0, ""};
	struct histstore s;
	struct hist_conv c;
	int fd = -1, r = 1;
	long pid = 0;
	memset(&c, 0, sizeof c);
	sc->warned = 0;
	if (histstore_open(&s, sc->data, sc->cache, store_warning, sc, &e) < 0) {
		assert_clear(&e, "histstore_open");
		return 1;
	}
	if (histstore_lock(&s, "tort0002", &fd, &pid, &e) != 0) {
		assert_clear(&e, "histstore_lock");
		goto done;
	}
	if (histstore_load(&s, "tort0002", 1, &c, &e) != HIST_LOAD_OK) {
		assert_clear(&e, "histstore_load");
		goto done;
	}
	struct hist_msg *m = hist_add(&c, c.current, "user", "And a plum?", 1767225700.0);
	if (!m) {
		err_set(&e, EXIT_FAIL, "out of memory");
		goto done;
	}
	if (histstore_save(&s, &c, &e) < 0) {
		assert_clear(&e, "histstore_save");
		goto done;
	}
	struct hist_entry *v = NULL;
	size_t n = 0;
	if (histstore_list(&s, &v, &n, &e) < 0) {
		assert_clear(&e, "histstore_list");
		goto done;
	}
	histstore_entries_free(v, n);
	/* a conversation that could not be read is left out with a warning line */
	if (n != 1 && !sc->warned)
		fail_msg("histstore: allocation %ld failed and the list shows %zu conversations, "
			 "without a warning", armed ? fail_at : -1, n);
	if (n != 1)
		goto done;
	r = 0;
done:
	hist_conv_free(&c);
	if (fd >= 0)
		histstore_unlock(&s, "tort0002", fd);
	histstore_close(&s);
	return r;
}

static void store_check(void *ctx, int completed)
{
	struct store_case *sc = ctx;
	char corrupt[400];
	snprintf(corrupt, sizeof corrupt, "%s/corrupt", sc->conv_dir);
	struct stat st;
	if (stat(corrupt, &st) == 0)
		fail_msg("histstore: allocation %ld failed and the conversation was moved to "
			 "corrupt/", fail_at);
	size_t len = 0;
	char *now = slurp(sc->file, &len);
	int is_before = len == sc->before_len && !memcmp(now, sc->before, len);
	if (completed && !sc->after) {
		sc->after = now;
		sc->after_len = len;
		now = NULL;
	} else if (completed) {
		if (len != sc->after_len || memcmp(now, sc->after, len))
			fail_msg("histstore: a completed save wrote other bytes (allocation %ld)",
				 fail_at);
	} else if (!is_before && !(sc->after && len == sc->after_len
				   && !memcmp(now, sc->after, len))) {
		fail_msg("histstore: allocation %ld failed and the file is neither the old nor "
			 "the new one (%zu bytes)", fail_at, len);
	}
	free(now);
	if (harness_count_hidden(sc->conv_dir) != 0)
		fail_msg("histstore: allocation %ld failed and a temp file was left", fail_at);
}

static void test_histstore(void **state)
{
	(void)state;
	struct store_case *sc = calloc(1, sizeof *sc);
	assert_non_null(sc);
	assert_int_equal(testhome_make(&sc->home), 0);
	snprintf(sc->data, sizeof sc->data, "%s/data/cherry", sc->home.root);
	snprintf(sc->cache, sizeof sc->cache, "%s/cache/cherry", sc->home.root);
	snprintf(sc->conv_dir, sizeof sc->conv_dir, "%s/conversations", sc->data);
	snprintf(sc->file, sizeof sc->file, "%s/tort0002.json", sc->conv_dir);
	/* a first complete run records the bytes a save writes */
	store_setup(sc);
	assert_int_equal(store_run(sc), 0);
	store_check(sc, 1);
	struct subject s = {"histstore load/save", store_setup, store_run, store_check, sc};
	torture(&s);
	free(sc->before);
	free(sc->after);
	testhome_remove(&sc->home);
	free(sc);
}

/* ---- the vault ---- */

static const struct vault_kdf weak = {1, 8};
static const char pass[] = "correct horse";

struct vault_case {
	struct testhome home;
	char dir[300], path[350];
	char *before;
	size_t before_len;
};

static void vault_setup(void *ctx)
{
	struct vault_case *vc = ctx;
	struct err e = {0, ""};
	if (vc->before) {
		/* the same starting bytes every time */
		FILE *f = fopen(vc->path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(vc->before, 1, vc->before_len, f), vc->before_len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	struct vault *v = vault_new(pass, strlen(pass), &weak, &e);
	assert_non_null(v);
	assert_int_equal(vault_set(v, "openai", "sk-torture-one", 14, 1767225600, &e), 0);
	assert_int_equal(vault_write_file(vc->path, v, &e), 0);
	vault_free(v);
	vc->before = slurp(vc->path, &vc->before_len);
}

/* What `cherry key set` does: read, parse, unlock, add a key, write. */
static int vault_run(void *ctx)
{
	struct vault_case *vc = ctx;
	struct err e = {0, ""};
	struct buf b = BUF_INIT;
	struct vault *v = NULL;
	struct vault_header h;
	int r = 1;
	if (vault_read_file(vc->path, &b, &e) != 0) {
		assert_clear(&e, "vault_read_file");
		goto done;
	}
	if (vault_parse((const unsigned char *)b.data, b.len, &vault_kdf_test_floor, &h, &e) < 0) {
		assert_clear(&e, "vault_parse");
		goto done;
	}
	int u = vault_unlock(&h, pass, strlen(pass), &v, &e);
	if (u == VAULT_WRONG_PASSPHRASE)
		fail_msg("vault: allocation %ld failed and the passphrase was called wrong",
			 fail_at);
	if (u < 0) {
		assert_clear(&e, "vault_unlock");
		goto done;
	}
	if (vault_set(v, "anthropic", "sk-ant-torture-two", 18, 1767225700, &e) < 0) {
		assert_clear(&e, "vault_set");
		goto done;
	}
	if (vault_write_file(vc->path, v, &e) < 0) {
		assert_clear(&e, "vault_write_file");
		goto done;
	}
	r = 0;
done:
	vault_free(v);
	buf_free(&b);
	return r;
}

static void vault_check(void *ctx, int completed)
{
	struct vault_case *vc = ctx;
	size_t len = 0;
	char *now = slurp(vc->path, &len);
	int same = len == vc->before_len && !memcmp(now, vc->before, len);
	if (!same) {
		/* then it must be the whole new vault, holding both keys */
		struct err e = {0, ""};
		struct vault_header h;
		struct vault *v = NULL;
		if (vault_parse((const unsigned char *)now, len, &vault_kdf_test_floor, &h, &e) < 0
		    || vault_unlock(&h, pass, strlen(pass), &v, &e) != 0)
			fail_msg("vault: allocation %ld failed and the file is torn: %s", fail_at,
				 e.msg);
		assert_non_null(vault_find(v, "openai"));
		assert_non_null(vault_find(v, "anthropic"));
		vault_free(v);
	} else if (completed) {
		fail_msg("vault: a completed save left the old file");
	}
	free(now);
	if (harness_count_hidden(vc->dir) != 0)
		fail_msg("vault: allocation %ld failed and a temp file was left", fail_at);
}

static void test_vault(void **state)
{
	(void)state;
	struct vault_case *vc = calloc(1, sizeof *vc);
	assert_non_null(vc);
	assert_int_equal(testhome_make(&vc->home), 0);
	snprintf(vc->dir, sizeof vc->dir, "%s/data/cherry", vc->home.root);
	assert_int_equal(mkdir(vc->dir, 0700), 0);
	snprintf(vc->path, sizeof vc->path, "%s/keys.vault", vc->dir);
	struct subject s = {"vault open/save", vault_setup, vault_run, vault_check, vc};
	torture(&s);
	free(vc->before);
	testhome_remove(&vc->home);
	free(vc);
}

/* ---- the config ---- */

static const char config_text[] =
	"{\n"
	"  \"default_model\": \"openai/gpt-4o-mini\",\n"
	"  \"favorites\": [\"openai/gpt-4o-mini\", \"anthropic/claude-sonnet-4-5\"],\n"
	"  \"providers\": {\n"
	"    \"work\": {\"kind\": \"openai\", \"base_url\": \"https://llm.example.com/v1\",\n"
	"             \"key_env\": \"WORK_LLM_KEY\", \"models\": [\"m1\", \"m2\"],\n"
	"             \"headers\": {\"X-Team\": \"a\"}},\n"
	"    \"box\": {\"kind\": \"ollama\", \"base_url\": \"http://127.0.0.1:11434\"},\n"
	"    \"openai\": {\"models\": [\"gpt-4.1\", \"o4-mini\"]}\n"
	"  },\n"
	"  \"assistants\": {\"coder\": {\"system\": \"Be careful.\", \"model\": "
	"\"anthropic/claude-sonnet-4-5\", \"temperature\": 0.2}},\n"
	"  \"keys\": {\"model_picker\": \"C-o\"},\n"
	"  \"ui\": {\"markdown\": true, \"show_reasoning\": true, \"sidebar\": true},\n"
	"  \"network\": {\"connect_timeout\": 15, \"stall_timeout\": 120, \"max_retries\": 2},\n"
	"  \"vault\": {\"passphrase_command\": \"pass show cherry\"},\n"
	"  \"telemetry\": {\"enabled\": false, \"endpoint\": null},\n"
	"  \"unknown_key\": 1\n"
	"}\n";

struct config_case {
	struct testhome home;
	char path[400];
	char want_model[128];
	int warnings;
};

static void count_warning(void *ctx, const char *line)
{
	struct config_case *cc = ctx;
	assert_null(strchr(line, '\n'));
	cc->warnings++;
}

static int config_run(void *ctx)
{
	struct config_case *cc = ctx;
	struct config c;
	struct err e = {0, ""};
	if (config_load(&c, cc->path, NULL, count_warning, cc, &e) < 0) {
		assert_clear(&e, "config_load");
		return 1;
	}
	if (!cc->want_model[0])
		snprintf(cc->want_model, sizeof cc->want_model, "%s", c.default_model);
	else
		assert_string_equal(c.default_model, cc->want_model);
	config_free(&c);
	return 0;
}

static void test_config(void **state)
{
	(void)state;
	struct config_case *cc = calloc(1, sizeof *cc);
	assert_non_null(cc);
	assert_int_equal(testhome_make(&cc->home), 0);
	assert_int_equal(testhome_write_config(&cc->home, config_text), 0);
	snprintf(cc->path, sizeof cc->path, "%s/config/cherry/config.json", cc->home.root);
	assert_int_equal(config_run(cc), 0);
	assert_string_equal(cc->want_model, "openai/gpt-4o-mini");
	struct subject s = {"config load", NULL, config_run, NULL, cc};
	torture(&s);
	testhome_remove(&cc->home);
	free(cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_openai),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_history_codec),
		cmocka_unit_test(test_histstore),
		cmocka_unit_test(test_vault),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, setup_hook, NULL);
}
