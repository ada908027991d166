/**
 * A redis-server of the test's own, on a free port, for drills that must stop, kill or restart
 * Redis (the shared one on 6379 is never touched). No persistence: a restart comes back empty,
 * as a Redis without AOF/RDB does after a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { currentScope, track, type Until } from './children.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** SIGSTOP: the server holds connections open and answers nothing (a stall). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** kill -9, then a fresh empty server on the same port. */
  crashAndRestart(): Promise<void>;
  stop(): Promise<void>;
  /** After `stop()`: a fresh empty server on the same port (an outage that ends). */
  restart(): Promise<void>;
}

/** The server, and each one it restarts, is killed at the end of the test or file it was started in (support/children.ts), if not stopped before. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const until = currentScope();
  const port = await freePort();
  let child = await launch(port, [], until);
  const wait = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async crashAndRestart() {
      child.kill('SIGKILL');
      await wait(child);
      child = await launch(port, [], until);
    },
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await wait(child);
    },
    async restart() {
      child = await launch(port, [], until);
    },
  };
}

/**
 * Starts redis-server on `port` (no persistence) with `extra` arguments; resolves once it accepts
 * connections. Killed at the end of the test it was started in, or with `until: 'file'`, of the file.
 */
export async function launch(port: number, extra: readonly string[] = [], until?: Until): Promise<ChildProcess> {
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' }), { until });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return child;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
