/* provider_kinds: the words a provider and a preset row are written in: the wire kinds,
 * the default-models limit, the unverified flags and a capability's values. Declarations
 * only, with no module of its own, so that providers.h and the preset table (presets.h)
 * share them without depending on each other. */
#ifndef CHERRY_PROVIDER_KINDS_H
#define CHERRY_PROVIDER_KINDS_H

enum wire_kind {
	WIRE_OPENAI,    /* OpenAI Chat Completions and compatible servers */
	WIRE_ANTHROPIC, /* Anthropic Messages */
	WIRE_GEMINI,    /* Google Gemini generateContent */
	WIRE_OLLAMA,    /* Ollama native /api/chat (NDJSON) */
	WIRE_AZURE,     /* Azure OpenAI deployments */
	WIRE_RESPONSES, /* OpenAI Responses API ("openai-responses") */
	WIRE_BEDROCK,   /* AWS Bedrock ConverseStream (SigV4, binary event stream) */
	WIRE_VERTEX,    /* Gemini on Google Vertex AI (a bearer token) */
	WIRE_VERTEX_ANTHROPIC, /* Claude on Google Vertex AI (streamRawPredict) */
};

/* Default models a preset offers before any list is fetched: a few, newest first. */
#define PROVIDERS_MAX_DEFAULT_MODELS 6

/* Facts about a preset that no primary source confirmed (struct provider.unverified):
 * shown as such by `cherry providers`, never passed off as checked. */
#define PROVIDER_UNVERIFIED_KEY_ENV 0x1u /* the key variable is cherry's convention */
#define PROVIDER_UNVERIFIED_POLICY 0x2u  /* no privacy policy URL could be confirmed */

/* A capability's value (each flag of providers.h's struct model_caps). */
enum model_cap { MODEL_CAP_UNKNOWN = -1, MODEL_CAP_NO = 0, MODEL_CAP_YES = 1 };

#endif
