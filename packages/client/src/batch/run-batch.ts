/**
 * `runBatch`: runs the lines of an OpenAI Batch API input file through the client — with its
 * retries, retry budget and (optionally) a pacer — at a bounded concurrency, and writes one output
 * line per request in the Batch API's output format. Lines whose `custom_id` is in `resumeIds` are
 * skipped, so a run that stopped can be continued into the same output. When `signal` aborts,
 * nothing more is sent: no new line starts, requests waiting in the pacer (or for a retry) are
 * dropped unwritten (`unsent`; a rerun sends them), and requests already sent finish and are
 * written; then the summary is returned.
 * @module
 */
import type { RequestOptions, Tollgate } from '../client.js';
import { classify } from '../errors/classify.js';
import { APIUserAbortError, type TollgateError } from '../errors/classes.js';
import type { Pacer } from '../pacing/pacer.js';
import { batchRequestId, parseInputLine, type BatchOutputLine } from './jsonl.js';

/** Receives each output line (one JSON object, without the newline), in completion order. */
export interface BatchWriter {
  write(line: string): unknown;
}

export interface BatchProgress {
  /** Non-empty input lines read so far. */
  read: number;
  /** Output lines written (succeeded + failed). */
  done: number;
  succeeded: number;
  failed: number;
  /** Lines skipped because their custom_id was in `resumeIds`. */
  skipped: number;
  /** Lines skipped because their custom_id appeared earlier in this input. */
  duplicates: number;
  /** Lines stopped before they were sent (Ctrl-C while waiting in the pacer or for a retry): not written. */
  unsent: number;
  inFlight: number;
  /** The pacer's request rate (per second) for the models in use, when it knows a limit. */
  pacedPerSecond?: number | undefined;
  /** Failures by error code (the response's `code`, else its `type`, else a client-side code). */
  byCode: Record<string, number>;
  elapsedMs: number;
}

export interface BatchSummary extends BatchProgress {
  /** True when the signal stopped the run before the input was exhausted. */
  aborted: boolean;
}

export interface RunBatchOptions {
  client: Tollgate;
  /** Input lines (JSONL), e.g. a readline interface over the file, or an array. */
  input: AsyncIterable<string> | Iterable<string>;
  output: BatchWriter;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Pacer for the batch's requests (else the client's own, if it has one). */
  pacer?: Pacer;
  /** custom_ids already in the output: not run again. */
  resumeIds?: ReadonlySet<string>;
  onProgress?: (p: BatchProgress) => void;
  /** Stops the run: in-flight requests finish and are written. */
  signal?: AbortSignal;
  /** Options for every request (maxRetries, timeout, ...). */
  requestOptions?: Omit<RequestOptions, 'signal' | 'pacer'>;
}

/** The key a failure is counted under in the summary. */
export function failureCode(e: TollgateError): string {
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  if (e.type) return e.type;
  if (e.kind === 'connection') return 'connection_error';
  if (e.kind === 'client_timeout') return 'timeout';
  return e.status === undefined ? e.kind : `http_${e.status}`;
}

/**
 * Failure counts by error code, with no prototype: a code is any word a server answers, and one
 * named like a member of every object ('constructor', '__proto__', 'toString') must count as its
 * own key, not read or replace Object's.
 */
const countsByCode = (): Record<string, number> => Object.create(null) as Record<string, number>;

export async function runBatch(opts: RunBatchOptions): Promise<BatchSummary> {
  const started = Date.now();
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const resume = opts.resumeIds ?? new Set<string>();
  const seen = new Set<string>();
  const inflight = new Set<Promise<void>>();
  const p = { read: 0, done: 0, succeeded: 0, failed: 0, skipped: 0, duplicates: 0, unsent: 0, byCode: countsByCode() };
  const models = new Set<string>();
  let aborted = false;
  let writeChain: Promise<void> = Promise.resolve();
  let writeError: { error: unknown } | undefined;

  const signal = opts.signal;
  const stopped = new Promise<void>((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

  const progress = (): BatchProgress => ({ ...p, byCode: { ...p.byCode }, inFlight: inflight.size, elapsedMs: Date.now() - started, pacedPerSecond: pacedRate() });
  /** Requests per second the pacer lets through: the slowest known per-minute limit of the models in use. */
  const pacedRate = (): number | undefined => {
    const pacer = opts.pacer ?? opts.client.pacer;
    if (!pacer) return undefined;
    let rate: number | undefined;
    for (const m of models) {
      const limit = pacer.state(m).requests.limit;
      if (limit !== undefined && limit > 0) rate = Math.min(rate ?? Infinity, limit / 60);
    }
    return rate;
  };
  const write = (line: BatchOutputLine): Promise<void> => {
    writeChain = writeChain.then(async () => {
      if (writeError) return;
      try {
        await opts.output.write(JSON.stringify(line));
      } catch (error) {
        writeError = { error };
      }
    });
    return writeChain;
  };
  const recordFailure = (code: string) => {
    p.failed++;
    p.done++;
    p.byCode[code] = (p.byCode[code] ?? 0) + 1;
  };

  const runOne = async (customId: string, path: string, body: Record<string, unknown>): Promise<void> => {
    let out: BatchOutputLine;
    try {
      const r = await opts.client.requestWithResponse({ ...opts.requestOptions, method: 'POST', path, body, pacer: opts.pacer, sendSignal: signal });
      out = { id: batchRequestId(), custom_id: customId, response: { status_code: r.response.status, request_id: r.requestID ?? null, body: r.data }, error: null };
      p.succeeded++;
      p.done++;
    } catch (thrown) {
      const e = classify(thrown);
      if (signal?.aborted && e instanceof APIUserAbortError) {
        // Stopped before (re)sending: not a result. Left out of the output, so a rerun sends it.
        p.unsent++;
        opts.onProgress?.(progress());
        return;
      }
      out =
        e.status !== undefined
          ? {
              id: batchRequestId(),
              custom_id: customId,
              response: {
                status_code: e.status,
                request_id: e.requestID ?? null,
                body: { error: e.error ?? { message: e.message, type: e.type ?? null, param: e.param ?? null, code: e.code ?? null } },
              },
              error: null,
            }
          : { id: batchRequestId(), custom_id: customId, response: null, error: { code: failureCode(e), message: e.message } };
      recordFailure(failureCode(e));
    }
    await write(out);
    opts.onProgress?.(progress());
  };

  try {
    let lineNo = 0;
    reading: for await (const raw of opts.input) {
      lineNo++;
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      if (writeError) break;
      const text = raw.trim();
      if (text === '') continue;
      p.read++;
      const parsed = parseInputLine(text);
      if (!parsed.ok) {
        recordFailure('invalid_batch_line');
        // The line number (1-based, blank lines counted) finds the line when it has no custom_id.
        await write({ id: batchRequestId(), custom_id: parsed.customId, response: null, error: { code: 'invalid_batch_line', message: `Line ${lineNo}: ${parsed.message}`, line: lineNo } });
        opts.onProgress?.(progress());
        continue;
      }
      const id = parsed.line.custom_id;
      if (resume.has(id)) {
        p.skipped++;
        opts.onProgress?.(progress());
        continue;
      }
      if (seen.has(id)) {
        p.duplicates++;
        continue;
      }
      while (inflight.size >= concurrency) {
        await Promise.race([...inflight, stopped]);
        if (signal?.aborted) {
          aborted = true;
          break reading;
        }
      }
      seen.add(id);
      if (typeof parsed.line.body.model === 'string') models.add(parsed.line.body.model);
      const task: Promise<void> = runOne(id, parsed.path, parsed.line.body).finally(() => inflight.delete(task));
      inflight.add(task);
    }
  } finally {
    await Promise.allSettled(inflight);
    await writeChain;
  }
  if (writeError) throw writeError.error;
  return { ...progress(), aborted: aborted || p.unsent > 0 };
}
