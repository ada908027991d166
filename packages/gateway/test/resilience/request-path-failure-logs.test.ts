/**
 * Log lines of the request path that a dependency failure makes are logged by state changes (the
 * first failure with its wording, a summary at most once a minute, one recovery line), not once
 * per request: during an outage thousands of requests would otherwise bury the log.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock, openStore, parseConfig, type Store } from 'tollgate';
import { createSoftLimitHook, SoftLimitNotifier } from '../../src/billing/soft-limit.js';
import { createSpendAlertHook, SpendAlertNotifier } from '../../src/billing/spend-alerts.js';
import { generateApiKey, Identity } from '../../src/identity/index.js';
import type { StaleServing } from '../../src/store/stale-serving.js';
import type { BillingStore } from '../../src/store/billing-tables.js';
import type { CounterStore } from '../../src/limits/counter-store.js';
import { bearer } from '../identity/fake-context.js';
import { captureLog, type LogLine } from '../support/log-capture.js';

const redisDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
const dbDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const msgs = (lines: LogLine[], re: RegExp) => lines.filter((l) => re.test(l.msg)).map((l) => l.msg);

describe('identity: a key served from the cache while the store fails', () => {
  let store: Store | undefined;
  let identity: Identity | undefined;
  afterEach(async () => {
    await identity?.close();
    await store?.close();
  });

  it('50 requests make one line, a minute a summary, and the next successful load the recovery', async () => {
    const clock = new FakeClock();
    store = await openStore('sqlite::memory:', { clock });
    const { lines, log } = captureLog();
    identity = new Identity({ store, config: parseConfig({ auth: { failed_attempts_per_minute: 100_000, cache_ttl_ms: 60_000 } }), clock, log });
    await identity.ready();
    const org = await store.organizations.create({ name: 'o', tier: 'free' });
    const user = await store.users.create({ email: 'u@x.test', name: 'u' });
    await store.memberships.add(org.id, user.id, 'owner');
    const { key, redacted } = generateApiKey();
    const rec = await store.apiKeys.insert({ orgId: org.id, userId: user.id, name: 'k', keyHash: await identity.hashKey(key), redacted, permissions: 'all', scopes: [], expiresAt: null });
    await identity.authenticate(bearer(key));
    await clock.advance(60_001);

    // The store is down, and each request's entry becomes usable only by the time its load has
    // failed (another request's load filled it meanwhile): the path that serves the cached key.
    const findForAuth = vi.spyOn(store.apiKeys, 'findForAuth').mockRejectedValue(dbDown());
    const usable = vi.spyOn((identity as unknown as { staleKeys: StaleServing }).staleKeys, 'usable');
    const request = async () => {
      usable.mockReturnValueOnce(false);
      expect((await identity!.authenticate(bearer(key))).keyId).toBe(rec.id);
    };
    for (let i = 0; i < 50; i++) {
      await request();
      await clock.advance(100);
    }
    const served = /cached key|key lookups/;
    expect(msgs(lines, served)).toEqual(['identity store unavailable; serving a cached key']);
    expect(lines.find((l) => l.msg === 'identity store unavailable; serving a cached key')).toMatchObject({ level: 40, err: { message: 'connect ECONNREFUSED 127.0.0.1:5432' } });

    await clock.advance(60_000);
    await request();
    expect(msgs(lines, served)).toEqual(['identity store unavailable; serving a cached key', 'api key lookups still failing']);
    expect(lines.at(-1)).toMatchObject({ failures: 50 });

    findForAuth.mockRestore();
    usable.mockReturnValueOnce(false);
    await identity.authenticate(bearer(key));
    expect(msgs(lines, served)).toEqual(['identity store unavailable; serving a cached key', 'api key lookups still failing', 'identity store answering key lookups again']);
    expect(lines.at(-1)).toMatchObject({ level: 30, failures: 51 });
  });
});

describe('billing checks after settlement while the counters fail', () => {
  const spendOfDown: Pick<CounterStore, 'spendOf'> = { spendOf: () => Promise.reject(redisDown()) };

  it('the soft limit check: 50 failing requests make one line, then a summary a minute', async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    // The failing check never reaches the notifier's database.
    const notifier = new SoftLimitNotifier({} as BillingStore, { clock, log, webhookUrl: null, fetch });
    const counters = { ...spendOfDown };
    const hook = createSoftLimitHook({ notifier, counters, clock, log, softLimitOf: () => 1_000n });
    for (let i = 0; i < 50; i++) {
      hook(`org_${i % 5}`);
      await notifier.idle();
      await clock.advance(100);
    }
    expect(msgs(lines, /soft limit check/)).toEqual(['soft limit check failed']);
    expect(lines[0]).toMatchObject({ level: 40, org_id: 'org_0', err: { message: 'connect ECONNREFUSED 127.0.0.1:6379' } });

    // An organization without a soft limit reads no counter: it is not taken for a recovery.
    const none = createSoftLimitHook({ notifier, counters, clock, log, softLimitOf: () => null });
    none('org_free');
    await notifier.idle();
    await clock.advance(60_000);
    hook('org_1');
    await notifier.idle();
    expect(lines.map((l) => l.msg)).toEqual(['soft limit check failed', 'soft limit checks still failing']);
    expect(lines[1]).toMatchObject({ failures: 50 });

    // The counters answer again (spend under the limit: nothing to write): one recovery line.
    counters.spendOf = () => Promise.resolve({ spent: 1n, reserved: 0n });
    hook('org_1');
    await notifier.idle();
    expect(lines.map((l) => l.msg)).toEqual(['soft limit check failed', 'soft limit checks still failing', 'soft limit checks working again']);
    expect(lines[2]).toMatchObject({ level: 30, failures: 51 });
  });

  it('the spend alert check: 50 failing requests make one line', async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    const notifier = new SpendAlertNotifier({} as Store, { clock, log, webhookUrl: null, fetch });
    const alert = { id: 'alert_1', orgId: 'org_1', projectId: null, thresholdPico: 1_000n, recipients: ['a@x.test'], subjectPrefix: null, createdAt: 0 };
    const hook = createSpendAlertHook({ notifier, counters: spendOfDown, clock, log, alertsOf: () => Promise.resolve([alert]) });
    for (let i = 0; i < 50; i++) {
      hook('org_1');
      await notifier.idle();
      await clock.advance(100);
    }
    expect(lines.map((l) => l.msg)).toEqual(['spend alert check failed']);
    expect(lines[0]).toMatchObject({ level: 40, org_id: 'org_1' });
  });
});
