/* outcome: a finished transfer turned into the answer's status, once for both faces. */
#include "cherry/outcome.h"

#include <stdlib.h>
#include <string.h>

#include "cherry/app.h"
#include "cherry/http.h"
#include "cherry/privacy.h"

void outcome_of(const struct http_transfer *t, enum outcome_stop stop, const struct secret *key,
		long deltas, struct outcome *o)
{
	memset(o, 0, sizeof *o);
	err_clear(&o->err);
	const struct wire_stream *ws = http_stream(t);
	enum http_outcome oc = http_outcome(t);
	for (int a = http_attempts(t); a > 1; a--)
		privacy_count("retries");
	if (stop == OUTCOME_INTERRUPTED) {
		/* cherry itself was told to end: the answer was cut, not stopped by the user */
		o->status = HIST_INTERRUPTED;
	} else if (stop == OUTCOME_STOPPED || oc == HTTP_CANCELLED) {
		o->status = HIST_STOPPED;
		privacy_count("stops");
	} else if (oc == HTTP_FAILED) {
		o->status = HIST_ERROR;
		o->err = *http_error(t);
		char code[16];
		privacy_error(privacy_error_code(http_status(t), o->err.msg, code, sizeof code));
		app_redact(&o->err, key);
	} else {
		o->status = HIST_COMPLETE;
		o->note = wire_finish_note(ws);
	}
	o->usage = ws->usage;
	o->ttft = http_time_to_first_token(t);
	double gen = http_generation_time(t);
	long toks = ws->usage.output > 0 ? ws->usage.output : deltas;
	o->rate = gen > 0 ? (double)toks / gen : 0;
}

/* The HTTP status a provider's error line begins with ("openai: 400 ..."), 0 none. */
static long line_status(const char *msg)
{
	const char *p = strstr(msg, ": ");
	if (!p)
		return 0;
	char *end;
	long st = strtol(p + 2, &end, 10);
	return end == p + 5 && (*end == ' ' || !*end) ? st : 0;
}

const char *outcome_ask_advice(const struct err *e, int several)
{
	if (e->code != EXIT_NETWORK || strstr(e->msg, "check") || strstr(e->msg, "try") ||
	    strstr(e->msg, "use "))
		return "";
	/* a request the provider refused as it was (400, 404, 422...) fails the same later:
	 * its own words say what to change */
	long st = line_status(e->msg);
	if (st >= 400 && st < 500 && st != 408 && st != 429)
		return "";
	return several ? "; ask this model again later" : "; ask again later";
}

const char *outcome_unnamed(const char *line, const char *provider)
{
	size_t n = provider ? strlen(provider) : 0;
	if (n && !strncmp(line, provider, n) && line[n] == ':' && line[n + 1] == ' ')
		return line + n + 2;
	return line;
}
