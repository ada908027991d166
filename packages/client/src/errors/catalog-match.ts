/**
 * Recognising a catalog entry from what is on the wire. Status + type + code pick the candidates
 * (status is ignored for a mid-stream error frame, which has none); when several entries share
 * them (`invalid_json` and `unrecognized_argument` are both 400 / invalid_request_error / null),
 * the message decides: first against the whole template, then against its fixed opening. When
 * the message fits none of several candidates, no entry is chosen, so the hint is a general one
 * rather than a wrong one.
 *
 * Stricter than the protocol's `matchEntry`, which compares only the opening and so cannot tell
 * `context_length_exceeded` from `context_length_exceeded_with_completion`.
 * @module
 */
import { CATALOG, type CatalogEntry } from '@tollgate/protocol';

const fullPattern = new Map<string, RegExp>();

function templateRegExp(e: CatalogEntry): RegExp {
  let re = fullPattern.get(e.id);
  if (!re) {
    const parts = e.message.split(/\{[a-z_]+\}/);
    re = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*?')}$`);
    fullPattern.set(e.id, re);
  }
  return re;
}

function templateHead(e: CatalogEntry): string {
  return e.message.split('{')[0] ?? '';
}

export function findCatalogEntry(status: number | undefined, type: unknown, code: unknown, message: unknown): CatalogEntry | undefined {
  const wantCode = code ?? null;
  const candidates = CATALOG.filter((e) => (status === undefined || e.status === status) && e.type === type && e.code === wantCode);
  if (candidates.length <= 1) return candidates[0];
  if (typeof message !== 'string') return undefined;
  return (
    candidates.find((e) => templateRegExp(e).test(message)) ??
    candidates.find((e) => {
      const head = templateHead(e);
      return head.length > 0 && message.startsWith(head);
    })
  );
}
