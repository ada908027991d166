/**
 * The test harness: a real gateway in this process on a free port, with the admin key, on the
 * store and counters a test asks for (SQLite in memory by default, PostgreSQL in a schema of its
 * own, the shared Redis under a key prefix of its own), on the clock it is given, with a first
 * tenant (organization, owner, API key) made through the Administration API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createGateway, parseConfig, systemClock, type Clock, type Gateway, type GatewayDeps } from 'tollgate';
import { ADMIN_KEY, call, newTenant as makeTenant, type Answer, type Tenant, type TenantOptions } from './admin.js';
import { postgresSchema, type TestDatabase } from './databases.js';
import { deleteRedisKeys, redisPrefix, TEST_REDIS_URL } from './services.js';

export { ADMIN_KEY };
export const PUBLIC_URL = 'http://gateway.test';
/** The key-hashing secret of every test gateway (TOLLGATE_SECRET; a test may give its own). */
export const TEST_SERVER_SECRET = 'test-gateway-key-hashing-secret-0123456789';

export interface TestGatewayOptions extends GatewayDeps {
  /**
   * Where the data lives: `sqlite` (in memory, the default), `postgres` (a schema of its own on
   * the test server, dropped at close), or a shared database (several instances on one database;
   * the caller drops it). A `database.url` in the config document wins; the document's other
   * database settings (its timeouts) apply whichever database it is.
   */
  database?: 'sqlite' | 'postgres' | TestDatabase;
  /**
   * Counters on the shared test Redis: `true` under a key prefix of its own, deleted at close; a
   * string under that prefix (instances sharing their counters; the caller deletes the keys with
   * `deleteRedisKeys`). A `redis` in the config document wins.
   */
  redisPrefix?: true | string;
}

export interface TestGateway extends Tenant {
  gateway: Gateway;
  url: string;
  /** `${url}/v1`, the SDK's baseURL. */
  baseURL: string;
  /** The clock the gateway runs on (the one given, or the system clock). */
  clock: Clock;
  /** Everything the gateway logged. */
  logs: () => string;
  /** Calls `path` (a full path, e.g. `/admin/v1/organizations`) with the admin key. */
  admin<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>>;
  /** Another organization with a member and a key (and an admin key when asked). */
  newTenant(name: string, opts?: Omit<TenantOptions, 'name'>): Promise<Tenant>;
  close(): Promise<void>;
}

export async function startTestGateway(doc: Record<string, unknown> = {}, opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const { database = 'sqlite', redisPrefix: prefixOpt, ...deps } = opts;
  // The key-hashing secret from the environment, never from its file: with PostgreSQL (or any
  // database that is not a file) that file is ./data/tollgate.secret in the working directory,
  // the repository's own data/. One value for every test gateway, so that instances sharing a
  // database agree on it.
  const env = { TOLLGATE_ADMIN_KEY: ADMIN_KEY, TOLLGATE_SECRET: TEST_SERVER_SECRET, ...(deps.env ?? {}) };
  const ownDb = database === 'postgres' ? postgresSchema('tg_gw') : undefined;
  const db = ownDb ?? (typeof database === 'object' ? database : undefined);
  const ownPrefix = prefixOpt === true ? redisPrefix('tg_gw') : undefined;
  const prefix = ownPrefix ?? (typeof prefixOpt === 'string' ? prefixOpt : undefined);
  // A journal of its own: the default for a database without a file is ./data/usage-journal-<port>.jsonl,
  // one file for every gateway on port 0, which test files running side by side would contend for.
  const journalDir = mkdtempSync(join(tmpdir(), 'tg-test-journal-'));
  const usage = (doc.usage ?? {}) as Record<string, unknown>;
  const config = parseConfig(
    {
      server: { host: '127.0.0.1', port: 0, public_url: PUBLIC_URL, shutdown_grace_ms: 2000 },
      ...(prefix === undefined ? {} : { redis: { url: TEST_REDIS_URL, key_prefix: prefix } }),
      logging: { level: 'info' },
      simulator: { allow_fault_header: true },
      default_tier: 'unlimited',
      ...doc,
      database: { url: db?.url ?? 'sqlite::memory:', ...(doc.database as Record<string, unknown> | undefined) },
      usage: { ...usage, journal_path: usage.journal_path ?? join(journalDir, 'usage-journal.jsonl') },
    },
    env,
  );
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const gateway = await createGateway(config, { ...deps, env, logDestination: sink });
  const url = await gateway.listen(0, '127.0.0.1');
  const target = { url };
  const first = await makeTenant(target, { name: 'test-org' });
  return {
    gateway,
    url,
    baseURL: `${url}/v1`,
    clock: deps.clock ?? systemClock,
    ...first,
    logs: () => logText,
    admin: (method, path, body) => call(target, method, path, body),
    newTenant: (name, tenantOpts = {}) => makeTenant(target, { ...tenantOpts, name }),
    close: async () => {
      await gateway.close();
      rmSync(journalDir, { recursive: true, force: true });
      if (ownPrefix !== undefined) await deleteRedisKeys(ownPrefix);
      await ownDb?.drop();
    },
  };
}
