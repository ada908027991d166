/**
 * The token cost of a request as a rate limiter sees it *before* the request runs: the prompt
 * estimated from its characters (≈ 4 characters per token) plus the most output it may produce
 * (`max_tokens`, `max_completion_tokens` or the Responses API's `max_output_tokens`, × `n`),
 * since limiters reserve the maximum output up front.
 *
 * It is an estimate: the gateway counts the prompt with a real tokenizer, so the two differ by
 * some percent (more for non-English text, where a token is fewer characters). The pacer corrects
 * itself from the `x-ratelimit-remaining-tokens` the server returns, and from the usage a
 * response reports.
 * @module
 */

export interface EstimateOptions {
  /** Output tokens assumed when the request sets no `max_tokens`. Default 0 (prompt only). */
  defaultMaxTokens?: number;
  /** Characters per token of the rough estimate. Default 4. */
  charsPerToken?: number;
}

function textLength(v: unknown, depth = 0): number {
  if (typeof v === 'string') return v.length;
  if (depth > 8 || v === null || typeof v !== 'object') return 0;
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + textLength(x, depth + 1), 0);
  const o = v as Record<string, unknown>;
  // A content part: count its text, not its keys.
  if (typeof o.text === 'string') return o.text.length;
  let n = 0;
  for (const key of ['role', 'name', 'content', 'refusal', 'tool_calls', 'function', 'arguments'] as const) n += textLength(o[key], depth + 1);
  return n;
}

/** Prompt tokens of embeddings/completions input given as token arrays are known exactly. */
function inputTokens(input: unknown, charsPerToken: number): number {
  if (typeof input === 'string') return Math.ceil(input.length / charsPerToken);
  if (!Array.isArray(input)) return 0;
  if (input.every((x) => typeof x === 'number')) return input.length;
  return input.reduce<number>((n, x) => n + inputTokens(x, charsPerToken), 0);
}

/**
 * A Responses API body (`/v1/responses`): its `input` is text or items (objects), and it may set
 * `instructions` or `max_output_tokens`; an embeddings body has `input` (text or tokens) only.
 */
function isResponsesBody(b: Record<string, unknown>): boolean {
  if (b.max_output_tokens !== undefined || b.instructions !== undefined) return true;
  return Array.isArray(b.input) && b.input.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/** Estimated tokens of a request body for chat completions, completions, responses or embeddings. */
export function estimateTokens(body: unknown, opts: EstimateOptions = {}): number {
  if (!body || typeof body !== 'object') return 0;
  const b = body as Record<string, unknown>;
  const cpt = opts.charsPerToken ?? 4;
  let prompt = 0;
  if (Array.isArray(b.messages)) {
    prompt = Math.ceil(textLength(b.messages) / cpt);
    if (b.tools !== undefined) prompt += Math.ceil(JSON.stringify(b.tools).length / cpt);
  } else if (b.prompt !== undefined) prompt = inputTokens(b.prompt, cpt);
  else if (isResponsesBody(b)) prompt = Math.ceil((textLength(b.input) + textLength(b.instructions)) / cpt);
  else if (b.input !== undefined) return inputTokens(b.input, cpt); // embeddings: no output
  const maxOut = typeof b.max_output_tokens === 'number' ? b.max_output_tokens : typeof b.max_completion_tokens === 'number' ? b.max_completion_tokens : typeof b.max_tokens === 'number' ? b.max_tokens : (opts.defaultMaxTokens ?? 0);
  const n = typeof b.n === 'number' && b.n > 0 ? b.n : 1;
  const bestOf = typeof b.best_of === 'number' && b.best_of > n ? b.best_of : n;
  return prompt + maxOut * bestOf;
}
