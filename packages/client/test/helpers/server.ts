/**
 * A real local HTTP server (node:http, port 0) for driving the client, and a renderer that answers
 * with a catalog error the way the gateway does: status from the entry, body from
 * `renderErrorBody`, `x-request-id: req_<32hex>`, `x-should-retry: false` when the entry is not
 * retryable, and retry headers on 429 and 503.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findEntry, renderErrorBody, retryHeaders, type CatalogEntry, type RenderVars } from '@tollgate/protocol';

export const PUBLIC_URL = 'https://llm.example.test';

export interface TestRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  raw: string;
}

export type Handler = (req: TestRequest, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `<origin>/v1` */
  baseURL: string;
  requests: TestRequest[];
  /** Requests seen per value of the `x-test-key` header. */
  hits(key: string): number;
  close(): Promise<void>;
}

export function newRequestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestRequest[] = [];
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const r: TestRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, raw };
      requests.push(r);
      const key = req.headers['x-test-key'];
      if (typeof key === 'string') counts.set(key, (counts.get(key) ?? 0) + 1);
      Promise.resolve(handler(r, res)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(599).end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseURL: `${origin}/v1`,
    requests,
    hits: (key) => counts.get(key) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Values for every placeholder the catalog's messages use, so rendered messages read like real ones. */
export const SAMPLE_VARS: RenderVars = {
  key: 'sk-abcd************************wxyz',
  organization: 'org-test',
  model: 'sim-small',
  scopes: 'model.request',
  wait: '20ms',
  dimension: 'tokens per min',
  abbr: 'TPM',
  limit: 1000,
  used: 990,
  requested: 50,
  param: 'messages',
  expected: 'an array of objects',
  actual: 'a string',
  max: 2,
  min: 0,
  value: 7,
  length: 5,
  supported: "'system', 'user', 'assistant'",
  requires: 'stream',
  requirement: 'true',
  names: 'foo',
  context_window: 8192,
  noun: 'messages',
  prompt_tokens: 9000,
  total_tokens: 9256,
  completion_tokens: 256,
  method: 'POST',
  path: '/v1/x',
  content_type: 'text/plain',
  fault: 'nope',
  timeout: '30s',
  resource: 'key',
  id: 'key_123',
  message: 'A key with that name already exists.',
  actual_type: 'a string',
};

export interface CatalogErrorOptions {
  vars?: RenderVars;
  /** The wait sent in retry headers on 429/503. Default 5 ms. */
  retryMs?: number;
  headers?: Record<string, string>;
  requestId?: string;
}

/** Answers with a catalog error exactly as the gateway renders it. */
export function sendCatalogError(res: ServerResponse, e: CatalogEntry, opts: CatalogErrorOptions = {}): string {
  const requestId = opts.requestId ?? newRequestId();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId, ...opts.headers };
  if (!e.retryable) headers['x-should-retry'] = 'false';
  if (e.status === 429 || e.status === 503) Object.assign(headers, retryHeaders(opts.retryMs ?? 5));
  res.writeHead(e.status, headers).end(JSON.stringify(renderErrorBody(e, opts.vars ?? SAMPLE_VARS, { publicUrl: PUBLIC_URL })));
  return requestId;
}

/** A minimal successful chat completion. */
export function chatCompletion(model: string, content: string, usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_767_225_600,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': newRequestId(), ...headers }).end(JSON.stringify(body));
}

/** The catalog entry a test asked for with the `x-test-entry` header. */
export function findEntryHeader(req: TestRequest): CatalogEntry | undefined {
  const id = req.headers['x-test-entry'];
  return typeof id === 'string' ? findEntry(id) : undefined;
}
