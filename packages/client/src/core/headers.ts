/** Conversions between the header shapes callers use and the `Headers` the SDK keeps. */

export type HeadersLike = Headers | Record<string, string | readonly string[] | number | undefined | null> | [string, string][];

export function toHeaders(h: HeadersLike | undefined): Headers {
  if (h instanceof Headers) return h;
  const out = new Headers();
  if (!h) return out;
  if (Array.isArray(h)) {
    for (const [k, v] of h) out.append(k, v);
    return out;
  }
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) out.append(k, String(x));
    else out.set(k, String(v));
  }
  return out;
}
