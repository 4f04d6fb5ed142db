/* privacy: the local anonymous report (PRODUCT §8): counts of features used, error and
 * crash records, kept in $XDG_STATE_HOME/cherry/report.json, shown by
 * `cherry privacy --report` and sent only when the user opts in; and the
 * policy-version notice. Only names from fixed lists ever enter the report. */
#ifndef CHERRY_PRIVACY_H
#define CHERRY_PRIVACY_H

#include "cherry/buf.h"
#include "cherry/err.h"
#include "cherry/providers.h"

/* The version on the first line of the shipped PRIVACY file ("Version N — date").
 * A unit test checks the two agree; bump both together. */
#define PRIVACY_VERSION 3

/* Counts one use of a feature for this process (written by privacy_flush).
 * Only the names in privacy.c's list are kept, e.g. "model_switches", "stops",
 * "retries", "exports"; anything else is dropped, so no content can get in. */
void privacy_count(const char *feature);
/* "messages_<kind>": one message sent to a provider of that kind (never its name). */
void privacy_count_message(enum wire_kind kind);
/* Counts one error of a known code: "http_NNN" (100..599) or a name from the list
 * in privacy.c ("stalled", "network", "vault_wrong_passphrase", ...). */
void privacy_error(const char *code);
/* The error code for a failed transfer: "http_<status>" when status >= 400,
 * else "stalled", "too_large", "connection_lost", "unreachable", "stream_error"
 * or "network", judged from the error line (which is not kept); tmp holds the
 * "http_NNN" text. */
const char *privacy_error_code(long status, const char *msg, char *tmp, size_t tmpsz);

/* Merges this process's counts and any crash records left by crash.c into
 * report.json (atomically) and forgets them. 0, or -1 with e set. */
int privacy_flush(struct err *e);
/* The report exactly as it would be sent (flushes first): pretty JSON ending in
 * a newline. 0 or -1. */
int privacy_report_text(struct buf *out, struct err *e);
/* Deletes report.json and pending crash records. 0 (also when there was none) or -1. */
int privacy_delete(struct err *e);
/* Same as privacy_report_text's JSON, built from the given text of a report file
 * plus nothing else: for tests. Unknown or unsafe entries are dropped. */
int privacy_normalize(const char *text, size_t len, struct buf *out, struct err *e);

/* 1 when the policy the user last saw is older than PRIVACY_VERSION. On the
 * very first run (no record) the current version is recorded and 0 returned. */
int privacy_notice_due(void);
/* Records PRIVACY_VERSION as seen. */
void privacy_notice_seen(void);

struct app;
/* `cherry privacy [--report | --delete | --reset | --send]` (argv[0] is "privacy"). */
int privacy_main(struct app *app, int argc, char **argv);
/* At start-up: when telemetry.enabled and telemetry.endpoint are both set and no
 * send was attempted in the last 24 hours, POSTs the report; quiet on failure. */
void privacy_maybe_send_daily(struct app *app);

/* "linux", "darwin", "freebsd", ... from uname's sysname only; "other" if unknown. */
const char *privacy_os_family(void);
/* The GNU build id of the running executable in hex, or "unknown". */
const char *privacy_build_id(void);

#endif
