/**
 * During a Redis outage the log gets the state changes and counts, not one line per request (the
 * drill logged 3,309 error lines): one error when it starts, a summary per interval while it
 * lasts, one line when it ends with how long it lasted and how many requests failed.
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { OutageLog } from '../../src/outage-log.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { TEST_REDIS, TEST_REDIS_URL } from '../support/services.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _e, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, log: pino({ level: 'info' }, sink) };
}

describe('OutageLog', () => {
  it('logs the start, a summary per interval with the count, and the end with the total', () => {
    const clock = new FakeClock();
    const { lines, log } = capture();
    const o = new OutageLog(log, 'redis', clock, 60_000);
    o.ok(); // nothing to say while all is well
    for (let i = 0; i < 1000; i++) {
      o.failed(new Error('Command timed out'));
      clock.advance(100); // 1000 failures over 100 s
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

/** Forwards to the test Redis; frozen, it holds every byte (a stalled Redis). */
class FreezableProxy {
  frozen = false;
  private held: Array<() => void> = [];
  private server: Server;
  private sockets = new Set<Socket>();
  port = 0;
  constructor() {
    this.server = createServer((client) => {
      const upstream = connect(TEST_REDIS.port, TEST_REDIS.host);
      this.sockets.add(client).add(upstream);
      const relay = (to: Socket) => (d: Buffer) => {
        if (this.frozen) this.held.push(() => to.write(d));
        else to.write(d);
      };
      client.on('data', relay(upstream));
      upstream.on('data', relay(client));
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
  }
  thaw(): void {
    this.frozen = false;
    for (const send of this.held.splice(0)) send();
  }
  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(0, '127.0.0.1', () => ((this.port = (this.server.address() as { port: number }).port), r())));
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('a gateway during a Redis outage', () => {
  const proxy = new FreezableProxy();
  let redis: Redis;
  let gw: TestGateway;
  const prefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    await proxy.listen();
    redis = new Redis({ port: proxy.port, host: '127.0.0.1', commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
    gw = await startTestGateway({ redis: { url: `redis://127.0.0.1:${proxy.port}`, key_prefix: prefix }, default_tier: 'free' }, { redis });
  });
  afterAll(async () => {
    await gw?.close();
    redis?.disconnect();
    await proxy.close();
    const clean = new Redis(TEST_REDIS_URL);
    const keys = await clean.keys(`${prefix}*`);
    if (keys.length) await clean.del(...keys);
    clean.disconnect();
  });

  const chat = () =>
    fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
      signal: AbortSignal.timeout(15_000),
    });
  const entries = () =>
    gw
      .logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; failed_requests?: number; level: number })
      .filter((l) => /redis|counter/.test(l.msg));

  it('60 refused requests make one error line, and the recovery one line with the count', async () => {
    expect((await chat()).status).toBe(200);
    const before = entries().length;
    proxy.frozen = true;
    const replies = await Promise.all(Array.from({ length: 60 }, () => chat()));
    expect(replies.map((r) => r.status).filter((s) => s === 503)).toHaveLength(60);
    const during = entries().slice(before);
    // One line for the outage, not one per request (a settlement still retrying in the background
    // may add its own one line).
    expect(during.filter((l) => l.msg === 'redis (rate limits and spend counters) unavailable: requests that need it get 503 until it is back')).toHaveLength(1);
    expect(during.length).toBeLessThanOrEqual(3);

    proxy.thaw();
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
