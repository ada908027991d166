import { describe, expect, it } from 'vitest';
import { currentPeriod, dayOf, dayStartMs, parsePeriod, periodOf, projectSpendKey, spendKey, spendTarget } from '../../src/billing/period.js';
import { FakeClock } from 'tollgate';

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
    // Node re-reads TZ when process.env.TZ is assigned; the offsets checked below prove it took.
    const saved = process.env.TZ;
    const at = Date.parse('2026-03-31T23:30:00-05:00'); // already April in UTC
    const edge = Date.UTC(2026, 3, 1); // the first ms of April, UTC
    try {
      for (const [tz, offsetMin] of [
        ['America/New_York', 240], // UTC−4 in spring: local time is still March 31
        ['Pacific/Kiritimati', -840], // UTC+14: local time is April 1, 14:00
        ['Pacific/Pago_Pago', 660], // UTC−11
      ] as const) {
        process.env.TZ = tz;
        expect(new Date(at).getTimezoneOffset(), tz).toBe(offsetMin);
        expect(periodOf(at), tz).toEqual({ key: '2026-04', startMs: edge, endMs: Date.UTC(2026, 4, 1) });
        expect(periodOf(edge - 1).key, tz).toBe('2026-03');
        expect(dayOf(edge - 1), tz).toBe('2026-03-31');
        expect(dayStartMs('2026-04-01'), tz).toBe(edge);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
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

  it('keys a project’s spend by project and month, asked again and again across months', () => {
    for (let round = 0; round < 3; round++) {
      for (let month = 0; month < 14; month++) {
        const at = Date.UTC(2026, month, 15);
        const key = periodOf(at).key;
        expect(spendKey('org_1', at)).toBe(`spend:${key}`);
        for (let p = 0; p < 50; p++) expect(projectSpendKey(`proj_${p}`, at)).toBe(`spend:proj_${p}:${key}`);
      }
    }
    expect(projectSpendKey('proj_a', Date.UTC(2026, 10, 30, 23, 59))).toBe('spend:proj_a:2026-11');
    expect(projectSpendKey('proj_a', Date.UTC(2026, 11, 1))).toBe('spend:proj_a:2026-12');
    expect(() => projectSpendKey('', 0)).toThrow(RangeError);
  });
});
