/**
 * Migration 0013 replaces usage_events_org_time with an index holding every column a usage report
 * reads, on both dialects: every report (minute, hour and day buckets, every grouping, usage and
 * costs) answers exactly as before it; the hours of the Costs API add up to its days and to the
 * ledger; a report of raw events reads the organization's index entries only (SQLite: a covering
 * index; PostgreSQL: an index-only scan, where before it read every organization's events in the
 * range); and down brings back the old index. On PostgreSQL the migrations run without the
 * store's query timeout, which building this index on a large ledger exceeds.
 */
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Kysely as KyselyType,
} from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { usdToPico } from '../../src/billing/pricing.js';
import { usageReportIndexMigration } from '../../src/store/migrations/0013_usage_report_index.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { parseReportQuery } from '../../src/usage/report-query.js';
import { aggregateUsage, costsReport, usageCompletionsReport } from '../../src/usage/reports.js';
import type { UsageEvent } from '../../src/usage/event.js';
import { openStore } from 'tollgate';
import { PG_BASE, postgresSchema } from '../support/databases.js';
import { DIALECTS, event, openTestStore, type TestStore } from '../usage/db.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const NOW = T0 + 3 * DAY;

/** Two organizations over three days: a busy one and one with a few percent of the traffic. */
function seed(): UsageEvent[] {
  let a = 7;
  const rnd = (n: number) => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a % n;
  };
  const out: UsageEvent[] = [];
  for (let i = 0; i < 3000; i++) {
    const small = i % 25 === 0;
    out.push(
      event({
        org_id: small ? 'org_small' : 'org_big',
        project_id: ['proj_a', 'proj_b'][rnd(2)]!,
        key_id: ['key_a', 'key_b', 'key_c'][rnd(3)]!,
        user_id: ['user_x', 'user_y'][rnd(2)]!,
        model: ['sim-small', 'sim-large', 'sim-embed'][rnd(3)]!,
        // Refused requests (no tokens) are in the ledger but not model requests.
        status_code: rnd(10) === 0 ? 429 : 200,
        prompt_tokens: rnd(10) === 0 ? 0 : 1 + rnd(3000),
        completion_tokens: rnd(500),
        cost_pico: BigInt(rnd(50_000)) * 1_000_003n,
        created_at: T0 + Math.floor((i * 3 * DAY) / 3000) + rnd(60_000),
      }),
    );
  }
  return out;
}

const QUERIES: [kind: 'completions' | 'costs', query: string][] = [
  ['completions', `start_time=${(T0 + 2 * HOUR) / 1000}&end_time=${(T0 + 4 * HOUR) / 1000}&bucket_width=1m&limit=1440&group_by=model,api_key_id`],
  ['completions', `start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1h&limit=168&group_by=api_key_id`],
  ['completions', `start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1h&limit=168&group_by=model,user_id,project_id`],
  ['completions', `start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1d&group_by=model`],
  ['costs', `start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1h&limit=168&group_by=line_item,project_id`],
  ['costs', `start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1d&group_by=api_key_id`],
];

describe.each(DIALECTS)('migration 0013_usage_report_index on %s', (dialect) => {
  let t: TestStore;
  let db: KyselyType<any>;
  let events: UsageEvent[];
  beforeEach(async () => {
    t = await openTestStore(dialect);
    db = t.store.db;
    events = seed();
    await writeUsageBatch(t.store, events);
  });
  afterEach(async () => {
    await t.close();
  });

  async function reports(org: string): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const [kind, query] of QUERIES) {
      const q = parseReportQuery(query, kind, NOW);
      out.push(kind === 'costs' ? await costsReport(t.store, org, q) : await usageCompletionsReport(t.store, org, { ...q, excludeModels: ['sim-embed'] }));
    }
    return out;
  }

  it('answers every report as before it, and the hours of the Costs API add up to its days and to the ledger', async () => {
    await usageReportIndexMigration.down!(db); // the index set before 0013
    const before = [await reports('org_big'), await reports('org_small')];
    await usageReportIndexMigration.up(db);
    expect([await reports('org_big'), await reports('org_small')]).toEqual(before);
    // Sanity: the reports are not empty.
    expect(JSON.stringify(before).match(/organization\.costs\.result/g)?.length).toBeGreaterThan(100);

    for (const org of ['org_big', 'org_small']) {
      const hours = await costsReport(t.store, org, parseReportQuery(`start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1h&limit=72`, 'costs', NOW));
      const days = await costsReport(t.store, org, parseReportQuery(`start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1d`, 'costs', NOW));
      const exact = (r: { amount: { exact_value: string } }) => usdToPico(r.amount.exact_value);
      const hourSums = [0, 1, 2].map((d) => hours.data.slice(d * 24, d * 24 + 24).flatMap((b) => b.results).reduce((s, r) => s + exact(r), 0n));
      expect(days.data.map((b) => b.results.reduce((s, r) => s + exact(r), 0n))).toEqual(hourSums);
      const ledger = events.filter((e) => e.org_id === org && (e.status_code < 400 || e.prompt_tokens > 0 || e.completion_tokens > 0)).reduce((s, e) => s + e.cost_pico, 0n);
      expect(hourSums.reduce((a, b) => a + b, 0n)).toBe(ledger);
    }
  });

  it("reads a report of raw events from the organization's index entries only", async () => {
    const plan = async (org: string) => {
      const q = { ...parseReportQuery(`start_time=${T0 / 1000}&end_time=${NOW / 1000}&bucket_width=1h&limit=72&group_by=model`, 'completions', NOW), excludeModels: ['sim-embed'] };
      const { sql: text, parameters } = await compiledReport(dialect, org, q);
      const rows = (await db.executeQuery(CompiledQuery.raw(`EXPLAIN ${dialect === 'sqlite' ? 'QUERY PLAN ' : ''}${text}`, [...parameters]))).rows as Record<string, string>[];
      return rows.map((r) => r.detail ?? r['QUERY PLAN']).join('\n');
    };
    if (dialect === 'sqlite') {
      expect(await plan('org_small')).toMatch(/SEARCH usage_events USING COVERING INDEX usage_events_org_report \(org_id=\? AND created_at>\? AND created_at<\?\)/);
    } else {
      // The planner's costs need the table's statistics and visibility map, as autovacuum keeps
      // them. VACUUM marks a page all-visible only once no transaction in the database may still
      // see an older row version, and other test files' transactions run in this database at the
      // same time: until it could, the planner rightly prefers a bitmap scan. So VACUUM again
      // (their transactions are short) until it could; an index that does not hold every column
      // the report reads never gives an index-only scan, however often this runs.
      // How long that takes is up to the other files, so the wait is bounded by time, not tries.
      const indexOnly = /Index Only Scan using usage_events_org_report on usage_events/;
      await vi.waitFor(
        async () => {
          await sql`VACUUM ANALYZE usage_events`.execute(db);
          expect(await plan('org_small')).toMatch(indexOnly);
        },
        { timeout: 60_000, interval: 250 },
      );
    }
  }, 90_000);

  it('down brings back usage_events_org_time', async () => {
    const indexes = async () =>
      dialect === 'sqlite'
        ? (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_events' AND name NOT LIKE 'sqlite_%' ORDER BY name`.execute(db)).rows.map((r) => r.name)
        : (await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'usage_events' AND schemaname = current_schema() AND indexname NOT LIKE '%_pkey' ORDER BY indexname`.execute(db)).rows.map((r) => r.name);
    expect(await indexes()).toEqual(['usage_events_org_report', 'usage_events_time']);
    await usageReportIndexMigration.down!(db);
    expect(await indexes()).toEqual(['usage_events_org_time', 'usage_events_time']);
    await usageReportIndexMigration.up(db); // for afterEach's store, which expects the latest schema
  });
});

/** The SQL the report of the first page runs, as the dialect's compiler writes it (a Kysely that executes nothing). */
async function compiledReport(dialect: 'sqlite' | 'postgres', org: string, q: ReturnType<typeof parseReportQuery>): Promise<CompiledQuery> {
  let last: CompiledQuery | undefined;
  const capture = new Kysely<any>({
    dialect:
      dialect === 'sqlite'
        ? { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new SqliteIntrospector(k), createQueryCompiler: () => new SqliteQueryCompiler() }
        : { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (k) => new PostgresIntrospector(k), createQueryCompiler: () => new PostgresQueryCompiler() },
    log: (e) => {
      if (e.level === 'query') last = e.query;
    },
  });
  await aggregateUsage({ db: capture, dialect }, org, q, q.pageStartMs, q.pageStartMs + q.limit * q.widthMs);
  await capture.destroy();
  return last!;
}

describe('a migration of a large ledger on PostgreSQL', () => {
  /** The store's query timeout here: far above what a trivial query takes on a loaded machine. */
  const QUERY_MS = 2000;

  it('is not bound by the query timeout, while the queries of the store it opens still are', async () => {
    const target = postgresSchema('tg_m13');
    const schema = new URL(target.url).searchParams.get('schema')!;
    const writer = new pg.Client({ connectionString: PG_BASE });
    try {
      // A ledger of 100,000 events at the schema before 0013, written without a query timeout
      // (on a loaded machine the insert alone can take longer than the default 3 s).
      const first = await openStore(target.url, { timeouts: { connectMs: 5000, queryMs: 0 } });
      await usageReportIndexMigration.down!(first.db);
      await sql`DELETE FROM kysely_migration WHERE name = '0013_usage_report_index'`.execute(first.db);
      await sql`INSERT INTO usage_events (request_id, org_id, key_id, user_id, model, endpoint, prompt_tokens, completion_tokens, cost_pico, status_code, streamed, latency_ms, estimated, created_at)
        SELECT 'req_' || i, 'org_' || (i % 7), 'key_' || (i % 50), 'user_' || (i % 20), 'sim-small', 'chat.completions', 10, 20, 1000, 200, 0, 5, 0, 1767225600000 + i * 1000
        FROM generate_series(1, 100000) AS i`.execute(first.db);
      await first.close();

      // A transaction writing to the ledger (as a running instance does) holds off the migration's
      // CREATE INDEX until PostgreSQL shows that statement running for longer than the query
      // timeout: a migration bound by it would have been cancelled by then. However slow the
      // machine, the statement outlasts the timeout, and the store's own first query does not.
      await writer.connect();
      await writer.query('BEGIN');
      await writer.query(`LOCK TABLE "${schema}".usage_events IN ROW EXCLUSIVE MODE`);
      let ended = false;
      const opening = openStore(target.url, { timeouts: { connectMs: 5000, queryMs: QUERY_MS } }).finally(() => (ended = true));
      opening.catch(() => {}); // awaited below; an early failure ends the wait instead
      await vi.waitFor(
        async () => {
          if (ended) return;
          await writer.query('SELECT pg_stat_clear_snapshot()'); // within a transaction, pg_stat_activity is read once
          const waiting = await writer.query(
            `SELECT a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.relation = $1::regclass AND NOT l.granted AND clock_timestamp() - a.query_start > $2 * interval '1 millisecond'`,
            [`"${schema}".usage_events`, QUERY_MS],
          );
          expect(waiting.rows.map((r: { query: string }) => r.query)).toEqual([expect.stringMatching(/^create index "usage_events_org_report"/i)]);
        },
        { timeout: 60_000, interval: 50 },
      );
      await writer.query('COMMIT');
      const store = await opening;
      try {
        await expect(sql`SELECT pg_sleep(${(10 * QUERY_MS) / 1000})`.execute(store.db)).rejects.toThrow(/timeout/i);
      } finally {
        await store.close();
      }
      const again = await openStore(target.url);
      try {
        const names = await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'usage_events' AND schemaname = current_schema()`.execute(again.db);
        expect(names.rows.map((r) => r.name)).toContain('usage_events_org_report');
      } finally {
        await again.close();
      }
    } finally {
      await writer.end();
      await target.drop();
    }
  }, 120_000);
});
