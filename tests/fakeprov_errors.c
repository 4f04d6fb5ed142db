/* fakeprov_errors: error responses in each kind's own shape and words (status, body,
 * the key masked), as the real providers send them. */
#include "fakeprov.h"

/* ---------------------------------------------------------------- error bodies per kind */

/* The key the client sent, for the OpenAI 401 message, shown masked as the real one does. */
static void masked_key(const struct req *r, enum kind k, struct sbuf *out)
{
	const char *key = NULL;
	if (k == K_AZURE)
		key = req_header(r, "api-key");
	if (!key) {
		const char *a = req_header(r, "authorization");
		if (a && !strncasecmp(a, "Bearer ", 7))
			for (key = a + 7; *key == ' ';)
				key++;
	}
	if (!key || !*key)
		return;
	size_t n = strlen(key);
	if (n >= 12)
		sb_add(out, key, 8);
	sb_adds(out, "****");
	if (n >= 4)
		sb_adds(out, key + n - 4);
}

struct errinfo {
	int status;
	const char *extra_headers;
};

static struct errinfo err_status(enum kind k, enum failure f)
{
	struct errinfo e = {400, NULL};
	switch (f) {
	case F_401: e.status = 401; break;
	case F_403: case F_NO_SIGNATURE: e.status = 403; break;
	case F_404: case F_NO_REPLAY: e.status = 404; break;
	case F_429: e.status = 429; e.extra_headers = "Retry-After: 1\r\n"; break;
	case F_429MS: e.status = 429; e.extra_headers = "retry-after-ms: 200\r\n"; break;
	case F_QUOTA: e.status = k == K_ANTHROPIC ? 400 : 429; break;
	case F_500: e.status = 500; break;
	case F_503: e.status = 503; break;
	case F_529: e.status = k == K_ANTHROPIC ? 529 : 503; break;
	default: break;
	}
	return e;
}

/* The words and message of one error, per failure and kind. type is the kind's error type
 * (gemini: its status word), msg a format taking one string: the model, the masked key or
 * fakeprov's own detail. The last entry of each table, F_NONE, is the fallback. */
struct errtext {
	enum failure f;
	const char *type;
	const char *code;
	const char *param;
	const char *msg;
};

#define OA_KEYS "You can find your API key at https://platform.openai.com/account/api-keys."
static const struct errtext openai_errors[] = {
	{F_401, "invalid_request_error", "invalid_api_key", NULL,
	 "Incorrect API key provided: %s. " OA_KEYS},
	{F_NO_KEY, "invalid_request_error", NULL, NULL,
	 "You didn't provide an API key. You need to provide your API key in an Authorization "
	 "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). " OA_KEYS},
	{F_403, "invalid_request_error", "model_not_found", NULL,
	 "Project does not have access to model `%s`."},
	{F_404, "invalid_request_error", "model_not_found", NULL,
	 "The model `%s` does not exist or you do not have access to it."},
	{F_429, "requests", "rate_limit_exceeded", NULL,
	 "Rate limit reached for fake-gpt-1 in organization org-fake on requests per min (RPM): "
	 "Limit 3, Used 3, Requested 1. Please try again in 1s."},
	{F_QUOTA, "insufficient_quota", "insufficient_quota", NULL,
	 "You exceeded your current quota, please check your plan and billing details."},
	{F_500, "server_error", NULL, NULL,
	 "The server had an error while processing your request. Sorry about that!"},
	{F_503, "server_error", NULL, NULL,
	 "The engine is currently overloaded, please try again later"},
	{F_NO_MODEL, "invalid_request_error", NULL, NULL, "you must provide a model parameter"},
	{F_NO_REPLAY, "invalid_request_error", "model_not_found", NULL, "fakeprov: no fixture %s"},
	{F_SCENARIO, "invalid_request_error", NULL, "model",
	 "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, "invalid_request_error", "invalid_value", "temperature",
	 "Invalid value for 'temperature': expected a number."},
};

static const struct errtext azure_errors[] = {
	{F_401, NULL, "401", NULL,
	 "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
	 "provide a valid key for an active subscription and use a correct regional API endpoint "
	 "for your resource."},
	{F_403, NULL, "403", NULL, "Public access is disabled. Please configure private endpoint."},
	{F_404, NULL, "DeploymentNotFound", NULL,
	 "The API deployment for this resource does not exist. If you created the deployment "
	 "within the last 5 minutes, please wait a moment and try again."},
	{F_429, NULL, "429", NULL,
	 "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
	 "2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. "
	 "Please retry after 1 second."},
	{F_500, NULL, "InternalServerError", NULL,
	 "The service encountered an internal error. Please retry your request."},
	{F_503, NULL, "ServiceUnavailable", NULL,
	 "The service is temporarily unable to process your request. Please try again later."},
	{F_NO_API_VERSION, NULL, "BadRequest", NULL,
	 "Missing API version parameter: api-version is required."},
	{F_SCENARIO, NULL, "BadRequest", NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, NULL, "BadRequest", NULL, "Invalid request (fake e400)."},
};

static const struct errtext anthropic_errors[] = {
	{F_401, "authentication_error", NULL, NULL, "invalid x-api-key"},
	{F_403, "permission_error", NULL, NULL,
	 "Your API key does not have permission to use the specified resource."},
	{F_404, "not_found_error", NULL, NULL, "model: %s"},
	{F_429, "rate_limit_error", NULL, NULL,
	 "This request would exceed the rate limit for your organization of 5 requests per "
	 "minute. Please try again later."},
	{F_QUOTA, "invalid_request_error", NULL, NULL,
	 "Your credit balance is too low to access the Anthropic API. Please go to Plans & "
	 "Billing to upgrade or purchase credits."},
	{F_500, "api_error", NULL, NULL, "Internal server error"},
	{F_503, "api_error", NULL, NULL, "Service unavailable"},
	{F_529, "overloaded_error", NULL, NULL, "Overloaded"},
	{F_NO_MODEL, "invalid_request_error", NULL, NULL, "model: Field required"},
	{F_SCENARIO, "invalid_request_error", NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_VERTEX_BODY, "invalid_request_error", NULL, NULL,
	 "fakeprov: Vertex wants \"anthropic_version\": \"vertex-2023-10-16\" in the body and no "
	 "\"model\" (%s)"},
	{F_NONE, "invalid_request_error", NULL, NULL, "messages: at least one message is required"},
};

static const struct errtext gemini_errors[] = {
	{F_401, "UNAUTHENTICATED", NULL, NULL,
	 "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
	 "cookie or other valid authentication credential. See "
	 "https://developers.google.com/identity/sign-in/web/devconsole-project."},
	{F_403, "PERMISSION_DENIED", NULL, NULL, "The caller does not have permission"},
	{F_404, "NOT_FOUND", NULL, NULL,
	 "models/%s is not found for API version v1beta, or is not supported for "
	 "generateContent. Call ListModels to see the list of available models and their "
	 "supported methods."},
	{F_429, "RESOURCE_EXHAUSTED", NULL, NULL,
	 "You exceeded your current quota, please check your plan and billing details. For more "
	 "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
	 "Please retry in 1s."},
	{F_500, "INTERNAL", NULL, NULL,
	 "An internal error has occurred. Please retry or report in "
	 "https://developers.generativeai.google/guide/troubleshooting"},
	{F_503, "UNAVAILABLE", NULL, NULL, "The model is overloaded. Please try again later."},
	{F_NO_ALT_SSE, "INVALID_ARGUMENT", NULL, NULL,
	 "fakeprov: streamGenerateContent needs ?alt=sse (without it the real service streams "
	 "one JSON array, not SSE)"},
	{F_SCENARIO, "INVALID_ARGUMENT", NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, "INVALID_ARGUMENT", NULL, NULL, "Request contains an invalid argument."},
};

static const struct errtext ollama_errors[] = {
	{F_401, NULL, NULL, NULL, "unauthorized"},
	{F_403, NULL, NULL, NULL, "forbidden"},
	{F_404, NULL, NULL, NULL, "model \"%s\" not found, try pulling it first"},
	{F_429, NULL, NULL, NULL, "too many requests"},
	{F_500, NULL, NULL, NULL, "an error was encountered while running the model"},
	{F_503, NULL, NULL, NULL,
	 "server busy, please try again.  maximum pending requests exceeded"},
	{F_NO_MODEL, NULL, NULL, NULL, "model is required"},
	{F_SCENARIO, NULL, NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, NULL, NULL, NULL, "invalid request (fake e400)"},
};

/* Bedrock: {"message": ...}, the type in the x-amzn-ErrorType header. */
static const struct errtext bedrock_errors[] = {
	{F_401, "UnrecognizedClientException", NULL, NULL,
	 "The security token included in the request is invalid."},
	{F_403, "AccessDeniedException", NULL, NULL,
	 "You don't have access to the model with the specified model ID."},
	{F_404, "ResourceNotFoundException", NULL, NULL, "Model %s not found."},
	{F_429, "ThrottlingException", NULL, NULL,
	 "Too many requests, please wait before trying again."},
	{F_500, "InternalServerException", NULL, NULL,
	 "The system encountered an unexpected error during processing. Try your request again."},
	{F_503, "ServiceUnavailableException", NULL, NULL, "Bedrock is unable to process your "
	 "request."},
	{F_NO_SIGNATURE, "IncompleteSignatureException", NULL, NULL,
	 "fakeprov: no AWS4-HMAC-SHA256 signature for the bedrock service with an x-amz-date, "
	 "nor a bearer key (%s)"},
	{F_SCENARIO, "ValidationException", NULL, NULL, "fakeprov: unknown scenario word \"%s\""},
	{F_NONE, "ValidationException", NULL, NULL, "invalid request (fake e400)"},
};

/* Failures that share one text: 429 with either header, and per kind the nearest one. */
static enum failure err_alias(enum kind k, enum failure f)
{
	if (f == F_429MS ||
	    (f == F_QUOTA && (k == K_AZURE || k == K_OLLAMA || k == K_GEMINI || k == K_BEDROCK)))
		return F_429;
	if (f == F_529 && k != K_ANTHROPIC)
		return F_503;
	if (f == F_NO_REPLAY && k != K_OPENAI)
		return F_404;
	return f;
}

static const struct errtext *err_text(enum kind k, enum failure f)
{
#define TABLE(t) {t, sizeof t / sizeof *t}
	static const struct {
		const struct errtext *t;
		size_t n;
	} tables[] = {
		[K_OPENAI] = TABLE(openai_errors),
		[K_ANTHROPIC] = TABLE(anthropic_errors),
		[K_GEMINI] = TABLE(gemini_errors),
		[K_OLLAMA] = TABLE(ollama_errors),
		[K_AZURE] = TABLE(azure_errors),
		[K_RESPONSES] = TABLE(openai_errors),
		[K_BEDROCK] = TABLE(bedrock_errors),
	};
#undef TABLE
	f = err_alias(k, f);
	for (size_t i = 0; i + 1 < tables[k].n; i++)
		if (tables[k].t[i].f == f)
			return &tables[k].t[i];
	return &tables[k].t[tables[k].n - 1];
}

static json_t *google_detail(const char *type)
{
	struct sbuf t = {0};
	sb_printf(&t, "type.googleapis.com/google.rpc.%s", type);
	json_t *d = json_pack("{s:s}", "@type", t.p);
	sb_free(&t);
	return d;
}

/* google.rpc.Status details of a 429: which quota, where to read more, when to retry. */
static json_t *gemini_quota_details(int daily)
{
	json_t *details = json_array(), *d;
	d = google_detail("QuotaFailure");
	json_object_set_new(d, "violations", json_pack("[{s:s,s:s,s:{s:s,s:s},s:s}]", "quotaMetric",
		"generativelanguage.googleapis.com/generate_content_free_tier_requests",
		"quotaId", daily ? "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
				 : "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
		"quotaDimensions", "location", "global", "model", "fake-gemini-1",
		"quotaValue", daily ? "250" : "10"));
	json_array_append_new(details, d);
	d = google_detail("Help");
	json_object_set_new(d, "links", json_pack("[{s:s,s:s}]", "description",
		"Learn more about Gemini API quotas", "url",
		"https://ai.google.dev/gemini-api/docs/rate-limits"));
	json_array_append_new(details, d);
	d = google_detail("RetryInfo");
	json_object_set_new(d, "retryDelay", json_string("1s"));
	json_array_append_new(details, d);
	return details;
}

/* An HTTP error in the kind's own envelope. arg fills the message's %s: the model, or
 * fakeprov's detail for its own complaints (unknown word, missing fixture). */
void send_error(struct conn *c, const struct req *r, enum kind k, enum failure f,
		const char *arg)
{
	struct errinfo ei = err_status(k, f);
	struct sbuf msg = {0}, key = {0};
	json_t *j;
	if (k == K_OPENAI && f == F_401) {
		masked_key(r, k, &key);
		if (!key.len)
			f = F_NO_KEY;
		else
			arg = key.p;
	}
	const struct errtext *t = err_text(k, f);
	sb_printf(&msg, t->msg, arg ? arg : "");
	switch (k) {
	case K_OPENAI: case K_RESPONSES:
		j = json_pack("{s:{s:s,s:s,s:s?,s:s?}}", "error", "message", msg.p, "type", t->type,
			      "param", t->param, "code", t->code);
		respond_json(c, ei.status, ei.extra_headers, j, 4);
		break;
	case K_AZURE:
		j = json_pack("{s:{s:s,s:s}}", "error", "code", t->code, "message", msg.p);
		respond_json(c, ei.status, ei.extra_headers, j, 0);
		break;
	case K_ANTHROPIC:
		j = json_pack("{s:s,s:{s:s,s:s},s:s}", "type", "error", "error", "type", t->type,
			      "message", msg.p, "request_id", "req_011CfakeRequest0123456789");
		respond_json(c, ei.status, ei.extra_headers, j, 0);
		break;
	case K_GEMINI:
		j = json_pack("{s:i,s:s,s:s}", "code", ei.status, "message", msg.p, "status",
			      t->type);
		if (ei.status == 429)
			json_object_set_new(j, "details", gemini_quota_details(f == F_QUOTA));
		respond_json(c, ei.status, ei.extra_headers, json_pack("{s:o}", "error", j), 2);
		break;
	case K_OLLAMA:
		respond_json(c, ei.status, ei.extra_headers, json_pack("{s:s}", "error", msg.p), 0);
		break;
	case K_BEDROCK: {
		struct sbuf h = {0};
		sb_printf(&h, "%sx-amzn-ErrorType: %s:http://internal.amazon.com/coral/"
			  "com.amazon.bedrock/\r\n", ei.extra_headers ? ei.extra_headers : "",
			  t->type);
		respond_json(c, ei.status, h.p, json_pack("{s:s}", "message", msg.p), 0);
		sb_free(&h);
		break;
	}
	}
	sb_free(&msg);
	sb_free(&key);
}
