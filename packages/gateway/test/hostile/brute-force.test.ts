/**
 * Brute-force limiting that attackers cannot dodge and users do not trip (issue 11, drill 6):
 * - behind a trusted proxy the limiter uses the address that proxy saw (X-Forwarded-For read
 *   from the right, `server.trusted_proxy_hops`), so rotating or prefixing the header the client
 *   controls changes nothing (before: the leftmost entry was used, 100 wrong keys → 100 × 401);
 * - with Redis the allowance is shared by every instance (before: 3 instances let 3× through).
 * (Key-first checking — a right key is never refused for its address — is in
 * test/identity/brute-force.test.ts.)
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { clientAddress } from '../../src/http/context.js';
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../support/gateway.js';
import { deleteRedisKeys, redisPrefix } from '../support/services.js';

const LIMIT = 10;
const SERVER = { host: '127.0.0.1', port: 0, public_url: 'http://gateway.test', shutdown_grace_ms: 2000 };
const wrongKey = (i: number) => `sk-tg-${String(i).padStart(43, 'x')}`;

async function chat(url: string, key: string, forwardedFor?: string): Promise<number> {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ model: 'sim-small', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  });
  await r.arrayBuffer();
  return r.status;
}

const count = (statuses: number[], s: number) => statuses.filter((x) => x === s).length;

describe('the client address behind trusted proxies', () => {
  const req = (xff: string | string[] | undefined, peer = '10.9.9.9') => ({ headers: { 'x-forwarded-for': xff }, socket: { remoteAddress: peer } }) as unknown as IncomingMessage;

  it('is the entry the outermost trusted proxy appended, never one the client wrote', () => {
    expect(clientAddress(req('6.6.6.6, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(req('1.1.1.1, 6.6.6.6, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(req('6.6.6.6, 203.0.113.7, 10.0.0.2'), 2)).toBe('203.0.113.7');
    expect(clientAddress(req(['6.6.6.6', '203.0.113.7']), 1)).toBe('203.0.113.7');
    // Fewer entries than hops: the farthest a trusted proxy saw.
    expect(clientAddress(req('203.0.113.7'), 2)).toBe('203.0.113.7');
    // No header, or proxies not trusted: the peer.
    expect(clientAddress(req(undefined), 1)).toBe('10.9.9.9');
    expect(clientAddress(req('6.6.6.6, 203.0.113.7'), 0)).toBe('10.9.9.9');
  });
});

describe('failed authentications behind a trusted proxy', () => {
  let gw: TestGateway;
  afterEach(() => gw?.close());

  it('a rotating or prefixed X-Forwarded-For does not dodge the limit', async () => {
    gw = await startTestGateway({ server: { ...SERVER, trust_proxy: true, trusted_proxy_hops: 1 }, auth: { failed_attempts_per_minute: LIMIT } }, { clock: new FakeClock() });
    const statuses: number[] = [];
    // The proxy appends the address it saw (203.0.113.7); the client varies what comes before it.
    for (let i = 0; i < 100; i++) statuses.push(await chat(gw.url, wrongKey(i), `10.${i % 250}.${i}.1${i % 2 ? `, 192.168.0.${i}` : ''}, 203.0.113.7`));
    expect(count(statuses, 401)).toBe(LIMIT);
    expect(count(statuses, 429)).toBe(100 - LIMIT);
    // Another client behind the same proxy is not affected, and a right key from the blocked one is served.
    expect(await chat(gw.url, wrongKey(1000), '203.0.113.8')).toBe(401);
    expect(await chat(gw.url, gw.apiKey, '6.6.6.6, 203.0.113.7')).toBe(200);
  });
});

describe('failed authentications across instances sharing Redis', () => {
  const prefix = redisPrefix('tg-hostile');
  const gateways: TestGateway[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await deleteRedisKeys(prefix);
  });

  it('three instances let the allowance through once, not three times', async () => {
    // Real time (the Redis-backed counters need it to move): the allowance refills one failure
    // every 6 s, so what got through is bounded by LIMIT plus the refill over the elapsed time.
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      gateways.push(await startTestGateway({ server: SERVER, auth: { failed_attempts_per_minute: LIMIT } }, { redisPrefix: prefix }));
    }
    // 90 wrong keys at once, 30 per instance, all from 127.0.0.1.
    const statuses = await Promise.all(Array.from({ length: 90 }, (_, i) => chat(gateways[i % 3]!.url, wrongKey(i))));
    const refilled = Math.ceil(((Date.now() - started) * LIMIT) / 60_000);
    // Per-instance limiting (before) let 3 × LIMIT through.
    expect(count(statuses, 401)).toBeGreaterThanOrEqual(LIMIT);
    expect(count(statuses, 401)).toBeLessThanOrEqual(LIMIT + refilled);
    expect(count(statuses, 401) + count(statuses, 429)).toBe(90);
    // Wrong admin keys share the same allowance; the right one still works on every instance.
    for (const g of gateways) {
      const wrong = await fetch(`${g.url}/admin/v1/organizations`, { headers: { authorization: 'Bearer not-the-admin-key' } });
      expect([401, 429]).toContain(wrong.status);
      const right = await fetch(`${g.url}/admin/v1/organizations`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(right.status).toBe(200);
      expect(await chat(g.url, g.apiKey)).toBe(200);
    }
  });
});
