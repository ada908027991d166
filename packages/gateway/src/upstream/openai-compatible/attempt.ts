/**
 * One HTTP attempt against one deployment: send the request on the deployment's pool, then
 * either hand out the stream (after its first chunk) or read the JSON answer, or classify the
 * failure as an AttemptError for the engine's retry loop. The breaker hears the outcome exactly
 * once through `settle`: at once for JSON and errors, when the stream ends for streams.
 */
import { HEADER, type Usage } from '@tollgate/protocol';
import type { Dispatcher } from 'undici';
import type { Deployment } from '../../config/types.js';
import { ApiError } from '../../errors/api-error.js';
import type { BreakerOutcome } from '../breaker.js';
import type { EngineCall, EngineResult, InferenceEndpoint } from '../engine.js';
import { keepAnswerText } from '../chunk-text.js';
import { AttemptControl } from './attempt-control.js';
import { UpstreamChunkStream } from './chunk-stream.js';
import { errorObjectOf, mapUpstreamError } from './error-map.js';
import { AttemptError, MappedAnswer, toAttemptError } from './failure.js';
import { exchangeStreamed, type AnswerBody, type StreamedExchange } from './streamed-exchange.js';
import { exchangeWhole, type WholeExchange } from './whole-exchange.js';

/** A deployment ready to be called: its pool and the headers every request carries. */
export interface DeploymentTarget {
  readonly deployment: Deployment;
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  /** The path part of `base_url`, e.g. `/v1`. */
  readonly basePath: string;
  /** The query part of `base_url` (`?api-version=...` for Azure), sent on every request. */
  readonly query: string;
  readonly jsonHeaders: Readonly<Record<string, string>>;
  readonly streamHeaders: Readonly<Record<string, string>>;
}

export interface AttemptOptions {
  overloadStatus: 429 | 503;
  /** Clock time, for an HTTP-date `retry-after`. */
  now(): number;
  /** Hears the breaker outcome; called exactly once per attempt. */
  settle(outcome: BreakerOutcome): void;
}

export const ENDPOINT_PATHS: Readonly<Record<InferenceEndpoint, string>> = {
  'chat.completions': '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  responses: '/responses',
};

/** Largest error body read (the rest is dropped; the status alone still maps it). */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;
/** Largest JSON answer accepted (a 2048-input embeddings call is ~60 MB). */
const MAX_JSON_BODY_BYTES = 128 * 1024 * 1024;

export async function attempt(target: DeploymentTarget, call: EngineCall, opts: AttemptOptions): Promise<EngineResult> {
  const d = target.deployment;
  const ctl = new AttemptControl(d.timeouts, call.signal, call.stream);
  const failed = (e: unknown): AttemptError => {
    const f = toAttemptError(e, ctl, d.timeouts);
    ctl.dispose();
    opts.settle(f.outcome);
    return f;
  };

  const headers = call.stream ? target.streamHeaders : target.jsonHeaders;
  // The deployment's model name; a body that already names it is sent as it is (the same JSON), not copied.
  const body: Record<string, unknown> = call.body.model === d.model ? call.body : { ...call.body, model: d.model };
  const request: Dispatcher.DispatchOptions = {
    origin: target.origin,
    path: target.basePath + ENDPOINT_PATHS[call.endpoint] + target.query,
    method: 'POST',
    headers: call.fault === undefined ? headers : { ...headers, [HEADER.fault]: call.fault },
    body: JSON.stringify(body),
    // Ours (AttemptControl) name the timeout that passed; undici's would not.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  if (!call.stream) {
    let answer: WholeExchange;
    try {
      answer = await exchangeWhole(target.dispatcher, request, ctl, { limitFor: bodyLimit, onHead: (_status, h) => noteUpstreamId(call, h['x-request-id']) });
    } catch (e) {
      throw failed(e);
    }
    try {
      return answered(answer.statusCode, answer.headers, answer.bytes, answer.complete, false, ctl, opts);
    } catch (e) {
      throw failed(e);
    }
  }

  let res: StreamedExchange;
  try {
    res = await exchangeStreamed(target.dispatcher, request, ctl.signal);
  } catch (e) {
    throw failed(e);
  }

  const status = res.statusCode;
  noteUpstreamId(call, res.header('x-request-id'));
  if (status >= 200 && status < 300 && !isJson(res.header('content-type'))) {
    const chunks = new UpstreamChunkStream(res.body, {
      ctl,
      timeouts: d.timeouts,
      overloadStatus: opts.overloadStatus,
      onEnd: opts.settle,
      usageRequested: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
      choices: typeof body.n === 'number' ? body.n : 1,
      dialect: call.endpoint === 'responses' ? 'responses' : 'chat',
    });
    await chunks.first();
    return { kind: 'stream', chunks };
  }

  // A streamed call answered in one piece: an error, or JSON where SSE was asked for.
  ctl.firstByteSeen();
  try {
    const { bytes, complete } = await readBody(res.body, bodyLimit(status), ctl);
    return answered(status, res.headers, bytes, complete, true, ctl, opts);
  } catch (e) {
    res.body.destroy();
    throw failed(e);
  }
}

/** An answer's body limit: a JSON answer may be large, an error body is read only so far. */
function bodyLimit(status: number): number {
  return status >= 200 && status < 300 ? MAX_JSON_BODY_BYTES : MAX_ERROR_BODY_BYTES;
}

function noteUpstreamId(call: EngineCall, upstreamId: string | string[] | undefined): void {
  if (typeof upstreamId === 'string' && upstreamId !== '') call.onUpstreamRequestId?.(upstreamId.slice(0, 200));
}

/**
 * The result of an answer read whole: the JSON answer of a non-streamed call, or a MappedAnswer
 * thrown for an error (or for a streamed call answered in one piece, which the stream relay
 * cannot take).
 */
function answered(status: number, headers: Record<string, string | string[] | undefined>, bytes: Buffer, complete: boolean, streamed: boolean, ctl: AttemptControl, opts: AttemptOptions): EngineResult {
  const ok = status >= 200 && status < 300;
  if (ok && !complete) throw new ApiError('upstream_invalid_response');
  const body = complete ? parseBody(bytes) : undefined;
  if (ok && !streamed && isObject(body) && !errorObjectOf(body)) {
    ctl.dispose();
    opts.settle('success');
    return { kind: 'json', body, usage: usageOf(body.usage) };
  }
  throw new MappedAnswer(mapUpstreamError(status, body, headers, opts.overloadStatus, opts.now()));
}

/** Reads the body under the idle deadline, up to `limit` bytes. */
async function readBody(body: AnswerBody, limit: number, ctl: AttemptControl): Promise<{ bytes: Buffer; complete: boolean }> {
  const parts: Buffer[] = [];
  let size = 0;
  const it: AsyncIterator<Buffer> = body[Symbol.asyncIterator]();
  for (;;) {
    ctl.armIdle();
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } finally {
      ctl.disarmIdle();
    }
    if (r.done) return { bytes: Buffer.concat(parts, size), complete: true };
    size += r.value.length;
    if (size > limit) return { bytes: Buffer.alloc(0), complete: false };
    parts.push(r.value);
  }
}

/**
 * The parsed JSON, or the text when the body is not JSON. An object keeps its text
 * (chunk-text.ts): an answer relayed unchanged is sent as it came, not serialized again.
 */
function parseBody(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (isObject(parsed)) keepAnswerText(parsed, text);
  return parsed;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function isJson(contentType: string | string[] | undefined): boolean {
  const v = Array.isArray(contentType) ? contentType[0] : contentType;
  return v !== undefined && /^application\/(?:[\w.+-]*\+)?json/i.test(v.trim());
}

function usageOf(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined);
  const prompt = n(u.prompt_tokens);
  if (prompt === undefined) return undefined;
  const completion = n(u.completion_tokens) ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: n(u.total_tokens) ?? prompt + completion };
}
