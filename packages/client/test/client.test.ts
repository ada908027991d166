/**
 * The client's ordinary paths against a real server: each resource, what is sent (headers,
 * paths, bodies), environment defaults, and the support report of a persistent error.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { entry } from '@tollgate/protocol';
import { InvalidRequestError, RateLimitError, Tollgate, TollgateError, classify } from '@tollgate/client';
import { chatCompletion, findEntryHeader, sendCatalogError, sendJson, startServer, type TestServer } from './helpers/server.js';

const KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const e = findEntryHeader(req);
    if (e) return void sendCatalogError(res, e, { retryMs: 1 });
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && path === '/v1/chat/completions') return void sendJson(res, 200, chatCompletion((req.body as { model: string }).model, 'hello'));
    if (req.method === 'POST' && path === '/v1/completions') {
      return void sendJson(res, 200, { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'sim-small', choices: [{ index: 0, text: 'done', finish_reason: 'stop' }] });
    }
    if (req.method === 'POST' && path === '/v1/embeddings') {
      return void sendJson(res, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'sim-embed', usage: { prompt_tokens: 1, total_tokens: 1 } });
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return void sendJson(res, 200, { object: 'list', data: [{ id: 'sim-small', object: 'model', created: 1, owned_by: 'tollgate' }] });
    }
    if (req.method === 'GET' && path === '/v1/models/sim%2Fsmall') return void sendJson(res, 200, { id: 'sim/small', object: 'model', created: 1, owned_by: 'tollgate' });
    if (req.method === 'DELETE' && path === '/v1/things/1') return void sendJson(res, 200, { deleted: true, query: req.url.split('?')[1] });
    sendCatalogError(res, entry('invalid_url'), { vars: { method: req.method, path: req.url } });
  });
});
afterAll(() => server.close());

const client = (extra: ConstructorParameters<typeof Tollgate>[0] = {}) => new Tollgate({ apiKey: KEY, baseURL: `${server.baseURL}/`, ...extra });
const last = () => server.requests[server.requests.length - 1];

describe('resources', () => {
  it('chat.completions.create returns the completion and its request id', async () => {
    const r = await client({ organization: 'org-1', project: 'proj_1' }).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
    expect(r.choices[0]?.message.content).toBe('hello');
    expect(r._request_id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(JSON.stringify(r)).not.toContain('_request_id');
    const sent = last();
    expect(sent?.url).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.headers['openai-organization']).toBe('org-1');
    expect(sent?.headers['openai-project']).toBe('proj_1');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['x-stainless-retry-count']).toBe('0');
    expect(sent?.body).toEqual({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
  });

  it('completions, embeddings, models.list and models.retrieve', async () => {
    const c = client();
    expect((await c.completions.create({ model: 'sim-small', prompt: 'x' })).choices[0]?.text).toBe('done');
    expect((await c.embeddings.create({ model: 'sim-embed', input: 'x' })).data[0]?.embedding).toEqual([0.1, 0.2]);
    expect((await c.models.list()).data.map((m) => m.id)).toEqual(['sim-small']);
    expect((await c.models.retrieve('sim/small')).id).toBe('sim/small');
  });

  it('request() reaches any path, with a query', async () => {
    const r = await client().request<{ deleted: boolean; query: string }>({ method: 'delete', path: '/things/1', query: { a: 1, b: 'x y', c: undefined } });
    expect(r).toEqual({ deleted: true, query: 'a=1&b=x+y' });
    const w = await client().requestWithResponse<{ object: string }>({ method: 'GET', path: 'models' });
    expect(w.response.status).toBe(200);
    expect(w.requestID).toMatch(/^req_/);
    expect(w.data.object).toBe('list');
  });

  it('an unknown path is the catalog invalid_url error', async () => {
    const err = await client()
      .request({ method: 'POST', path: '/nope', body: {} })
      .then(
        () => undefined,
        (e: unknown) => e as TollgateError,
      );
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err?.entry?.id).toBe('invalid_url');
    expect(err?.message).toBe('Invalid URL (POST /v1/nope)');
  });
});

describe('configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['TOLLGATE_API_KEY', 'OPENAI_API_KEY', 'TOLLGATE_BASE_URL', 'OPENAI_BASE_URL']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('reads the key and base URL from the environment, Tollgate names first', async () => {
    process.env.OPENAI_API_KEY = 'sk-openai-env-key-000000000';
    process.env.OPENAI_BASE_URL = 'http://wrong.invalid/v1';
    process.env.TOLLGATE_BASE_URL = server.baseURL;
    const c = new Tollgate();
    expect(c.baseURL).toBe(server.baseURL);
    await c.models.list();
    expect(last()?.headers.authorization).toBe('Bearer sk-openai-env-key-000000000');
    process.env.TOLLGATE_API_KEY = 'sk-tollgate-env-key-0000000';
    await new Tollgate().models.list();
    expect(last()?.headers.authorization).toBe('Bearer sk-tollgate-env-key-0000000');
  });

  it('refuses to start without a key', () => {
    delete process.env.TOLLGATE_API_KEY;
    delete process.env.OPENAI_API_KEY;
    expect(() => new Tollgate({ baseURL: server.baseURL })).toThrow(/Missing API key/);
  });

  it('never shows the key when the client is printed', () => {
    const c = client();
    expect(inspect(c, { depth: 5, showHidden: true })).not.toContain(KEY);
    expect(inspect(c, { depth: 5 })).toContain(server.baseURL);
  });

  it('withOptions shares the retry budget', () => {
    const c = client();
    const d = c.withOptions({ maxRetries: 7 });
    expect(d.maxRetries).toBe(7);
    expect(d.retryBudget).toBe(c.retryBudget);
  });
});

describe('supportReport()', () => {
  it('has what support needs, with keys and secrets redacted', async () => {
    const err = await client({ maxRetries: 1, retryBudget: false })
      .chat.completions.create(
        { model: 'sim-small', messages: [{ role: 'user', content: `my key is ${KEY}` }], max_tokens: 5, metadata: { api_key: 'hunter2', client_secret: 'abc' } },
        { headers: { 'x-test-entry': 'rate_limit_tokens', 'x-api-key': 'secret-value-1234567890' } },
      )
      .then(
        () => undefined,
        (e: unknown) => e as TollgateError,
      );
    expect(err).toBeInstanceOf(RateLimitError);
    const r = (err as TollgateError).supportReport();
    expect(r.model).toBe('sim-small');
    expect(r.requestId).toBe(err?.requestID);
    expect(r.error).toMatchObject({ name: 'RateLimitError', status: 429, type: 'tokens', code: 'rate_limit_exceeded', catalogId: 'rate_limit_tokens', attempts: 2, retryStop: 'max_retries' });
    expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(r.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(new Date(r.time).getTime()).toBe(new Date(r.utc).getTime());
    expect(r.request?.method).toBe('POST');
    expect(r.request?.url).toBe(`${server.baseURL}/chat/completions`);
    expect(r.request?.headers.authorization).toBe('Bearer sk-...6789');
    expect(r.request?.headers['x-api-key']).toBe('...7890');
    expect(r.request?.body).toMatchObject({ max_tokens: 5, metadata: { api_key: '[redacted]', client_secret: '[redacted]' }, messages: [{ content: 'my key is sk-...6789' }] });
    expect(r.responseHeaders?.['x-request-id']).toBe(err?.requestID);
    expect(r.text).toContain(err?.requestID as string);
    expect(r.text).toContain('rate_limit_exceeded');
    expect(r.text).toContain(r.time);
    expect(String(r)).toBe(r.text);
    const everything = JSON.stringify(r) + r.text;
    for (const secret of [KEY, 'hunter2', 'secret-value-1234567890']) expect(everything).not.toContain(secret);
    // The error itself holds the headers already redacted, so logging it leaks nothing either.
    expect(inspect(err, { depth: 5 })).toContain('Bearer sk-...6789');
    expect(JSON.stringify(err?.request?.headers)).not.toContain(KEY);
  });

  it('accepts the request when the error came from elsewhere', () => {
    const e = classify({ status: 500, body: '' });
    const r = e.supportReport({ request: { method: 'POST', url: 'https://x/v1/chat/completions', headers: { Authorization: `Bearer ${KEY}` }, body: { model: 'gpt-x' } } });
    expect(r.model).toBe('gpt-x');
    expect(r.request?.headers.authorization).toBe('Bearer sk-...6789');
    expect(r.text).not.toContain(KEY);
    expect(classify({ status: 500, body: '' }).supportReport().text).toContain('Request ID:  (not available)');
  });
});
