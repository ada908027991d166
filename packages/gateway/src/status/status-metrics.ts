/**
 * The status signals at /metrics, per model: requests by outcome, first-byte latency, tokens, and
 * every component's status (1 for its current status, 0 for the others), so a dashboard shows
 * what the page shows (docs/grafana/tollgate.json reads these).
 * @module
 */
import type { Metrics } from './metrics.js';
import type { StatusMonitor } from './monitor.js';
import { platformOutcome } from './outcome.js';
import { COMPONENT_STATUSES } from './vocabulary.js';

export function registerStatusMetrics(metrics: Metrics, monitor: StatusMonitor): void {
  const requests = metrics.counter('tollgate_model_requests_total', 'Requests that reached a model, by outcome: success, platform_error (counts against the status page), caller_error (never does).', ['model', 'outcome']);
  const firstByte = metrics.histogram('tollgate_model_first_byte_seconds', 'Time from the engine call to its first byte, successful requests.', ['model'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);
  const tokens = metrics.counter('tollgate_model_tokens_total', 'Tokens processed per model, by type (prompt, completion).', ['model', 'type']);
  monitor.onObservation((o) => {
    if (o.model === null) return;
    const outcome = platformOutcome(o.status, o.errorCode);
    requests.inc({ model: o.model, outcome: outcome === 'ok' ? 'success' : outcome === 'failed' ? 'platform_error' : 'caller_error' });
    if (o.firstByteMs !== null) firstByte.observe({ model: o.model }, o.firstByteMs / 1000);
    // prom-client throws on a count that is not a finite positive number (an upstream may report
    // 1e999 tokens); this runs on the request path, before usage is recorded, so it must not throw.
    if (countable(o.promptTokens)) tokens.inc({ model: o.model, type: 'prompt' }, o.promptTokens);
    if (countable(o.completionTokens)) tokens.inc({ model: o.model, type: 'completion' }, o.completionTokens);
  });
  metrics.gauge('tollgate_component_status', 'Status-page component status: 1 for the current status, 0 for the others.', ['component', 'status'], () => {
    const s = monitor.lastSnapshot();
    if (!s) return [];
    return s.components.flatMap((c) => COMPONENT_STATUSES.map((st): [{ component: string; status: string }, number] => [{ component: c.def.name, status: st }, c.status === st ? 1 : 0]));
  });
}

const countable = (n: number): boolean => n > 0 && Number.isFinite(n);
