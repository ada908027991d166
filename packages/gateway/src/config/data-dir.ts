import { dirname } from 'node:path';
import { parseDatabaseUrl } from '../store/connect.js';
import type { Config } from './types.js';

/**
 * Where the gateway keeps its local files (the key-hashing secret, the first-start credentials):
 * next to the SQLite file, or `./data` for PostgreSQL. Null for an in-memory database, whose
 * secrets need not outlive the process.
 */
export function dataDirOf(config: Config): string | null {
  let parsed;
  try {
    parsed = parseDatabaseUrl(config.database.url);
  } catch {
    return './data';
  }
  if (parsed.dialect === 'postgres') return './data';
  return parsed.path === ':memory:' ? null : dirname(parsed.path);
}
