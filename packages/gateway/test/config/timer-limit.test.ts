/**
 * A Node.js timer longer than 2^31-1 ms fires after 1 ms. Every `*_ms` key of tollgate.yaml is
 * refused past that, naming the key and the maximum; a wait the gateway computes itself (a slow
 * simulated engine's next token) is waited in full instead of ending at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { problems } from './problems.js';

const MAX = 2_147_483_647;
const NOTE = '(about 24.8 days, the longest a timer can wait)';
const upstream = (timeouts: Record<string, number>) => ({
  models: [{ name: 'm', provider: 'openai-compatible', deployments: [{ base_url: 'http://127.0.0.1:1/v1', timeouts }] }],
});

/** Every `*_ms` key, with the document setting it and its minimum. */
const KEYS: [path: string, doc: (v: number) => Record<string, unknown>, min: number][] = [
  ['server.shutdown_grace_ms', (v) => ({ server: { shutdown_grace_ms: v } }), 0],
  ['server.request_timeout_ms', (v) => ({ server: { request_timeout_ms: v, headers_timeout_ms: 100 } }), 100],
  ['server.headers_timeout_ms', (v) => ({ server: { headers_timeout_ms: v, request_timeout_ms: MAX } }), 100],
  ['database.connect_timeout_ms', (v) => ({ database: { connect_timeout_ms: v } }), 1],
  ['database.query_timeout_ms', (v) => ({ database: { query_timeout_ms: v } }), 1],
  ['database.max_stale_ms', (v) => ({ database: { max_stale_ms: v } }), 0],
  ['auth.cache_ttl_ms', (v) => ({ auth: { cache_ttl_ms: v } }), 0],
  ['billing.reservation_lease_ms', (v) => ({ billing: { reservation_lease_ms: v } }), 1000],
  ['billing.reconcile_interval_ms', (v) => ({ billing: { reconcile_interval_ms: v } }), 100],
  ['billing.reconcile_grace_ms', (v) => ({ billing: { reconcile_grace_ms: v } }), 0],
  ['usage.flush_interval_ms', (v) => ({ usage: { flush_interval_ms: v } }), 1],
  ['status.window_ms', (v) => ({ status: { window_ms: v } }), 10],
  ['status.evaluate_interval_ms', (v) => ({ status: { evaluate_interval_ms: v } }), 10],
  ['status.first_byte.slow_ms', (v) => ({ status: { first_byte: { slow_ms: v } } }), 1],
  ['status.probes.interval_ms', (v) => ({ status: { probes: { interval_ms: v } } }), 100],
  ['status.probes.timeout_ms', (v) => ({ status: { probes: { timeout_ms: v } } }), 10],
  ['smtp.timeout_ms', (v) => ({ smtp: { timeout_ms: v } }), 100],
  ['models[0].admission.max_wait_ms', (v) => ({ models: [{ name: 'm', admission: { max_wait_ms: v } }] }), 1],
  ['models[0].breaker.open_ms', (v) => ({ models: [{ name: 'm', breaker: { open_ms: v } }] }), 1],
  ['models[0].deployments[0].timeouts.connect_ms', (v) => upstream({ connect_ms: v }), 1],
  ['models[0].deployments[0].timeouts.first_byte_ms', (v) => upstream({ first_byte_ms: v }), 1],
  ['models[0].deployments[0].timeouts.idle_ms', (v) => upstream({ idle_ms: v }), 1],
  ['models[0].deployments[0].timeouts.total_ms', (v) => upstream({ total_ms: v }), 1],
];

describe('a *_ms key longer than a timer can wait', () => {
  it.each(KEYS)('%s is refused past 2147483647, naming the key and the maximum', (path, doc, min) => {
    expect(problems(doc(MAX + 1))).toEqual([`${path}: expected an integer >= ${min} and <= ${MAX} ${NOTE}, got ${MAX + 1}`]);
    expect(problems(doc(30 * 86_400_000))).toHaveLength(1); // 30 days
    expect(problems(doc(MAX))).toEqual([]);
  });

  it("a simulated model's ttft_ms too (a fraction of a millisecond is allowed there)", () => {
    expect(problems({ models: [{ name: 'm', simulator: { ttft_ms: MAX + 1 } }] })).toEqual([`models[0].simulator.ttft_ms: expected a number >= 0 and <= ${MAX} ${NOTE}, got ${MAX + 1}`]);
    expect(problems({ models: [{ name: 'm', simulator: { ttft_ms: 0.5 } }] })).toEqual([]);
  });

  it('the list above is every *_ms key of the configuration', () => {
    const found: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v)) for (const x of v) walk(x, `${path.slice(0, -1)}[0].`);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k.endsWith('_ms')) found.push(`${path}${k}`);
          else walk(x, `${path}${k}.`);
        }
    };
    const c = parseConfig(
      { ...upstream({}), smtp: { url: 'smtp://127.0.0.1:25', from: 'a@b.test' }, models: [{ ...upstream({}).models[0], admission: {} }, { name: 's' }] },
      { TOLLGATE_ADMIN_KEY: 'x', TOLLGATE_SECRET: 'y' },
    );
    walk(c, '');
    const listed = new Set([...KEYS.map(([p]) => p), 'models[0].simulator.ttft_ms']);
    expect([...new Set(found)].filter((p) => !listed.has(p))).toEqual([]);
  });
});

describe("a wait longer than one timer, computed by the gateway", () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  it("a simulated model producing a token every 30 days does not stream its answer at once", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      gw = await startTestGateway({ models: [{ name: 'glacial', simulator: { tokens_per_second: 1 / (30 * 86_400) } }] });
      const ac = new AbortController();
      const res = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'glacial', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
        signal: ac.signal,
      });
      expect(res.status).toBe(200);
      let text = '';
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const deadline = Date.now() + 500;
      while (Date.now() < deadline) {
        const next = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(r, deadline - Date.now()))]);
        if (!next || next.done) break;
        text += decoder.decode(next.value);
      }
      ac.abort();
      // The role chunk comes with the first byte; no content, and no [DONE], within half a second.
      expect(text).toContain('"role":"assistant"');
      expect(text).not.toMatch(/"content":"[^"]/);
      expect(text).not.toContain('[DONE]');
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
