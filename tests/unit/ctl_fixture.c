/* ctl_fixture: the controller tests' world and "shell" (ctl_fixture.h says what each
 * part is for). */
#include "ctl_fixture.h"

static char root[512];
struct histstore store;
struct app app;
struct edit ed;
struct ctl C;
double now = 1000, wall = 1.7e9;

enum ctl_state state_now(void)
{
	return ST() ? ST()->state : C.state;
}

struct ctl_fixture_shell sh;

/* The catalogue the "shell" gives when a server is enabled: fake/echo and fake/rm. */
static struct tools_catalog cat;

static const char config_text[] =
	"{\"favorites\": [\"fo/a\", \"fo/b\"],"
	" \"providers\": {\"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:9\","
	"  \"key_env\": \"FAKE_OPENAI_KEY\", \"models\": [\"a\", \"b\","
	"  {\"id\": \"c\", \"vision\": false}]}},"
	" \"assistants\": {\"coder\": {\"system\": \"Be careful. Today is {{date}}.\","
	"  \"model\": \"fo/b\", \"temperature\": 0.25}},"
	" \"keys\": {\"copy\": \"M-y\"},"
	" \"prices\": {\"fo/a\": {\"input\": 1000, \"output\": 2000}},"
	" \"mcp_servers\": {\"fake\": {\"command\": \"/bin/true\"}},"
	" \"tools\": {\"max_rounds\": 2}}";

static int w_conv_new(void *ctx, struct chat **out, struct err *e)
{
	(void)ctx;
	return chat_new_alloc(&store, wall, out, e);
}

static int w_conv_open(void *ctx, const char *id, struct chat **out, struct err *e)
{
	(void)ctx;
	return chat_open_alloc(&store, id, out, e);
}

static void w_conv_close(void *ctx, struct chat *c)
{
	(void)ctx;
	chat_close_free(c);
}

static int w_conv_delete(void *ctx, struct chat *c, struct err *e)
{
	(void)ctx;
	return chat_delete(c, e);
}

static int w_conv_list(void *ctx, struct hist_entry **v, size_t *n, struct err *e)
{
	(void)ctx;
	sh.lists++;
	return histstore_list(&store, v, n, e);
}

static int w_list_refresh(void *ctx)
{
	(void)ctx;
	return fixture.list_refresh ? fixture.list_refresh() : -1;
}

static int w_conv_resolve(void *ctx, const char *p, char id[HIST_ID_MAX + 1], struct err *e)
{
	(void)ctx;
	return histstore_resolve(&store, p, id, e);
}

static const char *const models[] = {"fo/a", "fo/b", "fo/c", "fo/other-model"};

struct ctl_fixture fixture = {
	config_text, models, sizeof models / sizeof *models, NULL,
	"no API key for fo: set FAKE_OPENAI_KEY", CTL_KEY_OK, 30, 100, NULL, NULL,
};

static int w_has_key(void *ctx, const struct provider *p);

/* The fixture's list, and (as app_known_models does) the default models of a preset
 * whose key is at hand. */
static int w_models(void *ctx, char ***list, size_t *n)
{
	size_t extra = 0;
	const struct provider_list *pl = &app.cfg.providers;
	for (size_t i = 0; i < pl->n; i++)
		if (w_has_key(ctx, &pl->v[i]) == 1 && !pl->v[i].configured)
			extra += pl->v[i].ndefault_models;
	*n = 0;
	*list = calloc(fixture.nmodels + extra + 1, sizeof **list);
	for (size_t i = 0; i < fixture.nmodels; i++)
		(*list)[(*n)++] = strdup(fixture.models[i]);
	for (size_t i = 0; i < pl->n; i++)
		if (w_has_key(ctx, &pl->v[i]) == 1 && !pl->v[i].configured)
			for (size_t m = 0; m < pl->v[i].ndefault_models; m++) {
				char spec[256];
				snprintf(spec, sizeof spec, "%s/%s", pl->v[i].name,
					 pl->v[i].default_models[m]);
				(*list)[(*n)++] = strdup(spec);
			}
	return 0;
}

static void w_models_free(void *ctx, char **list, size_t n)
{
	(void)ctx;
	app_models_free(list, n);
}

static int w_resolve(void *ctx, const char *spec, struct provider **p, const char **m,
		     struct err *e)
{
	(void)ctx;
	return app_resolve_model(&app, spec, p, m, e);
}

static int w_has_env_key(void *ctx, const struct provider *p)
{
	(void)ctx;
	return sh.env_key && (!fixture.env_key_for || !strcmp(p->name, fixture.env_key_for));
}

/* The keyring's answer: the environment's; else none without a vault, not known while it
 * is locked, and the provider stored in it once unlocked. */
static int w_has_key(void *ctx, const struct provider *p)
{
	if (w_has_env_key(ctx, p))
		return 1;
	if (!sh.vault_exists)
		return 0;
	return sh.unlocked ? !strcmp(sh.stored_provider, p->name) : -1;
}

struct histsearch *search;

static int w_search_start(void *ctx, const char *text, struct err *e)
{
	(void)ctx;
	histsearch_free(search);
	search = histsearch_start(&store, text, e);
	return search ? 0 : -1;
}

/* One conversation per step, so that a test sees the search go on between events. */
static int w_search_step(void *ctx, size_t max_files, histsearch_fn fn, void *fn_ctx,
			 size_t *done, size_t *total)
{
	(void)ctx;
	(void)max_files;
	return search ? histsearch_step(search, 1, fn, fn_ctx, done, total) : 0;
}

static void w_search_stop(void *ctx)
{
	(void)ctx;
	histsearch_free(search);
	search = NULL;
}

static const struct ctl_world world = {
	NULL, w_conv_new, w_conv_open, w_conv_close, w_conv_delete, w_conv_list,
	w_conv_resolve, w_models, w_models_free, w_resolve, w_has_env_key,
	w_search_start, w_search_step, w_search_stop, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	w_list_refresh, .has_key = w_has_key,
};

/* Answers reactions as the shell would (without a transfer: a test ends streams). */
void shell(int r)
{
	while (r) {
		int next = 0;
		if (r & CTL_NEED_KEY) {
			sh.need_key++;
			struct err e;
			err_set(&e, EXIT_KEY, "%s", fixture.need_key_error);
			next |= ctl_key_result(&C, (enum ctl_key_result)sh.key_answer, &e, now, wall);
		}
		if (fixture.more)
			next |= fixture.more(r);
		if (r & CTL_UNLOCK) {
			sh.unlocks++;
			size_t len;
			const char *p = ctl_passphrase(&C, &len);
			snprintf(sh.passphrase, sizeof sh.passphrase, "%.*s", (int)len, p);
		}
		unsigned long ids[16];
		if (r & CTL_START)
			sh.started += (int)ctl_streams_to_start(&C, ids, 16);
		if (r & CTL_STOP)
			sh.stops += (int)ctl_streams_to_stop(&C, ids, 16);
		if (r & CTL_SAVE) {
			struct err e;
			err_clear(&e);
			sh.saves++;
			assert_int_equal(chat_save(C.shown, wall, &e), 0);
		}
		sh.copies += (r & CTL_COPY) != 0;
		sh.editors += (r & CTL_EDITOR) != 0;
		sh.exports += (r & CTL_EXPORT) != 0;
		sh.quits += (r & CTL_QUIT) != 0;
		if (r & CTL_TOOLS_START) {
			sh.tool_starts++;
			next |= ctl_tools_catalog(&C, &cat);
		}
		sh.always += (r & CTL_TOOL_ALWAYS) != 0;
		sh.tool_runs += (r & CTL_TOOL_RUN) != 0;
		sh.tool_stops += (r & CTL_TOOL_STOP) != 0;
		r = next;
	}
}

void key(const char *name)
{
	input_key k;
	if (input_key_parse(name, &k) < 0)
		fail_msg("no key named %s", name);
	now += 0.01;
	shell(ctl_key(&C, k, now, wall));
}

void type(const char *s)
{
	for (const char *p = s; *p; p++) {
		now += 0.001;
		shell(ctl_key(&C, (unsigned char)*p, now, wall));
	}
}

/* Types UTF-8 text one code point per key, as the terminal sends it. */
void type_text(const char *s)
{
	for (size_t off = 0, len = strlen(s); off < len;) {
		uint32_t cp;
		off += utf8_decode(s + off, len - off, &cp);
		now += 0.001;
		shell(ctl_key(&C, cp, now, wall));
	}
}

void paste(const char *text)
{
	shell(ctl_key(&C, INPUT_PASTE_START, now, wall));
	type(text);
	shell(ctl_key(&C, INPUT_PASTE_END, now, wall));
}

const char *input(void)
{
	size_t len;
	const char *s = edit_text(&ed, &len);
	return s ? s : "";
}

/* Every laid-out line of the chat joined by LF. */
const char *chat_text(void)
{
	static struct buf b;
	buf_reset(&b);
	for (size_t i = 0; i < view_lines(C.view); i++) {
		struct view_line vl;
		view_line(C.view, i, &vl);
		buf_append(&b, vl.s, vl.len);
		buf_append_char(&b, '\n');
	}
	return b.data ? b.data : "";
}

void on_chat(const char *s)
{
	if (!strstr(chat_text(), s))
		fail_msg("\"%s\" is not in the chat:\n%s", s, chat_text());
}

int setup(void **unused)
{
	(void)unused;
	const char *base = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/cherry-ctl-XXXXXX", base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(root))
		return -1;
	char data[600], cache[600];
	snprintf(data, sizeof data, "%s/data", root);
	snprintf(cache, sizeof cache, "%s/cache", root);
	struct err e;
	err_clear(&e);
	if (histstore_open(&store, data, cache, NULL, NULL, &e) < 0)
		return -1;
	memset(&app, 0, sizeof app);
	if (config_parse(&app.cfg, fixture.config, strlen(fixture.config), "config.json", NULL, NULL, NULL,
			 &e) < 0) {
		fprintf(stderr, "config: %s\n", e.msg);
		return -1;
	}
	memset(&sh, 0, sizeof sh);
	sh.key_answer = fixture.key_answer;
	edit_init(&ed, 10);
	if (ctl_init(&C, &app.cfg, &world, &ed, NULL, NULL) < 0)
		return -1;
	json_t *schema = json_pack("{s:s}", "type", "object");
	struct mcp_tool echo = {"echo", NULL, "Echoes", schema}, rm = {"rm", NULL, NULL, schema};
	if (tools_catalog_add(&cat, 0, "fake", &echo) < 0 || tools_catalog_add(&cat, 0, "fake", &rm) < 0)
		return -1;
	json_decref(schema);
	snprintf(C.today, sizeof C.today, "2026-12-02");
	struct ctl_start o = {0};
	int r = 0;
	if (ctl_begin(&C, &o, now, wall, &r, &e) < 0)
		return -1;
	shell(r);
	ctl_resize(&C, fixture.rows, fixture.cols);
	ctl_load_list(&C);
	return 0;
}

int teardown(void **unused)
{
	(void)unused;
	ctl_free(&C);
	tools_catalog_free(&cat);
	w_search_stop(NULL);
	edit_free(&ed);
	config_free(&app.cfg);
	histstore_close(&store);
	return harness_rm_tree(root);
}

/* Sends text and lets the answer stream in deltas, then end as complete. */
void exchange(const char *prompt, const char *answer)
{
	type_text(prompt);
	key("Enter");
	assert_non_null(ST());
	size_t half = strlen(answer) / 2;
	now += 0.1;
	ctl_delta(&C, LAST(), answer, half, 0, now, wall);
	ctl_delta(&C, LAST(), answer + half, strlen(answer) - half, 0, now, wall);
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.status = HIST_COMPLETE;
	o.usage = (struct wire_usage){12, 4, -1, -1};
	o.ttft = 0.1;
	o.rate = 40;
	shell(ctl_stream_end(&C, LAST(), &o, now, wall));
	assert_null(ST());
}

void end_id(unsigned long id, enum hist_status status, const char *error)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.status = status;
	if (error)
		err_set(&o.err, EXIT_NETWORK, "%s", error);
	o.usage = (struct wire_usage){-1, -1, -1, -1};
	o.ttft = -1;
	shell(ctl_stream_end(&C, id, &o, now, wall));
}

void end_stream(enum hist_status status, const char *error)
{
	end_id(LAST(), status, error);
}

/* ---- the tool loop ---- */

/* Stream id's answer asks for n calls (it goes on streaming). */
void calls_on(unsigned long id, const char *const *names, const char *const *args,
	      size_t n)
{
	static int seq;
	struct wire_stream ws;
	memset(&ws, 0, sizeof ws);
	ws.calls = calloc(n, sizeof *ws.calls);
	assert_non_null(ws.calls);
	ws.ncalls = ws.capcalls = n;
	for (size_t i = 0; i < n; i++) {
		char id_text[32];
		snprintf(id_text, sizeof id_text, "call_%d", ++seq);
		ws.calls[i].index = (int)i;
		ws.calls[i].id = strdup(id_text);
		ws.calls[i].name = strdup(names[i]);
		buf_append_str(&ws.calls[i].args, args[i]);
	}
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_calls(&C, id, &ws, wall, &e), 1);
	wire_stream_free(&ws);
}

/* The streaming answer asks for n calls, then ends complete. */
void answer_calls(const char *const *names, const char *const *args, size_t n)
{
	assert_non_null(ST());
	calls_on(LAST(), names, args, n);
	end_stream(HIST_COMPLETE, NULL);
}

/* The server "fake" on, a prompt, and an answer calling name with args. */
void ask_tool(const char *name, const char *args)
{
	if (!ctl_tools_enabled(&C, "fake")) {
		type("/tools fake on");
		key("Enter");
	}
	type("use a tool");
	key("Enter");
	answer_calls(&name, &args, 1);
}

/* A tool turn left behind by an action or a command ends (its call done, Esc). */
void leave_tool_turn(void)
{
	if (C.tools->running)
		shell(ctl_tool_done(&C, "done", 0, 0, now, wall));
	if (C.mode == MODE_TOOLS)
		key("Esc");
	if (ST())
		end_stream(HIST_COMPLETE, NULL);
}

/* The stream by the model it asks. */
struct ctl_stream *stream_of(const char *spec)
{
	for (size_t i = 0; i < C.nstreams; i++)
		if (!strcmp(C.streams[i]->spec, spec))
			return C.streams[i];
	fail_msg("no stream asks %s", spec);
	return NULL;
}

/* The index in the shown conversation of the message whose content is s. */
size_t msg_index(const char *s)
{
	for (size_t i = 0; i < C.shown->conv.n; i++)
		if (!strcmp(C.shown->conv.msgs[i].content, s))
			return i;
	fail_msg("no message \"%s\"", s);
	return 0;
}

/* Selects the view message showing conversation message i (M-s, then Up). */
void select_msg(size_t i)
{
	key("M-s");
	if (C.mode != MODE_SELECT)
		fail_msg("M-s did not select: %s", C.message);
	for (int k = 0; k < 20 && C.vmap[C.sel] != i; k++)
		key("Up");
	assert_int_equal(C.vmap[C.sel], i);
}
