/**
 * One choice's output: the text, the JSON answer (`response_format`) or the tool-call arguments a
 * simulated model produces for a seed, cut by the token cap and the stop sequences exactly as a
 * real engine would cut it.
 */
import { countText, decodeTokens, encodeText } from '../../tokens/count.js';
import { hexFrom, intBetween, mulberry32 } from './random.js';
import { schemaInstance } from './schema-instance.js';
import { naturalLength, sentences } from './text.js';
import { toolArguments, type ForcedTool } from './tools.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface Generated {
  /** The output in emission order; joined they are `text`. Streams send them a few at a time. */
  pieces: string[];
  /** The message content, or the tool call's `arguments` when `toolCall` is set. */
  text: string;
  finishReason: FinishReason;
  /** The tokenizer's count of `text` (plus the function name for a tool call). */
  completionTokens: number;
  toolCall: { id: string; name: string } | null;
}

export interface GenerateOptions {
  seed: number;
  /** Most tokens the choice may have (`max_completion_tokens` / `max_tokens`). */
  cap: number;
  stop: readonly string[];
  tool: ForcedTool | null;
  /** A JSON answer asked for by `response_format` (ignored when a tool call is forced). */
  json?: JsonFormat | null;
}

/** `json_schema` (an instance of `schema`) or `json_object` (no schema: any JSON object). */
export interface JsonFormat {
  schema: unknown;
}

export function generate(opts: GenerateOptions): Generated {
  if (opts.tool) return generateToolCall(opts.seed, opts.cap, opts.tool);
  if (opts.json) return generateJson(opts.seed, opts.cap, opts.stop, opts.json);
  return generateText(opts.seed, opts.cap, opts.stop);
}

/** The JSON format `response_format` asks for, or null for text. */
export function jsonFormat(responseFormat: unknown): JsonFormat | null {
  if (!responseFormat || typeof responseFormat !== 'object') return null;
  const f = responseFormat as { type?: unknown; json_schema?: { schema?: unknown } };
  if (f.type === 'json_object') return { schema: undefined };
  if (f.type === 'json_schema') return { schema: f.json_schema && typeof f.json_schema === 'object' ? f.json_schema.schema : undefined };
  return null;
}

/**
 * A JSON answer, split into its tokens; cut by the cap (leaving JSON a client cannot parse, with
 * `length`, as a real model's is) and by the stop sequences.
 */
function generateJson(seed: number, cap: number, stop: readonly string[], format: JsonFormat): Generated {
  const rng = mulberry32(seed);
  const value = format.schema === undefined ? { answer: sentences(rng, intBetween(rng, 8, 40)).join('') } : schemaInstance(format.schema, rng);
  const all = encodeText(JSON.stringify(value));
  return ended(tokenPieces(all.slice(0, Math.max(0, cap))), all.length > cap, cap, stop);
}

function generateText(seed: number, cap: number, stop: readonly string[]): Generated {
  const rng = mulberry32(seed);
  const all = sentences(rng, naturalLength(rng));
  return ended(all.length > cap ? all.slice(0, cap) : all, all.length > cap, cap, stop);
}

/**
 * A text answer from its pieces up to the cap (`truncated`: the cap cut it): cut at the first stop
 * sequence (then it stopped, not ran out) and kept within the cap in real tokens (`withinCap`).
 */
function ended(pieces: string[], truncated: boolean, cap: number, stop: readonly string[]): Generated {
  let finishReason: FinishReason = truncated ? 'length' : 'stop';
  const cut = firstStop(pieces.join(''), stop);
  if (cut !== null) {
    pieces = cutPieces(pieces, cut);
    finishReason = 'stop';
  }
  return { ...withinCap(pieces, cap), finishReason, toolCall: null };
}

/**
 * The pieces, their text and its real token count, within the cap. A stop sequence can split a
 * word (or a token), and a partial one may take more tokens than the whole did: pieces are dropped
 * until the count respects the cap.
 */
function withinCap(pieces: string[], cap: number): { pieces: string[]; text: string; completionTokens: number } {
  let text = pieces.join('');
  let tokens = countText(text);
  while (tokens > cap && pieces.length > 0) {
    pieces.pop();
    text = pieces.join('');
    tokens = countText(text);
  }
  return { pieces, text, completionTokens: tokens };
}

/** Where the earliest stop sequence starts, or null. */
function firstStop(text: string, stop: readonly string[]): number | null {
  let at: number | null = null;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && (at === null || i < at)) at = i;
  }
  return at;
}

/** The pieces covering text[0, at), the last one shortened if the cut falls inside it. */
function cutPieces(pieces: readonly string[], at: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const p of pieces) {
    if (used + p.length <= at) {
      out.push(p);
      used += p.length;
      continue;
    }
    if (at > used) out.push(p.slice(0, at - used));
    break;
  }
  return out;
}

function generateToolCall(seed: number, cap: number, tool: ForcedTool): Generated {
  const rng = mulberry32(seed);
  const all = encodeText(toolArguments(tool.parameters, rng));
  const tokens = all.slice(0, Math.max(0, cap));
  const pieces = tokenPieces(tokens);
  const text = pieces.join('');
  return {
    pieces,
    text,
    finishReason: tokens.length < all.length ? 'length' : tool.finishReason,
    completionTokens: countText(tool.name) + countText(text),
    toolCall: { id: `call_${hexFrom(24, 'call', seed)}`, name: tool.name },
  };
}

/** Tokens decoded one by one, holding back tokens that end inside a multi-byte character. */
function tokenPieces(tokens: readonly number[]): string[] {
  const out: string[] = [];
  let pending: number[] = [];
  for (const t of tokens) {
    pending.push(t);
    const s = decodeTokens(pending);
    if (!s.endsWith('\uFFFD')) {
      out.push(s);
      pending = [];
    }
  }
  if (pending.length > 0) out.push(decodeTokens(pending));
  return out;
}

/** The cap for a choice: the request's own, else the model's output limit. */
export function outputCap(body: Record<string, unknown>, modelMax: number): number {
  const v = body.max_completion_tokens ?? body.max_tokens;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : modelMax;
}

/** `stop` as a list of non-empty strings. */
export function stopSequences(stop: unknown): string[] {
  const list = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  return list.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
