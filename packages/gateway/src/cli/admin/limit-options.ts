/**
 * The four rate limits as the limit verbs take and show them: `--rpm/--tpm/--rpd/--tpd`, the
 * columns RPM..TPD, and OpenAI's field names (`max_requests_per_1_minute`, ...). Used by the
 * organization limits (`limits set`) and the project limits (`projects rate-limits update`).
 * @module
 */
import { UsageError, valueFlag, type FlagSpec } from '../args.js';
import type { Args } from '../command.js';

/** Option, column, API field, what it limits. */
export const LIMITS = [
  ['rpm', 'RPM', 'max_requests_per_1_minute', 'requests per minute'],
  ['tpm', 'TPM', 'max_tokens_per_1_minute', 'tokens per minute'],
  ['rpd', 'RPD', 'max_requests_per_1_day', 'requests per day'],
  ['tpd', 'TPD', 'max_tokens_per_1_day', 'tokens per day'],
] as const;

/** The four options; `note` follows the first one's help. */
export const limitFlags = (note: string): Record<string, FlagSpec> =>
  Object.fromEntries(LIMITS.map(([flag, , , what], i) => [flag, valueFlag('N', `max ${what}${i === 0 ? ` (${note})` : ''}`)]));

/**
 * The limits given as options, by API field (`unlimited` is null, allowed only when `unlimited`
 * is true). UsageError `nothing` when none is given.
 */
export function limitBody(a: Args, nothing: string, unlimited = true): Record<string, number | null> {
  const body: Record<string, number | null> = {};
  for (const [flag, , field] of LIMITS) {
    const v = a.limit(flag);
    if (v === null && !unlimited) throw new UsageError(`--${flag}: expected a whole number, got "unlimited"`);
    if (v !== undefined) body[field] = v;
  }
  if (Object.keys(body).length === 0) throw new UsageError(nothing);
  return body;
}
