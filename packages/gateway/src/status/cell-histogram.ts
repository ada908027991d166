/**
 * A histogram for the request path, as `CellCounter` is a counter for it. prom-client's
 * `observe(labels, value)` makes a closure and two objects, checks every label and builds a key
 * from the label object on each call (about 1% of a request's CPU for the two histograms every
 * request feeds); here the caller looks its series' cell up once, by its own cheap key, and an
 * observation is a loop over the bounds and three additions. The prom-client histogram is filled
 * from the cells when the registry is read, so /metrics renders exactly what prom-client's own
 * observations rendered (same buckets, counts and float sums, added in the same order).
 * @module
 */
import { Histogram, type LabelValues, type Registry } from 'prom-client';

/** One series of a `CellHistogram`: `observe` adds a value to it. */
export class HistogramCell {
  /** Per upper bound (same order as the histogram's), values at or below it and above the previous one. */
  readonly buckets: number[];
  sum = 0;
  count = 0;

  constructor(
    private readonly bounds: readonly number[],
    readonly labels: Record<string, string>,
  ) {
    this.buckets = new Array<number>(bounds.length).fill(0);
  }

  /** Adds one observation; throws a TypeError for a value that is not a finite number, as prom-client does. */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.buckets[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

/** prom-client's per-series record, which `collect` fills (its shape in prom-client 15). */
interface SeriesRecord {
  labels: Record<string, string>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

export class CellHistogram<L extends string> {
  private readonly cells = new Map<string, HistogramCell>();
  private readonly bounds: readonly number[];
  readonly histogram: Histogram<L>;

  /** `buckets`: the upper bounds, ascending (`+Inf` is implied). */
  constructor(registry: Registry | undefined, name: string, help: string, labelNames: readonly L[], buckets: number[]) {
    const cells = this.cells;
    const bounds = [...buckets];
    this.bounds = bounds;
    this.histogram = new Histogram({
      name,
      help,
      labelNames,
      buckets: bounds,
      registers: registry ? [registry] : [],
      collect() {
        this.reset();
        // zero() makes each series' record under prom-client's own key, holding the labels object
        // it was given; the records are then found by that object and their counts set.
        const byLabels = new Map<object, HistogramCell>();
        for (const cell of cells.values()) {
          this.zero(cell.labels as LabelValues<L>);
          byLabels.set(cell.labels, cell);
        }
        for (const record of Object.values((this as unknown as { hashMap: Record<string, SeriesRecord> }).hashMap)) {
          const cell = byLabels.get(record.labels);
          if (!cell) continue;
          for (let i = 0; i < bounds.length; i++) record.bucketValues[bounds[i]!] = cell.buckets[i]!;
          record.sum = cell.sum;
          record.count = cell.count;
        }
      },
    });
  }

  /**
   * The cell of the series `labels`, made on first use. `key` must identify the label values, one
   * key per set of values (callers memoize cells by something cheaper than building this key per
   * request).
   */
  cell(key: string, labels: LabelValues<L>): HistogramCell {
    let c = this.cells.get(key);
    if (!c) this.cells.set(key, (c = new HistogramCell(this.bounds, labels as Record<string, string>)));
    return c;
  }
}
