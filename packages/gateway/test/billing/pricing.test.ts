import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUsd, isWholePicoPerToken, MAX_PICO, picoPerToken, picoToUsd, pricePico, toPico, usdToPico, worstCasePico } from '../../src/billing/pricing.js';
import { DEFAULT_MODELS } from 'tollgate';

const model = (input: number, output: number) => ({ pricing: { input_per_1m: input, output_per_1m: output } });

describe('picoPerToken', () => {
  it('recovers the decimal the operator wrote, not the float below it', () => {
    expect(0.0157 * 1_000_000).not.toBe(15_700); // why rounding is needed at all
    expect(picoPerToken(0.0157)).toBe(15_700n);
    expect(pricePico(model(0.0157, 0), 1_000_000, 0)).toBe(15_700_000_000n);
    expect(picoPerToken(0.15)).toBe(150_000n);
    expect(picoPerToken(0.6)).toBe(600_000n);
    expect(picoPerToken(2.5)).toBe(2_500_000n);
    expect(picoPerToken(0.02)).toBe(20_000n);
    expect(picoPerToken(0.0125)).toBe(12_500n);
    expect(picoPerToken(0)).toBe(0n);
  });

  it('refuses negative and non-finite prices', () => {
    for (const bad of [-1, NaN, Infinity]) expect(() => picoPerToken(bad)).toThrow(RangeError);
  });

  it('tells which prices are countable exactly (the config refuses the others)', () => {
    for (const ok of [0, 0.02, 0.0125, 0.15, 2.5, 100, 0.000001, 1.000001]) expect(isWholePicoPerToken(ok)).toBe(true);
    for (const bad of [0.0000004, 0.0000015, 1.0000001, -1, NaN]) expect(isWholePicoPerToken(bad)).toBe(false);
  });
});

describe('pricePico', () => {
  it('is exact for every request: no rounding at all', () => {
    // 1 token at $0.15/1M = 0.15 µ$ = 150 000 p$ (the old micro-dollar unit charged 1 µ$).
    expect(pricePico(model(0.15, 0.6), 1, 0)).toBe(150_000n);
    expect(pricePico(model(0.15, 0.6), 1, 1)).toBe(750_000n);
    expect(pricePico(model(0.15, 0.6), 10, 20)).toBe(13_500_000n);
    expect(pricePico(model(1.000001, 0), 1, 0)).toBe(1_000_001n);
    expect(pricePico(model(2.5, 10), 1_000_000, 1_000_000)).toBe(12_500_000_000_000n); // $12.50
  });

  it('50 one-token embeddings at $0.02/1M cost exactly $0.000001', () => {
    let total = 0n;
    for (let i = 0; i < 50; i++) total += pricePico(model(0.02, 0), 1, 0);
    expect(total).toBe(1_000_000n);
    expect(formatUsd(total, 2)).toBe('0.000001');
    expect(picoToUsd(total)).toBe(0.000001);
  });

  it('20 tiny chats cost exactly their tokens × price', () => {
    // 7 prompt + 3 completion tokens at sim-small's $0.15/$0.60: 1.05 + 1.8 = 2.85 µ$ each.
    let total = 0n;
    for (let i = 0; i < 20; i++) total += pricePico(model(0.15, 0.6), 7, 3);
    expect(total).toBe(57_000_000n); // $0.000057 (whole micro-dollars per request gave $0.00006, +5%)
  });

  it('is zero only when nothing paid was used', () => {
    expect(pricePico(model(0.15, 0.6), 0, 0)).toBe(0n);
    expect(pricePico(model(0.02, 0), 0, 5_000)).toBe(0n);
    expect(pricePico(model(0, 0), 123, 456)).toBe(0n);
  });

  it('accepts a model or its pricing block', () => {
    const m = DEFAULT_MODELS.find((x) => x.name === 'sim-large')!;
    expect(pricePico(m, 1000, 500)).toBe(pricePico(m.pricing, 1000, 500));
    expect(pricePico(m, 1000, 500)).toBe(7_500_000_000n); // 1000 × 2.5 + 500 × 10 = 7 500 µ$
  });

  it('refuses fractional, negative and unsafe token counts', () => {
    const m = model(1, 1);
    for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(() => pricePico(m, bad, 0)).toThrow(RangeError);
      expect(() => pricePico(m, 0, bad)).toThrow(RangeError);
    }
  });

  it('matches tokens × micro-dollars-per-1M for any prices and token counts, beyond 2^53 too', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }), // µ$ per 1M: up to $1000 per 1M tokens
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        fc.integer({ min: 0, max: 2_000_000_000 }),
        (inM, outM, p, c) => {
          expect(pricePico(model(inM / 1e6, outM / 1e6), p, c)).toBe(BigInt(p) * BigInt(inM) + BigInt(c) * BigInt(outM));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('worstCasePico', () => {
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
          expect(worstCasePico(m, prompt, maxOut) >= pricePico(m, prompt, Math.min(used, maxOut))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('USD conversions', () => {
  it('reads what the caller wrote, not the double below it', () => {
    expect(usdToPico(1234567.89)).toBe(1_234_567_890_000_000_000n);
    expect(usdToPico(0.1)).toBe(100_000_000_000n);
    expect(usdToPico(0.1 + 0.2)).toBe(300_000_000_000n); // 0.30000000000000004: the 17th decimal rounds away
    expect(usdToPico(1e-7)).toBe(100_000n);
    expect(usdToPico('0.000001000000')).toBe(1_000_000n);
    expect(usdToPico(9_000_000)).toBe(9_000_000n * 10n ** 12n);
    expect(() => usdToPico(-0.01)).toThrow(RangeError);
    expect(() => usdToPico(10_000_000)).toThrow(RangeError); // beyond 2^63 p$
  });

  it('formats exactly and shows the nearest number', () => {
    expect(formatUsd(1n)).toBe('0.000000000001');
    expect(formatUsd(12_500_000_000_000n, 2)).toBe('12.50');
    expect(formatUsd(150_000_000n, 2)).toBe('0.00015');
    expect(formatUsd(MAX_PICO)).toBe('9223372.036854775807');
    expect(picoToUsd(1_234_567_000_000n)).toBe(1.234567);
  });

  it('round-trips any amount through its exact decimal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_PICO }), (p) => {
        expect(usdToPico(formatUsd(p))).toBe(p);
        expect(toPico(p.toString())).toBe(p);
      }),
    );
  });

  it('refuses a number read back inexactly', () => {
    expect(() => toPico(2 ** 60)).toThrow(RangeError);
    expect(toPico(123)).toBe(123n);
  });
});
