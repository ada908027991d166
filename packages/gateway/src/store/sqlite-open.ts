/**
 * Opening a SQLite file with the store's settings: shared by the store's connection (connect.ts)
 * and the usage writer thread's own (usage/ledger-worker.ts), which must not load the rest of the
 * store (Kysely, pg) just to open a file.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** A better-sqlite3 connection with the store's settings (also the usage writer thread's own). */
export function openSqlite(path: string): BetterSqlite3.Database {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const handle = new BetterSqlite3(memory ? ':memory:' : path);
  // WAL lets readers run while the (single) writer commits; busy_timeout makes a second process
  // (or the usage writer thread) on the same file wait instead of failing at once.
  if (!memory) handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  return handle;
}
