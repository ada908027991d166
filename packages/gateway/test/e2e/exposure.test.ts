/**
 * What the gateway exposes beyond the API: the admin API answers no CORS headers (a page on
 * another origin must not be able to drive it from an operator's browser), while the
 * OpenAI-compatible API keeps them; /metrics can require its own bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../support/gateway.js';

const corsHeaders = (r: Response) => {
  const names: string[] = [];
  r.headers.forEach((_v, k) => {
    if (k.startsWith('access-control-')) names.push(k);
  });
  return names;
};

describe('CORS', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startTestGateway();
  });
  afterAll(() => g.close());

  it('the admin API sends no CORS headers: answers, errors and preflights', async () => {
    const ok = await fetch(`${g.url}/admin/v1/organizations`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, origin: 'https://evil.example' } });
    expect(ok.status).toBe(200);
    expect(corsHeaders(ok)).toEqual([]);
    const denied = await fetch(`${g.url}/admin/v1/organizations`, { headers: { authorization: 'Bearer wrong', origin: 'https://evil.example' } });
    expect(denied.status).toBe(401);
    expect(corsHeaders(denied)).toEqual([]);
    const missing = await fetch(`${g.url}/admin/v1/nope`, { headers: { origin: 'https://evil.example' } });
    expect(corsHeaders(missing)).toEqual([]);
    const preflight = await fetch(`${g.url}/admin/v1/keys`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(corsHeaders(preflight)).toEqual([]);
  });

  it('the OpenAI-compatible API keeps them', async () => {
    const r = await fetch(`${g.baseURL}/models`, { headers: { authorization: `Bearer ${g.apiKey}`, origin: 'https://app.example' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const preflight = await fetch(`${g.baseURL}/chat/completions`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    // `*` grants every request header but Authorization, which the Fetch standard requires by name:
    // a browser sending a bearer key (the SDKs with dangerouslyAllowBrowser) needs it listed.
    const asked = await fetch(`${g.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-retry-count' },
    });
    const allowed = (asked.headers.get('access-control-allow-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
    expect(allowed).toContain('authorization');
    expect(allowed).toContain('*');
  });
});

describe('/metrics token', () => {
  it('with TOLLGATE_METRICS_TOKEN set, /metrics answers only that bearer token', async () => {
    const g = await startTestGateway({}, { env: { TOLLGATE_METRICS_TOKEN: 'scrape-token-0123456789abcdef' } });
    try {
      const none = await fetch(`${g.url}/metrics`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('invalid_metrics_token');
      const wrong = await fetch(`${g.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789abcdeX' } });
      expect(wrong.status).toBe(401);
      // The admin key is not the metrics token.
      expect((await fetch(`${g.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(401);
      const right = await fetch(`${g.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789abcdef' } });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('# TYPE');
    } finally {
      await g.close();
    }
  });

  it('metrics.token_env names another variable; without a token /metrics stays open', async () => {
    const g = await startTestGateway({ metrics: { token_env: 'MY_SCRAPE_TOKEN' } }, { env: { MY_SCRAPE_TOKEN: 'another-token-0123456789', TOLLGATE_METRICS_TOKEN: 'ignored' } });
    try {
      expect((await fetch(`${g.url}/metrics`, { headers: { authorization: 'Bearer ignored' } })).status).toBe(401);
      expect((await fetch(`${g.url}/metrics`, { headers: { authorization: 'Bearer another-token-0123456789' } })).status).toBe(200);
    } finally {
      await g.close();
    }
    const open = await startTestGateway();
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
