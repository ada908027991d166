/**
 * The spend-alert notifier over a real store (SQLite and PostgreSQL): one notification per alert
 * and month when many instances see the crossing at once, the hook reading the watched spend
 * (organization or project) from the counters, deliveries a stopped process left pending resumed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectSpendKey, spendKey } from '../../src/billing/period.js';
import { createSpendAlertHook, SpendAlertNotifier } from '../../src/billing/spend-alerts.js';
import { FakeClock, MemoryCounterStore } from 'tollgate';
import type { SpendAlert } from '../../src/store/index.js';
import { DIALECTS, openTestStore, silentLog, type TestStore } from '../usage/db.js';

const CENT = 10_000_000_000n;

function recordingFetch() {
  const calls: { url: string; body: any; headers: Record<string, string> }[] = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: JSON.parse(String(init?.body)), headers: init?.headers as Record<string, string> });
    return new Response('{}', { status: 200 });
  }) as typeof fetch;
  return { fetch: f, calls };
}

describe.each(DIALECTS)('spend-alert notifications on %s', (dialect) => {
  let t: TestStore;
  const clock = new FakeClock(Date.UTC(2026, 6, 14, 8));
  beforeAll(async () => {
    t = await openTestStore(dialect, clock);
  });
  afterAll(async () => {
    await t.close();
  });

  const notifier = (f: typeof fetch) => new SpendAlertNotifier(t.store, { clock, log: silentLog, fetch: f, webhookUrl: 'https://hooks.example/billing' });
  const newAlert = async (cents: number, projectId: string | null = null): Promise<SpendAlert> => {
    const org = await t.store.organizations.create({ name: 'alerts', tier: 'free' });
    const pid = projectId === null ? null : (await t.store.projects.create(org.id, { name: 'p' })).id;
    return t.store.spendAlerts.create({ orgId: org.id, projectId: pid }, { thresholdPico: BigInt(cents) * CENT, recipients: ['ops@example.com'], subjectPrefix: null });
  };
  const row = (alertId: string, period: string) => t.store.db.selectFrom('spend_alert_notifications').selectAll().where('alert_id', '=', alertId).where('period', '=', period).executeTakeFirst();

  it('fires once when eight instances see the crossing 25 times each at once', async () => {
    const f = recordingFetch();
    const a = await newAlert(500);
    const instances = Array.from({ length: 8 }, () => notifier(f.fetch));
    const fired = await Promise.all(instances.flatMap((n) => Array.from({ length: 25 }, (_, i) => n.check(a, 500n * CENT + BigInt(i), '2026-07'))));
    expect(fired.filter(Boolean)).toHaveLength(1);
    await Promise.all(instances.map((n) => n.idle()));
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]!.headers['x-tollgate-notification-id']).toBe(`${a.id}:2026-07`);
    expect(await row(a.id, '2026-07')).toMatchObject({ status: 'delivered', attempts: 1 });
    // Below the threshold nothing happens; the next month fires again.
    const b = await newAlert(500);
    expect(await instances[0]!.check(b, 500n * CENT - 1n, '2026-07')).toBe(false);
    expect(await row(b.id, '2026-07')).toBeUndefined();
    expect(await instances[1]!.check(a, 600n * CENT, '2026-08')).toBe(true);
    await instances[1]!.idle();
    expect(f.calls.map((c) => c.body.period)).toEqual(['2026-07', '2026-08']);
  });

  it('the hook checks organization alerts against the organization\'s spend and project alerts against their project\'s', async () => {
    const f = recordingFetch();
    const n = notifier(f.fetch);
    const counters = new MemoryCounterStore(clock);
    const orgAlert = await newAlert(100);
    const orgId = orgAlert.orgId;
    const p = await t.store.projects.create(orgId, { name: 'watched' });
    const projectAlert = await t.store.spendAlerts.create({ orgId, projectId: p.id }, { thresholdPico: 50n * CENT, recipients: ['team@example.com'], subjectPrefix: '[p]' });
    const hook = createSpendAlertHook({ notifier: n, counters, clock, log: silentLog, alertsOf: (id) => t.store.spendAlerts.ofOrganization(id) });
    const month = Date.UTC(2026, 6, 1);
    const end = Date.UTC(2026, 7, 1);
    await counters.setSpent(orgId, spendKey(orgId, month), 99n * CENT, end);
    await counters.setSpent(orgId, projectSpendKey(p.id, month), 50n * CENT, end);
    // A request of another project: the project alert is not its business.
    hook(orgId, 'proj_other');
    await n.idle();
    expect(f.calls).toHaveLength(0);
    hook(orgId, p.id);
    await n.idle();
    expect(f.calls.map((c) => c.body.alert.id)).toEqual([projectAlert.id]);
    expect(f.calls[0]!.body).toMatchObject({ project_id: p.id, spend_usd: 0.5, alert: { object: 'project.spend_alert', threshold_amount: 50, notification_channel: { recipients: ['team@example.com'], subject_prefix: '[p]' } } });
    await counters.setSpent(orgId, spendKey(orgId, month), 100n * CENT, end);
    hook(orgId, p.id);
    hook(orgId, p.id);
    await n.idle();
    expect(f.calls.map((c) => c.body.alert.id)).toEqual([projectAlert.id, orgAlert.id]);
    await counters.close();
  });

  it('resumes deliveries a stopped process left pending, but not ones another instance may be retrying', async () => {
    const old = await newAlert(10);
    const recent = await newAlert(10);
    const base = { period: '2026-07', spend_pico: 20n * CENT, threshold_pico: 10n * CENT, status: 'pending', last_error: 'HTTP 503', delivered_at: null };
    await t.store.db
      .insertInto('spend_alert_notifications')
      .values([
        { ...base, alert_id: old.id, attempts: 2, created_at: clock.now() - 3_600_000 },
        { ...base, alert_id: recent.id, attempts: 1, created_at: clock.now() - 1000 },
      ])
      .execute();
    const f = recordingFetch();
    const n = notifier(f.fetch);
    expect(await n.resumePending()).toBeGreaterThanOrEqual(1);
    await n.idle();
    expect(await row(old.id, '2026-07')).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(await row(recent.id, '2026-07')).toMatchObject({ status: 'pending', attempts: 1 });
    expect(f.calls.find((c) => c.body.alert.id === old.id)!.body).toMatchObject({ id: `${old.id}:2026-07`, spend_usd: 0.2, alert: { threshold_amount: 10, notification_channel: { recipients: ['ops@example.com'] } } });
    expect(n.alreadyFired(old, '2026-07')).toBe(true);
  });
});
