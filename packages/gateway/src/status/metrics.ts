/**
 * A minimal Prometheus registry: counters and fixed-bucket histograms with labels, rendered in
 * the text exposition format at /metrics. Small on purpose: the hot path only increments numbers.
 */
type Labels = Record<string, string>;

/**
 * The series key of a label set, in the order the caller wrote the labels (each metric's call
 * sites use one order). Runs on every request, so it does not sort; values with a quote,
 * backslash or newline are escaped.
 */
function key(l: Labels): string {
  let out = '';
  for (const k in l) {
    const v = l[k]!;
    out += `${out ? ',' : ''}${k}="${/["\\\n]/.test(v) ? v.replace(/["\\\n]/g, '_') : v}"`;
  }
  return out;
}

export class Counter {
  readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}
  observe(labels: Labels, v: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) s.counts[i]!++;
    s.sum += v;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const pre = k ? `${k},` : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${pre}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}`, `${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`, `${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

export class Metrics {
  readonly requests = new Counter('tollgate_requests_total', 'Requests answered, by route and status.');
  readonly latency = new Histogram('tollgate_request_duration_seconds', 'Time from arrival to the end of the response.', [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120]);
  private readonly gauges: Array<() => string> = [];
  private readonly extra: Array<Counter | Histogram> = [];

  /** Adds a counter rendered with the others (per-model series of the status signals...). */
  counter(name: string, help: string): Counter {
    const c = new Counter(name, help);
    this.extra.push(c);
    return c;
  }

  /** Renders a counter created before the registry (one a service increments from the start). */
  add(c: Counter): void {
    this.extra.push(c);
  }

  histogram(name: string, help: string, buckets: number[]): Histogram {
    const h = new Histogram(name, help, buckets);
    this.extra.push(h);
    return h;
  }

  /** Adds a gauge read at scrape time (queue depth, breaker state...). */
  gauge(name: string, help: string, read: () => Array<[Labels, number]>): void {
    this.gauges.push(() => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...read().map(([l, v]) => `${name}${Object.keys(l).length ? `{${key(l)}}` : ''} ${v}`)].join('\n'));
  }

  render(): string {
    return [this.requests.render(), this.latency.render(), ...this.extra.map((m) => m.render()), ...this.gauges.map((g) => g())].join('\n') + '\n';
  }
}
