/**
 * Money in integer pico-dollars (1 USD = 10^12 p$), as `bigint`. The config gives USD per million
 * tokens, which is converted once to whole micro-dollars per million tokens — and a micro-dollar
 * per million tokens is exactly one pico-dollar per token. So a request's cost
 *
 *   prompt × inPicoPerToken + completion × outPicoPerToken
 *
 * is an exact integer: no request is ever rounded, and any sum of costs (a month's spend, a
 * report) equals Σ usage × price to the unit. Figures are rounded only where they are shown
 * (`picoToUsd`, `formatUsd`).
 *
 * Why bigint: 2^53 p$ is only $9,007, below realistic hard limits, so doubles cannot hold spend
 * exactly. Stored values stay below 2^63 p$ (about $9.2 million, `MAX_PICO`) so they fit the
 * databases' 64-bit integers; the Redis scripts add and compare them exactly in two limbs.
 * @module
 */
import type { ModelConfig } from '../config/types.js';

export const PICO_PER_USD = 1_000_000_000_000n;
/** Pico-dollars per US cent (the unit of the Administration API's `threshold_amount`). */
export const PICO_PER_CENT = PICO_PER_USD / 100n;
/** Largest amount stored anywhere (a 64-bit signed integer column): about $9.22 million. */
export const MAX_PICO = 2n ** 63n - 1n;
const MICROS_PER_USD = 1_000_000;

/** A model, or just its `pricing` block. */
export type Priced = Pick<ModelConfig, 'pricing'> | ModelConfig['pricing'];

function rates(p: Priced): ModelConfig['pricing'] {
  return 'pricing' in p ? p.pricing : p;
}

/**
 * USD per million tokens as whole pico-dollars per token (= micro-dollars per million tokens).
 * The config price is a decimal such as 0.15, whose float is 0.1499999…; rounding to the nearest
 * unit recovers the decimal the operator wrote. The config refuses prices finer than that
 * (`isWholePicoPerToken`), so this rounding never changes a price.
 */
export function picoPerToken(usdPer1M: number): bigint {
  if (!Number.isFinite(usdPer1M) || usdPer1M < 0) throw new RangeError(`price must be a finite number >= 0, got ${usdPer1M}`);
  const m = Math.round(usdPer1M * MICROS_PER_USD);
  if (!Number.isSafeInteger(m)) throw new RangeError(`price too large: ${usdPer1M} USD per 1M tokens`);
  return BigInt(m);
}

/** Whether a USD-per-1M price is a whole number of micro-dollars per 1M tokens (exactly countable). */
export function isWholePicoPerToken(usdPer1M: number): boolean {
  if (!Number.isFinite(usdPer1M) || usdPer1M < 0) return false;
  const m = Math.round(usdPer1M * MICROS_PER_USD);
  return Number.isSafeInteger(m) && decimalToPico(String(usdPer1M)) === BigInt(m) * 1_000_000n;
}

/** The exact cost of a request in pico-dollars. Tokens must be whole and >= 0. */
export function pricePico(model: Priced, promptTokens: number, completionTokens: number): bigint {
  checkTokens('promptTokens', promptTokens);
  checkTokens('completionTokens', completionTokens);
  const r = picoRates(rates(model));
  return BigInt(promptTokens) * r.inPico + BigInt(completionTokens) * r.outPico;
}

interface PicoRates {
  input: number;
  output: number;
  inPico: bigint;
  outPico: bigint;
}

/** Each pricing block's rates as bigints, converted on first use rather than on every request. */
const converted = new WeakMap<ModelConfig['pricing'], PicoRates>();

function picoRates(p: ModelConfig['pricing']): PicoRates {
  let r = converted.get(p);
  // Compared with the numbers it was made from, so a pricing object changed in place is re-read.
  if (r === undefined || r.input !== p.input_per_1m || r.output !== p.output_per_1m) {
    r = { input: p.input_per_1m, output: p.output_per_1m, inPico: picoPerToken(p.input_per_1m), outPico: picoPerToken(p.output_per_1m) };
    converted.set(p, r);
  }
  return r;
}

/**
 * What a request can cost at most: its prompt plus every output token it may produce. Used for
 * the quota reservation; by construction >= `pricePico` of any outcome with no more tokens.
 */
export function worstCasePico(model: Priced, promptTokens: number, maxOutputTokens: number): bigint {
  return pricePico(model, promptTokens, maxOutputTokens);
}

/**
 * Pico-dollars as an exact decimal USD string: all 12 decimals by default, or trimmed of trailing
 * zeros down to `minDecimals` (e.g. 1 000 000n → "0.000001" with minDecimals 2).
 */
export function formatUsd(pico: bigint, minDecimals = 12): string {
  const neg = pico < 0n;
  const abs = neg ? -pico : pico;
  const whole = abs / PICO_PER_USD;
  let frac = (abs % PICO_PER_USD).toString().padStart(12, '0');
  while (frac.length > minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${neg ? '-' : ''}${whole}${frac.length > 0 ? `.${frac}` : ''}`;
}

/**
 * Pico-dollars as a USD number for JSON: the double nearest the exact decimal (so 1 000 000n is
 * 0.000001 and prints as written). The one place money is rounded, and only for display.
 */
export function picoToUsd(pico: bigint): number {
  return Number(formatUsd(pico));
}

/**
 * A USD amount from an API caller or the CLI as pico-dollars, read from the number's shortest
 * decimal form (what the caller wrote: 1234567.89 → exactly $1,234,567.89, not the double's
 * binary expansion), or from a decimal string such as a report's `exact_value`. Digits beyond the
 * 12th decimal round half up.
 */
export function usdToPico(usd: number | string): bigint {
  if (typeof usd === 'number' && (!Number.isFinite(usd) || usd < 0)) throw new RangeError(`amount must be a finite number >= 0, got ${usd}`);
  const p = decimalToPico(String(usd));
  if (p > MAX_PICO) throw new RangeError(`amount too large: ${usd}`);
  return p;
}

/** A money value read back from a database column (text, number or bigint) as pico-dollars. */
export function toPico(v: string | number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    // Only exact integers: a larger number read from SQLite without a text cast has lost digits.
    if (!Number.isSafeInteger(v)) throw new RangeError(`money value ${v} is not an exact integer`);
    return BigInt(v);
  }
  if (!/^-?\d+$/.test(v)) throw new RangeError(`money value ${JSON.stringify(v)} is not an integer`);
  return BigInt(v);
}

export function toPicoOrNull(v: string | number | bigint | null | undefined): bigint | null {
  return v === null || v === undefined ? null : toPico(v);
}

/** A non-negative decimal (as JavaScript prints numbers: `12.5`, `1e-7`, `1.5e+21`) in pico-dollars. */
function decimalToPico(text: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!m) throw new RangeError(`not a decimal amount: ${text}`);
  const digits = `${m[1]}${m[2] ?? ''}`;
  // The decimal point sits after m[1]; the exponent moves it, then 12 places make pico-dollars.
  const shift = 12 + Number(m[3] ?? 0) - (m[2]?.length ?? 0);
  if (shift >= 0) return BigInt(digits) * 10n ** BigInt(shift);
  const div = 10n ** BigInt(-shift);
  const n = BigInt(digits);
  return n / div + ((n % div) * 2n >= div ? 1n : 0n);
}

function checkTokens(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${n}`);
}
