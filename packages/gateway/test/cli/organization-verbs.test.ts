/**
 * The organization verbs of the CLI (projects, service accounts, invites, admin keys, request
 * lookup) run against a real gateway, from the operator's first steps (`orgs create` with an
 * owner, `orgs admin-key`) to an owner's: output, exit codes, and secrets shown only once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGANIZATION_COMMANDS } from '../../src/organization/cli.js';
import { cliRunner } from '../support/cli.js';
import { freePort } from '../support/redis-server.js';
import { ADMIN_KEY, PUBLIC_URL, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;

interface Tenant {
  orgId: string;
  ownerId: string;
  adminKey: string;
}
let acme: Tenant;
let other: Tenant;

/** Acme's admin key by default; `printed` is every output so far: a secret must appear once, in its create output. */
const { cli, json, printed } = cliRunner(() => ({ TOLLGATE_URL: gw.url, TOLLGATE_ADMIN_KEY: ADMIN_KEY, TOLLGATE_ORG_ADMIN_KEY: acme?.adminKey }));

/** How many times `secret` was printed so far. */
const timesPrinted = (secret: string) => printed.join('\n').split(secret).length - 1;

/** The operator's first steps, through the CLI: an organization with its owner, and its admin key. */
async function newOrganization(name: string, email: string): Promise<Tenant> {
  const created = await cli(['orgs', 'create', '--name', name, '--owner-email', email, '--owner-name', name]);
  expect(created.code).toBe(0);
  const orgId = /^id:\s+(\S+)$/m.exec(created.stdout)![1]!;
  const ownerId = new RegExp(`^owner:\\s+(\\S+) \\(${email}\\)$`, 'm').exec(created.stdout)?.[1];
  expect(ownerId).toMatch(/^user-/);
  const key = await cli(['orgs', 'admin-key', orgId, '--name', `${name} owner`]);
  expect(key.code).toBe(0);
  const adminKey = /^(sk-admin-[A-Za-z0-9_-]{43})$/m.exec(key.stdout)?.[1];
  expect(adminKey).toBeDefined();
  expect(key.stdout).toContain('This is the only time the admin key is shown.');
  expect(key.stdout).toMatch(new RegExp(`^owner\\.id:\\s+${ownerId}$`, 'm'));
  return { orgId, ownerId: ownerId!, adminKey: adminKey! };
}

beforeAll(async () => {
  gw = await startTestGateway();
  acme = await newOrganization('Acme', 'ana@acme.test');
  other = await newOrganization('Other', 'olga@other.test');
});
afterAll(() => gw.close());

const chat = (key: string, headers: Record<string, string> = {}) =>
  fetch(`${gw.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }),
  });

describe('tollgate organization verbs', () => {
  it('orgs admin-key: an unknown organization or an owner who is not one is an API error naming the parameter', async () => {
    const unknown = await cli(['orgs', 'admin-key', 'org-nope', '--name', 'x']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('org-nope');
    const notOwner = await cli(['orgs', 'admin-key', acme.orgId, '--name', 'x', '--owner', other.ownerId]);
    expect(notOwner.code).toBe(1);
    expect(notOwner.stderr).toMatch(/param: owner_user_id\)\n$/);
    expect(notOwner.stdout).not.toMatch(/sk-admin-/);
    const nameOnly = await cli(['orgs', 'create', '--name', 'Nobody', '--owner-name', 'Nobody']);
    expect(nameOnly.code).toBe(2);
    expect(nameOnly.stderr).toMatch(/^error: --owner-name needs --owner-email/);
  });

  it('projects: create, list, get, update, archive (with --include-archived); another organization cannot see them', async () => {
    const created = await cli(['projects', 'create', '--name', 'Team X']);
    expect(created.code).toBe(0);
    const id = /^id:\s+(proj_\S+)$/m.exec(created.stdout)?.[1];
    expect(id).toBeDefined();
    expect(created.stdout).toMatch(/^status:\s+active$/m);

    expect((await json(['projects', 'get', id!])).name).toBe('Team X');
    expect((await cli(['projects', 'update', id!, '--name', 'Team Y'])).stdout).toMatch(/^name:\s+Team Y$/m);
    const listed = await cli(['projects', 'list']);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+CREATED\s+ARCHIVED\n/);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+Team Y\\s+active\\s`, 'm'));
    expect(listed.stdout).toContain('Default project');

    const archived = await cli(['projects', 'archive', id!]);
    expect(archived.stdout).toMatch(/^status:\s+archived$/m);
    expect((await cli(['projects', 'list'])).stdout).not.toContain(id!);
    expect((await json(['projects', 'list', '--include-archived'])).data.map((p: { id: string }) => p.id)).toContain(id);
    const page = await cli(['projects', 'list', '--include-archived', '--limit', '1']);
    expect(page.stdout).toMatch(/^more: --after proj_/m);

    const foreign = await cli(['projects', 'get', id!], { TOLLGATE_ORG_ADMIN_KEY: other.adminKey });
    expect(foreign).toMatchObject({ code: 1, stdout: '' });
    expect(foreign.stderr).toMatch(/^error: No such project: proj_\S+ \(resource_not_found\)\n$/);
  });

  it('org-users: list, get, update, remove; the last owner stays', async () => {
    const listed = await cli(['org-users', 'list']);
    expect(listed.stdout).toMatch(/^USER\s+EMAIL\s+NAME\s+ROLE\s+ADDED\n/);
    expect(listed.stdout).toMatch(new RegExp(`^${acme.ownerId}\\s+ana@acme\\.test\\s+Acme\\s+owner\\s`, 'm'));
    const lastOwner = await cli(['org-users', 'update', acme.ownerId, '--role', 'reader']);
    expect(lastOwner.code).toBe(1);
    expect(lastOwner.stderr).toContain('last owner');

    // A second member, through an invite accepted as the console would.
    const token = /\/invite#token=(inv_\S+)$/m.exec((await cli(['invites', 'create', '--email', 'cy@acme.test', '--role', 'reader'])).stdout)![1]!;
    const accepted = await fetch(`${gw.baseURL}/invites/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, name: 'Cy' }) });
    expect(accepted.status).toBe(200);
    const cy = (await json(['org-users', 'list', '--email', 'cy@acme.test'])).data;
    expect(cy).toMatchObject([{ email: 'cy@acme.test', role: 'reader' }]);
    expect((await cli(['org-users', 'update', cy[0].id, '--role', 'owner'])).stdout).toMatch(/^role:\s+owner$/m);
    expect((await json(['org-users', 'get', cy[0].id])).role).toBe('owner');
    expect((await cli(['org-users', 'remove', cy[0].id])).stdout).toBe(`removed ${cy[0].id}\n`);
    expect((await cli(['org-users', 'get', cy[0].id])).code).toBe(1);
    expect((await cli(['org-users', 'get', acme.ownerId], { TOLLGATE_ORG_ADMIN_KEY: other.adminKey })).code).toBe(1);
  });

  it('projects users: add, list, get, update, remove', async () => {
    const p = await json(['projects', 'create', '--name', 'people']);
    const added = await cli(['projects', 'users', 'add', p.id, 'ana@acme.test', '--role', 'member']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^role:\s+member$/m);
    const listed = await cli(['projects', 'users', 'list', p.id]);
    expect(listed.stdout).toMatch(new RegExp(`^${acme.ownerId}\\s+ana@acme\\.test\\s+Acme\\s+member\\s`, 'm'));
    expect((await json(['projects', 'users', 'update', p.id, acme.ownerId, '--role', 'owner'])).role).toBe('owner');
    expect((await json(['projects', 'users', 'get', p.id, acme.ownerId])).role).toBe('owner');
    expect((await cli(['projects', 'users', 'remove', p.id, acme.ownerId])).stdout).toBe(`removed ${acme.ownerId}\n`);
    expect((await cli(['projects', 'users', 'list', p.id])).stdout).toBe('(none)\n');

    const stranger = await cli(['projects', 'users', 'add', p.id, other.ownerId, '--role', 'member']);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toContain(`No such user: ${other.ownerId}`);
  });

  it('service-accounts: the key is printed once by create, works at once, and stops when the account is deleted; request lookup shows every field', async () => {
    const p = await json(['projects', 'create', '--name', 'bots']);
    const created = await cli(['service-accounts', 'create', '--project', p.id, '--name', 'ci-bot']);
    expect(created.code).toBe(0);
    const key = /^(sk-svcacct-\S+)$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout).toContain('This is the only time the key is shown.');
    const saId = /^id:\s+(\S+)$/m.exec(created.stdout)![1]!;
    expect(created.stdout).toMatch(/^api_key\.id:\s+\S+$/m);
    // What the key may do is said, though OpenAI's answer does not carry it: the first key has every scope.
    expect(created.stdout).toMatch(/^api_key\.scopes:\s+all$/m);

    const res = await chat(key!);
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;

    expect((await cli(['service-accounts', 'list', '--project', p.id])).stdout).toMatch(new RegExp(`^${saId}\\s+ci-bot\\s+member\\s`, 'm'));
    expect((await json(['service-accounts', 'get', saId, '--project', p.id])).name).toBe('ci-bot');
    const keys = await cli(['projects', 'keys', 'list', p.id]);
    expect(keys.stdout).toMatch(new RegExp(`service account ${saId}\\s+active`));
    expect(keys.stdout).toContain(`...${key!.slice(-4)}`);
    const keyId = (await json(['projects', 'keys', 'list', p.id])).data[0].id;
    expect((await json(['projects', 'keys', 'get', p.id, keyId])).owner.service_account.id).toBe(saId);

    // The request, as the ledger has it: the human output names every field the JSON has.
    await gw.gateway.services.ledger.flush();
    const shown = await cli(['requests', 'show', requestId]);
    expect(shown.code).toBe(0);
    const body = await json(['requests', 'show', requestId]);
    expect(body).toMatchObject({ id: requestId, model: 'sim-small', api_key_id: keyId });
    const leaves = (o: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
    for (const field of leaves(body).filter((f) => !/(^|\.)object$/.test(f))) expect(shown.stdout).toMatch(new RegExp(`^${field.replaceAll('.', '\\.')}:`, 'm'));
    expect(shown.stdout).toMatch(new RegExp(`^id:\\s+${requestId}$`, 'm'));
    expect(shown.stdout).toMatch(/^created_at:\s+\d{4}-\d\d-\d\dT/m);
    const foreign = await cli(['requests', 'show', requestId], { TOLLGATE_ORG_ADMIN_KEY: other.adminKey });
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('No such request');
    // A failed request shows the code the client got, and the catalog entry apart (the code was the entry's name).
    const limited = await chat(key!, { 'x-tollgate-fault': 'rate_limit_requests' });
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limit_exceeded');
    await gw.gateway.services.ledger.flush();
    const failed = await cli(['requests', 'show', limited.headers.get('x-request-id')!]);
    expect(failed.stdout).toMatch(/^error\.code:\s+rate_limit_exceeded$/m);
    expect(failed.stdout).toMatch(/^error\.catalog_id:\s+rate_limit_requests$/m);

    const updated = await cli(['service-accounts', 'update', saId, '--project', p.id, '--name', 'deploy-bot', '--role', 'owner']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/^name:\s+deploy-bot$/m);
    expect(updated.stdout).toMatch(/^role:\s+owner$/m);
    const more = await cli(['service-accounts', 'keys', 'create', saId, '--project', p.id, '--name', 'reads', '--scopes', 'api.model.read']);
    expect(more.code).toBe(0);
    const second = /^(sk-svcacct-\S+)$/m.exec(more.stdout)?.[1];
    expect(second).toBeDefined();
    expect(more.stdout).toContain('This is the only time the key is shown.');
    expect(more.stdout).toMatch(/^name:\s+reads$/m);
    expect(more.stdout).toMatch(/^scopes:\s+api\.model\.read$/m);
    expect((await cli(['service-accounts', 'keys', 'create', saId, '--project', p.id])).stdout).toMatch(/^scopes:\s+all$/m);
    expect((await chat(second!)).status).toBe(401);
    const badScope = await cli(['service-accounts', 'keys', 'create', saId, '--project', p.id, '--scopes', 'api.everything']);
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toContain('param: scopes[0]');

    expect((await cli(['service-accounts', 'delete', saId, '--project', p.id])).stdout).toBe(`deleted ${saId}\n`);
    expect((await chat(key!)).status).toBe(401);
    expect(timesPrinted(key!)).toBe(1);
    expect(timesPrinted(second!)).toBe(1);
  });

  it('projects rate-limits: list, lower a limit; above the organization is refused by the gateway, "unlimited" by the CLI', async () => {
    const p = await json(['projects', 'create', '--name', 'limited']);
    const listed = await cli(['projects', 'rate-limits', 'list', p.id]);
    expect(listed.stdout).toMatch(/^MODEL\s+RPM\s+TPM\s+RPD\s+TPD\n/);
    expect(listed.stdout).toMatch(/^sim-small\s+unlimited\s+unlimited/m);
    const set = await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--rpm', '5']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^sim-small\s+5\s+unlimited/m);
    expect((await json(['projects', 'rate-limits', 'list', p.id])).data.find((l: { model: string }) => l.model === 'sim-small').max_requests_per_1_minute).toBe(5);

    // The operator lowers the organization's limit; the project cannot go above it.
    expect((await cli(['limits', 'set', acme.orgId, 'sim-small', '--rpm', '100'])).code).toBe(0);
    const above = await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--rpm', '101']);
    expect(above).toMatchObject({ code: 1, stdout: '' });
    expect(above.stderr).toMatch(/\(\w+; param: max_requests_per_1_minute\)\n$/);
    expect((await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--rpm', '100'])).stdout).toMatch(/^sim-small\s+100\s/m);
    expect((await cli(['limits', 'reset', acme.orgId, 'sim-small'])).code).toBe(0);

    const unlimited = await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--rpm', 'unlimited']);
    expect(unlimited.code).toBe(2);
    expect(unlimited.stderr).toMatch(/^error: --rpm: expected a whole number/);
    const unknown = await cli(['projects', 'rate-limits', 'update', p.id, 'no-such-model', '--rpm', '1']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('rl-no-such-model');
  });

  it("projects rate-limits update: none removes the project's own value, so the organization's applies again", async () => {
    const p = await json(['projects', 'create', '--name', 'inheriting']);
    const row = async () => (await json(['projects', 'rate-limits', 'list', p.id])).data.find((l: { model: string }) => l.model === 'sim-small');
    expect((await cli(['limits', 'set', acme.orgId, 'sim-small', '--rpm', '100', '--tpm', '5000'])).code).toBe(0);
    expect((await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--rpm', '5', '--tpm', '1000'])).stdout).toMatch(/^sim-small\s+5\s+1000\s/m);
    expect(await row()).toMatchObject({ max_requests_per_1_minute: 5, max_tokens_per_1_minute: 1000, overridden_fields: ['max_requests_per_1_minute', 'max_tokens_per_1_minute'] });

    // none for one field: the organization's 100 is back for it; the other keeps the project's.
    const back = await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--rpm', 'none']);
    expect(back).toMatchObject({ code: 0, stderr: '' });
    expect(back.stdout).toMatch(/^sim-small\s+100\s+1000\s/m);
    expect(await row()).toMatchObject({ max_requests_per_1_minute: 100, max_tokens_per_1_minute: 1000, overridden_fields: ['max_tokens_per_1_minute'] });
    // The CLI sent a null, as the audit log records it.
    const audit = await json(['audit-logs', 'list', '--project', p.id, '--type', 'rate_limit.updated']);
    expect(audit.data[0]['rate_limit.updated'].changes_requested).toMatchObject({ max_requests_per_1_minute: null });
    // The last one: nothing of the project's is left.
    expect((await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--tpm', 'none'])).stdout).toMatch(/^sim-small\s+100\s+5000\s/m);
    expect(await row()).toMatchObject({ max_requests_per_1_minute: 100, max_tokens_per_1_minute: 5000, overridden_fields: [] });

    // Neither a word but none nor a number is sent; the help says what none does.
    const bad = await cli(['projects', 'rate-limits', 'update', p.id, 'sim-small', '--rpm', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --rpm: expected a whole number or "none"/);
    const help = await cli(['projects', 'rate-limits', 'update', '--help']);
    expect(help.stdout).toMatch(/--rpm N\|none\s.*none removes the project's own value/);
    expect((await cli(['limits', 'reset', acme.orgId, 'sim-small'])).code).toBe(0);
  });

  it('projects models and spend limits, the organization spend limit: set, get, delete', async () => {
    const p = await json(['projects', 'create', '--name', 'budgeted']);
    const allowed = await cli(['projects', 'models', 'set', p.id, '--allow', 'sim-small,sim-embed']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^mode:\s+allow_list\nmodel_ids:\s+sim-small,sim-embed\n$/);
    expect((await json(['projects', 'models', 'get', p.id])).model_ids).toEqual(['sim-small', 'sim-embed']);
    expect((await cli(['projects', 'models', 'delete', p.id])).stdout).toBe('deleted the model permissions\n');
    expect((await cli(['projects', 'models', 'get', p.id])).stdout).toMatch(/^mode:\s+deny_list\nmodel_ids:\s+-\n$/);
    const unknown = await cli(['projects', 'models', 'set', p.id, '--deny', 'no-such-model']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('model_ids[0]');

    const set = await cli(['projects', 'spend-limit', 'set', p.id, '--hard', '12.5']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^threshold_amount:\s+1250 cents \(USD 12\.50\)$/m);
    expect(set.stdout).toMatch(/^enforcement\.status:\s+enforcing$/m);
    expect((await json(['projects', 'spend-limit', 'get', p.id])).threshold_amount).toBe(1250);
    expect((await cli(['projects', 'spend-limit', 'delete', p.id])).code).toBe(0);
    // None set is no fault: said plainly, with how to set one, exit 0 (--json: null).
    const noProjectLimit = await cli(['projects', 'spend-limit', 'get', p.id]);
    expect(noProjectLimit).toMatchObject({ code: 0, stderr: '' });
    expect(noProjectLimit.stdout).toBe(`No spend limit is set for project ${p.id} (the organization's applies).\nSet one with: tollgate projects spend-limit set ${p.id} --hard USD\n`);
    // An unknown project is still an error.
    const unknownProject = await cli(['projects', 'spend-limit', 'get', 'proj_nope']);
    expect(unknownProject.code).toBe(1);
    expect(unknownProject.stderr).toMatch(/^error: No such project: proj_nope/);

    expect((await json(['spend-limit', 'set', '--hard', '$500'])).threshold_amount).toBe(50_000);
    expect((await json(['spend-limit', 'get'])).object).toBe('organization.spend_limit');
    const noOrgLimit = await cli(['spend-limit', 'get'], { TOLLGATE_ORG_ADMIN_KEY: other.adminKey });
    expect(noOrgLimit).toMatchObject({ code: 0, stderr: '' });
    expect(noOrgLimit.stdout).toMatch(/^No spend limit is set for the organization .*\nSet one with: tollgate spend-limit set --hard USD\n$/);
    expect(noOrgLimit.stdout).not.toMatch(/No such/);
    expect(await json(['spend-limit', 'get'], { TOLLGATE_ORG_ADMIN_KEY: other.adminKey })).toBeNull();
    expect((await cli(['spend-limit', 'delete'])).stdout).toBe('deleted the spend limit\n');

    // Under a hard limit the operator approved ($100), the organization's own is at most that.
    expect((await gw.admin('PUT', `/admin/v1/organizations/${acme.orgId}/billing`, { hard_limit_usd: 100 })).status).toBe(200);
    const above = await cli(['spend-limit', 'set', '--hard', '500']);
    expect(above.code).toBe(1);
    expect(above.stderr).toContain("Expected a value <= 10000, but got 50000 instead. (integer_above_max_value; param: threshold_amount)");
    // Said in the dollars --hard takes first: the API's amounts are cents.
    expect(above.stderr).toMatch(/^error: --hard \$500\.00 is above the most allowed, \$100\.00 a month \(threshold_amount is in cents\): Invalid 'threshold_amount'/);
    const aboveCents = await cli(['spend-limit', 'set', '--hard', '100.01']);
    expect(aboveCents.stderr).toMatch(/^error: --hard \$100\.01 is above the most allowed, \$100\.00 a month/);
    expect((await json(['spend-limit', 'set', '--hard', '100'])).threshold_amount).toBe(10_000);
    expect((await cli(['spend-limit', 'delete'])).code).toBe(0);
    expect((await gw.admin('GET', `/admin/v1/organizations/${acme.orgId}/billing`)).body).toMatchObject({ hard_limit_usd: 100, spend_limit_usd: null });
    expect((await gw.admin('PUT', `/admin/v1/organizations/${acme.orgId}/billing`, { hard_limit_usd: null })).status).toBe(200);
  });

  it('audit-logs: the changes made through the CLI, filtered by project and type', async () => {
    const p = await json(['projects', 'create', '--name', 'audited']);
    await json(['projects', 'update', p.id, '--name', 'audited 2']);
    const listed = await cli(['audit-logs', 'list', '--project', p.id]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+TIME\s+TYPE\s+ACTOR\s+OBJECT\s+PROJECT\n/);
    const types = [...listed.stdout.matchAll(/^\S+\s+\S+\s+(\S+)\s+ana@acme\.test\s+(\S+)\s+(\S+)$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(types).toEqual([
      ['project.updated', p.id, p.id],
      ['project.created', p.id, p.id],
    ]);
    const created = await json(['audit-logs', 'list', '--project', p.id, '--type', 'project.created']);
    expect(created.data.map((e: { type: string }) => e.type)).toEqual(['project.created']);
    expect((await json(['audit-logs', 'list', '--project', p.id], { TOLLGATE_ORG_ADMIN_KEY: other.adminKey })).data).toEqual([]);
  });

  it('invites: create prints the token once; list, get, delete', async () => {
    const p = await json(['projects', 'create', '--name', 'invited']);
    const created = await cli(['invites', 'create', '--email', 'bo@acme.test', '--role', 'reader', '--projects', `${p.id}:owner`]);
    expect(created.code).toBe(0);
    // The link the console would give (it ended with the API call only), the token in it.
    const link = new RegExp(`^${PUBLIC_URL.replaceAll('.', '\\.')}/invite#token=(inv_\\S+)$`, 'm').exec(created.stdout);
    expect(link, created.stdout).not.toBeNull();
    const token = link![1];
    expect(created.stdout).toContain('This is the only time the invite link is shown.');
    expect(created.stdout).toContain('The invitee can also accept with POST /v1/invites/accept');
    expect(created.stdout).toMatch(/^status:\s+pending$/m);
    const id = /^id:\s+(\S+)$/m.exec(created.stdout)![1]!;

    expect((await cli(['invites', 'list'])).stdout).toMatch(new RegExp(`^${id}\\s+bo@acme\\.test\\s+reader\\s+pending\\s+${p.id}:owner\\s`, 'm'));
    expect((await json(['invites', 'get', id])).projects).toEqual([{ id: p.id, role: 'owner' }]);
    expect((await cli(['invites', 'delete', id])).stdout).toBe(`deleted ${id}\n`);
    expect((await cli(['invites', 'get', id])).code).toBe(1);
    expect(timesPrinted(token!)).toBe(1);

    const bad = await cli(['invites', 'create', '--email', 'not-an-email', '--role', 'reader']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('email');
  });

  it('admin-keys: create prints the value once; list and get are redacted; a deleted key is refused at once', async () => {
    const created = await cli(['admin-keys', 'create', '--name', 'ci', '--expires-at', '+1d']);
    expect(created.code).toBe(0);
    const value = /^(sk-admin-[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(value).toBeDefined();
    const id = /^id:\s+(\S+)$/m.exec(created.stdout)![1]!;
    expect(created.stdout).toMatch(/^expires_at:\s+\d{4}-/m);

    const listed = await cli(['admin-keys', 'list'], { TOLLGATE_ORG_ADMIN_KEY: value });
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+ci\\s+sk-admin\\.\\.\\.${value!.slice(-4)}\\s+${acme.ownerId}\\s`, 'm'));
    expect((await json(['admin-keys', 'get', id])).redacted_value).toBe(`sk-admin...${value!.slice(-4)}`);
    expect((await json(['admin-keys', 'list'], { TOLLGATE_ORG_ADMIN_KEY: other.adminKey })).data.map((k: { id: string }) => k.id)).not.toContain(id);

    expect((await cli(['admin-keys', 'delete', id])).stdout).toBe(`deleted ${id}\n`);
    const refused = await cli(['projects', 'list'], { TOLLGATE_ORG_ADMIN_KEY: value });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('invalid_api_key');
    expect(timesPrinted(value!)).toBe(1);
  });

  it('exit 2 for bad input, naming the option or argument', async () => {
    const cases: [string[], RegExp][] = [
      [['projects', 'users', 'add', 'proj_x', 'user-x', '--role', 'boss'], /--role: expected owner or member, got "boss"/],
      [['invites', 'create', '--email', 'a@b.test', '--role', 'member'], /--role: expected owner or reader/],
      [['invites', 'create', '--email', 'a@b.test', '--role', 'reader', '--projects', 'proj_x:boss'], /--projects: expected PROJECT_ID/],
      [['admin-keys', 'create', '--name', 'x', '--expires-at', '2001-01-01'], /--expires-at: must be in the future/],
      [['admin-keys', 'create', '--name', 'x', '--expires-at', 'soon'], /--expires-at: expected/],
      [['service-accounts', 'list'], /missing --project/],
      [['service-accounts', 'update', 'svc_acct_x', '--project', 'proj_x'], /nothing to update/],
      [['service-accounts', 'update', 'svc_acct_x', '--project', 'proj_x', '--role', 'boss'], /--role: expected owner or member/],
      [['projects', 'rate-limits', 'update', 'proj_x', 'sim-small'], /nothing to set/],
      [['requests', 'show', 'chatcmpl-1'], /<request_id>: expected a request id/],
      [['projects', 'users'], /missing a verb for projects users/],
      [['projects', 'users', 'fly'], /unknown verb "fly" for projects users/],
      [['projects', 'get'], /missing <project_id>/],
      [['projects', 'models', 'set', 'proj_x', '--allow', 'a', '--deny', 'b'], /give --allow or --deny/],
      [['projects', 'spend-limit', 'set', 'proj_x', '--hard', '0.001'], /--hard: expected a USD amount/],
      [['spend-limit', 'set', '--hard', 'lots'], /--hard: expected a USD amount/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.stderr).toMatch(message);
    }
    const noKey = await cli(['projects', 'list'], { TOLLGATE_ORG_ADMIN_KEY: undefined });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('TOLLGATE_ORG_ADMIN_KEY is not set');
    const operatorKey = await cli(['projects', 'list'], { TOLLGATE_ORG_ADMIN_KEY: ADMIN_KEY });
    expect(operatorKey.code).toBe(2);
    expect(operatorKey.stderr).toBe('error: TOLLGATE_ORG_ADMIN_KEY is not an organization admin key (sk-admin-...)\n');
  });

  it('exit 1 for a wrong admin key, exit 3 when the gateway cannot be reached', async () => {
    const wrong = await cli(['projects', 'list'], { TOLLGATE_ORG_ADMIN_KEY: `sk-admin-${'x'.repeat(43)}` });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: Incorrect API key provided/);
    const port = await freePort();
    const r = await cli(['requests', 'show', 'req_0'], { TOLLGATE_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot connect to http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('--help works for every verb without a key, naming the organization key', async () => {
    for (const resource of ['org-users', 'projects', 'service-accounts', 'invites', 'admin-keys', 'spend-limit', 'audit-logs', 'requests']) {
      const res = await cli([resource, '--help']);
      expect(res.stdout).toContain(`Usage: tollgate ${resource} <verb>`);
    }
    for (const c of ORGANIZATION_COMMANDS) {
      const words = [c.resource, ...c.verb.split(' ')];
      const res = await cli([...words, '--help'], { TOLLGATE_ORG_ADMIN_KEY: undefined, TOLLGATE_ADMIN_KEY: undefined });
      expect({ words, code: res.code }).toEqual({ words, code: 0 });
      expect(res.stdout).toContain(`Usage: tollgate ${words.join(' ')}`);
      expect(res.stdout).toContain('TOLLGATE_ORG_ADMIN_KEY');
    }
    expect((await cli(['--help'])).stdout).toContain('TOLLGATE_ORG_ADMIN_KEY');
  });
});
