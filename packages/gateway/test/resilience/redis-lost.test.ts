/**
 * Issue 11, defect 3 (drill scaled down): an organization spends up to its hard limit, another
 * uses up its requests per day; Redis is killed (-9) and restarted empty. Spending must not
 * resume and the daily count must not reset: the gateway notices the lost counter state, rebuilds
 * both from the ledger before it admits anything, and the counter ends equal to the ledger.
 */
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { acceptanceModels } from '../acceptance/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js';
import { chat, counterSpend, ledgerSpend, tally, waitUntil, type Ended } from './drill.js';

let redis: OwnRedis;
let gw: TestGateway;
const prefix = `drill3:${randomUUID()}:`;
const RPD = 12;

beforeAll(async () => {
  redis = await startOwnRedis();
  gw = await startTestGateway({
    models: acceptanceModels(),
    usage: { flush_interval_ms: 20 },
    redis: { url: redis.url, key_prefix: prefix },
    tiers: { daily: { '*': { max_requests_per_1_day: RPD } }, unlimited: { '*': {} } },
  });
});
afterAll(async () => {
  await gw?.close();
  await redis?.stop();
});

const SPEND = { model: 'sim-large', messages: [{ role: 'user' as const, content: 'Write a poem' }], max_tokens: 50 };
const SMALL = { model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 };

it('keeps a spent budget and a used daily count closed after Redis restarts empty', async () => {
  // Organization A: a hard limit of $0.005, spent until refused.
  expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: 0.005 })).status).toBe(200);
  const before: Ended[] = [];
  for (let i = 0; i < 100; i++) {
    const e = await chat(gw.baseURL, gw.apiKey, SPEND);
    before.push(e);
    if (e.status !== 200) break;
  }
  expect(before.at(-1)).toEqual({ status: 429, code: 'insufficient_quota' });
  // Organization B: its requests per day used up.
  const b = await gw.newTenant('daily-org', { tier: 'daily' });
  const bBefore = await Promise.all(Array.from({ length: RPD + 3 }, () => chat(gw.baseURL, b.apiKey, SMALL)));
  expect(tally(bBefore)).toEqual({ '200': RPD, '429 rate_limit_exceeded': 3 });
  await gw.gateway.services.settlements.idle();
  const ledgerBefore = await ledgerSpend(gw.gateway, gw.orgId);
  console.log('drill 3: before the crash, A sent', before.length, tally(before), 'ledger', ledgerBefore, '; B', tally(bBefore));

  await redis.crashAndRestart();
  const client = gw.gateway.services.counters;
  await waitUntil('the gateway to reach the new Redis', async () => (await gw.gateway.services.readinessChecks.redis!().catch(() => false)) === true);
  expect(await client.spendOf(gw.orgId, `spend:${new Date().toISOString().slice(0, 7)}`)).toEqual({ spent: 0n, reserved: 0n });

  const after = await Promise.all(Array.from({ length: 20 }, () => chat(gw.baseURL, gw.apiKey, SPEND)));
  const bAfter = await Promise.all(Array.from({ length: 10 }, () => chat(gw.baseURL, b.apiKey, SMALL)));
  console.log('drill 3: after the restart, A sent 20', tally(after), '; B sent 10', tally(bAfter));
  for (const e of after) expect(e).toEqual({ status: 429, code: 'insufficient_quota' });
  for (const e of bAfter) expect(e).toEqual({ status: 429, code: 'rate_limit_exceeded' });

  // The SDK sees the same quota error, and does not retry it.
  const sdk = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 2 });
  await expect(sdk.chat.completions.create(SPEND)).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });

  await gw.gateway.services.settlements.idle();
  const ledger = await ledgerSpend(gw.gateway, gw.orgId);
  const counter = await counterSpend(gw.gateway, gw.orgId);
  console.log('drill 3: ledger', ledger, 'counter', counter, 'difference', counter.spent - ledger.pico);
  expect(ledger).toEqual(ledgerBefore);
  expect(counter).toEqual({ spent: ledger.pico, reserved: 0n });
  expect(gw.gateway.services.rebuilder.rebuilt).toBeGreaterThanOrEqual(2);
}, 90_000);

it('refuses with 503 store_unavailable, admitting nothing, while the state cannot be rebuilt', async () => {
  await redis.crashAndRestart();
  await waitUntil('the gateway to reach the new Redis', async () => (await gw.gateway.services.readinessChecks.redis!().catch(() => false)) === true);
  const rebuilder = gw.gateway.services.rebuilder as unknown as { run: (...a: unknown[]) => Promise<unknown> };
  const original = rebuilder.run;
  // The ledger cannot be read (as when the database is down).
  rebuilder.run = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
  try {
    const t = await gw.newTenant('fresh-org');
    const r = await Promise.all(Array.from({ length: 5 }, () => chat(gw.baseURL, t.apiKey, SMALL)));
    expect(tally(r)).toEqual({ '503 store_unavailable': 5 });
  } finally {
    rebuilder.run = original;
  }
  const probe = new Redis(redis.url);
  try {
    // Nothing was written for the refused requests: no reservation, no counters.
    expect(await probe.keys(`${prefix}{*}:res`)).toEqual([]);
  } finally {
    probe.disconnect();
  }
}, 60_000);
