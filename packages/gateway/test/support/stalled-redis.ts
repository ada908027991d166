/**
 * A test gateway whose Redis sits behind a TcpProxy, for the drills that stall Redis
 * (`proxy.stall()`: every byte held, as a hung server or link would; `proxy.restore()`: delivered
 * in order). Its own key prefix, removed again by `close()`.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startTestGateway, type TestGateway } from './gateway.js';
import { TEST_REDIS, TEST_REDIS_URL } from './services.js';
import { TcpProxy } from './tcp-proxy.js';

export interface GatewayOnProxiedRedis {
  proxy: TcpProxy;
  gw: TestGateway;
  /** A small chat completion over fetch. */
  chat(): Promise<Response>;
  close(): Promise<void>;
}

export async function gatewayOnProxiedRedis(commandTimeout: number): Promise<GatewayOnProxiedRedis> {
  const proxy = new TcpProxy(TEST_REDIS.port, TEST_REDIS.host);
  await proxy.listen();
  const prefix = `test:${randomUUID()}:`;
  const redis = new Redis({ port: proxy.port, host: '127.0.0.1', commandTimeout, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
  const gw = await startTestGateway({ redis: { url: `redis://127.0.0.1:${proxy.port}`, key_prefix: prefix }, default_tier: 'free' }, { redis });
  return {
    proxy,
    gw,
    chat: () =>
      fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
        signal: AbortSignal.timeout(15_000),
      }),
    async close() {
      await gw.close();
      redis.disconnect();
      await proxy.close();
      const clean = new Redis(TEST_REDIS_URL);
      const keys = await clean.keys(`${prefix}*`);
      if (keys.length) await clean.del(...keys);
      clean.disconnect();
    },
  };
}
