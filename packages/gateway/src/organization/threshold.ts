/**
 * The money amount of spend limits and spend alerts: `threshold_amount` in whole US cents, with
 * `currency: "USD"` and `interval: "month"` (the only values OpenAI's endpoints take).
 * @module
 */
import { ApiError } from '../errors/api-error.js';
import { MAX_USD, type Fields } from '../admin/input.js';
import { PICO_PER_CENT } from '../billing/pricing.js';

/** The largest amount Tollgate stores (MAX_USD): it fits a 64-bit pico-dollar column. */
const MAX_CENTS = MAX_USD * 100;

export const THRESHOLD_FIELDS = ['threshold_amount', 'currency', 'interval'] as const;

/**
 * Reads `threshold_amount` (required; 1 to 900,000,000 cents, or to `maxCents` when lower),
 * `currency` and `interval`; 400 naming the field.
 */
export function thresholdOf(f: Fields, opts: { maxCents?: number } = {}): { pico: bigint; cents: number } {
  const cents = f.integer('threshold_amount', { min: 1, max: Math.min(MAX_CENTS, opts.maxCents ?? MAX_CENTS) });
  if (cents === undefined || cents === null) throw new ApiError('missing_required_parameter', { param: 'threshold_amount' }, { param: 'threshold_amount' });
  f.oneOf('currency', ['USD'], { required: true });
  f.oneOf('interval', ['month'], { required: true });
  return { pico: BigInt(cents) * PICO_PER_CENT, cents };
}

/** `{threshold_amount, currency, interval}` of a stored amount; whole cents (an amount set in dollars through /admin/v1 rounds down). */
export function thresholdObject(pico: bigint) {
  return { threshold_amount: centsAtMost(pico), currency: 'USD' as const, interval: 'month' as const };
}

/** The most whole cents at or below an amount: the largest `threshold_amount` it admits. */
export function centsAtMost(pico: bigint): number {
  return Number(pico / PICO_PER_CENT);
}

/** The 400 of a `threshold_amount` above `max` cents (what `thresholdOf` answers for it). */
export function thresholdAboveMax(max: number, cents: number): ApiError {
  return new ApiError('integer_above_max_value', { param: 'threshold_amount', max, value: cents }, { param: 'threshold_amount' });
}
