/**
 * A Redis that stops answering must not hang the gateway (gateway-lessons: "Redis trouble takes
 * the proxy down"). The counters fail closed within the command timeout: a retryable 503
 * `store_unavailable`, never a hang and never an unmetered admission; health stays green, readiness
 * reports the failing dependency, and service resumes when Redis answers again.
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { TEST_REDIS, TEST_REDIS_URL } from '../support/services.js';

/**
 * Forwards to the real Redis; frozen, it holds every byte (as a stalled server or link would:
 * TCP never drops data silently) and delivers them in order when thawed.
 */
class FreezableProxy {
  private isFrozen = false;
  private held: Array<() => void> = [];
  private server: Server;
  private sockets = new Set<Socket>();
  port = 0;
  get frozen(): boolean {
    return this.isFrozen;
  }
  set frozen(v: boolean) {
    this.isFrozen = v;
    if (!v) for (const send of this.held.splice(0)) send();
  }
  constructor() {
    this.server = createServer((client) => {
      const upstream = connect(TEST_REDIS.port, TEST_REDIS.host);
      this.sockets.add(client).add(upstream);
      const relay = (to: Socket) => (d: Buffer) => {
        if (this.isFrozen) this.held.push(() => to.write(d));
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
  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(0, '127.0.0.1', () => ((this.port = (this.server.address() as { port: number }).port), r())));
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const proxy = new FreezableProxy();
let redis: Redis;
let gw: TestGateway;
const prefix = `test:${randomUUID()}:`;

beforeAll(async () => {
  await proxy.listen();
  redis = new Redis({ port: proxy.port, host: '127.0.0.1', commandTimeout: 1000, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
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

it('answers 503 store_unavailable (retryable) while Redis is silent, and recovers after', async () => {
  expect((await chat()).status).toBe(200);

  proxy.frozen = true;
  const replies = await Promise.all(Array.from({ length: 10 }, () => chat()));
  for (const r of replies) {
    expect(r.status).toBe(503);
    expect(r.headers.get('x-should-retry')).not.toBe('false');
    // Retryable, but with no fixed hint: the gateway cannot know when Redis is back (clients back off).
    expect(r.headers.get('retry-after')).toBeNull();
    expect(r.headers.get('retry-after-ms')).toBeNull();
    const body = await r.json();
    expect(body.error).toMatchObject({ type: 'service_unavailable_error', code: 'store_unavailable' });
  }
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${gw.url}/readyz`);
  expect(ready.status).toBe(503);
  expect((await ready.json()).checks.redis).toBe('failing');

  proxy.frozen = false;
  // The client reconnects on its own; give it a moment, then traffic flows again.
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await chat()).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(200);
});
