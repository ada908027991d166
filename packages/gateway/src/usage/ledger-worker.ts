/**
 * Worker-thread entry of the SQLite ledger writer (worker-writer.ts): opens its own connection to
 * the database file and writes the batches it is sent (sqlite-batch-writer.ts), so that
 * better-sqlite3's synchronous inserts and rollups never hold the gateway's event loop. Answers
 * each batch with its result, or its error (the ledger retries a failed batch).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../store/sqlite-open.js';
import { parseUsageEvent, type UsageEvent } from './event.js';
import type { BatchResult } from './ledger-writer.js';
import { sqliteBatchWriter } from './sqlite-batch-writer.js';

/** A batch as events, or as their journal lines joined with `\n` (serializeUsageEvent). */
export type WriteRequest = { id: number; events: UsageEvent[] } | { id: number; lines: string };
export type WriteReply = { id: number; result: BatchResult } | { id: number; error: string };

/** The events of journal lines the gateway made itself; a line that does not parse fails the batch (retried). */
function eventsOf(lines: string): UsageEvent[] {
  return lines.split('\n').map((line) => {
    const e = parseUsageEvent(JSON.parse(line));
    if (typeof e === 'string') throw new Error(`usage line: ${e}`);
    return e;
  });
}

const write = sqliteBatchWriter(openSqlite((workerData as { path: string }).path));

parentPort!.on('message', (m: WriteRequest) => {
  let reply: WriteReply;
  try {
    reply = { id: m.id, result: write('events' in m ? m.events : eventsOf(m.lines)) };
  } catch (e) {
    reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
