/**
 * Detection from live traffic through two gateway instances sharing Redis and PostgreSQL, on a
 * fake clock: a 60% fault rate on one simulated model takes its component out of `operational`
 * and opens an incident within the configured window; removing the faults resolves both; caller
 * errors (400, 401, 429 rate limits) at any rate never change a component's status.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { postgresSchema, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { deleteRedisKeys, redisPrefix, TEST_REDIS_URL } from '../support/services.js';
import { LIVE_STATUS } from './helpers.js';
const WINDOW_MS = LIVE_STATUS.window_ms;
const TICK_MS = LIVE_STATUS.evaluate_interval_ms;

describe('status detection across two instances', () => {
  // Starts at the real time: the Redis counters read Redis's own clock for their periods, so a
  // fake clock in another month would find no counter state. The test moves it by about a minute.
  const clock = new FakeClock(Date.now());
  const prefix = redisPrefix('tgtest:status');
  let db: TestDatabase;
  let a: TestGateway;
  let b: TestGateway;
  let redisA: Redis;
  let redisB: Redis;
  let limited: { apiKey: string };

  beforeAll(async () => {
    db = postgresSchema('tg_status');
    const doc = {
      tiers: { unlimited: { '*': {} }, tiny: { '*': { max_requests_per_1_minute: 1 } } },
      status: LIVE_STATUS,
    };
    redisA = new Redis(TEST_REDIS_URL);
    redisB = new Redis(TEST_REDIS_URL);
    // Two instances on one database and one counter prefix.
    a = await startTestGateway(doc, { clock, database: db, redisPrefix: prefix, redis: redisA, statusAutoTick: false });
    b = await startTestGateway(doc, { clock, database: db, redisPrefix: prefix, redis: redisB, statusAutoTick: false });
    limited = await a.newTenant('limited', { tier: 'tiny' });
  }, 30_000);

  afterAll(async () => {
    // Background work (settlement retries) sleeps on the fake clock: keep it moving while closing.
    let closed = false;
    const closing = Promise.all([a?.close(), b?.close()]).finally(() => (closed = true));
    for (let i = 0; i < 200 && !closed; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await clock.advance(1000);
    }
    await closing;
    await deleteRedisKeys(prefix);
    redisA.disconnect();
    redisB.disconnect();
    await db?.drop();
  });

  const chat = (g: TestGateway, model: string, opts: { fault?: string; key?: string; body?: unknown } = {}) =>
    fetch(`${g.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.key ?? g.apiKey}`, 'content-type': 'application/json', ...(opts.fault ? { 'x-tollgate-fault': opts.fault } : {}) },
      body: JSON.stringify(opts.body ?? { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
    });

  /** Ten requests to sim-large spread over both instances, `failing` of them with a simulator fault. */
  async function steadyTraffic(failing: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await chat(i % 2 ? b : a, 'sim-large', i < failing ? { fault: i % 4 === 0 ? 'engine_overloaded' : 'server_error' } : {});
      await r.text();
      statuses.push(r.status);
    }
    return statuses;
  }

  /** Caller errors on sim-small, far above any threshold: bad bodies, bad keys, rate limits. */
  async function callerErrors(): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const g = i % 2 ? b : a;
      for (const r of await Promise.all([
        chat(g, 'sim-small', { body: { model: 'sim-small', messages: 'not a list' } }),
        chat(g, 'sim-small', { key: 'sk-proj-not-a-real-key-000000000000000000' }),
        chat(g, 'sim-small', { key: limited.apiKey }),
        chat(g, 'sim-large', { key: limited.apiKey }),
      ])) {
        await r.text();
        statuses.push(r.status);
      }
    }
    return statuses;
  }

  async function tick(): Promise<void> {
    await clock.advance(TICK_MS);
    await Promise.all([a.gateway.services.status.tick(), b.gateway.services.status.tick()]);
    // The instance that did not lead refreshes its view after the leader wrote.
    await Promise.all([a.gateway.services.status.refresh(), b.gateway.services.status.refresh()]);
  }

  const summary = async (g: TestGateway) => (await (await fetch(`${g.url}/api/v2/summary.json`)).json()) as any;
  const statusOf = (s: any, name: string) => s.components.find((c: any) => c.name === name)?.status;

  it('caller errors at any rate leave every component operational', async () => {
    for (let round = 0; round < 6; round++) {
      const statuses = await callerErrors();
      expect(statuses.filter((s) => s !== 200 && s !== 400 && s !== 401 && s !== 429)).toEqual([]);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(18);
      await tick();
    }
    const s = await summary(b);
    expect(s.components.map((c: any) => c.status)).toEqual(s.components.map(() => 'operational'));
    expect(s.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(s.incidents).toEqual([]);
  });

  it('a 60% fault rate on sim-large opens an incident within the window; removing it resolves both', async () => {
    const start = clock.now();
    let openedAt: number | undefined;
    for (let round = 0; round < 8 && openedAt === undefined; round++) {
      const statuses = await steadyTraffic(6);
      expect(statuses.filter((s) => s >= 400)).toHaveLength(6);
      await callerErrors();
      await tick();
      const s = await summary(a);
      if (s.incidents.length > 0) openedAt = clock.now();
    }
    expect(openedAt).toBeDefined();
    expect(openedAt! - start).toBeLessThanOrEqual(WINDOW_MS);

    for (const g of [a, b]) {
      const s = await summary(g);
      expect(['partial_outage', 'major_outage']).toContain(statusOf(s, 'sim-large'));
      expect(statusOf(s, 'sim-small')).toBe('operational');
      expect(statusOf(s, 'Public API')).toBe('operational');
      expect(s.status.indicator).not.toBe('none');
      expect(s.incidents).toHaveLength(1);
      const inc = s.incidents[0];
      expect(inc.name).toBe('Elevated error rate on sim-large');
      expect(inc.status).toBe('investigating');
      expect(inc.incident_updates[0].body).toMatch(/^We are investigating a (partial|major) outage on sim-large: \d+% of requests failed \(\d+ of \d+\) over the last 10 s\.$/);
      expect(inc.components.map((c: any) => c.name)).toEqual(['sim-large']);
    }

    expect(b.gateway.services.status.openIncidentFor('sim-large')?.status).toBe('investigating');
    // /metrics shows the same: per-model outcomes and the component's status.
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toMatch(/tollgate_model_requests_total\{model="sim-large",outcome="platform_error"\} \d+/);
    expect(metrics).not.toContain('tollgate_model_requests_total{model="sim-small",outcome="platform_error"}');
    expect(metrics).toMatch(/tollgate_model_first_byte_seconds_count\{model="sim-large"\} \d+/);
    expect(metrics).toMatch(/tollgate_model_tokens_total\{model="sim-large",type="prompt"\} \d+/);
    expect(metrics).toMatch(/tollgate_component_status\{component="sim-large",status="(partial|major)_outage"\} 1/);
    expect(metrics).toContain('tollgate_component_status{component="sim-small",status="operational"} 1');
    // A platform error of the model now names the incident.
    const failed = await chat(b, 'sim-large', { fault: 'server_error' });
    await failed.text();
    const incidentId = (await summary(a)).incidents[0].id;
    expect(failed.headers.get('x-tollgate-incident')).toBe(`${incidentId}; status=investigating; url=http://gateway.test/status/incidents/${incidentId}`);
    // The caller's own errors do not.
    const bad = await chat(b, 'sim-large', { body: { model: 'sim-large', messages: 'x' } });
    await bad.text();
    expect(bad.headers.get('x-tollgate-incident')).toBeNull();

    // Faults removed: steady clean traffic until the window has no failures and hysteresis passed.
    for (let round = 0; round < 10; round++) {
      const statuses = await steadyTraffic(0);
      expect(statuses.every((s) => s === 200)).toBe(true);
      await callerErrors();
      await tick();
    }
    for (const g of [a, b]) {
      const s = await summary(g);
      expect(statusOf(s, 'sim-large')).toBe('operational');
      expect(s.status.indicator).toBe('none');
      expect(s.incidents).toEqual([]);
    }
    const all = (await (await fetch(`${a.url}/api/v2/incidents.json`)).json()) as any;
    expect(all.incidents).toHaveLength(1);
    expect(all.incidents[0].status).toBe('resolved');
    expect(all.incidents[0].resolved_at).not.toBeNull();
    expect(all.incidents[0].incident_updates[0].body).toMatch(/^sim-large has recovered and is operating normally/);
    expect(all.incidents[0].impact).toMatch(/^(major|critical)$/);
  }, 60_000);

  it('silence is not recovery: a failing model that stops getting traffic keeps its status and its incident until requests succeed again', async () => {
    for (let round = 0; round < 8 && (await summary(a)).incidents.length === 0; round++) {
      await steadyTraffic(10);
      await tick();
    }
    expect(statusOf(await summary(a), 'sim-large')).toBe('major_outage');
    // No requests for three windows (probes are off for sim-large here): nothing says it recovered.
    for (let round = 0; round < (3 * WINDOW_MS) / TICK_MS; round++) await tick();
    for (const g of [a, b]) {
      const s = await summary(g);
      expect(statusOf(s, 'sim-large')).toBe('major_outage');
      expect(s.incidents.map((i: any) => [i.name, i.status])).toEqual([['Elevated error rate on sim-large', 'investigating']]);
    }
    // The Chinese page shows the detector's incident in Chinese; the JSON above keeps the stored English.
    const zhPage = await (await fetch(`${a.url}/status?lang=zh-CN`)).text();
    expect(zhPage).toContain('sim-large 错误率升高');
    expect(zhPage).toMatch(/我们正在调查 sim-large 的严重中断：最近 10 秒内 \d+% 的请求失败（\d+ 个中 \d+ 个）。/);
    expect(zhPage).not.toContain('Elevated error rate');
    // Fewer requests than min_requests, some failing: still no sign of recovery.
    for (let i = 0; i < 3; i++) await (await chat(a, 'sim-large', i === 0 ? { fault: 'server_error' } : {})).text();
    for (let round = 0; round < 3; round++) await tick();
    expect(statusOf(await summary(a), 'sim-large')).toBe('major_outage');
    // Requests succeed again (even fewer than min_requests): it recovers and the incident is resolved.
    for (let round = 0; round < (2 * WINDOW_MS) / TICK_MS; round++) {
      await (await chat(round % 2 ? b : a, 'sim-large')).text();
      await tick();
    }
    const s = await summary(b);
    expect(statusOf(s, 'sim-large')).toBe('operational');
    expect(s.incidents).toEqual([]);
  }, 60_000);
});
