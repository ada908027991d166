import { describe, expect, it } from 'vitest';
import { jitteredRetryHeaders } from '../../src/http/retry-hint.js';

describe('jittered retry hints', () => {
  it('never shorter than the known wait, at most 20 % longer, and spread across callers', () => {
    expect(jitteredRetryHeaders(2000, () => 0)).toEqual({ 'retry-after-ms': '2000', 'retry-after': '2' });
    expect(jitteredRetryHeaders(2000, () => 0.999_999)).toEqual({ 'retry-after-ms': '2400', 'retry-after': '3' });
    let x = 0;
    const hints = Array.from({ length: 100 }, () => Number(jitteredRetryHeaders(10_000, () => (x = (x + 0.37) % 1))['retry-after-ms']));
    expect(Math.min(...hints)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...hints)).toBeLessThanOrEqual(12_000);
    expect(new Set(hints).size).toBeGreaterThan(50);
  });
});
