/**
 * Serves a Responses call with an engine that generates in Chat Completions form: the request is
 * translated to chat, sent through `callChat`, and the answer (a body or a chunk stream) is
 * translated back. The simulator serves `/v1/responses` this way, and so does an
 * openai-compatible deployment whose upstream only speaks chat.
 * @module
 */
import { countChatPrompt } from '../tokens/count.js';
import type { EngineCall, EngineResult } from '../upstream/engine.js';
import { chatChunksToEvents, chatToResponse, chatUsage } from './from-chat.js';
import { newResponseId, responseSkeleton } from './response-object.js';
import { responsesToChat } from './to-chat.js';

export async function respondViaChat(call: EngineCall, nowMs: number, callChat: (c: EngineCall) => Promise<EngineResult>): Promise<EngineResult> {
  const chat = responsesToChat(call.body);
  const result = await callChat({ ...call, endpoint: 'chat.completions', body: chat, clientWantsUsage: true });
  const skeleton = responseSkeleton(call.body, newResponseId('resp'), Math.floor(nowMs / 1000), String(call.body.model));
  if (result.kind === 'json') {
    const usage = result.usage ?? chatUsage(result.body.usage);
    const response = chatToResponse(result.body, skeleton);
    return { kind: 'json', body: response, usage };
  }
  const promptTokens = () => countChatPrompt(chat.messages as unknown[], chat.tools);
  return { kind: 'stream', chunks: chatChunksToEvents(result.chunks, skeleton, promptTokens) };
}
