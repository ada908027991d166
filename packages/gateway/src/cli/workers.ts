/**
 * `tollgate serve --workers N`: N gateway processes sharing one listening port (node:cluster).
 *
 * The primary process serves nothing itself. It starts worker 1 and waits until it serves (so
 * migrations and the first-start bootstrap run once), then starts the others; a worker that dies
 * is started again in its slot. SIGTERM/SIGINT to the primary is passed to every worker, each
 * drains as a single `tollgate serve` does, and the primary exits 0 once all have exited.
 *
 * Counters must be shared for the limits to stay exact across processes, so more than one worker
 * requires Redis (checked by `workersProblem` before anything starts).
 * @module
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

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
}

/**
 * Runs the primary: forks `workers` copies of this command line and supervises them. Resolves
 * with the exit code once every worker has exited after SIGTERM/SIGINT (0), or when worker 1
 * fails before it listens (its exit code, or 1).
 */
export function runPrimary(workers: number, io: PrimaryIo): Promise<number> {
  return new Promise((resolve) => {
    const slots = new Map<number, Worker>();
    let stopping = false;
    let firstListening = false;

    const fork = (slot: number): Worker => {
      const w = cluster.fork({ [WORKER_SLOT_ENV]: String(slot) });
      slots.set(slot, w);
      w.once('exit', (code, signal) => {
        if (slots.get(slot) === w) slots.delete(slot);
        if (stopping) {
          if (slots.size === 0) resolve(0);
          return;
        }
        if (slot === 1 && !firstListening) {
          // The other workers start only once worker 1 serves: there is none to stop.
          io.stderr(`tollgate serve: worker 1 exited (${signal ?? code}) before listening; stopping\n`);
          stopping = true;
          resolve(typeof code === 'number' && code !== 0 ? code : 1);
          return;
        }
        io.stderr(`tollgate serve: worker ${slot} (pid ${w.process.pid}) exited (${signal ?? code}); starting a new one\n`);
        fork(slot);
      });
      return w;
    };

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      if (slots.size === 0) resolve(0);
      for (const w of slots.values()) w.process.kill(signal);
    };
    // Kept while the workers drain (not `once`): a second Ctrl-C would otherwise end the primary
    // by default, and its workers, losing their channel to it, would exit without draining.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));

    const first = fork(1);
    first.on('message', (m: unknown) => {
      if (firstListening || (m as { tollgate?: string } | null)?.tollgate !== SERVING) return;
      firstListening = true;
      if (stopping) return;
      for (let slot = 2; slot <= workers; slot++) fork(slot);
    });
  });
}
