/**
 * Issue 11, defect 2 (drill scaled down): slow requests in flight, Redis stopped (SIGSTOP) until
 * every one of them has finished. The answers must not depend on the counters' settlement: every
 * JSON request gets its 200, every stream ends with [DONE], every one is in the ledger; when Redis
 * is back the background settlements land and the spend counter equals the ledger to the unit.
 */
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordsKey } from '../../src/limits/redis-scripts.js';
import { acceptanceModels } from '../acceptance/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { chat, counterSpend, ledgerSpend, tally, waitUntil, type Ended } from './drill.js';
import { Redis } from 'ioredis';

let redis: OwnRedis;
let gw: TestGateway;
let probe: Redis;
const prefix = `drill2:${randomUUID()}:`;

beforeAll(async () => {
  redis = await startOwnRedis();
  probe = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
  await probe.connect();
  gw = await startTestGateway({ models: acceptanceModels({ tokens_per_second: 40 }), usage: { flush_interval_ms: 20 }, redis: { url: redis.url, key_prefix: prefix } });
});
afterAll(async () => {
  redis?.resume();
  await gw?.close();
  probe?.disconnect();
  await redis?.stop();
});

it('answers and records every request that was in flight while Redis stopped, and settles them after', async () => {
  // A hard limit, so that spend is reserved and settled like in production.
  expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: 100 })).status).toBe(200);
  const body = { model: 'sim-slow', messages: [{ role: 'user', content: 'Tell me a long story' }], max_tokens: 40 };

  const inFlight: Promise<Ended>[] = [];
  for (let i = 0; i < 6; i++) {
    inFlight.push(chat(gw.baseURL, gw.apiKey, body));
    inFlight.push(chat(gw.baseURL, gw.apiKey, { ...body, stream: true }));
  }
  // All 12 hold a reservation in Redis before it stops.
  await waitUntil('12 reservations', async () => (await probe.hlen(recordsKey(prefix, gw.orgId))) === 12);
  redis.pause();
  const ended = await Promise.all(inFlight); // finishes while Redis is still stopped
  console.log('drill 2: sent 12 (6 JSON, 6 streams), outcomes', tally(ended));
  for (const e of ended) expect(e).toEqual(expect.objectContaining({ status: 200, code: null }));
  expect(ended.filter((e) => e.done).length).toBe(6);
  expect(gw.gateway.services.settlements.stats().pending).toBe(12);

  // Every request is in the ledger although the counters never answered.
  const ledger = await ledgerSpend(gw.gateway, gw.orgId);
  expect(ledger.requests).toBe(12);

  redis.resume();
  await gw.gateway.services.settlements.idle();
  expect(gw.gateway.services.settlements.stats()).toMatchObject({ pending: 0, settled: 12, abandoned: 0 });
  const counter = await counterSpend(gw.gateway, gw.orgId);
  console.log('drill 2: ledger', ledger, 'counter', counter, 'difference', counter.spent - ledger.pico);
  expect(counter).toEqual({ spent: ledger.pico, reserved: 0n });

  // And the service is whole again, through the official SDK.
  const client = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
  const r = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
  expect(r.choices[0]!.message.content).toBeTruthy();
}, 60_000);
