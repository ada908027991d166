/**
 * A 500 made from an exception nothing classified (an upstream call that failed in an unexpected
 * way becomes ApiError server_error with the exception as its cause) is logged with the request
 * id, as every unexpected error is; a catalog error the gateway meant is answered without a line.
 */
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { ApiError } from '../../src/errors/api-error.js';
import { createContext } from '../../src/http/context.js';
import { DispatchOutageLog, fail } from '../../src/http/dispatch.js';
import { createLogger } from '../../src/logger.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** Answers one request by failing it with `error`; returns the status and the log lines. */
async function failWith(error: unknown): Promise<{ status: number; body: string; logs: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }));
  let requestId = '';
  server = createServer((req, res) => {
    const ctx = createContext(req, res, 0, systemClock);
    requestId = ctx.id;
    fail(ctx, error, { publicUrl: 'http://gw', log, outages: new DispatchOutageLog(systemClock) });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: '{}' });
  const body = await res.text();
  return { status: res.status, body, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((l) => ({ ...l, matches: l.req_id === requestId })) };
}

describe('500s in the log', () => {
  it('a server_error with a cause is logged once, with the request id and the cause', async () => {
    const r = await failWith(new ApiError('server_error', {}, { cause: new TypeError('invalid header value') }));
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body).error.type).toBe('server_error');
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]).toMatchObject({ level: 50, msg: 'unexpected error', matches: true, err: { message: 'invalid header value' } });
  });

  it('a catalog error the gateway meant is answered without a log line', async () => {
    const r = await failWith(new ApiError('server_error'));
    expect(r.status).toBe(500);
    expect(r.logs).toHaveLength(0);
  });
});
