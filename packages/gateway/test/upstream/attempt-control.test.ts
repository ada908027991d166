/**
 * The idle deadline of an upstream attempt, on fake timers: it bounds each wait on the upstream,
 * however many waits came before it and however long the consumer held the stream between them.
 * (It is kept as one lazy timer, re-armed for the rest of a wait, not one timer per read.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/errors/api-error.js';
import { AbortLatch } from '../../src/http/abort-latch.js';
import { AttemptControl } from '../../src/upstream/openai-compatible/attempt-control.js';

const TIMEOUTS = { connect_ms: 1000, first_byte_ms: 1000, idle_ms: 50, total_ms: 3_600_000 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A streamed attempt whose first output has arrived (the idle deadline applies from then on). */
function started(): AttemptControl {
  const ctl = new AttemptControl(TIMEOUTS, new AbortLatch(), true);
  ctl.firstByteSeen();
  return ctl;
}

const reasonId = (ctl: AttemptControl) => (ctl.signal.reason instanceof ApiError ? ctl.signal.reason.entry.id : ctl.signal.reason);

describe('idle deadline', () => {
  it('reads that each wait less than idle_ms never time out, however many there are', () => {
    const ctl = started();
    for (let i = 0; i < 200; i++) {
      ctl.armIdle();
      vi.advanceTimersByTime(i % 2 === 0 ? 49 : 30);
      ctl.disarmIdle();
      vi.advanceTimersByTime(i % 3); // the consumer's own time between reads
    }
    expect(ctl.signal.aborted).toBe(false);
    ctl.dispose();
  });

  it('a wait that lasts idle_ms fires upstream_idle_timeout at idle_ms after that wait began, not after an earlier one', () => {
    const ctl = started();
    ctl.armIdle();
    vi.advanceTimersByTime(40);
    ctl.disarmIdle();
    ctl.armIdle(); // the timer of the first wait is still pending: it must not count from there
    vi.advanceTimersByTime(49);
    expect(ctl.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(ctl.signal.aborted).toBe(true);
    expect(reasonId(ctl)).toBe('upstream_idle_timeout');
  });

  it('time the consumer spends not reading is not idle time', () => {
    const ctl = started();
    ctl.armIdle();
    vi.advanceTimersByTime(10);
    ctl.disarmIdle();
    vi.advanceTimersByTime(10_000); // backpressure: the relay waits on a slow client
    expect(ctl.signal.aborted).toBe(false);
    ctl.armIdle();
    vi.advanceTimersByTime(49);
    expect(ctl.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(reasonId(ctl)).toBe('upstream_idle_timeout');
  });

  it('before the first output only the first-byte deadline runs; after dispose nothing fires', () => {
    const waiting = new AttemptControl(TIMEOUTS, new AbortLatch(), true);
    waiting.armIdle();
    vi.advanceTimersByTime(999);
    expect(waiting.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(reasonId(waiting)).toBe('upstream_first_byte_timeout');

    const done = started();
    done.armIdle();
    done.dispose();
    vi.advanceTimersByTime(10_000);
    expect(done.signal.aborted).toBe(false);
  });
});
