/**
 * Retention of raw usage events: rows older than `retentionDays` are deleted in small batches,
 * each one short statement, so the job never holds the table (or its rows in memory) and never
 * blocks the flusher for long. The daily rollups are kept: monthly reports and the spend rebuild
 * read them, so they stay exact after the raw rows are gone.
 * @module
 */
import type { Logger } from 'pino';
import { deleteInBatches } from '../store/batch-delete.js';
import type { BillingStore } from '../store/billing-tables.js';
import type { Clock } from '../clock.js';
import { RepeatingFailureLog } from '../repeating-failure-log.js';

const DAY_MS = 86_400_000;

export interface CleanupOptions {
  retentionDays: number;
  /** Rows per DELETE (default 1000). */
  batchSize?: number;
  clock: Clock;
}

/** Deletes raw events created before now − retentionDays; returns how many. */
export async function cleanupUsage(store: BillingStore, o: CleanupOptions): Promise<number> {
  if (!(o.retentionDays > 0)) throw new RangeError('retentionDays must be > 0');
  const batch = o.batchSize ?? 1000;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError('batchSize must be a whole number >= 1');
  const cutoff = o.clock.now() - o.retentionDays * DAY_MS;
  return deleteInBatches(store.db, { table: 'usage_events', key: 'request_id' }, ['created_at', '<', cutoff], batch);
}

/** Runs `cleanupUsage` now and then every `intervalMs` (default 1 h) until stopped. */
export function startUsageRetention(
  store: BillingStore,
  o: CleanupOptions & { intervalMs?: number; log: Pick<Logger, 'info' | 'warn'> },
): { stop(): void } {
  const ac = new AbortController();
  const failures = new RepeatingFailureLog(o.log, o.clock, { job: 'usage retention', message: 'usage retention failed; retrying at the next interval' });
  const run = async () => {
    while (!ac.signal.aborted) {
      await failures.attempt(async () => {
        const n = await cleanupUsage(store, o);
        if (n > 0) o.log.info({ deleted: n, retention_days: o.retentionDays }, 'usage retention deleted old events');
      });
      await o.clock.sleep(o.intervalMs ?? 3_600_000, ac.signal).catch(() => undefined);
    }
  };
  void run();
  return { stop: () => ac.abort() };
}
