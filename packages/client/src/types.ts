/**
 * Request and response shapes of the endpoints the client wraps. Deliberately open (`[key:
 * string]: unknown`): the server validates parameters, and a new OpenAI parameter should not need
 * a new SDK release to be sent.
 * @module
 */
import type { ListObject, ModelObject, Usage } from '@tollgate/protocol';

export type { ListObject, Usage };
export type Model = ModelObject;

export interface ContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export interface ChatCompletionMessageParam {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content: string | ContentPart[] | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: unknown[];
  [key: string]: unknown;
}

export interface ChatCompletionCreateParams {
  model: string;
  messages: ChatCompletionMessageParam[];
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  user?: string;
  [key: string]: unknown;
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal?: string | null;
  tool_calls?: unknown[];
  [key: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: { index: number; message: ChatCompletionMessage; finish_reason: string | null; logprobs?: unknown }[];
  usage?: Usage;
  system_fingerprint?: string | null;
  /** `x-request-id` of the response (not enumerable, like the official SDK's). */
  _request_id?: string | undefined;
  [key: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: number; delta: { role?: string; content?: string | null; [key: string]: unknown }; finish_reason: string | null }[];
  usage?: Usage | null;
  [key: string]: unknown;
}

export interface CompletionCreateParams {
  model: string;
  prompt: string | string[] | number[] | number[][];
  max_tokens?: number | null;
  n?: number | null;
  stream?: boolean | null;
  [key: string]: unknown;
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: { index: number; text: string; finish_reason: string | null; logprobs?: unknown }[];
  usage?: Usage;
  _request_id?: string | undefined;
  [key: string]: unknown;
}

export interface EmbeddingCreateParams {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  [key: string]: unknown;
}

export interface CreateEmbeddingResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
  _request_id?: string | undefined;
  [key: string]: unknown;
}
