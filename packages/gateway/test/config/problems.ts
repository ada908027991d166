import { ConfigError, parseConfig } from 'tollgate';

/** The problems parseConfig reports for `doc` (none: the document is valid). */
export function problems(doc: unknown, env = {}): string[] {
  try {
    parseConfig(doc, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
