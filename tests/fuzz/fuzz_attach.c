/* fuzz_attach: any bytes, as an attached file: the sniffer and the header reader for an
 * image's pixels never read past the end; a text file's block keeps every byte and a
 * fence no run of backticks inside can close; a name loses its control characters. */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cherry/attach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *type = NULL;
	enum attach_kind k = attach_sniff(data, size, &type);
	require(type != NULL);
	unsigned long w, h;
	if (attach_image_size(data, size, &w, &h) == 0)
		require(k == ATTACH_IMAGE);
	/* the bytes as a name (up to a NUL) and, when text, as the file */
	char *name = malloc(size + 1);
	require(name != NULL);
	memcpy(name, data, size);
	name[size] = '\0';
	struct buf clean = BUF_INIT;
	require(attach_clean_name(name, &clean) == 0);
	for (size_t i = 0; i < clean.len; i++)
		require((unsigned char)clean.data[i] >= 0x20 && clean.data[i] != 0x7f);
	if (k == ATTACH_TEXT) {
		struct buf b = BUF_INIT;
		require(attach_text_block("f.c", (const char *)data, size, &b) == 0);
		require(b.len >= size);
		require(size == 0 || memmem(b.data, b.len, data, size) != NULL);
		size_t run = 0, longest = 0, fence = 0;
		for (size_t i = 0; i < size; i++) {
			run = data[i] == '`' ? run + 1 : 0;
			longest = run > longest ? run : longest;
		}
		while (5 + fence < b.len && b.data[5 + fence] == '`') /* after "f.c:\n" */
			fence++;
		require(fence >= 3 && fence > longest);
		buf_free(&b);
	}
	buf_free(&clean);
	free(name);
	return 0;
}
