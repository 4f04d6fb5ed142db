/* fakeprov_evs: writes AWS event-stream messages (prelude, string headers, payload,
 * CRCs) for fakeprov's bedrock route. */
#include "fakeprov_evs.h"

#include <stdlib.h>
#include <string.h>

uint32_t fp_crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t table[256];
	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
			table[i] = c;
		}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

uint32_t fp_crc32(const unsigned char *p, size_t n)
{
	return fp_crc32_update(0, p, n);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

int fp_evs_message(const char *const *names, const char *const *values, size_t n,
		   const char *payload, size_t payload_len, unsigned char **out, size_t *out_len)
{
	size_t hlen = 0;
	for (size_t i = 0; i < n; i++)
		hlen += 1 + strlen(names[i]) + 1 + 2 + strlen(values[i]);
	size_t total = 12 + hlen + payload_len + 4;
	unsigned char *m = malloc(total);
	if (!m)
		return -1;
	put32(m, (uint32_t)total);
	put32(m + 4, (uint32_t)hlen);
	put32(m + 8, fp_crc32(m, 8));
	unsigned char *h = m + 12;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(names[i]), vl = strlen(values[i]);
		*h++ = (unsigned char)nl;
		memcpy(h, names[i], nl);
		h += nl;
		*h++ = 7; /* string */
		*h++ = (unsigned char)(vl >> 8);
		*h++ = (unsigned char)vl;
		memcpy(h, values[i], vl);
		h += vl;
	}
	memcpy(h, payload, payload_len);
	put32(m + total - 4, fp_crc32(m, total - 4));
	*out = m;
	*out_len = total;
	return 0;
}
