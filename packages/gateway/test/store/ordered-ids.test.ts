/** Resource ids sort in the order this process made them (store/ids.ts), and stay OpenAI-shaped. */
import { describe, expect, it } from 'vitest';
import { newId, orderedBase62 } from '../../src/store/ids.js';

const binary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('orderedBase62', () => {
  it('ids made in one millisecond sort in the order they were made, under binary and linguistic collation', () => {
    const ids = Array.from({ length: 2000 }, () => orderedBase62(24, 1_800_000_000_000));
    expect([...ids].sort(binary)).toEqual(ids);
    expect([...ids].sort(new Intl.Collator('en-US').compare)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps order across milliseconds, past 46,656 ids in one millisecond, and when the clock steps back', () => {
    const t = 1_900_000_000_000;
    const ids = [orderedBase62(24, t)];
    for (let i = 0; i < 50_000; i++) ids.push(orderedBase62(24, t + 1));
    ids.push(orderedBase62(24, t - 5_000), orderedBase62(24, t + 2), orderedBase62(24, t + 10_000));
    for (let i = 1; i < ids.length; i++) expect(binary(ids[i - 1]!, ids[i]!)).toBe(-1);
  });

  it("every resource id has OpenAI's shape: its prefix and 24 characters of [A-Za-z0-9]", () => {
    for (const [name, make] of Object.entries(newId)) {
      const id = make();
      expect(id, name).toMatch(/^(org-|user-|key_|audit_log-|invite-|proj_|svc_acct_|spend_alert_)[A-Za-z0-9]{24}$/);
    }
  });
});
