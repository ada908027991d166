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

/** The endpoints whose bodies are estimated apart. */
type Endpoint = 'responses' | 'chat' | 'completions' | 'embeddings';

/**
 * The endpoint a request URL or path calls (`/v1/responses`, `https://host/v1/chat/completions?x`),
 * by its last segments; undefined for any other.
 */
function endpointOf(url: string): Endpoint | undefined {
  const path = url.replace(/[?#].*$/s, '').replace(/\/+$/, '');
  // The leftmost match: `/chat/completions` before its `/completions`.
  const m = /(?:^|\/)(responses|chat\/completions|completions|embeddings)$/.exec(path);
  if (!m) return undefined;
  return m[1] === 'chat/completions' ? 'chat' : (m[1] as Endpoint);
}

/**
 * The endpoint a body is for, guessed from its fields when the URL is not known. A Responses body
 * is told from an embeddings one (both have `input`) only by `max_output_tokens`, `instructions`
 * or item objects in `input`: `{model, input: "text"}` is taken for embeddings.
 */
function guessEndpoint(b: Record<string, unknown>): Endpoint | undefined {
  if (Array.isArray(b.messages)) return 'chat';
  if (b.prompt !== undefined) return 'completions';
  if (b.max_output_tokens !== undefined || b.instructions !== undefined) return 'responses';
  if (Array.isArray(b.input) && b.input.some((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return 'responses';
  return b.input !== undefined ? 'embeddings' : undefined;
}

/**
 * Estimated tokens of a request body for chat completions, completions, responses or embeddings.
 * `url` is the URL or path the body is sent to (`/v1/responses`): it says which endpoint the body
 * is for; without it (or for another path) the body's fields are used to guess.
 */
export function estimateTokens(body: unknown, opts: EstimateOptions = {}, url?: string): number {
  if (!body || typeof body !== 'object') return 0;
  const b = body as Record<string, unknown>;
  const cpt = opts.charsPerToken ?? 4;
  let prompt = 0;
  switch ((url === undefined ? undefined : endpointOf(url)) ?? guessEndpoint(b)) {
    case 'chat':
      prompt = Math.ceil(textLength(b.messages) / cpt);
      if (b.tools !== undefined) prompt += Math.ceil(JSON.stringify(b.tools).length / cpt);
      break;
    case 'completions':
      prompt = inputTokens(b.prompt, cpt);
      break;
    case 'responses':
      prompt = Math.ceil((textLength(b.input) + textLength(b.instructions)) / cpt);
      break;
    case 'embeddings':
      return inputTokens(b.input, cpt); // no output
  }
  const maxOut = typeof b.max_output_tokens === 'number' ? b.max_output_tokens : typeof b.max_completion_tokens === 'number' ? b.max_completion_tokens : typeof b.max_tokens === 'number' ? b.max_tokens : (opts.defaultMaxTokens ?? 0);
  const n = typeof b.n === 'number' && b.n > 0 ? b.n : 1;
  const bestOf = typeof b.best_of === 'number' && b.best_of > n ? b.best_of : n;
  return prompt + maxOut * bestOf;
}
