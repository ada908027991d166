/**
 * Runs the config schema over a document and turns its issues into lines a user can act on:
 * `<field path>: <what is wrong>` ("models[1].pricing.input_per_1m: expected a number >= 0,
 * got "cheap""), one `unknown key` line per misspelt key (with the key it most likely meant),
 * every problem of the file at once.
 * @module
 */
import type { z } from 'zod';
import { redactText } from './redact-url.js';
import { closestKey, keysAt } from './suggest.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Path = readonly PropertyKey[];

/**
 * `models[1].pricing.input_per_1m`; `(top level)` for the document itself. A key is written as
 * any text a message quotes (redactText): a misplaced value can turn up as a key (`redis: {
 * redis://:pw@host }` makes the URL a key of `redis`).
 */
export function pathName(path: Path): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${redactText(String(k))}` : redactText(String(k));
  return out || '(top level)';
}

const within = (path: Path, prefix: Path): boolean => prefix.length <= path.length && prefix.every((k, i) => k === path[i]);

/**
 * The document being repaired: values are removed from it (their default applies), list items
 * spliced out, while paths keep naming places in the document as the user wrote it.
 */
class Repair {
  /** For a list (by its original path): the original index of each item left. */
  private readonly kept = new Map<string, number[]>();
  private readonly removed: Path[] = [];

  constructor(public doc: unknown) {}

  /** A path of the repaired document as a path of the original one. */
  original(path: Path): Path {
    const out: PropertyKey[] = [];
    for (const k of path) out.push(typeof k === 'number' ? (this.kept.get(JSON.stringify(out))?.[k] ?? k) : k);
    return out;
  }

  /** Whether `path` (of the repaired document) is at or below a value already removed. */
  isRemoved(path: Path): boolean {
    const p = this.original(path);
    return this.removed.some((r) => within(p, r));
  }

  /** Whether a value was removed from below `path`: a check over it would judge the defaults, not what was written. */
  holdsRemoved(path: Path): boolean {
    const p = this.original(path);
    return this.removed.some((r) => r.length > p.length && within(r, p));
  }

  remove(path: Path): void {
    this.removed.push(this.original(path));
    if (path.length === 0) {
      this.doc = {};
      return;
    }
    let parent = this.doc as Record<PropertyKey, unknown>;
    for (const k of path.slice(0, -1)) {
      const next = parent[k];
      if (typeof next !== 'object' || next === null) return;
      parent = next as Record<PropertyKey, unknown>;
    }
    const last = path.at(-1)!;
    if (!Array.isArray(parent)) {
      delete parent[last];
      return;
    }
    const list = JSON.stringify(this.original(path.slice(0, -1)));
    const kept = this.kept.get(list) ?? parent.map((_, i) => i);
    kept.splice(last as number, 1);
    this.kept.set(list, kept);
    parent.splice(last as number, 1);
  }
}

/** Deepest first, and later list items before earlier ones, so that each path still points where it did. */
function removalOrder(a: Path, b: Path): number {
  if (a.length !== b.length) return b.length - a.length;
  for (let i = 0; i < a.length; i++) if (typeof a[i] === 'number' && typeof b[i] === 'number' && a[i] !== b[i]) return (b[i] as number) - (a[i] as number);
  return 0;
}

/**
 * Parses `doc`; on failure, throws ConfigError with every problem. zod skips the checks across
 * fields (duplicate model names, unknown fallbacks, ...) of a mapping with a wrong value in it,
 * so to list every problem at once each wrong value is removed (its default applies) and the
 * document is parsed again, a few rounds at most. What is said about a removed value after it
 * went (a required key: `required`) is not repeated, the list item holding it goes instead; nor
 * is a check over a mapping or list that a value was removed from.
 * `name` writes a path (the environment variable a value came from, if it did). An unknown key
 * is told the declared key it is nearest to, if one is near (`redis.ulr: unknown key; did you mean
 * redis.url?`; suggest.ts), at the top level also through `aliases` (other words for a key).
 */
export function validate<S extends z.ZodType>(schema: S, doc: unknown, name: (path: Path) => string = pathName, aliases: Readonly<Record<string, string>> = {}): z.output<S> {
  const problems = new Set<string>();
  const repair = new Repair(structuredClone(doc));
  for (let round = 0; round < 8; round++) {
    const r = schema.safeParse(repair.doc);
    if (r.success) {
      if (problems.size === 0) return r.data;
      break;
    }
    const fixes: Path[] = [];
    for (const iss of r.error.issues) {
      if (repair.isRemoved(iss.path)) {
        const item = iss.path.findLastIndex((k) => typeof k === 'number');
        if (item >= 0) fixes.push(iss.path.slice(0, item + 1));
      } else if (iss.code === 'custom' && repair.holdsRemoved(iss.path)) {
        fixes.push(iss.path);
      } else if (iss.code === 'unrecognized_keys') {
        const known = keysAt(schema, iss.path);
        for (const k of iss.keys) {
          // The suggestion is a key of the schema, never anything of the file (a key may be a misplaced secret).
          const meant = closestKey(k, known, iss.path.length === 0 ? aliases : {});
          problems.add(`${name(repair.original([...iss.path, k]))}: unknown key${meant === undefined ? '' : `; did you mean ${pathName(repair.original([...iss.path, meant]))}?`}`);
          fixes.push([...iss.path, k]);
        }
      } else {
        problems.add(`${name(repair.original(iss.path))}: ${iss.message}`);
        fixes.push(iss.path);
      }
    }
    if (fixes.length === 0) break;
    fixes.sort(removalOrder);
    for (const p of fixes) repair.remove(p);
  }
  throw new ConfigError([...problems]);
}
