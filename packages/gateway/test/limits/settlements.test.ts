/**
 * The background settlement queue: a failing counter store is retried with capped backoff until
 * the settlement lands (counted once, then the hook runs), abandoned only past its lease, and the
 * log gets the state changes, not one line per attempt.
 */
import { expect, it } from 'vitest';
import { FakeClock, systemClock } from 'tollgate';
import { SettlementQueue } from '../../src/limits/settlements.js';

function memoryLog() {
  const lines: string[] = [];
  const at = (level: string) => (_o: unknown, msg?: string) => void lines.push(`${level} ${msg ?? ''}`);
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

it('retries a failing settlement until it lands, once, then runs the hook', async () => {
  const clock = new FakeClock();
  const log = memoryLog();
  const q = new SettlementQueue({ clock, log, retryMs: 100, maxRetryMs: 400 });
  let down = true;
  let attempts = 0;
  let landed = 0;
  let hooked = 0;
  for (let i = 0; i < 3; i++) {
    q.submit({
      run: async () => {
        attempts++;
        if (down) throw new Error('redis did not answer');
        landed++;
      },
      giveUpAt: clock.now() + 60_000,
      onSettled: () => hooked++,
    });
  }
  await flush();
  expect(q.stats()).toMatchObject({ pending: 3, settled: 0 });
  for (let t = 0; t < 10; t++) await clock.advance(400);
  await flush();
  expect(landed).toBe(0);
  expect(attempts).toBeGreaterThan(3 * 5);
  down = false;
  await clock.advance(400);
  await q.idle();
  expect({ landed, hooked, stats: q.stats() }).toEqual({ landed: 3, hooked: 3, stats: { pending: 0, settled: 3, retries: attempts - 3, abandoned: 0 } });
  // One warning when the store started failing, one line when it recovered.
  expect(log.lines).toEqual(['warn counter settlement failed; retrying in the background', 'info counter settlements landing again']);
});

it('abandons a settlement whose lease has run out (the sweep charges it; the reconciliation corrects it)', async () => {
  const clock = new FakeClock();
  const log = memoryLog();
  const q = new SettlementQueue({ clock, log, retryMs: 100, maxRetryMs: 100 });
  q.submit({ run: async () => Promise.reject(new Error('down')), giveUpAt: clock.now() + 350 });
  for (let t = 0; t < 6; t++) {
    await flush();
    await clock.advance(100);
  }
  await q.idle();
  expect(q.stats()).toMatchObject({ pending: 0, settled: 0, abandoned: 1 });
  // A warning (logged by state changes: the first give-up of a streak, then a summary a minute).
  expect(log.lines.at(-1)).toMatch(/^error counter settlement abandoned/);
});

it('many settlements retrying at once on the real clock: no listener-leak warning, each lands once', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    const q = new SettlementQueue({ clock: systemClock, log: memoryLog(), retryMs: 1, maxRetryMs: 2 });
    let down = true;
    let landed = 0;
    for (let i = 0; i < 50; i++) {
      q.submit({
        run: async () => {
          if (down) throw new Error('redis did not answer');
          landed++;
        },
        giveUpAt: Date.now() + 60_000,
      });
    }
    await new Promise((r) => setTimeout(r, 20));
    down = false;
    await q.idle();
    expect(landed).toBe(50);
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  } finally {
    process.off('warning', onWarning);
  }
});
