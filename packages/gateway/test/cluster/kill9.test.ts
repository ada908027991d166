/**
 * Issue 5's durability claim, for the whole gateway process: a client that received a complete
 * 200 can rely on the request being in the usage ledger, even if the gateway is killed with
 * SIGKILL right after. The load keeps ~20 requests in flight (a quarter of them streamed); the
 * ledger's flusher is set never to run before the kill, so everything rests on the local usage
 * journal, which the restarted process replays before it reports ready.
 */
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLUSTER_HOOK_MS } from './cluster.js';
import { useCluster } from './use-cluster.js';

// A short time to first token, so that requests are really inside the gateway when it dies.
const MODEL = { name: 'sim-small', provider: 'simulator', context_window: 8192, max_output_tokens: 4096, pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }, simulator: { ttft_ms: 20, max_concurrency: 1024, max_queue: 1024 } };
const IN_FLIGHT = 20;
/** Finished responses to collect before the kill (the load keeps going until the process dies). */
const TARGET = 1000;

const fx = useCluster({
  instances: 1,
  database: 'sqlite',
  redis: false,
  config: { models: [MODEL], default_tier: 'unlimited', usage: { flush_interval_ms: 3_600_000, flush_batch: 1_000_000 } },
});

function requestIdsInLedger(path: string, orgId: string): Map<string, number> {
  const db = new BetterSqlite3(path, { fileMustExist: true });
  try {
    const rows = db.prepare('SELECT request_id, status_code FROM usage_events WHERE org_id = ?').all(orgId) as { request_id: string; status_code: number }[];
    return new Map(rows.map((r) => [r.request_id, r.status_code]));
  } finally {
    db.close();
  }
}

describe('usage ledger durability of a gateway process under kill -9', () => {
  it('every response a client fully received is in the ledger after a restart', async () => {
    const t = await fx.cluster.newTenant('kill9-org');
    const finished = new Set<string>();
    let killing: Promise<string> | undefined;
    let failedAfterKill = 0;

    const worker = async (w: number) => {
      for (let i = 0; ; i++) {
        const stream = (w + i) % 4 === 0;
        const body = { model: 'sim-small', messages: [{ role: 'user', content: `worker ${w} request ${i}` }], max_tokens: 12, ...(stream ? { stream: true } : {}) };
        try {
          const r = await fx.http.postText(fx.cluster.instances[0]!.baseURL, t.apiKey, '/chat/completions', body);
          const complete = stream ? r.text.endsWith('data: [DONE]\n\n') : JSON.parse(r.text).object === 'chat.completion';
          if (r.status === 200 && complete) finished.add(r.headers['x-request-id']!);
        } catch {
          if (!killing) throw new Error('a request failed before the gateway was killed');
          failedAfterKill++;
          return;
        }
        if (finished.size >= TARGET) killing ??= fx.cluster.kill(0, 'SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, (_, w) => worker(w)));
    expect(await killing).toBe('SIGKILL');
    // A worker stops only when a request of its own is cut: all 20 were still sending.
    expect(failedAfterKill).toBe(IN_FLIGHT);

    // Nothing was flushed before the kill: the database alone has none of it.
    expect(requestIdsInLedger(fx.cluster.sqlitePath!, t.orgId).size).toBe(0);

    await fx.cluster.restart(0); // ready only after the journal was replayed
    const stored = requestIdsInLedger(fx.cluster.sqlitePath!, t.orgId);
    const missing = [...finished].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    for (const id of finished) expect(stored.get(id)).toBe(200);
    expect(finished.size).toBeGreaterThanOrEqual(TARGET);
    console.info(`kill -9: ${finished.size} finished responses checked, ${stored.size} events replayed, ${failedAfterKill} requests cut by the kill`);

    // The restarted instance serves, and its ledger is writable again.
    const again = await fx.http.post(fx.cluster.instances[0]!.baseURL, t.apiKey, '/chat/completions', { model: 'sim-small', messages: [{ role: 'user', content: 'after' }], max_tokens: 3 });
    expect(again.status).toBe(200);
    // A thousand requests and a restart, which alone may take a cluster start's allowance.
  }, CLUSTER_HOOK_MS);
});
