/**
 * The gateway's Prometheus metrics, rendered in the text exposition format at /metrics: a
 * prom-client registry of its own per gateway (several run in one process in tests), the request
 * counter and latency histogram every request updates, and whatever counters, histograms and
 * scrape-time gauges the services add. Every metric declares its label names; a call with another
 * label does not compile.
 * @module
 */
import { Counter, Gauge, Histogram, Registry, type LabelValues } from 'prom-client';
import { CellHistogram, type HistogramCell } from './cell-histogram.js';

export type { Counter, Histogram };

/** A counter to create before the registry exists (a service increments it from the start); `Metrics.add` renders it. */
export function unregisteredCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [] });
}

/** One series of a `CellCounter`: the request path adds to `value`. */
export interface CounterCell {
  value: number;
}

/**
 * A counter for the request path. prom-client's `inc(labels)` builds a key from the label object
 * and checks every label on each call; here the caller looks its series' cell up once (by its own
 * cheap key: a model name, a route) and then only adds to a number. The prom-client counter is
 * filled from the cells when the registry is read (a scrape), so /metrics reads the same.
 */
export class CellCounter<L extends string> {
  private readonly cells = new Map<string, { labels: LabelValues<L>; cell: CounterCell }>();

  constructor(registry: Registry | undefined, name: string, help: string, labelNames: readonly L[]) {
    const cells = this.cells;
    this.counter = new Counter({
      name,
      help,
      labelNames,
      registers: registry ? [registry] : [],
      collect() {
        this.reset();
        for (const { labels, cell } of cells.values()) this.inc(labels, cell.value);
      },
    });
  }

  readonly counter: Counter<L>;

  /**
   * The cell of the series `labels`, made on first use. `key` must identify the label values
   * (callers memoize cells by something cheaper than building this key per request).
   */
  cell(key: string, labels: LabelValues<L>): CounterCell {
    let c = this.cells.get(key);
    if (!c) this.cells.set(key, (c = { labels, cell: { value: 0 } }));
    return c.cell;
  }
}

export class Metrics {
  private readonly registry = new Registry();
  /** Requests answered, by route and HTTP status. */
  readonly requests: CellCounter<'path' | 'status'>;
  /** Seconds from arrival to the end of the response, by route. */
  readonly latency: CellHistogram<'path'>;

  constructor() {
    this.requests = this.cellCounter('tollgate_requests_total', 'Requests answered, by route and status.', ['path', 'status']);
    this.latency = this.cellHistogram('tollgate_request_duration_seconds', 'Time from arrival to the end of the response.', ['path'], [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120]);
  }

  /** Adds a counter rendered with the others (per-model series of the status signals...). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** `requests`' cells by route label, then status. */
  private readonly requestCells = new Map<string, Map<number, CounterCell>>();

  /** The cell counting requests answered on `path` (a route label, bounded) with `status`. */
  requestCell(path: string, status: number): CounterCell {
    let byStatus = this.requestCells.get(path);
    if (!byStatus) this.requestCells.set(path, (byStatus = new Map()));
    let c = byStatus.get(status);
    if (!c) byStatus.set(status, (c = this.requests.cell(`${path} ${status}`, { path, status: String(status) })));
    return c;
  }

  /** `latency`'s cells by route label. */
  private readonly latencyCells = new Map<string, HistogramCell>();

  /** The cell of `latency` for requests answered on `path` (a route label, bounded). */
  latencyCell(path: string): HistogramCell {
    let c = this.latencyCells.get(path);
    if (!c) this.latencyCells.set(path, (c = this.latency.cell(path, { path })));
    return c;
  }

  /** Adds a histogram the request path feeds through cells (see CellHistogram); `buckets` as for `histogram`. */
  cellHistogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): CellHistogram<L> {
    return new CellHistogram(this.registry, name, help, labelNames, buckets);
  }

  /** Adds a counter the request path increments through cells (see CellCounter). */
  cellCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): CellCounter<L> {
    return new CellCounter(this.registry, name, help, labelNames);
  }

  /** Renders a counter created before the registry (see `unregisteredCounter`). */
  add(c: Counter<string>): void {
    this.registry.registerMetric(c);
  }

  /** `buckets`: the upper bounds, ascending (`+Inf` is implied). */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** Adds a gauge read at scrape time (queue depth, breaker state...): `read` returns every series with its value. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: () => Array<[LabelValues<L>, number]>): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        // Series that disappeared since the last scrape (a removed model) are not reported.
        this.reset();
        for (const [labels, value] of read()) this.set(labels, value);
      },
    });
  }

  /** The exposition text (`text/plain; version=0.0.4`). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
