/**
 * Content negotiation for the pages the gateway renders for people (the status page): whether a
 * request asks for HTML over JSON. A browser navigating sends `text/html,…,*\/*;q=0.8`; an SDK or
 * `curl` sends `application/json` or `*\/*` and keeps getting the JSON error body.
 * @module
 */

/** The q of each media range in an Accept header (`type/subtype` lower-cased; 1 when unstated). */
function qualities(accept: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!range) continue;
    const q = params.find((p) => p.startsWith('q='));
    const v = q === undefined ? 1 : Number(q.slice(2));
    out.set(range, Math.max(out.get(range) ?? 0, Number.isFinite(v) ? v : 0));
  }
  return out;
}

/** True when `accept` names text/html (q > 0) at least as high as application/json. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const q = qualities(accept);
  const html = q.get('text/html') ?? 0;
  return html > 0 && html >= (q.get('application/json') ?? 0);
}
