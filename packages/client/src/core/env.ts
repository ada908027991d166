/**
 * Environment defaults, read only where a `process` global exists (Node, Bun, Deno's Node
 * compatibility); in a browser nothing is read and the options must be given.
 * @module
 */

/** The process environment, or an empty one where there is no `process`. */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

export function readEnv(name: string): string | undefined {
  const v = processEnv()[name];
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
