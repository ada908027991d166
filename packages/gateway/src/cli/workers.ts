/**
 * `tollgate serve --workers N`: N gateway processes sharing one listening port (node:cluster).
 *
 * The primary process serves nothing itself. It starts worker 1 and waits until it serves (so
 * migrations and the first-start bootstrap run once), then starts the others; a worker that dies
 * is started again in its slot. SIGTERM/SIGINT to the primary is passed to every worker, each
 * drains as a single `tollgate serve` does, and once all have exited the primary logs `stopped`
 * with their figures and exits 0, or 1 when one of them did not stop cleanly (worker-stops.ts).
 *
 * Counters must be shared for the limits to stay exact across processes, so more than one worker
 * requires Redis (checked by `workersProblem` before anything starts).
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { endedCleanly, primaryStopped, stopReport, type StopFigures, type WorkerEnd } from './worker-stops.js';

/** The environment variable a worker reads its slot (1..N) from. */
const WORKER_SLOT_ENV = 'TOLLGATE_WORKER_SLOT';

/**
 * Parses the `--workers` value: a positive integer, or `auto` for the machine's cores
 * (`os.availableParallelism()`). Returns an error message for anything else.
 */
export function parseWorkers(value: string | undefined): number | string {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) return `--workers: expected a positive integer or 'auto', got ${JSON.stringify(value)}`;
  return n;
}

/** Why N workers cannot run on this config, or undefined when they can. */
export function workersProblem(workers: number, redisConfigured: boolean): string | undefined {
  if (workers <= 1 || redisConfigured) return undefined;
  return (
    `--workers ${workers} needs Redis: set redis.url (or redis.cluster_nodes, or TOLLGATE_REDIS_URL) in the config. ` +
    `With more than one process the rate limits, quotas and admission slots must be counted in one shared place to stay exact; ` +
    `in-process counters would let each worker admit the full limit.`
  );
}

/** The slot this process serves as a worker (1..N), or undefined when it is not a worker. */
export function workerSlot(env: Record<string, string | undefined>): number | undefined {
  if (!cluster.isWorker) return undefined;
  const n = Number(env[WORKER_SLOT_ENV]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The usage journal of worker `slot`: the instance's journal path with `-worker-<slot>` appended.
 * Each process needs a journal of its own (a starting process replays and deletes what it finds),
 * and a worker restarted in the same slot replays what its predecessor left.
 */
export function workerJournalPath(path: string, slot: number): string {
  return `${path}-worker-${slot}`;
}

/** What a worker sends the primary once it listens and the first-start bootstrap is done. */
const SERVING = 'serving';

/** Called by a worker once it serves: the primary then starts the next workers. */
export function reportServing(): void {
  if (cluster.isWorker) process.send?.({ tollgate: SERVING });
}

export interface PrimaryIo {
  stderr: (s: string) => void;
  /** The primary's log (the workers' format): its last line, `stopped`, and a worker that did not stop cleanly. */
  log: { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

/** A worker the primary started, and what it knows of it. */
interface Started {
  slot: number;
  worker: Worker;
  serving: boolean;
  figures?: StopFigures;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** Its channel closed: every message it sent has been received. */
  disconnected: boolean;
}

/**
 * Runs the primary: forks `workers` copies of this command line and supervises them. Resolves
 * with the exit code once every worker has exited after SIGTERM/SIGINT, having logged `stopped`
 * (worker-stops.ts): 0 when each stopped cleanly, 1 otherwise; or, when worker 1 fails before it
 * listens, with its exit code (or 1).
 */
export function runPrimary(workers: number, io: PrimaryIo): Promise<number> {
  return new Promise((resolve) => {
    const slots = new Map<number, Started>();
    let stop: { signal: NodeJS.Signals; since: number; ending: Started[] } | undefined;
    let firstListening = false;
    let settled = false;
    const settle = (code: number) => {
      settled = true;
      resolve(code);
    };

    // The last line, once every worker has exited and its channel closed (its report is in).
    const finishIfAllGone = () => {
      if (settled || !stop || !stop.ending.every((s) => s.exit && s.disconnected)) return;
      const ends: WorkerEnd[] = stop.ending.map((s) => ({ worker: s.slot, pid: s.worker.process.pid, exitCode: s.exit!.code, signal: s.exit!.signal, starting: !s.serving, figures: s.figures }));
      for (const w of ends) {
        if (!endedCleanly(w, stop.signal)) io.log.error({ worker: w.worker, pid: w.pid, exit_code: w.exitCode, exit_signal: w.signal, reported: w.figures !== undefined }, 'worker did not stop cleanly');
      }
      const line = primaryStopped(stop.signal, ends, Date.now() - stop.since);
      io.log.info(line, 'stopped');
      settle(line.failed_workers === 0 ? 0 : 1);
    };

    const fork = (slot: number): Started => {
      const s: Started = { slot, worker: cluster.fork({ [WORKER_SLOT_ENV]: String(slot) }), serving: false, disconnected: false };
      const w = s.worker;
      slots.set(slot, s);
      w.on('message', (m: unknown) => {
        s.figures = stopReport(m) ?? s.figures;
        if ((m as { tollgate?: string } | null)?.tollgate !== SERVING) return;
        s.serving = true;
        if (slot !== 1 || firstListening) return;
        // The other workers start only once worker 1 serves (migrations and bootstrap ran once).
        firstListening = true;
        if (stop) return;
        for (let next = 2; next <= workers; next++) fork(next);
      });
      w.once('disconnect', () => {
        s.disconnected = true;
        finishIfAllGone();
      });
      w.once('exit', (code, signal) => {
        s.exit = { code, signal: signal as NodeJS.Signals | null };
        if (slots.get(slot) === s) slots.delete(slot);
        if (stop) return finishIfAllGone();
        if (slot === 1 && !firstListening) {
          // The other workers start only once worker 1 serves: there is none to stop.
          io.stderr(`tollgate serve: worker 1 exited (${signal ?? code}) before listening; stopping\n`);
          settle(typeof code === 'number' && code !== 0 ? code : 1);
          return;
        }
        io.stderr(`tollgate serve: worker ${slot} (pid ${w.process.pid}) exited (${signal ?? code}); starting a new one\n`);
        fork(slot);
      });
      return s;
    };

    const onSignal = (signal: NodeJS.Signals) => {
      if (stop || settled) return;
      stop = { signal, since: Date.now(), ending: [...slots.values()] };
      for (const s of stop.ending) s.worker.process.kill(signal);
      finishIfAllGone();
    };
    // Kept while the workers drain (not `once`): a second Ctrl-C would otherwise end the primary
    // by default, and its workers, losing their channel to it, would exit without draining.
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));

    fork(1);
  });
}
