/**
 * Database errors the callers act on, recognised on both dialects. Everything else propagates.
 * @module
 */

/** A UNIQUE or PRIMARY KEY constraint refused the write (SQLite SQLITE_CONSTRAINT_*, PostgreSQL 23505). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A write refused because it would duplicate something that exists (the admin API answers 409). */
export class ConflictError extends Error {
  constructor(
    readonly reason: 'email_taken' | 'membership_exists',
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}
