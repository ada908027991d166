/**
 * The common form of a simulated answer: the JSON body of the non-streamed response and the
 * frames of the streamed one, built from the same choices so that both carry the same text
 * and usage.
 */
import type { Usage } from '@tollgate/protocol';
import type { ModelConfig } from '../../config/types.js';
import type { Generated } from './generate.js';

/** Content tokens per streamed chunk ("a few tokens each"). */
export const TOKENS_PER_CHUNK = 3;

/** The most choices one request may ask for; bounds the work a single call can cause. */
export const MAX_CHOICES = 128;

export type FrameKind = 'head' | 'content' | 'finish' | 'usage';

export interface Frame {
  kind: FrameKind;
  chunk: Record<string, unknown>;
  /** Output tokens the frame's choice has produced once this frame is sent: it is due at ttft + atTokens / tps. */
  atTokens: number;
}

export interface Answer {
  json: Record<string, unknown>;
  usage: Usage;
  /** Output tokens of the longest choice: choices generate in parallel, so this sets the duration. */
  longestTokens: number;
  /** Stream frames in send order; the usage frame only when `includeUsage`. */
  frames(includeUsage: boolean): Frame[];
}

/** What every response of one call shares. */
export interface AnswerContext {
  model: ModelConfig;
  /** The response id (`chatcmpl-...`, `cmpl-...`). */
  id: string;
  /** Unix seconds. */
  created: number;
  systemFingerprint: string;
  requestId: string;
  /** The prompt's tokens when already counted (off the event loop); counted here otherwise. */
  promptTokens?: number;
}

export function usageOf(promptTokens: number, choices: readonly Generated[]): Usage {
  const completion = choices.reduce((sum, c) => sum + c.completionTokens, 0);
  return { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
}

/** The tier OpenAI reports having served a chat completion on, in the body and in every chunk. */
export const SERVICE_TIER = 'default';

/**
 * The stream chunk maker of one call: every chunk carries the call's id, time, model and
 * fingerprint (a chat chunk its service tier too), `usage: null` unless `extra` sets it (the
 * final usage chunk). `object` is `chat.completion.chunk` or `text_completion`.
 */
export function chunkOf(ctx: AnswerContext, object: 'chat.completion.chunk' | 'text_completion') {
  const tier = object === 'chat.completion.chunk' ? { service_tier: SERVICE_TIER } : {};
  return (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id: ctx.id,
    object,
    created: ctx.created,
    model: ctx.model.name,
    ...tier,
    system_fingerprint: ctx.systemFingerprint,
    choices,
    usage: null,
    ...extra,
  });
}

/** Pieces grouped for streaming, with the running token position after each group and its size. */
export function chunked(pieces: readonly string[]): { text: string; atTokens: number; count: number }[] {
  const out: { text: string; atTokens: number; count: number }[] = [];
  for (let i = 0; i < pieces.length; i += TOKENS_PER_CHUNK) {
    const group = pieces.slice(i, i + TOKENS_PER_CHUNK);
    out.push({ text: group.join(''), atTokens: i + group.length, count: group.length });
  }
  return out;
}

/**
 * Interleaves the choices' content frames round by round (chunk 0 of every choice, then
 * chunk 1, ...), as OpenAI interleaves parallel choices.
 */
export function interleave<T>(perChoice: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  const rounds = Math.max(0, ...perChoice.map((c) => c.length));
  for (let r = 0; r < rounds; r++) for (const c of perChoice) if (r < c.length) out.push(c[r]!);
  return out;
}

/** `n` as a bounded positive integer (the gateway validates it; the standalone server does not). */
export function choiceCount(n: unknown): number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_CHOICES) : 1;
}
