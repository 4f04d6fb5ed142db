/* test_ctl: the client's controller, event by event, without a terminal or a network:
 * every action of every mode does what its help line says, slash commands, sending
 * through the key lookup (and the passphrase mode), streaming, stopping, timers,
 * resizing and scrolling. The world is a conversation store in a temporary directory,
 * a fixed model list and a config.json given as text; the "shell" here answers the
 * controller's reactions as tui.c would. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cherry/app.h"
#include "cherry/columns.h"
#include "cherry/commands.h"
#include "cherry/ctl.h"
#include "cherry/ctl_tools.h"
#include "cherry/utf8.h"

#include "harness.h"

static char root[512];
static struct histstore store;
static struct app app;
static struct edit ed;
static struct ctl C;
static double now = 1000, wall = 1.7e9;

/* The latest stream, and the state the status line speaks of. */
#define ST() (C.nstreams ? C.streams[C.nstreams - 1] : NULL)
#define LAST() (ST() ? ST()->id : 0ul)
static enum ctl_state state_now(void)
{
	return ST() ? ST()->state : C.state;
}

/* What the fake shell saw. */
static struct {
	int need_key, started, stops, saves, copies, editors, exports, quits, unlocks;
	int key_answer;         /* how CTL_NEED_KEY is answered */
	char passphrase[64];    /* what CTL_UNLOCK got */
	int env_key;            /* has_env_key's answer */
	int tool_starts, tool_runs, tool_stops, always; /* the tool loop's reactions */
} sh;

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
	return histstore_list(&store, v, n, e);
}

static int w_conv_resolve(void *ctx, const char *p, char id[HIST_ID_MAX + 1], struct err *e)
{
	(void)ctx;
	return histstore_resolve(&store, p, id, e);
}

static int w_models(void *ctx, char ***list, size_t *n)
{
	(void)ctx;
	static const char *const m[] = {"fo/a", "fo/b", "fo/c", "fo/other-model"};
	*n = sizeof m / sizeof *m;
	*list = calloc(*n, sizeof **list);
	for (size_t i = 0; i < *n; i++)
		(*list)[i] = strdup(m[i]);
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
	(void)p;
	return sh.env_key;
}

static struct histsearch *search;

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
};

/* Answers reactions as the shell would (without a transfer: a test ends streams). */
static void shell(int r)
{
	while (r) {
		int next = 0;
		if (r & CTL_NEED_KEY) {
			sh.need_key++;
			struct err e;
			err_set(&e, EXIT_KEY, "no API key for fo: set FAKE_OPENAI_KEY");
			next |= ctl_key_result(&C, (enum ctl_key_result)sh.key_answer, &e, now, wall);
		}
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

static void key(const char *name)
{
	input_key k;
	if (input_key_parse(name, &k) < 0)
		fail_msg("no key named %s", name);
	now += 0.01;
	shell(ctl_key(&C, k, now, wall));
}

static void type(const char *s)
{
	for (const char *p = s; *p; p++) {
		now += 0.001;
		shell(ctl_key(&C, (unsigned char)*p, now, wall));
	}
}

/* Types UTF-8 text one code point per key, as the terminal sends it. */
static void type_text(const char *s)
{
	for (size_t off = 0, len = strlen(s); off < len;) {
		uint32_t cp;
		off += utf8_decode(s + off, len - off, &cp);
		now += 0.001;
		shell(ctl_key(&C, cp, now, wall));
	}
}

static const char *input(void)
{
	size_t len;
	const char *s = edit_text(&ed, &len);
	return s ? s : "";
}

/* Every laid-out line of the chat joined by LF. */
static const char *chat_text(void)
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

static void on_chat(const char *s)
{
	if (!strstr(chat_text(), s))
		fail_msg("\"%s\" is not in the chat:\n%s", s, chat_text());
}

static int setup(void **unused)
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
	if (config_parse(&app.cfg, config_text, strlen(config_text), "config.json", NULL, NULL, NULL,
			 &e) < 0) {
		fprintf(stderr, "config: %s\n", e.msg);
		return -1;
	}
	memset(&sh, 0, sizeof sh);
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
	ctl_resize(&C, 30, 100);
	ctl_load_list(&C);
	return 0;
}

static int teardown(void **unused)
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
static void exchange(const char *prompt, const char *answer)
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

static void end_id(unsigned long id, enum hist_status status, const char *error)
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

static void end_stream(enum hist_status status, const char *error)
{
	end_id(LAST(), status, error);
}


/* ---- the tool loop ---- */

/* Stream id's answer asks for n calls (it goes on streaming). */
static void calls_on(unsigned long id, const char *const *names, const char *const *args,
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
static void answer_calls(const char *const *names, const char *const *args, size_t n)
{
	assert_non_null(ST());
	calls_on(LAST(), names, args, n);
	end_stream(HIST_COMPLETE, NULL);
}

/* The server "fake" on, a prompt, and an answer calling name with args. */
static void ask_tool(const char *name, const char *args)
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
static void leave_tool_turn(void)
{
	if (C.tools->running)
		shell(ctl_tool_done(&C, "done", 0, 0, now, wall));
	if (C.mode == MODE_TOOLS)
		key("Esc");
	if (ST())
		end_stream(HIST_COMPLETE, NULL);
}

/* The overlay's lines joined by LF. */
static const char *overlay_text(void)
{
	static struct buf b;
	buf_reset(&b);
	for (size_t i = 0; i < C.ov.nitems; i++)
		buf_printf(&b, "%s\n", C.ov.items[i]);
	return b.data ? b.data : "";
}

/* The last message of the shown conversation's branch. */
static const struct hist_msg *last_msg(int back)
{
	size_t *idx, n;
	assert_int_equal(chat_branch(C.shown, &idx, &n), 0);
	assert_true(n > (size_t)back);
	const struct hist_msg *m = &C.shown->conv.msgs[idx[n - 1 - (size_t)back]];
	free(idx);
	return m;
}

static void test_tools_allow_once(void **state)
{
	(void)state;
	type("/tools");
	key("Enter");
	on_chat("[off] fake");
	ask_tool("fake__echo", "{\"text\":\"hi\"}");
	assert_int_equal(sh.tool_starts, 1);
	assert_int_equal(ctl_tools_count(&C), 2);
	assert_int_equal(C.mode, MODE_TOOLS);
	assert_int_equal(C.ov.kind, CTL_OV_TOOL);
	assert_non_null(strstr(overlay_text(), "The model asks to run fake/echo"));
	assert_non_null(strstr(overlay_text(), "\"text\": \"hi\""));
	assert_int_equal(sh.tool_runs, 0); /* nothing runs before the answer */
	int started = sh.started;
	key("o");
	assert_int_equal(sh.tool_runs, 1);
	assert_true(C.tools->running);
	assert_string_equal(C.tools->run->tool, "echo");
	assert_string_equal(C.tools->run_args.data, "{\"text\":\"hi\"}");
	shell(ctl_tool_progress(&C, 2, 4, "half \x1b[2J way"));
	assert_non_null(strstr(overlay_text(), "Running fake/echo (call 1 of 1, round 1): 2 of 4"));
	now += 0.25;
	shell(ctl_tool_done(&C, "Echo: hi", 0, 0, now, wall));
	/* the result is saved, the next answer asked for */
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(sh.started, started + 1);
	assert_non_null(ST());
	const struct hist_msg *res = last_msg(1);
	assert_string_equal(res->role, "tool");
	assert_string_equal(res->content, "Echo: hi");
	assert_int_equal(res->tool_error, 0);
	/* its request carries the call, the result and the tools */
	struct provider *prov;
	struct wire_http req;
	memset(&req, 0, sizeof req);
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_request(&C, LAST(), &prov, &req, &e), 0);
	assert_non_null(strstr(req.body.data, "\"tool_calls\""));
	assert_non_null(strstr(req.body.data, "\"role\":\"tool\""));
	assert_non_null(strstr(req.body.data, "\"fake__rm\""));
	wire_http_free(&req);
	ctl_delta(&C, LAST(), "It said hi.", 11, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	assert_false(C.tools->active);
	/* folded: one line; F7 shows it whole */
	on_chat("\xe2\x9a\x99 fake/echo \xe2\x9c\x93 0.25 s");
	on_chat("Echo: hi");
	assert_null(strstr(chat_text(), "arguments:"));
	key("F7");
	on_chat("arguments:");
	on_chat("\"text\": \"hi\"");
	key("F7");
	assert_null(strstr(chat_text(), "arguments:"));
	/* Enter on the selected result unfolds that one */
	key("M-s");
	key("Up");
	key("Enter");
	assert_int_equal(C.mode, MODE_SELECT);
	on_chat("arguments:");
	key("Enter");
	assert_null(strstr(chat_text(), "arguments:"));
	key("Esc");
	/* once was for that call: the next one is asked again */
	ask_tool("fake__echo", "{}");
	assert_int_equal(C.mode, MODE_TOOLS);
}

static void test_tools_deny_and_stop(void **state)
{
	(void)state;
	ask_tool("fake__rm", "{\"path\":\"/\"}");
	int started = sh.started;
	key("d");
	assert_int_equal(sh.tool_runs, 0);
	const struct hist_msg *res = last_msg(1);
	assert_string_equal(res->content, "The call was not run: the user denied it.");
	assert_int_equal(res->tool_error, 1);
	assert_int_equal(sh.started, started + 1); /* the model is told */
	end_stream(HIST_COMPLETE, NULL);
	on_chat("\xe2\x9a\x99 fake/rm \xe2\x9c\x97");
	/* two calls, Esc at the first: neither runs, no answer follows */
	type("two");
	key("Enter");
	const char *names[] = {"fake__rm", "fake__echo"}, *args[] = {"{}", "{}"};
	answer_calls(names, args, 2);
	started = sh.started;
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(sh.tool_runs, 0);
	assert_int_equal(sh.started, started);
	assert_null(ST());
	assert_false(C.tools->active);
	assert_string_equal(last_msg(0)->content, "The call was not run: the user stopped the turn.");
	assert_string_equal(last_msg(1)->content, "The call was not run: the user stopped the turn.");
	assert_non_null(strstr(C.message, "stopped"));
	/* Esc while a call runs: it is stopped (the shell answers), the rest not run */
	type("three");
	key("Enter");
	answer_calls(names, args, 2);
	key("o");
	assert_int_equal(sh.tool_runs, 1);
	key("Esc");
	assert_int_equal(sh.tool_stops, 1);
	started = sh.started;
	shell(ctl_tool_done(&C, "The call was stopped by the user.", 1, 0, now, wall));
	assert_false(C.tools->active);
	assert_int_equal(sh.started, started);
	assert_string_equal(last_msg(0)->content, "The call was not run: the user stopped the turn.");
	/* a call to a tool nobody offers is answered without asking */
	type("four");
	key("Enter");
	const char *none = "nope", *noargs = "{}";
	answer_calls(&none, &noargs, 1);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(last_msg(1)->content, "error: there is no tool named nope");
	assert_non_null(ST());
	end_stream(HIST_COMPLETE, NULL);
}

static void test_tools_conversation_always_rounds(void **state)
{
	(void)state;
	ask_tool("fake__echo", "{}");
	key("t"); /* this tool, for this conversation */
	assert_int_equal(sh.tool_runs, 1);
	shell(ctl_tool_done(&C, "ok", 0, 0, now, wall));
	/* round 2 of the turn: allowed, it runs without asking */
	const char *name = "fake__echo", *args = "{}";
	answer_calls(&name, &args, 1);
	assert_int_equal(sh.tool_runs, 2);
	shell(ctl_tool_done(&C, "ok", 0, 0, now, wall));
	/* round 3: past tools.max_rounds (2), its calls are not run */
	int started = sh.started;
	answer_calls(&name, &args, 1);
	assert_int_equal(sh.tool_runs, 2);
	assert_int_equal(sh.started, started);
	assert_false(C.tools->active);
	on_chat("stopped after 2 rounds");
	/* "always": the shell saves it, the call runs */
	const char *rm = "fake__rm";
	type("again");
	key("Enter");
	answer_calls(&rm, &args, 1);
	assert_int_equal(C.mode, MODE_TOOLS);
	key("a");
	assert_int_equal(sh.always, 1);
	assert_string_equal(C.tools->always->tool, "rm");
	assert_int_equal(sh.tool_runs, 3);
	shell(ctl_tool_done(&C, "removed", 0, 0, now, wall));
	end_stream(HIST_COMPLETE, NULL);
	/* another conversation has its own servers: none */
	key("C-n");
	assert_int_equal(ctl_tools_count(&C), 0);
	type("/tools fake off");
	key("Enter");
	assert_false(ctl_tools_enabled(&C, "fake"));
	type("/tools nosuch on");
	key("Enter");
	assert_non_null(strstr(C.message, "no MCP server named"));
}

/* Two models asked at once, both calling tools: the first answer's calls are asked
 * about, the other's are not run meanwhile. */
static void test_tools_one_turn_at_a_time(void **state)
{
	(void)state;
	type("/tools fake on");
	key("Enter");
	type("@fo/a @fo/b both");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	unsigned long first = C.streams[0]->id, second = C.streams[1]->id;
	const char *name = "fake__echo", *args = "{}";
	calls_on(first, &name, &args, 1);
	end_id(first, HIST_COMPLETE, NULL);
	assert_int_equal(C.mode, MODE_TOOLS);
	calls_on(second, &name, &args, 1);
	end_id(second, HIST_COMPLETE, NULL);
	assert_non_null(strstr(C.message, "one tool turn at a time"));
	assert_int_equal(C.mode, MODE_TOOLS);
	key("o");
	shell(ctl_tool_done(&C, "ok", 0, 0, now, wall));
	assert_int_equal(C.nstreams, 1); /* the first model answers again */
	end_stream(HIST_COMPLETE, NULL);
	assert_false(C.tools->active);
}

/* ---- the chat ---- */

static void test_first_model_is_first_favourite(void **state)
{
	(void)state;
	assert_string_equal(C.model, "fo/a");
	assert_int_equal(C.fav_index, 0);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(state_now(), CTL_IDLE);
}

static void test_send_streams_and_saves(void **state)
{
	(void)state;
	type("hello there");
	assert_string_equal(input(), "hello there");
	key("Enter");
	assert_int_equal(sh.need_key, 1);
	assert_int_equal(sh.started, 1);
	assert_true(sh.saves >= 1);
	assert_string_equal(input(), "");
	assert_int_equal(state_now(), CTL_CONNECTING);
	assert_int_equal(C.shown->conv.n, 2);
	assert_true(C.shown->on_disk);
	/* the request carries the prompt */
	struct provider *p;
	struct wire_http req;
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_request(&C, LAST(), &p, &req, &e), 0);
	assert_non_null(strstr(req.body.data, "hello there"));
	assert_non_null(strstr(req.body.data, "\"a\""));
	wire_http_free(&req);
	ctl_delta(&C, LAST(), "Thinking", 8, 1, now, wall);
	assert_int_equal(state_now(), CTL_THINKING);
	ctl_delta(&C, LAST(), "Hi!", 3, 0, now + 0.5, wall);
	assert_int_equal(state_now(), CTL_STREAMING);
	on_chat("Hi!");
	on_chat("you");
	end_stream(HIST_COMPLETE, NULL);
	assert_int_equal(state_now(), CTL_IDLE);
	assert_string_equal(C.shown->conv.msgs[1].content, "Hi!");
	assert_int_equal(C.shown->conv.msgs[1].status, HIST_COMPLETE);
	assert_int_equal(C.nlist, 1);
}

static void test_send_needs_a_model(void **state)
{
	(void)state;
	C.model[0] = '\0';
	type("x");
	key("Enter");
	assert_int_equal(sh.need_key, 0);
	assert_non_null(strstr(C.message, "no model chosen"));
	assert_string_equal(input(), "x");
}

static void test_missing_key_keeps_input(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_MISSING;
	type("keep me");
	key("Enter");
	assert_int_equal(sh.started, 0);
	assert_string_equal(input(), "keep me");
	assert_int_equal(C.shown->conv.n, 0);
	assert_non_null(strstr(C.message, "FAKE_OPENAI_KEY"));
	on_chat("FAKE_OPENAI_KEY");
	assert_false(C.pending.active);
}

/* A message sent while the answer streams waits for it (issue 11, 8). */
static void test_queue_while_streaming(void **state)
{
	(void)state;
	type("one");
	key("Enter");
	type("two");
	key("Enter");
	assert_int_equal(sh.started, 1);
	assert_int_equal(C.nqueue, 1);
	assert_string_equal(input(), "");
	on_chat("you (queued)");
	type("three");
	key("Enter");
	assert_int_equal(C.nqueue, 2);
	/* the answer ends: the first queued message goes, then the second */
	ctl_delta(&C, LAST(), "first answer", 12, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	assert_int_equal(sh.started, 2);
	assert_int_equal(C.nqueue, 1);
	assert_string_equal(C.shown->conv.msgs[2].content, "two");
	end_stream(HIST_COMPLETE, NULL);
	assert_int_equal(sh.started, 3);
	assert_int_equal(C.nqueue, 0);
	assert_string_equal(C.shown->conv.msgs[4].content, "three");
	end_stream(HIST_COMPLETE, NULL);
	assert_null(strstr(chat_text(), "(queued)"));
	/* Esc on an empty input takes the queue back; Esc again stops the answer */
	type("four");
	key("Enter");
	type("five");
	key("Enter");
	assert_int_equal(C.nqueue, 1);
	key("Esc");
	assert_int_equal(C.nqueue, 0);
	assert_int_equal(sh.stops, 0);
	assert_string_equal(input(), "five");
	key("Esc");
	assert_int_equal(sh.stops, 1);
	/* an answer that does not complete gives the queue back to the input */
	key("C-u");
	type("six");
	key("Enter");
	end_stream(HIST_STOPPED, NULL);
	assert_int_equal(C.nqueue, 0);
	assert_string_equal(input(), "six");
	assert_int_equal(sh.started, 4);
}

static void test_esc_stops(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	ctl_delta(&C, LAST(), "part", 4, 0, now, wall);
	key("Esc");
	assert_int_equal(sh.stops, 1);
	assert_true(ST()->stop_requested);
	end_stream(HIST_STOPPED, NULL);
	assert_int_equal(state_now(), CTL_STOPPED);
	on_chat("[stopped]");
	assert_int_equal(C.shown->conv.msgs[1].status, HIST_STOPPED);
	/* Esc with nothing streaming clears a message */
	ctl_note(&C, "a note");
	key("Esc");
	assert_string_equal(C.message, "");
	/* a new conversation is idle: "stopped" was said of the one left */
	key("C-n");
	assert_int_equal(state_now(), CTL_IDLE);
	char w[64];
	assert_string_equal(ctl_state_word(&C, w, sizeof w), "idle");
}

static void test_esc_stops_from_overlay(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	key("F1");
	assert_int_equal(C.mode, MODE_HELP);
	key("Esc");
	assert_int_equal(sh.stops, 1);
}

static void test_error_footer_and_hint(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	end_stream(HIST_ERROR, "could not connect");
	assert_int_equal(state_now(), CTL_ERROR);
	on_chat("[error: could not connect");
	on_chat("F5 retries");
	/* the state says error; the line follows it once (issue 11, 6) */
	assert_string_equal(C.message, "could not connect");
	char tmp[64];
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "error");
	/* the next send's state comes without the old error */
	type("again");
	key("Enter");
	assert_int_equal(state_now(), CTL_CONNECTING);
	assert_string_equal(C.message, "");
}

static void test_model_picker(void **state)
{
	(void)state;
	key("C-o");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.kind, CTL_OV_MODELS);
	/* the known models first, then every preset's, naming the key each needs */
	assert_true(C.ov.nmatch > 4);
	assert_string_equal(C.ov.items[C.ov.match[C.ov.sel]], "fo/a");
	int needs = 0;
	for (size_t i = 4; i < C.ov.nmatch; i++)
		needs += strstr(C.ov.labels[C.ov.match[i]], "(needs OPENAI_API_KEY)") != NULL;
	assert_true(needs >= 3);
	type("fo/");
	assert_int_equal(C.ov.nmatch, 4);
	type("oth");
	assert_int_equal(C.ov.nmatch, 1);
	key("Backspace");
	key("Backspace");
	key("Backspace");
	assert_int_equal(C.ov.nmatch, 4);
	key("Down");
	key("Down");
	key("Up");
	assert_int_equal(C.ov.sel, 1);
	key("PgDn");
	assert_int_equal(C.ov.sel, 3);
	key("PgUp");
	assert_int_equal(C.ov.sel, 0);
	key("C-u");
	assert_int_equal(C.ov.filter.len, 0);
	type("fo/c");
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(C.model, "fo/c");
	/* Esc closes without choosing; a typed PROVIDER/MODEL is taken when nothing matches */
	key("C-o");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	key("C-o");
	type("fo/new-one");
	assert_int_equal(C.ov.nmatch, 0);
	key("Enter");
	assert_string_equal(C.model, "fo/new-one");
}

static void test_favourites(void **state)
{
	(void)state;
	key("F2");
	assert_string_equal(C.model, "fo/b");
	key("F2");
	assert_string_equal(C.model, "fo/a");
	key("S-F2");
	assert_string_equal(C.model, "fo/b");
}

static void test_new_conversation(void **state)
{
	(void)state;
	key("C-n");
	assert_non_null(strstr(C.message, "new conversation already"));
	exchange("first", "answer one");
	char first[HIST_ID_MAX + 1];
	snprintf(first, sizeof first, "%s", C.shown->conv.id);
	key("C-n");
	assert_string_not_equal(C.shown->conv.id, first);
	assert_int_equal(C.shown->conv.n, 0);
	/* the switcher lists the first and opens it */
	key("C-t");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.kind, CTL_OV_SWITCHER);
	assert_int_equal(C.ov.nmatch, 1);
	type("first");
	assert_int_equal(C.ov.nmatch, 1);
	key("Enter");
	assert_string_equal(C.shown->conv.id, first);
	on_chat("answer one");
}

static void test_list_mode(void **state)
{
	(void)state;
	exchange("alpha", "A");
	key("C-n");
	exchange("beta", "B");
	assert_int_equal(C.nlist, 2);
	assert_true(C.list_visible);
	key("M-l");
	assert_int_equal(C.mode, MODE_LIST);
	assert_int_equal(C.list_sel, 0);
	key("Down");
	assert_int_equal(C.list_sel, 1);
	key("Up");
	key("Down");
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	on_chat("alpha");
	key("M-l");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	/* from the list, F8 asks; n keeps it; y deletes and selects the neighbour */
	key("M-l");
	key("F8");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("n");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "not deleted"));
	assert_int_equal(C.nlist, 2);
	key("M-l");
	key("Delete");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("y");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.nlist, 1);
	assert_non_null(strstr(C.message, "deleted"));
	/* C-q works from the list */
	key("M-l");
	key("C-q");
	assert_int_equal(sh.quits, 1);
}

static void test_confirm_any_other_key_is_no(void **state)
{
	(void)state;
	exchange("keep", "kept");
	key("F8");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("x");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_true(C.shown->on_disk);
	key("F8");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_true(C.shown->on_disk);
}

static void test_delete_unsaved(void **state)
{
	(void)state;
	key("F8");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "not saved yet"));
}

static void test_toggle_list(void **state)
{
	(void)state;
	int w = C.chat_w;
	key("F3");
	assert_false(C.list_visible);
	assert_true(C.chat_w > w);
	key("F3");
	assert_true(C.list_visible);
	/* a narrow terminal hides it */
	ctl_resize(&C, 20, 60);
	assert_false(C.list_visible);
	key("M-l");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "hidden"));
}

static void test_retry_and_siblings(void **state)
{
	(void)state;
	key("F5");
	assert_non_null(strstr(C.message, "nothing to retry"));
	exchange("q", "first answer");
	key("F5");
	assert_int_equal(sh.started, 2);
	ctl_delta(&C, LAST(), "second answer", 13, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	on_chat("second answer");
	on_chat("fo/a (2/2)");
	key("M-,");
	on_chat("first answer");
	on_chat("(1/2)");
	key("M-,");
	assert_non_null(strstr(C.message, "first answer"));
	key("M-.");
	on_chat("second answer");
}

static void test_fold_reasoning(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	ctl_delta(&C, LAST(), "deep thoughts", 13, 1, now, wall);
	ctl_delta(&C, LAST(), "answer", 6, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	on_chat("deep thoughts");
	key("F4");
	assert_true(view_folded(C.view));
	assert_null(strstr(chat_text(), "deep thoughts"));
	key("F4");
	on_chat("deep thoughts");
}

static void test_rename(void **state)
{
	(void)state;
	exchange("a title", "x");
	key("F6");
	assert_string_equal(input(), "/rename a title");
	/* the title is selected: typing replaces it (issue 11, 4) */
	type("New name");
	assert_string_equal(input(), "/rename New name");
	key("Enter");
	assert_string_equal(C.shown->conv.title, "New name");
	assert_string_equal(C.list[0].title, "New name");
	assert_string_equal(input(), "");
}

static void test_copy_rebound(void **state)
{
	(void)state;
	key("M-y");
	assert_int_equal(sh.copies, 0);
	assert_non_null(strstr(C.message, "no answer"));
	exchange("q", "copy me");
	key("M-y");
	assert_int_equal(sh.copies, 1);
	assert_string_equal(C.out_text.data, "copy me");
	/* the default key was taken away by the rebinding */
	key("M-w");
	assert_int_equal(sh.copies, 1);
}

static void test_editor(void **state)
{
	(void)state;
	type("draft");
	key("C-x");
	assert_int_equal(sh.editors, 1);
	assert_string_equal(C.out_text.data, "draft");
	ctl_editor_done(&C, "edited\nlines\n\n", 14, NULL);
	assert_string_equal(input(), "edited\nlines");
	ctl_editor_done(&C, NULL, 0, "the editor failed; the input is unchanged");
	assert_string_equal(input(), "edited\nlines");
	assert_non_null(strstr(C.message, "editor failed"));
}

static void test_complete(void **state)
{
	(void)state;
	type("/mo");
	key("Tab");
	assert_string_equal(input(), "/model ");
	type("fo/ot");
	key("Tab");
	assert_string_equal(input(), "/model fo/other-model");
	key("C-u");
	type("/zz");
	key("Tab");
	assert_non_null(strstr(C.message, "no completion"));
}

/* ---- attachments (ctl_attach.c), with a shell that stores nothing ---- */

static int att_requests, att_releases;

static int w_attach_file(void *ctx, const char *path, struct ctl_chip *out, struct err *e)
{
	(void)ctx;
	if (!strcmp(path, "missing")) {
		err_set(e, EXIT_USAGE, "missing: no such file");
		return -1;
	}
	memset(out->sha256, 'a', 64);
	out->sha256[64] = '\0';
	out->name = strdup(path);
	out->media_type = strdup(strstr(path, ".png") ? "image/png" : "text/plain");
	out->size = 12345;
	return 0;
}

static int w_attach_complete(void *ctx, const char *word, char ***words, size_t *n)
{
	(void)ctx;
	static const char *const all[][3] = {{"my no", "my notes.txt", "my notes/"},
					     {"", "notes.txt", "sub/"},
					     {"sub/", "sub/x.png", "sub/y.c"}};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		if (!strcmp(word, all[i][0])) {
			*words = calloc(2, sizeof **words);
			(*words)[0] = strdup(all[i][1]);
			(*words)[1] = strdup(all[i][2]);
			*n = 2;
			return 0;
		}
	fail_msg("completion of an unexpected word \"%s\"", word);
	return -1;
}

static int w_attach_request(void *ctx, const struct chat *ch, struct wire_request *rq,
			    void **keep, struct err *e)
{
	(void)ctx;
	(void)rq;
	(void)e;
	att_requests++;
	*keep = ch->conv.msgs[0].natt ? &att_requests : NULL;
	return 0;
}

static void w_attach_release(void *keep)
{
	assert_ptr_equal(keep, &att_requests);
	att_releases++;
}

static void test_attach(void **state)
{
	(void)state;
	C.world.attach_file = w_attach_file;
	C.world.attach_complete = w_attach_complete;
	C.world.attach_request = w_attach_request;
	C.world.attach_release = w_attach_release;
	type("/attach build.log shot\\ 1.png");
	key("Enter");
	assert_int_equal(C.nchips, 2);
	assert_string_equal(C.chips[1].name, "shot 1.png");
	assert_string_equal(input(), "");
	struct buf chips = BUF_INIT;
	ctl_chips_text(&C, &chips);
	assert_string_equal(chips.data, "\xf0\x9f\x93\x8e build.log 12 KB \xc2\xb7 \xe2\x9c\x95  "
			    "\xf0\x9f\x93\x8e shot 1.png 12 KB \xc2\xb7 \xe2\x9c\x95");
	buf_free(&chips);
	/* a file that cannot be attached: one line, the command stays to correct it, and
	 * none of its files is attached */
	type("/attach other.c missing");
	key("Enter");
	assert_non_null(strstr(C.message, "missing: no such file"));
	assert_string_equal(input(), "/attach other.c missing");
	assert_int_equal(C.nchips, 2);
	key("C-u");
	/* Backspace on an empty input takes the last one back */
	key("Backspace");
	assert_int_equal(C.nchips, 1);
	assert_non_null(strstr(C.message, "removed"));
	/* Tab completes the path typed so far */
	type("/attach my\\ no");
	key("Tab");
	assert_string_equal(input(), "/attach my\\ notes");
	assert_non_null(strstr(C.message, "notes.txt"));
	key("C-u");
	/* a model config.json says cannot see gets no image: one line, nothing sent */
	type("/model fo/c");
	key("Enter");
	type("/attach pic.png");
	key("Enter");
	type("see");
	key("Enter");
	assert_non_null(strstr(C.message, "pic.png: fo/c cannot see images"));
	assert_string_equal(input(), "see");
	assert_null(ST());
	assert_int_equal(C.shown->conv.n, 0);
	key("C-u");
	key("Backspace");
	assert_int_equal(C.nchips, 1);
	type("/model fo/a");
	key("Enter");
	/* sent: the message refers to the file, the chat shows it under the message */
	type("look at this");
	key("Enter");
	assert_int_equal(C.nchips, 0);
	const struct hist_msg *u = &C.shown->conv.msgs[0];
	assert_int_equal(u->natt, 1);
	assert_string_equal(u->att[0].name, "build.log");
	assert_int_equal(u->att[0].size, 12345);
	on_chat("\xf0\x9f\x93\x8e build.log (text/plain, 12 KB)");
	/* the request asks the shell for the stored files and lets them go with the body */
	struct provider *p;
	struct wire_http req;
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_request(&C, LAST(), &p, &req, &e), 0);
	assert_int_equal(att_requests, 1);
	wire_http_free(&req);
	assert_int_equal(att_releases, 1);
	end_stream(HIST_COMPLETE, NULL);

	/* M-a: the chooser lists the directory, filters as you type, opens a directory */
	key("M-a");
	assert_int_equal(C.ov.kind, CTL_OV_FILES);
	assert_int_equal(C.ov.nitems, 3); /* ../ too */
	type("su");
	assert_int_equal(C.ov.nmatch, 1);
	key("Enter");
	assert_int_equal(C.ov.kind, CTL_OV_FILES);
	type("png");
	key("Enter");
	assert_int_equal(C.ov.kind, CTL_OV_NONE);
	assert_int_equal(C.nchips, 1);
	assert_string_equal(C.chips[0].name, "sub/x.png");
}

static int w_attach_text(void *ctx, const char *name, const char *text, size_t len,
			 struct ctl_chip *out, struct err *e)
{
	(void)ctx;
	(void)text;
	(void)e;
	memset(out->sha256, 'b', 64);
	out->sha256[64] = '\0';
	out->name = strdup(name);
	out->media_type = strdup("text/plain");
	out->size = (long long)len;
	return 0;
}

static int w_attach_exists(void *ctx, const char *path)
{
	(void)ctx;
	return !strcmp(path, "/some/file.c");
}

static void paste(const char *text)
{
	shell(ctl_key(&C, INPUT_PASTE_START, now, wall));
	type(text);
	shell(ctl_key(&C, INPUT_PASTE_END, now, wall));
}

/* A paste longer than ui.paste_attach_threshold (2,000 characters by default) is offered
 * as a text file: y makes it a chip and takes it out of the input, n keeps it. */
static void test_long_paste_offered(void **state)
{
	(void)state;
	C.world.attach_file = w_attach_file;
	C.world.attach_text = w_attach_text;
	static char big[2102];
	memset(big, 'x', sizeof big - 1);
	type("see: ");
	paste(big);
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("y");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.nchips, 1);
	assert_string_equal(C.chips[0].name, "pasted.txt");
	assert_int_equal(C.chips[0].size, 2101);
	assert_string_equal(input(), "see: ");
	paste(big);
	key("n");
	assert_int_equal(C.nchips, 1);
	assert_int_equal(strlen(input()), 5 + 2101);
	key("C-u");
	paste("short");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(input(), "short");
	/* a pasted path is offered alone, not inside a command being typed */
	C.world.attach_exists = w_attach_exists;
	key("C-u");
	paste("/some/file.c");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("n");
	key("C-u");
	type("/attach ");
	paste("/some/file.c");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(input(), "/attach /some/file.c");
}

static void test_scrolling(void **state)
{
	(void)state;
	type("q");
	key("Enter");
	for (int i = 0; i < 200; i++)
		ctl_delta(&C, LAST(), "line of text\n", 13, 0, now, wall);
	size_t total = view_lines(C.view);
	assert_true(C.follow);
	assert_int_equal(C.top_line, total - (size_t)C.chat_h);
	key("PgUp");
	assert_false(C.follow);
	assert_int_equal(C.top_line, total - (size_t)C.chat_h - (size_t)(C.chat_h - 1));
	ctl_delta(&C, LAST(), "more\n", 5, 0, now, wall);
	ctl_key(&C, INPUT_RESIZE, now, wall);
	assert_true(C.more_below);
	key("M-Home");
	assert_int_equal(C.top_line, 0);
	key("PgDn");
	assert_int_equal(C.top_line, (size_t)(C.chat_h - 1));
	ctl_key(&C, INPUT_WHEEL_DOWN, now, wall);
	assert_int_equal(C.top_line, (size_t)(C.chat_h - 1) + 3);
	key("M-End");
	assert_true(C.follow);
	assert_false(C.more_below);
	for (int i = 0; i < 100; i++)
		key("PgDn");
	assert_true(C.follow);
}

static void test_resize_keeps_the_message(void **state)
{
	(void)state;
	for (int i = 0; i < 6; i++)
		exchange("question", "a long answer that wraps differently at different widths, "
				     "again and again and again and again and again");
	key("M-Home");
	key("PgDn");
	key("PgDn");
	struct view_line vl;
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	size_t msg = vl.msg;
	ctl_resize(&C, 30, 80);
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	assert_int_equal(vl.msg, msg);
	/* tiny terminals never break the layout */
	for (int r = 1; r < 5; r++)
		for (int w = 1; w < 8; w++) {
			ctl_resize(&C, r, w);
			assert_true(C.chat_h >= 0 && C.chat_w >= 1 && C.input_h >= 1);
		}
}

static void test_help(void **state)
{
	(void)state;
	key("F1");
	assert_int_equal(C.mode, MODE_HELP);
	assert_int_equal(C.ov.kind, CTL_OV_HELP);
	int headings = 0, passphrase = 0, model = 0;
	for (size_t i = 0; i < C.ov.nitems; i++) {
		headings += !strncmp(C.ov.items[i], "In ", 3) || !strncmp(C.ov.items[i], "At ", 3) ||
			    !strncmp(C.ov.items[i], "When ", 5);
		passphrase += strstr(C.ov.items[i], "leave the vault locked") != NULL;
		model += strstr(C.ov.items[i], "/model") != NULL;
	}
	assert_int_equal(headings, MODE__COUNT);
	assert_int_equal(passphrase, 1);
	assert_true(model >= 1);
	key("Down");
	key("Down");
	assert_int_equal(C.ov.top, 2);
	key("Up");
	assert_int_equal(C.ov.top, 1);
	key("PgDn");
	assert_true(C.ov.top > 1);
	key("PgUp");
	assert_int_equal(C.ov.top, 1);
	key("q");
	assert_int_equal(C.mode, MODE_CHAT);
	key("F1");
	key("F1");
	assert_int_equal(C.mode, MODE_CHAT);
	key("F1");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
}

static void test_redraw_quit(void **state)
{
	(void)state;
	C.dirty = 0;
	key("C-l");
	assert_true(C.dirty & CTL_DIRTY_CLEAR);
	type("x");
	key("C-d");
	assert_int_equal(sh.quits, 0);
	assert_string_equal(input(), "x");
	key("C-a");
	key("C-d");
	assert_string_equal(input(), "");
	key("C-d");
	assert_int_equal(sh.quits, 1);
	key("C-q");
	assert_int_equal(sh.quits, 2);
}

static void test_editing_keys(void **state)
{
	(void)state;
	type("one two three");
	key("C-a");
	key("M-f");
	key("C-k");
	assert_string_equal(input(), "one");
	key("C-y");
	assert_string_equal(input(), "one two three");
	key("C-w");
	assert_string_equal(input(), "one two ");
	key("M-Enter");
	type("x");
	assert_string_equal(input(), "one two \nx");
	key("Backspace");
	key("C-h");
	assert_string_equal(input(), "one two ");
	key("M-<");
	key("Right");
	key("Delete");
	assert_string_equal(input(), "oe two ");
	key("M->");
	key("M-b");
	key("M-d");
	assert_string_equal(input(), "oe  ");
	key("C-b");
	key("C-f");
	key("Home");
	key("End");
	key("Left");
	key("C-e");
	key("C-u");
	assert_string_equal(input(), "");
}

static void test_history_recall(void **state)
{
	(void)state;
	exchange("earlier prompt", "x");
	key("Up");
	assert_string_equal(input(), "earlier prompt");
	key("Down");
	assert_string_equal(input(), "");
	key("C-p");
	assert_string_equal(input(), "earlier prompt");
	key("M-n");
	assert_string_equal(input(), "");
	key("M-p");
	assert_string_equal(input(), "earlier prompt");
}

static void test_paste_never_sends(void **state)
{
	(void)state;
	shell(ctl_key(&C, INPUT_PASTE_START, now, wall));
	type("a");
	shell(ctl_key(&C, 13, now, wall));
	type("b");
	shell(ctl_key(&C, 27, now, wall));
	shell(ctl_key(&C, INPUT_PASTE_END, now, wall));
	assert_string_equal(input(), "a\nb");
	assert_int_equal(sh.need_key, 0);
	key("Enter");
	assert_int_equal(sh.need_key, 1);
}

static void test_passphrase_mode(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_NEED_PASSPHRASE;
	type("secret question");
	key("Enter");
	assert_int_equal(C.mode, MODE_PASSPHRASE);
	assert_non_null(strstr(C.pw_prompt, "Passphrase"));
	type("pw1");
	assert_int_equal(C.pw_chars, 3);
	key("Backspace");
	assert_int_equal(C.pw_chars, 2);
	key("C-u");
	assert_int_equal(C.pw_chars, 0);
	type("hunter2");
	/* Enter asks the shell to unlock with what was typed; the input keeps the prompt */
	key("Enter");
	assert_int_equal(sh.unlocks, 1);
	assert_string_equal(sh.passphrase, "hunter2");
	assert_string_equal(input(), "secret question");
	/* wrong: asked again, the typing cleared */
	shell(ctl_key_result(&C, CTL_KEY_WRONG_PASSPHRASE, NULL, now, wall));
	assert_int_equal(C.mode, MODE_PASSPHRASE);
	assert_non_null(strstr(C.pw_prompt, "Wrong"));
	assert_int_equal(C.pw_chars, 0);
	/* right: the send goes on */
	type("x");
	key("Enter");
	shell(ctl_key_result(&C, CTL_KEY_OK, NULL, now, wall));
	assert_int_equal(C.mode, MODE_CHAT);
	assert_null(C.pw);
	assert_int_equal(sh.started, 1);
	assert_string_equal(C.shown->conv.msgs[0].content, "secret question");
}

static void test_passphrase_cancel(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_NEED_PASSPHRASE;
	type("q");
	key("Enter");
	type("abc");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_null(C.pw);
	assert_false(C.pending.active);
	assert_int_equal(sh.started, 0);
	assert_non_null(strstr(C.message, "stays locked"));
	assert_string_equal(input(), "q");
	/* C-c and C-g cancel too */
	key("Enter");
	key("C-g");
	assert_int_equal(C.mode, MODE_CHAT);
	key("Enter");
	key("C-c");
	assert_int_equal(C.mode, MODE_CHAT);
}

static void test_slash_commands(void **state)
{
	(void)state;
	type("/model fo/b");
	key("Enter");
	assert_string_equal(C.model, "fo/b");
	assert_string_equal(input(), "");
	type("/model nope");
	key("Enter");
	assert_string_equal(C.model, "fo/b");
	assert_string_equal(input(), "/model nope");
	key("C-u");
	type("/model");
	key("Enter");
	assert_int_equal(C.mode, MODE_PICK);
	key("Esc");
	type("/system Be brief.");
	key("Enter");
	assert_string_equal(C.shown->conv.system, "Be brief.");
	on_chat("system prompt");
	/* no text shows it, --clear removes it (issue 11, 5) */
	size_t lines = view_lines(C.view);
	type("/system");
	key("Enter");
	assert_string_equal(C.shown->conv.system, "Be brief.");
	assert_true(view_lines(C.view) > lines);
	type("/system --clear");
	key("Enter");
	assert_null(C.shown->conv.system);
	type("/system");
	key("Enter");
	assert_non_null(strstr(C.message, "no system prompt"));
	/* /assistant lists them, and Tab completes their names */
	type("/assistant");
	key("Enter");
	on_chat("coder (fo/b)");
	type("/assistant co");
	key("Tab");
	assert_string_equal(input(), "/assistant coder");
	key("C-u");
	type("/frobnicate");
	key("Enter");
	assert_non_null(strstr(C.message, "unknown command"));
	key("C-u");
	type("/assistant coder");
	key("Enter");
	assert_string_equal(C.model, "fo/b");
	assert_string_equal(C.shown->conv.system, "Be careful. Today is 2026-12-02.");
	assert_non_null(C.temperature);
	type("//x literally");
	key("Enter");
	assert_int_equal(sh.started, 1);
	assert_string_equal(C.shown->conv.msgs[0].content, "/x literally");
	struct provider *p;
	struct wire_http req;
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_request(&C, LAST(), &p, &req, &e), 0);
	assert_non_null(strstr(req.body.data, "\"temperature\""));
	assert_non_null(strstr(req.body.data, "Be careful."));
	wire_http_free(&req);
	end_stream(HIST_COMPLETE, NULL);
	type("/export /tmp/x.md");
	key("Enter");
	assert_int_equal(sh.exports, 1);
	assert_string_equal(C.out_path.data, "/tmp/x.md");
	assert_non_null(strstr(C.out_text.data, "/x literally"));
	type("/help");
	key("Enter");
	assert_int_equal(C.mode, MODE_HELP);
	key("Esc");
	type("/quit");
	key("Enter");
	assert_int_equal(sh.quits, 1);
}

static void test_every_command_runs(void **state)
{
	(void)state;
	exchange("something", "to act on");
	size_t n;
	const struct slash_info *cmds = slash_commands(&n);
	for (size_t i = 0; i < n; i++) {
		char line[64];
		snprintf(line, sizeof line, "/%s%s", cmds[i].name,
			 cmds[i].arg == SLASH_ARG_REQUIRED ? " arg" : "");
		key("C-u");
		type(line);
		key("Enter");
		/* every command leaves a mode the keys can get out of */
		if (C.mode == MODE_CONFIRM)
			key("n");
		leave_tool_turn();
		if (C.mode == MODE_PICK || C.mode == MODE_HELP || C.mode == MODE_SELECT ||
		    C.mode == MODE_FIND || C.mode == MODE_PASSPHRASE)
			key("Esc");
		if (ST())
			end_stream(HIST_COMPLETE, NULL);
		assert_int_equal(C.mode, MODE_CHAT);
	}
}

static void test_open_by_title(void **state)
{
	(void)state;
	exchange("apples and pears", "fruit");
	key("C-n");
	exchange("apple pie", "dessert");
	key("C-n");
	exchange("bicycles", "wheels");
	type("/open pears");
	key("Enter");
	on_chat("fruit");
	type("/open apple");
	key("Enter");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.nmatch, 2);
	key("Esc");
	type("/open zebra");
	key("Enter");
	assert_non_null(strstr(C.message, "no conversation"));
}

static void test_timers(void **state)
{
	(void)state;
	ctl_note(&C, "hello");
	assert_true(ctl_next_timer(&C, now) > 0);
	ctl_timer(&C, now + 10, wall);
	assert_string_equal(C.message, "");
	assert_true(ctl_next_timer(&C, now + 10) < 0);
	type("q");
	key("Enter");
	assert_true(ctl_next_timer(&C, now) <= 0.25);
	ctl_delta(&C, LAST(), "a", 1, 0, now, wall);
	for (int i = 0; i < 20; i++)
		ctl_delta(&C, LAST(), "b", 1, 0, now + 1, wall);
	ctl_timer(&C, now + 2, wall);
	assert_true(ST()->rate > 5);
	ctl_timer(&C, now + 20, wall);
	assert_int_equal(state_now(), CTL_STALLED);
	ctl_delta(&C, LAST(), "c", 1, 0, now + 21, wall);
	ctl_timer(&C, now + 21, wall);
	assert_int_equal(state_now(), CTL_STREAMING);
	char tmp[64];
	assert_non_null(strstr(ctl_state_word(&C, tmp, sizeof tmp), "streaming"));
}

/* The status line: back-off said as such, one error line (issue 11, 6). */
static void test_status_states(void **state)
{
	(void)state;
	char tmp[64];
	type("q");
	key("Enter");
	ctl_stream_waiting(&C, LAST(), 1, 1.6, 2, 3);
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "retrying in 2 s (2/3)");
	ctl_stream_waiting(&C, LAST(), 0, 0, 0, 0);
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "connecting");
	ctl_delta(&C, LAST(), "x", 1, 0, now, wall);
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "streaming");
	/* streaming in another conversation says so */
	key("C-n");
	assert_string_equal(ctl_state_word(&C, tmp, sizeof tmp), "streaming in another conversation");
	end_stream(HIST_COMPLETE, NULL);
}

/* ---- several models and streams ---- */

/* The stream by the model it asks. */
static struct ctl_stream *stream_of(const char *spec)
{
	for (size_t i = 0; i < C.nstreams; i++)
		if (!strcmp(C.streams[i]->spec, spec))
			return C.streams[i];
	fail_msg("no stream asks %s", spec);
	return NULL;
}

/* "@fo/a @fo/b question": one user message, an answer per model as siblings, each
 * streaming on its own (deltas interleaved), one failing without touching the other;
 * the first answer is the one shown and the conversation continues from it. */
static void test_mentions_ask_each_model(void **state)
{
	(void)state;
	key("F2"); /* fo/b */
	key("S-F2"); /* fo/a */
	type("@fo/b @fo/c @fo/b why?");
	key("Enter");
	assert_int_equal(sh.need_key, 2); /* fo/b named twice: asked once */
	assert_int_equal(sh.started, 2);
	assert_int_equal(C.nstreams, 2);
	assert_string_equal(input(), "");
	unsigned long a = stream_of("fo/b")->id, b = stream_of("fo/c")->id;
	for (int i = 0; i < 3; i++) {
		ctl_delta(&C, a, "A", 1, 0, now, wall);
		ctl_delta(&C, b, "B", 1, 0, now, wall);
	}
	ctl_delta(&C, b, "think", 5, 1, now, wall);
	char tmp[96];
	assert_non_null(strstr(ctl_state_word(&C, tmp, sizeof tmp), "2 streams"));
	end_id(b, HIST_ERROR, "connection reset");
	assert_int_equal(C.nstreams, 1);
	assert_non_null(strstr(C.message, "fo/c: connection reset"));
	ctl_delta(&C, a, "A", 1, 0, now, wall);
	end_id(a, HIST_COMPLETE, NULL);
	assert_int_equal(C.nstreams, 0);
	const struct hist_conv *cv = &C.shown->conv;
	assert_int_equal(cv->n, 3);
	assert_string_equal(cv->msgs[0].content, "why?");
	assert_string_equal(cv->msgs[1].content, "AAAA");
	assert_string_equal(cv->msgs[1].model, "b");
	assert_int_equal(cv->msgs[1].status, HIST_COMPLETE);
	assert_string_equal(cv->msgs[2].content, "BBB");
	assert_string_equal(cv->msgs[2].reasoning, "think");
	assert_int_equal(cv->msgs[2].status, HIST_ERROR);
	assert_string_equal(cv->msgs[2].parent, cv->msgs[1].parent);
	assert_string_equal(cv->current, cv->msgs[1].id);
	assert_string_equal(cv->model, "fo/a"); /* as chosen, not the last named */
	assert_string_equal(C.model, "fo/a");
	/* Tab after "@" completes model names */
	type("@fo/o");
	key("Tab");
	assert_string_equal(input(), "@fo/other-model ");
	key("C-u");
	type("@fo/");
	key("Tab");
	assert_string_equal(input(), "@fo/");
	assert_non_null(strstr(C.message, "fo/a  fo/b"));
	key("C-u");
	/* an unknown model sends nothing and says which */
	type("@fo/b @nope/x hi");
	key("Enter");
	assert_int_equal(sh.started, 2);
	assert_non_null(strstr(C.message, "@nope/x: "));
	assert_string_equal(input(), "@fo/b @nope/x hi");
	/* the models with no question: nothing goes */
	key("C-u");
	type("@fo/a");
	key("Enter");
	assert_int_equal(sh.started, 2);
	assert_non_null(strstr(C.message, "question after the models"));
}

/* network.max_streams: the streams over it wait and start as others end; Esc stops
 * every one (a waiting one ends at once, the running ones through the shell). */
static void test_stream_cap_and_stop_all(void **state)
{
	(void)state;
	app.cfg.max_streams = 2;
	type("@fo/a @fo/b @fo/c q");
	key("Enter");
	assert_int_equal(C.nstreams, 3);
	assert_int_equal(sh.started, 2);
	assert_true(stream_of("fo/c")->held);
	end_id(stream_of("fo/a")->id, HIST_COMPLETE, NULL);
	assert_int_equal(sh.started, 3);
	assert_false(stream_of("fo/c")->held);
	/* the fourth waits again */
	key("F5");
	assert_int_equal(sh.started, 3);
	assert_int_equal(C.nstreams, 3);
	key("Esc");
	assert_int_equal(sh.stops, 2);  /* the two running */
	assert_int_equal(C.nstreams, 2); /* the waiting one ended */
	end_id(C.streams[0]->id, HIST_STOPPED, NULL);
	end_id(C.streams[0]->id, HIST_STOPPED, NULL);
	assert_int_equal(C.nstreams, 0);
	assert_int_equal(sh.started, 3); /* nothing started on the way */
	app.cfg.max_streams = 8;
}

/* A stream goes on while another conversation streams too; the list marks the one
 * streaming, then unread until it is opened. */
static void test_streams_in_two_conversations(void **state)
{
	(void)state;
	exchange("first", "one");
	char first[HIST_ID_MAX + 1];
	snprintf(first, sizeof first, "%s", C.shown->conv.id);
	type("again");
	key("Enter");
	unsigned long a = LAST();
	key("C-n");
	type("other");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	unsigned long b = LAST();
	assert_int_equal(ctl_conv_mark(&C, first), 1);
	ctl_delta(&C, a, "late text", 9, 0, now, wall);
	ctl_delta(&C, b, "here", 4, 0, now, wall);
	assert_string_equal(C.shown->conv.msgs[1].content, "here");
	end_id(a, HIST_COMPLETE, NULL);
	assert_int_equal(ctl_conv_mark(&C, first), 2);
	end_id(b, HIST_COMPLETE, NULL);
	type("/open ");
	type(first);
	key("Enter");
	assert_string_equal(C.shown->conv.id, first);
	assert_int_equal(ctl_conv_mark(&C, first), 0);
	assert_string_equal(C.shown->conv.msgs[3].content, "late text");
}

/* The model picker marks several models (Space) and Enter asks each: the input's text,
 * else the last message again; M-z stops only the answer shown; M-m marks it best. */
static void test_picker_marks_stop_one_best(void **state)
{
	(void)state;
	exchange("question", "first");
	key("C-o");
	type("fo/");
	key("Space"); /* fo/a */
	key("Space"); /* fo/b */
	assert_int_equal(C.ov.nmarked, 2);
	assert_int_equal(C.mode, MODE_PICK);
	key("Enter"); /* the input is empty: the last message again, to both */
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.nstreams, 2);
	assert_string_equal(C.streams[0]->spec, "fo/a");
	assert_string_equal(C.streams[1]->spec, "fo/b");
	const struct hist_conv *cv = &C.shown->conv;
	assert_int_equal(cv->n, 4); /* three siblings under the one question */
	assert_string_equal(cv->msgs[3].parent, cv->msgs[0].id);
	/* the answer shown is the first one asked: M-z stops it alone */
	assert_string_equal(cv->current, cv->msgs[2].id);
	key("M-z");
	assert_int_equal(sh.stops, 1);
	assert_true(stream_of("fo/a")->stop_requested);
	assert_false(stream_of("fo/b")->stop_requested);
	end_id(stream_of("fo/a")->id, HIST_STOPPED, NULL);
	end_id(stream_of("fo/b")->id, HIST_COMPLETE, NULL);
	/* marked models with text in the input: the text goes to each */
	type("next one");
	key("C-o");
	type("fo/c");
	key("Space");
	key("Enter");
	assert_int_equal(C.nstreams, 1);
	assert_string_equal(C.streams[0]->spec, "fo/c");
	assert_string_equal(cv->msgs[cv->n - 2].content, "next one");
	end_stream(HIST_COMPLETE, NULL);
	/* Space in the switcher is a space of the filter */
	key("C-t");
	key("Space");
	assert_string_equal(C.ov.filter.data, " ");
	key("Esc");
	/* the best mark: on, saved, shown; again: off */
	key("M-m");
	assert_true(cv->msgs[cv->n - 1].best);
	assert_non_null(strstr(C.message, "best"));
	struct buf md = BUF_INIT;
	assert_int_equal(hist_to_json(cv, &md), 0);
	assert_non_null(strstr(md.data, "\"best\": true"));
	buf_free(&md);
	key("M-m");
	assert_false(cv->msgs[cv->n - 1].best);
	/* a selected message asked again of several models: M-s, r, marks, Enter */
	size_t q = cv->n - 2; /* "next one" */
	key("M-s");
	key("r");
	assert_int_equal(C.mode, MODE_PICK);
	type("fo/");
	key("Space");
	key("Space");
	key("Enter");
	assert_int_equal(C.nstreams, 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(cv->msgs[C.streams[i]->answer].parent, cv->msgs[q].id);
	assert_string_equal(C.streams[0]->spec, "fo/a");
	assert_string_equal(C.streams[1]->spec, "fo/b");
}

/* Two answers side by side when wide enough (the deltas in their columns, scrolled
 * together), else a tab strip over the one shown; F9 switches; M-. moves the answer the
 * conversation goes on from. */
static void test_layouts(void **state)
{
	(void)state;
	shell(ctl_resize(&C, 40, 160));
	type("@fo/a @fo/b compare");
	key("Enter");
	now += 0.1;
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 2);
	assert_int_equal(C.chat_top, 1);
	assert_string_equal(C.lay.strip.data, "you: compare");
	unsigned long a = stream_of("fo/a")->id, b = stream_of("fo/b")->id;
	size_t before = view_lines(C.lay.v[1]);
	for (int i = 0; i < 50; i++)
		ctl_delta(&C, b, "line\n\n", 6, 0, now, wall);
	assert_true(view_lines(C.lay.v[1]) >= before + 50);
	assert_int_equal(C.top_line + (size_t)C.chat_h - (size_t)C.chat_top, view_lines(C.lay.v[1]));
	key("PgUp"); /* both columns scroll together */
	assert_false(C.follow);
	key("M-End");
	/* one at a time: the strip names both, streaming */
	key("F9");
	assert_int_equal(C.lay.n, 0);
	assert_int_equal(C.chat_top, 1);
	assert_string_equal(C.lay.strip.data, "1/2 a~ \xc2\xb7 2/2 b~");
	assert_string_equal(C.lay.strip.data + C.lay.strip_off, "1/2 a~ \xc2\xb7 2/2 b~");
	assert_int_equal(C.lay.strip_len, strlen("1/2 a~"));
	end_id(a, HIST_COMPLETE, NULL);
	end_id(b, HIST_ERROR, "fo: boom");
	shell(ctl_timer(&C, now, wall));
	assert_string_equal(C.lay.strip.data, "1/2 a \xc2\xb7 2/2 b!");
	key("M-.");
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.strip_off, strlen("1/2 a \xc2\xb7 "));
	/* its footer under the header "fo/b (2/2)" does not name the provider again */
	on_chat("[error: boom");
	assert_null(strstr(chat_text(), "fo: boom"));
	/* F5 on the failed one asks its own model again, not the one chosen */
	key("F5");
	assert_int_equal(C.nstreams, 1);
	assert_string_equal(C.streams[0]->spec, "fo/b");
	end_stream(HIST_COMPLETE, NULL);
	shell(ctl_timer(&C, now, wall));
	assert_string_equal(C.lay.strip.data, "1/3 a \xc2\xb7 2/3 b! \xc2\xb7 3/3 b");
	/* one model name from two providers: the strip names the providers too */
	struct hist_conv *cv = &C.shown->conv;
	size_t last = 0;
	for (size_t i = 0; i < cv->n; i++)
		if (cv->msgs[i].model && !strcmp(cv->msgs[i].model, "b"))
			last = i;
	free(cv->msgs[last].provider);
	cv->msgs[last].provider = strdup("fx");
	key("M-,");
	key("M-.");
	shell(ctl_timer(&C, now, wall));
	assert_string_equal(C.lay.strip.data,
			    "1/3 fo/a \xc2\xb7 2/3 fo/b! \xc2\xb7 3/3 fx/b");
	free(cv->msgs[last].provider);
	cv->msgs[last].provider = strdup("fo");
	key("M-,");
	key("M-.");
	shell(ctl_timer(&C, now, wall));
	key("M-,");
	shell(ctl_resize(&C, 40, 200)); /* three columns of 50 need 156 */
	key("F9");
	assert_int_equal(C.lay.n, 3);
	assert_int_equal(C.lay.cur, 1);
	/* too narrow for two columns: the strip, whatever F9 says */
	shell(ctl_resize(&C, 40, 100));
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 0);
	assert_int_equal(C.chat_top, 1);
	/* a single answer: neither */
	key("C-n");
	exchange("one", "answer");
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.chat_top, 0);
	assert_int_equal(C.lay.n, 0);
}

/* The list: relative ages, newest first as the switcher, the neighbour after a delete,
 * and a short welcome in an empty conversation (issue 11, 7). */
static void test_list_order_and_delete(void **state)
{
	(void)state;
	char age[8];
	ctl_age(1000, 1000, age);
	assert_string_equal(age, "now");
	ctl_age(1000, 1000 + 5 * 60 + 3, age);
	assert_string_equal(age, "5m");
	ctl_age(0, 3 * 3600, age);
	assert_string_equal(age, "3h");
	ctl_age(0, 2 * 86400, age);
	assert_string_equal(age, "2d");
	ctl_age(0, 45 * 86400, age);
	assert_string_equal(age, "6w");
	ctl_age(0, 100 * 86400, age);
	assert_string_equal(age, "3mo");
	ctl_age(0, 800 * 86400, age);
	assert_string_equal(age, "2y");
	on_chat("Type a message and press Enter to ask fo/a.");
	on_chat("C-o chooses another model");
	wall += 10;
	exchange("first", "1");
	wall += 10;
	key("C-n");
	exchange("second", "2");
	wall += 10;
	key("C-n");
	exchange("third", "3");
	assert_null(strstr(chat_text(), "Type a message"));
	assert_int_equal(C.nlist, 3);
	assert_string_equal(C.list[0].title, "third");
	/* renaming keeps the order (the switcher's: last activity) */
	type("/rename Third");
	key("Enter");
	assert_string_equal(C.list[0].title, "Third");
	key("C-t");
	assert_string_equal(C.ov.items[C.ov.match[0]], C.list[0].id);
	assert_string_equal(C.ov.items[C.ov.match[2]], C.list[2].id);
	key("Esc");
	/* delete the middle one: the one below it is shown */
	key("M-l");
	key("Down");
	key("Enter");
	on_chat("second");
	key("F8");
	key("y");
	assert_int_equal(C.nlist, 2);
	on_chat("first");
	assert_string_equal(C.shown->conv.title, "first");
	/* delete the last one in the list: the one above */
	key("F8");
	key("y");
	assert_string_equal(C.shown->conv.title, "Third");
	key("F8");
	key("y");
	assert_int_equal(C.nlist, 0);
	assert_int_equal(C.shown->conv.n, 0);
}

/* The list as read in steps replaces the old one: the selection stays put, and an
 * entry this run wrote keeps its fresher state. */
static void test_list_replace(void **state)
{
	(void)state;
	exchange("mine", "fresh");
	char mine[HIST_ID_MAX + 1];
	snprintf(mine, sizeof mine, "%s", C.shown->conv.id);
	struct hist_entry *v = calloc(3, sizeof *v);
	const char *ids[2] = {"aaaa0001", "aaaa0002"};
	for (int i = 0; i < 2; i++) {
		snprintf(v[i].id, sizeof v[i].id, "%s", ids[i]);
		v[i].title = strdup(i ? "second" : "first");
		v[i].model = strdup("fo/a");
		v[i].updated = wall - 100 - i;
	}
	/* the file as read before this run's message: an older title */
	snprintf(v[2].id, sizeof v[2].id, "%s", mine);
	v[2].title = strdup("stale");
	v[2].model = strdup("fo/a");
	v[2].updated = wall - 500;
	ctl_list_replace(&C, v, 3);
	assert_int_equal(C.nlist, 3);
	assert_string_equal(C.list[0].title, "mine");
	assert_string_equal(C.list[1].title, "first");
	assert_string_equal(C.list[C.list_sel].id, mine);
}

/* Every action in the table is bound in its mode by default (one is unbound: none), and
 * firing it in its mode never leaves the controller in a state the keys cannot leave. */
static void test_every_action_in_its_mode(void **state)
{
	(void)state;
	exchange("something", "to act on");
	size_t n;
	const struct input_action_info *acts = input_actions(&n);
	for (size_t i = 0; i < n; i++) {
		struct buf keys = BUF_INIT;
		input_keys_of(&C.keys, acts[i].action, &keys);
		if (acts[i].action != ACT_COPY && !keys.len)
			fail_msg("%s has no key", acts[i].name);
		buf_free(&keys);
		switch (acts[i].mode) {
		case MODE_LIST:
			key("M-l");
			break;
		case MODE_PICK:
			key("C-o");
			break;
		case MODE_HELP:
			key("F1");
			break;
		case MODE_CONFIRM:
			if (!C.shown->on_disk)
				exchange("again", "saved");
			key("F8");
			break;
		case MODE_SELECT:
			key("M-s");
			break;
		case MODE_FIND:
			key("C-s");
			break;
		case MODE_TOOLS:
			ask_tool("fake__echo", "{\"text\":\"hi\"}");
			break;
		case MODE_PASSPHRASE:
			sh.key_answer = CTL_KEY_NEED_PASSPHRASE;
			key("C-u");
			type("q");
			key("Enter");
			sh.key_answer = CTL_KEY_OK;
			break;
		default:
			break;
		}
		if (C.mode != acts[i].mode)
			fail_msg("not in the mode of %s: %s", acts[i].name, C.message);
		/* these delete or quit: tested above */
		if (acts[i].action != ACT_CONFIRM_YES && acts[i].action != ACT_QUIT &&
		    acts[i].action != ACT_DELETE_CHAR_OR_QUIT)
			shell(ctl_action(&C, acts[i].action, now, wall));
		if (C.mode == MODE_PASSPHRASE)
			shell(ctl_key_result(&C, CTL_KEY_OK, NULL, now, wall));
		if (C.mode == MODE_CONFIRM)
			key("n");
		leave_tool_turn();
		if (C.mode == MODE_PICK || C.mode == MODE_HELP || C.mode == MODE_LIST ||
		    C.mode == MODE_SELECT || C.mode == MODE_FIND)
			key("Esc");
		if (ST())
			end_stream(HIST_COMPLETE, NULL);
		if (C.edit_msg >= 0)
			key("Esc"); /* an edit begun: Esc cancels it */
		if (!C.show_list)
			key("F3");
		assert_int_equal(C.mode, MODE_CHAT);
	}
}


/* ---- the everyday moves ---- */

/* The index in the shown conversation of the message whose content is s. */
static size_t msg_index(const char *s)
{
	for (size_t i = 0; i < C.shown->conv.n; i++)
		if (!strcmp(C.shown->conv.msgs[i].content, s))
			return i;
	fail_msg("no message \"%s\"", s);
	return 0;
}

/* Selects the view message showing conversation message i (M-s, then Up). */
static void select_msg(size_t i)
{
	key("M-s");
	if (C.mode != MODE_SELECT)
		fail_msg("M-s did not select: %s", C.message);
	for (int k = 0; k < 20 && C.vmap[C.sel] != i; k++)
		key("Up");
	assert_int_equal(C.vmap[C.sel], i);
}

/* M-e and /edit put the last prompt back, marked as an edit; sending it makes a new
 * branch beside it (the old one stays a sibling); Esc cancels an edit; an earlier
 * message is edited through the selection, in the middle of the conversation. */
static void test_edit_and_resend(void **state)
{
	(void)state;
	key("M-e");
	assert_non_null(strstr(C.message, "no message of yours"));
	exchange("first question", "first answer");
	exchange("second question", "second answer");
	key("M-e");
	assert_string_equal(input(), "second question");
	assert_int_equal(C.edit_msg, (long)msg_index("second question"));
	assert_int_equal(C.edit_pos, 3);
	assert_non_null(strstr(C.message, "editing message 3"));
	key("Esc");
	assert_int_equal(C.edit_msg, -1);
	assert_string_equal(input(), "");
	type("/edit");
	key("Enter");
	assert_string_equal(input(), "second question");
	key("C-u");
	exchange("second, edited", "edited answer");
	size_t old = msg_index("second question"), neu = msg_index("second, edited");
	const struct hist_conv *cv = &C.shown->conv;
	assert_string_equal(cv->msgs[neu].parent, cv->msgs[old].parent);
	size_t pos, count;
	chat_siblings(C.shown, neu, &pos, &count);
	assert_int_equal(count, 2);
	on_chat("edited answer");
	assert_null(strstr(chat_text(), "second answer"));
	assert_int_equal(C.edit_msg, -1);
	/* Up still recalls the prompts sent */
	key("Up");
	assert_string_equal(input(), "second, edited");
	key("C-u");
	/* the first message, from the selection: a new root branch */
	select_msg(msg_index("first question"));
	key("e");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(input(), "first question");
	assert_non_null(strstr(C.message, "editing message 1"));
	key("C-u");
	exchange("first, edited", "new start");
	assert_null(C.shown->conv.msgs[msg_index("first, edited")].parent);
	assert_null(strstr(chat_text(), "first answer"));
	on_chat("new start");
	/* the old branch is still there */
	assert_int_equal(C.shown->conv.n, 8);
}

/* Deltas given together (a shell's slice of a transfer) count as many as they are and
 * show the same text as one at a time. */
static void test_deltas_together(void **state)
{
	(void)state;
	type_text("q");
	key("Enter");
	assert_int_equal(C.nstreams, 1);
	unsigned long id = C.streams[0]->id;
	now += 0.1;
	ctl_deltas(&C, id, "one two", 7, 0, 3, now, wall);
	ctl_delta(&C, id, " three", 6, 0, now, wall);
	assert_int_equal(C.streams[0]->deltas, 4);
	size_t len;
	const char *text = view_text(C.view, view_count(C.view) - 1, &len);
	assert_non_null(text);
	assert_string_equal(text, "one two three");
}

/* M-c copies the last answer's code block 1, at once again the next, after the last
 * the first; any other key starts over at 1. C does the same for a selected message. */
static void test_copy_code(void **state)
{
	(void)state;
	key("M-c");
	assert_int_equal(sh.copies, 0);
	assert_non_null(strstr(C.message, "no answer"));
	exchange("q", "Two:\n\n```c\nint a;\n```\n\ntext\n\n~~~\n\tb\n~~~\n");
	key("M-c");
	assert_int_equal(sh.copies, 1);
	assert_string_equal(C.out_text.data, "int a;\n");
	assert_non_null(strstr(C.message, "code block 1 (7 bytes)"));
	key("M-c");
	assert_int_equal(sh.copies, 2);
	assert_non_null(strstr(C.message, "code block 2"));
	key("M-c");
	assert_int_equal(sh.copies, 3);
	assert_string_equal(C.out_text.data, "int a;\n");
	key("M-c");
	key("PgUp");
	key("M-c");
	assert_non_null(strstr(C.message, "code block 1 "));
	/* the selected message: its own blocks */
	exchange("r", "none here");
	key("M-c");
	assert_non_null(strstr(C.message, "no code block"));
	assert_int_equal(sh.copies, 5);
	key("M-s");
	key("Up");
	key("Up");
	assert_int_equal(C.vmap[C.sel], msg_index("Two:\n\n```c\nint a;\n```\n\ntext\n\n~~~\n\tb\n~~~\n"));
	key("C");
	key("C");
	assert_int_equal(sh.copies, 7);
	assert_non_null(strstr(C.message, "code block 2"));
	assert_int_equal(C.mode, MODE_SELECT);
}

/* A selected message: copy, delete with what follows (asked), a new conversation
 * with the branch, and asking again with another model from the picker. */
static void test_select_actions(void **state)
{
	(void)state;
	key("M-s");
	assert_non_null(strstr(C.message, "no message to select"));
	assert_int_equal(C.mode, MODE_CHAT);
	exchange("alpha", "one");
	exchange("beta", "two");
	exchange("gamma", "three");
	key("M-s");
	assert_int_equal(C.vmap[C.sel], msg_index("three"));
	key("Down"); /* the last stays selected */
	assert_int_equal(C.vmap[C.sel], msg_index("three"));
	key("Home");
	assert_int_equal(C.vmap[C.sel], msg_index("alpha"));
	key("End");
	key("Up");
	assert_int_equal(C.vmap[C.sel], msg_index("gamma"));
	key("c");
	assert_int_equal(sh.copies, 1);
	assert_string_equal(C.out_text.data, "gamma");
	assert_int_equal(C.mode, MODE_SELECT);
	/* branch up to "two": a new conversation of four messages */
	key("Up");
	assert_int_equal(C.vmap[C.sel], msg_index("two"));
	char first[HIST_ID_MAX + 1];
	snprintf(first, sizeof first, "%s", C.shown->conv.id);
	key("b");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_not_equal(C.shown->conv.id, first);
	assert_int_equal(C.shown->conv.n, 4);
	assert_string_equal(C.shown->conv.title, "alpha (branch)");
	assert_true(C.shown->on_disk);
	on_chat("two");
	assert_null(strstr(chat_text(), "three"));
	/* back: delete "beta" and what follows, after a yes */
	type("/open ");
	type(first);
	key("Enter");
	assert_string_equal(C.shown->conv.id, first);
	select_msg(msg_index("beta"));
	key("d");
	assert_int_equal(C.mode, MODE_CONFIRM);
	key("n");
	assert_int_equal(C.shown->conv.n, 6);
	select_msg(msg_index("beta"));
	key("d");
	key("y");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.shown->conv.n, 2);
	assert_non_null(strstr(C.message, "deleted 4 messages"));
	assert_null(strstr(chat_text(), "beta"));
	on_chat("one");
	/* ask "alpha" again with fo/c: the picker, then a sibling answer from fo/c */
	select_msg(msg_index("one"));
	key("r");
	assert_int_equal(C.mode, MODE_PICK);
	type("fo/c");
	key("Enter");
	assert_non_null(ST());
	assert_string_equal(ST()->spec, "fo/c");
	ctl_delta(&C, LAST(), "from c", 6, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	size_t a = msg_index("from c");
	assert_string_equal(C.shown->conv.msgs[a].parent, C.shown->conv.msgs[msg_index("alpha")].id);
	assert_string_equal(C.shown->conv.msgs[a].model, "c");
	on_chat("fo/c (2/2)");
	/* Esc in the picker asks nothing again */
	select_msg(msg_index("alpha"));
	key("r");
	key("Esc");
	key("C-o");
	type("fo/b");
	key("Enter");
	assert_null(ST());
}

/* Long answers laid out only when read (view.h): after a resize none is, and selecting
 * one far above the screen shows it from its header, copies it and its code, and the
 * screen holds the lines a whole layout has there. */
static void test_select_far_above_lazy(void **state)
{
	(void)state;
	struct buf a[6];
	for (int k = 0; k < 6; k++) {
		a[k] = (struct buf)BUF_INIT;
		buf_printf(&a[k], "Answer %d\n\n```\ncode %d\n```\n\n", k, k);
		while (a[k].len < 6000)
			buf_append_str(&a[k], "A paragraph that is long enough to wrap in the pane, "
					      "**bold** and `code`.\n\n");
		char q[32];
		snprintf(q, sizeof q, "question %d", k);
		exchange(q, a[k].data);
	}
	shell(ctl_resize(&C, 30, 120));
	assert_true(C.follow);
	key("M-s");
	assert_int_equal(C.mode, MODE_SELECT);
	key("Home"); /* the first message, far above */
	assert_int_equal(C.sel, 0);
	assert_false(C.follow);
	struct view_line vl;
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	assert_int_equal(vl.msg, 0);
	assert_int_equal(vl.style, VS_HEADER_USER);
	key("c");
	assert_string_equal(C.out_text.data, "question 0");
	key("Down");
	key("C");
	assert_string_equal(C.out_text.data, "code 0\n");
	key("End"); /* the last answer: the ones between were never shown */
	assert_int_equal(C.sel, 11);
	key("Up");
	key("Up");
	assert_int_equal(C.sel, 9);
	assert_int_equal(view_line(C.view, C.top_line, &vl), 0);
	assert_int_equal(vl.msg, 9);
	assert_int_equal(vl.style, VS_HEADER_ASSISTANT);
	/* what is drawn is what a layout of everything has on those rows */
	size_t top = C.top_line, rows = (size_t)(C.chat_h - C.chat_top);
	struct buf screen = BUF_INIT, again = BUF_INIT;
	for (size_t r = 0; r < rows && view_line(C.view, top + r, &vl) == 0; r++)
		buf_printf(&screen, "%zu %.*s\n", vl.msg, (int)vl.len, vl.s);
	view_layout_all(C.view);
	for (size_t r = 0; r < rows && view_line(C.view, C.top_line + r, &vl) == 0; r++)
		buf_printf(&again, "%zu %.*s\n", vl.msg, (int)vl.len, vl.s);
	assert_string_equal(screen.data, again.data);
	buf_free(&screen);
	buf_free(&again);
	key("c");
	assert_string_equal(C.out_text.data, a[4].data);
	key("C");
	assert_string_equal(C.out_text.data, "code 4\n");
	for (int k = 0; k < 6; k++)
		buf_free(&a[k]);
}

/* fo/a and fo/b answer prompt side by side at rows x 160: a's text times_a times, then
 * b's, both complete. */
static void two_answers(int rows, const char *prompt, const char *ta, int times_a,
			const char *tb)
{
	shell(ctl_resize(&C, rows, 160));
	type("@fo/a @fo/b ");
	type(prompt);
	key("Enter");
	unsigned long a = stream_of("fo/a")->id, b = stream_of("fo/b")->id;
	for (int i = 0; i < times_a; i++)
		ctl_delta(&C, a, ta, strlen(ta), 0, now, wall);
	ctl_delta(&C, b, tb, strlen(tb), 0, now, wall);
	end_id(a, HIST_COMPLETE, NULL);
	end_id(b, HIST_COMPLETE, NULL);
	shell(ctl_timer(&C, now, wall));
	assert_int_equal(C.lay.n, 2);
}

/* Several answers side by side: M-s selects the one the branch goes on from, Left and
 * Right move between the columns, Up to the question above them, the actions work on
 * the column's answer, Enter goes on from it; a click selects a column's answer or
 * shows a tab's; find finds in every column and says where; one at a time, Left and
 * Right flip to the sibling beside, and the find line names the other tabs holding the
 * text. */
static void test_columns_moves(void **state)
{
	(void)state;
	/* while answers stream, Esc leaves a selection or the find line: they stream on */
	shell(ctl_resize(&C, 40, 160));
	type("@fo/a @fo/b streaming");
	key("Enter");
	key("M-s");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	key("C-s");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.nstreams, 2);
	assert_false(stream_of("fo/a")->stop_requested);
	/* the one shown fails while b streams on: one line naming its model once, and
	 * its footer under its header does not name the provider again */
	end_id(stream_of("fo/a")->id, HIST_ERROR, "fo: kaput");
	assert_string_equal(C.message, "fo/a: kaput");
	on_chat("[error: kaput");
	assert_null(strstr(chat_text(), "fo: kaput"));
	key("Esc"); /* in the chat it stops them */
	assert_true(stream_of("fo/b")->stop_requested);
	end_id(stream_of("fo/b")->id, HIST_STOPPED, NULL);
	two_answers(40, "compare", "alpha apple", 1, "beta apple banana");
	size_t ma = msg_index("alpha apple"), mb = msg_index("beta apple banana");
	key("M-s");
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.lay.sel, 0);
	assert_int_equal(C.sel, -1);
	key("Right");
	assert_int_equal(C.lay.sel, 1);
	key("Right"); /* the last: it stays */
	assert_int_equal(C.lay.sel, 1);
	assert_string_equal(C.message, "this is the last answer");
	key("Up"); /* the question above the columns, its line reversed */
	assert_int_equal(C.lay.sel, CTL_SEL_QUESTION);
	assert_int_equal(C.lay.strip_len, C.lay.strip.len);
	key("Down");
	assert_int_equal(C.lay.sel, 0);
	assert_int_equal(C.lay.strip_len, 0);
	key("End");
	assert_int_equal(C.lay.sel, 1);
	int copies = sh.copies;
	key("c"); /* the column's answer, not the one the branch goes on from */
	assert_int_equal(sh.copies, copies + 1);
	assert_string_equal(C.out_text.data, "beta apple banana");
	/* Enter: the conversation goes on from it */
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.lay.sel, -1);
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[mb].id);
	assert_int_equal(C.lay.cur, 1);
	assert_false(chat_unsaved(C.shown)); /* saved at once: no tick saves while idle */
	/* a click selects the answer of the column under it; the gap and past them nothing */
	int x1 = C.chat_x + cols_x(C.lay.w, 1) + 2;
	shell(ctl_key(&C, INPUT_CLICK(3, x1), now, wall));
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.lay.sel, 1);
	shell(ctl_key(&C, INPUT_CLICK(3, C.chat_x + C.lay.w + 1), now, wall));
	assert_int_equal(C.lay.sel, 1);
	shell(ctl_key(&C, INPUT_CLICK(3, C.chat_x + 2), now, wall));
	assert_int_equal(C.lay.sel, 0);
	shell(ctl_key(&C, INPUT_CLICK(0, C.chat_x + 2), now, wall)); /* the question */
	assert_int_equal(C.lay.sel, CTL_SEL_QUESTION);
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(C.lay.strip_len, 0);
	/* find: every column's lines, column by column, and where the current one is */
	key("C-s");
	type("apple");
	assert_int_equal(C.find.n, 2);
	assert_int_equal(C.find.cols[0], 0);
	assert_int_equal(C.find.cols[1], 1);
	assert_int_equal(ctl_find_mark_col(&C, 0, C.find.lines[0]), 2);
	assert_int_equal(ctl_find_mark_col(&C, 1, C.find.lines[1]), 1);
	assert_int_equal(ctl_find_mark(&C, C.find.lines[0]), 0); /* the single view is not shown */
	assert_string_equal(C.find.where, "in answer 1/2, fo/a");
	key("Enter");
	assert_int_equal(C.find.cur, 1);
	assert_int_equal(ctl_find_mark_col(&C, 1, C.find.lines[1]), 2);
	assert_string_equal(C.find.where, "in answer 2/2, fo/b");
	key("C-u");
	type("banana");
	assert_int_equal(C.find.n, 1);
	assert_int_equal(C.find.cols[0], 1);
	key("Esc");
	/* one at a time: a click on a tab shows its answer */
	key("F9");
	assert_int_equal(C.lay.n, 0);
	assert_int_equal(C.lay.ntabs, 2);
	assert_string_equal(C.lay.strip.data, "1/2 a \xc2\xb7 2/2 b");
	shell(ctl_key(&C, INPUT_CLICK(0, C.chat_x + 1), now, wall));
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[ma].id);
	assert_int_equal(C.lay.strip_off, 0);
	shell(ctl_key(&C, INPUT_CLICK(0, C.chat_x + 6), now, wall)); /* the " · " between */
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[ma].id);
	/* find: not in the answer shown, but in the other tab */
	key("C-s");
	type("banana");
	assert_int_equal(C.find.n, 0);
	assert_string_equal(C.find.where, "also in 2/2 (M-, M-. show them)");
	key("Esc");
	/* the answer selected, Right shows the next one, selected; a click below the strip
	 * selects the message of the line under it */
	key("M-s");
	assert_int_equal(C.vmap[C.sel], ma);
	key("Right");
	assert_int_equal(C.vmap[C.sel], mb);
	assert_string_equal(C.shown->conv.current, C.shown->conv.msgs[mb].id);
	key("Right");
	assert_string_equal(C.message, "no answer after this one");
	key("Left");
	assert_int_equal(C.vmap[C.sel], ma);
	key("Esc");
	size_t vq = 0;
	while (vq < C.vmap_n && C.vmap[vq] != msg_index("compare"))
		vq++;
	key("M-Home");
	size_t first = view_msg_first_line(C.view, vq);
	assert_true(first >= C.top_line && first < C.top_line + 30);
	int y = (int)(first - C.top_line) + C.chat_top;
	shell(ctl_key(&C, INPUT_CLICK(y, C.chat_x + 2), now, wall));
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.vmap[C.sel], msg_index("compare"));
	/* back side by side, the selection stays on its message */
	key("Esc");
	key("M-s");
	key("F9"); /* not a select key: nothing */
	key("Esc");
	key("F9");
	assert_int_equal(C.lay.n, 2);
	key("M-s");
	assert_int_equal(C.lay.sel, 0); /* a is the one gone on from now */
	key("F5"); /* not a select key either */
	/* d on b, asked about while the layout is worked out again: b goes */
	key("Right");
	key("d");
	assert_int_equal(C.mode, MODE_CONFIRM);
	shell(ctl_resize(&C, 40, 170));
	assert_int_equal(C.lay.sel, 1);
	size_t n = C.shown->conv.n;
	key("y");
	assert_int_equal(C.shown->conv.n, n - 1);
	assert_string_equal(C.shown->conv.msgs[n - 2].content, "alpha apple");
	assert_int_equal(C.lay.n, 0); /* one answer: the single view */
}

/* S-F9: columns side by side scroll apart: the wheel over one scrolls it alone, PgUp
 * the one gone on from, M-End brings all to their ends; find scrolls the column of the
 * match; S-F9 again, they scroll together, as the wheel then does anywhere. */
static void test_columns_apart(void **state)
{
	(void)state;
	two_answers(30, "long and short", "line\n\n", 60, "short");
	size_t bottom = C.top_line;
	assert_true(bottom > 20);
	/* together: one line for all, but a shorter one stops at its end */
	assert_int_equal(ctl_col_top(&C, 0), bottom);
	assert_int_equal(ctl_col_top(&C, 1), 0);
	key("S-F9");
	assert_true(C.lay.apart);
	int x0 = C.chat_x + 2, x1 = C.chat_x + cols_x(C.lay.w, 1) + 2;
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x0, 0), now, wall));
	assert_int_equal(ctl_col_top(&C, 0), bottom - 3);
	assert_int_equal(ctl_col_top(&C, 1), 0); /* the short one: all of it shows */
	assert_true(C.more_below);
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x1, 0), now, wall));
	assert_int_equal(ctl_col_top(&C, 0), bottom - 3);
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x0, 1), now, wall));
	assert_int_equal(ctl_col_top(&C, 0), bottom);
	assert_false(C.more_below);
	key("PgUp"); /* the one gone on from: a */
	assert_true(ctl_col_top(&C, 0) < bottom);
	key("M-End");
	assert_int_equal(ctl_col_top(&C, 0), bottom);
	/* find: the match's column scrolls to it, the other stays */
	key("C-s");
	type("fo/a"); /* its header, the first line */
	assert_int_equal(C.find.n, 1);
	assert_int_equal(ctl_col_top(&C, 0), 0);
	key("Esc");
	key("S-F9");
	assert_false(C.lay.apart);
	assert_int_equal(C.top_line, 0);
	key("M-End");
	shell(ctl_key(&C, INPUT_WHEEL_AT(5, x1, 0), now, wall)); /* together: all */
	assert_int_equal(ctl_col_top(&C, 0), bottom - 3);
	assert_int_equal(ctl_col_top(&C, 1), 0);
	assert_int_equal(C.top_line, bottom - 3);
}

/* A click on a message selects it. */
static void test_click_selects(void **state)
{
	(void)state;
	exchange("clicked prompt", "clicked answer");
	size_t first = view_msg_first_line(C.view, 0);
	int y = (int)(first - C.top_line);
	shell(ctl_key(&C, INPUT_CLICK(y, C.chat_x + 2), now, wall));
	assert_int_equal(C.mode, MODE_SELECT);
	assert_int_equal(C.vmap[C.sel], msg_index("clicked prompt"));
	shell(ctl_key(&C, INPUT_CLICK(C.rows - 1, 1), now, wall)); /* the status line */
	assert_int_equal(C.vmap[C.sel], msg_index("clicked prompt"));
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
}

/* C-s: the lines holding the text (any case, Unicode too) are marked, Enter and Up go
 * from one to the next; folded reasoning holding it unfolds. */
static void test_find_in_chat(void **state)
{
	(void)state;
	exchange("Tell me about ÉCLAIRS", "An éclair is a pastry.\nÉclairs are long.");
	for (int i = 0; i < 30; i++)
		exchange("filler", "filler text");
	type("q");
	key("Enter");
	ctl_delta(&C, LAST(), "a hidden THOUGHT", 16, 1, now, wall);
	ctl_delta(&C, LAST(), "done", 4, 0, now, wall);
	end_stream(HIST_COMPLETE, NULL);
	key("F4");
	assert_true(view_folded(C.view));
	key("C-s");
	assert_int_equal(C.mode, MODE_FIND);
	type_text("éclair");
	assert_int_equal(C.find.n, 3);
	assert_true(C.find.have_cur);
	/* the view moved up to the match, which is marked as the current one */
	size_t line = C.find.lines[C.find.cur];
	assert_true(line >= C.top_line && line < C.top_line + (size_t)C.chat_h);
	assert_int_equal(ctl_find_mark(&C, line), 2);
	size_t at = C.find.cur;
	key("Enter");
	assert_int_equal(C.find.cur, (at + 1) % 3);
	key("Up");
	assert_int_equal(C.find.cur, at);
	key("C-u");
	type("thought");
	assert_false(view_folded(C.view));
	assert_int_equal(C.find.n, 1);
	assert_non_null(strstr(C.message, "unfolded"));
	key("C-u");
	type("zebra");
	assert_int_equal(C.find.n, 0);
	key("Enter");
	assert_non_null(strstr(C.message, "not found"));
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(ctl_find_mark(&C, line), 0);
	type("/find pastry");
	key("Enter");
	assert_int_equal(C.mode, MODE_FIND);
	assert_int_equal(C.find.n, 1);
	key("Esc");
}

/* C-r: every conversation searched in steps between events (fold-insensitive);
 * a result shows date, title and line; Enter opens it at the message, the text found. */
static void test_search_history(void **state)
{
	(void)state;
	exchange("Grüße aus KÖLN", "hello");
	key("C-n");
	exchange("weather", "It is cold in köln today.\nsecond line");
	key("C-n");
	exchange("nothing here", "at all");
	char want[HIST_ID_MAX + 1];
	key("C-r");
	assert_int_equal(C.mode, MODE_PICK);
	assert_int_equal(C.ov.kind, CTL_OV_SEARCH);
	type_text("KÖLN");
	assert_true(C.search.running);
	assert_true(ctl_next_timer(&C, now) == 0);
	for (int i = 0; i < 10 && C.search.running; i++)
		shell(ctl_timer(&C, now, wall));
	assert_false(C.search.running);
	assert_int_equal(C.ov.nmatch, 2);
	assert_int_equal(C.search.total, 3);
	/* (the order is newest first; here all have the same time) */
	size_t w = strstr(C.ov.labels[C.ov.match[0]], "weather") ? 0 : 1;
	const char *label = C.ov.labels[C.ov.match[w]];
	if (!strstr(label, "weather: It is cold in köln today."))
		fail_msg("label: %s", label);
	assert_null(strstr(label, "second line"));
	assert_non_null(strstr(label, "2023-11-14")); /* the date */
	assert_non_null(strstr(C.ov.labels[C.ov.match[1 - w]], "Grüße aus KÖLN: Grüße aus KÖLN"));
	snprintf(want, sizeof want, "%.*s", (int)strcspn(C.ov.items[C.ov.match[w]], "\t"),
		 C.ov.items[C.ov.match[w]]);
	if (w)
		key("Down");
	key("Enter");
	assert_string_equal(C.shown->conv.id, want);
	assert_int_equal(C.mode, MODE_FIND);
	assert_int_equal(C.find.n, 1);
	on_chat("It is cold in köln today.");
	key("Esc");
	/* one character searches nothing; Esc stops a search */
	key("C-r");
	type("k");
	assert_false(C.search.running);
	type_text("ö");
	assert_true(C.search.running);
	key("Esc");
	assert_false(C.search.running);
	assert_null(search);
}

/* M-k: a context break after the last answer; the next request sends only what follows
 * it, the earlier messages stay shown (dimmed), the break is saved (format version 2)
 * and M-k again restores the context. */
static void test_context_break(void **state)
{
	(void)state;
	key("M-k");
	assert_non_null(strstr(C.message, "no context"));
	exchange("old topic", "old answer");
	long before = C.totals.next_tokens;
	assert_true(before > 0);
	key("M-k");
	on_chat("context cleared");
	assert_true(C.shown->conv.msgs[msg_index("old answer")].context_break);
	assert_true(C.totals.next_tokens < before);
	assert_int_equal(ctl_msg_dimmed(&C, 0), 1);
	type("new topic");
	key("Enter");
	struct wire_msg *msgs;
	size_t n;
	assert_int_equal(chat_request_msgs(C.shown, ST()->answer, &msgs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(msgs[0].content, "new topic");
	free(msgs);
	end_stream(HIST_COMPLETE, NULL);
	on_chat("old answer");
	on_chat("context cleared");
	struct hist_conv d;
	struct err e;
	err_clear(&e);
	assert_int_equal(chat_save(C.shown, wall, &e), 0);
	assert_int_equal(histstore_load(&store, C.shown->conv.id, 1, &d, &e), HIST_LOAD_OK);
	size_t breaks = 0; /* journalled: the file's version says 2 once it is folded */
	for (size_t i = 0; i < d.n; i++)
		breaks += (size_t)d.msgs[i].context_break;
	assert_int_equal(breaks, 1);
	hist_conv_free(&d);
	/* selecting the old answer and x takes the break away */
	select_msg(msg_index("old answer"));
	key("x");
	assert_false(C.shown->conv.msgs[msg_index("old answer")].context_break);
	assert_null(strstr(chat_text(), "context cleared"));
	assert_int_equal(ctl_msg_dimmed(&C, 0), 0);
	key("Esc");
	select_msg(msg_index("old topic"));
	key("x");
	assert_non_null(strstr(C.message, "after an answer"));
}

/* The totals as counting them afresh gives them. */
static void assert_totals_fresh(const char *when)
{
	struct ctl_totals was = C.totals;
	C.totals.counted = 0;
	ctl_timer(&C, now, wall);
	if (was.next_tokens != C.totals.next_tokens || was.in != C.totals.in ||
	    was.out != C.totals.out || was.priced != C.totals.priced || was.cost != C.totals.cost)
		fail_msg("after %s the totals were ~%ld next, %ld in, %ld out, %d priced; counted "
			 "afresh ~%ld, %ld, %ld, %d", when, was.next_tokens, was.in, was.out,
			 was.priced, C.totals.next_tokens, C.totals.in, C.totals.out,
			 C.totals.priced);
}

/* The totals are counted again only when the conversation changed otherwise than by
 * its current answer's text (so a long conversation costs nothing more per event while
 * an answer streams): while it streams they follow its text, and after every change
 * they are what counting afresh gives. */
static void test_totals_follow_the_stream(void **state)
{
	(void)state;
	exchange("12345678", "answer");
	assert_totals_fresh("an exchange");
	type_text("and then");
	key("Enter");
	assert_totals_fresh("a send");
	long before = C.totals.next_tokens;
	static const char text[] = "forty bytes of answer, and forty more...";
	for (int i = 0; i < 10; i++) {
		now += 0.01;
		ctl_delta(&C, LAST(), text, sizeof text - 1, 0, now, wall);
		ctl_timer(&C, now, wall);
	}
	assert_int_equal(C.totals.next_tokens, before + 100); /* 400 bytes / 4 */
	assert_totals_fresh("an answer's deltas");
	end_stream(HIST_COMPLETE, NULL);
	assert_totals_fresh("an answer's end");
	type_text("typed");
	assert_totals_fresh("typing");
	key("C-u");
	key("M-k");
	assert_totals_fresh("a context break");
	assert_int_equal(C.totals.next_tokens, 0);
	key("M-k");
	assert_totals_fresh("the context back");
	assert_int_equal(C.totals.next_tokens, before + 100);
}

/* Tokens per answer in its header, the conversation's cost from config.json "prices"
 * (fo/a: 1000 and 2000 USD per million) in the status text and /stats; none invented
 * for a model without a price. */
static void test_tokens_and_cost(void **state)
{
	(void)state;
	struct buf t = BUF_INIT;
	ctl_totals_text(&C, &t);
	assert_string_equal(t.data, "~0 tok next");
	exchange("12345678", "answer"); /* 12 in, 4 out: (12000 + 8000) / 1e6 = $0.02 */
	on_chat("fo/a \xc2\xb7 12 in / 4 out \xc2\xb7 $0.0200");
	buf_reset(&t);
	ctl_totals_text(&C, &t);
	assert_string_equal(t.data, "~4 tok next \xc2\xb7 $0.0200"); /* 14 bytes / 4 */
	key("F2"); /* fo/b: no price */
	exchange("more", "x");
	on_chat("fo/b \xc2\xb7 12 in / 4 out\n");
	buf_reset(&t);
	ctl_totals_text(&C, &t);
	assert_non_null(strstr(t.data, "$0.0200"));
	type("/stats");
	key("Enter");
	on_chat("24 in, 8 out");
	on_chat("Cost: $0.0200 for the 1 answer whose model has a price");
	on_chat("bytes / 4");
	buf_free(&t);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_model_is_first_favourite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_streams_and_saves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_needs_a_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_key_keeps_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_while_streaming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_esc_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_esc_stops_from_overlay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_footer_and_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_picker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_favourites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_conversation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirm_any_other_key_is_no, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_unsaved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toggle_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_and_siblings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fold_reasoning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_rebound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deltas_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_editor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scrolling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize_keeps_the_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redraw_quit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_editing_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_recall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paste_never_sends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passphrase_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passphrase_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slash_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_paste_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_command_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_by_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_action_in_its_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mentions_ask_each_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_cap_and_stop_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_in_two_conversations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_picker_marks_stop_one_best, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_columns_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_order_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_resend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_click_selects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select_far_above_lazy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_in_chat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_break, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens_and_cost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals_follow_the_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_allow_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_deny_and_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_conversation_always_rounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tools_one_turn_at_a_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
