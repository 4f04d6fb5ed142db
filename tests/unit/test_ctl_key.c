/* test_ctl_key: /key in the controller, event by event: the key asked for on a masked
 * prompt (typed or pasted, bracketed paste's newline never submitting it), a new vault's
 * passphrase typed twice (empty and differing ones refused), a locked vault's passphrase
 * (a wrong one asked again; none once this run unlocked it), Esc at every step storing
 * nothing, the provider's variable asked about first, the offer when a send or the picker
 * finds no key and the send going again once the key is stored, a tool call's question
 * wiping a key or passphrase half typed; and every message the controller can show, at
 * 80 columns, shown whole. The "shell" here is a fake vault answering CTL_KEY_STORE. */
#include "cherry/sanitize.h"
#include "cherry/text.h"

#include "ctl_fixture.h"

#define CANARY "sk-test-CANARY-7e3f9a1c5b2d"
#define PASS "horse-staple-battery"

static const char config_text[] =
	"{\"providers\": {\"fo\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:9\","
	"  \"key_env\": \"FAKE_OPENAI_KEY\", \"models\": [\"a\", \"b\"]},"
	"  \"kc\": {\"kind\": \"openai\", \"base_url\": \"http://127.0.0.1:9\","
	"  \"key_command\": \"echo sk-test-x\", \"models\": [\"m\"]}},"
	" \"mcp_servers\": {\"fake\": {\"command\": \"/bin/true\"}},"
	" \"default_model\": \"fo/a\"}";

static const char *const models[] = {"fo/a", "fo/b"};

/* CTL_KEY_STORE as keyring_store answers it, against a vault of one passphrase. */
static int store_key(void)
{
	const char *key, *pass;
	size_t klen, plen;
	int create;
	const char *prov = ctl_key_to_store(&C, &key, &klen, &pass, &plen, &create);
	assert_non_null(prov);
	sh.stores++;
	enum ctl_store_result r;
	struct err e;
	err_clear(&e);
	if (!pass && sh.unlocked) {
		r = CTL_STORED;
	} else if (!pass) {
		r = sh.vault_exists ? CTL_STORE_NEED_PASSPHRASE : CTL_STORE_NEED_NEW;
	} else if (create) {
		assert_false(sh.vault_exists);
		snprintf(sh.vault_pass, sizeof sh.vault_pass, "%.*s", (int)plen, pass);
		sh.vault_exists = sh.created = 1;
		r = CTL_STORED;
	} else {
		r = plen == strlen(sh.vault_pass) && !memcmp(pass, sh.vault_pass, plen)
			? CTL_STORED : CTL_STORE_WRONG;
	}
	if (r == CTL_STORED) {
		sh.unlocked = 1; /* the keyring holds the vault it wrote */
		snprintf(sh.stored_provider, sizeof sh.stored_provider, "%s", prov);
		snprintf(sh.stored_key, sizeof sh.stored_key, "%.*s", (int)klen, key);
		sh.key_answer = CTL_KEY_OK; /* the next lookup finds it */
	}
	return ctl_key_stored(&C, r, &e, now, wall);
}

/* The reactions test_ctl's shell does not answer: CTL_KEY_STORE. */
static int store_reaction(int r)
{
	return r & CTL_KEY_STORE ? store_key() : 0;
}

/* The oldest answer streaming ends, complete. */
static void end_first_stream(void)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	o.status = HIST_COMPLETE;
	o.usage = (struct wire_usage){-1, -1, -1, -1};
	shell(ctl_stream_end(&C, C.streams[0]->id, &o, now, wall));
}

/* A line typed, then Enter. */
static void enter(const char *s)
{
	type(s);
	key("Enter");
}

/* Nothing the drawing reads holds the key: the prompt shows bullets only. */
static void key_nowhere(void)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < view_lines(C.view); i++) {
		struct view_line vl;
		view_line(C.view, i, &vl);
		buf_append(&b, vl.s, vl.len);
	}
	buf_printf(&b, "|%s|%s|%s|", C.message, input(), C.pw_prompt ? C.pw_prompt : "");
	ctl_key_question(&C, &b);
	assert_null(strstr(b.data ? b.data : "", "CANARY"));
	buf_free(&b);
}

/* The fake vault exists, under pass. */
static void vault_with(const char *pass)
{
	sh.vault_exists = 1;
	snprintf(sh.vault_pass, sizeof sh.vault_pass, "%s", pass);
}

static void prompt_is(const char *start)
{
	assert_int_equal(C.mode, MODE_PASSPHRASE);
	assert_non_null(C.pw_prompt);
	if (strncmp(C.pw_prompt, start, strlen(start)))
		fail_msg("the prompt is \"%s\", not \"%s...\"", C.pw_prompt, start);
}

/* /key with no vault: the key masked, a new passphrase twice, stored. */
static void test_key_new_vault(void **state)
{
	(void)state;
	enter("/key fo");
	prompt_is("API key for fo");
	type(CANARY);
	assert_int_equal(C.pw_chars, strlen(CANARY));
	key_nowhere();
	key("Enter");
	assert_int_equal(sh.stores, 1); /* which passphrase: none yet */
	prompt_is("New passphrase");
	assert_non_null(strstr(C.message, "cannot be recovered"));
	assert_int_equal(C.pw_len, 0);  /* the key left the prompt's buffer */
	enter(PASS);
	prompt_is("Repeat");
	enter(PASS);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_true(sh.created);
	assert_string_equal(sh.vault_pass, PASS);
	assert_string_equal(sh.stored_provider, "fo");
	assert_string_equal(sh.stored_key, CANARY);
	assert_non_null(strstr(C.message, "stored the key for fo"));
	assert_null(C.keyflow);
	assert_null(C.pw);
	assert_string_equal(input(), "");
	key_nowhere();
}

/* The vault was unlocked in this run: the key is stored with no passphrase asked. */
static void test_key_vault_unlocked(void **state)
{
	(void)state;
	vault_with(PASS);
	sh.unlocked = 1;
	enter("/key fo");
	enter(CANARY);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_int_equal(sh.stores, 1);
	assert_string_equal(sh.stored_key, CANARY);
	assert_non_null(strstr(C.message, "stored the key for fo"));
}

/* Tab completes a provider's name after /key. */
static void test_key_completes_provider(void **state)
{
	(void)state;
	type("/key anth");
	key("Tab");
	assert_string_equal(input(), "/key anthropic");
	enter("");
	prompt_is("API key for anthropic");
	key("Esc");
}

/* The two passphrases differ, or the first is empty: asked again, nothing stored. */
static void test_key_passphrase_mismatch(void **state)
{
	(void)state;
	enter("/key");
	prompt_is("API key for fo"); /* the current model's provider */
	enter(CANARY);
	key("Enter");
	prompt_is("New passphrase");
	assert_non_null(strstr(C.message, "must not be empty"));
	enter("one");
	enter("two");
	prompt_is("New passphrase");
	assert_non_null(strstr(C.message, "differ"));
	assert_false(sh.vault_exists);
	enter("three");
	enter("three");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(sh.vault_pass, "three");
	assert_string_equal(sh.stored_key, CANARY);
}

/* Esc at each step: nothing stored, what was typed wiped, the chat back. */
static void test_key_cancel(void **state)
{
	(void)state;
	vault_with(PASS);
	static const char *const steps[] = {"key", "unlock", "new", "repeat"};
	for (size_t i = 0; i < 4; i++) {
		sh.vault_exists = i < 2;
		enter("/key fo");
		type("sk-test-CANARY-typed");
		if (i > 0) {
			key("Enter");
			type("half a passphrase");
		}
		if (i == 3) {
			key("Enter");
			type("half");
		}
		key(i % 2 ? "C-g" : "Esc");
		if (C.mode != MODE_CHAT)
			fail_msg("Esc at the %s step left mode %d", steps[i], C.mode);
		assert_null(C.keyflow);
		assert_null(C.pw);
		assert_int_equal(C.pw_len, 0);
		assert_non_null(strstr(C.message, "no key stored"));
		assert_string_equal(input(), "");
		key_nowhere();
	}
	assert_string_equal(sh.stored_key, "");
}

/* A pasted key, bracketed: its newline does not submit it; blanks around it go. */
static void test_key_paste(void **state)
{
	(void)state;
	vault_with(PASS);
	enter("/key fo");
	paste(" " CANARY "\n");
	prompt_is("API key for fo");
	assert_int_equal(C.pw_chars, strlen(CANARY) + 1);
	key("Enter");
	prompt_is("Passphrase for the cherry key vault");
	paste(PASS);
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(sh.stored_key, CANARY);
}

/* What is not a key is refused at Enter and asked again; an overlong one is never cut. */
static void test_key_not_a_key(void **state)
{
	(void)state;
	enter("/key fo");
	enter("two words");
	prompt_is("API key for fo");
	assert_non_null(strstr(C.message, "not an API key"));
	assert_int_equal(C.pw_len, 0);
	assert_int_equal(sh.stores, 0);
	for (int i = 0; i < 4200; i++)
		shell(ctl_key(&C, 'k', now, wall));
	key("Enter");
	assert_non_null(strstr(C.message, "not an API key"));
	assert_int_equal(sh.stores, 0);
	key("Esc");
	/* a name that is no provider is never shown back: it may be the key */
	enter("/key " CANARY);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "/key takes a provider's name"));
	key_nowhere();
	/* a provider whose key comes from its key_command has nothing to store */
	enter("/key kc");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "key_command"));
}

/* The provider's variable holds a key: storing is asked first. */
static void test_key_env_asks(void **state)
{
	(void)state;
	sh.env_key = 1;
	enter("/key fo");
	assert_int_equal(C.mode, MODE_CONFIRM);
	struct buf q = BUF_INIT;
	ctl_key_question(&C, &q);
	assert_non_null(strstr(q.data, "FAKE_OPENAI_KEY is set"));
	buf_free(&q);
	key("n");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "nothing stored"));
	assert_int_equal(sh.stores, 0);
	enter("/key fo");
	key("y");
	prompt_is("API key for fo");
	key("Esc");
}

/* A send finds no key: the key is asked for there, the vault unlocked (a wrong
 * passphrase asked again), and the message goes once it is stored. */
static void test_key_resend_after_store(void **state)
{
	(void)state;
	vault_with(PASS);
	enter("hello there");
	assert_int_equal(sh.need_key, 1);
	assert_int_equal(sh.started, 0);
	prompt_is("fo needs a key: enter it now (stored encrypted), or Esc");
	assert_string_equal(input(), "hello there");
	enter(CANARY);
	prompt_is("Passphrase for the cherry key vault");
	enter("wrong");
	prompt_is("Wrong passphrase");
	enter(PASS);
	assert_string_equal(sh.stored_key, CANARY);
	assert_int_equal(sh.need_key, 2);
	assert_int_equal(sh.started, 1);
	assert_int_equal(C.mode, MODE_CHAT);
	assert_string_equal(input(), "");
	assert_int_equal(C.shown->conv.n, 2);
	assert_string_equal(C.shown->conv.msgs[0].content, "hello there");
	key_nowhere();
}

/* F5 finds no key: it is asked for, typed, and stored in the vault (under PASS). */
static void retry_storing_key(void)
{
	sh.key_answer = CTL_KEY_MISSING;
	vault_with(PASS);
	key("F5");
	prompt_is("fo needs a key");
	enter(CANARY);
	enter(PASS);
}

/* F5 finds no key: once it is stored the answer is asked again, beside the first. */
static void test_key_retry_after_store(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_OK;
	enter("question");
	assert_int_equal(sh.started, 1);
	shell(ctl_delta(&C, C.streams[0]->id, "first", 5, 0, now, wall));
	end_first_stream();
	retry_storing_key();
	assert_int_equal(sh.started, 2);
	assert_int_equal(C.shown->conv.n, 3); /* the question and two sibling answers */
	assert_int_equal(C.mode, MODE_CHAT);
}

/* F5 on the answer of a model other than the one chosen (several were asked) finds no
 * key: once it is stored, that answer's own model is asked again, not the chosen one. */
static void test_key_retry_keeps_own_model(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_OK;
	enter("@fo/a @fo/b question");
	assert_int_equal(sh.started, 2);
	end_first_stream();
	end_first_stream();
	key("M-."); /* the conversation goes on from fo/b's answer */
	retry_storing_key();
	assert_int_equal(sh.started, 3);
	assert_int_equal(C.nstreams, 1);
	assert_string_equal(C.streams[0]->spec, "fo/b");
	assert_string_equal(C.model, "fo/a"); /* the chosen model stays */
	assert_int_equal(C.mode, MODE_CHAT);
}

/* A queued message going while the key is typed leaves the prompt to it: what is typed
 * next never lands in the input. */
static void test_key_prompt_kept_while_queue_sends(void **state)
{
	(void)state;
	sh.key_answer = CTL_KEY_OK;
	enter("first");
	enter("second"); /* queued behind the first answer */
	assert_int_equal(C.nqueue, 1);
	enter("/key fo");
	type("sk-test-CANARY-");
	end_first_stream();
	assert_int_equal(sh.started, 2); /* the queued one went */
	prompt_is("API key for fo");
	type("rest");
	assert_int_equal(C.pw_chars, strlen("sk-test-CANARY-rest"));
	assert_null(strstr(input(), "CANARY"));
	vault_with(PASS);
	key("Enter");
	enter(PASS);
	assert_string_equal(sh.stored_key, "sk-test-CANARY-rest");
	assert_int_equal(C.mode, MODE_CHAT);
}

/* The server "fake" on, and an answer streaming that may call its tools. */
static void tool_turn_streams(void)
{
	sh.key_answer = CTL_KEY_OK;
	enter("/tools fake on");
	enter("use a tool");
	assert_int_equal(C.nstreams, 1);
}

/* The oldest answer streaming asks for a tool call, then ends. */
static void first_stream_calls_a_tool(void)
{
	struct wire_stream ws;
	memset(&ws, 0, sizeof ws);
	ws.calls = calloc(1, sizeof *ws.calls);
	assert_non_null(ws.calls);
	ws.ncalls = ws.capcalls = 1;
	ws.calls[0].id = strdup("call_1");
	ws.calls[0].name = strdup("fake__echo");
	buf_append_str(&ws.calls[0].args, "{}");
	struct err e;
	err_clear(&e);
	assert_int_equal(ctl_stream_calls(&C, C.streams[0]->id, &ws, wall, &e), 1);
	wire_stream_free(&ws);
	end_first_stream();
	assert_int_equal(C.mode, MODE_TOOLS);
}

/* A tool call asking while the key is typed: /key ends, wiping it, so that nothing typed
 * after the question falls into the input. */
static void test_key_ends_for_a_tool_call(void **state)
{
	(void)state;
	tool_turn_streams();
	enter("/key fo");
	type("sk-test-CANARY-");
	first_stream_calls_a_tool();
	assert_null(C.keyflow);
	assert_null(C.pw);
	assert_non_null(strstr(C.message, "/key stopped, nothing stored"));
	key("Esc");
	type("rest");
	assert_null(strstr(input(), "CANARY"));
	assert_string_equal(sh.stored_key, "");
}

/* The same while the vault's passphrase is typed for a message in another conversation:
 * the unlock is cancelled, the message stays in the input, and the passphrase typed so
 * far is wiped, never sent as text. */
static void test_unlock_ends_for_a_tool_call(void **state)
{
	(void)state;
	tool_turn_streams();
	key("C-n");
	sh.key_answer = CTL_KEY_NEED_PASSPHRASE;
	enter("hello b");
	prompt_is("Passphrase for the cherry key vault");
	type("half-of-the-pass");
	first_stream_calls_a_tool();
	assert_null(C.pw);
	assert_false(C.pending.active);
	assert_non_null(strstr(C.message, "the vault stays locked"));
	sh.key_answer = CTL_KEY_OK; /* the turn goes on: its next answer streams */
	key("d");
	type("phrase");
	assert_null(strstr(input(), "half-of-the-pass"));
	assert_non_null(strstr(input(), "hello b"));
}

/* Three wrong passphrases: /key gives up, nothing stored, nothing sent. */
static void test_key_wrong_thrice(void **state)
{
	(void)state;
	vault_with(PASS);
	enter("hi");
	enter(CANARY);
	for (int i = 0; i < 3; i++) {
		enter("nope");
	}
	assert_int_equal(C.mode, MODE_CHAT);
	assert_non_null(strstr(C.message, "3 tries"));
	assert_string_equal(sh.stored_key, "");
	assert_int_equal(sh.started, 0);
	assert_string_equal(input(), "hi");
}

/* The picker's rows that need a key say /key; Enter on one asks for the key. */
static void test_picker_offers_key(void **state)
{
	(void)state;
	key("C-o");
	type("openai/");
	assert_true(C.ov.nmatch > 0);
	const char *label = C.ov.labels[C.ov.match[C.ov.sel]];
	assert_non_null(strstr(label, "(needs OPENAI_API_KEY)"));
	assert_non_null(strstr(label, "/key"));
	key("Enter");
	assert_int_equal(strncmp(C.model, "openai/", 7), 0);
	prompt_is("openai needs a key: enter it now (stored encrypted), or Esc");
	key("Esc");
	assert_int_equal(C.mode, MODE_CHAT);
	/* the model stays chosen without its key: the picker lists it once, where it says
	 * what it needs, the cursor on it */
	char chosen[sizeof C.model];
	snprintf(chosen, sizeof chosen, "%s", C.model);
	key("C-o");
	size_t seen = 0;
	for (size_t i = 0; i < C.ov.nitems; i++)
		seen += !strcmp(C.ov.items[i], chosen);
	assert_int_equal(seen, 1);
	assert_string_equal(C.ov.items[C.ov.match[C.ov.sel]], chosen);
	assert_non_null(strstr(C.ov.labels[C.ov.match[C.ov.sel]], "(needs OPENAI_API_KEY)"));
	key("Esc");
	/* a known model asks nothing */
	key("C-o");
	enter("fo/b");
	assert_int_equal(C.mode, MODE_CHAT);
}

/* The picker after a key is stored: its provider's models are offered as known ones,
 * and choosing one asks for no key again (it asked, and the next thing typed became the
 * key); with no model chosen yet the stored key's provider gives the first. A vault not
 * unlocked yet may hold any provider's key: its models are offered without asking. */
static void test_picker_after_key_stored(void **state)
{
	(void)state;
	C.model[0] = '\0'; /* a newcomer: no model chosen */
	enter("/key openai");
	enter(CANARY);
	enter(PASS);
	enter(PASS);
	assert_string_equal(sh.stored_provider, "openai");
	assert_non_null(strstr(C.message, "stored the key for openai"));
	assert_int_equal(strncmp(C.model, "openai/", 7), 0);
	assert_non_null(strstr(C.message, C.model));
	key("C-o");
	type("openai/");
	assert_true(C.ov.nmatch > 0);
	for (size_t i = 0; i < C.ov.nmatch; i++) { /* (groq/openai/... matches too) */
		const char *label = C.ov.labels[C.ov.match[i]];
		if (!strncmp(C.ov.items[C.ov.match[i]], "openai/", 7))
			assert_true(!label || !strstr(label, "needs"));
	}
	key("Enter");
	assert_int_equal(C.mode, MODE_CHAT);
	assert_null(C.keyflow);
	/* another provider still says what it needs */
	key("C-o");
	type("anthropic/");
	assert_non_null(strstr(C.ov.labels[C.ov.match[C.ov.sel]], "(needs ANTHROPIC_API_KEY)"));
	key("Esc");
	/* the next run: the vault is there, locked */
	sh.unlocked = 0;
	key("C-o");
	type("anthropic/");
	assert_true(C.ov.nmatch > 0);
	const char *label = C.ov.labels[C.ov.match[C.ov.sel]];
	assert_true(!label || !strstr(label, "needs"));
	key("Enter");
	assert_int_equal(strncmp(C.model, "anthropic/", 10), 0);
	assert_null(C.keyflow);
}

/* ---- every message whole at 80 columns ---- */

/* The status line as drawn: whole on it, or wrapped whole on the rows above. */
static void shown_whole(const char *msg)
{
	shell(ctl_note(&C, msg));
	struct buf line = BUF_INIT, safe = BUF_INIT;
	ctl_status_head(&C, &line);
	buf_printf(&line, " \xc2\xb7 %s", C.message);
	sanitize_string(line.data, line.len, &safe);
	int fits = text_width(safe.data, safe.len) <= ctl_status_room(C.cols);
	buf_reset(&safe);
	sanitize_string(C.message, strlen(C.message), &safe);
	int rows = text_wrap(safe.data, safe.len, C.cols - 2, NULL, NULL);
	if (fits ? C.msg_rows != 0 : C.msg_rows != rows)
		fail_msg("at %d columns \"%s\" takes %d rows, not %d", C.cols, msg, C.msg_rows,
			 fits ? 0 : rows);
	assert_true(C.chat_h >= 1);
	assert_int_equal(C.rows, C.chat_h + C.input_h + 1 + C.msg_rows + 1);
	/* it stays until the next key */
	now += 60;
	shell(ctl_timer(&C, now, wall));
	if (!fits)
		assert_string_equal(C.message, msg);
	key("C-u");
	assert_int_equal(C.msg_rows, 0);
	buf_free(&line);
	buf_free(&safe);
}

/* A format as the controller fills it: every conversion a long word. */
static void expand(const char *fmt, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (fmt[i] != '%') {
			buf_append_char(out, fmt[i]);
			continue;
		}
		if (i + 1 < len && fmt[i + 1] == '%') {
			buf_append_char(out, '%');
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < len && strchr("0123456789.*-+ #lzhjt", fmt[j]))
			j++;
		buf_append_str(out, fmt[j] == 's' ? "openai/gpt-5.4-mini-2026" : "12345");
		i = j;
	}
}

/* Every ctl_message(c, "...") of the controller's sources, each filled as above. */
static void test_messages_whole_at_80(void **state)
{
	(void)state;
	static const char *const files[] = {
		"src/ctl.c", "src/ctl_attach.c", "src/ctl_cmds.c", "src/ctl_conv.c",
		"src/ctl_find.c", "src/ctl_key.c", "src/ctl_keys.c", "src/ctl_layout.c",
		"src/ctl_modes.c", "src/ctl_multi.c", "src/ctl_select.c", "src/ctl_send.c",
		"src/ctl_tools.c", "src/ctl_toolview.c"};
	size_t checked = 0;
	for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
		size_t len;
		char *src = harness_read_file(files[f], &len);
		if (!src)
			fail_msg("cannot read %s (run from the source tree)", files[f]);
		for (char *p = src; (p = strstr(p, "ctl_message(c, \"")); p++) {
			/* the literal, joined across lines as the compiler joins it */
			struct buf fmt = BUF_INIT, msg = BUF_INIT;
			char *q = p + strlen("ctl_message(c, ");
			while (*q == '"') {
				char *end = q + 1;
				while (*end && *end != '"')
					end += *end == '\\' ? 2 : 1;
				buf_append(&fmt, q + 1, (size_t)(end - q - 1));
				q = end + 1;
				while (*q == ' ' || *q == '\t' || *q == '\n')
					q++;
			}
			expand(fmt.data ? fmt.data : "", fmt.len, &msg);
			shown_whole(msg.data ? msg.data : "");
			checked++;
			buf_free(&fmt);
			buf_free(&msg);
		}
		free(src);
	}
	assert_true(checked > 80);
	/* the shell's lines and the longest a message can be */
	shown_whole("no API key for openai: set OPENAI_API_KEY or store one with: cherry key "
		    "set openai");
	char longest[sizeof C.message];
	for (size_t i = 0; i < sizeof longest - 1; i++)
		longest[i] = i % 9 == 8 ? ' ' : 'w';
	longest[sizeof longest - 1] = '\0';
	shown_whole(longest);
	memset(longest, 'x', sizeof longest - 1);
	shown_whole(longest);
	/* and a short one stays on the status line, going after its seconds */
	shown_whole("copied");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	fixture.config = config_text;
	fixture.models = models;
	fixture.nmodels = sizeof models / sizeof *models;
	fixture.env_key_for = "fo";
	fixture.need_key_error = "no API key for fo: set FAKE_OPENAI_KEY or store one with: "
				 "cherry key set fo";
	fixture.key_answer = CTL_KEY_MISSING;
	fixture.rows = 24;
	fixture.cols = 80;
	fixture.more = store_reaction;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_new_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_vault_unlocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_completes_provider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_passphrase_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_paste, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_not_a_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_env_asks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_resend_after_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_retry_after_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_retry_keeps_own_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_prompt_kept_while_queue_sends, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_key_ends_for_a_tool_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlock_ends_for_a_tool_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_wrong_thrice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_picker_offers_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_picker_after_key_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_whole_at_80, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
