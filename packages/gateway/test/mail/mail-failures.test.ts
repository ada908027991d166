/**
 * E-mail never stands in the way: with the mail server down or refusing the login, an invite is
 * still created and its link handed out (the answer says the e-mail was not sent), a quota
 * decision still stands, and the failure is logged without the SMTP password. Without smtp.url
 * nothing is sent at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { call } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { closedPort, startSmtpSink, type SmtpSink } from './smtp-sink.js';

const SECRET = 'Sup3r-s3cret-SMTP-pw';

const started: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of started.reverse()) await s.close();
});
const gateway = async (smtp?: Record<string, unknown>): Promise<TestGateway> => {
  const gw = await startTestGateway(smtp ? { smtp } : {});
  started.push(gw);
  return gw;
};
const sinkFor = async (password: string): Promise<SmtpSink> => {
  const s = await startSmtpSink('mailer', password);
  started.push(s);
  return s;
};

/** An owner's invite through `/v1/organization/invites`, with an admin key of the gateway's first organization. */
const invite = async (gw: TestGateway, email: string) => {
  const k = await gw.admin('POST', `/admin/v1/organizations/${gw.orgId}/admin_api_keys`, { name: 'inviter' });
  return call({ url: gw.url }, 'POST', '/v1/organization/invites', { email, role: 'reader' }, k.body.value);
};
const inviteStatus = async (gw: TestGateway, id: string) => {
  const k = await gw.admin('POST', `/admin/v1/organizations/${gw.orgId}/admin_api_keys`, { name: 'reader' });
  return (await call({ url: gw.url }, 'GET', `/v1/organization/invites/${id}`, undefined, k.body.value)).body.status;
};

describe('mail failures', () => {
  it('SMTP down: the invite is created and answered with email_sent false; the log names the failure, not the password', async () => {
    const gw = await gateway({ url: `smtp://mailer:${encodeURIComponent(SECRET)}@127.0.0.1:${await closedPort()}`, from: 'tollgate@gateway.test', timeout_ms: 2000 });
    const created = await invite(gw, 'down@example.com');
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ email: 'down@example.com', status: 'pending', email_sent: false });
    expect(created.body.token).toMatch(/^inv_/);
    expect(await inviteStatus(gw, created.body.id)).toBe('pending');

    await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: 10 });
    const asked = await gw.admin('POST', `/admin/v1/organizations/${gw.orgId}/quota_requests`, { hard_limit_usd: 30, reason: 'x' });
    const decided = await gw.admin('POST', `/admin/v1/quota_requests/${asked.body.id}/approve`, {});
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('approved');

    const failures = gw.logs().split('\n').filter((l) => l.includes('e-mail not sent'));
    expect(failures).toHaveLength(2);
    expect(JSON.parse(failures[0]!)).toMatchObject({ level: 40, invite_id: created.body.id, smtp: expect.stringMatching(/^smtp:\/\/\*\*\*@127\.0\.0\.1:/), err: { code: 'ESOCKET', message: expect.stringContaining('ECONNREFUSED') } });
    expect(JSON.parse(failures[1]!)).toMatchObject({ quota_request_id: asked.body.id });
    expect(gw.logs()).not.toContain(SECRET);
    expect(gw.logs()).not.toContain(encodeURIComponent(SECRET));
  });

  it('a login the server refuses: not sent, and the password stays out of the log', async () => {
    const sink = await sinkFor('the-right-password');
    const gw = await gateway({ url: sink.url.replace(encodeURIComponent('the-right-password'), SECRET), from: 'tollgate@gateway.test' });
    const created = await invite(gw, 'refused@example.com');
    expect(created.status).toBe(200);
    expect(created.body.email_sent).toBe(false);
    expect(sink.received).toHaveLength(0);
    const failure = gw.logs().split('\n').find((l) => l.includes('e-mail not sent'));
    expect(JSON.parse(failure!)).toMatchObject({ err: { code: 'EAUTH', response_code: 535 } });
    expect(gw.logs()).not.toContain(SECRET);
  });

  it('without smtp.url: email_sent is null and no mail server hears from the gateway', async () => {
    const sink = await sinkFor(SECRET);
    const gw = await gateway();
    const created = await invite(gw, 'quiet@example.com');
    expect(created.status).toBe(200);
    expect(created.body.email_sent).toBeNull();
    await gw.admin('PUT', `/admin/v1/organizations/${gw.orgId}/billing`, { hard_limit_usd: 10 });
    const asked = await gw.admin('POST', `/admin/v1/organizations/${gw.orgId}/quota_requests`, { hard_limit_usd: 30, reason: 'x' });
    expect((await gw.admin('POST', `/admin/v1/quota_requests/${asked.body.id}/reject`, { note: 'no' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.received).toHaveLength(0);
    expect(gw.logs()).not.toContain('e-mail');
  });
});
