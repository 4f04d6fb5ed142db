/* show: bytes shown readably in a failure message (show.h). */
#include "show.h"

#include <stdio.h>

const char *show(const char *p, size_t n)
{
	static char out[8][2048];
	static int slot;
	char *o = out[slot++ & 7];
	size_t j = 0;
	for (size_t i = 0; i < n && j + 8 < sizeof(out[0]); i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7F && c != '\\')
			o[j++] = (char)c;
		else
			j += (size_t)snprintf(o + j, sizeof(out[0]) - j, "\\x%02x", c);
	}
	o[j] = '\0';
	return o;
}
