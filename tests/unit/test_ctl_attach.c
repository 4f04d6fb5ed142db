/* test_ctl_attach: files for the next message (ctl_attach.c), event by event
 * (ctl_fixture.h), with a shell that stores nothing: /attach, its chips and completion,
 * the chooser, a model that cannot see, and a long paste or a pasted path offered. */
#include "ctl_fixture.h"

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

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_paste_offered, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
