/**
 * A small typed reader over parsed YAML that collects every problem with the field's path, so a
 * bad config fails at start with all of its errors listed ("models[1].pricing.input_per_1m:
 * expected a number >= 0, got "cheap"").
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

export class Reader {
  constructor(
    readonly problems: string[],
    private readonly obj: Obj,
    readonly path: string,
  ) {}

  static root(value: unknown, problems: string[]): Reader {
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      problems.push(`(top level): expected a mapping, got ${show(value)}`);
      return new Reader(problems, {}, '');
    }
    return new Reader(problems, (value ?? {}) as Obj, '');
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private fail(key: string, what: string, v: unknown): void {
    this.problems.push(`${this.at(key)}: expected ${what}, got ${show(v)}`);
  }

  /** Reports keys that no reader asked for: a typo in a config key should not pass silently. */
  rejectUnknown(known: readonly string[]): void {
    for (const k of Object.keys(this.obj)) if (!known.includes(k)) this.problems.push(`${this.at(k)}: unknown key`);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  child(key: string): Reader {
    const v = this.obj[key];
    if (v === undefined || v === null) return new Reader(this.problems, {}, this.at(key));
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(key, 'a mapping', v);
      return new Reader(this.problems, {}, this.at(key));
    }
    return new Reader(this.problems, v as Obj, this.at(key));
  }

  list(key: string): Reader[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(key, 'a list', v);
      return [];
    }
    return v.map((item, i) => {
      const p = `${this.at(key)}[${i}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        this.problems.push(`${p}: expected a mapping, got ${show(item)}`);
        return new Reader(this.problems, {}, p);
      }
      return new Reader(this.problems, item as Obj, p);
    });
  }

  string(key: string, dflt: string): string;
  string(key: string, dflt: null): string | null;
  string(key: string, dflt: string | null): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string' || v.length === 0) {
      this.fail(key, 'a non-empty string', v);
      return dflt;
    }
    return v;
  }

  oneOf<T extends string | number>(key: string, allowed: readonly T[], dflt: T): T {
    const v = this.obj[key];
    if (v === undefined || v === null) return dflt;
    if (!allowed.includes(v as T)) {
      this.fail(key, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v);
      return dflt;
    }
    return v as T;
  }

  number(key: string, dflt: number, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
    const v = this.obj[key];
    if (v === undefined || v === null) return dflt;
    const min = opts.min ?? -Infinity;
    const max = opts.max ?? Infinity;
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!opts.integer || Number.isInteger(v));
    if (!ok) {
      const kind = opts.integer ? 'an integer' : 'a number';
      const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
      this.fail(key, range ? `${kind} ${range}` : kind, v);
      return dflt;
    }
    return v;
  }

  /** A limit: a non-negative integer (0 = blocked), or null/absent for "unlimited". */
  limit(key: string): number | null | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (v === null) return null;
    // 0 blocks the model (a non-retryable 429), as it does when set through the admin API.
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      this.fail(key, 'a non-negative integer (0 blocks the model) or null (unlimited)', v);
      return undefined;
    }
    return v;
  }

  boolean(key: string, dflt: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') {
      this.fail(key, 'true or false', v);
      return dflt;
    }
    return v;
  }

  stringMap(key: string): Record<string, string> {
    const r = this.child(key);
    const out: Record<string, string> = {};
    for (const k of Object.keys(r.obj)) {
      const s = r.string(k, null);
      if (s !== null) out[k] = s;
    }
    return out;
  }

  stringList(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this.fail(key, 'a list of strings', v);
      return [];
    }
    return v as string[];
  }

  keys(): string[] {
    return Object.keys(this.obj);
  }
}
