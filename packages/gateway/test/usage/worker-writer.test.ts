/**
 * The ledger on a SQLite file writes its batches from a worker thread: what lands in the database
 * must be what the in-thread writer would store (each event once, rollups equal to the sums), and
 * a worker that dies must cost nothing but a retry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, openStore, type Store } from 'tollgate';
import { billingDb } from '../../src/store/billing-tables.js';
import { serializeUsageEvent } from '../../src/usage/event.js';
import { UsageLedger } from '../../src/usage/ledger.js';
import { workerUsageWriterFor, type WorkerUsageWriter } from '../../src/usage/worker-writer.js';
import { event, silentLog } from './db.js';

describe('usage ledger writing through a worker thread (SQLite file)', () => {
  let dir: string;
  let url: string;
  let store: Store;
  let writer: WorkerUsageWriter;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tg-ledger-worker-'));
    url = `sqlite:${join(dir, 'tollgate.db')}`;
    store = await openStore(url);
    writer = workerUsageWriterFor(url)!;
  });
  afterEach(async () => {
    await writer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is chosen for a SQLite file only', () => {
    expect(writer).toBeDefined();
    expect(workerUsageWriterFor('sqlite::memory:')).toBeUndefined();
    expect(workerUsageWriterFor('postgres://u@127.0.0.1:5432/test')).toBeUndefined();
  });

  it('stores every event once, with rollups equal to their sums, readable by the gateway at once', async () => {
    const ledger = new UsageLedger(store, { clock: new FakeClock(), log: silentLog, config: { flush_interval_ms: 1000, flush_batch: 40 }, journalPath: join(dir, 'journal.jsonl'), write: (e) => writer.write(e), writeLines: (l) => writer.writeLines(l) });
    await ledger.start();
    const events = Array.from({ length: 150 }, (_, i) => event({ org_id: 'org_w', key_id: `key_${i % 3}`, prompt_tokens: i, cost_pico: BigInt(i) * 1_000_000_007n }));
    await Promise.all(events.map((e) => ledger.recordGrouped(e)));
    ledger.record(events[0]!); // a duplicate: skipped, never counted twice
    await ledger.flush();
    const rows = await billingDb(store).selectFrom('usage_events').select(['request_id', 'cost_pico']).where('org_id', '=', 'org_w').execute();
    expect(rows).toHaveLength(150);
    const daily = await billingDb(store).selectFrom('usage_daily').selectAll().where('org_id', '=', 'org_w').execute();
    expect(daily.reduce((s, d) => s + Number(d.requests), 0)).toBe(150);
    expect(daily.reduce((s, d) => s + Number(d.prompt_tokens), 0)).toBe(events.reduce((s, e) => s + e.prompt_tokens, 0));
    expect(ledger.stats()).toMatchObject({ committed: 150, duplicates: 1, buffered: 0 });
    expect(await ledger.close()).toEqual({ unflushed: 0 });
  });

  it('a batch sent as journal lines stores exactly what the same events sent as objects store', async () => {
    const odd = [
      event({ org_id: 'org_l', cost_pico: 2n ** 63n - 1n, error_code: 'server_error', error_message: 'line one\nline "two" \u2028 中文 😀', upstream_request_id: 'up-1', project_id: null, requested_model: null }),
      event({ org_id: 'org_l', streamed: true, estimated: true, status_code: 499, error_code: 'client_disconnected', completion_tokens: 0, cost_pico: 0n }),
      ...Array.from({ length: 30 }, (_, i) => event({ org_id: 'org_l', key_id: `key_${i % 4}`, cost_pico: BigInt(i) * 999_999_999_999n })),
    ];
    const asObjects = odd.map((e) => ({ ...e, request_id: `${e.request_id}_o`, org_id: 'org_o' }));
    expect(await writer.writeLines(odd.map(serializeUsageEvent).join('\n'))).toEqual({ inserted: odd.length, duplicates: 0 });
    expect(await writer.write(asObjects)).toEqual({ inserted: odd.length, duplicates: 0 });
    const rows = async (org: string) =>
      (await billingDb(store).selectFrom('usage_events').selectAll().where('org_id', '=', org).orderBy('created_at').orderBy('request_id').execute()).map((r) => ({ ...r, id: undefined, request_id: String(r.request_id).replace(/_o$/, ''), org_id: undefined }));
    const viaLines = await rows('org_l');
    expect(viaLines).toHaveLength(odd.length);
    expect(viaLines).toEqual(await rows('org_o'));
    const daily = async (org: string) => (await billingDb(store).selectFrom('usage_daily').selectAll().where('org_id', '=', org).execute()).map((d) => ({ ...d, org_id: undefined }));
    expect(await daily('org_l')).toEqual(await daily('org_o'));
  });

  it('a worker that dies costs a retry: the next write starts a new worker, and every event is stored once', async () => {
    const events = [event({ org_id: 'org_d' }), event({ org_id: 'org_d' })];
    expect(await writer.write(events.slice(0, 1))).toEqual({ inserted: 1, duplicates: 0 });
    // Kill the worker with a batch in flight: the batch fails, or it had committed just before.
    const inFlight = writer.write(events).then(
      () => 'committed',
      (e: Error) => e.message,
    );
    await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(await inFlight).toMatch(/committed|exited/);
    // The ledger's retry of the same batch: idempotent by request id.
    const retry = await writer.write(events);
    expect(retry.inserted + retry.duplicates).toBe(2);
    const rows = await billingDb(store).selectFrom('usage_events').select('request_id').where('org_id', '=', 'org_d').execute();
    expect(rows.map((r) => r.request_id).sort()).toEqual(events.map((e) => e.request_id).sort());
  });
});
