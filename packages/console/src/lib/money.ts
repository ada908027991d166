/**
 * Money as the gateway counts it and as people read it. The gateway counts pico-dollars (10^-12
 * USD), exact integers; its APIs give a JSON number (`value`) and, where they can, the exact
 * decimal (`exact_value`, e.g. "0.000003300000"). A request often costs less than a cent, so a
 * fixed two decimals would show $0.00: amounts below a cent are shown to three significant digits
 * ($0.0000033), and the exact decimal is kept for the title and for CSV files.
 */

const PICO_PER_USD = 10n ** 12n;

/**
 * A number as the decimal it was written as (its shortest round-trip form, without an exponent):
 * 3.3e-6 → "0.0000033". The gateway's JSON numbers are the doubles nearest its exact decimals, so
 * this gives the exact amount back whenever it has at most 15 significant digits.
 */
function numberToDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2]! + (m[3] ?? '');
  const point = m[2]!.length + Number(m[4]);
  if (point <= 0) return `${m[1]}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return m[1] + digits + '0'.repeat(point - digits.length);
  return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A decimal USD string (an API's `exact_value`) or a JSON number as pico-dollars (digits past the 12th decimal dropped). */
export function toPico(usd: string | number): bigint {
  const text = typeof usd === 'number' ? numberToDecimal(usd) : usd.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal amount: ${text}`);
  const frac = (m[3] ?? '').padEnd(12, '0').slice(0, 12);
  const pico = BigInt(m[2] || '0') * PICO_PER_USD + BigInt(frac || '0');
  return m[1] ? -pico : pico;
}

/** Pico-dollars as a plain decimal USD string without trailing zeros: 3300000n → "0.0000033". */
export function picoToDecimal(pico: bigint): string {
  const neg = pico < 0n;
  const abs = neg ? -pico : pico;
  const frac = (abs % PICO_PER_USD).toString().padStart(12, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${abs / PICO_PER_USD}${frac ? `.${frac}` : ''}`;
}

/** The decimal a displayed amount stands for: the API's exact value when it gave one. */
export const exactDecimal = (usd: number, exact?: string | null): string => picoToDecimal(toPico(exact ?? usd));

/**
 * An amount in the viewer's language: cents from a cent up ($1,234.50), three significant digits
 * below a cent ($0.000123), and exactly $0.00 only for nothing at all.
 */
export function formatUsd(usd: number, lang: string): string {
  const tiny = usd !== 0 && Math.abs(usd) < 0.01;
  return new Intl.NumberFormat(lang, { style: 'currency', currency: 'USD', ...(tiny ? { maximumSignificantDigits: 3 } : {}) }).format(usd);
}
