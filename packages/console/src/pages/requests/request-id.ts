/**
 * The request id in what a person pastes into the Requests page: the id itself, the id in
 * quotes or with spaces around it, or a header line as `curl -i` prints it
 * (`x-request-id: req_…`), a JSON field (`"x-request-id": "req_…",`) or a line of a log that
 * holds one `req_…` id. Undefined when nothing in it reads as one id.
 */

/** Quotes, brackets and separators around a copied value, never part of an id. */
const WRAPPING = /^[\s"'`“”‘’«»<>()[\]{},;]+|[\s"'`“”‘’«»<>()[\]{},;.]+$/g;

/**
 * What an id may be made of: the gateway's are `req_` and 32 hex digits. Letters, digits, `_` and
 * `-` only, so the id is one path segment as it is (never `.` or `..`, which a URL resolves).
 */
const ID = /^[A-Za-z0-9_-]{1,200}$/;

/** The gateway's ids, inside a longer text. */
const REQ_ID = /\breq_[A-Za-z0-9]+\b/g;

export function extractRequestId(pasted: string): string | undefined {
  const candidates: string[] = [];
  // A header (`x-request-id: …`), wherever it is in the text: the first word of its value.
  const header = /x-request-id["'`]?\s*[:=]\s*(\S+)/i.exec(pasted);
  if (header) candidates.push(header[1]!.replace(WRAPPING, ''));
  candidates.push(pasted.replace(WRAPPING, ''));
  // Something longer: the one gateway id in it, if there is exactly one.
  const ids = new Set(pasted.match(REQ_ID) ?? []);
  if (ids.size === 1) candidates.push(...ids);
  return candidates.find((c) => ID.test(c));
}
