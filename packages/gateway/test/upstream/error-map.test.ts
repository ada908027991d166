import { describe, expect, it } from 'vitest';
import { ApiError } from 'tollgate';
import {
  ERROR_MAP,
  errorCode,
  mapTransportError,
  mapUpstreamError,
  retryHintMs,
  statusOfErrorObject,
  TRANSPORT_ERROR_MAP,
} from '../../src/upstream/openai-compatible/index.js';
import { deploymentOrder } from '../../src/upstream/openai-compatible/index.js';
import { errorBody } from './fake-upstream.js';
import { TIMEOUTS } from './helpers.js';

describe('error map (pure)', () => {
  it('every answer row is reached by some status, in table order', () => {
    const statuses = [400, 401, 402, 404, 408, 409, 413, 415, 418, 422, 429, 500, 502, 503, 504, 599, 200, 302, 101];
    const hit = new Set(statuses.map((s) => ERROR_MAP.findIndex((r) => r.matches(s, undefined))));
    hit.add(ERROR_MAP.findIndex((r) => r.matches(429, { type: 'insufficient_quota' })));
    expect([...hit].sort()).toEqual(ERROR_MAP.map((_, i) => i));
  });

  it('every transport row is reached by some error code', () => {
    const codes = ['UND_ERR_CONNECT_TIMEOUT', 'ECONNREFUSED', 'HPE_INVALID_CONSTANT', 'EWHATEVER'];
    expect(codes.map((c) => TRANSPORT_ERROR_MAP.findIndex((r) => r.matches(c)))).toEqual([0, 1, 2, 3]);
  });

  it('insufficient_quota is recognised by type or by code; other 429s are overload', () => {
    const by = (e: object) => mapUpstreamError(429, { error: e }, {}, 429).error?.entry.id;
    expect(by({ type: 'insufficient_quota', code: 'credit_balance_exhausted' })).toBe('upstream_quota_exhausted');
    expect(by({ type: 'requests', code: 'insufficient_quota' })).toBe('upstream_quota_exhausted');
    expect(by({ type: 'tokens', code: 'rate_limit_exceeded' })).toBe('engine_overloaded');
  });

  it('overload follows server.overload_status', () => {
    expect(mapUpstreamError(503, undefined, {}, 429).error?.entry.id).toBe('engine_overloaded');
    expect(mapUpstreamError(429, undefined, {}, 503).error?.entry.id).toBe('server_is_overloaded');
    expect(mapUpstreamError(429, undefined, {}, 503).error?.status).toBe(503);
  });

  it('retry hints: retry-after-ms first, then retry-after in seconds or as an HTTP date', () => {
    expect(retryHintMs({ 'retry-after-ms': '250.5', 'retry-after': '9' })).toBe(250.5);
    expect(retryHintMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryHintMs({ 'retry-after': '0.5' })).toBe(500);
    const now = Date.UTC(2026, 0, 1);
    expect(retryHintMs({ 'retry-after': new Date(now + 3000).toUTCString() }, now)).toBe(3000);
    expect(retryHintMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryHintMs({ 'retry-after-ms': '0' })).toBeUndefined();
    expect(retryHintMs({})).toBeUndefined();
  });

  it('the hint becomes both retry headers on the overload error; no hint, no headers', () => {
    expect(mapUpstreamError(429, undefined, { 'retry-after': '3' }, 429).error?.headers).toEqual({ 'retry-after-ms': '3000', 'retry-after': '3' });
    expect(mapUpstreamError(503, undefined, {}, 429).error?.headers).toEqual({});
  });

  it("an upstream's wait over a minute is relayed with x-should-retry: false; a minute or less stays retryable", () => {
    expect(mapUpstreamError(429, undefined, { 'retry-after': '3600' }, 429).error?.headers).toEqual({ 'retry-after-ms': '3600000', 'retry-after': '3600', 'x-should-retry': 'false' });
    expect(mapUpstreamError(503, undefined, { 'retry-after-ms': '60001' }, 503).error?.headers).toEqual({ 'retry-after-ms': '60001', 'retry-after': '61', 'x-should-retry': 'false' });
    expect(mapUpstreamError(429, undefined, { 'retry-after': '60' }, 503).error?.headers).toEqual({ 'retry-after-ms': '60000', 'retry-after': '60' });
  });

  it('an error object without a status gets the status its type and code imply', () => {
    expect(statusOfErrorObject({ type: 'server_error' })).toBe(500);
    expect(statusOfErrorObject({ type: 'tokens', code: 'rate_limit_exceeded' })).toBe(429);
    expect(statusOfErrorObject({ type: 'service_unavailable_error', code: 'server_is_overloaded' })).toBe(503);
    expect(statusOfErrorObject({ type: 'invalid_request_error', code: 'context_length_exceeded' })).toBe(400);
    expect(statusOfErrorObject({ type: 'invalid_request_error', code: 'invalid_api_key' })).toBe(401);
    expect(statusOfErrorObject({ code: 502, type: 'cf_bad_gateway' })).toBe(502);
    expect(statusOfErrorObject({ message: 'boom' })).toBe(500);
  });

  it('a 2xx carrying an error object is mapped by that error, never treated as success', () => {
    const m = mapUpstreamError(200, errorBody('Rate limit reached', 'tokens', 'rate_limit_exceeded'), {}, 429);
    expect(m).toMatchObject({ action: 'retry_other' });
    expect(m.error?.entry.id).toBe('engine_overloaded');
    expect(mapUpstreamError(200, 'not json', {}, 429).error?.entry.id).toBe('upstream_invalid_response');
  });

  it('passthrough keeps an OpenAI envelope as is and wraps anything else in one', () => {
    const body = errorBody("This model's maximum context length is 8192 tokens.", 'invalid_request_error', 'context_length_exceeded', 'messages');
    expect(mapUpstreamError(400, body, {}, 429)).toEqual({ action: 'passthrough', status: 400, body, breaker: 'success' });
    // vLLM's flat error and FastAPI's detail
    expect(mapUpstreamError(400, { object: 'error', message: 'bad n', type: 'BadRequestError', param: 'n', code: 400 }, {}, 429).body).toEqual({
      error: { message: 'bad n', type: 'invalid_request_error', param: 'n', code: null },
    });
    expect(mapUpstreamError(422, { detail: [{ loc: ['body', 'x'] }] }, {}, 429).body).toEqual({
      error: { message: '[{"loc":["body","x"]}]', type: 'invalid_request_error', param: null, code: null },
    });
    expect(mapUpstreamError(413, '<html>Request Entity Too Large</html>', {}, 429).body).toMatchObject({ error: { message: '<html>Request Entity Too Large</html>' } });
    expect(mapUpstreamError(404, undefined, {}, 429).body).toMatchObject({ error: { message: 'The engine for this model rejected the request with HTTP 404.' } });
  });

  it('transport errors: codes found through cause and AggregateError; timeouts name the deployment timeout', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(errorCode(new AggregateError([refused]))).toBe('ECONNREFUSED');
    expect(errorCode(new Error('wrapped', { cause: refused }))).toBe('ECONNREFUSED');
    expect(mapTransportError(new AggregateError([refused]), TIMEOUTS).entry.id).toBe('upstream_connection_failed');
    const t = mapTransportError(Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }), { ...TIMEOUTS, connect_ms: 1500 });
    expect(t.entry.id).toBe('upstream_connect_timeout');
    expect(t.vars).toEqual({ timeout: '1.5s' });
    const own = new ApiError('upstream_idle_timeout', { timeout: '20ms' });
    expect(mapTransportError(own, TIMEOUTS)).toBe(own);
  });
});

describe('deployment order', () => {
  const ds = [
    { n: 'a', weight: 1 },
    { n: 'b', weight: 3 },
    { n: 'c', weight: 0 },
    { n: 'd', weight: 2 },
  ];
  const order = (r: number) => deploymentOrder(ds, (d) => d.weight, () => r).map((d) => d.n);

  it('picks the first in proportion to weight, then the rest heaviest first', () => {
    expect(order(0)).toEqual(['a', 'b', 'd', 'c']);
    expect(order(1 / 6)).toEqual(['b', 'd', 'a', 'c']);
    expect(order(0.999)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('the first pick follows the weights over many draws; weight 0 is never first', () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    for (let i = 0; i < 600; i++) counts[order((i + 0.5) / 600)[0]!]!++;
    expect(counts).toEqual({ a: 100, b: 300, c: 0, d: 200 });
  });

  it('all weights 0: config order', () => {
    const zero = ds.map((d) => ({ ...d, weight: 0 }));
    expect(deploymentOrder(zero, (d) => d.weight, () => 0.7).map((d) => d.n)).toEqual(['a', 'b', 'c', 'd']);
  });
});
