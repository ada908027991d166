import { randomFillSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { currentTurn } from '../event-loop-turn.js';
import { AbortLatch, type AbortLike } from './abort-latch.js';

/**
 * Everything one request carries through the stages. Stages add to it (the principal, the
 * validated request, headers for the response) or throw an ApiError.
 */
export interface RequestContext {
  /** `req_` + 32 lowercase hex; sent as x-request-id and used as the usage event id. */
  readonly id: string;
  /** process.hrtime.bigint() at arrival, for openai-processing-ms and latency. */
  readonly start: bigint;
  /** The injected clock's milliseconds since the epoch at arrival (wall clock, for records). */
  readonly startedAt: number;
  /**
   * The event-loop turn it was read in (event-loop-turn.ts): whether its client could have read an
   * answer given before it (the rate limits' retry stagger asks).
   */
  readonly arrivedTurn: number;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** The path as received, without the query string. */
  readonly path: string;
  readonly rawQuery: string;
  params: Record<string, string>;
  /**
   * The route that matched, as registered with each `:name` written `{name}`
   * (`/v1/responses/{id}`); undefined when none did. A bounded label for metrics, unlike the path.
   */
  route: string | undefined;
  /** Headers every response to this request carries (rate-limit state, organization...). */
  readonly headers: Record<string, string>;
  /**
   * Aborted when the client disconnects before the response is finished. The request path uses
   * `clientGone` (the same event, far cheaper); this AbortSignal is made only when first read, for
   * code that needs a real one.
   */
  readonly signal: AbortSignal;
  /** Aborted (reason: an Error) when the client disconnects before the response is finished. */
  readonly clientGone: AbortLike;
  /** The client's address: the socket's, or what the outermost trusted proxy saw (see clientAddress). */
  readonly clientIp: string;
  /** Set when a console session (not a key) authenticated the request: the audit log's actor. */
  sessionUser?: { id: string; email: string };
}

/**
 * Random bytes for request ids, refilled 256 ids at a time (one call into the CSPRNG, not one per
 * request).
 */
const RANDOM_BYTES = 10;
const idPool = Buffer.allocUnsafe(RANDOM_BYTES * 256);
let idAt = idPool.length;

/**
 * `req_` + 32 lowercase hex, as OpenAI's request ids: the first 12 are the arrival time
 * (`nowMs`, milliseconds since the epoch), the other 20 are random (80 bits). The usage ledger is
 * keyed by this id; random ids spread each batch's inserts over the whole index, one page written
 * per row, while ids in time order append to its last pages (measured: a page written per row
 * before, a few per batch after; see docs/capacity.md).
 */
export function newRequestId(nowMs: number): string {
  if (idAt === idPool.length) {
    randomFillSync(idPool);
    idAt = 0;
  }
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  const id = `req_${time}${idPool.toString('hex', idAt, idAt + RANDOM_BYTES)}`;
  idAt += RANDOM_BYTES;
  return id;
}

/**
 * The client's address. `trustedHops` = 0: the socket's peer. Otherwise the peer is a proxy you
 * control and X-Forwarded-For is read from the right, where each trusted proxy appended the
 * address it saw: the entry `trustedHops` from the right is what the outermost one saw. Entries
 * further left were sent by the client and are never used (a client could otherwise pick any
 * address, and a new one per request). With fewer entries than hops, the leftmost is the
 * farthest any trusted proxy saw.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const raw = req.headers['x-forwarded-for'];
  const header = Array.isArray(raw) ? raw.join(',') : raw;
  if (!header) return peer;
  const entries = header.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) return peer;
  return entries[Math.max(0, entries.length - trustedHops)]!;
}

/**
 * `onClose`: called once when the response closes (finished or not), after `clientGone` fired if it was cut short.
 * A class rather than an object literal: the `signal` getter lives on the prototype, not in a new
 * accessor pair and closure per request, and the response's 'close' takes one plain listener
 * (`once` would wrap it in a bound function and its state).
 */
export function createContext(req: IncomingMessage, res: ServerResponse, trustedHops: number, clock: Clock, onClose?: (ctx: RequestContext) => void): RequestContext {
  const ctx = new Context(req, res, trustedHops, clock.now(), onClose);
  res.on('close', () => ctx.closed());
  return ctx;
}

class Context implements RequestContext {
  readonly id: string;
  readonly start: bigint;
  readonly arrivedTurn: number;
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  params: Record<string, string> = {};
  route: string | undefined = undefined;
  readonly headers: Record<string, string> = {};
  readonly clientGone = new AbortLatch();
  readonly clientIp: string;
  sessionUser?: { id: string; email: string };
  private abortSignal: AbortSignal | undefined = undefined;
  private isClosed = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    trustedHops: number,
    readonly startedAt: number,
    private readonly onClose: ((ctx: RequestContext) => void) | undefined,
  ) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.id = newRequestId(startedAt);
    this.start = process.hrtime.bigint();
    this.arrivedTurn = currentTurn();
    this.method = req.method ?? 'GET';
    this.path = q === -1 ? url : url.slice(0, q);
    this.rawQuery = q === -1 ? '' : url.slice(q + 1);
    this.clientIp = clientAddress(req, trustedHops);
  }

  get signal(): AbortSignal {
    if (this.abortSignal) return this.abortSignal;
    const controller = new AbortController();
    const gone = this.clientGone;
    if (gone.aborted) controller.abort(gone.reason);
    else gone.addEventListener('abort', () => controller.abort(gone.reason));
    return (this.abortSignal = controller.signal);
  }

  /**
   * The response closed. 'close' fires both after a normal finish and on a client disconnect;
   * only the latter (response not finished) aborts work for the request.
   */
  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (!this.res.writableFinished) this.clientGone.abort(new Error('client disconnected'));
    this.onClose?.(this);
  }
}

/** A header as one string (the first, if repeated), or undefined. */
export function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
