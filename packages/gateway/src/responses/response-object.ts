/**
 * The `response` object of the Responses API, its ids and its usage, shaped as the official
 * SDK's `Response` type (openai-node 6.49 `resources/responses/responses.d.ts`).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Usage } from '@tollgate/protocol';
import { NO_DETAILS, type UsageDetails } from '../upstream/wire-usage.js';

type Obj = Record<string, unknown>;

export interface ResponseObject extends Obj {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  model: string;
  output: Obj[];
  usage: ResponseUsage | null;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** `resp_…`, `msg_…`, `fc_…`: prefix and 48 hex characters, as OpenAI's ids look. */
export const newResponseId = (prefix: 'resp' | 'msg' | 'fc' | 'call' | 'item'): string => `${prefix}_${randomBytes(24).toString('hex')}`;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A response in progress for a request body: the request's settings echoed, no output yet.
 * Fields an engine cannot know (the stored-response settings) are set by the gateway later.
 */
export function responseSkeleton(body: Obj, id: string, createdAt: number, model: string): ResponseObject {
  const reasoning = isObj(body.reasoning) ? body.reasoning : {};
  const text = isObj(body.text) ? body.text : {};
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
    max_tool_calls: null,
    model,
    output: [],
    parallel_tool_calls: typeof body.parallel_tool_calls === 'boolean' ? body.parallel_tool_calls : true,
    previous_response_id: typeof body.previous_response_id === 'string' ? body.previous_response_id : null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    // The tier that served the request, never the one asked for: the engine's answer sets it
    // (from-chat.ts); until then OpenAI's standard processing, as Tollgate serves every request.
    service_tier: 'default',
    store: body.store !== false,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: { ...text, format: isObj(text.format) ? text.format : { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_logprobs: typeof body.top_logprobs === 'number' ? body.top_logprobs : 0,
    top_p: typeof body.top_p === 'number' ? body.top_p : 1,
    truncation: typeof body.truncation === 'string' ? body.truncation : 'disabled',
    usage: null,
    user: typeof body.user === 'string' ? body.user : null,
    metadata: isObj(body.metadata) ? body.metadata : {},
  };
}

/**
 * A Responses `usage` from the gateway's Usage and the engine's detail counts. Both detail
 * objects are always there, as in OpenAI's Response (the SDK's `ResponseUsage` requires them);
 * a count the engine did not give is 0.
 */
export function responseUsage(u: Usage, d: UsageDetails = NO_DETAILS): ResponseUsage {
  return {
    input_tokens: u.prompt_tokens,
    input_tokens_details: { cached_tokens: d.cached_tokens, cache_write_tokens: d.cache_write_tokens },
    output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: d.reasoning_tokens },
    total_tokens: u.prompt_tokens + u.completion_tokens,
  };
}

/** A Responses `usage` object as the gateway's Usage (for settlement), if it is well formed. */
export function usageOfResponse(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined;
  const i = u.input_tokens;
  const o = u.output_tokens ?? 0;
  if (typeof i !== 'number' || typeof o !== 'number' || !Number.isFinite(i) || !Number.isFinite(o) || i < 0 || o < 0) return undefined;
  return { prompt_tokens: i, completion_tokens: o, total_tokens: i + o };
}

/** The text and arguments of output items: what is counted when an engine reports no usage. */
export function outputItemsText(items: readonly unknown[]): string {
  let out = '';
  for (const item of items) {
    if (!isObj(item)) continue;
    if (typeof item.arguments === 'string') out += item.arguments;
    if (Array.isArray(item.content)) {
      for (const p of item.content) if (isObj(p)) out += typeof p.text === 'string' ? p.text : typeof p.refusal === 'string' ? p.refusal : '';
    }
  }
  return out;
}
