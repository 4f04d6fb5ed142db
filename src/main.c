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

static const char usage_text[] =
	"usage: cherry [--passphrase-fd N] [-m PROVIDER/MODEL] [-a ASSISTANT] [-c ID]\n"
	"       cherry [--passphrase-fd N] COMMAND [ARGS...]\n"
	"\n"
	"With no command, cherry opens the full-screen client (F1 there lists every key).\n"
	"\n"
	"commands:\n"
	"  ask [-m PROVIDER/MODEL] [-s SYSTEM] [-c ID | --new | --no-save] [--raw]\n"
	"      [--show-reasoning] [--stats] [PROMPT...]\n"
	"                                  stream one answer to stdout; stdin, when it is\n"
	"                                  not a terminal, is added to the prompt\n"
	"  history list [--json] | show ID [--json] | search TEXT |\n"
	"          export ID --format md|json | rm ID [-f]\n"
	"                                  saved conversations\n"
	"  models [--refresh] [PROVIDER]   list models, one PROVIDER/MODEL a line\n"
	"  providers                       list providers: kind, base URL, key source, privacy policy\n"
	"  key set PROVIDER [--kdf interactive] | key list | key rm PROVIDER | key passwd\n"
	"                                  manage API keys in the encrypted vault\n"
	"  privacy [--report | --delete | --send]\n"
	"                                  the privacy summary with the paths in use; the\n"
	"                                  anonymous local report: show, delete, send (opt-in)\n"
	"\n"
	"options:\n"
	"  --passphrase-fd N   read the vault passphrase from file descriptor N\n"
	"  -h, --help          show this help\n"
	"  --version           show the version\n"
	"\n"
	"The full manual: man cherry. The privacy policy: the PRIVACY file.\n";

static void warn_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "cherry: warning: %s\n", line);
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
			fputs(usage_text, stdout);
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
	if (cmd && strcmp(cmd, "ask") && strcmp(cmd, "models") && strcmp(cmd, "providers") &&
	    strcmp(cmd, "key") && strcmp(cmd, "privacy") && strcmp(cmd, "history") &&
	    strcmp(cmd, "help"))
		return app_usage("unknown command \"%s\" (see cherry --help)", cmd);
	if (cmd && !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
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
	if (!cmd)
		status = tui_main(&app, sub_argc, sub_argv);
	else if (!strcmp(cmd, "ask"))
		status = ask_main(&app, sub_argc, sub_argv);
	else if (!strcmp(cmd, "models"))
		status = models_main(&app, sub_argc, sub_argv);
	else if (!strcmp(cmd, "providers"))
		status = providers_main(&app, sub_argc, sub_argv);
	else if (!strcmp(cmd, "history"))
		status = history_main(&app, sub_argc, sub_argv);
	else if (!strcmp(cmd, "privacy"))
		status = privacy_main(&app, sub_argc, sub_argv);
	else
		status = keycmd_main(sub_argc, sub_argv, &app.cfg, &app.kopts);
out:
	/* Counts are kept only when written here; a failure must not change the status. */
	err_clear(&e);
	(void)privacy_flush(&e);
	keyring_free(app.keyring);
	config_free(&app.cfg);
	curl_global_cleanup();
	return status;
}
