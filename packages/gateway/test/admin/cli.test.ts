/** The admin CLI verbs against a real gateway admin API (the identity test harness). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_COMMANDS, COMMANDS } from '../../src/cli/admin/commands.js';
import { organizationSlot } from '../../src/cli/organization-default.js';
import { ALL_COMMANDS } from '../../src/cli/table.js';
import { startHarness, type Harness } from '../identity/harness.js';
import { ADMIN_KEY } from '../support/admin.js';
import { cliRunner } from '../support/cli.js';
import { freePort } from '../support/redis-server.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const { cli, json } = cliRunner(() => ({ TOLLGATE_URL: h.url, TOLLGATE_ADMIN_KEY: ADMIN_KEY }), () => h.clock.now());

describe('tollgate admin verbs', () => {
  it('handles the documented resources', () => {
    expect(ADMIN_COMMANDS).toEqual(['orgs', 'users', 'members', 'keys', 'limits', 'incidents', 'maintenance']);
  });

  it('a whole session: org, user, member, key, list, revoke, limits, models', async () => {
    const org = await json(['orgs', 'create', '--name', 'Acme Inc', '--tier', 'tier-1']);
    expect(org).toMatchObject({ object: 'organization', name: 'Acme Inc', tier: 'tier-1' });
    const user = await json(['users', 'create', '--email', 'cli@example.com', '--name', 'Cli']);
    const added = await cli(['members', 'add', org.id, user.id, '--role', 'owner']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^USER\s+EMAIL\s+NAME\s+ROLE\s+ADDED\n/);
    expect(added.stdout).toContain('cli@example.com');

    const created = await cli(['keys', 'create', '--org', org.id, '--user', user.id, '--name', 'ci', '--permissions', 'restricted', '--scopes', 'model.request,api.model.read', '--expires-at', '+30d']);
    expect(created.code).toBe(0);
    const key = /^(sk-proj-[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout).toContain('only time the key is shown');
    expect(created.stdout).toMatch(new RegExp(`expires:\\s+${new Date(Math.floor(h.clock.now() / 1000) * 1000 + 30 * 86_400_000).toISOString().slice(0, 16)}`));

    const listed = await cli(['keys', 'list', '--org', org.id]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`sk-...${key!.slice(-4)}`);
    // Each key's permissions and the scopes they come to: all, *.read (read only), or those listed.
    expect(created.stdout).toMatch(/^permissions:\s+restricted\nscopes:\s+model\.request,api\.model\.read$/m);
    expect(listed.stdout).toMatch(/\sPERMISSIONS\s+SCOPES\s+STATUS\s/);
    expect(listed.stdout).toMatch(/\srestricted\s+model\.request,api\.model\.read\s+active\s/);
    const unrestricted = await cli(['keys', 'create', '--org', org.id, '--user', user.id, '--name', 'all']);
    expect(unrestricted.stdout).toMatch(/^permissions:\s+all\nscopes:\s+all$/m);
    const readOnly = await json(['keys', 'create', '--org', org.id, '--user', user.id, '--name', 'ro', '--permissions', 'read_only']);
    expect((await cli(['keys', 'get', readOnly.id])).stdout).toMatch(/^permissions:\s+read_only\nscopes:\s+\*\.read$/m);
    const everyKey = (await cli(['keys', 'list', '--org', org.id])).stdout;
    expect(everyKey).toMatch(/\sall\s+all\s+active\s/);
    expect(everyKey).toMatch(/\sread_only\s+\*\.read\s+active\s/);
    expect(listed.stdout).not.toContain(key!);
    const keyId = /^id:\s+(\S+)$/m.exec(created.stdout)![1]!;

    const revoked = await cli(['keys', 'revoke', keyId]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${keyId} (sk-...${key!.slice(-4)})\n` });
    expect((await json(['keys', 'get', keyId])).status).toBe('revoked');

    // `none` is no limit, as the help says (and as billing set and projects rate-limits say); `unlimited` still works.
    const set = await cli(['limits', 'set', org.id, 'sim-small', '--rpm', '5', '--tpd', 'none']);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/sim-small\s+tier-1\s+5\*\s+200000\s+10000\s+unlimited\*/);
    expect((await json(['limits', 'set', org.id, 'sim-small', '--rpm', '5', '--tpd', 'unlimited'])).max_tokens_per_1_day).toBeNull();
    const help = (await cli(['limits', 'set', '--help'])).stdout;
    expect(help).toContain('--rpm N|none  max requests per minute (a whole number, or none for no limit; 0 blocks the model)');
    expect(help).not.toContain('unlimited');
    expect((await cli(['limits', 'set', org.id, 'sim-small', '--rpm', 'lots'])).stderr).toMatch(/^error: --rpm: expected a whole number or "none", got "lots"\n/);
    const limits = await json(['limits', 'list', org.id]);
    expect(limits.data.find((l: { model: string }) => l.model === 'sim-small').max_requests_per_1_minute).toBe(5);
    expect((await json(['limits', 'reset', org.id, 'sim-small'])).max_requests_per_1_minute).toBe(500);

    expect((await cli(['orgs', 'models', org.id, '--allow', 'sim-small,sim-embed'])).stdout).toBe(`${org.id}: sim-embed, sim-small\n`);
    expect((await cli(['orgs', 'models', org.id])).stdout).toBe(`${org.id}: sim-embed, sim-small\n`);
    expect((await cli(['orgs', 'models', org.id, '--allow-all'])).stdout).toBe(`${org.id}: every model\n`);

    expect((await json(['orgs', 'update', org.id, '--tier', 'tier-2'])).tier).toBe('tier-2');
    expect((await cli(['members', 'remove', org.id, user.id])).code).toBe(0);
    expect((await cli(['orgs', 'delete', org.id])).stdout).toBe(`deleted ${org.id}\n`);
  });

  it('lists page with --limit/--after and --all follows every page', async () => {
    for (let i = 0; i < 5; i++) await json(['users', 'create', '--email', `page${i}@example.com`, '--name', `P${i}`]);
    const first = await cli(['users', 'list', '--limit', '2']);
    expect(first.stdout).toMatch(/more: --after user-/);
    const all = await json(['users', 'list', '--all']);
    const total = (await json(['users', 'list', '--limit', '100'])).data.length;
    expect(all.data).toHaveLength(total);
    expect(all.has_more).toBe(false);
  });

  it('exit 1 on API errors, with the message on stderr and the body with --json', async () => {
    const r = await cli(['orgs', 'get', 'org-nope']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('error: No such organization: org-nope. (resource_not_found)\n');
    const j = await cli(['orgs', 'get', 'org-nope', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).error.code).toBe('resource_not_found');
    expect((await cli(['orgs', 'list'], { TOLLGATE_ADMIN_KEY: 'wrong' })).code).toBe(1);
  });

  it('exit 2 on usage errors', async () => {
    for (const argv of [['nope'], ['orgs'], ['orgs', 'fly'], ['orgs', 'get'], ['orgs', 'get', 'a', 'b'], ['orgs', 'create'], ['orgs', 'list', '--bogus'], ['orgs', 'list', '--limit'], ['limits', 'set', 'org-x', 'sim-small', '--rpm', 'lots'], ['orgs', 'update', 'org-x'], ['orgs', 'list', '--url', 'ftp://x']]) {
      const r = await cli(argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.stderr).toMatch(/^error: /);
    }
    const noKey = await cli(['orgs', 'list'], { TOLLGATE_ADMIN_KEY: undefined });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('TOLLGATE_ADMIN_KEY');
  });

  it('exit 3 when the gateway cannot be reached', async () => {
    const port = await freePort();
    const r = await cli(['orgs', 'list'], { TOLLGATE_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot connect to http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('--help works everywhere and exits 0', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const r of ADMIN_COMMANDS) expect(top.stdout).toContain(`  ${r}`);
    for (const r of ADMIN_COMMANDS) {
      const res = await cli([r, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`Usage: tollgate ${r} <verb>`);
    }
    for (const c of COMMANDS) {
      const res = await cli([c.resource, c.verb, '--help'], { TOLLGATE_ADMIN_KEY: undefined });
      expect({ cmd: `${c.resource} ${c.verb}`, code: res.code }).toEqual({ cmd: `${c.resource} ${c.verb}`, code: 0 });
      expect(res.stdout).toContain(`Usage: tollgate ${c.resource} ${c.verb}`);
      expect(res.stdout).toContain('Exit codes');
    }
  });
});

describe('TOLLGATE_ORGANIZATION (the first start sets it)', () => {
  it('every operator verb that needs an organization takes it from the variable, except orgs delete', () => {
    const needs = ALL_COMMANDS.filter((c) => c.args.includes('org_id') || c.flags.org?.required);
    const name = (c: (typeof ALL_COMMANDS)[number]) => `${c.resource}${c.verb ? ` ${c.verb}` : ''}`;
    expect(needs.filter((c) => organizationSlot(c) === undefined).map(name)).toEqual(['orgs delete']);
    // The verbs the trial named, and the one of the README's recovery line.
    for (const v of ['usage', 'billing get', 'limits list', 'members add', 'keys create', 'quota-requests create']) expect(needs.map(name)).toContain(v);
  });

  it('stands in for a left-out <org_id> and --org, never for one given, a list filter or a deletion', async () => {
    const org = await json(['orgs', 'create', '--name', 'Env Org']);
    const other = await json(['orgs', 'create', '--name', 'Other Org']);
    const user = await json(['users', 'create', '--email', 'env-org@example.com', '--name', 'Env']);
    const env = { TOLLGATE_ORGANIZATION: org.id };
    expect((await json(['orgs', 'get'], env)).id).toBe(org.id);
    expect((await json(['orgs', 'get', other.id], env)).id).toBe(other.id);
    // With one positional argument left out, the given ones are the others: <user_id>, <model>.
    expect((await cli(['members', 'add', user.id, '--role', 'owner'], env)).code).toBe(0);
    expect((await json(['members', 'list', org.id])).data.map((m: { id: string }) => m.id)).toEqual([user.id]);
    // --user names the user as keys create does: with the organization from the variable or given.
    const bo = await json(['users', 'create', '--email', 'env-bo@example.com', '--name', 'Bo']);
    const byOption = await cli(['members', 'add', '--user', bo.id, '--role', 'reader'], env);
    expect(byOption.code).toBe(0);
    expect(byOption.stdout).toMatch(new RegExp(`^${bo.id}\\s+env-bo@example\\.com\\s+Bo\\s+reader\\s`, 'm'));
    expect((await json(['members', 'add', other.id, '--user', bo.id, '--role', 'owner'], env)).role).toBe('owner');
    const both = await cli(['members', 'add', org.id, bo.id, '--user', bo.id, '--role', 'reader'], env);
    expect(both).toMatchObject({ code: 2, stdout: '' });
    expect(both.stderr).toMatch(/^error: give <user_id> or --user, not both\n/);
    const neither = await cli(['members', 'add', org.id, '--role', 'reader']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/^error: missing <user_id> \(or --user\)\n/);
    expect((await cli(['members', 'add', '--help'])).stdout).toMatch(/^Usage: tollgate members add \[<org_id>\] \(<user_id> \| --user USER_ID\) --role ROLE\n/);
    expect((await json(['limits', 'set', 'sim-small', '--rpm', '7'], env)).max_requests_per_1_minute).toBe(7);
    expect((await json(['limits', 'get', org.id, 'sim-small'])).max_requests_per_1_minute).toBe(7);
    const key = await json(['keys', 'create', '--user', user.id, '--name', 'from-env'], env);
    expect(key.organization_id).toBe(org.id);
    // A filter narrows only when asked: keys list still shows every organization's.
    // The roles are OpenAI's organization roles: `member` is a usage error, never sent.
    const member = await cli(['members', 'add', other.id, user.id, '--role', 'member'], env);
    expect(member.code).toBe(2);
    expect(member.stderr).toContain('--role: expected owner or reader, got "member"');
    await json(['members', 'add', other.id, user.id, '--role', 'reader']);
    const otherKey = await json(['keys', 'create', '--org', other.id, '--user', user.id, '--name', 'other'], env);
    const listed = (await json(['keys', 'list', '--user', user.id], env)).data.map((k: { id: string }) => k.id);
    expect(listed).toEqual(expect.arrayContaining([key.id, otherKey.id]));
    // Deleting needs the organization named.
    const del = await cli(['orgs', 'delete'], env);
    expect(del.code).toBe(2);
    expect(del.stderr).toMatch(/^error: missing <org_id>\n/);
    expect((await json(['orgs', 'get', org.id])).id).toBe(org.id);
  });

  it('unset or empty: a usage error that names it', async () => {
    for (const value of [undefined, '']) {
      const r = await cli(['limits', 'list'], { TOLLGATE_ORGANIZATION: value });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: missing <org_id> \(or set TOLLGATE_ORGANIZATION\)\n/);
      const k = await cli(['keys', 'create', '--user', 'user-x', '--name', 'n'], { TOLLGATE_ORGANIZATION: value });
      expect(k.code).toBe(2);
      expect(k.stderr).toMatch(/^error: missing --org \(or set TOLLGATE_ORGANIZATION\)\n/);
    }
  });

  it('the help shows it optional and names the variable', async () => {
    const usage = await cli(['usage', '--help']);
    expect(usage.stdout).toContain('Usage: tollgate usage [<org_id>] [--month YYYY-MM]');
    expect(usage.stdout).toContain('TOLLGATE_ORGANIZATION');
    expect((await cli(['keys', 'create', '--help'])).stdout).toContain('Usage: tollgate keys create [--org ORG_ID] --user USER_ID');
    const del = await cli(['orgs', 'delete', '--help']);
    expect(del.stdout).toContain('Usage: tollgate orgs delete <org_id>\n');
    expect((await cli(['--help'])).stdout).toContain('TOLLGATE_ORGANIZATION');
  });
});
