/**
 * The tests' HTTP client: one keep-alive undici Agent for every instance, so a burst of hundreds
 * of requests started together really arrives together (no per-request connection setup queue).
 */
import { Agent, request } from 'undici';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body (undefined when empty). */
  body: any;
}

export interface LoadClient {
  /** POSTs JSON to `${baseURL}${path}` with the bearer key; never throws for an HTTP status. */
  post(baseURL: string, apiKey: string, path: string, body: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** The same, with the body read to its end as text (an event stream, say) and not parsed. */
  postText(baseURL: string, apiKey: string, path: string, body: unknown, headers?: Record<string, string>): Promise<Omit<Reply, 'body'> & { text: string }>;
  close(): Promise<void>;
}

export function loadClient(): LoadClient {
  const agent = new Agent({ connections: 512, keepAliveTimeout: 10_000, pipelining: 1 });
  const postText: LoadClient['postText'] = async (baseURL, apiKey, path, body, headers = {}) => {
    const r = await request(`${baseURL}${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await r.body.text();
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: r.statusCode, headers: flat, text };
  };
  return {
    postText,
    async post(baseURL, apiKey, path, body, headers) {
      const { text, ...rest } = await postText(baseURL, apiKey, path, body, headers);
      return { ...rest, body: text ? JSON.parse(text) : undefined };
    },
    close: () => agent.close(),
  };
}

/** How many replies have each status, e.g. `{ 200: 100, 429: 400 }`. */
export function countStatuses(replies: readonly Reply[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of replies) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}
