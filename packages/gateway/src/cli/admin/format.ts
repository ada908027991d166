/** Human output: aligned tables and key/value blocks. */

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
