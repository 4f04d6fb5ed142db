/* cmd_privacy: `cherry privacy`: the policy summary with the paths in use, the report
 * as it would be sent, deleting it, and the opt-in sending (now or once a day). */
#include "cherry/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cherry/app.h"
#include "cherry/fsutil.h"
#include "cherry/tls.h"

#define DAY_SECONDS 86400

static const char *on_off(const struct app *app)
{
	return app->cfg.telemetry_enabled && app->cfg.telemetry_endpoint ? "on" : "off";
}

static int print_summary(const struct app *app, struct err *e)
{
	struct buf cfg = BUF_INIT, data = BUF_INIT, state = BUF_INIT, cache = BUF_INIT;
	int rc = -1;
	if (xdg_dir(XDG_CONFIG, &cfg, e) < 0 || xdg_dir(XDG_DATA, &data, e) < 0 ||
	    xdg_dir(XDG_STATE, &state, e) < 0 || xdg_dir(XDG_CACHE, &cache, e) < 0)
		goto out;
	/* the paths come from the environment: control characters are shown, not sent */
	struct buf *paths[] = {&cfg, &data, &state, &cache};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		struct buf safe = BUF_INIT;
		if (app_line_safe(paths[i]->data, paths[i]->len, &safe) < 0 || !safe.data) {
			buf_free(&safe);
			err_set(e, EXIT_FAIL, "out of memory");
			goto out;
		}
		buf_free(paths[i]);
		*paths[i] = safe;
	}
	printf("cherry privacy policy, version %d (the PRIVACY file; man cherry, PRIVACY)\n"
	       "\n"
	       "Your prompts, conversations, attached files and API keys go only to the\n"
	       "provider you choose, directly from this machine with your key. cherry has no\n"
	       "server and no relay.\n"
	       "What a provider does with your data is governed by its own policy: `cherry\n"
	       "providers` shows where to read each one.\n"
	       "\n"
	       "What cherry keeps on this machine (files readable by you only):\n"
	       "  settings            %s/config.json\n"
	       "  API keys, encrypted %s/keys.vault\n"
	       "  conversations       %s/conversations/\n"
	       "  attached files      %s/attachments/ (deleted with the last conversation\n"
	       "                      that refers to them)\n"
	       "  model lists         %s/\n"
	       "  earlier prompts     %s/prompts.json (the full-screen client's Up/Down)\n"
	       "  anonymous report    %s/report.json\n"
	       "\n"
	       "The anonymous report holds only cherry's version, the OS family, how often\n"
	       "features were used, and error and crash records (code, signal, version): never\n"
	       "prompts, answers, keys, titles, file names, URLs, host or user names.\n"
	       "  cherry privacy --report   print it, exactly as it would be sent\n"
	       "  cherry privacy --delete   delete it\n"
	       "\n",
	       PRIVACY_VERSION, cfg.data, data.data,
	       data.data, data.data, cache.data, state.data, state.data);
	if (!strcmp(on_off(app), "on"))
		app_say(stdout, "Sending the report: on (telemetry.enabled), to %s, at most once a "
			"day;\n`cherry privacy --send` sends it now.\n", app->cfg.telemetry_endpoint);
	else
		printf("Sending the report: off (the default). Nothing is sent unless you set\n"
		       "telemetry.enabled to true and name a telemetry.endpoint in config.json.\n");
	rc = 0;
out:
	buf_free(&cfg);
	buf_free(&data);
	buf_free(&state);
	buf_free(&cache);
	return rc;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* POSTs body to url with the same URL policy as provider requests: https, or http to
 * loopback only; no redirects, no netrc. */
static int post_report(const struct app *app, const char *url, const struct buf *body,
		       long timeout_ms, struct err *e)
{
	int loopback;
	if (!http_url_allowed(url, &loopback)) {
		err_set(e, EXIT_FAIL, "telemetry.endpoint must be an https:// URL "
				      "(http:// only to this machine); nothing was sent");
		return -1;
	}
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	if (!c || !h) {
		curl_easy_cleanup(c);
		curl_slist_free_all(h);
		err_set(e, EXIT_FAIL, "cannot start libcurl");
		return -1;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, loopback ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	tls_setup(c, app->cfg.ca_file);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2 * timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "cherry/" CHERRY_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (cc != CURLE_OK) {
		err_set(e, EXIT_NETWORK, "cannot send the report: %s",
			errbuf[0] ? errbuf : curl_easy_strerror(cc));
		return -1;
	}
	if (status < 200 || status > 299) {
		err_set(e, EXIT_NETWORK, "the collection endpoint answered HTTP %ld", status);
		return -1;
	}
	return 0;
}

static int send_now(const struct app *app, long timeout_ms, struct err *e)
{
	struct buf body = BUF_INIT;
	int rc = privacy_report_text(&body, e);
	if (rc == 0)
		rc = post_report(app, app->cfg.telemetry_endpoint, &body, timeout_ms, e);
	buf_free(&body);
	return rc;
}

/* The time of the last send attempt, for the once-a-day rule (0: never). */
static long long last_sent(const struct buf *path)
{
	struct buf text = BUF_INIT;
	struct err e;
	long long t = 0;
	if (fs_read_file(path->data, 64, &text, &e) == 0)
		t = strtoll(text.data, NULL, 10);
	buf_free(&text);
	return t;
}

void privacy_maybe_send_daily(struct app *app)
{
	if (!app->cfg.telemetry_enabled || !app->cfg.telemetry_endpoint)
		return;
	struct buf dir = BUF_INIT, path = BUF_INIT;
	struct err e;
	err_clear(&e);
	if (xdg_dir(XDG_STATE, &dir, &e) < 0 || buf_printf(&path, "%s/report-sent", dir.data) < 0)
		goto out;
	long long now = (long long)time(NULL);
	long long last = last_sent(&path);
	if (last > 0 && now - last < DAY_SECONDS && last <= now)
		goto out;
	/* Recorded before sending: a dead endpoint costs one try a day, not one a start. */
	char stamp[32];
	int n = snprintf(stamp, sizeof stamp, "%lld\n", now);
	if (fs_mkdirs(dir.data, &e) < 0 || fs_write_atomic(path.data, stamp, (size_t)n, &e) < 0)
		goto out;
	(void)send_now(app, 3000, &e);
out:
	buf_free(&dir);
	buf_free(&path);
}

int privacy_main(struct app *app, int argc, char **argv)
{
	struct err e;
	err_clear(&e);
	const char *action = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--report") && strcmp(a, "--delete") && strcmp(a, "--reset") &&
		    strcmp(a, "--send"))
			return app_usage("privacy: unknown argument %s (use --report, --delete "
					 "or --send)", a);
		if (action)
			return app_usage("privacy: give one of --report, --delete, --send");
		action = a;
	}
	if (!action) {
		if (print_summary(app, &e) < 0)
			return app_fail(&e);
		return EXIT_OK;
	}
	if (!strcmp(action, "--report")) {
		struct buf out = BUF_INIT;
		if (privacy_report_text(&out, &e) < 0) {
			buf_free(&out);
			return app_fail(&e);
		}
		fwrite(out.data, 1, out.len, stdout);
		buf_free(&out);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (!strcmp(action, "--send")) {
		if (!app->cfg.telemetry_enabled || !app->cfg.telemetry_endpoint) {
			err_set(&e, EXIT_FAIL, "privacy --send: sending is off; set "
					       "telemetry.enabled to true and telemetry.endpoint "
					       "in config.json to opt in (nothing was sent)");
			return app_fail(&e);
		}
		if (send_now(app, 10000, &e) < 0)
			return app_fail(&e);
		app_say(stdout, "sent the anonymous report to %s\n", app->cfg.telemetry_endpoint);
		return EXIT_OK;
	}
	struct buf state = BUF_INIT;
	if (privacy_delete(&e) < 0 || xdg_dir(XDG_STATE, &state, &e) < 0) {
		buf_free(&state);
		return app_fail(&e);
	}
	app_say(stdout, "deleted the anonymous report (%s/report.json)\n", state.data);
	buf_free(&state);
	return EXIT_OK;
}
