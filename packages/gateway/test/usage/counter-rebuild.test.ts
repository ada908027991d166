/**
 * The counter rebuild after Redis lost its state (usage/counter-rebuild.ts) charges each request of
 * the last day to the model it named, as the limit stage did, not to a fallback model that
 * answered it: requests a fallback served keep the named model's daily bucket used up, and leave
 * the fallback's full.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, MemoryCounterStore } from 'tollgate';
import type { LimitSet } from '../../src/config/types.js';
import { DIMENSIONS } from '../../src/limits/dimensions.js';
import { ORG_SCOPE, bucketName } from '../../src/limits/rate-limiter.js';
import { CounterRebuilder } from '../../src/usage/counter-rebuild.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { DIALECTS, event, silentLog, storeForBlock } from './db.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 4, 20, 12);
const RPD = DIMENSIONS.find((d) => d.field === 'max_requests_per_1_day')!;
/** Every model: 3 requests per day, nothing else. */
const LIMITS: LimitSet = { max_requests_per_1_minute: null, max_tokens_per_1_minute: null, max_requests_per_1_day: 3, max_tokens_per_1_day: null };

describe.each(DIALECTS)('counter rebuild on %s', (dialect) => {
  const clock = new FakeClock(NOW);
  const store = storeForBlock(dialect, clock);

  it('counts requests a fallback model served under the model they named', async () => {
    const orgId = `org_fallback_${dialect}`;
    // Three requests for sim-large within the day, each answered by the fallback sim-small.
    await writeUsageBatch(
      store(),
      [1, 2, 3].map((h) => event({ org_id: orgId, requested_model: 'sim-large', model: 'sim-small', created_at: NOW - h * HOUR })),
    );
    const counters = new MemoryCounterStore(clock);
    const rebuilder = new CounterRebuilder({ store: store(), counters, clock, log: silentLog, flushLedger: async () => {}, limitsFor: () => ({ org: LIMITS }) });
    expect((await rebuilder.rebuild(orgId, 'default')).restored).toBe(true);

    const next = (model: string) =>
      counters.reserve({ reservationId: `next-${model}`, tag: orgId, buckets: [{ key: bucketName(ORG_SCOPE, model, RPD), limit: 3, windowMs: RPD.windowMs, cost: 1 }], leaseMs: 60_000 });
    // sim-large's three of three are used: the fourth is refused.
    expect((await next('sim-large')).admitted).toBe(false);
    // sim-small answered them but was not asked: its bucket is full.
    const small = await next('sim-small');
    expect(small.admitted).toBe(true);
    expect(small.buckets[0]!.remaining).toBe(2);
    await counters.close();
  });
});
