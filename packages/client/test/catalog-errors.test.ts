/**
 * Every catalog entry, rendered by a real HTTP server as the gateway renders it, comes out of the
 * client as the right class, with `retryable`, the hint in both locales, the wire fields, and
 * exactly as many attempts as a retry can justify: 1 when it cannot help, maxRetries + 1 when it can.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, LOCALES, renderMessage, type CatalogEntry } from '@tollgate/protocol';
import {
  APIError,
  Tollgate,
  TollgateError,
  findCatalogEntry,
} from '@tollgate/client';
import { expectedClass } from './helpers/expected-class.js';
import { PUBLIC_URL, SAMPLE_VARS, findEntryHeader, sendCatalogError, startServer, type TestServer } from './helpers/server.js';


let server: TestServer;
const MAX_RETRIES = 2;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const e = findEntryHeader(req);
    if (!e) return void res.writeHead(500).end();
    sendCatalogError(res, e, { requestId: `req_${'0'.repeat(24)}${String(req.headers['x-test-n']).padStart(8, '0')}` });
  });
});
afterAll(() => server.close());

function client(locale: 'en' | 'zh-CN') {
  return new Tollgate({
    apiKey: 'sk-test-0123456789abcdef',
    baseURL: server.baseURL,
    maxRetries: MAX_RETRIES,
    retryBudget: false,
    backoff: { initialMs: 1, maxMs: 2 },
    locale,
  });
}

let n = 0;
async function failOnce(c: Tollgate, e: CatalogEntry, stream = false): Promise<{ err: TollgateError; key: string }> {
  const key = `${e.id}-${++n}`;
  try {
    await c.chat.completions.create(
      { model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], stream },
      { headers: { 'x-test-entry': e.id, 'x-test-key': key, 'x-test-n': String(n) } },
    );
  } catch (err) {
    return { err: err as TollgateError, key };
  }
  throw new Error(`${e.id}: the call succeeded`);
}

describe.each(LOCALES)('every catalog entry, locale %s', (locale) => {
  it.each(CATALOG.map((e) => [e.id, e] as const))('%s', async (_id, e) => {
    const { err, key } = await failOnce(client(locale), e);
    const Expected = expectedClass(e);
    expect(err).toBeInstanceOf(Expected);
    expect(err.constructor).toBe(Expected);
    expect(err).toBeInstanceOf(APIError);
    expect(err.entry?.id).toBe(e.id);
    expect(err.kind).toBe(e.kind);
    expect(err.status).toBe(e.status);
    expect(err.type).toBe(e.type);
    expect(err.code).toBe(e.code);
    expect(err.param).toBe(e.param);
    expect(err.message).toBe(renderMessage(e.message, SAMPLE_VARS, PUBLIC_URL));
    expect(err.requestID).toMatch(/^req_[0-9a-f]{32}$/);
    expect(err.retryable).toBe(e.retryable);
    expect(err.hint).toEqual({ entryId: e.id, locale, title: e.title[locale], cause: e.cause[locale], fix: e.fix[locale] });
    for (const other of LOCALES) expect(err.hintIn(other).fix).toBe(e.fix[other]);
    if (e.status === 429 || e.status === 503) expect(err.retryAfterMs).toBe(5);

    const attempts = e.retryable ? MAX_RETRIES + 1 : 1;
    expect(server.hits(key)).toBe(attempts);
    expect(err.attempts).toBe(attempts);
    expect(err.retryStop).toBe(e.retryable ? 'max_retries' : 'not_retryable');
  });
});

describe('the same status, different errors', () => {
  it('tells the 429s apart by type, code and message', async () => {
    const c = client('en');
    const classes = await Promise.all(
      ['rate_limit_requests', 'rate_limit_tokens', 'insufficient_quota', 'engine_overloaded', 'request_too_large', 'too_many_failed_authentications'].map(
        async (id) => (await failOnce(c, CATALOG.find((e) => e.id === id) as CatalogEntry)).err.name,
      ),
    );
    expect(classes).toEqual(['RateLimitError', 'RateLimitError', 'InsufficientQuotaError', 'EngineOverloadedError', 'RequestTooLargeError', 'RateLimitError']);
  });

  it('tells the two context-length messages apart (the protocol matcher compares only the opening)', () => {
    for (const id of ['context_length_exceeded', 'context_length_exceeded_with_completion']) {
      const e = CATALOG.find((x) => x.id === id) as CatalogEntry;
      expect(findCatalogEntry(400, e.type, e.code, renderMessage(e.message, SAMPLE_VARS, PUBLIC_URL))?.id).toBe(id);
    }
  });
});

describe('every catalog entry as a mid-stream error frame', () => {
  it.each(CATALOG.map((e) => [e.id, e] as const))('%s', async (_id, e) => {
    const frameServer = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `req_${'a'.repeat(32)}` });
      res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] })}\n\n`);
      res.end(`data: ${JSON.stringify({ error: { message: renderMessage(e.message, SAMPLE_VARS, PUBLIC_URL), type: e.type, param: e.param, code: e.code } })}\n\n`);
    });
    try {
      const c = new Tollgate({ apiKey: 'sk-test-0123456789abcdef', baseURL: frameServer.baseURL, locale: 'zh-CN' });
      const stream = await c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], stream: true });
      const seen: string[] = [];
      const err = await (async () => {
        try {
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
        } catch (x) {
          return x as TollgateError;
        }
        throw new Error('the stream ended without an error');
      })();
      expect(seen).toEqual(['Hel']);
      expect(err).toBeInstanceOf(expectedClass(e));
      expect(err.status).toBeUndefined();
      expect(err.entry?.id).toBe(e.id);
      expect(err.hint.cause).toBe(e.cause['zh-CN']);
      expect(err.requestID).toBe(`req_${'a'.repeat(32)}`);
      expect(err.retryStop).toBe('mid_stream');
    } finally {
      await frameServer.close();
    }
  });
});
