import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { CircuitBreaker, type BreakerTicket } from '../../src/upstream/breaker.js';

const settings = { consecutive_failures: 3, error_rate: 0.5, window: 10, open_ms: 1000 };

function run(b: CircuitBreaker, outcome: 'success' | 'failure' | 'ignored'): void {
  const t = b.acquire();
  if (!t) throw new Error('breaker refused');
  b.record(t, outcome);
}

describe('circuit breaker', () => {
  it('opens after consecutive_failures failures in a row; a success in between resets the run', () => {
    const b = new CircuitBreaker(settings, new FakeClock());
    run(b, 'failure');
    run(b, 'failure');
    run(b, 'success');
    run(b, 'failure');
    run(b, 'failure');
    expect(b.state).toBe('closed');
    run(b, 'failure');
    expect(b.state).toBe('open');
    expect(b.acquire()).toBeNull();
    expect(b.canPass()).toBe(false);
    expect(b.snapshot()).toMatchObject({ state: 'open', opens: 1, retryInMs: 1000 });
  });

  it('opens when the error rate over a full window reaches error_rate, not before the window is full', () => {
    const b = new CircuitBreaker({ ...settings, consecutive_failures: 100 }, new FakeClock());
    // Alternate: never two failures in a row, 50% of calls fail.
    for (let i = 0; i < 9; i++) run(b, i % 2 === 0 ? 'failure' : 'success');
    expect(b.snapshot()).toMatchObject({ state: 'closed', windowCalls: 9, windowFailures: 5 });
    run(b, 'success'); // window full: 5 of 10 failed = 0.5
    expect(b.state).toBe('open');
  });

  it('the window slides: old failures leave it', () => {
    const b = new CircuitBreaker({ ...settings, consecutive_failures: 100, error_rate: 0.3 }, new FakeClock());
    run(b, 'failure');
    run(b, 'failure');
    for (let i = 0; i < 8; i++) run(b, 'success');
    expect(b.state).toBe('closed'); // 2/10 = 0.2
    for (let i = 0; i < 10; i++) run(b, 'success');
    expect(b.snapshot()).toMatchObject({ state: 'closed', windowCalls: 10, windowFailures: 0 });
  });

  it('ignored outcomes (client aborts) count as nothing', () => {
    const b = new CircuitBreaker(settings, new FakeClock());
    run(b, 'failure');
    run(b, 'failure');
    for (let i = 0; i < 20; i++) run(b, 'ignored');
    expect(b.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2, windowCalls: 2 });
  });

  it('open → half-open after open_ms: one probe at a time; probe success closes with counters reset', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker(settings, clock);
    for (let i = 0; i < 3; i++) run(b, 'failure');
    await clock.advance(999);
    expect(b.state).toBe('open');
    expect(b.retryInMs()).toBe(1);
    await clock.advance(1);
    expect(b.state).toBe('half_open');
    expect(b.canPass()).toBe(true);
    const probe = b.acquire()!;
    expect(probe.probe).toBe(true);
    expect(b.acquire()).toBeNull();
    expect(b.canPass()).toBe(false);
    b.record(probe, 'success');
    expect(b.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0, windowCalls: 0, windowFailures: 0 });
  });

  it('probe failure reopens for another open_ms', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker(settings, clock);
    for (let i = 0; i < 3; i++) run(b, 'failure');
    await clock.advance(1000);
    b.record(b.acquire()!, 'failure');
    expect(b.state).toBe('open');
    expect(b.retryInMs()).toBe(1000);
    expect(b.snapshot().opens).toBe(2);
  });

  it('a probe that ends ignored frees the probe slot and stays half-open', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker(settings, clock);
    for (let i = 0; i < 3; i++) run(b, 'failure');
    await clock.advance(1000);
    b.record(b.acquire()!, 'ignored');
    expect(b.state).toBe('half_open');
    expect(b.acquire()?.probe).toBe(true);
  });

  it('a late result from a call started before the breaker opened changes nothing', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker(settings, clock);
    const longStream: BreakerTicket = b.acquire()!;
    for (let i = 0; i < 3; i++) run(b, 'failure');
    b.record(longStream, 'success');
    expect(b.state).toBe('open');
    await clock.advance(1000);
    const probe = b.acquire()!;
    b.record(longStream, 'success'); // still not the probe
    expect(b.state).toBe('half_open');
    b.record(probe, 'failure');
    expect(b.state).toBe('open');
  });

  it('500 calls at once in half-open: exactly one probe is let through', async () => {
    const clock = new FakeClock();
    const b = new CircuitBreaker(settings, clock);
    for (let i = 0; i < 3; i++) run(b, 'failure');
    await clock.advance(1000);
    const tickets = await Promise.all(Array.from({ length: 500 }, async () => b.acquire()));
    expect(tickets.filter((t) => t !== null)).toHaveLength(1);
  });

  it('error_rate 0 disables the rate rule', () => {
    const b = new CircuitBreaker({ ...settings, consecutive_failures: 100, error_rate: 0 }, new FakeClock());
    for (let i = 0; i < 30; i++) run(b, i % 2 ? 'failure' : 'success');
    expect(b.state).toBe('closed');
  });
});
