/**
 * What a project's rate-limit row sends when it is saved (no imports of the console's own, so the
 * unit tests load it as it is).
 */

/** OpenAI's four per-model limits a project may set. */
export const LIMIT_FIELD_NAMES = ['max_requests_per_1_minute', 'max_tokens_per_1_minute', 'max_requests_per_1_day', 'max_tokens_per_1_day'] as const;
export type LimitField = (typeof LIMIT_FIELD_NAMES)[number];

/**
 * A project's limits for a model (`project.rate_limit`): each value is the one in effect, the
 * project's own for the fields in `overridden_fields`, the organization's (`organization_limits`)
 * for the others.
 */
export type OwnLimits = Record<LimitField, number | null> & { overridden_fields: LimitField[]; organization_limits: Record<LimitField, number | null> };

/**
 * What a project's row form asks the gateway to change, from what is typed in each field: a value
 * that is new (or set where the organization's applied), or null for a field of the project's own
 * that was cleared (the organization's applies again). Empty where nothing changed.
 */
export function limitChanges(row: OwnLimits, typed: (field: LimitField) => string): Partial<Record<LimitField, number | null>> {
  const body: Partial<Record<LimitField, number | null>> = {};
  for (const field of LIMIT_FIELD_NAMES) {
    const v = typed(field).trim();
    const own = row.overridden_fields.includes(field);
    if (v === '') {
      if (own) body[field] = null;
    } else if (!own || Number(v) !== row[field]) {
      body[field] = Number(v);
    }
  }
  return body;
}

