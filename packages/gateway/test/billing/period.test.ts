import { describe, expect, it } from 'vitest';
import { currentPeriod, dayOf, dayStartMs, parsePeriod, periodOf, spendKey, spendTarget } from '../../src/billing/period.js';
import { FakeClock } from '../../src/clock.js';

describe('billing periods (UTC calendar months)', () => {
  it('covers [first ms of the month, first ms of the next)', () => {
    const p = periodOf(Date.UTC(2026, 10, 15, 8));
    expect(p).toEqual({ key: '2026-11', startMs: Date.UTC(2026, 10, 1), endMs: Date.UTC(2026, 11, 1) });
    expect(periodOf(p.startMs).key).toBe('2026-11');
    expect(periodOf(p.endMs - 1).key).toBe('2026-11');
    expect(periodOf(p.endMs).key).toBe('2026-12');
  });

  it('rolls over the year and handles February of a leap year', () => {
    expect(periodOf(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toEqual({ key: '2026-12', startMs: Date.UTC(2026, 11, 1), endMs: Date.UTC(2027, 0, 1) });
    const feb = periodOf(Date.UTC(2028, 1, 29, 12));
    expect(feb.key).toBe('2028-02');
    expect((feb.endMs - feb.startMs) / 86_400_000).toBe(29);
  });

  it('ignores the local time zone', () => {
    // 2026-03-31T23:30 in UTC−5 is already April in UTC.
    expect(periodOf(Date.parse('2026-03-31T23:30:00-05:00')).key).toBe('2026-04');
  });

  it('reads the injected clock', () => {
    expect(currentPeriod(new FakeClock(Date.UTC(2026, 6, 4))).key).toBe('2026-07');
  });

  it('parses YYYY-MM and nothing else', () => {
    expect(parsePeriod('2026-01')).toEqual(periodOf(Date.UTC(2026, 0, 1)));
    for (const bad of ['2026-13', '2026-00', '2026-1', '26-01', '2026-01-01', '']) expect(parsePeriod(bad)).toBeUndefined();
  });

  it('names days and their starts in UTC', () => {
    expect(dayOf(Date.UTC(2026, 0, 2, 23, 59))).toBe('2026-01-02');
    expect(dayStartMs('2026-01-02')).toBe(Date.UTC(2026, 0, 2));
  });

  it('keys spend counters by organization (tag) and month', () => {
    expect(spendKey('org_1', Date.UTC(2026, 10, 1))).toBe('spend:2026-11');
    expect(spendTarget('org_1', Date.UTC(2026, 10, 20))).toEqual({ tag: 'org_1', key: 'spend:2026-11', period: periodOf(Date.UTC(2026, 10, 1)) });
    expect(() => spendKey('', 0)).toThrow(RangeError);
  });
});
