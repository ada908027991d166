/**
 * Billing periods are calendar months in UTC, like an invoice. Spend counters, soft-limit
 * notifications and the monthly usage report all key on `YYYY-MM`.
 * @module
 */
import type { Clock } from '../clock.js';
import { pairMemo } from '../limits/pair-memo.js';

export interface Period {
  /** `YYYY-MM`. */
  key: string;
  /** First millisecond of the month (UTC). */
  startMs: number;
  /** First millisecond of the next month: the period is [startMs, endMs). */
  endMs: number;
}

/** The last period computed: every request asks for the current one, which changes once a month. */
let lastPeriod: Period | undefined;

/** The period containing the instant `ms` (the same object for instants of one month in a row: do not change it). */
export function periodOf(ms: number): Period {
  const last = lastPeriod;
  if (last !== undefined && ms >= last.startMs && ms < last.endMs) return last;
  return (lastPeriod = computePeriod(ms));
}

function computePeriod(ms: number): Period {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a time: ${ms}`);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return Object.freeze({ key: `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`, startMs: Date.UTC(y, m, 1), endMs: Date.UTC(y, m + 1, 1) });
}

export function currentPeriod(clock: Clock): Period {
  return periodOf(clock.now());
}

/** `YYYY-MM` → its period; undefined when the text is not a month. */
export function parsePeriod(key: string): Period | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return periodOf(Date.UTC(Number(m[1]), month - 1, 1));
}

/** `YYYY-MM-DD` of the UTC day containing `ms` (the key of the daily usage rollups). */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start of a `YYYY-MM-DD` day in epoch milliseconds (UTC). */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/**
 * Where an organization's spend for a period lives in the counter store: the tag is the
 * organization (so every key of one organization shares a Redis Cluster slot) and the key names
 * the month, e.g. `spend:2026-11`. The organization is a parameter so that call sites read as
 * (organization, period); `spendTarget` gives the tag as well.
 */
export function spendKey(orgId: string, periodStartMs: number): string {
  if (orgId.length === 0) throw new RangeError('orgId is empty');
  const period = periodOf(periodStartMs).key;
  let key = orgSpendKeys.get(period);
  if (key === undefined) {
    if (orgSpendKeys.size >= 1000) orgSpendKeys.clear();
    orgSpendKeys.set(period, (key = `spend:${period}`));
  }
  return key;
}

/**
 * Spend keys made before. Every request asks for its organization's and its project's key of the
 * current month: the same string each time, not a new one to build, and then to hash again in
 * the counter store's maps (a string caches its hash).
 */
const orgSpendKeys = new Map<string, string>();
/** By month, then project; emptied past 100,000 keys (a flood of projects costs no more). */
const projectSpendKeyOf = pairMemo(100_000, (period: string, projectId: string) => `spend:${projectId}:${period}`);

/**
 * Where a project's spend for a period lives: under its organization's tag (same Redis Cluster
 * slot, so one atomic call covers both), e.g. `spend:proj_abc:2026-11`.
 */
export function projectSpendKey(projectId: string, periodStartMs: number): string {
  if (projectId.length === 0) throw new RangeError('projectId is empty');
  return projectSpendKeyOf(periodOf(periodStartMs).key, projectId);
}

/** Everything a counter-store spend call needs for the period containing `atMs`. */
export function spendTarget(orgId: string, atMs: number): { tag: string; key: string; period: Period } {
  const period = periodOf(atMs);
  return { tag: orgId, key: spendKey(orgId, period.startMs), period };
}
