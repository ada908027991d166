/**
 * Runs real gateway PROCESSES for the scale-out tests: `node packages/gateway/dist/cli/main.js
 * serve` N times on one config, one database and (optionally) one Redis or Redis Cluster, each on a port of its
 * own choosing (TOLLGATE_PORT=0; the URL is read from the "listening on" line). Instance 0's admin
 * API creates tenants. `close()` stops every process, drops the PostgreSQL schema, deletes the
 * Redis keys under the cluster's prefix and removes the temp directory. Its processes (a restart's
 * too) are killed at the end of the test or file that started the cluster if it was not closed
 * (support/children.ts).
 *
 * The binary must have been built (`npx tsc -b`; `npm test` builds first): `requireBuild()`
 * throws a clear message otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ADMIN_KEY, call, newTenant, type Answer, type Tenant, type TenantOptions } from '../support/admin.js';
import { currentScope, track, type Until } from '../support/children.js';
import { postgresSchema } from '../support/databases.js';
import { startRedisCluster } from '../support/redis-cluster.js';
import { deleteRedisKeys, TEST_REDIS_URL } from '../support/services.js';

export const MAIN_JS = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
export const REDIS_URL = TEST_REDIS_URL;
export type { Tenant };

/** Fails fast, and says what to do, when the CLI has not been compiled. */
export function requireBuild(): void {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: these tests run the compiled gateway; run \`npx tsc -b\` (npm test does) first.`);
}

export interface ClusterOptions {
  instances: number;
  /** The config document; server, database, redis and logging defaults are filled in. */
  config: Record<string, unknown>;
  /** `postgres` (default): a fresh schema; `sqlite`: one file in the temp directory. */
  database?: 'postgres' | 'sqlite';
  /**
   * Share a Redis: `true` (default) the shared test Redis under a fresh prefix, `'cluster'` a
   * 3-master Redis Cluster of the cluster's own (redis.cluster_nodes), `false` none.
   */
  redis?: RedisKind | false;
  /** Extra `tollgate serve` arguments for every instance (e.g. `--workers 2`). */
  serveArgs?: string[];
  /** Extra environment for every instance. */
  env?: Record<string, string>;
}

/** The two Redis setups the scale-out exactness tests run on. */
export type RedisKind = true | 'cluster';
export const REDIS_KINDS: readonly [string, RedisKind][] = [
  ['one Redis', true],
  ['a 3-master Redis Cluster', 'cluster'],
];

export interface Instance {
  readonly index: number;
  /** `http://127.0.0.1:port` */
  readonly url: string;
  readonly baseURL: string;
  readonly child: ChildProcess;
  /** What the process printed (bounded), for failure messages. */
  output(): string;
  /** Resolves with the exit code or signal once the process has ended. */
  readonly exited: Promise<string>;
}

export interface Cluster {
  readonly instances: Instance[];
  readonly dir: string;
  readonly databaseUrl: string;
  /** The SQLite file, when database is 'sqlite'. */
  readonly sqlitePath: string | undefined;
  readonly redisPrefix: string | undefined;
  /** Calls `path` (a full path) on an instance (default 0) with the admin key. */
  admin<T = any>(method: string, path: string, body?: unknown, instance?: number): Promise<Answer<T>>;
  /** An organization with an owner and an API key, created through instance 0 (support/admin.ts). */
  newTenant(name: string, opts?: Omit<TenantOptions, 'name'>): Promise<Tenant>;
  /** Sends the signal and waits until the process is gone. */
  kill(index: number, signal?: NodeJS.Signals): Promise<string>;
  /** Starts a fresh process in slot `index` (same config, database, Redis and journal), ready. */
  restart(index: number): Promise<Instance>;
  close(): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;
// Generous: eight test suites may share two cores, and a start then takes tens of seconds.
const START_TIMEOUT_MS = 60_000;
/** A beforeAll that starts a cluster may take this long (instances start together, each within START_TIMEOUT_MS). */
export const CLUSTER_HOOK_MS = 2 * START_TIMEOUT_MS;

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  requireBuild();
  const until = currentScope();
  const id = randomBytes(5).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), `tg-cluster-${id}-`));
  const dialect = opts.database ?? 'postgres';
  const pgSchema = dialect === 'postgres' ? postgresSchema('tg_cluster') : undefined;
  const sqlitePath = dialect === 'sqlite' ? join(dir, 'tollgate.db') : undefined;
  const databaseUrl = sqlitePath ? `sqlite:${sqlitePath}` : pgSchema!.url;
  const redisPrefix = opts.redis === false ? undefined : `tgc-${id}:`;
  const redisCluster = opts.redis === 'cluster' ? await startRedisCluster(3, { until }) : undefined;
  const redisEnv: Record<string, string> = redisCluster ? redisCluster.env : redisPrefix ? { TOLLGATE_REDIS_URL: REDIS_URL } : {};

  const doc = {
    ...opts.config,
    server: { host: '127.0.0.1', public_url: 'http://gateway.test', shutdown_grace_ms: 2000, ...(opts.config.server as object | undefined) },
    logging: { level: 'warn', ...(opts.config.logging as object | undefined) },
  };
  const configFile = join(dir, 'tollgate.yaml');
  writeFileSync(configFile, stringify(doc));

  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TOLLGATE_') && k !== 'NODE_OPTIONS') baseEnv[k] = v;
  const envFor = (index: number): Record<string, string> => ({
    ...baseEnv,
    TOLLGATE_ADMIN_KEY: ADMIN_KEY,
    TOLLGATE_DATABASE_URL: databaseUrl,
    TOLLGATE_PORT: '0',
    ...redisEnv,
    ...(redisPrefix ? { TOLLGATE_REDIS_PREFIX: redisPrefix } : {}),
    // One journal per instance (they share a working directory here). With SQLite the default,
    // next to the database file, is what is under test, so it is left alone.
    ...(dialect === 'postgres' ? { TOLLGATE_USAGE_JOURNAL: join(dir, `journal-${index}`, 'usage-journal.jsonl') } : {}),
    ...opts.env,
  });

  const instances: Instance[] = [];
  const all = new Set<ChildProcess>();
  const launch = (index: number) => spawnInstance(index, [configFile, ...(opts.serveArgs ?? [])], dir, envFor(index), all, until);

  const cluster: Cluster = {
    instances,
    dir,
    databaseUrl,
    sqlitePath,
    redisPrefix,
    admin: (method, path, body, instance = 0) => call(instances[instance]!, method, path, body),
    newTenant: (name, o = {}) => newTenant(instances[0]!, { ...o, name }),
    async kill(index, signal = 'SIGKILL') {
      const inst = instances[index]!;
      if (inst.child.exitCode === null && inst.child.signalCode === null) inst.child.kill(signal);
      return inst.exited;
    },
    async restart(index) {
      const old = instances[index];
      if (old && old.child.exitCode === null && old.child.signalCode === null) throw new Error(`instance ${index} is still running`);
      instances[index] = await launch(index);
      return instances[index]!;
    },
    async close() {
      await Promise.all([...all].map((c) => stop(c)));
      const errors: unknown[] = [];
      if (pgSchema) await pgSchema.drop().catch((e: unknown) => errors.push(e));
      if (redisCluster) await redisCluster.stop().catch((e: unknown) => errors.push(e));
      else if (redisPrefix) await deleteRedisKeys(redisPrefix).catch((e: unknown) => errors.push(e));
      rmSync(dir, { recursive: true, force: true });
      if (errors.length > 0) throw errors[0];
    },
  };

  try {
    // Started together, as a fleet would be: migrations and first-start bootstrap race for real.
    const started = await Promise.all(Array.from({ length: opts.instances }, (_, i) => launch(i)));
    instances.push(...started);
  } catch (e) {
    await cluster.close().catch(() => undefined);
    throw e;
  }
  return cluster;
}

async function spawnInstance(index: number, [configFile, ...args]: [string, ...string[]], cwd: string, env: Record<string, string>, all: Set<ChildProcess>, until: Until): Promise<Instance> {
  const child = track(spawn(process.execPath, [MAIN_JS, 'serve', '--config', configFile, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }), { until });
  all.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
  };
  // Both pipes are always drained: a full pipe would block the gateway's logging.
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${index} did not start within ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS);
    const onData = () => {
      const m = /Tollgate listening on (http:\/\/[^\s]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      resolve(m[1]!);
    };
    // The banner is on stderr (stdout carries only the JSON logs).
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`instance ${index} exited (${how}) before listening:\n${out}`));
    });
  });
  await waitReady(url, index, () => out, exited);
  return { index, url, baseURL: `${url}/v1`, child, output: () => out, exited };
}

async function waitReady(url: string, index: number, output: () => string, exited: Promise<string>): Promise<void> {
  let gone: string | undefined;
  void exited.then((how) => (gone = how));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`instance ${index} exited (${gone}) before it was ready:\n${output()}`);
    try {
      const r = await fetch(`${url}/readyz`);
      last = `${r.status} ${await r.text()}`;
      if (r.status === 200) return;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`instance ${index} at ${url} not ready (last: ${last}):\n${output()}`);
}

/** SIGTERM (the gateway drains and exits), SIGKILL if it is still there after a few seconds. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

