/**
 * The processes the tests start (a gateway, the simulator, a CLI command, redis-server, a worker
 * script) are each passed to `track` as they are spawned (`track(spawn(…))`), so that none
 * outlives what started it, however that ends: a start that timed out, an expectation that
 * failed, a hook that threw, a test that ran out of time. A process started inside a test (its
 * body or a beforeEach) is killed when that test ends; one started anywhere else (a beforeAll),
 * or with `until: 'file'`, when its file ends (children-setup.ts: an afterEach and an afterAll of
 * every file, run after the file's own). A test still stops a process itself when that is what
 * it checks (SIGTERM and a clean exit); this is for what it did not stop. Killed means SIGKILL to
 * the process and to every process under it (a `--workers` primary's workers, the node that npx
 * or `sh -c` started, one stopped with SIGSTOP), then waiting until it has exited, so that its
 * port and files are free for the next test. The hooks are what this rests on: the worker's own
 * exit also kills what is still running, but only an exit it makes itself (vitest stops a worker
 * with SIGTERM, which runs no exit handler; by then the hooks have run).
 */
import { execFile, type ChildProcess, type ExecFileOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { TestRunner } from 'vitest';

/** When a process is killed at the latest: at the end of the test it was started in, or of its file. */
export type Until = 'test' | 'file';

export interface TrackOptions {
  /** `file`: keep it for later tests (a server shared by the file). Default: `test` when started inside a test, else `file`. */
  until?: Until;
}

/** The default: the test under way, if any. */
export const currentScope = (): Until => (TestRunner.getCurrentTest() ? 'test' : 'file');

/** Shared by every file a worker runs (the module is imported once), and by its exit handler. */
const live = new Map<ChildProcess, Until>();

const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;

/** Registers `child` (just spawned) to be killed if it is still running when its test or file ends; returns it. */
export function track<C extends ChildProcess>(child: C, opts: TrackOptions = {}): C {
  if (child.pid === undefined || !running(child)) return child;
  live.set(child, opts.until ?? currentScope());
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * `promisify(execFile)`, the process tracked: resolves with its output, or rejects with execFile's
 * error (its `code`, `stdout` and `stderr` set) when it exits non-zero.
 */
export function execFileChild(file: string, args: readonly string[], options: ExecFileOptions & TrackOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const { until, ...execOptions } = options;
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { ...execOptions, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
    track(child, { until });
  });
}

/** `pid` and every process under it, parents first (Linux: each thread's /proc/<pid>/task/<tid>/children). */
function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${p}/task`);
    } catch {
      continue; // gone
    }
    for (const tid of threads) {
      try {
        out.push(...readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // the thread has ended
      }
    }
  }
  return out;
}

/** SIGKILL to the process and everything under it (collected first: killed, its children would be re-parented out of reach). */
function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  for (const pid of tree(child.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Kills the tracked processes of `scope` (`file`: all of them) and waits until each has exited. */
export async function killChildren(scope: Until): Promise<void> {
  const doomed = [...live].filter(([, until]) => scope === 'file' || until === 'test').map(([c]) => c);
  await Promise.all(
    doomed.map(async (c) => {
      live.delete(c);
      if (!running(c)) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      killTree(c);
      await exited;
    }),
  );
}

// A worker that exits by itself (process.exit, an uncaught error) with processes still running.
process.once('exit', () => {
  for (const c of live.keys()) if (running(c)) killTree(c);
});
