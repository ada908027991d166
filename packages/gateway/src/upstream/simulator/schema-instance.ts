/**
 * A deterministic instance of a JSON Schema: what the simulated model "generates" for a forced
 * tool call's arguments and for a structured-output answer (`response_format` json_schema on chat,
 * `text.format` json_schema on Responses).
 *
 * Covers the subset OpenAI's structured outputs accept: `type` (one or a list), `enum`, `const`,
 * objects (`properties`, every property written, so `required` and `additionalProperties: false`
 * hold), arrays (`items`, `minItems`/`maxItems`), numbers and integers (`minimum`/`maximum` and
 * the exclusive forms), `anyOf`, and `$ref` into `$defs` / `definitions` of the root (`#` too).
 * A recursive schema is cut short past a depth: a nullable or `anyOf` branch that ends it is
 * taken, arrays are left empty. Anything else in a schema (descriptions, formats the generator
 * does not know) is ignored.
 * @module
 */
import { NOUNS } from './text.js';
import { intBetween, pick, type Rng } from './random.js';

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Nesting past which the generator ends recursion (empty arrays, terminating branches). */
const MAX_DEPTH = 6;
/** `$ref` hops without reaching a schema with content: a cycle of references. */
const MAX_REF_HOPS = 32;

export function schemaInstance(schema: unknown, rng: Rng): unknown {
  return new Instance(isObj(schema) ? schema : {}, rng).value(schema, 0);
}

class Instance {
  constructor(
    private readonly root: Obj,
    private readonly rng: Rng,
  ) {}

  value(schema: unknown, depth: number): unknown {
    const s = this.resolve(schema);
    if (Array.isArray(s.enum) && s.enum.length > 0) return pick(this.rng, s.enum);
    if ('const' in s) return s.const;
    const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null;
    if (branches && branches.length > 0) {
      const ends = branches.filter((b) => this.terminates(b));
      const from = depth >= MAX_DEPTH && ends.length > 0 ? ends : branches;
      return this.value(pick(this.rng, from), depth + 1);
    }
    const types = Array.isArray(s.type) ? s.type.filter((t): t is string => typeof t === 'string') : typeof s.type === 'string' ? [s.type] : [];
    // A nullable type is written as its value, and as null once deep in a recursive schema.
    const type = depth >= MAX_DEPTH && types.includes('null') ? 'null' : (types.find((t) => t !== 'null') ?? types[0] ?? (isObj(s.properties) ? 'object' : undefined));
    switch (type) {
      case 'string':
        return this.string(s);
      case 'integer':
        return this.integer(s);
      case 'number':
        return this.number(s);
      case 'boolean':
        return this.rng() < 0.5;
      case 'null':
        return null;
      case 'array':
        return this.array(s, depth);
      default:
        return this.object(s, depth);
    }
  }

  /** The schema a `$ref` points at (followed through chains), or the schema itself. */
  private resolve(schema: unknown): Obj {
    let s: Obj = isObj(schema) ? schema : {};
    for (let hops = 0; typeof s.$ref === 'string' && hops < MAX_REF_HOPS; hops++) {
      const target = this.lookup(s.$ref as string);
      if (!target) return {};
      s = target;
    }
    return s;
  }

  /** A local reference (`#`, `#/$defs/Name`, `#/definitions/Name`, any JSON pointer into the root). */
  private lookup(ref: string): Obj | undefined {
    if (!ref.startsWith('#')) return undefined;
    let at: unknown = this.root;
    for (const raw of ref.slice(1).split('/').filter((p) => p.length > 0)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      at = isObj(at) ? at[key] : Array.isArray(at) ? at[Number(key)] : undefined;
    }
    return isObj(at) ? at : undefined;
  }

  /** Whether a branch can end a recursion at once: null, a scalar, an enum or const. */
  private terminates(schema: unknown): boolean {
    const s = this.resolve(schema);
    if (Array.isArray(s.enum) || 'const' in s) return true;
    const types = Array.isArray(s.type) ? s.type : [s.type];
    return types.some((t) => t === 'null' || t === 'string' || t === 'number' || t === 'integer' || t === 'boolean');
  }

  private string(s: Obj): string {
    switch (s.format) {
      case 'date-time':
        return `2024-0${intBetween(this.rng, 1, 9)}-1${intBetween(this.rng, 0, 9)}T12:00:00Z`;
      case 'date':
        return `2024-0${intBetween(this.rng, 1, 9)}-1${intBetween(this.rng, 0, 9)}`;
      case 'time':
        return `1${intBetween(this.rng, 0, 9)}:30:00`;
      case 'email':
        return `${pick(this.rng, NOUNS)}@example.com`;
      case 'uuid':
        return '00000000-0000-4000-8000-' + String(intBetween(this.rng, 0, 999_999_999)).padStart(12, '0');
      case 'uri':
        return `https://example.com/${pick(this.rng, NOUNS)}`;
      default:
        return pick(this.rng, NOUNS);
    }
  }

  /** Bounds of a number schema: [low, high], from minimum/maximum and the exclusive forms. */
  private bounds(s: Obj, integer: boolean, low: number, high: number): [number, number] {
    const step = integer ? 1 : 0.1;
    if (typeof s.minimum === 'number') low = s.minimum;
    if (typeof s.exclusiveMinimum === 'number') low = s.exclusiveMinimum + step;
    if (typeof s.maximum === 'number') high = s.maximum;
    if (typeof s.exclusiveMaximum === 'number') high = s.exclusiveMaximum - step;
    if (high < low) high = low + (typeof s.maximum === 'number' || typeof s.exclusiveMaximum === 'number' ? 0 : 100);
    return [low, high];
  }

  private integer(s: Obj): number {
    const [low, high] = this.bounds(s, true, 1, 100);
    return intBetween(this.rng, Math.ceil(low), Math.max(Math.ceil(low), Math.floor(high)));
  }

  private number(s: Obj): number {
    const [low, high] = this.bounds(s, false, 0.1, 100);
    const v = Math.round((low + this.rng() * (high - low)) * 10) / 10;
    return Math.min(Math.max(v, low), high);
  }

  private array(s: Obj, depth: number): unknown[] {
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    const max = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
    const count = depth >= MAX_DEPTH ? min : Math.min(Math.max(1, min), max);
    const out: unknown[] = [];
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
    for (let i = 0; i < count; i++) out.push(this.value(i < prefix.length ? prefix[i] : s.items, depth + 1));
    return out;
  }

  private object(s: Obj, depth: number): Obj {
    const out: Obj = {};
    const props = isObj(s.properties) ? s.properties : {};
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    // Every property, as strict structured outputs require them all; past the depth only the required ones.
    for (const [k, v] of Object.entries(props)) if (depth < MAX_DEPTH || required.has(k)) out[k] = this.value(v, depth + 1);
    return out;
  }
}
