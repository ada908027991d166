import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spendKey } from '../../src/billing/period.js';
import { billingDb } from '../../src/store/billing-tables.js';
import { DIALECTS } from '../usage/db.js';
import { ADMIN_KEY } from '../support/admin.js';
import { startBillingServer, type BillingServer } from './harness.js';

const NOW = Date.UTC(2026, 0, 20, 12);
const PERIOD_START = Date.UTC(2026, 0, 1);

describe.each(DIALECTS)('billing admin API on %s', (dialect) => {
  let s: BillingServer;

  beforeAll(async () => {
    s = await startBillingServer(dialect, NOW);
  });
  afterAll(async () => {
    await s.close();
  });

  const billing = (org: string) => `/admin/v1/organizations/${org}/billing`;

  describe('GET/PUT billing', () => {
    it('shows limits, the period and spend from the counter store', async () => {
      const org = await s.newOrg({ hard: 100_000_000, soft: 80_000_000 });
      await s.counters.setSpent(org, spendKey(org, PERIOD_START), 12_345_678_000_001n, Date.UTC(2026, 1, 1));
      const r = await s.counters.reserve({ reservationId: 'req_1', tag: org, buckets: [], spend: { key: spendKey(org, PERIOD_START), hardLimit: 100_000_000_000_000n, amount: 250_000_000_000n, periodEndMs: Date.UTC(2026, 1, 1) }, leaseMs: 60_000 });
      expect(r.admitted).toBe(true);
      const v = await s.call('GET', billing(org));
      expect(v.status).toBe(200);
      expect(v.body).toEqual({
        object: 'organization.billing',
        organization_id: org,
        hard_limit_usd: 100,
        spend_limit_usd: null,
        enforced_hard_limit_usd: 100,
        soft_limit_usd: 80,
        period: '2026-01',
        spent_usd: 12.345678000001,
        reserved_usd: 0.25,
        soft_limit_notification: null,
        quota_requests: [],
      });
    });

    it('sets limits, null meaning unlimited, and tells the caches', async () => {
      const org = await s.newOrg();
      const before = s.limitsChanged.length;
      let r = await s.call('PUT', billing(org), { hard_limit_usd: 50.5, soft_limit_usd: 40 });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ hard_limit_usd: 50.5, soft_limit_usd: 40, spent_usd: 0 });
      const row = await s.store.db.selectFrom('organizations').select(['hard_limit_pico', 'soft_limit_pico']).where('id', '=', org).executeTakeFirstOrThrow();
      expect([BigInt(row.hard_limit_pico!), BigInt(row.soft_limit_pico!)]).toEqual([50_500_000_000_000n, 40_000_000_000_000n]);
      // A field left out is left alone; null removes a limit.
      r = await s.call('PUT', billing(org), { soft_limit_usd: null });
      expect(r.body).toMatchObject({ hard_limit_usd: 50.5, soft_limit_usd: null });
      r = await s.call('PUT', billing(org), { hard_limit_usd: null });
      expect(r.body).toMatchObject({ hard_limit_usd: null, soft_limit_usd: null });
      expect(s.limitsChanged.slice(before)).toEqual([org, org, org]);
    });

    it("shows the organization's own spend limit beside the approved one; PUT changes only the approved one", async () => {
      const org = await s.newOrg({ hard: 100_000_000, own: 40_000_000 });
      let r = await s.call('GET', billing(org));
      expect(r.body).toMatchObject({ hard_limit_usd: 100, spend_limit_usd: 40, enforced_hard_limit_usd: 40 });
      // Lowered below the organization's own: that one stays, the approved one binds.
      r = await s.call('PUT', billing(org), { hard_limit_usd: 25.5 });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ hard_limit_usd: 25.5, spend_limit_usd: 40, enforced_hard_limit_usd: 25.5 });
      r = await s.call('PUT', billing(org), { hard_limit_usd: null });
      expect(r.body).toMatchObject({ hard_limit_usd: null, spend_limit_usd: 40, enforced_hard_limit_usd: 40 });
      const row = await s.store.db.selectFrom('organizations').select(['hard_limit_pico', 'spend_limit_pico']).where('id', '=', org).executeTakeFirstOrThrow();
      expect([row.hard_limit_pico, BigInt(row.spend_limit_pico!)]).toEqual([null, 40_000_000_000_000n]);
    });

    it('refuses bad bodies with OpenAI-shaped errors and changes nothing', async () => {
      const org = await s.newOrg({ hard: 1_000_000 });
      const before = s.limitsChanged.length;
      const cases: [unknown, number, string | null, string | null][] = [
        [{ hard_limit_usd: -1 }, 400, 'decimal_below_min_value', 'hard_limit_usd'],
        [{ hard_limit_usd: '10' }, 400, 'invalid_type', 'hard_limit_usd'],
        [{ soft_limit_usd: 2e9 }, 400, 'decimal_above_max_value', 'soft_limit_usd'],
        [{ hard_limit: 10 }, 400, null, null],
        [[1, 2], 400, 'invalid_type', null],
        ['{not json', 400, null, null],
      ];
      for (const [body, status, code, param] of cases) {
        const r = await s.call('PUT', billing(org), body);
        expect(r.status, JSON.stringify(body)).toBe(status);
        expect(r.body.error.code).toBe(code);
        expect(r.body.error.param).toBe(param);
      }
      expect((await s.call('GET', billing(org))).body.hard_limit_usd).toBe(1);
      expect(s.limitsChanged.length).toBe(before);
    });

    it('answers 404 for unknown and deleted organizations and 401 without the admin key', async () => {
      expect((await s.call('GET', billing('org_missing'))).status).toBe(404);
      expect((await s.call('PUT', billing('org_missing'), { hard_limit_usd: 1 })).status).toBe(404);
      const org = await s.newOrg();
      await s.store.db.updateTable('organizations').set({ deleted_at: NOW }).where('id', '=', org).execute();
      expect((await s.call('GET', billing(org))).body.error.code).toBe('resource_not_found');
      const r = await s.call('GET', billing(org), undefined, { key: null });
      expect(r.status).toBe(401);
      expect((await s.call('GET', billing(org), undefined, { key: 'wrong' })).status).toBe(401);
    });
  });

  describe('quota-increase requests', () => {
    it('goes pending → approved, raises the hard limit, and records every step with its time', async () => {
      const org = await s.newOrg({ hard: 100_000_000 });
      const created = await s.call('POST', `/admin/v1/organizations/${org}/quota_requests`, { hard_limit_usd: 250, reason: 'launch week' });
      expect(created.status).toBe(200);
      const id = created.body.id as string;
      expect(id).toMatch(/^qr-[0-9a-f]{24}$/);
      expect(created.body).toEqual({
        object: 'organization.quota_request',
        id,
        organization_id: org,
        organization_name: 'billing test',
        current_hard_limit_usd: 100,
        requested_hard_limit_usd: 250,
        previous_hard_limit_usd: null,
        reason: 'launch week',
        status: 'pending',
        note: null,
        created_at: NOW / 1000,
        decided_at: null,
      });
      const pending = await s.call('GET', '/admin/v1/quota_requests?status=pending');
      expect(pending.body.object).toBe('list');
      const badLimit = await s.call('GET', '/admin/v1/quota_requests?limit=abc');
      expect(badLimit.status).toBe(400);
      expect(badLimit.body.error).toMatchObject({ message: "Invalid type for 'limit': expected an integer, but got a string instead.", param: 'limit', code: 'invalid_type' });
      expect(pending.body.data.map((r: any) => r.id)).toContain(id);
      // The limit it would raise is the organization's now, however it was set since (the
      // previous limit is only recorded at the decision).
      expect((await s.call('PUT', billing(org), { hard_limit_usd: 120 })).status).toBe(200);
      const listed = (await s.call('GET', '/admin/v1/quota_requests?status=pending')).body.data.find((r: any) => r.id === id);
      expect(listed).toMatchObject({ organization_name: 'billing test', current_hard_limit_usd: 120, previous_hard_limit_usd: null });
      expect((await s.call('GET', `/admin/v1/quota_requests/${id}`)).body.current_hard_limit_usd).toBe(120);
      expect((await s.call('GET', billing(org))).body.quota_requests.map((r: any) => r.status)).toEqual(['pending']);

      await s.clock.advance(3_600_000);
      const before = s.limitsChanged.length;
      const approved = await s.call('POST', `/admin/v1/quota_requests/${id}/approve`, { note: 'ok for January' });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', note: 'ok for January', previous_hard_limit_usd: 120, current_hard_limit_usd: 250, created_at: NOW / 1000, decided_at: NOW / 1000 + 3600 });
      expect(s.limitsChanged.slice(before)).toEqual([org]);
      const view = await s.call('GET', billing(org));
      expect(view.body.hard_limit_usd).toBe(250);
      expect(view.body.quota_requests).toEqual([approved.body]);
      expect((await s.call('GET', `/admin/v1/quota_requests/${id}`)).body).toEqual(approved.body);
      expect((await s.call('GET', '/admin/v1/quota_requests?status=pending')).body.data.map((r: any) => r.id)).not.toContain(id);

      // Decided once: a second decision is a conflict and changes nothing.
      const again = await s.call('POST', `/admin/v1/quota_requests/${id}/reject`, { note: 'too late' });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toBe(`Quota request ${id} was already approved.`);
    });

    it('approves with no body at all', async () => {
      const org = await s.newOrg({ hard: 1_000_000 });
      const { body } = await s.call('POST', `/admin/v1/organizations/${org}/quota_requests`, { hard_limit_usd: 2, reason: 'r' });
      const res = await fetch(`${s.url}/admin/v1/quota_requests/${body.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(res.status).toBe(200);
      expect((await res.json()).status).toBe('approved');
    });

    it('goes pending → rejected with a required note, leaving the limit as it was', async () => {
      const org = await s.newOrg({ hard: 5_000_000 });
      const { body } = await s.call('POST', `/admin/v1/organizations/${org}/quota_requests`, { hard_limit_usd: 10, reason: 'more' });
      const noNote = await s.call('POST', `/admin/v1/quota_requests/${body.id}/reject`, {});
      expect(noNote.status).toBe(400);
      expect(noNote.body.error.param).toBe('note');
      const rejected = await s.call('POST', `/admin/v1/quota_requests/${body.id}/reject`, { note: 'not this month' });
      expect(rejected.body).toMatchObject({ status: 'rejected', note: 'not this month', previous_hard_limit_usd: 5 });
      expect((await s.call('GET', billing(org))).body.hard_limit_usd).toBe(5);
      const list = await s.call('GET', `/admin/v1/organizations/${org}/quota_requests`);
      expect(list.body.data.map((r: any) => r.status)).toEqual(['rejected']);
      // After a decision the organization may ask again.
      expect((await s.call('POST', `/admin/v1/organizations/${org}/quota_requests`, { hard_limit_usd: 8, reason: 'smaller ask' })).status).toBe(200);
    });

    it('refuses requests that increase nothing, duplicates, and bad input', async () => {
      const org = await s.newOrg({ hard: 10_000_000 });
      const path = `/admin/v1/organizations/${org}/quota_requests`;
      expect((await s.call('POST', path, { hard_limit_usd: 10, reason: 'same' })).status).toBe(409);
      expect((await s.call('POST', path, { hard_limit_usd: 20 })).body.error.param).toBe('reason');
      expect((await s.call('POST', path, { reason: 'x' })).body.error.param).toBe('hard_limit_usd');
      expect((await s.call('POST', path, { hard_limit_usd: null, reason: 'x' })).body.error.param).toBe('hard_limit_usd');
      expect((await s.call('POST', path, { hard_limit_usd: 20, reason: 'x'.repeat(2001) })).body.error.code).toBe('string_above_max_length');
      const unlimited = await s.newOrg();
      expect((await s.call('POST', `/admin/v1/organizations/${unlimited}/quota_requests`, { hard_limit_usd: 20, reason: 'x' })).status).toBe(409);
      expect((await s.call('POST', '/admin/v1/organizations/org_missing/quota_requests', { hard_limit_usd: 20, reason: 'x' })).status).toBe(404);
      expect((await s.call('POST', '/admin/v1/quota_requests/qr-missing/approve', {})).status).toBe(404);
      expect((await s.call('GET', '/admin/v1/quota_requests?status=done')).body.error.param).toBe('status');
    });

    it('accepts exactly one of many concurrent submissions for one organization', async () => {
      const org = await s.newOrg({ hard: 1_000_000 });
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => s.call('POST', `/admin/v1/organizations/${org}/quota_requests`, { hard_limit_usd: 2 + i, reason: `try ${i}` })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(59);
      const rows = await billingDb(s.store).selectFrom('quota_requests').select('id').where('org_id', '=', org).execute();
      expect(rows).toHaveLength(1);
    });

    it('decides a request exactly once under hundreds of concurrent approvals and rejections', async () => {
      const org = await s.newOrg({ hard: 1_000_000 });
      const { body } = await s.call('POST', `/admin/v1/organizations/${org}/quota_requests`, { hard_limit_usd: 3, reason: 'race' });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => s.call('POST', `/admin/v1/quota_requests/${body.id}/${i % 2 ? 'approve' : 'reject'}`, { note: `n${i}` })),
      );
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(199);
      const final = await s.call('GET', `/admin/v1/quota_requests/${body.id}`);
      expect(final.body).toEqual(ok[0]!.body);
      expect((await s.call('GET', billing(org))).body.hard_limit_usd).toBe(final.body.status === 'approved' ? 3 : 1);
      // The one decision is in the audit log, once.
      const decided = await s.store.auditLogs.list(org, { types: ['quota_request.updated'] }, { limit: 10 });
      expect(decided.items.map((e) => e.objectId)).toEqual([body.id]);
    });

    it('a step whose audit entry cannot be written is not taken: the request stays as it was, and a retry takes it once', async () => {
      const org = await s.newOrg({ hard: 1_000_000 });
      const path = `/admin/v1/organizations/${org}/quota_requests`;
      const logOf = async () => (await s.store.auditLogs.list(org, {}, { limit: 10 })).items.map((e) => e.type).sort();
      // The audit log's table out of reach while each step is tried.
      const unrecorded = async <T>(step: () => Promise<T>): Promise<T> => {
        await sql`ALTER TABLE audit_logs RENAME TO audit_logs_away`.execute(s.store.db);
        try {
          return await step();
        } finally {
          await sql`ALTER TABLE audit_logs_away RENAME TO audit_logs`.execute(s.store.db);
        }
      };

      expect((await unrecorded(() => s.call('POST', path, { hard_limit_usd: 4, reason: 'unrecorded' }))).status).toBe(500);
      expect((await s.call('GET', path)).body.data).toEqual([]);
      const { body } = await s.call('POST', path, { hard_limit_usd: 4, reason: 'recorded' });
      expect(body.status).toBe('pending');

      const approve = () => s.call('POST', `/admin/v1/quota_requests/${body.id}/approve`, { note: 'ok' });
      expect((await unrecorded(approve)).status).toBe(500);
      expect((await s.call('GET', `/admin/v1/quota_requests/${body.id}`)).body).toMatchObject({ status: 'pending', current_hard_limit_usd: 1 });
      expect(await logOf()).toEqual(['quota_request.created']);
      const approved = await approve();
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', current_hard_limit_usd: 4, previous_hard_limit_usd: 1 });
      expect(await logOf()).toEqual(['organization.updated', 'quota_request.created', 'quota_request.updated']);
    });

    it('pages lists newest first with after', async () => {
      const orgs: string[] = [];
      for (let i = 0; i < 5; i++) {
        const org = await s.newOrg({ hard: 1_000_000 });
        orgs.push(org);
        await s.clock.advance(1000);
        await s.call('POST', `/admin/v1/organizations/${org}/quota_requests`, { hard_limit_usd: 5, reason: 'paging' });
      }
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const r = await s.call('GET', `/admin/v1/quota_requests?status=pending&limit=2${after ? `&after=${after}` : ''}`);
        seen.push(...r.body.data.map((x: any) => x.organization_id));
        if (!r.body.has_more) break;
        after = r.body.last_id;
      }
      const ours = seen.filter((o) => orgs.includes(o));
      expect(ours).toEqual([...orgs].reverse());
      expect((await s.call('GET', '/admin/v1/quota_requests?after=qr-nope')).status).toBe(404);
    });
  });
});
