/* fakeprov_evs: AWS event-stream messages written for fakeprov's bedrock route, with a
 * CRC-32 of its own (bitwise, not cherry's table), so the two sides check each other. */
#ifndef FAKEPROV_EVS_H
#define FAKEPROV_EVS_H

#include <stddef.h>
#include <stdint.h>

/* One message into out (malloc'd, *out_len bytes): string headers names[i]=values[i]
 * for i < n, then payload. Returns 0, or -1 on OOM. */
int fp_evs_message(const char *const *names, const char *const *values, size_t n,
		   const char *payload, size_t payload_len, unsigned char **out, size_t *out_len);
uint32_t fp_crc32(const unsigned char *p, size_t n);
/* The CRC-32 of more bytes after those crc was of (0 to start). */
uint32_t fp_crc32_update(uint32_t crc, const unsigned char *p, size_t n);

#endif
