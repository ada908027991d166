/**
 * The simulator served alone over HTTP (`tollgate simulate`): an OpenAI-compatible upstream for
 * benchmarks, for the gateway's HTTP-engine tests, and for developers who want a fake OpenAI.
 * It runs on the gateway's HTTP layer (router, body reader, request ids, error rendering), so it
 * answers unknown paths, wrong methods and bad bodies exactly as the gateway does; nothing else
 * (no authentication, limits or usage) stands between a request and the engine.
 *
 * Routes: POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses (typed
 * `event:` frames, no `[DONE]`, a failure after the start as an `error` event); GET /v1/models and
 * /v1/models/{id}. No API key is required (any Authorization header is accepted). The body is
 * only parsed (a JSON object with a `model`), not validated. Errors are catalog bodies with `x-request-id`, retry headers and
 * `x-should-retry: false` where a retry cannot help; a stream that fails after it started ends
 * with a `data: {"error": ...}` frame and no `[DONE]`.
 *
 * `x-tollgate-fault` (when `allowFaultHeader` or the model's `simulator.allow_fault_header`)
 * takes every value faults.ts documents; `disconnect@<n>` is handled here, by destroying the
 * socket after n content chunks (at once for a non-streamed call). A client that disconnects
 * aborts its engine call, which frees the engine's slot.
 * @module
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEADER, SSE_DONE, sseFrame } from '@tollgate/protocol';
import { pino, type Logger } from 'pino';
import { systemClock, type Clock } from '../../clock.js';
import type { ModelConfig } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import { streamErrorFrame } from '../../errors/render.js';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from '../../http/body.js';
import { header, type RequestContext } from '../../http/context.js';
import { createDispatcher } from '../../http/dispatch.js';
import { drained, sendJson, startStream } from '../../http/respond.js';
import { Router } from '../../http/router.js';
import { describeValue } from '../../validation/describe.js';
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
  /** Largest request body accepted; default DEFAULT_MAX_BODY_BYTES (server.max_body_bytes's default). */
  maxBodyBytes?: number;
  /** Where unexpected errors are logged; silent by default. */
  log?: Logger;
}

export interface SimulatorServer {
  /** `http://host:port`, no trailing slash; the OpenAI base URL is `${url}/v1`. */
  url: string;
  port: number;
  /** Closes at once, cutting the requests in flight; resolves with how many there were. */
  close(): Promise<{ cut: number }>;
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
  const dispatch = { publicUrl: '', trustedProxyHops: 0, log: opts.log ?? pino({ level: 'silent' }), clock, draining: () => false };

  const router = new Router();
  router.on('GET', '/v1/models', (ctx) => sendJson(ctx, 200, { object: 'list', data: opts.models.map(modelObject) }));
  router.on('GET', '/v1/models/:model', (ctx) => {
    const m = opts.models.find((x) => x.name === ctx.params.model);
    if (!m) throw new ApiError('model_not_found', { model: ctx.params.model });
    sendJson(ctx, 200, modelObject(m));
  });
  for (const [path, endpoint] of Object.entries(INFERENCE)) router.on('POST', path, (ctx) => infer(ctx, endpoint));
  const dispatcher = createDispatcher(router, dispatch);
  /** Requests received and not yet closed (close() cuts them). */
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
    dispatcher(req, res);
  });

  async function infer(ctx: RequestContext, endpoint: InferenceEndpoint): Promise<void> {
    const body = await readJsonBody(ctx, maxBody);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('invalid_body_type', { actual: describeValue(body) });
    const b = body as Record<string, unknown>;
    if (typeof b.model !== 'string') throw new ApiError('missing_required_parameter', { param: 'model' }, { param: 'model' });
    const engine = engines.get(b.model);
    if (!engine) throw new ApiError('model_not_found', { model: b.model });

    const faultHeader = header(ctx, HEADER.fault);
    const faultValue = faultHeader !== undefined && (opts.allowFaultHeader || engine.model.simulator.allow_fault_header) ? faultHeader : undefined;
    const plan = faultValue === undefined ? null : parseFault(faultValue);
    const cutAfter = plan?.kind === 'disconnect' ? plan.afterChunks : null;
    const stream = b.stream === true;
    if (cutAfter !== null && !stream) {
      ctx.res.destroy();
      return;
    }

    const result = await engine.call({
      endpoint,
      body: b,
      stream,
      clientWantsUsage: (b.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
      requestId: ctx.id,
      signal: ctx.clientGone,
      ...(faultValue !== undefined && cutAfter === null ? { fault: faultValue } : {}),
    });
    if (result.kind === 'json') return sendJson(ctx, 200, result.body);
    startStream(ctx);
    try {
      await relayChunks(ctx.res, endpoint, result.chunks, cutAfter);
    } catch (e) {
      if (ctx.clientGone.aborted || ctx.res.destroyed) return;
      const err = e instanceof ApiError ? e : new ApiError('server_error', {}, { cause: e });
      ctx.res.end(streamErrorFrame(err, dispatch.publicUrl, endpoint === 'responses' ? 'responses' : 'chat'));
    }
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
  dispatch.publicUrl = url;

  return {
    url,
    port,
    engines,
    close: () =>
      new Promise<{ cut: number }>((resolve, reject) => {
        const cut = inFlight;
        server.close((err) => (err ? reject(err) : resolve({ cut })));
        // Streams and stalls would hold close() open; cut them (their calls abort and free slots).
        server.closeAllConnections();
      }),
  };
}

/**
 * Writes a stream's chunks as SSE frames and its end (`[DONE]`, or nothing after a Responses
 * stream's terminal event). Under `disconnect@n` (`cutAfter`), destroys the socket after n content
 * chunks, once what was sent has reached the kernel, so the client really receives them first.
 * Throws what the engine throws mid-stream.
 */
async function relayChunks(res: ServerResponse, endpoint: InferenceEndpoint, chunks: AsyncIterable<Record<string, unknown>>, cutAfter: number | null): Promise<void> {
  let content = 0;
  let flushed: Promise<void> = Promise.resolve();
  for await (const chunk of chunks) {
    if (cutAfter !== null && content >= cutAfter && isContent(chunk)) {
      await flushed;
      res.destroy();
      return; // leaving the loop returns the iterator, which frees the engine's slot
    }
    const frame = endpoint === 'responses' ? sseFrame(chunk, String(chunk.type)) : sseFrame(chunk);
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
  res.end(endpoint === 'responses' ? undefined : SSE_DONE);
}

function modelObject(m: ModelConfig): Record<string, unknown> {
  return { id: m.name, object: 'model', created: m.created, owned_by: m.owned_by };
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
