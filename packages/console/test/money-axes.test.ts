/**
 * The console's money and chart-axis formatting, as a viewer reads it: a tiny cost is not $0.00,
 * the exact decimal survives from the API to the title and the CSV, and the usage chart's axes
 * are written in the viewer's language and time zone.
 */
import { describe, expect, it } from 'vitest';
import { exactDecimal, formatUsd, picoToDecimal, toPico } from '../src/lib/money.js';
import { timeLabels, valueLabels } from '../src/pages/usage/axes.js';

describe('money', () => {
  it('shows a cost below a cent to three significant digits, in the viewer language', () => {
    expect(formatUsd(0.0000033, 'en')).toBe('$0.0000033');
    expect(formatUsd(0.000123456, 'en')).toBe('$0.000123');
    expect(formatUsd(0.000123456, 'zh-CN')).toBe('US$0.000123');
    expect(formatUsd(0, 'en')).toBe('$0.00');
    expect(formatUsd(1234.5, 'en')).toBe('$1,234.50');
    expect(formatUsd(0.5, 'en')).toBe('$0.50');
  });

  it('keeps the exact decimal: from exact_value, or from the JSON number the gateway wrote', () => {
    expect(toPico('0.000003300000')).toBe(3_300_000n);
    expect(picoToDecimal(3_300_000n)).toBe('0.0000033');
    expect(picoToDecimal(12n * 10n ** 12n + 1n)).toBe('12.000000000001');
    expect(exactDecimal(3.3e-6)).toBe('0.0000033');
    expect(exactDecimal(1e-12)).toBe('0.000000000001');
    expect(exactDecimal(999.123456789012)).toBe('999.123456789012');
    expect(exactDecimal(0.1, '0.100000000000')).toBe('0.1');
    // Summing in pico-dollars is exact where doubles are not.
    expect(picoToDecimal(toPico('0.1') + toPico('0.2'))).toBe('0.3');
  });
});

describe('usage chart axes', () => {
  // 2026-12-01 00:00 UTC is 08:00 in Shanghai and 19:00 the day before in New York.
  const t0 = Date.UTC(2026, 11, 1) / 1000;

  it('times within a day in the viewer zone, the date under the first and where the day changes', () => {
    expect(timeLabels([t0, t0 + 8 * 3600, t0 + 16 * 3600], 'en', 'Asia/Shanghai')).toEqual(['08:00 AM\nDec 1', '04:00 PM', '12:00 AM\nDec 2']);
    expect(timeLabels([t0, t0 + 8 * 3600, t0 + 16 * 3600], 'zh-CN', 'Asia/Shanghai')).toEqual(['08:00\n12月1日', '16:00', '00:00\n12月2日']);
    expect(timeLabels([t0], 'en', 'America/New_York')).toEqual(['Nov 30']);
  });

  it('days as dates when ticks are a day apart', () => {
    expect(timeLabels([t0, t0 + 86_400], 'zh-CN', 'Asia/Shanghai')).toEqual(['12月1日', '12月2日']);
  });

  it('values as money for cost (a tiny one readable) and as compact counts otherwise', () => {
    expect(valueLabels([0, 0.0000025, 0.005], 'en', true)).toEqual(['$0.00', '$0.0000025', '$0.005']);
    expect(valueLabels([0, 1500, 2_000_000], 'en', false)).toEqual(['0', '1.5K', '2M']);
    expect(valueLabels([15_000], 'zh-CN', false)).toEqual(['1.5万']);
  });
});
