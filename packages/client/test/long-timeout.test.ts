/**
 * A timeout longer than a timer keeps (2^31-1 ms, about 24.8 days) used to fire after 1 ms: a
 * client given `timeout` or `totalTimeout` of a month failed every call with client_timeout; held
 * at that maximum, it then ended days early. It is waited in parts (longTimeout).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Tollgate } from '@tollgate/client';
import { chatCompletion, sendJson, startServer, type TestServer } from './helpers/server.js';

const MONTH_MS = 30 * 86_400_000;
let server: TestServer;

beforeAll(async () => {
  // An answer that takes a moment, as an engine's does: a timer fired at once would beat it.
  server = await startServer((req, res) => void setTimeout(() => sendJson(res, 200, chatCompletion('sim-small', 'hello')), 100));
});
afterAll(() => server.close());

const cases: [string, { timeout?: number }, { timeout?: number; totalTimeout?: number }][] = [
  ['the client', { timeout: MONTH_MS }, {}],
  ['the call', {}, { timeout: MONTH_MS, totalTimeout: MONTH_MS }],
];

it.each(cases)('a timeout of 30 days given to %s waits for the answer', async (_what, options, call) => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const client = new Tollgate({ apiKey: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789', baseURL: server.baseURL, maxRetries: 0, ...options });
    const c = await client.chat.completions.create({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }] }, call);
    expect(c.choices[0]!.message.content).toBe('hello');
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  } finally {
    process.off('warning', onWarning);
  }
});

it('a 30-day timer fires when 30 days have passed: not at once, and not at 24.8 days, where one timer ends', async () => {
  const { longTimeout, TIMER_MAX_MS } = await import('@tollgate/protocol');
  vi.useFakeTimers();
  try {
    let fired = 0;
    longTimeout(() => fired++, MONTH_MS);
    vi.advanceTimersByTime(TIMER_MAX_MS + 1_000);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(MONTH_MS - TIMER_MAX_MS - 1_001);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    // Cancelled before its end, it never fires.
    const cancel = longTimeout(() => fired++, MONTH_MS);
    vi.advanceTimersByTime(TIMER_MAX_MS + 1);
    cancel();
    vi.advanceTimersByTime(MONTH_MS);
    expect(fired).toBe(1);
  } finally {
    vi.useRealTimers();
  }
});
