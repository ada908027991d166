/**
 * How `tollgate serve --workers N` says it stopped. Each worker drains as a single `tollgate serve`
 * does and logs its own `stopped` line; it also sends those figures to the primary
 * (`reportStopped`) before it exits. Once every worker has exited, the primary logs the last line
 * of the command, `stopped`, with the same fields as a single process's (`primaryStopped`): the
 * longest drain (the workers drain at the same time), the requests drained and cut by all of
 * them, its own `stop_ms`, and `workers`, one entry per worker with its exit and its figures.
 * A worker that exited otherwise than cleanly (non-zero, killed, or without its figures) is
 * counted in `failed_workers`, and the command then exits 1.
 * @module
 */
import cluster from 'node:cluster';

/** The figures of a worker's `stopped` line (without the drain ones when its close failed). */
export interface StopFigures {
  drain_ms?: number;
  drained_requests?: number;
  cut_requests?: number;
  stop_ms: number;
}

/** The message a worker sends the primary once it has drained and closed. */
const STOPPED = 'stopped';

/** Whether `m` is a worker's stop report, and its figures. */
export function stopReport(m: unknown): StopFigures | undefined {
  const r = m as { tollgate?: unknown; figures?: StopFigures } | null;
  return r?.tollgate === STOPPED && typeof r.figures?.stop_ms === 'number' ? r.figures : undefined;
}

/**
 * Called by a worker after its `stopped` line: sends the figures to the primary and resolves once
 * they are written to the channel (so that exiting next does not lose them). Does nothing in a
 * process that is not a worker, or whose primary is gone.
 */
export function reportStopped(figures: StopFigures): Promise<void> {
  if (!cluster.isWorker || !process.connected || !process.send) return Promise.resolve();
  const send = process.send.bind(process);
  return new Promise((resolve) => {
    send({ tollgate: STOPPED, figures }, undefined, {}, () => resolve());
  });
}

/** One worker of the primary's stop, as the primary saw it end. */
export interface WorkerEnd {
  worker: number;
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** It had not started serving when the stop began. */
  starting: boolean;
  figures: StopFigures | undefined;
}

/**
 * Whether a worker ended cleanly: exit code 0 after sending its figures. A worker still starting
 * when the stop began may also have ended by the signal passed on (it had no handler yet).
 */
export function endedCleanly(w: WorkerEnd, stopSignal: NodeJS.Signals): boolean {
  if (w.exitCode === 0 && w.figures !== undefined) return true;
  return w.starting && w.figures === undefined && w.signal === stopSignal;
}

/** The fields of the primary's `stopped` line. */
export function primaryStopped(signal: NodeJS.Signals, ends: readonly WorkerEnd[], stopMs: number) {
  const sum = (k: 'drained_requests' | 'cut_requests') => ends.reduce((n, w) => n + (w.figures?.[k] ?? 0), 0);
  return {
    signal,
    drain_ms: Math.max(0, ...ends.map((w) => w.figures?.drain_ms ?? 0)),
    drained_requests: sum('drained_requests'),
    cut_requests: sum('cut_requests'),
    stop_ms: stopMs,
    failed_workers: ends.filter((w) => !endedCleanly(w, signal)).length,
    workers: ends.map((w) => ({
      worker: w.worker,
      pid: w.pid,
      exit_code: w.exitCode,
      ...(w.signal ? { exit_signal: w.signal } : {}),
      ...w.figures,
    })),
  };
}
