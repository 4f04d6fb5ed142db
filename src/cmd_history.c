/* cmd_history: `cherry history list|show|search|export|rm`, over the files in histstore. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/app.h"
#include "cherry/attach.h"
#include "cherry/attstore.h"
#include "cherry/fsutil.h"
#include "cherry/histsearch.h"
#include "cherry/htmlexport.h"
#include "cherry/histstore.h"
#include "cherry/sanitize.h"
#include "cherry/search.h"
#include "cherry/utf8.h"

#define HIST_READ_MAX (256u * 1024 * 1024)

const char history_usage[] =
	"usage: cherry history list [--json] | show ID [--json|--all] | search TEXT |\n"
	"                      export ID [--format md|json|html] [--raw] | rm ID [-f]\n"
	"  saved conversations\n";

void hist_warn_stderr(void *ctx, const char *line)
{
	(void)ctx;
	struct err e = {EXIT_FAIL, ""};
	snprintf(e.msg, sizeof e.msg, "%s", line);
	app_fail(&e);
}

/* Writes text through the sanitiser: history content came from models and files. */
static void put_safe(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	if (sanitize_string(s ? s : "", s ? len : 0, &b) == 0 && b.len)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static void puts_safe(const char *s)
{
	put_safe(s, s ? strlen(s) : 0);
}

/* One field of a one-per-line listing: a newline in it must not start a new line. */
static void puts_field(const char *s)
{
	struct buf b = BUF_INIT;
	if (app_line_safe(s ? s : "", s ? strlen(s) : 0, &b) == 0 && b.len)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/* Local "YYYY-MM-DD HH:MM" for listings. */
static void short_time(double t, char out[32])
{
	time_t s = (time_t)t;
	struct tm tm;
	if (!localtime_r(&s, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, 32, "?");
}

/* A field as it is when it is printable ASCII (the index's text mostly is), else
 * through app_line_safe. */
static void put_field(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p >= 0x20 && *p < 0x7f)
		p++;
	if (*p)
		puts_field(s);
	else
		fwrite(s, 1, (size_t)(p - (const unsigned char *)s), stdout);
}

static int list_line(void *ctx, const struct hist_entry *h)
{
	(void)ctx;
	char t[32], num[24];
	short_time(h->updated, t);
	size_t il = strlen(h->id);
	fwrite(h->id, 1, il, stdout);
	for (; il < 10; il++)
		putc(' ', stdout);
	putc(' ', stdout);
	fputs(t, stdout);
	fputs("  ", stdout);
	put_field(h->model[0] ? h->model : "-");
	int nl = snprintf(num, sizeof num, "  %zu  ", h->nmsgs);
	fwrite(num, 1, (size_t)nl, stdout);
	put_field(h->title);
	fputs(h->newer ? "  (newer format, read-only)\n" : "\n", stdout);
	return 0;
}

static int list_json(void *ctx, const struct hist_entry *h)
{
	json_t *arr = ctx;
	char t[32];
	hist_format_time(h->updated, t);
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:b}", "id", h->id, "updated", t, "model",
			      h->model, "messages", (json_int_t)h->nmsgs, "title", h->title,
			      "newer", h->newer);
	return o && json_array_append_new(arr, o) == 0 ? 0 : -1;
}

static int cmd_list(struct histstore *st, int json)
{
	struct err e = {0, ""};
	if (!json) {
		static char obuf[1 << 16];
		setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
		if (histstore_list_each(st, list_line, NULL, &e) < 0)
			return app_fail(&e);
		return EXIT_OK;
	}
	json_t *arr = json_array();
	if (!arr || histstore_list_each(st, list_json, arr, &e) < 0) {
		json_decref(arr);
		if (!e.code)
			err_set(&e, EXIT_FAIL, "out of memory");
		return app_fail(&e);
	}
	/* json_dumpb: a json_dumps string would need jansson's own free function. */
	struct buf b = BUF_INIT;
	size_t need = json_dumpb(arr, NULL, 0, JSON_INDENT(2));
	if (need && buf_reserve(&b, need + 1) == 0 &&
	    json_dumpb(arr, b.data, need, JSON_INDENT(2)) == need &&
	    (b.len = need, sanitize_json_c1(&b, 0) == 0)) {
		fwrite(b.data, 1, b.len, stdout);
		fputc('\n', stdout);
	}
	buf_free(&b);
	json_decref(arr);
	return EXIT_OK;
}

/* Loads ID (or a unique prefix); -1 with the error already shown. */
static int load(struct histstore *st, const char *arg, struct hist_conv *c, char *path_out,
		size_t path_size)
{
	char id[HIST_ID_MAX + 1];
	struct err e = {0, ""};
	if (histstore_resolve(st, arg, id, &e) < 0 || histstore_load(st, id, 0, c, &e) < 0) {
		app_fail(&e);
		return e.code ? -e.code : -1;
	}
	if (path_out)
		snprintf(path_out, path_size, "%s/%s.json", st->dir, id);
	return 0;
}

/* The file's bytes: raw to a pipe or file (it is the JSON itself), sanitised to a terminal. */
static int print_raw(const char *path)
{
	struct buf b = BUF_INIT;
	struct err e = {0, ""};
	if (fs_read_file(path, HIST_READ_MAX, &b, &e) != 0) {
		if (!e.code)
			err_set(&e, EXIT_FAIL, "cannot read %s", path);
		buf_free(&b);
		return app_fail(&e);
	}
	if (isatty(STDOUT_FILENO))
		put_safe(b.data, b.len);
	else
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	return EXIT_OK;
}

static void role_line(const struct hist_msg *m, const char *prefix)
{
	fputs(prefix, stdout);
	puts_field(m->role);
	if (m->model) {
		fputs(" (", stdout);
		if (m->provider) {
			puts_field(m->provider);
			fputc('/', stdout);
		}
		puts_field(m->model);
		fputc(')', stdout);
	}
	if (m->status != HIST_COMPLETE) {
		printf(" [%s", hist_status_name(m->status));
		if (m->error) {
			fputs(": ", stdout);
			puts_field(m->error);
		}
		fputc(']', stdout);
	} else if (m->note) {
		fputs(" [note: ", stdout);
		puts_field(m->note);
		fputc(']', stdout);
	}
	fputc('\n', stdout);
}

/* A message of `history show`: its role line and text. */
static void show_msg(const struct hist_msg *m, const char *prefix)
{
	fputc('\n', stdout);
	role_line(m, prefix);
	if (m->reasoning) {
		fputs("(reasoning)\n", stdout);
		puts_safe(m->reasoning);
		fputs("\n(answer)\n", stdout);
	}
	for (size_t k = 0; k < m->natt; k++) {
		struct buf d = BUF_INIT;
		if (attach_describe(m->att[k].name, m->att[k].media_type, m->att[k].size, &d) == 0)
			puts_field(d.data);
		fputc('\n', stdout);
		buf_free(&d);
	}
	puts_safe(m->content);
	fputc('\n', stdout);
}

static int cmd_show(struct histstore *st, const char *arg, int json, int all)
{
	struct hist_conv c;
	char path[4096];
	int rc = load(st, arg, &c, path, sizeof path);
	if (rc < 0)
		return -rc;
	if (json) {
		hist_conv_free(&c);
		return print_raw(path);
	}
	size_t *idx, n;
	if (hist_branch(&c, &idx, &n) < 0) {
		hist_conv_free(&c);
		return app_usage("out of memory");
	}
	char t[32];
	short_time(c.created, t);
	puts_field(c.title ? c.title : "(untitled)");
	printf("\n%s  %s  ", c.id, t);
	puts_field(c.model ? c.model : "-");
	fputc('\n', stdout);
	if (c.system) {
		fputs("\n--- system\n", stdout);
		puts_safe(c.system);
		fputc('\n', stdout);
	}
	size_t *sib = malloc((c.n ? c.n : 1) * sizeof *sib);
	for (size_t i = 0; i < n; i++) {
		show_msg(&c.msgs[idx[i]], "--- ");
		/* the other answers to the same message: under it with --all, else counted */
		size_t ns = sib ? hist_siblings(&c, idx[i], sib, c.n) : 0;
		if (ns > 1 && !all)
			printf("(%zu other answer%s: cherry history show --all %s shows them)\n",
			       ns - 1, ns > 2 ? "s" : "", c.id);
		for (size_t k = 0; all && ns > 1 && k < ns; k++)
			if (sib[k] != idx[i]) {
				char pre[80];
				snprintf(pre, sizeof pre, "--- other answer %zu/%zu: ", k + 1, ns);
				show_msg(&c.msgs[sib[k]], pre);
			}
	}
	free(sib);
	free(idx);
	hist_conv_free(&c);
	return EXIT_OK;
}

/* An image for the HTML page, from the attachments directory (ctx). */
static int load_image(void *ctx, const struct hist_att *a, struct buf *out)
{
	struct err e = {0, ""};
	return attstore_get(ctx, a->sha256, (size_t)20 << 20, out, &e);
}

static int cmd_export(struct histstore *st, const char *arg, const char *format, int raw)
{
	struct hist_conv c;
	char path[4096];
	int rc = load(st, arg, &c, path, sizeof path);
	if (rc < 0)
		return -rc;
	if (!strcmp(format, "json")) {
		hist_conv_free(&c);
		return print_raw(path);
	}
	struct buf md = BUF_INIT, attdir = BUF_INIT;
	if (attstore_dir(st->dir, &attdir) < 0) {
		hist_conv_free(&c);
		return app_usage("out of memory");
	}
	/* HTML is escaped and sanitised by htmlexport whatever --raw says: a page is
	 * markup, not the bytes as they were sent. */
	if (!strcmp(format, "html")) {
		struct htmlexport_files files = {attdir.data, load_image, attdir.data};
		int hr = htmlexport_conv(&c, &files, &md);
		if (!hr && md.data)
			fwrite(md.data, 1, md.len, stdout);
		buf_free(&md);
		buf_free(&attdir);
		hist_conv_free(&c);
		return hr < 0 ? app_usage("out of memory") : EXIT_OK;
	}
	int mr = hist_to_markdown(&c, attdir.data, &md);
	buf_free(&attdir);
	if (mr < 0) {
		buf_free(&md);
		hist_conv_free(&c);
		return app_usage("out of memory");
	}
	/* Sanitised wherever it goes: a file is `cat` to a terminal later (security.md
	 * 6.5); --raw asks for the bytes as they were sent. The JSON export needs no such
	 * choice: jansson escapes every control character in it. */
	if (!raw)
		put_safe(md.data, md.len);
	else if (md.data)
		fwrite(md.data, 1, md.len, stdout);
	buf_free(&md);
	hist_conv_free(&c);
	return EXIT_OK;
}

/* ---- search ---- */

/* One hit: the id and title, then the matching line indented. */
static int print_hit(void *ctx, const struct histsearch_hit *h)
{
	int *found = ctx;
	(*found)++;
	printf("%-10s ", h->id);
	puts_field(h->title[0] ? h->title : "(untitled)");
	fputs("\n    ", stdout);
	puts_field(h->line);
	fputc('\n', stdout);
	return 0;
}

static int cmd_search(struct histstore *st, const char *text)
{
	struct err e = {0, ""};
	struct histsearch *h = histsearch_start(st, text, &e);
	if (!h)
		return app_fail(&e);
	int found = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = histsearch_run(h, cpus > 0 ? (int)cpus : 1, print_hit, &found);
	histsearch_free(h);
	if (rc < 0) {
		err_set(&e, EXIT_FAIL, "out of memory: some conversations holding the text were not listed");
		return app_fail(&e);
	}
	return found ? EXIT_OK : EXIT_FAIL;
}

/* ---- rm ---- */

static int cmd_rm(struct histstore *st, const char *arg, int force)
{
	char id[HIST_ID_MAX + 1];
	struct err e = {0, ""};
	if (histstore_resolve(st, arg, id, &e) < 0)
		return app_fail(&e);
	if (!force) {
		if (!isatty(STDIN_FILENO))
			return app_usage("not removing %s without asking: use -f", id);
		fprintf(stderr, "Remove conversation %s? [y/N] ", id);
		char line[32];
		if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
			fputs("not removed\n", stderr);
			return EXIT_FAIL;
		}
	}
	int fd;
	long pid;
	int lr = histstore_lock(st, id, &fd, &pid, &e);
	if (lr == 1) {
		err_set(&e, EXIT_FAIL, "conversation %s is open in another cherry (pid %ld); "
			"not removed", id, pid);
		return app_fail(&e);
	}
	if (lr < 0)
		return app_fail(&e);
	int rc = histstore_remove(st, id, &e);
	histstore_unlock(st, id, fd);
	if (rc < 0)
		return app_fail(&e);
	fprintf(stderr, "removed %s\n", id);
	return EXIT_OK;
}

int history_main(struct app *app, int argc, char **argv)
{
	(void)app;
	if (argc < 2)
		return app_usage("history needs a command: list, show, search, export or rm "
				 "(see cherry history --help)");
	const char *sub = argv[1];
	int json = 0, force = 0, raw = 0, all = 0;
	const char *arg = NULL, *format = NULL;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force"))
			force = 1;
		else if (!strcmp(argv[i], "--raw"))
			raw = 1;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			format = argv[i] + 9;
		else if (!strcmp(argv[i], "--") && i + 1 < argc && !arg)
			arg = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return app_usage("history %s: unknown option %s", sub, argv[i]);
		else if (!arg)
			arg = argv[i];
		else
			return app_usage("history %s: too many arguments", sub);
	}
	int needs_arg = strcmp(sub, "list") != 0;
	static const char *const subs[] = {"list", "show", "search", "export", "rm", NULL};
	size_t k = 0;
	while (subs[k] && strcmp(subs[k], sub))
		k++;
	if (!subs[k]) {
		const char *near = app_suggest(sub, subs);
		if (near)
			return app_usage("unknown history command \"%.40s\"; did you mean \"%s\"? "
					 "(see cherry history --help)", sub, near);
		return app_usage("unknown history command \"%.40s\" (see cherry history --help)",
				 sub);
	}
	if (needs_arg && !arg)
		return app_usage("history %s needs %s (see cherry history --help)", sub,
				 strcmp(sub, "search") ? "an ID" : "the TEXT to find");
	if (!needs_arg && arg)
		return app_usage("history list takes no argument (see cherry history --help)");
	if (json && strcmp(sub, "list") && strcmp(sub, "show"))
		return app_usage("history %s: --json is for list and show only", sub);
	if (force && strcmp(sub, "rm"))
		return app_usage("history %s: -f is for rm only", sub);
	if (!strcmp(sub, "export") && !format)
		format = "md";
	if (!strcmp(sub, "export") && strcmp(format, "md") && strcmp(format, "json") &&
	    strcmp(format, "html"))
		return app_usage("history export: --format takes md, json or html, not \"%s\"", format);
	if (format && strcmp(sub, "export"))
		return app_usage("history %s: --format is for export only", sub);
	if (raw && strcmp(sub, "export"))
		return app_usage("history %s: --raw is for export only", sub);
	if (all && strcmp(sub, "show"))
		return app_usage("history %s: --all is for show only", sub);

	struct histstore st;
	struct err e = {0, ""};
	/* a read-only history is still listed, shown and searched; rm says why it fails */
	if (histstore_open_reader(&st, NULL, NULL, hist_warn_stderr, NULL, &e) < 0)
		return app_fail(&e);
	int rc;
	if (!strcmp(sub, "list"))
		rc = cmd_list(&st, json);
	else if (!strcmp(sub, "show"))
		rc = cmd_show(&st, arg, json, all);
	else if (!strcmp(sub, "search"))
		rc = cmd_search(&st, arg);
	else if (!strcmp(sub, "export"))
		rc = cmd_export(&st, arg, format, raw);
	else
		rc = cmd_rm(&st, arg, force);
	histstore_close(&st);
	fflush(stdout);
	return rc;
}
