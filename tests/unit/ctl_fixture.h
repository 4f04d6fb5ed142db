/* ctl_fixture: what the controller's tests (tests/unit/test_ctl*.c) share: the world (a
 * conversation store in a temporary directory, a fixed model list, a config.json given
 * as text), a "shell" answering the controller's reactions as tui.c would, and the
 * moves a test makes: keys, typing, an exchange, a stream ended. Linked into each
 * test_ctl* binary (the Makefile); setup and teardown run around every test. */
#ifndef CHERRY_TEST_CTL_FIXTURE_H
#define CHERRY_TEST_CTL_FIXTURE_H

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

extern struct histstore store;
extern struct app app;
extern struct edit ed;
extern struct ctl C;
extern double now, wall;
/* The search of every conversation the shell runs, one conversation a step. */
extern struct histsearch *search;

/* What the fake shell saw. */
struct ctl_fixture_shell {
	int need_key, started, stops, saves, copies, editors, exports, quits, unlocks;
	int key_answer;         /* how CTL_NEED_KEY is answered */
	char passphrase[64];    /* what CTL_UNLOCK got */
	int env_key;            /* has_env_key's answer */
	int tool_starts, tool_runs, tool_stops, always; /* the tool loop's reactions */
	/* test_ctl_key's vault: its CTL_KEY_STORE answers (fixture.more) */
	int stores, created;
	int vault_exists, unlocked; /* unlocked: this run holds its data key */
	char vault_pass[64];
	char stored_provider[64], stored_key[128];
	int lists;              /* times the controller read the list itself (conv_list) */
};
extern struct ctl_fixture_shell sh;

/* What setup builds the world from: test_ctl's unless a test file's main changes it. */
struct ctl_fixture {
	const char *config;           /* config.json's text */
	const char *const *models;    /* the shell's model list */
	size_t nmodels;
	const char *env_key_for;      /* has_env_key answers sh.env_key for this provider
				       * only; NULL: for every one */
	const char *need_key_error;   /* what a missing key's error says */
	int key_answer;               /* sh.key_answer at setup */
	int rows, cols;               /* the screen's size */
	int (*more)(int r);           /* answers further reactions; returns the next ones */
	int (*list_refresh)(void);    /* the world's list_refresh (NULL: -1, the controller
				       * reads the list itself) */
};
extern struct ctl_fixture fixture;

/* The latest stream, and the state the status line speaks of. */
#define ST() (C.nstreams ? C.streams[C.nstreams - 1] : NULL)
#define LAST() (ST() ? ST()->id : 0ul)
enum ctl_state state_now(void);

/* cmocka's setup and teardown of every test. */
int setup(void **unused);
int teardown(void **unused);

/* Answers reactions as the shell would (without a transfer: a test ends streams). */
void shell(int r);
/* A key by its name (input_key_parse), ASCII typed, UTF-8 typed a code point a key. */
void key(const char *name);
void type(const char *s);
void type_text(const char *s);
/* Text pasted (bracketed: between INPUT_PASTE_START and _END). */
void paste(const char *text);
/* The input's text; every laid-out line of the chat joined by LF; s is in the chat. */
const char *input(void);
const char *chat_text(void);
void on_chat(const char *s);

/* Sends text and lets the answer stream in deltas, then end as complete. */
void exchange(const char *prompt, const char *answer);
/* Stream id, or the latest, ends with status (and an error line). */
void end_id(unsigned long id, enum hist_status status, const char *error);
void end_stream(enum hist_status status, const char *error);
/* The stream by the model it asks. */
struct ctl_stream *stream_of(const char *spec);

/* The tool loop: stream id's answer asks for n calls (it goes on streaming); the
 * latest does and ends complete; the server "fake" on, a prompt, and an answer calling
 * name with args; a tool turn left behind by an action or a command ends. */
void calls_on(unsigned long id, const char *const *names, const char *const *args, size_t n);
void answer_calls(const char *const *names, const char *const *args, size_t n);
void ask_tool(const char *name, const char *args);
void leave_tool_turn(void);

/* The index in the shown conversation of the message whose content is s; selecting the
 * view message showing conversation message i (M-s, then Up). */
size_t msg_index(const char *s);
void select_msg(size_t i);

#endif
