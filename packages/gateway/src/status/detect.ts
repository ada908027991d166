/**
 * From a window's signals to a component status, and the hysteresis that keeps the page from
 * flapping: a new status must be pointed to by several evaluations in a row (`degrade_after` to
 * get worse, `recover_after` to get better) before it is shown.
 * @module
 */
import type { StatusConfig } from './config.js';
import { figuresText } from './detector-texts.js';
import type { SignalCounts } from './signals.js';
import { rank, type ComponentStatus } from './vocabulary.js';

export type Cause = 'errors' | 'latency' | 'probes';

export interface Assessment {
  status: ComponentStatus;
  cause: Cause | null;
  /** The figures, in words, for incident texts: "61% of requests failed (37 of 61) over the last 60 s". */
  figures: string | null;
}

/** What the window says, before hysteresis. Too few requests is no evidence: operational (a component already out of it is held by `cannotRecover`). */
export function assess(live: SignalCounts, probes: SignalCounts, cfg: Pick<StatusConfig, 'min_requests' | 'error_rate' | 'first_byte' | 'window_ms' | 'probes'>): Assessment {
  const secs = formatSpan(cfg.window_ms);
  if (probes.probes >= cfg.probes.failures_for_outage && probes.probe_failed === probes.probes) {
    return { status: 'major_outage', cause: 'probes', figures: figuresText('probes', { n: probes.probes }) };
  }
  let best: Assessment = { status: 'operational', cause: null, figures: null };
  if (live.total >= cfg.min_requests) {
    const rate = live.failed / live.total;
    const t = cfg.error_rate;
    const s: ComponentStatus = rate >= t.major_outage && t.major_outage > 0 ? 'major_outage' : rate >= t.partial_outage && t.partial_outage > 0 ? 'partial_outage' : rate >= t.degraded_performance && t.degraded_performance > 0 ? 'degraded_performance' : 'operational';
    const pct = Math.round(rate * 100);
    if (s !== 'operational') best = { status: s, cause: 'errors', figures: figuresText('errors', { pct, failed: live.failed, total: live.total, span: secs }) };
    const ok = live.total - live.failed;
    if (best.status === 'operational' && ok >= cfg.min_requests && live.slow / ok >= cfg.first_byte.slow_share) {
      best = { status: 'degraded_performance', cause: 'latency', figures: figuresText('latency', { pct: Math.round((live.slow / ok) * 100), slow: formatSpan(cfg.first_byte.slow_ms), slow_n: live.slow, ok, span: secs }) };
    }
  }
  return best;
}

/**
 * Whether the signals say anything either way: enough requests, or enough probes. An instance
 * evaluating alone (Redis unreachable) moves a component only on evidence of its own, so one
 * that saw little traffic does not pull back what instances that saw the failures found.
 */
export function hasEvidence(live: SignalCounts, probes: SignalCounts, cfg: Pick<StatusConfig, 'min_requests' | 'probes'>): boolean {
  return live.total >= cfg.min_requests || probes.probes >= cfg.probes.failures_for_outage;
}

/**
 * Whether a component out of `operational` must keep its status because the window cannot say it
 * recovered: no evidence (too few requests and probes) and nothing clean either — no request at
 * all, or some of the few failed. Silence is not recovery: a failing engine that clients stopped
 * calling is not "operating normally". A few requests that all succeeded, or probes that all
 * succeeded, are enough to let it recover (through hysteresis as usual).
 */
export function cannotRecover(live: SignalCounts, probes: SignalCounts, cfg: Pick<StatusConfig, 'min_requests' | 'probes'>): boolean {
  if (hasEvidence(live, probes, cfg)) return false;
  const cleanLive = live.total > 0 && live.failed === 0;
  const cleanProbes = probes.probes > 0 && probes.probe_failed === 0;
  return !cleanLive && !cleanProbes;
}

export interface HysteresisState {
  status: ComponentStatus;
  pending_status: ComponentStatus | null;
  pending_count: number;
}

export function step(s: HysteresisState, next: ComponentStatus, h: { degrade_after: number; recover_after: number }): HysteresisState {
  if (next === s.status) return { status: s.status, pending_status: null, pending_count: 0 };
  const count = s.pending_status === next ? s.pending_count + 1 : 1;
  const needed = rank(next) > rank(s.status) ? h.degrade_after : h.recover_after;
  if (count >= needed) return { status: next, pending_status: null, pending_count: 0 };
  return { status: s.status, pending_status: next, pending_count: count };
}

export function formatSpan(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
