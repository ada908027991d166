/**
 * Spend alerts through the official SDK's admin client (organization and project: objects,
 * paging, replace, delete, 400s naming the field, no reach into another organization), and
 * their notifications on a real gateway with a fake clock: crossing a threshold notifies once
 * (also when many requests cross it at the same time), further spend in the month does not, the
 * next month notifies again.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { rejection, startOrgHarness, type OrgHarness } from './harness.js';

const channel = (...recipients: string[]) => ({ type: 'email' as const, recipients });
const alert = (threshold_amount: number, ...recipients: string[]) => ({ threshold_amount, currency: 'USD' as const, interval: 'month' as const, notification_channel: channel(...(recipients.length ? recipients : ['ops@example.com'])) });

describe('spend alerts: the Administration API', () => {
  let h: OrgHarness;
  beforeAll(async () => {
    h = await startOrgHarness();
  });
  afterAll(() => h.close());

  it('organization alerts: create, retrieve, list with paging and order, replace, delete', async () => {
    const { org } = await h.tenant('alerts-crud');
    const a = await org.spendAlerts.create({ ...alert(5000, 'Finance@Example.com'), notification_channel: { ...channel('Finance@Example.com', 'cto@example.com'), subject_prefix: '[acme]' } });
    expect(a).toEqual({ object: 'organization.spend_alert', id: a.id, threshold_amount: 5000, currency: 'USD', interval: 'month', notification_channel: { type: 'email', recipients: ['finance@example.com', 'cto@example.com'], subject_prefix: '[acme]' } });
    expect(a.id).toMatch(/^spend_alert_/);
    const b = await org.spendAlerts.create(alert(10_000));
    const c = await org.spendAlerts.create(alert(20_000));
    expect(await org.spendAlerts.retrieve(b.id)).toEqual(b);

    const ids: string[] = [];
    for await (const x of org.spendAlerts.list({ limit: 1 })) ids.push(x.id);
    expect(ids).toEqual([a.id, b.id, c.id]);
    const first = await org.spendAlerts.list({ limit: 2 });
    expect(first.data.map((x) => x.id)).toEqual([a.id, b.id]);
    expect(first.has_more).toBe(true);
    expect((await org.spendAlerts.list({ order: 'desc' })).data.map((x) => x.id)).toEqual([c.id, b.id, a.id]);
    expect((await org.spendAlerts.list({ before: c.id, limit: 1 })).data.map((x) => x.id)).toEqual([b.id]);

    const replaced = await org.spendAlerts.update(b.id, alert(12_345, 'new@example.com'));
    expect(replaced).toMatchObject({ id: b.id, threshold_amount: 12_345, notification_channel: { recipients: ['new@example.com'], subject_prefix: null } });
    expect(await org.spendAlerts.retrieve(b.id)).toEqual(replaced);

    expect(await org.spendAlerts.delete(b.id)).toEqual({ object: 'organization.spend_alert.deleted', id: b.id, deleted: true });
    expect(await rejection(org.spendAlerts.retrieve(b.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(org.spendAlerts.delete(b.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await org.spendAlerts.list()).data.map((x) => x.id)).toEqual([a.id, c.id]);

    const audit = await org.auditLogs.list({ resource_ids: [b.id] });
    expect(audit.data.map((e) => e.type)).toEqual(['organization.updated', 'organization.updated', 'organization.updated']);
    expect((audit.data[0] as any)['organization.updated'].changes_requested).toEqual({ spend_alert: { id: b.id, deleted: true } });
  });

  it('project alerts are the project\'s own: not listed for the organization or another project', async () => {
    const { org } = await h.tenant('alerts-project');
    const p = await org.projects.create({ name: 'alerted' });
    const q = await org.projects.create({ name: 'other' });
    const a = await org.projects.spendAlerts.create(p.id, alert(700));
    expect(a).toMatchObject({ object: 'project.spend_alert', threshold_amount: 700 });
    expect(await org.projects.spendAlerts.retrieve(a.id, { project_id: p.id })).toEqual(a);
    expect((await org.projects.spendAlerts.list(p.id)).data).toEqual([a]);
    expect((await org.projects.spendAlerts.list(q.id)).data).toEqual([]);
    expect((await org.spendAlerts.list()).data).toEqual([]);
    expect(await rejection(org.projects.spendAlerts.retrieve(a.id, { project_id: q.id }))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(org.spendAlerts.retrieve(a.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await org.projects.spendAlerts.update(a.id, { project_id: p.id, ...alert(800) })).toMatchObject({ id: a.id, threshold_amount: 800 });
    expect(await org.projects.spendAlerts.delete(a.id, { project_id: p.id })).toEqual({ object: 'project.spend_alert.deleted', id: a.id, deleted: true });
    expect(await rejection(org.projects.spendAlerts.list('proj_nope'))).toBeInstanceOf(OpenAI.NotFoundError);
    const audit = await org.auditLogs.list({ resource_ids: [a.id], project_ids: [p.id] });
    expect(audit.data.map((e) => e.type)).toEqual(['project.updated', 'project.updated', 'project.updated']);
  });

  it('bad input is a 400 naming the field, and nothing is created', async () => {
    const { org } = await h.tenant('alerts-400');
    const cases: [unknown, string][] = [
      [{ ...alert(0) }, 'threshold_amount'],
      [{ ...alert(1), threshold_amount: 1.5 }, 'threshold_amount'],
      [{ ...alert(1), currency: 'EUR' }, 'currency'],
      [{ ...alert(1), interval: 'week' }, 'interval'],
      [{ threshold_amount: 1, currency: 'USD', interval: 'month' }, 'notification_channel'],
      [{ ...alert(1), notification_channel: { type: 'sms', recipients: ['a@b.co'] } }, 'notification_channel.type'],
      [{ ...alert(1), notification_channel: { type: 'email', recipients: [] } }, 'notification_channel.recipients'],
      [{ ...alert(1), notification_channel: { type: 'email', recipients: ['a@b.co', 'not-an-email'] } }, 'notification_channel.recipients[1]'],
    ];
    for (const [body, param] of cases) {
      const e = await rejection(org.spendAlerts.create(body as any));
      expect(e, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(e.error.param, JSON.stringify(body)).toBe(param);
    }
    const ok = await org.spendAlerts.create(alert(100));
    const e = await rejection(org.spendAlerts.update(ok.id, { ...alert(100), currency: 'EUR' } as any));
    expect(e.error.param).toBe('currency');
    expect((await org.spendAlerts.list()).data).toEqual([ok]);
  });

  it("another organization's admin key can neither see nor change them", async () => {
    const a = await h.a.org.spendAlerts.create(alert(300));
    const def = (await h.a.org.projects.list()).data[0]!;
    const pa = await h.a.org.projects.spendAlerts.create(def.id, alert(400));
    const b = h.b.org;
    expect((await b.spendAlerts.list()).data.map((x) => x.id)).not.toContain(a.id);
    const calls: (() => Promise<unknown>)[] = [
      () => b.spendAlerts.retrieve(a.id),
      () => b.spendAlerts.update(a.id, alert(1)),
      () => b.spendAlerts.delete(a.id),
      () => b.spendAlerts.list({ after: a.id }),
      () => b.projects.spendAlerts.list(def.id),
      () => b.projects.spendAlerts.create(def.id, alert(1)),
      () => b.projects.spendAlerts.retrieve(pa.id, { project_id: def.id }),
      () => b.projects.spendAlerts.update(pa.id, { project_id: def.id, ...alert(1) }),
      () => b.projects.spendAlerts.delete(pa.id, { project_id: def.id }),
    ];
    for (const call of calls) expect(await rejection(call())).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await h.a.org.spendAlerts.retrieve(a.id)).toEqual(a);
    expect(await h.a.org.projects.spendAlerts.retrieve(pa.id, { project_id: def.id })).toEqual(pa);
  });
});

/** Input at $10,000 per 1M tokens: a cent per prompt token, so a short prompt costs tens of cents. */
const PRICEY = { name: 'sim-pricey', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 10_000, output_per_1m: 0 }, simulator: { max_concurrency: 1024, max_queue: 1024 } };
const HOOK = 'https://hooks.example/billing';

describe('spend alerts: notifications', () => {
  const clock = new FakeClock(Date.UTC(2026, 2, 10, 9));
  const calls: { url: string; body: any }[] = [];
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    return new Response('{}', { status: 200 });
  }) as typeof fetch;
  let h: OrgHarness;
  beforeAll(async () => {
    h = await startOrgHarness({ models: [PRICEY], billing: { soft_limit_webhook_url: HOOK } }, { clock, fetch: fakeFetch });
  });
  afterAll(() => h.close());

  const chat = (c: OpenAI) => c.chat.completions.create({ model: 'sim-pricey', messages: [{ role: 'user', content: 'Please count every one of these words as a token.' }], max_tokens: 1 });
  /** Runs `n` requests at once and waits until their settlements and the alert checks are done. */
  const spend = async (c: OpenAI, n: number) => {
    const r = await Promise.allSettled(Array.from({ length: n }, () => chat(c)));
    expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(n);
    await h.gw.gateway.services.settlements.idle();
    await h.gw.gateway.services.spendAlerts.idle();
  };
  const sent = (alertId: string) => calls.filter((c) => c.body.alert.id === alertId);

  it('a threshold crossed by many requests at once notifies once; more spend that month does not; the next month notifies again', async () => {
    const t = await h.tenant('notify');
    const def = (await t.org.projects.list()).data[0]!;
    const other = await t.org.projects.create({ name: 'quiet' });
    const orgAlert = await t.org.spendAlerts.create({ ...alert(100, 'finance@example.com'), notification_channel: { ...channel('finance@example.com'), subject_prefix: '[acme]' } });
    const projectAlert = await t.org.projects.spendAlerts.create(def.id, alert(150, 'team@example.com'));
    const quietAlert = await t.org.projects.spendAlerts.create(other.id, alert(1, 'quiet@example.com'));
    const high = await t.org.spendAlerts.create(alert(90_000_000));

    // One request costs tens of cents: below both thresholds, nothing is sent.
    await spend(t.inference, 1);
    expect(sent(orgAlert.id)).toHaveLength(0);

    await spend(t.inference, 40);
    expect(sent(orgAlert.id)).toHaveLength(1);
    expect(sent(projectAlert.id)).toHaveLength(1);
    expect(sent(quietAlert.id)).toHaveLength(0);
    expect(sent(high.id)).toHaveLength(0);
    const n = sent(orgAlert.id)[0]!;
    expect(n.url).toBe(HOOK);
    expect(n.body).toMatchObject({
      object: 'spend_alert.notification',
      type: 'spend_alert.reached',
      id: `${orgAlert.id}:2026-03`,
      organization_id: t.orgId,
      project_id: null,
      period: '2026-03',
      alert: { ...orgAlert, notification_channel: { type: 'email', recipients: ['finance@example.com'], subject_prefix: '[acme]' } },
      created_at: clock.now() / 1000,
    });
    expect(n.body.spend_usd).toBeGreaterThanOrEqual(1);
    expect(sent(projectAlert.id)[0]!.body).toMatchObject({ project_id: def.id, alert: { object: 'project.spend_alert', threshold_amount: 150 } });
    expect(h.gw.logs()).toContain('spend alert reached');

    // Later in the same month: spend grows, nothing more is sent.
    clock.set(Date.UTC(2026, 2, 31, 23, 59));
    await spend(t.inference, 20);
    expect(sent(orgAlert.id)).toHaveLength(1);
    expect(sent(projectAlert.id)).toHaveLength(1);

    // April: the month's spend starts again, and so do the alerts.
    clock.set(Date.UTC(2026, 3, 1, 0, 1));
    await spend(t.inference, 1);
    expect(sent(orgAlert.id)).toHaveLength(1);
    await spend(t.inference, 30);
    expect(sent(orgAlert.id).map((c) => c.body.period)).toEqual(['2026-03', '2026-04']);
    expect(sent(projectAlert.id).map((c) => c.body.period)).toEqual(['2026-03', '2026-04']);
  });

  it('raising a threshold that fired re-arms the alert for the month', async () => {
    clock.set(Date.UTC(2026, 4, 5));
    const t = await h.tenant('rearm');
    const a = await t.org.spendAlerts.create(alert(50));
    await spend(t.inference, 10);
    expect(sent(a.id)).toHaveLength(1);
    await t.org.spendAlerts.update(a.id, alert(50, 'ops@example.com')); // same threshold: still fired
    await spend(t.inference, 5);
    expect(sent(a.id)).toHaveLength(1);
    const spent = sent(a.id)[0]!.body.spend_usd as number;
    await t.org.spendAlerts.update(a.id, alert(Math.ceil(spent * 100) + 200));
    await spend(t.inference, 30);
    expect(sent(a.id).map((c) => c.body.alert.threshold_amount)).toEqual([50, Math.ceil(spent * 100) + 200]);
  });
});
