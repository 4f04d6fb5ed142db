/* main: global options, set-up shared by every command, and dispatch. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cherry/app.h"
#include "cherry/crash.h"
#include "cherry/fsutil.h"
#include "cherry/harden.h"
#include "cherry/histstore.h"
#include "cherry/keycmd.h"
#include "cherry/loop.h"
#include "cherry/privacy.h"

/* One usage text per command: `cherry COMMAND --help` prints it, `cherry --help` all. */
static const char ask_usage[] =
	"usage: cherry ask [-m PROVIDER/MODEL]... [-s SYSTEM] [-c ID | --new | --no-save]\n"
	"                  [--raw] [--json] [--show-reasoning] [--stats] [--passphrase-fd N]\n"
	"                  [-f FILE]... [--mcp SERVER]... [--allow-tool SERVER/TOOL]...\n"
	"                  [--allow-tools] [PROMPT...]\n"
	"  stream one answer to stdout; stdin, when it is not a terminal, is added to the\n"
	"  prompt; -f attaches a file (text, image or PDF; -f - reads stdin); several -m ask\n"
	"  every model at once, each answer under a \"## PROVIDER/MODEL\" header; --json\n"
	"  writes JSON Lines events (text, reasoning, done, error) as they arrive; --mcp\n"
	"  offers the server's tools, each call confirmed on the terminal (or allowed)\n";
static const char models_usage[] =
	"usage: cherry models [--refresh] [PROVIDER]\n"
	"  list models, one PROVIDER/MODEL a line\n";
static const char providers_usage[] =
	"usage: cherry providers [test NAME [MODEL]]\n"
	"  list providers: kind, base URL, key source, privacy policy; test sends the\n"
	"  smallest request and says which step works: DNS, connect, TLS, auth, model, chat\n";
static const char privacy_usage[] =
	"usage: cherry privacy [--report | --delete | --send]\n"
	"  the privacy summary with the paths in use; the anonymous local report: show,\n"
	"  delete, send (opt-in)\n";

static const char mcp_usage[] =
	"usage: cherry mcp [list | tools NAME | test NAME]\n"
	"  the MCP servers in config.json; one server's tools and their input schemas;\n"
	"  a connectivity check (initialize, tools/list, ping, shutdown)\n";

static const char usage_head[] =
	"usage: cherry [--passphrase-fd N] [-m PROVIDER/MODEL] [-a ASSISTANT] [-c ID]\n"
	"       cherry [--passphrase-fd N] COMMAND [ARGS...]\n"
	"\n"
	"With no command, cherry opens the full-screen client (F1 there lists every key).\n"
	"\n"
	"Commands (each takes --help for its own usage):\n"
	"\n";
static const char usage_tail[] =
	"options:\n"
	"  --passphrase-fd N   read the vault passphrase from file descriptor N\n"
	"  -h, --help          show this help\n"
	"  --version           show the version\n"
	"\n"
	"The full manual: man cherry. The privacy policy: the PRIVACY file.\n";

static int key_main(struct app *app, int argc, char **argv)
{
	return keycmd_main(argc, argv, &app->cfg, &app->kopts);
}

struct command {
	const char *name;
	const char *usage;
	int (*run)(struct app *app, int argc, char **argv);
};

static const struct command commands[] = {
	{"ask", ask_usage, ask_main},
	{"history", history_usage, history_main},
	{"models", models_usage, models_main},
	{"providers", providers_usage, providers_main},
	{"key", keycmd_usage, key_main},
	{"privacy", privacy_usage, privacy_main},
	{"mcp", mcp_usage, mcp_main},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_usage(void)
{
	fputs(usage_head, stdout);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		fputs(commands[i].usage, stdout);
		fputc('\n', stdout);
	}
	fputs(usage_tail, stdout);
}

/* `--help` (or `-h`) among a command's arguments, before any `--`: the words after it
 * are prompt text or names, never options. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

static int unknown_command(const char *cmd)
{
	const char *names[NCOMMANDS + 2];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	names[NCOMMANDS] = "help";
	names[NCOMMANDS + 1] = NULL;
	const char *near = app_suggest(cmd, names);
	if (near)
		return app_usage("unknown command \"%s\"; did you mean \"%s\"? (see cherry --help)",
				 cmd, near);
	return app_usage("unknown command \"%s\" (see cherry --help)", cmd);
}

static void warn_line(void *ctx, const char *line)
{
	(void)ctx;
	app_say(stderr, "cherry: warning: %s\n", line);
}

static int load_config(struct app *app, struct err *e)
{
	struct buf dir = BUF_INIT;
	if (xdg_dir(XDG_CONFIG, &dir, e) < 0)
		return -1;
	int r = -1;
	if (buf_append_str(&dir, "/config.json") == 0)
		r = config_load(&app->cfg, dir.data, getenv, warn_line, NULL, e);
	else
		err_set(e, EXIT_FAIL, "out of memory");
	buf_free(&dir);
	return r;
}

/* TLS session secrets written to a file would expose keys and conversations. */
static void refuse_keylog(void)
{
	if (getenv("SSLKEYLOGFILE")) {
		fprintf(stderr, "cherry: warning: SSLKEYLOGFILE is set; ignoring it so TLS "
				"secrets are not written to disk\n");
		unsetenv("SSLKEYLOGFILE");
	}
}

static int parse_fd(const char *s, int *fd)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 1 << 20)
		return -1;
	*fd = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	struct err e;
	err_clear(&e);
	if (harden_process(&e) < 0)
		return app_fail(&e);
	/* Without it cherry still runs; only the crash record is lost. */
	(void)crash_install(&e);
	err_clear(&e);
	/* SIGXFSZ would kill us at a file-size limit; ignored, a write past it fails with
	 * EFBIG and the save reports it (conversations, state files). */
	signal(SIGXFSZ, SIG_IGN);
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, 0};
	if (loop_signals_init(sigs, &e) < 0)
		return app_fail(&e);
	refuse_keylog();

	struct app app;
	memset(&app, 0, sizeof app);
	app.kopts.passphrase_fd = -1;

	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_usage();
			return EXIT_OK;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("cherry %s\n", CHERRY_VERSION);
			return EXIT_OK;
		} else if (!strcmp(a, "--passphrase-fd") || !strncmp(a, "--passphrase-fd=", 16)) {
			const char *v = a[15] == '=' ? a + 16 : (i + 1 < argc ? argv[++i] : "");
			if (parse_fd(v, &app.kopts.passphrase_fd) < 0)
				return app_usage("--passphrase-fd needs a file descriptor number");
		} else if (!strcmp(a, "--")) {
			i++;
			break;
		} else {
			break; /* the full-screen client's own options (-m, -a, -c) */
		}
	}
	const char *cmd = i < argc && argv[i][0] != '-' ? argv[i] : NULL;
	const struct command *command = NULL;
	if (cmd && !strcmp(cmd, "help")) {
		/* `cherry help` and `cherry help COMMAND` */
		const struct command *about = i + 1 < argc ? find_command(argv[i + 1]) : NULL;
		if (i + 1 < argc && !about)
			return unknown_command(argv[i + 1]);
		if (about)
			fputs(about->usage, stdout);
		else
			print_usage();
		return EXIT_OK;
	}
	if (cmd && !(command = find_command(cmd)))
		return unknown_command(cmd);
	if (command && wants_help(argc - i, argv + i)) {
		fputs(command->usage, stdout);
		return EXIT_OK;
	}

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(&e, EXIT_FAIL, "cannot initialise libcurl");
		return app_fail(&e);
	}
	int status;
	if (load_config(&app, &e) < 0) {
		status = app_fail(&e);
		goto out;
	}
	app.kopts.passphrase_command = app.cfg.passphrase_command;
	app.keyring = keyring_new(&app.kopts);
	if (!app.keyring) {
		err_set(&e, EXIT_FAIL, "out of memory");
		status = app_fail(&e);
		goto out;
	}
	if (!cmd || strcmp(cmd, "privacy"))
		privacy_maybe_send_daily(&app);
	int sub_argc = argc - i;
	char **sub_argv = argv + i;
	status = command ? command->run(&app, sub_argc, sub_argv)
			 : tui_main(&app, sub_argc, sub_argv);
out:
	/* Counts are kept only when written here; a failure must not change the status. */
	err_clear(&e);
	(void)privacy_flush(&e);
	keyring_free(app.keyring);
	config_free(&app.cfg);
	curl_global_cleanup();
	return status;
}
