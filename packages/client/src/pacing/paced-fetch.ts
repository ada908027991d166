/**
 * `pacedFetch(pacer)`: a fetch that paces requests through a `Pacer`, for teams that keep the
 * official SDK: `new OpenAI({ fetch: pacedFetch(pacer) })`. Requests whose JSON body names a
 * `model` wait for the pacer; every response is fed back to it (limits, remaining, 429 hints);
 * a JSON response's `usage` gives back over-reserved tokens. Anything else passes straight through.
 * @module
 */
import type { Pacer } from './pacer.js';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function jsonBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function pacedFetch(pacer: Pacer, baseFetch?: FetchLike): FetchLike {
  const base: FetchLike = baseFetch ?? ((input, init) => globalThis.fetch(input, init));
  return async (input, init) => {
    let text: unknown = init?.body;
    if (text === undefined && input instanceof Request && input.body !== null) text = await input.clone().text();
    const body = jsonBody(text);
    const model = typeof body?.model === 'string' ? body.model : undefined;
    if (!body || model === undefined) return base(input, init);

    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const ticket = await pacer.acquire({ model, body, signal });
    const res = await base(input, init);
    pacer.observe(model, res.status, res.headers);
    const streamed = body.stream === true || (res.headers.get('content-type') ?? '').includes('event-stream');
    if (res.ok && !streamed) {
      // Read a copy so the caller's body is untouched; the refund is best effort.
      res
        .clone()
        .json()
        .then((b: { usage?: { total_tokens?: unknown } }) => {
          if (typeof b?.usage?.total_tokens === 'number') ticket.settle(b.usage.total_tokens);
        })
        .catch(() => undefined);
    }
    return res;
  };
}
