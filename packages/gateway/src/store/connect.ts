import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { SchemaPostgresDialect } from './schema-introspector.js';
import { openSqlite } from './sqlite-open.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL schema the store lives in (from `?schema=`), for the migration table. */
  schema?: string;
}

/** What a database URL names, checked before anything connects. */
export type ParsedUrl =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; connectionString: string; schema?: string };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * What a database URL names, or what is wrong with it: `sqlite:<path>` (relative to the working
 * directory; `sqlite::memory:` for an in-memory database) or
 * `postgres://user@host:port/db[?schema=name]`. The config's check of `database.url` calls it, so
 * that a wrong URL stops `config check` and `serve` before anything opens.
 */
export function readDatabaseUrl(url: string): ParsedUrl | { problem: string } {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') return { problem: 'no file path after sqlite: (e.g. sqlite:./data/tollgate.db, or sqlite::memory:)' };
    return { dialect: 'sqlite', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    if (!URL.canParse(url)) return { problem: 'not a valid URL (a / ? or # in the password is written %2F %3F %23)' };
    const u = new URL(url);
    const schema = u.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) return { problem: `schema ${JSON.stringify(schema)} is not a plain identifier (letters, digits and _, not starting with a digit)` };
    // pg's own parser does not know `schema`; it is applied as the search_path below.
    u.searchParams.delete('schema');
    return { dialect: 'postgres', connectionString: u.toString(), schema };
  }
  return { problem: 'expected sqlite:<path> or postgres://...' };
}

/** readDatabaseUrl's answer; a wrong URL throws, naming the problem (never the URL, which may hold a password). */
export function parseDatabaseUrl(url: string): ParsedUrl {
  const r = readDatabaseUrl(url);
  if ('problem' in r) throw new Error(`database url: ${r.problem}`);
  return r;
}

/** Bounds on every PostgreSQL wait: getting a connection (also from a busy pool), and one query. */
export interface Timeouts {
  connectMs: number;
  /** 0: none (the migrations' connection). */
  queryMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 1000, queryMs: 3000 };

/**
 * What a connection is for: `store` the store's queries; `migrations` the connection the
 * migrations run on, whose introspection (which Kysely's Migrator calls) sees the store's
 * schema only (store/schema-introspector.ts says why).
 */
export type Purpose = 'store' | 'migrations';

export async function connect(url: string, timeouts: Timeouts = DEFAULT_TIMEOUTS, purpose: Purpose = 'store'): Promise<Connection> {
  const parsed = parseDatabaseUrl(url);
  return parsed.dialect === 'sqlite' ? connectSqlite(parsed.path) : connectPostgres(parsed.connectionString, parsed.schema, timeouts, purpose);
}

function connectSqlite(path: string): Connection {
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(path) }) }), dialect: 'sqlite' };
}


const INT8_OID = 20;

async function connectPostgres(connectionString: string, schema: string | undefined, timeouts: Timeouts, purpose: Purpose): Promise<Connection> {
  if (schema) {
    // Created before the pool exists, so that every pooled connection can put it on its path.
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: Math.max(5000, timeouts.connectMs) });
    await client.connect();
    try {
      // CREATE SCHEMA IF NOT EXISTS is not safe against itself: instances starting together on a
      // new database can both pass the check and one fails on the catalog's unique index. A
      // transaction-scoped advisory lock makes the second wait and then find the schema.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tollgate:create-schema:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Bounded waits: the request path serves cached state and must never hang on the store; the
    // connection timeout also bounds the wait for a free pooled connection. statement_timeout
    // stops the server working on what the client gave up on.
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: timeouts.queryMs,
    statement_timeout: timeouts.queryMs,
    idleTimeoutMillis: 30_000,
    options: schema ? `-c search_path="${schema}"` : undefined,
    // Timestamps are int8 milliseconds; parse them as numbers (they fit in 2^53) for this pool
    // only, leaving pg's global parsers alone for other users of the library.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that dies (server restart) is reported here; without a listener it would
  // crash the process. The pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  // A connection that dies while checked out (a query in flight when the server goes away) emits
  // 'error' on its client, which the pool listens for only while the client is idle: without a
  // listener of its own that event would crash the process. The query itself is rejected anyway.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: purpose === 'migrations' ? new SchemaPostgresDialect({ pool }, schema) : new PostgresDialect({ pool }) });
  await sql`select 1`.execute(db);
  return { db, dialect: 'postgres', schema };
}
