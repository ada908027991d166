/**
 * Issue 11, defect 5 (drill scaled down): a gateway on PostgreSQL behind a TCP proxy the test
 * controls. With a warm key, PostgreSQL is stalled, then cut, with the caches' TTLs passed (the
 * injected clock jumps): requests keep being answered from the last loaded state, without waiting
 * on the database (its query timeout is set to 30 s here, so any wait would show); the admin API
 * answers 503, not 500; past the staleness bound requests get a fast retryable 503, never a 500;
 * when the database returns the ledger catches up and nothing answered is missing from it.
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock, type Clock } from 'tollgate';
import { acceptanceModels } from '../acceptance/helpers.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { TEST_PG_URL } from '../support/services.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { postgresSchema, type TestDatabase } from '../support/databases.js';
import { chat, counterSpend, ledgerSpend, tally, waitUntil, type Ended } from './drill.js';

/** Real time plus a jump the test controls: TTLs and staleness pass without waiting for them. */
class JumpingClock implements Clock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}

const MAX_STALE_MS = 120_000;
const clock = new JumpingClock();
const pg = new URL(TEST_PG_URL);
const proxy = new TcpProxy(Number(pg.port || 5432), pg.hostname || '127.0.0.1');
let db: TestDatabase;
let gw: TestGateway;

beforeAll(async () => {
  await proxy.listen();
  db = postgresSchema('tg_drill5');
  const url = new URL(db.url);
  url.host = `127.0.0.1:${proxy.port}`;
  gw = await startTestGateway(
    {
      models: acceptanceModels(),
      database: { url: url.toString(), query_timeout_ms: 30_000, max_stale_ms: MAX_STALE_MS },
      usage: { flush_interval_ms: 20 },
    },
    { clock },
  );
}, 60_000);
afterAll(async () => {
  proxy.restore();
  await gw?.close();
  await proxy.close();
  await db?.drop();
});

const BODY = { model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 };
/** Each request must answer within 10 s: a request that waited on the 30 s query timeout fails. */
const burst = (n: number): Promise<Ended[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => chat(gw.baseURL, gw.apiKey, { ...BODY, ...(i % 3 === 0 ? { stream: true } : {}) }).catch(() => ({ status: 0, code: 'no answer in 10 s' }))));

it('serves warm keys through a stalled and a cut database, 503 past the bound, never 500, and catches up after', async () => {
  expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: 100 })).status).toBe(200);
  const warm = await burst(3);
  expect(tally(warm)).toEqual({ '200': 3 });

  // Stalled, with every cache past its TTL (auth 60 s, spend limits 30 s).
  proxy.stall();
  clock.offset += 61_000;
  const stalled = await burst(30);
  console.log('drill 5: database stalled, 30 sent:', tally(stalled));
  expect(tally(stalled)).toEqual({ '200': 30 });

  // Cut: the same, and the admin API says 503.
  proxy.cut();
  clock.offset += 30_000;
  const cut = await burst(30);
  console.log('drill 5: database cut, 30 sent:', tally(cut));
  expect(tally(cut)).toEqual({ '200': 30 });
  // Still ready: the database is reported, but an instance serving from what it loaded stays in the
  // load balancer (every instance shares the outage: taking them all out only trades 503s for refused connections).
  const ready = await fetch(`${gw.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: 'failing' } });
  const admin = await gw.admin('GET', '/admin/v1/organizations');
  expect(admin.status).toBe(503);
  expect(admin.body.error.code).toBe('store_unavailable');
  expect(admin.body.error.message).toBe('The server could not reach its database to check your request, please try again later.');
  const sdk = new OpenAI({ baseURL: gw.baseURL, apiKey: gw.apiKey, maxRetries: 0 });
  expect((await sdk.chat.completions.create({ ...BODY, messages: [{ role: 'user', content: 'hi' }] })).object).toBe('chat.completion');

  // Past the staleness bound: a retryable 503, never a 500.
  clock.offset += MAX_STALE_MS;
  const beyond = await burst(20);
  console.log('drill 5: database cut past max_stale_ms, 20 sent:', tally(beyond));
  expect(tally(beyond)).toEqual({ '503 store_unavailable': 20 });
  await expect(sdk.chat.completions.create({ ...BODY, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 503, code: 'store_unavailable', error: { message: expect.stringContaining('could not reach its database') } });

  // The database returns: the ledger catches up (backoff capped at 1 s) and service resumes.
  const answered = [...warm, ...stalled, ...cut].filter((e) => e.status === 200).length + 1;
  expect(gw.gateway.services.ledger.pending()).toBeGreaterThan(0);
  proxy.restore();
  const t0 = Date.now();
  await waitUntil('the ledger to catch up', () => gw.gateway.services.ledger.pending() === 0, 20_000);
  console.log(`drill 5: ledger caught up ${Date.now() - t0} ms after the database returned`);
  const ledger = await ledgerSpend(gw.gateway, gw.orgId);
  expect(ledger.requests).toBe(answered);
  const after = await burst(5);
  expect(tally(after)).toEqual({ '200': 5 });
  await gw.gateway.services.settlements.idle();
  const final = await ledgerSpend(gw.gateway, gw.orgId);
  const counter = await counterSpend(gw.gateway, gw.orgId);
  console.log('drill 5: answered', final.requests, 'in ledger; counter', counter, 'ledger', final.pico, 'difference', counter.spent - final.pico);
  expect(counter).toEqual({ spent: final.pico, reserved: 0n });
}, 120_000);

it('gives a key never seen before a fast 503 while the database is cut, not a 500', async () => {
  const t = await gw.newTenant(`cold-${randomBytes(3).toString('hex')}`);
  proxy.cut();
  try {
    const r = await Promise.all(Array.from({ length: 5 }, () => chat(gw.baseURL, t.apiKey, BODY)));
    expect(tally(r)).toEqual({ '503 store_unavailable': 5 });
  } finally {
    proxy.restore();
  }
}, 60_000);
