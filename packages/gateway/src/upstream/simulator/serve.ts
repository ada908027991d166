/**
 * The simulator served alone over HTTP (`tollgate simulate`): an OpenAI-compatible upstream for
 * benchmarks, for the gateway's HTTP-engine tests, and for developers who want a fake OpenAI.
 * Bare node:http on purpose: it is the thing the gateway is measured against, so it stays lean.
 *
 * Routes: POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses (typed
 * `event:` frames, no `[DONE]`, a failure after the start as an `error` event); GET /v1/models and
 * /v1/models/{id}. No API key is required (any Authorization header is accepted). The body is
 * only parsed, not validated. Errors are catalog bodies with `x-request-id`, retry headers and
 * `x-should-retry: false` where a retry cannot help; a stream that fails after it started ends
 * with a `data: {"error": ...}` frame and no `[DONE]`.
 *
 * `x-tollgate-fault` (when `allowFaultHeader` or the model's `simulator.allow_fault_header`)
 * takes every value faults.ts documents; `disconnect@<n>` is handled here, by destroying the
 * socket after n content chunks (at once for a non-streamed call). A client that disconnects
 * aborts its engine call, which frees the engine's slot.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEADER, renderErrorBody } from '@tollgate/protocol';
import { systemClock, type Clock } from '../../clock.js';
import type { ModelConfig } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import { DEFAULT_MAX_BODY_BYTES, readBodyWithin } from '../../http/body.js';
import { drained } from '../../http/respond.js';
import type { InferenceEndpoint } from '../engine.js';
import { SimulatorEngine } from './engine.js';
import { parseFault } from './faults.js';

export interface SimulatorServerOptions {
  models: readonly ModelConfig[];
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  clock?: Clock;
  /** Honour `x-tollgate-fault` for every model, whatever its own `allow_fault_header` says. */
  allowFaultHeader?: boolean;
  /** Rolls for configured fault probabilities (Math.random by default). */
  random?: () => number;
  /** Largest request body accepted; default 16 MiB. */
  maxBodyBytes?: number;
}

export interface SimulatorServer {
  /** `http://host:port`, no trailing slash; the OpenAI base URL is `${url}/v1`. */
  url: string;
  port: number;
  close(): Promise<void>;
  engines: Map<string, SimulatorEngine>;
}


const INFERENCE: Record<string, InferenceEndpoint> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/completions': 'completions',
  '/v1/embeddings': 'embeddings',
  '/v1/responses': 'responses',
};

export async function startSimulatorServer(opts: SimulatorServerOptions): Promise<SimulatorServer> {
  const clock = opts.clock ?? systemClock;
  const engines = new Map<string, SimulatorEngine>();
  for (const m of opts.models) engines.set(m.name, new SimulatorEngine(m, { clock, ...(opts.random ? { random: opts.random } : {}) }));
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let publicUrl = '';

  const server = createServer((req, res) => {
    const requestId = `req_${randomBytes(16).toString('hex')}`;
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort(new Error('client disconnected'));
    });
    handle(req, res, requestId, ac.signal).catch((err: unknown) => {
      if (ac.signal.aborted || res.destroyed) return;
      const e = err instanceof ApiError ? err : new ApiError('server_error', {}, { cause: err });
      if (res.headersSent && req.url?.startsWith('/v1/responses')) {
        const b = renderErrorBody(e.entry, e.vars, { publicUrl, param: e.param }).error;
        res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', code: b.code ?? b.type, message: b.message, param: b.param })}\n\n`);
      } else if (res.headersSent) {
        // Only a stream has sent its head; it ends with an error frame.
        res.end(`data: ${JSON.stringify(renderErrorBody(e.entry, e.vars, { publicUrl, param: e.param }))}\n\n`);
      } else {
        sendError(res, requestId, e, publicUrl);
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, signal: AbortSignal): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const endpoint = INFERENCE[path];
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      if (method !== 'GET') throw new ApiError('method_not_allowed', { method, path, allowed: 'GET' });
      return sendJson(res, requestId, 200, modelsBody(opts.models, path));
    }
    if (!endpoint) throw new ApiError('invalid_url', { method, path });
    if (method !== 'POST') throw new ApiError('method_not_allowed', { method, path, allowed: 'POST' });

    const body = parseBody(await readBodyWithin(req, maxBody));
    if (typeof body.model !== 'string') throw new ApiError('missing_required_parameter', { param: 'model' }, { param: 'model' });
    const engine = engines.get(body.model);
    if (!engine) throw new ApiError('model_not_found', { model: body.model });

    const header = req.headers[HEADER.fault];
    const faultValue = typeof header === 'string' && (opts.allowFaultHeader || engine.model.simulator.allow_fault_header) ? header : undefined;
    const plan = faultValue === undefined ? null : parseFault(faultValue);
    const cutAfter = plan?.kind === 'disconnect' ? plan.afterChunks : null;
    const stream = body.stream === true;
    if (cutAfter !== null && !stream) {
      res.destroy();
      return;
    }

    const result = await engine.call({
      endpoint,
      body,
      stream,
      clientWantsUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
      requestId,
      signal,
      ...(faultValue !== undefined && cutAfter === null ? { fault: faultValue } : {}),
    });
    if (result.kind === 'json') return sendJson(res, requestId, 200, result.body);

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      [HEADER.requestId]: requestId,
    });
    res.flushHeaders();
    let content = 0;
    // Under `disconnect@n`, the socket is cut only once what was sent has reached the kernel,
    // so the client really receives the n chunks before the connection dies.
    let flushed: Promise<void> = Promise.resolve();
    for await (const chunk of result.chunks) {
      if (cutAfter !== null && content >= cutAfter && isContent(chunk)) {
        await flushed;
        res.destroy();
        return; // leaving the loop returns the iterator, which frees the engine's slot
      }
      const frame = endpoint === 'responses' ? `event: ${String(chunk.type)}\ndata: ${JSON.stringify(chunk)}\n\n` : `data: ${JSON.stringify(chunk)}\n\n`;
      let ok: boolean;
      if (cutAfter === null) {
        ok = res.write(frame);
      } else {
        let onFlushed!: () => void;
        flushed = new Promise<void>((resolve) => (onFlushed = resolve));
        ok = res.write(frame, () => onFlushed());
      }
      if (!ok) await drained(res);
      if (res.destroyed) return;
      if (isContent(chunk)) content++;
    }
    // A Responses stream ends with its terminal event; chat and completions with [DONE].
    res.end(endpoint === 'responses' ? undefined : 'data: [DONE]\n\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  publicUrl = url;

  return {
    url,
    port,
    engines,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Streams and stalls would hold close() open; cut them (their calls abort and free slots).
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: ServerResponse, requestId: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    [HEADER.requestId]: requestId,
  });
  res.end(text);
}

function sendError(res: ServerResponse, requestId: string, err: ApiError, publicUrl: string): void {
  const headers = err.entry.retryable ? err.headers : { ...err.headers, [HEADER.shouldRetry]: 'false' };
  sendJson(res, requestId, err.status, renderErrorBody(err.entry, err.vars, { publicUrl, param: err.param }), headers);
}

function modelsBody(models: readonly ModelConfig[], path: string): Record<string, unknown> {
  const obj = (m: ModelConfig) => ({ id: m.name, object: 'model', created: m.created, owned_by: m.owned_by });
  if (path === '/v1/models') return { object: 'list', data: models.map(obj) };
  const id = decodeURIComponent(path.slice('/v1/models/'.length));
  const m = models.find((x) => x.name === id);
  if (!m) throw new ApiError('model_not_found', { model: id });
  return obj(m);
}


function parseBody(raw: Buffer): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError('invalid_json');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const actual = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
    throw new ApiError('invalid_body_type', { actual });
  }
  return body as Record<string, unknown>;
}

/** Whether a chunk carries output (text or tool-call arguments), as opposed to a role, finish or usage chunk. */
function isContent(chunk: Record<string, unknown>): boolean {
  if (chunk.type === 'response.output_text.delta' || chunk.type === 'response.function_call_arguments.delta') return true;
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return false;
  return choices.some((c: { text?: unknown; delta?: { content?: unknown; tool_calls?: { function?: { arguments?: unknown } }[] } }) => {
    if (typeof c?.text === 'string' && c.text.length > 0) return true;
    const d = c?.delta;
    if (typeof d?.content === 'string' && d.content.length > 0) return true;
    return Array.isArray(d?.tool_calls) && d.tool_calls.some((t) => typeof t?.function?.arguments === 'string' && t.function.arguments.length > 0);
  });
}
