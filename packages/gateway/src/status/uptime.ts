/**
 * Daily uptime per component: time spent in each status, accrued by the evaluating instance in
 * UTC days (additive upserts, so a day split across evaluations sums up). The page shows 90 days;
 * a day with no recorded time is "no data", never "up".
 *
 * Uptime weighs time like Statuspage: a major outage counts fully as downtime, a partial outage
 * at 30 %, degraded performance not at all; maintenance time is left out of the ratio. Like
 * Statuspage it is taken over the days shown, day by day: each day on which the component was
 * watched counts whole (24 h, today included), so a short incident on a component that has
 * existed for minutes weighs against a day, not against those minutes.
 * @module
 */
import { statusDb, type StatusStore } from './tables.js';
import type { ComponentStatus } from './vocabulary.js';

const DAY_MS = 86_400_000;
/** The share of partial-outage time that counts as downtime (Statuspage's weight). */
const PARTIAL_WEIGHT = 0.3;
const COLUMN: Record<ComponentStatus, 'operational_ms' | 'degraded_ms' | 'partial_ms' | 'major_ms' | 'maintenance_ms'> = {
  operational: 'operational_ms',
  degraded_performance: 'degraded_ms',
  partial_outage: 'partial_ms',
  major_outage: 'major_ms',
  under_maintenance: 'maintenance_ms',
};

export interface UptimeDay {
  day: string;
  operational_ms: number;
  degraded_ms: number;
  partial_ms: number;
  major_ms: number;
  maintenance_ms: number;
}

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Adds [from, to) spent in `status` to the component's days. */
export async function accrue(store: StatusStore, componentId: string, from: number, to: number, status: ComponentStatus): Promise<void> {
  const db = statusDb(store);
  const col = COLUMN[status];
  let t = from;
  while (t < to) {
    const end = Math.min(to, (Math.floor(t / DAY_MS) + 1) * DAY_MS);
    const row = { component_id: componentId, day: dayOf(t), operational_ms: 0, degraded_ms: 0, partial_ms: 0, major_ms: 0, maintenance_ms: 0, [col]: end - t };
    await db
      .insertInto('status_daily')
      .values(row)
      .onConflict((oc) => oc.columns(['component_id', 'day']).doUpdateSet((eb) => ({ [col]: eb(`status_daily.${col}`, '+', eb.ref(`excluded.${col}`)) })))
      .execute();
    t = end;
  }
}

/** The last `days` UTC days up to `now`, oldest first, with zeros where nothing was recorded. */
export async function readDays(store: StatusStore, componentIds: readonly string[], now: number, days = 90): Promise<Map<string, UptimeDay[]>> {
  const first = dayOf(now - (days - 1) * DAY_MS);
  const out = new Map<string, UptimeDay[]>();
  if (componentIds.length === 0) return out;
  const rows = await statusDb(store).selectFrom('status_daily').selectAll().where('component_id', 'in', componentIds).where('day', '>=', first).execute();
  const by = new Map(rows.map((r) => [`${r.component_id}\u0000${r.day}`, r]));
  for (const id of componentIds) {
    const list: UptimeDay[] = [];
    for (let i = days - 1; i >= 0; i--) {
      const day = dayOf(now - i * DAY_MS);
      const r = by.get(`${id}\u0000${day}`);
      list.push({
        day,
        operational_ms: Number(r?.operational_ms ?? 0),
        degraded_ms: Number(r?.degraded_ms ?? 0),
        partial_ms: Number(r?.partial_ms ?? 0),
        major_ms: Number(r?.major_ms ?? 0),
        maintenance_ms: Number(r?.maintenance_ms ?? 0),
      });
    }
    out.set(id, list);
  }
  return out;
}

/** The day's colour: the worst status it saw, or null for no data. */
export function worstOfDay(d: UptimeDay): ComponentStatus | null {
  if (d.major_ms > 0) return 'major_outage';
  if (d.partial_ms > 0) return 'partial_outage';
  if (d.degraded_ms > 0) return 'degraded_performance';
  if (d.maintenance_ms > 0) return 'under_maintenance';
  if (d.operational_ms > 0) return 'operational';
  return null;
}

/**
 * Uptime over the given days as a fraction in [0, 1], or null when no day has data. A day with
 * any recorded time counts as 24 h less its maintenance; days without data (before the component
 * existed, or while nobody was watching) count neither as up nor as down.
 */
export function uptimeOf(days: readonly UptimeDay[]): number | null {
  let counted = 0;
  let down = 0;
  for (const d of days) {
    if (worstOfDay(d) === null) continue;
    counted += Math.max(0, DAY_MS - d.maintenance_ms);
    down += d.major_ms + PARTIAL_WEIGHT * d.partial_ms;
  }
  return counted === 0 ? null : Math.max(0, 1 - down / counted);
}

/** Drops days older than `keepDays`. */
export async function pruneDays(store: StatusStore, now: number, keepDays: number): Promise<void> {
  await statusDb(store).deleteFrom('status_daily').where('day', '<', dayOf(now - keepDays * DAY_MS)).execute();
}
