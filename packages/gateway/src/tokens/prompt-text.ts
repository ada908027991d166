/**
 * What of a request's prompt is counted, before any counting: per prompt, the framing tokens
 * known without a tokenizer (chat framing, token-array prompts) and the texts to tokenize. The
 * validation stage bounds these cheaply, then counts them on or off the event loop; the
 * synchronous counters in count.ts sum the same parts, so every count agrees.
 * @module
 */

/** One prompt: `fixed` tokens plus the tokens of each text, counted separately. */
export interface PromptText {
  fixed: number;
  texts: string[];
}

/**
 * Chat framing, as OpenAI counts it: each message costs 3 tokens of framing plus its content and
 * name (1 more for a name), and every reply is primed with 3 tokens.
 */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_PER_NAME = 1;
export const REPLY_PRIMING_TOKENS = 3;
/** Fixed cost charged per non-text content part (an image or audio part) when counting a prompt. */
export const NON_TEXT_PART_TOKENS = 85;

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

/** The prompt of a chat request's messages (plus tools, which count as prompt text). */
export function chatPromptText(messages: readonly unknown[], tools?: unknown): PromptText {
  let fixed = REPLY_PRIMING_TOKENS;
  const texts: string[] = [];
  for (const m of messages) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Record<string, unknown>;
    fixed += TOKENS_PER_MESSAGE;
    if (typeof msg.role === 'string') texts.push(msg.role);
    texts.push(contentText(msg.content));
    if (Array.isArray(msg.content)) for (const p of msg.content) if (p && typeof p === 'object' && typeof (p as { text?: unknown }).text !== 'string') fixed += NON_TEXT_PART_TOKENS;
    if (typeof msg.name === 'string') {
      fixed += TOKENS_PER_NAME;
      texts.push(msg.name);
    }
    if (msg.tool_calls !== undefined) texts.push(JSON.stringify(msg.tool_calls));
  }
  if (tools !== undefined) texts.push(JSON.stringify(tools));
  return { fixed, texts };
}

/**
 * The prompts of a completions `prompt` or an embeddings `input`, one per prompt (string, array
 * of strings, one token array, or token arrays; null or empty counts as one empty prompt).
 */
export function promptListTexts(value: unknown): PromptText[] {
  if (typeof value === 'string') return [{ fixed: 0, texts: [value] }];
  if (!Array.isArray(value) || value.length === 0) return [{ fixed: 0, texts: [] }];
  if (typeof value[0] === 'number') return [{ fixed: value.length, texts: [] }];
  return value.map((item: unknown) => (typeof item === 'string' ? { fixed: 0, texts: [item] } : { fixed: Array.isArray(item) ? item.length : 0, texts: [] }));
}
