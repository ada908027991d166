/**
 * The status page during a Redis outage, with a Redis of the test's own that it stops: every
 * request fails with 503 store_unavailable, and the page must say so while Redis is still down
 * (each instance evaluates from its own unflushed signals), not only once the counts are flushed
 * after it is back. After the outage the counts are flushed once, and the incident resolves by
 * the normal rules. Also: a flush Redis applies after the client gave up on it is not counted
 * twice when it is resent.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { RedisSignalBackend, SignalWindow } from '../../src/status/signals.js';
import { waitUntil } from '../resilience/drill.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { LIVE_STATUS } from './helpers.js';

const WINDOW_MS = LIVE_STATUS.window_ms;
const TICK_MS = LIVE_STATUS.evaluate_interval_ms;

/** The sums of every signal bucket Redis holds for `key`, whatever its bucket. */
async function redisTotals(url: string, prefix: string, key: string): Promise<{ total: number; failed: number }> {
  const r = new Redis(url);
  try {
    const out = { total: 0, failed: 0 };
    for (const k of await r.keys(`${prefix}{status}:sig:${key}:*`)) {
      const h = await r.hgetall(k);
      out.total += Number(h.total ?? 0);
      out.failed += Number(h.failed ?? 0);
    }
    return out;
  } finally {
    r.disconnect();
  }
}

describe('the status page while Redis is down', () => {
  // At the real time: the counters read Redis's clock for their periods (see detection.test.ts).
  const clock = new FakeClock(Date.now());
  const prefix = `tgtest:status-outage:${randomUUID()}:`;
  let redis: OwnRedis;
  let gw: TestGateway;

  beforeAll(async () => {
    redis = await startOwnRedis();
    gw = await startTestGateway(
      {
        redis: { url: redis.url, key_prefix: prefix },
        status: LIVE_STATUS,
      },
      { clock, statusAutoTick: false },
    );
  }, 30_000);

  afterAll(async () => {
    let closed = false;
    const closing = (gw?.close() ?? Promise.resolve()).finally(() => (closed = true));
    for (let i = 0; i < 200 && !closed; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await clock.advance(1000);
    }
    await closing;
    await redis?.stop();
  });

  const chat = async () => {
    const r = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }),
    });
    const body = (await r.json()) as { error?: { code: string } };
    return `${r.status}${body.error ? ` ${body.error.code}` : ''}`;
  };
  const round = async () => {
    const out: string[] = [];
    for (let i = 0; i < 10; i++) out.push(await chat());
    return out;
  };
  const tick = async () => {
    await clock.advance(TICK_MS);
    await gw.gateway.services.status.tick();
  };
  const summary = async () => (await (await fetch(`${gw.url}/api/v2/summary.json`)).json()) as any;
  const incidents = async () => ((await (await fetch(`${gw.url}/api/v2/incidents.json`)).json()) as any).incidents;
  const api = (s: any) => s.components.find((c: any) => c.name === 'Public API').status;
  const redisReachable = async () => (await gw.gateway.services.readinessChecks.redis!().catch(() => false)) === true;

  it('turns the page and opens one incident during the outage; resolves it after, counting each failure once', async () => {
    // Healthy, and everything flushed.
    expect(new Set(await round())).toEqual(new Set(['200']));
    await tick();
    await tick();
    expect(api(await summary())).toBe('operational');

    await redis.stop();
    await waitUntil('the gateway to notice Redis is gone', async () => !(await redisReachable()));
    let failures = 0;
    let openedAfter: number | undefined;
    for (let r = 1; r <= 5; r++) {
      const answers = await round();
      expect(new Set(answers)).toEqual(new Set(['503 store_unavailable']));
      failures += answers.length;
      await tick();
      const s = await summary();
      if (openedAfter === undefined && s.incidents.length > 0) openedAfter = r;
      if (openedAfter !== undefined) {
        // Redis is still down: the page says so, with one incident however many ticks go by.
        expect(api(s)).toBe('major_outage');
        expect(s.status.indicator).not.toBe('none');
        expect(s.incidents).toHaveLength(1);
        expect(s.incidents[0].name).toBe('Elevated error rate on Public API');
        expect(s.incidents[0].status).toBe('investigating');
        expect(s.incidents[0].incident_updates).toHaveLength(1);
        expect(s.incidents[0].incident_updates[0].body).toMatch(/^We are investigating a major outage on Public API: 100% of requests failed \((\d+) of \1\) over the last 10 s\.$/);
      }
    }
    // Two evaluations of hysteresis: the incident opens on the second tick of the outage.
    expect(openedAfter).toBe(2);
    expect(failures).toBe(50);

    await redis.restart();
    await waitUntil('the gateway to reach Redis again', redisReachable);
    // Requests succeed again (an emptied Redis is rebuilt from the ledger first: refusals until then count too).
    await waitUntil('requests to succeed', async () => {
      const answer = await chat();
      if (answer === '200') return true;
      expect(answer).toBe('503 store_unavailable');
      failures++;
      return false;
    });
    await tick();
    // The outage's counts were flushed once, in the buckets they were counted in.
    expect((await redisTotals(redis.url, prefix, 'api')).failed).toBe(failures);
    let resolvedAfter: number | undefined;
    for (let r = 1; r <= 10 && resolvedAfter === undefined; r++) {
      expect(new Set(await round())).toEqual(new Set(['200']));
      await tick();
      if ((await summary()).incidents.length === 0) resolvedAfter = r;
    }
    expect(resolvedAfter).toBeDefined();
    const s = await summary();
    expect(api(s)).toBe('operational');
    expect(s.status.indicator).toBe('none');
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0].status).toBe('resolved');
    expect(all[0].incident_updates[0].body).toMatch(/^Public API has recovered and is operating normally/);
    // No figure counts a failure twice: none names more failures than requests failed.
    for (const u of all[0].incident_updates) {
      for (const [, failed, total] of (u.body as string).matchAll(/(\d+) of (\d+)/g)) {
        expect(Number(failed)).toBeLessThanOrEqual(failures);
        expect(Number(failed)).toBeLessThanOrEqual(Number(total));
      }
    }
  }, 90_000);

  it('a flush Redis applies after the client timed out is counted once when it is resent', async () => {
    const fake = new FakeClock(Date.now());
    const client = new Redis(redis.url, { commandTimeout: 300, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    const ownPrefix = `tgtest:status-flush:${randomUUID()}:`;
    try {
      await waitUntil('a connection', () => client.status === 'ready');
      const w = new SignalWindow(new RedisSignalBackend(client, ownPrefix), () => fake.now(), WINDOW_MS);
      // A first flush loads the script, so the next is one EVALSHA the stalled server runs later.
      w.add('api', { total: 1 });
      await w.flush();
      w.add('api', { total: 4, failed: 4 });
      redis.pause();
      await expect(w.flush()).rejects.toThrow();
      redis.resume();
      await waitUntil('the stalled batch to be applied', async () => (await redisTotals(redis.url, ownPrefix, 'api')).failed === 4);
      // Meanwhile counted: sent after the batch whose outcome was unknown, which Redis skips.
      w.add('api', { total: 1 });
      await w.flush();
      await w.flush();
      expect(await redisTotals(redis.url, ownPrefix, 'api')).toEqual({ total: 6, failed: 4 });
      expect((await w.read(['api'])).get('api')).toMatchObject({ total: 6, failed: 4 });
      expect(w.readLocal(['api']).get('api')).toMatchObject({ total: 0, failed: 0 });
    } finally {
      client.disconnect();
    }
  }, 30_000);
});
