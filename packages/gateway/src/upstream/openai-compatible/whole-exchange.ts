/**
 * A non-streamed upstream exchange read whole through undici's dispatch handler, without
 * `request()`'s body stream. A JSON answer is read to its end anyway; the Readable that
 * `request()` wraps it in (its async iterator, end-of-stream watcher, the AsyncResource of the
 * request handler) was about a tenth of what a request allocated on the JSON path, for chunks the
 * attempt only concatenates.
 *
 * Semantics kept from reading `request()`'s body with an iterator (attempt.ts):
 * - the attempt's signal aborts the exchange, with its reason as the error;
 * - the idle deadline runs while the upstream owes more body (from the head to the end), and
 *   each chunk that comes starts the wait again;
 * - a body past `limitFor(status)` bytes ends the exchange early: `complete: false`, the socket
 *   destroyed, no bytes kept.
 * @module
 */
import type { Dispatcher } from 'undici';
import type { AttemptControl } from './attempt-control.js';

export interface WholeExchange {
  statusCode: number;
  /** Lower-cased names; a repeated header's values in an array, as `request()` gives them. */
  headers: Record<string, string | string[]>;
  /** The body; empty when it was not complete. */
  bytes: Buffer;
  /** False when the body passed the limit for its status. */
  complete: boolean;
}

export interface HeadOptions {
  /** The most body bytes read for an answer of this status. */
  limitFor(status: number): number;
  /** Hears the answer's head as soon as it came (before its body). */
  onHead?(status: number, headers: Record<string, string | string[]>): void;
}

/** Sent once a body passed its limit: the socket's remaining bytes are of no use. */
class BodyTooLarge extends Error {}

/**
 * Sends `opts` on `dispatcher` and resolves once the answer is read whole (or found too large).
 * Rejects with the attempt's abort reason, or with undici's error for a failed connection or a
 * broken answer: the same errors `request()` gives, for `toAttemptError` to classify.
 */
export function exchangeWhole(dispatcher: Dispatcher, opts: Dispatcher.DispatchOptions, ctl: AttemptControl, head: HeadOptions): Promise<WholeExchange> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(opts, new WholeHandler(ctl, head, resolve, reject));
  });
}

class WholeHandler implements Dispatcher.DispatchHandler {
  private abortExchange: ((reason: unknown) => void) | undefined;
  private statusCode = 0;
  private headers: Record<string, string | string[]> = {};
  private limit = 0;
  private readonly parts: Buffer[] = [];
  private size = 0;
  private done = false;
  private readonly onAbort = () => this.abortExchange?.(this.ctl.signal.reason);

  constructor(
    private readonly ctl: AttemptControl,
    private readonly head: HeadOptions,
    private readonly resolve: (x: WholeExchange) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  onConnect(abort: (reason?: Error) => void): void {
    const signal = this.ctl.signal;
    if (signal.aborted) {
      abort(signal.reason as Error);
      return;
    }
    this.abortExchange = abort as (reason: unknown) => void;
    signal.addEventListener('abort', this.onAbort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null): boolean {
    this.statusCode = statusCode;
    // 1xx heads (100 Continue) come before the answer's own; only the last one counts.
    if (statusCode < 200) return true;
    this.headers = rawHeaders ? headersOf(rawHeaders) : {};
    this.limit = this.head.limitFor(statusCode);
    this.head.onHead?.(statusCode, this.headers);
    this.ctl.firstByteSeen();
    this.ctl.armIdle();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    this.ctl.armIdle();
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.finish();
      this.resolve({ statusCode: this.statusCode, headers: this.headers, bytes: Buffer.alloc(0), complete: false });
      this.abortExchange?.(new BodyTooLarge());
      return false;
    }
    this.parts.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.done) return;
    this.finish();
    this.resolve({ statusCode: this.statusCode, headers: this.headers, bytes: Buffer.concat(this.parts, this.size), complete: true });
  }

  onError(err: Error): void {
    if (this.done) return;
    this.finish();
    this.reject(err);
  }

  private finish(): void {
    this.done = true;
    this.ctl.disarmIdle();
    this.ctl.signal.removeEventListener('abort', this.onAbort);
  }
}

/**
 * Header names most answers carry, lower-cased, by length: a raw name equal to one of them in any
 * case is given as this string, not decoded and lower-cased anew (a string or two per header).
 */
const COMMON_NAMES: readonly (readonly { name: string; bytes: Buffer }[] | undefined)[] = (() => {
  const byLength: { name: string; bytes: Buffer }[][] = [];
  for (const name of ['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'date', 'connection', 'keep-alive', 'server', 'x-request-id', 'openai-processing-ms', 'openai-version', 'retry-after', 'cache-control', 'vary']) {
    (byLength[name.length] ??= []).push({ name, bytes: Buffer.from(name, 'latin1') });
  }
  return byLength;
})();

/** A raw header name lower-cased, as `toString('latin1').toLowerCase()` gives it. */
function headerName(raw: Buffer | string): string {
  if (typeof raw === 'string') return raw.toLowerCase();
  const candidates = COMMON_NAMES[raw.length];
  if (candidates) {
    for (const c of candidates) if (equalsFolded(raw, c.bytes)) return c.name;
  }
  return raw.toString('latin1').toLowerCase();
}

/** `raw` with A–Z folded to a–z equals `lower` (same length). */
function equalsFolded(raw: Buffer, lower: Buffer): boolean {
  for (let i = 0; i < raw.length; i++) {
    let b = raw[i]!;
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== lower[i]) return false;
  }
  return true;
}

/** undici's raw head (`[name, value, name, value, …]`) as `request()` presents it. */
export function headersOf(raw: Buffer[] | string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = headerName(raw[i]!);
    const value = raw[i + 1]!.toString('latin1');
    const cur = out[name];
    if (cur === undefined) out[name] = value;
    else if (typeof cur === 'string') out[name] = [cur, value];
    else cur.push(value);
  }
  return out;
}
