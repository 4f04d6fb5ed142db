/* histtime: the times of the conversation file, as ISO 8601 UTC with milliseconds
 * ("2026-11-29T06:42:26.123Z"), and back (pure). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cherry/history.h"

void hist_format_time(double t, char out[32])
{
	if (!(t >= 0) || t > 253402300799.0) /* up to 9999-12-31 */
		t = 0;
	/* Whole milliseconds, rounded: truncating would turn .123 into .122 on a re-save. */
	long long total = llround(t * 1000.0);
	time_t s = (time_t)(total / 1000);
	int ms = (int)(total % 1000);
	struct tm tm;
	char b[96]; /* the compiler cannot see the ranges gmtime_r guarantees */
	gmtime_r(&s, &tm);
	snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	snprintf(out, 32, "%.31s", b);
}

int hist_parse_time(const char *s, double *t)
{
	int y, mo, d, h, mi, sec, ms = 0, used = 0;
	if (!s)
		return -1;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 ||
	    used != 19)
		return -1;
	const char *p = s + used;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		if (!digits)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	if (strcmp(p, "Z") || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
		return -1;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t v = timegm(&tm);
	if (v == (time_t)-1)
		return -1;
	*t = (double)v + ms / 1000.0;
	return 0;
}
