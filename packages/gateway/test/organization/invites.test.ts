/**
 * `/v1/organization/invites` through the official SDK's admin client, and the invitee's
 * `POST /v1/invites/accept`: objects, paging, token once, expiry, accept once, deletes, 400s
 * naming the field, OpenAI's 404s, no reach into another organization.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { rejection, startOrgHarness, type OrgHarness } from './harness.js';

let h: OrgHarness;
beforeAll(async () => {
  h = await startOrgHarness();
});
afterAll(() => h.close());

const accept = async (body: unknown) => {
  const r = await fetch(`${h.gw.baseURL}/invites/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as any };
};

describe('invites', () => {
  it('create (token once), retrieve, list with paging, accept once, delete', async () => {
    const t = await h.tenant('invites');
    const inv = (await t.org.invites.create({ email: 'New.Person@Example.com', role: 'reader', projects: [] })) as OpenAI.Admin.Organization.Invite & { token: string };
    expect(inv).toMatchObject({ object: 'organization.invite', email: 'new.person@example.com', role: 'reader', status: 'pending', accepted_at: null, projects: [] });
    expect(inv.expires_at! - inv.created_at).toBe(7 * 86_400);
    expect(inv.token).toMatch(/^inv_/);
    const got = await t.org.invites.retrieve(inv.id);
    expect(got).not.toHaveProperty('token');
    expect(got.status).toBe('pending');

    const other = await t.org.invites.create({ email: 'second@example.com', role: 'owner' });
    const p1 = await t.org.invites.list({ limit: 1 });
    expect(p1.data.map((i) => i.id)).toEqual([inv.id]);
    expect(p1.has_more).toBe(true);
    const ids: string[] = [];
    for await (const i of t.org.invites.list({ limit: 1 })) ids.push(i.id);
    expect(ids).toEqual([inv.id, other.id]);

    expect((await accept({ token: inv.token })).body.error.param).toBe('name');
    const ok = await accept({ token: inv.token, name: 'New Person' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ object: 'organization.invite', id: inv.id, status: 'accepted', organization_id: t.orgId, user: { email: 'new.person@example.com', name: 'New Person' } });
    const member = await t.org.users.retrieve(ok.body.user.id);
    expect(member.role).toBe('reader');
    expect((await t.org.invites.retrieve(inv.id)).status).toBe('accepted');
    expect((await accept({ token: inv.token, name: 'x' })).status).toBe(409);
    expect(await rejection(t.org.invites.delete(inv.id))).toBeInstanceOf(OpenAI.ConflictError);
    const audit = await t.org.auditLogs.list({ event_types: ['invite.sent', 'invite.accepted'] });
    expect(audit.data.map((e) => e.type)).toEqual(['invite.accepted', 'invite.sent', 'invite.sent']);
    expect(audit.data[0]!.actor).toMatchObject({ type: 'session', session: { user: { id: ok.body.user.id } } });

    expect(await t.org.invites.delete(other.id)).toEqual({ object: 'organization.invite.deleted', id: other.id, deleted: true });
    expect(await rejection(t.org.invites.retrieve(other.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await accept({ token: (other as any).token, name: 'x' })).status).toBe(404);
    expect((await accept({ token: 'inv_nope' })).status).toBe(404);
  });

  it('accepted once when many accept at the same time: one member, one audit entry', async () => {
    const t = await h.tenant('invites-race');
    const inv = (await t.org.invites.create({ email: 'race@example.com', role: 'owner' })) as OpenAI.Admin.Organization.Invite & { token: string };
    const results = await Promise.all(Array.from({ length: 20 }, () => accept({ token: inv.token, name: 'Race' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect((await t.org.users.list({ emails: ['race@example.com'] })).data.map((u) => u.role)).toEqual(['owner']);
    expect((await t.org.auditLogs.list({ event_types: ['invite.accepted'] })).data).toHaveLength(1);
  });

  it('bad input is a 400 naming the field; members cannot be invited again', async () => {
    const cases: [unknown, string][] = [
      [{ email: 'not-an-email', role: 'reader' }, 'email'],
      [{ email: 'a@b.co', role: 'admin' }, 'role'],
      [{ email: 'a@b.co', role: 'reader', projects: [{ id: 'proj_1', role: 'boss' }] }, 'projects[0].role'],
      [{ email: 'a@b.co', role: 'reader', projects: 'all' }, 'projects'],
    ];
    for (const [body, param] of cases) {
      const e = await rejection(h.a.org.invites.create(body as any));
      expect(e, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(e.error.param).toBe(param);
    }
    const me = await h.a.org.users.retrieve(h.a.userId);
    expect(await rejection(h.a.org.invites.create({ email: me.email!, role: 'reader' }))).toBeInstanceOf(OpenAI.ConflictError);
  });

  it('an invite says and its acceptance joins its projects (none named: the Default project; []: none); leaving the organization leaves its projects', async () => {
    const t = await h.tenant('invites-projects');
    const team = await t.org.projects.create({ name: 'Team' });
    const def = (await t.org.projects.list()).data.find((p) => p.name === 'Default project')!;
    const named = (await t.org.invites.create({ email: 'named@example.com', role: 'reader', projects: [{ id: team.id, role: 'owner' }] })) as OpenAI.Admin.Organization.Invite & { token: string };
    const plain = (await t.org.invites.create({ email: 'plain@example.com', role: 'reader' })) as OpenAI.Admin.Organization.Invite & { token: string };
    const members = async (projectId: string) => (await t.org.projects.users.list(projectId, { limit: 100 })).data.map((u) => [u.id, u.role]);
    // The invite says what its acceptance does: omitted projects are the Default project as a
    // member (OpenAI's "invited to the default project"); an empty list is no project at all.
    expect(plain.projects).toEqual([{ id: def.id, role: 'member' }]);
    expect((await t.org.invites.retrieve(plain.id)).projects).toEqual([{ id: def.id, role: 'member' }]);
    expect((await t.org.invites.list({ limit: 100 })).data.find((i) => i.id === plain.id)!.projects).toEqual([{ id: def.id, role: 'member' }]);
    const none = (await t.org.invites.create({ email: 'none@example.com', role: 'reader', projects: [] })) as OpenAI.Admin.Organization.Invite & { token: string };
    expect(none.projects).toEqual([]);
    const sent = (await t.org.auditLogs.list({ event_types: ['invite.sent'], resource_ids: [plain.id] })).data[0]!;
    expect((sent as any)['invite.sent'].data.projects).toEqual([{ id: def.id, role: 'member' }]);
    // An invite stored before invites named their projects (none stored) reads and is accepted the same way.
    const legacy = (await t.org.invites.create({ email: 'legacy@example.com', role: 'reader' })) as OpenAI.Admin.Organization.Invite & { token: string };
    await h.gw.gateway.services.store.db.updateTable('invites' as any).set({ projects: null } as any).where('id', '=', legacy.id).execute();
    expect((await t.org.invites.retrieve(legacy.id)).projects).toEqual([{ id: def.id, role: 'member' }]);
    const c = (await accept({ token: legacy.token, name: 'Legacy' })).body.user.id as string;
    expect(await members(def.id)).toContainEqual([c, 'member']);
    const d = (await accept({ token: none.token, name: 'None' })).body.user.id as string;
    expect(await members(def.id)).not.toContainEqual([d, 'member']);

    const a = (await accept({ token: named.token, name: 'Named' })).body.user.id as string;
    const b = (await accept({ token: plain.token, name: 'Plain' })).body.user.id as string;
    expect(await members(team.id)).toContainEqual([a, 'owner']);
    expect(await members(team.id)).not.toContainEqual([b, 'member']);
    expect(await members(def.id)).toContainEqual([b, 'member']);
    expect(await members(def.id)).not.toContainEqual([a, 'member']);

    await t.org.users.delete(a);
    expect((await members(team.id)).map(([id]) => id)).not.toContain(a);

    const e = await rejection(t.org.invites.create({ email: 'ghost@example.com', role: 'reader', projects: [{ id: 'proj_does_not_exist', role: 'member' }] }));
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.error.param).toBe('projects[0].id');
  });

  it("another organization's invites are out of reach", async () => {
    const inv = await h.a.org.invites.create({ email: 'cross@example.com', role: 'reader' });
    expect((await h.b.org.invites.list({ limit: 100 })).data.map((i) => i.id)).not.toContain(inv.id);
    expect(await rejection(h.b.org.invites.retrieve(inv.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(h.b.org.invites.delete(inv.id))).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await rejection(h.b.org.invites.list({ after: inv.id }))).toBeInstanceOf(OpenAI.NotFoundError);
    expect((await h.a.org.invites.retrieve(inv.id)).status).toBe('pending');
  });
});

describe('invite expiry', () => {
  it('an invite past its expiry (seven days, on the gateway clock) cannot be accepted and reads as expired', async () => {
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 12));
    const x = await startOrgHarness({}, { clock });
    try {
      const acceptAt = async (body: unknown) => {
        const r = await fetch(`${x.gw.baseURL}/invites/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: r.status, body: (await r.json()) as any };
      };
      const late = (await x.a.org.invites.create({ email: 'late@example.com', role: 'reader' })) as OpenAI.Admin.Organization.Invite & { token: string };
      const onTime = (await x.a.org.invites.create({ email: 'ontime@example.com', role: 'reader' })) as OpenAI.Admin.Organization.Invite & { token: string };
      // One second before the end of the seventh day it is still good.
      clock.set(Date.UTC(2026, 4, 8, 12) - 1000);
      expect((await acceptAt({ token: onTime.token, name: 'On Time' })).status).toBe(200);
      clock.set(Date.UTC(2026, 4, 8, 12));
      const refused = await acceptAt({ token: late.token, name: 'Late' });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toEqual({ type: 'invalid_request_error', code: 'resource_conflict', param: 'token', message: `Invite ${late.id} is expired.` });
      expect((await x.a.org.invites.retrieve(late.id)).status).toBe('expired');
      expect((await x.a.org.users.list({ emails: ['late@example.com'] })).data).toEqual([]);
      expect((await x.a.org.users.list({ emails: ['ontime@example.com'] })).data.map((u) => u.role)).toEqual(['reader']);
    } finally {
      await x.close();
    }
  });
});
