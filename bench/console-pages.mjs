// The console's Usage and Requests pages at a million ledger rows: seeds --events usage events
// (default 1,000,000) over 90 days — 4 organizations (55/25/15/5% of the traffic), 20 projects,
// 200 keys, 10 models, 7% failed requests — straight into a store opened (and so migrated) by
// openStore, with its daily rollups computed by the ledger's own rollupRows. Then: times the
// store's opening (a migration added since the seeding runs on the million rows), the ledger's
// writes into it (--write events, writeUsageBatch, batches of 500), and starts a gateway on it in
// a process of its own. Over HTTP, with the admin key of the biggest organization (and of the
// smallest, for two queries), it times every call those pages make for realistic periods (and
// the Administration API's Costs and Usage endpoints for 30 days, following next_page), as the
// console's report.ts asks (a call it makes that the gateway refuses is printed with its error).
// Prints p50 / p95 of --runs runs per query (each run follows every page) and, for the first page
// of each report, its SQL (built by the reports' own code) timed alone on the bench's connection
// and what the database reads: SQLite's query plan and the rows in the range, PostgreSQL's
// EXPLAIN ANALYZE (rows and buffers of each scan).
//
//   node bench/console-pages.mjs --backend sqlite|postgres|both [--runs 10] [--events 1000000] [--fresh] [--keep]
//
// SQLite: the seeded file is cached under /tmp/tollgate-console-bench (--fresh seeds again) and
// each run works on a copy, so a migration added since is applied (and timed) on a million rows.
// PostgreSQL: 127.0.0.1:5432/test (TOLLGATE_TEST_PG), a schema of its own, dropped at the end
// (--keep: kept as tg_console_bench_keep_<events> and reused by the next --keep run; --fresh seeds again).
// Needs the build (npx tsc -b).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const BACKEND = arg('backend', 'both');
const RUNS = Number(arg('runs', '10'));
const EVENTS = Number(arg('events', '1000000'));
const FRESH = process.argv.includes('--fresh');
const KEEP = process.argv.includes('--keep');
const WRITE = Number(arg('write', '50000'));
const PG_URL = process.env.TOLLGATE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const CACHE = '/tmp/tollgate-console-bench';
const OPERATOR_KEY = 'bench-console-operator-key-0123456789';

const dist = new URL('../packages/gateway/dist/', import.meta.url);
const gw = await import(new URL('index.js', dist).href);
const { rollupRows, writeUsageBatch } = await import(new URL('usage/ledger-writer.js', dist).href);
const { aggregateUsage } = await import(new URL('usage/reports.js', dist).href);
const { parseReportQuery } = await import(new URL('usage/report-query.js', dist).href);
const { mulberry32 } = await import(new URL('upstream/simulator/random.js', dist).href);
const require = createRequire(new URL('../packages/gateway/package.json', import.meta.url));
const Sqlite = require('better-sqlite3');
const pg = require('pg');
const { Kysely, SqliteDialect, PostgresDialect } = require('kysely');

const DAY = 86_400_000;
const SPAN = 90 * DAY;

// ---------- the data set ----------

/** The simulator's seeded PRNG (mulberry32): every seeding writes the same ledger (apart from NOW). */
const rng = mulberry32;

// Price per token in pico-dollars (input, output) and share of the traffic.
const MODELS = [
  ['sim-small', 150_000, 600_000, 30],
  ['sim-large', 2_500_000, 10_000_000, 15],
  ['sim-embed', 20_000, 0, 10],
  ['chat-fast', 100_000, 400_000, 12],
  ['chat-pro', 3_000_000, 12_000_000, 8],
  ['chat-mini', 50_000, 200_000, 8],
  ['reasoner', 1_100_000, 4_400_000, 6],
  ['coder', 500_000, 1_500_000, 5],
  ['vision', 2_000_000, 8_000_000, 4],
  ['legacy', 1_000_000, 2_000_000, 2],
];
const ORG_SHARE = [0.55, 0.25, 0.15, 0.05];
const PROJECTS_PER_ORG = [10, 5, 3, 2];
const KEYS_PER_PROJECT = 10;

function pickWeighted(r, weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = r() * total;
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]) < 0) return i;
  return weights.length - 1;
}

/** Events in time order (as the ledger receives them), in chunks; calls `sink(chunk)` for each. */
async function generate(orgIds, now, sink) {
  const r = rng(20261201);
  const ids = randomBytes(EVENTS * 12);
  const samples = [];
  const CHUNK = 20_000;
  let chunk = [];
  for (let i = 0; i < EVENTS; i++) {
    const o = pickWeighted(r, ORG_SHARE);
    const p = Math.floor(r() * PROJECTS_PER_ORG[o]);
    const k = Math.floor(r() * KEYS_PER_PROJECT);
    const m = MODELS[pickWeighted(r, MODELS.map((x) => x[3]))];
    const fail = r();
    // 4% refused before a model (rate limit), 2% rejected as invalid, 1% failed mid-stream (tokens used).
    const status = fail < 0.04 ? 429 : fail < 0.06 ? 400 : fail < 0.07 ? 502 : 200;
    const used = status === 200 || status === 502;
    const prompt = used ? 50 + Math.floor(r() * 4000) : 0;
    const completion = used && m[0] !== 'sim-embed' ? 10 + Math.floor(r() * 1000) : 0;
    const e = {
      request_id: `req_${ids.toString('hex', i * 12, i * 12 + 12)}`,
      org_id: orgIds[o],
      project_id: `proj_${o}_${p}`,
      key_id: `key_${o}_${p}_${k}`,
      // Two keys per user; the last key of each project belongs to a service account.
      user_id: k === KEYS_PER_PROJECT - 1 ? `svc_acct_${o}_${p}` : `user_${o}_${p}_${k >> 1}`,
      model: m[0],
      requested_model: m[0],
      endpoint: m[0] === 'sim-embed' ? 'embeddings' : 'chat.completions',
      prompt_tokens: prompt,
      completion_tokens: completion,
      cost_pico: BigInt(prompt * m[1] + completion * m[2]),
      status_code: status,
      error_code: status === 429 ? 'rate_limit_exceeded' : status === 400 ? 'invalid_request_error' : status === 502 ? 'upstream_error' : null,
      error_message: status === 200 ? null : `request failed with ${status}`,
      upstream_request_id: null,
      streamed: r() < 0.4,
      latency_ms: 50 + Math.floor(r() * 5000),
      estimated: false,
      created_at: now - SPAN + Math.floor(((i + r()) * SPAN) / EVENTS),
    };
    if (o === 0 && i % 100_003 === 0) samples.push(e.request_id);
    chunk.push(e);
    if (chunk.length === CHUNK || i === EVENTS - 1) {
      await sink(chunk);
      chunk = [];
    }
  }
  return samples;
}

/** Sums the ledger's own rollup rows of each chunk into one map (a key's rows span chunks). */
function rollupAccumulator() {
  const rows = new Map();
  return {
    add(chunk) {
      for (const x of rollupRows(chunk.filter((e) => e.status_code < 400 || e.prompt_tokens > 0 || e.completion_tokens > 0))) {
        const k = `${x.day}\n${x.org_id}\n${x.model}\n${x.key_id}\n${x.user_id}`;
        const g = rows.get(k);
        if (!g) rows.set(k, x);
        else {
          g.requests += x.requests;
          g.prompt_tokens += x.prompt_tokens;
          g.completion_tokens += x.completion_tokens;
          g.cost_pico += x.cost_pico;
        }
      }
    },
    rows: () => [...rows.values()],
  };
}

const EVENT_COLUMNS = ['request_id', 'org_id', 'project_id', 'key_id', 'user_id', 'model', 'requested_model', 'endpoint', 'prompt_tokens', 'completion_tokens', 'cost_pico', 'status_code', 'error_code', 'error_message', 'upstream_request_id', 'streamed', 'latency_ms', 'estimated', 'created_at'];
const DAILY_COLUMNS = ['day', 'org_id', 'model', 'key_id', 'user_id', 'project_id', 'requests', 'prompt_tokens', 'completion_tokens', 'cost_pico'];
const cell = (e, c) => (c === 'streamed' || c === 'estimated' ? (e[c] ? 1 : 0) : e[c]);

async function makeOrgs(url) {
  const store = await gw.openStore(url);
  const orgIds = [];
  for (let i = 0; i < ORG_SHARE.length; i++) orgIds.push((await store.organizations.create({ name: `bench org ${i}`, tier: 'unlimited' })).id);
  await store.close();
  return orgIds;
}

async function seedSqlite(file) {
  const t0 = performance.now();
  const orgIds = await makeOrgs(`sqlite:${file}`);
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  const insert = db.prepare(`INSERT INTO usage_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`);
  const insertMany = db.transaction((rows) => {
    for (const e of rows) insert.run(EVENT_COLUMNS.map((c) => cell(e, c)));
  });
  db.defaultSafeIntegers(false);
  const roll = rollupAccumulator();
  const samples = await generate(orgIds, now, (chunk) => {
    insertMany(chunk);
    roll.add(chunk);
  });
  const daily = db.prepare(`INSERT INTO usage_daily (${DAILY_COLUMNS.join(', ')}) VALUES (${DAILY_COLUMNS.map(() => '?').join(', ')})`);
  const rollups = roll.rows();
  db.transaction(() => {
    for (const x of rollups) daily.run(DAILY_COLUMNS.map((c) => x[c]));
  })();
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { orgIds, now, samples, rollups: rollups.length, seedSeconds: (performance.now() - t0) / 1000 };
}

async function seedPostgres(url, schema) {
  const t0 = performance.now();
  const orgIds = await makeOrgs(url);
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  const types = { prompt_tokens: 'bigint', completion_tokens: 'bigint', cost_pico: 'bigint', status_code: 'integer', streamed: 'integer', latency_ms: 'bigint', estimated: 'integer', created_at: 'bigint', requests: 'bigint' };
  // One statement per 5,000 rows: each column as one array parameter, unnested into rows.
  const bulk = async (table, columns, rows) => {
    for (let i = 0; i < rows.length; i += 5000) {
      const part = rows.slice(i, i + 5000);
      const params = columns.map((c) => part.map((e) => (c === 'cost_pico' ? String(e[c]) : cell(e, c))));
      const arrays = columns.map((c, j) => `$${j + 1}::${types[c] ?? 'text'}[]`).join(', ');
      await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${arrays})`, params);
    }
  };
  const roll = rollupAccumulator();
  const samples = await generate(orgIds, now, async (chunk) => {
    await bulk('usage_events', EVENT_COLUMNS, chunk);
    roll.add(chunk);
  });
  const rollups = roll.rows();
  await bulk('usage_daily', DAILY_COLUMNS, rollups);
  await client.query('VACUUM ANALYZE usage_events');
  await client.query('VACUUM ANALYZE usage_daily');
  await client.end();
  return { orgIds, now, samples, rollups: rollups.length, seedSeconds: (performance.now() - t0) / 1000 };
}

// ---------- the queries ----------

/** What the console's pages and the Administration API ask for, as of the seeding's NOW. */
function queries(now, samples) {
  const s = Math.floor(now / 1000);
  const month = s - 30 * 86_400;
  const q = (o) => new URLSearchParams(o).toString();
  return [
    { name: 'Usage page, 30 days by day, cost by model (costs)', path: '/v1/organization/costs', query: q({ start_time: month, end_time: s, bucket_width: '1d', limit: 31, group_by: 'line_item' }), kind: 'costs' },
    { name: 'Usage page, 30 days by day, requests by model', path: '/v1/organization/usage/completions', query: q({ start_time: month, end_time: s, bucket_width: '1d', limit: 31, group_by: 'model' }), kind: 'usage' },
    { name: 'Usage page, 24 h by hour, requests by key', path: '/v1/organization/usage/completions', query: q({ start_time: s - 86_400, end_time: s, bucket_width: '1h', limit: 168, group_by: 'api_key_id' }), kind: 'usage' },
    { name: 'Usage page, 24 h by hour, cost by key (costs)', path: '/v1/organization/costs', query: q({ start_time: s - 86_400, end_time: s, bucket_width: '1h', limit: 168, group_by: 'api_key_id' }), kind: 'costs' },
    { name: 'Usage page, last hour by minute, requests', path: '/v1/organization/usage/completions', query: q({ start_time: s - 3600, end_time: s, bucket_width: '1m', limit: 1440 }), kind: 'usage' },
    { name: 'CSV export, 30 days by day, cost by key (costs)', path: '/v1/organization/costs', query: q({ start_time: month, end_time: s, bucket_width: '1d', limit: 31, group_by: 'api_key_id' }), kind: 'costs' },
    { name: 'CSV export, 30 days by day, tokens by user', path: '/v1/organization/usage/completions', query: q({ start_time: month, end_time: s, bucket_width: '1d', limit: 31, group_by: 'user_id' }), kind: 'usage' },
    { name: 'Costs API, 30 days, default page (7 days), by project and line item', path: '/v1/organization/costs', query: `${q({ start_time: month, end_time: s })}&group_by[]=project_id&group_by[]=line_item`, kind: 'costs' },
    { name: 'Usage API, 30 days by day, default page (7 days), by model and key', path: '/v1/organization/usage/completions', query: `${q({ start_time: month, end_time: s, bucket_width: '1d' })}&group_by[]=model&group_by[]=api_key_id`, kind: 'usage' },
    { name: 'Usage API, 7 days by hour (pages of 168), by model', path: '/v1/organization/usage/completions', query: q({ start_time: s - 7 * 86_400, end_time: s, bucket_width: '1h', limit: 168, group_by: 'model' }), kind: 'usage' },
    { name: 'Usage API, 30 days by hour (pages of 168)', path: '/v1/organization/usage/completions', query: q({ start_time: month, end_time: s, bucket_width: '1h', limit: 168 }), kind: 'usage' },
    // The smallest organization (5% of the traffic) reads the same big tables.
    { name: 'Small organization: Usage page, 24 h by hour, requests by key', org: 3, path: '/v1/organization/usage/completions', query: q({ start_time: s - 86_400, end_time: s, bucket_width: '1h', limit: 168, group_by: 'api_key_id' }), kind: 'usage' },
    { name: 'Small organization: Usage API, 7 days by hour (pages of 168), by model', org: 3, path: '/v1/organization/usage/completions', query: q({ start_time: s - 7 * 86_400, end_time: s, bucket_width: '1h', limit: 168, group_by: 'model' }), kind: 'usage' },
    { name: 'Requests page, lookup by id (hit)', path: `/v1/organization/requests/${samples[Math.floor(samples.length / 2)]}` },
    { name: 'Requests page, lookup by id (miss)', path: `/v1/organization/requests/req_${'0'.repeat(24)}` },
  ];
}

async function call(base, key, path, query) {
  let page = null;
  let pages = 0;
  let results = 0;
  do {
    const url = `${base}${path}${query ? `?${query}${page ? `&page=${encodeURIComponent(page)}` : ''}` : ''}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.json();
    pages++;
    if (res.status !== 200) return { pages, results, status: res.status, error: body?.error?.message };
    if (body.object === 'page') results += body.data.reduce((n, b) => n + b.results.length, 0);
    page = body.has_more ? body.next_page : null;
  } while (page);
  return { pages, results, status: 200 };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** The SQL of a report's first page, as the gateway's own code builds it (run on a logging Kysely). */
async function reportSql(kysely, dialect, org, qd, now) {
  const q = parseReportQuery(qd.query, qd.kind, now);
  if (qd.path.endsWith('/completions')) q.excludeModels = ['sim-embed'];
  const pageEnd = Math.min(q.pageStartMs + q.limit * q.widthMs, Math.ceil(q.endMs / q.widthMs) * q.widthMs);
  lastQuery = undefined;
  await aggregateUsage({ db: kysely, dialect }, org, q, q.pageStartMs, pageEnd);
  const captured = lastQuery;
  return { sql: captured.sql, parameters: captured.parameters, from: q.pageStartMs, to: pageEnd, width: q.width };
}

let lastQuery;
/** A Kysely on the bench's own connection that keeps the last query it ran. */
const loggingKysely = (dialect) => new Kysely({ dialect, log: (e) => void (e.level === 'query' && (lastQuery = e.query)) });

/** SQLite: the plan's lines and how many rows the range holds (what the plan's SEARCH reads). */
function explainSqlite(db, s, org) {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.parameters).map((r) => r.detail).join('; ');
  const range = s.width === '1d'
    ? db.prepare('SELECT count(*) AS n FROM usage_daily WHERE org_id = ? AND day >= ? AND day < ?').get(org, new Date(s.from).toISOString().slice(0, 10), new Date(s.to).toISOString().slice(0, 10)).n
    : db.prepare('SELECT count(*) AS n FROM usage_events WHERE org_id = ? AND created_at >= ? AND created_at < ?').get(org, s.from, s.to).n;
  return `${plan} — ${range.toLocaleString('en-US')} ${s.width === '1d' ? 'rollup' : 'event'} rows in the range`;
}

/** PostgreSQL: each scan of EXPLAIN ANALYZE with the rows it returned, filtered out and the buffers it touched. */
async function explainPostgres(client, s) {
  const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${s.sql}`, s.parameters);
  const root = r.rows[0]['QUERY PLAN'][0];
  const scans = [];
  const walk = (n) => {
    if (/Scan/.test(n['Node Type'])) {
      const rows = n['Actual Rows'] * n['Actual Loops'];
      const removed = (n['Rows Removed by Filter'] ?? 0) * n['Actual Loops'];
      const buffers = (n['Shared Hit Blocks'] ?? 0) + (n['Shared Read Blocks'] ?? 0);
      scans.push(`${n['Node Type']}${n['Relation Name'] ? ` on ${n['Relation Name']}` : ''}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}: ${rows.toLocaleString('en-US')} rows${removed ? ` (+${removed.toLocaleString('en-US')} filtered out)` : ''}, ${buffers.toLocaleString('en-US')} buffers`);
    }
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(root.Plan);
  return `${scans.join('; ')}; execution ${root['Execution Time'].toFixed(1)} ms`;
}

/**
 * What the ledger's indexes cost its writer: --write events of the biggest organization, written by
 * the ledger's own writeUsageBatch in batches of 500 (its default flush_batch) into the seeded store
 * (so into indexes of a million rows), a day after the queried periods, before the gateway starts.
 */
async function writeCost(url, meta, backend) {
  const store = await gw.openStore(url);
  const base = { org_id: meta.orgIds[0], project_id: 'proj_0_0', key_id: 'key_0_0_0', user_id: 'user_0_0_0', model: 'sim-small', requested_model: 'sim-small', endpoint: 'chat.completions', prompt_tokens: 100, completion_tokens: 20, cost_pico: 27_000_000n, status_code: 200, error_code: null, error_message: null, upstream_request_id: null, streamed: false, latency_ms: 300, estimated: false };
  const ids = randomBytes(WRITE * 12);
  const t = performance.now();
  for (let i = 0; i < WRITE; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(WRITE, i + 500); j++) batch.push({ ...base, request_id: `req_w${ids.toString('hex', j * 12, j * 12 + 12)}`, key_id: `key_0_${j % 10}_${j % 7}`, created_at: meta.now + DAY + (j % 60_000) });
    await writeUsageBatch(store, batch);
  }
  const ms = performance.now() - t;
  await store.close();
  console.log(`${backend}: the ledger wrote ${WRITE.toLocaleString('en-US')} events in batches of 500 in ${(ms / 1000).toFixed(1)} s: ${((ms * 1000) / WRITE).toFixed(1)} µs/event`);
}

// ---------- the gateway, in a process of its own (as in production: the client's work is not its) ----------

async function serve() {
  const { url, dir } = JSON.parse(process.env.BENCH_GATEWAY);
  const env = { TOLLGATE_ADMIN_KEY: OPERATOR_KEY };
  const config = gw.parseConfig(
    {
      server: { host: '127.0.0.1', port: 0 },
      database: { url },
      // Retention must not delete the seeded history while the bench runs.
      usage: { retention_days: 365, journal_path: join(dir, 'journal.jsonl') },
      logging: { level: 'warn' },
      default_tier: 'unlimited',
    },
    env,
  );
  const gateway = await gw.createGateway(config, { env, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  console.log(await gateway.listen(0, '127.0.0.1'));
  process.on('SIGTERM', () => void gateway.close().then(() => process.exit(0)));
}

function startGateway(url, dir) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], { env: { ...process.env, BENCH_GATEWAY: JSON.stringify({ url, dir }) }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/m.exec(out);
      if (m) resolve({ url: m[1], stop: () => new Promise((done) => (child.once('exit', done), child.kill('SIGTERM'))) });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}: ${out}`)));
  });
}

// ---------- one backend ----------

async function dropSchema(schema) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
}

async function bench(backend) {
  let url;
  let meta;
  let cleanup;
  let dir;
  if (backend === 'sqlite') {
    mkdirSync(CACHE, { recursive: true });
    const cached = join(CACHE, `ledger-${EVENTS}.db`);
    if (FRESH || !existsSync(cached) || !existsSync(`${cached}.json`)) {
      for (const f of [cached, `${cached}-wal`, `${cached}-shm`, `${cached}.json`]) rmSync(f, { force: true });
      console.log(`sqlite: seeding ${EVENTS.toLocaleString('en-US')} events into ${cached} ...`);
      const m = await seedSqlite(cached);
      writeFileSync(`${cached}.json`, JSON.stringify(m));
    }
    meta = JSON.parse(readFileSync(`${cached}.json`, 'utf8'));
    dir = mkdtempSync(join(tmpdir(), 'tg-console-bench-'));
    copyFileSync(cached, join(dir, 'tollgate.db'));
    url = `sqlite:${join(dir, 'tollgate.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    // --keep: a schema kept (and reused) across runs, like the SQLite cache; else one of its own, dropped at the end.
    const schema = KEEP ? `tg_console_bench_keep_${EVENTS}` : `tg_console_bench_${randomBytes(4).toString('hex')}`;
    const kept = join(CACHE, `${schema}.json`);
    url = `${PG_URL}?schema=${schema}`;
    dir = mkdtempSync(join(tmpdir(), 'tg-console-bench-'));
    if (KEEP && !FRESH && existsSync(kept)) meta = JSON.parse(readFileSync(kept, 'utf8'));
    else {
      await dropSchema(schema);
      console.log(`postgres: seeding ${EVENTS.toLocaleString('en-US')} events into schema ${schema} ...`);
      meta = await seedPostgres(url, schema);
      meta.schema = schema;
      if (KEEP) {
        mkdirSync(CACHE, { recursive: true });
        writeFileSync(kept, JSON.stringify(meta));
      }
    }
    cleanup = async () => {
      if (!KEEP) await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    };
  }
  if (meta.seedSeconds) console.log(`${backend}: seeded in ${meta.seedSeconds.toFixed(1)} s (${meta.rollups.toLocaleString('en-US')} daily rollup rows)`);

  let gateway;
  try {
    // A migration added since the seeding is applied here, to the million rows.
    const t0 = performance.now();
    await (await gw.openStore(url)).close();
    console.log(`${backend}: store opened (migrations included) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (WRITE > 0) await writeCost(url, meta, backend);
    const t1 = performance.now();
    gateway = await startGateway(url, dir);
    const base = gateway.url;
    console.log(`${backend}: gateway started in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    // An admin key of the biggest organization and of the smallest.
    const keys = {};
    for (const o of [0, 3]) {
      const made = await fetch(`${base}/admin/v1/organizations/${meta.orgIds[o]}/admin_api_keys`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) });
      keys[o] = (await made.json()).value;
      if (!keys[o]) throw new Error(`no admin key: ${made.status}`);
    }

    // The plans, from the reports' own SQL on a connection of the bench's.
    let explainDb;
    let kysely;
    let pgClient;
    if (backend === 'sqlite') {
      explainDb = new Sqlite(join(dir, 'tollgate.db'), { readonly: true });
      kysely = loggingKysely(new SqliteDialect({ database: explainDb }));
    } else {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path="${meta.schema}"` });
      kysely = loggingKysely(new PostgresDialect({ pool }));
      pgClient = new pg.Client({ connectionString: PG_URL, options: `-c search_path="${meta.schema}"` });
      await pgClient.connect();
    }

    const rows = [];
    for (const qd of queries(meta.now, meta.samples)) {
      const org = meta.orgIds[qd.org ?? 0];
      const key = keys[qd.org ?? 0];
      const first = await call(base, key, qd.path, qd.query);
      const times = [];
      if (first.status === 200 || first.status === 404) {
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          await call(base, key, qd.path, qd.query);
          times.push(performance.now() - t);
        }
      }
      times.sort((a, b) => a - b);
      let plan = '';
      if (qd.kind && first.status === 200) {
        const s = await reportSql(kysely, backend, org, qd, meta.now);
        plan = backend === 'sqlite' ? explainSqlite(explainDb, s, org) : await explainPostgres(pgClient, s);
        const sqlTimes = [];
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          if (backend === 'sqlite') explainDb.prepare(s.sql).all(...s.parameters);
          else await pgClient.query(s.sql, s.parameters);
          sqlTimes.push(performance.now() - t);
        }
        sqlTimes.sort((a, b) => a - b);
        plan = `first page's SQL alone p50 ${pct(sqlTimes, 50).toFixed(1)} ms; ${plan}`;
      }
      const row = { backend, name: qd.name, status: first.status, pages: first.pages, results: first.results, p50: times.length ? pct(times, 50) : NaN, p95: times.length ? pct(times, 95) : NaN, plan, error: first.error };
      rows.push(row);
      console.log(
        `${backend} | ${row.name} | ${row.status === 200 || row.status === 404 ? `${row.status}, ${row.pages} page(s), ${row.results} results` : `HTTP ${row.status}: ${row.error}`} | p50 ${row.p50.toFixed(1)} ms | p95 ${row.p95.toFixed(1)} ms${plan ? `\n    ${plan}` : ''}`,
      );
    }
    await kysely.destroy();
    await pgClient?.end();
    return rows;
  } finally {
    await gateway?.stop();
    await cleanup();
  }
}

if (process.argv.includes('--serve')) {
  await serve();
} else {
console.log(`console pages at ${EVENTS.toLocaleString('en-US')} ledger rows, ${RUNS} runs per query (each run follows every page)`);
for (const b of BACKEND === 'both' ? ['sqlite', 'postgres'] : [BACKEND]) {
  if (b !== 'sqlite' && b !== 'postgres') throw new Error(`--backend sqlite|postgres|both, not ${b}`);
  await bench(b);
}
}
