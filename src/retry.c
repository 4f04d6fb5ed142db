/* retry: when a failed request is sent again and after how long, what a Retry-After
 * header means, and when a stream counts as stalled; pure, on the caller's clock. */
#include "cherry/retry.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int retry_status_retryable(long status)
{
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

int retry_transport_retryable(enum retry_transport how)
{
	return how == RETRY_NET_NO_RESPONSE;
}

double retry_backoff(int attempt, double rnd)
{
	double base = RETRY_BACKOFF_FIRST;
	for (int i = 1; i < attempt && base < RETRY_BACKOFF_MAX; i++)
		base *= 2;
	if (base > RETRY_BACKOFF_MAX)
		base = RETRY_BACKOFF_MAX;
	if (!(rnd >= 0 && rnd < 1)) /* NaN too */
		rnd = 0;
	return base * (1.0 - 0.25 * rnd);
}

enum retry_verdict retry_decide(int attempt, int max_retries, int retryable, int delivered,
				double hint, double rnd, double *delay)
{
	enum retry_verdict v = RETRY_AGAIN;
	if (!retryable)
		v = RETRY_NOT_RETRYABLE;
	else if (delivered)
		v = RETRY_DELIVERED;
	else if (hint > RETRY_MAX_WAIT)
		v = RETRY_HINT_TOO_LONG;
	else if (attempt > max_retries)
		v = RETRY_EXHAUSTED;
	*delay = v != RETRY_AGAIN ? -1 : hint >= 0 ? hint : retry_backoff(attempt, rnd);
	return v;
}

/* A decimal number (digits, optionally a fraction) and nothing but blanks after it; -1
 * when s is not one. strtod is not used: it also takes "inf", "nan", hex and exponents. */
static double decimal(const char *s)
{
	double v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (p == s)
		return -1;
	if (*p == '.') {
		double scale = 1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			v += (*p - '0') * (scale /= 10);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return *p ? -1 : v;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1..12). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_number(const char *name)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (strlen(name) != 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (!strncasecmp(name, months + 3 * i, 3))
			return i + 1;
	return 0;
}

/* An HTTP-date as seconds since the epoch; -1 when s is none of the three forms:
 * "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT" and
 * "Sun Nov  6 08:49:37 1994". */
static double http_date(const char *s)
{
	char mon[4] = "";
	int d = 0, y = 0, hh = -1, mm = -1, ss = -1, end = 0;
	if (sscanf(s, "%*[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d GMT%n", &d, mon, &y, &hh, &mm,
		   &ss, &end) < 6 || !end) {
		end = 0;
		if (sscanf(s, "%*[A-Za-z], %2d-%3[A-Za-z]-%2d %2d:%2d:%2d GMT%n", &d, mon, &y, &hh,
			   &mm, &ss, &end) == 6 && end)
			y += y < 70 ? 2000 : 1900; /* RFC 850's two-digit year */
		else if (end = 0, sscanf(s, "%*[A-Za-z] %3[A-Za-z] %2d %2d:%2d:%2d %4d%n", mon, &d,
					 &hh, &mm, &ss, &y, &end) < 6 || !end)
			return -1;
	}
	int m = month_number(mon);
	if (*skip_blanks(s + end) || !m || d < 1 || d > 31 || y < 1970 || hh < 0 || hh > 23 ||
	    mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -1;
	return (double)days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

double retry_after_parse(const char *value, double now)
{
	if (!value)
		return -1;
	value = skip_blanks(value);
	double secs = decimal(value);
	if (secs >= 0)
		return secs;
	double when = http_date(value);
	if (when < 0)
		return -1;
	return when > now ? when - now : 0;
}

double retry_after_ms_parse(const char *value)
{
	double ms = value ? decimal(skip_blanks(value)) : -1;
	return ms < 0 ? -1 : ms / 1000.0;
}

int retry_progress_feed(struct retry_progress *p, const char *bytes, size_t n)
{
	size_t end = n; /* just past the last line end in bytes, 0 when none */
	while (end && bytes[end - 1] != '\n' && bytes[end - 1] != '\r')
		end--;
	if (end) {
		p->pending = n - end;
		return 1;
	}
	p->pending += n;
	if (p->pending < RETRY_LINE_PROGRESS)
		return 0;
	p->pending = 0;
	return 1;
}

enum retry_stall retry_stalled(double now, double last_byte, double last_line, double timeout)
{
	if (now - last_byte >= timeout)
		return RETRY_STALL_SILENT;
	if (now - last_line >= timeout)
		return RETRY_STALL_NO_LINE;
	return RETRY_FLOWING;
}

double retry_stall_at(double last_byte, double last_line, double timeout)
{
	return (last_line < last_byte ? last_line : last_byte) + timeout;
}
