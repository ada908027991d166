/**
 * A member's own API key made in the console works with the official SDK at once; the projects a
 * member may make keys in are listed for them, and they revoke their own keys (no one else's);
 * the operator sets a password from the CLI (read as a secret, never from argv) and the user
 * signs in with it.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from 'tollgate';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser } from './browser.js';

const PASSWORD = 'correct horse battery staple';

describe('console keys and the set-password command', () => {
  let gw: TestGateway;
  let email: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    email = (await gw.admin('GET', `/admin/v1/users/${gw.userId}`)).body.email;
  });
  afterAll(() => gw.close());

  async function setPassword(argv: string[], secret: string | undefined) {
    let stdout = '';
    let stderr = '';
    const prompts: string[] = [];
    const code = await runCli(['users', 'set-password', ...argv], {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      env: { TOLLGATE_URL: gw.url, TOLLGATE_ADMIN_KEY: ADMIN_KEY },
      ...(secret === undefined
        ? {}
        : {
            readSecret: async (prompt: string) => {
              prompts.push(prompt);
              return secret;
            },
          }),
    });
    return { code, stdout, stderr, prompts };
  }

  it('tollgate users set-password <email> reads the password as a secret; the user then signs in', async () => {
    expect((await new Browser(gw.url).signIn(email, PASSWORD)).status).toBe(401);
    const r = await setPassword([email.toUpperCase()], PASSWORD);
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual([`New console password for ${email}: `]);
    expect(r.stdout).toContain(gw.userId);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect((await new Browser(gw.url).signIn(email, PASSWORD)).status).toBe(200);

    const unknown = await setPassword(['nobody@nowhere.test'], PASSWORD);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user has the email nobody@nowhere.test');
    const weak = await setPassword([email], 'short');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('Passwords must be between 12 and 256 characters long.');
    // --operator opens /admin/v1 to the user's session.
    expect((await setPassword([email, '--operator'], PASSWORD)).code).toBe(0);
    const b = new Browser(gw.url);
    await b.signIn(email, PASSWORD);
    expect((await b.call('GET', '/admin/v1/organizations')).status).toBe(200);
  });

  it('a key made in the console is shown once and works with the SDK; a reader may make one too', async () => {
    await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
    const b = new Browser(gw.url);
    await b.signIn(email, PASSWORD);
    const noCsrf = await b.call('POST', '/console/api/api_keys', { name: 'laptop' }, { csrf: false });
    expect(noCsrf.status).toBe(403);
    const made = await b.call('POST', '/console/api/api_keys', { name: 'laptop' });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ object: 'organization.project.api_key', name: 'laptop', owner: { type: 'user', user: { id: gw.userId } } });
    expect(made.body.value).toMatch(/^sk-proj-/);
    expect(made.body.redacted_value).not.toBe(made.body.value);
    const sdk = new OpenAI({ apiKey: made.body.value, baseURL: gw.baseURL });
    const chat = await sdk.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.choices[0]!.message.content).toEqual(expect.any(String));
    // Listed afterwards with its redacted value only.
    const project = (await b.call('GET', '/v1/organization/projects')).body.data.find((p: { name: string }) => p.name === 'Default project');
    const listed = await b.call('GET', `/v1/organization/projects/${project.id}/api_keys`);
    const row = listed.body.data.find((k: { id: string }) => k.id === made.body.id);
    expect(JSON.stringify(row)).not.toContain(made.body.value);

    const bad = await b.call('POST', '/console/api/api_keys', { name: 'x', permissions: 'restricted' });
    expect(bad.status).toBe(400);
    expect((await b.call('POST', '/console/api/api_keys', { name: 'x', project_id: 'proj_nope' })).status).toBe(404);

    const invite = await b.call('POST', '/v1/organization/invites', { email: 'reader-key@test.local', role: 'reader' });
    const reader = new Browser(gw.url);
    await reader.call('POST', '/console/api/invites/accept', { token: invite.body.token, name: 'Reader', password: PASSWORD });
    const readerKey = await reader.call('POST', '/console/api/api_keys', { name: 'reader key', permissions: 'read_only' });
    expect(readerKey.status).toBe(200);
    const models = await new OpenAI({ apiKey: readerKey.body.value, baseURL: gw.baseURL }).models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it("a member's projects are the ones they may make keys in; they revoke their own keys and no one else's", async () => {
    await gw.admin('POST', `/admin/v1/users/${gw.userId}/password`, { password: PASSWORD });
    const owner = new Browser(gw.url);
    await owner.signIn(email, PASSWORD);
    const made = async (name: string) => (await owner.call('POST', '/v1/organization/projects', { name })).body.id as string;
    const [p1, p3, gone] = [await made('mine-P1'), await made('mine-P3'), await made('mine-archived')];
    await owner.call('POST', `/v1/organization/projects/${gone}/archive`);
    const invite = await owner.call('POST', '/v1/organization/invites', { email: 'dee@test.local', role: 'reader', projects: [{ id: p3, role: 'member' }] });
    const dee = new Browser(gw.url);
    const accepted = await dee.call('POST', '/console/api/invites/accept', { token: invite.body.token, name: 'Dee', password: PASSWORD });
    expect(accepted.status).toBe(200);

    // The reader: the Default project (every member reaches it) and P3, hers; not P1, not an archived one.
    const hers = await dee.call('GET', '/console/api/projects');
    expect(hers.status).toBe(200);
    expect(hers.body).toMatchObject({ object: 'list', has_more: false });
    expect(hers.body.data.map((p: any) => [p.name, p.is_default, p.role])).toEqual([
      ['Default project', true, null],
      ['mine-P3', false, 'member'],
    ]);
    expect(hers.body.data[1]).toMatchObject({ object: 'organization.project', id: p3, status: 'active' });
    // The owner: every active project.
    const all = (await owner.call('GET', '/console/api/projects')).body.data.map((p: any) => p.id);
    expect(all).toEqual(expect.arrayContaining([p1, p3]));
    expect(all).not.toContain(gone);
    // What the list says is what creation allows.
    expect((await dee.call('POST', '/console/api/api_keys', { name: 'in P1', project_id: p1 })).status).toBe(404);
    expect((await new Browser(gw.url).call('GET', '/console/api/projects')).status).toBe(401);

    // Her own key: revoked at once (the SDK is refused), recorded as hers; then 404.
    const own = await dee.call('POST', '/console/api/api_keys', { name: 'dee-own', project_id: p3 });
    const sdk = new OpenAI({ apiKey: own.body.value, baseURL: gw.baseURL, maxRetries: 0 });
    expect((await sdk.models.list()).data.length).toBeGreaterThan(0);
    expect((await dee.call('DELETE', `/console/api/api_keys/${own.body.id}`, undefined, { csrf: false })).status).toBe(403);
    const revoked = await dee.call('DELETE', `/console/api/api_keys/${own.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ object: 'organization.project.api_key.deleted', id: own.body.id, deleted: true });
    await expect(sdk.models.list()).rejects.toMatchObject({ status: 401 });
    expect((await dee.call('DELETE', `/console/api/api_keys/${own.body.id}`)).status).toBe(404);
    const log = await owner.call('GET', '/v1/organization/audit_logs?event_types[]=api_key.deleted');
    expect(log.body.data.find((e: any) => e['api_key.deleted']?.id === own.body.id)?.actor).toMatchObject({ type: 'session', session: { user: { id: accepted.body.user.id } } });

    // Someone else's key, or a service account's: not hers to revoke, whatever she tries.
    const ownerKey = await owner.call('POST', '/console/api/api_keys', { name: 'owner-key' });
    const refused = await dee.call('DELETE', `/console/api/api_keys/${ownerKey.body.id}`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('resource_not_found');
    const sa = await owner.call('POST', `/v1/organization/projects/${p3}/service_accounts`, { name: 'bot' });
    expect((await dee.call('DELETE', `/console/api/api_keys/${sa.body.api_key.id}`)).status).toBe(404);
    // Through the Administration API it is an owner's change (403).
    const defaultProject = hers.body.data[0].id as string;
    expect((await dee.call('DELETE', `/v1/organization/projects/${defaultProject}/api_keys/${ownerKey.body.id}`)).status).toBe(403);
    const stillThere = await new OpenAI({ apiKey: ownerKey.body.value, baseURL: gw.baseURL, maxRetries: 0 }).models.list();
    expect(stillThere.data.length).toBeGreaterThan(0);
  });
});
