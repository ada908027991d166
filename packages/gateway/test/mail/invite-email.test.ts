/**
 * With SMTP configured, the invitee of a new invite gets one e-mail, from smtp.from, with the
 * link the owner sees (under the public URL's sub-path), the organization, the role and the
 * expiry; the link accepts the invite and the invitee becomes a member. A real SMTP server
 * (smtp-server, requiring the URL's user and password) receives the mail in this process.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../console/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const PUBLIC_URL = 'http://gateway.test/llm';
const FROM = 'Tollgate <tollgate@gateway.test>';
const PASSWORD = 'correct horse battery staple';

let sink: SmtpSink;
let gw: TestGateway;
let owner: Browser;

beforeAll(async () => {
  // Characters a URL must encode: the password reaches the server as it was set.
  sink = await startSmtpSink('mailer', 'sm7p p@ss/w0rd:%');
  gw = await startTestGateway({
    server: { host: '127.0.0.1', port: 0, public_url: PUBLIC_URL, shutdown_grace_ms: 2000 },
    smtp: { url: sink.url, from: FROM },
  });
  await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
  owner = new Browser(gw.url);
  await owner.signIn((await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email, PASSWORD);
});
afterAll(async () => {
  await gw.close();
  await sink.close();
});

/** The one link in a mail's text that opens the console's invite page. */
const linkIn = (text: string): string => {
  const links = text.match(/https?:\/\/\S+\/invite#token=\S+/g) ?? [];
  expect(links).toHaveLength(1);
  return links[0]!;
};

describe('invite e-mail', () => {
  it('the invitee receives the link the owner sees, opens it and joins', async () => {
    sink.received.length = 0;
    const created = await owner.call('POST', '/v1/organization/invites', { email: 'New.Member@Example.com', role: 'reader' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'organization.invite', email: 'new.member@example.com', role: 'reader', status: 'pending', email_sent: true });
    const [mail] = await sink.waitFor(1);
    // Nothing more arrives: one invite, one message.
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.received).toHaveLength(1);

    expect(mail!.envelopeTo).toEqual(['new.member@example.com']);
    expect(mail!.to).toBe('new.member@example.com');
    expect(mail!.envelopeFrom).toBe('tollgate@gateway.test');
    expect(mail!.from).toBe('"Tollgate" <tollgate@gateway.test>');
    expect(mail!.subject).toBe('You are invited to join test-org on Tollgate');
    expect(mail!.text).toContain('join the organization "test-org" on Tollgate as a reader');
    const expires = new Date(created.body.expires_at * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(mail!.text).toContain(`The invite expires on ${expires} UTC.`);

    // The same link the console shows the owner: the console page under the public URL's path.
    const link = linkIn(mail!.text);
    expect(link).toBe(`${PUBLIC_URL}/invite#token=${encodeURIComponent(created.body.token)}`);
    // The create answer carries the same link, for a client without a browser (the CLI).
    expect(created.body.invite_url).toBe(link);
    const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token')!;

    // What the invite page does with it (the proxy strips /llm before the gateway).
    const invitee = new Browser(gw.url);
    const page = await invitee.call('GET', `/console/api/invites/${encodeURIComponent(token)}`);
    expect(page.body).toMatchObject({ email: 'new.member@example.com', role: 'reader', organization: { id: gw.orgId, name: 'test-org' }, status: 'pending' });
    const joined = await invitee.call('POST', '/console/api/invites/accept', { token, name: 'New Member', password: PASSWORD });
    expect(joined.status).toBe(200);
    const members = await owner.call('GET', '/v1/organization/users?limit=100');
    expect(members.body.data.find((u: { email: string }) => u.email === 'new.member@example.com')).toMatchObject({ role: 'reader', name: 'New Member' });
  });

  it('the official SDK admin client creates an invite and reads email_sent', async () => {
    sink.received.length = 0;
    const t = await gw.newTenant('sdk-org', { adminKey: true });
    const client = new OpenAI({ adminAPIKey: t.adminKey!, apiKey: null as unknown as string, baseURL: gw.baseURL, maxRetries: 0 });
    const inv = (await client.admin.organization.invites.create({ email: 'sdk.person@example.com', role: 'owner' })) as OpenAI.Admin.Organization.Invite & { token: string; email_sent: boolean | null };
    expect(inv).toMatchObject({ object: 'organization.invite', email: 'sdk.person@example.com', role: 'owner', status: 'pending', email_sent: true });
    expect((await client.admin.organization.invites.retrieve(inv.id)).status).toBe('pending');
    const [mail] = await sink.waitFor(1);
    expect(mail!.envelopeTo).toEqual(['sdk.person@example.com']);
    expect(mail!.text).toContain('join the organization "sdk-org" on Tollgate as an owner');
    expect(linkIn(mail!.text)).toBe(`${PUBLIC_URL}/invite#token=${encodeURIComponent(inv.token)}`);
  });
});
