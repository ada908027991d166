/**
 * Without Redis a gateway counts rate limits and spend in its own memory, so two gateway
 * processes on one database would each admit the whole of every limit: a second `tollgate serve`
 * on the same SQLite file, even with a journal of its own, doubled them. The first process takes
 * `<database file>.counters.lock` (files/process-lock.ts) and a second one is refused at start,
 * told to add Redis. Processes sharing Redis share their counters and take no such lock.
 *
 * A PostgreSQL database has no file here to lock; its scale-out always names Redis (README,
 * "Scale-out"), and `--workers` refuses to start without it.
 * @module
 */
import { sqliteFileOf } from '../config/data-dir.js';
import { LockHeldError, takeProcessLock, type ProcessLock } from '../files/process-lock.js';

export class CountersInUseError extends LockHeldError {}

/**
 * Takes the memory counters' lock of the database at `databaseUrl`; null when it is not a SQLite file.
 * @throws CountersInUseError naming the live holder and the way to run several gateways.
 */
export function lockMemoryCounters(databaseUrl: string): ProcessLock | null {
  const file = sqliteFileOf(databaseUrl);
  if (file === null) return null;
  return takeProcessLock(
    `${file}.counters.lock`,
    (holder) =>
      new CountersInUseError(
        `the database ${file} is in use by another Tollgate process (pid ${holder.pid}) that counts rate limits and spend in its memory: ` +
          'a second gateway on it would admit every limit a second time. Run one gateway per SQLite database, ' +
          'or give every gateway the same Redis (redis.url, TOLLGATE_REDIS_URL) to share the limits (see "Scale-out" in the README).',
      ),
  );
}
