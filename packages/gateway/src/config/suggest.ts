/**
 * "Did you mean": the key a misspelt config key most likely stands for (`redis.ulr` → `url`,
 * `modles` → `models`), found among the keys the schema declares at that place.
 * @module
 */
import type { z } from 'zod';

type Path = readonly PropertyKey[];

/** The zod definition fields the walk reads (zod 4's `_zod.def`). */
interface Def {
  type?: string;
  shape?: Record<string, unknown>;
  in?: unknown;
  out?: unknown;
  innerType?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: readonly unknown[];
  left?: unknown;
  right?: unknown;
  getter?: () => unknown;
}

const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/**
 * The keys `schema` declares for the mapping at `path` of a document (list indices and the names
 * of a record's entries pass through), in their order: the places a mapping's keys are checked.
 * Empty where the schema holds no mapping of declared keys.
 */
export function keysAt(schema: z.ZodType, path: Path): string[] {
  const keys = new Set<string>();
  const visit = (s: unknown, at: number, depth: number): void => {
    const def = defOf(s);
    if (!def || depth > 64) return;
    const next = path[at];
    switch (def.type) {
      case 'object':
        if (at === path.length) for (const k of Object.keys(def.shape ?? {})) keys.add(k);
        else if (typeof next === 'string' && def.shape && Object.hasOwn(def.shape, next)) visit(def.shape[next], at + 1, depth + 1);
        return;
      case 'pipe':
        visit(def.in, at, depth + 1);
        visit(def.out, at, depth + 1);
        return;
      case 'default':
      case 'prefault':
      case 'optional':
      case 'nullable':
      case 'nonoptional':
      case 'catch':
      case 'readonly':
        visit(def.innerType, at, depth + 1);
        return;
      case 'array':
        if (typeof next === 'number') visit(def.element, at + 1, depth + 1);
        return;
      case 'record':
        if (at < path.length) visit(def.valueType, at + 1, depth + 1);
        return;
      case 'union':
        for (const o of def.options ?? []) visit(o, at, depth + 1);
        return;
      case 'intersection':
        visit(def.left, at, depth + 1);
        visit(def.right, at, depth + 1);
        return;
      case 'lazy':
        visit(def.getter?.(), at, depth + 1);
        return;
    }
  };
  visit(schema, 0, 0);
  return [...keys];
}

/**
 * The edit distance of `a` and `b`: inserting, deleting or replacing a letter, or swapping two
 * neighbouring ones (`ulr` → `url`), costs 1 (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  // d[i][j]: the distance between the first i letters of a and the first j of b.
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known key `key` is most likely a slip for: the nearest of `known` (case ignored), when it is
 * within a third of the key's length (at least 1, at most 3 edits), the first of the nearest on a
 * tie. `aliases` maps other words for a key (`limits`) to it (`tiers`): a slip for an alias
 * suggests the key. Undefined when nothing is that near.
 */
export function closestKey(key: string, known: readonly string[], aliases: Readonly<Record<string, string>> = {}): string | undefined {
  const typed = key.toLowerCase();
  const bound = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: { key: string; distance: number } | undefined;
  const words: [string, string][] = [...known.map((k): [string, string] => [k, k]), ...Object.entries(aliases).filter(([, k]) => known.includes(k))];
  for (const [word, meant] of words) {
    const distance = editDistance(typed, word.toLowerCase());
    if (distance <= bound && (best === undefined || distance < best.distance)) best = { key: meant, distance };
  }
  return best?.key;
}
