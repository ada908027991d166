import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { microsPer1M, microsToUsd, priceMicros, usdToMicros, worstCaseMicros } from '../../src/billing/pricing.js';
import { DEFAULT_MODELS } from '../../src/config/defaults.js';

const model = (input: number, output: number) => ({ pricing: { input_per_1m: input, output_per_1m: output } });

/** The reference: the same formula in BigInt, with the price given as whole micro-dollars per 1M. */
function reference(inMicros: bigint, outMicros: bigint, p: bigint, c: bigint): bigint {
  const n = p * inMicros + c * outMicros;
  return (n + 999_999n) / 1_000_000n;
}

describe('microsPer1M', () => {
  it('recovers the decimal the operator wrote, not the float below it', () => {
    expect(0.0157 * 1_000_000).not.toBe(15_700); // why rounding is needed at all
    expect(microsPer1M(0.0157)).toBe(15_700);
    expect(priceMicros(model(0.0157, 0), 1_000_000, 0)).toBe(15_700);
    expect(microsPer1M(0.15)).toBe(150_000);
    expect(microsPer1M(0.6)).toBe(600_000);
    expect(microsPer1M(2.5)).toBe(2_500_000);
    expect(microsPer1M(0.02)).toBe(20_000);
    expect(microsPer1M(0)).toBe(0);
    expect(microsPer1M(0.0000004)).toBe(0);
  });

  it('refuses negative and non-finite prices', () => {
    for (const bad of [-1, NaN, Infinity]) expect(() => microsPer1M(bad)).toThrow(RangeError);
  });
});

describe('priceMicros', () => {
  it('charges exact whole micro-dollars when the total is a multiple of 1M', () => {
    // 1M prompt tokens at $2.50/1M and 1M completion tokens at $10/1M: exactly $12.50.
    expect(priceMicros(model(2.5, 10), 1_000_000, 1_000_000)).toBe(12_500_000);
    expect(priceMicros(model(0.15, 0.6), 1_000_000, 0)).toBe(150_000);
  });

  it('rounds up once per request, never down', () => {
    // 1 token at $0.15/1M = 0.15 µ$ → 1 µ$.
    expect(priceMicros(model(0.15, 0.6), 1, 0)).toBe(1);
    // 1 prompt + 1 completion = 0.75 µ$ → 1 µ$ (rounding each part first would give 2).
    expect(priceMicros(model(0.15, 0.6), 1, 1)).toBe(1);
    // 10 prompt + 20 completion at sim-small prices = 1.5 + 12 = 13.5 µ$ → 14.
    expect(priceMicros(model(0.15, 0.6), 10, 20)).toBe(14);
    // Just above a whole micro-dollar: 1 000 001 µ$·tokens/1M → 2.
    expect(priceMicros(model(1.000001, 0), 1, 0)).toBe(2);
    expect(priceMicros(model(1, 0), 1, 0)).toBe(1);
  });

  it('is zero only when nothing paid was used', () => {
    expect(priceMicros(model(0.15, 0.6), 0, 0)).toBe(0);
    expect(priceMicros(model(0.02, 0), 0, 5_000)).toBe(0); // embeddings have no output price
    expect(priceMicros(model(0, 0), 123, 456)).toBe(0);
  });

  it('accepts a model or its pricing block', () => {
    const m = DEFAULT_MODELS.find((x) => x.name === 'sim-large')!;
    expect(priceMicros(m, 1000, 500)).toBe(priceMicros(m.pricing, 1000, 500));
    expect(priceMicros(m, 1000, 500)).toBe(7_500); // 1000 × 2.5 + 500 × 10 = 7 500 µ$
  });

  it('refuses fractional, negative and unsafe token counts', () => {
    const m = model(1, 1);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(() => priceMicros(m, bad, 0)).toThrow(RangeError);
      expect(() => priceMicros(m, 0, bad)).toThrow(RangeError);
    }
  });

  it('stays exact beyond 2^53 intermediate products (BigInt path)', () => {
    // 9e9 tokens × $1 000 000/1M: the product 9e21 is far beyond 2^53.
    const m = model(1_000_000, 1_000_000);
    expect(priceMicros(m, 9_000_000_000, 1)).toBe(Number(reference(1_000_000_000_000n, 1_000_000_000_000n, 9_000_000_000n, 1n)));
  });

  it('throws rather than return an inexact cost', () => {
    expect(() => priceMicros(model(1_000_000_000, 0), 2 ** 52, 0)).toThrow(RangeError);
  });

  it('matches the BigInt reference for any prices and token counts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000_000 }), // µ$ per 1M: up to $200 per 1M tokens
        fc.integer({ min: 0, max: 200_000_000 }),
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.integer({ min: 0, max: 50_000_000 }),
        (inM, outM, p, c) => {
          const got = priceMicros(model(inM / 1e6, outM / 1e6), p, c);
          expect(got).toBe(Number(reference(BigInt(inM), BigInt(outM), BigInt(p), BigInt(c))));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('worstCaseMicros', () => {
  it('never under-reserves: any outcome within the reserved tokens costs at most the reservation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (inM, outM, prompt, maxOut, used) => {
          const m = model(inM / 1e6, outM / 1e6);
          const completion = Math.min(used, maxOut);
          expect(worstCaseMicros(m, prompt, maxOut)).toBeGreaterThanOrEqual(priceMicros(m, prompt, completion));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('USD conversions', () => {
  it('round-trips micro-dollar amounts through USD numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000_000 }), (micros) => {
        expect(usdToMicros(microsToUsd(micros))).toBe(micros);
      }),
    );
    expect(microsToUsd(1_234_567)).toBe(1.234567);
    expect(usdToMicros(0.1 + 0.2)).toBe(300_000);
    expect(() => usdToMicros(-0.01)).toThrow(RangeError);
  });
});
