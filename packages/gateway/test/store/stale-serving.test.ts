import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { StaleServing } from '../../src/store/stale-serving.js';

function recorder() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_o: unknown, msg: string) => void lines.push({ level, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } as never };
}

describe('StaleServing: a failed background refresh', () => {
  it('a database outage is logged once as one, and its end once', async () => {
    const clock = new FakeClock();
    const { lines, log } = recorder();
    const s = new StaleServing(clock, 60_000, 'api keys', log, 1000);
    const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    s.refresh('a', refused);
    await s.idle();
    await clock.advance(1000);
    s.refresh('b', refused);
    await s.idle();
    await clock.advance(1000);
    s.refresh('a', () => Promise.resolve());
    await s.idle();
    expect(lines).toEqual([
      { level: 'warn', msg: 'database unavailable; serving cached entries while they are fresh enough' },
      { level: 'info', msg: 'database answering again; cache refreshed' },
    ]);
  });

  it('a fault of ours is logged as an error, never as a database outage, and no recovery follows', async () => {
    const clock = new FakeClock();
    const { lines, log } = recorder();
    const s = new StaleServing(clock, 60_000, 'api keys', log, 1000);
    s.refresh('a', () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'id')")));
    await s.idle();
    await clock.advance(1000);
    s.refresh('a', () => Promise.resolve());
    await s.idle();
    expect(lines).toEqual([{ level: 'error', msg: 'refreshing a cached entry failed (not a database outage)' }]);
  });
});
