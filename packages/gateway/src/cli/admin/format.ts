/** Human output: aligned tables and key/value blocks. */
import { formatUsd, PICO_PER_CENT } from '../../billing/pricing.js';

export const time = (s: unknown): string => (typeof s === 'number' ? new Date(s * 1000).toISOString().replace('.000Z', 'Z') : '-');

export const cell = (v: unknown): string => (v === null || v === undefined ? '-' : Array.isArray(v) ? (v.length ? v.join(',') : '-') : String(v));

/** Columns separated by two spaces, a header row, no trailing spaces. */
export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '(none)\n';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `key: value` lines, keys aligned. */
export function fields(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${(k + ':').padEnd(w + 1)} ${v}`).join('\n') + '\n';
}

/**
 * OpenAI's `threshold_amount` (spend limits and alerts) counts US cents; shown with the dollars a
 * person typed (`--hard 500` → `50000 cents (USD 500.00)`), by the one money formatter.
 */
const cents = (v: number): string => `${v} cents (USD ${formatUsd(BigInt(v) * PICO_PER_CENT, 2)})`;

/**
 * Every field of an API object as `key: value` lines, whatever fields it has (an endpoint that
 * gains fields shows them without a change here): nested objects as `parent.child`, `*_at`
 * numbers (Unix seconds) as times, arrays of objects as JSON. `object` fields and those in `omit` are left out.
 */
export function objectFields(o: Record<string, unknown>, omit: readonly string[] = []): string {
  const pairs: [string, string][] = [];
  const walk = (prefix: string, obj: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(obj)) {
      const name = prefix + k;
      if (k === 'object' || omit.includes(name)) continue;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) walk(`${name}.`, v as Record<string, unknown>);
      else if (v !== null && typeof v === 'object' && !Array.isArray(v)) pairs.push([name, '{}']);
      else if (Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object')) pairs.push([name, JSON.stringify(v)]);
      else pairs.push([name, /_at$/.test(k) && typeof v === 'number' ? time(v) : k === 'threshold_amount' && Number.isSafeInteger(v) ? cents(v as number) : cell(v)]);
    }
  };
  walk('', o);
  return pairs.length ? fields(pairs) : '(no fields)\n';
}

/** A secret after the object it belongs to: printed by the create verb, never again. */
export const shownOnce = (what: string, secret: unknown, after = ''): string => `\n${String(secret)}\n\nThis is the only time the ${what} is shown. Store it now.${after}\n`;

/**
 * The scopes a key holds, as its `permissions` and `scopes` say: `all` for an unrestricted key
 * (the console's "All"), `*.read` for a read-only one (every read scope, those of endpoints to
 * come too: identity/scopes.ts), else the scopes listed.
 */
export const keyScopes = (permissions: unknown, scopes: unknown): string => (permissions === 'all' ? 'all' : permissions === 'read_only' ? '*.read' : cell(scopes));
