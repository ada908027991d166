import { describe, expect, it } from 'vitest';
import { Admission, VirtualTokenCounterQueue } from '../../src/admission/index.js';
import { FakeClock } from 'tollgate';
import { settle } from './helpers.js';

interface Batch {
  org: string;
  n: number;
  cost?: number;
  actualCost?: number;
}

/**
 * Capacity 1 held by a blocker while the batches queue (in order), then released: returns the
 * order in which organizations were granted. Each grant releases at once, so grants are serial.
 */
async function grantOrder(batches: Batch[]): Promise<string[]> {
  const total = batches.reduce((s, b) => s + b.n, 0);
  const adm = new Admission('fair', { max_concurrency: 1, max_queue: total, max_wait_ms: 60_000 }, { clock: new FakeClock() });
  const blocker = await adm.acquire({ orgId: 'blocker', cost: 1 });
  const order: string[] = [];
  const jobs: Promise<void>[] = [];
  for (const b of batches)
    for (let i = 0; i < b.n; i++)
      jobs.push(
        adm.acquire({ orgId: b.org, cost: b.cost ?? 100 }).then((slot) => {
          order.push(b.org);
          slot.release('success', b.actualCost);
        }),
      );
  await settle();
  expect(adm.stats().queued).toBe(total);
  blocker.release('success');
  await Promise.all(jobs);
  return order;
}

const count = (xs: string[], org: string) => xs.filter((x) => x === org).length;

describe('per-organization fair queue (Virtual Token Counter)', () => {
  it('a light org is not starved by a flood queued ahead of it', async () => {
    const order = await grantOrder([
      { org: 'A', n: 200 },
      { org: 'B', n: 20 },
    ]);
    const lastB = order.lastIndexOf('B') + 1;
    expect(lastB).toBeLessThanOrEqual(42);
    expect(count(order.slice(0, 40), 'B')).toBeGreaterThanOrEqual(19);
  });

  it('equal backlogs alternate within ±10 %, in every window of 20 grants', async () => {
    const order = await grantOrder([
      { org: 'A', n: 100 },
      { org: 'B', n: 100 },
    ]);
    for (let i = 0; i + 20 <= 200; i += 20) {
      const a = count(order.slice(i, i + 20), 'A');
      expect(a).toBeGreaterThanOrEqual(9);
      expect(a).toBeLessThanOrEqual(11);
    }
  });

  it('shares tokens, not requests: twice the cost per request gets half the requests', async () => {
    const order = await grantOrder([
      { org: 'A', n: 100, cost: 200 },
      { org: 'B', n: 200, cost: 100 },
    ]);
    const first = order.slice(0, 150);
    const tokensA = count(first, 'A') * 200;
    const tokensB = count(first, 'B') * 100;
    expect(tokensA / tokensB).toBeGreaterThanOrEqual(0.9);
    expect(tokensA / tokensB).toBeLessThanOrEqual(1.1);
  });

  it('the actual cost reported at release corrects the counter', async () => {
    // Both estimate 100 tokens, but A's requests really cost 300.
    const order = await grantOrder([
      { org: 'A', n: 100, actualCost: 300 },
      { org: 'B', n: 300 },
    ]);
    const first = order.slice(0, 120);
    const ratio = count(first, 'B') / count(first, 'A');
    expect(ratio).toBeGreaterThanOrEqual(2.7);
    expect(ratio).toBeLessThanOrEqual(3.3);
  });

  it("Jain's fairness index over 10 equally backlogged orgs is at least 0.95", async () => {
    const orgs = Array.from({ length: 10 }, (_, i) => `org${i}`);
    // Different arrival orders and backlog sizes; all stay backlogged during the first 200 grants.
    const order = await grantOrder(orgs.map((org, i) => ({ org, n: 30 + i * 5 })));
    const served = orgs.map((o) => count(order.slice(0, 200), o));
    const jain = served.reduce((s, x) => s + x, 0) ** 2 / (served.length * served.reduce((s, x) => s + x * x, 0));
    expect(jain).toBeGreaterThanOrEqual(0.95);
  });

  it('an org returning from idle banks no credit', () => {
    const q = new VirtualTokenCounterQueue<{ orgId: string; cost: number }>();
    for (let i = 0; i < 50; i++) q.push({ orgId: 'A', cost: 100 });
    for (let i = 0; i < 30; i++) q.settle('A', 100, q.pop()!.cost);
    // B has been idle all along; now both are backlogged.
    for (let i = 0; i < 20; i++) q.push({ orgId: 'B', cost: 100 });
    const next = Array.from({ length: 20 }, () => q.pop()!.orgId);
    expect(count(next, 'A')).toBeGreaterThanOrEqual(9);
    expect(count(next, 'B')).toBeGreaterThanOrEqual(9);
  });

  it('an org that used idle capacity is not punished once contention starts', () => {
    const q = new VirtualTokenCounterQueue<{ orgId: string; cost: number }>();
    // A alone, served straight away 100 times while nobody queued.
    for (let i = 0; i < 100; i++) {
      q.charge('A', 100);
      q.settle('A', 100, 100);
    }
    for (let i = 0; i < 20; i++) q.push({ orgId: 'C', cost: 100 });
    for (let i = 0; i < 20; i++) q.push({ orgId: 'A', cost: 100 });
    const next = Array.from({ length: 20 }, () => q.pop()!.orgId);
    expect(count(next, 'A')).toBeGreaterThanOrEqual(9);
    expect(count(next, 'C')).toBeGreaterThanOrEqual(9);
  });

  it('work-conserving: a single org gets every slot', async () => {
    const order = await grantOrder([{ org: 'A', n: 50 }]);
    expect(order).toHaveLength(50);
  });
});
