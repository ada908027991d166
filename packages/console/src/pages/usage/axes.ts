/**
 * The usage chart's axis labels in the viewer's language and in the zone uPlot places its ticks in
 * (the browser's, or UTC for daily points, which are UTC days): times as the locale writes them
 * ("14:00", "12月1日"), the date under a time where the day changes; amounts as money (a tiny cost
 * is not $0.00) or as compact counts ("12K", "1.2万").
 */
// The .js extension: tests load this file under Node's resolution too (money-axes.test.ts).
import { formatUsd } from '../../lib/money.js';

const DAY = 86_400;

/** The tick spacings of a chart of days: whole days only, never the half-day a 7-day span would get. */
export const DAY_INCREMENTS = [1, 2, 3, 5, 7, 14, 28, 56].map((d) => d * DAY);

/** Labels for tick times (Unix seconds), `step` apart: times within a day, dates across days. */
export function timeLabels(splits: readonly number[], lang: string, timeZone?: string): string[] {
  const zone = timeZone ? { timeZone } : {};
  const date = new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', ...zone });
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', ...zone });
  const step = splits.length > 1 ? splits[1]! - splits[0]! : DAY;
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const day = date.format(d);
    if (step >= DAY) return day;
    const label = day !== lastDay ? `${time.format(d)}\n${day}` : time.format(d);
    lastDay = day;
    return label;
  });
}

/** Labels for values: money for cost, compact numbers for counts. */
export function valueLabels(splits: readonly number[], lang: string, money: boolean): string[] {
  const count = new Intl.NumberFormat(lang, { notation: 'compact', maximumFractionDigits: 1 });
  return splits.map((v) => (money ? formatUsd(v, lang) : count.format(v)));
}
