/**
 * `GET /console/api/api_keys`: the console's API keys page reads the organization's keys a page
 * at a time with their projects, however many projects there are. It lists exactly what the
 * Administration API lists project by project (live keys of active projects whose owner may use
 * them), newest first, with OpenAI's cursor paging, so a key past the first hundred is reached;
 * with `owner_project_access` and `include_archived`, what the project lists list with them, of
 * archived projects too (the Usage page's names). `GET /console/api/service_accounts` is the
 * project lists of service accounts in one list the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { Browser, ownerSession } from './browser.js';

const PASSWORD = 'correct horse battery staple';

describe('the console list of the organization keys', () => {
  let gw: TestGateway;
  let owner: Browser;
  const projects: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    owner = await ownerSession(gw, PASSWORD);
    for (let i = 0; i < 30; i++) projects.push((await owner.call('POST', '/v1/organization/projects', { name: `p${String(i).padStart(2, '0')}` })).body.id);
    // 105 keys spread over the 30 projects, besides the test gateway's own in the Default project.
    for (let i = 0; i < 105; i++) {
      const made = await gw.admin('POST', '/admin/v1/keys', { organization_id: gw.orgId, user_id: gw.userId, name: `k${String(i).padStart(3, '0')}`, project_id: projects[i % projects.length] });
      expect(made.status).toBe(200);
    }
  }, 60_000);
  afterAll(() => gw.close());

  /** Every page of the console's list, as the API keys page pages through it (`query`: more parameters, as the Usage page sends them). */
  async function consoleList(b: Browser, limit = 100, query = '', path = '/console/api/api_keys'): Promise<{ pages: number; keys: any[] }> {
    const keys: any[] = [];
    let pages = 0;
    for (let after: string | undefined; ; ) {
      const r = await b.call('GET', `${path}?limit=${limit}${query}${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      pages++;
      keys.push(...r.body.data);
      expect(r.body.first_id).toBe(r.body.data[0]?.id ?? null);
      expect(r.body.last_id).toBe(r.body.data.at(-1)?.id ?? null);
      if (!r.body.has_more) return { pages, keys };
      after = r.body.last_id;
    }
  }

  /**
   * What the Administration API lists, project by project (its default: owners with access, active
   * projects); `access` and `archived` as the Usage page asks; `list` the project's list read.
   */
  async function perProject(access = 'active', archived = false, list = 'api_keys'): Promise<Map<string, any>> {
    const out = new Map<string, any>();
    const all = (await owner.call('GET', `/v1/organization/projects?limit=100&include_archived=${archived}`)).body.data as { id: string; name: string }[];
    for (const p of all) {
      for (let after: string | undefined; ; ) {
        const r = await owner.call('GET', `/v1/organization/projects/${p.id}/${list}?limit=100${list === 'api_keys' ? `&owner_project_access=${access}` : ''}${after ? `&after=${after}` : ''}`);
        for (const k of r.body.data) out.set(k.id, { ...k, project: { id: p.id, name: p.name } });
        if (!r.body.has_more) break;
        after = r.body.last_id;
      }
    }
    return out;
  }

  it('pages through every key, newest first, each with its project: the per-project lists in one list', async () => {
    const first = await owner.call('GET', '/console/api/api_keys?limit=100');
    expect(first.body).toMatchObject({ object: 'list', has_more: true });
    expect(first.body.data).toHaveLength(100);
    const { pages, keys } = await consoleList(owner);
    expect(pages).toBe(2);
    expect(keys).toHaveLength(106);
    // Newest first: the first key made is on the second page.
    expect(keys.at(-1).id).toBe(gw.keyId);
    expect(keys.at(-2).name).toBe('k000');
    expect(keys.slice(0, 100).map((k) => k.name)).not.toContain('k000');
    const created = keys.map((k) => k.created_at);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(new Map(keys.map((k) => [k.id, k]))).toEqual(await perProject());
    // The default page size is 20, and any size pages the same list.
    expect((await owner.call('GET', '/console/api/api_keys')).body.data).toHaveLength(20);
    expect((await consoleList(owner, 7)).keys.map((k) => k.id)).toEqual(keys.map((k) => k.id));
  });

  it('leaves out what the project lists leave out: revoked keys, archived projects, owners who lost access, deleted service accounts', async () => {
    const before = (await consoleList(owner)).keys;
    const revoked = before.find((k) => k.name === 'k010');
    expect((await owner.call('DELETE', `/v1/organization/projects/${revoked.project.id}/api_keys/${revoked.id}`)).status).toBe(200);
    const archivedProject = projects[29]!;
    expect((await owner.call('POST', `/v1/organization/projects/${archivedProject}/archive`)).status).toBe(200);
    const sa = await owner.call('POST', `/v1/organization/projects/${projects[0]}/service_accounts`, { name: 'bot' });
    // A reader with a key in a project she then leaves.
    const invite = await owner.call('POST', '/v1/organization/invites', { email: 'lea@test.local', role: 'reader', projects: [{ id: projects[1], role: 'member' }] });
    const lea = new Browser(gw.url);
    await lea.call('POST', '/console/api/invites/accept', { token: invite.body.token, name: 'Lea', password: PASSWORD });
    const leas = await lea.call('POST', '/console/api/api_keys', { name: 'lea key', project_id: projects[1] });
    const listed = (await consoleList(owner)).keys.map((k) => k.id);
    expect(listed).toContain(leas.body.id);
    expect(listed).toContain(sa.body.api_key.id);
    expect((await owner.call('DELETE', `/v1/organization/projects/${projects[1]}/users/${leas.body.owner.user.id}`)).status).toBe(200);
    expect((await owner.call('DELETE', `/v1/organization/projects/${projects[0]}/service_accounts/${sa.body.id}`)).status).toBe(200);

    const after = (await consoleList(owner)).keys;
    const ids = after.map((k) => k.id);
    expect(ids).not.toContain(revoked.id);
    expect(ids).not.toContain(leas.body.id);
    expect(ids).not.toContain(sa.body.api_key.id);
    expect(after.filter((k) => k.project.id === archivedProject)).toEqual([]);
    expect(new Map(after.map((k) => [k.id, k]))).toEqual(await perProject());
    // A reader reads the same list (readers read the project lists too); a signed-out visitor nothing.
    expect((await consoleList(lea)).keys.map((k) => k.id)).toEqual(ids);
    expect((await new Browser(gw.url).call('GET', '/console/api/api_keys')).status).toBe(401);
  });

  it("with owner_project_access and include_archived, lists what the project lists list of every project, archived ones too (the Usage page's names)", async () => {
    // After the test above: an archived project, a reader's key she may no longer use.
    for (const access of ['any', 'inactive', 'active']) {
      for (const archived of [true, false]) {
        const { keys } = await consoleList(owner, 100, `&owner_project_access=${access}&include_archived=${archived}`);
        expect(new Map(keys.map((k) => [k.id, k])), `${access} ${archived}`).toEqual(await perProject(access, archived));
        const created = keys.map((k) => k.created_at);
        expect(created).toEqual([...created].sort((a, b) => b - a));
      }
    }
    const any = (await consoleList(owner, 100, '&owner_project_access=any&include_archived=true')).keys;
    expect(any.filter((k) => k.project.id === projects[29])).toHaveLength(3);
    expect(any.filter((k) => k.owner_project_access === 'inactive').map((k) => k.name)).toEqual(['lea key']);
    // Paged at any size, the same list.
    expect((await consoleList(owner, 9, '&owner_project_access=any&include_archived=true')).keys.map((k) => k.id)).toEqual(any.map((k) => k.id));
    const bad = await owner.call('GET', '/console/api/api_keys?owner_project_access=some');
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('owner_project_access');
    expect((await owner.call('GET', '/console/api/api_keys?include_archived=yes')).body.error.param).toBe('include_archived');
  });

  it('GET /console/api/service_accounts: the service accounts of every project in one list, newest first, archived projects with include_archived', async () => {
    // Service accounts in two projects, and one in a project then archived.
    const made: string[] = [];
    for (const p of [projects[2]!, projects[3]!]) made.push((await owner.call('POST', `/v1/organization/projects/${p}/service_accounts`, { name: `sa of ${p}` })).body.id);
    const later = (await owner.call('POST', '/v1/organization/projects', { name: 'archived later' })).body.id as string;
    const archivedSa = (await owner.call('POST', `/v1/organization/projects/${later}/service_accounts`, { name: 'sa archived' })).body.id as string;
    expect((await owner.call('POST', `/v1/organization/projects/${later}/archive`)).status).toBe(200);
    const ids = async (archived: boolean) => (await consoleList(owner, 100, `&include_archived=${archived}`, '/console/api/service_accounts')).keys.map((a) => a.id);
    expect(await ids(false)).not.toContain(archivedSa);
    expect(await ids(true)).toContain(archivedSa);
    for (const archived of [false, true]) {
      const { keys: accounts, pages } = await consoleList(owner, 1, `&include_archived=${archived}`, '/console/api/service_accounts');
      expect(pages).toBeGreaterThan(1);
      const listed = new Map(accounts.map((a) => [a.id, a]));
      expect(listed, String(archived)).toEqual(await perProject('active', archived, 'service_accounts'));
      const created = accounts.map((a) => a.created_at);
      expect(created).toEqual([...created].sort((a, b) => b - a));
      for (const id of made) expect(listed.get(id)).toMatchObject({ object: 'organization.project.service_account', project: { id: expect.any(String), name: expect.any(String) } });
    }
    // The deleted one of the test above is not there; a reader reads the list; a signed-out visitor not.
    const lea = new Browser(gw.url);
    expect((await lea.signIn('lea@test.local', PASSWORD)).status).toBe(200);
    expect((await consoleList(lea, 100, '', '/console/api/service_accounts')).keys.map((a) => a.id)).toEqual((await consoleList(owner, 100, '', '/console/api/service_accounts')).keys.map((a) => a.id));
    expect((await new Browser(gw.url).call('GET', '/console/api/service_accounts')).status).toBe(401);
    expect((await owner.call('GET', '/console/api/service_accounts?after=user_nope')).status).toBe(404);
    expect((await owner.call('GET', '/console/api/service_accounts?order=asc')).status).toBe(400);
  });

  it('refuses a page size out of range and a cursor that names no key, as the Administration API does', async () => {
    const big = await owner.call('GET', '/console/api/api_keys?limit=101');
    expect(big.status).toBe(400);
    expect(big.body.error.param).toBe('limit');
    const unknown = await owner.call('GET', '/console/api/api_keys?after=key_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.param).toBe('after');
    expect((await owner.call('GET', '/console/api/api_keys?sort=name')).status).toBe(400);
    // Another organization's key is no cursor here.
    const other = await gw.newTenant('elsewhere');
    const theirs = await gw.admin('GET', `/admin/v1/keys?organization_id=${other.orgId}`);
    expect((await owner.call('GET', `/console/api/api_keys?after=${theirs.body.data[0].id}`)).status).toBe(404);
  });
});
