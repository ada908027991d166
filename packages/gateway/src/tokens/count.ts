/**
 * Token counting with a real BPE tokenizer (o200k_base, via gpt-tokenizer). The validation stage
 * counts prompts with it, the simulator reports usage with it, and streamed usage is counted with
 * it when an engine gives none, so every place that charges tokens agrees.
 * @module
 */
import { countTokens, decode, encode } from 'gpt-tokenizer';

/** Special-token strings in user text are counted as ordinary text, never rejected. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

export function countText(text: string): number {
  return text.length === 0 ? 0 : countTokens(text, AS_TEXT);
}

export function encodeText(text: string): number[] {
  return encode(text, AS_TEXT);
}

export function decodeTokens(tokens: readonly number[]): string {
  return decode(tokens as number[]);
}

/**
 * Chat framing, as OpenAI counts it: each message costs 3 tokens of framing plus its content and
 * name (1 more for a name), and every reply is primed with 3 tokens.
 */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const REPLY_PRIMING_TOKENS = 3;

/** Text of one message's `content`: a string, or the text parts of a content-part array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (part && typeof part === 'object') {
      const p = part as Record<string, unknown>;
      if (typeof p.text === 'string') out += p.text;
      else if (typeof p.refusal === 'string') out += p.refusal;
    }
  }
  return out;
}

/** Fixed cost charged per non-text content part (an image or audio part) when counting a prompt. */
export const NON_TEXT_PART_TOKENS = 85;

/** Prompt tokens of a chat request's messages (plus tools, which count as prompt text). */
export function countChatPrompt(messages: readonly unknown[], tools?: unknown): number {
  let n = REPLY_PRIMING_TOKENS;
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Record<string, unknown>;
    n += TOKENS_PER_MESSAGE;
    if (typeof msg.role === 'string') n += countText(msg.role);
    n += countText(contentText(msg.content));
    if (Array.isArray(msg.content)) for (const p of msg.content) if (p && typeof p === 'object' && typeof (p as { text?: unknown }).text !== 'string') n += NON_TEXT_PART_TOKENS;
    if (typeof msg.name === 'string') n += TOKENS_PER_NAME + countText(msg.name);
    if (msg.tool_calls !== undefined) n += countText(JSON.stringify(msg.tool_calls));
  }
  if (tools !== undefined) n += countText(JSON.stringify(tools));
  return n;
}

/** Prompt tokens of a legacy completions `prompt` (string, array of strings, or token arrays). */
export function countCompletionPrompt(prompt: unknown): number {
  if (typeof prompt === 'string') return countText(prompt);
  if (Array.isArray(prompt)) {
    if (prompt.every((x) => typeof x === 'number')) return prompt.length;
    let n = 0;
    for (const p of prompt) n += typeof p === 'string' ? countText(p) : Array.isArray(p) ? p.length : 0;
    return n;
  }
  return 0;
}

/** Input tokens of an embeddings `input` (same forms as a completions prompt). */
export const countEmbeddingInput = countCompletionPrompt;
