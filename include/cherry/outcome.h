/* outcome: how a finished stream ended, decided once for both faces (placeholder until
 * the session branch lands). */
#ifndef CHERRY_OUTCOME_H
#define CHERRY_OUTCOME_H

#include "cherry/err.h"
#include "cherry/history.h"
#include "cherry/secret.h"
#include "cherry/wire.h"

struct http_transfer;

enum outcome_stop { OUTCOME_RAN = 0, OUTCOME_STOPPED, OUTCOME_INTERRUPTED };

struct outcome {
	enum hist_status status;
	struct err err;
	const char *note;
	struct wire_usage usage;
	double ttft;
	double rate;
};

void outcome_of(const struct http_transfer *t, enum outcome_stop stop, const struct secret *key,
		long deltas, struct outcome *o);

#endif
