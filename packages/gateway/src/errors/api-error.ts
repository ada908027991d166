import { entry, HEADER, type CatalogEntry, type ErrorId, type RenderVars } from '@tollgate/protocol';

/**
 * The one exception type of the request path: a catalog entry plus the values its message needs.
 * Any stage throws it; `render.ts` turns it into a response or a stream's error frame. The id is
 * an `ErrorId`, so a misspelt one does not compile. Extra headers (retry hints, rate-limit state)
 * travel with it so that a 429 carries the same headers as a success would; an entry that is not
 * retryable adds `x-should-retry: false`, so no caller has to remember it.
 */
export class ApiError extends Error {
  readonly entry: CatalogEntry;
  readonly vars: RenderVars;
  readonly param: string | null | undefined;
  readonly headers: Record<string, string>;

  constructor(id: ErrorId, vars: RenderVars = {}, opts: { param?: string | null; headers?: Record<string, string>; cause?: unknown } = {}) {
    const e = entry(id);
    super(`${e.id}: ${e.message}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ApiError';
    this.entry = e;
    this.vars = vars;
    this.param = opts.param;
    const given = opts.headers ?? {};
    this.headers = e.retryable ? given : { ...given, [HEADER.shouldRetry]: 'false' };
  }

  get status(): number {
    return this.entry.status;
  }
}

/** An error response from an upstream engine, before it is mapped to a catalog error. */
export class UpstreamHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`upstream answered ${status}`);
    this.name = 'UpstreamHttpError';
  }
}
