import type { CatalogEntry, EntrySpec } from '../entry.js';
import { adminEntries } from './admin.js';
import { authEntries } from './auth.js';
import { consoleEntries } from './console.js';
import { limitEntries } from './limits.js';
import { requestEntries } from './request.js';
import { serverEntries } from './server.js';

/** The catalog's parts in docs order. Ids are their keys: permanent, never reused. */
const PARTS = [authEntries, requestEntries, limitEntries, serverEntries, adminEntries, consoleEntries] as const;

/**
 * The id of a catalog entry. Everything that raises an error names it with this type, so a
 * misspelt id fails to compile instead of failing at run time.
 */
export type ErrorId =
  | keyof typeof authEntries
  | keyof typeof requestEntries
  | keyof typeof limitEntries
  | keyof typeof serverEntries
  | keyof typeof adminEntries
  | keyof typeof consoleEntries;

/** Every error either side can produce, in docs order. */
export const CATALOG: readonly CatalogEntry[] = PARTS.flatMap((part) =>
  Object.entries(part).map(([id, spec]: [string, EntrySpec]) => ({ id: id as ErrorId, ...spec })),
);

const byId = new Map<string, CatalogEntry>(CATALOG.map((e) => [e.id, e]));
// An object literal cannot repeat a key, but two parts can share one.
if (byId.size !== CATALOG.length) throw new Error('error catalog: duplicate id');

/** Whether a string (a header value, a config entry) is a catalog id. */
export function isErrorId(id: string): id is ErrorId {
  return byId.has(id);
}

/** The entry with this id, or undefined: for ids that come from outside (headers, config). */
export function findEntry(id: string): CatalogEntry | undefined {
  return byId.get(id);
}

/** The entry with this id; the type rejects unknown ids, the throw covers an unchecked cast. */
export function entry(id: ErrorId): CatalogEntry {
  const e = byId.get(id);
  if (!e) throw new Error(`error catalog: no entry '${id}'`);
  return e;
}

/**
 * The entry a response came from, found from what is on the wire (status, type, code), for
 * clients that classify errors. Entries sharing all three (e.g. the two overload messages) are
 * told apart by the message where they can be.
 */
export function matchEntry(status: number | undefined, type: unknown, code: unknown, message?: unknown): CatalogEntry | undefined {
  let fallback: CatalogEntry | undefined;
  for (const e of CATALOG) {
    if (e.status !== status || e.type !== type || e.code !== (code ?? null)) continue;
    if (typeof message === 'string' && templateMatches(e.message, message)) return e;
    fallback ??= e;
  }
  return fallback;
}

function templateMatches(template: string, message: string): boolean {
  const head = template.split('{')[0] ?? '';
  return head.length > 0 && message.startsWith(head);
}
