/**
 * `classify()` gives errors from outside this client the same taxonomy: errors thrown by the
 * official `openai` SDK (pointed at a real server rendering catalog errors), raw `Response`s,
 * hand-described responses, and fetch failures. Also the status fallback for errors the catalog
 * does not know (another server's wording).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { CATALOG, entry, type CatalogEntry, type ErrorId } from '@tollgate/protocol';
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  ContextLengthExceededError,
  EngineOverloadedError,
  InsufficientQuotaError,
  InvalidRequestError,
  ModelNotFoundError,
  PermissionError,
  RateLimitError,
  RequestTooLargeError,
  ServiceUnavailableError,
  Timeout,
  TollgateError,
  classify,
} from '@tollgate/client';
import { findEntryHeader, newRequestId, sendCatalogError, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.headers['x-test-mode'] === 'hang') return;
    if (req.headers['x-test-mode'] === 'stream-error') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': newRequestId() });
      res.end(`data: ${JSON.stringify({ error: { message: 'Gateway timeout. The engine for this model stopped sending data for 30s.', type: 'server_error', param: null, code: 'upstream_idle_timeout' } })}\n\n`);
      return;
    }
    const e = findEntryHeader(req);
    if (e) return void sendCatalogError(res, e);
    res.writeHead(500).end();
  });
});
afterAll(() => server.close());

const openai = () => new OpenAI({ apiKey: 'sk-test-0123456789abcdef', baseURL: server.baseURL, maxRetries: 0, timeout: 2000 });
const params = { model: 'sim-small', messages: [{ role: 'user' as const, content: 'hi' }] };

async function sdkError(id: string): Promise<unknown> {
  try {
    await openai().chat.completions.create(params, { headers: { 'x-test-entry': id } });
  } catch (e) {
    return e;
  }
  throw new Error('the call succeeded');
}

describe('classify() of errors thrown by the official openai SDK', () => {
  const cases: [ErrorId, abstract new (...a: never[]) => TollgateError][] = [
    ['rate_limit_tokens', RateLimitError],
    ['insufficient_quota', InsufficientQuotaError],
    ['engine_overloaded', EngineOverloadedError],
    ['server_is_overloaded', EngineOverloadedError],
    ['request_too_large', RequestTooLargeError],
    ['context_length_exceeded_with_completion', ContextLengthExceededError],
    ['model_not_found', ModelNotFoundError],
    ['invalid_api_key', AuthenticationError],
    ['model_access_denied', PermissionError],
    ['upstream_unavailable', ServiceUnavailableError],
    ['server_error', APIError],
  ];

  it.each(cases)('%s', async (id, Expected) => {
    const thrown = await sdkError(id);
    expect(thrown).toBeInstanceOf(OpenAI.APIError);
    const e: CatalogEntry = entry(id);
    const c = classify(thrown, { locale: 'zh-CN' });
    expect(c).toBeInstanceOf(Expected);
    expect(c.constructor).toBe(Expected);
    expect(c.entry?.id).toBe(id);
    expect(c.status).toBe(e.status);
    expect(c.code).toBe(e.code);
    expect(c.retryable).toBe(e.retryable);
    expect(c.requestID).toBe((thrown as InstanceType<typeof OpenAI.APIError>).requestID);
    expect(c.hint.cause).toBe(e.cause['zh-CN']);
    expect(c.hintIn('en').fix).toBe(e.fix.en);
    expect(c.supportReport().text).toContain(c.requestID as string);
  });

  it('every catalog entry, through the official SDK, lands on the same entry', async () => {
    for (const e of CATALOG) {
      const c = classify(await sdkError(e.id));
      expect(c.entry?.id, e.id).toBe(e.id);
    }
  });

  it('a connection refused', async () => {
    const closed = await startServer(() => undefined);
    await closed.close();
    const thrown = await new OpenAI({ apiKey: 'sk-x', baseURL: closed.baseURL, maxRetries: 0 }).models.list().then(
      () => undefined,
      (e: unknown) => e,
    );
    const c = classify(thrown);
    expect(c).toBeInstanceOf(APIConnectionError);
    expect(c).not.toBeInstanceOf(Timeout);
    expect(c.retryable).toBe(true);
  });

  it('a timeout', async () => {
    const thrown = await new OpenAI({ apiKey: 'sk-x', baseURL: server.baseURL, maxRetries: 0, timeout: 50 }).chat.completions
      .create(params, { headers: { 'x-test-mode': 'hang' } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(classify(thrown)).toBeInstanceOf(Timeout);
  });

  it('an abort', async () => {
    const ac = new AbortController();
    const p = openai().chat.completions.create(params, { headers: { 'x-test-mode': 'hang' }, signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const thrown = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(classify(thrown)).toBeInstanceOf(APIUserAbortError);
  });

  it('a mid-stream error frame', async () => {
    const stream = await openai().chat.completions.create({ ...params, stream: true }, { headers: { 'x-test-mode': 'stream-error' } });
    let thrown: unknown;
    try {
      for await (const _ of stream) void _;
    } catch (e) {
      thrown = e;
    }
    const c = classify(thrown);
    expect(c).toBeInstanceOf(ServiceUnavailableError);
    expect(c.status).toBeUndefined();
    expect(c.entry?.id).toBe('upstream_idle_timeout');
  });
});

describe('classify() of responses', () => {
  it('a raw Response (async)', async () => {
    const res = await fetch(`${server.baseURL}/chat/completions`, { method: 'POST', headers: { 'x-test-entry': 'insufficient_quota' }, body: '{}' });
    const c = await classify(res);
    expect(c).toBeInstanceOf(InsufficientQuotaError);
    expect(c.retryable).toBe(false);
  });

  it('{ status, headers, body } with a body object or text', () => {
    const body = { error: { message: 'The model `x` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } };
    const a = classify({ status: 404, headers: { 'x-request-id': 'req_1' }, body });
    expect(a).toBeInstanceOf(ModelNotFoundError);
    expect(a.requestID).toBe('req_1');
    const b = classify({ status: 404, body: JSON.stringify(body) });
    expect(b).toBeInstanceOf(ModelNotFoundError);
  });

  it('errors the catalog does not know fall back by status', () => {
    const unknownBody = (status: number) => classify({ status, body: { error: { message: 'something else', type: 'weird', param: null, code: 'weird_code' } } });
    expect(unknownBody(400)).toBeInstanceOf(InvalidRequestError);
    expect(unknownBody(404)).toBeInstanceOf(InvalidRequestError);
    expect(unknownBody(413)).toBeInstanceOf(RequestTooLargeError);
    expect(unknownBody(415)).toBeInstanceOf(InvalidRequestError);
    expect(unknownBody(422)).toBeInstanceOf(InvalidRequestError);
    expect(unknownBody(401)).toBeInstanceOf(AuthenticationError);
    expect(unknownBody(403)).toBeInstanceOf(PermissionError);
    expect(unknownBody(429).constructor).toBe(RateLimitError);
    expect(unknownBody(500).constructor).toBe(APIError);
    for (const s of [502, 503, 504]) expect(unknownBody(s).constructor).toBe(ServiceUnavailableError);
    expect(unknownBody(418).constructor).toBe(APIError);
    expect(unknownBody(400).retryable).toBe(false);
    expect(unknownBody(500).retryable).toBe(true);
    expect(unknownBody(429).retryable).toBe(true);
    expect(unknownBody(500).hint.entryId).toBeUndefined();
    expect(unknownBody(500).hint.fix).toMatch(/supportReport/);
  });

  it("OpenAI's own wordings that the catalog does not carry", () => {
    const quota = classify({ status: 429, body: { error: { message: 'You have no credits remaining.', type: 'insufficient_quota', param: null, code: 'credit_balance_exhausted' } } });
    expect(quota).toBeInstanceOf(InsufficientQuotaError);
    expect(quota.retryable).toBe(false);
    const overloaded = classify({
      status: 503,
      body: { error: { message: 'That model is currently overloaded with other requests.', type: 'server_error', param: null, code: null } },
    });
    expect(overloaded).toBeInstanceOf(EngineOverloadedError);
    const cf = classify({ status: 502, body: { error: { code: 502, message: 'Bad gateway.', param: null, type: 'cf_bad_gateway' } } });
    expect(cf).toBeInstanceOf(ServiceUnavailableError);
    expect(cf.code).toBe('502');
    const html = classify({ status: 502, body: '<html><title>502 Bad Gateway</title></html>' });
    expect(html).toBeInstanceOf(ServiceUnavailableError);
    expect(html.message).toContain('502 Bad Gateway');
    const noWrapper = classify({ status: 400, body: { message: 'bad', type: 'invalid_request_error', code: 'x', param: 'p' } });
    expect(noWrapper.param).toBe('p');
  });

  it('x-should-retry decides for statuses the catalog does not explain, but never revives a hopeless error', () => {
    expect(classify({ status: 500, headers: { 'x-should-retry': 'false' }, body: '' }).retryable).toBe(false);
    expect(classify({ status: 418, headers: { 'x-should-retry': 'true' }, body: '' }).retryable).toBe(true);
    expect(classify({ status: 400, headers: { 'x-should-retry': 'true' }, body: '' }).retryable).toBe(false);
  });

  it('a fetch failure and anything else', () => {
    const failed = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(classify(failed)).toBeInstanceOf(APIConnectionError);
    expect(classify(new DOMException('The operation was aborted.', 'AbortError'))).toBeInstanceOf(APIUserAbortError);
    expect(classify(new DOMException('The operation timed out.', 'TimeoutError'))).toBeInstanceOf(Timeout);
    const other = classify(new RangeError('bug'));
    expect(other.constructor).toBe(TollgateError);
    expect(other.kind).toBe('unknown');
    const already = classify(other);
    expect(already).toBe(other);
  });
});
