/**
 * A Chat Completions answer as a Responses answer: a `chat.completion` body as a `response`
 * object, and a stream of `chat.completion.chunk`s as the typed Responses events. Used by every
 * engine that generates in chat form (the simulator, chat-only upstreams), so the client cannot
 * tell which form the engine spoke.
 * @module
 */
import type { Usage } from '@tollgate/protocol';
import { countText } from '../tokens/count.js';
import { ResponseEventWriter, type ResponseEvent } from './event-writer.js';
import { usageDetails } from '../upstream/wire-usage.js';
import { newResponseId, responseUsage, type ResponseObject } from './response-object.js';

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads a chat usage object's totals, if well formed (its details: `usageDetails`). */
export function chatUsage(u: unknown): Usage | undefined {
  if (!isObj(u) || typeof u.prompt_tokens !== 'number') return undefined;
  const completion = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0;
  return { prompt_tokens: u.prompt_tokens, completion_tokens: completion, total_tokens: u.prompt_tokens + completion };
}

/** The first choice of a `chat.completion` as the output items and status of `skeleton`. */
export function chatToResponse(chat: Obj, skeleton: ResponseObject): ResponseObject {
  const r = skeleton;
  const choice = Array.isArray(chat.choices) && isObj(chat.choices[0]) ? chat.choices[0] : {};
  const message = isObj(choice.message) ? choice.message : {};
  const content = typeof message.content === 'string' ? message.content : '';
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObj) : [];
  if (content.length > 0 || calls.length === 0) {
    r.output.push({
      id: newResponseId('msg'),
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: content }],
      role: 'assistant',
    });
  }
  for (const c of calls) {
    const fn = isObj(c.function) ? c.function : {};
    r.output.push({
      id: newResponseId('fc'),
      type: 'function_call',
      status: 'completed',
      arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      call_id: typeof c.id === 'string' ? c.id : newResponseId('call'),
      name: typeof fn.name === 'string' ? fn.name : '',
    });
  }
  const finish = choice.finish_reason;
  r.status = finish === 'length' || finish === 'content_filter' ? 'incomplete' : 'completed';
  if (r.status === 'incomplete') {
    r.incomplete_details = { reason: finish === 'length' ? 'max_output_tokens' : 'content_filter' };
    // The item being generated when the answer was cut short (the last) is incomplete too, as OpenAI marks it.
    const last = r.output[r.output.length - 1];
    if (last) last.status = 'incomplete';
  }
  if (typeof chat.service_tier === 'string') r.service_tier = chat.service_tier;
  const usage = chatUsage(chat.usage);
  if (usage) r.usage = responseUsage(usage, usageDetails(chat.usage));
  return r;
}

/**
 * The Responses events of a chat chunk stream. An error thrown by `chunks` after the start is
 * thrown on, after the events already built: the gateway ends the stream with response.failed.
 * `promptTokens` sizes the usage when the engine sent none; it is called only then (an engine
 * that reports usage, as nearly all do, costs no second count of the prompt).
 */
export async function* chatChunksToEvents(chunks: AsyncIterable<Obj>, skeleton: ResponseObject, promptTokens: () => number): AsyncGenerator<ResponseEvent, void, undefined> {
  const w = new ResponseEventWriter(skeleton);
  let produced = '';
  yield* w.start();
  for await (const chunk of chunks) {
    // The tier the engine served the request in, as its chunks say.
    if (typeof chunk.service_tier === 'string') w.response.service_tier = chunk.service_tier;
    const usage = chatUsage(chunk.usage);
    if (usage) w.setUsage(usage, usageDetails(chunk.usage));
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      // Responses carry one answer: choices beyond the first (n > 1) cannot be expressed.
      if (!isObj(choice) || (typeof choice.index === 'number' && choice.index !== 0)) continue;
      const delta = isObj(choice.delta) ? choice.delta : {};
      // Reasoning is output (billed as such when the engine reports no usage), not shown as text.
      for (const field of ['reasoning_content', 'reasoning'] as const) if (typeof delta[field] === 'string') produced += delta[field];
      if (typeof delta.content === 'string' && delta.content.length > 0) {
        produced += delta.content;
        yield* w.text(delta.content);
      }
      if (Array.isArray(delta.tool_calls)) {
        for (const tc of delta.tool_calls) {
          if (!isObj(tc)) continue;
          const fn = isObj(tc.function) ? tc.function : {};
          const args = typeof fn.arguments === 'string' ? fn.arguments : undefined;
          if (args) produced += args;
          yield* w.toolCall(typeof tc.index === 'number' ? tc.index : 0, {
            ...(typeof tc.id === 'string' ? { id: tc.id } : {}),
            ...(typeof fn.name === 'string' ? { name: fn.name } : {}),
            ...(args !== undefined ? { arguments: args } : {}),
          });
        }
      }
      if (typeof choice.finish_reason === 'string') w.finish(choice.finish_reason);
    }
  }
  yield* w.complete(() => {
    const p = promptTokens();
    const c = countText(produced);
    return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
  });
}
