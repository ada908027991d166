/**
 * What each endpoint accepts: the top-level parameter names of OpenAI's current API reference
 * (openai-node 6.30 `ChatCompletionCreateParamsBase`, `CompletionCreateParamsBase`,
 * `EmbeddingCreateParams`), the closed value sets, and the documented limits. Built once at load.
 * @module
 */
import type { InferenceEndpoint } from '../upstream/engine.js';
import { stringEnum } from './describe.js';

const CHAT_PARAMS = [
  'messages', 'model', 'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias',
  'logprobs', 'max_completion_tokens', 'max_tokens', 'metadata', 'modalities', 'n',
  'parallel_tool_calls', 'prediction', 'presence_penalty', 'prompt_cache_key',
  'prompt_cache_retention', 'reasoning_effort', 'response_format', 'safety_identifier', 'seed',
  'service_tier', 'stop', 'store', 'stream', 'stream_options', 'temperature', 'tool_choice',
  'tools', 'top_logprobs', 'top_p', 'user', 'verbosity', 'web_search_options',
];

const COMPLETION_PARAMS = [
  'model', 'prompt', 'best_of', 'echo', 'frequency_penalty', 'logit_bias', 'logprobs',
  'max_tokens', 'n', 'presence_penalty', 'seed', 'stop', 'stream', 'stream_options', 'suffix',
  'temperature', 'top_p', 'user',
];

const EMBEDDING_PARAMS = ['input', 'model', 'dimensions', 'encoding_format', 'user'];

/**
 * openai-node 6.49 `ResponseCreateParamsBase`, less what needs OpenAI's own stores (`conversation`,
 * `prompt`, `context_management`, `moderation`, `prompt_cache_options`): unrecognized here.
 */
const RESPONSES_PARAMS = [
  'model', 'input', 'background', 'include', 'instructions', 'max_output_tokens', 'max_tool_calls',
  'metadata', 'parallel_tool_calls', 'previous_response_id', 'prompt_cache_key',
  'prompt_cache_retention', 'reasoning', 'safety_identifier', 'service_tier', 'store', 'stream',
  'stream_options', 'temperature', 'text', 'tool_choice', 'tools', 'top_logprobs', 'top_p',
  'truncation', 'user',
];

/** Top-level names each endpoint knows; anything else is an unrecognized argument. */
export const KNOWN_PARAMS: Readonly<Record<InferenceEndpoint, ReadonlySet<string>>> = {
  'chat.completions': new Set(CHAT_PARAMS),
  completions: new Set(COMPLETION_PARAMS),
  embeddings: new Set(EMBEDDING_PARAMS),
  responses: new Set(RESPONSES_PARAMS),
};

/** The parameter that carries the prompt, and the noun context-length messages use for it. */
export const PROMPT_PARAM: Readonly<Record<InferenceEndpoint, 'messages' | 'prompt' | 'input'>> = {
  'chat.completions': 'messages',
  completions: 'prompt',
  embeddings: 'input',
  responses: 'input',
};

// Closed value sets. Order is the order OpenAI's own messages list them in where observed.
export const ROLE = stringEnum(['system', 'assistant', 'user', 'function', 'tool', 'developer']);
export const CONTENT_PART_TYPE = stringEnum(['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file']);
export const INPUT_AUDIO_FORMAT = stringEnum(['wav', 'mp3']);
export const TOOL_CALL_TYPE = stringEnum(['function', 'custom']);
export const TOOL_TYPE = stringEnum(['function', 'custom']);
export const CUSTOM_TOOL_FORMAT = stringEnum(['text', 'grammar']);
export const GRAMMAR_SYNTAX = stringEnum(['lark', 'regex']);
export const TOOL_CHOICE_MODE = stringEnum(['none', 'auto', 'required']);
export const TOOL_CHOICE_TYPE = stringEnum(['function', 'custom', 'allowed_tools']);
export const ALLOWED_TOOLS_MODE = stringEnum(['auto', 'required']);
export const FUNCTION_CALL_MODE = stringEnum(['none', 'auto']);
export const RESPONSE_FORMAT_TYPE = stringEnum(['json_object', 'json_schema', 'text']);
export const REASONING_EFFORT = stringEnum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
/** `fast` is accepted unlisted: newer OpenAI tiers answer it, older SDK types do not list it. */
export const SERVICE_TIER = stringEnum(['auto', 'default', 'flex', 'scale', 'priority'], ['fast']);
export const VERBOSITY = stringEnum(['low', 'medium', 'high']);
/** OpenAI renamed `in-memory` to `in_memory`; SDKs before the fix still send the old spelling. */
export const PROMPT_CACHE_RETENTION = stringEnum(['in_memory', '24h'], ['in-memory']);
export const MODALITY = stringEnum(['text', 'audio']);
export const AUDIO_FORMAT = stringEnum(['wav', 'aac', 'mp3', 'flac', 'opus', 'pcm16']);
export const PREDICTION_TYPE = stringEnum(['content']);
/** Predicted content may hold text parts only. */
export const TEXT_PART_TYPE = stringEnum(['text']);
export const SEARCH_CONTEXT_SIZE = stringEnum(['low', 'medium', 'high']);
export const USER_LOCATION_TYPE = stringEnum(['approximate']);
export const ENCODING_FORMAT = stringEnum(['float', 'base64']);
// The Responses API.
export const INPUT_ITEM_TYPE = stringEnum(['message', 'function_call', 'function_call_output', 'reasoning', 'item_reference']);
export const INPUT_ROLE = stringEnum(['user', 'assistant', 'system', 'developer']);
export const INPUT_PART_TYPE = stringEnum(['input_text', 'input_image', 'input_file', 'output_text', 'refusal']);
/** The tools Tollgate's engines can serve; OpenAI's hosted tools (web search, files...) are refused. */
export const RESPONSES_TOOL_TYPE = stringEnum(['function']);
export const RESPONSES_TOOL_CHOICE_TYPE = stringEnum(['function']);
export const TEXT_FORMAT_TYPE = stringEnum(['text', 'json_object', 'json_schema']);
export const REASONING_SUMMARY = stringEnum(['auto', 'concise', 'detailed']);
export const TRUNCATION = stringEnum(['auto', 'disabled']);
export const IMAGE_DETAIL = stringEnum(['low', 'high', 'auto']);

/** Documented limits (OpenAI API reference), as [min, max]. */
export const LIMITS = {
  temperature: [0, 2],
  top_p: [0, 1],
  penalty: [-2, 2],
  logit_bias: [-100, 100],
  n: [1, 128],
  top_logprobs: [0, 20],
  /** Legacy completions: `logprobs` is an integer count of alternatives. */
  completion_logprobs: [0, 5],
  best_of: [0, 20],
  /** "Up to 4 sequences". */
  stop_max: 4,
  /** "A max of 128 functions are supported." */
  tools_max: 128,
  /** Function and schema names: "maximum length of 64". */
  name_max: 64,
  /** metadata: 16 pairs, keys <= 64 characters, values <= 512. */
  metadata_pairs: 16,
  metadata_key: 64,
  metadata_value: 512,
  /** safety_identifier: "maximum length of 64 characters". */
  safety_identifier: 64,
  /** `user` has no published limit; 256 is ours, generous for the hashed ids OpenAI recommends. */
  user: 256,
  /** Embeddings: "any array must be 2048 dimensions or less". */
  embedding_inputs: 2048,
  /** Responses: `max_output_tokens` "must be at least 16". */
  max_output_tokens_min: 16,
} as const;
