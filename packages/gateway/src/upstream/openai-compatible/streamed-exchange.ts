/**
 * A streamed upstream exchange through undici's dispatch handler, without `request()`'s body
 * stream: the head as soon as it comes, then the body's chunks to whoever reads them. The
 * Readable that `request()` wraps a body in (its async iterator, end-of-stream watcher, the
 * AsyncResource of the request handler) was a steady part of what a streamed request cost, for
 * chunks the stream only reads in order (whole-exchange.ts does the same for JSON answers).
 *
 * Semantics kept from reading `request()`'s body with its async iterator (chunk-stream.ts):
 * - the attempt's signal aborts the exchange, before or after the head, with its reason as the
 *   error of the pending and every later read, until the reader has seen the end; chunks not
 *   read yet are dropped;
 * - a failed connection or broken answer is the error undici gives, after the chunks read;
 * - backpressure: past HIGH_WATER bytes not read, the socket is paused until they are;
 * - `destroy()` cuts the exchange (its socket closed) unless the body was read to its end.
 * @module
 */
import { errors, type Dispatcher } from 'undici';
import type { AbortLike } from '../../http/abort-latch.js';
import { headersOf } from './whole-exchange.js';

/** Bytes received and not read yet past which the upstream's socket is paused (Readable's default for a body). */
const HIGH_WATER = 64 * 1024;

export interface StreamedExchange {
  statusCode: number;
  /**
   * Lower-cased names; a repeated header's values in an array, as `request()` gives them. Made when
   * first read: a stream that goes well reads two headers (`header`), not the engine's dozen.
   */
  readonly headers: Record<string, string | string[]>;
  /** `headers[name]` (`name` lower-cased) without making `headers`. */
  header(name: string): string | string[] | undefined;
  body: AnswerBody;
}

/** An answer's body read in order: what UpstreamChunkStream and a whole read need of one. */
export interface AnswerBody {
  [Symbol.asyncIterator](): AsyncIterator<Buffer>;
  /** No more reads: the exchange is cut unless the body was read to its end. */
  destroy(): void;
}

/** Sends `opts` on `dispatcher`; resolves with the head, rejects as `request()` would before it. */
export function exchangeStreamed(dispatcher: Dispatcher, opts: Dispatcher.DispatchOptions, signal: AbortLike): Promise<StreamedExchange> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(opts, new StreamHandler(signal, resolve, reject));
  });
}

/** An answer's head as undici gave it (`[name, value, name, value, …]`), read as `headersOf` would. */
class StreamHead implements StreamedExchange {
  private all: Record<string, string | string[]> | undefined;

  constructor(
    readonly statusCode: number,
    private readonly raw: Buffer[] | string[],
    readonly body: AnswerBody,
  ) {}

  get headers(): Record<string, string | string[]> {
    return (this.all ??= headersOf(this.raw));
  }

  header(name: string): string | string[] | undefined {
    if (this.all) return this.all[name];
    const { raw } = this;
    let out: string | string[] | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      // A header name is ASCII: its length in bytes is its length in characters.
      const n = raw[i]!;
      if (n.length !== name.length || n.toString('latin1').toLowerCase() !== name) continue;
      const v = raw[i + 1]!.toString('latin1');
      if (out === undefined) out = v;
      else if (typeof out === 'string') out = [out, v];
      else out.push(v);
    }
    return out;
  }
}

type Waiter = { resolve(r: IteratorResult<Buffer>): void; reject(e: unknown): void };
const END: IteratorReturnResult<undefined> = { value: undefined, done: true };

class StreamHandler implements Dispatcher.DispatchHandler, AnswerBody, AsyncIterator<Buffer> {
  private abortExchange: ((reason: Error) => void) | undefined;
  private resumeSocket: (() => void) | undefined;
  private head: { resolve(x: StreamedExchange): void; reject(e: unknown): void } | undefined;
  private readonly chunks: Buffer[] = [];
  private queuedBytes = 0;
  private paused = false;
  private waiter: Waiter | undefined;
  /** The upstream's answer is complete (onComplete); `over` once the reader has seen its end too. */
  private ended = false;
  private over = false;
  /** Set once: every read from then on rejects with it. */
  private failure: { error: unknown } | undefined;
  private readonly onAbort = () => this.fail(this.signal.reason, true);

  constructor(
    private readonly signal: AbortLike,
    resolve: (x: StreamedExchange) => void,
    reject: (e: unknown) => void,
  ) {
    this.head = { resolve, reject };
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.signal.aborted) {
      abort(this.signal.reason as Error);
      return;
    }
    this.abortExchange = abort;
    this.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[] | null, resume: () => void): boolean {
    // 1xx heads (100 Continue) come before the answer's own.
    if (statusCode < 200) return true;
    this.resumeSocket = resume;
    const head = this.head;
    this.head = undefined;
    head?.resolve(new StreamHead(statusCode, rawHeaders ?? [], this));
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.failure) return false;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve({ value: chunk, done: false });
      return true;
    }
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes < HIGH_WATER) return true;
    this.paused = true;
    return false;
  }

  onComplete(): void {
    this.ended = true;
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    this.end();
    w.resolve(END);
  }

  onError(err: Error): void {
    this.fail(err, false);
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return this;
  }

  next(): Promise<IteratorResult<Buffer>> {
    if (this.failure) return Promise.reject(this.failure.error);
    const chunk = this.chunks.shift();
    if (chunk) {
      this.queuedBytes -= chunk.length;
      if (this.paused && this.queuedBytes < HIGH_WATER) {
        this.paused = false;
        this.resumeSocket?.();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.ended) {
      this.end();
      return Promise.resolve(END);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  destroy(): void {
    // A complete answer's connection is back in its pool already: nothing to cut.
    if (this.ended) this.end();
    else this.fail(new errors.RequestAbortedError(), true);
  }

  /** The reader is done with a complete answer. */
  private end(): void {
    this.over = true;
    this.chunks.length = 0;
    this.queuedBytes = 0;
    this.stopListening();
  }

  /** The exchange failed (`cut`: by us, so undici is told to close it): the head or the reads reject with `error`. */
  private fail(error: unknown, cut: boolean): void {
    if (this.failure || this.over) return;
    this.failure = { error };
    this.chunks.length = 0;
    this.queuedBytes = 0;
    this.stopListening();
    const head = this.head;
    this.head = undefined;
    head?.reject(error);
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(error);
    if (cut && !this.ended) this.abortExchange?.(error as Error);
  }

  private stopListening(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }
}
