/* parse_floor: the least work a client can do with a streamed answer: read
 * the OpenAI-format stream over HTTP and decode every event with jansson; with
 * --markdown also parse the whole answer once with md4c (callbacks that do nothing), the
 * least a Markdown renderer must do. `make bench` compares cherry with it.
 * Usage: parse_floor [--markdown] URL BODY */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <md4c.h>

static char line[1 << 22];
static size_t line_len;
static size_t events, text_bytes;
static int markdown;
static char *answer;
static size_t answer_len, answer_cap;

static void keep(const char *s, size_t n)
{
	if (answer_len + n > answer_cap) {
		answer_cap = (answer_len + n) * 2;
		answer = realloc(answer, answer_cap);
		if (!answer)
			exit(1);
	}
	memcpy(answer + answer_len, s, n);
	answer_len += n;
}

static int md_block(MD_BLOCKTYPE t, void *d, void *u)
{
	(void)t, (void)d, (void)u;
	return 0;
}

static int md_span(MD_SPANTYPE t, void *d, void *u)
{
	(void)t, (void)d, (void)u;
	return 0;
}

static int md_text(MD_TEXTTYPE t, const MD_CHAR *s, MD_SIZE n, void *u)
{
	(void)t, (void)s, (void)n, (void)u;
	return 0;
}

static void on_line(void)
{
	if (line_len < 6 || memcmp(line, "data: ", 6) || !strncmp(line + 6, "[DONE]", 6))
		return;
	json_t *root = json_loadb(line + 6, line_len - 6, 0, NULL);
	json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
	json_t *content = json_object_get(json_object_get(choice, "delta"), "content");
	if (json_is_string(content)) {
		text_bytes += json_string_length(content);
		if (markdown)
			keep(json_string_value(content), json_string_length(content));
	}
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
	markdown = argc > 1 && !strcmp(argv[1], "--markdown");
	argv += markdown;
	argc -= markdown;
	if (argc != 3) {
		fprintf(stderr, "usage: parse_floor [--markdown] URL BODY\n");
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
	if (markdown) {
		MD_PARSER p = {0, MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS |
				   MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_LATEXMATHSPANS,
			       md_block, md_block, md_span, md_span, md_text, NULL, NULL};
		md_parse(answer, (MD_SIZE)answer_len, &p, NULL);
		free(answer);
	}
	fprintf(stderr, "parse_floor: %zu events, %zu text bytes\n", events, text_bytes);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc == CURLE_OK ? 0 : 1;
}
