/**
 * Environment defaults, read only where a `process` global exists (Node, Bun, Deno's Node
 * compatibility); in a browser nothing is read and the options must be given.
 * @module
 */

export function readEnv(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = p?.env?.[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The first of several variables that is set. */
export function firstEnv(...names: string[]): string | undefined {
  for (const n of names) {
    const v = readEnv(n);
    if (v !== undefined) return v;
  }
  return undefined;
}
