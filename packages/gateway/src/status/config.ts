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
import type { z } from 'zod';
import { durationMs, envName, flag, int, list, mapping, num, record, section, show, strings, text } from '../config/fields.js';
import { webhookUrl } from '../config/url-fields.js';

const share = () => num({ min: 0, max: 1 });

const errorRate = section({
  degraded_performance: share().default(0.05),
  partial_outage: share().default(0.25),
  major_outage: share().default(0.5),
}).superRefine((t, ctx) => {
  if (!(t.degraded_performance <= t.partial_outage && t.partial_outage <= t.major_outage)) ctx.addIssue({ code: 'custom', message: 'expected degraded_performance <= partial_outage <= major_outage' });
});

export const statusSchema = section({
  page: section({ name: text().default('Tollgate'), url: text().nullable().default(null), time_zone: text().default('Etc/UTC') }),
  /** Sliding window of the live signals. */
  window_ms: durationMs(10).default(60_000),
  /** How often the page is recomputed (one instance at a time; while Redis is unreachable, each instance from its own signals). */
  evaluate_interval_ms: durationMs(10).default(10_000),
  /** Fewer requests in the window: no evidence either way. */
  min_requests: int({ min: 1 }).default(10),
  error_rate: errorRate,
  first_byte: section({ slow_ms: durationMs(1).default(10_000), slow_share: share().default(0.5) }),
  hysteresis: section({ degrade_after: int({ min: 1 }).default(2), recover_after: int({ min: 1 }).default(3) }),
  /** Active probes: a one-token request per deployment. `models[name]` overrides the default (on for the simulator, off for paid upstreams). */
  probes: section({
    interval_ms: durationMs(100).default(60_000),
    timeout_ms: durationMs(10).default(10_000),
    failures_for_outage: int({ min: 1 }).default(3),
    models: record(flag().default(false)),
  }),
  /** Group name → model names shown under it. */
  groups: record(strings().default([])),
  /** Each signed with the secret in the variable `secret_env` names (null: TOLLGATE_STATUS_WEBHOOK_SECRET); it must be set. */
  webhooks: list(mapping({ url: webhookUrl(), secret_env: envName().nullable().default(null) })),
  /** Days of uptime history kept (the page shows 90). */
  history_days: int({ min: 90 }).default(90),
});

export type StatusConfig = z.output<typeof statusSchema>;
export type StatusThresholds = StatusConfig['error_rate'];

/** The variable holding a status webhook's signing secret. */
export const webhookSecretEnv = (w: StatusConfig['webhooks'][number]): string => w.secret_env ?? 'TOLLGATE_STATUS_WEBHOOK_SECRET';

/** The models the section names that the configuration does not serve: `[path, message]` pairs below `status`. */
export function unknownStatusModels(s: StatusConfig, models: ReadonlySet<string>): [(string | number)[], string][] {
  const out: [(string | number)[], string][] = [];
  for (const name of Object.keys(s.probes.models)) if (!models.has(name)) out.push([['probes', 'models', name], 'unknown model']);
  for (const [group, names] of Object.entries(s.groups)) for (const m of names) if (!models.has(m)) out.push([['groups', group], `unknown model ${show(m)}`]);
  return out;
}
