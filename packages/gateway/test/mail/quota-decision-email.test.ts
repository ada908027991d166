/**
 * With SMTP configured, the operator's decision on a quota-increase request is e-mailed to whoever
 * asked: the owner who asked in the console, or the organization's owners for a request made
 * with the admin key. A real SMTP server receives the mail in this process. On SQLite and on
 * PostgreSQL (the requester is a column added by migration 0012).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../console/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const PASSWORD = 'correct horse battery staple';

describe.each(['sqlite', 'postgres'] as const)('quota decision e-mail (%s)', (database) => {
  let sink: SmtpSink;
  let gw: TestGateway;
  let owner: Browser;
  let ownerEmail: string;

  beforeAll(async () => {
    sink = await startSmtpSink('mailer', 'sm7p-pa55word');
    gw = await startTestGateway({ smtp: { url: sink.url, from: 'billing@gateway.test' } }, { database });
    await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
    ownerEmail = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
    owner = new Browser(gw.url);
    await owner.signIn(ownerEmail, PASSWORD);
    expect((await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: 10 })).status).toBe(200);
  });
  afterAll(async () => {
    await gw.close();
    await sink.close();
  });

  it('the owner who asked is told of the approval, then of a rejection with its note', async () => {
    // A second owner, who did not ask, is not written to.
    const other = await gw.admin('POST', '/admin/v1/users', { email: 'co-owner@test.local', name: 'Co' });
    await gw.admin('POST', `/admin/v1/organizations/${gw.orgId}/members`, { user_id: other.body.id, role: 'owner' });

    sink.received.length = 0;
    const asked = await owner.call('POST', '/console/api/quota_requests', { hard_limit_usd: 50, reason: 'launch' });
    expect(asked.status).toBe(200);
    expect(sink.received).toHaveLength(0);
    expect((await gw.admin('POST', `/admin/v1/quota_requests/${asked.body.id}/approve`, {})).status).toBe(200);
    const [approved] = await sink.waitFor(1);
    expect(approved!.envelopeTo).toEqual([ownerEmail]);
    expect(approved!.envelopeFrom).toBe('billing@gateway.test');
    expect(approved!.subject).toBe('Quota request approved: test-org');
    expect(approved!.text).toContain('Your request to raise the monthly hard limit of "test-org" to $50.00 was approved. The hard limit is now $50.00.');
    expect(approved!.text).toContain(asked.body.id);

    const again = await owner.call('POST', '/console/api/quota_requests', { hard_limit_usd: 80, reason: 'more' });
    expect((await gw.admin('POST', `/admin/v1/quota_requests/${again.body.id}/reject`, { note: 'Not this month.' })).status).toBe(200);
    const [, rejected] = await sink.waitFor(2);
    expect(rejected!.envelopeTo).toEqual([ownerEmail]);
    expect(rejected!.subject).toBe('Quota request rejected: test-org');
    expect(rejected!.text).toContain('to $80.00 was rejected. The hard limit stays $50.00.');
    expect(rejected!.text).toContain('Note from the operator:\nNot this month.');
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.received).toHaveLength(2);
  });

  it('a request made with the admin key: the decision goes to the organization owners', async () => {
    const t = await gw.newTenant('keyed');
    const ownerOfT = (await gw.admin('GET', `/admin/v1/users/${t.userId}`)).body.email;
    await gw.admin('PUT', `/admin/v1/organizations/${t.orgId}/billing`, { hard_limit_usd: 5 });
    sink.received.length = 0;
    const asked = await gw.admin('POST', `/admin/v1/organizations/${t.orgId}/quota_requests`, { hard_limit_usd: 20, reason: 'by the operator' });
    expect((await gw.admin('POST', `/admin/v1/quota_requests/${asked.body.id}/approve`, { note: 'Done for you.' })).status).toBe(200);
    const [mail] = await sink.waitFor(1);
    expect(mail!.envelopeTo).toEqual([ownerOfT]);
    expect(mail!.text).toContain('"keyed" to $20.00 was approved');
    expect(mail!.text).toContain('Done for you.');
  });
});
