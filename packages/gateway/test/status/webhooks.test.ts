/**
 * Signed webhooks on incident changes: Statuspage's payload shape, an HMAC signature the receiver
 * can check, retries with backoff (on the fake clock) until the receiver accepts, and the
 * delivery recorded in the store.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FakeClock } from 'tollgate';
import { statusDb } from '../../src/status/tables.js';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway } from './helpers.js';
import { until } from '../support/wait.js';

const SECRET = 'whsec-test-0123456789';
let server: Server;
let url: string;
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let failuresLeft = 2;
let g: TestGateway;
let clock: FakeClock;


/** Moves the fake clock in steps of `stepMs` until `cond` holds (the sender sleeps on that clock). */
async function advanceUntil(cond: () => boolean, stepMs: number): Promise<number> {
  let moved = 0;
  for (let i = 0; i < 500 && !cond(); i++) {
    await new Promise((r) => setTimeout(r, 10));
    if (cond()) break;
    await clock.advance(stepMs);
    moved += stepMs;
  }
  expect(cond()).toBe(true);
  return moved;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = failuresLeft-- > 0 ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  ({ g, clock } = await statusGateway({ status: { webhooks: [{ url, secret_env: 'HOOK_SECRET' }] } }, { HOOK_SECRET: SECRET }));
});
afterAll(async () => {
  await g?.close();
  await new Promise((r) => server.close(r));
});

it('signs each incident change and retries until the receiver accepts it', async () => {
  const created = await g.admin('POST', '/admin/v1/status/incidents', { name: 'Elevated error rate on sim-large', body: 'Investigating.', components: { 'sim-large': 'major_outage' } });
  expect(created.status).toBe(200);
  await until(() => received.length === 1, 'the first delivery', { intervalMs: 10 });
  // Exponential backoff on the injected clock: 1 s, then 2 s.
  expect(await advanceUntil(() => received.length === 2, 250)).toBeGreaterThanOrEqual(1000);
  expect(await advanceUntil(() => received.length === 3, 250)).toBeGreaterThanOrEqual(2000);

  const bodies = new Set(received.map((r) => r.body));
  expect(bodies.size).toBe(1);
  for (const r of received) {
    const [t, v1] = String(r.headers['x-tollgate-signature']).split(',');
    const ts = t!.slice(2);
    expect(v1).toBe(`v1=${createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex')}`);
    expect(r.headers['x-tollgate-event']).toBe('incident.created');
  }
  const payload = JSON.parse(received[0]!.body);
  expect(Object.keys(payload).sort()).toEqual(['incident', 'meta', 'page']);
  expect(payload.page).toEqual({ id: expect.any(String), status_indicator: 'major', status_description: 'Partial System Outage' });
  expect(payload.incident).toMatchObject({ id: created.body.id, name: 'Elevated error rate on sim-large', status: 'investigating', impact: 'critical' });

  await g.gateway.services.status.close(); // waits for deliveries in flight
  const rows = await statusDb(g.gateway.services.store).selectFrom('status_webhook_deliveries').selectAll().execute();
  // The row names the webhook by its origin: the path, often the secret of a webhook URL, is not stored.
  expect(rows.map((r) => [r.status, r.attempts, r.url])).toEqual([['delivered', 3, `${new URL(url).origin}/***`]]);
});

it('resolving posts another signed change', async () => {
  const before = received.length;
  const list = await g.admin('GET', '/admin/v1/status/incidents');
  const id = list.body.data[0].id;
  const resolved = await g.admin('POST', `/admin/v1/status/incidents/${id}`, { status: 'resolved', body: 'Fixed.' });
  expect(resolved.status).toBe(200);
  await until(() => received.length === before + 1, 'the next delivery', { intervalMs: 10 });
  expect(received.at(-1)!.headers['x-tollgate-event']).toBe('incident.resolved');
  expect(JSON.parse(received.at(-1)!.body).incident.status).toBe('resolved');
});
