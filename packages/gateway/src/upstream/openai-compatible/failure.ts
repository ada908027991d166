/**
 * One failed attempt, classified once: what to throw, whether another deployment may be tried,
 * and what the deployment's breaker hears.
 */
import type { Timeouts } from '../../config/types.js';
import { ApiError, UpstreamHttpError } from '../../errors/api-error.js';
import type { BreakerOutcome } from '../breaker.js';
import type { AttemptControl } from './attempt-control.js';
import { mapTransportError, PASSTHROUGH_HEADERS, type UpstreamAction, type UpstreamMapping } from './error-map.js';

/** `abort`: the client went away; `error` is its abort reason, thrown as it is. */
export type FailureAction = UpstreamAction | 'abort';

export class AttemptError extends Error {
  constructor(
    /** ApiError, UpstreamHttpError (passthrough) or the client's abort reason. */
    readonly error: unknown,
    readonly action: FailureAction,
    readonly outcome: BreakerOutcome,
  ) {
    super(error instanceof Error ? error.message : 'upstream attempt failed');
    this.name = 'AttemptError';
  }

  /** What a chunk iterator throws once output has started: never a passthrough, only an ApiError. */
  midStream(): unknown {
    if (this.action === 'abort' || this.error instanceof ApiError) return this.error;
    return new ApiError('server_error', {}, { cause: this.error });
  }
}

/** An answer the error map classified (an error status, or an error frame in a stream). */
export class MappedAnswer extends Error {
  constructor(readonly mapping: UpstreamMapping) {
    super('upstream answered with an error');
    this.name = 'MappedAnswer';
  }
}

export function toAttemptError(err: unknown, ctl: AttemptControl, timeouts: Timeouts): AttemptError {
  if (err instanceof AttemptError) return err;
  if (ctl.clientAborted) return new AttemptError(ctl.signal.reason, 'abort', 'ignored');
  if (err instanceof MappedAnswer) {
    const m = err.mapping;
    if (m.action === 'passthrough') return new AttemptError(new UpstreamHttpError(m.status!, m.body, { ...PASSTHROUGH_HEADERS }), 'passthrough', m.breaker);
    return new AttemptError(m.error, m.action, m.breaker);
  }
  return new AttemptError(mapTransportError(err, timeouts), 'retry_other', 'failure');
}
