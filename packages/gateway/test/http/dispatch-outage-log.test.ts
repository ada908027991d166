/**
 * The `dependency unavailable` line of routes without an outage policy of their own (the admin
 * API, the console): an outage logs its first refusal with the cause and then one summary a
 * minute, not one line per request; a minute without a refusal ends it, and the next outage is
 * logged again from its first line. Each request still gets its 503.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { createContext } from '../../src/http/context.js';
import { createDispatcher, DispatchOutageLog, fail } from '../../src/http/dispatch.js';
import { Router } from '../../src/http/router.js';
import { captureLog } from '../support/log-capture.js';

/** What the pg driver throws when the database went away (SQLSTATE class 08). */
const databaseDown = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('dependency outages on routes without their own policy', () => {
  it('100 refused requests in a minute make one line with the cause; each request is still a 503', async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    const outages = new DispatchOutageLog(clock);
    server = createServer((req, res) => fail(createContext(req, res, 0, clock), databaseDown(), { publicUrl: 'http://gw', log, outages }));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/admin/v1/organizations`;
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await fetch(url);
      statuses.push(res.status);
      await res.text();
      await clock.advance(500); // 50 s in all: still within the minute
    }
    expect(new Set(statuses)).toEqual(new Set([503]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'dependency unavailable', store: 'database', path: '/admin/v1/organizations', err: { message: 'Connection terminated unexpectedly' } });
  });

  it('an outage that goes on is summarised once a minute; a quiet minute ends it; each store has its own', async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    const outages = new DispatchOutageLog(clock);
    const fields = { req_id: 'req_x', path: '/admin/v1/users' };
    for (let i = 0; i < 30; i++) {
      outages.failed(log, 'database', databaseDown(), fields);
      await clock.advance(5_000); // 150 s of refusals, one every 5 s
    }
    expect(lines.map((l) => l.msg)).toEqual(['dependency unavailable', 'dependency still unavailable', 'dependency still unavailable']);
    expect(lines[1]).toMatchObject({ store: 'database', failures: 12, failing_ms: 60_000 });

    outages.failed(log, 'Redis server', new Error('Connection is closed.'), fields);
    expect(lines.at(-1)).toMatchObject({ msg: 'dependency unavailable', store: 'Redis server' });

    await clock.advance(60_000); // a quiet minute: the database's outage is over
    outages.failed(log, 'database', databaseDown(), fields);
    expect(lines.at(-1)).toMatchObject({ msg: 'dependency unavailable', store: 'database' });
    expect(lines).toHaveLength(5);
  });

  it("the gateway's dispatcher logs this way: 40 refused admin requests make one line", async () => {
    const clock = new FakeClock();
    const { lines, log } = captureLog();
    const router = new Router().on('GET', '/admin/v1/organizations', () => Promise.reject(databaseDown()));
    server = createServer(createDispatcher(router, { publicUrl: 'http://gw', trustedProxyHops: 0, log, clock, draining: () => false }));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/admin/v1/organizations`;
    for (let i = 0; i < 40; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(503);
      await res.text();
    }
    expect(lines.filter((l) => l.msg === 'dependency unavailable')).toHaveLength(1);
  });
});
