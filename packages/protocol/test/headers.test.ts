import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_SDK_RETRY_WAIT_MS, maskKey, parseDuration, redactKey, retryHeaders } from '@tollgate/protocol';

describe('Go-style durations', () => {
  it.each([
    [0, '0s'],
    [2, '2ms'],
    [120, '120ms'],
    [1000, '1s'],
    [2572, '2.572s'],
    [2200, '2.2s'],
    [360_000, '6m0s'],
    [432_000, '7m12s'],
    [85_656_648, '23h47m36.648s'],
    [16_614_720, '4h36m54.72s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBeCloseTo(ms, 6);
  });
  it('writes whole milliseconds as the general rule does', () => {
    // The rule for any number (toFixed, then trailing zeros off), which whole milliseconds skip.
    const trim = (x: number, digits: number) => {
      const t = x.toFixed(digits);
      return t.includes('.') ? t.replace(/\.?0+$/, '') : t;
    };
    const general = (ms: number) => {
      if (ms < 1000) return `${trim(ms, 3)}ms`;
      const h = Math.floor(ms / 3_600_000);
      const m = Math.floor((ms % 3_600_000) / 60_000);
      const sec = `${trim((ms % 60_000) / 1000, 3)}s`;
      return h > 0 ? `${h}h${m}m${sec}` : m > 0 ? `${m}m${sec}` : sec;
    };
    const cases = [1, 9, 10, 100, 999, 1000, 1001, 1010, 1100, 59_999, 60_000, 60_001, 3_599_999, 3_600_000, 3_600_050, 86_400_000, 2_592_000_123, Number.MAX_SAFE_INTEGER];
    for (let ms = 1; ms <= 200_000; ms += 7) cases.push(ms);
    for (const ms of cases) expect(formatDuration(ms), String(ms)).toBe(general(ms));
  });
  it('rejects what is not a duration', () => {
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('retry headers', () => {
  it('are positive and round seconds up', () => {
    expect(retryHeaders(2200)).toEqual({ 'retry-after-ms': '2200', 'retry-after': '3' });
    expect(retryHeaders(0)).toEqual({ 'retry-after-ms': '1', 'retry-after': '1' });
  });
  it('a wait over a minute still says how long, and tells SDKs not to retry on their own', () => {
    expect(MAX_SDK_RETRY_WAIT_MS).toBe(60_000);
    expect(retryHeaders(60_000)).toEqual({ 'retry-after-ms': '60000', 'retry-after': '60' });
    expect(retryHeaders(59_999.5)).toEqual({ 'retry-after-ms': '60000', 'retry-after': '60' });
    expect(retryHeaders(60_000.5)).toEqual({ 'retry-after-ms': '60001', 'retry-after': '61', 'x-should-retry': 'false' });
    expect(retryHeaders(86_400_147)).toEqual({ 'retry-after-ms': '86400147', 'retry-after': '86401', 'x-should-retry': 'false' });
  });
});

describe('key masking as OpenAI does it', () => {
  it('keeps the first 8 and the last 4, length preserved', () => {
    const key = 'sk-VKMIs' + 'a'.repeat(39) + 'wjh3';
    expect(maskKey(key)).toBe('sk-VKMIs' + '*'.repeat(39) + 'wjh3');
    expect(maskKey('key_8TjwABCDEFGHrtUb')).toBe('key_8Tjw********rtUb');
  });
  it('echoes very short strings, never shows a 9–12 character secret whole', () => {
    expect(maskKey('hello')).toBe('hello');
    expect(maskKey('abcdefghij')).toBe('ab******ij');
  });
  it('redacts for lists', () => {
    expect(redactKey('sk-abcdefgh1234')).toBe('sk-...1234');
  });
});
