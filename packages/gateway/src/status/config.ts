/**
 * The `status:` section of tollgate.yaml: what the status page shows and when a component leaves
 * `operational`. Thresholds are shares of requests the platform failed (never the caller's 4xx or
 * rate limits) over a sliding window; hysteresis asks for several evaluations in a row before a
 * status changes, so one failed request does not flap the page.
 *
 * ```yaml
 * status:
 *   page: { name: Tollgate, url: https://status.example.com }
 *   window_ms: 60000             # sliding window of the live signals
 *   evaluate_interval_ms: 10000  # how often the page is recomputed (one instance at a time)
 *   min_requests: 10             # fewer requests in the window: no evidence either way
 *   error_rate: { degraded_performance: 0.05, partial_outage: 0.25, major_outage: 0.5 }
 *   first_byte: { slow_ms: 10000, slow_share: 0.5 }   # degraded when half the answers start slowly
 *   hysteresis: { degrade_after: 2, recover_after: 3 }
 *   probes: { interval_ms: 60000, timeout_ms: 10000, failures_for_outage: 3, models: { llama-3.1-8b: true } }
 *   groups: { "Chat models": [sim-small, sim-large] }
 *   webhooks: [{ url: https://hooks.example.com/status, secret_env: STATUS_WEBHOOK_SECRET }]
 * ```
 * @module
 */
import type { Reader } from '../config/reader.js';

export interface StatusThresholds {
  degraded_performance: number;
  partial_outage: number;
  major_outage: number;
}

export interface StatusConfig {
  page: { name: string; url: string | null; time_zone: string };
  window_ms: number;
  evaluate_interval_ms: number;
  min_requests: number;
  error_rate: StatusThresholds;
  first_byte: { slow_ms: number; slow_share: number };
  hysteresis: { degrade_after: number; recover_after: number };
  /** Active probes: a one-token request per deployment. `models[name]` overrides the default (on for the simulator, off for paid upstreams). */
  probes: { interval_ms: number; timeout_ms: number; failures_for_outage: number; models: Record<string, boolean> };
  /** Group name → model names shown under it. */
  groups: Record<string, string[]>;
  webhooks: { url: string; secret_env: string | null }[];
  /** Days of uptime history kept (the page shows 90). */
  history_days: number;
}

export function readStatusConfig(s: Reader, models: ReadonlySet<string>): StatusConfig {
  s.rejectUnknown(['page', 'window_ms', 'evaluate_interval_ms', 'min_requests', 'error_rate', 'first_byte', 'hysteresis', 'probes', 'groups', 'webhooks', 'history_days']);
  const page = s.child('page');
  page.rejectUnknown(['name', 'url', 'time_zone']);
  const er = s.child('error_rate');
  er.rejectUnknown(['degraded_performance', 'partial_outage', 'major_outage']);
  const error_rate = {
    degraded_performance: er.number('degraded_performance', 0.05, { min: 0, max: 1 }),
    partial_outage: er.number('partial_outage', 0.25, { min: 0, max: 1 }),
    major_outage: er.number('major_outage', 0.5, { min: 0, max: 1 }),
  };
  if (!(error_rate.degraded_performance <= error_rate.partial_outage && error_rate.partial_outage <= error_rate.major_outage)) {
    s.problems.push(`${er.path}: expected degraded_performance <= partial_outage <= major_outage`);
  }
  const fb = s.child('first_byte');
  fb.rejectUnknown(['slow_ms', 'slow_share']);
  const h = s.child('hysteresis');
  h.rejectUnknown(['degrade_after', 'recover_after']);
  const p = s.child('probes');
  p.rejectUnknown(['interval_ms', 'timeout_ms', 'failures_for_outage', 'models']);
  const pm = p.child('models');
  const probeModels: Record<string, boolean> = {};
  for (const name of pm.keys()) {
    if (!models.has(name)) s.problems.push(`${pm.path}.${name}: unknown model`);
    probeModels[name] = pm.boolean(name, false);
  }
  const g = s.child('groups');
  const groups: Record<string, string[]> = {};
  for (const name of g.keys()) {
    const list = g.stringList(name);
    for (const m of list) if (!models.has(m)) s.problems.push(`${g.path}.${name}: unknown model ${JSON.stringify(m)}`);
    groups[name] = list;
  }
  const webhooks = s.list('webhooks').map((w) => {
    w.rejectUnknown(['url', 'secret_env']);
    const url = w.string('url', '');
    if (!/^https?:\/\//.test(url)) w.problems.push(`${w.path}.url: expected an http(s) URL, got ${JSON.stringify(url)}`);
    return { url, secret_env: w.string('secret_env', null) };
  });
  const windowMs = s.number('window_ms', 60_000, { min: 10, integer: true });
  return {
    page: { name: page.string('name', 'Tollgate'), url: page.string('url', null), time_zone: page.string('time_zone', 'Etc/UTC') },
    window_ms: windowMs,
    evaluate_interval_ms: s.number('evaluate_interval_ms', 10_000, { min: 10, integer: true }),
    min_requests: s.number('min_requests', 10, { min: 1, integer: true }),
    error_rate,
    first_byte: { slow_ms: fb.number('slow_ms', 10_000, { min: 1, integer: true }), slow_share: fb.number('slow_share', 0.5, { min: 0, max: 1 }) },
    hysteresis: { degrade_after: h.number('degrade_after', 2, { min: 1, integer: true }), recover_after: h.number('recover_after', 3, { min: 1, integer: true }) },
    probes: {
      interval_ms: p.number('interval_ms', 60_000, { min: 100, integer: true }),
      timeout_ms: p.number('timeout_ms', 10_000, { min: 10, integer: true }),
      failures_for_outage: p.number('failures_for_outage', 3, { min: 1, integer: true }),
      models: probeModels,
    },
    groups,
    webhooks,
    history_days: s.number('history_days', 90, { min: 90, integer: true }),
  };
}
