/**
 * The status monitor during an outage of Redis or the database (or both): its periodic jobs fail
 * on every evaluation, and the log gets one line when each starts failing, a summary a minute, and
 * one line when each works again, not one line per tick.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, parseConfig } from 'tollgate';
import type { RedisClient } from '../../src/redis-client.js';
import { openStore, type Store } from '../../src/store/index.js';
import { StatusMonitor } from '../../src/status/monitor.js';
import { captureLog, type LogLine } from '../support/log-capture.js';

const EVERY_MS = 2_500;

/** Just what the monitor sends Redis (signals, leadership); refuses it all while `down`. */
function fakeRedis() {
  const state = { down: false };
  const refuse = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  const pipeline = () => {
    const p = {
      hincrby: () => p,
      pexpire: () => p,
      hgetall: () => p,
      exec: async () => {
        if (state.down) throw refuse();
        return [];
      },
    };
    return p;
  };
  const eval_ = async () => {
    if (state.down) throw refuse();
    return 1;
  };
  return { state, redis: { pipeline, eval: eval_, evalsha: eval_ } as unknown as RedisClient };
}

let store: Store | undefined;
let monitor: StatusMonitor | undefined;
afterEach(async () => {
  await monitor?.close();
  await store?.close();
  monitor = store = undefined;
});

async function start(redis?: RedisClient) {
  const clock = new FakeClock();
  const { lines, log } = captureLog();
  store = await openStore('sqlite::memory:', { clock });
  const config = parseConfig({ models: [{ name: 'sim', provider: 'simulator' }], status: { evaluate_interval_ms: EVERY_MS } });
  monitor = new StatusMonitor({ store, config, clock, log, autoTick: false, ...(redis ? { redis, redisPrefix: 'test:' } : {}) });
  await monitor.start();
  return { clock, lines, m: monitor };
}

const count = (lines: LogLine[], msg: string) => lines.filter((l) => l.msg === msg).length;

describe('status monitor jobs during an outage', () => {
  it('Redis down for 100 evaluations: one line per job, a summary a minute, one line when it is back', async () => {
    const r = fakeRedis();
    const { clock, lines, m } = await start(r.redis);
    await m.tick();
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);

    r.state.down = true;
    for (let i = 0; i < 100; i++) {
      m.observe({ model: 'sim', status: 200, errorCode: null, firstByteMs: 10, promptTokens: 1, completionTokens: 1 });
      await clock.advance(EVERY_MS);
      await m.tick(); // the page is read from the database, which is up: the tick itself succeeds
    }
    // 250 s of failing ticks: the first line of each job, then one summary per minute.
    expect(count(lines, 'status signals: flush failed')).toBe(1);
    expect(count(lines, 'status evaluation: leadership check failed')).toBe(1);
    expect(count(lines, 'status signals flush still failing')).toBe(4);
    expect(count(lines, 'status leadership check still failing')).toBe(4);
    expect(lines.find((l) => l.msg === 'status signals: flush failed')).toMatchObject({ err: { message: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' } });
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(10);

    r.state.down = false;
    await clock.advance(EVERY_MS);
    await m.tick();
    expect(lines.find((l) => l.msg === 'status signals flush working again')).toMatchObject({ level: 30, failures: 100, failing_ms: 250_000 });
    expect(lines.find((l) => l.msg === 'status leadership check working again')).toMatchObject({ level: 30, failures: 100, failing_ms: 250_000 });
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(10);
  });

  it('Redis and the database down: each instance would evaluate alone, cannot write, and each job is logged once', async () => {
    const r = fakeRedis();
    const { clock, lines, m } = await start(r.redis);
    await m.tick();
    r.state.down = true;
    await store!.close();
    for (let i = 0; i < 20; i++) {
      m.observe({ model: null, status: 503, errorCode: 'store_unavailable', firstByteMs: null, promptTokens: 0, completionTokens: 0 });
      await clock.advance(EVERY_MS);
      await expect(m.tick()).rejects.toThrow();
    }
    expect(count(lines, 'status signals: flush failed')).toBe(1);
    expect(count(lines, 'status evaluation: leadership check failed')).toBe(1);
    expect(count(lines, 'status evaluation failed')).toBe(1);
    expect(count(lines, 'status evaluation: Redis unreachable; this instance evaluates the page from its own signals')).toBe(1);
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(3);
  });

  it('the database down: the failing evaluation is logged once, not on every tick', async () => {
    const { clock, lines, m } = await start();
    await m.tick();
    await store!.close();
    for (let i = 0; i < 20; i++) {
      await clock.advance(EVERY_MS);
      await expect(m.tick()).rejects.toThrow();
    }
    expect(count(lines, 'status evaluation failed')).toBe(1);
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(1);
  });
});
