/**
 * How a rate limit is decided, as pure functions: the tier's value, overridden field by field
 * by the organization's `*` row, then by its row for the model. Keys have their own rows
 * (`*`, then the model) with no tier below them.
 * @module
 */
import type { Config } from '../config/types.js';
import { LIMIT_FIELDS, type LimitOverride } from '../store/index.js';

/** All four limits; null = unlimited. Assignable to the config's LimitSet. */
export type ResolvedLimits = {
  max_requests_per_1_minute: number | null;
  max_tokens_per_1_minute: number | null;
  max_requests_per_1_day: number | null;
  max_tokens_per_1_day: number | null;
};

/** `o[key]` when `key` is `o`'s own, else undefined. */
const own = <T>(o: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(o, key) ? o[key] : undefined);

const UNLIMITED: ResolvedLimits = { max_requests_per_1_minute: null, max_tokens_per_1_minute: null, max_requests_per_1_day: null, max_tokens_per_1_day: null };

/**
 * The tier's limits for a model: `tiers[tier][model]`, else `tiers[tier]['*']`. A tier that the
 * configuration no longer has falls back to `default_tier` (an organization is never unlimited
 * by accident); a field the tier leaves out is unlimited. Names are looked up among the
 * configuration's own keys: a tier or model named like a member of every object ('constructor',
 * 'toString') is not one of them.
 */
export function tierLimits(config: Pick<Config, 'tiers' | 'default_tier'>, tier: string, model: string): ResolvedLimits {
  const t = own(config.tiers, tier) ?? own(config.tiers, config.default_tier) ?? {};
  const set = own(t, model) ?? own(t, '*') ?? {};
  const out = { ...UNLIMITED };
  for (const f of LIMIT_FIELDS) out[f] = set[f] ?? null;
  return out;
}

/** `base` with every field `o` sets replaced (null in `o` = unlimited). */
export function layer(base: ResolvedLimits, o: LimitOverride | undefined): ResolvedLimits {
  if (!o) return base;
  const out = { ...base };
  for (const f of LIMIT_FIELDS) {
    const v = o[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** An organization's effective limits for a model. */
export function orgLimits(config: Pick<Config, 'tiers' | 'default_tier'>, tier: string, model: string, overrides: ReadonlyMap<string, LimitOverride>): ResolvedLimits {
  return layer(layer(tierLimits(config, tier, model), overrides.get('*')), model === '*' ? undefined : overrides.get(model));
}

/** A key's own limits for a model, or undefined when the key has none. */
export function keyLimits(model: string, rows: ReadonlyMap<string, LimitOverride>): ResolvedLimits | undefined {
  const star = rows.get('*');
  const own = model === '*' ? undefined : rows.get(model);
  if (!star && !own) return undefined;
  return layer(layer(UNLIMITED, star), own);
}
