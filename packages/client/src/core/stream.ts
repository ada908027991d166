/**
 * A streamed response as an async iterator of parsed chunks. It ends at `data: [DONE]`; an error
 * frame (`data: {"error": ...}`, or an `event: error`) is thrown as the matching error class with
 * `status` undefined; a connection that breaks mid-stream is an `APIConnectionError`. Nothing
 * here is retried: part of the answer has already been handed to the caller.
 * @module
 */
import { HEADER, type Locale } from '@tollgate/protocol';
import { APIError, TollgateError, type SentRequest } from '../errors/classes.js';
import { errorFromWire } from '../errors/from-wire.js';
import { abortError, connectionError } from '../errors/transport.js';
import { readSSE } from './sse.js';

export interface StreamContext {
  locale: Locale;
  request: SentRequest;
  /** Aborts the underlying fetch; `signal` of the caller is linked to it. */
  controller: AbortController;
  /** True when the caller (not `stream.abort()` or a break) aborted. */
  userAborted: () => boolean;
  /** Detaches the caller's signal once the stream is over. */
  dispose: () => void;
  /** Called once with the number of tokens the usage chunk reported, if any. */
  onUsage?: ((totalTokens: number) => void) | undefined;
}

export class Stream<T> implements AsyncIterable<T> {
  readonly response: Response;
  readonly requestID: string | undefined;
  readonly controller: AbortController;
  private readonly ctx: StreamContext;
  private consumed = false;

  constructor(response: Response, ctx: StreamContext) {
    this.response = response;
    this.requestID = response.headers.get(HEADER.requestId) ?? undefined;
    this.controller = ctx.controller;
    this.ctx = ctx;
  }

  /** Stops the stream and closes the connection. */
  abort(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.consumed) throw new Error('A stream can be iterated only once.');
    this.consumed = true;
    const body = this.response.body;
    if (!body) return;
    try {
      for await (const ev of readSSE(body)) {
        if (ev.data === '[DONE]') return;
        if (ev.data === '' && ev.event === undefined) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(ev.data);
        } catch {
          throw this.mark(
            new APIError({
              message: `Could not parse a stream frame as JSON: ${ev.data.slice(0, 200)}`,
              kind: 'unknown',
              retryable: false,
              headers: this.response.headers,
              requestID: this.requestID,
              locale: this.ctx.locale,
              request: this.ctx.request,
            }),
          );
        }
        const obj = parsed as { error?: unknown; usage?: { total_tokens?: unknown } | null };
        if (ev.event === 'error' || (obj && typeof obj === 'object' && obj.error)) {
          const body = ev.event === 'error' && !obj.error ? { error: parsed } : parsed;
          throw this.mark(errorFromWire({ status: undefined, headers: this.response.headers, body, locale: this.ctx.locale, request: this.ctx.request }));
        }
        if (obj?.usage && typeof obj.usage.total_tokens === 'number') this.ctx.onUsage?.(obj.usage.total_tokens);
        yield parsed as T;
      }
    } catch (e) {
      if (e instanceof TollgateError) throw e;
      if (this.ctx.userAborted()) throw this.mark(abortError(e, this.ctx.locale, this.ctx.request));
      if (this.controller.signal.aborted) return; // stopped by abort() or by the consumer
      throw this.mark(connectionError(e, this.ctx.locale, this.ctx.request));
    } finally {
      this.ctx.dispose();
      if (!this.controller.signal.aborted) this.controller.abort();
    }
  }

  private mark<E extends TollgateError>(e: E): E {
    e.retryStop = 'mid_stream';
    return e;
  }
}
