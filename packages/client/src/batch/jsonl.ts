/**
 * The line formats of OpenAI's Batch API, which `runBatch` reads and writes so that files move
 * between it and OpenAI's batch endpoint unchanged.
 *
 * In:  `{"custom_id": "r1", "method": "POST", "url": "/v1/chat/completions", "body": {...}}`
 * Out: `{"id": "batch_req_...", "custom_id": "r1", "response": {"status_code": 200,
 *        "request_id": "req_...", "body": {...}}, "error": null}`
 * An HTTP error is a `response` with its status and error body (`error` null), as OpenAI writes
 * it; `error` is set only when there was no response at all (connection failure, timeout) or the
 * line itself could not be run.
 * @module
 */

export interface BatchInputLine {
  custom_id: string;
  method: string;
  url: string;
  body: Record<string, unknown>;
}

export interface BatchOutputLine {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string | null; body: unknown } | null;
  /** `line`: for a line that could not be run, its number in the input file (1-based), as OpenAI's batch errors give it. */
  error: { code: string; message: string; line?: number } | null;
}

/**
 * Endpoints a batch line may call, mapped to their path under the client's base URL: the
 * inference endpoints of OpenAI's Batch API (its `endpoint` values), in its order.
 */
const ENDPOINTS: Record<string, string> = {
  '/v1/responses': '/responses',
  '/v1/chat/completions': '/chat/completions',
  '/v1/completions': '/completions',
  '/v1/embeddings': '/embeddings',
};

export type ParsedLine =
  | { ok: true; line: BatchInputLine; path: string }
  | { ok: false; customId: string | null; message: string };

export function parseInputLine(text: string): ParsedLine {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, customId: null, message: 'The line is not valid JSON.' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, customId: null, message: 'The line is not a JSON object.' };
  const o = v as Record<string, unknown>;
  const customId = typeof o.custom_id === 'string' && o.custom_id !== '' ? o.custom_id : null;
  if (customId === null) return { ok: false, customId: null, message: "Missing required parameter: 'custom_id'." };
  if (o.method !== 'POST') return { ok: false, customId, message: `Invalid value: '${String(o.method)}'. Supported values are: 'POST'.` };
  // Own keys only: a url such as 'constructor' or '__proto__' names no endpoint.
  const path = typeof o.url === 'string' && Object.hasOwn(ENDPOINTS, o.url) ? ENDPOINTS[o.url] : undefined;
  if (path === undefined) {
    return { ok: false, customId, message: `Invalid value: '${String(o.url)}'. Supported values are: ${Object.keys(ENDPOINTS).map((u) => `'${u}'`).join(', ')}.` };
  }
  if (!o.body || typeof o.body !== 'object' || Array.isArray(o.body)) return { ok: false, customId, message: "Missing required parameter: 'body'." };
  if ((o.body as { stream?: unknown }).stream === true) return { ok: false, customId, message: "Streaming is not supported in a batch: remove 'body.stream'." };
  return { ok: true, line: { custom_id: customId, method: 'POST', url: o.url as string, body: o.body as Record<string, unknown> }, path };
}

/**
 * Whether an output line is a success (a 2xx response): a rerun skips these and runs every other
 * line again — failures included. Undefined custom_id for a line that cannot be read.
 */
export function outputOutcome(text: string): { customId: string | undefined; succeeded: boolean } {
  try {
    const v = JSON.parse(text) as Partial<BatchOutputLine>;
    const customId = typeof v?.custom_id === 'string' ? v.custom_id : undefined;
    const status = v?.response?.status_code;
    return { customId, succeeded: customId !== undefined && typeof status === 'number' && status >= 200 && status < 300 };
  } catch {
    return { customId: undefined, succeeded: false };
  }
}

/** The custom_id of an output line, for resuming; undefined for a line that cannot be read (a cut-off last line). */
export function customIdOfOutput(text: string): string | undefined {
  try {
    const v = JSON.parse(text) as { custom_id?: unknown };
    return typeof v?.custom_id === 'string' ? v.custom_id : undefined;
  } catch {
    return undefined;
  }
}

export function batchRequestId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `batch_req_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
