/**
 * Every text colour of the status page against what it is drawn on reaches WCAG AA's 4.5:1 (the
 * contrast ratio of WCAG 2.x, relative luminance of sRGB), without a browser: the status words on
 * the cards, each banner, the muted text and the footer. a11y.browser.test.ts checks the pages.
 */
import { describe, expect, it } from 'vitest';
import { BANNER, INK, PAGE_COLORS } from '../../src/status/html.js';

function luminance(hex: string): number {
  const h = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, (c) => c + c) : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
const ratio = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

describe('status page colours', () => {
  it('the arithmetic: black on white is 21:1, a colour on itself 1:1, #777 on white just under 4.5:1', () => {
    expect(ratio('#000', '#fff')).toBeCloseTo(21);
    expect(ratio('#eb5757', '#eb5757')).toBe(1);
    expect(ratio('#777777', '#ffffff')).toBeLessThan(4.5);
  });

  it('every text colour reaches 4.5:1 on what it is drawn on', () => {
    const pairs: [string, string, string][] = [
      ...Object.entries(INK).map(([s, c]): [string, string, string] => [`status word ${s}`, c, PAGE_COLORS.card]),
      ...Object.entries(BANNER).map(([d, b]): [string, string, string] => [`banner ${d}`, b.color, b.background]),
      ['muted text on a card', PAGE_COLORS.muted, PAGE_COLORS.card],
      ['muted text on the page', PAGE_COLORS.muted, PAGE_COLORS.background],
      ['footer and language links', PAGE_COLORS.footer, PAGE_COLORS.background],
      ['text on the page', PAGE_COLORS.text, PAGE_COLORS.background],
      ['text on a card', PAGE_COLORS.text, PAGE_COLORS.card],
    ];
    const low = pairs.filter(([, fg, bg]) => ratio(fg, bg) < 4.5).map(([what, fg, bg]) => `${what}: ${fg} on ${bg} ${ratio(fg, bg).toFixed(2)}:1`);
    expect(low).toEqual([]);
  });
});
