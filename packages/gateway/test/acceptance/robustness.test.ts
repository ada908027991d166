/**
 * Issue 2's robustness acceptance, over real HTTP: random bodies (valid, mutated, random JSON,
 * not JSON at all, huge numbers), random paths and methods, and random headers (broken
 * Authorization, odd content types, organization headers) thrown at the public endpoints.
 * Every answer is a 2xx or a 4xx with a complete OpenAI error body — never a 5xx, never a hang —
 * and the gateway still serves normally afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceEndpoint } from '../../src/upstream/engine.js';
import type { TestGateway } from '../support/gateway.js';
import { anyJson, ENDPOINTS, knownParamsRandomValues, mutatedBody, validBody } from '../validation/arbitraries.js';
import { expectErrorEnvelope, sdk, startAcceptanceGateway } from './helpers.js';

let gw: TestGateway;
let otherOrg: string;

beforeAll(async () => {
  // A generous failed-authentication budget, so broken keys reach the key check every time
  // instead of the address block (which has its own tests).
  gw = await startAcceptanceGateway({ auth: { failed_attempts_per_minute: 1_000_000 } });
  otherOrg = (await gw.newTenant('fuzz-other')).orgId;
});
afterAll(() => gw.close());

/** A few hundred runs by default; set TOLLGATE_FUZZ_RUNS for a longer hunt. */
const RUNS = Number(process.env.TOLLGATE_FUZZ_RUNS ?? 300);
const REQUEST_TIMEOUT_MS = 10_000;

const PATH_OF: Record<InferenceEndpoint, string> = {
  'chat.completions': '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  responses: '/v1/responses',
};

const endpointArb = fc.constantFrom(...ENDPOINTS);

/** Mostly the public endpoints; sometimes near misses and arbitrary paths. */
const pathArb = (endpoint: InferenceEndpoint) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant(PATH_OF[endpoint]) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '/v1/models', '/v1/models/sim-small', '/v1/models/%00', '/v1/models/..%2F..', '/v1/', '/', '/v1/chat/completions/',
        '/V1/CHAT/COMPLETIONS', '/v1//chat/completions', '/v1/chat/completions?stream=true', '/v1/responses', '/v1/chat',
        '/admin/v1/organizations', '/admin/v1/keys', '/docs/errors?lang=xx', '/healthz', '/readyz', '/metrics', '/v1/embeddings%00',
      ),
    },
    { weight: 2, arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)) },
  );

const methodArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
);

/** Request texts that are not a generated JSON object: broken, huge, deep, odd numbers. */
const rawText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '', '{', '{"model":', 'null', '[]', '"string"', '1e999', '{"model":"sim-small","messages":[{"role":"user","content":"x"}],"max_tokens":1e999}',
    '{"model":"sim-small","messages":[{"role":"user","content":"x"}],"max_tokens":123456789012345678901234567890}',
    '{"model":"sim-small","messages":[{"role":"user","content":"x"}],"n":1e308,"temperature":-1e-400}',
    '{"model":"sim-small","messages":[{"role":"user","content":"x"}],"max_tokens":-0,"seed":9007199254740993}',
    '{"model":"sim-embed","input":[1e300,-1e300,1.5]}', '{"model":"sim-small","prompt":[[99999999999]]}',
    '\uFEFF{"model":"sim-small","messages":[{"role":"user","content":"bom"}]}',
    '{"model":"sim-small","model":"sim-large","messages":[{"role":"user","content":"twice"}]}',
    '{"__proto__":{"model":"sim-small"},"messages":[]}',
  ),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `{"model":"sim-small","messages":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
  fc.integer({ min: 1, max: 1_000_000 }).map((n) => JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'word '.repeat(n) }] })),
);

/** A body for the endpoint, or for another one, or anything at all. */
const bodyArb = (endpoint: InferenceEndpoint) =>
  fc.oneof(
    { weight: 3, arbitrary: validBody(endpoint).map((b) => JSON.stringify(b)) },
    { weight: 4, arbitrary: mutatedBody(endpoint).map((b) => JSON.stringify(b)) },
    { weight: 3, arbitrary: knownParamsRandomValues(endpoint).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: endpointArb.chain((e) => validBody(e)).map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 3, arbitrary: rawText },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  );

const printable = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });

/** What goes in Authorization: the right key, none, or many wrong shapes. */
const authArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant<'key' | string | null>('key') },
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.constant(null),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer KEY', 'BEARER KEY', 'Basic ' + 'OktFWQ==', 'Basic !!!', 'Basic ', 'Token KEY', 'Bearer KEY extra', 'Bearer sk-tg-short', 'KEY'),
      fc.constant('Bearer ' + 'x'.repeat(10_000)),
      fc.constant('Bearer sk-tg-' + 'A'.repeat(43)),
      printable(80),
      printable(80).map((s) => `Bearer ${s}`),
    ),
  },
);

const contentTypeArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constant(null),
      fc.constantFrom(
        'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'application/json;', 'text/plain',
        'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/*', '*/*', ';',
      ),
      printable(40),
    ),
  },
);

/** Present now and then: most requests carry only Authorization and Content-Type. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const extraHeadersArb = fc.record({
  'openai-organization': sometimes(fc.oneof(fc.constant('own'), fc.constant('other'), printable(40))),
  'x-stainless-timeout': sometimes(fc.constantFrom('0', '-1', '1e309', 'abc', '600', '0.0001', '')),
  'x-stainless-retry-count': sometimes(fc.constantFrom('0', '1', '-5', 'x')),
  accept: sometimes(fc.constantFrom('*/*', 'text/event-stream', 'application/json', 'image/png', '')),
  'x-fuzz': sometimes(printable(200)),
});

const requestArb = endpointArb.chain((endpoint) =>
  fc.record({
    path: pathArb(endpoint),
    method: methodArb,
    body: bodyArb(endpoint),
    auth: authArb,
    contentType: contentTypeArb,
    extra: extraHeadersArb,
  }),
);

type FuzzRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function headersOf(r: FuzzRequest): Record<string, string> {
  const h: Record<string, string> = {};
  if (r.auth !== null) h.authorization = r.auth === 'key' ? `Bearer ${gw.apiKey}` : r.auth.replaceAll('KEY', gw.apiKey);
  if (r.contentType !== null) h['content-type'] = r.contentType;
  for (const [k, v] of Object.entries(r.extra)) {
    if (v === undefined) continue;
    if (k === 'openai-organization') h[k] = v === 'own' ? gw.orgId : v === 'other' ? otherOrg : v;
    else h[k] = v;
  }
  return h;
}

const seen = new Map<number, number>();

/** Sends one request and checks its answer; throws (failing the property) on anything wrong. */
async function judge(r: FuzzRequest): Promise<void> {
  const withBody = r.method !== 'GET' && r.method !== 'HEAD';
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const res = await fetch(gw.url + r.path, { method: r.method, headers: headersOf(r), ...(withBody ? { body: r.body } : {}), signal });
  const text = await res.text(); // also under the timeout: a stream that never ends fails here
  seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  const what = `${r.method} ${r.path} → ${res.status}: ${text.slice(0, 300)}`;
  const ok = res.status >= 200 && res.status < 300;
  expect(ok || (res.status >= 400 && res.status < 500), what).toBe(true);
  expect(res.headers.get('x-request-id') ?? (r.method === 'OPTIONS' ? 'preflight' : null), what).not.toBeNull();
  if (r.method === 'HEAD' || res.status === 204) return;
  const type = res.headers.get('content-type') ?? '';
  if (!ok) {
    expect(type, what).toContain('application/json');
    expectErrorEnvelope(JSON.parse(text));
    return;
  }
  if (type.startsWith('text/event-stream')) {
    const frames = text.split('\n\n').filter((f) => f.length > 0);
    expect(frames.length, what).toBeGreaterThan(0);
    for (const f of frames) expect(f.startsWith('data: '), what).toBe(true);
    const last = frames.at(-1)!.slice('data: '.length);
    // A stream ends with [DONE], or with an error frame in the OpenAI envelope.
    if (last !== '[DONE]') expectErrorEnvelope(JSON.parse(last));
    for (const f of frames.slice(0, -1)) JSON.parse(f.slice('data: '.length));
  } else if (type.includes('application/json')) {
    JSON.parse(text);
  }
}

describe('random requests over HTTP', () => {
  it('are answered with a 2xx or a well-formed 4xx, never a 5xx or a hang', async () => {
    await fc.assert(fc.asyncProperty(requestArb, judge), { numRuns: RUNS, endOnFailure: true });

    // The fuzz reached every layer: successes, validation errors, authentication, routing.
    const count = (lo: number, hi: number) => [...seen].filter(([s]) => s >= lo && s < hi).reduce((n, [, c]) => n + c, 0);
    expect(count(200, 300)).toBeGreaterThan(0);
    expect(seen.get(400) ?? 0).toBeGreaterThan(0);
    expect(seen.get(401) ?? 0).toBeGreaterThan(0);
    expect(count(404, 406)).toBeGreaterThan(0);
    if (process.env.TOLLGATE_FUZZ_RUNS) console.log(Object.fromEntries([...seen].sort(([a], [b]) => a - b)));
    expect(gw.logs()).not.toMatch(/"level":50/);

    // And it still serves normally.
    const answer = await sdk(gw).chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'Still there?' }], max_tokens: 5 });
    expect(answer.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  }, 60_000);
});

describe('requests that Node refuses before the router', () => {
  // Node answers a header block above its limit (16 KiB) itself, with a bare 431 and no body;
  // an SDK then reports "431 status code (no body)". Found by this suite; see the report.
  it('an oversized header block still gets an OpenAI error body', async () => {
    const r = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json', 'x-big': 'x'.repeat(20_000) },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect(r.status).toBe(431);
    expect(r.headers.get('content-type') ?? '(none)').toContain('application/json');
    expectErrorEnvelope(JSON.parse(await r.text()));
  });
});
