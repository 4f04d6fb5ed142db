/* privacy: the local anonymous report and the policy-version record (PRODUCT §8).
 * Every name that enters the report comes from a fixed list here, so prompts,
 * answers, keys, URLs, file, host and provider names cannot reach it. */
/* dl_iterate_phdr (for the build id) is a GNU and BSD extension. */
#define _GNU_SOURCE
#include "cherry/privacy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>

#include "cherry/fsutil.h"
#include "cherry/jsonmem.h"

#define REPORT_FORMAT 1
#define REPORT_MAX (1u << 20)
#define MAX_RECORDS 200 /* errors or crashes kept; the rest are dropped */

static const char *const features[] = {
	"messages_openai", "messages_anthropic", "messages_gemini", "messages_ollama",
	"messages_azure", "messages_openai-responses", "messages_bedrock", "messages_vertex",
	"messages_vertex-anthropic", "asks", "model_switches", "stops", "retries", "exports",
	"imports", "regenerations", "edits", "copies", "searches", "conversations_new",
	"conversations_deleted", "keys_set", "keys_removed", "models_listed",
	"reasoning_shown", "full_screen_sessions", NULL,
};

static const char *const error_names[] = {
	"stalled", "too_large", "connection_lost", "unreachable", "stream_error", "network",
	"empty_response", "tls", "vault_wrong_passphrase", "vault_locked", "key_missing",
	"key_rejected", "config_invalid", "output_failed", "history_corrupt", NULL,
};

static const char *const signal_names[] = {
	"SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE", "SIGILL", NULL,
};

#define NFEATURES (sizeof features / sizeof *features - 1)

/* This process's counts, until privacy_flush. */
static long pending_features[NFEATURES];
static struct {
	char code[16];
	long count;
} pending_errors[32];
static size_t npending_errors;

static int list_index(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

static int valid_error_code(const char *s)
{
	if (!s)
		return 0;
	if (!strncmp(s, "http_", 5)) {
		const char *d = s + 5;
		return d[0] >= '1' && d[0] <= '5' && d[1] >= '0' && d[1] <= '9' && d[2] >= '0' &&
		       d[2] <= '9' && !d[3];
	}
	return list_index(error_names, s) >= 0;
}

/* Versions and build ids are ours, but a report file can be edited: keep them plain. */
static int valid_token(const char *s, int hex_only)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if (!hex_only)
			ok = ok || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
			     c == '-' || c == '+' || c == '_';
		if (!ok)
			return 0;
	}
	return 1;
}

void privacy_count(const char *feature)
{
	int i = list_index(features, feature);
	if (i >= 0)
		pending_features[i]++;
}

void privacy_count_message(enum wire_kind kind)
{
	char name[40];
	snprintf(name, sizeof name, "messages_%s", wire_kind_name(kind));
	privacy_count(name);
}

void privacy_error(const char *code)
{
	if (!valid_error_code(code))
		return;
	for (size_t i = 0; i < npending_errors; i++)
		if (!strcmp(pending_errors[i].code, code)) {
			pending_errors[i].count++;
			return;
		}
	if (npending_errors == sizeof pending_errors / sizeof *pending_errors)
		return;
	snprintf(pending_errors[npending_errors].code, sizeof pending_errors[0].code, "%s",
		 code);
	pending_errors[npending_errors++].count = 1;
}

const char *privacy_error_code(long status, const char *msg, char *tmp, size_t tmpsz)
{
	if (status >= 400 && status <= 599) {
		snprintf(tmp, tmpsz, "http_%ld", status);
		return tmp;
	}
	if (!msg)
		return "network";
	if (strstr(msg, "stalled"))
		return "stalled";
	if (strstr(msg, "larger than"))
		return "too_large";
	if (strstr(msg, "connection lost"))
		return "connection_lost";
	if (strstr(msg, "cannot reach"))
		return "unreachable";
	if (strstr(msg, "empty response"))
		return "empty_response";
	return status >= 200 && status <= 299 ? "stream_error" : "network";
}

const char *privacy_os_family(void)
{
	static char fam[16];
	struct utsname u;
	if (fam[0])
		return fam;
	if (uname(&u) < 0)
		return "other";
	static const char *const known[] = {"linux", "darwin", "freebsd", "openbsd", "netbsd",
					    "dragonfly", "sunos", NULL};
	char low[sizeof u.sysname];
	size_t i;
	for (i = 0; u.sysname[i] && i + 1 < sizeof low; i++) {
		char c = u.sysname[i];
		low[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	low[i] = '\0';
	int k = list_index(known, low);
	snprintf(fam, sizeof fam, "%s", k >= 0 ? known[k] : "other");
	return fam;
}

/* The first object dl_iterate_phdr visits is the executable itself. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	char *out = data;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		const unsigned char *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const void *)p;
			size_t namesz = (nh->n_namesz + 3u) & ~3u;
			size_t descsz = (nh->n_descsz + 3u) & ~3u;
			const unsigned char *name = p + sizeof *nh;
			const unsigned char *desc = name + namesz;
			if (desc + descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && nh->n_descsz && nh->n_descsz <= 32) {
				for (size_t j = 0; j < nh->n_descsz; j++)
					snprintf(out + 2 * j, 3, "%02x", desc[j]);
				return 1;
			}
			p = desc + descsz;
		}
	}
	return 1;
}

const char *privacy_build_id(void)
{
	static char id[65];
	if (!id[0]) {
		dl_iterate_phdr(find_build_id, id);
		if (!id[0])
			snprintf(id, sizeof id, "unknown");
	}
	return id;
}

/* ---- the report file ---- */

static int state_path(struct buf *out, const char *name, struct err *e)
{
	buf_reset(out);
	if (xdg_dir(XDG_STATE, out, e) < 0)
		return -1;
	if (name && (buf_append_char(out, '/') < 0 || buf_append_str(out, name) < 0)) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	return 0;
}

static json_int_t count_of(json_t *v)
{
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
	return n > 0 ? n : 0;
}

/* Adds count to the record in arr whose fields equal those of key, or appends it. */
static void add_record(json_t *arr, json_t *key, json_int_t count)
{
	size_t i;
	json_t *rec;
	json_array_foreach (arr, i, rec) {
		const char *k;
		json_t *v;
		int same = 1;
		json_object_foreach (key, k, v)
			if (!json_equal(json_object_get(rec, k), v))
				same = 0;
		if (same) {
			json_int_t n = count_of(json_object_get(rec, "count"));
			json_object_set_new(rec, "count", json_integer(n + count));
			json_decref(key);
			return;
		}
	}
	if (json_array_size(arr) >= MAX_RECORDS) {
		json_decref(key);
		return;
	}
	json_object_set_new(key, "count", json_integer(count));
	json_array_append_new(arr, key);
}

static json_t *crash_key(json_t *src)
{
	const char *sig = json_string_value(json_object_get(src, "signal"));
	const char *ver = json_string_value(json_object_get(src, "version"));
	const char *build = json_string_value(json_object_get(src, "build"));
	if (list_index(signal_names, sig) < 0 || !valid_token(ver, 0) ||
	    !(valid_token(build, 1) || (build && !strcmp(build, "unknown"))))
		return NULL;
	return json_pack("{ssssss}", "signal", sig, "version", ver, "build", build);
}

/* A fresh report holding only what the lists allow from old (which may be NULL). */
static json_t *normalize(json_t *old)
{
	json_t *r = json_object();
	json_t *feat = json_object(), *errs = json_array(), *crashes = json_array();
	if (!r || !feat || !errs || !crashes) {
		json_decref(r);
		json_decref(feat);
		json_decref(errs);
		json_decref(crashes);
		return NULL;
	}
	json_object_set_new(r, "report_format", json_integer(REPORT_FORMAT));
	json_object_set_new(r, "cherry_version", json_string(CHERRY_VERSION));
	json_object_set_new(r, "os", json_string(privacy_os_family()));
	const char *k;
	json_t *v;
	json_object_foreach (json_object_get(old, "features"), k, v)
		if (list_index(features, k) >= 0 && count_of(v))
			json_object_set_new(feat, k, json_integer(count_of(v)));
	size_t i;
	json_array_foreach (json_object_get(old, "errors"), i, v) {
		const char *code = json_string_value(json_object_get(v, "code"));
		const char *ver = json_string_value(json_object_get(v, "version"));
		json_int_t n = count_of(json_object_get(v, "count"));
		if (valid_error_code(code) && valid_token(ver, 0) && n)
			add_record(errs, json_pack("{ssss}", "code", code, "version", ver), n);
	}
	json_array_foreach (json_object_get(old, "crashes"), i, v) {
		json_t *key = crash_key(v);
		json_int_t n = count_of(json_object_get(v, "count"));
		if (key && n)
			add_record(crashes, key, n);
		else
			json_decref(key);
	}
	json_object_set_new(r, "features", feat);
	json_object_set_new(r, "errors", errs);
	json_object_set_new(r, "crashes", crashes);
	return r;
}

/* Through a callback: json_dumps's string would need jansson's own free function. */
static int dump(json_t *r, struct buf *out, struct err *e)
{
	int rc = jsonmem_dump(r, JSON_INDENT(2) | JSON_SORT_KEYS, out) == 0 &&
			 buf_append_char(out, '\n') == 0
		 ? 0
		 : -1;
	if (rc < 0)
		err_set(e, EXIT_FAIL, "out of memory");
	return rc;
}

int privacy_normalize(const char *text, size_t len, struct buf *out, struct err *e)
{
	json_t *old = text ? json_loadb(text, len, 0, NULL) : NULL;
	json_t *r = normalize(old);
	json_decref(old);
	if (!r) {
		err_set(e, EXIT_FAIL, "out of memory");
		return -1;
	}
	int rc = dump(r, out, e);
	json_decref(r);
	return rc;
}

static int is_crash_file(const char *name)
{
	size_t n = strlen(name);
	return n > 11 && !strncmp(name, "crash-", 6) && !strcmp(name + n - 5, ".json");
}

/* Folds crash records into r; their names go to done for removal after the write. */
static void fold_crashes(json_t *r, const char *dir, json_t *done)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct err e;
	while ((de = readdir(d))) {
		if (!is_crash_file(de->d_name))
			continue;
		buf_reset(&path);
		buf_reset(&text);
		if (buf_printf(&path, "%s/%s", dir, de->d_name) < 0)
			break;
		json_array_append_new(done, json_string(path.data));
		if (fs_read_file(path.data, 4096, &text, &e) != 0)
			continue;
		json_t *rec = json_loadb(text.data, text.len, 0, NULL);
		json_t *key = crash_key(rec);
		if (key)
			add_record(json_object_get(r, "crashes"), key, 1);
		json_decref(rec);
	}
	closedir(d);
	buf_free(&path);
	buf_free(&text);
}

static int have_pending(void)
{
	for (size_t i = 0; i < NFEATURES; i++)
		if (pending_features[i])
			return 1;
	return npending_errors > 0;
}

/* Serialises report writers across cherry processes; -1 when no lock could be had,
 * which only risks losing a count. */
static int lock_state(const char *dir)
{
	struct buf p = BUF_INIT;
	int fd = -1;
	if (buf_printf(&p, "%s/report.lock", dir) == 0) {
		fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0)
			(void)flock(fd, LOCK_EX);
	}
	buf_free(&p);
	return fd;
}

/* Loads, merges and (when anything changed or force) writes the report; the JSON
 * text goes to out when out is not NULL. */
static int update(struct buf *out, struct err *e)
{
	struct buf dir = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	json_t *old = NULL, *r = NULL, *done = json_array();
	int rc = -1, lockfd = -1;
	if (!done || state_path(&dir, NULL, e) < 0 || state_path(&path, "report.json", e) < 0)
		goto out;
	int dir_exists = access(dir.data, F_OK) == 0;
	if (dir_exists)
		lockfd = lock_state(dir.data);
	int exists = fs_read_file(path.data, REPORT_MAX, &text, e);
	if (exists < 0)
		goto out;
	old = exists == 0 ? json_loadb(text.data, text.len, 0, NULL) : NULL;
	r = normalize(old);
	if (!r) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto out;
	}
	json_t *feat = json_object_get(r, "features");
	for (size_t i = 0; i < NFEATURES; i++)
		if (pending_features[i]) {
			json_int_t n = count_of(json_object_get(feat, features[i]));
			json_object_set_new(feat, features[i],
					    json_integer(n + pending_features[i]));
		}
	for (size_t i = 0; i < npending_errors; i++)
		add_record(json_object_get(r, "errors"),
			   json_pack("{ssss}", "code", pending_errors[i].code, "version",
				     CHERRY_VERSION),
			   pending_errors[i].count);
	if (dir_exists)
		fold_crashes(r, dir.data, done);
	buf_reset(&text);
	if (dump(r, &text, e) < 0)
		goto out;
	if (have_pending() || json_array_size(done) || (exists == 0 && !json_equal(old, r))) {
		/* No fsync: the report is counts; a power cut may cost the last run's, never
		 * tear the file. Every cherry run writes it, so a sync was two per run. */
		if (fs_mkdirs(dir.data, e) < 0 ||
		    fs_write_replace(path.data, text.data, text.len, e) < 0)
			goto out;
		size_t i;
		json_t *v;
		json_array_foreach (done, i, v)
			(void)unlink(json_string_value(v));
		memset(pending_features, 0, sizeof pending_features);
		npending_errors = 0;
	}
	if (out && buf_append(out, text.data, text.len) < 0) {
		err_set(e, EXIT_FAIL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	json_decref(old);
	json_decref(r);
	json_decref(done);
	buf_free(&dir);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

int privacy_flush(struct err *e)
{
	return update(NULL, e);
}

int privacy_report_text(struct buf *out, struct err *e)
{
	return update(out, e);
}

int privacy_delete(struct err *e)
{
	struct buf dir = BUF_INIT, path = BUF_INIT;
	int rc = -1;
	if (state_path(&dir, NULL, e) < 0 || state_path(&path, "report.json", e) < 0)
		goto out;
	if (unlink(path.data) < 0 && errno != ENOENT) {
		err_set(e, EXIT_FAIL, "cannot delete %s: %s", path.data, strerror(errno));
		goto out;
	}
	DIR *d = opendir(dir.data);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (is_crash_file(de->d_name)) {
				buf_reset(&path);
				if (buf_printf(&path, "%s/%s", dir.data, de->d_name) == 0)
					(void)unlink(path.data);
			}
		closedir(d);
	}
	memset(pending_features, 0, sizeof pending_features);
	npending_errors = 0;
	rc = 0;
out:
	buf_free(&dir);
	buf_free(&path);
	return rc;
}

/* ---- the policy version the user last saw ---- */

static void write_seen(const char *path)
{
	struct err e;
	struct buf dir = BUF_INIT;
	char v[24];
	int n = snprintf(v, sizeof v, "%d\n", PRIVACY_VERSION);
	/* no fsync: lost in a power cut, the notice is shown once more at worst (a missing
	 * file is a new user's), and the first frame of a first run does not wait on the disk */
	if (state_path(&dir, NULL, &e) == 0 && fs_mkdirs(dir.data, &e) == 0)
		(void)fs_write_replace(path, v, (size_t)n, &e);
	buf_free(&dir);
}

int privacy_notice_due(void)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	struct err e;
	int due = 0;
	if (state_path(&path, "policy-seen", &e) < 0)
		goto out;
	int r = fs_read_file(path.data, 64, &text, &e);
	if (r == 1) {
		/* A new user has this version in hand (README, man page): nothing changed. */
		write_seen(path.data);
	} else if (r == 0) {
		long seen = strtol(text.data, NULL, 10);
		due = seen < PRIVACY_VERSION;
	}
out:
	buf_free(&path);
	buf_free(&text);
	return due;
}

void privacy_notice_seen(void)
{
	struct buf path = BUF_INIT;
	struct err e;
	if (state_path(&path, "policy-seen", &e) == 0)
		write_seen(path.data);
	buf_free(&path);
}
