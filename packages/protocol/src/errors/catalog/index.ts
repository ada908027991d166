import type { CatalogEntry } from '../entry.js';
import { adminEntries } from './admin.js';
import { authEntries } from './auth.js';
import { limitEntries } from './limits.js';
import { requestEntries } from './request.js';
import { serverEntries } from './server.js';

/** Every error either side can produce, in docs order. Ids are permanent: never reuse one. */
export const CATALOG: readonly CatalogEntry[] = [
  ...authEntries,
  ...requestEntries,
  ...limitEntries,
  ...serverEntries,
  ...adminEntries,
];

const byId = new Map<string, CatalogEntry>(CATALOG.map((e) => [e.id, e]));
if (byId.size !== CATALOG.length) throw new Error('error catalog: duplicate id');

/** The entry with this id, or undefined. */
export function findEntry(id: string): CatalogEntry | undefined {
  return byId.get(id);
}

/** The entry with this id; throws on a typo so that a wrong id fails at the first call. */
export function entry(id: string): CatalogEntry {
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
