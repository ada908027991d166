/**
 * support/children.ts: a tracked process started in a test is gone once the test has ended, with
 * the processes it started itself, even when the test ran out of time while waiting for it; one
 * started in a beforeAll, or kept with `until: 'file'`, lives until its file ends.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileChild, killChildren, track } from './children.js';
import { until } from './wait.js';

/** Alive, and not a zombie waiting for its parent. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** A shell that has started a `sleep` of its own, and the sleep's pid. */
async function shellWithChild(opts: { until?: 'file' } = {}): Promise<{ shell: number; sleep: number }> {
  const sh = track(spawn('sh', ['-c', 'sleep 1000 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] }), opts);
  const sleep = await new Promise<number>((resolve) => sh.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  return { shell: sh.pid!, sleep };
}

describe('tracked child processes', () => {
  let fromHook: number;
  let fromTest: { shell: number; sleep: number };
  let kept: number;
  let timedOut: number;

  beforeAll(async () => {
    fromHook = (await shellWithChild()).shell;
  });

  it('a process started in a test (and its own child) runs during the test', async () => {
    fromTest = await shellWithChild();
    kept = (await shellWithChild({ until: 'file' })).shell;
    for (const pid of [fromTest.shell, fromTest.sleep, kept, fromHook]) expect(alive(pid)).toBe(true);
  });

  it('is killed with its child once that test has ended; one kept for the file, or started in a hook, is not', async () => {
    await until(() => !alive(fromTest.shell) && !alive(fromTest.sleep), 'the first test\'s processes to be gone');
    expect(alive(kept)).toBe(true);
    expect(alive(fromHook)).toBe(true);
  });

  it.fails('(a test that times out while waiting on a process it started)', async () => {
    const sh = track(spawn('sh', ['-c', 'sleep 1000'], { stdio: 'ignore' }));
    timedOut = sh.pid!;
    await new Promise((resolve) => sh.once('exit', resolve));
  }, 500);

  it('the timed-out test\'s process is gone too', async () => {
    await until(() => !alive(timedOut), 'the timed-out test\'s process to be gone');
  });

  it('execFileChild gives the output, or execFile\'s error with the exit code and the output', async () => {
    expect(await execFileChild('sh', ['-c', 'echo out; echo err >&2'])).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    await expect(execFileChild('sh', ['-c', 'echo nope >&2; exit 3'])).rejects.toMatchObject({ code: 3, stdout: '', stderr: 'nope\n' });
  });

  it('at the end of the file, the rest are killed', async () => {
    await killChildren('file');
    expect(alive(kept)).toBe(false);
    expect(alive(fromHook)).toBe(false);
  });
});
