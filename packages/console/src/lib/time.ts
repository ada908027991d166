/**
 * Times as the viewer reads them: in their own time zone (the browser's), in their language,
 * and, where support needs it, in UTC too. API times are Unix seconds.
 */
export const viewerTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatTime(unixSeconds: number | null | undefined, locale: string, timeZone?: string): string {
  if (unixSeconds === null || unixSeconds === undefined) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(new Date(unixSeconds * 1000));
}

/** A UTC day (a daily usage bucket) as the locale writes a date: "Dec 1, 2026", "2026年12月1日". */
export function formatUtcDay(unixSeconds: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(unixSeconds * 1000));
}

/** ISO 8601 in UTC, for support reports and CSV files (no locale, no ambiguity). */
export const isoUtc = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
