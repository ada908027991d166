/**
 * A periodic background job that fails on every run during an outage logs its state changes, not
 * one line per run: the first failure with its cause, a summary at most once a minute with the
 * count, one line on recovery with how long it failed and how many times.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { RepeatingFailureLog } from '../../src/repeating-failure-log.js';
import { captureLog } from '../support/log-capture.js';

const WARN = 40;
const INFO = 30;

/** An error as ioredis makes it: the failed command with its arguments (AUTH's is the password). */
function redisError(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', command: { name: 'auth', args: ['s3cret-password'] } });
}

describe('RepeatingFailureLog', () => {
  it('logs the first failure with its cause, a summary a minute with the count, and the recovery with duration and total', async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    const job = new RepeatingFailureLog(log, clock, { job: 'status signals flush', message: 'status signals: flush failed' });
    job.ok(); // nothing to say while all is well
    expect(lines).toHaveLength(0);

    job.failed(redisError());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: WARN, msg: 'status signals: flush failed', job: 'status signals flush', err: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' } });
    // The cause goes through the logger's err serializer: a Redis command's arguments never reach the log.
    expect(JSON.stringify(lines[0])).not.toContain('s3cret-password');
    expect(job.failing).toBe(true);

    // 100 more failures within the minute: counted, not logged.
    for (let i = 0; i < 100; i++) {
      await clock.advance(500);
      job.failed(redisError());
    }
    expect(lines).toHaveLength(1);

    // The first failure a minute after the last line brings one summary with the count since.
    await clock.advance(10_000);
    job.failed(redisError());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: WARN, msg: 'status signals flush still failing', job: 'status signals flush', failures: 101, failing_ms: 60_000 });
    expect(JSON.stringify(lines[1])).not.toContain('s3cret-password');
    for (let i = 0; i < 10; i++) job.failed(redisError());
    expect(lines).toHaveLength(2);

    // Recovery: one info line with how long and how many in all, then nothing more.
    await clock.advance(5_000);
    job.ok();
    job.ok();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ level: INFO, msg: 'status signals flush working again', job: 'status signals flush', failing_ms: 65_000, failures: 112 });
    expect(job.failing).toBe(false);

    // A second outage starts over: its first failure is logged again, with its own counts.
    await clock.advance(3_600_000);
    job.failed(new Error('ECONNRESET'));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ level: WARN, msg: 'status signals: flush failed', err: { message: 'ECONNRESET' } });
    await clock.advance(1_000);
    job.failed(new Error('ECONNRESET'));
    await clock.advance(1_000);
    job.ok();
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatchObject({ msg: 'status signals flush working again', failing_ms: 2_000, failures: 2 });
  });

  it('attempt() runs the job, logs by state changes and never rejects; fields and the recovery message are the job’s', async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    const job = new RepeatingFailureLog(log, clock, { job: 'usage ledger flush', message: 'usage ledger flush failed; retrying with backoff', recovered: 'usage ledger flushing again', fields: { store: 'ledger' } });
    let down = true;
    const run = async () => {
      if (down) throw new Error('Connection terminated unexpectedly');
    };
    const sync = () => {
      throw new Error('thrown before any promise');
    };
    const results: boolean[] = [];
    for (let i = 0; i < 50; i++) {
      results.push(await job.attempt(i === 7 ? sync : run));
      await clock.advance(1_000);
    }
    expect(results.every((r) => r === false)).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(['usage ledger flush failed; retrying with backoff']);
    expect(lines[0]).toMatchObject({ store: 'ledger', job: 'usage ledger flush' });
    down = false;
    expect(await job.attempt(run)).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(['usage ledger flush failed; retrying with backoff', 'usage ledger flushing again']);
    expect(lines[1]).toMatchObject({ store: 'ledger', failures: 50, failing_ms: 50_000 });
  });
});
