/**
 * The ledger's admitted requests are read a page at a time (usage/admitted-history.ts), so that
 * seeding a day limit of a busy organization never holds its whole day: every admitted request of
 * the window is visited exactly once, in time order, across page boundaries — a millisecond split
 * by one, a whole page in one millisecond — and the streamed replay equals the replay of the list.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from 'tollgate';
import { DIMENSIONS } from '../../src/limits/dimensions.js';
import { BucketsReplay, forEachAdmitted, replayedBuckets, type AdmittedRequest } from '../../src/usage/admitted-history.js';
import type { UsageEvent } from '../../src/usage/event.js';
import { writeUsageBatch } from '../../src/usage/ledger-writer.js';
import { DIALECTS, event, storeForBlock } from './db.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 20, 12);

describe.each(DIALECTS)('admitted history on %s', (dialect) => {
  const clock = new FakeClock(NOW);
  const store = storeForBlock(dialect, clock);

  it('visits each admitted request of the window once, in time order, across pages', async () => {
    const orgId = `org_pages_${dialect}`;
    const since = NOW - DAY;
    const events: UsageEvent[] = [];
    let n = 0;
    // prompt_tokens numbers the requests (completion 0): what a visit's `tokens` names.
    const at = (created_at: number, over = {}) => events.push(event({ org_id: orgId, created_at, prompt_tokens: ++n, completion_tokens: 0, ...over }));
    for (let i = 0; i < 5_000; i++) at(since + 10); // a whole page in one millisecond
    for (let i = 0; i < 7_000; i++) at(since + 20 + Math.floor(i / 3)); // three per millisecond: pages end inside one
    for (let i = 0; i < 50; i++) at(since + 30 + i, { status_code: 429, error_code: 'rate_limit_exceeded', prompt_tokens: 0 }); // refused: not admitted
    at(since); // not after `since`
    at(NOW - DAY * 2);
    await writeUsageBatch(store(), events);

    const seen: AdmittedRequest[] = [];
    await forEachAdmitted(store(), orgId, since, {}, (a) => void seen.push(a));
    expect(seen.length).toBe(12_000);
    expect(new Set(seen.map((a) => a.tokens)).size).toBe(12_000);
    expect(Math.min(...seen.map((a) => a.tokens))).toBe(1);
    expect(Math.max(...seen.map((a) => a.tokens))).toBe(12_000);
    expect(seen.every((a, i) => i === 0 || seen[i - 1]!.at <= a.at)).toBe(true);

    // Replayed as read, the buckets are those of the whole list replayed at once.
    const limits = { max_requests_per_1_minute: 7, max_tokens_per_1_minute: 1_000, max_requests_per_1_day: 20_000, max_tokens_per_1_day: 10_000_000 };
    const replay = new BucketsReplay('org', 'sim-small', limits, NOW, DIMENSIONS);
    await forEachAdmitted(store(), orgId, since, {}, (a) => replay.add(a));
    const whole = replayedBuckets('org', 'sim-small', limits, [...seen].reverse(), NOW, DIMENSIONS);
    expect(whole.length).toBeGreaterThan(0);
    expect(replay.buckets()).toEqual(whole);
  }, 60_000);
});
