/**
 * Several instances evaluating the page at once, as they do while Redis is unreachable (each
 * alone, from its own signals) or while a lease changes hands: on one store, five monitors that
 * all believe they lead evaluate the same failing window at the same moments. One of them moves
 * the component, after as many intervals as hysteresis asks for (not evaluations), one automatic
 * incident opens (one webhook, one update), uptime is accrued once; recovery resolves that
 * incident once. Instances evaluating alone with Redis unreachable leave a component they have no
 * evidence about to those that do. On PostgreSQL (a pool per monitor, as separate
 * processes have) and on SQLite (one connection, as the monitors of one process share).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, parseConfig } from 'tollgate';
import type { RedisClient } from '../../src/redis-client.js';
import { openStore, type Store } from '../../src/store/index.js';
import { componentId } from '../../src/status/components.js';
import { StatusMonitor } from '../../src/status/monitor.js';
import type { RequestObservation } from '../../src/status/outcome.js';
import { statusDb } from '../../src/status/tables.js';
import type { StatusWebhooks } from '../../src/status/webhooks.js';
import { DIALECTS, type TestDatabase } from '../support/databases.js';
import { captureLog } from '../support/log-capture.js';

const EVERY_MS = 2_500;
const WINDOW_MS = 10_000;
const INSTANCES = 5;
const API = componentId('api');

let dbs: TestDatabase[] = [];
let stores: Store[] = [];
let monitors: StatusMonitor[] = [];
afterEach(async () => {
  for (const m of monitors) await m.close();
  for (const s of stores) await s.close();
  for (const d of dbs) await d.drop();
  monitors = [];
  stores = [];
  dbs = [];
});

/** Redis refusing everything (the monitor's signals and leadership), as when it is stopped. */
const redisDown = (() => {
  const refuse = async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  };
  const pipeline = () => {
    const p = { hincrby: () => p, pexpire: () => p, hgetall: () => p, exec: refuse };
    return p;
  };
  return { pipeline, eval: refuse, evalsha: refuse } as unknown as RedisClient;
})();

async function fleet(db: TestDatabase, opts: { redis?: RedisClient } = {}) {
  dbs.push(db);
  const clock = new FakeClock();
  const { lines, log } = captureLog();
  const events: string[] = [];
  const webhooks = { send: async (event: string) => void events.push(event), idle: async () => {} } as unknown as StatusWebhooks;
  const config = parseConfig({
    models: [{ name: 'sim', provider: 'simulator' }],
    status: { window_ms: WINDOW_MS, evaluate_interval_ms: EVERY_MS, min_requests: 5, hysteresis: { degrade_after: 2, recover_after: 2 } },
  });
  // SQLite in memory is one connection's: the monitors share it. PostgreSQL: a store (pool) each.
  const first = await openStore(db.url, { clock });
  stores.push(first);
  for (let i = 0; i < INSTANCES; i++) {
    const store = i === 0 || db.name === 'sqlite' ? first : await openStore(db.url, { clock });
    if (store !== first) stores.push(store);
    const m = new StatusMonitor({ store, config, clock, log, autoTick: false, webhooks, ...(opts.redis ? { redis: opts.redis, redisPrefix: 'test:' } : {}) });
    await m.start();
    monitors.push(m);
  }
  /** One evaluation interval: the clock moves on, then each group of monitors evaluates at once, group after group. */
  const tickAll = async (...groups: (readonly StatusMonitor[])[]) => {
    await clock.advance(EVERY_MS);
    for (const ms of groups.length > 0 ? groups : [monitors]) await Promise.all(ms.map((m) => m.tick()));
  };
  /** `ticks` intervals in which each of `seen` observes min_requests (5) requests like `o` (the others see none). */
  const rounds = async (ticks: number, o: RequestObservation, seen: readonly StatusMonitor[] = monitors, ...groups: (readonly StatusMonitor[])[]) => {
    for (let t = 0; t < ticks; t++) {
      for (const m of seen) for (let i = 0; i < 5; i++) m.observe(o);
      await tickAll(...groups);
    }
  };
  const api = async () => {
    const db = statusDb(first);
    const row = await db.selectFrom('status_components').select(['status', 'accrued_until']).where('id', '=', API).executeTakeFirstOrThrow();
    const days = await db.selectFrom('status_daily').selectAll().where('component_id', '=', API).execute();
    const accrued = days.reduce((n, d) => n + Number(d.operational_ms) + Number(d.degraded_ms) + Number(d.partial_ms) + Number(d.major_ms) + Number(d.maintenance_ms), 0);
    const incidents = await monitors[0]!.incidents.list('incident');
    return { status: row.status, accrued, accruedUntil: Number(row.accrued_until), incidents };
  };
  const transitions = () => lines.filter((l) => l.msg === 'status: component changed' && l.component === 'Public API').map((l) => `${String(l.from)}>${String(l.to)}`);
  return { clock, lines, events, tickAll, rounds, api, transitions };
}

/** What the request path reports for a request refused before reaching a model (Redis or the store down). */
const refused: RequestObservation = { model: null, status: 503, errorCode: 'store_unavailable', firstByteMs: null, promptTokens: 0, completionTokens: 0 };
const served: RequestObservation = { model: 'sim', status: 200, errorCode: null, firstByteMs: 10, promptTokens: 1, completionTokens: 1 };

describe.each(DIALECTS)('%s: five instances evaluating at once', (_name, database) => {
  it('open one automatic incident, record one transition and accrue uptime once; recovery resolves it once', async () => {
    const f = await fleet(database());
    await f.tickAll();
    const start = f.clock.now();
    // Each instance sees the same failing window. In the first interval they evaluate it one after
    // the other: hysteresis counts intervals, not evaluations, and one interval is not degrade_after (2).
    await f.rounds(1, refused, monitors, ...monitors.map((m) => [m]));
    expect((await f.api()).status).toBe('operational');
    // Then all at the same moment, every interval.
    await f.rounds(3, refused);
    let s = await f.api();
    expect(s.status).toBe('major_outage');
    expect(f.transitions()).toEqual(['operational>major_outage']);
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]!.name).toBe('Elevated error rate on Public API');
    expect(s.incidents[0]!.updates.map((u) => u.status)).toEqual(['investigating']);
    expect(f.events).toEqual(['incident.created']);
    // Four ticks of five evaluators: four intervals of uptime, not twenty.
    expect(s.accrued).toBe(f.clock.now() - start);
    expect(s.accruedUntil).toBe(f.clock.now());

    // The failures leave the window; every instance sees only successes.
    await f.rounds(8, served);
    s = await f.api();
    expect(s.status).toBe('operational');
    expect(f.transitions()).toEqual(['operational>major_outage', 'major_outage>operational']);
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]!.status).toBe('resolved');
    expect(s.incidents[0]!.updates.map((u) => u.status)).toEqual(['resolved', 'investigating']);
    expect(f.events).toEqual(['incident.created', 'incident.resolved']);
    expect(s.accrued).toBe(f.clock.now() - start);
  }, 60_000);

  it('with Redis unreachable, an instance that saw no traffic leaves the component to those that saw the failures', async () => {
    const f = await fleet(database(), { redis: redisDown });
    await f.tickAll();
    // Two instances take the failing requests; three are idle (too few requests: no evidence) and
    // evaluate first in every interval: were their empty windows a vote for operational, the
    // component would never move.
    const busy = monitors.slice(0, 2);
    const idle = monitors.slice(2);
    await f.rounds(3, refused, busy, idle, busy);
    const s = await f.api();
    expect(s.status).toBe('major_outage');
    expect(f.transitions()).toEqual(['operational>major_outage']);
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]!.status).toBe('investigating');
    // Every instance logs the switch once, not per tick.
    expect(f.lines.filter((l) => l.msg === 'status evaluation: Redis unreachable; this instance evaluates the page from its own signals')).toHaveLength(INSTANCES);
  }, 60_000);
});
