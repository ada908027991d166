/**
 * Migration 0010 gives the usage ledger a request's project, the model asked for, the error
 * message and the upstream's request id, on both dialects: rows written before it get their
 * key's project (events and daily rollups), the new columns are null for them, a journal line of
 * the earlier version still replays, and down removes the columns again.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { usageRequestStoryMigration } from '../../src/store/migrations/0010_usage_request_story.js';
import { usageReportIndexMigration } from '../../src/store/migrations/0013_usage_report_index.js';
import { parseUsageEvent, serializeUsageEvent } from '../../src/usage/event.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { DIALECTS, event, openTestStore, type TestStore } from '../usage/db.js';

describe.each(DIALECTS)('migration 0010_usage_request_story on %s', (dialect) => {
  let t: TestStore;
  let db: Kysely<any>;
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    // Back to the ledger without projects: later migrations first (0013 indexes project_id).
    await usageReportIndexMigration.down!(db);
    await usageRequestStoryMigration.down!(db);
  });
  afterEach(async () => {
    await t.close();
  });

  async function seed(): Promise<void> {
    await db.insertInto('organizations').values({ id: 'org_m', name: 'm', tier: 'free', created_at: 1, deleted_at: null, hard_limit_pico: null, soft_limit_pico: null, models_restricted: 0 }).execute();
    await db.insertInto('users').values({ id: 'user_u', email: 'u@test.local', name: 'u', created_at: 1 }).execute();
    const project = (id: string, isDefault: number) => ({ id, org_id: 'org_m', name: id, is_default: isDefault, status: 'active', external_key_id: null, created_at: 1, archived_at: null, spend_limit_pico: null, model_mode: null, model_ids: null, ip_allowlist: null });
    await db.insertInto('projects').values([project('proj_default', 1), project('proj_two', 0)]).execute();
    const key = (id: string, projectId: string) => ({ id, org_id: 'org_m', project_id: projectId, user_id: 'user_u', name: id, key_hash: `h_${id}`, redacted: 'sk-...abcd', status: 'active', permissions: 'all', scopes: '[]', created_at: 2, expires_at: null, last_used_at: null, revoked_at: null });
    await db.insertInto('api_keys').values([key('key_1', 'proj_default'), key('key_2', 'proj_two')]).execute();
    const ev = { org_id: 'org_m', user_id: 'user_u', model: 'sim-small', endpoint: 'chat.completions', prompt_tokens: 1, completion_tokens: 1, cost_pico: 5, status_code: 200, error_code: null, streamed: 0, latency_ms: 1, estimated: 0, created_at: 1 };
    await db.insertInto('usage_events').values([{ ...ev, request_id: 'req_1', key_id: 'key_1' }, { ...ev, request_id: 'req_2', key_id: 'key_2' }, { ...ev, request_id: 'req_3', key_id: 'key_gone' }]).execute();
    const day = { day: '1970-01-01', org_id: 'org_m', model: 'sim-small', user_id: 'user_u', requests: 1, prompt_tokens: 1, completion_tokens: 1, cost_pico: 5 };
    await db.insertInto('usage_daily').values([{ ...day, key_id: 'key_1' }, { ...day, key_id: 'key_2' }]).execute();
  }

  it("gives the rows written before it their key's project; the other new columns are null", async () => {
    await seed();
    await usageRequestStoryMigration.up(db);
    const events = await db.selectFrom('usage_events').select(['request_id', 'project_id', 'requested_model', 'error_message', 'upstream_request_id']).orderBy('request_id').execute();
    expect(events).toEqual([
      { request_id: 'req_1', project_id: 'proj_default', requested_model: null, error_message: null, upstream_request_id: null },
      { request_id: 'req_2', project_id: 'proj_two', requested_model: null, error_message: null, upstream_request_id: null },
      { request_id: 'req_3', project_id: null, requested_model: null, error_message: null, upstream_request_id: null },
    ]);
    const days = await db.selectFrom('usage_daily').select(['key_id', 'project_id']).orderBy('key_id').execute();
    expect(days).toEqual([
      { key_id: 'key_1', project_id: 'proj_default' },
      { key_id: 'key_2', project_id: 'proj_two' },
    ]);

    // The writer fills the new columns, and the rollup row a new key opens carries its project.
    const e = event({ org_id: 'org_m', key_id: 'key_2', project_id: 'proj_two', requested_model: 'alias', error_code: 'server_error', error_message: 'boom', upstream_request_id: 'up_1' });
    await writeUsageBatch(t.store, [e]);
    const row = await db.selectFrom('usage_events').selectAll().where('request_id', '=', e.request_id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ project_id: 'proj_two', requested_model: 'alias', error_message: 'boom', upstream_request_id: 'up_1' });
    const day = await db.selectFrom('usage_daily').select('project_id').where('day', '=', '2026-01-15').where('key_id', '=', 'key_2').executeTakeFirstOrThrow();
    expect(day.project_id).toBe('proj_two');
  });

  it('down removes the new columns and keeps the rows', async () => {
    await seed();
    await usageRequestStoryMigration.up(db);
    await usageRequestStoryMigration.down!(db);
    await expect(db.selectFrom('usage_events').select('project_id').execute()).rejects.toThrow();
    await expect(db.selectFrom('usage_daily').select('project_id').execute()).rejects.toThrow();
    expect(await db.selectFrom('usage_events').select('request_id').execute()).toHaveLength(3);
    await usageRequestStoryMigration.up(db); // for afterEach's store, which expects the latest schema
    await usageReportIndexMigration.up(db);
  });
});

describe('a journal line of the version before 0010', () => {
  it('replays with the new fields null', () => {
    const { project_id, requested_model, error_message, upstream_request_id, ...old } = JSON.parse(serializeUsageEvent(event({ error_code: 'server_error' }))) as Record<string, unknown>;
    expect([project_id, requested_model, error_message, upstream_request_id]).toEqual(['proj_a', 'sim-small', null, null]);
    const parsed = parseUsageEvent(old);
    expect(parsed).toMatchObject({ project_id: null, requested_model: null, error_message: null, upstream_request_id: null, error_code: 'server_error' });
    expect(parseUsageEvent({ ...old, error_message: 42 })).toBe('error_message is not a string or null');
  });
});
