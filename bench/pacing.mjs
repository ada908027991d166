// Pacing benchmark (issue 7): a batch of 600 requests against an organization limited to
// 1200 requests per minute should finish within 10 % of the ideal 30 s with under 1 % of its
// requests answered 429 when the client paces, compared with the same batch unpaced.
//
//   npx tsc -b && node bench/pacing.mjs [--requests 600] [--rpm 1200] [--concurrency 32] [--variants told,learned,unpaced,unpaced-patient]
//
// The gateway runs in this process (createGateway from dist), SQLite in a temp dir, the built-in
// simulator answering at once, so the rate limit is the only thing that paces the batch.
//
// Why there is a warm-up: the gateway's bucket (capacity = the limit, refilled at limit/60 s)
// starts full, and so does the Pacer's mirror of it. A fresh organization would therefore take
// 600 of its 1200 at once and the batch would end in well under a second with or without pacing.
// The "ideal 30 s" is the sustained rate (20 requests/s), i.e. a bucket that is already
// empty, as it is in the middle of any long batch. So each variant gets a fresh organization and
// first spends its bucket: the paced variants by running warm-up requests through the same
// client and Pacer until the Pacer reports its bucket empty (the Pacer then knows the server's
// state from the x-ratelimit-remaining headers, as it would mid-batch); the unpaced variants by
// sending until the first 429. Only then is the timed batch of 600 started, so the ideal is
// exactly requests / (rpm / 60 s). (The Pacer has no option to start with an empty bucket or to
// skip the burst; see the report.)
//
// Variants (each a fresh organization):
//   told             Pacer told { requestsPerMinute: rpm } (and the large TPM); paced warm-up
//   learned          Pacer told nothing: it learns the limits from x-ratelimit-* headers; paced warm-up
//   cold             the bucket spent by someone else (unpaced warm-up), then a new Pacer told the
//                    limits: how it starts when it cannot know the server's state
//   fresh            Pacer told the limits, no warm-up: a full bucket, so the batch is one burst
//   unpaced          no Pacer, client defaults (maxRetries 2, retry budget on): retries follow the 429's wait
//   unpaced-patient  no Pacer, maxRetries 50 and no retry budget
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createGateway } from '../packages/gateway/dist/app.js';
import { parseConfig } from '../packages/gateway/dist/config/load.js';
import { Pacer, Tollgate, runBatch } from '../packages/client/dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const REQUESTS = Number(arg('requests', '600'));
const RPM = Number(arg('rpm', '1200'));
const TPM = 100_000_000;
const CONCURRENCY = Number(arg('concurrency', '32'));
const VARIANTS = arg('variants', 'told,learned,cold,fresh,unpaced,unpaced-patient').split(',');
const MODEL = 'sim-small';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const IDEAL_S = REQUESTS / (RPM / 60);

const dir = mkdtempSync(join(tmpdir(), 'tollgate-pacing-'));
const env = { TOLLGATE_ADMIN_KEY: ADMIN_KEY };
const config = parseConfig(
  {
    server: { host: '127.0.0.1', port: 0, public_url: 'http://127.0.0.1' },
    database: { url: `sqlite:${join(dir, 'tollgate.db')}` },
    logging: { level: 'warn' },
    default_tier: 'unlimited',
  },
  env,
);
const discard = new Writable({ write: (_c, _e, cb) => cb() });
const gateway = await createGateway(config, { env, logDestination: discard });
const url = await gateway.listen(0, '127.0.0.1');
const baseURL = `${url}/v1`;

async function admin(method, path, body) {
  const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

/** A fresh organization with its own key and the benchmark's limits on sim-small. */
async function tenant(name) {
  const org = await admin('POST', '/admin/v1/organizations', { name });
  const user = await admin('POST', '/admin/v1/users', { email: `${name}-${Date.now()}@bench.local`, name });
  await admin('POST', `/admin/v1/organizations/${org.id}/members`, { user_id: user.id, role: 'owner' });
  await admin('PUT', `/admin/v1/organizations/${org.id}/rate_limits/${MODEL}`, {
    max_requests_per_1_minute: RPM,
    max_tokens_per_1_minute: TPM,
    max_requests_per_1_day: null,
    max_tokens_per_1_day: null,
  });
  const key = await admin('POST', '/admin/v1/keys', { organization_id: org.id, user_id: user.id, name });
  return key.key;
}

/** A fetch that counts attempts by status. */
function counting() {
  const c = { attempts: 0, byStatus: {}, errors: 0 };
  c.fetch = async (input, init) => {
    c.attempts++;
    try {
      const res = await fetch(input, init);
      c.byStatus[res.status] = (c.byStatus[res.status] ?? 0) + 1;
      return res;
    } catch (e) {
      c.errors++;
      throw e;
    }
  };
  c.reset = () => {
    c.attempts = 0;
    c.byStatus = {};
    c.errors = 0;
  };
  return c;
}

const body = (i) => ({ model: MODEL, messages: [{ role: 'user', content: `Request ${i}: say something short.` }], max_tokens: 16 });
const lines = (prefix, n) => Array.from({ length: n }, (_, i) => JSON.stringify({ custom_id: `${prefix}-${i}`, method: 'POST', url: '/v1/chat/completions', body: body(i) }));

/** Paced warm-up: requests through the paced client until the Pacer sees its request bucket empty. */
async function warmPaced(client, pacer) {
  let sent = 0;
  for (let round = 0; round < 20; round++) {
    const available = pacer.state(MODEL).requests.available;
    if (available !== undefined && available < 1) break;
    const n = available === undefined ? CONCURRENCY : Math.max(CONCURRENCY, Math.ceil(available) + CONCURRENCY);
    await runBatch({ client, input: lines(`warm${round}`, n), output: { write() {} }, concurrency: CONCURRENCY, pacer });
    sent += n;
  }
  return sent;
}

/** Unpaced warm-up: bursts until the server answers 429, i.e. its bucket is empty. */
async function warmUnpaced(client, wire) {
  let sent = 0;
  while (!wire.byStatus[429]) {
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client.chat.completions.create(body(i), { maxRetries: 0 }).catch(() => undefined)));
    sent += CONCURRENCY;
  }
  return sent;
}

async function runVariant(name) {
  const apiKey = await tenant(`pacing-${name}`);
  const wire = counting();
  const pacer = name.startsWith('unpaced') ? undefined : new Pacer(name === 'learned' ? {} : { requestsPerMinute: RPM, tokensPerMinute: TPM });
  const client = new Tollgate({
    apiKey,
    baseURL,
    fetch: wire.fetch,
    ...(name === 'unpaced-patient' ? { maxRetries: 50, retryBudget: false } : {}),
  });
  const warm =
    name === 'fresh' ? 0 : name === 'told' || name === 'learned' ? await warmPaced(client, pacer) : await warmUnpaced(client, wire);
  wire.reset();

  const t0 = performance.now();
  const summary = await runBatch({ client, input: lines(name, REQUESTS), output: { write() {} }, concurrency: CONCURRENCY, ...(pacer ? { pacer } : {}) });
  const elapsed = (performance.now() - t0) / 1000;
  const r429 = wire.byStatus[429] ?? 0;
  return {
    variant: name,
    warmup: warm,
    elapsed_s: elapsed.toFixed(2),
    vs_ideal: name === 'fresh' ? 'n/a' : `${(((elapsed - IDEAL_S) / IDEAL_S) * 100).toFixed(1)}%`,
    attempts: wire.attempts,
    '429s': r429,
    '429s/requests': `${((r429 / REQUESTS) * 100).toFixed(1)}%`,
    succeeded: summary.succeeded,
    failed: summary.failed,
    failures: Object.entries(summary.byCode).map(([k, v]) => `${k}:${v}`).join(' ') || '-',
  };
}

console.log(`pacing benchmark: ${REQUESTS} requests, limit ${RPM} RPM (${RPM / 60}/s), concurrency ${CONCURRENCY}; ideal ${IDEAL_S.toFixed(1)} s from an empty bucket`);
const rows = [];
try {
  for (const v of VARIANTS) {
    const row = await runVariant(v);
    rows.push(row);
    console.log(`  ${v}: ${row.elapsed_s} s, ${row['429s']} × 429`);
  }
} finally {
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
