/**
 * Redaction for anything that leaves the process in a support report: keys and secrets are cut
 * down to a recognisable stub (`sk-...abcd`), very long strings are shortened.
 * @module
 */
import { redactKey } from '@tollgate/protocol';

const SECRET_HEADER = /(^|-)(authorization|cookie|set-cookie|api-key|apikey|secret|password|token|session)($|-)/i;
const SECRET_FIELD = /^(api[_-]?key|apikey|authorization|password|passwd|pass|secret|client[_-]?secret|access[_-]?token|refresh[_-]?token|id[_-]?token|token|private[_-]?key|session[_-]?token)$|secret|password/i;
/** Things that look like keys wherever they appear: `sk-...`, `Bearer ...`. */
const KEY_IN_TEXT = /\b(sk-[A-Za-z0-9_-]{8,})|\b(Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g;

/** The longest string a report keeps whole. */
export const MAX_REPORTED_STRING = 10_000;

/** A secret reduced to a stub that identifies it without revealing it. */
export function redactSecret(value: string): string {
  const v = value.trim();
  if (v === '[redacted]' || /^(sk-)?\.\.\.[^\s.]{1,4}$/.test(v)) return v; // already redacted
  return v.length >= 16 ? redactKey(v) : '[redacted]';
}

/** Redacts keys inside free text (messages, header values). */
export function redactText(text: string): string {
  return text.replace(KEY_IN_TEXT, (_whole, sk: string | undefined, scheme: string | undefined, cred: string | undefined) =>
    sk !== undefined ? redactSecret(sk) : `${scheme} ${redactSecret(cred ?? '')}`,
  );
}

export function redactHeaders(headers: Headers | Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  const entries: [string, string][] = [];
  if (headers instanceof Headers) headers.forEach((v, k) => entries.push([k, v]));
  else entries.push(...Object.entries(headers));
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    if (name.startsWith('x-ratelimit-')) out[name] = value;
    else if (SECRET_HEADER.test(name)) {
      const m = /^(Bearer|Basic)\s+(.*)$/i.exec(value);
      out[name] = m ? `${m[1]} ${redactSecret(m[2] ?? '')}` : redactSecret(value);
    } else out[name] = redactText(value);
  }
  return out;
}

/** A deep copy of request data with secret fields and key-like strings redacted and long strings shortened. */
export function redactData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    const r = redactText(value);
    return r.length > MAX_REPORTED_STRING ? `${r.slice(0, MAX_REPORTED_STRING)}…[${r.length - MAX_REPORTED_STRING} more characters]` : r;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 20) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactData(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELD.test(k) && v !== null && v !== undefined && typeof v !== 'object' ? '[redacted]' : redactData(v, depth + 1);
  }
  return out;
}
