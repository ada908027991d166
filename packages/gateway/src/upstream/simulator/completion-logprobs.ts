/**
 * The legacy completions' `echo` and `logprobs`, as OpenAI answers them. `echo: true`: a choice's
 * text starts with its prompt (usage is unchanged: the prompt is still prompt tokens, the output
 * still the generated ones). `logprobs: k` (0-5): each choice's `logprobs` is
 * `{tokens, token_logprobs, top_logprobs, text_offset}`, one entry per token of its text, echoed
 * prompt tokens included (the first of those has no log probability: null, as OpenAI sends it);
 * `top_logprobs` entries map up to k + 1 tokens to their log probability (the sampled token
 * always among them); `text_offset` is each token's character offset in the choice's text. The
 * numbers come from logprobs.ts: deterministic in the seed, plausible, not a model's.
 * @module
 */
import { decodeTokens, encodeText } from '../../tokens/count.js';
import { tokenLogprobs } from './logprobs.js';

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

/** `logprobs` of a completions request: the alternatives asked for (0-5), or null when not asked. */
export function completionLogprobsAsked(body: Record<string, unknown>): number | null {
  const k = body.logprobs;
  return typeof k === 'number' && Number.isInteger(k) && k >= 0 ? Math.min(k, 5) : null;
}

/** The text `echo` puts before a choice's output: the prompt, a token array decoded. */
export function echoedPrompt(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.every((t) => typeof t === 'number')) return decodeTokens(prompt);
  return '';
}

/** The prompt as tokens (each token's text), for the logprobs of an echoed prompt. */
export function promptPieces(text: string): string[] {
  return text === '' ? [] : encodeText(text).map((t) => decodeTokens([t]));
}

/**
 * The logprobs of a choice whose text is `echoed` pieces then `generated` pieces, with `top`
 * alternatives asked for; `seed` is the choice's.
 */
export function completionLogprobs(echoed: readonly string[], generated: readonly string[], top: number, seed: number): CompletionLogprobs {
  const entries = [...tokenLogprobs(echoed, top + 1, seed ^ 0x5eed), ...tokenLogprobs(generated, top + 1, seed)];
  const out: CompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let offset = 0;
  entries.forEach((e, i) => {
    const first = i === 0 && echoed.length > 0;
    out.tokens.push(e.token);
    out.token_logprobs.push(first ? null : e.logprob);
    out.top_logprobs.push(first ? null : Object.fromEntries(e.top_logprobs.map((a) => [a.token, a.logprob])));
    out.text_offset.push(offset);
    offset += e.token.length;
  });
  return out;
}

/** Tokens [from, to) of `lp`: a stream chunk's share. */
export function sliceLogprobs(lp: CompletionLogprobs, from: number, to: number): CompletionLogprobs {
  return { tokens: lp.tokens.slice(from, to), token_logprobs: lp.token_logprobs.slice(from, to), top_logprobs: lp.top_logprobs.slice(from, to), text_offset: lp.text_offset.slice(from, to) };
}
