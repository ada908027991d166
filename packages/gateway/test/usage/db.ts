/**
 * Stores for the billing and usage tests, on both dialects: SQLite in memory, and PostgreSQL in
 * a schema of its own per store (dropped at close), so test files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { type Clock, openStore, type Store } from 'tollgate';
import { DEFAULT_TIMEOUTS } from '../../src/store/connect.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { billingMigration } from '../../src/store/migrations/0002_billing.js';
import type { UsageEvent } from '../../src/usage/event.js';
import { TEST_PG_URL } from '../support/services.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

const PG_URL = TEST_PG_URL;

export interface TestStore {
  store: Store;
  close(): Promise<void>;
}

/**
 * The wait for a pooled PostgreSQL connection. The store's default (1 s) is a bound for requests;
 * the tests that start hundreds of operations at once (settlements firing a notification, say)
 * queue longer than that for the pool's ten connections on a loaded machine. They are about what
 * the operations decide, not about that bound.
 */
const POOL_WAIT_MS = 30_000;

export async function openTestStore(dialect: TestDialect, clock?: Clock): Promise<TestStore> {
  const schema = `tg_bill_${randomBytes(6).toString('hex')}`;
  const url = dialect === 'sqlite' ? 'sqlite::memory:' : `${PG_URL}?schema=${schema}`;
  const store = await openStore(url, { ...(clock ? { clock } : {}), timeouts: { ...DEFAULT_TIMEOUTS, connectMs: POOL_WAIT_MS } });
  // Until the lead lists 0002 in the migration list, apply it here.
  if (!('0002_billing' in MIGRATIONS)) await billingMigration.up(store.db);
  return {
    store,
    async close() {
      if (dialect === 'postgres') await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db);
      await store.close();
    },
  };
}

/** A store of `dialect` opened before the block's tests and closed after them; read it inside a test. */
export function storeForBlock(dialect: TestDialect, clock?: Clock): () => Store {
  let t: TestStore | undefined;
  beforeAll(async () => {
    t = await openTestStore(dialect, clock);
  });
  afterAll(async () => {
    await t?.close();
  });
  return () => t!.store;
}

let seq = 0;

/** A usage event with defaults; ids are unique per process. */
export function event(over: Partial<UsageEvent> = {}): UsageEvent {
  seq++;
  return {
    request_id: `req_${process.pid}_${seq}_${randomBytes(4).toString('hex')}`,
    org_id: 'org_a',
    project_id: 'proj_a',
    key_id: 'key_a',
    user_id: 'user_a',
    model: 'sim-small',
    requested_model: 'sim-small',
    endpoint: '/v1/chat/completions',
    prompt_tokens: 10,
    cached_tokens: 0,
    completion_tokens: 20,
    cost_pico: 15_000_000n,
    status_code: 200,
    error_code: null,
    error_message: null,
    upstream_request_id: null,
    streamed: false,
    latency_ms: 5,
    estimated: false,
    created_at: Date.UTC(2026, 0, 15, 12),
    ...over,
  };
}

type LogFn = (obj: unknown, msg?: string) => void;
export interface TestLog {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export const silentLog: TestLog = { info() {}, warn() {}, error() {} };

/** A logger that keeps what was logged, for assertions. */
export function memoryLog(): TestLog & { lines: { level: string; obj: unknown; msg: string }[] } {
  const lines: { level: string; obj: unknown; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg: msg ?? '' });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
