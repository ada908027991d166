/**
 * What a ledger batch costs the disk: the pages SQLite writes to its WAL per batch of events,
 * counted from the WAL file's growth (checkpoints off, so every page a commit writes stays there).
 * The ledger is keyed by the request id: request ids in time order (newRequestId) append to the
 * key's index, where random ones dirtied a page of it per row.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from 'tollgate';
import { newRequestId } from '../../src/http/context.js';
import { openSqlite } from '../../src/store/sqlite-open.js';
import { sqliteBatchWriter } from '../../src/usage/sqlite-batch-writer.js';
import { event } from './db.js';

const BATCH = 500;
const ROWS_BEFORE = 40_000;
const BATCHES_MEASURED = 4;
const PAGE = 4096;
const WAL_FRAME = PAGE + 24;

/** WAL pages written per batch, once the ledger holds ROWS_BEFORE rows, with ids from `id`. */
async function pagesPerBatch(dir: string, name: string, id: (nowMs: number) => string): Promise<number> {
  const file = join(dir, `${name}.db`);
  const store = await openStore(`sqlite:${file}`);
  await store.close();
  const db = openSqlite(file);
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`page_size = ${PAGE}`);
  const write = sqliteBatchWriter(db);
  let now = Date.UTC(2026, 11, 2, 8);
  const batch = () => Array.from({ length: BATCH }, () => {
    now += 1;
    return event({ request_id: id(now), created_at: now });
  });
  for (let i = 0; i < ROWS_BEFORE / BATCH; i++) write(batch());
  const before = statSync(`${file}-wal`).size;
  for (let i = 0; i < BATCHES_MEASURED; i++) write(batch());
  const pages = (statSync(`${file}-wal`).size - before) / WAL_FRAME / BATCHES_MEASURED;
  db.close();
  return pages;
}

describe('usage ledger pages written per batch', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tg-ledger-pages-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('request ids in time order write a few pages per batch; random ids a page for most rows', async () => {
    const ordered = await pagesPerBatch(dir, 'ordered', newRequestId);
    const random = await pagesPerBatch(dir, 'random', () => `req_${randomBytes(16).toString('hex')}`);
    // The rows themselves fill about BATCH × 300 bytes of table pages either way; the key's index
    // is what differs.
    expect(ordered / BATCH).toBeLessThan(0.2);
    expect(random).toBeGreaterThan(ordered * 4);
  });

  it('request ids are `req_` + 32 hex and sort by their time', () => {
    const a = newRequestId(Date.UTC(2026, 11, 2, 8, 0, 0, 1));
    const b = newRequestId(Date.UTC(2026, 11, 2, 8, 0, 0, 2));
    const c = newRequestId(Date.UTC(2027, 0, 1));
    for (const id of [a, b, c]) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect([c, b, a].sort()).toEqual([a, b, c]);
    expect(newRequestId(1000)).not.toBe(newRequestId(1000));
  });
});
