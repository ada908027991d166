/**
 * Worker-thread entry of the SQLite ledger writer (worker-writer.ts): opens its own connection to
 * the database file and writes the batches it is sent with `writeUsageBatch`, so that better-sqlite3's
 * synchronous inserts and rollups never hold the gateway's event loop. Answers each batch with its
 * result, or its error (the ledger retries a failed batch).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '../store/connect.js';
import type { UsageEvent } from './event.js';
import { writeUsageBatch, type BatchResult } from './ledger-writer.js';

export interface WriteRequest {
  id: number;
  events: UsageEvent[];
}
export type WriteReply = { id: number; result: BatchResult } | { id: number; error: string };

const { url } = workerData as { url: string };
const store = await connect(url);

parentPort!.on('message', (m: WriteRequest) => {
  writeUsageBatch(store, m.events).then(
    (result) => parentPort!.postMessage({ id: m.id, result } satisfies WriteReply),
    (e: unknown) => parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies WriteReply),
  );
});
