/**
 * During a Redis outage the log gets the state changes and counts, not one line per request (the
 * drill logged 3,309 error lines): one error when it starts, a summary per interval while it
 * lasts, one line when it ends with how long it lasted and how many requests failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { OutageLog } from '../../src/outage-log.js';
import { captureLog as capture } from '../support/log-capture.js';
import { gatewayOnProxiedRedis, type GatewayOnProxiedRedis } from '../support/stalled-redis.js';

describe('OutageLog', () => {
  it('logs the start, a summary per interval with the count, and the end with the total', async () => {
    const clock = new FakeClock();
    const { lines, log } = capture();
    const o = new OutageLog(log, 'redis', clock, 60_000);
    o.ok(); // nothing to say while all is well
    for (let i = 0; i < 1000; i++) {
      o.failed(new Error('Command timed out'));
      await clock.advance(100); // 1000 failures over 100 s
    }
    o.ok();
    o.ok();
    expect(lines.map((l) => l.msg)).toEqual(['redis unavailable: requests that need it get 503 until it is back', 'redis still unavailable', 'redis available again']);
    expect(lines[1]).toMatchObject({ dependency: 'redis', failed_requests: 600, down_ms: 60_000 });
    expect(lines[2]).toMatchObject({ dependency: 'redis', failed_requests: 1000, down_ms: 100_000 });
    // A new outage starts over.
    o.failed(new Error('again'));
    expect(lines).toHaveLength(4);
    expect(lines[3]!.msg).toBe('redis unavailable: requests that need it get 503 until it is back');
  });
});

describe('a gateway during a Redis outage', () => {
  let t: GatewayOnProxiedRedis;
  beforeAll(async () => {
    t = await gatewayOnProxiedRedis(500);
  });
  afterAll(() => t?.close());

  const chat = () => t.chat();
  const entries = () =>
    t.gw
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; failed_requests?: number; level: number })
      .filter((l) => /redis|counter/.test(l.msg));

  it('60 refused requests make one error line, and the recovery one line with the count', async () => {
    expect((await chat()).status).toBe(200);
    const before = entries().length;
    t.proxy.stall();
    const replies = await Promise.all(Array.from({ length: 60 }, () => chat()));
    expect(replies.map((r) => r.status).filter((s) => s === 503)).toHaveLength(60);
    const during = entries().slice(before);
    // One line for the outage, not one per request (a settlement still retrying in the background
    // may add its own one line).
    expect(during.filter((l) => l.msg === 'redis (rate limits and spend counters) unavailable: requests that need it get 503 until it is back')).toHaveLength(1);
    expect(during.length).toBeLessThanOrEqual(3);

    t.proxy.restore();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await chat()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const after = entries().slice(before);
    const back = after.find((l) => l.msg === 'redis (rate limits and spend counters) available again');
    expect(back?.failed_requests).toBeGreaterThanOrEqual(60);
    expect(after.filter((l) => l.level >= 50)).toHaveLength(1); // one error-level line in all
    expect(after.length).toBeLessThanOrEqual(6);
  });
});
