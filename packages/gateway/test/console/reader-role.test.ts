/**
 * A reader, as OpenAI's Reader: uses the API and cannot see billing or limits. Invited as
 * `reader` (the console's default role) into two projects, one as a member and one as the
 * project's owner, she accepts in the console and makes her own keys there; the official SDK gets
 * chat completions, embeddings and responses with them. Her admin-side attempts are still
 * refused, through the SDK's admin client too: her API key is not an admin key (401), and her
 * session is refused costs, spend limits, rate limits, the audit log and every change (403) but
 * one: as OpenAI's Reader, she invites other readers (into her own projects, as members).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../support/rejection.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser, ownerSession } from './browser.js';

const PASSWORD = 'correct horse battery staple';
const MISSING = /^You have insufficient permissions for this operation\. Missing scopes: /;

describe('a reader of the organization', () => {
  let gw: TestGateway;
  let owner: Browser;
  let reader: Browser;
  let team: string;
  let led: string;
  let other: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    owner = await ownerSession(gw, PASSWORD);
    const project = async (name: string) => (await owner.call('POST', '/v1/organization/projects', { name })).body.id as string;
    [team, led, other] = [await project('team'), await project('led'), await project('not hers')];
    const invite = await owner.call('POST', '/v1/organization/invites', {
      email: 'rhea@test.local',
      role: 'reader',
      projects: [
        { id: team, role: 'member' },
        { id: led, role: 'owner' },
      ],
    });
    expect(invite.status).toBe(200);
    reader = new Browser(gw.url);
    const accepted = await reader.call('POST', '/console/api/invites/accept', { token: invite.body.token, name: 'Rhea', password: PASSWORD });
    expect(accepted.body.user.role).toBe('reader');
  });
  afterAll(() => gw.close());

  /** A key the reader makes for herself on the console's API keys page. */
  async function ownKey(project: string, permissions: 'all' | 'restricted' | 'read_only', scopes?: string[]): Promise<OpenAI> {
    const made = await reader.call('POST', '/console/api/api_keys', { name: `${permissions} key`, project_id: project, permissions, ...(scopes ? { scopes } : {}) });
    expect(made.status).toBe(200);
    return new OpenAI({ apiKey: made.body.value, baseURL: gw.baseURL, maxRetries: 0 });
  }

  const chat = (c: OpenAI) => c.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });

  it("makes model requests with a key of permissions 'All' in a project she is a member or an owner of", async () => {
    for (const project of [team, led]) {
      const sdk = await ownKey(project, 'all');
      expect((await chat(sdk)).choices[0]!.message.content).toEqual(expect.any(String));
      expect((await sdk.embeddings.create({ model: 'sim-embed', input: 'hello' })).data).toHaveLength(1);
      const response = await sdk.responses.create({ model: 'sim-small', input: 'hi', max_output_tokens: 16 });
      expect(response.output_text).toEqual(expect.any(String));
      expect((await sdk.models.list()).data.length).toBeGreaterThan(0);
    }
  });

  it('a restricted key holds what it lists, a read-only key reads: the permissions decide, not her role', async () => {
    const requests = await ownKey(team, 'restricted', ['model.request']);
    expect((await chat(requests)).choices).toHaveLength(1);
    const listing = await rejection<InstanceType<typeof OpenAI.APIError>>(requests.models.list());
    expect(listing).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(listing.message).toMatch(/Missing scopes: api\.model\.read\./);

    const readOnly = await ownKey(team, 'read_only');
    expect((await readOnly.models.list()).data.length).toBeGreaterThan(0);
    const refused = await rejection<InstanceType<typeof OpenAI.APIError>>(chat(readOnly));
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused.message).toMatch(/Missing scopes: model\.request\./);
  });

  it('makes no key in a project she is not a member of', async () => {
    const r = await reader.call('POST', '/console/api/api_keys', { name: 'elsewhere', project_id: other });
    expect(r.status).toBe(404);
    expect(r.body.error.param).toBe('project_id');
  });

  it('is still refused billing, limits, the audit log and changes, through the SDK admin client as through the console', async () => {
    const key = await reader.call('POST', '/console/api/api_keys', { name: 'not an admin key', project_id: team });
    // Her API key is no admin key: the Administration API refuses it whatever it asks.
    const withKey = new OpenAI({ adminAPIKey: key.body.value, apiKey: null as unknown as string, baseURL: gw.baseURL, maxRetries: 0 }).admin.organization;
    for (const call of [() => withKey.usage.costs({ start_time: 1_700_000_000 }), () => withKey.spendLimit.retrieve(), () => withKey.projects.rateLimits.listRateLimits(team)]) {
      const e = await rejection<InstanceType<typeof OpenAI.APIError>>(call());
      expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    }

    // Her console session, sent by the SDK (no Authorization header, the session cookie).
    const withSession = new OpenAI({
      adminAPIKey: 'unused',
      apiKey: null as unknown as string,
      baseURL: gw.baseURL,
      maxRetries: 0,
      defaultHeaders: { authorization: null, cookie: reader.cookie! },
    }).admin.organization;
    const refusals: [string, () => Promise<unknown>][] = [
      ['costs', () => withSession.usage.costs({ start_time: 1_700_000_000 })],
      ['spend limit', () => withSession.spendLimit.retrieve()],
      ["a project's spend limit", () => withSession.projects.spendLimit.retrieve(team)],
      ["a project's rate limits", () => withSession.projects.rateLimits.listRateLimits(led)],
      ['the audit log', () => withSession.auditLogs.list()],
      ['admin keys', () => withSession.adminAPIKeys.list()],
    ];
    for (const [what, call] of refusals) {
      const e = await rejection<InstanceType<typeof OpenAI.APIError>>(call());
      expect(e, what).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(e.code, what).toBe('insufficient_permissions');
      expect(e.error, what).toMatchObject({ message: expect.stringMatching(MISSING) });
    }
    // A change is refused even in the project she owns (the CSRF token goes with it, as the console sends it).
    const change = await reader.call('POST', `/v1/organization/projects/${led}/rate_limits/rl-sim-small`, { max_requests_per_1_minute: 1 });
    expect(change.status).toBe(403);
    expect((await reader.call('GET', '/v1/organization/rate_limits')).status).toBe(403);
    expect((await reader.call('GET', '/console/api/billing')).status).toBe(403);
    // What she may read, she reads with the same client.
    expect((await withSession.projects.list()).data.map((p) => p.name)).toEqual(expect.arrayContaining(['team', 'led']));
  });

  /** `client.admin.organization` sending her console session (no Authorization header, her cookie and CSRF token). */
  const sessionClient = () =>
    new OpenAI({
      adminAPIKey: 'unused',
      apiKey: null as unknown as string,
      baseURL: gw.baseURL,
      maxRetries: 0,
      defaultHeaders: { authorization: null, cookie: reader.cookie!, 'x-csrf-token': reader.csrf! },
    }).admin.organization;

  it('invites another reader through the SDK admin client, into the Default project or a project of hers as a member', async () => {
    const sdk = sessionClient();
    const made = await sdk.invites.create({ email: 'remy@test.local', role: 'reader', projects: [{ id: team, role: 'member' }] });
    expect(made).toMatchObject({ object: 'organization.invite', email: 'remy@test.local', role: 'reader', status: 'pending', projects: [{ id: team, role: 'member' }] });
    const token = (made as unknown as { token: string }).token;
    expect(token).toMatch(/^inv_/);
    // Into the Default project (no projects named), and into the project she owns.
    expect((await sdk.invites.create({ email: 'dora@test.local', role: 'reader' })).role).toBe('reader');
    expect((await sdk.invites.create({ email: 'lev@test.local', role: 'reader', projects: [{ id: led, role: 'member' }] })).projects).toEqual([{ id: led, role: 'member' }]);

    // The invitee becomes a reader and a member of her project; the audit log names her as the inviter.
    const remy = new Browser(gw.url);
    const accepted = await remy.call('POST', '/console/api/invites/accept', { token, name: 'Remy', password: PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user.role).toBe('reader');
    const members = (await owner.call('GET', `/v1/organization/projects/${team}/users`)).body.data as { email: string; role: string }[];
    expect(members).toContainEqual(expect.objectContaining({ email: 'remy@test.local', role: 'member' }));
    const sent = (await owner.call('GET', '/v1/organization/audit_logs?event_types[]=invite.sent&limit=100')).body.data as any[];
    const hers = sent.find((e) => e['invite.sent'].id === made.id);
    expect(hers.actor.session.user.email).toBe('rhea@test.local');
  });

  it('is refused an owner invite with the error a reader gets for a change, and more than a member in a project of hers', async () => {
    const sdk = sessionClient();
    const refusals: [string, () => Promise<unknown>][] = [
      ['an owner', () => sdk.invites.create({ email: 'boss@test.local', role: 'owner' })],
      ['an owner into her project', () => sdk.invites.create({ email: 'boss@test.local', role: 'owner', projects: [{ id: team, role: 'member' }] })],
      ["a project's owner", () => sdk.invites.create({ email: 'lead@test.local', role: 'reader', projects: [{ id: led, role: 'owner' }] })],
      ['into a project not hers', () => sdk.invites.create({ email: 'far@test.local', role: 'reader', projects: [{ id: other, role: 'member' }] })],
      ['cancelling an invite', async () => sdk.invites.delete((await owner.call('POST', '/v1/organization/invites', { email: 'kept@test.local', role: 'reader' })).body.id)],
    ];
    for (const [what, call] of refusals) {
      const e = await rejection<InstanceType<typeof OpenAI.APIError>>(call());
      expect(e, what).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(e.code, what).toBe('insufficient_permissions');
      expect(e.error, what).toMatchObject({ message: expect.stringMatching(MISSING), type: 'invalid_request_error', param: null });
      expect((e.error as { message: string }).message, what).toContain('Missing scopes: api.management.write.');
    }
    const pending = (await owner.call('GET', '/v1/organization/invites?limit=100')).body.data as { email: string }[];
    expect(pending.map((i) => i.email)).not.toEqual(expect.arrayContaining(['boss@test.local']));
    expect(pending.map((i) => i.email).filter((e) => ['boss@test.local', 'lead@test.local', 'far@test.local'].includes(e))).toEqual([]);
    // Without the CSRF token her session's invite is refused as any forged change.
    expect((await reader.call('POST', '/v1/organization/invites', { email: 'forged@test.local', role: 'reader' }, { csrf: false })).status).toBe(403);
  });
});
