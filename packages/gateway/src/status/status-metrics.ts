/**
 * The status signals at /metrics, per model: requests by outcome, first-byte latency, tokens, and
 * every component's status (1 for its current status, 0 for the others), so a dashboard shows
 * what the page shows (docs/grafana/tollgate.json reads these).
 * @module
 */
import type { HistogramCell } from './cell-histogram.js';
import type { CounterCell, Metrics } from './metrics.js';
import type { StatusMonitor } from './monitor.js';
import type { PlatformOutcome } from './outcome.js';
import { COMPONENT_STATUSES } from './vocabulary.js';

export function registerStatusMetrics(metrics: Metrics, monitor: StatusMonitor): void {
  const requests = metrics.cellCounter('tollgate_model_requests_total', 'Requests that reached a model, by outcome: success, platform_error (counts against the status page), caller_error (never does).', ['model', 'outcome']);
  const firstByte = metrics.cellHistogram('tollgate_model_first_byte_seconds', 'Time from the engine call to its first byte, successful requests.', ['model'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);
  const tokens = metrics.cellCounter('tollgate_model_tokens_total', 'Tokens processed per model, by type (prompt, completion).', ['model', 'type']);
  // Each model's cells, found by its name once per request (names come from the configuration:
  // bounded); a series appears when it first counts something, as prom-client's did.
  const byModel = new Map<string, Partial<Record<Series, CounterCell>>>();
  const firstByteCells = new Map<string, HistogramCell>();
  const firstByteOf = (model: string): HistogramCell => {
    let c = firstByteCells.get(model);
    if (!c) firstByteCells.set(model, (c = firstByte.cell(model, { model })));
    return c;
  };
  const cellOf = (model: string, series: Series): CounterCell => {
    let cells = byModel.get(model);
    if (!cells) byModel.set(model, (cells = {}));
    return (cells[series] ??= series === 'prompt' || series === 'completion' ? tokens.cell(`${model} ${series}`, { model, type: series }) : requests.cell(`${model} ${series}`, { model, outcome: OUTCOME_LABEL[series] }));
  };
  monitor.onObservation((o, outcome) => {
    if (o.model === null) return;
    cellOf(o.model, outcome).value++;
    if (o.firstByteMs !== null) firstByteOf(o.model).observe(o.firstByteMs / 1000);
    // A count that is not a finite positive number (an upstream may report 1e999 tokens) is left
    // out: prom-client would refuse it when the registry is read, and /metrics would fail.
    if (countable(o.promptTokens)) cellOf(o.model, 'prompt').value += o.promptTokens;
    if (countable(o.completionTokens)) cellOf(o.model, 'completion').value += o.completionTokens;
  });
  metrics.gauge('tollgate_component_status', 'Status-page component status: 1 for the current status, 0 for the others.', ['component', 'status'], () => {
    const s = monitor.lastSnapshot();
    if (!s) return [];
    return s.components.flatMap((c) => COMPONENT_STATUSES.map((st): [{ component: string; status: string }, number] => [{ component: c.def.name, status: st }, c.status === st ? 1 : 0]));
  });
}

const countable = (n: number): boolean => n > 0 && Number.isFinite(n);

/** A model's series: its requests by outcome, its tokens by type. */
type Series = PlatformOutcome | 'prompt' | 'completion';
const OUTCOME_LABEL: Record<PlatformOutcome, string> = { ok: 'success', failed: 'platform_error', excluded: 'caller_error' };
