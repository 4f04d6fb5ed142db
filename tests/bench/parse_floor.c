/* parse_floor: the least work a client can do with a streamed answer: read
 * the OpenAI-format stream over HTTP and decode every event with jansson.
 * `make bench` compares cherry ask with it. Usage: parse_floor URL BODY */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

static char line[1 << 22];
static size_t line_len;
static size_t events, text_bytes;

static void on_line(void)
{
	if (line_len < 6 || memcmp(line, "data: ", 6) || !strncmp(line + 6, "[DONE]", 6))
		return;
	json_t *root = json_loadb(line + 6, line_len - 6, 0, NULL);
	json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
	json_t *content = json_object_get(json_object_get(choice, "delta"), "content");
	if (json_is_string(content))
		text_bytes += json_string_length(content);
	events++;
	json_decref(root);
}

static size_t on_write(char *p, size_t size, size_t n, void *ctx)
{
	(void)ctx;
	size_t len = size * n;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			on_line();
			line_len = 0;
		} else if (line_len < sizeof line) {
			line[line_len++] = p[i];
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: parse_floor URL BODY\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, argv[2]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	CURLcode rc = curl_easy_perform(c);
	fprintf(stderr, "parse_floor: %zu events, %zu text bytes\n", events, text_bytes);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc == CURLE_OK ? 0 : 1;
}
