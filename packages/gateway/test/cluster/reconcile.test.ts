/**
 * Issue 11, defect 4 (drill scaled down): two gateway processes on one PostgreSQL and one Redis;
 * one is killed (-9) with slow streams in flight. Their reservations are charged in full when the
 * lease runs out, yet those requests never reach the ledger (no answer was ever completed). The
 * periodic reconciliation must bring the spend counter back to the ledger, to the unit, and
 * /metrics must report the drift (0 once converged).
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spendKey as counterSpendKey } from '../../src/limits/redis-scripts.js';
import { spendTarget } from '../../src/billing/period.js';
import { CLUSTER_HOOK_MS, REDIS_URL, requireBuild, startCluster, type Cluster } from './cluster.js';
import { chat, tally, waitUntil } from '../resilience/drill.js';

const PRICING = { input_per_1m: 0.15, output_per_1m: 0.6 };
const MODELS = [
  { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: PRICING },
  { name: 'sim-slow', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: PRICING, simulator: { tokens_per_second: 5, max_concurrency: 64, max_queue: 64 } },
];
const IN_FLIGHT = 5;

let cluster: Cluster;
let redis: Redis;

beforeAll(async () => {
  requireBuild();
  cluster = await startCluster({
    instances: 2,
    config: {
      models: MODELS,
      default_tier: 'unlimited',
      usage: { flush_interval_ms: 50 },
      billing: { reservation_lease_ms: 1000, reconcile_interval_ms: 200, reconcile_grace_ms: 0 },
    },
  });
  redis = new Redis(REDIS_URL);
}, CLUSTER_HOOK_MS);
afterAll(async () => {
  redis?.disconnect();
  await cluster?.close();
});

async function ledgerPico(orgId: string): Promise<number> {
  const schema = new URL(cluster.databaseUrl).searchParams.get('schema')!;
  const c = new pg.Client({ connectionString: cluster.databaseUrl.replace(/\?.*$/, '') });
  await c.connect();
  try {
    const r = await c.query(`SELECT COALESCE(SUM(cost_pico), 0) AS s FROM "${schema}".usage_events WHERE org_id = $1`, [orgId]);
    return Number(r.rows[0].s);
  } finally {
    await c.end();
  }
}

it('converges the spend counter to the ledger after an instance dies holding reservations', async () => {
  const t = await cluster.newTenant('reconcile-org');
  expect((await cluster.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 100 })).status).toBe(200);
  const key = counterSpendKey(cluster.redisPrefix!, t.orgId, spendTarget(t.orgId, Date.now()).key);
  const counter = async () => {
    const [s, r] = await redis.hmget(key, 's', 'r');
    return { spent: Number(s ?? 0), reserved: Number(r ?? 0) };
  };

  const small = { model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 };
  const done = await Promise.all(Array.from({ length: 6 }, () => chat(cluster.instances[0]!.baseURL, t.apiKey, small)));
  expect(tally(done)).toEqual({ '200': 6 });

  // Slow streams on instance 1, held in Redis when it dies.
  const slow = { model: 'sim-slow', messages: [{ role: 'user', content: 'Tell me everything' }], max_tokens: 400, stream: true };
  const cut = Array.from({ length: IN_FLIGHT }, () => chat(cluster.instances[1]!.baseURL, t.apiKey, slow).catch(() => 'cut' as const));
  const recordsKey = `${cluster.redisPrefix}{${t.orgId}}:res`;
  await waitUntil('the streams to hold reservations', async () => (await redis.hlen(recordsKey)) === IN_FLIGHT);
  const held = await counter();
  expect(await cluster.kill(1)).toBe('SIGKILL');
  const outcomes = await Promise.all(cut);
  expect(outcomes.filter((o) => o === 'cut').length).toBe(IN_FLIGHT);

  // The leases run out and are swept (charged in full); the reconciliation then takes back what
  // never reached the ledger.
  let ledger = 0;
  await waitUntil('counter == ledger', async () => {
    ledger = await ledgerPico(t.orgId);
    const c = await counter();
    return c.reserved === 0 && c.spent === ledger;
  }, 20_000);
  console.log('drill 4: sent', 6 + IN_FLIGHT, 'completed 6, cut by kill -9', IN_FLIGHT, '; held before kill', held, '; ledger', ledger, 'counter', await counter(), 'difference', (await counter()).spent - ledger);
  expect(ledger).toBeGreaterThan(0);

  const metrics = await (await fetch(`${cluster.instances[0]!.url}/metrics`)).text();
  await waitUntil('drift gauge 0', async () => /^tollgate_spend_counter_drift_micros 0$/m.test(await (await fetch(`${cluster.instances[0]!.url}/metrics`)).text()));
  expect(metrics).toMatch(/^tollgate_spend_reconcile_corrected \d+$/m);

  // Service goes on, and the counter keeps matching.
  expect((await chat(cluster.instances[0]!.baseURL, t.apiKey, small)).status).toBe(200);
  await waitUntil('counter == ledger again', async () => (await counter()).spent === (await ledgerPico(t.orgId)) && (await counter()).reserved === 0);
}, 90_000);
