/**
 * A timeout longer than a timer keeps (2^31-1 ms, about 24.8 days) used to fire after 1 ms: a
 * client given `timeout` or `totalTimeout` of a month failed every call with client_timeout.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
