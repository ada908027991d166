/**
 * Telling a dependency outage from a fault of our own. Only an outage of the database or of Redis
 * (it refused the connection, dropped it, or did not answer in time) becomes the retryable 503
 * `store_unavailable`; anything else — a value the code could not handle, a bug — is a 500
 * `server_error` and is logged as such, so that an operator is never sent to look at a healthy
 * database and a client is never told to retry something that fails the same way every time.
 * @module
 */

/** A dependency did not answer within its bound, or its client is closed (thrown by our own wrappers). */
export class DependencyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DependencyUnavailableError';
  }
}

/** Node socket errors: the peer is not there, or went away. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTCONN']);

/** SQLite: locked, or the file/disk is not usable. */
const SQLITE_OUTAGE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOTADB|CORRUPT)/;

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 53 (insufficient resources: too many
 * connections, disk full, out of memory), 57P01-57P03 (shutting down / cannot connect now),
 * 58 (system error: I/O).
 */
const PG_OUTAGE = /^(08|53|57P0[123]|58)/;

/** Error messages of ioredis that carry no code but only ever mean "no connection". */
const REDIS_MESSAGES = [
  /^Connection is closed\.?$/,
  /enableOfflineQueue options? is false/,
  /^Command timed out/,
  /^Reached the max retries per request limit/,
  /^Failed to refresh slots cache/,
  /^None of startup nodes is available/,
  /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|OOM) /,
];

/** The same of pg and the SQLite store. */
const DATABASE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /^canceling statement due to statement timeout/,
  /is not queryable/,
  /^The database connection is not open/,
];

const OUTAGE_MESSAGES = [...REDIS_MESSAGES, ...DATABASE_MESSAGES];

/** ioredis's own error classes. */
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);
const OUTAGE_NAMES = new Set(['DependencyUnavailableError', ...REDIS_NAMES]);

/** True when `e` (or an error it wraps) says the database or Redis is unreachable or not answering. */
export function isDependencyOutage(e: unknown, depth = 0): boolean {
  if (depth > 4 || e === null || typeof e !== 'object') return false;
  const err = e as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof err.name === 'string' && OUTAGE_NAMES.has(err.name)) return true;
  if (typeof err.code === 'string' && (NETWORK_CODES.has(err.code) || SQLITE_OUTAGE.test(err.code) || (/^[0-9A-Z]{5}$/.test(err.code) && PG_OUTAGE.test(err.code)))) return true;
  if (typeof err.message === 'string' && OUTAGE_MESSAGES.some((re) => re.test(err.message as string))) return true;
  // Node's connect reports every address it tried in an AggregateError.
  if (Array.isArray(err.errors) && err.errors.some((x) => isDependencyOutage(x, depth + 1))) return true;
  return isDependencyOutage(err.cause, depth + 1);
}

/**
 * Which store an outage error came from, as the 503's message names it (`{store}` of
 * `store_unavailable`): "Redis server" for ioredis's errors, "database" for SQLite's, PostgreSQL's
 * and their drivers', and "database or Redis server" when the error does not say (a refused
 * connection names only an address).
 */
export function outageStoreOf(e: unknown, depth = 0): string {
  if (depth > 4 || e === null || typeof e !== 'object') return 'database or Redis server';
  const err = e as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (typeof err.name === 'string' && REDIS_NAMES.has(err.name)) return 'Redis server';
  if (typeof err.message === 'string' && REDIS_MESSAGES.some((re) => re.test(err.message as string))) return 'Redis server';
  if (typeof err.code === 'string' && (SQLITE_OUTAGE.test(err.code) || (/^[0-9A-Z]{5}$/.test(err.code) && PG_OUTAGE.test(err.code)))) return 'database';
  if (typeof err.message === 'string' && DATABASE_MESSAGES.some((re) => re.test(err.message as string))) return 'database';
  return err.cause !== undefined ? outageStoreOf(err.cause, depth + 1) : 'database or Redis server';
}
