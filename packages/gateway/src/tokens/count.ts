/**
 * Token counting (o200k_base). The validation stage counts prompts with it, the simulator reports
 * usage with it, and streamed usage is counted with it when an engine gives none, so every place
 * that charges tokens agrees. Counting is exact and O(n log n) in the text whatever its content
 * (see bpe.ts); these functions run on the calling thread, so the request path uses them only
 * for short texts and the PromptCounter (prompt-counter.ts) for the rest.
 * @module
 */
import { createRequire } from 'node:module';
import { countTextNow } from './bpe.js';
import { chatPromptText, promptListTexts, type PromptText } from './prompt-text.js';

export { contentText, NON_TEXT_PART_TOKENS, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE, TOKENS_PER_NAME } from './prompt-text.js';

/** Special-token strings in user text are encoded as ordinary text, never rejected. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

export function countText(text: string): number {
  return text.length === 0 ? 0 : countTextNow(text);
}

type Tokenizer = Pick<typeof import('gpt-tokenizer'), 'encode' | 'decode'>;
let tokenizer: Tokenizer | undefined;

/**
 * The tokenizer library's encoder, loaded on first use: only the simulator's tool calls need
 * token ids, and loading it costs about 10–50 MB of memory (its own copy of the vocabulary) that
 * a gateway in front of real engines should not carry. Loaded synchronously so that callers stay
 * synchronous.
 */
function library(): Tokenizer {
  return (tokenizer ??= createRequire(import.meta.url)('gpt-tokenizer') as Tokenizer);
}

/** Token ids of `text` (the simulator's generator; short texts only: the library's merge is quadratic). */
export function encodeText(text: string): number[] {
  return library().encode(text, AS_TEXT);
}

export function decodeTokens(tokens: readonly number[]): string {
  return library().decode(tokens as number[]);
}

export function countPromptText(p: PromptText): number {
  let n = p.fixed;
  for (const t of p.texts) n += countText(t);
  return n;
}

/** Prompt tokens of a chat request's messages (plus tools, which count as prompt text). */
export function countChatPrompt(messages: readonly unknown[], tools?: unknown): number {
  return countPromptText(chatPromptText(messages, tools));
}

/** Prompt tokens of a legacy completions `prompt` (string, array of strings, or token arrays). */
export function countCompletionPrompt(prompt: unknown): number {
  let n = 0;
  for (const p of promptListTexts(prompt)) n += countPromptText(p);
  return n;
}

/** Input tokens of an embeddings `input` (same forms as a completions prompt). */
export const countEmbeddingInput = countCompletionPrompt;
