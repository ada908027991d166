/**
 * Whose fault a finished request was, for the status signals: the platform's (5xx, upstream
 * failures, timeouts, engine overloaded — also when they end a stream that had started), fine,
 * or the caller's (any other 4xx, their own 429 rate limits and quotas, a disconnect), which never
 * counts either way.
 * @module
 */
import { findEntry, type ErrorKind } from '@tollgate/protocol';

export type PlatformOutcome = 'ok' | 'failed' | 'excluded';

const PLATFORM_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['server', 'service_unavailable', 'timeout', 'overloaded']);

export function platformOutcome(status: number, errorCode: string | null): PlatformOutcome {
  if (status === 499 || errorCode === 'client_disconnected') return 'excluded';
  const e = errorCode ? findEntry(errorCode) : undefined;
  if (e) return PLATFORM_KINDS.has(e.kind) ? 'failed' : status < 400 ? 'ok' : 'excluded';
  if (status < 400) return 'ok';
  return status >= 500 ? 'failed' : 'excluded';
}

/** What the request path reports about each request it finished. */
export interface RequestObservation {
  /** The model whose engine the request reached (after limits and quota), or null. */
  model: string | null;
  status: number;
  errorCode: string | null;
  /** Milliseconds from the engine call to its first byte (successes only). */
  firstByteMs: number | null;
  promptTokens: number;
  completionTokens: number;
}
