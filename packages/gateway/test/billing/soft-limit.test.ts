import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spendKey } from '../../src/billing/period.js';
import { createSoftLimitHook, SoftLimitNotifier, type SoftLimitNotifierOptions } from '../../src/billing/soft-limit.js';
import { billingDb } from '../../src/store/billing-tables.js';
import { type Clock, MemoryCounterStore } from 'tollgate';
import { DIALECTS, memoryLog, openTestStore, silentLog, type TestStore } from '../usage/db.js';

/** A clock whose sleeps are observed and released one by one, so retry delays are asserted exactly. */
class ScriptedClock implements Clock {
  t = Date.UTC(2026, 2, 10, 9);
  private sleepers: { ms: number; wake: () => void }[] = [];
  private waiting: ((ms: number) => void) | undefined;
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ ms, wake: resolve });
      this.waiting?.(ms);
      this.waiting = undefined;
    });
  }
  /** Resolves with the next requested sleep (already requested or future). */
  nextSleep(): Promise<number> {
    const s = this.sleepers[0];
    if (s) return Promise.resolve(s.ms);
    return new Promise((r) => (this.waiting = r));
  }
  /** Lets the oldest sleeper go, moving time by its delay. */
  wake(): void {
    const s = this.sleepers.shift()!;
    this.t += s.ms;
    s.wake();
  }
}

/** A fetch that answers from a script: an Error to throw, or a status. */
function scriptedFetch(script: (Error | number)[]) {
  const calls: { url: string; init: RequestInit; at: number }[] = [];
  let clock: ScriptedClock | undefined;
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {}, at: clock?.now() ?? 0 });
    const next = script.length > 1 ? script.shift()! : script[0]!;
    if (next instanceof Error) throw next;
    return new Response(next === 204 ? null : '{}', { status: next });
  }) as typeof fetch;
  return { fetch: f, calls, bind: (c: ScriptedClock) => (clock = c) };
}

describe.each(DIALECTS)('soft-limit notifications on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  const org = () => `org_${Math.random().toString(36).slice(2)}`;
  const row = async (orgId: string, period: string) =>
    billingDb(t.store).selectFrom('soft_limit_notifications').selectAll().where('org_id', '=', orgId).where('period', '=', period).executeTakeFirst();

  function notifier(fetchImpl: typeof fetch, clock: Clock, o: Partial<SoftLimitNotifierOptions> = {}) {
    return new SoftLimitNotifier(t.store, { clock, log: silentLog, fetch: fetchImpl, webhookUrl: 'https://hooks.example/soft', ...o });
  }

  it('fires once per organization and period, retrying with exponential backoff until delivered', async () => {
    const clock = new ScriptedClock();
    const f = scriptedFetch([new Error('connect ECONNREFUSED'), 503, 200]);
    f.bind(clock);
    const n = notifier(f.fetch, clock);
    const o = org();
    // Hundreds of settlements at once, all over the soft limit.
    const fired = await Promise.all(Array.from({ length: 200 }, (_, i) => n.check(o, 80_000_000_000_000n + BigInt(i), 80_000_000_000_000n, '2026-03')));
    expect(fired.filter(Boolean)).toHaveLength(1);

    expect(await clock.nextSleep()).toBe(1000); // after attempt 1 (network error)
    expect(await row(o, '2026-03')).toMatchObject({ status: 'pending', attempts: 1, last_error: 'connect ECONNREFUSED' });
    clock.wake();
    expect(await clock.nextSleep()).toBe(2000); // after attempt 2 (503)
    expect(await row(o, '2026-03')).toMatchObject({ status: 'pending', attempts: 2, last_error: 'HTTP 503' });
    clock.wake();
    await n.idle();

    expect(f.calls).toHaveLength(3);
    expect(f.calls.map((c) => c.at - f.calls[0]!.at)).toEqual([0, 1000, 3000]);
    const r = await row(o, '2026-03');
    expect(r).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });
    expect(Number(r!.delivered_at)).toBe(clock.now());
    const call = f.calls[0]!;
    expect(call.url).toBe('https://hooks.example/soft');
    expect(call.init.method).toBe('POST');
    expect((call.init.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(call.init.body as string)).toEqual({
      object: 'organization.soft_limit_notification',
      type: 'soft_limit.reached',
      id: `${o}:2026-03`,
      organization_id: o,
      period: '2026-03',
      spend_usd: Number(BigInt(r!.spend_pico)) / 1e12,
      soft_limit_usd: 80,
      created_at: Date.UTC(2026, 2, 10, 9) / 1000,
    });

    // Later settlements in the period fire nothing; the next period fires again.
    expect(await n.check(o, 95_000_000_000_000n, 80_000_000_000_000n, '2026-03')).toBe(false);
    expect(await n.check(o, 81_000_000_000_000n, 80_000_000_000_000n, '2026-04')).toBe(true);
    await n.idle();
    expect(f.calls).toHaveLength(4);
  });

  it('fires once across instances: the database row decides', async () => {
    const clock = new ScriptedClock();
    const f = scriptedFetch([200]);
    const instances = Array.from({ length: 8 }, () => notifier(f.fetch, clock));
    const o = org();
    const fired = await Promise.all(instances.flatMap((n) => Array.from({ length: 25 }, () => n.check(o, 10n, 10n, '2026-03'))));
    expect(fired.filter(Boolean)).toHaveLength(1);
    await Promise.all(instances.map((n) => n.idle()));
    expect(f.calls).toHaveLength(1);
  });

  it('does nothing below the soft limit or without one', async () => {
    const clock = new ScriptedClock();
    const f = scriptedFetch([200]);
    const n = notifier(f.fetch, clock);
    const o = org();
    expect(await n.check(o, 79_999_999_999_999n, 80_000_000_000_000n, '2026-03')).toBe(false);
    expect(await n.check(o, 10n ** 12n, null, '2026-03')).toBe(false);
    expect(await row(o, '2026-03')).toBeUndefined();
    expect(await n.check(o, 80_000_000_000_000n, 80_000_000_000_000n, '2026-03')).toBe(true); // reaching it counts
    await n.idle();
  });

  it('gives up after the last attempt, or at once on a client error, and records it', async () => {
    const clock = new ScriptedClock();
    const down = scriptedFetch([500]);
    const log = memoryLog();
    const n = notifier(down.fetch, clock, { maxAttempts: 3, log });
    const o = org();
    await n.check(o, 5n, 1n, '2026-03');
    expect(await clock.nextSleep()).toBe(1000);
    clock.wake(); // after attempt 1
    expect(await clock.nextSleep()).toBe(2000);
    clock.wake(); // after attempt 2
    await n.idle();
    expect(down.calls).toHaveLength(3);
    expect(await row(o, '2026-03')).toMatchObject({ status: 'failed', attempts: 3, last_error: 'HTTP 500', delivered_at: null });
    expect(log.lines.some((l) => l.level === 'warn' && l.msg === 'soft limit webhook failed')).toBe(true);

    const gone = scriptedFetch([410]);
    const n2 = notifier(gone.fetch, clock);
    const o2 = org();
    await n2.check(o2, 5n, 1n, '2026-03');
    await n2.idle();
    expect(gone.calls).toHaveLength(1);
    expect(await row(o2, '2026-03')).toMatchObject({ status: 'failed', attempts: 1, last_error: 'HTTP 410' });
  });

  it('records the crossing without a webhook URL', async () => {
    const clock = new ScriptedClock();
    const f = scriptedFetch([200]);
    const n = notifier(f.fetch, clock, { webhookUrl: null });
    const o = org();
    expect(await n.check(o, 5n, 1n, '2026-03')).toBe(true);
    await n.idle();
    expect(f.calls).toHaveLength(0);
    expect(await row(o, '2026-03')).toMatchObject({ status: 'no_webhook', attempts: 0 });
  });

  it('resumes deliveries a stopped process left pending, but not ones another instance may be retrying', async () => {
    const clock = new ScriptedClock();
    const o = org();
    const o2 = org();
    const base = { period: '2026-03', spend_pico: 9n, limit_pico: 5n, status: 'pending' as const, last_error: 'HTTP 503', delivered_at: null };
    await billingDb(t.store)
      .insertInto('soft_limit_notifications')
      .values([
        { ...base, org_id: o, attempts: 2, created_at: clock.now() - 3_600_000 },
        { ...base, org_id: o2, attempts: 1, created_at: clock.now() - 1000 },
      ])
      .execute();
    const f = scriptedFetch([200]);
    const n = notifier(f.fetch, clock);
    expect(await n.resumePending()).toBeGreaterThanOrEqual(1);
    await n.idle();
    expect(await row(o, '2026-03')).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(await row(o2, '2026-03')).toMatchObject({ status: 'pending', attempts: 1 });
    // Resumed rows are remembered: a settlement does not try to insert them again.
    expect(n.alreadyFired(o, '2026-03')).toBe(true);
  });

  it('the request-path hook reads spend from the counters and fires from it', async () => {
    const clock = new ScriptedClock();
    const f = scriptedFetch([200]);
    const n = notifier(f.fetch, clock);
    const counters = new MemoryCounterStore(clock);
    const o = org();
    const soft = new Map([[o, 1_000n]]);
    const hook = createSoftLimitHook({ notifier: n, counters, clock, softLimitOf: (id) => soft.get(id) ?? null, log: silentLog });
    const key = spendKey(o, Date.UTC(2026, 2, 1));
    await counters.setSpent(o, key, 999n, Date.UTC(2026, 3, 1));
    hook(o);
    // The hook's check is tracked by the notifier: once idle, it has read the spend and decided.
    await n.idle();
    expect(await row(o, '2026-03')).toBeUndefined();
    await counters.setSpent(o, key, 1_000n, Date.UTC(2026, 3, 1));
    hook(o);
    await n.idle();
    expect(await row(o, '2026-03')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(f.calls).toHaveLength(1);
    hook('org_without_soft_limit'); // no limit: no counter read, no row, no throw
    await counters.close();
  });
});
