/* retry: the request engine's decisions about time, kept pure so they can be tested with
 * a fake clock: which failures are worth another attempt, how long to wait before it
 * (exponential back-off with jitter, or the server's own hint, capped), what a
 * Retry-After header says, and when a stream has stalled. The caller supplies the
 * clock and the random numbers; nothing here reads either. */
#ifndef CHERRY_RETRY_H
#define CHERRY_RETRY_H

#include <stddef.h>

#define RETRY_MAX_WAIT 60.0     /* seconds; a longer server hint is not waited for */
#define RETRY_BACKOFF_FIRST 0.5 /* seconds before the second attempt, before jitter */
#define RETRY_BACKOFF_MAX 8.0   /* the back-off doubles up to this */

/* An HTTP status that may heal by itself: 408, 409, 429 and every 5xx. */
int retry_status_retryable(long status);

/* How a transfer failed without an HTTP error status. */
enum retry_transport {
	RETRY_NET_NO_RESPONSE, /* no status line came back: could not connect, or dropped */
	RETRY_NET_MID_STREAM,  /* the connection broke after the status */
	RETRY_NET_STALLED,     /* no byte for the stall timeout */
	RETRY_NET_TOO_LARGE,   /* the response passed the size cap */
	RETRY_NET_TLS_REFUSED, /* the peer's certificate was refused: it would be again */
};
/* Only a request that got no response at all is sent again: after a status line the
 * provider has seen the request, and a stall or an oversized answer would repeat; a
 * refused certificate never heals by asking again. */
int retry_transport_retryable(enum retry_transport how);

/* The back-off before attempt `attempt + 1`: RETRY_BACKOFF_FIRST × 2^(attempt-1), at most
 * RETRY_BACKOFF_MAX, less up to a quarter by jitter. rnd is a random number in [0, 1). */
double retry_backoff(int attempt, double rnd);

enum retry_verdict {
	RETRY_AGAIN,         /* wait *delay seconds, then the next attempt */
	RETRY_NOT_RETRYABLE, /* this failure does not heal by asking again */
	RETRY_DELIVERED,     /* part of the answer reached the user: a retry would repeat it */
	RETRY_EXHAUSTED,     /* the configured retries are spent */
	RETRY_HINT_TOO_LONG, /* the server asks to wait longer than RETRY_MAX_WAIT */
};
/* Decides after a failed attempt. attempt: attempts made so far (1 after the first);
 * max_retries: attempts allowed after the first; hint: the server's wait in seconds
 * (-1: none), which replaces the back-off; rnd as for retry_backoff. *delay is set for
 * RETRY_AGAIN and -1 otherwise. */
enum retry_verdict retry_decide(int attempt, int max_retries, int retryable, int delivered,
				double hint, double rnd, double *delay);

/* A Retry-After value: delay-seconds (a decimal fraction is accepted, as the SDKs do) or
 * an HTTP-date in any of the three forms RFC 9110 makes recipients accept, counted from
 * now (seconds since the epoch, UTC); a date in the past is 0. -1 when unreadable. */
double retry_after_parse(const char *value, double now);
/* A retry-after-ms value (milliseconds, a decimal fraction allowed) in seconds; -1 when
 * unreadable. */
double retry_after_ms_parse(const char *value);

/* A stream is stalled when no byte came for timeout seconds, or no progress did: a
 * trickle of bytes that never ends a line (a comment dripped a byte at a time) would
 * otherwise hold it open forever. Progress is a complete line (keep-alive comments
 * included) or RETRY_LINE_PROGRESS more bytes of a long one (a megabyte signature on a
 * slow link moves; a drip does not). Times are seconds on one clock. */
#define RETRY_LINE_PROGRESS 16384

struct retry_progress {
	size_t pending; /* bytes since the last line end or progress mark */
};
/* Counts bytes of the response; 1 when they are progress. */
int retry_progress_feed(struct retry_progress *p, const char *bytes, size_t n);

enum retry_stall {
	RETRY_FLOWING,
	RETRY_STALL_SILENT,  /* no byte for timeout seconds */
	RETRY_STALL_NO_LINE, /* bytes, but no progress for timeout seconds */
};
/* last_line: the last progress (retry_progress_feed). */
enum retry_stall retry_stalled(double now, double last_byte, double last_line, double timeout);
/* When the stream stalls if nothing more arrives (the loop's timer). */
double retry_stall_at(double last_byte, double last_line, double timeout);

#endif
