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

/** The four options, each taking `value` (shown in the help); `note` follows the first one's help. */
export const limitFlags = (note: string, value = 'N'): Record<string, FlagSpec> =>
  Object.fromEntries(LIMITS.map(([flag, , , what], i) => [flag, valueFlag(value, `max ${what}${i === 0 ? ` (${note})` : ''}`)]));

/**
 * The limits given as options, by API field. `null`: what a null means to the API, and so what
 * may ask for one: `unlimited` (the operator's organization limits: `unlimited` or `none` is no
 * limit) or `inherit` (a project's limits: only `none`, which removes the project's own value so
 * the organization's applies; a project is never unlimited). UsageError `nothing` when none is given.
 */
export function limitBody(a: Args, nothing: string, nulls: 'unlimited' | 'inherit' = 'unlimited'): Record<string, number | null> {
  const body: Record<string, number | null> = {};
  for (const [flag, , field] of LIMITS) {
    const given = a.str(flag);
    if (nulls === 'inherit' && given !== undefined && given !== 'none' && !/^\d+$/.test(given)) {
      throw new UsageError(`--${flag}: expected a whole number or "none" (back to the organization's limit), got ${JSON.stringify(given)}`);
    }
    const v = a.limit(flag);
    if (v !== undefined) body[field] = v;
  }
  if (Object.keys(body).length === 0) throw new UsageError(nothing);
  return body;
}
