/* test_sigv4: the AWS Signature Version 4 that cherry has libcurl make (http_sigv4_setup,
 * as a bedrock transfer uses it) against AWS's own published examples, captured by the
 * fake provider: the IAM ListUsers example of the AWS General Reference and the
 * get-vanilla case of AWS's SigV4 test suite, both at the fixed X-Amz-Date
 * 20150830T123600Z: libcurl's signer (http_aws_sigv4.c, read at 7.88.1) signs with an
 * X-Amz-Date header given to it instead of the clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cherry/secret.h"
#include "harness.h"
#include "http_int.h"

/* AWS's example credentials (not a real key). */
#define PAIR "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static struct fakeprov G;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	return fakeprov_start(&G) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	fakeprov_stop(&G);
	curl_global_cleanup();
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* Sends GET path with headers, signed for sigv4 with PAIR; returns what arrived as the
 * Authorization header (static). */
static const char *signed_authorization(const char *path, const char *const *headers,
					const char *sigv4)
{
	static char got[512];
	char url[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", G.port, path);
	assert_int_equal(fakeprov_clear_log(&G), 0);
	CURL *c = curl_easy_init();
	assert_non_null(c);
	struct curl_slist *list = NULL;
	for (size_t i = 0; headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	struct secret *key = secret_new(PAIR, strlen(PAIR));
	assert_non_null(key);
	assert_int_equal(http_sigv4_setup(c, sigv4, key), 0);
	secret_free(key);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	curl_slist_free_all(list);
	json_t *req = fakeprov_last_request(&G);
	assert_non_null(req);
	const char *a = request_header(req, "authorization");
	assert_non_null(a);
	snprintf(got, sizeof got, "%s", a);
	json_decref(req);
	return got;
}

/* The AWS General Reference's signing example: GET iam ListUsers. */
static void test_iam_list_users_example(void **state)
{
	(void)state;
	static const char *const headers[] = {
		"Host: iam.amazonaws.com",
		"Content-Type: application/x-www-form-urlencoded; charset=utf-8",
		"X-Amz-Date: 20150830T123600Z",
		NULL,
	};
	assert_string_equal(
		signed_authorization("/?Action=ListUsers&Version=2010-05-08", headers,
				     "aws:amz:us-east-1:iam"),
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
		"SignedHeaders=content-type;host;x-amz-date, "
		"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

/* AWS's SigV4 test suite, get-vanilla. */
static void test_get_vanilla(void **state)
{
	(void)state;
	static const char *const headers[] = {
		"Host: example.amazonaws.com",
		"X-Amz-Date: 20150830T123600Z",
		NULL,
	};
	assert_string_equal(
		signed_authorization("/", headers, "aws:amz:us-east-1:service"),
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
		"SignedHeaders=host;x-amz-date, "
		"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

/* The signature answers to the secret: another secret, another signature. */
static void test_wrong_pair_differs(void **state)
{
	(void)state;
	static const char *const headers[] = {"Host: example.amazonaws.com",
					      "X-Amz-Date: 20150830T123600Z", NULL};
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", G.port);
	CURL *c = curl_easy_init();
	struct curl_slist *list = NULL;
	for (size_t i = 0; headers[i]; i++)
		list = curl_slist_append(list, headers[i]);
	static const char other[] = "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ";
	struct secret *key = secret_new(other, sizeof other - 1);
	assert_int_equal(http_sigv4_setup(c, "aws:amz:us-east-1:service", key), 0);
	secret_free(key);
	/* a pair without its ':' is not one */
	struct secret *bad = secret_new("AKIDEXAMPLE", 11);
	assert_int_equal(http_sigv4_setup(c, "aws:amz:us-east-1:service", bad), -1);
	secret_free(bad);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	assert_int_equal(fakeprov_clear_log(&G), 0);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	curl_slist_free_all(list);
	json_t *req = fakeprov_last_request(&G);
	const char *a = request_header(req, "authorization");
	assert_non_null(strstr(a, "Signature="));
	assert_null(strstr(a, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
	json_decref(req);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iam_list_users_example),
		cmocka_unit_test(test_get_vanilla),
		cmocka_unit_test(test_wrong_pair_differs),
	};
	return cmocka_run_group_tests_name("sigv4", tests, setup, teardown);
}
