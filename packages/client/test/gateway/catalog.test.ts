/**
 * Issue 7, against the real gateway: every catalog entry, made to happen with
 * `x-tollgate-fault: <id>` (the simulator engine throws it inside the real request path; entries
 * the gateway normally raises itself, like `invalid_url`, are reachable the same way), comes out
 * of `@tollgate/client` as the class the entry's kind calls for, with `retryable`, the wire fields
 * and message the gateway rendered, the hint in both locales equal to the catalog's cause and
 * fix, and exactly as many attempts on the wire as a retry can justify: 1 when it cannot help,
 * maxRetries + 1 when it can, each retry after the server's own wait hint.
 *
 * The simulator asks for a 1 s wait on every retryable fault, and the client has no option that
 * shortens a server hint (`maxRetryAfter` only refuses longer ones, `backoff` applies only when
 * there is no hint), so the waits are real: all calls of both locales run at once in `beforeAll`
 * (~2 s in all), and each entry's test checks its own result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, LOCALES, renderErrorBody, type CatalogEntry, type Locale } from '@tollgate/protocol';
import {
  APIError,
  Tollgate,
  TollgateError,
  type RetryEvent,
} from '@tollgate/client';
import { expectedClass } from '../helpers/expected-class.js';
import { DEFAULT_MODELS, FAULT_RETRY_MS, faultError } from 'tollgate';
import { PUBLIC_URL, startTestGateway, type TestGateway } from '../../../gateway/test/support/gateway.js';
import { CHAT, countingFetch, type CountingFetch } from './helpers.js';

const MAX_RETRIES = 2;


interface Outcome {
  err: unknown;
  wire: CountingFetch;
  retries: RetryEvent[];
}

let gw: TestGateway;
const outcomes = new Map<string, Outcome>();
const key = (id: string, locale: Locale) => `${locale}:${id}`;

async function provoke(e: CatalogEntry, locale: Locale): Promise<Outcome> {
  const wire = countingFetch();
  const retries: RetryEvent[] = [];
  const client = new Tollgate({
    apiKey: gw.apiKey,
    baseURL: gw.baseURL,
    maxRetries: MAX_RETRIES,
    // Each call is its own client; the budget would otherwise be the thing under test.
    retryBudget: false,
    // Attempts are counted on this fetch: the status-page read after a server error would add one.
    statusPage: false,
    fetch: wire.fetch,
    locale,
    defaultHeaders: { 'x-tollgate-fault': e.id },
    onRetry: (r) => retries.push(r),
  });
  try {
    await client.chat.completions.create(CHAT);
    return { err: new Error(`${e.id}: the call succeeded`), wire, retries };
  } catch (err) {
    return { err, wire, retries };
  }
}

beforeAll(async () => {
  gw = await startTestGateway();
  const all = LOCALES.flatMap((locale) => CATALOG.map(async (e) => outcomes.set(key(e.id, locale), await provoke(e, locale))));
  await Promise.all(all);
});
afterAll(() => gw.close());

describe.each(LOCALES)('every catalog entry through the real gateway, locale %s', (locale) => {
  it.each(CATALOG.map((e) => [e.id, e] as const))('%s', (_id, e) => {
    const { err, wire, retries } = outcomes.get(key(e.id, locale))!;
    const Expected = expectedClass(e);
    expect(err).toBeInstanceOf(Expected);
    const t = err as TollgateError;
    expect(t.constructor).toBe(Expected);
    expect(t).toBeInstanceOf(APIError);

    // Recognised as the entry, with the fields and message the gateway rendered.
    const rendered = faultError(e.id, DEFAULT_MODELS[0]!);
    const body = renderErrorBody(rendered.entry, rendered.vars, { publicUrl: PUBLIC_URL, ...(rendered.param === undefined ? {} : { param: rendered.param }) });
    expect(t.entry?.id).toBe(e.id);
    expect(t.kind).toBe(e.kind);
    expect(t.status).toBe(e.status);
    expect(t.type).toBe(e.type);
    expect(t.code).toBe(e.code);
    expect(t.param).toBe(body.error.param);
    expect(t.message).toBe(body.error.message);
    expect(t.requestID).toMatch(/^req_[0-9a-f]{32}$/);
    expect(t.requestID).toBe(wire.requestIds.at(-1));

    expect(t.retryable).toBe(e.retryable);
    expect(t.hint).toEqual({ entryId: e.id, locale, title: e.title[locale], cause: e.cause[locale], fix: e.fix[locale] });
    for (const other of LOCALES) {
      expect(t.hintIn(other)).toMatchObject({ entryId: e.id, locale: other, cause: e.cause[other], fix: e.fix[other] });
    }

    // Attempts, counted on the wire: every call was answered by the gateway.
    const attempts = e.retryable ? MAX_RETRIES + 1 : 1;
    expect(wire.calls).toBe(attempts);
    expect(wire.responses).toBe(attempts);
    expect(wire.retryCounts).toEqual(Array.from({ length: attempts }, (_, i) => String(i)));
    expect(new Set(wire.requestIds).size).toBe(attempts);
    expect(t.attempts).toBe(attempts);
    expect(t.retryStop).toBe(e.retryable ? 'max_retries' : 'not_retryable');
    if (e.retryable && e.kind === 'rate_limit') {
      // A rate limit says how long to wait; the client follows it.
      expect(t.retryAfterMs).toBe(FAULT_RETRY_MS);
      expect(retries.map((r) => [r.delaySource, r.delayMs])).toEqual(Array.from({ length: MAX_RETRIES }, () => ['server', FAULT_RETRY_MS]));
    } else if (e.retryable) {
      // Server errors and overloads carry no made-up hint: the client backs off exponentially.
      expect(t.retryAfterMs).toBeUndefined();
      expect(t.headers?.get('retry-after-ms')).toBeNull();
      expect(t.headers?.get('retry-after')).toBeNull();
      expect(retries.map((r) => r.delaySource)).toEqual(Array.from({ length: MAX_RETRIES }, () => 'backoff'));
    } else {
      expect(retries).toEqual([]);
      expect(t.headers?.get('x-should-retry')).toBe('false');
    }
  });
});
