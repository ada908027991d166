/**
 * The request loop: pace, send, classify, and retry while a retry can help and is affordable.
 *
 * A failed attempt is retried only if all hold: the error is `retryable` (the catalog says a
 * retry can succeed and the server did not send `x-should-retry: false`); retries remain
 * (`maxRetries`); the server's wait hint is not longer than `maxRetryAfter` (a limit that resets
 * in an hour is not waited for inside one call); the wait ends before the overall deadline; and
 * the retry budget has a retry to spend. The wait is the server's hint when it gave one, else
 * exponential backoff with full jitter. The caller's AbortSignal stops everything at once.
 * @module
 */
import { HEADER, longTimeout, type Locale } from '@tollgate/protocol';
import { TollgateError, type RetryStop, type SentRequest } from '../errors/classes.js';
import { errorFromWire, parseBodyText } from '../errors/from-wire.js';
import { redactHeaders } from '../errors/redact.js';
import { abortError, connectionError, timeoutError } from '../errors/transport.js';
import { APIError } from '../errors/classes.js';
import type { Pacer, PacerTicket } from '../pacing/pacer.js';
import type { FetchLike } from '../pacing/paced-fetch.js';
import type { RetryBudget } from './retry-budget.js';
import { backoffDelayMs, type BackoffOptions } from './retry-policy.js';
import { linkedController, realSleep } from './signals.js';
import type { StreamContext } from './stream.js';

/** What `onRetry` is told before each retry. */
export interface RetryEvent {
  /** The retry about to happen: 1 for the first retry. */
  retry: number;
  /** How long the client waits before it. */
  delayMs: number;
  /** Whether the wait is the server's hint or the client's backoff. */
  delaySource: 'server' | 'backoff';
  /** The error of the attempt that just failed. */
  error: TollgateError;
  method: string;
  url: string;
}

export interface SendConfig {
  fetch: FetchLike;
  locale: Locale;
  maxRetries: number;
  timeout: number;
  totalTimeout: number | undefined;
  maxRetryAfter: number;
  backoff: BackoffOptions;
  random: () => number;
  budget: RetryBudget | undefined;
  pacer: Pacer | undefined;
  onRetry: ((e: RetryEvent) => void) | undefined;
  signal: AbortSignal | undefined;
  /** Stops further sending (pacer waits, retries) without aborting an attempt on the wire. */
  sendSignal?: AbortSignal | undefined;
}

export interface PreparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body as an object (for pacing and reports) and as sent. */
  body: unknown;
  bodyText: string | undefined;
  stream: boolean;
  model: string | undefined;
}

export type SendResult =
  | { kind: 'json'; response: Response; data: unknown }
  | { kind: 'stream'; response: Response; context: StreamContext };

const DEADLINE = Symbol('deadline');

export async function send(cfg: SendConfig, req: PreparedRequest): Promise<SendResult> {
  const now = () => Date.now();
  const deadline = cfg.totalTimeout === undefined ? Infinity : now() + cfg.totalTimeout;
  const sent: SentRequest = { method: req.method, url: req.url, headers: redactHeaders(req.headers) ?? {}, body: req.body };
  const user = cfg.signal;
  const pace = cfg.pacer !== undefined && req.model !== undefined ? cfg.pacer : undefined;
  cfg.budget?.recordRequest();

  for (let attempt = 1; ; attempt++) {
    if (user?.aborted) throw finish(abortError(user.reason, cfg.locale, sent), attempt - 1, 'aborted');
    if (cfg.sendSignal?.aborted) throw finish(abortError(cfg.sendSignal.reason, cfg.locale, sent), attempt - 1, 'aborted');

    let ticket: PacerTicket | undefined;
    if (pace) ticket = await acquire(pace, req, cfg, deadline, sent, attempt);

    const remaining = deadline - now();
    if (remaining <= 0) throw finish(timeoutError(cfg.totalTimeout, 'deadline', cfg.locale, sent), attempt - 1, 'deadline');
    const limitedByDeadline = remaining < cfg.timeout;
    const attemptMs = Math.min(cfg.timeout, remaining);
    const link = linkedController(user);
    let timedOut = false;
    const cancelTimer = longTimeout(() => {
      timedOut = true;
      link.controller.abort(DEADLINE);
    }, attemptMs);
    let keepLink = false;
    let err: TollgateError;
    try {
      const headers = { ...req.headers, [HEADER.stainlessRetryCount]: String(attempt - 1) };
      const res = await cfg.fetch(req.url, { method: req.method, headers, body: req.bodyText, signal: link.controller.signal });
      if (pace) pace.observe(req.model, res.status, res.headers);
      if (res.ok && req.stream) {
        keepLink = true;
        const onUsage = ticket ? (t: number) => ticket?.settle(t) : undefined;
        const context: StreamContext = {
          locale: cfg.locale,
          request: sent,
          controller: link.controller,
          userAborted: () => user?.aborted === true,
          dispose: link.dispose,
          onUsage,
        };
        return { kind: 'stream', response: res, context };
      }
      const text = await res.text();
      if (res.ok) return { kind: 'json', response: res, data: parseSuccess(text, res, cfg.locale, sent, ticket) };
      err = errorFromWire({ status: res.status, headers: res.headers, body: parseBodyText(text), locale: cfg.locale, request: sent, nowMs: now() });
    } catch (e) {
      if (e instanceof TollgateError) throw finish(e, attempt, 'not_retryable');
      if (user?.aborted) throw finish(abortError(user.reason, cfg.locale, sent), attempt, 'aborted');
      if (timedOut && limitedByDeadline) throw finish(timeoutError(cfg.totalTimeout, 'deadline', cfg.locale, sent, e), attempt, 'deadline');
      err = timedOut ? timeoutError(attemptMs, 'attempt', cfg.locale, sent, e) : connectionError(e, cfg.locale, sent);
    } finally {
      cancelTimer();
      if (!keepLink) link.dispose();
    }

    const decision = decide(cfg, err, attempt, deadline - now());
    if ('stop' in decision) throw finish(err, attempt, decision.stop);
    cfg.onRetry?.({ retry: attempt, delayMs: decision.delayMs, delaySource: decision.source, error: err, method: req.method, url: req.url });
    const wait = linkedController(user, cfg.sendSignal);
    try {
      await realSleep(decision.delayMs, wait.controller.signal);
    } catch (e) {
      throw finish(abortError(e, cfg.locale, sent), attempt, 'aborted');
    } finally {
      wait.dispose();
    }
  }
}

function finish<E extends TollgateError>(e: E, attempts: number, stop: RetryStop): E {
  e.attempts = attempts;
  e.retryStop = stop;
  return e;
}

type Decision = { stop: RetryStop } | { delayMs: number; source: 'server' | 'backoff' };

/** Whether and when to retry; the budget is consulted last so that it is spent only on real retries. */
function decide(cfg: SendConfig, err: TollgateError, attempt: number, untilDeadline: number): Decision {
  if (!err.retryable) return { stop: 'not_retryable' };
  if (attempt > cfg.maxRetries) return { stop: 'max_retries' };
  let delayMs: number;
  let source: 'server' | 'backoff';
  if (err.retryAfterMs !== undefined) {
    if (err.retryAfterMs > cfg.maxRetryAfter) return { stop: 'retry_after_too_long' };
    delayMs = err.retryAfterMs;
    source = 'server';
  } else {
    delayMs = backoffDelayMs(attempt - 1, cfg.random, cfg.backoff);
    source = 'backoff';
  }
  if (delayMs >= untilDeadline) return { stop: 'deadline' };
  if (cfg.budget && !cfg.budget.tryRetry()) return { stop: 'retry_budget' };
  return { delayMs, source };
}

async function acquire(pacer: Pacer, req: PreparedRequest, cfg: SendConfig, deadline: number, sent: SentRequest, attempt: number): Promise<PacerTicket> {
  const link = linkedController(cfg.signal, cfg.sendSignal);
  const ms = deadline - Date.now();
  const cancelTimer = Number.isFinite(ms) ? longTimeout(() => link.controller.abort(DEADLINE), ms) : undefined;
  try {
    return await pacer.acquire({ model: req.model, body: req.body, url: req.url, signal: link.controller.signal });
  } catch (e) {
    if (cfg.signal?.aborted) throw finish(abortError(cfg.signal.reason, cfg.locale, sent), attempt - 1, 'aborted');
    if (cfg.sendSignal?.aborted) throw finish(abortError(cfg.sendSignal.reason, cfg.locale, sent), attempt - 1, 'aborted');
    throw finish(timeoutError(cfg.totalTimeout, 'deadline', cfg.locale, sent, e), attempt - 1, 'deadline');
  } finally {
    cancelTimer?.();
    link.dispose();
  }
}

function parseSuccess(text: string, res: Response, locale: Locale, sent: SentRequest, ticket: PacerTicket | undefined): unknown {
  if (text.trim() === '') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new APIError({
      message: `The response body is not valid JSON: ${text.slice(0, 200)}`,
      kind: 'unknown',
      retryable: false,
      status: res.status,
      headers: res.headers,
      requestID: res.headers.get(HEADER.requestId) ?? undefined,
      locale,
      request: sent,
      cause: e,
    });
  }
  const usage = (data as { usage?: { total_tokens?: unknown } } | null)?.usage;
  if (ticket && typeof usage?.total_tokens === 'number') ticket.settle(usage.total_tokens);
  return data;
}
