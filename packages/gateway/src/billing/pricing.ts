/**
 * Prices in integer micro-dollars (1 USD = 1 000 000 µ$). Money is never a float here: the config
 * gives USD per million tokens, which is converted once to whole micro-dollars per million tokens,
 * and a request's cost is
 *
 *   ceil((prompt × inMicrosPer1M + completion × outMicrosPer1M) / 1 000 000)
 *
 * Rounding is always up, to the next whole micro-dollar, and only once per request (not per
 * token kind): a reservation made with `worstCaseMicros` is therefore never below the settled
 * `priceMicros` of a request that used at most the reserved tokens, and a request that used any
 * paid token costs at least 1 µ$.
 * @module
 */
import type { ModelConfig } from '../config/types.js';

export const MICROS_PER_USD = 1_000_000;
const TOKENS_PER_PRICE_UNIT = 1_000_000;

/** A model, or just its `pricing` block. */
export type Priced = Pick<ModelConfig, 'pricing'> | ModelConfig['pricing'];

function rates(p: Priced): ModelConfig['pricing'] {
  return 'pricing' in p ? p.pricing : p;
}

/**
 * USD per million tokens as whole micro-dollars per million tokens. The config price is a
 * decimal such as 0.15, whose float is 0.1499999…; rounding to the nearest micro-dollar recovers
 * the decimal the operator wrote (prices finer than 1 µ$ per million tokens are not expressible).
 */
export function microsPer1M(usdPer1M: number): number {
  if (!Number.isFinite(usdPer1M) || usdPer1M < 0) throw new RangeError(`price must be a finite number >= 0, got ${usdPer1M}`);
  const m = Math.round(usdPer1M * MICROS_PER_USD);
  if (!Number.isSafeInteger(m)) throw new RangeError(`price too large: ${usdPer1M} USD per 1M tokens`);
  return m;
}

/** The cost of a request in micro-dollars, rounded up. Tokens must be whole and >= 0. */
export function priceMicros(model: Priced, promptTokens: number, completionTokens: number): number {
  checkTokens('promptTokens', promptTokens);
  checkTokens('completionTokens', completionTokens);
  const { input_per_1m, output_per_1m } = rates(model);
  const inRate = microsPer1M(input_per_1m);
  const outRate = microsPer1M(output_per_1m);
  const a = promptTokens * inRate;
  const b = completionTokens * outRate;
  // Products and sums up to 2^53 are exact in a double; beyond that (only absurd prices or token
  // counts reach it) the same formula runs on BigInt.
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(a + b)) return ceilDivMillion(a + b);
  const n = BigInt(promptTokens) * BigInt(inRate) + BigInt(completionTokens) * BigInt(outRate);
  const q = (n + BigInt(TOKENS_PER_PRICE_UNIT - 1)) / BigInt(TOKENS_PER_PRICE_UNIT);
  if (q > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('cost exceeds the largest exact integer');
  return Number(q);
}

/**
 * What a request can cost at most: its prompt plus every output token it may produce. Used for
 * the quota reservation; by construction >= `priceMicros` of any outcome with no more tokens.
 */
export function worstCaseMicros(model: Priced, promptTokens: number, maxOutputTokens: number): number {
  return priceMicros(model, promptTokens, maxOutputTokens);
}

/** Micro-dollars as a USD number for display and JSON (e.g. 1 234 567 → 1.234567). */
export function microsToUsd(micros: number): number {
  // Division of an integer by 1e6 gives the double nearest the decimal, which prints as written.
  return micros / MICROS_PER_USD;
}

/** A USD amount from an API caller as whole micro-dollars (nearest; $0.0000004 → 0). */
export function usdToMicros(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`amount must be a finite number >= 0, got ${usd}`);
  const m = Math.round(usd * MICROS_PER_USD);
  if (!Number.isSafeInteger(m)) throw new RangeError(`amount too large: ${usd}`);
  return m;
}

/** ceil(n / 1e6) for a safe integer n >= 0, exactly: the remainder of a double by 1e6 is exact. */
function ceilDivMillion(n: number): number {
  const r = n % TOKENS_PER_PRICE_UNIT;
  return (n - r) / TOKENS_PER_PRICE_UNIT + (r > 0 ? 1 : 0);
}

function checkTokens(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${n}`);
}
