/**
 * The status page's colours against what they are drawn on, without a browser (WCAG 2.x contrast
 * ratio, relative luminance of sRGB): every text colour reaches AA's 4.5:1 — the status words on
 * the cards, each banner, the muted text and the footer — and every 90-day bar reaches 3:1 for
 * graphics (WCAG 2.1 SC 1.4.11) against the card and the page, read from the page as rendered:
 * the bars' inline colours and the stylesheet's backgrounds. browser.test.ts checks the bars as
 * Chromium paints them; a11y.browser.test.ts runs axe on the pages.
 */
import { describe, expect, it } from 'vitest';
import type { ComponentDef } from '../../src/status/components.js';
import { BANNER, INK, PAGE_COLORS, renderStatusPage } from '../../src/status/html.js';
import type { Snapshot } from '../../src/status/page.js';
import type { UptimeDay } from '../../src/status/uptime.js';
import { COMPONENT_STATUSES } from '../../src/status/vocabulary.js';
import { contrast, deltaE } from '../support/contrast.js';

describe('status page colours', () => {
  it('the arithmetic: black on white is 21:1, a colour on itself 1:1, #777 on white just under 4.5:1', () => {
    expect(contrast('#000', '#fff')).toBeCloseTo(21);
    expect(contrast('#eb5757', 'rgb(235, 87, 87)')).toBe(1);
    expect(contrast('#777777', '#ffffff')).toBeLessThan(4.5);
    expect(deltaE('#fff', '#ffffff')).toBe(0);
    expect(deltaE('#000', '#fff')).toBeCloseTo(100, 0);
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
    const low = pairs.filter(([, fg, bg]) => contrast(fg, bg) < 4.5).map(([what, fg, bg]) => `${what}: ${fg} on ${bg} ${contrast(fg, bg).toFixed(2)}:1`);
    expect(low).toEqual([]);
  });
});

describe('the 90-day bars, from the rendered page', () => {
  // One component whose days saw each status in turn, and a day without data.
  const day = (n: number, o: Partial<UptimeDay>): UptimeDay => ({ day: `2026-06-${String(n).padStart(2, '0')}`, operational_ms: 0, degraded_ms: 0, partial_ms: 0, major_ms: 0, maintenance_ms: 0, ...o });
  const days = [day(1, {}), day(2, { operational_ms: 1 }), day(3, { degraded_ms: 1 }), day(4, { partial_ms: 1 }), day(5, { major_ms: 1 }), day(6, { maintenance_ms: 1 })];
  const def: ComponentDef = { id: 'c1', key: 'api', name: 'Public API', description: null, position: 1, group_id: null, children: null, model: null };
  const now = Date.UTC(2026, 5, 6, 12);
  const snapshot: Snapshot = {
    now,
    page: { name: 'Tollgate', url: 'https://gw.example/status', time_zone: 'Etc/UTC', id: 'p1', updated_at: now },
    components: [{ def, status: 'operational', automatic: 'operational', reason: null, created_at: now, updated_at: now }],
    indicator: 'none',
    description: 'All Systems Operational',
    incidents: [],
    maintenances: [],
  };
  const html = renderStatusPage({ snapshot, days: new Map([[def.id, days]]), locale: 'en', path: '/status' });

  const declarations = (text: string) => new Map(text.split(';').flatMap((d) => (d.includes(':') ? [[d.slice(0, d.indexOf(':')).trim(), d.slice(d.indexOf(':') + 1).trim()] as const] : [])));
  /** The stylesheet: selector → its declarations. */
  const rules = new Map<string, Map<string, string>>();
  for (const [, selectors, body] of /<style>([\s\S]*?)<\/style>/.exec(html)![1]!.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    for (const sel of selectors!.split(',')) rules.set(sel.trim(), declarations(body!));
  }
  const bars = [...html.matchAll(/<div class="bar" style="([^"]*)"[^>]*data-status="([a-z_]+)"/g)].map((m) => ({ status: m[2]!, colour: declarations(m[1]!).get('background') }));

  it('draws a bar for each status and for no data, each with its own colour', () => {
    expect(bars.map((b) => b.status)).toEqual(['none', 'operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']);
    expect(new Set(bars.map((b) => b.status))).toEqual(new Set([...COMPONENT_STATUSES, 'none']));
    expect(bars.every((b) => b.colour !== undefined)).toBe(true);
    // The bars sit on a card, on the page; nothing between paints or fades them.
    expect(html).toMatch(/<div class="card"><div class="comp" data-component="c1">\s*<div class="row">[\s\S]*?<div class="bars"><div class="bar"/);
    for (const sel of ['.comp', '.bars', '.bar']) {
      for (const prop of ['background', 'background-color', 'opacity', 'filter']) expect(rules.get(sel)?.get(prop), `${sel} ${prop}`).toBeUndefined();
    }
  });

  it('every bar reaches 3:1 against the card it is drawn on and against the page', () => {
    const card = rules.get('.card')?.get('background');
    const page = rules.get('body')?.get('background');
    expect([card, page]).toEqual([expect.stringMatching(/^#/), expect.stringMatching(/^#/)]);
    const low = bars.flatMap((b) =>
      [
        ['card', card!],
        ['page', page!],
      ]
        .filter(([, bg]) => contrast(b.colour!, bg!) < 3)
        .map(([on, bg]) => `${b.status}: ${b.colour} on the ${on} (${bg}) ${contrast(b.colour!, bg!).toFixed(2)}:1`),
    );
    expect(low).toEqual([]);
  });

  it('the states are apart at a glance: every two bar colours at least ΔE 20 (about ten times the smallest difference noticed)', () => {
    const close = bars.flatMap((a, i) => bars.slice(i + 1).filter((b) => deltaE(a.colour!, b.colour!) < 20).map((b) => `${a.status} ${a.colour} and ${b.status} ${b.colour}: ΔE ${deltaE(a.colour!, b.colour!).toFixed(1)}`));
    expect(close).toEqual([]);
  });
});
