/**
 * Where the gateway keeps its local files, resolved from the config the same way by `serve` and
 * by `config check` (which prints these paths in place of the config's null defaults), so that the
 * two cannot drift apart. Every function reads the database URL through readDatabaseUrl, the
 * parser the store connects with.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readDatabaseUrl } from '../store/connect.js';
import type { Config } from './types.js';

const IN_MEMORY = ':memory:';

/** The path of a `sqlite:<path>` URL (`:memory:` included); null for PostgreSQL and a wrong URL. */
function sqlitePathOf(databaseUrl: string): string | null {
  const parsed = readDatabaseUrl(databaseUrl);
  return 'dialect' in parsed && parsed.dialect === 'sqlite' ? parsed.path : null;
}

/** The SQLite file of a `sqlite:<path>` URL; null for `:memory:`, PostgreSQL and a wrong URL. */
export function sqliteFileOf(databaseUrl: string): string | null {
  const path = sqlitePathOf(databaseUrl);
  return path === IN_MEMORY ? null : path;
}

/**
 * Which database the config names, for the files kept per database (the first-start credentials):
 * `id`, 12 hex digits of a hash, and `label` for people. A SQLite file by its absolute path; a
 * PostgreSQL database by its server, name and schema, never by its user or password.
 */
export function databaseOf(config: Config): { id: string; label: string } {
  const parsed = readDatabaseUrl(config.database.url);
  let label: string;
  if (!('dialect' in parsed)) label = 'unknown';
  else if (parsed.dialect === 'sqlite') label = parsed.path === IN_MEMORY ? 'sqlite::memory:' : `sqlite:${resolve(parsed.path)}`;
  else {
    const u = new URL(parsed.connectionString);
    const socket = u.searchParams.get('host');
    label = `postgres://${u.hostname}:${u.port || '5432'}${u.pathname}${socket ? `?host=${socket}` : ''}${parsed.schema ? ` schema ${parsed.schema}` : ''}`;
  }
  return { id: createHash('sha256').update(label).digest('hex').slice(0, 12), label };
}

/**
 * Where the gateway keeps its local files (the key-hashing secret, the first-start credentials):
 * next to the SQLite file, or `./data` for PostgreSQL. Null for an in-memory database, whose
 * secrets need not outlive the process.
 */
export function dataDirOf(config: Config): string | null {
  const path = sqlitePathOf(config.database.url);
  if (path === IN_MEMORY) return null;
  return path === null ? './data' : dirname(path);
}

/**
 * The key-hashing secret's file: `secret_file` (TOLLGATE_SECRET_FILE), else `tollgate.secret` in
 * the data directory; null for an in-memory database (the secret is kept in memory only).
 */
export function secretFileOf(config: Config): string | null {
  if (config.secret_file) return config.secret_file;
  const dir = dataDirOf(config);
  return dir === null ? null : join(dir, 'tollgate.secret');
}

/**
 * The usage journal: `usage.journal_path` (TOLLGATE_USAGE_JOURNAL), else next to the SQLite file,
 * or under ./data for PostgreSQL. An in-memory database keeps nothing across restarts, and so
 * neither need its journal: it gets a new temporary file each start, named with `unique()`
 * (`config check` shows that part as a placeholder).
 */
export function journalPathFor(config: Config, unique: () => string = randomUUID): string {
  if (config.usage.journal_path) return config.usage.journal_path;
  const path = sqlitePathOf(config.database.url);
  if (path === IN_MEMORY) return join(tmpdir(), `tollgate-usage-journal-${unique()}.jsonl`);
  if (path !== null) return `${path}.usage-journal`;
  // Instances sharing a working directory must not share a journal (a starting instance replays
  // and deletes what it finds): one per port by default; set usage.journal_path to choose.
  return `./data/usage-journal-${config.server.port}.jsonl`;
}
