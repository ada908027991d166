/**
 * A scriptable OpenAI-compatible upstream on node:http, for the HTTP engine's tests: each test
 * sets the handler (status, body, headers, delays, SSE that stalls or breaks after n chunks) and
 * reads back what the engine sent and how its connections ended.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { drained } from '../../src/http/respond.js';

export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export type FakeHandler = (req: FakeRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  /** `http://127.0.0.1:port` */
  url: string;
  /** The OpenAI base URL: `${url}/v1`. */
  baseUrl: string;
  requests: FakeRequest[];
  /** TCP connections accepted so far (keep-alive reuse keeps this low). */
  readonly connections: number;
  /** Responses whose connection closed before the response finished. */
  readonly cutShort: number;
  handle(h: FakeHandler): void;
  /** Resolves when the next response is cut short (its client went away). */
  nextCutShort(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeUpstream(handler: FakeHandler = (_, res) => json(res, 200, completion())): Promise<FakeUpstream> {
  let current = handler;
  let connections = 0;
  let cutShort = 0;
  let waiters: (() => void)[] = [];
  const requests: FakeRequest[] = [];
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const r: FakeRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : {} };
    requests.push(r);
    res.on('close', () => {
      if (res.writableFinished) return;
      cutShort++;
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    });
    try {
      await current(r, res);
    } catch {
      res.destroy();
    }
  };
  // A request whose body cannot be read (the client went away) ends its response; nothing else to do.
  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => res.destroy());
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    get connections() {
      return connections;
    },
    get cutShort() {
      return cutShort;
    },
    handle(h) {
      current = h;
    },
    nextCutShort: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export interface SseScript {
  /** Frame separator; default `\n\n`. */
  sep?: string;
  /** End with `data: [DONE]` (default true). */
  done?: boolean;
  /** Wait this long before each frame. */
  delayMs?: number;
  /** After this many frames, send nothing more and keep the connection open. */
  stallAfter?: number;
  /** After this many frames, destroy the socket. */
  destroyAfter?: number;
  /** Raw text written instead of the frames (for malformed streams). */
  raw?: string[];
}

/** Writes an SSE answer frame by frame, honouring backpressure; frames are objects or raw strings. */
export async function sse(res: ServerResponse, frames: unknown[], script: SseScript = {}): Promise<void> {
  const sep = script.sep ?? '\n\n';
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const out = script.raw ?? frames.map((f) => `data: ${typeof f === 'string' ? f : JSON.stringify(f)}${sep}`);
  let flushed: Promise<void> = Promise.resolve();
  const cut = async () => {
    // Let what was written reach the client first, so the cut falls exactly after it.
    await flushed;
    res.destroy();
  };
  for (let i = 0; i < out.length; i++) {
    if (script.stallAfter === i) return;
    if (script.destroyAfter === i) return cut();
    if (script.delayMs) await sleep(script.delayMs);
    if (res.destroyed) return;
    let ok = true;
    flushed = new Promise<void>((resolve) => {
      ok = res.write(out[i], () => resolve());
    });
    if (!ok) await drained(res);
  }
  if (script.stallAfter === out.length) return;
  if (script.destroyAfter === out.length) return cut();
  res.end(script.done === false || script.raw ? undefined : `data: [DONE]${sep}`);
}

/** The gateway's own wait for a full socket buffer, for the tests' upstreams too. */
export { drained };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A chat completion as an upstream would send it. */
export function completion(content = 'Hello there.', model = 'upstream-model'): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_767_225_600,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  };
}

/** Stream chunks: a role chunk, one chunk per word, a finish chunk and a usage chunk. */
export function chunks(words: string[]): Record<string, unknown>[] {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_767_225_600, model: 'upstream-model' };
  return [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null },
    ...words.map((w) => ({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }], usage: null })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null },
    { ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length } },
  ];
}

/** An OpenAI error body. */
export function errorBody(message: string, type: string, code: string | null = null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

/** A port nothing listens on (connections to it are refused). */
export async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP server that accepts and never says a word: a TLS handshake to it never completes. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const s = createTcpServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const x of sockets) x.destroy();
        s.close(() => r());
      }),
  };
}
