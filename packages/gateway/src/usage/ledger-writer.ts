/**
 * Writes a batch of usage events and their daily rollups in one transaction. Idempotent by
 * request id: an event already stored is skipped, and only the rows this call really inserted
 * are added to the rollups, so replaying a journal or a retried batch never double counts.
 * @module
 */
import type { Transaction } from 'kysely';
import { dayOf } from '../billing/period.js';
import { billingDb, type BillingDatabase, type BillingStore, type UsageDailyTable } from '../store/billing-tables.js';
import { toRow, type UsageEvent } from './event.js';

/** Rows per statement: 20 columns × 500 stays far below SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_STATEMENT = 500;

export interface BatchResult {
  inserted: number;
  duplicates: number;
}

export async function writeUsageBatch(store: BillingStore, events: readonly UsageEvent[]): Promise<BatchResult> {
  if (events.length === 0) return { inserted: 0, duplicates: 0 };
  const unique = new Map<string, UsageEvent>();
  for (const e of events) if (!unique.has(e.request_id)) unique.set(e.request_id, e);
  const batch = [...unique.values()];
  return billingDb(store)
    .transaction()
    .execute(async (tx) => {
      const inserted = new Set<string>();
      for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
        const rows = batch.slice(i, i + ROWS_PER_STATEMENT).map(toRow);
        const done = await tx
          .insertInto('usage_events')
          .values(rows)
          .onConflict((oc) => oc.column('request_id').doNothing())
          .returning('request_id')
          .execute();
        for (const r of done) inserted.add(r.request_id);
      }
      await addToRollups(tx, batch.filter((e) => inserted.has(e.request_id) && isModelRequest(e)));
      return { inserted: inserted.size, duplicates: events.length - inserted.size };
    });
}

async function addToRollups(tx: Transaction<BillingDatabase>, events: readonly UsageEvent[]): Promise<void> {
  const rows = rollupRows(events);
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    await tx
      .insertInto('usage_daily')
      .values(rows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) =>
        oc.columns(['day', 'org_id', 'model', 'key_id', 'user_id']).doUpdateSet((eb) => ({
          requests: eb('usage_daily.requests', '+', eb.ref('excluded.requests')),
          prompt_tokens: eb('usage_daily.prompt_tokens', '+', eb.ref('excluded.prompt_tokens')),
          cached_tokens: eb('usage_daily.cached_tokens', '+', eb.ref('excluded.cached_tokens')),
          completion_tokens: eb('usage_daily.completion_tokens', '+', eb.ref('excluded.completion_tokens')),
          cost_pico: eb('usage_daily.cost_pico', '+', eb.ref('excluded.cost_pico')),
        })),
      )
      .execute();
  }
}

/** A rollup row's increments: one per (day, organization, model, key, user). */
export type RollupRow = UsageDailyTable & { requests: number; prompt_tokens: number; cached_tokens: number; completion_tokens: number; cost_pico: bigint };

/**
 * The daily rollup increments of newly inserted events, in a fixed order of their keys, so that
 * two instances flushing into the same rollup rows at once wait for each other instead of
 * deadlocking (PostgreSQL's row locks).
 */
export function rollupRows(events: readonly UsageEvent[]): RollupRow[] {
  const groups = new Map<string, RollupRow>();
  for (const e of events) {
    const day = dayOf(e.created_at);
    // The project is not part of the row's key: a key never changes project.
    const k = JSON.stringify([day, e.org_id, e.model, e.key_id, e.user_id]);
    let g = groups.get(k);
    if (!g) {
      g = { day, org_id: e.org_id, model: e.model, key_id: e.key_id, user_id: e.user_id, project_id: e.project_id, requests: 0, prompt_tokens: 0, cached_tokens: 0, completion_tokens: 0, cost_pico: 0n };
      groups.set(k, g);
    }
    g.requests++;
    g.prompt_tokens += e.prompt_tokens;
    g.cached_tokens += e.cached_tokens;
    g.completion_tokens += e.completion_tokens;
    g.cost_pico += e.cost_pico;
  }
  return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1]);
}

/**
 * Whether an event counts as a model request in reports (OpenAI's `num_model_requests`): it was
 * answered, or it consumed tokens (a stream cut short). Requests refused before reaching a model
 * (validation errors, rate limits, quota) stay in the ledger for audit but are not reported as
 * model requests.
 */
export function isModelRequest(e: Pick<UsageEvent, 'status_code' | 'prompt_tokens' | 'completion_tokens'>): boolean {
  return e.status_code < 400 || e.prompt_tokens > 0 || e.completion_tokens > 0;
}
