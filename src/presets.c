/* presets: the built-in provider table, one row per provider (data only). */
#include "presets.h"

/*
 * Sources. The first sixteen rows were checked against each provider's own
 * documentation where the stored copies allowed ("corroborated" marks a value only
 * seen in third-party code or docs). The rest come from Cherry Studio's provider
 * catalogue (shared/reference/cherry-studio.md §2): the base URL with Cherry's rule
 * applied (its root plus /v1 unless the URL already has a version segment; none for
 * perplexity and github), its Anthropic-compatible base ("anthropicApiHost") and,
 * for the default models, its SYSTEM_MODELS lists (chat models only, at most six,
 * newest first). Neither names a key variable or a privacy policy: the variable is
 * cherry's convention (NAME_API_KEY) and marked UK, the policy is left out and
 * marked UP. Rows left out on purpose: cherryai (Cherry's own relay), copilot (OAuth
 * device login), huggingface (Responses API), gateway and new-api (their own wire
 * types), jina and voyageai (embeddings).
 */
#define UK PROVIDER_UNVERIFIED_KEY_ENV
#define UP PROVIDER_UNVERIFIED_POLICY
#define LOCAL PRESET_KEY_OPTIONAL
#define GCLOUD PRESET_GCLOUD_TOKEN

const struct preset providers_preset_table[] = {
	/* Base: openai-python's default. Policy: openai.com, also linked by third parties. */
	{"openai", WIRE_OPENAI, "https://api.openai.com/v1", "OPENAI_API_KEY", 0,
	 "https://openai.com/policies/privacy-policy/", NULL,
	 {"gpt-5.4", "gpt-5.4-pro", "gpt-5.2", "gpt-5.1", "gpt-5"}},
	/* Requests go to {base}/v1/messages. */
	{"anthropic", WIRE_ANTHROPIC, "https://api.anthropic.com", "ANTHROPIC_API_KEY", 0,
	 "https://www.anthropic.com/legal/privacy", NULL,
	 {"claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-6",
	  "claude-sonnet-4-5"}},
	/* ai.google.dev: the libraries read GEMINI_API_KEY (or GOOGLE_API_KEY). Policy: Google's
	 * general privacy policy (corroborated); the Gemini API terms add data-use rules.
	 * Models: ai.google.dev's deprecations page (gemini-2.5-pro and -flash shut down on
	 * 2026-12-01, for gemini-3.8-flash and gemini-3.5-flash-lite; gemini-3-pro-preview on
	 * 2026-03-09, for gemini-3.1-pro-preview, which has no shutdown date). */
	{"gemini", WIRE_GEMINI, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY", 0,
	 "https://policies.google.com/privacy", NULL,
	 {"gemini-3.8-flash", "gemini-3.1-pro-preview", "gemini-3.5-flash", "gemini-3.5-flash-lite"}},
	/* Base replaced from OLLAMA_HOST when set (providers.c); native /api/chat. Models are
	 * whatever the user pulled: none by default. */
	{"ollama", WIRE_OLLAMA, "http://127.0.0.1:11434", NULL, LOCAL,
	 "https://ollama.com/privacy", NULL, {NULL}},
	/* api-docs.deepseek.com: base_url https://api.deepseek.com, DEEPSEEK_API_KEY in its curl
	 * example. Policy URL corroborated only. */
	{"deepseek", WIRE_OPENAI, "https://api.deepseek.com", "DEEPSEEK_API_KEY", 0,
	 "https://cdn.deepseek.com/policies/en-US/deepseek-privacy-policy.html",
	 "https://api.deepseek.com/anthropic", {"deepseek-v4-flash", "deepseek-v4-pro"}},
	/* openrouter.ai model pages: baseURL https://openrouter.ai/api/v1. Models (December
	 * 2026): each one's page on openrouter.ai (openrouter.ai/MODEL/api); the first is
	 * OpenRouter's "latest" alias, which always runs the newest Claude Sonnet
	 * (openrouter.ai/docs/guides/routing/routers/latest-resolution), so it cannot go
	 * stale as the dated ids before it did. */
	{"openrouter", WIRE_OPENAI, "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", 0,
	 "https://openrouter.ai/privacy", "https://openrouter.ai/api",
	 {"~anthropic/claude-sonnet-latest", "openai/gpt-oss-120b", "deepseek/deepseek-v4-flash"}},
	/* console.groq.com/docs/openai. Policy URL corroborated (a copy of the page was seen).
	 * Models: the production models of console.groq.com/docs/models; Groq's deprecation
	 * notice (console.groq.com/docs/deprecations, as quoted in the issues of projects that
	 * used them) retired llama-3.1-8b-instant and llama-3.3-70b-versatile on 2026-08-16
	 * for these two, after the Llama 3 and Gemma ids this row had. */
	{"groq", WIRE_OPENAI, "https://api.groq.com/openai/v1", "GROQ_API_KEY", 0,
	 "https://groq.com/privacy-policy/", NULL, {"openai/gpt-oss-120b", "openai/gpt-oss-20b"}},
	/* docs.mistral.ai/api: POST https://api.mistral.ai/v1/chat/completions. */
	{"mistral", WIRE_OPENAI, "https://api.mistral.ai/v1", "MISTRAL_API_KEY", 0,
	 "https://legal.mistral.ai/terms/privacy-policy", NULL,
	 {"mistral-large-latest", "mistral-small-latest", "codestral-latest",
	  "pixtral-large-latest", "ministral-8b-latest"}},
	/* Cherry Studio: grok. docs.x.ai names XAI_API_KEY; the /v1 base is corroborated by
	 * several SDKs. */
	{"xai", WIRE_OPENAI, "https://api.x.ai/v1", "XAI_API_KEY", 0,
	 "https://x.ai/legal/privacy-policy", NULL,
	 {"grok-4.3", "grok-4", "grok-3", "grok-3-mini"}},
	/* docs.together.ai now documents api.together.ai (Cherry Studio still has the older
	 * api.together.xyz). Models: Together's serverless catalog as LiteLLM's daily sync
	 * against /v1/models?serverless and docs.together.ai/docs/deprecations read it in
	 * September 2026 (BerriAI/litellm #38946, #41198, #41775): gemma-2-27b-it is
	 * deprecated, the Llama 3.2 Vision rows are gone from the catalog. */
	{"together", WIRE_OPENAI, "https://api.together.ai/v1", "TOGETHER_API_KEY", 0,
	 "https://together.ai/privacy", NULL,
	 {"deepseek-ai/DeepSeek-V4.1-Flash", "deepseek-ai/DeepSeek-V4-Pro-0813",
	  "Qwen/Qwen3.8-Flash", "Qwen/Qwen3.8-2.4T-A95B"}},
	/* Cherry Studio: silicon, on the same China host. docs.siliconflow.cn (the global
	 * platform, api.siliconflow.com, has separate accounts). SiliconFlow names no key
	 * variable; SILICONFLOW_API_KEY is the convention of third-party tools. */
	{"siliconflow", WIRE_OPENAI, "https://api.siliconflow.cn/v1", "SILICONFLOW_API_KEY", UK,
	 "https://docs.siliconflow.cn/en/legals/privacy-policy", "https://api.siliconflow.cn",
	 {"deepseek-ai/DeepSeek-V3.2", "Qwen/Qwen3-8B"}},
	/* Kimi platform quickstart: https://api.moonshot.ai/v1 and $MOONSHOT_API_KEY; the China
	 * platform, which Cherry Studio uses, is moonshot-cn. Policy URL corroborated only. */
	{"moonshot", WIRE_OPENAI, "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY", 0,
	 "https://platform.moonshot.ai/docs/agreement/userprivacy", NULL,
	 {"kimi-k2.6", "kimi-k2.5", "kimi-k2-thinking", "kimi-k2-turbo-preview",
	  "moonshot-v1-auto"}},
	{"moonshot-cn", WIRE_OPENAI, "https://api.moonshot.cn/v1", "MOONSHOT_API_KEY", UP,
	 NULL, "https://api.moonshot.cn/anthropic",
	 {"kimi-k2.6", "kimi-k2.5", "kimi-k2-thinking", "kimi-k2-turbo-preview",
	  "moonshot-v1-auto"}},
	/* Alibaba Cloud Model Studio, international (Singapore) compatible mode; the Beijing
	 * host, which Cherry Studio uses, is dashscope-cn. Policy URL corroborated only. The
	 * models are Cherry Studio's list for the Beijing host (its Qwen ones). */
	{"dashscope", WIRE_OPENAI, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
	 "DASHSCOPE_API_KEY", 0,
	 "https://www.alibabacloud.com/help/en/legal/latest/"
	 "alibaba-cloud-international-website-privacy-policy",
	 NULL, {"qwen3.5-plus", "qwen3.5-flash", "qwen3-max"}},
	{"dashscope-cn", WIRE_OPENAI, "https://dashscope.aliyuncs.com/compatible-mode/v1",
	 "DASHSCOPE_API_KEY", UP, NULL, "https://dashscope.aliyuncs.com/apps/anthropic",
	 {"qwen3.5-plus", "qwen3.5-flash", "qwen3-max", "deepseek-v3.2", "glm-5", "kimi-k2.5"}},
	/* docs.bigmodel.cn: https://open.bigmodel.cn/api/paas/v4. Its docs now show ZAI_API_KEY
	 * (the zai-sdk); ZHIPUAI_API_KEY is what the zhipuai SDK and LangChain read, so the
	 * variable stays marked. No privacy policy URL could be verified (third parties
	 * disagree), so none is claimed. The international platform is zai. */
	{"zhipu", WIRE_OPENAI, "https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", UK | UP,
	 NULL, "https://open.bigmodel.cn/api/anthropic",
	 {"glm-5", "glm-4.7", "glm-4.6", "glm-4.5-flash", "glm-4.6v"}},
	/* lmstudio.ai/docs: http://localhost:1234/v1 (loopback spelled as an address). */
	{"lmstudio", WIRE_OPENAI, "http://127.0.0.1:1234/v1", NULL, LOCAL,
	 "https://lmstudio.ai/app-privacy", NULL, {NULL}},
	/* Cherry Studio: azure-openai. Each resource has its own https://{resource}.openai.azure.com:
	 * no usable default. AZURE_OPENAI_API_KEY is what the openai SDK's AzureOpenAI reads.
	 * Policy: Microsoft's privacy statement (corroborated). Models are deployment names. */
	{"azure", WIRE_AZURE, NULL, "AZURE_OPENAI_API_KEY", 0,
	 "https://privacy.microsoft.com/privacystatement", NULL, {NULL}},
	/* Cherry Studio: aws-bedrock. docs.aws.amazon.com (API_runtime_ConverseStream): POST
	 * /model/{modelId}/converse-stream on bedrock-runtime.{region}.amazonaws.com, SigV4 for
	 * the service "bedrock". The key is the SDKs' AWS_ACCESS_KEY_ID with
	 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or a Bedrock API key in
	 * AWS_BEARER_TOKEN_BEDROCK sent as "Authorization: Bearer" (docs.aws.amazon.com,
	 * api-keys-use; keys.c); the region AWS_REGION or AWS_DEFAULT_REGION. Policy:
	 * aws.amazon.com/privacy (corroborated). Models: US cross-region inference profiles
	 * (Claude is not offered on demand by its bare model id; AWS's own API-key example
	 * names us.anthropic.claude-3-5-haiku-20241022-v1:0), these ids corroborated by
	 * SDKs' tables, not by an AWS page; other regions use eu., apac. ... */
	{"aws-bedrock", WIRE_BEDROCK, NULL, "AWS_ACCESS_KEY_ID", 0,
	 "https://aws.amazon.com/privacy/", NULL,
	 {"us.anthropic.claude-sonnet-4-5-20250929-v1:0",
	  "us.anthropic.claude-haiku-4-5-20251001-v1:0", "us.anthropic.claude-sonnet-4-20250514-v1:0",
	  "us.amazon.nova-pro-v1:0", "us.amazon.nova-lite-v1:0"}},
	/* Cherry Studio: vertexai. cloud.google.com (Gemini API in Vertex AI): POST
	 * {region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}/publishers/
	 * google/models/{model}:streamGenerateContent?alt=sse, or aiplatform.googleapis.com for
	 * the global region, with "Authorization: Bearer $(gcloud auth print-access-token)" as in
	 * Google's curl examples. No key variable: the token comes from key_command, kept 50
	 * minutes (tokens last an hour). Project GOOGLE_CLOUD_PROJECT, region
	 * GOOGLE_CLOUD_LOCATION, as the google-genai SDK reads them. Policy: the Google Cloud
	 * Privacy Notice (corroborated). */
	{"vertexai", WIRE_VERTEX, NULL, NULL, GCLOUD,
	 "https://cloud.google.com/terms/cloud-privacy-notice", NULL,
	 {"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"}},
	/* Cherry Studio: vertex-anthropic. docs.anthropic.com (Claude on Vertex AI): the model
	 * is in the URL (publishers/anthropic/models/{model}:streamRawPredict), not the body;
	 * anthropic_version "vertex-2023-10-16" goes in the body. Model names from Google's
	 * "Request predictions with Claude models" page (the @ suffix is required there). */
	{"vertex-anthropic", WIRE_VERTEX_ANTHROPIC, NULL, NULL, GCLOUD,
	 "https://cloud.google.com/terms/cloud-privacy-notice", NULL,
	 {"claude-sonnet-4-5@20250929", "claude-opus-4-5@20251101", "claude-haiku-4-5@20251001",
	  "claude-opus-4-1@20250805"}},

	/* ---- From Cherry Studio's catalogue (see the note at the top) ---- */
	/* Cherry's own paid gateway. */
	{"cherryin", WIRE_OPENAI, "https://open.cherryin.net/v1", "CHERRYIN_API_KEY", UK | UP,
	 NULL, "https://open.cherryin.net", {NULL}},
	{"zai", WIRE_OPENAI, "https://api.z.ai/api/paas/v4", "ZAI_API_KEY", UK | UP, NULL,
	 "https://api.z.ai/api/anthropic", {"glm-5", "glm-4.7", "glm-4.6", "glm-4.5-flash"}},
	{"minimax", WIRE_OPENAI, "https://api.minimaxi.com/v1", "MINIMAX_API_KEY", UK | UP, NULL,
	 "https://api.minimaxi.com/anthropic",
	 {"MiniMax-M2.7", "MiniMax-M2.7-highspeed", "MiniMax-M2.5", "MiniMax-M2.1", "MiniMax-M2"}},
	{"minimax-global", WIRE_OPENAI, "https://api.minimax.io/v1", "MINIMAX_API_KEY", UK | UP,
	 NULL, "https://api.minimax.io/anthropic",
	 {"MiniMax-M2.7", "MiniMax-M2.7-highspeed", "MiniMax-M2.5", "MiniMax-M2.1", "MiniMax-M2"}},
	/* Volcengine Ark, Beijing region. */
	{"doubao", WIRE_OPENAI, "https://ark.cn-beijing.volces.com/api/v3", "ARK_API_KEY",
	 UK | UP, NULL, NULL,
	 {"doubao-seed-2-0-pro-260215", "doubao-seed-2-0-lite-260215",
	  "doubao-seed-2-0-mini-260215", "doubao-seed-1-8-251228",
	  "doubao-seed-2-0-code-preview-260215"}},
	{"baidu-cloud", WIRE_OPENAI, "https://qianfan.baidubce.com/v2", "QIANFAN_API_KEY",
	 UK | UP, NULL, NULL,
	 {"ernie-4.0-turbo-8k-latest", "ernie-4.0-8k-latest", "ernie-speed-8k", "deepseek-v3",
	  "deepseek-r1"}},
	{"hunyuan", WIRE_OPENAI, "https://api.hunyuan.cloud.tencent.com/v1", "HUNYUAN_API_KEY",
	 UK | UP, NULL, NULL,
	 {"hunyuan-turbos-latest", "hunyuan-turbo", "hunyuan-pro", "hunyuan-standard",
	  "hunyuan-lite", "hunyuan-vision"}},
	{"tencent-cloud-ti", WIRE_OPENAI, "https://api.lkeap.cloud.tencent.com/v1",
	 "TENCENT_CLOUD_TI_API_KEY", UK | UP, NULL, NULL, {"deepseek-r1", "deepseek-v3"}},
	{"baichuan", WIRE_OPENAI, "https://api.baichuan-ai.com/v1", "BAICHUAN_API_KEY", UK | UP,
	 NULL, NULL,
	 {"Baichuan4", "Baichuan4-Turbo", "Baichuan4-Air", "Baichuan-M3", "Baichuan-M2"}},
	{"stepfun", WIRE_OPENAI, "https://api.stepfun.com/v1", "STEPFUN_API_KEY", UK | UP, NULL,
	 "https://api.stepfun.com", {"step-1-8k", "step-1-flash"}},
	/* Cherry Studio: yi (01.AI). */
	{"yi", WIRE_OPENAI, "https://api.lingyiwanwu.com/v1", "YI_API_KEY", UK | UP, NULL, NULL,
	 {"yi-lightning", "yi-vision-v2"}},
	{"longcat", WIRE_OPENAI, "https://api.longcat.chat/openai/v1", "LONGCAT_API_KEY", UK | UP,
	 NULL, "https://api.longcat.chat/anthropic",
	 {"LongCat-Flash-Chat", "LongCat-Flash-Thinking"}},
	{"mimo", WIRE_OPENAI, "https://api.xiaomimimo.com/v1", "MIMO_API_KEY", UK | UP, NULL,
	 "https://api.xiaomimimo.com/anthropic",
	 {"mimo-v2.5", "mimo-v2.5-pro", "mimo-v2-flash", "mimo-v2-omni"}},
	{"modelscope", WIRE_OPENAI, "https://api-inference.modelscope.cn/v1",
	 "MODELSCOPE_API_KEY", UK | UP, NULL, "https://api-inference.modelscope.cn",
	 {"Qwen/Qwen2.5-72B-Instruct", "Qwen/Qwen2.5-VL-72B-Instruct",
	  "Qwen/Qwen2.5-Coder-32B-Instruct", "deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-V3"}},
	{"infini", WIRE_OPENAI, "https://cloud.infini-ai.com/maas/v1", "INFINI_API_KEY", UK | UP,
	 NULL, NULL,
	 {"deepseek-r1", "deepseek-v3", "qwen2.5-72b-instruct", "llama-3.3-70b-instruct"}},
	/* China Telecom. */
	{"xirang", WIRE_OPENAI, "https://wishub-x1.ctyun.cn/v1", "XIRANG_API_KEY", UK | UP, NULL,
	 NULL, {NULL}},
	{"qiniu", WIRE_OPENAI, "https://api.qnaigc.com/v1", "QINIU_API_KEY", UK | UP, NULL,
	 "https://api.qnaigc.com", {"deepseek-r1", "deepseek-v3", "qwq-32b", "qwen2.5-72b-instruct"}},
	{"ppio", WIRE_OPENAI, "https://api.ppinfra.com/v3/openai", "PPIO_API_KEY", UK | UP, NULL,
	 NULL,
	 {"deepseek/deepseek-v3.2", "minimax/minimax-m2", "qwen/qwen3-235b-a22b-instruct-2507",
	  "qwen/qwen3-vl-235b-a22b-instruct"}},
	{"alayanew", WIRE_OPENAI, "https://deepseek.alayanew.com/v1", "ALAYANEW_API_KEY", UK | UP,
	 NULL, NULL, {NULL}},
	{"lanyun", WIRE_OPENAI, "https://maas-api.lanyun.net/v1", "LANYUN_API_KEY", UK | UP, NULL,
	 NULL,
	 {"/maas/deepseek-ai/DeepSeek-R1-0528", "/maas/deepseek-ai/DeepSeek-V3-0324",
	  "/maas/qwen/Qwen3-235B-A22B"}},
	{"sophnet", WIRE_OPENAI, "https://www.sophnet.com/api/open-apis/v1", "SOPHNET_API_KEY",
	 UK | UP, NULL, NULL, {NULL}},
	{"ph8", WIRE_OPENAI, "https://ph8.co/v1", "PH8_API_KEY", UK | UP, NULL, NULL,
	 {"deepseek-v3-241226", "deepseek-r1-250120"}},
	{"cephalon", WIRE_OPENAI, "https://cephalon.cloud/user-center/v1/model",
	 "CEPHALON_API_KEY", UK | UP, NULL, NULL, {"DeepSeek-R1"}},
	{"aihubmix", WIRE_OPENAI, "https://aihubmix.com/v1", "AIHUBMIX_API_KEY", UK | UP, NULL,
	 "https://aihubmix.com",
	 {"gpt-5", "gpt-5-mini", "claude-sonnet-4-20250514", "gemini-2.5-pro", "gemini-2.5-flash",
	  "DeepSeek-V3"}},
	{"dmxapi", WIRE_OPENAI, "https://www.dmxapi.cn/v1", "DMXAPI_API_KEY", UK | UP, NULL,
	 "https://www.dmxapi.cn",
	 {"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022", "gemini-2.0-flash",
	  "DMXAPI-DeepSeek-V3"}},
	/* A variable name cannot start with a digit: AI302, not 302AI. */
	{"302ai", WIRE_OPENAI, "https://api.302.ai/v1", "AI302_API_KEY", UK | UP, NULL,
	 "https://api.302.ai",
	 {"gpt-4.1", "o3", "o4-mini", "claude-sonnet-4-20250514", "deepseek-chat",
	  "deepseek-reasoner"}},
	{"ocoolai", WIRE_OPENAI, "https://api.ocoolai.com/v1", "OCOOLAI_API_KEY", UK | UP, NULL,
	 NULL,
	 {"gpt-4o", "gpt-4o-mini", "deepseek-chat", "deepseek-reasoner",
	  "claude-3-5-haiku-20241022"}},
	{"burncloud", WIRE_OPENAI, "https://ai.burncloud.com/v1", "BURNCLOUD_API_KEY", UK | UP,
	 NULL, NULL,
	 {"claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "gpt-5.1", "gemini-2.5-pro",
	  "deepseek-chat"}},
	{"aionly", WIRE_OPENAI, "https://api.aiionly.com/v1", "AIONLY_API_KEY", UK | UP, NULL,
	 NULL,
	 {"claude-sonnet-4-6", "claude-opus-4-6", "gpt-5.4", "gpt-5.4-mini",
	  "gemini-3.1-pro-preview", "gemini-2.5-flash"}},
	{"tokenflux", WIRE_OPENAI, "https://api.tokenflux.ai/openai/v1", "TOKENFLUX_API_KEY",
	 UK | UP, NULL, "https://api.tokenflux.ai/anthropic",
	 {"gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4", "gemini-2.5-pro", "deepseek-v3",
	  "deepseek-r1"}},
	{"poe", WIRE_OPENAI, "https://api.poe.com/v1", "POE_API_KEY", UK | UP, NULL, NULL,
	 {"Claude-Sonnet-4.6", "Claude-Opus-4.6", "GPT-5.4", "Gemini-3.1-Pro", "Grok-4",
	  "DeepSeek-R1"}},
	{"fireworks", WIRE_OPENAI, "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY",
	 UK | UP, NULL, NULL,
	 {"accounts/fireworks/models/llama-v3-70b-instruct",
	  "accounts/fireworks/models/mythomax-l2-13b"}},
	{"nvidia", WIRE_OPENAI, "https://integrate.api.nvidia.com/v1", "NVIDIA_API_KEY", UK | UP,
	 NULL, NULL, {"meta/llama-3.1-405b-instruct", "01-ai/yi-large"}},
	{"hyperbolic", WIRE_OPENAI, "https://api.hyperbolic.xyz/v1", "HYPERBOLIC_API_KEY",
	 UK | UP, NULL, NULL,
	 {"Qwen/Qwen2-VL-72B-Instruct", "Qwen/Qwen2-VL-7B-Instruct", "mistralai/Pixtral-12B-2409",
	  "meta-llama/Meta-Llama-3.1-405B"}},
	/* Cherry Studio adds no /v1 here. */
	{"perplexity", WIRE_OPENAI, "https://api.perplexity.ai", "PERPLEXITY_API_KEY", UK | UP,
	 NULL, NULL,
	 {"sonar", "sonar-pro", "sonar-reasoning", "sonar-reasoning-pro", "sonar-deep-research"}},
	/* inference-docs.cerebras.ai/support/deprecation: zai-glm-4.6 went on 2026-01-20,
	 * qwen-3-235b-a22b-instruct-2507 on 2026-05-27. */
	{"cerebras", WIRE_OPENAI, "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY", UK | UP, NULL,
	 NULL, {"gpt-oss-120b", "zai-glm-4.7"}},
	/* GitHub Models; Cherry Studio adds no /v1 here. */
	{"github", WIRE_OPENAI, "https://models.github.ai/inference", "GITHUB_TOKEN", UK | UP,
	 NULL, NULL, {"gpt-4o"}},
	/* OpenVINO Model Server on this machine. */
	{"ovms", WIRE_OPENAI, "http://127.0.0.1:8000/v3", NULL, LOCAL | UP, NULL, NULL, {NULL}},
	/* Self-hosted: the user sets base_url. */
	{"gpustack", WIRE_OPENAI, NULL, "GPUSTACK_API_KEY", UK | UP, NULL, NULL, {NULL}},
};

const size_t providers_preset_count = sizeof providers_preset_table /
				      sizeof providers_preset_table[0];

/*
 * The capability table: one row per default model above. Cherry Studio decides these by
 * patterns over model ids (src/renderer/src/config/models/vision.ts, tooluse.ts and
 * reasoning.ts at 0509eff / 0123b73, the "capability tags" of cherry-studio.md §1), and
 * a pattern that does not match proves nothing: so a match is a Y here, anything else
 * U (unknown), never N. Its tool rule also trusts every model of the deepseek,
 * anthropic and moonshot providers. Context windows are unknown except where the
 * provider's own model page states one: Groq's and OpenRouter's rows take it, and their
 * reasoning and tools, from those pages; OpenRouter's Claude Sonnet alias has what every
 * model of that family has, and no window (it changes with the model).
 * Users correct or complete rows in config.json ("models": [{"id": ..., ...}]).
 */
#define Y MODEL_CAP_YES
#define U MODEL_CAP_UNKNOWN

const struct preset_caps providers_caps_table[] = {
	{NULL, "gpt-5.4", Y, Y, Y, 0},
	{NULL, "gpt-5.4-pro", Y, Y, Y, 0},
	{NULL, "gpt-5.2", Y, Y, Y, 0},
	{NULL, "gpt-5.1", Y, Y, Y, 0},
	{NULL, "gpt-5", Y, Y, Y, 0},
	{NULL, "claude-opus-4-7", Y, Y, Y, 0},
	{NULL, "claude-sonnet-4-6", Y, Y, Y, 0},
	{NULL, "claude-haiku-4-5", Y, Y, Y, 0},
	{NULL, "claude-opus-4-6", Y, Y, Y, 0},
	{NULL, "claude-sonnet-4-5", Y, Y, Y, 0},
	{NULL, "gemini-2.5-flash", Y, Y, Y, 0},
	{NULL, "gemini-2.5-pro", Y, Y, Y, 0},
	/* Bedrock and Vertex AI name the same models their own way. */
	{NULL, "gemini-2.5-flash-lite", Y, Y, Y, 0},
	{NULL, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", Y, Y, Y, 0},
	{NULL, "us.anthropic.claude-haiku-4-5-20251001-v1:0", Y, Y, Y, 0},
	{NULL, "us.anthropic.claude-sonnet-4-20250514-v1:0", Y, Y, Y, 0},
	{NULL, "us.amazon.nova-pro-v1:0", Y, U, Y, 0},
	{NULL, "us.amazon.nova-lite-v1:0", Y, U, Y, 0},
	{NULL, "claude-sonnet-4-5@20250929", Y, Y, Y, 0},
	{NULL, "claude-opus-4-5@20251101", Y, Y, Y, 0},
	{NULL, "claude-haiku-4-5@20251001", Y, Y, Y, 0},
	{NULL, "claude-opus-4-1@20250805", Y, Y, Y, 0},
	{NULL, "gemini-3.8-flash", U, Y, Y, 0},
	{NULL, "gemini-3.5-flash", U, Y, Y, 0},
	{NULL, "gemini-3.5-flash-lite", U, Y, Y, 0},
	{NULL, "gemini-3.1-pro-preview", U, Y, Y, 0},
	{NULL, "deepseek-v4-flash", U, Y, Y, 0},
	{NULL, "deepseek-v4-pro", U, Y, Y, 0},
	{NULL, "~anthropic/claude-sonnet-latest", Y, Y, Y, 0},
	{NULL, "openai/gpt-oss-120b", U, Y, Y, 131072},
	{NULL, "deepseek/deepseek-v4-flash", U, Y, Y, 1048576},
	{NULL, "openai/gpt-oss-20b", U, Y, Y, 131072},
	{NULL, "mistral-large-latest", U, U, U, 0},
	{NULL, "mistral-small-latest", U, U, U, 0},
	{NULL, "codestral-latest", U, U, U, 0},
	{NULL, "pixtral-large-latest", Y, U, U, 0},
	{NULL, "ministral-8b-latest", U, U, U, 0},
	{NULL, "grok-4.3", Y, Y, U, 0},
	{NULL, "grok-4", Y, Y, U, 0},
	{NULL, "grok-3", U, U, Y, 0},
	{NULL, "grok-3-mini", U, Y, Y, 0},
	{NULL, "deepseek-ai/DeepSeek-V4.1-Flash", U, U, U, 0},
	{NULL, "deepseek-ai/DeepSeek-V4-Pro-0813", U, U, U, 0},
	{NULL, "Qwen/Qwen3.8-Flash", U, U, U, 0},
	{NULL, "Qwen/Qwen3.8-2.4T-A95B", U, U, U, 0},
	{NULL, "deepseek-ai/DeepSeek-V3.2", U, Y, Y, 0},
	{NULL, "Qwen/Qwen3-8B", U, Y, Y, 0},
	{NULL, "kimi-k2.6", U, Y, Y, 0},
	{NULL, "kimi-k2.5", U, Y, Y, 0},
	{NULL, "kimi-k2-thinking", U, Y, Y, 0},
	{NULL, "kimi-k2-turbo-preview", U, U, Y, 0},
	{NULL, "moonshot-v1-auto", U, U, Y, 0},
	{NULL, "qwen3.5-plus", U, Y, Y, 0},
	{NULL, "qwen3.5-flash", U, Y, Y, 0},
	{NULL, "qwen3-max", U, Y, Y, 0},
	{NULL, "deepseek-v3.2", U, Y, Y, 0},
	{NULL, "glm-5", U, Y, U, 0},
	{NULL, "glm-4.7", U, Y, Y, 0},
	{NULL, "glm-4.6", U, Y, Y, 0},
	{NULL, "glm-4.5-flash", U, Y, Y, 0},
	{NULL, "glm-4.6v", Y, Y, Y, 0},
	{NULL, "MiniMax-M2.7", U, U, Y, 0},
	{NULL, "MiniMax-M2.7-highspeed", U, U, Y, 0},
	{NULL, "MiniMax-M2.5", U, U, Y, 0},
	{NULL, "MiniMax-M2.1", U, U, Y, 0},
	{NULL, "MiniMax-M2", U, U, Y, 0},
	{NULL, "doubao-seed-2-0-pro-260215", U, Y, U, 0},
	{NULL, "doubao-seed-2-0-lite-260215", U, Y, U, 0},
	{NULL, "doubao-seed-2-0-mini-260215", U, Y, U, 0},
	{NULL, "doubao-seed-1-8-251228", U, Y, U, 0},
	{NULL, "doubao-seed-2-0-code-preview-260215", U, Y, U, 0},
	{NULL, "ernie-4.0-turbo-8k-latest", U, U, U, 0},
	{NULL, "ernie-4.0-8k-latest", U, U, U, 0},
	{NULL, "ernie-speed-8k", U, U, U, 0},
	{NULL, "deepseek-v3", U, U, Y, 0},
	{NULL, "deepseek-r1", U, Y, Y, 0},
	{NULL, "hunyuan-turbos-latest", U, U, Y, 0},
	{NULL, "hunyuan-turbo", U, U, Y, 0},
	{NULL, "hunyuan-pro", U, U, Y, 0},
	{NULL, "hunyuan-standard", U, U, Y, 0},
	{NULL, "hunyuan-lite", U, U, Y, 0},
	{NULL, "hunyuan-vision", Y, U, Y, 0},
	{NULL, "Baichuan4", U, U, U, 0},
	{NULL, "Baichuan4-Turbo", U, U, U, 0},
	{NULL, "Baichuan4-Air", U, U, U, 0},
	{NULL, "Baichuan-M3", U, U, U, 0},
	{NULL, "Baichuan-M2", U, U, U, 0},
	{NULL, "step-1-8k", U, U, U, 0},
	{NULL, "step-1-flash", U, U, U, 0},
	{NULL, "yi-lightning", U, U, U, 0},
	{NULL, "yi-vision-v2", Y, U, U, 0},
	{NULL, "LongCat-Flash-Chat", U, U, U, 0},
	{NULL, "LongCat-Flash-Thinking", U, Y, U, 0},
	{NULL, "mimo-v2.5", U, Y, U, 0},
	{NULL, "mimo-v2.5-pro", U, Y, U, 0},
	{NULL, "mimo-v2-flash", U, Y, U, 0},
	{NULL, "mimo-v2-omni", U, Y, U, 0},
	{NULL, "Qwen/Qwen2.5-72B-Instruct", U, U, U, 0},
	{NULL, "Qwen/Qwen2.5-VL-72B-Instruct", Y, U, U, 0},
	{NULL, "Qwen/Qwen2.5-Coder-32B-Instruct", U, U, U, 0},
	{NULL, "deepseek-ai/DeepSeek-R1", U, Y, Y, 0},
	{NULL, "deepseek-ai/DeepSeek-V3", U, U, Y, 0},
	{NULL, "qwen2.5-72b-instruct", U, U, U, 0},
	{NULL, "llama-3.3-70b-instruct", U, U, U, 0},
	{NULL, "qwq-32b", U, Y, U, 0},
	{NULL, "deepseek/deepseek-v3.2", U, Y, Y, 0},
	{NULL, "minimax/minimax-m2", U, U, Y, 0},
	{NULL, "qwen/qwen3-235b-a22b-instruct-2507", U, U, Y, 0},
	{NULL, "qwen/qwen3-vl-235b-a22b-instruct", Y, U, Y, 0},
	{NULL, "/maas/deepseek-ai/DeepSeek-R1-0528", U, Y, Y, 0},
	{NULL, "/maas/deepseek-ai/DeepSeek-V3-0324", U, U, Y, 0},
	{NULL, "/maas/qwen/Qwen3-235B-A22B", U, Y, Y, 0},
	{NULL, "deepseek-v3-241226", U, U, Y, 0},
	{NULL, "deepseek-r1-250120", U, Y, Y, 0},
	{NULL, "DeepSeek-R1", U, Y, Y, 0},
	{NULL, "gpt-5-mini", Y, Y, Y, 0},
	{NULL, "claude-sonnet-4-20250514", Y, Y, Y, 0},
	{NULL, "DeepSeek-V3", U, U, Y, 0},
	{NULL, "gpt-4o", Y, U, Y, 0},
	{NULL, "gpt-4o-mini", Y, U, Y, 0},
	{NULL, "claude-3-5-sonnet-20241022", Y, U, Y, 0},
	{NULL, "gemini-2.0-flash", Y, U, Y, 0},
	{NULL, "DMXAPI-DeepSeek-V3", U, U, Y, 0},
	{NULL, "gpt-4.1", Y, U, Y, 0},
	{NULL, "o3", Y, Y, Y, 0},
	{NULL, "o4-mini", Y, Y, Y, 0},
	{NULL, "deepseek-chat", U, U, Y, 0},
	{NULL, "deepseek-reasoner", U, Y, Y, 0},
	{NULL, "claude-3-5-haiku-20241022", Y, U, Y, 0},
	{NULL, "claude-sonnet-4-5-20250929", Y, Y, Y, 0},
	{NULL, "claude-opus-4-5-20251101", Y, Y, Y, 0},
	{NULL, "gpt-5.4-mini", Y, Y, Y, 0},
	{NULL, "gpt-4.1-mini", Y, U, Y, 0},
	{NULL, "claude-sonnet-4", Y, Y, Y, 0},
	{NULL, "Claude-Sonnet-4.6", Y, Y, Y, 0},
	{NULL, "Claude-Opus-4.6", Y, Y, Y, 0},
	{NULL, "GPT-5.4", Y, Y, Y, 0},
	{NULL, "Gemini-3.1-Pro", U, Y, Y, 0},
	{NULL, "Grok-4", Y, Y, U, 0},
	{NULL, "accounts/fireworks/models/llama-v3-70b-instruct", U, U, U, 0},
	{NULL, "accounts/fireworks/models/mythomax-l2-13b", U, U, U, 0},
	{NULL, "meta/llama-3.1-405b-instruct", U, U, U, 0},
	{NULL, "01-ai/yi-large", U, U, U, 0},
	{NULL, "Qwen/Qwen2-VL-72B-Instruct", Y, U, U, 0},
	{NULL, "Qwen/Qwen2-VL-7B-Instruct", Y, U, U, 0},
	{NULL, "mistralai/Pixtral-12B-2409", Y, U, U, 0},
	{NULL, "meta-llama/Meta-Llama-3.1-405B", U, U, U, 0},
	{NULL, "sonar", U, U, U, 0},
	{NULL, "sonar-pro", U, U, U, 0},
	{NULL, "sonar-reasoning", U, Y, U, 0},
	{NULL, "sonar-reasoning-pro", U, Y, U, 0},
	{NULL, "sonar-deep-research", U, U, U, 0},
	{NULL, "gpt-oss-120b", U, Y, Y, 0},
	{NULL, "zai-glm-4.7", U, U, Y, 0},

};

const size_t providers_caps_count = sizeof providers_caps_table / sizeof providers_caps_table[0];
