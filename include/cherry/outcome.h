/* outcome: how a finished answer transfer ended, judged once for both faces (`cherry
 * ask` and the full-screen client): its status for the conversation, the error line,
 * the provider's finish note, usage and speed, and its counts in the privacy report. */
#ifndef CHERRY_OUTCOME_H
#define CHERRY_OUTCOME_H

#include "cherry/err.h"
#include "cherry/history.h"
#include "cherry/wire.h"

struct http_transfer;
struct secret;

/* How the caller ended the transfer, if it did. */
enum outcome_stop {
	OUTCOME_RAN = 0,      /* it ran to its end */
	OUTCOME_STOPPED,      /* the user's stop (Esc, Ctrl-C) */
	OUTCOME_INTERRUPTED,  /* cherry was told to end (TERM, HUP) */
};

struct outcome {
	enum hist_status status;  /* HIST_COMPLETE, HIST_STOPPED, HIST_INTERRUPTED, HIST_ERROR */
	struct err err;           /* HIST_ERROR: the one line, key redacted (code: exit status) */
	const char *note;         /* HIST_COMPLETE: wire_finish_note(...) (static) or NULL */
	struct wire_usage usage;
	double ttft;              /* seconds to the first token; < 0 unknown */
	double rate;              /* output tokens (usage, else the delta count) per second of
				   * generation; 0 unknown */
};

/* Judges t, which has ended. stop: how the caller ended it; a cancelled transfer without
 * a stop counts as stopped. key: redacted from the error line (may be NULL). deltas: the
 * deltas received, for the rate when usage has no output count. Counts the retries, a
 * user's stop and the error's code in the local privacy report. */
void outcome_of(const struct http_transfer *t, enum outcome_stop stop, const struct secret *key,
		long deltas, struct outcome *o);
/* An error line without the provider's name it begins with ("fo: server_error: …" ->
 * "server_error: …"), for a line that names the answer's model instead (several models
 * answering, each failure said once). A line that does not begin so is returned whole. */
const char *outcome_unnamed(const char *line, const char *provider);
/* What to add to a failure's line for `cherry ask` so it says what to do: a network
 * failure whose line gives no advice of its own ("check…", "try…", "use…") gets
 * "; ask again later" (several: "; ask this model again later"), unless the provider
 * refused the request as it was (a 4xx status but 408 and 429: asking again later fails
 * the same); anything else "". */
const char *outcome_ask_advice(const struct err *e, int several);

#endif
